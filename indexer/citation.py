"""Citations: GB/T 7714-2015 references, paragraph locators and Text Fragment links.

A citation must keep working after the page moves, so it carries three things: the reference
in the national standard's format, a permalink to the paragraph in govsearch, and a Text
Fragment link that scrolls the original page to the passage in browsers that support it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from urllib.parse import quote

from indexer.document import Document

FRAGMENT_WORDS = 24  # characters of a long passage quoted at each end of a text fragment
CONTEXT_CHARS = 12


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def gbt7714(doc: Document, paragraph: int | None = None, accessed: dt.date | None = None) -> str:
    """The GB/T 7714-2015 reference of an online document, e.g.

    ``漳河新区城市管理局. 漳河新区城市管理局2019年度推进法治政府建设情况报告[EB/OL]. (2020-03-25)[2026-11-22]. URL.``

    The 文号 follows the title as 其他题名信息 (the standard's own example for government
    documents); a paragraph locator, when given, ends the reference.
    """
    accessed = accessed or dt.date.today()
    parts: list[str] = []
    if doc.publisher:
        parts.append(f"{doc.publisher}. ")
    title = (doc.title or "").strip() or doc.display_title
    if doc.doc_number:
        title += f": {doc.doc_number}"
    online = _is_url(doc.source)
    parts.append(f"{title}[{'EB/OL' if online else 'EB'}]. ")
    date = doc.published or doc.written
    if online:
        parts.append(f"({date.isoformat()})" if date else "")
        parts.append(f"[{accessed.isoformat()}]. {doc.source}.")
    elif date:
        parts.append(f"({date.isoformat()}).")
    reference = "".join(parts).rstrip()
    if paragraph is not None:
        reference += f" 第{paragraph}段."
    return reference


def _encode(text: str) -> str:
    """Percent-encode a text-directive part; '-', ',' and '&' are syntax there."""
    return quote(text, safe="").replace("-", "%2D")


def text_fragment_url(url: str, paragraphs: Sequence[str], paragraph: int) -> str | None:
    """A ``#:~:text=`` link to paragraph ``paragraph`` (1-based) of the page at ``url``.

    Long passages are quoted by their first and last words (textStart,textEnd). When the
    quoted start also occurs elsewhere in the document, the end of the previous paragraph is
    added as a prefix so that the browser scrolls to the right occurrence.
    """
    if not _is_url(url) or not 1 <= paragraph <= len(paragraphs):
        return None
    text = " ".join(paragraphs[paragraph - 1].split())
    if not text:
        return None
    if len(text) > FRAGMENT_WORDS * 2 + 8:
        start, end = text[:FRAGMENT_WORDS], text[-FRAGMENT_WORDS:]
        directive = f"{_encode(start)},{_encode(end)}"
    else:
        start = text
        directive = _encode(text)
    whole = "\n".join(paragraphs)
    if whole.count(start) > 1:
        before = "".join(paragraphs[paragraph - 2].split())[-CONTEXT_CHARS:] if paragraph > 1 else ""
        after = "".join(paragraphs[paragraph].split())[:CONTEXT_CHARS] if paragraph < len(paragraphs) else ""
        if before:
            directive = f"{_encode(before)}-,{directive}"
        if after:
            directive = f"{directive},-{_encode(after)}"
    return f"{url.split('#', 1)[0]}#:~:text={directive}"
