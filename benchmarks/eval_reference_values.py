"""Recompute the reference numbers written into tests/test_metrics.py with the authors' code.

    pip install prdc            # Naeem et al.'s package (pulls in scikit-learn)
    pip install synthcity       # optional, heavy (torch): the alpha/beta reference
    python benchmarks/eval_reference_values.py

Prints prdc.compute_prdc(CLOUD_REAL, CLOUD_FAKE, k) for k = 1, 2, 3, 5 and synthcity's
AlphaPrecision().metrics(CLOUD_REAL, CLOUD_FAKE) (Delta_precision_alpha, Delta_coverage_beta and the
curves times 12), next to gan_lib's values for the same arrays.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np  # noqa: E402

from gan_lib import metrics  # noqa: E402
from test_metrics import CLOUD_FAKE, CLOUD_REAL  # noqa: E402


def main():
    from prdc import compute_prdc

    for k in (1, 2, 3, 5):
        ref = compute_prdc(CLOUD_REAL, CLOUD_FAKE, nearest_k=k)
        ours = {**metrics.precision_recall(CLOUD_REAL, CLOUD_FAKE, k),
                **metrics.density_coverage(CLOUD_REAL, CLOUD_FAKE, k)}
        print(f"k={k} prdc: " + ", ".join(f"{key} {float(v)!r}" for key, v in ref.items()))
        print(f"k={k} ours: " + ", ".join(f"{key} {v!r}" for key, v in ours.items()))
    ours = metrics.alpha_precision_beta_recall(CLOUD_REAL, CLOUD_FAKE)
    print("ours alpha/beta:", ours["alpha_precision"], ours["beta_recall"],
          np.round(np.array(ours["alpha_curve"]) * 12).astype(int).tolist(),
          np.round(np.array(ours["beta_curve"]) * 12).astype(int).tolist())
    try:
        from synthcity.metrics.eval_statistical import AlphaPrecision
    except ImportError:
        print("synthcity is not installed: alpha/beta reference not recomputed")
        return
    for name, fake in (("cloud", CLOUD_FAKE), ("copy", CLOUD_REAL.copy())):
        _, a_curve, b_curve, alpha, beta, _ = AlphaPrecision().metrics(CLOUD_REAL, fake)
        print(f"synthcity {name}: {alpha!r} {beta!r}",
              np.round(np.array(a_curve) * 12).astype(int).tolist(),
              np.round(np.array(b_curve) * 12).astype(int).tolist())


if __name__ == "__main__":
    main()
