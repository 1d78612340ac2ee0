"""Report structure: headings mapped onto the five mandated parts (indexer/sections.py).

Real-report accuracy is measured by benchmarks/sections.py against hand-labelled gold; these
tests pin the rules, including the parts the real excerpts never reach (不足, 下一年度, 其他).
"""

from __future__ import annotations

from indexer.sections import PART_ALIASES, PART_KEYS, heading_of, outline, parts_facet

REPORT = [
    "2023年，我县坚持以习近平法治思想为指导，扎实推进法治政府建设。现将有关情况报告如下：",
    "一、坚持党的领导，法治政府建设责任扛牢压实",
    "（一）深入学习贯彻习近平法治思想。全年集中学法7次。",
    "（二）健全法治政府建设推进机制。",
    "二、依法全面履行政府职能",
    "严格落实权责清单制度。",
    "三、党政主要负责人履行推进法治建设第一责任人职责情况",
    "县长带头学法，专题研究法治政府建设4次。",
    "四、存在的不足和原因",
    "（一）行政执法规范化水平有待提高。",
    "部分执法人员执法能力不足。",
    "五、2024年工作安排",
    "（一）深化行政执法体制改革。",
    "（二）加强行政复议工作。",
    "六、其他需要报告的情况",
    "无。",
]


def test_a_complete_report_has_all_five_parts() -> None:
    found = outline(REPORT)
    assert found.present == list(PART_KEYS) and found.missing == []
    assert parts_facet(REPORT) == "五部分齐全"
    assert [h.part for h in found.headings if h.level == 1] == [
        "measures", "measures", "leaders", "shortcomings", "next_year", "other"]


def test_every_paragraph_has_the_part_of_its_heading() -> None:
    parts = outline(REPORT).parts
    assert parts[0] is None  # the preamble belongs to no part
    assert parts[REPORT.index("严格落实权责清单制度。")] == "measures"
    assert parts[REPORT.index("部分执法人员执法能力不足。")] == "shortcomings"
    # A sub-heading without part words sits in its parent's part, however it is worded.
    assert parts[REPORT.index("（二）加强行政复议工作。")] == "next_year"


def test_codes_are_one_character_a_paragraph() -> None:
    codes = outline(REPORT).codes()
    assert len(codes) == len(REPORT)
    assert codes[0] == "0" and set(codes) == {"0", "1", "2", "3", "4", "5"}


def test_missing_parts_are_named() -> None:
    short = REPORT[:8]
    assert parts_facet(short) == "缺：不足和原因、下一年度安排、其他情况"
    assert parts_facet(["没有任何标题的一段话。"]) == ""


def test_one_heading_may_name_two_parts() -> None:
    found = outline(["一、2017年的主要工作", "开展了工作。", "二、存在的问题及下一步打算", "问题是……"])
    second = found.headings[1]
    assert second.part == "shortcomings" and second.also == ("next_year",)
    assert "next_year" in found.present


def test_words_that_only_look_like_a_part() -> None:
    # 工作计划 as an object, 履行…工作职责, a year's 重点工作 in that year's report: all work done.
    for heading in ("（二）定期谋划部署法治政府建设工作，把法治政府建设纳入年度工作计划情况。",
                    "一、深入学习贯彻习近平法治思想，切实履行推进法治政府建设工作职责",
                    "一、2022年重点工作及主要工作举措"):
        assert outline([heading, "正文。"]).headings[0].part == "measures", heading


def test_a_shufa_report_and_a_preface() -> None:
    found = outline(["引 言", "本人履行职责情况如下。", "一、履职情况", "（一）带头学法。",
                     "二、存在问题", "（一）学习不够系统。", "三、下一步打算", "继续努力。"])
    assert [h.part for h in found.headings] == [None, "leaders", "leaders", "shortcomings",
                                                "shortcomings", "next_year"]


def test_what_is_not_a_heading() -> None:
    assert heading_of("一是加强学习。全年学法7次。") is None  # 一是 starts a sentence
    assert heading_of("1.5万件") is None
    assert heading_of("（一）" + "很长" * 60 + "。") is None  # a numbered sentence, too long
    assert heading_of("我镇高度重视党政主要负责人履", last=True) is None  # a cut-off last line
    assert heading_of("下一步工作打算") == (1, "下一步工作打算")  # unnumbered, says its part


def test_every_alias_names_a_part() -> None:
    assert set(PART_ALIASES.values()) == set(PART_KEYS)
    assert PART_ALIASES["不足"] == "shortcomings" and PART_ALIASES["下一年度"] == "next_year"
