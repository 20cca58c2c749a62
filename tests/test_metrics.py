"""Metrics against hand-computed cases and the published reference code's own outputs.

Reference numbers below were produced by the authors' code on the clouds written here:
``prdc.compute_prdc`` (prdc 0.2, Naeem et al.) for precision/recall/density/coverage, and
synthcity's ``AlphaPrecision.metrics`` (vanderschaarlab/synthcity 23f322f, the code of Alaa et al.
2022) for alpha-precision and beta-recall. benchmarks/eval_reference_values.py recomputes them.
"""
import numpy as np
import pytest

from gan_lib import metrics
from gan_lib.errors import ConfigError, DataError

# Four real points on a line and three generated ones; k = 1 keeps the hand computation short.
REAL = np.array([[0.0], [1.0], [2.0], [10.0]])
FAKE = np.array([[0.5], [9.0], [20.0]])

# Two hand-made 2-D clouds of 12 points: the generated one has three outliers and one far point.
CLOUD_REAL = np.array([[0.0, 0.0], [1.0, 0.2], [0.3, 1.1], [-0.8, 0.5], [-0.4, -0.9],
                       [0.9, -0.7], [2.1, 0.4], [-1.6, -0.3], [0.2, 2.3], [1.4, 1.5],
                       [-1.1, 1.7], [0.6, -1.8]])
CLOUD_FAKE = np.array([[0.1, 0.1], [0.8, 0.4], [0.5, 0.9], [-0.6, 0.3], [-0.2, -0.6],
                       [1.2, -0.4], [3.5, 0.2], [-2.9, -1.0], [0.0, 3.9], [0.4, 0.2],
                       [4.0, 4.0], [0.3, -0.2]])
# prdc.compute_prdc(CLOUD_REAL, CLOUD_FAKE, nearest_k=k)
PRDC_REFERENCE = {
    1: (0.6666666666666666, 0.9166666666666666, 1.6666666666666667, 0.5833333333333334),
    2: (0.6666666666666666, 0.9166666666666666, 1.4166666666666667, 0.8333333333333334),
    3: (0.8333333333333334, 0.9166666666666666, 1.1388888888888888, 1.0),
    5: (0.9166666666666666, 0.9166666666666666, 1.1666666666666667, 1.0),
}
# synthcity AlphaPrecision().metrics(CLOUD_REAL, CLOUD_FAKE): (Delta_precision_alpha,
# Delta_coverage_beta), and the curves times 12 (they are counts out of 12 points)
ALPHA_BETA_REFERENCE = (0.6013409961685823, 0.6626436781609195)
ALPHA_CURVE_X12 = [2, 2, 5, 5, 5, 5, 6, 6, 7, 7, 7] + [8] * 19
BETA_CURVE_X12 = [2] * 8 + [3, 3, 3, 4, 4, 4] + [5] * 5 + [6] * 8 + [7] * 3
COPY_REFERENCE = 0.9419540229885057  # both scores for (CLOUD_REAL, CLOUD_REAL.copy())


def test_knn_radii_by_hand():
    # nearest other real point: 0->1 (1), 1->0 or 2 (1), 2->1 (1), 10->2 (8)
    np.testing.assert_allclose(metrics.knn_radii(REAL, 1), [1, 1, 1, 8])
    # second nearest: 0->2 (2), 1->(0,2) (1), 2->0 (2), 10->1 (9)
    np.testing.assert_allclose(metrics.knn_radii(REAL, 2), [2, 1, 2, 9])
    # a duplicate is a neighbour at distance 0; the point itself is not
    np.testing.assert_allclose(metrics.knn_radii(np.array([[0.0], [0.0], [3.0]]), 1), [0, 0, 3])


def test_blocked_distances_match_direct():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(37, 5)), rng.normal(size=(23, 5))
    direct = np.linalg.norm(a[:, None] - b[None], axis=2)
    blocked = np.concatenate([d for _, d in metrics.pairwise_distances(a, b, block=8)])
    np.testing.assert_allclose(blocked, direct, atol=1e-9)
    assert np.allclose(metrics.knn_radii(a, 3, block=8), np.sort(
        np.linalg.norm(a[:, None] - a[None], axis=2), axis=1)[:, 3])
    dist, idx = metrics.nearest(a, b, block=8)
    np.testing.assert_array_equal(idx, direct.argmin(axis=1))
    np.testing.assert_allclose(dist, direct.min(axis=1), atol=1e-9)


def test_precision_recall_by_hand():
    # Real balls (k=1): [-1,1], [0,2], [1,3], [2,18]. Fake 0.5 in, 9 in (ball of 10), 20 out:
    # precision 2/3. Fake radii (k=1): 0.5->9 (8.5), 9->0.5 (8.5), 20->9 (11): balls
    # [-8,9], [0.5,17.5], [9,31]; real 0,1,2,10 are all inside one: recall 1.
    pr = metrics.precision_recall(REAL, FAKE, k=1)
    assert pr["precision"] == pytest.approx(2 / 3, abs=1e-15)
    assert pr["recall"] == pytest.approx(1.0, abs=1e-15)


def test_density_coverage_by_hand():
    # Fake 0.5 lies in the balls of real 0 and 1 ([-1,1], [0,2]); fake 9 in the ball of 10
    # ([2,18]); fake 20 in none: density = (2 + 1 + 0) / (1 * 3) = 1. Real balls holding a fake:
    # those of 0, 1 and 10 -> coverage 3/4.
    dc = metrics.density_coverage(REAL, FAKE, k=1)
    assert dc["density"] == pytest.approx(1.0, abs=1e-15)
    assert dc["coverage"] == pytest.approx(0.75, abs=1e-15)


@pytest.mark.parametrize("k", sorted(PRDC_REFERENCE))
def test_prdc_equals_the_reference_package(k):
    precision, recall, density, coverage = PRDC_REFERENCE[k]
    pr = metrics.precision_recall(CLOUD_REAL, CLOUD_FAKE, k)
    dc = metrics.density_coverage(CLOUD_REAL, CLOUD_FAKE, k)
    assert pr["precision"] == pytest.approx(precision, abs=1e-15)
    assert pr["recall"] == pytest.approx(recall, abs=1e-15)
    assert dc["density"] == pytest.approx(density, abs=1e-15)
    assert dc["coverage"] == pytest.approx(coverage, abs=1e-15)


def test_defaults_are_the_papers_k():
    import inspect

    assert inspect.signature(metrics.precision_recall).parameters["k"].default == 3
    assert inspect.signature(metrics.density_coverage).parameters["k"].default == 5


def test_a_point_on_the_boundary_is_outside():
    """The tie convention, chosen as prdc's: inside means distance < radius, strictly."""
    real = np.array([[0.0], [1.0], [2.0], [3.0]])  # k = 1 radii: all 1
    fake = np.array([[0.0], [1.5], [4.0]])  # 4.0 is exactly 1 from real 3.0: on the boundary
    assert metrics.precision_recall(real, fake, k=1)["precision"] == pytest.approx(2 / 3)
    # 0.0 lies in the balls of 0 only (1.0 is at distance 1 = its radius); 1.5 in those of 1, 2
    assert metrics.density_coverage(real, fake, k=1)["density"] == pytest.approx(3 / 3)
    # coverage: real 3.0's nearest sample is at distance 1 = its radius: not covered
    assert metrics.density_coverage(real, fake, k=1)["coverage"] == pytest.approx(3 / 4)


@pytest.mark.parametrize("k", [3, 5])
def test_an_exact_copy_has_density_one(k):
    # With '<' each real ball holds its own centre and its k - 1 nearest neighbours: k per ball,
    # so density = N k / (k N) = 1 exactly; '<=' would give (k + 1) / k.
    real = np.random.default_rng(k).normal(size=(500, 8))
    dc = metrics.density_coverage(real, real.copy(), k)
    assert dc["density"] == 1.0 and dc["coverage"] == 1.0


def test_frechet_distance_closed_form_exactly():
    # Rows +-a_i e_i: mean 0 and a diagonal sample covariance S_ii = 2 a_i^2 / (n - 1). The
    # samples 2 x + 3: mean 3, covariance 4 S.
    # FID = 9 d + sum_i (S + 4S - 2 sqrt(4 S^2)) = 9 d + tr S.
    a = np.array([1.0, 2.0, 0.5, 3.0])
    d = len(a)
    real = np.concatenate([np.diag(a), -np.diag(a)])
    s = 2 * a ** 2 / (2 * d - 1)
    assert metrics.frechet_distance(real, 2 * real + 3) == pytest.approx(9 * d + s.sum(), rel=1e-12)
    assert metrics.frechet_distance(real, real) == pytest.approx(0.0, abs=1e-12)


def test_frechet_distance_matches_symmetric_route():
    # Tr (S1 S2)^(1/2) = Tr (S1^(1/2) S2 S1^(1/2))^(1/2), computed with symmetric eigensolvers.
    rng = np.random.default_rng(0)
    x = rng.normal(size=(400, 6)) @ rng.normal(size=(6, 6))
    y = rng.normal(size=(300, 6)) @ rng.normal(size=(6, 6)) + 1.0

    def sym_sqrt(m):
        w, v = np.linalg.eigh(m)
        return (v * np.sqrt(np.clip(w, 0, None))) @ v.T

    s1, s2 = np.cov(x, rowvar=False), np.cov(y, rowvar=False)
    r1 = sym_sqrt(s1)
    expected = (((x.mean(0) - y.mean(0)) ** 2).sum() + np.trace(s1) + np.trace(s2)
                - 2 * np.trace(sym_sqrt(r1 @ s2 @ r1)))
    assert metrics.frechet_distance(x, y) == pytest.approx(expected, rel=1e-10)


def test_frechet_distance_refuses_a_large_imaginary_part(monkeypatch):
    from scipy import linalg

    real = np.random.default_rng(0).normal(size=(50, 3))
    monkeypatch.setattr(linalg, "sqrtm", lambda m, *a, **k: np.eye(len(m)) * (1 + 0.5j))
    with pytest.raises(DataError, match="imaginary part of 0.5"):
        metrics.frechet_distance(real, real)
    # a round-off imaginary part (below pytorch-fid's 1e-3) is dropped
    monkeypatch.setattr(linalg, "sqrtm", lambda m, *a, **k: np.eye(len(m)) * (1 + 1e-9j))
    assert metrics.frechet_distance(real, real) == pytest.approx(
        2 * np.trace(np.cov(real, rowvar=False)) - 6)


def test_alpha_precision_beta_recall_equal_the_authors_code():
    out = metrics.alpha_precision_beta_recall(CLOUD_REAL, CLOUD_FAKE)
    assert out["alpha_precision"] == pytest.approx(ALPHA_BETA_REFERENCE[0], abs=1e-15)
    assert out["beta_recall"] == pytest.approx(ALPHA_BETA_REFERENCE[1], abs=1e-15)
    np.testing.assert_allclose(np.array(out["alpha_curve"]) * 12, ALPHA_CURVE_X12, atol=1e-12)
    np.testing.assert_allclose(np.array(out["beta_curve"]) * 12, BETA_CURVE_X12, atol=1e-12)
    np.testing.assert_allclose(out["levels"], np.linspace(0, 1, 30))
    copy = metrics.alpha_precision_beta_recall(CLOUD_REAL, CLOUD_REAL.copy())
    assert copy["alpha_precision"] == pytest.approx(COPY_REFERENCE, abs=1e-15)
    assert copy["beta_recall"] == pytest.approx(COPY_REFERENCE, abs=1e-15)


def test_beta_recall_ranks_generators():
    """A copier scores 1 (up to the grid's quantile steps); a generator shrunk to half the spread
    covers only the inner quantiles and scores below an independent sample of the truth, which
    scores about 1/2: its nearest sample beats the nearest other real point half the time."""
    rng = np.random.default_rng(0)
    real = rng.normal(size=(2000, 8))
    score = lambda fake: metrics.alpha_precision_beta_recall(real, fake)["beta_recall"]  # noqa
    copier, truth, half = score(real.copy()), score(rng.normal(size=(2000, 8))), \
        score(0.5 * rng.normal(size=(2000, 8)))
    assert copier == pytest.approx(1.0, abs=5e-4)
    assert truth == pytest.approx(0.5, abs=0.03)
    assert half < truth - 0.1


def test_pure_noise_scores_zero_alpha_precision():
    rng = np.random.default_rng(0)
    real, noise = rng.normal(size=(300, 4)), 100 + rng.normal(size=(300, 4))
    out = metrics.alpha_precision_beta_recall(real, noise)
    assert out["alpha_precision"] == 0.0 and out["beta_recall"] == 0.0


def test_authenticity_flags_copies():
    train = np.array([[0.0], [4.0], [10.0]])  # nearest-neighbour distances 4, 4, 6
    fake = np.array([[0.1], [7.0], [10.5], [30.0]])
    # 0.1: nearest train 0 at 0.1 < 4 -> copy; 7: nearest 4 at 3 < 4 -> copy; 10.5: 0.5 < 6 ->
    # copy; 30: 20 > 6 -> authentic.
    assert metrics.authenticity_score(train, fake) == pytest.approx(0.25)
    copy, idx, dist = metrics.copy_flags(train, fake)
    assert copy.tolist() == [True, True, True, False] and idx.tolist() == [0, 1, 2, 2]
    np.testing.assert_allclose(dist, [0.1, 3, 0.5, 20])
    # a sample exactly at a training point's NN distance counts as a copy (d <= NN_1)
    # (16 is 6 from 10, whose own NN distance is 6), as in the authors' strict '<' for authentic
    assert metrics.copy_flags(train, np.array([[16.0], [16.5]]))[0].tolist() == [True, False]


def test_copy_detection_finds_copies_anywhere_in_a_large_training_set():
    rng = np.random.default_rng(0)
    train = rng.normal(size=(5000, 16))
    fake = np.concatenate([train[-100:] + 1e-3, rng.normal(size=(100, 16))])
    copy, idx, _ = metrics.copy_flags(train, fake)
    assert copy[:100].all() and idx[:100].tolist() == list(range(4900, 5000))
    assert copy[100:].mean() < 0.5  # fresh draws: mostly authentic (0.32 here)


def test_realism_score_by_hand():
    # k = 1 radii of the real line 0, 1, 2, 10: 1, 1, 1, 8; the median is 1, so 10's ball (8)
    # is dropped. R(f) = max_i r_i / (|f - r_i| + eps).
    real = np.array([[0.0], [1.0], [2.0], [10.0]])
    fake = np.array([[0.5], [1.0], [9.0]])
    eps = 1e-5
    expected = [1 / (0.5 + eps), 1 / eps, 1 / (7 + eps)]
    np.testing.assert_allclose(metrics.realism_scores(real, fake, k=1), expected, rtol=1e-12)



def test_one_pass_equals_the_separate_metrics_bit_for_bit():
    rng = np.random.default_rng(3)
    real, fake = rng.normal(size=(1500, 8)), 0.9 * rng.normal(size=(1300, 8)) + 0.1
    fused = metrics.knn_metrics(real, fake, k=3, k_density=5)
    separate = {**metrics.precision_recall(real, fake, 3),
                **metrics.density_coverage(real, fake, 5),
                **metrics.alpha_precision_beta_recall(real, fake)}
    for key in ("precision", "recall", "density", "coverage", "alpha_precision", "beta_recall",
                "alpha_curve", "beta_curve"):
        assert fused[key] == separate[key], key
    np.testing.assert_array_equal(fused["realism"], metrics.realism_scores(real, fake, 3))
    exact = metrics.knn_metrics(CLOUD_REAL, CLOUD_FAKE, k=3, k_density=5)
    assert (exact["precision"], exact["density"]) == (PRDC_REFERENCE[3][0], PRDC_REFERENCE[5][2])

# --- bad input: one clear error, never a silent number ---------------------------------------

GOOD = np.random.default_rng(0).normal(size=(20, 3))
METRIC_CALLS = {
    "precision_recall": lambda r, f, **kw: metrics.precision_recall(r, f, **kw),
    "density_coverage": lambda r, f, **kw: metrics.density_coverage(r, f, **kw),
    "realism_scores": lambda r, f, **kw: metrics.realism_scores(r, f, **kw),
    "alpha_beta": lambda r, f, **kw: metrics.alpha_precision_beta_recall(r, f),
    "frechet": lambda r, f, **kw: metrics.frechet_distance(r, f),
    "authenticity": lambda r, f, **kw: metrics.authenticity_score(r, f),
}


def _with(value, row=3):
    x = GOOD.copy()
    x[row, 1] = value
    return x


@pytest.mark.parametrize("name", METRIC_CALLS)
@pytest.mark.parametrize("real, fake, error, message", [
    (_with(np.nan), GOOD, DataError, "NaN or infinite"),
    (GOOD, _with(np.inf, row=0), DataError, "NaN or infinite"),
    (GOOD, GOOD[:, :2], DataError, "3 dimensions, generated ones 2"),
    (GOOD[:, 0], GOOD, DataError, "2-D array"),
    (GOOD, GOOD[:0], DataError, "0 rows"),
    (GOOD, np.array([["a", "b", "c"]] * 20), DataError, "must be numbers"),
])
def test_bad_features_are_refused(name, real, fake, error, message):
    with pytest.raises(error, match=message):
        METRIC_CALLS[name](real, fake)


@pytest.mark.parametrize("name", ["precision_recall", "density_coverage", "realism_scores"])
@pytest.mark.parametrize("k, n, error, message", [
    (0, 20, ConfigError, "k must be a whole number >= 1"),
    (-1, 20, ConfigError, "k must be"),
    (2.5, 20, ConfigError, "k must be"),
    (3, 3, DataError, "has 3 points, too few for k = 3"),
    (1, 1, DataError, "has 1 points, too few for k = 1"),
])
def test_k_and_too_few_samples_are_refused(name, k, n, error, message):
    with pytest.raises(error, match=message):
        METRIC_CALLS[name](GOOD, GOOD[:n], k=k)
    if n < 20:  # too few real points too
        with pytest.raises(error, match=message):
            METRIC_CALLS[name](GOOD[:n], GOOD, k=k)


@pytest.mark.parametrize("name", ["alpha_beta", "frechet", "authenticity"])
def test_single_samples_are_refused(name):
    with pytest.raises(DataError, match="too few|at least"):
        METRIC_CALLS[name](GOOD[:1], GOOD[:1])


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
