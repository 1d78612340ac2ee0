"""Passages: the best paragraphs of a hit, HTML-escaped, with exact matches in ``<mark>``.

Whoosh's term highlighter marks stray single characters on a character field and cannot do
phrases in Chinese, so matches are found here with plain substring search on the normalised
paragraph and mapped back to the raw text (see analysis.normalize_with_offsets).
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from indexer.analysis import normalize, normalize_with_offsets

WINDOW = 160  # characters of context kept around the matches of a long paragraph


@dataclass
class ParagraphMatch:
    number: int  # 1-based
    spans: list[tuple[int, int]]  # raw-text spans to mark, sorted, non-overlapping
    distinct: int  # how many different query strings occur


def find_spans(text: str, strings: Sequence[str]) -> tuple[list[tuple[int, int]], int]:
    """Raw-text spans of every occurrence of the (normalised) strings, merged; and how many
    different strings occurred."""
    norm, offsets = normalize_with_offsets(text)
    spans: list[tuple[int, int]] = []
    distinct = 0
    for s in strings:
        start = norm.find(s)
        if start >= 0:
            distinct += 1
        while start >= 0:
            end = start + len(s)
            spans.append((offsets[start], offsets[end - 1] + 1))
            start = norm.find(s, start + 1)
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged, distinct


def mark(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """Escape ``text`` and wrap the spans in <mark>."""
    out: list[str] = []
    pos = 0
    for a, b in spans:
        out.append(html.escape(text[pos:a]))
        out.append("<mark>" + html.escape(text[a:b]) + "</mark>")
        pos = b
    out.append(html.escape(text[pos:]))
    return "".join(out)


def highlight(text: str, strings: Sequence[str]) -> str:
    spans, _ = find_spans(text, strings)
    return mark(text, spans)


def _window(text: str, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """Trim a long paragraph to the window that shows the most matches, with ellipses."""
    if len(text) <= WINDOW * 1.5:
        return text, spans
    first = spans[0][0] if spans else 0
    if spans:
        # The window starting a little before some match that covers the most spans.
        def covered(anchor: int) -> int:
            lo = max(0, anchor - WINDOW // 4)
            return sum(1 for a, b in spans if a >= lo and b <= lo + WINDOW)

        first = max((a for a, _ in spans), key=lambda a: (covered(a), -a))
    start = max(0, first - WINDOW // 4)
    end = min(len(text), start + WINDOW)
    kept = [(max(a, start) - start, min(b, end) - start) for a, b in spans if a < end and b > start]
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    shift = len(prefix)
    return prefix + text[start:end] + suffix, [(a + shift, b + shift) for a, b in kept]


def best_passages(
    paragraphs: Sequence[str], strings: Sequence[str], limit: int, normalized: Sequence[str] | None = None
) -> list[tuple[int, str]]:
    """Up to ``limit`` (paragraph number, html) pairs: most distinct strings first, then most
    matches, then earliest. Without strings (a browse), the opening paragraph.

    ``normalized`` may give the paragraphs' match text when the caller already has it."""
    if limit <= 0 or not paragraphs:
        return []
    if not strings:
        text, _ = _window(paragraphs[0], [])
        return [(1, html.escape(text))]
    # Rank paragraphs on their normalised text (one C-level translate each); map offsets back
    # to the raw text only for the few paragraphs shown.
    ranked: list[tuple[int, int, int]] = []
    if normalized is None or len(normalized) != len(paragraphs):
        normalized = [normalize(p) for p in paragraphs]
    for i, norm in enumerate(normalized):
        counts = [norm.count(s) for s in strings]
        distinct = sum(1 for c in counts if c)
        if distinct:
            ranked.append((-distinct, -sum(counts), i + 1))
    ranked.sort()
    found: list[ParagraphMatch] = []
    for neg_distinct, _, number in ranked[:limit]:
        spans, _ = find_spans(paragraphs[number - 1], strings)
        found.append(ParagraphMatch(number, spans, -neg_distinct))
    out = []
    for m in found[:limit]:
        text, spans = _window(paragraphs[m.number - 1], m.spans)
        out.append((m.number, mark(text, spans)))
    return out
