"""Stacked MNIST (issue 21, part 2): the dataset, and `evaluate`'s modes and KL on stacks whose
answer is known, through the command line's own path."""
import json
import math

import numpy as np
import pytest

from gan_lib.cli import main
from gan_lib.errors import DataError


@pytest.fixture(scope="module")
def sure_digits():
    """One real test image per digit 0..9 that the shipped classifier reads right: stacks made of
    these have a known mode, so the expected answers below are exact, not 97.6% likely."""
    from gan_lib.classifier import load_classifier
    from gan_lib.data import load_dataset

    test = load_dataset("mnist", "test")
    predicted = load_classifier("mnist").predict(test.images[:200])
    picks = [int(np.flatnonzero((test.labels[:200] == d) & (predicted == d))[0])
             for d in range(10)]
    return test.images[picks, ..., 0]  # [10, 28, 28]: digit d at index d


def stacks_of(modes, digits):
    """uint8 [N, 28, 28, 3] stacks showing the digits of each mode id abc in channels 0, 1, 2."""
    modes = np.asarray(modes)
    return np.stack([digits[(modes // 10 ** p) % 10] for p in (2, 1, 0)], axis=-1)


def evaluate_npz(tmp_path, images, name):
    np.savez(tmp_path / f"{name}.npz", images=images)
    out = tmp_path / f"{name}.json"
    assert main(["evaluate", "--samples", str(tmp_path / f"{name}.npz"), "--dataset",
                 "stacked_mnist", "--out", str(out)]) == 0
    return json.loads(out.read_text())


def test_modes_and_kl_of_hand_made_stacks(sure_digits, tmp_path, capsys):
    # every one of the 1,000 modes once: all covered, KL 0
    report = evaluate_npz(tmp_path, stacks_of(np.arange(1000), sure_digits), "all")
    assert report["dataset"] == "stacked_mnist" and report["n"] == 1000
    assert report["modes"] == 1000 and report["num_modes"] == 1000
    assert report["kl"] == pytest.approx(0.0, abs=1e-12)
    # 10 stacks of 4 modes, 6 : 2 : 1 : 1 -> KL = sum p log(1000 p)
    modes = [123] * 6 + [456] * 2 + [789, 0]
    report = evaluate_npz(tmp_path, stacks_of(modes, sure_digits), "four")
    p = np.array([0.6, 0.2, 0.1, 0.1])
    assert report["modes"] == 4 and report["n"] == 10
    assert report["kl"] == pytest.approx(float((p * np.log(1000 * p)).sum()), rel=1e-12)
    assert report["top_modes"] == [[123, 6], [456, 2], [0, 1], [789, 1]]
    # a collapsed generator: one mode, KL log 1000 = 6.91
    report = evaluate_npz(tmp_path, stacks_of([905] * 50, sure_digits), "one")
    assert report["modes"] == 1 and report["kl"] == pytest.approx(math.log(1000), rel=1e-12)
    assert report["top_modes"] == [[905, 50]]
    # the channels are read in order: swapping red and blue gives another mode
    swapped = stacks_of([123], sure_digits)[..., ::-1]
    assert evaluate_npz(tmp_path, swapped, "swapped")["top_modes"] == [[321, 1]]
    capsys.readouterr()


def test_the_dataset_is_pacgans_draw_and_fixed():
    from gan_lib.data import load_dataset
    from gan_lib.stacked_mnist import digit_pool

    test = load_dataset("stacked_mnist", "test")
    assert test.images.shape == (26_000, 28, 28, 3) and test.images.dtype == np.uint8
    assert test.shape == (28, 28, 3) and test.num_classes == 1000
    again = load_dataset("stacked_mnist", "test")
    np.testing.assert_array_equal(again.images, test.images)  # one fixed draw (seed 1)
    np.testing.assert_array_equal(again.labels, test.labels)
    # each channel is one of the 70,000 MNIST digits (train + test files, as PacGAN draws),
    # and the label is the mode of the three digits' labels, channel 0 first
    pool, pool_labels = digit_pool(load_dataset("mnist", "train"), load_dataset("mnist", "test"))
    assert pool.shape == (70_000, 28, 28)
    label_of = {image.tobytes(): int(label) for image, label in zip(pool, pool_labels)}
    for i in range(0, 26_000, 1300):
        digits = [label_of[test.images[i, :, :, c].tobytes()] for c in range(3)]
        assert test.labels[i] == 100 * digits[0] + 10 * digits[1] + digits[2]
    # independent uniform channels: all 1,000 modes, about 26 stacks each
    counts = np.bincount(test.labels, minlength=1000)
    assert (counts > 0).all() and 5 < counts.min() and counts.max() < 60
    with pytest.raises(DataError, match="28x28 with 3 channels"):
        load_dataset("stacked_mnist", "train", resolution=32)


def test_train_and_evaluate_a_run(tmp_path, capsys):
    """`train --dataset stacked_mnist` then `evaluate --run`: a report of modes and KL."""
    out = str(tmp_path / "sm")
    assert main(["train", "--model", "dcgan", "--dataset", "stacked_mnist", "--steps", "2",
                 "--base-filters", "8", "--batch-size", "32", "--out", out, "--quiet"]) == 0
    config = json.loads((tmp_path / "sm" / "config.json").read_text())
    assert (config["resolution"], config["channels"]) == (28, 3)
    capsys.readouterr()
    assert main(["evaluate", "--run", out, "--n", "300"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n"] == 300 and report["run"] == out
    assert 1 <= report["modes"] <= 300 and 0.0 <= report["kl"] <= math.log(1000) + 1e-9
    capsys.readouterr()
    assert main(["evaluate", "--run", out, "--n", "10", "--picture",
                 str(tmp_path / "p.png")]) == 2
    assert "drop --picture" in capsys.readouterr().err
