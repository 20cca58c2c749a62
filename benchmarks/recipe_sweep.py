"""Compare DCGAN recipes on MNIST by quality per training step, several at once on few cores.

``time_to_quality.py`` measures one recipe against the clock, alone on the machine. Searching
for a better recipe that way costs 10+ minutes per candidate. This script instead trains each
recipe for a fixed number of steps on **one thread**, so two recipes can run side by side on 2
cores, and evaluates at fixed steps. Step counts compare across recipes (the step rate on 2
threads is measured separately, by ``time_to_quality.py`` or ``throughput.py``).

Samples are scored against as many of the 10,000 held-out test digits as there are samples. At each evaluation it scores three versions of the same generator: ``raw`` (inference mode, as
``sample`` uses), ``ema`` (an exponential moving average of G's weights, decay 0.999 with the
usual warm-up, updated every compiled call of 20 steps), and ``bn_batch`` (batch norm using the
batch's statistics instead of the running ones).

    python benchmarks/recipe_sweep.py base --option batch_size=64 --steps 4000 --eval 2000,4000 &
    python benchmarks/recipe_sweep.py lr5 --option batch_size=64 --option lr_g=5e-4 \\
        --option lr_d=5e-4 --steps 4000 --eval 2000,4000 &
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("GAN_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data"))

import gan_lib  # noqa: E402

tf = gan_lib.import_tensorflow_quietly()

import keras  # noqa: E402
import numpy as np  # noqa: E402

from gan_lib import models  # noqa: E402
from gan_lib.classifier import load_classifier  # noqa: E402
from gan_lib.config import TrainConfig  # noqa: E402
from gan_lib.data import batches, to_uint8  # noqa: E402
from gan_lib.evaluate import evaluate_samples  # noqa: E402
from gan_lib.plotting import save_grid  # noqa: E402
from gan_lib.trainer import Trainer  # noqa: E402
from gan_lib.variants import register  # noqa: E402
from gan_lib.variants.plain import PlainGAN  # noqa: E402
from common import parse_options  # noqa: E402

CALL = 20  # steps per compiled call


class WiderGenerator(PlainGAN):
    """The DCGAN with G's width set apart from D's (``--g-filters``)."""

    g_filters = None

    @property
    def arch(self):
        return "dcgan"

    def build(self, image_shape, num_classes=None):
        gan = super().build(image_shape, num_classes)
        gan.generator = models.build_dcgan_generator(gan.latent_dim, image_shape[0],
                                                     image_shape[2], self.g_filters)
        return gan


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("name", help="label of this recipe (names the output files)")
    p.add_argument("--option", action="append", default=[],
                   help="TrainConfig field, e.g. --option batch_size=64")
    p.add_argument("--g-filters", type=int, help="width of G only (D keeps the default)")
    p.add_argument("--steps", type=int, default=4000)
    p.add_argument("--eval", default="2000,4000", help="steps at which to evaluate")
    p.add_argument("--n", type=int, default=5000, help="samples per evaluation")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--ema", type=float, default=0.999)
    p.add_argument("--scores", default="raw,ema,bn_batch", help="which generators to score")
    p.add_argument("--out-dir", default=str(Path(__file__).parent / "results" / "sweep"))
    args = p.parse_args(argv)
    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    options = parse_options(args.option)
    if args.g_filters:  # a wider (or narrower) G only: a variant of this script's own
        WiderGenerator.g_filters = args.g_filters
        register("dcgan-g-width", "__main__:WiderGenerator")
        options["model"] = "dcgan-g-width"
    config = TrainConfig(**{"model": "dcgan", **options}, dataset="mnist", steps=args.steps,
                         verbose=0)
    trainer = Trainer(config)
    generator = trainer.gan.generator
    ema = keras.models.clone_model(generator)
    ema.set_weights(generator.get_weights())
    classifier = load_classifier("mnist")
    config = trainer.config  # the run's resolved copy (batch size and rates filled in)
    iterator = iter(batches(trainer.data, config.batch_size, config.seed))
    evals = {int(s) for s in args.eval.split(",")}
    z = tf.random.stateless_normal((args.n, config.latent_dim), seed=[1, 2])

    def score(model, training=False):
        images = np.concatenate([to_uint8(model(z[i:i + 500], training=training).numpy())
                                 for i in range(0, args.n, 500)])
        r = evaluate_samples("mnist", images, classifier=classifier, reference="test")
        digits = {"precision": 3, "recall": 3, "fid": 6, "coverage": 3}  # this space's FIDs are small
        return {k: round(float(r[k]), n) for k, n in digits.items()}

    rows, step, seconds = [], 0, 0.0
    while step < args.steps:
        start = time.perf_counter()
        trainer.run_steps(iterator, CALL)
        decay = min(args.ema, (1 + step) / (10 + step)) ** CALL
        for e, w in zip(ema.weights, generator.weights):
            e.assign(decay * e + (1 - decay) * w)
        seconds += time.perf_counter() - start
        step += CALL
        if step in evals:
            versions = {"raw": lambda: score(generator), "ema": lambda: score(ema),
                        "bn_batch": lambda: score(generator, training=True)}
            row = {"step": step, "train_seconds_1_thread": round(seconds, 1),
                   **{name: versions[name]() for name in args.scores.split(",")}}
            rows.append(row)
            print(args.name, json.dumps(row), flush=True)
    out_dir = Path(args.out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    report = {"name": args.name, "options": options, "g_filters": args.g_filters,
              "threads": args.threads, "points": rows, "date": time.strftime("%Y-%m-%d")}
    (out_dir / f"{args.name}.json").write_text(json.dumps(report, indent=2) + "\n")
    save_grid(to_uint8(generator(z[:64], training=False).numpy()), out_dir / f"{args.name}.png",
              ncols=8)
    return 0


if __name__ == "__main__":
    sys.exit(main())
