"""Incremental crawl state in SQLite (``<data_dir>/crawl.sqlite``).

Why SQLite rather than Scrapy's JOBDIR: JOBDIR resumes one run and its queue files do not
survive a hard kill, while a weekly re-crawl needs to remember, across runs, each URL's
validators (ETag, Last-Modified), the hash of what it said, and which document it became.
The frontier is stored too, one row per request, so ``--resume`` works even after ``kill -9``.

Only the crawling process writes this file; rows about documents are written after the index
commit that holds those documents, so the state never claims more than the index has.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    kind TEXT,                -- seed / list / article / attachment / sitemap / other
    status INTEGER,           -- last HTTP status (304 included)
    state TEXT,               -- ok / unchanged / gone / error / not-article / duplicate
    etag TEXT,
    last_modified TEXT,
    payload_sha256 TEXT,      -- of the last 200 payload, as the server sent it
    content_hash TEXT,        -- Document.content_hash of what this URL became
    doc_id TEXT,              -- the document this URL belongs to (canonical id if duplicate)
    warc_file TEXT,           -- where the last 200 response is archived
    warc_offset INTEGER,
    first_seen TEXT,
    last_fetch TEXT,
    last_change TEXT,
    run_id INTEGER,           -- the run that last touched this row
    first_run INTEGER,        -- the run that first met this URL
    location TEXT,            -- where a redirect pointed
    last_ok TEXT              -- the last time the page was seen (a 200 or a 304)
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    finished TEXT,
    reason TEXT,
    seeds TEXT,
    summary TEXT,
    options TEXT              -- JSON: the crawl's settings, reused by --resume
);
CREATE TABLE IF NOT EXISTS frontier (
    run_id INTEGER NOT NULL,
    key TEXT NOT NULL,        -- method + url + body: what makes two requests the same
    request TEXT NOT NULL,    -- JSON: url, method, body, kind, depth, meta
    done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (run_id, key)
);
"""


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass
class UrlRecord:
    url: str
    kind: str | None
    status: int | None
    state: str | None
    etag: str | None
    last_modified: str | None
    payload_sha256: str | None
    content_hash: str | None
    doc_id: str | None
    warc_file: str | None
    warc_offset: int | None
    first_seen: str | None
    last_fetch: str | None
    last_change: str | None
    run_id: int | None
    first_run: int | None
    location: str | None
    last_ok: str | None = None


class CrawlState:
    """The crawl's memory between runs. Not thread-safe: the Scrapy process owns it."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(SCHEMA)
        columns = {row[1] for row in self.db.execute("PRAGMA table_info(urls)")}
        if "last_ok" not in columns:  # a crawl.sqlite of an earlier version
            self.db.execute("ALTER TABLE urls ADD COLUMN last_ok TEXT")
        self.run_id: int | None = None
        self.run_started: str | None = None

    # -- runs ---------------------------------------------------------------------------

    def last_run_options(self) -> dict[str, Any]:
        """Settings of the newest run (seeds, delay, keywords…), for ``--resume``."""
        row = self.db.execute("SELECT options, seeds FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        if not row:
            return {}
        options = json.loads(row[0]) if row[0] else {}
        options.setdefault("seeds", json.loads(row[1]) if row[1] else [])
        return options

    def start_run(self, seeds: Iterable[str], *, resume: bool,
                  options: dict[str, Any] | None = None) -> tuple[int, bool]:
        """Open a run; with ``resume``, reopen the last unfinished one. Returns (id, resumed)."""
        if resume:
            row = self.db.execute(
                "SELECT id, started FROM runs WHERE finished IS NULL OR reason != 'finished' "
                "ORDER BY id DESC LIMIT 1"
            ).fetchone()
            if row and self.pending_count(row[0]):
                self.run_id, self.run_started = row[0], row[1]
                self.db.execute("UPDATE runs SET finished = NULL, reason = NULL WHERE id = ?",
                                (self.run_id,))
                return self.run_id, True
        started = now_iso()
        cur = self.db.execute(
            "INSERT INTO runs (started, seeds, options) VALUES (?, ?, ?)",
            (started, json.dumps(list(seeds), ensure_ascii=False),
             json.dumps(options or {}, ensure_ascii=False)))
        self.run_id, self.run_started = int(cur.lastrowid), started
        return self.run_id, False

    def finish_run(self, reason: str, summary: dict[str, Any]) -> None:
        self.db.execute("UPDATE runs SET finished = ?, reason = ?, summary = ? WHERE id = ?",
                        (now_iso(), reason, json.dumps(summary, ensure_ascii=False), self.run_id))

    def previous_runs(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM runs WHERE id < ?",
                               (self.run_id or 0,)).fetchone()[0]

    # -- frontier -----------------------------------------------------------------------

    def enqueue(self, key: str, request: dict[str, Any]) -> bool:
        """Remember a request of this run; False if this run already has it."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO frontier (run_id, key, request) VALUES (?, ?, ?)",
            (self.run_id, key, json.dumps(request, ensure_ascii=False)),
        )
        return cur.rowcount == 1

    def mark_done(self, keys: Iterable[str]) -> None:
        self.db.executemany("UPDATE frontier SET done = 1 WHERE run_id = ? AND key = ?",
                            [(self.run_id, k) for k in keys])

    def pending(self, run_id: int | None = None) -> Iterator[dict[str, Any]]:
        rows = self.db.execute("SELECT request FROM frontier WHERE run_id = ? AND done = 0",
                               (run_id or self.run_id,)).fetchall()
        for (text,) in rows:
            yield json.loads(text)

    def pending_count(self, run_id: int | None = None) -> int:
        return self.db.execute("SELECT COUNT(*) FROM frontier WHERE run_id = ? AND done = 0",
                               (run_id or self.run_id,)).fetchone()[0]

    def done_keys(self) -> set[str]:
        rows = self.db.execute("SELECT key FROM frontier WHERE run_id = ? AND done = 1",
                               (self.run_id,))
        return {k for (k,) in rows}

    # -- urls ---------------------------------------------------------------------------

    def get(self, url: str) -> UrlRecord | None:
        row = self.db.execute(
            "SELECT url, kind, status, state, etag, last_modified, payload_sha256, content_hash,"
            " doc_id, warc_file, warc_offset, first_seen, last_fetch, last_change, run_id, first_run,"
            " location, last_ok"
            " FROM urls WHERE url = ?", (url,)).fetchone()
        return UrlRecord(*row) if row else None

    def known_before_this_run(self, url: str) -> bool:
        """Met by an earlier run (fetched, or tried and failed): what "reached known items"
        means when deciding to stop paginating."""
        row = self.db.execute("SELECT first_run FROM urls WHERE url = ?", (url,)).fetchone()
        return bool(row and row[0] is not None and row[0] < (self.run_id or 0))

    def record(self, url: str, **fields: Any) -> None:
        """Insert or update one URL's row with the given columns."""
        fields = {k: v for k, v in fields.items()}
        fields.setdefault("last_fetch", now_iso())
        if fields.get("status") in (200, 304) and fields.get("state") not in ("gone", "redirect"):
            fields.setdefault("last_ok", fields["last_fetch"])
        fields["run_id"] = self.run_id
        existing = self.db.execute("SELECT 1 FROM urls WHERE url = ?", (url,)).fetchone()
        if existing:
            sets = ", ".join(f"{k} = ?" for k in fields)
            self.db.execute(f"UPDATE urls SET {sets} WHERE url = ?", (*fields.values(), url))
        else:
            fields.setdefault("first_seen", fields["last_fetch"])
            fields["first_run"] = self.run_id
            cols = ", ".join(["url", *fields])
            marks = ", ".join("?" * (len(fields) + 1))
            self.db.execute(f"INSERT INTO urls ({cols}) VALUES ({marks})", (url, *fields.values()))

    def final_target(self, url: str, max_hops: int = 5) -> UrlRecord | None:
        """The row of the URL that ``url`` last redirected to (itself when no redirect)."""
        record = self.get(url)
        hops = 0
        while record and record.state == "redirect" and record.location and hops < max_hops:
            record = self.get(record.location)
            hops += 1
        return record

    def known_articles(self) -> list[str]:
        """URLs that became documents (or copies of one) and were not found gone."""
        rows = self.db.execute(
            "SELECT url FROM urls WHERE doc_id IS NOT NULL AND state IN ('ok', 'unchanged', "
            "'duplicate') ORDER BY url")
        return [u for (u,) in rows]

    def urls_for_doc(self, doc_id: str) -> list[str]:
        return [u for (u,) in self.db.execute("SELECT url FROM urls WHERE doc_id = ?", (doc_id,))]

    def counts_by_state(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT state, COUNT(*) FROM urls GROUP BY state").fetchall())

    def transaction(self) -> _Transaction:
        return _Transaction(self.db)

    def close(self) -> None:
        self.db.close()


class _Transaction:
    """``with state.transaction():`` groups writes so a crash leaves all or none of them."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN")

    def __exit__(self, exc_type: Any, *_: object) -> None:
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")
