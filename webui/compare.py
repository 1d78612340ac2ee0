"""Two reports side by side (usually one government's reports of two years), aligned by
section heading and then by paragraph, with changed text marked.

Why headings first: 法治政府建设年度报告 follow five mandated parts, so the 2022 report's
"下一年度安排" is read against the 2023 report's "主要举措和成效" only by choice, never by
accident of paragraph position. Headings are matched by mandated part where one is named,
else by their text; paragraphs inside a matched pair of sections are aligned with
:func:`webui.diff.paragraph_diff`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from webui.diff import DiffRow, paragraph_diff

#: The five parts the 2019 national rules require, by the words that name them.
MANDATED = (
    ("主要举措和成效", ("举措", "成效", "主要工作", "工作情况")),
    ("存在的不足和原因", ("不足", "问题", "差距")),
    ("党政主要负责人履职情况", ("第一责任人", "主要负责人", "履行")),
    ("下一年度主要安排", ("下一年度", "下一步", "工作安排", "主要安排", "明年")),
    ("其他需要报告的情况", ("其他需要报告", "其他情况")),
)
_HEADING = re.compile(r"^\s*[一二三四五六七八九十]{1,3}\s*[、.．]")
HEADING_RATIO = 0.5


@dataclass
class Section:
    heading: str  # "" for the text before the first heading
    part: str | None  # the mandated part it is, when its heading names one
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class AlignedSection:
    heading_a: str | None
    heading_b: str | None
    part: str | None
    rows: list[DiffRow]


def mandated_part(heading: str) -> str | None:
    for name, words in MANDATED:
        if any(w in heading for w in words):
            return name
    return None


def sections(paragraphs: list[str]) -> list[Section]:
    """The report cut at its 一、二、… headings (a short paragraph that starts with one)."""
    out = [Section("", None)]
    for p in paragraphs:
        if _HEADING.match(p) and len(p) <= 60:
            out.append(Section(p.strip(), mandated_part(p)))
        else:
            out[-1].paragraphs.append(p)
    return [s for s in out if s.heading or s.paragraphs]


def _match(a: list[Section], b: list[Section]) -> list[tuple[Section | None, Section | None]]:
    """Pairs of sections, in B's order with A's unmatched ones where they stood."""
    used: set[int] = set()
    pair_of: dict[int, int] = {}
    for j, sb in enumerate(b):
        best, score = None, 0.0
        for i, sa in enumerate(a):
            if i in used:
                continue
            if sa.heading == sb.heading == "":
                s = 1.0
            elif sa.part and sa.part == sb.part:
                s = 0.9
            else:
                s = SequenceMatcher(None, _bare(sa.heading), _bare(sb.heading)).ratio() if sa.heading and sb.heading else 0.0
                if s < HEADING_RATIO:
                    continue
            if s > score:
                best, score = i, s
        if best is not None:
            used.add(best)
            pair_of[j] = best
    pairs: list[tuple[Section | None, Section | None]] = []
    next_a = 0
    for j, sb in enumerate(b):
        i = pair_of.get(j)
        if i is not None:
            while next_a < i:
                if next_a not in used:
                    pairs.append((a[next_a], None))
                next_a += 1
            next_a = max(next_a, i + 1)
            pairs.append((a[i], sb))
        else:
            pairs.append((None, sb))
    pairs.extend((a[i], None) for i in range(next_a, len(a)) if i not in used)
    return pairs


def _bare(heading: str) -> str:
    return _HEADING.sub("", heading)


def align(a: list[str], b: list[str]) -> list[AlignedSection]:
    """Report A's and report B's paragraphs, section by section."""
    out = []
    for sa, sb in _match(sections(a), sections(b)):
        rows = paragraph_diff(sa.paragraphs if sa else [], sb.paragraphs if sb else [])
        part = (sa.part if sa else None) or (sb.part if sb else None)
        out.append(AlignedSection(sa.heading if sa else None, sb.heading if sb else None, part, rows))
    return out
