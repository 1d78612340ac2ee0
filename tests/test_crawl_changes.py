"""Nothing lost, every version kept: two crawls of a site that changes in between.

The site (tests/fixtures/sites/changing.py) is served on 127.0.0.1; crawls run in a child
process (Twisted's reactor starts once per process). Assertions are about what is searchable,
what is flagged and which versions exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fixtures.sites import changing

from crawl.runner import run_crawl_subprocess
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
        import shutil

        shutil.copytree(data, search1)
        changing.change(site)
        site.server.clear_log()
        second = run_crawl_subprocess(_options(site, data, recheck=True), timeout=120)
        log = site.server.requests()
        yield Crawls(site, data, first, second, docs1, _documents(data), len(log),
                     sum(r.sent for r in log))
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
