"""Training on the real data: a short run learns, checkpoints round-trip, resume is exact."""
import numpy as np
import pytest
import tensorflow as tf

from conftest import assert_same_weights, body_config
from gan_lib.config import TrainConfig
from gan_lib.errors import CheckpointError, ConfigError, DivergenceError
from gan_lib.trainer import Trainer

SMALL = dict(latent_dim=32, batch_size=128, base_filters=8, mlp_hidden=(64,), verbose=0)


def test_short_real_run_learns(mnist, tmp_path):
    """300 steps of the seed MLP GAN on real MNIST: finite losses, D tells real from fake, and
    the run directory holds the config, a checkpoint, the log, sample grids and loss curves."""
    trainer = Trainer(TrainConfig(model="mlp", dataset="mnist", steps=300, verbose=0),
                      tmp_path / "run", data=mnist)
    history = trainer.train()
    assert len(history["step"]) == 300
    assert np.all(np.isfinite(history["d_loss"])) and np.all(np.isfinite(history["g_loss"]))
    assert np.mean(history["d_real"][-50:]) > np.mean(history["d_fake"][-50:])
    for name in ("config.json", "log.csv", "losses.png", "samples/step_0000300.png"):
        assert (tmp_path / "run" / name).exists(), name
    assert (tmp_path / "run" / "checkpoints" / "ckpt-300.index").exists()
    # generated images are in tanh range and no longer the untrained blur around 0
    images = trainer.generate()
    assert images.min() >= -1 and images.max() <= 1 and images.std() > 0.3


@pytest.mark.parametrize("model", ["mlp", "dcgan", "cgan"])
def test_resume_is_bit_identical(model, mnist_small, tmp_path):
    """7 steps in one go == 4 steps, a fresh process-like restart, 3 more steps -- across the
    epoch boundary at step 5 (640 images, batch 128): same weights, optimiser state, samples."""
    cfg = lambda steps: body_config(model=model, dataset="mnist", steps=steps, seed=11, **SMALL)  # noqa: E731
    straight = Trainer(cfg(7), tmp_path / "a", data=mnist_small)
    straight.train()

    first = Trainer(cfg(4), tmp_path / "b", data=mnist_small)
    first.train()
    del first
    resumed = Trainer(cfg(7), tmp_path / "b", resume=True, data=mnist_small)
    assert resumed.global_step == 4
    resumed.train()

    assert resumed.global_step == straight.global_step == 7
    assert_same_weights(straight.gan.generator, resumed.gan.generator)
    assert_same_weights(straight.gan.discriminator, resumed.gan.discriminator)
    for a, b in zip(straight.g_optimizer.variables, resumed.g_optimizer.variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_array_equal(straight.generate(), resumed.generate())
    assert resumed.history["step"] == list(range(1, 8))
    np.testing.assert_array_equal(straight.history["g_loss"], resumed.history["g_loss"])


def test_an_xla_run_resumes_bit_identically_and_repeats(mnist_small, tmp_path):
    """Under --jit-compile (XLA), as without it: 7 steps straight == 4 + a restart + 3, in every
    weight and Adam moment, and a second straight run with the same seed is the same run."""
    cfg = lambda steps: body_config(model="dcgan", dataset="mnist", steps=steps, seed=3,  # noqa: E731
                                    jit_compile=True, **SMALL)
    straight = Trainer(cfg(7), tmp_path / "a", data=mnist_small)
    straight.train()
    Trainer(cfg(4), tmp_path / "b", data=mnist_small).train()
    resumed = Trainer(cfg(7), tmp_path / "b", resume=True, data=mnist_small)
    resumed.train()
    again = Trainer(cfg(7), data=mnist_small)
    again.train()
    for other in (resumed, again):
        assert_same_weights(straight.gan.generator, other.gan.generator)
        assert_same_weights(straight.gan.discriminator, other.gan.discriminator)
        for a, b in zip(straight.d_optimizer.variables, other.d_optimizer.variables):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_array_equal(straight.history["d_loss"], resumed.history["d_loss"])


def test_same_seed_same_run_other_seed_other_run(mnist_small):
    runs = [Trainer(body_config(model="mlp", steps=3, seed=s, **SMALL), data=mnist_small)
            for s in (1, 1, 2)]
    for t in runs:
        t.train()
    assert_same_weights(runs[0].gan.generator, runs[1].gan.generator)
    assert not np.array_equal(runs[0].generate(), runs[2].generate())


def test_checkpoint_of_another_model_is_refused(mnist_small, tmp_path):
    Trainer(body_config(model="mlp", steps=2, **SMALL), tmp_path / "run", data=mnist_small).train()
    # restore into a different model through the library: a clear message, nothing restored
    from gan_lib.checkpoint import RunCheckpoint, model_spec

    other = Trainer(body_config(model="dcgan", steps=2, **SMALL), data=mnist_small)
    before = [np.asarray(v).copy() for v in other.gan.generator.weights]
    spec = model_spec(other.config, (28, 28, 1), 10)
    ckpt = RunCheckpoint(tmp_path / "run" / "checkpoints", other.gan, other.g_optimizer,
                         other.d_optimizer, other.rng, other.step, spec)
    with pytest.raises(CheckpointError, match="model 'mlp' in the checkpoint vs 'dcgan' here"):
        ckpt.restore_latest()
    for b, v in zip(before, other.gan.generator.weights):
        np.testing.assert_array_equal(b, np.asarray(v))


def test_resume_with_other_settings_is_refused(mnist_small, tmp_path):
    Trainer(body_config(model="mlp", steps=2, **SMALL), tmp_path / "run", data=mnist_small).train()
    with pytest.raises(ConfigError, match="latent_dim: 32 -> 64"):
        Trainer(body_config(model="mlp", steps=4, **dict(SMALL, latent_dim=64)),
                tmp_path / "run", resume=True, data=mnist_small)
    with pytest.raises(ConfigError, match="already holds a run"):
        Trainer(body_config(model="mlp", steps=4, **SMALL), tmp_path / "run", data=mnist_small)


def test_damaged_latest_checkpoint_falls_back_to_previous(mnist_small, tmp_path):
    config = body_config(model="mlp", steps=4, checkpoint_every_steps=2, **SMALL)
    Trainer(config, tmp_path / "run", data=mnist_small).train()
    data_file = next((tmp_path / "run" / "checkpoints").glob("ckpt-4.data-*"))
    data_file.write_bytes(data_file.read_bytes()[:100])  # truncated
    with pytest.warns(UserWarning, match="ckpt-4 is damaged"):
        resumed = Trainer(config, tmp_path / "run", resume=True, data=mnist_small)
    assert resumed.global_step == 2


def test_nan_loss_stops_with_the_step_and_keeps_the_checkpoint(mnist_small, tmp_path):
    config = body_config(model="mlp", steps=6, checkpoint_every_steps=2, **SMALL)
    trainer = Trainer(config, tmp_path / "run", data=mnist_small)
    trainer.train(steps=2)
    bias = trainer.gan.discriminator.weights[-1]  # D's output bias: every logit becomes NaN
    bias.assign(tf.fill(bias.shape, np.nan))
    with pytest.raises(DivergenceError, match="at step 3"):
        trainer.train()
    assert sorted(p.name for p in (tmp_path / "run" / "checkpoints").glob("*.index")) == \
        ["ckpt-2.index"]


def test_interrupt_saves_a_checkpoint(mnist_small, tmp_path):
    """Ctrl-C (a real SIGINT to this process) during step 4: the step finishes, a checkpoint
    is written, and train() returns with interrupted=True."""
    import os
    import signal

    trainer = Trainer(body_config(model="mlp", steps=50, steps_per_call=1, **SMALL),
                      tmp_path / "run", data=mnist_small)
    original, calls = trainer._multi_step, []

    def interrupted_during_call_4(*args):
        calls.append(1)
        if len(calls) == 4:
            os.kill(os.getpid(), signal.SIGINT)
        return original(*args)

    trainer._multi_step = interrupted_during_call_4
    trainer.train()
    assert trainer.interrupted and trainer.global_step == 4
    assert (tmp_path / "run" / "checkpoints" / "ckpt-4.index").exists()
    assert trainer.history["step"] == [1, 2, 3, 4]


def test_steps_per_call_does_not_change_the_run(mnist_small):
    runs = [Trainer(body_config(model="dcgan", steps=7, seed=3, steps_per_call=k, **SMALL),
                    data=mnist_small) for k in (1, 4)]
    for t in runs:
        t.train()
    assert_same_weights(runs[0].gan.generator, runs[1].gan.generator)
    np.testing.assert_array_equal(runs[0].history["d_loss"], runs[1].history["d_loss"])
