"""Image-to-image translation, pix2pix style (Isola et al., 2017), at MNIST scale.

The generator is no longer fed noise but an image to translate: a degraded copy of a real image.
Two tasks are built in, both made from the real data on the fly:

* ``superres``: the image shrunk to 7x7 (4x4 blocks averaged) and scaled back to 28x28 --
  the generator must restore the detail (super-resolution);
* ``inpaint``: the centre 14x14 square blanked out -- the generator must fill it in (completion).

G is a **U-Net**: an encoder that halves the resolution twice and a decoder that doubles it back,
with skip connections that hand each decoder level the encoder's features of the same size, so
fine detail need not squeeze through the bottleneck. D is a **PatchGAN**: it sees the input and an
output stacked as the channels of one image and returns a 7x7 grid of logits, one per overlapping 18x18 patch (two 4x4
stride-2 convolutions and a 3x3 one; notebook 09 measures it by gradient): on 28x28 images a patch
is two thirds of the width, so this critic is far less local than on large images. G minimises the adversarial loss plus ``l1_weight`` (100)
times the L1 distance to the real image (the mean absolute pixel difference); with ``adv_weight=0`` it is a plain L1-trained U-Net,
the baseline whose outputs come out blurry (per pixel, the median of all plausible answers).
"""
from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

from gan_lib.config import TASKS
from gan_lib.errors import ConfigError
from gan_lib.gan import GAN
from gan_lib.losses import bce_d_loss, nonsaturating_g_loss
from gan_lib.train_step import Draws, GANStep, apply, scaled
from gan_lib.variants.base import FixedInputs, Variant


def degrade(images, task: str):
    """The generator's input for ``task``, from real images in [-1, 1] of shape [B, 28, 28, C]."""
    if task == "superres":
        shape = tf.shape(images)
        small = tf.nn.avg_pool2d(images, 4, 4, "VALID")
        return tf.image.resize(small, shape[1:3], method="bilinear")
    if task == "inpaint":
        h = tf.shape(images)[1]
        rows = tf.range(h)
        band = tf.logical_and(rows >= h // 4, rows < h - h // 4)
        mask = tf.cast(tf.logical_and(band[:, None], band[None, :]), images.dtype)[None, :, :, None]
        return images * (1.0 - mask) - mask  # the hole is black (-1)
    raise ValueError(f"unknown task '{task}'; choose one of {', '.join(TASKS)}")


def build_unet(image_shape=(28, 28, 1), base: int = 32) -> keras.Model:
    """U-Net 28 -> 14 -> 7 -> 14 -> 28 with skip connections, tanh output."""
    inputs = keras.Input(image_shape, name="condition")
    e1 = layers.LeakyReLU(0.2)(layers.Conv2D(base, 3, padding="same")(inputs))          # 28
    e2 = layers.Conv2D(2 * base, 4, strides=2, padding="same", use_bias=False)(e1)      # 14
    e2 = layers.LeakyReLU(0.2)(layers.BatchNormalization()(e2))
    e3 = layers.Conv2D(4 * base, 4, strides=2, padding="same", use_bias=False)(e2)      # 7
    e3 = layers.LeakyReLU(0.2)(layers.BatchNormalization()(e3))
    d2 = layers.Conv2DTranspose(2 * base, 4, strides=2, padding="same", use_bias=False)(e3)
    d2 = layers.Concatenate()([layers.ReLU()(layers.BatchNormalization()(d2)), e2])      # 14
    d1 = layers.Conv2DTranspose(base, 4, strides=2, padding="same", use_bias=False)(d2)
    d1 = layers.Concatenate()([layers.ReLU()(layers.BatchNormalization()(d1)), e1])      # 28
    out = layers.Conv2D(image_shape[-1], 3, padding="same", activation="tanh", dtype="float32")(d1)
    return keras.Model(inputs, out, name="unet_generator")


def build_patch_discriminator(image_shape=(28, 28, 1), base: int = 32) -> keras.Model:
    """PatchGAN on [condition, image]: a 7x7 grid of logits for 28x28 inputs."""
    condition = keras.Input(image_shape, name="condition")
    image = keras.Input(image_shape, name="image")
    x = layers.Concatenate()([condition, image])
    x = layers.LeakyReLU(0.2)(layers.Conv2D(base, 4, strides=2, padding="same")(x))          # 14
    x = layers.Conv2D(2 * base, 4, strides=2, padding="same", use_bias=False)(x)             # 7
    x = layers.LeakyReLU(0.2)(layers.BatchNormalization()(x))
    logits = layers.Conv2D(1, 3, padding="same", dtype="float32")(x)
    return keras.Model([condition, image], logits, name="patch_discriminator")



def translate_images(gan, config, n: int, inputs=None, batch_size: int = 500):
    """pix2pix: outputs for ``inputs`` (uint8 degraded images), or for the first ``n`` test
    images degraded for the run's task. Returns uint8 ``(outputs, inputs, targets or None)``."""
    from gan_lib.data import load_dataset, to_uint8, to_unit_range

    if n <= 0:
        raise ConfigError(f"the number of samples must be positive, got {n}")
    targets = None
    if inputs is None:
        test = load_dataset(config.dataset, "test")
        targets = test.images[:n]
        conditions = degrade(to_unit_range(targets), config.task).numpy()
    else:
        inputs = np.asarray(inputs)
        if inputs.shape[1:] != tuple(gan.image_shape):
            raise ConfigError(f"inputs are {inputs.shape[1:]}, the model takes "
                              f"{tuple(gan.image_shape)}")
        conditions = to_unit_range(inputs[:n]).numpy()
    outputs = np.concatenate([to_uint8(gan.generate(conditions[i:i + batch_size]).numpy())
                              for i in range(0, len(conditions), batch_size)])
    return outputs, to_uint8(conditions), targets



class Pix2PixStep(GANStep):
    """D judges (input, output) pairs; G minimises the adversarial loss plus ``l1_weight`` times
    the L1 distance to the real image. The step uses no random numbers."""

    def draw_noise(self, shape):
        return Draws((), None)

    def play(self, real, labels, noise_std, draws, share=1.0):
        c = self.config
        condition = degrade(real, c.task)
        with tf.GradientTape() as tape:
            fake = self.gan.generator(condition, training=True)
            with tape.stop_recording():
                with tf.GradientTape() as d_tape:
                    real_logits = self.gan.discriminator([condition, real], training=True)
                    fake_logits = self.gan.discriminator([condition, tf.stop_gradient(fake)],
                                                         training=True)
                    d_loss = bce_d_loss(real_logits, fake_logits)
                if c.adv_weight:
                    apply(self.d_optimizer, d_tape.gradient(scaled(self.d_optimizer, d_loss),
                                                            self.d_vars), self.d_vars)
            l1 = tf.reduce_mean(tf.abs(real - fake))
            g_adv = nonsaturating_g_loss(self.gan.discriminator([condition, fake], training=True))
            g_objective = scaled(self.g_optimizer, c.adv_weight * g_adv + c.l1_weight * l1)
        apply(self.g_optimizer, tape.gradient(g_objective, self.g_vars), self.g_vars)
        return {"d_loss": d_loss, "g_loss": g_adv,
                "d_real": tf.reduce_mean(tf.sigmoid(real_logits)),
                "d_fake": tf.reduce_mean(tf.sigmoid(fake_logits)), "aux_loss": l1}


class Pix2Pix(Variant):
    """Image-to-image translation: a U-Net G and a PatchGAN D, at 28x28."""

    kind = "pix2pix"
    extra_metrics = ("aux_loss",)  # the L1 distance to the real image
    # its step (Pix2PixStep) has no noise, penalty or trick, and nothing samples it from noise
    ignores = ("label_smoothing", "fake_label", "instance_noise", "spectral_norm", "r1_gamma",
               "r2_gamma", "minibatch_std", "d_dropout", "ema", "eval_every_steps",
               "collapse_monitor", "aux_weight", "gp_weight")
    grid_columns = 12              # four (input | output | target) triplets per row
    archs = ()                     # its one body: the U-Net and PatchGAN

    @property
    def arch(self):
        return "pix2pix"

    def validate(self):
        c = self.config
        if c.task not in TASKS:
            raise ConfigError(f"unknown task '{c.task}'; choose one of {', '.join(TASKS)}")
        if c.resolution not in (None, 28):
            raise ConfigError("pix2pix works at 28x28 (MNIST-size data); drop --resolution")
        if c.loss != "bce" or c.pack > 1 or c.d_steps > 1 or c.updates != "alternating":
            raise ConfigError("pix2pix uses its own adversarial + L1 loss; drop --loss, "
                              "--pack, --d-steps and --updates")
        if c.strategy != "none":
            raise ConfigError("pix2pix trains on one device; drop --strategy")
        super().validate()

    def spec(self, image_shape, num_classes):
        return dict(super().spec(image_shape, num_classes), task=self.config.task)

    def build(self, image_shape, num_classes=None):
        base = self.config.base_filters or 32
        return GAN(build_unet(image_shape, base), build_patch_discriminator(image_shape, base),
                   0, tuple(image_shape), None, self)

    def make_step(self, gan, g_optimizer, d_optimizer, rng, step_counter=None, strategy=None):
        return Pix2PixStep(gan, g_optimizer, d_optimizer, self.config, rng,
                           step_counter).compiled()

    def fixed_inputs(self, gan, rng, data):
        """The first 32 training images, degraded: the grid shows what G makes of them."""
        from gan_lib.data import to_unit_range

        targets = to_unit_range(data.images[:32])
        return FixedInputs(degrade(targets, self.config.task), None, targets)

    def samples(self, gan, n, seed=0, label=None, inputs=None, truncation=None):
        """Translations of ``inputs`` (uint8 degraded images), or of the first ``n`` test
        images degraded for the run's task (then with their ``targets``)."""
        if label is not None:
            raise ConfigError("--label is for conditional runs; a pix2pix run translates images")
        if truncation is not None:
            raise ConfigError("--truncation is for runs that generate from noise; a pix2pix run "
                              "translates images")
        images, inputs, targets = translate_images(gan, self.config, n, inputs)
        return {"images": images, "inputs": inputs, "targets": targets}

    def sample_grid(self, arrays):
        """input | output (| target) side by side, one triplet after another."""
        parts = [arrays["inputs"], arrays["images"]]
        if arrays.get("targets") is not None:
            parts.append(arrays["targets"])
        images = arrays["images"]
        return np.stack(parts, axis=1).reshape((-1,) + images.shape[1:]), 3 * 4

    def grid(self, fixed, images):
        triplets = np.stack([np.asarray(fixed.z), images, np.asarray(fixed.targets)], axis=1)
        return triplets.reshape((-1,) + images.shape[1:]), self.grid_columns
