"""InfoGAN (Chen et al., 2016): latent codes the generator must keep recoverable.

G's input is noise plus codes: a one-hot category of ``CATEGORIES`` values and ``CONTINUOUS``
numbers uniform in [-1, 1]. A head Q on D's features tries to read the codes back from the
image. Maximising the lower bound ``E[log Q(c | G(z, c))]`` of the mutual information I(c; G(z, c))
is, for the category, the cross-entropy of Q's logits against the code that made the image, and
for each continuous code (a unit-variance Gaussian Q) half the squared error, up to a constant.
Both players minimise it. With no labels at all the category *can* come to mean the digit; in
notebook 08's 10-epoch run it did not (26.5% agreement) though Q read it back from 99.1% of images.
The grid shows one row per value of the category.
"""
import numpy as np
import tensorflow as tf

from gan_lib.variants.acgan import class_cross_entropy
from gan_lib.variants.base import FixedInputs, Variant

CATEGORIES, CONTINUOUS = 10, 2


def information_loss(q_output, z, noise_dim: int):
    """InfoGAN's mutual-information term, as a loss (see the module docstring)."""
    codes = z[:, noise_dim:]
    category = tf.argmax(codes[:, :CATEGORIES], axis=1)
    continuous = codes[:, CATEGORIES:]
    q = tf.cast(q_output, tf.float32)
    categorical = class_cross_entropy(category, q[:, :CATEGORIES])
    squared = tf.reduce_sum(tf.square(q[:, CATEGORIES:] - continuous), axis=1)
    return categorical + 0.5 * tf.reduce_mean(squared)


class InfoGAN(Variant):
    kind = "infogan"
    code_size = CATEGORIES + CONTINUOUS
    extra_metrics = ("aux_loss",)
    grid_columns = 10
    packable = False

    def aux_outputs(self, num_classes):
        return self.code_size

    def latent(self, rng, n, noise_dim, categories=None, continuous=None):
        """Noise, then the one-hot category (random, or ``categories``), then the continuous
        codes (uniform in [-1, 1], or ``continuous``)."""
        z = rng.normal([n, noise_dim])
        if categories is None:
            categories = rng.uniform([n], 0, CATEGORIES, dtype=tf.int32)
        if continuous is None:
            continuous = rng.uniform([n, CONTINUOUS], -1.0, 1.0)
        onehot = tf.one_hot(categories, CATEGORIES)
        return tf.concat([z, onehot, tf.cast(continuous, tf.float32)], axis=1)

    def d_aux_loss(self, real_aux, fake_aux, labels, z):
        return information_loss(fake_aux, z, self.config.latent_dim)

    def g_aux_loss(self, fake_aux, labels, z):
        return information_loss(fake_aux, z, self.config.latent_dim)

    def fixed_inputs(self, gan, rng, data):
        categories = tf.constant(np.repeat(np.arange(CATEGORIES), 10).astype(np.int32))
        return FixedInputs(gan.latent(rng, len(categories), categories=categories))
