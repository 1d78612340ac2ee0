"""The one place that says, for each field, which evidence is tried in which order.

Readers (:mod:`extract.textdump` for page text, :mod:`extract.clean` for HTML/PDF/DOCX)
collect evidence — labelled 信息公开 values, candidate title lines, the URL, the sign-off,
codes printed on the page — and hand it here. Each ``choose_*`` function is short and
ordered strongest first, so that a reader of this file sees the whole policy for a field
in one place (trafilatura keeps its fallbacks the same way).

The rule for every field: **a wrong value is worse than none**. A title is shown, cited and
exported as if true; a date widget, a site name or a body sentence shown as a title misleads
every reader after. With no evidence a field stays ``None`` and the front ends say so.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urlsplit

from extract.furniture import is_date_widget, is_furniture
from extract.labels import is_label_line
from extract.metadata import (
    _nfkc,
    clean_line,
    infer_doc_type,
    normalize_doc_number,
    normalize_publisher,
    parse_date,
    report_year,
)
from extract.regions import (
    province_from_name_start,
    region_code_from_credit_code,
    region_from_host,
    resolve_region,
)
from indexer.document import Region

# --------------------------------------------------------------------------- evidence


@dataclass
class Evidence:
    """What a reader found on one page, before any field is decided."""

    labelled: dict[str, list[str]] = field(default_factory=dict)  # field → values, page order
    head_lines: list[str] = field(default_factory=list)  # lines above the body, page order
    head_positions: list[int] = field(default_factory=list)  # their line numbers in the page
    first_body_line: str | None = None
    body: list[str] = field(default_factory=list)
    all_lines: list[str] = field(default_factory=list)  # the whole page text, for codes
    url: str | None = None
    column_names: set[str] = field(default_factory=set)  # breadcrumb tails: never a title
    _flat: str | None = field(default=None, repr=False)

    def flat_text(self) -> str:
        """The page text without spaces or punctuation, to find repeats across line breaks."""
        if self._flat is None:
            self._flat = _key("".join(self.all_lines))
        return self._flat

    def head_flat_text(self) -> str:
        """:meth:`flat_text` of the page above the body: where a title is repeated (the page's
        own title line, the title split over lines); a name quoted in the body is no repeat."""
        if not self.head_positions or len(self.head_positions) != len(self.head_lines):
            return self.flat_text()
        return _key("".join(self.all_lines[: self.head_positions[-1] + 1]))

    def values(self, name: str) -> list[str]:
        return [v for v in self.labelled.get(name, []) if v]


# --------------------------------------------------------------------------- title

# What a document title ends with (the document kind), allowing a closing bracket, quote or
# a bracketed note such as （试行）/（2021年）.
_KIND_ENDING = re.compile(
    r"(?:报告|通知|意见|方案|总结|规则|规定|办法|公示|公告|通告|决定|决议|要点|纲要|细则|批复|"
    r"复函|函|计划|规划|讲话|答复|通报|条例|指引|指南|清单|纪要|请示|情况|制度|目录|说明|解读|"
    r"章程|命令|议案|提案|述职|述法|建议|汇报|倡议书|公开信|白皮书)"
    r"(?:[（(][^（）()]{1,14}[)）])?[》”\"']?$"
)
# Headlines of news items end in what happened, not in a document kind.
_NEWS_ENDING = re.compile(r"(?:会议?|召开|举行|举办|开展|启动|发布|印发|出台|签约|揭牌|开班|座谈|调研|"
                          r"部署|推进|通过|获批|成立|检查|督查|视察|考察|培训|宣讲|研讨|评估|新突破|成效|"
                          r"[^\s，。]{2}(?:会|班|赛|周|月|行动|活动))$")
_ORG_ONLY = re.compile(
    r"^[\u4e00-\u9fff（）()·\s]{2,40}(?:人民政府|政府|委员会|管委会|管理委员会|办公室|办公厅|局|厅|委|院|"
    r"中心|司法所|街道办事处|办事处|人大常委会|党委|党组|委员会文件|政府文件|局文件|办文件|厅文件|"
    r"日报|晚报|法治报|法制报|时报|新闻网|[^\s]{0,8}网)$"
)
_ADDRESSEE = re.compile(r"[:：]$")
NUMBERED_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十百]+[、.．]|[(（][一二三四五六七八九十百\d]+[)）]|\d+[、.．]|"
    r"第[一二三四五六七八九十百\d]+[章节条部分])"
)
_NEWS_LEAD = re.compile(r"^(?:本报讯|本报|记者|通讯员|[■□●◆▲]|[(（]记者|新华社|中新网|人民网|[\u4e00-\u9fff]{1,4}讯\s)")
_SIGNATURE = re.compile(r"(?:[局县区市省镇乡厅部处科]长|主任|书记)\s*[\u4e00-\u9fff](?:\s*[\u4e00-\u9fff]){1,2}$")
_INDEX_NO_SHAPE = re.compile(r"^[•·\s]*[0-9A-Za-z]{6,}[-/][0-9A-Za-z/\-]{3,}$")
_SENTENCE = re.compile(r"[。！？；;!?]")
_COLUMN_TAG = re.compile(r"^[【\[][^】\]]{1,12}[】\]]\s*")
# A 文号 glued before the title (嘉政发〔2025〕3号关于公布…的通知): the 文号 is a field of its own.
_LEADING_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{1,10}[〔\[［]\s*(?:19|20)\d{2}\s*[〕\]］]\s*\d+\s*号\s*(?=关于)")
_LEADING_BULLET = re.compile(r"^[•·●▪■◆*\-]+\s*")
_TRAILING_DOC_NUMBER = re.compile(r"\s*[(（][^()（）]{1,12}[〔\[［(（]\s*(?:19|20)\d{2}\s*[〕\]］)）]\s*\d+\s*号[)）]$")
_SITE_SUFFIX = re.compile(r"\s*[-_|｜—–－]+\s*[^-_|｜—–－\s]{2,16}(?:网|网站|门户网站|人民政府|政府)$")
_TITLE_MIN_CHARS = 6
_TITLE_MAX_CHARS = 90


@lru_cache(maxsize=1)
def _to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


def _simplified(text: str) -> str:
    """Traditional → simplified, so that 報告 on a Big5 gateway ends a title like 报告 does."""
    return _to_simplified().convert(text)


def _ends_in_kind(text: str) -> bool:
    return bool(_KIND_ENDING.search(text) or _KIND_ENDING.search(_simplified(text)))


def _key(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", _COLUMN_TAG.sub("", _nfkc(text)))


def tidy_title(text: str) -> str:
    """Drop a column tag (``【法治建设报告】``) and a dash-joined site name; keep the rest as written."""
    text = clean_line(text)
    text = _LEADING_BULLET.sub("", text)
    text = _LEADING_DOC_NUMBER.sub("", text)
    text = _COLUMN_TAG.sub("", text)
    text = _SITE_SUFFIX.sub("", text)
    text = _TRAILING_DOC_NUMBER.sub("", text)
    return text.strip()


def not_a_title(line: str, column_names: set[str] = frozenset()) -> str | None:
    """Why ``line`` can never be a title (a date widget, a 文号, an addressee…), or None."""
    text = tidy_title(line)
    if len(text) < 4:
        return "too short"
    if is_furniture(line) or is_date_widget(line):
        return "furniture"
    if len(re.findall(r"[\u4e00-\u9fff]", text)) < 2:
        return "no words"  # 4874268: a counter or an id
    # The last crumb of a breadcrumb is often the page's own title: only a short one is a
    # column name (政府信息公开年度报告), a long one is the title (关于《…条例》公开征求意见的公告).
    if len(text) <= 16 and (text in column_names or _key(text) in {_key(c) for c in column_names}):
        return "column name"
    if _SENTENCE.search(text):
        return "a sentence"
    if _ADDRESSEE.search(text):
        return "addressee or label"
    if parse_date(text) and len(re.sub(r"[\d\s年月日号:：.\-/]", "", text)) <= 4:
        return "a date"
    if normalize_doc_number(text) and len(text) <= 30:
        return "a 文号"
    if _INDEX_NO_SHAPE.match(text):
        return "an 索引号"
    if NUMBERED_HEADING.match(text):
        return "a section heading"
    if _NEWS_LEAD.match(text):
        return "a news lead"
    if _SIGNATURE.search(text):
        return "a signature"
    if _ORG_ONLY.match(text) and not _ends_in_kind(text):
        return "an organisation or site name"
    return None


def _neighbours(index: int, lines: Sequence[str], evidence: Evidence) -> list[str]:
    """The page lines just above and below head line ``index`` (label rows included)."""
    positions = evidence.head_positions
    if len(positions) == len(lines):
        at = positions[index]
        return [evidence.all_lines[j] for j in (at - 1, at + 1, at + 2)
                if 0 <= j < len(evidence.all_lines)]
    return [lines[j] for j in (index - 1, index + 1, index + 2) if 0 <= j < len(lines)]


def _title_score(index: int, lines: Sequence[str], evidence: Evidence, body_index: int) -> int:
    text = tidy_title(lines[index])
    score = 0
    if _ends_in_kind(text):
        score += 2
    if text.startswith("关于"):
        score += 1
    key = _key(text)
    # A fragment of a longer head line (提案主办情况的函 under the whole title) is "repeated"
    # only by that line: no evidence of its own.
    fragment = any(key != (other := _key(line)) and key in other
                   and len(re.findall(r"[\u4e00-\u9fff]", other.replace(key, "", 1))) >= 2
                   for line in lines)  # …总结(2) is no longer title than …总结
    if (len(key) >= _TITLE_MIN_CHARS and not fragment
            and evidence.head_flat_text().count(key) >= 2):
        score += 2  # the title repeated (whole, or split over lines) above the body
    if any(is_label_line(n) for n in _neighbours(index, lines, evidence)):
        score += 1  # a byline (来源 / 发布时间) beside the headline
    if index == body_index - 1 and not _ends_in_kind(text):
        score += 1  # a headline directly above the body
    if _NEWS_ENDING.search(text) and score >= 1:
        score += 1
    return score


_ISSUER_LINE = re.compile(r"^(?P<org>.+?)\s*(?:印发|转发)?$")


def _join_above(i: int, title: str, lines: Sequence[str], evidence: Evidence) -> str | None:
    """``title`` (starting at head line ``i``) joined with the line above when that line is
    its first half or its issuer; None when it is neither."""
    if i == 0:
        return None
    previous = tidy_title(lines[i - 1])
    if (len(previous) > 60 or _SENTENCE.search(previous) or is_furniture(lines[i - 1])
            or _ADDRESSEE.search(previous) or previous.endswith("文件")):
        return None
    joined = previous + title
    fragment = (not title.startswith("关于") and ("关于" in previous or "印发" in previous)
                and not _KIND_ENDING.search(previous))
    positions = evidence.head_positions
    adjacent = len(positions) == len(lines) and positions[i - 1] == positions[i] - 1
    # 秦安县人民政府 / 关于2019年…的报告, 鹤岗市人民政府 鹤岗市中级人民法院印发 / 关于…的通知,
    # 威海市生态环境局 / 2022年…工作报告 on consecutive lines: the issuer starts the title.
    org = _ISSUER_LINE.match(previous)
    issuer = (adjacent and bool(re.match(r"关于|印发|(?:19|20)\d{2}\s*年", title))
              and org is not None and bool(_ORG_ONLY.match(org["org"]))
              and not _KIND_ENDING.search(previous))
    if fragment or issuer or evidence.flat_text().count(_key(joined)) >= 2:
        return joined
    return None


def choose_title(evidence: Evidence) -> str | None:
    """The document title, or None when nothing on the page is evidence enough.

    Order: a labelled 标题/名称 value; else the best title-shaped line above the body (it ends
    in a document kind, is repeated, sits beside the byline or directly above the body — at
    least two of these, or the kind ending alone), joined with its other half when the title
    is split over two or three lines. Never a line :func:`not_a_title` rejects.
    """
    for value in evidence.values("title"):
        if not_a_title(value) in (None, "column name", "an organisation or site name") and len(_key(value)) >= 4:
            return tidy_title(value)
    lines = evidence.head_lines
    body_index = len(lines)
    best: tuple[int, int, int] | None = None
    for i, line in enumerate(lines):
        if not_a_title(line, evidence.column_names) is not None:
            continue
        text = tidy_title(line)
        if not (_TITLE_MIN_CHARS <= len(text) <= _TITLE_MAX_CHARS):
            continue
        score = _title_score(i, lines, evidence, body_index)
        # Ties go to the longer line: a column name (政府信息公开年度报告) is the generic
        # short form of the title below it.
        if score >= 2 and (best is None or (score, len(text)) > best[:2]):
            best = (score, len(text), i)
    if best is None:
        return None
    i = best[2]
    title = tidy_title(lines[i])
    # A title split over lines: 河南省人民政府 / 关于2023年度…的报告 (joined only when the page
    # shows the whole elsewhere, or the line above is the issuer right above 关于…/印发…/2022年…);
    # …关于印发2020年…优化营商环境 / 实施方案的通知 (a fragment before the kind ending). Up to
    # two lines are joined above: issuer / 关于印发…“十四五” / 实施方案的通知.
    start = i
    for _ in range(2):
        joined = _join_above(start, title, lines, evidence)
        if joined is None:
            break
        start, title = start - 1, joined
    if not _KIND_ENDING.search(title) and i + 1 < len(lines):
        following = tidy_title(lines[i + 1])
        if (len(following) <= 40 and not _SENTENCE.search(following) and _KIND_ENDING.search(following)
                and not is_furniture(lines[i + 1]) and not _ADDRESSEE.search(following)):
            title = title + following
    return title


# --------------------------------------------------------------------------- dates

_URL_DATES = (
    re.compile(r"/t((?:19|20)\d{2})(\d{2})(\d{2})_"),  # TRS: /202103/t20210329_5396867.html
    re.compile(r"/art/((?:19|20)\d{2})/(\d{1,2})/(\d{1,2})/"),  # Hanweb
    re.compile(r"/((?:19|20)\d{2})-(\d{2})/(\d{2})/"),  # /2022-09/12/content_…
    re.compile(r"/((?:19|20)\d{2})(\d{2})/(\d{2})/"),  # /202103/29/
    re.compile(r"/((?:19|20)\d{2})/(\d{2})-(\d{2})/"),  # /2021/03-30/
    re.compile(r"[/_]((?:19|20)\d{2})(\d{2})(\d{2})[/_]"),  # /20210329/ or _20210329_
)


def url_date(url: str | None) -> dt.date | None:
    """A full date in the URL path (never just a month): TRS, Hanweb and newspaper layouts."""
    if not url:
        return None
    path = urlsplit(url).path
    for pattern in _URL_DATES:
        match = pattern.search(path)
        if match:
            try:
                date = dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                continue
            # t19700101_: a CMS's placeholder epoch, not a date.
            if dt.date(1990, 1, 1) <= date <= dt.date.today() + dt.timedelta(days=1):
                return date
    return None


def _first_date(values: Iterable[str | None]) -> dt.date | None:
    for value in values:
        if value and not is_date_widget(value):
            date = parse_date(value)
            if date:
                return date
    return None


def choose_published(evidence: Evidence, signoff: dt.date | None = None,
                     meta: Sequence[str | None] = ()) -> dt.date | None:
    """Publication date: ``<meta>`` publish dates, labelled 发布日期/发布时间, a bare 日期/时间/
    更新时间 label, 成文日期, a full date in the URL, the sign-off — in that order. A "today is"
    widget is furniture and never reaches here."""
    return (_first_date(meta)
            or _first_date(evidence.values("published"))
            or _first_date(evidence.values("date"))
            or _first_date(evidence.values("written"))
            or url_date(evidence.url)
            or signoff)


def choose_written(evidence: Evidence, signoff: dt.date | None = None) -> dt.date | None:
    """成文日期: a labelled 成文/生成/印发日期, else the sign-off date."""
    return _first_date(evidence.values("written")) or signoff


# --------------------------------------------------------------------------- publisher

# 来源 values that name the website, an account or a newsroom habit, not an issuing body.
_NOT_A_PUBLISHER = re.compile(
    r"^(?:本网|本站|本网站|网站|原创|本站原创|本网原创|转载|admin|管理员|编辑部|系统管理员|佚名|未知|"
    r".{0,20}(?:网站|门户网站|政府网|门户网|人民政府网|信息网|政务网))$",
    re.IGNORECASE,
)


def publisher_value(value: str | None) -> str | None:
    name = normalize_publisher(value)
    if not name or _NOT_A_PUBLISHER.match(name) or len(name) > 60:
        return None
    return name


def choose_publisher(evidence: Evidence, signature: Sequence[str] = (),
                     meta: Sequence[str | None] = ()) -> str | None:
    """发布机构/发文机关 labels, a ContentSource ``<meta>``, 来源/信息来源/文章来源 (and 作者…源自),
    then the issuing body in the sign-off. Site names and 本站原创 are not publishers."""
    for value in [*evidence.values("publisher"), *meta, *evidence.values("source")]:
        name = publisher_value(value)
        if name:
            return name
    # Joint issuers sign one under the other (鹤岗市人民政府 / 鹤岗市中级人民法院).
    return " ".join(signature) if signature else None


# --------------------------------------------------------------------------- report year

_YEAR = r"((?:19|20)\d{2})"
# Where a report says which year it covers, strongest first: "现将2023年度…报告如下",
# "统计期限为2023年1月1日", an opening "2024年以来，…", a heading "一、2024年主要工作".
_YEAR_STATED = (
    re.compile(r"(?:现将|现公布|现对|现就|特?报告|总结)[^。\n]{0,40}?" + _YEAR
               + r"\s*年度?(?!以来)[^。\n]{0,30}?(?:报告|总结)(?:如下|公布|全文)"),
    re.compile(_YEAR + r"\s*年度?(?:政府信息公开工作)?年度报告"),
    re.compile(r"统计期限为\s*" + _YEAR + r"\s*年?\s*1\s*月\s*1\s*日"),
)
_YEAR_OPENING = re.compile(r"^(?:[一二三四五六七八九十]+、\s*)?" + _YEAR
                           + r"\s*(?:年度?\s*[,，、]|年?以来|年是)")
_YEAR_HEADING = re.compile(r"^[一二三四五六七八九十]+、\s*" + _YEAR + r"\s*年")
_YEAR_ANY = re.compile(_YEAR + r"\s*年(?![—\-–~至])")
_YEAR_RANGE = re.compile(_YEAR + r"\s*年?\s*[—\-–~至]\s*" + _YEAR + r"\s*年")
_REPORT_WORDS = re.compile(r"(?:报告|总结)如下|年度报告|情况报告|工作报告|工作总结|述法|履职情况")
# The words the parts of an annual report are headed with (主要举措和成效 … 下一年度安排).
_PART_WORDS = re.compile(r"举措|成效|主要工作|工作情况|履职|不足|问题|差距|原因|下一步|下一年度|"
                         r"明年|工作安排|工作打算|工作思路|总体情况|主动公开|依申请公开|行政复议")


def _has_report_parts(body: Sequence[str]) -> bool:
    """Numbered headings that name the parts of a report (a news item rarely has 一、二、
    headings about 不足 and 下一步)."""
    headings = [p for p in body[:200] if len(p) <= 60 and NUMBERED_HEADING.match(p)]
    return len(headings) >= 2 and sum(bool(_PART_WORDS.search(h)) for h in headings) >= 2


def _body_year(body: Sequence[str]) -> int | None:
    """The year an untitled report covers, from its opening: a stated year ("现将2023年度…报告
    如下"); an opening year ("2024年以来，…") on a page that reads as a report (a 一、 heading
    follows, or it says 报告/述法/年度); else, on a page headed like a report, the most frequent
    year of its first lines (ranges such as 2021—2025年 name a plan period, not the year)."""
    head = "\n".join(body[:4])[:2000]
    for pattern in _YEAR_STATED:
        if match := pattern.search(head):
            return int(match[1])
    opening = next((m for p in body[:3] if (m := _YEAR_OPENING.match(p) or _YEAR_HEADING.match(p))),
                   None)
    if opening and (any(p.startswith("一、") for p in body[:8]) or _REPORT_WORDS.search(head)):
        return int(opening[1])
    if not _has_report_parts(body):
        return None
    first_lines = "\n".join(body[:12])[:1500]
    counts = Counter(int(m[1]) for m in _YEAR_ANY.finditer(_YEAR_RANGE.sub("", first_lines)))
    if not counts:
        return None
    (year, n), *rest = counts.most_common()
    return year if not rest or n > rest[0][1] else None


def choose_year(title: str | None, evidence: Evidence) -> int | None:
    """The year a report covers: from the title (``2019年度`` → 2019); for an untitled page (or
    a 报告 whose title names no year) that reads as a report, from its opening."""
    if title:
        # 关于印发…2019年行政执法工作报告的通知 is a 通知: its year is not a report year.
        kind = infer_doc_type(title)
        if kind not in ("报告", "总结", "要点", "计划") and not (kind is None and "年度" in title):
            return None
        year = report_year(title)
        if year or kind not in ("报告", "总结"):
            return year
    year = _body_year(evidence.body)
    return year if year and 1978 <= year <= dt.date.today().year + 1 else None


# --------------------------------------------------------------------------- region

_SITE_ID = re.compile(r"网站标识码\s*[:：]?\s*(\d{10})")
_POLICE_RECORD = re.compile(r"公网安备\s*(\d{6})\d{8}")


_BANNER = re.compile(r"^(?:欢迎(?:访问|来到|登录|进入))?(?P<name>.{2,30}?)(?:门户网站|官方网站|网站|官网)?[!！]?$")


def _banner_region(head_lines: Sequence[str]) -> Region:
    """The government a site banner above the title names (``嵊州市人民政府``, ``欢迎访问吉林省
    人民政府法制办公室！``): whose site it is, as strong as its host name."""
    for line in head_lines[:12]:
        match = _BANNER.match(line.strip())
        name = match["name"] if match else ""
        if _ORG_ONLY.match(name):
            region = resolve_region(name)
            if region.is_empty():
                region = province_from_name_start(name)
            if not region.is_empty():
                return region
    return Region()


def choose_region(*, publisher: str | None, title: str | None, evidence: Evidence,
                  signature: Sequence[str] = (), index_no: str | None = None,
                  site_id: str | None = None) -> Region:
    """Publisher and title first, then the opening lines and signature; a 网站标识码 (or the
    credit code in the 索引号, or a 公网安备 number) pins the government that runs the site.
    Unknown rather than wrong."""
    page = "\n".join(evidence.all_lines[-80:])
    code = site_id
    if code is None:
        match = _SITE_ID.search(page)
        code = match[1] if match else None
    if code is None and index_no:
        credit_region = region_code_from_credit_code(index_no.split("/")[0])
        code = credit_region + "0000" if credit_region else None  # as a 10-digit site code
    if code is None:
        match = _POLICE_RECORD.search(page)
        code = match[1] + "0000" if match else None
    context = "\n".join(evidence.body)
    publisher, title = (_simplified(t) if t else t for t in (publisher, title))  # 寧夏司法廳
    if not resolve_region(publisher, title, *signature, site_id_code=code).is_empty():
        return resolve_region(publisher, title, *evidence.body[:3], *signature,
                              site_id_code=code, context=context)
    # Nothing but the page's own text names a place: a news item on 枣庄's site about
    # visitors from 湖北 names 湖北 first. The host says whose site it is; the text may refine
    # it within that province, never contradict it.
    named = province_from_name_start(publisher)
    if not named.is_empty():
        return named
    from_text = resolve_region(*evidence.body[:3], context=context)
    from_host = _banner_region(evidence.all_lines)
    if from_host.is_empty() and evidence.url:
        from_host = region_from_host(urlsplit(evidence.url).hostname)
    if from_host.is_empty() or from_text.province == from_host.province:
        return from_text
    return from_host
