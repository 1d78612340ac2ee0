"""When a page is gone: 404/410, a redirect to the home page, or a soft 404.

Government sites rarely answer 404 for a withdrawn document. Many redirect every dead
address to the portal's home page, and many answer 200 with an error page ("您访问的页面不存在",
"该信息已删除"). Both must flag the known document 已删除, exactly like a 404, or a re-crawl
would report the page unchanged (or index the error page as a document). The spider and
``reindex`` both decide with this module, so a rebuild from the WARCs flags the same pages.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

#: Error-page phrases (after whitespace removal) that mean the document is gone.
SOFT_404_PHRASES = (
    "页面不存在", "该信息已删除", "您访问的页面不存在", "信息已被删除", "该页面已删除",
    "文章已删除", "页面已删除", "内容已删除", "找不到该页面", "页面找不到了",
)
#: A page longer than this (visible characters) is a page with content, not an error page:
#: a report may well quote "页面不存在" somewhere.
SOFT_404_MAX_CHARS = 600
_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/index.php",
               "/default.html", "/default.htm", "/default.aspx", "/main.htm", "/portal/index.html"}
_TAGS = re.compile(r"<script.*?</script>|<style.*?</style>|<[^>]+>", re.S | re.I)
_SPACE = re.compile(r"\s+|&nbsp;")


def visible_text(html: str) -> str:
    """The page's visible characters, without markup and whitespace (cheap; no parser)."""
    return _SPACE.sub("", _TAGS.sub(" ", html))


def soft_404(html: str) -> str | None:
    """The error phrase if this 200 page is an error page, else None."""
    text = visible_text(html)
    if len(text) > SOFT_404_MAX_CHARS:
        return None
    return next((p for p in sorted(SOFT_404_PHRASES, key=len, reverse=True) if p in text), None)


def is_home_page(url: str) -> bool:
    """Whether ``url`` is a site's home page (where dead addresses are often redirected)."""
    parts = urlsplit(url)
    return parts.path.lower() in _HOME_PATHS and not parts.query


def reason_text(status: int | None = None, *, soft: str | None = None, home: bool = False) -> str:
    """The one-line reason stored with the flag: "HTTP 404", "跳转到首页", "软404：页面不存在"."""
    if home:
        return "跳转到首页"
    if soft:
        return f"软404：{soft}"
    return f"HTTP {status}"
