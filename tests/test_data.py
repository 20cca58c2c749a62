"""Loading the real MNIST/Fashion-MNIST IDX files, image folders, and the batch stream."""
import gzip

import numpy as np
import pytest
from PIL import Image

from gan_lib import data as gdata
from gan_lib import mnist_files
from gan_lib.data import batches, load_dataset, read_idx
from gan_lib.errors import DataError

# Published per-class counts of the MNIST training set (digits 0..9).
MNIST_TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]


def test_mnist_train_is_the_published_set(mnist):
    assert mnist.images.shape == (60000, 28, 28, 1)
    assert mnist.images.dtype == np.uint8
    assert np.bincount(mnist.labels).tolist() == MNIST_TRAIN_COUNTS
    assert mnist.images.mean() == pytest.approx(33.32, abs=0.01)
    assert mnist.class_names[3] == "3"


def test_mnist_test_split():
    test = load_dataset("mnist", "test")
    assert test.images.shape == (10000, 28, 28, 1)
    assert len(test.labels) == 10000


@pytest.mark.parametrize("split,n", [("train", 60000), ("test", 10000)])
def test_fashion_mnist(split, n):
    fashion = load_dataset("fashion_mnist", split)
    assert fashion.images.shape == (n, 28, 28, 1)
    assert np.bincount(fashion.labels).tolist() == [n // 10] * 10  # balanced classes
    assert fashion.class_names[9] == "Ankle boot"
    assert 0 == fashion.images.min() and fashion.images.max() == 255


def test_batches_are_scaled_to_tanh_range(mnist):
    images, labels = next(iter(batches(mnist, 256, seed=0)))
    assert images.shape == (256, 28, 28, 1)
    assert float(images.numpy().min()) == -1.0 and float(images.numpy().max()) == 1.0
    assert labels.dtype.name == "int32"


def test_batch_stream_is_deterministic_and_resumable(mnist_small):
    # 640 images, batch 128: 5 steps per epoch. Starting at step 7 must give exactly the
    # batches an uninterrupted stream gives from step 7 on, across the epoch boundary.
    full = [b[1].numpy() for b, _ in zip(batches(mnist_small, 128, seed=3), range(12))]
    resumed = [b[1].numpy() for b, _ in zip(batches(mnist_small, 128, seed=3, start_step=7),
                                             range(5))]
    for a, b in zip(full[7:], resumed):
        np.testing.assert_array_equal(a, b)
    other_seed = next(iter(batches(mnist_small, 128, seed=4)))[1].numpy()
    assert not np.array_equal(full[0], other_seed)
    # every epoch is a permutation: 5 batches x 128 cover all 640 images once
    first_epoch = np.concatenate([next(iter(batches(mnist_small, 128, seed=3, start_step=s)))[0]
                                  .numpy().reshape(128, -1) for s in range(5)])
    assert len(np.unique(first_epoch, axis=0)) == len(np.unique(
        mnist_small.images.reshape(640, -1), axis=0))
    assert not np.array_equal(full[0], full[5])  # epochs are shuffled differently


def test_resize_to_other_resolution():
    data = load_dataset("mnist", "test", resolution=32, channels=3)
    assert data.images.shape == (10000, 32, 32, 3)


def test_read_idx_roundtrip_and_truncation(tmp_path):
    payload = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    header = bytes([0, 0, 8, 3]) + b"".join(int(d).to_bytes(4, "big") for d in payload.shape)
    good = tmp_path / "good-idx3-ubyte.gz"
    good.write_bytes(gzip.compress(header + payload.tobytes()))
    np.testing.assert_array_equal(read_idx(good), payload)
    bad = tmp_path / "bad-idx3-ubyte.gz"
    bad.write_bytes(gzip.compress(header + payload.tobytes()[:10]))
    with pytest.raises(DataError, match="truncated"):
        read_idx(bad)


def _write_images(folder, n, size=(20, 12), mode="RGB"):
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        shape = (size[1], size[0], 3) if mode == "RGB" else (size[1], size[0])
        Image.fromarray(rng.integers(0, 255, shape, dtype=np.uint8), mode).save(
            folder / f"img{i}.png")


def test_image_folder_resized_with_class_subfolders(tmp_path):
    _write_images(tmp_path / "cats", 3)
    _write_images(tmp_path / "dogs", 2, mode="L")  # grayscale files become RGB
    data = load_dataset(str(tmp_path), resolution=32, channels=3)
    assert data.images.shape == (5, 32, 32, 3)
    assert data.class_names == ["cats", "dogs"]
    assert data.labels.tolist() == [0, 0, 0, 1, 1]


def test_large_image_folder_is_streamed_not_loaded(tmp_path):
    _write_images(tmp_path / "flat", 8)
    data = gdata.load_image_folder(tmp_path / "flat", 32, 1, cache_bytes=1000)
    assert data.images is None and len(data) == 8  # larger than the cache: streamed from disk
    images, labels = next(iter(batches(data, 4)))
    assert images.shape == (4, 32, 32, 1) and labels.numpy().tolist() == [-1] * 4


def test_image_folder_errors(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataError, match="holds no images"):
        load_dataset(str(tmp_path / "empty"))
    broken = tmp_path / "broken"
    _write_images(broken, 2)
    (broken / "oops.png").write_bytes(b"not a png")
    with pytest.warns(UserWarning, match=r"skipped 1 unreadable image in .*oops.png"):
        assert len(load_dataset(str(broken))) == 2  # the readable ones are used
    only_broken = tmp_path / "only_broken"
    only_broken.mkdir()
    (only_broken / "oops.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match="holds no readable images"):
        load_dataset(str(only_broken))
    with pytest.raises(DataError, match="neither mnist, fashion_mnist nor a folder"):
        load_dataset(str(tmp_path / "missing"))


def test_missing_dataset_offline_says_where_to_put_files(tmp_path, monkeypatch):
    monkeypatch.setenv("GAN_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("GAN_KIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)  # no data/ here either
    monkeypatch.setattr(mnist_files, "online", lambda *a, **k: False)  # never probe the network
    import tensorflow_datasets as tfds

    def offline(*args, **kwargs):
        raise ConnectionError("no network")

    monkeypatch.setattr(tfds, "load", offline)
    with pytest.raises(DataError, match=r"put train-images-idx3-ubyte.gz .* in .*mnist"):
        load_dataset("mnist")
