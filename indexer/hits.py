"""Building hits: what a search result shows of a stored document.

Data only: titles and passages are plain text with match spans (indexer/highlight.py);
every front end formats them.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np

from indexer.api import Copy, Hit, Passage, SearchRequest
from indexer.document import Document
from indexer.highlight import best_passages, highlight
from indexer.view import View


def stored(view: View, docnum: int) -> Document:
    """The stored Document of a global document number."""
    return Document.from_json(zlib.decompress(view.searcher.stored_fields(docnum)["doc"]).decode("utf-8"))


def make_hit(view: View, i: int, score: float, strings: Sequence[str], request: SearchRequest) -> Hit:
    """One result: the stored document's fields, its folded copies, its best passages as text
    and match spans (front ends mark them)."""
    doc = stored(view, i)
    copies = copies_of(view, i) if request.collapse else []
    duplicates = [c.source for c in copies]
    duplicates += [s for s in doc.other_sources if s not in duplicates and s != doc.source]
    passages = [Passage(n, text, spans) for n, text, spans in best_passages(doc.paragraphs, strings, request.passages)]
    return Hit(
        id=doc.id,
        title=doc.display_title,
        source=doc.source,
        publisher=doc.publisher,
        published=doc.published.isoformat() if doc.published else None,
        doc_number=doc.doc_number,
        region=doc.region.display() or None,
        score=round(score, 4),
        duplicates=duplicates,
        passages=passages,
        doc_type=doc.doc_type,
        year=doc.effective_year,
        title_spans=highlight(doc.display_title, strings),
        copies=copies,
        deleted=doc.deleted,
        version_of=doc.version_of,
        captured=doc.captured.isoformat() if doc.captured else None,
    )


def copies_of(view: View, i: int, limit: int = 20) -> list[Copy]:
    """The other live documents of ``i``'s copy group, oldest document number first."""
    if not view.shared[i]:
        return []  # no other document in its group (most documents): no scan of the view
    same = np.flatnonzero((view.dup == view.dup[i]) & view.live & view.current)
    out = []
    for j in same.tolist()[: limit + 1]:
        if j != i and len(out) < limit:
            other = stored(view, j)
            out.append(Copy(id=other.id, title=other.display_title, source=other.source))
    return out
