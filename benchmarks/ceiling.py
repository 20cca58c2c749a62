"""The quality ceiling, measured in steps: one recipe trained long, scored every few thousand steps.

Each call trains one recipe in a run directory (checkpointed, so an interrupted run continues
with the same command: it resumes from the latest checkpoint) and, every ``--eval-every`` steps,
draws ``--n`` samples from the raw generator and from the moving average of its weights (EMA
observes training and changes nothing in it, so the raw curve is the recipe without EMA) and
scores both against the **held-out test digits**: precision, recall, density, coverage, FID.
Evaluation time is not counted in the steps/s.

    python benchmarks/ceiling.py --recipe default --steps 50000
    python benchmarks/ceiling.py --recipe default --steps 100000     # continue the same run

Writes ``results/ceiling-<recipe>.json`` (``ceiling-<recipe>-<dataset>.json`` and its own run
directory for a data set other than MNIST; ``--option field=value`` adds ``-field=value``) after every evaluation (points past the restored
checkpoint are dropped on a resume, as the run trains them again) and its plot
``results/ceiling.png`` with every recipe's curves. Run one recipe at a time: they share 2 cores.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import bootstrap  # noqa: E402,F401  (paths and data set before TensorFlow's first import)

from gan_lib.classifier import load_classifier  # noqa: E402
from gan_lib.config import TrainConfig  # noqa: E402
from gan_lib.sampling import sample_images  # noqa: E402
from gan_lib.trainer import Trainer  # noqa: E402
from common import (QUALITY_KEYS, parse_options, real_vs_real, score,  # noqa: E402
                    train_in_segments, write_report)

RESULTS = Path(__file__).parent / "results"
RUNS = Path(__file__).resolve().parents[1] / "checkpoints" / "ceiling"
OBSERVER_EMA = 0.999  # every recipe is also scored through an EMA of G (an observer only)
RECIPES = {
    # the kit's default for 28x28 grayscale: DCGAN base 32, batch 64, Adam 1e-3 / 0.5
    "default": {},
    # Radford et al. (2015) at their own widths: base 64, batch 128, Adam 2e-4 / beta_1 0.5
    "dcgan-paper": dict(base_filters=64, batch_size=128, lr_g=2e-4, lr_d=2e-4),
    # R3GAN (Huang et al., 2024) on the residual variant (base 16): RpGAN loss, R1 + R2 with one
    # gamma, Adam 2e-4 with betas (0, 0.99), batch 64. gamma 1 from a 1,000-step smoke check
    # against 0.1 (D stayed ahead with 0.1: d_fake fell to 0.35; with 1 both players sat near
    # the equilibrium, D's loss ~0.6 of log 2 = 0.69, and the digits were more varied)
    "resnet-rpgan": dict(model="resnet", loss="rpgan", r1_gamma=1.0, r2_gamma=1.0, beta_1=0.0,
                         beta_2=0.99, batch_size=64, lr_g=2e-4, lr_d=2e-4),
    # the same network and optimiser with the non-saturating loss and R1 alone
    "resnet-ns-r1": dict(model="resnet", loss="bce", r1_gamma=1.0, beta_1=0.0, beta_2=0.99,
                         batch_size=64, lr_g=2e-4, lr_d=2e-4),
    # the cGAN (Mirza & Osindero, 2014) on that residual body, with that loss and optimiser
    "cgan-resnet-ns-r1": dict(model="cgan", arch="resnet", loss="bce", r1_gamma=1.0,
                              beta_1=0.0, beta_2=0.99, batch_size=64, lr_g=2e-4, lr_d=2e-4),
}
KEYS = QUALITY_KEYS + ("label_accuracy",)  # the last for a conditional G only
THRESHOLDS = (0.60, 0.70, 0.75)


def config_for(recipe: str, dataset: str, steps: int, options: dict) -> TrainConfig:
    fields = {"model": "dcgan", "ema": OBSERVER_EMA, **RECIPES[recipe], **options}
    return TrainConfig(**fields, dataset=dataset, steps=steps, verbose=1, tensorboard=False,
                       checkpoint_every_seconds=600.0)


def crossings(points, key="precision") -> dict:
    """The first evaluated step at which each generator's ``key`` reaches each threshold."""
    out = {}
    for which in ("raw", "ema"):
        out[which] = {f"{t:.2f}": next((p["step"] for p in points if p[which][key] >= t), None)
                      for t in THRESHOLDS}
    return out


def plot(path, dataset="mnist") -> None:
    """Every recipe's curves on one data set (raw G dashed, EMA solid) from the committed JSON."""
    from matplotlib.figure import Figure

    reports = {p.stem.removeprefix("ceiling-"): json.loads(p.read_text())
               for p in sorted(RESULTS.glob("ceiling-*.json"))}
    reports = {k: r for k, r in reports.items() if r["dataset"] == dataset}
    if not reports:
        return
    keys = ("precision", "recall", "coverage", "fid")
    fig = Figure(figsize=(16, 3.8))
    axes = fig.subplots(1, len(keys))
    for i, (name, report) in enumerate(reports.items()):
        color = f"C{i}"
        steps = [p["step"] for p in report["points"]]
        for ax, key in zip(axes, keys):
            ax.plot(steps, [p["ema"][key] for p in report["points"]], "-", color=color,
                    label=f"{name} (EMA)")
            ax.plot(steps, [p["raw"][key] for p in report["points"]], "--", color=color,
                    alpha=0.6, label=f"{name} (raw G)")
    real = next(iter(reports.values()))["real_vs_real"]
    for ax, key in zip(axes, keys):
        ax.axhline(real[key], color="gray", ls=":", label="real vs real")
        ax.set_xlabel("training steps")
        ax.set_title(key if key != "fid" else "FID (classifier features; lower is better)")
        if key == "fid":
            ax.set_yscale("log")
    for t in THRESHOLDS:
        axes[0].axhline(t, color="red", ls="--", lw=0.6)
    axes[0].legend(fontsize=7)
    name = {"mnist": "MNIST", "fashion_mnist": "Fashion-MNIST"}.get(dataset, dataset)
    fig.suptitle(f"The quality ceiling: {name}, 5,000 samples against the held-out test images",
                 fontsize=10)
    fig.savefig(path, dpi=80, bbox_inches="tight")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--recipe", required=True, choices=sorted(RECIPES))
    p.add_argument("--dataset", default="mnist")
    p.add_argument("--steps", type=int, default=50_000, help="train up to this step")
    p.add_argument("--eval-every", type=int, default=2500)
    p.add_argument("--n", type=int, default=5000, help="samples per evaluation")
    p.add_argument("--option", action="append", default=[], help="TrainConfig field=value")
    p.add_argument("--run-dir", help=f"default {RUNS}/<recipe>")
    args = p.parse_args(argv)

    options = parse_options(args.option)
    stem = args.recipe if args.dataset == "mnist" else f"{args.recipe}-{args.dataset}"
    stem += "".join(f"-{k}={v}" for k, v in options.items())  # its own run, JSON and curve
    run_dir = Path(args.run_dir or RUNS / stem)
    out = RESULTS / f"ceiling-{stem}.json"
    config = config_for(args.recipe, args.dataset, args.steps, options)
    resume = (run_dir / "config.json").exists()
    trainer = Trainer(config, run_dir, resume=resume)
    classifier = load_classifier(args.dataset)
    report = json.loads(out.read_text()) if resume and out.exists() else None
    if report is None:
        report = {"dataset": args.dataset, "n": args.n, "recipe": args.recipe,
                  "options": {**RECIPES[args.recipe], **options}, "observer_ema": OBSERVER_EMA,
                  "real_vs_real": real_vs_real(args.dataset, args.n, classifier),
                  "points": [], "segments": []}
    report["points"] = [pt for pt in report["points"] if pt["step"] <= trainer.global_step]
    report["resolved"] = {k: getattr(trainer.config, k) for k in
                          ("batch_size", "lr_g", "lr_d", "base_filters", "jit_compile")}
    print(f"{args.recipe}: from step {trainer.global_step} to {args.steps}", flush=True)
    for step in train_in_segments(trainer, args.steps, args.eval_every, report):
        point = {"step": step}
        for which, gan in (("raw", trainer.gan), ("ema", trainer.sampling_gan())):
            images, labels = sample_images(gan, args.n, seed=1)
            point[which] = score(args.dataset, images, classifier, labels, KEYS)
        report["points"].append(point)
        report["crossings"] = crossings(report["points"])
        report["command"] = "python benchmarks/ceiling.py " + " ".join(argv or sys.argv[1:])
        write_report(report, out)
        plot(RESULTS / ("ceiling.png" if args.dataset == "mnist"
                        else f"ceiling-{args.dataset}.png"), args.dataset)
        print(f"  step {point['step']:6d}  " + "  ".join(
            f"{w}: P {point[w]['precision']:.3f} R {point[w]['recall']:.3f} "
            f"C {point[w]['coverage']:.3f} FID {point[w]['fid']:.5f}"
            + (f" labels {point[w]['label_accuracy']:.3f}" if "label_accuracy" in point[w] else "")
            for w in ("raw", "ema")),
            flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
