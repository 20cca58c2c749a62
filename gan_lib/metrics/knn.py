"""The k-NN metrics: a set's manifold is the union of balls reaching each point's k-th nearest
neighbour (Kynkaanniemi et al. 2019; Naeem et al. 2020), and samples are scored against it."""
from __future__ import annotations

import numpy as np

from gan_lib.metrics.alpha_beta import alpha_beta_scores
from gan_lib.metrics.checks import check_pair
from gan_lib.metrics.distances import (ball_counts, given_radii, knn_radii, knn_table, nearest,
                                       pairwise_distances)


def precision_recall(real, fake, k: int = 3, real_radii=None) -> dict:
    """Improved precision and recall (Kynkaanniemi et al., NeurIPS 2019).

    The real manifold is the union of balls B(r_i, NN_k(r_i)) around each real embedding, reaching
    its k-th nearest real neighbour; likewise for the generated manifold. **Precision** is the
    fraction of generated samples inside the real manifold (are samples realistic?); **recall**
    the fraction of real samples inside the generated manifold (is all of the data covered?).
    ``real_radii`` (here and below): the real points' NN_k, when the caller already has them.
    """
    real, fake = check_pair(real, fake, k)
    precision = (ball_counts(fake, real, given_radii(real_radii, real, k)) > 0).mean()
    recall = (ball_counts(real, fake, knn_radii(fake, k)) > 0).mean()
    return {"precision": float(precision), "recall": float(recall)}


def density_coverage(real, fake, k: int = 5, real_radii=None) -> dict:
    """Density and coverage (Naeem et al., ICML 2020), robust to outliers in the real set.

    **Density** = 1/(kM) sum_j sum_i 1[f_j in B(r_i, NN_k(r_i))]: the average number of real
    balls holding a generated sample, over k (1 for samples distributed like the data; can
    exceed 1). **Coverage** = 1/N sum_i 1[some f_j in B(r_i, NN_k(r_i))]: the fraction of real
    balls holding at least one generated sample. k = 5 is the paper's recommendation.
    """
    real, fake = check_pair(real, fake, k)
    radii = given_radii(real_radii, real, k)
    density = ball_counts(fake, real, radii).sum() / (k * len(fake))
    coverage = (nearest(real, fake)[0] < radii).mean()
    return {"density": float(density), "coverage": float(coverage)}


def realism_scores(real, fake, k: int = 3, eps: float = 1e-5, real_radii=None) -> np.ndarray:
    """Realism score of each generated sample (Kynkaanniemi et al. 2019, section 5):
    R(f) = max_i NN_k(r_i) / (||f - r_i|| + eps), over the real points whose radius is at most the
    median radius (the larger half is dropped as outliers, as in the authors' code). R >= 1 means
    f lies inside some (pruned) real ball; larger is more typical of the data."""
    real, fake = check_pair(real, fake, k)
    radii = given_radii(real_radii, real, k)
    radii = np.where(radii > np.percentile(radii, 50), 0.0, radii)
    score = np.empty(len(fake))
    for start, d in pairwise_distances(fake, real):
        score[start:start + len(d)] = (radii[None, :] / (d + eps)).max(axis=1)
    return score


def knn_metrics(real, fake, k: int = 3, k_density: int = 5, eps: float = 1e-5) -> dict:
    """precision_recall(k), density_coverage(k_density), realism_scores(k) and
    alpha_precision_beta_recall in **one** pass over the sample-to-real distances (evaluate.py's
    path for 10,000 samples). Equal, bit for bit, to calling the four functions (a test checks)."""
    real, fake = check_pair(real, fake, max(k, k_density))
    table = knn_table(real, max(k, k_density))
    r_pr, r_dc, r_nn = table[:, k - 1], table[:, k_density - 1], table[:, 0]
    r_realism = np.where(r_pr > np.percentile(r_pr, 50), 0.0, r_pr)
    fake_radii = knn_radii(fake, k)
    in_real, density_hits = np.empty(len(fake), bool), 0
    realism = np.empty(len(fake))
    in_fake = np.zeros(len(real), bool)
    to_fake, matched = np.full(len(real), np.inf), np.zeros(len(real), np.int64)
    for start, d in pairwise_distances(fake, real):  # rows: samples, columns: real points
        rows = slice(start, start + len(d))
        in_real[rows] = (d < r_pr).any(axis=1)
        density_hits += int((d < r_dc).sum())
        realism[rows] = (r_realism / (d + eps)).max(axis=1)
        in_fake |= (d < fake_radii[rows, None]).any(axis=0)
        j = d.argmin(axis=0)
        best = d[j, np.arange(d.shape[1])]
        better = best < to_fake  # strict: the first nearest sample wins ties, as in argmin
        to_fake[better], matched[better] = best[better], start + j[better]
    out = {"precision": float(in_real.mean()), "recall": float(in_fake.mean()),
           "density": float(density_hits / (k_density * len(fake))),
           "coverage": float((to_fake < r_dc).mean()), "realism": realism}
    out.update(alpha_beta_scores(real, fake, r_nn, to_fake, matched))
    return out
