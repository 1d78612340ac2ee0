"""Exact Chinese full-text search over a jieba + Whoosh index.

Public entry points: :func:`open_index`, the data classes in :mod:`indexer.api` and
:class:`indexer.document.Document`.
"""

from indexer.api import (
    FACETS,
    Change,
    Copy,
    FacetValue,
    Hit,
    IndexReport,
    Passage,
    QueryError,
    SearchBackend,
    SearchRequest,
    SearchResults,
)
from indexer.document import Attachment, Document, Region, make_id

__all__ = [
    "FACETS", "Attachment", "Change", "Copy", "Document", "FacetValue", "Hit", "IndexReport", "Passage",
    "QueryError", "Region", "SearchBackend", "SearchRequest", "SearchResults", "make_id",
    "open_index",
]


def open_index(data_dir, *, readonly: bool = False) -> SearchBackend:
    """Open (creating if needed) the embedded Whoosh index under ``data_dir/index``."""
    from indexer.whoosh_backend import WhooshBackend

    return WhooshBackend(data_dir, readonly=readonly)
