"""A small CNN classifier per dataset: the evaluation's feature extractor and label checker.

Inception-v3 features (the usual FID backbone) need weights downloaded from the internet and were
trained on photos, not digits. The kit instead trains its own classifier on the real training
set the first time it is needed (a few minutes on a CPU), checks its test accuracy (MNIST >= 99%,
Fashion-MNIST >= 91%) and caches it in ``checkpoints/classifiers/``. Its predictions give the
class histogram of generated samples.

The embedding in which FID, precision/recall, density/coverage and authenticity are measured is
its last convolution's 128 feature maps, averaged over positions. Not the dense penultimate layer:
measured on MNIST, that layer maps uniform noise *onto* the digits' manifold (noise scored
precision 0.50), because a classifier trained on digits only learns to sort inputs into digits.
The pooled convolutional features keep noise apart (precision 0.00) and score held-out real
images as high (precision 0.89, recall 0.86 against 5,000 training images).

Inputs are images in [-1, 1] (or uint8, converted), the generator's own range.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from gan_lib.errors import DataError

CACHE_DIR = Path(__file__).resolve().parent.parent / "checkpoints" / "classifiers"
REQUIRED_ACCURACY = {"mnist": 0.99, "fashion_mnist": 0.91}
EPOCHS = {"mnist": 4, "fashion_mnist": 10}
EMBEDDING = "embedding"


def build_classifier(image_shape=(28, 28, 1), num_classes=10):
    """Conv(32)-pool-Conv(64)-pool-Conv(128)-Dense(128, the embedding)-Dense(classes): small
    enough to train in a few minutes on a CPU, accurate enough to judge digits and garments."""
    import keras
    from keras import layers

    x = inputs = keras.Input(image_shape)
    for width in (32, 64):
        x = layers.Conv2D(width, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(128, 3, padding="same", activation="relu")(x)
    x = layers.Dropout(0.3)(layers.Flatten()(x))
    embedding = layers.Dense(128, activation="relu", name=EMBEDDING)(x)
    logits = layers.Dense(num_classes, name="logits")(layers.Dropout(0.3)(embedding))
    return keras.Model(inputs, logits, name="evaluation_classifier")


def _as_float(images):
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 127.5 - 1.0
    return images.astype(np.float32)


class Classifier:
    """A trained classifier with ``embed``, ``predict`` and its test ``accuracy``."""

    def __init__(self, model, name: str, accuracy: float):
        import keras

        self.model, self.name, self.accuracy = model, name, accuracy
        last_conv = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)][-1]
        pooled = keras.layers.GlobalAveragePooling2D()(last_conv.output)
        self._embedder = keras.Model(model.inputs, pooled)

    def embed(self, images, batch_size: int = 1000) -> np.ndarray:
        """Pooled last-convolution features [N, 128] (float64 for stable statistics)."""
        return self._embedder.predict(_as_float(images), batch_size=batch_size,
                                      verbose=0).astype(np.float64)

    def predict(self, images, batch_size: int = 1000) -> np.ndarray:
        """Predicted class of each image."""
        logits = self.model.predict(_as_float(images), batch_size=batch_size, verbose=0)
        return logits.argmax(axis=1)


def train_classifier(dataset: str, epochs: int | None = None, seed: int = 0, verbose: int = 0):
    """Train the classifier on the real training set; return (model, test accuracy)."""
    import keras

    from gan_lib.data import load_dataset

    train, test = load_dataset(dataset, "train"), load_dataset(dataset, "test")
    keras.utils.set_random_seed(seed)
    model = build_classifier(train.shape, train.num_classes)
    epochs = epochs or EPOCHS.get(dataset, 5)
    # the learning rate decays to 0 along a cosine: the last epochs polish rather than jump
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, epochs * (len(train) // 128 + 1))
    model.compile(optimizer=keras.optimizers.Adam(schedule),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    model.fit(_as_float(train.images), train.labels, batch_size=128,
              epochs=epochs, verbose=verbose)
    _, accuracy = model.evaluate(_as_float(test.images), test.labels, batch_size=1000, verbose=0)
    return model, float(accuracy)


def load_classifier(dataset: str, cache_dir=None, verbose: int = 1) -> Classifier:
    """The cached classifier for ``dataset`` (mnist or fashion_mnist), training it if needed."""
    import keras

    from gan_lib.io import atomic_path, atomic_write_text

    if dataset not in REQUIRED_ACCURACY:
        raise DataError(f"the evaluation classifier exists for mnist and fashion_mnist, not "
                        f"'{dataset}'")
    cache_dir = Path(cache_dir or CACHE_DIR)
    model_path, info_path = cache_dir / f"{dataset}.keras", cache_dir / f"{dataset}.json"
    if model_path.exists() and info_path.exists():
        info = json.loads(info_path.read_text())
        return Classifier(keras.models.load_model(model_path), dataset, info["test_accuracy"])
    if verbose:
        print(f"training the {dataset} evaluation classifier once (cached in {cache_dir})...",
              flush=True)
    model, accuracy = train_classifier(dataset)
    if accuracy < REQUIRED_ACCURACY[dataset]:
        raise RuntimeError(f"the {dataset} classifier reached only {accuracy:.4f} test accuracy "
                           f"(needs {REQUIRED_ACCURACY[dataset]}); please report this")
    with atomic_path(model_path) as tmp:
        model.save(tmp)
    atomic_write_text(info_path, json.dumps({"test_accuracy": accuracy}) + "\n")
    if verbose:
        print(f"{dataset} classifier: test accuracy {accuracy:.4f}")
    return Classifier(model, dataset, accuracy)
