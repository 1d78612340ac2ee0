"""Near-duplicate bodies: the same report republished on a county and a city site.

Why character 5-grams: reports follow five mandated sections, so two counties' reports share
most character bigrams (Jaccard ≈ 0.82, indistinguishable from a republication), while on
5-grams a republished copy scores ≈ 0.96 and another county's report ≈ 0.51 (measured in
/work/shared/research/crawl-clean.md §4). MinHash LSH finds candidates fast; each candidate
is then verified exactly (Jaccard, or containment for truncated copies), and two reports that
name different years are never merged.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from datasketch import MinHash, MinHashLSH

SHINGLE = 5
NUM_PERM = 128
JACCARD_THRESHOLD = 0.8
CONTAINMENT_THRESHOLD = 0.9
#: Below this many shingles a body says too little ("详见附件") to be called a copy.
MIN_SHINGLES = 60

_YEAR = re.compile(r"(?:19|20)\d{2}")
_SPACE = re.compile(r"\s+")
# Republication furniture that differs between copies of one text.
_FURNITURE = re.compile(r"(?:来源|信息来源|发布时间|浏览次数|【打印】|【关闭】|打印本页|关闭窗口)[：:]?")


def normalise(text: str) -> str:
    """NFKC, no whitespace, no page furniture: what two copies of a report share."""
    text = unicodedata.normalize("NFKC", text)
    text = _FURNITURE.sub("", text)
    return _SPACE.sub("", text)


def shingles(text: str, k: int = SHINGLE) -> set[str]:
    if len(text) < k:
        return {text} if text else set()
    return {text[i:i + k] for i in range(len(text) - k + 1)}


def _minhash(grams: set[str]) -> MinHash:
    m = MinHash(num_perm=NUM_PERM)
    m.update_batch([g.encode("utf-8") for g in grams])
    return m


def _years(title: str) -> set[str]:
    return set(_YEAR.findall(title or ""))


class NearDuplicates:
    """An in-memory LSH over document bodies, keyed by document id."""

    def __init__(self) -> None:
        # A lower LSH threshold than the decision threshold: containment matches of
        # truncated copies have a lower Jaccard, and every candidate is verified anyway.
        self._lsh = MinHashLSH(threshold=0.5, num_perm=NUM_PERM)
        # Normalised bodies, not shingle sets: a set costs ~70 bytes a shingle, the text 1-4.
        self._bodies: dict[str, str] = {}
        self._titles: dict[str, str] = {}
        self._exact: dict[str, str] = {}  # sha256 of normalised body → doc id

    def __contains__(self, doc_id: str) -> bool:
        return doc_id in self._bodies

    def add(self, doc_id: str, title: str, body: str) -> None:
        """Remember a body (replacing an earlier version of the same document)."""
        self.remove(doc_id)
        norm = normalise(body)
        grams = shingles(norm)
        self._bodies[doc_id] = norm
        self._titles[doc_id] = title
        self._exact.setdefault(hashlib.sha256(norm.encode("utf-8")).hexdigest(), doc_id)
        if len(grams) >= MIN_SHINGLES:
            self._lsh.insert(doc_id, _minhash(grams))

    def remove(self, doc_id: str) -> None:
        if doc_id in self._bodies:
            if doc_id in self._lsh:
                self._lsh.remove(doc_id)
            del self._bodies[doc_id]
            self._titles.pop(doc_id, None)
            for key in [k for k, v in self._exact.items() if v == doc_id]:
                del self._exact[key]

    def find(self, title: str, body: str, *, exclude: str | None = None) -> str | None:
        """The id of an already known document this body is a copy of, or None."""
        norm = normalise(body)
        if not norm:
            return None
        exact = self._exact.get(hashlib.sha256(norm.encode("utf-8")).hexdigest())
        if exact and exact != exclude and len(norm) >= SHINGLE * 4:
            return exact
        grams = shingles(norm)
        if len(grams) < MIN_SHINGLES:
            return None
        best: tuple[float, str] | None = None
        for candidate in self._lsh.query(_minhash(grams)):
            if candidate == exclude:
                continue
            years_a, years_b = _years(title), _years(self._titles.get(candidate, ""))
            if years_a and years_b and not (years_a & years_b):
                continue  # 2022年度 and 2023年度 reports of one county are different reports
            other = shingles(self._bodies[candidate])
            common = len(grams & other)
            jaccard = common / len(grams | other)
            containment = common / min(len(grams), len(other))
            if jaccard >= JACCARD_THRESHOLD or containment >= CONTAINMENT_THRESHOLD:
                score = max(jaccard, containment)
                if best is None or score > best[0]:
                    best = (score, candidate)
        return best[1] if best else None
