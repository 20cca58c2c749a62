"""Inception-v3 features for RGB image folders (the ImageNet weights need a download; offline
the feature code runs with random weights, and a missing download is one clear line)."""
import numpy as np
import pytest
from PIL import Image

from gan_lib import features
from gan_lib.errors import DataError
from gan_lib.evaluate import evaluate_samples


@pytest.fixture(scope="module")
def random_inception():
    return features.inception_model(weights=None)


def test_inception_features_shape_and_input_scaling(random_inception):
    rgb = np.random.default_rng(0).integers(0, 256, (3, 40, 40, 3), dtype=np.uint8)
    f = features.inception_features(rgb, random_inception, batch_size=2)
    assert f.shape == (3, 2048) and f.dtype == np.float64 and np.isfinite(f).all()
    # grayscale images are repeated over the three channels
    gray = rgb[..., :1]
    np.testing.assert_allclose(features.inception_features(gray, random_inception),
                               features.inception_features(np.repeat(gray, 3, axis=3),
                                                           random_inception), rtol=1e-5, atol=1e-6)


def test_evaluate_an_rgb_folder_with_inception_features(tmp_path):
    rng = np.random.default_rng(0)
    folder = tmp_path / "faces"
    folder.mkdir()
    for i in range(12):
        Image.fromarray(rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)).save(folder / f"{i}.png")
    samples = rng.integers(0, 256, (8, 32, 32, 3), dtype=np.uint8)
    report = evaluate_samples(str(folder), samples, features="inception", inception_weights=None)
    assert "weights=None" in report["features"] and "NOT comparable" in report["features"]
    assert report["n"] == 8 and report["n_searched_for_copies"] == 12
    assert 0 <= report["precision"] <= 1 and "class_histogram" not in report
    with pytest.raises(Exception, match="mnist and fashion_mnist"):
        evaluate_samples(str(folder), samples, features="classifier")


def test_missing_imagenet_weights_are_one_clear_line(monkeypatch):
    import keras

    def offline(*args, **kwargs):
        raise Exception("URL fetch failure: no route to host")

    monkeypatch.setattr(keras.applications, "InceptionV3", offline)
    with pytest.raises(DataError, match="Inception-v3 ImageNet weights are missing") as err:
        features.inception_model("imagenet")
    assert "\n" not in str(err.value)
