"""The Fashion-MNIST seed's GAN (seed 004), reproduced line for line in Keras 3 -- and fixed.

What the seed does (its listings "GAN ARCHITECTURE" and "MODEL TRAINING AND EVALUATION"):

* data: ``x_train.reshape(-1, 28, 28, 1) / 255.0``, pixels in [0, 1];
* G: ``Dense(256, relu)`` -> ``Dense(784, tanh)`` -> ``Reshape((28, 28, 1))``, outputs in [-1, 1];
* D: ``Flatten`` -> ``Dense(256, relu)`` -> ``Dense(1, sigmoid)``, compiled with
  ``Adam(0.0002, 0.5)``, ``binary_crossentropy`` and ``metrics=['accuracy']``;
* the combined model ``gan = tf.keras.Sequential([generator, discriminator])``, compiled with its
  own ``Adam(0.0002, 0.5)``. The seed **never** sets ``discriminator.trainable = False``: its own
  summary of ``gan`` says "Trainable params: 428,561", G's 227,344 plus D's 201,217;
* per batch, in the data's order (no shuffling): ``generator.predict(noise)``,
  ``discriminator.train_on_batch`` on 128 real images (label 1) and on 128 fakes (label 0), then
  ``gan.train_on_batch(noise, ones)``.

Two consequences the notebook (02) and ``tests/test_seeds.py`` show:

1. **Every G step also trains D, towards calling fakes real.** ``gan.train_on_batch(noise, ones)``
   updates all 428,561 trainable weights, D's included, with the target "real" for fakes. D
   gets one honest update on fakes and one dishonest one per step and ends up calling nearly every
   input real: the seed's own table (recall 0.9694 on real test images, precision 0.494 because
   nearly all fakes are called real too).
2. **Data in [0, 1], generator in [-1, 1].** Any negative pixel is a give-away of a fake.

Because D's ``train_on_batch`` returns ``[loss, accuracy]`` (it was compiled with
``metrics=['accuracy']``), the seed's ``0.5 * np.add(d_loss_real, d_loss_fake)`` is a pair
``[loss, accuracy]``: its "Discriminator Loss: [1.05659515 0.48844999]" has loss 1.057 and accuracy
0.488, and the "discriminator loss of 0.48" of its abstract is that accuracy.

The fixed loop (``fixed=True``) scales the data to [-1, 1] and freezes D inside the combined model.
In Keras 3 the classic Keras 2 idiom (``discriminator.trainable = False`` once, before compiling the
combined model) freezes D *everywhere*, because Keras 3 reads the flag when a model's train function
is first built, at its first ``train_on_batch``; so the fixed loop sets the flag right before each
call: True for D's own update, False for the combined model's. ``gan_lib``'s own step
(train_step.py) needs no flag at all: each ``GradientTape`` update names the variables it changes.

At the end of the module, ``compile_seed_loop`` and ``seed_train_step`` keep the seed's
``train_on_batch`` style for any G and D, freezing done right (benchmarks/throughput.py times it).
"""
from __future__ import annotations

import keras
import numpy as np

LATENT_DIM = 100
BATCH_SIZE = 128
EPOCHS = 50
LR, BETA_1 = 0.0002, 0.5


def seed_scale(images_uint8) -> np.ndarray:
    """The seed's scaling: ``x.reshape(-1, 28, 28, 1) / 255.0``, pixels in [0, 1]."""
    return np.asarray(images_uint8, np.float32).reshape(-1, 28, 28, 1) / 255.0


def fixed_scale(images_uint8) -> np.ndarray:
    """The range G's tanh can reach: ``x / 127.5 - 1``, pixels in [-1, 1]."""
    return np.asarray(images_uint8, np.float32).reshape(-1, 28, 28, 1) / 127.5 - 1.0


def build_seed_gan(latent_dim: int = LATENT_DIM):
    """The seed's ``generator``, ``discriminator`` and combined ``gan``, compiled as in the seed.

    Only change: ``keras.Input`` instead of the ``input_shape=`` argument, which Keras 3 accepts
    with a UserWarning. The parameter counts are the seed's (227,344 + 201,217 = 428,561, all
    trainable in ``gan``).
    """
    layers = keras.layers
    generator = keras.Sequential([
        keras.Input((latent_dim,)),
        layers.Dense(256, activation="relu"),
        layers.Dense(784, activation="tanh"),
        layers.Reshape((28, 28, 1))], name="generator")
    discriminator = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Flatten(),
        layers.Dense(256, activation="relu"),
        layers.Dense(1, activation="sigmoid")], name="discriminator")
    gan = keras.Sequential([generator, discriminator], name="gan")
    discriminator.compile(optimizer=keras.optimizers.Adam(LR, BETA_1),
                          loss="binary_crossentropy", metrics=["accuracy"])
    gan.compile(optimizer=keras.optimizers.Adam(LR, BETA_1), loss="binary_crossentropy")
    return generator, discriminator, gan


def count_trainable(model) -> int:
    """Number of trainable parameters (what ``summary()`` prints as "Trainable params")."""
    return int(sum(np.prod(w.shape) for w in model.trainable_weights))


def seed_step(generator, discriminator, gan, real_batch, rng, fixed: bool = False):
    """One iteration of the seed's loop (its lines 10-23) on ``real_batch``.

    Returns ``(discriminator_loss, generator_loss)`` as the seed computes them:
    ``discriminator_loss`` is ``0.5 * np.add(d_loss_real, d_loss_fake)``, a pair [loss, accuracy].
    ``fixed=True`` sets ``discriminator.trainable`` before each call (see the module docstring).
    ``generator(noise)`` replaces ``generator.predict(noise)``: the same numbers (no dropout or
    batch norm in G), without ``predict``'s per-call set-up cost.
    """
    batch = len(real_batch)
    noise = rng.normal(size=(batch, LATENT_DIM)).astype(np.float32)
    fake_images = np.asarray(generator(noise, training=False))
    real_labels = np.ones((batch, 1), np.float32)
    fake_labels = np.zeros((batch, 1), np.float32)
    if fixed:
        discriminator.trainable = True
    d_loss_real = discriminator.train_on_batch(real_batch, real_labels)
    d_loss_fake = discriminator.train_on_batch(fake_images, fake_labels)
    discriminator_loss = 0.5 * np.add(d_loss_real, d_loss_fake)
    if fixed:
        discriminator.trainable = False
    noise = rng.normal(size=(batch, LATENT_DIM)).astype(np.float32)
    generator_loss = gan.train_on_batch(noise, real_labels)
    return discriminator_loss, float(np.ravel(generator_loss)[0])


def train_seed_loop(generator, discriminator, gan, x_train, steps: int, seed: int = 0,
                    fixed: bool = False, batch_size: int = BATCH_SIZE):
    """The seed's loop for ``steps`` batches, taken in order as the seed does (no shuffling).

    ``x_train`` is already scaled (``seed_scale`` or ``fixed_scale``). Returns a dict of lists:
    ``d_loss``, ``d_accuracy`` (the pair the seed prints as "Discriminator Loss") and ``g_loss``.
    """
    rng = np.random.default_rng(seed)
    per_epoch = len(x_train) // batch_size
    log = {"d_loss": [], "d_accuracy": [], "g_loss": []}
    for i in range(steps):
        b = i % per_epoch
        d, g = seed_step(generator, discriminator, gan,
                         x_train[b * batch_size:(b + 1) * batch_size], rng, fixed=fixed)
        log["d_loss"].append(float(d[0]))
        log["d_accuracy"].append(float(d[1]))
        log["g_loss"].append(g)
    return log


def seed_table(generator, discriminator, x_test, seed: int = 1) -> dict:
    """The seed's "RESULTS AND ANALYSIS" table: D as a real (1) / fake (0) classifier on the test
    images and as many fakes, predictions rounded at 0.5. Also the two rates behind it.

    accuracy, precision, recall and F1 are sklearn's formulas, written out (real = positive).
    """
    rng = np.random.default_rng(seed)
    noise = rng.normal(size=(len(x_test), LATENT_DIM)).astype(np.float32)
    fakes = np.asarray(generator.predict(noise, verbose=0, batch_size=1000))
    real_pred = np.round(discriminator.predict(x_test, verbose=0, batch_size=1000)).ravel()
    fake_pred = np.round(discriminator.predict(fakes, verbose=0, batch_size=1000)).ravel()
    tp, fn = float(real_pred.sum()), float(len(real_pred) - real_pred.sum())
    fp, tn = float(fake_pred.sum()), float(len(fake_pred) - fake_pred.sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn)
    return {
        "accuracy": (tp + tn) / (tp + tn + fp + fn),
        "precision": precision,
        "recall": recall,
        "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
        "real_called_real": tp / len(real_pred),
        "fakes_called_real": fp / len(fake_pred),
    }


SEED_TABLE = {"accuracy": 0.48735, "precision": 0.49355939106970115, "recall": 0.9694,
              "f1": 0.6540939914307884}
"""The seed's printed table ("The evaluation results for our model are as follows")."""

SEED_EVALUATE = {"real": (0.1743, 0.9694), "fake": (1.9389, 0.0075),
                 "discriminator_loss": (1.05659515, 0.48844999)}
"""The seed's ``discriminator.evaluate`` lines, each [loss, accuracy], and their average."""


def fakes_called_real_from_seed_table(table: dict = SEED_TABLE) -> float:
    """Fraction of fakes D called real, recovered from the seed's precision and recall.

    With n real and n fake images: TP = recall * n and precision = TP / (TP + FP), so
    FP / n = recall * (1 / precision - 1).
    """
    return table["recall"] * (1.0 / table["precision"] - 1.0)


# --------------------------------------------------------------------------------------------
# The seed's train_on_batch *style*, made correct for Keras 3, for any G and D (benchmarks/
# throughput.py times it against gan_lib's compiled step). Unlike the seed, it freezes D inside
# the combined model, by setting the flag before each call (see the module docstring).
# --------------------------------------------------------------------------------------------
def compile_seed_loop(generator, discriminator, latent_dim: int, num_classes=None,
                      lr: float = LR, beta_1: float = BETA_1, from_logits: bool = True):
    """Compile D on its own, then D frozen inside a combined ``D(G(z))``; return the combined
    model. ``from_logits`` matches gan_lib's discriminators, which return logits."""
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


def seed_train_step(generator, discriminator, combined, real_images, rng, latent_dim=LATENT_DIM,
                    fix_trainable: bool = True, labels=None):
    """One step of that loop on a batch of real images (in [-1, 1]); returns (d_loss, g_loss).

    ``fix_trainable=False`` leaves ``discriminator.trainable = False`` as set once by
    ``compile_seed_loop`` (the Keras 2 idiom): in Keras 3 D's own updates then change nothing.
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
