"""Research pages: keyword trends (/trends) and the annual-report tracker (/tracker).

Each page, its JSON twin (/api/trends, /api/tracker) and its CSV (/trends.csv, /tracker.csv)
are built from one view-data object computed by :mod:`research`; the views only parse the
query string and render.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, jsonify, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from extract.regions import divisions
from indexer.api import QueryError
from research.tracker import (
    EXCLUDED_PROVINCE_CODES,
    LEVEL_LABELS,
    NOT_FOUND_NOTE,
    STATUS_LABELS,
    Row,
    Tracker,
    TrackerError,
    tracker,
)
from research.trends import BY_LABELS, MAX_QUERIES, Point, TrendError, Trends, trends
from webui import get_backend
from webui.state import MAX_FILTER_CHARS, MAX_QUERY_CHARS, SearchState
from webui.trend_chart import TrendChart, trend_chart

bp = Blueprint("research", __name__)

MEASURES = {"count": "文件数", "share": "占比"}


class ParamError(ValueError):
    """A query-string parameter the page cannot use; the message is for the user."""


def _year_arg(args: MultiDict[str, str], name: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        raise ParamError(f"{name} 应为四位年份，例如 2021。")
    return int(raw)


def _text_arg(args: MultiDict[str, str], name: str) -> str | None:
    value = (args.get(name) or "").strip()
    if len(value) > MAX_FILTER_CHARS:
        raise ParamError(f"参数 {name} 过长。")
    return value or None


def search_url(params: list[tuple[str, str]]) -> str:
    return url_for("ui.search") + "?" + urlencode(params)


def provinces() -> list[str]:
    return [r.province or "" for r in divisions("province")
            if (r.code or "")[:2] not in EXCLUDED_PROVINCE_CODES]


# ------------------------------------------------------------------------------- trends


@dataclass
class TrendsPage:
    queries: list[str]  # as typed (for the form), even when empty
    by: str
    year_from: int | None
    year_to: int | None
    province: str | None
    measure: str
    trends: Trends | None
    chart: TrendChart | None

    def point_url(self, point: Point) -> str:
        return search_url(point.search_params())

    def params(self, **changes: Any) -> str:
        """This page's query string with some parameters changed (None drops one)."""
        values: dict[str, Any] = {"q": self.queries, "by": self.by, "from": self.year_from,
                                  "to": self.year_to, "province": self.province, "measure": self.measure}
        values.update(changes)
        pairs: list[tuple[str, str]] = []
        for key, value in values.items():
            if key == "q":
                pairs += [("q", q) for q in value]
            elif value is not None and not (key == "measure" and value == "count"):
                pairs.append((key, str(value)))
        return "?" + urlencode(pairs)

    def to_dict(self) -> dict[str, Any]:
        data = self.trends.to_dict() if self.trends else {}
        if self.trends:
            for series, out in zip(self.trends.series, data["series"], strict=True):
                for point, point_out in zip(series.points, out["points"], strict=True):
                    point_out["search_url"] = self.point_url(point)
        return data


def trends_page(args: MultiDict[str, str]) -> TrendsPage:
    """Parse the query string and compute; raises ParamError, TrendError or QueryError."""
    # The form has five query fields; the empty ones are not queries (nor carried in links).
    queries = [q for q in (" ".join(raw.split()) for raw in args.getlist("q")) if q][: MAX_QUERIES + 5]
    for q in queries:
        if len(q) > MAX_QUERY_CHARS:
            raise ParamError(f"检索式过长：最多 {MAX_QUERY_CHARS} 个字符。")
    by = args.get("by", "year") or "year"
    measure = args.get("measure", "count") or "count"
    if measure not in MEASURES:
        raise ParamError("measure 只能是 count（文件数）或 share（占比）。")
    page = TrendsPage(queries=queries, by=by, year_from=_year_arg(args, "from"), year_to=_year_arg(args, "to"),
                      province=_text_arg(args, "province"), measure=measure, trends=None, chart=None)
    if not any(queries):
        if by not in BY_LABELS:
            raise ParamError("by 只能是 year（按年份）或 province（按省份）。")
        return page  # the empty form
    page.trends = trends(get_backend(), queries, by=by, year_from=page.year_from, year_to=page.year_to,
                         province=page.province if by == "year" else None)
    page.chart = trend_chart(page.trends, page.point_url, measure)
    return page


def _render_trends(page: TrendsPage | None, error: str | None, status: int = 200):
    if page is None:
        page = TrendsPage(queries=request.args.getlist("q")[:MAX_QUERIES], by="year", year_from=None, year_to=None,
                          province=None, measure="count", trends=None, chart=None)
    return render_template("trends.html", page=page, error=error, state=SearchState(),
                           BY_LABELS=BY_LABELS, MEASURES=MEASURES, MAX_QUERIES=MAX_QUERIES,
                           provinces=provinces()), status


@bp.route("/trends")
def trends_html():
    try:
        page = trends_page(request.args)
    except (ParamError, TrendError) as err:
        return _render_trends(None, str(err), 400)
    except QueryError as err:
        return _render_trends(None, f"检索式有误：{err}", 400)
    return _render_trends(page, None)


@bp.route("/api/trends")
def trends_json():
    try:
        page = trends_page(request.args)
    except (ParamError, TrendError) as err:
        return jsonify({"error": str(err), "status": 400}), 400
    except QueryError as err:
        return jsonify({"error": f"检索式有误：{err}", "status": 400}), 400
    if page.trends is None:
        return jsonify({"error": "请至少输入一个检索式，例如 q=行政复议。", "status": 400}), 400
    return jsonify(page.to_dict())


def _csv_response(text: str, name: str) -> Response:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return Response(text.encode("utf-8"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="govsearch-{name}-{stamp}.csv"'})


def _plain_error(message: str) -> Response:
    return Response(message + "\n", status=400, mimetype="text/plain")


@bp.route("/trends.csv")
def trends_csv():
    try:
        page = trends_page(request.args)
    except (ParamError, TrendError, QueryError) as err:
        return _plain_error(str(err))
    if page.trends is None:
        return _plain_error("请至少输入一个检索式，例如 q=行政复议。")
    return _csv_response(page.trends.to_csv(bom=True), "trends")


# ------------------------------------------------------------------------------ tracker


@dataclass
class TrackerPage:
    year: int | None
    level: str | None
    province: str | None
    city: str | None
    tracker: Tracker | None

    def row_search_url(self, row: Row) -> str:
        return search_url(row.search_params())

    def params(self) -> str:
        pairs = [(k, str(v)) for k, v in (("year", self.year), ("province", self.province),
                                          ("city", self.city), ("level", self.level)) if v]
        return "?" + urlencode(pairs)

    def to_dict(self) -> dict[str, Any]:
        data = self.tracker.to_dict() if self.tracker else {}
        if self.tracker:
            for row, out in zip(self.tracker.rows, data["rows"], strict=True):
                out["search_url"] = self.row_search_url(row)
                if row.report:
                    out["report"]["url"] = url_for("ui.document", doc_id=row.report.id)
        return data


def tracker_page(args: MultiDict[str, str]) -> TrackerPage:
    year = _year_arg(args, "year")
    page = TrackerPage(year=year, level=_text_arg(args, "level"), province=_text_arg(args, "province"),
                       city=_text_arg(args, "city"), tracker=None)
    if year is None:
        if page.level and page.level not in LEVEL_LABELS:
            raise ParamError("level 只能是 province（省级）、city（市级）或 county（县级）。")
        return page  # the empty form
    page.tracker = tracker(get_backend(), year, level=page.level, province=page.province, city=page.city)
    page.level = page.tracker.level
    return page


def _render_tracker(page: TrackerPage | None, error: str | None, status: int = 200):
    if page is None:
        page = TrackerPage(year=None, level=None, province=None, city=None, tracker=None)
    return render_template("tracker.html", page=page, error=error, state=SearchState(),
                           LEVEL_LABELS=LEVEL_LABELS, STATUS_LABELS=STATUS_LABELS,
                           NOT_FOUND_NOTE=NOT_FOUND_NOTE, provinces=provinces(),
                           this_year=dt.date.today().year), status


@bp.route("/tracker")
def tracker_html():
    try:
        page = tracker_page(request.args)
    except (ParamError, TrackerError) as err:
        return _render_tracker(None, str(err), 400)
    return _render_tracker(page, None)


@bp.route("/api/tracker")
def tracker_json():
    try:
        page = tracker_page(request.args)
    except (ParamError, TrackerError) as err:
        return jsonify({"error": str(err), "status": 400}), 400
    if page.tracker is None:
        return jsonify({"error": "请指定年份，例如 year=2023。", "status": 400}), 400
    return jsonify(page.to_dict())


@bp.route("/tracker.csv")
def tracker_csv():
    try:
        page = tracker_page(request.args)
    except (ParamError, TrackerError) as err:
        return _plain_error(str(err))
    if page.tracker is None:
        return _plain_error("请指定年份，例如 year=2023。")
    return _csv_response(page.tracker.to_csv(bom=True), "tracker")
