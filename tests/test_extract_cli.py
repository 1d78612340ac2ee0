"""`govsearch extract FILE [--url URL] [--json]`."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

from click.testing import CliRunner

from govsearch.cli import main

PAGES = Path(__file__).parent / "fixtures" / "pages"
REQUIRED = {"title", "publisher", "published", "written", "doc_number", "index_no", "doc_type",
            "region", "paragraphs", "attachments", "encoding", "source"}


def run(*args: str):
    return CliRunner().invoke(main, ["extract", *args])


def test_json_has_every_documented_key():
    result = run("--json", str(PAGES / "ucap_hainan_govcn.html"))
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= REQUIRED
    assert data["title"] == "海南省人民政府关于2020年法治政府建设情况的报告"
    assert data["doc_number"] == "琼府〔2021〕16号" and data["published"] == "2021-03-31"
    assert data["written"] == "2021-03-26" and data["region"]["code"] == "460000"
    assert data["source"] == str((PAGES / "ucap_hainan_govcn.html").resolve())
    assert data["kind"] == "article" and data["template"] == "ucap"


def test_url_option_sets_source_and_resolves_links():
    url = "http://www.anji.gov.cn/art/2020/3/27/art_1229397021_58217.html"
    data = json.loads(run("--json", "--url", url, str(PAGES / "hanweb_anji_county.html")).output)
    assert data["source"] == url and data["encoding"] == "gb18030"
    assert data["attachments"] == [{
        "name": "安吉县2019年度法治政府建设情况报告.pdf",
        "href": "http://www.anji.gov.cn/module/download/downfile.jsp?classid=0&filename=2003271642367853.pdf",
    }]


def test_plain_view_shows_metadata_then_paragraphs():
    result = run(str(PAGES / "gkmlpt_jiangmen.html"))
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "标题：江门市人民政府关于2020年度法治政府建设情况的报告"
    assert "文号：江府函〔2021〕32号" in lines
    assert "广东省人民政府：" in lines and lines[-1] == "2021年3月29日"
    assert "扫一扫在手机打开当前页" not in result.output


def test_attachment_only_page_reads_the_attachment_saved_beside_it(tmp_path: Path):
    spec = importlib.util.spec_from_file_location("fixture_make_attachments", PAGES / "make_attachments.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    gold = json.loads((PAGES / "trs_attachment_only_huangdao.json").read_text(encoding="utf-8"))
    for name, content in module.build_attachments(gold["attachment_files"]).items():
        (tmp_path / name).write_bytes(content)
    page = tmp_path / "page.html"
    page.write_bytes((PAGES / "trs_attachment_only_huangdao.html").read_bytes())
    data = json.loads(run("--json", "--url", gold["url"], str(page)).output)
    assert data["kind"] == "attachment-only" and data["paragraphs"] == gold["paragraphs"]
    plain = run(str(page)).output
    assert "正文取自附件" in plain and gold["paragraphs"][0] in plain


def test_not_article_is_a_one_line_error():
    result = run(str(PAGES / "notarticle_hanweb_column_list.html"))
    assert result.exit_code == 1
    assert "不是文章页面" in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_junk_file_is_a_one_line_error(tmp_path: Path):
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 10)
    result = run(str(junk))
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
