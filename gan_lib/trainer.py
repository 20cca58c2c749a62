"""The training loop around the compiled step: data, checkpoints, logs, pictures.

A run directory looks like this::

    RUN_DIR/
      config.json        the TrainConfig the run was started with
      checkpoints/       the last few tf.train.Checkpoint files (see checkpoint.py)
      log.csv            one row per step: step, epoch, d_loss, g_loss, d_real, d_fake, seconds
      samples/           a grid from the same fixed latent vectors at each epoch's end
      losses.png         loss curves and D's outputs, drawn at the end

Usage::

    trainer = Trainer(TrainConfig(model="dcgan", dataset="mnist", epochs=5), "checkpoints/my_run")
    history = trainer.train()
"""
from __future__ import annotations

import contextlib
import csv
import io
import math
import shutil
import signal
import threading
import time
from pathlib import Path

import numpy as np

from gan_lib.config import TrainConfig
from gan_lib.data import ImageSet, batches, load_dataset, steps_per_epoch, to_uint8
from gan_lib.errors import CheckpointError, ConfigError, DivergenceError
from gan_lib.io import atomic_write_text
from gan_lib.progress import Progress

LOG_FIELDS = ["step", "epoch", "d_loss", "g_loss", "d_real", "d_fake", "seconds"]
METRICS = ["d_loss", "g_loss", "d_real", "d_fake"]  # (+ aux_loss for acgan / infogan)
FIXED_SAMPLES = 64


def make_strategy(name: str):
    """``None`` for one device, else a ``tf.distribute`` strategy: ``mirrored`` copies the model
    to every GPU (or, with no GPU, every logical CPU device) and splits each batch between them;
    ``tpu`` connects to a Colab/Cloud TPU."""
    import tensorflow as tf

    if name == "none":
        return None
    if name == "tpu":
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
        except (ValueError, tf.errors.OpError) as err:
            raise ConfigError(f"no TPU found ({type(err).__name__}); in Colab choose a TPU "
                              "runtime, or use --strategy mirrored / none") from None
        return tf.distribute.TPUStrategy(resolver)
    gpus = tf.config.list_logical_devices("GPU")
    if gpus:
        return tf.distribute.MirroredStrategy([d.name for d in gpus])
    # CPU devices: reduce through one device. (Collective all-reduces on CPUs may pair up out
    # of order with synchronised batch norm's own reductions.)
    return tf.distribute.MirroredStrategy([d.name for d in tf.config.list_logical_devices("CPU")],
                                          cross_device_ops=tf.distribute.ReductionToOneDevice())


class _StopRequests:
    """While training, Ctrl-C (SIGINT, also Colab's "interrupt kernel") and SIGTERM ask the loop
    to stop after the current call; it then checkpoints and returns. A second Ctrl-C interrupts
    at once. Outside the main thread signals cannot be caught, and nothing is installed."""

    def __init__(self):
        self.requested = False
        self._previous = {}

    def _handler(self, signum, frame):
        if self.requested and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    self._previous[sig] = signal.signal(sig, self._handler)
                except ValueError:
                    pass
        return self

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        return False


class Trainer:
    """Trains one GAN described by a :class:`TrainConfig`, optionally in a run directory.

    ``out_dir=None`` keeps everything in memory (handy in notebooks). With a directory:
    ``resume=True`` continues its latest checkpoint; ``overwrite=True`` deletes an earlier run
    there first; with neither, a directory that already holds checkpoints is refused rather than
    silently mixed with a new run.
    """

    def __init__(self, config: TrainConfig, out_dir=None, resume: bool = False,
                 overwrite: bool = False, data: ImageSet | None = None):
        import keras
        import tensorflow as tf

        from gan_lib.checkpoint import RunCheckpoint, model_spec
        from gan_lib.models import build_gan
        from gan_lib.train_step import make_optimizers, make_train_step

        self.out_dir = Path(out_dir) if out_dir is not None else None
        if resume and overwrite:
            raise ConfigError("--resume and --overwrite contradict each other; choose one")
        if resume and self.out_dir is None:
            raise ConfigError("resuming needs the run directory (--out RUN_DIR)")
        config.validate()
        if resume:
            config = self._resumed_config(config)
        elif self.out_dir is not None and not overwrite:
            self._refuse_existing_run(config)

        if data is None:
            data = load_dataset(config.dataset, "train", config.resolution, config.channels)
        config.resolution, config.channels = int(data.shape[0]), int(data.shape[2])
        config.num_classes = data.num_classes
        config.validate()
        self.config, self.data = config, data
        self.steps_per_epoch = steps_per_epoch(data, config.batch_size)
        if self.steps_per_epoch == 0:
            raise ConfigError(f"--batch-size {config.batch_size} is larger than the dataset "
                              f"({len(data)} images); lower it")

        keras.utils.set_random_seed(config.seed)  # the initial weights
        self.strategy = make_strategy(config.strategy)
        if self.strategy is not None and config.batch_size % self.strategy.num_replicas_in_sync:
            raise ConfigError(f"--batch-size {config.batch_size} must be a multiple of the "
                              f"{self.strategy.num_replicas_in_sync} devices in use")
        policy = keras.mixed_precision.global_policy()
        if config.mixed_precision:  # layers built now compute in float16, outputs stay float32
            keras.mixed_precision.set_global_policy("mixed_float16")
        try:
            with self.strategy.scope() if self.strategy else contextlib.nullcontext():
                self.gan = build_gan(config, data.shape, data.num_classes)
                self.g_optimizer, self.d_optimizer = make_optimizers(config, self.gan)
        finally:
            keras.mixed_precision.set_global_policy(policy)
        aux = ["aux_loss"] if self.gan.kind in ("acgan", "infogan", "pix2pix") else []
        self.metric_keys, self.log_fields = METRICS + aux, LOG_FIELDS + aux
        # The random generator and the step counter live outside the strategy: both are used
        # in cross-replica context only (all random numbers are drawn for the global batch).
        self.rng = tf.random.Generator.from_seed(config.seed)
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        if config.model == "pix2pix":
            if self.strategy is not None:
                raise ConfigError("pix2pix trains on one device; drop --strategy")
            from gan_lib.pix2pix import make_pix2pix_step

            self._train_step = make_pix2pix_step(self.gan, self.g_optimizer, self.d_optimizer,
                                                 config, self.step)
        else:
            self._train_step = make_train_step(self.gan, self.g_optimizer, self.d_optimizer,
                                               config, self.rng, self.step, self.strategy)
        self._multi_step = self._build_multi_step()
        self.history = {k: [] for k in self.log_fields}
        self.interrupted = False
        self.fixed_z, self.fixed_labels = self._fixed_inputs()
        self.monitor = None
        if config.collapse_monitor:
            from gan_lib.monitor import CollapseMonitor

            self.monitor = CollapseMonitor(config.dataset, self.gan, seed=config.seed)

        self.checkpoint = None
        if self.out_dir is not None:
            if overwrite and self.out_dir.exists():
                shutil.rmtree(self.out_dir)
            spec = model_spec(config, data.shape, data.num_classes)
            self.checkpoint = RunCheckpoint(self.out_dir / "checkpoints", self.gan,
                                            self.g_optimizer, self.d_optimizer, self.rng,
                                            self.step, spec, config.keep_checkpoints)
            if resume:
                path = self.checkpoint.restore_latest()
                self._load_log()
                self._load_monitor()
                self._say(f"resumed {self.out_dir} from step {self.global_step} ({path})")
            else:
                (self.out_dir / "samples").mkdir(parents=True, exist_ok=True)
                config.save(self.out_dir / "config.json")

    # ----------------------------------------------------------------------------- set-up helpers
    def _resumed_config(self, config: TrainConfig) -> TrainConfig:
        saved_path = self.out_dir / "config.json"
        if not saved_path.exists():
            raise CheckpointError(f"{self.out_dir} holds no run to resume (no config.json); "
                                  "start it without --resume")
        saved = TrainConfig.load(saved_path)
        # Fill what the saved run resolved from its data so that only real differences remain.
        for name in ("resolution", "channels", "num_classes"):
            if getattr(config, name) is None:
                setattr(config, name, getattr(saved, name))
        diffs = saved.differences(config)
        if diffs:
            raise ConfigError(f"{self.out_dir} was started with other settings ({'; '.join(diffs)});"
                              " resume with the original options or use another --out")
        for name in ("steps", "epochs"):  # the new length wins
            setattr(saved, name, getattr(config, name))
        return saved

    def _refuse_existing_run(self, config: TrainConfig) -> None:
        ckpt_dir = self.out_dir / "checkpoints"
        if ckpt_dir.exists() and any(ckpt_dir.glob("ckpt-*.index")):
            raise ConfigError(f"{self.out_dir} already holds a run; add --resume to continue it, "
                              "--overwrite to replace it, or choose another --out")
        saved_path = self.out_dir / "config.json"
        if saved_path.exists():
            diffs = TrainConfig.load(saved_path).differences(config)
            if diffs and not all(d.split(":")[0] in ("resolution", "channels", "num_classes")
                                 for d in diffs):
                raise ConfigError(f"{self.out_dir} holds a run with other settings "
                                  f"({'; '.join(diffs)}); choose another --out or add --overwrite")

    def _fixed_inputs(self):
        """The latent vectors (and labels) behind every sample grid: the same all run long, so the
        grids show one set of samples improving. They come from their own seeded generator, not
        the training one, so drawing them changes nothing in training."""
        import tensorflow as tf

        fixed_rng = tf.random.Generator.from_seed(self.config.seed + 1_000_003)
        if self.gan.kind == "pix2pix":  # the first 32 images, degraded: the grid shows triplets
            from gan_lib.data import to_unit_range
            from gan_lib.pix2pix import degrade

            self.fixed_targets = to_unit_range(self.data.images[:32])
            return degrade(self.fixed_targets, self.config.task), None
        if self.gan.conditional:
            k = self.gan.num_classes
            per_class = max(1, min(10, 100 // k))
            labels = tf.constant(np.repeat(np.arange(k), per_class).astype(np.int32))
            return self.gan.latent(fixed_rng, k * per_class), labels
        if self.gan.kind == "infogan":  # one row per value of the categorical code
            categories = tf.constant(np.repeat(np.arange(10), 10).astype(np.int32))
            return self.gan.latent(fixed_rng, 100, categories=categories), None
        return self.gan.latent(fixed_rng, FIXED_SAMPLES), None

    def _say(self, message: str) -> None:
        if self.config.verbose:
            print(message, flush=True)

    # ----------------------------------------------------------------------------- properties
    @property
    def global_step(self) -> int:
        return int(self.step.numpy())

    @property
    def total_steps(self) -> int:
        c = self.config
        return c.steps if c.steps is not None else c.epochs * self.steps_per_epoch

    # ----------------------------------------------------------------------------- training
    def noise_std(self, step: int) -> float:
        """Instance noise for ``step``: linearly annealed from ``instance_noise`` to 0."""
        c = self.config
        if not c.instance_noise:
            return 0.0
        horizon = c.instance_noise_anneal_steps or self.total_steps
        return c.instance_noise * max(0.0, 1.0 - step / horizon)

    def train(self, steps: int | None = None) -> dict:
        """Train up to the config's total length (or ``steps`` more), returning the history.

        Each call of the compiled function runs up to ``steps_per_call`` steps in a graph loop
        (fewer when a sample grid, checkpoint or the end is due sooner), which removes Python's
        per-step overhead. Checkpoints are written at each epoch's end (or every
        ``checkpoint_every_steps``), every ``checkpoint_every_seconds``, at the end, and on
        Ctrl-C/SIGTERM, after which training stops cleanly with ``self.interrupted = True``.
        A NaN or infinite loss raises :class:`DivergenceError` without saving, so the last
        checkpoint stays good.
        """
        import tensorflow as tf

        c = self.config
        start = self.global_step
        end = self.total_steps if steps is None else start + steps
        if start >= end:
            self._say(f"nothing to do: the run is at step {start} of {end}")
            return self.history
        ckpt_every = c.checkpoint_every_steps or self.steps_per_epoch
        sample_every = c.sample_every_steps or self.steps_per_epoch
        iterator = iter(batches(self.data, c.batch_size, c.seed, start_step=start))
        progress = Progress(end, start, enabled=bool(c.verbose))
        self.interrupted = False
        last_save = time.monotonic()
        # "seconds" in the log counts training time across resumptions
        t0 = time.perf_counter() - (self.history["seconds"][-1] if self.history["seconds"] else 0)
        step = start
        with _StopRequests() as stop:
            try:
                while step < end and not stop.requested:
                    k = min(c.steps_per_call if self.strategy is None else 1, end - step, sample_every - step % sample_every,
                            ckpt_every - step % ckpt_every)
                    out = self._multi_step(iterator, tf.constant(k, tf.int32),
                                           tf.constant(self.noise_std(step), tf.float32),
                                           tf.constant(self._noise_decay(), tf.float32))
                    out = {key: value.numpy() for key, value in out.items()}
                    seconds = time.perf_counter() - t0
                    for i in range(k):
                        metrics = {key: float(value[i]) for key, value in out.items()}
                        self._check_finite(metrics, step + i + 1)
                        self._record(step + i + 1, metrics, seconds)
                    step += k
                    progress.update(step, **metrics)
                    if step % sample_every == 0 or step == end:
                        self.save_samples(step)
                        if self.monitor is not None:
                            entropy = self.monitor(self.gan, step)
                            progress.write(f"step {step}: class entropy of samples {entropy:.3f}")
                    if (step % ckpt_every == 0 or step == end
                            or time.monotonic() - last_save > c.checkpoint_every_seconds):
                        self.save()
                        last_save = time.monotonic()
            except KeyboardInterrupt:  # a second Ctrl-C, or an interrupt outside the main thread
                stop.requested = True
            finally:
                progress.close()
            if stop.requested:
                self.interrupted = True
                saved = self.save() if self.checkpoint else None
                progress.write(f"interrupted at step {self.global_step}"
                               + (f"; checkpoint saved to {saved}; continue with --resume"
                                  if saved else ""))
        if self.out_dir is not None and self.history["step"]:
            from gan_lib.plotting import plot_history

            plot_history(self.history, self.out_dir / "losses.png", title=self.describe())
        return self.history

    def _build_multi_step(self):
        """``k`` train steps in one graph: a ``tf.while_loop`` that pulls each batch from the
        tf.data iterator itself and stacks the per-step metrics."""
        import tensorflow as tf

        step_fn, keys = self._train_step, self.metric_keys
        if self.strategy is not None:
            # One step per call: collective ops (gradient all-reduce, synchronised batch norm)
            # inside a graph while-loop can pair up out of order between replicas.
            @tf.function
            def single_step(iterator, k, noise_std, noise_decay):
                images, labels = next(iterator)
                metrics = step_fn(images, labels, noise_std)
                return {key: tf.reshape(tf.cast(metrics[key], tf.float32), [1]) for key in keys}

            return single_step

        @tf.function
        def multi_step(iterator, k, noise_std, noise_decay):
            arrays = {key: tf.TensorArray(tf.float32, size=k) for key in keys}
            for i in tf.range(k):
                images, labels = next(iterator)
                std = tf.maximum(0.0, noise_std - noise_decay * tf.cast(i, tf.float32))
                metrics = step_fn(images, labels, std)
                arrays = {key: arrays[key].write(i, tf.cast(metrics[key], tf.float32))
                          for key in keys}
            return {key: arrays[key].stack() for key in keys}

        return multi_step

    def _noise_decay(self) -> float:
        """How much the instance-noise level drops per step (linear annealing)."""
        c = self.config
        if not c.instance_noise:
            return 0.0
        return c.instance_noise / (c.instance_noise_anneal_steps or self.total_steps)

    @staticmethod
    def _check_finite(metrics: dict, step: int) -> None:
        bad = [k for k in ("d_loss", "g_loss") if not math.isfinite(metrics[k])]
        if bad:
            raise DivergenceError(
                f"{' and '.join(bad)} became {metrics[bad[0]]} at step {step}; the last "
                f"checkpoint is intact: lower the learning rates (--lr-g/--lr-d) or try "
                f"another --loss, then --resume")

    def _record(self, step: int, metrics: dict, seconds: float) -> None:
        row = dict(metrics, step=step, epoch=(step - 1) // self.steps_per_epoch + 1,
                   seconds=round(seconds, 3))
        for key in self.log_fields:
            self.history[key].append(row[key])

    def describe(self) -> str:
        c = self.config
        return f"{c.model} on {Path(c.dataset).name}, {c.loss} loss, batch {c.batch_size}"

    # ----------------------------------------------------------------------------- outputs
    def save(self) -> str | None:
        """The logs, then a checkpoint. In this order a kill between the two leaves log rows
        past the latest checkpoint, which a resume drops and writes again; the other order
        could leave a checkpoint whose last steps are missing from the log for good."""
        if self.checkpoint is None:
            return None
        self._write_log()
        if self.monitor is not None:
            m = self.monitor.history
            rows = ["step,class_entropy"] + [f"{s},{e:.6f}" for s, e in zip(m["step"], m["entropy"])]
            atomic_write_text(self.out_dir / "collapse_monitor.csv", "\n".join(rows) + "\n")
        return self.checkpoint.save()

    def _write_log(self) -> None:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, self.log_fields)
        writer.writeheader()
        for i in range(len(self.history["step"])):
            writer.writerow({k: self.history[k][i] for k in self.log_fields})
        atomic_write_text(self.out_dir / "log.csv", buf.getvalue())

    def _load_log(self) -> None:
        """Reload the log of the resumed run, dropping rows past the restored checkpoint (those
        steps are trained again)."""
        path = self.out_dir / "log.csv"
        if not path.exists():
            return
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                if int(row["step"]) > self.global_step:
                    break
                for key in self.log_fields:
                    cast = int if key in ("step", "epoch") else float
                    self.history[key].append(cast(row[key]))

    def _load_monitor(self) -> None:
        path = self.out_dir / "collapse_monitor.csv"
        if self.monitor is None or not path.exists():
            return
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                if int(row["step"]) <= self.global_step:
                    self.monitor.history["step"].append(int(row["step"]))
                    self.monitor.history["entropy"].append(float(row["class_entropy"]))
                    self.monitor.history["histogram"].append(None)

    def generate(self, z=None, labels=None) -> np.ndarray:
        """Images in [-1, 1] from the generator in inference mode (batch norm uses its running
        statistics). Defaults to the fixed latent batch used for the grids."""
        if z is None:
            z, labels = self.fixed_z, self.fixed_labels
        return self.gan.generate(z, labels, training=False).numpy()

    def save_samples(self, step: int | None = None):
        """The grid of the fixed latent batch at ``step``; returns its path (None in memory)."""
        if self.out_dir is None:
            return None
        from gan_lib.plotting import save_grid

        step = self.global_step if step is None else step
        path = self.out_dir / "samples" / f"step_{step:07d}.png"
        ncols = 10 if self.gan.conditional or self.gan.kind == "infogan" else 8
        images = self.generate()
        if self.gan.kind == "pix2pix":  # input | output | target, four triplets per row
            images = np.stack([np.asarray(self.fixed_z), images, np.asarray(self.fixed_targets)],
                              axis=1).reshape((-1,) + images.shape[1:])
            ncols = 12
        save_grid(to_uint8(images), path, ncols=ncols)
        return path

    def sample_paths(self) -> list:
        """The sample grids written so far, oldest first (e.g. for a GIF)."""
        return sorted((self.out_dir / "samples").glob("step_*.png")) if self.out_dir else []
