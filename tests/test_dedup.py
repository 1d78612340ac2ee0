"""The one near-duplicate detector (indexer.dedup): what it groups, and that grouping never
hides a document's own text."""

from __future__ import annotations

import hashlib

from conftest import make_doc
from fixtures.sites.sites import report_paragraphs

from indexer import dedup
from indexer.analysis import normalize
from indexer.api import SearchRequest


def _report(place: str, seed: int, year: int = 2023) -> list[str]:
    return report_paragraphs(place, year, seed)


def test_signatures_are_pinned() -> None:
    """A stored signature must mean the same after a library upgrade: this fails if the
    permutation scheme, seed or hash function ever change without a new index format."""
    sig = dedup.signature(normalize("\n".join(_report("某某县", 1))))
    assert sig is not None and len(sig) == dedup.NUM_PERM
    digest = hashlib.sha256(sig.astype("<u8").tobytes()).hexdigest()[:16]
    assert digest == PINNED_DIGEST
    assert "legacy" in dedup.SCHEME and "crc32" in dedup.SCHEME


def test_republished_copy_folds_into_one_hit_listing_its_title_and_source(backend_factory) -> None:
    body = _report("某某县", 1)
    original = make_doc("http://county.gov.cn/r.html", "某某县2023年法治政府建设年度报告", body)
    copy = make_doc("http://city.gov.cn/r.html", "转发：某某县法治政府建设年度报告",
                    ["来源：某某县人民政府", *[p.replace("，", ",") for p in body], "【打印】【关闭】"])
    backend = backend_factory([original, copy])
    hits = backend.search(SearchRequest(query="法治")).hits
    assert len(hits) == 1
    other = copy if hits[0].id == original.id else original
    assert [(c.id, c.title, c.source) for c in hits[0].copies] == [(other.id, other.title, other.source)]
    assert backend.copies(original.id)[0].id == copy.id
    assert backend.search(SearchRequest(query="法治", collapse=False)).total == 2


def test_one_changed_sentence_is_found_as_its_own_document(backend_factory) -> None:
    body = _report("某某县", 1)
    corrected = [*body[:3], body[3] + "（更正：补充县应急管理局执法数据一百零三件。）", *body[4:]]
    original = make_doc("http://a.gov.cn/1.html", "某某县2023年法治政府建设年度报告", body)
    fixed = make_doc("http://a.gov.cn/2.html", "某某县2023年法治政府建设年度报告（更正）", corrected)
    backend = backend_factory([original, fixed])
    res = backend.search(SearchRequest(query="补充县应急管理局执法数据"))
    assert [h.id for h in res.hits] == [fixed.id]
    both = backend.search(SearchRequest(query="某某县"))
    assert both.total == 1 and both.hits[0].copies  # folded for display only


def test_other_counties_other_years_and_short_bodies_are_not_copies(backend_factory) -> None:
    docs = [make_doc(f"http://x.gov.cn/{seed}.html", f"县{seed}2023年法治政府建设年度报告",
                     _report(f"县{seed}", seed)) for seed in range(1, 6)]
    last_year = [p.replace("2023", "2022").replace("2024", "2023") for p in _report("县1", 1)]
    docs.append(make_doc("http://x.gov.cn/old.html", "县1 2022年法治政府建设年度报告", last_year,
                         year=2022))
    docs[0].year = 2023
    docs += [make_doc("http://x.gov.cn/s1.html", "s", ["详见附件。"]),
             make_doc("http://x.gov.cn/s2.html", "s", ["详见附件。"])]
    backend = backend_factory(docs)
    res = backend.search(SearchRequest(query="", limit=50))
    assert res.total == len(docs)
    assert all(not h.copies for h in res.hits)


PINNED_DIGEST = "eaca55df632503d1"  # datasketch 2.0.0, scheme legacy, seed 1, crc32
