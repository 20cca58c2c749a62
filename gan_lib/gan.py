"""A GAN: a generator, its discriminator, and the variant that says how they are wired.

The two networks are plain Keras models (see models.py); what differs between a plain GAN, a
conditional GAN, ACGAN, InfoGAN or pix2pix (who gets labels, what D outputs besides its logit,
what the latent vector holds) lives in the variant (see gan_lib/variants/). ``GAN`` only forwards
to it, so code that generates or judges images never asks which kind of GAN it has.
"""
from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class GAN:
    """A generator and its discriminator, with the facts a train step needs about them.

    ``latent_dim`` is the size of G's whole input vector (InfoGAN: noise + codes);
    ``num_classes`` is set when G takes class labels.
    """

    generator: object           # keras.Model
    discriminator: object       # keras.Model
    latent_dim: int
    image_shape: tuple
    num_classes: int | None
    variant: object             # gan_lib.variants.base.Variant

    @property
    def kind(self) -> str:
        """The variant's name: ``gan``, ``cgan``, ``acgan``, ``infogan``, ``pix2pix``, ..."""
        return self.variant.kind

    @property
    def conditional(self) -> bool:
        """Does G take a class label?"""
        return self.variant.conditional

    @property
    def d_takes_labels(self) -> bool:
        return self.variant.d_takes_labels

    @property
    def noise_dim(self) -> int:
        """Size of the pure-noise part of G's input."""
        return self.latent_dim - self.variant.code_size

    def latent(self, rng, n: int, **codes):
        """``n`` latent vectors drawn from ``rng`` (a ``tf.random.Generator``); InfoGAN also
        takes ``categories=`` and ``continuous=`` to fix its codes."""
        return self.variant.latent(rng, n, self.noise_dim, **codes)

    def generate(self, z, labels=None, training=False):
        """Images in [-1, 1] from latent vectors ``z`` (and ``labels`` for a conditional GAN).
        For pix2pix, ``z`` is the batch of input images to translate."""
        import tensorflow as tf

        z = tf.convert_to_tensor(z, tf.float32)
        inputs = [z, tf.convert_to_tensor(labels, tf.int32)] if self.conditional else z
        return self.generator(inputs, training=training)

    def discriminate(self, images, labels=None, training=False):
        """D's logits for ``images`` (with ``labels`` for a cGAN). ACGAN and InfoGAN
        discriminators return ``[logits, auxiliary outputs]``."""
        import tensorflow as tf

        images = tf.convert_to_tensor(images, tf.float32)
        inputs = [images, tf.convert_to_tensor(labels, tf.int32)] if self.d_takes_labels else images
        return self.discriminator(inputs, training=training)

    def judge(self, images, labels=None, training=True):
        """``(logits, auxiliary output or None)``: D's answer in one shape for every variant."""
        out = self.discriminate(images, labels, training=training)
        return (out[0], out[1]) if isinstance(out, (list, tuple)) else (out, None)
