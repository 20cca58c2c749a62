"""The compiled train step against the two textbook updates written out by hand.

An MLP GAN (no batch norm, so every forward pass is a pure function of the weights) takes one
gan_lib step; copies of the same networks take the same step written with plain GradientTapes and
the same latent vectors. ``alternating``: D steps first, then G's gradient goes through the
*updated* D (Goodfellow et al., 2014, Algorithm 1). ``simultaneous``: both gradients come from one
forward pass through the old D (the TensorFlow DCGAN tutorial's step).
"""
import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_lib.config import TrainConfig
from gan_lib.models import build_gan
from gan_lib.train_step import make_optimizers, make_train_step

BATCH = 16


def _bce(logits, target):
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(
        labels=tf.fill(tf.shape(logits), target), logits=logits))


def _copy(model):
    twin = keras.models.clone_model(model)
    twin.set_weights(model.get_weights())
    return twin


def _reference_step(g, d, g_opt, d_opt, real, z, updates):
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


def _setup(updates):
    """A small MLP GAN with Adam optimisers, a real batch, and the latent vectors the step will
    draw first from ``tf.random.Generator.from_seed(7)``."""
    config = TrainConfig(model="mlp", steps=1, updates=updates, mlp_hidden=(32,), latent_dim=8,
                         lr_g=1e-2, lr_d=1e-2, verbose=0)
    keras.utils.set_random_seed(0)
    gan = build_gan(config, (28, 28, 1))
    real = tf.random.stateless_uniform((BATCH, 28, 28, 1), seed=[1, 2], minval=-1, maxval=1)
    z = gan.latent(tf.random.Generator.from_seed(7), BATCH)
    return config, gan, real, z


@pytest.mark.parametrize("updates", ["alternating", "simultaneous"])
def test_step_matches_the_update_written_by_hand(updates):
    config, gan, real, z = _setup(updates)
    g_ref, d_ref = _copy(gan.generator), _copy(gan.discriminator)
    g_opt, d_opt = make_optimizers(config, gan)
    g_opt_ref, d_opt_ref = (keras.optimizers.Adam(1e-2, beta_1=0.5) for _ in range(2))
    step = make_train_step(gan, g_opt, d_opt, config, tf.random.Generator.from_seed(7))

    step(real, tf.zeros([BATCH], tf.int32), tf.constant(0.0))
    _reference_step(g_ref, d_ref, g_opt_ref, d_opt_ref, real, z, updates)

    for model, ref in [(gan.generator, g_ref), (gan.discriminator, d_ref)]:
        for v, w in zip(model.weights, ref.weights):
            np.testing.assert_allclose(np.asarray(v), np.asarray(w), rtol=1e-5, atol=1e-6,
                                       err_msg=f"{updates}: {v.path}")


def test_the_two_update_orders_differ():
    """Guards the test above: the two references must not coincide, or it could not tell them
    apart."""
    results = []
    for updates in ("alternating", "simultaneous"):
        config, gan, real, z = _setup(updates)
        g_opt, d_opt = make_optimizers(config, gan)
        _reference_step(gan.generator, gan.discriminator, g_opt, d_opt, real, z, updates)
        results.append(gan.generator.get_weights()[0])
    assert np.abs(results[0] - results[1]).max() > 1e-4
