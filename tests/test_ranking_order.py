"""Result order (indexer.ranking.by_score, View.ordered) against the plain two-key sort."""

import numpy as np
import pytest

from indexer.ranking import by_score
from indexer.view import View


class _Dated:
    """The part of a View that ordering reads."""

    def __init__(self, dates: np.ndarray) -> None:
        self.size = len(dates)
        self.dates = dates
        self.newest_first = View.newest_first.func(self)
        self.oldest_first = View.oldest_first.func(self)

    def ordered(self, ids: np.ndarray, order: np.ndarray) -> np.ndarray:
        return View.ordered(self, ids, order)


@pytest.mark.parametrize("seed", range(40))
def test_score_order_is_score_then_newest_then_number(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 400))
    view = _Dated(rng.choice([0, 20190101, 20200315, 20211231], n))
    ids = np.flatnonzero(rng.random(n) < 0.7)
    # Many equal scores (ties go to the date, then the number), or all distinct.
    scores = rng.choice([0.0, 1.5, 2.25], len(ids)) if seed % 2 else rng.random(len(ids)) * 20
    assert by_score(view, ids, scores).tolist() == np.lexsort((ids, -view.dates[ids], -scores)).tolist()
    newest = ids[view.ordered(ids, view.newest_first)]
    assert newest.tolist() == ids[np.lexsort((ids, -view.dates[ids]))].tolist()
    undated_last = np.where(view.dates[ids] > 0, view.dates[ids], 99999999)
    assert ids[view.ordered(ids, view.oldest_first)].tolist() == ids[np.lexsort((ids, undated_last))].tolist()


def test_scores_that_differ_only_far_below_float32_keep_their_order():
    view = _Dated(np.array([20200101, 20210101, 20220101]))
    ids = np.array([0, 1, 2])
    scores = np.array([1.0, 1.0 + 2**-30, 1.0 - 2**-30])
    assert by_score(view, ids, scores).tolist() == [1, 0, 2]


def _bm25f_over_every_document(bm25f, view, ids, strings):
    """The BM25F formula (indexer.ranking.BM25F's docstring) computed over every document."""
    import math

    from indexer import wordindex
    from indexer.analysis import words

    live = view.live
    n_docs = max(int(live.sum()), 1)
    norm_body = 1 - bm25f.b + bm25f.b * view.nw / max(float(view.nw[live].mean()), 1.0)
    norm_title = 1 - bm25f.b + bm25f.b * view.ntw / max(float(view.ntw[live].mean()), 1.0)
    scores = np.zeros(view.size)
    for w in dict.fromkeys(w for s in strings for w in words(s)):
        tf = np.zeros(view.size)
        bids, bw = view.word_postings("words", wordindex.term_hash(w))
        tf[bids] += bw / norm_body[bids]
        tids, tw = view.word_postings("title_words", wordindex.term_hash(w))
        tf[tids] += bm25f.title_boost * tw / norm_title[tids]
        df = int(np.count_nonzero(tf[live]))
        scores += math.log(1 + (n_docs - df + 0.5) / (df + 0.5)) * (tf * (bm25f.k1 + 1) / (tf + bm25f.k1))
    return scores[ids]


@pytest.mark.parametrize("delete", [False, True])
@pytest.mark.parametrize("segments", [1, 3])
def test_bm25f_over_postings_equals_the_formula_over_every_document(backend_factory, monkeypatch, delete, segments):
    from indexer import view as view_module
    from indexer import writer as index_writer
    from indexer.ranking import DEFAULT_BM25F
    from tests.conftest import make_doc

    monkeypatch.setattr(index_writer, "SMALL_SEGMENT", 1)  # each add stays a segment of its own
    monkeypatch.setattr(view_module, "PARALLEL_DOCS", 0)  # the segments on the pool's threads
    backend = backend_factory()
    docs = [make_doc(f"/r/{i}.txt", f"报告{i % 3}依法行政", ["法治政府建设" * (i % 4), f"行政复议{i}件，依法行政。"])
            for i in range(30)]
    for batch in np.array_split(np.arange(len(docs)), segments):
        backend.add([docs[i] for i in batch])
    assert len(backend._current_view().data) == segments
    if delete:
        backend.delete([docs[3].id, docs[17].id])
    view = backend._current_view()
    assert (view.live_count < view.size) == delete  # a deleted document stays in its segment
    ids = np.flatnonzero(view.live)
    for strings in (["依法行政"], ["法治政府", "行政复议"], ["报告1"], ["不存在的词"]):
        got = DEFAULT_BM25F.scores(view, ids, strings)
        assert np.array_equal(got, _bm25f_over_every_document(DEFAULT_BM25F, view, ids, strings)), strings
        assert got.shape == ids.shape and got.any() == (strings != ["不存在的词"])
