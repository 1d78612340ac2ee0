"""Any page, text dump, PDF or DOCX → one :class:`indexer.document.Document` with its 信息公开 metadata.

Never imports Scrapy: the crawler, ``reindex``, the command line and the benchmarks call
the same two functions.

* :func:`extract_bytes` — bytes as fetched (with the URL and response headers);
* :func:`extract_file` — a local file (``.txt`` text dump, ``.html``, ``.pdf``, ``.docx``).

Inside: :mod:`extract.dispatch` picks the reader by file type; :mod:`extract.clean` (HTML,
PDF, DOCX) and :mod:`extract.textdump` (page text) find the lines; :mod:`extract.labels` is
the one list of 政务公开 labels; :mod:`extract.furniture` says which lines are page
furniture; :mod:`extract.fields` is the one place that orders the evidence for each field
(title, publication date, publisher, region, report year).
"""

from extract.clean import CleanResult
from extract.dispatch import SUPPORTED_SUFFIXES, extract_bytes, extract_file, load_file
from extract.errors import LoadError, NotAnArticle

__all__ = ["SUPPORTED_SUFFIXES", "CleanResult", "LoadError", "NotAnArticle", "extract_bytes",
           "extract_file", "load_file"]
