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
"""
from __future__ import annotations

import json
import warnings
from pathlib import Path

import tensorflow as tf

from gan_lib.errors import CheckpointError

SPEC_KEY = "spec/.ATTRIBUTES/VARIABLE_VALUE"


def model_spec(config, image_shape, num_classes) -> dict:
    """The facts that decide the variables' shapes; two runs with equal specs can share weights."""
    return {
        "model": config.model, "arch": config.model_arch, "image_shape": list(image_shape),
        "latent_dim": config.latent_dim, "num_classes": num_classes if config.conditional else None,
        "mlp_hidden": list(config.mlp_hidden) if config.model_arch == "mlp" else None,
        "base_filters": config.base_filters if config.model_arch != "mlp" else None,
        "spectral_norm": config.spectral_norm, "pack": config.pack,
        **({"task": config.task} if config.model == "pix2pix" else {}),
    }


class RunCheckpoint:
    """``tf.train.Checkpoint`` + ``CheckpointManager`` over everything in a run."""

    def __init__(self, directory, gan, g_optimizer, d_optimizer, rng, step, spec: dict,
                 max_to_keep: int = 3):
        self.directory = Path(directory)
        self.spec = spec
        self.checkpoint = tf.train.Checkpoint(
            generator=gan.generator, discriminator=gan.discriminator,
            g_optimizer=g_optimizer, d_optimizer=d_optimizer, rng=rng, step=step,
            spec=tf.Variable(json.dumps(spec, sort_keys=True), trainable=False))
        self.manager = tf.train.CheckpointManager(self.checkpoint, str(self.directory),
                                                  max_to_keep=max_to_keep, checkpoint_name="ckpt")
        self._step = step

    @property
    def latest(self) -> str | None:
        return self.manager.latest_checkpoint

    def save(self) -> str:
        """Write a checkpoint numbered by the global step. TensorFlow writes the data files first
        and updates the ``checkpoint`` index last, atomically, so a crash mid-save leaves the
        previous checkpoint as the latest."""
        return self.manager.save(checkpoint_number=int(self._step.numpy()))

    def restore_latest(self) -> str:
        """Restore the newest checkpoint that is intact, warning about any damaged ones.

        Raises :class:`CheckpointError` if there is none, if it belongs to another model, or if
        every one is damaged.
        """
        candidates = list(reversed(self.manager.checkpoints))
        if not candidates:
            raise CheckpointError(f"no checkpoint in {self.directory}; start the run without "
                                  "--resume")
        for path in candidates:
            try:
                restore(self.checkpoint, path, self.spec)
                return path
            except CheckpointError:
                raise
            except Exception as err:  # truncated or corrupted files fail in many ways
                warnings.warn(f"checkpoint {path} is damaged ({type(err).__name__}: "
                              f"{str(err).splitlines()[0][:200]}); trying the one before it",
                              stacklevel=2)
        raise CheckpointError(f"every checkpoint in {self.directory} is damaged; start a new run "
                              "in another --out directory")


def read_spec(path) -> dict | None:
    """The model spec stored in checkpoint ``path`` (None for a checkpoint without one)."""
    reader = tf.train.load_checkpoint(str(path))
    if not reader.has_tensor(SPEC_KEY):
        return None
    return json.loads(reader.get_tensor(SPEC_KEY).decode())


def spec_differences(saved: dict, current: dict) -> list[str]:
    return [f"{k} {saved.get(k)!r} in the checkpoint vs {current.get(k)!r} here"
            for k in sorted(set(saved) | set(current)) if saved.get(k) != current.get(k)]


def restore(checkpoint: tf.train.Checkpoint, path, spec: dict | None = None) -> None:
    """Restore ``path`` into ``checkpoint`` completely, or raise.

    With ``spec``, first compare it with the spec saved in the file and refuse a mismatch with a
    :class:`CheckpointError` that lists the differences (no variable is touched). Then restore and
    ``assert_consumed()``: every object in ``checkpoint`` and every value in the file must match.
    """
    if spec is not None:
        saved = read_spec(path)
        if saved is not None and saved != spec:
            raise CheckpointError(f"checkpoint {path} is for a different model: "
                                  + "; ".join(spec_differences(saved, spec))
                                  + "; build the model it was saved from, or start a new run")
    status = checkpoint.restore(str(path))
    status.assert_consumed()
