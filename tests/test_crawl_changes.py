"""Nothing lost, every version kept: two crawls of a site that changes in between.

The site (tests/fixtures/sites/changing.py) is served on 127.0.0.1; crawls run in a child
process (Twisted's reactor starts once per process). Assertions are about what is searchable,
what is flagged and which versions exist.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fixtures.sites import changing

from crawl.runner import reindex, run_crawl_subprocess
from crawl.settings import CrawlOptions
from indexer import SearchRequest, open_index
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
        changing.change(site)
        site.server.clear_log()
        second = run_crawl_subprocess(_options(site, data, recheck=True), timeout=120)
        log = site.server.requests()
        fresh = tmp_path_factory.mktemp("changes-rebuilt")
        shutil.copytree(data / "warc", fresh / "warc")
        summary = reindex(fresh)
        yield Crawls(site, data, first, second, docs1, _documents(data), len(log),
                     sum(r.sent for r in log), _documents(fresh), summary)
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
    assert crawls.first["new_docs"] == 7 and crawls.first["duplicates"] == 1


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
    assert not deleted & {h.id for h in live.hits} and live.total == len(crawls.docs2) - 3
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


# -- rebuilding from the archive -----------------------------------------------------------

def test_reindex_reproduces_flags_moves_and_copies(crawls: Crawls) -> None:
    assert set(crawls.rebuilt) == set(crawls.docs2)
    for doc_id, doc in crawls.docs2.items():
        rebuilt = crawls.rebuilt[doc_id].to_dict()
        assert rebuilt == doc.to_dict(), doc.source
    assert crawls.reindex_summary["gone"] == 3 and crawls.reindex_summary["moved"] == 1
