"""Government HTML page → body paragraphs, 信息公开 fields and title candidates.

The page is parsed once with lxml (no network, no huge trees, comments and scripts never
reach the text), then turned into *lines* the way a reader sees them: block elements,
``<br>`` and layout-table cells break lines; inline runs (``<span>``, ``<a>``, ``<font>``)
join. Each line remembers its block element, how much of it is link text, and whether it
is table data, so that both the body choice (template container, else the element whose
lines score best) and the label/value parsing of the 信息公开 block work on the same view.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import lxml.html
from lxml import etree

from extract.furniture import is_chrome_line
from extract.templates import TEMPLATES, fingerprint, marked_body

# Elements whose content is never reader-visible text.
_INVISIBLE = {
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
    "select", "option", "button", "input", "textarea", "map", "audio", "video", "head", "title",
    "meta", "link",
}
_BLOCK = {
    "p", "div", "section", "article", "main", "header", "footer", "nav", "aside", "h1", "h2",
    "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table", "tbody", "thead",
    "tfoot", "tr", "caption", "blockquote", "pre", "center", "form", "fieldset", "address",
    "figure", "figcaption", "hr", "body", "html", "legend",
}
_CELLS = {"td", "th"}
_MAX_DEPTH = 400
_MAX_ELEMENTS = 400_000

_WS = re.compile(r"[ \t\r\n\f\v\u00a0\u2002\u2003\u2009\u200b\u200c\u200d\ufeff\u3000]+")
_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef\u2e80-\u2fdf\u2010-\u2027\u00b7"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}]) (?=[{_CJK}])")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CJK_PUNCT = re.compile(r"[，。；：、！？“”（）]")


class PageParseError(Exception):
    """The bytes do not parse as an HTML document (empty, or nothing but junk)."""


@dataclass
class Line:
    """One reader-visible line of the page."""

    text: str
    block: etree._Element  # the innermost block element the line belongs to
    link_chars: int = 0
    cell_row: bool = False  # cells of one table row joined by tabs (label/value layouts)
    raw: str = ""  # the same text with its spaces kept (label boundaries in bylines)

    @property
    def size(self) -> int:
        return len(self.text.replace(" ", "").replace("\t", ""))

    @property
    def link_ratio(self) -> float:
        return self.link_chars / self.size if self.size else 0.0


@dataclass
class PageView:
    """The parsed page: root, head metadata and its lines."""

    root: etree._Element
    meta: dict[str, str]
    head_title: str | None
    lines: list[Line]
    fingerprint: str | None
    marked_lines: list[Line] | None = None  # lines between Hanweb body markers, if any
    base_href: str | None = None
    headings: list[tuple[etree._Element, str]] = field(default_factory=list)
    compact_text: str | None = None  # visible text without spaces, computed on first use


def normalize_space(text: str) -> str:
    """Collapse whitespace the way a browser renders it, but drop it between CJK characters.

    Chinese pages hard-wrap source lines inside paragraphs; a browser shows a space there,
    but no reader means one, and it would split words in search and citations.
    """
    text = unicodedata.normalize("NFC", text)
    text = _WS.sub(" ", text).strip()
    text = _SPACE_BETWEEN_CJK.sub("", text)
    return text


def _parser() -> lxml.html.HTMLParser:
    # no_network: never fetch DTDs; huge_tree off: libxml2's depth and size limits apply.
    return lxml.html.HTMLParser(
        encoding="utf-8", remove_pis=True, no_network=True, huge_tree=False, recover=True,
        default_doctype=False,
    )


def parse_document(html: str) -> etree._Element:
    """Parse a whole page; raises PageParseError when there is no document at all."""
    html = _CONTROL.sub("", html)
    if not html.strip():
        raise PageParseError("页面为空")
    try:
        root = lxml.html.document_fromstring(html.encode("utf-8"), parser=_parser())
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        raise PageParseError(f"无法解析 HTML：{exc}") from None
    if root is None:
        raise PageParseError("页面为空")
    return root


def parse_fragment(html: str) -> etree._Element:
    """Parse a body fragment (between Hanweb markers) into one wrapper element."""
    html = _CONTROL.sub("", html)
    return lxml.html.fragment_fromstring(html.encode("utf-8"), create_parent="div",
                                         parser=_parser())


def _is_hidden(el: etree._Element) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _cell_is_layout(cell: etree._Element) -> bool:
    """A table cell that holds blocks or <br> lines is layout, not a data cell."""
    for child in cell.iterdescendants():
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag in _BLOCK or tag == "br" or tag in _CELLS:
            return True
    return False


class _Linearizer:
    """Walks the tree once, emitting lines (depth- and size-capped for hostile pages)."""

    def __init__(self) -> None:
        self.lines: list[Line] = []
        self._parts: list[str] = []
        self._has_text = False
        self._link_chars = 0
        self._block: etree._Element | None = None
        self._cells = False
        self._count = 0

    def flush(self) -> None:
        text = "".join(self._parts)
        if self._cells:
            raw_cells = [_WS.sub(" ", c).strip() for c in text.split("\t")]
            raw = "\t".join(c for c in raw_cells if c)
            text = "\t".join(normalize_space(c) for c in raw_cells if c)
        else:
            raw = _WS.sub(" ", text).strip()
            text = normalize_space(text)
        if text and self._block is not None:
            self.lines.append(Line(text, self._block, self._link_chars, self._cells, raw))
        self._parts = []
        self._has_text = False
        self._link_chars = 0
        self._cells = False

    def add_text(self, text: str | None, in_link: bool, block: etree._Element) -> None:
        if not text:
            return
        if not self._has_text:
            self._block = block
        if not self._has_text and text.strip():
            self._has_text = True
        self._parts.append(text)
        if in_link:
            self._link_chars += len(_WS.sub("", text))

    def walk(self, el: etree._Element, block: etree._Element, in_link: bool = False,
             depth: int = 0) -> None:
        self._count += 1
        if depth > _MAX_DEPTH or self._count > _MAX_ELEMENTS:
            return
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if tag is None or tag in _INVISIBLE or _is_hidden(el):
            return  # comments, processing instructions, scripts, hidden elements
        if tag == "br":
            self.flush()
            return
        is_cell = tag in _CELLS
        is_block = tag in _BLOCK or (is_cell and _cell_is_layout(el))
        if is_block:
            self.flush()
            block = el
        elif is_cell:
            # A data cell: same line as the rest of its row, separated by a tab.
            self._parts.append("\t")
            self._cells = True
        link = in_link or tag == "a"
        self.add_text(el.text, link, block)
        for child in el:
            self.walk(child, block, link, depth + 1)
            self.add_text(child.tail, link, block)
        if is_block:
            self.flush()
        elif is_cell:
            self._parts.append("\t")


def linearize(root: etree._Element) -> list[Line]:
    """The reader-visible lines under ``root`` in reading order."""
    lin = _Linearizer()
    lin.walk(root, root)
    lin.flush()
    return lin.lines


def _head_meta(root: etree._Element) -> tuple[dict[str, str], str | None, str | None]:
    meta: dict[str, str] = {}
    for el in root.iter("meta"):
        name = el.get("name") or el.get("property") or el.get("http-equiv")
        content = el.get("content")
        if name and content and name.lower() not in meta:
            meta[name.strip().lower()] = normalize_space(content)
    title_el = root.find(".//title")
    head_title = normalize_space(title_el.text_content()) if title_el is not None else None
    base = root.find(".//base")
    base_href = base.get("href") if base is not None else None
    return meta, head_title or None, base_href


def build_view(html: str) -> PageView:
    """Parse the page and compute everything later stages read."""
    root = parse_document(html)
    meta, head_title, base_href = _head_meta(root)
    body = root.find("body")
    lines = linearize(body if body is not None else root)
    marked = marked_body(html)
    marked_lines = None
    if marked is not None and marked.strip():
        try:
            marked_lines = linearize(parse_fragment(marked))
        except (etree.ParserError, etree.XMLSyntaxError, ValueError):
            marked_lines = None
    headings = []
    for el in root.iter("h1", "h2", "h3", "h4"):
        if _is_hidden(el):
            continue
        text = normalize_space(el.text_content())
        if text:
            headings.append((el, text))
    return PageView(root, meta, head_title, lines, fingerprint(html), marked_lines, base_href, headings)


# --------------------------------------------------------------------------- body choice


@dataclass
class BodyChoice:
    template: str  # hanweb, trs, …, "density", or "none"
    lines: list[Line]
    container: etree._Element | None


def _text_size(lines: Iterable[Line]) -> int:
    return sum(line.size for line in lines)


def _lines_under(view: PageView, container: etree._Element) -> list[Line]:
    inside = set(container.iter())
    return [line for line in view.lines if line.block in inside]


def _content_weight(line: Line, label_line: bool) -> float:
    """How much a line looks like article text (positive) or chrome (negative)."""
    size = line.size
    if not size:
        return 0.0
    if label_line or is_chrome_line(line.text) or line.link_ratio > 0.5:
        return -max(float(size), 8.0)
    punct = len(_CJK_PUNCT.findall(line.text))
    if punct or size >= 40:
        return float(size) + 5.0 * punct
    return 0.3 * size


def choose_body(view: PageView, is_label_line) -> BodyChoice:
    """The article body: Hanweb markers, else a known template container, else text density."""
    if view.marked_lines and _text_size(view.marked_lines) >= 2:
        return BodyChoice("hanweb", view.marked_lines, None)
    for template in TEMPLATES:
        for xpath in template.containers:
            try:
                found = view.root.xpath(xpath)
            except etree.XPathError:
                continue
            candidates = [el for el in found if isinstance(el.tag, str) and not _is_hidden(el)]
            if not candidates:
                continue
            # Nested wrappers of one class: the outermost holds all the text.
            best = max(candidates, key=lambda el: len(el.text_content()))
            lines = _lines_under(view, best)
            if _text_size(lines) >= 2 or best.find(".//a") is not None:
                return _unless_decoy(BodyChoice(template.name, lines, best), view, is_label_line)
    return _density_body(view, is_label_line)


def _unless_decoy(choice: BodyChoice, view: PageView, is_label_line) -> BodyChoice:
    """A template id reused for a toolbar (an empty ``#zoom`` beside the real body) loses to
    text density when density finds real prose elsewhere; a short pointer body stays."""
    size = _text_size(choice.lines)
    if size >= 60:
        return choice
    dense = _density_body(view, is_label_line)
    if dense.container is not None and _text_size(dense.lines) >= 200 and not (
            choice.container is not None and _is_inside(dense.container, choice.container)):
        return dense
    return choice


def _is_inside(el: etree._Element, container: etree._Element) -> bool:
    return el is container or any(a is container for a in el.iterancestors())


def _density_body(view: PageView, is_label_line) -> BodyChoice:
    """The element whose lines add up to the most article-like text, chrome subtracted.

    Every line votes for each of its ancestors; chrome, link lists and label rows vote
    against. The best element is the smallest one holding the prose but not the chrome
    around it, which is what a template container would have been.
    """
    if not view.lines:
        return BodyChoice("none", [], None)
    scores: dict[etree._Element, float] = {}
    for line in view.lines:
        weight = _content_weight(line, is_label_line(line.text))
        if weight == 0.0:
            continue
        el = line.block
        depth = 0
        while el is not None and depth < _MAX_DEPTH:
            scores[el] = scores.get(el, 0.0) + weight
            el = el.getparent()
            depth += 1
    if not scores:
        return BodyChoice("none", [], None)
    best_score = max(scores.values())
    if best_score <= 0:
        return BodyChoice("none", [], None)
    # Among near-best elements prefer the deepest (smallest) one: the prose container
    # rather than the page wrapper that merely adds zero-weight lines.
    near = [el for el, score in scores.items() if score >= best_score * 0.98]
    best = max(near, key=lambda el: sum(1 for _ in el.iterancestors()))
    return BodyChoice("density", _lines_under(view, best), best)
