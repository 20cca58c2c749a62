"""The generator's moving average (--ema) and evaluation during training (--eval-every)."""
import numpy as np
import pytest

from conftest import assert_same_weights
from gan_lib.config import TrainConfig
from gan_lib.trainer import Trainer

SMALL = dict(model="dcgan", base_filters=8, latent_dim=16, batch_size=64, verbose=0)
DECAY = 0.9


def test_the_average_follows_its_formula(mnist_small):
    """ema_t = d_t * ema_(t-1) + (1 - d_t) * w_t, d_t = min(decay, (1 + t) / (10 + t)), by hand
    from G's weights after each of 5 steps."""
    trainer = Trainer(TrainConfig(steps=5, ema=DECAY, steps_per_call=1, **SMALL),
                      data=mnist_small)
    expected = [np.asarray(w).copy() for w in trainer.gan.generator.trainable_variables]
    for t in range(1, 6):
        trainer.train(steps=1)
        d = min(DECAY, (1 + t) / (10 + t))
        expected = [d * e + (1 - d) * np.asarray(w)
                    for e, w in zip(expected, trainer.gan.generator.trainable_variables)]
    for e, a in zip(expected, trainer.ema.model.trainable_variables):
        np.testing.assert_allclose(np.asarray(a), e, rtol=1e-5, atol=1e-7)
    raw, averaged = trainer.gan.generator.trainable_variables[0], expected[0]
    assert np.abs(np.asarray(raw) - averaged).max() > 1e-4  # the average is not G itself


def test_the_average_resumes_bit_for_bit_and_is_what_sample_uses(mnist_small, tmp_path):
    from gan_lib.checkpoint import load_generator

    cfg = lambda steps, k: TrainConfig(steps=steps, ema=DECAY, steps_per_call=k, **SMALL)  # noqa: E731
    straight = Trainer(cfg(9, 4), tmp_path / "a", data=mnist_small)
    straight.train()
    Trainer(cfg(5, 2), tmp_path / "b", data=mnist_small).train()
    resumed = Trainer(cfg(9, 3), tmp_path / "b", resume=True, data=mnist_small)
    resumed.train()
    for a, b in zip(straight.ema.model.trainable_variables, resumed.ema.model.trainable_variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    gan, _ = load_generator(tmp_path / "a")
    for a, b in zip(gan.generator.trainable_variables, straight.ema.model.trainable_variables):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    np.testing.assert_array_equal(straight.generate(), resumed.generate())


def test_batch_norm_statistics_are_refreshed_for_the_average(mnist_small):
    import keras

    trainer = Trainer(TrainConfig(steps=6, ema=DECAY, **SMALL), data=mnist_small)
    trainer.train()
    model = trainer.ema.refresh()
    norm = next(layer for layer in model.layers
                if isinstance(layer, keras.layers.BatchNormalization))
    raw = next(layer for layer in trainer.gan.generator.layers
               if isinstance(layer, keras.layers.BatchNormalization))
    assert not np.allclose(np.asarray(norm.moving_mean), np.asarray(raw.moving_mean))
    assert norm.momentum == raw.momentum  # put back after the refresh
    again = [np.asarray(v).copy() for v in model.non_trainable_variables]
    trainer.ema.refresh()  # the same fixed latent vectors: the same statistics
    for a, b in zip(again, model.non_trainable_variables):
        np.testing.assert_array_equal(a, np.asarray(b))


def test_evaluation_during_training_is_logged(mnist_small, tmp_path):
    plain = Trainer(TrainConfig(steps=10, **SMALL), data=mnist_small)
    plain.train()
    trainer = Trainer(TrainConfig(steps=10, eval_every_steps=5, eval_samples=300, **SMALL),
                      tmp_path / "run", data=mnist_small)
    trainer.train()
    rows = (tmp_path / "run" / "evaluation.csv").read_text().splitlines()
    assert rows[0] == "step,precision,recall,density,coverage,fid"
    assert [int(r.split(",")[0]) for r in rows[1:]] == [5, 10]
    values = [float(x) for x in rows[-1].split(",")[1:]]
    assert 0 <= values[0] <= 1 and 0 <= values[1] <= 1 and values[4] > 0
    assert_same_weights(plain.gan.generator, trainer.gan.generator)  # evaluating changes nothing


@pytest.mark.parametrize("value", ["1", "-0.1"])
def test_ema_decay_is_checked(value):
    from gan_lib.errors import ConfigError

    with pytest.raises(ConfigError, match="--ema must be in"):
        TrainConfig(steps=1, ema=float(value)).validate()
