"""Files written whole or not at all.

Every file gan_lib writes goes to a temporary name in the same folder first and is then renamed
over the target (``os.replace`` is atomic on POSIX and Windows). A crash or Ctrl-C in the middle
leaves the old file, never half of a new one.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


FILE_MODE = 0o666 & ~_umask()
"""Mode of written files: what ``open()`` would give (``mkstemp`` alone makes them 0600, which
another user of a shared lab machine could not read)."""


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to ``path``; on success it replaces ``path``.

    The temporary file keeps the target's suffix, so writers that choose a format by extension
    (PIL, matplotlib, numpy) still see ``.png`` or ``.npz``.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=path.suffix)
    os.fchmod(fd, FILE_MODE)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def atomic_write_text(path, text: str) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(text)
