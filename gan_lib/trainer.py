"""``Trainer``: one object for a whole run, a thin facade over the run's parts (gan_lib/run/).

A run is three objects, each with one job:

* the **plan** (run/plan.py): the config, the data and the run directory resolved and checked,
  once, into a frozen :class:`~gan_lib.run.plan.Plan` (a copy: the caller's config is never
  changed);
* the **state** (run/state.py): what a checkpoint saves: networks, optimisers, the random
  generator, the step, the grids' fixed inputs, G's moving average;
* the **loop** (run/loop.py): the compiled calls, their records, checkpoints, stop requests and
  divergence checks; callbacks (callbacks.py) see a narrow view of it (run/view.py).

The run directory's files (run/files.py) are written through one object too. ``Trainer`` wires
them together and answers the questions notebooks, the CLI and tests ask of a run. Usage::

    trainer = Trainer(TrainConfig(model="dcgan", dataset="mnist", epochs=5), "runs/my_run")
    history = trainer.train()
"""
from __future__ import annotations

from pathlib import Path

from gan_lib import callbacks as cb
from gan_lib.data import ImageSet
from gan_lib.run.compiled import instance_noise_level, learning_rate_scale  # noqa: F401
from gan_lib.run.files import RunFiles
from gan_lib.run.loop import Loop
from gan_lib.run.plan import make_plan
from gan_lib.run.state import RunState

# Each name a trainer answers for one of its parts: {name: the part that holds it}.
_PARTS = {
    "plan": ("config", "data", "variant", "strategy", "role", "out_dir", "run", "total_steps",
             "steps_per_epoch"),
    "state": ("gan", "g_optimizer", "d_optimizer", "rng", "step", "fixed", "ema", "global_step",
              "sampling_gan", "generate", "grid_images", "weights_are_finite"),
    "loop": ("history", "interrupted", "last_call", "metric_keys", "log_fields", "say",
             "run_steps", "save"),
    "files": ("checkpoint", "output", "save_config", "sample_paths"),
}
_OWNER = {name: part for part, names in _PARTS.items() for name in names}


class Trainer:
    """Trains one GAN described by a :class:`TrainConfig`, optionally in a run directory.

    ``out_dir=None`` keeps everything in memory (handy in notebooks). With a directory:
    ``resume=True`` continues its latest checkpoint; ``overwrite=True`` replaces an earlier run
    there (only what the kit wrote is deleted, see rundir.py); with neither, a directory that
    already holds a run is refused rather than silently mixed with a new one. ``callbacks`` are
    added to the built-in ones (see callbacks.py). ``options`` (instead of ``config``) are
    command-line options: on resume they are laid over the saved config.
    """

    def __init__(self, config=None, out_dir=None, resume: bool = False,
                 overwrite: bool = False, data: ImageSet | None = None, callbacks=(),
                 options: dict | None = None):
        self.plan = make_plan(config, out_dir, resume, overwrite, data, options)
        self.state = RunState(self.plan)
        self.files = RunFiles(self.plan)
        self.grids = cb.SampleGrids(self.plan.config.sample_every_steps)
        self.monitor = None  # the collapse monitor, with --collapse-monitor
        self.loop = Loop(self.plan, self.state, self.files,
                         self._builtin_callbacks() + list(callbacks))
        if self.plan.run is not None:
            with self.files.lock():
                self._open_run()

    def __getattr__(self, name):
        part = _OWNER.get(name)
        if part is None:
            raise AttributeError(f"'Trainer' object has no attribute '{name}'")
        owner = self.__dict__.get(part)
        if owner is None:  # asked before that part exists (during __init__)
            raise AttributeError(f"'Trainer' has no '{name}' yet: its {part} is being built")
        return getattr(owner, name)

    @property
    def callbacks(self) -> list:
        """The callbacks the loop calls, built-in ones first (a list you may change)."""
        return self.loop.callbacks

    @callbacks.setter
    def callbacks(self, value) -> None:
        self.loop.callbacks = value

    @property
    def _multi_step(self):  # the compiled call itself (tests wrap it)
        return self.loop.multi_step

    @_multi_step.setter
    def _multi_step(self, function) -> None:
        self.loop.multi_step = function

    # ------------------------------------------------------------------ set-up
    def _builtin_callbacks(self) -> list:
        plan, c = self.plan, self.plan.config
        self.grids.every_steps = c.sample_every_steps or plan.steps_per_epoch
        if not plan.role.chief:  # only the chief reports and writes files
            return []
        found = []
        if c.collapse_monitor:
            watch = cb.CollapseWatch(c.dataset, self.state.gan, c.seed, self.grids.every_steps)
            found, self.monitor = [watch], watch.monitor
        if c.eval_every_steps:
            found.append(cb.Evaluation(c.dataset, c.eval_every_steps, c.eval_samples))
        if plan.out_dir is None:
            return found
        found = [self.grids] + found + [cb.CSVLog()]
        if c.tensorboard:
            found.append(cb.TensorBoard(plan.out_dir / "tensorboard", self.grids.every_steps,
                                        self.grids))
        return found + [cb.LossCurves(self.describe())]

    def _open_run(self) -> None:
        """Restore the run (resume), or create its folder and config (see run/files.py)."""
        saved = {}
        for callback in self.callbacks:
            saved.update(callback.checkpoint_objects())
        path = self.files.open(self.state, saved)
        if not self.plan.resume:
            return
        self._apply_recorded_changes()
        for callback in self.callbacks:
            callback.on_resume(self.loop.view)
        self.say(f"resumed {self.out_dir} from step {self.global_step} ({path})")

    def _apply_recorded_changes(self) -> None:
        """Learning rates given on resume replace the restored ones; the change is recorded."""
        changes, c = list(self.plan.recorded_changes), self.plan.config
        if not changes:
            return
        self.state.g_optimizer.learning_rate.assign(c.lr_g)
        self.state.d_optimizer.learning_rate.assign(c.lr_d)
        c.changes.append({"step": self.global_step, "changed": changes})
        if self.role.chief:
            self.files.save_config()
        self.say(f"changed at step {self.global_step}: {'; '.join(changes)}")

    # ------------------------------------------------------------------ the run
    def train(self, steps: int | None = None) -> dict:
        """Train up to the config's total length (or ``steps`` more), returning the history.

        Each compiled call runs up to ``steps_per_call`` steps in a graph loop, ending early on
        any callback's interval. Ctrl-C/SIGTERM stop after the current call with a checkpoint
        (``self.interrupted = True``). A NaN, infinite or runaway loss raises
        :class:`DivergenceError` without saving, so the last checkpoint stays good.
        """
        return self.loop.train(steps)

    def noise_std(self, step: int) -> float:
        """Instance noise's std at ``step`` (see :func:`instance_noise_level`)."""
        c = self.config
        return float(instance_noise_level(c.instance_noise, c.instance_noise_steps, step))

    def describe(self) -> str:
        c = self.config
        return f"{c.model} on {Path(c.dataset).name}, {c.loss} loss, batch {c.batch_size}"

    @property
    def last_grid(self):
        """The latest sample grid, as one array (None before the first)."""
        return self.grids.last

    def save_samples(self, step: int | None = None):
        """The grid of the fixed inputs at ``step``; returns its path (None in memory)."""
        return self.grids.save(self.loop.view, self.global_step if step is None else step)
