"""Feature spaces ("embeddings") in which the metrics of gan_lib/metrics/ are measured.

**MNIST-size data: the kit's classifier** (classifier.py). Which of its layers, normalised and
pooled how, is a measured choice, not a convention: ``SPACES`` lists the candidates and
docs/evaluation.md gives each one's precision on validation cases a person can judge (held-out
digits; digits blended from two classes, cut or smeared; an early generator). ``DEFAULT_SPACE``
is the one that ranks them as a person does, by the widest margin.

**RGB image folders: Inception-v3** (``inception_features``), the usual FID backbone, pooled to
2,048 numbers per image at 299x299. Its ImageNet weights are downloaded by Keras on first use; with
no internet and no cached copy the command says so in one line. A number measured in one feature
space is never comparable with one measured in another: every report names its ``features``.
"""
from __future__ import annotations

import functools

import numpy as np

from gan_lib.errors import DataError

# name -> (layer, how it becomes a vector). conv3 maps are 7x7x128; pool3 is their 3x3 max-pool.
SPACES = {
    "conv3_mean": ("conv3", "mean"),        # 128: average over positions (the kit's old choice)
    "conv3_mean_l2": ("conv3", "mean_l2"),  # 128: the same, scaled to unit length
    "conv3_sqrt_mean_l2": ("conv3", "sqrt_mean_l2"),  # 128: square roots of the means, unit length
    "conv3_max_l2": ("conv3", "max_l2"),    # 128: maximum over positions, unit length
    "pool3": ("pool3", "flat"),             # 1152: position kept on a 3x3 grid
    "pool3_l2": ("pool3", "flat_l2"),       # 1152: the same, unit length
    "dense": ("embedding", "flat"),         # 128: the penultimate dense layer
    "dense_l2": ("embedding", "flat_l2"),   # 128: the same, unit length
}
DEFAULT_SPACE = "conv3_sqrt_mean_l2"


def _vectorise(x, how: str):
    import keras

    if how.startswith("sqrt_mean"):  # power normalisation: loud channels count less
        x = keras.ops.sqrt(keras.ops.mean(x, axis=(1, 2)))
    elif how.startswith("mean"):
        x = keras.ops.mean(x, axis=(1, 2))
    elif how.startswith("max"):
        x = keras.ops.max(x, axis=(1, 2))
    else:
        x = keras.layers.Flatten()(x)
    if how.endswith("_l2"):
        x = x / (keras.ops.sqrt(keras.ops.sum(x * x, axis=1, keepdims=True)) + 1e-12)
    return x


def classifier_features(model, space: str = DEFAULT_SPACE):
    """A function images[-1, 1] -> float64 features [N, D] of ``model`` in ``space`` (SPACES)."""
    import keras

    if space not in SPACES:
        raise DataError(f"unknown feature space '{space}'; choose one of {', '.join(SPACES)}")
    layer, how = SPACES[space]
    outputs = _vectorise(model.get_layer(layer).output, how)
    embedder = keras.Model(model.inputs, outputs)

    def embed(images, batch_size: int = 1000) -> np.ndarray:
        return embedder.predict(images, batch_size=batch_size, verbose=0).astype(np.float64)

    return embed


INCEPTION_SIZE = 299
INCEPTION_FILE = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"


@functools.lru_cache(maxsize=2)
def inception_model(weights: str | None = "imagenet"):
    """Inception-v3 without its classifier, average-pooled (2,048 features). ``weights=None`` gives
    random weights (for tests only: such features measure nothing). Built once per process."""
    import contextlib
    import io

    import keras

    try:  # Keras prints "Downloading data from ..." on stdout, where the JSON report goes
        with contextlib.redirect_stdout(io.StringIO()):
            return keras.applications.InceptionV3(
                include_top=False, pooling="avg", weights=weights,
                input_shape=(INCEPTION_SIZE, INCEPTION_SIZE, 3))
    except Exception as err:  # a failed download surfaces as URLError, OSError, Exception...
        raise DataError(f"the Inception-v3 ImageNet weights are missing ({type(err).__name__}: "
                        f"no internet?); put {INCEPTION_FILE} in ~/.keras/models/, or evaluate "
                        "MNIST-size data with the kit's classifier features") from None


def inception_features(images, model=None, batch_size: int = 50) -> np.ndarray:
    """Inception-v3 pool features [N, 2048] of uint8 images [N, H, W, 1 or 3], resized to 299x299
    (bilinear) and scaled to [-1, 1] as ``keras.applications.inception_v3.preprocess_input``."""
    import tensorflow as tf

    model = model or inception_model()
    out = []
    for start in range(0, len(images), batch_size):
        x = tf.cast(images[start:start + batch_size], tf.float32)
        if x.shape[-1] == 1:
            x = tf.image.grayscale_to_rgb(x)
        x = tf.image.resize(x, [INCEPTION_SIZE, INCEPTION_SIZE]) / 127.5 - 1.0
        out.append(model(x, training=False).numpy())
    return np.concatenate(out).astype(np.float64)


# --- validation cases: images whose quality a person can judge ----------------------------------
# held-out real digits (the test split) are good and should score high precision. The damaged
# ones below, and samples of an early generator (benchmarks/eval_generator_samples.py), are not.
# Each takes uint8 images [N, 28, 28, 1] and returns uint8 images of that shape; ``rng`` (a numpy
# Generator) makes them repeatable. docs/evaluation.md shows examples and their scores.

def _stretch(x):
    """Rescale each image so its brightest pixel is 255 (keeps the contrast of real digits)."""
    peak = x.reshape(len(x), -1).max(axis=1).reshape(-1, 1, 1, 1)
    return np.clip(np.round(x * 255.0 / np.maximum(peak, 1)), 0, 255).astype(np.uint8)


def blend_digits(images, labels, rng):
    """Each image averaged with a random image of another class."""
    partner = rng.permutation(len(images))
    same = labels[partner] == labels
    while same.any():  # re-draw partners of the same class
        partner[same] = rng.integers(0, len(images), same.sum())
        same = labels[partner] == labels
    return _stretch((images.astype(np.float64) + images[partner]) / 2.0)


def cut_strokes(images, rng, width: int = 4):
    """A band of ``width`` pixels erased through the middle (+-3 px), across or down the digit."""
    out = images.copy()
    for i in range(len(out)):
        start = 14 - width // 2 + rng.integers(-3, 4)
        if rng.random() < 0.5:
            out[i, start:start + width] = 0
        else:
            out[i, :, start:start + width] = 0
    return out


def smear_strokes(images, rng, reach: int = 3):
    """Motion blur: the mean of the image shifted by -reach..reach pixels along a random
    direction (horizontal, vertical or a diagonal)."""
    directions = [(0, 1), (1, 0), (1, 1), (1, -1)]
    out = np.empty(images.shape, np.float64)
    which = rng.integers(0, 4, len(images))
    for d, (dy, dx) in enumerate(directions):
        sel = which == d
        acc = np.zeros(images[sel].shape)
        for s in range(-reach, reach + 1):
            acc += np.roll(images[sel].astype(np.float64), (s * dy, s * dx), axis=(1, 2))
        out[sel] = acc / (2 * reach + 1)
    return _stretch(out)
