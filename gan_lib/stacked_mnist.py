"""Stacked MNIST as a dataset, and its scores: the 1,000-mode benchmark of the mode-collapse papers.

Each image stacks three MNIST digits as its red, green and blue channels, so a stack has one of
10 x 10 x 10 = 1,000 modes (its three digits). A generator that covers the data draws all 1,000
about equally often; a collapsing one draws few. ``--dataset stacked_mnist`` serves it:

* **train**: ``COUNTS["train"]`` = 128,000 stacks, each channel an independent uniform draw, with
  replacement, from the 70,000 MNIST digits (the train and test files together), seed
  ``SEEDS["train"]`` = 0. This is how PacGAN's code builds it (github.com/fjxmlzn/PacGAN, commit
  190853e, ``stacked_MNIST_experiments/VEEGAN_experiment/model.py``, ``load_mnist``: it
  concatenates the train and test images, draws ``np.random.randint(0, 70000, size=(128000, 3))``
  and stacks; ``config.py``: ``num_training_sample`` 128,000, ``num_test_sample`` 26,000);
  PacGAN seeds the draw at random per run, here it is fixed, so every run sees the same stacks.
* **test**: ``COUNTS["test"]`` = 26,000 stacks (the papers' number of evaluated samples) drawn the
  same way with seed ``SEEDS["test"]`` = 1: real data to score exactly as samples are scored.

Labels are the mode ids 100 a + 10 b + c (channels 0, 1, 2 show a, b, c; see
``modes.stacked_mode_ids``), so ``--model cgan`` could even ask for a mode. The images are uint8
[N, 28, 28, 3], 301 MB for the training split, built in a few seconds (nothing is cached on disk).

``evaluate.evaluate_stacked_mnist`` scores samples as PacGAN's ``log_metrics`` does: the kit's
MNIST classifier reads each channel, and ``modes.stacked_mnist_modes`` counts the modes reached
and the KL divergence KL(p || uniform) of the mode histogram (nats; ``gan_lib/modes.py`` cites
the code). This module only builds the data (:func:`load_stacked_mnist`, NumPy alone, from
the MNIST files of gan_lib/mnist_files.py); ``data.load_dataset`` serves it.
"""
from __future__ import annotations

import numpy as np

from gan_lib.errors import DataError
from gan_lib.imageset import ImageSet
from gan_lib.mnist_files import load_builtin

NAME = "stacked_mnist"
SHAPE = (28, 28, 3)
COUNTS = {"train": 128_000, "test": 26_000}
SEEDS = {"train": 0, "test": 1}
MODES = 1000  # 10 digits in each of 3 channels (modes.STACKED_MODES)
EVAL_SAMPLES = 26_000  # PacGAN's num_test_sample, also VEEGAN's
TOP_SHOWN = 10  # the most frequent modes a report lists


def digit_pool(train, test):
    """(images [70000, 28, 28], labels [70000]): the MNIST train file's digits, then the test
    file's (``train``, ``test``: their ImageSets), the pool PacGAN draws every channel from."""
    return (np.concatenate([train.images[..., 0], test.images[..., 0]]),
            np.concatenate([train.labels, test.labels]))


def stacked_split(split: str, train, test, resolution: int | None = None,
                  channels: int | None = None):
    """(stacks uint8 [N, 28, 28, 3], mode ids [N]) of the ``split`` of Stacked MNIST (see the
    module docstring), drawn from the MNIST ImageSets ``train`` and ``test``."""
    from gan_lib import modes

    if split not in COUNTS:
        raise DataError(f"unknown split '{split}'; use 'train' or 'test'")
    if (resolution and resolution != SHAPE[0]) or (channels and channels != SHAPE[2]):
        raise DataError(f"{NAME} is 28x28 with 3 channels (one digit per channel, read by the "
                        "28x28 MNIST classifier); drop --resolution and --channels")
    images, labels = digit_pool(train, test)
    stacks, ids = modes.stacked_mnist(images, labels, COUNTS[split],
                                      np.random.default_rng(SEEDS[split]))
    return stacks, ids.astype(np.int32)


def load_stacked_mnist(split: str, resolution=None, channels=None) -> ImageSet:
    """The ``split`` of Stacked MNIST as an :class:`ImageSet` (labels: the mode ids)."""
    stacks, ids = stacked_split(split, load_builtin("mnist", "train"),
                                load_builtin("mnist", "test"), resolution, channels)
    return ImageSet(name=NAME, shape=SHAPE, images=stacks, labels=ids,
                    class_names=[f"{i:03d}" for i in range(MODES)])
