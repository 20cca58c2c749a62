"""Pictures: sample grids, loss curves and the progress GIF.

Grids are assembled with NumPy and written with Pillow (small, exact PNGs, no figure machinery);
curves use matplotlib with the non-interactive Agg backend when no display is attached.
"""
from __future__ import annotations

import math

import numpy as np

from gan_lib.data import to_uint8
from gan_lib.io import atomic_path


def image_grid(images, ncols: int | None = None, pad: int = 2, pad_value: int = 255) -> np.ndarray:
    """Tile images [N, H, W, C] (uint8, or float in [-1, 1]) into one uint8 image.

    ``ncols`` defaults to a square-ish grid. Grayscale grids come back as [H, W].
    """
    images = np.asarray(images)
    if images.dtype != np.uint8:
        images = to_uint8(images)
    if images.ndim == 3:
        images = images[..., None]
    n, h, w, c = images.shape
    ncols = ncols or math.ceil(math.sqrt(n))
    nrows = math.ceil(n / ncols)
    grid = np.full((nrows * (h + pad) + pad, ncols * (w + pad) + pad, c), pad_value, np.uint8)
    for i, image in enumerate(images):
        r, col = divmod(i, ncols)
        top, left = pad + r * (h + pad), pad + col * (w + pad)
        grid[top:top + h, left:left + w] = image
    return grid[..., 0] if c == 1 else grid


def save_grid(images, path, ncols: int | None = None, scale: int = 2) -> None:
    """Write a grid of ``images`` as a PNG, each pixel ``scale`` times larger for readability."""
    from PIL import Image

    grid = image_grid(images, ncols)
    picture = Image.fromarray(grid)
    if scale > 1:
        picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
    with atomic_path(path) as tmp:
        picture.save(tmp)


def show_grid(images, ncols: int | None = None, title: str | None = None, ax=None, size=6):
    """Draw a grid of images with matplotlib (for notebooks)."""
    import matplotlib.pyplot as plt

    grid = image_grid(images, ncols)
    if ax is None:
        _, ax = plt.subplots(figsize=(size, size))
    ax.imshow(grid, cmap="gray" if grid.ndim == 2 else None, vmin=0, vmax=255)
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def smooth(values, window: int):
    """Moving average, for noisy per-step curves (same length; the start averages fewer)."""
    values = np.asarray(values, dtype=float)
    if window <= 1 or len(values) < 2:
        return values
    cumsum = np.cumsum(np.insert(values, 0, 0.0))
    counts = np.minimum(np.arange(1, len(values) + 1), window)
    starts = np.arange(1, len(values) + 1) - counts
    return (cumsum[1:] - cumsum[starts]) / counts


def plot_history(history, path=None, title: str | None = None):
    """Loss curves (top) and D's mean outputs on real and generated images (bottom).

    ``history`` is a dict of lists with keys ``step``, ``d_loss``, ``g_loss``, ``d_real``,
    ``d_fake`` (what the trainer records). Returns the figure; with ``path``, also saves it.
    """
    steps = np.asarray(history["step"])
    window = max(1, len(steps) // 50)
    if path is not None:
        # A bare Figure, not pyplot: saving a file must not switch a notebook's backend or
        # leave a figure behind to pop up in the next cell.
        from matplotlib.figure import Figure

        fig = Figure(figsize=(8, 6))
        ax1, ax2 = fig.subplots(2, 1, sharex=True)
    else:
        import matplotlib.pyplot as plt

        fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    for key, label in (("d_loss", "D loss"), ("g_loss", "G loss")):
        ax1.plot(steps, history[key], alpha=0.25)
        ax1.plot(steps, smooth(history[key], window), label=label, color=ax1.lines[-1].get_color())
    ax1.set_ylabel("loss")
    ax1.legend()
    for key, label in (("d_real", "D(x), real"), ("d_fake", "D(G(z)), generated")):
        ax2.plot(steps, smooth(history[key], window), label=label)
    ax2.axhline(0.5, color="gray", lw=0.8, ls="--")
    ax2.set_ylim(0, 1)
    ax2.set_xlabel("step")
    ax2.set_ylabel("mean D output")
    ax2.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    if path is not None:
        with atomic_path(path) as tmp:
            fig.savefig(tmp, dpi=90)
    return fig


def save_gif(frames, path, duration_ms: int = 300) -> None:
    """Animated GIF from a list of image paths or uint8 arrays (e.g. the per-epoch grids)."""
    from PIL import Image

    pictures = [Image.open(f) if not isinstance(f, np.ndarray) else Image.fromarray(f)
                for f in frames]
    if not pictures:
        raise ValueError("save_gif needs at least one frame")
    with atomic_path(path) as tmp:
        pictures[0].save(tmp, save_all=True, append_images=pictures[1:], duration=duration_ms,
                         loop=0)
