"""A residual GAN (``--model resnet``): R3GAN's normalisation-free ResNet at MNIST size.

Huang et al. ("The GAN is dead; long live the GAN! A Modern GAN Baseline", NeurIPS 2024) show
that a plain ResNet with no normalisation, trained with the relativistic pairing loss and both
gradient penalties, is a strong baseline without StyleGAN's tricks. Their recipe here is

    --model resnet --loss rpgan --r1-gamma G --r2-gamma G --beta-1 0 --beta-2 0.99

(the networks are in resnet_models.py; the loss and the penalties work with every model). The
variant is unconditional; it trains with PacGAN's ``--pack`` and ``--minibatch-std``. The same
networks conditioned on the class label are ``--model cgan --arch resnet``.
"""
from gan_lib.variants.base import Variant

# Adam 2e-4 for both players (R3GAN's rate), batch 64 (the kit's 28x28 batch)
RESNET_RECIPE = {"batch_size": 64, "lr_g": 2e-4, "lr_d": 2e-4}


class ResNetGAN(Variant):
    """A plain GAN whose two networks are the residual ones of resnet_models.py (the base
    builds them for ``arch == "resnet"``, as it does for a ``--model cgan --arch resnet``)."""

    archs = ()  # one body: the residual one

    @property
    def arch(self):
        return "resnet"

    def recipe_defaults(self, resolution, channels):
        """:data:`RESNET_RECIPE` at every size. R3GAN's Adam betas (0, 0.99) are not part of a
        recipe default: pass ``--beta-1 0 --beta-2 0.99``."""
        return dict(RESNET_RECIPE)
