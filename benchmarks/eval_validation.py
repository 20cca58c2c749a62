"""Which feature space ranks samples as a person does? Precision (and the other k-NN metrics) of
validation cases (gan_lib/features.py) in every candidate space of gan_lib/features.py.

    GAN_DATA_DIR=../shared/data python benchmarks/eval_validation.py \
        --generated OUT_DIR_OF_eval_generator_samples --n 5000 \
        --out benchmarks/results/eval_validation.json

The reference is 10,000 random training images (seed 0), as in ``gan_lib evaluate``.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402

from common import machine_facts, write_report  # noqa: E402
from gan_lib import features, metrics  # noqa: E402
from gan_lib.classifier import as_float, load_classifier  # noqa: E402
from gan_lib.data import load_dataset  # noqa: E402
from gan_lib.features import SPACES, classifier_features  # noqa: E402


def cases(n, generated, rng):
    test = load_dataset("mnist", "test")
    real, labels = test.images[:n], test.labels[:n]
    out = {"held-out real": real,
           "blend": features.blend_digits(real, labels, rng),
           "cut": features.cut_strokes(real, rng),
           "smear": features.smear_strokes(real, rng),
           "noise": rng.integers(0, 256, real.shape, dtype=np.uint8),
           "only the digit 1": test.images[test.labels == 1][:n]}
    for path in sorted(Path(generated).glob("dcgan_step*.npz"), key=lambda p: int(p.stem[10:])):
        with np.load(path) as f:
            out[f"DCGAN {path.stem[6:]}"] = f["images"][:n]
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--generated", required=True)
    p.add_argument("--n", type=int, default=5000)
    p.add_argument("--spaces", default=",".join(SPACES))
    p.add_argument("--out")
    args = p.parse_args()
    rng = np.random.default_rng(0)
    clf = load_classifier("mnist")
    train = load_dataset("mnist", "train")
    reference = train.images[np.random.default_rng(0).choice(len(train), 10_000, replace=False)]
    imgs = cases(args.n, args.generated, rng)
    report = {"machine": machine_facts(), "n": args.n, "n_reference": 10_000, "spaces": {}}
    for space in args.spaces.split(","):
        embed = classifier_features(clf.model, space)
        ref = embed(as_float(reference))
        rows = {}
        for name, x in imgs.items():
            t = time.perf_counter()
            f = embed(as_float(x))
            r = {**metrics.precision_recall(ref, f, 3), **metrics.density_coverage(ref, f, 5)}
            rows[name] = r
            print(f"{space:14s} {name:16s} P {r['precision']:.3f} R {r['recall']:.3f} "
                  f"D {r['density']:.3f} C {r['coverage']:.3f} ({time.perf_counter() - t:.1f}s)",
                  flush=True)
        report["spaces"][space] = rows
    if args.out:
        write_report(report, args.out)


if __name__ == "__main__":
    main()
