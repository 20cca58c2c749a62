"""Generating images from a finished (or running) training run.

Only the generator is needed: it is rebuilt from the run's ``config.json`` and its weights are
restored from the latest checkpoint, with a check that every one of its variables was found.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from gan_lib.config import TrainConfig
from gan_lib.data import to_uint8
from gan_lib.errors import CheckpointError, ConfigError
from gan_lib.io import atomic_path


def load_generator(run_dir, with_discriminator: bool = False):
    """``(gan, config)`` for the run in ``run_dir``, the generator (and with
    ``with_discriminator`` also D) at the newest intact checkpoint (see checkpoint.py)."""
    from gan_lib.checkpoint import model_spec, restore_parts
    from gan_lib.variants import build_gan

    run_dir = Path(run_dir)
    if not (run_dir / "config.json").is_file():
        raise CheckpointError(f"{run_dir} is not a run directory (no config.json); pass the --out "
                              "folder of a training run")
    config = TrainConfig.load(run_dir / "config.json")
    image_shape = (config.resolution, config.resolution, config.channels)
    gan = build_gan(config, image_shape, config.num_classes)
    parts = {"generator": gan.generator}
    if with_discriminator:
        parts["discriminator"] = gan.discriminator
    restore_parts(run_dir, model_spec(config, image_shape, config.num_classes), **parts)
    return gan, config


def sample_images(gan, n: int, seed: int = 0, label: int | None = None, batch_size: int = 500):
    """``n`` uint8 images [n, H, W, C] (and their labels for a conditional GAN, drawn evenly over
    the classes, or all ``label``), from latent vectors seeded by ``seed``."""
    import tensorflow as tf

    if n <= 0:
        raise ConfigError(f"the number of samples must be positive, got {n}")
    labels = None
    if gan.conditional:
        if label is not None and not 0 <= label < gan.num_classes:
            raise ConfigError(f"--label {label} is not a class of this run (0..{gan.num_classes - 1})")
        labels = (np.full(n, label) if label is not None
                  else np.arange(n) % gan.num_classes).astype(np.int32)
    elif label is not None:
        raise ConfigError("--label needs a conditional run (--model cgan)")
    rng = tf.random.Generator.from_seed(seed)
    chunks = []
    for start in range(0, n, batch_size):
        size = min(batch_size, n - start)
        z = gan.latent(rng, size)
        y = None if labels is None else tf.constant(labels[start:start + size])
        chunks.append(to_uint8(gan.generate(z, y, training=False).numpy()))
    return np.concatenate(chunks), labels


def translate_images(gan, config, n: int, inputs=None, batch_size: int = 500):
    """pix2pix: outputs for ``inputs`` (uint8 degraded images), or for the first ``n`` test
    images degraded for the run's task. Returns uint8 ``(outputs, inputs, targets or None)``."""
    from gan_lib.data import load_dataset, to_unit_range
    from gan_lib.pix2pix import degrade

    if n <= 0:
        raise ConfigError(f"the number of samples must be positive, got {n}")
    targets = None
    if inputs is None:
        test = load_dataset(config.dataset, "test")
        targets = test.images[:n]
        conditions = degrade(to_unit_range(targets), config.task).numpy()
    else:
        inputs = np.asarray(inputs)
        if inputs.shape[1:] != tuple(gan.image_shape):
            raise ConfigError(f"inputs are {inputs.shape[1:]}, the model takes "
                              f"{tuple(gan.image_shape)}")
        conditions = to_unit_range(inputs[:n]).numpy()
    outputs = np.concatenate([to_uint8(gan.generate(conditions[i:i + batch_size]).numpy())
                              for i in range(0, len(conditions), batch_size)])
    return outputs, to_uint8(conditions), targets


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
