"""The plain GAN (Goodfellow et al., 2014): G maps noise to images, D tells real from fake.

``--model mlp`` is the Fashion-MNIST seed's network (dense layers); ``--model dcgan`` the
convolutional one of Radford et al. (2015). Everything it does is the base behaviour.
"""
from gan_lib.variants.base import Variant


class PlainGAN(Variant):
    """Nothing to add: see :class:`~gan_lib.variants.base.Variant`."""
