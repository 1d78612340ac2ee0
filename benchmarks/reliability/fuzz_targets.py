"""Hostile-input generators and the contract each entry point must keep, shared by the fast
tests (tests/test_hardening_fuzz.py, few examples) and the long runs (fuzz_long.py, ≥ 10,000).

The contract everywhere: a result, or the module's own one-line error (QueryError, LoadError,
AttachmentError, a 4xx page) — never another exception, never a traceback, never a 500.
The cleaner's contract is stricter still, ``clean_bytes`` never raises; but its catch-all turns
internal bugs into ``提取失败：TypeError: …`` reasons, so those count as failures here.
"""

from __future__ import annotations

import importlib.util
import io
import sys
import zipfile
from pathlib import Path

from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# ----------------------------------------------------------------------------- queries

QUERY_ATOMS = [
    '"', "'", "(", ")", "（", "）", "*", "?", "OR", "AND", "NOT", "or", "-", "+", "|", "&", "!", "~", "^",
    "title:", "publisher:", "docno:", "region:", "type:", "year:", "date:", "year:2018..2021", "date:..2021-13-40",
    "year:..", "date:2021-02-30..", "同句(", "同段(", "SENT(", "PARA(", "..", ":", "：", "\\", "\x00", "\x1b[31m",
    "\u200b", "\ufeff", "\u202e", "\ud7ff", "\U0001f600", "法治", "行政复议", "依", "政", "　", " ", "\t", "\n",
    "<script>alert(1)</script>", "%00", "%s%n", "{{7*7}}", "${jndi:x}", "' OR 1=1 --", "OR OR", "- -", "\"\"",
]


def _repeat(atom: str, n: int) -> str:
    return atom * n


def query_strategy() -> st.SearchStrategy[str]:
    atoms = st.sampled_from(QUERY_ATOMS)
    mixed = st.lists(st.one_of(atoms, st.text(max_size=6)), max_size=40).map(" ".join)
    glued = st.lists(atoms, max_size=60).map("".join)
    storms = st.builds(_repeat, st.sampled_from(["(", ")", '"', "*", "?", "-", "同句(", "NOT ", "a OR ", "法 ",
                                                  "title:", "\x00", "（"]),
                       st.integers(0, 12_000))
    nested = st.integers(0, 5000).map(lambda n: "(" * n + "法治" + ")" * n)
    return st.one_of(st.text(max_size=300), mixed, glued, storms, nested)


def check_query(text: str) -> str | None:
    """None if parse_query kept its contract, else a description of the failure."""
    from indexer.api import QueryError
    from indexer.query import parse_query

    try:
        parse_query(text)
    except QueryError as exc:
        return _one_line_problem(str(exc))
    except Exception as exc:  # the point of the fuzzer
        return f"{type(exc).__name__}: {exc}"
    return None


def check_search(backend, text: str) -> str | None:
    from indexer.api import QueryError, SearchRequest

    try:
        backend.search(SearchRequest(query=text, limit=5))
    except QueryError as exc:
        return _one_line_problem(str(exc))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def _one_line_problem(message: str) -> str | None:
    if not message.strip():
        return "empty error message"
    if "\n" in message or "Traceback" in message:
        return f"multi-line error message: {message[:200]!r}"
    return None


# ----------------------------------------------------------------------------- text dumps

DUMP_LINES = [
    "发布机构: 某县人民政府 生成日期: 2021-03-01", "文 号: 某政发〔2021〕1号 有 效 性: 有效", "索引号：", "首页 > 政务公开 > ",
    "某县2020年法治政府建设情况报告", "发布日期:2021-03-01 信息来源:某县司法局", "一、主要工作", "（一）", "2021年13月45日",
    "二〇二一年三月一日", "某县人民政府", "附件：", "|a|b|", "\x00\x01\x02", "\ufffd" * 30, "　" * 50, "=" * 5000,
    "<script>alert(1)</script>", "文号：" + "〔" * 500,
]


def dump_strategy() -> st.SearchStrategy[str]:
    lines = st.lists(st.one_of(st.sampled_from(DUMP_LINES), st.text(max_size=80)), max_size=60)
    return st.one_of(lines.map("\n".join), st.text(max_size=2000),
                     st.integers(0, 200_000).map(lambda n: "法" * n))


def check_text_dump(text: str) -> str | None:
    from extract.textdump import parse_text_dump

    try:
        doc = parse_text_dump(text, "fuzz://dump")
    except Exception as exc:  # documented as "never raises"
        return f"{type(exc).__name__}: {exc}"
    if not isinstance(doc.title, str | None) or any(not isinstance(p, str) for p in doc.paragraphs):
        return "malformed Document"
    return None


def dump_bytes_strategy() -> st.SearchStrategy[bytes]:
    encoded = st.tuples(dump_strategy(), st.sampled_from(["utf-8", "gb18030", "utf-16", "utf-8-sig", "big5"])).map(
        lambda t: t[0].encode(t[1], errors="replace"))
    return st.one_of(st.binary(max_size=2000), encoded,
                     encoded.map(lambda b: b[: len(b) // 2 + 1] + b"\xff\xfe\x81"))


def check_dump_file(folder: Path, data: bytes) -> str | None:
    from extract.errors import LoadError
    from extract.textdump import load_text_dump

    path = folder / "fuzz.txt"
    path.write_bytes(data)
    try:
        load_text_dump(path)
    except LoadError as exc:
        return _one_line_problem(str(exc))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


# ----------------------------------------------------------------------------- HTML

TAGS = ["div", "p", "span", "table", "tr", "td", "h1", "title", "meta", "script", "style", "a", "br", "font",
        "iframe", "svg", "math", "form", "noscript", "template", "object", "body", "html", "head", "!--", "![CDATA["]
ATTRS = ["class", "id", "href", "src", "content", "name", "charset", "http-equiv", "onload", "style", "title"]
HTML_TEXT = ["某县2020年法治政府建设情况报告", "发布日期：2021-03-01", "文号：某政发〔2021〕1号", "一、主要工作",
             "&amp;", "&lt;script&gt;", "&#0;", "&#x110000;", "&#99999999999;", "&nbsp;" * 40, "&bogus;", "\x00",
             "附件：<a href='a.pdf'>统计表.pdf</a>", "javascript:alert(1)", "\ufffd"]


@st.composite
def html_strategy(draw) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 5))
        if kind == 0:
            tag = draw(st.sampled_from(TAGS))
            attrs = " ".join(
                f'{draw(st.sampled_from(ATTRS))}="{draw(st.sampled_from([*HTML_TEXT, "", "gbk", "utf-8"]))}"'
                for _ in range(draw(st.integers(0, 3)))
            )
            parts.append(f"<{tag} {attrs}>")
        elif kind == 1:
            parts.append(f"</{draw(st.sampled_from(TAGS))}>")
        elif kind == 2:
            parts.append(draw(st.sampled_from(HTML_TEXT)))
        elif kind == 3:
            parts.append(draw(st.text(max_size=40)))
        elif kind == 4:
            parts.append('<meta charset="' + draw(st.sampled_from(["gbk", "utf-8", "big5", "x-bogus", "utf-16"])) + '">')
        else:
            depth = draw(st.integers(0, 3000))
            parts.append("<div>" * depth + "正文" + "</div>" * draw(st.integers(0, depth)))
    return "".join(parts)


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + ']><html><body><p>&lol9;</p></body></html>'
)


def hostile_pages() -> list[tuple[str, bytes]]:
    """Named pages that each try one way of breaking the cleaner."""
    body = "某县2020年法治政府建设情况报告。" * 40
    return [
        ("billion laughs", BILLION_LAUGHS.encode()),
        ("huge attribute", f'<html><body><div class="{"x" * 5_000_000}"><p>{body}</p></div></body></html>'.encode()),
        ("deep nesting 100k", ("<div>" * 100_000 + body + "</div>" * 100_000).encode()),
        ("unclosed nesting 200k", ("<p><b><i><span>" * 50_000 + body).encode()),
        ("invalid utf-8", b"<html><meta charset='utf-8'><body><p>" + bytes(range(128, 256)) * 2000 + b"</p></body></html>"),
        ("invalid gbk", b"<html><meta charset='gbk'><body><p>" + b"\x81\x20\xff\xfe" * 20000 + b"</p></body></html>"),
        ("charset lies", ('<meta charset="utf-16"><p>' + body + "</p>").encode("gb18030")),
        ("nul storm", b"\x00" * 3_000_000),
        ("10 MB of one text node", ("<p>" + "法" * 10_000_000 + "</p>").encode()),
        ("200k tiny paragraphs", ("<p>法</p>" * 200_000).encode()),
        ("200k links", ('<a href="/a.pdf">附件</a>' * 200_000).encode()),
        ("external entity", b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><p>&e;</p>'),
        ("svg script", b'<svg><script>alert(1)</script><foreignObject><p>text</p></foreignObject></svg>'),
        ("comment storm", b"<!--" * 500_000),
        ("empty", b""),
        ("bom only", b"\xef\xbb\xbf"),
    ]


def check_clean(data: bytes, url: str | None = "https://www.example.gov.cn/art/2021/3/1/a.html") -> str | None:
    from extract.clean import CleanResult, clean_bytes

    try:
        result = clean_bytes(data, url=url)
    except Exception as exc:  # documented as "never raises"
        return f"raised {type(exc).__name__}: {exc}"
    if not isinstance(result, CleanResult) or result.kind not in {"article", "attachment-only", "not-article", "error"}:
        return f"unexpected result {result!r:.200}"
    if result.kind == "error":
        reason = result.reason or ""
        if reason.startswith("提取失败："):
            return f"internal error behind the catch-all: {reason}"
        return _one_line_problem(reason)
    return None


# ----------------------------------------------------------------------------- PDF and DOCX


def _fixture_module():
    path = ROOT / "tests" / "fixtures" / "pages" / "make_attachments.py"
    spec = importlib.util.spec_from_file_location("reliability_make_attachments", path)
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


PARAGRAPHS = ["某县2020年法治政府建设情况报告", "一、主要工作" + "依法行政，严格执法。" * 30, "某县人民政府", "2021年3月1日"]


def sample_pdf() -> bytes:
    return _fixture_module().minimal_pdf(PARAGRAPHS)


def sample_docx() -> bytes:
    return _fixture_module().minimal_docx(PARAGRAPHS)


def zip_bomb_docx(uncompressed_mb: int = 300, lie: bool = False) -> bytes:
    """A DOCX-shaped zip whose document.xml inflates to ``uncompressed_mb`` MB of zeros; with
    ``lie`` the central directory claims it is tiny (so a size check on headers alone passes)."""
    buffer = io.BytesIO()
    chunk = b"0" * (1 << 20)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        with archive.open("word/document.xml", "w") as member:
            for _ in range(uncompressed_mb):
                member.write(chunk)
    data = buffer.getvalue()
    if lie:
        # Patch the uncompressed size in the central directory entry of document.xml to 1,000.
        data = bytearray(data)
        start = 0
        while (start := data.find(b"PK\x01\x02", start)) != -1:
            name_len = int.from_bytes(data[start + 28:start + 30], "little")
            if bytes(data[start + 46:start + 46 + name_len]) == b"word/document.xml":
                data[start + 24:start + 28] = (1000).to_bytes(4, "little")
            start += 4
        data = bytes(data)
    return data


@st.composite
def mutated(draw, original: bytes) -> bytes:
    """Truncations, byte flips, splices and repeats of a valid file."""
    data = bytearray(original)
    how = draw(st.integers(0, 3))
    if how == 0:
        return bytes(data[: draw(st.integers(0, len(data)))])
    if how == 1:
        for _ in range(draw(st.integers(1, 20))):
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
        return bytes(data)
    if how == 2:
        i = draw(st.integers(0, len(data)))
        return bytes(data[:i]) + draw(st.binary(max_size=200)) + bytes(data[i:])
    i, j = sorted((draw(st.integers(0, len(data))), draw(st.integers(0, len(data)))))
    return bytes(data[:j]) + bytes(data[i:j]) * draw(st.integers(1, 50)) + bytes(data[j:])


def check_attachment(data: bytes, kind: str) -> str | None:
    from extract.attachments import AttachmentError, docx_paragraphs, pdf_paragraphs

    reader = pdf_paragraphs if kind == "pdf" else docx_paragraphs
    try:
        paragraphs = reader(data)
    except AttachmentError as exc:
        return _one_line_problem(str(exc))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    if any(not isinstance(p, str) for p in paragraphs):
        return "non-text paragraph"
    return None


# ----------------------------------------------------------------------------- the web app

WEB_PATHS = ["/", "/search", "/api/search", "/search.csv", "/search.atom", "/help", "/api/stats"]
PARAM_NAMES = ["q", "page", "n", "sort", "year", "province", "city", "county", "publisher", "doc_type", "site", "p",
               "format", "callback", "q[]", ""]
PARAM_VALUES = ["", "0", "-1", "1", "2", "9999999999999999999999", "1e3", "0x10", "NaN", " 3 ", "１", "٣", "10", "50",
                "100", "101", "date", "-date", "relevance", "<script>alert(1)</script>", "%00", "\x00", "../../etc/passwd",
                "法治", "(", '"', "同句(", "a" * 300, "=HYPERLINK(\"http://x\")", "\ud7ff", "🎉"]


@st.composite
def web_request_strategy(draw, doc_ids: list[str]) -> tuple[str, list[tuple[str, str]]]:
    doc_paths = [f"/doc/{i}" for i in doc_ids] + [f"/doc/{i}/cite" for i in doc_ids] + \
        [f"/api/doc/{i}" for i in doc_ids] + [f"/api/cite/{i}" for i in doc_ids] + \
        [f"/doc/{i}/archive" for i in doc_ids] + [f"/doc/{i}/archive/raw" for i in doc_ids]
    traversal = ["/doc/../../etc/passwd", "/doc/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/doc/0123456789abcdef/../../x",
                 "/api/doc/..%2F..%2Fsecret", "/static/../../setup.py", "/static/%2e%2e/%2e%2e/setup.py",
                 "/doc/0123456789ABCDEF", "/doc/0123456789abcdef0", "/api/" + "x" * 3000]
    path = draw(st.sampled_from(WEB_PATHS + doc_paths + traversal))
    params = draw(st.lists(st.tuples(st.sampled_from(PARAM_NAMES),
                                     st.one_of(st.sampled_from(PARAM_VALUES), st.text(max_size=30))), max_size=6))
    return path, params


def check_web(client, path: str, params: list[tuple[str, str]]) -> str | None:
    from urllib.parse import urlencode

    query = urlencode([(k, v.encode("utf-8", "surrogatepass")) for k, v in params])
    try:
        response = client.get(path + ("?" + query if query else ""))
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    if response.status_code >= 500:
        return f"{response.status_code} for {path}?{query[:200]}"
    if b"Traceback" in response.data:
        return f"traceback in body for {path}"
    return None
