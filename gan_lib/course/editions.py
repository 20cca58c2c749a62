"""The two editions of the course's notebooks, made from one source by cell tags.

The notebooks in ``notebooks/`` are the source. Two cell tags (cell metadata ``"tags"``, as
Jupyter and Colab keep them) mark what differs between editions; see docs/course_editions.md:

* ``exercise-<name>`` on the code cell a student fills in. In the source it holds the *stub*,
  with ``# YOUR CODE HERE`` and a ``None`` answer. The student edition keeps the stub; the
  instructor edition replaces the cell's code by the reference solution of exercise ``<name>``
  (kept in ``gan_lib.course.exercises``, never on the page) and clears its outputs.
* ``hidden-check`` on a code cell that only the instructor edition keeps (a check whose cases
  would give the answer away). The course's notebooks have none: their checks' cases are in
  ``gan_lib.course.exercises``, so the source already *is* the student edition, byte for byte.

Every other cell, and everything else in the file, is copied unchanged. A stub that has lost its
``YOUR CODE HERE`` marker (a solution typed into the source) is refused, so that no solution
reaches a student through the source.
"""
from __future__ import annotations

import json
from pathlib import Path

from gan_lib.errors import GanKitError
from gan_lib.io import atomic_path

EXERCISE_TAG = "exercise-"
HIDDEN_TAG = "hidden-check"
STUB_MARK = "YOUR CODE HERE"
EDITIONS = ("student", "instructor")


def course_notebooks_dir() -> Path:
    """``notebooks/`` of the checkout that holds this gan_lib."""
    return Path(__file__).resolve().parent.parent.parent / "notebooks"


def notebooks_in(folder) -> list[Path]:
    """The ``.ipynb`` files directly in ``folder``, by name."""
    return sorted(p for p in Path(folder).glob("*.ipynb") if p.is_file())


def read_notebook(path) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise GanKitError(f"{path} is not a notebook (not JSON: {err}); pass a folder of "
                          ".ipynb files") from None


def notebook_text(nb: dict) -> str:
    """The file text Jupyter writes (one-space indent, UTF-8 kept, keys in their order)."""
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def cell_text(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


def tags(cell: dict) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def exercise_name(cell: dict) -> str | None:
    """The ``<name>`` of the cell's ``exercise-<name>`` tag, or None."""
    names = [t[len(EXERCISE_TAG):] for t in tags(cell) if t.startswith(EXERCISE_TAG)]
    return names[0] if names else None


def exercise_cells(nb: dict, path) -> list[tuple[int, str]]:
    """``(index, name)`` of every exercise cell, each checked: a known exercise, a code cell,
    one tag."""
    from gan_lib.course.exercises import exercise

    found = []
    for index, cell in enumerate(nb.get("cells", [])):
        name = exercise_name(cell)
        if name is None:
            continue
        where = f"{path} cell {index} (tag {EXERCISE_TAG}{name})"
        if sum(t.startswith(EXERCISE_TAG) for t in tags(cell)) > 1:
            raise GanKitError(f"{where} has several {EXERCISE_TAG}* tags: keep one per cell")
        if cell.get("cell_type") != "code":
            raise GanKitError(f"{where} is a {cell.get('cell_type')} cell: tag the code cell "
                              "the student fills in")
        try:
            exercise(name)
        except GanKitError as err:
            raise GanKitError(f"{where}: {err}") from None
        found.append((index, name))
    return found


def _stub_checked(nb: dict, path) -> list[tuple[int, str]]:
    cells = exercise_cells(nb, path)
    for index, name in cells:
        if STUB_MARK not in cell_text(nb["cells"][index]):
            raise GanKitError(f"{path} cell {index} (exercise {name}) holds no '# {STUB_MARK}' "
                              "stub, so it may hold a solution: put the stub back in the source")
    return cells


def student_edition(nb: dict, path) -> dict:
    """The source with its hidden checks removed (the stubs are the source's own)."""
    _stub_checked(nb, path)
    return dict(nb, cells=[c for c in nb["cells"] if HIDDEN_TAG not in tags(c)])


def instructor_edition(nb: dict, path) -> dict:
    """The source with every exercise cell's stub replaced by the reference solution."""
    from gan_lib.course.exercises import exercise

    cells = list(nb["cells"])
    for index, name in _stub_checked(nb, path):
        solved = exercise(name).solved_cell(cell_text(cells[index]))
        lines = solved.splitlines(keepends=True)
        cells[index] = dict(cells[index], source=lines, outputs=[], execution_count=None)
    return dict(nb, cells=cells)


def write_edition(kind: str, out_dir, source_dir=None) -> list[Path]:
    """Write the ``kind`` edition ("student" or "instructor") of every notebook in
    ``source_dir`` (the course's ``notebooks/``) to ``out_dir``; return the files written."""
    source_dir = Path(source_dir) if source_dir is not None else course_notebooks_dir()
    out_dir = Path(out_dir)
    if kind not in EDITIONS:
        raise GanKitError(f"there is no {kind!r} edition: choose student or instructor")
    if not source_dir.is_dir():
        raise GanKitError(f"no notebook folder {source_dir} (an installed gan_lib carries no "
                          "notebooks): pass the course's notebooks/ with --source")
    sources = notebooks_in(source_dir)
    if not sources:
        raise GanKitError(f"{source_dir} holds no .ipynb notebooks: pass the course's "
                          "notebooks/ with --source")
    if out_dir.resolve() == source_dir.resolve():
        raise GanKitError(f"{out_dir} is the source folder itself: write the edition to "
                          "another folder")
    make = student_edition if kind == "student" else instructor_edition
    editions = [(p, make(read_notebook(p), p)) for p in sources]  # every check before writing
    written = []
    for path, nb in editions:
        target = out_dir / path.name
        with atomic_path(target) as tmp:
            tmp.write_bytes(notebook_text(nb).encode("utf-8"))
        written.append(target)
    return written
