"""Bounds of the cleaner on pathological pages (found by the hardening fuzz runs)."""


def test_pages_of_hundreds_of_thousands_of_tiny_elements_are_refused_quickly():
    """Hardening bug 5: 200,000 one-character <p> (or links) took 10-18 s to clean."""
    import time

    from extract.clean import clean_bytes

    for element in ("<p>字</p>", '<a href="/a.html">字</a>'):
        page = ("<html><body>" + element * 200_000 + "</body></html>").encode("utf-8")
        started = time.monotonic()
        result = clean_bytes(page, url="http://www.example.gov.cn/a.html")
        assert time.monotonic() - started < 2.0
        assert result.document is None and result.kind == "error"
        assert "\n" not in result.reason
