"""Attachment links on a page, and the text of PDF and DOCX attachments.

Many reports exist only as an attached file, so the links are harvested separately from the
body (generic extractors drop them). A link counts as an attachment when its path, its
``filename=``/``showname=`` parameter or its text ends in a document extension: Hanweb
serves files through ``downfile.jsp?filename=…``, TRS through ``./P0…pdf``.

PDF text comes from **pypdf**, not pdfminer.six: pypdf is pure Python, actively maintained,
reads ToUnicode CMaps and the predefined Adobe-GB1 CMaps that Chinese PDFs use, and lets
us cap the number of pages, which bounds the time a hostile file can cost. Its layout
analysis is simpler than pdfminer's, which does not matter for single-column reports; the
line re-joining below restores paragraphs.
"""

from __future__ import annotations

import io
import logging
import posixpath
import re
import zipfile
from urllib.parse import parse_qs, unquote, urljoin, urlsplit

from lxml import etree

from extract.metadata import clean_line
from indexer.document import Attachment

ATTACHMENT_EXTENSIONS = ("pdf", "doc", "docx", "wps", "ofd", "xls", "xlsx", "et", "zip", "rar",
                         "7z", "ppt", "pptx")
TEXT_EXTENSIONS = ("pdf", "docx")
_EXT_RE = re.compile(r"\.({})$".format("|".join(ATTACHMENT_EXTENSIONS)), re.IGNORECASE)
_NAME_PARAMS = ("filename", "showname", "fileName", "name", "title", "file", "realname")
_GENERIC_LINK_TEXT = re.compile(r"^(?:点击)?(?:下载|查看|附件|原文|全文|预览|打开|阅读)(?:附件|原文|全文|文件)?$")

MAX_PDF_PAGES = 300
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024  # a zip bomb stops here, before python-docx reads it

log = logging.getLogger(__name__)


def _extension(text: str) -> str | None:
    match = _EXT_RE.search(text.strip())
    return match.group(1).lower() if match else None


def attachment_extension(href: str, name: str = "") -> str | None:
    """The document extension of a link (path, filename-like parameter, or link text)."""
    parts = urlsplit(href)
    ext = _extension(unquote(parts.path))
    if ext:
        return ext
    query = parse_qs(parts.query)
    for key in _NAME_PARAMS:
        for value in query.get(key, []) + query.get(key.lower(), []):
            ext = _extension(value)
            if ext:
                return ext
    return _extension(name) if name else None


def find_attachment_links(root: etree._Element, base: str | None) -> list[Attachment]:
    """All attachment links of the page, absolute when a base is known, in page order."""
    from extract.html_extract import normalize_space

    seen: set[str] = set()
    found: list[Attachment] = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        text = normalize_space(a.text_content() or "") or normalize_space(a.get("title") or "")
        ext = attachment_extension(href, text)
        if not ext:
            continue
        absolute = urljoin(base, href) if base else href
        if absolute in seen:
            continue
        seen.add(absolute)
        found.append(Attachment(name=_attachment_name(text, absolute), href=absolute))
    # Reports shown in an embedded PDF viewer (pdf.js viewer.html?file=…, <embed src=…pdf>).
    for el in root.iter("iframe", "embed", "object"):
        src = (el.get("src") or el.get("data") or "").strip()
        if not src:
            continue
        viewer_file = parse_qs(urlsplit(src).query).get("file")
        target = viewer_file[0] if viewer_file and _extension(unquote(viewer_file[0])) else src
        target = urljoin(urljoin(base, src) if base else src, target) if target != src else target
        if not attachment_extension(target):
            continue
        absolute = urljoin(base, target) if base else target
        if absolute in seen:
            continue
        seen.add(absolute)
        title = normalize_space(el.get("title") or "")
        found.append(Attachment(name=_attachment_name(title, absolute), href=absolute))
    return found


def _attachment_name(link_text: str, href: str) -> str:
    if link_text and not _GENERIC_LINK_TEXT.match(link_text):
        return link_text
    parts = urlsplit(href)
    query = parse_qs(parts.query)
    for key in _NAME_PARAMS:
        for value in query.get(key, []):
            if _extension(value):
                return posixpath.basename(value)
    return unquote(posixpath.basename(parts.path)) or link_text or href


# --------------------------------------------------------------------------- sniffing


def sniff_kind(data: bytes, content_type: str | None = None, name: str | None = None) -> str:
    """``pdf``, ``docx``, ``html`` or ``other``: bytes first, then Content-Type, then name."""
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return "docx" if _zip_has_word_document(data) else "other"
    ctype = (content_type or "").lower()
    if "pdf" in ctype:
        return "pdf"
    if "wordprocessingml" in ctype:
        return "docx"
    lowered = (name or "").lower().split("?")[0]
    if lowered.endswith(".pdf"):
        return "pdf"
    if lowered.endswith(".docx"):
        return "docx"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "other"  # OLE2: .doc / .wps / .xls, listed but not read
    return "html"


def _zip_has_word_document(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


# --------------------------------------------------------------------------- text


class AttachmentError(Exception):
    """The attachment could not be read; ``str()`` is a one-line reason."""


def pdf_paragraphs(data: bytes) -> list[str]:
    """Paragraphs of a text PDF (scans have no text layer and give an empty list)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:  # any decrypt failure means "unreadable"
                raise AttachmentError(f"PDF 已加密：{exc}") from None
        lines: list[str] = []
        for number, page in enumerate(reader.pages):
            if number >= MAX_PDF_PAGES:
                break
            text = page.extract_text() or ""
            lines.extend(text.splitlines())
            lines.append("")  # a page break ends a paragraph only if the line was short
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError,
            IndexError, RecursionError, zipfile.BadZipFile) as exc:
        raise AttachmentError(f"无法读取 PDF：{type(exc).__name__}") from None
    return join_wrapped_lines(lines)


_PAGE_NUMBER = re.compile(r"^[-—–－\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*共?\s*\d+\s*页?)?[-—–－\s]*$")
_ENDS_PARAGRAPH = re.compile(r"[。！？；：:]$")
_STARTS_ITEM = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．])")


def join_wrapped_lines(raw_lines: list[str]) -> list[str]:
    """Rebuild paragraphs from the hard-wrapped lines of PDF pages.

    A line that reaches the usual full width and does not end a sentence continues on the
    next line (also across a page break); short lines (headings, signatures, dates) stand
    alone; page numbers go.
    """
    lines = [clean_line(re.sub(r"[ \u3000]{2,}", " ", ln)) for ln in raw_lines]
    widths = sorted(len(ln) for ln in lines if len(ln) >= 8)
    full = widths[int(len(widths) * 0.8)] if widths else 0
    paragraphs: list[str] = []
    current = ""
    last_line = ""
    for line in lines:
        if not line or _PAGE_NUMBER.match(line):
            continue
        if current:
            continues = (bool(full) and len(last_line) >= full * 0.85
                         and not _ENDS_PARAGRAPH.search(last_line) and not _STARTS_ITEM.match(line))
            if continues:
                current += line
                last_line = line
                continue
            paragraphs.append(current)
        current = line
        last_line = line
    if current:
        paragraphs.append(current)
    return [re.sub(r"(?<=[\u4e00-\u9fff，。；：、]) (?=[\u4e00-\u9fff])", "", p) for p in paragraphs]


def docx_paragraphs(data: bytes) -> list[str]:
    """Paragraphs of a DOCX body, tables included, in document order."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise AttachmentError(f"无法读取 DOCX：{type(exc).__name__}") from None
    if total > MAX_DOCX_UNCOMPRESSED:
        raise AttachmentError("DOCX 解压后过大")
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(io.BytesIO(data))
        paragraphs: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Paragraph):
                text = clean_line(block.text)
                if text:
                    paragraphs.append(text)
            elif isinstance(block, Table):
                for row in block.rows:
                    cells: list[str] = []
                    for cell in row.cells:
                        text = clean_line(cell.text)
                        if text and (not cells or cells[-1] != text):  # merged cells repeat
                            cells.append(text)
                    if cells:
                        paragraphs.append(" ".join(cells))
    except AttachmentError:
        raise
    except Exception as exc:  # python-docx raises many types on bad files
        raise AttachmentError(f"无法读取 DOCX：{type(exc).__name__}") from None
    return paragraphs


def attachment_paragraphs(data: bytes, href: str = "", content_type: str | None = None) -> list[str]:
    """Text of a PDF or DOCX attachment; raises AttachmentError for other or broken files."""
    kind = sniff_kind(data, content_type, href)
    if kind == "pdf":
        return pdf_paragraphs(data)
    if kind == "docx":
        return docx_paragraphs(data)
    raise AttachmentError("不支持提取该格式的附件文字")
