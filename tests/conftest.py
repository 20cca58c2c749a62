"""Shared fixtures: the real datasets (from $GAN_DATA_DIR) and small helpers."""
import os
from pathlib import Path

import numpy as np
import pytest

import gan_lib  # noqa: F401  (sets TensorFlow's log level before TensorFlow loads)

REPO = Path(__file__).resolve().parent.parent


def _have_real_data():
    from gan_lib.mnist_files import find_idx_dir

    return find_idx_dir("mnist", "train") is not None


@pytest.fixture(scope="session")
def mnist():
    if not _have_real_data():
        pytest.fail("real MNIST not found: set GAN_DATA_DIR to the folder holding mnist/ and "
                    "fashion-mnist/ (here: ../shared/data)")
    from gan_lib.data import load_dataset

    return load_dataset("mnist", "train")


@pytest.fixture(scope="session")
def mnist_small(mnist):
    """The first 640 real MNIST training images: 5 batches of 128, so epochs end quickly."""
    import dataclasses

    return dataclasses.replace(mnist, images=mnist.images[:640], labels=mnist.labels[:640])


def one_body(fields: dict) -> dict:
    """A TrainConfig's ``fields`` less the width its body never reads (``base_filters`` for an
    MLP, ``mlp_hidden`` for the others): the kit refuses a width that would do nothing, and the
    small settings these tests share between bodies set both."""
    from gan_lib.config import TrainConfig

    unread = set(TrainConfig(**fields).variant().unread_fields()) & {"mlp_hidden", "base_filters"}
    return {name: value for name, value in fields.items() if name not in unread}


def body_config(**fields):
    """``TrainConfig(**fields)`` with only the width its body reads (:func:`one_body`)."""
    from gan_lib.config import TrainConfig

    return TrainConfig(**one_body(fields))


def assert_same_weights(model_a, model_b):
    for va, vb in zip(model_a.weights, model_b.weights):
        np.testing.assert_array_equal(np.asarray(va), np.asarray(vb), err_msg=va.path)


@pytest.fixture
def run_env(tmp_path):
    """Environment for command-line subprocesses."""
    env = dict(os.environ)
    env["GAN_DATA_DIR"] = str(Path(env.get("GAN_DATA_DIR", REPO.parent / "shared" / "data"))
                              .resolve())
    env["PYTHONPATH"] = str(REPO)
    return env
