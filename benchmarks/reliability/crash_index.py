"""Crash loop: kill -9 an indexing run at random moments and check nothing committed is lost.

Why: a power cut or an OOM kill during a nightly index must leave an index that opens, that
still holds every document whose commit returned, whose write lock does not block the next
run, and that the same ``govsearch index`` command then completes.

Each round starts ``crash_child.py`` (the CLI's loading and ``WhooshBackend.add`` path, with a
writer proxy that prints ``COMMITTED <ids>`` after each commit), picks a kill moment at random
(while documents are being analysed and added, or a random delay after a commit began, i.e.
while Whoosh writes, merges and renames segments), sends SIGKILL to the child, then:

* kills whatever the child left behind (pool workers, Whoosh sub-writers) and counts them;
* opens the index in this process, runs a search, and checks every reported id is present;
* checks that ids are unique (no document indexed twice after a half-finished batch).

When a child finishes before its kill, the round verifies the full count and the next round
starts over in a fresh data directory, so the kills land across whole runs. At the end, the
real CLI (``python -m govsearch --data-dir D index CORPUS``) completes the job and the document
count is checked against the corpus.

Usage (the ≥ 20-kill run recorded in docs/reliability.md)::

    .venv/bin/python benchmarks/reliability/crash_index.py --kills 24 --n 1500 --seed 1
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CHILD = Path(__file__).with_name("crash_child.py")
PYTHON = sys.executable


@dataclass
class CrashReport:
    kills: int = 0
    child_runs: int = 0
    completed_runs: int = 0
    failures: list[str] = field(default_factory=list)
    lost_documents: int = 0
    duplicate_documents: int = 0
    lingering_processes: int = 0
    stale_lock_holders: int = 0  # leftover processes that still held the index write lock
    kills_while_adding: int = 0
    kills_while_committing: int = 0  # commit-targeted: a random delay after a commit began
    kills_inside_commit: int = 0  # landed between BEGIN and COMMITTED (Whoosh writing/merging/renaming)
    commits_reported: int = 0  # COMMITTED lines seen: without them the loss check proves nothing
    final_documents: int = 0
    expected_documents: int = 0
    seconds: float = 0.0


def expected_ids(corpus: Path) -> set[str]:
    from extract.dispatch import load_file

    return {load_file(p).id for p in sorted(corpus.glob("*.txt"))}


def _session_processes(sid: int) -> list[int]:
    """Processes still alive in the child's session (it was started with a new session)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getsid(int(entry.name)) == sid and int(entry.name) != os.getpid():
                stat = (entry / "stat").read_text()
                if stat.rsplit(")", 1)[1].split()[0] != "Z":
                    pids.append(int(entry.name))
        except (OSError, ProcessLookupError, IndexError):
            continue
    return pids


def _pump(stream, lines: queue.Queue) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def _holds_write_lock(pid: int) -> bool:
    try:
        return any(os.readlink(fd).endswith("_WRITELOCK") for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False


EXACTNESS_PROBES = ("法治政府", "治政", "行政复议", "出庭应诉率", "人民共和国", "政")


def verify(data_dir: Path, committed: set[str], everything: set[str]) -> tuple[list[str], int, int, int]:
    """Open the index after a crash: (problems, lost, duplicates, documents)."""
    from indexer.analysis import normalize
    from indexer.api import SearchRequest
    from indexer.whoosh_backend import WhooshBackend

    problems: list[str] = []
    try:
        backend = WhooshBackend(data_dir, readonly=True, workers=1)
    except Exception as exc:  # the whole point: report, do not stop the loop
        return [f"index does not open: {type(exc).__name__}: {exc}"], len(committed), 0, 0
    try:
        # Commit invariant: every committed segment has its position and word index on disk
        # (a reader would quietly rebuild a missing one; here that counts as a failure).
        for segment in backend.ix._segments():
            for suffix in (".gsx", ".gsw"):
                if not (backend.path / f"{segment.segment_id()}{suffix}").exists():
                    problems.append(f"segment {segment.segment_id()} has no {suffix} file")
        results = backend.search(SearchRequest(query="法治", limit=1, facets=False))
        everything_total = backend.search(SearchRequest(query="", limit=0, facets=False, collapse=False)).total
        stats = backend.stats()
        present = {doc.id for doc in backend.iter_documents()}
        listed = [doc.id for doc in backend.iter_documents()]
        lost = len(committed - present)
        duplicates = len(listed) - len(set(listed))
        if lost:
            problems.append(f"{lost} committed documents missing, e.g. {sorted(committed - present)[:3]}")
        if duplicates:
            problems.append(f"{duplicates} documents stored twice")
        if present - everything:
            problems.append(f"{len(present - everything)} unknown ids in the index")
        if stats["documents"] != len(present) or everything_total != len(present):
            problems.append(f"counts disagree: stats {stats['documents']}, match-all {everything_total}, "
                            f"iterated {len(present)}")
        if present and results.total == 0:
            problems.append("search for 法治 finds nothing in a non-empty index")
        texts = {doc.id: normalize(doc.title) + "\0" + normalize(doc.body) for doc in backend.iter_documents()}
        for phrase in EXACTNESS_PROBES:  # the matching guarantee holds after a crash too
            found = backend.search(SearchRequest(query=f'"{phrase}"', limit=0, facets=False, collapse=False)).total
            expected = sum(1 for text in texts.values() if normalize(phrase) in text)
            if found != expected:
                problems.append(f"search for {phrase} finds {found} documents, brute force {expected}")
        return problems, lost, duplicates, len(present)
    except Exception as exc:
        return [f"search/verify failed: {type(exc).__name__}: {exc}"], len(committed), 0, 0
    finally:
        backend.close()


def crash_loop(corpus: Path, work: Path, *, kills: int, seed: int, workers: int = 2, batch_size: int = 100,
               commit_kill_share: float = 0.5, commit_kill_delay: float = 1.5, kill_scope: str = "group",
               log=print) -> CrashReport:
    """Run rounds until ``kills`` SIGKILLs have landed; see the module docstring."""
    rng = random.Random(seed)
    everything = expected_ids(corpus)
    report = CrashReport(expected_documents=len(everything))
    started = time.monotonic()
    cycle = 0
    data_dir = work / f"data-{cycle}"
    committed: set[str] = set()
    n_files = len(list(corpus.glob("*.txt")))
    while report.kills < kills:
        mode = "commit" if rng.random() < commit_kill_share else "adding"
        target_progress = rng.randint(1, n_files)
        target_commit = rng.randint(1, max(1, (n_files + batch_size - 1) // batch_size))
        delay = rng.uniform(0.0, commit_kill_delay) if mode == "commit" else rng.uniform(0.0, 0.05)
        stderr_path = work / f"child-{report.child_runs}.err"
        with stderr_path.open("w") as err:
            child = subprocess.Popen(
                [PYTHON, str(CHILD), "--data-dir", str(data_dir), "--corpus", str(corpus),
                 "--workers", str(workers), "--batch-size", str(batch_size)],
                stdout=subprocess.PIPE, stderr=err, text=True, start_new_session=True, cwd=ROOT,
            )
        report.child_runs += 1
        killed = threading.Event()
        timer: threading.Timer | None = None
        commits_open = {"begun": 0, "ended": 0, "at_kill": 0}

        def kill(child: subprocess.Popen = child, killed: threading.Event = killed, commits_open=commits_open) -> None:
            commits_open["at_kill"] = commits_open["begun"] - commits_open["ended"]
            killed.set()
            try:
                if kill_scope == "group":
                    os.killpg(child.pid, signal.SIGKILL)  # a power cut: every process at once
                else:
                    os.kill(child.pid, signal.SIGKILL)  # the OOM killer: the main process only
            except ProcessLookupError:
                pass

        # A reader thread: orphaned workers keep the pipe open, so EOF may never come.
        lines: queue.Queue[str | None] = queue.Queue()
        assert child.stdout is not None
        reader = threading.Thread(target=_pump, args=(child.stdout, lines), daemon=True)
        reader.start()
        begins = 0
        done = False
        exited_at: float | None = None
        while True:
            try:
                line = lines.get(timeout=0.1)
            except queue.Empty:
                if child.poll() is not None:
                    exited_at = exited_at or time.monotonic()
                    if time.monotonic() - exited_at > 0.5:
                        break
                continue
            if line is None:
                break
            word, _, rest = line.strip().partition(" ")
            if word == "COMMITTED":
                committed.update(x for x in rest.split(",") if x)
                commits_open["ended"] += 1
                report.commits_reported += 1
            elif word == "BEGIN":
                commits_open["begun"] += 1
            elif word == "DONE":
                done = True
            if timer is not None:
                continue
            if mode == "adding" and word == "PROGRESS" and int(rest) >= target_progress:
                timer = threading.Timer(delay, kill)
                timer.start()
            elif mode == "commit" and word == "BEGIN":
                begins += 1
                if begins >= target_commit:
                    timer = threading.Timer(delay, kill)
                    timer.start()
        rc = child.wait()
        if timer is not None:
            timer.cancel()
            timer.join()
        # Whatever the dead child left behind: pool workers, Whoosh sub-writers.
        deadline = time.monotonic() + 2.0
        leftovers = _session_processes(child.pid)
        while leftovers and time.monotonic() < deadline:
            time.sleep(0.05)
            leftovers = _session_processes(child.pid)
        lock_holders = [pid for pid in leftovers if _holds_write_lock(pid)]
        if leftovers:
            report.lingering_processes += len(leftovers)
            report.stale_lock_holders += len(lock_holders)
            for pid in leftovers:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        reader.join(timeout=5)
        child.stdout.close()
        if killed.is_set() and not done:
            report.kills += 1
            if commits_open["at_kill"]:
                report.kills_inside_commit += 1
            if mode == "commit":
                report.kills_while_committing += 1
            else:
                report.kills_while_adding += 1
            where = f"commit {target_commit}" if mode == "commit" else f"file {target_progress}"
            inside = ", inside the commit" if commits_open["at_kill"] else ""
            what = f"kill {report.kills} ({mode}, {where}, +{delay:.2f}s{inside})"
        elif not done:
            report.failures.append(f"child run {report.child_runs} exited {rc} without being killed: "
                                   + stderr_path.read_text()[-300:].strip().replace("\n", " | "))
            what = "failed run"
        else:  # finished (a kill that lands after DONE, during exit, changes nothing)
            report.completed_runs += 1
            what = "completed run"
        problems, lost, duplicates, present = verify(data_dir, committed, everything)
        if done and present != len(everything):
            problems.append(f"completed run left {present} of {len(everything)} documents")
        report.lost_documents += lost
        report.duplicate_documents += duplicates
        if lock_holders:
            problems.append(f"{len(lock_holders)} orphaned processes of the killed run still hold the write lock")
        report.failures += [f"{what}: {p}" for p in problems]
        log(f"{what}: {len(committed)} reported committed, {present} present, "
            f"leftover processes {len(leftovers)} (holding the write lock: {len(lock_holders)})"
            f"{'; PROBLEMS: ' + '; '.join(problems) if problems else ''}")
        if done:
            cycle += 1
            data_dir = work / f"data-{cycle}"
            committed = set()

    # The real command completes the job in the last (interrupted) data directory.
    cli = subprocess.run(
        [PYTHON, "-m", "govsearch", "--data-dir", str(data_dir), "index", str(corpus),
         "--batch-size", str(batch_size), "--workers", str(workers), "--quiet"],
        capture_output=True, text=True, cwd=ROOT, timeout=3600,
    )
    if cli.returncode != 0 or "失败 0" not in cli.stdout:
        report.failures.append(f"final govsearch index exited {cli.returncode}: {cli.stdout.strip()} {cli.stderr[-300:]}")
    problems, lost, duplicates, present = verify(data_dir, committed, everything)
    report.final_documents = present
    if present != len(everything):
        problems.append(f"final index holds {present} of {len(everything)} documents")
    report.failures += [f"final run: {p}" for p in problems]
    report.lost_documents += lost
    report.duplicate_documents += duplicates
    log(f"final govsearch index: {cli.stdout.strip()}; {present} documents")
    report.seconds = round(time.monotonic() - started, 1)
    return report


def make_corpus(folder: Path, n: int, seed: int) -> Path:
    from benchmarks.corpus import as_text_dump, generate

    folder.mkdir(parents=True, exist_ok=True)
    for i, doc in enumerate(generate(n, seed)):
        (folder / f"{i:06d}.txt").write_text(as_text_dump(doc), encoding="utf-8")
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kill -9 an indexing run at random points; check nothing committed is lost")
    parser.add_argument("--kills", type=int, default=24)
    parser.add_argument("--n", type=int, default=1500, help="documents in the generated corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--work", type=Path, help="working folder (default: a temporary one, removed)")
    parser.add_argument("--commit-share", type=float, default=0.5, help="share of kills aimed at a commit")
    parser.add_argument("--commit-delay", type=float, default=1.5, help="longest delay after a commit began (s)")
    parser.add_argument("--kill-scope", choices=("group", "main"), default="group",
                        help="group: SIGKILL every process of the run at once (power cut); "
                             "main: only the main process (OOM killer), workers are orphaned")
    parser.add_argument("--json", type=Path, help="write the report here as JSON")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="crash-index-"))
    try:
        corpus = make_corpus(work / "corpus", args.n, args.seed)
        report = crash_loop(corpus, work, kills=args.kills, seed=args.seed, workers=args.workers,
                            batch_size=args.batch_size, kill_scope=args.kill_scope,
                            commit_kill_share=args.commit_share, commit_kill_delay=args.commit_delay, log=lambda s: print(s, flush=True))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    summary = asdict(report)
    print(json.dumps(summary, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if report.failures or report.lost_documents else 0


if __name__ == "__main__":
    raise SystemExit(main())
