"""Metrics against hand-computed cases and their published definitions."""
import numpy as np
import pytest

from gan_lib import metrics

# Four real points on a line and three generated ones; k = 1 keeps the hand computation short.
REAL = np.array([[0.0], [1.0], [2.0], [10.0]])
FAKE = np.array([[0.5], [9.0], [20.0]])


def test_knn_radii_by_hand():
    # nearest other real point: 0->1 (1), 1->0 or 2 (1), 2->1 (1), 10->2 (8)
    np.testing.assert_allclose(metrics.knn_radii(REAL, 1), [1, 1, 1, 8])
    # second nearest: 0->2 (2), 1->(0,2) (1), 2->0 (2), 10->1 (9)
    np.testing.assert_allclose(metrics.knn_radii(REAL, 2), [2, 1, 2, 9])


def test_blocked_distances_match_direct():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(37, 5)), rng.normal(size=(23, 5))
    direct = np.linalg.norm(a[:, None] - b[None], axis=2)
    blocked = np.concatenate([d for _, d in metrics.pairwise_distances(a, b, block=8)])
    np.testing.assert_allclose(blocked, direct, atol=1e-9)
    assert np.allclose(metrics.knn_radii(a, 3, block=8), np.sort(
        np.linalg.norm(a[:, None] - a[None], axis=2), axis=1)[:, 3])


def test_precision_recall_by_hand():
    # Real balls (k=1): [-1,1], [0,2], [1,3], [2,18]. Fake 0.5 in, 9 in (ball of 10), 20 out:
    # precision 2/3. Fake radii (k=1): 0.5->9 (8.5), 9->0.5 (8.5), 20->9 (11): balls
    # [-8,9], [0.5,17.5], [9,31]; real 0,1,2,10 are all inside one: recall 1.
    pr = metrics.precision_recall(REAL, FAKE, k=1)
    assert pr["precision"] == pytest.approx(2 / 3)
    assert pr["recall"] == pytest.approx(1.0)


def test_density_coverage_by_hand():
    # Fake 0.5 lies in the balls of real 0 and 1 ([−1,1], [0,2]); fake 9 in the ball of 10
    # ([2,18]); fake 20 in none: density = (2 + 1 + 0) / (1 * 3) = 1. Real balls holding a fake:
    # those of 0, 1 and 10 -> coverage 3/4.
    dc = metrics.density_coverage(REAL, FAKE, k=1)
    assert dc["density"] == pytest.approx(1.0)
    assert dc["coverage"] == pytest.approx(0.75)


def test_frechet_distance_of_known_gaussians():
    # For Gaussians N(m1, I) and N(m2, 4I) in d dims: |m1-m2|^2 + d*(1 + 4 - 2*2) = |dm|^2 + d.
    rng = np.random.default_rng(0)
    d, n = 4, 200_000
    a = rng.normal(size=(n, d))
    b = 2.0 * rng.normal(size=(n, d)) + 3.0
    assert metrics.frechet_distance(a, b) == pytest.approx(4 * 9 + 4, rel=0.02)
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)


def test_authenticity_flags_copies():
    train = np.array([[0.0], [4.0], [10.0]])  # nearest-neighbour distances 4, 4, 6
    fake = np.array([[0.1], [7.0], [10.5], [30.0]])
    # 0.1: nearest train 0 at 0.1 < 4 -> copy; 7: nearest 4 at 3 < 4 -> copy; 10.5: 0.5 < 6 ->
    # copy; 30: 20 > 6 -> authentic.
    assert metrics.authenticity_score(train, fake) == pytest.approx(0.25)


def test_alpha_precision_is_perfect_for_same_distribution():
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=(3000, 3)), rng.normal(size=(3000, 3))
    out = metrics.alpha_precision_beta_recall(real, fake)
    assert out["alpha_precision"] > 0.9
    shifted = metrics.alpha_precision_beta_recall(real, fake * 0.2)  # too concentrated
    assert shifted["alpha_precision"] < out["alpha_precision"] - 0.2


def test_class_histogram_entropy():
    h = metrics.class_histogram([0, 1, 2, 3] * 5, 4)
    assert h["class_histogram"] == [0.25] * 4
    assert h["entropy"] == pytest.approx(np.log(4)) and h["normalized_entropy"] == pytest.approx(1)
    collapsed = metrics.class_histogram([2] * 10, 4)
    assert collapsed["entropy"] == 0 and collapsed["normalized_entropy"] == 0


def test_binary_table_reproduces_the_seed_shape():
    # D calls almost everything real: 97 of 100 real and 99 of 100 fake labelled real.
    truth = [True] * 100 + [False] * 100
    said_real = [True] * 97 + [False] * 3 + [True] * 99 + [False] * 1
    t = metrics.binary_classification_table(truth, said_real)
    assert t["accuracy"] == pytest.approx(98 / 200)
    assert t["precision"] == pytest.approx(97 / 196)
    assert t["recall"] == pytest.approx(0.97)
    assert t["f1"] == pytest.approx(2 * (97 / 196) * 0.97 / (97 / 196 + 0.97))
