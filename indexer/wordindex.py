"""BM25F inputs as numpy arrays: each segment's word postings, copied once out of Whoosh.

Whoosh stores word postings in pickled, compressed blocks of up to 128; decoding them at
query time costs ~0.4 µs a posting, and a common word such as 法治 has a posting in nearly
every document — tens of milliseconds per query word at 20,000 documents. Segments never
change, so each segment's postings are decoded once, when the segment is committed, into
``<segment id>.gsw``: per field, the sorted 64-bit hashes of its terms, and for each term
its document numbers and frequencies. A lookup is one binary search and two slices of a
memory map. Hash collisions (probability ~n²/2⁶⁵) could only blend two words' scores:
ranking, never matching, depends on this file.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import pickle
import struct
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.filedb.structfile import BufferFile
from whoosh.matching.wrappers import FilterMatcher

from indexer import arrayfile

MAGIC = b"GSW1"
SUFFIX = ".gsw"
FIELDS = ("words", "title_words")
_INT = struct.Struct("!i")  # Whoosh's block length prefix (whoosh.system.unpack_int)
_EMPTY_IDS = np.empty(0, dtype=np.uint32)
_EMPTY_TF = np.empty(0, dtype=np.float32)


def term_hash(term: str) -> int:
    return int.from_bytes(hashlib.blake2b(term.encode("utf-8"), digest_size=8).digest(), "little")


def read_postings(reader: Any, field: str, term: str, with_weights: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """All (docnum, weight) postings of a term in one segment, deleted documents included.

    Reads Whoosh's W3 posting blocks directly: iterating a matcher posting by posting costs
    ~1 µs each in Python, and common words have a posting in nearly every document.
    """
    empty = (np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64) if with_weights else None)
    if (field, term) not in reader:
        return empty
    m = reader.postings(field, term)
    if isinstance(m, FilterMatcher):
        m = m.child
    if isinstance(m, W3LeafMatcher) and not m._byteids and isinstance(m._postfile, BufferFile):
        # Walk the blocks in the memory-mapped postings file directly: the matcher's own
        # block header reads go through several small Python-level file reads per block.
        buf = m._postfile._buf
        position = m._baseoffset
        deltas: list[Any] = []
        lengths: list[int] = []
        weight_blocks: list[np.ndarray] = []
        while True:
            (length,) = _INT.unpack_from(buf, position)
            last = length < 0
            end = position + 4 + abs(length)
            header = io.BytesIO(buf[position + 4 : end])
            n, _, _, compression, _, _ = pickle.load(header)
            data = buf[position + 4 + header.tell() : end]
            block = pickle.loads(zlib.decompress(data) if compression else data)
            deltas.append(block[0])
            lengths.append(n)
            if with_weights:
                w = block[1]  # None: all 1.0; a float: all equal; else one per posting
                if w is None or isinstance(w, float):
                    weight_blocks.append(np.full(n, 1.0 if w is None else w))
                else:
                    weight_blocks.append(np.asarray(w, dtype=np.float64))
            if last:
                break
            position = end
        # Ids are delta-encoded per block: a global cumulative sum minus each block's start.
        total = np.cumsum(np.fromiter(itertools.chain.from_iterable(deltas), dtype=np.int64, count=sum(lengths)))
        starts = np.cumsum([0, *lengths[:-1]])
        before = np.where(starts > 0, total[np.maximum(starts - 1, 0)], 0)
        ids = total - np.repeat(before, lengths)
        return ids, (np.concatenate(weight_blocks) if with_weights else None)
    pairs = []
    while m.is_active():
        pairs.append((m.id(), m.weight() if with_weights else 1.0))
        m.next()
    if not pairs:
        return empty
    ids = np.array([p[0] for p in pairs], dtype=np.int64)
    return ids, (np.array([p[1] for p in pairs], dtype=np.float64) if with_weights else None)




def build(reader: Any) -> dict[str, np.ndarray]:
    """The word index arrays of one Whoosh segment reader."""
    arrays: dict[str, np.ndarray] = {}
    for field in FIELDS:
        terms = [t.decode("utf-8") for t in reader.lexicon(field)] if field in reader.schema else []
        keyed = sorted((term_hash(t), t) for t in terms)
        docs: list[np.ndarray] = []
        tfs: list[np.ndarray] = []
        starts = [0]
        for _, term in keyed:
            ids, weights = read_postings(reader, field, term, with_weights=True)
            docs.append(ids.astype(np.uint32))
            tfs.append(weights.astype(np.float32))  # type: ignore[union-attr]
            starts.append(starts[-1] + len(ids))
        arrays[f"{field}.keys"] = np.array([k for k, _ in keyed], dtype=np.uint64)
        arrays[f"{field}.starts"] = np.array(starts, dtype=np.int64)
        arrays[f"{field}.docs"] = np.concatenate(docs) if docs else _EMPTY_IDS
        arrays[f"{field}.tf"] = np.concatenate(tfs) if tfs else _EMPTY_TF
    return arrays


class SegmentWords:
    """Word postings of one segment (memory-mapped file, or arrays just built)."""

    def __init__(self, arrays: dict[str, np.ndarray], keepalive: object = None) -> None:
        self._keepalive = keepalive
        self._fields = {
            f: (arrays[f"{f}.keys"], arrays[f"{f}.starts"], arrays[f"{f}.docs"], arrays[f"{f}.tf"]) for f in FIELDS
        }

    def postings(self, field: str, term_key: int) -> tuple[np.ndarray, np.ndarray]:
        """(segment document numbers, term frequencies) of a term, by :func:`term_hash`."""
        keys, starts, docs, tfs = self._fields[field]
        i = int(np.searchsorted(keys, np.uint64(term_key)))
        if i < len(keys) and int(keys[i]) == term_key:
            a, b = int(starts[i]), int(starts[i + 1])
            return docs[a:b], tfs[a:b]
        return _EMPTY_IDS, _EMPTY_TF


def write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    arrayfile.write(path, MAGIC, arrays)


def load_or_build(path: Path, reader: Any, writable: bool) -> SegmentWords:
    """Open the segment's word index; build it from the Whoosh segment when missing or unreadable."""
    required = [f"{field}.{part}" for field in FIELDS for part in ("keys", "starts", "docs", "tf")]
    arrays, keepalive = arrayfile.load_or_build(path, MAGIC, required, lambda: build(reader), writable)
    return SegmentWords(arrays, keepalive=keepalive)
