"""Local fixes to Whoosh-Reloaded 2.7.5, which is frozen upstream (docs/decisions.md D1).

Applied once on import of the backend. Each patch is small, performance-only, and keeps
Whoosh's behaviour; the test suite runs with them.
"""

from __future__ import annotations

import mmap
import pickle

from whoosh import columns
from whoosh.codec import whoosh3
from whoosh.filedb import compound, structfile

_MISSING = object()


def _cached_reader(self, fieldname, column):  # type: ignore[no-untyped-def]
    """Remember that a column is missing, too.

    Upstream asks the file system (``os.stat``) for every posting of a field that has no
    length column — 1.5 million stat calls for 600 documents of our unscored gram field,
    a quarter of all indexing time. A segment's column files never change once written.
    """
    reader = self._readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        self._readers[fieldname] = reader
    return reader


class _BufferReader:
    """A read-only file over a buffer that does not copy it.

    Upstream wraps each file of a compound segment in ``BytesIO(memoryview(mmap))``, which
    copies the whole sub-file into memory on open: the first query that touches a segment's
    postings or stored documents copied 20-30 MB per segment (~20 ms each, and resident
    memory for as long as the reader lives). Reads here slice the memory map instead.
    """

    __slots__ = ("_buf", "_pos")

    def __init__(self, buf) -> None:  # type: ignore[no-untyped-def]
        self._buf = buf
        self._pos = 0

    def read(self, size=-1):  # type: ignore[no-untyped-def]
        start = self._pos
        end = len(self._buf) if size is None or size < 0 else min(start + size, len(self._buf))
        self._pos = max(start, end)
        return bytes(self._buf[start:end])

    def readinto(self, target):  # type: ignore[no-untyped-def]
        data = self.read(len(target))
        target[: len(data)] = data
        return len(data)

    def readline(self, size=-1):  # type: ignore[no-untyped-def]
        chunk = bytes(self._buf[self._pos : self._pos + (size if size is not None and size >= 0 else 4096)])
        cut = chunk.find(b"\n")
        while cut < 0 and (size is None or size < 0) and self._pos + len(chunk) < len(self._buf):
            more = bytes(self._buf[self._pos + len(chunk) : self._pos + len(chunk) + 4096])
            chunk += more
            cut = chunk.find(b"\n")
        line = chunk if cut < 0 else chunk[: cut + 1]
        self._pos += len(line)
        return line

    def __iter__(self):  # type: ignore[no-untyped-def]
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def seek(self, offset, whence=0):  # type: ignore[no-untyped-def]
        base = {0: 0, 1: self._pos, 2: len(self._buf)}[whence]
        self._pos = base + offset
        return self._pos

    def tell(self):  # type: ignore[no-untyped-def]
        return self._pos

    def close(self):  # type: ignore[no-untyped-def]
        self._buf = b""


def _buffer_file_init(self, buf, name=None, onclose=None):  # type: ignore[no-untyped-def]
    self._buf = buf
    self._name = name
    self.file = _BufferReader(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


class _StoredColumn(columns.PickleColumn):
    """Stored fields pickled with the current protocol and without Whoosh's own zlib pass.

    The only large stored value, the Document, is already deflated by the preparation
    workers (level 6, in parallel). Upstream pickles with protocol 2, which writes bytes as a
    latin-1 string (a deflated Document grows by ~50%), then deflates again to win that back:
    ~0.3 ms a document in the single writer process, and a second inflate on every read.
    """

    class Writer(columns.PickleColumn.Writer):
        def add(self, docnum, v):  # type: ignore[no-untyped-def]
            self._child.add(docnum, pickle.dumps(v, pickle.HIGHEST_PROTOCOL) if v is not None else b"")


STORED_COLUMN = _StoredColumn(columns.VarBytesColumn())


class _LazyTerms:
    """A segment's term table, opened on first use.

    Upstream opens every segment's term table when a reader is made (256 small reads of its
    hash directory each: 0.4 s for 100 segments after a dropped page cache). Searching here
    never reads terms; only a writer's delete-by-id does, through its own readers.
    """

    def __init__(self, open_terms) -> None:  # type: ignore[no-untyped-def]
        self._open = open_terms
        self._terms = None

    def _real(self):  # type: ignore[no-untyped-def]
        if self._terms is None:
            self._terms = self._open()
        return self._terms

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return getattr(self._real(), name)

    def __contains__(self, term) -> bool:  # type: ignore[no-untyped-def]
        return term in self._real()

    def close(self) -> None:
        if self._terms is not None:
            self._terms.close()


_upstream_terms_reader = whoosh3.W3Codec.terms_reader


def _lazy_terms_reader(self, storage, segment):  # type: ignore[no-untyped-def]
    return _LazyTerms(lambda: _upstream_terms_reader(self, storage, segment))


_upstream_compound_init = compound.CompoundStorage.__init__


def _compound_init(self, *args, **kwargs):  # type: ignore[no-untyped-def]
    """Read a segment's memory map page by page (``MADV_RANDOM``), as indexer/arrayfile.py
    reads ours. Stored documents are small and scattered: with the device's read-ahead
    (8 MB on the benchmark machine) each one read from a cold segment read 8 MB around it,
    which made the first ten hits of a query after a cold start cost 80 ms."""
    _upstream_compound_init(self, *args, **kwargs)
    source = getattr(self, "_source", None)
    if source is not None and hasattr(source, "madvise"):
        source.madvise(mmap.MADV_RANDOM)


def apply() -> None:
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
    structfile.BufferFile.__init__ = _buffer_file_init
    whoosh3.STORED_COLUMN = STORED_COLUMN
    whoosh3.W3Codec.terms_reader = _lazy_terms_reader
    compound.CompoundStorage.__init__ = _compound_init
