"""The archived copy of a crawled page, served so that it can be read but can never act.

The crawler keeps every fetched response in WARC files under ``<data_dir>/warc/``. A reader
who follows a citation next year may find the original gone or changed; the archived copy is
the evidence, checked by its SHA-256. Pages from the open web are hostile by default, so the
copy is (1) cleaned of scripts, event handlers, frames, forms and plugins, (2) served with a
``sandbox`` Content-Security-Policy that forbids scripts and every external load, and (3)
shown inside a sandboxed iframe. Any one of the three would be enough.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Response, abort

from indexer.document import Document
from webui import data_dir
from webui.security import ARCHIVE_CSP

log = logging.getLogger(__name__)

#: Archived payloads larger than this are not rendered (a government page is < 2 MB).
MAX_ARCHIVE_BYTES = 20 * 1024 * 1024
#: Largest archive read end to end to find a capture the crawl state no longer points at.
MAX_SCAN_BYTES = 256 * 1024 * 1024


@dataclass
class Capture:
    payload: bytes  # content-decoded body, as the cleaner read it
    content_type: str | None
    sha256: str  # of the payload as the server sent it (what Document.capture_sha256 holds)


def _read_capture(doc: Document) -> Capture | None:
    """The archived response whose payload hash is ``doc.capture_sha256``, or None.

    Found through :mod:`archive.captures` (the capture index beside the WARC files) and
    checked by its hash; a missing index or WARC file is "no capture", never a 500.
    """
    if not doc.capture_sha256:
        return None
    from archive.captures import find_capture

    record = find_capture(data_dir() / "warc", sha256=doc.capture_sha256,
                          urls=[doc.source, *doc.other_sources], max_scan_bytes=MAX_SCAN_BYTES)
    if record is None:
        return None
    return Capture(payload=record.body, content_type=record.headers.get("content-type"),
                   sha256=record.sha256)


def capture_available(doc: Document) -> bool:
    return bool(doc.capture_sha256) and _read_capture(doc) is not None


def clean_html(html: str, base_url: str | None = None) -> str:
    """Strip everything that can run or load: scripts, handlers, frames, forms, plugins."""
    from lxml import html as lxml_html
    from lxml_html_clean import Cleaner

    cleaner = Cleaner(
        scripts=True, javascript=True, comments=True, style=False, inline_style=False,
        links=True, meta=True, page_structure=False, processing_instructions=True,
        embedded=True, frames=True, forms=True, annoying_tags=True,
        remove_unknown_tags=False, safe_attrs_only=False,
    )
    tree = lxml_html.document_fromstring(html)
    tree = cleaner.clean_html(tree)
    if base_url:
        tree.make_links_absolute(base_url, resolve_base_href=True)
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "img":
            # The policy blocks remote images anyway; keep the address and say what was there
            # instead of showing a broken-image icon and logging a violation per image.
            src = element.attrib.pop("src", "")
            element.attrib.pop("srcset", None)
            if src and not src.startswith("data:image/"):
                element.set("data-original-src", src)
                element.set("alt", element.get("alt") or "[图片]")
            elif src:
                element.set("src", src)
        for name in list(element.attrib):
            lowered = name.lower()
            value = element.attrib[name].strip().lower()
            if lowered.startswith("on") or value.startswith(("javascript:", "vbscript:", "data:text")):
                del element.attrib[name]
    body = lxml_html.tostring(tree, encoding="unicode", method="html")
    return '<!DOCTYPE html>\n<meta charset="utf-8">\n' + body


def raw_response(doc: Document) -> Response:
    """The cleaned capture itself, for the sandboxed iframe of the archive page."""
    if not doc.capture_sha256:
        abort(404, description="该文件没有存档副本。")
    capture = _read_capture(doc)
    if capture is None:
        abort(404, description="存档文件不在本机（WARC 未找到）。")
    if len(capture.payload) > MAX_ARCHIVE_BYTES:
        abort(404, description="存档副本过大，无法在线显示。")
    content_type = (capture.content_type or "text/html").split(";")[0].strip().lower()
    headers = {
        "Content-Security-Policy": ARCHIVE_CSP,
        "X-Frame-Options": "SAMEORIGIN",
        "X-Capture-SHA256": capture.sha256,
        "Cache-Control": "private, max-age=3600",
    }
    if content_type not in ("text/html", "application/xhtml+xml", "text/plain"):
        # PDFs, DOCs…: a download, never rendered in our origin.
        headers["Content-Disposition"] = f'attachment; filename="{doc.id}.bin"'
        return Response(capture.payload, mimetype="application/octet-stream", headers=headers)
    from extract.encoding import decode_html

    text, _encoding = decode_html(capture.payload, capture.content_type)
    if content_type == "text/plain":
        return Response(text, mimetype="text/plain", headers=headers)
    return Response(clean_html(text, doc.source if doc.source.startswith("http") else None),
                    mimetype="text/html", headers=headers)
