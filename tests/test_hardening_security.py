"""Security probes: injected markup stays text in every view, formulas stay inert in CSV,
traversal in ids and paths is rejected, and ``govsearch serve`` binds to 127.0.0.1 by default."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from indexer import Attachment, Document, Region, make_id, open_index

ROOT = Path(__file__).resolve().parent.parent
MARKER = "安全探针测试"
PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg/onload=alert(1)>",
    "</title><script>alert(1)</script>",
    "</textarea><script>alert(1)</script>",
    "]]><script>alert(1)</script>",
    "<iframe src=javascript:alert(1)>",
    "<a href='javascript:alert(1)'>x</a>",
    "{{7*7}}<style>body{display:none}</style>",
]
FORMULAS = ["=HYPERLINK(\"https://evil.example.com\",\"点击\")", "+1+2", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1",
            "=cmd|' /C calc'!A0"]


def probe_document(n: int, payload: str, formula: str) -> Document:
    source = f"https://www.example.gov.cn/art/2021/3/{n}/probe.html"
    return Document(
        id=make_id(source),
        title=f"{MARKER}{payload}报告",
        source=source,
        paragraphs=[f"{MARKER}第一段{payload}行政复议", formula, f"第三段{payload}"],
        publisher=formula if n % 2 else f"{payload}司法局",
        published=dt.date(2021, 3, 1 + n),
        doc_number=formula,
        doc_type=f"报告{payload}" if n % 3 == 0 else "报告",
        region=Region(province=f"{payload}省", city=f"{payload}市"),
        attachments=[Attachment(name=f"附件{payload}.pdf", href=f"https://www.example.gov.cn/{n}.pdf"),
                     Attachment(name="附件2", href="javascript:alert(1)")],
        extra={"信息分类": payload, payload: "值"},
    )


@pytest.fixture(scope="module")
def probes(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("probes")
    docs = [probe_document(i, PAYLOADS[i % len(PAYLOADS)], FORMULAS[i % len(FORMULAS)]) for i in range(len(PAYLOADS))]
    backend = open_index(data_dir)
    report = backend.add(docs)
    backend.close()
    assert not report.failed, report.failed
    from webui import create_app

    return create_app(data_dir).test_client(), docs


class _Elements(HTMLParser):
    """Every real element and attribute of a page (escaped text is data, not elements)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, attrs))
        self._in_script = tag == "script"

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.script_text.append(data)


def _assert_inert(body: str, where: str) -> None:
    """No payload became markup: no inline script, no event handler, no javascript: link,
    no injected iframe/style/img element."""
    for payload in PAYLOADS:
        assert payload not in body, f"{where}: raw payload {payload!r}"
    parser = _Elements()
    parser.feed(body)
    assert parser.script_text == [], f"{where}: inline script {parser.script_text[:1]}"
    for tag, attrs in parser.found:
        assert tag not in ("iframe", "style", "object", "embed")  # the year chart is an inline <svg>, f"{where}: <{tag}>"
        for name, value in attrs:
            assert not name.startswith("on"), f"{where}: <{tag} {name}=…>"
            if name in ("href", "src", "action", "formaction") and value:
                assert not value.strip().lower().startswith(("javascript:", "data:text")), f"{where}: {name}={value}"
        if tag == "img":
            assert dict(attrs).get("src") != "x", f"{where}: injected <img>"


def test_payloads_are_text_in_search_reading_cite_and_json(probes):
    client, docs = probes
    pages = [f"/search?q={MARKER}", f"/search?q={MARKER}&sort=-date&n=50", "/"]
    for doc in docs:
        pages += [f"/doc/{doc.id}", f"/doc/{doc.id}/cite", f"/doc/{doc.id}/cite?p=1"]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        _assert_inert(response.get_data(as_text=True), page)
    api = client.get(f"/api/search?q={MARKER}")
    assert api.status_code == 200 and api.mimetype == "application/json"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_the_query_are_text(probes, payload):
    client, _ = probes
    for path in ("/search", "/search.atom", "/api/search"):
        response = client.get(path, query_string={"q": payload})
        assert response.status_code < 500
        if path != "/api/search":
            _assert_inert(response.get_data(as_text=True), f"{path}?q={payload}")
    response = client.get("/search", query_string={"q": MARKER, "province": payload})
    assert response.status_code < 500
    _assert_inert(response.get_data(as_text=True), f"filter {payload}")


def test_atom_feed_is_well_formed_and_carries_text_only(probes):
    client, docs = probes
    response = client.get(f"/search.atom?q={MARKER}")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    root = ET.fromstring(response.data)  # a parser error here means an injection broke the XML
    entries = root.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) == len(docs)
    assert not any(el.tag.endswith(("script", "iframe", "svg")) for el in root.iter())
    _assert_inert(body, "atom")


def test_csv_cells_never_start_a_formula(probes):
    client, docs = probes
    response = client.get(f"/search.csv?q={MARKER}")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert len(rows) == len(docs) + 1
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r", "\n")), cell
    assert any(cell.startswith("'=HYPERLINK(") for row in rows for cell in row)


@pytest.mark.parametrize("path", [
    "/doc/../../etc/passwd", "/doc/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/doc/..%2f..%2fsetup.py",
    "/doc/0123456789abcdef/../../../etc/passwd", "/doc/0123456789ABCDEF", "/doc/0123456789abcdef0",
    "/api/doc/..%2F..%2Fsetup.py", "/api/doc/%00", "/api/cite/../../setup.py", "/static/../setup.py",
    "/static/%2e%2e/%2e%2e/setup.py", "/static/..%2f..%2fsetup.py", "/doc/0123456789abcdef/archive/..%2f..%2fsetup.py",
    "/doc/0123456789abcdef/archive/raw/../../../etc/passwd", "//etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
])
def test_path_traversal_is_rejected(probes, path):
    client, _ = probes
    response = client.get(path)
    assert response.status_code in (400, 404), (path, response.status_code)
    body = response.get_data(as_text=True)
    assert "root:x:0:0" not in body and "install_requires" not in body


def test_archive_of_an_unarchived_document_is_404_not_a_file_read(probes):
    client, docs = probes
    for doc in docs[:2]:
        for suffix in ("archive", "archive/raw"):
            response = client.get(f"/doc/{doc.id}/{suffix}")
            assert response.status_code == 404


def test_serve_binds_to_loopback_by_default(tmp_path):
    """The real command, port 0: the address it reports and listens on is 127.0.0.1."""
    server = subprocess.Popen([sys.executable, "-m", "govsearch", "--data-dir", str(tmp_path), "serve", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        match = re.search(r"http://([\d.]+|\[[^\]]+\]):(\d+)/", line)
        assert match, line
        assert match.group(1) == "127.0.0.1"
        port = int(match.group(2))
        import psutil

        listening = {c.laddr for c in psutil.Process(server.pid).net_connections(kind="inet")
                     if c.status == psutil.CONN_LISTEN}
        assert listening and all(addr.ip == "127.0.0.1" and addr.port == port for addr in listening), listening
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout is not None:
            server.stdout.close()


@pytest.mark.parametrize("pointer", ["../outside.warc.gz", "{outside}"])
def test_archive_never_reads_a_warc_outside_the_archive_folder(tmp_path, pointer):
    """A crawl-state row pointing outside data/warc/ (tampered or corrupted) is ignored: the
    capture moved outside the folder must not be served."""
    import shutil
    import sqlite3

    from tests.conftest_webui import build_seeded_index
    from webui import create_app

    seeded = build_seeded_index(tmp_path / "data")
    warc_dir = seeded.data_dir / "warc"
    (original,) = [p for p in warc_dir.iterdir() if p.name.endswith(".warc.gz") or p.name.endswith(".open")]
    outside = seeded.data_dir / "outside.warc.gz"
    shutil.move(original, outside)
    db = sqlite3.connect(seeded.data_dir / "crawl.sqlite")
    db.execute("UPDATE urls SET warc_file = ?", (pointer.format(outside=outside),))
    db.commit()
    db.close()
    client = create_app(seeded.data_dir).test_client()
    assert client.get(f"/doc/{seeded.hostile_id}/archive/raw").status_code == 404
    page = client.get(f"/doc/{seeded.hostile_id}/archive")  # the frame page says "not on this machine"
    assert page.status_code == 200 and b"/archive/raw" not in page.data
    # Control: moved back inside warc/, the same capture is served.
    shutil.move(outside, original)
    assert client.get(f"/doc/{seeded.hostile_id}/archive/raw").status_code == 200
