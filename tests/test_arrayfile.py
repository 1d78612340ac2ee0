"""indexer/arrayfile.py: key tables with a top level, and read-ahead advice on mapped arrays."""

import numpy as np
import pytest

from indexer import arrayfile


@pytest.mark.parametrize("size", [0, 1, 511, 512, 513, 1024, 5000])
def test_bisect_and_find_agree_with_a_binary_search_over_every_key(size):
    rng = np.random.default_rng(size)
    keys = np.unique(rng.integers(1, 2**63, size=size, dtype=np.uint64))
    top = arrayfile.top_level(keys)
    assert len(top) == -(-len(keys) // arrayfile.TOP_STRIDE)
    probes = [0, 2**64 - 1, *keys.tolist(), *(keys + np.uint64(1)).tolist(), *(keys - np.uint64(1)).tolist()]
    for probe in probes:
        assert arrayfile.bisect(keys, top, probe) == int(np.searchsorted(keys, np.uint64(probe))), probe
        expected = int(np.searchsorted(keys, np.uint64(probe)))
        present = expected < len(keys) and int(keys[expected]) == probe
        assert arrayfile.find(keys, top, probe) == (expected if present else -1)


def test_prefetch_is_advice_only_and_leaves_every_array_readable(tmp_path):
    path = tmp_path / "x.bin"
    big = np.arange(3_000_000, dtype=np.int64)  # 24 MB: several prefetch chunks
    arrayfile.write(path, b"TEST", {"small": np.arange(10, dtype=np.int32), "big": big})
    arrays, _map = arrayfile.read(path, b"TEST")
    for view in (arrays["big"], arrays["big"][12_345:2_999_999], arrays["big"][::7], arrays["big"][5:5],
                 arrays["small"], arrays["big"][-1:]):
        arrayfile.prefetch(view, min_bytes=0)
        arrayfile.prefetch(view)
    arrayfile.prefetch(big.copy())  # not mapped: nothing to advise
    assert np.array_equal(arrays["big"], big) and arrays["small"].tolist() == list(range(10))
