"""A crawl killed with SIGKILL resumes with ``--resume``; the CLI commands work end to end."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from fixtures.sites.sites import build

from crawl.runner import reindex, run_crawl_subprocess, start_crawl_subprocess, write_options
from crawl.settings import CrawlOptions
from indexer import open_index
from indexer.document import make_id

ROOT = Path(__file__).resolve().parent.parent
REPORTS = ("r1", "r2", "r3", "r4", "r5", "r7", "b1", "b2", "b3", "b4", "b6")


def _ids(data: Path) -> set[str]:
    index = open_index(data)
    try:
        return {d.id for d in index.iter_documents()}
    finally:
        index.close()


def test_killed_crawl_resumes_where_it_stopped(tmp_path: Path) -> None:
    fx = build()
    try:
        options = CrawlOptions(
            seeds=[fx.a.url("/fzzf/index.html"), fx.b.url("/col/col100/index.html")],
            data_dir=tmp_path / "data", delay=0.2, max_size=1024 * 1024, progress=False,
            batch_size=1)
        enough = threading.Event()
        articles_seen: list[str] = []

        def watch(entry) -> None:
            if "/t2024" in entry.path or "/art/" in entry.path:
                articles_seen.append(entry.path)
                if len(articles_seen) >= 4:
                    enough.set()

        fx.a.on_request = fx.b.on_request = watch
        (tmp_path / "data").mkdir()
        proc = start_crawl_subprocess(write_options(options, tmp_path / "options.json"))
        try:
            assert enough.wait(timeout=120), "the crawl never reached the articles"
        finally:
            proc.kill()
            proc.communicate()
        fx.a.on_request = fx.b.on_request = None
        before_a = [r.path for r in fx.a.requests()]
        fx.a.clear_log()
        fx.b.clear_log()

        options.resume = True
        summary = run_crawl_subprocess(options, timeout=240)
        assert summary["resumed"] is True and summary["reason"] == "finished"
        assert summary["pending"] == 0
        ids = _ids(options.data_dir)
        for name in REPORTS:
            assert make_id(fx.reports[name]) in ids, name
        # The seed column was fully processed before the kill: not fetched again.
        assert "/fzzf/index.html" in before_a
        assert "/fzzf/index.html" not in [r.path for r in fx.a.requests()]
        # The archive survives the kill (a cut last record is skipped) and rebuilds.
        fresh = tmp_path / "fresh"
        fresh.mkdir()
        os.symlink(options.data_dir / "warc", fresh / "warc")
        assert reindex(fresh)["documents"] == len(ids)
    finally:
        fx.stop()


def _govsearch(*args: str, data: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "govsearch", "--data-dir", str(data), *args],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=240)


def test_cli_crawl_with_site_config_then_reindex(tmp_path: Path) -> None:
    fx = build()
    try:
        config = tmp_path / "site.toml"
        config.write_text(
            "[crawl]\n"
            f'seeds = ["{fx.b.url("/col/col100/index.html")}"]\n'
            'keywords = ["法治政府建设"]\n'
            "delay = 0.2\n", encoding="utf-8")
        data = tmp_path / "data"
        done = _govsearch("crawl", "--site-config", str(config), "-q", data=data)
        assert done.returncode == 0, done.stderr[-2000:]
        assert "抓取完成" in done.stdout and "新增 5" in done.stdout
        # Keywords switch off sitemap discovery: only the column's reports.
        assert "/sitemap.xml" not in [r.path for r in fx.b.requests()]
        rebuilt = _govsearch("reindex", data=data)
        assert rebuilt.returncode == 0, rebuilt.stderr[-2000:]
        assert "重建了 5 篇文档" in rebuilt.stdout
    finally:
        fx.stop()


@pytest.mark.parametrize("args, message", [
    (["crawl"], "请给出要抓取的网址"),
    (["crawl", "ftp://example.gov.cn/"], "不是有效的网址"),
    (["crawl", "--site-config", "missing.toml"], "无法读取站点配置"),
    (["reindex"], "没有可用的抓取记录"),
    (["crawl", "--resume"], "没有可继续的抓取"),
])
def test_cli_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    from click.testing import CliRunner

    from govsearch.cli import main

    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path / "d"), *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_rejects_unknown_site_config_key(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from govsearch.cli import main

    config = tmp_path / "bad.toml"
    config.write_text('[crawl]\nseeds = ["http://a.gov.cn/"]\nspeed = 9\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "crawl", "--site-config",
                                       str(config)])
    assert result.exit_code != 0 and "未知的键：speed" in result.output


def test_retry_after_is_honoured_on_429(tmp_path: Path) -> None:
    from fixtures.sites.server import FixtureServer, Route
    from fixtures.sites.sites import report_paragraphs, trs_article, trs_list

    server = FixtureServer("127.0.0.4").start()
    try:
        server.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow:\n", "text/plain")
        article = "/fzzf/202403/t20240301_1.html"
        server.routes[article] = Route(
            trs_article("某县2023年法治政府建设年度报告", report_paragraphs("某县", 2023, 3), "2024-03-01"),
            fail_first=1, fail_status=429, headers={"Retry-After": "1"})
        server.routes["/fzzf/index.html"] = Route(trs_list(
            [("./202403/t20240301_1.html", "某县2023年法治政府建设年度报告", "2024-03-01")], 0, 1))
        options = CrawlOptions(seeds=[server.url("/fzzf/index.html")], data_dir=tmp_path,
                               delay=0.2, progress=False, sitemaps=False)
        summary = run_crawl_subprocess(options, timeout=120)
        hits = [r for r in server.requests() if r.path == article]
        assert [r.status for r in hits] == [429, 200]
        assert hits[1].at - hits[0].at >= 1.0
        assert summary["new_docs"] == 1
    finally:
        server.stop()


def test_robots_crawl_delay_is_a_floor(tmp_path: Path) -> None:
    from fixtures.sites.server import FixtureServer, Route
    from fixtures.sites.sites import report_paragraphs, trs_article, trs_list

    server = FixtureServer("127.0.0.5").start()
    try:
        server.routes["/robots.txt"] = Route(b"User-agent: *\nCrawl-delay: 1\n", "text/plain")
        items = []
        for n in range(3):
            path = f"/fzzf/202403/t20240301_{n}.html"
            title = f"第{n}县2023年法治政府建设年度报告"
            server.routes[path] = Route(trs_article(title, report_paragraphs(f"第{n}县", 2023, n),
                                                    "2024-03-01"))
            items.append(("." + path[5:], title, "2024-03-01"))
        server.routes["/fzzf/index.html"] = Route(trs_list(items, 0, 1))
        options = CrawlOptions(seeds=[server.url("/fzzf/index.html")], data_dir=tmp_path,
                               delay=0.2, progress=False, sitemaps=False)
        summary = run_crawl_subprocess(options, timeout=120)
        times = [r.at for r in server.requests()]
        assert len(times) == 5 and summary["new_docs"] == 3
        assert min(b - a for a, b in itertools.pairwise(times)) >= 1.0
    finally:
        server.stop()


def test_failing_host_is_left_alone_and_resumable(tmp_path: Path) -> None:
    from fixtures.sites.server import FixtureServer, Route
    from fixtures.sites.sites import trs_list

    server = FixtureServer("127.0.0.6").start()
    try:
        server.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow:\n", "text/plain")
        items = []
        for n in range(8):
            path = f"/fzzf/202403/t20240301_{n}.html"
            server.routes[path] = Route(b"down", status=200, fail_first=99, fail_status=503)
            items.append(("." + path[5:], f"第{n}县2023年法治政府建设年度报告", "2024-03-01"))
        server.routes["/fzzf/index.html"] = Route(trs_list(items, 0, 1))
        options = CrawlOptions(seeds=[server.url("/fzzf/index.html")], data_dir=tmp_path,
                               delay=0.1, progress=False, sitemaps=False, host_failure_limit=3)
        summary = run_crawl_subprocess(options, timeout=120)
        failed = [r for r in server.requests() if r.status == 503]
        assert len(failed) == 3  # then the host got no more requests
        assert summary["host_given_up"] >= 1 and summary["pending"] >= 7
        assert any("主机连续出错" in reason for _, reason in summary["errors"])
    finally:
        server.stop()


def test_guangdong_gkmlpt_column_read_through_its_json_api(tmp_path: Path) -> None:
    import json

    from fixtures.sites.server import FixtureServer, Route
    from fixtures.sites.sites import report_paragraphs, trs_article

    server = FixtureServer("127.0.0.7").start()
    try:
        server.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow:\n", "text/plain")
        server.routes["/gkmlpt/index"] = Route(
            b"<html><head><script>window._CONFIG = { SID: 'gz001' };</script></head>"
            b"<body><div id='app'></div></body></html>")
        articles = []
        for n in range(3):
            path = f"/gkmlpt/content/0/96/post_9630{n}.html"
            title = f"第{n}区2023年法治政府建设年度报告"
            server.routes[path] = Route(trs_article(title, report_paragraphs(f"第{n}区", 2023, 40 + n),
                                                    "2024-03-01"))
            articles.append({"id": n, "title": title, "url": server.url(path)})

        def api(request, payload):
            page = int(request.path.rsplit("page=", 1)[1].split("&")[0])
            assert "sid=gz001" in request.path
            body = {"total": 3, "articles": articles[(page - 1) * 2: page * 2]}
            return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()

        server.routes["/gkmlpt/api/all/2844"] = Route(handler=api)
        options = CrawlOptions(seeds=[server.url("/gkmlpt/index#2844")], data_dir=tmp_path,
                               delay=0.1, progress=False, sitemaps=False)
        summary = run_crawl_subprocess(options, timeout=120)
        api_paths = [r.path for r in server.requests() if "/api/" in r.path]
        assert api_paths == ["/gkmlpt/api/all/2844?page=1&sid=gz001",
                             "/gkmlpt/api/all/2844?page=2&sid=gz001"]
        assert summary["new_docs"] == 3
        assert reindex(tmp_path)["documents_built"] == 3
        index = open_index(tmp_path)
        try:
            titles = sorted(d.title for d in index.iter_documents())
        finally:
            index.close()
        assert titles == [a["title"] for a in articles]
    finally:
        server.stop()
