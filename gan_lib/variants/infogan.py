"""InfoGAN (Chen et al., 2016): latent codes the generator must keep recoverable.

G's input is noise plus codes: a one-hot category of ``CATEGORIES`` values and ``CONTINUOUS``
numbers uniform in [-1, 1]. A head Q on D's features tries to read the codes back from the
image. Maximising the lower bound ``E[log Q(c | G(z, c))]`` of the mutual information I(c; G(z, c))
is, for the category, the cross-entropy of Q's logits against the code that made the image, and
for each continuous code (a unit-variance Gaussian Q) half the squared error, up to a constant.
Both players minimise it. With no labels at all the category *can* come to mean the digit; in
notebook 08's 10-epoch run it did not (26.5% agreement) though Q read it back from 99.1% of images.
The grid shows one row per value of the category.

``--model infogan-paper`` (:class:`PaperInfoGAN`) is the same loss with Chen et al.'s own MNIST
setup instead of the kit's DCGAN body (see its docstring for each setting and where it is written):

    python -m gan_lib train --model infogan-paper --dataset mnist --latent-dim 62 --steps 5000 \
        --out runs/infogan-paper
"""
import numpy as np
import tensorflow as tf

from gan_lib.errors import ConfigError
from gan_lib.variants.acgan import class_cross_entropy
from gan_lib.variants.base import FixedInputs, Variant

CATEGORIES, CONTINUOUS = 10, 2


def read_categories(gan, images, batch: int = 1000) -> np.ndarray:
    """Q's most likely category for each of ``images`` (in D's input range), in batches of
    ``batch``: what the categorical code says an image is, for any image, real or generated."""
    return np.concatenate([
        np.argmax(gan.judge(images[s:s + batch], training=False)[1].numpy()[:, :CATEGORIES],
                  axis=1) for s in range(0, len(images), batch)])


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
    latent_codes = ("categories", "continuous")
    extra_metrics = ("aux_loss",)
    grid_columns = 10
    packable = False

    def aux_outputs(self, num_classes):
        return self.code_size

    def latent(self, rng, n, noise_dim, categories=None, continuous=None):
        """Noise, then the one-hot category (random, or ``categories``), then the continuous
        codes (uniform in [-1, 1], or ``continuous``)."""
        z = rng.normal([n, noise_dim])
        return tf.concat([z, self.codes(rng, n, categories, continuous)], axis=1)

    @staticmethod
    def codes(rng, n, categories=None, continuous=None):
        """[n, 12]: the one-hot category (uniform over the 10, or ``categories``), then the two
        continuous codes (uniform in [-1, 1], or ``continuous``)."""
        if categories is None:
            categories = rng.uniform([n], 0, CATEGORIES, dtype=tf.int32)
        if continuous is None:
            continuous = rng.uniform([n, CONTINUOUS], -1.0, 1.0)
        onehot = tf.one_hot(categories, CATEGORIES)
        return tf.concat([onehot, tf.cast(continuous, tf.float32)], axis=1)

    def sampling_latents(self, gan, n, batch_size, seed=0, truncation=None):
        """As for every variant, but no truncation: the codes are not normal."""
        if truncation is not None:
            raise ConfigError("--truncation needs a run whose latent vector is plain noise; "
                              "an InfoGAN's codes are not normal (leave --truncation out)")
        return super().sampling_latents(gan, n, batch_size, seed)

    def d_aux_loss(self, real_aux, fake_aux, labels, z):
        return information_loss(fake_aux, z, self.config.latent_dim)

    def g_aux_loss(self, fake_aux, labels, z):
        return information_loss(fake_aux, z, self.config.latent_dim)

    def fixed_inputs(self, gan, rng, data):
        categories = tf.constant(np.repeat(np.arange(CATEGORIES), 10).astype(np.int32))
        return FixedInputs(gan.latent(rng, len(categories), categories=categories))


# --------------------------------------------------------------------- the paper's MNIST setup
PAPER_NOISE_DIM = 62
PAPER_RECIPE = {"batch_size": 128, "lr_g": 1e-3, "lr_d": 2e-4}
PAPER_LEAK = 0.1


class PaperInfoGAN(InfoGAN):
    """InfoGAN with the MNIST settings of Chen et al. (2016), appendix C and C.1 / Table 1, as
    their code (github.com/openai/InfoGAN, commit 6e41232) runs them.

    What the paper's appendix says, and what this variant does:

    * "1 ten-dimensional categorical code, 2 continuous latent codes and 62 noise variables,
      resulting in a concatenated dimension of 74" (C.1); the codes ~ Cat(K = 10, p = 0.1) and
      Unif(-1, 1) (section 7.2). ``--latent-dim 62`` is required (the noise; the 12 code numbers
      come on top, as in ``--model infogan``).
    * "learning rate is 2e-4 for D and 1e-3 for G; lambda is set to 1" (C): the recipe defaults
      below, batch 128 (``launchers/run_mnist_exp.py``: ``batch_size = 128``,
      ``discriminator_learning_rate=2e-4``, ``generator_learning_rate=1e-3``,
      ``info_reg_coeff=1.0``, applied to the categorical and the continuous term alike), Adam
      with beta_1 0.5 (``infogan_trainer.py``), the kit's default. ``--aux-weight`` is lambda.
    * "leaky rectified linear units (lRELU) with leaky rate 0.1" in D, ReLU in G, batch norm
      "after most layers" (C); Table 1's layers, as ``models/regularized_gan.py`` builds them:

      - D / Q: 4x4 conv 64 stride 2, lReLU; 4x4 conv 128 stride 2, batch norm, lReLU;
        FC 1024, batch norm, lReLU; then D: FC 1 and Q: FC 128, batch norm, lReLU, FC 12.
      - G: FC 1024, batch norm, ReLU; FC 7 x 7 x 128, batch norm, ReLU; 4x4 up-conv 64
        stride 2, batch norm, ReLU; 4x4 up-conv 1 channel.

    The rest is from the authors' code, the paper being silent on it:

    * the 62 noise numbers are uniform in [-1, 1] (``Uniform(62)``), not normal;
    * Q's continuous posterior is a unit-variance Gaussian (``Uniform(1, fix_std=True)``), so
      its term is half the squared error, the kit's ``information_loss`` exactly;
    * weights start from N(0, 0.02) (batch-norm scales from N(1, 0.02)); batch norm uses
      epsilon 1e-5 and a moving-average decay of 0.9 (``misc/custom_ops.py``);
    * the run is 50 "epochs" of 100 updates: 5,000 steps at batch 128.

    Where this differs from that code: the images are in [-1, 1] with a tanh output, not [0, 1]
    with a sigmoid (the same function class: tanh(x) = 2 sigmoid(2x) - 1); the code's leaky
    ReLU has leak 0.01 (``leaky_rectify``'s default), the paper's text says 0.1, used here;
    its MNIST is the 55,000-image training split of ``tensorflow.examples.tutorials.mnist``,
    the kit's the 60,000 of the IDX files; its G step draws a fresh z, the kit's reuses D's
    (train_step.py, the same for every model); its convolutions start from a normal truncated at
    two standard deviations (``custom_conv2d``: ``truncated_normal_initializer``), the kit's from
    the plain N(0, 0.02) of its other layers.
    """

    ignores = ("arch", "base_filters", "spectral_norm", "d_dropout", "minibatch_std")

    def validate(self) -> None:
        super().validate()
        c = self.config
        if c.latent_dim != PAPER_NOISE_DIM:
            raise ConfigError(f"--model infogan-paper is Chen et al.'s MNIST setup, with "
                              f"{PAPER_NOISE_DIM} noise numbers; add --latent-dim "
                              f"{PAPER_NOISE_DIM} (for other sizes use --model infogan)")
        if c.resolution is not None and c.resolution != 28:
            raise ConfigError(f"--model infogan-paper is the paper's 28x28 MNIST network; drop "
                              f"--resolution {c.resolution} (or use --model infogan)")

    def recipe_defaults(self, resolution, channels) -> dict:
        """Batch 128, Adam 1e-3 for G and 2e-4 for D: the paper's (see the class docstring)."""
        return dict(PAPER_RECIPE)

    def latent(self, rng, n, noise_dim, categories=None, continuous=None):
        """Uniform noise in [-1, 1] (the authors' ``Uniform(62)``), then the codes as in
        ``--model infogan``."""
        z = rng.uniform([n, noise_dim], -1.0, 1.0)
        return tf.concat([z, self.codes(rng, n, categories, continuous)], axis=1)

    def build(self, image_shape, num_classes=None):
        from gan_lib.gan import GAN

        if tuple(image_shape[:2]) != (28, 28):
            raise ConfigError(f"--model infogan-paper is the paper's 28x28 MNIST network, not "
                              f"{image_shape[0]}x{image_shape[1]}; use --model infogan")
        sync = self.config.strategy != "none"
        latent = self.config.latent_dim + self.code_size
        g = paper_generator(latent, image_shape[2], sync)
        d = paper_discriminator(image_shape, self.code_size, sync)
        return GAN(g, d, latent, tuple(image_shape), None, self)


def _paper_layers(sync):
    """(dense, conv, up-conv, batch norm) layer makers with the authors' initialisation."""
    import keras
    from keras import layers

    init = keras.initializers.RandomNormal(0.0, 0.02)

    def batch_norm():
        return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, synchronized=sync,
                                         gamma_initializer=keras.initializers.RandomNormal(1.0,
                                                                                           0.02))

    def dense(units, **kw):
        return layers.Dense(units, kernel_initializer=init, **kw)

    def conv(filters, **kw):
        return layers.Conv2D(filters, 4, strides=2, padding="same", kernel_initializer=init,
                             **kw)

    def upconv(filters, **kw):
        return layers.Conv2DTranspose(filters, 4, strides=2, padding="same",
                                      kernel_initializer=init, **kw)

    return dense, conv, upconv, batch_norm


def paper_generator(latent_dim: int = 74, channels: int = 1, sync_bn: bool = False):
    """Table 1's G: FC 1024 - BN - ReLU, FC 7x7x128 - BN - ReLU, 4x4 up-conv 64 stride 2 - BN -
    ReLU, 4x4 up-conv ``channels`` stride 2, then tanh (images in [-1, 1])."""
    import keras
    from keras import layers

    dense, _, upconv, batch_norm = _paper_layers(sync_bn)
    z = keras.Input((latent_dim,), name="z")
    x = layers.ReLU()(batch_norm()(dense(1024, use_bias=False)(z)))
    x = layers.ReLU()(batch_norm()(dense(7 * 7 * 128, use_bias=False)(x)))
    x = layers.Reshape((7, 7, 128))(x)
    x = layers.ReLU()(batch_norm()(upconv(64, use_bias=False)(x)))
    x = upconv(channels)(x)
    image = layers.Activation("tanh", dtype="float32")(x)
    return keras.Model(z, image, name="infogan_paper_generator")


def paper_discriminator(image_shape=(28, 28, 1), code_size: int = CATEGORIES + CONTINUOUS,
                        sync_bn: bool = False):
    """Table 1's D and Q, sharing everything up to the FC 1024 features: 4x4 conv 64 stride 2 -
    lReLU, 4x4 conv 128 stride 2 - BN - lReLU, FC 1024 - BN - lReLU; D: FC 1 (a logit), Q: FC 128
    - BN - lReLU - FC ``code_size`` (10 category logits, then the 2 continuous means)."""
    import keras
    from keras import layers

    dense, conv, _, batch_norm = _paper_layers(sync_bn)
    image = keras.Input(tuple(image_shape), name="image")
    x = layers.LeakyReLU(PAPER_LEAK)(conv(64)(image))
    x = layers.LeakyReLU(PAPER_LEAK)(batch_norm()(conv(128, use_bias=False)(x)))
    x = layers.Flatten()(x)
    features = layers.LeakyReLU(PAPER_LEAK)(batch_norm()(dense(1024, use_bias=False)(x)))
    logit = dense(1, dtype="float32")(features)
    q = layers.LeakyReLU(PAPER_LEAK)(batch_norm()(dense(128, use_bias=False)(features)))
    q = dense(code_size, dtype="float32", name="aux_head")(q)
    return keras.Model(image, [logit, q], name="infogan_paper_discriminator")
