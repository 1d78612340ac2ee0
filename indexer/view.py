"""What query evaluation reads: per-segment data, and one view per index generation.

Whoosh segments never change once written, so each segment's data (its column values, its
character index, its word index, the report part of each paragraph) is loaded once and cached
by segment id; a :class:`View` assembles them for one committed generation as global arrays
(live documents, dates, facet columns, copy groups) plus that generation's caches.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from indexer import dedup, textindex, wordindex
from indexer.api import FACETS
from indexer.facets import FacetColumn
from indexer.prepare import unpack_text
from indexer.sections import NO_PART


@dataclass
class SegmentData:
    """Immutable data of one Whoosh segment: its column values and its text index."""

    meta: list[dict[str, Any]]
    sigs: list[bytes]
    text: textindex.SegmentText
    words: wordindex.SegmentWords
    _bands: dict[str, list[int]] | None = None
    _para_part: np.ndarray | None = None

    def para_part(self) -> np.ndarray:
        """The report part code (0 = none, 1..5 in sections.PARTS order) of every paragraph
        unit of the segment's text index, built on first use from the documents' ``sp``."""
        if self._para_part is None:
            starts = self.text.para_starts
            # Paragraph units per document: a document without paragraphs still has one.
            counts = np.diff(np.searchsorted(starts, self.text.doc_starts))
            codes = []
            for m, n in zip(self.meta, counts.tolist(), strict=False):
                sp = m.get("sp") or ""
                codes.append(sp if len(sp) == n else NO_PART * n)
            joined = "".join(codes).encode("ascii")
            self._para_part = np.frombuffer(joined, dtype=np.uint8) - ord(NO_PART) if joined else np.zeros(0, np.uint8)
        return self._para_part

    def bands(self) -> dict[str, list[int]]:
        """MinHash band token → segment document numbers (built on first use: only writers ask)."""
        if self._bands is None:
            bands: dict[str, list[int]] = {}
            for j, sig in enumerate(self.sigs):
                if sig:
                    for token in dedup.band_tokens(np.frombuffer(sig, dtype=np.uint64)):
                        bands.setdefault(token, []).append(j)
            self._bands = bands
        return self._bands


def segment_texts(reader: Any) -> Iterator[tuple[str, str, Sequence[int]]]:
    m_col = reader.column_reader("m")
    for i in range(reader.doc_count_all()):
        raw = m_col[i]
        yield unpack_text(raw) if raw else ("", "", ())


def beside(index_dir: Path, segment: Any, suffix: str) -> Path:
    """A file kept beside a segment; its name matches Whoosh's segment-file pattern, so
    Whoosh deletes it together with the segment."""
    return index_dir / f"{segment.segment_id()}{suffix}"


def load_segment(reader: Any, index_dir: Path, writable: bool) -> SegmentData:
    n = reader.doc_count_all()
    f_col = reader.column_reader("f")
    mh_col = reader.column_reader("mh")
    meta = [json.loads(raw) if (raw := f_col[i]) else {} for i in range(n)]
    sigs = [mh_col[i] or b"" for i in range(n)]
    segment = reader.segment()
    text = textindex.load_or_build(beside(index_dir, segment, textindex.SUFFIX), lambda: segment_texts(reader), writable)
    word_index = wordindex.load_or_build(beside(index_dir, segment, wordindex.SUFFIX), reader, writable)
    return SegmentData(meta, sigs, text, word_index)


class View:
    """Everything query evaluation needs for one index generation, as global arrays."""

    def __init__(self, searcher: Any, segments: dict[str, SegmentData], load: Callable[[Any], SegmentData]) -> None:
        self.searcher = searcher
        reader = searcher.reader()
        self.leaves: list[tuple[Any, int]] = list(reader.leaf_readers()) if reader.doc_count_all() else []
        self.size = reader.doc_count_all()
        self.offsets = np.array([offset for _, offset in self.leaves], dtype=np.int64)
        self.data: list[SegmentData] = []
        self.meta: list[dict[str, Any]] = []
        self.sigs: list[bytes] = []
        self.live = np.ones(self.size, dtype=bool)
        self.segment_ids: list[str] = []
        for leaf, offset in self.leaves:
            seg_id = leaf.segment().segment_id()
            self.segment_ids.append(seg_id)
            data = segments.get(seg_id)
            if data is None:
                data = segments[seg_id] = load(leaf)
            self.data.append(data)
            self.meta += data.meta
            self.sigs += data.sigs
            deleted = leaf.deleted_docs_set
            if deleted:
                self.live[[offset + d for d in deleted]] = False
        self.texts = [d.text for d in self.data]
        meta = self.meta
        self.ids = [m.get("id", "") for m in meta]
        self.by_id = {doc_id: i for i, doc_id in enumerate(self.ids) if self.live[i]}
        self.dates = np.array([m.get("date", 0) for m in meta], dtype=np.int64)
        self.years = np.array([int(m.get("year") or 0) for m in meta], dtype=np.int64)
        self.nw = np.array([m.get("nw", 0) for m in meta], dtype=np.float64)
        self.ntw = np.array([m.get("ntw", 0) for m in meta], dtype=np.float64)
        self.facets = {key: FacetColumn([m.get(key, "") for m in meta]) for key in FACETS}
        self.current = np.array([not m.get("vof") for m in meta], dtype=bool)
        groups = [m.get("dup") or m.get("id", "") for m in meta]
        self.dup = FacetColumn(groups).codes
        self.live_count = int(self.live.sum())
        self.term_cache: OrderedDict[tuple[Any, ...], np.ndarray] = OrderedDict()
        self.results: OrderedDict[tuple[Any, ...], tuple[np.ndarray, np.ndarray, dict[str, Any]]] = OrderedDict()
        self._m_columns: dict[int, Any] = {}

    def locate(self, docnum: int) -> tuple[int, int]:
        """(segment index, segment document number) of a global document number."""
        k = int(np.searchsorted(self.offsets, docnum, side="right")) - 1
        return k, docnum - int(self.offsets[k])

    def normalized_paragraphs(self, docnum: int) -> list[str]:
        """The document's paragraphs as match text, from its column (read in place)."""
        k, local = self.locate(docnum)
        column = self._m_columns.get(k)
        if column is None:
            column = self._m_columns[k] = self.leaves[k][0].column_reader("m")
        raw = column[local]
        if not raw:
            return []
        _, body, starts = unpack_text(raw)
        return [body[a:b] for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]

    def word_postings(self, field: str, key: int) -> tuple[np.ndarray, np.ndarray]:
        """(global document numbers, frequencies) of a word (by wordindex.term_hash) in every segment."""
        parts = [(data.words.postings(field, key), offset) for data, offset in zip(self.data, self.offsets.tolist(), strict=True)]
        parts = [(p, offset) for p, offset in parts if len(p[0])]
        if not parts:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        ids = np.concatenate([docs.astype(np.int64) + offset for (docs, _), offset in parts])
        return ids, np.concatenate([tf for (_, tf), _ in parts]).astype(np.float64)
