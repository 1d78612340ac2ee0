"""Crash safety of indexing: kill -9 at random points, nothing reported committed is lost.

The fast version of benchmarks/reliability/crash_index.py (which does ≥ 20 kills over 600+
documents; figures in docs/reliability.md).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.reliability.crash_index import (  # noqa: E402
    CHILD,
    _holds_write_lock,
    _session_processes,
    crash_loop,
    make_corpus,
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return make_corpus(tmp_path_factory.mktemp("crash-corpus"), 60, seed=5)


def test_power_cut_during_indexing_loses_no_committed_document(corpus: Path, tmp_path: Path):
    """Three SIGKILLs of the whole run (adding, committing), then the CLI completes the job."""
    report = crash_loop(corpus, tmp_path, kills=3, seed=11, workers=2, batch_size=10, log=lambda s: None)
    assert report.kills == 3
    assert report.commits_reported > 0  # the child reports its commits (else nothing is checked)
    assert report.failures == []
    assert report.lost_documents == 0
    assert report.duplicate_documents == 0
    assert report.final_documents == report.expected_documents == 60


def test_killing_the_main_indexing_process_leaves_no_lock_holder(corpus: Path, tmp_path: Path):
    data_dir = tmp_path / "data"
    child = subprocess.Popen(
        [sys.executable, str(CHILD), "--data-dir", str(data_dir), "--corpus", str(corpus),
         "--workers", "2", "--batch-size", "1000"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True, cwd=ROOT,
    )
    try:
        # Wait until the indexing process holds the write lock (its worker processes are alive
        # too), then kill only the main process, as the OOM killer would. Regression: Whoosh's
        # parallel writer forked sub-writers that inherited the lock and kept it forever.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and child.poll() is None and not _holds_write_lock(child.pid):
            time.sleep(0.02)
        assert child.poll() is None, "the indexing run ended before it took the write lock"
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        deadline = time.monotonic() + 5
        holders = [pid for pid in _session_processes(child.pid) if _holds_write_lock(pid)]
        while holders and time.monotonic() < deadline:
            time.sleep(0.1)
            holders = [pid for pid in _session_processes(child.pid) if _holds_write_lock(pid)]
        assert holders == [], f"orphaned processes {holders} still hold the index write lock"
        # What a user sees: the next run gets the write lock at once.
        from indexer.whoosh_backend import WhooshBackend

        backend = WhooshBackend(data_dir, workers=1)
        try:
            backend.ix.writer(timeout=2.0).cancel()
        finally:
            backend.close()
    finally:
        for pid in _session_processes(child.pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if child.poll() is None:
            child.kill()
            child.wait()
