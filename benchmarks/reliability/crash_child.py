"""Child process of the crash loop: index a folder the way ``govsearch index`` does, and say so.

It loads every file with ``extract.dispatch.load_file`` and calls ``WhooshBackend.add`` exactly
as the CLI does, but hooks the backend's commit so that it prints, on stdout and flushed:

    BEGIN <n>          a commit of n new documents is starting (Whoosh writes, merges, renames)
    COMMITTED <ids>    the commit returned: these ids are durable (comma-separated)
    PROGRESS <n>       n files have been analysed so far
    DONE <added> <updated> <unchanged> <failed>
    TOTALS <json>      with --report-queries: each query's total in the generation just committed
                       (and once at the start), for the concurrent-load check

The parent kills this process with SIGKILL at random moments and then checks that every id
it saw after COMMITTED is still in the index: a commit that was reported must never be lost.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from extract.dispatch import load_file  # noqa: E402
from extract.errors import LoadError  # noqa: E402
from indexer.api import SearchRequest  # noqa: E402
from indexer.whoosh_backend import WhooshBackend  # noqa: E402


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


class RecordingWriter:
    """A Whoosh writer proxy that remembers which ids were added since its last commit."""

    def __init__(self, writer: Any) -> None:
        self._writer = writer
        self.ids: list[str] = []

    def add_document(self, **fields: Any) -> None:
        self._writer.add_document(**fields)
        self.ids.append(fields["id"])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._writer, name)


def report_commits(backend: WhooshBackend, after_commit: Any = None) -> None:
    """Make every commit of ``backend`` say BEGIN before and COMMITTED after.

    Hooks the backend's own commit (``IndexWriter._commit`` in indexer/writer.py: Whoosh's segment writing and
    merging, the text and word indexes, the TOC), so a kill between the two lines lands
    inside the commit."""
    original_writer = backend.ix.writer
    backend.ix.writer = lambda *a, **k: RecordingWriter(original_writer(*a, **k))  # type: ignore[method-assign]
    original_commit = backend._writer._commit

    def commit(writer: Any, *args: Any, **kwargs: Any) -> None:
        ids = writer.ids if isinstance(writer, RecordingWriter) else []
        say(f"BEGIN {len(ids)}")
        original_commit(writer, *args, **kwargs)
        say("COMMITTED " + ",".join(ids))
        if after_commit:
            after_commit()

    backend._writer._commit = commit  # type: ignore[method-assign]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True, help="folder of .txt dumps")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--report-queries", help="JSON list of queries whose totals to print per commit")
    args = parser.parse_args(argv)
    queries = json.loads(args.report_queries) if args.report_queries else []

    files = sorted(args.corpus.glob("*.txt"))
    backend = WhooshBackend(args.data_dir, workers=args.workers)

    def report_totals() -> None:
        if not queries:
            return
        backend._checked = 0.0  # see the generation this process just committed, now
        totals = {q: backend.search(SearchRequest(query=q, limit=0, facets=False)).total for q in queries}
        say("TOTALS " + json.dumps(totals, ensure_ascii=False))

    report_totals()
    report_commits(backend, report_totals)
    seen = 0

    def progress(n: int) -> None:
        nonlocal seen
        seen += n
        say(f"PROGRESS {seen}")

    failed: list[str] = []

    def documents():
        for f in files:
            try:
                yield load_file(f)
            except LoadError as exc:
                failed.append(f"{f}: {exc}")

    report = backend.add(documents(), progress=progress, batch_size=args.batch_size)
    backend.close()
    say(f"DONE {report.added} {report.updated} {report.unchanged} {len(report.failed) + len(failed)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
