"""govsearch versus the naive Whoosh + jieba ChineseAnalyzer index, on one generated corpus.

Why this shape:

* Both engines index the *same* corpus file (``benchmarks/corpus.py``, seeded), so the
  comparison is about the engines, not the data.
* Each engine indexes in its own child process, so its peak RSS is its own (the parent
  holds no index and no segmenter). govsearch's peak is its process tree (it forks
  ``workers`` preparation processes): we report the indexing process's exact peak RSS
  (``getrusage``) and the sampled peak PSS of the whole tree (PSS shares copy-on-write pages
  fairly between forked processes, so the sum is not inflated).
* Queries also run in a fresh child per engine, after indexing, as a reader would. govsearch
  follows the protocol of issue #15 (``query_govsearch``; benchmarks/README.md says why):
  page cache dropped, open + one tiny search ("open, cold"); page cache dropped again, set A
  (40 queries) once ("pass 1, cold page cache"); set B (40 other queries of the same kinds,
  sharing no string with set A) once ("warm page cache, queries not seen before"); set A
  again ("repeated queries", the engine's caches answer); the serving process's
  Pss/Pss_Anon/Pss_File; close and open again ("open, warm"). Every govsearch query asks for
  facet counts over all matches and passages for the 10 hits, as the UI does. The naive
  engine runs set A 3 times on the page cache its indexing left (first run, then repeats).
* Correctness: for every phrase of the phrase set, each engine's full match set is compared
  with brute force (``normalize(q) in normalize(title)`` or ``… in normalize(body)``),
  micro-averaged recall and precision, plus the number of phrases with an exact result set.

The naive baseline is what a new user builds from the jieba README: one TEXT field with
``jieba.analyse.ChineseAnalyzer()``, a title TEXT field with the same analyzer, a stored id,
the stock ``QueryParser``, default writer settings, one commit. It has no year/publisher/
region fields and no 同句, so queries using them are not run on it (marked "—").

Run::

    python benchmarks/search_bench.py                 # 2,000 documents (~5 minutes)
    python benchmarks/search_bench.py --docs 100000 --engines govsearch   # issue #15's size (hours: nohup)

Every run without ``--no-write`` replaces its corpus size's block in docs/benchmarks.md and its
row in benchmarks/growth.json.
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
from collections.abc import Callable, Iterator
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
    each is in 20–100 % of the documents, like set A's). The 文号, county, publisher and
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
        ("同段", "同段(执法人员 考评 考试)", None),
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


DROP_CACHES = Path("/proc/sys/vm/drop_caches")


def drop_page_cache() -> str | None:
    """``sync`` and drop the kernel's page cache (``echo 3 > /proc/sys/vm/drop_caches``).

    Returns None when it was dropped, else why not ("not root", …). System-wide: every
    process on the machine reads its files from disk again for a moment. The kernel keeps
    pages that a process has mapped, so an open index's already-touched maps stay resident.
    """
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "not root"
    if not os.access(DROP_CACHES, os.W_OK):
        return f"{DROP_CACHES} is not writable"
    os.sync()
    try:
        DROP_CACHES.write_text("3\n")
    except OSError as exc:
        return f"writing {DROP_CACHES} failed: {exc.strerror or exc}"
    return None


def warm_page_cache(index_dir: Path) -> None:
    """Read every file of the index once, so that pass 2 runs on a warm page cache whatever
    the cold pass happened to read. (The index maps its files page by page; before that, the
    device's 8 MB read-ahead around every page fault had warmed most of the index as a side
    effect of pass 1, which the protocol silently relied on.)"""
    for path in sorted(p for p in Path(index_dir).rglob("*") if p.is_file()):
        with open(path, "rb") as fh:
            while fh.read(8 << 20):
                pass


def serving_memory() -> dict[str, float]:
    """This process's memory from ``/proc/self/smaps_rollup``, in MB (MiB): ``Pss`` (its fair
    share of everything it maps), ``Pss_Anon`` (anonymous memory: heap, arrays — what it costs
    beyond the page cache), ``Pss_File`` (mapped files, i.e. page cache: the index's memory maps)."""
    out: dict[str, float] = {}
    try:
        text = Path("/proc/self/smaps_rollup").read_text()
    except OSError:
        return out
    for line in text.splitlines():
        key, _, rest = line.partition(":")
        if key in ("Rss", "Pss", "Pss_Anon", "Pss_File", "Pss_Shmem") and rest.split():
            out[key] = int(rest.split()[0]) / 1024
    return out


def _timed(run: Callable[[Any], int], items: list[Any]) -> tuple[list[float | None], list[int | None]]:
    """Run each query once; (milliseconds, result count) per query, None for a query not run."""
    times: list[float | None] = []
    totals: list[int | None] = []
    for item in items:
        if item is None:
            times.append(None)
            totals.append(None)
            continue
        t0 = time.perf_counter()
        total = run(item)
        times.append((time.perf_counter() - t0) * 1000)
        totals.append(total)
    return times, totals


def query_govsearch(index_dir: Path, set_a: list[str], set_b: list[list[Any]], phrases: list[str]) -> dict[str, Any]:
    """The query protocol of issue #15, in this one process (see benchmarks/README.md):

    1. drop the page cache, open the index + one tiny search: "open (cold)";
    2. drop the page cache again, run set A once: the cold pass;
    3. read every index file once (the page cache is warm, as a serving machine's is), then
       run set B once: warm page cache, queries not seen before;
    4. run set A again: repeated queries, the engine's caches answer;
    5. read this process's memory (the backend that answered everything still open);
    6. close, open again on the warm page cache: "open (warm)";
    7. the phrase exactness check.
    """
    import numpy as np

    from indexer.api import QueryError, SearchRequest
    from indexer.evaluate import evaluate
    from indexer.query import parse_query
    from indexer.whoosh_backend import WhooshBackend

    def open_backend() -> tuple[Any, float]:
        t0 = time.perf_counter()
        opened = WhooshBackend(index_dir, readonly=True)
        opened.search(SearchRequest(query=PROBE, limit=1, facets=False))  # opens the index
        return opened, (time.perf_counter() - t0) * 1000

    not_dropped = drop_page_cache()
    backend, open_cold_ms = open_backend()
    if not_dropped is None:
        not_dropped = drop_page_cache()

    def run(item: str | list[Any]) -> int:
        query, filters = (item, None) if isinstance(item, str) else item
        request = SearchRequest(query=query, filters={k: tuple(v) for k, v in (filters or {}).items()}, limit=10, facets=True)
        return backend.search(request).total

    cold, totals_a = _timed(run, list(set_a))
    warm_page_cache(index_dir)
    fresh, totals_b = _timed(run, list(set_b))
    cached, _ = _timed(run, list(set_a))
    memory = serving_memory()
    backend.close()
    del backend
    backend, open_warm_ms = open_backend()

    mismatches: list[str] = []

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

    found = {phrase: sorted(matches(phrase)) for phrase in phrases}
    return {
        "page_cache": "dropped" if not_dropped is None else f"not dropped: {not_dropped}",
        "open_cold_ms": open_cold_ms,
        "open_warm_ms": open_warm_ms,
        "cold": cold,
        "fresh": fresh,
        "cached": cached,
        "totals": totals_a,
        "totals_b": totals_b,
        "memory": memory,
        "found": found,
        "total_mismatches": mismatches,
    }


def query_naive(index_dir: Path, queries: list[str | None], phrases: list[str]) -> dict[str, Any]:
    """Open the naive index (page cache as the indexing left it), run set A 1 + WARM_PASSES
    times (the same queries each pass), and return every phrase's full match set."""
    started = time.perf_counter()
    from whoosh import index as windex
    from whoosh.qparser import QueryParser

    naive_schema()  # loads jieba
    ix = windex.open_dir(str(index_dir))
    searcher = ix.searcher()
    parser = QueryParser("content", ix.schema)
    searcher.search(parser.parse("法治"), limit=1)
    open_ms = (time.perf_counter() - started) * 1000

    def run(q: str) -> int:
        results = searcher.search(parser.parse(q), limit=10)
        return len([hit["id"] for hit in results])

    def matches(phrase: str) -> set[str]:
        query = parser.parse('"' + phrase.replace('"', "") + '"')
        return {hit["id"] for hit in searcher.search(query, limit=None)}

    timings: list[list[float | None]] = []
    totals: list[int | None] = []
    for p in range(1 + WARM_PASSES):
        row, counted = _timed(run, queries)
        timings.append(row)
        if p == 0:
            totals = counted
    memory = serving_memory()
    found = {phrase: sorted(matches(phrase)) for phrase in phrases}
    return {"open_ms": open_ms, "timings": timings, "totals": totals, "memory": memory, "found": found}


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


#: Issue #15's targets (for 100,000 and 200,000 documents): label, summary key, limit, unit,
#: True when the figure must stay at or below the limit (False: at or above).
TARGETS: tuple[tuple[str, str, float, str, bool], ...] = (
    ("query p95, pass 1, cold page cache", "cold_p95", 200, "ms", True),
    ("query p95, warm page cache, queries not seen before", "fresh_p95", 60, "ms", True),
    ("open index + first query, cold page cache", "open_cold_ms", 300, "ms", True),
    ("open index + first query, warm page cache", "open_warm_ms", 300, "ms", True),
    ("index size / UTF-8 text size", "index_ratio", 2, "×", True),
    ("indexing rate", "docs_per_s", 150, "docs/s", False),
    ("serving process Pss_Anon (beyond the page cache)", "pss_anon_mb", 300, "MB", True),
)
_NEEDS_DROP = {"cold_p95", "open_cold_ms"}


def targets(g: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) per target of issue #15, for the govsearch summary ``g``."""
    rows = []
    for label, key, limit, unit, at_most in TARGETS:
        value = g.get(key, float("nan"))
        sign = "≤" if at_most else "≥"
        shown = f"{fmt(value, 2 if unit == '×' else 1)} {unit}"
        if value != value:
            verdict = "not measured"
        elif key in _NEEDS_DROP and g.get("page_cache") != "dropped":
            verdict = f"not measured (page cache {g.get('page_cache')})"
        else:
            verdict = "met" if (value <= limit if at_most else value >= limit) else "**not met**"
        rows.append((f"{label} {sign} {limit:g} {unit}", shown, verdict))
    return rows


def _query_cell(query: str | None, filters: dict[str, list[str]] | None = None) -> str:
    if query is None:
        return "—"
    cell = f"`{query or '(empty: all)'}`"
    if filters:
        cell += " + filter " + ", ".join(f"{k}={'|'.join(v)}" for k, v in filters.items())
    return cell


def build_report(ctx: dict[str, Any]) -> str:
    """The Markdown block of one run. Needs govsearch; the naive columns read "—" without it."""
    res = ctx["results"]
    info = ctx["corpus"]
    g, n = res["govsearch"], res.get("naive", {})
    nan = float("nan")
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
    if g.get("page_cache") == "dropped":
        lines += ["Page cache: dropped (`sync; echo 3 > /proc/sys/vm/drop_caches`) before govsearch's open and again "
                  "before its cold pass, then warmed (every index file read once) before pass 2; the naive engine's "
                  "queries ran on the page cache its indexing left.", ""]
    else:
        lines += [f"**Page cache {g.get('page_cache', 'not dropped')}**: govsearch's \"cold\" figures below were measured "
                  "on whatever the page cache held, so they are not cold figures.", ""]
    if ctx.get("note"):  # added by hand when a run is re-rendered from its --json file
        lines += [ctx["note"], ""]
    lines += [
        "| measure | govsearch | naive Whoosh + jieba ChineseAnalyzer |",
        "|---|---|---|",
    ]

    def row(label: str, key: str, digits: int = 1) -> None:
        lines.append(f"| {label} | {fmt(g.get(key, nan), digits)} | {fmt(n.get(key, nan), digits)} |")

    def triple(r: dict[str, Any], key: str) -> str:
        if key + "_p50" not in r:
            return "—"
        return f"{fmt(r[key + '_p50'])} / {fmt(r[key + '_p95'])} / {fmt(r[key + '_max'])}"

    def memory(r: dict[str, Any]) -> str:
        if not r:
            return "—"
        return f"{fmt(r['pss_mb'], 0)} / **{fmt(r['pss_anon_mb'], 0)}** / {fmt(r['pss_file_mb'], 0)}"

    nq = n.get("n_queries")
    row("indexing time (s)", "index_s")
    row("indexing docs/s", "docs_per_s")
    row("indexing MB/s (UTF-8 text)", "mb_per_s", 2)
    row("index size on disk (MB)", "index_mb")
    row("index / text (index size ÷ UTF-8 text size)", "index_ratio", 2)
    row("peak RSS of the indexing process (MB)", "maxrss_mb", 0)
    row("peak PSS of the indexing process tree, sampled (MB)", "tree_pss_mb", 0)
    lines += [
        f"| open index + first query, page cache dropped (ms) | {fmt(g['open_cold_ms'], 0)} | — |",
        f"| open index + first query, warm page cache (ms) | {fmt(g['open_warm_ms'], 0)} (second open in the same process) | "
        f"{fmt(n.get('open_ms', nan), 0)}{' (fresh process, includes loading jieba)' if n else ''} |",
        f"| query p50 / p95 / max, pass 1: set A once, cold page cache (ms) | {triple(g, 'cold')} | — |",
        f"| query p50 / p95 / max, pass 2: set B once, warm page cache, queries not seen before (ms) | {triple(g, 'fresh')} | — |",
        f"| query p50 / p95 / max, pass 3: set A again, repeated queries (engine caches hit) (ms) | {triple(g, 'cached')} | "
        f"{triple(n, 'repeat')}{f' (set A, passes 2–{1 + WARM_PASSES})' if n else ''} |",
        f"| query p50 / p95 / max, set A first run, page cache not dropped (ms) | — | {triple(n, 'first')} |",
        f"| first run of set A, only the {g['n_common']} queries both engines run (ms; govsearch cold, naive not) | "
        f"{triple(g, 'common')} | {triple(n, 'first')} |",
        f"| serving process after the passes: Pss / Pss_Anon / Pss_File (MB) | {memory(g)} | {memory(n)} |",
        f"| queries per pass | {g['n_queries']} (set A), {g['n_queries_b']} (set B), with facet counts + passages | "
        f"{f'{nq} (set A, top 10, no facets)' if n else '—'} |",
        f"| phrase recall vs brute force | {g['recall']:.4f} | {fmt(n.get('recall', nan), 4)} |",
        f"| phrase precision vs brute force | {g['precision']:.4f} | {fmt(n.get('precision', nan), 4)} |",
        f"| phrases with an exact result set (of {len(ctx['phrases'])}) | {g['exact_phrases']} | {n.get('exact_phrases', '—')} |",
        "",
        "Targets (issue #15, for 100,000 and 200,000 documents):",
        "",
        "| target | govsearch | |",
        "|---|---|---|",
        *(f"| {label} | {value} | {verdict} |" for label, value, verdict in targets(g)),
    ]
    if n:
        lines += ["", f"Indexing speed ratio govsearch / naive: **{g['docs_per_s'] / n['docs_per_s']:.2f}×** (issue 2 target ≥ 2×)."]
    if g.get("total_mismatches"):
        lines += ["", f"search().total differed from the evaluated match set for: {', '.join(g['total_mismatches'])}."]
    lines += [
        "",
        "<details><summary>Per-query latency (ms) and match counts: set A cold and repeated, set B warm and not seen before</summary>",
        "",
        "| kind | set A query | cold ms | repeated ms | matches | set B query | warm, unseen ms | matches "
        "| naive query | naive ms, first run | naive top-10 hits |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    times = g["times"]
    n_first = n["timings"][0] if n else None
    for i, ((kind, gq, nq), (_, bq, bf)) in enumerate(zip(ctx["queries"], ctx["queries_b"], strict=True)):
        n_total = n["totals"][i] if n else None
        lines.append(
            f"| {kind} | {_query_cell(gq)} | {fmt(times['cold'][i])} | {fmt(times['cached'][i])} | {g['totals'][i]} | "
            f"{_query_cell(bq, bf)} | {fmt(times['fresh'][i])} | {g['totals_b'][i]} | "
            f"{_query_cell(nq) if n else '—'} | {fmt(n_first[i]) if n_first else '—'} | {'—' if n_total is None else n_total} |"
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
        lines.append(f"| `{p}` | {ctx['truth_counts'][p]} | {g['phrase_found'][p]} | {n['phrase_found'][p] if n else '—'} |")
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


GROWTH_JSON = ROOT / "benchmarks" / "growth.json"
GROWTH_ABOUT = (
    "One row per corpus size, upserted by every benchmarks/search_bench.py run that measured govsearch "
    "(without --no-write): govsearch's size, speed, open time, cold and warm-fresh query latency and serving "
    "memory, to fit growth curves across sizes (docs/scaling.md). See benchmarks/README.md for the protocol."
)


def growth_row(ctx: dict[str, Any]) -> dict[str, Any]:
    """govsearch's figures of this run, as one row of ``benchmarks/growth.json``."""
    g, info = ctx["results"]["govsearch"], ctx["corpus"]

    def r(value: float, digits: int = 1) -> float | None:
        return None if value != value else round(value, digits)

    return {
        "docs": info["documents"],
        "seed": ctx["seed"],
        "text_mb": r(info["text_bytes"] / 1e6),
        "index_mb": r(g["index_mb"]),
        "index_ratio": r(g["index_ratio"], 3),
        "docs_per_s": r(g["docs_per_s"]),
        "open_cold_ms": r(g["open_cold_ms"]),
        "open_warm_ms": r(g["open_warm_ms"]),
        "cold_p50_ms": r(g["cold_p50"]),
        "cold_p95_ms": r(g["cold_p95"]),
        "warm_p50_ms": r(g["fresh_p50"]),
        "warm_p95_ms": r(g["fresh_p95"]),
        "cached_p95_ms": r(g["cached_p95"]),
        "pss_anon_mb": r(g["pss_anon_mb"]),
        "page_cache": g["page_cache"],
        "load_start": [round(x, 2) for x in ctx["load"][0]],
        "commit": ctx["version"],
        "date": ctx["date"],
    }


def write_growth(row: dict[str, Any], path: Path = GROWTH_JSON) -> None:
    """Upsert ``row`` into the growth record: the row of its corpus size (and seed) is replaced."""
    rows: list[dict[str, Any]] = []
    if path.exists():
        rows = json.loads(path.read_text(encoding="utf-8")).get("rows", [])
    rows = [x for x in rows if (x.get("docs"), x.get("seed")) != (row["docs"], row["seed"])] + [row]
    rows.sort(key=lambda x: (x["docs"], x["seed"]))
    path.write_text(json.dumps({"about": GROWTH_ABOUT, "rows": rows}, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def code_version() -> str:
    """The indexer commit the run measured, flagged when the working tree differs from it.

    A snapshot made with ``git archive`` (to keep a long run away from ongoing edits) has no
    ``.git``; it carries its commit in a ``.commit`` file instead.
    """
    stamp = ROOT / ".commit"
    if stamp.exists():
        return stamp.read_text(encoding="utf-8").strip() + " (git archive snapshot)"
    try:
        commit = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h", "--", "indexer"],
                                capture_output=True, text=True).stdout.strip()  # not HEAD: a docs commit changes no engine
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "indexer"], capture_output=True, text=True).stdout
    except OSError:
        return "unknown"
    return f"{commit}{' + uncommitted changes in indexer/' if dirty.strip() else ''}"


def _stats(out: dict[str, Any], prefix: str, values: list[float | None]) -> None:
    kept = [v for v in values if v is not None]
    out[prefix + "_p50"] = _percentile(kept, 0.5)
    out[prefix + "_p95"] = _percentile(kept, 0.95)
    out[prefix + "_max"] = max(kept) if kept else float("nan")


def summarise(engine: str, idx: dict[str, Any], tree_pss: float, qres: dict[str, Any], info: dict[str, int],
              index_mb: float, truth: dict[str, set[str]], common: list[int]) -> dict[str, Any]:
    tp = fp = fn = exact = 0
    phrase_found = {}
    for phrase, ids in qres["found"].items():
        found, want = set(ids), truth[phrase]
        tp += len(found & want)
        fp += len(found - want)
        fn += len(want - found)
        exact += found == want
        phrase_found[phrase] = len(found)
    memory = qres.get("memory", {})
    nan = float("nan")
    out: dict[str, Any] = {
        "index_s": idx["seconds"],
        "docs_per_s": idx["docs"] / idx["seconds"],
        "mb_per_s": info["text_bytes"] / 1e6 / idx["seconds"],
        "index_mb": index_mb,
        "text_mb": info["text_bytes"] / 1e6,
        "index_ratio": index_mb / (info["text_bytes"] / 1e6),
        "maxrss_mb": idx["maxrss_mb"],
        "tree_pss_mb": tree_pss,
        "pss_mb": memory.get("Pss", nan),
        "pss_anon_mb": memory.get("Pss_Anon", nan),
        "pss_file_mb": memory.get("Pss_File", nan),
        "totals": qres["totals"],
        "recall": tp / (tp + fn) if tp + fn else 1.0,
        "precision": tp / (tp + fp) if tp + fp else 1.0,
        "exact_phrases": exact,
        "phrase_found": phrase_found,
        "failed": idx.get("failed", 0),
        "total_mismatches": qres.get("total_mismatches", []),
    }
    if engine == "govsearch":
        out.update(
            page_cache=qres["page_cache"],
            open_cold_ms=qres["open_cold_ms"],
            open_warm_ms=qres["open_warm_ms"],
            times={"cold": qres["cold"], "fresh": qres["fresh"], "cached": qres["cached"]},
            totals_b=qres["totals_b"],
            n_queries=sum(t is not None for t in qres["cold"]),
            n_queries_b=sum(t is not None for t in qres["fresh"]),
        )
        _stats(out, "cold", qres["cold"])
        _stats(out, "fresh", qres["fresh"])
        _stats(out, "cached", qres["cached"])
        _stats(out, "common", [qres["cold"][i] for i in common])
        out["n_common"] = len(common)
    else:
        timings = qres["timings"]
        out.update(open_ms=qres["open_ms"], timings=timings, n_queries=sum(t is not None for t in timings[0]))
        _stats(out, "first", timings[0])
        _stats(out, "repeat", [t for row in timings[1:] for t in row])
    return out


def summary_lines(engine: str, r: dict[str, Any]) -> list[str]:
    """The run log's summary of one engine (the report printed at the end has everything)."""

    def t(key: str) -> str:
        return f"p50 {fmt(r[key + '_p50'])} / p95 {fmt(r[key + '_p95'])} / max {fmt(r[key + '_max'])} ms"

    lines = [
        f"index {r['index_mb']:.1f} MB = {r['index_ratio']:.2f} × text ({r['text_mb']:.1f} MB)，{r['docs_per_s']:.1f} docs/s",
    ]
    if engine == "govsearch":
        if r["page_cache"] != "dropped":
            lines.append(f"page cache {r['page_cache']}（“冷”数据其实不冷）")
        lines += [
            f"open cold {fmt(r['open_cold_ms'], 0)} ms，open warm {fmt(r['open_warm_ms'], 0)} ms",
            f"pass 1, cold page cache (set A): {t('cold')}",
            f"pass 2, warm page cache, queries not seen before (set B): {t('fresh')}",
            f"pass 3, repeated queries, engine caches hit (set A): {t('cached')}",
        ]
    else:
        lines += [
            f"open {fmt(r['open_ms'], 0)} ms (page cache warm from indexing)",
            f"set A first run (page cache not dropped): {t('first')}",
            f"set A repeated (passes 2–{1 + WARM_PASSES}): {t('repeat')}",
        ]
    lines += [
        f"serving Pss {fmt(r['pss_mb'], 0)} MB，Pss_Anon {fmt(r['pss_anon_mb'], 0)} MB，Pss_File {fmt(r['pss_file_mb'], 0)} MB",
        f"recall {r['recall']:.4f}，precision {r['precision']:.4f}",
    ]
    if engine == "govsearch":
        lines += [f"target {label}: {value} — {verdict}" for label, value, verdict in targets(r)]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="搜索基准：govsearch 与朴素 Whoosh + jieba 索引对比")
    parser.add_argument("--docs", type=int, default=2000, help="语料文档数（默认 2000；目标规模 20000）")
    parser.add_argument("--seed", type=int, default=20240501, help="语料随机种子")
    parser.add_argument("--workers", type=int, default=2, help="govsearch 建索引的进程数（默认 2）")
    parser.add_argument("--work-dir", type=Path, help="语料与索引存放目录（默认临时目录，结束后删除）")
    parser.add_argument("--engines", default="govsearch,naive",
                        help="要测的引擎，逗号分隔（只测 govsearch 时照样写文档，naive 列为“—”；只测 naive 时不写）")
    parser.add_argument("--no-write", action="store_true", help="不写入 docs/benchmarks.md 和 benchmarks/growth.json")
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
        if args.engine == "govsearch":
            result = query_govsearch(args.index_dir, spec["queries"], spec["queries_b"], spec["phrases"])
        else:
            result = query_naive(args.index_dir, spec["queries"], spec["phrases"])
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
            spec = {"queries": [gq if engine == "govsearch" else nq for _, gq, nq in queries], "phrases": phrases}
            if engine == "govsearch":
                spec["queries_b"] = [[q, filters] for _, q, filters in queries_b]
            spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
            qres, _ = run_child(["--child", "query", "--engine", engine, "--index-dir", str(index_dir), "--spec", str(spec_path)])
            results[engine] = summarise(engine, idx, tree_pss, qres, info, index_mb, truth, common)
            if args.json:
                args.json.write_text(json.dumps(results, ensure_ascii=False, default=str), encoding="utf-8")
            for line in summary_lines(engine, results[engine]):
                print(f"[bench] {engine}: {line}", flush=True)
    finally:
        if not args.work_dir:
            shutil.rmtree(work, ignore_errors=True)

    command = "python benchmarks/search_bench.py" + (f" --docs {args.docs}" if args.docs != 2000 else "")
    if args.seed != 20240501:
        command += f" --seed {args.seed}"
    if engines != list(ENGINES):
        command += f" --engines {','.join(engines)}"
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
        "queries_b": queries_b,
        "phrases": phrases,
        "truth_counts": {p: len(ids) for p, ids in truth.items()},
    }
    if args.json:
        args.json.write_text(json.dumps(ctx, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    if "govsearch" not in results:
        print("[bench] 没有测 govsearch：不生成报告，不写文档", flush=True)
        return 0
    report = build_report(ctx)
    print(report)
    if not args.no_write:
        write_section(report, args.docs)
        write_growth(growth_row(ctx))
        print(f"[bench] 已写入 {DOCS_MD}（{BEGIN} … {END}）和 {GROWTH_JSON}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
