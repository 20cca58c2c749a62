"""The recipe of a training run, as one plain dataclass.

A :class:`TrainConfig` says everything that decides a run's result: model, data, sizes, losses,
optimiser settings and seed. It is written to ``RUN_DIR/config.json`` when a run starts, so a run
directory always tells how it was made, and ``--resume`` can check that it continues the same run.
Only the run's length (``steps``/``epochs``) and bookkeeping (checkpoint interval) may change
between a run and its resumption.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from gan_lib.errors import ConfigError

MODELS = ("mlp", "dcgan", "cgan", "acgan", "infogan", "pix2pix")
ARCHS = ("mlp", "dcgan")
LOSSES = ("bce", "minimax", "lsgan", "wgan-gp", "hinge")
STRATEGIES = ("none", "mirrored", "tpu")
UPDATES = ("alternating", "simultaneous")

# Fields that may differ between a run and its resumption: they do not change the model or the
# sequence of steps, only how long the run goes on and how it is recorded.
RESUMABLE_FIELDS = {"steps", "epochs", "checkpoint_every_steps", "checkpoint_every_seconds",
                    "keep_checkpoints", "sample_every_steps", "verbose", "collapse_monitor",
                    "steps_per_call", "strategy", "jit_compile"}


@dataclasses.dataclass
class TrainConfig:
    """Everything a training run needs. Defaults are the course's recipe (see each comment)."""

    model: str = "dcgan"              # mlp | dcgan | cgan | acgan | infogan
    arch: str | None = None           # cgan/acgan/infogan: mlp or dcgan body (default dcgan)
    dataset: str = "mnist"            # mnist | fashion_mnist | path to an image folder
    resolution: int | None = None     # image side; None = the data's own (28 for MNIST, 64 folders)
    channels: int | None = None       # 1 or 3; None = the data's own
    num_classes: int | None = None    # filled in from the data when a run starts
    latent_dim: int = 100
    batch_size: int = 128
    steps: int | None = None          # total length in steps ...
    epochs: int | None = None         # ... or in epochs (exactly one of the two)
    seed: int = 0
    # model sizes
    mlp_hidden: tuple = (256,)        # hidden layer widths of the MLP G and D (seed: one of 256)
    base_filters: int | None = None   # DCGAN width; None = per resolution (see models.py)
    # losses and optimisation
    loss: str = "bce"                 # bce (non-saturating) | minimax | lsgan | wgan-gp | hinge
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    beta_1: float = 0.5
    beta_2: float = 0.999
    d_steps: int = 1                  # discriminator updates per generator update
    updates: str = "alternating"      # alternating (D, then G through the new D) | simultaneous
    gp_weight: float = 10.0           # WGAN-GP's lambda
    aux_weight: float = 1.0           # ACGAN's class loss / InfoGAN's information loss weight
    task: str = "superres"            # pix2pix: superres (7x7 -> 28x28) | inpaint (centre hole)
    l1_weight: float = 100.0          # pix2pix: weight of the L1 loss
    adv_weight: float = 1.0           # pix2pix: weight of the adversarial loss (0 = plain L1 U-Net)
    # stabilisation tricks (all off by default)
    label_smoothing: float = 0.0      # one-sided: real target 1 - s
    fake_label: float = 0.0           # two-sided smoothing sets this to e.g. 0.1
    instance_noise: float = 0.0       # std of Gaussian noise on D's inputs, annealed to 0
    instance_noise_anneal_steps: int = 0  # 0 = anneal over the whole run
    spectral_norm: bool = False
    d_dropout: float = 0.0
    pack: int = 1                     # PacGAN: D judges packs of this many samples
    collapse_monitor: bool = False    # log the class entropy of fixed samples (mnist/fashion)
    # speed
    jit_compile: bool = False         # XLA-compile the step (faster on GPUs, slower on this CPU)
    mixed_precision: bool = False     # float16 compute, float32 weights (for GPUs)
    strategy: str = "none"            # none | mirrored (all GPUs, else all CPUs) | tpu
    steps_per_call: int = 20          # steps run in one compiled call (less Python overhead)
    # bookkeeping
    checkpoint_every_steps: int | None = None  # None = once per epoch
    checkpoint_every_seconds: float = 300.0
    keep_checkpoints: int = 3
    sample_every_steps: int | None = None      # None = once per epoch
    verbose: int = 1

    def __post_init__(self):
        self.mlp_hidden = tuple(self.mlp_hidden)

    # ------------------------------------------------------------------ checks
    def validate(self) -> "TrainConfig":
        """Raise :class:`ConfigError` with a one-line fix for any value that cannot work."""
        if self.model not in MODELS:
            raise ConfigError(f"unknown model '{self.model}'; choose one of {', '.join(MODELS)}")
        if self.arch is not None and self.arch not in ARCHS:
            raise ConfigError(f"unknown arch '{self.arch}'; choose one of {', '.join(ARCHS)}")
        if self.loss not in LOSSES:
            raise ConfigError(f"unknown loss '{self.loss}'; choose one of {', '.join(LOSSES)}")
        if self.updates not in UPDATES:
            raise ConfigError(f"unknown updates '{self.updates}'; choose one of "
                              f"{', '.join(UPDATES)}")
        if self.strategy not in STRATEGIES:
            raise ConfigError(f"unknown strategy '{self.strategy}'; choose one of "
                              f"{', '.join(STRATEGIES)}")
        if (self.steps is None) == (self.epochs is None):
            raise ConfigError("give the run's length as exactly one of --steps N or --epochs N")
        for name in ("steps", "epochs"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value <= 0):
                raise ConfigError(f"--{name} must be a positive whole number, got {value}")
        for name in ("batch_size", "latent_dim", "d_steps", "pack", "keep_checkpoints",
                     "steps_per_call"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise ConfigError(f"--{name.replace('_', '-')} must be a positive whole number, "
                                  f"got {value}")
        if self.resolution is not None:
            r = self.resolution
            if r != 28 and (r < 32 or r > 256 or r & (r - 1)):
                raise ConfigError(f"--resolution {r} is not supported; use 28 or a power of two "
                                  "from 32 to 256")
            if self.model_arch == "mlp" and r > 64:
                raise ConfigError(f"an MLP at {r}x{r} is too large to be useful; use --model dcgan")
        if self.channels not in (None, 1, 3):
            raise ConfigError(f"--channels must be 1 or 3, got {self.channels}")
        for name in ("lr_g", "lr_d"):
            if not getattr(self, name) > 0:
                raise ConfigError(f"--{name.replace('_', '-')} must be positive")
        if not 0 <= self.label_smoothing < 0.5 or not 0 <= self.fake_label < 0.5:
            raise ConfigError("label smoothing must be in [0, 0.5); 0.1 is the usual value")
        if not 0 <= self.d_dropout < 1:
            raise ConfigError("--d-dropout must be in [0, 1)")
        if self.instance_noise < 0:
            raise ConfigError("--instance-noise must be >= 0")
        if self.batch_size % self.pack:
            raise ConfigError(f"--batch-size {self.batch_size} must be a multiple of --pack "
                              f"{self.pack}")
        if self.model == "pix2pix":
            if self.task not in ("superres", "inpaint"):
                raise ConfigError(f"unknown task '{self.task}'; choose superres or inpaint")
            if self.resolution not in (None, 28):
                raise ConfigError("pix2pix works at 28x28 (MNIST-size data); drop --resolution")
            if (self.loss != "bce" or self.pack > 1 or self.d_steps > 1
                    or self.updates != "alternating"):
                raise ConfigError("pix2pix uses its own adversarial + L1 loss; drop --loss, "
                                  "--pack, --d-steps and --updates")
        if self.collapse_monitor and self.dataset not in ("mnist", "fashion_mnist"):
            raise ConfigError("--collapse-monitor needs a classifier, which exists for mnist and "
                              "fashion_mnist only")
        if self.pack > 1 and self.model in ("cgan", "acgan", "infogan"):
            raise ConfigError("--pack works with unconditional models only; drop --pack or use "
                              "--model dcgan")
        if self.base_filters is not None and self.base_filters <= 0:
            raise ConfigError("--base-filters must be positive")
        if any(h <= 0 for h in self.mlp_hidden) or not self.mlp_hidden:
            raise ConfigError("--mlp-hidden must be one or more positive widths, e.g. 256,256")
        return self

    @property
    def model_arch(self) -> str:
        """The body of the networks: ``mlp`` or ``dcgan`` (a cgan, acgan or infogan has either)."""
        if self.model in ("cgan", "acgan", "infogan"):
            return self.arch or "dcgan"
        return self.model

    @property
    def conditional(self) -> bool:
        """Does G take class labels?"""
        return self.model in ("cgan", "acgan")

    # ------------------------------------------------------------------ JSON
    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["mlp_hidden"] = list(self.mlp_hidden)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "TrainConfig":
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
            return cls.from_dict(json.loads(Path(path).read_text()))
        except (OSError, json.JSONDecodeError) as err:
            raise ConfigError(f"cannot read {path} ({err}); is this a gan_lib run directory?") \
                from None

    def differences(self, other: "TrainConfig") -> list[str]:
        """Fields (other than the run's length) whose values differ, as 'name: a -> b'."""
        a, b = self.to_dict(), other.to_dict()
        return [f"{k}: {a[k]!r} -> {b[k]!r}" for k in a
                if k not in RESUMABLE_FIELDS and a[k] != b[k]]
