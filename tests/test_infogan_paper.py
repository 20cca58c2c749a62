"""`--model infogan-paper` (issue 21, part 4): Chen et al.'s MNIST settings, each one checked."""
import numpy as np
import pytest
import tensorflow as tf

from gan_lib.config import TrainConfig
from gan_lib.errors import ConfigError
from gan_lib.variants import build_gan


def paper_config(**kw):
    return TrainConfig(**{"model": "infogan-paper", "latent_dim": 62, "steps": 1, **kw})


def layer_plan(model):
    """(kind, width) of every weighted or normalising layer, in order."""
    plan = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in ("Dense", "Conv2D", "Conv2DTranspose"):
            plan.append((kind, layer.units if kind == "Dense" else layer.filters))
        elif kind == "LeakyReLU":
            plan.append((kind, layer.negative_slope))
        elif kind in ("BatchNormalization", "ReLU"):
            plan.append((kind, None))
    return plan


def test_table_1_networks():
    gan = build_gan(paper_config().validate(), (28, 28, 1))
    assert gan.latent_dim == 74 and gan.noise_dim == 62  # "a concatenated dimension of 74"
    lrelu = ("LeakyReLU", pytest.approx(0.1))
    assert layer_plan(gan.generator) == [
        ("Dense", 1024), ("BatchNormalization", None), ("ReLU", None),
        ("Dense", 7 * 7 * 128), ("BatchNormalization", None), ("ReLU", None),
        ("Conv2DTranspose", 64), ("BatchNormalization", None), ("ReLU", None),
        ("Conv2DTranspose", 1)]
    d = layer_plan(gan.discriminator)
    assert d[:9] == [("Conv2D", 64), lrelu, ("Conv2D", 128), ("BatchNormalization", None), lrelu,
                     ("Dense", 1024), ("BatchNormalization", None), lrelu, ("Dense", 128)]
    assert sorted(d[9:]) == sorted([("BatchNormalization", None), lrelu, ("Dense", 1),
                                    ("Dense", 12)])
    for layer in gan.generator.layers + gan.discriminator.layers:
        if type(layer).__name__ in ("Conv2D", "Conv2DTranspose"):  # all 4x4, stride 2
            assert layer.kernel_size == (4, 4) and layer.strides == (2, 2), layer.name
    # D and Q share everything up to the FC 1024 features
    logit, q = gan.discriminate(gan.generate(tf.zeros((3, 74))))
    assert tuple(logit.shape) == (3, 1) and tuple(q.shape) == (3, 12)


def test_uniform_noise_and_codes():
    gan = build_gan(paper_config().validate(), (28, 28, 1))
    z = gan.latent(tf.random.Generator.from_seed(0), 5000,
                   categories=tf.constant(np.arange(5000) % 10, tf.int32)).numpy()
    noise, onehot, continuous = z[:, :62], z[:, 62:72], z[:, 72:]
    assert noise.min() >= -1.0 and noise.max() <= 1.0  # U(-1, 1), not normal
    assert abs(noise.std() - 1 / np.sqrt(3)) < 0.01
    np.testing.assert_array_equal(onehot.argmax(axis=1), np.arange(5000) % 10)
    assert onehot.sum() == 5000 and continuous.min() >= -1.0 and continuous.max() <= 1.0


def test_the_papers_recipe_and_refusals(mnist_small):
    from gan_lib.trainer import Trainer

    trainer = Trainer(paper_config(steps=2, verbose=0, batch_size=None), data=mnist_small)
    c = trainer.config
    assert (c.batch_size, c.lr_g, c.lr_d, c.beta_1, c.aux_weight) == (128, 1e-3, 2e-4, 0.5, 1.0)
    trainer.train()
    assert trainer.global_step == 2 and np.isfinite(trainer.history["aux_loss"]).all()
    with pytest.raises(ConfigError, match="add --latent-dim 62"):
        TrainConfig(model="infogan-paper", steps=1).validate()
    with pytest.raises(ConfigError, match="does not use --spectral-norm"):
        paper_config(spectral_norm=True).validate()
    with pytest.raises(ConfigError, match="28x28"):
        paper_config(resolution=32).validate()
