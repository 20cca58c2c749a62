"""``--model mlp``: the plain GAN with dense layers, which also learns 2-D points.

On images it is exactly :class:`~gan_lib.variants.plain.PlainGAN`. On the point sets ``ring8`` and
``grid25`` (``gan_lib.mixtures.load_points``: each point a float32 "image" of shape (1, 1, 2)) three
things change, and nothing else:

* **G's last layer is linear.** A tanh would keep every coordinate in [-1, 1], and the grid's
  modes lie at +-2 and +-4. Metz et al.'s demo (github.com/poolio/unrolled_gan) and PacGAN's
  code (github.com/fjxmlzn/PacGAN) also end their generators in a plain linear layer.
* **Samples are points.** ``python -m gan_lib sample --run RUN --n N --out pts.npz`` writes
  ``points`` [N, 2] (float32, in the data's units) and, as every run's samples, ``images``: the
  same numbers in the data's layout [N, 1, 1, 2].
* **Pictures are scatter plots.** The run's sample "grids" (``samples/step_*.png``) and
  ``sample --out pts.png`` draw the points over the mixture's modes instead of tiling images.

D is the same MLP as for images; ``--pack`` and ``--minibatch-std`` work as they do there.
"""
from __future__ import annotations

import numpy as np

from gan_lib import models
from gan_lib.errors import ConfigError
from gan_lib.gan import GAN
from gan_lib.variants.plain import PlainGAN

GRID_POINTS = 1000  # points in a run's scatter picture (an image grid holds 64 images)
PICTURE_SIDE = 200  # pixels; the PNG is written twice as large (plotting.save_grid)


class MLPGAN(PlainGAN):
    """The plain MLP GAN; on a point set (``data.POINT_SETS``), a GAN of 2-D points."""

    learns_points = True  # config.validate refuses point sets for variants without this

    @property
    def points(self) -> bool:
        """Does this run learn 2-D points (``--dataset ring8`` or ``grid25``)?"""
        from gan_lib.data import POINT_SETS

        return self.config.dataset in POINT_SETS

    @property
    def grid_size(self) -> int:
        return GRID_POINTS if self.points else super().grid_size

    def build(self, image_shape, num_classes=None) -> GAN:
        """As the plain MLP, but for points G's output is linear (see the module docstring)."""
        if not self.points:
            return super().build(image_shape, num_classes)
        c = self.config
        g = models.build_mlp_generator(c.latent_dim, image_shape, c.mlp_hidden,
                                       output_activation="linear")
        packed = image_shape[:2] + (image_shape[2] * c.pack,)
        d = models.build_mlp_discriminator(packed, c.mlp_hidden, None, c.d_dropout,
                                           c.spectral_norm, 0, c.minibatch_std)
        return GAN(g, d, c.latent_dim, tuple(image_shape), None, self)

    def samples(self, gan, n, seed=0, label=None, inputs=None, truncation=None) -> dict:
        """Points: ``points`` [n, 2] and ``images`` [n, 1, 1, 2] (the same float32 numbers)."""
        if not self.points:
            return super().samples(gan, n, seed, label, inputs, truncation)
        if inputs is not None or label is not None:
            raise ConfigError("--inputs and --label are for pix2pix and conditional runs; this "
                              "run generates 2-D points from noise: drop them")
        points = sample_points(gan, n, seed, truncation)
        return {"images": points.reshape(-1, 1, 1, 2), "points": points}

    def sample_grid(self, arrays) -> tuple:
        """The scatter picture of ``samples``' points, as one uint8 image (for a PNG)."""
        if not self.points:
            return super().sample_grid(arrays)
        return point_picture(arrays["points"], self.config.dataset)[None], 1

    def grid(self, fixed, images) -> tuple:
        """The run's sample "grid" for points: their scatter picture, in [-1, 1] like images."""
        if not self.points:
            return super().grid(fixed, images)
        picture = point_picture(np.asarray(images).reshape(-1, 2), self.config.dataset)
        return picture[None].astype(np.float32) / 127.5 - 1.0, 1


def sample_points(gan, n: int, seed: int = 0, truncation: float | None = None,
                  batch_size: int = 5000) -> np.ndarray:
    """[n, 2] float32 points of G from latent vectors seeded by ``seed`` (as ``sample_images``
    draws them, but unrounded: a point is not a pixel)."""
    import tensorflow as tf

    from gan_lib.sampling import truncated_latents

    rng = tf.random.Generator.from_seed(seed)
    fixed = None if truncation is None else truncated_latents(n, gan.latent_dim, truncation, seed)
    chunks = []
    for start in range(0, n, batch_size):
        size = min(batch_size, n - start)
        z = gan.latent(rng, size) if fixed is None else tf.constant(fixed[start:start + size])
        chunks.append(gan.generate(z, training=False).numpy().reshape(size, 2))
    return np.concatenate(chunks)


def point_picture(points, dataset: str, side: int = PICTURE_SIDE) -> np.ndarray:
    """uint8 [side, side, 3]: ``points`` [N, 2] as dark dots over the modes of ``dataset``
    (grey crosses), on the square of half-width 1.5 x the largest mean coordinate (ring8:
    [-1.5, 1.5]^2, grid25: [-6, 6]^2). Points outside are drawn on the border they passed, so a
    run that went astray is seen, not hidden; points that are not finite are left out."""
    from gan_lib.data import point_modes

    means, _ = point_modes(dataset)
    lim = 1.5 * float(np.abs(means).max())
    canvas = np.full((side, side, 3), 255, np.uint8)

    def pixels(xy):
        xy = np.asarray(xy, float).reshape(-1, 2)
        xy = xy[np.isfinite(xy).all(axis=1)]
        col = np.round((xy[:, 0] + lim) / (2 * lim) * (side - 1))
        row = np.round((lim - xy[:, 1]) / (2 * lim) * (side - 1))
        return np.clip(row, 0, side - 1).astype(int), np.clip(col, 0, side - 1).astype(int)

    rows, cols = pixels(means)
    for d in range(-4, 5):  # a cross of 9 x 9 pixels at each mode
        canvas[np.clip(rows + d, 0, side - 1), cols] = 190
        canvas[rows, np.clip(cols + d, 0, side - 1)] = 190
    rows, cols = pixels(points)
    for dr in (0, 1):  # each point a 2 x 2 dot
        for dc in (0, 1):
            canvas[np.clip(rows + dr, 0, side - 1), np.clip(cols + dc, 0, side - 1)] = (31, 80, 160)
    return canvas
