"""A residual GAN (``--model resnet``): R3GAN's normalisation-free ResNet at MNIST size.

Huang et al. ("The GAN is dead; long live the GAN! A Modern GAN Baseline", NeurIPS 2024) show
that a plain ResNet with no normalisation, trained with the relativistic pairing loss and both
gradient penalties, is a strong baseline without StyleGAN's tricks. Their recipe here is

    --model resnet --loss rpgan --r1-gamma G --r2-gamma G --beta-1 0 --beta-2 0.99

(the networks are in resnet_models.py; the loss and the penalties work with every model). The
variant is unconditional; it trains with PacGAN's ``--pack`` and ``--minibatch-std``.
"""
from gan_lib import resnet_models
from gan_lib.errors import ConfigError
from gan_lib.gan import GAN
from gan_lib.variants.base import Variant

# Adam 2e-4 for both players (R3GAN's rate), batch 64 (the kit's 28x28 batch)
RESNET_RECIPE = {"batch_size": 64, "lr_g": 2e-4, "lr_d": 2e-4}


class ResNetGAN(Variant):
    """A plain GAN whose two networks are the residual ones of resnet_models.py."""

    @property
    def arch(self):
        return "resnet"

    def validate(self):
        super().validate()
        c = self.config
        if c.arch is not None:
            raise ConfigError("--arch chooses the body of a cgan/acgan/infogan/wgan-clip; drop "
                              "it with --model resnet")
        if c.spectral_norm or c.d_dropout:
            raise ConfigError("--model resnet's D has no normalisation or dropout (its residual "
                              "branches start at zero); drop --spectral-norm and --d-dropout")
        if c.resolution is not None:
            resnet_models.stages(c.resolution, 1)  # refuses the sides it cannot build

    def recipe_defaults(self, resolution, channels):
        """:data:`RESNET_RECIPE` at every size. R3GAN's Adam betas (0, 0.99) are not part of a
        recipe default: pass ``--beta-1 0 --beta-2 0.99``."""
        return dict(RESNET_RECIPE)

    def base_filters(self, resolution: int) -> int:
        return self.config.base_filters or resnet_models.default_base_filters(resolution)

    def spec(self, image_shape, num_classes):
        """The base spec with the width actually built (a default may change between versions,
        and the checkpoint must still be checked against the shapes it holds)."""
        return dict(super().spec(image_shape, num_classes),
                    base_filters=self.base_filters(image_shape[0]),
                    widest=resnet_models.WIDEST)

    def build(self, image_shape, num_classes=None):
        c = self.config
        res, channels = image_shape[0], image_shape[2]
        b = self.base_filters(res)
        g = resnet_models.build_resnet_generator(c.latent_dim, res, channels, b)
        d = resnet_models.build_resnet_discriminator(res, channels, b, c.pack, c.minibatch_std)
        return GAN(g, d, c.latent_dim, tuple(image_shape), None, self)
