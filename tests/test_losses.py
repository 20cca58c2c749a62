"""Losses against values computed by hand from their definitions."""
import math

import numpy as np
import pytest
import tensorflow as tf

from gan_lib import losses


def sig(x):
    return 1 / (1 + math.exp(-x))


REAL = tf.constant([[2.0], [-1.0]])
FAKE = tf.constant([[0.5], [-3.0]])


def test_bce_d_loss_matches_definition():
    # -mean(log D(x)) - mean(log(1 - D(G(z))))
    expected = (-(math.log(sig(2.0)) + math.log(sig(-1.0))) / 2
                - (math.log(1 - sig(0.5)) + math.log(1 - sig(-3.0))) / 2)
    assert float(losses.bce_d_loss(REAL, FAKE)) == pytest.approx(expected, rel=1e-6)


def test_bce_d_loss_with_label_smoothing():
    # targets 0.9 for real, 0.1 for fake: cross-entropy -t log p - (1-t) log(1-p)
    def ce(t, logit):
        p = sig(logit)
        return -t * math.log(p) - (1 - t) * math.log(1 - p)

    expected = (ce(0.9, 2.0) + ce(0.9, -1.0)) / 2 + (ce(0.1, 0.5) + ce(0.1, -3.0)) / 2
    got = losses.bce_d_loss(REAL, FAKE, real_label=0.9, fake_label=0.1)
    assert float(got) == pytest.approx(expected, rel=1e-6)


def test_nonsaturating_and_minimax_generator_losses():
    ns = -(math.log(sig(0.5)) + math.log(sig(-3.0))) / 2
    mm = (math.log(1 - sig(0.5)) + math.log(1 - sig(-3.0))) / 2
    assert float(losses.nonsaturating_g_loss(FAKE)) == pytest.approx(ns, rel=1e-6)
    assert float(losses.minimax_g_loss(FAKE)) == pytest.approx(mm, rel=1e-6)


def test_minimax_saturates_where_nonsaturating_does_not():
    # When D confidently rejects a fake (logit -10), the minimax loss is flat (gradient ~ D(G(z)))
    # while the non-saturating loss still pushes hard (gradient ~ 1 - D(G(z))).
    logit = tf.Variable([[-10.0]])
    with tf.GradientTape(persistent=True) as tape:
        mm = losses.minimax_g_loss(logit)
        ns = losses.nonsaturating_g_loss(logit)
    assert abs(float(tape.gradient(mm, logit)[0, 0])) == pytest.approx(sig(-10.0), rel=1e-4)
    assert abs(float(tape.gradient(ns, logit)[0, 0])) == pytest.approx(1 - sig(-10.0), rel=1e-4)


def test_losses_finite_for_extreme_logits():
    big = tf.constant([[1e4], [-1e4]])
    for name, pair in losses.LOSSES.items():
        assert np.isfinite(float(pair.d_loss(big, -big))), name
        g_args = (big, -big) if pair.g_needs_real else (big,)  # rpgan: G's loss needs D(x)
        assert np.isfinite(float(pair.g_loss(*g_args))), name


def test_lsgan():
    expected_d = 0.5 * ((2 - 1) ** 2 + (-1 - 1) ** 2) / 2 + 0.5 * (0.5 ** 2 + 3.0 ** 2) / 2
    expected_g = 0.5 * ((0.5 - 1) ** 2 + (-3 - 1) ** 2) / 2
    assert float(losses.lsgan_d_loss(REAL, FAKE)) == pytest.approx(expected_d)
    assert float(losses.lsgan_g_loss(FAKE)) == pytest.approx(expected_g)


def test_hinge():
    expected_d = (max(0, 1 - 2) + max(0, 1 + 1)) / 2 + (max(0, 1 + 0.5) + max(0, 1 - 3)) / 2
    assert float(losses.hinge_d_loss(REAL, FAKE)) == pytest.approx(expected_d)
    assert float(losses.wasserstein_g_loss(FAKE)) == pytest.approx(-(0.5 - 3) / 2)


def test_wasserstein_critic_loss():
    assert float(losses.wasserstein_d_loss(REAL, FAKE)) == pytest.approx((0.5 - 3) / 2 - (2 - 1) / 2)


def test_gradient_penalty_known_norm():
    # critic(x) = sum(w * x) has gradient w everywhere: penalty (||w|| - 1)^2 exactly.
    w = tf.constant(np.full((1, 2, 2, 1), 1.5, np.float32))  # ||w|| = sqrt(4 * 2.25) = 3
    critic = lambda x: tf.reduce_sum(w * x, axis=[1, 2, 3])  # noqa: E731
    real = tf.random.normal([4, 2, 2, 1], seed=1)
    fake = tf.random.normal([4, 2, 2, 1], seed=2)
    eps = tf.random.uniform([4, 1, 1, 1], seed=3)
    assert float(losses.gradient_penalty(critic, real, fake, eps)) == pytest.approx(4.0, rel=1e-5)
    unit = lambda x: tf.reduce_sum(x, axis=[1, 2, 3]) / 2.0  # noqa: E731  (||grad|| = 1)
    assert float(losses.gradient_penalty(unit, real, fake, eps)) == pytest.approx(0.0, abs=1e-6)


def test_rpgan_pairs_each_real_with_one_fake():
    # pairs (2, 0.5) and (-1, -3): D on softplus(fake - real), G on softplus(real - fake)
    softplus = lambda x: math.log1p(math.exp(x))  # noqa: E731
    expected_d = (softplus(0.5 - 2.0) + softplus(-3.0 + 1.0)) / 2
    expected_g = (softplus(2.0 - 0.5) + softplus(-1.0 + 3.0)) / 2
    rpgan = losses.get_loss("rpgan")
    assert rpgan.g_needs_real and not losses.get_loss("bce").g_needs_real
    assert float(rpgan.d_loss(REAL, FAKE)) == pytest.approx(expected_d, rel=1e-6)
    assert float(rpgan.g_loss(FAKE, REAL)) == pytest.approx(expected_g, rel=1e-6)
    # only differences count: shifting every logit by the same amount changes nothing
    assert float(rpgan.d_loss(REAL + 7.0, FAKE + 7.0)) == pytest.approx(expected_d, rel=1e-6)


def test_only_a_loss_with_a_penalty_draws_for_it_and_wgan_gp_computes_its_own():
    """WGAN-GP's interpolation weights and penalty live with the loss (issue 23): the step asks
    ``draw_penalty``, which draws U[0, 1] weights [B, 1, 1, 1] for wgan-gp and nothing (the
    generator's state untouched) for every other loss."""
    for name, loss in losses.LOSSES.items():
        rng = tf.random.Generator.from_seed(1)
        before = rng.state.numpy().copy()
        draw = loss.draw_penalty(rng, 4)
        assert (draw is None) == (name != "wgan-gp"), name
        assert np.array_equal(rng.state.numpy(), before) == (draw is None), name
    wgan = losses.get_loss("wgan-gp")
    draw = wgan.draw_penalty(tf.random.Generator.from_seed(1), 4)
    expected = tf.random.Generator.from_seed(1).uniform([4, 1, 1, 1])
    assert np.array_equal(draw.numpy(), expected.numpy())  # the same numbers the step drew before
    w = tf.constant(np.full((1, 2, 2, 1), 1.5, np.float32))  # ||grad|| = 3: penalty 4
    critic = lambda x: tf.reduce_sum(w * x, axis=[1, 2, 3])  # noqa: E731
    real, fake = tf.random.normal([4, 2, 2, 1], seed=1), tf.random.normal([4, 2, 2, 1], seed=2)
    assert float(wgan.d_penalty(critic, real, fake, draw, 10.0)) == pytest.approx(40.0, rel=1e-5)
