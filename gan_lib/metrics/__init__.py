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

The package's modules, one concern each (every name is importable from ``gan_lib.metrics``):

* ``checks``: the input checks every metric runs first;
* ``distances``: blocked Euclidean distances, k-NN radii, nearest neighbours;
* ``knn``: precision/recall, density/coverage, realism, and all of them in one pass;
* ``fid`` and ``kid``: the Frechet and kernel distances between the two sets;
* ``alpha_beta``: alpha-precision, beta-recall and authenticity (Alaa et al. 2022);
* ``simple_stats``: class histograms, classifier tables, code matching, sharpness.
"""
from gan_lib.metrics.alpha_beta import (ALPHAS, alpha_precision_beta_recall, authenticity_score,
                                        copy_flags)
from gan_lib.metrics.checks import check_features, check_k, check_pair
from gan_lib.metrics.distances import BLOCK, knn_radii, knn_table, nearest, pairwise_distances
from gan_lib.metrics.fid import frechet_distance
from gan_lib.metrics.kid import kernel_inception_distance, mmd2_unbiased, polynomial_kernel
from gan_lib.metrics.knn import density_coverage, knn_metrics, precision_recall, realism_scores
from gan_lib.metrics.simple_stats import (best_matching_accuracy, binary_classification_table,
                                          class_histogram, mean_gradient_magnitude)

__all__ = ["ALPHAS", "BLOCK", "alpha_precision_beta_recall", "authenticity_score",
           "best_matching_accuracy", "binary_classification_table", "check_features", "check_k",
           "check_pair", "class_histogram", "copy_flags", "density_coverage", "frechet_distance",
           "kernel_inception_distance", "knn_metrics", "knn_radii", "knn_table",
           "mean_gradient_magnitude", "mmd2_unbiased", "nearest", "pairwise_distances",
           "polynomial_kernel", "precision_recall", "realism_scores"]
