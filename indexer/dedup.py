"""Near-duplicate detection: MinHash over character 5-grams, banded for lookup in the index.

Character bigrams cannot tell two counties' templated reports apart (Jaccard ≈ 0.8 for
different reports); 5-grams can (≈ 0.5 different, ≈ 0.96 republished). See
shared research notes, crawl-clean.md §4. Signatures are stored per document; the band
tokens are indexed so that candidates are found with ordinary term lookups, and every
candidate is confirmed against its signature before two documents are grouped.
"""

from __future__ import annotations

import hashlib
import zlib

import numpy as np
from datasketch import MinHash

NUM_PERM = 64
BANDS = 8  # 8 bands × 8 rows: candidate threshold ≈ (1/8)^(1/8) ≈ 0.77
ROWS = NUM_PERM // BANDS
SHINGLE = 5
THRESHOLD = 0.8
MIN_CHARS = 200  # shorter bodies (详见附件 pages) are never grouped: they say too little

def signature(normalized_body: str) -> np.ndarray | None:
    """MinHash signature of a normalised body, or None when the body is too short to judge."""
    if len(normalized_body) < MIN_CHARS:
        return None
    shingles = {normalized_body[i : i + SHINGLE] for i in range(len(normalized_body) - SHINGLE + 1)}
    m = MinHash(num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32)
    m.update_batch([s.encode("utf-8") for s in shingles])
    return m.hashvalues.astype(np.uint64)


def band_tokens(sig: np.ndarray) -> list[str]:
    """One token per band; two documents sharing any token are candidates."""
    return [
        f"b{i}x" + hashlib.blake2b(sig[i * ROWS : (i + 1) * ROWS].tobytes(), digest_size=8).hexdigest()
        for i in range(BANDS)
    ]


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of the two 5-gram sets."""
    return float(np.count_nonzero(a == b)) / len(a)
