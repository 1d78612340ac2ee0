"""The annual-report tracker: which governments' 法治政府建设 reports for a year are in the index,
whether they came out on time, and which mandated parts they lack.

The rule: 《法治政府建设与责任落实督察工作规定》(厅字〔2019〕28号) 第二十四条 — every local
government publishes its report on the previous year **before 1 April**. The governments that
owe a report come from the GB/T 2260 table (:func:`extract.regions.divisions`), not from the
documents, so that a government with no report in the index shows up as a row, "未找到".
That means *not in this index*: the report may exist on a site the index has not crawled.

How a report is found (one search per view, paged, never a walk over every document):
the query :data:`REPORT_QUERY` (the title names 法治政府 or 依法行政), filtered to the year
(``year`` facet), document types 报告/总结 and the province/city; a hit belongs to the row whose
region it carries exactly (a city's row does not take its counties' reports). A hit is the
government's **own** report when its publisher is the government (…人民政府, …政府办公室/办公厅,
:func:`names_government`) and the document states the report year (``Document.year``;
a year guessed from the publication date does not count); the earliest published copy wins.
Other hits at that region are its departments' reports (…司法局), listed under the row and
not counted as its report.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from extract.regions import LEVELS, divisions
from indexer.api import MAX_LIMIT, Hit, SearchBackend, SearchRequest
from indexer.document import Region
from indexer.facets import is_annual_report
from indexer.sections import PART_NAMES, outline
from research.trends import write_csv

#: Finds annual rule-of-law reports (with the filters year, doc_type 报告/总结, region).
REPORT_QUERY = "标题:法治政府 OR 标题:依法行政"
REPORT_TYPES: tuple[str, ...] = ("报告", "总结")
#: Published before this day of the following year is on time (厅字〔2019〕28号 第二十四条).
DEADLINE_MONTH, DEADLINE_DAY = 4, 1
#: Not covered by the rule (nor by this index's crawls): 台湾省, 香港, 澳门.
EXCLUDED_PROVINCE_CODES = ("71", "81", "82")
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
LEVEL_LABELS = {"province": "省级", "city": "市级", "county": "县级"}
STATUS_LABELS = {"on_time": "按时", "late": "逾期", "undated": "日期不详", "not_found": "未找到"}
NOT_FOUND_NOTE = ("“未找到”指本索引中没有找到该政府本年度的法治政府建设报告，"
                  "不等于该政府没有发布：报告可能在尚未抓取的网站上，或标题、年份、地区未能识别。")
CSV_COLUMNS = ("地区代码", "政府", "上级", "状态", "报告标题", "发布机构", "发布日期",
               "截止日期", "缺少的部分", "报告编号", "原文链接", "部门报告数")

_GOVERNMENT = re.compile(r"(?:人民)?政府(?:办公室|办公厅)?$")
_FIRST_YEAR, _LAST_YEAR = 2000, 2100


class TrackerError(ValueError):
    """Parameters the view cannot use; ``str(err)`` is one line for the user."""


def is_government_publisher(publisher: str | None) -> bool:
    """True for a government itself (…县人民政府, …市政府办公室, …省人民政府办公厅), false for
    its departments (…司法局, …政府法制办公室 is a department too: it does not end the name)."""
    if not publisher:
        return False
    name = publisher.strip()
    return bool(_GOVERNMENT.search(name)) and not name.endswith(("法制办公室", "研究室办公室"))


def deadline(year: int) -> dt.date:
    """The first day on which the report on ``year`` is late."""
    return dt.date(year + 1, DEADLINE_MONTH, DEADLINE_DAY)


def status_of(published: dt.date | None, year: int) -> str:
    if published is None:
        return "undated"
    return "on_time" if published < deadline(year) else "late"


@dataclass
class Report:
    id: str
    title: str
    publisher: str | None
    published: dt.date | None
    status: str  # on_time | late | undated
    source: str
    missing: list[str] | None = None  # short names of absent parts; None when not checked

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "title": self.title, "publisher": self.publisher,
                "published": self.published.isoformat() if self.published else None,
                "status": self.status, "status_label": STATUS_LABELS[self.status],
                "source": self.source, "missing": self.missing}


@dataclass
class Row:
    region: Region
    name: str  # the government's own division name (青山区)
    parent: str  # where it sits (湖北省武汉市), for grouping and reading
    status: str  # on_time | late | undated | not_found
    report: Report | None
    copies: list[Report] = field(default_factory=list)  # other copies of its own report
    departments: list[Report] = field(default_factory=list)
    search: dict[str, tuple[str, ...]] = field(default_factory=dict)  # the search that finds it

    @property
    def group(self) -> str:
        return self.parent or self.name

    def search_params(self) -> list[tuple[str, str]]:
        return [(key, value) for key, values in self.search.items() for value in values]

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.region.code, "name": self.name, "parent": self.parent,
                "region": self.region.display(), "status": self.status,
                "status_label": STATUS_LABELS[self.status],
                "report": self.report.to_dict() if self.report else None,
                "copies": [c.to_dict() for c in self.copies],
                "departments": [d.to_dict() for d in self.departments],
                "search": {k: list(v) for k, v in self.search.items()}}


@dataclass
class Summary:
    name: str
    governments: int = 0
    on_time: int = 0
    late: int = 0
    undated: int = 0
    not_found: int = 0

    def add(self, status: str) -> None:
        self.governments += 1
        setattr(self, status, getattr(self, status) + 1)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Tracker:
    year: int
    level: str
    province: str | None
    city: str | None
    deadline: dt.date
    rows: list[Row]
    groups: list[Summary]  # per city (county level), per province (city level), or one
    total: Summary
    query: str = REPORT_QUERY
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "level": self.level, "province": self.province, "city": self.city,
                "deadline": self.deadline.isoformat(), "query": self.query,
                "not_found_means": NOT_FOUND_NOTE, "notes": self.notes,
                "total": self.total.to_dict(), "groups": [g.to_dict() for g in self.groups],
                "rows": [r.to_dict() for r in self.rows]}

    def csv_rows(self) -> list[list[object]]:
        out: list[list[object]] = []
        for row in self.rows:
            r = row.report
            out.append([row.region.code, row.name, row.parent, STATUS_LABELS[row.status],
                        r.title if r else "", r.publisher if r else "",
                        r.published.isoformat() if r and r.published else "", self.deadline.isoformat(),
                        "、".join(r.missing or []) if r else "", r.id if r else "", r.source if r else "",
                        len(row.departments)])
        return out

    def to_csv(self, *, bom: bool = False) -> str:
        return write_csv(CSV_COLUMNS, self.csv_rows(), bom=bom)


def _parent(region: Region, level: str) -> str:
    if level == "province":
        return ""
    if level == "city" or region.city == region.province:
        return region.province or ""
    if region.city:
        return f"{region.province}{region.city}"
    return f"{region.province}（省直辖）"  # 仙桃市: a county directly under its province


def names_government(publisher: str | None, name: str) -> bool:
    """True when ``publisher`` is the government called ``name`` (or names no place at all).

    A county government's report that lost its county in extraction must not pass for its
    province's report: the place before 人民政府 must be ``name``, end with it (武汉市青山区),
    or be its short form (恩施州 for 恩施土家族苗族自治州, 湖北 for 湖北省).
    """
    if not is_government_publisher(publisher):
        return False
    place = _GOVERNMENT.sub("", (publisher or "").strip()).removesuffix("人民")
    return not place or place.endswith(name) or name.startswith(place) or place[:2] == name[:2]


def _own_name(region: Region, level: str) -> str:
    return {"province": region.province, "city": region.city, "county": region.county}[level] or ""


def _row_search(year: int, region: Region, level: str) -> dict[str, tuple[str, ...]]:
    """The search page that lists this government's candidates: the report query with its year,
    document types and region as filters (a city's search also lists its counties' reports:
    the search page cannot ask for "no county")."""
    search: dict[str, tuple[str, ...]] = {"q": (REPORT_QUERY,), "year": (str(year),),
                                          "doc_type": REPORT_TYPES, "province": (region.province or "",)}
    if level != "province" and region.city:
        search["city"] = (region.city,)
    if level == "county":
        search["county"] = (region.county or "",)
    return search


def _hits(backend: SearchBackend, filters: dict[str, tuple[str, ...]]) -> Iterator[Hit]:
    """Every candidate hit, oldest publication first, paged through MAX_LIMIT at a time.

    Not folded (``collapse=False``): a copy on another site is a copy of the same report and
    the earliest one decides whether it was on time.
    """
    offset = 0
    while True:
        results = backend.search(SearchRequest(query=REPORT_QUERY, filters=filters, sort="date", limit=MAX_LIMIT,
                                               offset=offset, passages=0, facets=False, collapse=False))
        yield from results.hits
        offset += len(results.hits)
        if not results.hits or offset >= results.total:
            return


def _report(hit: Hit, year: int, missing: list[str] | None = None) -> Report:
    published = dt.date.fromisoformat(hit.published) if hit.published else None
    return Report(id=hit.id, title=hit.title, publisher=hit.publisher, published=published,
                  status=status_of(published, year), source=hit.source, missing=missing)


def tracker(backend: SearchBackend, year: int, *, level: str | None = None, province: str | None = None,
            city: str | None = None) -> Tracker:
    """One row per government at ``level`` (default: county with a province, else province).

    ``province`` is required for the county level (about 2,800 rows nationwide, too many to
    read) and optional otherwise; ``city`` narrows the county level to one city.
    """
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise TrackerError(f"年份应在 {_FIRST_YEAR}–{_LAST_YEAR} 之间：{year}")
    level = level or ("county" if province else "province")
    if level not in LEVELS:
        raise TrackerError("level 只能是 province（省级）、city（市级）或 county（县级）。")
    if level == "county" and not province:
        raise TrackerError("县级进度表请指定省份，例如 province=湖北省。")
    if city and level != "county":
        raise TrackerError("city（城市）只用于县级进度表。")
    regions = [r for r in divisions(level, province, city)
               if (r.code or "")[:2] not in EXCLUDED_PROVINCE_CODES]
    if not regions:
        where = "".join(x for x in (province, city) if x)
        raise TrackerError(f"GB/T 2260 行政区划表中没有“{where}”的{LEVEL_LABELS[level]}行政区，请检查名称（如“湖北省”“武汉市”）。")

    # Documents of a city's own government carry no county; of a province's, no city either
    # (a municipality's own documents name it as their city). The engine's facet filter on ''
    # selects "unknown" (code 0), which is exactly that.
    filters: dict[str, tuple[str, ...]] = {"year": (str(year),), "doc_type": REPORT_TYPES}
    if province:
        filters["province"] = (province,)
    if city:
        filters["city"] = (city,)
    if level in ("province", "city"):
        filters["county"] = ("",)
    if level == "province":
        filters["city"] = ("", *(m for m in MUNICIPALITIES if not province or m == province))

    rows_by_display: dict[str, Row] = {}
    rows = []
    for region in regions:
        row = Row(region=region, name=_own_name(region, level), parent=_parent(region, level), status="not_found",
                  report=None, search=_row_search(year, region, level))
        rows.append(row)
        rows_by_display[region.display()] = row

    own: dict[str, list[Hit]] = {}
    for hit in _hits(backend, filters):
        row = rows_by_display.get(hit.region or "")
        if row is None:
            continue  # another level's document (a county report in a city search)
        if names_government(hit.publisher, row.name):
            own.setdefault(hit.region or "", []).append(hit)
        else:
            row.departments.append(_report(hit, year))

    for display, hits in own.items():
        row = rows_by_display[display]
        candidates: list[Report] = []
        for hit in hits:  # oldest first; undated last
            doc = backend.get(hit.id)
            if doc is None or not is_annual_report(doc) or doc.year != year:
                row.departments.append(_report(hit, year))  # listed, not counted as its report
                continue
            missing = [PART_NAMES[key] for key in outline(doc.paragraphs).missing]
            candidates.append(_report(hit, year, missing))
        if candidates:
            row.report, row.copies = candidates[0], candidates[1:]
            row.status = row.report.status

    total = Summary("合计")
    groups: dict[str, Summary] = {}
    for row in rows:
        total.add(row.status)
        name = row.group if level != "province" else "全国"
        groups.setdefault(name, Summary(name)).add(row.status)
    notes = [NOT_FOUND_NOTE]
    if level == "county":
        notes.append("不设区的市（如东莞市、中山市）没有县级行政区，列在市级进度表中。")
    return Tracker(year=year, level=level, province=province, city=city, deadline=deadline(year), rows=rows,
                   groups=list(groups.values()), total=total, notes=notes)
