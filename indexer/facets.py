"""Facet values per document and facet counts over a result set.

Counting is vectorised: each facet is an integer code per document (0 = unknown), and the
counts for a result set are one ``numpy.bincount``. That keeps facets cheap even when a
query matches every document, which Whoosh's ``groupedby`` (which scores every match) is not.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from indexer.api import DELETED, FACETS, FacetValue, QueryError
from indexer.document import Document
from indexer.sections import is_annual_report, parts_facet

MAX_VALUES = 50  # per facet in a response


def facet_values(doc: Document) -> dict[str, str]:
    """The facet values of one document ('' when unknown)."""
    year = doc.effective_year
    return {
        "year": str(year) if year else "",
        "province": doc.region.province or "",
        "city": doc.region.city or "",
        "county": doc.region.county or "",
        "publisher": doc.publisher or "",
        "doc_type": doc.doc_type or "",
        "site": doc.site or "",
        "parts": parts_facet(doc.paragraphs) if is_annual_report(doc) else "",
        "status": DELETED if doc.deleted else "",
    }


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

    def mask(self, wanted: Sequence[str]) -> np.ndarray:
        codes = [self._index[v] for v in wanted if v in self._index]
        return np.isin(self.codes, np.asarray(codes, dtype=np.int32))

    def counts(self, ids: np.ndarray, by_value: bool = False) -> list[FacetValue]:
        counts = np.bincount(self.codes[ids], minlength=len(self.values))
        counts[0] = 0  # unknown values are not a facet choice
        nonzero = np.flatnonzero(counts)
        if by_value:
            order = nonzero[::-1]  # values are sorted: newest year first
        else:
            order = nonzero[np.lexsort((nonzero, -counts[nonzero]))]
        return [FacetValue(self.values[i], int(counts[i])) for i in order[:MAX_VALUES]]


def filter_mask(columns: Mapping[str, FacetColumn], filters: Mapping[str, Sequence[str]], size: int) -> np.ndarray:
    """AND across facets, OR within one facet."""
    mask = np.ones(size, dtype=bool)
    for key, wanted in filters.items():
        if key not in columns:
            raise QueryError(f"未知的筛选字段 {key!r}（可用：{'、'.join(FACETS)}）")
        if wanted:
            mask &= columns[key].mask(list(wanted))
    return mask


def count_facets(columns: Mapping[str, FacetColumn], ids: np.ndarray) -> dict[str, list[FacetValue]]:
    return {key: columns[key].counts(ids, by_value=(key == "year")) for key in FACETS}
