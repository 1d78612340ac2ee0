"""Every hand-checked fixture page extracts exactly to its gold JSON."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from extract.clean import clean_bytes

PAGES = Path(__file__).parent / "fixtures" / "pages"
GOLDS = sorted(PAGES.glob("*.json"))
FIELDS = ("title", "publisher", "published", "written", "doc_number", "index_no")


def _module(name: str):
    spec = importlib.util.spec_from_file_location(f"fixture_{name}", PAGES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def _gold(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _fetcher(gold: dict):
    files = gold.get("attachment_files")
    if not files:
        return None
    built = _module("make_attachments").build_attachments(files)
    return lambda href: next((data for name, data in built.items() if href.endswith(name)), None)


def test_fixture_set_meets_the_brief():
    golds = [_gold(p) for p in GOLDS]
    articles = [g for g in golds if g["kind"] in ("article", "attachment-only")]
    assert len(articles) >= 16
    assert len({g["template"] for g in articles}) >= 8  # plus nested-table and generic layouts
    assert sum(g["encoding_bytes"] in ("gbk", "gb2312") for g in golds) >= 5
    assert {"not-article"} <= {g["kind"] for g in golds}
    assert any(g["kind"] == "attachment-only" for g in golds)


@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda p: p.stem)
def test_built_bytes_match_sources(gold_path: Path):
    """The committed page bytes are the UTF-8 sources in the encoding the gold names."""
    assert (gold_path.with_suffix(".html")).read_bytes() == _module("build").encoded_page(gold_path.stem)


@pytest.mark.parametrize("gold_path", GOLDS, ids=lambda p: p.stem)
def test_page_matches_gold(gold_path: Path):
    gold = _gold(gold_path)
    data = gold_path.with_suffix(".html").read_bytes()
    result = clean_bytes(data, url=gold.get("url"), headers=gold.get("headers"),
                         fetch_attachment=_fetcher(gold))
    assert result.kind == gold["kind"], result.reason
    if gold["kind"] == "not-article":
        assert result.document is None and result.reason
        return
    doc = result.document
    assert doc is not None
    assert result.template == gold["template"]
    for field in FIELDS:
        value = getattr(doc, field)
        value = value.isoformat() if hasattr(value, "isoformat") else value
        assert value == gold[field], field
    assert doc.paragraphs == gold["paragraphs"]
    if gold["encoding_bytes"] != "utf-8":
        assert doc.encoding == "gb18030"
    if "attachments" in gold:
        assert [{"name": a.name, "href": a.href} for a in doc.attachments] == gold["attachments"]
    assert doc.source == gold["url"]


def test_gb2312_declared_page_keeps_gbk_only_characters():
    data = (PAGES / "hanweb_qiaokou_old.html").read_bytes()
    assert b"charset=gb2312" in data
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")
    doc = clean_bytes(data).document
    assert doc is not None and "硚口区" in doc.title and "堃" in doc.body


def test_page_without_charset_is_detected():
    data = (PAGES / "nested_table_liling_nocharset.html").read_bytes()
    assert b"charset" not in data.lower()
    doc = clean_bytes(data).document
    assert doc is not None and doc.encoding == "gb18030" and doc.title.startswith("醴陵市")


def test_chrome_never_leaks_into_any_body():
    chrome = ("上一篇", "下一篇", "打印", "关闭窗口", "扫一扫", "分享到", "网站标识码", "ICP备",
              "保护视力色", "当前位置", "浏览次数", "索引号", "字体")
    for gold_path in GOLDS:
        gold = _gold(gold_path)
        result = clean_bytes(gold_path.with_suffix(".html").read_bytes(), url=gold.get("url"),
                             headers=gold.get("headers"), fetch_attachment=_fetcher(gold))
        if result.document is None:
            continue
        for word in chrome:
            assert word not in result.document.body, (gold_path.stem, word)
