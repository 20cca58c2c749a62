"""Everything around the training loop, as callbacks (in the spirit of Keras callbacks and the
keras.io ``GANMonitor``): ``Trainer.train`` runs the steps and calls these hooks; sample grids,
the CSV log, checkpoints, TensorBoard and the collapse monitor are each one callback, and your
own (live notebook plots, evaluation during training, ...) go in ``Trainer(callbacks=[...])``.

A callback overrides any of:

* ``on_train_begin(trainer)``: before the first step of a ``train()`` call;
* ``on_steps_end(trainer, step, logs)``: after each compiled call (which runs one or more steps);
  ``step`` is the global step reached and ``logs`` the metrics of that last step (floats);
* ``on_interval(trainer, step)``: every ``every_steps`` steps (``None`` = once per epoch) and at
  the end of the run; the trainer ends its compiled calls on these boundaries;
* ``on_save(trainer)``: write your files now; a checkpoint of the same step follows, so whatever
  you write agrees with it (a kill in between leaves files ahead of the checkpoint, never behind);
* ``on_resume(trainer)``: the run was just restored from a checkpoint: reload your state;
* ``on_train_end(trainer)``: after the last step, also when training was interrupted;
* ``after_step(trainer)``: graph code run *inside* the compiled loop after every step (e.g. a
  moving average of the weights); it must only use TensorFlow operations.

``checkpoint_objects()`` may return trackable objects (e.g. variables) to save in the run's
checkpoint, so a callback with state resumes bit for bit.
"""
from __future__ import annotations

import csv
import io
import time

from gan_lib.io import atomic_write_text


class Callback:
    """Base class: every hook does nothing. ``every_steps`` sets the ``on_interval`` period."""

    every_steps: int | None = None

    def on_train_begin(self, trainer) -> None:
        pass

    def on_steps_end(self, trainer, step: int, logs: dict) -> None:
        pass

    def on_interval(self, trainer, step: int) -> None:
        pass

    def on_save(self, trainer) -> None:
        pass

    def on_resume(self, trainer) -> None:
        pass

    def on_train_end(self, trainer) -> None:
        pass

    after_step = None  # or a method: graph code run after every step (see above)

    def checkpoint_objects(self) -> dict:
        return {}


def rows_up_to(path, step: int) -> list:
    """The rows of a run's CSV file up to ``step`` (rows past the restored checkpoint are trained
    again after a resume); none if the file does not exist."""
    if not path.exists():
        return []
    with open(path, newline="") as f:
        return [row for row in csv.DictReader(f) if int(row["step"]) <= step]


class CSVLog(Callback):
    """``RUN_DIR/log.csv``: one row per step (step, epoch, losses, D's outputs, seconds)."""

    def on_save(self, trainer):
        buf = io.StringIO()
        writer = csv.DictWriter(buf, trainer.log_fields)
        writer.writeheader()
        h = trainer.history
        for i in range(len(h["step"])):
            writer.writerow({k: h[k][i] for k in trainer.log_fields})
        atomic_write_text(trainer.output("log.csv"), buf.getvalue())

    def on_resume(self, trainer):
        """Reload the log, dropping rows past the restored checkpoint (trained again)."""
        for row in rows_up_to(trainer.out_dir / "log.csv", trainer.global_step):
            for key in trainer.log_fields:
                trainer.history[key].append(int(row[key]) if key in ("step", "epoch")
                                            else float(row[key]))


class SampleGrids(Callback):
    """A grid of the fixed inputs (the same all run long) in ``RUN_DIR/samples/`` at each
    interval, so the grids show one set of samples improving."""

    def __init__(self, every_steps=None):
        self.every_steps = every_steps

    def on_interval(self, trainer, step):
        trainer.save_samples(step)


class Checkpoints(Callback):
    """A checkpoint at each interval, and whenever ``seconds`` have passed since the last."""

    def __init__(self, every_steps=None, seconds: float = 300.0):
        self.every_steps, self.seconds = every_steps, seconds
        self._last_time, self._last_step = time.monotonic(), None

    def _save(self, trainer, step):
        if step != self._last_step:
            trainer.save()
            self._last_time, self._last_step = time.monotonic(), step

    def on_steps_end(self, trainer, step, logs):
        if time.monotonic() - self._last_time > self.seconds:
            self._save(trainer, step)

    def on_interval(self, trainer, step):
        self._save(trainer, step)


class LossCurves(Callback):
    """``RUN_DIR/losses.png`` (loss curves and D's outputs), drawn when training stops."""

    def on_train_end(self, trainer):
        if trainer.history["step"]:
            from gan_lib.plotting import plot_history

            plot_history(trainer.history, trainer.output("losses.png"), title=trainer.describe())


class CollapseWatch(Callback):
    """The live mode-collapse monitor (monitor.py) at each sample grid, written to
    ``RUN_DIR/collapse_monitor.csv``: the class entropy of a fixed batch of samples."""

    def __init__(self, trainer, every_steps=None):
        from gan_lib.monitor import CollapseMonitor

        self.every_steps = every_steps
        self.monitor = CollapseMonitor(trainer.config.dataset, trainer.gan,
                                       seed=trainer.config.seed)

    @property
    def history(self):
        return self.monitor.history

    def on_interval(self, trainer, step):
        entropy = self.monitor(trainer.gan, step) + 0.0  # + 0.0: -0.0 (one class) prints as 0
        trainer.say(f"step {step}: class entropy of samples {entropy:.3f}")

    def on_save(self, trainer):
        m = self.monitor.history
        rows = ["step,class_entropy"] + [f"{s},{e:.6f}" for s, e in zip(m["step"], m["entropy"])]
        atomic_write_text(trainer.output("collapse_monitor.csv"), "\n".join(rows) + "\n")

    def on_resume(self, trainer):
        for row in rows_up_to(trainer.out_dir / "collapse_monitor.csv", trainer.global_step):
            self.monitor.history["step"].append(int(row["step"]))
            self.monitor.history["entropy"].append(float(row["class_entropy"]))
            self.monitor.history["histogram"].append(None)


class TensorBoard(Callback):
    """TensorBoard logs in ``RUN_DIR/tensorboard``: every step's metrics as scalars (the values
    the loop already fetched, written by one compiled call per training call) and each sample
    grid as an image. View them with ``tensorboard --logdir RUN_DIR/tensorboard`` (in Colab:
    ``%load_ext tensorboard`` then ``%tensorboard --logdir RUN_DIR/tensorboard``)."""

    def __init__(self, log_dir, every_steps=None):
        self.every_steps, self.log_dir = every_steps, log_dir
        self.writer = self._write = None
        self.enabled = available()

    def on_train_begin(self, trainer):
        import tensorflow as tf

        if not self.enabled:
            trainer.say("TensorBoard is not installed (pip install tensorboard): no TensorBoard "
                        "logs for this run")
        elif self.writer is None:  # created now, not before: a refused run writes nothing
            trainer.run.track_folder("tensorboard")
            before = set(self.log_dir.glob("events.out.tfevents.*"))
            self.writer = tf.summary.create_file_writer(str(self.log_dir))
            self.writer.flush()  # the events file exists now: record it as the kit's
            trainer.run.track(*(set(self.log_dir.glob("events.out.tfevents.*")) - before))

    def _compile(self, keys):
        import tensorflow as tf
        from tensorboard.plugins.scalar.metadata import create_summary_metadata

        scalar = create_summary_metadata(display_name=None, description=None)

        @tf.function
        def write(first_step, values):  # tf.summary.write: tags without the loop's name scope
            with self.writer.as_default():
                for i in tf.range(tf.shape(values[keys[0]])[0]):
                    step = first_step + tf.cast(i, tf.int64)
                    for key in keys:
                        tf.summary.write(key, values[key][i], step=step, metadata=scalar)
        return write

    def on_steps_end(self, trainer, step, logs):
        import tensorflow as tf

        if not self.enabled:
            return
        rows = trainer.last_call
        if self._write is None:
            self._write = self._compile(sorted(rows))
        k = len(next(iter(rows.values())))
        self._write(tf.constant(step - k + 1, tf.int64), rows)

    def on_interval(self, trainer, step):
        import tensorflow as tf

        grid = trainer.last_grid
        if grid is not None and self.enabled:
            image = grid[None, ..., None] if grid.ndim == 2 else grid[None]  # [1, H, W, C]
            with self.writer.as_default():
                tf.summary.image("samples", image, step=step)
            self.writer.flush()

    def on_train_end(self, trainer):
        if self.writer is not None:
            self.writer.flush()


class GeneratorEMA(Callback):
    """An exponential moving average of G's weights, the generator that samples come from.

    After every step (inside the compiled loop), each trainable weight of a copy of G moves
    towards G's: ``ema = d * ema + (1 - d) * w`` with ``d = min(decay, (1 + t) / (10 + t))`` at
    step t (the short warm-up of TensorFlow's ExponentialMovingAverage). Averaging the last few
    thousand generators smooths out the oscillation of the game (Karras et al., 2018; Brock et
    al., 2019 use it for every sample they show). Batch norm's running statistics are not
    averaged: they belong to the raw weights, so ``refresh`` recomputes them for the averaged
    weights from a fixed set of latent vectors. The averaged weights are saved in the checkpoint
    (``ema_generator``), so a resumed run continues the same average.
    """

    def __init__(self, trainer, decay: float):
        import keras

        self.decay = decay
        self.model = keras.models.clone_model(trainer.gan.generator)
        self.model.set_weights(trainer.gan.generator.get_weights())
        self._pairs = list(zip(self.model.trainable_variables,
                               trainer.gan.generator.trainable_variables))

    def checkpoint_objects(self):
        return {"ema_generator": self.model}

    def after_step(self, trainer):
        import tensorflow as tf

        t = tf.cast(trainer.step, tf.float32)
        d = tf.minimum(self.decay, (1.0 + t) / (10.0 + t))
        for average, weight in self._pairs:
            average.assign(d * average + (1.0 - d) * tf.cast(weight, average.dtype))

    def refresh(self, trainer, batches: int = 8, size: int = 256):
        """Batch-norm statistics for the averaged weights: the mean and variance of each batch
        norm layer's inputs over ``batches`` fixed batches (a cumulative average)."""
        import keras
        import tensorflow as tf

        norms = [layer for layer in self.model.layers
                 if isinstance(layer, keras.layers.BatchNormalization)]
        if not norms:
            return self.model
        momenta = [layer.momentum for layer in norms]
        rng = tf.random.Generator.from_seed(trainer.config.seed + 2_000_003)
        sampler = trainer.sampling_gan(self.model)
        try:
            for i in range(batches):
                for layer in norms:
                    layer.momentum = i / (i + 1)  # moving = running mean of the batch stats
                z = sampler.latent(rng, size)
                labels = (tf.range(size) % sampler.num_classes) if sampler.conditional else None
                sampler.generate(z, labels, training=True)
        finally:
            for layer, momentum in zip(norms, momenta):
                layer.momentum = momentum
        return self.model

    def on_save(self, trainer):
        self.refresh(trainer)


class Evaluation(Callback):
    """Scores samples every ``every_steps`` steps with the kit's evaluation (evaluate.py):
    precision, recall, density, coverage and FID against the real training images, written to
    ``RUN_DIR/evaluation.csv`` and TensorBoard-free, one line each in the progress output."""

    KEYS = ("precision", "recall", "density", "coverage", "fid")

    def __init__(self, every_steps: int, n: int = 2000):
        self.every_steps, self.n, self.rows = every_steps, n, []

    def on_interval(self, trainer, step):
        from gan_lib.evaluate import evaluate_samples
        from gan_lib.sampling import sample_images

        images, labels = sample_images(trainer.sampling_gan(), self.n, seed=1)
        report = evaluate_samples(trainer.config.dataset, images, labels)
        row = {"step": step, **{k: round(float(report[k]), 5) for k in self.KEYS}}
        self.rows.append(row)
        trainer.say(f"step {step}: " + ", ".join(f"{k} {row[k]:.3f}" for k in self.KEYS))

    def on_save(self, trainer):
        lines = [",".join(("step",) + self.KEYS)]
        lines += [",".join(str(r[k]) for k in ("step",) + self.KEYS) for r in self.rows]
        atomic_write_text(trainer.output("evaluation.csv"), "\n".join(lines) + "\n")

    def on_resume(self, trainer):
        self.rows = [{k: (int(v) if k == "step" else float(v)) for k, v in row.items()}
                     for row in rows_up_to(trainer.out_dir / "evaluation.csv", trainer.global_step)]


def available() -> bool:
    """Is the ``tensorboard`` package (which implements ``tf.summary``) installed?"""
    import importlib.util

    return importlib.util.find_spec("tensorboard") is not None
