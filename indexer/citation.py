"""Citations: GB/T 7714-2015 references, the same reference as CSL-JSON, RIS and BibTeX for
reference managers, paragraph locators and Text Fragment links.

A citation must keep working after the page moves, so it carries three things: the reference
in the national standard's format, a permalink to the paragraph in govsearch, and a Text
Fragment link that scrolls the original page to the passage in browsers that support it.

Every format is written from one :class:`Reference`, so the GB/T 7714 string and what Zotero
imports cannot disagree; tests/test_citation_csl.py renders the CSL-JSON with citeproc-py and
the official GB/T 7714-2015 CSL style and compares the two field by field.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from indexer.document import Document

FRAGMENT_WORDS = 24  # characters of a long passage quoted at each end of a text fragment
CONTEXT_CHARS = 12

#: Times are shown in China Standard Time (UTC+8, no daylight saving): a researcher in China
#: reads "抓取于 08:30" as local time, and a raw UTC offset is a trap.
BEIJING = dt.timezone(dt.timedelta(hours=8), "北京时间")


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def file_name(source: str) -> str:
    """What a local file is called without where it lives: server paths are nobody's business."""
    return source.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


def public_source(source: str) -> str:
    """A source as readers may see it: the URL, or only the file name of a local file."""
    return source if _is_url(source) else file_name(source)


def beijing_time(value: dt.datetime | str | None) -> str | None:
    """``2021-03-02 16:30 北京时间`` for a capture time (naive times are UTC, as stored)."""
    if not value:
        return None
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return f"{value.astimezone(BEIJING):%Y-%m-%d %H:%M} 北京时间"


def beijing_today() -> dt.date:
    return dt.datetime.now(BEIJING).date()


def locator(paragraph: int) -> str:
    """The paragraph as an 引文页码: ``第4段``."""
    return f"第{paragraph}段"


def in_text_marker(paragraph: int | None, number: int = 1) -> str:
    """The in-text citation mark of GB/T 7714-2015 §10.1.3 (顺序编码制): the 引文页码 stands
    outside the brackets of the reference number, superscripted in print: ``[1]第4段``.

    The standard gives pure electronic resources no locator slot inside the reference itself
    (§4.6: "(更新或修改日期)[引用日期]. 获取和访问路径"), so the paragraph goes here, not after
    the URL.
    """
    return f"[{number}]" + (locator(paragraph) if paragraph else "")


@dataclass(frozen=True)
class Reference:
    """One document as a bibliographic item: the fields every output format is written from."""

    id: str
    author: str | None  # 主要责任者: the 发布机构, an organisation
    title: str
    number: str | None  # 文号, the standard's 其他题名信息 for government documents
    issued: dt.date | None  # 发布日期 (else 成文日期)
    accessed: dt.date
    url: str | None  # the original page, or the govsearch permalink for a local file
    url_is_permalink: bool = False  # url is govsearch's own link, not the original's
    genre: str | None = None  # 文种
    region: str | None = None
    language: str = "zh-CN"

    @property
    def type_code(self) -> str:
        """文献类型标识/载体标识: EB/OL (online electronic bulletin), EB without a URL."""
        return "EB/OL" if self.url else "EB"

    # -- GB/T 7714-2015 -------------------------------------------------------------------------

    def gbt7714(self) -> str:
        """The reference in the form of GB/T 7714-2015 §4.6 (电子资源), e.g.

        ``漳河新区城市管理局. 漳河新区城市管理局2019年度推进法治政府建设情况报告[EB/OL]. (2020-03-25)[2026-11-22]. URL.``

        The 文号 follows the title as 其他题名信息 (``题名: 文号``, the standard's own example
        for government documents). Without a URL there is neither 更新日期 nor 引用日期, only
        the year, as the standard has it for documents that are not online.
        """
        parts: list[str] = []
        if self.author:
            parts.append(self.author)
        title = f"{self.title}: {self.number}" if self.number else self.title
        parts.append(f"{title}[{self.type_code}]")
        if self.url:
            dates = (f"({self.issued.isoformat()})" if self.issued else "") + f"[{self.accessed.isoformat()}]"
            parts.append(dates)
            parts.append(self.url)
        elif self.issued:
            parts.append(str(self.issued.year))
        return ". ".join(parts) + "."

    # -- reference managers ---------------------------------------------------------------------

    def csl_json(self) -> dict:
        """A CSL-JSON item (what Zotero, Mendeley and pandoc read).

        The 发布机构 is the author, as a literal (an organisation has no given name), and is
        not repeated as ``publisher``: in CSL styles a publisher turns an online document into
        a printed one ("出版地: 出版者, 出版年").
        """
        item: dict = {"id": self.id, "type": "webpage", "title": self.title, "language": self.language}
        if self.author:
            item["author"] = [{"literal": self.author}]
        if self.number:
            item["number"] = self.number
        if self.issued:
            item["issued"] = {"date-parts": [[self.issued.year, self.issued.month, self.issued.day]]}
        if self.url:
            item["URL"] = self.url
            item["accessed"] = {"date-parts": [[self.accessed.year, self.accessed.month, self.accessed.day]]}
        if self.genre:
            item["genre"] = self.genre
        notes = []
        if self.region:
            notes.append(f"地区: {self.region}")
        if self.url_is_permalink:
            notes.append("网址为 govsearch 永久链接（原文为导入的本地文件）")
        if notes:
            item["note"] = "\n".join(notes)
        return item

    def ris(self) -> str:
        """RIS (Zotero, EndNote, NoteExpress): an ELEC (web page) record, CRLF line ends."""
        lines = [("TY", "ELEC"), ("TI", self.title)]
        if self.author:
            lines += [("AU", self.author + ","), ("PB", self.author)]  # trailing comma: one-field name
        if self.number:
            lines.append(("M1", self.number))
        if self.issued:
            lines += [("PY", str(self.issued.year)), ("DA", self.issued.strftime("%Y/%m/%d"))]
        if self.url:
            lines += [("UR", self.url), ("Y2", self.accessed.strftime("%Y/%m/%d"))]
        if self.genre:
            lines.append(("M3", self.genre))
        if self.url_is_permalink:
            lines.append(("N1", "网址为 govsearch 永久链接（原文为导入的本地文件）"))
        lines += [("LA", self.language), ("DB", "govsearch"), ("ER", "")]
        return "".join(f"{tag}  - {_one_line(value)}\r\n".replace("  - \r\n", "  -\r\n")
                       for tag, value in lines)

    def bibtex(self) -> str:
        """A BibTeX ``@misc`` entry (biblatex's ``url``/``urldate`` included)."""
        fields: list[tuple[str, str]] = []
        if self.author:
            fields.append(("author", "{" + _bib_escape(self.author) + "}"))  # braces: one name
        fields.append(("title", _bib_escape(self.title)))
        if self.number:
            fields.append(("number", _bib_escape(self.number)))
        if self.issued:
            fields += [("year", str(self.issued.year)), ("date", self.issued.isoformat())]
        if self.url:
            fields += [("url", self.url.replace("}", "%7D").replace("{", "%7B")),
                       ("urldate", self.accessed.isoformat())]
        if self.genre:
            fields.append(("type", _bib_escape(self.genre)))
        if self.url_is_permalink:
            fields.append(("note", "网址为 govsearch 永久链接（原文为导入的本地文件）"))
        fields.append(("language", "chinese"))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@misc{{govsearch-{self.id},\n{body}\n}}\n"

    def coins(self) -> str:
        """The ``title`` of a COinS span (OpenURL ContextObject, Dublin Core format)."""
        pairs = [("ctx_ver", "Z39.88-2004"), ("rft_val_fmt", "info:ofi/fmt:kev:mtx:dc"),
                 ("rft.type", "webpage"), ("rft.title", self.title)]
        if self.author:
            pairs.append(("rft.creator", self.author))
            pairs.append(("rft.publisher", self.author))
        if self.issued:
            pairs.append(("rft.date", self.issued.isoformat()))
        if self.url:
            pairs.append(("rft.identifier", self.url))
        if self.number:
            pairs.append(("rft.description", f"文号：{self.number}"))
        pairs.append(("rft.language", self.language))
        return urlencode(pairs)

    def meta_tags(self) -> list[tuple[str, str]]:
        """Highwire-style ``<meta name="citation_…">`` tags, read by Zotero's connector."""
        tags = [("citation_title", self.title)]
        if self.author:
            tags += [("citation_author", self.author), ("citation_publisher", self.author)]
        if self.issued:
            tags.append(("citation_publication_date", self.issued.strftime("%Y/%m/%d")))
        if self.number:
            tags.append(("citation_technical_report_number", self.number))
        if self.url:
            tags.append(("citation_public_url", self.url))
        tags.append(("citation_language", self.language))
        return tags


def _one_line(value: str) -> str:
    return " ".join(value.split())


_BIB_SPECIAL = re.compile(r"([\\{}&%$#_^~])")


def _bib_escape(value: str) -> str:
    """Escape TeX specials (titles from the web may carry any of them)."""
    def repl(match: re.Match[str]) -> str:
        char = match.group(1)
        return {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}.get(char, "\\" + char)

    return _BIB_SPECIAL.sub(repl, _one_line(value))


def reference(doc: Document, accessed: dt.date | None = None, permalink: str | None = None) -> Reference:
    """The bibliographic item of ``doc``. A local file (no original URL) is cited with
    ``permalink``, govsearch's own link, as its access URL when one is given, and says so."""
    online = _is_url(doc.source)
    url = doc.source if online else permalink
    return Reference(
        id=doc.id, author=(doc.publisher or "").strip() or None,
        title=" ".join(((doc.title or "").strip() or doc.display_title).split()),
        number=(doc.doc_number or "").strip() or None, issued=doc.published or doc.written,
        accessed=accessed or beijing_today(), url=url, url_is_permalink=bool(url) and not online,
        genre=doc.doc_type, region=doc.region.display() or None)


def gbt7714(doc: Document, accessed: dt.date | None = None, permalink: str | None = None) -> str:
    """The GB/T 7714-2015 reference of ``doc`` (see :meth:`Reference.gbt7714`)."""
    return reference(doc, accessed, permalink).gbt7714()


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
