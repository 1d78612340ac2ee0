"""Two reports side by side (usually one government's reports of two years), aligned by
section heading and then by paragraph, with changed text marked.

Why headings first: 法治政府建设年度报告 follow five mandated parts, so the 2022 report's
"下一年度安排" is read against the 2023 report's "主要举措和成效" only by choice, never by
accident of paragraph position. Headings and their parts come from :mod:`indexer.sections`
(the engine's one heading → part mapping); sections are matched by mandated part and
wording, else by wording alone; paragraphs inside a matched pair of sections are aligned
with :func:`webui.diff.paragraph_diff`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from indexer.sections import PART_NAMES, outline
from webui.diff import DiffRow, paragraph_diff


@dataclass
class Section:
    heading: str  # "" for the text before the first heading
    part: str | None  # the mandated part it is (indexer.sections short name), if any
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class AlignedSection:
    heading_a: str | None
    heading_b: str | None
    part: str | None
    rows: list[DiffRow]


HEADING_RATIO = 0.5


def sections(paragraphs: list[str]) -> list[Section]:
    """The report cut at its top-level headings, each with the mandated part
    :func:`indexer.sections.outline` gives it (the one place that maps headings to parts)."""
    found = outline(paragraphs)
    top = min((h.level for h in found.headings), default=1)
    heads = {h.paragraph: h for h in found.headings if h.level == top}
    out = [Section("", None)]
    for i, paragraph in enumerate(paragraphs):
        head = heads.get(i)
        if head is not None:
            out.append(Section(paragraph.strip(), PART_NAMES.get(head.part or "")))
        else:
            out[-1].paragraphs.append(paragraph)
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
            elif not (sa.heading and sb.heading):
                continue
            else:
                s = SequenceMatcher(None, _bare(sa.heading), _bare(sb.heading)).ratio()
                if sa.part and sa.part == sb.part:
                    s = 0.5 + s / 2  # the same mandated part; the wording decides among several
                elif s < HEADING_RATIO:
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


_DIGITS = "[一二三四五六七八九十]{1,3}"
_NUMBER = re.compile(rf"^\s*(?:{_DIGITS}\s*[、.．]|[（(]{_DIGITS}[)）]|第{_DIGITS}部分)")


def _bare(heading: str) -> str:
    """The heading without its number: 二、存在的不足 and 三、存在的不足 are the same words."""
    return _NUMBER.sub("", heading)


def align(a: list[str], b: list[str]) -> list[AlignedSection]:
    """Report A's and report B's paragraphs, section by section."""
    out = []
    for sa, sb in _match(sections(a), sections(b)):
        rows = paragraph_diff(sa.paragraphs if sa else [], sb.paragraphs if sb else [])
        part = (sa.part if sa else None) or (sb.part if sb else None)
        out.append(AlignedSection(sa.heading if sa else None, sb.heading if sb else None, part, rows))
    return out
