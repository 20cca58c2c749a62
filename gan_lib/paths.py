"""Where gan_lib keeps files that are not part of a run: caches and default output folders.

Nothing is written inside the installed package or the source checkout, so ``pip install .``
works from any directory and a read-only install is fine.

* ``cache_dir()``: trained evaluation classifiers, datasets fetched by tensorflow-datasets.
  ``$GAN_KIT_CACHE`` if set, else ``$XDG_CACHE_HOME/gan-kit``, else ``~/.cache/gan-kit``.
"""
from __future__ import annotations

import os
from pathlib import Path


def cache_dir(*parts: str) -> Path:
    """The user cache folder (see the module docstring), joined with ``parts``; not created."""
    root = os.environ.get("GAN_KIT_CACHE")
    if root:
        base = Path(root).expanduser()
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "gan-kit"
    return base.joinpath(*parts)
