"""End-to-end crawls of two fixture government sites served on 127.0.0.1 and 127.0.0.2.

One scenario, shared by the tests in this module: a first crawl, a change on the sites (a new
report, a deleted one), a second crawl, and a rebuild from the WARC files in a fresh data
dir. Every assertion about politeness is made from the fixture servers' own request logs.
Crawls run in a child process because Twisted's reactor starts once per process.
"""

from __future__ import annotations

import itertools
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fixtures.sites.server import LoggedRequest, Route
from fixtures.sites.sites import Fixture, build, set_trs_lists, trs_article

from archive.warc import iter_captures
from crawl.runner import reindex, run_crawl_subprocess
from crawl.settings import CrawlOptions
from indexer import SearchRequest, open_index
from indexer.document import Document, make_id

DELAY = 0.2
#: The delay is counted from each response, so the server sees the full gap. The server stamps
#: a request when its handler thread runs, which on a loaded machine can lag the bytes by tens
#: of milliseconds (seen: 0.199 s and 0.158 s for a 0.2 s delay while other suites ran). A
#: crawler that ignored the delay would show gaps of a few milliseconds: still caught.
GAP_TOLERANCE = 0.05
MAX_SIZE = 1024 * 1024


@dataclass
class Scenario:
    fx: Fixture
    data: Path
    first: dict[str, Any]
    second: dict[str, Any]
    log1: dict[str, list[LoggedRequest]]
    log2: dict[str, list[LoggedRequest]]
    docs1: dict[str, Document]
    docs2: dict[str, Document]
    rebuilt: dict[str, Document]
    reindex_summary: dict[str, Any]


def _options(fx: Fixture, data: Path, **kw: Any) -> CrawlOptions:
    return CrawlOptions(seeds=[fx.a.url("/fzzf/index.html"), fx.b.url("/col/col100/index.html")],
                        data_dir=data, delay=DELAY, max_size=MAX_SIZE, progress=False,
                        commit_interval=0.5, **kw)


def _documents(data: Path) -> dict[str, Document]:
    index = open_index(data)
    try:
        return {d.id: d for d in index.iter_documents()}
    finally:
        index.close()


def _snapshot(fx: Fixture) -> dict[str, list[LoggedRequest]]:
    logs = {"a": fx.a.requests(), "b": fx.b.requests()}
    fx.a.clear_log()
    fx.b.clear_log()
    return logs


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    fx = build()
    try:
        data = tmp_path_factory.mktemp("crawl")
        first = run_crawl_subprocess(_options(fx, data), timeout=240)
        log1 = _snapshot(fx)
        docs1 = _documents(data)

        # A week later: a new report on top of the column, one report withdrawn (404).
        path = "/fzzf/202404/t20240402_1006.html"
        fx.a.routes[path] = Route(trs_article("新设区2023年法治政府建设年度报告",
                                              ["新设区" + "推进依法行政工作取得新进展，" * 40], "2024-04-02"),
                                  etag='"r6-v1"')
        fx.reports["r6"] = fx.a.url(path)
        fx.titles["r6"] = "新设区2023年法治政府建设年度报告"
        del fx.a.routes["/fzzf/202402/t20240220_1002.html"]
        # One report corrected in place: new bytes, new ETag.
        r3 = fx.a.routes[_path(fx.reports["r3"])]
        r3.body = r3.body.replace("</div></div>".encode("gbk"),
                                  "<p>（2024年4月更正：补充第五部分。）</p></div></div>".encode("gbk"))
        r3.etag = '"r3-v2"'

        # r2 also left the column: only --recheck can notice that it is gone.
        set_trs_lists(fx, [("r6", "2024-04-02"), ("r1", "2024-03-01"), ("r4", "2024-03-05")],
                      '<a href="/old/report.html">戊己街道2023年法治政府建设年度报告（旧址）</a>')
        second = run_crawl_subprocess(_options(fx, data, recheck=True), timeout=240)
        log2 = _snapshot(fx)
        docs2 = _documents(data)

        fresh = tmp_path_factory.mktemp("rebuilt")
        shutil.copytree(data / "warc", fresh / "warc")
        summary = reindex(fresh)
        rebuilt = _documents(fresh)
        yield Scenario(fx, data, first, second, log1, log2, docs1, docs2, rebuilt, summary)
    finally:
        fx.stop()


def _paths(log: list[LoggedRequest]) -> list[str]:
    return [r.path for r in log]


def _path(url: str) -> str:
    return "/" + url.split("/", 3)[3]


# -- first crawl -------------------------------------------------------------------------

def test_every_report_found_and_indexed(scenario: Scenario) -> None:
    fx, docs = scenario.fx, scenario.docs1
    for name in ("r1", "r2", "r3", "r4", "r5", "r7", "b1", "b2", "b3", "b4", "b5", "b6"):
        doc = docs.get(make_id(fx.reports[name]))
        assert doc is not None, f"{name} not indexed"
        assert doc.title == fx.titles[name]
        assert len(doc.body) > 500
        assert doc.capture_sha256 and doc.captured
    # Column pages are never documents; nothing else slipped in.
    assert len(docs) == 12
    assert scenario.first["reason"] == "finished"


def test_gbk_pages_decoded(scenario: Scenario) -> None:
    doc = scenario.docs1[make_id(scenario.fx.reports["r1"])]
    assert doc.encoding == "gb18030"
    assert "深入学习贯彻习近平法治思想" in doc.body or "法治" in doc.body


def test_attachment_only_report_read_from_real_pdf(scenario: Scenario) -> None:
    doc = scenario.docs1[make_id(scenario.fx.reports["r4"])]
    assert "主要举措和成效" in doc.body  # text that exists only inside the PDF
    assert any(a.href.endswith("P020240305123456.pdf") for a in doc.attachments)
    assert "/fzzf/202403/P020240305123456.pdf" in _paths(scenario.log1["a"])


def test_republished_report_is_its_own_document_folded_in_results(scenario: Scenario) -> None:
    fx, docs = scenario.fx, scenario.docs1
    republished, original = docs[make_id(fx.reports["b5"])], docs[make_id(fx.reports["r1"])]
    assert republished.source == fx.reports["b5"] and not original.other_sources
    assert scenario.first["duplicates"] == 1
    index = open_index(scenario.data)
    try:
        hits = index.search(SearchRequest(query="某某县在市委")).hits
    finally:
        index.close()
    assert len(hits) == 1  # one hit, listing the other copy with its own title and source
    other = republished if hits[0].id == original.id else original
    assert [(c.id, c.source) for c in hits[0].copies] == [(other.id, other.source)]


def test_robots_disallow_never_requested(scenario: Scenario) -> None:
    for log in (*scenario.log1.values(), *scenario.log2.values()):
        paths = _paths(log)
        assert not [p for p in paths if p.startswith(("/private/", "/admin/"))]
        assert paths[0] == "/robots.txt"  # asked before anything else on the host
    assert scenario.first["robots_forbidden"] == 2


def test_no_host_gets_requests_faster_than_the_delay(scenario: Scenario) -> None:
    for log in (*scenario.log1.values(), *scenario.log2.values()):
        times = sorted(r.at for r in log)
        gaps = [b - a for a, b in itertools.pairwise(times)]
        assert gaps and min(gaps) >= DELAY - GAP_TOLERANCE, f"min gap {min(gaps):.3f}s"


def test_user_agent_is_honest(scenario: Scenario) -> None:
    for log in scenario.log1.values():
        for request in log:
            agent = request.headers.get("user-agent", "")
            assert agent.startswith("govsearch/") and "+http" in agent


def test_server_error_retried_with_backoff(scenario: Scenario) -> None:
    log = scenario.log1["a"]
    hits = [r for r in log if r.path == _path(scenario.fx.reports["r3"])]
    assert [r.status for r in hits] == [500, 200]
    # Backoff: the retry waited longer than the plain delay.
    assert hits[1].at - hits[0].at >= 2 * DELAY - GAP_TOLERANCE
    assert make_id(scenario.fx.reports["r3"]) in scenario.docs1


def test_redirect_followed_to_the_report(scenario: Scenario) -> None:
    statuses = {r.path: r.status for r in scenario.log1["a"]}
    assert statuses["/old/report.html"] == 301
    assert statuses[_path(scenario.fx.reports["r5"])] == 200
    assert make_id(scenario.fx.reports["r5"]) in scenario.docs1


def test_calendar_trap_not_entered(scenario: Scenario) -> None:
    assert not [p for p in _paths(scenario.log1["a"]) if p.startswith("/events")]
    assert scenario.first["traps"] >= 1


def test_oversized_response_dropped(scenario: Scenario) -> None:
    assert any("huge.pdf" in url and "max size" in reason
               for url, reason in scenario.first["errors"])
    assert make_id(scenario.fx.a.url("/files/huge.pdf")) not in scenario.docs1


def test_missing_page_recorded_as_error(scenario: Scenario) -> None:
    missing = [r.path for r in scenario.log1["a"] if r.status == 404 and r.path != "/sitemap.xml"]
    assert missing == ["/fzzf/202401/t20240105_999.html"]
    assert any(url.endswith("t20240105_999.html") for url, _ in scenario.first["errors"])


def test_paginations_followed(scenario: Scenario) -> None:
    a_paths, b_log = _paths(scenario.log1["a"]), scenario.log1["b"]
    assert {"/fzzf/index.html", "/fzzf/index_1.html", "/fzzf/index_2.html"} <= set(a_paths)
    proxy = [r for r in b_log if r.path.startswith("/module/web/jpage/dataproxy.jsp")]
    assert [(r.method, r.status) for r in proxy] == [("POST", 200)]
    assert "/sitemap.xml" in _paths(b_log)


def test_every_response_archived_with_sha256(scenario: Scenario) -> None:
    captures = list(iter_captures(scenario.data / "warc"))
    archived = {(c.url.split("/", 3)[3], c.status) for c in captures}
    for host in ("a", "b"):
        for request in scenario.log1[host] + scenario.log2[host]:
            if request.path == "/files/huge.pdf":
                continue  # refused at the headers: never downloaded
            assert (request.path.lstrip("/"), request.status) in archived, request.path
    assert all(len(c.sha256) == 64 for c in captures)
    assert any(c.method == "POST" and b"columnid=100" in c.request_body for c in captures)


# -- second crawl ------------------------------------------------------------------------

def test_second_crawl_transfers_no_unchanged_article(scenario: Scenario) -> None:
    fx = scenario.fx
    known = {_path(fx.reports[n]) for n in ("r1", "r4", "r5", "r7", "b1", "b2", "b3", "b4",
                                                "b5", "b6")}
    for log in scenario.log2.values():
        for request in log:
            if request.path in known:
                assert request.status == 304 and request.sent == 0, request.path
                assert ("if-none-match" in request.headers
                        or "if-modified-since" in request.headers)
    # The moved report: its old address redirects, the copied validators earn a 304.
    moved = {r.path: r.status for r in scenario.log2["a"]}
    assert moved["/old/report.html"] == 301 and moved[_path(fx.reports["r5"])] == 304
    # --recheck revalidated r7, whose column page the second crawl never reached.
    assert moved[_path(fx.reports["r7"])] == 304 and "/fzzf/index_2.html" not in moved
    all_paths = _paths(scenario.log2["a"]) + _paths(scenario.log2["b"])
    assert "/fzzf/202403/P020240305123456.pdf" not in all_paths
    assert scenario.second["unchanged_docs"] >= 1


def test_second_crawl_finds_the_new_report(scenario: Scenario) -> None:
    fx = scenario.fx
    doc = scenario.docs2.get(make_id(fx.reports["r6"]))
    assert doc is not None and doc.title == fx.titles["r6"]
    assert scenario.second["new_docs"] == 1


def test_second_crawl_reindexes_only_the_changed_report(scenario: Scenario) -> None:
    fx = scenario.fx
    r3 = [r for r in scenario.log2["a"] if r.path == _path(fx.reports["r3"])]
    assert [(r.status, r.headers.get("if-none-match")) for r in r3] == [(200, '"r3-v1"')]
    doc = scenario.docs2[make_id(fx.reports["r3"])]
    assert "补充第五部分" in doc.body
    assert doc.capture_sha256 != scenario.docs1[doc.id].capture_sha256
    assert scenario.second["updated_docs"] == 1
    unchanged = {i for i, d in scenario.docs1.items() if i != doc.id and d.source != fx.reports["r2"]}
    for doc_id in unchanged:
        assert scenario.docs2[doc_id].content_hash == scenario.docs1[doc_id].content_hash


def test_second_crawl_stops_paginating_at_known_items(scenario: Scenario) -> None:
    a_paths = _paths(scenario.log2["a"])
    b_paths = _paths(scenario.log2["b"])
    assert "/fzzf/index.html" in a_paths and "/col/col100/index.html" in b_paths
    # Page 1 holds the new report and two known ones: older pages hold nothing new.
    assert "/fzzf/index_1.html" not in a_paths and "/fzzf/index_2.html" not in a_paths
    assert not [p for p in b_paths if "dataproxy" in p]


def test_withdrawn_report_kept_and_flagged(scenario: Scenario) -> None:
    doc = scenario.docs2[make_id(scenario.fx.reports["r2"])]
    assert "HTTP 404" in doc.extra.get("gone", "")
    assert doc.body == scenario.docs1[doc.id].body
    assert scenario.second["gone"] == 1
    current = [d for d in scenario.docs2.values() if not d.version_of]
    assert len(current) == len(scenario.docs1) + 1  # r6 is new; r3's earlier text is a version


# -- reindex -----------------------------------------------------------------------------

def _comparable(doc: Document) -> dict[str, Any]:
    d = doc.to_dict()
    d["attachments"] = sorted((a["href"], a["text"] or "") for a in d["attachments"])
    return d


def test_reindex_from_warc_reproduces_the_documents(scenario: Scenario) -> None:
    assert set(scenario.rebuilt) == set(scenario.docs2)
    for doc_id, doc in scenario.docs2.items():
        assert _comparable(scenario.rebuilt[doc_id]) == _comparable(doc), doc.source
    assert scenario.reindex_summary["duplicates"] == 1
