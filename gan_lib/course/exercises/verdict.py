"""How a check gives its verdict: one line for the student, one JSON line for the grader.

Every ``check_*`` of the course is wrapped by :func:`graded`. It prints what the student needs
("Correct! ...", or why not, or that the exercise is not answered yet) and, when the environment
variable ``GAN_KIT_VERDICTS`` names a file, appends one JSON object per call to it::

    {"exercise": "d_loss", "score": 1.0, "verdict": "correct", "detail": ""}

``verdict`` is one of ``correct`` (score 1), ``not answered`` (score 0: the check used the
reference solution so that the notebook runs on), ``wrong`` (score 0: the check raised
AssertionError, the message is the detail) or ``error`` (score 0: the student's code raised
something else). ``python -m gan_lib.course grade`` sets the variable for each notebook it runs and
reads the file back with :func:`read_verdicts`, so a verdict never has to be parsed from printed text.
Without the variable (a student's own session, nbval in CI) nothing is written.
"""
from __future__ import annotations

import contextvars
import functools
import json
import os
from pathlib import Path

VERDICTS_ENV = "GAN_KIT_VERDICTS"

_answered: contextvars.ContextVar[dict] = contextvars.ContextVar("gan_kit_answered")


def show_call(name: str, number: int | None = None) -> str:
    """How the student asks for the solution: ``show_solution(1)`` or ``show_solution("d_loss")``."""
    return f"show_solution({number})" if number is not None else f'show_solution("{name}")'


def graded(name: str, number: int | None = None):
    """Decorate the check of exercise ``name`` so that each call records its verdict.

    ``number`` is the exercise's number in its notebook when the student knows it by that
    (notebook 05's 0 to 3); the messages then say ``show_solution(number)``.
    """
    def decorate(check):
        @functools.wraps(check)
        def run(*args, **kwargs):
            state = {"answered": True, "name": name, "number": number}
            token = _answered.set(state)
            try:
                result = check(*args, **kwargs)
            except AssertionError as err:
                record(name, "wrong", str(err))
                raise
            except Exception as err:
                record(name, "error", f"{type(err).__name__}: {err}")
                raise
            finally:
                _answered.reset(token)
            record(name, "correct" if state["answered"] else "not answered")
            return result

        return run
    return decorate


def attempted(value) -> bool:
    """False (and says so) when ``value`` is None: the exercise is not answered yet. The check
    then goes on with the reference solution, and its verdict is ``not answered``."""
    if value is not None:
        return True
    state = _answered.get()
    state["answered"] = False
    label = state["number"] if state["number"] is not None else f"'{state['name']}'"
    print(f"Exercise {label} is not answered yet: fill in the cell above, or run "
          f"{show_call(state['name'], state['number'])}. Using the reference solution so the "
          "rest of the notebook runs.")
    return False


def ok(message: str) -> None:
    print(f"Correct! {message}")


def record(name: str, verdict: str, detail: str = "") -> None:
    """Append one verdict to the file named by ``GAN_KIT_VERDICTS`` (nothing when it is unset)."""
    path = os.environ.get(VERDICTS_ENV)
    if not path:
        return
    line = {"exercise": name, "score": 1.0 if verdict == "correct" else 0.0,
            "verdict": verdict, "detail": detail.splitlines()[0][:300] if detail else ""}
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


def read_verdicts(path) -> dict[str, dict]:
    """The verdicts in ``path`` by exercise; when a check ran twice, its last verdict counts."""
    path = Path(path)
    if not path.exists():
        return {}
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            found[entry["exercise"]] = entry
    return found
