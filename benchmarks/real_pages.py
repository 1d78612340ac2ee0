"""Scoring of extraction against the real-page development set (``tests/fixtures/real``).

Shared by ``benchmarks/extraction.py --real`` (which prints and records the table) and
``tests/test_real_pages.py`` (which holds the floor), so both score the same way.

Per field: *right* = the extracted value equals the gold (whitespace ignored), or both are
empty; *wrong* = a non-empty value that is not the gold — a wrong value is worse than none,
so it is counted on its own. Body: every sentence of every line that is neither gold
furniture nor a title line must be somewhere in the Document (title, metadata or body);
a furniture line leaks when a body paragraph is that line, starts or ends with it (a line
glued to its neighbour), or holds it whole when it is long enough (12 characters) not to be
a phrase of prose: 政府信息公开 inside a sentence about 政府信息公开 is no leak.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT / "tests" / "fixtures" / "real"
HOLDOUT = REAL.parent / "real_holdout"  # never tuned on: the honest figure
FIELDS = ("title", "publisher", "published", "doc_number", "index_no", "report_year", "province")
_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[。！？；!?;])")
_BULLET = re.compile(r"^\s*[•·●▪■◆]+")  # a list mark is not content


def squeeze(value: object) -> str:
    return _SPACE.sub("", str(value)) if value not in (None, "") else ""


@dataclass
class Case:
    name: str
    path: Path
    text: str
    gold: dict[str, Any]


def load_cases(folder: Path = REAL) -> list[Case]:
    cases = []
    for gold_path in sorted(folder.glob("*.json")):
        page = gold_path.with_suffix(".txt")
        if not page.exists():
            continue
        cases.append(Case(gold_path.stem, page, page.read_text(encoding="utf-8"),
                          json.loads(gold_path.read_text(encoding="utf-8"))))
    return cases


def govsearch_fields(case: Case) -> dict[str, Any]:
    """What govsearch extracts from the page text, as the user would get it."""
    from extract import extract_file

    result = extract_file(case.path, url=case.gold.get("url"))
    doc = result.document
    if doc is None:
        return {"error": result.reason, "body": [], "everything": ""}
    metadata = [doc.publisher, doc.doc_number, doc.index_no, *doc.extra.values(),
                *(a.name for a in doc.attachments)]
    return {
        "title": doc.title,
        "publisher": doc.publisher,
        "published": doc.published.isoformat() if doc.published else None,
        "doc_number": doc.doc_number,
        "index_no": doc.index_no,
        "report_year": doc.year,
        "province": doc.region.province,
        "body": list(doc.paragraphs),
        "everything": squeeze("\n".join([doc.title or "", *doc.paragraphs,
                                         *(m for m in metadata if m)])),
    }


def _title_lines(text: str, title: str | None) -> set[str]:
    if not title:
        return set()
    key = squeeze(re.sub(r"【[^】]{0,12}】", "", title))
    out = set()
    for line in text.splitlines():
        s = squeeze(re.sub(r"【[^】]{0,12}】", "", line))
        if s and (s == key or (len(s) >= 4 and s in key)):
            out.add(line.strip())
    return out


def content_sentences(case: Case) -> list[str]:
    """Sentences of the page that are document content (not furniture, not a title line)."""
    furniture = {line.strip() for line in case.gold.get("furniture") or []}
    titles = _title_lines(case.text, case.gold.get("title"))
    out = []
    for raw in case.text.splitlines():
        line = raw.strip()
        if not line or line in furniture or line in titles:
            continue
        for sentence in _SENTENCE.split(line):
            s = squeeze(_BULLET.sub("", sentence)).rstrip("\ufffd")
            if len(s) >= 2:
                out.append(s)
    return out


def _holds_line(paragraph: str, line: str) -> bool:
    return (paragraph == line or (len(line) >= 2 and (paragraph.startswith(line) or paragraph.endswith(line)))
            or (len(line) >= 12 and line in paragraph))


@dataclass
class Score:
    pages: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    wrong: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    gold_present: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    sentences: int = 0
    sentences_kept: int = 0
    first_kept: int = 0
    furniture: int = 0
    furniture_leaked: int = 0
    errors: int = 0
    misses: list[tuple[str, str, Any, Any]] = field(default_factory=list)
    lost: list[tuple[str, str]] = field(default_factory=list)
    leaks: list[tuple[str, str]] = field(default_factory=list)

    def rate(self, name: str) -> float:
        return self.right[name] / self.pages if self.pages else 0.0


def _equal(name: str, got: Any, want: Any) -> bool:
    if name == "report_year":
        return (got or None) == (want or None)
    return squeeze(got) == squeeze(want)


def score(cases: list[Case], runner: Callable[[Case], dict[str, Any]] = govsearch_fields,
          *, body: bool = True) -> Score:
    result = Score()
    for case in cases:
        out = runner(case)
        result.pages += 1
        if out.get("error"):
            result.errors += 1
        for name in FIELDS:
            want, got = case.gold.get(name), out.get(name)
            if want not in (None, ""):
                result.gold_present[name] += 1
            if _equal(name, got, want):
                result.right[name] += 1
            else:
                result.misses.append((case.name, name, got, want))
                if got not in (None, ""):
                    result.wrong[name] += 1
        if not body:
            continue
        everything = out.get("everything", "")
        for sentence in content_sentences(case):
            result.sentences += 1
            if sentence in everything:
                result.sentences_kept += 1
            else:
                result.lost.append((case.name, sentence))
        first = squeeze(case.gold.get("first_sentence")).rstrip("\ufffd")
        if first and first in everything:
            result.first_kept += 1
        paragraphs = [squeeze(p) for p in out.get("body", [])]
        for line in case.gold.get("furniture") or []:
            key = squeeze(line)
            if not key:
                continue
            result.furniture += 1
            if any(_holds_line(p, key) for p in paragraphs):
                result.furniture_leaked += 1
                result.leaks.append((case.name, line))
    return result
