"""`govsearch compare A B`: two reports side by side, as the /compare page shows them.

Aligned by section heading and paragraph (webui.compare), with the figures both state
(webui.figures); plain text marks deletions as [-…-] and insertions as {+…+}.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict
from typing import Any

import click


def _plain(html: str) -> str:
    from html import unescape

    html = html.replace("<del>", "[-").replace("</del>", "-]").replace("<ins>", "{+").replace("</ins>", "+}")
    return unescape(re.sub(r"<[^>]+>", "", html))


@click.command()
@click.argument("doc_a")
@click.argument("doc_b")
@click.option("--json", "as_json", is_flag=True, help="Print sections and figures as JSON.")
@click.pass_obj
def compare(obj: Any, doc_a: str, doc_b: str, as_json: bool) -> None:
    """Compare two documents (two years of one government's report) section by section."""
    from webui.compare import align
    from webui.figures import shared_figures

    backend = obj.index(readonly=True)
    try:
        docs = [backend.get(doc_a), backend.get(doc_b)]
    finally:
        backend.close()
    for doc_id, doc in zip((doc_a, doc_b), docs, strict=True):
        if doc is None:
            raise click.ClickException(f"没有 id 为 {doc_id} 的文档")
    a, b = docs
    sections = align(a.paragraphs, b.paragraphs)
    figures = shared_figures(a.paragraphs, b.paragraphs)
    if as_json:
        click.echo(json.dumps({"a": {"id": a.id, "title": a.display_title, "year": a.effective_year},
                               "b": {"id": b.id, "title": b.display_title, "year": b.effective_year},
                               "sections": [asdict(s) for s in sections],
                               "figures": [asdict(f) for f in figures]}, ensure_ascii=False, indent=2))
        return
    click.echo(f"甲：{a.display_title}（{a.effective_year or '年度不详'}）[{a.id}]")
    click.echo(f"乙：{b.display_title}（{b.effective_year or '年度不详'}）[{b.id}]")
    if figures:
        click.echo("\n共同数据：")
        for row in figures:
            click.echo(f"  {row.label}：{row.a} → {row.b}")
    for section in sections:
        click.echo(f"\n== {section.heading_a or '（无此部分）'}  ⇄  {section.heading_b or '（无此部分）'}")
        for row in section.rows:
            if row.kind == "equal":
                continue
            if row.old_html:
                click.echo(f"  甲¶{row.old_number} {_plain(row.old_html)}")
            if row.new_html:
                click.echo(f"  乙¶{row.new_number} {_plain(row.new_html)}")
