"""`govsearch extract`: show what the cleaner makes of one file, before anything is indexed.

It is the debugging and trust tool for the cleaner: a user who doubts a search result or a
citation can run the same extraction on the saved page and see every field and paragraph.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from indexer.document import Document


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--url", help="The URL the file was fetched from (helps dates, region, links).")
@click.option("--json", "as_json", is_flag=True, help="Print the Document as JSON.")
def extract(file: str, url: str | None, as_json: bool) -> None:
    """Clean one HTML/PDF/DOCX/text file into a Document and print it."""
    from extract import extract_file

    path = Path(file)
    result = extract_file(path, url=url)
    if result.document is None:
        label = "不是文章页面" if result.kind == "not-article" else "无法提取"
        raise click.ClickException(f"{label}（{path.name}）：{result.reason or '未知原因'}")
    document, kind, reason, template = result.document, result.kind, result.reason, result.template

    if as_json:
        click.echo(json.dumps(document_json(document, kind, reason, template), ensure_ascii=False, indent=2))
    else:
        click.echo(plain_view(document, kind, reason))


def document_json(document: Document, kind: str = "article", reason: str | None = None,
                  template: str | None = None) -> dict[str, Any]:
    """The Document as JSON, attachments reduced to name and href (their text is in the body)."""
    data = document.to_dict()
    data["attachments"] = [{"name": a.name, "href": a.href} for a in document.attachments]
    data["region"] = {**data["region"], "display": document.region.display() or None}
    data["kind"] = kind
    data["template"] = template
    if reason:
        data["warning"] = reason
    return data


def plain_view(document: Document, kind: str = "article", reason: str | None = None) -> str:
    """A reader's view: the metadata block, then the paragraphs."""

    def row(label: str, value: object) -> str:
        return f"{label}：{value if value not in (None, '') else '—'}"

    lines = [
        row("标题", document.title),
        row("发布机构", document.publisher),
        row("发布日期", document.published),
        row("成文日期", document.written),
        row("文号", document.doc_number),
        row("索引号", document.index_no),
        row("类型", document.doc_type),
        row("年度", document.year),
        row("地区", document.region.display()),
        row("来源", document.source),
        row("编码", document.encoding),
    ]
    if kind == "attachment-only":
        lines.append("说明：页面正文只指向附件" + (f"（{reason}）" if reason else "，正文取自附件"))
    elif reason:
        lines.append(row("提示", reason))
    if document.attachments:
        lines.append("附件：")
        lines.extend(f"  - {a.name}  {a.href}" for a in document.attachments)
    lines.append("─" * 40)
    lines.extend(document.paragraphs)
    return "\n".join(lines)
