"""The paragraph-aligned version diff (webui/diff.py)."""

from __future__ import annotations

from webui.diff import paragraph_diff, summary


def test_paragraphs_aligned_and_changes_marked_inside_the_sentence() -> None:
    old = ["第一段不变。", "全年收到来信四百四十四件。", "这一段被删除了，内容完全不同于其他段落。", "末段。"]
    new = ["第一段不变。", "全年收到来信五百五十五件。", "末段。", "新增的一段。"]
    rows = paragraph_diff(old, new)
    assert [r.kind for r in rows] == ["equal", "changed", "deleted", "equal", "inserted"]
    changed = rows[1]
    assert (changed.old_number, changed.new_number) == (2, 2)
    assert changed.old_html == "全年收到来信<del>四百四十四</del>件。"
    assert changed.new_html == "全年收到来信<ins>五百五十五</ins>件。"
    assert rows[4].new_number == 4 and rows[4].old_number is None
    assert summary(rows) == {"changed": 1, "deleted": 1, "inserted": 1}


def test_markup_in_the_text_is_escaped() -> None:
    rows = paragraph_diff(["<script>alert(1)</script>甲"], ["<script>alert(1)</script>乙"])
    html = rows[0].old_html + rows[0].new_html
    assert "<script>" not in html and "&lt;script&gt;" in html
