"""Datasets and the input pipeline.

A GAN sees its data as an endless stream of batches of images scaled to [-1, 1], the range of the
generator's tanh output. This module gets the images and builds that stream.

Where the images come from, in order:

1. ``mnist`` and ``fashion_mnist`` (the tensorflow-datasets names) are read from the original IDX
   files (``train-images-idx3-ubyte.gz`` ...) in ``$GAN_DATA_DIR/mnist/`` or
   ``$GAN_DATA_DIR/fashion-mnist/``, else from the repository's ``data/`` folder; otherwise
   tensorflow-datasets downloads them, as it would for any user with internet
   (gan_lib/mnist_files.py);
2. ``stacked_mnist`` stacks three MNIST digits as one RGB image (gan_lib/stacked_mnist.py);
3. any other ``dataset`` value is a folder of images (PNG, JPEG, BMP, GIF), searched recursively and
   resized to the model's resolution. Sub-folders, if every image sits in one, become class labels
   (gan_lib/image_folders.py).

Two names are not images at all: ``ring8`` and ``grid25`` are 2-D points drawn from the mixtures of
Gaussians of the mode-collapse papers (``mixtures.load_points``). They travel through the same
pipeline as float32 "images" of shape (1, 1, 2), already in model units.

:func:`load_dataset` picks the loader by name; each loader returns an :class:`ImageSet`
(gan_lib/imageset.py). The names below are imported here so that ``gan_lib.data`` stays the one
place to import a dataset's parts from.

The stream is *deterministic*: the order of examples in epoch ``e`` is a pure function of
``(seed, e)``. A run resumed at step ``s`` therefore sees exactly the batches an uninterrupted run
would have seen from step ``s`` on, with no shuffle buffer to save in the checkpoint.
"""
from __future__ import annotations

import numpy as np

from gan_lib.errors import DataError
from gan_lib.image_folders import (DEFAULT_CACHE_BYTES, IMAGE_EXTENSIONS,  # noqa: F401
                                   class_labels, decode_fn, decode_images, export_image_folder,
                                   list_images, load_image_folder, readable)
from gan_lib.imageset import ImageSet, resized, steps_per_epoch  # noqa: F401
from gan_lib.mixtures import (POINT_COUNTS, POINT_SEEDS, POINT_SETS,  # noqa: F401
                              load_points, point_modes)
from gan_lib.mnist_files import (BUILTIN, CLASS_NAMES, IDX_FILES, TFDS_HOST,  # noqa: F401
                                 data_dirs, find_idx_dir, load_builtin, load_tfds, online,
                                 read_idx)
from gan_lib.stacked_mnist import NAME as STACKED_MNIST
from gan_lib.stacked_mnist import load_stacked_mnist


def load_dataset(name: str, split: str = "train", resolution: int | None = None,
                 channels: int | None = None) -> ImageSet:
    """Load ``mnist``, ``fashion_mnist``, ``stacked_mnist``, a folder of images, or the 2-D point
    sets ``ring8`` and ``grid25`` (``mixtures.load_points``) as an :class:`ImageSet`.

    ``resolution`` and ``channels`` resize or convert the images (a DCGAN at 32x32 on MNIST, say);
    left as ``None`` the data keeps its own size (folders default to 64x64 RGB).
    """
    if split not in IDX_FILES:
        raise DataError(f"unknown split '{split}'; use 'train' or 'test'")
    if name == STACKED_MNIST:  # three MNIST digits as RGB: gan_lib/stacked_mnist.py
        return load_stacked_mnist(split, resolution, channels)
    if name in POINT_SETS:
        if resolution or channels:
            raise DataError(f"{name} is a set of 2-D points, not images: it has no resolution "
                            "or channels; drop --resolution and --channels")
        return load_points(name, split)
    if name not in BUILTIN:
        return load_image_folder(name, resolution or 64, channels or 3)
    data = load_builtin(name, split)
    if (resolution and resolution != data.shape[0]) or (channels and channels != data.shape[2]):
        data = resized(data, resolution or data.shape[0], channels or data.shape[2])
    return data


def to_unit_range(images):
    """uint8 pixels [0, 255] -> float32 [-1, 1], the range of a tanh generator.

    float32 data are already in model units and come back unchanged: the 2-D point sets
    (``mixtures.load_points``), whose coordinates (up to +-4 on the grid) are no pixels to rescale.
    Any other dtype (uint8 pixels, other integers, float64) is read as pixels 0..255."""
    import tensorflow as tf

    images = tf.convert_to_tensor(images)
    if images.dtype == tf.float32:
        return images
    return tf.cast(images, tf.float32) / 127.5 - 1.0


def to_uint8(images) -> np.ndarray:
    """float [-1, 1] -> uint8 [0, 255] (the inverse of :func:`to_unit_range`, rounded)."""
    images = np.asarray(images, dtype=np.float32)
    return np.clip(np.round((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def batches(data: ImageSet, batch_size: int, seed: int = 0, start_step: int = 0,
            shard: tuple = (0, 1)):
    """An endless, deterministic ``tf.data.Dataset`` of ``(images, labels)`` batches.

    ``shard=(i, n)``: worker ``i`` of ``n`` gets the ``i``-th of ``n`` equal slices of every global
    batch (the batches of all workers side by side are the single-worker batches).

    Epoch ``e`` visits the examples in the order ``argsort(uniform(seed=(seed, e)))``; the stream
    starts at global step ``start_step``, so a resumed run continues exactly where it stopped.
    Images are float32 in [-1, 1] (float32 data, the 2-D points, pass through as they are, see
    :func:`to_unit_range`); labels are int32 (all -1 when the data has no labels).
    Decoded images live in memory (the cache); batches are prefetched so that the next one is ready
    while the current step runs.
    """
    import tensorflow as tf

    n = len(data)
    per_epoch = steps_per_epoch(data, batch_size)
    if per_epoch == 0:
        raise DataError(f"{data.name} has {n} images, fewer than one batch of {batch_size}; "
                        "lower --batch-size")
    labels = tf.constant(data.labels if data.labels is not None else np.full(n, -1, np.int32))
    if data.images is not None:
        images = tf.constant(data.images)
        fetch = lambda idx: tf.gather(images, idx)  # noqa: E731
    else:
        paths = tf.constant(data.paths)
        decode = decode_fn(data.shape[0], data.shape[2])
        fetch = lambda idx: tf.map_fn(decode, tf.gather(paths, idx),  # noqa: E731
                                      fn_output_signature=tf.TensorSpec(data.shape, tf.uint8))

    def epoch_order(epoch):
        keys = tf.random.stateless_uniform([n], seed=tf.stack([tf.cast(seed, tf.int64), epoch]))
        order = tf.reshape(tf.argsort(keys)[: per_epoch * batch_size], [per_epoch, batch_size])
        width = batch_size // shard[1]
        return tf.data.Dataset.from_tensor_slices(order[:, shard[0] * width:(shard[0] + 1) * width])

    first_epoch, skip = divmod(start_step, per_epoch)
    ds = tf.data.Dataset.range(first_epoch, np.iinfo(np.int64).max).flat_map(epoch_order)
    ds = ds.skip(skip)
    ds = ds.map(lambda idx: (to_unit_range(fetch(idx)), tf.gather(labels, idx)),
                num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return ds.prefetch(tf.data.AUTOTUNE)
