"""Passages: the best paragraphs of a hit, as plain text with the spans of exact matches.

The engine returns data: text and offsets. Front ends mark them (webui: ``<mark>`` in escaped
HTML; feeds and CSV: plain text; the CLI: brackets).

Whoosh's term highlighter marks stray single characters on a character field and cannot do
phrases in Chinese, so matches are found here with plain substring search on the normalised
paragraph and mapped back to the raw text (see analysis.normalize_with_offsets).
"""

from __future__ import annotations

from collections.abc import Sequence

from indexer.analysis import normalize_all, normalize_with_offsets

WINDOW = 160  # characters of context kept around the matches of a long paragraph


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


def highlight(text: str, strings: Sequence[str]) -> list[tuple[int, int]]:
    """The spans of ``strings`` in ``text`` (a title, a paragraph)."""
    spans, _ = find_spans(text, strings)
    return spans


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
) -> list[tuple[int, str, list[tuple[int, int]]]]:
    """Up to ``limit`` (paragraph number, text, match spans): most distinct strings first, then
    most matches, then earliest. Without strings (a browse), the opening paragraph.

    ``normalized`` may give the paragraphs' match text when the caller already has it."""
    if limit <= 0 or not paragraphs:
        return []
    if not strings:
        text, _ = _window(paragraphs[0], [])
        return [(1, text, [])]
    # Rank paragraphs on their normalised text (one lookup of every character); map offsets back
    # to the raw text only for the few paragraphs shown.
    ranked: list[tuple[int, int, int]] = []
    if normalized is None or len(normalized) != len(paragraphs):
        normalized = normalize_all(paragraphs)
    for i, norm in enumerate(normalized):
        counts = [norm.count(s) for s in strings]
        distinct = sum(1 for c in counts if c)
        if distinct:
            ranked.append((-distinct, -sum(counts), i + 1))
    ranked.sort()
    out = []
    for _neg_distinct, _, number in ranked[:limit]:
        spans, _ = find_spans(paragraphs[number - 1], strings)
        text, spans = _window(paragraphs[number - 1], spans)
        out.append((number, text, spans))
    return out
