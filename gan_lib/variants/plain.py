"""The plain GAN (Goodfellow et al., 2014): G maps noise to images, D tells real from fake.

``--model mlp`` is the Fashion-MNIST seed's network (dense layers); ``--model dcgan`` the
convolutional one of Radford et al. (2015). Everything it does is the base behaviour.
"""
from gan_lib.variants.base import Variant


class PlainGAN(Variant):
    """The base behaviour, with one recipe of its own (see :meth:`recipe_defaults`)."""

    archs = ()  # the --model name is the body: mlp or dcgan

    def recipe_defaults(self, resolution, channels):
        """The DCGAN at 28x28 grayscale (MNIST-size): batch 64 and Adam 1e-3 for both players,
        the recipe with the best quality per minute measured on a 2-core CPU (BENCHMARKS.md,
        section 3). Elsewhere (the MLP, colour, larger images) the paper's, as every variant."""
        if self.arch == "dcgan" and resolution == 28 and channels == 1:
            return {"batch_size": 64, "lr_g": 1e-3, "lr_d": 1e-3}
        return super().recipe_defaults(resolution, channels)
