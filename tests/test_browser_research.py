"""The research pages in Chromium (issue 13): the trend chart renders as SVG under the page's
CSP, a point leads to its search, and the tracker table reads with its links.

Same set-up as tests/test_browser.py (system Chromium through Playwright, the real
``govsearch serve``), over the research fixture index.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest_research import EXPECTED_ROWS, build_research_index
from conftest_webui import serve
from test_browser import ARTIFACTS, PageWatch

pytestmark = pytest.mark.browser

SCREENSHOT = Path("/tmp/trends.png")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("research-browser")
    build_research_index(data_dir)
    with serve(data_dir) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.watch = PageWatch(page)
    yield page
    context.close()


def api_json(server: str, path: str) -> dict:
    with urllib.request.urlopen(server + path) as response:  # local test server only
        return json.loads(response.read().decode("utf-8"))


def test_trend_line_chart_renders_and_links_to_its_search(page, server):
    query = "q=行政复议&q=出庭应诉率&by=year&from=2018&to=2024"
    page.goto(f"{server}/trends?{query}")
    data = api_json(server, "/api/trends?" + query.replace("行政复议", "%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE")
                    .replace("出庭应诉率", "%E5%87%BA%E5%BA%AD%E5%BA%94%E8%AF%89%E7%8E%87"))
    points = page.locator("figure.trend-chart svg g.point")
    assert points.count() == 2 * 7 == sum(len(s["points"]) for s in data["series"])
    assert page.locator("figure.trend-chart svg polyline").count() == 2
    box = page.locator("figure.trend-chart svg").bounding_box()
    assert box and box["width"] > 600 and box["height"] > 150  # drawn, not collapsed by a CSP block
    # Points are drawn where the data says: higher count, higher on the chart (smaller y).
    ys = {(g.get_attribute("data-series"), g.get_attribute("data-key")): float(g.locator("circle").first.get_attribute("cy"))
          for g in points.all()}
    fuyi = {p["key"]: p["count"] for p in data["series"][0]["points"]}
    assert fuyi["2019"] > fuyi["2018"] and ys[("0", "2019")] < ys[("0", "2018")]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.screenshot(path=str(ARTIFACTS / "trends.png"), full_page=True)
    assert SCREENSHOT.stat().st_size > 10_000
    assert page.watch.console_errors == []  # a CSP violation would be reported here

    page.locator('figure.trend-chart a:has(g.point[data-series="0"][data-key="2019"])').click()
    page.wait_for_url(re.compile(r"/search\?"))
    assert int(page.locator("#total").inner_text()) == fuyi["2019"]


def test_trend_bar_chart_by_province(page, server):
    page.goto(f"{server}/trends?q=行政复议&q=出庭应诉率&by=province")
    keys = page.locator("table.trend-table tbody th[scope=row]").all_inner_texts()
    assert "湖北省" in keys
    assert page.locator("figure.trend-chart svg g.bar").count() == 2 * len(keys)
    assert page.watch.console_errors == []


def test_tracker_table_and_links(page, server):
    page.goto(f"{server}/tracker?year=2023&province=湖北省&city=武汉市&level=county")
    rows = page.locator("table.tracker-rows tbody tr")
    assert rows.count() == len(EXPECTED_ROWS)
    assert [r.get_attribute("data-status") for r in rows.all()] == [status for _, status, *_ in EXPECTED_ROWS]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "tracker.png"), full_page=True)
    # Keyboard: the first link in the table body is reachable and is the first government's search.
    first = page.locator("table.tracker-rows tbody tr th a").first
    first.focus()
    assert page.evaluate("document.activeElement.textContent") == EXPECTED_ROWS[0][0]
    page.locator("table.tracker-rows tbody tr").nth(1).locator("a.status").click()
    page.wait_for_url(re.compile(r"/doc/[0-9a-f]{16}$"))
    assert "江汉区2023年度法治政府建设情况报告" in page.locator("h1").first.inner_text()
    assert page.watch.console_errors == []
