"""The figures a rule-of-law report states, with their labels: what year-over-year reading
compares first (did 出庭应诉率 rise? how many 行政复议 cases?).

Only figures written with Arabic digits and a recognised label are read; a figure this
module cannot label is left out rather than guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: (label, pattern): the first group is the value. Order is the table's order.
_NAMED: list[tuple[str, re.Pattern[str]]] = [
    ("出庭应诉率", re.compile(r"出庭应诉率[^0-9，。；]{0,6}?(\d+(?:\.\d+)?)\s*[%％]")),
    ("行政复议案件（件）", re.compile(r"行政复议(?:案件|申请)[^0-9，。；]{0,8}?(\d+)\s*件")),
    ("行政诉讼案件（件）", re.compile(r"行政(?:诉讼|应诉)案件[^0-9，。；]{0,8}?(\d+)\s*件")),
    ("规范性文件（件）", re.compile(r"规范性文件[^0-9，。；]{0,8}?(\d+)\s*件")),
]
#: Any other rate: a label ending in 率 followed by a percentage.
_RATE = re.compile(r"([\u4e00-\u9fff]{2,7}率)[^0-9，。；]{0,6}?(\d+(?:\.\d+)?)\s*[%％]")


@dataclass
class FigureRow:
    label: str
    a: str | None
    b: str | None


def figures(paragraphs: list[str]) -> dict[str, str]:
    """Label → value (the first occurrence) of the figures a report states."""
    text = "\n".join(paragraphs)
    found: dict[str, str] = {}
    for label, pattern in _NAMED:
        m = pattern.search(text)
        if m:
            found[label] = m.group(1) + ("%" if label.endswith("率") else "")
    for m in _RATE.finditer(text):
        label = m.group(1)
        if not any(label.endswith(named) for named in found):
            found[label] = m.group(2) + "%"
    return found


def shared_figures(a: list[str], b: list[str]) -> list[FigureRow]:
    """The figures both reports state, in table order, side by side."""
    fa, fb = figures(a), figures(b)
    order = [label for label, _ in _NAMED] + sorted(set(fa) | set(fb))
    rows: list[FigureRow] = []
    for label in dict.fromkeys(order):
        if label in fa and label in fb:
            rows.append(FigureRow(label, fa[label], fb[label]))
    return rows
