"""pix2pix's building blocks under their first name (notebook 09 imports them from here); the
variant itself lives in gan_lib/variants/pix2pix.py."""
from gan_lib.variants.pix2pix import (TASKS, build_patch_discriminator, build_unet, degrade,
                                      translate_images)

__all__ = ["TASKS", "build_patch_discriminator", "build_unet", "degrade", "translate_images"]
