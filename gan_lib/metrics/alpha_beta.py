"""alpha-precision, beta-recall and authenticity (Alaa et al., ICML 2022, "How faithful is your
synthetic data?"): the fidelity, diversity and novelty of samples, measured against the real set."""
from __future__ import annotations

import numpy as np

from gan_lib.metrics.checks import check_k, check_pair
from gan_lib.metrics.distances import BLOCK, given_radii, nearest

ALPHAS = np.linspace(0.0, 1.0, 30)  # the authors' grid (synthcity AlphaPrecision, n_steps = 30)


def _area_score(curve, levels=ALPHAS) -> float:
    """1 - sum_a |curve(a) - a| / sum_a a: 1 on the diagonal, 0 for a curve stuck at 0 (or at 1)."""
    return float(1.0 - np.abs(np.asarray(curve) - levels).sum() / levels.sum())


def alpha_precision_beta_recall(real, fake, real_radii=None) -> dict:
    """alpha-precision and beta-recall (Alaa et al., ICML 2022, "How faithful is your synthetic
    data?"), exactly as the authors' code (synthcity ``AlphaPrecision.metrics``, with the real
    mean as the centre c, its "naive" variant) on the grid a = 0, 1/29, ..., 1:

    * alpha-precision curve: P_a = fraction of generated f with ||f - c|| <= q_a, where q_a is the
      a-quantile of the real distances ||r - c|| (the a-support is the ball of radius q_a).
    * beta-recall curve: for each real r, take its nearest generated point g(r). R_b = fraction of
      real r with ||r - g(r)|| <= NN_1(r) (its nearest *real* neighbour's distance) *and*
      ||g(r) - c_g|| <= b-quantile of those matched distances, c_g being the generated mean.
    * each curve is summarised as 1 - sum_a |curve(a) - a| / sum_a a (1: ideal, 0: pure noise).

    A generator that copies the real set gets beta-recall 1 (up to the grid's quantile steps); one
    collapsed towards the centre covers only the inner quantiles and scores less.
    """
    real, fake = check_pair(real, fake, k=1)
    return alpha_beta_scores(real, fake, given_radii(real_radii, real, 1), *nearest(real, fake))


def alpha_beta_scores(real, fake, real_to_real, real_to_fake, matched) -> dict:
    """The curves and scores above, given NN_1 of each real point and its nearest sample."""
    centre = real.mean(axis=0)
    radii = np.quantile(np.linalg.norm(real - centre, axis=1), ALPHAS)
    fake_to_centre = np.linalg.norm(fake - centre, axis=1)
    alpha_curve = np.array([(fake_to_centre <= r).mean() for r in radii])
    matched_d = np.linalg.norm(fake[matched] - fake.mean(axis=0), axis=1)
    matched_radii = np.quantile(matched_d, ALPHAS)
    close = real_to_fake <= real_to_real
    beta_curve = np.array([(close & (matched_d <= r)).mean() for r in matched_radii])
    return {"alpha_precision": _area_score(alpha_curve), "beta_recall": _area_score(beta_curve),
            "alpha_curve": alpha_curve.tolist(), "beta_curve": beta_curve.tolist(),
            "levels": ALPHAS.tolist()}


def copy_flags(train, fake, block: int = BLOCK) -> tuple:
    """Which generated samples are copies of a training point (Alaa et al. 2022, eq. 7).

    For a sample f with nearest training point t = argmin_i ||f - x_i||, f is a **copy** when
    ||f - t|| <= NN_1(t), the distance from t to its own nearest other training point: f sits
    closer to t than any real neighbour of t does. Only the training points that are some sample's
    nearest need their NN_1, so the cost is O(M x N) distances, never N x N. Returns
    (copy [M] bool, nearest training index [M], distance [M]).
    """
    train, fake = check_pair(train, fake)
    check_k(1, len(train), "the training set")
    d, idx = nearest(fake, train, block)
    used = np.unique(idx)
    nn, _ = nearest(train[used], train, block, exclude=used)
    own_nn = nn[np.searchsorted(used, idx)]
    return d <= own_nn, idx, d


def authenticity_score(train, fake) -> float:
    """Fraction of generated samples that are not copies of a training point (``copy_flags``).

    The authors' code (and synthcity) computes ``real_to_real[real_to_synth_args] < real_to_synth``,
    which averages over *real* points and indexes real radii with *generated* indices; that only
    matches eq. (7) when the sets coincide, so the kit follows the paper's definition instead.
    """
    return float(1.0 - copy_flags(train, fake)[0].mean())
