"""Long fuzz runs: ≥ 10,000 generated inputs per target, each within a time bound.

Same generators and contracts as tests/test_hardening_fuzz.py (benchmarks/reliability/
fuzz_targets.py), many more examples, a fixed seed, and a wall-clock bound per input: an
input that takes longer than ``--bound`` seconds counts as a failure (a hang in production).

Usage (the rows in docs/reliability.md)::

    .venv/bin/python benchmarks/reliability/fuzz_long.py --examples 10000 --seed 1
    .venv/bin/python benchmarks/reliability/fuzz_long.py --only query,search --examples 20000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from hypothesis import strategies as st  # noqa: E402

from benchmarks.reliability import fuzz_targets as targets  # noqa: E402


@dataclass
class FuzzReport:
    target: str
    inputs: int = 0
    failures: int = 0
    over_bound: int = 0
    slowest_s: float = 0.0
    seconds: float = 0.0
    samples: list[str] = field(default_factory=list)


def draw_examples(strategy: st.SearchStrategy, n: int, seed: int):
    """``n`` examples of a hypothesis strategy, reproducibly (no shrinking: we count, then report)."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as fixed_seed

    out: list = []

    @fixed_seed(seed)
    @settings(max_examples=n, deadline=None, database=None, phases=[__import__("hypothesis").Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def collect(value):
        out.append(value)

    collect()
    return out


def run_target(name: str, inputs, check: Callable, bound: float) -> FuzzReport:
    report = FuzzReport(target=name)
    started = time.monotonic()
    for value in inputs:
        t0 = time.perf_counter()
        problem = check(value)
        elapsed = time.perf_counter() - t0
        report.inputs += 1
        report.slowest_s = max(report.slowest_s, round(elapsed, 3))
        if elapsed > bound:
            report.over_bound += 1
            problem = problem or f"took {elapsed:.1f} s"
        if problem:
            report.failures += 1
            if len(report.samples) < 5:
                report.samples.append(f"{problem[:300]} <- {value!r:.200}")
    report.seconds = round(time.monotonic() - started, 1)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="≥ 10,000 hostile inputs per entry point, with a time bound each")
    parser.add_argument("--examples", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--bound", type=float, default=5.0, help="seconds allowed per input")
    parser.add_argument("--only", help="comma-separated: query,search,dump,dumpfile,html,bytes,pdf,docx,web")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    wanted = set(args.only.split(",")) if args.only else None
    work = Path(tempfile.mkdtemp(prefix="fuzz-long-"))
    from tests.conftest_webui import build_seeded_index

    seeded = build_seeded_index(work / "index")
    from indexer import open_index
    from webui import create_app

    backend = open_index(seeded.data_dir, readonly=True)
    client = create_app(seeded.data_dir).test_client()
    pdf, docx = targets.sample_pdf(), targets.sample_docx()
    ids = [*seeded.seed_ids[:2], seeded.hostile_id, "0123456789abcdef"]
    n = args.examples
    plan: list[tuple[str, Callable[[], list], Callable]] = [
        ("query", lambda: draw_examples(targets.query_strategy(), n, args.seed), targets.check_query),
        ("search", lambda: draw_examples(targets.query_strategy(), n, args.seed + 1),
         lambda q: targets.check_search(backend, q)),
        ("dump", lambda: draw_examples(targets.dump_strategy(), n, args.seed), targets.check_text_dump),
        ("dumpfile", lambda: draw_examples(targets.dump_bytes_strategy(), n, args.seed),
         lambda b: targets.check_dump_file(work, b)),
        ("html", lambda: [h.encode(random.Random(i).choice(["utf-8", "gb18030"]), errors="replace")
                          for i, h in enumerate(draw_examples(targets.html_strategy(), n, args.seed))]
         + [data for _, data in targets.hostile_pages()], targets.check_clean),
        ("bytes", lambda: draw_examples(st.binary(max_size=20_000), n, args.seed), targets.check_clean),
        ("pdf", lambda: draw_examples(targets.mutated(pdf), n, args.seed), lambda b: targets.check_attachment(b, "pdf")),
        ("docx", lambda: [*draw_examples(targets.mutated(docx), n, args.seed),
                          targets.zip_bomb_docx(300), targets.zip_bomb_docx(300, lie=True)],
         lambda b: targets.check_attachment(b, "docx")),
        ("web", lambda: draw_examples(targets.web_request_strategy(ids), n, args.seed),
         lambda pq: targets.check_web(client, *pq)),
    ]
    reports = []
    for name, make_inputs, check in plan:
        if wanted and name not in wanted:
            continue
        inputs = make_inputs()
        report = run_target(name, inputs, check, args.bound)
        reports.append(report)
        print(json.dumps(asdict(report), ensure_ascii=False), flush=True)
    backend.close()
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in reports], ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if any(r.failures for r in reports) else 0


if __name__ == "__main__":
    raise SystemExit(main())
