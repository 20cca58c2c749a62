"""gan_lib: the library behind the gan-kit course.

Import what you need from the submodules, or the most used names from here::

    from gan_lib import TrainConfig, Trainer, load_dataset
"""
import contextlib as _contextlib
import importlib.machinery as _machinery
import os as _os
import sys as _sys

# TensorFlow prints C++ start-up lines (oneDNN notes, CUDA probes) that students need none of, and
# no environment variable silences all of them: they are logged before absl is initialised. So
# the first import of TensorFlow, by gan_lib or by anyone after ``import gan_lib``, runs with the
# process's stderr pointed at /dev/null. Python exceptions still propagate as usual. Set
# GAN_KIT_TF_LOGS=1 before importing gan_lib to see the lines.
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from gan_lib.errors import GanKitError  # noqa: E402


@_contextlib.contextmanager
def _stderr_muted():
    _sys.stderr.flush()
    saved, devnull = _os.dup(2), _os.open(_os.devnull, _os.O_WRONLY)
    try:
        _os.dup2(devnull, 2)
        yield
    finally:
        _os.dup2(saved, 2)
        _os.close(saved)
        _os.close(devnull)


class _MutedLoader:
    """Wraps TensorFlow's own loader: the same module, executed with stderr muted."""

    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name):
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        with _stderr_muted():
            self._loader.exec_module(module)


class _QuietTensorFlowFinder:
    """A meta-path finder that only wraps the loader of the top-level ``tensorflow`` package."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if name != "tensorflow":
            return None
        spec = _machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _MutedLoader(spec.loader)
        return spec


if "tensorflow" not in _sys.modules and not _os.environ.get("GAN_KIT_TF_LOGS"):
    if not any(isinstance(f, _QuietTensorFlowFinder) for f in _sys.meta_path):
        _sys.meta_path.insert(0, _QuietTensorFlowFinder())


def import_tensorflow_quietly():
    """Import TensorFlow (quietly, see above) and probe the devices, whose CUDA probe also logs
    from C++ on machines without a GPU; returns the module."""
    import keras  # noqa: F401
    import tensorflow as tf

    with _stderr_muted():
        tf.config.list_physical_devices()
    return tf

__version__ = "0.2.0"


def __getattr__(name):
    # Lazy access keeps `import gan_lib` (and `python -m gan_lib --help`) fast: TensorFlow loads
    # only when a name that needs it is used.
    lazy = {
        "TrainConfig": "gan_lib.config",
        "Trainer": "gan_lib.trainer",
        "load_dataset": "gan_lib.data",
        "build_gan": "gan_lib.variants",
        "GAN": "gan_lib.gan",
    }
    if name in lazy:
        import importlib

        return getattr(importlib.import_module(lazy[name]), name)
    raise AttributeError(name)


__all__ = ["GanKitError", "TrainConfig", "Trainer", "load_dataset", "build_gan", "GAN"]
