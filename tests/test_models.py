"""Builders: output shapes, parameter counts, and the 256x256 seed layout layer by layer."""
import keras
import numpy as np
import pytest

from gan_lib.config import TrainConfig
from gan_lib.errors import ConfigError
from gan_lib.variants import build_gan
from gan_lib.models import (build_dcgan_discriminator, build_dcgan_generator,
                            build_mlp_discriminator, build_mlp_generator)


def test_mlp_seed_architecture_parameter_counts():
    g = build_mlp_generator(100, (28, 28, 1), (256,))
    d = build_mlp_discriminator((28, 28, 1), (256,))
    # G: 100*256 + 256, then 256*784 + 784; D: 784*256 + 256, then 256 + 1
    assert g.count_params() == (100 * 256 + 256) + (256 * 784 + 784)
    assert d.count_params() == (784 * 256 + 256) + (256 + 1)
    assert g.output_shape == (None, 28, 28, 1)
    assert d.output_shape == (None, 1)
    assert [l.activation.__name__ for l in g.layers if isinstance(l, keras.layers.Dense)] == \
        ["relu", "tanh"]


def test_mlp_deeper_and_wider():
    g = build_mlp_generator(64, (28, 28, 1), (512, 256))
    assert g.count_params() == (64 * 512 + 512) + (512 * 256 + 256) + (256 * 784 + 784)


def _layer_plan(model):
    plan = []
    for layer in model.layers:
        if isinstance(layer, (keras.layers.Conv2DTranspose, keras.layers.Conv2D)):
            kind = "convT" if isinstance(layer, keras.layers.Conv2DTranspose) else "conv"
            plan.append((kind, layer.filters, layer.kernel_size, layer.strides, layer.padding,
                         layer.use_bias))
        elif isinstance(layer, keras.layers.BatchNormalization):
            plan.append(("bn",))
        elif isinstance(layer, keras.layers.ReLU):
            plan.append(("relu",))
        elif isinstance(layer, keras.layers.LeakyReLU):
            plan.append(("lrelu", round(float(layer.negative_slope), 3)))
        elif isinstance(layer, keras.layers.Activation):
            plan.append((layer.activation.__name__,))
    return plan


def test_dcgan_256_generator_is_the_seed_layout():
    g = build_dcgan_generator(100, 256, 3)
    expected = [("convT", 1024, (4, 4), (1, 1), "valid", False), ("bn",), ("relu",)]
    for width in (512, 256, 128, 64, 32):
        expected += [("convT", width, (4, 4), (2, 2), "same", False), ("bn",), ("relu",)]
    expected += [("convT", 3, (4, 4), (2, 2), "same", False), ("tanh",)]
    assert _layer_plan(g) == expected
    assert g.output_shape == (None, 256, 256, 3)
    widths = [100, 1024, 512, 256, 128, 64, 32, 3]
    conv = sum(a * b * 16 for a, b in zip(widths, widths[1:]))
    bn = sum(4 * w for w in widths[1:-1])  # gamma, beta, moving mean and variance
    assert g.count_params() == conv + bn


def test_dcgan_256_discriminator_is_the_seed_layout():
    d = build_dcgan_discriminator(256, 3)
    expected = [("conv", 32, (4, 4), (2, 2), "same", False), ("lrelu", 0.2)]
    for width in (64, 128, 256, 512, 1024):
        expected += [("conv", width, (4, 4), (2, 2), "same", False), ("bn",), ("lrelu", 0.2)]
    expected += [("conv", 1, (4, 4), (1, 1), "valid", False)]
    assert _layer_plan(d) == expected
    assert d.output_shape == (None, 1)
    widths = [3, 32, 64, 128, 256, 512, 1024, 1]
    conv = sum(a * b * 16 for a, b in zip(widths, widths[1:]))
    bn = sum(4 * w for w in widths[2:-1])
    assert d.count_params() == conv + bn


@pytest.mark.parametrize("resolution", [28, 32, 64, 128])
@pytest.mark.parametrize("channels", [1, 3])
def test_dcgan_shapes(resolution, channels):
    g = build_dcgan_generator(16, resolution, channels, base_filters=8)
    d = build_dcgan_discriminator(resolution, channels, base_filters=8)
    z = np.random.default_rng(0).normal(size=(2, 16)).astype("float32")
    images = g(z, training=False)
    assert tuple(images.shape) == (2, resolution, resolution, channels)
    assert float(np.abs(images).max()) <= 1.0  # tanh
    assert tuple(d(images, training=False).shape) == (2, 1)


def test_bad_resolution_is_refused():
    with pytest.raises(ConfigError, match="power of two"):
        build_dcgan_generator(100, 48, 1)


@pytest.mark.parametrize("arch", ["mlp", "dcgan"])
def test_conditional_models_take_labels(arch):
    width = dict(mlp_hidden=(32,)) if arch == "mlp" else dict(base_filters=8)
    config = TrainConfig(model="cgan", arch=arch, steps=1, latent_dim=8, **width)
    gan = build_gan(config, (28, 28, 1), num_classes=10)
    z = np.zeros((4, 8), "float32")
    labels = np.array([0, 1, 2, 9], "int32")
    images = gan.generate(z, labels)
    assert tuple(images.shape) == (4, 28, 28, 1)
    # the label changes the image even for the same z
    assert not np.allclose(images[0], images[1])
    assert tuple(gan.discriminate(images, labels).shape) == (4, 1)


def test_cgan_without_labels_is_refused():
    with pytest.raises(ConfigError, match="class labels"):
        build_gan(TrainConfig(model="cgan", steps=1), (28, 28, 1), num_classes=None)


def test_spectral_norm_dropout_and_pack_options():
    config = TrainConfig(model="dcgan", steps=1, spectral_norm=True, d_dropout=0.3, pack=2,
                         base_filters=8)
    gan = build_gan(config, (32, 32, 1))
    kinds = {type(l).__name__ for l in gan.discriminator.layers}
    assert {"SpectralNormalization", "Dropout"} <= kinds
    assert "BatchNormalization" not in kinds
    assert gan.discriminator.input_shape == (None, 32, 32, 2)
