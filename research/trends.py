"""Keyword trends: how many documents match each of a few queries, per year or per province.

"How did mentions of 行政复议 change from 2018 to 2024, by province?" is a question about
counts, and the engine already counts: one count-only search per query
(``SearchRequest(limit=0, passages=0, facets=True)``) yields its ``year`` and ``province``
facets, and one more search gives the same facet over every document, the denominator of
the share. Nothing here walks the documents.

Every point carries the search that it counts (query string + facet filters), so a front end
links each point to exactly that search, and the point equals that search's total. One caveat
is the engine's: near-duplicate copies fold into one hit, and a folded group is counted under
the year (province) of the copy that ranks first. When copies of one report differ in year or
province, the facet count and the total of the filtered search can differ by those copies.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from extract.regions import divisions
from indexer.api import QueryError, SearchBackend, SearchRequest
from indexer.query import And, Range, parse_query

#: Queries compared in one view: more lines than this are unreadable in one chart.
MAX_QUERIES = 5
BY: tuple[str, ...] = ("year", "province")
#: Years shown when no range is asked for: the most recent ones, as the search page's chart.
DEFAULT_YEARS = 30
#: Longest range that may be asked for.
MAX_SPAN = 60
MIN_YEAR, MAX_YEAR = 1949, 2100
BY_LABELS = {"year": "年份", "province": "省份"}
CSV_COLUMNS = ("检索式", "年份或省份", "命中文件数", "该年份或省份文件总数", "占比（%）")


class TrendError(ValueError):
    """Parameters the view cannot use; ``str(err)`` is one line for the user."""


@dataclass
class Point:
    key: str  # "2021" or "湖北省"
    count: int  # documents matching the query there
    base: int  # every document there (same year range): the denominator of the share
    query: str  # the query string of the search this point counts
    filters: dict[str, tuple[str, ...]]  # ...and its facet filters

    @property
    def share(self) -> float | None:
        """Matching documents as a fraction of all documents there (None when there are none)."""
        return self.count / self.base if self.base else None

    def search_params(self) -> list[tuple[str, str]]:
        """The query-string pairs of the search page that lists exactly these documents."""
        return [("q", self.query), *((facet, v) for facet, values in self.filters.items() for v in values)]


@dataclass
class Series:
    query: str
    points: list[Point]

    @property
    def total(self) -> int:
        return sum(p.count for p in self.points)

    @property
    def max_count(self) -> int:
        return max((p.count for p in self.points), default=0)


@dataclass
class Trends:
    by: str
    queries: list[str]
    keys: list[str]  # x axis: years oldest first, or provinces in GB/T 2260 order
    base: list[int]  # documents per key, whatever they contain
    series: list[Series]
    year_from: int | None
    year_to: int | None
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)  # narrowing every count
    notes: list[str] = field(default_factory=list)  # what the figures do not cover

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by, "queries": self.queries, "year_from": self.year_from,
            "year_to": self.year_to, "filters": {k: list(v) for k, v in self.filters.items()},
            "keys": self.keys, "base": self.base, "notes": self.notes,
            "series": [{"query": s.query, "total": s.total, "points": [
                {"key": p.key, "count": p.count, "base": p.base,
                 "share": round(p.share, 6) if p.share is not None else None,
                 "search": {"q": p.query, **{k: list(v) for k, v in p.filters.items()}}}
                for p in s.points]} for s in self.series],
        }

    def csv_rows(self) -> list[list[str]]:
        rows = []
        for series in self.series:
            for p in series.points:
                share = f"{100 * p.share:.2f}" if p.share is not None else ""
                rows.append([series.query, p.key, str(p.count), str(p.base), share])
        return rows

    def to_csv(self, *, bom: bool = False) -> str:
        return write_csv(CSV_COLUMNS, self.csv_rows(), bom=bom)


def write_csv(header: Sequence[str], rows: Sequence[Sequence[object]], *, bom: bool = False) -> str:
    """CSV text; a cell that a spreadsheet would run as a formula (a NOT query starts with
    ``-``) gets a leading apostrophe. ``bom``: Excel reads UTF-8 without one as GBK."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_inert(cell) for cell in row])
    return buffer.getvalue()


def _inert(cell: object) -> str:
    text = "" if cell is None else str(cell)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r", "\n")) else text


def clean_queries(queries: Sequence[str]) -> list[str]:
    """Whitespace-normalised, non-empty, distinct queries; at most MAX_QUERIES."""
    out: list[str] = []
    for raw in queries:
        q = " ".join((raw or "").split())
        if q and q not in out:
            out.append(q)
    if not out:
        raise TrendError("请至少输入一个检索式，例如 q=行政复议。")
    if len(out) > MAX_QUERIES:
        raise TrendError(f"最多比较 {MAX_QUERIES} 个检索式，当前 {len(out)} 个。")
    return out


def _check_years(year_from: int | None, year_to: int | None) -> None:
    for value in (year_from, year_to):
        if value is not None and not MIN_YEAR <= value <= MAX_YEAR:
            raise TrendError(f"年份应在 {MIN_YEAR}–{MAX_YEAR} 之间：{value}")
    if year_from is not None and year_to is not None:
        if year_from > year_to:
            raise TrendError(f"起始年份 {year_from} 晚于结束年份 {year_to}。")
        if year_to - year_from + 1 > MAX_SPAN:
            raise TrendError(f"年份范围最长 {MAX_SPAN} 年。")


def with_year_range(query: str, year_from: int | None, year_to: int | None) -> str:
    """``query`` restricted to report years ``year_from..year_to`` in the query language, so
    that the search page a point links to counts the same documents.

    Checked on the parsed query, not trusted to string concatenation: ``A OR B 年份:…`` binds
    the range to B alone, so the plain form is used only when it means "query AND range", and
    the bracketed form otherwise.
    """
    if year_from is None and year_to is None:
        return query
    wanted_range = Range("year", year_from, year_to)
    node = parse_query(query)
    expected = And((*node.children, wanted_range)) if isinstance(node, And) else And((node, wanted_range))
    suffix = f"年份:{year_from or ''}..{year_to or ''}"
    for candidate in (f"{query} {suffix}", f"({query}) {suffix}"):
        try:
            if parse_query(candidate) == expected:
                return candidate
        except QueryError:
            continue
    raise TrendError(f"检索式“{query}”无法与年份范围组合，请检查引号和括号是否成对。")


def _counts(backend: SearchBackend, query: str, filters: Mapping[str, tuple[str, ...]], facet: str,
            wanted: Sequence[str]) -> dict[str, int]:
    """Documents per value of ``facet`` for one search, exact for every value in ``wanted``:
    the engine is asked for every value of the facet (``facet_limit=None``), never a cut list."""
    results = backend.search(SearchRequest(query=query, filters=dict(filters), limit=0, passages=0, facets=True,
                                           facet_limit=None))
    counts = {v.value: v.count for v in results.facets.get(facet, [])}
    return {**{key: 0 for key in wanted}, **counts}


def _observed_years(values: Sequence[str]) -> list[int]:
    years = []
    for value in values:
        if value.isascii() and value.isdigit() and MIN_YEAR <= int(value) <= MAX_YEAR:
            years.append(int(value))
    return years


def trends(backend: SearchBackend, queries: Sequence[str], *, by: str = "year",
           year_from: int | None = None, year_to: int | None = None,
           province: str | None = None) -> Trends:
    """Documents matching each query per year (``by="year"``) or per province.

    ``province`` narrows a by-year view to one province. With ``by="province"`` the year range
    becomes part of each query (``年份:2018..2024``), so the linked searches count the same.
    Raises TrendError for unusable parameters and QueryError for a malformed query.
    """
    if by not in BY:
        raise TrendError("by 只能是 year（按年份）或 province（按省份）。")
    queries = clean_queries(queries)
    _check_years(year_from, year_to)
    for q in queries:
        parse_query(q)  # a malformed query fails here, with the engine's own message
    notes: list[str] = []
    if by == "year":
        filters = {"province": (province,)} if province else {}
        base_all = backend.search(SearchRequest(query="", filters=filters, limit=0, passages=0, facets=True))
        observed = _observed_years([v.value for v in base_all.facets.get("year", [])])
        last = year_to if year_to is not None else max(observed, default=None)
        first = year_from if year_from is not None else min(observed, default=None)
        if first is None or last is None:
            keys: list[str] = []
        else:
            if year_from is None and last - first + 1 > DEFAULT_YEARS:
                first = last - DEFAULT_YEARS + 1
                notes.append(f"只显示最近 {DEFAULT_YEARS} 年；更早的年份请用 from/to 指定。")
            keys = [str(y) for y in range(first, last + 1)]
        base = _counts(backend, "", filters, "year", keys)
        series = []
        for q in queries:
            counts = _counts(backend, q, filters, "year", keys)
            series.append(Series(q, [Point(k, counts.get(k, 0), base.get(k, 0), q, {**filters, "year": (k,)})
                                     for k in keys]))
        return Trends(by, queries, keys, [base.get(k, 0) for k in keys], series, first if keys else year_from,
                      last if keys else year_to, filters, notes)

    ranged = {q: with_year_range(q, year_from, year_to) for q in queries}
    ranged_years = year_from is not None or year_to is not None
    base_query = f"年份:{year_from or ''}..{year_to or ''}" if ranged_years else ""
    known = [r.province or "" for r in divisions("province")]
    base = _counts(backend, base_query, {}, "province", known)
    per_query = {q: _counts(backend, ranged[q], {}, "province", known) for q in queries}
    seen = {k for counts in (base, *per_query.values()) for k, n in counts.items() if n}
    keys = [p for p in known if p in seen] + sorted(seen - set(known))
    if seen - set(known):
        notes.append("个别文件的省份不在 GB/T 2260 表中（多为提取有误），排在最后。")
    series = [Series(q, [Point(k, per_query[q].get(k, 0), base.get(k, 0), ranged[q], {"province": (k,)})
                         for k in keys]) for q in queries]
    return Trends(by, queries, keys, [base.get(k, 0) for k in keys], series, year_from, year_to, {}, notes)
