"""Steps per second with more workers: 1 process against 2 local worker processes
(``--strategy multiworker`` over 127.0.0.1), same global batch; with GPUs, also ``mirrored``
over every GPU against one device.

On a 2-core CPU the two workers share the same cores, so no speed-up is expected: the point is
the overhead of the distributed step (gradient all-reduce, synchronised batch norm, the stop
vote). Run: ``python benchmarks/scaling.py`` (writes results/scaling-<machine>.json).
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("GAN_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # gan_lib from this checkout
import gan_lib  # noqa: E402,F401  (mutes TensorFlow's start-up lines)
from common import machine_facts, write_report  # noqa: E402

WORKER = r"""
import json, sys, time
import gan_lib
if sys.argv[1] != "-":
    from gan_lib.distribute import write_tf_config
    write_tf_config(sys.argv[1].split(","), int(sys.argv[2]))
from gan_lib.config import TrainConfig
from gan_lib.data import batches
from gan_lib.trainer import Trainer
config = TrainConfig(model=sys.argv[3], strategy=sys.argv[4], steps=10**6, batch_size=128,
                     verbose=0)
trainer = Trainer(config)
it = iter(batches(trainer.data, 128, 0, shard=trainer.role))
k = int(sys.argv[6])  # steps per compiled call (the trainer uses 1 under a strategy)
trainer.run_steps(it, k)  # warm-up: tracing
steps, start = 0, time.perf_counter()
while steps < int(sys.argv[5]):
    trainer.run_steps(it, k)
    steps += k
print("RESULT" + json.dumps({"steps_per_second": steps / (time.perf_counter() - start)}))
"""


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [f"127.0.0.1:{s.getsockname()[1]}" for s in sockets]
    for s in sockets:
        s.close()
    return ports


def measure(model: str, strategy: str, workers: int, steps: int, per_call: int) -> float:
    """Steps per second of the chief (worker 0), ``per_call`` steps per compiled call."""
    cluster = ",".join(free_ports(workers)) if workers > 1 else "-"
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, cluster, str(i), model, strategy,
                               str(steps), str(per_call)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for i in range(workers)]
    outputs = [p.communicate(timeout=900) for p in procs]
    if "RESULT" not in outputs[0][0]:
        raise SystemExit(f"{model}/{strategy}: worker 0 failed:\n{outputs[0][1][-2000:]}")
    outputs = [out for out, _ in outputs]
    return json.loads(outputs[0].split("RESULT", 1)[1])["steps_per_second"]


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--models", default="mlp,dcgan")
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--out", default=str(Path(__file__).parent / "results" / "scaling-cpu2.json"))
    args = p.parse_args(argv)
    facts = machine_facts()
    rows = []
    for model in args.models.split(","):
        one = measure(model, "none", 1, args.steps, 20)
        one_each = measure(model, "none", 1, args.steps, 1)
        two = measure(model, "multiworker", 2, args.steps, 1)
        row = {"model": model, "one_process": round(one, 1),
               "one_process_one_step_per_call": round(one_each, 1),
               "two_workers": round(two, 1), "ratio": round(two / one, 3)}
        if facts["gpus"]:
            row["mirrored_gpus"] = round(measure(model, "mirrored", 1, args.steps, 1), 1)
        rows.append(row)
        print(json.dumps(row), flush=True)
    report = {"what": ("global batch 128, steps per second of the chief; one process runs 20 steps per "
                       "compiled call as the trainer does, and 1 per call for comparison; "
                       "a strategy runs 1 per call, as the trainer does"), "machine": facts,
              "command": "python benchmarks/scaling.py " + " ".join(argv or sys.argv[1:]),
              "rows": rows}
    print("wrote", write_report(report, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
