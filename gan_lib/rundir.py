"""A run directory: what the kit writes into it, what it may delete, and who may use it.

Two guarantees live here:

* **Nothing but a run is ever deleted.** ``--overwrite`` removes only the entries the kit writes
  (``RUN_ENTRIES``) from a folder that holds a run (its ``config.json`` or checkpoint files), and
  refuses any other non-empty folder. A file of yours inside a run folder stays where it is.
* **One trainer at a time.** While a trainer trains, or sets a run up, it holds an exclusive OS
  lock (``flock``) on ``RUN_DIR/.lock``; a second trainer, a resume or an overwrite of the same
  folder is refused with one line. The operating system releases the lock when the process ends,
  however it ends, so a killed trainer never leaves a stale lock behind.
"""
from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from gan_lib.errors import ConfigError, RunDirError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; runs are simply not locked there
    fcntl = None

LOCK_NAME = ".lock"
RUN_ENTRIES = ("config.json", "checkpoints", "log.csv", "samples", "losses.png",
               "collapse_monitor.csv", "tensorboard", "evaluation.csv", LOCK_NAME)


class RunDir:
    """The folder of one training run."""

    def __init__(self, path):
        self.path = Path(path)

    def holds_run(self) -> bool:
        """Does the folder hold a run (a config.json or checkpoint files)?"""
        ckpt = self.path / "checkpoints"
        return (self.path / "config.json").is_file() or (
            ckpt.is_dir() and any(ckpt.glob("ckpt-*")))

    def check_usable(self) -> None:
        """Refuse a path that is a file, or whose parent cannot hold a folder."""
        if self.path.exists() and not self.path.is_dir():
            raise RunDirError(f"--out {self.path} is a file, not a folder; choose another --out")
        parent = next((p for p in self.path.parents if p.exists()), Path("."))
        if not self.path.exists() and not parent.is_dir():
            raise RunDirError(f"--out {self.path}: {parent} is a file, not a folder; choose "
                              "another --out")

    def check_overwritable(self) -> None:
        """Refuse ``--overwrite`` of a non-empty folder that is not a run."""
        self.check_usable()
        if self.path.is_dir() and any(self.path.iterdir()) and not self.holds_run():
            raise ConfigError(f"--overwrite refused: {self.path} is not empty and is not a "
                              "gan_lib run (no config.json or checkpoints); choose another --out")

    def clear(self) -> None:
        """Delete what the kit wrote in this run (see ``RUN_ENTRIES``), nothing else."""
        self.check_overwritable()
        for name in RUN_ENTRIES:
            entry = self.path / name
            if name == LOCK_NAME:
                continue  # held by us right now
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            elif entry.exists() or entry.is_symlink():
                entry.unlink()

    def create(self) -> None:
        """Make the folder and its ``samples/`` sub-folder."""
        self.check_usable()
        try:
            (self.path / "samples").mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise RunDirError.from_error(self.path, err, "run folder") from None

    def check_unlocked(self) -> None:
        """Refuse at once (before any set-up work) if another process holds the lock."""
        with self.lock():
            pass

    @contextlib.contextmanager
    def lock(self):
        """Hold the run's exclusive lock for the ``with`` block (see the module docstring)."""
        if fcntl is None or not self.path.is_dir():
            yield
            return
        try:
            fd = os.open(self.path / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError:
            yield  # a read-only run folder cannot be trained in anyway; let the write fail
            return
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                other = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
                raise RunDirError(f"{self.path} is in use by another training process (pid "
                                  f"{other}); wait for it to finish or choose another --out") \
                    from None
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode(), 0)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock
