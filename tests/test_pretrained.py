"""Shipped generators (gan_lib/pretrained.py): export from a run, load by name, sample from the
command line, and one clear line for a missing, damaged or unknown one.

The mechanism is tested on a generator exported from a tiny run into a temporary folder; the
generators actually shipped are scored again in
test_a_shipped_generator_scores_what_its_record_says below, for every one installed.
"""
import json

import numpy as np
import pytest

from gan_lib import pretrained
from gan_lib.checkpoint import load_generator
from gan_lib.cli import main
from gan_lib.config import TrainConfig
from gan_lib.errors import CheckpointError, ConfigError
from gan_lib.trainer import Trainer


@pytest.fixture
def shipped(mnist_small, tmp_path, monkeypatch):
    run = tmp_path / "run"
    Trainer(TrainConfig(model="cgan", arch="dcgan", base_filters=8, latent_dim=16, batch_size=64,
                        steps=3, ema=0.9, verbose=0, tensorboard=False), run,
            data=mnist_small).train()
    folder = tmp_path / "generators"
    pretrained.export(run, "cgan-mnist", {"steps": 3, "scores": {}}, folder)
    monkeypatch.setattr(pretrained, "GENERATORS", folder)
    return run, folder


def test_a_shipped_generator_is_the_runs_generator(shipped):
    run, folder = shipped
    gan = pretrained.load("cgan-mnist")
    original, _ = load_generator(run)  # the EMA generator, as samples use
    z, labels = np.random.default_rng(0).normal(size=(6, 16)).astype(np.float32), np.arange(6)
    np.testing.assert_array_equal(gan.generate(z, labels).numpy(),
                                  original.generate(z, labels).numpy())
    info = pretrained.record("cgan-mnist")
    assert info["config"]["model"] == "cgan" and info["steps"] == 3
    assert pretrained.available() == ["cgan-mnist"]


def test_sample_pretrained_from_the_command_line(shipped, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["sample", "--pretrained", "cgan-mnist", "--n", "20", "--label", "7",
                 "--out", "s.npz"]) == 0
    arrays = np.load(tmp_path / "s.npz")
    assert arrays["images"].shape == (20, 28, 28, 1) and set(arrays["labels"]) == {7}


def test_missing_damaged_and_unknown_generators_are_one_line(shipped, tmp_path, monkeypatch,
                                                             capsys):
    _, folder = shipped
    with pytest.raises(ConfigError, match="unknown pretrained generator 'dcgan-cifar'"):
        pretrained.load("dcgan-cifar")
    with pytest.raises(CheckpointError, match="'dcgan-mnist' is not installed"):
        pretrained.load("dcgan-mnist")
    weights = folder / "cgan-mnist.weights.h5"
    weights.write_bytes(weights.read_bytes()[:300])
    with pytest.raises(CheckpointError, match="is damaged or of another model"):
        pretrained.load("cgan-mnist")
    (folder / "cgan-mnist.json").write_text("[]")
    with pytest.raises(CheckpointError, match="is damaged"):
        pretrained.record("cgan-mnist")
    monkeypatch.chdir(tmp_path)
    assert main(["sample", "--pretrained", "dcgan-mnist", "--n", "4", "--out", "x.png"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not installed" in err[0]
    assert not (tmp_path / "x.png").exists()


def test_shipped_records_say_how_they_were_made():
    """Every installed generator's record names its recipe, steps, command, date, machine and
    held-out scores, and its weights fit the 5 MB budget."""
    for name in pretrained.available():
        info = pretrained.record(name)
        for key in ("steps", "command", "date", "machine", "scores", "real_vs_real"):
            assert key in info, (name, key)
        assert (pretrained.GENERATORS / f"{name}.weights.h5").stat().st_size <= \
            pretrained.MAX_BYTES
        json.dumps(info)


SHIPPED = pretrained.available()


@pytest.mark.parametrize("name", SHIPPED)
def test_a_shipped_generator_scores_what_its_record_says(name):
    """The installed generator, scored again on the record's check protocol (2,000 samples,
    seed 1, against the held-out test images, the kit's classifier features), gives the
    record's scores; and the record's targets_met says what its 5,000-sample scores say."""
    from gan_lib.classifier import load_classifier
    from gan_lib.evaluate import evaluate_samples
    from gan_lib.sampling import sample_images

    info = pretrained.record(name)
    dataset, check = info["config"]["dataset"], info["check"]
    images, labels = sample_images(pretrained.load(name), check["n"], seed=check["seed"])
    report = evaluate_samples(dataset, images, labels, classifier=load_classifier(dataset),
                              reference="test")
    for key, recorded in check["scores"].items():
        tolerance = 0.02 * recorded if key == "fid" else 0.005
        assert abs(report[key] - recorded) <= tolerance, (name, key, report[key], recorded)
    met = {k: info["scores"].get(k, 0.0) >= v for k, v in info["targets"].items()}
    assert info["targets_met"] == met
