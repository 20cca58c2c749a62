"""The smallest GAN there is: learning a 1-D Gaussian.

Real data are numbers drawn from N(4, 1.25). The generator maps uniform-ish noise z ~ N(0, 1) to
numbers; the discriminator maps a number to a logit. Both are Linear(128)-ReLU-Linear networks,
so a few thousand steps take seconds on a CPU, and everything can be plotted on one axis:

* the real density p_data and the generator's density p_g;
* D(x) over the line, next to the best possible discriminator for the current generator,
  D*(x) = p_data(x) / (p_data(x) + p_g(x)) (Goodfellow et al., 2014, Proposition 1).

When G matches the data, p_g = p_data and D*(x) = 1/2 everywhere: D can do no better than a coin.
Against D*, the value function is C(G) = -log 4 + 2 JSD(p_data || p_g) (Goodfellow et al., 2014,
Theorem 1); ``optimal_value`` and ``js_divergence`` compute both sides on a grid, and
``estimated_densities`` tabulates p_data and a kernel estimate of p_g for them, so notebook 00 can
check the identity (with the student's JSD) and plot an estimate of the JS divergence over training.
"""
from __future__ import annotations

import dataclasses

import keras
import numpy as np
import tensorflow as tf

from gan_lib.losses import bce_d_loss, nonsaturating_g_loss

REAL_MEAN, REAL_STD = 4.0, 1.25


def real_density(x, mean=REAL_MEAN, std=REAL_STD):
    """The normal probability density p_data(x)."""
    x = np.asarray(x, dtype=float)
    return np.exp(-0.5 * ((x - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def density_estimate(samples, grid, bandwidth=None):
    """Gaussian kernel density estimate of ``samples`` on ``grid`` (Silverman's bandwidth)."""
    samples = np.asarray(samples, dtype=float).ravel()
    if bandwidth is None:
        bandwidth = 1.06 * samples.std() * len(samples) ** (-1 / 5) + 1e-6
    diffs = (np.asarray(grid)[:, None] - samples[None, :]) / bandwidth
    return np.exp(-0.5 * diffs**2).sum(axis=1) / (len(samples) * bandwidth * np.sqrt(2 * np.pi))


def optimal_discriminator(p_data, p_g):
    """D*(x) = p_data / (p_data + p_g), and 1/2 where both densities vanish."""
    p_data, p_g = np.asarray(p_data, float), np.asarray(p_g, float)
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 1e-12)


def _integrate(values, grid) -> float:
    return float(np.trapezoid(values, grid))


def _xlogy(x, y):
    """x * log(y), with 0 where x == 0 (the convention 0 log 0 = 0)."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    return np.where(x > 0, x * np.log(np.where(x > 0, np.maximum(y, 1e-300), 1.0)), 0.0)


def kl_divergence(p, q, grid) -> float:
    """KL(p || q) = integral of p log(p / q) dx, for densities tabulated on ``grid`` (nats)."""
    return _integrate(_xlogy(p, p) - _xlogy(p, q), grid)


def js_divergence(p, q, grid) -> float:
    """JSD(p || q) = KL(p || m) / 2 + KL(q || m) / 2 with m = (p + q) / 2; between 0 and log 2."""
    m = 0.5 * (np.asarray(p, float) + np.asarray(q, float))
    return 0.5 * kl_divergence(p, m, grid) + 0.5 * kl_divergence(q, m, grid)


def optimal_value(p_data, p_g, grid) -> float:
    """C(G) = V(D*, G) = E_data[log D*(x)] + E_g[log(1 - D*(x))], integrated on ``grid``."""
    d_star = optimal_discriminator(p_data, p_g)
    return _integrate(_xlogy(p_data, d_star) + _xlogy(p_g, 1 - d_star), grid)


def estimated_densities(samples, points: int = 1201):
    """``(grid, p_data, p_g)`` for estimating a divergence from G's ``samples``: the exact p_data
    and a kernel estimate of p_g, on an even grid that holds the data's +-8 standard deviations
    and every sample with room for its kernel, each density renormalised to integrate to 1 there
    (trapezoid rule). Renormalised, the JS divergence of the two lies in [0, log 2]; tabulated on
    a grid that cuts off part of p_g (``ToyGAN.grid`` against an untrained G), it need not."""
    samples = np.asarray(samples, dtype=float).ravel()
    low = min(samples.min(), REAL_MEAN - 8 * REAL_STD) - 1.0
    high = max(samples.max(), REAL_MEAN + 8 * REAL_STD) + 1.0
    grid = np.linspace(low, high, points)
    p_data, p_g = real_density(grid), density_estimate(samples, grid)
    return grid, p_data / np.trapezoid(p_data, grid), p_g / np.trapezoid(p_g, grid)


def snapshot_jsd(snapshot) -> float:
    """Estimate of JSD(p_data || p_g) for a snapshot: exact p_data, kernel estimate of p_g, both
    renormalised on a grid that holds all of G's samples (:func:`estimated_densities`)."""
    grid, p_data, p_g = estimated_densities(snapshot.generated)
    return js_divergence(p_data, p_g, grid)


def mlp_1d(name: str, hidden: int = 128) -> keras.Model:
    """Linear(hidden) -> ReLU -> Linear(1): the generator and the discriminator alike."""
    return keras.Sequential([keras.Input((1,)), keras.layers.Dense(hidden, activation="relu"),
                             keras.layers.Dense(1)], name=name)


@dataclasses.dataclass
class Snapshot:
    """The state of the game at one step, for plotting."""

    step: int
    generated: np.ndarray  # samples of G
    d_on_grid: np.ndarray  # D(x) (a probability) on ToyGAN.grid
    d_real: float          # mean D(x) on real samples
    d_fake: float          # mean D(G(z)) on generated samples


class ToyGAN:
    """A 1-D GAN with its own small training loop (the library's steps are for images)."""

    grid = np.linspace(-2.0, 10.0, 241).astype(np.float32)

    def __init__(self, seed: int = 0, lr: float = 1e-3, batch_size: int = 256):
        keras.utils.set_random_seed(seed)
        self.generator, self.discriminator = mlp_1d("G"), mlp_1d("D")
        self.g_opt = keras.optimizers.Adam(lr, beta_1=0.5)
        self.d_opt = keras.optimizers.Adam(lr, beta_1=0.5)
        self.rng = tf.random.Generator.from_seed(seed)
        self.batch_size = batch_size
        self.step = 0
        self._step = tf.function(self._train_step)

    def _train_step(self):
        b = self.batch_size
        real = REAL_MEAN + REAL_STD * self.rng.normal([b, 1])
        with tf.GradientTape() as tape:
            fake = self.generator(self.rng.normal([b, 1]))
            d_loss = bce_d_loss(self.discriminator(real), self.discriminator(fake))
        d_vars = self.discriminator.trainable_variables
        self.d_opt.apply_gradients(zip(tape.gradient(d_loss, d_vars), d_vars))
        with tf.GradientTape() as tape:
            g_loss = nonsaturating_g_loss(self.discriminator(self.generator(self.rng.normal([b, 1]))))
        g_vars = self.generator.trainable_variables
        self.g_opt.apply_gradients(zip(tape.gradient(g_loss, g_vars), g_vars))
        return d_loss, g_loss

    def snapshot(self, n: int = 4000) -> Snapshot:
        z = self.rng.normal([n, 1])
        generated = self.generator(z).numpy().ravel()
        real = REAL_MEAN + REAL_STD * self.rng.normal([n, 1])
        d = lambda x: tf.sigmoid(self.discriminator(x)).numpy().ravel()  # noqa: E731
        return Snapshot(self.step, generated, d(self.grid[:, None]),
                        float(d(real).mean()), float(d(generated[:, None]).mean()))

    def train(self, steps: int, snapshot_every: int | None = None) -> list[Snapshot]:
        """Train ``steps`` steps; return snapshots taken every ``snapshot_every`` steps."""
        snapshots = []
        every = snapshot_every or steps
        for _ in range(steps):
            self._step()
            self.step += 1
            if self.step % every == 0:
                snapshots.append(self.snapshot())
        return snapshots


def plot_snapshot(snapshot: Snapshot, ax=None):
    """Real and generated densities, D(x), and the optimal D*(x) for the current generator."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    grid = ToyGAN.grid
    p_data, p_g = real_density(grid), density_estimate(snapshot.generated, grid)
    ax.fill_between(grid, p_data, alpha=0.3, color="tab:blue", label="real p_data")
    ax.plot(grid, p_g, color="tab:green", label="generated p_g")
    ax.plot(grid, snapshot.d_on_grid, color="tab:red", label="D(x)")
    ax.plot(grid, optimal_discriminator(p_data, p_g), color="tab:red", ls=":", label="D*(x)")
    ax.axhline(0.5, color="gray", lw=0.6)
    ax.set_ylim(0, 1.05)
    ax.set_title(f"step {snapshot.step}")
    return ax
