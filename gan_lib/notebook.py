"""Helpers for the course notebooks: set-up, fast mode, and showing results inline.

Every notebook starts with::

    from gan_lib.notebook import setup, steps
    FAST = setup()

``setup()`` imports TensorFlow quietly, says which versions and which accelerator are in use, and
returns whether *fast mode* is on. Fast mode (``GAN_KIT_FAST=1``, set by the test suite) shrinks
every training run to a few dozen steps so that CI can execute all notebooks in minutes; without
it the notebooks train long enough for good pictures on a Colab GPU.
"""
from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def fast_mode() -> bool:
    """True when ``GAN_KIT_FAST`` is set to anything but 0/false/no/empty."""
    return os.environ.get("GAN_KIT_FAST", "").strip().lower() not in ("", "0", "false", "no")


def steps(fast, full):
    """``fast`` in fast mode, else ``full`` -- for step counts, epochs and sample sizes."""
    return fast if fast_mode() else full


def setup(seed: int = 0) -> bool:
    """Import TensorFlow, report versions, GPU and fast mode; seed everything; return FAST."""
    from gan_lib import import_tensorflow_quietly

    tf = import_tensorflow_quietly()
    import keras

    keras.utils.set_random_seed(seed)
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = [tf.config.experimental.get_device_details(g).get("device_name", g.name)
                 for g in gpus]
        device = "GPU: " + ", ".join(names)
    else:
        device = "no GPU: training runs on the CPU (in Colab: Runtime > Change runtime type > GPU)"
    mode = "on (a few dozen steps per run; set GAN_KIT_FAST=0 for full runs)" if fast_mode() \
        else "off (full-length runs)"
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}\n{device}\nfast mode: {mode}")
    return fast_mode()


def run_dir(name: str) -> Path:
    """Where a notebook's run lives: ``checkpoints/<name>`` in the repository."""
    return REPO / "checkpoints" / name


def show_progress(trainer, gif_name: str = "progress.gif", max_frames: int = 12):
    """Show the run's sample grids as an animated GIF (written next to them)."""
    from IPython.display import Image, display

    from gan_lib.plotting import save_gif

    frames = trainer.sample_paths()
    if not frames:
        print("no sample grids yet")
        return None
    stride = max(1, len(frames) // max_frames)
    frames = frames[::stride] + ([frames[-1]] if frames[-1] not in frames[::stride] else [])
    path = trainer.out_dir / gif_name
    save_gif(frames, path, duration_ms=400)
    display(Image(filename=str(path)))
    return path


def show_run(trainer, title: str | None = None):
    """The last sample grid and the loss curves of a trainer, side by side."""
    import matplotlib.pyplot as plt

    from gan_lib.plotting import show_grid, smooth

    h = trainer.history
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5), gridspec_kw={"width_ratios": [1, 1.3]})
    ncols = 10 if trainer.gan.conditional or trainer.gan.kind == "infogan" else 8
    show_grid(trainer.generate(), ncols=ncols, ax=ax1,
              title=title or f"step {trainer.global_step}")
    window = max(1, len(h["step"]) // 50)
    for key, label in (("d_loss", "D loss"), ("g_loss", "G loss")):
        ax2.plot(h["step"], smooth(h[key], window), label=label)
    ax2.set_xlabel("step")
    ax2.legend()
    ax2.set_title("losses (smoothed)")
    fig.tight_layout()
    plt.show()
