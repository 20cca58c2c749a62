"""The embedding separates what a person separates (docs/evaluation.md has the full table).

Held-out real digits must score high precision; digits blended from two classes, with strokes cut
away or smeared, and samples of an early generator must all score far lower, in the shipped
feature space. tests/data/eval_dcgan_step*.npz are samples of the README's main run (DCGAN,
MNIST, default settings) after 300 steps and after 5 epochs (2,345 steps), written by
benchmarks/eval_generator_samples.py.
"""
from pathlib import Path

import numpy as np
import pytest

from gan_lib import features, metrics
from gan_lib.classifier import load_classifier
from gan_lib.data import load_dataset

DATA = Path(__file__).resolve().parent / "data"
N = 2000
# Precision of held-out real digits, and the most any bad case may score (margin >= 0.6).
REAL_AT_LEAST, BAD_AT_MOST = 0.8, 0.25


def _samples(step):
    with np.load(DATA / f"eval_dcgan_step{step}.npz") as f:
        return f["images"]


@pytest.fixture(scope="module")
def scored(mnist):
    """Precision / recall of each case against 10,000 training images, as `evaluate` does."""
    clf = load_classifier("mnist")
    test = load_dataset("mnist", "test")
    rng = np.random.default_rng(0)
    real, labels = test.images[:N], test.labels[:N]
    cases = {"held-out real": real,
             "blend": features.blend_digits(real, labels, rng),
             "cut": features.cut_strokes(real, rng),
             "smear": features.smear_strokes(real, rng),
             "DCGAN 300 steps": _samples(300),
             "DCGAN 5 epochs": _samples(2345)}
    reference = clf.embed(mnist.images[rng.choice(len(mnist), 10_000, replace=False)])
    return {name: metrics.precision_recall(reference, clf.embed(x), 3)
            for name, x in cases.items()}


def test_held_out_digits_score_high(scored):
    assert scored["held-out real"]["precision"] >= REAL_AT_LEAST
    assert scored["held-out real"]["recall"] >= REAL_AT_LEAST


@pytest.mark.parametrize("case", ["blend", "cut", "smear", "DCGAN 300 steps"])
def test_damaged_digits_and_an_early_generator_score_low(scored, case):
    assert scored[case]["precision"] <= BAD_AT_MOST, scored[case]
    assert scored["held-out real"]["precision"] - scored[case]["precision"] >= 0.6


def test_the_readme_run_is_not_flattered(scored):
    """About half of the 5-epoch grid is visibly malformed; an independent evaluator (its own
    classifier) gives precision 0.33 where real digits get 0.85. The kit must not be far above."""
    p = scored["DCGAN 5 epochs"]["precision"]
    assert 0.2 <= p <= 0.45, p
    assert scored["held-out real"]["precision"] - p >= 0.4


def test_one_class_has_low_recall(mnist):
    """All 1,135 test images of the digit 1: every one realistic, a tenth of the variety. Plain
    L2 normalisation let recall reach 0.35 (outlying 1s have wide k-NN balls); the square root
    before it keeps recall near 0.2 (docs/evaluation.md)."""
    clf = load_classifier("mnist")
    test = load_dataset("mnist", "test")
    rng = np.random.default_rng(0)
    reference = clf.embed(mnist.images[rng.choice(len(mnist), 10_000, replace=False)])
    ones = metrics.precision_recall(reference, clf.embed(test.images[test.labels == 1]), 3)
    assert ones["precision"] >= REAL_AT_LEAST and ones["recall"] <= 0.3, ones


def test_the_chosen_space_beats_the_old_one(mnist):
    """Mean-pooled conv3 maps without normalisation (the kit's old space) let blends through;
    the normalised space does not. Pins why DEFAULT_SPACE is what it is."""
    assert features.DEFAULT_SPACE == "conv3_sqrt_mean_l2"
    clf = load_classifier("mnist")
    test = load_dataset("mnist", "test")
    rng = np.random.default_rng(1)
    blends = features.blend_digits(test.images[:N], test.labels[:N], rng)
    ref_images = mnist.images[rng.choice(len(mnist), 5000, replace=False)]
    precision = {}
    for space in ("conv3_mean", features.DEFAULT_SPACE):
        embed = features.classifier_features(clf.model, space)
        ref, fake = embed(ref_images / 127.5 - 1.0), embed(blends / 127.5 - 1.0)
        precision[space] = metrics.precision_recall(ref, fake, 3)["precision"]
    assert precision["conv3_mean"] > 0.5 > 0.2 > precision[features.DEFAULT_SPACE], precision
