"""FID: the Frechet distance between Gaussians fitted to the real and the generated embeddings."""
from __future__ import annotations

import warnings

import numpy as np

from gan_lib.errors import DataError
from gan_lib.metrics.checks import check_pair


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
