"""The crawler's rules one at a time: discovery, traps, Retry-After, near-duplicates, state,
WARC round trips. Fast, no server, no reactor."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest
from fixtures.sites.sites import PROXY, hanweb_column, hanweb_record

from archive.warc import WarcRecorder, iter_captures, read_capture
from crawl import discovery
from crawl.middlewares import retry_after_seconds
from crawl.settings import DEFAULT_DELAY, CrawlOptions, scrapy_settings
from crawl.state import CrawlState


@pytest.mark.parametrize("url, kind", [
    ("http://www.hz.gov.cn/art/2024/3/1/art_1229063382_1848211.html", "article"),
    ("http://www.gd.gov.cn/zwgk/202403/t20240301_4361234.html", "article"),
    ("https://www.gov.cn/zhengce/content/2024-03/01/content_6935632.htm", "article"),
    ("http://www.gz.gov.cn/gkmlpt/content/9/9512/post_9512345.html", "article"),
    ("http://www.hz.gov.cn/col/col1229063382/index.html", "list"),
    ("http://www.gd.gov.cn/zwgk/fzzfjs/index_3.html", "list"),
    ("http://www.example.gov.cn/list.jsp?page=4", "list"),
    ("http://www.example.gov.cn/module/download/downfile.jsp?classid=0&filename=a.pdf", "attachment"),
    ("http://www.gd.gov.cn/zwgk/202403/P020240301512345.pdf", "attachment"),
    ("http://www.example.gov.cn/images/banner.jpg", "skip"),
    ("http://www.example.gov.cn/module/web/jpage/dataproxy.jsp?page=1", "skip"),
    ("http://www.example.gov.cn/about.html", "other"),
])
def test_classify(url: str, kind: str) -> None:
    assert discovery.classify(url) == kind


@pytest.mark.parametrize("url", [
    "http://a.gov.cn/events.html?date=2024-01-05",
    "http://a.gov.cn/calendar/index.html",
    "http://a.gov.cn/list.html?year=2024&month=3",
    "http://a.gov.cn/s?" + "&".join(f"k{i}=v" for i in range(12)),
    "http://a.gov.cn/s?a=1&a=2&a=3",
    "http://a.gov.cn/x/y/x/y/x/y/x/index.html",
    "http://a.gov.cn/" + "/".join("d" for _ in range(3)) + "/" + "q" * 600,
])
def test_traps_recognised(url: str) -> None:
    assert discovery.trap_reason(url)


@pytest.mark.parametrize("url", [
    "http://a.gov.cn/art/2024/3/1/art_1_2.html",
    "http://a.gov.cn/col/col100/index.html?uid=1&pageNum=3",
    "http://a.gov.cn/zwgk/202403/t20240301_1.html",
])
def test_ordinary_urls_are_not_traps(url: str) -> None:
    assert discovery.trap_reason(url) is None


def test_session_ids_and_fragments_removed() -> None:
    assert discovery.clean_url("HTTP://A.gov.cn:80/a;jsessionid=XYZ?id=3&PHPSESSID=9&utm_source=x#top") \
        == "http://a.gov.cn/a?id=3"


def test_trs_pagination_computed_from_script() -> None:
    page = '<script>createPageHTML(5, 0, "index", "html");</script>'
    assert discovery.next_pages(page, "http://a.gov.cn/zwgk/index.html") == [
        "http://a.gov.cn/zwgk/index_1.html"]
    last = '<script>createPageHTML(5, 4, "index", "html");</script>'
    assert discovery.next_pages(last, "http://a.gov.cn/zwgk/index_4.html") == []


def test_next_page_link_and_page_parameter() -> None:
    page = ('<a href="list.jsp?page=2">2</a><a href="list.jsp?page=2">下一页</a>'
            '<a href="javascript:void(0)">下一页</a>')
    assert discovery.next_pages(page, "http://a.gov.cn/list.jsp?page=1") == [
        "http://a.gov.cn/list.jsp?page=2"]
    # A page parameter is never invented past the links the page offers.
    assert discovery.next_pages("<p>no links</p>", "http://a.gov.cn/list.jsp?page=9") == []


def test_hanweb_records_and_dataproxy() -> None:
    records = [hanweb_record(f"/art/2024/3/{i}/art_100_{i}.html", f"报告{i}", "2024-03-01")
               for i in range(1, 4)]
    text = hanweb_column(records, total=20).decode("utf-8")
    links = discovery.extract_links(text, "http://b.gov.cn/col/col100/index.html")
    arts = [link for link in links if link.kind == "article"]
    assert [a.text for a in arts] == ["报告1", "报告2", "报告3"]
    proxy = discovery.hanweb_dataproxy(text, "http://b.gov.cn/col/col100/index.html")
    assert proxy is not None and proxy.total == 20 and proxy.embedded == 3 and proxy.per_page == 1
    assert proxy.form["columnid"] == "100" and proxy.form["webid"] == "7"
    assert discovery.dataproxy_group_url(proxy, 4).endswith(
        "dataproxy.jsp?startrecord=4&endrecord=6&perpage=1")
    assert "page=1" in PROXY  # the fixture carries the real nextgroup form


def test_keyword_filter() -> None:
    assert discovery.matches_keywords(["XX县2023年法治政府建设年度报告"], ["法治政府建设"])
    assert not discovery.matches_keywords(["XX县召开春季运动会"], ["法治政府建设", "依法行政"])
    assert discovery.matches_keywords(["anything"], [])


def test_retry_after_header_forms() -> None:
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(b"5") == 5.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412480.0) == 30.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_default_settings_are_polite() -> None:
    settings = scrapy_settings(CrawlOptions(seeds=["http://a.gov.cn/"], data_dir=Path("/tmp/x")))
    assert settings["DOWNLOAD_DELAY"] == DEFAULT_DELAY >= 1.0
    assert settings["DOWNLOAD_DELAY_JITTER"] == 0.0  # jitter would shorten some gaps
    assert settings["CONCURRENT_REQUESTS_PER_DOMAIN"] == 1
    assert settings["ROBOTSTXT_OBEY"] and settings["AUTOTHROTTLE_ENABLED"]
    assert "+https://" in settings["USER_AGENT"]
    assert settings["REDIRECT_MAX_TIMES"] <= 5 and settings["DOWNLOAD_TIMEOUT"] <= 60


# -- state -------------------------------------------------------------------------------

def test_state_runs_frontier_and_known_items(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "crawl.sqlite")
    run1, resumed = state.start_run(["http://a.gov.cn/"], resume=False)
    assert not resumed
    assert state.enqueue("GET http://a.gov.cn/", {"url": "http://a.gov.cn/"})
    assert not state.enqueue("GET http://a.gov.cn/", {"url": "http://a.gov.cn/"})
    state.record("http://a.gov.cn/x.html", kind="article", payload_sha256="ab")
    assert not state.known_before_this_run("http://a.gov.cn/x.html")  # same run
    state.finish_run("closespider_pagecount", {})
    # An unfinished run with pending requests is what --resume picks up.
    run_again, resumed = state.start_run([], resume=True)
    assert resumed and run_again == run1
    state.mark_done(["GET http://a.gov.cn/"])
    state.finish_run("finished", {})
    run2, resumed = state.start_run([], resume=True)
    assert not resumed and run2 > run1
    assert state.known_before_this_run("http://a.gov.cn/x.html")
    assert not state.known_before_this_run("http://a.gov.cn/new.html")
    state.close()


def test_state_transaction_rolls_back(tmp_path: Path) -> None:
    state = CrawlState(tmp_path / "crawl.sqlite")
    state.start_run([], resume=False)
    with pytest.raises(RuntimeError), state.transaction():
        state.record("http://a.gov.cn/y.html", kind="article")
        raise RuntimeError("crash between index commit and state write")
    assert state.get("http://a.gov.cn/y.html") is None
    state.close()


# -- WARC --------------------------------------------------------------------------------

def test_warc_round_trip_keeps_wire_bytes_and_sha256(tmp_path: Path) -> None:
    recorder = WarcRecorder(tmp_path)
    html = "<html><title>报告</title></html>".encode("gbk")
    wire = gzip.compress(html)
    where = recorder.write_exchange(
        url="http://a.gov.cn/t.html", method="GET", request_headers=[("User-Agent", "govsearch")],
        request_body=b"", status=200,
        response_headers=[("Content-Type", "text/html"), ("Content-Encoding", "gzip"),
                          ("Transfer-Encoding", "chunked")], payload=wire)
    recorder.write_exchange(url="http://a.gov.cn/p.jsp", method="POST", request_headers=[],
                            request_body=b"columnid=1", status=404, response_headers=[],
                            payload=b"gone")
    recorder.close()
    captures = list(iter_captures(tmp_path))
    assert [(c.url, c.method, c.status) for c in captures] == [
        ("http://a.gov.cn/t.html", "GET", 200), ("http://a.gov.cn/p.jsp", "POST", 404)]
    assert captures[0].payload == wire and captures[0].body == html
    assert captures[1].request_body == b"columnid=1"
    again = read_capture(tmp_path, where.file, where.offset)
    assert again is not None and again.sha256 == captures[0].sha256
    raw = gzip.decompress(next(tmp_path.glob("*.warc.gz")).read_bytes())
    assert b"WARC-Payload-Digest: sha256:" in raw and b"Transfer-Encoding" not in raw


def test_warc_cut_by_a_crash_is_read_up_to_the_damage(tmp_path: Path) -> None:
    recorder = WarcRecorder(tmp_path)
    for i in range(3):
        recorder.write_exchange(url=f"http://a.gov.cn/{i}.html", method="GET", request_headers=[],
                                request_body=b"", status=200, response_headers=[],
                                payload=random.Random(i).randbytes(3000))
    recorder.close()
    warc = next(tmp_path.glob("*.warc.gz"))
    data = warc.read_bytes()
    warc.write_bytes(data[: len(data) - 700])  # the last record is cut mid-write
    urls = [c.url for c in iter_captures(tmp_path)]
    assert urls[:2] == ["http://a.gov.cn/0.html", "http://a.gov.cn/1.html"]


def test_gkmlpt_api_discovery_and_parsing() -> None:
    page = "<script>var c = { SID: 'gd_01' }; go('gkmlpt/index#77');</script>"
    urls = discovery.gkmlpt_api_urls(page, "http://www.sz.gov.cn/gkmlpt/index", fragment="2844")
    assert urls == ["http://www.sz.gov.cn/gkmlpt/api/all/2844?page=1&sid=gd_01",
                    "http://www.sz.gov.cn/gkmlpt/api/all/77?page=1&sid=gd_01"]
    assert discovery.gkmlpt_api_urls("<p>plain page</p>", "http://a.gov.cn/index.html") == []
    body = ('{"classify": {"post_count": 31}, "articles": [{"title": "报告", '
            '"url": "/gkmlpt/content/0/1/post_1.html"}, {"title": "无链接"}]}')
    total, links = discovery.parse_gkmlpt(body, "http://www.sz.gov.cn/gkmlpt/index")
    assert total == 31
    assert [(link.url, link.text) for link in links] == [
        ("http://www.sz.gov.cn/gkmlpt/content/0/1/post_1.html", "报告")]
    assert discovery.parse_gkmlpt(b"<html>not json</html>", "http://a/") == (None, [])
    assert discovery.with_page("http://a/gkmlpt/api/all/1?page=1&sid=x", 2) == \
        "http://a/gkmlpt/api/all/1?page=2&sid=x"
