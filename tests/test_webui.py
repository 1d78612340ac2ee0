"""Every route of the web UI and JSON API, through Flask's test client, over a real index of
the seeds plus one hostile document."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from conftest_webui import (
    HOSTILE_PAGE,
    HOSTILE_URL,
    HOSTILE_WORD,
    IMG_PAYLOAD,
    SCRIPT_PAYLOAD,
    SeededIndex,
    build_seeded_index,
    write_capture,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer import open_index
from indexer.api import SearchResults
from indexer.citation import gbt7714
from webui import create_app
from webui.feeds import neutralise
from webui.state import MAX_QUERY_CHARS

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> SeededIndex:
    return build_seeded_index(tmp_path_factory.mktemp("webui"))


@pytest.fixture(scope="module")
def app(seeded):
    app = create_app(seeded.data_dir)
    yield app
    app.extensions["govsearch_backend"].close()


@pytest.fixture
def client(app):
    return app.test_client()


class _Tags(HTMLParser):
    """Collects start tags with their attributes: what a browser would build from the page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def links(html: str, css_class: str | None = None) -> list[str]:
    return [a["href"] for tag, a in tags(html) if tag == "a" and a.get("href")
            and (css_class is None or css_class in (a.get("class") or "").split())]


def assert_no_injected_markup(html: str) -> None:
    """The only scripts are ours, no element carries an event handler, no injected <img>."""
    for tag, attrs in tags(html):
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        if tag == "img":
            pytest.fail(f"injected image tag: {attrs}")
    assert "javascript:" not in html.lower()


def text_of(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


# ----------------------------------------------------------------------------- front page


def test_front_page_shows_collection_search_box_and_headers(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "已收录 <strong>6</strong> 篇文件" in html
    assert 'name="q"' in html and "autofocus" in html
    assert "<svg" in html and 'class="year-chart"' in html
    csp = response.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]+)", csp).group(1)
    assert "unsafe-inline" not in script_src and "'self'" in script_src
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert_no_injected_markup(html)


def test_pages_load_nothing_from_other_hosts(client, seeded):
    for url in ("/", "/search?q=行政复议", f"/doc/{seeded.seed_ids[0]}"):
        html = client.get(url).get_data(as_text=True)
        for tag, attrs in tags(html):
            if tag in ("script", "link", "img", "iframe"):
                ref = attrs.get("src") or attrs.get("href") or ""
                assert ref.startswith("/"), (url, tag, ref)
    with client.get("/static/style.css") as response:
        css = response.get_data(as_text=True)
    assert "http" not in css and "@import" not in css and "@font-face" not in css


# ----------------------------------------------------------------------------- search page


def test_search_shows_marked_passages_linking_to_paragraph_anchors(client, seeded):
    html = client.get("/search?q=行政复议").get_data(as_text=True)
    api = client.get("/api/search?q=行政复议").get_json()
    assert f'共 <strong id="total">{api["total"]}</strong> 篇文件' in html
    assert api["total"] >= 5
    assert "<mark>行政复议</mark>" in html
    anchors = links(html)
    paragraph_links = [h for h in anchors if re.match(r"^/doc/[0-9a-f]{16}\?q=.+#p\d+$", h)]
    assert len(paragraph_links) >= api["total"]  # at least one passage per hit
    first = api["hits"][0]
    href = f"/doc/{first['id']}?q=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE#p{first['passages'][0]['paragraph']}"
    assert href in anchors
    # Hit metadata: publisher, date, region appear for the first hit.
    for value in (first["publisher"], first["published"], first["region"]):
        if value:
            assert value in html


def test_facet_link_narrows_results_and_chip_removes_filter(client):
    html = client.get("/search?q=行政复议").get_data(as_text=True)
    facet_links = [h for h in links(html) if "province=" in h]
    hubei = next(h for h in facet_links if "%E6%B9%96%E5%8C%97%E7%9C%81" in h)  # 湖北省
    narrowed = client.get(hubei).get_data(as_text=True)
    total = int(re.search(r'id="total">(\d+)<', narrowed).group(1))
    assert total == 2
    chips = links(narrowed, "chip")
    assert len(chips) == 1
    restored = client.get(chips[0]).get_data(as_text=True)
    assert int(re.search(r'id="total">(\d+)<', restored).group(1)) > total


def test_filters_or_within_a_facet_and_keep_other_values_listed(client):
    one = client.get("/api/search?year=2017").get_json()
    both = client.get("/api/search?year=2017&year=2021").get_json()
    assert both["total"] > one["total"] > 0
    # Disjunctive counts: with 2017 chosen, the other years stay listed so one can be added.
    years = {f["value"] for f in one["facets"]["year"]}
    assert {"2017", "2021"} <= years


def test_sort_newest_and_oldest(client):
    newest = client.get("/api/search?q=法治&sort=-date").get_json()
    oldest = client.get("/api/search?q=法治&sort=date").get_json()
    dates = [h["published"] for h in newest["hits"] if h["published"]]
    assert dates == sorted(dates, reverse=True) and len(dates) >= 3
    assert [h["published"] for h in oldest["hits"] if h["published"]] == sorted(dates)
    html = client.get("/search?q=法治").get_data(as_text=True)
    assert "/search?q=%E6%B3%95%E6%B2%BB&amp;sort=-date" in html


def test_pagination_keeps_state_and_pages_differ(client):
    page1 = client.get("/api/search?q=法治&n=2").get_json()
    page2 = client.get("/api/search?q=法治&n=2&page=2").get_json()
    assert page1["total"] == page2["total"] >= 5
    assert {h["id"] for h in page1["hits"]}.isdisjoint({h["id"] for h in page2["hits"]})
    html = client.get("/search?q=法治&n=20&province=湖北省").get_data(as_text=True)
    html = client.get("/search?q=法治&n=2").get_data(as_text=True)
    nav = [h for h in links(html) if "page=" in h]
    assert nav and all("n=2" in h and "q=%E6%B3%95%E6%B2%BB" in h for h in nav)
    beyond = client.get("/search?q=法治&n=2&page=40").get_data(as_text=True)
    assert "没有结果" in beyond


def test_year_chart_bars_follow_the_year_facet(client):
    html = client.get("/search?q=法治").get_data(as_text=True)
    api = client.get("/api/search?q=法治").get_json()
    expected = {f["value"]: f["count"] for f in api["facets"]["year"]}
    bars = {a["data-year"]: int(a["data-count"]) for tag, a in tags(html)
            if tag == "g" and "data-year" in a}
    assert {y: c for y, c in bars.items() if c} == expected
    # Gaps between the first and last year are drawn as empty bars, not skipped.
    years = sorted(int(y) for y in bars)
    assert years == list(range(years[0], years[-1] + 1))


def test_empty_result_and_malformed_queries_give_messages_not_errors(client):
    empty = client.get("/search?q=这个词肯定不存在于任何文件").get_data(as_text=True)
    assert "没有找到" in empty
    too_long = client.get("/search", query_string={"q": "法" * (MAX_QUERY_CHARS + 1)})
    # Cut at the engine's limit, and said so: never a silent cut, never a lost query.
    assert too_long.status_code == 200 and "检索式过长" in too_long.get_data(as_text=True)
    for query in ("((", '"', "-", "同段(", "title:", "year:abc", "OR OR", "：", "\u0000"):
        response = client.get("/search", query_string={"q": query})
        assert response.status_code in (200, 400), query
        if response.status_code == 400:
            assert "检索式有误" in response.get_data(as_text=True)


@pytest.mark.parametrize(("query", "message"), [
    ("sort=bad", "排序方式无效"), ("page=0", "页码"), ("page=x", "页码"),
    ("n=1000", "每页条数过大"), ("n=10&page=500", "页码过大"),
    ("year=" + "9" * 200, "筛选条件过长"),
    ("&".join(f"publisher={i}" for i in range(30)), "筛选条件过多"),
])
def test_bounded_parameters(client, query, message):
    response = client.get("/search?q=法治&" + query)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    api = client.get("/api/search?q=法治&" + query)
    assert api.status_code == 400 and message in api.get_json()["error"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(max_size=40), sort=st.sampled_from(["relevance", "date", "-date", "x"]),
       page=st.text(max_size=3))
def test_no_query_string_causes_a_server_error(client, query, sort, page):
    response = client.get("/search", query_string={"q": query, "sort": sort, "page": page})
    assert response.status_code in (200, 400)
    api = client.get("/api/search", query_string={"q": query, "sort": sort, "page": page})
    assert api.status_code in (200, 400)
    assert api.is_json


# ----------------------------------------------------------------------------- reading view


def test_reading_view_has_anchors_marks_metadata_and_citation(client, seeded):
    doc = next(d for d in seeded.seed_docs if any("行政复议" in p for p in d.paragraphs))
    html = client.get(f"/doc/{doc.id}?q=行政复议").get_data(as_text=True)
    anchors = [a["id"] for tag, a in tags(html) if tag == "p" and (a.get("id") or "").startswith("p")]
    assert anchors == [f"p{i}" for i in range(1, len(doc.paragraphs) + 1)]
    matching = [i for i, p in enumerate(doc.paragraphs, 1) if "行政复议" in p]
    assert html.count("<mark>行政复议</mark>") == sum(p.count("行政复议") for p in doc.paragraphs)
    assert f'href="#p{matching[0]}"' in html  # the "matches in paragraphs …" navigation
    if doc.publisher:
        assert doc.publisher in html
    assert gbt7714(doc, permalink=f"http://localhost/doc/{doc.id}") in text_of(html).replace("&amp;", "&")
    assert f'href="/api/cite/{doc.id}?p={matching[0]}"' in html or f"/api/cite/{doc.id}?p=" in html
    # A local file: its name, never where it lives on the server.
    assert doc.source not in html and doc.source.rsplit("/", 1)[-1] in html


def test_reading_view_carries_zotero_metadata_and_coins(client, seeded):
    doc = next(d for d in seeded.seed_docs if d.publisher and d.published)
    html = client.get(f"/doc/{doc.id}").get_data(as_text=True)
    meta = {a["name"]: a["content"] for tag, a in tags(html) if tag == "meta" and a.get("name", "").startswith("citation_")}
    assert meta["citation_title"] == doc.title and meta["citation_author"] == doc.publisher
    assert meta["citation_publication_date"] == doc.published.strftime("%Y/%m/%d")
    assert meta["citation_public_url"] == f"http://localhost/doc/{doc.id}"
    coins = next(a["title"] for tag, a in tags(html) if tag == "span" and a.get("class") == "Z3988")
    assert parse_qs(coins)["rft.title"] == [doc.title] and parse_qs(coins)["ctx_ver"] == ["Z39.88-2004"]


@pytest.mark.parametrize(("fmt", "media", "needle"), [
    ("ris", "application/x-research-info-systems", "TY  - ELEC"),
    ("bibtex", "application/x-bibtex", "@misc{govsearch-"),
    ("csl-json", "application/vnd.citationstyles.csl+json", '"type": "webpage"'),
])
def test_cite_downloads_for_reference_managers(client, seeded, fmt, media, needle):
    doc = seeded.seed_docs[2]
    response = client.get(f"/api/cite/{doc.id}?format={fmt}")
    assert response.status_code == 200 and response.mimetype == media
    assert response.headers["Content-Disposition"].startswith("attachment; filename=\"govsearch-")
    body = response.get_data(as_text=True)
    assert needle in body and doc.title in body and doc.source not in body
    assert client.get(f"/api/cite/{doc.id}").get_json()["downloads"][fmt].endswith(f"format={fmt}")
    assert client.get(f"/api/cite/{doc.id}?format=endnote").status_code == 400


def test_no_server_path_over_http(client, seeded):
    doc = seeded.seed_docs[0]
    for path in ("/api/search?q=法治", f"/api/doc/{doc.id}", "/search.csv?q=法治", "/search?q=法治",
                 f"/api/cite/{doc.id}?p=1", f"/doc/{doc.id}/cite?p=1"):
        body = client.get(path).get_data(as_text=True)
        assert str(Path(doc.source).parent) not in body, path


def test_reading_view_links_original_copies_and_archive(client, seeded):
    html = client.get(f"/doc/{seeded.hostile_id}").get_data(as_text=True)
    anchors = links(html)
    assert HOSTILE_URL in anchors
    assert "https://mirror.example.gov.cn/hostile.html" in anchors
    assert "https://www.example.gov.cn/files/a.pdf" in anchors  # attachments are linked…
    assert "附件2&lt;script&gt;" in html and not any("javascript" in a for a in anchors)  # …safely
    assert f"/doc/{seeded.hostile_id}/archive" in anchors
    assert "SHA-256" in html
    seed_html = client.get(f"/doc/{seeded.seed_ids[0]}").get_data(as_text=True)
    assert "/archive" not in " ".join(links(seed_html))  # no capture, no archive link


@pytest.mark.parametrize("path", [
    "/doc/../etc/passwd", "/doc/..%2F..%2Fetc%2Fpasswd", "/doc/%2e%2e", "/doc/ABCDEF0123456789",
    "/doc/0123456789abcdef0", "/doc/0123456789abcde", "/doc/0000000000000000",
    "/doc/0000000000000000/archive", "/doc/0000000000000000/cite",
])
def test_bad_or_unknown_ids_are_404(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert "Traceback" not in response.get_data(as_text=True)


def test_api_errors_are_json(client):
    for path, status in (("/api/doc/../x", 404), ("/api/doc/0000000000000000", 404),
                         ("/api/cite/0000000000000000", 404), ("/api/nothing", 404)):
        response = client.get(path)
        assert response.status_code == status and response.is_json, path
        assert response.get_json()["error"]


def test_no_write_actions_over_http(client, seeded):
    for method in ("post", "put", "delete", "patch"):
        for path in ("/search", "/api/search", f"/doc/{seeded.seed_ids[0]}",
                     f"/api/doc/{seeded.seed_ids[0]}"):
            response = getattr(client, method)(path)
            assert response.status_code == 405, (method, path)
    backend = open_index(seeded.data_dir, readonly=True)
    try:
        assert backend.stats()["documents"] == 6
    finally:
        backend.close()


# ------------------------------------------------------------------------------- citation


def test_cite_api_matches_the_core_citation_and_links(client, seeded):
    doc = seeded.seed_docs[0]
    data = client.get(f"/api/cite/{doc.id}?p=3").get_json()
    assert data["gbt7714"] == gbt7714(doc, accessed=dt.date.fromisoformat(data["accessed"]),
                                      permalink=data["permalink"].split("#")[0])
    assert data["locator"] == "第3段" and data["in_text"] == "[1]第3段"
    assert data["access_url_is_permalink"] and data["source"] == doc.source.rsplit("/", 1)[-1]
    assert data["permalink"].endswith(f"/doc/{doc.id}#p3")
    assert data["text"] == doc.paragraphs[2]
    assert data["text_fragment_url"] is None  # a local file has no page to point into
    hostile = client.get(f"/api/cite/{seeded.hostile_id}?p=4").get_json()
    fragment = hostile["text_fragment_url"]
    assert fragment.startswith(HOSTILE_URL + "#:~:text=")
    assert HOSTILE_WORD in unquote(fragment.split("#:~:text=", 1)[1])
    assert hostile["archive"]["sha256"] and hostile["archive"]["captured"].startswith("2021-03-02")
    assert client.get(f"/api/cite/{doc.id}?p=0").status_code == 404
    assert client.get(f"/api/cite/{doc.id}?p=9999").status_code == 404
    assert client.get(f"/api/cite/{doc.id}?p=x").status_code == 400


def test_cite_page_works_without_javascript(client, seeded):
    html = client.get(f"/doc/{seeded.hostile_id}/cite?p=2").get_data(as_text=True)
    assert "GB/T 7714" in html and "#:~:text=" in html and "/archive" in html
    assert 'data-copy-from="cite-gbt"' in html
    assert_no_injected_markup(html)


# -------------------------------------------------------------------------------- archive


def test_archive_page_is_sandboxed_and_cleaned(client, seeded):
    page = client.get(f"/doc/{seeded.hostile_id}/archive")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    frames = [a for tag, a in tags(html) if tag == "iframe"]
    assert len(frames) == 1 and frames[0]["sandbox"] in ("", None)  # no allow-* at all
    raw = client.get(frames[0]["src"])
    body = raw.get_data(as_text=True)
    assert raw.status_code == 200
    assert raw.headers["Content-Security-Policy"].startswith("sandbox")
    assert "script-src" not in raw.headers["Content-Security-Policy"]  # default-src 'none'
    assert f"{HOSTILE_WORD}存档页面" in body
    lowered = body.lower()
    for bad in ("<script", "onerror", "onload", "javascript:", "<iframe"):
        assert bad not in lowered, bad
    assert client.get(f"/doc/{seeded.seed_ids[0]}/archive").status_code == 404
    assert client.get(f"/doc/{seeded.seed_ids[0]}/archive/raw").status_code == 404


def test_archive_finds_the_cited_capture_after_a_newer_one(tmp_path):
    """A re-crawl whose bytes changed but text did not leaves the document citing the older
    capture while the crawl state points at the newer one: the cited one must still show."""
    seeded = build_seeded_index(tmp_path)
    write_capture(tmp_path, HOSTILE_PAGE.replace(b"</body>", b"<p>\xe6\x96\xb0</p></body>"),
                  fetched=dt.datetime(2022, 1, 1, tzinfo=dt.UTC))
    app = create_app(tmp_path)
    try:
        client = app.test_client()
        cited = client.get(f"/api/doc/{seeded.hostile_id}").get_json()["capture_sha256"]
        raw = client.get(f"/doc/{seeded.hostile_id}/archive/raw")
        assert raw.status_code == 200 and raw.headers["X-Capture-SHA256"] == cited
        assert "<p>新</p>" not in raw.get_data(as_text=True)
    finally:
        app.extensions["govsearch_backend"].close()


# ---------------------------------------------------------------------- escaping everywhere


def test_hostile_document_is_text_in_search_and_reading_view(client, seeded):
    for url in (f"/search?q={HOSTILE_WORD}", f"/doc/{seeded.hostile_id}",
                f"/doc/{seeded.hostile_id}?q={HOSTILE_WORD}", "/",
                f"/doc/{seeded.hostile_id}/archive", f"/doc/{seeded.hostile_id}/cite?p=1"):
        html = client.get(url).get_data(as_text=True)
        assert_no_injected_markup(html)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url
    html = client.get(f"/search?q={HOSTILE_WORD}").get_data(as_text=True)
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_atom_feed_newest_first_escaped_and_well_formed(client):
    response = client.get("/search.atom?q=法治")
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) >= 5
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)
    hostile = ET.fromstring(client.get(f"/search.atom?q={HOSTILE_WORD}").get_data())
    entry = hostile.find(f"{ATOM}entry")
    assert SCRIPT_PAYLOAD in entry.find(f"{ATOM}title").text  # text, as the title says
    assert entry.find(f"{ATOM}title").get("type") == "text"
    assert not list(entry.find(f"{ATOM}title"))  # no child elements smuggled in
    assert client.get("/search.atom?sort=x").status_code == 400


def test_atom_feed_titles_filters_in_chinese_and_links_with_the_query(client):
    root = ET.fromstring(client.get("/search.atom?q=法治&province=湖北省").get_data())
    assert root.find(f"{ATOM}title").text == "govsearch：法治（省份：湖北省）"
    link = root.find(f"{ATOM}entry").find(f"{ATOM}link").get("href")
    assert "?q=%E6%B3%95%E6%B2%BB" in link  # the reading view marks the matches


def test_csv_export_has_bom_all_hits_and_neutralised_formulas(client):
    response = client.get(f"/search.csv?q={HOSTILE_WORD}")
    raw = response.get_data()
    assert raw.startswith("\ufeff".encode())
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert header[:6] == ["编号", "标题", "发布机构", "发布日期", "文号", "地区"]
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    assert row["文号"] == "'=1+2"
    assert row["标题"].startswith(HOSTILE_WORD) and SCRIPT_PAYLOAD in row["标题"]
    assert row["发布机构"] == IMG_PAYLOAD + "测试局"
    everything = list(csv.reader(io.StringIO(client.get("/search.csv?q=法治").get_data().decode("utf-8-sig"))))
    assert len(everything) - 1 == client.get("/api/search?q=法治").get_json()["total"]
    for cell in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1"):
        assert neutralise(cell).startswith("'")
    assert neutralise("2021-03-01") == "2021-03-01" and neutralise(None) == ""


# -------------------------------------------------------------------------------- JSON API


def test_api_search_has_the_cli_json_shape(client):
    data = client.get("/api/search?q=行政复议&n=2").get_json()
    # plus "explain": how the page read the query (lenient repairs, a cut, zero-hit help)
    assert set(data) == set(SearchResults(query="", total=0, took_ms=0).to_dict()) | {"explain"}
    assert len(data["hits"]) == 2
    hit = data["hits"][0]
    for key in ("id", "title", "source", "publisher", "published", "doc_number", "region",
                "score", "duplicates", "passages"):
        assert key in hit
    assert hit["passages"][0]["html"].count("<mark>") >= 1


def test_api_doc_and_stats(client, seeded):
    doc = client.get(f"/api/doc/{seeded.seed_ids[1]}").get_json()
    assert doc["id"] == seeded.seed_ids[1] and doc["paragraphs"]
    stats = client.get("/api/stats").get_json()
    assert stats["documents"] == 6
    assert not any(key.endswith("_path") for key in stats)


def test_same_state_from_a_pasted_url(client):
    url = "/search?q=法治&province=湖北省&sort=-date&n=20"
    html = client.get(url).get_data(as_text=True)
    assert 'value="法治"' in html
    assert "省份：湖北省" in text_of(html)
    assert '<span class="current" aria-current="true">发布日期（新→旧）</span>' in html
    # Every facet link keeps query, sort and page size.
    for href in (h for h in links(html) if h.startswith("/search?") and "city=" in h):
        params = parse_qs(urlsplit(href.replace("&amp;", "&")).query)
        assert params["q"] == ["法治"] and params["sort"] == ["-date"] and params["n"] == ["20"]


def test_missing_index_directory_shows_an_empty_collection(tmp_path: Path):
    app = create_app(tmp_path / "nothing-here")
    response = app.test_client().get("/")
    assert response.status_code == 200
    assert "索引中还没有文件" in response.get_data(as_text=True)
    app.extensions["govsearch_backend"].close()


# ------------------------------------------------------------------------------- helpers


def test_reading_view_marks_what_search_matched_across_normalisation(client, seeded):
    doc = next(d for d in seeded.seed_docs if any("行政复议" in p for p in d.paragraphs))
    traditional = client.get(f"/doc/{doc.id}?q=行政復議").get_data(as_text=True)
    assert "<mark>行政复议</mark>" in traditional
    negated = client.get(f"/doc/{doc.id}?q=-行政复议").get_data(as_text=True)
    assert "<mark>" not in negated  # an excluded string is not a match


def test_mark_escapes_text_and_never_unbalances_the_page():
    from webui.highlight import mark

    assert mark("a <b> c", [(6, 7)]) == "a &lt;b&gt; <mark>c</mark>"
    assert mark("<script>x</script>y", [(18, 19)]) == "&lt;script&gt;x&lt;/script&gt;<mark>y</mark>"
    # Spans from a bad source: out of range, reversed or overlapping are clipped or skipped.
    assert mark("abc", [(2, 99), (1, 2), (0, 3), (5, 4)]) == "<mark>abc</mark>"


def test_year_chart_layout():
    from indexer.api import FacetValue
    from webui.chart import MAX_YEARS, year_chart

    chart = year_chart([FacetValue("2015", 3), FacetValue("2018", 1), FacetValue("未知", 9)], ["2018"])
    assert [b.year for b in chart.bars] == [2015, 2016, 2017, 2018]
    assert [b.count for b in chart.bars] == [3, 0, 0, 1]
    assert chart.bars[3].selected and not chart.bars[0].selected
    assert chart.bars[0].height > chart.bars[3].height >= 2
    assert all(b.y + b.height == chart.baseline for b in chart.bars if b.count)
    assert year_chart([]) is None and year_chart([FacetValue("x", 1)]) is None
    wide = year_chart([FacetValue("1950", 1), FacetValue("2020", 1)])
    assert len(wide.bars) == MAX_YEARS and wide.bars[-1].year == 2020


def test_page_size_links(client):
    html = client.get("/search?q=法治").get_data(as_text=True)
    assert "/search?q=%E6%B3%95%E6%B2%BB&amp;n=20" in html
    assert client.get("/search?q=法治&n=50").status_code == 200


def test_public_url_is_used_in_citations_and_feeds(seeded):
    app = create_app(seeded.data_dir, config={"PUBLIC_URL": "https://search.example.gov.cn/"})
    try:
        client = app.test_client()
        cite = client.get(f"/api/cite/{seeded.hostile_id}?p=1").get_json()
        assert cite["permalink"] == f"https://search.example.gov.cn/doc/{seeded.hostile_id}#p1"
        assert cite["archive"]["url"].startswith("https://search.example.gov.cn/doc/")
        feed = client.get("/search.atom?q=法治").get_data(as_text=True)
        assert "https://search.example.gov.cn/doc/" in feed and "http://localhost" not in feed
    finally:
        app.extensions["govsearch_backend"].close()


def test_serve_command_defaults_and_bad_public_url(tmp_path):
    from click.testing import CliRunner

    from govsearch.cli import main
    from govsearch.commands.serve import serve

    defaults = {p.name: p.default for p in serve.params}
    assert defaults["host"] == "127.0.0.1" and defaults["port"] == 8000
    result = CliRunner().invoke(main, ["--data-dir", str(tmp_path), "serve", "--public-url",
                                       "search.example.gov.cn"])
    assert result.exit_code == 2 and "http://" in result.output


# ----------------------------------------------------------------------------- report structure


def test_reading_view_shows_the_report_outline_and_its_json_twin(client, seeded):
    report = next(d for d in seeded.seed_docs if d.title and d.title.startswith("漳河新区"))
    data = client.get(f"/api/doc/{report.id}").get_json()
    outline = data["outline"]
    assert [h["part"] for h in outline["headings"] if h["level"] == 1] == [
        "measures", "shortcomings", "next_year"]
    assert outline["missing"] == ["第一责任人履职", "其他情况"]
    html = client.get(f"/doc/{report.id}").get_data(as_text=True)
    assert "报告结构" in html and "未检出：第一责任人履职、其他情况" in html
    first = outline["headings"][0]
    assert f'href="#p{first["paragraph"]}"' in html  # each heading links to its paragraph
    notice = next(d for d in seeded.seed_docs if d.title and "意见" in d.title)
    assert client.get(f"/api/doc/{notice.id}").get_json()["outline"] is None  # not a report


def test_the_structure_facet_counts_reports_by_missing_parts(client):
    facets = client.get("/api/search?q=法治").get_json()["facets"]["parts"]
    values = {f["value"]: f["count"] for f in facets}
    # 漳河新区's report, and 县2017年度…总结 whose 存在的问题及下一步打算 names two parts.
    assert values.get("缺：第一责任人履职、其他情况") == 2
    narrowed = client.get("/api/search?parts=缺：第一责任人履职、其他情况").get_json()
    assert sorted(h["title"][:4] for h in narrowed["hits"]) == ["县201", "漳河新区"]


def test_lenient_banner_cut_notice_and_zero_hit_help(client, seeded):
    html = client.get('/search?q="行政复议').get_data(as_text=True)
    assert "已按 “" in text_of(html) and "补上了缺少的后引号" in html
    assert "已按" not in client.get("/search?q=行政复议").get_data(as_text=True)
    data = client.get("/api/search?q=行政复议 量子纠缠").get_json()
    alone = client.get("/api/search?q=行政复议").get_json()["total"]
    assert data["total"] == 0 and data["explain"]["zero_hits"]["missing"] == ["量子纠缠"]
    assert data["explain"]["zero_hits"]["without"] == "行政复议"
    assert data["explain"]["zero_hits"]["without_count"] == alone > 0
    long = "法" * 1200
    page = client.get(f"/search?q={long}")
    assert page.status_code == 200 and "只检索了前 1000 个字符" in page.get_data(as_text=True)
    error = client.get("/search?q=year:abc").get_data(as_text=True)
    assert 'value="year:abc"' in error
    missing = client.get("/doc/0000000000000000?q=行政复议").get_data(as_text=True)
    assert 'value="行政复议"' in missing


def test_typing_suggestions_come_from_the_index(client, seeded):
    data = client.get("/api/suggest?q=行政复议 青山").get_json()
    kinds = {s["kind"] for s in data["suggestions"]}
    assert {"发布机构", "地区", "标题"} <= kinds
    assert all(s["query"].startswith("行政复议 ") and "青山" in s["value"] for s in data["suggestions"])
    publisher = next(s for s in data["suggestions"] if s["kind"] == "发布机构")
    assert client.get("/api/search", query_string={"q": publisher["query"]}).get_json()["total"] > 0
    assert client.get("/api/suggest?q=").get_json()["suggestions"] == []
