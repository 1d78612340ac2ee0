"""Shared fixtures: a seeds index built once per session, a factory for small indexes, and the
system Chromium for every browser suite (never ``playwright install``)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from indexer.document import Document, make_id
from indexer.whoosh_backend import WhooshBackend

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

os.environ.setdefault("GOVSEARCH_DATA", str(ROOT / "index_data"))


def make_doc(source: str, title: str, paragraphs: Iterable[str], **fields) -> Document:
    return Document(id=make_id(source), title=title, source=source, paragraphs=list(paragraphs), **fields)


@pytest.fixture
def backend_factory(tmp_path: Path) -> Callable[..., WhooshBackend]:
    """Build a one-process backend over the given documents in a fresh folder."""
    created: list[WhooshBackend] = []

    def build(docs: Iterable[Document] = (), name: str = "ix") -> WhooshBackend:
        backend = WhooshBackend(tmp_path / name, workers=1)
        docs = list(docs)
        if docs:
            report = backend.add(docs)
            assert not report.failed, report.failed
        created.append(backend)
        return backend

    yield build
    for backend in created:
        backend.close()


@pytest.fixture(scope="session")
def seed_docs() -> list[Document]:
    from extract.dispatch import load_file

    assert len(SEEDS) == 5, "seeds/ must hold the five seed documents"
    return [load_file(p) for p in SEEDS]


@pytest.fixture(scope="session")
def seed_index(seed_docs, tmp_path_factory) -> WhooshBackend:
    backend = WhooshBackend(tmp_path_factory.mktemp("seeds"), workers=2)
    report = backend.add(seed_docs)
    assert report.added == 5 and not report.failed
    yield backend
    backend.close()


# ----------------------------------------------------------------------------- the browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
IN_CI = os.environ.get("CI", "").lower() == "true"


def browser_unavailable(reason: str) -> None:
    """Skip with the reason, except under CI=true, where browser tests must run."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: the browser tests must run in CI)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def playwright_api():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("playwright is not installed (pip install -e '.[test]')")
    if not CHROMIUM.exists():
        browser_unavailable(f"{CHROMIUM} is missing (apt-get install chromium fonts-noto-cjk)")
    with sync_playwright() as api:
        yield api


@pytest.fixture(scope="module")
def browser(playwright_api):
    browser = playwright_api.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()
