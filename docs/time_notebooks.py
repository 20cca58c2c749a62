"""Time whole notebooks in full mode, as a student would run them, and record the times.

    python docs/time_notebooks.py 05 08      # GAN_KIT_FAST=0 jupyter nbconvert --execute, timed

Each notebook runs in a temporary copy of ``notebooks/`` (its ``runs/`` folder and executed copy
are thrown away), with ``GAN_KIT_FAST=0``. The wall time, date, machine, load average and the
notebook's printed lines are merged into ``docs/images/notebook_times.json``, one entry per
notebook, so a notebook's timing line can cite a record instead of a memory.
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


def time_notebook(path: Path) -> dict:
    import datetime
    import platform

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / path.name
        shutil.copy(path, copy)
        command = ["jupyter", "nbconvert", "--to", "notebook", "--execute",
                   "--ExecutePreprocessor.timeout=7200", "--output", "executed.ipynb", copy.name]
        start = time.perf_counter()
        subprocess.run(command, cwd=tmp, check=True, env={**os.environ, "GAN_KIT_FAST": "0"})
        seconds = time.perf_counter() - start
        lines = printed_lines(Path(tmp) / "executed.ipynb")
    return {"command": f"GAN_KIT_FAST=0 jupyter nbconvert --to notebook --execute {path.name}",
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores",
            "load_average_1_5_15_min_at_end": [round(x, 2) for x in os.getloadavg()],
            "wall_seconds": round(seconds, 1), "printed": lines}


def main(argv: list[str]) -> int:
    record = json.loads(RECORD.read_text()) if RECORD.exists() else {}
    for prefix in argv:
        matches = sorted((ROOT / "notebooks").glob(f"{prefix}_*.ipynb"))
        if len(matches) != 1:
            print(f"no single notebook starts with {prefix}_ in notebooks/", file=sys.stderr)
            return 2
        entry = time_notebook(matches[0])
        record[matches[0].stem] = entry
        RECORD.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
        print(f"{matches[0].name}: {entry['wall_seconds']} s; recorded in {RECORD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
