"""The advanced search form (高级检索): fields → one query-language string.

:func:`build_query` is the one place that turns the form's fields into a query. The server
uses it when the form is submitted without JavaScript (``/advanced?…`` redirects to
``/search?q=…``) and for ``/api/advanced`` (which the page's script asks as the fields change,
to write the query into the search box so that users see, and learn, the language).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from indexer.query import QueryError, _quoted, parse_query


@dataclass(frozen=True)
class FieldRow:
    key: str  # the parameter prefix: ``title_all``, ``title_any``, ``title_not``
    label: str
    prefix: str  # the query-language field ('' for the full text)


#: The rows of the form, in display order.
ROWS: tuple[FieldRow, ...] = (
    FieldRow("text", "全文", ""),
    FieldRow("title", "标题", "标题:"),
    FieldRow("publisher", "发布机构", "发布机构:"),
    FieldRow("docno", "文号", "文号:"),
    FieldRow("region", "地区", "地区:"),
    FieldRow("type", "类型", "类型:"),
)
#: The three ways a row matches its words.
MODES: dict[str, str] = {"all": "包含全部", "any": "包含任一", "not": "不包含"}
#: Range and proximity parameters.
RANGES = ("date_from", "date_to", "year_from", "year_to")
NEAR: dict[str, str] = {"sentence": "同句", "paragraph": "同段"}
#: Every parameter the form has.
PARAMS: tuple[str, ...] = (*(f"{r.key}_{m}" for r in ROWS for m in MODES), *RANGES, *NEAR)
MAX_FIELD_CHARS = 200

_DATE = re.compile(r"\d{4}(?:-\d{1,2}(?:-\d{1,2})?)?")
_YEAR = re.compile(r"\d{4}")


class FormError(ValueError):
    """A field the form cannot turn into a query; ``str(err)`` is one Chinese line."""


def _words(raw: str) -> list[str]:
    """Words separated by spaces; a "quoted phrase" stays one word (its spaces kept)."""
    return [a or b for a, b in re.findall(r'"([^"]+)"|(\S+)', raw.replace("“", '"').replace("”", '"'))]


def _range(name: str, low: str, high: str, pattern: re.Pattern[str], label: str) -> str:
    for value in (low, high):
        if value and not pattern.fullmatch(value):
            raise FormError(f"{label}格式有误：{value[:20]}（例如 {'2021-01-31' if name == '日期' else '2019'}）")
    if not low and not high:
        return ""
    if low and low == high:
        return f"{name}:{low}"
    return f"{name}:{low}..{high}"


def build_query(fields: Mapping[str, str]) -> str:
    """The query-language string for the form's ``fields`` (missing or blank fields ignored).

    Per row: 包含全部 → every word (AND), 包含任一 → ``(a OR b)``, 不包含 → ``-a -b``; the
    field prefix (``标题:``) in front of each. Then 日期/年份 ranges (an open end allowed) and
    同句(…)/同段(…). The result is parsed once, so a form that makes no valid query raises
    FormError instead of sending the user to an error page.
    """
    def get(name: str) -> str:
        value = " ".join(str(fields.get(name) or "").split())
        if len(value) > MAX_FIELD_CHARS:
            raise FormError(f"输入过长：每一项最多 {MAX_FIELD_CHARS} 个字符。")
        return value

    parts: list[str] = []
    negatives: list[str] = []
    for row in ROWS:
        parts.extend(row.prefix + _quoted(w) for w in _words(get(f"{row.key}_all")))
        any_words = _words(get(f"{row.key}_any"))
        if len(any_words) == 1:
            parts.append(row.prefix + _quoted(any_words[0]))
        elif any_words:
            inner = " OR ".join(_quoted(w) for w in any_words)
            parts.append(f"{row.prefix}({inner})" if row.prefix else f"({inner})")
        negatives.extend("-" + row.prefix + _quoted(w) for w in _words(get(f"{row.key}_not")))
    parts.append(_range("日期", get("date_from"), get("date_to"), _DATE, "发布日期"))
    parts.append(_range("年份", get("year_from"), get("year_to"), _YEAR, "报告年度"))
    for key, word in NEAR.items():
        terms = _words(get(key))
        if len(terms) == 1:
            parts.append(_quoted(terms[0]))
        elif terms:
            parts.append(f"{word}({' '.join(_quoted(t) for t in terms)})")
    query = " ".join(p for p in [*parts, *negatives] if p)
    if query:
        try:
            parse_query(query)
        except QueryError as err:
            raise FormError(str(err)) from None
    return query


def has_fields(fields: Mapping[str, str]) -> bool:
    """Whether anything was filled in (else the form is shown, not submitted)."""
    return any(str(fields.get(name) or "").strip() for name in PARAMS)
