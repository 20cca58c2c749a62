"""Sample-quality metrics, computed on embeddings (see features.py) with NumPy.

``real`` is an [N, D] array of embeddings of real images, ``fake`` an [M, D] array of generated
ones. Distances are computed in blocks of rows, so memory stays at O(block x N), never N x N x D.

Each metric is the published one, computed as its authors' code computes it; tests/test_metrics.py
pins every one to numbers produced by that code on small clouds:

========================  =============================================  ====================
metric                    reference code                                 k (default here)
========================  =============================================  ====================
precision, recall         Kynkaanniemi et al. 2019, ``prdc`` 0.2         3 (the paper's)
density, coverage         Naeem et al. 2020, ``prdc`` 0.2                5 (the paper's)
realism score             Kynkaanniemi et al. 2019 (``ManifoldEstimator``)  3, radii clamped at
                                                                         their median
FID                       pytorch-fid ``calculate_frechet_distance``     -
KID (Binkowski et al.     torch-fidelity ``kid_features_to_metric``      100 subsets of
2018)                                                                    min(1000, N, M)
alpha-precision,          synthcity ``AlphaPrecision.metrics`` (from      1 (the authors')
beta-recall               Alaa et al. 2022's code)
authenticity              Alaa et al. 2022, eq. (7) (see the function)   1
========================  =============================================  ====================

**Ties.** A point exactly on a ball's boundary is *outside* (``distance < radius``), as in ``prdc``:
then an exact copy of the reference set has density exactly 1, as Naeem et al. intend, where ``<=``
(Kynkaanniemi's code) gives (k + 1) / k. For continuous features ties have probability 0, so
precision and recall also equal Kynkaanniemi's numbers.

Which real images? The **training** images are the reference: they are what the generator was
fitted to, and authenticity asks precisely whether samples copy *training* images. Held-out test
images, scored as if they were samples, show what a perfect generator would get.
"""
from __future__ import annotations

import warnings

import numpy as np

from gan_lib.errors import ConfigError, DataError

BLOCK = 1024


# --- input checks -------------------------------------------------------------------------------

def check_features(x, name: str = "features", min_rows: int = 1) -> np.ndarray:
    """``x`` as a finite float64 [N, D] array with N >= ``min_rows``, or a DataError naming why."""
    x = np.asarray(x)
    if x.dtype == object or not (np.issubdtype(x.dtype, np.number) or x.dtype == bool):
        raise DataError(f"{name} must be numbers, got dtype {x.dtype}; pass a float array [N, D]")
    if x.ndim != 2:
        raise DataError(f"{name} must be a 2-D array [N, D], got shape {x.shape}; embed the "
                        "images first (gan_lib.features) or reshape to [N, D]")
    x = x.astype(np.float64)
    if len(x) < min_rows:
        raise DataError(f"{name} has {len(x)} rows, needs at least {min_rows}; use more samples "
                        "(10,000 for publishable numbers)")
    bad = ~np.isfinite(x).all(axis=1)
    if bad.any():
        raise DataError(f"{name} has {bad.sum()} rows with NaN or infinite values (first: row "
                        f"{np.flatnonzero(bad)[0]}); drop or fix those samples")
    return x


def check_k(k, n: int, name: str) -> int:
    """``k`` as an int with 1 <= k < n (a k-NN radius needs k other points)."""
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ConfigError(f"k must be a whole number >= 1, got {k!r}")
    if n < k + 1:
        raise DataError(f"{name} has {n} points, too few for k = {k} nearest neighbours; use at "
                        f"least k + 1 = {k + 1} (10,000 for publishable numbers)")
    return int(k)


def check_pair(real, fake, k: int | None = None, min_rows: int = 1):
    """Both sets checked, with the same feature size (and enough points for ``k``)."""
    real = check_features(real, "real features", min_rows)
    fake = check_features(fake, "generated features", min_rows)
    if real.shape[1] != fake.shape[1]:
        raise DataError(f"real features have {real.shape[1]} dimensions, generated ones "
                        f"{fake.shape[1]}; embed both with the same feature extractor")
    if k is not None:
        check_k(k, len(real), "the real set")
        check_k(k, len(fake), "the generated set")
    return real, fake


# --- distances ------------------------------------------------------------------------------------

def _sq_norms(x):
    return np.einsum("ij,ij->i", x, x)


def pairwise_distances(a, b, block: int = BLOCK):
    """Yield (start, distances[a_block, b]) blocks of Euclidean distances,
    ||a - b||^2 = ||a||^2 + ||b||^2 - 2 a.b, in float64 (clipped at 0 against round-off)."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    b_norms = _sq_norms(b)
    for start in range(0, len(a), block):
        chunk = a[start:start + block]
        d = chunk @ b.T
        d *= -2.0
        # (||a||^2 + ||b||^2) first, then - 2 a.b: the same float result whichever set is the row,
        # so d(x, y) == d(y, x) bit for bit and a point exactly on a k-NN radius stays a tie
        d += _sq_norms(chunk)[:, None] + b_norms[None, :]
        np.maximum(d, 0.0, out=d)
        yield start, np.sqrt(d, out=d)


def knn_table(x, kmax: int, block: int = BLOCK) -> np.ndarray:
    """[N, kmax]: distances from each point of ``x`` to its 1st..kmax-th nearest *other* point
    (a duplicate counts as a neighbour at distance 0; the point itself does not)."""
    kmax = check_k(kmax, len(x), "the point set")
    table = np.empty((len(x), kmax))
    for start, d in pairwise_distances(x, x, block):
        rows = np.arange(len(d))
        d[rows, start + rows] = np.inf  # a point is not its own neighbour
        table[start:start + len(d)] = np.partition(d, list(range(kmax)), axis=1)[:, :kmax]
    return table


def knn_radii(x, k: int = 3, block: int = BLOCK) -> np.ndarray:
    """NN_k(x_i): distance from each point of ``x`` to its k-th nearest other point."""
    return knn_table(x, k, block)[:, k - 1]


def _given_radii(radii, x, k):
    """Radii passed in by a caller that computed them once for several metrics, or computed."""
    if radii is None:
        return knn_radii(x, k)
    radii = np.asarray(radii, np.float64)
    if radii.shape != (len(x),):
        raise DataError(f"radii have shape {radii.shape}, expected ({len(x)},)")
    return radii


def nearest(a, b, block: int = BLOCK, exclude=None):
    """For each row of ``a``: (distance to, index of) its nearest row of ``b``, never the row
    ``exclude[i]`` of ``b`` if given (a point's own index, to find its nearest *other*). Rows go
    in blocks small enough that a block of distances stays near 128 MB however large ``b`` is."""
    block = max(16, min(block, 2 ** 24 // max(len(b), 1)))
    dist, idx = np.empty(len(a)), np.empty(len(a), dtype=np.int64)
    for start, d in pairwise_distances(a, b, block):
        if exclude is not None:
            d[np.arange(len(d)), exclude[start:start + len(d)]] = np.inf
        j = d.argmin(axis=1)
        idx[start:start + len(d)] = j
        dist[start:start + len(d)] = d[np.arange(len(d)), j]
    return dist, idx


def _ball_counts(points, centres, radii, block: int = BLOCK) -> np.ndarray:
    """For each point: how many open balls B(centre_i, radius_i) contain it (d < r_i)."""
    counts = np.zeros(len(points), dtype=np.int64)
    for start, d in pairwise_distances(points, centres, block):
        counts[start:start + len(d)] = (d < radii[None, :]).sum(axis=1)
    return counts


# --- the k-NN metrics -----------------------------------------------------------------------------

def precision_recall(real, fake, k: int = 3, real_radii=None) -> dict:
    """Improved precision and recall (Kynkaanniemi et al., NeurIPS 2019).

    The real manifold is the union of balls B(r_i, NN_k(r_i)) around each real embedding, reaching
    its k-th nearest real neighbour; likewise for the generated manifold. **Precision** is the
    fraction of generated samples inside the real manifold (are samples realistic?); **recall**
    the fraction of real samples inside the generated manifold (is all of the data covered?).
    ``real_radii`` (here and below): the real points' NN_k, when the caller already has them.
    """
    real, fake = check_pair(real, fake, k)
    precision = (_ball_counts(fake, real, _given_radii(real_radii, real, k)) > 0).mean()
    recall = (_ball_counts(real, fake, knn_radii(fake, k)) > 0).mean()
    return {"precision": float(precision), "recall": float(recall)}


def density_coverage(real, fake, k: int = 5, real_radii=None) -> dict:
    """Density and coverage (Naeem et al., ICML 2020), robust to outliers in the real set.

    **Density** = 1/(kM) sum_j sum_i 1[f_j in B(r_i, NN_k(r_i))]: the average number of real
    balls holding a generated sample, over k (1 for samples distributed like the data; can
    exceed 1). **Coverage** = 1/N sum_i 1[some f_j in B(r_i, NN_k(r_i))]: the fraction of real
    balls holding at least one generated sample. k = 5 is the paper's recommendation.
    """
    real, fake = check_pair(real, fake, k)
    radii = _given_radii(real_radii, real, k)
    density = _ball_counts(fake, real, radii).sum() / (k * len(fake))
    coverage = (nearest(real, fake)[0] < radii).mean()
    return {"density": float(density), "coverage": float(coverage)}


def realism_scores(real, fake, k: int = 3, eps: float = 1e-5, real_radii=None) -> np.ndarray:
    """Realism score of each generated sample (Kynkaanniemi et al. 2019, section 5):
    R(f) = max_i NN_k(r_i) / (||f - r_i|| + eps), over the real points whose radius is at most the
    median radius (the larger half is dropped as outliers, as in the authors' code). R >= 1 means
    f lies inside some (pruned) real ball; larger is more typical of the data."""
    real, fake = check_pair(real, fake, k)
    radii = _given_radii(real_radii, real, k)
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
    out.update(_alpha_beta(real, fake, r_nn, to_fake, matched))
    return out

# --- FID ------------------------------------------------------------------------------------

def frechet_distance(real, fake, imaginary_tolerance: float = 1e-3) -> float:
    """Frechet distance between Gaussians fitted to the two sets of embeddings (Heusel et al.
    2017), as pytorch-fid computes it:

        d^2 = ||mu_r - mu_f||^2 + Tr(S_r) + Tr(S_f) - 2 Tr((S_r S_f)^(1/2))

    S_r S_f is not symmetric, so scipy's ``sqrtm`` may return tiny imaginary parts from round-off.
    They are dropped when the diagonal's are below ``imaginary_tolerance`` (pytorch-fid's 1e-3);
    larger ones mean the covariances are too ill-conditioned for a meaningful FID, and raise. If the
    square root is not finite, 1e-6 is added to both diagonals and it is taken again (pytorch-fid).
    """
    from scipy import linalg

    real, fake = check_pair(real, fake, min_rows=2)
    mu_r, mu_f = real.mean(axis=0), fake.mean(axis=0)
    s_r, s_f = np.atleast_2d(np.cov(real, rowvar=False)), np.atleast_2d(np.cov(fake, rowvar=False))
    with warnings.catch_warnings():  # singular products are common (dead ReLU channels) and
        warnings.simplefilter("ignore", linalg.LinAlgWarning)  # are checked for below instead
        covmean = linalg.sqrtm(s_r @ s_f)
        if not np.isfinite(covmean).all():
            ridge = np.eye(len(s_r)) * 1e-6
            covmean = linalg.sqrtm((s_r + ridge) @ (s_f + ridge))
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=imaginary_tolerance):
            worst = np.abs(covmean.imag).max()
            raise DataError(f"FID is undefined here: the matrix square root has an imaginary part "
                            f"of {worst:.3g} (covariances too ill-conditioned); use more samples "
                            f"than feature dimensions ({len(s_r)}), 10,000 for publishable FIDs")
        covmean = covmean.real
    diff = mu_r - mu_f
    return float(diff @ diff + np.trace(s_r) + np.trace(s_f) - 2.0 * np.trace(covmean))


# --- KID ------------------------------------------------------------------------------------

def polynomial_kernel(a, b) -> np.ndarray:
    """[len(a), len(b)] matrix of k(x, y) = (x.y / d + 1)^3, d the feature dimension: the cubic
    kernel of Binkowski et al. (2018), torch-fidelity's ``kernel_poly`` (degree 3, gamma 1/d,
    coef0 1). Dividing by d keeps x.y/d of order 1 whatever the feature size."""
    k = np.asarray(a, np.float64) @ np.asarray(b, np.float64).T
    k /= np.shape(a)[1]
    k += 1.0
    return k * k * k


def mmd2_unbiased(x, y) -> float:
    """Unbiased estimate of the squared maximum mean discrepancy with ``polynomial_kernel``
    (Gretton et al. 2012, JMLR, Lemma 6), for m points x and n points y:

        MMD^2_u = 1/(m(m-1)) sum_{i != j} k(x_i, x_j) + 1/(n(n-1)) sum_{i != j} k(y_i, y_j)
                  - 2/(mn) sum_{i, j} k(x_i, y_j)

    The diagonals k(x_i, x_i) are left out of the within-set sums: a point compared with itself
    says nothing about the distribution, and keeping it biases the estimate upwards. So the
    estimate is unbiased and can be slightly *negative* when the two distributions are equal.
    For m = n it is torch-fidelity's ``mmd2(..., mmd_est="unbiased")`` (from Binkowski's code).
    """
    x, y = check_pair(x, y, min_rows=2)
    scale = 1.0 / np.sqrt(x.shape[1])
    return float(_mmd2_unbiased(x * scale, y * scale))


def _excess_sum(a, b, buffers=None) -> float:
    """sum over all i, j of k(a_i, b_j) - 1 = 3t + 3t^2 + t^3, t = a_i.b_j, for rows already
    divided by sqrt(d) (so t = x.y / d): 3 sum t + 3 sum t^2 + sum t^3, each power summed with
    one BLAS dot over the [len(a), len(b)] matrix of t (sum t from the row sums). ``buffers``:
    two [len(a), len(b)] float64 arrays to reuse (KID's 300 products then allocate nothing)."""
    if buffers is None:
        t = a @ b.T
        t_squared = t * t
    else:
        t = np.matmul(a, b.T, out=buffers[0])
        t_squared = np.multiply(t, t, out=buffers[1])
    return float(3.0 * (a.sum(axis=0) @ b.sum(axis=0)) + 3.0 * np.vdot(t, t)
                 + np.vdot(t_squared, t))


def _diagonal_excess_sum(a) -> float:
    """sum_i k(a_i, a_i) - 1, the diagonal that the unbiased within-set sums leave out."""
    t = np.einsum("ij,ij->i", a, a)
    return float((t * (3.0 + t * (3.0 + t))).sum())


def _mmd2_unbiased(x, y, buffers=None) -> float:
    """MMD^2_u of two checked sets whose rows are already divided by sqrt(d).

    Each of the three averages holds a constant 1 (the kernel's "+ 1", cubed), and
    1 + 1 - 2 * 1 = 0, so the sums are taken of k - 1 instead: the same number, without
    cancelling 1s against 1s. That matters here: on the kit's L2-normalised features |t| <= 1/d,
    k is 1 to within 2.4%, and the KID of held-out digits is of order 1e-4 or less."""
    m, n = len(x), len(y)
    within_x = (_excess_sum(x, x, buffers) - _diagonal_excess_sum(x)) / (m * (m - 1))
    within_y = (_excess_sum(y, y, buffers) - _diagonal_excess_sum(y)) / (n * (n - 1))
    return within_x + within_y - 2.0 * _excess_sum(x, y, buffers) / (m * n)


def kernel_inception_distance(real, fake, subsets: int = 100, subset_size: int = 1000,
                              seed: int = 0) -> dict:
    """Kernel Inception Distance (Binkowski et al., ICLR 2018, "Demystifying MMD GANs"): the
    squared MMD between real and generated embeddings under the cubic polynomial kernel
    k(x, y) = (x.y / d + 1)^3, estimated without bias (``mmd2_unbiased``). Unlike FID it
    assumes no Gaussian shape and its estimator is unbiased, so values from different sample
    sizes compare; 0 means the same distribution (small negative values happen, and mean that).

    The estimate is averaged over random subsets, exactly as torch-fidelity's
    ``kid_features_to_metric`` computes it (torch-fidelity 0.4.0, ``metric_kid.py``, adapted from
    Binkowski's own code), called the usual way, input1 = generated and input2 = real:

        rng = np.random.RandomState(seed)
        for each of ``subsets`` subsets:
            f = fake[rng.choice(M, m, replace=False)]    # generated first, then
            r = real[rng.choice(N, m, replace=False)]    # real, each without replacement
            mmd2[i] = MMD^2_u(f, r)
        kid = mean(mmd2); kid_std = std(mmd2)            # np.std: population (ddof = 0)

    with m = min(``subset_size``, N, M): torch-fidelity refuses sets smaller than the subset
    size, clean-fid (``kernel_distance``) shrinks the subset as here; for larger sets both are
    the same algorithm (clean-fid draws from its global NumPy state, so only torch-fidelity's
    seeded draws can be reproduced). The defaults, 100 subsets of 1,000, are both libraries'.
    Kernels are computed in float64, as sums of k - 1 (see ``_mmd2_unbiased``); torch-fidelity
    computes in the features' float32, whose round-off moved the KID of 5,000 held-out MNIST
    digits against 5,000 training digits in the kit's classifier space (3.9e-5) by 0.03%.

    Returns {"kid": mean, "kid_std": std over subsets} (the spread of the subset estimates,
    not a standard error of the mean).
    """
    real, fake = check_pair(real, fake, min_rows=2)
    for name, value, least in (("subsets", subsets, 1), ("subset_size", subset_size, 2)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < least:
            raise ConfigError(f"{name} must be a whole number >= {least}, got {value!r}")
    m = min(int(subset_size), len(real), len(fake))
    scale = 1.0 / np.sqrt(real.shape[1])  # once: then t = x.y / d is a plain dot product
    real, fake = real * scale, fake * scale
    if m == len(real) == len(fake):  # every subset is the whole of both sets, reordered
        value = float(_mmd2_unbiased(fake, real))
        return {"kid": value, "kid_std": 0.0}
    rng = np.random.RandomState(seed)
    mmds, buffers = np.empty(int(subsets)), (np.empty((m, m)), np.empty((m, m)))
    for i in range(len(mmds)):
        f = fake[rng.choice(len(fake), m, replace=False)]
        r = real[rng.choice(len(real), m, replace=False)]
        mmds[i] = _mmd2_unbiased(f, r, buffers)
    return {"kid": float(mmds.mean()), "kid_std": float(mmds.std())}


# --- alpha-precision, beta-recall, authenticity (Alaa et al. 2022) -------------------------------

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
    return _alpha_beta(real, fake, _given_radii(real_radii, real, 1), *nearest(real, fake))


def _alpha_beta(real, fake, real_to_real, real_to_fake, matched) -> dict:
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


# --- classifier-based and simple statistics -------------------------------------------------------

def class_histogram(predicted, num_classes: int) -> dict:
    """Share of samples per predicted class and its entropy, a mode-collapse detector.

    ``entropy`` is in nats; ``normalized_entropy`` divides by log(num_classes), so 1.0 means all
    classes equally often and 0.0 means a single class (total collapse).
    """
    counts = np.bincount(np.asarray(predicted), minlength=num_classes)[:num_classes]
    p = counts / max(counts.sum(), 1)
    nz = p[p > 0]
    entropy = float(-(nz * np.log(nz)).sum()) + 0.0  # + 0.0: one class gives 0.0, not -0.0
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
