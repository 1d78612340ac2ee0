"""Unit tests for extract.metadata: every spelling the helpers promise, and the refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from extract.furniture import is_chrome_line
from extract.metadata import (
    _DOC_TYPE_ENDINGS,
    clean_line,
    find_signoff_date,
    infer_doc_type,
    normalize_doc_number,
    normalize_publisher,
    parse_date,
    report_year,
)

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020-03-25", D(2020, 3, 25)),
        ("2020-3-25 17:23", D(2020, 3, 25)),
        ("2020/03/25", D(2020, 3, 25)),
        ("2020.03.25", D(2020, 3, 25)),
        ("2020年3月25日", D(2020, 3, 25)),
        ("2020 年 3 月 25 日", D(2020, 3, 25)),
        ("二〇二〇年三月二十三日", D(2020, 3, 23)),
        ("二○一七年十二月二十六日", D(2017, 12, 26)),
        ("二零二零年十月三十一日", D(2020, 10, 31)),
        ("二〇一九年一月十日", D(2019, 1, 10)),
        ("发布日期：２０２０年０１月３０日", D(2020, 1, 30)),  # full-width digits
        ("发布日期:2020-03-25 09:06信息来源:某局", D(2020, 3, 25)),
        ("20200325", D(2020, 3, 25)),
        ("  20171226 ", D(2017, 12, 26)),
        ("日期：20200325", D(2020, 3, 25)),
        ("更新 2019-01-02，发布 2020-03-04", D(2019, 1, 2)),  # the first date wins
    ],
)
def test_parse_date_spellings(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        None,
        "",
        "2020-02-30",  # no such day
        "2019年2月29日",  # not a leap year
        "2020年13月1日",
        "二〇二〇年十三月一日",
        "1900-01-01",  # out of the plausible range
        "文号20200325号",  # eight digits inside an id are not a date
        "电话 13920200325",
        "2020-03.25",  # mixed separators
        "2020年3月",  # no day
    ],
)
def test_parse_date_refuses(text: str | None) -> None:
    assert parse_date(text) is None


def test_parse_date_leap_day() -> None:
    assert parse_date("2020年2月29日") == D(2020, 2, 29)


def test_signoff_date_forms() -> None:
    body = ["一、工作情况。", "正文第二段，提到2019年5月1日的会议。"]
    assert find_signoff_date([*body, "某某局", "2020年3月23日"]) == D(2020, 3, 23)
    assert find_signoff_date([*body, "二〇二〇年三月二十三日"]) == D(2020, 3, 23)
    assert find_signoff_date([*body, "江门市江海区人民政府", "\xa0\xa0 20171226"]) == D(2017, 12, 26)
    assert find_signoff_date([*body, "2017年12月26日", "打印 关闭", "Produced By 大汉网络"]) == D(
        2017, 12, 26
    )


def test_signoff_date_ignores_dates_inside_long_paragraphs() -> None:
    long_paragraph = "我局于2019年5月1日召开会议，" + "研究部署法治政府建设工作。" * 5
    assert find_signoff_date(["标题", long_paragraph]) is None
    assert find_signoff_date([]) is None


def test_signoff_date_with_signer_on_the_same_line() -> None:
    assert find_signoff_date(["正文。", "太原市小店区人民政府2019年3月25日"]) == D(2019, 3, 25)
    assert find_signoff_date(["正文。", "某某局 2020年1月2日"]) == D(2020, 1, 2)


@pytest.mark.parametrize(
    "last",
    ["本办法自2020年3月1日起施行。", "有效期至2025年12月31日", "截至2020年12月31日", "2019年1月1日至2019年12月31日"],
)
def test_effective_dates_are_not_signoffs(last: str) -> None:
    assert find_signoff_date(["第一条 正文。", last]) is None


def test_signoff_date_only_near_the_end() -> None:
    paragraphs = ["2020年1月1日"] + ["正文段落没有日期。"] * 10
    assert find_signoff_date(paragraphs) is None


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("漳河新区城市管理局2019年度推进法治政府建设情况报告", 2019),
        ("县2017年度依法行政年终总结(2)", 2017),
        ("关于江门市江海区2017年法治政府建设情况报告", 2017),
        ("关于２０２１年度法治政府建设情况的报告", 2021),
        ("二〇一九年度法治政府建设情况报告", 2019),
        ("2020年3月工作动态", None),  # a month, not a report year
        ("法治政府建设实施纲要（2021—2025年）", None),  # a plan period
        ("区落实法治建设试行意见", None),
        ("1850年度报告", None),
        ("", None),
        (None, None),
    ],
)
def test_report_year(title: str | None, year: int | None) -> None:
    assert report_year(title) == year


def test_report_year_prefers_nianduu_over_bare_year() -> None:
    assert report_year("2020年关于2019年度法治政府建设情况的报告") == 2019


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("江开〔2017〕53号", "江开〔2017〕53号"),
        ("榆政办发〔2017〕46号", "榆政办发〔2017〕46号"),
        ("江开[2017]53号", "江开〔2017〕53号"),
        ("江开［2017］53号", "江开〔2017〕53号"),
        ("江开【2017】53号", "江开〔2017〕53号"),
        ("江开(2017)53号", "江开〔2017〕53号"),
        ("江开（2017）53号", "江开〔2017〕53号"),
        ("江开﹝2017﹞53号", "江开〔2017〕53号"),
        (" 江开 〔2017〕 53号 ", "江开〔2017〕53号"),
        ("国办发〔2017〕第5号", "国办发〔2017〕第5号"),
        ("公告2017年第3号", "公告2017年第3号"),
        ("市政府令第12号", "市政府令第12号"),
    ],
)
def test_normalize_doc_number(value: str, expected: str) -> None:
    assert normalize_doc_number(value) == expected


@pytest.mark.parametrize(
    "value",
    [None, "", "  ", "无", "-", "—", "暂无", "江开〔201753", "江开〔2017", "江开2017〕53号", "有效"],
)
def test_normalize_doc_number_refuses(value: str | None) -> None:
    assert normalize_doc_number(value) is None


def test_normalize_publisher() -> None:
    assert normalize_publisher("  漳河新区管理委员会\u3000") == "漳河新区管理委员会"
    assert normalize_publisher("高新区管委会\xa0\xa0江海区政府") == "高新区管委会 江海区政府"
    for placeholder in (None, "", "未知", "无", " - "):
        assert normalize_publisher(placeholder) is None


@pytest.mark.parametrize(
    ("title", "doc_type"),
    [
        ("漳河新区城市管理局2019年度推进法治政府建设情况报告", "报告"),
        ("县2017年度依法行政年终总结(2)", "总结"),
        ("区落实法治建设试行意见", "意见"),
        ("关于加强法治政府建设的实施意见", "意见"),
        ("关于印发2020年依法行政工作要点的通知", "通知"),
        ("某县法治政府建设实施方案（2021-2025年）", "方案"),
        ("2019年依法行政工作要点", "要点"),
        ("某市重大行政决策程序规定（试行）", "规定"),
        ("关于表彰先进单位的决定", "决定"),
        ("行政规范性文件管理办法", "办法"),
        ("某区2019年法治政府建设情况", "报告"),
        ("某局2020年工作总结。", "总结"),
        ("区政府工作动态", None),
        ("", None),
    ],
)
def test_infer_doc_type(title: str, doc_type: str | None) -> None:
    assert infer_doc_type(title) == doc_type


@pytest.mark.parametrize(
    "line",
    [
        "打印 关闭",
        "【打印】 【关闭】",
        "【打印本页】【关闭窗口】",
        "Produced By 大汉网络 大汉版通发布系统",
        "扫一扫在手机打开当前页",
        "上一篇:电子信息体系毁伤评估方式 下一篇:推动产学研合作教育系统探索",
        "下一篇：无",
        "字体大小:",
        "字体：[大 中 小]",
        "【字体：大 中 小】",
        "保护视力色:",
        "您现在的位置 : 首页\xa0>\xa0政务公开\xa0>\xa0江海动态\xa0>\xa0通知公告",
        "当前位置：首页 > 政务公开 > 法治政府",
        "首页 > 信息公开 > 法治政府建设",
        "文章来源:区党政办公室  更新时间:2017-12-28 17:23\xa0\xa0浏览数:-",
        "浏览次数：123",
        "分享到：",
        "网站标识码：4403000052",
        "粤ICP备05070829号",
        "京公网安备 11010502030143号",
        "附件:",
        "附件：",
        "相关链接",
        "关怀版 | 无障碍",
        "2021-03-31 16:20 来源：省司法厅 【字体：大 中 小】打印",
        "【发表评论】【打印此文】【关闭窗口】",
        "收藏挑错推荐打印",
        "【我要纠错】 责任编辑：王琳",
        "长按识别二维码关注“荣昌司法”",
        "------分隔线----------------------------",
        "首页政务公开政务服务政民互动走进安吉",
        "首 页 机构设置 政务公开 法律服务 普法专栏",
        "搜索",
    ],
)
def test_chrome_lines(line: str) -> None:
    assert is_chrome_line(line)


@pytest.mark.parametrize(
    "line",
    [
        "",
        None,
        "请各单位打印后于3月1日前报送。",
        "一是规范打印、复印等办公设备的使用管理，关闭闲置设备。",
        "附件：2019年法治政府建设考核指标.pdf",
        "通知公告",
        "2020年3月23日",
        "江门市江海区人民政府",
        "（一）推进政务公开，全年浏览量达到10万次。",
        "我区网站首页开设“法治政府”专栏，全年发布信息120条。",
        "关于江门市江海区2017年法治政府建设情况报告",
        "（此件主动公开）",
        "首页改版后，全年发布政务公开信息300条。",
        "一是推荐优秀案例，评选出十佳行政执法案卷。",
        "——坚持依法决策",
    ],
)
def test_body_lines_are_not_chrome(line: str | None) -> None:
    assert not is_chrome_line(line)


def test_clean_line_strips_all_page_spaces() -> None:
    assert clean_line("\u3000\xa0 正文\u200b\ufeff ") == "正文"


@given(st.text(max_size=200))
def test_helpers_never_raise(text: str) -> None:
    date = parse_date(text)
    assert date is None or 1949 <= date.year <= 2100
    assert isinstance(is_chrome_line(text), bool)
    number = normalize_doc_number(text)
    assert number is None or number.endswith("号")
    year = report_year(text)
    assert year is None or 1978 <= year <= dt.date.today().year + 1
    assert infer_doc_type(text) in (None, *{t for _, t in _DOC_TYPE_ENDINGS})
    assert find_signoff_date(text.splitlines()) in (None, *[parse_date(line) for line in text.splitlines()])
