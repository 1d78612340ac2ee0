"""The cleaner's public entry point: page or file bytes → CleanResult with a Document.

Everything the crawler fetches and every local ``.html/.htm/.pdf/.docx`` file goes through
:func:`clean_bytes`. It never raises: hostile or broken input (junk bytes, truncated pages,
zip bombs, 50 MB pages) comes back as ``kind="error"`` with a one-line reason, so a crawl
or an index run keeps going and tells the user why one input was skipped.

Metadata is taken from the strongest source first — standard gov ``<meta>`` tags, then the
信息公开 label block, then the byline, then URL patterns and the sign-off — because each
weaker source is wrong more often (a byline's 来源 is often the reposting desk, a URL date
the upload day).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from lxml import etree

from extract.attachments import (
    TEXT_EXTENSIONS,
    AttachmentError,
    attachment_extension,
    attachment_paragraphs,
    docx_paragraphs,
    find_attachment_links,
    pdf_paragraphs,
    sniff_kind,
)
from extract.encoding import decode_html
from extract.errors import LoadError, NotAnArticle
from extract.fields import Evidence, choose_published, choose_publisher, not_a_title, url_date
from extract.furniture import is_chrome_line
from extract.html_extract import BodyChoice, Line, PageParseError, PageView, build_view, choose_body
from extract.labels import LABEL_FIELDS, field_values, is_label_line, label_pairs
from extract.metadata import (
    clean_line,
    find_signoff_date,
    infer_doc_type,
    normalize_doc_number,
    normalize_publisher,
    parse_date,
    report_year,
)
from extract.regions import resolve_region
from indexer.document import Attachment, Document, make_id

__all__ = ["MAX_HTML_BYTES", "MAX_INPUT_BYTES", "CleanResult", "clean_bytes", "clean_file", "load_document_file"]

MAX_INPUT_BYTES = 50 * 1024 * 1024  # PDFs of scanned reports reach tens of MB; beyond this, refuse
MAX_HTML_BYTES = 16 * 1024 * 1024  # a real article page is well under 2 MB
#: Tags in one page. Article pages have a few thousand; 200,000 one-character <p> or links
#: would take the line-based extraction 10+ seconds, so such a page is refused outright.
MAX_HTML_TAGS = 60_000
MAX_ATTACHMENTS_FETCHED = 4
# A body this short that mentions 附件, or shorter still next to attachment links, only points
# at the attachment (research note: "under ~200 characters containing 详见附件 or 附件：").
POINTER_MAX_CHARS = 200
POINTER_WORDS = re.compile(r"详见附件|见附件|附件[:：]|附件下载|点击下载|请下载|查看附件|全文见")
MIN_ARTICLE_CHARS = 40

FetchAttachment = Callable[[str], bytes | None]


@dataclass
class CleanResult:
    """What the cleaner made of one input.

    ``kind`` is ``article``, ``attachment-only`` (the page only points at its attachment;
    the attachment's text is the body when it could be fetched), ``not-article`` (column
    list, search page, empty page) or ``error``. ``attachment_links`` are absolute and are
    filled even for not-article pages, so a crawler can follow them.
    """

    document: Document | None
    kind: str
    reason: str | None = None
    attachment_links: list[Attachment] = field(default_factory=list)
    template: str | None = None  # which extractor found the body (hanweb, trs, density…)


def clean_bytes(
    data: bytes,
    *,
    url: str | None = None,
    headers: Mapping[str, str] | None = None,
    fetch_attachment: FetchAttachment | None = None,
) -> CleanResult:
    """Clean one fetched page or file. Never raises; see :class:`CleanResult`."""
    source = url or f"bytes:sha256:{hashlib.sha256(data or b'').hexdigest()[:16]}"
    return _clean_safely(data, url=url, source=source, base=url, headers=headers,
                         fetch_attachment=fetch_attachment, file_name=url)


def load_document_file(path: str | Path) -> Document:
    """Load a local HTML/PDF/DOCX file, or raise LoadError / NotAnArticle with a one-line reason.

    Relative attachment links resolve against the file's folder, and attachments saved
    next to the page are read from there when the page body only points at them.
    """
    result = clean_file(path)
    if result.document is not None:
        return result.document
    if result.kind == "not-article":
        raise NotAnArticle(result.reason or "不是文章页面")
    raise LoadError(result.reason or "无法提取正文")


def clean_file(path: str | Path, url: str | None = None) -> CleanResult:
    """Clean a local file; ``url`` is where it was fetched from, when known. Never raises.

    Attachments are read only from the file's own folder: relative links resolve there, and
    with ``url`` an absolute link is looked up by its file name (saved pages keep their
    attachments next to them).
    """
    path = Path(path).resolve()
    try:
        size = path.stat().st_size
        if size > MAX_INPUT_BYTES:
            return CleanResult(None, "error",
                               f"文件过大（{size / 1048576:.1f} MB，上限 {MAX_INPUT_BYTES // 1048576} MB）")
        data = path.read_bytes()
    except OSError as exc:
        return CleanResult(None, "error", f"无法读取文件 {path.name}：{exc.strerror or exc}")
    folder = path.parent

    def fetch_local(href: str) -> bytes | None:
        target = _local_path(href)
        if target is None and url is not None:
            name = Path(unquote(urlsplit(href).path)).name
            target = folder / name if name else None
        if target is None:
            return None
        try:
            target = target.resolve()
            if folder not in target.parents or not target.is_file():
                return None  # never read outside the page's own folder
            if target.stat().st_size > MAX_INPUT_BYTES:
                return None
            return target.read_bytes()
        except OSError:
            return None

    base = url or folder.as_uri() + "/"
    return _clean_safely(data, url=url, source=url or str(path), base=base, headers=None,
                         fetch_attachment=fetch_local, file_name=url or path.name)


def _local_path(href: str) -> Path | None:
    parts = urlsplit(href)
    if parts.scheme != "file":
        return None
    return Path(unquote(parts.path))


def _clean_safely(data: bytes, **kwargs) -> CleanResult:
    try:
        return _clean(data, **kwargs)
    except (LoadError, PageParseError, AttachmentError) as exc:
        return CleanResult(None, "error", _one_line(str(exc)))
    except RecursionError:
        return CleanResult(None, "error", "页面结构嵌套过深，无法解析")
    except MemoryError:
        return CleanResult(None, "error", "页面过大，内存不足")
    except Exception as exc:  # the contract is "never raises"
        return CleanResult(None, "error", _one_line(f"提取失败：{type(exc).__name__}: {exc}"))


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text[:300]


def _header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    for key, value in headers.items():
        if isinstance(key, bytes):  # Scrapy-style headers
            key = key.decode("latin-1")
        if isinstance(value, list | tuple):
            value = value[0] if value else None
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if key.lower() == name:
            return value
    return None


def _clean(data: bytes, *, url: str | None, source: str, base: str | None,
           headers: Mapping[str, str] | None, fetch_attachment: FetchAttachment | None,
           file_name: str | None) -> CleanResult:
    if data is None or not data.strip():
        return CleanResult(None, "not-article", "文件为空")
    if len(data) > MAX_INPUT_BYTES:
        raise LoadError(f"文件过大（{len(data) / 1048576:.1f} MB，上限 {MAX_INPUT_BYTES // 1048576} MB）")
    content_type = _header(headers, "content-type")
    kind = sniff_kind(data, content_type, file_name)
    if kind in ("pdf", "docx"):
        return _clean_file(data, kind, url=url, source=source, file_name=file_name)
    if kind == "other":
        raise LoadError("不支持的文件格式（只支持 HTML、PDF、DOCX）")
    if len(data) > MAX_HTML_BYTES:
        raise LoadError(f"网页过大（{len(data) / 1048576:.1f} MB，上限 {MAX_HTML_BYTES // 1048576} MB）")
    if _looks_binary(data):
        raise LoadError("不是网页：内容是二进制数据")
    text, encoding = decode_html(data, content_type)
    return _clean_html(text, encoding, url=url, source=source, base=base,
                       fetch_attachment=fetch_attachment)


def _looks_binary(data: bytes) -> bool:
    """NUL bytes or mostly control bytes in the head: not a page in any encoding we read."""
    head = data[:4096]
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) * 0.05


# --------------------------------------------------------------------------- PDF / DOCX


_SIGNATURE = re.compile(r"(?:人民政府|政府|委员会|办公室|办公厅|局|厅|委|院|中心|司法所|管委会|街道办事处|领导小组)$")


def _clean_file(data: bytes, kind: str, *, url: str | None, source: str,
                file_name: str | None) -> CleanResult:
    paragraphs = pdf_paragraphs(data) if kind == "pdf" else docx_paragraphs(data)
    paragraphs = [p for p in paragraphs if not is_chrome_line(p)]
    if not paragraphs:
        reason = "PDF 中没有可提取的文字（可能是扫描件）" if kind == "pdf" else "DOCX 中没有文字"
        return CleanResult(None, "not-article", reason, template=kind)
    title, doc_number, body = _title_from_leading_lines(paragraphs)
    if not title:
        stem = Path(unquote(urlsplit(file_name or source).path)).stem
        title = stem or "（无标题）"
    written = find_signoff_date(body)
    publisher = _signature_publisher(body)
    doc = Document(
        id=make_id(source), title=title, source=source, paragraphs=body,
        publisher=publisher, published=url_date(url), written=written, doc_number=doc_number,
        doc_type=infer_doc_type(title), year=report_year(title),
        region=resolve_region(publisher, title, context="\n".join(body)[:5000]),
    )
    return CleanResult(doc, "article", None, template=kind)


def _title_from_leading_lines(paragraphs: list[str]) -> tuple[str | None, str | None, list[str]]:
    """Title (up to three short leading lines) and 文号 of a file without page metadata."""
    title_parts: list[str] = []
    doc_number = None
    index = 0
    while index < len(paragraphs) and index < 5:
        line = clean_line(paragraphs[index])
        number = normalize_doc_number(line) if len(line) <= 30 else None
        if number and not title_parts:
            doc_number = number
            index += 1
            continue
        ends_sentence = re.search(r"[。；：:，,]$", line)
        if len(line) > 40 or ends_sentence or (parse_date(line) and len(line) <= 16):
            break
        if title_parts and not re.search(r"关于|报告|总结|意见|情况|方案|通知|要点", line + title_parts[-1]):
            break
        title_parts.append(line)
        index += 1
        if len(title_parts) == 3:
            break
    if not title_parts:
        return None, doc_number, paragraphs
    return "".join(title_parts), doc_number, paragraphs[index:]


def _signature_publisher(paragraphs: list[str]) -> str | None:
    """The signing body: a short line just above the sign-off date at the end."""
    tail = [clean_line(p) for p in paragraphs[-4:]]
    for i in range(len(tail) - 1, -1, -1):
        line = tail[i]
        if parse_date(line) and len(line) <= 20 and i > 0:
            candidate = tail[i - 1]
            if len(candidate) <= 30 and _SIGNATURE.search(candidate):
                return normalize_publisher(candidate)
    return None


# --------------------------------------------------------------------------- HTML


_SEARCH_PAGE = re.compile(r"jrobot|/was5?/|/search|/so/|搜索|检索", re.IGNORECASE)
_SITE_ID_IN_TEXT = re.compile(r"网站标识码\s*[:：]?\s*((?:bm)?[0-9A-Za-z]{10})")
_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|\s-\s|－|--|——\s)\s*")
_SITEISH = re.compile(r"(?:网站|门户网|政府网|信息网|在线|官网|首页|信息公开|公开目录)$")
_META_PUBLISHED = ("pubdate", "publishdate", "firstpublishedtime", "articlepubdate",
                   "article:published_time", "dc.date")


def _compact(text: str) -> str:
    return re.sub(r"[\s\u3000\u00a0]+", "", text or "")


def _clean_html(text: str, encoding: str, *, url: str | None, source: str, base: str | None,
                fetch_attachment: FetchAttachment | None) -> CleanResult:
    tags = text.count("<")
    if tags > MAX_HTML_TAGS:
        return CleanResult(None, "error", f"网页结构过于复杂（约 {tags:,} 个标签，上限 {MAX_HTML_TAGS:,}），不像文章页")
    view = build_view(text)
    page_base = urljoin(base, view.base_href) if base and view.base_href else base
    attachments = find_attachment_links(view.root, page_base)
    body = choose_body(view, lambda line: is_label_line(line))

    fields = _page_fields(view, body)
    title = _choose_title(view, fields, body.container)
    if title and not_a_title(title) not in (None, "an organisation or site name", "column name"):
        title = None  # a date widget, a 文号 or an addressee is never shown as the title
    doc_number = _first_valid(fields, "doc_number", normalize_doc_number)
    paragraphs = body_paragraphs(body.lines, title, doc_number)
    if doc_number is None:
        # A 文号 line at the top of the body (江开〔2017〕53号, centred under the title).
        for paragraph in paragraphs[:3]:
            number = normalize_doc_number(paragraph) if len(paragraph) <= 30 else None
            if number:
                doc_number = number
                paragraphs = _drop_leading_repeats(paragraphs, title, doc_number)
                break

    content_chars = sum(len(p) for p in paragraphs)
    if paragraphs and not _readable("".join(paragraphs)):
        return CleanResult(None, "not-article", "正文不是可读的中文文本（编码错误或乱码）", _local_display(attachments),
                           body.template)
    link_lines = sum(1 for line in body.lines if line.link_ratio > 0.5 and line.size >= 4)
    files = _local_display(attachments)
    if not paragraphs and not attachments:
        return CleanResult(None, "not-article", "页面没有正文", files, body.template)
    pointer = bool(attachments) and content_chars < POINTER_MAX_CHARS and (
        bool(POINTER_WORDS.search("".join(paragraphs))) or content_chars < MIN_ARTICLE_CHARS * 2)
    if not pointer:
        if link_lines >= 6 and link_lines >= len(paragraphs):
            return CleanResult(None, "not-article", "栏目列表页，不是文章", files, body.template)
        # Search results and lists with abstracts: many whole-line title links, little text each.
        title_links = sum(1 for line in body.lines if line.link_ratio > 0.8 and line.size >= 8)
        if title_links >= 5 and content_chars < 150 * title_links:
            return CleanResult(None, "not-article", "列表或搜索结果页，不是文章", files, body.template)
        search_page = (_SEARCH_PAGE.search(urlsplit(url or "").path)
                       or _SEARCH_PAGE.search(view.head_title or ""))
        if search_page and title_links >= 3:
            return CleanResult(None, "not-article", "搜索结果页，不是文章", files, body.template)
        if content_chars < MIN_ARTICLE_CHARS and not POINTER_WORDS.search("".join(paragraphs)):
            page_links = sum(1 for line in view.lines if line.link_ratio > 0.5 and line.size >= 12)
            reason = "栏目或列表页，不是文章" if page_links >= 6 else "页面没有正文内容"
            return CleanResult(None, "not-article", reason, files, body.template)

    kind = "attachment-only" if pointer or (
        content_chars < POINTER_MAX_CHARS and POINTER_WORDS.search("".join(paragraphs))) else "article"
    reason = None
    if kind == "attachment-only":
        from_attachment = _attachment_body(attachments, fetch_attachment)
        if from_attachment:
            # Keep what the page says besides the pointer (a covering notice), then the file.
            own = [p for p in paragraphs if not POINTER_WORDS.search(p)]
            paragraphs = own + _drop_leading_repeats(from_attachment, title, doc_number)
        else:
            reason = "正文只指向附件，附件文字未能读取"
        files = _local_display(attachments)  # now with the text that was read

    meta = view.meta
    site_name = meta.get("sitename")
    evidence = Evidence(labelled={name: [v for _label, v in values] for name, values in fields.items()
                                  if name != "extra_pairs"},
                        body=paragraphs, url=url)
    signature = [name] if (name := _signature_publisher(paragraphs)) else []
    publisher = choose_publisher(evidence, signature, meta=[meta.get("contentsource")])
    published = choose_published(evidence, meta=[meta.get(k) for k in _META_PUBLISHED])
    written = _first_valid(fields, "written", parse_date) or find_signoff_date(paragraphs)
    index_no = _first_valid(fields, "index_no", _clean_index_no)
    # Templates are copied between sites with their <meta> tags (a Chongqing site carrying
    # SiteName=齐齐哈尔): the 网站标识码 printed in the footer wins over the meta tag, and a
    # SiteName that the page never shows is not used for the region.
    site_id = _site_id_from_text(view) or meta.get("siteidcode")
    if site_name and _compact(site_name) not in _page_text(view):
        site_name = None
    if site_id and not site_id.strip().isdigit():
        site_id = None  # central bodies use bm… codes: no GB/T 2260 prefix to read
    region = resolve_region(publisher, title, site_name, site_id_code=site_id,
                            context="\n".join(paragraphs)[:5000])
    extra = {label: value for label, value in fields.get("extra_pairs", []) if value}
    doc = Document(
        id=make_id(source), title=title, source=source, paragraphs=paragraphs,
        publisher=publisher, published=published, written=written, doc_number=doc_number,
        index_no=index_no, doc_type=infer_doc_type(title), year=report_year(title), region=region,
        attachments=files, encoding=encoding, extra=extra,
    )
    return CleanResult(doc, kind, reason, files, body.template)


_HAN = re.compile(r"[\u3400-\u9fff]")
_PLAIN = re.compile(
    r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffefA-Za-z0-9\s.,;:!?()%/+=<>\[\]\-"
    r"\u2018\u2019\u201c\u201d\u2014\u2026\u00b7\u00d7\u2460-\u249b\u2160-\u216b]"
)


def _readable(text: str) -> bool:
    """Mojibake and junk (ⅴⅴⅴ…, box drawing, Hangul from a wrong codec) are not a body."""
    sample = text[:5000]
    if len(set(sample)) <= 3:
        return False
    plain = len(_PLAIN.findall(sample))
    return plain >= 0.8 * len(sample) and bool(_HAN.search(sample) or len(sample) < 200)


def _local_display(attachments: list[Attachment]) -> list[Attachment]:
    """file:// links of local pages become plain absolute paths, which users can open."""
    out = []
    for att in attachments:
        path = _local_path(att.href)
        out.append(Attachment(att.name, str(path) if path else att.href, att.text))
    return out


def _attachment_body(attachments: list[Attachment],
                     fetch_attachment: FetchAttachment | None) -> list[str]:
    """Paragraphs of the page's first readable attachment (PDF, DOCX), in link order."""
    if fetch_attachment is None:
        return []
    paragraphs: list[str] = []
    fetched = 0
    for att in attachments:
        if attachment_extension(att.href, att.name) not in TEXT_EXTENSIONS:
            continue
        if fetched >= MAX_ATTACHMENTS_FETCHED:
            break
        fetched += 1
        href = att.href if "://" in att.href else Path(att.href).as_uri()
        try:
            data = fetch_attachment(href)
        except Exception:  # a failing fetch only means "no text"
            data = None
        if not data or len(data) > MAX_INPUT_BYTES:
            continue
        try:
            text = attachment_paragraphs(data, att.href)
        except AttachmentError:
            continue
        text = [p for p in text if not is_chrome_line(p)]
        if text:
            att.text = "\n".join(text)
            # Sites often offer one report as both PDF and Word: the first readable file
            # is the body, the others stay listed (with their text) as attachments.
            return text
    return paragraphs


def _page_fields(view: PageView, body: BodyChoice) -> dict[str, list[tuple[str, str]]]:
    """信息公开 and byline values by field; values outside the body come first."""
    inside = {id(line) for line in body.lines}
    outside = [line.raw for line in view.lines if id(line) not in inside]
    # Inside the body a label block sits at the top or the bottom; long prose lines never
    # hold one. Bounding the scan keeps a 10 MB page linear instead of label-regex bound.
    edges = body.lines if len(body.lines) <= 60 else body.lines[:30] + body.lines[-30:]
    within = [line.raw for line in edges]
    pairs = label_pairs(_short(outside)) + label_pairs(_short(within))
    grouped = field_values(pairs)
    grouped["extra_pairs"] = [(label, value) for label, value in pairs
                              if LABEL_FIELDS[label] == "extra"]
    return grouped


def _short(lines: list[str], limit: int = 400) -> list[str]:
    return [line if len(line) <= limit else "" for line in lines]


def _first_valid(fields: dict[str, list[tuple[str, str]]], name: str, convert):
    for _label, value in fields.get(name, []):
        if value:
            converted = convert(value)
            if converted:
                return converted
    return None


def _clean_index_no(value: str) -> str | None:
    value = _compact(value)
    if not value or value in ("无", "暂无", "-", "/") or len(value) > 60:
        return None
    return value


def _page_text(view: PageView) -> str:
    """All visible text without spaces (cached on the view), plus image alt texts (logos)."""
    if view.compact_text is None:
        alts = "".join(img.get("alt") or "" for img in view.root.iter("img"))
        view.compact_text = _compact("".join(line.text for line in view.lines) + alts)
    return view.compact_text


def _site_id_from_text(view: PageView) -> str | None:
    for line in reversed(view.lines[-60:]):
        match = _SITE_ID_IN_TEXT.search(line.raw)
        if match:
            return match.group(1)
    return None


def _choose_title(view: PageView, fields: dict[str, list[tuple[str, str]]],
                  container: etree._Element | None) -> str | None:
    """ArticleTitle meta, else the 信息公开 标题, else the visible heading matching <title>."""
    meta_title = view.meta.get("articletitle")
    if (meta_title and not _is_siteish(meta_title, view)
            and _compact(meta_title) in _compact(view.head_title or "") + _page_text(view)):
        return meta_title  # only when the page shows it too: a stale copied tag is not the title
    for _label, value in fields.get("title", []):
        if value and len(value) >= 4 and not _is_siteish(value, view):
            return value
    head_parts = [p for p in _TITLE_SEPARATORS.split(_strip_site_suffix(view.head_title or "", view)) if p]
    head_candidates = [p for p in head_parts if not _is_siteish(p, view)]
    head_title = head_candidates[0] if head_candidates else None
    # Section headings inside the body (一、…) are never the title.
    outside = [(el, text) for el, text in view.headings + _title_class_texts(view)
               if container is None or not _within(el, container)]
    headings = [h for _el, h in outside
                if 4 <= len(h) <= 150 and not _is_siteish(h, view) and not is_chrome_line(h)]
    if head_title:
        key = _compact(head_title)
        truncated = key.rstrip(".…")
        for heading in headings:
            hk = _compact(heading)
            if hk == key:
                return heading
            if truncated != key and len(truncated) >= 8 and hk.startswith(truncated):
                return heading  # <title> cut short with an ellipsis: the heading is whole
        return head_title
    if headings:
        return max(headings, key=len)
    return None


def _within(el: etree._Element, container: etree._Element) -> bool:
    return el is container or any(a is container for a in el.iterancestors())


_TAIL_SEGMENT = re.compile(r"[-－—–]+\s*([^-－—–_|｜]{2,24})$")
_SITE_NAME_ENDINGS = re.compile(r"(?:人民政府|政府|网站|门户网|政府网|信息网|司法局|局|委员会|办公室|办公厅|厅)$")


def _strip_site_suffix(head_title: str, view: PageView) -> str:
    """``报告-北京市朝阳区人民政府`` → ``报告``: a dash-joined site name is not part of the title."""
    names = {_compact(view.meta.get(k, "")) for k in ("sitename", "columnname")} - {""}
    match = _TAIL_SEGMENT.search(head_title)
    if match:
        tail = _compact(match.group(1))
        if tail in names or _SITE_NAME_ENDINGS.search(tail):
            return head_title[: match.start()].rstrip()
    return head_title


def _title_class_texts(view: PageView) -> list[tuple[etree._Element, str]]:
    from extract.html_extract import normalize_space

    texts = []
    for el in view.root.xpath('//*[contains(@class, "title") or contains(@id, "title")]')[:40]:
        if el.tag in ("head", "title", "html", "body"):
            continue
        text = normalize_space(el.text_content())
        if text:
            texts.append((el, text))
    return texts


def _is_siteish(text: str, view: PageView) -> bool:
    """The site's or column's name (a logo or a breadcrumb end) rather than an article title."""
    key = _compact(text)
    names = {_compact(view.meta.get(k, "")) for k in ("sitename", "columnname")} - {""}
    if key in names:
        return True
    return bool(_SITEISH.search(key)) and len(key) <= 16


# --------------------------------------------------------------------------- body lines

_ATTACHMENT_LISTING = re.compile(r"^附件\s*\d*\s*[:：.、]?\s*$")
# WeChat-editor reposts and CMS toolbars add their own calls to action; short lines only.
_REPOST_CHROME = re.compile(
    r"^(?:长按(?:识别|扫描|扫码)?(?:图中)?二维码|识别二维码|扫码关注|点击(?:上方|下方)?.{0,8}(?:关注|阅读原文)|"
    r"阅读原文|(?:发表评论|我要评论|挑错|推荐给好友|收藏本文)|往期回顾|推荐阅读|"
    r"-{3,}|—{3,}|分隔线)"
)
_GENERIC_DATE_LABELS = ("日期", "时间")


def body_paragraphs(lines: list[Line], title: str | None, doc_number: str | None) -> list[str]:
    """The reader's paragraphs of the body container, chrome and repeats removed."""
    out: list[str] = []
    for line in lines:
        text = clean_line(line.text.replace("\t", " "))
        if not text or is_chrome_line(text) or _ATTACHMENT_LISTING.match(text):
            continue
        if len(text) <= 60 and _REPOST_CHROME.match(text):
            continue
        if line.link_chars and line.link_ratio > 0.5:
            continue  # navigation, related links, previous/next, attachment file names
        if _is_metadata_row(line):
            continue
        out.append(text)
    return _drop_leading_repeats(out, title, doc_number)


def _is_metadata_row(line: Line) -> bool:
    if not is_label_line(line.raw) or line.size > 120:
        return False
    pairs = label_pairs([line.raw])
    if not pairs:
        return False
    if len(pairs) == 1 and pairs[0][0] in _GENERIC_DATE_LABELS:
        return bool(parse_date(pairs[0][1])) and line.size <= 30
    return True


def _drop_leading_repeats(paragraphs: list[str], title: str | None,
                          doc_number: str | None) -> list[str]:
    """A title (possibly over two lines) or 文号 repeated at the top is not a paragraph."""
    title_key = _compact(title or "")
    number_key = _compact(doc_number or "")
    start = 0
    consumed = ""
    for i, paragraph in enumerate(paragraphs[:4]):
        key = _compact(paragraph)
        if not key:
            start = i + 1
            continue
        if number_key and key == number_key:
            start = i + 1
            continue
        if title_key and (key == title_key or (title_key.startswith(consumed + key) and len(key) >= 4)):
            consumed += key
            start = i + 1
            if consumed == title_key:
                consumed = ""
            continue
        break
    if consumed:  # a partial title match was the start of the body after all
        return paragraphs
    return paragraphs[start:]
