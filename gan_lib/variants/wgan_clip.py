"""WGAN with weight clipping (Arjovsky et al., 2017), the first Wasserstein GAN.

D becomes a *critic* that scores images instead of classifying them; the Wasserstein-1 distance
between the data and the generator is

    W(p_data, p_g) = sup over 1-Lipschitz f of  E_x[f(x)] - E_z[f(G(z))],

so the critic maximises ``E[D(x)] - E[D(G(z))]`` (minimises its negative) and G minimises
``-E[D(G(z))]``. The sup is over 1-Lipschitz functions; this first WGAN enforces it crudely by
clipping every critic weight into [-c, c] after each update (c = 0.01 in the paper), which bounds
the Lipschitz constant by *some* K. WGAN-GP (``--loss wgan-gp``) replaced the clipping with a
gradient penalty because clipping wastes capacity and can make gradients explode or vanish.
The paper also trains the critic 5 times per G step with RMSProp at 5e-5: pass ``--d-steps 5``.

This module is the whole variant: its loss, its clipping hook and its checks. It is registered
by one line in ``gan_lib/variants/__init__.py``.
"""
import tensorflow as tf

from gan_lib.errors import ConfigError
from gan_lib.losses import GanLoss, wasserstein_d_loss, wasserstein_g_loss
from gan_lib.variants.base import Variant


class WeightClippedWGAN(Variant):
    kind = "wgan-clip"
    clip = 0.01  # c in the paper

    def validate(self):
        super().validate()
        if self.config.loss != "bce":
            raise ConfigError("wgan-clip has its own Wasserstein loss; drop --loss")
        if self.config.strategy != "none":
            raise ConfigError("wgan-clip trains on one device; drop --strategy")

    def loss(self):
        return GanLoss(wasserstein_d_loss, wasserstein_g_loss)

    def after_discriminator_update(self, gan):
        for weight in gan.discriminator.trainable_variables:
            weight.assign(tf.clip_by_value(weight, -self.clip, self.clip))
