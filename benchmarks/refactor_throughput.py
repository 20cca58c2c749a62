"""Throughput of a redesign against the code it replaced, side by side.

The old ``gan_lib`` (commit ``--before``, default the last commit before the step/variants
redesign) is taken from git into a temporary folder; each round then times both libraries, in
separate processes, alternating which goes first, on the same data and config: the compiled
multi-step call alone (``call``; every step's metrics fetched, as training does) and
``Trainer.train``, the whole loop in memory (``train``: records, loss checks, hooks). The ratio
is new / old images per second (1.0 = the same speed).

Run: ``python benchmarks/refactor_throughput.py`` (writes results/refactor-throughput-cpu2.json);
the run-objects redesign (issue 23): ``python benchmarks/refactor_throughput.py --before b39422e
--out benchmarks/results/refactor-throughput-run-objects-cpu2.json``.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # gan_lib from this checkout
from common import machine_facts, write_report  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BEFORE = "df51817"  # the last commit before the step/variants/callbacks redesign

MEASURE = r"""
import json, sys, time
sys.meta_path = [f for f in sys.meta_path if "__editable__" not in type(f).__module__]
sys.path.insert(0, sys.argv[1])
import gan_lib
assert gan_lib.__file__.startswith(sys.argv[1]), gan_lib.__file__
import dataclasses
import tensorflow as tf
from gan_lib.config import TrainConfig
from gan_lib.data import batches, load_dataset
from gan_lib.trainer import Trainer
mnist = load_dataset("mnist")
config = TrainConfig(model=sys.argv[2], steps=10**6, batch_size=128, verbose=0)
trainer = Trainer(config, data=mnist)
it = iter(batches(mnist, 128, seed=0))
if hasattr(trainer, "run_steps"):
    run = lambda k: trainer.run_steps(it, k)
else:
    def run(k):
        out = trainer._multi_step(it, tf.constant(k), tf.constant(0.0), tf.constant(0.0))
        return {key: v.numpy() for key, v in out.items()}
run(20)  # warm-up: tracing
steps, start = int(sys.argv[3]), time.perf_counter()
for _ in range(steps // 20):
    run(20)
call = steps * 128 / (time.perf_counter() - start)
# the whole loop too: records, loss checks, hooks (a run in memory: no files)
trainer.train(20)
start = time.perf_counter()
trainer.train(steps)
loop = steps * 128 / (time.perf_counter() - start)
print("RESULT" + json.dumps({"call": call, "train": loop}))
"""


def images_per_second(library: Path, model: str, steps: int) -> float:
    r = subprocess.run([sys.executable, "-c", MEASURE, str(library), model, str(steps)],
                       capture_output=True, text=True, timeout=1800)
    if r.returncode != 0:
        raise RuntimeError(r.stderr[-2000:])
    return json.loads(r.stdout.split("RESULT", 1)[1])


def old_library(commit: str, folder: Path) -> Path:
    archive = folder / "old.tar"
    with open(archive, "wb") as f:
        subprocess.run(["git", "-C", str(REPO), "archive", commit, "gan_lib"], stdout=f,
                       check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(folder / "old")
    return folder / "old"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", default=BEFORE, help="the commit to compare with")
    p.add_argument("--models", default="mlp,dcgan")
    p.add_argument("--steps", type=int, default=400)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--out", default=str(Path(__file__).parent / "results" /
                                        "refactor-throughput-cpu2.json"))
    args = p.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        libraries = {"before": old_library(args.before, Path(tmp)), "after": REPO}
        for model in args.models.split(","):
            runs = {"before": [], "after": []}
            for r in range(args.rounds):
                for name in (("before", "after") if r % 2 == 0 else ("after", "before")):
                    runs[name].append(images_per_second(libraries[name], model, args.steps))
            row = {"model": model, "before": runs["before"], "after": runs["after"]}
            for what in ("call", "train"):  # the compiled call alone; train(): the whole loop
                ratios = [a[what] / b[what] for a, b in zip(runs["after"], runs["before"])]
                row[what] = {"ratio_median": round(statistics.median(ratios), 4),
                             "ratio_min": round(min(ratios), 4),
                             "ratio_max": round(max(ratios), 4)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    report = {"what": "images/s, new / old library: of the compiled multi-step call ('call') "
                      "and of Trainer.train, the whole loop in memory ('train')",
              "before_commit": args.before, "machine": machine_facts(),
              "command": "python benchmarks/refactor_throughput.py " + " ".join(argv or
                                                                              sys.argv[1:]),
              "rows": rows}
    print("wrote", write_report(report, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
