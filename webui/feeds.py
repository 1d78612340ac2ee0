"""Atom feed and CSV export of a search.

The feed lets a researcher subscribe to "new reports matching 行政复议 in 湖北省" instead of
re-running the search every spring; the CSV hands every hit to a spreadsheet for counting.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import replace
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request

from indexer.api import Hit, QueryError
from indexer.citation import public_source
from webui import external_url
from webui.state import FACET_LABELS, MAX_QUERY_CHARS, BadRequest, SearchState
from webui.viewdata import changes_view, is_web_url, iter_all_hits, parse_since, run_search

bp = Blueprint("feeds", __name__)

#: Entries in one feed document: feed readers poll, they do not page.
FEED_ENTRIES = 50
#: Rows in one CSV export; the full result of any realistic research query fits.
MAX_CSV_ROWS = 10_000
#: A cell starting with one of these is a formula to Excel and LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")

CSV_COLUMNS = ("编号", "标题", "发布机构", "发布日期", "文号", "地区", "文种", "原文链接",
               "段落号", "匹配段落", "转载来源")


def _plain_error(status: int, message: str) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _state() -> SearchState:
    return SearchState.from_args(request.args)


def neutralise(cell: object) -> str:
    """Make a cell inert for spreadsheets: formula-looking text gets a leading apostrophe."""
    text = "" if cell is None else str(cell)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _hit_row(hit: Hit) -> list[str]:
    passage = hit.passages[0] if hit.passages else None
    return [neutralise(value) for value in (
        hit.id, hit.title, hit.publisher, hit.published, hit.doc_number, hit.region,
        hit.doc_type, public_source(hit.source), passage.paragraph if passage else "",
        passage.text if passage else "", " ".join(public_source(d) for d in hit.duplicates),
    )]


@bp.route("/search.csv")
def search_csv():
    try:
        state = _state()
        hits = list(iter_all_hits(state, cap=MAX_CSV_ROWS))
    except (BadRequest, QueryError) as err:
        return _plain_error(400, str(err))
    buffer = io.StringIO()
    buffer.write("\ufeff")  # BOM: Excel otherwise opens UTF-8 as GBK mojibake
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for hit in hits:
        writer.writerow(_hit_row(hit))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return Response(
        buffer.getvalue().encode("utf-8"), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="govsearch-{stamp}.csv"'},
    )


def _entry_time(hit: Hit) -> str:
    """RFC 3339 time of a hit: its publication date at midnight Beijing time."""
    if hit.published:
        try:
            day = dt.date.fromisoformat(hit.published[:10])
            return f"{day.isoformat()}T00:00:00+08:00"
        except ValueError:
            pass
    return "1970-01-01T00:00:00Z"


@bp.route("/search.atom")
def search_atom():
    try:
        state = replace(_state(), sort="-date", page=1, per_page=FEED_ENTRIES)
        results = run_search(state, passages=1, facets=False)
    except (BadRequest, QueryError) as err:
        return _plain_error(400, str(err))
    entries = []
    for hit in results.hits:
        passage = hit.passages[0] if hit.passages else None
        entries.append({
            "hit": hit,
            "updated": _entry_time(hit),
            # With the query, the reading view marks every match (as a link from the results does).
            "link": external_url("ui.document", doc_id=hit.id)
            + (f"?{urlencode({'q': state.query})}" if state.query else "")
            + (f"#p{passage.paragraph}" if passage else ""),
            "source": hit.source if is_web_url(hit.source) else None,
            "summary": passage.text if passage else "",
        })
    updated = max((e["updated"] for e in entries if not e["updated"].startswith("1970")),
                  default=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
    title = "、".join([state.query] if state.query else []) or "全部文件"
    filters = "；".join(f"{FACET_LABELS.get(facet, facet)}：{'、'.join(values)}"
                       for facet, values in state.filters.items())  # （省份：四川省）
    body = render_template(
        "feed.xml", state=state, entries=entries, updated=updated,
        feed_title=f"govsearch：{title}" + (f"（{filters}）" if filters else ""),
        self_url=external_url("feeds.search_atom") + state.query_string(),
        html_url=external_url("ui.search") + state.query_string(),
    )
    return Response(body, mimetype="application/atom+xml")


@bp.route("/changes.atom")
def changes_atom():
    """The change feed: subscribe to "what changed on these sites" (``site``, ``q``)."""
    try:
        since = parse_since(request.args.get("since"))
        site = request.args.get("site", "").strip()[:200]
        query = " ".join(request.args.get("q", "").split())[:MAX_QUERY_CHARS]
        data = changes_view(since, site, query)
    except (ValueError, QueryError) as err:
        return _plain_error(400, str(err))
    params = [(k, v) for k, v in (("since", request.args.get("since", "")), ("site", site), ("q", query)) if v]
    from urllib.parse import urlencode

    suffix = "?" + urlencode(params) if params else ""
    entries = data["changes"][:FEED_ENTRIES * 4]
    updated = entries[0]["at"] if entries else dt.datetime.now(dt.UTC).isoformat()
    scope = "、".join(x for x in (site, query) if x) or "全部网站"
    body = render_template(
        "changes.xml", entries=entries, labels=data["labels"], updated=updated,
        feed_title=f"govsearch 变更：{scope}",
        self_url=external_url("feeds.changes_atom") + suffix,
        html_url=external_url("ui.changes") + suffix,
    )
    return Response(body, mimetype="application/atom+xml")
