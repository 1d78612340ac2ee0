"""Import plain-text dumps of government pages (as in ``seeds/``) into Documents.

A dump is what a browser's "save as text" or a scraper's text extraction left behind: the
信息公开 metadata (as ``label: value`` lines or as ``|``-separated table rows, labels
sometimes spaced out as ``索 引 号``), the title, page chrome (breadcrumbs, 打印 关闭,
扫一扫…), the body, the signature and sign-off date, and page garbage after the chrome
tail. The importer keeps the metadata and the body and drops only what is known furniture;
the fields are decided in :mod:`extract.fields`.

Decisions worth knowing (see also docs in the tests):

* A furniture line (扫一扫在手机打开当前页, 打印 关闭, 上一篇…) is dropped on its own and never
  ends the body: a sentence after it is kept. Only short link-like lines after a tail mark
  (上一篇, 相关链接) are dropped with it.
* A line broken in the middle of a sentence (it ends in ，/、 or a bare character although
  it already holds a full stop) is joined with the next line, so that a cited passage is
  one sentence, not two halves. Headings never end that way and are never joined.
* A 文号 line just under the title is taken out of the body. If it is mangled
  (``江开〔201753``: bracket never closed, no 号) it does not become ``doc_number``; the raw
  text is kept in ``extra["文号原文"]`` so that nothing is lost and nothing is invented.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from extract.clean import CleanResult
from extract.errors import LoadError
from extract.fields import (
    NUMBERED_HEADING,
    Evidence,
    _simplified,
    choose_published,
    choose_publisher,
    choose_region,
    choose_title,
    choose_written,
    choose_year,
)
from extract.furniture import is_chrome_line, is_furniture
from extract.labels import LABEL_FIELDS, field_values, is_label_line, label_pairs, spaced_row_pairs
from extract.metadata import (
    clean_line,
    find_signoff_date,
    infer_doc_type,
    normalize_doc_number,
    parse_date,
)
from indexer.document import Document, make_id

__all__ = ["MAX_BYTES", "load_text_dump", "parse_text_dump", "text_dump_result"]

MAX_BYTES = 50 * 1024 * 1024

# A 文号 line under the title: 机关代字 then an opening bracket and a year.
# Nothing but digits, brackets, 第 and 号 may follow the year: 报告（2019年度） is a subtitle.
_DOC_NUMBER_LINE = re.compile(
    r"^[\u4e00-\u9fffA-Za-z]{1,12}\s*[〔\[［【(（﹝]\s*(?:19|20)\d{2}[\d〕\]］】)）﹞\s第号]*$"
)
_BREADCRUMB_SPLIT = re.compile(r"\s*(?:>>?|＞|»|›|→)\s*")
_SENTENCE_PUNCT = re.compile(r"[。；！？]")
_PROSE_PUNCT = re.compile(r"[。；！？，,、]")
# A byline that starts with the date: ``2023-03-31 17:05:00 来源: 海口市司法局 打印``.
_DATE_LED_BYLINE = re.compile(
    r"^(?P<date>(?:19|20)\d{2}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?)"
    r"\s+(?P<rest>\S.*)$"
)
_SIGNATURE_ORG = re.compile(
    r"(?:人民政府|政府|委员会|管委会|办公室|办公厅|司法局|局|厅|委|办|中心|法院|检察院)$"
)
_SIGNATURE_MAX_CHARS = 30
_JOINED_MAX_CHARS = 3_000  # a real paragraph broken in two is never this long
_HEAD_MAX_LINES = 40
_TRADITIONAL_SAMPLE_CHARS = 4_000  # the title and the label block are near the top
_ROW_MAX_CHARS = 200  # a label row is short; a long line that starts with a label is prose
_BANNER_MAX_CHARS = 24  # a site or column banner above the title


def _label_fields(line: str, traditional: bool = False) -> list[tuple[str, str]] | None:
    """(label, value) pairs when ``line`` is a 信息公开 label row or byline, else None.

    One list of labels for every reader (:mod:`extract.labels`); here only the shapes of
    page text are added: ``|`` tables and rows flattened to spaces. On a traditional-character
    page (a Big5 gateway: 發佈日期, 來源) the line is read through t2s first.
    """
    if len(line) > _ROW_MAX_CHARS:
        return None
    if traditional:
        simplified = _simplified(line)
        if simplified != line:
            found = _label_row(simplified)
            if found:
                return [(label, _as_written(value, simplified, line)) for label, value in found]
    return _label_row(line)


def _as_written(value: str, simplified: str, line: str) -> str:
    """The value as the page writes it (寧夏司法廳, not 宁夏司法厅): labels are recognised in
    the t2s reading of a line, but a value is quoted from the line itself."""
    at = simplified.find(value)
    if at < 0 or len(simplified) != len(line):
        return value
    return line[at:at + len(value)]


def _label_row(line: str) -> list[tuple[str, str]] | None:
    if "|" in line or "｜" in line:
        row = _split_table_row(line)
        if row is not None:
            return row
        line = re.sub(r"\s*[|｜]\s*", "\t", line)
    if is_label_line(line):
        return label_pairs([line])
    byline = _DATE_LED_BYLINE.match(line)
    if byline and is_label_line(byline["rest"]):
        return [("日期", byline["date"]), *label_pairs([byline["rest"]])]
    return spaced_row_pairs(line)


# A header line that is only a date and time, or a date beside a short name:
# ``• 2021年03月22日 16时47分``, ``2021-04-12 河北省人民政府网``, ``市司法局 2022年02月15日``.
_DATE = r"(?:19|20)\d{2}\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}\s*日?"
_NAME = r"[^\s，。,；;:：]{1,18}(?:网|网站|政府|局|办|办公室|委|厅|院|中心|报|社|处|科)"
_TIME = r"(?:\s*\d{1,2}\s*[:时]\s*\d{2}\s*分?(?:\s*[:]\s*\d{2}|\s*\d{2}\s*秒)?)?"
_HEADER_DATE_LINE = re.compile(
    rf"^[•·\s]*(?:(?P<pre>{_NAME})\s+)?(?P<date>{_DATE}){_TIME}\s*(?P<post>{_NAME})?$"
)


def _header_date(line: str) -> str | None:
    """The date of a header date line (see above); None for anything else.

    Only above the body: after it a bare date is the sign-off, which is content.
    """
    match = _HEADER_DATE_LINE.match(line)
    if not match or (match["pre"] and match["post"]):
        return None
    has_time = match.end("date") < len(line.rstrip()) and not match["post"]
    if not (match["pre"] or match["post"] or has_time or line.lstrip().startswith(("•", "·"))):
        return None  # a bare date alone could be a sign-off: left to the caller's position rule
    return match["date"]


def _is_heading(line: str) -> bool:
    """一、 (一) 1、 1. 第一章 or a 【…】 tag: never joined to the previous line, never a signature."""
    return bool(NUMBERED_HEADING.match(line)) or line.startswith(("【", "["))


def _alone_label(line: str) -> str | None:
    """``标题`` or ``发文机关`` alone on a line: its value is on the next line."""
    key = re.sub(r"[\s:：•·●▪■◆]+", "", line)  # ``  • 索引号:`` too
    return key if key in LABEL_FIELDS and LABEL_FIELDS[key] != "skip" else None


# An 索引号 alone on its line (its label lost by the page's layout): credit code or site
# code, a slash, the year and a serial number.
_BARE_INDEX_NO = re.compile(r"^[0-9A-Z][0-9A-Za-z\-]{5,24}/(?:19|20)\d{2}[-/]?\d{2,10}$")
_BULLETS = re.compile(r"^[\s•·●▪■◆]+")
_BLOCK_VALUE_MAX_CHARS = 24


def _value_block(lines: list[str], kinds: list[str], head_end: int,
                 pairs: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """The 信息公开 block whose labels the page lost (``• 11500224009351624E/2020-00573`` /
    ``• 法制`` / ``• 铜梁区永嘉镇`` / ``• 2020-05-07``): it starts at a bare 索引号 above the
    body and runs over the short value lines below it. Its lines become metadata (kind
    ``label``): the 索引号, 文号 and first date as fields (added to ``pairs``), organisation
    names returned as publisher evidence, and every other value returned to be kept."""
    orgs: list[str] = []
    rest: list[str] = []
    for i in range(head_end):
        if kinds[i] != "content" or not _BARE_INDEX_NO.match(_BULLETS.sub("", lines[i])):
            continue
        pairs.append(("索引号", _BULLETS.sub("", lines[i])))
        kinds[i] = "label"
        dated = False
        for j in range(i + 1, head_end):
            value = _BULLETS.sub("", lines[j]).strip()
            if (kinds[j] != "content" or len(value) > _BLOCK_VALUE_MAX_CHARS
                    or _PROSE_PUNCT.search(value)):
                break
            kinds[j] = "label"
            if parse_date(value) and len(re.sub(r"[\d\s:：.\-/年月日时分]", "", value)) == 0:
                if not dated:
                    pairs.append(("日期", value))
                    dated = True
            elif normalize_doc_number(value):
                pairs.append(("文号", value))
            elif _is_signature(value) or re.search(r"(?:镇|乡|街道)$", value):
                orgs.append(value)
            else:
                rest.append(value)
        break
    return orgs, rest


def _has_value(pairs: list[tuple[str, str]] | None) -> bool:
    """A label row that says something (公开方式：主动公开), not a toolbar word (打印, 字体：)."""
    return any(value and LABEL_FIELDS.get(label) != "skip" for label, value in pairs or ())


def _split_trailing_label(value: str) -> tuple[str, str | None]:
    """``…的通知发文机关`` (a stacked block run together) → (``…的通知``, ``发文机关``)."""
    for label in sorted(LABEL_FIELDS, key=len, reverse=True):
        if len(label) >= 3 and value.endswith(label) and len(value) > len(label) + 2:
            return value[: -len(label)], (label if LABEL_FIELDS[label] != "skip" else None)
    return value, None


def _split_table_row(line: str) -> list[tuple[str, str]] | None:
    """``索 引 号 | 7335…/2022-04584 | 发布日期 | 2022-01-24 |`` → label/value pairs."""
    cells = [clean_line(c) for c in re.split(r"[|｜]", line.strip().strip("|｜"))]
    if all(re.fullmatch(r":?-{2,}:?", c) or not c for c in cells):
        return []  # the markdown separator row
    fields = []
    i = 0
    while i < len(cells):
        label = re.sub(r"[\s:：]+", "", cells[i])
        if label in LABEL_FIELDS and i + 1 < len(cells):
            value = cells[i + 1]
            if re.sub(r"[\s:：]+", "", value) in LABEL_FIELDS:  # 文号: | 发布机构: | …: 文号 is empty
                fields.append((label, ""))
                i += 1
                continue
            fields.append((label, value))
            i += 2
        else:
            i += 1
    return fields or None


def _title_key(text: str) -> str:
    """Comparable form of a title: no bracketed prefixes/suffixes, spaces or punctuation."""
    text = re.sub(r"[【\[(（][^】\])）]{0,6}[】\])）]", "", text)
    return re.sub(r"[\s\W_]+", "", text)


def _ends_mid_sentence(text: str, has_sentence_punct: bool) -> bool:
    if not text:
        return False
    last = text[-1]
    if last in "，,、":
        return True
    is_plain_char = bool(re.match(r"[\u4e00-\u9fff0-9A-Za-z]", last))
    return is_plain_char and has_sentence_punct


def _starts_signoff_block(line: str) -> bool:
    """A signature or date line: never glued to the paragraph above it."""
    if len(line) > _SIGNATURE_MAX_CHARS or _SENTENCE_PUNCT.search(line):
        return False
    return bool(_SIGNATURE_ORG.search(line) or parse_date(line))


def _join_broken_lines(paragraphs: list[str]) -> list[str]:
    """Join lines broken mid-sentence; linear even for pathological inputs."""
    groups: list[list[str]] = []
    has_punct = False
    length = 0
    for p in paragraphs:
        if (
            groups
            and length < _JOINED_MAX_CHARS
            and _ends_mid_sentence(groups[-1][-1], has_punct)
            and not _is_heading(p)
            and not _starts_signoff_block(p)
        ):
            groups[-1].append(p)
            has_punct = has_punct or bool(_SENTENCE_PUNCT.search(p))
            length += len(p)
        else:
            groups.append([p])
            has_punct = bool(_SENTENCE_PUNCT.search(p))
            length = len(p)
    return ["".join(group) for group in groups]


def _first_sentence(text: str, limit: int = 60) -> str:
    sentence = re.split(r"[。！？]", text, maxsplit=1)[0]
    return sentence if len(sentence) <= limit else sentence[:limit] + "…"


def _is_prose(line: str) -> bool:
    """A line that reads as document text: long, or punctuated like a sentence."""
    return len(line) >= 60 or (len(line) >= 16 and bool(_PROSE_PUNCT.search(line)))


def parse_text_dump(text: str, source: str, url: str | None = None) -> Document:
    """Turn the text of a dump into a Document. Never raises: odd input gives a thin Document.

    Every line is one of: furniture (dropped on its own, :mod:`extract.furniture`), a label
    row (its values become metadata), the title, a 文号 line, or content. Content is kept —
    a furniture line never ends the body — and the fields are decided in
    :mod:`extract.fields` from the evidence gathered here.
    """
    text = text.lstrip("\ufeff")
    lines = [line for line in (clean_line(raw) for raw in text.splitlines()) if line]

    pairs: list[tuple[str, str]] = []
    kinds: list[str] = []  # per line: furniture, label, content
    column_names: set[str] = set()
    pending: str | None = None  # a label alone on the previous line
    seen_prose = False
    head = text[:_TRADITIONAL_SAMPLE_CHARS]
    traditional = _simplified(head) != head  # once per page: t2s of every line is slow
    for index, line in enumerate(lines):
        if index < _HEAD_MAX_LINES and ("首页" in line or "位置" in line or ">" in line):
            parts = [p for p in _BREADCRUMB_SPLIT.split(line) if p]
            if len(parts) >= 2:
                column_names.update(p.strip("> ") for p in parts[1:])
        if (pending is not None and not _is_prose(line) and _alone_label(line) is None
                and not _SENTENCE_PUNCT.search(line) and not is_furniture(line)
                and _label_fields(line, traditional) is None):  # 来源： then 字体： is no value
            value, trailing = _split_trailing_label(line)
            pairs.append((pending, value))
            kinds.append("label")
            pending = trailing  # …的通知发文机关: the next line is 发文机关's value
            continue
        pending = _alone_label(line) if index < _HEAD_MAX_LINES else None
        if pending is not None:
            kinds.append("label")
            continue
        found = _label_fields(line, traditional) if not _is_prose_label_free(line) else None
        if found is None and not seen_prose and (date := _header_date(line)):
            found = [("日期", date)]
        seen_prose = seen_prose or (not found and _is_prose(line))
        if found is not None:
            pairs.extend(found)
            kinds.append("label")
        elif is_furniture(line):
            kinds.append("furniture")
        else:
            kinds.append("content")

    # The head: lines above the first prose line (title, 文号, addressee, banners).
    first_prose = next((i for i, line in enumerate(lines) if kinds[i] == "content" and _is_prose(line)),
                       len(lines))
    block_orgs, block_rest = _value_block(lines, kinds, min(first_prose, _HEAD_MAX_LINES), pairs)
    head_index = [i for i in range(min(first_prose, _HEAD_MAX_LINES)) if kinds[i] == "content"]
    labelled = field_values(pairs)
    evidence = Evidence(
        labelled={name: [v for _label, v in values] for name, values in labelled.items()},
        head_lines=[lines[i] for i in head_index], head_positions=head_index,
        all_lines=lines, url=url, column_names=column_names,
    )
    title = choose_title(evidence)

    # Which head lines the title used (its own lines, repeats, a split title's halves).
    title_key = _title_key(title) if title else ""
    used: set[int] = set()
    title_line_at: int | None = None
    for i in range(min(first_prose + 3, len(lines))):
        key = _title_key(lines[i])
        # A line that is part of the title is a split title's half only above the body; below
        # it a part (建平县人民政府办公室, the cover letter's signature) is content.
        if title_key and key and (key == title_key
                                  or (len(key) >= 4 and key in title_key and i < first_prose)):
            used.add(i)
            if title_line_at is None:
                title_line_at = i

    raw_doc_number_line: str | None = None
    body: list[str] = []
    after_tail = False
    # A label row between two stretches of prose is printed in the document (公开方式：主动公开
    # above the enclosed 方案): content. Above the body, or in the page's tail, it is a byline.
    sentences = [i for i, line in enumerate(lines)
                 if kinds[i] == "content" and _is_prose(line)]
    for i, line in enumerate(lines):
        if (kinds[i] == "label" and sentences and sentences[0] < i < sentences[-1]
                and not is_furniture(line) and _has_value(_label_fields(line, traditional))):
            body.append(line)
            continue
        if i in used or (kinds[i] == "label" and i < first_prose + 5):
            continue
        if kinds[i] == "furniture":
            if (is_chrome_line(line) and _TAIL_MARK.search(line)
                    and any(_SENTENCE_PUNCT.search(kept) for kept in body)):
                after_tail = True  # 上一篇 / 相关链接 after the text: short lines after it are links
            continue
        if kinds[i] == "label" and not _is_prose(line):
            continue
        if i < first_prose:
            if raw_doc_number_line is None and len(line) <= 30 and (
                    _DOC_NUMBER_LINE.match(line) or normalize_doc_number(line)):
                raw_doc_number_line = line
                continue
            if title_line_at is not None and i < title_line_at and _is_banner(line, column_names):
                continue  # a site or column banner above the title
        if after_tail and not _SENTENCE_PUNCT.search(line) and len(line) <= 40:
            continue
        body.append(line)

    paragraphs = _join_broken_lines(body)
    # A bare number after the last paragraph is a view or like counter, not text.
    if len(paragraphs) > 1 and re.fullmatch(r"\d{1,6}", paragraphs[-1]) and _is_prose(paragraphs[-2]):
        paragraphs.pop()

    extra: dict[str, str] = {}
    doc_number = next((n for v in evidence.values("doc_number") if (n := normalize_doc_number(v))), None)
    if raw_doc_number_line is not None:
        from_body = normalize_doc_number(raw_doc_number_line)
        if doc_number is None and from_body is not None:
            doc_number = from_body
        elif from_body is None:
            extra["文号原文"] = raw_doc_number_line  # mangled: kept, not guessed

    evidence.body = paragraphs
    if closing := _closing_source(paragraphs):
        evidence.labelled.setdefault("source", []).append(closing)  # after any labelled 来源
    cover = _cover_letter_signoff(paragraphs)
    signoff = cover[1] if cover else find_signoff_date(paragraphs)
    if signoff is not None:
        extra["落款日期"] = signoff.isoformat()
    signature = cover[0] if cover else (_signature_lines(paragraphs) or block_orgs)
    if block_rest:
        extra["信息公开"] = " ".join(block_rest)  # unlabelled values: kept, not guessed
    publisher = choose_publisher(evidence, signature)
    index_no = next((v for v in evidence.values("index_no") if _usable_index_no(v)), None)
    region = choose_region(publisher=publisher, title=title, evidence=evidence, signature=signature,
                           index_no=index_no)
    for label, value in pairs:
        name = LABEL_FIELDS.get(label)
        if not value or name in ("skip", "title", "index_no", "doc_number"):
            continue
        if name in ("published", "date", "written") and parse_date(value):
            continue  # in published / written
        if name in ("publisher", "source") and value == publisher:
            continue
        extra.setdefault(label, value)

    return Document(
        id=make_id(source),
        title=title,
        source=source,
        paragraphs=paragraphs,
        publisher=publisher,
        published=choose_published(evidence, signoff),
        written=choose_written(evidence, signoff),
        doc_number=doc_number,
        index_no=index_no,
        doc_type=infer_doc_type(title),
        year=choose_year(title, evidence),
        region=region,
        extra=extra,
    )


_TAIL_MARK = re.compile(r"上一篇|下一篇|上一条|下一条|相关链接|相关文章|相关阅读|相关新闻|相关文件|打印本页|关闭窗口")


def _is_prose_label_free(line: str) -> bool:
    """A long sentence is never a label row, even if it starts with 时间 or 来源."""
    return len(line) > _ROW_MAX_CHARS or bool(_SENTENCE_PUNCT.search(line) and len(line) > 80)


def _is_banner(line: str, column_names: set[str]) -> bool:
    """A short line with no sentence in it: a site name or column heading above the title."""
    if line.rstrip().endswith((":", "：")) or _BYLINE_MARK.search(line):
        return False  # an addressee (河北省人民政府：) or a reporter's byline is content
    return (line in column_names
            or (len(line) <= _BANNER_MAX_CHARS and not _PROSE_PUNCT.search(line)
                and not _DOC_NUMBER_LINE.match(line)))


_BYLINE_MARK = re.compile(r"^[■□●◆]|记者|通讯员")


def _usable_index_no(value: str) -> bool:
    value = re.sub(r"\s+", "", value)
    return bool(value) and value not in ("无", "暂无", "-", "/") and len(value) <= 60


def _is_signature(line: str) -> bool:
    """An issuing body's name alone on its line; joint issuers may share one line, spaced
    (鹤岗市人民政府 鹤岗市中级人民法院)."""
    if len(line) > 2 * _SIGNATURE_MAX_CHARS or _SENTENCE_PUNCT.search(line) or _is_heading(line):
        return False
    names = line.split()
    return bool(names) and all(
        len(name) <= _SIGNATURE_MAX_CHARS and _SIGNATURE_ORG.search(name) and not _PROSE_PUNCT.search(name)
        for name in names)


def _signature_lines(paragraphs: list[str]) -> list[str]:
    """Issuing bodies named just above the sign-off date (江门市江海区人民政府)."""
    return [p for p in paragraphs[-5:] if _is_signature(p)]


# A news item's closing credit: ``…参加调研活动。来源:枣庄市司法局`` or ``（来源：县司法局）``.
_CLOSING_SOURCE = re.compile(
    r"[（(]?\s*(?:来源|信息来源|文章来源|稿件来源)\s*[:：]\s*(?P<name>[^（）()：:。，,；;\s|]{2,30})\s*[）)]?\s*$")


def _closing_source(paragraphs: list[str]) -> str | None:
    for paragraph in paragraphs[-2:]:
        if match := _CLOSING_SOURCE.search(paragraph):
            return match["name"]
    return None


# The request that ends the cover letter of a 印发/转发 notice, above its sign-off.
_COVER_REQUEST = re.compile(r"(?:印发|转发)给你们|现予(?:印发|发布|公布)|请(?:认真|遵照|结合实际|抓好|按照)[^。]{0,12}(?:执行|落实|实施)")
_COVER_WINDOW = 12  # the cover letter is the first few paragraphs


def _cover_letter_signoff(paragraphs: list[str]) -> tuple[list[str], dt.date] | None:
    """The sign-off of a notice's cover letter (``…现印发给你们，请认真贯彻执行。`` then
    ``建平县人民政府办公室`` and ``2022年7月14日``), above the document it encloses: the page's
    issuer and date, where the end of the page holds the enclosed text (or nothing, cut off)."""
    for i, paragraph in enumerate(paragraphs[:_COVER_WINDOW]):
        if not _COVER_REQUEST.search(paragraph):
            continue
        orgs: list[str] = []
        for line in paragraphs[i + 1:i + 5]:
            date = find_signoff_date([line])
            if date is not None:
                return (orgs, date) if orgs else None
            if not _is_signature(line):
                return None
            orgs.append(line)
        return None
    return None


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise LoadError("UTF-16 编码损坏，无法读取") from exc
    if b"\x00" in data[:8192]:
        raise LoadError("不是文本文件（含二进制内容）")
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise LoadError("UTF-8 编码损坏，无法读取") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise LoadError("既不是 UTF-8 也不是 GB18030 编码的文本") from exc


def load_text_dump(path: Path | str, url: str | None = None) -> Document:
    """Read a dump file (UTF-8 with or without BOM, else GB18030) into a Document.

    Raises LoadError with a one-line reason for missing, oversized, empty or binary files;
    the reason leaves out the file name, which every caller already prints beside it.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LoadError(f"文件过大（{size / 1024 / 1024:.0f} MB，上限 50 MB）")
        data = path.read_bytes()
    except LoadError:
        raise
    except FileNotFoundError as exc:
        raise LoadError("文件不存在") from exc
    except IsADirectoryError as exc:
        raise LoadError("是目录，不是文件") from exc
    except OSError as exc:
        raise LoadError(f"无法读取（{exc.strerror or exc}）") from exc
    if not data.strip():
        raise LoadError("空文件")
    text, encoding = _decode(data)
    if "\ufffd" in text[:4096] and text[:4096].count("\ufffd") > 20:
        raise LoadError("编码无法识别（乱码过多）")
    doc = parse_text_dump(text, url or str(path.resolve()), url=url)
    if not doc.paragraphs:
        raise LoadError("没有找到正文")
    doc.encoding = encoding
    return doc


def text_dump_result(data: bytes, *, source: str, url: str | None = None) -> CleanResult:
    """A fetched ``text/plain`` page or dump as a :class:`CleanResult`. Never raises."""
    try:
        if len(data) > MAX_BYTES:
            raise LoadError(f"文件过大（{len(data) / 1024 / 1024:.0f} MB，上限 50 MB）")
        if not data.strip():
            raise LoadError("空文件")
        text, encoding = _decode(data)
        doc = parse_text_dump(text, source, url=url)
    except LoadError as exc:
        return CleanResult(None, "error", str(exc))
    if not doc.paragraphs:
        return CleanResult(None, "not-article", "没有找到正文")
    doc.encoding = encoding
    return CleanResult(doc, "article", template="text")
