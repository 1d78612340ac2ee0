"""Scrapy settings for the govsearch crawler, and the options a user can change.

Why a module of its own: politeness is the crawler's promise to small government servers, so
every knob that affects load on a host is set here, in one place, with the reasoning beside
it. ``docs/crawling.md`` quotes these defaults; keep the two in step.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: Identifies the crawler honestly and says where to complain. Override per deployment
#: (``--user-agent`` or ``GOVSEARCH_USER_AGENT``) with your own contact URL or mail address.
DEFAULT_USER_AGENT = (
    "govsearch/0.1 (research crawler for published government reports; "
    "+https://github.com/govsearch/govsearch/blob/main/docs/crawling.md)"
)

#: At least one second between two requests to the same host, as the issue promises.
DEFAULT_DELAY = 1.0
DEFAULT_CONCURRENCY_PER_HOST = 1
DEFAULT_MAX_SIZE = 50 * 1024 * 1024  # a report PDF is rarely above 20 MB
DEFAULT_TIMEOUT = 30.0
#: Links from a seed: home page → column → article (attachments and pagination are free).
DEFAULT_DEPTH = 3
DEFAULT_RETRIES = 3
#: Longest Retry-After we wait for; a host asking for more is left alone for this crawl.
MAX_RETRY_AFTER = 600.0


@dataclass
class CrawlOptions:
    """Everything one crawl needs to know; built from the command line and a site config."""

    seeds: list[str]
    data_dir: Path
    max_pages: int | None = None
    depth: int = DEFAULT_DEPTH
    delay: float = DEFAULT_DELAY
    concurrency_per_host: int = DEFAULT_CONCURRENCY_PER_HOST
    keywords: list[str] = field(default_factory=list)
    resume: bool = False
    user_agent: str = DEFAULT_USER_AGENT
    allowed_hosts: list[str] = field(default_factory=list)  # extra hosts besides the seeds'
    max_size: int = DEFAULT_MAX_SIZE
    timeout: float = DEFAULT_TIMEOUT
    retries: int = DEFAULT_RETRIES
    autothrottle: bool = True
    obey_robots: bool = True
    sitemaps: bool = True
    progress: bool = True  # live progress line on stderr
    batch_size: int = 20  # documents per index commit
    commit_interval: float = 30.0  # seconds between index commits at most
    max_attachments_per_page: int = 10
    #: Per-host budget of pages that share one URL shape (digits masked): bounds traps.
    shape_budget: int = 200
    #: Pages followed along one column's pagination chain ("下一页", index_N.html) per crawl.
    max_list_pages: int = 200
    #: Also revalidate every known report of these sites (conditional requests): finds
    #: reports that were edited or withdrawn even when no column links them any more.
    recheck: bool = False
    #: Failures in a row (5xx, 429, timeouts) after which a host is left alone this crawl.
    host_failure_limit: int = 10
    log_level: str = "WARNING"

    #: Settings a resumed crawl takes over from the run it continues.
    RESUMABLE = ("seeds", "max_pages", "depth", "delay", "concurrency_per_host", "keywords",
                 "user_agent", "allowed_hosts", "max_size", "timeout", "retries", "autothrottle",
                 "sitemaps", "batch_size", "commit_interval", "max_attachments_per_page",
                 "shape_budget", "max_list_pages", "recheck", "host_failure_limit")

    def resumable(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.RESUMABLE}

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        env_agent = os.environ.get("GOVSEARCH_USER_AGENT")
        if env_agent and self.user_agent == DEFAULT_USER_AGENT:
            self.user_agent = env_agent


def scrapy_settings(options: CrawlOptions) -> dict[str, Any]:
    """The Scrapy settings dict for one crawl."""
    delay = max(0.0, options.delay)
    return {
        "BOT_NAME": "govsearch",
        "USER_AGENT": options.user_agent,
        "ROBOTSTXT_OBEY": options.obey_robots,
        "ROBOTSTXT_PARSER": "scrapy.robotstxt.ProtegoRobotParser",
        # Politeness: a fixed floor between requests to one host. No jitter: jitter below
        # 1.0 would make some gaps shorter than the delay we promise.
        "DOWNLOAD_DELAY": delay,
        "DOWNLOAD_DELAY_JITTER": 0.0,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": max(1, options.concurrency_per_host),
        # AutoThrottle only ever slows down from the floor (its minimum is DOWNLOAD_DELAY).
        "AUTOTHROTTLE_ENABLED": options.autothrottle,
        "AUTOTHROTTLE_START_DELAY": delay,
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_TIMEOUT": options.timeout,
        "DOWNLOAD_MAXSIZE": options.max_size,
        "DOWNLOAD_WARNSIZE": 0,
        "REDIRECT_MAX_TIMES": 5,
        "METAREFRESH_ENABLED": True,
        "METAREFRESH_MAXDELAY": 10,
        # Retries with backoff and Retry-After are ours (crawl.middlewares.PoliteRetryMiddleware).
        "RETRY_ENABLED": True,
        "RETRY_TIMES": options.retries,
        "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
        "HTTPERROR_ALLOW_ALL": True,  # the spider records 404/410 as "gone"
        "COOKIES_ENABLED": True,
        "DEFAULT_REQUEST_HEADERS": {
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
        },
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": options.log_level,
        "LOG_ENABLED": True,
        "DEPTH_LIMIT": 0,  # depth is ours: pagination must not use up depth
        "DOWNLOADER_MIDDLEWARES": {
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawl.middlewares.PoliteRetryMiddleware": 550,
            # Close to the network: sees every response (redirects, errors, robots.txt)
            # before decompression, so the WARC holds what the server sent.
            "crawl.middlewares.WarcCaptureMiddleware": 950,
        },
        "DOWNLOAD_HANDLERS": {"http": "crawl.middlewares.GuardedDownloadHandler",
                              "https": "crawl.middlewares.GuardedDownloadHandler"},
        "ITEM_PIPELINES": {"crawl.pipelines.IndexPipeline": 300},
        "EXTENSIONS": {"crawl.middlewares.ProgressReporter": 500},
        "CLOSESPIDER_PAGECOUNT": options.max_pages or 0,
        "GOVSEARCH_OPTIONS": options,
    }
