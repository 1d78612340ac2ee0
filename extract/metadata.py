"""Metadata helpers shared by every loader (text dumps, HTML, PDF, DOCX).

Government pages state the same facts in many spellings: dates as ``2020-3-25``,
``2020年3月25日`` or ``二〇二〇年三月二十五日``; 文号 with 〔〕, [], 【】 or () around the
year; page chrome (打印 关闭, breadcrumbs, 扫一扫…) mixed into the text. These helpers turn
each spelling into one value, and return ``None`` rather than a guess when the input is
unclear: a wrong date or 文号 in a citation is worse than a missing one.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

__all__ = [
    "clean_line",
    "find_signoff_date",
    "infer_doc_type",
    "normalize_doc_number",
    "normalize_publisher",
    "parse_date",
    "report_year",
]

# parse_date looks for the *first* date; past this it is scanning a body, not a field.
_DATE_SCAN_MAX_CHARS = 10_000
# Dates outside this window are OCR noise, phone numbers or 文号 digits, not publication dates.
MIN_YEAR = 1949
MAX_YEAR = 2100

# Whitespace that str.strip() keeps or that pages use as indentation.
_SPACES = " \t\r\n\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff"


def clean_line(line: str) -> str:
    """Strip ASCII, no-break, ideographic and zero-width spaces from both ends."""
    return line.strip(_SPACES)


def _nfkc(text: str) -> str:
    # Full-width digits and colons (２０２０，：) become ASCII; 〇 and 〔〕 are kept.
    return unicodedata.normalize("NFKC", text)


# --------------------------------------------------------------------------- dates

_CN_DIGITS = {
    "〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "o": 0, "0": 0,
    "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}
_CN_YEAR_CHARS = "〇○零Ｏ一二三四五六七八九"
_CN_SMALL_CHARS = "〇○零一二三四五六七八九十"

_NUMERIC_DATE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*(?P<s1>[-/.年])\s*(?P<m>\d{1,2})\s*(?P<s2>[-/.月])\s*(?P<d>\d{1,2})"
    r"(?!\d)(?:\s*[日号])?"
)
_CHINESE_DATE = re.compile(
    rf"(?P<y>[{_CN_YEAR_CHARS}]{{4}})\s*年\s*(?P<m>[{_CN_SMALL_CHARS}]{{1,2}})\s*月"
    rf"\s*(?P<d>[{_CN_SMALL_CHARS}]{{1,3}})\s*日"
)
# 20200325: only alone on the line or right after a date label, else it is likely a 文号,
# a phone number or an id.
_COMPACT_ALONE = re.compile(r"^\s*(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})\s*$")
_COMPACT_LABELLED = re.compile(
    r"(?:日期|时间|发布|成文|生成|印发|发文)\s*[:：]?\s*(?P<y>(?:19|20)\d{2})(?P<m>\d{2})(?P<d>\d{2})(?!\d)"
)
_SEPARATOR_PAIRS = {("-", "-"), ("/", "/"), (".", "."), ("年", "月")}


def _small_chinese_number(text: str) -> int | None:
    """十二 → 12, 二十三 → 23, 三十一 → 31, 〇三 → 3; None if not a number below 100."""
    if not text:
        return None
    if "十" not in text:
        if len(text) > 2:
            return None
        value = 0
        for ch in text:
            if ch not in _CN_DIGITS:
                return None
            value = value * 10 + _CN_DIGITS[ch]
        return value
    head, _, tail = text.partition("十")
    if "十" in tail or len(head) > 1 or len(tail) > 1:
        return None
    tens = _CN_DIGITS.get(head, -1) if head else 1
    ones = _CN_DIGITS.get(tail, -1) if tail else 0
    if tens < 1 or ones < 0:
        return None
    return tens * 10 + ones


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _date_candidates(text: str, *, allow_compact: bool) -> list[tuple[int, int, dt.date]]:
    """(start, end, date) for every valid date in ``text``."""
    found: list[tuple[int, int, dt.date]] = []
    for m in _NUMERIC_DATE.finditer(text):
        if (m["s1"], m["s2"]) not in _SEPARATOR_PAIRS:
            continue  # 2020-03.25 is a version number or garbage, not a date
        date = _make_date(int(m["y"]), int(m["m"]), int(m["d"]))
        if date:
            found.append((m.start(), m.end(), date))
    for m in _CHINESE_DATE.finditer(text):
        year = 0
        for ch in m["y"]:
            year = year * 10 + _CN_DIGITS[ch]
        month = _small_chinese_number(m["m"])
        day = _small_chinese_number(m["d"])
        if month is not None and day is not None:
            date = _make_date(year, month, day)
            if date:
                found.append((m.start(), m.end(), date))
    patterns = [_COMPACT_LABELLED, _COMPACT_ALONE] if allow_compact else [_COMPACT_LABELLED]
    for pattern in patterns:
        for m in pattern.finditer(text):
            date = _make_date(int(m["y"]), int(m["m"]), int(m["d"]))
            if date:
                found.append((m.start("y"), m.end("d"), date))
    return found


def parse_date(text: str | None) -> dt.date | None:
    """The first valid date in ``text``, in any of the spellings government pages use.

    ``20200325`` counts only when it stands alone or follows a date label (日期/时间:),
    because eight digits elsewhere are usually ids or 文号 digits.
    """
    if not text:
        return None
    normalized = _nfkc(text[:_DATE_SCAN_MAX_CHARS])
    candidates = _date_candidates(normalized, allow_compact=True)
    if not candidates:
        return None
    return min(candidates, key=lambda c: c[0])[2]


# A sign-off line is short: 2020年3月23日, or 江门市江海区人民政府 2017年12月26日.
_SIGNOFF_MAX_CHARS = 40
_SIGNOFF_WINDOW = 6


def find_signoff_date(paragraphs: list[str]) -> dt.date | None:
    """The date under the signature: the last short paragraph near the end that holds a date.

    Only the last few short paragraphs count, so a date quoted in the body (a meeting on
    2019年5月1日…) is never taken for the sign-off.
    """
    seen = 0
    from extract.furniture import is_chrome_line  # furniture builds on this module

    for raw in reversed(paragraphs):
        line = clean_line(raw)
        if not line or is_chrome_line(line):
            continue
        seen += 1
        if seen > _SIGNOFF_WINDOW:
            break
        if len(line) > _SIGNOFF_MAX_CHARS:
            continue
        date = _signoff_line_date(line)
        if date:
            return date
    return None


# What may stand beside a sign-off date on its line: the signing body, or nothing.
_SIGNER = re.compile(
    r"^[\u4e00-\u9fff（）()·]{2,30}(?:人民政府|政府|委员会|管委会|办公室|办公厅|局|厅|委|办|"
    r"中心|院|会|部|处|所|室|站|队)$"
)


def _signoff_line_date(line: str) -> dt.date | None:
    """The date of a sign-off line; None for 本办法自2020年3月1日起施行 and the like."""
    normalized = _nfkc(line)
    candidates = _date_candidates(normalized, allow_compact=True)
    if len(candidates) != 1:
        return None
    start, end, date = candidates[0]
    rest = clean_line(normalized[:start] + normalized[end:])
    if not rest or _SIGNER.match(rest.replace(" ", "")):
        return date
    return None


# --------------------------------------------------------------------------- report year

_YEAR_IN_TITLE = re.compile(
    r"(?<![\d—–\-~至到])(?P<y>(?:19|20)\d{2})\s*(?P<suffix>年度|年)(?![\d—–\-~至到])"
)
_CN_YEAR_IN_TITLE = re.compile(rf"(?P<y>[{_CN_YEAR_CHARS}]{{4}})\s*(?P<suffix>年度|年)")


def report_year(title: str | None) -> int | None:
    """The year a report is about (``2019年度`` → 2019), from the title only.

    The publication date is no substitute: a 2019 report is usually published in 2020.
    Year ranges (2021—2025年) name a plan period, not a report year, and are skipped.
    """
    if not title:
        return None
    text = _nfkc(title)
    best: tuple[int, int] | None = None  # (priority, year); 年度 beats a bare 年
    for m in _YEAR_IN_TITLE.finditer(text):
        tail = text[m.end(): m.end() + 3]
        if re.match(r"\s*\d{1,2}\s*月", tail):
            continue  # 2020年3月… is a date, not a report year
        year = int(m["y"])
        priority = 0 if m["suffix"] == "年度" else 1
        if best is None or priority < best[0]:
            best = (priority, year)
    if best is None:
        for m in _CN_YEAR_IN_TITLE.finditer(text):
            year = 0
            for ch in m["y"]:
                year = year * 10 + _CN_DIGITS[ch]
            best = (0, year)
            break
    if best is None:
        return None
    year = best[1]
    if not 1978 <= year <= dt.date.today().year + 1:
        return None
    return year


# --------------------------------------------------------------------------- 文号

_EMPTY_VALUES = {
    "", "无", "暂无", "空", "-", "--", "—", "——", "/", "／", "null", "none", "n/a", "未知", "不详",
}
_OPEN_BRACKETS = "〔[［【(（{｛﹝<〈「"
_CLOSE_BRACKETS = "〕]］】)）}｝﹞>〉」"
_YEAR_BRACKET = re.compile(
    rf"[{re.escape(_OPEN_BRACKETS)}]\s*(?P<y>(?:19|20)\d{{2}})\s*[{re.escape(_CLOSE_BRACKETS)}]"
)
# Prefix (机关代字, may contain Latin letters), 〔year〕, serial number, 号.
_DOC_NUMBER_SHAPE = re.compile(
    r"^[\u4e00-\u9fffA-Za-z·\-]{1,20}〔(?:19|20)\d{2}〕第?\d{1,5}号$"
)
# Other real shapes: 公告2017年第3号, 市政府令第12号, 深府〔2017〕附1号 are kept as written.
_LOOSE_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fffA-Za-z0-9〔〕·\-]{2,40}号$")


def _balanced(value: str) -> bool:
    pairs = dict(zip(_OPEN_BRACKETS, _CLOSE_BRACKETS, strict=True))
    stack: list[str] = []
    for ch in value:
        if ch in pairs:
            stack.append(pairs[ch])
        elif ch in _CLOSE_BRACKETS and (not stack or stack.pop() != ch):
            return False
    return not stack


def normalize_doc_number(value: str | None) -> str | None:
    """A 文号 in its standard spelling (``江开〔2017〕53号``), or None.

    The year bracket is rewritten to 〔〕 only when the value has the shape of a 文号
    (prefix, year in brackets, number, 号). A mangled value such as ``江开〔201753``
    returns None: an unbalanced bracket or a missing 号 means the digits cannot be split
    into year and number with confidence, and a wrong 文号 in a citation is worse than none.
    """
    if value is None:
        return None
    text = re.sub(r"[\s\u00a0\u3000]+", "", _nfkc(value))
    text = text.strip("：:;；,，。")
    if text.lower() in _EMPTY_VALUES:
        return None
    if not _balanced(text) or not re.search(r"\d", text) or text.startswith("关于"):
        return None  # 〔〕号 is an empty template; 关于…会议157号 is a split title's half
    candidate = _YEAR_BRACKET.sub(lambda m: f"〔{m['y']}〕", text, count=1)
    if _DOC_NUMBER_SHAPE.match(candidate):
        return candidate
    if _LOOSE_DOC_NUMBER.match(text) or _LOOSE_DOC_NUMBER.match(candidate):
        return candidate if "〔" in candidate else text
    return None


def normalize_publisher(value: str | None) -> str | None:
    """The publishing body as written, with spacing tidied; placeholders become None."""
    if value is None:
        return None
    text = re.sub(r"[\s\u00a0\u3000]+", " ", value).strip()
    text = text.strip("：:;；,，。")
    if text.lower() in _EMPTY_VALUES:
        return None
    return text


# --------------------------------------------------------------------------- document type

# Longest endings first so that 实施方案 wins over 方案 and 工作要点 over 要点.
_DOC_TYPE_ENDINGS: list[tuple[str, str]] = [
    ("情况报告", "报告"), ("年度报告", "报告"), ("工作报告", "报告"), ("述法报告", "报告"),
    ("自查报告", "报告"), ("报告", "报告"),
    ("年终总结", "总结"), ("工作总结", "总结"), ("总结", "总结"),
    ("实施意见", "意见"), ("试行意见", "意见"), ("指导意见", "意见"), ("意见", "意见"),
    ("通知", "通知"), ("通报", "通报"), ("公告", "公告"), ("通告", "通告"), ("公示", "公示"),
    ("实施方案", "方案"), ("工作方案", "方案"), ("方案", "方案"),
    ("工作要点", "要点"), ("要点", "要点"),
    ("决定", "决定"), ("决议", "决议"),
    ("实施办法", "办法"), ("管理办法", "办法"), ("办法", "办法"),
    ("实施细则", "细则"), ("细则", "细则"),
    ("规划", "规划"), ("计划", "计划"), ("纲要", "纲要"),
    ("规定", "规定"), ("条例", "条例"), ("规则", "规则"), ("制度", "制度"),
    ("指引", "指引"), ("指南", "指南"), ("清单", "清单"), ("目录", "目录"),
    ("批复", "批复"), ("复函", "函"), ("函", "函"), ("请示", "请示"),
    ("讲话", "讲话"), ("纪要", "纪要"), ("命令", "命令"),
    # 2019年法治政府建设情况 (no 报告) is the report under a shorter title.
    ("建设情况", "报告"), ("工作情况", "报告"),
]
# Trailing parts that say nothing about the type: (2), （试行）, （征求意见稿）, 全文, 。
_TRAILING_NOISE = re.compile(
    r"(?:[(（【\[][^()（）【】\[\]]{0,12}[)）】\]]|全文|正文|\d|[\s。.．:：!！]|-|—)+$"
)


def infer_doc_type(title: str | None) -> str | None:
    """The document type from the words the title ends with (情况报告 → 报告), or None.

    The ending decides: ``关于印发…实施方案的通知`` is a 通知 wrapping a 方案.
    """
    if not title:
        return None
    text = _nfkc(clean_line(title))
    text = _TRAILING_NOISE.sub("", text)
    # 《…》 at the end: look inside the book-title marks.
    text = text.rstrip("》>")
    for ending, doc_type in _DOC_TYPE_ENDINGS:
        if text.endswith(ending):
            return doc_type
    return None
