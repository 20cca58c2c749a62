"""Quality against training time, for several recipes side by side in one run.

Each recipe trains alone on the machine (one after the other, in this process) for ``--minutes``
of training time. Every ``--eval-minutes`` of training it draws ``--n`` samples (from the EMA
generator when the recipe averages G's weights) and scores them with the kit's evaluation
against the **held-out test digits**: precision, recall, FID, density, coverage. Evaluation time
is not counted. Before the recipes, the same protocol scores ``--n`` real training images against
the same held-out set: the real-vs-real figures that the targets are relative to.

    python benchmarks/time_to_quality.py                    # default, old-default, tf-tutorial
    python benchmarks/time_to_quality.py --recipes default --minutes 5 --dataset fashion_mnist

Recipes (``--recipes``, comma-separated; ``--option key=value`` changes the first one):

* ``default``: the kit's defaults for the dataset (the DCGAN's recipe of notebook 03);
* ``old-default``: the defaults before issue 14 (batch 128, Adam 2e-4 / 0.5, no EMA);
* ``tf-tutorial``: the TensorFlow DCGAN tutorial's networks and optimiser (``tf_tutorial.py``).

Writes ``results/time_to_quality-<dataset>.json`` and a plot of the three curves next to it.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("GAN_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # gan_lib from this checkout

import gan_lib  # noqa: E402

tf = gan_lib.import_tensorflow_quietly()

import numpy as np  # noqa: E402

from gan_lib.classifier import load_classifier  # noqa: E402
from gan_lib.config import TrainConfig  # noqa: E402
from gan_lib.sampling import sample_images  # noqa: E402
from gan_lib.trainer import Trainer  # noqa: E402
from gan_lib.variants import register  # noqa: E402
from common import machine_facts, parse_options, real_vs_real, score, write_report  # noqa: E402
from tf_tutorial import TUTORIAL_RECIPE  # noqa: E402

register("tf-tutorial", "tf_tutorial:TFTutorialDCGAN")
RECIPES = {
    "default": {},
    "old-default": dict(batch_size=128, lr_g=2e-4, lr_d=2e-4, ema=0.0),
    "tf-tutorial": TUTORIAL_RECIPE,
}


def run_recipe(name, options, args, classifier) -> dict:
    """Train one recipe for the budget, scoring it every ``eval_minutes`` of training."""
    config = TrainConfig(**{"model": "dcgan", **RECIPES[name], **options},
                         dataset=args.dataset, steps=10**7, verbose=0)
    started = time.perf_counter()
    trainer = Trainer(config)  # building, tracing and the first call count as training time
    marks = list(np.arange(args.eval_minutes, args.minutes + 1e-9, args.eval_minutes) * 60)
    setup = time.perf_counter() - started
    points, seconds = [], setup
    print(f"{name}: {({**RECIPES[name], **options}) or 'the kit defaults'}", flush=True)
    while marks:
        start = time.perf_counter()
        trainer.train(steps=args.chunk)
        seconds += time.perf_counter() - start
        if seconds < marks[0]:
            continue
        while marks and seconds >= marks[0]:
            marks.pop(0)
        images, _ = sample_images(trainer.sampling_gan(), args.n, seed=1)
        point = {"step": trainer.global_step, "train_seconds": round(seconds, 1),
                 **score(args.dataset, images, classifier)}
        points.append(point)
        print(f"  step {point['step']:6d}  {seconds / 60:5.2f} min  precision "
              f"{point['precision']:.3f}  recall {point['recall']:.3f}  FID {point['fid']:.5f}",
              flush=True)
    return {"options": {**RECIPES[name], **options}, "setup_seconds": round(setup, 1),
            "steps_per_second": round(trainer.global_step / (seconds - setup), 2),
            "points": points}


def plot(report, path) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(13, 3.6))
    axes = fig.subplots(1, 3)
    real = report["real_vs_real"]
    for ax, key, target in zip(axes, ("precision", "recall", "fid"),
                               (report["targets"]["precision"], report["targets"]["recall"],
                                report["targets"]["fid"])):
        for name, result in report["recipes"].items():
            minutes = [p["train_seconds"] / 60 for p in result["points"]]
            ax.plot(minutes, [p[key] for p in result["points"]], "o-", label=name)
        ax.axhline(real[key], color="gray", ls=":", label="real vs real")
        ax.axhline(target, color="red", ls="--", label="target")
        ax.set_xlabel("training minutes (2 CPU cores)" if not report["machine"]["gpus"]
                      else "training minutes")
        ax.set_title(key if key != "fid" else "FID (classifier features; lower is better)")
        if key == "fid":
            ax.set_yscale("log")
    axes[0].legend(fontsize=8)
    fig.suptitle(f"{report['dataset']}: quality against training time, "
                 f"{report['n']} samples vs the held-out test set", fontsize=10)
    fig.savefig(path, dpi=80, bbox_inches="tight")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--recipes", default="default,old-default,tf-tutorial")
    p.add_argument("--dataset", default="mnist")
    p.add_argument("--minutes", type=float, default=10.0, help="training time per recipe")
    p.add_argument("--eval-minutes", type=float, default=1.0)
    p.add_argument("--chunk", type=int, default=20, help="steps between clock checks")
    p.add_argument("--n", type=int, default=5000, help="samples per evaluation")
    p.add_argument("--option", action="append", default=[],
                   help="TrainConfig field for the first recipe, e.g. --option ema=0")
    p.add_argument("--out", help="JSON file (default results/time_to_quality-<dataset>.json)")
    args = p.parse_args(argv)

    classifier = load_classifier(args.dataset)
    real = real_vs_real(args.dataset, args.n, classifier)
    print(f"real vs real: {real}", flush=True)
    recipes = {}
    for i, name in enumerate(args.recipes.split(",")):
        options = parse_options(args.option) if i == 0 else {}
        recipes[name] = run_recipe(name, options, args, classifier)
    report = {"dataset": args.dataset, "n": args.n, "minutes": args.minutes,
              "command": "python benchmarks/time_to_quality.py " + " ".join(argv or sys.argv[1:]),
              "machine": machine_facts(), "real_vs_real": real,
              "targets": {"precision": 0.70, "recall": 0.75, "fid": round(10 * real["fid"], 6)},
              "recipes": recipes}
    out = Path(args.out or Path(__file__).parent / "results" /
               f"time_to_quality-{args.dataset}.json")
    write_report(report, out)
    plot(report, out.with_suffix(".png"))
    print(f"wrote {out} and {out.with_suffix('.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
