"""harness/data/cache.py: every image decoded once, in parallel or not, to the same cache."""

import os

import numpy as np

from harness.data import cache


def test_parallel_cache_build_equals_a_single_process_one(mnist_files, tmp_path, monkeypatch):
    monkeypatch.setattr(cache, "_CACHE_CHUNK", 16)  # Four chunks for two worker processes.
    cache.build_cache(mnist_files, (60, 28, 28, 1), "L", tmp_path / "parallel.npy", workers=2)
    cache.build_cache(mnist_files, (60, 28, 28, 1), "L", tmp_path / "serial.npy", workers=1)

    np.testing.assert_array_equal(np.load(tmp_path / "parallel.npy"), np.load(tmp_path / "serial.npy"))
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".part")]
