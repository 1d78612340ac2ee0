"""A paragraph-aligned diff of two versions of a page, insertions and deletions marked.

Why paragraphs first: government pages are edited a sentence or a figure at a time, and a
reader compares paragraph with paragraph (the citation anchors are paragraphs too).
:class:`difflib.SequenceMatcher` (the standard library's, well kept and dependency-free)
aligns the paragraphs; a replaced paragraph is paired with its counterpart and diffed by
character, so a changed figure is marked inside its sentence rather than the whole
paragraph being shown as deleted and inserted.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from markupsafe import Markup, escape

#: Paired paragraphs less similar than this are shown as one deletion and one insertion.
PAIR_RATIO = 0.4


@dataclass
class DiffRow:
    kind: str  # equal / changed / deleted / inserted
    old_number: int | None  # 1-based paragraph number in the older text
    new_number: int | None
    old_html: Markup
    new_html: Markup


def _spans(old: str, new: str) -> list[tuple[bool, str, str]]:
    """(equal?, old text, new text) runs; an equal run of one or two characters between two
    changes is folded into them ("四百四十四" → "五百五十五" is one change, not three)."""
    runs: list[tuple[bool, str, str]] = []
    for op, a1, a2, b1, b2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        runs.append((op == "equal", old[a1:a2], new[b1:b2]))
    merged: list[tuple[bool, str, str]] = []
    for k, (equal, a, b) in enumerate(runs):
        if equal and len(a) <= 2 and 0 < k < len(runs) - 1:
            equal = False  # a short gap between two changes joins them
        if not equal and merged and not merged[-1][0]:
            _, before_a, before_b = merged.pop()
            merged.append((False, before_a + a, before_b + b))
        else:
            merged.append((equal, a, b))
    return merged


def _inline(old: str, new: str) -> tuple[Markup, Markup]:
    """Both paragraphs with the characters only one of them has wrapped in <del>/<ins>."""
    left, right = [], []
    for equal, a, b in _spans(old, new):
        if equal:
            left.append(escape(a))
            right.append(escape(b))
            continue
        if a:
            left.append(Markup("<del>%s</del>") % a)
        if b:
            right.append(Markup("<ins>%s</ins>") % b)
    return Markup("").join(left), Markup("").join(right)


def paragraph_diff(old: list[str], new: list[str]) -> list[DiffRow]:
    """Rows aligning the paragraphs of ``old`` with those of ``new``."""
    rows: list[DiffRow] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            rows.extend(DiffRow("equal", a1 + k + 1, b1 + k + 1, escape(old[a1 + k]), escape(new[b1 + k]))
                        for k in range(a2 - a1))
            continue
        i, j = a1, b1
        while i < a2 or j < b2:
            if i < a2 and j < b2 and SequenceMatcher(None, old[i], new[j], autojunk=False).ratio() >= PAIR_RATIO:
                left, right = _inline(old[i], new[j])
                rows.append(DiffRow("changed", i + 1, j + 1, left, right))
                i, j = i + 1, j + 1
            elif i < a2 and (j >= b2 or a2 - i >= b2 - j):
                rows.append(DiffRow("deleted", i + 1, None, Markup("<del>%s</del>") % old[i], Markup("")))
                i += 1
            else:
                rows.append(DiffRow("inserted", None, j + 1, Markup(""), Markup("<ins>%s</ins>") % new[j]))
                j += 1
    return rows


def summary(rows: list[DiffRow]) -> dict[str, int]:
    """How many paragraphs changed, were deleted and were inserted."""
    out = {"changed": 0, "deleted": 0, "inserted": 0}
    for row in rows:
        if row.kind in out:
            out[row.kind] += 1
    return out
