"""XLA on and off, side by side: steps per second of each recipe with ``jit_compile`` on and off,
alternated in one process (each repeat runs every recipe, XLA on then off) so that a machine's
drift or a neighbour's load hits all of them alike.

    python benchmarks/xla_speed.py                             # every ceiling recipe
    python benchmarks/xla_speed.py --recipes default --steps 300 --repeats 3

Each measurement builds a fresh trainer (in memory), runs one warm-up call (tracing and, with
XLA, compilation, not counted) and then times ``--steps`` steps of the compiled loop. Writes
``results/xla_speed-<machine>.json`` with every repeat, the medians and the ratio.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import bootstrap  # noqa: E402,F401  (paths and data set before TensorFlow's first import)

from gan_lib.config import TrainConfig  # noqa: E402
from gan_lib.data import batches  # noqa: E402
from gan_lib.trainer import Trainer  # noqa: E402

from ceiling import RECIPES  # noqa: E402
from common import machine_facts, write_report  # noqa: E402


def steps_per_second(recipe: str, jit: bool, steps: int) -> float:
    config = TrainConfig(**{"model": "dcgan", **RECIPES[recipe]}, dataset="mnist", steps=10**6,
                         jit_compile=jit, verbose=0)
    trainer = Trainer(config)
    c = trainer.config  # the run's resolved copy: batch size and rates filled in
    iterator = iter(batches(trainer.data, c.batch_size, c.seed))
    trainer.run_steps(iterator, c.steps_per_call)  # tracing and compiling
    calls = max(1, steps // c.steps_per_call)
    start = time.perf_counter()
    for _ in range(calls):
        trainer.run_steps(iterator, c.steps_per_call)
    return calls * c.steps_per_call / (time.perf_counter() - start)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--recipes", default=",".join(RECIPES))
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--out")
    args = p.parse_args(argv)
    facts = machine_facts()
    recipes = args.recipes.split(",")
    runs = {r: {"xla": [], "plain": []} for r in recipes}
    # every repeat measures every recipe both ways, so drift and load hit all of them alike
    for _ in range(args.repeats):
        for recipe in recipes:
            for name, jit in (("xla", True), ("plain", False)):
                runs[recipe][name].append(round(steps_per_second(recipe, jit, args.steps), 2))
                print(f"{recipe} {name}: {runs[recipe][name][-1]} steps/s", flush=True)
    results = {}
    for recipe in recipes:
        med = {k: statistics.median(v) for k, v in runs[recipe].items()}
        results[recipe] = {"steps_per_second": runs[recipe], "median": med,
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
