"""Extraction quality on the hand-checked fixture pages: govsearch's cleaner vs trafilatura.

For every page in ``tests/fixtures/pages`` with a gold JSON of kind ``article`` or
``attachment-only``, both extractors run on the same bytes in the same process:

* body: character-level precision / recall / F1 of the extracted body against the gold
  paragraphs. Characters are compared as multisets after removing whitespace (so line
  breaks and indentation do not count, but every leaked chrome character or lost body
  character does), which is how a reader or a search index experiences the difference;
* metadata: exact-match rate of title, publisher, published, doc_number, index_no over the
  pages whose gold has that field. trafilatura has no 文号/索引号 concept, so those are 0.

It prints the table and writes it between ``<!-- extraction:begin -->`` and
``<!-- extraction:end -->`` in ``docs/benchmarks.md`` (other sections are left untouched).

Run: ``python benchmarks/extraction.py [--no-write]`` (trafilatura is in the ``bench`` extra).

``--real`` scores the real-page development set instead (``tests/fixtures/real``: page texts
of real government sites with hand-checked gold; scoring in ``benchmarks/real_pages.py``):
per-field accuracy and wrong non-empty values, body sentence recall and furniture leaked into
bodies, with trafilatura's metadata extraction over the same texts as the anchor. The table
goes between ``<!-- extraction-real:begin -->`` and ``<!-- extraction-real:end -->``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import real_pages  # noqa: E402
from extract.clean import clean_bytes  # noqa: E402

PAGES = ROOT / "tests" / "fixtures" / "pages"
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- extraction:begin -->", "<!-- extraction:end -->"
FIELDS = ("title", "publisher", "published", "doc_number", "index_no")


def _attachments_module():
    spec = importlib.util.spec_from_file_location("fixture_attachments", PAGES / "make_attachments.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def chars(text: str) -> Counter[str]:
    return Counter(ch for ch in text if not ch.isspace())


def prf(predicted: str, gold: str) -> tuple[float, float, float]:
    """Character multiset precision, recall and F1 (whitespace ignored)."""
    p, g = chars(predicted), chars(gold)
    overlap = sum((p & g).values())
    precision = overlap / sum(p.values()) if p else (1.0 if not g else 0.0)
    recall = overlap / sum(g.values()) if g else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def load_cases() -> list[tuple[str, bytes, dict]]:
    cases = []
    for gold_path in sorted(PAGES.glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        if gold.get("kind") not in ("article", "attachment-only"):
            continue
        page = gold_path.with_suffix(".html")
        cases.append((gold_path.stem, page.read_bytes(), gold))
    return cases


def fetcher_for(gold: dict) -> Callable[[str], bytes | None] | None:
    """Serve the attachments the gold names, built the same way the tests build them."""
    files = gold.get("attachment_files")
    if not files:
        return None
    made = _attachments_module().build_attachments(files)
    return lambda href: next((data for suffix, data in made.items() if href.endswith(suffix)), None)


def run_govsearch(data: bytes, gold: dict) -> dict:
    result = clean_bytes(data, url=gold.get("url"), headers=gold.get("headers"),
                         fetch_attachment=fetcher_for(gold))
    doc = result.document
    if doc is None:
        return {"body": "", **{f: None for f in FIELDS}}
    return {
        "body": "\n".join(doc.paragraphs),
        "title": doc.title,
        "publisher": doc.publisher,
        "published": doc.published.isoformat() if doc.published else None,
        "doc_number": doc.doc_number,
        "index_no": doc.index_no,
    }


def run_trafilatura(data: bytes, gold: dict) -> dict:
    import trafilatura

    extracted = trafilatura.bare_extraction(data, url=gold.get("url"), with_metadata=True,
                                            include_comments=False, include_tables=True)
    if extracted is None:
        return {"body": "", **{f: None for f in FIELDS}}
    if not isinstance(extracted, dict):
        extracted = extracted.as_dict()
    date = extracted.get("date")
    return {
        "body": extracted.get("text") or "",
        "title": extracted.get("title"),
        "publisher": extracted.get("author") or extracted.get("sitename"),
        "published": date[:10] if date else None,
        "doc_number": None,
        "index_no": None,
    }


def score(runner: Callable[[bytes, dict], dict], cases) -> dict:
    body_scores = []
    field_hits = {f: [0, 0] for f in FIELDS}
    per_page = {}
    started = time.perf_counter()
    for name, data, gold in cases:
        out = runner(data, gold)
        p, r, f = prf(out["body"], "\n".join(gold["paragraphs"]))
        body_scores.append((p, r, f))
        per_page[name] = f
        for f_name in FIELDS:
            if gold.get(f_name):
                field_hits[f_name][1] += 1
                field_hits[f_name][0] += int(out.get(f_name) == gold[f_name])
    elapsed = time.perf_counter() - started
    n = len(body_scores) or 1
    return {
        "precision": sum(s[0] for s in body_scores) / n,
        "recall": sum(s[1] for s in body_scores) / n,
        "f1": sum(s[2] for s in body_scores) / n,
        "min_f1": min((s[2] for s in body_scores), default=0.0),
        "fields": {f: (h[0], h[1]) for f, h in field_hits.items()},
        "per_page": per_page,
        "ms_per_page": 1000 * elapsed / n,
    }


def table(results: dict[str, dict], pages: int) -> str:
    header = ("| extractor | body P | body R | body F1 | min F1 | "
              + " | ".join(FIELDS) + " | ms/page |")
    lines = [header, "|" + "---|" * (6 + len(FIELDS))]
    for name, res in results.items():
        cells = [f"{res['precision']:.3f}", f"{res['recall']:.3f}", f"**{res['f1']:.3f}**",
                 f"{res['min_f1']:.3f}"]
        for f in FIELDS:
            hit, total = res["fields"][f]
            cells.append(f"{hit}/{total} ({hit / total:.0%})" if total else "–")
        cells.append(f"{res['ms_per_page']:.0f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def write_section(text: str, begin: str = BEGIN, end: str = END) -> None:
    """Write ``text`` between the ``begin`` and ``end`` markers of docs/benchmarks.md."""
    section = f"{begin}\n{text}\n{end}"
    if DOC.exists():
        current = DOC.read_text(encoding="utf-8")
        if begin in current and end in current:
            before, rest = current.split(begin, 1)
            after = rest.split(end, 1)[1]
            DOC.write_text(before + section + after, encoding="utf-8")
            return
        DOC.write_text(current.rstrip("\n") + "\n\n" + section + "\n", encoding="utf-8")
        return
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(section + "\n", encoding="utf-8")


def trafilatura_real(case: real_pages.Case) -> dict:
    """trafilatura's metadata over the page text, each line a paragraph of a bare HTML page."""
    import html

    import trafilatura

    page = "<html><body>" + "".join(f"<p>{html.escape(line)}</p>" for line in case.text.splitlines()
                                    if line.strip()) + "</body></html>"
    extracted = trafilatura.bare_extraction(page, url=case.gold.get("url"), with_metadata=True)
    if extracted is None:
        return {}
    if not isinstance(extracted, dict):
        extracted = extracted.as_dict()
    date = extracted.get("date")
    return {"title": extracted.get("title"), "publisher": extracted.get("author"),
            "published": date[:10] if date else None}


def real_table(results: dict[str, real_pages.Score]) -> str:
    fields = real_pages.FIELDS
    lines = ["| extractor | " + " | ".join(fields) + " | body sentences kept | first sentence kept"
             " | furniture lines leaked | ms/page |",
             "|" + "---|" * (len(fields) + 5)]
    for name, res in results.items():
        cells = []
        for f in fields:
            cells.append(f"{res.right[f]}/{res.pages} ({res.rate(f):.1%}), {res.wrong[f]} wrong")
        if res.sentences:
            cells += [f"{res.sentences_kept}/{res.sentences} ({res.sentences_kept / res.sentences:.2%})",
                      f"{res.first_kept}/{res.pages}",
                      f"{res.furniture_leaked}/{res.furniture} ({res.furniture_leaked / max(res.furniture, 1):.1%})"]
        else:
            cells += ["–", "–", "–"]
        cells.append(f"{res.ms_per_page:.1f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def run_real(args, holdout: bool = False) -> None:
    from urllib.parse import urlsplit

    cases = real_pages.load_cases(real_pages.HOLDOUT if holdout else real_pages.REAL)
    results: dict[str, real_pages.Score] = {}
    started = time.perf_counter()
    results["govsearch"] = real_pages.score(cases)
    results["govsearch"].ms_per_page = 1000 * (time.perf_counter() - started) / max(len(cases), 1)
    try:
        import trafilatura  # noqa: F401

        started = time.perf_counter()
        name = "trafilatura " + _version("trafilatura")
        results[name] = real_pages.score(cases, trafilatura_real, body=False)
        results[name].ms_per_page = 1000 * (time.perf_counter() - started) / max(len(cases), 1)
    except ImportError:
        print("trafilatura not installed (pip install -e .[bench]); skipping it", file=sys.stderr)
    hosts = {urlsplit(c.gold["url"]).hostname for c in cases}
    provinces = {c.gold["province"] for c in cases if c.gold.get("province")}
    kinds = Counter(c.gold["kind"] for c in cases)
    summary = (f"{len(cases)} pages, {len(hosts)} hosts, {len(provinces)} provinces; kinds: "
               + ", ".join(f"{k} {n}" for k, n in kinds.most_common()))
    rendered = real_table(results)
    print(summary)
    print(rendered)
    ours = results["govsearch"]
    if args.pages:
        for case_name, field_name, got, want in ours.misses:
            print(f"MISS {case_name} {field_name}: got {got!r} want {want!r}")
        for case_name, sentence in ours.lost:
            print(f"LOST {case_name}: {sentence[:80]}")
        for case_name, line in ours.leaks:
            print(f"LEAK {case_name}: {line[:80]}")
    if args.no_write:
        return
    if holdout:
        write_section(
            "## Extraction on held-out real pages (issue 11)\n\n"
            f"`python benchmarks/extraction.py --holdout`, {dt.date.today().isoformat()}: {summary} "
            "(`tests/fixtures/real_holdout`: gathered and hand-checked by a helper who did not "
            "write the extractor, on hosts that are not in the development set). Scored exactly "
            "as the development set above. Its first, blind run and the general bugs it showed "
            "are recorded below this table.\n\n" + rendered + "\n",
            "<!-- extraction-holdout:begin -->", "<!-- extraction-holdout:end -->")
        return
    write_section(
        "## Extraction on real pages (issue 11)\n\n"
        f"`python benchmarks/extraction.py --real`, {dt.date.today().isoformat()}: {summary} "
        "(`tests/fixtures/real`, gathered and hand-checked as its README says). A field is right "
        "when it equals the gold or both are empty; *wrong* counts non-empty values that are not "
        "the gold (worse than none). Body: sentences of non-furniture lines found in the Document; "
        "furniture: gold furniture lines found in a body paragraph. trafilatura reads the same "
        "text as a bare HTML page (one `<p>` a line); it has no 文号/索引号/report year/region, "
        "and its `author` stands in for the publisher.\n\n" + rendered + "\n",
        "<!-- extraction-real:begin -->", "<!-- extraction-real:end -->")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/ alone")
    parser.add_argument("--pages", action="store_true",
                        help="also print per-page results (with --real: every miss, lost sentence, leak)")
    parser.add_argument("--real", action="store_true",
                        help="score the real-page development set (tests/fixtures/real) instead")
    parser.add_argument("--holdout", action="store_true",
                        help="score the held-out real pages (tests/fixtures/real_holdout), never tuned on")
    args = parser.parse_args()
    if args.real or args.holdout:
        run_real(args, holdout=args.holdout)
        return

    cases = load_cases()
    results = {"govsearch": score(run_govsearch, cases)}
    try:
        import trafilatura  # noqa: F401

        results["trafilatura " + _version("trafilatura")] = score(run_trafilatura, cases)
    except ImportError:
        print("trafilatura not installed (pip install -e .[bench]); skipping it", file=sys.stderr)
    rendered = table(results, len(cases))
    print(rendered)
    if args.pages:
        names = list(results)
        for page in results["govsearch"]["per_page"]:
            print(page, " ".join(f"{results[n]['per_page'][page]:.3f}" for n in names))
    templates = {gold.get("template", "?") for _n, _d, gold in cases}
    gbk = sum(gold.get("encoding_bytes") in ("gbk", "gb2312") for _n, _d, gold in cases)
    if not args.no_write:
        write_section(
            "## Extraction quality (issue 3)\n\n"
            f"`python benchmarks/extraction.py`, {dt.date.today().isoformat()}: {len(cases)} hand-checked "
            f"fixture pages (`tests/fixtures/pages`; extractor paths: {', '.join(sorted(templates))}; "
            f"{gbk} served as GBK/GB2312; `heldout_*` pages were written after the cleaner was tuned, "
            "see the note below). Body = "
            "character-level precision/recall/F1 against the gold paragraphs (whitespace ignored), "
            "averaged over pages; fields = exact matches over the pages whose gold has the field.\n\n"
            + rendered + "\n\n"
            "Caveat: the non-`heldout_` fixtures were written while the cleaner was developed, so "
            "their scores are an upper bound. On its first run over the three `heldout_` pages the "
            "cleaner scored body F1 1.000 with one title miss (a `-站名` suffix without spaces), "
            "fixed since. trafilatura has no 文号/索引号 fields and reports the author/site name, "
            "not the 发布机构, hence its zeros there.\n"
        )


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    main()
