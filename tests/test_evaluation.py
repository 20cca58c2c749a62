"""Evaluation on the real data: the classifier, and the metrics' robustness on known cases."""
import json
import subprocess
import sys
import time

import numpy as np
import pytest

from gan_lib.classifier import load_classifier
from gan_lib.data import load_dataset
from gan_lib.evaluate import evaluate_samples

N = 5000


@pytest.fixture(scope="module")
def mnist_classifier():
    return load_classifier("mnist")


@pytest.fixture(scope="module")
def mnist_test():
    return load_dataset("mnist", "test")


def test_classifiers_reach_required_accuracy(mnist_classifier):
    assert mnist_classifier.accuracy >= 0.99
    assert load_classifier("fashion_mnist").accuracy >= 0.91


def test_real_held_out_images_score_high_and_fast(mnist_classifier, mnist_test):
    """All 10,000 test images as 'samples': a perfect generator; evaluated in under 2 minutes."""
    start = time.perf_counter()
    report = evaluate_samples("mnist", mnist_test.images, mnist_test.labels,
                              classifier=mnist_classifier)
    seconds = time.perf_counter() - start
    assert report["n"] == 10000 and report["n_reference"] == 10000
    assert report["precision"] >= 0.8 and report["recall"] >= 0.8
    assert report["density"] > 0.8 and report["coverage"] > 0.8
    assert report["authenticity"] > 0.5  # new images, not copies of training images
    assert report["label_accuracy"] >= 0.99  # the classifier agrees with the true labels
    assert report["normalized_entropy"] > 0.99
    assert seconds < 120, f"evaluating 10,000 samples took {seconds:.0f} s"


def test_noise_scores_low(mnist_classifier):
    noise = np.random.default_rng(0).integers(0, 256, (N, 28, 28, 1), dtype=np.uint8)
    report = evaluate_samples("mnist", noise, classifier=mnist_classifier)
    assert report["precision"] <= 0.1 and report["recall"] <= 0.1
    assert report["fid"] > 100 * evaluate_samples(
        "mnist", load_dataset("mnist", "test").images[:N], classifier=mnist_classifier)["fid"]


def test_one_class_scores_low_recall(mnist_classifier, mnist):
    ones = mnist.images[mnist.labels == 1][:N]
    report = evaluate_samples("mnist", ones, classifier=mnist_classifier, seed=1)
    assert report["recall"] <= 0.3
    assert report["precision"] >= 0.8  # every sample is a realistic digit...
    assert report["normalized_entropy"] < 0.2  # ...of one class: collapse


def test_stable_across_seeds(mnist_classifier, mnist_test):
    rng = np.random.default_rng(5)
    reports = [evaluate_samples("mnist", mnist_test.images[rng.choice(10000, N, replace=False)],
                                classifier=mnist_classifier, seed=seed) for seed in (0, 1)]
    for key in ("precision", "recall", "coverage", "alpha_precision", "authenticity"):
        assert abs(reports[0][key] - reports[1][key]) <= 0.03, key
    # density is an average count (it can exceed 1): stable to 5% of its value
    assert abs(reports[0]["density"] - reports[1]["density"]) <= 0.05 * reports[0]["density"]


def test_wrong_image_shape_is_refused(mnist_classifier):
    from gan_lib.errors import ConfigError

    with pytest.raises(ConfigError, match="samples are"):
        evaluate_samples("mnist", np.zeros((200, 32, 32, 1), np.uint8), classifier=mnist_classifier)


def _evaluate_cli(npz, run_env, cwd, *extra):
    r = subprocess.run([sys.executable, "-m", "gan_lib", "evaluate", "--dataset", "mnist",
                        "--samples", str(npz), *extra], env=run_env, cwd=cwd,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_evaluate_command_line(mnist_classifier, mnist_test, mnist, run_env, tmp_path):
    np.savez(tmp_path / "real.npz", images=mnist_test.images[:N], labels=mnist_test.labels[:N])
    np.savez(tmp_path / "noise.npz", images=np.random.default_rng(1).integers(
        0, 256, (N, 28, 28, 1), dtype=np.uint8))
    np.savez(tmp_path / "one.npz", images=mnist.images[mnist.labels == 7][:N])
    real = _evaluate_cli(tmp_path / "real.npz", run_env, tmp_path, "--out", "report.json")
    assert real["precision"] >= 0.8 and real["recall"] >= 0.8 and real["label_accuracy"] > 0.98
    assert json.loads((tmp_path / "report.json").read_text())["fid"] == real["fid"]
    noise = _evaluate_cli(tmp_path / "noise.npz", run_env, tmp_path)
    assert noise["precision"] <= 0.1 and noise["recall"] <= 0.1 and "label_accuracy" not in noise
    one = _evaluate_cli(tmp_path / "one.npz", run_env, tmp_path)
    assert one["recall"] <= 0.3
    for key in ("n", "fid", "precision", "recall", "density", "coverage", "alpha_precision",
                "beta_recall", "authenticity", "class_histogram", "entropy"):
        assert key in real, key


def test_evaluate_command_line_errors(run_env, tmp_path):
    (tmp_path / "bad.npz").write_text("not an npz")
    for args, message in [(["--samples", "bad.npz", "--dataset", "mnist"], "cannot read images"),
                          (["--samples", "bad.npz"], "needs --dataset"),
                          (["--run", "nothing"], "not a run directory")]:
        r = subprocess.run([sys.executable, "-m", "gan_lib", "evaluate", *args], env=run_env,
                           cwd=tmp_path, capture_output=True, text=True, timeout=600)
        assert r.returncode == 2 and message in r.stderr, r.stderr
