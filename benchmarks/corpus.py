"""A deterministic corpus of realistic rule-of-law reports, generated from ``seeds/``.

Why generated: the five seeds are far too few to measure a search engine, and a crawl is
neither reproducible nor available offline. Every report here is made of real seed
paragraphs (recombined across seeds, some with their sentences re-spliced), with the place
names, years, counts, percentages, 文号, publishers and dates replaced, so that:

* the vocabulary and paragraph shapes are those of real reports (segmenters and gram
  statistics behave as on real data, and common phrases such as 法治政府 hit most documents,
  as they do in practice);
* rare strings exist too (a 文号, a county name, a count), so selective queries are measured;
* full-width forms (９０％) and Latin/ASCII forms (90%) both occur, as in real dumps.

The same ``seed`` and ``n`` always give the same documents (ids included), so two engines
can be measured on exactly the same corpus, and a failure can be reproduced.

Place names come from the GB/T 2260 table shipped in ``extract/data/gbt2260.tsv`` (built from
the MIT-licensed ``cpca`` package data): ~2,900 current county-level divisions with their
city and province.

Usage::

    python benchmarks/corpus.py --out DIR --n 20000          # plain-text dumps like seeds/
    python benchmarks/corpus.py --jsonl corpus.jsonl --n 2000  # Document JSON, one per line
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from indexer.document import Document, Region, make_id  # noqa: E402

SEEDS_DIR = ROOT / "seeds"
REGION_TABLE = ROOT / "extract" / "data" / "gbt2260.tsv"
MUNICIPALITIES = {"11", "12", "31", "50"}  # province-level cities: city == province

# Place names that occur in the seeds; each is replaced by the generated report's own place.
SEED_PLACES: tuple[tuple[str, str], ...] = (
    ("江门高新技术产业开发区", "zone"),
    ("江门市江海区", "city_county"),
    ("江门高新区", "zone"),
    ("漳河新区", "county"),
    ("榆中县", "county"),
    ("青山区", "county"),
    ("江海区", "county"),
    ("江门市", "city"),
    ("荆门市", "city"),
    ("武汉市", "city"),
    ("甘肃省", "province"),
    ("广东省", "province"),
    ("湖北省", "province"),
)
_SEED_PLACE_RE = re.compile("|".join(re.escape(p) for p, _ in SEED_PLACES))
_SEED_PLACE_KIND = dict(SEED_PLACES)

# Lines of the seed dumps that are page chrome or metadata, not report text.
_CHROME = re.compile(
    r"索\s*引\s*号|有\s*效\s*性|发布机构|信息分类|生成日期|发布日期|信息来源|文章来源|^时间[:：]|浏览数|字体大小|保护视力色|打印|"
    r"扫一扫|上一篇|下一篇|Produced By|您现在的位置|\||^-+$|^附件[:：]?$|通知公告"
)
_COUNT = re.compile(r"(?<![\d.〔])(\d{1,5})(?=(次|人次|件|项|个|家|场|期|名|人|条|份|起|万元|余件|余人|余次))")
_PERCENT = re.compile(r"\d{1,3}(?:\.\d+)?%")
_YEAR = re.compile(r"(?<!\d)(20[12]\d)(?=年)")
_SENTENCE = re.compile(r"(?<=[。；！？])")

DOC_TYPES = ("报告", "总结", "意见", "通知", "方案", "要点")
DOC_TYPE_WEIGHTS = (45, 20, 10, 10, 8, 7)
DEPARTMENTS = (
    "人民政府", "人民政府办公室", "司法局", "城市管理局", "市场监督管理局", "生态环境局", "自然资源局",
    "住房和城乡建设局", "交通运输局", "应急管理局", "卫生健康局", "教育局", "税务局", "人力资源和社会保障局",
)
PROGRAMMES = (
    "“放管服”改革", "“双随机、一公开”监管", "“谁执法谁普法”普法责任制", "行政执法“三项制度”",
    "“八五”普法规划", "“七五”普法规划", "“一网通办”", "“最多跑一次”改革", "证明事项告知承诺制",
    "重大行政决策合法性审查", "行政规范性文件备案审查", "法治政府建设示范创建",
)
_CN_DIGITS = "〇一二三四五六七八九"
_FULLWIDTH = str.maketrans("0123456789%.", "０１２３４５６７８９％．")


@dataclass(frozen=True)
class Place:
    province: str
    city: str
    county: str
    code: str

    @property
    def full(self) -> str:
        if self.city == self.province:
            return self.province + self.county
        return self.province + self.city + self.county


def load_places(table: Path = REGION_TABLE) -> list[Place]:
    """Every current county-level division with its city and province, in code order."""
    if not table.exists():
        raise SystemExit(f"找不到行政区划表 {table}（extract/data/gbt2260.tsv）")
    names: dict[str, str] = {}
    for line in table.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        code, name, status = [*line.split("\t"), "", ""][:3]
        if status == "current" and len(code) == 6 and code not in names:
            names[code] = name
    places = []
    for code, name in sorted(names.items()):
        if code.endswith("00"):
            continue
        province = names.get(code[:2] + "0000")
        city = province if code[:2] in MUNICIPALITIES else names.get(code[:4] + "00")
        if province and city:
            places.append(Place(province, city, name, code))
    return places


def seed_texts(seeds_dir: Path = SEEDS_DIR) -> list[tuple[str, list[str]]]:
    """(title, paragraphs) of each seed dump, read as plain text with chrome lines dropped."""
    out = []
    for path in sorted(seeds_dir.glob("*.txt")):
        lines = [ln.strip().replace("\u3000", "") for ln in path.read_text(encoding="utf-8").splitlines()]
        lines = [ln for ln in lines if ln and not _CHROME.search(ln)]
        title = next((ln for ln in lines if 8 <= len(ln) <= 60 and re.search(r"报告|总结|意见", ln)), lines[0])
        paragraphs = [ln for ln in lines if ln != title and len(ln) >= 12 and not re.fullmatch(r"[\d\s年月日〔〕]+", ln)]
        out.append((title, paragraphs))
    return out


def _chinese_date(d: dt.date) -> str:
    def num(n: int) -> str:
        if n < 10:
            return _CN_DIGITS[n]
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")

    return "".join(_CN_DIGITS[int(c)] for c in str(d.year)) + f"年{num(d.month)}月{num(d.day)}日"


class CorpusGenerator:
    """Builds report ``i`` of a corpus from its own random stream, so any prefix is stable."""

    def __init__(self, seed: int = 20240501, seeds_dir: Path = SEEDS_DIR) -> None:
        self.seed = seed
        self.places = load_places()
        texts = seed_texts(seeds_dir)
        self.headings = [p for _, ps in texts for p in ps if len(p) <= 40]
        self.paragraphs = [p for _, ps in texts for p in ps if len(p) > 40]
        self.sentences = [s for p in self.paragraphs for s in _SENTENCE.split(p) if len(s) >= 8]

    # -- pieces ------------------------------------------------------------------------

    def _substitute(self, text: str, rng: random.Random, place: Place, year: int) -> str:
        def place_for(m: re.Match[str]) -> str:
            kind = _SEED_PLACE_KIND[m.group(0)]
            if kind == "province":
                return place.province
            if kind == "city":
                return place.city
            if kind == "city_county":
                return place.city + place.county if place.city != place.province else place.county
            return place.county

        def count(m: re.Match[str]) -> str:
            n = int(m.group(1))
            return str(max(1, int(n * rng.uniform(0.3, 2.5)))) if n else "0"

        def percent(_: re.Match[str]) -> str:
            value = rng.choice((100, 100, 98, 95, 90, 90, 85, 80, 75, 60)) if rng.random() < 0.6 else round(rng.uniform(60, 99.9), 1)
            out = f"{value}%"
            return out.translate(_FULLWIDTH) if rng.random() < 0.15 else out

        def year_for(m: re.Match[str]) -> str:
            offset = int(m.group(1)) - 2019  # seeds are mostly about 2017–2021
            return str(min(2025, max(2014, year + max(-2, min(1, offset)))))

        text = _SEED_PLACE_RE.sub(place_for, text)
        text = _COUNT.sub(count, text)
        text = _PERCENT.sub(percent, text)
        return _YEAR.sub(year_for, text)

    def _spliced(self, rng: random.Random) -> str:
        """A paragraph re-spliced from sentences of different seed paragraphs."""
        return "".join(rng.sample(self.sentences, rng.randint(2, 5)))

    def _stats_paragraph(self, rng: random.Random, place: Place, year: int) -> str:
        reviewed = rng.randint(5, 400)
        suits = rng.randint(3, 300)
        rate = rng.choice(("100%", "95%", "90%", "９０％", "８５．５％", f"{rng.randint(60, 99)}%"))
        return (
            f"{year}年，{place.county}共收到行政复议申请{reviewed}件，依法受理{max(1, reviewed - rng.randint(0, 5))}件，"
            f"审结{max(1, reviewed - rng.randint(0, 9))}件；办理行政应诉案件{suits}件，行政机关负责人出庭应诉{rng.randint(1, suits)}次，"
            f"出庭应诉率{rate}。组织开展{rng.choice(PROGRAMMES)}专项检查{rng.randint(1, 30)}次，"
            f"培训行政执法人员{rng.randint(50, 3000)}人次。"
        )

    # -- a report ------------------------------------------------------------------------

    def document(self, i: int) -> Document:
        rng = random.Random(f"{self.seed}:{i}")
        place = rng.choice(self.places)
        year = rng.randint(2015, 2024)
        doc_type = rng.choices(DOC_TYPES, DOC_TYPE_WEIGHTS)[0]
        department = rng.choice(DEPARTMENTS)
        publisher = place.county + department
        issuer = place.county[0] + ("政办发" if department.startswith("人民政府") else rng.choice(("司发", "政发", "法办", "办发")))
        doc_number = f"{issuer}〔{year if doc_type != '报告' else year + 1}〕{rng.randint(1, 180)}号"
        title = {
            "报告": rng.choice((f"{publisher}{year}年度法治政府建设情况报告", f"{publisher}关于{year}年法治政府建设工作情况的报告")),
            "总结": f"{publisher}{year}年度依法行政工作总结",
            "意见": f"{place.county}关于加快推进法治政府建设的实施意见",
            "通知": f"关于印发《{place.county}{year}年依法行政工作要点》的通知",
            "方案": f"{place.county}{year}年法治政府建设实施方案",
            "要点": f"{place.county}{year}年依法行政工作要点",
        }[doc_type]
        if doc_type in ("报告", "总结"):
            published = dt.date(min(year + 1, 2025), rng.randint(1, 4), rng.randint(1, 28))
        else:
            published = dt.date(year, rng.randint(1, 12), rng.randint(1, 28))

        target = rng.randint(3000, 8000)
        paragraphs = [
            self._substitute(rng.choice(self.paragraphs), rng, place, year),
            f"{place.county}认真贯彻落实{year}年度依法行政工作要点（{doc_number}），扎实推进{rng.choice(PROGRAMMES)}。",
        ]
        size = sum(map(len, paragraphs))
        heading_every = rng.randint(3, 6)
        while size < target:
            roll = rng.random()
            if len(paragraphs) % heading_every == 0:
                text = rng.choice(self.headings)
            elif roll < 0.7:
                text = rng.choice(self.paragraphs)
            elif roll < 0.92:
                text = self._spliced(rng)
            else:
                text = self._stats_paragraph(rng, place, year)
            text = self._substitute(text, rng, place, year)
            paragraphs.append(text)
            size += len(text)
        paragraphs.append(publisher)
        paragraphs.append(_chinese_date(published) if rng.random() < 0.3 else f"{published.year}年{published.month}月{published.day}日")

        source = f"http://www.{place.code}.gov.cn/zwgk/fzzfjs/{published:%Y%m}/t{published:%Y%m%d}_{i:06d}.html"
        return Document(
            id=make_id(source),
            title=title,
            source=source,
            paragraphs=paragraphs,
            publisher=publisher,
            published=published,
            doc_number=doc_number,
            doc_type=doc_type,
            year=year if doc_type in ("报告", "总结") else None,
            region=Region(place.province, place.city, place.county, place.code),
        )

    def documents(self, n: int) -> Iterator[Document]:
        for i in range(n):
            yield self.document(i)


def generate(n: int, seed: int = 20240501) -> Iterator[Document]:
    """The first ``n`` reports of the corpus for ``seed``."""
    return CorpusGenerator(seed).documents(n)


def as_text_dump(doc: Document) -> str:
    """A plain-text dump shaped like the seeds (metadata header, title, body, sign-off)."""
    date = doc.published.isoformat() if doc.published else ""
    header = [
        f"发布机构: {doc.publisher or ''} 生成日期: {date}",
        f"文 号: {doc.doc_number or ''} 有 效 性: 有效",
        "",
        doc.title,
        "",
        f"发布日期:{date} 信息来源:{doc.publisher or ''}",
        "",
    ]
    return "\n".join(header + [f"  {p}\n" for p in doc.paragraphs])


def write_jsonl(path: Path, n: int, seed: int = 20240501) -> dict[str, int]:
    """Write ``n`` documents as Document JSON lines; returns document and text sizes."""
    chars = text_bytes = 0
    with path.open("w", encoding="utf-8") as fh:
        for doc in generate(n, seed):
            fh.write(doc.to_json() + "\n")
            text = doc.title + "\n" + doc.body
            chars += len(text)
            text_bytes += len(text.encode("utf-8"))
    return {"documents": n, "chars": chars, "text_bytes": text_bytes}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="生成基准测试语料（由 seeds/ 重组，可复现）")
    parser.add_argument("--n", type=int, default=2000, help="文档数（默认 2000）")
    parser.add_argument("--seed", type=int, default=20240501, help="随机种子")
    parser.add_argument("--out", type=Path, help="输出纯文本目录（每篇一个 .txt，格式同 seeds/）")
    parser.add_argument("--jsonl", type=Path, help="输出 Document JSON Lines 文件")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n 必须为正整数")
    if not args.out and not args.jsonl:
        parser.error("请指定 --out 目录或 --jsonl 文件")
    if args.jsonl:
        info = write_jsonl(args.jsonl, args.n, args.seed)
        print(f"已写入 {args.jsonl}：{info['documents']} 篇，{info['chars']} 字，{info['text_bytes'] / 1e6:.1f} MB")
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        for i, doc in enumerate(generate(args.n, args.seed)):
            (args.out / f"{i:06d}.txt").write_text(as_text_dump(doc), encoding="utf-8")
        print(f"已写入 {args.n} 个文本文件到 {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
