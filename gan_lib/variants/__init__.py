"""Every kind of GAN the kit trains, one module each, registered here by its ``--model`` name.

A variant owns what makes it different from the plain GAN: its networks, any auxiliary loss,
the fixed inputs and layout of its sample grids, its extra logged metrics and the facts its
checkpoints are checked against. To add one, write a module with a ``Variant`` subclass (see
``wgan_clip.py``, a whole variant in one short file) and add one line to ``REGISTRY``.

The registry holds names only, so reading it (for ``--help`` or config checks) imports no
TensorFlow; a variant's module is imported when it is first used.
"""
from __future__ import annotations

import importlib

REGISTRY = {
    "mlp": "gan_lib.variants.points:MLPGAN",  # PlainGAN, which also learns 2-D points
    "dcgan": "gan_lib.variants.plain:PlainGAN",
    "cgan": "gan_lib.variants.cgan:ConditionalGAN",
    "acgan": "gan_lib.variants.acgan:ACGAN",
    "infogan": "gan_lib.variants.infogan:InfoGAN",
    "infogan-paper": "gan_lib.variants.infogan:PaperInfoGAN",  # Chen et al.'s MNIST setup
    "pix2pix": "gan_lib.variants.pix2pix:Pix2Pix",
    "wgan-clip": "gan_lib.variants.wgan_clip:WeightClippedWGAN",
    "resnet": "gan_lib.variants.resnet:ResNetGAN",
}
MODELS = REGISTRY  # the --model names (a live view: a variant registered later is included)


def register(name: str, target: str) -> None:
    """Register a variant at run time: ``target`` is ``"module:Class"`` (a script's own module
    is ``"__main__"``). Library variants are listed in ``REGISTRY`` above instead."""
    REGISTRY[name] = target


def get_variant(config):
    """The variant object for ``config.model``, bound to ``config``."""
    module, name = REGISTRY[config.model].split(":")
    return getattr(importlib.import_module(module), name)(config)


def build_gan(config, image_shape=None, num_classes=None):
    """Build the generator and discriminator that ``config`` describes.

    ``image_shape`` (H, W, C) defaults to the config's resolution and channels; ``num_classes`` is
    needed for a conditional model.
    """
    from gan_lib.errors import ConfigError

    if image_shape is None:
        if config.resolution is None or config.channels is None:
            raise ConfigError("build_gan needs image_shape, or a config with resolution and "
                              "channels set")
        image_shape = (config.resolution, config.resolution, config.channels)
    return get_variant(config).build(tuple(int(s) for s in image_shape), num_classes)
