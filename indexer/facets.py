"""Facet values per document and facet counts over a result set.

Counting is vectorised: each facet is an integer code per document (0 = unknown), and the
counts for a result set are one ``numpy.bincount``. That keeps facets cheap even when a
query matches every document, which Whoosh's ``groupedby`` (which scores every match) is not.

Order: the year facet newest first; every other facet by count, then by the value's pinyin
(so 杭州市 and 和田地区 with equal counts come in the order a Chinese reader expects, and a
cut at a limit is never a silent alphabetical-by-code-point cut: the response carries the
number of distinct values, ``SearchResults.facet_totals``, and every value is reachable by
asking for ``facet_limit=None``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from indexer.api import DELETED, FACET_LIMIT, FACETS, FacetValue, QueryError
from indexer.document import Document
from indexer.sections import Outline, is_annual_report, outline

MAX_VALUES = FACET_LIMIT  # per facet in a response unless the request asks otherwise
#: Facets shown in the order of their values (newest year first), not by count.
BY_VALUE = frozenset({"year"})

#: One facet's counts over a result set: the codes of the values with a count, in code
#: order, and their counts. Ordering waits for :meth:`FacetColumn.values_of`, which orders
#: only what it shows (a result over most of 100,000 reports has ~36,000 publishers).
Counted = tuple[np.ndarray, np.ndarray]


def facet_values(doc: Document, report: Outline | None = None) -> dict[str, str]:
    """The facet values of one document ('' when unknown). ``report``: its outline, when the
    caller has it already (indexing needs it for the paragraph parts too)."""
    if report is None and is_annual_report(doc):
        report = outline(doc.paragraphs)
    year = doc.effective_year
    return {
        "year": str(year) if year else "",
        "province": doc.region.province or "",
        "city": doc.region.city or "",
        "county": doc.region.county or "",
        "publisher": doc.publisher or "",
        "doc_type": doc.doc_type or "",
        "site": doc.site or "",
        "parts": report.facet_value() if report else "",
        "status": DELETED if doc.deleted else "",
    }


def pinyin_text(value: str) -> str:
    """A facet value's toneless pinyin with numbered tones (written into each segment's value
    table at indexing, so that serving never computes it)."""
    from pypinyin import Style, lazy_pinyin  # imported on first use: loading its tables takes time

    return " ".join(lazy_pinyin(value, style=Style.TONE3)).lower()


@lru_cache(maxsize=200_000)
def pinyin_key(value: str) -> tuple[str, str]:
    """Sort key of a facet value: its toneless pinyin (numbered tones break ties), then the
    value itself so that two values never compare equal. Cached across index generations:
    the values of one collection change little."""
    return (pinyin_text(value), value)


class FacetColumn:
    """One facet for every document of a view: codes into a sorted value list ('' is code 0)."""

    def __init__(self, values: Sequence[str]) -> None:
        # Codes by dictionary, then renumbered in sorted order: numpy.unique on an object
        # array compares Python strings while sorting (0.7 s for 8 columns at 100k documents).
        first_seen: dict[str, int] = {"": 0}
        raw = np.fromiter((first_seen.setdefault(v, len(first_seen)) for v in values), dtype=np.int32, count=len(values))
        self.values: list[str] = sorted(first_seen)  # '' sorts first: code 0 is "unknown"
        self._index = {v: i for i, v in enumerate(self.values)}
        renumber = np.empty(len(first_seen), dtype=np.int32)
        for value, code in first_seen.items():
            renumber[code] = self._index[value]
        self.codes = renumber[raw]
        self._pinyin_rank: np.ndarray | None = None
        self._spelled: np.ndarray | None = None  # each value's pinyin, where the index has it

    @classmethod
    def from_parts(cls, parts: Sequence[tuple[Sequence[str], np.ndarray, Sequence[str] | None]]) -> FacetColumn:
        """One column from per-segment (distinct values, codes into them, their pinyin or
        None), concatenated: only the small value tables are looked at, never single documents."""
        column = cls.__new__(cls)
        values = sorted(set().union([""], *(table for table, _, _ in parts)))
        index = {v: i for i, v in enumerate(values)}
        column.values, column._index = values, index
        spelled = np.full(len(values), None, dtype=object)
        mapped = []
        for table, codes, spelling in parts:
            if not len(codes):
                continue
            to_global = np.fromiter(map(index.__getitem__, table), dtype=np.int32, count=len(table))
            mapped.append(to_global[codes])
            if spelling is not None:
                spelled[to_global] = np.array(spelling, dtype=object)
        column.codes = np.concatenate(mapped) if mapped else np.zeros(0, dtype=np.int32)
        column._pinyin_rank = None
        column._spelled = spelled
        return column

    @property
    def pinyin_rank(self) -> np.ndarray:
        """Each code's position in pinyin order; computed on the first count that needs it."""
        if self._pinyin_rank is None:
            spelled = self._spelled.tolist() if self._spelled is not None else [None] * len(self.values)
            # '' (unknown) needs no pinyin: asking pypinyin would load its tables (~55 MB).
            keys = [(p, v) if p is not None else (("", v) if not v else pinyin_key(v))
                    for p, v in zip(spelled, self.values, strict=True)]
            order = sorted(range(len(self.values)), key=keys.__getitem__)
            rank = np.empty(len(self.values), dtype=np.int64)
            rank[np.asarray(order, dtype=np.int64)] = np.arange(len(order))
            self._pinyin_rank = rank
        return self._pinyin_rank

    def mask(self, wanted: Sequence[str]) -> np.ndarray:
        codes = [self._index[v] for v in wanted if v in self._index]
        return np.isin(self.codes, np.asarray(codes, dtype=np.int32))

    def count(self, ids: np.ndarray) -> Counted:
        """Every value with at least one document among ``ids`` and its count, in code order."""
        counts = np.bincount(self.codes[ids], minlength=len(self.values))
        counts[0] = 0  # unknown values are not a facet choice
        nonzero = np.flatnonzero(counts)
        return nonzero, counts[nonzero]

    def values_of(self, counted: Counted, limit: int | None, by_value: bool = False) -> list[FacetValue]:
        """The first ``limit`` (None: all) counted values in display order: ``by_value``
        (values are sorted) newest first, else by count, then pinyin. Only the values shown
        are sorted: ``rank − count·len(values)`` orders by count, then pinyin rank (ranks are
        distinct and below ``len(values)``), so a partition finds the first ``limit``."""
        codes, counts = counted
        if by_value:
            order = np.arange(len(codes))[::-1][:limit]
        else:
            key = self.pinyin_rank[codes] - counts.astype(np.int64) * len(self.values)
            if limit is not None and limit < len(key):
                order = np.argpartition(key, limit)[:limit]
                order = order[np.argsort(key[order])]
            else:
                order = np.argsort(key)
        return [FacetValue(self.values[i], int(c)) for i, c in zip(codes[order].tolist(), counts[order].tolist(), strict=True)]

    def counts(self, ids: np.ndarray, by_value: bool = False, limit: int | None = MAX_VALUES) -> list[FacetValue]:
        return self.values_of(self.count(ids), limit, by_value)


def filter_mask(columns: Mapping[str, FacetColumn], filters: Mapping[str, Sequence[str]], size: int,
                skip: str | None = None) -> np.ndarray:
    """AND across facets, OR within one; ``skip`` leaves one facet's filter out (its own
    counts are disjunctive: computed as if its filter were off)."""
    mask = np.ones(size, dtype=bool)
    for key, wanted in filters.items():
        if key not in columns:
            raise QueryError(f"未知的筛选字段 {key!r}（可用：{'、'.join(FACETS)}）")
        if wanted and key != skip:
            mask &= columns[key].mask(list(wanted))
    return mask


def count_facets(columns: Mapping[str, FacetColumn], ids: np.ndarray,
                 limit: int | None = MAX_VALUES) -> dict[str, list[FacetValue]]:
    return {key: columns[key].counts(ids, by_value=key in BY_VALUE, limit=limit) for key in FACETS}
