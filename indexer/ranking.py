"""Ranking: BM25F over rjieba words, then a proximity rerank of the head of the list.

Matching is exact substrings (indexer/evaluate.py); ranking only orders what matched. Two
small weighting objects, in the spirit of Whoosh's ``scoring.BM25F``: their constants live on
them and their formulas in their docstrings (docs/ranking.md explains the choices).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from indexer import wordindex
from indexer.analysis import words
from indexer.view import PARALLEL_DOCS, View


@dataclass(frozen=True)
class BM25F:
    """BM25F with two fields, body and title (title term frequencies weighted ``title_boost``).

    For each query word w (rjieba words of the matched strings, each counted once)::

        tf(d)   = tf_body(d) / (1 - b + b·len_body(d)/avg_body)
                + title_boost · tf_title(d) / (1 - b + b·len_title(d)/avg_title)
        idf     = ln(1 + (N - df + 0.5) / (df + 0.5))      N, df over live documents
        score  += idf · (tf(d)·(k1 + 1) / (tf(d) + k1))
    """

    k1: float = 1.2
    b: float = 0.75
    title_boost: float = 3.0

    def scores(self, view: View, ids: np.ndarray, strings: Sequence[str]) -> np.ndarray:
        """The score of each document in ``ids`` (global document numbers) for ``strings``.

        A score is a sum over words of ``idf · g(d)``, and ``g`` (the saturated frequency)
        needs nothing beyond the document: each segment computes ``g`` over its own postings
        (on the segment pool: NumPy over a segment's documents), then the ``df`` of each word
        is summed and the products added up here. The length norms are computed once per
        index generation."""
        query_words = list(dict.fromkeys(w for s in strings for w in words(s)))
        if not query_words or not len(ids):
            return np.zeros(len(ids), dtype=np.float64)
        n_docs, norm_body, norm_title = view.remembered(("bm25f-norms", self.b), lambda: self._norms(view))
        keys = [wordindex.term_hash(w) for w in query_words]
        live = None if view.live_count == view.size else view.live

        def saturated(k: int, first: int, end: int) -> list[tuple[np.ndarray, np.ndarray, int]]:
            """For each word: (global numbers of the segment's documents that hold it, their
            ``g``, how many of them are live)."""
            postings = view.data[k].words.postings
            body_norm, title_norm = norm_body[first:end], norm_title[first:end]
            tf = np.zeros(end - first, dtype=np.float64)  # one document's tf, per word in turn
            out = []
            for key in keys:
                docs, counts = postings("words", key)
                title_docs, title_counts = postings("title_words", key)
                docs = docs.astype(np.int64)
                tf[docs] = counts / body_norm[docs]
                if len(title_docs):
                    title_docs = title_docs.astype(np.int64)
                    body_only = tf[title_docs] == 0  # a title word absent from the body
                    tf[title_docs] += self.title_boost * title_counts / title_norm[title_docs]
                    if body_only.any():
                        docs = np.concatenate((docs, title_docs[body_only]))
                t = tf[docs]
                tf[docs] = 0.0
                df = len(docs) if live is None else int(np.count_nonzero(live[docs + first]))
                out.append((docs + first, t * (self.k1 + 1) / (t + self.k1), df))
            return out

        per_segment = view.map_segments(saturated, parallel=view.size >= PARALLEL_DOCS)
        scores = np.zeros(view.size, dtype=np.float64)
        for w in range(len(keys)):
            df = sum(found[w][2] for found in per_segment)
            idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
            for found in per_segment:
                docs, g, _ = found[w]
                scores[docs] += idf * g
        return scores[ids]

    def _norms(self, view: View) -> tuple[int, np.ndarray, np.ndarray]:
        """(live documents, body length norm, title length norm) of every document."""
        live = view.live
        n_docs = max(view.live_count, 1)
        avg_body = max(float(view.nw[live].mean()) if view.live_count else 1.0, 1.0)
        avg_title = max(float(view.ntw[live].mean()) if view.live_count else 1.0, 1.0)
        return n_docs, 1 - self.b + self.b * view.nw / avg_body, 1 - self.b + self.b * view.ntw / avg_title


def by_score(view: View, ids: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Indexes into ``ids`` in result order: higher score first, then newer, then by
    document number.

    One sort of 64-bit integers instead of a two-key ``lexsort`` (8× faster at 80,000
    matches): each key holds the score's top bits (the IEEE-754 bits of a non-negative double
    order like the double; the bits dropped are below 2⁻³⁵ of the score, far finer than the
    float32 the result cache keeps) and, below them, the match's place in date order."""
    by_date = view.ordered(ids, view.newest_first)
    if not len(ids) or (scores < 0).any():
        return by_date[np.lexsort((np.arange(len(ids)), -scores[by_date]))] if len(ids) else by_date
    bits = max(1, (len(ids) - 1).bit_length())
    top = np.ascontiguousarray(scores[by_date], dtype=np.float64).view(np.int64) >> bits
    keys = ((np.int64(2**62 - 1) - top) << bits) | np.arange(len(ids), dtype=np.int64)
    keys.sort()
    return by_date[keys & ((1 << bits) - 1)]


@dataclass(frozen=True)
class Proximity:
    """Rerank the first ``depth`` hits of a multi-string query by how close the strings are::

        score' = score + weight · tier      tier 2: one sentence holds every string,
                                            tier 1: one paragraph does, 0: scattered

    Only the head is reranked: the tiers cost a unit intersection per document.
    """

    weight: float = 10.0
    depth: int = 200

    def rerank(self, view: View, ids: np.ndarray, scores: np.ndarray, strings: Sequence[str],
               tiers: Callable[[View, np.ndarray, tuple[str, ...]], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        if len(strings) < 2 or not len(ids):
            return ids, scores
        head = min(len(ids), self.depth)
        bonus = tiers(view, ids[:head], tuple(dict.fromkeys(strings)))
        head_scores = scores[:head] + self.weight * bonus
        order = np.lexsort((-view.dates[ids[:head]], -head_scores))
        return (np.concatenate([ids[:head][order], ids[head:]]),
                np.concatenate([head_scores[order], scores[head:]]))


#: The ranking govsearch uses.
DEFAULT_BM25F = BM25F()
DEFAULT_PROXIMITY = Proximity()
