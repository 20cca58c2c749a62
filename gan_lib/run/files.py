"""The run directory of a run: its config, its checkpoints and every file written there.

A run directory looks like this::

    RUN_DIR/
      config.json        the TrainConfig the run was started with (and any recorded changes)
      checkpoints/       the last few tf.train.Checkpoint files (see checkpoint.py)
      log.csv            one row per step: step, epoch, d_loss, g_loss, d_real, d_fake, seconds
      samples/           a grid from the same fixed inputs at each interval
      tensorboard/       the same metrics and grids for TensorBoard
      losses.png         loss curves and D's outputs, drawn at the end
      gan_kit_files.json the manifest: what the kit wrote here (see rundir.py)

Only the chief worker writes; the other workers of a multi-worker run save their checkpoints
into temporary folders (distribute.py). Every path is recorded in the manifest before it is
written, so ``--overwrite`` deletes exactly the kit's files.
"""
from __future__ import annotations

import contextlib
from pathlib import Path

from gan_lib.run.plan import CONFIG_COPY


class RunFiles:
    """The files of a planned run; ``plan.out_dir=None`` (in memory) writes nothing."""

    def __init__(self, plan):
        self.plan, self.run, self.out_dir = plan, plan.run, plan.out_dir
        self.checkpoint = None  # a RunCheckpoint once the run is opened

    @property
    def writes(self) -> bool:
        """Does this process write the run's files (a run directory, and the chief)?"""
        return self.run is not None and self.plan.role.chief

    def lock(self):
        """The run directory's lock, held by the chief (other workers share its run)."""
        return self.run.lock() if self.writes else contextlib.nullcontext()

    def open(self, state, saved_objects: dict) -> str | None:
        """Restore the run (resume; returns the checkpoint's path), or clear (overwrite) and
        create its folder and config. ``saved_objects`` are the callbacks' extra state."""
        from gan_lib.checkpoint import RunCheckpoint

        plan = self.plan
        spec = plan.variant.spec(plan.data.shape, plan.data.num_classes)
        self.checkpoint = RunCheckpoint(
            self.out_dir / "checkpoints", state.gan, state.g_optimizer, state.d_optimizer,
            state.rng, state.step, spec, plan.config.keep_checkpoints,
            {**state.checkpoint_parts(), **saved_objects}, temporary=not plan.role.chief,
            track=self.run.track)
        if plan.resume:
            path = self.checkpoint.restore_latest()
            if plan.config_lost and plan.role.chief:
                self.save_config()
            return path
        if plan.role.chief:
            if self.run.has_manifest() or plan.overwrite:
                self.run.clear()  # a run's leftovers (--overwrite), or the kit's files of none
            self.run.create()
            self.save_config()
        return None

    def save_config(self) -> None:
        """``config.json``, and its copy beside the checkpoints (what ``--resume`` falls back on
        when config.json is lost), both recorded in the run's manifest first."""
        self.run.track("config.json", CONFIG_COPY)
        self.plan.config.save(self.out_dir / "config.json")
        self.plan.config.save(self.out_dir / CONFIG_COPY)

    def output(self, name: str) -> Path:
        """The path of a file the kit writes in the run folder, recorded in its manifest before
        it is written (see rundir.py)."""
        if self.writes:
            self.run.track(name)
        return self.out_dir / name

    def output_folder(self, name: str) -> Path:
        """A folder of the kit's in the run folder (e.g. TensorBoard's), recorded likewise."""
        if self.writes:
            self.run.track_folder(name)
        return self.out_dir / name

    def sample_paths(self) -> list:
        """The sample grids written so far, oldest first (e.g. for a GIF)."""
        return sorted((self.out_dir / "samples").glob("step_*.png")) if self.out_dir else []

    def record(self, *paths) -> None:
        """Record files that someone else (TensorFlow) writes in the run folder as the kit's."""
        if self.writes:
            self.run.track(*paths)
