"""Errors a user can fix.

Every mistake a student can make (a missing dataset, a bad option, a checkpoint from another model)
raises a :class:`GanKitError` whose message is one line: what is wrong and how to fix it. The command
line prints that line and exits with status 2; notebooks show it as a normal exception.
"""


class GanKitError(Exception):
    """Base class: a problem with the user's input, not a bug in gan_lib."""


class ConfigError(GanKitError, ValueError):
    """An option has a value that cannot work (non-positive steps, unknown model, ...)."""


class DataError(GanKitError):
    """A dataset is missing, empty or unreadable."""


class CheckpointError(GanKitError):
    """No usable checkpoint, or one that belongs to a different model."""


class DivergenceError(GanKitError):
    """A loss became NaN or infinite; the last good checkpoint is left untouched."""


class RunDirError(GanKitError):
    """A file or folder cannot be written or read (read-only, disk full, not a folder, in use)."""

    @classmethod
    def from_error(cls, path, err, what: str = "files") -> "RunDirError":
        """One line naming ``path``, what went wrong in ``err`` (an OSError or a TensorFlow
        error) and the fix."""
        import errno

        text = f"{type(err).__name__} {getattr(err, 'message', '')} {err}".lower()
        code = getattr(err, "errno", None)
        if code == errno.ENOSPC or "no space" in text or "resourceexhausted" in text:
            fix = "the disk is full; free some space, then run again (with --resume for training)"
        elif code in (errno.EACCES, errno.EPERM, errno.EROFS) or "permission" in text \
                or "read-only" in text:
            fix = "permission denied (read-only); make it writable or write somewhere else"
        elif code == errno.ENOTDIR or "not a directory" in text:
            fix = "a file stands where a folder is needed; choose another path"
        elif code == errno.EEXIST or code == errno.EISDIR:
            fix = "a folder stands where a file is needed, or the reverse; choose another path"
        elif code == errno.ENOENT or "not found" in text:
            fix = "a folder on the way is missing; create it or choose another path"
        else:
            first = str(err).splitlines()[0][:160] if str(err) else ""
            fix = f"{type(err).__name__}: {first}"
        return cls(f"cannot write the {what} in {path}: {fix}")
