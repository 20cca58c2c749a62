"""The plain GAN's answers to every question a variant answers; other variants override a few.

A :class:`Variant` is bound to one :class:`~gan_lib.config.TrainConfig`. The trainer, the
checkpoint, the sampler and the command line ask it, and only it, what differs between kinds of
GAN: which networks to build, whether labels flow to G and D, what the latent vector holds, the
auxiliary losses, the sample grid, the logged metrics and the checkpoint's model spec.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gan_lib import models, resnet_models
from gan_lib.errors import ConfigError
from gan_lib.gan import GAN
from gan_lib.losses import get_loss


# Adam 2e-4 and batch 128 (Radford et al., 2015); at 256x256, the course's seed network's setting
PAPER_RECIPE = {"batch_size": 128, "lr_g": 2e-4, "lr_d": 2e-4}


class FixedInputs(NamedTuple):
    """What the sample grids are generated from, the same all run long."""

    z: object                   # latent vectors (pix2pix: degraded input images)
    labels: object = None       # class labels for a conditional G
    targets: object = None      # pix2pix: the real images the inputs were made from


class Variant:
    """A plain (unconditional) GAN with an MLP or DCGAN body."""

    kind = "gan"                # what gan.kind reports: the kind of GAN, for people to read
    conditional = False         # G takes a class label
    d_takes_labels = False      # D takes the label too (cGAN)
    code_size = 0               # latent numbers beyond the noise (InfoGAN's codes)
    latent_codes: tuple = ()    # the codes latent() can be given (InfoGAN: its category, ...)
    extra_metrics: tuple = ()   # logged besides d_loss, g_loss, d_real, d_fake
    grid_columns = 8
    grid_size = 64
    packable = True             # PacGAN packs unlabelled samples only
    ignores: tuple = ()         # config fields this variant would silently ignore: refused if set
    archs: tuple = ("mlp", "dcgan")  # the bodies ``--arch`` chooses from (empty: one body only)

    def __init__(self, config):
        self.config = config

    # ------------------------------------------------------------------ configuration
    @property
    def arch(self) -> str:
        """The body of the networks: ``mlp``, ``dcgan`` (or ``resnet``, where :attr:`archs`
        has it)."""
        return self.config.model if self.config.model in ("mlp", "dcgan") else \
            (self.config.arch or "dcgan")

    def validate(self) -> None:
        """Raise :class:`ConfigError` for settings this variant cannot train with."""
        c = self.config
        if c.arch is not None and c.arch not in self.archs:
            raise ConfigError(
                f"--arch {c.arch} is not a body of --model {c.model}; choose "
                f"{' or '.join(self.archs)}" if self.archs else "--arch chooses the body of a "
                f"cgan/acgan/infogan/wgan-clip; drop it with --model {c.model}")
        if c.pack > 1 and not self.packable:
            raise ConfigError(f"--pack does not work with --model {c.model}: its D reads each "
                              "image's own label or code, which a pack of images mixes; drop "
                              "--pack or use --model dcgan")
        if c.resolution is not None and self.arch == "mlp" and c.resolution > 64:
            raise ConfigError(f"an MLP at {c.resolution}x{c.resolution} is too large to be "
                              "useful; use --model dcgan")
        if self.arch == "resnet":
            if c.spectral_norm or c.d_dropout:
                raise ConfigError("the residual D has no normalisation or dropout (its residual "
                                  "branches start at zero); drop --spectral-norm and --d-dropout")
            if c.resolution is not None:
                resnet_models.stages(c.resolution, 1)  # refuses the sides it cannot build
        self.refuse_ignored()

    def refuse_ignored(self) -> None:
        """Refuse, in one line, any option this run would not read that differs from its
        default (:meth:`unread_fields`, or an option owned by another variant: an
        ``option(only=...)`` of config.py): a setting that would be accepted and then do nothing
        (or fail mid-run) is a silent lie."""
        import dataclasses

        from gan_lib.config import flag_name

        c = self.config
        fields = {f.name: f for f in dataclasses.fields(c)}
        others = [f.name for f in fields.values()  # another variant's own options
                  if f.metadata["only"] not in (None, c.model)]
        given = [fields[name] for name in dict.fromkeys(self.unread_fields() + tuple(others))
                 if getattr(c, name) != _default(fields[name])]
        if given:
            flags = ", ".join(flag_name(f) for f in given)
            arch = f" --arch {c.arch}" if c.arch else ""
            raise ConfigError(f"--model {c.model}{arch} does not use {flags}; drop "
                              f"{'it' if len(given) == 1 else 'them'}")

    def unread_fields(self) -> tuple:
        """The config fields this run never reads: the variant's :attr:`ignores`, WGAN-GP's
        weight under another loss, the auxiliary loss's weight in a variant without one, and
        the other body's width (``base_filters`` for an MLP, ``mlp_hidden`` for the rest)."""
        gp = ("gp_weight",) if self.config.loss != "wgan-gp" else ()
        aux = ("aux_weight",) if "aux_loss" not in self.extra_metrics else ()
        width = ("base_filters",) if self.arch == "mlp" else ("mlp_hidden",)
        return tuple(self.ignores) + gp + aux + width

    def recipe_defaults(self, resolution: int, channels: int) -> dict:
        """The batch size and learning rates of a run that sets none of the three: the DCGAN
        paper's (:data:`PAPER_RECIPE`). A variant whose own recipe was measured to do better
        overrides this. A run that sets some of them gets the paper's values for the others: a
        recipe is measured as a whole, so it is never mixed with other values."""
        return dict(PAPER_RECIPE)

    def spec(self, image_shape, num_classes) -> dict:
        """The facts that decide the variables' shapes; equal specs can share a checkpoint."""
        c, arch = self.config, self.arch
        return {
            "model": c.model, "arch": arch, "image_shape": list(image_shape),
            "latent_dim": c.latent_dim, "num_classes": num_classes if self.conditional else None,
            "mlp_hidden": list(c.mlp_hidden) if arch == "mlp" else None,
            "base_filters": c.base_filters if arch != "mlp" else None,
            "spectral_norm": c.spectral_norm, "pack": c.pack,
            **({"minibatch_std": True} if c.minibatch_std else {}),
            # the residual body's width as built (a default may change between versions)
            **({"base_filters": self.resnet_width(image_shape[0]),
                "widest": resnet_models.WIDEST} if arch == "resnet" else {}),
        }

    def resnet_width(self, resolution: int) -> int:
        """The residual body's ``base_filters``: the option, else resnet_models' default."""
        return self.config.base_filters or resnet_models.default_base_filters(resolution)

    # ------------------------------------------------------------------ networks
    def aux_outputs(self, num_classes) -> int:
        """Size of D's second output (0: D returns its logit only)."""
        return 0

    def build(self, image_shape, num_classes=None) -> GAN:
        """The generator and discriminator for images of ``image_shape``."""
        c = self.config
        if self.conditional and not num_classes:
            raise ConfigError(f"a {c.model} needs class labels, and dataset '{c.dataset}' has "
                              "none; use a labelled dataset (mnist, fashion_mnist, or a folder "
                              "with one sub-folder per class)")
        classes = num_classes if self.conditional else None
        d_classes = classes if self.d_takes_labels else None
        latent, heads = c.latent_dim + self.code_size, self.aux_outputs(num_classes)
        sync = c.strategy != "none"
        if self.arch == "resnet":
            res, ch, b = image_shape[0], image_shape[2], self.resnet_width(image_shape[0])
            g = resnet_models.build_resnet_generator(latent, res, ch, b, classes)
            d = resnet_models.build_resnet_discriminator(res, ch, b, c.pack, c.minibatch_std,
                                                         d_classes)
        elif self.arch == "mlp":
            g = models.build_mlp_generator(latent, image_shape, c.mlp_hidden, classes)
            packed = image_shape[:2] + (image_shape[2] * c.pack,)
            d = models.build_mlp_discriminator(packed, c.mlp_hidden, d_classes, c.d_dropout,
                                               c.spectral_norm, heads, c.minibatch_std)
        else:
            res, ch = image_shape[0], image_shape[2]
            g = models.build_dcgan_generator(latent, res, ch, c.base_filters, classes, sync)
            d = models.build_dcgan_discriminator(res, ch, c.base_filters, d_classes, c.d_dropout,
                                                 c.spectral_norm, c.pack, heads, sync,
                                                 c.minibatch_std)
        return GAN(g, d, latent, tuple(image_shape), classes, self)

    def latent(self, rng, n, noise_dim, **codes):
        """``n`` latent vectors: standard normal noise."""
        return rng.normal([n, noise_dim])

    def sampling_latents(self, gan, n, batch_size, seed=0, truncation=None):
        """The latent vectors of ``n`` samples, one batch of at most ``batch_size`` after
        another: drawn with ``gan.latent`` from a generator seeded ``seed``, or, with
        ``truncation`` (psi), ``sampling.truncated_latents`` (refused by a variant whose latent
        vector is not plain normal noise). A wrong psi is refused here, before any batch."""
        import tensorflow as tf

        if truncation is not None:
            from gan_lib.sampling import truncated_latents

            z = truncated_latents(n, gan.latent_dim, truncation, seed)
            return (tf.constant(z[start:start + batch_size]) for start in range(0, n, batch_size))
        rng = tf.random.Generator.from_seed(seed)
        return (gan.latent(rng, min(batch_size, n - start)) for start in range(0, n, batch_size))

    # ------------------------------------------------------------------ losses and step
    def loss(self):
        """The pair of GAN loss functions (see losses.py) named by ``--loss``."""
        return get_loss(self.config.loss)

    def d_aux_loss(self, real_aux, fake_aux, labels, z):
        """A loss D adds to its own (ACGAN's class loss, InfoGAN's information loss)."""
        return 0.0

    def g_aux_loss(self, fake_aux, labels, z):
        return 0.0

    def after_discriminator_update(self, gan) -> None:
        """Called inside the step after every D update (e.g. to clip D's weights)."""
        return None

    def make_step(self, gan, g_optimizer, d_optimizer, rng, step_counter=None, strategy=None):
        """The compiled train step (see train_step.py)."""
        from gan_lib.train_step import GANStep

        return GANStep(gan, g_optimizer, d_optimizer, self.config, rng, step_counter,
                       strategy).compiled()

    # ------------------------------------------------------------------ sampling
    def samples(self, gan, n, seed=0, label=None, inputs=None, truncation=None) -> dict:
        """``n`` samples as uint8 arrays: ``images``, and ``labels`` for a conditional G
        (``truncation``: see ``sampling.truncated_latents``)."""
        from gan_lib.sampling import sample_images

        if inputs is not None:
            raise ConfigError("--inputs is for pix2pix runs; this run generates from noise")
        images, labels = sample_images(gan, n, seed=seed, label=label, truncation=truncation)
        return {"images": images, "labels": labels}

    def sample_grid(self, arrays) -> tuple:
        """``(images, columns)`` for a PNG of ``samples``' arrays."""
        return arrays["images"], (10 if arrays.get("labels") is not None else None)

    # ------------------------------------------------------------------ sample grids
    def fixed_inputs(self, gan, rng, data) -> FixedInputs:
        """The inputs behind every sample grid, drawn from ``rng`` (a seeded generator of
        their own, so drawing them changes nothing in training)."""
        return FixedInputs(gan.latent(rng, self.grid_size))

    def grid(self, fixed: FixedInputs, images) -> tuple:
        """``(images, columns)`` of the grid for generated ``images``."""
        return images, self.grid_columns


def _default(field):
    """A dataclass field's default (a mutable one comes from its factory)."""
    import dataclasses

    return field.default_factory() if field.default is dataclasses.MISSING else field.default


def labels_per_class(num_classes: int, total: int = 100) -> np.ndarray:
    """Class labels 0, 0, ..., 1, 1, ...: one grid row per class, up to 10 samples each."""
    per_class = max(1, min(10, total // num_classes))
    return np.repeat(np.arange(num_classes), per_class).astype(np.int32)
