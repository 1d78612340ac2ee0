"""The positional bigram index (indexer.textindex) against plain ``str`` operations."""

import itertools
import os
import random

import numpy as np
import pytest

from indexer import arrayfile, textindex
from indexer.analysis import normalize, sentences
from indexer.api import SearchRequest
from tests.conftest import make_doc

# With two characters outside the BMP whose low 16 bits equal 法 and 治 (the character array
# keeps 16 bits; the pair lists must settle those candidates).
ALPHABET = [*"法治政府建设依法行政复议应诉率。;!?ab9", chr(0x20000 + ord("法")), chr(0x20000 + ord("治"))]


def _docs(seed: int, n: int) -> list[tuple[str, list[str]]]:
    rng = random.Random(seed)

    def text(lo: int, hi: int) -> str:
        return "".join(rng.choice(ALPHABET) for _ in range(rng.randint(lo, hi)))

    return [(text(0, 8), [text(0, 40) for _ in range(rng.randint(0, 4))]) for _ in range(n)]


def _build(docs: list[tuple[str, list[str]]]) -> textindex.SegmentText:
    def offsets(paras: list[str]) -> list[int]:
        out, at = [], 0
        for p in paras:
            out.append(at)
            at += len(p)
        return out

    return textindex.SegmentText(textindex.build((t, "".join(ps), offsets(ps)) for t, ps in docs))


def _all_occurrences(docs, term):
    """Brute force: every (doc, in_title, offset) of ``term``."""
    out = set()
    for i, (title, paras) in enumerate(docs):
        for in_title, text in ((True, title), (False, "".join(paras))):
            at = text.find(term)
            while at >= 0:
                out.add((i, in_title, at))
                at = text.find(term, at + 1)
    return out


def test_positions_are_exactly_the_occurrences():
    docs = _docs(1, 200)
    seg = _build(docs)
    rng = random.Random(2)
    for _ in range(1500):
        term = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 5)))
        pos = seg.positions(term)
        found = seg.docs_of(pos)
        titles = seg.in_title(pos, found)
        starts = np.where(titles, seg.doc_starts[found], seg.body_starts[found])
        got = set(zip(found.tolist(), titles.tolist(), (pos - starts).tolist(), strict=True))
        assert got == _all_occurrences(docs, term), term


@pytest.mark.parametrize("unit", ["sentence", "paragraph"])
def test_units_match_brute_force(unit):
    docs = _docs(3, 200)
    seg = _build(docs)
    rng = random.Random(4)
    for _ in range(600):
        a = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 3)))
        b = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 2)))
        common = np.intersect1d(seg.units(a, unit), seg.units(b, unit))
        got = set(seg.unit_docs(common, unit).tolist())
        want = set()
        for i, (_, paras) in enumerate(docs):
            units = paras if unit == "paragraph" else [s for p in paras for s in sentences(p)]
            if any(a in u and b in u for u in units):
                want.add(i)
        assert got == want, (a, b)


def test_file_round_trip_and_empty_segment(tmp_path):
    docs = _docs(5, 50)
    built = _build(docs)
    path = tmp_path / "x.gsx"
    textindex.write(path, {name: getattr(built, name) for name in textindex._ARRAYS})
    opened = textindex.SegmentText.open(path)
    for term in ("法治", "政", "复议应诉", "9"):
        assert np.array_equal(opened.positions(term), built.positions(term))
    assert not [p for p in tmp_path.iterdir() if p.name != "x.gsx"]  # no temporary file left
    empty = textindex.SegmentText(textindex.build([]))
    assert len(empty.positions("法治")) == 0 and len(empty.positions("法")) == 0


def test_unreadable_file_is_not_read(tmp_path):
    path = tmp_path / "y.gsx"
    path.write_bytes(b"not an index")
    assert textindex.load(path) is None
    assert textindex.load(tmp_path / "missing.gsx") is None


def test_text_comes_back_from_the_index_astral_characters_included():
    docs = [("标题𠀀", "正文法治𠮷政府", (0, 4)), ("", "", (0,)), ("题", "一段", (0, 0, 1))]
    seg = textindex.SegmentText(textindex.build(docs))
    assert seg.documents() == docs


def test_combined_sort_orders_pairs_as_the_stable_argsort_does():
    rng = np.random.default_rng(3)
    first = rng.choice(np.array([0x6CD5, 0x6CBB, 0x20000, 0x41, 0x10FFFF], dtype=np.uint32), 50_000)
    second = rng.choice(np.array([0, 0x6CD5, 0x20001, 0x10FFFF], dtype=np.uint32), 50_000)
    where = np.sort(rng.choice(200_000, 50_000, replace=False)).astype(np.int64)
    fast = textindex._sorted_pairs(first, second, where)
    slow = textindex._sorted_pairs(first, second, where, may_combine=False)
    assert np.array_equal(fast[0], slow[0]) and np.array_equal(fast[1], slow[1])


def test_key_tables_past_one_top_level_stride_find_every_pair():
    # Over a thousand distinct pairs (two top-level strides of keys), in two segments merged.
    rng = random.Random(9)
    chars = [chr(0x4E00 + k) for k in range(60)]
    docs = [("".join(rng.choice(chars) for _ in range(6)), "".join(rng.choice(chars) for _ in range(900)), (0,))
            for _ in range(8)]
    parts = [textindex.SegmentText(textindex.build(docs[:4])), textindex.SegmentText(textindex.build(docs[4:]))]
    merged = textindex.SegmentText(textindex.merge(parts))
    whole = textindex.SegmentText(textindex.build(docs))
    assert len(whole.keys) > 2 * arrayfile.TOP_STRIDE
    text = "".join(f"{t}\0{b}\0" for t, b, _ in docs)
    for seg in (whole, merged):
        # Each key's first run starts where the key does, and the table ends with the runs.
        assert np.array_equal(seg.run_at[seg.key_run[:-1]], seg.starts[:-1]) and seg.key_run[-1] == len(seg.run_at)
        for term in {text[i : i + 2] for i in range(0, len(text) - 1, 37)} | {chars[0], chars[-1], "一丁丁"}:
            if "\0" in term:
                continue
            expected = [i for i in range(len(text)) if text.startswith(term, i)]
            assert sorted(seg.positions(term).tolist()) == expected, term


@pytest.mark.parametrize("step", [1, 50, 1 << 23])
def test_a_merge_in_steps_stores_exactly_what_building_the_whole_stores(monkeypatch, step):
    # Steps of one position (every key a step of its own), of a few keys, and all at once;
    # positions past 2**16 so that runs of high parts span the parts' boundaries.
    rng = random.Random(11)
    chars = [chr(0x4E00 + k) for k in range(40)] + ["𠀀"]
    docs = [("".join(rng.choice(chars) for _ in range(5)), "".join(rng.choice(chars) for _ in range(rng.randrange(0, 30_000))),
             (0,)) for _ in range(7)]
    monkeypatch.setattr(textindex, "MERGE_STEP", step)
    parts = [textindex.SegmentText(textindex.build(docs[a:b])) for a, b in ((0, 2), (2, 3), (3, 3), (3, 7))]
    merged, whole = textindex.merge(parts), textindex.build(docs)
    assert set(merged) == set(whole)
    for name, array in whole.items():
        assert np.array_equal(merged[name], array), name
        assert merged[name].dtype == array.dtype, name


def test_positions_survive_the_split_storage_across_64k_boundaries():
    rng = random.Random(5)
    body = "".join(rng.choice("法治政府建设") for _ in range(200_000))  # positions past 2**16 and 2**17
    seg = textindex.SegmentText(textindex.build([("", body, (0,))]))
    for term in ("法治", "治政府", "建设法", "设"):
        expected = [i + 1 for i in range(len(body)) if body.startswith(term, i)]
        assert sorted(seg.positions(term).tolist()) == expected


@pytest.mark.parametrize("suffix", [".gsx", ".gsw", ".gsm"])
def test_a_missing_or_broken_segment_file_is_rebuilt_from_the_stored_documents(tmp_path, suffix):
    from indexer.whoosh_backend import WhooshBackend

    docs = [make_doc(f"/r/{i}.txt", f"报告{i}", [f"第{i}段法治政府", "行政复议𠀀"]) for i in range(30)]
    backend = WhooshBackend(tmp_path, workers=1)
    backend.add(docs)
    backend.close()
    (victim,) = list((tmp_path / "index").glob("*" + suffix))
    victim.write_bytes(b"broken")
    reopened = WhooshBackend(tmp_path, workers=1)
    assert reopened.search(SearchRequest(query="行政复议𠀀")).total == 30
    assert reopened.search(SearchRequest(query="第17段")).total == 1
    assert reopened.search(SearchRequest(query="year:2023 法治", facets=True)).total >= 0
    assert textindex.load(next((tmp_path / "index").glob("*.gsx"))) is not None  # written back
    reopened.close()


def test_every_committed_segment_has_its_text_index(backend_factory):
    docs = [make_doc(f"/t/{i}.txt", f"报告{i}", [f"第{i}段法治政府", "行政复议"]) for i in range(90)]
    backend = backend_factory()
    backend.add(docs, batch_size=40)  # several commits
    backend.delete([docs[0].id])
    segment_ids = {s.segment_id() for s in backend.ix._segments()}
    on_disk = {p.name.removesuffix(textindex.SUFFIX) for p in backend.path.glob("*" + textindex.SUFFIX)}
    assert segment_ids and segment_ids == on_disk  # none missing, none left over


def test_a_missing_text_index_is_rebuilt_on_open(backend_factory, tmp_path):
    from indexer.whoosh_backend import WhooshBackend

    docs = [make_doc(f"/r/{i}.txt", f"报告{i}", [f"内容{i}", "同一句话里有行政复议和应诉。"]) for i in range(10)]
    backend = backend_factory(docs)
    data_dir = backend.data_dir
    backend.close()
    for p in data_dir.glob("index/*" + textindex.SUFFIX):
        p.unlink()
    reopened = WhooshBackend(data_dir)
    res = reopened.search(SearchRequest(query="同句(行政复议 应诉) 内容3", limit=20))
    assert [h.source for h in res.hits] == [docs[3].source]
    assert list(data_dir.glob("index/*" + textindex.SUFFIX))
    reopened.close()


def test_normalised_query_finds_normalised_text(backend_factory):
    backend = backend_factory([make_doc("/n/1.txt", "國務院", ["出庭应诉率达到９０％"])])
    for q in ("国务院", "90%", "应诉率达"):
        assert backend.search(SearchRequest(query=normalize(q))).total == 1


def test_temporaries_of_dead_writers_are_removed(tmp_path):
    import subprocess
    import sys

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / f".govsearch_abc{textindex.SUFFIX}.{int(dead.stdout)}.tmp"
    alive = tmp_path / f".govsearch_def{textindex.SUFFIX}.{os.getpid()}.tmp"
    stale.write_bytes(b"x")
    alive.write_bytes(b"x")
    assert arrayfile.remove_stale_temporaries(tmp_path, textindex.SUFFIX) == 1
    assert not stale.exists() and alive.exists()


def test_doc_hits_and_restricted_positions_agree_with_positions():
    docs = _docs(7, 300)
    seg = _build(docs)
    rng = random.Random(8)
    subset = np.array(sorted(rng.sample(range(len(docs)), 90)))
    for _ in range(800):
        term = "".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 6)))
        full = seg.positions(term)
        assert seg.doc_hits(term).tolist() == sorted(set(seg.docs_of(full).tolist()))
        inside = np.isin(seg.docs_of(full), subset)
        assert sorted(seg.positions(term, subset).tolist()) == sorted(full[inside].tolist())
        for unit in ("sentence", "paragraph"):
            got = set(seg.unit_docs(seg.units(term, unit, docs=subset), unit).tolist())
            want = set(seg.unit_docs(seg.units(term, unit), unit).tolist()) & set(subset.tolist())
            assert got == want, (term, unit)


def test_doc_hits_with_many_near_misses_in_one_document():
    near_misses = "政府建设法治" * 40 + "法治政府建设"  # the match comes after 40 false starts
    seg = _build([("", [near_misses]), ("法治政府", ["建设"]), ("", ["法治政府建设"])])
    assert seg.doc_hits("法治政府建设").tolist() == [0, 2]
    assert seg.doc_hits("政府建设法治政").tolist() == [0]


def test_units_step_over_many_sentence_marks():
    body = "。" * 200 + "法治。政府" + "；" * 70 + "法治政府"
    seg = _build([("标题", [body]), ("", ["法治", "政府"])])
    both = np.intersect1d(seg.units("法治", "sentence"), seg.units("政府", "sentence"))
    assert seg.unit_docs(both, "sentence").tolist() == [0]  # only the last sentence holds both
    assert len(seg.units("法治", "sentence")) == 3 and len(seg.units("法治", "paragraph")) == 2


def test_characters_outside_the_bmp_never_pass_for_their_low_16_bits():
    fa_lookalike = chr(0x20000 + ord("法"))  # same low 16 bits as 法
    # 法治 common, so that the search starts from 治政 and must check 法 by its 16 bits
    seg = _build([("", [fa_lookalike + "治政府建设"]), ("", ["法治政府建设"])] + [("", ["法治"])] * 3)
    assert len(seg._postings(textindex._pair_key("法", "治"))) > len(seg._postings(textindex._pair_key("治", "政")))
    assert seg.doc_hits("法治政府").tolist() == [1]
    assert seg.doc_hits(fa_lookalike + "治政府").tolist() == [0]
    assert seg.docs_of(seg.positions("法治政府建设")).tolist() == [1]


@pytest.mark.parametrize("unit", ["sentence", "paragraph"])
@pytest.mark.parametrize("bulk", [0, 40, 10_000])
def test_near_docs_with_early_exit_match_brute_force(unit, bulk, monkeypatch):
    # Small alphabet, long bodies: terms recur many times per document, so the early-exit
    # rounds run out and the batch that settles the rest is exercised too; ``bulk``: the
    # rounds run until no document is open, until 40 are, or not at all.
    monkeypatch.setattr(textindex, "NEAR_BULK", bulk)
    rng = random.Random(11)
    letters = "法治政府建设。"

    def body() -> list[str]:
        return ["".join(rng.choice(letters) for _ in range(rng.randint(0, 90))) for _ in range(rng.randint(0, 5))]

    docs = [("".join(rng.choice(letters) for _ in range(rng.randint(0, 6))), body()) for _ in range(150)]
    seg = _build(docs)
    every = np.arange(len(docs))
    for _ in range(300):
        terms = ["".join(rng.choice(letters[:-1]) for _ in range(rng.randint(1, 4))) for _ in range(rng.randint(1, 3))]
        subset = np.array(sorted(rng.sample(range(len(docs)), rng.randint(0, 150))), dtype=np.int64)
        for docs_given in (every, subset):
            got = seg.near_docs(terms, unit, docs_given, anchor=rng.choice(terms)).tolist()
            want = []
            for i in docs_given.tolist():
                paras = docs[i][1]
                units = paras if unit == "paragraph" else [s for p in paras for s in sentences(p)]
                if any(all(t in u for t in terms) for u in units):
                    want.append(i)
            assert got == want, (terms, unit)
        assert seg.title_docs(terms[0]).tolist() == [i for i, (t, _) in enumerate(docs) if terms[0] in t]


def test_pair_lists_read_in_stored_form_agree_with_the_decoded_lists(monkeypatch):
    # Long texts: pair lists of thousands of positions spread over many 2¹⁶ runs; with a low
    # threshold, few lookups are answered from the stored form (PairList._locate).
    monkeypatch.setattr(textindex.PairList, "FEW", 4)
    rng = random.Random(12)
    docs = [("", ["".join(rng.choice("法治政府建设。") for _ in range(rng.randint(20_000, 60_000)))]) for _ in range(12)]
    seg = _build(docs)
    for a, b in ("法治", "政府", "建设", "设。", "治法"):
        stored = seg._pair(textindex._pair_key(a, b))
        decoded = textindex.PairList(None, decoded=seg._decode_keys(stored._index, stored._index + 1).astype(np.int64))  # not cached
        assert stored.n > 16 * 64  # lists of thousands of positions
        probes = np.array(sorted(rng.randrange(-3, int(seg.doc_starts[-1]) + 3) for _ in range(64)), dtype=np.int64)
        hits = decoded.take(np.array(sorted(rng.sample(range(decoded.n), 20))))
        for needles in (probes, hits, np.concatenate([hits, hits + 1])):
            assert stored.search(needles).tolist() == decoded.search(needles).tolist()
            assert stored.contains(needles).tolist() == decoded.contains(needles).tolist()
        assert stored._decoded is None  # answered without decoding
        at = np.array(sorted(rng.sample(range(stored.n), 30)))
        assert stored.take(at).tolist() == decoded.take(at).tolist()
    few = np.array([2, 7], dtype=np.int64)
    for term in ("法治政府", "府建设法", "政府。", "治"):
        full = seg.positions(term)
        want = np.sort(full[np.isin(seg.docs_of(full), few)])
        assert np.sort(seg.positions(term, few)).tolist() == want.tolist()
        assert seg.near_docs([term, "建设"], "sentence", few).tolist() == seg.unit_docs(
            seg.common_units([term, "建设"], "sentence", few), "sentence").tolist()


def test_the_pairs_checked_cover_every_character_at_the_least_total_count():
    rng = random.Random(4)
    for length in range(2, 10):
        for _ in range(40):
            counts = [rng.choice([0, 1, 5, 50, 1000]) for _ in range(length - 1)]
            start = rng.randrange(length - 1)
            pairs = textindex._cheapest_cover(counts, start)
            assert start in pairs and all(0 <= k <= length - 2 for k in pairs)
            assert {c for k in pairs for c in (k, k + 1)} == set(range(length)), (counts, start)
            cheapest = min(sum(counts[k] for k in chosen if k != start)
                           for r in range(length) for chosen in itertools.combinations(range(length - 1), r)
                           if start in chosen and {c for k in chosen for c in (k, k + 1)} == set(range(length)))
            assert sum(counts[k] for k in pairs if k != start) == cheapest, (counts, start)
    # 依法全面履行政府职能 from 面履, counts of one segment at 100,000 documents: 政府, not 行政.
    counts = [353801, 10349, 92268, 3844, 27441, 1195391, 564348, 10194, 23200]
    assert textindex._cheapest_cover(counts, 3) == {0, 1, 3, 4, 6, 8}
