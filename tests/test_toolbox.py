"""Issue 7's toolbox from the command line: every loss and stabilisation option trains."""
import csv

import numpy as np
import pytest
import tensorflow as tf

from gan_lib.cli import main
from gan_lib.config import TrainConfig
from gan_lib.train_step import pack_images

FAST = ["--model", "dcgan", "--dataset", "mnist", "--steps", "4", "--batch-size", "32",
        "--base-filters", "8", "--quiet"]


def _losses(run_dir):
    with open(run_dir / "log.csv") as f:
        rows = list(csv.DictReader(f))
    return [(float(r["d_loss"]), float(r["g_loss"])) for r in rows]


@pytest.mark.parametrize("loss", ["minimax", "bce", "lsgan", "wgan-gp", "hinge"])
def test_each_loss_trains_with_finite_losses(loss, tmp_path):
    extra = ["--d-steps", "2"] if loss == "wgan-gp" else []
    assert main(["train", *FAST, "--loss", loss, "--out", str(tmp_path / loss), *extra]) == 0
    losses = _losses(tmp_path / loss)
    assert len(losses) == 4 and np.isfinite(losses).all()


@pytest.mark.parametrize("options", [
    ["--label-smoothing", "0.1"],
    ["--label-smoothing", "0.1", "--fake-label", "0.1"],
    ["--instance-noise", "0.1"],
    ["--spectral-norm"],
    ["--lr-d", "4e-4", "--lr-g", "1e-4"],
    ["--d-dropout", "0.3"],
    ["--pack", "2"],
    ["--collapse-monitor"],
    ["--mixed-precision"],
    ["--jit-compile"],
    ["--steps-per-call", "1"],
    ["--updates", "simultaneous"],
    ["--updates", "simultaneous", "--loss", "wgan-gp", "--d-steps", "2", "--instance-noise", "0.1"],
], ids=lambda o: o[0])
def test_stabilisation_options_train(options, tmp_path):
    out = tmp_path / "run"
    assert main(["train", *FAST, "--out", str(out), *options]) == 0
    assert np.isfinite(_losses(out)).all()
    saved = TrainConfig.load(out / "config.json")
    if "--pack" in options:
        assert saved.pack == 2
    if "--updates" in options:
        assert saved.updates == "simultaneous"
    if "--collapse-monitor" in options:
        rows = (out / "collapse_monitor.csv").read_text().splitlines()
        assert rows[0] == "step,class_entropy" and 0 <= float(rows[-1].split(",")[1]) <= 1


def test_pack_images_stacks_consecutive_samples_in_channels():
    x = tf.reshape(tf.range(4 * 2 * 2 * 1, dtype=tf.float32), [4, 2, 2, 1])
    packed = pack_images(x, 2).numpy()
    assert packed.shape == (2, 2, 2, 2)
    np.testing.assert_array_equal(packed[0, ..., 0], x.numpy()[0, ..., 0])
    np.testing.assert_array_equal(packed[0, ..., 1], x.numpy()[1, ..., 0])
    np.testing.assert_array_equal(packed[1, ..., 1], x.numpy()[3, ..., 0])


def test_instance_noise_is_annealed(mnist_small):
    from gan_lib.trainer import Trainer

    t = Trainer(TrainConfig(model="mlp", steps=100, instance_noise=0.2, verbose=0,
                            mlp_hidden=(16,)), data=mnist_small)
    assert t.noise_std(0) == pytest.approx(0.2)
    assert t.noise_std(50) == pytest.approx(0.1)
    assert t.noise_std(100) == 0.0


def test_pack_must_divide_batch():
    from gan_lib.errors import ConfigError

    with pytest.raises(ConfigError, match="multiple of --pack"):
        TrainConfig(steps=1, batch_size=33, pack=2).validate()
