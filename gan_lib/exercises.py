"""Checks and reference solutions for the exercises of notebook 05 (checkpoints and resuming).

Each ``check_*`` function says whether an answer is right and why not. Given ``None`` (the
exercise not attempted yet) it says so and returns the reference solution's result, so that the
rest of the notebook still runs; ``show_solution(n)`` prints the reference solution's code.
"""
from __future__ import annotations

import inspect

import numpy as np

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


def _not_answered(n: int) -> None:
    print(f"Exercise {n} is not answered yet: fill in the cell above, or run show_solution({n}). "
          "Using the reference solution so the rest of the notebook runs.")


def _ok(message: str) -> None:
    print(f"Correct! {message}")


# ----------------------------------------------------------------------------- exercise 1
def solution_1(config, run_dir, data):
    """Resume the interrupted run and train it to the config's full length."""
    from gan_lib.trainer import Trainer

    resumed = Trainer(config, run_dir, resume=True, data=data)
    resumed.train()
    return resumed


def check_1(resumed, straight, config, run_dir, data):
    """The resumed run must end bit-identical to the uninterrupted one."""
    if resumed is None:
        _not_answered(1)
        resumed = solution_1(config, run_dir, data)
    if resumed.global_step != straight.global_step:
        raise AssertionError(f"the resumed run is at step {resumed.global_step}, the straight run "
                             f"at {straight.global_step}: did you train to the full length?")
    for a, b in zip(straight.gan.generator.weights, resumed.gan.generator.weights):
        if not np.array_equal(np.asarray(a), np.asarray(b)):
            raise AssertionError("same step, but different weights: was everything restored "
                                 "(resume=True) before training?")
    _ok("the resumed run is bit-identical to the run that was never interrupted.")
    return resumed


# ----------------------------------------------------------------------------- exercise 2
def solution_2():
    return dict(CHECKPOINT_FACTS)


def check_2(answer: dict | None, checkpoint_path: str):
    """``answer`` maps each key of CHECKPOINT_FACTS to True/False: is it in the checkpoint?"""
    import tensorflow as tf

    if answer is None:
        _not_answered(2)
        answer = solution_2()
    names = [name for name, _ in tf.train.list_variables(checkpoint_path)]
    evidence = {
        "adam_moments": [n for n in names if "optimizer/_variables" in n][:2],
        "step_counter": [n for n in names if n.startswith("step/")],
        "random_generator_state": [n for n in names if n.startswith("rng/")],
    }
    wrong = [k for k, v in CHECKPOINT_FACTS.items() if answer.get(k) != v]
    if wrong:
        raise AssertionError(f"not quite: look again at {', '.join(wrong)} "
                             f"(hint: tf.train.list_variables lists {len(names)} entries)")
    _ok("for example " + "; ".join(f"{k}: {v[0]}" for k, v in evidence.items() if v))
    return answer


# ----------------------------------------------------------------------------- exercise 3
def solution_3(make_wrong_trainer):
    try:
        make_wrong_trainer()
    except GanKitError as err:
        return err
    return None


def check_3(error, make_wrong_trainer):
    """``error`` is the exception raised when resuming with a different latent size."""
    if error is None:
        _not_answered(3)
        error = solution_3(make_wrong_trainer)
    if not isinstance(error, GanKitError):
        raise AssertionError(f"expected gan_lib's clear refusal, got {type(error).__name__}: "
                             f"{error}")
    if "latent_dim" not in str(error):
        raise AssertionError("the message should name what differs (latent_dim)")
    _ok(f"gan_lib refused, saying: {error}")
    return error


def show_solution(n: int) -> None:
    """Print the reference solution of exercise ``n``."""
    print(inspect.getsource({1: solution_1, 2: solution_2, 3: solution_3}[n]))
    if n == 2:
        print("CHECKPOINT_FACTS =", CHECKPOINT_FACTS)
