"""Preparing a document for the index: everything expensive, done in worker processes.

Normalised text and paragraph offsets (the character index), rjieba word counts (BM25F),
the MinHash signature (near-duplicates), facet and sort values, each paragraph's report part,
and the deflated stored JSON. Pure functions of the Document: the writer (indexer/writer.py)
runs them in a process pool and only commits what they return.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from indexer import changes, dedup, wordindex
from indexer.analysis import normalize, normalize_all, words, words_of_all
from indexer.document import Document
from indexer.facets import facet_values
from indexer.sections import is_annual_report, outline


def fingerprint(doc: Document) -> str:
    d = doc.to_dict()
    for volatile in ("captured", "capture_sha256"):
        d.pop(volatile, None)
    return hashlib.sha256(json.dumps(d, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:24]


def prepare(doc: Document) -> dict[str, Any]:
    """Everything expensive about indexing one document; runs in worker processes."""
    ntitle = normalize(doc.title or "")
    nparas = normalize_all(doc.paragraphs)
    offsets, pos = [], 0
    for p in nparas:
        offsets.append(pos)
        pos += len(p)
    nbody = "".join(nparas)
    title_words = words(doc.title or "")
    body_words = words_of_all(doc.paragraphs)
    sig = dedup.signature(nbody)
    # One outline for the 报告结构 facet and the report part of every paragraph (section:).
    report = outline(doc.paragraphs) if is_annual_report(doc) else None
    meta = facet_values(doc, report)
    meta["sp"] = report.codes() if report else ""
    date = doc.published or doc.written
    meta.update(
        id=doc.id,
        source=doc.source,
        date=date.year * 10000 + date.month * 100 + date.day if date else 0,
        docno=normalize(doc.doc_number or ""),
        publisher_n=normalize(doc.publisher or ""),
        region_n=normalize(doc.region.display()),
        type_n=normalize(doc.doc_type or ""),
        ry=str(doc.year or ""),  # the report year the title names: copies never span two
        vof=doc.version_of or "",  # an earlier version: searched only with versions:all
        ev=changes.events(doc),  # (time, kind) for the change feed
        nw=len(body_words),
        ntw=len(title_words),
        fp=fingerprint(doc),
    )
    return {
        "id": doc.id,
        "words": wordindex.count(body_words),
        "title_words": wordindex.count(title_words),
        "sig": sig,
        "text": (ntitle, nbody, tuple(offsets)),
        "meta": meta,
        "doc": zlib.compress(doc.to_json().encode("utf-8"), 6),  # stored deflated: ~40% of the JSON
    }


def prepare_safely(doc: Document) -> tuple[str, dict[str, Any] | None, str | None]:
    try:
        return doc.id, prepare(doc), None
    except Exception as exc:  # one bad document must not stop a run
        return doc.id, None, f"{type(exc).__name__}: {exc}"


def bounded_imap(pool: Any, func: Callable[[Any], Any], items: Iterable[Any], window: int) -> Iterator[Any]:
    """Like ``pool.imap`` but with at most ``window`` items in flight: ``imap`` reads its whole
    input ahead, which for a 100k-file run means every document in memory at once."""
    pending: deque[Any] = deque()
    for item in items:
        pending.append(pool.apply_async(func, (item,)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()
