"""Marking query matches in a whole document for the reading view, and the reverse for exports.

The engine highlights the best passages of a hit; the reading view shows every paragraph, so it
asks the engine's own highlighter (:mod:`indexer.highlight`) to mark the matched strings of the
query (``SearchResults.terms``) in each paragraph. Same normalisation as search (NFKC, case,
traditional → simplified, whitespace inside a phrase), so what the search matched is what the
reader sees marked. Output is escaped text with only ``<mark>`` added.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markupsafe import Markup, escape

from indexer.highlight import find_spans, mark

_MARK_SPLIT = re.compile(r"(</?mark>)")


def safe_marked(html: str | None) -> Markup:
    """Engine HTML (escaped text + ``<mark>``) as Markup, re-checked rather than trusted.

    The engine promises escaped text; this re-escapes each text run after unescaping it,
    which leaves correct input unchanged and neutralises anything that slipped through, and
    it keeps ``<mark>`` tags balanced so a stray one cannot swallow the rest of the page.
    """
    if not html:
        return Markup("")
    out: list[str] = []
    open_mark = False
    for piece in _MARK_SPLIT.split(html):
        if piece == "<mark>":
            if not open_mark:
                out.append(piece)
                open_mark = True
        elif piece == "</mark>":
            if open_mark:
                out.append(piece)
                open_mark = False
        elif piece:
            out.append(str(escape(Markup(piece).unescape())))
    if open_mark:
        out.append("</mark>")
    return Markup("".join(out))


def mark_text(text: str, terms: Sequence[str]) -> tuple[Markup, int]:
    """Escape ``text`` and wrap every match of ``terms`` in ``<mark>``; return (html, matches)."""
    if not terms:
        return escape(text), 0
    spans, _distinct = find_spans(text, list(terms))
    return safe_marked(mark(text, spans)), len(spans)


def passage_text(html: str) -> str:
    """Plain text of an engine passage (escaped text with ``<mark>``), for CSV and feeds."""
    return Markup(html.replace("<mark>", "").replace("</mark>", "")).unescape()
