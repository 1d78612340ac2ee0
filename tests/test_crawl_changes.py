"""Nothing lost, every version kept: two crawls of a site that changes in between.

The site (tests/fixtures/sites/changing.py) is served on 127.0.0.1; crawls run in a child
process (Twisted's reactor starts once per process). Assertions are about what is searchable,
what is flagged and which versions exist.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fixtures.sites import changing

from crawl.runner import reindex, run_crawl_subprocess
from crawl.settings import CrawlOptions
from indexer import SearchRequest, open_index
from indexer.citation import beijing_time
from indexer.document import Document, make_id


@dataclass
class Crawls:
    site: changing.ChangingSite
    data: Path
    first: dict[str, Any]
    second: dict[str, Any]
    docs1: dict[str, Document]
    docs2: dict[str, Document]
    requests2: int
    bytes2: int
    rebuilt: dict[str, Document]
    reindex_summary: dict[str, Any]
    between: str  # an ISO time after the first crawl, before the second


def _options(site: changing.ChangingSite, data: Path, **kw: Any) -> CrawlOptions:
    return CrawlOptions(seeds=[site.server.url("/fzzf/index.html")], data_dir=data, delay=0.0,
                        progress=False, commit_interval=0.5, autothrottle=False, sitemaps=False, **kw)


def _documents(data: Path) -> dict[str, Document]:
    index = open_index(data)
    try:
        return {d.id: d for d in index.iter_documents()}
    finally:
        index.close()


def search(data: Path, query: str, **kw: Any):
    index = open_index(data)
    try:
        return index.search(SearchRequest(query=query, **kw))
    finally:
        index.close()


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> Crawls:
    site = changing.build()
    try:
        data = tmp_path_factory.mktemp("changes")
        first = run_crawl_subprocess(_options(site, data), timeout=120)
        docs1 = _documents(data)
        search1 = data.parent / (data.name + "-first")
        # Keep a copy of the first crawl's index for searches of that state.
        shutil.copytree(data, search1)
        between = dt.datetime.now(dt.UTC).isoformat()
        changing.change(site)
        site.server.clear_log()
        second = run_crawl_subprocess(_options(site, data, recheck=True), timeout=120)
        log = site.server.requests()
        fresh = tmp_path_factory.mktemp("changes-rebuilt")
        shutil.copytree(data / "warc", fresh / "warc")
        summary = reindex(fresh)
        yield Crawls(site, data, first, second, docs1, _documents(data), len(log),
                     sum(r.sent for r in log), _documents(fresh), summary, between)
    finally:
        site.stop()


def _id(crawls: Crawls, name: str) -> str:
    return make_id(crawls.site.urls[name])


# -- 1. every fetched document keeps its own text -----------------------------------------

def test_near_duplicate_is_indexed_and_found_by_its_own_string(crawls: Crawls) -> None:
    copy = crawls.docs1[_id(crawls, "copy")]
    assert changing.UNIQUE_COPY in copy.body and copy.source == crawls.site.urls["copy"]
    hits = search(crawls.data.parent / (crawls.data.name + "-first"), changing.UNIQUE_COPY).hits
    assert [(h.id, h.title, h.source) for h in hits] == [
        (copy.id, crawls.site.titles["copy"], crawls.site.urls["copy"])]
    assert crawls.first["new_docs"] == 9 and crawls.first["duplicates"] == 1


def test_near_duplicates_fold_into_one_hit_listing_the_copy(crawls: Crawls) -> None:
    res = search(crawls.data.parent / (crawls.data.name + "-first"), "某某县")
    assert res.total == 1
    hit = res.hits[0]
    listed = [(c.id, c.title, c.source) for c in hit.copies]
    pair = {hit.id, *[c[0] for c in listed]}
    assert pair == {_id(crawls, "orig"), _id(crawls, "copy")}


# -- 2. deletions and moves ----------------------------------------------------------------

@pytest.mark.parametrize("name, reason", [("gone", "HTTP 404"), ("soft", "软404：您访问的页面不存在"),
                                          ("home", "跳转到首页")])
def test_deleted_pages_are_flagged_with_the_last_seen_date(crawls: Crawls, name: str, reason: str) -> None:
    doc = crawls.docs2[_id(crawls, name)]
    assert doc.deleted and reason in doc.extra["gone"]
    first = crawls.docs1[doc.id]
    assert doc.extra["last_seen"] == first.captured.date().isoformat()
    assert doc.body == first.body  # the text stays, searchable
    assert doc.id in {h.id for h in search(crawls.data, first.paragraphs[1 + 1][:20]).hits}


def test_status_filter_and_facet_find_the_deleted(crawls: Crawls) -> None:
    deleted = {_id(crawls, n) for n in ("gone", "soft", "home")}
    res = search(crawls.data, "status:deleted", limit=50)
    assert {h.id for h in res.hits} == deleted and all(h.deleted for h in res.hits)
    assert search(crawls.data, "状态:已删除 丙丁乡").total == 1
    live = search(crawls.data, "status:live", limit=50, collapse=False)
    current = [d for d in crawls.docs2.values() if not d.version_of]
    assert not deleted & {h.id for h in live.hits} and live.total == len(current) - 3
    facet = {f.value: f.count for f in search(crawls.data, "", limit=0).facets["status"]}
    assert facet == {"已删除": 3}
    assert crawls.second["gone"] == 3


def test_moved_page_is_one_document_with_both_urls(crawls: Crawls) -> None:
    old, new = crawls.site.urls["move"], crawls.site.urls["moved"]
    doc = crawls.docs2[_id(crawls, "move")]
    assert doc.source == new and doc.other_sources == [old]
    assert not doc.deleted and new in doc.extra["moved"]
    assert make_id(new) not in crawls.docs2
    assert crawls.second["moved"] == 1


def test_no_error_page_became_a_document(crawls: Crawls) -> None:
    assert not [d for d in crawls.docs2.values() if "页面不存在" in d.body or "门户网站" in d.body]
    assert crawls.second["new_docs"] == 1  # the new report, nothing else


# -- 3. versions ----------------------------------------------------------------------------

def test_edited_page_keeps_its_earlier_version(crawls: Crawls) -> None:
    doc = crawls.docs2[_id(crawls, "edit")]
    before = crawls.docs1[doc.id]
    assert changing.NEW_SENTENCE in doc.body and changing.OLD_SENTENCE not in doc.body
    assert [v.captured for v in doc.versions] == [before.captured.isoformat()]
    old = crawls.docs2[doc.versions[0].id]
    assert old.version_of == doc.id and old.body == before.body
    assert old.capture_sha256 == before.capture_sha256 != doc.capture_sha256
    assert doc.modified == doc.captured.date()
    assert crawls.second["versions"] == 1 and crawls.second["updated_docs"] == 1


def test_current_text_by_default_old_text_with_the_version_switch(crawls: Crawls) -> None:
    doc = crawls.docs2[_id(crawls, "edit")]
    assert [h.id for h in search(crawls.data, changing.NEW_SENTENCE).hits] == [doc.id]
    assert search(crawls.data, changing.OLD_SENTENCE).total == 0
    for hits in (search(crawls.data, f"{changing.OLD_SENTENCE} versions:all").hits,
                 search(crawls.data, changing.OLD_SENTENCE, all_versions=True).hits):
        assert [(h.id, h.version_of) for h in hits] == [(doc.versions[0].id, doc.id)]
        assert hits[0].captured == doc.versions[0].captured
    # The shared text: one hit (the current version), the old one folded under it.
    both = search(crawls.data, "甲乙镇 versions:all")
    assert both.total == 1 and both.hits[0].id == doc.id


# -- rebuilding from the archive -----------------------------------------------------------

def test_reindex_reproduces_flags_moves_and_copies(crawls: Crawls) -> None:
    assert set(crawls.rebuilt) == set(crawls.docs2)
    for doc_id, doc in crawls.docs2.items():
        rebuilt = crawls.rebuilt[doc_id].to_dict()
        assert rebuilt == doc.to_dict(), doc.source
    assert crawls.reindex_summary["gone"] == 3 and crawls.reindex_summary["moved"] == 1


# -- the web UI over the crawled data -------------------------------------------------------

@pytest.fixture(scope="module")
def client(crawls: Crawls):
    from webui import create_app

    app = create_app(crawls.data)
    yield app.test_client()
    app.extensions["govsearch_backend"].close()


def test_reading_view_says_modified_and_lists_versions(crawls: Crawls, client) -> None:
    doc = crawls.docs2[_id(crawls, "edit")]
    html = client.get(f"/doc/{doc.id}").get_data(as_text=True)
    assert f"本页于 {doc.captured.date().isoformat()} 修改" in html
    assert f"/doc/{doc.versions[0].id}" in html and "查看差异" in html
    data = client.get(f"/api/doc/{doc.id}").get_json()
    assert [v["id"] for v in data["history"]["versions"]] == [doc.versions[0].id, doc.id]
    old = client.get(f"/doc/{doc.versions[0].id}").get_data(as_text=True)
    assert "这是旧版本" in old and changing.OLD_SENTENCE in old


def test_version_diff_marks_insertions_and_deletions(crawls: Crawls, client) -> None:
    doc = crawls.docs2[_id(crawls, "edit")]
    data = client.get(f"/api/doc/{doc.id}/diff").get_json()
    assert (data["a"]["id"], data["b"]["id"]) == (doc.versions[0].id, doc.id)
    assert data["summary"] == {"changed": 1, "deleted": 0, "inserted": 1}
    changed = next(r for r in data["rows"] if r["kind"] == "changed")
    assert "<del>" in changed["old_html"] and "<ins>" in changed["new_html"]
    assert "<del>四百四十四</del>" in changed["old_html"] and "<ins>五百五十五</ins>" in changed["new_html"]
    inserted = next(r for r in data["rows"] if r["kind"] == "inserted")
    assert "补充第二部分" in inserted["new_html"]
    html = client.get(f"/doc/{doc.id}/diff?a={doc.versions[0].id}&b={doc.id}").get_data(as_text=True)
    assert "修改 1 段，删除 0 段，新增 1 段" in html
    assert client.get(f"/doc/{doc.id}/diff?a=0000000000000000").status_code == 404
    assert client.get(f"/api/doc/{_id(crawls, 'orig')}/diff").status_code == 404


def test_old_version_is_cited_with_its_capture_time_and_archive(crawls: Crawls, client) -> None:
    doc = crawls.docs2[_id(crawls, "edit")]
    old_id = doc.versions[0].id
    cite = client.get(f"/api/cite/{old_id}?p=3").get_json()
    captured = crawls.docs1[doc.id].captured
    assert cite["version"]["captured"] == captured.isoformat()
    assert f"抓取于 {beijing_time(captured)}" in cite["gbt7714"] and "北京时间" in cite["gbt7714"]
    assert cite["version"]["archive_url"].endswith(f"/doc/{old_id}/archive")
    assert changing.OLD_SENTENCE in cite["text"]
    raw = client.get(f"/doc/{old_id}/archive/raw")
    assert raw.status_code == 200 and raw.headers["X-Capture-SHA256"] == crawls.docs1[doc.id].capture_sha256
    found = client.get(f"/api/search?q={changing.OLD_SENTENCE}&versions=all").get_json()
    assert [h["id"] for h in found["hits"]] == [old_id]
    assert client.get(f"/api/search?q={changing.OLD_SENTENCE}").get_json()["total"] == 0


def test_deleted_page_is_flagged_and_its_archive_still_opens(crawls: Crawls, client) -> None:
    doc = crawls.docs2[_id(crawls, "gone")]
    html = client.get(f"/doc/{doc.id}").get_data(as_text=True)
    assert "已删除" in html and f"最后见到 {doc.extra['last_seen']}" in html
    raw = client.get(f"/doc/{doc.id}/archive/raw")
    assert raw.status_code == 200 and raw.headers["X-Capture-SHA256"] == doc.capture_sha256
    page = client.get("/search?q=status:deleted").get_data(as_text=True)
    assert page.count('class="deleted-flag"') == 3


def test_moved_page_shows_both_addresses(crawls: Crawls, client) -> None:
    doc = crawls.docs2[_id(crawls, "move")]
    html = client.get(f"/doc/{doc.id}").get_data(as_text=True)
    assert crawls.site.urls["moved"] in html and crawls.site.urls["move"] in html


# -- in the browser ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(crawls: Crawls):
    """``govsearch serve`` over the crawled data dir (its first line names the port)."""
    import os
    import re
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "govsearch", "--data-dir", str(crawls.data), "serve",
         "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=Path(__file__).resolve().parent.parent)
    try:
        line = process.stdout.readline()
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, f"govsearch serve did not start: {line!r}"
        yield f"http://127.0.0.1:{match.group(1)}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        process.stdout.close()


@pytest.mark.browser
def test_browser_version_diff_and_old_version_toggle(crawls: Crawls, served: str, browser) -> None:
    doc = crawls.docs2[_id(crawls, "edit")]
    page = browser.new_page(locale="zh-CN")
    try:
        page.goto(f"{served}/doc/{doc.id}")
        assert "修改" in page.locator(".versions .modified").inner_text()
        page.locator(".diff-form button").click()
        page.wait_for_selector("table.diff")
        assert page.locator("table.diff tr.diff-changed del").first.inner_text() == "四百四十四"
        assert page.locator("table.diff tr.diff-changed ins").first.inner_text() == "五百五十五"
        assert "补充第二部分" in page.locator("table.diff tr.diff-inserted ins").inner_text()
        # Search: the old sentence only with the toggle.
        page.goto(f"{served}/search?q={changing.OLD_SENTENCE}")
        assert page.locator("li.hit").count() == 0
        page.locator(".versions-toggle input").check()
        page.locator("form.searchbox button[type=submit]").click()
        page.wait_for_selector("li.hit")
        assert page.locator("li.hit").count() == 1
        assert "旧版本" in page.locator("li.hit .old-version").inner_text()
    finally:
        page.close()


def test_cli_all_versions_and_show(crawls: Crawls) -> None:
    import json

    from click.testing import CliRunner

    from govsearch.cli import main

    doc = crawls.docs2[_id(crawls, "edit")]
    base = ["--data-dir", str(crawls.data)]
    plain = CliRunner().invoke(main, [*base, "search", changing.OLD_SENTENCE, "--json"])
    assert json.loads(plain.output)["total"] == 0
    every = CliRunner().invoke(main, [*base, "search", changing.OLD_SENTENCE, "--all-versions", "--json"])
    assert [h["version_of"] for h in json.loads(every.output)["hits"]] == [doc.id]
    shown = CliRunner().invoke(main, [*base, "show", doc.id])
    assert f"本页于 {doc.captured.date().isoformat()} 修改" in shown.output and doc.versions[0].id in shown.output



# -- 4. the change feed ------------------------------------------------------------------------

def _expected_changes(crawls: Crawls) -> set[tuple[str, str]]:
    return {("new", _id(crawls, "new")), ("changed", _id(crawls, "edit")), ("moved", _id(crawls, "move")),
            *(("deleted", _id(crawls, n)) for n in ("gone", "soft", "home"))}


def test_change_feed_lists_exactly_what_the_second_crawl_changed(crawls: Crawls, client) -> None:
    import feedparser

    feed = feedparser.parse(client.get(f"/changes.atom?since={crawls.between}").get_data())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    found = {(e.tags[0].term, e.link.rsplit("/", 1)[-1]) for e in feed.entries}
    assert found == _expected_changes(crawls) and len(feed.entries) == 6
    deleted = [e for e in feed.entries if e.tags[0].term == "deleted"]
    assert all(e.title.startswith("删除：") for e in deleted)
    assert any("HTTP 404" in e.summary for e in deleted)
    # Per site and per query.
    assert len(feedparser.parse(client.get(f"/changes.atom?since={crawls.between}&site=127.0.0.1")
                                .get_data()).entries) == 6
    assert not feedparser.parse(client.get(f"/changes.atom?since={crawls.between}&site=other.gov.cn")
                                .get_data()).entries
    only = client.get(f"/api/changes?since={crawls.between}&q=甲乙镇").get_json()
    assert [(c["kind"], c["id"]) for c in only["changes"]] == [("changed", _id(crawls, "edit"))]
    # Since the first crawl began, its new documents are listed too.
    everything = client.get(f"/api/changes?since={crawls.docs1[_id(crawls, 'orig')].captured.date()}").get_json()
    assert everything["counts"]["new"] == 10
    html = client.get(f"/changes?since={crawls.between}").get_data(as_text=True)
    assert html.count('class="change change-') == 6
    assert client.get("/changes?since=yesterday").status_code == 400


def test_cli_changes(crawls: Crawls) -> None:
    import json

    from click.testing import CliRunner

    from govsearch.cli import main

    result = CliRunner().invoke(main, ["--data-dir", str(crawls.data), "changes", "--since", crawls.between,
                                       "--site", "127.0.0.1", "--json"])
    assert result.exit_code == 0, result.output
    found = {(c["kind"], c["id"]) for c in json.loads(result.output)["changes"]}
    assert found == _expected_changes(crawls)
    text = CliRunner().invoke(main, ["--data-dir", str(crawls.data), "changes", "--since", crawls.between])
    assert "共 6 项变更" in text.output and "删除（" in text.output


# -- the cost of a second crawl of an unchanged site ------------------------------------------

def test_second_crawl_of_an_unchanged_site_is_cheap(tmp_path: Path) -> None:
    """Every known report is revalidated (--recheck) and answers 304: no article body moves,
    nothing is re-indexed, no version or change is recorded."""
    site = changing.build()
    try:
        first = run_crawl_subprocess(_options(site, tmp_path), timeout=120)
        site.server.clear_log()
        second = run_crawl_subprocess(_options(site, tmp_path, recheck=True), timeout=120)
        log = site.server.requests()
    finally:
        site.stop()
    articles = [r for r in log if r.path.startswith(("/fzzf/2024", "/fzzf/2023"))]
    assert len(articles) == 9 and all(r.status == 304 and r.sent == 0 for r in articles)
    assert {r.path for r in log} - {r.path for r in articles} == {"/robots.txt", "/fzzf/index.html"}
    assert (second["new_docs"], second["updated_docs"], second["versions"], second["gone"]) == (0, 0, 0, 0)
    assert second["unchanged_docs"] == 9 and second["pages"] == len(log)
    print(f"\nunchanged re-crawl: {len(log)} requests, {sum(r.sent for r in log)} bytes, "
          f"{second['elapsed']} s (first crawl: {first['pages']} requests, {first['bytes']} bytes, "
          f"{first['elapsed']} s)")


# -- 5. year over year ---------------------------------------------------------------------------

def test_reading_view_lists_the_same_governments_other_years(crawls: Crawls, client) -> None:
    y2022, y2023 = _id(crawls, "y2022"), _id(crawls, "y2023")
    listed = client.get(f"/api/doc/{y2023}").get_json()["other_years"]
    assert [(r["id"], r["year"]) for r in listed] == [(y2022, 2022)]
    assert [r["id"] for r in client.get(f"/api/doc/{y2022}").get_json()["other_years"]] == [y2023]
    assert client.get(f"/api/doc/{_id(crawls, 'orig')}").get_json()["other_years"] == []
    html = client.get(f"/doc/{y2023}").get_data(as_text=True)
    assert f"/compare?a={y2022}&amp;b={y2023}" in html


EXPECTED_FIGURES = [
    ("出庭应诉率", "86.5%", "100%"), ("行政复议案件（件）", "112", "97"), ("行政诉讼案件（件）", "64", "58"),
    ("规范性文件（件）", "23", "19"), ("办结率", "98%", "99%"), ("案卷合格率", "92%", "95%"),
]
EXPECTED_SECTIONS = [
    ("", "", None),
    ("一、2022年推进法治政府建设的主要举措和成效", "一、2023年推进法治政府建设的主要举措和成效", "举措和成效"),
    ("三、党政主要负责人履行推进法治建设第一责任人职责情况", "二、党政主要负责人履行推进法治建设第一责任人职责情况",
     "第一责任人履职"),
    ("二、存在的不足和原因", "三、存在的不足和原因", "不足和原因"),
    ("四、2023年推进法治政府建设的主要安排", "四、2024年推进法治政府建设的主要安排", "下一年度安排"),
    (None, "五、其他需要报告的情况", "其他情况"),
]


def test_compare_aligns_sections_and_tabulates_shared_figures(crawls: Crawls, client) -> None:
    y2022, y2023 = _id(crawls, "y2022"), _id(crawls, "y2023")
    data = client.get(f"/api/compare?a={y2022}&b={y2023}").get_json()
    assert [(f["label"], f["a"], f["b"]) for f in data["figures"]] == EXPECTED_FIGURES
    assert [(s["heading_a"], s["heading_b"], s["part"]) for s in data["sections"]] == EXPECTED_SECTIONS
    duties = data["sections"][2]["rows"]
    assert [r["kind"] for r in duties] == ["changed"]
    assert "<del>4</del>" in duties[0]["old_html"] and "<ins>6</ins>" in duties[0]["new_html"]
    assert client.get(f"/api/compare?a={y2022}&b=nothex").status_code == 400
    assert client.get(f"/compare?a={y2022}&b=0000000000000000").status_code == 404


def test_cli_compare(crawls: Crawls) -> None:
    import json

    from click.testing import CliRunner

    from govsearch.cli import main

    base = ["--data-dir", str(crawls.data), "compare", _id(crawls, "y2022"), _id(crawls, "y2023")]
    data = json.loads(CliRunner().invoke(main, [*base, "--json"]).output)
    assert [(f["label"], f["a"], f["b"]) for f in data["figures"]] == EXPECTED_FIGURES
    text = CliRunner().invoke(main, base).output
    assert "出庭应诉率：86.5% → 100%" in text and "{+6+}" in text


@pytest.mark.browser
def test_browser_compare_page_aligns_the_two_years(crawls: Crawls, served: str, browser) -> None:
    y2022, y2023 = _id(crawls, "y2022"), _id(crawls, "y2023")
    page = browser.new_page(locale="zh-CN")
    try:
        page.goto(f"{served}/doc/{y2023}")
        page.locator("a.compare-link").click()
        page.wait_for_selector("table.compare")
        assert page.url.endswith(f"/compare?a={y2022}&b={y2023}")
        heads = page.locator("tr.section-head")
        pairs = [(heads.nth(k).locator("th.head-a").inner_text(), heads.nth(k).locator("th.head-b").inner_text())
                 for k in range(heads.count())]
        assert pairs == [(a or "（无此部分）", b) for a, b, _ in EXPECTED_SECTIONS[1:]]
        # Aligned rows share a table row: the two years' duty paragraphs sit side by side.
        duty = page.locator("tbody[data-part='第一责任人履职'] tr.diff-changed")
        assert "4" in duty.locator("td.old del").inner_text() and "6" in duty.locator("td.new ins").inner_text()
        row = page.locator("table.figures-table tr", has_text="出庭应诉率")
        assert row.locator("td").all_inner_texts() == ["86.5%", "100%"]
    finally:
        page.close()
