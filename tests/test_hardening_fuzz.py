"""Hostile input, fuzzed: every entry point answers with a result or its own one-line error.

Few examples each here (``make test``); benchmarks/reliability/fuzz_long.py runs ≥ 10,000 per
target with a time bound per input. Generators and contracts: benchmarks/reliability/fuzz_targets.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.reliability import fuzz_targets as targets  # noqa: E402
from tests.conftest_webui import build_seeded_index  # noqa: E402

FAST = settings(max_examples=120, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.large_base_example])


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return build_seeded_index(tmp_path_factory.mktemp("fuzz-index"))


@pytest.fixture(scope="module")
def backend(seeded):
    from indexer import open_index

    backend = open_index(seeded.data_dir, readonly=True)
    yield backend
    backend.close()


@pytest.fixture(scope="module")
def client(seeded):
    from webui import create_app

    app = create_app(seeded.data_dir)
    return app.test_client()


@FAST
@given(targets.query_strategy())
def test_query_parser_answers_or_raises_a_one_line_query_error(text):
    assert targets.check_query(text) is None


@pytest.mark.parametrize("text", [
    "(" * 10_000, ")" * 10_000, '"' * 10_001, "*" * 10_000, "?" * 10_000, "法" * 10_000,
    "(" * 500 + "法治" + ")" * 500, "同句(" * 200, "NOT " * 2000, "a OR " * 2000, "\x00" * 999,
    "title:" * 300, "year:..", "date:2021-02-30..2021-13-01", "同句()", "同段(法治)", '"', "-", "()",
])
def test_named_hostile_queries(backend, text):
    assert targets.check_query(text) is None
    assert targets.check_search(backend, text) is None


@FAST
@given(targets.query_strategy())
def test_full_search_answers_or_raises_a_one_line_query_error(backend, text):
    assert targets.check_search(backend, text) is None


@FAST
@given(targets.dump_strategy())
def test_text_dump_parser_never_raises(text):
    assert targets.check_text_dump(text) is None


@FAST
@given(targets.dump_bytes_strategy())
def test_text_dump_loader_gives_a_document_or_a_load_error(tmp_path_factory, data):
    assert targets.check_dump_file(tmp_path_factory.mktemp("dump"), data) is None


@FAST
@given(targets.html_strategy(), st.sampled_from(["utf-8", "gb18030", "utf-16"]))
def test_cleaner_on_generated_html(html, encoding):
    assert targets.check_clean(html.encode(encoding, errors="replace")) is None


@FAST
@given(st.binary(max_size=4000))
def test_cleaner_on_raw_bytes(data):
    assert targets.check_clean(data) is None


@pytest.mark.parametrize("name,data", [p for p in targets.hostile_pages()
                                       if p[0] not in ("200k tiny paragraphs", "200k links")],
                         ids=lambda v: v if isinstance(v, str) else "")
def test_cleaner_on_named_hostile_pages(name, data):
    assert targets.check_clean(data) is None


@pytest.fixture(scope="module")
def pdf_bytes() -> bytes:
    return targets.sample_pdf()


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return targets.sample_docx()


@settings(FAST, max_examples=60)
@given(data=st.data())
def test_truncated_and_mutated_pdfs(pdf_bytes, data):
    assert targets.check_attachment(data.draw(targets.mutated(pdf_bytes)), "pdf") is None


@settings(FAST, max_examples=60)
@given(data=st.data())
def test_truncated_and_mutated_docx(docx_bytes, data):
    assert targets.check_attachment(data.draw(targets.mutated(docx_bytes)), "docx") is None


def test_every_truncation_point_of_a_pdf(pdf_bytes):
    problems = [(i, p) for i in range(0, len(pdf_bytes), 7)
                if (p := targets.check_attachment(pdf_bytes[:i], "pdf")) is not None]
    assert problems == []


@pytest.mark.parametrize("lie", [False, True], ids=["honest-sizes", "lying-sizes"])
def test_zip_bomb_disguised_as_docx(lie):
    bomb = targets.zip_bomb_docx(300, lie=lie)
    assert targets.check_attachment(bomb, "docx") is None
    assert targets.check_clean(bomb, url="https://www.example.gov.cn/files/report.docx") is None


@settings(FAST, max_examples=200)
@given(data=st.data())
def test_web_app_never_answers_500(client, seeded, data):
    ids = [*seeded.seed_ids[:2], seeded.hostile_id, "0123456789abcdef"]
    path, params = data.draw(targets.web_request_strategy(ids))
    assert targets.check_web(client, path, params) is None


@pytest.mark.parametrize("value", ["¹", "②", "٣", "１", "1²", "\x00", "9" * 40])
@pytest.mark.parametrize("kind", ["page", "api"])
def test_paragraph_number_that_isdigit_but_not_int_is_not_a_500(client, seeded, kind, value):
    """Regression (fuzz, web target): ``/doc/<id>/cite?p=¹`` was a 500, since '¹'.isdigit()
    is true but int('¹') raises ValueError."""
    path = f"/doc/{seeded.hostile_id}/cite" if kind == "page" else f"/api/cite/{seeded.hostile_id}"
    response = client.get(path, query_string={"p": value})
    assert response.status_code in (400, 404)


@pytest.mark.parametrize("entry", ["infer_doc_type", "parse_text_dump", "clean_bytes"])
def test_a_title_ending_in_a_long_digit_run_does_not_hang(entry):
    title = "关于" + "1" * 40 + "x"
    calls = {
        "infer_doc_type": f"from extract.metadata import infer_doc_type; infer_doc_type({title!r})",
        "parse_text_dump": f"from extract.textdump import parse_text_dump; parse_text_dump({title!r}, 'x')",
        "clean_bytes": ("from extract.clean import clean_bytes; clean_bytes("
                        f"'<html><head><meta charset=utf-8><title>{title}</title></head><body><div id=zoom>"
                        + "<p>为深入贯彻落实法治政府建设实施纲要，现将我县法治政府建设情况报告如下。</p>" * 5
                        + "</div></body></html>'.encode(), url='https://www.example.gov.cn/art/2021/3/1/a.html')"),
    }
    # A hang guard, not a speed target: the call takes microseconds once the regex is linear.
    subprocess.run([sys.executable, "-c", calls[entry]], cwd=ROOT, timeout=5, check=True,
                   capture_output=True)
