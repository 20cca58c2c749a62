"""Folders of image files: finding the images, skipping unreadable ones, decoding them, loading
them as a dataset, and writing a dataset out as one.

:func:`load_image_folder` builds a dataset from a folder with these; ``data.batches`` decodes a
folder too large to keep in memory batch by batch with :func:`decode_fn`.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from gan_lib.errors import DataError
from gan_lib.imageset import ImageSet

IMAGE_EXTENSIONS = {".png", ".jpg", ".jpeg", ".bmp", ".gif"}

DEFAULT_CACHE_BYTES = 2 * 1024**3
"""Image folders whose decoded pixels fit in this many bytes are decoded once and kept in memory;
larger ones are read from disk batch by batch. Override with ``$GAN_CACHE_BYTES``."""


def list_images(folder: Path) -> list[Path]:
    """Image files under ``folder``, sorted. Hidden files and folders *inside* it are skipped (a
    ``.ipynb_checkpoints``), not the folder's own path (``../data`` or ``~/.cache/x`` are fine),
    and so is any gan-kit run folder inside it: a run's grids are never training data. A
    ``folder`` that is no folder, or holds no image, is refused."""
    from gan_lib.rundir import is_run_folder

    if not folder.is_dir():
        raise DataError(f"dataset '{folder}' is neither mnist, fashion_mnist nor a folder of images; "
                        "check the name or the path")
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                         and not is_run_folder(Path(root) / d))
        found += [Path(root) / f for f in files if not f.startswith(".")
                  and Path(f).suffix.lower() in IMAGE_EXTENSIONS]
    found = sorted(p for p in found if p.is_file())
    if not found:
        raise DataError(f"{folder} holds no images ({', '.join(sorted(IMAGE_EXTENSIONS))}); "
                        "point --dataset at a folder that does")
    return found


def readable(paths: list[Path], folder) -> list[Path]:
    """The paths whose whole image decodes (a header that parses is not enough: the pixel data
    can still be cut or corrupt); the others are skipped with one warning naming them, or, if
    none is left, refused."""
    import warnings

    from PIL import Image, UnidentifiedImageError

    good, bad = [], []
    for p in paths:
        try:
            with Image.open(p) as im:
                im.load()
            good.append(p)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
            bad.append(p)
    if not good:
        raise DataError(f"{folder} holds no readable images ({len(bad)} files could not be "
                        f"decoded, e.g. {bad[0]}); replace them or point --dataset elsewhere")
    if bad:
        warnings.warn(f"skipped {len(bad)} unreadable image{'s' * (len(bad) > 1)} in {folder} "
                      f"({bad[0]}{', ...' if len(bad) > 1 else ''}); training uses the other "
                      f"{len(good)}", stacklevel=3)
    return good


def decode_fn(resolution: int, channels: int):
    import tensorflow as tf

    def decode(path):
        image = tf.io.decode_image(tf.io.read_file(path), channels=channels,
                                   expand_animations=False)
        image = tf.image.resize(image, [resolution, resolution], antialias=True)
        return tf.cast(tf.clip_by_value(tf.round(image), 0, 255), tf.uint8)

    return decode


def class_labels(paths: list[Path], folder: Path):
    """``(class_names, labels [N] int32)`` when every image sits in a sub-folder of ``folder``
    and there are several (each sub-folder a class), else ``(None, None)``."""
    parents = sorted({p.parent for p in paths})
    if len(parents) > 1 and all(p.parent.parent == folder for p in paths):
        return [p.name for p in parents], \
            np.array([parents.index(p.parent) for p in paths], dtype=np.int32)
    return None, None


def decode_images(paths: list[Path], resolution: int, channels: int) -> np.ndarray:
    """uint8 [N, resolution, resolution, channels]: every image of ``paths``, decoded and
    resized in parallel (tf.data)."""
    import tensorflow as tf

    ds = tf.data.Dataset.from_tensor_slices([str(p) for p in paths])
    ds = ds.map(decode_fn(resolution, channels), num_parallel_calls=tf.data.AUTOTUNE)
    return np.concatenate(list(ds.batch(256).as_numpy_iterator()))


def export_image_folder(data, folder, n: int | None = None, per_class: bool = True):
    """Write images of ``data`` (an :class:`~gan_lib.data.ImageSet`) as PNG files (one
    sub-folder per class when ``per_class``), e.g. to try the image-folder loader without
    downloading a photo set. Returns the folder."""
    from PIL import Image

    folder = Path(folder)
    n = len(data) if n is None else min(n, len(data))
    for i in range(n):
        sub = folder / (data.class_names[data.labels[i]].replace("/", "-")
                        if per_class and data.labels is not None else "")
        sub.mkdir(parents=True, exist_ok=True)
        image = data.images[i]
        Image.fromarray(image[..., 0] if image.shape[-1] == 1 else image).save(sub / f"{i:06d}.png")
    return folder


def load_image_folder(folder, resolution: int = 64, channels: int = 3,
                      cache_bytes: int | None = None) -> ImageSet:
    """Images under ``folder`` (recursively), resized to ``resolution`` x ``resolution``.

    ``channels`` is 3 for RGB or 1 for grayscale; images of the other kind are converted. The folder
    is decoded into memory when it fits in ``cache_bytes``, else streamed from disk during training.
    Sub-folders, if every image sits in one, become class labels (:func:`class_labels`).
    """
    folder = Path(folder)
    paths = readable(list_images(folder), folder)
    class_names, labels = class_labels(paths, folder)
    shape = (resolution, resolution, channels)
    if cache_bytes is None:
        cache_bytes = int(os.environ.get("GAN_CACHE_BYTES", DEFAULT_CACHE_BYTES))
    images = None
    if len(paths) * int(np.prod(shape)) <= cache_bytes:
        images = decode_images(paths, resolution, channels)
    return ImageSet(name=str(folder), shape=shape, images=images, labels=labels,
                    paths=[str(p) for p in paths], class_names=class_names)
