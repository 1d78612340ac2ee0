"""Marking query matches as HTML: the engine gives text and match spans, the web layer marks.

Hits and passages carry plain text plus ``[start, end)`` spans (indexer.highlight); the reading
view shows every paragraph, so it asks the engine's own span finder to mark the matched strings
of the query (``SearchResults.terms``) in each one. Same normalisation as search (NFKC, case,
traditional → simplified, whitespace inside a phrase), so what the search matched is what the
reader sees marked. Output is escaped text with only ``<mark>`` added.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from indexer.highlight import find_spans


def mark(text: str | None, spans: Sequence[Sequence[int]] = ()) -> Markup:
    """Escape ``text`` and wrap the spans in ``<mark>`` (spans out of range or overlapping are
    clipped, so bad input can never unbalance the page)."""
    text = text or ""
    out: list[str] = []
    pos = 0
    for a, b in sorted((max(0, int(a)), min(len(text), int(b))) for a, b in spans):
        if a < pos or b <= a:
            continue
        out.append(str(escape(text[pos:a])))
        out.append("<mark>" + str(escape(text[a:b])) + "</mark>")
        pos = b
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def mark_text(text: str, terms: Sequence[str]) -> tuple[Markup, int]:
    """Escape ``text`` and wrap every match of ``terms`` in ``<mark>``; return (html, matches)."""
    if not terms:
        return escape(text), 0
    spans, _distinct = find_spans(text, list(terms))
    return mark(text, spans), len(spans)
