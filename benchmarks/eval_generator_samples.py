"""Generator samples for the embedding validation (docs/evaluation.md): the README's main run
(DCGAN, MNIST, 5 epochs, default settings) sampled at early steps and at its end.

    GAN_DATA_DIR=../shared/data python benchmarks/eval_generator_samples.py --out OUT_DIR

writes OUT_DIR/dcgan_step{S}.npz (uint8 images, 10,000 each) for S in --at, and the run itself
in OUT_DIR/run. The early-checkpoint file committed for the tests
(tests/data/eval_dcgan_step{S}.npz) is the first 2,000 images of one of them.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from gan_lib import TrainConfig, Trainer  # noqa: E402
from gan_lib.data import load_dataset  # noqa: E402
from gan_lib.sampling import sample_images  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", required=True)
    p.add_argument("--at", default="100,300,2345", help="steps to sample at (2345 = 5 epochs)")
    p.add_argument("--n", type=int, default=10_000)
    args = p.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    at = sorted(int(s) for s in args.at.split(","))
    train = load_dataset("mnist", "train")
    trainer = Trainer(TrainConfig(model="dcgan", dataset="mnist", steps=at[-1], verbose=0),
                      out / "run", overwrite=True, data=train)
    for step in at:
        trainer.train(steps=step - trainer.global_step)
        images, _ = sample_images(trainer.gan, args.n, seed=1)
        np.savez_compressed(out / f"dcgan_step{step}.npz", images=images)
        print(f"step {trainer.global_step}: wrote {out / f'dcgan_step{step}.npz'}", flush=True)


if __name__ == "__main__":
    main()
