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
