"""Import plain-text dumps of government pages (as in ``seeds/``) into Documents.

A dump is what a browser's "save as text" or a scraper's text extraction left behind: the
信息公开 metadata (as ``label: value`` lines or as ``|``-separated table rows, labels
sometimes spaced out as ``索 引 号``), the title, page chrome (breadcrumbs, 打印 关闭,
扫一扫…), the body, the signature and sign-off date, and page garbage after the chrome
tail. The importer keeps the metadata and the body and drops everything else.

Decisions worth knowing (see also docs in the tests):

* The body ends at the first page-chrome line after it has started (扫一扫在手机打开当前页,
  打印 关闭, 上一篇…); whatever follows is page garbage, even when it repeats body text.
* A line broken in the middle of a sentence (it ends in ，/、 or a bare character although
  it already holds a full stop) is joined with the next line, so that a cited passage is
  one sentence, not two halves. Headings never end that way and are never joined.
* A 文号 line just under the title is taken out of the body. If it is mangled
  (``江开〔201753``: bracket never closed, no 号) it does not become ``doc_number``; the raw
  text is kept in ``extra["文号原文"]`` so that nothing is lost and nothing is invented.
"""

from __future__ import annotations

import re
from pathlib import Path

from extract.clean import CleanResult
from extract.errors import LoadError
from extract.metadata import (
    clean_line,
    find_signoff_date,
    infer_doc_type,
    is_chrome_line,
    normalize_doc_number,
    normalize_publisher,
    parse_date,
    report_year,
)
from extract.regions import region_code_from_credit_code, resolve_region
from indexer.document import Document, make_id

__all__ = ["MAX_BYTES", "load_text_dump", "parse_text_dump", "text_dump_result"]

MAX_BYTES = 50 * 1024 * 1024

# Canonical label → spellings seen on 政务公开 pages. Order inside the regex is longest
# first so that 信息来源 wins over 来源 and 发布时间 over 时间.
_LABELS: dict[str, tuple[str, ...]] = {
    "索引号": ("索引号", "索取号"),
    "信息分类": ("信息分类", "主题分类", "组配分类", "体裁分类", "分类"),
    "发布机构": ("发布机构", "发文机关", "发文机构", "发文单位", "发布单位"),
    "生成日期": ("生成日期", "成文日期", "发文日期", "印发日期", "成文时间"),
    "文号": ("文号", "发文字号", "发文号"),
    "有效性": ("有效性", "效力状态", "时效性"),
    "发布日期": ("发布日期", "发布时间", "公开日期", "公布日期"),
    "信息来源": ("信息来源",),
    "文章来源": ("文章来源", "来源"),
    "时间": ("时间", "日期"),
    "更新时间": ("更新时间", "更新日期"),
    "标题": ("标题", "名称", "文件名称"),
    "主题词": ("主题词", "关键词"),
    "公开方式": ("公开方式",),
    "公开范围": ("公开范围",),
    "责任部门": ("责任部门",),
    "作者": ("作者", "编辑", "责任编辑"),
    "浏览数": ("浏览数", "浏览次数", "访问量", "点击数", "阅读数"),
    "实施日期": ("实施日期",),
    "废止日期": ("废止日期",),
}
_SPELLING_TO_LABEL = {s: label for label, spellings in _LABELS.items() for s in spellings}
_LABEL_ALTERNATION = "|".join(
    r"\s*".join(map(re.escape, spelling))
    for spelling in sorted(_SPELLING_TO_LABEL, key=len, reverse=True)
)
_LABEL_WITH_COLON = re.compile(rf"(?P<label>{_LABEL_ALTERNATION})\s*[:：]")
_LABEL_ONLY = re.compile(rf"^(?:{_LABEL_ALTERNATION})$")
# Header fields that are chrome, not metadata.
_DISCARDED_LABELS = {"浏览数"}
# A 文号 line under the title: 机关代字 then an opening bracket and a year.
# Nothing but digits, brackets, 第 and 号 may follow the year: 报告（2019年度） is a subtitle.
_DOC_NUMBER_LINE = re.compile(
    r"^[\u4e00-\u9fffA-Za-z]{1,12}\s*[〔\[［【(（﹝]\s*(?:19|20)\d{2}[\d〕\]］】)）﹞\s第号]*$"
)
_TITLE_MAX_CHARS = 100
_COLUMN_NAME_MAX_CHARS = 8
_BREADCRUMB_SPLIT = re.compile(r"\s*(?:>|＞|»|›|→)\s*")
# Headings: 一、 (一) 1、 1. 第一章 — never joined to the previous line.
_HEADING_START = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|[(（][一二三四五六七八九十百\d]+[)）]|\d+[、.．]|"
    r"第[一二三四五六七八九十百\d]+[章节条部分]|[【\[])"
)
_SENTENCE_PUNCT = re.compile(r"[。；！？]")
_SIGNATURE_ORG = re.compile(
    r"(?:人民政府|政府|委员会|管委会|办公室|办公厅|司法局|局|厅|委|办|中心|法院|检察院)$"
)
_SIGNATURE_MAX_CHARS = 30
_JOINED_MAX_CHARS = 3_000  # a real paragraph broken in two is never this long


def _label_of(raw: str) -> str | None:
    return _SPELLING_TO_LABEL.get(re.sub(r"\s+", "", raw))


def _split_label_line(line: str) -> list[tuple[str, str]] | None:
    """``发布日期:2020-03-25 09:06信息来源:漳河…`` → [(发布日期, …), (信息来源, …)].

    Returns None unless the line starts with a known label and a colon.
    """
    matches = list(_LABEL_WITH_COLON.finditer(line))
    if not matches or matches[0].start() != 0:
        return None
    fields = []
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(line)
        label = _label_of(m["label"])
        if label:
            fields.append((label, clean_line(line[m.end() : end]).strip("|｜ ")))
    return fields


def _split_table_row(line: str) -> list[tuple[str, str]] | None:
    """``索 引 号 | 7335…/2022-04584 | 发布日期 | 2022-01-24 |`` → label/value pairs."""
    if "|" not in line:
        return None
    cells = [clean_line(c) for c in line.strip().strip("|").split("|")]
    if all(re.fullmatch(r":?-{2,}:?", c) or not c for c in cells):
        return []  # the markdown separator row
    fields = []
    i = 0
    while i < len(cells):
        label = _label_of(cells[i]) if _LABEL_ONLY.match(re.sub(r"\s+", "", cells[i])) else None
        if label and i + 1 < len(cells):
            fields.append((label, cells[i + 1]))
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
            and not _HEADING_START.match(p)
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


def parse_text_dump(text: str, source: str, url: str | None = None) -> Document:
    """Turn the text of a dump into a Document. Never raises: odd input gives a thin Document."""
    text = text.lstrip("\ufeff")
    lines = [clean_line(raw) for raw in text.splitlines()]
    lines = [line for line in lines if line]

    fields: dict[str, str] = {}
    breadcrumb_tails: set[str] = set()
    for line in lines[:30]:
        if is_chrome_line(line) and "首页" in line:
            parts = [p for p in _BREADCRUMB_SPLIT.split(line) if p]
            if len(parts) >= 2:
                breadcrumb_tails.add(parts[-1])

    title: str | None = None
    raw_doc_number_line: str | None = None
    body: list[str] = []
    in_body = False

    for index, line in enumerate(lines):
        if in_body:
            if is_chrome_line(line):
                if re.fullmatch(r"附件\s*[:：]?", line):
                    continue  # an empty 附件: label, not the page's tail
                break  # the chrome tail: everything after it is page garbage
            body.append(line)
            continue

        # Metadata first: 文章来源:… 更新时间:… 浏览数:- is chrome as a body line, but its
        # fields are wanted.
        parsed = _split_table_row(line)
        if parsed is None:
            parsed = _split_label_line(line)
        if parsed is not None:
            for label, value in parsed:
                if value and label not in fields:
                    fields[label] = value
            continue
        if is_chrome_line(line):
            continue

        if title is None and "标题" not in fields:
            next_line = lines[index + 1] if index + 1 < len(lines) else ""
            # 通知公告 above 您现在的位置：首页 > … > 通知公告 is the column, not the title.
            is_column_name = line in breadcrumb_tails or (
                len(line) <= _COLUMN_NAME_MAX_CHARS
                and is_chrome_line(next_line)
                and ("首页" in next_line or "位置" in next_line)
            )
            if is_column_name:
                continue
            if len(line) <= _TITLE_MAX_CHARS:
                title = line
                continue
        heading = fields.get("标题") or title or ""
        if heading and _title_key(line) == _title_key(heading):
            continue  # the title repeated above the body
        if raw_doc_number_line is None and len(line) <= 30 and (
            _DOC_NUMBER_LINE.match(line) or normalize_doc_number(line)
        ):
            raw_doc_number_line = line
            continue
        in_body = True
        body.append(line)

    # Drop a repeated title or 文号 that appears among the first body lines.
    heading = fields.get("标题") or title or ""
    head_keys = {_title_key(heading)} if heading else set()
    trimmed: list[str] = []
    for i, line in enumerate(body):
        if i < 3 and _title_key(line) in head_keys:
            continue
        if i < 3 and raw_doc_number_line is None and len(line) <= 30 and _DOC_NUMBER_LINE.match(line):
            raw_doc_number_line = line
            continue
        trimmed.append(line)
    paragraphs = _join_broken_lines(trimmed)

    extra: dict[str, str] = {}
    doc_number = normalize_doc_number(fields.get("文号"))
    if raw_doc_number_line is not None:
        from_body = normalize_doc_number(raw_doc_number_line)
        if doc_number is None and from_body is not None:
            doc_number = from_body
        elif from_body is None:
            extra["文号原文"] = raw_doc_number_line  # mangled: kept, not guessed

    signoff = find_signoff_date(paragraphs)
    published = None
    for label in ("发布日期", "时间", "更新时间"):
        published = parse_date(fields.get(label))
        if published:
            break
    written = parse_date(fields.get("生成日期")) or signoff
    if published is None:
        published = signoff
    if signoff is not None:
        extra["落款日期"] = signoff.isoformat()

    publisher = normalize_publisher(fields.get("发布机构"))
    if publisher is None:
        publisher = normalize_publisher(fields.get("信息来源") or fields.get("文章来源"))
    signature = _signature_lines(paragraphs)
    if publisher is None and signature:
        publisher = signature[0]

    title = fields.get("标题") or title
    if not title:
        title = _first_sentence(paragraphs[0]) if paragraphs else ""

    index_no = fields.get("索引号") or None
    credit_region = region_code_from_credit_code(index_no.split("/")[0]) if index_no else None
    region = resolve_region(
        publisher,
        title,
        *paragraphs[:3],
        *signature,
        site_id_code=credit_region,
        context="\n".join(paragraphs),
    )

    for label, value in fields.items():
        if label in {"标题", "索引号", "发布机构", "文号"} or label in _DISCARDED_LABELS:
            continue
        if label in {"发布日期", "时间", "更新时间", "生成日期"} and parse_date(value):
            continue  # already in published / written
        extra[label] = value

    return Document(
        id=make_id(source),
        title=title,
        source=source,
        paragraphs=paragraphs,
        publisher=publisher,
        published=published,
        written=written,
        doc_number=doc_number,
        index_no=index_no,
        doc_type=infer_doc_type(title),
        year=report_year(title),
        region=region,
        extra=extra,
    )


def _signature_lines(paragraphs: list[str]) -> list[str]:
    """Issuing bodies named just above the sign-off date (江门市江海区人民政府)."""
    tail = paragraphs[-5:]
    return [
        p for p in tail
        if len(p) <= _SIGNATURE_MAX_CHARS and _SIGNATURE_ORG.search(p) and not _SENTENCE_PUNCT.search(p)
    ]


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
