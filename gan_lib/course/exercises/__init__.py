"""Checks and reference solutions of the course's exercises, and ``show_solution``.

Each exercise has a name (its column in ``grades.csv`` and its cell tag ``exercise-<name>``, see
docs/course_editions.md), a check the notebook calls on the student's answer, and a reference
solution kept here, off the page. A check given an unanswered exercise (the stub still returns
None) says so and goes on with the reference solution, so that the notebook runs top to bottom.
``show_solution(name)`` prints the reference solution; notebook 05's exercises can also be asked
for by their numbers there, ``show_solution(0)`` to ``show_solution(3)``.

The checks live by kind: ``measures`` (numbers from arrays: notebooks 00, 02, 03, 06, 09),
``modes`` (10), ``networks`` (losses and conditioning: 01, 04, 07, 08) and ``resume`` (05);
``verdict`` is how each check reports, to the student and to the grader.
"""
from __future__ import annotations

import dataclasses
import inspect
import re
from typing import Callable

from gan_lib.course.exercises.measures import (check_alpha_curve, check_fakes_called_real,
                                               check_js_divergence, check_sharpness, check_slerp,
                                               solution_alpha_curve, solution_fakes_called_real,
                                               solution_js_divergence, solution_sharpness,
                                               solution_slerp)
from gan_lib.course.exercises.modes import check_covered_modes, solution_covered_modes
from gan_lib.course.exercises.networks import (check_condition_g, check_d_loss,
                                               check_hinge_d_loss, check_information_loss,
                                               conditioned_input, first_layer,
                                               library_aux_functions, solution_condition_g,
                                               solution_d_loss, solution_hinge_d_loss,
                                               solution_information_loss)
from gan_lib.course.exercises.resume import (CHECKPOINT_FACTS, CONTENTS_CELL, RESUME_CELL,
                                             WRONG_MODEL_CELL, check_1, check_2, check_3,
                                             check_epochs_skipped, solution_1, solution_2,
                                             solution_3, solution_epochs_skipped)
from gan_lib.errors import GanKitError

__all__ = [  # what the notebooks and tests import from here
    "CHECKPOINT_FACTS", "CONTENTS_CELL", "EXERCISES", "Exercise", "RESUME_CELL", "WRONG_MODEL_CELL",
    "check_1", "check_2", "check_3", "check_alpha_curve", "check_condition_g", "check_covered_modes",
    "check_d_loss", "check_epochs_skipped", "check_fakes_called_real", "check_hinge_d_loss",
    "check_information_loss", "check_js_divergence", "check_sharpness", "check_slerp",
    "conditioned_input", "exercise", "first_layer", "library_aux_functions", "show_solution",
    "solution_1", "solution_2", "solution_3", "solution_alpha_curve", "solution_condition_g",
    "solution_covered_modes", "solution_d_loss", "solution_epochs_skipped",
    "solution_fakes_called_real", "solution_hinge_d_loss", "solution_information_loss",
    "solution_js_divergence", "solution_sharpness", "solution_slerp",
]


@dataclasses.dataclass(frozen=True)
class Exercise:
    """One exercise: where it is, how it is checked, and its reference solution."""

    name: str                  # the grader's column, the cell tag exercise-<name>
    notebook: str              # the notebook's number, "00" to "10"
    check: Callable
    solution: Callable
    cell: str | None = None    # the cell as solved, when it is not one function (notebook 05)
    number: int | None = None  # show_solution(number) in its notebook (notebook 05 only)

    def solved_cell(self, stub: str) -> str:
        """The exercise cell with the reference solution: ``cell`` when given, else the
        solution function renamed to the function the stub defines."""
        if self.cell is not None:
            return self.cell
        found = re.search(r"^def (\w+)\(", stub, re.M)
        if not found:
            raise GanKitError(f"the cell of exercise {self.name} defines no function (no 'def "
                              "name(' line): restore its stub")
        source = inspect.getsource(self.solution).rstrip("\n")
        return source.replace(f"def {self.solution.__name__}(", f"def {found.group(1)}(", 1)


EXERCISES = (
    Exercise("js_divergence", "00", check_js_divergence, solution_js_divergence),
    Exercise("d_loss", "01", check_d_loss, solution_d_loss),
    Exercise("fakes_called_real", "02", check_fakes_called_real, solution_fakes_called_real),
    Exercise("slerp", "03", check_slerp, solution_slerp),
    Exercise("condition_g", "04", check_condition_g, solution_condition_g),
    Exercise("epochs_skipped", "05", check_epochs_skipped, solution_epochs_skipped, number=0),
    Exercise("resume", "05", check_1, solution_1, cell=RESUME_CELL, number=1),
    Exercise("checkpoint_contents", "05", check_2, solution_2, cell=CONTENTS_CELL, number=2),
    Exercise("wrong_model", "05", check_3, solution_3, cell=WRONG_MODEL_CELL, number=3),
    Exercise("alpha_curve", "06", check_alpha_curve, solution_alpha_curve),
    Exercise("hinge_d_loss", "07", check_hinge_d_loss, solution_hinge_d_loss),
    Exercise("information_loss", "08", check_information_loss, solution_information_loss),
    Exercise("sharpness", "09", check_sharpness, solution_sharpness),
    Exercise("covered_modes", "10", check_covered_modes, solution_covered_modes),
)
"""Every exercise of the course, in the order of the notebooks."""


def exercise(n_or_name) -> Exercise:
    """The exercise called ``n_or_name`` (a name, or notebook 05's number); an unknown one is
    refused in one line that lists the valid ones."""
    for ex in EXERCISES:
        if n_or_name == ex.name or (type(n_or_name) is int and n_or_name == ex.number):
            return ex
    names = ", ".join(f'"{ex.name}"' for ex in EXERCISES)
    raise GanKitError(f"there is no exercise {n_or_name!r}; the exercises are {names} (notebook "
                      "05's also by their numbers there, 0 to 3)")


def show_solution(n_or_name) -> None:
    """Print the reference solution of an exercise, by name (``show_solution("d_loss")``) or,
    in notebook 05, by number (``show_solution(1)``): what goes in the exercise's cell."""
    ex = exercise(n_or_name)
    if ex.cell is not None:
        print(ex.cell)
    else:
        print(inspect.getsource(ex.solution))
