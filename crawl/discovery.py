"""Where the reports are: link, pagination and article-URL rules for government CMSs.

Pure functions over URLs and page text, so each rule is testable without a crawl. The
patterns come from the CMS table in /work/shared/research/crawl-clean.md §1:

* TRS WCM: articles ``/{YYYYMM}/t{YYYYMMDD}_{id}.html``; columns paginate as ``index.html``,
  ``index_1.html`` … written by ``createPageHTML(total, current, "index", "html")`` in script,
  so the links do not exist in the markup and must be computed.
* 大汉 Hanweb: articles ``/art/YYYY/M/D/art_{col}_{id}.html``; columns ``/col/colNNN/index.html``
  embed the first records in ``<script type="text/xml"><datastore>…`` and load the rest from
  ``/module/web/jpage/dataproxy.jsp`` (POST; one call returns a group of records).
* gov.cn / UCAP: ``content_{id}.htm``; generic "下一页" links and ``?page=N`` parameters.
* Guangdong gkmlpt (政府信息公开目录平台): the column page is a script shell
  (``/gkmlpt/index#{catId}``, ``SID: '…'`` in the page); its items come from the JSON API
  ``/gkmlpt/api/all/{catId}?page=N&sid={SID}`` (``total``, ``articles[]``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html

ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".ofd", ".xls", ".xlsx", ".et",
                         ".zip", ".rar", ".7z", ".txt", ".rtf", ".ppt", ".pptx")
_SKIP_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".bmp", ".svg", ".webp", ".ico", ".css",
                    ".js", ".mp3", ".mp4", ".avi", ".flv", ".wmv", ".swf", ".exe", ".apk",
                    ".woff", ".woff2", ".ttf", ".iso", ".mov")

ARTICLE_PATTERNS = [
    re.compile(r"/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html?$"),  # Hanweb
    re.compile(r"/t\d{8}_\d+(?:_\d+)?\.s?html?$"),  # TRS
    re.compile(r"/content_\d+\.s?html?$"),  # gov.cn / UCAP
    re.compile(r"/post_\d+\.html?$"),  # Guangdong gkmlpt
    re.compile(r"/(?:art|article|content|detail|info|show)[_/-]?\d+\.(?:s?html?|jsp|aspx?|php)$",
               re.IGNORECASE),
    re.compile(r"/\d{4}-?\d{2}/\d{2}/[^/]+\.s?html?$"),  # dated folders
    re.compile(r"[?&](?:articleId|artid|contentId|docid|infoid|newsid)=\d+", re.IGNORECASE),
]
LIST_PATTERNS = [
    re.compile(r"/col/col\d+/(?:index(?:_\d+)?\.html?)?$"),  # Hanweb column
    re.compile(r"/index(?:_\d+)?\.s?html?$"),  # TRS column pages
    re.compile(r"/(?:list|lists|column|channel|node)(?:[_/-]\w+)*\.(?:s?html?|jsp|aspx?|php)$",
               re.IGNORECASE),
    re.compile(r"/$"),
    re.compile(r"[?&](?:page|pageNum|pageNo|pageIndex|curPage|currentPage|p)=\d+", re.IGNORECASE),
]
HANWEB_ATTACHMENT = re.compile(r"/module/download/downfile\.jsp", re.IGNORECASE)

#: Query parameters that carry a session, not content: removed before a URL is used.
SESSION_PARAMS = {"jsessionid", "phpsessid", "sessionid", "session_id", "sessid", "cfid",
                  "cftoken", "aspsessionid", "utm_source", "utm_medium", "utm_campaign",
                  "utm_term", "utm_content", "spm", "from", "timestamp", "_t", "t", "random",
                  "rnd", "r"}
PAGE_PARAMS = ("page", "pageNum", "pageNo", "pageIndex", "curPage", "currentPage", "p", "pn")

NEXT_PAGE_TEXTS = {"下一页", "下页", "后一页", "下一页>", "下一页>>", "下一页 >", ">", ">>", "›",
                   "»", "next", "next page", "next>"}
_CALENDAR_WORDS = re.compile(r"(?:calendar|rili|richeng|/cal/|schedule)", re.IGNORECASE)
_CALENDAR_KEYS = {"date", "day", "month", "year", "ym", "ymd", "rq", "riqi", "start", "end",
                  "startdate", "enddate", "begin", "week"}
_DATE_VALUE = re.compile(r"^\d{4}(?:[-/.]?\d{1,2}){1,2}$")
_TRS_PAGER = re.compile(r"""createPageHTML\(\s*['"]?(\d+)['"]?\s*,\s*['"]?(\d+)['"]?\s*,"""
                        r"""\s*['"]([\w.-]+)['"]\s*,\s*['"](\w+)['"]""")
_SCRIPT_XML = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["'][^>]*>(.*?)</a>""", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]+>")


@dataclass
class Link:
    url: str
    text: str = ""

    @property
    def kind(self) -> str:
        return classify(self.url)


@dataclass
class DataProxy:
    """A Hanweb column whose later records come from ``dataproxy.jsp``."""

    url: str  # the proxy URL without the record range
    form: dict[str, str] = field(default_factory=dict)
    per_page: int = 15
    total: int | None = None
    embedded: int = 0  # records already in the column page


def clean_url(url: str) -> str:
    """The URL to request: no fragment, no session or tracking parameters."""
    parts = urlsplit(url.strip())
    path = re.sub(r";jsessionid=[^/?#]*", "", parts.path, flags=re.IGNORECASE)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in SESSION_PARAMS and not k.lower().startswith("aspsessionid")]
    netloc = parts.netloc.lower()
    if netloc.endswith(":80") and parts.scheme == "http":
        netloc = netloc[:-3]
    elif netloc.endswith(":443") and parts.scheme == "https":
        netloc = netloc[:-4]
    return urlunsplit((parts.scheme.lower(), netloc, path or "/", urlencode(query), ""))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def classify(url: str) -> str:
    """``attachment``, ``article``, ``list``, ``skip`` (images, scripts…) or ``other``."""
    parts = urlsplit(url)
    path = parts.path.lower()
    if HANWEB_ATTACHMENT.search(parts.path) or path.endswith(ATTACHMENT_EXTENSIONS):
        return "attachment"
    if path.endswith(_SKIP_EXTENSIONS) or "dataproxy.jsp" in path:
        return "skip"  # media, scripts; dataproxy.jsp is reached by POST, never by links
    target = parts.path + ("?" + parts.query if parts.query else "")
    if any(p.search(target) for p in ARTICLE_PATTERNS):
        return "article"
    if any(p.search(target) for p in LIST_PATTERNS):
        return "list"
    return "other"


def trap_reason(url: str) -> str | None:
    """Why ``url`` looks like a crawler trap, or None. Bounded, conservative rules."""
    parts = urlsplit(url)
    if len(url) > 512:
        return "URL 过长"
    query = parse_qsl(parts.query, keep_blank_values=True)
    if len(parts.query) > 256 or len(query) > 8:
        return "查询参数过多"
    names = [k.lower() for k, _ in query]
    if any(names.count(n) >= 3 for n in set(names)):
        return "查询参数重复"
    if any(len(v) > 120 for _, v in query):
        return "查询参数过长"
    segments = [s for s in parts.path.split("/") if s]
    if len(segments) > 15:
        return "路径过深"
    if any(segments.count(s) >= 3 for s in set(segments)):
        return "路径重复"
    if _CALENDAR_WORDS.search(parts.path) or _CALENDAR_WORDS.search(parts.query):
        return "日历页"
    if any(k.lower() in _CALENDAR_KEYS and _DATE_VALUE.match(v) for k, v in query):
        return "日历页"
    if sum(1 for k, v in query if k.lower() in _CALENDAR_KEYS and v.isdigit()) >= 2:
        return "日历页"  # ?year=2024&month=3: a month view links the next month forever
    return None


def url_shape(url: str) -> str:
    """Host, path with digits masked, and sorted query names: pages a trap multiplies."""
    parts = urlsplit(url)
    path = re.sub(r"\d+", "9", parts.path)
    names = sorted({k for k, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return f"{parts.hostname}{path}?{'&'.join(names)}"


def _text(el: lxml_html.HtmlElement) -> str:
    return re.sub(r"\s+", " ", el.text_content() or "").strip()


def parse_html(text: str) -> lxml_html.HtmlElement | None:
    if not text.strip():
        return None
    try:
        return lxml_html.document_fromstring(text)
    except (ValueError, lxml_html.etree.ParserError):
        return None


def extract_links(text: str, base_url: str) -> list[Link]:
    """Every followable link on a page, including Hanweb records hidden in script XML."""
    links: list[Link] = []
    seen: set[str] = set()

    def add(href: str, label: str) -> None:
        href = (href or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "tel:", "#", "data:")):
            return
        url = clean_url(urljoin(base_url, href))
        if not url.startswith(("http://", "https://")):
            return
        if url in seen:
            # Keep the most informative anchor text for the keyword filter.
            for link in links:
                if link.url == url and len(label) > len(link.text):
                    link.text = label
            return
        seen.add(url)
        links.append(Link(url, label))

    doc = parse_html(text)
    if doc is not None:
        base_el = doc.find(".//base[@href]")
        if base_el is not None:
            base_url = urljoin(base_url, base_el.get("href"))
        for a in doc.iter("a", "area"):
            label = _text(a) if a.tag == "a" else ""
            label = label or a.get("title") or ""
            add(a.get("href", ""), label)
        for frame in doc.iter("iframe", "frame"):
            add(frame.get("src", ""), "")
    # Hanweb keeps list records in <script type="text/xml"> CDATA, invisible to the DOM.
    if "<datastore" in text or "<record" in text:
        for block in _SCRIPT_XML.findall(text):
            for href, inner in _HREF.findall(block):
                title = re.search(r"""title\s*=\s*["']([^"']+)""", block)
                label = _TAGS.sub("", inner).strip() or (title.group(1) if title else "")
                add(href, label)
    return links


def next_pages(text: str, page_url: str) -> list[str]:
    """The page(s) after this one in a paginated column, in order (usually one)."""
    found: list[str] = []
    for total, current, stem, ext in _TRS_PAGER.findall(text):
        total_i, current_i = int(total), int(current)
        if current_i + 1 < total_i:
            found.append(urljoin(page_url, f"{stem}_{current_i + 1}.{ext}"))
    doc = parse_html(text)
    if doc is not None:
        for a in doc.iter("a"):
            label = _text(a).lower().replace("\u00a0", " ")
            href = (a.get("href") or "").strip()
            if label in NEXT_PAGE_TEXTS and href and not href.startswith(("javascript:", "#")):
                found.append(clean_url(urljoin(page_url, href)))
    parts = urlsplit(page_url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    for i, (k, v) in enumerate(query):
        if k in PAGE_PARAMS and v.isdigit():
            nxt = list(query)
            nxt[i] = (k, str(int(v) + 1))
            candidate = urlunsplit(parts._replace(query=urlencode(nxt)))
            # Only when the page links to it: never invent pages past the end.
            if doc is not None and any(
                clean_url(urljoin(page_url, a.get("href") or "")) == candidate
                for a in doc.iter("a")
            ):
                found.append(candidate)
    unique: list[str] = []
    for u in found:
        u = clean_url(u)
        if u != clean_url(page_url) and u not in unique:
            unique.append(u)
    return unique


def trs_page_count(text: str) -> int | None:
    m = _TRS_PAGER.search(text)
    return int(m.group(1)) if m else None


def hanweb_dataproxy(text: str, page_url: str) -> DataProxy | None:
    """The dataproxy.jsp call behind a Hanweb column page, if it has one."""
    if "dataproxy.jsp" not in text:
        return None
    m = re.search(r"""<nextgroup>\s*<!\[CDATA\[\s*<a[^>]+href=["']([^"']*dataproxy\.jsp[^"']*)""",
                  text)
    proxy_href = m.group(1) if m else None
    if not proxy_href:
        m = re.search(r"""proxyUrl\s*:\s*['"]([^'"]*dataproxy\.jsp[^'"]*)['"]""", text)
        proxy_href = m.group(1) if m else None
    if not proxy_href:
        return None
    full = urljoin(page_url, proxy_href.replace("&amp;", "&"))
    parts = urlsplit(full)
    form = {k: v for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k not in ("startrecord", "endrecord", "perpage", "page")}
    for key, pattern in (("columnid", r"columnid\s*[:=]\s*['\"]?(\d+)"),
                         ("unitid", r"unitid\s*[:=]\s*['\"]?(\d+)"),
                         ("webid", r"webid\s*[:=]\s*['\"]?(\d+)")):
        if key not in form:
            mm = re.search(pattern, text)
            if mm:
                form[key] = mm.group(1)
    form.setdefault("col", "1")
    form.setdefault("appid", "1")
    form.setdefault("path", "/")
    form.setdefault("permissiontype", "0")
    per_page = re.search(r"perPage\s*:\s*['\"]?(\d+)", text)
    total = (re.search(r"totalRecord\s*:\s*['\"]?(\d+)", text)
             or re.search(r"<totalrecord>\s*(\d+)\s*</totalrecord>", text))
    embedded = len(re.findall(r"<record>", text))
    return DataProxy(url=urlunsplit(parts._replace(query="")), form=form,
                     per_page=int(per_page.group(1)) if per_page else 15,
                     total=int(total.group(1)) if total else None, embedded=embedded)


def dataproxy_group_url(proxy: DataProxy, start: int) -> str:
    """URL for records ``start``… (one group = three pages, as the jpage plugin asks)."""
    end = start + proxy.per_page * 3 - 1
    if proxy.total:
        end = min(end, proxy.total)
    return f"{proxy.url}?startrecord={start}&endrecord={end}&perpage={proxy.per_page}"


def parse_dataproxy(text: str, base_url: str) -> tuple[int | None, list[Link]]:
    """Total record count and the record links of a dataproxy.jsp XML answer."""
    total = re.search(r"<totalrecord>\s*(\d+)\s*</totalrecord>", text)
    return (int(total.group(1)) if total else None), extract_links(text, base_url)


_GKMLPT_SID = re.compile(r"""\bSID\s*[:=]\s*['"]([\w-]+)['"]""")
_GKMLPT_CAT = re.compile(r"gkmlpt/(?:index)?#(\d+)|gkmlpt/api/all/(\d+)")


def gkmlpt_api_urls(text: str, page_url: str, fragment: str = "") -> list[str]:
    """First API page of each gkmlpt column this page (or its ``#catId``) names."""
    if "gkmlpt" not in page_url and "gkmlpt" not in text:
        return []
    sid = _GKMLPT_SID.search(text)
    cats: list[str] = []
    if fragment.isdigit():
        cats.append(fragment)
    for a, b in _GKMLPT_CAT.findall(text):
        cat = a or b
        if cat not in cats:
            cats.append(cat)
    parts = urlsplit(page_url)
    root = f"{parts.scheme}://{parts.netloc}"
    suffix = f"&sid={sid.group(1)}" if sid else ""
    return [f"{root}/gkmlpt/api/all/{cat}?page=1{suffix}" for cat in cats[:50]]


def parse_gkmlpt(body: bytes | str, base_url: str) -> tuple[int | None, list[Link]]:
    """Total item count and the article links of a gkmlpt API answer."""
    try:
        data = json.loads(body)
    except (ValueError, TypeError):
        return None, []
    if not isinstance(data, dict):
        return None, []
    total = data.get("total")
    if not isinstance(total, int):
        classify_info = data.get("classify") if isinstance(data.get("classify"), dict) else {}
        total = classify_info.get("post_count") if isinstance(
            classify_info.get("post_count"), int) else None
    items = data.get("articles") or data.get("data") or []
    links: list[Link] = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        href = item.get("url") or item.get("link") or item.get("href")
        if isinstance(href, str) and href.strip():
            title = item.get("title") if isinstance(item.get("title"), str) else ""
            links.append(Link(clean_url(urljoin(base_url, href)), title or ""))
    return total, links


def with_page(url: str, page: int) -> str:
    parts = urlsplit(url)
    query = [(k, str(page) if k == "page" else v)
             for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def sitemap_locations(body: bytes) -> tuple[str, list[str]]:
    """(``urlset`` or ``sitemapindex``, the ``<loc>`` URLs) of a sitemap document."""
    from scrapy.utils.sitemap import Sitemap

    try:
        sitemap = Sitemap(body)
    except Exception:
        return "", []
    return sitemap.type or "", [entry["loc"] for entry in sitemap if entry.get("loc")]


def matches_keywords(texts: Iterable[str], keywords: Iterable[str]) -> bool:
    keywords = [k for k in keywords if k]
    if not keywords:
        return True
    joined = " ".join(t for t in texts if t)
    return any(k in joined for k in keywords)
