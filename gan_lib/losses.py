"""GAN losses, all computed from D's raw outputs (logits).

Goodfellow et al. (2014) write the game as one value function

    V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))],

which D maximises and G minimises. With ``D = sigmoid(l)``, ``log D = -softplus(-l)`` and
``log(1 - D) = -softplus(l)``: this module always uses these forms, which are exact and finite for
any logit (see the note in models.py).

Each loss is a :class:`GanLoss`: ``d_loss(real_logits, fake_logits)`` and ``g_loss(fake_logits)``,
both to be minimised; a *relativistic* loss (``g_needs_real``) judges each fake against a real
image, so its ``g_loss(fake_logits, real_logits)`` also takes D's logits on the real batch. The
names are the ``--loss`` values of the command line.

* ``minimax``: G minimises ``E[log(1 - D(G(z)))]`` as written in the value function. When D
  rejects fakes confidently this curve is flat, so G's gradient vanishes early in training.
* ``bce`` (default, "non-saturating"): G maximises ``E[log D(G(z))]`` instead; same fixed point,
  strong gradients exactly when G is losing.
* ``lsgan``: least squares against targets 1 (real) and 0 (fake) (Mao et al., 2017).
* ``hinge``: D minimises ``E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]``, G ``-E[D(G(z))]``
  (Lim & Ye, 2017; Miyato et al., 2018).
* ``wgan-gp``: the critic minimises ``E[D(G(z))] - E[D(x)]`` plus ``lambda * E[(||grad D(x_hat)||
  - 1)^2]`` on random interpolates x_hat (Gulrajani et al., 2017); G minimises ``-E[D(G(z))]``.
* ``rpgan``: the relativistic pairing loss of R3GAN (Jolicoeur-Martineau, 2018; Huang et al.,
  2024): real image i is paired with fake i and each player is scored on the *difference* of
  D's logits, D on ``E[softplus(D(G(z)) - D(x))]``, G on ``E[softplus(D(x) - D(G(z)))]``.

Two gradient penalties keep D smooth (both added to D's loss by the train step, see
:func:`judged_with_gradient_norm`): R1 on the real batch and R2 on the generated one. WGAN-GP's
own penalty belongs to its loss: ``GanLoss.draw_penalty`` draws the interpolation weights in the
step's fixed order and ``GanLoss.d_penalty`` computes it, so the train step never asks which
loss it has.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import tensorflow as tf


class GanLoss(NamedTuple):
    """A GAN loss: the two players' objectives, and what the train step must feed them."""

    d_loss: Callable            # d_loss(real_logits, fake_logits, real_label, fake_label)
    g_loss: Callable            # g_loss(fake_logits), or (fake_logits, real_logits) if below
    g_needs_real: bool = False  # G's loss is relative to D's logits on the real batch
    interpolation_penalty: bool = False  # D's loss adds WGAN-GP's penalty on interpolates

    def draw_penalty(self, rng, batch):
        """The random numbers of D's penalty for one update of a ``batch``, drawn from ``rng``
        (the step's generator, in its fixed order): WGAN-GP's mixing weights, uniform in [0, 1],
        one per example ([B, 1, 1, 1]); ``None``, and nothing drawn, for a loss without one."""
        return rng.uniform([batch, 1, 1, 1]) if self.interpolation_penalty else None

    def d_penalty(self, critic, real, fake, draw, weight):
        """``weight`` times D's penalty on the batches it was judged on, for a loss whose
        :meth:`draw_penalty` drew ``draw`` (``critic``: images -> D's logits): WGAN-GP's
        ``E[(||grad critic(x_hat)|| - 1)^2]``, keeping D 1-Lipschitz between real and fake."""
        return weight * gradient_penalty(critic, real, fake, draw)


def _mean(x):
    return tf.reduce_mean(tf.cast(x, tf.float32))


def bce_d_loss(real_logits, fake_logits, real_label=1.0, fake_label=0.0):
    """Binary cross-entropy of D against targets ``real_label`` (1, or 0.9 with one-sided label
    smoothing) for real images and ``fake_label`` (0, or 0.1 two-sided) for generated ones."""
    real = tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.fill(tf.shape(real_logits), real_label), logits=real_logits)
    fake = tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.fill(tf.shape(fake_logits), fake_label), logits=fake_logits)
    return _mean(real) + _mean(fake)


def nonsaturating_g_loss(fake_logits):
    """``-E[log D(G(z))] = E[softplus(-l)]``."""
    return _mean(tf.nn.softplus(-fake_logits))


def minimax_g_loss(fake_logits):
    """``E[log(1 - D(G(z)))] = -E[softplus(l)]`` -- the saturating original."""
    return -_mean(tf.nn.softplus(fake_logits))


def lsgan_d_loss(real_out, fake_out, real_label=1.0, fake_label=0.0):
    return 0.5 * _mean(tf.square(real_out - real_label)) + 0.5 * _mean(tf.square(fake_out - fake_label))


def lsgan_g_loss(fake_out):
    return 0.5 * _mean(tf.square(fake_out - 1.0))


def hinge_d_loss(real_out, fake_out, real_label=1.0, fake_label=0.0):
    del real_label, fake_label  # margins, not targets: smoothing does not apply
    return _mean(tf.nn.relu(1.0 - real_out)) + _mean(tf.nn.relu(1.0 + fake_out))


def wasserstein_d_loss(real_out, fake_out, real_label=1.0, fake_label=0.0):
    """The critic's part of WGAN-GP without the penalty (:meth:`GanLoss.d_penalty`)."""
    del real_label, fake_label
    return _mean(fake_out) - _mean(real_out)


def wasserstein_g_loss(fake_out):
    return -_mean(fake_out)


def gradient_penalty(critic, real, fake, epsilon):
    """WGAN-GP's ``E[(||grad_x critic(x_hat)||_2 - 1)^2]``, x_hat = eps*real + (1-eps)*fake.

    ``critic`` maps a batch of images to one output each; ``epsilon`` has shape [B, 1, 1, 1] (one
    mixing weight per example, uniform in [0, 1]).
    """
    mixed = epsilon * real + (1.0 - epsilon) * fake
    with tf.GradientTape() as tape:
        tape.watch(mixed)
        out = critic(mixed)
    grads = tape.gradient(out, mixed)
    norms = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=tf.range(1, tf.rank(grads))) + 1e-12)
    return _mean(tf.square(norms - 1.0))


def judged_with_gradient_norm(critic, images):
    """``critic(images)`` and ``E[||grad_x critic(x)||^2]`` over the batch ``images``.

    On the real batch this is R1 (Mescheder et al., 2018): D is pushed to be flat around the
    data, which damps the oscillation of the game near its equilibrium. On the generated batch
    it is R2, flat around the fakes; R3GAN (Huang et al., 2024) adds both, ``gamma/2 * (R1 +
    R2)``, and proves local convergence of its relativistic loss with them. The forward pass is
    shared with D's loss, so each costs one extra backward pass through D (to the images) and
    its second-order part in D's update.
    """
    with tf.GradientTape() as tape:
        tape.watch(images)
        out = critic(images)
    logits = out[0] if isinstance(out, (tuple, list)) else out
    grads = tape.gradient(logits, images)  # of the sum over the batch: each row its own image
    return out, _mean(tf.reduce_sum(tf.square(grads), axis=tf.range(1, tf.rank(grads))))


judged_with_r1 = judged_with_gradient_norm  # its name when R1 was the only penalty


def rpgan_d_loss(real_logits, fake_logits, real_label=1.0, fake_label=0.0):
    """RpGAN's D: ``E[softplus(D(G(z_i)) - D(x_i))] = -E[log sigmoid(D(x_i) - D(G(z_i)))]``,
    the cross-entropy of "real i looks more real than fake i". Only differences of logits count,
    so there are no targets to smooth (the config refuses label smoothing)."""
    del real_label, fake_label
    return _mean(tf.nn.softplus(fake_logits - real_logits))


def rpgan_g_loss(fake_logits, real_logits):
    """RpGAN's G: ``E[softplus(D(x_i) - D(G(z_i)))]``, the same game with the roles swapped:
    G gains by lifting its fakes above the reals they are paired with."""
    return _mean(tf.nn.softplus(real_logits - fake_logits))


LOSSES = {
    "bce": GanLoss(bce_d_loss, nonsaturating_g_loss),
    "minimax": GanLoss(bce_d_loss, minimax_g_loss),
    "lsgan": GanLoss(lsgan_d_loss, lsgan_g_loss),
    "hinge": GanLoss(hinge_d_loss, wasserstein_g_loss),
    "wgan-gp": GanLoss(wasserstein_d_loss, wasserstein_g_loss, interpolation_penalty=True),
    "rpgan": GanLoss(rpgan_d_loss, rpgan_g_loss, g_needs_real=True),
}


def get_loss(name: str) -> GanLoss:
    return LOSSES[name]
