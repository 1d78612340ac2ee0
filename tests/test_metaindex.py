"""Per-document value columns (indexer.metaindex) against plain ``str`` operations."""

import random

import numpy as np

from indexer import metaindex


def test_containing_finds_exactly_the_values_that_hold_the_text():
    rng = random.Random(5)
    letters = "司法局人民政府办发〔2023〕号ab𠀀"
    values = ["".join(rng.choice(letters) for _ in range(rng.randint(0, 7))) for _ in range(40)]
    metas = [{"id": f"d{i}", "publisher": rng.choice(values)} for i in range(300)]
    seg = metaindex.SegmentMeta(metaindex.build(metas, [None] * len(metas)))
    for _ in range(400):
        text = "".join(rng.choice(letters) for _ in range(rng.randint(1, 3)))
        want = [text in m["publisher"] for m in metas]
        assert seg.containing("publisher", text).tolist() == want, text
    assert seg.containing("publisher", "").all()
    assert not seg.containing("absent", "司法").any()  # a column no document has: every value ''
    assert seg.containing("absent", "").all()


def test_containing_never_matches_across_two_values():
    metas = [{"id": "a", "docno": "甲发〔2023〕1"}, {"id": "b", "docno": "2号"}]
    seg = metaindex.SegmentMeta(metaindex.build(metas, [None, None]))
    assert seg.containing("docno", "1\x002").tolist() == [False, False]
    assert seg.containing("docno", "〔2023〕1").tolist() == [True, False]
    assert np.array_equal(seg.containing("docno", "2"), np.array([True, True]))
