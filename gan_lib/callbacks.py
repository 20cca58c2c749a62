"""Everything around the training loop, as callbacks (in the spirit of Keras callbacks and the
keras.io ``GANMonitor``): the loop (run/loop.py) runs the steps and calls these hooks; sample
grids, the CSV log, TensorBoard, the loss curves, evaluation and the collapse monitor are each
one callback, and your own (live notebook plots, ...) go in ``Trainer(callbacks=[...])``.

Every hook receives ``run``, a narrow view of the run (run/view.py): ``run.step``,
``run.history``, ``run.state`` (the networks, the fixed inputs, ``run.state.sampling_gan()``),
``run.out_dir`` and ``run.output(name)`` for a file in the run folder, and ``run.say(text)``.
A callback overrides any of:

* ``on_train_begin(run)``: before the first step of a ``train()`` call;
* ``on_steps_end(run, step, logs)``: after each compiled call (which runs one or more steps);
  ``step`` is the global step reached and ``logs`` the metrics of that last step (floats);
* ``on_interval(run, step)``: every ``every_steps`` steps (``None`` = once per epoch) and at
  the end of the run; the loop ends its compiled calls on these boundaries;
* ``on_save(run)``: write your files now; a checkpoint of the same step follows, so whatever
  you write agrees with it (a kill in between leaves files ahead of the checkpoint, never behind);
* ``on_resume(run)``: the run was just restored from a checkpoint: reload your state;
* ``on_train_end(run)``: after the last step, also when training was interrupted;
* ``after_step(run)``: graph code run *inside* the compiled loop after every step; it must only
  use TensorFlow operations.

``checkpoint_objects()`` may return trackable objects (e.g. variables) to save in the run's
checkpoint, so a callback with state resumes bit for bit.
"""
from __future__ import annotations

import csv
import io

from gan_lib.io import atomic_write_text


class Callback:
    """Base class: every hook does nothing. ``every_steps`` sets the ``on_interval`` period."""

    every_steps: int | None = None

    def on_train_begin(self, run) -> None:
        pass

    def on_steps_end(self, run, step: int, logs: dict) -> None:
        pass

    def on_interval(self, run, step: int) -> None:
        pass

    def on_save(self, run) -> None:
        pass

    def on_resume(self, run) -> None:
        pass

    def on_train_end(self, run) -> None:
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

    def on_save(self, run):
        buf = io.StringIO()
        fields = list(run.history)
        writer = csv.DictWriter(buf, fields)
        writer.writeheader()
        h = run.history
        for i in range(len(h["step"])):
            writer.writerow({k: h[k][i] for k in fields})
        atomic_write_text(run.output("log.csv"), buf.getvalue())

    def on_resume(self, run):
        """Reload the log, dropping rows past the restored checkpoint (trained again)."""
        for row in rows_up_to(run.out_dir / "log.csv", run.step):
            for key in run.history:
                run.history[key].append(int(row[key]) if key in ("step", "epoch")
                                        else float(row[key]))


class SampleGrids(Callback):
    """A grid of the fixed inputs (the same all run long) in ``RUN_DIR/samples/`` at each
    interval, so the grids show one set of samples improving. ``last`` is the latest grid as
    one array (TensorBoard shows it too)."""

    def __init__(self, every_steps=None):
        self.every_steps, self.last = every_steps, None

    def on_interval(self, run, step):
        self.save(run, step)

    def save(self, run, step: int):
        """The grid now, as ``samples/step_<step>.png``; returns its path (None in memory)."""
        from gan_lib.plotting import image_grid, save_grid

        images, ncols = run.state.grid_images()
        self.last = image_grid(images, ncols)
        if run.out_dir is None:
            return None
        path = run.output(f"samples/step_{step:07d}.png")
        save_grid(images, path, ncols=ncols)
        return path


class LossCurves(Callback):
    """``RUN_DIR/losses.png`` (loss curves and D's outputs), drawn when training stops."""

    def __init__(self, title: str = ""):
        self.title = title

    def on_train_end(self, run):
        if run.history["step"]:
            from gan_lib.plotting import plot_history

            plot_history(run.history, run.output("losses.png"), title=self.title)


class CollapseWatch(Callback):
    """The live mode-collapse monitor (monitor.py) at each sample grid, written to
    ``RUN_DIR/collapse_monitor.csv``: the class entropy of a fixed batch of samples."""

    def __init__(self, dataset: str, gan, seed: int, every_steps=None):
        from gan_lib.monitor import CollapseMonitor

        self.every_steps = every_steps
        self.monitor = CollapseMonitor(dataset, gan, seed=seed)

    @property
    def history(self):
        return self.monitor.history

    def on_interval(self, run, step):
        entropy = self.monitor(run.state.gan, step) + 0.0  # + 0.0: -0.0 (one class) prints as 0
        run.say(f"step {step}: class entropy of samples {entropy:.3f}")

    def on_save(self, run):
        m = self.monitor.history
        rows = ["step,class_entropy"] + [f"{s},{e:.6f}" for s, e in zip(m["step"], m["entropy"])]
        atomic_write_text(run.output("collapse_monitor.csv"), "\n".join(rows) + "\n")

    def on_resume(self, run):
        for row in rows_up_to(run.out_dir / "collapse_monitor.csv", run.step):
            self.monitor.history["step"].append(int(row["step"]))
            self.monitor.history["entropy"].append(float(row["class_entropy"]))
            self.monitor.history["histogram"].append(None)


class TensorBoard(Callback):
    """TensorBoard logs in ``RUN_DIR/tensorboard``: every step's metrics as scalars (the values
    the loop already fetched, written by one compiled call per training call) and each sample
    grid of ``grids`` (a :class:`SampleGrids`) as an image. View them with ``tensorboard
    --logdir RUN_DIR/tensorboard`` (in Colab: ``%load_ext tensorboard`` then ``%tensorboard
    --logdir RUN_DIR/tensorboard``)."""

    NOT_SCALARS = ("step", "epoch", "seconds")

    def __init__(self, log_dir, every_steps=None, grids: SampleGrids | None = None):
        self.every_steps, self.log_dir, self.grids = every_steps, log_dir, grids
        self.writer = self._write = None
        self.enabled = available()
        self._written = 0  # history rows already written

    def on_train_begin(self, run):
        import tensorflow as tf

        self._written = len(run.history["step"])
        if not self.enabled:
            run.say("TensorBoard is not installed (pip install tensorboard): no TensorBoard "
                    "logs for this run")
        elif self.writer is None:  # created now, not before: a refused run writes nothing
            run.output_folder("tensorboard")
            before = set(self.log_dir.glob("events.out.tfevents.*"))
            self.writer = tf.summary.create_file_writer(str(self.log_dir))
            self.writer.flush()  # the events file exists now: record it as the kit's
            run.record(*(set(self.log_dir.glob("events.out.tfevents.*")) - before))

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

    def on_steps_end(self, run, step, logs):
        import numpy as np
        import tensorflow as tf

        if not self.enabled:
            return
        keys = sorted(k for k in run.history if k not in self.NOT_SCALARS)
        rows = {k: np.asarray(run.history[k][self._written:], np.float32) for k in keys}
        self._written = len(run.history["step"])
        if self._write is None:
            self._write = self._compile(keys)
        k = len(rows[keys[0]])
        self._write(tf.constant(step - k + 1, tf.int64), rows)

    def on_interval(self, run, step):
        import tensorflow as tf

        grid = self.grids.last if self.grids is not None else None
        if grid is not None and self.enabled:
            image = grid[None, ..., None] if grid.ndim == 2 else grid[None]  # [1, H, W, C]
            with self.writer.as_default():
                tf.summary.image("samples", image, step=step)
            self.writer.flush()

    def on_train_end(self, run):
        if self.writer is not None:
            self.writer.flush()


class Evaluation(Callback):
    """Scores samples every ``every_steps`` steps with the kit's evaluation (evaluate.py):
    precision, recall, density, coverage and FID against the real training images, written to
    ``RUN_DIR/evaluation.csv`` and TensorBoard-free, one line each in the progress output."""

    KEYS = ("precision", "recall", "density", "coverage", "fid")

    def __init__(self, dataset: str, every_steps: int, n: int = 2000):
        self.dataset, self.every_steps, self.n, self.rows = dataset, every_steps, n, []

    def on_interval(self, run, step):
        from gan_lib.evaluate import evaluate_samples
        from gan_lib.sampling import sample_images

        images, labels = sample_images(run.state.sampling_gan(), self.n, seed=1)
        report = evaluate_samples(self.dataset, images, labels)
        row = {"step": step, **{k: round(float(report[k]), 5) for k in self.KEYS}}
        self.rows.append(row)
        run.say(f"step {step}: " + ", ".join(f"{k} {row[k]:.3f}" for k in self.KEYS))

    def on_save(self, run):
        lines = [",".join(("step",) + self.KEYS)]
        lines += [",".join(str(r[k]) for k in ("step",) + self.KEYS) for r in self.rows]
        atomic_write_text(run.output("evaluation.csv"), "\n".join(lines) + "\n")

    def on_resume(self, run):
        self.rows = [{k: (int(v) if k == "step" else float(v)) for k, v in row.items()}
                     for row in rows_up_to(run.out_dir / "evaluation.csv", run.step)]


def available() -> bool:
    """Is the ``tensorboard`` package (which implements ``tf.summary``) installed?"""
    import importlib.util

    return importlib.util.find_spec("tensorboard") is not None
