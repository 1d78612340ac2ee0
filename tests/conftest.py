"""Shared fixtures: a seeds index built once per session, and a factory for small indexes."""

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
