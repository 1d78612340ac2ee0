"""高级检索: the one function that turns the form's fields into a query, and both paths that
use it (the plain GET form and /api/advanced for the page's script)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from conftest_webui import build_seeded_index

from indexer.query import parse_query
from webui.advanced import FormError, build_query


def test_fields_become_the_query_language() -> None:
    fields = {"text_all": '行政复议 "出庭 应诉"', "title_any": "报告 总结", "publisher_not": "司法局",
              "docno_all": "榆政办发[2017]46号", "region_any": "湖北省", "type_not": "通知 意见",
              "date_from": "2021-01-01", "year_from": "2019", "year_to": "2021",
              "sentence": "行政复议 纠错", "paragraph": "应诉"}
    query = build_query(fields)
    assert query == ('行政复议 "出庭 应诉" 标题:(报告 OR 总结) 文号:榆政办发[2017]46号 地区:湖北省 '
                     '日期:2021-01-01.. 年份:2019..2021 同句(行政复议 纠错) 应诉 '
                     '-发布机构:司法局 -类型:通知 -类型:意见')
    parse_query(query)  # valid query language
    assert build_query({}) == "" and build_query({"text_any": "  "}) == ""
    assert build_query({"text_any": "复议 诉讼"}) == "(复议 OR 诉讼)"
    assert build_query({"year_from": "2020", "year_to": "2020"}) == "年份:2020"
    assert build_query({"date_to": "2021-06-30"}) == "日期:..2021-06-30"
    with pytest.raises(FormError, match="发布日期"):
        build_query({"date_from": "昨天"})
    with pytest.raises(FormError, match="报告年度"):
        build_query({"year_to": "21"})


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from webui import create_app

    seeded = build_seeded_index(tmp_path_factory.mktemp("advanced"), with_capture=False)
    app = create_app(seeded.data_dir)
    yield app.test_client()
    app.extensions["govsearch_backend"].close()


def test_the_plain_form_redirects_to_the_search_and_the_api_gives_the_same_query(client) -> None:
    args = {"text_all": "行政复议", "title_not": "通知", "year_from": "2017"}
    expected = build_query(args)
    response = client.get("/advanced", query_string=args)
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query)["q"] == [expected]
    api = client.get("/api/advanced", query_string=args).get_json()
    assert api["query"] == expected and parse_qs(urlsplit(api["search_url"]).query)["q"] == [expected]
    bad = client.get("/advanced", query_string={"date_from": "昨天"})
    assert bad.status_code == 400 and "发布日期格式有误" in bad.get_data(as_text=True)
    assert client.get("/api/advanced?date_from=x").status_code == 400
    form = client.get("/advanced").get_data(as_text=True)
    assert form.count('name="text_all"') == 1 and 'name="year_to"' in form and 'name="sentence"' in form
    assert 'href="/advanced"' in client.get("/search?q=法治").get_data(as_text=True)  # beside the box
