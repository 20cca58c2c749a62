"""Generator and discriminator builders (Keras 3).

Two families, each with an optional class condition:

* **MLP** -- the Fashion-MNIST seed: G = Dense(256, relu) -> Dense(H*W*C, tanh) -> Reshape, from a
  100-d latent; D = Flatten -> Dense(256, relu) -> Dense(1). ``hidden`` makes them deeper or wider.
* **DCGAN** -- transposed convolutions that double the image side, batch norm and ReLU in G;
  strided convolutions, batch norm and LeakyReLU(0.2) in D (Radford et al., 2015). At 28x28 a
  compact two-block net for MNIST-size data; at any power of two from 32 to 256 the classic layout,
  which at 256x256x3 with the default width is exactly the course's seed network.

Discriminators end in a bare ``Dense(1)``/``Conv2D(1)``: they return **logits**, not probabilities.
The losses apply the sigmoid inside (``from_logits=True``), where ``log(sigmoid(x))`` is computed
as ``-softplus(-x)``, which stays finite for any logit; a sigmoid layer followed by ``log`` rounds
to ``log(0) = -inf`` as soon as D is confident, and training dies with NaNs.

A conditional model (cGAN, Mirza & Osindero, 2014) takes ``[z, label]`` in G and ``[image, label]``
in D: the label is embedded and concatenated to the latent vector, and to D's input as an extra
image channel (DCGAN) or extra features (MLP).
"""
from __future__ import annotations

import math

import keras
from keras import layers

from gan_lib.errors import ConfigError

LABEL_EMBEDDING = 50



def _batch_norm(synchronized=False):
    """Batch norm. ``synchronized``: under a tf.distribute strategy each replica sees part of the
    batch; synchronised batch norm computes its statistics over the whole global batch, as one
    device would."""
    return layers.BatchNormalization(synchronized=synchronized)


def default_base_filters(resolution: int) -> int:
    """The DCGAN width at the narrowest layer: 32 keeps 28x28 fast on a CPU and gives the seed's
    1024..32 layout at 128 and 256; 64 is the classic DCGAN width for 32 and 64."""
    return 32 if resolution == 28 or resolution >= 128 else 64


@keras.saving.register_keras_serializable(package="gan_lib")
class MinibatchStdDev(layers.Layer):
    """Adds one feature: the spread of the batch (Karras et al., 2018, section 3).

    The standard deviation of every feature over the batch, averaged into one number, is appended
    as a constant channel (or feature). A batch of near-identical fakes has a small spread that D
    can see, so G is pushed towards variety. Under a tf.distribute strategy the spread is over
    each replica's part of the batch.
    """

    def call(self, x):
        spread = keras.ops.mean(keras.ops.sqrt(keras.ops.var(x, axis=0) + 1e-8))
        return keras.ops.concatenate([x, keras.ops.ones_like(x[..., :1]) * spread], axis=-1)


def _dense(units, spectral_norm=False, **kw):
    layer = layers.Dense(units, **kw)
    return layers.SpectralNormalization(layer) if spectral_norm else layer


def _conv(filters, kernel, strides, padding="same", spectral_norm=False, **kw):
    layer = layers.Conv2D(filters, kernel, strides=strides, padding=padding, use_bias=False, **kw)
    return layers.SpectralNormalization(layer) if spectral_norm else layer


def latent_inputs(latent_dim, num_classes):
    """G's inputs, and the vector its body starts from (z, or z concatenated with a label code)."""
    z = keras.Input((latent_dim,), name="z")
    if not num_classes:
        return z, z
    label = keras.Input((), dtype="int32", name="label")
    code = layers.Flatten()(layers.Embedding(num_classes, LABEL_EMBEDDING)(label[:, None]))
    return [z, label], layers.Concatenate()([z, code])


def labelled_image(image, num_classes, resolution: int):
    """A D's inputs and the tensor its body starts from: ``image`` alone, or (with
    ``num_classes``) ``[image, label]`` and the image with the label as one more channel, a
    learned ``resolution``-square plane per class."""
    if not num_classes:
        return image, image
    label = keras.Input((), dtype="int32", name="label")
    plane = layers.Embedding(num_classes, resolution * resolution)(label[:, None])
    plane = layers.Reshape((resolution, resolution, 1))(plane)
    return [image, label], layers.Concatenate()([image, plane])


# ------------------------------------------------------------------------------------------- MLP
def build_mlp_generator(latent_dim=100, image_shape=(28, 28, 1), hidden=(256,),
                        num_classes=None, output_activation="tanh") -> keras.Model:
    """MLP generator: z -> Dense(h, relu) for each h in ``hidden`` -> Dense(H*W*C, tanh).

    ``output_activation``: tanh keeps pixels in [-1, 1], the range the data are scaled to;
    ``"linear"`` (no activation) lets G reach any point, as 2-D mixtures whose modes lie at +-4
    need (Metz et al.'s and PacGAN's generators end in a plain linear layer too)."""
    inputs, x = latent_inputs(latent_dim, num_classes)
    for width in hidden:
        x = layers.Dense(width, activation="relu")(x)
    x = layers.Dense(math.prod(image_shape), activation=output_activation, dtype="float32")(x)
    image = layers.Reshape(image_shape, dtype="float32")(x)  # float32 out under mixed precision
    return keras.Model(inputs, image, name="mlp_generator")


def build_mlp_discriminator(image_shape=(28, 28, 1), hidden=(256,), num_classes=None,
                            dropout=0.0, spectral_norm=False, heads=0,
                            minibatch_std=False) -> keras.Model:
    """MLP discriminator: Flatten -> Dense(h, relu) for each h in ``hidden`` -> Dense(1) logit.
    ``heads`` > 0 adds a second output of that many numbers on the same features (ACGAN's class
    logits, InfoGAN's Q head). ``minibatch_std``: see :class:`MinibatchStdDev`."""
    image = keras.Input(image_shape, name="image")
    inputs, x = [image], layers.Flatten()(image)
    if num_classes:
        label = keras.Input((), dtype="int32", name="label")
        code = layers.Flatten()(layers.Embedding(num_classes, LABEL_EMBEDDING)(label[:, None]))
        inputs, x = [image, label], layers.Concatenate()([x, code])
    for width in hidden:
        x = _dense(width, spectral_norm, activation="relu")(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    if minibatch_std:
        x = MinibatchStdDev()(x)
    logit = _dense(1, spectral_norm, dtype="float32")(x)
    outputs = [logit, _head(x, heads)] if heads else logit
    return keras.Model(inputs if num_classes else image, outputs, name="mlp_discriminator")


# ----------------------------------------------------------------------------------------- DCGAN
def _check_resolution(resolution):
    if resolution != 28 and (resolution < 32 or resolution > 256 or resolution & (resolution - 1)):
        raise ConfigError(f"resolution {resolution} is not supported; use 28 or a power of two "
                          "from 32 to 256")


def build_dcgan_generator(latent_dim=100, resolution=64, channels=3, base_filters=None,
                          num_classes=None, sync_bn=False) -> keras.Model:
    """DCGAN generator.

    Power-of-two ``resolution`` R: a 4x4 transposed convolution (stride 1, 'valid') turns z, seen as
    a 1x1 image, into 4x4 feature maps; then each stride-2 4x4 transposed convolution doubles the
    side, halving the width, until the last one outputs ``channels`` through tanh. Every other
    layer is followed by BatchNorm and ReLU, and has no bias (BatchNorm's beta replaces it).
    At 28x28: Dense to 7x7 maps, then two stride-2 blocks, 7 -> 14 -> 28.
    """
    _check_resolution(resolution)
    b = base_filters or default_base_filters(resolution)
    inputs, x = latent_inputs(latent_dim, num_classes)
    if resolution == 28:
        x = layers.Dense(7 * 7 * 4 * b, use_bias=False)(x)
        x = layers.ReLU()(_batch_norm(sync_bn)(x))
        x = layers.Reshape((7, 7, 4 * b))(x)
        widths = [2 * b]
    else:
        k = int(math.log2(resolution)) - 2  # number of doublings from 4x4
        widths = [b * 2 ** (k - 1 - i) for i in range(k)]
        x = layers.Reshape((1, 1, x.shape[-1]))(x)
        x = layers.Conv2DTranspose(widths[0], 4, strides=1, padding="valid", use_bias=False)(x)
        x = layers.ReLU()(_batch_norm(sync_bn)(x))
        widths = widths[1:]
    for width in widths:
        x = layers.Conv2DTranspose(width, 4, strides=2, padding="same", use_bias=False)(x)
        x = layers.ReLU()(_batch_norm(sync_bn)(x))
    x = layers.Conv2DTranspose(channels, 4, strides=2, padding="same", use_bias=False)(x)
    image = layers.Activation("tanh", dtype="float32")(x)
    return keras.Model(inputs, image, name="dcgan_generator")


def build_dcgan_discriminator(resolution=64, channels=3, base_filters=None, num_classes=None,
                              dropout=0.0, spectral_norm=False, pack=1, heads=0,
                              sync_bn=False, minibatch_std=False) -> keras.Model:
    """DCGAN discriminator: the generator mirrored.

    Stride-2 4x4 convolutions halve the side and double the width, each followed by BatchNorm
    (not after the first) and LeakyReLU(0.2), down to 4x4; a final 4x4 'valid' convolution gives
    one logit. At 28x28: two blocks, 28 -> 14 -> 7, then Dense(1). With ``spectral_norm`` every
    convolution is spectrally normalised and BatchNorm is left out (Miyato et al., 2018).
    ``pack`` > 1 makes D judge ``pack`` images stacked along the channels (PacGAN).
    ``heads`` > 0 adds a second output (class logits or InfoGAN's Q) on the last features.
    ``sync_bn``: synchronised batch norm (for tf.distribute, see ``_batch_norm``).
    ``minibatch_std``: the batch's spread as an extra channel before the last layer
    (:class:`MinibatchStdDev`).
    """
    _check_resolution(resolution)
    b = base_filters or default_base_filters(resolution)
    image = keras.Input((resolution, resolution, channels * pack), name="image")
    inputs, x = labelled_image(image, num_classes, resolution)
    if resolution == 28:
        widths = [2 * b, 4 * b]
    else:
        widths = [b * 2 ** i for i in range(int(math.log2(resolution)) - 2)]
    for i, width in enumerate(widths):
        x = _conv(width, 4, 2, spectral_norm=spectral_norm)(x)
        if i > 0 and not spectral_norm:
            x = _batch_norm(sync_bn)(x)
        x = layers.LeakyReLU(0.2)(x)
        if dropout:
            x = layers.Dropout(dropout)(x)
    if minibatch_std:
        x = MinibatchStdDev()(x)
    if resolution == 28:
        logit = _dense(1, spectral_norm, dtype="float32")(layers.Flatten()(x))
    else:
        logit = layers.Flatten()(_conv(1, 4, 1, "valid", spectral_norm, dtype="float32")(x))
    outputs = [logit, _head(layers.Flatten()(x), heads)] if heads else logit
    return keras.Model(inputs, outputs, name="dcgan_discriminator")


def _head(features, size):
    """An auxiliary output on D's features: Dense(128) -> LeakyReLU -> Dense(size)."""
    x = layers.LeakyReLU(0.2)(layers.Dense(128)(features))
    return layers.Dense(size, dtype="float32", name="aux_head")(x)
