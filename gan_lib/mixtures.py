"""The 2-D mixtures of Gaussians of the mode-collapse papers, ``ring8`` and ``grid25``: their
modes and their sampler, in one place.

Two modules use them and must not import each other: ``modes.py`` counts a generator's modes on
them (modes -> classifier -> data), ``data.py`` serves them as datasets. Both import this one,
which imports neither. Where each constant comes from (PacGAN's and VEEGAN's code, Metz et al.'s
demo) is cited in gan_lib/modes.py.
"""
from __future__ import annotations

import numpy as np

from gan_lib.errors import ConfigError, DataError

RING8_RADIUS = 1.0
RING8_STD = 0.01
RING8_MEANS = RING8_RADIUS * np.array([[np.cos(2 * np.pi * i / 8), np.sin(2 * np.pi * i / 8)]
                                       for i in range(8)])
"""[8, 2]: mode i at angle 2 pi i / 8 on the unit circle (PacGAN's 2D-ring)."""

GRID25_STD = 0.05
GRID25_MEANS = np.array([[i, j] for i in range(-4, 5, 2) for j in range(-4, 5, 2)], dtype=float)
"""[25, 2]: (i, j) for i, j in -4, -2, 0, 2, 4, in itertools.product order (PacGAN, VEEGAN)."""

MIXTURES = {"ring8": (RING8_MEANS, RING8_STD), "grid25": (GRID25_MEANS, GRID25_STD)}
"""name -> ``(means [K, 2], std)`` of each mixture."""


def as_generator(rng) -> np.random.Generator:
    """``rng`` as a NumPy Generator: a Generator is used as is, a seed (or None) makes one."""
    if isinstance(rng, np.random.Generator):
        return rng
    try:
        return np.random.default_rng(rng)
    except (TypeError, ValueError) as err:
        raise ConfigError(f"rng must be a numpy Generator or a seed (a whole number >= 0), got "
                          f"{rng!r} ({err})") from None


def whole_number(n, name: str = "n") -> int:
    """``n`` as an int >= 1, or a ConfigError naming ``name``."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ConfigError(f"{name} must be a whole number >= 1, got {n!r}")
    return int(n)


def sample_mixture(n: int, means, std, rng=None) -> np.ndarray:
    """[n, D] float64 samples of the equal-weight mixture of N(mu_k, std^2 I): each sample picks
    its mode uniformly at random (PacGAN's ``x_mode_priors=None``), then adds std times a
    standard normal vector."""
    n, rng = whole_number(n), as_generator(rng)
    means = np.asarray(means, dtype=float)
    if means.ndim != 2 or len(means) == 0:
        raise DataError(f"means have shape {means.shape}, expected [K, D]")
    if not np.isfinite(std) or std <= 0:
        raise ConfigError(f"std must be a positive number, got {std!r}")
    modes = rng.integers(0, len(means), size=n)
    return means[modes] + float(std) * rng.standard_normal((n, means.shape[1]))


def ring8(n: int, rng=None) -> np.ndarray:
    """[n, 2] samples of the ring: 8 Gaussians, std ``RING8_STD`` = 0.01, at ``RING8_MEANS``,
    equally spaced on the circle of radius ``RING8_RADIUS`` = 1 (PacGAN's 2D-ring; Metz et al.'s
    demo). Neighbouring means are 2 sin(pi/8) = 0.765 apart, 77 standard deviations."""
    return sample_mixture(n, RING8_MEANS, RING8_STD, rng)


def grid25(n: int, rng=None) -> np.ndarray:
    """[n, 2] samples of the grid: 25 Gaussians, std ``GRID25_STD`` = 0.05, at ``GRID25_MEANS``
    (i, j) with i, j in -4, -2, 0, 2, 4 (VEEGAN's and PacGAN's 2D-grid): neighbours are 2 apart,
    40 standard deviations."""
    return sample_mixture(n, GRID25_MEANS, GRID25_STD, rng)
