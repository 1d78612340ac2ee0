"""The ``govsearch`` command: a small shell over the indexer and crawl libraries."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import click

from govsearch.commands.compare import compare
from govsearch.commands.crawl import crawl, reindex
from govsearch.commands.extract import extract
from govsearch.commands.research import tracker_command, trend
from govsearch.commands.serve import serve
from indexer import Document, QueryError, SearchBackend, SearchRequest, open_index
from indexer.api import FACET_LIMIT, FACETS, MAX_LIMIT, SORTS
from indexer.sections import report_outline

DEFAULT_DATA_DIR = "index_data"


@dataclass
class Context:
    data_dir: Path

    def index(self, readonly: bool = False) -> SearchBackend:
        try:
            return open_index(self.data_dir, readonly=readonly)
        except QueryError as exc:
            raise click.ClickException(str(exc)) from None


QUERY_HELP = """\b
Query syntax (every string is matched exactly, after normalising width, case,
traditional/simplified characters and whitespace):
  法治政府 行政复议            both strings (AND)
  法治政府 OR 依法行政         either string
  法治政府 -依法行政           NOT: also  NOT 依法行政
  "措 施"                      a string that contains spaces
  (A OR B) C                   grouping
  title:法治 publisher:司法局 docno:〔2017〕 region:湖北 type:报告
  year:2019   year:2018..2021   date:2021-01-01..2021-06-30
  status:deleted (状态:已删除)  pages gone from their site; status:live the others
  versions:all                 also earlier versions of changed pages (--all-versions)
  同句(行政复议 应诉)          all strings in one sentence (also SENT(...))
  同段(行政复议 应诉)          all strings in one paragraph (also PARA(...))
  section:不足 执法            inside one part of an annual report (also 部分:; parts:
                               举措 不足 第一责任人 下一年度 其他)
"""


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DATA_DIR,
    envvar="GOVSEARCH_DATA",
    show_default=True,
    help="Where the index, crawl state and WARC captures live (env GOVSEARCH_DATA).",
)
@click.version_option(package_name="govsearch")
@click.pass_context
def main(ctx: click.Context, data_dir: Path) -> None:
    """govsearch: exact search over Chinese government rule-of-law reports.

    Index text dumps, HTML pages, PDF and DOCX files, crawl government sites,
    search with an exact-match query language, and cite passages (GB/T 7714).
    """
    ctx.obj = Context(data_dir=data_dir)


main.add_command(extract)
main.add_command(crawl)
main.add_command(reindex)
main.add_command(serve)
main.add_command(compare)
main.add_command(trend)
main.add_command(tracker_command)


# ----------------------------------------------------------------------------- index


def _walk(paths: tuple[Path, ...]) -> list[Path]:
    from extract.dispatch import SUPPORTED_SUFFIXES

    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES
            )
        else:
            files.append(path)
    return files


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--workers", type=int, default=None, help="Processes that analyse text (default: all cores).")
@click.option("--batch-size", type=int, default=1000, show_default=True, help="Documents per durable commit.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@click.pass_obj
def index(obj: Context, paths: tuple[Path, ...], workers: int | None, batch_size: int, quiet: bool) -> None:
    """Index files or folders (.txt text dumps, .html/.htm, .pdf, .docx).

    Incremental: a file already indexed with the same content is skipped, a changed one is
    replaced. A bad or unsupported file is reported and skipped; the run goes on.
    """
    from tqdm import tqdm

    from extract.dispatch import load_file
    from extract.errors import LoadError

    files = _walk(paths)
    failures: list[tuple[str, str]] = []

    def documents() -> Iterator[Document]:
        for f in files:
            try:
                yield load_file(f)
            except LoadError as exc:
                failures.append((str(f), str(exc)))
                bar.update(1)
            except Exception as exc:  # a loader bug must not abort the run
                failures.append((str(f), f"{type(exc).__name__}: {exc}"))
                bar.update(1)

    backend = obj.index()
    if workers is not None:
        backend.workers = workers  # type: ignore[attr-defined]
    with tqdm(total=len(files), unit="文件", desc="索引", disable=quiet or not files, file=sys.stderr) as bar:
        report = backend.add(documents(), progress=bar.update, batch_size=batch_size)
    backend.close()
    report.failed = failures + report.failed
    click.echo(
        f"新增 {report.added}，更新 {report.updated}，未变 {report.unchanged}，失败 {len(report.failed)}"
        f"（共 {len(files)} 个文件；索引在 {obj.data_dir}）"
    )
    for source, reason in report.failed:
        click.echo(f"  失败 {source}: {reason}", err=True)


# ----------------------------------------------------------------------------- search

_FILTER = re.compile(r"^(\w+)=(.+)$")


def _parse_filters(values: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    filters: dict[str, list[str]] = {}
    for value in values:
        m = _FILTER.match(value)
        if not m or m.group(1) not in FACETS:
            raise click.BadParameter(f"{value!r}: expected FACET=VALUE with FACET one of {', '.join(FACETS)}")
        filters.setdefault(m.group(1), []).append(m.group(2))
    return {k: tuple(v) for k, v in filters.items()}


def _bracketed(text: str, spans: list) -> str:
    """The terminal's way of marking the engine's match spans: 【…】."""
    out, pos = [], 0
    for a, b in sorted(tuple(span) for span in spans):
        if a < pos:
            continue
        out += [text[pos:a], "【", text[a:b], "】"]
        pos = b
    out.append(text[pos:])
    return "".join(out)


def _print_results(results: dict) -> None:
    click.echo(f"共 {results['total']} 条结果（{results['took_ms']} 毫秒）")
    for n, hit in enumerate(results["hits"], 1):
        click.echo(f"\n{n}. {_bracketed(hit['title'], hit.get('title_spans') or [])}  [{hit['id']}]")
        flags = ["已删除"] if hit.get("deleted") else []
        if hit.get("version_of"):
            flags.append(f"旧版本（抓取于 {(hit.get('captured') or '')[:10]}）")
        meta = " · ".join(str(x) for x in (hit["publisher"], hit["published"], hit["doc_number"], hit["region"], *flags) if x)
        if meta:
            click.echo(f"   {meta}")
        click.echo(f"   {hit['source']}")
        for p in hit["passages"]:
            click.echo(f"   ¶{p['paragraph']} {_bracketed(p['text'], p.get('spans') or [])}")
        for copy in hit.get("copies", [])[:3]:
            click.echo(f"   副本：{copy['title']}  [{copy['id']}]  {copy['source']}")
        listed = {c["source"] for c in hit.get("copies", [])}
        others = [s for s in hit["duplicates"] if s not in listed]
        if others:
            click.echo(f"   另见 {len(others)} 个网址：{', '.join(others[:3])}")


@main.command(epilog=QUERY_HELP)
@click.argument("query", required=False, default="")
@click.option("--limit", type=click.IntRange(0, MAX_LIMIT), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@click.option("--sort", type=click.Choice(SORTS), default="relevance", show_default=True,
              help="relevance, date (oldest first) or -date (newest first).")
@click.option("--filter", "filters", multiple=True, metavar="FACET=VALUE",
              help=f"Repeatable; AND across facets, OR within one. Facets: {', '.join(FACETS)}.")
@click.option("--no-collapse", is_flag=True, help="Show near-duplicate copies as separate hits.")
@click.option("--all-versions", is_flag=True,
              help="Also search earlier versions of changed pages (same as versions:all in QUERY).")
@click.option("--facet-limit", type=click.IntRange(0), default=FACET_LIMIT, show_default=True,
              help="Values per facet in --json (0: every value); facet_totals gives how many there are.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (JSON Lines with --queries).")
@click.option("--queries", type=click.File("r", encoding="utf-8"), help="Run one query per line of FILE.")
@click.pass_obj
def search(obj: Context, query: str, limit: int, offset: int, sort: str, filters: tuple[str, ...],
           no_collapse: bool, all_versions: bool, facet_limit: int, as_json: bool, queries: object) -> None:
    """Search the index. QUERY uses the query language below; empty lists everything."""
    parsed_filters = _parse_filters(filters)
    backend = obj.index(readonly=True)
    lines = [q.rstrip("\n") for q in queries] if queries else [query]  # type: ignore[attr-defined]
    failed = False
    for q in lines:
        if queries and not q.strip():
            continue
        request = SearchRequest(query=q, filters=parsed_filters, sort=sort, limit=limit, offset=offset,
                                collapse=not no_collapse, all_versions=all_versions,
                                facet_limit=facet_limit or None)
        try:
            results = backend.search(request).to_dict()
        except QueryError as exc:
            failed = True
            if as_json:
                click.echo(json.dumps({"query": q, "error": str(exc)}, ensure_ascii=False))
                continue
            raise click.ClickException(f"查询有误：{exc}") from None
        if as_json:
            click.echo(json.dumps(results, ensure_ascii=False, indent=None if queries else 2))
        else:
            if queries:
                click.echo(f"\n=== {q}")
            _print_results(results)
    backend.close()
    if failed and queries:
        sys.exit(1)


# ----------------------------------------------------------------------------- show/stats/delete/cite


def _get(backend: SearchBackend, doc_id: str) -> Document:
    doc = backend.get(doc_id)
    if doc is None:
        raise click.ClickException(f"没有 id 为 {doc_id} 的文档")
    return doc


@main.command()
@click.argument("doc_id")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def show(obj: Context, doc_id: str, as_json: bool) -> None:
    """Print one document: metadata and numbered paragraphs."""
    doc = _get(obj.index(readonly=True), doc_id)
    outline = report_outline(doc)
    if as_json:
        click.echo(json.dumps({**doc.to_dict(), "outline": outline}, ensure_ascii=False, indent=2))
        return
    click.echo(doc.display_title)
    for label, value in (
        ("发布机构", doc.publisher), ("发布日期", doc.published), ("成文日期", doc.written),
        ("文号", doc.doc_number), ("索引号", doc.index_no), ("类型", doc.doc_type),
        ("地区", doc.region.display()), ("来源", doc.source),
    ):
        if value:
            click.echo(f"{label}：{value}")
    if doc.deleted:
        seen = f"，最后见到 {doc.extra['last_seen']}" if doc.extra.get("last_seen") else ""
        click.echo(f"已删除：{doc.extra['gone']}{seen}（保留抓取时的内容、各版本与存档）")
    if doc.extra.get("moved"):
        click.echo(f"网址变更：{doc.extra['moved']}")
    if doc.version_of:
        click.echo(f"旧版本：抓取于 {doc.captured.isoformat() if doc.captured else '未知时间'}；现行版本 {doc.version_of}")
    if doc.versions:
        click.echo(f"本页于 {doc.modified or '未知日期'} 修改；旧版本：")
        for v in doc.versions:
            click.echo(f"  {v.id}  抓取于 {v.captured or '未知时间'}")
    if outline and outline["headings"]:
        present = "、".join(p["name"] for p in outline["parts"] if p["present"])
        click.echo(f"报告结构：有 {present}" + (f"；未检出 {'、'.join(outline['missing'])}" if outline["missing"] else ""))
    for n, p in enumerate(doc.paragraphs, 1):
        click.echo(f"[{n}] {p}")


@main.command()
@click.option("--since", required=True, metavar="DATE",
              help="List changes from this ISO date or time on (2026-11-01, 2026-11-01T08:00:00+00:00).")
@click.option("--site", metavar="HOST", help="Only documents of this host.")
@click.option("--query", "query", default="", metavar="QUERY", help="Only documents matching QUERY.")
@click.option("--limit", type=click.IntRange(1, 100_000), default=500, show_default=True)
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def changes(obj: Context, since: str, site: str | None, query: str, limit: int, as_json: bool) -> None:
    """New, changed, moved and deleted documents since DATE, newest first (the change feed)."""
    from dataclasses import asdict

    from indexer.changes import KINDS

    try:
        if len(since) == 10:
            dt.date.fromisoformat(since)
        else:
            dt.datetime.fromisoformat(since)
    except ValueError:
        raise click.BadParameter(f"无法识别的时间 {since!r}（格式如 2026-11-01）", param_hint="--since") from None
    backend = obj.index(readonly=True)
    try:
        found = backend.changes(since, site=site, query=query, limit=limit)
    except QueryError as exc:
        raise click.ClickException(f"查询有误：{exc}") from None
    finally:
        backend.close()
    if as_json:
        click.echo(json.dumps({"since": since, "site": site, "query": query,
                               "changes": [asdict(c) for c in found]}, ensure_ascii=False, indent=2))
        return
    click.echo(f"自 {since} 起共 {len(found)} 项变更")
    for c in found:
        detail = f"（{c.detail}）" if c.detail else ""
        click.echo(f"{c.at[:16].replace('T', ' ')}  {KINDS[c.kind]}{detail}  {c.title}  [{c.id}]  {c.source}")


@main.command()
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def stats(obj: Context, as_json: bool) -> None:
    """Index size, document count and facet overview."""
    info = obj.index(readonly=True).stats()
    if as_json:
        click.echo(json.dumps(info, ensure_ascii=False, indent=2))
        return
    click.echo(f"文档 {info['documents']} 篇，段 {info['segments']} 个，索引 {info['index_bytes'] / 1e6:.1f} MB（{info['index_path']}）")
    for facet, values in info["facets"].items():
        if values:
            top = "，".join(f"{v['value']} {v['count']}" for v in values[:8])
            click.echo(f"  {facet}: {top}")


@main.command()
@click.argument("doc_ids", nargs=-1, required=True)
@click.pass_obj
def delete(obj: Context, doc_ids: tuple[str, ...]) -> None:
    """Delete documents by id."""
    n = obj.index().delete(doc_ids)
    click.echo(f"已删除 {n} 篇（共请求 {len(doc_ids)} 个 id）")
    if n < len(doc_ids):
        sys.exit(1)


@main.command()
@click.argument("doc_id")
@click.option("--paragraph", "-p", type=click.IntRange(1), help="Paragraph number (the #pN anchor).")
@click.option("--accessed", type=click.DateTime(["%Y-%m-%d"]), help="Access date (default: today, Beijing time).")
@click.option("--format", "fmt", type=click.Choice(["gbt7714", "csl-json", "ris", "bibtex"]), default="gbt7714",
              show_default=True, help="Reference format; the last three are for reference managers.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def cite(obj: Context, doc_id: str, paragraph: int | None, accessed: dt.datetime | None, fmt: str,
         as_json: bool) -> None:
    """Print a GB/T 7714-2015 reference (or CSL-JSON, RIS, BibTeX), with the paragraph's
    in-text locator and a Text Fragment link."""
    from indexer.citation import beijing_time, in_text_marker, reference, text_fragment_url

    doc = _get(obj.index(readonly=True), doc_id)
    if paragraph is not None and paragraph > len(doc.paragraphs):
        raise click.ClickException(f"文档只有 {len(doc.paragraphs)} 段")
    ref = reference(doc, accessed.date() if accessed else None)
    if fmt != "gbt7714":
        body = {"csl-json": lambda: json.dumps([ref.csl_json()], ensure_ascii=False, indent=2),
                "ris": ref.ris, "bibtex": ref.bibtex}[fmt]()
        click.echo(body.replace("\r\n", "\n").rstrip("\n"))
        return
    fragment = text_fragment_url(doc.source, doc.paragraphs, paragraph) if paragraph else None
    if as_json:
        out = {"id": doc.id, "reference": ref.gbt7714(), "paragraph": paragraph,
               "in_text": in_text_marker(paragraph), "text_fragment_url": fragment,
               "quote": doc.paragraphs[paragraph - 1] if paragraph else None,
               "capture_sha256": doc.capture_sha256,
               "captured": doc.captured.isoformat() if doc.captured else None}
        click.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    click.echo(ref.gbt7714())
    if paragraph:
        click.echo(f"正文标注：{in_text_marker(paragraph)}（GB/T 7714-2015 §10.1.3，引文页码在方括号外）")
        click.echo(f"引文（第{paragraph}段）：{doc.paragraphs[paragraph - 1]}")
    if fragment:
        click.echo(f"原文定位：{fragment}")
    if doc.capture_sha256:
        click.echo(f"存档：{beijing_time(doc.captured)} SHA-256 {doc.capture_sha256}")

