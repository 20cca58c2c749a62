"""One training step of a GAN, compiled into a single ``tf.function``.

Read :class:`GANStep` top to bottom: it is notebook 01's hand-written step with names.

1. ``draw_noise``: every random number of the step, drawn first and in a fixed order from one
   ``tf.random.Generator`` (saved in the checkpoint), so a resumed run draws exactly the numbers
   the uninterrupted run would have drawn.
2. ``discriminator_update``: D scores a real and a generated batch and steps down the gradient of
   its loss (a loss with a penalty of its own adds it, WGAN-GP's on interpolates, R1/R2 theirs
   on the real/generated batch; ACGAN/InfoGAN their auxiliary loss). With ``d_steps`` > 1 this
   happens that many times.
3. G's update (``generator_loss``, then one optimiser step), in one of the two update orders
   (a relativistic loss such as ``rpgan`` also gives G's loss D's logits on the real batch: from
   the updated D when alternating, from the shared pass when simultaneous):

   * ``alternating`` (default; Goodfellow et al.'s Algorithm 1): D steps first, then G's gradient
     goes through the *updated* D. G's forward pass is recorded once and shared: D trains on a
     stopped copy of the batch, then judges the same batch again for G.
   * ``simultaneous`` (the TensorFlow DCGAN tutorial's step): both gradients come from one
     forward pass through the old D, then both players step.

Each update changes only its own player's variables, so D needs no ``trainable = False``.
"""
from __future__ import annotations

from typing import NamedTuple

import tensorflow as tf

from gan_lib.distribute import role_of
from gan_lib.losses import judged_with_gradient_norm


class Draw(NamedTuple):
    """The random numbers of one discriminator update (``None`` where a trick is off)."""

    z: tf.Tensor                        # latent vectors of the generated batch
    real_noise: tf.Tensor | None        # instance noise added to the real batch
    fake_noise: tf.Tensor | None        # ... and to the generated batch
    mix: tf.Tensor | None               # the loss's penalty draw (WGAN-GP: weights [B, 1, 1, 1])


class Draws(NamedTuple):
    d: tuple                            # one Draw per discriminator update
    g_noise: tf.Tensor | None           # instance noise on the batch G is judged on


class DiscriminatorLoss(NamedTuple):
    objective: tf.Tensor                # what is differentiated (aux and loss scale included)
    loss: tf.Tensor                     # the GAN loss alone, for the log
    real_logits: tf.Tensor
    fake_logits: tf.Tensor
    fake_aux: tf.Tensor | None          # D's auxiliary output on the fakes (ACGAN, InfoGAN)


class GeneratorLoss(NamedTuple):
    objective: tf.Tensor
    loss: tf.Tensor
    aux: tf.Tensor                      # auxiliary loss (0 for plain GANs)


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


def apply(optimizer, gradients, variables):
    """One optimiser step with ``gradients`` of ``variables``."""
    optimizer.apply_gradients(zip(gradients, variables))


class GANStep:
    """The train step of every noise-to-image variant; ``compiled()`` gives the ``tf.function``.

    ``step(real, labels, noise_std)`` returns a dict of scalar tensors: ``d_loss``, ``g_loss``,
    ``d_real`` = mean D(x) and ``d_fake`` = mean D(G(z)) (sigmoids of D's logits, as in the DCGAN
    paper's logs; for lsgan/hinge/wgan-gp, D's output is a score, so read them as trends only),
    plus the variant's extra metrics. ``noise_std`` is this step's instance-noise level.
    ``step_counter`` is incremented inside the same compiled call, so the weights and the step
    count never disagree, even if the process dies between two steps.
    """

    def __init__(self, gan, g_optimizer, d_optimizer, config, rng, step_counter=None,
                 strategy=None):
        self.gan, self.variant, self.config = gan, gan.variant, config
        self.g_optimizer, self.d_optimizer = g_optimizer, d_optimizer
        self.rng, self.step_counter, self.strategy = rng, step_counter, strategy
        # several workers each read their own shard of the global batch (see distribute.py)
        self.role = role_of(strategy)
        self.loss = self.variant.loss()
        self.real_target, self.fake_target = 1.0 - config.label_smoothing, config.fake_label
        self.g_vars = gan.generator.trainable_variables
        self.d_vars = gan.discriminator.trainable_variables

    def compiled(self):
        jit = self.config.jit_compile and self.strategy is None
        return tf.function(self.step, jit_compile=jit, reduce_retracing=True)

    # ------------------------------------------------------------------ the step, top to bottom
    def step(self, real, labels, noise_std):
        shape = tf.shape(real)  # the global batch's: this worker's shard times the workers
        draws = self.draw_noise(tf.concat([[shape[0] * self.role.count], shape[1:]], 0))
        if self.strategy is None:
            metrics = self.play(real, labels, noise_std, draws)
        else:
            metrics = self.play_on_replicas(real, labels, noise_std, draws)
        if self.step_counter is not None:
            self.step_counter.assign_add(1)
        return metrics

    def draw_noise(self, shape) -> Draws:
        """Every random number of one step, for the whole (global) batch, in a fixed order."""
        c, batch = self.config, shape[0]
        d = []
        for _ in range(c.d_steps):
            z = self.gan.latent(self.rng, batch)
            real_noise = self.rng.normal(shape) if c.instance_noise else None
            fake_noise = self.rng.normal(shape) if c.instance_noise else None
            mix = self.loss.draw_penalty(self.rng, batch)
            d.append(Draw(z, real_noise, fake_noise, mix))
        g_noise = self.rng.normal(shape) if c.instance_noise else None
        return Draws(tuple(d), g_noise)

    def play(self, real, labels, noise_std, draws, share=1.0):
        """The updates of one step; ``share`` scales the losses (1 / replicas when distributed)."""
        for draw in draws.d[:-1]:  # extra critic updates (d_steps > 1), unrolled at trace time
            fake = self.gan.generate(draw.z, labels, training=True)
            self.discriminator_update(real, fake, labels, noise_std, draw, share)
        if self.config.updates == "simultaneous":
            return self.simultaneous(real, labels, noise_std, draws, share)
        return self.alternating(real, labels, noise_std, draws, share)

    def alternating(self, real, labels, noise_std, draws, share):
        """D steps on the generated batch, then the updated D judges it again for G."""
        draw = draws.d[-1]
        with tf.GradientTape() as tape:
            fake = self.gan.generate(draw.z, labels, training=True)
            with tape.stop_recording():
                d = self.discriminator_update(real, tf.stop_gradient(fake), labels, noise_std,
                                              draw, share)
                real_logits = self.judged_real(real, labels, noise_std, draw)
            if draws.g_noise is not None:
                fake = fake + noise_std * draws.g_noise
            g = self.generator_loss(*self.judge(fake, labels), labels, draw.z, share,
                                    real_logits)
        apply(self.g_optimizer, tape.gradient(g.objective, self.g_vars), self.g_vars)
        return self.summary(d, g, share)

    def judged_real(self, real, labels, noise_std, draw):
        """The updated D's logits on the real batch D just trained on (noise included), for a
        relativistic G loss; ``None`` (and no pass through D) for every other loss. G's gradient
        does not flow through them: call it where the tape is not recording."""
        if not self.loss.g_needs_real:
            return None
        if draw.real_noise is not None:
            real = real + noise_std * draw.real_noise
        return self.judge(real, labels)[0]

    def simultaneous(self, real, labels, noise_std, draws, share):
        """Both gradients from one pass through the old D, then both updates."""
        draw = draws.d[-1]
        with tf.GradientTape(persistent=True) as tape:
            fake = self.gan.generate(draw.z, labels, training=True)
            d = self.discriminator_loss(real, fake, labels, noise_std, draw, share)
            g = self.generator_loss(d.fake_logits, d.fake_aux, labels, draw.z, share,
                                    d.real_logits if self.loss.g_needs_real else None)
        d_grads = tape.gradient(d.objective, self.d_vars)  # both first: G's gradient uses the
        g_grads = tape.gradient(g.objective, self.g_vars)  # old D's weights
        apply(self.d_optimizer, d_grads, self.d_vars)
        self.variant.after_discriminator_update(self.gan)
        apply(self.g_optimizer, g_grads, self.g_vars)
        return self.summary(d, g, share)

    # ------------------------------------------------------------------ the two players' moves
    def discriminator_update(self, real, fake, labels, noise_std, draw, share):
        """One step of D on a real and a generated batch (the generator is not touched)."""
        with tf.GradientTape() as tape:
            d = self.discriminator_loss(real, fake, labels, noise_std, draw, share)
        apply(self.d_optimizer, tape.gradient(d.objective, self.d_vars), self.d_vars)
        self.variant.after_discriminator_update(self.gan)
        return d

    def discriminator_loss(self, real, fake, labels, noise_std, draw, share) -> DiscriminatorLoss:
        """D's loss (call it inside a tape): real images should score "real", fakes "fake"."""
        if draw.real_noise is not None:  # instance noise blurs both distributions alike
            real, fake = real + noise_std * draw.real_noise, fake + noise_std * draw.fake_noise
        # R1 / R2: gamma/2 * E||grad_x D(x)||^2 on the real / generated batch (0: off)
        (real_logits, real_aux), r1 = self.judged(real, labels, self.config.r1_gamma)
        (fake_logits, fake_aux), r2 = self.judged(fake, labels, self.config.r2_gamma)
        loss = self.loss.d_loss(real_logits, fake_logits, self.real_target, self.fake_target)
        loss += r1 + r2
        if draw.mix is not None:  # the loss's own penalty (WGAN-GP's, on interpolates)
            critic = lambda x: self.judge(x, labels)[0]  # noqa: E731
            loss += self.loss.d_penalty(critic, real, fake, draw.mix, self.config.gp_weight)
        aux = self.variant.d_aux_loss(real_aux, fake_aux, labels, draw.z)
        objective = scaled(self.d_optimizer, (loss + self.config.aux_weight * aux) * share)
        return DiscriminatorLoss(objective, loss, real_logits, fake_logits, fake_aux)

    def judged(self, images, labels, gamma):
        """``(judge(images), gamma/2 * E||grad_x D(x)||^2)``; with gamma 0, no penalty and no
        extra backward pass. On the real batch this is R1, on the generated one R2."""
        if not gamma:
            return self.judge(images, labels), 0.0
        out, norm = judged_with_gradient_norm(lambda x: self.judge(x, labels), images)
        return out, gamma / 2 * norm

    def generator_loss(self, fake_logits, fake_aux, labels, z, share,
                       real_logits=None) -> GeneratorLoss:
        """G's loss from D's verdict on its batch (call it inside the tape that recorded G);
        a relativistic loss (``g_needs_real``) also gets D's ``real_logits``."""
        loss = (self.loss.g_loss(fake_logits, real_logits) if self.loss.g_needs_real
                else self.loss.g_loss(fake_logits))
        aux = self.variant.g_aux_loss(fake_aux, labels, z)
        objective = scaled(self.g_optimizer, (loss + self.config.aux_weight * aux) * share)
        return GeneratorLoss(objective, loss, aux)

    def judge(self, images, labels):
        """D's logits and auxiliary output, packed first for PacGAN."""
        return self.gan.judge(pack_images(images, self.config.pack), labels, training=True)

    def summary(self, d: DiscriminatorLoss, g: GeneratorLoss, share):
        probability = lambda logits: tf.reduce_mean(tf.sigmoid(tf.cast(logits, tf.float32)))  # noqa: E731
        out = {"d_loss": d.loss * share, "g_loss": g.loss * share,
               "d_real": probability(d.real_logits) * share,
               "d_fake": probability(d.fake_logits) * share}
        if "aux_loss" in self.variant.extra_metrics:
            out["aux_loss"] = g.aux * share
        return out

    # ------------------------------------------------------------------ several devices
    def play_on_replicas(self, real, labels, noise_std, draws):
        """tf.distribute: the random numbers were drawn for the global batch; each replica plays
        its slice with its losses divided by the number of replicas, and the optimisers sum the
        replicas' gradients: the gradient of the global-batch mean, as on one device."""
        per_replica = self.strategy.run(self._replica_step, args=(real, labels, noise_std, draws))
        return {k: self.strategy.reduce(tf.distribute.ReduceOp.SUM, v, axis=None)
                for k, v in per_replica.items()}

    def _replica_step(self, real, labels, noise_std, draws):
        context = tf.distribute.get_replica_context()
        n, i = context.num_replicas_in_sync, context.replica_id_in_sync_group
        per = tf.shape(real)[0] * self.role.count // n
        local = lambda x: None if x is None else x[i * per:(i + 1) * per]  # noqa: E731
        draws = Draws(tuple(Draw(*map(local, draw)) for draw in draws.d), local(draws.g_noise))
        j = i - self.role.index * (n // self.role.count)  # this replica within the worker's shard
        mine = lambda x: x[j * per:(j + 1) * per]  # noqa: E731
        return self.play(mine(real), mine(labels), noise_std, draws, 1.0 / n)


def make_train_step(gan, g_optimizer, d_optimizer, rng, step_counter=None, strategy=None):
    """The compiled train step of ``gan``'s variant (see :class:`GANStep`), which reads its
    settings from the variant's config."""
    return gan.variant.make_step(gan, g_optimizer, d_optimizer, rng, step_counter, strategy)


def make_optimizers(config, gan):
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


__all__ = ["GANStep", "Draw", "Draws", "DiscriminatorLoss", "GeneratorLoss", "pack_images",
           "scaled", "apply", "make_train_step", "make_optimizers"]
