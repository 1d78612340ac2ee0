"""``index/FORMAT``: what an index was built with, so that it is refused rather than misread.

Exactness rests on normalisation (indexer/analysis.py): NFKC and case folding from Python's
``unicodedata`` (its Unicode version), traditional→simplified from OpenCC's character table.
The stored ``.gsx`` character index holds text normalised at indexing time; a query normalised
under another Unicode version or another OpenCC table can miss strings that are there. Ranking
rests on rjieba's dictionary (stored word statistics), near-duplicate grouping on the MinHash
scheme (indexer/dedup.py). All of them are written here when an index is created and compared
when it is opened; any difference refuses the index in one line that names the fix.

The file is ``key value`` lines; the first line is the storage format number alone (format 2
to 4 files started the same way, so an older index is refused with the same message).
"""

from __future__ import annotations

import importlib.metadata
import unicodedata
from pathlib import Path

from indexer import dedup

#: Bump when what is stored changes.
#: 3: per-paragraph report parts ("sp") and the parts facet (section: queries).
#: 4: the MinHash scheme of stored near-duplicate signatures; every fetched copy indexed.
#: 5: the versions that decide normalisation and segmentation (this file's other lines).
#: 6: Whoosh stores only ids and documents; word postings (.gsw), values (.gsm) as arrays.
#: 7: key tables with a top level and each key's first run (.gsx, .gsw): cold lookups read a page.
INDEX_FORMAT = "7"

REBUILD = "请重建索引：删除该索引目录后重新运行 govsearch index …（抓取的数据用 govsearch reindex）"


def _version(distribution: str) -> str:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def expected() -> dict[str, str]:
    """What this installation would write: format, Unicode, OpenCC, rjieba, MinHash scheme."""
    return {
        "format": INDEX_FORMAT,
        "unicode": unicodedata.unidata_version,
        "opencc": _version("opencc"),
        "rjieba": _version("rjieba"),
        "minhash": dedup.SCHEME,
    }


_LABELS = {"format": "存储格式", "unicode": "Unicode 版本", "opencc": "OpenCC 版本",
           "rjieba": "rjieba 版本", "minhash": "近似重复签名方案"}


def render(values: dict[str, str]) -> str:
    lines = [values["format"]] + [f"{key} {value}" for key, value in values.items() if key != "format"]
    return "\n".join(lines) + "\n"


def parse(text: str) -> dict[str, str]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return {}
    found = {"format": lines[0]}
    for line in lines[1:]:
        key, _sep, value = line.partition(" ")
        found[key] = value
    return found


def write(path: Path) -> None:
    path.write_text(render(expected()), encoding="utf-8")


def mismatch(path: Path) -> str | None:
    """A one-line reason why the index at ``path`` (its FORMAT file) cannot be used, or None."""
    found = parse(path.read_text(encoding="utf-8")) if path.exists() else {}
    want = expected()
    if found.get("format") != want["format"]:
        return f"索引格式为 {found.get('format') or '未知'}，本版本需要 {want['format']}；{REBUILD}"
    for key, value in want.items():
        if found.get(key) != value:
            return (f"索引建立时的{_LABELS[key]}为 {found.get(key) or '未记录'}，本机为 {value}"
                    f"（归一化或分词可能不同，检索会漏检）；{REBUILD}")
    return None
