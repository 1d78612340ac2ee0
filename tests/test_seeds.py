"""The issue's acceptance queries on the five seeds, checked against brute force."""

import pytest

from indexer.analysis import normalize
from indexer.api import SearchRequest

ACCEPTANCE = ['"法治政府"', "治政", "人民共和国", "出庭应诉率", "榆政办发〔2017〕46号", "９０％", "依法行政", "应诉率", "政府建设"]


def brute(docs, string):
    q = normalize(string.strip('"'))
    return {d.id for d in docs if q in normalize(d.title) or q in normalize(d.body)}


@pytest.mark.parametrize("query", ACCEPTANCE)
def test_acceptance_queries_match_brute_force(seed_index, seed_docs, query):
    res = seed_index.search(SearchRequest(query=query, limit=10, collapse=False))
    assert {h.id for h in res.hits} == brute(seed_docs, query)


def test_quoted_fazhi_zhengfu_returns_all_five(seed_index):
    assert seed_index.search(SearchRequest(query='"法治政府"')).total == 5


def test_same_paragraph_query(seed_index, seed_docs):
    res = seed_index.search(SearchRequest(query="同段(行政复议 应诉)", limit=10))
    expected = {
        d.id for d in seed_docs
        if any("行政复议" in normalize(p) and "应诉" in normalize(p) for p in d.paragraphs)
    }
    assert expected and {h.id for h in res.hits} == expected
    for hit in res.hits:
        assert any("行政复议" in [p.text[a:b] for a, b in p.spans] for p in hit.passages)


def test_same_sentence_is_stricter_than_same_paragraph(seed_index):
    sent = seed_index.search(SearchRequest(query="同句(行政复议 应诉)", limit=10)).total
    para = seed_index.search(SearchRequest(query="同段(行政复议 应诉)", limit=10)).total
    assert 0 < sent <= para


def test_seed_facets_have_regions_and_years(seed_index):
    facets = seed_index.search(SearchRequest(query="")).facets
    assert {"湖北省", "广东省"} <= {f.value for f in facets["province"]}
    assert sum(f.count for f in facets["year"]) >= 4
