"""Datasets and the input pipeline.

A GAN sees its data as an endless stream of batches of images scaled to [-1, 1], the range of the
generator's tanh output. This module gets the images and builds that stream.

Where the images come from, in order:

1. ``mnist`` and ``fashion_mnist`` (the tensorflow-datasets names) are read from the original IDX
   files (``train-images-idx3-ubyte.gz`` ...) in ``$GAN_DATA_DIR/mnist/`` or
   ``$GAN_DATA_DIR/fashion-mnist/``, else from the repository's ``data/`` folder;
2. otherwise tensorflow-datasets downloads them, as it would for any user with internet;
3. any other ``dataset`` value is a folder of images (PNG, JPEG, BMP, GIF), searched recursively and
   resized to the model's resolution. Sub-folders, if every image sits in one, become class labels
   (the folder's files: gan_lib/image_folders.py).

Two names are not images at all: ``ring8`` and ``grid25`` are 2-D points drawn from the mixtures of
Gaussians of the mode-collapse papers (gan_lib/mixtures.py), see :func:`load_points`. They travel
through the same pipeline as float32 "images" of shape (1, 1, 2), already in model units.

The stream is *deterministic*: the order of examples in epoch ``e`` is a pure function of
``(seed, e)``. A run resumed at step ``s`` therefore sees exactly the batches an uninterrupted run
would have seen from step ``s`` on, with no shuffle buffer to save in the checkpoint.
"""
from __future__ import annotations

import dataclasses
import gzip
import os
import struct
from pathlib import Path

import numpy as np

from gan_lib.errors import DataError
from gan_lib.image_folders import (IMAGE_EXTENSIONS, class_labels, decode_fn,  # noqa: F401
                                   decode_images, export_image_folder, list_images, readable)
from gan_lib.mixtures import MIXTURES, sample_mixture

BUILTIN = {"mnist": "mnist", "fashion_mnist": "fashion-mnist"}
"""tensorflow-datasets name -> folder name of the IDX files."""

CLASS_NAMES = {
    "mnist": [str(i) for i in range(10)],
    "fashion_mnist": ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                      "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
}

IDX_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

DEFAULT_CACHE_BYTES = 2 * 1024**3
"""Image folders whose decoded pixels fit in this many bytes are decoded once and kept in memory;
larger ones are read from disk batch by batch. Override with ``$GAN_CACHE_BYTES``."""

TFDS_HOST = ("storage.googleapis.com", 443)  # where tensorflow-datasets downloads from


@dataclasses.dataclass
class ImageSet:
    """Images of one split, ready for the pipeline.

    ``images`` is a uint8 array [N, H, W, C] held in memory, or ``None`` for a large folder that is
    streamed from ``paths``. ``labels`` is an int32 array [N] or ``None`` when the data has no classes.
    For the 2-D point sets (:func:`load_points`) ``images`` is float32 [N, 1, 1, 2]: each point is
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


# --------------------------------------------------------------------------------------- IDX files
def read_idx(path) -> np.ndarray:
    """Read one (optionally gzipped) IDX file, the format MNIST is published in.

    The header is two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions and
    then each dimension as a big-endian int32; the data follows.
    """
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            zero, dtype_code, ndim = struct.unpack(">HBB", f.read(4))
            if zero != 0 or dtype_code != 0x08:
                raise DataError(f"{path} is not an unsigned-byte IDX file; download it again")
            dims = struct.unpack(">" + "I" * ndim, f.read(4 * ndim))
            data = np.frombuffer(f.read(), dtype=np.uint8)
    except (OSError, EOFError, struct.error) as err:
        raise DataError(f"cannot read {path} ({err}); delete it and download it again") from None
    if data.size != int(np.prod(dims)):
        raise DataError(f"{path} is truncated ({data.size} of {int(np.prod(dims))} bytes); "
                        "delete it and download it again")
    return data.reshape(dims)


def data_dirs() -> list[Path]:
    """Folders searched for IDX files: ``$GAN_DATA_DIR``, then ``data/`` in the working
    directory, then the source checkout's ``data/`` (when gan_lib runs from one)."""
    dirs = []
    if os.environ.get("GAN_DATA_DIR"):
        dirs.append(Path(os.environ["GAN_DATA_DIR"]).expanduser())
    dirs.append(Path("data").resolve())
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and checkout / "data" not in dirs:
        dirs.append(checkout / "data")
    return dirs


def online(host=TFDS_HOST, timeout: float = 3.0) -> bool:
    """Can we reach the tensorflow-datasets download host? (A few seconds at most.)"""
    import socket

    try:
        with socket.create_connection(host, timeout=timeout):
            return True
    except OSError:
        return False


def _find_idx_dir(name: str, split: str) -> Path | None:
    folder_names = {BUILTIN[name], name}  # accept fashion-mnist/ and fashion_mnist/
    for root in data_dirs():
        for folder in folder_names:
            d = root / folder
            if all((d / f).exists() for f in IDX_FILES[split]):
                return d
    return None


def _load_tfds(name: str, split: str):
    """The online fallback: tensorflow-datasets downloads and prepares the data once, into the
    user cache (paths.py). It downloads into a temporary folder that is moved into the cache only
    when complete, so a failed or interrupted download leaves nothing behind; with no network
    it fails at once instead of retrying for minutes."""
    import shutil
    import tempfile

    from gan_lib.paths import cache_dir

    cache = cache_dir("tfds")
    ready = cache / name
    try:
        if not ready.is_dir() and not online():  # before tfds's import, which takes seconds
            raise ConnectionError("no network")
        import tensorflow_datasets as tfds

        if not ready.is_dir():
            cache.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryDirectory(dir=cache, prefix=".download-") as tmp:
                tfds.builder(name, data_dir=tmp).download_and_prepare()
                shutil.move(str(Path(tmp) / name), str(ready))
        data = tfds.load(name, split=split, batch_size=-1, as_supervised=True,
                         data_dir=str(cache), download=False)
        images, labels = tfds.as_numpy(data)
        return images.astype(np.uint8), labels.astype(np.int32)
    except Exception as err:  # no internet, no tfds, a broken download...
        where = " or ".join(str(d / BUILTIN[name]) for d in data_dirs())
        raise DataError(
            f"{name} ({split}) is not on this machine and tensorflow-datasets could not fetch it "
            f"({type(err).__name__}: {str(err)[:80]}); put {IDX_FILES[split][0]} and "
            f"{IDX_FILES[split][1]} in {where}, or set GAN_DATA_DIR to the folder that holds "
            "them") from None


def _load_builtin(name: str, split: str) -> ImageSet:
    d = _find_idx_dir(name, split)
    if d is not None:
        images_file, labels_file = IDX_FILES[split]
        images = read_idx(d / images_file)[..., None]
        labels = read_idx(d / labels_file).astype(np.int32)
        if len(images) != len(labels):
            raise DataError(f"{d} holds {len(images)} images but {len(labels)} labels; "
                            "download both files again")
    else:
        images, labels = _load_tfds(name, split)
    return ImageSet(name=name, shape=tuple(images.shape[1:]), images=images, labels=labels,
                    class_names=CLASS_NAMES[name])


# ----------------------------------------------------------------------------------- image folders
def load_image_folder(folder, resolution: int = 64, channels: int = 3,
                      cache_bytes: int | None = None) -> ImageSet:
    """Images under ``folder`` (recursively), resized to ``resolution`` x ``resolution``.

    ``channels`` is 3 for RGB or 1 for grayscale; images of the other kind are converted. The folder
    is decoded into memory when it fits in ``cache_bytes``, else streamed from disk during training.
    Sub-folders, if every image sits in one, become class labels (gan_lib/image_folders.py).
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


# ---------------------------------------------------------------------------------- 2-D points
POINT_SETS = tuple(MIXTURES)
"""The 2-D mixtures of gan_lib/mixtures.py (``ring8``, ``grid25``), served as datasets (see
:func:`load_points`)."""
POINT_COUNTS = {"train": 100_000, "test": 10_000}  # PacGAN's ``num_sample`` is 100,000
POINT_SEEDS = {"train": 0, "test": 1}  # a fixed draw per split, like MNIST's fixed files


def point_modes(name: str):
    """``(means [K, 2], std)`` of the point set ``name``: what ``modes.mode_coverage`` needs
    (gan_lib/mixtures.py's constants, PacGAN's; their sources are cited in gan_lib/modes.py)."""
    if name not in MIXTURES:
        raise DataError(f"'{name}' is not a point set; use one of {', '.join(POINT_SETS)}")
    means, std = MIXTURES[name]
    return means.copy(), std


def load_points(name: str, split: str = "train") -> ImageSet:
    """The 2-D mixture ``name`` (``ring8`` or ``grid25``) as a dataset of points.

    ``POINT_COUNTS[split]`` points drawn by ``mixtures.sample_mixture`` (each picks a mode
    uniformly, then adds std times a standard normal vector), as ``modes.ring8``/``modes.grid25``
    draw them, with the fixed seed ``POINT_SEEDS[split]`` (the test draw is a different one).
    Each point is stored as a float32 "image" of shape (1, 1, 2) in the model's own units: the
    pipeline passes float32 data through unscaled (:func:`to_unit_range`), so G must be able to
    reach them (no tanh: see gan_lib/variants/points.py). There are no labels: the modes are
    what a GAN must find.
    """
    means, std = point_modes(name)
    points = sample_mixture(POINT_COUNTS[split], means, std, POINT_SEEDS[split])
    return ImageSet(name=name, shape=(1, 1, 2),
                    images=points.astype(np.float32).reshape(-1, 1, 1, 2))


# ---------------------------------------------------------------------------------------- public
def _load_stacked_mnist(split: str, resolution, channels) -> ImageSet:
    from gan_lib import stacked_mnist as sm

    stacks, ids = sm.stacked_split(split, _load_builtin("mnist", "train"),
                                   _load_builtin("mnist", "test"), resolution, channels)
    return ImageSet(name=sm.NAME, shape=sm.SHAPE, images=stacks, labels=ids,
                    class_names=[f"{i:03d}" for i in range(sm.MODES)])


def load_dataset(name: str, split: str = "train", resolution: int | None = None,
                 channels: int | None = None) -> ImageSet:
    """Load ``mnist``, ``fashion_mnist``, a folder of images, or the 2-D point sets ``ring8`` and
    ``grid25`` (:func:`load_points`) as an :class:`ImageSet`.

    ``resolution`` and ``channels`` resize or convert the images (a DCGAN at 32x32 on MNIST, say);
    left as ``None`` the data keeps its own size (folders default to 64x64 RGB).
    """
    if split not in IDX_FILES:
        raise DataError(f"unknown split '{split}'; use 'train' or 'test'")
    if name in POINT_SETS:
        if resolution or channels:
            raise DataError(f"{name} is a set of 2-D points, not images: it has no resolution "
                            "or channels; drop --resolution and --channels")
        return load_points(name, split)
    if name == "stacked_mnist":  # three MNIST digits as RGB: gan_lib/stacked_mnist.py
        return _load_stacked_mnist(split, resolution, channels)
    if name in BUILTIN:
        data = _load_builtin(name, split)
        if (resolution and resolution != data.shape[0]) or (channels and channels != data.shape[2]):
            data = _resize(data, resolution or data.shape[0], channels or data.shape[2])
        return data
    return load_image_folder(name, resolution or 64, channels or 3)


def _resize(data: ImageSet, resolution: int, channels: int) -> ImageSet:
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


def to_unit_range(images):
    """uint8 pixels [0, 255] -> float32 [-1, 1], the range of a tanh generator.

    float32 data are already in model units and come back unchanged: the 2-D point sets
    (:func:`load_points`), whose coordinates (up to +-4 on the grid) are no pixels to rescale.
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


def steps_per_epoch(data: ImageSet, batch_size: int) -> int:
    """Full batches in one pass over the data (the last, partial batch is dropped so that every
    step has the same shape and the compiled step is traced once)."""
    return len(data) // batch_size


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
