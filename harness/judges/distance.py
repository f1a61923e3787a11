"""The Fréchet distance between two sets of feature vectors: FID's maths, with no scipy."""

from __future__ import annotations

import numpy as np


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two sets of feature vectors.

    ``|mu_a - mu_b|^2 + tr(C_a) + tr(C_b) - 2 tr((C_a C_b)^(1/2))``; the trace of the matrix
    square root is taken from the eigenvalues of ``C_a^(1/2) C_b C_a^(1/2)``, which is
    symmetric, so no general matrix square root (scipy) is needed.

    Args:
        features_a: Array (n, d).
        features_b: Array (m, d).

    Returns:
        The distance, 0 for identical sets.

    Raises:
        ValueError: The sets have different feature sizes or fewer than two vectors.
    """
    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    if a.ndim != 2 or b.ndim != 2 or a.shape[1] != b.shape[1] or min(len(a), len(b)) < 2:
        raise ValueError(
            f"frechet_distance needs two arrays (n, d) with the same d and n >= 2; got shapes "
            f"{a.shape} and {b.shape}."
        )
    cov_a, cov_b = np.atleast_2d(np.cov(a, rowvar=False)), np.atleast_2d(np.cov(b, rowvar=False))
    values, vectors = np.linalg.eigh(cov_a)
    root_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    middle = root_a @ cov_b @ root_a
    trace_root = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    mean_gap = np.sum((a.mean(axis=0) - b.mean(axis=0)) ** 2)
    return float(max(mean_gap + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_root, 0.0))
