"""The capture index: which WARC file and offset hold each archived response.

A small SQLite table beside the WARC files (``<warc_dir>/captures.sqlite``), written by
:class:`archive.warc.WarcRecorder` as it writes each response, read by the web UI and
``reindex``. It plays the part a CDX index plays for web archives: a reader finds the
capture a citation names (by URL and payload SHA-256) without scanning the archive and
without the crawler's own state. Archives written before it existed are indexed by
:func:`rebuild`, which reads them once.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

INDEX_NAME = "captures.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    url TEXT NOT NULL,
    sha256 TEXT NOT NULL,        -- of the payload as the server sent it
    file TEXT NOT NULL,          -- WARC file name inside the directory
    offset INTEGER NOT NULL,     -- of the response record
    fetched TEXT NOT NULL,       -- ISO 8601, UTC
    status INTEGER NOT NULL,
    PRIMARY KEY (file, offset)
);
CREATE INDEX IF NOT EXISTS captures_sha ON captures (sha256);
CREATE INDEX IF NOT EXISTS captures_url ON captures (url, fetched);
"""


@dataclass(frozen=True)
class CaptureRef:
    """Where one archived response is, and what it was."""

    url: str
    sha256: str
    file: str
    offset: int
    fetched: dt.datetime
    status: int


class CaptureIndex:
    """Read/write access for the recorder (one writer per crawl)."""

    def __init__(self, warc_dir: str | Path):
        path = Path(warc_dir) / INDEX_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(path, timeout=30.0)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(_SCHEMA)

    def add(self, refs: Iterable[CaptureRef]) -> None:
        with self.db:
            self.db.executemany(
                "INSERT OR REPLACE INTO captures VALUES (?, ?, ?, ?, ?, ?)",
                [(r.url, r.sha256, r.file, r.offset, r.fetched.isoformat(), r.status) for r in refs])

    def close(self) -> None:
        self.db.close()


def _row(row: tuple) -> CaptureRef:
    url, sha, file, offset, fetched, status = row
    return CaptureRef(url, sha, file, int(offset), dt.datetime.fromisoformat(fetched), int(status))


def lookup(warc_dir: str | Path, *, sha256: str, urls: Iterable[str] = ()) -> list[CaptureRef]:
    """Captures whose payload hash is ``sha256`` (those of ``urls`` first), newest first.

    Opened read-only, so a reader never creates or locks the index; a missing or unreadable
    index is "nothing known" (the caller may scan), never an error.
    """
    path = Path(warc_dir) / INDEX_NAME
    if not path.exists():
        return []
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=2.0)
        try:
            rows = db.execute("SELECT url, sha256, file, offset, fetched, status FROM captures"
                              " WHERE sha256 = ? ORDER BY fetched DESC", (sha256,)).fetchall()
        finally:
            db.close()
    except sqlite3.Error as err:
        log.warning("cannot read capture index %s: %s", path, err)
        return []
    wanted = set(urls)
    refs = [_row(r) for r in rows]
    return sorted(refs, key=lambda r: r.url not in wanted)


def rebuild(warc_dir: str | Path) -> int:
    """Index every response in the archive (for archives written before the index). Returns the count."""
    from archive.warc import iter_captures

    index = CaptureIndex(warc_dir)
    try:
        refs = [CaptureRef(c.url, c.sha256, c.file, c.offset, c.fetched, c.status)
                for c in iter_captures(warc_dir)]
        index.add(refs)
    finally:
        index.close()
    return len(refs)


def find_capture(warc_dir: str | Path, *, sha256: str, urls: Iterable[str] = (),
                 max_scan_bytes: int = 256 * 1024 * 1024):
    """The archived response with payload hash ``sha256``, or None.

    Looks it up in the capture index and checks the hash of what it reads; when the index
    does not know it (an archive older than the index) and the archive is small enough,
    reads the archive. A damaged or missing WARC file is "not found", never an exception.
    """
    from archive.warc import iter_captures, read_capture, warc_files

    urls = list(urls)
    for ref in lookup(warc_dir, sha256=sha256, urls=urls):
        if "/" in ref.file or "\\" in ref.file or ref.file.startswith("."):
            continue  # the index names files inside the directory, nothing else
        try:
            capture = read_capture(warc_dir, ref.file, ref.offset)
        except Exception as err:  # a damaged WARC must not take the reader down
            log.warning("cannot read capture %s@%s: %s", ref.file, ref.offset, err)
            continue
        if capture is not None and capture.sha256 == sha256:
            return capture
    files = warc_files(warc_dir)
    if not files or sum(f.stat().st_size for f in files) > max_scan_bytes:
        return None
    wanted = set(urls)
    try:
        for capture in iter_captures(warc_dir):
            if capture.sha256 == sha256 and (not wanted or capture.url in wanted):
                return capture
    except Exception as err:  # a damaged WARC must not take the reader down
        log.warning("cannot scan captures in %s: %s", warc_dir, err)
    return None
