"""The course's editions and grader (issue 22), on the course's own notebooks.

* ``edition student`` reproduces notebooks/ byte for byte (the committed notebooks are the
  student edition) and ``edition instructor`` differs from it in the exercise cells only, each
  holding its reference solution; no notebook holds a solution to its own exercises.
* ``grade`` on the untouched student edition scores 0 and on the instructor edition full marks:
  run fully for notebook 00 (the cheapest, ~30 s); for every other exercise but notebook 05's
  three that need its training runs, on a notebook made of each exercise's own cell and check
  cell (two kernels instead of ten notebooks' training; 05's three are checked in
  test_exercises.py on tiny real runs). nbval runs every notebook as committed besides.
* a notebook that raises, times out or is not a notebook scores 0 where it did not reach, with
  the reason in its row; bad invocations say one line and exit with 2.
"""
import csv
import inspect
import json
import os
import subprocess
import sys

import pytest

from gan_lib.course.editions import cell_text, exercise_name, notebook_text
from gan_lib.course.exercises import EXERCISES, exercise
from gan_lib.course.exercises.verdict import show_call

from conftest import REPO

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
NEEDS_A_RUN = {"resume", "checkpoint_contents", "wrong_model"}  # notebook 05's trained runs


def course(*args, env, cwd=REPO, timeout=600):
    return subprocess.run([sys.executable, "-m", "gan_lib.course", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def editions(tmp_path_factory):
    """Both editions of the course's notebooks, written by the command line."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    root = tmp_path_factory.mktemp("editions")
    for kind in ("student", "instructor"):
        done = course("edition", kind, str(root / kind), env=env)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"wrote the {kind} edition of {len(NOTEBOOKS)} notebooks " \
                                      f"to {root / kind}"
    return root


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_the_student_edition_is_the_committed_notebooks_byte_for_byte(editions):
    for path in NOTEBOOKS:
        assert (editions / "student" / path.name).read_bytes() == path.read_bytes(), path.name


def test_the_instructor_edition_fills_in_every_solution_and_changes_nothing_else(editions):
    seen = []
    for path in NOTEBOOKS:
        source, solved = _cells(path), _cells(editions / "instructor" / path.name)
        assert len(source) == len(solved)
        for before, after in zip(source, solved):
            name = exercise_name(before)
            if name is None:
                assert json.dumps(after) == json.dumps(before), (path.name, cell_text(before))
                continue
            seen.append(name)
            assert exercise(name).notebook == path.name[:2]
            assert cell_text(after) == exercise(name).solved_cell(cell_text(before))
            assert "YOUR CODE HERE" in cell_text(before) and "YOUR CODE HERE" not in cell_text(after)
            assert {k: v for k, v in after.items() if k != "source"} == \
                {k: v for k, v in before.items() if k != "source"}
    assert sorted(seen) == sorted(ex.name for ex in EXERCISES)  # each exactly once


def _distinctive_lines(ex, stub: str) -> set:
    """The lines of the reference solution a student could copy: not the stub's, not imports,
    not the short ones any code has (``try:``)."""
    solved = ex.cell or inspect.getsource(ex.solution)
    return {line.strip() for line in solved.splitlines()[1 if ex.cell is None else 0:]
            if len(line.strip()) >= 12 and line.strip() not in stub
            and not line.strip().startswith(("import ", "from ", "#"))}


def test_no_notebook_holds_a_solution_to_its_own_exercises_and_each_offers_show_solution():
    for path in NOTEBOOKS:
        cells = _cells(path)
        page = {line.strip() for c in cells for line in cell_text(c).splitlines()}
        markdown = "\n".join(cell_text(c) for c in cells if c["cell_type"] == "markdown")
        for cell in cells:
            name = exercise_name(cell)
            if name is None:
                continue
            ex = exercise(name)
            assert not _distinctive_lines(ex, cell_text(cell)) & page, (path.name, name)
            assert show_call(ex.name, ex.number) in markdown, (path.name, name)


def _light_notebook(edition_dir, names):
    """One notebook of the exercises ``names``: each one's exercise cell and check cell as the
    edition has them (notebook 04's check is given a cGAN generator built here)."""
    cells = []
    for path in sorted(edition_dir.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for index, cell in enumerate(nb["cells"]):
            if exercise_name(cell) in names:
                if exercise_name(cell) == "condition_g":
                    cells.append(dict(cell, metadata={}, source=[
                        "from gan_lib.models import build_mlp_generator\n",
                        "G = build_mlp_generator(latent_dim=100, num_classes=10)"]))
                cells += [cell, nb["cells"][index + 1]]
    assert len(cells) == 2 * len(names) + ("condition_g" in names)
    cells = [dict(cell, id=f"light-{k}") for k, cell in enumerate(cells)]  # ids stay unique
    return notebook_text(dict(nb, cells=cells))


def _rows(path):
    with open(path, newline="") as f:
        return {row["notebook"]: row for row in csv.DictReader(f)}


def test_grading_scores_the_student_edition_0_and_the_instructor_edition_full_marks(
        editions, tmp_path, run_env):
    light = [ex.name for ex in EXERCISES if ex.name not in NEEDS_A_RUN]
    folder = tmp_path / "submissions"
    folder.mkdir()
    for kind in ("student", "instructor"):
        (folder / f"light_{kind}.ipynb").write_text(_light_notebook(editions / kind, light),
                                                     encoding="utf-8")
    full = NOTEBOOKS[0].name  # 00, the cheapest to run whole
    (folder / full).write_bytes((editions / "instructor" / full).read_bytes())
    done = course("grade", str(folder), "--out", str(tmp_path / "grades.csv"), env=run_env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().endswith(f"wrote {tmp_path / 'grades.csv'}")
    rows = _rows(tmp_path / "grades.csv")
    assert list(rows) == sorted(rows)
    for name in light:
        assert rows["light_student.ipynb"][name] == "0"
        assert rows["light_instructor.ipynb"][name] == "1"
    assert rows["light_student.ipynb"]["total"] == "0"
    assert rows["light_instructor.ipynb"]["total"] == rows["light_instructor.ipynb"]["out_of"] \
        == str(len(light))
    assert rows[full]["js_divergence"] == rows[full]["total"] == rows[full]["out_of"] == "1"
    assert rows[full]["d_loss"] == ""  # another notebook's exercise
    assert all(row["error"] == "" for row in rows.values()), rows
    assert len(done.stderr.strip().splitlines()) == 3  # one line per notebook


def _notebook(*sources, tags=None):
    cells = [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
              "source": source} for source in sources]
    for index, tag in (tags or {}).items():
        cells[index]["metadata"]["tags"] = [tag]
    return notebook_text({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


STUB = "def epochs_skipped(interrupted_at, save_every, typed_restart):\n    # YOUR CODE HERE\n" \
       "    return None"
CHECK = "from gan_lib.course.exercises import check_epochs_skipped\n" \
        "check_epochs_skipped(epochs_skipped)"


def test_a_notebook_that_fails_scores_0_where_it_stopped_and_the_others_are_graded(tmp_path,
                                                                                  run_env):
    folder = tmp_path / "submissions"
    folder.mkdir()
    tag = {0: "exercise-epochs_skipped"}
    (folder / "05_raises_first.ipynb").write_text(_notebook("1 / 0", STUB, CHECK))
    (folder / "05_wrong.ipynb").write_text(_notebook(
        "def epochs_skipped(i, every, typed):\n    return typed - i", CHECK, tags=tag))
    (folder / "05_right.ipynb").write_text(_notebook(exercise("epochs_skipped").solved_cell(STUB),
                                                     CHECK, tags=tag))
    (folder / "05_too_slow.ipynb").write_text(_notebook("import time\ntime.sleep(60)", STUB, CHECK))
    (folder / "05_not_json.ipynb").write_text("{ not a notebook")
    done = course("grade", str(folder), "--out", str(tmp_path / "g.csv"), "--timeout", "10",
                  env=run_env)
    assert done.returncode == 0, done.stderr
    rows = _rows(tmp_path / "g.csv")
    assert rows["05_right.ipynb"]["epochs_skipped"] == "1" and rows["05_right.ipynb"]["error"] == ""
    assert rows["05_wrong.ipynb"]["epochs_skipped"] == "0"
    assert "AssertionError: epochs_skipped(290, 50, 290) gave 0" in rows["05_wrong.ipynb"]["error"]
    # a cell that raises does not stop the notebook: the check after it still counts (0 here)
    assert rows["05_raises_first.ipynb"]["error"].startswith("cell 0: ZeroDivisionError")
    assert rows["05_too_slow.ipynb"]["epochs_skipped"] == "0"
    assert "10 s allowed per notebook" in rows["05_too_slow.ipynb"]["error"]
    assert "not a notebook" in rows["05_not_json.ipynb"]["error"]
    for name in ("05_raises_first.ipynb", "05_too_slow.ipynb", "05_not_json.ipynb"):
        assert rows[name]["epochs_skipped"] == "0" and rows[name]["out_of"] == "4", rows[name]
    # every exercise of notebook 05, even those this file lacks, has its column
    assert rows["05_right.ipynb"]["resume"] == "0" and rows["05_right.ipynb"]["out_of"] == "4"


def test_hidden_checks_stay_out_of_the_student_edition_only(tmp_path, run_env):
    source = tmp_path / "source"
    source.mkdir()
    text = _notebook(STUB, CHECK, "assert epochs_skipped(10, 5, 10) == 0",
                     tags={0: "exercise-epochs_skipped", 2: "hidden-check"})
    (source / "05_x.ipynb").write_text(text)
    for kind, count in (("student", 2), ("instructor", 3)):
        done = course("edition", kind, str(tmp_path / kind), "--source", str(source), env=run_env)
        assert done.returncode == 0, done.stderr
        cells = _cells(tmp_path / kind / "05_x.ipynb")
        assert len(cells) == count and ("YOUR CODE HERE" in cell_text(cells[0])) == \
            (kind == "student")


def _bad_source(tmp_path, text, name="bad"):
    folder = tmp_path / name
    folder.mkdir()
    (folder / "05_x.ipynb").write_text(text)
    return str(folder)


BAD = {
    "no command": ([], "required: command"),
    "grade, no such folder": (["grade", "{tmp}/nowhere"], "no folder"),
    "grade, no notebooks": (["grade", "{empty}"], "holds no .ipynb notebooks"),
    "grade, zero timeout": (["grade", "{empty}", "--timeout", "0"], "positive number of seconds"),
    "grade, a timeout that is no number": (["grade", "{empty}", "--timeout", "soon"],
                                           "not a number of seconds"),
    "grade, --out a folder": (["grade", "{solved}", "--out", "{empty}"], "is a folder"),
    "edition, unknown kind": (["edition", "teacher", "{tmp}/out"], "invalid choice"),
    "edition, into its source": (["edition", "instructor", str(REPO / "notebooks")],
                                 "the source folder itself"),
    "edition, no such source": (["edition", "student", "{tmp}/out", "--source", "{tmp}/nowhere"],
                                "no notebook folder"),
    "edition, a solution in the source": (["edition", "student", "{tmp}/out", "--source",
                                           "{solved}"], "holds no '# YOUR CODE HERE' stub"),
    "edition, an unknown exercise tag": (["edition", "student", "{tmp}/out", "--source",
                                          "{unknown}"], "there is no exercise 'dloss'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_invocation_says_one_line_and_exits_2(case, tmp_path, run_env):
    (tmp_path / "empty").mkdir()
    places = {"tmp": str(tmp_path), "empty": str(tmp_path / "empty"),
              "solved": _bad_source(tmp_path, _notebook("def epochs_skipped(i, e, t):\n    "
                                                        "return 0", tags={0: "exercise-"
                                                                              "epochs_skipped"}),
                                    "solved"),
              "unknown": _bad_source(tmp_path, _notebook(STUB, tags={0: "exercise-dloss"}),
                                     "unknown")}
    args, said = BAD[case]
    done = course(*[a.format(**places) for a in args], env=run_env)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert done.stdout == "" and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert said in done.stderr
    assert not (tmp_path / "out").exists()
