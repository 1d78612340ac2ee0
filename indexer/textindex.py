"""Exact substring search: a positional character-bigram index per Whoosh segment.

Why not Whoosh postings: a string matches a document if and only if it is a substring of
the document's normalised text. A bigram index *with positions* answers that exactly — the
string ``s`` starts at ``p`` iff the bigram ``s[k:k+2]`` starts at ``p + k`` for a set of
``k`` that covers every character — so no document text has to be read to verify a match,
and the same positions tell in which sentence or paragraph each occurrence lies (同句/同段,
proximity ranking). Whoosh's pure-Python posting writer costs ~10 µs a posting and its
reader ~1 µs a posting; here both sides are numpy: building sorts the segment's character
pairs once, and a lookup is a binary search into a memory-mapped array.

Storage: a key's positions are sorted; each is kept as its low 16 bits (``low``, 2 bytes)
and the high part once per run of positions that share it (``run_at``: where the run
starts in the flat array, ``run_hi``: the high part) — about 2.8 bytes a position instead of
4, decoded with one ``repeat`` and one ``or``. A key is found through ``key_top`` (every
512th key, :func:`indexer.arrayfile.top_level`) and one page of ``keys``; ``key_run`` gives
its first run, so a cold lookup reads a few pages and then the list itself in one request
(:func:`indexer.arrayfile.prefetch`). Nothing else about the text is stored: the
pairs *are* the text (every position starts exactly one key), so merging a segment that has
deleted documents decodes the text from them, and passages normalise the stored paragraphs
(one ``str.translate``).

Checking a candidate: it comes from the rarest pair's positions; the pairs at offsets that
cover every other character must hold at the shifted positions (a binary search into each
pair's list, :class:`PairList`: decoded and cached when the lookups are many, searched in
the stored form when they are a few in a list of millions).

Early exit everywhere: ``any_within`` answers "does a whole occurrence lie in this range?"
for many ranges at once by checking one candidate per range at a time, so a string that
occurs a dozen times in every document costs what one occurrence per document costs.
``doc_hits`` (ranges: documents), ``title_docs`` (titles) and ``near_docs`` (同句/同段: the
rarest string's occurrences one per document at a time, the other strings looked for inside
that sentence or paragraph only) are built on it.

Merging: ``merge`` makes one segment's arrays from several segments' arrays (a stable sort
of their distinct keys, then one gather of the positions); no text is decoded.

One file per segment, ``<segment id>.gsx`` next to the segment: it is written before the
segment is committed and deleted by Whoosh together with its segment (the name matches
Whoosh's segment-file pattern).

Coordinates: the segment's texts laid end to end, ``title NUL body NUL`` per document, so
no match can run from one text into the next (normalised text never contains NUL).
Keys: ``first << 21 | second`` for each character pair, and ``last << 21 | 0`` for the last
character of each text, so every character position starts exactly one key — which makes a
one-character string the contiguous key range ``[c << 21, (c + 1) << 21)``.
"""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from indexer import arrayfile
from indexer.analysis import SENTENCE_MARKS

MAGIC = b"GSX6"
SUFFIX = ".gsx"
_SHIFT = 21  # code points are < 2**21
_EMPTY = np.empty(0, dtype=np.int64)
_MARK_CODES = np.array([ord(c) for c in SENTENCE_MARKS], dtype=np.uint32)
_ARRAYS = ("keys", "key_top", "starts", "key_run", "low", "run_at", "run_hi", "doc_starts", "body_starts", "sent_starts", "para_starts",
           "sent_block", "para_block")
_BLOCK = 6  # unit lookup table: one entry per 64 characters
#: 同句/同段: rounds of one anchor occurrence per document, while more than NEAR_BULK
#: documents are open; the rest are settled at once (:meth:`SegmentText.near_docs`).
NEAR_ROUNDS = 16
NEAR_BULK = 256


def _pair_key(a: str, b: str) -> int:
    return (ord(a) << _SHIFT) | ord(b)


def build(docs: Iterable[tuple[str, str, Sequence[int]]]) -> dict[str, np.ndarray]:
    """The index arrays for one segment, from each document's normalised (title, body,
    paragraph start offsets in the body), in document-number order."""
    parts: list[str] = []
    doc_starts: list[int] = []
    body_starts: list[int] = []
    para_starts: list[int] = []
    at = 0
    for title, body, paragraphs in docs:
        doc_starts.append(at)
        parts += (title, "\0", body, "\0")
        at += len(title) + 1
        body_starts.append(at)
        para_starts.extend(at + off for off in (paragraphs or (0,)))
        at += len(body) + 1
    doc_starts.append(at)
    chars = np.frombuffer("".join(parts).encode("utf-32-le"), dtype=np.uint32)
    where = np.flatnonzero(chars)  # every position that holds a character
    following = np.zeros(len(chars), dtype=np.uint32)
    following[:-1] = chars[1:]
    keys, pos = _sorted_pairs(chars[where], following[where], where)
    unique, starts = arrayfile.key_runs(keys)
    after_mark = np.flatnonzero(np.isin(chars, _MARK_CODES)) + 1
    paras = np.array(para_starts, dtype=np.int64)
    sents = np.union1d(after_mark, paras)
    return {
        **_encode(unique, starts, pos),
        "doc_starts": np.array(doc_starts, dtype=np.int64),
        "body_starts": np.array(body_starts, dtype=np.int64),
        "sent_starts": sents.astype(np.int64),
        "para_starts": paras,
        "sent_block": _block_table(sents, len(chars)),
        "para_block": _block_table(paras, len(chars)),
    }


def _sorted_pairs(first: np.ndarray, second: np.ndarray, where: np.ndarray,
                  may_combine: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(pair keys, positions), sorted by key and then position.

    When a pair and its position fit in 64 bits together (code points below 2¹⁸ and a
    segment under 2²⁸ characters: every Chinese text), one ``np.sort`` of the combined
    values does it — about 10× faster than a stable ``argsort`` of the keys, which remains
    the general case."""
    top = int(max(first.max(initial=0), second.max(initial=0)))
    code_bits = max(top.bit_length(), 1)
    pos_bits = max(int(where.max(initial=0)).bit_length(), 1)
    if may_combine and 2 * code_bits + pos_bits <= 64:
        combined = ((first.astype(np.uint64) << np.uint64(code_bits + pos_bits))
                    | (second.astype(np.uint64) << np.uint64(pos_bits)) | where.astype(np.uint64))
        combined.sort()
        pos = (combined & np.uint64((1 << pos_bits) - 1)).astype(np.int64)
        combined >>= np.uint64(pos_bits)
        keys = ((combined >> np.uint64(code_bits)) << np.uint64(_SHIFT)) | (combined & np.uint64((1 << code_bits) - 1))
        return keys, pos
    keys = (first.astype(np.uint64) << np.uint64(_SHIFT)) | second.astype(np.uint64)
    order = np.argsort(keys, kind="stable")  # stable: positions stay sorted within a key
    return keys[order], where[order].astype(np.int64)


#: Positions a merge moves per step (:func:`merge`): its peak memory is the merged
#: segment's stored positions (2 bytes each) plus a few dozen bytes times this many.
MERGE_STEP = 1 << 23


def merge(parts: Sequence[SegmentText]) -> dict[str, np.ndarray]:
    """The index arrays of one segment holding ``parts``' documents in order (none deleted),
    straight from their arrays: no text is decoded and no position sorted.

    Each part's lists are already sorted by key, then position; shifted by the part's place in
    the merged coordinates, a key's lists stay sorted when laid end to end in part order. So a
    stable sort of the parts' *distinct keys* (a few hundred thousand per part, not one per
    position) orders everything, and the positions follow in one gather. About 20× less work
    than building the merged segment from its text.

    The keys are taken in steps of about :data:`MERGE_STEP` positions, each step's lists
    decoded, gathered and encoded on their own: memory stays near the merged segment's size
    on disk, however large the merge (all at once it was ~16 bytes a position)."""
    sizes = [int(p.doc_starts[-1]) if len(p.doc_starts) else 0 for p in parts]
    offsets = np.concatenate(([0], np.cumsum(sizes, dtype=np.int64)))
    total = int(offsets[-1])
    position_type = np.int32 if total < 2**31 else np.int64
    low = np.empty(sum(len(p.low) for p in parts), dtype=np.uint16)
    keys: list[np.ndarray] = []
    starts: list[np.ndarray] = []
    key_run: list[np.ndarray] = []
    run_at: list[np.ndarray] = []
    run_hi: list[np.ndarray] = []
    done = runs = 0
    cuts = _merge_cuts(parts)
    for lo, hi in itertools.pairwise([None, *cuts, None]):
        ranges = [(0 if lo is None else int(np.searchsorted(p.keys, lo)),
                   len(p.keys) if hi is None else int(np.searchsorted(p.keys, hi))) for p in parts]
        unique, step_starts, gather = arrayfile.merged_runs(
            [p.keys[i:j] for p, (i, j) in zip(parts, ranges, strict=True)],
            [p.starts[i : j + 1] - p.starts[i] for p, (i, j) in zip(parts, ranges, strict=True)])
        pieces = []
        for k, (p, (i, j)) in enumerate(zip(parts, ranges, strict=True)):
            piece = p._decode_keys(i, j).astype(position_type, copy=False)
            pieces.append(piece + position_type(offsets[k]))
        pos = np.concatenate(pieces)[gather] if pieces else np.empty(0, dtype=position_type)
        del pieces, gather
        encoded = _encode_positions(step_starts, pos)
        low[done : done + len(pos)] = encoded["low"]
        keys.append(unique)
        starts.append(step_starts[:-1] + done)
        key_run.append(encoded["key_run"][:-1].astype(np.int64) + runs)
        run_at.append(encoded["run_at"].astype(np.int64) + done)
        run_hi.append(encoded["run_hi"])
        done += len(pos)
        runs += len(encoded["run_at"])
    merged_keys = np.concatenate(keys) if keys else np.empty(0, dtype=np.uint64)

    def joined(name: str, last: bool = False) -> np.ndarray:
        pieces = [getattr(p, name)[: -1 if last else None] + offsets[k] for k, p in enumerate(parts)]
        return np.concatenate(pieces + ([np.array([total])] if last else [])).astype(np.int64)
    sents, paras = joined("sent_starts"), joined("para_starts")
    return {
        "keys": merged_keys,
        "key_top": arrayfile.top_level(merged_keys),
        "starts": np.concatenate([*starts, [done]]).astype(np.int64),
        "key_run": np.concatenate([*key_run, [runs]]).astype(np.uint32),
        "low": low,
        "run_at": np.concatenate(run_at or [np.empty(0, dtype=np.int64)]).astype(np.uint32),
        "run_hi": np.concatenate(run_hi or [np.empty(0, dtype=np.uint16)]).astype(np.uint16),
        "doc_starts": joined("doc_starts", last=True),
        "body_starts": joined("body_starts"),
        "sent_starts": sents,
        "para_starts": paras,
        "sent_block": _block_table(sents, total),
        "para_block": _block_table(paras, total),
    }


def _merge_cuts(parts: Sequence[SegmentText]) -> np.ndarray:
    """Key values that split the parts' keys into steps of about :data:`MERGE_STEP`
    positions (a key with more positions is a step of its own)."""
    all_keys = np.concatenate([p.keys for p in parts]) if parts else np.empty(0, dtype=np.uint64)
    counts = np.concatenate([np.diff(p.starts) for p in parts]) if parts else np.empty(0, dtype=np.int64)
    order = np.argsort(all_keys, kind="stable")
    ordered, filled = all_keys[order], np.cumsum(counts[order])
    if not len(filled):
        return ordered
    at = np.searchsorted(filled, np.arange(MERGE_STEP, int(filled[-1]), MERGE_STEP), side="right")
    return _sorted_unique(ordered[at[at < len(ordered)]])


def _encode(keys: np.ndarray, starts: np.ndarray, pos: np.ndarray) -> dict[str, np.ndarray]:
    """The stored layout of distinct keys, where each key's positions start, and the
    positions (sorted within each key's run ``starts[i]:starts[i + 1]``): the keys' top level
    (:func:`arrayfile.top_level`) and :func:`_encode_positions`."""
    return {"keys": keys, "key_top": arrayfile.top_level(keys), "starts": starts, **_encode_positions(starts, pos)}


def _encode_positions(starts: np.ndarray, pos: np.ndarray) -> dict[str, np.ndarray]:
    """Each position as its low 16 bits plus the high part once per run of equal high parts
    within a key; for each key, its first run (``key_run``, so a lookup needs no search of
    the runs)."""
    high = pos >> 16
    new_run = np.ones(len(pos), dtype=bool)
    new_run[1:] = high[1:] != high[:-1]
    new_run[starts[:-1][starts[:-1] < len(pos)]] = True
    run_at = np.flatnonzero(new_run)
    return {
        "key_run": np.searchsorted(run_at, starts).astype(np.uint32),  # every key starts a run
        "low": (pos & 0xFFFF).astype(np.uint16),
        "run_at": run_at.astype(np.uint32),
        "run_hi": high[run_at].astype(np.uint16),
    }


def _block_table(bounds: np.ndarray, size: int) -> np.ndarray:
    """For every 64th position, the index of the last unit starting at or before it (-1 if
    none): a unit lookup starts there and steps over the few bounds inside the block,
    instead of a binary search over every sentence of the segment."""
    return (np.searchsorted(bounds, np.arange(0, size + 1, 1 << _BLOCK), side="right") - 1).astype(np.int32)


def write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    arrayfile.write(path, MAGIC, arrays)


def _cheapest_cover(counts: Sequence[int], start: int) -> set[int]:
    """Pair offsets that, with the pair at ``start``, cover every character of a string whose
    pairs (pair ``k``: characters ``k`` and ``k + 1``) have these position ``counts``, at
    the least total count: each pair checked costs a lookup into its list, and the lists of
    common pairs are the cost (依法全面履行政府职能 from 面履: 政府, not 行政, for 政 —
    0.56 M positions a segment instead of 1.2 M). One pass over the pairs: a character is
    covered iff the pair before or after it is taken."""
    last = len(counts) - 1  # pairs 0 … last; characters 0 … last + 1
    # best[covered]: (cost, pairs) of the pairs k … last, given whether character k is covered
    # by pair k - 1; filled from the last pair backwards.
    best: dict[bool, tuple[float, tuple[int, ...]]] = {True: (0, ()), False: (float("inf"), ())}
    for k in range(last, -1, -1):
        take = (best[True][0] + (0 if k == start else counts[k]), (k, *best[True][1]))
        if k == start:
            best = {True: take, False: take}
        else:
            best = {True: min(take, best[False]), False: take}
    return set(best[False][1])


def choose_anchor(terms: Sequence[str], rarity: Callable[[str], int]) -> str:
    """The term a 同句/同段 search starts from: the fewest candidates (``rarity``), each
    checked pair beyond the first two characters counted as a tenth more work per candidate
    (measured at 100,000 documents: 应诉 (1.10 M candidates, nothing to check) beats 行政复议
    (0.98 M, two pairs to check), 70 ms against 98)."""
    return min(terms, key=lambda t: rarity(t) * (1 + 0.1 * max(len(t) - 2, 0)))


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array (``np.unique`` would sort it again)."""
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values


def _ragged(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every index in the ranges ``[lo[i], hi[i])`` in order, and the range each belongs to."""
    counts = np.maximum(np.asarray(hi, dtype=np.int64) - lo, 0)
    total = int(counts.sum())
    owners = np.repeat(np.arange(len(counts)), counts)
    return np.asarray(lo, dtype=np.int64)[owners] + (np.arange(total) - (np.cumsum(counts) - counts)[owners]), owners


class DecodedLists:
    """The most recently used decoded position lists of every segment, up to a byte budget.

    Decoding costs ~2 ns a position; the pairs of common characters (法治, 行政, 政府) recur in
    most queries, and a query asks for the same pair several times (matching, then
    同句/同段 and the proximity tiers of its top hits). A block cache like this is what the
    page cache is for compressed files: it holds data, never answers, so a hit can only make a
    query faster. Short lists are not kept: decoding them is cheaper than the bookkeeping.
    """

    MIN_LENGTH = 4096
    BUDGET = 64 << 20  # bytes of int64 positions (counted in the serving process's memory)

    def __init__(self) -> None:
        self._lists: OrderedDict[tuple[int, int], np.ndarray] = OrderedDict()
        self._bytes = 0
        self.hits = self.misses = 0
        self._lock = threading.Lock()  # segments are searched on several threads

    def has(self, key: tuple[int, int]) -> bool:
        return key in self._lists

    def get(self, key: tuple[int, int], decode: Callable[[], np.ndarray]) -> np.ndarray:
        with self._lock:
            found = self._lists.get(key)
            if found is not None:
                self._lists.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        found = decode()  # outside the lock: other segments decode meanwhile
        found.flags.writeable = False  # shared by every caller
        with self._lock:
            if key not in self._lists:
                self._lists[key] = found
                self._bytes += found.nbytes
            while self._bytes > self.BUDGET and len(self._lists) > 1:
                _, dropped = self._lists.popitem(last=False)
                self._bytes -= dropped.nbytes
        return found


DECODED = DecodedLists()
_UIDS = itertools.count()


class PairList:
    """One pair's sorted positions in a segment, read in whichever form is cheaper for the
    lookups asked of it.

    Many lookups: the list is decoded once (and kept in :data:`DECODED`) and binary-searched.
    Few lookups (fewer than one per ``FEW`` positions, e.g. a query restricted to a few
    hundred documents, or the early-exit rounds): each is found in the stored form — the run
    of its high part by a binary search among the key's runs (a few hundred entries), then its
    low 16 bits by a vectorised binary search inside that run — so a million-position list is
    never decoded to answer a few hundred questions.
    """

    FEW = 1024

    def __init__(self, seg: SegmentText | None, index: int = -1, decoded: np.ndarray | None = None) -> None:
        self._seg = seg
        self._index = index
        self._decoded = decoded
        if decoded is not None:
            self.a, self.b = 0, len(decoded)
        else:
            assert seg is not None
            self.a, self.b = int(seg.starts[index]), int(seg.starts[index + 1])
        self.n = self.b - self.a
        self._runs: tuple[np.ndarray, np.ndarray] | None = None

    def decoded(self) -> np.ndarray:
        """Every position, decoded (from the cache when another lookup decoded it already)."""
        if self._decoded is None:
            seg, i = self._seg, self._index
            assert seg is not None
            if self.n < DecodedLists.MIN_LENGTH:
                self._decoded = seg._decode_keys(i, i + 1)
            else:
                self._decoded = DECODED.get((seg._uid, i), lambda: seg._decode_keys(i, i + 1))
        return self._decoded

    def _decodes(self, lookups: int) -> bool:
        if self._decoded is not None:
            return True
        seg = self._seg
        assert seg is not None
        if lookups * self.FEW > self.n or self.n < DecodedLists.MIN_LENGTH or DECODED.has((seg._uid, self._index)):
            self.decoded()
            return True
        return False

    def _key_runs(self) -> tuple[np.ndarray, np.ndarray]:
        """(high part of each of the key's runs, where each run starts in the flat array,
        plus the key's end)."""
        if self._runs is None:
            seg = self._seg
            assert seg is not None
            r0, r1 = int(seg.key_run[self._index]), int(seg.key_run[self._index + 1])
            arrayfile.prefetch(seg.low[self.a : self.b])
            self._runs = (seg.run_hi[r0:r1].astype(np.int64),
                          np.append(seg.run_at[r0:r1].astype(np.int64), self.b))
        return self._runs

    def _locate(self, positions: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each position, in the stored form: the flat index of the first entry at or
        after it, and whether that entry is the position itself."""
        seg = self._seg
        assert seg is not None
        highs, bounds = self._key_runs()
        p = np.asarray(positions, dtype=np.int64)
        high, target = p >> 16, p & 0xFFFF
        r = np.searchsorted(highs, high)
        inside = r < len(highs)
        rc = np.minimum(r, max(len(highs) - 1, 0))
        exact = inside & (highs[rc] == high) if len(highs) else inside
        lo = np.where(inside, bounds[rc], self.b)  # a later run: its first entry is the answer
        hi = np.where(exact, bounds[rc + 1], lo)
        active = np.flatnonzero(lo < hi)
        low = seg.low
        while len(active):  # ≤ 17 rounds: a run holds at most 2¹⁶ entries
            a, b = lo[active], hi[active]
            mid = (a + b) >> 1
            less = low[mid] < target[active]
            lo[active] = np.where(less, mid + 1, a)
            hi[active] = np.where(less, b, mid)
            active = active[lo[active] < hi[active]]
        found = exact & (lo < np.where(exact, bounds[rc + 1], lo))
        found[found] = low[lo[found]] == target[found]
        return lo, found

    def search(self, positions: np.ndarray) -> np.ndarray:
        """Index (0 … n) of the first entry at or after each position."""
        if self._decodes(len(positions)):
            d = self._decoded
            assert d is not None
            return np.searchsorted(d, np.asarray(positions).astype(d.dtype))
        return self._locate(positions)[0] - self.a

    def take(self, indexes: np.ndarray) -> np.ndarray:
        """The positions (int64) at list indexes ``indexes`` (each < n)."""
        if self._decoded is not None:
            return self._decoded[indexes].astype(np.int64)
        seg = self._seg
        assert seg is not None
        highs, bounds = self._key_runs()
        flat = np.asarray(indexes, dtype=np.int64) + self.a
        run = np.searchsorted(bounds, flat, side="right") - 1
        return (highs[run] << 16) | seg.low[flat]

    def contains(self, positions: np.ndarray) -> np.ndarray:
        """Whether each position is in the list."""
        if self._decodes(len(positions)):
            d = self._decoded
            assert d is not None
            if not len(d):
                return np.zeros(len(positions), dtype=bool)
            wanted = np.asarray(positions).astype(d.dtype)  # the list's own dtype: no copy of it
            at = np.searchsorted(d, wanted)
            np.minimum(at, len(d) - 1, out=at)
            return d[at] == wanted
        return self._locate(positions)[1]


_NO_PAIRS = PairList(None, decoded=_EMPTY)
#: How a string is looked up in a segment: the offset and list of the pair to start from,
#: and the (offset, list) of the pairs that must also be present (:meth:`SegmentText._plan`).
Plan = tuple[int, PairList, list[tuple[int, PairList]]]


class SegmentText:
    """Lookups in one segment's index (memory-mapped file, or arrays just built)."""

    def __init__(self, arrays: dict[str, np.ndarray], keepalive: object = None) -> None:
        self._keepalive = keepalive
        self.keys: np.ndarray = arrays["keys"]
        self.key_top: np.ndarray = arrays["key_top"]
        self.starts: np.ndarray = arrays["starts"]
        self.key_run: np.ndarray = arrays["key_run"]
        self.low: np.ndarray = arrays["low"]
        self.run_at: np.ndarray = arrays["run_at"]
        self.run_hi: np.ndarray = arrays["run_hi"]
        self.doc_starts: np.ndarray = arrays["doc_starts"]
        self.body_starts: np.ndarray = arrays["body_starts"]
        self.sent_starts: np.ndarray = arrays["sent_starts"]
        self.para_starts: np.ndarray = arrays["para_starts"]
        self.sent_block: np.ndarray = arrays["sent_block"]
        self.para_block: np.ndarray = arrays["para_block"]
        self._units = {"sentence": (self.sent_starts, self.sent_block), "paragraph": (self.para_starts, self.para_block)}
        self._read_ahead: set[str] = set()
        self._key_indexes: dict[int, int] = {}
        for per_document in (self.doc_starts, self.body_starts):  # nearly every query reads them
            arrayfile.prefetch(per_document, min_bytes=0)
        self.doc_count = len(self.body_starts)
        self._uid = next(_UIDS)  # names this segment's lists in the decoded-list cache
        size = int(self.doc_starts[-1]) if len(self.doc_starts) else 0
        self._position_type = np.int32 if size < 2**31 else np.int64

    @classmethod
    def open(cls, path: Path) -> SegmentText:
        arrays, mm = arrayfile.read(path, MAGIC)
        return cls(arrays, keepalive=mm)

    def _decode_keys(self, i: int, j: int) -> np.ndarray:
        """The positions of keys ``i`` to ``j - 1`` (by index into ``keys``), laid end to end:
        each key's sorted, int32 when the segment is under 2³¹ characters (always, in
        practice: half the memory traffic and twice the lists in the decoded-list cache),
        else int64."""
        a, b = int(self.starts[i]), int(self.starts[j])
        if b <= a:
            return _EMPTY
        r0, r1 = int(self.key_run[i]), int(self.key_run[j])
        arrayfile.prefetch(self.low[a:b])
        lengths = np.diff(np.append(self.run_at[r0:r1].astype(np.int64), b))
        out = np.repeat(self.run_hi[r0:r1].astype(self._position_type) << 16, lengths)
        out |= self.low[a:b]  # in place: one array per decode
        return out

    def documents(self) -> list[tuple[str, str, tuple[int, ...]]]:
        """Every document's (normalised title, normalised body, paragraph start offsets in
        the body): what :func:`build` was given, decoded from the pairs (to merge segments)."""
        size = int(self.doc_starts[-1]) if len(self.doc_starts) else 0
        codes = np.zeros(size, dtype=np.uint32)
        if len(self.low):
            firsts = np.repeat((self.keys >> np.uint64(_SHIFT)).astype(np.uint32), np.diff(self.starts))
            codes[self._decode_keys(0, len(self.keys))] = firsts
        text = codes.tobytes().decode("utf-32-le")
        out = []
        for doc in range(self.doc_count):
            start, body, end = int(self.doc_starts[doc]), int(self.body_starts[doc]), int(self.doc_starts[doc + 1])
            lo, hi = np.searchsorted(self.para_starts, [body, end])
            out.append((text[start : body - 1], text[body : end - 1], tuple((self.para_starts[lo:hi] - body).tolist())))
        return out

    def _key_index(self, key: int) -> int:
        """Index of a pair key in ``keys`` (-1 if absent), remembered: a query plans the same
        few pairs in every round of 同句/同段 and every proximity check."""
        found = self._key_indexes.get(key)
        if found is None:
            if len(self._key_indexes) >= 4096:
                self._key_indexes.clear()
            found = self._key_indexes[key] = arrayfile.find(self.keys, self.key_top, key)
        return found

    def _pair(self, key: int) -> PairList:
        i = self._key_index(key)
        return PairList(self, i) if i >= 0 else _NO_PAIRS

    def _postings(self, key: int) -> np.ndarray:
        """A pair's positions, decoded."""
        return self._pair(key).decoded()

    def _count(self, key: int) -> int:
        i = self._key_index(key)
        return int(self.starts[i + 1] - self.starts[i]) if i >= 0 else 0

    def _plan(self, term: str) -> Plan:
        """The rarest pair (offset, list) to start from, and the pairs that must also be
        present (rarest first). Together with the start they cover every character of the
        string, which makes a match exact; the other pairs are only counted. A string of one
        character starts from its sorted positions, with nothing to check."""
        if len(term) == 1:
            return 0, PairList(None, decoded=np.sort(self.positions(term))), []
        counts = [self._count(_pair_key(term[k], term[k + 1])) for k in range(len(term) - 1)]
        start_k = min(range(len(counts)), key=counts.__getitem__)
        if counts[start_k] == 0:
            return start_k, _NO_PAIRS, []
        wanted = sorted(_cheapest_cover(counts, start_k) - {start_k}, key=counts.__getitem__)
        if any(counts[k] == 0 for k in wanted):
            return start_k, _NO_PAIRS, []
        checks = [(k, self._pair(_pair_key(term[k], term[k + 1]))) for k in wanted]
        return start_k, self._pair(_pair_key(term[start_k], term[start_k + 1])), checks

    @staticmethod
    def _verify(found: np.ndarray, checks: list[tuple[int, PairList]]) -> np.ndarray:
        """Indexes into ``found`` (candidate start positions) at which every checked pair is present."""
        survivors = np.arange(len(found))
        for k, pairs in checks:
            if not len(survivors):
                break
            survivors = survivors[pairs.contains(found[survivors] + k)]
        return survivors

    def _doc_mask(self, docs: np.ndarray) -> np.ndarray:
        wanted = np.zeros(self.doc_count, dtype=bool)
        wanted[docs] = True
        return wanted

    def positions(self, term: str, docs: np.ndarray | None = None) -> np.ndarray:
        """Start positions of every occurrence of ``term`` (normalised, non-empty), as int64,
        optionally only in the given sorted segment documents.

        Sorted for strings of two or more characters; for one character, sorted per
        following character only (callers that need order sort).
        """
        if len(term) == 1:
            found = self._decode_keys(*self._char_keys(term)).astype(np.int64)
            if docs is not None:
                found = found[self._doc_mask(docs)[self.docs_of(found)]]
            return found
        start_k, start, checks = self._plan(term)
        if not start.n:
            return _EMPTY
        if docs is None:
            found = start.decoded().astype(np.int64) - start_k
        else:  # a match lies in one document, with its pairs: two lookups per document
            first = start.search(self.doc_starts[docs] + start_k)
            end = start.search(self.doc_starts[docs + 1] + start_k)
            found = start.take(_ragged(first, end)[0]) - start_k
        found = found[found >= 0]
        return found[self._verify(found, checks)]

    def doc_hits(self, term: str, docs: np.ndarray | None = None) -> np.ndarray:
        """Sorted segment documents (of the sorted ``docs``, when given) that contain
        ``term``, without finding every occurrence (:meth:`any_within` over each document's
        text)."""
        if len(term) == 1:
            found = self.positions(term, docs)
            return np.flatnonzero(np.bincount(self.docs_of(found), minlength=self.doc_count)) if len(found) else _EMPTY
        if docs is None:
            return np.flatnonzero(self.any_within(term, self.doc_starts[:-1], self.doc_starts[1:], ends_at_nul=True))
        return docs[self.any_within(term, self.doc_starts[docs], self.doc_starts[docs + 1], ends_at_nul=True)]

    def title_docs(self, term: str, docs: np.ndarray | None = None) -> np.ndarray:
        """Sorted segment documents (of the sorted ``docs``, when given) whose title contains
        ``term`` (:meth:`any_within` over each title: a match cannot cross the NUL after it)."""
        if docs is None:
            return np.flatnonzero(self.any_within(term, self.doc_starts[:-1], self.body_starts))
        return docs[self.any_within(term, self.doc_starts[docs], self.body_starts[docs])]

    def any_within(self, term: str, lo: np.ndarray, hi: np.ndarray, ends_at_nul: bool = False,
                   plan: Plan | None = None) -> np.ndarray:
        """For each range of positions ``[lo[i], hi[i])``, whether a whole occurrence of
        ``term`` lies inside it.

        Early exit per range: only its first candidate (an occurrence of the rarest pair) is
        checked; the next one only in ranges where that failed, and so on. Ranges with many
        near misses are settled together after a few rounds. The work grows with the number of
        ranges, not with the number of occurrences: a string that occurs a dozen times in
        every document costs what one occurrence per document costs.

        ``ends_at_nul``: the last position of each range is the NUL after a text, so no
        occurrence can run past a range's end and the ends need no adjusting; ranges laid end
        to end (every document) then take one search for both their starts and their ends.
        ``plan``: the term's :meth:`_plan`, when the caller asks about it many times.
        """
        out = np.zeros(len(lo), dtype=bool)
        n = len(term)
        if not len(lo) or not n:
            return out
        start_k, start, checks = plan or self._plan(term)
        if not start.n:
            return out
        # Candidate c = start[i] - start_k fits in range r iff lo[r] <= c and c + n <= hi[r].
        lo, hi = np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)
        if ends_at_nul and np.array_equal(lo[1:], hi[:-1]):
            both = start.search(np.append(lo, hi[-1]) + start_k)
            first, end = both[:-1], both[1:]
        else:
            first = start.search(lo + start_k)
            end = start.search(hi + start_k - (0 if ends_at_nul else n - 1))
        ranges = np.flatnonzero(end > first)
        if not checks:
            out[ranges] = True
            return out
        at, end = first[ranges], end[ranges]
        for _ in range(4):
            if not len(ranges):
                return out
            ok = np.zeros(len(ranges), dtype=bool)
            ok[self._verify(start.take(at) - start_k, checks)] = True
            out[ranges[ok]] = True
            at = at + 1
            again = ~ok & (at < end)
            ranges, at, end = ranges[again], at[again], end[again]
        if len(ranges):  # ranges with many near misses: check all their remaining candidates at once
            flat, owners = _ragged(at, end)
            out[ranges[owners[self._verify(start.take(flat) - start_k, checks)]]] = True
        return out

    def near_docs(self, terms: Sequence[str], unit: str, docs: np.ndarray, anchor: str | None = None) -> np.ndarray:
        """Sorted documents among ``docs`` (sorted segment documents; one without the anchor
        costs nothing, one without another term a few rounds) in which one body sentence
        (``unit="sentence"``) or paragraph holds a whole occurrence of every term: 同句/同段.

        Early exit per document: the rarest term's occurrences are taken one per document at a
        time; for each, its unit is looked up and every other term is looked for inside that
        unit only (:meth:`any_within`); a document is settled by its first unit that holds
        every term. Documents still open after a few rounds (the terms rarely share a unit
        there), and any once no more than :data:`NEAR_BULK` are open (a round then costs
        mostly its fixed overhead: the 200 top hits proximity ranking looks at), are settled
        together: every unit of the anchor's remaining occurrences, each checked for the other
        terms the same way. ``anchor``: the term to start from (default: the rarest here).
        """
        if unit == "sentence" and any(mark in term for term in terms for mark in SENTENCE_MARKS):
            return _EMPTY  # sentences are split at the marks: none can hold one
        terms = list(dict.fromkeys(terms))
        if not len(docs) or not terms:
            return _EMPTY
        anchor = anchor if anchor in terms else choose_anchor(terms, self.rarity)
        others = sorted((t for t in terms if t != anchor), key=self.rarity)
        plans = {term: self._plan(term) for term in terms}  # the same lists in every round
        start_k, start, checks = plans[anchor]
        if not start.n:
            return _EMPTY
        bounds = self._unit_arrays(unit, many_docs=len(docs) > NEAR_BULK)[0]
        docs = np.asarray(docs, dtype=np.int64)
        doc_end = self.doc_starts[docs + 1]
        at = start.search(self.body_starts[docs] + start_k)
        end = start.search(doc_end + start_k)
        open_ = at < end
        docs, at, end, doc_end = docs[open_], at[open_], end[open_], doc_end[open_]
        found: list[np.ndarray] = []
        for _ in range(NEAR_ROUNDS):
            if len(docs) <= NEAR_BULK:
                break
            c = start.take(at) - start_k
            u = self._unit_of(c, unit)
            unit_end = self._unit_end(u, unit, doc_end)
            inside = c + len(anchor) <= unit_end  # the candidate fits in its unit
            held = inside.copy()  # … and its unit holds every other term
            for term in others:
                where = np.flatnonzero(held)
                held[where] = self.any_within(term, bounds[u[where]], unit_end[where], plan=plans[term])
            # … and the candidate is an occurrence of the anchor: checked last, where the
            # others are present (the anchor's rarest pair is nearly always the anchor, so
            # checking it first would mostly confirm what the others then reject).
            ok = np.zeros(len(docs), dtype=bool)
            where = np.flatnonzero(held)
            ok[where[self._verify(c[where], checks)]] = True
            found.append(docs[ok])
            # Next: the anchor's first occurrence after a unit that lacks another term (no
            # occurrence of the anchor in it can match), else the next candidate.
            skip = np.flatnonzero(inside & ~held)
            at = at + 1
            at[skip] = np.maximum(at[skip], start.search(unit_end[skip] + start_k))
            again = ~ok & (at < end)
            docs, at, end, doc_end = docs[again], at[again], end[again], doc_end[again]
        if len(docs):  # the rest at once: every unit of the anchor's remaining occurrences
            c = self.positions(anchor, docs)
            if len(anchor) == 1:
                c = np.sort(c)  # one character: sorted per following character only
            c = c[c >= self.body_starts[self.docs_of(c)]]
            u = _sorted_unique(self._unit_of(c, unit))
            owner = self.docs_of(bounds[u])
            unit_end = self._unit_end(u, unit, self.doc_starts[owner + 1])
            ok = np.ones(len(u), dtype=bool)
            for term in (anchor, *others):  # the anchor too: it must lie wholly inside the unit
                where = np.flatnonzero(ok)
                ok[where] = self.any_within(term, bounds[u[where]], unit_end[where], plan=plans[term])
            found.append(_sorted_unique(owner[ok]))
        return np.sort(np.concatenate(found)) if found else _EMPTY  # each document is found once

    def _unit_arrays(self, unit: str, many_docs: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """(unit starts, block table) of sentences or paragraphs. ``many_docs``: a lookup
        over many documents follows, which touches both arrays all over: they are read whole
        the first time (one request each). A few documents (the top hits proximity ranking
        looks at) read only their own pages."""
        arrays = self._units[unit]
        if many_docs and unit not in self._read_ahead:
            self._read_ahead.add(unit)
            for array in arrays:
                arrayfile.prefetch(array, min_bytes=0)
        return arrays

    def _unit_end(self, units: np.ndarray, unit: str, doc_end: np.ndarray) -> np.ndarray:
        """Where each unit ends: the next unit's start, or its document's end (``doc_end``,
        one per unit) for a document's last unit."""
        bounds = self._unit_arrays(unit)[0]
        end = doc_end.copy()
        following = np.flatnonzero(units + 1 < len(bounds))
        end[following] = np.minimum(bounds[units[following] + 1], doc_end[following])
        return end

    def _char_keys(self, char: str) -> tuple[int, int]:
        """The keys (indexes into ``keys``) of a one-character string's positions: those in
        ``[c << 21, (c + 1) << 21)``."""
        c = ord(char)
        return (arrayfile.bisect(self.keys, self.key_top, c << _SHIFT),
                arrayfile.bisect(self.keys, self.key_top, (c + 1) << _SHIFT))

    def rarity(self, term: str) -> int:
        """How many candidates a string's lookups start from (its rarest pair's count)."""
        if len(term) == 1:
            i, j = self._char_keys(term)
            return int(self.starts[j] - self.starts[i])
        return min(self._count(_pair_key(term[k], term[k + 1])) for k in range(len(term) - 1))

    def docs_of(self, positions: np.ndarray) -> np.ndarray:
        """The segment document number of each position."""
        return np.searchsorted(self.doc_starts, positions, side="right") - 1

    def in_title(self, positions: np.ndarray, docs: np.ndarray) -> np.ndarray:
        return positions < self.body_starts[docs]

    def units(self, term: str, unit: str, docs: np.ndarray | None = None) -> np.ndarray:
        """Ids (indexes into sent_starts or para_starts) of the body sentences or paragraphs
        that hold a whole occurrence of ``term``; sorted, unique. ``docs`` (sorted segment
        document numbers) restricts the answer to those documents."""
        if unit == "sentence" and any(mark in term for mark in SENTENCE_MARKS):
            return _EMPTY  # sentences are split at the marks: none can hold one
        positions = self.positions(term, docs)
        if len(term) == 1:
            positions = np.sort(positions)
        if not len(positions):
            return _EMPTY
        positions = positions[positions >= self.body_starts[self.docs_of(positions)]]
        bounds = self._unit_arrays(unit, many_docs=docs is None or len(docs) > NEAR_BULK)[0]
        first = self._unit_of(positions, unit)
        last = len(bounds) - 1
        following = bounds[np.minimum(first + 1, last)]
        whole = (first + 1 > last) | (positions + (len(term) - 1) < following)
        ids = first[whole]  # sorted, since the positions are
        return _sorted_unique(ids)

    def _unit_of(self, positions: np.ndarray, unit: str) -> np.ndarray:
        """The unit (index into its starts) each position lies in: the block table's entry,
        then a step over the few unit starts between the block start and the position —
        instead of a binary search over every sentence of the segment."""
        bounds, table = self._unit_arrays(unit)
        first = table[positions >> _BLOCK].astype(np.int64)
        last = len(bounds) - 1
        active = np.arange(len(positions))
        while len(active):
            nxt = first[active] + 1
            active = active[(nxt <= last) & (bounds[np.minimum(nxt, last)] <= positions[active])]
            first[active] += 1
        return first

    def common_units(self, terms: Sequence[str], unit: str, docs: np.ndarray | None = None) -> np.ndarray:
        """Sorted ids of the units that hold every term (rarest first; stops when none is left)."""
        common: np.ndarray | None = None
        bounds = self._unit_arrays(unit)[0]
        for term in terms:
            ids = self.units(term, unit, docs)
            if common is None:
                common = ids
            else:
                seen = np.zeros(len(bounds), dtype=bool)
                seen[common] = True
                common = ids[seen[ids]]
            if not len(common):
                return _EMPTY
        return common if common is not None else _EMPTY

    def unit_docs(self, unit_ids: np.ndarray, unit: str) -> np.ndarray:
        """Sorted, unique documents of sorted unit ids."""
        bounds = self.sent_starts if unit == "sentence" else self.para_starts
        docs = self.docs_of(bounds[unit_ids])
        return _sorted_unique(docs)


def load(path: Path) -> SegmentText | None:
    """The segment's index, or None when the file is missing or unreadable."""
    try:
        arrays, mm = arrayfile.read(path, MAGIC)
    except (OSError, ValueError):
        return None
    return SegmentText(arrays, keepalive=mm) if all(name in arrays for name in _ARRAYS) else None
