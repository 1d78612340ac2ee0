"""Every package the code imports is declared in setup.py's install_requires (issue 15).

A plain ``pip install govsearch`` must run every command and page: an import that only works
because a test or bench extra (or a dependency of a dependency) happens to be installed is a
bug for the user. Read offline from the source: every top-level import of the project's own
packages, mapped to its distribution, must be in install_requires (never only in an extra).
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("govsearch", "indexer", "extract", "archive", "crawl", "research", "webui")


def _requirements() -> tuple[set[str], set[str]]:
    """(install_requires names, extras names), normalised, read from setup.py's AST."""
    tree = ast.parse((ROOT / "setup.py").read_text(encoding="utf-8"))
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "setup")
    kwargs = {k.arg: k.value for k in call.keywords}

    def names(node: ast.AST) -> set[str]:
        return {_canonical(re.split(r"[<>=!~\[;]", ast.literal_eval(n))[0]) for n in ast.walk(node)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)}

    return names(kwargs["install_requires"]), names(kwargs["extras_require"])


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower().strip()


def _imports() -> dict[str, set[str]]:
    """Top-level module names imported anywhere in the project's packages → the files."""
    found: dict[str, set[str]] = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Import):
                    tops = [a.name.split(".")[0] for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    tops = [node.module.split(".")[0]]
                else:
                    continue
                for top in tops:
                    found.setdefault(top, set()).add(str(path.relative_to(ROOT)))
    return found


def test_every_imported_package_is_an_install_requirement() -> None:
    required, _extras = _requirements()
    distributions = importlib.metadata.packages_distributions()
    missing = {}
    for module, files in _imports().items():
        if module in sys.stdlib_module_names or module in PACKAGES or module == "__future__":
            continue
        dists = {_canonical(d) for d in distributions.get(module, [module])}
        if not dists & required:
            missing[module] = sorted(files)[:3]
    assert not missing, f"imported but not in install_requires: {missing}"


def test_every_requirement_has_a_lower_bound() -> None:
    text = (ROOT / "setup.py").read_text(encoding="utf-8")
    block = text[text.index("install_requires"): text.index("extras_require")]
    for requirement in re.findall(r'"([^"]+)"', block):
        assert ">=" in requirement, f"{requirement} has no lower bound"
