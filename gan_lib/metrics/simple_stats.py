"""Classifier-based and simple statistics: class shares, a real-vs-fake table, the agreement of a
code with classes, and sharpness."""
from __future__ import annotations

import numpy as np


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
