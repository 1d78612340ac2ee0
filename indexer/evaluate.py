"""Query evaluation: the query AST (indexer/query.py) to a mask over one index generation.

Every string is an exact substring test on the segment character indexes (indexer/textindex.py);
同句/同段 and ``section:`` intersect sentence or paragraph units; masks of strings and units are
cached per generation (later pages, refinements and other queries with the same string reuse
them). Functions of a :class:`indexer.view.View`, holding no state of their own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from indexer.api import QueryError
from indexer.query import And, MatchAll, Near, Node, Not, Option, Or, Range, Section, Term
from indexer.sections import PART_CODES
from indexer.textindex import choose_anchor
from indexer.view import View

TERM_CACHE_SIZE = 128  # string → match mask per index generation (a mask is 1 byte a document)
#: A string not seen before is looked up in the candidates alone (and its mask not kept) when
#: they are fewer than this share of the documents: ``year:2022 依法决策`` reads a tenth of the
#: index instead of all of it. A lookup in the candidates costs about twice as much per
#: document as one over every document (two searches per document range instead of one),
#: so it pays below about half.
FEW_CANDIDATES = 0.5


def cached(view: View, key: tuple[Any, ...], compute: Callable[[], np.ndarray]) -> np.ndarray:
    """A match mask over the whole index, remembered for this index generation: later
    queries (other pages, refinements, the same string in another query) reuse it."""
    full = view.term_cache.get(key)
    if full is not None:
        view.term_cache.move_to_end(key)
        return full
    full = compute()
    view.term_cache[key] = full
    while len(view.term_cache) > TERM_CACHE_SIZE:
        view.term_cache.popitem(last=False)
    return full


def term(view: View, node: Term, within: np.ndarray) -> np.ndarray:
    key = ("term", node.field, node.text)
    if (node.field in (None, "title") and key not in view.term_cache
            and np.count_nonzero(within) < FEW_CANDIDATES * view.size):
        return term_mask(view, node, within)  # looked up in the candidates only (not kept)
    return cached(view, key, lambda: term_mask(view, node)) & within


def term_mask(view: View, node: Term, within: np.ndarray | None = None) -> np.ndarray:
    """The documents that contain the string (in ``within`` only, when given)."""
    text = node.text
    if node.field is None:
        mask = view.segment_docs(lambda k, docs: view.texts[k].doc_hits(text, docs), within)
    elif node.field == "title":
        mask = view.segment_docs(lambda k, docs: view.texts[k].title_docs(text, docs), within)
    else:
        key = {"publisher": "publisher_n", "docno": "docno", "region": "region_n", "type": "type_n",
               "status": "status"}[node.field]
        mask = view.strings_containing(key, text)
    return mask & view.live


def near_mask(view: View, terms: tuple[str, ...], unit: str) -> np.ndarray:
    """Documents where one body sentence (``unit="sentence"``) or paragraph holds every term."""

    def compute() -> np.ndarray:
        # One string (textindex.choose_anchor) anchors the search in every segment:
        # near_docs skips documents without it for free, and settles those without one of
        # the others in its batch.
        # Masks of the other strings first would cost more than they save (measured at
        # 100,000 documents: 同句(审结 依法受理) 34 → 26 ms, 同段(执法人员 考评 考试) 59 → 34 ms).
        anchor = choose_anchor(terms, lambda t: sum(seg.rarity(t) for seg in view.texts))
        return view.segment_docs(lambda k, docs: view.texts[k].near_docs(terms, unit, docs, anchor),
                                 view.live) & view.live

    return cached(view, ("near", unit, terms), compute)


def tiers(view: View, docnums: np.ndarray, terms: tuple[str, ...]) -> np.ndarray:
    """Proximity tier of each document: 2 if one sentence holds every term, 1 if one
    paragraph does, else 0 — looking only at these documents' occurrences (or at a
    同句/同段 answer over the same terms that is already known)."""
    tier = np.zeros(view.size, dtype=np.float64)
    known = {unit: view.term_cache.get(("near", unit, terms)) for unit in ("paragraph", "sentence")}
    for unit, value in (("paragraph", 1.0), ("sentence", 2.0)):
        if known[unit] is not None:
            tier[known[unit]] = value
    todo = np.zeros(view.size, dtype=bool)
    todo[docnums[tier[docnums] < 2]] = True
    if known["paragraph"] is None:
        todo = view.segment_docs(lambda k, docs: view.texts[k].near_docs(terms, "paragraph", docs), todo)
        tier[todo] = 1.0  # no paragraph holds every term elsewhere: no sentence either
    else:
        todo &= tier >= 1
    if known["sentence"] is None and todo.any():
        tier[view.segment_docs(lambda k, docs: view.texts[k].near_docs(terms, "sentence", docs), todo)] = 2.0
    return tier[docnums]


def near(view: View, node: Near, within: np.ndarray) -> np.ndarray:
    return near_mask(view, tuple(node.terms), node.unit) & within


# ----------------------------------------------------------------------------- section: (report parts)


def scope_codes(scope: frozenset[str]) -> np.ndarray:
    return np.array(sorted(int(PART_CODES[p]) for p in scope), dtype=np.uint8)


def has_parts_mask(view: View, scope: frozenset[str]) -> np.ndarray:
    """Documents with at least one paragraph in one of the parts."""

    codes = scope_codes(scope)

    def find(k: int, _docs: np.ndarray | None) -> np.ndarray:
        data = view.data[k]
        return data.text.unit_docs(np.flatnonzero(np.isin(data.para_part(), codes)), "paragraph")

    def compute() -> np.ndarray:
        return view.segment_docs(find) & view.live

    return cached(view, ("has-parts", scope), compute)


def scoped_mask(view: View, terms: tuple[str, ...], unit: str, scope: frozenset[str]) -> np.ndarray:
    """Documents where one body paragraph of the parts holds every term (``unit`` =
    "paragraph": one term is a plain string there), or one sentence of such a paragraph does."""

    codes = scope_codes(scope)

    def find(k: int, docs: np.ndarray | None) -> np.ndarray:
        data = view.data[k]
        seg = data.text
        ids = seg.common_units(terms, unit, docs)
        if unit == "sentence" and len(ids):
            paragraphs = np.searchsorted(seg.para_starts, seg.sent_starts[ids], side="right") - 1
        else:
            paragraphs = ids
        keep = ids[np.isin(data.para_part()[paragraphs], codes)] if len(ids) else ids
        return seg.unit_docs(keep, unit)

    def compute() -> np.ndarray:
        candidates = has_parts_mask(view, scope)
        for string in terms:
            candidates = term(view, Term(string), candidates)
        return view.segment_docs(find, candidates) & view.live

    return cached(view, ("scoped", scope, unit, terms), compute)


def _cost_rank(view: View, node: Node) -> tuple[int, int]:
    """Where a positive child of an AND goes: ranges, field values, then strings by how
    many candidates their rarest pair has (the index's counts, no lookup), then the rest."""
    if isinstance(node, Range):
        return 0, 0
    if isinstance(node, Term):
        if node.field not in (None, "title"):
            return 1, 0
        return 2, sum(seg.rarity(node.text) for seg in view.texts)
    return 3, 0


def evaluate(view: View, node: Node, within: np.ndarray, scope: frozenset[str] | None = None) -> np.ndarray:
    """The documents among ``within`` that match ``node``; ``scope``: the report parts a
    ``section:`` query restricts its strings to."""
    if isinstance(node, Section):
        return evaluate(view, node.child, within & has_parts_mask(view, node.parts), node.parts)
    if scope is not None:
        # Text inside the parts: each string within one paragraph of them (同段/同句 too).
        if isinstance(node, Term) and node.field is None:
            return scoped_mask(view, (node.text,), "paragraph", scope) & within
        if isinstance(node, Near):
            return scoped_mask(view, tuple(node.terms), node.unit, scope) & within
    if isinstance(node, MatchAll | Option):
        return within.copy()
    if isinstance(node, Term):
        return term(view, node, within)
    if isinstance(node, Near):
        return near(view, node, within)
    if isinstance(node, Range):
        values = view.years if node.field == "year" else view.dates
        mask = within & (values > 0)
        if node.low is not None:
            mask &= values >= node.low
        if node.high is not None:
            mask &= values <= node.high
        return mask
    if isinstance(node, Not):
        return within & ~evaluate(view, node.child, within, scope)
    if isinstance(node, Or):
        out = np.zeros(view.size, dtype=bool)
        for child in node.children:
            out |= evaluate(view, child, within & ~out, scope)
        return out
    if isinstance(node, And):
        # Ranges first, then strings rarest first (each narrows the candidates the next is
        # looked up in), then the rest; negations last.
        ordered = sorted(node.children, key=lambda c: (isinstance(c, Not), _cost_rank(view, c)))
        mask = within
        for child in ordered:
            mask = evaluate(view, child, mask, scope)
            if not mask.any():
                break
        return mask
    raise QueryError(f"不支持的查询结构 {type(node).__name__}")
