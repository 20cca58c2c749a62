"""Generating images from a trained generator, and writing them to .npz or a PNG grid.

``checkpoint.load_generator(run_dir)`` gives the generator of a run; ``sample_images`` draws from
it in batches. (pix2pix translates images instead: see ``variants/pix2pix.py``.)
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from gan_lib.data import to_uint8
from gan_lib.errors import ConfigError
from gan_lib.io import atomic_path


MAX_SAMPLE_BYTES = 2 * 1024**3
"""The largest array of samples made at once (2 GiB: 2.7 million MNIST images)."""
MAX_GRID = 1024
"""The most images one PNG grid holds."""


def check_sample_count(n: int, image_shape, grid: bool = False) -> None:
    """Refuse a sample count that is not positive, or too large to hold in memory (or, for a
    PNG grid, to look at), before anything is generated."""
    if n <= 0:
        raise ConfigError(f"the number of samples must be positive, got {n}")
    if grid and n > MAX_GRID:
        raise ConfigError(f"--n {n} is too many images for one PNG grid (at most {MAX_GRID}); "
                          "write an .npz instead")
    size = n * int(np.prod(image_shape))
    if size > MAX_SAMPLE_BYTES:
        most = MAX_SAMPLE_BYTES // int(np.prod(image_shape))
        raise ConfigError(f"--n {n} images of {tuple(image_shape)} need {size / 1024**3:.1f} GiB; "
                          f"at most {most} fit in one file: sample in several runs with "
                          "different --seed")


def sample_images(gan, n: int, seed: int = 0, label: int | None = None, batch_size: int = 500,
                  truncation: float | None = None):
    """``n`` uint8 images [n, H, W, C] (and their labels for a conditional GAN, drawn evenly over
    the classes, or all ``label``), from latent vectors seeded by ``seed``. With ``truncation``
    (psi), the latent vectors come from ``truncated_latents``: precision bought with recall. The
    variant draws them (``Variant.sampling_latents``), and refuses psi if its codes are not
    normal."""
    import tensorflow as tf

    check_sample_count(n, gan.image_shape)
    latents = gan.variant.sampling_latents(gan, n, batch_size, seed, truncation)
    labels = None
    if gan.conditional:
        if label is not None and not 0 <= label < gan.num_classes:
            raise ConfigError(f"--label {label} is not a class of this run (0..{gan.num_classes - 1})")
        labels = (np.full(n, label) if label is not None
                  else np.arange(n) % gan.num_classes).astype(np.int32)
    elif label is not None:
        raise ConfigError("--label needs a conditional run (--model cgan)")
    chunks = []
    for start, z in zip(range(0, n, batch_size), latents):
        y = None if labels is None else tf.constant(labels[start:start + batch_size])
        chunks.append(to_uint8(gan.generate(z, y, training=False).numpy()))
    return np.concatenate(chunks), labels


def write_samples(path, images: np.ndarray, labels=None, **extra) -> None:
    """Write ``images`` to ``.npz`` (``images``, and ``labels`` if any) or a ``.png`` grid."""
    path = Path(path)
    if path.suffix.lower() == ".npz":
        arrays = {"images": images} if labels is None else {"images": images, "labels": labels}
        arrays.update({k: v for k, v in extra.items() if v is not None})
        with atomic_path(path) as tmp:
            np.savez_compressed(tmp, **arrays)
    elif path.suffix.lower() == ".png":
        from gan_lib.plotting import save_grid

        ncols = 10 if labels is not None else None
        save_grid(images, path, ncols=ncols)
    else:
        raise ConfigError(f"{path} must end in .png or .npz")


def truncated_latents(n: int, dim: int, psi: float, seed: int = 0) -> np.ndarray:
    """``n`` vectors of independent standard normal entries conditioned on ``|z| <= psi``: the
    truncation trick (Brock et al., 2019). Smaller ``psi`` keeps G near the middle of its latent
    space, where its images are most typical: precision rises, recall falls. ``psi = inf`` is
    plain sampling. A sampling-time choice; training never sees it.

    Drawn by the inverse CDF of the truncated normal, ``z = Phi^-1(Phi(-psi) + u (1 - 2
    Phi(-psi)))`` with ``u`` uniform in [0, 1): exactly the distribution that redrawing each entry
    beyond +-psi until it falls inside gives, but at a fixed cost for any psi (redrawing needs
    about 1 / P(|z| <= psi) rounds, unbounded as psi -> 0). ``Phi(-psi)`` is computed directly,
    not as ``1 - Phi(psi)``, so no precision is lost in the tails. Psi below
    :data:`~gan_lib.config.MIN_TRUNCATION` is refused: it gives one image repeated.
    """
    from scipy.special import ndtr, ndtri

    from gan_lib.config import MIN_TRUNCATION

    if not psi >= MIN_TRUNCATION:
        raise ConfigError(f"truncation psi must be positive and at least {MIN_TRUNCATION} "
                          f"(below it every sample is the same image), got {psi}")
    low = ndtr(-psi)  # P(z < -psi)
    u = np.random.default_rng(seed).random((n, dim))
    z = ndtri(low + u * (1.0 - 2.0 * low))
    return np.clip(z, -psi, psi).astype(np.float32)  # clip: float rounding at the very edges


def interpolate_latents(z0, z1, n: int = 10, spherical: bool = True) -> np.ndarray:
    """``n`` latent vectors from ``z0`` to ``z1``.

    Spherical interpolation (slerp) keeps the vectors at the typical radius of a Gaussian in many
    dimensions; a straight line passes near the origin, where G has seen few latents in training.
    """
    z0, z1 = np.asarray(z0, np.float64), np.asarray(z1, np.float64)
    t = np.linspace(0.0, 1.0, n)[:, None]
    if not spherical:
        return ((1 - t) * z0 + t * z1).astype(np.float32)
    cos = np.dot(z0, z1) / (np.linalg.norm(z0) * np.linalg.norm(z1))
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    if omega < 1e-6:
        return ((1 - t) * z0 + t * z1).astype(np.float32)
    return ((np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)).astype(np.float32)
