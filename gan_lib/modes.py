"""Counting modes: how much of a distribution with known, separate modes a generator covers.

Mode collapse (a generator drawing only some kinds of data) is hard to see on images and easy to
count on data whose modes are known. The mode-collapse literature uses two such benchmarks, and
this module has both, computed as their authors' code computes them (pure NumPy; a classifier
passed to ``classify_stacked_mnist`` may run TensorFlow):

* **2-D toy mixtures** (``ring8``, ``grid25``): eight Gaussians on a circle (Metz et al., ICLR
  2017, "Unrolled GANs") and 25 on a 5 x 5 grid (Srivastava et al., NeurIPS 2017, "VEEGAN"; Lin
  et al., NeurIPS 2018, "PacGAN"). ``mode_coverage`` gives the modes covered and the share of
  high-quality samples. The mixtures themselves (``RING8_MEANS``, ``GRID25_STD``, ...; the
  samplers ``ring8``, ``grid25``) are defined in gan_lib/mixtures.py, which data.py serves as
  datasets too, and importable from here.
* **Stacked MNIST** (Metz et al. 2017; VEEGAN; PacGAN): three MNIST digits stacked as
  the three colour channels, so 10 x 10 x 10 = 1,000 modes. A digit classifier reads each
  channel (``classify_stacked``); ``stacked_mnist_modes`` counts the modes reached and the KL
  divergence of the mode histogram from the uniform one.

**Where the constants come from.** They were read from the authors' code; the papers' PDFs were
not available to check against, so where a paper's text and its code differ, the code wins here.

* PacGAN (github.com/fjxmlzn/PacGAN, commit 190853e, ``synthetic_data_experiments/2DRing_GAN&PacGAN
  /config.py`` and ``2DGrid_GAN&PacGAN/config.py``): ring means (cos(2 pi i/8), sin(2 pi i/8)),
  i = 0..7 (radius 1), variance 0.01^2 (std 0.01); grid means (i, j) for i, j in {-4, -2, 0, 2,
  4}, variance 0.05^2 (std 0.05).
* VEEGAN (github.com/akashgit/VEEGAN, ``VEEGAN_2D_RING.ipynb`` at commit 97f07b7, despite its name
  the grid): the same 25 means and std 0.05. Its project page (``index.md``) defines the metrics:
  "count a sample as high quality if it is within three standard deviations of the nearest mode
  ... the number of modes captured as the number of mixture components whose mean is nearest to
  at least one high quality sample", on 2,500 samples.
* Metz et al.'s own demo (github.com/poolio/unrolled_gan, ``Unrolled GAN demo.ipynb``) draws the
  ring with radius 1 and std 0.01, as PacGAN does (its ``np.linspace(0, 2 pi, 8)`` puts the first
  and last of its 8 means on the same point; the means here are 8 distinct ones, 45 degrees
  apart). Some descriptions of Metz et al.'s paper give the ring radius 2 and std 0.02; that
  could not be checked against the paper's text here, so the code's values are used.
* The metric itself, PacGAN's ``MetricLogger`` (``synthetic_data_experiments/PacGAN/pacgan/
  extensions.py``): each sample goes to the mode with the smallest standardised distance
  ||x - mu_k|| / sigma_k; it is high quality when that distance is < 3 (VEEGAN's notebook: <= 3
  sigma; a tie has probability 0); a mode counts once it holds at least one high-quality
  sample (``MIN_COUNT`` = 1, both papers' threshold).
* Stacked MNIST, PacGAN's ``stacked_MNIST_experiments/VEEGAN_experiment/model.py``
  (``log_metrics``): the classifier's digits of channels 0, 1, 2 form the mode; "mode coverage"
  is the number of distinct modes among the samples (26,000 in the authors' config) and "KL" is
  KL(p || uniform) = sum_k p_k log(p_k / (1/1000)) in nats, over the modes with p_k > 0.
"""
from __future__ import annotations

import numpy as np

from gan_lib.errors import ConfigError, DataError
from gan_lib.mixtures import (GRID25_MEANS, GRID25_STD, RING8_MEANS, RING8_RADIUS,  # noqa: F401
                              RING8_STD, as_generator, grid25, ring8, sample_mixture,
                              whole_number)

HIGH_QUALITY_STDS = 3.0  # a sample within 3 standard deviations of its mode is high quality
MIN_COUNT = 1  # high-quality samples a mode needs to count as covered (VEEGAN, PacGAN)
STACKED_MODES = 1000  # Stacked MNIST: 10 digits in each of 3 channels


# --- modes of a 2-D mixture ------------------------------------------------------------------

def _points(points, dims: int) -> np.ndarray:
    points = np.asarray(points)
    if points.dtype == object or not np.issubdtype(points.dtype, np.number):
        raise DataError(f"points must be numbers, got dtype {points.dtype}; pass a float array "
                        f"[N, {dims}]")
    if points.ndim != 2 or points.shape[1] != dims or len(points) == 0:
        raise DataError(f"points have shape {points.shape}, expected [N, {dims}] with N >= 1 "
                        "(one row per generated sample, as many columns as the means have)")
    points = points.astype(np.float64)
    bad = ~np.isfinite(points).all(axis=1)
    if bad.any():
        raise DataError(f"points has {bad.sum()} rows with NaN or infinite values (first: row "
                        f"{np.flatnonzero(bad)[0]}); the generator diverged, use an earlier "
                        "checkpoint")
    return points


def mode_coverage(points, means, std, min_count: int = MIN_COUNT,
                  threshold: float = HIGH_QUALITY_STDS) -> dict:
    """Modes covered and sample quality on a mixture with known modes (VEEGAN's metrics, as
    PacGAN's ``MetricLogger`` computes them).

    For each sample x: its mode is k* = argmin_k ||x - mu_k|| / sigma_k (with one common std,
    simply the nearest mean), and x is **high quality** when ||x - mu_k*|| / sigma_k* < threshold
    (3 standard deviations). counts[k] = number of high-quality samples whose mode is k.

    * ``modes``: the number of modes with counts[k] >= ``min_count`` (1 in both papers: a mode is
      covered once a single high-quality sample lands on it);
    * ``high_quality``: sum(counts) / N, the share of samples near some mode. A 2-D Gaussian
      sample lies within 3 std of its mean with probability 1 - exp(-9/2) = 0.9889, so that is
      what the real data scores, not 1.
    * ``counts``: the list counts[0..K-1], in the order of ``means``.

    ``std``: one number, or one per mode ([K]).
    """
    means = np.asarray(means, dtype=float)
    if means.ndim != 2 or len(means) == 0 or not np.isfinite(means).all():
        raise DataError(f"means have shape {means.shape}, expected a finite [K, D] array (e.g. "
                        "RING8_MEANS, GRID25_MEANS)")
    points = _points(points, means.shape[1])
    sigma = np.asarray(std, dtype=float)
    if sigma.ndim > 1 or sigma.size not in (1, len(means)) or not np.isfinite(sigma).all() \
            or (sigma <= 0).any():
        raise ConfigError(f"std must be a positive number or one per mode ({len(means)}), "
                          f"got {std!r}")
    sigma = np.broadcast_to(sigma.reshape(-1), (len(means),))
    min_count = whole_number(min_count, "min_count")
    if not isinstance(threshold, (int, float, np.number)) or not np.isfinite(threshold) \
            or threshold <= 0:
        raise ConfigError(f"threshold must be a positive number of standard deviations, got "
                          f"{threshold!r}")
    best = np.full(len(points), np.inf)  # smallest standardised distance so far
    mode = np.zeros(len(points), dtype=np.int64)
    for k, (mu, s) in enumerate(zip(means, sigma)):  # K passes over N points: O(N) memory
        z = np.sqrt(((points - mu) ** 2).sum(axis=1)) / s
        closer = z < best  # strict: the first of two equally near modes wins, as in PacGAN
        best[closer], mode[closer] = z[closer], k
    good = best < threshold
    counts = np.bincount(mode[good], minlength=len(means))
    return {"modes": int((counts >= min_count).sum()), "num_modes": int(len(means)),
            "high_quality": float(good.mean()), "counts": counts.tolist()}


# --- Stacked MNIST ---------------------------------------------------------------------------

def _digits(values, name: str, shape_text: str) -> np.ndarray:
    values = np.asarray(values)
    if not (np.issubdtype(values.dtype, np.integer) or values.size == 0):
        raise DataError(f"{name} must be whole numbers 0..9, got dtype {values.dtype}")
    if values.size and (values.min() < 0 or values.max() > 9):
        raise DataError(f"{name} must be digits 0..9, got values in [{values.min()}, "
                        f"{values.max()}]; {shape_text}")
    return values.astype(np.int64)


def stacked_mode_ids(digits_per_channel) -> np.ndarray:
    """[N] mode ids 100 a + 10 b + c of stacks whose channels 0, 1, 2 show the digits a, b, c
    (``digits_per_channel``: [N, 3] whole numbers 0..9). 0..999: the 1,000 Stacked MNIST modes."""
    digits = np.asarray(digits_per_channel)
    if digits.ndim != 2 or digits.shape[1] != 3:
        raise DataError(f"digits_per_channel has shape {digits.shape}, expected [N, 3]: the digit "
                        "in each of the three channels of each stack")
    digits = _digits(digits, "digits_per_channel", "one digit per channel")
    return digits @ np.array([100, 10, 1], dtype=np.int64)


def stacked_mnist_modes(ids, num_modes: int = STACKED_MODES) -> dict:
    """Modes reached and KL(p || uniform) of Stacked MNIST samples, as in PacGAN (Table 2/3).

    p_k = (samples with mode id k) / N. ``modes`` = #{k : p_k > 0}; ``kl`` = sum over those k of
    p_k log(p_k num_modes) (nats) = log(num_modes) - H(p): 0 when every mode is equally
    frequent, log(1000) = 6.91 when all samples share one mode. Note that N samples reach at
    most N modes, and even a perfect generator leaves some modes empty and p uneven when N is not
    much larger than 1,000 (PacGAN uses 26,000 samples). ``counts``: the [num_modes] histogram.
    """
    num_modes = whole_number(num_modes, "num_modes")
    ids = np.asarray(ids)
    if ids.ndim != 1 or len(ids) == 0:
        raise DataError(f"ids have shape {ids.shape}, expected [N] with N >= 1 (one mode id per "
                        "sample, from stacked_mode_ids or classify_stacked)")
    if not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0 or ids.max() >= num_modes:
        raise DataError(f"ids must be whole numbers 0..{num_modes - 1}, got {ids.dtype} in "
                        f"[{ids.min()}, {ids.max()}]")
    counts = np.bincount(ids, minlength=num_modes)
    p = counts[counts > 0] / len(ids)
    kl = float((p * np.log(p * num_modes)).sum())
    # KL >= 0 (Gibbs' inequality); max() only removes the -1e-16 a uniform p can round to
    return {"modes": int(len(p)), "kl": max(kl, 0.0), "counts": counts.tolist()}


def classify_stacked(images, classifier_fn) -> np.ndarray:
    """[N] mode ids of stacked images [N, H, W, 3]: ``classifier_fn`` (images [N, H, W, 1] ->
    [N] digits 0..9) reads each channel on its own, and the three digits make the id
    (``stacked_mode_ids``). The channel keeps the images' dtype and range (uint8 0..255 or floats
    in [-1, 1] for the kit's classifier)."""
    images = np.asarray(images)
    if images.ndim != 4 or images.shape[3] != 3:
        raise DataError(f"stacked images have shape {images.shape}, expected [N, H, W, 3]: three "
                        "single-digit images stacked as the colour channels")
    digits = np.empty((len(images), 3), dtype=np.int64)
    for c in range(3):
        predicted = np.asarray(classifier_fn(images[..., c:c + 1]))
        if predicted.shape != (len(images),):
            raise DataError(f"classifier_fn returned shape {predicted.shape} for {len(images)} "
                            "images; it must return one digit per image, shape [N]")
        digits[:, c] = _digits(predicted, "classifier_fn's predictions", "return class indices")
    return stacked_mode_ids(digits)


def classify_stacked_mnist(images, classifier) -> np.ndarray:
    """``classify_stacked`` with an MNIST ``classifier``, e.g. the kit's shipped one
    (``gan_lib.classifier.load_classifier("mnist")``, test accuracy 99.18%, checked at load):
    its ``predict`` reads uint8 or [-1, 1] channels, as ``evaluate_samples`` calls it. A stack
    is read right when all three digits are, about 0.992^3 = 97.6% of real stacks. (The
    classifier is passed in, not loaded here: this module stays below the data and the
    classifier, which import it.)"""
    return classify_stacked(images, classifier.predict)


def stacked_mnist(images, labels, n: int, rng=None):
    """(stacks [n, H, W, 3], mode ids [n]) of real Stacked MNIST: each channel an MNIST digit
    drawn uniformly with replacement, the three independently (PacGAN's ``load_mnist``).
    ``images``: [N, H, W] or [N, H, W, 1]; ``labels``: their [N] digits."""
    n, rng = whole_number(n), as_generator(rng)
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[3] == 1:
        images = images[..., 0]
    labels = np.asarray(labels)
    if images.ndim != 3 or labels.shape != (len(images),) or len(images) == 0:
        raise DataError(f"images have shape {images.shape} and labels {labels.shape}; pass "
                        "single-channel digits [N, H, W(, 1)] and their [N] labels")
    picks = rng.integers(0, len(images), size=(n, 3))
    return np.stack([images[picks[:, c]] for c in range(3)], axis=-1), \
        stacked_mode_ids(_digits(labels, "labels", "MNIST labels")[picks])
