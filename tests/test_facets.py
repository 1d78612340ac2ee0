"""Disjunctive, complete facets: one engine call counts each facet as if its own filter were
off, checked against the old way (one search per filtered facet, counted from its hits)."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from conftest_webui import build_seeded_index, copies_of, many_publisher_documents

from indexer import open_index
from indexer.api import FACET_LIMIT, FACETS, SearchRequest
from indexer.facets import facet_values, pinyin_key


@pytest.fixture(scope="module")
def backend(tmp_path_factory):
    seeded = build_seeded_index(tmp_path_factory.mktemp("facets"), with_capture=False)
    b = open_index(seeded.data_dir)
    report = b.add([*copies_of(seeded.seed_docs[0]), *many_publisher_documents()])
    assert not report.failed and len(report.copies) == 2  # both copies joined the seed's group
    yield b
    b.close()


def per_facet_oracle(backend, query, filters, sort, facet):
    """The old counts: a search with every filter but the facet's own, its folded hits'
    values counted one by one from the stored documents."""
    others = {k: v for k, v in filters.items() if k != facet}
    hits = backend.search(SearchRequest(query=query, filters=others, sort=sort, limit=1000,
                                        passages=0, facets=False)).hits
    return Counter(v for v in (facet_values(backend.get(h.id))[facet] for h in hits) if v)


def filter_sets(backend):
    everything = backend.search(SearchRequest(limit=0, facet_limit=None)).facets
    top = {k: [v.value for v in everything[k][:2]] for k in ("publisher", "province", "year", "doc_type")}
    yield {}
    yield {"publisher": ("复制0号转载单位",)}  # a copy group's non-representative copy
    seed_publisher = next(v.value for v in everything["publisher"] if "复制" not in v.value and "县司法局" not in v.value)
    yield {"publisher": (seed_publisher,), "province": tuple(top["province"])}
    yield {"province": ("四川省",), "year": tuple(top["year"])}
    yield {"publisher": (top["publisher"][0], "复制1号转载单位"), "doc_type": (top["doc_type"][0],),
           "province": ("浙江省", "四川省")}


def test_one_call_counts_like_one_search_per_facet(backend) -> None:
    checked = 0
    for query, sort, filters in itertools.product(["", "法治政府", "行政复议"], ["relevance", "-date", "date"],
                                                  list(filter_sets(backend))):
        got = backend.search(SearchRequest(query=query, filters=filters, sort=sort, limit=0, facet_limit=None))
        for facet in FACETS:
            expected = per_facet_oracle(backend, query, filters, sort, facet)
            assert {v.value: v.count for v in got.facets[facet]} == dict(expected), (query, sort, filters, facet)
            assert got.facet_totals[facet] == len(expected)
            checked += bool(expected)
    assert checked > 100


def test_the_representative_copy_depends_on_the_filters(backend) -> None:
    """Sorted newest first, the newest copy represents the group unfiltered; filtering on the
    oldest copy's publisher shows that copy, yet the publisher counts (own filter off) still
    follow the newest copy: the rule is "the document a search with those filters shows"."""
    unfiltered = backend.search(SearchRequest(sort="-date", limit=0, facet_limit=None))
    publishers = {v.value: v.count for v in unfiltered.facets["publisher"]}
    assert "复制1号转载单位" in publishers and "复制0号转载单位" not in publishers
    chosen = backend.search(SearchRequest(sort="-date", filters={"publisher": ("复制0号转载单位",)},
                                          limit=5, facet_limit=None))
    assert chosen.total == 1 and chosen.hits[0].publisher == "复制0号转载单位"
    assert {v.value: v.count for v in chosen.facets["publisher"]} == publishers
    # Other facets follow the copy that is shown: 复制0 is in 浙江省.
    assert {v.value: v.count for v in chosen.facets["province"]} == {"浙江省": 1}


def test_every_value_reachable_sorted_by_count_then_pinyin(backend) -> None:
    cut = backend.search(SearchRequest(limit=0))
    full = backend.search(SearchRequest(limit=0, facet_limit=None))
    assert len(cut.facets["publisher"]) == FACET_LIMIT < cut.facet_totals["publisher"]
    assert len(full.facets["publisher"]) == full.facet_totals["publisher"] == cut.facet_totals["publisher"]
    assert full.facets["publisher"][:FACET_LIMIT] == cut.facets["publisher"]
    keys = [(-v.count, pinyin_key(v.value)) for v in full.facets["publisher"]]
    assert keys == sorted(keys)
    # Ties by pinyin (háng before hé), not by code point (和 U+548C before 杭 U+676D).
    assert pinyin_key("杭州市") < pinyin_key("和田地区") and "杭州市" > "和田地区"
    assert [v.value for v in full.facets["year"]] == sorted((v.value for v in full.facets["year"]), reverse=True)
    assert backend.search(SearchRequest(limit=0, facet_limit=3)).facets["publisher"] == full.facets["publisher"][:3]


@pytest.fixture(scope="module")
def client(backend):
    from webui import create_app

    app = create_app(backend.data_dir)
    yield app.test_client()
    app.extensions["govsearch_backend"].close()


def test_ui_api_and_cli_give_the_same_counts(backend, client) -> None:
    import json

    from click.testing import CliRunner

    from govsearch.cli import main

    filters = {"province": ("浙江省",), "doc_type": ("通知",)}
    engine = backend.search(SearchRequest(query="", filters=filters, limit=0))
    expected = {k: [(v.value, v.count) for v in vals] for k, vals in engine.facets.items()}
    api = client.get("/api/search?province=浙江省&doc_type=通知").get_json()
    assert {k: [(v["value"], v["count"]) for v in vals] for k, vals in api["facets"].items()} == expected
    assert api["facet_totals"] == engine.facet_totals and api["facet_totals"]["publisher"] > FACET_LIMIT
    cli = CliRunner().invoke(main, ["--data-dir", str(backend.data_dir), "search", "--json",
                                    "--filter", "province=浙江省", "--filter", "doc_type=通知"])
    out = json.loads(cli.output)
    assert {k: [(v["value"], v["count"]) for v in vals] for k, vals in out["facets"].items()} == expected
    assert out["facet_totals"] == engine.facet_totals
    every = client.get("/api/search?province=浙江省&facet_limit=all").get_json()
    assert len(every["facets"]["publisher"]) == every["facet_totals"]["publisher"]
    assert client.get("/api/search?facet_limit=-1").status_code == 400
    html = client.get("/search?province=浙江省&doc_type=通知").get_data(as_text=True)
    assert f"全部 {engine.facet_totals['publisher']} 项" in html


def test_the_all_values_page_and_its_json_twin(backend, client) -> None:
    full = backend.search(SearchRequest(query="", filters={"province": ("浙江省",)}, limit=0, facet_limit=None))
    data = client.get("/api/facet/publisher?province=浙江省").get_json()
    assert [(v["value"], v["count"]) for v in data["values"]] == [(v.value, v.count) for v in full.facets["publisher"]]
    assert data["total_values"] == len(data["values"]) > FACET_LIMIT
    last = data["values"][-1]  # beyond the 50th: reachable, and its link filters by it
    assert "publisher=" in last["url"] and "province=" in last["url"]
    narrowed = client.get("/api/facet/publisher?province=浙江省&contains=星县").get_json()
    assert [v["value"] for v in narrowed["values"]] == ["星县司法局"]
    page = client.get("/facet/publisher?province=浙江省&contains=星县")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "星县司法局" in html and "月县司法局" not in html
    assert 'name="province" value="浙江省"' in html  # the filter box keeps the search's state
    assert client.get("/facet/colour").status_code == 404
    assert client.get("/api/facet/colour").status_code == 404


def test_only_the_values_shown_are_sorted_yet_the_order_is_the_full_sorts() -> None:
    """values_of partitions out the first ``limit`` values instead of sorting them all: every
    limit gives the prefix of the full order (count, then pinyin), with many tied counts."""
    import numpy as np

    from indexer.facets import FacetColumn

    rng = np.random.default_rng(7)
    names = [f"{a}{b}县司法局" for a in "杭和黄何胡韩" for b in "州田山安北南东西"]
    column = FacetColumn([names[i] for i in rng.integers(0, len(names), 3000)] + [""] * 50)
    ids = rng.choice(len(column.codes), 1200, replace=False)
    counted = column.count(ids)
    full = column.values_of(counted, None)
    expected = Counter(column.values[c] for c in column.codes[ids] if c)
    assert {v.value: v.count for v in full} == expected
    assert [(-v.count, pinyin_key(v.value)) for v in full] == sorted((-n, pinyin_key(k)) for k, n in expected.items())
    for limit in (0, 1, 5, 17, len(full) - 1, len(full), len(full) + 3):
        assert column.values_of(counted, limit) == full[:limit]
    years = FacetColumn(["2019", "2021", "", "2020"] * 5)
    assert [v.value for v in years.values_of(years.count(np.arange(20)), 2, by_value=True)] == ["2021", "2020"]
