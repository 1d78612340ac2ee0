"""The one near-duplicate detector: MinHash over character 5-grams, banded for lookup.

Character bigrams cannot tell two counties' templated reports apart (Jaccard ≈ 0.8 for
different reports); 5-grams can (≈ 0.5 different, ≈ 0.96 republished). See
shared research notes, crawl-clean.md §4. Signatures are stored per document; the band
tokens find candidates, and every candidate is confirmed against its signature before two
documents are grouped.

Grouping only decides how results are *shown* (one hit listing its other copies): every
fetched document is indexed with its own text, so a copy that differs by one sentence is
still found by that sentence. Crawling, ``reindex`` and search all use this module.

Signatures are stored in the index, so they must mean the same thing after an upgrade of
datasketch: its major version is pinned in setup.py, and the permutation scheme, seed and
hash function are passed explicitly (datasketch 2.0 changed the default scheme, which would
have made new signatures silently incomparable with stored ones). ``SCHEME`` is written to
``index/FORMAT``; an index with other signatures is refused rather than misread.
"""

from __future__ import annotations

import functools
import hashlib
import zlib

import numpy as np

NUM_PERM = 64
BANDS = 8  # 8 bands × 8 rows: candidate threshold ≈ (1/8)^(1/8) ≈ 0.77
ROWS = NUM_PERM // BANDS
SHINGLE = 5
THRESHOLD = 0.8
MIN_CHARS = 200  # shorter bodies (详见附件 pages) are never grouped: they say too little
PERMUTATION_SCHEME = "legacy"  # datasketch's 1.x universal hashing mod 2^61-1
SEED = 1
HASHFUNC = zlib.crc32  # stable across Python and library versions (not hash(), not sha1 wrappers)
#: What a stored signature means; recorded in index/FORMAT.
SCHEME = f"minhash {PERMUTATION_SCHEME} seed={SEED} hash=crc32 perm={NUM_PERM} shingle={SHINGLE}"


def signature(normalized_body: str) -> np.ndarray | None:
    """MinHash signature of a normalised body, or None when the body is too short to judge."""
    if len(normalized_body) < MIN_CHARS:
        return None
    shingles = {normalized_body[i : i + SHINGLE] for i in range(len(normalized_body) - SHINGLE + 1)}
    m = _minhash_class()(num_perm=NUM_PERM, seed=SEED, hashfunc=HASHFUNC, scheme=PERMUTATION_SCHEME,
                         permutations=_permutations())
    m.update_batch([s.encode("utf-8") for s in shingles])
    return m.hashvalues.astype(np.uint64)


@functools.cache
def _permutations() -> object:
    """The permutations of (NUM_PERM, SEED, scheme): drawn once per process, not per document."""
    return _minhash_class()(num_perm=NUM_PERM, seed=SEED, hashfunc=HASHFUNC, scheme=PERMUTATION_SCHEME).permutations


def _minhash_class() -> type:
    """datasketch's MinHash, imported on first use: datasketch imports SciPy (~30 MB of a
    process's own memory and ~0.35 s), and a process that only searches (the web server, a
    ``govsearch search``) never computes a signature; it reads this module for SCHEME."""
    from datasketch import MinHash

    return MinHash


def band_tokens(sig: np.ndarray) -> list[str]:
    """One token per band; two documents sharing any token are candidates."""
    return [
        f"b{i}x" + hashlib.blake2b(sig[i * ROWS : (i + 1) * ROWS].tobytes(), digest_size=8).hexdigest()
        for i in range(BANDS)
    ]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two 5-gram sets."""
    return float(np.count_nonzero(a == b)) / len(a)


def same_text(a: np.ndarray | None, b: np.ndarray | None, year_a: str = "", year_b: str = "") -> bool:
    """Whether two documents are copies of one text: similar signatures, and not two reports
    that name different years (a county reusing last year's text is a new report)."""
    if a is None or b is None or len(a) != len(b):
        return False
    if year_a and year_b and year_a != year_b:
        return False
    return similarity(a, b) >= THRESHOLD
