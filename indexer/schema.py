"""The Whoosh schema: what Whoosh stores of each document (see indexer/whoosh_backend.py).

  id    the document id (unique: adding an id again replaces the document)
  doc   stored: the whole Document as deflated JSON

Everything derived from a document lives in files beside its segment, written from what the
preparation workers computed (indexer/segment.py): the character index (``.gsx``), the word
postings (``.gsw``) and the per-document values (``.gsm``). Whoosh gives the segments, the
atomic commits, the writer lock, deletions and the stored documents.
"""

from __future__ import annotations

from whoosh import fields


def make_schema() -> fields.Schema:
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        doc=fields.STORED(),
    )
