import datetime as dt
from urllib.parse import unquote

from indexer.citation import gbt7714, text_fragment_url
from tests.conftest import make_doc

URL = "http://www.zhx.gov.cn/art/2020/3/25/art_1_1.html"


def test_gbt7714_web_document_matches_the_standard_form():
    doc = make_doc(URL, "漳河新区城市管理局2019年度推进法治政府建设情况报告", ["正文"],
                   publisher="漳河新区城市管理局", published=dt.date(2020, 3, 25))
    assert gbt7714(doc, accessed=dt.date(2026, 11, 22)) == (
        "漳河新区城市管理局. 漳河新区城市管理局2019年度推进法治政府建设情况报告[EB/OL]. "
        f"(2020-03-25)[2026-11-22]. {URL}."
    )


def test_gbt7714_with_doc_number_and_paragraph():
    doc = make_doc(URL, "关于2017年法治政府建设情况报告", ["正文"], publisher="江海区人民政府",
                   doc_number="江开〔2017〕53号", published=dt.date(2017, 12, 28))
    ref = gbt7714(doc, paragraph=3, accessed=dt.date(2026, 11, 22))
    assert ref.startswith("江海区人民政府. 关于2017年法治政府建设情况报告: 江开〔2017〕53号[EB/OL]. (2017-12-28)[2026-11-22]. ")
    assert ref.endswith(" 第3段.")


def test_local_file_has_no_online_marker():
    doc = make_doc("/data/r.txt", "报告", ["正文"])
    assert gbt7714(doc, accessed=dt.date(2026, 11, 22)) == "报告[EB]."


def test_text_fragment_is_percent_encoded_and_disambiguated():
    paras = ["一、加强组织领导。", "二、完善制度。", "一、加强组织领导。"]
    url = text_fragment_url(URL, paras, 3)
    assert url.startswith(URL + "#:~:text=")
    directive = url.split("#:~:text=", 1)[1]
    assert "%" in directive and "加" not in directive
    prefix, rest = directive.split("-,", 1)
    assert unquote(prefix) == "二、完善制度。"
    assert unquote(rest) == "一、加强组织领导。"
    assert text_fragment_url("/local/file.txt", paras, 1) is None
    long = "全面推进依法行政-" * 20
    start, end = text_fragment_url(URL, [long], 1).split("=", 1)[1].split(",")
    assert "-" not in start + end and unquote(start) == long[:24]
