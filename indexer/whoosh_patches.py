"""Local fixes to Whoosh-Reloaded 2.7.5, which is frozen upstream (docs/decisions.md D1).

Applied once on import of the backend. Each patch is small, performance-only, and keeps
Whoosh's behaviour; the test suite runs with them.
"""

from __future__ import annotations

from whoosh.codec import whoosh3

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


def apply() -> None:
    whoosh3.W3PerDocReader._cached_reader = _cached_reader
