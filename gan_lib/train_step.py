"""One training step of a GAN, compiled into a single ``tf.function``.

A step is the two moves of the game, each one ``tf.GradientTape`` and one optimiser update:

1. **Discriminator** (``d_steps`` times): score a real batch and a generated batch, and step D's
   weights down the gradient of its loss (WGAN-GP adds the gradient penalty here).
2. **Generator**: let the just-updated D score the last generated batch again, and step G's
   weights down the gradient of G's loss *through* D; only G's variables are updated, so D needs
   no ``trainable = False``.

That is ``updates="alternating"`` (the default, Goodfellow et al.'s Algorithm 1).
``updates="simultaneous"`` takes both gradients from one forward pass through the old D, as the
TensorFlow DCGAN tutorial does: one D pass over the fake batch cheaper, a slightly different game.

All randomness (latent vectors, instance noise, WGAN-GP's mixing weights) is drawn from one
``tf.random.Generator`` whose state is saved in the checkpoint, so a resumed run draws exactly
the numbers the uninterrupted run would have drawn.
"""
from __future__ import annotations

import tensorflow as tf

from gan_lib.config import TrainConfig
from gan_lib.losses import get_loss, gradient_penalty
from gan_lib.models import GAN


def pack_images(images, pack: int):
    """PacGAN: [B, H, W, C] -> [B / pack, H, W, pack * C], consecutive images side by side in the
    channel axis, so D judges ``pack`` samples at once and can spot a lack of variety."""
    if pack == 1:
        return images
    shape = tf.shape(images)
    x = tf.reshape(images, [shape[0] // pack, pack, shape[1], shape[2], shape[3]])
    x = tf.transpose(x, [0, 2, 3, 1, 4])
    return tf.reshape(x, [shape[0] // pack, shape[1], shape[2], pack * shape[3]])


def scaled(optimizer, loss):
    """The loss to differentiate (call it inside the tape). With mixed precision the optimiser
    is a ``LossScaleOptimizer``: the loss is scaled up so that small float16 gradients do not
    underflow, and ``apply_gradients`` scales them back (skipping the step if any overflowed)."""
    return optimizer.scale_loss(loss) if hasattr(optimizer, "scale_loss") else loss


def update(optimizer, tape, loss, variables):
    """One optimiser step down the gradient of ``loss`` (already passed through ``scaled``)."""
    optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))


def _class_cross_entropy(labels, logits):
    return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=tf.cast(labels, tf.int32), logits=tf.cast(logits, tf.float32)))


def information_loss(q_output, z, noise_dim: int):
    """InfoGAN's mutual-information term, as a loss (Chen et al., 2016).

    Maximising the lower bound ``E[log Q(c | G(z, c))]`` of I(c; G(z, c)) is, for the categorical
    code, the cross-entropy of Q's category logits against the code that made the image, and for
    each continuous code (a Gaussian Q with unit variance) half the squared error, up to a constant.
    """
    from gan_lib.models import INFO_CATEGORIES

    codes = z[:, noise_dim:]
    category = tf.argmax(codes[:, :INFO_CATEGORIES], axis=1)
    continuous = codes[:, INFO_CATEGORIES:]
    q = tf.cast(q_output, tf.float32)
    categorical = _class_cross_entropy(category, q[:, :INFO_CATEGORIES])
    gaussian = 0.5 * tf.reduce_mean(tf.reduce_sum(tf.square(q[:, INFO_CATEGORIES:] - continuous),
                                                  axis=1))
    return categorical + gaussian


def auxiliary_d_loss(kind, real_aux, fake_aux, labels, z, noise_dim):
    """ACGAN (Odena et al., 2017): D also classifies, real images by their label and generated
    ones by the label they were made for. InfoGAN: Q (sharing D's trunk) recovers the codes."""
    if kind == "acgan":
        return _class_cross_entropy(labels, real_aux) + _class_cross_entropy(labels, fake_aux)
    if kind == "infogan":
        return information_loss(fake_aux, z, noise_dim)
    return tf.constant(0.0)


def auxiliary_g_loss(kind, fake_aux, labels, z, noise_dim):
    """G wants its images classified as the requested label (ACGAN) / its codes recoverable."""
    if kind == "acgan":
        return _class_cross_entropy(labels, fake_aux)
    if kind == "infogan":
        return information_loss(fake_aux, z, noise_dim)
    return tf.constant(0.0)


def make_train_step(gan: GAN, g_optimizer, d_optimizer, config: TrainConfig,
                    rng: tf.random.Generator, step_counter: tf.Variable | None = None,
                    strategy: tf.distribute.Strategy | None = None):
    """Return ``step(real_images, labels, noise_std) -> dict of scalar tensors``.

    The returned dict holds ``d_loss``, ``g_loss``, ``d_real`` = mean D(x) and ``d_fake`` = mean
    D(G(z)) (probabilities, i.e. the sigmoid of D's logits, as in the DCGAN paper's logs; for the
    lsgan/hinge/wgan-gp losses D's output is a score rather than a logit, so read these two as
    trends only). ``noise_std`` is the instance-noise level for this step (0 for none).
    ``step_counter``, if given, is incremented inside the same compiled call, so the weights and
    the step count can never disagree, even if the process is interrupted between two steps.

    With a ``tf.distribute`` ``strategy`` the random numbers for the whole global batch are drawn
    first, then each replica computes its slice of the batch with its losses divided by the number
    of replicas; the optimisers sum the replicas' gradients, which gives the gradient of the
    global-batch mean: the same update as one device computing the whole batch.
    """
    loss = get_loss(config.loss)
    real_target = 1.0 - config.label_smoothing
    fake_target = config.fake_label
    g_vars = gan.generator.trainable_variables
    d_vars = gan.discriminator.trainable_variables

    def judge(images, labels):
        """D's logits and its auxiliary output (None for plain and conditional GANs)."""
        out = gan.discriminate(pack_images(images, config.pack), labels, training=True)
        return (out[0], out[1]) if isinstance(out, (list, tuple)) else (out, None)

    def draw(real):
        """Every random number of one step, for the global batch, in a fixed order."""
        batch, shape = tf.shape(real)[0], tf.shape(real)
        noise = {}
        for i in range(config.d_steps):
            noise[f"z_d{i}"] = gan.latent(rng, batch)
            if config.instance_noise:
                noise[f"noise_real{i}"] = rng.normal(shape)
                noise[f"noise_fake{i}"] = rng.normal(shape)
            if config.loss == "wgan-gp":
                noise[f"eps{i}"] = rng.uniform([batch, 1, 1, 1])
        if config.instance_noise:
            noise["noise_g"] = rng.normal(shape)
        return noise

    def d_update(i, real, labels, noise_std, noise, share, fake=None):
        z = noise[f"z_d{i}"]
        if fake is None:
            fake = gan.generate(z, labels, training=True)
        real_in, fake_in = with_instance_noise(i, real, fake, noise_std, noise)
        with tf.GradientTape() as tape:
            d_objective, d_loss, real_logits, fake_logits, aux, _ = judge_both(
                i, real_in, fake_in, labels, z, noise, share)
        update(d_optimizer, tape, d_objective, d_vars)
        return d_loss, real_logits, fake_logits, aux

    def with_instance_noise(i, real, fake, noise_std, noise):
        """D's inputs for its ``i``-th update: both batches plus their drawn noise, if any."""
        if not config.instance_noise:
            return real, fake
        return (real + noise_std * noise[f"noise_real{i}"],
                fake + noise_std * noise[f"noise_fake{i}"])

    def judge_both(i, real_in, fake_in, labels, z, noise, share):
        """D's loss on a real and a generated batch (call it inside a tape): the objective to
        differentiate, the loss itself, both batches' logits, and the auxiliary outputs."""
        real_logits, real_aux = judge(real_in, labels)
        fake_logits, fake_aux = judge(fake_in, labels)
        d_loss = loss.d_loss(real_logits, fake_logits, real_target, fake_target)
        if config.loss == "wgan-gp":
            critic = lambda x: judge(x, labels)[0]  # noqa: E731
            d_loss += config.gp_weight * gradient_penalty(critic, real_in, fake_in,
                                                          noise[f"eps{i}"])
        aux = auxiliary_d_loss(gan.kind, real_aux, fake_aux, labels, z, gan.noise_dim)
        d_objective = scaled(d_optimizer, (d_loss + config.aux_weight * aux) * share)
        return d_objective, d_loss, real_logits, fake_logits, aux, fake_aux

    def compute(real, labels, noise_std, noise, share=1.0):
        last = config.d_steps - 1
        for i in range(last):  # extra critic steps (WGAN-GP), unrolled at trace time
            d_update(i, real, labels, noise_std, noise, share)
        if config.updates == "simultaneous":
            return simultaneous(last, real, labels, noise_std, noise, share)
        # The last D update and the G update share one generated batch (as in the PyTorch
        # DCGAN example): G's forward pass is recorded once, D is updated on a stopped copy,
        # then the *updated* D judges the same batch for G's gradient. Still alternating
        # updates, at the cost of one G forward pass per step instead of two.
        z = noise[f"z_d{last}"]
        with tf.GradientTape() as tape:
            fake = gan.generate(z, labels, training=True)
            with tape.stop_recording():
                d_loss, real_logits, fake_logits, _ = d_update(
                    last, real, labels, noise_std, noise, share, fake=tf.stop_gradient(fake))
            if config.instance_noise:
                fake = fake + noise_std * noise["noise_g"]
            fake_logits_g, fake_aux = judge(fake, labels)
            g_loss = loss.g_loss(fake_logits_g)
            aux = auxiliary_g_loss(gan.kind, fake_aux, labels, z, gan.noise_dim)
            g_objective = scaled(g_optimizer, (g_loss + config.aux_weight * aux) * share)
        update(g_optimizer, tape, g_objective, g_vars)
        return summary(d_loss, g_loss, real_logits, fake_logits, aux, share)

    def simultaneous(i, real, labels, noise_std, noise, share):
        """Both players' gradients from one forward pass (the TensorFlow DCGAN tutorial's step):
        D judges the generated batch once, and G's gradient is taken through the same,
        not-yet-updated D. One D pass over the fake batch cheaper than alternating updates."""
        z = noise[f"z_d{i}"]
        with tf.GradientTape(persistent=True) as tape:
            fake = gan.generate(z, labels, training=True)
            real_in, fake_in = with_instance_noise(i, real, fake, noise_std, noise)
            d_objective, d_loss, real_logits, fake_logits, _, fake_aux = judge_both(
                i, real_in, fake_in, labels, z, noise, share)
            g_loss = loss.g_loss(fake_logits)
            g_aux = auxiliary_g_loss(gan.kind, fake_aux, labels, z, gan.noise_dim)
            g_objective = scaled(g_optimizer, (g_loss + config.aux_weight * g_aux) * share)
        # both gradients first, then both updates: G's gradient uses D's weights before D's step
        d_grads = tape.gradient(d_objective, d_vars)
        g_grads = tape.gradient(g_objective, g_vars)
        d_optimizer.apply_gradients(zip(d_grads, d_vars))
        g_optimizer.apply_gradients(zip(g_grads, g_vars))
        return summary(d_loss, g_loss, real_logits, fake_logits, g_aux, share)

    def summary(d_loss, g_loss, real_logits, fake_logits, aux, share):
        out = {
            "d_loss": d_loss * share,
            "g_loss": g_loss * share,
            "d_real": tf.reduce_mean(tf.sigmoid(tf.cast(real_logits, tf.float32))) * share,
            "d_fake": tf.reduce_mean(tf.sigmoid(tf.cast(fake_logits, tf.float32))) * share,
        }
        if gan.kind in ("acgan", "infogan"):
            out["aux_loss"] = aux * share
        return out

    def on_replica(real, labels, noise_std, noise):
        context = tf.distribute.get_replica_context()
        n, i = context.num_replicas_in_sync, context.replica_id_in_sync_group
        per = tf.shape(real)[0] // n
        local = lambda x: x[i * per:(i + 1) * per]  # noqa: E731
        return compute(local(real), local(labels), noise_std, tf.nest.map_structure(local, noise),
                       1.0 / n)

    def step(real, labels, noise_std):
        noise = draw(real)
        if strategy is None:
            out = compute(real, labels, noise_std, noise)
        else:
            per_replica = strategy.run(on_replica, args=(real, labels, noise_std, noise))
            out = {k: strategy.reduce(tf.distribute.ReduceOp.SUM, v, axis=None)
                   for k, v in per_replica.items()}
        if step_counter is not None:
            step_counter.assign_add(1)
        return out

    return tf.function(step, jit_compile=config.jit_compile and strategy is None,
                       reduce_retracing=True)


def make_optimizers(config: TrainConfig, gan: GAN):
    """Adam for G and D (DCGAN's 2e-4, beta_1 0.5 by default), built at once.

    Keras 3 optimisers create their slot variables lazily on the first update; building them now
    means a checkpoint can be restored into them before any step (otherwise the restore would
    silently skip the moments and the resumed run would not match).
    """
    import keras

    g_opt = keras.optimizers.Adam(config.lr_g, beta_1=config.beta_1, beta_2=config.beta_2)
    d_opt = keras.optimizers.Adam(config.lr_d, beta_1=config.beta_1, beta_2=config.beta_2)
    if config.mixed_precision:
        g_opt = keras.optimizers.LossScaleOptimizer(g_opt)
        d_opt = keras.optimizers.LossScaleOptimizer(d_opt)
    g_opt.build(gan.generator.trainable_variables)
    d_opt.build(gan.discriminator.trainable_variables)
    return g_opt, d_opt
