"""Administrative region (GB/T 2260) of a document, from a SiteIDCode or from its texts.

The rule that shapes everything here: **leave unknown rather than wrong**. A bare
county-level name that exists in several places (朝阳区, 鼓楼区, 青山区…) resolves only
when the same texts also name its province or city; generic words that happen to be
division names (城区, 新区…) are never matched; two-character names (和县, 沛县) count only
right after a boundary (start, punctuation, 省/市/州/盟) so that 各区和县 is not 和县.

Data: ``extract/data/gbt2260.tsv`` (generated from the cpca packages' adcode tables by
``extract/data/build_gbt2260.py``; current names plus divisions abolished since ~2016 so that
older reports still resolve) and ``extract/data/region_supplement.tsv`` (hand-checked
functional zones such as 漳河新区 that have no code of their own and resolve to their parent).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from indexer.document import Region

__all__ = [
    "LEVELS", "divisions", "province_from_name_start", "region_code_from_credit_code",
    "region_from_code", "region_from_host", "resolve_region",
]

_DATA_DIR = Path(__file__).parent / "data"
_MUNICIPALITIES = {"11", "12", "31", "50"}
# Division names that are also everyday words in government prose.
_GENERIC_NAMES = {
    "城区", "矿区", "郊区", "老城区", "新城区", "市中区", "城中区", "东区", "西区", "南区", "北区",
    "中区", "新区", "开发区", "高新区", "市辖区",
}
_PROVINCE_SUFFIXES = (
    "维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市",
)
# City short name + one of these (江门高新区) is a zone of that city.
_ZONE_SUFFIXES = (
    "高新技术产业开发区", "经济技术开发区", "高新区", "经开区", "经济开发区", "综合保税区",
    "保税区", "工业园区", "新区",
)
# The 56 nationalities, to shorten 恩施土家族苗族自治州 to the 恩施州 that documents write.
_NATIONALITIES = (
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族", "白族",
    "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族",
    "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族",
    "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族",
    "赫哲族", "门巴族", "珞巴族", "基诺族", "高山族",
)
_AUTONOMOUS_SUFFIXES = {"自治州": "州", "自治县": "县", "自治旗": "旗"}
# Characters after which a two-character name (和县) may start.
_TWO_CHAR_BOUNDARY = set("省市州盟")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PRIMARY_MAX_CHARS = 2_000
_CONTEXT_MAX_CHARS = 30_000


@dataclass
class _Table:
    names: dict[str, str] = field(default_factory=dict)  # code → canonical name
    # name → candidate codes; a zone name maps to its parent division's code
    index: dict[str, set[str]] = field(default_factory=dict)
    # names that only serve as context (湖北 → 420000), never as the answer
    context_only: dict[str, str] = field(default_factory=dict)
    first_chars: dict[str, list[int]] = field(default_factory=dict)  # char → name lengths
    # 市中区, 老城区…: real divisions, matched only right after their city (济南市市中区)
    generic: dict[str, set[str]] = field(default_factory=dict)
    current: set[str] = field(default_factory=set)  # codes of divisions that exist today


def _level(code: str) -> int:
    """0 province, 1 city, 2 county."""
    if code[2:] == "0000":
        return 0
    if code[4:] == "00":
        return 1
    return 2


def _ancestors(code: str) -> list[str]:
    out = [code[:2] + "0000"]
    if _level(code) == 2:
        out.append(code[:4] + "00")
    return [c for c in out if c != code]


def _is_within(code: str, ancestor: str) -> bool:
    level = _level(ancestor)
    prefix = ancestor[: 2 + 2 * level]
    return code.startswith(prefix)


@lru_cache(maxsize=1)
def _table() -> _Table:
    table = _Table()
    current: dict[str, set[str]] = {}
    historical: dict[str, set[str]] = {}
    with open(_DATA_DIR / "gbt2260.tsv", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            code, name, status = line.rstrip("\n").split("\t")
            if status == "current" or code not in table.names:
                table.names[code] = name
            if status == "current":
                table.current.add(code)
            if name in _GENERIC_NAMES:
                if status == "current":
                    table.generic.setdefault(name, set()).add(code)
                continue
            target = current if status == "current" else historical
            target.setdefault(name, set()).add(code)
    for name, codes in historical.items():
        if name not in current:  # a current division of that name wins over an old one
            current[name] = codes
    for name, codes in current.items():
        # 北京市 is both 110000 and 110100: keep the province code.
        kept = {c for c in codes if not any(a in codes for a in _ancestors(c))}
        table.index[name] = kept
    # 恩施州, 长阳县, 莫力达瓦旗: the short forms of autonomous divisions.
    for code, name in table.names.items():
        short = _autonomous_short_name(name)
        if short and short not in current:
            table.index.setdefault(short, set()).add(code)
    # Municipalities' city rows (110100 北京市) duplicate the province; drop them.
    for code, name in list(table.names.items()):
        if code[:2] in _MUNICIPALITIES and _level(code) == 1:
            table.index.get(name, set()).discard(code)
    # Province short names (湖北, 内蒙古) are context for disambiguation only.
    for code, name in table.names.items():
        if _level(code) != 0:
            continue
        for suffix in _PROVINCE_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                table.context_only.setdefault(name[: -len(suffix)], code)
                break
    # City short name + zone suffix: 江门高新区 → 江门市.
    for code, name in table.names.items():
        if _level(code) == 1 and code[:2] not in _MUNICIPALITIES and name.endswith("市"):
            short = name[:-1]
            if len(short) >= 2:
                for suffix in _ZONE_SUFFIXES:
                    zone = short + suffix
                    if zone not in current:  # never shadow a real division's name
                        table.index.setdefault(zone, set()).add(code)
    with open(_DATA_DIR / "region_supplement.tsv", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            name, parent, *_ = line.rstrip("\n").split("\t")
            table.index[name] = {parent}
    for name in list(table.index) + list(table.context_only):
        table.first_chars.setdefault(name[0], []).append(len(name))
    for lengths in table.first_chars.values():
        lengths.sort(reverse=True)
    return table


def _autonomous_short_name(name: str) -> str | None:
    """恩施土家族苗族自治州 → 恩施州; 长阳土家族自治县 → 长阳县; None if not autonomous."""
    for suffix, short_suffix in _AUTONOMOUS_SUFFIXES.items():
        if not name.endswith(suffix):
            continue
        base = name[: -len(suffix)]
        stripped = True
        while stripped:
            stripped = False
            for nationality in _NATIONALITIES:
                for form in (nationality, nationality.removesuffix("族")):
                    if len(form) >= 2 and base.endswith(form) and len(base) > len(form):
                        base = base[: -len(form)]
                        stripped = True
                        break
                if stripped:
                    break
        if base != name[: -len(suffix)] and len(base) >= 2:
            return base + short_suffix
        return None
    return None


def region_from_code(code: str | None) -> Region:
    """The full Region for a six-digit code (its own name plus province and city)."""
    table = _table()
    if not code or len(code) < 6 or not code[:6].isdigit():
        return Region()
    code = code[:6]
    if code not in table.names:
        # A city or county code we do not know: fall back to the nearest known ancestor.
        for ancestor in (code[:4] + "00", code[:2] + "0000"):
            if ancestor != code and ancestor in table.names:
                return region_from_code(ancestor)
        return Region()
    province = table.names.get(code[:2] + "0000")
    city: str | None = None
    county: str | None = None
    level = _level(code)
    if code[:2] in _MUNICIPALITIES:
        city = province
    elif level >= 1:
        city = table.names.get(code[:4] + "00")  # None for 省直辖县级 (仙桃市)
    if level == 2:
        county = table.names[code]
    return Region(province=province, city=city, county=county, code=code)


#: Levels of government, for :func:`divisions`.
LEVELS: tuple[str, ...] = ("province", "city", "county")


def divisions(level: str, province: str | None = None, city: str | None = None) -> list[Region]:
    """Every current division at ``level`` ("province", "city" or "county") as a full Region,
    in code order; ``province`` and ``city`` (names as in the table) narrow the list.

    The list of governments that owe something (an annual report, say) is this table, not the
    documents we happen to hold: a tracker built from the documents could never show who is
    missing. Municipalities (北京市…) have no city level: their districts are counties whose
    city is the municipality, as :func:`region_from_code` gives them. Counties directly under
    a province (仙桃市) have no city. Abolished divisions are left out.
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, not {level!r}")
    wanted = LEVELS.index(level)
    table = _table()
    out = []
    for code in sorted(table.current):
        if _level(code) != wanted or (wanted == 1 and code[:2] in _MUNICIPALITIES):
            continue
        region = region_from_code(code)
        if province and region.province != province:
            continue
        if city and region.city != city:
            continue
        out.append(region)
    return out


_CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def region_code_from_credit_code(value: str | None) -> str | None:
    """The six-digit region code inside a 统一社会信用代码 (GB 32100), if the code is valid.

    Many 索引号 start with the publisher's credit code (``11420800MB0W32466T/2020-00045``:
    420800 = 荆门市). The check character must match, so a random id is never read as a
    region.
    """
    if not value:
        return None
    code = value.strip().upper()
    if len(code) != 18 or any(ch not in _CREDIT_CHARSET for ch in code):
        return None
    total = sum(_CREDIT_CHARSET.index(ch) * w for ch, w in zip(code, _CREDIT_WEIGHTS, strict=False))
    if _CREDIT_CHARSET[(31 - total % 31) % 31] != code[17]:
        return None
    region = code[2:8]
    if not region.isdigit() or region not in _table().names:
        return None
    return region


@dataclass
class _Mention:
    name: str
    codes: set[str]
    context_only: bool = False
    end: int = 0


def _mentions(text: str) -> list[_Mention]:
    """Division names in ``text``, longest match first, left to right, no overlaps."""
    table = _table()
    found: list[_Mention] = []
    i = 0
    n = len(text)
    while i < n:
        matched = _generic_after_city(text, i, found[-1] if found else None)
        if matched:
            found.append(matched)
            i = matched.end
            continue
        lengths = table.first_chars.get(text[i])
        length_matched = 0
        for length in lengths or ():
            if i + length > n:
                continue
            candidate = text[i : i + length]
            if candidate in table.index:
                if length == 2 and i > 0:
                    before = text[i - 1]
                    if _CJK.match(before) and before not in _TWO_CHAR_BOUNDARY:
                        continue
                found.append(_Mention(candidate, set(table.index[candidate]), end=i + length))
                length_matched = length
                break
            if candidate in table.context_only:
                found.append(
                    _Mention(candidate, {table.context_only[candidate]}, True, end=i + length)
                )
                length_matched = length
                break
        i += length_matched or 1
    return found


def _generic_after_city(text: str, i: int, previous: _Mention | None) -> _Mention | None:
    """济南市市中区: a generic-sounding division counts only right after its own city."""
    if previous is None or previous.end != i or previous.context_only or len(previous.codes) != 1:
        return None
    parent = next(iter(previous.codes))
    if _level(parent) != 1 and parent[:2] not in _MUNICIPALITIES:
        return None
    table = _table()
    for name, codes in table.generic.items():
        if text.startswith(name, i):
            inside = {c for c in codes if _level(c) == 2 and _is_within(c, parent)}
            if len(inside) == 1:
                return _Mention(name, inside, end=i + len(name))
    return None


def _context_codes(mention_lists: list[list[_Mention]]) -> set[str]:
    """Codes (and their ancestors) that the texts name without ambiguity."""
    codes: set[str] = set()
    for mentions in mention_lists:
        for mention in mentions:
            if len(mention.codes) == 1:
                code = next(iter(mention.codes))
                codes.add(code)
                codes.update(_ancestors(code))
    return codes


def _choose(mention: _Mention, context: set[str], base: str | None) -> str | None:
    codes = mention.codes
    if base:
        codes = {c for c in codes if _is_within(c, base) or _is_within(base, c)}
    if len(codes) == 1:
        return next(iter(codes))
    if not codes:
        return None
    # Ambiguous: keep the candidates whose province or city the texts also name.
    confirmed = {c for c in codes if any(a in context for a in _ancestors(c))}
    if len(confirmed) == 1:
        return next(iter(confirmed))
    return None


def _most_specific(anchor: str, codes: list[str]) -> str:
    best = anchor
    for code in codes:
        if _level(code) > _level(best) and _is_within(code, best):
            best = code
    return best


def resolve_region(
    *texts: str | None, site_id_code: str | None = None, context: str | None = None
) -> Region:
    """The region a document belongs to, or an empty Region when unsure.

    ``texts`` in priority order (publisher, title, opening and signature lines): the first
    text that names a division decides, refined by more specific names within it. A
    SiteIDCode (first six digits = GB/T 2260 code) pins the region and restricts names to
    places inside it. ``context`` (the whole body) only disambiguates bare county names
    and, when the texts name nothing, lets a division mentioned at least twice, with no
    rival, decide.
    """
    table = _table()
    base: str | None = None
    code = (site_id_code or "").strip()
    # Local sites' codes are ten digits that start with the region code; central ministries'
    # are "bm" + digits (bm31000001) and say nothing about a region.
    if re.fullmatch(r"\d{10}", code) and code[:6] in table.names:
        base = code[:6]
    # Names that decide are near the top; past these bounds text only costs time.
    primary = [_mentions(t[:_PRIMARY_MAX_CHARS]) for t in texts if t]
    body = _mentions(context[:_CONTEXT_MAX_CHARS]) if context else []
    known = _context_codes([*primary, body])
    if base:
        known.add(base)
        known.update(_ancestors(base))

    decided: str | None = None
    chosen_by_text = [
        [c for m in mentions if not m.context_only and (c := _choose(m, known, base)) is not None]
        for mentions in primary
    ]
    for chosen in chosen_by_text:
        if chosen:
            anchor = chosen[0]
            if base and _level(base) > _level(anchor) and _is_within(base, anchor):
                anchor = base
            # A later text may name a place inside the anchor (publisher 江门高新区, title
            # 江门市江海区): take the most specific one that agrees.
            decided = _most_specific(anchor, [c for codes in chosen_by_text for c in codes])
            break
    if decided is None:
        decided = base

    if body:
        body_codes = [
            c for m in body if not m.context_only and (c := _choose(m, known, decided)) is not None
        ]
        if decided is None:
            voted = _vote(body_codes, min_count=2)
        else:
            inside = [c for c in body_codes if _level(c) > _level(decided) and _is_within(c, decided)]
            voted = _vote(inside, min_count=3)
        if voted:
            return region_from_code(voted)
    return region_from_code(decided) if decided else Region()


def _vote(codes: list[str], *, min_count: int) -> str | None:
    """The division the body names most, if it is named ``min_count`` times and at least
    twice as often as any place outside its own chain; None when unsure."""
    for level in (2, 1):
        if level == 2:
            counts = Counter(c for c in codes if _level(c) == 2)
        else:  # counties count for their city: 榆中县 ×2 and 永登县 ×2 → 兰州市
            counts = Counter(
                c if _level(c) == 1 else c[:4] + "00" for c in codes if _level(c) >= 1
            )
            counts = Counter({c: n for c, n in counts.items() if c in _table().names})
        if not counts:
            continue
        ranked = counts.most_common()
        top, top_count = ranked[0]
        if top_count < min_count:
            continue
        rivals = [n for c, n in ranked[1:] if not (_is_within(c, top) or _is_within(top, c))]
        if not rivals or top_count >= 2 * max(rivals):
            return top
        if level == 1:
            return None  # several places named about as often: unsure
    return None


# The label before ``gov.cn`` on provincial government hosts (www.hubei.gov.cn,
# sft.hubei.gov.cn). Only labels that no other government uses: ``sx`` (山西? 绍兴?) and
# ``gz`` (贵州? 广州?) are left out on purpose.
_PROVINCE_HOST_LABELS = {
    "beijing": "110000", "tj": "120000", "tianjin": "120000", "hebei": "130000", "shanxi": "140000",
    "nmg": "150000", "ln": "210000", "jl": "220000", "jilin": "220000", "hlj": "230000",
    "shanghai": "310000", "sh": "310000", "jiangsu": "320000", "zj": "330000", "zhejiang": "330000",
    "ah": "340000", "fujian": "350000", "jiangxi": "360000", "shandong": "370000", "henan": "410000",
    "hubei": "420000", "hunan": "430000", "gd": "440000", "gxzf": "450000", "hainan": "460000",
    "cq": "500000", "sc": "510000", "guizhou": "520000", "yn": "530000", "yunnan": "530000",
    "xizang": "540000", "shaanxi": "610000", "gansu": "620000", "qinghai": "630000", "nx": "640000",
    "xinjiang": "650000",
}


_NAME_SUFFIXES = re.compile(r"(?:特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|自治县|自治旗|"
                            r"地区|林区|省|市|县|区|州|盟|旗)$")


@lru_cache(maxsize=1)
def _pinyin_index() -> dict[str, set[str]]:
    """Toneless pinyin of every division's short name (开阳县 → kaiyang) → codes."""
    from pypinyin import lazy_pinyin

    index: dict[str, set[str]] = {}
    for code, name in _table().names.items():
        short = _NAME_SUFFIXES.sub("", name)
        if len(short) >= 2:
            index.setdefault("".join(lazy_pinyin(short)), set()).add(code)
    return index


@lru_cache(maxsize=1)
def _host_initials_index() -> dict[str, set[str]]:
    """Initials of each division's short and full name (sg → 韶关市, wjq → 武江区)."""
    from pypinyin import Style, lazy_pinyin

    index: dict[str, set[str]] = {}
    for code, name in _table().names.items():
        for form in {_NAME_SUFFIXES.sub("", name), name}:
            if len(form) >= 2:
                index.setdefault("".join(lazy_pinyin(form, style=Style.FIRST_LETTER)), set()).add(code)
    return index


def _host_tokens(token: str) -> list[tuple[str, bool]]:
    """(code, strong) readings of one piece of a host label: pinyin (pinglu) and provincial
    labels (cq) are strong; bare initials (hz: 杭州? 惠州? 湖州?…) are weak."""
    strong = set(_pinyin_index().get(token, ()))
    if token in _PROVINCE_HOST_LABELS:
        strong.add(_PROVINCE_HOST_LABELS[token])
    weak = _host_initials_index().get(token, set()) - strong
    return [(c, True) for c in strong] + [(c, False) for c in weak]


def _host_chains(label: str, parent: str | None = None, strong: bool = False) -> set[str]:
    """Provinces of every reading of ``label`` as 2–3 pieces naming divisions, each inside the
    one before, at least one piece spelled out (cqck → 重庆 ⊃ 城口县, szpinglu → 朔州 ⊃ 平鲁区,
    hnziyang → 湖南 ⊃ 资阳区). Initials alone can chain by chance (fxhz: 阜新 ⊃ 海州区, but
    the site is 连云港's), so they never decide."""
    provinces: set[str] = set()
    depth = 0 if parent is None else (1 if _level(parent) < 2 else 2)
    for cut in range(2, len(label) + 1):
        piece, rest = label[:cut], label[cut:]
        for code, is_strong in _host_tokens(piece):
            if parent is not None and not (code != parent and _is_within(code, parent)):
                continue
            if not rest:
                if parent is not None and (strong or is_strong):
                    provinces.add(code[:2] + "0000")
            elif depth < 2 and len(rest) >= 2:
                provinces |= _host_chains(rest, code, strong or is_strong)
    return provinces


def province_from_name_start(name: str | None) -> Region:
    """The province a body's name starts with, by its short form: 西藏日报, 宁夏司法厅,
    内蒙古自治区人民政府 → the province. Short names are only context inside prose (湖北 in a
    news item about visitors), but at the start of a publisher's name they say whose it is."""
    name = (name or "").strip()
    table = _table()
    for short, code in table.context_only.items():
        if _level(code) == 0 and name.startswith(short) and len(name) > len(short):
            return region_from_code(code)
    return Region()


def region_from_host(host: str | None) -> Region:
    """The province behind a government host name, else an empty Region.

    ``sft.hubei.gov.cn`` → 湖北省 (a table of provincial labels), ``www.kaiyang.gov.cn`` →
    贵州省 (the label is the pinyin of exactly one division: 开阳县). The weakest evidence: a
    county site may repost its province's or city's report, so only the province is read
    from the host, and only from a ``gov.cn`` host whose label names one place.
    """
    labels = (host or "").lower().split(".")
    if len(labels) < 3 or labels[-2:] != ["gov", "cn"]:
        return Region()
    label = labels[-3]
    code = _PROVINCE_HOST_LABELS.get(label)
    if code is None:
        codes = _pinyin_index().get(label, set())
        provinces = {c[:2] + "0000" for c in codes} or _host_chains(label)
        code = provinces.pop() if len(provinces) == 1 else None
    if code is None or code not in _table().names:
        return Region()
    province = region_from_code(code[:2] + "0000").province
    return Region(province=province, code=code[:2] + "0000")
