"""A local government site made of crawler traps, for tests/test_hardening_crawl.py.

Served on 127.0.0.1 from a thread; every response is generated (nothing large is stored):

  /                               column page: links to one real report and to every trap
  /art/2021/3/1/art_1_1.html      the one real report (must be indexed)
  /zwgk/day/<yyyymmdd>/index.html calendar: each day links to the next and previous day, forever
  /art/2021/3/9/art_9_<n>.html    redirect loop: 302 to n+1 mod 3, forever
  /art/2021/4/1/art_1_big.html    1 GB of HTML, streamed (bytes actually sent are counted)
  /files/huge.pdf                 1 GB "PDF", streamed
  /art/2021/4/2/art_2_gz.html     gzip bomb: ~1 MB on the wire, 1 GB inflated
  /art/2021/4/3/art_3_slow.html   slow loris: one byte per second, forever
  /art/2021/4/4/art_4_stream.html 1 GB of HTML without Content-Length (runs until the client hangs up)
  /art/2021/4/5/art_5_slow.html   slow loris without Content-Length
  /col/col777/index_<n>.html      endless pagination: page n links to page n+1 and two new articles
  /art/2021/5/<n>/art_5_<n>.html  the endless pagination's articles (short real-looking pages)
"""

from __future__ import annotations

import gzip
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GB = 1 << 30
CHUNK = 64 * 1024

REPORT_BODY = "".join(
    f"<p>{text}</p>" for text in [
        "为深入贯彻落实《法治政府建设实施纲要》，现将我县2020年法治政府建设情况报告如下。",
        "一、主要工作。我县坚持依法行政，健全重大行政决策程序，全面落实行政执法三项制度，"
        "规范性文件合法性审核率达到100%，行政复议案件办理质量持续提升。",
        "二、存在的问题。行政执法人员素质有待提高，基层法治力量仍然薄弱。",
        "三、下一步工作打算。持续推进严格规范公正文明执法，加强行政复议和应诉工作。",
        "陷阱测试县人民政府", "2021年3月1日",
    ]
)


def report_page(title: str, body: str = REPORT_BODY) -> bytes:
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'>"
        f"<title>{title}</title><meta name='ArticleTitle' content='{title}'>"
        "<meta name='PubDate' content='2021-03-01'></head><body>"
        f"<div class='article'><h1>{title}</h1><div class='info'>发布日期：2021-03-01 来源：陷阱测试县司法局</div>"
        f"<div id='zoom'>{body}</div></div></body></html>"
    ).encode()


@dataclass
class TrapLog:
    requests: Counter = field(default_factory=Counter)
    bytes_sent: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def hit(self, trap: str, sent: int = 0) -> None:
        with self.lock:
            self.requests[trap] += 1
            self.bytes_sent[trap] += sent


def _gzip_bomb(inflated: int = GB) -> bytes:
    """~1 MB that inflates to ``inflated`` bytes: one compressed MiB of spaces, repeated as
    gzip members (a valid stream: RFC 1952 allows concatenated members; cheap to build)."""
    member = gzip.compress(b" " * (1 << 20), compresslevel=9, mtime=0)
    return member * (inflated >> 20)


class TrapSite:
    """``with TrapSite() as site: site.url("/")``; ``site.log`` counts requests per trap."""

    def __init__(self, bomb_inflated: int = GB, *, pagination: bool = True) -> None:
        self.log = TrapLog()
        self.pagination = pagination
        self.bomb = _gzip_bomb(bomb_inflated)
        self.stopping = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def send_page(self, trap: str, body: bytes, status: int = 200, ctype: str = "text/html; charset=utf-8",
                          extra: dict[str, str] | None = None) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in (extra or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)
                site.log.hit(trap, len(body))

            def stream(self, trap: str, ctype: str, head: bytes, declare_length: bool = True) -> None:
                """1 GB, generated chunk by chunk; stops when the client hangs up. Without
                ``declare_length`` the body just runs until the connection closes, so a
                client cannot refuse it from the headers and must count what it reads."""
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                if declare_length:
                    self.send_header("Content-Length", str(GB))
                else:
                    self.send_header("Connection", "close")
                self.end_headers()
                sent = 0
                chunk = head + b"x" * (CHUNK - len(head))
                try:
                    while sent < GB and not site.stopping.is_set():
                        self.wfile.write(chunk)
                        sent += len(chunk)
                        chunk = b"<p>" + "法".encode() * ((CHUNK - 7) // 3) + b"</p>"
                        chunk = chunk + b" " * (CHUNK - len(chunk))
                except OSError:
                    pass
                site.log.hit(trap, sent)
                self.close_connection = True

            def do_GET(self) -> None:  # one branch per trap
                path = self.path.split("?")[0]
                if path in ("/", "/index.html"):
                    links = [
                        ("/art/2021/3/1/art_1_1.html", "陷阱测试县2020年法治政府建设情况报告"),
                        ("/zwgk/day/20240105/index.html", "日历"),
                        ("/art/2021/3/9/art_9_0.html", "2020年依法行政工作总结（跳转）"),
                        ("/art/2021/4/1/art_1_big.html", "2020年法治政府建设情况报告（大）"),
                        ("/files/huge.pdf", "附件：2020年法治政府建设情况报告.pdf"),
                        ("/art/2021/4/2/art_2_gz.html", "2020年法治政府建设年度报告（压缩）"),
                        ("/art/2021/4/3/art_3_slow.html", "2020年法治政府建设工作总结（慢）"),
                        ("/art/2021/4/4/art_4_stream.html", "2020年法治政府建设情况（无长度）"),
                        ("/art/2021/4/5/art_5_slow.html", "2020年法治政府建设总结（无长度，慢）"),
                    ]
                    if site.pagination:
                        links.append(("/col/col777/index_1.html", "更多"))
                    items = "".join(f"<li><a href='{h}'>{t}</a><span>2021-03-01</span></li>" for h, t in links)
                    self.send_page("home", f"<html><head><meta charset='utf-8'><title>法治政府建设</title></head>"
                                           f"<body><ul class='list'>{items}</ul></body></html>".encode())
                elif path == "/art/2021/3/1/art_1_1.html":
                    self.send_page("report", report_page("陷阱测试县2020年法治政府建设情况报告"))
                elif path.startswith("/zwgk/day/"):
                    day = int(path.split("/")[3])
                    links = "".join(f"<a href='/zwgk/day/{d}/index.html'>{d}</a>" for d in (day - 1, day + 1))
                    self.send_page("calendar", f"<html><body><div class='cal'>{links}</div></body></html>".encode())
                elif path.startswith("/art/2021/3/9/art_9_"):
                    n = int(path.rsplit("_", 1)[1].split(".")[0])
                    self.send_page("redirect", b"", status=302,
                                   extra={"Location": f"/art/2021/3/9/art_9_{(n + 1) % 3}.html"})
                elif path == "/art/2021/4/1/art_1_big.html":
                    self.stream("big-html", "text/html; charset=utf-8", b"<html><body><div id='zoom'>")
                elif path == "/files/huge.pdf":
                    self.stream("big-pdf", "application/pdf", b"%PDF-1.4\n")
                elif path == "/art/2021/4/2/art_2_gz.html":
                    self.send_page("gzip-bomb", site.bomb, extra={"Content-Encoding": "gzip"})
                elif path == "/art/2021/4/4/art_4_stream.html":
                    self.stream("big-html-unannounced", "text/html; charset=utf-8", b"<html><body><div id='zoom'>",
                                declare_length=False)
                elif path in ("/art/2021/4/3/art_3_slow.html", "/art/2021/4/5/art_5_slow.html"):
                    self.send_response(200)
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    if path.endswith("art_3_slow.html"):
                        self.send_header("Content-Length", str(GB))
                    else:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    sent = 0
                    try:
                        while not site.stopping.wait(1.0):
                            self.wfile.write(b"<")
                            self.wfile.flush()
                            sent += 1
                    except OSError:
                        pass
                    site.log.hit("slow-loris" if path.endswith("art_3_slow.html") else "slow-loris-unannounced", sent)
                    self.close_connection = True
                elif path.startswith("/col/col777/index_"):
                    n = int(path.rsplit("_", 1)[1].split(".")[0])
                    items = "".join(
                        f"<li><a href='/art/2021/5/{2 * n + k}/art_5_{2 * n + k}.html'>第{2 * n + k}号通知</a>"
                        f"<span>2021-05-01</span></li>" for k in (0, 1))
                    pager = f"<div class='page'><a href='/col/col777/index_{n + 1}.html'>下一页</a></div>"
                    self.send_page("pagination", f"<html><head><meta charset='utf-8'></head><body><ul>{items}</ul>"
                                                 f"{pager}</body></html>".encode())
                elif path.startswith("/art/2021/5/"):
                    n = path.rsplit("_", 1)[1].split(".")[0]
                    self.send_page("pagination-article", report_page(f"关于第{n}号事项的通知", "<p>通知内容。</p>"))
                elif path == "/robots.txt":
                    self.send_page("robots", b"User-agent: *\nAllow: /\n", ctype="text/plain")
                else:
                    self.send_page("404", b"not found", status=404, ctype="text/plain")

            do_HEAD = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self) -> TrapSite:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        time.sleep(0)  # let streaming threads see the stop flag
