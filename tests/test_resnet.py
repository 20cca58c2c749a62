"""Issue 25: the residual variant (--model resnet), the RpGAN loss in the train step and the R2
penalty, pinned to values computed by hand; train, resume bit for bit, and the refusals."""
import csv
import math

import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_lib.checkpoint import model_spec
from gan_lib.cli import main
from gan_lib.config import TrainConfig
from gan_lib.errors import ConfigError
from gan_lib.gan import GAN
from gan_lib.losses import judged_with_gradient_norm, judged_with_r1
from gan_lib.models import build_mlp_generator
from gan_lib.resnet_models import LEAK, stages
from gan_lib.train_step import GANStep
from gan_lib.variants import build_gan
from gan_lib.variants.plain import PlainGAN

BATCH, LATENT = 4, 8


def _softplus(x):
    return np.log1p(np.exp(x))


# ------------------------------------------------------------------ a D known in closed form
def _quadratic_d(c):
    """D(x) = sum_j c_j x_j^2 + 0.25: its input gradient is 2 c * x, so ||grad||^2 of one image
    is 4 sum_j c_j^2 x_j^2."""
    image = keras.Input((2, 2, 1))
    squared = keras.layers.Multiply()([image, image])
    logit = keras.layers.Dense(1)(keras.layers.Flatten()(squared))
    d = keras.Model(image, logit)
    d.layers[-1].set_weights([c.reshape(4, 1), np.array([0.25], np.float32)])
    return d


def _by_hand(c, x):
    """(D(x), ||grad_x D(x)||^2) per image, in numpy."""
    flat = x.reshape(len(x), 4)
    return flat ** 2 @ c + 0.25, 4 * np.sum(c ** 2 * flat ** 2, axis=1)


def _step(c, seed=0, **options):
    """A GANStep on 2x2 images: a small MLP G and the quadratic D above."""
    config = TrainConfig(model="mlp", steps=1, latent_dim=LATENT, mlp_hidden=(8,), lr_g=0.1,
                         lr_d=0.1, **options)
    keras.utils.set_random_seed(seed)
    gan = GAN(build_mlp_generator(LATENT, (2, 2, 1), (8,)), _quadratic_d(c), LATENT, (2, 2, 1),
              None, PlainGAN(config))
    sgd = lambda: keras.optimizers.SGD(0.1)  # noqa: E731
    return GANStep(gan, sgd(), sgd(), config, tf.random.Generator.from_seed(7))


C = np.array([0.5, -1.0, 2.0, 0.25], np.float32)
REAL = np.random.default_rng(0).uniform(-1, 1, (BATCH, 2, 2, 1)).astype(np.float32)
FAKE = np.random.default_rng(1).uniform(-1, 1, (BATCH, 2, 2, 1)).astype(np.float32)


def test_gradient_norm_of_a_quadratic_critic_by_hand():
    d = _quadratic_d(C)
    logits, norms = _by_hand(C, REAL)
    out, penalty = judged_with_gradient_norm(d, tf.constant(REAL))
    np.testing.assert_allclose(np.asarray(out)[:, 0], logits, rtol=1e-6)
    assert float(penalty) == pytest.approx(norms.mean(), rel=1e-6)
    assert judged_with_r1 is judged_with_gradient_norm  # the old name still works


@pytest.mark.parametrize("loss", ["rpgan", "bce"])
def test_r1_and_r2_enter_d_loss_on_their_own_batches(loss):
    """D's loss = GAN loss + r1/2 * E||grad D(real)||^2 + r2/2 * E||grad D(fake)||^2, by hand;
    gammas 1 and 3 tell the two batches apart."""
    step = _step(C, loss=loss, r1_gamma=1.0, r2_gamma=3.0)
    draw = step.draw_noise(tf.constant([BATCH, 2, 2, 1])).d[0]
    d = step.discriminator_loss(tf.constant(REAL), tf.constant(FAKE), None, 0.0, draw, 1.0)
    (real_logits, real_norms), (fake_logits, fake_norms) = _by_hand(C, REAL), _by_hand(C, FAKE)
    if loss == "rpgan":
        gan_loss = _softplus(fake_logits - real_logits).mean()
    else:
        gan_loss = _softplus(-real_logits).mean() + _softplus(fake_logits).mean()
    expected = gan_loss + 0.5 * real_norms.mean() + 1.5 * fake_norms.mean()
    assert float(d.loss) == pytest.approx(expected, rel=1e-6)


@pytest.mark.parametrize("updates", ["alternating", "simultaneous"])
def test_rpgan_generator_is_judged_against_the_right_d(updates):
    """G's logged RpGAN loss pairs G's batch with the real one, both judged by the *updated* D
    when alternating and by the old D when simultaneous (computed here from D's weights)."""
    step = _step(C, loss="rpgan", updates=updates)
    z = step.gan.latent(tf.random.Generator.from_seed(7), BATCH)
    fake = np.asarray(step.gan.generate(z))  # G before the step made the batch G is judged on
    metrics = step.step(tf.constant(REAL), tf.zeros([BATCH], tf.int32), tf.constant(0.0))
    new_c = np.asarray(step.gan.discriminator.layers[-1].kernel)[:, 0]
    new_b = float(np.asarray(step.gan.discriminator.layers[-1].bias)[0])
    by = lambda c, b, x: (x.reshape(len(x), 4) ** 2 @ c + b)  # noqa: E731
    with_new = _softplus(by(new_c, new_b, REAL) - by(new_c, new_b, fake)).mean()
    with_old = _softplus(by(C, 0.25, REAL) - by(C, 0.25, fake)).mean()
    assert abs(with_new - with_old) > 1e-3  # D did move: the two are told apart
    expected = with_new if updates == "alternating" else with_old
    assert float(metrics["g_loss"]) == pytest.approx(expected, rel=1e-5)


# ------------------------------------------------------------------ the residual networks
@pytest.mark.parametrize("resolution,channels", [(28, 1), (32, 1), (32, 3), (64, 3)])
def test_resnet_shapes(resolution, channels):
    config = TrainConfig(model="resnet", steps=1, latent_dim=LATENT, base_filters=8)
    gan = build_gan(config, (resolution, resolution, channels))
    images = gan.generate(np.random.default_rng(0).normal(size=(3, LATENT)).astype(np.float32))
    assert tuple(images.shape) == (3, resolution, resolution, channels)
    assert tuple(gan.discriminate(images).shape) == (3, 1)
    sides = [s for s, _ in stages(resolution, 8)]
    assert sides == ([7, 14, 28] if resolution == 28 else [4, 8, 16, 32, 64][:len(sides)])
    assert sides[-1] == resolution
    pooled = [layer for layer in gan.discriminator.layers
              if isinstance(layer, keras.layers.AveragePooling2D)]
    norms = [layer for layer in gan.discriminator.layers
             if "normalization" in type(layer).__name__.lower()]
    assert len(pooled) == len(sides) - 1 and norms == []


def test_resnet_widths_and_near_identity_start():
    """At 28: widths 4b, 2b, b on sides 7, 14, 28; every branch's last convolution starts at 0
    (each block is the identity) and its first has variance 2 / (1 + 0.2^2) / (L * fan_in)."""
    assert stages(28, 16) == [(7, 64), (14, 32), (28, 16)]
    assert stages(256, 16)[0] == (4, 128)  # widths stop at 8b
    gan = build_gan(TrainConfig(model="resnet", steps=1, base_filters=16), (28, 28, 1))
    for model in (gan.generator, gan.discriminator):
        blocks = [layer for layer in model.layers if isinstance(layer, keras.layers.Add)]
        assert len(blocks) == 3
        for name in ("block_7", "block_14", "block_28"):
            last = model.get_layer(name + "_conv_b")
            assert not np.any(np.asarray(last.kernel)) and not np.any(np.asarray(last.bias))
            kernel = np.asarray(model.get_layer(name + "_conv_a").kernel)
            fan_in = math.prod(kernel.shape[:3])
            expected = 2 / (1 + LEAK ** 2) / (3 * fan_in)
            assert kernel.var() == pytest.approx(expected, rel=0.15), name
        probe = keras.Model(model.input, [model.get_layer("block_14").input[0],
                                          model.get_layer("block_14").output])
        shape = (2, 100) if model is gan.generator else (2, 28, 28, 1)
        before, after = probe(np.random.default_rng(3).normal(size=shape).astype(np.float32))
        np.testing.assert_array_equal(np.asarray(before), np.asarray(after))


def test_resnet_spec_holds_the_width_it_built():
    spec = model_spec(TrainConfig(model="resnet", steps=1), (28, 28, 1), 10)
    assert spec["arch"] == "resnet" and spec["base_filters"] == 16 and spec["num_classes"] is None
    other = model_spec(TrainConfig(model="resnet", steps=1, pack=2), (28, 28, 1), 10)
    assert other["pack"] == 2 and other != spec


# ------------------------------------------------------------------ the command line
def _rows(run_dir):
    with open(run_dir / "log.csv") as f:
        return [{k: v for k, v in row.items() if k != "seconds"} for row in csv.DictReader(f)]


def _checkpoint(run_dir, step):
    path = str(run_dir / "checkpoints" / f"ckpt-{step}")
    reader = tf.train.load_checkpoint(path)
    return {name: reader.get_tensor(name) for name, _ in tf.train.list_variables(path)
            if name.split("/")[0] in ("generator", "discriminator", "g_optimizer",
                                      "d_optimizer", "rng", "step")}


def test_resnet_trains_and_resumes_bit_for_bit(tmp_path):
    """3 steps, then --resume to 6, equals 6 steps in one go: every variable of the final
    checkpoint (weights, Adam's moments, the random generator) and every logged number."""
    args = ["train", "--model", "resnet", "--dataset", "mnist", "--seed", "3", "--quiet"]
    assert main([*args, "--steps", "6", "--out", str(tmp_path / "straight")]) == 0
    assert main([*args, "--steps", "3", "--out", str(tmp_path / "resumed")]) == 0
    assert main([*args, "--steps", "6", "--out", str(tmp_path / "resumed"), "--resume"]) == 0
    straight, resumed = _checkpoint(tmp_path / "straight", 6), _checkpoint(tmp_path / "resumed", 6)
    assert sorted(straight) == sorted(resumed) and len(straight) > 20
    for name in straight:
        np.testing.assert_array_equal(straight[name], resumed[name], err_msg=name)
    assert _rows(tmp_path / "straight") == _rows(tmp_path / "resumed")
    saved = TrainConfig.load(tmp_path / "straight" / "config.json")
    assert (saved.batch_size, saved.lr_g, saved.lr_d) == (64, 2e-4, 2e-4)  # the recipe's


@pytest.mark.parametrize("extra", [["--model", "resnet", "--beta-1", "0", "--beta-2", "0.99"],
                                   ["--model", "resnet", "--pack", "2", "--minibatch-std"],
                                   ["--model", "dcgan", "--updates", "simultaneous"]],
                         ids=["resnet", "resnet-pack", "dcgan-simultaneous"])
def test_rpgan_with_r1_and_r2_trains_finitely_on_mnist(extra, tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--dataset", "mnist", "--steps", "4", "--batch-size", "32",
                 "--base-filters", "8", "--loss", "rpgan", "--r1-gamma", "1", "--r2-gamma", "1",
                 "--out", str(out), "--quiet", *extra]) == 0
    rows = _rows(out)
    assert len(rows) == 4
    assert np.isfinite([[float(v) for v in row.values()] for row in rows]).all()


@pytest.mark.parametrize("options,message", [
    (dict(loss="rpgan", label_smoothing=0.1), "--loss rpgan .* drop --label-smoothing"),
    (dict(loss="rpgan", fake_label=0.1), "--loss rpgan .* drop --label-smoothing and --fake"),
    (dict(model="resnet", spectral_norm=True), "drop --spectral-norm and --d-dropout"),
    (dict(model="resnet", d_dropout=0.3), "drop --spectral-norm and --d-dropout"),
    (dict(model="resnet", arch="mlp"), "drop it with --model resnet"),
    (dict(r2_gamma=-1.0), "--r2-gamma must be in"),
])
def test_refusals_are_one_line(options, message):
    with pytest.raises(ConfigError, match=message) as err:
        TrainConfig(steps=1, **options).validate()
    assert "\n" not in str(err.value)


def test_conditional_resnet_takes_labels_and_records_its_width():
    """--model cgan --arch resnet: the same residual networks, G and D reading the label; the
    label changes the image for the same z, and the spec holds the width built."""
    config = TrainConfig(model="cgan", arch="resnet", steps=1, latent_dim=LATENT)
    gan = build_gan(config, (28, 28, 1), num_classes=10)
    assert [i.name for i in gan.generator.inputs] == ["z", "label"]
    assert [i.name for i in gan.discriminator.inputs] == ["image", "label"]
    for layer in gan.generator.layers:  # G starts at its linear skeleton: move the branches
        if layer.name.endswith("_conv_b"):
            layer.set_weights([np.full_like(w, 0.01) for w in layer.get_weights()])
    images = gan.generate(np.zeros((2, LATENT), np.float32), np.array([3, 7], np.int32))
    assert not np.allclose(images[0], images[1])
    assert tuple(gan.discriminate(images, np.array([3, 7], np.int32)).shape) == (2, 1)
    spec = model_spec(config, (28, 28, 1), 10)
    assert (spec["arch"], spec["base_filters"], spec["widest"], spec["num_classes"]) == \
        ("resnet", 16, 8, 10)


@pytest.mark.parametrize("options,message", [
    (dict(model="acgan", arch="resnet"), "--arch resnet is not a body of --model acgan; choose "
                                         "mlp or dcgan"),
    (dict(model="cgan", arch="resnet", d_dropout=0.3), "drop --spectral-norm and --d-dropout"),
    (dict(model="dcgan", arch="mlp"), "drop it with --model dcgan"),
    (dict(model="pix2pix", arch="dcgan"), "drop it with --model pix2pix"),
    (dict(model="dcgan", gp_weight=5.0), "--model dcgan does not use --gp-weight; drop it"),
    (dict(model="wgan-clip", gp_weight=1.0), "--model wgan-clip does not use --gp-weight"),
    (dict(model="cgan", aux_weight=2.0), "--model cgan does not use --aux-weight; drop it"),
])
def test_an_option_the_run_would_ignore_is_refused(options, message):
    with pytest.raises(ConfigError, match=message) as err:
        TrainConfig(steps=1, **options).validate()
    assert "\n" not in str(err.value)


def test_conditional_resnet_trains_on_mnist(tmp_path):
    out = tmp_path / "run"
    assert main(["train", "--model", "cgan", "--arch", "resnet", "--dataset", "mnist",
                 "--steps", "3", "--batch-size", "32", "--base-filters", "8", "--r1-gamma",
                 "1", "--out", str(out), "--quiet"]) == 0
    rows = _rows(out)
    assert len(rows) == 3 and np.isfinite([[float(v) for v in r.values()] for r in rows]).all()


def test_resnet_refuses_sides_it_cannot_build():
    with pytest.raises(ConfigError, match="--model resnet works at 28 or a power of two"):
        build_gan(TrainConfig(model="resnet", steps=1), (48, 48, 1))


def test_the_command_line_refuses_rpgan_with_smoothing(tmp_path, capsys):
    code = main(["train", "--loss", "rpgan", "--label-smoothing", "0.1", "--steps", "1",
                 "--out", str(tmp_path / "run")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "--label-smoothing" in err
