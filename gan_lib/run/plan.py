"""The plan of a run: a config, the data and a run directory resolved into one frozen object.

Everything that can be decided before a weight exists is decided here, once: the options are
checked, a resumed run's ``config.json`` is read (once) and the new options laid over it, the
data is loaded, the unset recipe values are filled in from the variant and the data, and the
result is validated (once). The caller's :class:`TrainConfig` is never changed: the plan holds
a resolved copy, and the one variant instance bound to it.
"""
from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

from gan_lib.config import RESOLVED_FIELDS, TrainConfig
from gan_lib.data import BUILTIN, ImageSet, load_dataset, steps_per_epoch
from gan_lib.distribute import WorkerRole, cluster_role, make_strategy
from gan_lib.errors import CheckpointError, ConfigError
from gan_lib.rundir import RunDir, inside

CONFIG_COPY = "checkpoints/config.json"  # config.json's copy, what --resume falls back on


@dataclasses.dataclass(frozen=True)
class Plan:
    """What one run trains, on what, and where. ``config`` is the plan's own resolved copy."""

    config: TrainConfig
    variant: object                 # the one Variant instance, bound to ``config``
    data: ImageSet
    out_dir: Path | None            # None: everything stays in memory
    run: RunDir | None
    role: WorkerRole                # which worker this process is (the chief writes the run)
    strategy: object                # a tf.distribute strategy, or None
    resume: bool = False
    overwrite: bool = False
    recorded_changes: tuple = ()    # learning-rate changes given on resume (see config.py)
    config_lost: bool = False       # resumed with config.json missing: write it again

    @property
    def steps_per_epoch(self) -> int:
        return steps_per_epoch(self.data, self.config.batch_size)

    @property
    def total_steps(self) -> int:
        c = self.config
        return c.steps if c.steps is not None else c.epochs * self.steps_per_epoch


def make_plan(config: TrainConfig | None = None, out_dir=None, resume: bool = False,
              overwrite: bool = False, data: ImageSet | None = None,
              options: dict | None = None) -> Plan:
    """Resolve a run. Give either a whole ``config`` or the command line's ``options``: on
    ``resume`` those are laid over the saved config, otherwise over the defaults."""
    if config is not None and not isinstance(config, TrainConfig):
        raise ConfigError(f"the config is a {type(config).__name__}, not a TrainConfig; pass "
                          "TrainConfig(...) (from a dict: TrainConfig.from_dict(d))")
    options = {} if options is None else options  # neither given: the defaults
    out_dir = Path(out_dir) if out_dir is not None else None
    run = RunDir(out_dir) if out_dir is not None else None
    if resume and overwrite:
        raise ConfigError("--resume and --overwrite contradict each other; choose one")
    if resume and run is None:
        raise ConfigError("resuming needs the run directory (--out RUN_DIR)")
    config = copy.deepcopy(config) if config is not None else None
    if run is not None:  # before reading any saved config: an overlap is refused at once
        _refuse_run_in_data(config or TrainConfig().with_options(options), out_dir)
    changes, lost = (), False
    if resume:
        config, changes, lost = _resumed_config(config, run, options)
    elif config is None:
        config = TrainConfig().with_options(options)
    role = cluster_role() if config.strategy == "multiworker" else WorkerRole()
    if run is not None:
        _refuse_run_in_data(config, out_dir)
        _check_run_dir(run, role, resume, overwrite)
    # then down the layers, once: the options, the variant, the strategy, the data
    config.check_options()
    if not role.chief:  # the chief reports; the other workers train quietly
        config.verbose = 0
    variant = config.variant()  # the run's one Variant, bound to the plan's config
    # TensorFlow's collective ops are configured before anything else runs (the data loaders
    # may run TensorFlow ops: decoding, resizing)
    strategy = make_strategy(config.strategy)
    if data is None:
        data = load_dataset(config.dataset, "train", config.resolution, config.channels)
    _resolve(config, variant, data)
    return Plan(config, variant, data, out_dir, run, role, strategy, resume, overwrite,
                tuple(changes), lost)


def _check_run_dir(run: RunDir, role, resume: bool, overwrite: bool) -> None:
    """The chief checks that the run directory can take this run (see rundir.py)."""
    if not role.chief:
        return
    run.check_usable()
    run.check_unlocked()
    if resume:
        return
    if overwrite:
        run.check_overwritable()
    else:
        run.check_new()


def _refuse_run_in_data(config, out_dir: Path) -> None:
    """A run folder that is, holds or lies inside its image folder would train on its own
    outputs (sample grids, loss curves) after a resume: refused."""
    data = Path(config.dataset).expanduser()
    if config.dataset in BUILTIN or not data.is_dir():
        return
    if inside(out_dir, data) or inside(data, out_dir):
        raise ConfigError(f"--out {out_dir} and --dataset {config.dataset} overlap: the "
                          "run's own images would become training data; choose an --out "
                          "outside the dataset folder")


def _resumed_config(given: TrainConfig | None, run: RunDir, options: dict | None):
    """``(config, recorded changes, config lost)`` of a resumed run: the saved config with the
    new length, bookkeeping and any learning-rate change (a recorded change); any other
    difference is refused. Given ``options`` (the command line) instead of a whole config,
    they are laid over the saved one."""
    saved, lost = _saved_config(given or TrainConfig().with_options(options), run)
    if given is None:
        given = saved.with_options(options)
    diffs = saved.differences(given)
    if diffs:
        raise ConfigError(f"{run.path} was started with other settings ({'; '.join(diffs)});"
                          " resume with the original options or use another --out")
    changes = saved.differences(given, kinds=("recorded",))
    new = {f.name: getattr(given, f.name) for f in dataclasses.fields(given)
           if f.metadata["resume"] in ("free", "recorded") and f.name != "changes"
           and not (f.name in RESOLVED_FIELDS and getattr(given, f.name) is None)}
    return dataclasses.replace(saved, **new), changes, lost


def _saved_config(given: TrainConfig, run: RunDir):
    """``(config, lost)``: the config of the run being resumed: ``config.json``, else the copy
    kept beside the checkpoints, else (both lost, checkpoints present) the options given now,
    which the checkpoint's model facts are checked against when it is restored."""
    for path in (run.path / "config.json", run.path / CONFIG_COPY):
        if path.is_file():
            lost = path.parent != run.path
            if lost and given.verbose:
                print(f"config.json was missing: using its copy {path}", flush=True)
            return TrainConfig.load(path), lost
    if not run.holds_run():
        raise CheckpointError(f"{run.path} holds no run to resume (no config.json or "
                              "checkpoints); start it without --resume")
    print(f"{run.path}: config.json and its copy were missing: continuing with the "
          "options given now (checked against the checkpoint's model only)", flush=True)
    return given, True


def _resolve(config: TrainConfig, variant, data: ImageSet) -> None:
    """Fill in what the options left to the data, then check the whole: the image shape and
    classes, the recipe's batch size and learning rates, instance noise's horizon. Changes
    ``config`` (the plan's own copy)."""
    config.resolution, config.channels = int(data.shape[0]), int(data.shape[2])
    config.num_classes = data.num_classes
    _fill_recipe(config, variant)
    config.check_combinations(variant)
    if steps_per_epoch(data, config.batch_size) == 0:
        raise ConfigError(f"--batch-size {config.batch_size} is larger than the dataset "
                          f"({len(data)} images); lower it")
    if config.instance_noise and not config.instance_noise_steps:
        length = config.steps if config.steps is not None else \
            config.epochs * steps_per_epoch(data, config.batch_size)
        config.instance_noise_steps = length  # fixed now, saved in config.json


def _fill_recipe(config: TrainConfig, variant) -> None:
    """Batch size and learning rates left unset: the variant's recipe for this image size if
    all three are unset, else the paper's values for the unset ones (see recipe_defaults)."""
    from gan_lib.variants.base import PAPER_RECIPE

    unset = [name for name in PAPER_RECIPE if getattr(config, name) is None]
    recipe = variant.recipe_defaults(config.resolution, config.channels) \
        if len(unset) == len(PAPER_RECIPE) else PAPER_RECIPE
    for name in unset:
        setattr(config, name, recipe[name])
