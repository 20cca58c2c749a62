"""Kernel inception distance (Binkowski et al. 2018): the unbiased MMD^2 against explicit loops,
the subset averaging against torch-fidelity's algorithm, its expectation against a closed form,
and KID in evaluate_samples' report."""
import math

import numpy as np
import pytest

from gan_lib import metrics
from gan_lib.errors import ConfigError, DataError

# 4 real points and 5 generated ones in 3 dimensions, written out
X = np.array([[0.5, -1.0, 2.0], [1.5, 0.0, -0.5], [-1.0, 1.0, 1.0], [0.0, 2.0, -1.5]])
Y = np.array([[1.0, 1.0, 0.0], [-0.5, 0.5, 2.5], [2.0, -1.0, 1.0], [0.0, -2.0, 0.5],
              [1.0, 0.5, -1.0]])


def loop_kernel(a, b):
    """k(a, b) = (a.b / d + 1)^3, the dot product as a loop over coordinates."""
    dot = 0.0
    for ai, bi in zip(a, b):
        dot += ai * bi
    return (dot / len(a) + 1.0) ** 3


def loop_mmd2_unbiased(x, y):
    """Gretton et al. 2012, Lemma 6, one term at a time."""
    m, n = len(x), len(y)
    xx = sum(loop_kernel(x[i], x[j]) for i in range(m) for j in range(m) if i != j)
    yy = sum(loop_kernel(y[i], y[j]) for i in range(n) for j in range(n) if i != j)
    xy = sum(loop_kernel(x[i], y[j]) for i in range(m) for j in range(n))
    return xx / (m * (m - 1)) + yy / (n * (n - 1)) - 2.0 * xy / (m * n)


# torch-fidelity 0.4.0, torch_fidelity/metric_kid.py (github.com/toshas/torch-fidelity, commit
# 5e211a9), written out with its defaults: kernel_poly(degree 3, gamma 1/d, coef0 1),
# mmd2(mmd_est="unbiased") and the loop of kid_features_to_metric
def tf_kernel_poly(X, Y):
    gamma = 1.0 / X.shape[1]
    return (np.matmul(X, Y.T) * gamma + 1) ** 3


def tf_mmd2(K_XX, K_XY, K_YY):
    m = K_XX.shape[0]
    diag_X, diag_Y = np.diagonal(K_XX), np.diagonal(K_YY)
    Kt_XX_sum = (K_XX.sum(axis=1) - diag_X).sum()
    Kt_YY_sum = (K_YY.sum(axis=1) - diag_Y).sum()
    K_XY_sum = K_XY.sum(axis=0).sum()
    return (Kt_XX_sum + Kt_YY_sum) / (m * (m - 1)) - 2 * K_XY_sum / (m * m)


def tf_kid_features_to_metric(features_1, features_2, kid_subsets, kid_subset_size, rng_seed):
    n_samples_1, n_samples_2 = len(features_1), len(features_2)
    mmds = np.zeros(kid_subsets)
    rng = np.random.RandomState(rng_seed)
    for i in range(kid_subsets):
        f1 = features_1[rng.choice(n_samples_1, kid_subset_size, replace=False)]
        f2 = features_2[rng.choice(n_samples_2, kid_subset_size, replace=False)]
        mmds[i] = tf_mmd2(tf_kernel_poly(f1, f1), tf_kernel_poly(f1, f2),
                          tf_kernel_poly(f2, f2))
    return {"kid": float(np.mean(mmds)), "kid_std": float(np.std(mmds))}


# --- (a) the unbiased MMD^2 --------------------------------------------------------------------

def test_polynomial_kernel_matches_the_formula():
    k = metrics.polynomial_kernel(X, Y)
    assert k.shape == (4, 5)
    for i in range(4):
        for j in range(5):
            assert k[i, j] == pytest.approx(loop_kernel(X[i], Y[j]), rel=1e-14)
    # by hand: x0.x0 = 0.25 + 1 + 4 = 5.25, / 3 = 1.75, (1.75 + 1)^3 = 20.796875
    assert metrics.polynomial_kernel(X[:1], X[:1])[0, 0] == pytest.approx(20.796875, rel=1e-15)


def test_mmd2_unbiased_matches_explicit_double_loops():
    expected = loop_mmd2_unbiased(X, Y)
    assert abs(metrics.mmd2_unbiased(X, Y) - expected) < 1e-10
    assert abs(metrics.mmd2_unbiased(Y, X) - expected) < 1e-10  # symmetric in the two sets
    # a value far from 0 (the test would see a sign or factor error), and the diagonals left out:
    # with them (the biased V-statistic) the number differs
    assert abs(expected) > 0.1
    biased = (sum(loop_kernel(a, b) for a in X for b in X) / 16
              + sum(loop_kernel(a, b) for a in Y for b in Y) / 25
              - 2 * sum(loop_kernel(a, b) for a in X for b in Y) / 20)
    assert abs(biased - expected) > 0.1


def test_mmd2_unbiased_of_equal_sizes_is_torch_fidelitys_mmd2():
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((30, 7)), rng.standard_normal((30, 7)) + 0.2
    ours = metrics.mmd2_unbiased(x, y)
    assert ours == pytest.approx(tf_mmd2(tf_kernel_poly(x, x), tf_kernel_poly(x, y),
                                         tf_kernel_poly(y, y)), rel=1e-12, abs=1e-15)
    assert ours == pytest.approx(loop_mmd2_unbiased(x, y), rel=1e-12, abs=1e-15)


def test_mmd2_on_unit_features_matches_exact_arithmetic():
    """L2-normalised features in 128 dimensions (the kit's space): k is within 1/d of 1 and
    MMD^2 small; the estimate equals the same sums done in exact rational arithmetic."""
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((40, 128)), rng.standard_normal((40, 128))
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    y /= np.linalg.norm(y, axis=1, keepdims=True)
    from fractions import Fraction

    def exact(a, b, skip_diagonal):  # k = (t + 1)^3, summed as exact rationals of the float t
        total = Fraction(0)
        for i in range(len(a)):
            for j in range(len(b)):
                if skip_diagonal and i == j:
                    continue
                t = Fraction(float(a[i] @ b[j])) / 128
                total += (t + 1) ** 3
        return total

    value = (exact(x, x, True) / (40 * 39) + exact(y, y, True) / (40 * 39)
             - 2 * exact(x, y, False) / 1600)
    assert metrics.mmd2_unbiased(x, y) == pytest.approx(float(value), rel=1e-9)


# --- (b) the subset average, as torch-fidelity draws it --------------------------------------

def test_kid_reproduces_torch_fidelitys_subset_loop():
    rng = np.random.default_rng(2)
    real, fake = rng.standard_normal((60, 6)), 0.8 * rng.standard_normal((45, 6)) + 0.3
    ours = metrics.kernel_inception_distance(real, fake, subsets=9, subset_size=20, seed=7)
    # torch-fidelity called the usual way: input1 = generated, input2 = real
    reference = tf_kid_features_to_metric(fake, real, 9, 20, 7)
    assert ours["kid"] == pytest.approx(reference["kid"], rel=1e-11)
    assert ours["kid_std"] == pytest.approx(reference["kid_std"], rel=1e-9)
    # the pin is sensitive to the draws: real drawn first, or another seed, gives other numbers
    swapped = tf_kid_features_to_metric(real, fake, 9, 20, 7)
    assert abs(swapped["kid"] - ours["kid"]) > 1e-3 * abs(ours["kid"])
    assert metrics.kernel_inception_distance(real, fake, 9, 20, seed=8)["kid"] != ours["kid"]
    assert metrics.kernel_inception_distance(real, fake, 9, 20, seed=7) == ours  # deterministic


def test_clean_fids_per_subset_formula_is_the_same_estimate():
    """clean-fid's kernel_distance (cleanfid/fid.py, commit e88c4d6) sums one subset as
    ((a.sum() - diag a) / (m - 1) - 2 b.sum() / m) / m with a = K_xx + K_yy and b = K_xy."""
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((25, 5)), rng.standard_normal((25, 5)) * 1.3
    n, m = x.shape[1], len(x)
    a = (x @ x.T / n + 1) ** 3 + (y @ y.T / n + 1) ** 3
    b = (x @ y.T / n + 1) ** 3
    clean_fid = ((a.sum() - np.diag(a).sum()) / (m - 1) - b.sum() * 2 / m) / m
    assert metrics.mmd2_unbiased(x, y) == pytest.approx(clean_fid, rel=1e-12)


def test_whole_sets_as_the_subset_give_the_full_estimate():
    """With subsets as large as the sets every draw is a permutation: each subset's MMD^2 is
    that of the whole sets (the hand-checked double loop), and the spread over subsets is 0."""
    kid = metrics.kernel_inception_distance(X, Y[:4], subsets=5, subset_size=1000)
    assert kid["kid"] == pytest.approx(loop_mmd2_unbiased(X, Y[:4]), rel=1e-12)
    assert kid["kid_std"] == pytest.approx(0.0, abs=1e-12)


def test_defaults_are_the_reference_ones():
    import inspect

    params = inspect.signature(metrics.kernel_inception_distance).parameters
    assert params["subsets"].default == 100 and params["subset_size"].default == 1000
    assert params["seed"].default == 0


# --- (c) what the numbers mean ---------------------------------------------------------------

def closed_form_mmd2(a, d):
    """E MMD^2_u for x ~ N(0, I_d), y ~ N(mu, I_d), |mu|^2 = a, cubic kernel: E k_xx = 1 + 3/d,
    E k_yy = 1 + 3a/d + 3(a^2 + 2a + d)/d^2 + (a^3 + 6a^2 + 3ad + 6a)/d^3, E k_xy = 1 +
    3(a + d)/d^2 (odd moments of the zero-mean parts vanish), so
    MMD^2 = 3a/d + 3a^2/d^2 + (a^3 + 6a^2 + 3ad + 6a)/d^3."""
    return 3 * a / d + 3 * a * a / d ** 2 + (a ** 3 + 6 * a * a + 3 * a * d + 6 * a) / d ** 3


def test_same_distribution_is_near_zero_and_a_shift_matches_the_closed_form():
    d = 16
    rng = np.random.default_rng(6)
    sample = rng.standard_normal((4000, d))
    same = metrics.kernel_inception_distance(sample[:2000], sample[2000:], subsets=25)
    assert abs(same["kid"]) < 0.012  # ~4 standard errors of the null (sd ~0.0025)
    assert 0 < same["kid_std"] < 0.01
    shifted = metrics.kernel_inception_distance(sample[:2000], sample[2000:] + 0.5, subsets=25)
    expected = closed_form_mmd2(d * 0.25, d)  # 1.029
    assert shifted["kid"] == pytest.approx(expected, rel=0.15)  # unbiased: its mean is this
    assert shifted["kid"] > 50 * 0.012
    assert closed_form_mmd2(0.0, d) == 0.0


# --- bad input -------------------------------------------------------------------------------

@pytest.mark.parametrize("real, fake, error, message", [
    (np.zeros((10, 3)), np.zeros((10, 4)), DataError, "3 dimensions, generated ones 4"),
    (np.zeros((1, 3)), np.zeros((10, 3)), DataError, "has 1 rows, needs at least 2"),
    (np.full((10, 3), np.nan), np.zeros((10, 3)), DataError, "NaN or infinite"),
    (np.zeros(10), np.zeros((10, 3)), DataError, "must be a 2-D array"),
])
def test_bad_features_are_refused(real, fake, error, message):
    with pytest.raises(error, match=message):
        metrics.kernel_inception_distance(real, fake)


@pytest.mark.parametrize("kwargs, message", [
    ({"subsets": 0}, "subsets must be a whole number >= 1"),
    ({"subset_size": 1}, "subset_size must be a whole number >= 2"),
    ({"subset_size": 2.5}, "subset_size must be a whole number >= 2"),
])
def test_bad_options_are_refused(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        metrics.kernel_inception_distance(np.zeros((5, 2)), np.ones((5, 2)), **kwargs)


# --- (d) in the evaluation report ------------------------------------------------------------

def test_evaluate_samples_reports_kid_from_the_fid_features():
    from gan_lib.classifier import load_classifier
    from gan_lib.data import load_dataset
    from gan_lib.evaluate import evaluate_samples

    classifier = load_classifier("mnist")
    test = load_dataset("mnist", "test")
    samples, reference = test.images[:500], test.images[5000:5600]
    report = evaluate_samples("mnist", samples, classifier=classifier, reference=reference)
    assert math.isfinite(report["kid"]) and math.isfinite(report["kid_std"])
    assert report["kid_std"] >= 0
    # 600 reference images are all used (n_reference = 600), in order: the same real features
    # feed FID and KID, and KID's subsets are drawn with the report's seed (0)
    assert report["n_reference"] == 600
    real, fake = classifier.embed(reference), classifier.embed(samples)
    assert report["fid"] == pytest.approx(metrics.frechet_distance(real, fake), rel=1e-9)
    assert report["kid"] == pytest.approx(
        metrics.kernel_inception_distance(real, fake, seed=0)["kid"], rel=1e-9)
    noise = np.random.default_rng(0).integers(0, 256, (500, 28, 28, 1), dtype=np.uint8)
    bad = evaluate_samples("mnist", noise, classifier=classifier, reference=reference)
    # held-out digits: KID near 0 (1.2e-4 for these 500); noise: far from the digits (1.6e-2)
    assert abs(report["kid"]) < 5e-4
    assert bad["kid"] > 20 * max(abs(report["kid"]), report["kid_std"], 1e-4)
