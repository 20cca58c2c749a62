"""A run directory: what the kit wrote into it, what it may delete, and who may use it.

Three guarantees live here:

* **The kit knows what it wrote.** Every file and folder a run creates is recorded in the run's
  manifest, ``RUN_DIR/gan_kit_files.json``, *before* it is written (the manifest itself is
  replaced atomically, see io.py). ``--overwrite`` deletes exactly the manifest's entries and
  nothing else; a file the kit did not write is never deleted or changed, whatever its name.
* **A folder of yours is not a run.** A new run goes into a new or empty folder, or one that
  holds only the kit's own files. A folder with any file the kit did not write is refused, with
  a line naming one such file and the way out, and so is ``--overwrite`` of a folder that holds
  no gan_lib run or of one that a new run would write over a file of yours.
* **One trainer at a time.** While a trainer trains, or sets a run up, it holds an exclusive OS
  lock (``flock``) on ``RUN_DIR/.lock``; a second trainer, a resume or an overwrite of the same
  folder is refused with one line. The operating system releases the lock when the process ends,
  however it ends, so a killed trainer never leaves a stale lock behind. A refused command
  leaves no lock file behind: the lock is only created in a folder that has become a run.

Why a manifest and not a list of names: a folder can hold a ``log.csv`` or a ``samples/mine.png``
of the user's, and no rule about names can tell it from the kit's.
"""
from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import shutil
from pathlib import Path

from gan_lib.errors import ConfigError, RunDirError

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; runs are simply not locked there
    fcntl = None

LOCK_NAME = ".lock"
MANIFEST_NAME = "gan_kit_files.json"
# What a run writes, by path inside the run folder: a file of someone else's at one of these
# places would be replaced by a new run, so --overwrite refuses it instead.
RUN_FILES = ("config.json", "log.csv", "losses.png", "collapse_monitor.csv", "evaluation.csv",
             MANIFEST_NAME, LOCK_NAME)
RUN_FOLDERS = ("checkpoints", "tensorboard")
_GRID = re.compile(r"^samples/step_\d{7}\.png$")


class RunDir:
    """The folder of one training run, and its manifest of the files the kit wrote there."""

    def __init__(self, path):
        self.path = Path(path)
        self._kit = None  # {"files": set, "folders": set} of relative paths, once read

    # ------------------------------------------------------------------ what is in the folder
    def holds_run(self) -> bool:
        """Does the folder hold a run (a config.json or checkpoint files)?"""
        ckpt = self.path / "checkpoints"
        return (self.path / "config.json").is_file() or (
            ckpt.is_dir() and any(ckpt.glob("ckpt-*")))

    def has_manifest(self) -> bool:
        return (self.path / MANIFEST_NAME).is_file()

    def _manifest(self) -> dict:
        """The manifest's entries (empty sets when there is none, or it cannot be read: then
        nothing counts as the kit's, the safe side)."""
        if self._kit is None:
            self._kit = {"files": set(), "folders": set()}
            try:
                saved = json.loads((self.path / MANIFEST_NAME).read_text())
                self._kit = {key: set(saved[key]) for key in ("files", "folders")}
            except (OSError, ValueError, KeyError, TypeError):
                pass
        return self._kit

    def _relative(self, path) -> str:
        """``path`` as the manifest writes it: relative to the run folder, with ``/``."""
        path = Path(path)
        base = self.path.absolute() if path.is_absolute() else self.path
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            return path.as_posix()

    def track(self, *paths) -> None:
        """Record ``paths`` (in the folder) as the kit's, with any folder on the way that does not
        exist yet (the kit is about to create it). Call it *before* writing: a crash between the
        two leaves a manifest entry without a file, never a kit file the manifest does not know."""
        kit, changed = self._manifest(), False
        for path in paths:
            rel = self._relative(path)
            if rel not in kit["files"]:
                kit["files"].add(rel)
                changed = True
            parent = Path(rel).parent
            while parent != Path("."):
                if not (self.path / parent).exists() and parent.as_posix() not in kit["folders"]:
                    kit["folders"].add(parent.as_posix())
                    changed = True
                parent = parent.parent
        if changed:
            self._write_manifest()

    def track_folder(self, name: str) -> None:
        """Record a folder the kit is about to create."""
        kit = self._manifest()
        if name not in kit["folders"] and not (self.path / name).exists():
            kit["folders"].add(name)
            self._write_manifest()

    def _write_manifest(self) -> None:
        from gan_lib.io import atomic_write_text

        kit = self._manifest()
        kit["files"].add(MANIFEST_NAME)
        text = json.dumps({"written_by": "gan_lib", "files": sorted(kit["files"]),
                           "folders": sorted(kit["folders"])}, indent=1)
        try:
            atomic_write_text(self.path / MANIFEST_NAME, text + "\n")
        except OSError as err:
            raise RunDirError.from_error(self.path, err, "run folder") from None

    def foreign_entries(self) -> list[str]:
        """Files and folders in the run folder that the kit did not write, as relative paths."""
        if not self.path.is_dir():
            return []
        kit, found = self._manifest(), []
        for root, dirs, files in os.walk(self.path):
            here = Path(root).relative_to(self.path)
            for name in sorted(dirs):
                rel = (here / name).as_posix()
                if rel not in kit["folders"]:
                    found.append(rel + "/")
            found += [(here / name).as_posix() for name in sorted(files)
                      if (here / name).as_posix() not in kit["files"]]
        return sorted(found)

    # ------------------------------------------------------------------ checks (nothing written)
    def check_usable(self) -> None:
        """Refuse a path that is a file, or whose parent cannot hold a folder."""
        if self.path.exists() and not self.path.is_dir():
            raise RunDirError(f"--out {self.path} is a file, not a folder; choose another --out")
        parent = next((p for p in self.path.parents if p.exists()), Path("."))
        if not self.path.exists() and not parent.is_dir():
            raise RunDirError(f"--out {self.path}: {parent} is a file, not a folder; choose "
                              "another --out")

    def check_new(self) -> None:
        """A new run (neither --resume nor --overwrite): the folder must be new, empty or hold
        only the kit's files of a run that never started."""
        self.check_usable()
        if self.holds_run():
            raise ConfigError(f"{self.path} already holds a run; add --resume to continue it, "
                              "--overwrite to replace it, or choose another --out")
        foreign = self.foreign_entries()
        if foreign:
            raise ConfigError(f"--out {self.path} holds files gan-kit did not write (e.g. "
                              f"{foreign[0]}); a run needs a new or empty folder: choose another "
                              "--out")

    def check_overwritable(self) -> None:
        """``--overwrite``: the folder must hold a run with a manifest (or nothing of anyone's),
        and no file of someone else's may stand where the new run will write."""
        self.check_usable()
        foreign = self.foreign_entries()
        if not self.holds_run():
            if foreign:
                raise ConfigError(f"--overwrite refused: {self.path} is not a gan_lib run (no "
                                  f"config.json or checkpoints) and holds files (e.g. "
                                  f"{foreign[0]}); choose another --out")
            return
        if not self.has_manifest():
            raise ConfigError(f"--overwrite refused: {self.path} holds a run written by an "
                              "earlier gan_lib, which kept no list of its files, so its files "
                              "cannot be told from yours; delete the folder yourself or choose "
                              "another --out")
        clash = next((f for f in foreign if _kit_place(f)), None)
        if clash is not None:
            raise ConfigError(f"--overwrite refused: {self.path / clash.rstrip('/')} was not "
                              "written by gan-kit and the new run would write there; move it "
                              "away or choose another --out")

    # ------------------------------------------------------------------ writing
    def clear(self) -> None:
        """Delete what the manifest lists (files, then the kit's folders left empty), nothing
        else; TensorFlow's own half-written checkpoint folders go too."""
        kit = self._manifest()
        for rel in sorted(kit["files"] - {LOCK_NAME, MANIFEST_NAME}):
            entry = self.path / rel
            if entry.is_symlink() or entry.is_file():
                entry.unlink()
        if "checkpoints" in kit["folders"]:
            for temp in (self.path / "checkpoints").glob("ckpt-*_temp*"):
                shutil.rmtree(temp, ignore_errors=True)
        for rel in sorted(kit["folders"], key=lambda r: -r.count("/")):
            with contextlib.suppress(OSError):  # a folder still holding your files stays
                (self.path / rel).rmdir()
        kit["files"] = {f for f in kit["files"] if (self.path / f).exists()}
        kit["folders"] = {f for f in kit["folders"] if (self.path / f).is_dir()}
        self._write_manifest()

    def create(self) -> None:
        """Make the folder and its ``samples/`` sub-folder, recorded in the manifest."""
        self.check_usable()
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self.track_folder("samples")
            (self.path / "samples").mkdir(exist_ok=True)
        except OSError as err:
            raise _create_error(self.path, err) from None

    # ------------------------------------------------------------------ the lock
    def check_unlocked(self) -> None:
        """Refuse at once (before any set-up work) if another process holds the lock. Only an
        existing lock file is opened: a check creates nothing."""
        if (self.path / LOCK_NAME).is_file():
            with self.lock():
                pass

    @contextlib.contextmanager
    def lock(self):
        """Hold the run's exclusive lock for the ``with`` block (see the module docstring)."""
        if fcntl is None or not self.path.is_dir():
            yield
            return
        try:
            if not (self.path / LOCK_NAME).exists():
                self.track(LOCK_NAME)
            fd = os.open(self.path / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o666)
        except (OSError, RunDirError):
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


def _kit_place(rel: str) -> bool:
    """Would a run write at ``rel`` (a path inside its folder)?"""
    rel = rel.rstrip("/")
    return rel in RUN_FILES or rel.split("/")[0] in RUN_FOLDERS or rel == "samples" \
        or bool(_GRID.match(rel))


def _create_error(path: Path, err: OSError) -> RunDirError:
    """Creating the run folder failed: where the parent exists, say that folders cannot be made
    there (a system folder such as /proc), not that one is missing."""
    parent = next((p for p in path.parents if p.exists()), None)
    if err.errno == errno.ENOENT and parent is not None and parent.is_dir():
        return RunDirError(f"cannot create the run folder {path}: {parent} does not accept new "
                           "folders; choose an --out in a folder of yours")
    return RunDirError.from_error(path, err, "run folder")


def inside(a: Path, b: Path) -> bool:
    """Is ``a`` the folder ``b`` or inside it (after resolving links and ``..``)?"""
    a, b = Path(a).resolve(), Path(b).resolve()
    return a == b or b in a.parents


def is_run_folder(folder: Path) -> bool:
    """Does ``folder`` hold a gan-kit run (its manifest, or a config.json beside checkpoints/)?"""
    return (folder / MANIFEST_NAME).is_file() or (
        (folder / "config.json").is_file() and (folder / "checkpoints").is_dir())
