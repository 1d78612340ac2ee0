"""What happened to a crawled document and when: the change feed's events.

Derived from the document alone (its capture times, its versions and the crawler's flags),
so that the index can answer "what changed on these sites since Monday" from per-document
values without a second store, and ``reindex`` rebuilds the feed with the documents.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from indexer.api import Change
from indexer.document import GONE_AT_KEY, MOVED_AT_KEY, Document

if TYPE_CHECKING:
    from indexer.query import Node
    from indexer.view import View

#: Event kinds in feed order, with their Chinese labels.
KINDS = {"new": "新增", "changed": "修改", "moved": "迁移", "deleted": "删除"}


def events(doc: Document) -> list[tuple[str, str]]:
    """(ISO time, kind) of every change of a crawled current document, oldest first."""
    if doc.version_of or doc.captured is None:
        return []
    times = [v.captured for v in doc.versions] + [doc.captured.isoformat()]
    out: list[tuple[str, str]] = []
    if times[0]:
        out.append((times[0], "new"))
    out.extend((t, "changed") for t in times[1:] if t)
    if doc.extra.get(MOVED_AT_KEY):
        out.append((doc.extra[MOVED_AT_KEY], "moved"))
    if doc.extra.get(GONE_AT_KEY):
        out.append((doc.extra[GONE_AT_KEY], "deleted"))
    return sorted(out)


def feed(view: View, node: Node, since: str, *, site: str | None, limit: int,
         stored: Callable[[int], Document]) -> list[Change]:
    """The events at or after ``since`` of the current documents that match ``node`` (and
    ``site``), newest first: the events are per-document values, so this is one pass over the
    matching documents' metadata."""
    from indexer.evaluate import evaluate
    from indexer.query import MatchAll

    mask = view.live & view.current
    if site:
        mask &= view.facets["site"].mask([site])
    if not isinstance(node, MatchAll):
        mask = evaluate(view, node, mask)
    found = [(at, kind, i) for i in np.flatnonzero(mask).tolist()
             for at, kind in view.value("ev", i) if at >= since]
    found.sort(key=lambda e: (e[0], e[2]), reverse=True)
    out = []
    for at, kind, i in found[:limit]:
        doc = stored(i)
        detail = {"deleted": doc.extra.get("gone", ""), "moved": doc.extra.get("moved", "")}.get(kind, "")
        out.append(Change(kind=kind, at=at, id=doc.id, title=doc.display_title,
                          source=doc.source, site=doc.site, detail=detail))
    return out
