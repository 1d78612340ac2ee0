"""`govsearch crawl` and `govsearch reindex`: the polite incremental crawler (issue 4)."""

from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click

#: Keys a site config may set (``[crawl]`` table of a TOML file, or a JSON object).
SITE_CONFIG_KEYS = {
    "seeds", "keywords", "delay", "concurrency_per_host", "depth", "max_pages", "user_agent",
    "allowed_hosts", "max_size", "timeout", "retries", "autothrottle", "sitemaps",
    "batch_size", "commit_interval", "max_attachments_per_page", "shape_budget", "max_list_pages", "recheck",
    "host_failure_limit",
}


def load_site_config(path: Path) -> dict[str, Any]:
    """Read a site config; one-line errors for anything wrong with it."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"无法读取站点配置 {path}：{exc.strerror or exc}") from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        else:
            data = tomllib.loads(text)
    except (ValueError, tomllib.TOMLDecodeError) as exc:
        raise click.ClickException(f"站点配置 {path} 格式错误：{exc}") from None
    if isinstance(data, dict) and isinstance(data.get("crawl"), dict):
        data = data["crawl"]
    if not isinstance(data, dict):
        raise click.ClickException(f"站点配置 {path} 应是一个 [crawl] 表")
    unknown = sorted(set(data) - SITE_CONFIG_KEYS)
    if unknown:
        raise click.ClickException(f"站点配置 {path} 有未知的键：{', '.join(unknown)}")
    return data


def _check_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise click.ClickException(f"不是有效的网址：{url}（应以 http:// 或 https:// 开头）")
    return url


@click.command()
@click.argument("urls", nargs=-1)
@click.option("--site-config", type=click.Path(dir_okay=False, path_type=Path),
              help="TOML (or JSON) file with a [crawl] table: seeds, keywords, delay…")
@click.option("--max-pages", type=click.IntRange(min=1), help="Stop after this many responses.")
@click.option("--depth", type=click.IntRange(min=0), help="Link depth from the seeds (default 3: home "
              "page → column → article; pagination and attachments do not count).")
@click.option("--delay", type=click.FloatRange(min=0), help="Seconds between requests to one "
              "host (default 1.0).")
@click.option("--keyword", "keywords", multiple=True, help="Follow only article links whose "
              "text contains this (repeatable), e.g. 法治政府建设.")
@click.option("--resume", is_flag=True, help="Continue the last interrupted crawl.")
@click.option("--recheck", is_flag=True, help="Also revalidate every report already collected "
              "from these sites (finds edited and withdrawn reports; costs one 304 each).")
@click.option("--user-agent", help="User-Agent with your contact URL (env GOVSEARCH_USER_AGENT).")
@click.option("--concurrency", type=click.IntRange(1, 2), help="Parallel requests per host (1–2).")
@click.option("--allow-host", "allow_hosts", multiple=True,
              help="Also crawl this host (attachments on a file server, say).")
@click.option("-q", "--quiet", is_flag=True, help="No live progress line.")
@click.pass_obj
def crawl(obj: Any, urls: tuple[str, ...], site_config: Path | None, max_pages: int | None,
          depth: int | None, delay: float | None, keywords: tuple[str, ...], resume: bool,
          recheck: bool, user_agent: str | None, concurrency: int | None, allow_hosts: tuple[str, ...],
          quiet: bool) -> None:
    """Crawl government sites politely and index the reports found.

    \b
    Examples:
      govsearch crawl http://www.example.gov.cn/col/col1234/index.html --keyword 法治政府建设
      govsearch crawl --site-config sites/hubei.toml
      govsearch crawl --resume          # continue an interrupted crawl
    """
    from crawl.runner import CrawlError, run_crawl
    from crawl.settings import CrawlOptions

    config = _last_run_options(obj.data_dir) if resume else {}
    config.update(load_site_config(site_config) if site_config else {})
    if urls and resume:
        config.pop("seeds", None)
    seeds = [*config.pop("seeds", []), *urls]
    if not seeds and not resume:
        raise click.ClickException("请给出要抓取的网址，或用 --site-config 指定站点配置")
    for url in seeds:
        _check_url(url)
    overrides = {"max_pages": max_pages, "depth": depth, "delay": delay,
                 "user_agent": user_agent, "concurrency_per_host": concurrency}
    config.update({k: v for k, v in overrides.items() if v is not None})
    if keywords:
        config["keywords"] = list(keywords)
    if recheck:
        config["recheck"] = True
    if allow_hosts:
        config["allowed_hosts"] = [*config.get("allowed_hosts", []), *allow_hosts]
    try:
        options = CrawlOptions(seeds=seeds, data_dir=obj.data_dir, resume=resume,
                               progress=not quiet, **config)
    except TypeError as exc:
        raise click.ClickException(f"站点配置有误：{exc}") from None
    try:
        summary = run_crawl(options)
    except CrawlError as exc:
        raise click.ClickException(str(exc)) from None
    _print_summary(summary)


def _last_run_options(data_dir: Path) -> dict[str, Any]:
    """The interrupted run's settings: ``--resume`` continues it as it was started."""
    from crawl.settings import CrawlOptions
    from crawl.state import CrawlState

    path = data_dir / "crawl.sqlite"
    if not path.exists():
        raise click.ClickException(f"{data_dir} 中没有可继续的抓取")
    state = CrawlState(path)
    try:
        options = state.last_run_options()
    finally:
        state.close()
    if not options:
        raise click.ClickException(f"{data_dir} 中没有可继续的抓取")
    return {k: v for k, v in options.items() if k in CrawlOptions.RESUMABLE}


def _print_summary(summary: dict[str, Any]) -> None:
    out = sys.stdout
    reason = {"finished": "完成", "closespider_pagecount": "达到页数上限",
              "shutdown": "被中断"}.get(summary.get("reason", ""), summary.get("reason"))
    if summary.get("reason") == "finished" and summary.get("pending"):
        reason = "结束（有主机连续出错，部分请求未发出）"
    out.write(
        f"抓取{reason}：{summary['pages']} 个响应（304 未变 {summary['not_modified']}），"
        f"用时 {summary['elapsed']:.1f} 秒，{summary.get('pages_per_second') or 0:.2f} 页/秒\n"
        f"文档：新增 {summary['new_docs']}，更新 {summary['updated_docs']}，"
        f"未变 {summary['unchanged_docs']}，其中副本 {summary['duplicates']}（各自索引，检索时合并显示），"
        f"已删除 {summary['gone']}，迁移 {summary.get('moved', 0)}\n"
        f"跳过：robots.txt 禁止 {summary['robots_forbidden']}，站外 {summary['offsite']}，"
        f"疑似陷阱 {summary['traps']}；错误 {summary['error_count']}\n")
    for host, count in sorted(summary["per_host"].items()):
        out.write(f"  {host}：{count} 个响应\n")
    for url, reason_text in summary["errors"][:10]:
        out.write(f"  错误 {url}：{reason_text}\n")
    if summary.get("pending"):
        out.write(f"还有 {summary['pending']} 个请求未完成：用 govsearch crawl --resume 继续\n")


@click.command()
@click.pass_obj
def reindex(obj: Any) -> None:
    """Rebuild documents and the index from the WARC captures alone, offline."""
    from crawl.runner import reindex as run_reindex

    try:
        summary = run_reindex(obj.data_dir)
    except FileNotFoundError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"从 {summary['captures']} 条抓取记录重建了 {summary['documents_built']} 篇文档"
               f"（索引中共 {summary['documents']} 篇）")
