"""Grade a folder of completed notebooks: run each one headless and read its checks' verdicts.

``python -m gan_lib.course grade DIR --out grades.csv`` runs every ``.ipynb`` in ``DIR`` in a
fresh Python kernel (nbclient, which nbval already brings), with the notebook's folder as working
directory and ``GAN_KIT_FAST`` passed on as it is set (``GAN_KIT_FAST=1`` grades in fast mode).
Each ``check_*`` the notebook calls writes its verdict to a file named by ``GAN_KIT_VERDICTS``
(see ``gan_lib.course.exercises.verdict``); the grade of an exercise is that verdict's score: 1
when the student's answer passed, 0 when it is unanswered, wrong or raised.

A cell that raises does not stop the notebook (later exercises still count); the first error is
written in the row's ``error`` column. A notebook that runs past ``--timeout`` seconds, or whose
kernel dies, is stopped there: the exercises it did not reach score 0 and the ``error`` column
says why. Nothing a notebook does stops the grading of the others.

The CSV has one row per notebook file: ``notebook``, one column per exercise of the graded
notebooks (empty where an exercise belongs to another notebook), ``total``, ``out_of``,
``seconds`` and ``error``. It is written whole at the end (atomically).
"""
from __future__ import annotations

import csv
import dataclasses
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from gan_lib.course.editions import exercise_name, notebooks_in, read_notebook
from gan_lib.course.exercises import EXERCISES
from gan_lib.course.exercises.verdict import VERDICTS_ENV, read_verdicts
from gan_lib.errors import GanKitError
from gan_lib.io import atomic_path

DEFAULT_TIMEOUT = 1800


@dataclasses.dataclass
class Row:
    """One graded notebook."""

    notebook: str
    scores: dict        # exercise name -> score (0 or 1)
    seconds: float
    error: str = ""

    @property
    def total(self) -> float:
        return sum(self.scores.values())


def kernel_env(verdicts: Path) -> dict:
    """The grading kernel's environment: ours, plus where to write verdicts, with a relative
    GAN_DATA_DIR made absolute (the kernel runs in the notebook's folder)."""
    env = dict(os.environ, **{VERDICTS_ENV: str(verdicts)})
    if env.get("GAN_DATA_DIR"):
        env["GAN_DATA_DIR"] = os.path.abspath(env["GAN_DATA_DIR"])
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return env


def first_error(nb) -> str:
    """``cell N: Name: message`` of the first error output in an executed notebook, or ''."""
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                text = str(out.get("evalue", "")).strip().splitlines()
                return f"cell {index}: {out.get('ename')}: {text[0] if text else ''}"[:300]
    return ""


def execute(path: Path, verdicts: Path, timeout: float) -> str:
    """Run the notebook at ``path``; return its first error ('' if none). ``timeout`` bounds
    the whole notebook: each cell gets what is left of it."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    deadline = time.monotonic() + timeout
    try:
        nb = nbformat.read(str(path), as_version=4)
        client = NotebookClient(nb, kernel_name="python3", allow_errors=True,
                                timeout=int(timeout),
                                timeout_func=lambda cell: max(1, int(deadline - time.monotonic())),
                                resources={"metadata": {"path": str(path.parent)}})
        # the kernel's own stderr (TensorFlow's C++ logs, ipykernel's warnings) is not the
        # student's: cell errors and printed output reach the grader through the notebook
        client.execute(env=kernel_env(verdicts), stderr=subprocess.DEVNULL)
    except CellTimeoutError:
        return f"stopped after the {timeout:g} s allowed per notebook (--timeout)"
    except DeadKernelError as err:
        return f"the kernel died: {str(err).strip().splitlines()[0] if str(err) else ''}"
    except Exception as err:  # noqa: BLE001 -- one notebook's failure must not end the grading
        return f"{type(err).__name__}: {str(err).strip()[:200]}"
    return first_error(nb)


def exercises_of(path: Path, nb: dict | None) -> list[str]:
    """The exercises a notebook file has: those its cells are tagged with, and those of the
    course's notebook whose number starts its file name (a copy that lost its tags)."""
    tagged = {exercise_name(c) for c in (nb or {}).get("cells", [])} - {None}
    numbered = {ex.name for ex in EXERCISES if path.name.startswith(f"{ex.notebook}_")}
    return [ex.name for ex in EXERCISES if ex.name in tagged | numbered]


def grade_notebook(path: Path, timeout: float) -> Row:
    """Run one notebook and score its exercises."""
    start = time.perf_counter()
    try:
        nb = read_notebook(path)
    except GanKitError as err:
        return Row(path.name, {name: 0.0 for name in exercises_of(path, None)}, 0.0, str(err))
    with tempfile.TemporaryDirectory(prefix="gan-kit-grade-") as tmp:
        verdicts = Path(tmp) / "verdicts.jsonl"
        error = execute(path, verdicts, timeout)
        found = read_verdicts(verdicts)
    names = exercises_of(path, nb)
    names += [n for n in found if n not in names]  # a check called in an untagged cell
    scores = {name: float(found[name]["score"]) if name in found else 0.0 for name in names}
    return Row(path.name, scores, round(time.perf_counter() - start, 1), error)


def grades_csv(rows: list[Row]) -> str:
    """The CSV text: one row per notebook, one column per exercise seen, then the totals."""
    order = [ex.name for ex in EXERCISES]
    seen = {name for row in rows for name in row.scores}
    columns = sorted(seen, key=lambda n: order.index(n) if n in order else len(order))
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(["notebook", *columns, "total", "out_of", "seconds", "error"])
    for row in rows:
        cells = [f"{row.scores[c]:g}" if c in row.scores else "" for c in columns]
        writer.writerow([row.notebook, *cells, f"{row.total:g}", len(row.scores),
                         row.seconds, row.error])
    return text.getvalue()


def grade_folder(folder, out, timeout: float = DEFAULT_TIMEOUT, log=sys.stderr) -> list[Row]:
    """Grade every notebook in ``folder`` and write the CSV to ``out``; say one line per
    notebook on ``log``."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GanKitError(f"no folder {folder}: pass the folder that holds the completed notebooks")
    paths = notebooks_in(folder)
    if not paths:
        raise GanKitError(f"{folder} holds no .ipynb notebooks: pass the folder that holds the "
                          "completed notebooks")
    if not 0 < timeout < float("inf"):
        raise GanKitError(f"--timeout must be a positive number of seconds, got {timeout:g}")
    if Path(out).is_dir():
        raise GanKitError(f"--out {out} is a folder: give the CSV file's name, e.g. grades.csv")
    rows = []
    for path in paths:
        row = grade_notebook(path, timeout)
        rows.append(row)
        print(f"{row.notebook}: {row.total:g} of {len(row.scores)} in {row.seconds:g} s"
              + (f"; {row.error}" if row.error else ""), file=log, flush=True)
    with atomic_path(out) as tmp:
        tmp.write_bytes(grades_csv(rows).encode("utf-8"))
    return rows
