"""A live mode-collapse monitor: how many classes does the generator still draw?

Every few steps the monitor generates a fixed batch of samples (the same latent vectors each time),
asks the dataset's evaluation classifier (classifier.py) what class each one is, and records the
entropy of the predicted-class histogram, normalised to [0, 1]. A healthy MNIST generator stays
near 1 (all ten digits about equally often); a collapsing one shows a falling curve long before
the loss curves say anything.
"""
from __future__ import annotations

import numpy as np

from gan_lib.metrics import class_histogram


class CollapseMonitor:
    """Call ``monitor(gan, step)``; read ``monitor.history`` (step, entropy, histogram lists)."""

    def __init__(self, dataset: str, gan, n: int = 500, seed: int = 0):
        import tensorflow as tf

        from gan_lib.classifier import load_classifier

        self.classifier = load_classifier(dataset)
        self.z = gan.latent(tf.random.Generator.from_seed(seed + 7_000_001), n)
        # conditional generators are asked for every class in turn
        self.labels = None if not gan.conditional else tf.constant(
            (np.arange(n) % gan.num_classes).astype(np.int32))
        self.history = {"step": [], "entropy": [], "histogram": []}

    def __call__(self, gan, step: int) -> float:
        images = gan.generate(self.z, self.labels, training=False).numpy()
        h = class_histogram(self.classifier.predict(images), 10)
        self.history["step"].append(int(step))
        self.history["entropy"].append(h["normalized_entropy"])
        self.history["histogram"].append(h["class_histogram"])
        return h["normalized_entropy"]
