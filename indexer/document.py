"""The one document model shared by every source: text dumps, HTML pages, PDF/DOCX files, crawls.

Everything that reaches the index is a :class:`Document`. Loaders in ``crawl`` build them;
the index stores them whole (as JSON) so that ``show``, the reading view and citations see
exactly what was extracted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

#: Document.extra key set when the page is gone (已删除): "YYYY-MM-DD reason".
GONE_KEY = "gone"
#: Document.extra key: the last date the page was seen before it went.
LAST_SEEN_KEY = "last_seen"
#: Document.extra key: "YYYY-MM-DD old URL → new URL" once the page moved (a 301).
MOVED_KEY = "moved"
#: Document.extra keys: the exact (ISO) crawl times of the deletion and of the move, which
#: the change feed orders by.
GONE_AT_KEY = "gone_at"
MOVED_AT_KEY = "moved_at"
#: Keys of ``extra`` the crawler sets; the reading view shows them its own way.
CRAWL_KEYS = ("gone", "gone_at", "gone_sources", "last_seen", "moved", "moved_at")


def make_id(source: str) -> str:
    """A stable 16-hex-digit id for a source URL or absolute file path.

    Ids derive from the source, not the content, so re-indexing the same source replaces
    the document instead of adding a second copy.
    """
    return hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]


@dataclass
class Region:
    """Administrative region (GB/T 2260). Unknown parts stay ``None`` rather than guessed."""

    province: str | None = None
    city: str | None = None
    county: str | None = None
    code: str | None = None  # six-digit GB/T 2260 code when known

    def display(self) -> str:
        parts = [p for p in (self.province, self.city, self.county) if p]
        # Municipalities repeat themselves (北京市北京市): show each name once.
        out: list[str] = []
        for p in parts:
            if p not in out:
                out.append(p)
        return "".join(out)

    def is_empty(self) -> bool:
        return not (self.province or self.city or self.county)


@dataclass
class Attachment:
    """A file linked from a page (PDF, DOC(X), WPS, OFD, XLS(X), ZIP…)."""

    name: str
    href: str
    text: str | None = None  # extracted text, when the format is supported


@dataclass
class Version:
    """An earlier text of a page, kept when a re-crawl found it changed. The version itself is
    a document of its own (``id``, with ``version_of`` set), indexed and searchable with
    ``versions:all``."""

    id: str
    captured: str | None  # ISO time the version was first fetched
    capture_sha256: str | None  # its archived payload
    title: str | None = None


def version_id(doc_id: str, capture: str) -> str:
    """The id of a document's earlier version: stable, so ``reindex`` gives the same ids."""
    return make_id(f"{doc_id}@{capture}")


@dataclass
class Document:
    id: str
    title: str | None  # None when the page gives no evidence of one: see display_title
    source: str  # URL, or absolute path of a local file
    paragraphs: list[str] = field(default_factory=list)
    publisher: str | None = None  # 发布机构
    published: dt.date | None = None  # 发布日期
    written: dt.date | None = None  # 成文日期
    doc_number: str | None = None  # 文号
    index_no: str | None = None  # 索引号
    doc_type: str | None = None  # 报告/总结/意见/通知/方案/要点…
    year: int | None = None  # the year the report is about (2019年度 → 2019)
    region: Region = field(default_factory=Region)
    attachments: list[Attachment] = field(default_factory=list)
    other_sources: list[str] = field(default_factory=list)  # same body found elsewhere
    encoding: str | None = None  # how the raw bytes were decoded
    captured: dt.datetime | None = None  # when the raw response was fetched, if crawled
    capture_sha256: str | None = None  # SHA-256 of the raw payload, if crawled
    extra: dict[str, str] = field(default_factory=dict)  # 信息分类, 有效性, … as found
    version_of: str | None = None  # set on an earlier version: the id of the current document
    versions: list[Version] = field(default_factory=list)  # earlier versions, oldest first

    @property
    def display_title(self) -> str:
        """The title, or a clearly marked stand-in: ``（无标题）`` and the first words.

        Front ends and citations show this, so an untitled page is never shown under a
        guessed title as if it were true.
        """
        if self.title:
            return self.title
        first = next((p.strip() for p in self.paragraphs if p.strip()), "")
        return f"（无标题）{first[:24]}…" if len(first) > 24 else f"（无标题）{first}"

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)

    @property
    def content_hash(self) -> str:
        """SHA-256 of title and body: what changed-or-not decisions compare."""
        h = hashlib.sha256()
        h.update((self.title or "").encode("utf-8"))
        h.update(b"\x00")
        h.update(self.body.encode("utf-8"))
        return h.hexdigest()

    @property
    def modified(self) -> dt.date | None:
        """When the page was found changed (本页于 … 修改): the current text's capture date."""
        if self.versions and self.captured:
            return self.captured.date()
        return None

    @property
    def deleted(self) -> bool:
        """The page is gone from its site (404/410, redirected home, soft 404); the text and
        the archived copy stay here."""
        return bool(self.extra.get(GONE_KEY))

    @property
    def effective_year(self) -> int | None:
        """The year facet: the report year if the title names one, else the publication year."""
        if self.year:
            return self.year
        date = self.published or self.written
        return date.year if date else None

    @property
    def site(self) -> str | None:
        """Host name of the source URL; ``None`` for local files."""
        if "://" not in self.source:
            return None
        from urllib.parse import urlsplit

        return urlsplit(self.source).hostname

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        for key in ("published", "written", "captured"):
            value = getattr(self, key)
            d[key] = value.isoformat() if value else None
        d["content_hash"] = self.content_hash
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Document:
        d = dict(d)
        d.pop("content_hash", None)
        for key in ("published", "written"):
            if d.get(key):
                d[key] = dt.date.fromisoformat(d[key])
        if d.get("captured"):
            d["captured"] = dt.datetime.fromisoformat(d["captured"])
        d["region"] = Region(**(d.get("region") or {}))
        d["attachments"] = [Attachment(**a) for a in d.get("attachments") or []]
        d["versions"] = [Version(**v) for v in d.get("versions") or []]
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})

    @classmethod
    def from_json(cls, text: str) -> Document:
        return cls.from_dict(json.loads(text))
