"""``section:`` queries equal brute force over the stored parts (issue 13).

One index of generated annual reports (headings of every part, shared vocabulary so strings
recur across parts), then many random queries: the engine's answer must be exactly the
documents a brute-force scan finds, for plain strings, 同段/同句, negation and several parts.
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer import Document, Region, make_id, open_index
from indexer.analysis import normalize, sentences
from indexer.api import QueryError, SearchRequest
from indexer.sections import PART_ALIASES, PART_KEYS, outline

WORDS = ["行政执法", "行政复议", "执法", "复议", "考核", "法治督察", "规范性文件", "应诉", "普法", "问题"]
HEADINGS = {
    "measures": ["一、主要举措和成效", "一、坚持党的领导", "二、依法全面履行政府职能"],
    "leaders": ["三、党政主要负责人履行推进法治建设第一责任人职责情况"],
    "shortcomings": ["四、存在的不足和原因", "三、存在的问题"],
    "next_year": ["五、2024年工作安排", "四、下一步工作打算"],
    "other": ["六、其他需要报告的情况"],
}


def _report(rng: random.Random, n: int) -> Document:
    paragraphs = ["2023年，本县推进法治政府建设。" + rng.choice(WORDS) + "工作有序开展。"]
    for part in PART_KEYS:
        if rng.random() < 0.25:
            continue  # some reports lack a part
        paragraphs.append(rng.choice(HEADINGS[part]))
        for _ in range(rng.randint(1, 3)):
            a, b = rng.sample(WORDS, 2)
            paragraphs.append(f"（{rng.choice('一二三')}）加强{a}。{b}取得进展，{rng.choice(WORDS)}得到落实。")
    source = f"https://example.gov.cn/report/{n}.html"
    return Document(id=make_id(source), title=f"某县2023年度法治政府建设情况报告{n}{rng.choice(WORDS)}",
                    source=source, paragraphs=paragraphs, doc_type="报告", year=2023,
                    published=dt.date(2024, 3, 1), region=Region(province="湖北省"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    rng = random.Random(13)
    docs = [_report(rng, n) for n in range(80)]
    notice = Document(id=make_id("n"), title="关于执法的通知", source="n", doc_type="通知",
                      paragraphs=["一、存在的问题", "执法不规范。"])  # not a report: no parts
    backend = open_index(tmp_path_factory.mktemp("sections"))
    backend.add([*docs, notice])
    yield backend, docs
    backend.close()


def _brute(docs: list[Document], parts: set[str], strings: list[str], unit: str = "paragraph",
           negated: str | None = None) -> set[str]:
    out = set()
    for doc in docs:
        found = outline(doc.paragraphs).parts
        inside = [normalize(p) for p, part in zip(doc.paragraphs, found, strict=True) if part in parts]
        if not inside:
            continue
        units = inside if unit == "paragraph" else [s for p, part in zip(doc.paragraphs, found, strict=True)
                                                     if part in parts for s in sentences(normalize(p))]
        if strings and not any(all(s in u for s in strings) for u in units):
            continue
        if negated and any(negated in u for u in inside):
            continue
        out.add(doc.id)
    return out


def _ids(backend, query: str) -> set[str]:
    results = backend.search(SearchRequest(query=query, limit=1000, passages=0, facets=False, collapse=False))
    return {hit.id for hit in results.hits}


ALIASES = sorted(PART_ALIASES)


@settings(max_examples=60, deadline=None)
@given(alias=st.sampled_from(ALIASES), word=st.sampled_from(WORDS))
def test_a_string_inside_a_part(corpus, alias: str, word: str) -> None:
    backend, docs = corpus
    assert _ids(backend, f"section:{alias} {word}") == _brute(docs, {PART_ALIASES[alias]}, [word])


@settings(max_examples=40, deadline=None)
@given(a=st.sampled_from(ALIASES), b=st.sampled_from(ALIASES), words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=2),
       unit=st.sampled_from(["同段", "同句"]))
def test_near_and_several_parts(corpus, a: str, b: str, words: list[str], unit: str) -> None:
    backend, docs = corpus
    query = f"部分:{a} 部分:{b} {unit}({' '.join(words)})"
    expected = _brute(docs, {PART_ALIASES[a], PART_ALIASES[b]}, [normalize(w) for w in words],
                      "paragraph" if unit == "同段" else "sentence")
    assert _ids(backend, query) == expected


@settings(max_examples=30, deadline=None)
@given(alias=st.sampled_from(ALIASES), word=st.sampled_from(WORDS))
def test_a_part_alone_and_a_negation(corpus, alias: str, word: str) -> None:
    backend, docs = corpus
    part = {PART_ALIASES[alias]}
    assert _ids(backend, f"section:{alias}") == _brute(docs, part, [])
    assert _ids(backend, f"section:{alias} -{word}") == _brute(docs, part, [], negated=word)


def test_the_title_is_outside_every_part(corpus) -> None:
    backend, _docs = corpus
    # Every title says 法治政府建设情况报告; no body paragraph under a heading does.
    assert _ids(backend, "法治政府建设情况报告") and not _ids(backend, "section:举措 法治政府建设情况报告")


def test_section_is_only_a_scope(corpus) -> None:
    backend, _docs = corpus
    for query in ("执法 OR section:不足", "-section:不足 执法", "section:量子 执法"):
        with pytest.raises(QueryError):
            backend.search(SearchRequest(query=query))
