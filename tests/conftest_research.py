"""A small index for the research views: 武汉市's districts and their 2023 reports.

Imported by tests/test_research.py and tests/test_browser_research.py (not a conftest plugin).
Bodies stay under indexer.dedup.MIN_CHARS, so no two documents fold into one hit (the copies of
汉阳区's report are two hits, as the tracker sees them). Every district's expected tracker row
is in :data:`EXPECTED_ROWS`, written out by hand from the documents below, not computed by the
code under test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from indexer import Document, Region, make_id, open_index

FULL_REPORT = [
    "2023年，我区深入推进法治政府建设。",
    "一、2023年推进法治政府建设的主要举措和成效",
    "全年办理行政复议案件52件，行政机关负责人出庭应诉率100%。",
    "二、存在的不足和原因",
    "行政执法规范化水平有待提高，原因是执法人员培训不足。",
    "三、党政主要负责人履行推进法治建设第一责任人职责情况",
    "区政府主要负责人带头述法。",
    "四、2024年工作安排",
    "继续深化行政复议体制改革。",
    "五、其他需要报告的情况",
    "无。",
]
# Lacks 存在的不足和原因 and 其他需要报告的情况.
PARTIAL_REPORT = [
    "2023年，我区扎实推进依法行政。",
    "一、主要举措和成效",
    "严格规范公正文明执法，行政复议纠错率下降。",
    "二、党政主要负责人履行推进法治建设第一责任人职责情况",
    "主要负责人认真履行第一责任人职责。",
    "三、下一步工作打算",
    "持续提升出庭应诉率。",
]


def wuhan(county: str | None, code: str) -> Region:
    return Region(province="湖北省", city="武汉市", county=county, code=code)


def doc(key: str, title: str, publisher: str, region: Region, *, year: int | None, published: dt.date | None,
        doc_type: str = "报告", paragraphs: list[str] | None = None) -> Document:
    source = f"https://www.example.gov.cn/{key}.html"
    return Document(id=make_id(source), title=title, source=source, paragraphs=list(paragraphs or FULL_REPORT),
                    publisher=publisher, published=published, doc_type=doc_type, year=year, region=region)


def tracker_documents() -> list[Document]:
    d = dt.date
    return [
        # On time, all five parts.
        doc("jiangan", "武汉市江岸区2023年法治政府建设年度报告", "武汉市江岸区人民政府", wuhan("江岸区", "420102"),
            year=2023, published=d(2024, 3, 20)),
        # Published on 1 April: late (the rule says *before* 1 April). Two parts missing.
        doc("jianghan", "江汉区2023年度法治政府建设情况报告", "江汉区人民政府办公室", wuhan("江汉区", "420103"),
            year=2023, published=d(2024, 4, 1), paragraphs=PARTIAL_REPORT),
        # Only a department published: 硚口区 itself is not found.
        doc("qiaokou-sfj", "硚口区司法局2023年法治政府建设工作报告", "武汉市硚口区司法局", wuhan("硚口区", "420104"),
            year=2023, published=d(2024, 2, 1)),
        # Two copies: late on one site, on time on another. The earlier copy decides.
        doc("hanyang-a", "汉阳区2023年法治政府建设情况的报告", "汉阳区人民政府", wuhan("汉阳区", "420105"),
            year=2023, published=d(2024, 4, 15)),
        doc("hanyang-b", "汉阳区2023年法治政府建设情况的报告", "汉阳区人民政府", wuhan("汉阳区", "420105"),
            year=2023, published=d(2024, 3, 28)),
        # The 2022 report: not the 2023 one.
        doc("wuchang-2022", "武昌区2022年法治政府建设情况报告", "武昌区人民政府", wuhan("武昌区", "420106"),
            year=2022, published=d(2023, 3, 1)),
        # No stated report year (its publication year is 2024): not counted for 2023.
        doc("qingshan", "青山区法治政府建设情况报告", "青山区人民政府", wuhan("青山区", "420107"),
            year=None, published=d(2024, 3, 1)),
        # No publication date: found, date unknown.
        doc("hongshan", "洪山区2023年度法治政府建设情况报告", "洪山区人民政府", wuhan("洪山区", "420111"),
            year=2023, published=None),
        # A 政府工作报告 is a report about the year, but not this report.
        doc("dongxihu", "2024年东西湖区政府工作报告", "东西湖区人民政府", wuhan("东西湖区", "420112"),
            year=2023, published=d(2024, 1, 20)),
        # A 实施方案 is not a report.
        doc("caidian", "蔡甸区2023年法治政府建设实施方案", "蔡甸区人民政府", wuhan("蔡甸区", "420114"),
            year=2023, published=d(2023, 3, 1), doc_type="方案"),
        # A 总结 counts like a 报告.
        doc("xinzhou", "新洲区2023年依法行政工作总结", "新洲区人民政府", wuhan("新洲区", "420117"),
            year=2023, published=d(2024, 1, 15), doc_type="总结"),
        # The city's own report: a city row, never a district's.
        doc("wuhan", "武汉市2023年法治政府建设情况报告", "武汉市人民政府", wuhan(None, "420100"),
            year=2023, published=d(2024, 3, 30)),
        # A county of another city, for the province-wide summary.
        doc("yangxin", "阳新县2023年法治政府建设情况报告", "阳新县人民政府",
            Region(province="湖北省", city="黄石市", county="阳新县", code="420222"),
            year=2023, published=d(2024, 5, 6)),
        # The province's own report.
        doc("hubei", "湖北省2023年法治政府建设情况报告", "湖北省人民政府", Region(province="湖北省", code="420000"),
            year=2023, published=d(2024, 3, 31)),
        # A municipality's own report (its region names it as the city too).
        doc("beijing", "北京市2023年法治政府建设情况报告", "北京市人民政府",
            Region(province="北京市", city="北京市", code="110000"), year=2023, published=d(2024, 3, 29)),
    ]


#: 武汉市's 13 districts at level=county, year 2023: (name, status, report key or None,
#: copies, departments, missing parts).
EXPECTED_ROWS: list[tuple[str, str, str | None, int, int, list[str]]] = [
    ("江岸区", "on_time", "jiangan", 0, 0, []),
    ("江汉区", "late", "jianghan", 0, 0, ["不足和原因", "其他情况"]),
    ("硚口区", "not_found", None, 0, 1, []),
    ("汉阳区", "on_time", "hanyang-b", 1, 0, []),
    ("武昌区", "not_found", None, 0, 0, []),
    ("青山区", "not_found", None, 0, 0, []),
    ("洪山区", "undated", "hongshan", 0, 0, []),
    ("东西湖区", "not_found", None, 0, 0, []),
    ("汉南区", "not_found", None, 0, 0, []),
    ("蔡甸区", "not_found", None, 0, 0, []),
    ("江夏区", "not_found", None, 0, 0, []),
    ("黄陂区", "not_found", None, 0, 0, []),
    ("新洲区", "on_time", "xinzhou", 0, 0, []),
]


def trend_documents() -> list[Document]:
    """Documents across years and provinces with 行政复议 / 出庭应诉率 in known places."""
    docs = []
    plan = [  # (key, province, year, paragraphs)
        ("t1", "湖北省", 2019, ["开展行政复议工作。"]),
        ("t2", "湖北省", 2019, ["行政复议与出庭应诉率双提升。"]),
        ("t3", "湖北省", 2021, ["无关的段落。"]),
        ("t4", "广东省", 2021, ["行政复议案件。", "出庭应诉率达到90%。"]),
        ("t5", "广东省", 2022, ["出庭应诉率继续提高。"]),
        ("t6", "甘肃省", 2022, ["行政复议。"]),
    ]
    for key, province, year, paragraphs in plan:
        source = f"https://trend.example.gov.cn/{key}.html"
        docs.append(Document(id=make_id(source), title=f"{province}{year}年工作情况（{key}）", source=source,
                             paragraphs=paragraphs, year=year, doc_type="通知", published=dt.date(year + 1, 2, 1),
                             region=Region(province=province)))
    return docs


def build_research_index(data_dir: Path) -> dict[str, str]:
    """Index the tracker and trend documents; returns key → document id."""
    docs = tracker_documents() + trend_documents()
    backend = open_index(data_dir)
    try:
        report = backend.add(docs)
        assert not report.failed, report.failed
    finally:
        backend.close()
    return {d.source.rsplit("/", 1)[-1].removesuffix(".html"): d.id for d in docs}
