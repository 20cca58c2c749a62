"""How long does `python -m gan_lib evaluate` take on 10,000 MNIST samples, from a cold start?

    GAN_DATA_DIR=../shared/data python benchmarks/eval_speed.py --samples S.npz \
        --out benchmarks/results/eval_speed-cpu2.json

Runs the command in a fresh process (TensorFlow import, the shipped classifier loaded and its test
accuracy re-measured, the 60,000 training images embedded, copies searched among all of them),
``--repeat`` times, and records the wall-clock seconds and the machine's load average.
Without --samples it evaluates the 10,000 test images.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from common import machine_facts, write_report  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--samples")
    p.add_argument("--repeat", type=int, default=2)
    p.add_argument("--out")
    args = p.parse_args()
    samples = args.samples
    if samples is None:
        import numpy as np

        from gan_lib.data import load_dataset

        samples = str(Path(tempfile.mkdtemp()) / "test.npz")
        np.savez(samples, images=load_dataset("mnist", "test").images)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    runs = []
    for _ in range(args.repeat):
        load = os.getloadavg()[0]
        start = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "gan_lib", "evaluate", "--dataset", "mnist",
                            "--samples", samples], env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
        if r.returncode:
            raise SystemExit(r.stderr)
        runs.append({"seconds": round(seconds, 1), "load_average_before": round(load, 2)})
        print(f"{seconds:.1f} s (load average before: {load:.2f})", flush=True)
    report = {"machine": machine_facts(), "command": "python -m gan_lib evaluate --dataset mnist "
              "--samples <10,000 images>", "samples": samples, "runs": runs}
    if args.out:
        write_report(report, args.out)


if __name__ == "__main__":
    main()
