"""ACGAN, the auxiliary-classifier GAN (Odena et al., 2017).

G gets ``[z, label]`` as in a cGAN, but D does not see the label: it *predicts* it, with a second
output of class logits on its features. D learns to classify real images by their label and
generated ones by the label they were made for; G learns to make images D classifies as asked:

    L_class = E[-log P(C = c | x_real)] + E[-log P(C = c | G(z, c))]     (D minimises)
    L_class(G) = E[-log P(C = c | G(z, c))]                                (G minimises)
"""
import tensorflow as tf

from gan_lib.variants.cgan import ConditionalGAN


def class_cross_entropy(labels, logits):
    """Mean cross-entropy of class ``logits`` [B, K] against integer ``labels`` [B]."""
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.cast(labels, tf.int32), logits=tf.cast(logits, tf.float32)))


class ACGAN(ConditionalGAN):
    kind = "acgan"
    d_takes_labels = False
    extra_metrics = ("aux_loss",)
    archs = ("mlp", "dcgan")  # the residual D has no class head

    def aux_outputs(self, num_classes):
        return num_classes or 0

    def d_aux_loss(self, real_aux, fake_aux, labels, z):
        return class_cross_entropy(labels, real_aux) + class_cross_entropy(labels, fake_aux)

    def g_aux_loss(self, fake_aux, labels, z):
        return class_cross_entropy(labels, fake_aux)
