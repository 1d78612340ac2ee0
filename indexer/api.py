"""The seam between the search engine and everything that uses it.

``crawl``, ``webui`` and the CLI talk to an index only through :class:`SearchBackend` and the
plain data classes here. The embedded Whoosh backend implements it today; an OpenSearch /
Elasticsearch backend would implement the same protocol (see docs/architecture.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from indexer.document import Document

#: Facets every backend must count, in display order.
FACETS: tuple[str, ...] = ("year", "province", "city", "county", "publisher", "doc_type", "site", "parts",
                           "status")

#: The ``status`` facet's value for a document whose page is gone (no value: still online).
DELETED = "已删除"

#: Sort orders: relevance, ``date`` (oldest first) and ``-date`` (newest first).
SORTS: tuple[str, ...] = ("relevance", "date", "-date")

MAX_LIMIT = 1000

#: Values per facet in a response unless a request asks for another limit (``None``: all).
FACET_LIMIT = 50


class QueryError(ValueError):
    """A query the engine cannot run. ``str(err)`` is a one-line message for the user."""


@dataclass(frozen=True)
class SearchRequest:
    query: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # facet → allowed values
    sort: str = "relevance"
    limit: int = 10
    offset: int = 0
    passages: int = 3  # best paragraphs per hit
    facets: bool = True
    collapse: bool = True  # fold near-duplicate documents into one hit
    all_versions: bool = False  # also search earlier versions of changed pages (versions:all)
    #: Values per facet (``None``: every value). ``SearchResults.facet_totals`` says how many
    #: there are, so a cut list is never mistaken for a complete one.
    facet_limit: int | None = FACET_LIMIT


@dataclass
class Copy:
    """Another indexed document with (nearly) the same text: its own id, title and source."""

    id: str
    title: str
    source: str


@dataclass
class Change:
    """One event of the change feed: a document was new, changed, moved or deleted."""

    kind: str  # new / changed / moved / deleted
    at: str  # ISO time of the crawl that saw it
    id: str
    title: str
    source: str
    site: str | None
    detail: str = ""  # the deletion reason, the move, …


@dataclass
class Passage:
    """A paragraph (or a window of a long one, with … at a cut) and where the query matched.
    Plain text and offsets: each front end marks them its own way (HTML, Atom, CSV, terminal)."""

    paragraph: int  # 1-based paragraph number, the #pN anchor
    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)  # [start, end) of each match in text


@dataclass
class Hit:
    id: str
    title: str
    source: str
    publisher: str | None
    published: str | None  # ISO date
    doc_number: str | None
    region: str | None
    score: float
    duplicates: list[str] = field(default_factory=list)  # sources of the folded copies
    passages: list[Passage] = field(default_factory=list)
    doc_type: str | None = None
    year: int | None = None
    title_spans: list[tuple[int, int]] = field(default_factory=list)  # matches in ``title``
    copies: list[Copy] = field(default_factory=list)  # the folded copies, each its own document
    deleted: bool = False  # the page is gone from its site (status:deleted)
    version_of: str | None = None  # an earlier version: the id of the current document
    captured: str | None = None  # ISO capture time (what an earlier version is cited by)


@dataclass
class FacetValue:
    value: str
    count: int


@dataclass
class SearchResults:
    query: str
    total: int
    took_ms: float
    hits: list[Hit] = field(default_factory=list)
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    terms: list[str] = field(default_factory=list)  # the normalised strings that were matched
    #: Distinct values per facet (with the facet's own filter off, like its counts): when it
    #: exceeds ``len(facets[f])`` the list was cut at the request's ``facet_limit``.
    facet_totals: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class IndexReport:
    """What an indexing run did; ``failed`` holds (source, one-line reason)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)
    #: (document id, group id) of documents that joined another document's copy group
    copies: list[tuple[str, str]] = field(default_factory=list)


class SearchBackend(Protocol):
    """What a search engine must offer govsearch. Implementations own their storage."""

    def add(self, documents: Iterable[Document], progress: Any = None) -> IndexReport:
        """Add or replace documents (by id) in one durable commit."""

    def delete(self, ids: Iterable[str]) -> int:
        """Delete documents by id; returns how many existed."""

    def get(self, doc_id: str) -> Document | None: ...

    def copies(self, doc_id: str) -> list[Copy]:
        """Other current documents the near-duplicate detector groups with this one."""

    def changes(self, since: str, *, site: str | None = None, query: str = "",
                limit: int = 500) -> list[Change]:
        """New, changed, moved and deleted documents from ``since`` (ISO date or time) on,
        newest first; optionally of one site and of documents matching ``query``."""

    def search(self, request: SearchRequest) -> SearchResults:
        """Run a query-language string (see indexer.query) with filters, facets and passages."""

    def iter_documents(self) -> Iterator[Document]: ...

    def stats(self) -> dict[str, Any]: ...

    def close(self) -> None: ...
