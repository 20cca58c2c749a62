"""A progress line that suits a terminal, a notebook and a CI log alike.

In a terminal or a notebook the line is redrawn in place (at most a few times a second); in a log
file (CI, ``nohup``) a new line is printed every tenth of the run, so logs stay short.
"""
from __future__ import annotations

import sys
import time


def _interactive(stream) -> bool:
    return (hasattr(stream, "isatty") and stream.isatty()) or "ipykernel" in sys.modules


def format_seconds(seconds: float) -> str:
    seconds = int(seconds)
    h, rem = divmod(seconds, 3600)
    m, s = divmod(rem, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class Progress:
    """``Progress(total, start)`` then ``update(step, **metrics)`` after each step, ``close()``."""

    def __init__(self, total: int, start: int = 0, stream=None, enabled: bool = True,
                 min_interval: float = 0.25):
        self.total, self.start = total, start
        self.stream = stream or sys.stdout
        self.enabled = enabled
        self.interactive = _interactive(self.stream)
        # a notebook keeps every redraw in the saved file: redraw there at most every 2 s
        self.min_interval = 2.0 if "ipykernel" in sys.modules else min_interval
        self.t0 = self._last = time.perf_counter()
        self._next_log_step = start
        self._drawn = False

    def line(self, step: int, metrics: dict) -> str:
        done = step - self.start
        elapsed = time.perf_counter() - self.t0
        rate = done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - step) / rate if rate > 0 else 0.0
        width = 24
        filled = int(width * step / max(self.total, 1))
        bar = "#" * filled + "." * (width - filled)
        stats = "  ".join(f"{k} {v:.3f}" for k, v in metrics.items())
        return (f"[{bar}] step {step}/{self.total}  {stats}  "
                f"{rate:.1f} it/s  {format_seconds(elapsed)}<{format_seconds(eta)}")

    def update(self, step: int, **metrics) -> None:
        if not self.enabled:
            return
        now = time.perf_counter()
        final = step >= self.total
        if self.interactive:
            if final or now - self._last >= self.min_interval:
                self.stream.write("\r" + self.line(step, metrics))
                self.stream.flush()
                self._last, self._drawn = now, True
        elif final or step >= self._next_log_step:
            self.stream.write(self.line(step, metrics) + "\n")
            self.stream.flush()
            self._next_log_step = step + max(1, (self.total - self.start) // 10)

    def write(self, message: str) -> None:
        """Print a message without garbling the progress line."""
        if self.interactive and self._drawn:
            self.stream.write("\n")
            self._drawn = False
        self.stream.write(message + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.enabled and self.interactive and self._drawn:
            self.stream.write("\n")
            self.stream.flush()
