"""benchmarks/search_bench.py's query protocol, without running an engine: set B is fresh
(no string shared with set A, none repeated), the report is written for a govsearch-only run
and says when the page cache was not dropped, and growth.json keeps one row per corpus size."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import corpus
from benchmarks import search_bench as sb


@pytest.fixture(scope="module")
def sample() -> list:
    return list(corpus.generate(20, 20240501))


def test_query_strings_read_the_query_syntax_roughly() -> None:
    assert sb.query_strings('(普法 OR 宣传) 出庭') == ["普法", "宣传", "出庭"]
    assert sb.query_strings("法治政府 -疫情") == ["法治政府", "疫情"]
    assert sb.query_strings('title:实施意见 "依法行政"') == ["实施意见", "依法行政"]
    assert sb.query_strings("同段(普法 考核 培训)") == ["普法", "考核", "培训"]
    assert sb.query_strings("９０％") == sb.query_strings("90%")
    assert sb.query_strings("") == []


def test_set_b_pairs_set_a_kind_for_kind_and_shares_no_string(sample: list) -> None:
    set_a, set_b = sb.query_set(sample), sb.query_set_b(sample)
    assert [k for k, _, _ in set_a] == [k for k, _, _ in set_b]
    sb.check_fresh([q for _, q, _ in set_a], [q for _, q, _ in set_b])
    assert len({q for _, q, _ in set_b}) == len(set_b)


@pytest.mark.parametrize("bad_b", [["９０％"], ["year:2022 title:总结"], ["调解", "调解 仲裁"], [sb.PROBE]])
def test_check_fresh_rejects_shared_or_repeated_strings(sample: list, bad_b: list[str]) -> None:
    set_a = [q for _, q, _ in sb.query_set(sample)]
    with pytest.raises(AssertionError):
        sb.check_fresh(set_a, bad_b)


def _ctx(sample: list, page_cache: str = "dropped") -> dict:
    set_a, set_b, phrases = sb.query_set(sample), sb.query_set_b(sample), ["法治政府", "治政"]
    n = len(set_a)
    qres = {
        "page_cache": page_cache, "open_cold_ms": 250.0, "open_warm_ms": 20.0,
        "cold": [300.0] + [10.0] * (n - 1), "fresh": [70.0] * n, "cached": [1.0] * n,
        "totals": [5] * n, "totals_b": [3] * n, "memory": {"Pss": 200.0, "Pss_Anon": 150.0, "Pss_File": 50.0},
        "found": {p: ["a"] for p in phrases}, "total_mismatches": [],
    }
    info = {"documents": 300, "chars": 1_700_000, "text_bytes": 4_800_000}
    truth = {p: {"a"} for p in phrases}
    common = [i for i, (_, _, nq) in enumerate(set_a) if nq is not None]
    g = sb.summarise("govsearch", {"seconds": 2.0, "docs": 300, "maxrss_mb": 100.0}, 110.0, qres, info, 7.2, truth, common)
    return {
        "results": {"govsearch": g}, "corpus": info, "seed": 20240501, "machine": "test", "version": "abc1234",
        "command": "python benchmarks/search_bench.py --docs 300 --engines govsearch", "date": "2026-01-01 00:00 UTC",
        "wall_s": 10.0, "load": [(0.1, 0.2, 0.3), (0.1, 0.2, 0.3)], "queries": set_a, "queries_b": set_b,
        "phrases": phrases, "truth_counts": {p: 1 for p in phrases},
    }


def test_govsearch_only_report_has_the_figures_targets_and_dashes(sample: list, tmp_path: Path) -> None:
    report = sb.build_report(_ctx(sample))
    assert "| index / text (index size ÷ UTF-8 text size) | 1.50 | — |" in report
    assert "| open index + first query, page cache dropped (ms) | 250 | — |" in report
    assert "set B once, warm page cache, queries not seen before (ms) | 70.0 / 70.0 / 70.0 | — |" in report
    assert "| 200 / **150** / 50 | — |" in report
    assert "| query p95, warm page cache, queries not seen before ≤ 60 ms | 70.0 ms | **not met** |" in report
    assert "| query p95, pass 1, cold page cache ≤ 200 ms | 10.0 ms | met |" in report
    assert "| indexing rate ≥ 150 docs/s | 150.0 docs/s | met |" in report
    assert "`(empty: all)` + filter doc_type=方案" in report
    docs_md = tmp_path / "benchmarks.md"
    docs_md.write_text("# Benchmarks\n\n<!-- other:begin -->\nkept\n<!-- other:end -->\n", encoding="utf-8")
    sb.write_section(report, 300, docs_md)
    text = docs_md.read_text(encoding="utf-8")
    assert "kept" in text and "<!-- search:run 300 -->" in text and "### 300 documents" in text


def test_report_says_when_the_page_cache_was_not_dropped(sample: list) -> None:
    report = sb.build_report(_ctx(sample, page_cache="not dropped: not root"))
    assert "**Page cache not dropped: not root**" in report
    assert "| query p95, pass 1, cold page cache ≤ 200 ms | 10.0 ms | not measured (page cache not dropped: not root) |" in report


def test_growth_keeps_one_row_per_corpus_size(sample: list, tmp_path: Path) -> None:
    path = tmp_path / "growth.json"
    ctx = _ctx(sample)
    sb.write_growth(sb.growth_row(ctx), path)
    ctx["date"] = "2026-01-02 00:00 UTC"
    sb.write_growth(sb.growth_row(ctx), path)
    ctx["corpus"] = {**ctx["corpus"], "documents": 100}
    sb.write_growth(sb.growth_row(ctx), path)
    rows = json.loads(path.read_text(encoding="utf-8"))["rows"]
    assert [(r["docs"], r["date"]) for r in rows] == [(100, "2026-01-02 00:00 UTC"), (300, "2026-01-02 00:00 UTC")]
    row = rows[1]
    assert row["index_ratio"] == 1.5 and row["warm_p95_ms"] == 70.0 and row["pss_anon_mb"] == 150.0
    assert row["commit"] == "abc1234" and row["open_cold_ms"] == 250.0


def test_page_cache_is_not_dropped_without_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sb.os, "geteuid", lambda: 1000)
    assert sb.drop_page_cache() == "not root"


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="no /proc/self/smaps_rollup")
def test_serving_memory_reads_pss_anon_and_file() -> None:
    memory = sb.serving_memory()
    assert memory["Pss"] > 0 and memory["Pss_Anon"] > 0 and "Pss_File" in memory
