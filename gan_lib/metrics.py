"""Sample-quality metrics, computed on embeddings (see classifier.py) with NumPy.

``real`` is an [N, D] array of embeddings of real images, ``fake`` an [M, D] array of generated
ones. Distances are computed in blocks of rows, so memory stays at O(block x N), never N x N x D.

Which real images? The **training** images are the reference: they are what the generator was
fitted to, and authenticity asks precisely whether samples copy *training* images. Held-out test
images, scored as if they were samples, show what a perfect generator would get.
"""
from __future__ import annotations

import numpy as np

BLOCK = 1024


def _sq_norms(x):
    return np.einsum("ij,ij->i", x, x)


def pairwise_distances(a, b, block: int = BLOCK):
    """Yield (start, distances[a_block, b]) blocks of Euclidean distances."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    b_norms = _sq_norms(b)
    for start in range(0, len(a), block):
        chunk = a[start:start + block]
        d2 = _sq_norms(chunk)[:, None] + b_norms[None, :] - 2.0 * chunk @ b.T
        yield start, np.sqrt(np.maximum(d2, 0.0))


def knn_radii(x, k: int = 3, block: int = BLOCK) -> np.ndarray:
    """Distance from each point of ``x`` to its k-th nearest *other* point of ``x``."""
    radii = np.empty(len(x))
    for start, d in pairwise_distances(x, x, block):
        rows = np.arange(len(d))
        d[rows, start + rows] = np.inf  # a point is not its own neighbour
        radii[start:start + len(d)] = np.partition(d, k - 1, axis=1)[:, k - 1]
    return radii


def _within_balls(points, centres, radii, block: int = BLOCK) -> np.ndarray:
    """For each point: how many of the balls B(centre_i, radius_i) contain it."""
    counts = np.zeros(len(points), dtype=np.int64)
    for start, d in pairwise_distances(points, centres, block):
        counts[start:start + len(d)] = (d <= radii[None, :]).sum(axis=1)
    return counts


def precision_recall(real, fake, k: int = 3) -> dict:
    """Improved precision and recall (Kynkaanniemi et al., NeurIPS 2019).

    The real manifold is the union of balls around each real embedding reaching its k-th nearest
    real neighbour; likewise for the generated manifold. **Precision** is the fraction of
    generated samples inside the real manifold (are samples realistic?); **recall** the fraction
    of real samples inside the generated manifold (is all of the data covered?).
    """
    precision = (_within_balls(fake, real, knn_radii(real, k)) > 0).mean()
    recall = (_within_balls(real, fake, knn_radii(fake, k)) > 0).mean()
    return {"precision": float(precision), "recall": float(recall)}


def density_coverage(real, fake, k: int = 3) -> dict:
    """Density and coverage (Naeem et al., ICML 2020), robust to outliers in the real set.

    **Density** = (1 / kM) * sum over generated samples of the number of real k-NN balls that
    contain it (1 on average for samples distributed like the data; can exceed 1).
    **Coverage** = fraction of real balls that contain at least one generated sample.
    """
    radii = knn_radii(real, k)
    counts = _within_balls(fake, real, radii)
    covered = np.zeros(len(real), dtype=bool)
    for start, d in pairwise_distances(real, fake):
        covered[start:start + len(d)] = (d.min(axis=1) <= radii[start:start + len(d)])
    return {"density": float(counts.sum() / (k * len(fake))), "coverage": float(covered.mean())}


def frechet_distance(real, fake) -> float:
    """FID-style Frechet distance between Gaussians fitted to the two sets of embeddings
    (Heusel et al., 2017): ||mu_r - mu_f||^2 + Tr(S_r + S_f - 2 (S_r S_f)^(1/2))."""
    from scipy import linalg

    mu_r, mu_f = real.mean(axis=0), fake.mean(axis=0)
    s_r, s_f = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    # A tiny ridge keeps the product positive definite when a feature never varies (a ReLU
    # channel that stays at 0), where sqrtm would otherwise be ill-defined.
    ridge = np.eye(len(s_r)) * 1e-6
    s_r, s_f = s_r + ridge, s_f + ridge
    covmean = linalg.sqrtm(s_r @ s_f).real
    return float(((mu_r - mu_f) ** 2).sum() + np.trace(s_r) + np.trace(s_f) - 2 * np.trace(covmean))


def alpha_precision_beta_recall(real, fake, k: int = 3, levels: int = 20) -> dict:
    """alpha-precision, beta-recall and authenticity (Alaa et al., ICML 2022, "How faithful is
    your synthetic data?"), in the embedding space with the real mean as the centre.

    * alpha-precision(a): fraction of generated samples inside the smallest ball around the real
      centre that holds a fraction ``a`` of the real data (the a-support). For a faithful
      generator it equals ``a``; the score is 1 - 2 * mean_a |alpha-precision(a) - a|.
    * beta-recall(b): fraction of real samples whose nearest generated sample *within the
      generated b-support* lies within the real sample's k-NN radius; ideally ``b``; scored as
      above.
    * authenticity: fraction of generated samples that are not copies. A sample is flagged when
      it is closer to its nearest training image than that image is to its own nearest other
      training image (the sample sits "inside" a training point).
    """
    alphas = np.linspace(0.05, 1.0, levels)
    centre = real.mean(axis=0)
    real_r = np.linalg.norm(real - centre, axis=1)
    fake_r = np.linalg.norm(fake - centre, axis=1)
    alpha_curve = np.array([(fake_r <= np.quantile(real_r, a)).mean() for a in alphas])

    fake_centre = fake.mean(axis=0)
    fake_rc = np.linalg.norm(fake - fake_centre, axis=1)
    real_knn = knn_radii(real, k)
    beta_curve = []
    for b in alphas:
        support = fake[fake_rc <= np.quantile(fake_rc, b)]
        nearest = np.concatenate([d.min(axis=1) for _, d in pairwise_distances(real, support)])
        beta_curve.append((nearest <= real_knn).mean())
    beta_curve = np.array(beta_curve)

    authenticity = authenticity_score(real, fake)
    return {
        "alpha_precision": float(1 - 2 * np.abs(alpha_curve - alphas).mean()),
        "beta_recall": float(1 - 2 * np.abs(beta_curve - alphas).mean()),
        "authenticity": authenticity,
        "alpha_curve": alpha_curve.tolist(), "beta_curve": beta_curve.tolist(),
        "levels": alphas.tolist(),
    }


def authenticity_score(train, fake) -> float:
    """Fraction of generated samples that are not copies of a training image (see above)."""
    train_nn = knn_radii(train, 1)
    authentic = np.empty(len(fake), dtype=bool)
    for start, d in pairwise_distances(fake, train):
        nearest = d.argmin(axis=1)
        authentic[start:start + len(d)] = d[np.arange(len(d)), nearest] > train_nn[nearest]
    return float(authentic.mean())


def class_histogram(predicted, num_classes: int) -> dict:
    """Share of samples per predicted class and its entropy, a mode-collapse detector.

    ``entropy`` is in nats; ``normalized_entropy`` divides by log(num_classes), so 1.0 means all
    classes equally often and 0.0 means a single class (total collapse).
    """
    counts = np.bincount(np.asarray(predicted), minlength=num_classes)[:num_classes]
    p = counts / max(counts.sum(), 1)
    nz = p[p > 0]
    entropy = float(-(nz * np.log(nz)).sum())
    return {"class_histogram": p.tolist(), "entropy": entropy,
            "normalized_entropy": entropy / np.log(num_classes)}


def binary_classification_table(is_real_true, is_real_predicted) -> dict:
    """Accuracy, precision, recall and F1 of a real-vs-fake classifier ("real" is positive)."""
    t = np.asarray(is_real_true, bool)
    p = np.asarray(is_real_predicted, bool)
    tp, fp, fn = (t & p).sum(), (~t & p).sum(), (t & ~p).sum()
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": float((t == p).mean()), "precision": float(precision),
            "recall": float(recall), "f1": float(f1)}


def best_matching_accuracy(codes, predicted, k: int = 10) -> dict:
    """Agreement between an unsupervised code (e.g. InfoGAN's category) and predicted classes,
    under the best one-to-one matching of codes to classes (the Hungarian algorithm).

    Returns the accuracy and the matching {code: class}. 1.0 means each code value always gives
    one class and different codes give different classes; chance is about 1/k.
    """
    from scipy.optimize import linear_sum_assignment

    counts = np.zeros((k, k), dtype=np.int64)
    np.add.at(counts, (np.asarray(codes), np.asarray(predicted)), 1)
    rows, cols = linear_sum_assignment(-counts)
    return {"accuracy": float(counts[rows, cols].sum() / max(counts.sum(), 1)),
            "matching": {int(r): int(c) for r, c in zip(rows, cols)}}


def mean_gradient_magnitude(images) -> float:
    """Sharpness: the mean absolute difference between neighbouring pixels (horizontal plus
    vertical), on the [0, 1] scale. Blurry images score low; compare with the real images'."""
    x = np.asarray(images, dtype=np.float64)
    if np.asarray(images).dtype == np.uint8:
        x = x / 255.0
    else:
        x = (x + 1.0) / 2.0
    dx = np.abs(np.diff(x, axis=2)).mean()
    dy = np.abs(np.diff(x, axis=1)).mean()
    return float(dx + dy)
