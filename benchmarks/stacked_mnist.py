"""Mode collapse on Stacked MNIST: the kit's DCGAN without and with PacGAN's packing and minibatch
standard deviation, scored by modes reached (of 1,000) and KL(p || uniform) on 26,000 samples.

Each call trains one recipe in ``checkpoints/stacked_mnist/<recipe>-seed<seed>`` (checkpointed:
the same command continues it) and, every ``--eval-every`` steps, draws ``--n`` samples (26,000,
as PacGAN and VEEGAN) and scores them with ``gan_lib.evaluate.evaluate_samples("stacked_mnist",
...)``, the path ``python -m gan_lib evaluate`` takes. Each evaluation rewrites
``results/stacked_mnist.json`` (machine, date, command, steps, steps/s per segment, load average;
evaluation time is not in the steps/s), which also holds the real data's own score (26,000 real
test stacks through the same classifier) and PacGAN's Table 2 for comparison, and writes the
first ``failures.STACKED_SHOWN`` (32) scored samples to ``results/stacked_mnist-<run>.npz``
(``docs/make_figures.py 10d`` draws them). The same training and score from the command line:
``failures.command(options, base=failures.STACKED)``, then
``python -m gan_lib evaluate --run DIR --n 26000 --seed 1``.

    nice -n 10 python benchmarks/stacked_mnist.py --recipe dcgan --steps 5000
    nice -n 10 python benchmarks/stacked_mnist.py --recipe pack2 --steps 5000
    nice -n 10 python benchmarks/stacked_mnist.py --recipe minibatch-std --steps 5000

The recipes are ``gan_lib.course.failures.STACKED`` and ``STACKED_RUNS`` (notebook 10 reads
them too). The optimiser is PacGAN's (``stacked_MNIST_experiments/VEEGAN_experiment/config.py``: Adam 2e-4,
beta_1 0.5, batch 64, z of 100); the networks are the kit's 28x28 DCGAN (base width 32: D has two
convolutions, 64 and 128 wide; PacGAN's D has four, 64 to 512). PacGAN's packed D sees 64 packs
per step, so ``pack2`` uses batch 128 (64 packs of 2). PacGAN trains 50 epochs of its 128,000
stacks, 100,000 steps, with two G updates per D update; the kit makes one of each.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

import bootstrap  # noqa: E402,F401  (paths and data set before TensorFlow's first import)

from gan_lib.classifier import load_classifier  # noqa: E402
from gan_lib.course import failures  # noqa: E402
from gan_lib.data import load_dataset  # noqa: E402
from gan_lib.evaluate import evaluate_samples  # noqa: E402
from gan_lib.sampling import sample_images, write_samples  # noqa: E402
from gan_lib.stacked_mnist import EVAL_SAMPLES  # noqa: E402
from common import (add_run_arguments, open_run, parse_options, train_in_segments,  # noqa: E402
                    write_report)

RESULTS = Path(__file__).parent / "results" / "stacked_mnist.json"
RUNS = Path(__file__).resolve().parents[1] / "checkpoints" / "stacked_mnist"
TRAINING = {k: v for k, v in failures.STACKED.items() if k not in ("dataset", "steps")}
RECIPES = {name: {**TRAINING, **options} for name, options in failures.STACKED_RUNS.items()}
PACGAN_TABLE_2 = {
    "source": "Lin et al., PacGAN (NeurIPS 2018), Table 2, as the image "
              "stacked_MNIST_experiments/results/Table2.png in github.com/fjxmlzn/PacGAN "
              "(commit 190853e) shows it; the first four rows are quoted there from VEEGAN [44]. "
              "Modes of 1,000 and KL on 26,000 samples; PacDCGAN rows: mean +- standard error "
              "over 10 trials",
    "rows": {"DCGAN [38]": [99.0, 3.40], "ALI [12]": [16.0, 5.40],
             "Unrolled GAN [33]": [48.7, 4.32], "VEEGAN [44]": [150.0, 2.95],
             "DCGAN (our implementation)": ["78.9 +- 6.46", "4.50 +- 0.127"],
             "PacDCGAN2 (ours)": ["1000.0 +- 0.00", "0.06 +- 0.003"],
             "PacDCGAN3 (ours)": ["1000.0 +- 0.00", "0.06 +- 0.003"],
             "PacDCGAN4 (ours)": ["1000.0 +- 0.00", "0.07 +- 0.005"]},
    "pacgan_training": "VEEGAN_experiment/config.py: 50 epochs of num_training_sample 128,000 "
                       "at batch_size 64 (100,000 D steps, each followed by 2 G steps, "
                       "model.py), Adam learning_rate 0.0002, beta1 0.5, z_dim 100 uniform in "
                       "[-1, 1], num_test_sample 26,000; D: 4 convolutions 64-128-256-512",
}


def score(gan, n: int, classifier, step: int, shown_path: Path) -> dict:
    """Modes and KL of ``n`` samples (the ones ``evaluate --run DIR --n N --seed 1`` scores);
    the first ``failures.STACKED_SHOWN`` of them go to ``shown_path`` for
    ``docs/make_figures.py 10d``."""
    images, _ = sample_images(gan, n, seed=failures.STACKED_SAMPLE_SEED)
    report = evaluate_samples("stacked_mnist", images, classifier=classifier)
    write_samples(shown_path, images[:failures.STACKED_SHOWN], step=np.int64(step))
    return {k: report[k] for k in ("n", "modes", "kl", "top_modes")}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--recipe", required=True, choices=sorted(RECIPES))
    add_run_arguments(p, RUNS, RESULTS, eval_every=1000, n=EVAL_SAMPLES)
    args = p.parse_args(argv)
    results_path = Path(args.results)
    options = parse_options(args.option)
    fields = {**RECIPES[args.recipe], **options}
    name, trainer, resume = open_run(args, RUNS, RECIPES[args.recipe], options, "stacked_mnist")
    classifier = load_classifier("mnist")
    results = json.loads(results_path.read_text()) if results_path.exists() else {}
    results["pacgan_table_2"] = PACGAN_TABLE_2
    if results.get("real_test_stacks", {}).get("n") != args.n:
        real = load_dataset("stacked_mnist", "test").images[:args.n]
        report = evaluate_samples("stacked_mnist", real, classifier=classifier)
        results["real_test_stacks"] = {k: report[k] for k in ("n", "modes", "kl")}
    runs = results.setdefault("runs", {})
    report = runs.get(name) if resume else None
    if report is None:
        report = {"recipe": args.recipe, "options": fields, "seed": args.seed,
                  "run_dir": str(trainer.out_dir), "points": [], "segments": []}
    report["points"] = [pt for pt in report["points"] if pt["step"] <= trainer.global_step]
    report["resolved"] = {k: getattr(trainer.config, k) for k in
                          ("model", "batch_size", "lr_g", "lr_d", "beta_1", "pack",
                           "minibatch_std", "latent_dim", "base_filters")}
    print(f"{name}: from step {trainer.global_step} to {args.steps}", flush=True)
    def save():
        report["command"] = "python benchmarks/stacked_mnist.py " + " ".join(argv or sys.argv[1:])
        saved = json.loads(results_path.read_text()) if results_path.exists() else results
        saved.update({k: results[k] for k in ("pacgan_table_2", "real_test_stacks")})
        saved.setdefault("runs", {})[name] = report
        write_report(saved, results_path)

    shown = failures.stacked_shown_path(results_path.parent, name)
    for step in train_in_segments(trainer, args.steps, args.eval_every, report):
        point = {"step": step, **score(trainer.gan, args.n, classifier, step, shown)}
        report["points"].append(point)
        save()
        print(f"  step {point['step']:6d}  modes {point['modes']:4d} / 1000  KL {point['kl']:.3f}",
              flush=True)
    save()  # the last segment, also an interrupted one
    return 0


if __name__ == "__main__":
    sys.exit(main())
