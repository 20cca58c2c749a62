"""XLA on and off, side by side: steps per second of each recipe with ``jit_compile`` on and off,
alternated in one process so that a machine's drift or a neighbour's load hits both alike.

    python benchmarks/xla_speed.py                             # every ceiling recipe
    python benchmarks/xla_speed.py --recipes default --steps 300 --repeats 3

Each measurement builds a fresh trainer (in memory), runs one warm-up call (tracing and, with
XLA, compilation, not counted) and then times ``--steps`` steps of the compiled loop. Writes
``results/xla_speed-<machine>.json`` with every repeat, the medians and the ratio.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("GAN_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # gan_lib from this checkout

import gan_lib  # noqa: E402

tf = gan_lib.import_tensorflow_quietly()

from gan_lib.config import TrainConfig  # noqa: E402
from gan_lib.data import batches  # noqa: E402
from gan_lib.trainer import Trainer  # noqa: E402
from ceiling import RECIPES  # noqa: E402
from common import machine_facts, write_report  # noqa: E402


def steps_per_second(recipe: str, jit: bool, steps: int) -> float:
    config = TrainConfig(**{"model": "dcgan", **RECIPES[recipe]}, dataset="mnist", steps=10**6,
                         jit_compile=jit, verbose=0)
    trainer = Trainer(config)
    iterator = iter(batches(trainer.data, config.batch_size, config.seed))
    trainer.run_steps(iterator, config.steps_per_call)  # tracing and compiling
    calls = max(1, steps // config.steps_per_call)
    start = time.perf_counter()
    for _ in range(calls):
        trainer.run_steps(iterator, config.steps_per_call)
    return calls * config.steps_per_call / (time.perf_counter() - start)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--recipes", default=",".join(RECIPES))
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out")
    args = p.parse_args(argv)
    facts = machine_facts()
    results = {}
    for recipe in args.recipes.split(","):
        runs = {"xla": [], "plain": []}
        for _ in range(args.repeats):
            for name, jit in (("xla", True), ("plain", False)):
                runs[name].append(round(steps_per_second(recipe, jit, args.steps), 2))
                print(f"{recipe} {name}: {runs[name][-1]} steps/s", flush=True)
        med = {k: statistics.median(v) for k, v in runs.items()}
        results[recipe] = {"steps_per_second": runs, "median": med,
                           "xla_speedup": round(med["xla"] / med["plain"], 3)}
        print(f"{recipe}: XLA {med['xla']:.2f} vs {med['plain']:.2f} steps/s "
              f"({results[recipe]['xla_speedup']:.2f}x)", flush=True)
    tag = "gpu" if facts["gpus"] else f"cpu{facts['cpus']}"
    out = Path(args.out or Path(__file__).parent / "results" / f"xla_speed-{tag}.json")
    write_report({"command": "python benchmarks/xla_speed.py " + " ".join(argv or sys.argv[1:]),
                  "machine": facts, "steps": args.steps, "recipes": results}, out)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
