"""The govsearch CLI as users run it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from govsearch.cli import main
from indexer.api import FACETS

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    data = tmp_path_factory.mktemp("cli")
    result = CliRunner().invoke(main, ["--data-dir", str(data), "index", str(ROOT / "seeds"), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "新增 5" in result.output
    return data


def run(data_dir, *args):
    return CliRunner().invoke(main, ["--data-dir", str(data_dir), *args])


def test_reindexing_the_same_files_changes_nothing(data_dir):
    result = run(data_dir, "index", str(ROOT / "seeds"), "--quiet")
    assert result.exit_code == 0
    assert "新增 0，更新 0，未变 5，失败 0" in result.output


def test_bad_files_are_reported_and_skipped(data_dir, tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "junk.pdf").write_bytes(b"%PDF-1.4 truncated")
    (tmp_path / "ok.txt").write_text("某县2020年法治政府建设情况报告\n全面推进依法行政。\n", encoding="utf-8")
    result = run(data_dir, "index", str(tmp_path), "--quiet")
    assert result.exit_code == 0, result.output
    assert "新增 1" in result.output and "失败 2" in result.output
    assert "Traceback" not in result.output


def test_search_json_shape(data_dir):
    result = run(data_dir, "search", '"法治政府"', "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"query", "total", "took_ms", "hits", "facets"}
    assert data["total"] >= 5
    hit = data["hits"][0]
    assert set(hit) >= {"id", "title", "source", "publisher", "published", "doc_number", "region", "score",
                        "duplicates", "passages"}
    assert Path(hit["source"]).is_absolute() or hit["source"].startswith("http")
    assert hit["passages"] and {"paragraph", "text", "spans"} <= set(hit["passages"][0])
    assert "title_spans" in hit and "title_html" not in hit  # the CLI shows text; only the web adds HTML
    assert set(data["facets"]) == set(FACETS)


def test_search_batch_queries_print_json_lines(data_dir, tmp_path):
    queries = tmp_path / "q.txt"
    queries.write_text("法治政府\n出庭应诉率\n\n人民共和国\n", encoding="utf-8")
    result = run(data_dir, "search", "--queries", str(queries), "--json", "--limit", "1")
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["query"] for line in lines] == ["法治政府", "出庭应诉率", "人民共和国"]
    assert all(len(line["hits"]) <= 1 for line in lines)


def test_search_filters_and_sort(data_dir):
    result = run(data_dir, "search", "法治", "--filter", "province=湖北省", "--sort", "-date", "--json")
    data = json.loads(result.output)
    assert data["total"] >= 1
    assert all("湖北" in (h["region"] or "") for h in data["hits"])
    dates = [h["published"] for h in data["hits"]]
    assert dates == sorted(dates, reverse=True)
    bad = run(data_dir, "search", "法治", "--filter", "colour=red")
    assert bad.exit_code != 0


def test_malformed_query_is_one_line_error(data_dir):
    result = run(data_dir, "search", "year:abc")
    assert result.exit_code == 1
    assert "查询有误" in result.output and "Traceback" not in result.output


def test_show_stats_cite_delete(data_dir):
    first = json.loads(run(data_dir, "search", "榆政办发〔2017〕46号", "--json").output)["hits"][0]
    shown = run(data_dir, "show", first["id"])
    assert shown.exit_code == 0 and "[1]" in shown.output
    stats = run(data_dir, "stats", "--json")
    assert json.loads(stats.output)["documents"] >= 5
    cited = run(data_dir, "cite", first["id"], "--paragraph", "2", "--accessed", "2026-11-22")
    assert cited.exit_code == 0
    assert "[EB" in cited.output and "第2段" in cited.output
    assert run(data_dir, "show", "0123456789abcdef").exit_code == 1


def test_delete(tmp_path):
    run(tmp_path, "index", str(ROOT / "seeds" / "000_853cefb50162a270.txt"), "--quiet")
    hit = json.loads(run(tmp_path, "search", "", "--json").output)["hits"][0]
    assert run(tmp_path, "delete", hit["id"]).exit_code == 0
    assert json.loads(run(tmp_path, "search", "", "--json").output)["total"] == 0


def test_console_script_help_lists_every_command():
    out = subprocess.run([sys.executable, "-m", "govsearch", "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("index", "search", "show", "stats", "delete", "cite", "extract", "crawl", "reindex", "serve"):
        assert command in out
    search_help = subprocess.run([sys.executable, "-m", "govsearch", "search", "--help"], capture_output=True,
                                 text=True, check=True).stdout
    assert "同句" in search_help and "year:2018..2021" in search_help


def test_show_prints_the_report_structure_and_section_search_works(data_dir):
    found = json.loads(run(data_dir, "search", "部分:不足 问题", "--json").output)
    titles = [h["title"] for h in found["hits"]]
    assert any(t.startswith("漳河新区") for t in titles)
    doc_id = next(h["id"] for h in found["hits"] if h["title"].startswith("漳河新区"))
    shown = run(data_dir, "show", doc_id)
    assert "报告结构：有 举措和成效、不足和原因、下一年度安排；未检出 第一责任人履职、其他情况" in shown.output
    data = json.loads(run(data_dir, "show", doc_id, "--json").output)
    assert data["outline"]["missing"] == ["第一责任人履职", "其他情况"]
    bad = run(data_dir, "search", "部分:量子 问题")
    assert bad.exit_code != 0 and "未知的报告部分" in bad.output
