"""The 信息公开 label/value block and the byline, parsed from page lines.

Sites lay the block out as a table (label cell, value cell; often two pairs a row), a
``<dl>``, ``<ul><li><span>label：</span>value``, stacked ``<div>`` rows, or one byline
(``发布时间：… 来源：… 浏览次数：``). After linearisation they all become lines in which
labels delimit values, so one scanner reads them all: find every known label (spaced
variants such as ``文　　号`` included, colon optional), and the value is the text up to the
next label. A label alone on its line takes the next line as its value (stacked divs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Canonical label → field. Longer labels are matched first (信息分类名称 before 名称).
LABEL_FIELDS: dict[str, str] = {
    "索引号": "index_no", "索取号": "index_no",
    "文号": "doc_number", "发文字号": "doc_number", "文件编号": "doc_number", "发文文号": "doc_number",
    "发布机构": "publisher", "发文机关": "publisher", "发文机构": "publisher", "发布单位": "publisher",
    "发文单位": "publisher", "制发机关": "publisher", "信息来源": "source", "来源": "source",
    "文章来源": "source", "稿件来源": "source", "来源单位": "source", "源自": "source",
    "來源": "source", "信息來源": "source", "發布機構": "publisher", "發佈日期": "published",
    "發布日期": "published", "發布時間": "published", "日期時間": "date", "撰写时间": "written",
    "发布日期": "published", "发布时间": "published", "公开日期": "published",
    "发表时间": "published", "发表日期": "published", "公开时间": "published", "日期": "date",
    "时间": "date", "更新时间": "date", "更新日期": "date",
    "成文日期": "written", "生成日期": "written", "发文日期": "written", "印发日期": "written",
    "形成日期": "written", "成文时间": "written",
    "标题": "title", "名称": "title", "文件名称": "title", "信息名称": "title", "文章标题": "title",
    # Kept in Document.extra.
    "信息分类": "extra", "主题分类": "extra", "信息分类名称": "extra", "分类": "extra",
    "体裁分类": "extra", "组配分类": "extra", "服务对象": "extra", "有效性": "extra",
    "效力状态": "extra", "时效": "extra", "关键词": "extra", "主题词": "extra", "公开方式": "extra",
    "公开范围": "extra", "公文种类": "extra", "实施日期": "extra", "废止日期": "extra",
    "联合发文单位": "extra", "公开形式": "extra", "所属主题": "extra", "内容概述": "extra",
    "公开类别": "extra", "生效时间": "extra", "废止时间": "extra", "失效时间": "extra", "归档时间": "extra",
    "是否有效": "extra", "公文时效": "extra", "上载日期": "date", "规划分类": "extra", "字號": "skip",
    "文件类型": "extra", "公开发布日期": "published", "所属单位": "source", "发布部门": "publisher",
    # Terminators only: they end the previous value.
    "浏览次数": "skip", "浏览量": "skip", "点击数": "skip", "点击": "skip", "点击率": "skip", "阅读次数": "skip",
    "访问量": "skip", "访问次数": "skip", "阅读量": "skip", "作者": "skip", "责任编辑": "skip",
    "编辑": "skip", "字体": "skip", "字号": "skip", "分享到": "skip", "打印": "skip",
    "视力保护色": "skip", "保护视力色": "skip", "审核": "skip", "供稿": "skip",
}

_GAP = r"[\s\u3000\u00a0]*"


def _label_pattern(label: str) -> str:
    return _GAP.join(re.escape(ch) for ch in label)


_LABELS_LONGEST_FIRST = sorted(LABEL_FIELDS, key=len, reverse=True)
# Labels specific enough to count anywhere on a line when a colon follows (DedeCMS bylines
# run them together: 时间:2020-02-18 09:32来源:城关镇作者:admin); 名称/时间/日期 are not.
_WEAK_FIELDS = {"title", "date"}
_ANYWHERE = [lab for lab in _LABELS_LONGEST_FIRST if LABEL_FIELDS[lab] not in _WEAK_FIELDS]
_BOUNDED_ALTERNATION = "|".join(f"(?P<a{i}>{_label_pattern(lab)})"
                                for i, lab in enumerate(_LABELS_LONGEST_FIRST))
_ANYWHERE_ALTERNATION = "|".join(f"(?P<b{i}>{_label_pattern(lab)})" for i, lab in enumerate(_ANYWHERE))
# A label starts a line, a cell, or follows a separator, and ends at a colon, a cell boundary
# or the end of the line; or it is a specific label directly followed by a colon.
_BRACKETED_ALTERNATION = "|".join(f"(?P<c{i}>{_label_pattern(lab)})"
                                  for i, lab in enumerate(_LABELS_LONGEST_FIRST))
_LABEL_RE = re.compile(
    rf"(?:^|(?<=[\t \u3000\u00a0|｜】\]）)]))[【\[]?(?:{_BOUNDED_ALTERNATION}){_GAP}"
    rf"(?:[:：]|(?=\t)|$)"
    rf"|(?:^|(?<=[\t \u3000\u00a0|｜]))[【\[](?:{_BRACKETED_ALTERNATION}){_GAP}[】\]][:：]?"  # [發文單位] …
    rf"|(?:{_ANYWHERE_ALTERNATION}){_GAP}[:：]"
)
_ANY_WITH_COLON = re.compile(rf"(?:{_BOUNDED_ALTERNATION}){_GAP}[:：]")
_VALUE_TRIM = " \t\u3000\u00a0|｜【】[]：:;；,，•·"
# Bullets and list marks before a label (``  • 来源:…``, ``■ 发布时间：``).
_LEADING_MARKS = re.compile(r"^(?:[\s\u3000\u00a0•·●▪■◆\-*]|\d{1,2}\.\s)+")


def _match_label(match: re.Match[str]) -> str:
    for name, value in match.groupdict().items():
        if value is not None:
            labels = _ANYWHERE if name[0] == "b" else _LABELS_LONGEST_FIRST
            return labels[int(name[1:])]
    raise AssertionError("label alternation matched no group")


def label_pairs(lines: Iterable[str]) -> list[tuple[str, str]]:
    """(canonical label, value) pairs in page order; empty values kept as ''."""
    pairs: list[tuple[str, str]] = []
    pending: str | None = None  # a label alone on the previous line
    for line in lines:
        line = _LEADING_MARKS.sub("", line)
        matches = list(_LABEL_RE.finditer(line))
        if not matches:
            if pending is not None:
                value = line.strip(_VALUE_TRIM)
                if value and len(value) <= 120:
                    pairs.append((pending, value))
                pending = None
            continue
        pending = None
        if line[: matches[0].start()].strip(_VALUE_TRIM) and not is_label_line(line):
            continue  # prose that happens to contain a label word later on
        # Inside a label row every label followed by a colon ends the value before it, the
        # weak ones too (来源:双城区人民政府更新时间:2022-03-10).
        matches = sorted({m.start(): m for m in [*matches, *_ANY_WITH_COLON.finditer(line)]
                          if not any(o.start() < m.start() < o.end() for o in matches)}.values(),
                         key=lambda m: m.start())
        for k, match in enumerate(matches):
            end = matches[k + 1].start() if k + 1 < len(matches) else len(line)
            value = line[match.end(): end].strip(_VALUE_TRIM)
            label = _match_label(match)
            pairs.append((label, value))
            if not value and len(matches) == 1 and not line[: match.start()].strip(_VALUE_TRIM):
                pending = label  # a label alone on its line: the value is on the next one
    return pairs


def is_label_line(line: str) -> bool:
    """True when the line starts with a known 信息公开/byline label (it is metadata, not body)."""
    match = _LABEL_RE.match(_LEADING_MARKS.sub("", line))
    return match is not None


# A table row flattened to spaces (``索 引 号 10001-01-2024-00122 失效时间``): labels that are
# whole tokens between spaces, the first at the start of the line, values between them.
_SPACED_LABEL = re.compile(
    rf"(?:^|(?<=\s))(?:{'|'.join(_label_pattern(lab) for lab in _LABELS_LONGEST_FIRST)})(?=\s|$)"
)
_ROW_MAX_CHARS = 160
_SENTENCE_MARKS = re.compile(r"[。！？；]")


def spaced_row_pairs(line: str) -> list[tuple[str, str]] | None:
    """Label/value pairs of a row whose cells are separated by spaces only, or None.

    Only a short line without sentence punctuation that starts with a label counts, so
    prose that happens to start with 时间 or 名称 stays prose.
    """
    text = _LEADING_MARKS.sub("", line).strip()
    if len(text) > _ROW_MAX_CHARS or _SENTENCE_MARKS.search(text):
        return None
    matches = list(_SPACED_LABEL.finditer(text))
    if not matches or matches[0].start() != 0:
        return None
    pairs = []
    for k, match in enumerate(matches):
        end = matches[k + 1].start() if k + 1 < len(matches) else len(text)
        label = re.sub(r"[\s\u3000\u00a0]+", "", match.group(0))
        pairs.append((label, text[match.end(): end].strip(_VALUE_TRIM)))
    if len(pairs) == 1 and not pairs[0][1]:
        return None  # a lone word (名称) is not a row
    return pairs


def field_values(pairs: Iterable[tuple[str, str]]) -> dict[str, list[tuple[str, str]]]:
    """Group (label, value) pairs by field, in page order."""
    out: dict[str, list[tuple[str, str]]] = {}
    for label, value in pairs:
        out.setdefault(LABEL_FIELDS[label], []).append((label, value))
    return out
