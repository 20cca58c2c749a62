"""The compiled call: ``k`` train steps in one TensorFlow graph, and the schedules inside it.

A Python loop around a compiled step pays Python's overhead every step; a ``tf.while_loop``
over steps pays it once per call. The loop (loop.py) ends its calls on the callbacks'
intervals, so ``k`` varies. Instance noise and the learning-rate decay follow the absolute step
counter inside the graph, so every split of a run into calls trains the same run, bit for bit.
"""
from __future__ import annotations


def instance_noise_level(level: float, horizon: int, step):
    """Instance noise's std at ``step`` (a tensor): ``level``, annealed linearly to 0 at
    ``horizon``. It depends on the absolute step only, and is computed by the same float32 ops
    inside the compiled loop and outside it, so every split of a run into calls agrees."""
    import tensorflow as tf

    if not level:
        return tf.constant(0.0)
    done = tf.cast(step, tf.float32) / tf.constant(float(horizon), tf.float32)
    return tf.constant(level, tf.float32) * tf.maximum(0.0, 1.0 - done)


def learning_rate_scale(decay: float, total: int, step):
    """The learning rates' factor at ``step`` (a tensor): 1, then down linearly over the last
    ``decay`` fraction of a ``total``-step run, reaching 1 / (decay * total) at its last step.
    Ending a short run with small steps lets G settle instead of stopping mid-oscillation. Like
    instance noise it follows the absolute step, so every split of a run into calls agrees."""
    import tensorflow as tf

    left = tf.cast(total - step, tf.float32) / tf.constant(decay * total, tf.float32)
    return tf.clip_by_value(left, 0.0, 1.0)


def build_multi_step(plan, state, metric_keys, after_step):
    """``multi_step(iterator, k)``: ``k`` train steps in one graph, a ``tf.while_loop`` that
    pulls each batch from the tf.data iterator itself and stacks the per-step metrics.
    ``after_step()`` (graph code: the moving average, callbacks' own) runs after every step."""
    import tensorflow as tf

    c, total = plan.config, plan.total_steps
    train_step = plan.variant.make_step(state.gan, state.g_optimizer, state.d_optimizer,
                                        state.rng, state.step, plan.strategy)

    def one_step(iterator):
        images, labels = next(iterator)
        std = instance_noise_level(c.instance_noise, c.instance_noise_steps, state.step)
        if c.lr_decay:  # both players' learning rates follow the schedule
            scale = learning_rate_scale(c.lr_decay, total, state.step)
            state.g_optimizer.learning_rate.assign(c.lr_g * scale)
            state.d_optimizer.learning_rate.assign(c.lr_d * scale)
        metrics = train_step(images, labels, std)
        after_step()  # read when the loop is traced, at its first call
        return {key: tf.cast(metrics[key], tf.float32) for key in metric_keys}

    if plan.strategy is not None:
        # One step per call: collective ops (gradient all-reduce, synchronised batch norm)
        # inside a graph while-loop can pair up out of order between replicas.
        @tf.function
        def single_step(iterator, k):
            return {key: tf.reshape(v, [1]) for key, v in one_step(iterator).items()}

        return single_step

    @tf.function
    def multi_step(iterator, k):
        arrays = {key: tf.TensorArray(tf.float32, size=k) for key in metric_keys}
        for i in tf.range(k):
            metrics = one_step(iterator)
            arrays = {key: arrays[key].write(i, metrics[key]) for key in metric_keys}
        return {key: arrays[key].stack() for key in metric_keys}

    return multi_step
