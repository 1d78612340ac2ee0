"""Load a local file of any supported kind into a Document (dispatch by extension)."""

from __future__ import annotations

from pathlib import Path

from crawl.errors import LoadError
from indexer.document import Document

SUPPORTED_SUFFIXES = (".txt", ".html", ".htm", ".pdf", ".docx")


def load_file(path: str | Path) -> Document:
    """Load ``path`` into a Document, or raise LoadError with a one-line reason."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".txt":
        from crawl.textdump import load_text_dump

        return load_text_dump(path)
    if suffix in (".html", ".htm", ".pdf", ".docx"):
        from crawl.clean import load_document_file

        return load_document_file(path)
    supported = "、".join(SUPPORTED_SUFFIXES)
    raise LoadError(f"不支持的文件类型 {suffix or '（无扩展名）'}（支持 {supported}）")
