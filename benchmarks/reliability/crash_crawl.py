"""Crash loop for the crawler: kill -9 ``crawl.runner`` at random moments, ``--resume``, repeat.

Against the two fixture government sites of tests/fixtures/sites (TRS + Hanweb styles, 11
reports, pagination, dataproxy POSTs, a PDF attachment, a republished copy), each round:

* starts the crawler process (the first round fresh, later rounds with ``resume=True``, as
  ``govsearch crawl --resume`` does), waits until the sites have answered a random number of
  requests (plus 0–0.3 s), sends SIGKILL;
* opens the index: it must open, every document present after the previous kill must still
  be there (a committed document is never lost), and no document may be stored twice;
* when a run finishes before its kill, all 11 reports must be indexed; the next round starts
  over in a fresh data directory.

At the end a last ``resume`` run completes the interrupted crawl and all reports must be in.

Usage (the row in docs/reliability.md)::

    .venv/bin/python benchmarks/reliability/crash_crawl.py --kills 20 --seed 1
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
for extra in (ROOT, ROOT / "tests"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

REPORTS = ("r1", "r2", "r3", "r4", "r5", "r7", "b1", "b2", "b3", "b4", "b6")


@dataclass
class CrawlCrashReport:
    kills: int = 0
    runs: int = 0
    completed_runs: int = 0
    failures: list[str] = field(default_factory=list)
    lost_documents: int = 0
    duplicate_documents: int = 0
    final_reports_indexed: int = 0
    expected_reports: int = len(REPORTS)
    seconds: float = 0.0


def _documents(data_dir: Path) -> list[str]:
    from indexer import open_index

    index = open_index(data_dir, readonly=True)
    try:
        return [d.id for d in index.iter_documents()]
    finally:
        index.close()


def crawl_crash_loop(work: Path, *, kills: int, seed: int, requests_per_crawl: int = 40, log=print) -> CrawlCrashReport:
    from fixtures.sites.sites import build

    from crawl.runner import run_crawl_subprocess, start_crawl_subprocess, write_options
    from crawl.settings import CrawlOptions
    from indexer.document import make_id

    rng = random.Random(seed)
    report = CrawlCrashReport()
    started = time.monotonic()
    cycle = 0
    fx = build()
    try:
        def options_for(data_dir: Path, resume: bool) -> CrawlOptions:
            return CrawlOptions(seeds=[fx.a.url("/fzzf/index.html"), fx.b.url("/col/col100/index.html")],
                                data_dir=data_dir, delay=0.05, max_size=1024 * 1024, progress=False,
                                batch_size=1, resume=resume)

        data_dir = work / f"data-{cycle}"
        data_dir.mkdir(parents=True)
        before: set[str] = set()
        fresh = True
        while report.kills < kills:
            options = options_for(data_dir, resume=not fresh)
            # Kill after a random number of requests reached the sites (plus a little), so the
            # kills land while pages are fetched, parsed, archived and committed, not during start-up.
            target = rng.randint(1, requests_per_crawl)
            seen = threading.Semaphore(0)

            def count(_entry, seen=seen) -> None:
                seen.release()

            fx.a.on_request = fx.b.on_request = count
            proc = start_crawl_subprocess(write_options(options, work / "options.json"))
            report.runs += 1
            extra = rng.uniform(0.0, 0.3)
            finished = False
            got = 0
            deadline = time.monotonic() + 300
            while got < target and proc.poll() is None and time.monotonic() < deadline:
                if seen.acquire(timeout=0.05):
                    got += 1
            if proc.poll() is None:
                time.sleep(extra)
            if proc.poll() is None:
                proc.kill()
            else:
                finished = True
            proc.communicate()
            fx.a.on_request = fx.b.on_request = None
            ids = _documents(data_dir)
            now = set(ids)
            lost = before - now
            duplicates = len(ids) - len(now)
            report.lost_documents += len(lost)
            report.duplicate_documents += duplicates
            problems = []
            if lost:
                problems.append(f"{len(lost)} documents lost")
            if duplicates:
                problems.append(f"{duplicates} stored twice")
            if finished:
                if proc.returncode != 0:
                    problems.append(f"crawler exited {proc.returncode}")
                missing = [n for n in REPORTS if make_id(fx.reports[n]) not in now]
                if missing:
                    problems.append(f"finished without {missing}")
                report.completed_runs += 1
                what = "completed run"
            else:
                report.kills += 1
                what = f"kill {report.kills} after request {target} +{extra:.2f}s"
            report.failures += [f"{what}: {p}" for p in problems]
            log(f"{what}: {len(now)} documents (before {len(before)}){'; PROBLEMS: ' + '; '.join(problems) if problems else ''}")
            before = now
            fresh = False
            if finished:
                fx.stop()
                fx = build()
                cycle += 1
                data_dir = work / f"data-{cycle}"
                data_dir.mkdir(parents=True)
                before, fresh = set(), True
        if not fresh:
            summary = run_crawl_subprocess(options_for(data_dir, resume=True), timeout=600)
            ids = _documents(data_dir)
            now = set(ids)
            report.lost_documents += len(before - now)
            report.duplicate_documents += len(ids) - len(now)
            report.final_reports_indexed = sum(make_id(fx.reports[n]) in now for n in REPORTS)
            if summary.get("reason") != "finished" or report.final_reports_indexed != len(REPORTS):
                report.failures.append(f"final resume: {summary.get('reason')}, "
                                       f"{report.final_reports_indexed}/{len(REPORTS)} reports")
            log(f"final resume: {summary.get('reason')}, {len(now)} documents")
    finally:
        fx.stop()
    report.seconds = round(time.monotonic() - started, 1)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="kill -9 the crawler at random moments, resume, check the index")
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--requests", type=int, default=40,
                        help="kill after a random number of site requests up to this (a full crawl makes ~40)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="crash-crawl-"))
    try:
        report = crawl_crash_loop(work, kills=args.kills, seed=args.seed, requests_per_crawl=args.requests,
                                  log=lambda s: print(s, flush=True))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(asdict(report), ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(asdict(report), ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if report.failures or report.lost_documents else 0


if __name__ == "__main__":
    raise SystemExit(main())
