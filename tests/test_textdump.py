"""extract.textdump on the five seed dumps (hand-checked figures) and on hostile input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from extract.dispatch import SUPPORTED_SUFFIXES, load_file
from extract.errors import LoadError
from extract.furniture import is_chrome_line, is_furniture
from extract.textdump import MAX_BYTES, load_text_dump, parse_text_dump
from indexer.document import Document, make_id

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
D = dt.date

# Hand-checked against `cat seeds/*`: one paragraph per non-empty body line, minus the
# repeated title/文号 lines, minus lines joined because they were broken mid-sentence
# (001: 一是充分发挥社会监督的作用…自觉 / 受人大依法监督…; 002: …199件, / 组织区级…).
EXPECTED = {
    "000": dict(
        title="漳河新区城市管理局2019年度推进法治政府建设情况报告",
        publisher="漳河新区管理委员会",
        published=D(2020, 3, 25),
        written=D(2020, 3, 25),  # 生成日期; the sign-off (2020-03-23) is kept in extra
        doc_number=None,  # "文 号:" is empty
        index_no="11420800MB0W32466T/2020-00045",
        region=("湖北省荆门市", "420800"),
        doc_type="报告",
        year=2019,
        paragraphs=35,
        first="2019年度,我局根据新区党工委",
        last=["2020年3月23日"],
    ),
    "001": dict(
        title="县2017年度依法行政年终总结",  # the heading (【二】…) repeated above the body, not the page title's "(2)"
        publisher=None,
        published=D(2021, 8, 31),
        written=None,
        doc_number=None,
        index_no=None,
        region=("甘肃省兰州市榆中县", "620123"),  # body names 榆中县 five times, nothing else
        doc_type="总结",
        year=2017,
        paragraphs=43,
        first="市依法行政领导小组:",
        last=["五是进一步推进政府信息公开工作。"],
    ),
    "002": dict(
        title="青山区人民政府2021年度法治政府建设情况报告",
        publisher="青山区司法局",
        published=D(2022, 1, 24),
        written=None,
        doc_number=None,  # 文 号 | 无
        index_no="733569413/2022-04584",
        region=("湖北省武汉市青山区", "420107"),  # 青山区 + 《武汉市…》 in the body
        doc_type="报告",
        year=2021,
        paragraphs=22,
        first="2021年,青山区坚持以习近平",
        last=["加强行政复议和应诉工作。"],
    ),
    "003": dict(
        title="关于江门市江海区2017年法治政府建设情况报告",
        publisher="区党政办公室",
        published=D(2017, 12, 28),  # 更新时间
        written=D(2017, 12, 26),  # the sign-off 20171226
        doc_number=None,  # 江开〔201753 is mangled: kept in extra, not guessed
        index_no=None,
        region=("广东省江门市江海区", "440704"),
        doc_type="报告",
        year=2017,
        paragraphs=44,
        first="全面推进依法行政、加快建设法治政府是新时代的要求",
        last=["江门高新技术产业开发区管理委员会", "江门市江海区人民政府", "20171226"],
    ),
    "004": dict(
        title="区落实法治建设试行意见",
        publisher=None,
        published=D(2022, 9, 10),
        written=None,
        doc_number=None,
        index_no=None,
        region=("", None),  # says only 区/省/市: unknown rather than wrong
        doc_type="意见",
        year=None,
        paragraphs=31,
        first="为认真贯彻落实《国务院关于加强法治政府建设的意见》",
        last=["(二十二)营造依法行政的良好社会氛围。"],
    ),
}


def seed_path(prefix: str) -> Path:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path


@pytest.fixture(scope="module", params=sorted(EXPECTED))
def seed(request: pytest.FixtureRequest) -> tuple[str, Document]:
    return request.param, load_text_dump(seed_path(request.param))


def test_seed_metadata(seed: tuple[str, Document]) -> None:
    key, doc = seed
    want = EXPECTED[key]
    for field in ("title", "publisher", "published", "written", "doc_number", "index_no",
                  "doc_type", "year"):
        assert getattr(doc, field) == want[field], field
    assert (doc.region.display(), doc.region.code) == want["region"]


def test_seed_paragraphs(seed: tuple[str, Document]) -> None:
    key, doc = seed
    want = EXPECTED[key]
    assert len(doc.paragraphs) == want["paragraphs"]
    assert doc.paragraphs[0].startswith(want["first"])
    tail = doc.paragraphs[-len(want["last"]):]
    for got, expected_start in zip(tail, want["last"], strict=True):
        assert got.startswith(expected_start)


def test_seed_body_is_clean(seed: tuple[str, Document]) -> None:
    _, doc = seed
    for p in doc.paragraphs:
        assert not is_chrome_line(p), p
        assert p == p.strip(" \u3000\xa0"), "paragraphs are stripped"
        assert p, "no empty paragraphs"
        for header in ("索引号", "发布机构:", "发布日期:", "时间:", "索 引 号", "文章来源:"):
            assert not p.startswith(header), p
    # The title is not repeated as the first paragraph.
    assert doc.paragraphs[0] != doc.title


def test_seed_identity(seed: tuple[str, Document]) -> None:
    key, doc = seed
    path = seed_path(key)
    assert doc.source == str(path.resolve())
    assert Path(doc.source).is_absolute()
    assert doc.id == make_id(doc.source)
    assert doc.encoding == "utf-8"
    assert Document.from_json(doc.to_json()) == doc


def test_seed_000_extra_fields() -> None:
    doc = load_text_dump(seed_path("000"))
    assert doc.extra["信息分类"] == "主动公开"
    assert doc.extra["有效性"] == "有效"
    assert doc.extra["落款日期"] == "2020-03-23"
    assert "打印 关闭" not in doc.body and "Produced By" not in doc.body


def test_seed_001_repeated_title_with_prefix_is_dropped() -> None:
    doc = load_text_dump(seed_path("001"))
    assert not any("县2017年度依法行政年终总结" in p for p in doc.paragraphs[:2])
    joined = [p for p in doc.paragraphs if p.startswith("一是充分发挥社会监督的作用")]
    assert len(joined) == 1 and "自觉受人大依法监督" in joined[0]


def test_seed_002_table_header_and_tail() -> None:
    doc = load_text_dump(seed_path("002"))
    assert doc.extra == {"有效性": "有效"}
    assert not any(p.startswith("附件") or "扫一扫" in p for p in doc.paragraphs)
    assert doc.paragraphs[-1].endswith("全区行政首长出庭应诉率90%以上。")


def test_seed_002_text_after_a_chrome_line_is_kept() -> None:
    # Issue 11: a furniture line never ends the body; a sentence after it is kept (when in
    # doubt, keep the text), the furniture line itself is not.
    text = seed_path("002").read_text(encoding="utf-8")
    garbage = "\n".join(["扫一扫在手机打开当前页", "独有的尾部句子。"])
    doc = parse_text_dump(text + "\n" + garbage, "/tmp/x.txt")
    assert len(doc.paragraphs) == EXPECTED["002"]["paragraphs"] + 1
    assert doc.paragraphs[-1] == "独有的尾部句子。"
    assert "扫一扫" not in doc.body


def test_seed_003_mangled_doc_number_and_chrome() -> None:
    doc = load_text_dump(seed_path("003"))
    assert doc.doc_number is None
    assert doc.extra["文号原文"] == "江开〔201753"
    assert "区党政办公室" in (doc.publisher, doc.extra.get("来源"), doc.extra.get("文章来源"))
    assert not any("江开" in p for p in doc.paragraphs)
    for chrome in ("通知公告", "您现在的位置", "字体大小", "【打印本页】", "保护视力色", "浏览数"):
        assert chrome not in doc.body
    assert doc.title != "通知公告"


def test_seed_004_prev_next_links_dropped() -> None:
    doc = load_text_dump(seed_path("004"))
    assert "上一篇" not in doc.body and "下一篇" not in doc.body
    assert doc.paragraphs.count("区落实法治建设试行意见") == 0


def test_good_doc_number_line_under_title_becomes_doc_number() -> None:
    text = "某县人民政府文件\n\n关于2019年度法治政府建设情况的报告\n\n某政发[2020]3号\n\n正文第一段。\n\n2020年3月1日\n"
    doc = parse_text_dump(text, "/tmp/a.txt")
    assert doc.doc_number == "某政发〔2020〕3号"
    assert doc.title == "关于2019年度法治政府建设情况的报告"
    assert doc.paragraphs == ["正文第一段。", "2020年3月1日"]


def test_header_doc_number_and_spaced_labels() -> None:
    text = (
        "索 引 号: 123/2020-1 信息分类: 法治\n发布机构: 某市司法局 成文日期: 2020年3月1日\n"
        "文 号: 某司发（2020）7号 有 效 性: 有效\n标题: 某市2019年度法治政府建设情况报告\n"
        "某市2019年度法治政府建设情况报告\n发布日期: 2020-03-05\n某政发〔2020〕7号\n正文。\n"
    )
    doc = parse_text_dump(text, "/tmp/b.txt")
    assert doc.title == "某市2019年度法治政府建设情况报告"
    assert doc.doc_number == "某司发〔2020〕7号"
    assert doc.written == D(2020, 3, 1) and doc.published == D(2020, 3, 5)
    assert doc.paragraphs == ["正文。"]
    assert doc.extra["信息分类"] == "法治"


def test_published_falls_back_to_signoff() -> None:
    doc = parse_text_dump("某区工作总结\n正文。\n二〇二〇年三月二十三日\n", "/tmp/c.txt")
    assert doc.published == D(2020, 3, 23) and doc.written == D(2020, 3, 23)


def test_publisher_falls_back_to_signature() -> None:
    doc = parse_text_dump("某报告\n正文。\n江门市江海区人民政府\n2020年1月2日\n", "/tmp/d.txt")
    assert doc.publisher == "江门市江海区人民政府"
    assert doc.region.code == "440704"


def test_long_first_line_is_not_a_title() -> None:
    body = "全面推进依法行政是新时代的要求。" * 10
    doc = parse_text_dump(body, "/tmp/e.txt")
    assert doc.title is None  # a body sentence is never passed off as the title
    assert doc.display_title.startswith("（无标题）全面推进依法行政")
    assert doc.paragraphs == [body]


# ---------------------------------------------------------------- files and encodings


def test_gb18030_file(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("某县2019年度法治政府建设情况报告\n正文内容。\n".encode("gb18030"))
    doc = load_text_dump(path)
    assert doc.encoding == "gb18030"
    assert doc.title == "某县2019年度法治政府建设情况报告"


def test_utf8_bom_file(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "某县2020年度工作总结\n正文。\n".encode())
    doc = load_text_dump(path)
    assert doc.encoding == "utf-8-sig" and doc.title == "某县2020年度工作总结"


def test_utf16_file(tmp_path: Path) -> None:
    path = tmp_path / "u16.txt"
    path.write_text("标题\n正文。\n", encoding="utf-16")
    doc = load_text_dump(path)
    assert doc.encoding == "utf-16" and doc.paragraphs == ["正文。"]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "空文件"),
        (b"  \n\r\n ", "空文件"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "二进制"),
        ("打印 关闭\nProduced By 大汉网络\n".encode(), "没有找到正文"),
    ],
)
def test_bad_files_raise_one_line_load_error(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(LoadError) as info:
        load_text_dump(path)
    assert reason in str(info.value)
    assert "\n" not in str(info.value) and "Traceback" not in str(info.value)


def test_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "big.txt"
    with open(path, "wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: no 50 MB actually written
    with pytest.raises(LoadError, match="过大"):
        load_text_dump(path)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="不存在"):
        load_text_dump(tmp_path / "nope.txt")
    with pytest.raises(LoadError, match="目录"):
        load_text_dump(tmp_path)


def test_load_file_dispatches_txt() -> None:
    assert ".txt" in SUPPORTED_SUFFIXES
    doc = load_file(seed_path("002"))
    assert doc.title == EXPECTED["002"]["title"]


# ---------------------------------------------------------------- robustness

_dumpish = st.lists(
    st.one_of(
        st.text(max_size=40),
        st.sampled_from([
            "索 引 号 | 1 | 发布日期 | 2022-01-24 |", "---|---|", "文 号: 有 效 性: 有效",
            "扫一扫在手机打开当前页", "打印 关闭", "附件:", "时间:", "标题:", "江开〔201753",
            "20171226", "二〇二〇年三月二十三日", "青山区", "|", "｜", ":", "：", "\ufeff", "\x00",
            "【二】", "(2)", "文号:[2017]", "您现在的位置：首页 > 通知公告",
        ]),
    ),
    max_size=30,
).map("\n".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), _dumpish))
def test_parse_text_dump_never_raises(text: str) -> None:
    doc = parse_text_dump(text, "/tmp/fuzz.txt")
    assert doc.title is None or isinstance(doc.title, str)
    assert all(p and not is_chrome_line(p) for p in doc.paragraphs)
    assert doc.id == make_id("/tmp/fuzz.txt")


def test_short_title_before_toolbar_is_kept() -> None:
    doc = parse_text_dump("某县2020年度工作总结\n字体大小:\n正文。\n", "/tmp/f.txt")
    assert doc.title == "某县2020年度工作总结" and doc.paragraphs == ["正文。"]


def test_a_column_name_alone_is_not_a_title() -> None:
    doc = parse_text_dump("工作总结\n字体大小:\n正文。\n", "/tmp/f.txt")
    assert doc.title is None and "正文。" in doc.paragraphs


def test_column_name_before_breadcrumb_is_skipped() -> None:
    doc = parse_text_dump("政策解读\n当前位置：首页 > 政策解读\n某局2020年工作总结\n正文。\n", "/tmp/g.txt")
    assert doc.title == "某局2020年工作总结"


def test_load_file_rejects_unknown_suffix(tmp_path: Path) -> None:
    path = tmp_path / "x.xyz"
    path.write_text("x")
    with pytest.raises(LoadError, match="不支持的文件类型"):
        load_file(path)


def test_signoff_is_not_glued_to_an_unfinished_last_paragraph() -> None:
    text = "某局2020年度法治政府建设情况报告\n一是加强学习。二是营造良好氛围\n某某区司法局\n2020年3月23日\n"
    doc = parse_text_dump(text, "/tmp/h.txt")
    assert doc.paragraphs == ["一是加强学习。二是营造良好氛围", "某某区司法局", "2020年3月23日"]


def test_broken_line_is_joined() -> None:
    text = "某局2020年度法治政府建设情况报告\n一是充分发挥社会监督的作用。全县各机关自觉\n接受人大监督。\n"
    doc = parse_text_dump(text, "/tmp/i.txt")
    assert doc.paragraphs == ["一是充分发挥社会监督的作用。全县各机关自觉接受人大监督。"]


def test_subtitle_with_year_in_brackets_is_not_a_doc_number() -> None:
    doc = parse_text_dump("某区法治政府建设报告\n报告（2019年度）\n正文。\n", "/tmp/j.txt")
    assert doc.doc_number is None and "文号原文" not in doc.extra
    assert doc.paragraphs == ["报告（2019年度）", "正文。"]


def test_an_untitled_page_keeps_its_first_lines() -> None:
    # Nothing lost: with no title found, a short line at the top (here the issuing court of
    # a report to the 人大) stays in the body rather than being guessed to be a banner.
    doc = parse_text_dump("温州市中级人民法院\n主任、副主任、秘书长、各位委员:\n现将有关情况报告如下:\n",
                          "/tmp/k.txt")
    assert doc.title is None and doc.paragraphs[0] == "温州市中级人民法院"


def test_prev_next_links_in_the_header_do_not_drop_the_headline() -> None:
    # 上一篇 / 下一篇 in a newspaper's masthead come before the text: the short lines after
    # them (headline, subtitle, byline) are content, not related links.
    text = ("海南日报报业集团旗下媒体: 海南日报 |南国都市报 |南海网 |南岛晚报 |证券导报 |法制时报 |海南农垦报 返回首页\n"
            "上一篇    下一篇\n法治领域改革实现新突破\n我省高质量推进全面依法治省和司法行政工作\n"
            "■本报记者 田春宇\n岁序交替,镌刻着忠诚、干净、担当的铿锵步伐。\n")
    body = "\n".join(parse_text_dump(text, "/tmp/l.txt").paragraphs)
    for line in ("法治领域改革实现新突破", "我省高质量推进全面依法治省和司法行政工作", "田春宇"):
        assert line in body


def test_untitled_report_takes_its_year_from_the_opening() -> None:
    text = ("2023年，在市委坚强领导下，全市各级行政机关推动法治政府建设取得明显成效。\n"
            "一、坚持党的领导\n（一）学习贯彻习近平法治思想。全年集中学法7次。\n")
    assert parse_text_dump(text, "r").year == 2023


def test_a_news_item_that_mentions_a_year_has_no_report_year() -> None:
    text = ("2月25日上午，某县召开2022年度党政主要负责人现场述法工作会议。\n"
            "会上，县委书记对述法单位进行点评，充分肯定了2022年全县法治建设工作取得的成绩。\n")
    assert parse_text_dump(text, "n").year is None


def test_a_multi_year_review_is_not_a_report_year() -> None:
    text = ("主任、副主任、秘书长、各位委员：\n"
            "现将温州法院2008年以来的行政审判工作情况和今后打算报告如下：\n"
            "一、法院行政审判工作的基本情况和主要做法\n")
    assert parse_text_dump(text, "w").year is None


def test_region_from_the_credit_code_in_the_index_number() -> None:
    # 11330683742010670P: a valid 统一社会信用代码 of a 嵊州市 body (330683).
    text = ("索 引 号: 11330683742010670P/2017-84094\n关于做好村和社区组织换届选举工作的实施意见\n"
            "今年3月份开始，全市村和社区党组织将进行换届选举。\n")
    assert parse_text_dump(text, "s").region.county == "嵊州市"


def test_the_host_outranks_a_place_named_only_in_the_text() -> None:
    # A news item on 枣庄's site about visitors from 湖北: the site is 山东's, not 湖北's.
    text = ("4月12日，湖北省政府研究室秘书处处长、湖北省司法厅法治调研处处长一行到枣庄调研法治政府建设工作。\n"
            "调研组实地调研了基层法治建设和涉企法治服务工作。\n")
    doc = parse_text_dump(text, "z", url="http://ssfj.zaozhuang.gov.cn/yfzs/fzdy/202405/t20240527_1.html")
    assert doc.region.province == "山东省"
    assert parse_text_dump(text, "z").region.province == "湖北省"  # no host: the text decides


def test_a_publisher_that_starts_with_a_province_short_name() -> None:
    text = "寧夏：298個基層復議網點促爭議實質化解\n2025-07-21 15:56:12\n來源：寧夏司法廳\n近日，在行政復議服務點辦理申請。\n"
    assert parse_text_dump(text, "b").region.province == "宁夏回族自治区"


def test_a_site_banner_names_whose_site_it_is() -> None:
    text = ("欢迎访问吉林省人民政府法制办公室！\n在全省政府法制工作会议上的讲话\n"
            "发布时间： 2017-02-07 作者：本站编辑 来源： 本站原创\n同志们：\n这次会议的主要任务是贯彻落实。\n")
    assert parse_text_dump(text, "j").region.province == "吉林省"


def test_an_empty_label_takes_no_label_as_its_value() -> None:
    text = ("河北省2020年政府信息公开工作年度报告\n2021-03-29 18:26\n来源:\n字体:\n"
            "本报告依据《中华人民共和国政府信息公开条例》要求编制。\n")
    assert parse_text_dump(text, "h").publisher is None


def test_a_traditional_label_value_is_quoted_as_written() -> None:
    text = "寧夏：298個基層復議網點促爭議實質化解\n2025-07-21 15:56:12\n來源:寧夏司法廳\n近日，在行政復議服務點辦理申請。\n"
    assert parse_text_dump(text, "b").publisher == "寧夏司法廳"


def test_bracketed_numbered_labels() -> None:
    text = ("  3. [發文單位] 北京市西城區人民政府\n  4. [發佈日期] 2016-01-16 00:00\n"
            "北京市西城區國民經濟和社會發展第十三個五年規劃綱要\n序言部分闡述發展環境。\n")
    doc = parse_text_dump(text, "x")
    assert doc.publisher == "北京市西城區人民政府"
    assert doc.published == dt.date(2016, 1, 16)


def test_the_cover_letter_of_a_notice_signs_the_page() -> None:
    text = ("建政办发〔2022〕18号\n建平县人民政府办公室关于印发建平县2022年政务公开工作要点的通知\n"
            "各乡镇人民政府，县政府各部门：\n经县政府同意，现将《建平县2022年政务公开工作要点》印发给你们，请结合实际认真贯彻落实。\n"
            "建平县人民政府办公室\n2022年7月14日\n建平县2022年政务公开工作要点\n"
            "为贯彻落实国务院办公厅通知精神，结合我县实际，制定本要点。\n一、做好信息公开\n")
    doc = parse_text_dump(text, "j")
    assert doc.publisher == "建平县人民政府办公室"
    assert doc.published == dt.date(2022, 7, 14)
    assert "建平县人民政府办公室\n2022年7月14日" in doc.body  # the signature stays in the text


def test_joint_issuers_on_one_line() -> None:
    text = ("鹤政发〔2025〕4号\n各县（区）人民政府、法院：\n"
            "《关于完善“府院联动”机制的意见》已经市政府常务会议审议通过，现印发给你们，请认真贯彻执行。\n"
            "鹤岗市人民政府 鹤岗市中级人民法院\n2025年4月30日\n关于完善“府院联动”机制的意见\n为深入推进法治政府建设，制定本意见。\n")
    doc = parse_text_dump(text, "h")
    assert doc.publisher == "鹤岗市人民政府 鹤岗市中级人民法院"
    assert doc.published == dt.date(2025, 4, 30)


def test_a_label_run_into_the_title_value_still_labels_the_next_line() -> None:
    text = ("标题\n高青县人民政府关于印发高青县行政规范性文件管理办法的通知发文机关\n高青县人民政府办公室\n"
            "发文字号\n高政发〔2021〕1号\n各镇人民政府，县政府各部门：\n《办法》已经县政府同意，现印发给你们，请遵照执行。\n"
            "高青县人民政府\n2021年3月26日\n")
    doc = parse_text_dump(text, "g")
    assert doc.title == "高青县人民政府关于印发高青县行政规范性文件管理办法的通知"
    assert doc.publisher == "高青县人民政府办公室"


def test_an_empty_cell_before_a_label_cell() -> None:
    text = ("许家湖镇关于2022年度法治政府建设情况的报告\n"
            "文 号: | 发布机构: | 沂水县许家湖镇 | 发布日期: | 2023-03-21 | |\n"
            "2022年，在县委正确领导下，许家湖镇深入推进法治政府建设。\n")
    assert parse_text_dump(text, "y").publisher == "沂水县许家湖镇"


def test_a_news_item_credited_at_its_end() -> None:
    text = ("4月12日，调研组一行到枣庄调研法治政府建设工作。\n"
            "市司法局相关负责同志参加调研活动。来源:枣庄市司法局\n")
    assert parse_text_dump(text, "z").publisher == "枣庄市司法局"


@pytest.mark.parametrize("line", [
    "【 打印 】 【 扫一扫 】", "• 字体【      】", "当前版: 001版 上一版 下一版 上一期 下一期",
    "融水苗族自治县人民政府主办 地址:融水镇拱城街17号", "联系方式:rswg@163.com 联系电话:0772-5122412",
    "扫码使用手机浏览本页内容", "首     页 政 务 公 开 网 上 办 事 互 动 交 流 走 进 鹤 城",
    "中国政府网 黑龙江省政府网 English Русская версия 市人大 市政协 市纪委监委",
    "海南日报报业集团旗下媒体: 海南日报 |南国都市报 |南海网 |返回首页",
])
def test_real_furniture_lines(line: str) -> None:
    assert is_furniture(line)


@pytest.mark.parametrize("line", [
    "(联系电话:区政府办公室信息科,0531-82078301)", "人民日报 光明日报 经济日报", "张三 李四 王五 赵六",
    "大会由县长主办,地址:在会议室。", "公开方式:主动公开",
])
def test_text_that_looks_like_furniture_is_kept(line: str) -> None:
    assert not is_furniture(line)


def test_a_label_row_inside_the_text_stays_in_the_body() -> None:
    text = ("各镇人民政府，各街道办事处：\n经区人民政府同意，现将实施方案印发给你们，请认真组织实施。\n"
            "南宁市兴宁区人民政府办公室\n2020年9月1日\n公开方式:主动公开\n2020年兴宁区优化营商环境实施方案\n"
            "为深入贯彻落实优化营商环境条例，制定本方案。\n")
    assert "公开方式:主动公开" in parse_text_dump(text, "n").body


def test_an_unlabelled_value_block_is_metadata() -> None:
    text = ("• 005299478/2022-00137\n  • 新郑市卫生健康委员会\n  • 应急\n  • 2022-08-10\n  • 2022-08-10\n"
            "新郑市突发公共事件医疗卫生救援应急预案\n1 总则\n为提高全市医疗卫生应急反应能力和救援水平，制定本预案。\n")
    doc = parse_text_dump(text, "x")
    assert doc.index_no == "005299478/2022-00137"
    assert doc.publisher == "新郑市卫生健康委员会"
    assert doc.published == dt.date(2022, 8, 10)
    assert doc.extra["信息公开"] == "应急"  # kept, not guessed
    assert "005299478" not in doc.body and "应急\n" not in doc.body


def test_a_bulleted_label_alone_takes_the_next_line() -> None:
    text = "镇巴县人民政府工作规则\n  • 索引号:\n    6107280000/2024-001005\n第一章 总则\n第一条 为规范政府工作，制定本规则。\n"
    assert parse_text_dump(text, "z").index_no == "6107280000/2024-001005"


def test_a_counter_is_never_a_title() -> None:
    text = "发布时间:2018-11-12 17:25:15\n4874268\n《条例（草案）》已经市人大常委会两次审议，现公开征求意见。\n"
    assert parse_text_dump(text, "c").title is None


def test_a_long_last_crumb_is_the_title_not_a_column() -> None:
    title = "关于《厦门经济特区社会信用条例(草案修改二稿 征求意见稿)》公开征求意见的公告"
    text = f"您当前的位置: 首页 > 法规草案征求意见 > {title}\n{title}\n发布时间:2018-11-12\n现将草案修改二稿向社会公开征求意见。\n"
    assert parse_text_dump(text, "c").title == title


def test_a_doc_number_glued_before_the_title_is_no_part_of_it() -> None:
    text = ("嘉政发〔2025〕3号关于公布嘉祥县人民政府2025年度重大行政决策事项目录的通知\n- 发布日期:2025-05-14\n"
            "各镇人民政府，县政府各部门：\n现将目录予以公布。\n")
    assert parse_text_dump(text, "j").title == "关于公布嘉祥县人民政府2025年度重大行政决策事项目录的通知"


def test_a_notice_is_not_a_report_for_its_year() -> None:
    text = ("西平县人民政府办公室关于印发西平县2020年度法治政府建设工作安排的通知\n各乡镇人民政府：\n"
            "《工作安排》已经县政府同意，现印发给你们，请认真贯彻执行。\n")
    assert parse_text_dump(text, "x").year is None


def test_region_from_a_host_made_of_a_province_and_a_place() -> None:
    from extract.regions import region_from_host

    assert region_from_host("cqck.gov.cn").province == "重庆市"  # 重庆 ⊃ 城口县
    assert region_from_host("www.szpinglu.gov.cn").province == "山西省"  # 朔州 ⊃ 平鲁区
    assert region_from_host("www.fxhz.gov.cn").province is None  # initials alone can chain by chance


def test_a_counter_after_the_text_is_dropped() -> None:
    text = "区委召开会议，部署法治建设工作。\n区委各部委、区直各单位负责同志参加。\n6\n"
    assert parse_text_dump(text, "w").body.endswith("负责同志参加。")


def test_a_toolbar_word_between_prose_lines_is_not_text() -> None:
    # Found by hypothesis: 打印 (a toolbar label with no value) between two prose lines.
    doc = parse_text_dump("00000000000000,0\r打印\r000000000000000,", "/tmp/fuzz.txt")
    assert "打印" not in doc.paragraphs
