"""The TensorFlow DCGAN tutorial's MNIST networks, as a gan_lib variant for side-by-side benchmarks.

https://www.tensorflow.org/tutorials/generative/dcgan: G is Dense(7*7*256) -> BN -> LeakyReLU ->
5x5 transposed convolutions to 128 (stride 1), 64 and 1 channels (stride 2), each but the last
followed by BN and LeakyReLU, tanh at the end, no biases; D is two 5x5 stride-2 convolutions (64,
128) each followed by LeakyReLU and Dropout(0.3), then Dense(1), a logit. The tutorial trains both
with Adam(1e-4) (Keras's default betas), batch 256, both gradients from one forward pass
(``updates="simultaneous"``), 50 epochs. Keras 3's ``LeakyReLU()`` has the same default slope
(0.3) as the tutorial's.

Registered by ``time_to_quality.py`` as ``--model tf-tutorial``; :data:`TUTORIAL_RECIPE` holds the
tutorial's optimiser settings.
"""
from __future__ import annotations

import keras
from keras import layers

from gan_lib.gan import GAN
from gan_lib.variants.plain import PlainGAN

TUTORIAL_RECIPE = dict(model="tf-tutorial", batch_size=256, lr_g=1e-4, lr_d=1e-4, beta_1=0.9,
                       beta_2=0.999, updates="simultaneous")


def tutorial_generator(latent_dim=100):
    z = keras.Input((latent_dim,))
    x = layers.Dense(7 * 7 * 256, use_bias=False)(z)
    x = layers.LeakyReLU()(layers.BatchNormalization()(x))
    x = layers.Reshape((7, 7, 256))(x)
    for width, stride in ((128, 1), (64, 2)):
        x = layers.Conv2DTranspose(width, 5, strides=stride, padding="same", use_bias=False)(x)
        x = layers.LeakyReLU()(layers.BatchNormalization()(x))
    x = layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False,
                               activation="tanh")(x)
    return keras.Model(z, x, name="tutorial_generator")


def tutorial_discriminator():
    image = keras.Input((28, 28, 1))
    x = image
    for width in (64, 128):
        x = layers.Dropout(0.3)(layers.LeakyReLU()(
            layers.Conv2D(width, 5, strides=2, padding="same")(x)))
    return keras.Model(image, layers.Dense(1)(layers.Flatten()(x)), name="tutorial_discriminator")


class TFTutorialDCGAN(PlainGAN):
    """The tutorial's networks in the kit's trainer (MNIST-size grayscale only)."""

    @property
    def arch(self):
        return "dcgan"

    def build(self, image_shape, num_classes=None):
        assert tuple(image_shape) == (28, 28, 1), "the tutorial's networks are for 28x28x1"
        return GAN(tutorial_generator(self.config.latent_dim), tutorial_discriminator(),
                   self.config.latent_dim, tuple(image_shape), None, self)
