"""Mode counting (gan_lib.modes): the toy mixtures' constants, mode coverage on point sets with a
known answer and against PacGAN's own loop, Stacked MNIST ids and KL by hand, and the shipped
classifier reading real stacked digits."""
import math
import subprocess
import sys

import numpy as np
import pytest

from gan_lib import modes
from gan_lib.errors import ConfigError, DataError


# --- the mixtures ------------------------------------------------------------------------------

def test_constants_are_the_authors():
    """PacGAN's config.py files (fjxmlzn/PacGAN, commit 190853e); VEEGAN's notebook (grid)."""
    assert modes.RING8_MEANS.shape == (8, 2) and modes.GRID25_MEANS.shape == (25, 2)
    for i in range(8):
        angle = 2 * math.pi * i / 8
        assert modes.RING8_MEANS[i] == pytest.approx([math.cos(angle), math.sin(angle)],
                                                     abs=1e-15)
    assert modes.RING8_STD == 0.01 and modes.GRID25_STD == 0.05
    expected = [(i, j) for i in (-4, -2, 0, 2, 4) for j in (-4, -2, 0, 2, 4)]
    assert [tuple(m) for m in modes.GRID25_MEANS.tolist()] == expected
    assert modes.HIGH_QUALITY_STDS == 3.0 and modes.MIN_COUNT == 1
    assert modes.STACKED_MODES == 1000


@pytest.mark.parametrize("sampler, means, std", [
    (modes.ring8, modes.RING8_MEANS, modes.RING8_STD),
    (modes.grid25, modes.GRID25_MEANS, modes.GRID25_STD),
])
def test_samples_of_the_mixture_score_as_real_data(sampler, means, std):
    """100,000 samples reach every mode about equally; each lies within 3 std of its mean with
    the 2-D Gaussian probability P(chi^2_2 < 9) = 1 - exp(-9/2) = 0.98889 (sd 0.0003 here), and
    their spread around the mean is ``std``."""
    points = sampler(100_000, np.random.default_rng(0))
    assert points.shape == (100_000, 2) and points.dtype == np.float64
    np.testing.assert_array_equal(points, sampler(100_000, 0))  # a seed works as the rng
    report = modes.mode_coverage(points, means, std)
    assert report["modes"] == len(means) == report["num_modes"]
    assert report["high_quality"] == pytest.approx(1 - math.exp(-4.5), abs=0.0015)
    share = np.array(report["counts"]) / sum(report["counts"])
    assert np.abs(share - 1 / len(means)).max() < 0.01
    nearest = np.argmin(((points[:, None, :] - means[None]) ** 2).sum(-1), axis=1)
    assert (points - means[nearest]).std() == pytest.approx(std, rel=0.01)


# --- mode coverage with known answers -----------------------------------------------------------

def test_three_of_eight_modes_plus_far_points():
    means = modes.RING8_MEANS
    points = np.concatenate([np.repeat(means[[0, 2, 5]], 25, axis=0), np.full((10, 2), 10.0)])
    report = modes.mode_coverage(points, means, modes.RING8_STD)
    assert report["modes"] == 3
    assert report["high_quality"] == pytest.approx(75 / 85, rel=1e-15)
    assert report["counts"] == [25, 0, 25, 0, 0, 25, 0, 0]


def test_three_standard_deviations_is_the_edge():
    std, means = modes.GRID25_STD, modes.GRID25_MEANS
    direction = np.array([0.6, 0.8])  # a unit vector
    inside = means[7] + 2.999 * std * direction
    outside = means[7] + 3.001 * std * direction
    report = modes.mode_coverage(np.stack([inside, outside]), means, std)
    assert report["counts"][7] == 1 and sum(report["counts"]) == 1
    assert report["high_quality"] == 0.5 and report["modes"] == 1
    assert modes.mode_coverage(outside[None], means, std)["modes"] == 0
    # a wider threshold takes both
    assert modes.mode_coverage(np.stack([inside, outside]), means, std,
                               threshold=3.01)["counts"][7] == 2


def test_min_count():
    means = modes.RING8_MEANS
    points = np.concatenate([np.repeat(means[[1]], 5, axis=0), means[[4]]])
    assert modes.mode_coverage(points, means, 0.01)["modes"] == 2
    assert modes.mode_coverage(points, means, 0.01, min_count=2)["modes"] == 1
    assert modes.mode_coverage(points, means, 0.01, min_count=6)["modes"] == 0


def test_modes_are_chosen_by_standardised_distance():
    """Means (0, 0) with std 1 and (3, 0) with std 0.1: the point (2.5, 0) is nearer the second
    mean (0.5 against 2.5) but 5 of its std away, and only 2.5 std from the first."""
    means, std = np.array([[0.0, 0.0], [3.0, 0.0]]), np.array([1.0, 0.1])
    report = modes.mode_coverage(np.array([[2.5, 0.0]]), means, std)
    assert report["counts"] == [1, 0] and report["high_quality"] == 1.0
    report = modes.mode_coverage(np.array([[2.75, 0.0]]), means, std)  # 2.75 vs 2.5 std
    assert report["counts"] == [0, 1]


def pacgan_metric_logger(points, means, variances, dis_thre=3):
    """PacGAN's MetricLogger.do, the mode-mapping loop (synthetic_data_experiments/PacGAN/pacgan/
    extensions.py, commit 190853e), written out."""
    detail_of_coverage = np.zeros(len(means))
    for i in range(points.shape[0]):
        min_dis, min_dis_j = 10000000, -1
        for j in range(len(means)):
            dis_vector = np.array(points[i, :], dtype=float) - np.array(means[j], dtype=float)
            variance_vector = np.array(np.diag(variances[j]), dtype=float)
            dis = math.sqrt(np.sum((dis_vector * dis_vector) / variance_vector))
            if dis < min_dis:
                min_dis, min_dis_j = dis, j
        if min_dis < dis_thre:
            detail_of_coverage[min_dis_j] += 1
    mode_coverage = float(len(np.nonzero(detail_of_coverage)[0]))
    good_points_percentage = float(np.sum(detail_of_coverage)) / float(points.shape[0])
    return mode_coverage, good_points_percentage, detail_of_coverage


@pytest.mark.parametrize("means, std", [
    (modes.RING8_MEANS, modes.RING8_STD),
    (modes.GRID25_MEANS, modes.GRID25_STD),
])
def test_mode_coverage_is_pacgans_metric_logger(means, std):
    """A generator that misses modes and spreads too wide: 600 points, half near 3 modes at
    2.5 std, half anywhere in the square; PacGAN's loop and this agree point for point."""
    rng = np.random.default_rng(1)
    near = means[rng.choice(3, 300)] + 2.5 * std * rng.standard_normal((300, 2))
    points = np.concatenate([near, rng.uniform(-5, 5, (300, 2))])
    covered, good, detail = pacgan_metric_logger(points, list(means),
                                                 [std ** 2 * np.eye(2)] * len(means))
    report = modes.mode_coverage(points, means, std)
    assert report["modes"] == covered and report["high_quality"] == good
    assert report["counts"] == detail.astype(int).tolist()
    assert 3 <= report["modes"] < len(means) and 0.2 < report["high_quality"] < 0.5


@pytest.mark.parametrize("call, error, message", [
    (lambda: modes.mode_coverage(np.zeros((4, 3)), modes.RING8_MEANS, 0.01), DataError,
     r"shape \(4, 3\), expected \[N, 2\]"),
    (lambda: modes.mode_coverage(np.zeros((0, 2)), modes.RING8_MEANS, 0.01), DataError,
     "N >= 1"),
    (lambda: modes.mode_coverage(np.full((3, 2), np.nan), modes.RING8_MEANS, 0.01), DataError,
     "3 rows with NaN"),
    (lambda: modes.mode_coverage(np.zeros((3, 2)), modes.RING8_MEANS, 0.0), ConfigError,
     "std must be a positive number"),
    (lambda: modes.mode_coverage(np.zeros((3, 2)), modes.RING8_MEANS, [0.1, 0.2]), ConfigError,
     r"one per mode \(8\)"),
    (lambda: modes.mode_coverage(np.zeros((3, 2)), modes.RING8_MEANS, 0.01, min_count=0),
     ConfigError, "min_count must be a whole number >= 1"),
    (lambda: modes.ring8(0), ConfigError, "n must be a whole number >= 1"),
    (lambda: modes.grid25(5, rng="seed"), ConfigError, "rng must be a numpy Generator"),
])
def test_bad_input_is_refused(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- Stacked MNIST ---------------------------------------------------------------------------

def test_stacked_mode_ids():
    ids = modes.stacked_mode_ids([[1, 2, 3], [0, 0, 0], [9, 9, 9], [0, 4, 7], [7, 0, 0]])
    assert ids.tolist() == [123, 0, 999, 47, 700]
    with pytest.raises(DataError, match=r"shape \(2, 2\), expected \[N, 3\]"):
        modes.stacked_mode_ids([[1, 2], [3, 4]])
    with pytest.raises(DataError, match="digits 0..9"):
        modes.stacked_mode_ids([[1, 2, 10]])
    with pytest.raises(DataError, match="whole numbers 0..9"):
        modes.stacked_mode_ids([[1.0, 2.0, 3.0]])


def test_kl_to_uniform_by_hand():
    uniform = modes.stacked_mnist_modes(np.repeat(np.arange(1000), 2))
    assert uniform["modes"] == 1000 and uniform["kl"] == pytest.approx(0.0, abs=1e-12)
    collapsed = modes.stacked_mnist_modes(np.full(500, 321))
    assert collapsed["modes"] == 1 and collapsed["kl"] == pytest.approx(math.log(1000), rel=1e-14)
    assert collapsed["counts"][321] == 500 and sum(collapsed["counts"]) == 500
    # 3 samples of mode 5 and 1 of mode 7: 0.75 log(0.75 * 1000) + 0.25 log(0.25 * 1000)
    two = modes.stacked_mnist_modes(np.array([5, 7, 5, 5]))
    assert two["modes"] == 2
    assert two["kl"] == pytest.approx(0.75 * math.log(750) + 0.25 * math.log(250), rel=1e-14)
    # PacGAN's own KLD (JSD.KLD in stacked_MNIST_experiments/VEEGAN_experiment/model.py)
    p = np.zeros(1000)
    p[[5, 7]] = [3, 1]
    p = p / p.sum()
    q = [1.0 / 1000.0] * 1000
    assert two["kl"] == pytest.approx(sum(_p * math.log(_p / _q) for _p, _q in zip(p, q)
                                          if _p != 0), rel=1e-14)
    with pytest.raises(DataError, match="whole numbers 0..999"):
        modes.stacked_mnist_modes(np.array([0, 1000]))
    with pytest.raises(DataError, match=r"expected \[N\]"):
        modes.stacked_mnist_modes(np.zeros((2, 2), int))


def test_classify_stacked_reads_each_channel_in_order():
    """A stand-in classifier that reads the digit off the channel's pixel value."""
    digits = np.array([[1, 2, 3], [9, 0, 4], [5, 5, 5]])
    images = np.broadcast_to(digits[:, None, None, :], (3, 28, 28, 3)).astype(np.uint8)
    seen = []

    def by_value(channel):
        seen.append(channel.shape)
        return channel[:, 0, 0, 0].astype(np.int64)

    assert modes.classify_stacked(images, by_value).tolist() == [123, 904, 555]
    assert seen == [(3, 28, 28, 1)] * 3
    with pytest.raises(DataError, match="one digit per image"):
        modes.classify_stacked(images, lambda c: np.zeros((len(c), 10)))
    with pytest.raises(DataError, match=r"expected \[N, H, W, 3\]"):
        modes.classify_stacked(images[..., :1], by_value)


def test_the_shipped_classifier_reads_real_stacked_digits():
    from gan_lib.classifier import load_classifier
    from gan_lib.data import load_dataset

    test = load_dataset("mnist", "test")
    stacks, true_ids = modes.stacked_mnist(test.images, test.labels, 300, np.random.default_rng(0))
    assert stacks.shape == (300, 28, 28, 3) and stacks.dtype == np.uint8
    # the stacks hold real test digits with the ids of their labels
    assert set(true_ids.tolist()) <= set(range(1000)) and len(set(true_ids.tolist())) > 200
    ids = modes.classify_stacked_mnist(stacks, load_classifier("mnist"))
    agreement = (ids == true_ids).mean()
    # a stack is right when its 3 digits are: about 0.992^3 = 97.6% (this draw: 97.0%, 9 of
    # 300 stacks with a misread digit); digit by digit, the classifier's own accuracy
    assert agreement >= 0.97, agreement
    digits = [(ids // 10 ** p) % 10 == (true_ids // 10 ** p) % 10 for p in (2, 1, 0)]
    assert np.mean(digits) >= 0.985
    report = modes.stacked_mnist_modes(ids)
    assert report["modes"] == len(set(ids.tolist()))


def test_no_tensorflow_at_import():
    code = "import sys, gan_lib.modes; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]
