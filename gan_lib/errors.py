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
