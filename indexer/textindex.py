"""Exact substring search: a positional character-bigram index per Whoosh segment.

Why not Whoosh postings: a string matches a document if and only if it is a substring of
the document's normalised text. A bigram index *with positions* answers that exactly — the
string ``s`` starts at ``p`` iff the bigram ``s[k:k+2]`` starts at ``p + k`` for a set of
``k`` that covers every character — so no document text has to be read to verify a match,
and the same positions tell in which sentence or paragraph each occurrence lies (同句/同段,
proximity ranking). Whoosh's pure-Python posting writer costs ~10 µs a posting and its
reader ~1 µs a posting; here both sides are numpy: building sorts the segment's character
pairs once, and a lookup is a binary search into a memory-mapped array.

One file per segment, ``<segment id>.gsx`` next to the segment, derived only from the
segment's normalised-text column: it is written before the segment is committed, rebuilt
if missing, and deleted by Whoosh together with its segment (the name matches Whoosh's
segment-file pattern).

Coordinates: the segment's texts laid end to end, ``title NUL body NUL`` per document, so
no match can run from one text into the next (normalised text never contains NUL).
Keys: ``first << 21 | second`` for each character pair, and ``last << 21 | 0`` for the last
character of each text, so every character position starts exactly one key — which makes a
one-character string the contiguous key range ``[c << 21, (c + 1) << 21)``.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from indexer.analysis import SENTENCE_MARKS

MAGIC = b"GSX1"
SUFFIX = ".gsx"
_SHIFT = 21  # code points are < 2**21
_EMPTY = np.empty(0, dtype=np.int64)
_MARK_CODES = np.array([ord(c) for c in SENTENCE_MARKS], dtype=np.uint32)
_ARRAYS = ("keys", "starts", "pos", "doc_starts", "body_starts", "sent_starts", "para_starts")


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
    following = np.zeros(len(chars), dtype=np.uint64)
    following[:-1] = chars[1:]
    keys = (chars[where].astype(np.uint64) << np.uint64(_SHIFT)) | following[where]
    order = np.argsort(keys, kind="stable")  # stable: positions stay sorted within a key
    keys = keys[order]
    pos = where[order].astype(np.uint32)
    if len(keys):
        cuts = np.flatnonzero(keys[1:] != keys[:-1]) + 1
        unique = keys[np.concatenate(([0], cuts))]
        starts = np.concatenate(([0], cuts, [len(keys)])).astype(np.int64)
    else:
        unique, starts = np.empty(0, dtype=np.uint64), np.zeros(1, dtype=np.int64)
    after_mark = np.flatnonzero(np.isin(chars, _MARK_CODES)) + 1
    paras = np.array(para_starts, dtype=np.int64)
    sents = np.union1d(after_mark, paras)
    return {
        "keys": unique,
        "starts": starts,
        "pos": pos,
        "doc_starts": np.array(doc_starts, dtype=np.int64),
        "body_starts": np.array(body_starts, dtype=np.int64),
        "sent_starts": sents.astype(np.int64),
        "para_starts": paras,
    }


def write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write atomically: a reader sees the whole file or none (temporary name, then rename)."""
    header: dict[str, list[Any]] = {}
    offset = 0
    for name in _ARRAYS:
        a = np.ascontiguousarray(arrays[name])
        header[name] = [a.dtype.str, offset, len(a)]
        offset += -(-a.nbytes // 8) * 8
    head = json.dumps(header).encode()
    base = 8 + len(head)
    base += -base % 8
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        fh.write(MAGIC + struct.pack("<I", len(head)) + head)
        fh.write(b"\0" * (base - 8 - len(head)))
        for name in _ARRAYS:
            a = np.ascontiguousarray(arrays[name])
            fh.write(a.tobytes())
            fh.write(b"\0" * (-a.nbytes % 8))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class SegmentText:
    """Lookups in one segment's index (memory-mapped file, or arrays just built)."""

    def __init__(self, arrays: dict[str, np.ndarray], keepalive: object = None) -> None:
        self._keepalive = keepalive
        self.keys: np.ndarray = arrays["keys"]
        self.starts: np.ndarray = arrays["starts"]
        self.pos: np.ndarray = arrays["pos"]
        self.doc_starts: np.ndarray = arrays["doc_starts"]
        self.body_starts: np.ndarray = arrays["body_starts"]
        self.sent_starts: np.ndarray = arrays["sent_starts"]
        self.para_starts: np.ndarray = arrays["para_starts"]
        self.doc_count = len(self.body_starts)

    @classmethod
    def open(cls, path: Path) -> SegmentText:
        with open(path, "rb") as fh:
            mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        if mm[:4] != MAGIC:
            raise ValueError(f"{path}: not a govsearch text index")
        (size,) = struct.unpack_from("<I", mm, 4)
        header = json.loads(mm[8 : 8 + size])
        base = 8 + size
        base += -base % 8
        arrays = {
            name: np.frombuffer(mm, dtype=np.dtype(dt), count=n, offset=base + off)
            for name, (dt, off, n) in header.items()
        }
        return cls(arrays, keepalive=mm)

    def _postings(self, key: int) -> np.ndarray:
        i = int(np.searchsorted(self.keys, key))
        if i < len(self.keys) and int(self.keys[i]) == key:
            return self.pos[self.starts[i] : self.starts[i + 1]]
        return self.pos[:0]

    def positions(self, term: str) -> np.ndarray:
        """Start positions of every occurrence of ``term`` (normalised, non-empty); int64.

        Sorted for strings of two or more characters; for one character, sorted per
        following character only (callers that need order sort).
        """
        if len(term) == 1:
            c = ord(term)
            lo, hi = np.searchsorted(self.keys, [c << _SHIFT, (c + 1) << _SHIFT])
            return self.pos[self.starts[lo] : self.starts[hi]].astype(np.int64)
        pairs = [(k, self._postings(_pair_key(term[k], term[k + 1]))) for k in range(len(term) - 1)]
        start_k, start = min(pairs, key=lambda kp: len(kp[1]))  # the rarest pair, wherever it is
        found = start.astype(np.int64) - start_k
        found = found[found >= 0]
        covering = set(range(0, len(term) - 1, 2)) | {len(term) - 2}  # together they cover every character
        for k, postings in sorted((kp for kp in pairs if kp[0] in covering and kp[0] != start_k), key=lambda kp: len(kp[1])):
            if not len(found) or not len(postings):
                return _EMPTY
            wanted = (found + k).astype(np.uint32)
            at = np.searchsorted(postings, wanted)
            np.minimum(at, len(postings) - 1, out=at)
            found = found[postings[at] == wanted]
        return found

    def docs_of(self, positions: np.ndarray) -> np.ndarray:
        """The segment document number of each position."""
        return np.searchsorted(self.doc_starts, positions, side="right") - 1

    def in_title(self, positions: np.ndarray, docs: np.ndarray) -> np.ndarray:
        return positions < self.body_starts[docs]

    def units(self, term: str, unit: str, positions: np.ndarray | None = None,
              docs: np.ndarray | None = None) -> np.ndarray:
        """Ids (indexes into sent_starts or para_starts) of the body sentences or paragraphs
        that hold a whole occurrence of ``term``; sorted, unique. ``positions`` may pass the
        term's occurrences when the caller has them; ``docs`` (sorted segment document
        numbers) restricts the answer to those documents."""
        if unit == "sentence" and any(mark in term for mark in SENTENCE_MARKS):
            return _EMPTY  # sentences are split at the marks: none can hold one
        if positions is None:
            positions = self.positions(term)
        if len(term) == 1:
            positions = np.sort(positions)
        if docs is not None and len(positions):
            lo = np.searchsorted(positions, self.doc_starts[docs])
            hi = np.searchsorted(positions, self.doc_starts[docs + 1])
            keep = [positions[a:b] for a, b in zip(lo.tolist(), hi.tolist(), strict=True) if b > a]
            positions = np.concatenate(keep) if keep else _EMPTY
        if not len(positions):
            return _EMPTY
        positions = positions[positions >= self.body_starts[self.docs_of(positions)]]
        bounds = self.sent_starts if unit == "sentence" else self.para_starts
        first = np.searchsorted(bounds, positions, side="right") - 1
        following = bounds[np.minimum(first + 1, len(bounds) - 1)]
        whole = (first + 1 >= len(bounds)) | (positions + (len(term) - 1) < following)
        ids = first[whole]  # sorted, since the positions are
        return ids[np.concatenate(([True], ids[1:] != ids[:-1]))] if len(ids) else _EMPTY

    def unit_docs(self, unit_ids: np.ndarray, unit: str) -> np.ndarray:
        """Sorted, unique documents of sorted unit ids."""
        bounds = self.sent_starts if unit == "sentence" else self.para_starts
        docs = self.docs_of(bounds[unit_ids])
        return docs[np.concatenate(([True], docs[1:] != docs[:-1]))] if len(docs) else docs


def remove_stale_temporaries(directory: Path) -> int:
    """Delete temporary files left by writers that died between write and rename."""
    removed = 0
    for tmp in directory.glob(f".*{SUFFIX}.*.tmp"):
        try:
            pid = int(tmp.name.rsplit(".", 2)[-2])
            os.kill(pid, 0)  # still running: its rename is still to come
        except (ValueError, ProcessLookupError):
            tmp.unlink(missing_ok=True)
            removed += 1
        except PermissionError:
            pass
    return removed


def load_or_build(path: Path, texts: Callable[[], Iterable[tuple[str, str, Sequence[int]]]], writable: bool) -> SegmentText:
    """Open the segment's index file; build it from ``texts()`` when missing or unreadable
    (an index written before this file existed, or a crash between write and rename)."""
    try:
        return SegmentText.open(path)
    except (OSError, ValueError, KeyError, json.JSONDecodeError):
        pass
    arrays = build(texts())
    if writable:
        try:
            write(path, arrays)
            return SegmentText.open(path)
        except OSError:
            pass
    return SegmentText(arrays)
