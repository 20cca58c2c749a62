"""What a callback sees of a run: a narrow view, not the trainer.

Every hook of a callback (callbacks.py) receives a :class:`RunView`. It offers the run's step,
its history, its :class:`~gan_lib.run.state.RunState` (networks, fixed inputs, the generator
samples come from), the run folder (``out_dir``, and ``output(name)`` for a file the kit
writes there) and ``say`` to print without garbling the progress line. A callback needs
nothing else, and cannot reach the loop's machinery: ``tests/test_architecture.py`` checks
that the kit's callbacks use only these members.
"""
from __future__ import annotations


class RunView:
    """The members a callback may use (see the module docstring)."""

    __slots__ = ("_loop",)
    MEMBERS = ("step", "global_step", "history", "state", "out_dir", "output", "output_folder",
               "record", "say")

    def __init__(self, loop):
        self._loop = loop

    @property
    def step(self) -> int:
        """The global step reached (the number of steps trained, resumptions included)."""
        return self._loop.state.global_step

    global_step = step  # the trainer's name for it, so a callback works with either

    @property
    def history(self) -> dict:
        """Every logged step so far: ``{field: [value per step]}`` (see ``LOG_FIELDS``)."""
        return self._loop.history

    @property
    def state(self):
        return self._loop.state

    @property
    def out_dir(self):
        """The run folder (None for a run kept in memory)."""
        return self._loop.files.out_dir

    def output(self, name: str):
        """The path of a file to write in the run folder, recorded as the kit's first."""
        return self._loop.files.output(name)

    def output_folder(self, name: str):
        return self._loop.files.output_folder(name)

    def record(self, *paths) -> None:
        """Record files that TensorFlow wrote in the run folder as the kit's."""
        self._loop.files.record(*paths)

    def say(self, message: str, always: bool = False) -> None:
        """Print ``message`` (if verbose, or ``always``) above the progress line."""
        self._loop.say(message, always)
