"""The single writer of the index during a crawl.

Why one place: Whoosh allows one writer per index, and an interrupted crawl must keep what it
committed. Documents are buffered and added in batches (every ``batch_size`` documents or
``commit_interval`` seconds); only after a batch is durably in the index are the matching
crawl-state rows written (URL → document, validators, frontier entries done). A crash
therefore loses at most one batch, and the next run re-fetches exactly those pages.

Every fetched document becomes a document of its own, with its own text in the index: a
near-duplicate (a report republished by the city, a corrected copy) is never folded into
another document here. The index groups copies with the one detector in
:mod:`indexer.dedup`, and only search results fold them (one hit listing its copies).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from indexer.document import (
    GONE_AT_KEY,
    GONE_KEY,
    LAST_SEEN_KEY,
    MOVED_AT_KEY,
    MOVED_KEY,
    Document,
    Version,
    make_id,
    version_id,
)

if TYPE_CHECKING:
    from crawl.context import CrawlContext

GONE_SOURCES_KEY = "gone_sources"  # other sources that disappeared, one per line


class DocumentSink:
    """Buffers documents, merges duplicates, commits batches to the index."""

    def __init__(self, ctx: CrawlContext | None, index: Any, *, batch_size: int = 20,
                 commit_interval: float = 30.0, state: Any = None, stats: Any = None):
        self.ctx = ctx
        self.index = index
        self.state = state if state is not None else (ctx.state if ctx else None)
        self.stats = stats if stats is not None else (ctx.stats if ctx else None)
        self.batch_size = batch_size
        self.commit_interval = commit_interval
        self.buffer: dict[str, Document] = {}
        self.url_updates: list[tuple[str, dict[str, Any]]] = []
        self.new_ids: set[str] = set()  # documents first added in the current batch
        self.aliases: dict[str, str] = {}  # URL a document moved to → the document's id
        self.done_keys: list[str] = []
        self.last_commit = time.monotonic()
        self.commits = 0
        self.copies = 0  # new documents that the index found to be copies of another

    def _count(self, name: str) -> None:
        if self.stats is not None:
            setattr(self.stats, name, getattr(self.stats, name) + 1)

    def _lookup(self, doc_id: str) -> Document | None:
        return self.buffer.get(doc_id) or self.index.get(doc_id)

    def doc_id_for(self, url: str) -> str:
        """The document a URL belongs to: where it moved from, else its own id."""
        if url in self.aliases:
            return self.aliases[url]
        previous = self.state.get(url) if self.state is not None else None
        if previous is not None and previous.doc_id and previous.state != "duplicate":
            return previous.doc_id
        return make_id(url)

    def accept(self, document: Document, *, url: str, url_fields: dict[str, Any],
               done_keys: Iterable[str] = (), moved_from: str | None = None,
               when: str = "") -> str:
        """Take one cleaned document fetched from ``url``; returns what happened to it.

        ``moved_from``: ``url`` was reached by a redirect from this known address. With the
        same text it is the same document, now at ``url``, with both addresses.
        """
        document.id = self.doc_id_for(url)
        document.source = url
        self.done_keys.extend(done_keys)
        fields = dict(url_fields)
        fields["content_hash"] = document.content_hash
        if moved_from and self._moved(document, url, moved_from, when):
            fields["doc_id"] = document.id
            fields["state"] = "ok"
            self.url_updates.append((url, fields))
            self._count("moved")
            self.maybe_flush()
            return "moved"
        previous = self.state.get(url) if self.state is not None else None
        # ("duplicate" rows of older crawls are not "unchanged": such a URL was folded into
        # another document and never indexed; its next 200 makes it a document of its own.)
        if (previous and previous.content_hash == document.content_hash and previous.doc_id
                and previous.state in ("ok", "unchanged")):
            fields["doc_id"] = previous.doc_id
            fields["state"] = previous.state
            self.url_updates.append((url, fields))
            self._count("unchanged_docs")
            self.maybe_flush()
            return "unchanged"
        existing = self._lookup(document.id)
        if (existing is not None and existing.content_hash == document.content_hash
                and not existing.deleted):
            # Same text under new bytes (a counter, a timestamp): nothing to re-index.
            fields["doc_id"] = existing.id
            fields["state"] = "ok"
            self.url_updates.append((url, fields))
            self._count("unchanged_docs")
            self.maybe_flush()
            return "unchanged"
        if existing is not None:
            if existing.content_hash != document.content_hash:
                document.versions = [*existing.versions, self._keep_version(existing)]
            else:
                document.versions = list(existing.versions)
            merged = [s for s in existing.other_sources if s != url]
            document.other_sources = merged + [
                s for s in document.other_sources if s not in merged and s != url]
            for key in (GONE_SOURCES_KEY, MOVED_KEY, MOVED_AT_KEY):
                if key in existing.extra:
                    document.extra.setdefault(key, existing.extra[key])
            if existing.source != url and existing.source not in document.other_sources:
                document.other_sources.insert(0, existing.source)
            self._count("updated_docs")
            outcome = "updated"
        else:
            self._count("new_docs")
            self.new_ids.add(document.id)
            outcome = "new"
        self.buffer[document.id] = document
        fields["doc_id"] = document.id
        fields["state"] = "ok"
        self.url_updates.append((url, fields))
        self.maybe_flush()
        return outcome

    def _keep_version(self, existing: Document) -> Version:
        """The text a re-crawl replaces stays: as a document of its own (found with
        ``versions:all``), with its capture time and archived payload."""
        old = Document.from_dict(existing.to_dict())
        old.id = version_id(existing.id, existing.capture_sha256 or existing.content_hash)
        old.version_of = existing.id
        old.versions = []
        old.extra = {k: v for k, v in existing.extra.items()
                     if k not in (GONE_KEY, GONE_AT_KEY, LAST_SEEN_KEY, MOVED_KEY, MOVED_AT_KEY)}
        self.buffer[old.id] = old
        self._count("versions")
        return Version(id=old.id, captured=existing.captured.isoformat() if existing.captured else None,
                       capture_sha256=existing.capture_sha256, title=existing.title)

    def _moved(self, document: Document, url: str, moved_from: str, when: str) -> bool:
        """Make ``document`` the known document of ``moved_from``, now at ``url``, when the
        text is the same; False (a document of its own) when it is not."""
        origin = self._lookup(self.doc_id_for(moved_from))
        if origin is None or origin.content_hash != document.content_hash:
            return False
        document.id = origin.id
        document.captured, document.capture_sha256 = origin.captured, origin.capture_sha256
        document.versions = list(origin.versions)
        document.other_sources = list(origin.other_sources)
        document.extra = dict(origin.extra)
        document.source = moved_from
        self._relocate(document, moved_from, url, when)
        return True

    def moved_unchanged(self, old_url: str, new_url: str, doc_id: str, when: str) -> None:
        """A redirect to ``new_url`` whose answer was 304 for the old validators: same bytes."""
        document = self._lookup(doc_id)
        if document is None or document.source == new_url:
            return
        self._relocate(document, old_url, new_url, when)
        self._count("moved")
        self.maybe_flush()

    def _relocate(self, document: Document, old_url: str, new_url: str, when: str) -> None:
        """One document, both addresses: the new one is its source, the old one is kept."""
        others = [s for s in document.other_sources if s not in (old_url, new_url)]
        if document.source not in (old_url, new_url):
            others.insert(0, document.source)
        document.source = new_url
        document.other_sources = [old_url, *others]
        for key in (GONE_KEY, GONE_AT_KEY, LAST_SEEN_KEY):
            document.extra.pop(key, None)
        document.extra[MOVED_KEY] = f"{when[:10]} {old_url} → {new_url}".strip()
        if when:
            document.extra[MOVED_AT_KEY] = when
        self.aliases[new_url] = document.id
        self.buffer[document.id] = document

    def gone(self, url: str, doc_id: str, reason: str, when: str, last_seen: str | None = None) -> None:
        """Flag, never delete: the document stays searchable and says its page is gone
        (已删除), why, and when it was last seen."""
        document = self._lookup(doc_id)
        if document is None:
            return
        note = f"{when[:10]} {reason}"
        if document.source == url:
            if document.extra.get(GONE_KEY) == note:
                return
            document.extra[GONE_KEY] = note
            document.extra[GONE_AT_KEY] = when
            if last_seen:
                document.extra[LAST_SEEN_KEY] = last_seen
        else:
            lines = [x for x in document.extra.get(GONE_SOURCES_KEY, "").split("\n") if x]
            entry = f"{url} {note}"
            if not any(x.startswith(url + " ") for x in lines):
                lines.append(entry)
            document.extra[GONE_SOURCES_KEY] = "\n".join(lines)
        self.buffer[document.id] = document
        self.maybe_flush()

    def maybe_flush(self) -> None:
        if (len(self.buffer) >= self.batch_size
                or time.monotonic() - self.last_commit >= self.commit_interval):
            self.flush()

    def flush(self) -> None:
        """Commit the buffered documents, then the crawl-state rows that depend on them."""
        if self.buffer:
            report = self.index.add(list(self.buffer.values()))
            self.commits += 1
            # A new document the index grouped with another one is a copy ("重复来源"): it
            # is indexed all the same, and only search results fold it.
            self.copies += sum(1 for doc_id, _ in report.copies if doc_id in self.new_ids)
            if self.stats is not None:
                self.stats.duplicates = self.copies
                for source, reason in getattr(report, "failed", []) or []:
                    self.stats.error(source, f"索引失败：{reason}")
        if self.state is not None and (self.url_updates or self.done_keys):
            with self.state.transaction():
                for url, fields in self.url_updates:
                    self.state.record(url, **fields)
                self.state.mark_done(self.done_keys)
        self.buffer.clear()
        self.url_updates.clear()
        self.new_ids.clear()
        self.done_keys.clear()
        self.last_commit = time.monotonic()


class IndexPipeline:
    """Opens the index and the sink for the crawl, and commits what is left at the end."""

    def __init__(self, crawler: Any):
        self.crawler = crawler
        self.index: Any = None
        self.timer: Any = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> IndexPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        from indexer import open_index

        ctx = self.crawler.spider.ctx
        self.index = open_index(ctx.options.data_dir)
        ctx.sink = DocumentSink(ctx, self.index, batch_size=ctx.options.batch_size,
                                commit_interval=ctx.options.commit_interval)
        # Commit on time even while no new document arrives (a long column of known items,
        # slow hosts): what was fetched must not wait for the next document to become durable.
        from twisted.internet import task

        self.timer = task.LoopingCall(ctx.sink.maybe_flush)
        self.timer.start(max(0.5, min(ctx.options.commit_interval / 4, 5.0)), now=False)

    def process_item(self, item: Any) -> Any:
        return item

    def close_spider(self) -> None:
        ctx = self.crawler.spider.ctx
        if self.timer is not None and self.timer.running:
            self.timer.stop()
        try:
            if ctx.sink is not None:
                ctx.sink.flush()
        finally:
            if self.index is not None:
                self.index.close()
