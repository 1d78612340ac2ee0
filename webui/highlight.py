"""Marking query terms in a whole document for the reading view.

The engine highlights the best passages of a hit; the reading view shows every paragraph, so it
marks the engine's matched terms (``SearchResults.terms``) itself. Output is escaped text with
only ``<mark>`` added, the same contract as the engine's passages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from markupsafe import Markup, escape

#: Characters the engine ignores when matching (whitespace inside a phrase does not hide it).
_GAP = r"\s*"


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def term_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One regex matching any term, longest first, tolerant of whitespace between characters.

    Terms arrive normalised (NFKC, case-folded). Paragraph text is matched after the same
    NFKC folding, character by character, so offsets stay aligned with the original text when
    folding keeps lengths (it does for the full-width forms and Latin letters seen in these
    documents; when it does not, the paragraph is shown unmarked rather than marked wrongly).
    """
    cleaned = sorted({"".join(t.split()) for t in terms if t and t.strip()}, key=len, reverse=True)
    if not cleaned:
        return None
    alternatives = [_GAP.join(re.escape(ch) for ch in term) for term in cleaned]
    return re.compile("|".join(alternatives))


def mark_text(text: str, pattern: re.Pattern[str] | None) -> tuple[Markup, int]:
    """Escape ``text`` and wrap the pattern's matches in ``<mark>``; return (html, matches)."""
    if pattern is None:
        return escape(text), 0
    folded = "".join(_fold(ch) if len(_fold(ch)) == 1 else ch for ch in text)
    if len(folded) != len(text):  # pragma: no cover - defensive, per-character fold keeps length
        return escape(text), 0
    pieces: list[str] = []
    last = 0
    count = 0
    for match in pattern.finditer(folded):
        start, end = match.span()
        if start == end:
            continue
        pieces.append(str(escape(text[last:start])))
        pieces.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
        count += 1
    pieces.append(str(escape(text[last:])))
    return Markup("".join(pieces)), count


def passage_text(html: str) -> str:
    """Plain text of an engine passage (escaped text with ``<mark>``), for CSV and feeds."""
    return Markup(html.replace("<mark>", "").replace("</mark>", "")).unescape()
