"""The matching guarantee, checked by brute force: a string matches a document if and only if
its normalised form is a substring of the document's normalised title or body."""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.analysis import normalize
from indexer.api import SearchRequest
from tests.conftest import make_doc

# A small alphabet makes accidental matches common, so both directions are really tested:
# common report characters, traditional forms, full-width digits, Latin in both cases, spaces.
ALPHABET = list("法治政府建设依法行政复议应诉率出庭人民共和国中华年度报告工作推进") + list("國務發後實") + \
    list("９０％12ABab") + [" ", "\n", "\u3000", "。", "，", "；"]
N_DOCS = 240


def _text(rng: random.Random, lo: int, hi: int) -> str:
    return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(lo, hi)))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    from indexer.whoosh_backend import WhooshBackend

    rng = random.Random(20261122)
    docs = [
        make_doc(f"/corpus/{i}.txt", _text(rng, 3, 12), [_text(rng, 5, 60) for _ in range(rng.randint(1, 4))])
        for i in range(N_DOCS)
    ]
    from indexer import writer as index_writer  # the merge policy

    backend = WhooshBackend(tmp_path_factory.mktemp("prop"), workers=2)
    keep = index_writer.SMALL_SEGMENT
    index_writer.SMALL_SEGMENT = 1  # keep the small segments apart: several, as after a long crawl
    try:
        backend.add(docs, batch_size=60)
    finally:
        index_writer.SMALL_SEGMENT = keep
    assert len(backend.ix._segments()) == 4
    texts = {d.source: (normalize(d.title), normalize(d.body)) for d in docs}
    yield backend, docs, texts
    backend.close()


def _brute(texts, string: str) -> set[str]:
    q = normalize(string)
    return {src for src, (title, body) in texts.items() if q in title or q in body}


def _search(backend, string: str) -> set[str]:
    quoted = '"' + string.replace('"', "") + '"'
    res = backend.search(SearchRequest(query=quoted, limit=1000, facets=False, collapse=False, passages=0))
    assert res.total == len(res.hits)
    return {h.source for h in res.hits}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_substrings_of_documents_are_always_found(corpus, data):
    backend, docs, texts = corpus
    doc = docs[data.draw(st.integers(0, len(docs) - 1))]
    raw = data.draw(st.sampled_from([doc.title, doc.body]))
    start = data.draw(st.integers(0, max(0, len(raw) - 1)))
    piece = raw[start : start + data.draw(st.integers(1, 8))]
    if not normalize(piece):
        return  # only whitespace: not a query
    found = _search(backend, piece)
    assert doc.source in found
    assert found == _brute(texts, piece)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(string=st.text(alphabet=ALPHABET + list("政策规划乙丙"), min_size=1, max_size=6))
def test_random_strings_match_exactly_the_brute_force_set(corpus, string):
    backend, _, texts = corpus
    if not normalize(string):
        return
    assert _search(backend, string) == _brute(texts, string)


def test_corpus_has_absent_strings_too(corpus):
    backend, _, texts = corpus
    assert _search(backend, "政策规划") == set() == _brute(texts, "政策规划")


def _brute_near(docs, terms, unit):
    from indexer.analysis import sentences

    out = set()
    for d in docs:
        paras = [normalize(p) for p in d.paragraphs]
        units = paras if unit == "paragraph" else [s for p in paras for s in sentences(p)]
        if any(all(t in u for t in terms) for u in units):
            out.add(d.source)
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    first=st.text(alphabet=ALPHABET, min_size=1, max_size=3),
    second=st.text(alphabet=ALPHABET, min_size=1, max_size=3),
    unit=st.sampled_from(["sentence", "paragraph"]),
)
def test_same_sentence_and_paragraph_match_brute_force(corpus, first, second, unit):
    backend, docs, _ = corpus
    terms = [normalize(first), normalize(second)]
    if not all(terms):
        return
    op = "同句" if unit == "sentence" else "同段"
    query = f'{op}("{first}" "{second}")'
    res = backend.search(SearchRequest(query=query, limit=1000, facets=False, collapse=False, passages=0))
    assert {h.source for h in res.hits} == _brute_near(docs, list(dict.fromkeys(terms)), unit)
