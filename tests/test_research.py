"""The research views (issue 13): tracker and trends, through the library, the JSON/HTML/CSV
pages and the CLI, on a fixture index whose every expected figure is written out by hand."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from conftest_research import EXPECTED_ROWS, build_research_index

from extract.regions import divisions
from govsearch.cli import main
from indexer import SearchRequest, open_index
from research.tracker import TrackerError, is_government_publisher, names_government, tracker
from research.trends import TrendError, trends, with_year_range
from webui import create_app


@pytest.fixture(scope="module")
def indexed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    data_dir = tmp_path_factory.mktemp("research")
    return data_dir, build_research_index(data_dir)


@pytest.fixture(scope="module")
def backend(indexed):
    b = open_index(indexed[0], readonly=True)
    yield b
    b.close()


@pytest.fixture(scope="module")
def client(indexed):
    app = create_app(indexed[0])
    app.config["TESTING"] = True
    yield app.test_client()
    app.extensions["govsearch_backend"].close()


# ------------------------------------------------------------------------------- regions


def test_divisions_list_governments_from_the_table() -> None:
    wuhan = divisions("county", "湖北省", "武汉市")
    assert [r.county for r in wuhan] == [name for name, *_ in EXPECTED_ROWS]
    hubei_cities = divisions("city", "湖北省")
    assert "武汉市" in [r.city for r in hubei_cities] and all(r.county is None for r in hubei_cities)
    # A municipality has no city level; its districts are counties of the municipality.
    assert divisions("city", "北京市") == []
    assert {r.city for r in divisions("county", "北京市")} == {"北京市"}
    # A county directly under its province has no city.
    xiantao = [r for r in divisions("county", "湖北省") if r.county == "仙桃市"]
    assert xiantao and xiantao[0].city is None
    with pytest.raises(ValueError):
        divisions("town")


# ------------------------------------------------------------------------------- tracker


def test_government_publishers() -> None:
    for name in ("武汉市江岸区人民政府", "江汉区人民政府办公室", "湖北省人民政府办公厅", "某县政府"):
        assert is_government_publisher(name), name
    for name in ("武汉市硚口区司法局", "某县政府法制办公室", None, ""):
        assert not is_government_publisher(name), name
    assert names_government("武汉市青山区人民政府", "青山区")
    assert names_government("恩施州人民政府", "恩施土家族苗族自治州")
    assert not names_government("阳新县人民政府", "湖北省")  # a county report that lost its county


def test_tracker_rows_county_level(backend, indexed) -> None:
    ids = indexed[1]
    result = tracker(backend, 2023, level="county", province="湖北省", city="武汉市")
    assert result.deadline.isoformat() == "2024-04-01"
    got = [(r.name, r.status, r.report.id if r.report else None, len(r.copies), len(r.departments),
            r.report.missing if r.report else []) for r in result.rows]
    want = [(name, status, ids[key] if key else None, copies, depts, missing)
            for name, status, key, copies, depts, missing in EXPECTED_ROWS]
    assert got == want
    assert [g.name for g in result.groups] == ["湖北省武汉市"]
    total = result.total
    assert (total.governments, total.on_time, total.late, total.undated, total.not_found) == (13, 3, 1, 1, 8)
    qiaokou = next(r for r in result.rows if r.name == "硚口区")
    assert qiaokou.departments[0].publisher == "武汉市硚口区司法局"
    assert qiaokou.departments[0].status == "on_time"


def test_tracker_province_wide_summary_per_city(backend) -> None:
    result = tracker(backend, 2023, province="湖北省")  # default level: county
    assert result.level == "county" and result.total.governments == len(divisions("county", "湖北省"))
    by_city = {g.name: g for g in result.groups}
    assert (by_city["湖北省武汉市"].on_time, by_city["湖北省武汉市"].late) == (3, 1)
    assert (by_city["湖北省黄石市"].late, by_city["湖北省黄石市"].on_time) == (1, 0)
    assert "湖北省（省直辖）" in by_city  # 仙桃市, 潜江市…
    assert sum(g.governments for g in result.groups) == result.total.governments


def test_tracker_city_and_province_levels_take_only_their_own_reports(backend, indexed) -> None:
    ids = indexed[1]
    cities = tracker(backend, 2023, level="city", province="湖北省")
    wuhan = next(r for r in cities.rows if r.name == "武汉市")
    assert (wuhan.status, wuhan.report.id) == ("on_time", ids["wuhan"])  # 2024-03-30
    assert [r.name for r in cities.rows if r.report] == ["武汉市"]  # districts' reports stay districts'
    provinces = tracker(backend, 2023, level="province")
    found = {r.name: (r.status, r.report.id) for r in provinces.rows if r.report}
    assert found == {"湖北省": ("on_time", ids["hubei"]), "北京市": ("on_time", ids["beijing"])}
    assert len(provinces.rows) == 31  # mainland provinces; 台湾、香港、澳门 are not covered by the rule
    assert provinces.total.not_found == 29


def test_tracker_engine_filter_on_unknown_value(backend) -> None:
    """The tracker relies on a facet filter on '' meaning "no value" (a city's own documents
    have no county): if the engine stops supporting that, this fails first."""
    results = backend.search(SearchRequest(query="", filters={"province": ("湖北省",), "county": ("",)},
                                           limit=100, passages=0, facets=False))
    assert results.total > 0 and all(h.region in ("湖北省", "湖北省武汉市") for h in results.hits)


@pytest.mark.parametrize("kwargs, message", [
    ({"level": "county"}, "指定省份"),
    ({"level": "town", "province": "湖北省"}, "level"),
    ({"province": "火星省"}, "火星省"),
    ({"level": "city", "city": "武汉市", "province": "湖北省"}, "县级"),
])
def test_tracker_errors(backend, kwargs, message) -> None:
    with pytest.raises(TrackerError, match=message):
        tracker(backend, 2023, **kwargs)


def test_tracker_json_html_and_csv_agree(client, indexed) -> None:
    ids = indexed[1]
    args = "year=2023&province=湖北省&city=武汉市&level=county"
    data = client.get(f"/api/tracker?{args}").get_json()
    assert [(r["name"], r["status"]) for r in data["rows"]] == [(n, s) for n, s, *_ in EXPECTED_ROWS]
    assert data["total"] == {"name": "合计", "governments": 13, "on_time": 3, "late": 1, "undated": 1,
                             "not_found": 8}
    assert "不等于该政府没有发布" in data["not_found_means"]
    jiangan = data["rows"][0]
    assert jiangan["report"]["url"] == f"/doc/{ids['jiangan']}"
    # The search a "not found" row links to is a real search of the report query in that place.
    qiaokou = data["rows"][2]
    found = client.get("/api/search" + qiaokou["search_url"][len("/search"):]).get_json()
    assert [h["id"] for h in found["hits"]] == [ids["qiaokou-sfj"]]

    raw = client.get(f"/tracker.csv?{args}")
    assert raw.status_code == 200 and raw.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(raw.data.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    col = {name: header.index(name) for name in header}
    assert [(r[col["政府"]], r[col["状态"]]) for r in body] == [(n, d["status_label"]) for n, d in
                                                                  zip([r[0] for r in EXPECTED_ROWS], data["rows"],
                                                                      strict=True)]
    for r, d in zip(body, data["rows"], strict=True):
        report = d["report"] or {}
        assert r[col["发布日期"]] == (report.get("published") or "")
        assert r[col["缺少的部分"]] == "、".join(report.get("missing") or [])
        assert r[col["报告编号"]] == (report.get("id") or "")
        assert r[col["部门报告数"]] == str(len(d["departments"]))
    assert sum(1 for r in body if r[col["状态"]] == "按时") == data["total"]["on_time"]

    page = client.get(f"/tracker?{args}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('data-status="not_found"') == 8 and html.count('data-status="on_time"') == 3
    assert f'href="/doc/{ids["jianghan"]}#outline-h">缺：不足和原因、其他情况</a>' in html
    assert "<caption>" in html and 'scope="row"' in html and "未找到" in html
    assert "不等于该政府没有发布" in html
    assert "Content-Security-Policy" in page.headers and "style=" not in html


def test_tracker_page_errors_and_empty_form(client) -> None:
    assert client.get("/tracker").status_code == 200
    bad = client.get("/tracker?year=2023&level=county")
    assert bad.status_code == 400 and "指定省份" in bad.get_data(as_text=True)
    assert client.get("/api/tracker?year=20x3").get_json()["status"] == 400
    assert client.get("/api/tracker").status_code == 400


# -------------------------------------------------------------------------------- trends


def _follow(client, url: str) -> int:
    """The total of the search page a point links to (through its JSON twin, same parameters)."""
    parts = urlsplit(url)
    assert parts.path == "/search"
    return client.get("/api/search?" + parts.query).get_json()["total"]


@pytest.mark.parametrize("args", [
    "q=行政复议&q=出庭应诉率&by=year",
    "q=行政复议&q=出庭应诉率&by=year&from=2018&to=2024",
    "q=行政复议&by=year&province=湖北省",
    "q=行政复议&q=出庭应诉率&by=province",
    "q=行政复议 OR 出庭应诉率&q=出庭应诉率&by=province&from=2019&to=2021",
])
def test_every_trend_point_equals_the_search_it_links_to(client, args) -> None:
    data = client.get(f"/api/trends?{args}").get_json()
    assert data["series"], data
    checked = 0
    for series in data["series"]:
        for point in series["points"]:
            assert _follow(client, point["search_url"]) == point["count"], (series["query"], point)
            checked += 1
    assert checked == len(data["keys"]) * len(data["series"])
    # The denominators are the match-all counts of the same years / provinces.
    for key, base in zip(data["keys"], data["base"], strict=True):
        facet = "year" if data["by"] == "year" else "province"
        params = [(facet, key)] + ([("province", p) for p in data["filters"].get("province", [])])
        if data["by"] == "province" and data["year_from"]:
            params.append(("q", f"年份:{data['year_from']}..{data['year_to']}"))
        assert client.get("/api/search", query_string=params).get_json()["total"] == base


def test_trends_by_year_figures(backend) -> None:
    result = trends(backend, ["行政复议", "出庭应诉率"], by="year", year_from=2018, year_to=2024)
    assert result.keys == [str(y) for y in range(2018, 2025)]
    fuyi = {p.key: p.count for p in result.series[0].points}
    # t1, t2 (2019); t4 (2021); t6 (2022); the 2023 reports with 行政复议 in FULL_REPORT or PARTIAL_REPORT.
    assert fuyi["2019"] == 2 and fuyi["2021"] == 1 and fuyi["2018"] == 0
    point = result.series[0].points[1]
    assert point.key == "2019" and point.share == pytest.approx(2 / 2)
    assert next(p for p in result.series[1].points if p.key == "2022").count == 2  # t5 and 武昌区 2022


def test_trends_by_province_keeps_gbt_order_and_range(backend) -> None:
    result = trends(backend, ["出庭应诉率"], by="province", year_from=2021, year_to=2022)
    assert result.keys.index("湖北省") < result.keys.index("广东省") < result.keys.index("甘肃省")
    counts = {p.key: p.count for p in result.series[0].points}
    assert counts["广东省"] == 2 and counts["甘肃省"] == 0
    assert result.series[0].points[0].query == "出庭应诉率 年份:2021..2022"


def test_year_range_binds_to_the_whole_query() -> None:
    assert with_year_range("行政复议", 2018, 2024) == "行政复议 年份:2018..2024"
    assert with_year_range("行政复议 OR 应诉", 2018, 2024) == "(行政复议 OR 应诉) 年份:2018..2024"
    assert with_year_range("行政复议", None, None) == "行政复议"


@pytest.mark.parametrize("queries, kwargs, message", [
    ([], {}, "至少"),
    (["a", "b", "c", "d", "e", "f"], {}, "最多"),
    (["a"], {"by": "city"}, "by"),
    (["a"], {"year_from": 2024, "year_to": 2018}, "晚于"),
])
def test_trend_errors(backend, queries, kwargs, message) -> None:
    with pytest.raises(TrendError, match=message):
        trends(backend, queries, **kwargs)


def test_trends_html_and_csv(client) -> None:
    args = "q=行政复议&q=出庭应诉率&by=year&from=2018&to=2024"
    page = client.get(f"/trends?{args}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert html.count('class="point s0"') == 7 and html.count('class="point s1"') == 7
    assert html.count("<polyline") == 2 and "<caption>" in html and "style=" not in html
    assert 'href="/search?q=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE&amp;year=2019"' in html
    data = client.get(f"/api/trends?{args}").get_json()
    rows = list(csv.reader(io.StringIO(client.get(f"/trends.csv?{args}").data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["检索式", "年份或省份", "命中文件数"]
    assert [(r[0], r[1], int(r[2]), int(r[3])) for r in rows[1:]] == [
        (s["query"], p["key"], p["count"], p["base"]) for s in data["series"] for p in s["points"]]
    by_province = client.get("/trends?q=行政复议&by=province").get_data(as_text=True)
    assert by_province.count('class="bar s0"') == len(client.get("/api/trends?q=行政复议&by=province")
                                                      .get_json()["keys"])
    assert client.get("/trends").status_code == 200  # the empty form
    submitted = client.get("/trends?q=行政复议&q=&q=+&q=&q=&by=year").get_data(as_text=True)  # as the form sends it
    assert 'href="/trends.csv?q=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE&amp;by=year"' in submitted
    bad = client.get("/trends?q=" + "&q=".join("abcdef"))
    assert bad.status_code == 400
    assert client.get("/api/trends?q=a&by=city").get_json()["status"] == 400
    assert client.get("/api/trends?q=a&from=19x9").status_code == 400


def test_site_header_links_the_research_pages(client) -> None:
    html = client.get("/help").get_data(as_text=True)
    assert 'href="/trends"' in html and 'href="/tracker"' in html


# ----------------------------------------------------------------------------------- CLI


def test_cli_tracker_and_trend(indexed) -> None:
    data_dir = str(indexed[0])
    runner = CliRunner()
    out = runner.invoke(main, ["--data-dir", data_dir, "tracker", "--year", "2023", "--province", "湖北省",
                               "--city", "武汉市", "--json"])
    assert out.exit_code == 0, out.output
    assert [(r["name"], r["status"]) for r in json.loads(out.output)["rows"]] == [(n, s) for n, s, *_ in EXPECTED_ROWS]
    csv_out = runner.invoke(main, ["--data-dir", data_dir, "tracker", "--year", "2023", "--province", "湖北省",
                                   "--city", "武汉市", "--csv"])
    rows = list(csv.reader(io.StringIO(csv_out.output)))
    assert len(rows) == 1 + len(EXPECTED_ROWS) and rows[1][3] == "按时"
    text = runner.invoke(main, ["--data-dir", data_dir, "tracker", "--year", "2023", "--province", "湖北省",
                                "--city", "武汉市"])
    assert "合计 13：按时 3，逾期 1，日期不详 1，未找到 8" in text.output
    bad = runner.invoke(main, ["--data-dir", data_dir, "tracker", "--year", "2023", "--level", "county"])
    assert bad.exit_code != 0 and "指定省份" in bad.output

    trend = runner.invoke(main, ["--data-dir", data_dir, "trend", "行政复议", "出庭应诉率", "--from", "2019",
                                 "--to", "2022", "--csv"])
    assert trend.exit_code == 0, trend.output
    rows = list(csv.reader(io.StringIO(trend.output)))
    assert ["行政复议", "2019", "2", "2", "100.00"] in rows
    table = runner.invoke(main, ["--data-dir", data_dir, "trend", "出庭应诉率", "--by", "province"])
    assert "广东省\t2" in table.output
    bad = runner.invoke(main, ["--data-dir", data_dir, "trend", "年份:abc"])
    assert bad.exit_code != 0 and "年份" in bad.output


def test_trends_count_every_value_not_a_cut_list(indexed) -> None:
    """Trends ask the engine for every value of a facet (``facet_limit=None``): no value past
    the default cut of 50 is ever mistaken for zero. Each count equals a filtered search."""
    b = open_index(indexed[0], readonly=True)
    asked: list[SearchRequest] = []
    search = b.search

    def recording(request: SearchRequest):
        asked.append(request)
        return search(request)

    try:
        b.search = recording  # type: ignore[method-assign]
        by_province = trends(b, ["出庭应诉率"], by="province")
        assert asked and all(r.facet_limit is None for r in asked if r.facets)
        points = [p for s in by_province.series for p in s.points]
        assert any(p.count for p in points)
        for p in points:
            assert p.count == search(SearchRequest(query="出庭应诉率", filters={"province": (p.key,)},
                                                   limit=0, facets=False)).total
    finally:
        b.close()
