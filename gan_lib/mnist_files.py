"""MNIST and Fashion-MNIST: the original IDX files on this machine, else tensorflow-datasets.

``mnist`` and ``fashion_mnist`` (the tensorflow-datasets names) are read from the IDX files
(``train-images-idx3-ubyte.gz`` ...) in ``$GAN_DATA_DIR/mnist/`` or
``$GAN_DATA_DIR/fashion-mnist/``, else from the repository's ``data/`` folder; otherwise
tensorflow-datasets downloads them, as it would for any user with internet, and with no network
the load fails at once, in one line that says where to put the files.
"""
from __future__ import annotations

import gzip
import os
import struct
from pathlib import Path

import numpy as np

from gan_lib.errors import DataError
from gan_lib.imageset import ImageSet

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

TFDS_HOST = ("storage.googleapis.com", 443)  # where tensorflow-datasets downloads from


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


def find_idx_dir(name: str, split: str) -> Path | None:
    folder_names = {BUILTIN[name], name}  # accept fashion-mnist/ and fashion_mnist/
    for root in data_dirs():
        for folder in folder_names:
            d = root / folder
            if all((d / f).exists() for f in IDX_FILES[split]):
                return d
    return None


def load_tfds(name: str, split: str):
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


def load_builtin(name: str, split: str) -> ImageSet:
    """The ``split`` of ``mnist`` or ``fashion_mnist``: the IDX files if found, else
    tensorflow-datasets."""
    d = find_idx_dir(name, split)
    if d is not None:
        images_file, labels_file = IDX_FILES[split]
        images = read_idx(d / images_file)[..., None]
        labels = read_idx(d / labels_file).astype(np.int32)
        if len(images) != len(labels):
            raise DataError(f"{d} holds {len(images)} images but {len(labels)} labels; "
                            "download both files again")
    else:
        images, labels = load_tfds(name, split)
    return ImageSet(name=name, shape=tuple(images.shape[1:]), images=images, labels=labels,
                    class_names=CLASS_NAMES[name])
