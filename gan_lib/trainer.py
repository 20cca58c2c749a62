"""The training loop: data in, compiled steps, callbacks around them.

A run directory looks like this::

    RUN_DIR/
      config.json        the TrainConfig the run was started with (and any recorded changes)
      checkpoints/       the last few tf.train.Checkpoint files (see checkpoint.py)
      log.csv            one row per step: step, epoch, d_loss, g_loss, d_real, d_fake, seconds
      samples/           a grid from the same fixed inputs at each epoch's end
      tensorboard/       the same metrics and grids for TensorBoard
      losses.png         loss curves and D's outputs, drawn at the end

Everything in that list but config.json is written by a callback (callbacks.py); ``train`` is
the loop and nothing else. Usage::

    trainer = Trainer(TrainConfig(model="dcgan", dataset="mnist", epochs=5), "runs/my_run")
    history = trainer.train()
"""
from __future__ import annotations

import contextlib
import dataclasses
import math
import signal
import threading
import time
from pathlib import Path

import numpy as np

from gan_lib import callbacks as cb
from gan_lib.config import RESOLVED_FIELDS, TrainConfig
from gan_lib.data import ImageSet, batches, load_dataset, steps_per_epoch, to_uint8
from gan_lib.distribute import WorkerRole, any_worker, cluster_role, make_strategy
from gan_lib.errors import CheckpointError, ConfigError, DivergenceError, GanKitError, RunDirError
from gan_lib.progress import Progress
from gan_lib.rundir import RunDir

LOG_FIELDS = ["step", "epoch", "d_loss", "g_loss", "d_real", "d_fake", "seconds"]
METRICS = ["d_loss", "g_loss", "d_real", "d_fake"]  # + the variant's extra metrics
LOSS_LIMIT = 1e6  # a loss beyond this has left any sane range: the run is diverging
CONFIG_COPY = "checkpoints/config.json"


@contextlib.contextmanager
def precision_policy(mixed: bool):
    """Layers built inside compute in float16 when ``mixed`` (outputs stay float32); Keras's
    global policy is restored on the way out, whatever happens."""
    import keras

    saved = keras.mixed_precision.global_policy()
    if mixed:
        keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(saved)


def instance_noise_level(level: float, horizon: int, step):
    """Instance noise's std at ``step`` (a tensor): ``level``, annealed linearly to 0 at
    ``horizon``. It depends on the absolute step only, and is computed by the same float32 ops
    inside the compiled loop and outside it, so every split of a run into calls agrees."""
    import tensorflow as tf

    if not level:
        return tf.constant(0.0)
    done = tf.cast(step, tf.float32) / tf.constant(float(horizon), tf.float32)
    return tf.constant(level, tf.float32) * tf.maximum(0.0, 1.0 - done)


def learning_rate_scale(decay: float, total: int, step):
    """The learning rates' factor at ``step`` (a tensor): 1, then down linearly over the last
    ``decay`` fraction of a ``total``-step run, reaching 1 / (decay * total) at its last step.
    Ending a short run with small steps lets G settle instead of stopping mid-oscillation. Like
    instance noise it follows the absolute step, so every split of a run into calls agrees."""
    import tensorflow as tf

    left = tf.cast(total - step, tf.float32) / tf.constant(decay * total, tf.float32)
    return tf.clip_by_value(left, 0.0, 1.0)


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
    ``resume=True`` continues its latest checkpoint; ``overwrite=True`` replaces an earlier run
    there (only what the kit wrote is deleted, see rundir.py); with neither, a directory that
    already holds a run is refused rather than silently mixed with a new one. ``callbacks`` are
    added to the built-in ones (see callbacks.py).
    """

    def __init__(self, config: TrainConfig, out_dir=None, resume: bool = False,
                 overwrite: bool = False, data: ImageSet | None = None, callbacks=()):
        self.out_dir = Path(out_dir) if out_dir is not None else None
        self.run = RunDir(self.out_dir) if self.out_dir is not None else None
        # Several workers train one run: only the chief (worker 0) writes it (distribute.py).
        self.role = cluster_role() if config.strategy == "multiworker" else WorkerRole()
        self._config_lost = False  # set on a resume whose config.json was missing
        config = self._checked_config(config, resume, overwrite)
        # TensorFlow's collective ops are configured before anything else runs
        self.strategy = make_strategy(config.strategy)
        self._use_data(config, data)
        self._build()
        self.history = {k: [] for k in self.log_fields}
        self.interrupted, self.last_call, self.last_grid, self._progress = False, {}, None, None
        self._stream = None  # (step, batch iterator) left by the last train() call
        self.callbacks = self._builtin_callbacks() + list(callbacks)
        self.checkpoint = None
        if self.run is not None:
            with self._run_lock():
                self._open_run(resume, overwrite)

    # ----------------------------------------------------------------------------- set-up
    def _checked_config(self, config, resume, overwrite) -> TrainConfig:
        if resume and overwrite:
            raise ConfigError("--resume and --overwrite contradict each other; choose one")
        if resume and self.run is None:
            raise ConfigError("resuming needs the run directory (--out RUN_DIR)")
        config.validate()
        if self.run is None:
            return config
        self._refuse_run_in_data(config)
        if resume:
            config = self._resumed_config(config)
        if not self.role.chief:  # the chief checks and prepares the run directory
            config.verbose = 0
            return config
        self.run.check_usable()
        self.run.check_unlocked()
        self._refuse_run_in_data(config)
        if resume:
            return config
        if overwrite:
            self.run.check_overwritable()
        else:
            self.run.check_new()
        return config

    def _refuse_run_in_data(self, config) -> None:
        """A run folder that is, holds or lies inside its image folder would train on its own
        outputs (sample grids, loss curves) after a resume: refused."""
        from gan_lib.data import BUILTIN
        from gan_lib.rundir import inside

        data = Path(config.dataset).expanduser()
        if config.dataset in BUILTIN or not data.is_dir():
            return
        if inside(self.out_dir, data) or inside(data, self.out_dir):
            raise ConfigError(f"--out {self.out_dir} and --dataset {config.dataset} overlap: the "
                              "run's own images would become training data; choose an --out "
                              "outside the dataset folder")

    def _resumed_config(self, config: TrainConfig) -> TrainConfig:
        """The saved config, with the new length, bookkeeping and any learning-rate change (a
        recorded change); any other difference is refused."""
        saved = self._saved_config(config)
        diffs = saved.differences(config)
        if diffs:
            raise ConfigError(f"{self.out_dir} was started with other settings ({'; '.join(diffs)});"
                              " resume with the original options or use another --out")
        self._recorded_changes = saved.differences(config, kinds=("recorded",))
        new = {f.name: getattr(config, f.name) for f in dataclasses.fields(config)
               if f.metadata["resume"] in ("free", "recorded") and f.name != "changes"
               and not (f.name in RESOLVED_FIELDS and getattr(config, f.name) is None)}
        return dataclasses.replace(saved, **new)

    def _saved_config(self, given: TrainConfig) -> TrainConfig:
        """The config of the run being resumed: ``config.json``, else the copy kept beside the
        checkpoints, else (both lost, checkpoints present) the options given now, which the
        checkpoint's model facts are checked against when it is restored."""
        for path in (self.out_dir / "config.json", self.out_dir / CONFIG_COPY):
            if path.is_file():
                if path.parent != self.out_dir:
                    if given.verbose:
                        print(f"config.json was missing: using its copy {path}", flush=True)
                    self._config_lost = True
                return TrainConfig.load(path)
        if not self.run.holds_run():
            raise CheckpointError(f"{self.out_dir} holds no run to resume (no config.json or "
                                  "checkpoints); start it without --resume")
        print(f"{self.out_dir}: config.json and its copy were missing: continuing with the "
              "options given now (checked against the checkpoint's model only)", flush=True)
        self._config_lost = True
        return given

    def _use_data(self, config, data) -> None:
        if data is None:
            data = load_dataset(config.dataset, "train", config.resolution, config.channels)
        config.resolution, config.channels = int(data.shape[0]), int(data.shape[2])
        config.num_classes = data.num_classes
        self._fill_recipe(config)
        self.config, self.data = config.validate(), data
        self.steps_per_epoch = steps_per_epoch(data, config.batch_size)
        if self.steps_per_epoch == 0:
            raise ConfigError(f"--batch-size {config.batch_size} is larger than the dataset "
                              f"({len(data)} images); lower it")
        if config.instance_noise and not config.instance_noise_steps:
            config.instance_noise_steps = self.total_steps  # fixed now, saved in config.json

    @staticmethod
    def _fill_recipe(config) -> None:
        """Batch size and learning rates left unset: the variant's recipe for this image size if
        all three are unset, else the paper's values for the unset ones (see recipe_defaults)."""
        from gan_lib.variants.base import PAPER_RECIPE

        unset = [name for name in PAPER_RECIPE if getattr(config, name) is None]
        recipe = config.variant().recipe_defaults(config.resolution, config.channels) \
            if len(unset) == len(PAPER_RECIPE) else PAPER_RECIPE
        for name in unset:
            setattr(config, name, recipe[name])

    def _build(self) -> None:
        import keras
        import tensorflow as tf

        from gan_lib.train_step import make_optimizers
        from gan_lib.variants import build_gan

        c = self.config
        keras.utils.set_random_seed(c.seed)  # the initial weights
        replicas = self.strategy.num_replicas_in_sync if self.strategy else 1
        if c.batch_size % replicas:
            raise ConfigError(f"--batch-size {c.batch_size} must be a multiple of the "
                              f"{replicas} devices in use")
        scope = self.strategy.scope() if self.strategy else contextlib.nullcontext()
        with scope, precision_policy(c.mixed_precision):
            self.gan = build_gan(c, self.data.shape, self.data.num_classes)
            self.g_optimizer, self.d_optimizer = make_optimizers(c, self.gan)
        self.variant = self.gan.variant
        self.metric_keys = METRICS + list(self.variant.extra_metrics)
        self.log_fields = LOG_FIELDS + list(self.variant.extra_metrics)
        # The random generator and the step counter live outside the strategy: both are used
        # in cross-replica context only (all random numbers are drawn for the global batch).
        self.rng = tf.random.Generator.from_seed(c.seed)
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        self._train_step = self.variant.make_step(self.gan, self.g_optimizer, self.d_optimizer,
                                                  self.rng, self.step, self.strategy)
        self._multi_step = self._build_multi_step()
        # the grids' inputs come from a seeded generator of their own: drawing them changes
        # nothing in training
        fixed_rng = tf.random.Generator.from_seed(c.seed + 1_000_003)
        self.fixed = self.variant.fixed_inputs(self.gan, fixed_rng, self.data)

    def _builtin_callbacks(self) -> list:
        c, every = self.config, self.steps_per_epoch
        grids = c.sample_every_steps or every
        # workers' clocks differ: several workers checkpoint at step intervals only
        seconds = c.checkpoint_every_seconds if self.role.count == 1 else math.inf
        checkpoints = cb.Checkpoints(c.checkpoint_every_steps or every, seconds)
        ema = [cb.GeneratorEMA(self, c.ema)] if c.ema else []  # first: the others sample it
        if not self.role.chief:  # every worker saves (the others into temporary folders)
            return ema + ([checkpoints] if self.out_dir is not None else [])
        found = ema + ([cb.CollapseWatch(self, grids)] if c.collapse_monitor else [])
        if c.eval_every_steps:
            found.append(cb.Evaluation(c.eval_every_steps, c.eval_samples))
        if self.out_dir is None:
            return found
        found = [cb.SampleGrids(grids)] + found + [cb.CSVLog()]
        if c.tensorboard:
            found.append(cb.TensorBoard(self.out_dir / "tensorboard", grids))
        return found + [checkpoints, cb.LossCurves()]

    def _run_lock(self):
        """The run directory's lock, held by the chief (other workers share its run)."""
        return self.run.lock() if self.run is not None and self.role.chief else \
            contextlib.nullcontext()

    def _open_run(self, resume: bool, overwrite: bool) -> None:
        """Restore the run (resume), or clear (overwrite) and create its folder and config."""
        from gan_lib.checkpoint import RunCheckpoint, model_spec

        extra = {}
        for callback in self.callbacks:
            extra.update(callback.checkpoint_objects())
        spec = model_spec(self.config, self.data.shape, self.data.num_classes)
        self.checkpoint = RunCheckpoint(self.out_dir / "checkpoints", self.gan, self.g_optimizer,
                                        self.d_optimizer, self.rng, self.step, spec,
                                        self.config.keep_checkpoints, extra,
                                        temporary=not self.role.chief, track=self.run.track)
        if resume:
            path = self.checkpoint.restore_latest()
            if self._config_lost and self.role.chief:
                self.save_config()
            self._apply_recorded_changes()
            for callback in self.callbacks:
                callback.on_resume(self)
            self.say(f"resumed {self.out_dir} from step {self.global_step} ({path})")
            return
        if not self.role.chief:
            return
        if self.run.has_manifest() or overwrite:
            self.run.clear()  # a run's leftovers (--overwrite), or the kit's files of none
        self.run.create()
        self.save_config()

    def save_config(self) -> None:
        """``config.json``, and its copy beside the checkpoints (what ``--resume`` falls back on
        when config.json is lost), both recorded in the run's manifest first."""
        self.run.track("config.json", CONFIG_COPY)
        self.config.save(self.out_dir / "config.json")
        self.config.save(self.out_dir / CONFIG_COPY)

    def output(self, name: str) -> Path:
        """The path of a file the kit writes in the run folder, recorded in its manifest before
        it is written (see rundir.py); callbacks write their files through this."""
        if self.role.chief:
            self.run.track(name)
        return self.out_dir / name

    def _apply_recorded_changes(self) -> None:
        """Learning rates given on resume replace the restored ones; the change is recorded."""
        changes = getattr(self, "_recorded_changes", [])
        if not changes:
            return
        self.g_optimizer.learning_rate.assign(self.config.lr_g)
        self.d_optimizer.learning_rate.assign(self.config.lr_d)
        self.config.changes.append({"step": self.global_step, "changed": changes})
        if self.role.chief:
            self.save_config()
        self.say(f"changed at step {self.global_step}: {'; '.join(changes)}")

    # ----------------------------------------------------------------------------- properties
    @property
    def global_step(self) -> int:
        return int(self.step.numpy())

    @property
    def total_steps(self) -> int:
        c = self.config
        return c.steps if c.steps is not None else c.epochs * self.steps_per_epoch

    @property
    def monitor(self):
        """The collapse monitor (with ``history``), if ``collapse_monitor`` is on."""
        return next((c.monitor for c in self.callbacks if isinstance(c, cb.CollapseWatch)), None)

    @property
    def ema(self):
        """The generator-EMA callback (see callbacks.py), if ``ema`` is on."""
        return next((c for c in self.callbacks if isinstance(c, cb.GeneratorEMA)), None)

    def sampling_gan(self, generator=None):
        """The GAN that samples come from: with ``ema`` on, its generator is the moving average
        (batch-norm statistics refreshed for it); otherwise the GAN being trained."""
        if generator is None and self.ema is not None:
            generator = self.ema.refresh(self)
        return self.gan if generator is None else dataclasses.replace(self.gan,
                                                                      generator=generator)

    def noise_std(self, step: int) -> float:
        """Instance noise's std at ``step`` (see :func:`instance_noise_level`)."""
        c = self.config
        return float(instance_noise_level(c.instance_noise, c.instance_noise_steps, step))

    def say(self, message: str, always: bool = False) -> None:
        """Print a message (if verbose, or ``always``) without garbling the progress line."""
        if not (self.config.verbose or always) or not self.role.chief:
            return
        if self._progress is not None:
            self._progress.write(message)
        else:
            print(message, flush=True)

    def describe(self) -> str:
        c = self.config
        return f"{c.model} on {Path(c.dataset).name}, {c.loss} loss, batch {c.batch_size}"

    # ----------------------------------------------------------------------------- training
    def train(self, steps: int | None = None) -> dict:
        """Train up to the config's total length (or ``steps`` more), returning the history.

        Each compiled call runs up to ``steps_per_call`` steps in a graph loop, ending early on
        any callback's interval. Ctrl-C/SIGTERM stop after the current call with a checkpoint
        (``self.interrupted = True``). A NaN, infinite or runaway loss raises
        :class:`DivergenceError` without saving, so the last checkpoint stays good.
        """
        start = self.global_step
        end = self.total_steps if steps is None else start + steps
        if start >= end:
            self.say(f"nothing to do: the run is at step {start} of {end}")
            return self.history
        with self._run_lock(), _StopRequests() as stop:
            self._progress = Progress(end, start, enabled=bool(self.config.verbose))
            try:
                stopped = self._loop(start, end, stop)
            except KeyboardInterrupt:  # a second Ctrl-C, or an interrupt outside the main thread
                stopped = True
            finally:
                self._progress.close()
            if stopped:
                self._stop_interrupted()
            for callback in self.callbacks:
                self._run_hook(callback, "on_train_end")
            self._progress = None
        return self.history

    def _loop(self, start: int, end: int, stop) -> bool:
        """The steps from ``start`` to ``end``; True if they were stopped by a request."""
        iterator, self._stream = self._batches_from(start), None
        for callback in self.callbacks:
            self._run_hook(callback, "on_train_begin")
        # "seconds" in the log counts training time across resumptions
        t0 = time.perf_counter() - (self.history["seconds"][-1] if self.history["seconds"] else 0)
        step, stopping = start, False
        while step < end and not stopping:
            k = self._call_length(step, end)
            self.last_call = self.run_steps(iterator, k)
            logs = self._record(step, self.last_call, time.perf_counter() - t0)
            step += k
            self._progress.update(step, **logs)
            for callback in self.callbacks:
                self._run_hook(callback, "on_steps_end", step, logs)
            for callback in self.callbacks:
                if step % self._every(callback) == 0 or step == end:
                    self._run_hook(callback, "on_interval", step)
            # A SIGTERM to any worker stops them all at this step. The vote never overwrites
            # the request itself: one that arrives during the vote counts in the next.
            stopping = any_worker(self.strategy, stop.requested) if self.role.count > 1 \
                else stop.requested
        self._stream = (step, iterator)  # the next train() call continues from here
        return stopping

    def _run_hook(self, callback, hook: str, *args) -> None:
        """``callback.hook(self, *args)``. If it fails (a callback of yours, an evaluation), the
        training done so far is checkpointed first, so nothing trained is lost; the error then
        goes on, saying so. The checkpoint's own failures (disk full, divergence) go on as they
        are: there is nothing safe to save then."""
        try:
            getattr(callback, hook)(self, *args)
        except (DivergenceError, RunDirError, KeyboardInterrupt):
            raise
        except Exception as err:
            saved = self._save_after_failure(callback)
            if saved is None or not isinstance(err, GanKitError):
                if saved:
                    self.say(f"{type(callback).__name__} failed at step {self.global_step}; "
                             f"the checkpoint {saved} is saved: continue with --resume",
                             always=True)
                raise
            raise type(err)(f"{err} ({type(callback).__name__}, step {self.global_step}; the "
                            f"training is saved in {saved}: fix this and continue with "
                            "--resume)") from None

    def _save_after_failure(self, callback):
        """A checkpoint of the current step after a callback failed (None if there is none to
        write); an existing one of this step is kept."""
        if self.checkpoint is None or isinstance(callback, cb.Checkpoints) or \
                not self.role.chief:
            return None
        latest = self.checkpoint.latest
        if latest is not None and latest.endswith(f"ckpt-{self.global_step}"):
            return latest
        if not self.weights_are_finite():
            return None
        try:
            return self.save()  # every callback's files, then the checkpoint
        except Exception:  # the failing callback's files again: the checkpoint alone
            return self.checkpoint.save()

    def _batches_from(self, step: int):
        """The batch stream at ``step``: the one the previous ``train`` call left at that step,
        else a new one. Building a stream copies the dataset into a tensor and fills its
        prefetch buffer (0.4 s for MNIST on 2 cores), which a loop of short calls would pay
        each time."""
        if self._stream is not None and self._stream[0] == step:
            return self._stream[1]
        return iter(batches(self.data, self.config.batch_size, self.config.seed,
                            start_step=step, shard=self.role))

    def _every(self, callback) -> int:
        return callback.every_steps or self.steps_per_epoch

    def _call_length(self, step: int, end: int) -> int:
        """Steps in the next compiled call: up to the next callback interval or the end."""
        k = self.config.steps_per_call if self.strategy is None else 1
        due = [self._every(c) - step % self._every(c) for c in self.callbacks]
        return min([k, end - step] + due)

    def _record(self, start: int, rows: dict, seconds: float) -> dict:
        """Append the call's metrics to the history, checking them; return the last step's."""
        k = len(rows["d_loss"])
        for i in range(k):
            logs = {key: float(values[i]) for key, values in rows.items()}
            self._check_losses(logs, start + i + 1)
            logs.update(step=start + i + 1, epoch=(start + i) // self.steps_per_epoch + 1,
                        seconds=round(seconds, 3))
            for key in self.log_fields:
                self.history[key].append(logs[key])
        return {key: self.history[key][-1] for key in self.metric_keys}

    def _stop_interrupted(self) -> None:
        self.interrupted = True
        saved = self.save() if self.checkpoint else None
        self.say(f"interrupted at step {self.global_step}"
                 + (f"; checkpoint saved to {saved}; continue with --resume" if saved else ""),
                 always=True)  # what the user's Ctrl-C or kill did, even with --quiet

    def run_steps(self, iterator, k: int) -> dict:
        """Run ``k`` compiled train steps on batches from ``iterator`` (an iterator over
        ``data.batches``); return each metric as a numpy array of ``k`` values. No logging,
        checkpoints or callbacks: the hook benchmarks time."""
        import tensorflow as tf

        out = self._multi_step(iterator, tf.constant(k, tf.int32))
        return {key: value.numpy() for key, value in out.items()}

    def _build_multi_step(self):
        """``k`` train steps in one graph: a ``tf.while_loop`` that pulls each batch from the
        tf.data iterator itself and stacks the per-step metrics. Instance noise follows the
        absolute step counter, inside the graph."""
        import tensorflow as tf

        step_fn, keys, c = self._train_step, self.metric_keys, self.config

        def one_step(iterator):
            images, labels = next(iterator)
            std = instance_noise_level(c.instance_noise, c.instance_noise_steps, self.step)
            if c.lr_decay:  # both players' learning rates follow the schedule
                scale = learning_rate_scale(c.lr_decay, self.total_steps, self.step)
                self.g_optimizer.learning_rate.assign(c.lr_g * scale)
                self.d_optimizer.learning_rate.assign(c.lr_d * scale)
            metrics = step_fn(images, labels, std)
            for callback in self.callbacks:  # read when the loop is traced, at its first call
                if callback.after_step is not None:
                    callback.after_step(self)
            return {key: tf.cast(metrics[key], tf.float32) for key in keys}

        if self.strategy is not None:
            # One step per call: collective ops (gradient all-reduce, synchronised batch norm)
            # inside a graph while-loop can pair up out of order between replicas.
            @tf.function
            def single_step(iterator, k):
                return {key: tf.reshape(v, [1]) for key, v in one_step(iterator).items()}

            return single_step

        @tf.function
        def multi_step(iterator, k):
            arrays = {key: tf.TensorArray(tf.float32, size=k) for key in keys}
            for i in tf.range(k):
                metrics = one_step(iterator)
                arrays = {key: arrays[key].write(i, metrics[key]) for key in keys}
            return {key: arrays[key].stack() for key in keys}

        return multi_step

    def _check_losses(self, metrics: dict, step: int) -> None:
        bad = [k for k in ("d_loss", "g_loss") if not math.isfinite(metrics[k])
               or abs(metrics[k]) > LOSS_LIMIT]
        if bad:
            raise DivergenceError(self._divergence_message(
                f"{' and '.join(bad)} became {metrics[bad[0]]:.4g} at step {step}"))

    def _divergence_message(self, what: str) -> str:
        c = self.config
        latest = self.checkpoint.latest if self.checkpoint else None
        where = (f"the last checkpoint ({Path(latest).name}) is intact: continue from it with "
                 f"lower learning rates, e.g. --resume --lr-g {c.lr_g / 4:.3g} --lr-d "
                 f"{c.lr_d / 4:.3g}") if latest else "lower --lr-g/--lr-d and start again"
        return f"{what}; the run is diverging; {where} (or try another --loss)"

    def weights_are_finite(self) -> bool:
        """Are all weights and optimiser moments finite? Checked before every checkpoint, so a
        checkpoint never holds a diverged state."""
        from gan_lib.checkpoint import all_finite

        return all_finite(self.gan.generator.weights + self.gan.discriminator.weights
                          + list(self.g_optimizer.variables) + list(self.d_optimizer.variables))

    # ----------------------------------------------------------------------------- outputs
    def save(self) -> str | None:
        """Every callback's files, then a checkpoint. In this order a kill between the two
        leaves log rows past the latest checkpoint, which a resume drops and writes again; the
        other order could leave a checkpoint whose last steps are missing from the log."""
        if self.checkpoint is None:
            return None
        if not self.weights_are_finite():
            raise DivergenceError(self._divergence_message(
                f"the weights became non-finite by step {self.global_step}"))
        for callback in self.callbacks:
            callback.on_save(self)
        return self.checkpoint.save()

    def generate(self, z=None, labels=None) -> np.ndarray:
        """Images in [-1, 1] from the generator in inference mode (batch norm uses its running
        statistics). Defaults to the fixed inputs of the sample grids."""
        if z is None:
            z, labels = self.fixed.z, self.fixed.labels
        return self.sampling_gan().generate(z, labels, training=False).numpy()

    def grid_images(self):
        """``(uint8 images, columns)`` of the sample grid now."""
        images, ncols = self.variant.grid(self.fixed, self.generate())
        return to_uint8(images), ncols

    def save_samples(self, step: int | None = None):
        """The grid of the fixed inputs at ``step``; returns its path (None in memory)."""
        from gan_lib.plotting import image_grid, save_grid

        images, ncols = self.grid_images()
        self.last_grid = image_grid(images, ncols)
        if self.out_dir is None:
            return None
        step = self.global_step if step is None else step
        path = self.output(f"samples/step_{step:07d}.png")
        save_grid(images, path, ncols=ncols)
        return path

    def sample_paths(self) -> list:
        """The sample grids written so far, oldest first (e.g. for a GIF)."""
        return sorted((self.out_dir / "samples").glob("step_*.png")) if self.out_dir else []

