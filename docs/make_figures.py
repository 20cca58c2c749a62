"""Rerun the notebooks' full-mode results and write the pictures they show, with their numbers.

    python docs/make_figures.py 00 02      # the figures of notebooks 00 and 02
    python docs/make_figures.py all        # every target in turn (each JSON records its wall time)

Each target writes ``docs/images/<target>_*.png`` and a JSON file with the numbers the notebook
quotes, the command, the date, the machine and versions, and the wall time of the run (measured on
the machine that ran it; the load average says whether the CPU was shared). Needs the real data
(``GAN_DATA_DIR``) for every target but 00. Runs are seeded; numbers can still differ in the last
digits across machines and TensorFlow versions. Targets: 00 01 02 04 05 06 07a 07b 08 08b 09 10a
10b 10c 10d (notebook 07's full mode is split in two: 07a the eleven losses and tricks, 07b the
over-powered discriminator; notebook 08's: 08 ACGAN and InfoGAN for 10 epochs, 08b InfoGAN with
the paper's settings, drawn from the best seed that ``benchmarks/infogan_paper.py`` trained;
notebook 10's in four: 10a mode collapse on ring8 and grid25, 10b oscillation and R1, 10c the
plain-GAN settings tried first, 10d Stacked MNIST, drawn from ``benchmarks/stacked_mnist.py``'s
record, which trains those runs).
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "images"


def _save(fig, name: str) -> None:
    fig.savefig(OUT / name, dpi=80, bbox_inches="tight")
    print(f"wrote docs/images/{name}")


def _meta(target: str, seconds: float) -> dict:
    """Where, when and how a figure's run was made: the command, the date, the machine, the
    versions, the wall time, and the load average (the CPU may have been shared)."""
    import datetime
    import platform

    import keras
    import tensorflow as tf

    gpus = tf.config.list_physical_devices("GPU")
    machine = f"{platform.machine()}, {os.cpu_count()} CPU cores, "
    machine += f"{len(gpus)} GPU(s)" if gpus else "no GPU"
    return {"command": f"python docs/make_figures.py {target}",
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine,
            "versions": f"Python {platform.python_version()}, TensorFlow {tf.__version__}, "
                        f"Keras {keras.__version__}",
            "niceness": os.nice(0),
            "load_average_1_5_15_min_at_end": [round(x, 2) for x in os.getloadavg()],
            "wall_seconds": round(seconds, 1),
            # CPU time of this process (all its threads): unlike wall time, it does not grow
            # while the process waits for a shared CPU or is paused
            "process_cpu_seconds": round(time.process_time(), 1)}


def _write_json(name: str, data: dict) -> None:
    (OUT / name).write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote docs/images/{name}")


def figure_00() -> None:
    """Notebook 00 in full mode: three seeds, 3,000 steps each."""
    from matplotlib.figure import Figure

    from gan_lib.course.toy import ToyGAN, plot_snapshot, snapshot_jsd

    begin = time.perf_counter()
    fig = Figure(figsize=(14, 3.6))
    axes = fig.subplots(1, 4)
    numbers = {"steps": 3000, "seeds": {}}
    for seed, ax in zip((0, 1, 2), axes[1:]):
        start = time.perf_counter()
        gan = ToyGAN(seed=seed)
        curve = [(0, snapshot_jsd(gan.snapshot()))]
        curve += [(s.step, snapshot_jsd(s)) for s in gan.train(3000, snapshot_every=100)]
        seconds = time.perf_counter() - start
        final = gan.snapshot(n=20000)
        axes[0].plot(*zip(*curve), label=f"seed {seed}")
        plot_snapshot(final, ax)
        ax.set_title(f"seed {seed}, step 3000: mean {final.generated.mean():.2f}, "
                     f"std {final.generated.std():.2f}", fontsize=9)
        numbers["seeds"][seed] = {"seconds_with_snapshots": round(seconds, 1),
                                  "final_jsd": round(snapshot_jsd(final), 4),
                                  "min_jsd_over_training": round(min(j for _, j in curve), 4),
                                  "generated_mean": round(float(final.generated.mean()), 3),
                                  "generated_std": round(float(final.generated.std()), 3)}
    axes[0].set_xlabel("step"); axes[0].set_ylabel("JSD estimate (nats)")
    axes[0].set_ylim(0, 0.75); axes[0].legend(); axes[0].set_title("JSD(p_data || p_g)")
    axes[1].legend(loc="upper left", fontsize=7)
    fig.tight_layout()
    _save(fig, "00_toy_full.png")
    numbers["data"] = {"mean": 4.0, "std": 1.25}
    _write_json("00_toy_full.json", {**_meta("00", time.perf_counter() - begin), **numbers})


def figure_02() -> None:
    """Notebook 02 in full mode: the fixed seed recipe, 50 epochs, and its class histogram."""
    import numpy as np
    from matplotlib.figure import Figure

    from gan_lib import TrainConfig, Trainer
    from gan_lib.classifier import load_classifier
    from gan_lib.data import load_dataset
    from gan_lib.plotting import show_grid
    from gan_lib.sampling import sample_images

    begin = time.perf_counter()
    fashion = load_dataset("fashion_mnist")
    config = TrainConfig(model="mlp", dataset="fashion_mnist", batch_size=128, latent_dim=100,
                         lr_g=2e-4, lr_d=2e-4, beta_1=0.5, epochs=50, verbose=0)
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(config, Path(tmp) / "run", data=fashion)
        start = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - start
        grid = trainer.generate()
        images, _ = sample_images(trainer.gan, 10_000, seed=1)
    classifier = load_classifier("fashion_mnist", verbose=0)
    counts = np.bincount(classifier.predict(images), minlength=10)
    fig = Figure(figsize=(13, 5.5))
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.2]})
    show_grid(grid, ncols=8, ax=ax1, title="the fixed seed recipe after 50 epochs")
    names = fashion.class_names
    ax2.barh(range(10), counts, color="tab:blue", label="10,000 samples")
    ax2.axvline(1000, color="gray", ls="--", label="test set: 1,000 per class")
    ax2.set_yticks(range(10), names); ax2.invert_yaxis()
    ax2.set_xlabel("samples the classifier assigns to the class"); ax2.legend(loc="lower right")
    fig.tight_layout()
    _save(fig, "02_fashion_mlp_50_epochs.png")
    _write_json("02_fashion_mlp_50_epochs.json", {
        **_meta("02", time.perf_counter() - begin), "steps": trainer.global_step,
        "training_seconds": round(seconds, 1), "cpu_count": os.cpu_count(),
        "class_counts_of_10000_samples": dict(zip(names, map(int, counts)))})


def figure_01() -> None:
    """Notebook 01 in full mode: the gan_lib part, 30 epochs of the MLP GAN on MNIST."""
    from matplotlib.figure import Figure

    from gan_lib import TrainConfig, Trainer
    from gan_lib.data import load_dataset
    from gan_lib.plotting import show_grid, smooth

    begin = time.perf_counter()
    mnist = load_dataset("mnist")
    config = TrainConfig(model="mlp", dataset="mnist", batch_size=128, latent_dim=100, epochs=30,
                         verbose=0)
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(config, Path(tmp) / "run", data=mnist)
        start = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - start
    h = trainer.history
    fig = Figure(figsize=(12, 5))
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
    show_grid(trainer.generate(), ncols=8, ax=ax1, title="MLP GAN on MNIST, 30 epochs")
    window = max(1, len(h["step"]) // 50)
    for key, label in (("d_loss", "D loss"), ("g_loss", "G loss")):
        ax2.plot(h["step"], smooth(h[key], window), label=label)
    ax2.set_xlabel("step"); ax2.legend(); ax2.set_title("losses (smoothed)")
    fig.tight_layout()
    _save(fig, "01_mlp_mnist_30_epochs.png")
    _write_json("01_mlp_mnist_30_epochs.json", {
        **_meta("01", time.perf_counter() - begin), "steps": trainer.global_step,
        "training_seconds": round(seconds, 1), "cpu_count": os.cpu_count()})


def figure_04() -> None:
    """Notebook 04 in full mode: the cGAN (DCGAN body), 10 epochs, and its per-class agreement."""
    import numpy as np
    from matplotlib.figure import Figure

    from gan_lib import TrainConfig, Trainer
    from gan_lib.classifier import load_classifier
    from gan_lib.data import load_dataset
    from gan_lib.plotting import show_grid
    from gan_lib.sampling import sample_images

    start = time.perf_counter()
    config = TrainConfig(model="cgan", arch="dcgan", dataset="mnist", batch_size=128, epochs=10,
                         verbose=0)
    with tempfile.TemporaryDirectory() as tmp:
        trainer = Trainer(config, Path(tmp) / "run", data=load_dataset("mnist"))
        t0 = time.perf_counter()
        trainer.train()
        training = time.perf_counter() - t0
    classifier = load_classifier("mnist", verbose=0)
    images, labels = sample_images(trainer.gan, 1000, seed=1)  # as the notebook: 100 per class
    predicted = classifier.predict(images)
    per_class = [float((predicted[labels == k] == k).mean()) for k in range(10)]
    accuracy = float(np.mean(predicted == labels))
    seconds = time.perf_counter() - start
    fig = Figure(figsize=(12, 5))
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1, 1.1]})
    grid, ncols = trainer.grid_images()
    show_grid(grid, ncols=ncols, ax=ax1, title="cGAN, 10 epochs: one row per class 0-9")
    ax2.bar(range(10), per_class); ax2.set_xticks(range(10)); ax2.set_ylim(0, 1)
    ax2.axhline(classifier.accuracy, color="gray", ls="--",
                label=f"the classifier's own test accuracy ({classifier.accuracy:.3f})")
    ax2.set_xlabel("requested class"); ax2.set_ylabel("classified as requested")
    ax2.set_title(f"100 samples per class: {accuracy:.1%} classified as requested")
    ax2.legend(loc="lower right")
    fig.tight_layout()
    _save(fig, "04_cgan_10_epochs.png")
    _write_json("04_cgan_10_epochs.json", {
        **_meta("04", seconds), "steps": trainer.global_step,
        "training_seconds": round(training, 1),
        "classifier_test_accuracy": round(float(classifier.accuracy), 4),
        "classified_as_requested": round(accuracy, 4),
        "per_class": [round(x, 2) for x in per_class]})


def figure_05() -> None:
    """Notebook 05 in full mode (N = 300): an uninterrupted 600-step run, the same run stopped at
    step 300 and resumed from its checkpoint, and a restart with everything but the optimisers
    (weights and random generator restored, fresh Adam state). Draws the three generators'
    samples from the same latent vectors and each restart's per-tensor weight gap from the
    uninterrupted run."""
    import numpy as np
    import tensorflow as tf
    from matplotlib.figure import Figure

    from gan_lib import TrainConfig, Trainer
    from gan_lib.data import load_dataset
    from gan_lib.plotting import show_grid

    begin = time.perf_counter()
    mnist = load_dataset("mnist")
    n = 300
    small = dict(model="dcgan", dataset="mnist", batch_size=64, seed=7, verbose=0)
    with tempfile.TemporaryDirectory() as tmp:
        straight = Trainer(TrainConfig(steps=2 * n, **small), Path(tmp) / "straight", data=mnist)
        straight.train()
        Trainer(TrainConfig(steps=n, **small), Path(tmp) / "b", data=mnist).train()
        resumed = Trainer(TrainConfig(steps=2 * n, **small), Path(tmp) / "b", resume=True,
                          data=mnist)
        resumed.train()
        naive = Trainer(TrainConfig(steps=2 * n, **small), data=mnist)  # fresh optimisers
        tf.train.Checkpoint(generator=naive.gan.generator, discriminator=naive.gan.discriminator,
                            rng=naive.rng).read(str(Path(tmp) / "b" / "checkpoints" / f"ckpt-{n}")) \
            .expect_partial()  # all but the optimisers, as notebook 05 does
        naive.step.assign(n)
        naive.train()
    seconds = time.perf_counter() - begin

    def gaps(trainer):
        return [float(np.abs(np.asarray(a) - np.asarray(b)).max())
                for a, b in zip(trainer.gan.generator.weights, straight.gan.generator.weights)]

    resumed_gaps, naive_gaps = gaps(resumed), gaps(naive)
    fig = Figure(figsize=(13, 4.2))
    axes = fig.subplots(1, 4, gridspec_kw={"width_ratios": [1, 1, 1, 1.4]})
    for ax, (title, trainer) in zip(axes, (("uninterrupted, 600 steps", straight),
                                           ("stopped at 300, resumed", resumed),
                                           ("restart with fresh optimisers", naive))):
        show_grid(trainer.generate()[:16], ncols=4, ax=ax, title=title)
    ax = axes[3]
    ax.bar(np.arange(len(naive_gaps)), naive_gaps, color="tab:red", label="fresh optimisers")
    ax.plot(np.arange(len(resumed_gaps)), resumed_gaps, "k_", ms=12,
            label=f"resumed (largest gap {max(resumed_gaps):g})")
    ax.set_xlabel("generator tensor (weights and batch-norm moving statistics)")
    ax.set_ylabel("largest |difference|")
    ax.set_title("generator: gap from the uninterrupted run"); ax.legend(fontsize=8)
    fig.tight_layout()
    _save(fig, "05_resume_300_steps.png")
    trained = {v.path for v in naive.gan.generator.trainable_weights}
    by_tensor = {v.path: round(g, 4) for v, g in zip(naive.gan.generator.weights, naive_gaps)}
    _write_json("05_resume_300_steps.json", {
        **_meta("05", seconds), "steps": 2 * n,
        "resumed_largest_generator_gap": max(resumed_gaps),
        "fresh_optimisers_largest_generator_gap": round(max(naive_gaps), 4),
        # every generator tensor (generator.weights: trained weights and batch-norm moving
        # statistics); the largest gap over the trained weights alone
        "fresh_optimisers_gap_by_tensor": by_tensor,
        "fresh_optimisers_largest_trained_weight_gap": max(g for k, g in by_tensor.items()
                                                           if k in trained)})


def figure_06() -> None:
    """Notebook 06 in full mode, on the held-out protocol (BENCHMARKS.md section 3): 5,000 images
    per case scored against 5,000 of the 10,000 held-out test digits, real training digits beside them
    ("real vs real"); authenticity searches the whole training split. The calibration cases, the
    DCGAN scored on 5,000 samples every 400 steps to 3,200, and D's table."""
    import numpy as np
    from matplotlib.figure import Figure

    from gan_lib import TrainConfig, Trainer
    from gan_lib.classifier import load_classifier
    from gan_lib.data import load_dataset
    from gan_lib.evaluate import discriminator_table, evaluate_samples, real_vs_real
    from gan_lib.plotting import show_grid
    from gan_lib.sampling import sample_images

    start = time.perf_counter()
    classifier = load_classifier("mnist", verbose=0)
    train, test = load_dataset("mnist"), load_dataset("mnist", "test")
    n = 5000
    held_out = test.images

    def score(images):  # as notebook 06 scores
        return evaluate_samples("mnist", images, classifier=classifier, reference="test")

    rng = np.random.default_rng(0)
    keys = ["fid", "precision", "recall", "density", "coverage", "alpha_precision",
            "beta_recall", "authenticity", "normalized_entropy"]
    cases = {"uniform noise": rng.integers(0, 256, size=(n, 28, 28, 1), dtype=np.uint8),
             "only the digit 1": train.images[train.labels == 1][:n]}
    real_row = real_vs_real("mnist", n, classifier)
    reports = {"real vs real (training digits)": real_row,
               **{name: score(images) for name, images in cases.items()}}
    chunk, chunks = 400, 8
    curve = []
    training = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        # the DCGAN paper's recipe, as the notebook pins it (the kit's 28x28 default is another)
        trainer = Trainer(TrainConfig(model="dcgan", dataset="mnist", steps=chunk * chunks,
                                      verbose=0, batch_size=128, lr_g=2e-4, lr_d=2e-4),
                          Path(tmp) / "run", data=train)
        for _ in range(chunks):
            t0 = time.perf_counter()
            trainer.train(steps=chunk)
            training += time.perf_counter() - t0
            images, _ = sample_images(trainer.sampling_gan(), n, seed=1)
            report = score(images)
            curve.append((trainer.global_step, report))
            print(f"step {trainer.global_step}: FID {report['fid']:.5f} precision "
                  f"{report['precision']:.3f} recall {report['recall']:.3f}", flush=True)
    samples, _ = sample_images(trainer.gan, n, seed=2)
    table = discriminator_table(trainer.gan, test.images[:n], samples)
    seconds = time.perf_counter() - start
    fig = Figure(figsize=(16, 4.2))
    ax0, ax1, ax2, ax3 = fig.subplots(1, 4, gridspec_kw={"width_ratios": [1, 1, 1, 1]})
    show_grid(samples[:36], ncols=6, ax=ax0, title=f"DCGAN after {trainer.global_step} steps")
    p, r = [c[1]["precision"] for c in curve], [c[1]["recall"] for c in curve]
    ax1.plot(r, p, "o-", label="DCGAN")
    ax1.plot(real_row["recall"], real_row["precision"], "k*", ms=10, label="real vs real")
    for (step, _), x, y in zip(curve, r, p):
        ax1.annotate(str(step), (x, y), fontsize=7)
    ax1.set_xlim(0, 1); ax1.set_ylim(0, 1); ax1.legend(fontsize=7, loc="lower left")
    ax1.set_xlabel("recall (diversity)"); ax1.set_ylabel("precision (fidelity)")
    ax1.set_title("5,000 samples vs the held-out digits")
    ax2.plot([c[0] for c in curve], [c[1]["fid"] for c in curve], "o-", label="DCGAN")
    ax2.axhline(real_row["fid"], color="k", ls=":", label="real vs real")
    ax2.set_yscale("log"); ax2.legend(fontsize=7)
    ax2.set_xlabel("step"); ax2.set_ylabel("FID (classifier features)"); ax2.set_title("FID")
    ax3.bar(range(10), curve[-1][1]["class_histogram"]); ax3.set_xticks(range(10))
    ax3.set_title(f"class histogram, entropy {curve[-1][1]['normalized_entropy']:.2f}")
    fig.tight_layout()
    _save(fig, "06_evaluation_full.png")
    _write_json("06_evaluation_full.json", {
        **_meta("06", seconds), "training_seconds": round(training, 1),
        "protocol": f"{n} images per row against {n} of the {len(held_out)} held-out test digits "
                    "(evaluate_samples(reference='test') draws as many as samples); authenticity searched over the "
                    "whole training split; the real-vs-real row is 5,000 training digits "
                    "(np.random.default_rng(0)), its authenticity that of 5,000 test digits",
        "images_per_case": n,
        "calibration": {name: {k: round(float(r[k]), 4 if k != "fid" else 6) for k in keys}
                        for name, r in reports.items()},
        "dcgan_curve": [{"step": step, **{k: round(float(r[k]), 4 if k != "fid" else 6)
                                          for k in keys}}
                        for step, r in curve],
        "discriminator_table": {k: round(float(v), 4) for k, v in table.items()}})


def _figure_07_runs(runs: dict, name: str, target: str, title: str, strong: bool) -> None:
    """Train notebook 07's full-mode runs (3,000 steps each, batch 64) and draw their samples,
    class entropy (collapse monitor) and mean D(G(z))."""
    from matplotlib.figure import Figure

    from gan_lib import TrainConfig, Trainer
    from gan_lib.data import load_dataset
    from gan_lib.course.notebook import quiet_training
    from gan_lib.plotting import show_grid, smooth

    start = time.perf_counter()
    mnist = load_dataset("mnist")
    base = dict(model="dcgan", dataset="mnist", batch_size=64, collapse_monitor=True, verbose=0,
                steps=3000, sample_every_steps=250)
    numbers, trainers = {}, {}
    for label, options in runs.items():
        t0 = time.perf_counter()
        trainer = Trainer(TrainConfig(**base, **options), data=mnist)
        with quiet_training():
            h = trainer.train()
        entropy = trainer.monitor.history["entropy"]
        numbers[label] = {"options": options, "seconds": round(time.perf_counter() - t0, 1),
                          "final_d_loss": round(float(h["d_loss"][-1]), 3),
                          "final_g_loss": round(float(h["g_loss"][-1]), 3),
                          "class_entropy_final": round(float(entropy[-1]), 3),
                          "class_entropy_min": round(float(min(entropy)), 3)}
        if "d_fake" in h and h["d_fake"]:
            tail = h["d_fake"][-100:]
            numbers[label]["mean_d_fake_last_100_steps"] = round(float(sum(tail) / len(tail)), 3)
        trainers[label] = trainer
        print(label, numbers[label], flush=True)
    seconds = time.perf_counter() - start
    cols = len(trainers) + 1 if strong else 6
    rows = 1 if strong else 2
    fig = Figure(figsize=(3 * cols, 3.3 * rows + (0 if strong else 3.5)))
    grid = fig.add_gridspec(rows + (0 if strong else 1), cols)
    for i, (label, trainer) in enumerate(trainers.items()):
        ax = fig.add_subplot(grid[i // cols, i % cols])
        show_grid(trainer.generate()[:16], ncols=4, ax=ax, title=label)
    ax = fig.add_subplot(grid[0, -1] if strong else grid[rows, :])
    for label, trainer in trainers.items():
        if strong:
            window = max(1, len(trainer.history["step"]) // 50)
            ax.plot(trainer.history["step"], smooth(trainer.history["d_fake"], window),
                    label=label, lw=1)
        else:
            ax.plot(trainer.monitor.history["step"], trainer.monitor.history["entropy"], "o-",
                    ms=3, label=label)
    if strong:
        ax.set_title("mean D(G(z)), smoothed"); ax.set_ylim(0, 1); ax.set_xlabel("step")
        ax.legend(fontsize=6)
    else:
        ax.set_ylim(0, 1.02); ax.set_xlabel("step"); ax.set_ylabel("class entropy (normalised)")
        ax.legend(fontsize=7, ncol=3)
    fig.suptitle(title)
    fig.tight_layout()
    _save(fig, f"{name}.png")
    _write_json(f"{name}.json", {**_meta(target, seconds), "steps_per_run": 3000,
                                 "batch_size": 64, "runs": numbers})


FIGURE_07_VARIANTS = {
    "minimax (saturating)": dict(loss="minimax"),
    "non-saturating (bce)": dict(loss="bce"),
    "LSGAN": dict(loss="lsgan"),
    "WGAN-GP, 5 critic steps": dict(loss="wgan-gp", d_steps=5, lr_g=1e-4, lr_d=1e-4, beta_1=0.0,
                                    beta_2=0.9),
    "hinge + spectral norm": dict(loss="hinge", spectral_norm=True),
    "label smoothing 0.9 (one-sided)": dict(label_smoothing=0.1),
    "label smoothing 0.9/0.1 (two-sided)": dict(label_smoothing=0.1, fake_label=0.1),
    "instance noise 0.1": dict(instance_noise=0.1),
    "TTUR 4e-4 / 1e-4": dict(lr_d=4e-4, lr_g=1e-4),
    "dropout 0.3 in D": dict(d_dropout=0.3),
    "PacGAN, packs of 2": dict(pack=2),
}
_STRONG_D = dict(d_steps=5, lr_d=1e-3, lr_g=2e-4)
FIGURE_07_RESCUE = {
    "strong D + minimax": dict(loss="minimax", **_STRONG_D),
    "strong D + non-saturating": dict(loss="bce", **_STRONG_D),
    "strong D + non-sat. + spectral norm": dict(loss="bce", spectral_norm=True, **_STRONG_D),
}


def figure_07a() -> None:
    """Notebook 07 in full mode, first part: the eleven losses and tricks, 3,000 steps each."""
    _figure_07_runs(FIGURE_07_VARIANTS, "07_losses_3000_steps", "07a",
                    "eleven losses and tricks, 3,000 steps each (batch 64)", strong=False)


def figure_07b() -> None:
    """Notebook 07 in full mode, second part: the over-powered discriminator, 3,000 steps each."""
    _figure_07_runs(FIGURE_07_RESCUE, "07_strong_d_3000_steps", "07b",
                    "an over-powered D (5 D steps at 5x G's learning rate), 3,000 steps",
                    strong=True)


def figure_08() -> None:
    """Notebook 08 in full mode: ACGAN and InfoGAN, 10 epochs each."""
    import numpy as np
    import tensorflow as tf
    from matplotlib.figure import Figure

    from gan_lib import TrainConfig, Trainer
    from gan_lib.classifier import load_classifier
    from gan_lib.data import load_dataset
    from gan_lib.metrics import best_matching_accuracy
    from gan_lib.plotting import show_grid
    from gan_lib.sampling import sample_images

    start = time.perf_counter()
    mnist = load_dataset("mnist")
    classifier = load_classifier("mnist", verbose=0)
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        acgan = Trainer(TrainConfig(model="acgan", dataset="mnist", epochs=10, verbose=0),
                        Path(tmp) / "acgan", data=mnist)
        acgan.train()
        acgan_seconds = time.perf_counter() - t0
        t0 = time.perf_counter()
        info = Trainer(TrainConfig(model="infogan", dataset="mnist", latent_dim=62, epochs=10,
                                   verbose=0), Path(tmp) / "infogan", data=mnist)
        info.train()
        info_seconds = time.perf_counter() - t0
    images, labels = sample_images(acgan.gan, 1000, seed=1)
    acgan_accuracy = float(np.mean(classifier.predict(images) == labels))
    rng = tf.random.Generator.from_seed(5)
    categories = tf.constant(np.arange(1000) % 10, tf.int32)
    images = info.gan.generate(info.gan.latent(rng, 1000, categories=categories)).numpy()
    agreement = best_matching_accuracy(categories.numpy(), classifier.predict(images))
    _, q_output = info.gan.judge(images, training=False)  # does Q read the category back?
    q_accuracy = float(np.mean(np.argmax(q_output.numpy()[:, :10], axis=1) == categories.numpy()))
    info_loss = info.history["aux_loss"][-100:]
    n = 10
    cats = np.repeat(np.arange(10), n)
    cont = np.stack([np.tile(np.linspace(-1, 1, n), 10), np.zeros(10 * n)],
                    axis=1).astype("float32")
    noise_rng = tf.random.Generator.from_seed(9)
    z = info.gan.latent(noise_rng, 10 * n, categories=tf.constant(cats, tf.int32),
                        continuous=cont)
    z = tf.concat([tf.repeat(z[::n, :info.gan.noise_dim], n, axis=0),
                   z[:, info.gan.noise_dim:]], axis=1)
    sweep = info.gan.generate(z).numpy()
    seconds = time.perf_counter() - start
    fig = Figure(figsize=(15, 5.2))
    ax1, ax2, ax3 = fig.subplots(1, 3)
    grid, ncols = acgan.grid_images()
    show_grid(grid, ncols=ncols, ax=ax1,
              title=f"ACGAN, one row per class: {acgan_accuracy:.1%} classified as asked")
    grid, ncols = info.grid_images()
    show_grid(grid, ncols=ncols, ax=ax2,
              title=f"InfoGAN, one row per code value: agreement {agreement['accuracy']:.1%}")
    show_grid(sweep, ncols=n, ax=ax3, title="InfoGAN: continuous code 1 from -1 to 1")
    fig.tight_layout()
    _save(fig, "08_acgan_infogan_10_epochs.png")
    matching = agreement["matching"]
    _write_json("08_acgan_infogan_10_epochs.json", {
        **_meta("08", seconds), "acgan_steps": acgan.global_step,
        "acgan_training_seconds": round(acgan_seconds, 1),
        "infogan_steps": info.global_step, "infogan_training_seconds": round(info_seconds, 1),
        "acgan_classified_as_requested": round(acgan_accuracy, 4),
        "infogan_code_digit_agreement": round(float(agreement["accuracy"]), 4),
        "infogan_q_recovers_category": round(q_accuracy, 4),
        "infogan_information_loss_last_100_steps": round(float(np.mean(info_loss)), 4),
        "infogan_code_to_digit": {str(k): int(v) for k, v in dict(matching).items()}
        if hasattr(matching, "items") else [int(v) for v in matching]})


def figure_09() -> None:
    """Notebook 09 in full mode: pix2pix and the L1-only U-Net, both tasks, 5 epochs each, and
    the table of sharpness, precision, recall, FID and L1 on 5,000 test images, scored against
    the other 5,000 test images (held out from the outputs, as notebook 06's protocol asks)
    beside the 5,000 real targets scored the same way."""
    import numpy as np
    from matplotlib.figure import Figure

    from gan_lib import TrainConfig, Trainer
    from gan_lib.classifier import load_classifier
    from gan_lib.data import load_dataset
    from gan_lib.evaluate import evaluate_samples
    from gan_lib.metrics import mean_gradient_magnitude
    from gan_lib.variants.pix2pix import translate_images
    from gan_lib.plotting import show_grid

    start = time.perf_counter()
    fashion = load_dataset("fashion_mnist")
    test = load_dataset("fashion_mnist", "test")
    runs, seconds_per_run = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        for task in ("superres", "inpaint"):
            for name, adv in (("pix2pix", 1.0), ("L1 only", 0.0)):
                t0 = time.perf_counter()
                config = TrainConfig(model="pix2pix", dataset="fashion_mnist", task=task,
                                     adv_weight=adv, epochs=5, verbose=0)
                runs[task, name] = Trainer(config, Path(tmp) / f"{task}_{adv}", data=fashion)
                runs[task, name].train()
                seconds_per_run[f"{task}, {name}"] = round(time.perf_counter() - t0, 1)
                print(task, name, seconds_per_run[f"{task}, {name}"], flush=True)
    n = 5000
    outputs = {key: translate_images(t.gan, t.config, n)[0] for key, t in runs.items()}
    classifier = load_classifier("fashion_mnist", verbose=0)
    real_sharpness = mean_gradient_magnitude(test.images[:n])
    held_out = test.images[n:2 * n]  # the reference: test garments no output was made from
    table = {}
    # the real garments the outputs should match, scored the same way: the yardstick
    for (task, name), images in {("real", "targets"): test.images[:n], **outputs}.items():
        r = evaluate_samples("fashion_mnist", images, classifier=classifier, reference=held_out)
        l1 = np.abs(images.astype(float) - test.images[:n].astype(float)).mean() / 255
        table[f"{task}, {name}"] = {
            "sharpness_vs_real": round(float(mean_gradient_magnitude(images) / real_sharpness), 3),
            "precision": round(float(r["precision"]), 3), "recall": round(float(r["recall"]), 3),
            "fid": round(float(r["fid"]), 4), "l1": round(float(l1), 4)}
    seconds = time.perf_counter() - start
    fig = Figure(figsize=(12, 10))
    axes = fig.subplots(2, 1)
    for ax, task in zip(axes, ("superres", "inpaint")):
        _, inputs, targets = translate_images(runs[task, "pix2pix"].gan, runs[task, "pix2pix"].config, 10)
        rows = np.concatenate([inputs, outputs[task, "L1 only"][:10],
                               outputs[task, "pix2pix"][:10], targets])
        show_grid(rows, ncols=10, ax=ax, title=f"{task}, 5 epochs: input / L1 only / pix2pix / real")
    fig.tight_layout()
    _save(fig, "09_pix2pix_5_epochs.png")
    _write_json("09_pix2pix_5_epochs.json", {
        **_meta("09", seconds), "steps_per_run": runs["superres", "pix2pix"].global_step,
        "training_seconds_per_run": seconds_per_run, "test_images_scored": n,
        "reference": f"test images {n:,} to {2 * n - 1:,} (the outputs are of the first {n:,})",
        "table": table})


def _ring_references() -> dict:
    """What the metrics give for two known point sets: 2,500 real test points, and 2,500 points
    spread evenly round the ring's circle (every mode touched, most points between modes)."""
    import numpy as np

    from gan_lib.data import load_dataset, point_modes
    from gan_lib.modes import mode_coverage

    means, std = point_modes("ring8")
    angle = np.linspace(0, 2 * np.pi, 2500, endpoint=False)
    sets = {"real_test_points": load_dataset("ring8", "test").images[:2500].reshape(-1, 2),
            "even_circle": np.stack([np.cos(angle), np.sin(angle)], axis=1)}
    return {name: {k: v for k, v in mode_coverage(p, means, std).items() if k != "counts"}
            for name, p in sets.items()}


def _watched_runs(runs: dict, seeds, dataset: str = "ring8") -> tuple:
    """Train each of notebook 10's ``runs`` for each seed; ({name: seed-0 watch}, record)."""
    from gan_lib.course import failures
    from gan_lib.data import load_dataset

    data, base = load_dataset(dataset), {**failures.RING, "dataset": dataset}
    watches, record = {}, {}
    for name, options in runs.items():
        record[name] = {"options": options, "seeds": {}}
        for seed in seeds:
            _, watch, seconds = failures.train_watched(options, seed, base, data)
            record[name]["seeds"][seed] = {"command": failures.command(options, seed, base),
                                           "training_seconds": round(seconds, 1),
                                           "checkpoints": watch.history}
            watches.setdefault(name, watch)
            print(f"{dataset} {name}, seed {seed}: {seconds:.0f} s, modes "
                  f"{watch.column('modes')}", flush=True)
    return watches, record


def _draw_10a(watches: dict, record: dict):
    from matplotlib.figure import Figure

    from gan_lib.course.failures import plot_snapshots

    fig = Figure(figsize=(13, 10.5))
    top, bottom = fig.subfigures(2, 1, height_ratios=[3, 1.5])
    plot_snapshots(watches, columns=6, fig=top)
    top.suptitle("ring8, seed 0: 2,500 samples at six of the checkpoints (modes covered, "
                 "high-quality share)", fontsize=10)
    ax_modes, ax_quality = bottom.subplots(1, 2)
    for colour, (name, runs) in enumerate(record.items()):
        for seed, run in runs["seeds"].items():
            steps = [c["step"] for c in run["checkpoints"]]
            style = dict(color=f"C{colour}", ls=("-", "--", ":")[int(seed) % 3], lw=1.2,
                         label=f"{name}, seed {seed}")
            ax_modes.plot(steps, [c["modes"] for c in run["checkpoints"]], **style)
            ax_quality.plot(steps, [c["high_quality"] for c in run["checkpoints"]], **style)
    ax_modes.set_ylim(-0.3, 8.5); ax_modes.set_ylabel("modes covered (of 8)")
    ax_quality.set_ylim(0, 1); ax_quality.set_ylabel("high-quality share")
    for ax in (ax_modes, ax_quality):
        ax.set_xlabel("step"); ax.legend(fontsize=6, ncol=3)
    return fig


def figure_10a() -> None:
    """Notebook 10, mode collapse: ring8 with the plain GAN, PacGAN (packs of 2) and minibatch
    std, seeds 0-2, 8,000 steps each, 2,500 samples scored every 500 steps; then the same three
    settings on grid25 (seed 0), tried and recorded."""
    from matplotlib.figure import Figure

    from gan_lib.course import failures

    begin = time.perf_counter()
    watches, record = _watched_runs(failures.RING_RUNS, (0, 1, 2))
    _save(_draw_10a(watches, record), "10_ring8_modes.png")
    grid_watches, grid_record = _watched_runs(failures.RING_RUNS, (0,), "grid25")
    fig = Figure(figsize=(11, 7.5))
    failures.plot_snapshots(grid_watches, columns=5, fig=fig)
    fig.suptitle("grid25 with the ring's settings, seed 0 (modes covered of 25, high-quality "
                 "share)", fontsize=10)
    _save(fig, "10_grid25_tried.png")
    _write_json("10_ring8_modes.json", {
        **_meta("10a", time.perf_counter() - begin), "settings": failures.RING,
        "samples_per_checkpoint": failures.SAMPLES, "latent_seed_of_samples": failures.WATCH_SEED,
        "sample_command": f"python -m gan_lib sample --run RUN --n {failures.SAMPLES} --seed "
                          f"{failures.WATCH_SEED} --out pts.npz",
        "references": _ring_references(), "ring8": record, "grid25_same_settings": grid_record})


def _draw_10b(trainers: dict, watches: dict, found: dict):
    import numpy as np
    from matplotlib.figure import Figure

    from gan_lib.plotting import smooth

    fig = Figure(figsize=(13, 2.6 * len(trainers)))
    axes = fig.subplots(len(trainers), 2, gridspec_kw={"width_ratios": [4, 1]}, squeeze=False)
    for (curves, scatter), (name, trainer) in zip(axes, trainers.items()):
        h, o = trainer.history, found[name]
        for key, label in (("d_real", "D(x), real"), ("d_fake", "D(G(z)), generated")):
            curves.plot(h["step"], smooth(h[key], 10), lw=0.7, label=label)
        curves.axvspan(h["step"][len(h["step"]) // 2], h["step"][-1], color="0.93", zorder=0)
        curves.set_ylim(0, 1); curves.set_ylabel("mean D output"); curves.legend(fontsize=7)
        curves.set_title(f"{name}: swing of d_real - d_fake over the shaded second half "
                         f"{o['amplitude']:.4f} (mean gap {o['mean_gap']:.3f})", fontsize=9)
        w = watches[name]
        scatter.scatter(w.means[:, 0], w.means[:, 1], s=40, marker="+", c="0.6")
        scatter.scatter(*np.asarray(w.points[-1]).T, s=0.5, alpha=0.5)
        scatter.set_xlim(-1.5, 1.5); scatter.set_ylim(-1.5, 1.5); scatter.set_aspect("equal")
        scatter.set_xticks([]); scatter.set_yticks([])
        last = w.history[-1]
        scatter.set_title(f"step {last['step']}: {last['modes']} modes, "
                          f"{last['high_quality']:.0%}", fontsize=8)
    axes[-1, 0].set_xlabel("step (curves: means over 10 steps)")
    fig.tight_layout()
    return fig


def figure_10b() -> None:
    """Notebook 10, oscillation: the plain ring8 run (seed 0) against the same run with R1
    (gamma 0.1 and 1): D's mean outputs, the swing of their gap over the second half
    (``failures.oscillation``) and the modes; with the Dirac-GAN's four settings (exact)."""
    from gan_lib.course import dirac, failures
    from gan_lib.data import load_dataset

    begin = time.perf_counter()
    ring = load_dataset("ring8")
    trainers, watches, found, record = {}, {}, {}, {}
    for name, options in failures.R1_RUNS.items():
        trainers[name], watches[name], seconds = failures.train_watched(options, 0, data=ring)
        found[name] = failures.oscillation(trainers[name].history)
        record[name] = {"command": failures.command(options),
                        "training_seconds": round(seconds, 1),
                        "oscillation_last_half": found[name], "checkpoints": watches[name].history}
        print(f"{name}: {seconds:.0f} s, {found[name]}", flush=True)
    _save(_draw_10b(trainers, watches, found), "10_oscillation_r1.png")
    summary = dirac.summary()
    _write_json("10_oscillation_r1.json", {
        **_meta("10b", time.perf_counter() - begin), "settings": failures.RING, "runs": record,
        "dirac_gan": {"start": [summary.theta0, summary.psi0], "lr": summary.lr,
                      "steps": summary.steps, "settings": [
                          {"update": r.update, "gamma": r.gamma, "distance_end": r.distance_end,
                           "spectral_radius": r.spectral_radius} for r in summary.results]}})


def figure_10c() -> None:
    """Notebook 10, the plain-GAN settings tried before the ring's (``failures.TRIED_RUNS``):
    the kit's MLP recipe and Metz et al.'s demo values (3,000 steps, seed 0), and the chosen
    settings with both learning rates decayed over the second half (seeds 0 and 1)."""
    from matplotlib.figure import Figure

    from gan_lib.course import failures

    begin = time.perf_counter()
    watches, record = {}, {}
    short = dict(zip(failures.TRIED_RUNS, ("Adam 2e-4", "Metz et al.'s values", "decayed rates")))
    for name, options in failures.TRIED_RUNS.items():
        record[name] = {"options": options, "seeds": {}}
        for seed in (0, 1) if "decayed" in name else (0,):
            found, runs = _watched_runs({name: options}, (seed,))
            record[name]["seeds"].update(runs[name]["seeds"])
            watches[f"{short[name]}, seed {seed}"] = found[name]
    fig = Figure(figsize=(12.5, 2.4 * len(watches)))
    failures.plot_snapshots(watches, columns=6, fig=fig)
    fig.suptitle("the plain GAN with the settings tried first (failures.TRIED_RUNS)", fontsize=10)
    _save(fig, "10_tried_settings.png")
    _write_json("10_tried_settings.json", {
        **_meta("10c", time.perf_counter() - begin), "base_settings": failures.RING,
        "runs": record})


def _draw_10d(record: dict, shown: dict):
    from matplotlib.figure import Figure

    from gan_lib.plotting import image_grid

    fig = Figure(figsize=(13, 6.4))
    top, bottom = fig.subfigures(2, 1, height_ratios=[1, 0.62])
    ax_modes, ax_kl = top.subplots(1, 2)
    for i, (name, run) in enumerate(record["runs"].items()):
        steps = [p["step"] for p in run["points"]]
        ax_modes.plot(steps, [p["modes"] for p in run["points"]], "o-", color=f"C{i}", label=name)
        ax_kl.plot(steps, [p["kl"] for p in run["points"]], "o-", color=f"C{i}", label=name)
    real = record["real_test_stacks"]
    ax_modes.axhline(real["modes"], color="0.5", ls=":", label=f"{real['n']:,} real stacks")
    ax_kl.axhline(real["kl"], color="0.5", ls=":", label=f"{real['n']:,} real stacks")
    for j, (row, (modes, kl)) in enumerate(record["pacgan_table_2"]["rows"].items()):
        if row.startswith(("DCGAN", "PacDCGAN2")):
            ax_kl.axhline(float(str(kl).split()[0]), color=f"C{j + 4}", ls="--", lw=0.8,
                          label=f"PacGAN Table 2: {row}")
    ax_modes.set_ylabel("modes reached (of 1,000)"); ax_modes.set_ylim(0, 1050)
    ax_kl.set_ylabel("KL(p || uniform), nats"); ax_kl.set_yscale("log")
    for ax in (ax_modes, ax_kl):
        ax.set_xlabel("step"); ax.legend(fontsize=7)
    axes = bottom.subplots(1, max(len(shown), 1), squeeze=False)[0]
    for ax, (name, (images, step)) in zip(axes, shown.items()):
        ax.imshow(image_grid(images, ncols=8)); ax.set_axis_off()
        ax.set_title(name if step is None else f"{name}, step {step:,}", fontsize=9)
    return fig


def figure_10d() -> None:
    """Notebook 10, mode collapse on Stacked MNIST, drawn from ``benchmarks/stacked_mnist.py``'s
    record (it trains and scores; its JSON has each run's machine, date, command and steps/s):
    modes and KL against steps beside PacGAN's Table 2, and the kept scored samples of each run
    (``failures.STACKED_SHOWN``) beside as many real test images."""
    import numpy as np

    from gan_lib.course import failures
    from gan_lib.data import load_dataset

    results = Path(__file__).resolve().parents[1] / "benchmarks" / "results"
    begin = time.perf_counter()
    record = json.loads((results / "stacked_mnist.json").read_text())
    real = load_dataset("stacked_mnist", "test").images[:failures.STACKED_SHOWN]
    shown = {"real test images": (real, None)}
    for name in record["runs"]:
        kept = failures.stacked_shown_path(results, name)
        if kept.exists():  # runs scored before samples were kept have none
            with np.load(kept) as f:
                shown[name] = (f["images"], int(f["step"]))
    _save(_draw_10d(record, shown), "10_stacked_mnist.png")
    _write_json("10_stacked_mnist.json", {
        **_meta("10d", time.perf_counter() - begin),
        "source": "benchmarks/results/stacked_mnist.json (python benchmarks/stacked_mnist.py)",
        "shown_samples": {name: f"{failures.stacked_shown_path('benchmarks/results', name)}, "
                                f"step {step}"
                          for name, (_, step) in shown.items() if step is not None}, **record})


def _infogan_sweeps(gan, order, n=10, seed=9):
    """Chen et al.'s way of looking at a code: vary one, hold the noise and the other codes.
    Returns the c1 grid (one column per code value in ``order``, one noise vector per row) and
    the c2 and c3 sweeps (one row per code value in ``order``, the code from -2 to 2 across)."""
    import numpy as np
    import tensorflow as tf

    rng = tf.random.Generator.from_seed(seed)
    noise = gan.latent(rng, n, categories=tf.zeros([n], tf.int32))[:, :gan.noise_dim]
    cats = np.tile(np.asarray(order), n)                      # row r: noise r, codes across
    c1 = tf.concat([tf.repeat(noise, 10, axis=0),
                    gan.variant.codes(rng, 10 * n, tf.constant(cats, tf.int32),
                                      tf.zeros([10 * n, 2]))], axis=1)
    sweeps = []
    values = np.linspace(-2, 2, n)
    for k in range(2):
        cont = np.zeros((10 * n, 2), "float32")
        cont[:, k] = np.tile(values, 10)
        z = tf.concat([tf.repeat(noise[:1], 10 * n, axis=0),
                       gan.variant.codes(rng, 10 * n, tf.constant(np.repeat(order, n), tf.int32),
                                         tf.constant(cont))], axis=1)
        sweeps.append(gan.generate(z).numpy())
    return gan.generate(c1).numpy(), sweeps


def _slant_and_ink(images):
    """Per image, in [0, 1] ink: the slant (mu11 / mu02, the shear that deskewing removes;
    positive when the top leans left, as rows count downwards), the mean ink (thicker or
    longer strokes: more) and the width (the ink's standard deviation across columns, pixels)."""
    import numpy as np

    ink = (np.asarray(images, np.float64)[..., 0] + 1.0) / 2.0
    rows, cols = np.mgrid[:ink.shape[1], :ink.shape[2]]
    mass = ink.sum(axis=(1, 2)) + 1e-9
    y = (ink * rows).sum(axis=(1, 2)) / mass
    x = (ink * cols).sum(axis=(1, 2)) / mass
    dy, dx = rows[None] - y[:, None, None], cols[None] - x[:, None, None]
    slant = (ink * dx * dy).sum(axis=(1, 2)) / ((ink * dy * dy).sum(axis=(1, 2)) + 1e-9)
    width = np.sqrt((ink * dx * dx).sum(axis=(1, 2)) / mass)
    return slant, ink.mean(axis=(1, 2)), width


def _what_codes_change(gan, values, n=1000, seed=11) -> dict:
    """Mean slant, ink and width (:func:`_slant_and_ink`) of ``n`` samples (random noise and category)
    with one continuous code set to each of ``values`` and the other at 0: what c2 and c3 do."""
    import tensorflow as tf

    base = gan.latent(tf.random.Generator.from_seed(seed), n).numpy()
    out = {}
    for k, code in enumerate(("c2", "c3")):
        means = {"mean_slant": [], "mean_ink": [], "mean_width": []}
        for v in values:
            z = base.copy()
            z[:, gan.noise_dim + 10:] = 0.0
            z[:, gan.noise_dim + 10 + k] = v
            for key, x in zip(means, _slant_and_ink(gan.generate(tf.constant(z)).numpy())):
                means[key].append(round(float(x.mean()), 4))
        out[code] = {"values": [float(v) for v in values], **means}
    return out


def _digits_per_code(gan, classifier, digit_of, n=1000, seed=12) -> dict:
    """For each value of c1 (keyed by the digit Q's matching gives it), the kit classifier's
    digits on ``n`` samples drawn with that value: {matched digit: {digit: count}}."""
    import numpy as np
    import tensorflow as tf

    rng = tf.random.Generator.from_seed(seed)
    out = {}
    for code, digit in sorted(digit_of.items(), key=lambda kv: kv[1]):
        z = gan.latent(rng, n, categories=tf.fill([n], int(code)))
        read = np.bincount(classifier.predict(gan.generate(z).numpy()), minlength=10)
        out[str(digit)] = {str(d): int(c) for d, c in enumerate(read) if c}
    return out


def figure_08b() -> None:
    """Notebook 08, InfoGAN with the paper's settings, drawn from the best finished seed of
    ``benchmarks/infogan_paper.py`` (its run directory must still be there): c1, c2 and c3
    varied one at a time, and which digits Q's category confuses on the 10,000 real test digits.
    The JSON holds every seed's result from ``benchmarks/results/infogan_paper.json``."""
    import numpy as np
    from matplotlib.figure import Figure

    from gan_lib import Trainer
    from gan_lib.classifier import load_classifier
    from gan_lib.data import load_dataset, to_unit_range
    from gan_lib.metrics import best_matching_accuracy
    from gan_lib.plotting import show_grid
    from gan_lib.variants.infogan import read_categories

    begin = time.perf_counter()
    record = json.loads((ROOT / "benchmarks" / "results" / "infogan_paper.json").read_text())
    finished = {name: run for name, run in record["runs"].items()
                if run["recipe"] == "paper" and run["points"][-1]["step"] >= 5000}
    name = max(finished, key=lambda k: finished[k]["points"][-1]["q_on_real_test"])
    if not Path(finished[name]["run_dir"], "config.json").exists():
        sys.exit(f"08b draws the best seed, {name}, whose run {finished[name]['run_dir']} is "
                 f"not here: train it again with {finished[name]['command']}")
    gan = Trainer(out_dir=finished[name]["run_dir"], resume=True).gan
    test = load_dataset("mnist", "test")
    q = read_categories(gan, to_unit_range(test.images))
    matched = best_matching_accuracy(q, test.labels)
    digit_of = matched["matching"]                    # code value -> digit
    order = [code for code, _ in sorted(digit_of.items(), key=lambda kv: kv[1])]
    confusion = np.zeros((10, 10), np.int64)          # true digit x the digit Q's code stands for
    np.add.at(confusion, (test.labels, [digit_of[int(c)] for c in q]), 1)
    c1, (c2, c3) = _infogan_sweeps(gan, order)
    drawn = _digits_per_code(gan, load_classifier("mnist", verbose=0), digit_of)
    fig = Figure(figsize=(17, 5))
    axes = fig.subplots(1, 4, gridspec_kw={"width_ratios": [1, 1, 1, 1.05]})
    show_grid(c1, ncols=10, ax=axes[0], title="c1 varied: one column per value (by matched "
                                              "digit 0-9)")
    show_grid(c2, ncols=10, ax=axes[1], title="c2 from -2 to 2 (one row per c1 value)")
    show_grid(c3, ncols=10, ax=axes[2], title="c3 from -2 to 2 (one row per c1 value)")
    share = confusion / confusion.sum(axis=1, keepdims=True)
    axes[3].imshow(share, cmap="Blues", vmin=0, vmax=1)
    for i in range(10):
        for j in range(10):
            if share[i, j] >= 0.02:
                axes[3].text(j, i, f"{share[i, j]:.0%}".replace("%", ""), ha="center",
                             va="center", fontsize=7, color="white" if share[i, j] > 0.5 else "k")
    axes[3].set_xticks(range(10)); axes[3].set_yticks(range(10))
    axes[3].set_xlabel("digit Q's category stands for"); axes[3].set_ylabel("true digit")
    axes[3].set_title(f"Q on 10,000 real test digits: {matched['accuracy']:.1%} agree "
                      "(cells: % of each row)")
    step = finished[name]["points"][-1]["step"]
    fig.suptitle(f"InfoGAN, the paper's MNIST settings, {name}, step {step:,} (the best of "
                 f"{len(finished)} seeds)")
    fig.tight_layout()
    _save(fig, "08_infogan_paper.png")
    _write_json("08_infogan_paper.json", {
        **_meta("08b", time.perf_counter() - begin),
        "source": "benchmarks/results/infogan_paper.json (python benchmarks/infogan_paper.py "
                  "--seed S --steps 5000)", "shown_run": name, "shown_step": step,
        "q_on_real_test": round(matched["accuracy"], 4),
        "code_to_digit_matching": {str(k): int(v) for k, v in digit_of.items()},
        "confusion_true_digit_by_matched_code": confusion.tolist(),
        "per_digit_agreement": {str(d): round(float(share[d, d]), 4) for d in range(10)},
        "classifier_digits_per_code": drawn,
        "continuous_codes": {"samples_per_value": 1000,
                             "measures": "slant: mu11 / mu02 of the ink (positive: the top "
                                         "leans left); ink: the mean pixel value in [0, 1]; "
                                         "width: the ink's standard deviation across "
                                         "columns, in pixels",
                             **_what_codes_change(gan, [-2, -1, -0.5, 0, 0.5, 1, 2])},
        "seeds_at_last_point": {n: {k: r["points"][-1][k] for k in
                                    ("step", "q_on_real_test", "code_to_digit")}
                                for n, r in finished.items()},
        "paper": record["paper"]})


TARGETS = {"00": figure_00, "01": figure_01, "02": figure_02, "04": figure_04,
           "05": figure_05, "06": figure_06,
           "07a": figure_07a, "07b": figure_07b, "08": figure_08, "08b": figure_08b, "09": figure_09,
           "10a": figure_10a, "10b": figure_10b, "10c": figure_10c, "10d": figure_10d}

if __name__ == "__main__":
    from gan_lib import import_tensorflow_quietly

    import_tensorflow_quietly()
    wanted = sys.argv[1:] or ["all"]
    OUT.mkdir(parents=True, exist_ok=True)
    for name in (TARGETS if wanted == ["all"] else wanted):
        import keras

        keras.utils.set_random_seed(0)  # as the notebooks' setup() does
        TARGETS[name]()
