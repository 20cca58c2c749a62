"""Exercises on what the networks compute, checked against gan_lib's own: D's loss from logits
(notebook 01), the cGAN generator's conditioning (04), the hinge loss (07) and InfoGAN's
information loss (08)."""
from __future__ import annotations

import numpy as np

from gan_lib.course.exercises.measures import close
from gan_lib.course.exercises.verdict import attempted, graded, ok


# ------------------------------------------------------------- notebook 01: D's loss
def solution_d_loss(real_logits, fake_logits):
    import tensorflow as tf

    return (tf.reduce_mean(tf.nn.softplus(-real_logits))
            + tf.reduce_mean(tf.nn.softplus(fake_logits)))


@graded("d_loss")
def check_d_loss(fn):
    """Notebook 01: D's cross-entropy from logits, compared with gan_lib.losses.bce_d_loss."""
    import tensorflow as tf

    from gan_lib.losses import bce_d_loss

    # the last two pairs: D very sure and right, then very sure and wrong (log(sigmoid) -> -inf)
    real = tf.constant([[3.0], [0.2], [-1.0], [40.0], [-40.0]])
    fake = tf.constant([[-2.0], [0.5], [1.0], [-40.0], [40.0]])
    if not attempted(fn(real, fake)):
        fn = solution_d_loss
    got, expected = float(fn(real, fake)), float(bce_d_loss(real, fake))
    if not np.isfinite(got):
        raise AssertionError(f"got {got} for logits of +-40: compute log D from the logit "
                             "(softplus), not log(sigmoid(l))")
    if not close(got, expected, 1e-5):
        raise AssertionError(f"expected {expected:.5f}, got {got:.5f}: real images should be "
                             "labelled 1 and fakes 0, each term averaged over the batch")
    ok(f"{got:.5f}, as gan_lib.losses.bce_d_loss, and finite even for very confident logits.")
    return fn


# ------------------------------------------------------------- notebook 04: cGAN conditioning
def first_layer(model, kind):
    """The first layer of ``model`` of class ``kind`` (e.g. keras.layers.Embedding)."""
    for layer in model.layers:
        if isinstance(layer, kind):
            return layer
    raise LookupError(f"{model.name} has no {kind.__name__} layer")


def conditioned_input(model, inputs):
    """What ``model`` computes from ``inputs`` up to its first Concatenate layer: the network's
    own conditioned input, to compare a hand-written conditioning with."""
    import keras

    concat = first_layer(model, keras.layers.Concatenate)
    return keras.Model(model.inputs, concat.output)(inputs)


def solution_condition_g(z, labels, embedding):
    import tensorflow as tf

    return tf.concat([z, embedding(labels)], axis=1)


@graded("condition_g")
def check_condition_g(fn, generator):
    """Notebook 04: [z, embed(y)], compared with the cGAN generator's own first Concatenate."""
    import keras
    import tensorflow as tf

    embedding = first_layer(generator, keras.layers.Embedding)
    z = tf.random.stateless_normal([6, generator.inputs[0].shape[-1]], seed=[1, 2])
    labels = tf.constant([0, 1, 2, 7, 8, 9], tf.int32)
    got = fn(z, labels, embedding)
    if not attempted(got):
        fn = solution_condition_g
        got = fn(z, labels, embedding)
    expected = conditioned_input(generator, [z, labels])
    if tuple(got.shape) != tuple(expected.shape):
        raise AssertionError(f"shape {tuple(got.shape)}, expected {tuple(expected.shape)}: z first, "
                             "then the label's code, side by side for each example")
    if not close(np.asarray(got), np.asarray(expected), 1e-6):
        raise AssertionError("right shape, different numbers: is z first and the code second?")
    ok(f"your [z, embed(y)] equals what gan_lib's generator feeds its first layer "
       f"({expected.shape[1]} numbers: {z.shape[1]} of z, {expected.shape[1] - z.shape[1]} of code).")
    return fn


# ------------------------------------------------------------- notebook 07: the hinge loss
def solution_hinge_d_loss(real_out, fake_out):
    import tensorflow as tf

    return tf.reduce_mean(tf.nn.relu(1.0 - real_out)) + tf.reduce_mean(tf.nn.relu(1.0 + fake_out))


@graded("hinge_d_loss")
def check_hinge_d_loss(fn):
    """Notebook 07: the hinge loss of D, compared with gan_lib.losses.hinge_d_loss."""
    import tensorflow as tf

    from gan_lib.losses import hinge_d_loss

    real = tf.constant([[2.0], [0.5], [-1.0], [1.0]])
    fake = tf.constant([[-2.0], [-0.5], [1.0], [-1.0]])
    if not attempted(fn(real, fake)):
        fn = solution_hinge_d_loss
    got, expected = float(fn(real, fake)), float(hinge_d_loss(real, fake))
    if not close(got, expected, 1e-6):
        raise AssertionError(f"expected {expected:.4f}, got {got:.4f}: a real output beyond +1 and "
                             "a fake one below -1 should cost nothing")
    far = float(fn(tf.constant([[5.0]]), tf.constant([[-5.0]])))
    if far != 0.0:
        raise AssertionError(f"outputs well past both margins must cost 0, yours {far}")
    ok(f"{got:.4f}, as gan_lib.losses.hinge_d_loss; confident, correct outputs cost nothing.")
    return fn


# ------------------------------------------------------------- notebook 08: auxiliary losses
def library_aux_functions():
    """gan_lib's own ``(class_cross_entropy, information_loss)``: the ACGAN and InfoGAN variants'."""
    from gan_lib.variants.acgan import class_cross_entropy
    from gan_lib.variants.infogan import information_loss

    return class_cross_entropy, information_loss


def solution_information_loss(q_output, category, continuous):
    import tensorflow as tf

    ce = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=category, logits=q_output[:, :10]))
    return ce + 0.5 * tf.reduce_mean(tf.reduce_sum(tf.square(q_output[:, 10:] - continuous), axis=1))


@graded("information_loss")
def check_information_loss(fn, noise_dim: int = 62):
    """Notebook 08: InfoGAN's L_I, compared with gan_lib's on the same codes and Q outputs."""
    import tensorflow as tf

    _, information_loss = library_aux_functions()
    rng = tf.random.Generator.from_seed(3)
    category = tf.constant([0, 3, 9, 5, 5, 1], tf.int32)
    continuous = rng.uniform([6, 2], -1, 1)
    z = tf.concat([rng.normal([6, noise_dim]), tf.one_hot(category, 10), continuous], axis=1)
    q = rng.normal([6, 12])
    if not attempted(fn(q, category, continuous)):
        fn = solution_information_loss
    got, expected = float(fn(q, category, continuous)), float(information_loss(q, z, noise_dim))
    if not close(got, expected, 1e-5):
        raise AssertionError(f"expected {expected:.4f}, got {got:.4f}: the first 10 of Q's outputs "
                             "are category logits, the last 2 its guesses of the continuous codes")
    ok(f"{got:.4f}, the same as gan_lib's information loss on these codes.")
    return fn
