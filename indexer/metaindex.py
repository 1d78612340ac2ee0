"""Per-document values of one segment as arrays: ``<segment id>.gsm`` beside the segment.

Why not a JSON value per document: opening an index of 100,000 documents then costs 100,000
``json.loads`` calls and dictionaries before the first query (2–3 s). Here each value kind is
one column: integers as an ``int64`` array, strings as a table of the segment's distinct values
(joined by NUL, decoded with one ``split``) and an ``int32`` code per document. Opening maps
the file; a column is decoded on first use, and the view combines the small per-segment
tables of the facet columns into one code space without touching single documents.

The MinHash signature of each document (near-duplicates) is kept here too, as ``uint32``
(the legacy MinHash values are below 2³²; :func:`SegmentMeta.signature` returns ``uint64``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from indexer import arrayfile, dedup

MAGIC = b"GSM1"
SUFFIX = ".gsm"
#: Values that are integers (sort keys, word counts); every other value is a string.
INT_KEYS = ("date", "nw", "ntw")
#: Values that are lists, kept as JSON text.
JSON_KEYS = ("ev",)
_SEP = "\0"


def build(metas: Sequence[dict[str, Any]], sigs: Sequence[np.ndarray | None],
          spelled: Mapping[str, Callable[[str], str]] | None = None) -> dict[str, np.ndarray]:
    """The arrays of one segment from each document's values (prepare's ``meta``), in
    document-number order. ``spelled``: for some string columns, a sort spelling of each
    distinct value (facet values' pinyin), kept beside the value table."""
    arrays: dict[str, np.ndarray] = {"n": np.array([len(metas)], dtype=np.int64)}
    keys = sorted({k for m in metas for k in m})
    for key in keys:
        if key in INT_KEYS:
            arrays[f"i.{key}"] = np.array([int(m.get(key) or 0) for m in metas], dtype=np.int64)
            continue
        if key in JSON_KEYS:
            values = [json.dumps(m.get(key) or [], ensure_ascii=False) for m in metas]
        else:
            values = ["" if m.get(key) is None else str(m.get(key)) for m in metas]
        table: dict[str, int] = {}
        codes = np.fromiter((table.setdefault(v, len(table)) for v in values), dtype=np.int32, count=len(values))
        names = list(table)
        if any(_SEP in v for v in names):  # never in practice: fall back to one JSON list
            arrays[f"j.{key}"] = np.frombuffer(json.dumps(names, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
        else:
            arrays[f"s.{key}"] = np.frombuffer(_SEP.join(names).encode("utf-8"), dtype=np.uint8)
        arrays[f"c.{key}"] = codes
        if spelled and key in spelled:
            spelling = [spelled[key](v).replace(_SEP, " ") for v in names]
            arrays[f"p.{key}"] = np.frombuffer(_SEP.join(spelling).encode("utf-8"), dtype=np.uint8)
    width = dedup.NUM_PERM
    packed = np.zeros((len(metas), width), dtype=np.uint32)
    has = np.zeros(len(metas), dtype=bool)
    for j, sig in enumerate(sigs):
        if sig is not None and len(sig):
            packed[j] = sig.astype(np.uint32)
            has[j] = True
    arrays["sig"] = packed.reshape(-1)
    arrays["sig.has"] = has
    return arrays


def merge(parts: Sequence[SegmentMeta]) -> dict[str, np.ndarray]:
    """The arrays of one segment holding ``parts``' documents in order (none deleted), from
    their columns: integer columns and signatures laid end to end, each string column's
    tables united and its codes renumbered. A value a part lacks is 0 or '', as :func:`build`
    writes it. Single documents are never looked at."""
    n = sum(p.n for p in parts)
    arrays: dict[str, np.ndarray] = {"n": np.array([n], dtype=np.int64)}
    for key in sorted({k for p in parts for k in p.keys}):
        if key in INT_KEYS:
            arrays[f"i.{key}"] = np.concatenate([p.ints(key) for p in parts]).astype(np.int64)
            continue
        table: dict[str, int] = {}
        codes, spellings = [], {}
        for part in parts:
            names, part_codes = part.column(key, keep=False)
            to_merged = np.fromiter((table.setdefault(v, len(table)) for v in names), dtype=np.int32, count=len(names))
            codes.append(to_merged[part_codes])
            spelled = part.spelling(key)
            if spelled is not None:
                spellings.update(zip(names, spelled, strict=True))
        names = list(table)
        if any(_SEP in v for v in names):
            arrays[f"j.{key}"] = np.frombuffer(json.dumps(names, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
        else:
            arrays[f"s.{key}"] = np.frombuffer(_SEP.join(names).encode("utf-8"), dtype=np.uint8)
        arrays[f"c.{key}"] = np.concatenate(codes).astype(np.int32)
        if spellings:
            spellings.setdefault("", "")  # a part without the column: every value ''
        if spellings and all(v in spellings for v in names):
            arrays[f"p.{key}"] = np.frombuffer(_SEP.join(spellings[v] for v in names).encode("utf-8"), dtype=np.uint8)
    arrays["sig"] = np.concatenate([p._arrays["sig"] for p in parts]).astype(np.uint32)
    arrays["sig.has"] = np.concatenate([p._arrays["sig.has"] for p in parts]).astype(bool)
    return arrays


def write(path: Path, arrays: dict[str, np.ndarray]) -> None:
    arrayfile.write(path, MAGIC, arrays)


class SegmentMeta:
    """The per-document values of one segment (memory-mapped, columns decoded on first use)."""

    def __init__(self, arrays: dict[str, np.ndarray], keepalive: object = None) -> None:
        self._keepalive = keepalive
        self._arrays = arrays
        self.n = int(arrays["n"][0])
        self._tables: dict[str, list[str]] = {}
        self._advised: set[str] = set()
        self.keys = sorted({name.split(".", 1)[1] for name in arrays if name[:2] in ("i.", "c.")})

    def _array(self, name: str) -> np.ndarray | None:
        """A stored array, whose pages are asked for in one request the first time (a
        column is read whole: opening reads the facet columns of every segment)."""
        found = self._arrays.get(name)
        if found is not None and name not in self._advised:
            self._advised.add(name)
            arrayfile.prefetch(found, min_bytes=0)
        return found

    @classmethod
    def open(cls, path: Path) -> SegmentMeta:
        arrays, mm = arrayfile.read(path, MAGIC)
        return cls(arrays, keepalive=mm)

    def ints(self, key: str) -> np.ndarray:
        """An integer column (0 where a document has no value)."""
        found = self._array(f"i.{key}")
        return found if found is not None else np.zeros(self.n, dtype=np.int64)

    def column(self, key: str, keep: bool = True) -> tuple[list[str], np.ndarray]:
        """(distinct values, each document's index into them) of a string column. ``keep``:
        remember the decoded values (for lookups of single documents); a scan over a whole
        column (building a view, a ``publisher:`` query) decodes it again instead of holding
        every segment's values in memory."""
        codes = self._array(f"c.{key}")
        if codes is None:
            return [""], np.zeros(self.n, dtype=np.int32)
        table = self._tables.get(key)
        if table is None:
            raw = self._array(f"s.{key}")
            if raw is not None:
                table = raw.tobytes().decode("utf-8").split(_SEP)
            else:
                table = json.loads(self._arrays[f"j.{key}"].tobytes().decode("utf-8"))
            if keep:
                self._tables[key] = table
        return table, codes

    def same_column(self, a: str, b: str) -> bool:
        """Whether two string columns hold the same value for every document (compared as
        stored bytes, without decoding them)."""
        ra, rb = self._array(f"s.{a}"), self._array(f"s.{b}")
        ca, cb = self._array(f"c.{a}"), self._array(f"c.{b}")
        if ra is None or rb is None or ca is None or cb is None:
            return False
        return ra.tobytes() == rb.tobytes() and np.array_equal(ca, cb)

    def containing(self, key: str, text: str) -> np.ndarray:
        """Mask of the segment's documents whose value of a string column contains ``text``.

        Searched in the value table's stored bytes, one ``bytes.find`` per matching value,
        without decoding the table (a ``docno:`` query scans a table of one value per
        document): a UTF-8 needle can only match UTF-8 text at character boundaries, and no
        value holds the NUL that separates them."""
        codes = self._array(f"c.{key}")
        raw = self._array(f"s.{key}")
        if codes is None or raw is None or not text or _SEP in text:
            table, codes = self.column(key, keep=False)
            return np.array([text in v for v in table], dtype=bool)[codes]
        data = raw.tobytes()
        needle = text.encode("utf-8")
        ends = np.append(np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 0), len(data))
        matching = np.zeros(len(ends), dtype=bool)
        at = data.find(needle)
        while at >= 0:
            value = int(np.searchsorted(ends, at))  # the value holding the match
            matching[value] = True
            at = data.find(needle, int(ends[value]) + 1)
        return matching[codes]

    def spelling(self, key: str) -> list[str] | None:
        """The sort spelling of each distinct value of a column, if it was written."""
        raw = self._array(f"p.{key}")
        return raw.tobytes().decode("utf-8").split(_SEP) if raw is not None else None

    def strings(self, key: str) -> list[str]:
        """A string column as one value per document."""
        table, codes = self.column(key, keep=False)
        return [table[c] for c in codes.tolist()]

    def value(self, key: str, j: int) -> Any:
        if key in INT_KEYS:
            return int(self.ints(key)[j])
        table, codes = self.column(key)
        value = table[int(codes[j])]
        return json.loads(value) if key in JSON_KEYS else value

    def record(self, j: int) -> dict[str, Any]:
        """Every value of document ``j``, as prepare produced it (for merging segments)."""
        return {key: self.value(key, j) for key in self.keys}

    def signature(self, j: int) -> np.ndarray | None:
        if not bool(self._arrays["sig.has"][j]):
            return None
        width = dedup.NUM_PERM
        return self._arrays["sig"][j * width : (j + 1) * width].astype(np.uint64)


def load(path: Path) -> SegmentMeta | None:
    """The segment's values, or None when the file is missing or unreadable."""
    try:
        return SegmentMeta.open(path)
    except (OSError, ValueError, KeyError):
        return None
