"""One segment's derived data: what query evaluation reads beside each Whoosh segment.

Three files per segment, all written from the preparation workers' output when the segment
is committed (indexer/writer.py), before Whoosh's table of contents names the segment:
the character index (indexer/textindex.py, ``.gsx``), the word postings
(indexer/wordindex.py, ``.gsw``) and the per-document values (indexer/metaindex.py, ``.gsm``).
A segment made by merging others gets its files from theirs (:meth:`SegmentData.record`).
If a file is missing or unreadable, the segment's data is rebuilt from its stored Documents
(slow, but nothing is lost: the stored Document is the source of everything here).
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from indexer import arrayfile, dedup, metaindex, textindex, wordindex
from indexer.api import FACETS
from indexer.document import Document
from indexer.facets import pinyin_key
from indexer.prepare import prepare
from indexer.sections import NO_PART

SUFFIXES = (textindex.SUFFIX, wordindex.SUFFIX, metaindex.SUFFIX)


@dataclass
class Record:
    """Everything derived from one document (prepare's output, as the segment files hold it)."""

    id: str
    text: tuple[str, str, tuple[int, ...]]
    words: wordindex.Counts
    title_words: wordindex.Counts
    meta: dict[str, Any]
    sig: np.ndarray | None

    @classmethod
    def of(cls, data: dict[str, Any]) -> Record:
        return cls(data["id"], data["text"], data["words"], data["title_words"], data["meta"], data["sig"])


def build_arrays(records: Sequence[Record]) -> dict[str, dict[str, np.ndarray]]:
    """The arrays of the three files, by suffix, for records in document-number order."""
    return {
        textindex.SUFFIX: textindex.build(r.text for r in records),
        wordindex.SUFFIX: wordindex.build({"words": [r.words for r in records],
                                           "title_words": [r.title_words for r in records]}),
        metaindex.SUFFIX: metaindex.build([r.meta for r in records], [r.sig for r in records],
                                          spelled=dict.fromkeys(FACETS, lambda v: pinyin_key(v)[0])),
    }


def write_files(index_dir: Path, segment_id: str, records: Sequence[Record]) -> None:
    for suffix, arrays in build_arrays(records).items():
        arrayfile.write(index_dir / f"{segment_id}{suffix}", _MAGIC[suffix], arrays)


_MAGIC = {textindex.SUFFIX: textindex.MAGIC, wordindex.SUFFIX: wordindex.MAGIC, metaindex.SUFFIX: metaindex.MAGIC}


def merge_files(index_dir: Path, segment_id: str, parts: Sequence[SegmentData]) -> None:
    """The files of a segment made of ``parts``' documents laid end to end (none deleted),
    merged from the parts' arrays (one file at a time, to keep the peak memory down)."""
    merges = {
        textindex.SUFFIX: lambda: textindex.merge([p.text for p in parts]),
        wordindex.SUFFIX: lambda: wordindex.merge([p.words for p in parts], [p.n for p in parts]),
        metaindex.SUFFIX: lambda: metaindex.merge([p.meta for p in parts]),
    }
    for suffix, merge in merges.items():
        arrayfile.write(index_dir / f"{segment_id}{suffix}", _MAGIC[suffix], merge())


@dataclass
class SegmentData:
    """Immutable data of one Whoosh segment: its character index, word index and values."""

    text: textindex.SegmentText
    words: wordindex.SegmentWords
    meta: metaindex.SegmentMeta
    _bands: dict[str, list[int]] | None = field(default=None, repr=False)
    _para_part: np.ndarray | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return self.meta.n

    def records(self, docs: Sequence[int]) -> list[Record]:
        """Documents' derived data, as written (to merge this segment into another)."""
        body = self.words.per_document("words", self.n)
        title = self.words.per_document("title_words", self.n)
        texts = self.text.documents()
        return [Record(self.meta.value("id", j), texts[j], body[j], title[j],
                       self.meta.record(j), self.meta.signature(j)) for j in docs]

    def para_part(self) -> np.ndarray:
        """The report part code (0 = none, 1..5 in sections.PARTS order) of every paragraph
        unit of the segment's text index, built on first use from the documents' ``sp``."""
        if self._para_part is None:
            starts = self.text.para_starts
            # Paragraph units per document: a document without paragraphs still has one.
            counts = np.diff(np.searchsorted(starts, self.text.doc_starts))
            codes = []
            for sp, n in zip(self.meta.strings("sp"), counts.tolist(), strict=False):
                codes.append(sp if len(sp) == n else NO_PART * n)
            joined = "".join(codes).encode("ascii")
            self._para_part = np.frombuffer(joined, dtype=np.uint8) - ord(NO_PART) if joined else np.zeros(0, np.uint8)
        return self._para_part

    def bands(self) -> dict[str, list[int]]:
        """MinHash band token → segment document numbers (built on first use: only writers ask)."""
        if self._bands is None:
            bands: dict[str, list[int]] = {}
            for j in range(self.n):
                sig = self.meta.signature(j)
                if sig is not None:
                    for token in dedup.band_tokens(sig):
                        bands.setdefault(token, []).append(j)
            self._bands = bands
        return self._bands


def beside(index_dir: Path, segment: Any, suffix: str) -> Path:
    """A file kept beside a segment; its name matches Whoosh's segment-file pattern, so
    Whoosh deletes it together with the segment."""
    return index_dir / f"{segment.segment_id()}{suffix}"


def stored_records(reader: Any) -> list[Record]:
    """Every document of a segment prepared again from its stored Document (deleted ones
    too: document numbers must line up)."""
    out = []
    for i in range(reader.doc_count_all()):
        stored = reader.stored_fields(i)
        doc = Document.from_json(zlib.decompress(stored["doc"]).decode("utf-8"))
        data = prepare(doc)
        data["meta"]["dup"] = data["meta"]["id"]  # copy groups are not stored: each its own
        out.append(Record.of(data))
    return out


def load_segment(reader: Any, index_dir: Path, writable: bool) -> SegmentData:
    """A segment's data from its files; rebuilt from the stored Documents when one is
    missing or unreadable (and written back when ``writable``)."""
    segment = reader.segment()
    text = textindex.load(beside(index_dir, segment, textindex.SUFFIX))
    words = wordindex.load(beside(index_dir, segment, wordindex.SUFFIX))
    meta = metaindex.load(beside(index_dir, segment, metaindex.SUFFIX))
    if text is not None and words is not None and meta is not None and meta.n == reader.doc_count_all():
        return SegmentData(text, words, meta)
    records = stored_records(reader)
    if writable:
        try:
            write_files(index_dir, segment.segment_id(), records)
            return load_segment(reader, index_dir, writable=False)
        except OSError:
            pass
    arrays = build_arrays(records)
    return SegmentData(textindex.SegmentText(arrays[textindex.SUFFIX]),
                       wordindex.SegmentWords(arrays[wordindex.SUFFIX]),
                       metaindex.SegmentMeta(arrays[metaindex.SUFFIX]))
