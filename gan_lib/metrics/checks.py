"""The input checks every metric runs first: finite [N, D] float64 arrays, a usable k, and two
sets of the same feature size, or one line naming what is wrong."""
from __future__ import annotations

import numpy as np

from gan_lib.errors import ConfigError, DataError


def check_features(x, name: str = "features", min_rows: int = 1) -> np.ndarray:
    """``x`` as a finite float64 [N, D] array with N >= ``min_rows``, or a DataError naming why."""
    x = np.asarray(x)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise DataError(f"{name} must be numbers, got dtype {x.dtype}; pass a float array [N, D]")
    if x.ndim != 2:
        raise DataError(f"{name} must be a 2-D array [N, D], got shape {x.shape}; embed the "
                        "images first (gan_lib.features) or reshape to [N, D]")
    x = x.astype(np.float64)
    if len(x) < min_rows:
        raise DataError(f"{name} has {len(x)} rows, needs at least {min_rows}; use more samples "
                        "(10,000 for publishable numbers)")
    bad = ~np.isfinite(x).all(axis=1)
    if bad.any():
        raise DataError(f"{name} has {bad.sum()} rows with NaN or infinite values (first: row "
                        f"{np.flatnonzero(bad)[0]}); drop or fix those samples")
    return x


def check_k(k, n: int, name: str) -> int:
    """``k`` as an int with 1 <= k < n (a k-NN radius needs k other points)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ConfigError(f"k must be a whole number >= 1, got {k!r}")
    if n < k + 1:
        raise DataError(f"{name} has {n} points, too few for k = {k} nearest neighbours; use at "
                        f"least k + 1 = {k + 1} (10,000 for publishable numbers)")
    return int(k)


def check_pair(real, fake, k: int | None = None, min_rows: int = 1):
    """Both sets checked, with the same feature size (and enough points for ``k``)."""
    real = check_features(real, "real features", min_rows)
    fake = check_features(fake, "generated features", min_rows)
    if real.shape[1] != fake.shape[1]:
        raise DataError(f"real features have {real.shape[1]} dimensions, generated ones "
                        f"{fake.shape[1]}; embed both with the same feature extractor")
    if k is not None:
        check_k(k, len(real), "the real set")
        check_k(k, len(fake), "the generated set")
    return real, fake
