"""The state of a run: everything its checkpoint saves, and the generator samples come from.

A :class:`RunState` is built from a :class:`~gan_lib.run.plan.Plan` and holds the two networks
(inside the plan's distribution strategy and precision policy), both optimisers (built at once,
so a checkpoint restores into them), the random generator that draws every latent vector, the
global step, the fixed inputs of the sample grids and, with ``--ema``, the moving average of G.
Nothing here trains: the loop (loop.py) runs the compiled steps on this state.
"""
from __future__ import annotations

import contextlib
import dataclasses

import numpy as np

from gan_lib.errors import ConfigError
from gan_lib.run.ema import CHECKPOINT_KEY, GeneratorAverage

FIXED_SEED_OFFSET = 1_000_003  # the grids' inputs: a seeded stream of their own


@contextlib.contextmanager
def precision_policy(mixed: bool):
    """Layers built inside compute in float16 when ``mixed`` (outputs stay float32); Keras's
    global policy is restored on the way out, whatever happens."""
    import keras

    saved = keras.mixed_precision.global_policy()
    if mixed:
        keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        yield
    finally:
        keras.mixed_precision.set_global_policy(saved)


class RunState:
    """Networks, optimisers, random generator, step, fixed inputs and G's moving average."""

    def __init__(self, plan):
        import keras
        import tensorflow as tf

        from gan_lib.train_step import make_optimizers

        c, data, strategy = plan.config, plan.data, plan.strategy
        self.config, self.variant = c, plan.variant
        keras.utils.set_random_seed(c.seed)  # the initial weights
        replicas = strategy.num_replicas_in_sync if strategy else 1
        if c.batch_size % replicas:
            raise ConfigError(f"--batch-size {c.batch_size} must be a multiple of the "
                              f"{replicas} devices in use")
        scope = strategy.scope() if strategy else contextlib.nullcontext()
        with scope, precision_policy(c.mixed_precision):
            self.gan = plan.variant.build(tuple(int(s) for s in data.shape), data.num_classes)
            self.g_optimizer, self.d_optimizer = make_optimizers(c, self.gan)
        # The random generator and the step counter live outside the strategy: both are used
        # in cross-replica context only (all random numbers are drawn for the global batch).
        self.rng = tf.random.Generator.from_seed(c.seed)
        self.step = tf.Variable(0, dtype=tf.int64, trainable=False, name="step")
        # drawing the grids' inputs from a generator of their own changes nothing in training
        fixed_rng = tf.random.Generator.from_seed(c.seed + FIXED_SEED_OFFSET)
        self.fixed = self.variant.fixed_inputs(self.gan, fixed_rng, data)
        self.ema = GeneratorAverage(self.gan, c.ema, c.seed) if c.ema else None

    @property
    def global_step(self) -> int:
        return int(self.step.numpy())

    def checkpoint_parts(self) -> dict:
        """What the checkpoint saves besides the networks, optimisers, rng and step."""
        return {CHECKPOINT_KEY: self.ema.model} if self.ema is not None else {}

    def variables(self) -> list:
        """Every weight and optimiser moment: what must stay finite."""
        return (self.gan.generator.weights + self.gan.discriminator.weights
                + list(self.g_optimizer.variables) + list(self.d_optimizer.variables))

    def weights_are_finite(self) -> bool:
        """Are all weights and optimiser moments finite? Checked before every checkpoint, so a
        checkpoint never holds a diverged state."""
        from gan_lib.checkpoint import all_finite

        return all_finite(self.variables())

    # ------------------------------------------------------------------ sampling
    def sampling_gan(self, generator=None):
        """The GAN that samples come from: with ``ema`` on, its generator is the moving average
        (batch-norm statistics refreshed for it); otherwise the GAN being trained."""
        if generator is None and self.ema is not None:
            generator = self.ema.refresh()
        return self.gan if generator is None else dataclasses.replace(self.gan,
                                                                      generator=generator)

    def generate(self, z=None, labels=None) -> np.ndarray:
        """Images in [-1, 1] from the sampling generator in inference mode (batch norm uses its
        running statistics). Defaults to the fixed inputs of the sample grids."""
        if z is None:
            z, labels = self.fixed.z, self.fixed.labels
        return self.sampling_gan().generate(z, labels, training=False).numpy()

    def grid_images(self):
        """``(uint8 images, columns)`` of the sample grid now (the variant's layout)."""
        from gan_lib.data import to_uint8

        images, ncols = self.variant.grid(self.fixed, self.generate())
        return to_uint8(images), ncols
