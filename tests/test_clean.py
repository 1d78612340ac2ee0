"""The cleaner's contract: encodings, body rules, metadata, attachments, and never a traceback."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import random
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.attachments import attachment_extension, join_wrapped_lines, sniff_kind
from extract.clean import MAX_HTML_BYTES, CleanResult, clean_bytes, clean_file, load_document_file
from extract.dispatch import load_file
from extract.encoding import decode_html
from extract.errors import LoadError, NotAnArticle
from extract.labels import label_pairs

PAGES = Path(__file__).parent / "fixtures" / "pages"
BODY = "".join(
    f"<p>　　第{i}条，本县深入推进依法行政，全面加强法治政府建设，各项工作取得明显成效，群众满意度持续提升。</p>"
    for i in range(1, 6)
)


def _attachments():
    spec = importlib.util.spec_from_file_location("fixture_make_attachments", PAGES / "make_attachments.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def page(body: str = BODY, head: str = "", charset: str = "utf-8", title: str = "某县2020年法治政府建设情况报告") -> str:
    return (f'<html><head><meta charset="{charset}"><title>{title}_法治政府_某县人民政府</title>{head}</head>'
            f'<body><div class="nav"><a href="/">首页</a><a href="/a">政务公开</a><a href="/b">政务服务</a></div>'
            f'<h1>{title}</h1><div id="zoom">{body}</div>'
            f'<div>【打印本页】【关闭窗口】</div><div>网站标识码：3305230001 浙ICP备05021478号</div></body></html>')


def assert_one_line(result: CleanResult) -> None:
    assert result.reason and "\n" not in result.reason and len(result.reason) <= 300
    assert "Traceback" not in result.reason


# --------------------------------------------------------------------------- interface


def test_clean_result_for_an_article_page():
    result = clean_bytes(page().encode("utf-8"), url="http://www.x.gov.cn/art/2021/3/5/art_1_2.html")
    assert result.kind == "article" and result.reason is None
    doc = result.document
    assert doc.title == "某县2020年法治政府建设情况报告"
    assert doc.source == "http://www.x.gov.cn/art/2021/3/5/art_1_2.html"
    assert doc.published == dt.date(2021, 3, 5)  # from the /art/Y/M/D/ URL
    assert doc.year == 2020 and doc.doc_type == "报告"
    assert len(doc.paragraphs) == 5 and doc.paragraphs[0].startswith("第1条")


def test_id_and_source_without_url_are_stable():
    data = page().encode("utf-8")
    first, second = clean_bytes(data).document, clean_bytes(data).document
    assert first.id == second.id and first.source.startswith("bytes:sha256:")


# --------------------------------------------------------------------------- encodings


def test_gbk_page_with_latin1_header_decodes_as_gb18030():
    data = page(charset="gbk").encode("gbk")
    doc = clean_bytes(data, headers={"Content-Type": "text/html; charset=ISO-8859-1"}).document
    assert doc.encoding == "gb18030" and "依法行政" in doc.body


def test_trustworthy_header_beats_meta():
    data = page(charset="utf-8").encode("gbk")  # stale meta, correct header
    doc = clean_bytes(data, headers={"content-type": "text/html; charset=GBK"}).document
    assert doc.encoding == "gb18030" and "依法行政" in doc.body


def test_utf8_bytes_under_a_stale_gb2312_declaration():
    doc = clean_bytes(page(charset="gb2312").encode("utf-8")).document
    assert doc.encoding == "utf-8" and "依法行政" in doc.body


@pytest.mark.parametrize(("bom", "codec"), [(b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le")])
def test_byte_order_mark_wins(bom: bytes, codec: str):
    text, used = decode_html(bom + page().encode(codec))
    assert used == codec and "依法行政" in text


def test_truncated_gbk_page_still_decodes():
    data = page(charset="gbk").encode("gbk")
    cut = data[: len(data) // 2 + 1]  # may end inside a two-byte character
    result = clean_bytes(cut)
    assert result.kind in ("article", "not-article", "error")
    if result.document:
        assert result.document.encoding == "gb18030"


# --------------------------------------------------------------------------- body rules


def test_body_rules_inline_joins_breaks_hidden_and_repeats():
    body = ("<p>某县2020年法治政府建设情况报告</p><p>某政〔2021〕3号</p>"
            "<p>　　2020年，我县<span>全面</span><b>推进</b>依法行政，成效明显。</p>"
            "<p>&nbsp;</p><p>　　</p><h3>一、主要做法</h3>"
            "<div>第一行，内容较长的说明文字。<br>第二行，内容较长的说明文字。</div>"
            "<p style='display:none'>隐藏文字不应出现</p><p hidden>也不应出现</p>"
            "<script>document.write('脚本文字')</script><style>.a{}</style><!-- 注释文字 -->"
            "<section><p>（一）分节内容，依法行政。</p></section>"
            "<p>某县人民政府</p><p>2021年3月1日</p>")
    html = page(body, head='<meta name="ArticleTitle" content="某县2020年法治政府建设情况报告">')
    doc = clean_bytes(html.encode("utf-8")).document
    assert doc.paragraphs == [
        "2020年，我县全面推进依法行政，成效明显。",
        "一、主要做法",
        "第一行，内容较长的说明文字。",
        "第二行，内容较长的说明文字。",
        "（一）分节内容，依法行政。",
        "某县人民政府",
        "2021年3月1日",
    ]
    assert doc.written == dt.date(2021, 3, 1)


def test_title_is_never_the_site_logo():
    html = ('<html><head><meta charset="utf-8"><title>某县人民政府</title>'
            '<meta name="SiteName" content="某县人民政府"></head><body>'
            '<h1 class="logo">某县人民政府</h1><h2>某县2021年度法治政府建设情况报告</h2>'
            f'<div class="main-text">{BODY}<h3>三、党政主要负责人履行推进法治建设第一责任人职责情况</h3></div>'
            '</body></html>')
    doc = clean_bytes(html.encode("utf-8")).document
    assert doc.title == "某县2021年度法治政府建设情况报告"


def test_title_suffix_is_stripped_from_head_title():
    html = page().replace("<h1>某县2020年法治政府建设情况报告</h1>", "")
    assert clean_bytes(html.encode("utf-8")).document.title == "某县2020年法治政府建设情况报告"


# --------------------------------------------------------------------------- metadata


def test_label_variants():
    pairs = dict(label_pairs([
        "索 引 号：\t000014349/2017-00110\t信息分类：\t法治",
        "文　　号\t江开〔2017〕53号",
        "发布时间：2020-03-25 09:12 来源：县司法局 浏览次数：",
        "时间:2020-02-18 09:32来源:城关镇作者:admin",
    ]))
    assert pairs["索引号"] == "000014349/2017-00110"
    assert pairs["文号"] == "江开〔2017〕53号"
    assert pairs["发布时间"] == "2020-03-25 09:12"
    assert pairs["来源"] in ("县司法局", "城关镇")


def test_metadata_priority_and_published_vs_written():
    head = ('<meta name="PubDate" content="2021-04-02 10:00"><meta name="ContentSource" content="县司法局">'
            '<meta name="SiteIDCode" content="3305230001">')
    table = ('<table><tr><td>发布机构：</td><td>安吉县人民政府办公室</td><td>成文日期：</td><td>2021-03-30</td></tr>'
             '<tr><td>文　　号：</td><td>无</td><td>索引号：</td><td>002614597/2021-00001</td></tr></table>')
    html = page(head=head).replace('<div id="zoom">', table + '<div id="zoom">')
    doc = clean_bytes(html.encode("utf-8")).document
    assert doc.publisher == "安吉县人民政府办公室"
    assert doc.published == dt.date(2021, 4, 2) and doc.written == dt.date(2021, 3, 30)
    assert doc.doc_number is None  # 无 is none
    assert doc.index_no == "002614597/2021-00001"
    assert doc.region.code == "330523"  # from SiteIDCode, not guessed from text


def test_central_bm_site_code_is_not_a_region():
    head = '<meta name="SiteIDCode" content="bm31000001">'
    doc = clean_bytes(page(head=head, title="交通运输部2021年法治政府建设年度报告").encode("utf-8")).document
    assert doc.region.code != "310000"


# --------------------------------------------------------------------------- attachments


POINTER = ('<p>《某县2020年法治政府建设情况报告》详见附件。</p>'
           '<p>附件：<a href="/module/download/downfile.jsp?classid=0&amp;filename=2003271642.pdf">报告全文</a></p>'
           '<p><a href="./P020210330.docx">某县2020年法治政府建设情况报告.docx</a></p>'
           '<p><a href="files/清单.ofd">重点任务清单.ofd</a></p>')
REPORT = ["某县2020年法治政府建设情况报告",
          "2020年，某县深入学习贯彻习近平法治思想，全面推进依法行政，法治政府建设取得新成效。",
          "一、主要举措和成效", "（一）加强组织领导，县政府常务会议专题研究法治建设4次。",
          "某县人民政府", "2021年3月25日"]


def test_attachment_links_are_absolute_and_named():
    result = clean_bytes(page(POINTER).encode("utf-8"), url="http://www.x.gov.cn/art/2021/3/30/art_1_9.html")
    hrefs = [(a.name, a.href) for a in result.attachment_links]
    assert hrefs == [
        ("报告全文", "http://www.x.gov.cn/module/download/downfile.jsp?classid=0&filename=2003271642.pdf"),
        ("某县2020年法治政府建设情况报告.docx", "http://www.x.gov.cn/art/2021/3/30/P020210330.docx"),
        ("重点任务清单.ofd", "http://www.x.gov.cn/art/2021/3/30/files/清单.ofd"),
    ]


def test_pointer_page_takes_the_pdf_text_as_body():
    pdf = _attachments().minimal_pdf(REPORT)
    fetched = []

    def fetch(href: str) -> bytes | None:
        fetched.append(href)
        return pdf if "filename=" in href else None

    result = clean_bytes(page(POINTER).encode("utf-8"), url="http://www.x.gov.cn/a/b.html", fetch_attachment=fetch)
    assert result.kind == "attachment-only" and result.reason is None
    assert result.document.paragraphs == REPORT[1:]  # the repeated title is dropped
    assert result.document.attachments[0].text.startswith("某县2020年")
    assert len(fetched) == 1


def test_pointer_page_falls_back_to_docx_and_lists_unsupported():
    docx = _attachments().minimal_docx(REPORT)
    result = clean_bytes(page(POINTER).encode("utf-8"), url="http://www.x.gov.cn/a/b.html",
                         fetch_attachment=lambda href: docx if href.endswith(".docx") else b"%PDF-1.4 broken")
    assert result.kind == "attachment-only"
    assert result.document.paragraphs == REPORT[1:]
    assert [a.href.rsplit(".", 1)[-1] for a in result.document.attachments] == ["pdf", "docx", "ofd"]


def test_pointer_page_without_fetcher_keeps_the_pointer_with_a_warning():
    result = clean_bytes(page(POINTER).encode("utf-8"))
    assert result.kind == "attachment-only" and result.document is not None
    assert result.reason and "附件" in result.reason
    assert any("详见附件" in p for p in result.document.paragraphs)


def test_attachment_extension_sources():
    assert attachment_extension("/module/download/downfile.jsp?filename=a.PDF") == "pdf"
    assert attachment_extension("/download?id=3", "年度报告.docx") == "docx"
    assert attachment_extension("/art/2021/1/1/art_1.html", "报告") is None


def test_pdf_and_docx_files_become_documents(tmp_path: Path):
    made = _attachments()
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(made.minimal_pdf(["某政〔2021〕8号", *REPORT]))
    doc = load_document_file(pdf)
    assert doc.title == REPORT[0] and doc.doc_number == "某政〔2021〕8号"
    assert doc.paragraphs == REPORT[1:]
    assert doc.written == dt.date(2021, 3, 25) and doc.publisher == "某县人民政府"
    assert doc.source == str(pdf.resolve())
    docx = tmp_path / "report.docx"
    docx.write_bytes(made.minimal_docx(REPORT))
    assert load_file(docx).paragraphs == REPORT[1:]


def test_local_page_reads_attachment_saved_next_to_it(tmp_path: Path):
    (tmp_path / "P020210330.docx").write_bytes(_attachments().minimal_docx(REPORT))
    html = page(POINTER)
    (tmp_path / "page.html").write_text(html, encoding="utf-8")
    doc = load_file(tmp_path / "page.html")
    assert doc.paragraphs == REPORT[1:]
    assert str(tmp_path.resolve() / "P020210330.docx") in [a.href for a in doc.attachments]


def test_local_page_never_reads_outside_its_folder(tmp_path: Path):
    secret = tmp_path / "secret.docx"
    secret.write_bytes(_attachments().minimal_docx(["不应读取的内容"]))
    inner = tmp_path / "site"
    inner.mkdir()
    html = page('<p>详见附件。</p><p><a href="../secret.docx">报告.docx</a></p>')
    (inner / "page.html").write_text(html, encoding="utf-8")
    result = clean_file(inner / "page.html")
    assert result.kind == "attachment-only"
    assert "不应读取" not in result.document.body


# --------------------------------------------------------------------------- not articles and errors


def test_empty_file_is_a_one_line_reason(tmp_path: Path):
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    with pytest.raises(NotAnArticle) as info:
        load_file(empty)
    assert str(info.value) and "\n" not in str(info.value)
    assert_one_line(clean_bytes(b"   \n\t "))


@pytest.mark.timeout(120)
def test_fifty_megabyte_page_is_refused_quickly():
    big = b"<html><body>" + b"<p>" + "依法行政".encode() * (50 * 1024 * 1024 // 12) + b"</p></body></html>"
    assert len(big) > MAX_HTML_BYTES
    result = clean_bytes(big)
    assert result.kind == "error" and result.document is None
    assert_one_line(result)


@pytest.mark.timeout(120)
def test_page_just_under_the_cap_is_extracted():
    paragraph = "<p>" + "本县全面推进依法行政，成效明显。" * 20 + "</p>"
    html = page(paragraph * 4000).encode("utf-8")
    assert len(html) < MAX_HTML_BYTES
    result = clean_bytes(html)
    assert result.kind == "article" and len(result.document.paragraphs) == 4000


@pytest.mark.timeout(120)
def test_deeply_nested_and_malformed_html():
    nested = "<div>" * 20000 + "深层文字，依法行政。" * 10 + "</div>" * 10
    for html in (nested, "<html><body><p>未闭合<div><table><tr><td>依法行政<p>成效</b></i></html>",
                 "<<<>>><p>\x00\x01坏字节</p>" + BODY, "<!DOCTYPE x [<!ENTITY a 'aaaa'>]><p>&a;&a;&a;</p>" + BODY):
        result = clean_bytes(html.encode("utf-8"))
        assert isinstance(result, CleanResult)
        if result.document is None:
            assert_one_line(result)


def test_entities_are_not_expanded():
    html = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            f'<html><body><div id="zoom">{BODY}<p>&lol2;&lol2;</p></div></body></html>')
    result = clean_bytes(html.encode("utf-8"))
    assert "lollol" not in (result.document.body if result.document else "")


@pytest.mark.parametrize("data", [
    random.Random(7).randbytes(20000),
    b"\x00" * 5000,
    b"PK\x03\x04" + b"\x00" * 100,
    b"%PDF-1.7\n1 0 obj << /Type /Catalog",  # truncated PDF
    b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,  # a .doc/.wps OLE file
])
def test_junk_gives_a_reason_not_a_traceback(data: bytes):
    result = clean_bytes(data)
    assert result.document is None and result.kind in ("error", "not-article")
    assert_one_line(result)


def test_docx_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"0" * (210 * 1024 * 1024))
    result = clean_bytes(buffer.getvalue())
    assert result.kind == "error" and "过大" in result.reason


def test_missing_file_is_a_load_error(tmp_path: Path):
    with pytest.raises(LoadError):
        load_document_file(tmp_path / "nope.html")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=3000) | st.text(max_size=2000).map(lambda s: s.encode("utf-8")))
def test_any_bytes_never_raise(data: bytes):
    result = clean_bytes(data, url="http://www.x.gov.cn/t20200101_1.html")
    assert result.kind in ("article", "attachment-only", "not-article", "error")
    if result.document is None:
        assert_one_line(result)


# --------------------------------------------------------------------------- helpers


def test_sniffing_by_bytes_then_type_then_name():
    assert sniff_kind(b"%PDF-1.4 ...") == "pdf"
    assert sniff_kind(b"garbage", "application/pdf") == "pdf"
    assert sniff_kind(b"<html>", None, "a.html") == "html"
    assert sniff_kind(b"garbage", None, "x.docx") == "docx"


def test_pdf_lines_rejoin_into_paragraphs():
    lines = ["一、主要举措", "全面推进依法行政，加快建设法治政府，各项工作取得", "明显成效。", "- 2 -",
             "（一）加强领导，县政府常务会议专题研究法治建设工", "作4次。"]
    assert join_wrapped_lines(lines) == [
        "一、主要举措", "全面推进依法行政，加快建设法治政府，各项工作取得明显成效。",
        "（一）加强领导，县政府常务会议专题研究法治建设工作4次。"]


def test_crawled_pdf_takes_its_date_from_the_url():
    pdf = _attachments().minimal_pdf(REPORT)
    doc = clean_bytes(pdf, url="http://www.x.gov.cn/zwgk/202103/P020210330512345678901.pdf").document
    assert doc.published is None  # a P0… name is an upload id, not a date
    doc = clean_bytes(pdf, url="http://www.x.gov.cn/art/2021/3/30/report.pdf").document
    assert doc.published == dt.date(2021, 3, 30) and doc.title == REPORT[0]


def test_copied_template_meta_tags_are_cross_checked():
    head = ('<meta name="ArticleTitle" content="齐齐哈尔市2019年法治政府建设情况报告">'
            '<meta name="SiteName" content="齐齐哈尔市人民政府"><meta name="SiteIDCode" content="2302000001">')
    html = page(head=head, title="某区2020年法治政府建设情况报告").replace(
        "网站标识码：3305230001", "网站标识码：5001070012")
    doc = clean_bytes(html.encode("utf-8")).document
    assert doc.title == "某区2020年法治政府建设情况报告"
    assert doc.region.code == "500107"  # the footer's 网站标识码 (九龙坡), not the copied tag


def test_covering_notice_is_kept_before_the_attachment_text():
    notice = ("<p>各乡镇人民政府，县政府各部门：</p><p>现将《实施方案》印发给你们，请认真贯彻执行。</p>"
              '<p>附件：<a href="fa.docx">实施方案.docx</a></p>')
    docx = _attachments().minimal_docx(["实施方案", "一、总体要求", "坚持依法行政，全面建设法治政府。"])
    result = clean_bytes(page(notice, title="关于印发实施方案的通知").encode("utf-8"),
                         url="http://www.x.gov.cn/a/b.html", fetch_attachment=lambda href: docx)
    assert result.kind == "attachment-only"
    assert result.document.paragraphs == ["各乡镇人民政府，县政府各部门：", "现将《实施方案》印发给你们，请认真贯彻执行。",
                                          "实施方案", "一、总体要求", "坚持依法行政，全面建设法治政府。"]


def test_decoy_template_container_loses_to_the_real_body():
    html = ('<html><head><meta charset="utf-8"><title>某县2020年法治政府建设情况报告</title></head><body>'
            '<div id="zoom">字号：大 中 小</div><h1>某县2020年法治政府建设情况报告</h1>'
            f'<div class="text">{BODY}</div></body></html>')
    result = clean_bytes(html.encode("utf-8"))
    assert result.template == "density" and len(result.document.paragraphs) == 5


def test_placeholder_sources_are_not_publishers():
    head = '<meta name="ContentSource" content="本网">'
    html = page(head=head).replace('<div id="zoom">', '<div>来源：未知 作者：admin</div><div id="zoom">')
    assert clean_bytes(html.encode("utf-8")).document.publisher is None


def test_embedded_pdf_viewer_counts_as_an_attachment():
    body = ('<p>报告全文如下：</p><iframe src="/pdfjs/web/viewer.html?file=/uploads/2021/report.pdf" '
            'title="某县2020年法治政府建设情况报告"></iframe>')
    pdf = _attachments().minimal_pdf(REPORT)
    result = clean_bytes(page(body).encode("utf-8"), url="http://www.x.gov.cn/art/2021/3/30/a.html",
                         fetch_attachment=lambda href: pdf if href.endswith("report.pdf") else None)
    assert [a.href for a in result.attachment_links] == ["http://www.x.gov.cn/uploads/2021/report.pdf"]
    assert result.kind == "attachment-only" and result.document.paragraphs[-1] == "2021年3月25日"


def test_scrapy_style_byte_headers_are_read():
    data = page(charset="utf-8").encode("gbk")
    doc = clean_bytes(data, headers={b"Content-Type": [b"text/html; charset=GBK"]}).document
    assert doc.encoding == "gb18030" and "依法行政" in doc.body
