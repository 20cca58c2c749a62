"""Saving and restoring a whole training run.

A checkpoint holds everything that decides what the next step does:

* the generator's and discriminator's weights, batch-norm statistics included;
* both optimisers' state (Adam's moments and iteration count) -- built before restoring, because
  Keras 3 optimisers create these variables lazily and a restore into unbuilt ones skips them;
* the global step (the data stream's position follows from it, see data.py);
* the ``tf.random.Generator`` state, so the latent vectors drawn after a resume are the same;
* a ``spec`` string describing the model, checked *before* restoring so that a checkpoint of a
  different model or shape is refused with a message saying what differs.

``tf.train.Checkpoint.restore`` is partial and silent by default: it restores what matches and
ignores the rest. :func:`restore` always asserts that every variable was restored.

Training, sampling and evaluation find checkpoints the same way (:func:`find_checkpoints`): from
the checkpoint files themselves, newest first, not only from TensorFlow's ``checkpoint`` state
file, so a deleted state file loses nothing; a damaged checkpoint is skipped with one line naming
it, and the one before it is used.
"""
from __future__ import annotations

import json
import re
import shutil
import warnings
from pathlib import Path

import tensorflow as tf

from gan_lib.errors import CheckpointError, RunDirError

SPEC_KEY = "spec/.ATTRIBUTES/VARIABLE_VALUE"
_NAME = re.compile(r"^ckpt-(\d+)\.(index|data-\d+-of-\d+)$")


def model_spec(config, image_shape, num_classes) -> dict:
    """The facts that decide the variables' shapes; two runs with equal specs can share weights."""
    return config.variant().spec(image_shape, num_classes)


def find_checkpoints(directory) -> list[str]:
    """Checkpoint prefixes in ``directory`` (``.../ckpt-N``), newest (largest N) first: every N
    with an ``.index`` or a data file, whether or not the state file lists it."""
    directory = Path(directory)
    if not directory.is_dir():
        return []
    steps = {int(m.group(1)) for m in map(_NAME.match, (p.name for p in directory.iterdir())) if m}
    return [str(directory / f"ckpt-{n}") for n in sorted(steps, reverse=True)]


def damaged(path, err) -> None:
    """Warn, in one line, that checkpoint ``path`` cannot be read and an older one is tried."""
    reason = f"{type(err).__name__}: {str(err).splitlines()[0][:160]}" if str(err) else \
        type(err).__name__
    warnings.warn(f"checkpoint {path} is damaged ({reason}); trying the one before it",
                  stacklevel=3)


def restore_newest(directory, restore_one) -> str:
    """Call ``restore_one(path)`` on each checkpoint in ``directory``, newest first, until one
    succeeds; return its path. A :class:`CheckpointError` (another model) stops at once."""
    candidates = find_checkpoints(directory)
    if not candidates:
        raise CheckpointError(f"no checkpoint in {directory}; train the run first (or start it "
                              "without --resume)")
    for path in candidates:
        try:
            if not Path(path + ".index").exists():
                raise FileNotFoundError(f"{Path(path).name}.index is missing")
            restore_one(path)
            return path
        except CheckpointError:
            raise
        except Exception as err:  # truncated or corrupted files fail in many ways
            damaged(path, err)
    raise CheckpointError(f"every checkpoint in {directory} is damaged; start a new run in "
                          "another --out directory")


class RunCheckpoint:
    """``tf.train.Checkpoint`` + ``CheckpointManager`` over everything in a run."""

    def __init__(self, directory, gan, g_optimizer, d_optimizer, rng, step, spec: dict,
                 max_to_keep: int = 3, extra: dict | None = None, temporary: bool = False,
                 track=None):
        """``temporary``: restore from ``directory`` but save into a temporary folder that is
        removed at once: what a worker other than the chief does (every worker must save).
        ``track(*paths)`` records the files a save writes before they are written (the run's
        manifest, rundir.py)."""
        self.directory, self.temporary, self.track = Path(directory), temporary, track
        self.spec, self.max_to_keep, self._step = spec, max_to_keep, step
        self.checkpoint = tf.train.Checkpoint(
            generator=gan.generator, discriminator=gan.discriminator,
            g_optimizer=g_optimizer, d_optimizer=d_optimizer, rng=rng, step=step,
            spec=tf.Variable(json.dumps(spec, sort_keys=True), trainable=False), **(extra or {}))
        self.manager = self._manager()
        self.variables = (gan.generator.weights + gan.discriminator.weights
                          + list(g_optimizer.variables) + list(d_optimizer.variables))

    def _write_state(self, latest: str) -> None:
        """Rewrite a lost or stale state file from the checkpoint files up to ``latest``."""
        from gan_lib.io import atomic_write_text

        step = int(latest.rsplit("-", 1)[1])
        kept = [p for p in reversed(find_checkpoints(self.directory))
                if int(p.rsplit("-", 1)[1]) <= step and Path(p + ".index").exists()]
        if self.track is not None:
            self.track(self.directory / "checkpoint")
        atomic_write_text(self.directory / "checkpoint",
                          _state_text(latest, kept[-self.max_to_keep:]))

    def _manager(self):
        return tf.train.CheckpointManager(self.checkpoint, str(self.directory),
                                          max_to_keep=self.max_to_keep, checkpoint_name="ckpt")

    @property
    def latest(self) -> str | None:
        found = find_checkpoints(self.directory)
        return found[0] if found else None

    def save(self) -> str:
        """Write a checkpoint numbered by the global step. TensorFlow writes the data files first
        and updates the ``checkpoint`` state file last, atomically, so a crash mid-save leaves
        the previous checkpoint as the latest. A failed write (disk full, read-only folder)
        removes its half-written temporary folder and raises :class:`RunDirError`."""
        if self.temporary:
            import tempfile

            with tempfile.TemporaryDirectory(prefix="gan-kit-worker-") as tmp:
                tf.train.CheckpointManager(self.checkpoint, tmp, max_to_keep=1).save()
            return None
        step = int(self._step.numpy())
        if self.track is not None:
            self.track(*(self.directory / name for name in (
                f"ckpt-{step}.index", f"ckpt-{step}.data-00000-of-00001", "checkpoint")))
        try:
            path = self.manager.save(checkpoint_number=step)
            if self.track is not None:  # any other file of this checkpoint (more shards)
                self.track(*self.directory.glob(f"ckpt-{step}.*"))
            return path
        except (OSError, tf.errors.OpError) as err:
            for temp in self.directory.glob("ckpt-*_temp*"):
                shutil.rmtree(temp, ignore_errors=True)
            raise RunDirError.from_error(self.directory, err, "checkpoint") from None

    def restore_latest(self) -> str:
        """Restore the newest intact checkpoint, warning about damaged ones; rebuild the state
        file if it was lost. Raises :class:`CheckpointError` if there is none, if it belongs to
        another model, or if every one is damaged."""
        def restore_one(path):
            restore(self.checkpoint, path, self.spec)
            if not all_finite(self.variables):  # a diverged state: roll back one further
                raise ValueError("it holds non-finite weights or optimiser moments")

        path = restore_newest(self.directory, restore_one)
        if self.manager.latest_checkpoint != path:  # state file missing or stale: rewrite it
            self._write_state(path)
            self.manager = self._manager()
        return path


def all_finite(variables) -> bool:
    """Are all floating-point ``variables`` (Keras or TensorFlow) finite?"""
    return all(bool(tf.reduce_all(tf.math.is_finite(v))) for v in variables
               if "float" in str(v.dtype))


def _state_text(latest: str, kept: list) -> str:
    """TensorFlow's ``checkpoint`` state file (a text protobuf) naming ``kept`` checkpoints, the
    newest last, with their files' times (the manager deletes the oldest beyond max_to_keep)."""
    times = [Path(p + ".index").stat().st_mtime for p in kept]
    lines = [f'model_checkpoint_path: "{Path(latest).name}"']
    lines += [f'all_model_checkpoint_paths: "{Path(p).name}"' for p in kept]
    lines += [f"all_model_checkpoint_timestamps: {t}" for t in times]
    lines.append(f"last_preserved_timestamp: {min(times, default=0.0) - 1}")
    return "\n".join(lines) + "\n"


def read_spec(path) -> dict | None:
    """The model spec stored in checkpoint ``path`` (None for a checkpoint without one)."""
    reader = tf.train.load_checkpoint(str(path))
    if not reader.has_tensor(SPEC_KEY):
        return None
    return json.loads(reader.get_tensor(SPEC_KEY).decode())


def spec_differences(saved: dict, current: dict) -> list[str]:
    return [f"{k} {saved.get(k)!r} in the checkpoint vs {current.get(k)!r} here"
            for k in sorted(set(saved) | set(current)) if saved.get(k) != current.get(k)]


def check_spec(path, spec: dict) -> None:
    """Refuse checkpoint ``path`` if it was saved from another model than ``spec`` describes."""
    saved = read_spec(path)
    if saved is not None and saved != spec:
        raise CheckpointError(f"checkpoint {path} is for a different model: "
                              + "; ".join(spec_differences(saved, spec))
                              + "; build the model it was saved from, or start a new run")


def restore(checkpoint: tf.train.Checkpoint, path, spec: dict | None = None) -> None:
    """Restore ``path`` into ``checkpoint`` completely, or raise.

    With ``spec``, first compare it with the spec saved in the file and refuse a mismatch with a
    :class:`CheckpointError` that lists the differences (no variable is touched). Then restore and
    ``assert_consumed()``: every object in ``checkpoint`` and every value in the file must match.
    """
    if spec is not None:
        check_spec(path, spec)
    status = checkpoint.restore(str(path))
    status.assert_consumed()


def restore_parts(run_dir, spec: dict, **parts) -> str:
    """Restore only ``parts`` (e.g. ``generator=gan.generator``) from a run's newest intact
    checkpoint, checking that every variable of each part was found; returns the path."""
    def restore_one(path):
        check_spec(path, spec)
        status = tf.train.Checkpoint(**parts).restore(path)
        status.expect_partial()  # the file also holds the rest of the run...
        status.assert_existing_objects_matched()  # ...but all of what we asked for

    return restore_newest(Path(run_dir) / "checkpoints", restore_one)


def load_generator(run_dir, with_discriminator: bool = False):
    """``(gan, config)`` for the run in ``run_dir``: the generator (its moving average if the run
    keeps one) and with ``with_discriminator`` also D, at the newest intact checkpoint."""
    from gan_lib.config import TrainConfig
    from gan_lib.run.ema import sampled_generator_key
    from gan_lib.variants import build_gan

    run_dir = Path(run_dir)
    if not (run_dir / "config.json").is_file():
        raise CheckpointError(f"{run_dir} is not a run directory (no config.json); pass the --out "
                              "folder of a training run")
    config = TrainConfig.load(run_dir / "config.json")
    image_shape = (config.resolution, config.resolution, config.channels)
    gan = build_gan(config, image_shape, config.num_classes)
    # with a moving average of G (--ema), samples come from the averaged weights
    parts = {sampled_generator_key(config): gan.generator}
    if with_discriminator:
        parts["discriminator"] = gan.discriminator
    restore_parts(run_dir, model_spec(config, image_shape, config.num_classes), **parts)
    return gan, config
