"""WARC captures: every request and response the crawler makes, kept forever.

Why: citations must survive pages being edited, moved or deleted, so the archive, not the
live site, is the source of truth; ``govsearch reindex`` rebuilds every document from these
files alone. Records are WARC/1.1 with SHA-256 block and payload digests (warcio's default is
SHA-1; a SHA-256 lets a citation quote the same hash as ``Document.capture_sha256``).

The payload is what the server sent after transfer decoding (Scrapy removes chunking) and
before content decoding, so ``Content-Encoding: gzip`` bodies stay gzipped, as in the wire.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

MAX_WARC_FILE = 1024 * 1024 * 1024  # rotate at 1 GiB, the usual WARC file size

# Headers that describe the transfer, not the payload we store.
_HOP_BY_HOP = {"transfer-encoding", "connection", "keep-alive"}


class _Sha256WARCWriter(WARCWriter):
    @staticmethod
    def _create_digester() -> Digester:
        return Digester("sha256")


def payload_sha256(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


@dataclass
class CaptureLocation:
    file: str  # file name inside the WARC directory
    offset: int


class WarcRecorder:
    """Appends request/response pairs to gzip WARC files under ``warc_dir``."""

    def __init__(self, warc_dir: str | Path, *, software: str = "govsearch",
                 max_file_size: int = MAX_WARC_FILE):
        self.dir = Path(warc_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.software = software
        self.max_file_size = max_file_size
        self._file: io.BufferedWriter | None = None
        self._writer: _Sha256WARCWriter | None = None
        self._name = ""
        self._serial = 0
        from archive.captures import CaptureIndex

        self._index = CaptureIndex(self.dir)

    def _open(self) -> None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S%f")
        self._serial += 1
        self._name = f"govsearch-{stamp}-{os.getpid()}-{self._serial:05d}.warc.gz"
        self._file = open(self.dir / (self._name + ".open"), "wb")  # noqa: SIM115 (kept open)
        self._writer = _Sha256WARCWriter(self._file, gzip=True, warc_version="1.1")
        info = self._writer.create_warcinfo_record(self._name, {
            "software": self.software,
            "format": "WARC File Format 1.1",
            "description": "govsearch crawl captures; reindex with `govsearch reindex`",
        })
        self._writer.write_record(info)

    def write_exchange(self, *, url: str, method: str, request_headers: list[tuple[str, str]],
                       request_body: bytes, status: int, response_headers: list[tuple[str, str]],
                       payload: bytes, fetched: dt.datetime | None = None,
                       ip: str | None = None) -> CaptureLocation:
        """Write one response record and its request record; returns where the response is."""
        if self._file is None or self._file.tell() > self.max_file_size:
            self._close_file()
            self._open()
        assert self._writer is not None and self._file is not None
        fetched = fetched or dt.datetime.now(dt.UTC)
        warc_date = fetched.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

        headers = [(k, v) for k, v in response_headers if k.lower() not in _HOP_BY_HOP
                   and k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(payload))))
        http_headers = StatusAndHeaders(f"{status} {_reason(status)}", headers,
                                        protocol="HTTP/1.1")
        warc_headers = {"WARC-Date": warc_date}
        if ip:
            warc_headers["WARC-IP-Address"] = ip
        response = self._writer.create_warc_record(
            url, "response", payload=io.BytesIO(payload), http_headers=http_headers,
            warc_headers_dict=warc_headers)

        path = url.split("://", 1)[-1]
        path = path[path.find("/"):] if "/" in path else "/"
        req_http = StatusAndHeaders(f"{method} {path} HTTP/1.1", list(request_headers),
                                    is_http_request=True)
        request = self._writer.create_warc_record(
            url, "request", payload=io.BytesIO(request_body), http_headers=req_http,
            warc_headers_dict={"WARC-Date": warc_date})
        request.rec_headers.add_header(
            "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID"))

        offset = self._file.tell()
        for record in (response, request):
            self._writer.write_record(record)
            # warcio buffers unknown-length payloads in a temporary file it never closes.
            record.raw_stream.close()
        self._file.flush()
        from archive.captures import CaptureRef

        self._index.add([CaptureRef(url, payload_sha256(payload), self._name, offset,
                                    fetched.astimezone(dt.UTC), status)])
        return CaptureLocation(self._name, offset)

    def close(self) -> None:
        """Close the current file and give it its final name (``.open`` marks a live file)."""
        self._close_file()

    def close_all(self) -> None:
        """Close the current file and the capture index: the end of a crawl."""
        self._close_file()
        self._index.close()

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
            os.replace(self.dir / (self._name + ".open"), self.dir / self._name)
            self._file = None
            self._writer = None


@dataclass
class Capture:
    """One archived HTTP exchange, as ``reindex`` and the crawler's attachment cache see it."""

    url: str
    method: str
    request_body: bytes
    status: int
    headers: dict[str, str]  # response headers, lower-case names
    payload: bytes  # as sent (still content-encoded)
    body: bytes  # content-decoded: what the cleaner reads
    fetched: dt.datetime
    sha256: str  # of ``payload``
    file: str
    offset: int


def _parse_date(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _decoded(payload: bytes, headers: dict[str, str]) -> bytes:
    encoding = headers.get("content-encoding", "").lower().strip()
    if encoding in ("gzip", "x-gzip", "deflate"):
        try:
            wbits = 47 if encoding != "deflate" else 15
            return zlib.decompress(payload, wbits)
        except zlib.error:
            try:
                return zlib.decompress(payload, -15)
            except zlib.error:
                return payload
    if encoding == "br":
        try:
            import brotli

            return brotli.decompress(payload)
        except Exception:
            return payload
    return payload


def warc_files(warc_dir: str | Path) -> list[Path]:
    """Finished and live WARC files, oldest first (names start with a timestamp)."""
    d = Path(warc_dir)
    if not d.is_dir():
        return []
    return sorted([*d.glob("*.warc.gz"), *d.glob("*.warc.gz.open")], key=lambda p: p.name)


def iter_captures(warc_dir: str | Path) -> Iterator[Capture]:
    """Every response in the archive, in the order it was fetched, paired with its request."""
    for path in warc_files(warc_dir):
        yield from _iter_file(path)


def _iter_file(path: Path, *, offset: int = 0, limit: int | None = None) -> Iterator[Capture]:
    pending: dict[str, Capture] = {}
    with open(path, "rb") as fh:
        fh.seek(offset)
        records = ArchiveIterator(fh)
        for record in _tolerant(records):
            if record.rec_type == "response":
                try:
                    payload = record.raw_stream.read()
                except _DAMAGE:
                    break
                # Only after reading: asking for the offset first consumes the record.
                rec_offset = offset + records.get_record_offset()
                headers = {k.lower(): v for k, v in record.http_headers.headers}
                status = int(record.http_headers.get_statuscode() or 0)
                capture = Capture(
                    url=record.rec_headers.get_header("WARC-Target-URI"), method="GET",
                    request_body=b"", status=status, headers=headers, payload=payload,
                    body=_decoded(payload, headers),
                    fetched=_parse_date(record.rec_headers.get_header("WARC-Date")),
                    sha256=payload_sha256(payload), file=path.name.removesuffix(".open"),
                    offset=rec_offset)
                pending[record.rec_headers.get_header("WARC-Record-ID")] = capture
            elif record.rec_type == "request":
                capture = pending.pop(record.rec_headers.get_header("WARC-Concurrent-To"), None)
                if capture is None:
                    continue
                capture.method = record.http_headers.protocol.split(" ")[0] or "GET"
                try:
                    capture.request_body = record.raw_stream.read()
                except _DAMAGE:
                    capture.request_body = b""
                yield capture
                if limit is not None:
                    limit -= 1
                    if limit <= 0:
                        return
    yield from pending.values()


_DAMAGE = (ArchiveLoadFailed, EOFError, OSError, zlib.error, ValueError)


def _tolerant(records: ArchiveIterator) -> Iterator:
    """Records up to the first damaged one: a crawl killed mid-write leaves a cut last record."""
    iterator = iter(records)
    while True:
        try:
            record = next(iterator)
        except StopIteration:
            return
        except _DAMAGE:
            return
        yield record


def read_capture(warc_dir: str | Path, file: str, offset: int) -> Capture | None:
    """The capture whose response record starts at ``offset`` in ``file``."""
    base = Path(warc_dir)
    path = base / file
    if not path.exists():
        path = base / (file + ".open")
        if not path.exists():
            return None
    for capture in _iter_file(path, offset=offset, limit=1):
        return capture
    return None
