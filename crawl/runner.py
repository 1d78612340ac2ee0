"""Run a crawl (in this process or a child) and rebuild everything from the WARCs.

Why a child process: Twisted's reactor starts once per process, so a program that crawls more
than once (the tests, a scheduler, the web UI) runs each crawl as
``python -m crawl.runner --options FILE``. The CLI crawls in-process, once.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from crawl.settings import CrawlOptions, scrapy_settings
from indexer.document import Document


class CrawlError(Exception):
    """A crawl that could not run at all; ``str()`` is a one-line message for the user."""


def run_crawl(options: CrawlOptions) -> dict[str, Any]:
    """Crawl in this process (once per process) and return the summary."""
    import logging

    from scrapy.crawler import CrawlerProcess

    from crawl.spider import GovSpider

    options.data_dir.mkdir(parents=True, exist_ok=True)
    _check_index(options.data_dir)
    process = CrawlerProcess(scrapy_settings(options))
    logging.getLogger("scrapy").setLevel(options.log_level)
    crawler = process.create_crawler(GovSpider)
    process.crawl(crawler)
    process.start()
    spider = crawler.spider
    summary = getattr(getattr(spider, "ctx", None), "summary", None)
    if summary is None:
        raise CrawlError("抓取未能完成（详见日志）")
    return summary


def _check_index(data_dir: Path) -> None:
    """Fail before fetching anything if the index cannot be opened (wrong format…)."""
    from indexer import QueryError, open_index

    try:
        open_index(data_dir).close()
    except (QueryError, OSError) as exc:
        raise CrawlError(str(exc)) from None


def _options_to_json(options: CrawlOptions) -> str:
    data = dataclasses.asdict(options)
    data["data_dir"] = str(options.data_dir)
    return json.dumps(data, ensure_ascii=False)


def options_from_json(text: str) -> CrawlOptions:
    data = json.loads(text)
    data["data_dir"] = Path(data["data_dir"])
    return CrawlOptions(**data)


def run_crawl_subprocess(options: CrawlOptions, *, timeout: float | None = None,
                         env: dict[str, str] | None = None) -> dict[str, Any]:
    """Crawl in a child process; returns the summary (raises CrawlError on failure)."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False,
                                     encoding="utf-8") as fh:
        fh.write(_options_to_json(options))
        path = fh.name
    try:
        proc = start_crawl_subprocess(path, env=env)
        try:
            _, stderr = proc.communicate(timeout=timeout)
        except BaseException:
            # A timeout (or Ctrl+C) must not leave a crawler running against the sites.
            proc.kill()
            proc.communicate()
            raise
        if proc.returncode != 0:
            raise CrawlError(f"抓取进程失败（退出码 {proc.returncode}）：{stderr[-2000:]}")
    finally:
        os.unlink(path)
    return json.loads((options.data_dir / "crawl-last.json").read_text(encoding="utf-8"))


def start_crawl_subprocess(options_file: str | Path, *,
                           env: dict[str, str] | None = None) -> subprocess.Popen:
    """Start ``python -m crawl.runner`` without waiting (the tests interrupt it)."""
    root = Path(__file__).resolve().parent.parent
    child_env = dict(os.environ if env is None else env)
    child_env["PYTHONPATH"] = os.pathsep.join(
        [str(root), *filter(None, [child_env.get("PYTHONPATH")])])
    return subprocess.Popen(
        [sys.executable, "-m", "crawl.runner", "--options", str(options_file)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env)


def write_options(options: CrawlOptions, path: str | Path) -> Path:
    Path(path).write_text(_options_to_json(options), encoding="utf-8")
    return Path(path)


# --------------------------------------------------------------------------- reindex


def reindex(data_dir: str | Path, *, progress: Any = None) -> dict[str, Any]:
    """Rebuild every crawled document from the WARC captures alone, offline.

    Replays the archive with the crawl's rules: every distinct 200 payload of a URL is
    cleaned (its attachments read from the archive) in the order it was first fetched, so an
    edited page gets the versions the crawl kept; documents are accepted in the order the
    crawl emitted them (when the page's last attachment had arrived), so near-duplicates
    group with the same first document; a page whose newest capture is a 404/410, a soft 404
    or a redirect to the home page keeps its document, flagged 已删除 (see crawl/gone.py); a
    known page that redirected to a page with the same text is one document with both
    addresses. A file is a document of its own only when the page that linked it (its
    request's Referer) is not an article.
    """
    from urllib.parse import urljoin

    from archive.warc import iter_captures, read_capture
    from crawl import discovery, gone
    from crawl.pipelines import DocumentSink
    from crawl.spider import REPORT_ATTACHMENTS
    from extract import extract_bytes
    from extract.encoding import decode_html
    from indexer import open_index

    data_dir = Path(data_dir)
    warc_dir = data_dir / "warc"
    latest_ok: dict[str, tuple[int, str, int, str]] = {}  # url → (seq, file, offset, sha)
    first_seen_sha: dict[tuple[str, str], tuple[int, str]] = {}  # (url, sha) → (seq, date)
    payloads: dict[str, list[tuple[int, str, int, str]]] = defaultdict(list)  # url → distinct 200s
    last_status: dict[str, tuple[int, int, str, str]] = {}  # url → (seq, status, date, location)
    seen: dict[str, list[tuple[int, str]]] = defaultdict(list)  # url → (seq, time) of 200/304
    times: dict[str, list[tuple[int, str]]] = defaultdict(list)  # url → (seq, time) of any answer
    content_types: dict[str, str] = {}
    captures = 0
    for seq, capture in enumerate(iter_captures(warc_dir)):
        captures += 1
        url = capture.url
        if capture.method != "GET" or url.endswith("/robots.txt"):
            continue
        location = capture.headers.get("location", "")
        times[url].append((seq, capture.fetched.isoformat()))
        last_status[url] = (seq, capture.status, capture.fetched.isoformat(),
                            urljoin(url, location) if location else "")
        if capture.status in (200, 304):
            seen[url].append((seq, capture.fetched.isoformat()))
        if capture.status == 200:
            latest_ok[url] = (seq, capture.file, capture.offset, capture.sha256)
            if (url, capture.sha256) not in first_seen_sha:
                first_seen_sha[(url, capture.sha256)] = (seq, capture.fetched.isoformat())
                payloads[url].append((seq, capture.file, capture.offset, capture.sha256))
            content_types[url] = capture.headers.get("content-type", "")
    if not latest_ok:
        raise FileNotFoundError(f"{warc_dir} 中没有可用的抓取记录")

    def first_seq(url: str) -> int:
        return first_seen_sha[(url, latest_ok[url][3])][0]

    def load(url: str) -> Any:
        _, file, offset, _ = latest_ok[url]
        return read_capture(warc_dir, file, offset)

    def fetch(href: str) -> bytes | None:
        url = discovery.clean_url(href)
        capture = load(url) if url in latest_ok else None
        return capture.body if capture else None

    def last_seen(url: str, before: int) -> str | None:
        dates = [d for s, d in seen.get(url, []) if s < before]
        return dates[-1][:10] if dates else None

    def next_seen(url: str, after: int) -> str:
        """When ``url`` answered after capture ``after`` (a redirect's target)."""
        return next((d for s, d in times.get(url, []) if s > after), "")

    pages: list[str] = []
    files: list[str] = []
    for url in latest_ok:
        kind = discovery.classify(url)
        ctype = content_types.get(url, "").split(";")[0].strip().lower()
        if (kind == "list" or "dataproxy.jsp" in url or "/gkmlpt/api/" in url
                or url.endswith(".xml") or "xml" in ctype or "json" in ctype):
            continue
        is_html = ctype.startswith(("text/html", "application/xhtml", "text/plain")) or not ctype
        if kind == "attachment" or not is_html:
            files.append(url)
        else:
            pages.append(url)

    # Events wait in a scratch SQLite file, not in memory, until they can be replayed in the
    # crawl's order: a large archive holds more text than fits in RAM.
    scratch_dir = tempfile.TemporaryDirectory(prefix="govsearch-reindex-")
    built = _Scratch(Path(scratch_dir.name) / "built.sqlite")
    article_pages: set[str] = set()
    for url in pages:
        for seq, file, offset, sha in payloads[url]:
            capture = read_capture(warc_dir, file, offset)
            if capture is None:
                continue
            text, _ = decode_html(capture.body, capture.headers.get("content-type"))
            soft = gone.soft_404(text)
            if soft is not None:
                built.add(seq, url, "gone", {"reason": gone.reason_text(soft=soft),
                                             "when": capture.fetched.isoformat(),
                                             "last_seen": last_seen(url, seq)})
                continue
            result = extract_bytes(capture.body, url=url, headers=capture.headers,
                                   fetch_attachment=fetch)
            if result.kind not in ("article", "attachment-only") or result.document is None:
                continue
            article_pages.add(url)
            emit = seq
            for att in result.attachment_links[:10]:
                att_url = discovery.clean_url(att.href)
                if att_url in latest_ok and urlsplit_path(att_url).endswith(REPORT_ATTACHMENTS):
                    emit = max(emit, first_seq(att_url))
            built.add(emit, url, "doc", _stamp(result.document, url, sha, first_seen_sha).to_dict())
    referers = _attachment_referers(warc_dir)
    for url in files:
        if referers.get(url) in article_pages or (not urlsplit_path(url).endswith(
                REPORT_ATTACHMENTS) and discovery.classify(url) == "attachment"):
            continue  # an article's attachment, already read into that article
        for seq, file, offset, sha in payloads[url]:
            capture = read_capture(warc_dir, file, offset)
            if capture is None:
                continue
            result = extract_bytes(capture.body, url=url, headers=capture.headers)
            if result.document is not None:
                built.add(seq, url, "doc", _stamp(result.document, url, sha, first_seen_sha).to_dict())
    redirects: dict[str, tuple[str, int]] = {}  # target → (known page that moved there, seq)
    for url, (seq, status, when, location) in last_status.items():
        if url not in latest_ok or latest_ok[url][0] >= seq:
            continue  # the newest capture is the page itself: nothing happened to it
        if status in (404, 410):
            built.add(seq, url, "gone", {"reason": gone.reason_text(status), "when": when,
                                         "last_seen": last_seen(url, seq)})
        elif 300 <= status < 400 and location:
            if gone.is_home_page(location):
                # The crawl flags it when the home page answers: that capture's time.
                built.add(seq, url, "gone", {"reason": gone.reason_text(home=True),
                                             "when": next_seen(location, seq) or when,
                                             "last_seen": last_seen(url, seq)})
            else:
                redirects[location] = (url, seq)
                if location not in latest_ok and seen.get(location):
                    # The new address answered 304 to the old validators: same bytes.
                    at, date = seen[location][0]
                    built.add(at, location, "moved", {"from": url, "when": date})

    index = open_index(data_dir)
    try:
        sink = DocumentSink(None, index, batch_size=200, commit_interval=1e9)
        outcomes: dict[str, int] = defaultdict(int)
        for done, (seq, url, kind, payload) in enumerate(built.in_order(), 1):
            if kind == "doc":
                origin = redirects.get(url)
                moved_from = origin[0] if origin and origin[1] < seq else None
                document = Document.from_dict(payload)
                outcomes[sink.accept(document, url=url, url_fields={}, moved_from=moved_from,
                                     when=payload.get("captured") or "")] += 1
            elif kind == "moved":
                sink.moved_unchanged(payload["from"], url, sink.doc_id_for(payload["from"]),
                                     payload["when"])
                outcomes["moved"] += 1
            else:
                doc_id = _doc_for(sink, url)
                if doc_id:
                    sink.gone(url, doc_id, payload["reason"], payload["when"], payload["last_seen"])
                    outcomes["gone"] += 1
            if progress is not None:
                progress(done, len(built))
        sink.flush()
        documents = sum(1 for _ in index.iter_documents())
    finally:
        index.close()
        built.close()
        scratch_dir.cleanup()
    return {"captures": captures, "documents_built": built.docs, "documents": documents,
            "duplicates": sink.copies, "gone": outcomes["gone"], "moved": outcomes["moved"]}


class _Scratch:
    """Replay events keyed by (emission order, URL) in a throwaway SQLite file."""

    def __init__(self, path: Path):
        import sqlite3

        self.db = sqlite3.connect(str(path))
        self.db.execute("CREATE TABLE events (emit INTEGER, url TEXT, kind TEXT, payload TEXT)")
        self.count = 0
        self.docs = 0

    def add(self, emit: int, url: str, kind: str, payload: dict[str, Any]) -> None:
        self.db.execute("INSERT INTO events VALUES (?, ?, ?, ?)",
                        (emit, url, kind, json.dumps(payload, ensure_ascii=False)))
        self.count += 1
        self.docs += kind == "doc"

    def in_order(self) -> Any:
        for emit, url, kind, text in self.db.execute(
                "SELECT emit, url, kind, payload FROM events ORDER BY emit, url, kind"):
            yield emit, url, kind, json.loads(text)

    def __len__(self) -> int:
        return self.count

    def close(self) -> None:
        self.db.close()


def _stamp(document: Any, url: str, sha: str,
           first_seen_sha: dict[tuple[str, str], tuple[int, str]]) -> Any:
    """Capture time and hash as the crawl records them: first capture of these bytes."""
    import datetime as dt

    document.captured = dt.datetime.fromisoformat(first_seen_sha[(url, sha)][1])
    document.capture_sha256 = sha
    return document


def _doc_for(sink: Any, url: str) -> str | None:
    doc_id = sink.doc_id_for(url)
    if sink._lookup(doc_id) is not None:
        return doc_id
    for document in sink.index.iter_documents():
        if url in document.other_sources:
            return document.id
    return None


def urlsplit_path(url: str) -> str:
    from urllib.parse import urlsplit

    return urlsplit(url).path.lower()


def _attachment_referers(warc_dir: Path) -> dict[str, str]:
    """URL → the Referer its first request carried (the page that linked it)."""
    from warcio.archiveiterator import ArchiveIterator

    from archive.warc import warc_files

    out: dict[str, str] = {}
    for path in warc_files(warc_dir):
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "request":
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                if url in out:
                    continue
                ref = record.http_headers.get_header("Referer") if record.http_headers else None
                out[url] = ref or ""
    return out


# --------------------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawl.runner")
    parser.add_argument("--options", required=True, help="JSON file with CrawlOptions")
    args = parser.parse_args(argv)
    options = options_from_json(Path(args.options).read_text(encoding="utf-8"))
    summary = run_crawl(options)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
