"""Euclidean distances between sets of embeddings, in blocks of rows (memory O(block x N), never
N x N x D), and what the k-NN metrics build from them: radii, nearest neighbours, ball counts."""
from __future__ import annotations

import numpy as np

from gan_lib.errors import DataError
from gan_lib.metrics.checks import check_k

BLOCK = 1024


def _sq_norms(x):
    return np.einsum("ij,ij->i", x, x)


def pairwise_distances(a, b, block: int = BLOCK):
    """Yield (start, distances[a_block, b]) blocks of Euclidean distances,
    ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b, in float64 (clipped at 0 against round-off)."""
    a, b = np.asarray(a, np.float64), np.array(b, np.float64)  # b copied: never a @ a.T,
    b_norms = _sq_norms(b)                                       # which BLAS rounds otherwise
    for start in range(0, len(a), block):
        chunk = a[start:start + block]
        # a.b from both orders, added: BLAS need not give a.b and b.a the same last bits
        # (measured: OpenBLAS on an AVX-512 CPU, 3e-15 apart), but x + y == y + x exactly, so
        # d(x, y) == d(y, x) on every CPU and a point exactly on a k-NN radius stays a tie
        d = chunk @ b.T
        d += (b @ chunk.T).T
        d *= -1.0
        d += _sq_norms(chunk)[:, None] + b_norms[None, :]  # (||a||^2 + ||b||^2) in either order
        np.maximum(d, 0.0, out=d)
        yield start, np.sqrt(d, out=d)


def knn_table(x, kmax: int, block: int = BLOCK) -> np.ndarray:
    """[N, kmax]: distances from each point of ``x`` to its 1st..kmax-th nearest *other* point
    (a duplicate counts as a neighbour at distance 0; the point itself does not)."""
    kmax = check_k(kmax, len(x), "the point set")
    table = np.empty((len(x), kmax))
    for start, d in pairwise_distances(x, x, block):
        rows = np.arange(len(d))
        d[rows, start + rows] = np.inf  # a point is not its own neighbour
        table[start:start + len(d)] = np.partition(d, list(range(kmax)), axis=1)[:, :kmax]
    return table


def knn_radii(x, k: int = 3, block: int = BLOCK) -> np.ndarray:
    """NN_k(x_i): distance from each point of ``x`` to its k-th nearest other point."""
    return knn_table(x, k, block)[:, k - 1]


def given_radii(radii, x, k):
    """Radii passed in by a caller that computed them once for several metrics, or computed."""
    if radii is None:
        return knn_radii(x, k)
    radii = np.asarray(radii, np.float64)
    if radii.shape != (len(x),):
        raise DataError(f"radii have shape {radii.shape}, expected ({len(x)},)")
    return radii


def nearest(a, b, block: int = BLOCK, exclude=None):
    """For each row of ``a``: (distance to, index of) its nearest row of ``b``, never the row
    ``exclude[i]`` of ``b`` if given (a point's own index, to find its nearest *other*). Rows go
    in blocks small enough that a block of distances stays near 128 MB however large ``b`` is."""
    block = max(16, min(block, 2 ** 24 // max(len(b), 1)))
    dist, idx = np.empty(len(a)), np.empty(len(a), dtype=np.int64)
    for start, d in pairwise_distances(a, b, block):
        if exclude is not None:
            d[np.arange(len(d)), exclude[start:start + len(d)]] = np.inf
        j = d.argmin(axis=1)
        idx[start:start + len(d)] = j
        dist[start:start + len(d)] = d[np.arange(len(d)), j]
    return dist, idx


def ball_counts(points, centres, radii, block: int = BLOCK) -> np.ndarray:
    """For each point: how many open balls B(centre_i, radius_i) contain it (d < r_i)."""
    counts = np.zeros(len(points), dtype=np.int64)
    for start, d in pairwise_distances(points, centres, block):
        counts[start:start + len(d)] = (d < radii[None, :]).sum(axis=1)
    return counts
