"""Where a training step's time goes: an op-level profile of gan_lib's step and the seed loop.

``throughput.py`` says how fast each loop is; this says why. It records a TensorFlow profiler
trace of a few steps of each loop on the same architecture and batch, reads the trace
(``*.xplane.pb``) back, and sums the time of every TensorFlow kernel by kind: convolutions (forward
and both backward kernels), matrix products, batch norm, optimiser updates, the rest. Kernel time
is summed over the executor threads, so on 2 cores it can approach 2x the wall time.

The bound it prints answers "could any loop be 10x faster than the seed on this machine?": if
everything but gan_lib's convolution kernels took no time at all, a step would still take their
time divided by the threads that run them; the seed loop's wall time over that is the largest
speed-up any implementation of the same networks could reach.

    python benchmarks/profile_step.py                     # dcgan 28x28, batch 128
    python benchmarks/profile_step.py --models mlp dcgan28 cgan --steps 20
"""
from __future__ import annotations

import argparse
import collections
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # gan_lib from this checkout
from common import machine_facts, write_report  # noqa: E402
from throughput import MODELS, gan_lib_runner, hand_runner, seed_runner  # noqa: E402

import gan_lib  # noqa: E402

tf = gan_lib.import_tensorflow_quietly()

from gan_lib.config import TrainConfig  # noqa: E402
from gan_lib.data import load_dataset  # noqa: E402

# Kernel kinds, matched against the op type after the ':' of a trace event's name.
KINDS = [("convolution", ("Conv2D", "Conv2DBackpropInput", "Conv2DBackpropFilter", "FusedConv2D")),
         ("matmul", ("MatMul", "BatchMatMul", "FusedMatMul")),
         ("batch norm", ("FusedBatchNorm",)),
         ("variable writes", ("ResourceApply", "AssignVariableOp", "AssignSubVariableOp",
                              "AssignAddVariableOp"))]
OTHER = "element-wise, other"
# Events that wrap other kernels (function calls, loops) would count their content twice.
WRAPPERS = ("PartitionedCall", "StatefulPartitionedCall", "While", "If", "StatelessIf",
            "IteratorGetNext")


def kind_of(event_name: str) -> str | None:
    """The kind of kernel a trace event is, or None for events that are not one kernel. Kernel
    events are named ``op_name:OpType`` (MKL kernels: ``_MklNative<OpType>``)."""
    name, sep, op_type = event_name.rpartition(":")
    if not sep or not name or "::" in event_name or " " in event_name:
        return None  # runtime events: "KernelAndDeviceFunc::Run", " __inference_step_12", ...
    base = op_type.replace("_MklNative", "").replace("_Mkl", "")
    if any(base.startswith(w) for w in WRAPPERS):
        return None
    for kind, prefixes in KINDS:
        if any(base.startswith(p) for p in prefixes):
            return kind
    return OTHER


def kernel_seconds(logdir: Path) -> dict:
    """Seconds of kernel time by kind in the trace under ``logdir``."""
    from tensorflow.tsl.profiler.protobuf import xplane_pb2

    totals = collections.Counter()
    for path in logdir.rglob("*.xplane.pb"):
        space = xplane_pb2.XSpace()
        space.ParseFromString(path.read_bytes())
        for plane in space.planes:
            if not plane.name.startswith("/host:CPU") and "GPU" not in plane.name:
                continue
            names = {i: m.name for i, m in plane.event_metadata.items()}
            for line in plane.lines:
                for event in line.events:
                    kind = kind_of(names.get(event.metadata_id, ""))
                    if kind is not None:
                        totals[kind] += event.duration_ps * 1e-12
    return dict(totals)


def profile(run_steps, steps: int) -> dict:
    """Wall and kernel seconds per step for ``steps`` steps of ``run_steps`` (after a warm-up)."""
    run_steps(min(steps, 10))
    logdir = Path(tempfile.mkdtemp(prefix="gan_kit_profile_"))
    try:
        tf.profiler.experimental.start(str(logdir))
        start = time.perf_counter()
        run_steps(steps)
        wall = time.perf_counter() - start
        tf.profiler.experimental.stop()
        kernels = kernel_seconds(logdir)
    finally:
        shutil.rmtree(logdir, ignore_errors=True)
    per_step = {k: 1000 * v / steps for k, v in kernels.items()}
    return {"wall_ms": 1000 * wall / steps, "kernel_ms": per_step,
            "kernel_total_ms": sum(per_step.values())}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["dcgan28"], choices=list(MODELS))
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=20, help="profiled steps per loop")
    parser.add_argument("--out", help="JSON file (default benchmarks/results/profile-...json)")
    args = parser.parse_args(argv)

    threads = tf.config.threading.get_inter_op_parallelism_threads() or os.cpu_count()
    report = {"machine": machine_facts(), "batch_size": args.batch_size, "steps": args.steps,
              "models": {}}
    print(json.dumps(report["machine"]))
    cache = {}
    for name in args.models:
        options = MODELS[name]
        config = TrainConfig(dataset="mnist", steps=10**6, batch_size=args.batch_size, verbose=0,
                             **options)
        key = options.get("resolution", 28)
        if key not in cache:
            cache[key] = load_dataset("mnist", resolution=options.get("resolution"))
        data = cache[key]
        loops = {"gan_lib": gan_lib_runner(config, data),
                 "hand": hand_runner(config, data, "simultaneous"),
                 "seed": seed_runner(config, data)}
        rows = {}
        for loop, run in loops.items():
            steps = args.steps if loop != "seed" else max(5, args.steps // 2)
            rows[loop] = profile(run, steps)
        conv = rows["gan_lib"]["kernel_ms"].get("convolution", 0.0)
        floor_ms = conv / threads
        bound = rows["seed"]["wall_ms"] / floor_ms if floor_ms else None
        report["models"][name] = {"loops": rows, "convolution_floor_ms": floor_ms,
                                  "largest_possible_speedup_over_seed": bound}
        kinds = [k for k, _ in KINDS] + [OTHER]
        print(f"\n{name}: ms per step (kernel time summed over threads)")
        print(f"{'loop':8s} {'wall':>8s} " + " ".join(f"{k:>14s}" for k in kinds))
        for loop, row in rows.items():
            print(f"{loop:8s} {row['wall_ms']:8.1f} "
                  + " ".join(f"{row['kernel_ms'].get(k, 0.0):14.1f}" for k in kinds))
        if not conv:
            continue  # no convolutions: the step is all overhead, see throughput.py's ratios
        print(f"gan_lib's convolution kernels alone: {conv:.1f} ms over {threads} threads = "
              f"{floor_ms:.1f} ms per step at best; seed loop {rows['seed']['wall_ms']:.1f} ms "
              f"-> no implementation can be more than {bound:.1f}x faster than the seed")
    out = write_report(report, args.out or Path(__file__).parent / "results" /
                       f"profile-{'gpu' if report['machine']['gpus'] else 'cpu'}{os.cpu_count()}.json")
    print(f"peak resident memory: {report['peak_rss_mib']:.0f} MiB\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
