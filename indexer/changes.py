"""What happened to a crawled document and when: the change feed's events.

Derived from the document alone (its capture times, its versions and the crawler's flags),
so that the index can answer "what changed on these sites since Monday" from per-document
values without a second store, and ``reindex`` rebuilds the feed with the documents.
"""

from __future__ import annotations

from indexer.document import GONE_AT_KEY, MOVED_AT_KEY, Document

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
