"""BM25F inputs as numpy arrays: each segment's word postings, ``<segment id>.gsw``.

Written straight from the word counts the preparation workers make (indexer/prepare.py),
when the segment is committed: per field, the sorted 64-bit hashes of its words, and for
each word its document numbers and frequencies. A lookup is one binary search and two slices
of a memory map. Whoosh keeps no word postings at all: decoding its pickled posting blocks
cost ~0.4 µs a posting at query time, and writing them was most of the single writer's work.
Hash collisions (probability ~n²/2⁶⁵) could only blend two words' scores: ranking, never
matching, depends on this file.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from indexer import arrayfile

MAGIC = b"GSW3"
SUFFIX = ".gsw"
FIELDS = ("words", "title_words")
_EMPTY_IDS = np.empty(0, dtype=np.uint32)
_EMPTY_TF = np.empty(0, dtype=np.uint16)
_MAX_TF = np.iinfo(np.uint16).max

#: One document's words in one field: (word hashes, their frequencies).
Counts = tuple[np.ndarray, np.ndarray]


def term_hash(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


def count(found: Sequence[str]) -> Counts:
    """The word counts of one field of one document (run in the preparation workers)."""
    counts: dict[int, int] = {}
    for w, n in Counter(found).items():  # hash each distinct word once
        key = term_hash(w)
        counts[key] = counts.get(key, 0) + n
    return (np.fromiter(counts.keys(), dtype=np.uint64, count=len(counts)),
            np.fromiter(counts.values(), dtype=np.uint32, count=len(counts)))


def build(per_field: dict[str, Sequence[Counts]]) -> dict[str, np.ndarray]:
    """The word index arrays of one segment: for each field, every document's counts in
    document-number order."""
    arrays: dict[str, np.ndarray] = {}
    for field in FIELDS:
        docs = per_field.get(field, ())
        n = len(docs)
        id_type = np.uint16 if n <= 1 << 16 else np.uint32
        lengths = [len(k) for k, _ in docs]
        keys = np.concatenate([k for k, _ in docs]) if docs else np.empty(0, dtype=np.uint64)
        tfs = np.concatenate([t for _, t in docs]) if docs else np.empty(0, dtype=np.uint32)
        owners = np.repeat(np.arange(n, dtype=np.int64), lengths)
        order = np.lexsort((owners, keys))  # by word, then document
        keys, owners, tfs = keys[order], owners[order], tfs[order]
        unique, starts = arrayfile.key_runs(keys)
        arrays[f"{field}.keys"] = unique.astype(np.uint64)
        arrays[f"{field}.top"] = arrayfile.top_level(unique)
        arrays[f"{field}.starts"] = starts
        arrays[f"{field}.docs"] = owners.astype(id_type)
        arrays[f"{field}.tf"] = np.minimum(tfs, _MAX_TF).astype(np.uint16)
    return arrays


class SegmentWords:
    """Word postings of one segment (memory-mapped file, or arrays just built)."""

    def __init__(self, arrays: dict[str, np.ndarray], keepalive: object = None) -> None:
        self._keepalive = keepalive
        self._fields = {
            f: (arrays[f"{f}.keys"], arrays[f"{f}.starts"], arrays[f"{f}.docs"], arrays[f"{f}.tf"]) for f in FIELDS
        }
        self._tops = {f: arrays[f"{f}.top"] for f in FIELDS}

    def postings(self, field: str, term_key: int) -> tuple[np.ndarray, np.ndarray]:
        """(segment document numbers, term frequencies) of a term, by :func:`term_hash`."""
        keys, starts, docs, tfs = self._fields[field]
        i = arrayfile.find(keys, self._tops[field], term_key)
        if i < 0:
            return _EMPTY_IDS, _EMPTY_TF
        a, b = int(starts[i]), int(starts[i + 1])
        arrayfile.prefetch(docs[a:b])
        arrayfile.prefetch(tfs[a:b])
        return docs[a:b], tfs[a:b]


    def per_document(self, field: str, n: int) -> list[Counts]:
        """Each of the segment's ``n`` documents' counts in ``field`` (to merge segments)."""
        keys, starts, docs, tfs = self._fields[field]
        owners = docs.astype(np.int64)
        words = np.repeat(keys, np.diff(starts))
        order = np.argsort(owners, kind="stable")
        bounds = np.searchsorted(owners[order], np.arange(n + 1)).tolist()
        w, t = words[order], tfs[order].astype(np.uint32)
        return [(w[a:b], t[a:b]) for a, b in itertools.pairwise(bounds)]


def merge(parts: Sequence[SegmentWords], doc_counts: Sequence[int]) -> dict[str, np.ndarray]:
    """The word index arrays of one segment holding ``parts``' documents in order (none
    deleted; ``doc_counts``: each part's documents), from their arrays: a stable sort of the
    parts' distinct words, then one gather (:func:`indexer.arrayfile.merged_runs`)."""
    arrays: dict[str, np.ndarray] = {}
    first_doc = np.concatenate(([0], np.cumsum(doc_counts, dtype=np.int64)))
    id_type = np.uint16 if first_doc[-1] <= 1 << 16 else np.uint32
    for field in FIELDS:
        fields = [p._fields[field] for p in parts]
        docs = np.concatenate([docs.astype(np.int64) + first_doc[k] for k, (_, _, docs, _) in enumerate(fields)]
                              or [np.empty(0, dtype=np.int64)])
        tfs = np.concatenate([tf for _, _, _, tf in fields] or [np.empty(0, np.uint16)])
        unique, starts, gather = arrayfile.merged_runs([keys for keys, _, _, _ in fields],
                                                       [starts for _, starts, _, _ in fields])
        arrays[f"{field}.keys"] = unique
        arrays[f"{field}.top"] = arrayfile.top_level(unique)
        arrays[f"{field}.starts"] = starts
        arrays[f"{field}.docs"] = docs[gather].astype(id_type)
        arrays[f"{field}.tf"] = tfs[gather].astype(np.uint16)
    return arrays


def write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    arrayfile.write(path, MAGIC, arrays)


def load(path: Path) -> SegmentWords | None:
    """The segment's word index, or None when the file is missing or unreadable."""
    required = [f"{field}.{part}" for field in FIELDS for part in ("keys", "top", "starts", "docs", "tf")]
    try:
        arrays, mm = arrayfile.read(path, MAGIC)
    except (OSError, ValueError):
        return None
    return SegmentWords(arrays, keepalive=mm) if all(r in arrays for r in required) else None
