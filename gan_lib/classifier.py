"""A small CNN classifier per dataset: the evaluation's feature extractor and label checker.

Inception-v3 features (the usual FID backbone) need weights downloaded from the internet and were
trained on photos, not digits. For MNIST and Fashion-MNIST the kit ships its own classifiers'
weights inside the package (``gan_lib/assets/classifier_{dataset}.weights.h5``, about 1 MB each),
so nothing is trained on a user's machine. They were produced by

    GAN_DATA_DIR=../shared/data python -m gan_lib.classifier --write-assets mnist fashion_mnist

(fixed seed, a few minutes on 2 CPU cores). Every load re-measures the test accuracy on the real
test split and refuses weights below the floor (MNIST >= 99%, Fashion-MNIST >= 91%): a corrupted or
mismatched file cannot silently produce numbers. The classifier's predictions give the class
histogram of generated samples; its feature maps give the embedding (features.py).

Inputs are images in [-1, 1] (or uint8, converted), the generator's own range.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from gan_lib.errors import DataError

ASSETS = Path(__file__).resolve().parent / "assets"
REQUIRED_ACCURACY = {"mnist": 0.99, "fashion_mnist": 0.91}
EPOCHS = {"mnist": 4, "fashion_mnist": 10}
EMBEDDING = "embedding"
_LOADED: dict = {}


def build_classifier(image_shape=(28, 28, 1), num_classes=10):
    """Conv(32)-pool-Conv(64)-pool-Conv(128)-pool-Dense(128)-Dense(classes): 240k weights, small
    enough to ship in the package, accurate enough to judge digits and garments."""
    import keras
    from keras import layers

    x = inputs = keras.Input(image_shape)
    for i, width in enumerate((32, 64, 128)):
        x = layers.Conv2D(width, 3, padding="same", activation="relu", name=f"conv{i + 1}")(x)
        x = layers.MaxPooling2D(name=f"pool{i + 1}")(x)
    x = layers.Dropout(0.3)(layers.Flatten()(x))
    embedding = layers.Dense(128, activation="relu", name=EMBEDDING)(x)
    logits = layers.Dense(num_classes, name="logits")(layers.Dropout(0.3)(embedding))
    return keras.Model(inputs, logits, name="evaluation_classifier")


def as_float(images):
    """uint8 [0, 255] -> float32 [-1, 1]; float images are taken to be in [-1, 1] already."""
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return images.astype(np.float32) / 127.5 - 1.0
    return images.astype(np.float32)


class Classifier:
    """A trained classifier with ``embed``, ``predict`` and its measured test ``accuracy``."""

    def __init__(self, model, name: str, accuracy: float):
        self.model, self.name, self.accuracy = model, name, accuracy
        self._embedder = None

    def embed(self, images, batch_size: int = 1000) -> np.ndarray:
        """The evaluation embedding [N, D] (float64), defined in features.py."""
        from gan_lib.features import classifier_features

        if self._embedder is None:
            self._embedder = classifier_features(self.model)
        return self._embedder(as_float(images), batch_size)

    def predict(self, images, batch_size: int = 1000) -> np.ndarray:
        """Predicted class of each image."""
        logits = self.model.predict(as_float(images), batch_size=batch_size, verbose=0)
        return logits.argmax(axis=1)

    def test_accuracy(self, test) -> float:
        return float((self.predict(test.images) == test.labels).mean())


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
    model.fit(as_float(train.images), train.labels, batch_size=128,
              epochs=epochs, verbose=verbose)
    accuracy = Classifier(model, dataset, 0.0).test_accuracy(test)
    return model, accuracy


def asset_paths(dataset: str, assets=None):
    assets = Path(assets or ASSETS)
    return (assets / f"classifier_{dataset}.weights.h5",
            assets / f"classifier_{dataset}.json")


def write_assets(dataset: str, assets=None, verbose: int = 1) -> float:
    """Train ``dataset``'s classifier and write its weights and test accuracy to ``assets``."""
    model, accuracy = train_classifier(dataset, verbose=verbose)
    if accuracy < REQUIRED_ACCURACY[dataset]:
        raise RuntimeError(f"{dataset}: test accuracy {accuracy:.4f} is below "
                           f"{REQUIRED_ACCURACY[dataset]}; not written")
    weights, info = asset_paths(dataset, assets)
    weights.parent.mkdir(parents=True, exist_ok=True)
    clean = build_classifier(model.input_shape[1:], model.output_shape[-1])
    clean.set_weights(model.get_weights())  # the weights only, not Adam's two moments per weight
    clean.save_weights(weights)
    info.write_text(json.dumps({"test_accuracy": accuracy, "epochs": EPOCHS[dataset],
                                "seed": 0}) + "\n")
    return accuracy


def load_classifier(dataset: str, assets=None, verbose: int = 0) -> Classifier:
    """The shipped classifier for ``dataset`` (mnist or fashion_mnist), its test accuracy measured
    on the real test split now (once per process) and checked against the floor."""
    import keras

    from gan_lib.data import load_dataset

    if dataset not in REQUIRED_ACCURACY:
        raise DataError(f"the evaluation classifier exists for mnist and fashion_mnist, not "
                        f"'{dataset}'; for image folders use --features inception")
    key = (dataset, str(assets))
    if key in _LOADED:
        return _LOADED[key]
    weights, info = asset_paths(dataset, assets)
    if not weights.exists():
        raise DataError(f"{weights} is missing: reinstall gan-kit, or rebuild it with "
                        f"`python -m gan_lib.classifier --write-assets {dataset}`")
    test = load_dataset(dataset, "test")
    keras.utils.set_random_seed(0)
    model = build_classifier(test.shape, test.num_classes)
    try:
        model.load_weights(weights)
    except (OSError, ValueError) as err:
        raise DataError(f"cannot load {weights} ({type(err).__name__}); reinstall gan-kit") \
            from None
    classifier = Classifier(model, dataset, 0.0)
    classifier.accuracy = classifier.test_accuracy(test)
    recorded = json.loads(info.read_text())["test_accuracy"] if info.exists() else None
    if classifier.accuracy < REQUIRED_ACCURACY[dataset]:
        raise DataError(f"the shipped {dataset} classifier scores {classifier.accuracy:.4f} on "
                        f"the test split (recorded {recorded}, floor "
                        f"{REQUIRED_ACCURACY[dataset]}): the weights or the data are corrupt; "
                        "reinstall gan-kit and check GAN_DATA_DIR")
    if verbose:
        print(f"{dataset} classifier: test accuracy {classifier.accuracy:.4f}")
    _LOADED[key] = classifier
    return classifier


def main(argv=None) -> int:
    import argparse

    p = argparse.ArgumentParser(prog="python -m gan_lib.classifier",
                                description="Rebuild the shipped evaluation classifiers.")
    p.add_argument("--write-assets", nargs="+", choices=sorted(REQUIRED_ACCURACY), required=True)
    args = p.parse_args(argv)
    for dataset in args.write_assets:
        print(f"{dataset}: test accuracy {write_assets(dataset, verbose=2):.4f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
