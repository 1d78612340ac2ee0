"""The capture index: a reader finds a cited capture by its hash, without the crawler's state."""

from __future__ import annotations

from pathlib import Path

from archive.captures import INDEX_NAME, find_capture, lookup, rebuild
from archive.warc import WarcRecorder, payload_sha256


def _record(warc_dir: Path, url: str, payload: bytes) -> None:
    recorder = WarcRecorder(warc_dir)
    recorder.write_exchange(url=url, method="GET", request_headers=[("Host", "example.gov.cn")],
                            request_body=b"", status=200,
                            response_headers=[("Content-Type", "text/html; charset=utf-8")],
                            payload=payload)
    recorder.close_all()


def test_recorder_indexes_each_response_and_find_capture_reads_it(tmp_path: Path) -> None:
    first, second = "<p>第一版</p>".encode(), "<p>第二版</p>".encode()
    _record(tmp_path, "https://www.example.gov.cn/a.html", first)
    _record(tmp_path, "https://www.example.gov.cn/a.html", second)
    refs = lookup(tmp_path, sha256=payload_sha256(first))
    assert [r.url for r in refs] == ["https://www.example.gov.cn/a.html"]
    capture = find_capture(tmp_path, sha256=payload_sha256(first), max_scan_bytes=0)
    assert capture is not None and capture.body == first
    capture = find_capture(tmp_path, sha256=payload_sha256(second), max_scan_bytes=0)
    assert capture is not None and capture.body == second
    assert find_capture(tmp_path, sha256="0" * 64, max_scan_bytes=0) is None


def test_an_archive_older_than_the_index_is_rebuilt_or_scanned(tmp_path: Path) -> None:
    payload = "<p>旧档案</p>".encode()
    _record(tmp_path, "https://www.example.gov.cn/old.html", payload)
    (tmp_path / INDEX_NAME).unlink()
    for leftover in tmp_path.glob(INDEX_NAME + "-*"):
        leftover.unlink()
    sha = payload_sha256(payload)
    assert lookup(tmp_path, sha256=sha) == []
    assert find_capture(tmp_path, sha256=sha, max_scan_bytes=0) is None  # too big to scan
    assert find_capture(tmp_path, sha256=sha).body == payload  # small: scanned
    assert rebuild(tmp_path) == 1
    assert find_capture(tmp_path, sha256=sha, max_scan_bytes=0).body == payload
