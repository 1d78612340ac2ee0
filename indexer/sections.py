"""Report structure: the headings of an annual report mapped onto its five mandated parts.

《法治政府建设与责任落实督察工作规定》(厅字〔2019〕28号) 第二十五条 asks every annual
法治政府建设 report to cover five parts; researchers check reports against them ("结构不统一"
is one of the two things published studies criticise most). This module finds the headings
(一、 / （一） / 1. / 第一部分 / a short unnumbered heading line) in a document's paragraphs
and gives every paragraph the part of the heading it sits under.

How a heading is mapped, in this order:

1. its own words, if they name a part (:data:`_PART_WORDS`: 不足/问题/差距 → 不足和原因,
   第一责任人/履职/述法 → 第一责任人, 下一步/2024年工作安排 → 下一年度, 其他…情况 → 其他,
   主要举措/成效/工作情况 → 举措和成效);
2. a sub-heading (（一）, 1.) without such words sits in its parent's part;
3. a top heading without such words describes work done (一、坚持党的领导…) and belongs to
   举措和成效, unless the report has already moved on to a later part, where it stays in that
   part (a list of plans under 下一步工作安排 is numbered like the work done above it).

Paragraphs before the first heading (the preamble) belong to no part. The engine indexes the
part of every paragraph, so ``section:不足 执法`` finds 执法 only inside the 不足 part.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from indexer.document import Document

#: The five mandated parts, in the order the rule lists them: (key, the rule's wording, short name).
PARTS: tuple[tuple[str, str, str], ...] = (
    ("measures", "上一年度推进法治政府建设的主要举措和成效", "举措和成效"),
    ("shortcomings", "存在的不足和原因", "不足和原因"),
    ("leaders", "党政主要负责人履行推进法治建设第一责任人职责情况", "第一责任人履职"),
    ("next_year", "下一年度推进法治政府建设的主要安排", "下一年度安排"),
    ("other", "其他需要报告的情况", "其他情况"),
)
PART_KEYS: tuple[str, ...] = tuple(key for key, _rule, _short in PARTS)
PART_NAMES: dict[str, str] = {key: short for key, _rule, short in PARTS}
#: One character per paragraph in the index: "0" for no part, then "1".."5" in PARTS order.
PART_CODES: dict[str, str] = {key: str(i + 1) for i, key in enumerate(PART_KEYS)}
NO_PART = "0"

#: What a user may type after ``section:`` / ``部分:`` → the part.
PART_ALIASES: dict[str, str] = {
    **{key: key for key in PART_KEYS},
    **{short: key for key, _rule, short in PARTS},
    "举措": "measures", "成效": "measures", "措施": "measures", "主要工作": "measures", "工作情况": "measures",
    "不足": "shortcomings", "问题": "shortcomings", "差距": "shortcomings", "原因": "shortcomings",
    "负责人": "leaders", "第一责任人": "leaders", "履职": "leaders", "述法": "leaders",
    "下一年度": "next_year", "下一步": "next_year", "安排": "next_year", "计划": "next_year",
    "打算": "next_year", "其他": "other",
}

# Headings: level 1 一、 / 第一部分 / 一是…? no: 一是 is a sentence; level 2 （一）; level 3 1. 1、
_LEVEL1 = re.compile(r"^(?:[一二三四五六七八九十]{1,3}\s*[、.．]|第[一二三四五六七八九十]{1,3}\s*(?:部分|章|篇))")
_LEVEL2 = re.compile(r"^[（(]\s*[一二三四五六七八九十]{1,3}\s*[)）]")
_LEVEL3 = re.compile(r"^\d{1,2}\s*[、.．](?!\d)")
_HEADING_MAX_CHARS = 80  # a heading line; a longer line is a heading only up to its first 。
_UNNUMBERED_MAX_CHARS = 24
_SENTENCE_END = re.compile(r"[。！？；]")

# The words that name a part, checked in this order: 不足 before 举措 (落实举措中存在的问题);
# plain plan words (下一步, 明年) before 举措 (下一步工作举措), but 举措/成效 before a bare year
# (一、2022年重点工作及主要工作举措 in the 2022 report is work done, not planned).
# 工作计划 names the part only as the heading's last words (四、2024年工作计划), not as an
# object (…纳入年度工作计划情况).
_NEXT_YEAR_WORDS = re.compile(r"下一年度|下一步|下步|明年|今后|来年|努力方向|"
                              r"(?:工作(?:安排|打算|计划|思路|展望)|主要安排)[。.]?$")
_YEAR_PLAN = re.compile(r"(?:19|20)\d{2}\s*年度?(?:的)?(?:主要)?(?:工作)?(?:安排|打算|计划|思路|目标|任务|展望)[。.]?$")
_PART_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("other", re.compile(r"^(?:[^，,。]{0,6})其他(?:需要|应当|需)?(?:报告|说明)?的?(?:情况|事项|工作)")),
    # 履行…工作职责 alone is any body's work (一、…全面履行法治政府建设工作职责): not this part.
    ("leaders", re.compile(r"主要负责人|第一责任|履职|述法")),
    ("shortcomings", re.compile(r"不足|差距|短板|薄弱|存在(?:的)?(?:主要|突出)?问题|问题(?:和|与|及|以及)(?:不足|原因|差距|困难)|"
                                r"困难和问题|存在问题|问题及原因|原因分析")),
    ("next_year", _NEXT_YEAR_WORDS),
    ("measures", re.compile(r"举措|成效|主要工作|工作情况|基本情况|开展情况|主要做法|做法和成效|工作开展|"
                            r"取得的?(?:成绩|进展|成果)|工作成绩|总体情况|推进情况|落实情况")),
    ("next_year", _YEAR_PLAN),
)
# A preface heading belongs to no part.
_PREFACE = re.compile(r"^(?:引\s*言|前\s*言|序\s*言|概\s*述|导\s*语)$")


@dataclass(frozen=True)
class Heading:
    paragraph: int  # 0-based paragraph index
    level: int  # 1 (一、), 2 (（一）), 3 (1.)
    text: str  # the heading as written (up to its first 。 when a sentence follows on the line)
    part: str | None  # a key of PARTS, or None
    also: tuple[str, ...] = ()  # further parts its words name (存在的问题及下一步打算)


@dataclass(frozen=True)
class Outline:
    headings: list[Heading]
    parts: list[str | None]  # one per paragraph

    @property
    def present(self) -> list[str]:
        """The parts the report has, in PARTS order."""
        seen = {p for h in self.headings for p in (h.part, *h.also) if p}
        return [key for key in PART_KEYS if key in seen]

    @property
    def missing(self) -> list[str]:
        return [key for key in PART_KEYS if key not in set(self.present)]

    def facet_value(self) -> str:
        """The 报告结构 facet value: ``五部分齐全`` or ``缺：不足和原因、其他情况``; '' when no
        heading maps onto a part (not a structured report)."""
        if not self.present:
            return ""
        if not self.missing:
            return "五部分齐全"
        return "缺：" + "、".join(PART_NAMES[key] for key in self.missing)

    def codes(self) -> str:
        """One character per paragraph (PART_CODES, "0" for none): what the index stores."""
        return "".join(PART_CODES.get(p or "", NO_PART) for p in self.parts)


def heading_of(paragraph: str, *, last: bool = False) -> tuple[int, str] | None:
    """(level, heading text) when ``paragraph`` starts with a heading, else None. ``last``: the
    document's last paragraph, never an unnumbered heading (a heading is followed by text; a
    short last line is a cut-off sentence or a sign-off)."""
    text = paragraph.strip()
    if _PREFACE.match(text):
        return 1, text
    for level, pattern in ((1, _LEVEL1), (2, _LEVEL2), (3, _LEVEL3)):
        if pattern.match(text):
            end = _SENTENCE_END.search(text)
            head = text[: end.end()] if end else text
            if len(head) > _HEADING_MAX_CHARS:
                return None  # a numbered sentence, not a heading
            return level, head
    if not last and len(text) <= _UNNUMBERED_MAX_CHARS and not _SENTENCE_END.search(text) \
            and not re.search(r"[，,、:：]", text) and words_part(text):
        return 1, text  # 存在的问题和不足 / 下一步工作打算 alone on a line
    return None


def words_parts(heading: str) -> list[str]:
    """The parts a heading's own words name, in :data:`_PART_WORDS` order (存在的问题及下一步
    打算 → 不足和原因, 下一年度安排; 落实举措中存在的问题 → 不足和原因 only: 举措 is the
    default of every heading, never a second part)."""
    named: list[str] = []
    for key, pattern in _PART_WORDS:
        if key not in named and pattern.search(heading):
            named.append(key)
    return named[:1] + [key for key in named[1:] if key != "measures"]


def words_part(heading: str) -> str | None:
    """The part a heading's own words name first, or None."""
    named = words_parts(heading)
    return named[0] if named else None


def outline(paragraphs: Sequence[str]) -> Outline:
    """The headings of a document and the part of every paragraph (see the module docstring)."""
    headings: list[Heading] = []
    parts: list[str | None] = []
    current: str | None = None  # the part of the current top-level section
    current_sub: str | None = None
    top_level: int | None = None  # the level the report uses for its parts (一、, or （一） if none)
    for i, paragraph in enumerate(paragraphs):
        found = heading_of(paragraph, last=i == len(paragraphs) - 1)
        if found is None:
            parts.append(current_sub or current)
            continue
        level, text = found
        if top_level is None:
            top_level = level
        named_all = words_parts(text)
        named = named_all[0] if named_all else None
        if _PREFACE.match(text):
            current = current_sub = None
            headings.append(Heading(i, level, text, None))
            parts.append(None)
            continue
        if level <= top_level:
            if named is not None:
                current = named
            elif current in (None, "measures", "leaders"):
                current = "measures"  # 一、坚持党的领导…: work done
            current_sub = None
            part = current
        else:
            # A sub-heading names its own part only when it says so plainly and differs
            # (a 述法 report's （三）存在的不足 under 一、履职情况); otherwise its parent's.
            current_sub = named if named in ("shortcomings", "next_year", "other") and current != named else None
            part = current_sub or current
            if part is None:
                part = current = "measures"
        headings.append(Heading(i, level, text, part, tuple(k for k in named_all if k != part)))
        parts.append(part)
    return Outline(headings, parts)


def parts_facet(paragraphs: Sequence[str]) -> str:
    """The 报告结构 facet value of a report's paragraphs (see :meth:`Outline.facet_value`)."""
    return outline(paragraphs).facet_value()


def is_annual_report(doc: Document) -> bool:
    """A report or 总结 that covers a year: the documents whose five mandated parts count."""
    return bool(doc.year) and doc.doc_type in ("报告", "总结")


def report_outline(doc: Document) -> dict[str, Any] | None:
    """The outline of an annual report as data (headings with their 1-based paragraph and part,
    which parts it has and lacks); None for other documents. The reading view, its JSON twin
    and ``govsearch show`` all print this."""
    if not is_annual_report(doc):
        return None
    found = outline(doc.paragraphs)
    return {
        "headings": [{"paragraph": h.paragraph + 1, "level": h.level, "text": h.text,
                      "part": h.part, "part_name": PART_NAMES.get(h.part or "", "")}
                     for h in found.headings],
        "parts": [{"part": key, "name": PART_NAMES[key], "present": key in found.present}
                  for key in PART_KEYS],
        "missing": [PART_NAMES[key] for key in found.missing],
    }
