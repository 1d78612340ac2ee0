"""Turn raw page bytes into text, choosing the encoding the way a careful browser would.

Why not just trust the server: government servers often send no charset, or a default
``ISO-8859-1`` that turns GBK pages into mojibake, and many older pages declare ``gb2312``
while containing GBK-only characters (硚, 堃). So the order is: byte-order mark, then a
header charset *that actually decodes the bytes*, then the ``<meta>`` charset (again
verified), then detection with charset-normalizer. GB2312 and GBK are always decoded as
GB18030, their superset, so a page that under-declares still decodes losslessly.
"""

from __future__ import annotations

import codecs
import re

# Declared names that are really aliases of a superset we should decode with instead.
_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "cp936": "gb18030",
    "x-gbk": "gb18030",
    "euc-cn": "gb18030",
    "hz-gb-2312": "gb18030",
    "gb18030": "gb18030",
    "big5": "big5hkscs",
    "ascii": "utf-8",
    "us-ascii": "utf-8",
    "utf8": "utf-8",
}

# Header charsets servers send by default without knowing the content: not evidence.
_UNTRUSTED_HEADER = {codecs.lookup(name).name for name in ("iso-8859-1", "windows-1252", "ascii")}

_UNLIKELY_ON_GOV_SITES = {
    codecs.lookup(name).name
    for name in ("cp949", "euc_kr", "johab", "shift_jis", "cp932", "euc_jp", "euc_jis_2004", "iso2022_kr",
                 "iso2022_jp", "koi8_r", "cp1251", "mac_cyrillic", "cp1250", "cp1253", "cp1255", "cp1256")
}

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE
)
_XML_DECL = re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']([A-Za-z0-9_\-.]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def normalize_encoding_name(name: str | None) -> str | None:
    """Python codec name for a declared charset, mapped to the superset we decode with."""
    if not name:
        return None
    name = name.strip().strip("\"'").lower()
    name = _SUPERSETS.get(name, name)
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return _SUPERSETS.get(canonical, canonical)


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def meta_charset(data: bytes) -> str | None:
    """The charset declared in the first few kilobytes (``<meta>`` or XML declaration)."""
    head = data[:8192]
    match = _META_CHARSET.search(head) or _XML_DECL.search(head)
    return match.group(1).decode("ascii", "ignore") if match else None


def _decodes(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _decodes_mostly(data: bytes, encoding: str) -> str | None:
    """Decode with replacement if only a few bytes are bad (a truncated download, a stray byte).

    A page cut mid-character must still come back readable; a page in a different encoding
    produces many replacement characters and is rejected.
    """
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        return None
    bad = text.count("\ufffd")
    if bad <= max(2, len(text) // 2000):
        return text
    return None


def decode_html(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode page bytes; returns ``(text, encoding_used)``.

    Never raises: the last resort is UTF-8 with replacement characters, so a junk payload
    still yields text that the extractor can judge (and reject) on its own terms.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom):].decode(encoding, errors="replace"), encoding

    # Valid multi-byte UTF-8 is self-validating: a GBK page almost never decodes as UTF-8 by
    # accident, while templates copied from GBK sites often keep a stale gb2312 declaration.
    if any(b >= 0x80 for b in data[:65536]):
        text = _utf8_allowing_cut_tail(data)
        if text is not None:
            return text, "utf-8"

    declared_header = normalize_encoding_name(header_charset(content_type))
    if declared_header and codecs.lookup(declared_header).name not in _UNTRUSTED_HEADER:
        text = _decodes(data, declared_header)
        if text is not None:
            return text, declared_header

    declared_meta = normalize_encoding_name(meta_charset(data))
    if declared_meta:
        text = _decodes(data, declared_meta)
        if text is not None:
            return text, declared_meta

    # Pure UTF-8 is self-validating: a GBK page almost never decodes as UTF-8 by accident.
    text = _decodes(data, "utf-8")
    if text is not None:
        return text, "utf-8"

    detected = _detect(data)
    if detected in _UNLIKELY_ON_GOV_SITES and _decodes(data, "gb18030") is not None:
        # Short GBK snippets look like Korean or Japanese to a detector; Chinese government
        # pages are GBK far more often, so prefer it whenever the bytes are valid GB18030.
        detected = "gb18030"
    if detected:
        text = _decodes(data, detected)
        if text is not None:
            return text, detected

    # Truncated or slightly corrupt pages: prefer what was declared, then what was detected.
    for candidate in (declared_meta, declared_header, detected, "utf-8", "gb18030"):
        if candidate:
            text = _decodes_mostly(data, candidate)
            if text is not None:
                return text, candidate
    return data.decode("utf-8", errors="replace"), "utf-8"


def _utf8_allowing_cut_tail(data: bytes) -> str | None:
    """Strict UTF-8, tolerating a character cut off at the very end (a truncated download)."""
    for cut in range(4):
        chunk = data[: len(data) - cut] if cut else data
        text = _decodes(chunk, "utf-8")
        if text is not None:
            return text
    return None


def _detect(data: bytes) -> str | None:
    """charset-normalizer's best guess, mapped to the superset codec (gb2312 → gb18030)."""
    from charset_normalizer import from_bytes

    # The first 64 KB carry enough Chinese text to decide, and keep detection fast on huge pages.
    best = from_bytes(data[:65536]).best()
    if best is None:
        return None
    return normalize_encoding_name(best.encoding)
