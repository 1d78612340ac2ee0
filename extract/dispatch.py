"""The one file-type dispatcher: bytes or a file in, one :class:`CleanResult` out.

Text dumps (``.txt``, ``text/plain``) go to :mod:`extract.textdump`; HTML, PDF and DOCX to
:mod:`extract.clean`. The crawler, ``reindex``, ``govsearch index`` and ``govsearch extract``
all come through here, so a page is extracted the same way whichever door it came in by.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from extract.clean import CleanResult, FetchAttachment, clean_bytes, clean_file
from extract.errors import LoadError, NotAnArticle
from indexer.document import Document

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".pdf", ".docx")
_TEXT_SUFFIXES = (".txt",)


def _is_text_dump(name: str | None, content_type: str | None) -> bool:
    if content_type and content_type.split(";")[0].strip().lower() == "text/plain":
        return True
    return bool(name) and Path(str(name).split("?")[0]).suffix.lower() in _TEXT_SUFFIXES


def extract_bytes(data: bytes, *, url: str | None = None, headers: Mapping[str, str] | None = None,
                  fetch_attachment: FetchAttachment | None = None,
                  file_name: str | None = None) -> CleanResult:
    """Extract one fetched page or file. Never raises: failures come back as ``kind="error"``."""
    content_type = None
    for key, value in (headers or {}).items():
        if str(key).lower() == "content-type":
            content_type = str(value)
    if _is_text_dump(file_name, content_type):
        from extract.textdump import text_dump_result

        return text_dump_result(data, source=url or file_name or "text", url=url)
    return clean_bytes(data, url=url, headers=headers, fetch_attachment=fetch_attachment)


def extract_file(path: str | Path, url: str | None = None) -> CleanResult:
    """Extract a local file; ``url`` is where it was fetched from, when known. Never raises."""
    path = Path(path)
    if path.suffix.lower() in _TEXT_SUFFIXES:
        from extract.textdump import load_text_dump

        try:
            document = load_text_dump(path, url=url)
        except LoadError as exc:
            return CleanResult(None, "not-article" if isinstance(exc, NotAnArticle) else "error", str(exc))
        return CleanResult(document, "article", template="text")
    if path.suffix.lower() not in SUPPORTED_SUFFIXES:
        supported = "、".join(SUPPORTED_SUFFIXES)
        return CleanResult(None, "error",
                           f"不支持的文件类型 {path.suffix or '（无扩展名）'}（支持 {supported}）")
    return clean_file(path, url=url)


def load_file(path: str | Path, url: str | None = None) -> Document:
    """Load ``path`` into a Document, or raise LoadError with a one-line reason."""
    result = extract_file(path, url=url)
    if result.document is not None:
        return result.document
    if result.kind == "not-article":
        raise NotAnArticle(result.reason or "不是文章页面")
    raise LoadError(result.reason or "无法提取正文")
