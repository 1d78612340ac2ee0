"""Concurrent load: N clients search ``govsearch serve`` for D seconds while an index run commits.

Why: dozens of colleagues search while the nightly crawl writes into the same data directory.
Every request must succeed, and no reader may ever see a half-written index.

What it does, all on 127.0.0.1 with a free port:

1. generates a corpus (``benchmarks/corpus.py``), indexes the first part;
2. starts the real server, ``python -m govsearch --data-dir D serve --port P``;
3. starts ``crash_child.py`` on the second part (the CLI's indexing path, small batches) with
   ``--report-queries``: after every commit it prints the totals of the watched queries in the
   generation it just committed;
4. runs ``--clients`` threads (one keep-alive connection each) for ``--seconds``: JSON API
   searches for the watched queries and for other queries, pages, sorts and filters, plus the
   HTML results page and reading view now and then.

Checks: HTTP status 200 for every request (errors = anything else, or a broken connection);
every total of a watched query is one of the committed generations' totals (a torn read would
give some other number), and no client ever sees a watched query's total go down.

Usage (the row in docs/reliability.md)::

    .venv/bin/python benchmarks/reliability/load_test.py --clients 50 --seconds 60 --seed 1
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PYTHON = sys.executable
CHILD = Path(__file__).with_name("crash_child.py")
WATCHED = ["法治", "行政复议", "依法行政 OR 规范性文件", "\"行政执法\" -信访", "同句(行政复议 应诉)"]
OTHER = ["法治政府建设", "title:报告", "year:2019..2022 行政", "publisher:司法局", "region:河北", "执法 监督",
         "(复议 OR 诉讼) 败诉", "人民政府", "合法性审查", "年度"]


@dataclass
class LoadReport:
    clients: int = 0
    seconds: float = 0.0
    requests: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    commits_during_load: int = 0
    documents_before: int = 0
    documents_after: int = 0
    torn_reads: int = 0  # a watched total that no committed generation had
    decreasing_totals: int = 0
    torn_samples: list[str] = field(default_factory=list)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def write_corpus(folder: Path, docs) -> None:
    from benchmarks.corpus import as_text_dump

    folder.mkdir(parents=True, exist_ok=True)
    for i, doc in enumerate(docs):
        (folder / f"{i:06d}.txt").write_text(as_text_dump(doc), encoding="utf-8")


def wait_for_server(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/stats")
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not answer in time")


class Client(threading.Thread):
    def __init__(self, n: int, port: int, stop_at: float, seed: int, doc_ids: list[str]) -> None:
        super().__init__(daemon=True)
        self.rng = random.Random(f"{seed}:{n}")
        self.port = port
        self.stop_at = stop_at
        self.doc_ids = doc_ids
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.watched_seen: list[tuple[str, int]] = []
        self.conn: http.client.HTTPConnection | None = None

    def path(self) -> tuple[str, str | None]:
        r = self.rng.random()
        if r < 0.5:
            q = self.rng.choice(WATCHED)
            return "/api/search?" + urlencode({"q": q}), q
        if r < 0.8:
            params = {"q": self.rng.choice(OTHER)}
            if self.rng.random() < 0.3:
                params["page"] = str(self.rng.randint(1, 5))
            if self.rng.random() < 0.3:
                params["sort"] = self.rng.choice(["-date", "date"])
            if self.rng.random() < 0.2:
                params["year"] = str(self.rng.randint(2015, 2024))
            return "/api/search?" + urlencode(params), None
        if r < 0.93 or not self.doc_ids:
            return "/search?" + urlencode({"q": self.rng.choice(OTHER + WATCHED)}), None
        return f"/doc/{self.rng.choice(self.doc_ids)}", None

    def run(self) -> None:
        while time.monotonic() < self.stop_at:
            path, watched = self.path()
            started = time.perf_counter()
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.conn.request("GET", path)
                response = self.conn.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if response.status != 200:
                    self.errors.append(f"{response.status} {path}: {body[:200]!r}")
                    continue
                if watched is not None:
                    self.watched_seen.append((watched, json.loads(body)["total"]))
                self.latencies.append(elapsed)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                self.errors.append(f"{type(exc).__name__} {path}: {exc}")
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
        if self.conn is not None:
            self.conn.close()


def run_load(work: Path, *, clients: int, seconds: float, n_initial: int, n_during: int, batch_size: int,
             seed: int, workers: int = 1, log=print) -> LoadReport:
    from benchmarks.corpus import generate
    from indexer.whoosh_backend import WhooshBackend

    docs = list(generate(n_initial + n_during, seed))
    write_corpus(work / "initial", docs[:n_initial])
    write_corpus(work / "during", docs[n_initial:])
    data_dir = work / "data"
    init = subprocess.run([PYTHON, "-m", "govsearch", "--data-dir", str(data_dir), "index", str(work / "initial"),
                           "--quiet", "--workers", str(workers)], capture_output=True, text=True, cwd=ROOT)
    if init.returncode != 0:
        raise RuntimeError(f"initial index failed: {init.stdout} {init.stderr}")
    backend = WhooshBackend(data_dir, readonly=True, workers=1)
    doc_ids = [d.id for d in backend.iter_documents()][:200]
    report = LoadReport(clients=clients, documents_before=backend.stats()["documents"])
    backend.close()

    port = free_port()
    server_log = (work / "server.log").open("w")
    server = subprocess.Popen([PYTHON, "-m", "govsearch", "--data-dir", str(data_dir), "serve", "--port", str(port)],
                              stdout=server_log, stderr=subprocess.STDOUT, cwd=ROOT)
    indexer: subprocess.Popen | None = None
    try:
        wait_for_server(port, server)
        indexer = subprocess.Popen(
            [PYTHON, str(CHILD), "--data-dir", str(data_dir), "--corpus", str(work / "during"),
             "--workers", str(workers), "--batch-size", str(batch_size),
             "--report-queries", json.dumps(WATCHED, ensure_ascii=False)],
            stdout=subprocess.PIPE, stderr=(work / "indexer.err").open("w"), text=True, cwd=ROOT,
        )
        generations: dict[str, set[int]] = {q: set() for q in WATCHED}
        commits = 0
        first_totals = threading.Event()

        def read_indexer() -> None:
            nonlocal commits
            assert indexer is not None and indexer.stdout is not None
            for line in indexer.stdout:
                word, _, rest = line.strip().partition(" ")
                if word == "TOTALS":
                    for q, total in json.loads(rest).items():
                        generations[q].add(total)
                    first_totals.set()
                elif word == "COMMITTED":
                    commits += 1

        reader = threading.Thread(target=read_indexer, daemon=True)
        reader.start()
        first_totals.wait(timeout=120)
        started = time.monotonic()
        stop_at = started + seconds
        threads = [Client(i, port, stop_at, seed, doc_ids) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        report.commits_during_load = commits
        indexer.terminate()  # the load is over; the rest of the run proves nothing new
        indexer.wait(timeout=60)
        reader.join(timeout=10)
    finally:
        if indexer is not None and indexer.poll() is None:
            indexer.kill()
            indexer.wait()
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server_log.close()

    latencies = [ms for t in threads for ms in t.latencies]
    errors = [e for t in threads for e in t.errors]
    report.seconds = round(elapsed, 1)
    report.requests = len(latencies) + len(errors)
    report.errors = len(errors)
    report.error_samples = errors[:5]
    report.requests_per_second = round(report.requests / elapsed, 1)
    report.p50_ms = round(percentile(latencies, 0.50), 1)
    report.p95_ms = round(percentile(latencies, 0.95), 1)
    report.p99_ms = round(percentile(latencies, 0.99), 1)
    report.max_ms = round(max(latencies, default=0.0), 1)
    for t in threads:
        last: dict[str, int] = {}
        for q, total in t.watched_seen:
            if total not in generations[q]:
                report.torn_reads += 1
                if len(report.torn_samples) < 5:
                    report.torn_samples.append(f"{q}: total {total} not in {sorted(generations[q])}")
            if total < last.get(q, -1):
                report.decreasing_totals += 1
            last[q] = total
    backend = WhooshBackend(data_dir, readonly=True, workers=1)
    report.documents_after = backend.stats()["documents"]
    backend.close()
    log(json.dumps(asdict(report), ensure_ascii=False, indent=2))
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="concurrent searches against govsearch serve while indexing")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--initial", type=int, default=500, help="documents indexed before the load starts")
    parser.add_argument("--during", type=int, default=1000, help="documents indexed while the load runs")
    parser.add_argument("--batch-size", type=int, default=25, help="documents per commit of the concurrent run")
    parser.add_argument("--workers", type=int, default=1, help="analysis processes of the concurrent index run")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--work", type=Path)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="load-test-"))
    try:
        report = run_load(work, clients=args.clients, seconds=args.seconds, n_initial=args.initial,
                          n_during=args.during, batch_size=args.batch_size, seed=args.seed, workers=args.workers)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(asdict(report), ensure_ascii=False, indent=2), encoding="utf-8")
    return 1 if report.errors or report.torn_reads or report.decreasing_totals else 0


if __name__ == "__main__":
    raise SystemExit(main())
