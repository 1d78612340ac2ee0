"""Merging segments from their arrays (indexer/*.merge, IndexWriter.merge_tiers): the merged
files must be exactly what building one segment from all the documents would write."""

import itertools
import random
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from indexer import dedup, metaindex, textindex, wordindex, writer
from indexer import view as view_module
from indexer.api import SearchRequest
from indexer.segment import merge_files
from tests.conftest import make_doc

ALPHABET = [*"法治政府建设依法行政复议应诉率。;!?ab9", chr(0x20000 + ord("法"))]


def _texts(seed: int, n: int, long_every: int = 0) -> list[tuple[str, str, tuple[int, ...]]]:
    rng = random.Random(seed)

    def text(lo: int, hi: int) -> str:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(lo, hi)))

    out = []
    for i in range(n):
        paras = [text(0, 40) for _ in range(rng.randint(0, 4))]
        if long_every and i % long_every == 0:
            paras.append(text(70_000, 70_000))  # positions past 2**16 inside a part
        offsets, at = [], 0
        for p in paras:
            offsets.append(at)
            at += len(p)
        out.append((text(0, 8), "".join(paras), tuple(offsets)))
    return out


def _assert_same_arrays(merged: dict[str, np.ndarray], built: dict[str, np.ndarray]) -> None:
    assert merged.keys() == built.keys()
    for name in built:
        assert np.array_equal(np.asarray(merged[name]), np.asarray(built[name])), name


@pytest.mark.parametrize("sizes", [[5, 9, 1, 30], [1], [3, 0, 4], [2, 2]])
def test_text_index_merge_equals_building_from_all_documents(sizes):
    texts = _texts(sum(sizes) * 7 + len(sizes), sum(sizes), long_every=11)
    cuts = np.cumsum([0, *sizes])
    parts = [textindex.SegmentText(textindex.build(texts[a:b])) for a, b in itertools.pairwise(cuts)]
    merged = textindex.merge(parts)
    _assert_same_arrays(merged, textindex.build(texts))
    seg = textindex.SegmentText(merged)
    assert seg.documents() == [(t, b, p if p else (0,)) for t, b, p in texts]


def test_word_index_merge_equals_building_from_all_documents():
    rng = random.Random(3)
    vocab = [wordindex.term_hash(w) for w in ("法治", "政府", "行政", "复议", "应诉", "率")]

    def counts() -> wordindex.Counts:
        chosen = sorted(set(rng.sample(vocab, rng.randint(0, len(vocab)))))
        return (np.array(chosen, dtype=np.uint64), np.array([rng.randint(1, 9) for _ in chosen], dtype=np.uint32))

    docs = [(counts(), counts()) for _ in range(60)]
    cuts = [0, 10, 10, 45, 60]
    parts, counts_per_part = [], []
    for a, b in itertools.pairwise(cuts):
        part = docs[a:b]
        parts.append(wordindex.SegmentWords(wordindex.build({"words": [w for w, _ in part],
                                                             "title_words": [t for _, t in part]})))
        counts_per_part.append(b - a)
    built = wordindex.build({"words": [w for w, _ in docs], "title_words": [t for _, t in docs]})
    _assert_same_arrays(wordindex.merge(parts, counts_per_part), built)


def test_value_merge_equals_building_from_all_documents():
    metas = [{"id": f"d{i}", "date": 20200101 + i, "nw": i, "publisher": "司法局" if i % 3 else "",
              "ev": [i] if i % 4 == 0 else []} for i in range(12)]
    for m in metas[6:]:
        m["region"] = "浙江省" if m["nw"] % 2 else "江苏省"  # a column only the later part has
    sigs = [np.arange(i, i + dedup.NUM_PERM, dtype=np.uint64) if i % 5 else None for i in range(12)]
    spelled = dict.fromkeys(("publisher", "region"), lambda v: f"py:{v}" if v else "")  # as pinyin spells ''""
    parts = [metaindex.SegmentMeta(metaindex.build(metas[a:b], sigs[a:b], spelled)) for a, b in ((0, 6), (6, 12))]
    merged = metaindex.SegmentMeta(metaindex.merge(parts))
    built = metaindex.SegmentMeta(metaindex.build(metas, sigs, spelled))
    assert merged.n == built.n == 12
    for j in range(12):
        assert merged.record(j) == built.record(j)
        assert (merged.signature(j) is None) == (built.signature(j) is None)
        if built.signature(j) is not None:
            assert np.array_equal(merged.signature(j), built.signature(j))
    for key in ("publisher", "region"):
        got = dict(zip(merged.column(key)[0], merged.spelling(key), strict=True))
        assert got == dict(zip(built.column(key)[0], built.spelling(key), strict=True))


def test_tiers_choose_segments_of_one_size_class(monkeypatch):
    monkeypatch.setattr(writer, "SMALL_SEGMENT", 10)
    monkeypatch.setattr(writer, "MERGE_FACTOR", 3)
    monkeypatch.setattr(writer, "MAX_MERGED_CHARS", 1000)
    ids = [f"s{i}" for i in range(6)]
    sizes = [(12, 100), (300, 200), (15, 100), (11, 100), (40, 100), (5, 10)]
    assert writer.tier_to_merge(ids, sizes) == {"s0", "s2", "s3"}  # 10..29 documents; 5 is too small
    assert writer.tier_to_merge(ids[:3], sizes[:3]) == set()
    assert writer.tier_to_merge(ids, [(d, 400) for d, _ in sizes]) == set()  # would pass MAX_MERGED_CHARS


def test_a_bulk_run_ends_with_merged_segments_and_loses_nothing(backend_factory, monkeypatch):
    monkeypatch.setattr(writer, "SMALL_SEGMENT", 4)
    monkeypatch.setattr(writer, "MERGE_FACTOR", 3)
    docs = [make_doc(f"/m/{i}.txt", f"报告{i}号", [f"第{i}段法治政府建设。", "同一句有行政复议和应诉。"],
                     publisher=("司法局" if i % 2 else "人民政府")) for i in range(60)]
    array_merges = []
    monkeypatch.setattr(writer, "merge_files", lambda *a: array_merges.append(a) or merge_files(*a))
    merged = backend_factory(name="merged")
    merged.add(docs, batch_size=5)  # 12 commits of 5 documents, then the tiers merge
    assert len(list(merged.ix._segments())) < 12
    assert array_merges  # the merged files came from the parts' arrays
    single = backend_factory(name="single")
    single.add(docs, batch_size=1000)
    queries = ("法治政府", "第37段", "报告5", "同句(行政复议 应诉)", "publisher:司法局 建设", "title:报告1", "同段(复议 第3)")
    pool = ThreadPoolExecutor(max_workers=3)
    used = []
    for threads in (False, True):  # the segments searched one after another, then side by side
        if threads:
            monkeypatch.setattr(view_module, "PARALLEL_DOCS", 0)
            monkeypatch.setattr(view_module, "_segment_pool", lambda: used.append(1) or pool)
            merged._view = None  # a new view: no cached answers
        for query in queries:
            want = single.search(SearchRequest(query=query, limit=100, facets=True))
            got = merged.search(SearchRequest(query=query, limit=100, facets=True))
            assert got.total == want.total
            assert sorted(h.source for h in got.hits) == sorted(h.source for h in want.hits), query
            assert got.facets == want.facets
    pool.shutdown()
    assert used  # the threads did search
    on_disk = {p.name.removesuffix(textindex.SUFFIX) for p in merged.path.glob("*" + textindex.SUFFIX)}
    assert on_disk == {s.segment_id() for s in merged.ix._segments()}
