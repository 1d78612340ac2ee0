"""What query evaluation reads: one view per committed index generation.

Whoosh segments never change once written, so each segment's data (indexer/segment.py) is
loaded once and cached by segment id; a :class:`View` assembles them for one generation as
global arrays (live documents, dates, facet columns, copy groups) plus that generation's
caches. Opening builds only arrays from the segments' value tables; per-document strings
(ids, sources, events) are decoded when first asked for.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property
from typing import Any

import numpy as np

from indexer.api import FACETS
from indexer.facets import FacetColumn
from indexer.segment import SegmentData

#: Documents a search must cover before its segments are searched on several threads.
PARALLEL_DOCS = 4096
_pool: ThreadPoolExecutor | None = None


def _segment_pool() -> ThreadPoolExecutor | None:
    """The threads that search segments side by side (None on one core)."""
    global _pool
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if cores < 2:
        return None
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=min(cores, 4), thread_name_prefix="govsearch-segment")
    return _pool


def _forget_pool() -> None:
    global _pool
    _pool = None  # a forked child has none of its parent's threads


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _side_by_side(work: Callable[[Any], Any], jobs: list[Any], parallel: bool) -> list[Any]:
    """``work`` of each job, in order: on the segment pool when ``parallel`` and there is
    more than one job, else on the calling thread."""
    pool = _segment_pool() if parallel and len(jobs) > 1 else None
    return [work(job) for job in jobs] if pool is None else list(pool.map(work, jobs))


class View:
    """Everything query evaluation needs for one index generation, as global arrays."""

    def __init__(self, searcher: Any, segments: dict[str, SegmentData], load: Callable[[Any], SegmentData]) -> None:
        self.searcher = searcher
        reader = searcher.reader()
        self.leaves: list[tuple[Any, int]] = list(reader.leaf_readers()) if reader.doc_count_all() else []
        self.size = reader.doc_count_all()
        self.offsets = np.array([offset for _, offset in self.leaves], dtype=np.int64)
        self.data: list[SegmentData] = []
        self.live = np.ones(self.size, dtype=bool)
        self.segment_ids: list[str] = []
        for leaf, offset in self.leaves:
            seg_id = leaf.segment().segment_id()
            self.segment_ids.append(seg_id)
            data = segments.get(seg_id)
            if data is None:
                data = segments[seg_id] = load(leaf)
            self.data.append(data)
            deleted = leaf.deleted_docs_set
            if deleted:
                self.live[[offset + d for d in deleted]] = False
        self.texts = [d.text for d in self.data]
        self.dates = self._ints("date")
        self.nw = self._ints("nw").astype(np.float64)
        self.ntw = self._ints("ntw").astype(np.float64)
        self.facets = {key: FacetColumn.from_parts([(*d.meta.column(key, keep=False), d.meta.spelling(key))
                                                  for d in self.data])
                       for key in FACETS}
        years = self.facets["year"]
        self.years = np.array([int(v) if v.isdigit() else 0 for v in years.values], dtype=np.int64)[years.codes]
        self.current = self.strings_where("vof", lambda v: not v)
        self.dup = self._groups()
        # Documents whose copy group has other members: the only ones result folding sorts.
        self.shared = np.bincount(self.dup)[self.dup] > 1 if len(self.dup) else np.zeros(0, dtype=bool)
        self.live_count = int(self.live.sum())
        self.term_cache: OrderedDict[tuple[Any, ...], np.ndarray] = OrderedDict()
        self.results: OrderedDict[tuple[Any, ...], tuple[np.ndarray, np.ndarray, dict[str, Any]]] = OrderedDict()
        self._remembered: dict[Any, Any] = {}

    def remembered(self, key: Any, compute: Callable[[], Any]) -> Any:
        """A value derived from this generation alone (not from a query), computed once:
        ranking's length norms, for example."""
        if key not in self._remembered:
            self._remembered[key] = compute()
        return self._remembered[key]

    @cached_property
    def newest_first(self) -> np.ndarray:
        """Every document number, newest first (undated last), then by number: sorted once
        per generation, so that putting a result set in date order is a gather, not a sort."""
        return np.lexsort((np.arange(self.size), -self.dates))

    @cached_property
    def oldest_first(self) -> np.ndarray:
        """Every document number, oldest first (undated last), then by number."""
        return np.lexsort((np.arange(self.size), np.where(self.dates > 0, self.dates, 99999999)))

    def ordered(self, ids: np.ndarray, order: np.ndarray) -> np.ndarray:
        """Indexes into ``ids`` (distinct document numbers) that put them in ``order`` (a
        permutation of every document number, such as :attr:`newest_first`)."""
        chosen = np.zeros(self.size, dtype=bool)
        chosen[ids] = True
        index = np.empty(self.size, dtype=np.int64)
        index[ids] = np.arange(len(ids))
        return index[order[chosen[order]]]

    def segment_docs(self, find: Callable[[int, np.ndarray | None], np.ndarray],
                     within: np.ndarray | None = None) -> np.ndarray:
        """Mask of the documents that ``find(k, docs)`` returns (sorted segment document
        numbers) for each segment ``k``, where ``docs`` are the segment's documents in
        ``within`` (None: all of them; a segment with none is skipped).

        The segments are searched side by side on the machine's cores when there are many
        documents to search: the work is then NumPy's searches and gathers over each
        segment's own arrays, which run without the GIL. With few documents (the 200 top
        hits proximity ranking looks at) the work is mostly small calls that hold the GIL,
        and threads would only take turns: those run on the calling thread."""
        mask = np.zeros(self.size, dtype=bool)
        bounds = [*self.offsets.tolist(), self.size]
        jobs = []
        searched = 0
        for k in range(len(self.data)):
            docs = None if within is None else np.flatnonzero(within[bounds[k] : bounds[k + 1]])
            if docs is None or len(docs):
                jobs.append((k, docs))
                searched += bounds[k + 1] - bounds[k] if docs is None else len(docs)
        found = _side_by_side(lambda job: find(*job), jobs, searched >= PARALLEL_DOCS)
        for (k, _), local in zip(jobs, found, strict=True):
            mask[local + bounds[k]] = True
        return mask

    def map_segments(self, work: Callable[[int, int, int], Any], parallel: bool) -> list[Any]:
        """``work(k, first, end)`` for every segment ``k`` (its global document numbers are
        ``first`` to ``end - 1``), in segment order; side by side on the machine's cores when
        ``parallel`` (the work is NumPy over many documents, as in :meth:`segment_docs`)."""
        bounds = [*self.offsets.tolist(), self.size]
        return _side_by_side(lambda k: work(k, bounds[k], bounds[k + 1]), list(range(len(self.data))), parallel)

    def _ints(self, key: str) -> np.ndarray:
        parts = [d.meta.ints(key) for d in self.data]
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)

    def strings_where(self, key: str, test: Callable[[str], bool]) -> np.ndarray:
        """Mask of the documents whose value of a string column passes ``test`` (tested once
        per distinct value of each segment)."""
        parts = []
        for d in self.data:
            table, codes = d.meta.column(key, keep=False)
            parts.append(np.array([test(v) for v in table], dtype=bool)[codes])
        return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)

    def strings_containing(self, key: str, text: str) -> np.ndarray:
        """Mask of the documents whose value of a string column contains ``text``
        (``publisher:``, ``docno:`` and the other field queries)."""
        parts = [d.meta.containing(key, text) for d in self.data]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)

    def _groups(self) -> np.ndarray:
        """Copy group code of every document: its own document number when it has no copy,
        else a code shared by its group (≥ the view size). Segments where every document is
        its own group (the group column equals the id column, byte for byte) are not decoded."""
        group = np.arange(self.size, dtype=np.int64)
        named: dict[str, int] = {}
        for d, offset in zip(self.data, self.offsets.tolist(), strict=True):
            if d.meta.same_column("dup", "id"):
                continue
            table, local = d.meta.column("dup", keep=False)
            ids_table, id_codes = d.meta.column("id", keep=False)
            for j in range(d.n):
                value = table[local[j]]
                if value and value != ids_table[id_codes[j]]:
                    group[offset + j] = named.setdefault(value, self.size + len(named))
        if named:  # the first document of each group (its id is the group) joins it
            for d, offset in zip(self.data, self.offsets.tolist(), strict=True):
                ids_table, id_codes = d.meta.column("id", keep=False)
                leaders = np.flatnonzero(np.fromiter((v in named for v in ids_table), dtype=bool, count=len(ids_table))[id_codes])
                for j in leaders.tolist():
                    group[offset + j] = named[ids_table[id_codes[j]]]
        return group

    def strings(self, key: str) -> list[str]:
        """A string value of every document, in document-number order."""
        return [value for d in self.data for value in d.meta.strings(key)]

    @cached_property
    def ids(self) -> list[str]:
        """The id of every document (decoded on first use)."""
        return self.strings("id")

    @cached_property
    def by_id(self) -> dict[str, int]:
        """Live documents by id."""
        live = self.live
        return {doc_id: i for i, doc_id in enumerate(self.ids) if live[i]}

    def locate(self, docnum: int) -> tuple[int, int]:
        """(segment index, segment document number) of a global document number."""
        k = int(np.searchsorted(self.offsets, docnum, side="right")) - 1
        return k, docnum - int(self.offsets[k])

    def value(self, key: str, docnum: int) -> Any:
        """One per-document value (as prepare computed it) of a global document number."""
        k, local = self.locate(docnum)
        return self.data[k].meta.value(key, local)

    def signature(self, docnum: int) -> np.ndarray | None:
        k, local = self.locate(docnum)
        return self.data[k].meta.signature(local)

    def word_postings(self, field: str, key: int) -> tuple[np.ndarray, np.ndarray]:
        """(global document numbers, frequencies) of a word (by wordindex.term_hash) in every segment."""
        parts = [(data.words.postings(field, key), offset) for data, offset in zip(self.data, self.offsets.tolist(), strict=True)]
        parts = [(p, offset) for p, offset in parts if len(p[0])]
        if not parts:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        ids = np.concatenate([docs.astype(np.int64) + offset for (docs, _), offset in parts])
        return ids, np.concatenate([tf for (_, tf), _ in parts]).astype(np.float64)
