"""Downloader middlewares and the progress extension of the govsearch crawler.

* :class:`PoliteRetryMiddleware` — Scrapy's retry plus what a small server needs: exponential
  backoff on the host (not just a re-queue), and ``Retry-After`` honoured on 429/503.
* :class:`WarcCaptureMiddleware` — writes every exchange to the WARC archive.
* :class:`ProgressReporter` — a live progress line and the end-of-crawl numbers.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import sys
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from crawl.settings import MAX_RETRY_AFTER

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawl.context import CrawlContext

BACKOFF_CAP = 60.0


def retry_after_seconds(value: str | bytes | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    now_dt = dt.datetime.fromtimestamp(now if now is not None else time.time(), dt.UTC)
    return max(0.0, (when - now_dt).total_seconds())


def _context(crawler: Crawler) -> CrawlContext | None:
    return getattr(crawler.spider, "ctx", None)


#: IgnoreRequest message prefix for requests to a host the crawl stopped asking.
HOST_GIVEN_UP = "主机连续出错，本次抓取不再请求："


class PoliteRetryMiddleware(RetryMiddleware):
    """Retry transient failures, slowing the whole host down rather than hammering it.

    And a circuit breaker: after ``host_failure_limit`` failures in a row (5xx, 429,
    timeouts, refused connections) a host gets no more requests in this crawl. Its
    requests stay in the frontier, so ``--resume`` tries them later.
    """

    def __init__(self, settings: Any):
        super().__init__(settings)
        self.failures: dict[str, int] = {}
        self.given_up: set[str] = set()
        options = settings.get("GOVSEARCH_OPTIONS")
        self.failure_limit = getattr(options, "host_failure_limit", 10) or 10

    def _key(self, request: Request) -> str:
        return self.crawler.engine.downloader.get_slot_key(request)

    def process_request(self, request: Request) -> None:
        if self.given_up and self._key(request) in self.given_up:
            raise IgnoreRequest(HOST_GIVEN_UP + (urlsplit(request.url).hostname or ""))

    def _failed(self, request: Request) -> bool:
        """Count a failure; True when the host has now failed too often in a row."""
        key = self._key(request)
        self.failures[key] = self.failures.get(key, 0) + 1
        if self.failures[key] >= self.failure_limit and key not in self.given_up:
            self.given_up.add(key)
            ctx = _context(self.crawler)
            if ctx:
                ctx.hosts_given_up.add(key)
                ctx.stats.error(request.url, f"{HOST_GIVEN_UP}{key}（连续 {self.failures[key]} 次出错）")
        return key in self.given_up

    def _slot(self, request: Request) -> Any:
        downloader = self.crawler.engine.downloader
        key = downloader.get_slot_key(request)
        return downloader.slots.get(key)

    def _slow_host(self, request: Request, wait: float) -> None:
        """No request to this host for ``wait`` seconds; AutoThrottle eases back afterwards."""
        slot = self._slot(request)
        if slot is None:
            return
        slot.delay = max(slot.delay, min(wait, MAX_RETRY_AFTER))
        slot.lastseen = time.monotonic()

    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if response.status not in self.retry_http_codes:
            self.failures[self._key(request)] = 0
            self._ease(request)
            return response
        if self._failed(request) or request.meta.get("dont_retry", False):
            return response
        retries = request.meta.get("retry_times", 0)
        base = max(self.crawler.settings.getfloat("DOWNLOAD_DELAY"), 0.1)
        wait = min(BACKOFF_CAP, base * 2 ** (retries + 1))
        if response.status in (429, 503):
            asked = retry_after_seconds(response.headers.get("Retry-After"))
            if asked is not None:
                if asked > MAX_RETRY_AFTER:
                    ctx = _context(self.crawler)
                    if ctx:
                        ctx.stats.error(request.url, f"服务器要求等待 {asked:.0f} 秒，本次不再重试")
                    return response
                wait = max(wait, asked)
        self._slow_host(request, wait)
        ctx = _context(self.crawler)
        if ctx:
            ctx.stats.retries += 1
        return self._retry(request, f"HTTP {response.status}") or response

    def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:  # type: ignore[override]
        if isinstance(exception, self.exceptions_to_retry) and self._failed(request):
            return None
        if isinstance(exception, self.exceptions_to_retry) and not request.meta.get("dont_retry"):
            retries = request.meta.get("retry_times", 0)
            base = max(self.crawler.settings.getfloat("DOWNLOAD_DELAY"), 0.1)
            self._slow_host(request, min(BACKOFF_CAP, base * 2 ** (retries + 1)))
        return super().process_exception(request, exception)

    def _ease(self, request: Request) -> None:
        """Without AutoThrottle nothing lowers a raised delay again: do it on success."""
        if self.crawler.settings.getbool("AUTOTHROTTLE_ENABLED"):
            return
        slot = self._slot(request)
        floor = self.crawler.settings.getfloat("DOWNLOAD_DELAY")
        if slot is not None and slot.delay > floor:
            slot.delay = max(floor, slot.delay / 2)


class GuardedDownloadHandler(HTTP11DownloadHandler):
    """Scrapy's HTTP handler, but it sends nothing to a host the circuit breaker gave up on.

    The check sits here, at the moment a request leaves its host's queue, because requests
    pass the downloader middlewares when they are queued, possibly long before.
    """

    async def download_request(self, request: Request) -> Response:
        ctx = _context(self._crawler)
        if ctx is not None and ctx.hosts_given_up:
            key = self._crawler.engine.downloader.get_slot_key(request)
            if key in ctx.hosts_given_up:
                raise IgnoreRequest(HOST_GIVEN_UP + key)
        return await super().download_request(request)


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        for value in values:
            pairs.append((key, value.decode("latin-1") if isinstance(value, bytes) else str(value)))
    return pairs


class WarcCaptureMiddleware:
    """Archive every response the downloader returns (pages, attachments, errors, robots.txt)."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        ctx = _context(self.crawler)
        if ctx is None:
            return response
        fetched = dt.datetime.now(dt.UTC)
        ip = None
        if response.ip_address is not None:
            ip = str(response.ip_address)
        location = ctx.recorder.write_exchange(
            url=request.url, method=request.method,
            request_headers=_header_pairs(request.headers), request_body=request.body or b"",
            status=response.status, response_headers=_header_pairs(response.headers),
            payload=response.body, fetched=fetched, ip=ip)
        request.meta["gs_capture"] = {
            "file": location.file, "offset": location.offset,
            "fetched": fetched.isoformat(), "sha256": _sha256(response.body),
        }
        ctx.stats.fetched(request.url, response.status, len(response.body))
        location = response.headers.get("Location")
        if response.status in (301, 302, 303, 307, 308) and location:
            from urllib.parse import urljoin

            ctx.state.record(request.url, kind=request.meta.get("gs_kind"),
                             status=response.status, state="redirect",
                             location=urljoin(request.url, location.decode("latin-1")))
        self._delay_from_now(request)
        return response

    def _delay_from_now(self, request: Request) -> None:
        """Count the host's delay from this response, not from when the request was queued.

        Scrapy spaces requests by their dispatch time; when the crawler is busy (cleaning a
        page), a request can leave late and the next one on time, so the server would see a
        shorter gap than promised. Restarting the clock at each response makes the gap at
        the server at least the configured delay.
        """
        downloader = self.crawler.engine.downloader if self.crawler.engine else None
        if downloader is None:
            return
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        if slot is not None:
            slot.lastseen = max(slot.lastseen, time.monotonic())
            # AutoThrottle has just adjusted the delay; robots.txt's Crawl-delay is a floor.
            ctx = _context(self.crawler)
            floor = ctx.host_floor.get(key) if ctx else None
            if floor:
                slot.delay = max(slot.delay, floor)


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


class ProgressReporter:
    """Prints the live progress line: pages fetched, new/updated documents, errors, per host."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        self.interval = 1.0 if sys.stderr.isatty() else 10.0
        self._last = 0.0
        self._task: Any = None
        crawler.signals.connect(self._opened, signal=signals.spider_opened)
        crawler.signals.connect(self._closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressReporter:
        return cls(crawler)

    def _opened(self, spider: Any) -> None:
        from twisted.internet import task

        ctx = _context(self.crawler)
        if ctx is None or not ctx.options.progress:
            return
        self._task = task.LoopingCall(self._print)
        self._task.start(self.interval, now=False)

    def _print(self) -> None:
        ctx = _context(self.crawler)
        if ctx is None:
            return
        line = ctx.stats.progress_line()
        if sys.stderr.isatty():
            sys.stderr.write("\r\033[K" + line)
        else:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def _closed(self, spider: Any, reason: str) -> None:
        if self._task is not None and self._task.running:
            self._task.stop()
            if sys.stderr.isatty():
                sys.stderr.write("\n")
