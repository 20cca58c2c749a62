"""The training loop: compiled calls, their records, stop requests and divergence checks.

``Loop.train`` runs the compiled calls (compiled.py) from the state's step to the end, each call
ending on the next callback interval, appends every step's metrics to the history, checks them,
calls the callbacks' hooks with a narrow view of the run (view.py), checkpoints on schedule and
on Ctrl-C / SIGTERM, and nothing else: the plan (plan.py) decided what to train, the state
(state.py) holds it, the files (files.py) hold the run directory.

Why its own loop and not ``keras.Model.fit(steps_per_execution=...)``: two models with two
optimisers step in a fixed order, the calls must end on every callback's interval, a resumed
run must continue the same batch stream, and an interrupt must checkpoint before returning.
"""
from __future__ import annotations

import math
import signal
import threading
import time

from gan_lib.data import batches
from gan_lib.distribute import any_worker
from gan_lib.errors import DivergenceError, GanKitError, RunDirError
from gan_lib.progress import Progress
from gan_lib.run.compiled import build_multi_step
from gan_lib.run.view import RunView

LOG_FIELDS = ["step", "epoch", "d_loss", "g_loss", "d_real", "d_fake", "seconds"]
METRICS = ["d_loss", "g_loss", "d_real", "d_fake"]  # + the variant's extra metrics
LOSS_LIMIT = 1e6  # a loss beyond this has left any sane range: the run is diverging


class StopRequests:
    """While training, Ctrl-C (SIGINT, also Colab's "interrupt kernel") and SIGTERM ask the loop
    to stop after the current call; it then checkpoints and returns. A second Ctrl-C interrupts
    at once. Outside the main thread signals cannot be caught, and nothing is installed."""

    def __init__(self):
        self.requested = False
        self._previous = {}

    def _handler(self, signum, frame):
        if self.requested and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.requested = True

    def __enter__(self):
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                try:
                    self._previous[sig] = signal.signal(sig, self._handler)
                except ValueError:
                    pass
        return self

    def __exit__(self, *exc):
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        return False


class SaveSchedule:
    """When to checkpoint: every ``every_steps`` steps (an interval the calls end on), and after
    a call when ``seconds`` have passed since the last checkpoint."""

    def __init__(self, every_steps: int, seconds: float):
        self.every_steps, self.seconds = every_steps, seconds
        self._last_time, self._last_step = time.monotonic(), None

    def due(self, step: int, interval: bool) -> bool:
        late = time.monotonic() - self._last_time > self.seconds
        return (interval or late) and step != self._last_step

    def saved(self, step: int) -> None:
        self._last_time, self._last_step = time.monotonic(), step


class Loop:
    """Trains a :class:`RunState` as its plan says, calling ``callbacks`` with a view of it."""

    def __init__(self, plan, state, files, callbacks: list):
        c = plan.config
        self.plan, self.state, self.files, self.callbacks = plan, state, files, callbacks
        self.metric_keys = METRICS + list(plan.variant.extra_metrics)
        self.log_fields = LOG_FIELDS + list(plan.variant.extra_metrics)
        self.history = {k: [] for k in self.log_fields}
        self.view = RunView(self)
        # workers' clocks differ: several workers checkpoint at step intervals only
        seconds = c.checkpoint_every_seconds if plan.role.count == 1 else math.inf
        self.schedule = SaveSchedule(c.checkpoint_every_steps or plan.steps_per_epoch, seconds)
        self.interrupted, self.last_call, self.progress = False, {}, None
        self.stream = None  # (step, batch iterator) left by the last train() call
        self.multi_step = build_multi_step(plan, state, self.metric_keys, self._after_step)

    def _after_step(self) -> None:
        """Graph code after every step, inside the compiled call: G's moving average first."""
        if self.state.ema is not None:
            self.state.ema.update(self.state.step)
        for callback in self.callbacks:
            if callback.after_step is not None:
                callback.after_step(self.view)

    # ------------------------------------------------------------------ the loop
    def train(self, steps: int | None = None) -> dict:
        """Train up to the plan's total length (or ``steps`` more); return the history."""
        start = self.state.global_step
        end = self.plan.total_steps if steps is None else start + steps
        if start >= end:
            self.say(f"nothing to do: the run is at step {start} of {end}")
            return self.history
        with self.files.lock(), StopRequests() as stop:
            self.progress = Progress(end, start, enabled=bool(self.plan.config.verbose))
            try:
                stopped = self._steps(start, end, stop)
            except KeyboardInterrupt:  # a second Ctrl-C, or an interrupt outside the main thread
                stopped = True
            finally:
                self.progress.close()
            if stopped:
                self._stop_interrupted()
            self.hook("on_train_end")
            self.progress = None
        return self.history

    def _steps(self, start: int, end: int, stop) -> bool:
        """The steps from ``start`` to ``end``; True if they were stopped by a request."""
        iterator, self.stream = self._batches_from(start), None
        self.hook("on_train_begin")
        # "seconds" in the log counts training time across resumptions
        t0 = time.perf_counter() - (self.history["seconds"][-1] if self.history["seconds"] else 0)
        step, stopping = start, False
        while step < end and not stopping:
            k = self._call_length(step, end)
            self.last_call = self.run_steps(iterator, k)
            logs = self._record(step, self.last_call, time.perf_counter() - t0)
            step += k
            self.progress.update(step, **logs)
            self.hook("on_steps_end", step, logs)
            for callback in self.callbacks:
                if step % self._every(callback) == 0 or step == end:
                    self._run_hook(callback, "on_interval", step)
            interval = step % self.schedule.every_steps == 0 or step == end
            if self.files.checkpoint is not None and self.schedule.due(step, interval):
                self.save()
            # A SIGTERM to any worker stops them all at this step. The vote never overwrites
            # the request itself: one that arrives during the vote counts in the next.
            stopping = any_worker(self.plan.strategy, stop.requested) \
                if self.plan.role.count > 1 else stop.requested
        self.stream = (step, iterator)  # the next train() call continues from here
        return stopping

    def run_steps(self, iterator, k: int) -> dict:
        """Run ``k`` compiled train steps on batches from ``iterator``; return each metric as a
        numpy array of ``k`` values. No logging, checkpoints or callbacks: the hook benchmarks
        time."""
        import tensorflow as tf

        out = self.multi_step(iterator, tf.constant(k, tf.int32))
        return {key: value.numpy() for key, value in out.items()}

    def _batches_from(self, step: int):
        """The batch stream at ``step``: the one the previous ``train`` call left at that step,
        else a new one. Building a stream copies the dataset into a tensor and fills its
        prefetch buffer (0.4 s for MNIST on 2 cores), which a loop of short calls would pay
        each time."""
        if self.stream is not None and self.stream[0] == step:
            return self.stream[1]
        c = self.plan.config
        return iter(batches(self.plan.data, c.batch_size, c.seed, start_step=step,
                            shard=self.plan.role))

    def _every(self, callback) -> int:
        return callback.every_steps or self.plan.steps_per_epoch

    def _call_length(self, step: int, end: int) -> int:
        """Steps in the next compiled call: up to the next interval (a callback's, or a
        checkpoint's) or the end."""
        k = self.plan.config.steps_per_call if self.plan.strategy is None else 1
        periods = [self._every(c) for c in self.callbacks]
        if self.files.checkpoint is not None:
            periods.append(self.schedule.every_steps)
        return min([k, end - step] + [p - step % p for p in periods])

    def _record(self, start: int, rows: dict, seconds: float) -> dict:
        """Append the call's metrics to the history, checking them; return the last step's."""
        for i in range(len(rows["d_loss"])):
            logs = {key: float(values[i]) for key, values in rows.items()}
            self._check_losses(logs, start + i + 1)
            logs.update(step=start + i + 1, epoch=(start + i) // self.plan.steps_per_epoch + 1,
                        seconds=round(seconds, 3))
            for key in self.log_fields:
                self.history[key].append(logs[key])
        return {key: self.history[key][-1] for key in self.metric_keys}

    # ------------------------------------------------------------------ hooks and saving
    def hook(self, name: str, *args) -> None:
        """Call hook ``name`` of every callback, in order."""
        for callback in self.callbacks:
            self._run_hook(callback, name, *args)

    def _run_hook(self, callback, hook: str, *args) -> None:
        """``callback.hook(view, *args)``. If it fails (a callback of yours, an evaluation), the
        training done so far is checkpointed first, so nothing trained is lost; the error then
        goes on, saying so. The checkpoint's own failures (disk full, divergence) go on as they
        are: there is nothing safe to save then."""
        try:
            getattr(callback, hook)(self.view, *args)
        except (DivergenceError, RunDirError, KeyboardInterrupt):
            raise
        except Exception as err:
            saved, step = self._save_after_failure(), self.state.global_step
            if saved is None or not isinstance(err, GanKitError):
                if saved:
                    self.say(f"{type(callback).__name__} failed at step {step}; the checkpoint "
                             f"{saved} is saved: continue with --resume", always=True)
                raise
            raise type(err)(f"{err} ({type(callback).__name__}, step {step}; the training is "
                            f"saved in {saved}: fix this and continue with --resume)") from None

    def _save_after_failure(self):
        """A checkpoint of the current step after a callback failed (None if there is none to
        write); an existing one of this step is kept."""
        checkpoint = self.files.checkpoint
        if checkpoint is None or not self.plan.role.chief:
            return None
        latest = checkpoint.latest
        if latest is not None and latest.endswith(f"ckpt-{self.state.global_step}"):
            return latest
        if not self.state.weights_are_finite():
            return None
        try:
            return self.save()  # every callback's files, then the checkpoint
        except Exception:  # the failing callback's files again: the checkpoint alone
            return checkpoint.save()

    def save(self) -> str | None:
        """Every callback's files, then a checkpoint. In this order a kill between the two
        leaves log rows past the latest checkpoint, which a resume drops and writes again; the
        other order could leave a checkpoint whose last steps are missing from the log."""
        if self.files.checkpoint is None:
            return None
        if not self.state.weights_are_finite():
            raise DivergenceError(self.divergence_message(
                f"the weights became non-finite by step {self.state.global_step}"))
        if self.state.ema is not None:
            self.state.ema.refresh()  # its batch-norm statistics, saved with it
        for callback in self.callbacks:  # not through _run_hook: its failure saves again
            callback.on_save(self.view)
        path = self.files.checkpoint.save()
        self.schedule.saved(self.state.global_step)
        return path

    def _stop_interrupted(self) -> None:
        self.interrupted = True
        saved = self.save() if self.files.checkpoint else None
        self.say(f"interrupted at step {self.state.global_step}"
                 + (f"; checkpoint saved to {saved}; continue with --resume" if saved else ""),
                 always=True)  # what the user's Ctrl-C or kill did, even with --quiet

    # ------------------------------------------------------------------ checks and messages
    def _check_losses(self, metrics: dict, step: int) -> None:
        bad = [k for k in ("d_loss", "g_loss") if not math.isfinite(metrics[k])
               or abs(metrics[k]) > LOSS_LIMIT]
        if bad:
            raise DivergenceError(self.divergence_message(
                f"{' and '.join(bad)} became {metrics[bad[0]]:.4g} at step {step}"))

    def divergence_message(self, what: str) -> str:
        c, checkpoint = self.plan.config, self.files.checkpoint
        latest = checkpoint.latest if checkpoint else None
        where = (f"the last checkpoint ({latest.rsplit('/', 1)[-1]}) is intact: continue from "
                 f"it with lower learning rates, e.g. --resume --lr-g {c.lr_g / 4:.3g} --lr-d "
                 f"{c.lr_d / 4:.3g}") if latest else "lower --lr-g/--lr-d and start again"
        return f"{what}; the run is diverging; {where} (or try another --loss)"

    def say(self, message: str, always: bool = False) -> None:
        """Print a message (if verbose, or ``always``) without garbling the progress line."""
        if not (self.plan.config.verbose or always) or not self.plan.role.chief:
            return
        if self.progress is not None:
            self.progress.write(message)
        else:
            print(message, flush=True)
