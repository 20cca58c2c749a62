"""The course's Fashion-MNIST seed loop, in Keras's ``train_on_batch`` style -- and its fix.

The seed trains a GAN the way Keras 2 tutorials did: compile D, set ``D.trainable = False``, wrap
``D(G(z))`` in a "combined" model and compile it, then per step call ``G.predict``,
``D.train_on_batch`` on real and on fake images, and ``combined.train_on_batch``.

Two bugs hide in it (notebook 02 shows both):

1. **Data in [0, 1], generator in [-1, 1].** The seed scales pixels with ``x / 255`` while G ends
   in tanh. D only has to notice negative pixels to spot every fake; G can never match the data.
2. **Keras 3 reads ``trainable`` when a train function is traced.** In Keras 2, ``trainable`` was
   frozen into a model at ``compile()``, so D stayed trainable on its own and frozen inside the
   combined model. Keras 3 reads it when ``train_on_batch`` first builds its train function: with
   ``D.trainable = False`` set once, as in the seed, D's own ``train_on_batch`` updates nothing,
   ever (flipping the flag back later does not help, the frozen list is baked in).
   The fix is to set the flag right before each call: True for D's update, False for G's.

This module keeps the loop (fixed) for the speed comparison in ``benchmarks/`` and the notebook;
``gan_lib``'s own step (train_step.py) needs no flag at all: each ``GradientTape`` update names the
variables it changes.
"""
from __future__ import annotations

import keras
import numpy as np


def compile_seed_loop(generator, discriminator, latent_dim: int, num_classes=None,
                      lr: float = 2e-4, beta_1: float = 0.5, from_logits: bool = True):
    """Compile any G and D the seed's way: D on its own, then D frozen inside ``D(G(z))``.

    Returns the combined model. ``from_logits`` matches gan_lib's discriminators, which return
    logits; the seed's own D ends in a sigmoid (``from_logits=False``).
    """
    loss = keras.losses.BinaryCrossentropy(from_logits=from_logits)
    discriminator.compile(loss=loss, optimizer=keras.optimizers.Adam(lr, beta_1=beta_1))
    discriminator.trainable = False
    z = keras.Input((latent_dim,))
    if num_classes:
        label = keras.Input((), dtype="int32")
        inputs, judged = [z, label], discriminator([generator([z, label]), label])
    else:
        inputs, judged = z, discriminator(generator(z))
    combined = keras.Model(inputs, judged, name="seed_combined")
    combined.compile(loss=loss, optimizer=keras.optimizers.Adam(lr, beta_1=beta_1))
    return combined


def build_seed_models(latent_dim: int = 100, image_shape=(28, 28, 1), hidden: int = 256,
                      lr: float = 2e-4, beta_1: float = 0.5):
    """The seed's G, D (sigmoid output, as in the seed) and compiled combined model."""
    generator = keras.Sequential([
        keras.Input((latent_dim,)),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(int(np.prod(image_shape)), activation="tanh"),
        keras.layers.Reshape(image_shape)], name="seed_generator")
    discriminator = keras.Sequential([
        keras.Input(image_shape),
        keras.layers.Flatten(),
        keras.layers.Dense(hidden, activation="relu"),
        keras.layers.Dense(1, activation="sigmoid")], name="seed_discriminator")
    combined = compile_seed_loop(generator, discriminator, latent_dim, lr=lr, beta_1=beta_1,
                                 from_logits=False)
    return generator, discriminator, combined


def seed_train_step(generator, discriminator, combined, real_images, rng, latent_dim=100,
                    fix_trainable: bool = True, labels=None):
    """One step of the seed's loop on a batch of real images; returns (d_loss, g_loss).

    ``fix_trainable=False`` reproduces the seed exactly, bug included: D never learns in Keras 3.
    ``labels`` (for a conditional G and D) go with both the real and the generated batch.
    """
    batch = len(real_images)
    ones, zeros = np.ones((batch, 1), np.float32), np.zeros((batch, 1), np.float32)
    with_labels = (lambda x: [x, labels]) if labels is not None else (lambda x: x)
    z = rng.normal(size=(batch, latent_dim)).astype(np.float32)
    fake = generator.predict(with_labels(z), verbose=0, batch_size=batch)
    if fix_trainable:
        discriminator.trainable = True
    d_real = discriminator.train_on_batch(with_labels(real_images), ones)
    d_fake = discriminator.train_on_batch(with_labels(fake), zeros)
    if fix_trainable:
        discriminator.trainable = False
    z = rng.normal(size=(batch, latent_dim)).astype(np.float32)
    g_loss = combined.train_on_batch(with_labels(z), ones)
    d_loss = 0.5 * (np.ravel(d_real)[0] + np.ravel(d_fake)[0])
    return float(d_loss), float(np.ravel(g_loss)[0])
