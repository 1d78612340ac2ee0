"""The web UI in a real browser: Debian's Chromium driven by Playwright, against the real
``govsearch serve`` (waitress) over an index of the seeds plus one hostile document.

Never runs ``playwright install``: the browser is the system's /usr/bin/chromium. Without it
these tests skip with a reason, except under CI=true, where a missing browser is a failure.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from conftest_webui import (
    HOSTILE_WORD,
    IMG_PAYLOAD,
    ROOT,
    SCRIPT_PAYLOAD,
    SeededIndex,
    build_seeded_index,
    many_publisher_documents,
    serve,
)

pytestmark = pytest.mark.browser

ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> SeededIndex:
    return build_seeded_index(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def server(seeded) -> Iterator[str]:
    with serve(seeded.data_dir) as url:
        yield url


class PageWatch:
    """Records every JavaScript dialog (alert/confirm/prompt) and console error of a page."""

    def __init__(self, page) -> None:
        self.dialogs: list[str] = []
        self.console_errors: list[str] = []
        page.on("dialog", self._on_dialog)
        page.on("console", self._on_console)
        page.on("pageerror", lambda err: self.console_errors.append(f"pageerror: {err}"))

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _on_console(self, message) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN",
                                  permissions=["clipboard-read", "clipboard-write"])
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    page.watch = PageWatch(page)
    yield page
    assert page.watch.dialogs == [], f"a script ran: {page.watch.dialogs}"


def total(page) -> int:
    return int(page.locator("#total").inner_text())


def api_json(server: str, path: str) -> dict:
    with urllib.request.urlopen(server + path) as response:  # local test server only
        return json.loads(response.read().decode("utf-8"))


# ---------------------------------------------------------------------------------- tests


def test_dialog_detector_works(page, server):
    """Guards the XSS test below: prove an alert() would be seen."""
    page.goto(server + "/")
    page.evaluate("() => window.alert('probe')")
    assert page.watch.dialogs == ["probe"]
    page.watch.dialogs.clear()


def test_search_facet_anchor_and_back_button(page, server):
    page.goto(server + "/")
    page.fill("#q", "行政复议")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?q=*")
    first_total = total(page)
    assert first_total == api_json(server, "/api/search?q=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE")["total"]
    marks = page.locator(".passage-text mark")
    assert marks.count() > 0 and marks.first.inner_text() == "行政复议"

    facet = page.locator('section[data-facet="province"] a[data-value="湖北省"]')
    expected = int(facet.locator(".facet-count").inner_text())
    facet.click()
    page.wait_for_url("**province=*")
    assert total(page) == expected < first_total
    assert page.locator(".chip").inner_text().startswith("省份：湖北省")

    passage_link = page.locator("a.para-no").first
    anchor = passage_link.get_attribute("href").rsplit("#", 1)[1]
    passage_link.click()
    page.wait_for_url(f"**#{anchor}")
    target = page.locator(f"#{anchor}")
    assert page.evaluate("() => document.querySelector(':target').id") == anchor
    assert target.locator("mark").count() > 0
    box = target.bounding_box()
    assert box is not None and 0 <= box["y"] < 900, "the paragraph is scrolled into view"

    page.go_back()
    page.wait_for_url("**province=*")
    assert total(page) == expected
    page.go_back()
    page.wait_for_url("**/search?q=*")
    assert "province" not in page.url and total(page) == first_total
    assert page.watch.console_errors == []


def test_year_bar_filters_by_year(page, server):
    page.goto(server + "/search?q=%E6%B3%95%E6%B2%BB")
    bar = page.locator('g.bar[data-year="2017"]')
    count = int(bar.get_attribute("data-count"))
    assert count > 0
    bar.click()
    page.wait_for_url("**year=2017*")
    assert total(page) == count
    assert page.locator('g.bar.selected[data-year="2017"]').count() == 1


def test_citation_dialog_shows_gbt7714_and_copies_it(page, server):
    page.goto(server + "/search?q=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE")
    cite = page.locator(".passage a.cite-link").first
    api_path = cite.get_attribute("data-cite")
    expected = api_json(server, api_path)
    cite.click()
    dialog = page.locator("#cite-dialog")
    assert dialog.is_visible()
    gbt = page.locator("#cite-dialog-gbt")
    gbt.wait_for(state="visible")
    assert gbt.inner_text() == expected["gbt7714"]
    assert "[EB" in expected["gbt7714"] and "段" not in expected["gbt7714"].rsplit("]", 1)[1]
    assert page.locator('#cite-dialog [data-field="in_text"]').inner_text() == f"[1]第{expected['paragraph']}段"
    assert page.locator("#cite-dialog-permalink").inner_text().endswith(f"#p{expected['paragraph']}")
    ris = page.locator('#cite-dialog a[data-field="download_ris"]')
    assert ris.inner_text() == "RIS" and ris.get_attribute("href").endswith("format=ris")
    with page.expect_download() as download:
        ris.click()
    assert download.value.suggested_filename.endswith(".ris")
    assert Path(download.value.path()).read_text("utf-8").startswith("TY  - ELEC")
    page.locator('#cite-dialog button.copy[data-copy-from="cite-dialog-gbt"]').click()
    assert page.evaluate("() => navigator.clipboard.readText()") == expected["gbt7714"]
    page.keyboard.press("Escape")
    assert not dialog.is_visible()
    assert page.watch.console_errors == []


def test_pasted_url_restores_the_same_state(context, server):
    url = (server + "/search?q=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE&province=%E6%B9%96%E5%8C%97%E7%9C%81"
           "&sort=-date")
    first = context.new_page()
    first.goto(url)
    state = (total(first), first.locator(".hit-title").all_inner_texts())
    fresh = context.new_page()
    PageWatch(fresh)
    fresh.goto(first.url)
    assert (total(fresh), fresh.locator(".hit-title").all_inner_texts()) == state
    assert fresh.input_value("#q") == "行政复议"
    assert fresh.locator(".chip").count() == 1
    assert fresh.locator(".sort .current").inner_text() == "发布日期（新→旧）"
    assert fresh.locator('section[data-facet="province"] li.selected').count() == 1


def test_hostile_document_renders_as_text_everywhere(page, server, seeded):
    doc = seeded.hostile_id
    for path in ("/", f"/search?q={HOSTILE_WORD}", f"/doc/{doc}", f"/doc/{doc}?q={HOSTILE_WORD}",
                 f"/doc/{doc}/cite?p=1", "/search.atom?q=" + HOSTILE_WORD):
        page.goto(server + path)
        if path.startswith("/search.atom"):
            continue  # an XML document: nothing to run, the dialog watch still applies
        text = page.locator("body").inner_text()
        assert SCRIPT_PAYLOAD in text, path
        assert page.locator("img").count() == 0, path
    page.goto(server + f"/search?q={HOSTILE_WORD}")
    assert IMG_PAYLOAD.strip() in page.locator(".hit-title").inner_text()
    page.locator(".passage a.cite-link").first.click()
    page.locator("#cite-dialog-gbt").wait_for(state="visible")
    assert SCRIPT_PAYLOAD in page.locator("#cite-dialog-gbt").inner_text()
    assert page.locator("#cite-dialog img").count() == 0
    fragment = page.locator("#cite-dialog-fragment")
    assert fragment.is_visible() and "#:~:text=" in fragment.get_attribute("href")
    archive = page.locator("#cite-dialog-archive")
    assert archive.is_visible() and archive.get_attribute("href").endswith(f"/doc/{doc}/archive")
    assert len(page.locator('#cite-dialog [data-field="archive_sha256"]').inner_text()) == 64
    assert page.watch.console_errors == []


def test_archive_copy_cannot_run_scripts(page, server, seeded):
    page.goto(server + f"/doc/{seeded.hostile_id}/archive")
    assert "SHA-256" in page.locator("body").inner_text()
    frame = page.frame_locator("iframe.archive-frame")
    assert f"{HOSTILE_WORD}存档页面" in frame.locator("h1").inner_text()
    assert frame.locator("script").count() == 0
    # Direct navigation to the raw copy is also sandboxed by its own CSP.
    page.goto(server + f"/doc/{seeded.hostile_id}/archive/raw")
    assert page.locator("h1").inner_text().startswith(HOSTILE_WORD)
    assert page.locator("img[data-original-src]").count() == 1  # kept, but not loaded
    assert page.watch.console_errors == []


def test_screenshot_of_the_search_page(page, server):
    ARTIFACTS.mkdir(exist_ok=True)
    page.goto(server + "/")
    page.screenshot(path=str(ARTIFACTS / "front.png"), full_page=True)
    page.goto(server + "/search?q=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE")
    page.locator(".syntax-help summary").click()
    assert page.locator(".syntax-panel").is_visible()
    assert "同段" in page.locator(".syntax-panel").inner_text()
    page.locator(".syntax-help summary").click()
    path = ARTIFACTS / "search.png"
    page.screenshot(path=str(path), full_page=False)
    assert path.stat().st_size > 20_000
    assert page.watch.console_errors == []


def test_the_report_outline_links_to_its_parts(page, server, seeded):
    report = next(d for d in seeded.seed_docs if d.title and d.title.startswith("漳河新区"))
    page.goto(server + f"/doc/{report.id}")
    outline = page.locator("nav.outline")
    assert outline.is_visible()
    assert outline.locator(".part.missing").all_inner_texts() == ["✗ 第一责任人履职", "✗ 其他情况"]
    link = outline.locator("li.level1 a", has_text="存在的主要问题")
    anchor = link.get_attribute("href").lstrip("#")
    link.click()
    page.wait_for_url(f"**#{anchor}")
    box = page.locator(f"#{anchor}").bounding_box()
    assert box is not None and 0 <= box["y"] < 900, "the heading's paragraph is scrolled into view"
    assert "存在的主要问题" in page.locator(f"#{anchor}").inner_text()


# ------------------------------------------------------------------ issue 14: queries explain themselves


@pytest.mark.parametrize("typed", ["榆政办发[2017]46号", "榆政办发【2017】46号", "榆政办发(2017)46号",
                                   "榆政办发（2017）46号", "榆政办发 [ 2017 ] 46号"])
def test_doc_number_typed_with_any_brackets(page, server, typed):
    """A 文号 as people type it finds what the 〔〕 form finds, and is highlighted as one string."""
    expected = api_json(server, "/api/search?q=" + quote("榆政办发〔2017〕46号"))["total"]
    page.goto(server + "/")
    page.fill("#q", typed)
    page.press("#q", "Enter")
    page.wait_for_url("**/search?q=*")
    assert total(page) == expected > 0
    assert page.locator(".passage-text mark").first.inner_text() == "榆政办发〔2017〕46号"
    assert page.locator(".notice.lenient").count() == 0


def test_lenient_banner_and_zero_hit_help(page, server):
    page.goto(server + "/")
    page.fill("#q", '"行政复议')
    page.press("#q", "Enter")
    page.wait_for_url("**/search?q=*")
    banner = page.locator(".notice.lenient")
    assert banner.is_visible() and "已按 “行政复议” 理解" in banner.inner_text()
    page.fill("#q", "行政复议 量子纠缠")
    page.press("#q", "Enter")
    page.wait_for_url("**%E9%87%8F%E5%AD%90*")
    assert page.locator(".zero-missing .missing-term").all_inner_texts() == ["“量子纠缠”"]
    offer = page.locator(".zero-without a")
    count = int(page.locator(".zero-without strong").inner_text())
    assert offer.inner_text() == "行政复议" and count > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "zero-hit-help.png"))
    offer.click()
    page.wait_for_url("**/search?q=%E8%A1%8C%E6%94%BF%E5%A4%8D%E8%AE%AE")
    assert total(page) == count
    assert page.watch.console_errors == []


def test_typing_suggestions_from_the_index(page, server):
    page.goto(server + "/")
    page.locator("#q").press_sequentially("青山")
    page.wait_for_function("() => document.querySelectorAll('#q-suggest option').length > 0")
    values = page.locator("#q-suggest option").evaluate_all("els => els.map(e => e.value)")
    assert any(v.startswith("发布机构:") for v in values) and all("青山" in v for v in values)
    assert page.watch.console_errors == []


# ------------------------------------------------------------------ issue 14: state, keyboard, a11y


def page_types(seeded) -> dict[str, str]:
    """One URL of every page type the UI has (the diff needs a changed page: test_crawl_changes)."""
    doc, other = seeded.seed_ids[2], seeded.seed_ids[3]
    return {"front": "/", "results": "/search?q=" + quote("行政复议"),
            "zero-hits": "/search?q=" + quote("行政复议 量子纠缠"),
            "reading": f"/doc/{doc}?q=" + quote("行政复议"), "cite": f"/doc/{doc}/cite?p=2",
            "archive": f"/doc/{seeded.hostile_id}/archive", "help": "/help",
            "compare": f"/compare?a={other}&b={doc}", "changes": "/changes?since=2000-01-01",
            "error": "/doc/0000000000000000?q=" + quote("行政复议"),
            "facet values": "/facet/publisher?q=" + quote("法治"), "advanced": "/advanced",
            "trends": "/trends?q=" + quote("行政复议") + "&q=" + quote("应诉") + "&by=year",
            "trends by province": "/trends?q=" + quote("行政复议") + "&by=province",
            "tracker": "/tracker?year=2019&province=" + quote("湖北省") + "&level=county"}


def serious_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def test_axe_finds_no_serious_violations_on_any_page_type(page, server, seeded):
    found: dict[str, list[str]] = {}
    for name, path in page_types(seeded).items():
        page.goto(server + path)
        assert page.locator("h1").count() >= 1, f"{name}: no h1"
        found[name] = serious_violations(page)
    page.goto(server + page_types(seeded)["reading"])
    page.locator(".doc-body a.cite-link").first.click()
    page.locator("#cite-dialog-gbt").wait_for(state="visible")
    found["citation dialog"] = serious_violations(page)
    assert {k: v for k, v in found.items() if v} == {}
    assert len(found) == 16


def test_back_link_and_new_search_keep_filters_sort_and_page_size(page, server):
    start = (server + "/search?q=" + quote("法治") + "&province=" + quote("湖北省") + "&sort=-date&n=20")
    page.goto(start)
    hits = total(page)
    page.locator(".hit-title a").first.click()
    page.wait_for_url("**/doc/*")
    back = page.locator("nav.back a")
    assert "保留筛选" in back.inner_text()
    back.click()
    page.wait_for_url("**/search?*")
    assert "province=" in page.url and "sort=-date" in page.url and "n=20" in page.url
    assert total(page) == hits and page.locator(".per-page .current").inner_text() == "20"
    page.locator(".hit-title a").first.click()
    page.wait_for_url("**/doc/*")
    page.fill("#q", "行政复议")
    page.press("#q", "Enter")
    page.wait_for_url("**/search?*")
    assert "province=" in page.url and "sort=-date" in page.url and "n=20" in page.url
    assert page.locator(".chip").count() == 1


def test_keyboard_only_cites_one_paragraph_and_skip_link_reaches_results(page, server, seeded):
    page.goto(server + "/search?q=" + quote("行政复议"))
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => !!document.activeElement.closest('#results')")

    page.goto(server + f"/doc/{seeded.seed_ids[2]}")
    for _presses in range(400):
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('.para a.cite-link')"):
            break
    else:
        pytest.fail("Tab never reached a per-paragraph 引用 link")
    focused = page.locator(".para a.cite-link:focus")
    assert float(focused.evaluate("e => getComputedStyle(e).opacity")) == 1.0 and focused.is_visible()
    number = int(focused.evaluate("e => e.closest('.para').id.slice(1)"))
    page.keyboard.press("Enter")
    page.locator("#cite-dialog-gbt").wait_for(state="visible")
    assert page.locator('#cite-dialog [data-field="target"]').inner_text().endswith(f"第 {number} 段")
    assert page.locator("#cite-dialog-permalink").inner_text().endswith(f"#p{number}")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "keyboard-cite-paragraph.png"))
    page.keyboard.press("Escape")
    assert not page.locator("#cite-dialog").is_visible()


def test_phone_filters_drawer(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", is_mobile=True,
                                  has_touch=True)
    try:
        page = context.new_page()
        watch = PageWatch(page)
        page.goto(server + "/search?q=" + quote("法治"))
        facets = page.locator("#facets")
        assert not facets.is_visible()
        first_hit = page.locator(".hit").first.bounding_box()
        assert first_hit is not None and first_hit["y"] < 844, "the first hit is on the first screen"
        assert page.locator("#q").bounding_box()["width"] > 300
        toggle = page.locator("button.filter-toggle")
        toggle.click()
        assert facets.is_visible() and toggle.get_attribute("aria-expanded") == "true"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "phone-filter-drawer.png"))
        value = facets.locator('section[data-facet="province"] a').first
        expected = int(value.locator(".facet-count").inner_text())
        value.click()
        page.wait_for_url("**province=*")
        assert total(page) == expected
        assert watch.console_errors == [] and watch.dialogs == []
    finally:
        context.close()


# ------------------------------------------------------------------ issue 14: complete facets


@pytest.fixture(scope="module")
def many_server(tmp_path_factory) -> Iterator[str]:
    """The seeds plus 60 one-document publishers: more values than a facet list shows."""
    from indexer import open_index

    seeded = build_seeded_index(tmp_path_factory.mktemp("many"), with_capture=False)
    backend = open_index(seeded.data_dir)
    try:
        assert not backend.add(many_publisher_documents()).failed
    finally:
        backend.close()
    with serve(seeded.data_dir) as url:
        yield url


def test_a_facet_value_beyond_the_50th_is_reachable_and_filters(page, many_server):
    page.goto(many_server + "/search?province=" + quote("浙江省"))
    facet = page.locator('section[data-facet="publisher"]')
    shown = facet.locator("a[data-value]").count()
    link = facet.locator("a.facet-all-link")
    totals = api_json(many_server, "/api/search?province=" + quote("浙江省"))["facet_totals"]
    assert link.inner_text() == f"全部 {totals['publisher']} 项" and totals["publisher"] > shown == 50
    every = api_json(many_server, "/api/facet/publisher?province=" + quote("浙江省"))["values"]
    beyond = every[-1]["value"]  # the last in count-then-pinyin order: not among the 50 shown
    assert facet.locator(f'a[data-value="{beyond}"]').count() == 0
    link.click()
    page.wait_for_url("**/facet/publisher?*")
    items = page.locator("#facet-values li")
    assert items.count() == totals["publisher"]
    page.fill("#facet-contains", beyond[:2])  # the page's own filter box narrows as one types
    visible = page.locator("#facet-values li:not([hidden])")
    assert visible.count() == 1 and page.locator("[data-facet-shown]").inner_text() == "1"
    visible.locator("a").click()
    page.wait_for_url("**/search?*publisher=*")
    assert total(page) == 1
    assert beyond in page.locator(".chips").inner_text()
    assert page.locator(".hit").first.inner_text().count(beyond) >= 1
    assert serious_violations(page) == []
    assert page.watch.console_errors == []


# ------------------------------------------------------------------ issue 14: 高级检索


def test_advanced_form_writes_the_query_into_the_box_and_searches(page, server):
    page.goto(server + "/search?q=" + quote("法治"))
    page.locator("a.advanced-link").click()  # linked beside the search box
    page.wait_for_url("**/advanced")
    page.fill("#adv-text_all", "行政复议")
    page.fill("#adv-title_not", "通知")
    page.fill("#adv-year_from", "2017")
    expected = api_json(server, "/api/advanced?text_all=" + quote("行政复议") + "&title_not=" + quote("通知")
                        + "&year_from=2017")["query"]
    assert expected == "行政复议 年份:2017.. -标题:通知"
    box = page.locator("#q")
    page.wait_for_function("(q) => document.getElementById('q').value === q", arg=expected)
    assert page.locator("[data-advanced-query]").inner_text() == expected
    page.locator(".advanced-form button[type=submit]").click()
    page.wait_for_url("**/search?q=*")
    assert box.input_value() == expected
    assert total(page) == api_json(server, "/api/search?q=" + quote(expected))["total"] > 0
    assert page.watch.console_errors == []


def test_axe_on_the_version_diff_page(page, tmp_path):
    """The one page type the seeded index cannot show: a page that changed between crawls."""
    import datetime as dt

    from conftest_webui import serve

    from indexer import Document, make_id, open_index
    from indexer.document import Version, version_id

    url = "https://www.example.gov.cn/art/2024/3/1/changed.html"
    current_id = make_id(url)
    old_id = version_id(current_id, "2024-03-01T08:00:00+00:00")
    old = Document(id=old_id, title="某县2023年度法治政府建设情况报告", source=url, version_of=current_id,
                   paragraphs=["一、主要举措和成效", "全年办理行政复议案件12件。"], doc_type="报告", year=2023,
                   captured=dt.datetime(2024, 3, 1, 8, tzinfo=dt.UTC))
    current = Document(id=current_id, title="某县2023年度法治政府建设情况报告", source=url,
                       paragraphs=["一、主要举措和成效", "全年办理行政复议案件15件，纠错3件。"], doc_type="报告",
                       year=2023, captured=dt.datetime(2024, 4, 2, 8, tzinfo=dt.UTC),
                       versions=[Version(id=old_id, captured="2024-03-01T08:00:00+00:00", capture_sha256=None)])
    backend = open_index(tmp_path)
    try:
        backend.add([old, current])
    finally:
        backend.close()
    with serve(tmp_path) as server:
        page.goto(server + f"/doc/{current_id}/diff")
        assert page.locator("h1").count() >= 1
        assert page.locator("table.diff del").all_inner_texts() == ["2"]  # 12件 → 15件，纠错3件
        assert page.locator("table.diff ins").all_inner_texts() == ["5件，纠错3"]
        assert serious_violations(page) == []
