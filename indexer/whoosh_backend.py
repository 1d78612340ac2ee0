"""The embedded backend: Whoosh stores and commits, numpy evaluates.

This module wires the parts to Whoosh storage: documents are prepared in worker processes
(indexer/prepare.py), committed through Whoosh with their derived per-segment files, read back
as per-segment data and one view per generation (indexer/view.py), matched by
indexer/evaluate.py and ordered by indexer/ranking.py.

Whoosh gives durable segments, atomic commits, a writer lock, word postings and
per-document columns. Query evaluation does not use Whoosh's matchers: exact substring
semantics come from a positional character-bigram index kept beside each segment
(indexer.textindex, ``<segment>.gsx``), and facets over every match need vectorised
counting. Both work over per-segment data cached by segment id — Whoosh segments never
change once written, so the cache is only ever extended, never invalidated (deletions are
a separate per-generation mask).

The stored fields are listed in indexer/schema.py.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
from whoosh import index as windex

from indexer import changes as change_feed
from indexer import formatfile, hits, whoosh_patches
from indexer.api import (
    MAX_LIMIT,
    SORTS,
    Change,
    Copy,
    IndexReport,
    QueryError,
    SearchRequest,
    SearchResults,
)
from indexer.document import Document
from indexer.evaluate import evaluate, tiers
from indexer.facets import BY_VALUE, Counted, count_facets, filter_mask
from indexer.query import MatchAll, Node, has_option, parse_query, positive_strings
from indexer.ranking import DEFAULT_BM25F, DEFAULT_PROXIMITY, by_score
from indexer.schema import make_schema
from indexer.segment import SegmentData, load_segment
from indexer.view import View
from indexer.writer import IndexWriter

whoosh_patches.apply()


INDEX_NAME = "govsearch"

RESULT_CACHE_SIZE = 16  # ranked results per index generation: paging is a cache hit


# ----------------------------------------------------------------------------- the backend


class WhooshBackend:
    """The embedded search backend (implements indexer.api.SearchBackend)."""

    def __init__(self, data_dir: str | os.PathLike[str], *, readonly: bool = False, workers: int | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / "index"
        self.readonly = readonly
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self.path.mkdir(parents=True, exist_ok=True)
        format_file = self.path / "FORMAT"
        if windex.exists_in(str(self.path), indexname=INDEX_NAME):
            self.ix = windex.open_dir(str(self.path), indexname=INDEX_NAME)
            reason = formatfile.mismatch(format_file)
            if reason is None and set(self.ix.schema.names()) != set(make_schema().names()):
                reason = f"索引字段与本版本不同；{formatfile.REBUILD}"
            if reason is not None:
                raise QueryError(f"索引 {self.path} 不能使用：{reason}")
        else:
            self.ix = windex.create_in(str(self.path), make_schema(), indexname=INDEX_NAME)
            formatfile.write(format_file)
        self._lock = threading.RLock()
        self._searcher: Any = None
        self._view: View | None = None
        self._checked = 0.0
        self._segments: dict[str, SegmentData] = {}
        self._writer = IndexWriter(self.ix, self.path, readonly=readonly, workers=self.workers, lock=self._lock,
                                   current_view=self._current_view, invalidate=self._invalidate)
        self.bm25f = DEFAULT_BM25F
        self.proximity = DEFAULT_PROXIMITY

    # -- reading -----------------------------------------------------------------

    def _invalidate(self) -> None:
        self._checked = 0.0  # a commit happened: check for a new generation on the next read

    def _current_view(self) -> View:
        """The view of the latest committed generation (checked at most every 0.2 s)."""
        now = time.monotonic()
        if self._searcher is None:
            self._searcher = self.ix.searcher()
        elif (self._checked == 0.0 or now - self._checked > 0.2) and not self._searcher.up_to_date():
            # Not searcher.refresh(): it reuses segment readers whose cached deletion sets
            # predate the commit, so replaced documents would stay visible.
            self._searcher.close()
            self._searcher = self.ix.searcher()
            self._view = None
        self._checked = now
        if self._view is None or self._view.searcher is not self._searcher:
            self._view = View(self._searcher, self._segments,
                               lambda leaf: load_segment(leaf, self.path, writable=not self.readonly))
            live_ids = set(self._view.segment_ids)
            for seg_id in list(self._segments):
                if seg_id not in live_ids:
                    del self._segments[seg_id]
        return self._view

    # -- public API ---------------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResults:
        started = time.perf_counter()
        if request.sort not in SORTS:
            raise QueryError(f"未知的排序方式 {request.sort!r}（可用：{'、'.join(SORTS)}）")
        if not 0 <= request.limit <= MAX_LIMIT or request.offset < 0:
            raise QueryError(f"每页条数应在 0–{MAX_LIMIT} 之间，偏移量不能为负")
        node = parse_query(request.query)
        strings = positive_strings(node)
        with self._lock:
            view = self._current_view()
            key = (request.query, tuple(sorted((k, tuple(v)) for k, v in request.filters.items())),
                   request.sort, request.collapse, request.facets, request.all_versions)
            cached = view.results.get(key)
            if cached is None:
                cached = self._ranked(view, node, strings, request)
                view.results[key] = cached
                while len(view.results) > RESULT_CACHE_SIZE:
                    view.results.popitem(last=False)
            else:
                view.results.move_to_end(key)
            ids, scores, counted = cached
            facets = {k: view.facets[k].values_of(c, request.facet_limit, by_value=k in BY_VALUE)
                      for k, c in counted.items()}
            totals = {k: len(c[0]) for k, c in counted.items()}
            page = ids[request.offset : request.offset + request.limit]
            page_scores = scores[request.offset : request.offset + request.limit]
            page_hits = [hits.make_hit(view, int(i), float(s), strings, request)
                         for i, s in zip(page, page_scores, strict=True)]
        return SearchResults(
            query=request.query,
            total=len(ids),
            took_ms=round((time.perf_counter() - started) * 1000, 2),
            hits=page_hits,
            facets=facets,
            terms=strings,
            facet_totals=totals,
        )

    def _ranked(self, view: View, node: Node, strings: list[str],
                request: SearchRequest) -> tuple[np.ndarray, np.ndarray, dict[str, Counted]]:
        """Every matching document in result order, with scores and facet counts.

        Independent of the page asked for, so that paging through a result is a cache hit.

        Facets are disjunctive, all from this one call: the query is evaluated and ranked
        once without the filters; the hits are the ranked matches inside every filter, folded;
        a filtered facet is counted over the ranked matches inside every *other* facet's
        filter, folded again (OR within a facet, AND across facets). Folding rule: a copy
        group is represented by its best-ranked document among those that pass the filters
        in force for what is being counted, current before earlier versions — the same
        document a search with exactly those filters would show. So the publisher counts of
        a group whose copies have two publishers follow the copy that ranks first with the
        publisher filter off, as the old one-search-per-facet counts did.
        """
        base = view.live.copy()
        if not (request.all_versions or has_option(node, "versions", "all")):
            base &= view.current  # earlier versions of changed pages only when asked for
        filtered = {k: v for k, v in request.filters.items() if v}
        fmask = filter_mask(view.facets, request.filters, view.size)
        disjunctive = request.facets and bool(filtered)
        # Without per-facet counts to make, the filters narrow the evaluation itself (cheaper).
        within = base if disjunctive else base & fmask
        mask = evaluate(view, node, within) if view.size else within
        ids = np.flatnonzero(mask)
        if request.sort == "relevance" and strings:
            scores = self.bm25f.scores(view, ids, strings)
            order = by_score(view, ids, scores)
        else:
            scores = np.zeros(len(ids))
            order = view.ordered(ids, view.oldest_first if request.sort == "date" else view.newest_first)
        ids, scores = ids[order], scores[order]

        def folded(keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            """The ranked matches in ``keep`` (a mask over all documents), one per copy group:
            its best-ranked current document, else (only earlier versions matched) its
            best-ranked earlier version."""
            chosen = keep[ids]
            kept_ids, kept_scores = ids[chosen], scores[chosen]
            if not request.collapse or not len(kept_ids):
                return kept_ids, kept_scores
            shared = view.shared[kept_ids]  # only documents with copies need folding
            if not shared.any():
                return kept_ids, kept_scores
            sub = np.flatnonzero(shared)
            groups = view.dup[kept_ids[sub]]
            by_group = np.lexsort((sub, ~view.current[kept_ids[sub]], groups))
            starts = np.flatnonzero(np.r_[True, groups[by_group][1:] != groups[by_group][:-1]])
            keep_rank = ~shared
            keep_rank[sub[by_group[starts]]] = True
            first = np.flatnonzero(keep_rank)
            return kept_ids[first], kept_scores[first]

        hit_ids, hit_scores = folded(fmask)
        facets: dict[str, Counted] = {}
        if request.facets:
            for key, column in view.facets.items():
                counted_ids = hit_ids
                if key in filtered:
                    counted_ids, _ = folded(filter_mask(view.facets, request.filters, view.size, skip=key))
                facets[key] = column.count(counted_ids)
        if request.sort == "relevance":
            hit_ids, hit_scores = self.proximity.rerank(view, hit_ids, hit_scores, strings, tiers)
        # Kept in the result cache: 8 bytes a hit instead of 16.
        return hit_ids.astype(np.int32), hit_scores.astype(np.float32), facets

    def copies(self, doc_id: str) -> list[Copy]:
        with self._lock:
            view = self._current_view()
            i = view.by_id.get(doc_id)
            return hits.copies_of(view, i) if i is not None else []

    def get(self, doc_id: str) -> Document | None:
        with self._lock:
            view = self._current_view()
            i = view.by_id.get(doc_id)
            return hits.stored(view, i) if i is not None else None

    def changes(self, since: str, *, site: str | None = None, query: str = "",
                limit: int = 500) -> list[Change]:
        """The change feed since ``since`` (indexer/changes.py), newest first."""
        node = parse_query(query) if query else MatchAll()
        with self._lock:
            view = self._current_view()
            return change_feed.feed(view, node, since, site=site, limit=limit,
                                    stored=lambda i: hits.stored(view, i))

    def iter_documents(self) -> Iterator[Document]:
        with self._lock:
            view = self._current_view()
            docnums = np.flatnonzero(view.live).tolist()
        for i in docnums:
            with self._lock:
                yield hits.stored(view, i)

    def stats(self) -> dict[str, Any]:
        with self._lock:
            view = self._current_view()
            all_ids = np.flatnonzero(view.live)
            size = sum(f.stat().st_size for f in self.path.iterdir() if f.is_file())
            return {
                "documents": view.live_count,
                "earlier_versions": int(np.count_nonzero(view.live & ~view.current)),
                "segments": len(view.leaves),
                "index_bytes": size,
                "index_path": str(self.path),
                "generation": self.ix.latest_generation(),
                "facets": {k: [v.__dict__ for v in vals] for k, vals in count_facets(view.facets, all_ids).items()},
            }

    # -- writing ------------------------------------------------------------------------

    def add(self, documents: Iterable[Document], progress: Callable[[int], None] | None = None,
            batch_size: int = 1000) -> IndexReport:
        """Add or replace documents; commits every ``batch_size`` documents (indexer/writer.py)."""
        return self._writer.add(documents, progress, batch_size)

    def delete(self, ids: Iterable[str]) -> int:
        return self._writer.delete(ids)

    def close(self) -> None:
        with self._lock:
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            self._view = None
