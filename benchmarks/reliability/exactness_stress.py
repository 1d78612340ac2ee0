"""Exactness at scale: many random strings and 同句/同段 queries against brute force.

The hypothesis tests (tests/test_exactness_property.py) check the guarantee on 240
documents in a few hundred examples per run; this runs thousands of queries over a larger
index with several segments, deleted documents, and characters outside the BMP whose low 16
bits equal 法 and 治 (the position index keeps a 16-bit character array; those characters
must never pass for 法 or 治). Prints the counts and every mismatch; exits 1 on a mismatch.

    .venv/bin/python benchmarks/reliability/exactness_stress.py --docs 1500 --strings 4000 --near 1500
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indexer import writer as index_writer  # noqa: E402  (the merge policy)
from indexer.analysis import normalize, sentences  # noqa: E402
from indexer.api import SearchRequest  # noqa: E402
from indexer.whoosh_backend import WhooshBackend  # noqa: E402
from tests.conftest import make_doc  # noqa: E402

ALPHABET = [*"法治政府建设依法行政复议应诉率出庭人民共和国。；，！？ 國務發９０％12Ab",
            chr(0x20000 + ord("法")), chr(0x20000 + ord("治")), "\U0002A6A5"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=1500)
    parser.add_argument("--strings", type=int, default=4000)
    parser.add_argument("--near", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=20261123)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)

    def text(lo: int, hi: int) -> str:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(lo, hi)))

    docs = [make_doc(f"/s/{i}.txt", text(2, 14), [text(0, 120) for _ in range(rng.randint(1, 6))])
            for i in range(args.docs)]
    work = Path(tempfile.mkdtemp(prefix="govsearch-exact-"))
    backend = WhooshBackend(work, workers=2)
    try:
        index_writer.SMALL_SEGMENT = 1  # commits would merge segments this small: keep them apart
        backend.add(docs, batch_size=max(1, args.docs // 10))  # about ten segments
        backend.delete([d.id for d in docs[::37]])
        live = [d for i, d in enumerate(docs) if i % 37]
        norm = {d.source: (normalize(d.title), normalize(d.body), [normalize(p) for p in d.paragraphs]) for d in live}

        def search(query: str) -> set[str]:
            found: set[str] = set()
            offset = 0
            while True:
                res = backend.search(SearchRequest(query=query, limit=1000, offset=offset, facets=False,
                                                   collapse=False, passages=0))
                found |= {h.source for h in res.hits}
                offset += 1000
                if offset >= res.total:
                    return found

        started = time.monotonic()
        mismatches = strings = 0
        for _ in range(args.strings):
            if rng.random() < 0.5:
                doc = rng.choice(live)
                raw = rng.choice([doc.title, doc.body])
                at = rng.randint(0, max(0, len(raw) - 1))
                query = raw[at : at + rng.randint(1, 10)]
            else:
                query = text(1, 6)
            wanted = normalize(query)
            if not wanted:
                continue
            expected = {src for src, (title, body, _) in norm.items() if wanted in title or wanted in body}
            got = search('"' + query + '"')
            strings += 1
            if got != expected:
                mismatches += 1
                print(f"MISMATCH {query!r}: {len(got)} found, {len(expected)} by brute force")
        near = 0
        for _ in range(args.near):
            first, second = normalize(text(1, 3)), normalize(text(1, 2))
            if not first or not second:
                continue
            unit = rng.choice(["sentence", "paragraph"])
            terms = list(dict.fromkeys([first, second]))
            expected = set()
            for src, (_, _, paras) in norm.items():
                units = paras if unit == "paragraph" else [s for p in paras for s in sentences(p)]
                if any(all(t in u for t in terms) for u in units):
                    expected.add(src)
            op = "同句" if unit == "sentence" else "同段"
            got = search(f'{op}("{first}" "{second}")')
            near += 1
            if got != expected:
                mismatches += 1
                print(f"MISMATCH {op}({first} {second}): {len(got)} found, {len(expected)} by brute force")
        print(f"{args.docs} documents ({len(live)} live, {len(backend.ix._segments())} segments): "
              f"{strings} strings, {near} 同句/同段 queries, {mismatches} mismatches, {time.monotonic() - started:.0f} s")
        return 1 if mismatches else 0
    finally:
        backend.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
