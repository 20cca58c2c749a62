"""The recipe of a training run, as one plain dataclass, and the single source of its options.

A :class:`TrainConfig` says everything that decides a run's result: model, data, sizes, losses,
optimiser settings and seed. It is written to ``RUN_DIR/config.json`` when a run starts, so a run
directory always tells how it was made, and ``--resume`` can check that it continues the same run.

Each field carries its own documentation (``option(...)``): the help text, the allowed choices or
range, and whether it may differ when a run is resumed. ``validate`` checks every field from that
metadata, and the ``train`` command's options are generated from it (see cli.py), so a default,
a range or a help text is written in exactly one place.

When a run is resumed:

* ``resume="free"`` fields (length, bookkeeping, speed settings) may change: they do not change
  the sequence of steps, only how long the run goes on and how it is recorded;
* ``resume="recorded"`` fields (the learning rates) may change when given explicitly, e.g. to
  rescue a diverging run; the change is appended to ``changes`` in config.json with its step;
* every other field must stay as it was.
"""
from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path

from gan_lib.errors import ConfigError
from gan_lib.variants import MODELS

ARCHS = ("mlp", "dcgan", "resnet")
LOSSES = ("bce", "minimax", "lsgan", "wgan-gp", "hinge", "rpgan")
STRATEGIES = ("none", "mirrored", "multiworker", "tpu")
UPDATES = ("alternating", "simultaneous")
TASKS = ("superres", "inpaint")  # pix2pix's tasks (see variants/pix2pix.py's degrade)
MAX_SEED = 2**32 - 1
MAX_STEPS = 10**10  # a billion steps is years of training; beyond that a number is a typo
MIN_EVAL_SAMPLES = 6  # density/coverage's k = 5 neighbours need at least 6 samples
MAX_SAMPLES = 10**7  # per `sample` or `evaluate` call (the memory check of sampling.py is finer)
MIN_TRUNCATION = 0.01
"""Truncation's smallest psi: within +-0.01 standard deviations of 0 every latent vector is so
near the origin that all samples are one image repeated; nothing is learnt from smaller psi."""
# filled in when a run starts (from the data, or the run's length): unset (None or 0) in a
# config given for a resume means "as saved", not a change
RESOLVED_FIELDS = ("resolution", "channels", "num_classes", "instance_noise_steps", "batch_size",
                   "lr_g", "lr_d")


def option(default, help: str, *, choices=None, low=None, high=None, low_open=False,
           high_open=False, resume: str = "fixed", flag: str | None = None, cli: bool = True,
           group: str | None = None, check=None, only: str | None = None):
    """A config field with its documentation and checks (see the module docstring).

    ``low``/``high`` bound a number (``*_open`` excludes the bound); ``flag`` overrides the
    command-line name; ``cli=False`` keeps the field off the command line; ``group`` makes the
    options of one group mutually exclusive; ``check(value)`` raises ConfigError for a value
    that passes the range but still cannot work; ``only`` names the one ``--model`` that reads
    the option (its variant's own option: every other variant refuses it when set).
    """
    metadata = dict(help=help, choices=choices, low=low, high=high, low_open=low_open,
                    high_open=high_open, resume=resume, flag=flag, cli=cli, group=group,
                    check=check, only=only)
    if isinstance(default, (list, tuple)):
        return dataclasses.field(default_factory=lambda: tuple(default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def _check_resolution(r) -> None:
    if r != 28 and (r < 32 or r > 256 or r & (r - 1)):
        raise ConfigError(f"--resolution {r} is not 28 or a power of two from 32 to 256")


def _check_widths(widths) -> None:
    if not widths or any(isinstance(w, bool) or not isinstance(w, int) or not 0 < w <= 65536
                         for w in widths):
        raise ConfigError(f"--mlp-hidden must be one or more positive widths, e.g. 256,256; "
                          f"got {','.join(map(str, widths))}")


POSITIVE = dict(low=0, low_open=True)
FRACTION = dict(low=0.0, high=1.0, high_open=True)


@dataclasses.dataclass
class TrainConfig:
    """Everything a training run needs. The defaults are the course's recipe."""

    model: str = option("dcgan", "network family", choices=MODELS)
    arch: str | None = option(None, "body of a cgan/acgan/infogan/wgan-clip: mlp or dcgan "
                                    "(default dcgan); a cgan also takes resnet",
                              choices=ARCHS)
    dataset: str = option("mnist", "mnist, fashion_mnist, stacked_mnist, ring8, grid25 (2-D "
                                   "points), or a folder of images")
    resolution: int | None = option(None, "image side: 28 or a power of two from 32 to 256 "
                                          "(default: the data's own)", **POSITIVE,
                                  check=_check_resolution)
    channels: int | None = option(None, "1 (grayscale) or 3 (RGB) (default: the data's own)",
                                  choices=(1, 3))
    num_classes: int | None = option(None, "filled in from the data", cli=False)
    latent_dim: int = option(100, "size of the noise vector z", **POSITIVE, high=4096)
    batch_size: int | None = option(None, "images per step (default: per model and image size, "
                                          "see Variant.recipe_defaults)", **POSITIVE, high=65536)
    steps: int | None = option(None, "total length in steps", **POSITIVE, high=MAX_STEPS,
                               resume="free", group="length")
    epochs: int | None = option(None, "total length in epochs", **POSITIVE, high=10**7,
                                resume="free", group="length")
    seed: int = option(0, "makes the run repeatable", low=0, high=MAX_SEED)
    # model sizes
    mlp_hidden: tuple = option((256,), "MLP hidden widths, e.g. 512,256 (the seed: one of 256)",
                               check=_check_widths)
    base_filters: int | None = option(None, "DCGAN width at its narrowest layer (default: per "
                                            "resolution, see models.py)", **POSITIVE, high=4096)
    # losses and optimisation
    loss: str = option("bce", "GAN loss; bce is the non-saturating one", choices=LOSSES)
    lr_g: float | None = option(None, "G's Adam learning rate (default: as --batch-size)",
                                **POSITIVE, high=1.0, resume="recorded")
    lr_d: float | None = option(None, "D's Adam learning rate (default: as --batch-size)",
                                **POSITIVE, high=1.0, resume="recorded")
    lr_decay: float = option(0.0, "decay both learning rates linearly to 0 over this last "
                                  "fraction of the run (0: constant)", low=0.0, high=1.0)
    beta_1: float = option(0.5, "Adam's beta_1 (DCGAN: 0.5)", **FRACTION)
    beta_2: float = option(0.999, "Adam's beta_2", **FRACTION)
    d_steps: int = option(1, "D updates per G update (WGAN: 5)", **POSITIVE, high=100)
    updates: str = option("alternating", "alternating: D steps, then G through the updated D; "
                                         "simultaneous: both from one pass, as in the TF "
                                         "tutorial", choices=UPDATES)
    gp_weight: float = option(10.0, "WGAN-GP's lambda", low=0.0)
    aux_weight: float = option(1.0, "ACGAN's class loss / InfoGAN's information loss weight",
                               low=0.0)
    # pix2pix's own options (variants/pix2pix.py reads them; every other model refuses them)
    task: str = option("superres", "pix2pix: superres (7x7 -> 28x28) or inpaint (centre hole)",
                       choices=TASKS, only="pix2pix")
    l1_weight: float = option(100.0, "pix2pix: weight of the L1 loss", low=0.0, only="pix2pix")
    adv_weight: float = option(1.0, "pix2pix: weight of the adversarial loss (0: a plain L1 "
                                    "U-Net)", low=0.0, only="pix2pix")
    # stabilisation tricks (all off by default)
    label_smoothing: float = option(0.0, "one-sided: D's target for real images is 1 - s "
                                         "(0.1 is usual)", low=0.0, high=0.5, high_open=True)
    fake_label: float = option(0.0, "D's target for fakes; 0.1 with --label-smoothing 0.1 is "
                                    "two-sided smoothing", low=0.0, high=0.5, high_open=True)
    instance_noise: float = option(0.0, "std of Gaussian noise on D's inputs, annealed "
                                        "linearly to 0 (e.g. 0.1)", low=0.0, high=10.0)
    instance_noise_steps: int = option(0, "steps over which instance noise anneals to 0 (0: "
                                          "the run's length at its start, then saved)",
                                       low=0, high=10**9)
    spectral_norm: bool = option(False, "spectral normalisation in D (and no batch norm)")
    r1_gamma: float = option(0.0, "R1 penalty: gamma/2 * E|grad D(x)|^2 on real images "
                                  "(Mescheder et al., 2018; 0: off)", low=0.0, high=1e4)
    r2_gamma: float = option(0.0, "R2 penalty: gamma/2 * E|grad D(x)|^2 on generated images "
                                  "(R3GAN: R1 + R2 with one gamma; 0: off)", low=0.0, high=1e4)
    minibatch_std: bool = option(False, "D sees the batch's feature spread as an extra channel "
                                        "(Karras et al., 2018)")
    d_dropout: float = option(0.0, "dropout rate in D", **FRACTION)
    pack: int = option(1, "PacGAN: D judges packs of this many samples", **POSITIVE, high=16)
    collapse_monitor: bool = option(False, "log the class entropy of fixed samples at each "
                                           "sample grid (mnist/fashion_mnist)", resume="free")
    ema: float = option(0.0, "decay of a moving average of G's weights that grids, samples and "
                             "evaluation use (0: off; 0.999 is usual)", **FRACTION)
    eval_every_steps: int | None = option(None, "score samples every N steps into "
                                                "RUN_DIR/evaluation.csv (mnist/fashion_mnist)",
                                          **POSITIVE, resume="free", flag="--eval-every")
    eval_samples: int = option(2000, "samples per evaluation during training",
                               low=MIN_EVAL_SAMPLES, high=100_000, resume="free")
    # speed
    jit_compile: bool = option(False, "XLA-compile the step (faster on GPUs)", resume="free")
    mixed_precision: bool = option(False, "float16 compute with loss scaling (for GPUs)")
    strategy: str = option("none", "tf.distribute: mirrored over this machine's GPUs (else "
                                   "CPUs), multiworker over several processes or machines "
                                   "(TF_CONFIG), or a Colab TPU", choices=STRATEGIES,
                           resume="free")
    steps_per_call: int = option(20, "train steps per compiled call (less Python overhead)",
                                 **POSITIVE, high=10**6, resume="free")
    # bookkeeping
    checkpoint_every_steps: int | None = option(None, "steps between checkpoints (default: one "
                                                      "epoch)", **POSITIVE, resume="free",
                                                flag="--checkpoint-every")
    checkpoint_every_seconds: float = option(300.0, "also checkpoint when this many seconds "
                                                    "have passed (0: after every call)",
                                             low=0.0, resume="free")
    keep_checkpoints: int = option(3, "how many recent checkpoints to keep", **POSITIVE,
                                   high=10**6, resume="free")
    sample_every_steps: int | None = option(None, "steps between sample grids (default: one "
                                                  "epoch)", **POSITIVE, resume="free",
                                            flag="--sample-every")
    tensorboard: bool = option(True, "write TensorBoard logs to RUN_DIR/tensorboard",
                               resume="free")
    verbose: int = option(1, "progress output (0: none)", low=0, high=2, resume="free",
                          cli=False)
    changes: list = option([], "settings changed on resume, with the step", cli=False,
                           resume="free")

    def __post_init__(self):
        self.mlp_hidden = tuple(self.mlp_hidden)
        self.changes = list(self.changes)

    # ------------------------------------------------------------------ checks
    def check_options(self) -> "TrainConfig":
        """Raise :class:`ConfigError` with a one-line fix for any option outside its range or
        choices, or combined with one it contradicts: everything that can be checked before any
        data is loaded or any default is filled in."""
        from gan_lib.data import POINT_SETS

        points = self.dataset in POINT_SETS  # 2-D points: shape (1, 1, 2), set from the data
        for field in dataclasses.fields(self):
            if not (points and field.name in ("resolution", "channels")):
                _check_field(field, getattr(self, field.name))
        if (self.steps is None) == (self.epochs is None):
            raise ConfigError("give the run's length as exactly one of --steps N or --epochs N")
        if self.loss == "rpgan" and (self.label_smoothing or self.fake_label):
            raise ConfigError("--loss rpgan compares D's logits on pairs and has no targets to "
                              "smooth; drop --label-smoothing and --fake-label")
        if (self.collapse_monitor or self.eval_every_steps) and \
                self.dataset not in ("mnist", "fashion_mnist"):
            raise ConfigError("--collapse-monitor and --eval-every need the kit's classifier, "
                              "which exists for mnist and fashion_mnist only")
        if self.jit_compile and self.strategy != "none":
            raise ConfigError(f"--jit-compile is not applied under --strategy {self.strategy} "
                              "(the distributed step runs without XLA); drop one of the two")
        return self

    def validate(self, variant=None) -> "TrainConfig":
        """:meth:`check_options`, then the combinations that cannot work together, then the
        ``variant``'s own checks (by default the variant ``model`` names)."""
        self.check_options()
        return self.check_combinations(variant or self.variant())

    def check_combinations(self, variant) -> "TrainConfig":
        """Raise :class:`ConfigError` for options that are valid alone but not together, or
        that ``variant`` (bound to this config) cannot train with."""
        from gan_lib.data import POINT_SETS

        if self.dataset in POINT_SETS and not getattr(variant, "learns_points", False):
            raise ConfigError(f"--dataset {self.dataset} is 2-D points, which only --model mlp "
                              "trains (the other models expect images); use --model mlp")
        if self.batch_size is not None and self.batch_size % self.pack:
            raise ConfigError(f"--batch-size {self.batch_size} must be a multiple of --pack "
                              f"{self.pack}")
        variant.validate()
        return self

    def variant(self):
        """The variant (see gan_lib/variants/) that ``model`` names, bound to this config."""
        from gan_lib.variants import get_variant

        return get_variant(self)

    # ------------------------------------------------------------------ options and resuming
    def with_options(self, given: dict) -> "TrainConfig":
        """A copy with the options in ``given`` applied; a new length replaces the old one."""
        config = dataclasses.replace(self, **given)
        if "steps" in given:
            config.epochs = None
        if "epochs" in given:
            config.steps = None
        return config

    def differences(self, other: "TrainConfig", kinds=("fixed",)) -> list[str]:
        """Fields of the ``kinds`` of resume rule whose values differ, as 'name: a -> b'. A
        resolved field that ``other`` leaves unset is not a difference (see RESOLVED_FIELDS)."""
        a, b = self.to_dict(), other.to_dict()
        return [f"{f.name}: {a[f.name]!r} -> {b[f.name]!r}" for f in dataclasses.fields(self)
                if f.metadata["resume"] in kinds and a[f.name] != b[f.name]
                and not (f.name in RESOLVED_FIELDS and b[f.name] in (None, 0))]

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["mlp_hidden"] = list(self.mlp_hidden)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
        d = dict(d)
        if "instance_noise_anneal_steps" in d:  # the field's name before 0.2
            d["instance_noise_steps"] = d.pop("instance_noise_anneal_steps")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ConfigError(f"config has unknown fields {sorted(unknown)}; it was written by a "
                              "newer gan_lib, upgrade it")
        return cls(**d)

    def save(self, path) -> None:
        """Write the config as JSON, atomically (a crash never leaves half a file)."""
        from gan_lib.io import atomic_write_text

        atomic_write_text(path, json.dumps(self.to_dict(), indent=2) + "\n")

    @classmethod
    def load(cls, path) -> "TrainConfig":
        try:
            saved = json.loads(Path(path).read_text())
            if not isinstance(saved, dict):
                raise TypeError(f"holds a {type(saved).__name__}, not an object")
            return cls.from_dict(saved)
        except ConfigError:
            raise
        except (OSError, UnicodeDecodeError, ValueError, TypeError) as err:
            raise ConfigError(f"cannot read {path} ({type(err).__name__}: "
                              f"{str(err).splitlines()[0][:80]}); it is not a gan_lib run's "
                              "config: pass the --out folder of a training run") from None


def flag_name(field) -> str:
    """The command-line option of a config field: ``--lr-g`` for ``lr_g``."""
    return field.metadata["flag"] or "--" + field.name.replace("_", "-")


def _check_field(field, value) -> None:
    """Check one value against its field's choices and range."""
    m, name = field.metadata, flag_name(field)
    if value is None:
        return
    if m["check"] is not None:
        m["check"](value)
    if isinstance(value, (list, tuple)):
        return
    if m["choices"] is not None and value not in m["choices"]:
        raise ConfigError(f"unknown {field.name.replace('_', ' ')} '{value}'; choose one of "
                          f"{', '.join(map(str, m['choices']))}")
    if isinstance(value, bool) or m["low"] is None and m["high"] is None:
        return
    if field.type.startswith("int") and not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number, got {value!r}")
    if not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{name} must be a finite number, got {value!r}")
    low, high = m["low"], m["high"]
    if (low is not None and (value < low or (m["low_open"] and value == low))) or \
            (high is not None and (value > high or (m["high_open"] and value == high))):
        raise ConfigError(f"{name} must be {_describe_range(m, field.type)}, got {value}")


def _describe_range(m, type_name) -> str:
    if type_name.startswith("int") and m["low"] == 0 and m["low_open"]:
        return "a positive whole number" + (f" up to {m['high']}" if m["high"] else "")
    if m["high"] is None:
        return ("> " if m["low_open"] else ">= ") + str(m["low"])
    left = "(" if m["low_open"] else "["
    right = ")" if m["high_open"] else "]"
    return f"in {left}{m['low']}, {m['high']}{right}"
