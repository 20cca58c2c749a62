"""A moving average of the generator's weights: the generator that samples come from.

After every step (inside the compiled loop), each trainable weight of a copy of G moves
towards G's: ``ema = d * ema + (1 - d) * w`` with ``d = min(decay, (1 + t) / (10 + t))`` at
step t (the short warm-up of TensorFlow's ExponentialMovingAverage). Averaging the last few
thousand generators smooths out the oscillation of the game (Karras et al., 2018; Brock et al.,
2019 use it for every sample they show).

Why not ``keras.optimizers.Adam(use_ema=True)``: Keras averages the trainable weights only and
swaps them into the model being trained; batch norm's running statistics belong to the raw
weights, so :meth:`GeneratorAverage.refresh` recomputes them for the averaged ones, in a model
of its own that training never touches. The averaged model is saved in the run's checkpoint
under :data:`CHECKPOINT_KEY`, so a resumed run continues the same average.
"""
from __future__ import annotations

CHECKPOINT_KEY = "ema_generator"
REFRESH_SEED_OFFSET = 2_000_003  # the refresh's latent vectors: a seeded stream of their own


def sampled_generator_key(config) -> str:
    """The checkpoint entry samples come from: the average with ``--ema``, else G itself."""
    return CHECKPOINT_KEY if config.ema else "generator"


class GeneratorAverage:
    """The moving average of ``gan.generator``'s weights with ``decay`` (see the module)."""

    def __init__(self, gan, decay: float, seed: int):
        import keras

        self.decay, self.seed, self.gan = decay, seed, gan
        self.model = keras.models.clone_model(gan.generator)
        self.model.set_weights(gan.generator.get_weights())
        self._pairs = list(zip(self.model.trainable_variables, gan.generator.trainable_variables))

    def update(self, step) -> None:
        """One step of the average (graph code, run inside the compiled loop)."""
        import tensorflow as tf

        t = tf.cast(step, tf.float32)
        d = tf.minimum(self.decay, (1.0 + t) / (10.0 + t))
        for average, weight in self._pairs:
            average.assign(d * average + (1.0 - d) * tf.cast(weight, average.dtype))

    def refresh(self, batches: int = 8, size: int = 256):
        """Batch-norm statistics for the averaged weights: the mean and variance of each batch
        norm layer's inputs over ``batches`` fixed batches (a cumulative average). Returns the
        averaged model."""
        import dataclasses

        import keras
        import tensorflow as tf

        norms = [layer for layer in self.model.layers
                 if isinstance(layer, keras.layers.BatchNormalization)]
        if not norms:
            return self.model
        momenta = [layer.momentum for layer in norms]
        sampler = dataclasses.replace(self.gan, generator=self.model)
        latents = sampler.variant.sampling_latents(sampler, batches * size, size,
                                                   self.seed + REFRESH_SEED_OFFSET)
        try:
            for i, z in enumerate(latents):
                for layer in norms:
                    layer.momentum = i / (i + 1)  # moving = running mean of the batch stats
                labels = (tf.range(size) % sampler.num_classes) if sampler.conditional else None
                sampler.generate(z, labels, training=True)
        finally:
            for layer, momentum in zip(norms, momenta):
                layer.momentum = momentum
        return self.model
