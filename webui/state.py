"""The search state that lives in the URL.

Everything a user has chosen (query, filters, sort, page, page size) is read from the query
string and written back into every link, so a search can be bookmarked, pasted into a memo or
walked through with the back button, and the HTML page, the feeds and the JSON API all read the
same parameters the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from werkzeug.datastructures import MultiDict

from indexer.api import FACETS, SORTS, SearchRequest
from indexer.query import MAX_QUERY_CHARS as ENGINE_MAX_QUERY_CHARS

#: Longest query run: the engine's own limit. A longer one (a paste accident) is cut there and
#: the page says so (``SearchState.cut_from``); nothing is cut silently.
MAX_QUERY_CHARS = ENGINE_MAX_QUERY_CHARS
#: Longest single filter value (publisher names are the long ones, ~40 characters).
MAX_FILTER_CHARS = 100
#: How many values one request may filter on, all facets together.
MAX_FILTER_VALUES = 20
#: Page sizes offered in the UI; the API accepts any size up to MAX_API_PAGE_SIZE.
PAGE_SIZES = (10, 20, 50)
DEFAULT_PAGE_SIZE = 10
MAX_API_PAGE_SIZE = 100
#: Deepest result reachable by paging: nobody reads result 1,001, but a crawler might ask.
MAX_RESULT_DEPTH = 1000

#: Chinese labels for the facets, in the order the sidebar shows them.
FACET_LABELS: dict[str, str] = {
    "year": "报告年度",  # the year the report is about (title), else the publication year
    "province": "省份",
    "city": "城市",
    "county": "区县",
    "publisher": "发布机构",
    "doc_type": "文种",
    "site": "网站",
    "parts": "报告结构",
    "status": "状态",
}
#: Sort labels name the date they order by: 发布日期, not the 报告年度 of the year facet.
SORT_LABELS: dict[str, str] = {"relevance": "相关度", "-date": "发布日期（新→旧）", "date": "发布日期（旧→新）"}

assert set(FACET_LABELS) == set(FACETS), "every facet needs a Chinese label"
assert set(SORT_LABELS) == set(SORTS), "every sort needs a Chinese label"


class BadRequest(ValueError):
    """A request parameter the UI cannot use. ``str(err)`` is a one-line message for the user."""


@dataclass(frozen=True)
class SearchState:
    query: str = ""
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    page: int = 1
    per_page: int = DEFAULT_PAGE_SIZE
    all_versions: bool = False  # ``versions=all``: also search earlier versions of changed pages
    cut_from: int = 0  # the length of a query that was cut to MAX_QUERY_CHARS (0: not cut)

    # -- reading ---------------------------------------------------------------------------

    @classmethod
    def from_args(cls, args: MultiDict[str, str], *, max_per_page: int = max(PAGE_SIZES)
                  ) -> SearchState:
        """Parse and bound the query string; raise BadRequest with a Chinese message."""
        query = " ".join(args.get("q", "").split())
        cut_from = 0
        if len(query) > MAX_QUERY_CHARS:
            cut_from, query = len(query), query[:MAX_QUERY_CHARS].rstrip()

        filters: dict[str, tuple[str, ...]] = {}
        count = 0
        for facet in FACETS:
            values: list[str] = []
            for raw in args.getlist(facet):
                value = raw.strip()
                if not value or value in values:
                    continue
                if len(value) > MAX_FILTER_CHARS:
                    raise BadRequest(f"筛选条件过长：{FACET_LABELS[facet]}最多 {MAX_FILTER_CHARS} 个字符。")
                values.append(value)
            if values:
                filters[facet] = tuple(values)
                count += len(values)
        if count > MAX_FILTER_VALUES:
            raise BadRequest(f"筛选条件过多：最多 {MAX_FILTER_VALUES} 个。")

        sort = args.get("sort", "relevance") or "relevance"
        if sort not in SORTS:
            raise BadRequest("排序方式无效：可选 relevance（相关度）、-date（最新）、date（最早）。")

        per_page = _positive_int(args.get("n"), DEFAULT_PAGE_SIZE, "每页条数")
        if per_page > max_per_page:
            raise BadRequest(f"每页条数过大：最多 {max_per_page} 条。")
        page = _positive_int(args.get("page"), 1, "页码")
        if (page - 1) * per_page >= MAX_RESULT_DEPTH:
            raise BadRequest(f"页码过大：最多只能翻到第 {MAX_RESULT_DEPTH} 条结果。")
        versions = args.get("versions", "")
        if versions not in ("", "all", "current"):
            raise BadRequest("版本参数无效：可选 all（包括旧版本）。")
        return cls(query=query, filters=filters, sort=sort, page=page, per_page=per_page,
                   all_versions=versions == "all", cut_from=cut_from)

    @property
    def is_empty(self) -> bool:
        """Nothing asked yet: the front page."""
        return not self.query and not self.filters and not self.all_versions

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def to_request(self, *, passages: int = 3, facets: bool = True) -> SearchRequest:
        return SearchRequest(query=self.query, filters=dict(self.filters), sort=self.sort,
                             limit=self.per_page, offset=self.offset, passages=passages,
                             facets=facets, all_versions=self.all_versions)

    # -- writing: every link on the page is the current state with one change --------------

    def params(self, *, include_page: bool = True) -> list[tuple[str, str]]:
        """The state as ordered query-string pairs, defaults left out so URLs stay short."""
        pairs: list[tuple[str, str]] = []
        if self.query:
            pairs.append(("q", self.query))
        for facet in FACETS:
            pairs.extend((facet, value) for value in self.filters.get(facet, ()))
        if self.sort != "relevance":
            pairs.append(("sort", self.sort))
        if self.per_page != DEFAULT_PAGE_SIZE:
            pairs.append(("n", str(self.per_page)))
        if self.all_versions:
            pairs.append(("versions", "all"))
        if include_page and self.page != 1:
            pairs.append(("page", str(self.page)))
        return pairs

    def query_string(self, *, include_page: bool = True) -> str:
        pairs = self.params(include_page=include_page)
        return "?" + urlencode(pairs) if pairs else ""

    def is_selected(self, facet: str, value: str) -> bool:
        return value in self.filters.get(facet, ())

    def with_filter(self, facet: str, value: str) -> SearchState:
        filters = dict(self.filters)
        filters[facet] = (*filters.get(facet, ()), value)
        return replace(self, filters=filters, page=1)

    def without_filter(self, facet: str, value: str) -> SearchState:
        filters = dict(self.filters)
        remaining = tuple(v for v in filters.get(facet, ()) if v != value)
        if remaining:
            filters[facet] = remaining
        else:
            filters.pop(facet, None)
        return replace(self, filters=filters, page=1)

    def toggled(self, facet: str, value: str) -> SearchState:
        if self.is_selected(facet, value):
            return self.without_filter(facet, value)
        return self.with_filter(facet, value)

    def without_filters(self) -> SearchState:
        return replace(self, filters={}, page=1)

    def with_query(self, query: str) -> SearchState:
        return replace(self, query=query, page=1, cut_from=0)

    def with_sort(self, sort: str) -> SearchState:
        return replace(self, sort=sort, page=1)

    def with_page(self, page: int) -> SearchState:
        return replace(self, page=page)

    def with_per_page(self, per_page: int) -> SearchState:
        return replace(self, per_page=per_page, page=1)


def _positive_int(raw: str | None, default: int, label: str) -> int:
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{label}必须是正整数。") from None
    if value < 1:
        raise BadRequest(f"{label}必须是正整数。")
    return value
