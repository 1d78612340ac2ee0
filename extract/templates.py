"""Known government CMS templates: where each one puts the article body.

Why fingerprint at all: a generic extractor guesses, and on government pages it guesses
wrong in predictable ways (the 信息公开 table, the site logo as title, the whole page when
the body is a two-line 详见附件). The big platforms put the body in a fixed container, so
when we recognise one we take that container and only fall back to text density for
unknown templates. Order matters: the most specific containers come first, because some
templates nest them (a TRS ``.TRS_Editor`` inside a Hanweb ``#zoom`` on migrated sites).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _has_class(name: str) -> str:
    return f'contains(concat(" ", normalize-space(@class), " "), " {name} ")'


@dataclass(frozen=True)
class Template:
    """A CMS family and the XPath expressions of its body container, best first."""

    name: str
    containers: tuple[str, ...]


TEMPLATES: tuple[Template, ...] = (
    # 大汉版通 (Hanweb JCMS): #zoom; the ContentStart markers are handled before parsing.
    Template("hanweb", ('//*[@id="zoom"]', '//*[@id="Zoom"]')),
    # 拓尔思 TRS WCM: the editor's wrapper class survives into the published page.
    Template(
        "trs",
        (
            f"//*[{_has_class('TRS_Editor')}]",
            f"//*[{_has_class('trs_editor_view')}]",
            f"//*[{_has_class('TRS_UEDITOR')}]",
            f"//*[{_has_class('TRS_PreAppend')}]",
            f"//*[{_has_class('Custom_UnionStyle')}]",
        ),
    ),
    # UCAP / gov.cn layout.
    Template("ucap", ('//*[@id="UCAP-CONTENT"]', f"//*[{_has_class('pages_content')}]")),
    # 开普云 (Kaipuyun) 政务 templates.
    Template("kaipuyun", ('//*[@id="ivs_content"]', f"//*[{_has_class('ivs_content')}]",
                          '//*[@id="kp-article-content"]')),
    # 微信公众号编辑器 reposts (135编辑器, 秀米…): the WeChat body container.
    Template("wechat", ('//*[@id="js_content"]', f"//*[{_has_class('rich_media_content')}]")),
    # 动易 PowerEasy SiteWeaver.
    Template("powereasy", ('//*[@id="fontzoom"]', '//*[@id="MyContent"]')),
    # 织梦 DedeCMS article template.
    Template("dedecms", (f"//*[{_has_class('article_content')}][ancestor::*[{_has_class('article')}]]",
                         '//*[@id="article_content"]', f"//*[{_has_class('dede_content')}]")),
    # 广东政府信息公开目录平台 gkmlpt: a generic class name, so it is tried last.
    Template("gkmlpt", ('//*[@id="gkmlpt-content"]', f"//*[{_has_class('article-content')}]")),
)

# Fingerprints that name the platform even when the body container is generic; used only to
# label the extraction (diagnostics), never to choose the body.
FINGERPRINTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("hanweb", re.compile(r"大汉版通|hanweb\.com|jcms_files|ZJEG_RSS|<\$\[信息内容\]>", re.IGNORECASE)),
    ("trs", re.compile(r"TRS_Editor|createPageHTML|trs_editor_view|/was5/web/search", re.IGNORECASE)),
    ("ucap", re.compile(r"UCAP-CONTENT|pages_content", re.IGNORECASE)),
    ("gkmlpt", re.compile(r"gkmlpt", re.IGNORECASE)),
    ("kaipuyun", re.compile(r"kaipuyun|ivs_content", re.IGNORECASE)),
    ("wechat", re.compile(r"js_content|rich_media|135editor|xiumi", re.IGNORECASE)),
    ("powereasy", re.compile(r"PowerEasy|动易", re.IGNORECASE)),
    ("dedecms", re.compile(r"DedeCMS|dedecms|织梦", re.IGNORECASE)),
)


def fingerprint(html: str) -> str | None:
    """The CMS family named by the page source, if any (first 200 KB only, for speed)."""
    head = html[:200_000]
    for name, pattern in FINGERPRINTS:
        if pattern.search(head):
            return name
    return None


# Hanweb (and Zhejiang's RSS-harvest) markers around the body, as raw-source patterns.
BODY_BEGIN_MARKERS = (
    re.compile(r"<!--\s*<\$\[信息内容\]>\s*begin\s*-->", re.IGNORECASE),
    re.compile(r"<!--\s*ZJEG_RSS\.content\.begin\s*-->", re.IGNORECASE),
    re.compile(r"""<meta\s+name\s*=\s*["']?ContentStart["']?\s*/?>""", re.IGNORECASE),
)
BODY_END_MARKERS = (
    re.compile(r"<!--\s*<\$\[信息内容\]>\s*end\s*-->", re.IGNORECASE),
    re.compile(r"<!--\s*ZJEG_RSS\.content\.end\s*-->", re.IGNORECASE),
    re.compile(r"""<meta\s+name\s*=\s*["']?ContentEnd["']?\s*/?>""", re.IGNORECASE),
)


def marked_body(html: str) -> str | None:
    """The source between Hanweb's body markers, or None when the page has no such pair.

    Markers nest (``ZJEG_RSS.content.begin`` then ``ContentStart``): the body starts after
    the last begin marker before the first end marker.
    """
    ends = [m.start() for p in BODY_END_MARKERS for m in p.finditer(html)]
    if not ends:
        return None
    end = min(ends)
    begins = [m.end() for p in BODY_BEGIN_MARKERS for m in p.finditer(html) if m.end() <= end]
    if not begins:
        return None
    return html[max(begins):end]
