"""What the benchmark scripts share: ``--option key=value`` parsing, and what every report records
besides its figures (the machine, the date, peak memory)."""
from __future__ import annotations

import json
import os
import platform
import resource
import time
from pathlib import Path


def machine_facts() -> dict:
    """The machine and software versions a measurement was taken with."""
    import keras
    import tensorflow as tf

    return {"platform": platform.platform(), "processor": platform.processor(),
            "cpus": os.cpu_count(), "tensorflow": tf.__version__, "keras": keras.__version__,
            "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
            "date": time.strftime("%Y-%m-%d")}


def peak_rss_mib() -> float:
    """This program's peak resident memory: Linux's VmHWM, the high-water mark of the process's
    own memory since it started. Not ``getrusage(...).ru_maxrss``: a program started by
    ``subprocess`` (vfork + exec) inherits its parent's peak there, so a script run from a large
    process would report the parent's memory."""
    try:
        with open("/proc/self/status") as status:
            line = next(l for l in status if l.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024
    except (OSError, StopIteration):  # not Linux
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_report(report: dict, path) -> Path:
    """Add the process's peak resident memory to ``report`` and write it as JSON to ``path``."""
    report["peak_rss_mib"] = round(peak_rss_mib(), 1)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    return path


def parse_options(items) -> dict:
    """``["lr_d=4e-4", "spectral_norm=true", "loss=hinge"]`` -> TrainConfig fields: numbers and
    booleans are read as JSON, anything else stays a string."""
    options = {}
    for item in items:
        key, value = item.split("=", 1)
        options[key] = json.loads(value) if value[:1].isdigit() or value in ("true", "false") \
            else value
    return options


def add_run_arguments(parser, runs: Path, results: Path, eval_every: int, n: int) -> None:
    """The arguments of a benchmark that trains seeded, checkpointed runs and scores them as it
    goes (``infogan_paper.py``, ``stacked_mnist.py``); ``--recipe`` is the caller's own."""
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=5000, help="train up to this step")
    parser.add_argument("--eval-every", type=int, default=eval_every)
    parser.add_argument("--n", type=int, default=n, help="samples per evaluation")
    parser.add_argument("--option", action="append", default=[], help="TrainConfig field=value")
    parser.add_argument("--run-dir", help=f"default {runs}/<recipe>-seed<seed>")
    parser.add_argument("--results", default=str(results), help=f"the JSON (default {results})")


def open_run(args, runs: Path, fields: dict, options: dict, dataset: str):
    """The run ``args`` name (``<recipe>-seed<seed>`` plus the ``--option`` fields ``options``,
    which override ``fields``), continued from its checkpoint when its directory holds one:
    ``(name, trainer, resumed)``. Checkpoints every evaluation and every 10 minutes, so an
    interrupted benchmark loses little."""
    from gan_lib.config import TrainConfig
    from gan_lib.trainer import Trainer

    name = f"{args.recipe}-seed{args.seed}" + "".join(f"-{k}={v}" for k, v in options.items())
    run_dir = Path(args.run_dir or runs / name)
    config = TrainConfig(**{**fields, **options}, dataset=dataset, seed=args.seed,
                         steps=args.steps, verbose=1, tensorboard=False,
                         checkpoint_every_steps=args.eval_every, checkpoint_every_seconds=600.0)
    resumed = (run_dir / "config.json").exists()
    return name, Trainer(config, run_dir, resume=resumed), resumed


QUALITY_KEYS = ("precision", "recall", "fid", "density", "coverage")


def score(dataset: str, images, classifier, labels=None, keys=QUALITY_KEYS) -> dict:
    """``images`` scored on the course's held-out protocol (``reference="test"``: against as
    many of the test images as there are samples; notebook 06), rounded for the record."""
    from gan_lib.evaluate import evaluate_samples

    return _rounded(evaluate_samples(dataset, images, labels, classifier=classifier,
                                     reference="test"), keys)


def real_vs_real(dataset: str, n: int, classifier) -> dict:
    """The protocol's yardstick: ``n`` random training images scored as samples are
    (gan_lib.evaluate.real_vs_real), rounded like :func:`score`."""
    from gan_lib.evaluate import real_vs_real as yardstick

    return _rounded(yardstick(dataset, n, classifier), QUALITY_KEYS)


def _rounded(report: dict, keys) -> dict:
    """The ``keys`` a report has, rounded for the record: FID (small in these spaces) to 6
    decimals, the fractions to 4."""
    return {k: round(float(report[k]), 6 if k == "fid" else 4) for k in keys if k in report}


def train_in_segments(trainer, steps: int, every: int, report: dict):
    """Train ``trainer`` to ``steps`` in segments that end on multiples of ``every`` (where a
    benchmark scores), recording each segment's speed and the machine's load in
    ``report["segments"]`` (a loaded machine's steps/s is no speed figure: the load says so).
    Yields the step after each whole segment; returns early when training was interrupted
    (Ctrl-C / SIGTERM: the trainer has checkpointed, the same command continues)."""
    while trainer.global_step < steps:
        start, started = trainer.global_step, time.perf_counter()
        target = min(steps, (start // every + 1) * every)
        trainer.train(steps=target - start)
        seconds, done = time.perf_counter() - started, trainer.global_step - start
        if done:
            report["segments"].append({
                "from": start, "to": trainer.global_step, "seconds": round(seconds, 1),
                "steps_per_second": round(done / seconds, 2),
                "load_average": [round(x, 2) for x in os.getloadavg()],
                "interrupted": trainer.interrupted, "machine": machine_facts()})
        if trainer.interrupted or trainer.global_step != target:
            return
        yield trainer.global_step
