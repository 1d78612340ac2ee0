"""HTML pages: search, reading view, citation, archived copy, syntax help, errors."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, redirect, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from indexer.api import QueryError
from indexer.document import Document
from webui import IndexUnavailable, archive, get_backend
from webui.chart import year_chart
from webui.highlight import mark
from webui.state import (
    FACET_LABELS,
    MAX_QUERY_CHARS,
    PAGE_SIZES,
    SORT_LABELS,
    BadRequest,
    SearchState,
)
from webui.viewdata import (
    archive_info,
    changes_view,
    citation,
    compare_view,
    diff_view,
    document_view,
    embedded_metadata,
    facet_page,
    is_web_url,
    overview,
    parse_since,
    search_page,
)

log = logging.getLogger(__name__)
bp = Blueprint("ui", __name__)


@bp.app_template_global()
def state_url(endpoint: str, state: SearchState, **kwargs) -> str:
    """A link to ``endpoint`` carrying the whole search state in its query string."""
    return url_for(endpoint, **kwargs) + state.query_string()


@bp.app_context_processor
def _template_names() -> dict:
    return {"FACET_LABELS": FACET_LABELS, "SORT_LABELS": SORT_LABELS, "PAGE_SIZES": PAGE_SIZES,
            "is_web_url": is_web_url}


@bp.app_template_filter("marked")
def _marked(text: str | None, spans=()):
    """``{{ passage.text|marked(passage.spans) }}``: engine text and spans as escaped HTML."""
    return mark(text, spans)


@bp.app_template_filter("beijing")
def _beijing(value) -> str:
    """A capture time as ``2021-03-02 16:30 北京时间`` (stored times are UTC)."""
    from indexer.citation import beijing_time

    return beijing_time(value) or "未知时间"


@bp.app_template_filter("public_source")
def _public_source(source: str) -> str:
    """A URL as it is; a local file by its name only, never its path on the server."""
    from indexer.citation import public_source

    return public_source(source or "")


@bp.app_template_filter("hostname")
def _hostname(source: str) -> str:
    """Short label for a source: the host of a URL, the file name of a local path."""
    if is_web_url(source):
        return urlsplit(source).hostname or source
    return source.replace("\\", "/").rsplit("/", 1)[-1]


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@bp.app_template_filter("xmlsafe")
def _xmlsafe(text: object) -> str:
    """Drop the control characters XML 1.0 forbids (scraped text sometimes carries them)."""
    return _XML_INVALID.sub("", "" if text is None else str(text))


def _load_document(doc_id: str) -> Document:
    doc = get_backend().get(doc_id)
    if doc is None:
        abort(404, description="找不到该文件：编号不存在，或文件已从索引中删除。")
    return doc


@bp.route("/")
@bp.route("/search")
def search():
    """The search page; with nothing asked yet it is the front page."""
    try:
        state = SearchState.from_args(request.args)
    except BadRequest as err:
        return render_template("search.html", state=SearchState(), error=str(err),
                               page=None), 400
    if state.is_empty:
        collection = overview()
        return render_template("search.html", state=state, page=None, error=None,
                               collection=collection,
                               front_chart=year_chart(collection.facets.get("year", [])))
    try:
        page = search_page(state)
    except QueryError as err:
        return render_template("search.html", state=state, page=None,
                               error=f"检索式有误：{err}"), 400
    return render_template("search.html", state=state, page=page, error=None)


@bp.route("/facet/<facet>")
def facet(facet: str):
    """Every value of one facet for the current search, with a filter box of its own (the
    sidebar's "全部 N 项"); a plain GET form, so it works without JavaScript too."""
    try:
        state = SearchState.from_args(request.args)
        data = facet_page(state, facet, request.args.get("contains", ""))
    except KeyError:
        abort(404, description=f"没有名为 {facet[:20]} 的筛选项。")
    except (BadRequest, QueryError) as err:
        abort(400, description=str(err))
    return render_template("facet.html", facet=data, state=state)


@bp.route("/advanced")
def advanced():
    """高级检索. Submitted (any field filled), it redirects to the search the fields make —
    the plain-GET path that works without JavaScript; otherwise it shows the form."""
    from webui.advanced import MODES, NEAR, ROWS, FormError, build_query, has_fields

    fields = {k: v for k, v in request.args.items()}
    error = None
    query = ""
    if has_fields(fields):
        try:
            query = build_query(fields)
        except FormError as err:
            error = str(err)
        else:
            return redirect(url_for("ui.search", q=query))
    return render_template("advanced.html", rows=ROWS, modes=MODES, near=NEAR, fields=fields,
                           error=error, state=SearchState(query=query)), 400 if error else 200


@bp.route("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says; answer with the SVG icon."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/help")
def help_page():
    return render_template("help.html", state=SearchState())


@bp.route("/doc/<docid:doc_id>")
def document(doc_id: str):
    doc = _load_document(doc_id)
    # The search this page was opened from (filters, sort, page size, page): the back link
    # and the search box keep it, so returning or searching again loses nothing.
    try:
        state = SearchState.from_args(request.args)
    except BadRequest:
        state = SearchState(query=" ".join(request.args.get("q", "").split())[:MAX_QUERY_CHARS])
    query = state.query
    view = document_view(doc, query)
    return render_template("doc.html", view=view, doc=doc, state=state,
                           cite=citation(doc), archive=archive_info(doc),
                           embedded=embedded_metadata(doc))


@bp.route("/doc/<docid:doc_id>/diff")
def diff(doc_id: str):
    """Two versions of a changed page side by side, paragraph by paragraph."""
    doc = _load_document(doc_id)
    try:
        data = diff_view(doc, request.args.get("a") or None, request.args.get("b") or None)
    except KeyError:
        abort(404, description="该网页没有这个版本（或从未修改过）。")
    return render_template("diff.html", doc=doc, diff=data, state=SearchState())


@bp.route("/compare")
def compare():
    """Two reports (two years of one government) side by side."""
    a, b = _load_document(_docid_arg("a")), _load_document(_docid_arg("b"))
    return render_template("compare.html", cmp=compare_view(a, b), state=SearchState())


def _docid_arg(name: str) -> str:
    value = request.args.get(name, "")
    if not re.fullmatch(r"[0-9a-f]{16}", value):
        abort(400, description=f"参数 {name} 应为 16 位文件编号。")
    return value


@bp.route("/changes")
def changes():
    """What changed on the crawled sites: new, edited, moved and deleted documents."""
    try:
        since = parse_since(request.args.get("since"))
        data = changes_view(since, request.args.get("site", "").strip()[:200],
                            " ".join(request.args.get("q", "").split())[:MAX_QUERY_CHARS])
    except (ValueError, QueryError) as err:
        abort(400, description=str(err))
    return render_template("changes.html", changes=data, state=SearchState(query=data["query"]))


@bp.route("/doc/<docid:doc_id>/cite")
def cite(doc_id: str):
    """The citation as a page of its own: the no-JavaScript fallback of the dialog."""
    doc = _load_document(doc_id)
    paragraph = _paragraph_arg(doc)
    return render_template("cite.html", doc=doc, cite=citation(doc, paragraph),
                           state=SearchState())


@bp.route("/doc/<docid:doc_id>/archive", endpoint="archive")
def archive_page(doc_id: str):
    doc = _load_document(doc_id)
    info = archive_info(doc)
    if info is None:
        abort(404, description="该文件没有存档副本（只有爬虫抓取的网页才有）。")
    available = archive.capture_available(doc)
    return render_template("archive.html", doc=doc, archive=info, available=available,
                           state=SearchState())


@bp.route("/doc/<docid:doc_id>/archive/raw")
def archive_raw(doc_id: str):
    doc = _load_document(doc_id)
    return archive.raw_response(doc)


def _paragraph_arg(doc: Document) -> int | None:
    raw = request.args.get("p", "")
    if not raw:
        return None
    # str.isdigit() is also true for '¹' and '②', which int() rejects: ASCII digits only.
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= len(doc.paragraphs):
        abort(404, description=f"该文件没有第 {raw[:12]} 段（共 {len(doc.paragraphs)} 段）。")
    return int(raw)


# --------------------------------------------------------------------------------- errors

_STATUS_TEXT = {400: "请求有误", 404: "页面不存在", 405: "不支持的请求方式",
                413: "请求过大", 500: "服务器内部错误", 503: "服务暂不可用"}
#: Chinese wording for werkzeug's English default descriptions.
_DEFAULT_MESSAGES = {
    400: "请求参数有误。",
    404: "页面不存在：请检查网址。",
    405: "此网址只能读取，不接受提交或修改。",
    413: "请求过大。",
}


def install_error_pages(app: Flask) -> None:
    """Errors as a page (or JSON under /api/) with one Chinese line, never a traceback."""

    def render_error(status: int, message: str):
        from flask import jsonify

        if request.path.startswith("/api/"):
            return jsonify({"error": message, "status": status}), status
        # The search box keeps what was typed, so the query can be corrected, not retyped.
        query = " ".join(request.args.get("q", "").split())[:MAX_QUERY_CHARS]
        return render_template("error.html", status=status,
                               title=_STATUS_TEXT.get(status, "出错了"), message=message,
                               state=SearchState(query=query)), status

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        status = err.code or 500
        description = err.description
        if not description or description == type(err).description:
            description = _DEFAULT_MESSAGES.get(status, _STATUS_TEXT.get(status, "出错了"))
        return render_error(status, str(description))

    @app.errorhandler(IndexUnavailable)
    def _no_index(err: IndexUnavailable):
        return render_error(503, str(err))

    @app.errorhandler(QueryError)
    def _query_error(err: QueryError):
        return render_error(400, f"检索式有误：{err}")

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        log.exception("unhandled error on %s", request.path)
        return render_error(500, "服务器内部错误，已记录。请稍后重试或换一个检索式。")
