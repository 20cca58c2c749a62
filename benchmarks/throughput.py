"""Training throughput of gan_lib against two reference loops, side by side in one process.

For each model (mlp, dcgan at 28x28, cgan, dcgan at 64x64) and the same architecture, batch size
and real MNIST batches, this times:

* ``gan_lib``: the trainer's compiled call (``steps_per_call`` steps in one graph), metrics fetched
  for every step as the trainer does;
* ``hand``: a minimal hand-written ``tf.function`` + ``GradientTape`` step, one call per step, as in
  the TensorFlow DCGAN tutorial;
* ``seed``: the course seed's Keras loop (``G.predict`` + ``D.train_on_batch`` x2 +
  ``combined.train_on_batch``), made correct for Keras 3 (see gan_lib/seed_loop.py).

Warm-up (tracing) is excluded; each measurement is repeated and the median and spread of images
per second are printed with the ratios, and written as JSON.

    python benchmarks/throughput.py                      # all models, results in benchmarks/results/
    python benchmarks/throughput.py --models mlp --repeats 3 --steps 50
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("GAN_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data"))

import gan_lib  # noqa: E402

tf = gan_lib.import_tensorflow_quietly()
import keras  # noqa: E402
import numpy as np  # noqa: E402

from gan_lib.config import TrainConfig  # noqa: E402
from gan_lib.data import load_dataset  # noqa: E402
from gan_lib.seed_loop import compile_seed_loop, seed_train_step  # noqa: E402
from gan_lib.trainer import Trainer  # noqa: E402

MODELS = {
    "mlp": dict(model="mlp"),
    "dcgan28": dict(model="dcgan"),
    "cgan": dict(model="cgan", arch="dcgan"),
    "dcgan64": dict(model="dcgan", resolution=64),
}


def hand_written_step(gan, latent_dim):
    """The tutorial-style step: one tf.function per step, BCE from logits, Adam(2e-4, 0.5)."""
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    g_opt, d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5), keras.optimizers.Adam(2e-4, beta_1=0.5)
    G, D, cond = gan.generator, gan.discriminator, gan.conditional

    @tf.function
    def step(images, labels):
        z = tf.random.normal([tf.shape(images)[0], latent_dim])
        g_in = [z, labels] if cond else z
        with tf.GradientTape() as gt, tf.GradientTape() as dt:
            fake = G(g_in, training=True)
            real_out = D([images, labels] if cond else images, training=True)
            fake_out = D([fake, labels] if cond else fake, training=True)
            g_loss = bce(tf.ones_like(fake_out), fake_out)
            d_loss = bce(tf.ones_like(real_out), real_out) + bce(tf.zeros_like(fake_out), fake_out)
        g_opt.apply_gradients(zip(gt.gradient(g_loss, G.trainable_variables), G.trainable_variables))
        d_opt.apply_gradients(zip(dt.gradient(d_loss, D.trainable_variables), D.trainable_variables))
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


def bench_model(name, options, batch, steps, repeats, data_cache, skip_seed):
    config = TrainConfig(dataset="mnist", steps=10**6, batch_size=batch, verbose=0, **options)
    key = options.get("resolution", 28)
    if key not in data_cache:
        data_cache[key] = load_dataset("mnist", resolution=options.get("resolution"))
    data = data_cache[key]
    results = {}

    trainer = Trainer(config, data=data)
    from gan_lib.data import batches

    iterator = iter(batches(data, batch, seed=0))
    spc = config.steps_per_call

    def run_gan_lib(n):
        done = 0
        while done < n:
            k = min(spc, n - done)
            out = trainer._multi_step(iterator, tf.constant(k), tf.constant(0.0), tf.constant(0.0))
            [v.numpy() for v in out.values()]  # the trainer reads every step's metrics
            done += k

    results["gan_lib"] = measure(run_gan_lib, steps, repeats, batch)

    hand_gan = Trainer(config, data=data).gan  # same architecture, fresh weights
    hand = hand_written_step(hand_gan, config.latent_dim)
    hand_iter = iter(batches(data, batch, seed=1))

    def run_hand(n):
        for _ in range(n):
            images, labels = next(hand_iter)
            d_loss, g_loss = hand(images, labels)
            float(d_loss), float(g_loss)

    results["hand"] = measure(run_hand, steps, repeats, batch)

    if not skip_seed:
        seed_gan = Trainer(config, data=data).gan
        combined = compile_seed_loop(seed_gan.generator, seed_gan.discriminator, config.latent_dim,
                                     data.num_classes if seed_gan.conditional else None)
        rng = np.random.default_rng(0)
        images_np = data.images.astype(np.float32) / 127.5 - 1

        def run_seed(n):
            for _ in range(n):
                idx = rng.integers(0, len(images_np), batch)
                labels = data.labels[idx] if seed_gan.conditional else None
                seed_train_step(seed_gan.generator, seed_gan.discriminator, combined,
                                images_np[idx], rng, config.latent_dim, labels=labels)

        results["seed"] = measure(run_seed, max(5, steps // 4), repeats, batch)
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=list(MODELS))
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=100, help="steps per timing")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-seed", action="store_true", help="leave out the slow seed loop")
    parser.add_argument("--out", default=None, help="JSON file (default benchmarks/results/...)")
    args = parser.parse_args(argv)

    machine = {"platform": platform.platform(), "processor": platform.processor(),
               "cpus": os.cpu_count(), "tensorflow": tf.__version__, "keras": keras.__version__,
               "gpus": [d.name for d in tf.config.list_physical_devices("GPU")],
               "date": time.strftime("%Y-%m-%d")}
    print(json.dumps(machine))
    report = {"machine": machine, "batch_size": args.batch_size, "steps": args.steps,
              "repeats": args.repeats, "models": {}}
    out = Path(args.out or Path(__file__).parent / "results" /
               f"throughput-{'gpu' if machine['gpus'] else 'cpu'}{os.cpu_count()}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    cache = {}
    for name in args.models:
        res = bench_model(name, MODELS[name], args.batch_size, args.steps, args.repeats, cache,
                          args.skip_seed)
        report["models"][name] = res
        line = f"{name:8s}" + "".join(
            f"  {k} {v['median']:8.0f} img/s [{v['min']:.0f}-{v['max']:.0f}]" for k, v in res.items())
        ratios = {f"gan_lib/{k}": res["gan_lib"]["median"] / v["median"]
                  for k, v in res.items() if k != "gan_lib"}
        res["ratios"] = ratios
        print(line + "   " + "  ".join(f"{k} {v:.2f}x" for k, v in ratios.items()), flush=True)
        report["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        out.write_text(json.dumps(report, indent=2) + "\n")  # after each model: partial runs count
    print(f"peak resident memory: {report['peak_rss_mib']:.0f} MiB")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
