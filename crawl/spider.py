"""The govsearch spider: columns → pagination → articles → attachments, incrementally.

How one crawl flows:

* Seeds (and ``/sitemap.xml`` when there are no keywords) start a run recorded in
  ``crawl.sqlite``; every request is written to the run's frontier before it is scheduled,
  so ``--resume`` re-schedules exactly what was left.
* List pages are always re-read; their pagination is followed until a page where at least
  half of the article links were met by an earlier run ("reached known items").
* Known articles and attachments are requested conditionally (If-None-Match /
  If-Modified-Since); a 304 costs no body. 404/410 mark a page gone and flag its document.
* Each article page is cleaned by :func:`extract.extract_bytes`. Its attachments are
  fetched (politely, archived) and handed back to the cleaner, since a report is often only
  a PDF behind a "详见附件" page.
* Documents go to :class:`crawl.pipelines.DocumentSink`, the single writer of the index.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from archive.warc import read_capture
from crawl import discovery, gone
from crawl.context import CrawlContext
from crawl.middlewares import HOST_GIVEN_UP
from crawl.settings import CrawlOptions
from extract import extract_bytes

#: Attachment formats fetched for the archive and handed to the cleaner.
REPORT_ATTACHMENTS = (".pdf", ".doc", ".docx", ".wps", ".ofd")
HTML_TYPES = ("text/html", "application/xhtml", "text/plain", "")
#: A robots.txt Crawl-delay above this is capped (Nutch skips such hosts; we slow down).
MAX_CRAWL_DELAY = 60.0


@dataclass
class PendingArticle:
    """An article page waiting for its attachments before it can be cleaned."""

    url: str
    key: str
    body: bytes
    headers: dict[str, str]
    capture: dict[str, Any]
    waiting: set[str]
    moved_from: str | None = None  # a known page that redirected here


def _headers(response: Response) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, values in response.headers.items():
        key = name.decode("latin-1").lower() if isinstance(name, bytes) else str(name).lower()
        if values:
            value = values[-1]
            out[key] = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return out


class GovSpider(scrapy.Spider):
    name = "govsearch"

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> GovSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        options: CrawlOptions = crawler.settings["GOVSEARCH_OPTIONS"]
        spider.ctx = CrawlContext(options)
        spider.options = options
        hosts = {discovery.host_of(s) for s in options.seeds} | {
            h.lower() for h in options.allowed_hosts}
        spider.hosts = {h for h in hosts if h}
        # Scrapy's offsite filter also stops redirects that leave the sites.
        spider.allowed_domains = sorted({h.removeprefix("www.") for h in spider.hosts})
        spider.shapes = Counter()
        spider.pending = {}
        spider.waiters = defaultdict(set)  # attachment url → article urls waiting for it
        spider.attachment_done = {}  # attachment url → (file, offset) or None
        spider.requested_attachments = set()  # scheduled by this process
        spider.seed_fragments = {}  # gkmlpt seeds name their column in the #fragment
        spider.list_page_number = {}  # list page url → its position in its pagination chain
        crawler.signals.connect(spider._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(spider._on_robots, signal=signals.robots_parsed)
        return spider

    def _on_robots(self, robotparser: Any, request: Request) -> None:
        """Honour Crawl-delay; crawl the sitemaps robots.txt lists (without keywords only)."""
        protego = getattr(robotparser, "rp", None)
        crawl_delay = None
        try:
            crawl_delay = protego.crawl_delay(self.options.user_agent) if protego else None
        except (TypeError, ValueError):
            crawl_delay = None
        if crawl_delay and crawl_delay > 0 and self.crawler.engine is not None:
            downloader = self.crawler.engine.downloader
            key = downloader.get_slot_key(request)
            floor = min(float(crawl_delay), MAX_CRAWL_DELAY)
            self.ctx.host_floor[key] = floor
            slot = downloader.slots.get(key)
            if slot is not None:
                slot.delay = max(slot.delay, floor)
        if not self.options.sitemaps or self.options.keywords:
            return
        for url in list(getattr(protego, "sitemaps", []) or [])[:10]:
            url = discovery.clean_url(url)
            if not self._on_site(url):
                continue
            sitemap = self._request(url, kind="sitemap", depth=0)
            if sitemap is not None and self.crawler.engine is not None:
                self.crawler.engine.crawl(sitemap)

    # -- requests ---------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        options = self.options
        state = self.ctx.state
        import time

        self.ctx.stats.started = time.monotonic()
        _, resumed = state.start_run(options.seeds, resume=options.resume,
                                     options=options.resumable())
        self.ctx.resumed = resumed
        if resumed:
            # Build every request first: attachments must be known as in flight before any
            # resumed article page asks for them.
            requests = [r for r in (self._from_spec(spec) for spec in state.pending()) if r]
            for request in requests:
                yield request
            return
        for seed in options.seeds:
            url = discovery.clean_url(seed)
            self.seed_fragments[url] = urlsplit(seed).fragment
            kind = "article" if discovery.classify(url) == "article" else "seed"
            request = self._request(url, kind=kind, depth=0)
            if request is not None:
                yield request
        if options.recheck:
            for url in state.known_articles():
                if self._on_site(url):
                    request = self._request(url, kind="article", depth=options.depth)
                    if request is not None:
                        yield request
        if options.sitemaps and not options.keywords:
            for host_root in sorted({f"{urlsplit(s).scheme}://{urlsplit(s).netloc}"
                                     for s in options.seeds}):
                request = self._request(f"{host_root}/sitemap.xml", kind="sitemap", depth=0)
                if request is not None:
                    yield request

    def _request(self, url: str, *, kind: str, depth: int, method: str = "GET",
                 body: str = "", referer: str | None = None,
                 extra: dict[str, Any] | None = None) -> Request | None:
        """A new request of this run, or None if the run already has it."""
        key = f"{method} {url} {body}".strip()
        spec = {"url": url, "kind": kind, "depth": depth, "method": method, "body": body,
                "referer": referer, "extra": extra or {}, "key": key}
        if not self.ctx.state.enqueue(key, spec):
            return None
        return self._from_spec(spec)

    def _from_spec(self, spec: dict[str, Any]) -> Request | None:
        url, kind = spec["url"], spec["kind"]
        headers: dict[str, str] = {}
        if spec.get("referer"):
            headers["Referer"] = spec["referer"]
        if spec.get("method", "GET") == "GET" and kind not in ("seed", "list", "sitemap"):
            # Validators of where the URL led last time: a moved page answers 301 and then,
            # for the copied validators, 304. Pages that list links are always re-read.
            known = self.ctx.state.final_target(url)
            if (known and known.payload_sha256 and known.warc_file
                    and known.kind in ("article", "attachment")):
                if known.etag:
                    headers["If-None-Match"] = known.etag
                if known.last_modified:
                    headers["If-Modified-Since"] = known.last_modified
        if kind == "attachment":
            self.requested_attachments.add(url)
        if spec.get("method") == "POST":
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        meta = {"gs_kind": kind, "gs_depth": spec["depth"], "gs_key": spec["key"],
                "gs_extra": spec.get("extra") or {}}
        if kind == "sitemap":
            meta["dont_retry"] = True
        priority = {"attachment": 30, "article": 20, "dataproxy": 10, "gkmlpt": 10,
                    "list": 5}.get(kind, 0)
        return Request(url, method=spec.get("method", "GET"), body=spec.get("body") or None,
                       headers=headers, meta=meta, callback=self.parse, errback=self.on_error,
                       priority=priority, dont_filter=True)

    # -- responses --------------------------------------------------------------------

    def parse(self, response: Response) -> Iterable[Request]:
        kind = response.meta["gs_kind"]
        key = response.meta["gs_key"]
        url = response.request.url if response.request else response.url
        status = response.status
        capture = response.meta.get("gs_capture") or {}
        state = self.ctx.state
        origin = self._redirected_from(response)
        if origin is not None and gone.is_home_page(url) and status < 400:
            # A known report now redirects to the home page: the site deleted it.
            yield from self._gone(origin.url, key, kind, status, capture,
                                  reason=gone.reason_text(home=True))
            return
        if status == 304 and origin is not None:
            # Moved, and the validators we had for the old address still match: same bytes.
            state.record(url, kind=origin.kind, status=304, state="unchanged",
                         doc_id=origin.doc_id, content_hash=origin.content_hash,
                         etag=origin.etag, last_modified=origin.last_modified,
                         payload_sha256=origin.payload_sha256, warc_file=origin.warc_file,
                         warc_offset=origin.warc_offset)
            self.ctx.sink.moved_unchanged(origin.url, url, origin.doc_id,
                                          capture.get("fetched") or "")
            state.mark_done([key])
            return

        if status == 304:
            known = state.get(url)
            state.record(url, status=304, state="unchanged")
            if kind == "attachment":
                yield from self._attachment_arrived(url, key, ok=True)
                return
            if known is not None and known.kind == "article":
                self.ctx.stats.unchanged_docs += 1
            state.mark_done([key])
            return
        if status in (404, 410):
            yield from self._gone(url, key, kind, status, capture)
            return
        if status >= 400:
            self.ctx.stats.error(url, f"HTTP {status}")
            state.record(url, kind=kind, status=status, state="error")
            if kind == "attachment":
                yield from self._attachment_arrived(url, key, ok=False)
                return
            state.mark_done([key])
            return
        if kind == "sitemap":
            yield from self._parse_sitemap(response, key)
            return
        if kind == "dataproxy":
            yield from self._parse_dataproxy(response, key)
            return
        if kind == "gkmlpt":
            yield from self._parse_gkmlpt(response, key)
            return
        if kind == "attachment":
            self._remember_capture(url, kind, response, capture, content_hash=None)
            if response.meta["gs_extra"].get("standalone"):
                yield from self._standalone_attachment(response, url, key, capture)
            yield from self._attachment_arrived(url, key, ok=True)
            return
        yield from self._parse_page(response, url, key, kind, capture)

    def _redirected_from(self, response: Response) -> Any:
        """The crawl-state row of the known document page that redirected here, if any."""
        chain = response.meta.get("redirect_urls") or []
        if not chain or response.meta.get("gs_kind") not in ("article", "attachment"):
            return None
        known = self.ctx.state.get(chain[0])
        return known if known is not None and known.doc_id else None

    def on_error(self, failure: Any) -> Iterable[Request]:
        request = failure.request
        kind = request.meta.get("gs_kind")
        key = request.meta.get("gs_key")
        url = request.url
        if failure.check(IgnoreRequest) and str(failure.value).startswith(HOST_GIVEN_UP):
            # Left in the frontier: a later --resume asks again.
            self.ctx.stats.host_given_up += 1
            return
        if failure.check(IgnoreRequest):
            reason = str(failure.value) or "ignored"
            if "robots.txt" in reason:
                self.ctx.stats.robots_forbidden += 1
            else:
                self.ctx.stats.offsite += 1
            state_name = "robots" if "robots.txt" in reason else "ignored"
        else:
            reason = f"{failure.type.__name__}: {failure.value}"
            if kind != "sitemap":
                self.ctx.stats.error(url, reason)
            state_name = "error"
        self.ctx.state.record(url, kind=kind, state=state_name)
        if kind == "attachment":
            yield from self._attachment_arrived(url, key, ok=False)
            return
        self.ctx.state.mark_done([key])

    def _remember_capture(self, url: str, kind: str, response: Response,
                          capture: dict[str, Any], content_hash: str | None) -> dict[str, Any]:
        headers = _headers(response)
        fields = {
            "kind": kind, "status": response.status, "state": "ok",
            "etag": headers.get("etag"), "last_modified": headers.get("last-modified"),
            "payload_sha256": capture.get("sha256"), "warc_file": capture.get("file"),
            "warc_offset": capture.get("offset"),
        }
        if content_hash is not None:
            fields["content_hash"] = content_hash
        if kind not in ("article",):
            self.ctx.state.record(url, **fields)
        return fields

    # -- pages ------------------------------------------------------------------------

    def _parse_page(self, response: Response, url: str, key: str, kind: str,
                    capture: dict[str, Any]) -> Iterable[Request]:
        headers = _headers(response)
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        body = response.body
        if discovery.classify(url) == "attachment" or not (
                content_type.startswith(HTML_TYPES) or not content_type):
            # A report served directly (a PDF at a page-like URL): a document of its own.
            self._remember_capture(url, "attachment", response, capture, None)
            yield from self._standalone_attachment(response, url, key, capture)
            self.ctx.state.mark_done([key])
            return
        from extract.encoding import decode_html

        text, _ = decode_html(body, headers.get("content-type"))
        depth = response.meta["gs_depth"]
        if kind in ("seed", "list", "other"):
            self._remember_capture(url, "list", response, capture, None)
            yield from self._follow_list(text, url, depth, page_kind=kind)
        if discovery.classify(url) == "list":
            # Column pages are never documents, however article-like a short column looks.
            self.ctx.state.mark_done([key])
            return
        known = self.ctx.state.get(url)
        if (kind == "article" and known and known.payload_sha256 == capture.get("sha256")
                and known.content_hash):
            # The server ignored our validators but sent the same bytes: nothing changed.
            self.ctx.state.record(url, status=response.status, state="ok")
            self.ctx.stats.unchanged_docs += 1
            self.ctx.state.mark_done([key])
            return
        result = extract_bytes(body, url=url, headers=headers)
        soft = gone.soft_404(text) if kind == "article" else None
        if soft is not None:
            # An error page served with 200: the known document is gone; a new URL is nothing.
            if known is not None and known.doc_id:
                yield from self._gone(url, key, kind, response.status, capture,
                                      reason=gone.reason_text(soft=soft))
            else:
                self.ctx.stats.not_articles += 1
                self.ctx.state.record(url, kind="article", state="not-article")
                self.ctx.state.mark_done([key])
            return
        if result.kind not in ("article", "attachment-only"):
            if kind == "article":
                # An "article" URL that is really a list: read it as one.
                self.ctx.stats.not_articles += 1
                self._remember_capture(url, "list", response, capture, None)
                self.ctx.state.record(url, kind="list", state="not-article")
                yield from self._follow_list(text, url, depth)
            self.ctx.state.mark_done([key])
            return
        waiting: set[str] = set()
        for attachment in result.attachment_links[: self.options.max_attachments_per_page]:
            att_url = discovery.clean_url(attachment.href)
            if not urlsplit(att_url).path.lower().endswith(REPORT_ATTACHMENTS) and \
                    not discovery.HANWEB_ATTACHMENT.search(att_url):
                continue
            if not self._on_site(att_url) or att_url in self.attachment_done:
                continue
            request = self._request(att_url, kind="attachment", depth=depth + 1, referer=url)
            if request is None and att_url not in self.requested_attachments:
                continue  # fetched by an earlier process of this run: read from the archive
            waiting.add(att_url)
            self.waiters[att_url].add(url)
            if request is not None:
                yield request
        origin = self._redirected_from(response)
        pending = PendingArticle(url, key, body, headers, capture, waiting,
                                 moved_from=origin.url if origin is not None else None)
        if waiting:
            self.pending[url] = pending
        else:
            self._finish_article(pending)

    def _attachment_arrived(self, url: str, key: str, *, ok: bool) -> Iterable[Request]:
        known = self.ctx.state.get(url)
        self.attachment_done[url] = (known.warc_file, known.warc_offset) if (
            ok and known and known.warc_file) else None
        self.ctx.state.mark_done([key])
        for article_url in sorted(self.waiters.pop(url, set())):
            pending = self.pending.get(article_url)
            if pending is None:
                continue
            pending.waiting.discard(url)
            if not pending.waiting:
                del self.pending[article_url]
                self._finish_article(pending)
        return ()

    def _fetch_archived(self, href: str) -> bytes | None:
        where = self.attachment_done.get(discovery.clean_url(href))
        if not where:
            known = self.ctx.state.get(discovery.clean_url(href))
            if not (known and known.warc_file and known.payload_sha256):
                return None
            where = (known.warc_file, known.warc_offset)
        capture = read_capture(self.options.data_dir / "warc", where[0], int(where[1]))
        return capture.body if capture and capture.status == 200 else None

    def _finish_article(self, pending: PendingArticle) -> None:
        result = extract_bytes(pending.body, url=pending.url, headers=pending.headers,
                            fetch_attachment=self._fetch_archived)
        if result.document is None:
            self.ctx.stats.not_articles += 1
            self.ctx.state.record(pending.url, kind="article", state="not-article")
            self.ctx.state.mark_done([pending.key])
            return
        document = result.document
        document.captured = dt.datetime.fromisoformat(pending.capture["fetched"]) \
            if pending.capture.get("fetched") else None
        document.capture_sha256 = pending.capture.get("sha256")
        fields = {
            "kind": "article", "status": 200, "state": "ok",
            "etag": pending.headers.get("etag"),
            "last_modified": pending.headers.get("last-modified"),
            "payload_sha256": pending.capture.get("sha256"),
            "warc_file": pending.capture.get("file"), "warc_offset": pending.capture.get("offset"),
        }
        self.ctx.sink.accept(document, url=pending.url, url_fields=fields,
                             done_keys=[pending.key], moved_from=pending.moved_from,
                             when=pending.capture.get("fetched") or "")

    def _standalone_attachment(self, response: Response, url: str, key: str,
                               capture: dict[str, Any]) -> Iterable[Request]:
        """A report linked straight from a column (a PDF with no article page)."""
        result = extract_bytes(response.body, url=url, headers=_headers(response))
        if result.document is None:
            self.ctx.stats.not_articles += 1
            return ()
        document = result.document
        document.captured = dt.datetime.fromisoformat(capture["fetched"]) \
            if capture.get("fetched") else None
        document.capture_sha256 = capture.get("sha256")
        headers = _headers(response)
        fields = {"kind": "attachment", "status": response.status, "state": "ok",
                  "etag": headers.get("etag"), "last_modified": headers.get("last-modified"),
                  "payload_sha256": capture.get("sha256"), "warc_file": capture.get("file"),
                  "warc_offset": capture.get("offset")}
        self.ctx.sink.accept(document, url=url, url_fields=fields, done_keys=[])
        return ()

    def _gone(self, url: str, key: str, kind: str, status: int,
              capture: dict[str, Any], reason: str | None = None) -> Iterable[Request]:
        known = self.ctx.state.get(url)
        self.ctx.state.record(url, kind=kind, status=status, state="gone")
        if known and known.doc_id:
            self.ctx.stats.gone += 1
            when = capture.get("fetched") or dt.datetime.now(dt.UTC).isoformat()
            last_seen = (known.last_ok or known.first_seen or "")[:10] or None
            self.ctx.sink.gone(url, known.doc_id, reason or gone.reason_text(status), when,
                               last_seen)
        elif kind != "sitemap":
            self.ctx.stats.error(url, f"HTTP {status}")
        if kind == "attachment":
            yield from self._attachment_arrived(url, key, ok=False)
            return
        self.ctx.state.mark_done([key])

    # -- discovery --------------------------------------------------------------------

    def _on_site(self, url: str) -> bool:
        host = discovery.host_of(url)
        return host in self.hosts or host.removeprefix("www.") in {
            h.removeprefix("www.") for h in self.hosts}

    def _follow_list(self, text: str, url: str, depth: int,
                     page_kind: str = "list") -> Iterable[Request]:
        article_links: list[str] = []
        for link in discovery.extract_links(text, url):
            request = self._follow_link(link, url, depth, article_links, page_kind)
            if request is not None:
                yield request
        yield from self._paginate(text, url, depth, article_links)

    def _follow_link(self, link: discovery.Link, page_url: str, depth: int,
                     article_links: list[str], page_kind: str = "list") -> Request | None:
        options = self.options
        kind = link.kind
        if kind == "skip":
            return None
        if not self._on_site(link.url):
            self.ctx.stats.offsite += 1
            return None
        if discovery.trap_reason(link.url):
            self.ctx.stats.traps += 1
            return None
        keyword_hit = bool(options.keywords) and discovery.matches_keywords(
            [link.text], options.keywords)
        if kind == "article" or (keyword_hit and kind == "other"):
            if options.keywords and not keyword_hit:
                return None
            article_links.append(link.url)
            if depth + 1 > options.depth:
                return None
            return self._request(link.url, kind="article", depth=depth + 1, referer=page_url)
        if kind == "attachment":
            if options.keywords and not keyword_hit:
                return None
            if not urlsplit(link.url).path.lower().endswith(REPORT_ATTACHMENTS) and \
                    not discovery.HANWEB_ATTACHMENT.search(link.url):
                return None
            article_links.append(link.url)
            return self._request(link.url, kind="attachment", depth=depth + 1, referer=page_url,
                                 extra={"standalone": True})
        if kind == "other" and (options.keywords or page_kind == "other"):
            # Unrecognised pages are explored one hop from a column, never chained: a
            # government site's menus would otherwise lead everywhere.
            return None
        if depth + 1 > options.depth:
            return None
        if not self._within_shape_budget(link.url):
            return None
        return self._request(link.url, kind="list" if kind == "list" else "other",
                             depth=depth + 1, referer=page_url)

    def _within_shape_budget(self, url: str) -> bool:
        shape = discovery.url_shape(url)
        self.shapes[shape] += 1
        if self.shapes[shape] > self.options.shape_budget:
            self.ctx.stats.traps += 1
            return False
        return True

    def _reached_known(self, article_links: list[str]) -> bool:
        """Whether this list page reached items an earlier run already met.

        New reports appear at the top of a column, so once most of a page is known the older
        pages hold nothing new. "Most" (at least half) rather than "all": list pages carry
        side boxes of other articles, and one fresh item there must not send every re-crawl
        through the whole column; nor may a few known side-box links stop the first crawl.
        """
        if not article_links:
            return False
        state = self.ctx.state
        known = sum(1 for u in set(article_links) if state.known_before_this_run(u))
        return known * 2 >= len(set(article_links))

    def _paginate(self, text: str, url: str, depth: int,
                  article_links: list[str]) -> Iterable[Request]:
        if self._reached_known(article_links):
            # Incremental: this page holds nothing new, so neither do older pages.
            self.ctx.stats.stopped_pagination += 1
            return
        number = self.list_page_number.get(url, 1)
        for next_url in discovery.next_pages(text, url):
            if not self._on_site(next_url) or discovery.trap_reason(next_url):
                continue
            if number >= self.options.max_list_pages:
                # Endless pagination (a column that always offers one more page) is a trap too.
                self.ctx.stats.traps += 1
                continue
            self.list_page_number.setdefault(next_url, number + 1)
            request = self._request(next_url, kind="list", depth=depth, referer=url)
            if request is not None:
                yield request
        proxy = discovery.hanweb_dataproxy(text, url)
        if proxy and (proxy.total is None or proxy.embedded < proxy.total):
            yield from self._dataproxy_group(proxy, proxy.embedded + 1, depth, url)
        for api_url in discovery.gkmlpt_api_urls(text, url, self.seed_fragments.get(url, "")):
            if self._on_site(api_url):
                request = self._request(api_url, kind="gkmlpt", depth=depth, referer=url,
                                        extra={"column": url, "page": 1})
                if request is not None:
                    yield request

    def _parse_gkmlpt(self, response: Response, key: str) -> Iterable[Request]:
        """One page of a gkmlpt column's JSON: follow its articles, then the next page."""
        extra = response.meta["gs_extra"]
        column = extra.get("column") or response.url
        depth = response.meta["gs_depth"]
        total, links = discovery.parse_gkmlpt(response.body, column)
        article_links: list[str] = []
        for link in links:
            request = self._follow_link(link, column, depth, article_links)
            if request is not None:
                yield request
        self.ctx.state.record(response.url, kind="gkmlpt", status=response.status, state="ok")
        self.ctx.state.mark_done([key])
        page = int(extra.get("page", 1))
        if not links or self._reached_known(article_links):
            if links:
                self.ctx.stats.stopped_pagination += 1
            return
        size = int(extra.get("size") or len(links))  # page 1 tells the page size
        if (total is not None and page * size >= total) or page >= 1000:
            return
        request = self._request(discovery.with_page(response.url, page + 1), kind="gkmlpt",
                                depth=depth, referer=column,
                                extra={"column": column, "page": page + 1, "size": size})
        if request is not None:
            yield request

    def _dataproxy_group(self, proxy: discovery.DataProxy, start: int, depth: int,
                         referer: str) -> Iterable[Request]:
        if proxy.total is not None and start > proxy.total:
            return
        if start > 100_000:
            return
        from urllib.parse import urlencode

        group_url = discovery.dataproxy_group_url(proxy, start)
        extra = {"proxy": {"url": proxy.url, "form": proxy.form, "per_page": proxy.per_page,
                           "total": proxy.total, "start": start}, "column": referer}
        request = self._request(group_url, kind="dataproxy", depth=depth, method="POST",
                                body=urlencode(proxy.form), referer=referer, extra=extra)
        if request is not None:
            yield request

    def _parse_dataproxy(self, response: Response, key: str) -> Iterable[Request]:
        extra = response.meta["gs_extra"]
        info = extra["proxy"]
        column = extra.get("column") or response.url
        total, links = discovery.parse_dataproxy(response.text, column)
        depth = response.meta["gs_depth"]
        article_links: list[str] = []
        for link in links:
            request = self._follow_link(link, column, depth, article_links)
            if request is not None:
                yield request
        self.ctx.state.record(response.url, kind="dataproxy", status=response.status, state="ok")
        self.ctx.state.mark_done([key])
        if self._reached_known(article_links) or not links:
            if links:
                self.ctx.stats.stopped_pagination += 1
            return
        proxy = discovery.DataProxy(url=info["url"], form=info["form"],
                                    per_page=info["per_page"], total=total or info["total"])
        next_start = info["start"] + proxy.per_page * 3
        yield from self._dataproxy_group(proxy, next_start, depth, column)

    def _parse_sitemap(self, response: Response, key: str) -> Iterable[Request]:
        kind, locations = discovery.sitemap_locations(response.body)
        self.ctx.state.mark_done([key])
        depth = response.meta["gs_depth"]
        for loc in locations[:50_000]:
            url = discovery.clean_url(loc)
            if not self._on_site(url) or discovery.trap_reason(url):
                continue
            if kind == "sitemapindex":
                request = self._request(url, kind="sitemap", depth=depth)
            else:
                link_kind = discovery.classify(url)
                if link_kind == "article":
                    request = self._request(url, kind="article", depth=1, referer=response.url)
                elif link_kind == "list":
                    request = self._request(url, kind="list", depth=1, referer=response.url)
                else:
                    continue
            if request is not None:
                yield request

    # -- end of crawl -----------------------------------------------------------------

    def _on_idle(self) -> None:
        """Articles still waiting when nothing is left to fetch get cleaned with what came."""
        if self.pending:
            for url in sorted(self.pending):
                self._finish_article(self.pending[url])
            self.pending.clear()
            self.waiters.clear()
        if self.ctx.sink is not None:
            self.ctx.sink.flush()

    def closed(self, reason: str) -> None:
        import time

        stats = self.ctx.stats
        crawler_stats = self.crawler.stats
        stats.robots_forbidden = max(stats.robots_forbidden,
                                     crawler_stats.get_value("robotstxt/forbidden", 0) or 0)
        elapsed = time.monotonic() - stats.started if stats.started else 0.0
        summary = stats.summary(elapsed)
        summary["reason"] = reason
        summary["run_id"] = self.ctx.state.run_id
        summary["resumed"] = self.ctx.resumed
        summary["pending"] = self.ctx.state.pending_count()
        finished = reason
        if reason == "finished" and summary["pending"]:
            finished = "incomplete"  # some requests were left (a failing host): resumable
        self.ctx.state.finish_run(finished, summary)
        self.ctx.summary = summary
        (self.options.data_dir / "crawl-last.json").write_text(
            json.dumps(summary, ensure_ascii=False, indent=1), encoding="utf-8")
        self.ctx.close()
