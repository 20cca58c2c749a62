"""The compiled train step against the two textbook updates written out by hand.

An MLP GAN (no batch norm, so every forward pass is a pure function of the weights) takes one
gan_lib step; copies of the same networks take the same step written with plain GradientTapes and
the same latent vectors. ``alternating``: D steps first, then G's gradient goes through the
*updated* D (Goodfellow et al., 2014, Algorithm 1). ``simultaneous``: both gradients come from one
forward pass through the old D (the TensorFlow DCGAN tutorial's step).

Two comparisons, because float32 gradients differ in their last bits with the summation order
(threads, fused kernels):

* under plain **SGD** the update is ``-lr * g``, linear in the gradient, so those differences stay
  as small as they are: the updates must agree to float32 precision;
* under **Adam** the first update is ``-lr * g / (|g| + eps_hat)`` with ``eps_hat = eps /
  sqrt(1 - beta_2)``: about ``lr * sign(g)``, so a gradient near 0 whose last bits differ can move
  a weight by up to ``lr``. The allowed difference of each weight is the gradient's rounding
  error times the update's slope there, ``lr * eps_hat / (|g| + eps_hat)^2``: tight wherever the
  gradient is clearly non-zero, loose only where Adam's update is itself ill-conditioned.
"""
import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_lib.config import TrainConfig
from gan_lib.train_step import make_optimizers, make_train_step
from gan_lib.variants import build_gan

BATCH = 16
LR = 1e-2
GRADIENT_ROUNDING = 1e-6  # float32 gradients agree to this fraction of their largest entry


def _bce(logits, target):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.fill(tf.shape(logits), target), logits=logits))


def _copy(model):
    twin = keras.models.clone_model(model)
    twin.set_weights(model.get_weights())
    return twin


def _reference_step(g, d, g_opt, d_opt, real, z, updates):
    """The step by hand; returns the gradients it applied (D's, then G's)."""
    with tf.GradientTape(persistent=True) as tape:
        fake = g(z, training=True)
        d_loss = _bce(d(real, training=True), 1.0) + _bce(d(fake, training=True), 0.0)
        g_loss_old_d = _bce(d(fake, training=True), 1.0)
    d_grads = tape.gradient(d_loss, d.trainable_variables)
    g_grads_old_d = tape.gradient(g_loss_old_d, g.trainable_variables)
    d_opt.apply_gradients(zip(d_grads, d.trainable_variables))
    if updates == "simultaneous":
        g_grads = g_grads_old_d
    else:  # the updated D judges the same generated batch
        with tf.GradientTape() as tape:
            g_loss = _bce(d(g(z, training=True), training=True), 1.0)
        g_grads = tape.gradient(g_loss, g.trainable_variables)
    g_opt.apply_gradients(zip(g_grads, g.trainable_variables))
    return [np.asarray(x) for x in d_grads], [np.asarray(x) for x in g_grads]


def _setup(updates):
    """A small MLP GAN with Adam optimisers, a real batch, and the latent vectors the step will
    draw first from ``tf.random.Generator.from_seed(7)``."""
    config = TrainConfig(model="mlp", steps=1, updates=updates, mlp_hidden=(32,), latent_dim=8,
                         lr_g=LR, lr_d=LR, verbose=0)
    keras.utils.set_random_seed(0)
    gan = build_gan(config, (28, 28, 1))
    real = tf.random.stateless_uniform((BATCH, 28, 28, 1), seed=[1, 2], minval=-1, maxval=1)
    z = gan.latent(tf.random.Generator.from_seed(7), BATCH)
    return config, gan, real, z


def _both_steps(updates, make_optimizer):
    """One gan_lib step and one hand-written step from the same start; returns, per model, the
    pairs (kit's weight change, reference's weight change) and the reference's gradients."""
    config, gan, real, z = _setup(updates)
    g_ref, d_ref = _copy(gan.generator), _copy(gan.discriminator)
    before = [[np.asarray(v).copy() for v in m.weights] for m in (gan.generator, gan.discriminator)]
    step = make_train_step(gan, make_optimizer(), make_optimizer(),
                           tf.random.Generator.from_seed(7))
    step(real, tf.zeros([BATCH], tf.int32), tf.constant(0.0))
    d_grads, g_grads = _reference_step(g_ref, d_ref, make_optimizer(), make_optimizer(), real, z,
                                       updates)
    result = []
    for model, ref, start, grads in [(gan.generator, g_ref, before[0], g_grads),
                                     (gan.discriminator, d_ref, before[1], d_grads)]:
        for v, w, w0, grad in zip(model.weights, ref.weights, start, grads):
            # storing w0 + change rounds to float32: one spacing of the weight either way
            spacing = np.spacing(np.abs(np.asarray(w)).astype(np.float32))
            result.append((v.path, np.asarray(v) - w0, np.asarray(w) - w0, grad, spacing))
    return result


@pytest.mark.parametrize("updates", ["alternating", "simultaneous"])
def test_step_matches_the_update_written_by_hand(updates):
    """Plain SGD: the kit's update equals the hand-written one to float32 precision (the
    gradient's rounding, plus the rounding of the stored weight)."""
    for name, kit, ref, grad, spacing in _both_steps(updates, lambda: keras.optimizers.SGD(LR)):
        allowed = 1e-5 * np.abs(ref) + GRADIENT_ROUNDING * LR * np.abs(grad).max() + 2 * spacing
        worst = np.max(np.abs(kit - ref) - allowed)
        assert worst <= 0, f"{updates}: {name} differs by {worst:.3g} beyond float32 rounding"


@pytest.mark.parametrize("updates", ["alternating", "simultaneous"])
def test_adam_step_matches_within_its_conditioning(updates):
    """Adam (the kit's default optimiser): the same, with the tolerance of the module docstring."""
    make = lambda: keras.optimizers.Adam(LR, beta_1=0.5)  # noqa: E731  (the config's optimiser)
    eps_hat = 1e-7 / np.sqrt(1 - 0.999)  # Keras's epsilon 1e-7, beta_2 0.999
    for name, kit, ref, grad, spacing in _both_steps(updates, make):
        rounding = GRADIENT_ROUNDING * np.abs(grad).max()
        slope = LR * eps_hat / (np.abs(grad) + eps_hat) ** 2
        allowed = np.minimum(slope * rounding, 2 * LR) + 1e-6 * LR + 2 * spacing
        worst = np.max(np.abs(kit - ref) - allowed)
        assert worst <= 0, f"{updates}: {name} differs by {worst:.3g} beyond its tolerance"
        # and the tolerance is tight: wherever |g| is well above eps_hat, the update is ~ -lr*sign(g)
        clear = np.abs(grad) > 100 * eps_hat
        np.testing.assert_allclose(kit[clear], -LR * np.sign(grad[clear]), rtol=0.02,
                                   err_msg=f"{updates}: {name}")


def test_the_two_update_orders_differ():
    """Guards the tests above: the two references must not coincide, or they could not tell
    them apart."""
    results = []
    for updates in ("alternating", "simultaneous"):
        config, gan, real, z = _setup(updates)
        g_opt, d_opt = make_optimizers(config, gan)
        _reference_step(gan.generator, gan.discriminator, g_opt, d_opt, real, z, updates)
        results.append(gan.generator.get_weights()[0])
    assert np.abs(results[0] - results[1]).max() > 1e-4
