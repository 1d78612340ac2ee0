"""The query language: strings, AND/OR/NOT, fields, ranges and 同句/同段 proximity.

Grammar (lenient: a stray ``)`` is ignored, an open ``(`` or ``"`` closes at the end)::

    query    := or_expr
    or_expr  := and_expr (("OR" | "|" | "或") and_expr)*
    and_expr := unary (["AND" | "&"] unary)*
    unary    := ("-" | "NOT") unary | primary
    primary  := "(" or_expr ")" | NEAR "(" string+ ")" | FIELD ":" (string | "(" or_expr ")")
              | string
    NEAR     := 同句 | 同段 | SENT | PARA
    FIELD    := title | publisher | docno | region | type | year | date | status | versions
                (and 标题 发布机构 文号 地区 类型 年份 日期 状态 版本)
    SCOPE    := section ":" part   (and 部分/章节: …), beside the other terms of the query

``section:不足 执法`` finds 执法 only inside the 存在的不足和原因 part of annual reports
(indexer/sections.py names the parts and their aliases); several ``section:`` widen the scope
to any of their parts; ``section:不足`` alone finds the reports that have that part. Text in
a scoped query matches body paragraphs of those parts only, never the title.

``status:deleted`` (状态:已删除) keeps documents whose page is gone from its site;
``status:live`` (状态:在线) the others. ``versions:all`` (版本:全部) also searches the earlier
versions of changed pages (by default only current texts are searched).

A string is a run of characters without spaces or brackets, or anything inside ``"…"``. Every
string is normalised with :func:`indexer.analysis.normalize` and matched as an exact substring.

文号 as people type them: a 文号-shaped string (a prefix of letters, a year in brackets, a
number, 号: ``广政发[2018]68号``) is read as one string even when its brackets are ( ), and
matches the same 文号 written with any of the year brackets 〔〕 [] 【】 () 〖〗 (﹝﹞ and ［］ are the
same after normalisation) — an OR of those exact strings. Everything else stays exact.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
import unicodedata
from dataclasses import dataclass

from indexer.analysis import normalize
from indexer.api import DELETED, QueryError
from indexer.sections import PART_ALIASES, PART_NAMES

MAX_QUERY_CHARS = 1000
MAX_TERMS = 64
MAX_DEPTH = 24

TEXT_FIELDS = {"title", "publisher", "docno", "region", "type"}
RANGE_FIELDS = {"year", "date"}
FIELD_ALIASES = {
    "title": "title", "标题": "title",
    "publisher": "publisher", "发布机构": "publisher", "机构": "publisher",
    "docno": "docno", "文号": "docno",
    "region": "region", "地区": "region",
    "type": "type", "类型": "type",
    "year": "year", "年份": "year", "年度": "year",
    "date": "date", "日期": "date",
    "section": "section", "部分": "section", "章节": "section",
    "status": "status", "状态": "status",
    "versions": "versions", "版本": "versions",
}
STATUS_VALUES = {"deleted": True, "gone": True, "已删除": True, "删除": True,
                 "live": False, "online": False, "current": False, "在线": False, "现行": False}
NEAR_ALIASES = {"同句": "sentence", "sent": "sentence", "同段": "paragraph", "para": "paragraph"}


# ----------------------------------------------------------------------------- AST


@dataclass(frozen=True)
class Term:
    """An exact (normalised) string; ``field`` None means title or body."""

    text: str
    field: str | None = None


@dataclass(frozen=True)
class Near:
    """All strings within one sentence or one paragraph of the body."""

    terms: tuple[str, ...]
    unit: str  # "sentence" | "paragraph"


@dataclass(frozen=True)
class Range:
    """``year`` as ints, ``date`` as YYYYMMDD ints; a missing bound is open."""

    field: str
    low: int | None
    high: int | None


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class MatchAll:
    pass


@dataclass(frozen=True)
class Section:
    """``child`` evaluated on the paragraphs of the given report parts only (keys of PARTS)."""

    parts: frozenset[str]
    child: Node


@dataclass(frozen=True)
class _ScopeMark:
    """A ``section:`` seen by the parser, before it is lifted to the top of the query."""

    part: str


@dataclass(frozen=True)
class Option:
    """A switch that changes what is searched, not what matches: ``versions:all``."""

    name: str
    value: str


Node = Term | Near | Range | And | Or | Not | MatchAll | Section | Option


def has_option(node: Node, name: str, value: str) -> bool:
    """Whether the query holds the switch (anywhere but under a negation)."""
    if isinstance(node, Option):
        return node.name == name and node.value == value
    if isinstance(node, And | Or):
        return any(has_option(c, name, value) for c in node.children)
    if isinstance(node, Section):
        return has_option(node.child, name, value)
    return False


def positive_strings(node: Node) -> list[str]:
    """Strings a matching document contains in its text (for ranking and highlighting)."""
    out: list[str] = []

    def walk(n: Node) -> None:
        if isinstance(n, Term) and n.field in (None, "title"):
            out.append(n.text)
        elif isinstance(n, Near):
            out.extend(n.terms)
        elif isinstance(n, And | Or):
            for c in n.children:
                walk(c)
        elif isinstance(n, Section):
            walk(n.child)

    walk(node)
    return list(dict.fromkeys(t for t in out if t))


# ----------------------------------------------------------------------------- 文号

# The year brackets of a 文号 after normalisation (NFKC turns （）﹝﹞［］ into ()〔〕[]).
DOC_NUMBER_BRACKETS: tuple[tuple[str, str], ...] = (("〔", "〕"), ("[", "]"), ("【", "】"), ("(", ")"), ("〖", "〗"))
_OPEN = "".join(o for o, _c in DOC_NUMBER_BRACKETS) + "（﹝［"
_CLOSE = "".join(c for _o, c in DOC_NUMBER_BRACKETS) + "）﹞］"
# In the raw query: 广政发[2018]68号, 广政发 ( 2018 ) 68 号 — read as one string, not as grouping.
_RAW_DOC_NUMBER = re.compile(
    rf"[\u4e00-\u9fffA-Za-z]{{1,16}}\s*[{re.escape(_OPEN)}]\s*(?:19|20)\d{{2}}\s*[{re.escape(_CLOSE)}]\s*\d{{1,6}}\s*号"
)
_NORMALISED_DOC_NUMBER = re.compile(
    rf"^(?P<pre>.*?)(?P<prefix>[\u4e00-\u9fffa-z]{{1,16}})[{re.escape(_OPEN)}](?P<year>(?:19|20)\d{{2}})"
    rf"[{re.escape(_CLOSE)}](?P<rest>\d{{1,6}}号.*)$"
)


def doc_number_variants(text: str) -> list[str]:
    """The normalised string with its 文号's year bracket written every way, the string itself
    first; just ``[text]`` when it holds no 文号."""
    m = _NORMALISED_DOC_NUMBER.match(text)
    if not m:
        return [text]
    forms = [f"{m['pre']}{m['prefix']}{o}{m['year']}{c}{m['rest']}" for o, c in DOC_NUMBER_BRACKETS]
    return list(dict.fromkeys([text, *forms]))


def _quote_doc_numbers(text: str) -> str:
    """Wrap 文号-shaped runs in quotes so that their ( ) never group (outside existing quotes)."""
    pieces = text.split('"')  # even pieces are outside quotes, odd ones inside
    return '"'.join(_RAW_DOC_NUMBER.sub(lambda m: f'"{m.group(0)}"', piece) if k % 2 == 0 else piece
                    for k, piece in enumerate(pieces))


# ----------------------------------------------------------------------------- lexer

_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "「": '"', "」": '"'})


@dataclass
class _Tok:
    kind: str  # WORD QUOTED LPAREN RPAREN OR AND NOT MINUS FIELD NEAR
    value: str = ""


def _lex(text: str) -> list[_Tok]:
    # Chinese quotes delimit strings only when the query has no ASCII quotes, so that
    # "负责”的原则" searches a string that itself contains a Chinese quote.
    if '"' not in text:
        text = text.translate(_QUOTES)
    text = _quote_doc_numbers(text)
    text = unicodedata.normalize("NFKC", text)
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            toks.append(_Tok("LPAREN"))
            i += 1
        elif ch == ")":
            toks.append(_Tok("RPAREN"))
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                end = n
            toks.append(_Tok("QUOTED", text[i + 1 : end]))
            i = end + 1
        elif ch == "-" and i + 1 < n and not text[i + 1].isspace() and (i == 0 or text[i - 1] in " (\t\n"):
            toks.append(_Tok("MINUS"))
            i += 1
        elif ch == "|":
            toks.append(_Tok("OR"))
            i += 1
        elif ch == "&":
            toks.append(_Tok("AND"))
            i += 1
        else:
            j = i
            while j < n and not text[j].isspace() and text[j] not in '()"':
                j += 1
            word = text[i:j]
            i = j
            head, sep, rest = word.partition(":")
            if sep and head.casefold() in FIELD_ALIASES:
                toks.append(_Tok("FIELD", FIELD_ALIASES[head.casefold()]))
                if rest:
                    toks.append(_Tok("WORD", rest))
            elif word.casefold() in NEAR_ALIASES and i < n and text[i] == "(":
                toks.append(_Tok("NEAR", NEAR_ALIASES[word.casefold()]))
            elif word in ("OR", "或"):
                toks.append(_Tok("OR"))
            elif word == "AND":
                toks.append(_Tok("AND"))
            elif word == "NOT":
                toks.append(_Tok("NOT"))
            elif word != "-":  # a lone "-" negates nothing: ignore it
                toks.append(_Tok("WORD", word))
    return toks


# ----------------------------------------------------------------------------- parser


class _Parser:
    def __init__(self, toks: list[_Tok]) -> None:
        self.toks = toks
        self.pos = 0
        self.terms = 0

    def peek(self) -> _Tok | None:
        return self.toks[self.pos] if self.pos < len(self.toks) else None

    def take(self) -> _Tok:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> Node:
        nodes = []
        while self.peek() is not None:
            node = self.or_expr(0)
            if node is not None:
                nodes.append(node)
            elif self.peek() is not None:
                self.take()  # a stray ")" or operator: skip it
        # section: scopes the whole query; only beside the other terms, never inside OR/NOT/().
        flat = [c for n in nodes for c in (n.children if isinstance(n, And) else (n,))]
        scopes = frozenset(c.part for c in flat if isinstance(c, _ScopeMark))
        if any(_has_scope_mark(c) for c in flat if not isinstance(c, _ScopeMark)):
            raise QueryError("section:/部分: 只能与其他检索词并列，不能放在括号、OR 或 - 之内，例如 部分:不足 执法")
        if not scopes:
            return _and(nodes)
        return Section(scopes, _and([c for c in flat if not isinstance(c, _ScopeMark)]))

    def or_expr(self, depth: int) -> Node | None:
        if depth > MAX_DEPTH:
            raise QueryError(f"查询嵌套过深（最多 {MAX_DEPTH} 层）")
        parts = []
        node = self.and_expr(depth)
        if node is not None:
            parts.append(node)
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            node = self.and_expr(depth)
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def and_expr(self, depth: int) -> Node | None:
        parts = []
        while (tok := self.peek()) is not None and tok.kind not in ("OR", "RPAREN"):
            if tok.kind == "AND":
                self.take()
                continue
            node = self.unary(depth)
            if node is not None:
                parts.append(node)
        if not parts:
            return None
        return _and(parts)

    def unary(self, depth: int) -> Node | None:
        tok = self.peek()
        if tok is not None and tok.kind in ("MINUS", "NOT"):
            self.take()
            if self.peek() is None or self.peek().kind in ("OR", "RPAREN"):
                return None  # a lone "-": nothing to negate
            child = self.unary(depth + 1)
            return Not(child) if child is not None else None
        return self.primary(depth)

    def primary(self, depth: int) -> Node | None:
        tok = self.take()
        if tok.kind == "LPAREN":
            node = self.or_expr(depth + 1)
            if self.peek() is not None and self.peek().kind == "RPAREN":
                self.take()
            return node
        if tok.kind == "NEAR":
            return self.near(tok.value)
        if tok.kind == "FIELD":
            return self.field(tok.value, depth)
        if tok.kind in ("WORD", "QUOTED"):
            return self.term(tok.value, None)
        return None

    def term(self, raw: str, field: str | None) -> Node | None:
        text = normalize(raw)
        if not text:
            return None
        variants = doc_number_variants(text)
        self.terms += len(variants)
        if self.terms > MAX_TERMS:
            raise QueryError(f"查询词过多（最多 {MAX_TERMS} 个）")
        if len(variants) == 1:
            return Term(text, field)
        return Or(tuple(Term(v, field) for v in variants))  # 〔2018〕 [2018] 【2018】 (2018) 〖2018〗

    def near(self, unit: str) -> Node | None:
        if self.peek() is not None and self.peek().kind == "LPAREN":
            self.take()
        strings: list[str] = []
        while (tok := self.peek()) is not None and tok.kind != "RPAREN":
            tok = self.take()
            if tok.kind in ("WORD", "QUOTED"):
                text = normalize(tok.value)
                if text:
                    strings.append(text)
            else:
                raise QueryError("同句()/同段() 里只能写检索词，例如 同句(行政复议 应诉)")
        if self.peek() is not None:
            self.take()
        if not strings:
            return None
        self.terms += len(strings)
        if self.terms > MAX_TERMS:
            raise QueryError(f"查询词过多（最多 {MAX_TERMS} 个）")
        return Near(tuple(dict.fromkeys(strings)), unit)

    def field(self, name: str, depth: int) -> Node | None:
        tok = self.peek()
        if tok is None or tok.kind in ("OR", "AND", "RPAREN"):
            raise QueryError(f"字段 {name}: 后面缺少检索内容")
        if name == "section":
            self.take()
            part = PART_ALIASES.get(tok.value.strip().casefold()) or PART_ALIASES.get(tok.value.strip())
            if tok.kind not in ("WORD", "QUOTED") or part is None:
                raise QueryError(f"未知的报告部分 {tok.value!r}（可用：不足、举措、第一责任人、下一年度、其他，"
                                 f"或 {'、'.join(PART_NAMES.values())}）")
            return _ScopeMark(part)
        if name == "versions":
            if tok.kind not in ("WORD", "QUOTED") or tok.value.casefold() not in ("all", "全部"):
                raise QueryError("versions: 后面应为 all（全部版本）")
            self.take()
            return Option("versions", "all")
        if name == "status":
            if tok.kind not in ("WORD", "QUOTED") or tok.value.casefold() not in STATUS_VALUES:
                raise QueryError("status: 后面应为 deleted（已删除）或 live（在线）")
            self.take()
            deleted = Term(DELETED, "status")
            return deleted if STATUS_VALUES[tok.value.casefold()] else Not(deleted)
        if name in RANGE_FIELDS:
            if tok.kind not in ("WORD", "QUOTED"):
                raise QueryError(f"{name}: 后面应为年份或日期，例如 year:2019 或 year:2018..2021")
            self.take()
            return _range(name, tok.value)
        if tok.kind == "LPAREN":
            self.take()
            node = self.or_expr(depth + 1)
            if self.peek() is not None and self.peek().kind == "RPAREN":
                self.take()
            return _with_field(node, name) if node is not None else None
        if tok.kind in ("WORD", "QUOTED"):
            self.take()
            return self.term(tok.value, name)
        raise QueryError(f"字段 {name}: 后面缺少检索内容")


def _has_scope_mark(node: object) -> bool:
    if isinstance(node, _ScopeMark):
        return True
    if isinstance(node, And | Or):
        return any(_has_scope_mark(c) for c in node.children)
    if isinstance(node, Not):
        return _has_scope_mark(node.child)
    return False


def _and(nodes: list[Node]) -> Node:
    if not nodes:
        return MatchAll()
    return nodes[0] if len(nodes) == 1 else And(tuple(nodes))


def _with_field(node: Node, name: str) -> Node:
    if isinstance(node, Term):
        return Term(node.text, name)
    if isinstance(node, And):
        return And(tuple(_with_field(c, name) for c in node.children))
    if isinstance(node, Or):
        return Or(tuple(_with_field(c, name) for c in node.children))
    if isinstance(node, Not):
        return Not(_with_field(node.child, name))
    return node


_DATE = re.compile(r"^(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?$")


def _date_bound(value: str, *, upper: bool) -> int:
    m = _DATE.match(value)
    if not m:
        raise QueryError(f"无法识别的日期 {value!r}（格式如 2021-01-31、2021-01 或 2021）")
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else (12 if upper else 1)
    if m.group(3):
        day = int(m.group(3))
    elif upper:
        day = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    else:
        day = 1
    try:
        d = dt.date(year, month, day)
    except ValueError:
        raise QueryError(f"无效的日期 {value!r}") from None
    return d.year * 10000 + d.month * 100 + d.day


def _range(name: str, value: str) -> Range:
    low_s, sep, high_s = value.partition("..")
    if not sep:
        low_s = high_s = value
    if name == "year":
        try:
            low = int(low_s) if low_s else None
            high = int(high_s) if high_s else None
        except ValueError:
            raise QueryError(f"无法识别的年份 {value!r}（格式如 2019 或 2018..2021）") from None
    else:
        low = _date_bound(low_s, upper=False) if low_s else None
        high = _date_bound(high_s, upper=True) if high_s else None
    if low is None and high is None:
        raise QueryError(f"{name}: 范围至少需要一端")
    return Range(name, low, high)


def parse_query(text: str) -> Node:
    """Parse a query string, or raise QueryError with a one-line message."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"查询过长：{len(text)} 个字符（最多 {MAX_QUERY_CHARS} 个）")
    return _Parser(_lex(text)).parse()


# ----------------------------------------------------------------------------- explaining


@dataclass(frozen=True)
class Reading:
    """How a query was read: its canonical form and what was repaired to read it.

    The parser is lenient (an open quote or bracket closes at the end, a lone ``-`` or ``OR``
    is dropped); a user should see that, not wonder why a query "worked" differently.
    """

    understood: str  # the query as the engine ran it, in the query language
    repairs: tuple[str, ...]  # one Chinese phrase per repair; empty when read as written

    @property
    def lenient(self) -> bool:
        return bool(self.repairs)


def read_query(text: str) -> Reading:
    """The canonical form of ``text`` and the repairs the lenient parser made to it.

    Raises QueryError as :func:`parse_query` does.
    """
    node = parse_query(text)
    return Reading(unparse(node), tuple(_repairs(text)))


def _repairs(text: str) -> list[str]:
    if '"' not in text:
        text = text.translate(_QUOTES)
    repairs: list[str] = []
    if text.count('"') % 2:
        repairs.append("补上了缺少的后引号")
    toks = _lex(text)
    depth = stray = 0
    for tok in toks:
        if tok.kind == "LPAREN":
            depth += 1
        elif tok.kind == "RPAREN":
            if depth:
                depth -= 1
            else:
                stray += 1
    if depth:
        repairs.append("补上了缺少的右括号")
    if stray:
        repairs.append("忽略了多余的右括号")
    if any(w == "-" for w in unicodedata.normalize("NFKC", _quote_doc_numbers(text)).split()):
        repairs.append("忽略了单独的“-”")
    kinds = ["START", *(t.kind for t in toks), "END"]
    for before, kind, after in zip(kinds, kinds[1:], kinds[2:], strict=False):
        if kind == "OR" and (before in ("START", "OR", "LPAREN", "NOT", "MINUS") or after in ("END", "OR", "RPAREN")):
            repairs.append("忽略了两边缺少检索词的 OR")
            break
    for kind, after in itertools.pairwise(kinds):
        if kind in ("MINUS", "NOT") and after in ("END", "OR", "RPAREN"):
            repairs.append("忽略了后面缺少检索词的 -/NOT")
            break
    return list(dict.fromkeys(repairs))


_FIELD_NAMES = {"title": "标题", "publisher": "发布机构", "docno": "文号", "region": "地区", "type": "类型"}
_NEEDS_QUOTES = re.compile(r'[\s()"|&:]|^-|^(?:OR|AND|NOT|或)$')


def _quoted(text: str) -> str:
    return f'"{text}"' if _NEEDS_QUOTES.search(text) else text


def _doc_number_term(node: Node) -> Term | None:
    """The one string of an Or that is a 文号 written every way, else None."""
    if isinstance(node, Or) and node.children and all(isinstance(c, Term) for c in node.children):
        first = node.children[0]
        fields = {c.field for c in node.children}
        if len(fields) == 1 and [c.text for c in node.children] == doc_number_variants(first.text):
            return first
    return None


def unparse(node: Node) -> str:
    """``node`` written back in the query language (Chinese field names): what the engine ran."""
    term = _doc_number_term(node)
    if term is not None:
        node = term
    if isinstance(node, MatchAll):
        return ""
    if isinstance(node, Term):
        if node.field == "status":
            return "状态:已删除"
        prefix = f"{_FIELD_NAMES[node.field]}:" if node.field in _FIELD_NAMES else ""
        return prefix + _quoted(node.text)
    if isinstance(node, Near):
        word = "同句" if node.unit == "sentence" else "同段"
        return f"{word}({' '.join(_quoted(t) for t in node.terms)})"
    if isinstance(node, Range):
        name = "年份" if node.field == "year" else "日期"

        def bound(v: int | None) -> str:
            if v is None:
                return ""
            return str(v) if node.field == "year" else f"{v // 10000:04d}-{v // 100 % 100:02d}-{v % 100:02d}"

        if node.low == node.high:
            return f"{name}:{bound(node.low)}"
        return f"{name}:{bound(node.low)}..{bound(node.high)}"
    if isinstance(node, Option):
        return "版本:全部"
    if isinstance(node, Not):
        if isinstance(node.child, Term) and node.child.field == "status":
            return "状态:在线"
        inner = unparse(node.child)
        return f"-({inner})" if isinstance(node.child, And | Or) and _doc_number_term(node.child) is None else f"-{inner}"
    if isinstance(node, Or):
        return " OR ".join(f"({unparse(c)})" if isinstance(c, And) else unparse(c) for c in node.children)
    if isinstance(node, And):
        return " ".join(f"({unparse(c)})" if isinstance(c, Or) and _doc_number_term(c) is None else unparse(c)
                        for c in node.children)
    if isinstance(node, Section):
        names = " ".join(f"部分:{PART_NAMES[p]}" for p in sorted(node.parts))
        rest = unparse(node.child)
        return f"{names} {rest}".strip()
    raise TypeError(node)


def conjuncts(node: Node) -> list[Node]:
    """The top-level AND parts of a query (one part when it is not an AND)."""
    if isinstance(node, And):
        return list(node.children)
    if isinstance(node, MatchAll):
        return []
    return [node]
