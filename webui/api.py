"""The JSON twin of every page, for scripts, notebooks and other intranet tools.

Same parameters and same data as the HTML pages (see :mod:`webui.viewdata`); errors are JSON
objects ``{"error": message, "status": code}`` with a 4xx status.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, jsonify, request

from indexer.api import FACET_LIMIT, QueryError
from webui import get_backend
from webui.state import MAX_API_PAGE_SIZE, MAX_QUERY_CHARS, BadRequest, SearchState
from webui.viewdata import (
    CITE_FORMATS,
    changes_view,
    citation,
    citation_export,
    compare_view,
    diff_view,
    document_json,
    facet_page,
    parse_since,
    public_results,
    search_page,
    suggestions,
)

bp = Blueprint("api", __name__)


def _error(status: int, message: str):
    return jsonify({"error": message, "status": status}), status


@bp.route("/search")
def search():
    """``SearchResults.to_dict()``: the shape of ``govsearch search --json``."""
    try:
        state = SearchState.from_args(request.args, max_per_page=MAX_API_PAGE_SIZE)
    except BadRequest as err:
        return _error(400, str(err))
    raw_limit = request.args.get("facet_limit", "")
    facet_limit: int | None = FACET_LIMIT
    if raw_limit == "all":
        facet_limit = None
    elif raw_limit:
        if not (raw_limit.isascii() and raw_limit.isdigit()):
            return _error(400, "facet_limit 应为非负整数或 all。")
        facet_limit = int(raw_limit)
    try:
        # The page's own data, facets and explanations included.
        page = search_page(state, facet_limit=facet_limit)
    except QueryError as err:
        return _error(400, f"检索式有误：{err}")
    return jsonify({**public_results(page.results), "explain": page.explanation()})


@bp.route("/facet/<facet>")
def facet(facet: str):
    """The "全部 N 项" page's data: every value of one facet for a search (``contains``
    keeps the values containing that text), each with the search link that toggles it."""
    try:
        state = SearchState.from_args(request.args, max_per_page=MAX_API_PAGE_SIZE)
        return jsonify(facet_page(state, facet, request.args.get("contains", "")))
    except KeyError:
        return _error(404, f"没有名为 {facet[:20]} 的筛选项。")
    except (BadRequest, QueryError) as err:
        return _error(400, str(err))


@bp.route("/doc/<docid:doc_id>")
def document(doc_id: str):
    doc = get_backend().get(doc_id)
    if doc is None:
        return _error(404, "找不到该文件：编号不存在，或文件已从索引中删除。")
    return jsonify(document_json(doc))


@bp.route("/doc/<docid:doc_id>/diff")
def diff(doc_id: str):
    """The version diff page's data: ``a`` and ``b`` (versions), summary, aligned rows."""
    doc = get_backend().get(doc_id)
    if doc is None:
        return _error(404, "找不到该文件：编号不存在，或文件已从索引中删除。")
    try:
        data = diff_view(doc, request.args.get("a") or None, request.args.get("b") or None)
    except KeyError:
        return _error(404, "该网页没有这个版本（或从未修改过）。")
    return jsonify({k: v for k, v in data.items() if k != "history"})


@bp.route("/compare")
def compare():
    """The compare page's data: both documents, aligned sections, shared figures."""
    import re

    ids = [request.args.get(k, "") for k in ("a", "b")]
    if not all(re.fullmatch(r"[0-9a-f]{16}", i) for i in ids):
        return _error(400, "参数 a、b 应为 16 位文件编号。")
    docs = [get_backend().get(i) for i in ids]
    if None in docs:
        return _error(404, "找不到该文件：编号不存在，或文件已从索引中删除。")
    return jsonify(compare_view(docs[0], docs[1]))


@bp.route("/changes")
def changes():
    """The /changes page's data (``since``, ``site``, ``q``)."""
    try:
        since = parse_since(request.args.get("since"))
        data = changes_view(since, request.args.get("site", "").strip()[:200],
                            " ".join(request.args.get("q", "").split())[:MAX_QUERY_CHARS])
    except (ValueError, QueryError) as err:
        return _error(400, str(err))
    return jsonify(data)


@bp.route("/cite/<docid:doc_id>")
def cite(doc_id: str):
    """The citation dialog's data; ``format=csl-json|ris|bibtex`` downloads the reference for a
    reference manager instead (Zotero, EndNote, NoteExpress, BibTeX)."""
    doc = get_backend().get(doc_id)
    if doc is None:
        return _error(404, "找不到该文件：编号不存在，或文件已从索引中删除。")
    raw = request.args.get("p", "")
    paragraph = None
    if raw:
        if not (raw.isascii() and raw.isdigit()):  # isdigit() alone accepts '¹', which int() rejects
            return _error(400, "段落号 p 必须是正整数。")
        paragraph = int(raw)
        if not 1 <= paragraph <= len(doc.paragraphs):
            return _error(404, f"该文件没有第 {paragraph} 段（共 {len(doc.paragraphs)} 段）。")
    fmt = request.args.get("format", "")
    if fmt:
        if fmt not in CITE_FORMATS:
            return _error(400, "引文格式无效：可选 csl-json、ris、bibtex。")
        body, media, name = citation_export(doc, fmt)
        return Response(body, content_type=f"{media}; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return jsonify(citation(doc, paragraph))


@bp.route("/advanced")
def advanced():
    """The advanced form's data: ``{"query", "search_url"}`` for its fields (the same
    webui.advanced.build_query the no-JavaScript form uses)."""
    from flask import url_for

    from webui.advanced import FormError, build_query

    try:
        query = build_query(request.args)
    except FormError as err:
        return _error(400, str(err))
    return jsonify({"query": query, "search_url": url_for("ui.search", q=query or None)})


@bp.route("/suggest")
def suggest():
    """Typing suggestions for the search box: ``{"suggestions": [{value, kind, query}]}``."""
    typed = " ".join(request.args.get("q", "").split())[:MAX_QUERY_CHARS]
    return jsonify({"q": typed, "suggestions": suggestions(typed)})


@bp.route("/stats")
def stats():
    # Paths, dates and other engine-specific values become strings rather than a 500; where
    # the index lives on the server is nobody's business over HTTP.
    stats = {k: v for k, v in get_backend().stats().items() if not k.endswith("_path")}
    return jsonify(json.loads(json.dumps(stats, default=str)))


@bp.route("/<path:_anything>")
def not_found(_anything: str):
    abort(404)
