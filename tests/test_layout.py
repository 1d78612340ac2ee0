"""The package layout holds: imports flow one way and extraction never needs Scrapy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OURS = ("indexer", "extract", "archive", "crawl", "research", "webui", "govsearch")
#: package → the packages of ours it may import (docs/architecture.md, "imports").
ALLOWED = {
    "indexer": {"indexer"},
    "archive": {"archive"},
    "extract": {"extract", "indexer"},
    "crawl": {"crawl", "archive", "extract", "indexer"},
    "research": {"research", "indexer", "extract"},
    "webui": {"webui", "indexer", "archive", "extract", "research"},
    "govsearch": set(OURS),
}


def imported_packages(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found & set(OURS)


def test_imports_flow_one_way() -> None:
    wrong = []
    for package, allowed in ALLOWED.items():
        for path in sorted((ROOT / package).rglob("*.py")):
            extra = imported_packages(path) - allowed
            if extra:
                wrong.append(f"{path.relative_to(ROOT)} imports {sorted(extra)}")
    assert not wrong, "\n".join(wrong)


def test_crawl_modules_have_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {}
    for path in (ROOT / "crawl").glob("*.py"):
        module = f"crawl.{path.stem}"
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("crawl."):
                deps.add(node.module)
            elif isinstance(node, ast.ImportFrom) and node.module == "crawl":
                deps.update(f"crawl.{alias.name}" for alias in node.names)
        graph[module] = deps

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        return any(dep == target or (dep not in seen and reaches(dep, target, seen | {dep}))
                   for dep in graph.get(start, ()))

    cycles = [m for m in graph if reaches(m, m, {m})]
    assert not cycles, f"import cycles through {sorted(cycles)}"


def loaded_after(work: str, modules: tuple[str, ...]) -> list[str]:
    """Which of ``modules`` a fresh Python process has loaded after running ``work``."""
    code = f"import sys\n{work}\nprint(sorted(m for m in {modules!r} if m in sys.modules))\n"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return ast.literal_eval(out.stdout.strip().splitlines()[-1])


def test_extraction_never_imports_scrapy(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("某县2020年度法治政府建设情况报告\n2020年，我县坚持依法行政。\n", encoding="utf-8")
    work = (
        "from extract import extract_file\n"
        f"result = extract_file({str(page)!r})\n"
        "assert result.document is not None, result.reason"
    )
    assert loaded_after(work, ("scrapy",)) == []


def test_a_searching_process_never_imports_datasketch(tmp_path: Path) -> None:
    """datasketch imports SciPy (~30 MB of the serving process's own memory, ~0.35 s a CLI
    call); only indexing computes MinHash signatures, so searching must not load it."""
    from indexer import open_index
    from indexer.document import Document

    data = tmp_path / "data"
    backend = open_index(data)
    backend.add([Document(id="d1", title="某县2020年度法治政府建设情况报告", source="https://example.gov.cn/1",
                          paragraphs=["2020年，我县坚持依法行政。" * 30])])
    backend.close()
    work = (
        "import webui, govsearch.cli\n"
        "from indexer import open_index\n"
        "from indexer.api import SearchRequest\n"
        f"b = open_index({str(data)!r})\n"
        "assert b.search(SearchRequest(query='依法行政')).total == 1"
    )
    assert loaded_after(work, ("datasketch", "scipy")) == []
