"""Evaluate generated images against the real data: every metric in one JSON-ready dict.

    report = evaluate_samples("mnist", images)               # uint8 [N, 28, 28, 1]
    report = evaluate_run("checkpoints/my_run", n=10000)      # a run's latest checkpoint

* The k-NN metrics (precision/recall, density/coverage, alpha/beta) compare the samples with a
  random subset of the real **training** images, as many as there are samples (at least 1,000,
  at most 10,000): equal sizes keep k-NN metrics unbiased. ``fid`` and ``kid`` (kernel
  inception distance, with ``kid_std``, its spread over 100 random subsets) use the same subset.
* Copy detection (authenticity, ``copies``) searches the **whole** training split: a generator
  that memorised any training image is caught, not only one in the subset.
* ``reference="test"`` is the course's held-out protocol (notebook 06, the benchmarks): the same,
  with the subset drawn from the **test** split, digits the generator never saw; copies are still
  searched for in the training split. A reference passed as an array is used for both.
* Features: for MNIST / Fashion-MNIST the kit's classifier (features.py, validated in
  docs/evaluation.md); for folders of RGB images Inception-v3 (``features="inception"``).
  ``report["features"]`` names the space: numbers from different spaces never compare.
* ``realism_best`` / ``realism_worst``: the 10 samples with the highest / lowest realism score
  (Kynkaanniemi et al. 2019); ``save_realism_picture`` draws them.

See gan_lib/metrics/ for each metric's definition and reference code.
"""
from __future__ import annotations

import numpy as np

from gan_lib import metrics
from gan_lib.errors import ConfigError, DataError

MAX_REFERENCE = 10_000
MIN_REFERENCE = 1_000
FEATURE_NAMES = {
    "classifier": "gan_lib {dataset} classifier: conv3 maps averaged over positions, "
                  "square-rooted, L2-normalised (128)",
    "inception": "Inception-v3 pool3, ImageNet weights (2048)",
}
_SPLIT_FEATURES: dict = {}  # (dataset, features, classifier, weights, shape) -> a split's features


def check_images(images, shape=None, name: str = "images") -> np.ndarray:
    """``images`` as uint8 [N, H, W, C] or float [-1, 1], or one line saying what is wrong.

    A [N, H, W] array gets its channel axis. ``shape`` (H, W, C) is the data's image shape.
    """
    try:
        images = np.asarray(images)
    except ValueError as err:
        raise DataError(f"{name} is not an array ({err}); pass uint8 [N, H, W, C]") from None
    if images.ndim == 0:
        raise DataError(f"{name} is a single number, not an array of images; pass uint8 "
                        "[N, H, W, C] (as written by `python -m gan_lib sample`)")
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or (shape is not None and images.shape[1:] != tuple(shape)):
        want = f"[N, {', '.join(map(str, shape))}]" if shape is not None else "[N, H, W, C]"
        raise DataError(f"{name} have shape {images.shape} but the data's images are {want}; "
                        "evaluate samples of a model trained on this dataset")
    if images.dtype == np.uint8:
        return images
    if not np.issubdtype(images.dtype, np.floating):
        raise DataError(f"{name} are {images.dtype}; pass uint8 pixels 0..255 or floats in "
                        "[-1, 1] (e.g. np.clip(images, 0, 255).astype(np.uint8))")
    bad = ~np.isfinite(images.reshape(len(images), -1)).all(axis=1)
    if bad.any():
        raise DataError(f"{bad.sum()} of the {name} hold NaN or infinite pixels (first: "
                        f"{np.flatnonzero(bad)[0]}); the generator diverged, use an earlier "
                        "checkpoint")
    lo, hi = (float(images.min()), float(images.max())) if images.size else (0.0, 0.0)
    if hi > 1.001 or lo < -1.001:
        raise DataError(f"float {name} range over [{lo:.3g}, {hi:.3g}], not [-1, 1]; pass "
                        "uint8 for 0..255 pixels, or images / 127.5 - 1")
    if lo >= 0.0 and hi > 0.0:
        raise DataError(f"float {name} lie in [0, 1] but gan_lib expects [-1, 1] (a tanh "
                        "generator's range) or uint8; pass images * 2 - 1")
    return images.astype(np.float32)


def check_labels(labels, n: int, num_classes: int) -> np.ndarray:
    """Requested classes of a conditional model's samples: integers 0..num_classes-1, one each."""
    labels = np.asarray(labels)
    if labels.ndim != 1 or len(labels) != n:
        raise DataError(f"labels have shape {labels.shape} but there are {n} images; pass one "
                        "class per image (or no labels)")
    if not np.issubdtype(labels.dtype, np.integer) or labels.min(initial=0) < 0 \
            or labels.max(initial=0) >= num_classes:
        raise DataError(f"labels must be whole numbers 0..{num_classes - 1}, got {labels.dtype} "
                        f"in [{labels.min()}, {labels.max()}]")
    return labels


def _embedder(dataset, features, classifier, inception_weights):
    """(function images -> features, name of the space)."""
    if features == "classifier":
        return classifier.embed, FEATURE_NAMES["classifier"].format(dataset=dataset)
    if features == "inception":
        from gan_lib.features import inception_features, inception_model

        model = inception_model(inception_weights)
        name = FEATURE_NAMES["inception"] if inception_weights == "imagenet" else \
            f"Inception-v3 pool3, weights={inception_weights} (2048; NOT comparable with FID)"
        return (lambda x: inception_features(x, model)), name
    raise ConfigError(f"unknown features '{features}'; use classifier (MNIST-size data) or "
                      "inception (RGB images)")


def _split_features(key, split_images, embed):
    """A whole split's features, kept for the next call (many sample sets are scored against the
    same split): two at a time, one dataset's training and test split (60,000 x 128 is 30 MB)."""
    if key not in _SPLIT_FEATURES:
        if len(_SPLIT_FEATURES) >= 2:
            _SPLIT_FEATURES.clear()
        _SPLIT_FEATURES[key] = embed(split_images)
    return _SPLIT_FEATURES[key]


def _reference_features(reference, train_images, embed, *key) -> tuple:
    """(features searched for copies, features of the reference): the training split's and the
    test split's are kept for the next call (``_split_features``, keyed by ``key``: dataset,
    features, classifier, Inception weights); a given array is embedded."""
    if train_images is None:
        train_emb = embed(reference)
        return train_emb, train_emb
    train_emb = _split_features(key + (train_images.shape,), train_images, embed)
    if reference is train_images:
        return train_emb, train_emb
    return train_emb, _split_features(key + (reference.shape, "test"), reference, embed)


def _check_sample_count(n: int, k: int, k_density: int) -> None:
    need = max(k, k_density) + 1
    if n < need:
        raise DataError(f"{n} samples are too few for k = {max(k, k_density)} nearest "
                        f"neighbours; use at least {need} (10,000 for publishable numbers)")
    metrics.check_k(k, n, "the samples")
    metrics.check_k(k_density, n, "the samples")


def evaluate_samples(dataset: str, images, labels=None, seed: int = 0, k: int = 3,
                     classifier=None, reference=None, k_density: int = 5, features=None,
                     inception_weights="imagenet", realism_shown: int = 10) -> dict:
    """All metrics for ``images`` (uint8, or floats in [-1, 1]) of ``dataset``.

    ``k``: neighbours for precision/recall and the realism score (3, Kynkaanniemi et al.);
    ``k_density``: for density/coverage (5, Naeem et al.). With ``labels`` (a conditional model's
    requested classes) the report adds ``label_accuracy``: the fraction of samples the classifier
    assigns to the requested class. ``reference``: the real images the samples are compared with:
    "train" (default; the training split), "test" (the held-out split; copies are still searched
    for among the training images), or an array (also searched for copies). ``features``:
    "classifier" (default for mnist / fashion_mnist) or "inception" (default for image folders;
    ``inception_weights=None`` gives random weights, for tests).
    """
    from gan_lib.classifier import REQUIRED_ACCURACY, load_classifier
    from gan_lib.data import POINT_SETS

    if reference is None or isinstance(reference, str):
        _check_split(dataset, reference)
    if dataset in POINT_SETS:
        return evaluate_points(dataset, images)
    if dataset == "stacked_mnist":
        return evaluate_stacked_mnist(images, classifier)
    has_classifier = dataset in REQUIRED_ACCURACY
    images = check_images(images)
    _check_sample_count(len(images), k, k_density)
    reference, num_classes, train_images, source = _reference(dataset, reference, images,
                                                               has_classifier)
    images = check_images(images, reference.shape[1:])
    if labels is not None:
        labels = check_labels(labels, len(images), num_classes or 10)
    features = features or ("classifier" if has_classifier else "inception")
    if has_classifier:
        classifier = classifier or load_classifier(dataset)
    elif features == "classifier":
        raise ConfigError(f"the kit's classifier features exist for mnist and fashion_mnist, not "
                          f"'{dataset}'; use features='inception' (--features inception)")
    embed, space = _embedder(dataset, features, classifier, inception_weights)
    train_emb, ref_emb = _reference_features(reference, train_images, embed, dataset, features,
                                             classifier, inception_weights)
    rng = np.random.default_rng(seed)
    n_ref = min(len(reference), max(len(images), MIN_REFERENCE), MAX_REFERENCE)
    real_emb = ref_emb[np.sort(rng.choice(len(reference), n_ref, replace=False))]
    fake_emb = embed(images)
    report = {"dataset": dataset, "reference": source, "n": int(len(images)),
              "n_reference": int(n_ref), "n_searched_for_copies": int(len(train_emb)),
              "features": space, "k": k, "k_density": k_density}
    if classifier is not None:
        report["classifier_test_accuracy"] = classifier.accuracy
    report.update(_scores(real_emb, fake_emb, train_emb, k, k_density, realism_shown, seed))
    if classifier is not None:
        predicted = classifier.predict(images)
        report.update(metrics.class_histogram(predicted, 10))
        if labels is not None:
            report["label_accuracy"] = float((predicted == labels).mean())
    return report


def real_vs_real(dataset: str, n: int, classifier=None, seed: int = 0) -> dict:
    """The held-out protocol's yardstick: ``n`` random training images (drawn with
    ``np.random.default_rng(seed)``) scored with ``reference="test"``, exactly as samples are.

    They are what a perfect generator draws: real images that are not in the reference; a score
    is read as a fraction of theirs, never of 1.0. A training image is a copy of itself, so the
    report's authenticity is that of the first ``n`` held-out images, searched for as samples are.
    """
    from gan_lib.classifier import load_classifier
    from gan_lib.data import load_dataset

    _check_split(dataset, "test")
    classifier = classifier or load_classifier(dataset)
    train = load_dataset(dataset).images
    pick = np.random.default_rng(seed).choice(len(train), n, replace=False)
    report = evaluate_samples(dataset, train[pick], classifier=classifier, reference="test")
    train_emb, _ = _reference_features(train, train, classifier.embed, dataset, "classifier",
                                       classifier, "imagenet")
    held_out = load_dataset(dataset, "test").images[:n]
    copy, _, _ = metrics.copy_flags(train_emb, classifier.embed(held_out))
    report["authenticity"], report["copies"] = float(1.0 - copy.mean()), int(copy.sum())
    report["yardstick"] = (f"{n} random training images (seed {seed}); authenticity: the first "
                           f"{len(held_out)} held-out images")
    return report


def _check_split(dataset, reference) -> str:
    """The split ``reference`` names ("train" for None), or one line on what is wrong."""
    from gan_lib.data import BUILTIN

    reference = reference or "train"
    if reference not in ("train", "test"):
        raise ConfigError(f"reference '{reference}' is not a split; use train (the default), "
                          "test (the held-out images) or pass an array of images")
    if reference == "test" and dataset not in BUILTIN:
        raise ConfigError(f"{dataset} has no held-out test split here; reference='test' "
                          f"(--reference test) is for {' and '.join(BUILTIN)}")
    return reference


def _reference(dataset, reference, images, has_classifier):
    """(reference images, number of classes, the training split when copies are searched in it,
    the reference's name: "train", "test" or "given")."""
    from gan_lib.data import load_dataset

    if reference is not None and not isinstance(reference, str):
        return check_images(reference, name="reference images"), 10, None, "given"
    reference = reference or "train"  # a split name evaluate_samples has checked
    size = () if has_classifier else (images.shape[1], images.shape[3])
    train = load_dataset(dataset, "train", *size)
    if train.images is None:
        raise DataError(f"{dataset} is too large to hold in memory for evaluation; raise "
                        "GAN_CACHE_BYTES or evaluate on a smaller folder")
    real = train.images if reference == "train" else load_dataset(dataset, "test").images
    return real, (train.num_classes or 0), train.images, reference


def _scores(real_emb, fake_emb, train_emb, k, k_density, shown, seed=0) -> dict:
    """Every embedding metric (the k-NN ones in one pass, metrics.knn_metrics); copies are
    searched for in the whole ``train_emb``. FID and KID compare the same real embeddings;
    KID's random subsets are drawn with ``seed``."""
    out = {"fid": metrics.frechet_distance(real_emb, fake_emb)}
    out.update(metrics.kernel_inception_distance(real_emb, fake_emb, seed=seed))
    knn = metrics.knn_metrics(real_emb, fake_emb, k, k_density)
    out.update({key: knn[key] for key in ("precision", "recall", "density", "coverage",
                                          "alpha_precision", "beta_recall")})
    copy, _, _ = metrics.copy_flags(train_emb, fake_emb)
    out["authenticity"] = float(1.0 - copy.mean())
    out["copies"] = int(copy.sum())
    realism = knn["realism"]
    order = np.argsort(realism, kind="stable")
    out["realism_median"] = float(np.median(realism))
    out["realism_worst"] = [[int(i), float(realism[i])] for i in order[:shown]]
    out["realism_best"] = [[int(i), float(realism[i])] for i in order[::-1][:shown]]
    out["alpha_curve"], out["beta_curve"] = knn["alpha_curve"], knn["beta_curve"]
    return out


def save_realism_picture(images, report, path) -> None:
    """A two-row PNG: the samples with the highest realism score (top row) and the lowest."""
    from gan_lib.plotting import save_grid

    if "realism_best" not in report:
        raise ConfigError(f"--picture shows the most and least realistic samples, and "
                          f"{report.get('dataset', 'this dataset')} is scored by its modes, "
                          "without realism scores; drop --picture")
    best = [i for i, _ in report["realism_best"]]
    worst = [i for i, _ in report["realism_worst"]]
    images = np.asarray(images)
    if images.dtype != np.uint8:
        from gan_lib.data import to_uint8

        images = to_uint8(images)
    save_grid(images[best + worst], path, ncols=len(best))


def evaluate_points(dataset: str, points) -> dict:
    """Samples of a 2-D mixture (``ring8``, ``grid25``; an .npz's ``points`` [N, 2] or its
    ``images`` [N, 1, 1, 2]) scored as the mode-collapse papers score them: modes covered and
    the share of high-quality samples (gan_lib.modes.mode_coverage)."""
    from gan_lib import modes
    from gan_lib.mixtures import MIXTURES

    points = np.asarray(points, dtype=np.float64).reshape(len(points), -1)
    means, std = MIXTURES[dataset]
    return {"dataset": dataset, "n": len(points), **modes.mode_coverage(points, means, std)}


def evaluate_stacked_mnist(images, classifier=None) -> dict:
    """Stacked MNIST samples (uint8 [N, 28, 28, 3] or floats in [-1, 1]) scored as the
    mode-collapse papers score them: the kit's MNIST classifier reads each channel, and the report
    gives the modes reached (of 1,000) and KL(p || uniform) of the mode histogram, in nats
    The papers use 26,000 samples: both numbers depend
    on N; ``top_modes``: the most frequent modes as [mode id, count]."""
    from gan_lib import modes
    from gan_lib.classifier import load_classifier
    from gan_lib.stacked_mnist import NAME, SHAPE, TOP_SHOWN

    images = check_images(images, SHAPE)
    if len(images) == 0:
        raise DataError("no samples to evaluate; pass at least one stacked image")
    classifier = classifier or load_classifier("mnist")
    report = modes.stacked_mnist_modes(modes.classify_stacked_mnist(images, classifier))
    counts = np.asarray(report.pop("counts"))
    top = np.argsort(-counts, kind="stable")[:TOP_SHOWN]
    return {"dataset": NAME, "n": int(len(images)), "modes": report["modes"],
            "num_modes": modes.STACKED_MODES, "kl": report["kl"],
            "classifier_test_accuracy": classifier.accuracy,
            "top_modes": [[int(k), int(counts[k])] for k in top if counts[k] > 0]}


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


def evaluate_run(run_dir, n: int = 10_000, seed: int = 0, return_images: bool = False,
                 reference: str = "train"):
    """Sample ``n`` images from a run's latest checkpoint and evaluate them, plus D's table.
    ``reference``: "train" or "test", as in :func:`evaluate_samples`. With ``return_images``:
    (report, images), e.g. for ``save_realism_picture``."""
    from gan_lib.data import load_dataset
    from gan_lib.checkpoint import load_generator
    from gan_lib.sampling import sample_images

    # G and D from the same newest intact checkpoint (checkpoint.py finds it from its files)
    gan, config = load_generator(run_dir, with_discriminator=True)
    _check_split(config.dataset, reference)
    if config.dataset == "stacked_mnist":  # scored by its modes, as the papers do
        images, _ = sample_images(gan, n, seed=seed)
        report = {**evaluate_stacked_mnist(images), "run": str(run_dir)}
        return (report, images) if return_images else report
    if config.dataset not in ("mnist", "fashion_mnist"):
        raise ConfigError(f"evaluation of a run needs mnist, fashion_mnist or stacked_mnist, "
                          f"this run used {config.dataset}; sample it and pass --samples with "
                          "--dataset")
    images, labels = sample_images(gan, n, seed=seed)
    report = evaluate_samples(config.dataset, images, labels, seed=seed, reference=reference)
    report["run"] = str(run_dir)
    if config.pack > 1:  # a PacGAN D judges packs, not single images: no per-image table
        return (report, images) if return_images else report
    # D as a classifier: score test images against the samples.
    test = load_dataset(config.dataset, "test")
    m = min(n, len(test))
    if gan.conditional:
        table = discriminator_table(gan, (test.images[:m], test.labels[:m]),
                                    (images[:m], labels[:m]))
    else:
        table = discriminator_table(gan, test.images[:m], images[:m])
    report["discriminator_as_classifier"] = table
    return (report, images) if return_images else report


def nearest_training_images(samples, train_images, classifier, k: int = 3) -> np.ndarray:
    """Indices [len(samples), k] of each sample's nearest training images in embedding space:
    the first thing to look at when a generator might be copying its data. Pass the whole
    training split (60,000 MNIST images take about 10 s to embed on 2 CPU cores)."""
    samples = check_images(samples)
    train_images = check_images(train_images, name="training images")
    metrics.check_k(k, len(train_images) + 1, "the training images")
    emb_s, emb_t = classifier.embed(samples), classifier.embed(train_images)
    out = np.empty((len(samples), k), dtype=np.int64)
    for start, d in metrics.pairwise_distances(emb_s, emb_t):
        part = np.argpartition(d, k - 1, axis=1)[:, :k]
        order = np.take_along_axis(d, part, axis=1).argsort(axis=1, kind="stable")
        out[start:start + len(d)] = np.take_along_axis(part, order, axis=1)
    return out
