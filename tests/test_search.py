"""Search semantics on small hand-made indexes: exact matching, operators, fields, ranking,
facets, duplicates, passages."""

import datetime as dt

import pytest

from indexer.api import QueryError, SearchRequest
from indexer.document import Region
from tests.conftest import make_doc

REPORT = [
    "一、主要举措。全面推进依法行政，加快建设法治政府。",
    "二、全年办理行政复议案件96件；行政首长出庭应诉率90%以上。",
    "三、存在的不足。中华人民共和国行政复议法宣传不够。",
]


@pytest.fixture
def small(backend_factory):
    docs = [
        make_doc("http://a.gov.cn/1.html", "甲县2019年度法治政府建设情况报告", REPORT, publisher="甲县司法局",
                 published=dt.date(2020, 3, 25), year=2019, doc_type="报告", doc_number="甲政发〔2020〕1号",
                 region=Region("湖北省", "荆门市", "甲县")),
        make_doc("http://b.gov.cn/2.html", "乙区依法行政工作总结", ["建设法治政府是目标。", "行政复议工作平稳。", "应诉工作有序开展。"],
                 publisher="乙区人民政府", published=dt.date(2018, 1, 10), year=2017, doc_type="总结",
                 region=Region("广东省", "江门市", "乙区")),
        make_doc("/tmp/c.txt", "丙市實施意見", ["推進法治政府建設的實施意見。", "措 施\n落实到位。"],
                 published=dt.date(2021, 6, 1), doc_type="意见"),
    ]
    return build(backend_factory, docs)


def build(factory, docs):
    return factory(docs)


def ids(backend, query, **kw):
    return {h.source for h in backend.search(SearchRequest(query=query, limit=100, **kw)).hits}


def test_phrase_across_jieba_words_matches(small):
    assert ids(small, '"法治政府"') == {"http://a.gov.cn/1.html", "http://b.gov.cn/2.html", "/tmp/c.txt"}
    assert ids(small, "治政") == {"http://a.gov.cn/1.html", "http://b.gov.cn/2.html", "/tmp/c.txt"}
    assert ids(small, "人民共和国") == {"http://a.gov.cn/1.html"}
    assert ids(small, "出庭应诉率") == {"http://a.gov.cn/1.html"}


def test_no_false_positive_from_scattered_words(small):
    # b says 建设法治政府: both words, never the string 政府建设
    assert ids(small, "政府建设") == {"http://a.gov.cn/1.html", "/tmp/c.txt"}
    assert ids(small, "府建设法") == set()


def test_normalisation_width_traditional_whitespace(small):
    assert ids(small, "９０％") == {"http://a.gov.cn/1.html"}
    assert ids(small, "实施意见") == {"/tmp/c.txt"}  # document is in traditional characters
    assert ids(small, "措施落实") == {"/tmp/c.txt"}  # space and line break inside the phrase
    assert ids(small, "法") == {"http://a.gov.cn/1.html", "http://b.gov.cn/2.html", "/tmp/c.txt"}


def test_boolean_operators(small):
    assert ids(small, "行政复议 应诉") == {"http://a.gov.cn/1.html", "http://b.gov.cn/2.html"}
    assert ids(small, "行政复议 -出庭") == {"http://b.gov.cn/2.html"}
    assert ids(small, "NOT 行政复议") == {"/tmp/c.txt"}
    assert ids(small, "出庭 OR 措施") == {"http://a.gov.cn/1.html", "/tmp/c.txt"}
    assert ids(small, "(出庭 OR 措施) 法治") == {"http://a.gov.cn/1.html", "/tmp/c.txt"}


def test_fields_and_ranges(small):
    assert ids(small, "title:总结") == {"http://b.gov.cn/2.html"}
    assert ids(small, "title:法治政府") == {"http://a.gov.cn/1.html"}
    assert ids(small, "publisher:司法局") == {"http://a.gov.cn/1.html"}
    assert ids(small, "docno:〔2020〕1号") == {"http://a.gov.cn/1.html"}
    assert ids(small, "region:荆门") == {"http://a.gov.cn/1.html"}
    assert ids(small, "type:意见") == {"/tmp/c.txt"}
    assert ids(small, "year:2019") == {"http://a.gov.cn/1.html"}
    assert ids(small, "year:2017..2019") == {"http://a.gov.cn/1.html", "http://b.gov.cn/2.html"}
    assert ids(small, "date:2021-01-01..2021-06-30") == {"/tmp/c.txt"}


def test_same_sentence_and_paragraph(small):
    # a: 行政复议 and 应诉 in one paragraph but different sentences; b: different paragraphs.
    assert ids(small, "同段(行政复议 应诉)") == {"http://a.gov.cn/1.html"}
    assert ids(small, "同句(行政复议 应诉)") == set()
    assert ids(small, "同句(行政首长 应诉)") == {"http://a.gov.cn/1.html"}


def test_proximity_ranks_together_above_scattered(small):
    hits = small.search(SearchRequest(query="行政复议 应诉")).hits
    assert [h.source for h in hits] == ["http://a.gov.cn/1.html", "http://b.gov.cn/2.html"]


def test_sorting_by_date(small):
    newest = small.search(SearchRequest(query="法治", sort="-date")).hits
    oldest = small.search(SearchRequest(query="法治", sort="date")).hits
    assert [h.published for h in newest] == ["2021-06-01", "2020-03-25", "2018-01-10"]
    assert [h.published for h in oldest] == ["2018-01-10", "2020-03-25", "2021-06-01"]


def test_facets_and_filters(small):
    res = small.search(SearchRequest(query="法治"))
    assert {f.value: f.count for f in res.facets["province"]} == {"湖北省": 1, "广东省": 1}
    assert [f.value for f in res.facets["year"]] == ["2021", "2019", "2017"]
    both = small.search(SearchRequest(query="法治", filters={"province": ("湖北省", "广东省")}))
    assert both.total == 2
    none = small.search(SearchRequest(query="法治", filters={"province": ("湖北省",), "doc_type": ("总结",)}))
    assert none.total == 0
    with pytest.raises(QueryError):
        small.search(SearchRequest(query="法治", filters={"colour": ("red",)}))


def _marked(text: str, spans) -> str:
    return "".join(f"[{text[a:b]}]" if k % 2 else text[a:b]
                   for k, (a, b) in enumerate(_cuts(text, spans)))


def _cuts(text: str, spans):
    """Alternating unmarked / marked pieces of ``text``."""
    pos = 0
    for a, b in spans:
        yield pos, a
        yield a, b
        pos = b
    yield pos, len(text)


def test_passages_are_text_with_match_spans(backend_factory):
    """The engine returns data, not HTML: text as stored (nothing escaped) and match offsets."""
    hostile = '<script>alert(1)</script> 法治政府 "><img src=x onerror=alert(1)>'
    doc = make_doc("http://x.gov.cn/x.html", "<b>标题</b>", ["无关段落。", hostile])
    backend = backend_factory([doc])
    hit = backend.search(SearchRequest(query="法治政府")).hits[0]
    passage = hit.passages[0]
    assert passage.paragraph == 2 and passage.text == hostile
    assert [passage.text[a:b] for a, b in passage.spans] == ["法治政府"]
    assert hit.title == "<b>标题</b>" and hit.title_spans == []


def test_spans_cover_raw_text_across_whitespace(backend_factory):
    backend = backend_factory([make_doc("/a", "t", ["做好 措 施 落实"])])
    passage = backend.search(SearchRequest(query="措施")).hits[0].passages[0]
    assert _marked(passage.text, passage.spans) == "做好 [措 施] 落实"


def test_near_duplicates_collapse_into_one_hit(backend_factory):
    body = [f"第{i}条，全面推进依法行政，加快建设法治政府，落实行政执法责任制，开展第{i}项专项行动。" for i in range(30)]
    original = make_doc("http://county.gov.cn/r.html", "某县2020年法治政府建设情况报告", body)
    copy = make_doc("http://city.gov.cn/r.html", "某县2020年法治政府建设情况报告", ["来源：某县", *body, "【打印】"])
    other = make_doc("http://other.gov.cn/r.html", "另一县报告", [p.replace("依法行政", "依法治县").replace("专项", "重点") for p in body])
    backend = backend_factory([original, copy, other])
    res = backend.search(SearchRequest(query="法治政府"))
    assert res.total == 2
    folded = next(h for h in res.hits if h.source in (original.source, copy.source))
    assert folded.duplicates == [copy.source if folded.source == original.source else original.source]
    assert backend.search(SearchRequest(query="法治政府", collapse=False)).total == 3


def test_incremental_reindex_and_delete(backend_factory):
    doc = make_doc("/r.txt", "报告", ["法治政府"])
    backend = backend_factory([doc])
    again = backend.add([doc])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    changed = make_doc("/r.txt", "报告", ["依法行政"])
    report = backend.add([changed])
    assert (report.added, report.updated) == (0, 1)
    assert backend.search(SearchRequest(query="法治政府")).total == 0
    assert backend.search(SearchRequest(query="依法行政")).total == 1
    assert backend.get(doc.id).paragraphs == ["依法行政"]
    assert backend.delete([doc.id, "0" * 16]) == 1
    assert backend.get(doc.id) is None
    assert backend.search(SearchRequest()).total == 0


def test_empty_query_lists_everything_newest_first(small):
    res = small.search(SearchRequest(query=""))
    assert res.total == 3
    assert res.hits[0].published == "2021-06-01"


def test_limits_are_bounded(small):
    with pytest.raises(QueryError):
        small.search(SearchRequest(query="法治", limit=100000))
    with pytest.raises(QueryError):
        small.search(SearchRequest(query="法治", sort="colour"))


def test_same_document_twice_in_one_run_is_stored_once(backend_factory):
    backend = backend_factory()
    report = backend.add([make_doc("/r.txt", "报告", ["法治政府"]), make_doc("/r.txt", "报告", ["依法行政"])])
    assert (report.added, report.updated) == (1, 1)
    assert backend.search(SearchRequest()).total == 1
    assert backend.search(SearchRequest(query="依法行政")).total == 1


def test_parallel_writer_keeps_every_document(tmp_path):
    from indexer.whoosh_backend import WhooshBackend

    backend = WhooshBackend(tmp_path, workers=2)
    docs = [make_doc(f"/d/{i}", f"报告{i}", [f"第{i}号文件，法治政府建设。"]) for i in range(150)]
    report = backend.add(docs, batch_size=40)
    assert report.added == 150 and not report.failed
    assert backend.search(SearchRequest(query="法治政府", collapse=False)).total == 150
    assert backend.stats()["documents"] == 150
    backend.close()


def test_word_postings_are_the_workers_counts_after_merging(tmp_path):
    """The word index holds each document's rjieba counts, also for documents whose small
    segments were merged into another (their postings come from the merged segments' files)."""
    from collections import Counter

    from indexer import wordindex
    from indexer.analysis import words, words_of_all
    from indexer.whoosh_backend import WhooshBackend

    docs = [make_doc(f"/p/{i}", "题" if i % 2 else "法治题", ["法治" * (1 + i % 3) if i % 7 else "无关"]) for i in range(90)]
    backend = WhooshBackend(tmp_path, workers=1)
    backend.add(docs, batch_size=20)  # five batch segments, merged at the end of the run
    view = backend._current_view()
    assert len(view.data) == 1 and view.live_count == 90
    for field, word in (("words", "法治"), ("title_words", "法治"), ("words", "无关")):
        ids, tfs = view.word_postings(field, wordindex.term_hash(word))
        got = {view.ids[i]: tf for i, tf in zip(ids.tolist(), tfs.tolist(), strict=True) if view.live[i]}
        expected = {}
        for d in docs:
            counted = Counter(words_of_all(d.paragraphs) if field == "words" else words(d.title))
            if counted[word]:
                expected[d.id] = float(counted[word])
        assert got == expected and expected
    backend.close()


def test_same_sentence_outranks_same_paragraph_outranks_scattered(backend_factory):
    filler = "其他工作稳步推进。"
    docs = [
        make_doc("/scattered", "报告", ["行政复议工作有序。" + filler, filler + "应诉工作平稳。"]),
        make_doc("/paragraph", "报告", ["行政复议工作有序。应诉工作平稳。", filler + filler]),
        make_doc("/sentence", "报告", ["行政复议和应诉工作有序平稳。", filler + filler]),
    ]
    backend = backend_factory(docs)
    hits = backend.search(SearchRequest(query="行政复议 应诉")).hits
    assert [h.source for h in hits] == ["/sentence", "/paragraph", "/scattered"]


def test_proximity_tiers_match_brute_force(backend_factory):
    import random

    import numpy as np

    from indexer.analysis import normalize, sentences
    from indexer.evaluate import tiers

    rng = random.Random(11)
    alphabet = list("法治政府建设复议应诉。;，")

    def text(n):
        return "".join(rng.choice(alphabet) for _ in range(n))

    docs = [make_doc(f"/tier/{i}", text(5), [text(rng.randint(3, 30)) for _ in range(rng.randint(1, 3))]) for i in range(120)]
    backend = backend_factory(docs)
    view = backend._current_view()
    order = {d.id: i for i, d in enumerate(docs)}
    for _ in range(60):
        terms = tuple(dict.fromkeys(normalize(text(rng.randint(1, 2))) for _ in range(2)))
        docnums = np.array(sorted(view.by_id[d.id] for d in rng.sample(docs, 40)))
        got = tiers(view, docnums, terms)
        for docnum, tier in zip(docnums.tolist(), got.tolist(), strict=True):
            paras = [normalize(p) for p in docs[order[view.ids[docnum]]].paragraphs]
            want = 2 if any(all(t in s for t in terms) for p in paras for s in sentences(p)) else (
                1 if any(all(t in p for t in terms) for p in paras) else 0)
            assert tier == want, (terms, paras)


def test_an_index_of_another_format_is_refused_in_one_line(backend_factory):
    from indexer.api import QueryError
    from indexer.whoosh_backend import WhooshBackend

    backend = backend_factory([make_doc("/f/1.txt", "标题", ["正文"])])
    data_dir = backend.data_dir
    backend.close()
    assert (data_dir / "index" / "FORMAT").read_text(encoding="utf-8").strip()
    (data_dir / "index" / "FORMAT").write_text("1\n", encoding="utf-8")
    with pytest.raises(QueryError) as err:
        WhooshBackend(data_dir)
    assert "索引格式为 1" in str(err.value) and "reindex" in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("key", ["unicode", "opencc", "rjieba", "minhash"])
def test_an_index_built_with_other_normalisation_versions_is_refused(backend_factory, key):
    """Normalisation decides exactness: an index built under another Unicode or OpenCC version
    (or another rjieba dictionary, another MinHash scheme) is refused, never misread."""
    from indexer import formatfile
    from indexer.api import QueryError
    from indexer.whoosh_backend import WhooshBackend

    backend = backend_factory([make_doc("/f/1.txt", "标题", ["正文"])])
    data_dir = backend.data_dir
    backend.close()
    format_file = data_dir / "index" / "FORMAT"
    recorded = formatfile.parse(format_file.read_text(encoding="utf-8"))
    assert recorded == formatfile.expected()  # every version is written when the index is made
    WhooshBackend(data_dir).close()  # and the same versions open it
    faked = {**recorded, key: "0.0.1"}
    format_file.write_text(formatfile.render(faked), encoding="utf-8")
    with pytest.raises(QueryError) as err:
        WhooshBackend(data_dir)
    message = str(err.value)
    assert "0.0.1" in message and "govsearch index" in message and "\n" not in message


def test_small_commits_do_not_pile_up_segments(backend_factory):
    """A crawl commits a few documents at a time; small segments are folded into the next commit."""
    backend = backend_factory()
    for round_ in range(12):
        backend.add([make_doc(f"/c/{round_}/{i}.txt", f"报告{round_}-{i}", ["法治政府建设"]) for i in range(3)])
    assert backend.stats()["documents"] == 36
    assert len(backend.ix._segments()) == 1
    assert backend.search(SearchRequest(query="法治政府建设", limit=0)).total == 36


DOC_NUMBER_FORMS = ["广政发〔2018〕68号", "广政发[2018]68号", "广政发【2018】68号", "广政发（2018）68号",
                    "广政发(2018)68号", "广政发﹝2018﹞68号", "广政发[ 2018 ]68号", "广政发〖2018〗68号"]


def test_a_doc_number_matches_in_every_bracket_form(backend_factory):
    docs = [make_doc(f"http://d.gov.cn/{k}.html", f"通知{k}", [f"根据{form}文件精神，现通知如下。"],
                     doc_number=form if k == 0 else None)
            for k, form in enumerate(DOC_NUMBER_FORMS)]
    docs.append(make_doc("http://d.gov.cn/other.html", "其他", ["广政发〔2018〕69号另有规定；（2018）年度68号工作。"]))
    backend = build(backend_factory, docs)
    every = {f"http://d.gov.cn/{k}.html" for k in range(len(DOC_NUMBER_FORMS))}
    for typed in DOC_NUMBER_FORMS:
        assert ids(backend, typed) == every, typed  # never 69号, never a (2018) outside a 文号
        assert ids(backend, f"{typed} 通知") == every  # ( ) inside a 文号 is not grouping
    assert ids(backend, "docno:广政发[2018]68号") == {"http://d.gov.cn/0.html"}
    # Exact otherwise: a bracketed year that is not inside a 文号 keeps its own brackets.
    assert ids(backend, '"（2018）年度"') == {"http://d.gov.cn/other.html"}
    assert ids(backend, '"[2018]年度"') == set()
