"""Notebook 05's exercises: the seed's restart arithmetic, an exact resume, what a checkpoint
holds, and the refusal to resume into the wrong model.

The student knows these by number (``show_solution(0)`` to ``show_solution(3)``); the grader's
columns are their names (``epochs_skipped``, ``resume``, ``checkpoint_contents``, ``wrong_model``).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from gan_lib.course.exercises.verdict import attempted, graded, ok
from gan_lib.errors import GanKitError

CHECKPOINT_FACTS = {
    "generator_weights": True,
    "discriminator_weights": True,
    "adam_moments": True,       # the optimisers' slot variables (m and v per weight)
    "step_counter": True,
    "random_generator_state": True,
    "training_data": False,     # only the step: the data order follows from (seed, step)
    "python_code": False,       # a checkpoint holds values, not the model's code or config
}

RESUME_CELL = "resumed = Trainer(TrainConfig(steps=2 * N, **small), run_b, resume=True, data=mnist)"
"""Exercise 1 as the student writes it, in the notebook's own names."""

CONTENTS_CELL = "answer = {\n" + "".join(f'    "{k}": {v},\n' for k, v in CHECKPOINT_FACTS.items()) \
    + "}"
"""Exercise 2 as the student writes it."""

WRONG_MODEL_CELL = """\
error = None
try:
    make_wrong_trainer()
except Exception as err:  # gan_lib's refusal
    error = err"""
"""Exercise 3 as the student writes it."""


# ----------------------------------------------------------------------------- exercise 0
def solution_epochs_skipped(interrupted_at, save_every, typed_restart):
    last_saved = (interrupted_at // save_every) * save_every
    return typed_restart - last_saved


@graded("epochs_skipped", number=0)
def check_epochs_skipped(fn):
    """Exercise 0: epochs the seed-001 restart skipped, from its own settings."""
    got = fn(290, 50, 290)
    if not attempted(got):
        fn = solution_epochs_skipped
        got = fn(290, 50, 290)
    cases = {(290, 50, 290): 40, (290, 10, 290): 0, (299, 50, 290): 40, (300, 50, 300): 0,
             (49, 50, 49): 49, (240, 50, 260): 60}  # the last: a restart epoch typed too high
    wrong = {k: fn(*k) for k, v in cases.items() if fn(*k) != v}
    if wrong:
        k = next(iter(wrong))
        raise AssertionError(f"epochs_skipped{k} gave {wrong[k]}, expected {cases[k]}: which epoch "
                             "did the newest checkpoint hold when the session died?")
    ok(f"with checkpoints every 50 epochs (the seed's prose), the weights restored were those of "
       f"epoch 250, while the loop was told it was at 290: {got} epochs never trained, and nothing "
       f"said so. Every 10 epochs (the seed's only code): {fn(290, 10, 290)} skipped at this "
       f"interruption, up to {fn(289, 10, 290)} at another (the seed restarts at the epoch it "
       "typed, 290).")
    return got


# ----------------------------------------------------------------------------- exercise 1
def solution_1(config, run_dir, data):
    """The interrupted run, restored from its latest checkpoint (not trained yet)."""
    from gan_lib.trainer import Trainer

    return Trainer(config, run_dir, resume=True, data=data)


def _start_problem(resumed, straight, run_dir, interrupted_at: int) -> str | None:
    """Why ``resumed`` is not the run in ``run_dir`` restored at step ``interrupted_at``, before
    any training (None: it is). Training is deterministic, so a run retrained from scratch ends
    bit-identical too: only the step a trainer starts from tells a resume from a new run."""
    if resumed is straight:
        return "that is the uninterrupted run itself: resume the interrupted one (run_b)"
    if not all(hasattr(resumed, a) for a in ("global_step", "train", "gan", "out_dir")):
        return f"expected a Trainer, got {type(resumed).__name__}"
    out_dir = resumed.out_dir
    if out_dir is None:
        return f"this trainer keeps its run in memory: resume the interrupted run's {run_dir}"
    if Path(out_dir).resolve() != Path(run_dir).resolve():
        return f"this trainer's run directory is {out_dir}, not the interrupted run's {run_dir}"
    step = resumed.global_step
    if step == 0:
        return ("this trainer starts at step 0, as a new run does: resume=True continues from "
                f"the checkpoint, at step {interrupted_at}")
    if step == straight.global_step:
        return (f"this trainer is already at step {step}: leave it untrained, the check trains it "
                "from the step it starts at (if this check ran before, it trained the run to "
                "the end: run the notebook again from the cell that trains the interrupted run)")
    if step != interrupted_at:
        return f"this trainer starts at step {step}, the checkpoint is at step {interrupted_at}"
    return None


@graded("resume", number=1)
def check_1(resumed, straight, config, run_dir, data, interrupted_at: int):
    """``resumed`` must be the run in ``run_dir`` restored at its checkpoint's step
    ``interrupted_at``, untrained; trained to the end here, it must be bit-identical to the
    uninterrupted run ``straight``."""
    if not attempted(resumed):
        resumed = solution_1(config, run_dir, data)
    problem = _start_problem(resumed, straight, run_dir, interrupted_at)
    if problem:
        raise AssertionError(problem)
    resumed.train()
    if resumed.global_step != straight.global_step:
        raise AssertionError(f"trained on, the resumed run stops at step {resumed.global_step}, "
                             f"the uninterrupted one at {straight.global_step}: give the config "
                             "the run's whole length")
    for a, b in zip(straight.gan.generator.weights, resumed.gan.generator.weights):
        if not np.array_equal(np.asarray(a), np.asarray(b)):
            raise AssertionError("it starts at the right step, but ends with other weights: was "
                                 "everything restored (resume=True), optimisers included?")
    ok(f"it started at step {interrupted_at}, the checkpoint's, and, trained on to step "
       f"{resumed.global_step}, it is bit-identical to the run that was never interrupted.")
    return resumed


# ----------------------------------------------------------------------------- exercise 2
def solution_2():
    return dict(CHECKPOINT_FACTS)


@graded("checkpoint_contents", number=2)
def check_2(answer: dict | None, checkpoint_path: str):
    """``answer`` maps each key of CHECKPOINT_FACTS to True/False: is it in the checkpoint?"""
    import tensorflow as tf

    if not attempted(answer):
        answer = solution_2()
    if not isinstance(answer, dict):
        raise AssertionError(f"answer should be a dict of True/False, got {type(answer).__name__}")
    names = [name for name, _ in tf.train.list_variables(checkpoint_path)]
    evidence = {
        "adam_moments": [n for n in names if "optimizer/_variables" in n][:2],
        "step_counter": [n for n in names if n.startswith("step/")],
        "random_generator_state": [n for n in names if n.startswith("rng/")],
    }
    wrong = [k for k, v in CHECKPOINT_FACTS.items() if answer.get(k) != v]
    if wrong:
        raise AssertionError(f"not quite: look again at {', '.join(wrong)} (True or False each; "
                             f"hint: tf.train.list_variables lists {len(names)} entries)")
    ok("for example " + "; ".join(f"{k}: {v[0]}" for k, v in evidence.items() if v))
    return answer


# ----------------------------------------------------------------------------- exercise 3
def solution_3(make_wrong_trainer):
    try:
        make_wrong_trainer()
    except GanKitError as err:
        return err
    return None


@graded("wrong_model", number=3)
def check_3(error, make_wrong_trainer):
    """``error`` is the exception raised when resuming with a different latent size: the same
    refusal, word for word, that ``make_wrong_trainer()`` raises when the check calls it again."""
    if not attempted(error):
        error = solution_3(make_wrong_trainer)
    if not isinstance(error, BaseException):
        raise AssertionError(f"store the exception itself (except ... as err: error = err), not "
                             f"a {type(error).__name__}")
    reference = solution_3(make_wrong_trainer)
    if reference is None:
        raise AssertionError("make_wrong_trainer() raised no GanKitError: does it resume run_b "
                             "with latent_dim=64?")
    if type(error) is not type(reference) or str(error) != str(reference):
        raise AssertionError(f"expected the error make_wrong_trainer() raises "
                             f"({type(reference).__name__}), got {type(error).__name__}: {error}")
    message = str(error).replace(str(Path.cwd()) + "/", "")  # paths relative to the notebook
    ok(f"gan_lib refused, saying: {message}")
    return error
