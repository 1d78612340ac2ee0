"""What the pages show, computed once and rendered as HTML, JSON, Atom or CSV.

Views stay thin: they parse the request into a :class:`~webui.state.SearchState`, call these
functions, and hand the result to a template or ``jsonify``. The JSON twin of a page is
therefore the same data, never a second implementation that can drift.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from markupsafe import Markup

from indexer.api import FACET_LIMIT, Copy, SearchRequest, SearchResults
from indexer.document import Document
from indexer.sections import report_outline
from webui import external_url, get_backend
from webui.chart import YearChart, year_chart
from webui.highlight import mark_text
from webui.state import MAX_RESULT_DEPTH, SearchState

if TYPE_CHECKING:
    from indexer.query import Reading


def is_web_url(source: str | None) -> bool:
    return bool(source) and source.lower().startswith(("http://", "https://"))


# ------------------------------------------------------------------------------- search


@dataclass
class Pagination:
    page: int
    pages: int
    window: list[int | None]  # page numbers to show; None is an ellipsis

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(total: int, state: SearchState) -> Pagination:
    reachable = min(total, MAX_RESULT_DEPTH)
    pages = max(1, math.ceil(reachable / state.per_page))
    shown = sorted({1, pages, *range(max(1, state.page - 2), min(pages, state.page + 2) + 1)})
    window: list[int | None] = []
    for number in shown:
        if window and number - (window[-1] or 0) > 1:
            window.append(None)
        window.append(number)
    return Pagination(page=state.page, pages=pages, window=window)


@dataclass
class SearchPage:
    state: SearchState
    results: SearchResults
    chart: YearChart | None
    pagination: Pagination
    reading: Reading | None = None  # how the query was read, when it was repaired
    zero_hits: dict[str, Any] | None = None  # which strings match nothing, and the rest's count

    def explanation(self) -> dict[str, Any]:
        """What the page says about the query itself (the JSON twin's ``explain``)."""
        return {"understood": self.reading.understood if self.reading else None,
                "repairs": list(self.reading.repairs) if self.reading else [],
                "cut_from": self.state.cut_from or None, "zero_hits": self.zero_hits}


def run_search(state: SearchState, *, passages: int = 3, facets: bool = True,
               facet_limit: int | None = FACET_LIMIT) -> SearchResults:
    """One engine call, disjunctive facet counts included (each facet counted as if its own
    filter were off, so a second year can be added after choosing 2021 and the year chart
    keeps its trend); QueryError (a malformed query) propagates for the view to show."""
    request = replace(state.to_request(passages=passages, facets=facets), facet_limit=facet_limit)
    return get_backend().search(request)


def search_page(state: SearchState, facet_limit: int | None = FACET_LIMIT) -> SearchPage:
    from indexer.query import read_query

    results = run_search(state, facet_limit=facet_limit)
    chart = year_chart(results.facets.get("year", []), state.filters.get("year", ()))
    reading = read_query(state.query) if state.query else None
    return SearchPage(state=state, results=results, chart=chart,
                      pagination=paginate(results.total, state),
                      reading=reading if reading and reading.lenient else None,
                      zero_hits=zero_hit_help(state) if results.total == 0 and state.query else None)


#: Zero-hit help counts each top-level part alone; a query of more parts gets no such help.
ZERO_HIT_MAX_PARTS = 8


def _count(state: SearchState, query: str) -> int:
    request = SearchRequest(query=query, filters=dict(state.filters), limit=0, passages=0,
                            facets=False, all_versions=state.all_versions)
    return get_backend().search(request).total


def zero_hit_help(state: SearchState) -> dict[str, Any] | None:
    """For a query without hits: which of its strings (top-level AND parts) match nothing on
    their own, and the query without them with its count, so that 行政复议 量子纠缠 says
    "量子纠缠 has no match; 行政复议 alone has 601" instead of a generic hint."""
    from indexer.query import And, Not, Option, conjuncts, parse_query, unparse

    parts = conjuncts(parse_query(state.query))
    if not parts or len(parts) > ZERO_HIT_MAX_PARTS:
        return None
    alone, missing, kept = [], [], []
    for part in parts:
        if isinstance(part, Not | Option):
            kept.append(part)
            continue
        text = unparse(part)
        count = _count(state, text)
        alone.append({"query": text, "count": count})
        (kept if count else missing).append(part)
    help_: dict[str, Any] = {"missing": [unparse(m) for m in missing], "alone": alone,
                             "without": None, "without_count": None}
    if missing and any(not isinstance(k, Not | Option) for k in kept):
        rest = unparse(kept[0] if len(kept) == 1 else And(tuple(kept)))
        help_["without"], help_["without_count"] = rest, _count(state, rest)
    return help_


#: Longest text of the facet page's own filter box.
MAX_CONTAINS_CHARS = 40


def facet_page(state: SearchState, facet: str, contains: str = "") -> dict[str, Any]:
    """Every value of one facet for a search (the "全部 N 项" page), counted as in the sidebar
    (disjunctively, from the same engine call), optionally only the values containing
    ``contains``; each value with the search link that toggles it. Raises KeyError for an
    unknown facet and QueryError for a malformed query."""
    from webui.state import FACET_LABELS

    if facet not in FACET_LABELS:
        raise KeyError(facet)
    contains = " ".join(contains.split())[:MAX_CONTAINS_CHARS]
    results = run_search(replace(state, page=1), passages=0, facet_limit=None)
    values = results.facets.get(facet, [])
    shown = [v for v in values if contains.casefold() in v.value.casefold()] if contains else values
    return {"facet": facet, "label": FACET_LABELS[facet], "query": state.query,
            "total_values": results.facet_totals.get(facet, len(values)), "contains": contains,
            "values": [{"value": v.value, "count": v.count, "selected": state.is_selected(facet, v.value),
                        "url": external_url("ui.search") + state.toggled(facet, v.value).query_string()}
                       for v in shown],
            "search_url": external_url("ui.search") + state.query_string()}


def public_results(results: SearchResults) -> dict[str, Any]:
    """``results.to_dict()`` with local files named, not located: over HTTP a hit's source is
    its URL or its file name, never a path on the server (the command line keeps paths)."""
    from indexer.citation import public_source
    from webui.highlight import mark

    data = results.to_dict()
    for hit in data.get("hits", []):
        # The engine gives text and spans; the web layer adds ready-marked HTML for pages' scripts.
        hit["title_html"] = str(mark(hit.get("title"), hit.get("title_spans") or ()))
        for passage in hit.get("passages") or []:
            passage["html"] = str(mark(passage.get("text"), passage.get("spans") or ()))
        hit["source"] = public_source(hit.get("source") or "")
        hit["duplicates"] = [public_source(d) for d in hit.get("duplicates") or []]
        for copy in hit.get("copies") or []:
            copy["source"] = public_source(copy.get("source") or "")
    return data


#: Typing suggestions per kind.
SUGGEST_PER_KIND = 5


def suggestions(typed: str) -> list[dict[str, str]]:
    """Publishers, regions and titles from the index containing the word being typed (the
    last one of ``typed``), each as the whole query with that word replaced by a field search.
    Everything comes from the index: no external service."""
    from indexer.query import QueryError, _quoted

    head, _, word = typed.rstrip().rpartition(" ")
    word = word.strip().strip('"')
    if not word or ":" in word or len(word) > 40:
        return []
    prefix = (head + " ") if head else ""
    facets = overview().facets
    out: list[dict[str, str]] = []
    for kind, label, name in (("publisher", "发布机构", "发布机构"),
                               ("county", "地区", "地区"), ("city", "地区", "地区"), ("province", "地区", "地区")):
        found = [v.value for v in facets.get(kind, []) if word in v.value][:SUGGEST_PER_KIND]
        out.extend({"value": v, "kind": label, "query": f"{prefix}{name}:{_quoted(v)}"} for v in found)
    try:
        titles = get_backend().search(SearchRequest(query=f"标题:{_quoted(word)}", limit=SUGGEST_PER_KIND,
                                                    passages=0, facets=False)).hits
    except QueryError:
        titles = []
    out.extend({"value": h.title, "kind": "标题", "query": f"{prefix}标题:{_quoted(h.title)}"} for h in titles if h.title)
    return list({s["query"]: s for s in out}.values())[:3 * SUGGEST_PER_KIND]


def overview() -> SearchResults:
    """Every document's facet counts, for the front page: what is in the collection."""
    return get_backend().search(SearchRequest(query="", limit=0, passages=0, facets=True))


def iter_all_hits(state: SearchState, *, cap: int, passages: int = 1, batch: int = 200):
    """Every hit of a search, in pages, up to ``cap`` (exports and feeds)."""
    offset = 0
    while offset < cap:
        request = SearchRequest(query=state.query, filters=dict(state.filters), sort=state.sort,
                                limit=min(batch, cap - offset), offset=offset,
                                passages=passages, facets=False, all_versions=state.all_versions)
        results = get_backend().search(request)
        yield from results.hits
        offset += len(results.hits)
        if not results.hits or offset >= results.total:
            return


# ------------------------------------------------------------------------------ reading


@dataclass
class Paragraph:
    number: int
    html: Markup
    matches: int


@dataclass
class DocumentView:
    document: Document
    title_html: Markup
    paragraphs: list[Paragraph]
    query: str
    terms: list[str] = field(default_factory=list)
    query_error: str | None = None
    outline: dict[str, Any] | None = None  # report structure (annual reports only)
    copies: list[Copy] = field(default_factory=list)  # other documents with this text
    history: History | None = None  # versions of a changed page
    other_years: list[dict[str, Any]] = field(default_factory=list)  # same government, other years

    @property
    def matched_paragraphs(self) -> list[int]:
        return [p.number for p in self.paragraphs if p.matches]

    @property
    def match_count(self) -> int:
        return sum(p.matches for p in self.paragraphs)


def document_view(doc: Document, query: str = "") -> DocumentView:
    """Every paragraph, with the query's matched strings marked when a query is given.

    The engine tells which normalised strings a query matches (``SearchResults.terms``);
    marking them here covers the whole document, not just the three best passages.
    """
    from indexer.api import QueryError

    terms: list[str] = []
    error = None
    if query:
        try:
            results = get_backend().search(SearchRequest(query=query, limit=1, passages=0,
                                                          facets=False, collapse=False))
            terms = list(results.terms)
        except QueryError as err:
            error = str(err)
    title_html, _ = mark_text(doc.display_title, terms)
    paragraphs = []
    for number, text in enumerate(doc.paragraphs, start=1):
        html, matches = mark_text(text, terms)
        paragraphs.append(Paragraph(number=number, html=html, matches=matches))
    return DocumentView(document=doc, title_html=title_html, paragraphs=paragraphs,
                        query=query, terms=terms, query_error=error, outline=report_outline(doc),
                        copies=get_backend().copies(doc.id), history=history(doc),
                        other_years=other_years(doc))


def document_json(doc: Document) -> dict[str, Any]:
    """The reading view's JSON twin: the document and what the page shows beside it."""
    from dataclasses import asdict

    from indexer.citation import public_source

    found = history(doc)
    data = doc.to_dict()
    data["source"] = public_source(doc.source)
    data["other_sources"] = [public_source(s) for s in doc.other_sources]
    return {**data, "outline": report_outline(doc),
            "copies": [{**asdict(c), "source": public_source(c.source)} for c in get_backend().copies(doc.id)],
            "history": asdict(found) if found else None, "other_years": other_years(doc)}


# ------------------------------------------------------------------------------ versions


@dataclass
class VersionEntry:
    id: str
    captured: str | None  # ISO capture time
    current: bool
    title: str
    url: str  # the version's reading view
    archive_url: str | None


@dataclass
class History:
    """Every version of a changed page, oldest first, and which one is being read."""

    current_id: str
    reading: str  # id of the version shown
    modified: str | None  # ISO date the current text was found (本页于 … 修改)
    versions: list[VersionEntry]

    @property
    def reading_current(self) -> bool:
        return self.reading == self.current_id

    @property
    def previous_id(self) -> str | None:
        ids = [v.id for v in self.versions]
        return ids[-2] if len(ids) > 1 else None


def history(doc: Document) -> History | None:
    """The version list of ``doc``'s page, or None when the page never changed."""
    current = doc if not doc.version_of else get_backend().get(doc.version_of)
    if current is None or not current.versions:
        return None
    entries = [VersionEntry(id=v.id, captured=v.captured, current=False,
                            title=v.title or current.display_title,
                            url=external_url("ui.document", doc_id=v.id),
                            archive_url=external_url("ui.archive", doc_id=v.id) if v.capture_sha256 else None)
               for v in current.versions]
    entries.append(VersionEntry(id=current.id, captured=current.captured.isoformat() if current.captured else None,
                                current=True, title=current.display_title,
                                url=external_url("ui.document", doc_id=current.id),
                                archive_url=external_url("ui.archive", doc_id=current.id) if current.capture_sha256 else None))
    modified = current.modified
    return History(current_id=current.id, reading=doc.id,
                   modified=modified.isoformat() if modified else None, versions=entries)


def diff_view(doc: Document, a: str | None, b: str | None) -> dict[str, Any]:
    """Versions ``a`` (older) and ``b`` of ``doc``'s page, paragraph by paragraph.

    Defaults: the version before the current one against the current one. Raises KeyError for
    an id that is not a version of this page.
    """
    from dataclasses import asdict

    from webui.diff import paragraph_diff, summary

    found = history(doc)
    if found is None:
        raise KeyError(doc.id)
    known = {v.id: v for v in found.versions}
    a = a or found.previous_id or found.current_id
    b = b or found.current_id
    if a not in known or b not in known:
        raise KeyError(a if a not in known else b)
    old, new = get_backend().get(a), get_backend().get(b)
    if old is None or new is None:
        raise KeyError(a if old is None else b)
    rows = paragraph_diff(old.paragraphs, new.paragraphs)
    return {"current_id": found.current_id, "a": asdict(known[a]), "b": asdict(known[b]),
            "summary": summary(rows), "rows": [asdict(r) for r in rows], "history": found}


# ----------------------------------------------------------------------------- citation


def archive_info(doc: Document) -> dict[str, Any] | None:
    """Where the archived capture is and how to check it, or None when there is none."""
    from indexer.citation import beijing_time

    if not doc.capture_sha256:
        return None
    return {
        "url": external_url("ui.archive", doc_id=doc.id),
        "captured": doc.captured.isoformat() if doc.captured else None,
        "captured_display": beijing_time(doc.captured),  # 2021-03-02 16:30 北京时间
        "sha256": doc.capture_sha256,
    }


#: Formats of /api/cite/<id>?format=…: media type and file extension.
CITE_FORMATS: dict[str, tuple[str, str]] = {
    "csl-json": ("application/vnd.citationstyles.csl+json", "json"),
    "ris": ("application/x-research-info-systems", "ris"),
    "bibtex": ("application/x-bibtex", "bib"),
}


def citation(doc: Document, paragraph: int | None = None,
             accessed: dt.date | None = None) -> dict[str, Any]:
    """Everything needed to cite ``doc`` (or one paragraph of it) and to find it again.

    A local file has no original URL: it is cited with govsearch's permalink as its access
    URL (``access_url_is_permalink``), and only its file name is shown, never the server path.
    The paragraph is not appended to the reference: GB/T 7714-2015 puts the 引文页码 of a
    numbered citation beside the number in the text (``in_text``, §10.1.3).
    Raises IndexError for a paragraph the document does not have.
    """
    from indexer.citation import (
        BEIJING,
        beijing_time,
        in_text_marker,
        locator,
        public_source,
        reference,
        text_fragment_url,
    )

    if paragraph is not None and not 1 <= paragraph <= len(doc.paragraphs):
        raise IndexError(paragraph)
    document_url = external_url("ui.document", doc_id=doc.id)
    permalink = document_url + (f"#p{paragraph}" if paragraph is not None else "")
    version = None
    if doc.version_of:
        # An earlier version is cited as what the page said when it was captured, with the
        # archived copy that proves it: the live page no longer says this.
        captured = doc.captured.astimezone(BEIJING).date() if doc.captured else None
        accessed = accessed or captured
        info = archive_info(doc)
        version = {"captured": doc.captured.isoformat() if doc.captured else None,
                   "captured_display": beijing_time(doc.captured),
                   "current_id": doc.version_of,
                   "archive_url": info["url"] if info else None}
    fragment = None
    if paragraph is not None and is_web_url(doc.source):
        fragment = text_fragment_url(doc.source, doc.paragraphs, paragraph)
    ref = reference(doc, accessed=accessed, permalink=document_url)
    text = ref.gbt7714()
    if version is not None:
        text += f" 旧版本，抓取于 {version['captured_display'] or '未知时间'}" + (
            f"，存档：{version['archive_url']}." if version["archive_url"] else ".")
    downloads = {name: external_url("api.cite", doc_id=doc.id, format=name) for name in CITE_FORMATS}
    return {
        "id": doc.id,
        "title": doc.display_title,
        "paragraph": paragraph,
        "text": doc.paragraphs[paragraph - 1] if paragraph is not None else None,
        "gbt7714": text,
        "locator": locator(paragraph) if paragraph is not None else None,
        "in_text": in_text_marker(paragraph),
        "accessed": ref.accessed.isoformat(),
        "version": version,
        "permalink": permalink,
        "source": public_source(doc.source),
        "source_is_url": is_web_url(doc.source),
        "access_url": ref.url,
        "access_url_is_permalink": ref.url_is_permalink,
        "text_fragment_url": fragment,
        "text_fragment_display": unquote(fragment) if fragment else None,
        "other_sources": [public_source(s) for s in doc.other_sources],
        "archive": archive_info(doc),
        "csl_json": ref.csl_json(),
        "downloads": downloads,
    }


def citation_export(doc: Document, fmt: str) -> tuple[str, str, str]:
    """``(body, media type, file name)`` of ``doc``'s reference in ``fmt`` (a CITE_FORMATS key)."""
    import json

    from indexer.citation import reference

    ref = reference(doc, permalink=external_url("ui.document", doc_id=doc.id))
    media, ext = CITE_FORMATS[fmt]
    body = {"csl-json": lambda: json.dumps([ref.csl_json()], ensure_ascii=False, indent=2),
            "ris": ref.ris, "bibtex": ref.bibtex}[fmt]()
    return body, media, f"govsearch-{doc.id}.{ext}"


def embedded_metadata(doc: Document) -> dict[str, Any]:
    """Zotero-readable metadata for the reading view: ``citation_*`` meta tags and COinS."""
    from indexer.citation import reference

    ref = reference(doc, permalink=external_url("ui.document", doc_id=doc.id))
    return {"meta": ref.meta_tags(), "coins": ref.coins()}


# ------------------------------------------------------------------------------ change feed

#: Days the change feed looks back when no ``since`` is given.
CHANGES_DEFAULT_DAYS = 7
CHANGES_LIMIT = 500


def parse_since(raw: str | None) -> str:
    """An ISO date or time to list changes from; raises ValueError with a Chinese message."""
    if not raw:
        return (dt.date.today() - dt.timedelta(days=CHANGES_DEFAULT_DAYS)).isoformat()
    # An unencoded "+00:00" in a query string arrives as " 00:00".
    raw = re.sub(r"(T[\d:.]+) (\d\d:\d\d)$", r"\1+\2", raw.strip())
    try:
        if len(raw) == 10:
            return dt.date.fromisoformat(raw).isoformat()
        return dt.datetime.fromisoformat(raw).isoformat()
    except ValueError:
        raise ValueError(f"起始时间无效：{raw[:40]}（格式如 2026-11-01 或 2026-11-01T08:00:00+00:00）") from None


def changes_view(since: str, site: str | None = None, query: str = "") -> dict[str, Any]:
    """New, changed, moved and deleted documents since ``since``: the /changes page's data."""
    from dataclasses import asdict

    from indexer.changes import KINDS

    found = get_backend().changes(since, site=site or None, query=query, limit=CHANGES_LIMIT)
    counts = {kind: sum(1 for c in found if c.kind == kind) for kind in KINDS}
    return {"since": since, "site": site or None, "query": query, "counts": counts,
            "labels": KINDS,
            "changes": [{**asdict(c), "url": external_url("ui.document", doc_id=c.id)} for c in found]}


# ------------------------------------------------------------------------------ year over year

#: Reports of other years listed in the reading view.
OTHER_YEARS_LIMIT = 20


def other_years(doc: Document) -> list[dict[str, Any]]:
    """The same government's reports of other years: same publisher, or same region at the
    same level (county, city or province), and the same kind of document; oldest first."""
    year = doc.effective_year
    if doc.version_of or year is None:
        return []
    kind = {"doc_type": (doc.doc_type,)} if doc.doc_type else {}
    queries = []
    if doc.publisher:
        queries.append({"publisher": (doc.publisher,), **kind})
    region = doc.region
    level = ("county", region.county) if region.county else ("city", region.city) if region.city else (
        ("province", region.province) if region.province else None)
    if level:
        queries.append({level[0]: (level[1],), **kind})
    found: dict[str, Any] = {}
    for filters in queries:
        results = get_backend().search(SearchRequest(query="", filters=filters, sort="date",
                                                     limit=OTHER_YEARS_LIMIT * 2, passages=0, facets=False))
        for hit in results.hits:
            # By region, only the same place at the same level: the city's report, not its counties'.
            same_place = "publisher" in filters or (hit.region or "") == region.display()
            if (hit.id != doc.id and hit.year and hit.year != year and same_place
                    and _same_kind(hit.title, doc.display_title)):
                found.setdefault(hit.id, {"id": hit.id, "title": hit.title, "year": hit.year,
                                          "published": hit.published, "source": hit.source})
    rows = sorted(found.values(), key=lambda r: (r["year"], r["published"] or ""))
    return rows[:OTHER_YEARS_LIMIT]


_YEARS = re.compile(r"(?:19|20)\d{2}\s*(?:年度|年)?|[（(][^）)]*[）)]")
#: Titles with their years removed at least this similar name the same kind of report of
#: the same government ("辛集县2022年法治政府建设年度报告" and its 2023 one; not 甲乙镇's).
SAME_KIND_RATIO = 0.85


def _same_kind(a: str, b: str) -> bool:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, _YEARS.sub("", a), _YEARS.sub("", b)).ratio() >= SAME_KIND_RATIO


def compare_view(a: Document, b: Document) -> dict[str, Any]:
    """Two reports side by side: aligned sections with changes marked, and shared figures."""
    from dataclasses import asdict

    from webui.compare import align
    from webui.figures import shared_figures

    def meta(doc: Document) -> dict[str, Any]:
        return {"id": doc.id, "title": doc.display_title, "year": doc.effective_year,
                "publisher": doc.publisher, "published": doc.published.isoformat() if doc.published else None,
                "source": doc.source, "url": external_url("ui.document", doc_id=doc.id)}

    aligned = align(a.paragraphs, b.paragraphs)
    return {"a": meta(a), "b": meta(b),
            "sections": [asdict(s) for s in aligned],
            "figures": [asdict(r) for r in shared_figures(a.paragraphs, b.paragraphs)]}
