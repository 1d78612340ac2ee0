"""``govsearch trend`` and ``govsearch tracker``: the research views on the command line.

Thin shells over :mod:`research`; the web pages /trends and /tracker show the same data.
"""

from __future__ import annotations

import json
from typing import Any

import click

from indexer import QueryError, open_index
from research.tracker import LEVEL_LABELS, NOT_FOUND_NOTE, STATUS_LABELS, TrackerError, tracker
from research.trends import BY, TrendError, trends


def _backend(ctx: click.Context):
    try:
        return open_index(ctx.obj.data_dir, readonly=True)
    except QueryError as exc:
        raise click.ClickException(str(exc)) from None


def _echo_data(result: Any, *, as_json: bool, as_csv: bool) -> bool:
    """Print ``result`` as JSON (its API shape) or CSV when asked; True when it was printed."""
    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    elif as_csv:
        click.echo(result.to_csv(), nl=False)
    return as_json or as_csv


@click.command()
@click.argument("queries", nargs=-1, required=True)
@click.option("--by", type=click.Choice(BY), default="year", show_default=True,
              help="Count per report year or per province.")
@click.option("--from", "year_from", type=click.IntRange(1949, 2100), help="First year (inclusive).")
@click.option("--to", "year_to", type=click.IntRange(1949, 2100), help="Last year (inclusive).")
@click.option("--province", help="With --by year: count within one province only.")
@click.option("--csv", "as_csv", is_flag=True, help="Print CSV (query, year or province, count, all documents, share %).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the shape of /api/trends).")
@click.pass_context
def trend(ctx: click.Context, queries: tuple[str, ...], by: str, year_from: int | None, year_to: int | None,
          province: str | None, as_csv: bool, as_json: bool) -> None:
    """Documents matching each QUERY (up to five) per year or per province.

    Counts come from the engine's facets (near-duplicate copies fold into one, as in search);
    the share divides by every document of that year or province.
    """
    backend = _backend(ctx)
    try:
        result = trends(backend, list(queries), by=by, year_from=year_from, year_to=year_to, province=province)
    except (TrendError, QueryError) as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        backend.close()
    if _echo_data(result, as_json=as_json, as_csv=as_csv):
        return
    label = "年份" if by == "year" else "省份"
    click.echo("\t".join([label, *result.queries, "全部文件"]))
    for i, key in enumerate(result.keys):
        cells = []
        for series in result.series:
            p = series.points[i]
            cells.append(f"{p.count}（{100 * p.share:.1f}%）" if p.share is not None else str(p.count))
        click.echo("\t".join([key, *cells, str(result.base[i])]))
    for note in result.notes:
        click.echo(note, err=True)


@click.command(name="tracker")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="The year the reports are about.")
@click.option("--province", help="Province name as in GB/T 2260 (湖北省); required for --level county.")
@click.option("--city", help="With --level county: one city (武汉市).")
@click.option("--level", type=click.Choice(tuple(LEVEL_LABELS)),
              help="Governments listed: province, city or county (default: county with --province, else province).")
@click.option("--csv", "as_csv", is_flag=True, help="Print one CSV row per government.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (the shape of /api/tracker).")
@click.pass_context
def tracker_command(ctx: click.Context, year: int, province: str | None, city: str | None, level: str | None,
                    as_csv: bool, as_json: bool) -> None:
    """Which governments' annual 法治政府建设 reports for YEAR are in the index, on time or late.

    On time: published before 1 April of the next year (厅字〔2019〕28号 第二十四条).
    "未找到" means not in this index, not that the government never published.
    """
    backend = _backend(ctx)
    try:
        result = tracker(backend, year, level=level, province=province, city=city)
    except TrackerError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        backend.close()
    if _echo_data(result, as_json=as_json, as_csv=as_csv):
        return
    where = f"{province or '全国'}{city or ''}{LEVEL_LABELS[result.level]}政府"
    click.echo(f"{where} {year} 年度法治政府建设报告（截止 {result.deadline.isoformat()} 前发布为按时）")
    for row in result.rows:
        r = row.report
        if r:
            missing = f"缺：{'、'.join(r.missing)}" if r.missing else "五部分齐全"
            line = f"{STATUS_LABELS[row.status]}\t{r.published or '日期不详'}\t{r.title}\t{missing}\t[{r.id}]"
        else:
            line = STATUS_LABELS[row.status]
        depts = f"\t部门报告 {len(row.departments)} 篇" if row.departments else ""
        click.echo(f"{row.parent}{row.name}\t{line}{depts}")
    t = result.total
    click.echo(f"合计 {t.governments}：按时 {t.on_time}，逾期 {t.late}，日期不详 {t.undated}，未找到 {t.not_found}")
    click.echo(NOT_FOUND_NOTE)
