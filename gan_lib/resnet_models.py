"""Residual generator and discriminator in the spirit of R3GAN (Huang et al., 2024), at MNIST size.

R3GAN's "modern baseline" drops the tricks of StyleGAN and keeps a plain ResNet, with no
normalisation layer at all. Both networks are a stack of *stages*, one per image side, each a
residual block at one width:

    block(x) = x + conv3x3_b(LeakyReLU(conv3x3_a(x)))

and between two stages a *transition* that changes the side and the width: resampling (bilinear
up in G, 2x2 average pooling down in D) and a 1x1 convolution. Both are linear maps, one acting
on positions and the other on channels, so they commute and the 1x1 convolution is run at the
smaller side, where it is cheaper. At 28x28 the sides are 7, 14, 28 with widths 4b, 2b, b (b =
``base_filters``); at a power of two R from 32 to 256 they are 4, 8, ..., R with width
``b * min(R / side, 8)``.

**Starting near the identity (Fixup; Zhang et al., 2019).** Without batch norm nothing keeps the
activations of a deep residual stack in range, so the initialisation does it: the last
convolution of every branch starts at zero, so every block is exactly the identity and each
network starts as its linear skeleton (dense/1x1/resampling layers, one activation at the end);
the branch's first convolution is He-initialised for LeakyReLU(0.2) with its variance divided by
L, the number of blocks (Fixup's ``L^(-2/(2m-2))`` for m = 2 layers per branch), so that once
the last convolutions move away from zero the L branches together add O(1) variance.

G: Dense to the smallest side's maps, the stages upwards, LeakyReLU, a 3x3 convolution to the
image's channels, tanh. D mirrors it: a 1x1 convolution from the image's channels, the stages
downwards, LeakyReLU (the batch's spread appended, with ``minibatch_std``), Dense(1): a logit.

**Conditional** (``--model cgan --arch resnet``): the cGAN's conditioning on these bodies, as
models.py does it for DCGAN's: G starts from ``[z, embedding(label)]``, and D reads the label as
one more image channel, a learned plane per class.
"""
from __future__ import annotations

import math

import keras
from keras import layers

from gan_lib.errors import ConfigError
from gan_lib.models import MinibatchStdDev, labelled_image, latent_inputs

LEAK = 0.2          # LeakyReLU's slope for negative inputs, in both networks
WIDEST = 8          # widths stop growing at 8 * base_filters (beyond a 32x32 image)


def default_base_filters(resolution: int) -> int:
    """The width of the largest side's stage: 16 at 28x28 and 32x32, where a step (bce, batch
    64) costs twice the default DCGAN's CPU time on a 2-core CPU (730 vs 375 ms; base 24: 3x,
    1,170 ms); 32 for larger images."""
    return 16 if resolution <= 32 else 32


def stages(resolution: int, base_filters: int) -> list[tuple[int, int]]:
    """``(side, width)`` of every stage, smallest side first (see the module docstring)."""
    if resolution == 28:
        sides = [7, 14, 28]
    elif 32 <= resolution <= 256 and not resolution & (resolution - 1):
        sides = [2 ** k for k in range(2, int(math.log2(resolution)) + 1)]
    else:
        raise ConfigError(f"--model resnet works at 28 or a power of two from 32 to 256, not "
                          f"{resolution}; use --resolution 28, 32, 64, 128 or 256")
    return [(s, base_filters * min(resolution // s, WIDEST)) for s in sides]


def _conv(filters, kernel, initializer="glorot_uniform", dtype=None, name=None):
    return layers.Conv2D(filters, kernel, padding="same", kernel_initializer=initializer,
                         dtype=dtype, name=name)


def residual_block(x, blocks: int, name: str):
    """``x + conv(LeakyReLU(conv(x)))`` at x's width, starting as the identity (Fixup): the
    second convolution is zero, the first He-initialised with variance / ``blocks``."""
    width = x.shape[-1]
    first = keras.initializers.VarianceScaling(2.0 / (1.0 + LEAK ** 2) / blocks, "fan_in",
                                               "truncated_normal")
    branch = _conv(width, 3, first, name=f"{name}_conv_a")(x)
    branch = layers.LeakyReLU(LEAK)(branch)
    branch = _conv(width, 3, "zeros", name=f"{name}_conv_b")(branch)
    return layers.Add(name=name)([x, branch])


def build_resnet_generator(latent_dim=100, resolution=28, channels=1,
                           base_filters=None, num_classes=None) -> keras.Model:
    """z -> Dense -> smallest side's maps -> [block, (1x1 conv, 2x bilinear up)]... -> tanh.
    With ``num_classes``, G takes ``[z, label]`` and starts from z and the label's embedding."""
    plan = stages(resolution, base_filters or default_base_filters(resolution))
    inputs, z = latent_inputs(latent_dim, num_classes)
    side, width = plan[0]
    x = layers.Reshape((side, side, width))(layers.Dense(side * side * width)(z))
    for i, (side, width) in enumerate(plan):
        if i:  # transition: the 1x1 convolution first, at the smaller side
            x = _conv(width, 1, name=f"to_{side}")(x)
            x = layers.UpSampling2D(2, interpolation="bilinear")(x)
        x = residual_block(x, len(plan), f"block_{side}")
    x = _conv(channels, 3, name="to_image")(layers.LeakyReLU(LEAK)(x))
    image = layers.Activation("tanh", dtype="float32")(x)
    return keras.Model(inputs, image, name="resnet_generator")


def build_resnet_discriminator(resolution=28, channels=1, base_filters=None, pack=1,
                               minibatch_std=False, num_classes=None) -> keras.Model:
    """image -> 1x1 conv -> [block, (2x2 average pool, 1x1 conv)]... -> LeakyReLU -> Dense(1).
    No normalisation. ``pack`` > 1: D judges ``pack`` images stacked along the channels
    (PacGAN); ``minibatch_std``: the batch's spread as an extra channel before the logit;
    ``num_classes``: D takes ``[image, label]``, the label as one more channel."""
    plan = stages(resolution, base_filters or default_base_filters(resolution))[::-1]
    image = keras.Input((resolution, resolution, channels * pack), name="image")
    inputs, x = labelled_image(image, num_classes, resolution)
    x = _conv(plan[0][1], 1, name="from_image")(x)
    for i, (side, width) in enumerate(plan):
        if i:  # transition: pool first, so the 1x1 convolution runs at the smaller side
            x = _conv(width, 1, name=f"to_{side}")(layers.AveragePooling2D(2)(x))
        x = residual_block(x, len(plan), f"block_{side}")
    x = layers.LeakyReLU(LEAK)(x)
    if minibatch_std:
        x = MinibatchStdDev()(x)
    logit = layers.Dense(1, dtype="float32", name="logit")(layers.Flatten()(x))
    return keras.Model(inputs, logit, name="resnet_discriminator")
