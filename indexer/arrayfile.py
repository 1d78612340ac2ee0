"""Named numpy arrays in one file, written atomically and read back memory-mapped.

The per-segment indexes (indexer.textindex, indexer.wordindex) are immutable once written,
like the Whoosh segment they belong to. Mapping them means opening costs nothing, several
processes share one copy in the page cache, and only the pages a query touches are read.

Layout: magic (4 bytes), header length (uint32 LE), JSON header {name: [dtype, offset,
length]}, padding to 8 bytes, then each array 8-byte aligned.
"""

from __future__ import annotations

import json
import mmap
import os
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np


def write(path: Path, magic: bytes, arrays: dict[str, np.ndarray]) -> None:
    """Write atomically: a reader sees the whole file or none (temporary name, fsync, rename).

    The temporary name starts with a dot and ends in ``.<pid>.tmp`` so that
    :func:`remove_stale_temporaries` can tell a dead writer's leftovers from a live one's."""
    header: dict[str, list[Any]] = {}
    offset = 0
    contiguous = {name: np.ascontiguousarray(a) for name, a in arrays.items()}
    for name, a in contiguous.items():
        header[name] = [a.dtype.str, offset, len(a)]
        offset += -(-a.nbytes // 8) * 8
    head = json.dumps(header).encode()
    base = 8 + len(head)
    pad = -base % 8
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(magic + struct.pack("<I", len(head)) + head + b"\0" * pad)
            for a in contiguous.values():
                fh.write(a.tobytes())
                fh.write(b"\0" * (-a.nbytes % 8))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def read(path: Path, magic: bytes) -> tuple[dict[str, np.ndarray], mmap.mmap]:
    """The arrays of a file, as read-only views of one memory map (keep the map alive).

    The map is read on demand, page by page (``MADV_RANDOM``): a lookup reads the few pages
    it touches, and a long range about to be read whole is asked for in one request
    (:func:`prefetch`). Without it, every page fault reads the device's whole read-ahead
    window around the page (8 MB on the benchmark machine): a binary search over a cold
    segment read a hundred megabytes, and opening an index of 100,000 documents read 700 MB."""
    with open(path, "rb") as fh:
        mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    if hasattr(mm, "madvise"):
        mm.madvise(mmap.MADV_RANDOM)
    if mm[:4] != magic:
        raise ValueError(f"{path}: not a {magic.decode(errors='replace')} file")
    (size,) = struct.unpack_from("<I", mm, 4)
    header = json.loads(mm[8 : 8 + size])
    base = 8 + size
    base += -base % 8
    arrays = {name: np.frombuffer(mm, dtype=np.dtype(dt), count=n, offset=base + off) for name, (dt, off, n) in header.items()}
    return arrays, mm


#: Bytes below which :func:`prefetch` does nothing by default: a few pages are cheaper to
#: fault in than a system call on every decode of a short list.
PREFETCH_MIN = 16 << 10


def prefetch(array: np.ndarray, min_bytes: int = PREFETCH_MIN) -> None:
    """Start reading the pages of an array (or a slice of one) that lies in a memory map
    from :func:`read`, in one request (``MADV_WILLNEED``), before it is read whole: a long
    list then costs one sequential read instead of a page fault per page. Arrays in memory,
    and ranges under ``min_bytes``, are left alone (on cached pages the call costs a
    few microseconds a megabyte)."""
    if array.nbytes < min_bytes or not array.nbytes:
        return
    base = array
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, memoryview):
        base = base.obj
    if not isinstance(base, mmap.mmap) or base.closed:
        return
    start = array.ctypes.data - np.frombuffer(base, dtype=np.uint8, count=1).ctypes.data
    at = start - start % mmap.ALLOCATIONGRANULARITY
    end = min(start + array.nbytes, len(base))
    try:
        while at < end:  # Linux reads at most one read-ahead window a request: ask in chunks
            base.madvise(mmap.MADV_WILLNEED, at, min(_PREFETCH_CHUNK, end - at))
            at += _PREFETCH_CHUNK
    except (OSError, ValueError):
        pass  # advice only


_PREFETCH_CHUNK = 2 << 20


#: One key in this many is kept in a key table's top level (:func:`top_level`).
TOP_STRIDE = 512


def top_level(keys: np.ndarray) -> np.ndarray:
    """Every :data:`TOP_STRIDE`-th key of sorted keys, stored beside them: a lookup searches
    this small array first, then one stride of the keys (4 KB: one page) — a binary search
    over the whole key array would touch a page per step, each a disk read when cold."""
    return np.ascontiguousarray(keys[::TOP_STRIDE])


def bisect(keys: np.ndarray, top: np.ndarray, key: int) -> int:
    """Where ``key`` goes in sorted ``keys`` (leftmost), through their :func:`top_level`."""
    needle = keys.dtype.type(key)
    block = int(np.searchsorted(top, needle, side="right")) - 1
    if block < 0:
        return 0
    lo = block * TOP_STRIDE
    return lo + int(np.searchsorted(keys[lo : lo + TOP_STRIDE], needle))


def find(keys: np.ndarray, top: np.ndarray, key: int) -> int:
    """Index of ``key`` in sorted distinct ``keys``, or -1."""
    i = bisect(keys, top, key)
    return i if i < len(keys) and int(keys[i]) == key else -1


def key_runs(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(distinct keys, where each key's run starts, plus the end) of sorted ``uint64`` keys:
    the layout of both posting files (pairs in ``.gsx``, words in ``.gsw``)."""
    if not len(sorted_keys):
        return np.empty(0, dtype=np.uint64), np.zeros(1, dtype=np.int64)
    cuts = np.flatnonzero(sorted_keys[1:] != sorted_keys[:-1]) + 1
    unique = sorted_keys[np.concatenate(([0], cuts))].astype(np.uint64)
    return unique, np.concatenate(([0], cuts, [len(sorted_keys)])).astype(np.int64)


def merged_runs(keys: Sequence[np.ndarray], starts: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Several parts in the :func:`key_runs` layout (each part's distinct keys and where their
    runs start in its flat array), merged: (distinct keys, where their runs start, and for
    each entry of the merged flat array the index of the entry it takes in the parts' flat
    arrays laid end to end).

    Equal keys keep part order — a stable sort of the parts' *distinct keys*, not of every
    entry — so values sorted within a key stay sorted when each part's values lie past the
    previous parts' (positions shifted by the text before them, document numbers likewise).
    The gather indexes are 32-bit whenever they fit: the gather moves every entry."""
    if not keys:
        return np.empty(0, dtype=np.uint64), np.zeros(1, dtype=np.int64), np.empty(0, dtype=np.int64)
    flat = np.concatenate(([0], np.cumsum([int(s[-1]) for s in starts], dtype=np.int64)))
    run_keys = np.concatenate(keys)
    run_start = np.concatenate([s[:-1] + flat[k] for k, s in enumerate(starts)])
    run_len = np.concatenate([np.diff(s) for s in starts])
    order = np.argsort(run_keys, kind="stable")
    run_keys, run_start, run_len = run_keys[order], run_start[order], run_len[order]
    ends = np.cumsum(run_len)
    index_type = np.int32 if flat[-1] < 2**31 else np.int64
    gather = np.repeat((run_start - (ends - run_len)).astype(index_type), run_len)
    gather += np.arange(int(flat[-1]), dtype=index_type)
    unique, run_starts = key_runs(run_keys)
    merged_starts = np.append(np.concatenate(([0], ends))[run_starts[:-1]], len(gather)).astype(np.int64)
    return unique, merged_starts, gather


def remove_stale_temporaries(directory: Path, suffix: str) -> int:
    """Delete temporary files left by writers that died between write and rename."""
    removed = 0
    for tmp in directory.glob(f".*{suffix}.*.tmp"):
        try:
            pid = int(tmp.name.rsplit(".", 2)[-2])
            os.kill(pid, 0)  # still running: its rename is still to come
        except (ValueError, ProcessLookupError):
            tmp.unlink(missing_ok=True)
            removed += 1
        except PermissionError:
            pass
    return removed
