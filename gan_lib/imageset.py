"""An :class:`ImageSet`: the images (or 2-D points) of one split, as every loader returns them.

It is the one type the loaders (gan_lib/mnist_files.py, image_folders.py, stacked_mnist.py,
mixtures.py) share with the input pipeline (gan_lib/data.py), so it sits below all of them.
"""
from __future__ import annotations

import dataclasses

import numpy as np


@dataclasses.dataclass
class ImageSet:
    """Images of one split, ready for the pipeline.

    ``images`` is a uint8 array [N, H, W, C] held in memory, or ``None`` for a large folder that is
    streamed from ``paths``. ``labels`` is an int32 array [N] or ``None`` when the data has no classes.
    For the 2-D point sets (``mixtures.load_points``) ``images`` is float32 [N, 1, 1, 2]: each point is
    a 1 x 1 "image" with two channels, x and y, in the units the model sees.
    """

    name: str
    shape: tuple  # (H, W, C)
    images: np.ndarray | None = None
    labels: np.ndarray | None = None
    paths: list | None = None
    class_names: list | None = None

    def __len__(self):
        return len(self.images) if self.images is not None else len(self.paths)

    @property
    def num_classes(self):
        return len(self.class_names) if self.class_names else None


def steps_per_epoch(data: ImageSet, batch_size: int) -> int:
    """Full batches in one pass over the data (the last, partial batch is dropped so that every
    step has the same shape and the compiled step is traced once)."""
    return len(data) // batch_size


def resized(data: ImageSet, resolution: int, channels: int) -> ImageSet:
    """``data`` resized to ``resolution`` x ``resolution`` with ``channels`` channels (antialiased,
    rounded back to uint8; grey becomes RGB or RGB grey as needed)."""
    import tensorflow as tf

    out = []
    for start in range(0, len(data.images), 4096):
        x = tf.image.resize(tf.cast(data.images[start:start + 4096], tf.float32),
                            [resolution, resolution], antialias=True)
        if channels == 3 and x.shape[-1] == 1:
            x = tf.image.grayscale_to_rgb(x)
        elif channels == 1 and x.shape[-1] == 3:
            x = tf.image.rgb_to_grayscale(x)
        out.append(tf.cast(tf.clip_by_value(tf.round(x), 0, 255), tf.uint8).numpy())
    return dataclasses.replace(data, images=np.concatenate(out),
                               shape=(resolution, resolution, channels))
