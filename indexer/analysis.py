"""Text analysis: one normalisation for documents and queries, words for ranking.

The matching guarantee rests on one property: normalisation is applied *character by
character* (NFKC, case folding, traditional→simplified, whitespace and invisible characters
dropped). A per-character map commutes with concatenation, so a substring of the raw text
always normalises to a substring of the normalised text, and the same query string normalises
the same way wherever it occurs. OpenCC's phrase-level conversion would break that (a phrase
may convert differently from its parts), so only its character table is used.

Pipeline, in the spirit of Whoosh's ``tokenizer | filter``:

* :func:`normalize` — the match text (no whitespace), indexed by indexer.textindex;
* :func:`words` — jieba (rjieba) words of word text, the ranking index;
* :func:`sentences` — sentence units for 同句 search.
"""

from __future__ import annotations

import itertools
import re
import threading
import unicodedata
from collections.abc import Iterable, Sequence

import numpy as np
import opencc
import rjieba

_T2S = opencc.OpenCC("t2s")
_T2S_LOCK = threading.Lock()


def _drop(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp")


class _CharMap(dict):
    """``str.translate`` table computed lazily, one character at a time."""

    def __init__(self, keep_space: bool) -> None:
        super().__init__()
        self.keep_space = keep_space
        self._irregular: set[str] = set()  # characters that do not map to exactly one character
        self._irregular_re: re.Pattern[str] | None = None
        self._codes = np.zeros(0x10000, dtype=np.uint32)  # translate_all's table

    def __missing__(self, code: int) -> str:
        ch = chr(code)
        if _drop(ch):
            out = " " if self.keep_space else ""
        else:
            folded = unicodedata.normalize("NFKC", ch).casefold()
            with _T2S_LOCK:
                simplified = "".join(_T2S.convert(c) if ord(c) > 0x2E7F else c for c in folded)
            out = "".join((" " if self.keep_space else "") if _drop(c) else c for c in simplified)
        if len(out) != 1:
            self._irregular.add(ch)
            self._irregular_re = None
        self[code] = out
        return out

    def one_to_one(self, text: str) -> bool:
        """Whether every character of ``text`` (already translated, so known here) maps to
        exactly one character: then the match text's offsets are the raw text's."""
        pattern = self._irregular_re
        if pattern is None:
            chars = "".join(re.escape(c) for c in sorted(self._irregular))
            pattern = self._irregular_re = re.compile(f"[{chars}]" if chars else r"(?!)")
        return pattern.search(text) is None


    def translate_all(self, texts: Sequence[str]) -> list[str]:
        """``[t.translate(self) for t in texts]`` as one NumPy lookup of every character:
        ``str.translate`` costs ~50 ns a character outside ASCII (a dictionary lookup each),
        the lookup a few. Texts with a character outside the BMP, or one that expands to
        several, are translated one by one."""
        joined = "".join(texts)
        if len(joined) < 256:
            return [t.translate(self) for t in texts]
        codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
        if int(codes.max()) > 0xFFFF:
            return [t.translate(self) for t in texts]
        mapped = self._codes[codes]
        if not mapped.all():  # characters not seen before: learn them once
            for code in np.unique(codes[mapped == 0]).tolist():
                out = self[code]
                self._codes[code] = _DROP if not out else ord(out) if len(out) == 1 else _EXPAND
            mapped = self._codes[codes]
        if (mapped == _EXPAND).any():
            return [t.translate(self) for t in texts]
        kept = mapped != _DROP
        kept_before = np.concatenate(([0], np.cumsum(kept)))  # kept characters before each raw one
        bounds = kept_before[np.cumsum([0, *map(len, texts)])].tolist()
        text = mapped[kept].tobytes().decode("utf-32-le")
        return [text[a:b] for a, b in itertools.pairwise(bounds)]


#: :meth:`_CharMap.translate_all`'s table: per BMP code point, what it maps to (0: not yet
#: known; no character maps to NUL, which is dropped).
_DROP = 0xFFFFFFFE  # maps to nothing
_EXPAND = 0xFFFFFFFF  # maps to several characters

_MATCH_MAP = _CharMap(keep_space=False)
_WORD_MAP = _CharMap(keep_space=True)


def normalize(text: str) -> str:
    """The match text: what every substring test compares. No whitespace survives."""
    return text.translate(_MATCH_MAP)


def normalize_all(texts: Sequence[str]) -> list[str]:
    """:func:`normalize` of each text (a document's paragraphs), in one pass."""
    return _MATCH_MAP.translate_all(texts)


def normalize_keep_space(text: str) -> str:
    """Like :func:`normalize` but whitespace becomes a space, so words stay apart for jieba."""
    return text.translate(_WORD_MAP)


def normalize_with_offsets(text: str) -> tuple[str, list[int]]:
    """Match text plus, for each of its characters, the index of the raw character it came from.

    Highlighting finds matches in the normalised text and marks the raw text through this map.
    """
    table = _MATCH_MAP
    norm = text.translate(table)
    if table.one_to_one(text):  # most paragraphs: no space, no character that expands
        return norm, list(range(len(text)))
    mapped = [table[ord(ch)] for ch in text]
    offsets = [i for i, m in enumerate(mapped) if m for _ in m]
    out = mapped
    return "".join(out), offsets


_WORD_CHAR = re.compile(r"\w")


def words(text: str) -> list[str]:
    """Ranking words: jieba accurate-mode segmentation of the word text, punctuation dropped."""
    result: list[str] = []
    for line in normalize_keep_space(text).split():
        result.extend(w for w in rjieba.cut(line, False) if w[:1].isalnum() or _WORD_CHAR.search(w))
    return result


def words_of_all(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    for t in texts:
        out.extend(words(t))
    return out


SENTENCE_MARKS = "。!?;"
SENTENCE_END = re.compile(f"[{SENTENCE_MARKS}]")


def sentences(normalized_paragraph: str) -> list[str]:
    """Split a normalised paragraph at 。！？；(NFKC has already turned the full-width marks ASCII)."""
    return [s for s in SENTENCE_END.split(normalized_paragraph) if s]
