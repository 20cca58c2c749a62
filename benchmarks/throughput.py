"""Training throughput of gan_lib against two reference loops, side by side in one process.

For each model (mlp, dcgan at 28x28, cgan, dcgan at 64x64) and the same architecture, batch size
and real MNIST batches, this times:

* ``gan_lib``: the trainer's compiled call (``steps_per_call`` steps in one graph), metrics fetched
  for every step as the trainer does;
* ``hand``: a minimal hand-written ``tf.function`` + ``GradientTape`` step, one call per step, as in
  the TensorFlow DCGAN tutorial;
* ``seed``: the course seed's Keras loop (``G.predict`` + ``D.train_on_batch`` x2 +
  ``combined.train_on_batch``), made correct for Keras 3 (see gan_lib/course/seed_loop.py).

Warm-up (tracing) is excluded; each measurement is repeated and the median and spread of images
per second are printed with the ratios, and written as JSON.

    python benchmarks/throughput.py                      # all models, results in benchmarks/results/
    python benchmarks/throughput.py --models mlp --repeats 3 --steps 50
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("GAN_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data"))

import gan_lib  # noqa: E402
from common import machine_facts, write_report  # noqa: E402

tf = gan_lib.import_tensorflow_quietly()
import keras  # noqa: E402
import numpy as np  # noqa: E402

from gan_lib.config import TrainConfig  # noqa: E402
from gan_lib.data import load_dataset  # noqa: E402
from gan_lib.course.seed_loop import compile_seed_loop, seed_train_step  # noqa: E402
from gan_lib.trainer import Trainer  # noqa: E402

MODELS = {
    "mlp": dict(model="mlp"),
    "dcgan28": dict(model="dcgan"),
    "cgan": dict(model="cgan", arch="dcgan"),
    "dcgan64": dict(model="dcgan", resolution=64),
}


def hand_written_step(gan, latent_dim, updates="simultaneous"):
    """A minimal hand-written step, one tf.function per step, BCE from logits, Adam(2e-4, 0.5).

    ``simultaneous`` is the TensorFlow DCGAN tutorial's step: both gradients from one forward
    pass. ``alternating`` updates D first, then takes G's gradient through the updated D on the
    same generated batch: the algorithm gan_lib runs by default, written out by hand.
    """
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    g_opt, d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5)
    G, D, cond = gan.generator, gan.discriminator, gan.conditional

    def losses(real_out, fake_out):
        """D's loss and G's (non-saturating) loss."""
        return (bce(tf.ones_like(real_out), real_out) + bce(tf.zeros_like(fake_out), fake_out),
                bce(tf.ones_like(fake_out), fake_out))

    @tf.function
    def step(images, labels):
        z = tf.random.normal([tf.shape(images)[0], latent_dim])
        g_in = [z, labels] if cond else z
        judge = (lambda x: D([x, labels], training=True)) if cond else (
            lambda x: D(x, training=True))
        if updates == "simultaneous":
            with tf.GradientTape() as gt, tf.GradientTape() as dt:
                fake = G(g_in, training=True)
                d_loss, g_loss = losses(judge(images), judge(fake))
            d_opt.apply_gradients(zip(dt.gradient(d_loss, D.trainable_variables),
                                      D.trainable_variables))
        else:
            with tf.GradientTape() as gt:
                fake = G(g_in, training=True)
                with gt.stop_recording():
                    with tf.GradientTape() as dt:
                        d_loss, _ = losses(judge(images), judge(tf.stop_gradient(fake)))
                    d_opt.apply_gradients(zip(dt.gradient(d_loss, D.trainable_variables),
                                              D.trainable_variables))
                fake_out = judge(fake)  # the updated D, the same generated batch
                g_loss = bce(tf.ones_like(fake_out), fake_out)
        g_opt.apply_gradients(zip(gt.gradient(g_loss, G.trainable_variables), G.trainable_variables))
        return d_loss, g_loss

    return step


def measure(run_steps, steps: int, repeats: int, batch: int):
    """Median and spread of images/second over ``repeats`` timings of ``steps`` steps."""
    run_steps(min(steps, 10))  # warm-up: tracing and the first allocations
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        run_steps(steps)
        rates.append(steps * batch / (time.perf_counter() - start))
    return {"median": statistics.median(rates), "min": min(rates), "max": max(rates),
            "runs": rates}


def gan_lib_runner(config, data):
    """``run(n)``: n steps of the trainer's compiled call, every step's metrics fetched."""
    from gan_lib.data import batches

    trainer = Trainer(config, data=data)
    iterator = iter(batches(data, config.batch_size, seed=0))

    def run(n):
        done = 0
        while done < n:
            k = min(config.steps_per_call, n - done)
            trainer.run_steps(iterator, k)  # fetches every step's metrics, as training does
            done += k

    return run


def hand_runner(config, data, updates):
    """``run(n)``: n calls of the hand-written step on fresh networks of the same architecture."""
    from gan_lib.data import batches

    step = hand_written_step(Trainer(config, data=data).gan, config.latent_dim, updates)
    iterator = iter(batches(data, config.batch_size, seed=1))

    def run(n):
        for _ in range(n):
            images, labels = next(iterator)
            d_loss, g_loss = step(images, labels)
            float(d_loss), float(g_loss)

    return run


def seed_runner(config, data):
    """``run(n)``: n steps of the seed's train_on_batch loop (fixed for Keras 3)."""
    gan = Trainer(config, data=data).gan
    combined = compile_seed_loop(gan.generator, gan.discriminator, config.latent_dim,
                                 data.num_classes if gan.conditional else None)
    rng = np.random.default_rng(0)
    images = data.images.astype(np.float32) / 127.5 - 1

    def run(n):
        for _ in range(n):
            idx = rng.integers(0, len(images), config.batch_size)
            labels = data.labels[idx] if gan.conditional else None
            seed_train_step(gan.generator, gan.discriminator, combined, images[idx], rng,
                            config.latent_dim, labels=labels)

    return run


# Each gan_lib update order is compared with the same algorithm written by hand.
PAIRS = {"gan_lib": "hand_alt", "gan_lib_sim": "hand"}


def bench_model(name, options, batch, steps, repeats, data_cache, skip_seed):
    key = options.get("resolution", 28)
    if key not in data_cache:
        data_cache[key] = load_dataset("mnist", resolution=options.get("resolution"))
    data = data_cache[key]
    config = TrainConfig(dataset="mnist", steps=10**6, batch_size=batch, verbose=0, **options)
    simultaneous = dataclasses.replace(config, updates="simultaneous")
    runners = {"gan_lib": lambda: gan_lib_runner(config, data),
               "gan_lib_sim": lambda: gan_lib_runner(simultaneous, data),
               "hand_alt": lambda: hand_runner(config, data, "alternating"),
               "hand": lambda: hand_runner(config, data, "simultaneous")}
    if not skip_seed:
        runners["seed"] = lambda: seed_runner(config, data)
    return {loop: measure(make(), steps if loop != "seed" else max(5, steps // 4), repeats, batch)
            for loop, make in runners.items()}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=100, help="steps per timing")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-seed", action="store_true", help="leave out the slow seed loop")
    parser.add_argument("--out", default=None, help="JSON file (default benchmarks/results/...)")
    args = parser.parse_args(argv)

    machine = machine_facts()
    print(json.dumps(machine))
    report = {"machine": machine, "batch_size": args.batch_size, "steps": args.steps,
              "repeats": args.repeats, "models": {}}
    out = Path(args.out or Path(__file__).parent / "results" /
               f"throughput-{'gpu' if machine['gpus'] else 'cpu'}{os.cpu_count()}.json")
    cache = {}
    for name in args.models:
        res = bench_model(name, MODELS[name], args.batch_size, args.steps, args.repeats, cache,
                          args.skip_seed)
        report["models"][name] = res
        line = f"{name:8s}" + "".join(
            f"  {k} {v['median']:8.0f} img/s [{v['min']:.0f}-{v['max']:.0f}]" for k, v in res.items())
        ratios = {f"{mine}/{ref}": res[mine]["median"] / res[ref]["median"]
                  for mine, ref in PAIRS.items()}
        if "seed" in res:
            ratios["gan_lib/seed"] = res["gan_lib"]["median"] / res["seed"]["median"]
            ratios["gan_lib_sim/seed"] = res["gan_lib_sim"]["median"] / res["seed"]["median"]
        res["ratios"] = ratios
        print(line + "   " + "  ".join(f"{k} {v:.2f}x" for k, v in ratios.items()), flush=True)
        write_report(report, out)  # after each model: partial runs count
    print(f"peak resident memory: {report['peak_rss_mib']:.0f} MiB")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
