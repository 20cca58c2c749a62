"""Notebook 10's instruments: watching a GAN's modes while it trains, and measuring oscillation.

* :class:`ModeWatch` is a trainer callback. Every ``every_steps`` steps it draws 2,500 points
  from G (always from the same latent vectors) and scores them with VEEGAN's and PacGAN's
  metrics (``gan_lib.modes.mode_coverage``): the modes covered and the share of high-quality
  samples. It keeps the points, so the notebook can draw the run as a row of snapshots.
* :func:`oscillation` measures how much the gap between D's mean outputs on real and generated
  data, ``d_real - d_fake`` (both in the trainer's history), swings over the end of a run.
* :func:`plot_snapshots` and :func:`plot_coverage` draw what a few watches saw.

Used by notebooks/10_failure_modes.ipynb and ``python docs/make_figures.py 10a 10b 10c``.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from gan_lib.callbacks import Callback
from gan_lib.errors import ConfigError, DataError

SAMPLES = 2500  # VEEGAN and PacGAN score 2,500 samples
WATCH_SEED = 2018  # the latent vectors every snapshot is drawn from

RING = dict(model="mlp", dataset="ring8", mlp_hidden=(128, 128), batch_size=128, lr_g=1e-3,
            lr_d=1e-3, steps=8000)
"""Notebook 10's runs on the ring (``docs/make_figures.py 10a``): Metz et al.'s 2 x 128 MLPs,
batch 128, Adam 1e-3 (beta_1 0.5) for both players, the non-saturating loss, 8,000 steps."""
RING_RUNS = {"plain GAN": {}, "PacGAN, packs of 2": {"pack": 2},
             "minibatch std": {"minibatch_std": True}}
R1_RUNS = {"plain GAN": {}, "R1, gamma 0.1": {"r1_gamma": 0.1}, "R1, gamma 1": {"r1_gamma": 1.0}}
TRIED_RUNS = {
    "kit default: Adam 2e-4, 3,000 steps": {"lr_g": 2e-4, "lr_d": 2e-4, "steps": 3000},
    "Metz et al.'s demo values, 3,000 steps": {
        "batch_size": 512, "lr_d": 1e-4, "lr_g": 1e-3, "latent_dim": 256, "loss": "minimax",
        "updates": "simultaneous", "steps": 3000},
    "plain GAN, rates decayed over the 2nd half": {"lr_decay": 0.5},
}
"""Plain-GAN settings tried before :data:`RING` (``docs/make_figures.py 10c``): the kit's MLP
recipe, and the values of Metz et al.'s demo notebook (github.com/poolio/unrolled_gan: batch 512,
D 1e-4, G 1e-3, z of 256 numbers, the minimax loss its code calls the "saddle objective", here
without unrolling; it runs both players' updates in one ``sess.run`` call, whose nearest kit
setting is ``updates="simultaneous"``); and RING with both rates decayed linearly to 0 over the
second half."""
WATCH_EVERY = 500

STACKED = dict(model="dcgan", dataset="stacked_mnist", batch_size=64, lr_g=2e-4, lr_d=2e-4,
               beta_1=0.5, latent_dim=100, jit_compile=True, steps=5000)
"""Notebook 10's Stacked MNIST runs (``benchmarks/stacked_mnist.py``): the kit's 28x28 DCGAN with
PacGAN's optimiser (``stacked_MNIST_experiments/VEEGAN_experiment/config.py``: Adam 2e-4,
beta_1 0.5, batch 64, z of 100), XLA on (1.44x per step on a 2-core CPU)."""
STACKED_RUNS = {"dcgan": {}, "pack2": {"pack": 2, "batch_size": 128},
                "minibatch-std": {"minibatch_std": True}}
"""PacGAN's packed D sees 64 packs per step, so ``pack2`` draws batches of 128 (64 pairs)."""
STACKED_SAMPLE_SEED = 1  # the 26,000 scored samples: ``evaluate --run DIR --n 26000 --seed 1``
STACKED_SHOWN = 32  # scored samples of each run kept for notebook 10's figure (make_figures 10d)


def stacked_shown_path(results: Path, run: str) -> Path:
    """Where ``benchmarks/stacked_mnist.py`` keeps a run's first ``STACKED_SHOWN`` scored samples
    (``images`` and ``step``) for ``docs/make_figures.py 10d`` to draw."""
    return Path(results) / f"stacked_mnist-{run}.npz"


def command(options: dict, seed: int = 0, base: dict = RING) -> str:
    """The ``python -m gan_lib train`` line of a run of ``base`` changed by ``options``."""
    given = {**base, **options, "seed": seed}
    parts = ["python -m gan_lib train"]
    for key, value in given.items():
        flag = "--" + key.replace("_", "-")
        if value is True:
            parts.append(flag)
        elif isinstance(value, tuple):
            parts.append(f"{flag} {','.join(map(str, value))}")
        else:
            parts.append(f"{flag} {value:g}" if isinstance(value, float) else f"{flag} {value}")
    return " ".join(parts)


def train_watched(options: dict, seed: int = 0, base: dict = RING, data=None, steps=None,
                  every: int = WATCH_EVERY, callbacks=(), measure=None):
    """Train ``base`` changed by ``options`` in memory with a :class:`ModeWatch`; returns
    ``(trainer, watch, seconds)``. ``steps`` cuts the run (notebook fast mode)."""
    import time

    from gan_lib import TrainConfig, Trainer

    given = {**base, **options, "seed": seed, "verbose": 0}
    if steps is not None:
        given["steps"] = steps
    watch = ModeWatch(given["dataset"], every, measure=measure)
    trainer = Trainer(TrainConfig(**given), data=data, callbacks=[watch, *callbacks])
    start = time.perf_counter()
    trainer.train()
    return trainer, watch, time.perf_counter() - start


def papers_measure(points, means, std) -> tuple:
    """``(modes covered, high-quality share)`` of ``points``, by ``gan_lib.modes.mode_coverage``.
    Notebook 10's exercise asks for the same function; its check compares the two."""
    from gan_lib.modes import mode_coverage

    found = mode_coverage(points, means, std)
    return found["modes"], found["high_quality"]


class ModeWatch(Callback):
    """Score G's points every ``every_steps`` steps (and before the first step).

    ``history`` holds one dict per checkpoint: ``step``, ``modes``, ``high_quality``; ``points``
    the [n, 2] samples of each. ``measure(points, means, std) -> (modes, share)`` defaults to
    :func:`papers_measure`. The samples come from a generator of their own, seeded
    ``WATCH_SEED``, so watching changes nothing in training.
    """

    def __init__(self, dataset: str, every_steps: int = 500, n: int = SAMPLES, measure=None):
        from gan_lib.data import point_modes

        self.means, self.std = point_modes(dataset)
        self.every_steps, self.n = every_steps, n
        self.measure = measure or papers_measure
        self.history, self.points = [], []

    def on_train_begin(self, trainer) -> None:
        if not self.history or self.history[-1]["step"] != trainer.global_step:
            self.on_interval(trainer, trainer.global_step)

    def on_interval(self, trainer, step: int) -> None:
        from gan_lib.variants.points import sample_points

        if self.history and self.history[-1]["step"] == step:
            return  # the end of a run is also an interval: score each step once
        points = sample_points(trainer.state.sampling_gan(), self.n, seed=WATCH_SEED)
        modes, share = self.measure(points, self.means, self.std)
        self.history.append({"step": int(step), "modes": int(modes),
                             "high_quality": round(float(share), 4)})
        self.points.append(points)

    def column(self, key: str) -> list:
        """One key over all checkpoints, e.g. ``watch.column("modes")``."""
        return [row[key] for row in self.history]


def oscillation(history, last: float = 0.5, block: int = 10) -> dict:
    """How much ``d_real - d_fake`` swings over the last ``last`` fraction of a run.

    The gap is averaged over blocks of ``block`` consecutive steps (which damps the noise of
    single minibatches and keeps swings that last a few blocks or more); ``amplitude`` is the
    standard deviation of those block means, ``mean_gap`` their mean. A gap that sits still
    scores 0; a square wave between m + a and m - a, switching on block boundaries and spending
    half the blocks at each level, scores exactly a; pure minibatch noise of standard deviation
    s scores about s / sqrt(block).
    """
    gap = np.asarray(history["d_real"], float) - np.asarray(history["d_fake"], float)
    if not 0 < last <= 1:
        raise ConfigError(f"last must be a fraction in (0, 1], got {last}")
    tail = gap[int(round(len(gap) * (1 - last))):]
    blocks = len(tail) // block
    if blocks < 2:
        raise DataError(f"the last {last:g} of this run has {len(tail)} steps, fewer than two "
                        f"blocks of {block}; train longer or pass a smaller block")
    means = tail[len(tail) - blocks * block:].reshape(blocks, block).mean(axis=1)
    return {"amplitude": float(means.std()), "mean_gap": float(means.mean()),
            "blocks": int(blocks), "block_steps": int(block)}


def plot_snapshots(watches: dict, columns: int = 6, lim: float | None = None, fig=None):
    """Rows: the watches (``{name: ModeWatch}``); columns: ``columns`` checkpoints spread over
    each run, every panel the points over the modes with its step, modes and quality share."""
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure(figsize=(2.1 * columns, 2.3 * len(watches)))
    axes = np.asarray(fig.subplots(len(watches), columns, squeeze=False))
    for row, (name, watch) in zip(axes, watches.items()):
        picks = np.unique(np.linspace(0, len(watch.history) - 1, columns).round().astype(int))
        half = lim or 1.5 * float(np.abs(watch.means).max())
        for ax, i in zip(row, picks):
            r, p = watch.history[i], watch.points[i]
            ax.scatter(watch.means[:, 0], watch.means[:, 1], s=40, marker="+", c="0.6", lw=1)
            ax.scatter(p[:, 0], p[:, 1], s=0.5, c="C0", alpha=0.5)
            ax.set_xlim(-half, half); ax.set_ylim(-half, half); ax.set_aspect("equal")
            ax.set_xticks([]); ax.set_yticks([])
            ax.set_title(f"step {r['step']}: {r['modes']} modes, {r['high_quality']:.0%}",
                         fontsize=8)
        row[0].set_ylabel(name, fontsize=9)
        for ax in row[len(picks):]:
            ax.set_axis_off()
    return fig


def plot_coverage(watches: dict, ax_modes, ax_quality) -> None:
    """Modes covered and high-quality share against the step, one line per watch."""
    for name, watch in watches.items():
        ax_modes.plot(watch.column("step"), watch.column("modes"), "o-", ms=3, label=name)
        ax_quality.plot(watch.column("step"), watch.column("high_quality"), "o-", ms=3,
                        label=name)
    num_modes = len(next(iter(watches.values())).means)
    ax_modes.set_ylim(-0.3, num_modes + 0.5); ax_modes.set_ylabel("modes covered")
    ax_quality.set_ylim(-0.02, 1.02); ax_quality.set_ylabel("high-quality share")
    for ax in (ax_modes, ax_quality):
        ax.set_xlabel("step"); ax.legend(fontsize=7)


def load_record(name: str):
    """The JSON record ``docs/images/<name>`` of a figure (``docs/make_figures.py``), found beside
    the notebooks (``../docs/images``) or in the checkout gan_lib runs from; ``None``, with a
    line saying where it is published, when neither has it (an installed kit, e.g. in Colab)."""
    import json
    from pathlib import Path

    import gan_lib

    for folder in (Path.cwd().parent / "docs" / "images",
                   Path(gan_lib.__file__).resolve().parent.parent / "docs" / "images"):
        if (folder / name).is_file():
            return json.loads((folder / name).read_text())
    print(f"docs/images/{name} is not on this machine (it is in the kit's repository, next to "
          "the notebooks); the numbers below are left out")
    return None
