"""gan_lib: the library behind the gan-kit course.

Import what you need from the submodules, or the most used names from here::

    from gan_lib import TrainConfig, Trainer, load_dataset
"""
import os as _os

# TensorFlow prints pages of C++ start-up logs (oneDNN notes, CUDA probes) that students need none
# of; Python exceptions are unaffected. Set TF_CPP_MIN_LOG_LEVEL=0 before importing to see them.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from gan_lib.errors import GanKitError  # noqa: E402


def import_tensorflow_quietly():
    """Import TensorFlow with its C++ start-up chatter (absl's pre-init warnings, oneDNN notes,
    CUDA probes on machines without a GPU) sent to /dev/null. Python errors still show."""
    import sys

    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    saved, devnull = _os.dup(2), _os.open(_os.devnull, _os.O_WRONLY)
    try:
        _os.dup2(devnull, 2)
        import keras  # noqa: F401
        import tensorflow as tf

        tf.config.list_physical_devices()  # the CUDA probe logs here
    finally:
        _os.dup2(saved, 2)
        _os.close(saved)
        _os.close(devnull)
    return tf

__version__ = "0.1.0"


def __getattr__(name):
    # Lazy access keeps `import gan_lib` (and `python -m gan_lib --help`) fast: TensorFlow loads
    # only when a name that needs it is used.
    lazy = {
        "TrainConfig": "gan_lib.config",
        "Trainer": "gan_lib.trainer",
        "load_dataset": "gan_lib.data",
        "build_gan": "gan_lib.models",
        "GAN": "gan_lib.models",
    }
    if name in lazy:
        import importlib

        return getattr(importlib.import_module(lazy[name]), name)
    raise AttributeError(name)


__all__ = ["GanKitError", "TrainConfig", "Trainer", "load_dataset", "build_gan", "GAN"]
