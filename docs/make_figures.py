"""Rerun the notebooks' full-mode results and write the pictures they show, with their numbers.

    python docs/make_figures.py 00 02      # the figures of notebooks 00 and 02
    python docs/make_figures.py all

Each target writes ``docs/images/<target>_*.png`` and a JSON file with the numbers the notebook
quotes and the wall time of the run (measured on the machine that ran it). Needs the real data
(``GAN_DATA_DIR``) for 02. Runs are seeded; numbers can still differ in the last digits across
machines and TensorFlow versions.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

OUT = Path(__file__).resolve().parent / "images"


def _save(fig, name: str) -> None:
    fig.savefig(OUT / name, dpi=80, bbox_inches="tight")
    print(f"wrote docs/images/{name}")


def _write_json(name: str, data: dict) -> None:
    (OUT / name).write_text(json.dumps(data, indent=1) + "\n")
    print(f"wrote docs/images/{name}")


def figure_00() -> None:
    """Notebook 00 in full mode: three seeds, 3,000 steps each."""
    from matplotlib.figure import Figure

    from gan_lib.toy import ToyGAN, plot_snapshot, snapshot_jsd

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
    _write_json("00_toy_full.json", numbers)


def figure_02() -> None:
    """Notebook 02 in full mode: the fixed seed recipe, 50 epochs, and its class histogram."""
    import numpy as np
    from matplotlib.figure import Figure

    from gan_lib import TrainConfig, Trainer
    from gan_lib.classifier import load_classifier
    from gan_lib.data import load_dataset
    from gan_lib.plotting import show_grid
    from gan_lib.sampling import sample_images

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
        "command": "python docs/make_figures.py 02", "steps": trainer.global_step,
        "training_seconds": round(seconds, 1), "cpu_count": os.cpu_count(),
        "class_counts_of_10000_samples": dict(zip(names, map(int, counts)))})


def figure_01() -> None:
    """Notebook 01 in full mode: the gan_lib part, 30 epochs of the MLP GAN on MNIST."""
    from matplotlib.figure import Figure

    from gan_lib import TrainConfig, Trainer
    from gan_lib.data import load_dataset
    from gan_lib.plotting import show_grid, smooth

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
        "command": "python docs/make_figures.py 01", "steps": trainer.global_step,
        "training_seconds": round(seconds, 1), "cpu_count": os.cpu_count()})


TARGETS = {"00": figure_00, "01": figure_01, "02": figure_02}

if __name__ == "__main__":
    from gan_lib import import_tensorflow_quietly

    import_tensorflow_quietly()
    wanted = sys.argv[1:] or ["all"]
    OUT.mkdir(parents=True, exist_ok=True)
    for name in (TARGETS if wanted == ["all"] else wanted):
        TARGETS[name]()
