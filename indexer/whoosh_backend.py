"""The embedded backend: Whoosh stores and commits, numpy evaluates.

Whoosh gives durable segments, atomic commits, a writer lock, word postings and
per-document columns. Query evaluation does not use Whoosh's matchers: exact substring
semantics come from a positional character-bigram index kept beside each segment
(indexer.textindex, ``<segment>.gsx``), and facets over every match need vectorised
counting. Both work over per-segment data cached by segment id — Whoosh segments never
change once written, so the cache is only ever extended, never invalidated (deletions are
a separate per-generation mask).

Fields (see make_schema):
  words        rjieba words of the body, with frequencies: BM25F (counted in the workers)
  title_words  rjieba words of the title: BM25F with a title boost
  m            column: normalised title, body and paragraph offsets (text index, passages)
  f            column: small JSON of facet/sort values
  mh           column: MinHash signature (near-duplicates)
  doc          stored: the whole Document as JSON
"""

from __future__ import annotations

import hashlib
import json
import math
import multiprocessing
import os
import struct
import threading
import time
import zlib
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import analysis as wanalysis
from whoosh import columns, fields, formats
from whoosh import index as windex
from whoosh import writing as windex_writing
from whoosh.index import LockError
from whoosh.reading import SegmentReader
from whoosh.system import pack_uint

from indexer import arrayfile, changes, dedup, formatfile, textindex, whoosh_patches, wordindex
from indexer.analysis import normalize, words, words_of_all
from indexer.api import (
    FACETS,
    MAX_LIMIT,
    SORTS,
    Change,
    Copy,
    FacetValue,
    Hit,
    IndexReport,
    Passage,
    QueryError,
    SearchRequest,
    SearchResults,
)
from indexer.document import Document
from indexer.facets import FacetColumn, count_facets, facet_values, filter_mask, is_annual_report
from indexer.highlight import best_passages, highlight
from indexer.query import (
    And,
    MatchAll,
    Near,
    Node,
    Not,
    Option,
    Or,
    Range,
    Section,
    Term,
    has_option,
    parse_query,
    positive_strings,
)
from indexer.sections import NO_PART, PART_CODES, outline

whoosh_patches.apply()


INDEX_NAME = "govsearch"

# BM25F parameters (docs/ranking.md).
K1 = 1.2
B = 0.75
TITLE_BOOST = 3.0
PROXIMITY_WEIGHT = 10.0  # per tier: same sentence = 2 tiers, same paragraph = 1
RERANK_DEPTH = 200
WRITER_MEMORY_MB = 512  # Whoosh's posting pool; smaller spills to disk via pickle, much slower
TERM_CACHE_SIZE = 256  # string → match mask per index generation
RESULT_CACHE_SIZE = 64  # ranked results per index generation: paging is a cache hit
SMALL_BATCH = 32  # below this, analysing in this process beats starting workers
SMALL_SEGMENT = 200  # live documents: smaller segments are merged at each commit


class WordsField(fields.FieldType):
    """A word-frequency field whose value may arrive already counted and encoded.

    The analysis workers segment and count the words; handing Whoosh the finished
    ``(term bytes, frequency, weight, encoded frequency)`` tuples spares the single writer
    process re-tokenising a joined string. A plain string is still accepted.
    """

    def __init__(self) -> None:
        super().__init__(formats.Frequency(), wanalysis.SpaceSeparatedTokenizer(), scorable=True)

    def index(self, value: Any, **kwargs: Any) -> Any:
        if isinstance(value, list):
            return value
        return super().index(value, **kwargs)


def encode_words(found: Sequence[str]) -> list[tuple[bytes, int, float, bytes]]:
    """What Whoosh's Frequency format would produce for these words, in the worker."""
    counts: dict[str, int] = {}
    for w in found:
        counts[w] = counts.get(w, 0) + 1
    return [(w.encode("utf-8"), n, float(n), pack_uint(n)) for w, n in counts.items()]


def make_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        words=WordsField(),
        title_words=WordsField(),
        m=fields.COLUMN(columns.VarBytesColumn()),
        f=fields.COLUMN(columns.VarBytesColumn()),
        mh=fields.COLUMN(columns.VarBytesColumn()),
        doc=fields.STORED(),
    )


# ----------------------------------------------------------------------------- preparation


def _fingerprint(doc: Document) -> str:
    d = doc.to_dict()
    for volatile in ("captured", "capture_sha256"):
        d.pop(volatile, None)
    return hashlib.sha256(json.dumps(d, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:24]


def _pack_text(title: str, body: str, para_offsets: Sequence[int]) -> bytes:
    """The normalised-text column value, deflated (zlib level 1: ~0.1 ms a report, ~45% of the size)."""
    tb, bb = title.encode("utf-8"), body.encode("utf-8")
    packed = b"".join(
        [struct.pack("<II", len(tb), len(bb)), tb, bb, struct.pack(f"<{len(para_offsets)}I", *para_offsets)]
    )
    return zlib.compress(packed, 1)


def _unpack_text(raw: bytes) -> tuple[str, str, tuple[int, ...]]:
    """(normalised title, normalised body, paragraph start offsets) of a column value."""
    raw = zlib.decompress(raw)
    lt, lb = struct.unpack_from("<II", raw)
    title = raw[8 : 8 + lt].decode("utf-8")
    body = raw[8 + lt : 8 + lt + lb].decode("utf-8")
    offsets = raw[8 + lt + lb :]
    return title, body, struct.unpack(f"<{len(offsets) // 4}I", offsets)


def prepare(doc: Document) -> dict[str, Any]:
    """Everything expensive about indexing one document; runs in worker processes."""
    ntitle = normalize(doc.title or "")
    nparas = [normalize(p) for p in doc.paragraphs]
    offsets, pos = [], 0
    for p in nparas:
        offsets.append(pos)
        pos += len(p)
    nbody = "".join(nparas)
    title_words = words(doc.title or "")
    body_words = words_of_all(doc.paragraphs)
    sig = dedup.signature(nbody)
    meta = facet_values(doc)
    # The report part of every paragraph (indexer/sections.py), for section: queries.
    meta["sp"] = outline(doc.paragraphs).codes() if is_annual_report(doc) else ""
    date = doc.published or doc.written
    meta.update(
        id=doc.id,
        source=doc.source,
        date=date.year * 10000 + date.month * 100 + date.day if date else 0,
        docno=normalize(doc.doc_number or ""),
        publisher_n=normalize(doc.publisher or ""),
        region_n=normalize(doc.region.display()),
        type_n=normalize(doc.doc_type or ""),
        ry=str(doc.year or ""),  # the report year the title names: copies never span two
        vof=doc.version_of or "",  # an earlier version: searched only with versions:all
        ev=changes.events(doc),  # (time, kind) for the change feed
        nw=len(body_words),
        ntw=len(title_words),
        fp=_fingerprint(doc),
    )
    return {
        "id": doc.id,
        "words": encode_words(body_words),
        "title_words": encode_words(title_words),
        "sig": sig,
        "m": _pack_text(ntitle, nbody, offsets),
        "meta": meta,
        "doc": zlib.compress(doc.to_json().encode("utf-8"), 6),  # stored deflated: ~40% of the JSON
    }


def _prepare_safely(doc: Document) -> tuple[str, dict[str, Any] | None, str | None]:
    try:
        return doc.id, prepare(doc), None
    except Exception as exc:  # one bad document must not stop a run
        return doc.id, None, f"{type(exc).__name__}: {exc}"


def _bounded_imap(pool: Any, func: Callable[[Any], Any], items: Iterable[Any], window: int) -> Iterator[Any]:
    """Like ``pool.imap`` but with at most ``window`` items in flight: ``imap`` reads its whole
    input ahead, which for a 100k-file run means every document in memory at once."""
    pending: deque[Any] = deque()
    for item in items:
        pending.append(pool.apply_async(func, (item,)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


# ----------------------------------------------------------------------------- per-segment data


@dataclass
class _SegmentData:
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


def _segment_texts(reader: Any) -> Iterator[tuple[str, str, Sequence[int]]]:
    m_col = reader.column_reader("m")
    for i in range(reader.doc_count_all()):
        raw = m_col[i]
        yield _unpack_text(raw) if raw else ("", "", ())


def _beside(index_dir: Path, segment: Any, suffix: str) -> Path:
    """A file kept beside a segment; its name matches Whoosh's segment-file pattern, so
    Whoosh deletes it together with the segment."""
    return index_dir / f"{segment.segment_id()}{suffix}"


def _load_segment(reader: Any, index_dir: Path, writable: bool) -> _SegmentData:
    n = reader.doc_count_all()
    f_col = reader.column_reader("f")
    mh_col = reader.column_reader("mh")
    meta = [json.loads(raw) if (raw := f_col[i]) else {} for i in range(n)]
    sigs = [mh_col[i] or b"" for i in range(n)]
    segment = reader.segment()
    text = textindex.load_or_build(_beside(index_dir, segment, textindex.SUFFIX), lambda: _segment_texts(reader), writable)
    word_index = wordindex.load_or_build(_beside(index_dir, segment, wordindex.SUFFIX), reader, writable)
    return _SegmentData(meta, sigs, text, word_index)


def _merge_small(writer: Any, segments: list[Any]) -> list[Any]:
    """Whoosh merge policy: fold segments with fewer than SMALL_SEGMENT live documents into
    the segment being written. A crawl that commits a few documents at a time would
    otherwise leave thousands of tiny segments; large segments are never rewritten while
    indexing (rewriting them at every commit made long runs quadratic)."""
    small = [s for s in segments if s.doc_count() < SMALL_SEGMENT]
    if len(small) < 2 and not (small and writer._added):
        return segments
    for segment in small:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
    return [s for s in segments if s not in small]


class _View:
    """Everything query evaluation needs for one index generation, as global arrays."""

    def __init__(self, searcher: Any, segments: dict[str, _SegmentData], load: Callable[[Any], _SegmentData]) -> None:
        self.searcher = searcher
        reader = searcher.reader()
        self.leaves: list[tuple[Any, int]] = list(reader.leaf_readers()) if reader.doc_count_all() else []
        self.size = reader.doc_count_all()
        self.offsets = np.array([offset for _, offset in self.leaves], dtype=np.int64)
        self.data: list[_SegmentData] = []
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
        _, body, starts = _unpack_text(raw)
        return [body[a:b] for a, b in zip(starts, [*starts[1:], len(body)], strict=True)]


# ----------------------------------------------------------------------------- the backend


class WhooshBackend:
    """The embedded search backend (implements indexer.api.SearchBackend)."""

    def __init__(self, data_dir: str | os.PathLike[str], *, readonly: bool = False, workers: int | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / "index"
        self.readonly = readonly
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.path.mkdir(parents=True, exist_ok=True)
        format_file = self.path / "FORMAT"
        if windex.exists_in(str(self.path), indexname=INDEX_NAME):
            self.ix = windex.open_dir(str(self.path), indexname=INDEX_NAME)
            reason = formatfile.mismatch(format_file)
            if reason is None and set(self.ix.schema.names()) != set(make_schema().names()):
                reason = f"索引字段与本版本不同；{formatfile.REBUILD}"
            if reason is not None:
                raise QueryError(f"索引 {self.path} 不能使用：{reason}")
        else:
            self.ix = windex.create_in(str(self.path), make_schema(), indexname=INDEX_NAME)
            formatfile.write(format_file)
        self._lock = threading.RLock()
        self._searcher: Any = None
        self._view: _View | None = None
        self._checked = 0.0
        self._segments: dict[str, _SegmentData] = {}

    # -- reading -----------------------------------------------------------------

    def _current_view(self) -> _View:
        """The view of the latest committed generation (checked at most every 0.2 s)."""
        now = time.monotonic()
        if self._searcher is None:
            self._searcher = self.ix.searcher()
        elif (self._checked == 0.0 or now - self._checked > 0.2) and not self._searcher.up_to_date():
            # Not searcher.refresh(): it reuses segment readers whose cached deletion sets
            # predate the commit, so replaced documents would stay visible.
            self._searcher.close()
            self._searcher = self.ix.searcher()
            self._view = None
        self._checked = now
        if self._view is None or self._view.searcher is not self._searcher:
            self._view = _View(self._searcher, self._segments,
                               lambda leaf: _load_segment(leaf, self.path, writable=not self.readonly))
            live_ids = set(self._view.segment_ids)
            for seg_id in list(self._segments):
                if seg_id not in live_ids:
                    del self._segments[seg_id]
        return self._view

    def _word_postings(self, view: _View, field: str, key: int) -> tuple[np.ndarray, np.ndarray]:
        """(global document numbers, frequencies) of a word (by wordindex.term_hash) in every segment."""
        parts = [(data.words.postings(field, key), offset) for data, offset in zip(view.data, view.offsets.tolist(), strict=True)]
        parts = [(p, offset) for p, offset in parts if len(p[0])]
        if not parts:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        ids = np.concatenate([docs.astype(np.int64) + offset for (docs, _), offset in parts])
        return ids, np.concatenate([tf for (_, tf), _ in parts]).astype(np.float64)

    # -- query evaluation -----------------------------------------------------------

    def _cached(self, view: _View, key: tuple[Any, ...], compute: Callable[[], np.ndarray]) -> np.ndarray:
        """A match mask over the whole index, remembered for this index generation: later
        queries (other pages, refinements, the same string in another query) reuse it."""
        full = view.term_cache.get(key)
        if full is not None:
            view.term_cache.move_to_end(key)
            return full
        full = compute()
        view.term_cache[key] = full
        while len(view.term_cache) > TERM_CACHE_SIZE:
            view.term_cache.popitem(last=False)
        return full

    def _term(self, view: _View, node: Term, within: np.ndarray) -> np.ndarray:
        return self._cached(view, ("term", node.field, node.text), lambda: self._term_mask(view, node)) & within

    def _term_mask(self, view: _View, node: Term) -> np.ndarray:
        text = node.text
        mask = np.zeros(view.size, dtype=bool)
        if node.field in (None, "title"):
            for seg, offset in zip(view.texts, view.offsets.tolist(), strict=True):
                if node.field is None:
                    mask[seg.doc_hits(text) + offset] = True
                    continue
                positions = seg.positions(text)
                docs = seg.docs_of(positions)
                mask[docs[seg.in_title(positions, docs)] + offset] = True
        else:
            key = {"publisher": "publisher_n", "docno": "docno", "region": "region_n", "type": "type_n",
                   "status": "status"}[node.field]
            meta = view.meta
            mask[[i for i in np.flatnonzero(view.live).tolist() if text in meta[i].get(key, "")]] = True
        return mask & view.live

    def _near_mask(self, view: _View, terms: tuple[str, ...], unit: str) -> np.ndarray:
        """Documents where one body sentence (``unit="sentence"``) or paragraph holds every term."""

        def compute() -> np.ndarray:
            mask = np.zeros(view.size, dtype=bool)
            candidates = view.live
            for term in terms:  # documents that hold every term somewhere: cheap, cached
                candidates = self._term(view, Term(term), candidates)
            bounds = [*view.offsets.tolist(), view.size]
            for k, (seg, offset) in enumerate(zip(view.texts, view.offsets.tolist(), strict=True)):
                local = np.flatnonzero(candidates[offset : bounds[k + 1]])
                if not len(local):
                    continue
                common = seg.common_units(terms, unit, local)
                if len(common):
                    mask[seg.unit_docs(common, unit) + offset] = True
            return mask & view.live

        return self._cached(view, ("near", unit, terms), compute)

    def _tiers(self, view: _View, docnums: np.ndarray, terms: tuple[str, ...]) -> np.ndarray:
        """Proximity tier of each document: 2 if one sentence holds every term, 1 if one
        paragraph does, else 0 — looking only at these documents' occurrences (or at a
        同句/同段 answer over the same terms that is already known)."""
        tier = np.zeros(view.size, dtype=np.float64)
        known = {unit: view.term_cache.get(("near", unit, terms)) for unit in ("paragraph", "sentence")}
        for unit, value in (("paragraph", 1.0), ("sentence", 2.0)):
            if known[unit] is not None:
                tier[known[unit]] = value
        todo = docnums[tier[docnums] < 2]
        segment_of = np.searchsorted(view.offsets, todo, side="right") - 1
        for k in np.unique(segment_of).tolist():
            seg, offset = view.texts[k], int(view.offsets[k])
            local = np.unique(todo[segment_of == k] - offset)
            if known["paragraph"] is None:
                common = seg.common_units(terms, "paragraph", local)
                if not len(common):
                    continue  # no paragraph holds every term: no sentence either
                local = seg.unit_docs(common, "paragraph")
                tier[local + offset] = 1.0
            else:
                local = local[tier[local + offset] >= 1]
            if known["sentence"] is None and len(local):
                common = seg.common_units(terms, "sentence", local)
                tier[seg.unit_docs(common, "sentence") + offset] = 2.0
        return tier[docnums]

    def _near(self, view: _View, node: Near, within: np.ndarray) -> np.ndarray:
        return self._near_mask(view, tuple(node.terms), node.unit) & within

    # -- section: (report parts) ----------------------------------------------------------

    @staticmethod
    def _scope_codes(scope: frozenset[str]) -> np.ndarray:
        return np.array(sorted(int(PART_CODES[p]) for p in scope), dtype=np.uint8)

    def _has_parts_mask(self, view: _View, scope: frozenset[str]) -> np.ndarray:
        """Documents with at least one paragraph in one of the parts."""

        def compute() -> np.ndarray:
            mask = np.zeros(view.size, dtype=bool)
            codes = self._scope_codes(scope)
            for data, offset in zip(view.data, view.offsets.tolist(), strict=True):
                inside = np.flatnonzero(np.isin(data.para_part(), codes))
                if len(inside):
                    mask[data.text.unit_docs(inside, "paragraph") + offset] = True
            return mask & view.live

        return self._cached(view, ("has-parts", scope), compute)

    def _scoped_mask(self, view: _View, terms: tuple[str, ...], unit: str, scope: frozenset[str]) -> np.ndarray:
        """Documents where one body paragraph of the parts holds every term (``unit`` =
        "paragraph": one term is a plain string there), or one sentence of such a paragraph does."""

        def compute() -> np.ndarray:
            mask = np.zeros(view.size, dtype=bool)
            candidates = self._has_parts_mask(view, scope)
            for term in terms:
                candidates = self._term(view, Term(term), candidates)
            codes = self._scope_codes(scope)
            bounds = [*view.offsets.tolist(), view.size]
            for k, (data, offset) in enumerate(zip(view.data, view.offsets.tolist(), strict=True)):
                local = np.flatnonzero(candidates[offset : bounds[k + 1]])
                if not len(local):
                    continue
                seg = data.text
                ids = seg.common_units(terms, unit, local)
                if unit == "sentence" and len(ids):
                    paragraphs = np.searchsorted(seg.para_starts, seg.sent_starts[ids], side="right") - 1
                else:
                    paragraphs = ids
                keep = ids[np.isin(data.para_part()[paragraphs], codes)] if len(ids) else ids
                if len(keep):
                    mask[seg.unit_docs(keep, unit) + offset] = True
            return mask & view.live

        return self._cached(view, ("scoped", scope, unit, terms), compute)

    def _eval(self, view: _View, node: Node, within: np.ndarray, scope: frozenset[str] | None = None) -> np.ndarray:
        if isinstance(node, Section):
            return self._eval(view, node.child, within & self._has_parts_mask(view, node.parts), node.parts)
        if scope is not None:
            # Text inside the parts: each string within one paragraph of them (同段/同句 too).
            if isinstance(node, Term) and node.field is None:
                return self._scoped_mask(view, (node.text,), "paragraph", scope) & within
            if isinstance(node, Near):
                return self._scoped_mask(view, tuple(node.terms), node.unit, scope) & within
        if isinstance(node, MatchAll | Option):
            return within.copy()
        if isinstance(node, Term):
            return self._term(view, node, within)
        if isinstance(node, Near):
            return self._near(view, node, within)
        if isinstance(node, Range):
            values = view.years if node.field == "year" else view.dates
            mask = within & (values > 0)
            if node.low is not None:
                mask &= values >= node.low
            if node.high is not None:
                mask &= values <= node.high
            return mask
        if isinstance(node, Not):
            return within & ~self._eval(view, node.child, within, scope)
        if isinstance(node, Or):
            out = np.zeros(view.size, dtype=bool)
            for child in node.children:
                out |= self._eval(view, child, within & ~out, scope)
            return out
        if isinstance(node, And):
            # Positive strings first (cheap candidates narrow everything after), negations last.
            ordered = sorted(node.children, key=lambda c: (isinstance(c, Not), not isinstance(c, Term | Range)))
            mask = within
            for child in ordered:
                mask = self._eval(view, child, mask, scope)
                if not mask.any():
                    break
            return mask
        raise QueryError(f"不支持的查询结构 {type(node).__name__}")

    # -- ranking ------------------------------------------------------------------

    def _bm25f(self, view: _View, ids: np.ndarray, strings: Sequence[str]) -> np.ndarray:
        query_words = list(dict.fromkeys(w for s in strings for w in words(s)))
        scores = np.zeros(view.size, dtype=np.float64)
        if not query_words or not len(ids):
            return scores[ids]
        live = view.live
        n_docs = max(view.live_count, 1)
        avg_body = max(float(view.nw[live].mean()) if n_docs else 1.0, 1.0)
        avg_title = max(float(view.ntw[live].mean()) if n_docs else 1.0, 1.0)
        norm_body = 1 - B + B * view.nw / avg_body
        norm_title = 1 - B + B * view.ntw / avg_title
        for w in query_words:
            tf = np.zeros(view.size, dtype=np.float64)
            key = wordindex.term_hash(w)
            bids, bw = self._word_postings(view, "words", key)
            tf[bids] += bw / norm_body[bids]
            tids, tw = self._word_postings(view, "title_words", key)
            tf[tids] += TITLE_BOOST * tw / norm_title[tids]
            df = int(np.count_nonzero(tf[live]))
            idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
            scores += idf * tf * (K1 + 1) / (tf + K1)
        return scores[ids]

    # -- public API ---------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResults:
        started = time.perf_counter()
        if request.sort not in SORTS:
            raise QueryError(f"未知的排序方式 {request.sort!r}（可用：{'、'.join(SORTS)}）")
        if not 0 <= request.limit <= MAX_LIMIT or request.offset < 0:
            raise QueryError(f"每页条数应在 0–{MAX_LIMIT} 之间，偏移量不能为负")
        node = parse_query(request.query)
        strings = positive_strings(node)
        with self._lock:
            view = self._current_view()
            key = (request.query, tuple(sorted((k, tuple(v)) for k, v in request.filters.items())),
                   request.sort, request.collapse, request.facets, request.all_versions)
            cached = view.results.get(key)
            if cached is None:
                cached = self._ranked(view, node, strings, request)
                view.results[key] = cached
                while len(view.results) > RESULT_CACHE_SIZE:
                    view.results.popitem(last=False)
            else:
                view.results.move_to_end(key)
            ids, scores, facets = cached
            page = ids[request.offset : request.offset + request.limit]
            page_scores = scores[request.offset : request.offset + request.limit]
            hits = [self._hit(view, int(i), float(s), strings, request) for i, s in zip(page, page_scores, strict=True)]
        return SearchResults(
            query=request.query,
            total=len(ids),
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            hits=hits,
            facets={k: [FacetValue(v.value, v.count) for v in vals] for k, vals in facets.items()},
            terms=strings,
        )

    def _ranked(self, view: _View, node: Node, strings: list[str],
                request: SearchRequest) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
        """Every matching document in result order, with scores and facet counts.

        Independent of the page asked for, so that paging through a result is a cache hit.
        """
        base = view.live & filter_mask(view.facets, request.filters, view.size)
        if not (request.all_versions or has_option(node, "versions", "all")):
            base &= view.current  # earlier versions of changed pages only when asked for
        mask = self._eval(view, node, base) if view.size else base
        ids = np.flatnonzero(mask)
        if request.sort == "relevance" and strings:
            scores = self._bm25f(view, ids, strings)
            order = np.lexsort((-view.dates[ids], -scores))
        else:
            scores = np.zeros(len(ids))
            dates = view.dates[ids]
            if request.sort == "date":
                order = np.lexsort((ids, np.where(dates > 0, dates, 99999999)))
            else:
                order = np.lexsort((ids, -dates))
        ids, scores = ids[order], scores[order]
        if request.collapse and len(ids):
            # One hit per copy group: its best-ranked current document, else (only earlier
            # versions matched) its best-ranked earlier version.
            groups = view.dup[ids]
            by_group = np.lexsort((np.arange(len(ids)), ~view.current[ids], groups))
            starts = np.flatnonzero(np.r_[True, groups[by_group][1:] != groups[by_group][:-1]])
            first = np.sort(by_group[starts])
            ids, scores = ids[first], scores[first]
        if request.sort == "relevance" and len(strings) > 1 and len(ids):
            head = min(len(ids), RERANK_DEPTH)
            # Tiers: 2 = one sentence holds every string, 1 = one paragraph does, 0 = scattered.
            bonus = self._tiers(view, ids[:head], tuple(dict.fromkeys(strings)))
            head_scores = scores[:head] + PROXIMITY_WEIGHT * bonus
            rerank = np.lexsort((-view.dates[ids[:head]], -head_scores))
            ids = np.concatenate([ids[:head][rerank], ids[head:]])
            scores = np.concatenate([head_scores[rerank], scores[head:]])
        facets = count_facets(view.facets, ids) if request.facets else {}
        return ids, scores, facets

    def _stored(self, view: _View, docnum: int) -> Document:
        return Document.from_json(zlib.decompress(view.searcher.stored_fields(docnum)["doc"]).decode("utf-8"))

    def _hit(self, view: _View, i: int, score: float, strings: Sequence[str], request: SearchRequest) -> Hit:
        doc = self._stored(view, i)
        copies = self._copies(view, i) if request.collapse else []
        duplicates = [c.source for c in copies]
        duplicates += [s for s in doc.other_sources if s not in duplicates and s != doc.source]
        normalized = view.normalized_paragraphs(i) if request.passages and strings else None
        passages = [Passage(n, h) for n, h in best_passages(doc.paragraphs, strings, request.passages, normalized)]
        return Hit(
            id=doc.id,
            title=doc.display_title,
            source=doc.source,
            publisher=doc.publisher,
            published=doc.published.isoformat() if doc.published else None,
            doc_number=doc.doc_number,
            region=doc.region.display() or None,
            score=round(score, 4),
            duplicates=duplicates,
            passages=passages,
            doc_type=doc.doc_type,
            year=doc.effective_year,
            title_html=highlight(doc.display_title, strings),
            copies=copies,
            deleted=doc.deleted,
            version_of=doc.version_of,
            captured=doc.captured.isoformat() if doc.captured else None,
        )

    def _copies(self, view: _View, i: int, limit: int = 20) -> list[Copy]:
        """The other live documents of ``i``'s copy group, oldest document number first."""
        same = np.flatnonzero((view.dup == view.dup[i]) & view.live & view.current)
        out = []
        for j in same.tolist()[: limit + 1]:
            if j != i and len(out) < limit:
                other = self._stored(view, j)
                out.append(Copy(id=other.id, title=other.display_title, source=other.source))
        return out

    def copies(self, doc_id: str) -> list[Copy]:
        with self._lock:
            view = self._current_view()
            i = view.by_id.get(doc_id)
            return self._copies(view, i) if i is not None else []

    def get(self, doc_id: str) -> Document | None:
        with self._lock:
            view = self._current_view()
            i = view.by_id.get(doc_id)
            return self._stored(view, i) if i is not None else None

    def changes(self, since: str, *, site: str | None = None, query: str = "",
                limit: int = 500) -> list[Change]:
        node = parse_query(query) if query else MatchAll()
        with self._lock:
            view = self._current_view()
            mask = view.live & view.current
            if site:
                mask &= view.facets["site"].mask([site])
            if not isinstance(node, MatchAll):
                mask = self._eval(view, node, mask)
            found = [(at, kind, i) for i in np.flatnonzero(mask).tolist()
                     for at, kind in view.meta[i].get("ev", ()) if at >= since]
            found.sort(key=lambda e: (e[0], e[2]), reverse=True)
            out = []
            for at, kind, i in found[:limit]:
                doc = self._stored(view, i)
                detail = {"deleted": doc.extra.get("gone", ""), "moved": doc.extra.get("moved", "")}.get(kind, "")
                out.append(Change(kind=kind, at=at, id=doc.id, title=doc.display_title,
                                  source=doc.source, site=doc.site, detail=detail))
            return out

    def iter_documents(self) -> Iterator[Document]:
        with self._lock:
            view = self._current_view()
            docnums = np.flatnonzero(view.live).tolist()
        for i in docnums:
            with self._lock:
                yield self._stored(view, i)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            view = self._current_view()
            all_ids = np.flatnonzero(view.live)
            size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
            return {
                "documents": view.live_count,
                "earlier_versions": int(np.count_nonzero(view.live & ~view.current)),
                "segments": len(view.leaves),
                "index_bytes": size,
                "index_path": str(self.path),
                "generation": self.ix.latest_generation(),
                "facets": {k: [v.__dict__ for v in vals] for k, vals in count_facets(view.facets, all_ids).items()},
            }

    # -- writing --------------------------------------------------------------------

    def _writer(self) -> Any:
        # One writer in this process. Not Whoosh's parallel MpWriter: its sub-writer processes
        # inherit the write lock, and if this process is killed they wait forever holding it.
        if self.readonly:
            raise QueryError("索引以只读方式打开")
        try:
            return self.ix.writer(timeout=30.0, limitmb=WRITER_MEMORY_MB)
        except LockError:
            raise QueryError(f"另一个进程正在写入索引 {self.path}（30 秒内未释放写锁）") from None

    def _commit(self, writer: Any, mergetype: Callable[[Any, list[Any]], list[Any]] = _merge_small) -> None:
        """Whoosh's ``SegmentWriter.commit``, plus the text index of every new segment, written
        before the table of contents names the segment: a reader never sees a committed
        segment without its text index, and a crash before the TOC leaves only files that
        Whoosh's next commit deletes."""
        segments = writer._merge_segments(mergetype, None, None)
        if writer._added:
            segments.append(writer._finalize_segment())
        else:
            writer._close_segment()
        for segment in segments:
            text_path, word_path = _beside(self.path, segment, textindex.SUFFIX), _beside(self.path, segment, wordindex.SUFFIX)
            if text_path.exists() and word_path.exists():
                continue
            reader = SegmentReader(writer.storage, writer.schema, segment)
            try:
                if not text_path.exists():
                    textindex.write(text_path, textindex.build(_segment_texts(reader)))
                if not word_path.exists():
                    wordindex.write(word_path, wordindex.build(reader))
            finally:
                reader.close()
        writer._commit_toc(segments)
        for suffix in (textindex.SUFFIX, wordindex.SUFFIX):
            arrayfile.remove_stale_temporaries(self.path, suffix)
        writer._finish()

    def add(
        self,
        documents: Iterable[Document],
        progress: Callable[[int], None] | None = None,
        batch_size: int = 1000,
    ) -> IndexReport:
        """Add or replace documents; commits every ``batch_size`` documents so that a crash
        loses at most the current batch, and reports what happened to each document."""
        report = IndexReport()
        with self._lock:
            view = self._current_view()
            known = {doc_id: view.meta[i].get("fp") for doc_id, i in view.by_id.items()}
        pool = None
        small = isinstance(documents, Sequence) and len(documents) < SMALL_BATCH
        if self.workers > 1 and not small:
            pool = multiprocessing.get_context("fork").Pool(self.workers)
            prepared = _bounded_imap(pool, _prepare_safely, documents, window=8 * self.workers)
        else:
            prepared = map(_prepare_safely, documents)
        writer = None
        batch: set[str] = set()  # ids added since the last commit
        new_in_batch = 0  # documents that did not exist before (the live count must grow by this)
        batch_lsh: dict[str, list[tuple[np.ndarray, str, str]]] = {}

        unmerged = False

        def commit(final: bool) -> None:
            nonlocal writer, new_in_batch, batch_lsh, unmerged
            unmerged = not final
            before = self.ix.doc_count()
            # Batches of a long run are committed without merging: merging on every commit
            # re-reads the growing older segments each time (quadratic; 85% of the time of a
            # 20,000-document run). The run's last commit merges the small segments once.
            self._commit(writer, _merge_small if final else windex_writing.NO_MERGE)
            writer = None
            after = self.ix.doc_count()
            if after != before + new_in_batch:
                # A commit must never lose documents silently; say so if it ever does.
                raise QueryError(f"索引提交后文档数为 {after}，应为 {before + new_in_batch}：请重新运行同一索引命令")
            batch.clear()
            new_in_batch, batch_lsh = 0, {}
            self._checked = 0.0

        try:
            for doc_id, data, error in prepared:
                if progress:
                    progress(1)
                if data is None:
                    report.failed.append((doc_id, error or "unknown error"))
                    continue
                if known.get(doc_id) == data["meta"]["fp"]:
                    report.unchanged += 1
                    continue
                if doc_id in batch:
                    commit(final=False)  # the same id twice in one batch: a delete only sees committed documents
                if writer is None:
                    writer = self._writer()
                    with self._lock:
                        view = self._current_view()
                if self._assign_group(view, data, batch_lsh):
                    report.copies.append((doc_id, data["meta"]["dup"]))
                meta, sig = data["meta"], data["sig"]
                if doc_id in known:
                    writer.delete_by_term("id", doc_id)
                    report.updated += 1
                else:
                    report.added += 1
                    new_in_batch += 1
                known[doc_id] = meta["fp"]
                batch.add(doc_id)
                writer.add_document(
                    id=doc_id,
                    words=data["words"],
                    title_words=data["title_words"],
                    m=data["m"],
                    f=json.dumps(meta, ensure_ascii=False).encode("utf-8"),
                    mh=sig.tobytes() if sig is not None else b"",
                    doc=data["doc"],
                )
                if len(batch) >= batch_size:
                    commit(final=False)
            if writer is None and unmerged:
                writer = self._writer()  # nothing left to add: just merge the batch segments
            if writer is not None:
                commit(final=True)
        finally:
            if writer is not None:
                writer.cancel()
            if pool is not None:
                pool.terminate()
                pool.join()
        return report

    def _assign_group(self, view: _View, data: dict[str, Any],
                      batch_lsh: dict[str, list[tuple[np.ndarray, str, str]]]) -> bool:
        """Give a near-duplicate the group of the first committed or batched document it
        matches; True when it joined another document's group (it is a copy)."""
        meta, sig = data["meta"], data["sig"]
        meta["dup"] = meta["id"]
        if sig is None:
            return False
        tokens = dedup.band_tokens(sig)

        def candidates() -> Iterator[tuple[np.ndarray, str, str]]:
            for token in tokens:
                yield from batch_lsh.get(token, [])
                for data_k, offset in zip(view.data, view.offsets.tolist(), strict=True):
                    for local in data_k.bands().get(token, ()):
                        j = offset + local
                        if view.live[j] and view.ids[j] != meta["id"]:
                            other = view.meta[j]
                            yield (np.frombuffer(view.sigs[j], dtype=np.uint64), other.get("ry", ""),
                                   other.get("dup") or other["id"])

        rejected: set[str] = set()
        for other_sig, other_year, group in candidates():
            if group in rejected:
                continue
            if dedup.same_text(sig, other_sig, meta.get("ry", ""), other_year):
                meta["dup"] = group
                break
            rejected.add(group)
        for token in tokens:
            batch_lsh.setdefault(token, []).append((sig, meta.get("ry", ""), meta["dup"]))
        return meta["dup"] != meta["id"]

    def delete(self, ids: Iterable[str]) -> int:
        wanted = list(ids)
        with self._lock:
            view = self._current_view()
            present = [i for i in wanted if i in view.by_id]
        if not present:
            return 0
        writer = self._writer()
        try:
            for doc_id in present:
                writer.delete_by_term("id", doc_id)
            self._commit(writer)
        except BaseException:
            writer.cancel()
            raise
        self._checked = 0.0
        return len(present)

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            self._view = None
