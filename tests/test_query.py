import pytest

from indexer.api import QueryError
from indexer.query import (
    DOC_NUMBER_BRACKETS,
    MAX_QUERY_CHARS,
    And,
    MatchAll,
    Near,
    Not,
    Or,
    Range,
    Term,
    parse_query,
    positive_strings,
)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("法治政府 行政复议", And((Term("法治政府"), Term("行政复议")))),
        ("A OR B", Or((Term("a"), Term("b")))),
        ("A | B", Or((Term("a"), Term("b")))),
        ("-A", Not(Term("a"))),
        ("NOT A B", And((Not(Term("a")), Term("b")))),
        ("(A OR B) -C", And((Or((Term("a"), Term("b"))), Not(Term("c"))))),
        ('"措 施"', Term("措施")),
        ("“法治政府”", Term("法治政府")),
        ('"负责”的原则"', Term("负责”的原则")),
        ("title:法治 publisher:司法局", And((Term("法治", "title"), Term("司法局", "publisher")))),
        ("文号:榆政办发〔2017〕46号", Or(tuple(Term(f"榆政办发{o}2017{c}46号", "docno")
                                             for o, c in DOC_NUMBER_BRACKETS))),
        ("status:deleted 报告", And((Term("已删除", "status"), Term("报告")))),
        ("状态:在线", Not(Term("已删除", "status"))),
        ("title:(A OR B)", Or((Term("a", "title"), Term("b", "title")))),
        ("year:2019", Range("year", 2019, 2019)),
        ("year:2018..2021", Range("year", 2018, 2021)),
        ("year:2018..", Range("year", 2018, None)),
        ("date:2021-01-01..2021-06-30", Range("date", 20210101, 20210630)),
        ("date:2021-02", Range("date", 20210201, 20210228)),
        ("同句(行政复议 应诉)", Near(("行政复议", "应诉"), "sentence")),
        ("SENT(A B)", Near(("a", "b"), "sentence")),
        ("同段(行政复议 应诉)", Near(("行政复议", "应诉"), "paragraph")),
        ("PARA(A B)", Near(("a", "b"), "paragraph")),
        ("2018-2021", Term("2018-2021")),
        ("９０％", Term("90%")),
        ("时间:2021", Term("时间:2021")),
        ("", MatchAll()),
    ],
)
def test_parse(query, expected):
    assert parse_query(query) == expected


@pytest.mark.parametrize("query", ['"unclosed', "(((", ")))A", "-", "A OR", "OR A", "A AND", "((A)", "，。", "NOT"])
def test_malformed_queries_read_leniently(query):
    parse_query(query)  # must not raise


@pytest.mark.parametrize(
    "query",
    ["x" * (MAX_QUERY_CHARS + 1), "(" * 40 + "a" + ")" * 40, " ".join(f"t{i}" for i in range(100)),
     "year:abc", "date:2021-13-01", "date:..", "title:", "同句(A OR B)"],
)
def test_bad_queries_give_one_line_errors(query):
    with pytest.raises(QueryError) as err:
        parse_query(query)
    assert "\n" not in str(err.value) and str(err.value)


def test_positive_strings_skip_negations_and_metadata():
    node = parse_query('法治 -依法 publisher:司法局 title:报告 同句(行政复议 应诉)')
    assert positive_strings(node) == ["法治", "报告", "行政复议", "应诉"]


def test_status_takes_only_known_values() -> None:
    with pytest.raises(QueryError, match="deleted"):
        parse_query("status:whatever")


def test_lenient_reading_is_reported_with_the_query_as_run():
    from indexer.query import read_query

    assert read_query('"行政复议').understood == "行政复议" and read_query('"行政复议').lenient
    reading = read_query("(行政复议 OR 应诉")
    assert reading.understood == "行政复议 OR 应诉" and "补上了缺少的右括号" in reading.repairs
    assert read_query("同段(行政复议").understood == "同段(行政复议)"
    assert read_query("OR").repairs and read_query("-").repairs and read_query("-").understood == ""
    for exact in ("行政复议 应诉", "广政发[2018]68号", "标题:法治政府 -疫情", "(出庭 OR 应诉) 行政复议"):
        assert not read_query(exact).lenient, exact
        assert read_query(read_query(exact).understood).understood == read_query(exact).understood
