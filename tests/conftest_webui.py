"""Shared set-up for the web UI tests: a real index over the seeds plus one hostile document.

Imported by tests/test_webui*.py and tests/test_browser*.py (not a conftest plugin, so the
lead's tests/conftest.py stays untouched).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import gc
import os
import re
import subprocess
import sys
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from extract.dispatch import load_file
from indexer import Attachment, Document, Region, make_id, open_index

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))

#: The two payloads the issue names; each must render as text everywhere.
SCRIPT_PAYLOAD = "<script>alert(1)</script>"
IMG_PAYLOAD = '"><img src=x onerror=alert(1)>'
#: A string that occurs only in the hostile document, to find it by search.
HOSTILE_WORD = "恶意脚本测试"
HOSTILE_URL = "https://www.example.gov.cn/art/2021/3/1/hostile.html"
HOSTILE_PAGE = (
    "<html><head><meta charset='utf-8'><title>存档测试</title>"
    f"<script>alert(1)</script></head><body onload='alert(2)'>"
    f"<h1>{HOSTILE_WORD}存档页面</h1><p>第一段{SCRIPT_PAYLOAD}</p>"
    "<img src=x onerror=alert(1)><a href='javascript:alert(3)'>链接</a>"
    "<iframe src='https://evil.example.com/'></iframe></body></html>"
).encode()


def hostile_document(capture_sha256: str | None = None) -> Document:
    """A document whose every field tries to inject markup (or a spreadsheet formula)."""
    return Document(
        id=make_id(HOSTILE_URL),
        title=f"{HOSTILE_WORD}报告{SCRIPT_PAYLOAD}{IMG_PAYLOAD}",
        source=HOSTILE_URL,
        paragraphs=[
            f"{HOSTILE_WORD}第一段：{SCRIPT_PAYLOAD}行政复议",
            f"第二段{IMG_PAYLOAD}依法行政",
            "=HYPERLINK(\"https://evil.example.com\",\"点击\")",
            f"{HOSTILE_WORD}第四段，重复出现的句子。",
        ],
        publisher=f"{IMG_PAYLOAD}测试局",
        published=dt.date(2021, 3, 1),
        doc_number="=1+2",
        doc_type="报告",
        year=2020,
        region=Region(province=f"{SCRIPT_PAYLOAD}省"),
        other_sources=["https://mirror.example.gov.cn/hostile.html"],
        attachments=[
            Attachment(name="附件1：统计表.pdf", href="https://www.example.gov.cn/files/a.pdf",
                       text="附件正文"),
            Attachment(name=f"附件2{SCRIPT_PAYLOAD}", href="javascript:alert(1)"),
        ],
        captured=dt.datetime(2021, 3, 2, 8, 30, tzinfo=dt.UTC) if capture_sha256 else None,
        capture_sha256=capture_sha256,
        extra={"信息分类": f"{SCRIPT_PAYLOAD}"},
    )


@dataclass
class SeededIndex:
    data_dir: Path
    seed_ids: list[str]
    hostile_id: str
    seed_docs: list[Document]


def write_capture(data_dir: Path, payload: bytes = HOSTILE_PAGE,
                  fetched: dt.datetime = dt.datetime(2021, 3, 2, 8, 30, tzinfo=dt.UTC)) -> str:
    """Archive the hostile page the way the crawler does (WARC + crawl state row)."""
    from archive.warc import WarcRecorder, payload_sha256
    from crawl.state import CrawlState

    # warcio leaves SpooledTemporaryFile buffers to the garbage collector (a ResourceWarning
    # that pytest's filterwarnings=error turns into a failure): collect them here, quietly.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        recorder = WarcRecorder(data_dir / "warc")
        location = recorder.write_exchange(
            url=HOSTILE_URL, method="GET", request_headers=[("User-Agent", "test")],
            request_body=b"", status=200,
            response_headers=[("Content-Type", "text/html; charset=utf-8")],
            payload=payload, fetched=fetched)
        recorder.close()
        del recorder
        gc.collect()
    state = CrawlState(data_dir / "crawl.sqlite")
    sha = payload_sha256(payload)
    state.record(HOSTILE_URL, kind="article", status=200, state="ok",
                 payload_sha256=sha, warc_file=location.file, warc_offset=location.offset)
    state.close()
    return sha


def build_seeded_index(data_dir: Path, *, with_capture: bool = True) -> SeededIndex:
    """Index the five seeds and the hostile document into ``data_dir``."""
    sha = write_capture(data_dir) if with_capture else None
    seed_docs = [load_file(path) for path in SEEDS]
    hostile = hostile_document(sha)
    backend = open_index(data_dir)
    try:
        report = backend.add([*seed_docs, hostile])
        assert not report.failed, report.failed
    finally:
        backend.close()
    return SeededIndex(data_dir=data_dir, seed_ids=[d.id for d in seed_docs],
                       hostile_id=hostile.id, seed_docs=seed_docs)


#: 60 publishers, one document each: more than the 50 values a facet shows by default, all
#: tied at one document, so which 50 are shown is decided by the pinyin order alone.
MANY_PUBLISHER_CHARS = ("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土"
                        "东南西北春夏秋冬梅兰竹菊松柏杨柳桃李山川河海江湖云雨风雷天地日月星")
MANY_WORD = "多机构测试"  # only in these documents


def many_publisher_documents(count: int = 60) -> list[Document]:
    """``count`` short documents, each from a publisher of its own (…县司法局)."""
    docs = []
    for i, char in enumerate(MANY_PUBLISHER_CHARS[:count]):
        url = f"https://www.example.gov.cn/many/{i}.html"
        docs.append(Document(id=make_id(url), title=f"{char}县{MANY_WORD}通知", source=url,
                             paragraphs=[f"{MANY_WORD}：{char}县第{i}号文件。"], publisher=f"{char}县司法局",
                             published=dt.date(2022, 1, 1) + dt.timedelta(days=i), doc_type="通知",
                             region=Region(province="浙江省")))
    return docs


def copies_of(doc: Document, count: int = 2) -> list[Document]:
    """Copies of ``doc`` (same text, so one copy group) from other publishers, provinces and
    dates: which copy represents the group then depends on the sort and the filters."""
    out = []
    for i in range(count):
        url = f"https://copy{i}.example.gov.cn/{doc.id}.html"
        out.append(dataclasses.replace(
            doc, id=make_id(url), source=url, other_sources=[], publisher=f"复制{i}号转载单位",
            region=Region(province=("浙江省", "四川省")[i % 2]),
            published=(doc.published or dt.date(2020, 1, 1)) + dt.timedelta(days=400 * (i + 1))))
    return out


@contextlib.contextmanager
def serve(data_dir: Path) -> Iterator[str]:
    """``govsearch serve --port 0`` over ``data_dir`` in a subprocess, as a user runs it; yields
    its base URL (the first line it prints names the real port) and stops it afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "govsearch", "--data-dir", str(data_dir), "serve",
         "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"}, cwd=ROOT)
    try:
        line = process.stdout.readline()  # blocks until the server has bound its socket
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert match, f"govsearch serve did not start: {line!r}"
        yield f"http://127.0.0.1:{match.group(1)}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()
