"""Wall time until a recipe's samples reach given quality, with metrics at fixed checkpoints.

Trains a recipe (model + dataset + options) and every ``--eval-every`` steps draws ``--n`` samples
and evaluates them with the kit's own metrics (precision, recall, FID in classifier features).
Training time and evaluation time are counted separately; the report says when precision and
recall first reached the thresholds, in training seconds.

    python benchmarks/time_to_quality.py --model dcgan --dataset mnist --minutes 10
    python benchmarks/time_to_quality.py --model mlp --dataset fashion_mnist --epochs 50
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("GAN_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data"))

import gan_lib  # noqa: E402

tf = gan_lib.import_tensorflow_quietly()

from gan_lib.classifier import load_classifier  # noqa: E402
from gan_lib.config import TrainConfig  # noqa: E402
from gan_lib.evaluate import evaluate_samples  # noqa: E402
from gan_lib.sampling import sample_images  # noqa: E402
from gan_lib.trainer import Trainer  # noqa: E402
from common import parse_options, write_report  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="dcgan")
    p.add_argument("--dataset", default="mnist")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--epochs", type=int, help="train this many epochs (else --minutes)")
    p.add_argument("--minutes", type=float, default=10.0, help="training-time budget")
    p.add_argument("--eval-every", type=int, default=500, help="steps between evaluations")
    p.add_argument("--n", type=int, default=5000, help="samples per evaluation")
    p.add_argument("--precision", type=float, default=0.75)
    p.add_argument("--recall", type=float, default=0.75)
    p.add_argument("--option", action="append", default=[],
                   help="extra TrainConfig field, e.g. --option base_filters=64")
    p.add_argument("--out", help="JSON file (default benchmarks/results/...)")
    args = p.parse_args(argv)

    extra = parse_options(args.option)
    length = dict(epochs=args.epochs) if args.epochs else dict(steps=10**7)
    config = TrainConfig(model=args.model, dataset=args.dataset, batch_size=args.batch_size,
                         verbose=0, **length, **extra)
    classifier = load_classifier(args.dataset)
    trainer = Trainer(config)
    budget = args.minutes * 60 if not args.epochs else float("inf")
    points, reached, train_seconds = [], None, 0.0
    print(f"{args.model} on {args.dataset}, batch {args.batch_size}, {extra or 'default recipe'}")
    while trainer.global_step < trainer.total_steps and train_seconds < budget:
        start = time.perf_counter()
        trainer.train(steps=min(args.eval_every, trainer.total_steps - trainer.global_step))
        train_seconds += time.perf_counter() - start
        images, labels = sample_images(trainer.sampling_gan(), args.n, seed=1)  # EMA if on
        r = evaluate_samples(args.dataset, images, labels, classifier=classifier)
        point = {"step": trainer.global_step, "train_seconds": round(train_seconds, 1),
                 **{k: r[k] for k in ("precision", "recall", "fid", "density", "coverage",
                                       "normalized_entropy")}}
        points.append(point)
        print(f"step {point['step']:6d}  {train_seconds:7.1f} s  precision {r['precision']:.3f}  "
              f"recall {r['recall']:.3f}  FID {r['fid']:8.2f}", flush=True)
        if reached is None and r["precision"] >= args.precision and r["recall"] >= args.recall:
            reached = point
    report = {"recipe": config.to_dict(), "thresholds": {"precision": args.precision,
                                                         "recall": args.recall},
              "reached": reached, "points": points,
              "cpus": os.cpu_count(), "tensorflow": tf.__version__,
              "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
              "date": time.strftime("%Y-%m-%d")}
    print("reached " + (f"at step {reached['step']} after {reached['train_seconds']} s of training"
                        if reached else "not within the budget"))
    out = write_report(report, args.out or Path(__file__).parent / "results" /
                       f"time_to_quality-{args.model}-{args.dataset}.json")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
