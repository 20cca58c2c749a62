"""The conditional GAN (Mirza & Osindero, 2014): both players see the class label.

G gets ``[z, label]`` (the label embedded and concatenated to z); D gets ``[image, label]`` (the
label as an extra image channel for DCGAN and the residual body, extra features for the MLP), so
D can reject a well-drawn 3 that was asked to be a 7. The grid shows one row per class.
``--arch resnet`` conditions resnet_models.py's residual networks the same way.
"""
import tensorflow as tf

from gan_lib.variants.base import FixedInputs, Variant, labels_per_class


class ConditionalGAN(Variant):
    kind = "cgan"
    conditional = True
    d_takes_labels = True
    grid_columns = 10
    packable = False
    archs = ("mlp", "dcgan", "resnet")

    def fixed_inputs(self, gan, rng, data):
        labels = tf.constant(labels_per_class(gan.num_classes))
        return FixedInputs(gan.latent(rng, len(labels)), labels)
