import datetime as dt
from urllib.parse import unquote

from indexer.citation import beijing_time, gbt7714, in_text_marker, reference, text_fragment_url
from tests.conftest import make_doc

URL = "http://www.zhx.gov.cn/art/2020/3/25/art_1_1.html"


def test_gbt7714_web_document_matches_the_standard_form():
    doc = make_doc(URL, "漳河新区城市管理局2019年度推进法治政府建设情况报告", ["正文"],
                   publisher="漳河新区城市管理局", published=dt.date(2020, 3, 25))
    assert gbt7714(doc, accessed=dt.date(2026, 11, 22)) == (
        "漳河新区城市管理局. 漳河新区城市管理局2019年度推进法治政府建设情况报告[EB/OL]. "
        f"(2020-03-25)[2026-11-22]. {URL}."
    )


def test_gbt7714_with_doc_number_and_the_locator_beside_the_number():
    doc = make_doc(URL, "关于2017年法治政府建设情况报告", ["正文"], publisher="江海区人民政府",
                   doc_number="江开〔2017〕53号", published=dt.date(2017, 12, 28))
    ref = gbt7714(doc, accessed=dt.date(2026, 11, 22))
    assert ref == ("江海区人民政府. 关于2017年法治政府建设情况报告: 江开〔2017〕53号[EB/OL]. "
                   f"(2017-12-28)[2026-11-22]. {URL}.")
    # GB/T 7714-2015 §10.1.3: the 引文页码 stands outside the brackets of the in-text number,
    # never after the URL.
    assert in_text_marker(3) == "[1]第3段" and in_text_marker(None) == "[1]"


def test_local_file_without_public_url_has_no_online_marker():
    doc = make_doc("/data/r.txt", "报告", ["正文"])
    assert gbt7714(doc, accessed=dt.date(2026, 11, 22)) == "报告[EB]."


def test_local_file_is_cited_with_the_permalink_and_never_its_path():
    doc = make_doc("/srv/secret/imports/r.txt", "某县2022年法治政府建设年度报告", ["正文"],
                   publisher="某县人民政府", published=dt.date(2023, 3, 9))
    ref = reference(doc, dt.date(2026, 11, 22), permalink="https://gs.example.org/doc/abc")
    assert ref.gbt7714() == ("某县人民政府. 某县2022年法治政府建设年度报告[EB/OL]. "
                             "(2023-03-09)[2026-11-22]. https://gs.example.org/doc/abc.")
    assert ref.url_is_permalink
    for text in (ref.ris(), ref.bibtex(), str(ref.csl_json()), ref.coins(), str(ref.meta_tags())):
        assert ("/srv/secret" not in text and "永久链接" in text) or "rft" in text or "citation_" in text


def test_reference_manager_formats_carry_the_same_fields():
    doc = make_doc(URL, "关于2017年{法治}_政府建设 情况报告", ["正文"], publisher="江海区人民政府",
                   doc_number="江开〔2017〕53号", published=dt.date(2017, 12, 28), doc_type="报告")
    ref = reference(doc, dt.date(2026, 11, 22))
    ris = ref.ris()
    assert ris.startswith("TY  - ELEC\r\n") and ris.endswith("ER  -\r\n")
    assert "AU  - 江海区人民政府,\r\n" in ris and "DA  - 2017/12/28\r\n" in ris
    assert f"UR  - {URL}\r\n" in ris and "Y2  - 2026/11/22\r\n" in ris and "M1  - 江开〔2017〕53号" in ris
    bib = ref.bibtex()
    assert bib.startswith(f"@misc{{govsearch-{doc.id},") and "author = {{江海区人民政府}}" in bib
    assert r"title = {关于2017年\{法治\}\_政府建设 情况报告}" in bib
    assert "urldate = {2026-11-22}" in bib and "date = {2017-12-28}" in bib
    csl = ref.csl_json()
    assert csl["type"] == "webpage" and csl["author"] == [{"literal": "江海区人民政府"}]
    assert csl["issued"] == {"date-parts": [[2017, 12, 28]]} and csl["number"] == "江开〔2017〕53号"
    assert "publisher" not in csl  # a publisher would make CSL styles print it as a book
    meta = dict(ref.meta_tags())
    assert meta["citation_publication_date"] == "2017/12/28" and meta["citation_public_url"] == URL
    assert "rft.date=2017-12-28" in ref.coins() and "rft_val_fmt=info%3Aofi%2Ffmt%3Akev%3Amtx%3Adc" in ref.coins()


def test_capture_times_are_shown_in_beijing_time():
    assert beijing_time(dt.datetime(2026, 12, 6, 17, 46, 14, tzinfo=dt.UTC)) == "2026-12-07 01:46 北京时间"
    assert beijing_time("2026-12-06T17:46:14.785712+00:00") == "2026-12-07 01:46 北京时间"
    assert beijing_time(None) is None


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
