"""The 2-D mixtures of Gaussians of the mode-collapse papers, ``ring8`` and ``grid25``: their
modes and their sampler, in one place.

Two modules use them and must not import each other: ``modes.py`` counts a generator's modes on
them (modes -> classifier -> data), ``data.py`` serves them as datasets (:func:`load_points`).
Both import this one, which imports neither. Where each constant comes from (PacGAN's and
VEEGAN's code, Metz et al.'s demo) is cited in gan_lib/modes.py.
"""
from __future__ import annotations

import numpy as np

from gan_lib.errors import ConfigError, DataError
from gan_lib.imageset import ImageSet

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


# ------------------------------------------------------------------- the point sets as datasets
POINT_SETS = tuple(MIXTURES)
"""The mixtures above (``ring8``, ``grid25``), served as datasets (see :func:`load_points`)."""
POINT_COUNTS = {"train": 100_000, "test": 10_000}  # PacGAN's ``num_sample`` is 100,000
POINT_SEEDS = {"train": 0, "test": 1}  # a fixed draw per split, like MNIST's fixed files


def point_modes(name: str):
    """``(means [K, 2], std)`` of the point set ``name``: what ``modes.mode_coverage`` needs
    (the constants above, PacGAN's; their sources are cited in gan_lib/modes.py)."""
    if name not in MIXTURES:
        raise DataError(f"'{name}' is not a point set; use one of {', '.join(POINT_SETS)}")
    means, std = MIXTURES[name]
    return means.copy(), std


def load_points(name: str, split: str = "train") -> ImageSet:
    """The 2-D mixture ``name`` (``ring8`` or ``grid25``) as a dataset of points.

    ``POINT_COUNTS[split]`` points drawn by :func:`sample_mixture` (each picks a mode
    uniformly, then adds std times a standard normal vector), as ``modes.ring8``/``modes.grid25``
    draw them, with the fixed seed ``POINT_SEEDS[split]`` (the test draw is a different one).
    Each point is stored as a float32 "image" of shape (1, 1, 2) in the model's own units: the
    pipeline passes float32 data through unscaled (``data.to_unit_range``), so G must be able to
    reach them (no tanh: see gan_lib/variants/points.py). There are no labels: the modes are
    what a GAN must find.
    """
    means, std = point_modes(name)
    points = sample_mixture(POINT_COUNTS[split], means, std, POINT_SEEDS[split])
    return ImageSet(name=name, shape=(1, 1, 2),
                    images=points.astype(np.float32).reshape(-1, 1, 1, 2))
