"""Speed of the research views (issue 13) at scale: trends, tracker and a ``section:`` search.

Target: each view answers in at most 1 s at 100,000 documents. Every figure is printed next
to a baseline measured in the same run on the same index:

* trends — the view (one facet-count search per query plus one for the denominators) versus
  the obvious way, one count-only search per point (queries × years or provinces);
* tracker — the view (one paged search for the whole province) versus one search per
  government (filters year + region, the same report query);
* ``section:不足 执法`` — versus the plain search ``执法`` (facets and passages as the UI asks
  for both). Skipped with a message if the engine does not know ``section:`` yet.

The index is the synthetic corpus of ``benchmarks/corpus.py`` (report years 2015–2024, county
publishers: county government or one of 13 departments). With ``--work-dir`` an index built
by an earlier run is reused. The engine caches results per query; every timed run starts with
empty caches (see :func:`clear_caches`), so the figures are computations, not cache hits. The
first search after opening (loading the per-document metadata) is reported on its own line,
and so is each view's first run (its index files may not be in the page cache yet); the
verdict is on the runs after it.

    python benchmarks/views_bench.py --docs 100000 --work-dir /tmp/views100k   # ~20 min to build on 2 cores
    python benchmarks/views_bench.py --docs 2000                               # a quick look
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.corpus import write_jsonl  # noqa: E402
from benchmarks.search_bench import iter_corpus  # noqa: E402
from extract.regions import divisions  # noqa: E402
from indexer.api import QueryError, SearchRequest  # noqa: E402
from indexer.query import Term, parse_query  # noqa: E402
from indexer.whoosh_backend import WhooshBackend  # noqa: E402
from research.tracker import REPORT_QUERY, REPORT_TYPES, tracker  # noqa: E402
from research.trends import trends  # noqa: E402

TARGET_S = 1.0
QUERIES = ["行政复议", "出庭应诉率"]


def build(work: Path, n: int, seed: int, workers: int) -> Path:
    """The index of the first ``n`` corpus documents under ``work/data`` (reused if complete)."""
    data = work / "data"
    marker = work / f"BUILT-{n}-{seed}"
    if marker.exists():
        try:
            WhooshBackend(data, readonly=True).close()
        except QueryError as err:  # built by an older version: the engine refuses it
            raise SystemExit(f"{err}\n请删除 {data} 与 {marker} 后重跑（重建约需半小时）。") from None
        print(f"重用已建索引 {data}（{n} 篇）", flush=True)
        return data
    corpus = work / f"corpus-{n}-{seed}.jsonl"
    started = time.perf_counter()
    if not corpus.exists():
        write_jsonl(corpus, n, seed)
    backend = WhooshBackend(data, workers=workers)
    report = backend.add(iter_corpus(corpus))
    backend.close()
    print(f"建索引：{report.added + report.updated} 篇，失败 {len(report.failed)}，"
          f"{time.perf_counter() - started:.0f} 秒", flush=True)
    marker.write_text(f"{n}\n")
    return data


def clear_caches(backend: WhooshBackend) -> None:
    """Empty the engine's per-view result and term caches, so that a timed run computes."""
    view = backend._current_view()
    for name in ("results", "term_cache"):
        cache = getattr(view, name, None)
        if cache is not None:
            cache.clear()


def timed(backend: WhooshBackend, fn: Callable[[], Any], repeats: int) -> dict[str, float]:
    """The first run (its index files may still be on disk, not in the page cache) apart from
    the ``repeats`` runs after it; every run starts with empty engine caches."""
    runs = []
    for _ in range(repeats + 1):
        clear_caches(backend)
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    warm = runs[1:]
    return {"first_s": runs[0], "median_s": statistics.median(warm), "max_s": max(warm), "runs": len(warm)}


def count(backend: WhooshBackend, query: str, filters: dict[str, tuple[str, ...]]) -> int:
    return backend.search(SearchRequest(query=query, filters=filters, limit=0, passages=0, facets=False)).total


def trends_per_point(backend: WhooshBackend, by: str, keys: list[str], year_range: str) -> None:
    """Baseline: one count-only search per point and per denominator."""
    for q in ["", *QUERIES]:
        for key in keys:
            if by == "year":
                count(backend, q, {"year": (key,)})
            else:
                count(backend, f"{q} {year_range}".strip(), {"province": (key,)})


def tracker_per_government(backend: WhooshBackend, year: int, province: str) -> None:
    """Baseline: one search per county government of the province."""
    for region in divisions("county", province):
        filters = {"year": (str(year),), "doc_type": REPORT_TYPES, "province": (province,),
                   "county": (region.county or "",)}
        if region.city:
            filters["city"] = (region.city,)
        backend.search(SearchRequest(query=REPORT_QUERY, filters=filters, limit=100, passages=0, facets=False,
                                     collapse=False))


def supports_section(query: str) -> bool:
    """Whether the query language knows ``section:``; an unknown field is read as a plain
    string (``Term("section:不足")``), which would time a search for a string nobody wrote."""
    try:
        node = parse_query(query)
    except QueryError:
        return False
    pending = [node]
    while pending:
        n = pending.pop()
        if isinstance(n, Term) and "section:" in n.text:
            return False
        pending.extend(getattr(n, "children", ()))
        if hasattr(n, "child"):
            pending.append(n.child)
    return True


def ui_search(backend: WhooshBackend, query: str) -> None:
    backend.search(SearchRequest(query=query, limit=10, passages=3, facets=True))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="研究视图（趋势、报告进度、section: 检索）的速度基准")
    parser.add_argument("--docs", type=int, default=100_000, help="语料文档数（默认 100000）")
    parser.add_argument("--seed", type=int, default=20240501)
    parser.add_argument("--workers", type=int, default=2, help="建索引的进程数")
    parser.add_argument("--work-dir", type=Path, help="语料与索引目录（可重用；默认临时目录）")
    parser.add_argument("--repeats", type=int, default=5, help="每项重复次数（每次先清空缓存）")
    parser.add_argument("--json", type=Path, help="另存结果为 JSON")
    args = parser.parse_args(argv)

    tmp = None
    if args.work_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="views-bench-")
        args.work_dir = Path(tmp.name)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    data = build(args.work_dir, args.docs, args.seed, args.workers)

    backend = WhooshBackend(data, readonly=True)
    started = time.perf_counter()
    documents = backend.search(SearchRequest(query="", limit=0, passages=0, facets=True)).total
    first = time.perf_counter() - started
    print(f"\n{documents} 篇；打开索引后的第一次检索（载入每篇文件的元数据）：{first:.2f} 秒\n", flush=True)

    years = [str(y) for y in range(2015, 2025)]
    provinces = [r.province or "" for r in divisions("province")]
    section_query = "section:不足 执法"
    section_supported = supports_section(section_query)
    if not section_supported:
        print(f"跳过 {section_query}：引擎尚不支持 section:（查询语言把它当作普通字符串或报错）\n")

    cases: list[tuple[str, Callable[[], Any], str, Callable[[], Any]]] = [
        ("趋势 按年份（2 个检索式）", lambda: trends(backend, QUERIES, by="year"),
         "每个数据点一次计数检索", lambda: trends_per_point(backend, "year", years, "")),
        ("趋势 按省份 2018–2024（2 个检索式）",
         lambda: trends(backend, QUERIES, by="province", year_from=2018, year_to=2024),
         "每个数据点一次计数检索", lambda: trends_per_point(backend, "province", provinces, "年份:2018..2024")),
        ("报告进度 湖北省 县级 2023（103 个政府）", lambda: tracker(backend, 2023, level="county", province="湖北省"),
         "每个政府一次检索", lambda: tracker_per_government(backend, 2023, "湖北省")),
        ("报告进度 四川省 县级 2023（183 个政府）", lambda: tracker(backend, 2023, level="county", province="四川省"),
         "每个政府一次检索", lambda: tracker_per_government(backend, 2023, "四川省")),
        ("报告进度 全国 省级 2023", lambda: tracker(backend, 2023, level="province"),
         "（无）", lambda: None),
        ("报告进度 湖北省 市级 2023", lambda: tracker(backend, 2023, level="city", province="湖北省"),
         "（无）", lambda: None),
    ]
    if section_supported:
        cases.append((f"检索 {section_query}（分面+摘要，同检索页）", lambda: ui_search(backend, section_query),
                      "检索 执法（同样分面+摘要）", lambda: ui_search(backend, "执法")))

    results = []
    print(f"秒；首次 = 每项的第一次（索引文件可能尚未进入页缓存），中位数/最慢 = 其后 {args.repeats} 次；"
          "每次都先清空引擎缓存。结论按其后各次的最慢值。")
    print(f"{'视图':<40} {'首次':>7} {'中位数':>7} {'最慢':>7}   {'对照':<24} {'中位数':>7}  结论")
    for name, view, baseline_name, baseline in cases:
        got = timed(backend, view, args.repeats)
        base = timed(backend, baseline, args.repeats) if baseline_name != "（无）" else None
        verdict = "达标" if got["max_s"] <= TARGET_S else f"超过 {TARGET_S:.0f} 秒"
        base_text = f"{base['median_s']:7.3f}" if base else f"{'—':>7}"
        print(f"{name:<40} {got['first_s']:7.3f} {got['median_s']:7.3f} {got['max_s']:7.3f}   "
              f"{baseline_name:<24} {base_text}  {verdict}", flush=True)
        results.append({"view": name, **got, "baseline": baseline_name, "baseline_median_s": base and base["median_s"],
                        "target_met": got["max_s"] <= TARGET_S})
    backend.close()
    summary = {"documents": documents, "first_search_s": first, "repeats": args.repeats,
               "section_supported": section_supported, "results": results}
    if args.json:
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    if tmp is not None:
        tmp.cleanup()
    return 0 if all(r["target_met"] for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
