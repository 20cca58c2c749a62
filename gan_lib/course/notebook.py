"""Helpers for the course notebooks: set-up, fast mode, live plots and showing results inline.

Every notebook starts with::

    FAST = True  # @param {type:"boolean"}
    from gan_lib.course.notebook import setup, steps, run_dir
    FAST = setup(fast=FAST)

``setup()`` imports TensorFlow quietly, says which versions and which accelerator are in use, and
returns whether *fast mode* is on. Fast mode shrinks every training run to seconds (a few dozen steps
of a network; notebook 00's toy takes 600) so that CI can execute all notebooks in minutes. The environment variable ``GAN_KIT_FAST``, when set
before the notebook starts (the test suite sets it to 1), wins over the notebook's form field.
"""
from __future__ import annotations

import os
from pathlib import Path

try:
    from gan_lib.callbacks import Callback
except ImportError:  # an older gan_lib without callbacks: the same empty hooks
    class Callback:
        every_steps = None

        def on_train_begin(self, trainer):
            pass

        def on_steps_end(self, trainer, step, logs):
            pass

        def on_interval(self, trainer, step):
            pass

        def on_train_end(self, trainer):
            pass

_ENV_FAST = os.environ.get("GAN_KIT_FAST")
"""GAN_KIT_FAST as it was when this module was first imported (None: not set from outside)."""


def fast_mode() -> bool:
    """True when ``GAN_KIT_FAST`` is set to anything but 0/false/no/empty."""
    return os.environ.get("GAN_KIT_FAST", "").strip().lower() not in ("", "0", "false", "no")


def steps(fast, full):
    """``fast`` in fast mode, else ``full`` -- for step counts, epochs and sample sizes."""
    return fast if fast_mode() else full


def setup(seed: int = 0, fast: bool | None = None) -> bool:
    """Import TensorFlow, report versions, GPU and fast mode; seed everything; return FAST.

    ``fast`` is the notebook's form field; it is ignored when ``GAN_KIT_FAST`` was set from
    outside (by the test suite or the shell), which then decides.
    """
    from gan_lib import import_tensorflow_quietly

    if fast is not None and _ENV_FAST is None:
        os.environ["GAN_KIT_FAST"] = "1" if fast else "0"
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
    source = "GAN_KIT_FAST" if _ENV_FAST is not None else "the FAST field"
    mode = ("on: every run cut short" if fast_mode() else "off: full-length runs") + \
        f" (set by {source})"
    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__}; {device}\nfast mode {mode}")
    return fast_mode()


def run_dir(name: str) -> Path:
    """Where a notebook's run lives: ``runs/<name>`` under the current working directory
    (the notebook's folder in Jupyter and Colab), wherever gan_lib is installed."""
    return Path.cwd() / "runs" / name


def rel(path) -> str:
    """``path`` relative to the working directory when it lies below it (for printing)."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path.name


def show_progress(trainer, gif_name: str = "progress.gif", max_frames: int = 12) -> None:
    """Show the run's sample grids as an animated GIF (written next to them)."""
    from IPython.display import Image, display

    from gan_lib.plotting import save_gif

    frames = trainer.sample_paths()
    if not frames:
        print("no sample grids yet")
        return
    stride = max(1, len(frames) // max_frames)
    frames = frames[::stride] + ([frames[-1]] if frames[-1] not in frames[::stride] else [])
    path = trainer.output(gif_name)
    save_gif(frames, path, duration_ms=400)
    display(Image(filename=str(path)))


def _draw(trainer, ax_grid, ax_loss, title=None) -> None:
    from gan_lib.plotting import show_grid, smooth

    h = trainer.history
    ax_grid.clear()
    images, ncols = trainer.state.grid_images()  # the run's own grid (its variant's layout)
    show_grid(images, ncols=ncols, ax=ax_grid, title=title or f"step {trainer.global_step}")
    ax_loss.clear()
    if h["step"]:
        window = max(1, len(h["step"]) // 50)
        for key, label in (("d_loss", "D loss"), ("g_loss", "G loss")):
            ax_loss.plot(h["step"], smooth(h[key], window), label=label)
        ax_loss.legend(loc="upper right")
    ax_loss.set_xlabel("step")
    ax_loss.set_title("losses (smoothed)")


def show_run(trainer, title: str | None = None):
    """The last sample grid and the loss curves of a trainer, side by side."""
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 5), gridspec_kw={"width_ratios": [1, 1.3]})
    _draw(trainer, ax1, ax2, title)
    fig.tight_layout()
    plt.show()


class LiveView(Callback):
    """One figure (sample grid of the fixed latents + loss curves) redrawn in place every
    ``every_steps`` steps while a trainer trains: no scrolling wall of output.

    ``show=False`` draws into the figure without displaying it (for scripts and tests). The
    figure is ``self.fig``; ``self.frames`` counts the redraws.
    """

    def __init__(self, every_steps: int = 100, title: str | None = None, show: bool = True):
        self.every_steps = every_steps
        self.title = title
        self.show = show
        self.fig = None
        self.handle = None
        self.frames = 0

    def on_train_begin(self, trainer) -> None:
        if self.fig is None:
            from matplotlib.figure import Figure

            # A bare Figure, not pyplot: nothing pops up twice, and no backend is switched.
            self.fig = Figure(figsize=(12, 4.5))
            self.ax_grid, self.ax_loss = self.fig.subplots(
                1, 2, gridspec_kw={"width_ratios": [1, 1.3]})
        self._redraw(trainer)

    def on_interval(self, trainer, step: int) -> None:
        self._redraw(trainer)

    def on_train_end(self, trainer) -> None:
        self._redraw(trainer)

    def _redraw(self, trainer) -> None:
        title = f"{self.title + ', ' if self.title else ''}step {trainer.global_step}"
        _draw(trainer, self.ax_grid, self.ax_loss, title)
        self.fig.tight_layout()
        self.frames += 1
        if not self.show:
            return
        import io

        from IPython.display import Image, display

        buffer = io.BytesIO()
        self.fig.savefig(buffer, format="png", dpi=72)
        picture = Image(data=buffer.getvalue(), format="png")
        if self.handle is None:
            self.handle = display(picture, display_id=True)
        else:
            self.handle.update(picture)


def train_live(trainer, steps: int | None = None, every_steps: int = 100,
               title: str | None = None, show: bool = True) -> None:
    """``trainer.train(steps)`` with a :class:`LiveView` refreshed every ``every_steps`` steps.

    Uses the trainer's callback list when it has one; otherwise trains in chunks of
    ``every_steps`` and calls the view's hooks itself. The history is in ``trainer.history``
    (nothing is returned, so a notebook cell ending in this call prints nothing more).
    """
    view = LiveView(every_steps, title=title, show=show)
    callbacks = getattr(trainer, "callbacks", None)
    if isinstance(callbacks, list):
        callbacks.append(view)
        try:
            trainer.train(steps)
        finally:
            callbacks.remove(view)
        return
    end = trainer.total_steps if steps is None else trainer.global_step + steps
    view.on_train_begin(trainer)
    while trainer.global_step < end and not getattr(trainer, "interrupted", False):
        trainer.train(steps=min(every_steps, end - trainer.global_step))
        view.on_interval(trainer, trainer.global_step)
    view.on_train_end(trainer)


# --------------------------------------------------------------------------- latent explorer
def latent_explorer(gan, dims: int = 4, seed: int = 0, force_static: bool = False):
    """Sliders over the first ``dims`` latent numbers (and the class, or InfoGAN's codes) that
    redraw G's image; without ipywidgets (or with ``force_static``) a static grid instead, each
    row sweeping one of those numbers from -2.5 to 2.5."""
    import numpy as np
    import tensorflow as tf

    base = np.array(gan.latent(tf.random.Generator.from_seed(seed), 1))[0]
    codes = bool(gan.variant.latent_codes)  # InfoGAN: a category and two continuous codes

    def image(values, label=0, category=0, c1=0.0, c2=0.0):
        z = base.copy()
        if codes:
            z = np.array(gan.latent(tf.random.Generator.from_seed(seed), 1,
                                    categories=tf.constant([category], tf.int32),
                                    continuous=np.array([[c1, c2]], np.float32)))[0]
        z[:len(values)] = values
        labels = np.array([label], np.int32) if gan.conditional else None
        return gan.generate(z[None].astype(np.float32), labels).numpy()[0]

    try:
        if force_static:
            raise ImportError
        import ipywidgets as widgets
    except ImportError:
        _static_sweep(image, base, dims)
        return None
    sliders = {f"z{d}": widgets.FloatSlider(value=float(base[d]), min=-3, max=3, step=0.1,
                                            description=f"z[{d}]") for d in range(dims)}
    if gan.conditional:
        sliders["label"] = widgets.IntSlider(0, 0, (gan.num_classes or 10) - 1,
                                             description="class")
    if codes:
        sliders["category"] = widgets.IntSlider(0, 0, 9, description="category code")
        sliders["c1"] = widgets.FloatSlider(0.0, min=-2, max=2, step=0.1, description="code c1")
        sliders["c2"] = widgets.FloatSlider(0.0, min=-2, max=2, step=0.1, description="code c2")
    widgets.interact(lambda **kw: _show_one(image, kw, dims), **sliders)
    return None


def _show_one(image, values: dict, dims: int) -> None:
    """The explorer's picture for the sliders' ``values``."""
    import matplotlib.pyplot as plt
    import numpy as np

    from gan_lib.plotting import show_grid

    z = np.array([values[f"z{d}"] for d in range(dims)], np.float32)
    extra = {k: values[k] for k in ("label", "category", "c1", "c2") if k in values}
    show_grid(image(z, **extra)[None], ncols=1, size=3)
    plt.show()


def _static_sweep(image, base, dims: int) -> None:
    """The explorer without widgets: row d sweeps latent number d from -2.5 to 2.5."""
    import matplotlib.pyplot as plt
    import numpy as np

    from gan_lib.plotting import show_grid

    sweep = np.linspace(-2.5, 2.5, 8)
    rows = []
    for d in range(dims):
        for v in sweep:
            values = base[:dims].copy()
            values[d] = v
            rows.append(image(values))
    show_grid(np.stack(rows), ncols=len(sweep), size=6,
              title=f"rows: latent number 0..{dims - 1}; columns: its value from -2.5 to 2.5")
    plt.show()


# --------------------------------------------------------------------------- quiet cells
class _DropLines:
    """A stdout wrapper that drops lines containing any of ``patterns``."""

    def __init__(self, stream, patterns):
        self.stream, self.patterns, self.pending = stream, patterns, ""

    def write(self, text):
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            if not any(p in line for p in self.patterns):
                self.stream.write(line + "\n")
        return len(text)

    def flush(self):
        if self.pending and not any(p in self.pending for p in self.patterns):
            self.stream.write(self.pending)
        self.pending = ""
        self.stream.flush()


class quiet_training:
    """``with quiet_training():`` around a cell that builds and trains many trainers.

    Drops the collapse monitor's per-grid lines ("step N: class entropy of samples ...", which the
    notebook plots instead) and TensorFlow's "triggered tf.function retracing" warnings: each new
    trainer compiles its own step function, so a loop over trainers retraces by design.
    """

    PATTERNS = ("class entropy of samples", "triggered tf.function retracing")

    def __enter__(self):
        import logging
        import sys

        self._stdout = sys.stdout
        sys.stdout = _DropLines(sys.stdout, self.PATTERNS)
        self._logger = logging.getLogger("tensorflow")
        self._level = self._logger.level
        self._logger.setLevel(logging.ERROR)
        return self

    def __exit__(self, *exc):
        import sys

        sys.stdout.flush()
        sys.stdout = self._stdout
        self._logger.setLevel(self._level)
        return False
