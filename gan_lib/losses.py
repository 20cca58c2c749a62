"""GAN losses, all computed from D's raw outputs (logits).

Goodfellow et al. (2014) write the game as one value function

    V(D, G) = E_x[log D(x)] + E_z[log(1 - D(G(z)))],

which D maximises and G minimises. With ``D = sigmoid(l)``, ``log D = -softplus(-l)`` and
``log(1 - D) = -softplus(l)``: this module always uses these forms, which are exact and finite for
any logit (see the note in models.py).

Each loss is a pair of functions: ``d_loss(real_logits, fake_logits)`` and ``g_loss(fake_logits)``,
both to be minimised. The names are the ``--loss`` values of the command line.

* ``minimax``: G minimises ``E[log(1 - D(G(z)))]`` as written in the value function. When D
  rejects fakes confidently this curve is flat, so G's gradient vanishes early in training.
* ``bce`` (default, "non-saturating"): G maximises ``E[log D(G(z))]`` instead; same fixed point,
  strong gradients exactly when G is losing.
* ``lsgan``: least squares against targets 1 (real) and 0 (fake) (Mao et al., 2017).
* ``hinge``: D minimises ``E[relu(1 - D(x))] + E[relu(1 + D(G(z)))]``, G ``-E[D(G(z))]``
  (Lim & Ye, 2017; Miyato et al., 2018).
* ``wgan-gp``: the critic minimises ``E[D(G(z))] - E[D(x)]`` plus ``lambda * E[(||grad D(x_hat)||
  - 1)^2]`` on random interpolates x_hat (Gulrajani et al., 2017); G minimises ``-E[D(G(z))]``.
"""
from __future__ import annotations

import collections

import tensorflow as tf

GanLoss = collections.namedtuple("GanLoss", ["d_loss", "g_loss"])


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
    """The critic's part of WGAN-GP without the penalty (added by the train step)."""
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


def judged_with_r1(critic, real):
    """``critic(real)`` and R1's ``E[||grad_x critic(x)||^2]`` on the real batch (Mescheder et
    al., 2018): D is pushed to be flat around the data, which damps the oscillation of the game
    near its equilibrium. The forward pass is shared with D's loss, so R1 costs one extra
    backward pass through D (to the images) and its second-order part in D's update."""
    with tf.GradientTape() as tape:
        tape.watch(real)
        out = critic(real)
    logits = out[0] if isinstance(out, (tuple, list)) else out
    grads = tape.gradient(logits, real)  # of the sum over the batch: each row its own image
    return out, _mean(tf.reduce_sum(tf.square(grads), axis=tf.range(1, tf.rank(grads))))


LOSSES = {
    "bce": GanLoss(bce_d_loss, nonsaturating_g_loss),
    "minimax": GanLoss(bce_d_loss, minimax_g_loss),
    "lsgan": GanLoss(lsgan_d_loss, lsgan_g_loss),
    "hinge": GanLoss(hinge_d_loss, wasserstein_g_loss),
    "wgan-gp": GanLoss(wasserstein_d_loss, wasserstein_g_loss),
}


def get_loss(name: str) -> GanLoss:
    return LOSSES[name]
