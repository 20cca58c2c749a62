"""Time whole notebooks, as a student would run them, record the times, and write each
notebook's runtime box from the record.

    python docs/time_notebooks.py 05 08          # full mode (GAN_KIT_FAST=0), timed and recorded
    python docs/time_notebooks.py --fast 00 01   # fast mode (GAN_KIT_FAST=1, as CI runs them)
    python docs/time_notebooks.py --boxes        # rewrite every notebook's runtime box
    python docs/time_notebooks.py --check        # exit 1 if a box differs from the record

Each notebook runs with ``jupyter nbconvert --execute`` in a temporary copy of ``notebooks/``
(its ``runs/`` folder and executed copy are thrown away). The wall time, date, machine (CPU
cores, the GPU if one is visible), load average and the notebook's printed lines are merged
into ``docs/images/notebook_times.json``: one entry per notebook and mode ("fast", "full" on a
CPU, "full_gpu"). A notebook's runtime box (the markdown cell with id ``runtime``, after the
set-up cells) is rendered from that record and nothing else, so a time a notebook states is
always a time that was measured, with its machine and date.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "docs" / "images" / "notebook_times.json"


def printed_lines(executed: Path) -> list[str]:
    """The text a notebook's code cells printed (stream outputs), line by line."""
    cells = json.loads(executed.read_text())["cells"]
    return [line for cell in cells if cell["cell_type"] == "code"
            for out in cell.get("outputs", []) if out.get("output_type") == "stream"
            for line in "".join(out["text"]).splitlines() if line.strip()]


def visible_gpu() -> str | None:
    """The first GPU ``nvidia-smi -L`` names, or None (no NVIDIA GPU, or no driver)."""
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip().splitlines()[0] if out.returncode == 0 and out.stdout.strip() \
        else None


def time_notebook(path: Path, fast: bool) -> dict:
    import datetime
    import platform

    flag = "1" if fast else "0"
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copy(path, copy)
        command = ["jupyter", "nbconvert", "--to", "notebook", "--execute",
                   "--ExecutePreprocessor.timeout=7200", "--output", "executed.ipynb", copy.name]
        start = time.perf_counter()
        subprocess.run(command, cwd=tmp, check=True, env={**os.environ, "GAN_KIT_FAST": flag})
        seconds = time.perf_counter() - start
        lines = printed_lines(Path(tmp) / "executed.ipynb")
    return {"command": f"GAN_KIT_FAST={flag} jupyter nbconvert --to notebook --execute "
                       f"{path.name}",
            "gpu": visible_gpu(),
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
            "load_average_1_5_15_min_at_end": [round(x, 2) for x in os.getloadavg()],
            "wall_seconds": round(seconds, 1), "printed": lines}


MODES = (("fast", "fast (`FAST = True`, as CI runs it)"), ("full", "full, CPU"),
         ("full_gpu", "full, GPU"))
BOX_ID = "runtime"


def duration(seconds: float) -> str:
    """62.4 -> "1 min 2 s"; 3725 -> "1 h 2 min"."""
    seconds = round(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60} min"


def box(entries: dict) -> str:
    """The runtime box of one notebook, from its record entries (mode -> entry)."""
    rows = []
    for mode, label in MODES:
        e = entries.get(mode)
        if e is None:
            rows.append(f"> | {label} | not measured | |")
            continue
        load = e["load_average_1_5_15_min_at_end"][0]
        where = f"{e['gpu']}, " if e.get("gpu") else ""
        shared = "; the machine was shared" if load > 2.5 else ""
        rows.append(f"> | {label} | {duration(e['wall_seconds'])} | {e['date'][:10]}, {where}"
                    f"{e['machine']}, load average {load} at the end{shared} |")
    return "\n".join([
        "> **How long this notebook takes**, top to bottom: measured by `python "
        "docs/time_notebooks.py`, recorded in `docs/images/notebook_times.json`. Machines of one "
        "kind differ severalfold, so read these as this machine's times, not yours.",
        ">", "> | mode | whole notebook | measured on |", "> |---|---|---|", *rows])


def notebooks() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def box_cell(nb: dict):
    return next((c for c in nb["cells"] if c.get("id") == BOX_ID), None)


def write_boxes(record: dict, check: bool) -> list[str]:
    """Render every notebook's box from ``record``; with ``check``, only list those that differ."""
    differ = []
    for path in notebooks():
        nb = json.loads(path.read_text())
        text = box(record.get(path.stem, {}))
        cell = box_cell(nb)
        if cell is not None and "".join(cell["source"]) == text:
            continue
        differ.append(path.name)
        if check:
            continue
        if cell is None:  # after the title and the two set-up cells (docs/notebook_header.py)
            cell = {"cell_type": "markdown", "id": BOX_ID, "metadata": {}, "source": []}
            nb["cells"].insert(3, cell)
        cell["source"] = text.splitlines(True)
        path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return differ


def main(argv: list[str]) -> int:
    record = json.loads(RECORD.read_text()) if RECORD.exists() else {}
    if argv in (["--boxes"], ["--check"]):
        differ = write_boxes(record, check=argv == ["--check"])
        if argv == ["--check"]:
            print("runtime boxes differ from the record in: " + ", ".join(differ) if differ
                  else "every runtime box agrees with the record")
            return 1 if differ else 0
        print(f"rewrote {len(differ)} runtime boxes")
        return 0
    fast = "--fast" in argv
    prefixes = [a for a in argv if a != "--fast"]
    paths = []
    for prefix in prefixes:
        matches = sorted((ROOT / "notebooks").glob(f"{prefix}_*.ipynb"))
        if len(matches) != 1 or prefix.startswith("-"):
            print(f"no single notebook starts with {prefix}_ in notebooks/; give two-digit "
                  "prefixes such as 05, or --boxes / --check", file=sys.stderr)
            return 2
        paths.append(matches[0])
    for path in paths:
        entry = time_notebook(path, fast)
        mode = "fast" if fast else ("full_gpu" if entry["gpu"] else "full")
        record.setdefault(path.stem, {})[mode] = entry
        RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
        write_boxes(record, check=False)
        print(f"{path.name}, {mode}: {entry['wall_seconds']} s; recorded in "
              f"{RECORD.relative_to(ROOT)}, box rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
