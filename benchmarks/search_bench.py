"""govsearch versus the naive Whoosh + jieba ChineseAnalyzer index, on one generated corpus.

Why this shape:

* Both engines index the *same* corpus file (``benchmarks/corpus.py``, seeded), so the
  comparison is about the engines, not the data.
* Each engine indexes in its own child process, so its peak RSS is its own (the parent
  holds no index and no segmenter). govsearch's peak is its process tree (it forks
  ``workers`` preparation processes): we report the indexing process's exact peak RSS
  (``getrusage``) and the sampled peak PSS of the whole tree (PSS shares copy-on-write pages
  fairly between forked processes, so the sum is not inflated).
* Queries also run in a fresh child per engine, after indexing, as a reader would: the first
  query pays for opening the index (reported separately as "open"); then pass 1 runs every
  query once (cold postings), passes 2–3 repeat them (warm). p50/p95 are over pass 1 and over
  all passes. govsearch queries include facet counts over all matches and passages for the
  10 hits, as the UI asks for them.
* Correctness: for every phrase of the phrase set, each engine's full match set is compared
  with brute force (``normalize(q) in normalize(title)`` or ``… in normalize(body)``),
  micro-averaged recall and precision, plus the number of phrases with an exact result set.

The naive baseline is what a new user builds from the jieba README: one TEXT field with
``jieba.analyse.ChineseAnalyzer()``, a title TEXT field with the same analyzer, a stored id,
the stock ``QueryParser``, default writer settings, one commit. It has no year/publisher/
region fields and no 同句, so queries using them are not run on it (marked "—").

Run::

    python benchmarks/search_bench.py                 # 2,000 documents (~5 minutes)
    python benchmarks/search_bench.py --docs 20000    # the target size (long: run with nohup)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpus as corpus_mod  # noqa: E402

from indexer.document import Document  # noqa: E402

DOCS_MD = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- search:begin -->", "<!-- search:end -->"
ENGINES = ("govsearch", "naive")
WARM_PASSES = 2

# ----------------------------------------------------------------------------- query sets


def query_set(sample: list[Document]) -> list[tuple[str, str, str | None]]:
    """(kind, govsearch query, naive query or None) — a mix of what researchers type.

    Corpus-specific strings (a 文号, a county, a publisher) come from ``sample`` so that rare,
    selective queries are measured alongside the common ones that hit most documents.
    """
    a, b, c = sample[1], sample[7], sample[13]
    return [
        ("phrase", '"法治政府建设"', '"法治政府建设"'),
        ("phrase", '"行政机关负责人出庭应诉"', '"行政机关负责人出庭应诉"'),
        ("phrase", '"人民共和国"', '"人民共和国"'),
        ("phrase", '"规范性文件备案审查"', '"规范性文件备案审查"'),
        ("phrase", '"重大行政决策"', '"重大行政决策"'),
        ("word", "法治", "法治"),
        ("word", "复议", "复议"),
        ("word", "听证", "听证"),
        ("word", "行政执法", "行政执法"),
        ("word", "出庭应诉率", "出庭应诉率"),
        ("word", "依法行政", "依法行政"),
        ("cross-word", "治政", "治政"),
        ("cross-word", "府建", "府建"),
        ("cross-word", "政执法", "政执法"),
        ("文号", a.doc_number or "", f'"{a.doc_number}"'),
        ("文号", f'"{b.doc_number}"', f'"{b.doc_number}"'),
        ("文号", "docno:" + (c.doc_number or ""), None),
        ("place", a.region.county or "", a.region.county),
        ("place", b.publisher or "", b.publisher),
        ("number", "90%", "90%"),
        ("number", "９０％", "９０％"),
        ("AND", "行政复议 行政诉讼", "行政复议 行政诉讼"),
        ("AND", "法治政府 营商环境 疫情", "法治政府 营商环境 疫情"),
        ("OR", "行政复议 OR 行政诉讼", "行政复议 OR 行政诉讼"),
        ("OR", "(普法 OR 宣传) 出庭", "(普法 OR 宣传) 出庭"),
        ("NOT", "法治政府 -疫情", "法治政府 NOT 疫情"),
        ("NOT", "依法行政 NOT 城市管理", "依法行政 NOT 城市管理"),
        ("field", "title:总结", "title:总结"),
        ("field", "title:实施意见 依法行政", "title:实施意见 依法行政"),
        ("field", "publisher:司法局 行政复议", None),
        ("field", f"region:{c.region.province} 依法行政", None),
        ("field", "type:意见 规范性文件", None),
        ("year", "year:2019 法治政府", None),
        ("year", "year:2018..2021 行政复议", None),
        ("year", "date:2020-01-01..2020-06-30 出庭应诉", None),
        ("同句", "同句(行政复议 应诉)", None),
        ("同句", "同句(出庭应诉率 90%)", None),
        ("同段", "同段(行政复议 应诉)", None),
        ("同段", "同段(普法 考核 培训)", None),
        ("all", "", None),
    ]


#: The open's first tiny search. A string in neither query set, so opening does not compute
#: (and cache) a mask that the cold pass then reuses.
PROBE = "报告"


def query_set_b(sample: list[Document]) -> list[tuple[str, str, dict[str, list[str]] | None]]:
    """(kind, govsearch query, facet filters or None): the warm pass's queries.

    One query per query of :func:`query_set`, of the same kind, in the same order, but with
    strings that set A does not use (and that no other query of this set uses), so that no
    per-generation cache of the engine (ranked results keyed by the query, masks keyed by each
    string) can answer them: each is the first time the engine sees every one of its strings.
    The phrases and words occur in the generated corpus (checked with ``benchmarks/corpus.py``:
    each is in 15–100 % of the documents, like set A's). The 文号, county, publisher and
    province come from other sample documents than set A's; years and dates lie outside set A's
    2018–2021. The empty query cannot change its string, so set B browses everything with one
    facet value ticked instead (``doc_type`` 方案), which is a different cached result.
    """
    taken = {1, 7, 13}  # set A's sample documents
    others = [d for i, d in enumerate(sample) if i not in taken]
    a_places = {sample[i].region.county for i in taken}
    d = next(x for x in others if x.region.county not in a_places)
    e = next(x for x in others if x.region.county not in a_places | {d.region.county})
    f = next(x for x in others if x not in (d, e) and x.doc_number not in (d.doc_number, e.doc_number))
    a_province = sample[13].region.province
    g = next(x for x in others if x.region.province != a_province)
    return [
        ("phrase", '"政府信息公开"', None),
        ("phrase", '"依法全面履行政府职能"', None),
        ("phrase", '"领导干部学法"', None),
        ("phrase", '"执法全过程记录"', None),
        ("phrase", '"政府常务会议"', None),
        ("word", "调解", None),
        ("word", "仲裁", None),
        ("word", "宪法", None),
        ("word", "行政处罚", None),
        ("word", "行政执法证", None),
        ("word", "行政许可", None),
        ("cross-word", "府法", None),
        ("cross-word", "政决", None),
        ("cross-word", "务公开", None),
        ("文号", d.doc_number or "", None),
        ("文号", f'"{e.doc_number}"', None),
        ("文号", "docno:" + (f.doc_number or ""), None),
        ("place", d.region.county or "", None),
        ("place", e.publisher or "", None),
        ("number", "95%", None),
        ("number", "８５．５％", None),
        ("AND", "法律顾问 合法性审查", None),
        ("AND", "法治建设 社会矛盾 民法典", None),
        ("OR", "信访 OR 人民调解", None),
        ("OR", "(乡镇 OR 街道) 备案", None),
        ("NOT", "政务服务 -承诺制", None),
        ("NOT", "执法队伍 NOT 普法责任制", None),
        ("field", "title:工作要点", None),
        ("field", "title:实施方案 行政执法人员", None),
        ("field", "publisher:生态环境局 执法检查", None),
        ("field", f"region:{g.region.province} 示范创建", None),
        ("field", "type:通知 审查", None),
        ("year", "year:2022 依法决策", None),
        ("year", "year:2015..2017 行政应诉", None),
        ("year", "date:2022-07-01..2022-12-31 专项检查", None),
        ("同句", "同句(矛盾纠纷 化解)", None),
        ("同句", "同句(审结 依法受理)", None),
        ("同段", "同段(行政争议 负责人出庭)", None),
        ("同段", "同段(执法监督 公共法律服务 司法所)", None),
        ("all", "", {"doc_type": ["方案"]}),
    ]


_OPERATORS = {"OR", "AND", "NOT", "同句", "同段", "sent", "para", "|"}


def query_strings(query: str) -> list[str]:
    """The strings of a query, roughly as the query language reads them: split on spaces and
    parentheses, operators dropped, leading ``-`` and quotes stripped, a ``field:`` prefix cut
    off, normalised as the engine compares text (so ``９０％`` and ``90%`` are one string)."""
    from indexer.analysis import normalize

    out = []
    for token in re.split(r"[\s()（）]+", query):
        if not token or token in _OPERATORS:
            continue
        token = token.lstrip("-")
        head, sep, tail = token.partition(":")
        if sep and head and re.fullmatch(r"[A-Za-z]+|文号", head):
            token = tail
        token = normalize(token.strip('"“”'))
        if token:
            out.append(token)
    return out


def check_fresh(set_a: list[str], set_b: list[str], probe: str = PROBE) -> None:
    """Raise AssertionError unless set B shares no string with set A or the open's probe, and
    repeats none of its own: otherwise its "queries not seen before" would hit engine caches."""
    a = {s for q in set_a for s in query_strings(q)} | set(query_strings(probe))
    b = [s for q in set_b for s in query_strings(q)]
    shared = sorted(a & set(b))
    repeated = sorted({s for s in b if b.count(s) > 1})
    if shared or repeated:
        raise AssertionError(f"set B is not fresh: shared with set A/probe {shared}, repeated within set B {repeated}")


def phrase_set(sample: list[Document]) -> list[str]:
    """Phrases for the recall/precision check: common, cross-word, rare, numeric, absent."""
    fixed = [
        "法治政府", "出庭应诉", "依法行政", "人民共和国", "政府建设", "建设法治政府", "首长出庭", "应诉率",
        "法治政府建设", "行政执法", "综合行政执法", "治政", "府建", "政执", "90%", "９０％", "100%",
        "行政复议", "规范性文件", "双随机", "谁执法谁普法", "放管服", "重大行政决策", "权力清单",
        "行政机关负责人出庭应诉", "依法治区", "法律顾问", "政府信息公开", "〔2019〕", "出庭应诉率90%",
        "法治政府建设示范创建", "深圳市法治", "复议应诉", "不存在的短语甲乙丙",
    ]
    corpus_specific = []
    for doc in sample[:12]:
        corpus_specific += [doc.doc_number or "", doc.region.county or ""]
        body = doc.body.replace("\n", "")
        for start in (137, 1021, 2203):  # fixed offsets: deterministic substrings of real text
            corpus_specific.append(body[start : start + 3 + start % 5])
    return list(dict.fromkeys(p for p in fixed + corpus_specific if p and p.strip()))


# ----------------------------------------------------------------------------- engines


def iter_corpus(path: Path) -> Iterator[Document]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            yield Document.from_json(line)


def naive_schema() -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jieba 0.42 emits SyntaxWarnings/pkg_resources warnings
        import jieba
        from jieba.analyse import ChineseAnalyzer
    from whoosh import fields

    jieba.setLogLevel(60)
    analyzer = ChineseAnalyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        title=fields.TEXT(analyzer=analyzer),
        content=fields.TEXT(analyzer=analyzer),
    )


def index_engine(engine: str, corpus: Path, index_dir: Path, workers: int) -> dict[str, Any]:
    """Index the corpus (child process); the timing includes reading the corpus file."""
    started = time.perf_counter()
    docs = 0
    if engine == "govsearch":
        from indexer.whoosh_backend import WhooshBackend

        backend = WhooshBackend(index_dir, workers=workers)
        report = backend.add(iter_corpus(corpus))
        backend.close()
        docs = report.added + report.updated
        failed = len(report.failed)
    else:
        from whoosh import index as windex

        schema = naive_schema()
        index_dir.mkdir(parents=True, exist_ok=True)
        ix = windex.create_in(str(index_dir), schema)
        writer = ix.writer()
        for doc in iter_corpus(corpus):
            writer.add_document(id=doc.id, title=doc.title, content=doc.body)
            docs += 1
        writer.commit()
        failed = 0
    import resource

    return {
        "seconds": time.perf_counter() - started,
        "docs": docs,
        "failed": failed,
        "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def query_engine(engine: str, index_dir: Path, queries: list[str | None], phrases: list[str]) -> dict[str, Any]:
    """Open the index, time the query set, and return every phrase's full match set."""
    started = time.perf_counter()
    mismatches: list[str] = []
    if engine == "govsearch":
        import numpy as np

        from indexer.api import QueryError, SearchRequest
        from indexer.evaluate import evaluate
        from indexer.query import parse_query
        from indexer.whoosh_backend import WhooshBackend

        backend = WhooshBackend(index_dir, readonly=True)
        backend.search(SearchRequest(query="法治", limit=1, facets=False))  # opens the index

        def run(q: str) -> int:
            return backend.search(SearchRequest(query=q, limit=10, facets=True)).total

        def matches(phrase: str) -> set[str]:
            # The match set straight from the evaluator search() uses: materialising 20,000
            # hits per phrase through search() would take most of the run. search().total
            # is checked against it, so the public path is covered too.
            quoted = '"' + phrase.replace('"', "") + '"'
            try:
                node = parse_query(quoted)
                total = backend.search(SearchRequest(query=quoted, limit=0, facets=False, collapse=False, passages=0)).total
            except QueryError:
                return set()
            with backend._lock:
                view = backend._current_view()
                mask = evaluate(view, node, view.live.copy())
                found = {view.ids[i] for i in np.flatnonzero(mask).tolist()}
            if total != len(found):
                mismatches.append(phrase)
            return found
    else:
        from whoosh import index as windex
        from whoosh.qparser import QueryParser

        naive_schema()  # loads jieba
        ix = windex.open_dir(str(index_dir))
        searcher = ix.searcher()
        parser = QueryParser("content", ix.schema)
        searcher.search(parser.parse("法治"), limit=1)

        def run(q: str) -> int:
            results = searcher.search(parser.parse(q), limit=10)
            return len([hit["id"] for hit in results])

        def matches(phrase: str) -> set[str]:
            query = parser.parse('"' + phrase.replace('"', "") + '"')
            return {hit["id"] for hit in searcher.search(query, limit=None)}

    open_ms = (time.perf_counter() - started) * 1000
    timings: list[list[float | None]] = []
    totals: list[int | None] = []
    for p in range(1 + WARM_PASSES):
        row: list[float | None] = []
        for q in queries:
            if q is None:
                row.append(None)
                if p == 0:
                    totals.append(None)
                continue
            t0 = time.perf_counter()
            total = run(q)
            row.append((time.perf_counter() - t0) * 1000)
            if p == 0:
                totals.append(total)
        timings.append(row)
    found = {phrase: sorted(matches(phrase)) for phrase in phrases}
    return {"open_ms": open_ms, "timings": timings, "totals": totals, "found": found, "total_mismatches": mismatches}


# ----------------------------------------------------------------------------- the parent


def _tree_pss_mb(pid: int) -> float:
    import psutil

    try:
        root = psutil.Process(pid)
        procs = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0.0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_full_info().pss
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    return total / 2**20


def run_child(args: list[str], sample_memory: bool = False) -> tuple[dict[str, Any], float]:
    """Run this script as a child with ``args``; returns its JSON result and sampled peak PSS."""
    with tempfile.NamedTemporaryFile("r", suffix=".json", delete=False) as out:
        out_path = Path(out.name)
    cmd = [sys.executable, __file__, *args, "--result", str(out_path)]
    proc = subprocess.Popen(cmd)
    peak = 0.0
    if sample_memory:
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.is_set():
                peak = max(peak, _tree_pss_mb(proc.pid))
                stop.wait(0.5)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        rc = proc.wait()
        stop.set()
        sampler.join()
    else:
        rc = proc.wait()
    if rc != 0:
        raise SystemExit(f"子进程失败（退出码 {rc}）：{' '.join(cmd)}")
    result = json.loads(out_path.read_text(encoding="utf-8"))
    out_path.unlink()
    return result, peak


def brute_force(corpus: Path, phrases: list[str]) -> dict[str, set[str]]:
    from indexer.analysis import normalize

    wanted = {p: normalize(p) for p in phrases}
    truth: dict[str, set[str]] = {p: set() for p in phrases}
    for doc in iter_corpus(corpus):
        title, body = normalize(doc.title), normalize("\n".join(doc.paragraphs))
        for p, n in wanted.items():
            if n and (n in title or n in body):
                truth[p].add(doc.id)
    return truth


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def machine() -> str:
    cpu = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from importlib.metadata import version

    versions = [f"Python {platform.python_version()}"]
    for name in ("Whoosh-Reloaded", "rjieba", "jieba"):
        try:
            versions.append(f"{name} {version(name)}")
        except Exception:
            pass
    return f"{os.cpu_count()} CPUs (`nproc`), {cpu}; {', '.join(versions)}; {platform.system()} {platform.release()}"


def fmt(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:  # None or NaN
        return "—"
    return f"{value:,.{digits}f}"


def build_report(ctx: dict[str, Any]) -> str:
    res = ctx["results"]
    info = ctx["corpus"]
    g, n = res["govsearch"], res["naive"]
    lines = [
        f"Corpus: {info['documents']:,} generated reports (`benchmarks/corpus.py`, seed {ctx['seed']}), "
        f"{info['chars'] / 1e6:.1f} M characters, {info['text_bytes'] / 1e6:.1f} MB UTF-8 "
        f"(average {info['chars'] / info['documents']:,.0f} characters per document).",
        "",
        f"Machine: {ctx['machine']}. Code: govsearch {ctx.get('version', 'unknown')}.",
        "",
        f"Command: `{ctx['command']}` ({ctx['date']}; whole run {ctx['wall_s'] / 60:.1f} min).",
        "",
    ]
    if ctx.get("load"):
        start, end = ctx["load"]
        lines += [
            f"Load average (1/5/15 min) at start {' / '.join(f'{x:.1f}' for x in start)}, at end "
            f"{' / '.join(f'{x:.1f}' for x in end)}: above 2 means other work shared the 2 cores and the timings are inflated.",
            "",
        ]
    if ctx.get("note"):  # added by hand when a run is re-rendered from its --json file
        lines += [ctx["note"], ""]
    lines += [
        "| measure | govsearch | naive Whoosh + jieba ChineseAnalyzer |",
        "|---|---|---|",
    ]

    def row(label: str, key: str, digits: int = 1) -> None:
        lines.append(f"| {label} | {fmt(g[key], digits)} | {fmt(n[key], digits)} |")

    def triple(r: dict[str, Any], key: str) -> str:
        return f"{fmt(r[key + '_p50'])} / {fmt(r[key + '_p95'])} / {fmt(r[key + '_max'])}"

    row("indexing time (s)", "index_s")
    row("indexing docs/s", "docs_per_s")
    row("indexing MB/s (UTF-8 text)", "mb_per_s", 2)
    row("index size on disk (MB)", "index_mb")
    row("peak RSS of the indexing process (MB)", "maxrss_mb", 0)
    row("peak PSS of the indexing process tree, sampled (MB)", "tree_pss_mb", 0)
    row("open index + first query (ms)", "open_ms", 0)
    lines.append(f"| query p50 / p95 / max, pass 1 (cold) (ms) | {triple(g, 'cold')} | {triple(n, 'cold')} |")
    lines.append(f"| query p50 / p95 / max, all {1 + WARM_PASSES} passes (ms) | {triple(g, 'all')} | {triple(n, 'all')} |")
    lines.append(f"| same, pass 1, only the {n['n_queries']} queries both engines run (ms) | {triple(g, 'common')} | {triple(n, 'cold')} |")
    lines.append(f"| queries run | {g['n_queries']} (with facet counts + passages) | {n['n_queries']} (top 10, no facets) |")
    lines.append(f"| phrase recall vs brute force | {g['recall']:.4f} | {n['recall']:.4f} |")
    lines.append(f"| phrase precision vs brute force | {g['precision']:.4f} | {n['precision']:.4f} |")
    lines.append(f"| phrases with an exact result set (of {len(ctx['phrases'])}) | {g['exact_phrases']} | {n['exact_phrases']} |")
    speedup = g["docs_per_s"] / n["docs_per_s"]
    lines += [
        "",
        f"Indexing speed ratio govsearch / naive: **{speedup:.2f}×** (target ≥ 2×). "
        f"govsearch query p95, pass 1, with facets: **{g['cold_p95']:.1f} ms** (target ≤ 50 ms at 20,000 documents).",
    ]
    if g.get("total_mismatches"):
        lines += ["", f"search().total differed from the evaluated match set for: {', '.join(g['total_mismatches'])}."]
    lines += [
        "",
        "<details><summary>Per-query latency (pass 1, ms) and match counts</summary>",
        "",
        "| kind | govsearch query | govsearch ms | matches | naive query | naive ms | naive top-10 hits |",
        "|---|---|---|---|---|---|---|",
    ]
    g_t, n_t = g["timings"][0], n["timings"][0]
    for i, (kind, gq, nq) in enumerate(ctx["queries"]):
        n_total = n["totals"][i]
        lines.append(
            f"| {kind} | `{gq or '(empty: all)'}` | {fmt(g_t[i])} | {g['totals'][i]} | "
            f"{'`' + nq + '`' if nq else '—'} | {fmt(n_t[i])} | {'—' if n_total is None else n_total} |"
        )
    lines += [
        "",
        "</details>",
        "",
        "<details><summary>Phrase set: documents containing the phrase (brute force) and documents each engine returns</summary>",
        "",
        "| phrase | brute force | govsearch | naive |",
        "|---|---|---|---|",
    ]
    for p in ctx["phrases"]:
        lines.append(f"| `{p}` | {ctx['truth_counts'][p]} | {g['phrase_found'][p]} | {n['phrase_found'][p]} |")
    lines += ["", "</details>"]
    return "\n".join(lines)


RUN_BEGIN, RUN_END = "<!-- search:run {docs} -->", "<!-- search:run-end {docs} -->"
SECTION_INTRO = """## Search: govsearch versus the naive Whoosh + jieba index

Written by `benchmarks/search_bench.py` (see `benchmarks/README.md` for what is measured and
how). One block per corpus size; a new run replaces the block of its own size."""


def write_section(report: str, docs: int, path: Path = DOCS_MD) -> None:
    """Put this run's block into the search section, keeping blocks of other corpus sizes.

    Only the text between the search markers is rewritten: another engineer's section
    shares the file, so it is re-read right before writing.
    """
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    head, section, tail = text, "", ""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        section, tail = rest.split(END, 1)
    else:
        head = text.rstrip("\n") + "\n\n"
        tail = "\n"
    blocks: dict[int, str] = {}
    pos = 0
    while (start := section.find("<!-- search:run ", pos)) != -1:
        n = int(section[start + len("<!-- search:run ") :].split(" ", 1)[0])
        end_marker = RUN_END.format(docs=n)
        end = section.find(end_marker, start)
        if end == -1:
            break
        blocks[n] = section[start : end + len(end_marker)]
        pos = end + len(end_marker)
    blocks[docs] = f"{RUN_BEGIN.format(docs=docs)}\n### {docs:,} documents\n\n{report}\n{RUN_END.format(docs=docs)}"
    body = "\n\n".join([SECTION_INTRO, *(blocks[n] for n in sorted(blocks))])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{head}{BEGIN}\n{body}\n{END}{tail}", encoding="utf-8")


def code_version() -> str:
    """The indexer commit the run measured, flagged when the working tree differs from it.

    A snapshot made with ``git archive`` (to keep a long run away from ongoing edits) has no
    ``.git``; it carries its commit in a ``.commit`` file instead.
    """
    stamp = ROOT / ".commit"
    if stamp.exists():
        return stamp.read_text(encoding="utf-8").strip() + " (git archive snapshot)"
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "indexer"], capture_output=True, text=True).stdout
    except OSError:
        return "unknown"
    return f"{commit}{' + uncommitted changes in indexer/' if dirty.strip() else ''}"


def summarise(idx: dict[str, Any], tree_pss: float, qres: dict[str, Any], info: dict[str, int],
              index_mb: float, truth: dict[str, set[str]], common: list[int]) -> dict[str, Any]:
    cold = [t for t in qres["timings"][0] if t is not None]
    every = [t for row in qres["timings"] for t in row if t is not None]
    common_cold = [t for i in common if (t := qres["timings"][0][i]) is not None]
    tp = fp = fn = exact = 0
    phrase_found = {}
    for phrase, ids in qres["found"].items():
        found, want = set(ids), truth[phrase]
        tp += len(found & want)
        fp += len(found - want)
        fn += len(want - found)
        exact += found == want
        phrase_found[phrase] = len(found)
    nan = float("nan")
    return {
        "index_s": idx["seconds"],
        "docs_per_s": idx["docs"] / idx["seconds"],
        "mb_per_s": info["text_bytes"] / 1e6 / idx["seconds"],
        "index_mb": index_mb,
        "maxrss_mb": idx["maxrss_mb"],
        "tree_pss_mb": tree_pss,
        "open_ms": qres["open_ms"],
        "cold_p50": _percentile(cold, 0.5),
        "cold_p95": _percentile(cold, 0.95),
        "cold_max": max(cold) if cold else nan,
        "all_p50": _percentile(every, 0.5),
        "all_p95": _percentile(every, 0.95),
        "all_max": max(every) if every else nan,
        "common_p50": _percentile(common_cold, 0.5),
        "common_p95": _percentile(common_cold, 0.95),
        "common_max": max(common_cold) if common_cold else nan,
        "n_queries": len(cold),
        "timings": qres["timings"],
        "totals": qres["totals"],
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "exact_phrases": exact,
        "phrase_found": phrase_found,
        "failed": idx.get("failed", 0),
        "total_mismatches": qres.get("total_mismatches", []),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="搜索基准：govsearch 与朴素 Whoosh + jieba 索引对比")
    parser.add_argument("--docs", type=int, default=2000, help="语料文档数（默认 2000；目标规模 20000）")
    parser.add_argument("--seed", type=int, default=20240501, help="语料随机种子")
    parser.add_argument("--workers", type=int, default=2, help="govsearch 建索引的进程数（默认 2）")
    parser.add_argument("--work-dir", type=Path, help="语料与索引存放目录（默认临时目录，结束后删除）")
    parser.add_argument("--engines", default="govsearch,naive", help="要测的引擎，逗号分隔（只测一个时不写文档）")
    parser.add_argument("--no-write", action="store_true", help="不写入 docs/benchmarks.md")
    parser.add_argument("--json", type=Path, help="另存全部结果为 JSON（每测完一个引擎更新一次）")
    # Internal: child-process modes.
    parser.add_argument("--child", choices=("index", "query"), help=argparse.SUPPRESS)
    parser.add_argument("--engine", choices=ENGINES, help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--index-dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--spec", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child == "index":
        result = index_engine(args.engine, args.corpus, args.index_dir, args.workers)
        args.result.write_text(json.dumps(result), encoding="utf-8")
        return 0
    if args.child == "query":
        spec = json.loads(args.spec.read_text(encoding="utf-8"))
        result = query_engine(args.engine, args.index_dir, spec["queries"], spec["phrases"])
        args.result.write_text(json.dumps(result, ensure_ascii=False), encoding="utf-8")
        return 0

    if args.docs < 20:
        parser.error("--docs 至少为 20")
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if any(e not in ENGINES for e in engines):
        parser.error(f"未知引擎；可用：{', '.join(ENGINES)}")
    wall = time.perf_counter()
    version = code_version()
    load_start = os.getloadavg()
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="govsearch-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    corpus_path = work / f"corpus-{args.docs}-{args.seed}.jsonl"
    print(f"[bench] 生成语料 {args.docs} 篇 → {corpus_path}", flush=True)
    info = corpus_mod.write_jsonl(corpus_path, args.docs, args.seed)
    sample = list(corpus_mod.generate(20, args.seed))
    queries = query_set(sample)
    queries_b = query_set_b(sample)
    if [k for k, _, _ in queries] != [k for k, _, _ in queries_b]:
        raise AssertionError("set B must have one query of the same kind per query of set A")
    check_fresh([gq for _, gq, _ in queries], [q for _, q, _ in queries_b])
    phrases = phrase_set(sample)
    print(f"[bench] 语料 {info['text_bytes'] / 1e6:.1f} MB；查询 {len(queries)} 条；短语 {len(phrases)} 条", flush=True)
    truth = brute_force(corpus_path, phrases)

    results: dict[str, Any] = {}
    common = [i for i, (_, _, nq) in enumerate(queries) if nq is not None]
    try:
        for engine in engines:
            index_dir = work / f"index-{engine}"
            shutil.rmtree(index_dir, ignore_errors=True)
            print(f"[bench] {engine}: 建索引…", flush=True)
            idx, tree_pss = run_child(
                ["--child", "index", "--engine", engine, "--corpus", str(corpus_path), "--index-dir", str(index_dir),
                 "--workers", str(args.workers)],
                sample_memory=True,
            )
            index_mb = dir_size(index_dir) / 1e6
            print(f"[bench] {engine}: {idx['docs']} 篇 {idx['seconds']:.1f} s，索引 {index_mb:.1f} MB；查询…", flush=True)
            spec_path = work / f"spec-{engine}.json"
            engine_queries = [gq if engine == "govsearch" else nq for _, gq, nq in queries]
            spec_path.write_text(json.dumps({"queries": engine_queries, "phrases": phrases}, ensure_ascii=False), encoding="utf-8")
            qres, _ = run_child(["--child", "query", "--engine", engine, "--index-dir", str(index_dir), "--spec", str(spec_path)])
            results[engine] = summarise(idx, tree_pss, qres, info, index_mb, truth, common)
            if args.json:
                args.json.write_text(json.dumps(results, ensure_ascii=False, default=str), encoding="utf-8")
            r = results[engine]
            print(
                f"[bench] {engine}: {r['docs_per_s']:.1f} docs/s，p50 {r['cold_p50']:.1f} ms，p95 {r['cold_p95']:.1f} ms，"
                f"recall {r['recall']:.4f}，precision {r['precision']:.4f}",
                flush=True,
            )
    finally:
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)

    command = "python benchmarks/search_bench.py" + (f" --docs {args.docs}" if args.docs != 2000 else "")
    if args.seed != 20240501:
        command += f" --seed {args.seed}"
    ctx = {
        "results": results,
        "corpus": info,
        "seed": args.seed,
        "machine": machine(),
        "version": version,
        "command": command,
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "wall_s": time.perf_counter() - wall,
        "load": [load_start, os.getloadavg()],
        "queries": queries,
        "phrases": phrases,
        "truth_counts": {p: len(ids) for p, ids in truth.items()},
    }
    if args.json:
        args.json.write_text(json.dumps(ctx, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    if len(results) == len(ENGINES):
        report = build_report(ctx)
        print(report)
        if not args.no_write:
            write_section(report, args.docs)
            print(f"[bench] 已写入 {DOCS_MD}（{BEGIN} … {END}）", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
