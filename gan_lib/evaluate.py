"""Evaluate generated images against the real data: every metric in one JSON-ready dict.

    report = evaluate_samples("mnist", images)               # uint8 [N, 28, 28, 1]
    report = evaluate_run("checkpoints/my_run", n=10000)      # a run's latest checkpoint

The reference is a random subset of the real **training** images, as many as there are samples
(capped at 10,000): equal sizes keep k-NN metrics unbiased, and authenticity is about copying
training images. See metrics.py for each metric's definition and reference.
"""
from __future__ import annotations

import numpy as np

from gan_lib import metrics
from gan_lib.errors import ConfigError

MAX_REFERENCE = 10_000


def evaluate_samples(dataset: str, images, labels=None, seed: int = 0, k: int = 3,
                     classifier=None, reference=None) -> dict:
    """All metrics for ``images`` (uint8 or [-1, 1] floats) of ``dataset``.

    With ``labels`` (a conditional model's requested classes) the report adds ``label_accuracy``:
    the fraction of samples the classifier assigns to the requested class.
    ``reference`` overrides the real images compared against (default: training images).
    """
    from gan_lib.classifier import load_classifier
    from gan_lib.data import load_dataset

    images = np.asarray(images)
    if len(images) < k + 1:
        raise ConfigError(f"{len(images)} samples are too few to evaluate; use at least 100 "
                          "(10,000 for publishable numbers)")
    classifier = classifier or load_classifier(dataset)
    if reference is None:
        train = load_dataset(dataset, "train")
        if images.shape[1:] != train.shape:
            raise ConfigError(f"samples are {images.shape[1:]} but {dataset} images are "
                              f"{train.shape}; evaluate samples of a model trained on {dataset}")
        rng = np.random.default_rng(seed)
        n_ref = min(len(train), max(len(images), 1000), MAX_REFERENCE)
        reference = train.images[rng.choice(len(train), n_ref, replace=False)]
    real_emb, fake_emb = classifier.embed(reference), classifier.embed(images)

    report = {"dataset": dataset, "n": int(len(images)), "n_reference": int(len(reference)),
              "k": k, "classifier_test_accuracy": classifier.accuracy}
    report["fid"] = metrics.frechet_distance(real_emb, fake_emb)
    report.update(metrics.precision_recall(real_emb, fake_emb, k))
    report.update(metrics.density_coverage(real_emb, fake_emb, k))
    report.update(metrics.alpha_precision_beta_recall(real_emb, fake_emb, k))
    predicted = classifier.predict(images)
    report.update(metrics.class_histogram(predicted, 10))
    if labels is not None:
        report["label_accuracy"] = float((predicted == np.asarray(labels)).mean())
    return report


def discriminator_table(gan, real_images, fake_images) -> dict:
    """The discriminator used as a real/fake classifier (the Fashion-MNIST seed's table).

    Real test images are the positives, generated images the negatives, and D says "real" when
    its logit is above 0. This measures *D*, not the samples: a D fooled into calling everything
    real gets recall near 1 and accuracy near 0.5, whether the samples are good or bad.
    """
    from gan_lib.data import to_unit_range

    def says_real(images, labels):
        logits = gan.discriminate(to_unit_range(images), labels, training=False)
        return np.asarray(logits).ravel() > 0

    real_labels = fake_labels = None
    if gan.conditional:
        real_labels, fake_labels = real_images[1], fake_images[1]
        real_images, fake_images = real_images[0], fake_images[0]
    predicted = np.concatenate([says_real(real_images, real_labels),
                                says_real(fake_images, fake_labels)])
    truth = np.concatenate([np.ones(len(real_images), bool), np.zeros(len(fake_images), bool)])
    return metrics.binary_classification_table(truth, predicted)


def evaluate_run(run_dir, n: int = 10_000, seed: int = 0) -> dict:
    """Sample ``n`` images from a run's latest checkpoint and evaluate them, plus D's table."""
    import tensorflow as tf

    from gan_lib.data import load_dataset
    from gan_lib.sampling import load_generator, sample_images

    gan, config = load_generator(run_dir)
    if config.dataset not in ("mnist", "fashion_mnist"):
        raise ConfigError(f"evaluation needs mnist or fashion_mnist, this run used {config.dataset}")
    images, labels = sample_images(gan, n, seed=seed)
    report = evaluate_samples(config.dataset, images, labels, seed=seed)
    report["run"] = str(run_dir)
    if config.pack > 1:  # a PacGAN D judges packs, not single images: no per-image table
        return report
    # D as a classifier: restore D as well, then score test images against the samples.
    path = tf.train.latest_checkpoint(f"{run_dir}/checkpoints")
    status = tf.train.Checkpoint(discriminator=gan.discriminator).restore(path)
    status.expect_partial()
    status.assert_existing_objects_matched()
    test = load_dataset(config.dataset, "test")
    m = min(n, len(test))
    if gan.conditional:
        table = discriminator_table(gan, (test.images[:m], test.labels[:m]),
                                    (images[:m], labels[:m]))
    else:
        table = discriminator_table(gan, test.images[:m], images[:m])
    report["discriminator_as_classifier"] = table
    return report


def nearest_training_images(samples, train_images, classifier, k: int = 3) -> np.ndarray:
    """Indices [len(samples), k] of each sample's nearest training images in embedding space:
    the first thing to look at when a generator might be copying its data."""
    emb_s, emb_t = classifier.embed(samples), classifier.embed(train_images)
    out = np.empty((len(samples), k), dtype=np.int64)
    for start, d in metrics.pairwise_distances(emb_s, emb_t):
        out[start:start + len(d)] = np.argsort(d, axis=1)[:, :k]
    return out
