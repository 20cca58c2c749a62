"""The quality-per-minute levers (issue 14), each pinned to values computed by hand: the
learning-rate decay, the R1 penalty, the minibatch standard deviation, truncated sampling and
the per-size recipe defaults; and a resumed run with a decaying learning rate stays exact."""
import numpy as np
import pytest
import tensorflow as tf

from conftest import assert_same_weights, body_config
from gan_lib.errors import ConfigError
from gan_lib.losses import judged_with_r1
from gan_lib.models import MinibatchStdDev
from gan_lib.sampling import truncated_latents
from gan_lib.trainer import Trainer, learning_rate_scale

SMALL = dict(latent_dim=32, base_filters=8, mlp_hidden=(64,), verbose=0)


def test_learning_rate_scale_by_hand():
    """decay 0.5 of a 10-step run: full rate for steps 0-5, then (10 - t) / 5."""
    got = [float(learning_rate_scale(0.5, 10, tf.constant(t, tf.int64))) for t in range(11)]
    np.testing.assert_allclose(got, [1, 1, 1, 1, 1, 1, 0.8, 0.6, 0.4, 0.2, 0.0], rtol=1e-6)


def test_decaying_rate_is_applied_and_resume_stays_exact(mnist_small, tmp_path):
    cfg = lambda: body_config(model="mlp", steps=8, lr_decay=0.5, seed=3, batch_size=128,  # noqa: E731
                              lr_g=4e-4, lr_d=2e-4, **SMALL)
    straight = Trainer(cfg(), tmp_path / "a", data=mnist_small)
    straight.train()
    # the last step (t = 7) ran at 4e-4 * (8 - 7) / 4
    np.testing.assert_allclose(float(straight.g_optimizer.learning_rate), 1e-4, rtol=1e-6)
    np.testing.assert_allclose(float(straight.d_optimizer.learning_rate), 5e-5, rtol=1e-6)
    first = Trainer(cfg(), tmp_path / "b", data=mnist_small)
    first.train(steps=5)
    del first
    resumed = Trainer(cfg(), tmp_path / "b", resume=True, data=mnist_small)
    resumed.train()
    assert_same_weights(straight.gan.generator, resumed.gan.generator)
    assert_same_weights(straight.gan.discriminator, resumed.gan.discriminator)


def test_r1_of_a_linear_and_a_quadratic_critic():
    """D(x) = w.x has gradient w at every x: R1 = |w|^2. D(x) = sum x^2 has gradient 2x:
    R1 = mean over the batch of 4 |x|^2."""
    x = tf.constant(np.random.default_rng(0).normal(size=(5, 3, 3, 1)), tf.float32)
    w = tf.constant(np.random.default_rng(1).normal(size=(9, 1)), tf.float32)
    linear = lambda images: tf.reshape(images, [-1, 9]) @ w  # noqa: E731
    out, r1 = judged_with_r1(linear, x)
    np.testing.assert_allclose(out.numpy(), linear(x).numpy())
    np.testing.assert_allclose(float(r1), float(tf.reduce_sum(w * w)), rtol=1e-5)
    quadratic = lambda images: (tf.reduce_sum(images ** 2, axis=[1, 2, 3]), None)  # noqa: E731
    (_, aux), r1 = judged_with_r1(quadratic, x)
    assert aux is None
    expected = np.mean(4 * np.sum(x.numpy() ** 2, axis=(1, 2, 3)))
    np.testing.assert_allclose(float(r1), expected, rtol=1e-5)


def test_r1_enters_the_discriminator_loss(mnist_small):
    """With gamma the logged D loss is the GAN loss plus gamma/2 * R1 on the same real batch."""
    from gan_lib.train_step import GANStep

    images = tf.constant(mnist_small.images[:16], tf.float32) / 127.5 - 1
    trainer = Trainer(body_config(model="mlp", steps=1, r1_gamma=10.0, batch_size=16, **SMALL),
                      data=mnist_small)
    gan_step = GANStep(trainer.gan, trainer.g_optimizer, trainer.d_optimizer, trainer.config,
                       trainer.rng)
    draws = gan_step.draw_noise(tf.shape(images))
    fake = trainer.gan.generate(draws.d[0].z, None, training=True)
    d = gan_step.discriminator_loss(images, fake, None, 0.0, draws.d[0], 1.0)
    plain = gan_step.loss.d_loss(d.real_logits, d.fake_logits, 1.0, 0.0)
    _, r1 = judged_with_r1(lambda x: trainer.gan.judge(x, None, training=True), images)
    np.testing.assert_allclose(float(d.loss), float(plain) + 5.0 * float(r1), rtol=1e-5)


def test_minibatch_stddev_by_hand():
    x = np.random.default_rng(2).normal(size=(4, 2, 2, 3)).astype(np.float32)
    out = np.asarray(MinibatchStdDev()(tf.constant(x)))
    assert out.shape == (4, 2, 2, 4)
    np.testing.assert_array_equal(out[..., :3], x)
    expected = np.mean(np.sqrt(np.var(x, axis=0) + 1e-8))  # population variance, per feature
    np.testing.assert_allclose(out[..., 3], np.full((4, 2, 2), expected), rtol=1e-5)


@pytest.mark.parametrize("model", ["mlp", "dcgan"])
def test_new_options_train(model, mnist_small):
    trainer = Trainer(body_config(model=model, steps=3, r1_gamma=1.0, minibatch_std=True,
                                  batch_size=64, **SMALL), data=mnist_small)
    history = trainer.train()
    assert np.all(np.isfinite(history["d_loss"])) and np.all(np.isfinite(history["g_loss"]))
    assert any(isinstance(layer, MinibatchStdDev) for layer in trainer.gan.discriminator.layers)


def test_truncated_latents():
    z = truncated_latents(2000, 16, 0.5, seed=4)
    assert z.shape == (2000, 16) and np.abs(z).max() <= 0.5
    np.testing.assert_array_equal(z, truncated_latents(2000, 16, 0.5, seed=4))
    plain = truncated_latents(20_000, 8, float("inf"), seed=5)  # no truncation: N(0, 1)
    assert abs(plain.mean()) < 0.02 and plain.std() == pytest.approx(1.0, abs=0.01)
    # the truncated normal's spread: std of N(0,1) restricted to [-1, 1] is 0.5396
    assert abs(truncated_latents(20000, 8, 1.0).std() - 0.5396) < 0.005
    with pytest.raises(ConfigError, match="positive"):
        truncated_latents(10, 4, 0.0)


def test_truncated_sampling_draws_from_truncated_latents(mnist_small):
    """``sample_images(truncation=psi)`` is G applied to ``truncated_latents``, batch by batch;
    runs whose latent vector holds codes (InfoGAN) or images (pix2pix) refuse it."""
    from gan_lib.data import to_uint8
    from gan_lib.sampling import sample_images

    gan = Trainer(body_config(model="mlp", steps=1, **SMALL), data=mnist_small).gan
    images, labels = sample_images(gan, 700, seed=3, truncation=0.5, batch_size=300)
    z = truncated_latents(700, gan.latent_dim, 0.5, seed=3)
    np.testing.assert_array_equal(images, to_uint8(gan.generate(z, training=False).numpy()))
    assert labels is None
    assert not np.array_equal(images, sample_images(gan, 700, seed=3)[0])
    for model in ("infogan", "pix2pix"):
        other = Trainer(body_config(model=model, steps=1, **SMALL), data=mnist_small).gan
        with pytest.raises(ConfigError, match="--truncation"):
            other.variant.samples(other, 10, truncation=1.0)


def test_recipe_defaults(mnist_small, tmp_path):
    """All three unset: the variant's recipe for the image size; any one set: the paper's values
    for the rest; a resumed run keeps what it was started with."""
    def filled(**options):
        config = body_config(**{"model": "dcgan", "steps": 2, **SMALL, **options})
        config = Trainer(config, data=mnist_small).config  # the run's resolved copy
        return config.batch_size, config.lr_g, config.lr_d

    assert filled() == (64, 1e-3, 1e-3)
    assert filled(batch_size=32) == (32, 2e-4, 2e-4)
    assert filled(lr_d=4e-4) == (128, 2e-4, 4e-4)
    assert filled(model="mlp") == (128, 2e-4, 2e-4)
    assert filled(model="cgan") == (128, 2e-4, 2e-4)
    Trainer(body_config(model="dcgan", steps=2, **SMALL), tmp_path / "run",
            data=mnist_small).train()
    resumed = Trainer(body_config(model="dcgan", steps=3, **SMALL), tmp_path / "run",
                      resume=True, data=mnist_small)
    assert (resumed.config.batch_size, resumed.config.lr_g) == (64, 1e-3)
    assert resumed.config.changes == []


def test_training_in_short_calls_equals_one_call(mnist_small):
    """Successive train() calls continue the same batch stream (it is not rebuilt each call):
    3 + 2 + 2 steps give exactly the weights of 7 steps in one call."""
    cfg = lambda: body_config(model="mlp", steps=7, seed=5, batch_size=128, **SMALL)  # noqa: E731
    whole, pieces = Trainer(cfg(), data=mnist_small), Trainer(cfg(), data=mnist_small)
    whole.train()
    for n in (3, 2, 2):
        pieces.train(steps=n)
    assert_same_weights(whole.gan.generator, pieces.gan.generator)
    assert_same_weights(whole.gan.discriminator, pieces.gan.discriminator)
