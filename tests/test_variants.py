"""ACGAN and InfoGAN: auxiliary losses by hand, shapes, and train/resume/sample on real MNIST."""
import math

import numpy as np
import pytest
import tensorflow as tf

from gan_lib.cli import main
from gan_lib.config import TrainConfig
from gan_lib.metrics import best_matching_accuracy
from gan_lib.variants import build_gan
from gan_lib.variants.acgan import ACGAN
from gan_lib.variants.infogan import information_loss


def _ce(logits, label):
    logits = np.asarray(logits, float)
    return -(logits[label] - math.log(np.exp(logits).sum()))


def test_acgan_auxiliary_losses_by_hand():
    real_aux = tf.constant([[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]])
    fake_aux = tf.constant([[0.5, 0.5, 0.0], [1.0, -1.0, 3.0]])
    labels = tf.constant([0, 2])
    expected_real = (_ce([2, 0, -1], 0) + _ce([0, 1, 0], 2)) / 2
    expected_fake = (_ce([0.5, 0.5, 0], 0) + _ce([1, -1, 3], 2)) / 2
    acgan = ACGAN(TrainConfig(model="acgan", steps=1))
    d = acgan.d_aux_loss(real_aux, fake_aux, labels, None)
    g = acgan.g_aux_loss(fake_aux, labels, None)
    assert float(d) == pytest.approx(expected_real + expected_fake, rel=1e-5)
    assert float(g) == pytest.approx(expected_fake, rel=1e-5)


def test_information_loss_by_hand():
    # one sample: noise (2 numbers), category 3 of 10, continuous codes (0.5, -0.5)
    z = np.zeros((1, 2 + 10 + 2), np.float32)
    z[0, 2 + 3] = 1.0
    z[0, 12:] = [0.5, -0.5]
    q = np.zeros((1, 12), np.float32)
    q[0, :10] = np.arange(10) / 10.0
    q[0, 10:] = [0.0, 0.0]
    expected = _ce(np.arange(10) / 10.0, 3) + 0.5 * (0.5**2 + 0.5**2)
    assert float(information_loss(tf.constant(q), tf.constant(z), 2)) == pytest.approx(expected,
                                                                                       rel=1e-5)


def test_best_matching_accuracy_by_hand():
    codes = [0, 0, 0, 1, 1, 2, 2, 2]
    classes = [5, 5, 1, 1, 1, 7, 7, 5]  # best map: 0->5, 1->1, 2->7: 2 + 2 + 2 = 6 of 8
    result = best_matching_accuracy(codes, classes, k=10)
    assert result["accuracy"] == pytest.approx(6 / 8)
    assert result["matching"][0] == 5 and result["matching"][1] == 1 and result["matching"][2] == 7


@pytest.mark.parametrize("arch", ["mlp", "dcgan"])
def test_shapes(arch):
    width = dict(mlp_hidden=(32,)) if arch == "mlp" else dict(base_filters=8)
    cfg = dict(steps=1, arch=arch, latent_dim=16, **width)
    acgan = build_gan(TrainConfig(model="acgan", **cfg), (28, 28, 1), num_classes=10)
    images = acgan.generate(np.zeros((3, 16), np.float32), np.array([1, 2, 3]))
    logits, classes = acgan.discriminate(images)
    assert tuple(logits.shape) == (3, 1) and tuple(classes.shape) == (3, 10)

    info = build_gan(TrainConfig(model="infogan", **cfg), (28, 28, 1))
    assert info.latent_dim == 16 + 12 and info.noise_dim == 16
    z = info.latent(tf.random.Generator.from_seed(0), 4, categories=tf.constant([0, 1, 2, 9]))
    np.testing.assert_array_equal(np.argmax(z.numpy()[:, 16:26], axis=1), [0, 1, 2, 9])
    assert np.abs(z.numpy()[:, 26:]).max() <= 1.0
    logits, q = info.discriminate(info.generate(z))
    assert tuple(logits.shape) == (4, 1) and tuple(q.shape) == (4, 12)


@pytest.mark.parametrize("model", ["acgan", "infogan"])
def test_train_resume_sample(model, tmp_path):
    out = str(tmp_path / model)
    args = ["train", "--model", model, "--dataset", "mnist", "--batch-size", "32",
            "--base-filters", "8", "--out", out, "--quiet"]
    assert main([*args, "--steps", "3"]) == 0
    assert main([*args, "--steps", "6", "--resume"]) == 0
    log = (tmp_path / model / "log.csv").read_text().splitlines()
    assert log[0].endswith(",aux_loss") and len(log) == 7
    assert np.isfinite([float(x) for x in log[-1].split(",")]).all()
    assert main(["sample", "--run", out, "--n", "20", "--out", str(tmp_path / "s.npz")]) == 0
    samples = np.load(tmp_path / "s.npz")
    assert samples["images"].shape == (20, 28, 28, 1)
    assert ("labels" in samples.files) == (model == "acgan")
