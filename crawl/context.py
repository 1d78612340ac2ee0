"""What one crawl shares between the spider, its middlewares and the pipeline.

Its own module so that the spider, the middlewares and the pipeline each import it and none
imports another for it (the spider used to hold it, which made ``spider ↔ middlewares`` a
circle).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from archive.warc import WarcRecorder
from crawl import discovery
from crawl.settings import CrawlOptions
from crawl.state import CrawlState


@dataclass
class CrawlStats:
    """Live numbers for the progress line and the end-of-crawl summary."""

    pages: int = 0
    bytes: int = 0
    not_modified: int = 0
    new_docs: int = 0
    updated_docs: int = 0
    unchanged_docs: int = 0
    duplicates: int = 0
    gone: int = 0
    moved: int = 0
    versions: int = 0  # earlier texts kept because a page changed
    not_articles: int = 0
    retries: int = 0
    traps: int = 0
    offsite: int = 0
    robots_forbidden: int = 0
    stopped_pagination: int = 0
    host_given_up: int = 0  # requests not sent because their host kept failing
    per_host: Counter = field(default_factory=Counter)
    status: Counter = field(default_factory=Counter)
    errors: list[tuple[str, str]] = field(default_factory=list)
    started: float = 0.0

    def fetched(self, url: str, status: int, size: int) -> None:
        self.pages += 1
        self.bytes += size
        self.per_host[discovery.host_of(url)] += 1
        self.status[status] += 1
        if status == 304:
            self.not_modified += 1

    def error(self, url: str, reason: str) -> None:
        self.errors.append((url, reason))

    def progress_line(self) -> str:
        hosts = " ".join(f"{h}:{n}" for h, n in self.per_host.most_common(4))
        return (f"已抓取 {self.pages} 页（未变 304：{self.not_modified}）· 新文档 {self.new_docs}"
                f" · 更新 {self.updated_docs} · 副本 {self.duplicates} · 删除 {self.gone} · 迁移 {self.moved}"
                f" · 错误 {len(self.errors)} · {hosts}")

    def summary(self, elapsed: float) -> dict[str, Any]:
        return {
            "pages": self.pages, "bytes": self.bytes, "not_modified": self.not_modified,
            "new_docs": self.new_docs, "updated_docs": self.updated_docs,
            "unchanged_docs": self.unchanged_docs, "duplicates": self.duplicates,
            "gone": self.gone, "moved": self.moved, "versions": self.versions, "not_articles": self.not_articles, "retries": self.retries,
            "traps": self.traps, "offsite": self.offsite,
            "robots_forbidden": self.robots_forbidden,
            "stopped_pagination": self.stopped_pagination,
            "host_given_up": self.host_given_up,
            "per_host": dict(self.per_host), "status": {str(k): v for k, v in self.status.items()},
            "errors": [list(e) for e in self.errors[:200]], "error_count": len(self.errors),
            "elapsed": round(elapsed, 3),
            "pages_per_second": round(self.pages / elapsed, 3) if elapsed > 0 else None,
        }


class CrawlContext:
    """What the spider, middlewares and the pipeline share during one crawl."""

    def __init__(self, options: CrawlOptions):
        self.options = options
        self.state = CrawlState(options.data_dir / "crawl.sqlite")
        self.recorder = WarcRecorder(options.data_dir / "warc")
        self.stats = CrawlStats()
        self.sink: Any = None  # crawl.pipelines.DocumentSink, opened with the pipeline
        self.host_floor: dict[str, float] = {}  # download slot → robots.txt Crawl-delay
        self.hosts_given_up: set[str] = set()  # download slots the circuit breaker closed
        self.resumed = False

    def close(self) -> None:
        self.recorder.close_all()
        self.state.close()
