"""Write the two set-up cells every course notebook starts with, from one template.

    python docs/notebook_header.py          # rewrite cells 1 and 2 of notebooks/*.ipynb
    python docs/notebook_header.py --check  # exit 1 if a notebook's set-up cells differ

``REPO_URL`` is the one place the repository's address is written; the install cell each
notebook carries is generated from it (tests/test_notebook_helpers.py checks they agree).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

REPO_URL = "https://github.com/gan-kit/gan-kit"

INSTALL_CELL = f'''\
# Set-up. In Colab: install the kit with pip from its repository (pip's last lines are shown).
# Elsewhere: use the kit already installed (`pip install -e .` in a checkout).
REPO_URL = "{REPO_URL}"  # written by docs/notebook_header.py
import subprocess, sys
problem = None
if "google.colab" in sys.modules:
    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", f"git+{{REPO_URL}}.git"],
                         capture_output=True, text=True)
    print((pip.stdout + pip.stderr).strip()[-1500:] or "pip: nothing to report")
    if pip.returncode:
        problem = f"pip install from {{REPO_URL}} failed (exit code {{pip.returncode}}, output above)"
try:
    import gan_lib
except Exception as err:  # noqa: BLE001 -- any failure here must be said in one line
    problem = problem or f"gan_lib cannot be imported: {{type(err).__name__}}: {{err}}"
print(f"SET-UP FAILED: {{problem}}" if problem else f"gan_lib {{gan_lib.__version__}} is ready")'''

SETUP_CELL = '''\
FAST = True  # @param {type:"boolean"}
# FAST: every training run is cut short (seconds each). Untick it (or set FAST = False)
# for the full-length runs; the notebook says what has been timed of them, and where.
from gan_lib.course.notebook import setup, steps, run_dir

FAST = setup(fast=FAST)'''


def _lines(text: str) -> list[str]:
    return text.splitlines(True)


def notebooks() -> list[Path]:
    return sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def differs(path: Path) -> bool:
    cells = json.loads(path.read_text())["cells"]
    return ["".join(cells[1]["source"]), "".join(cells[2]["source"])] != [INSTALL_CELL, SETUP_CELL]


def write(path: Path) -> None:
    nb = json.loads(path.read_text())
    for index, text in ((1, INSTALL_CELL), (2, SETUP_CELL)):
        cell = nb["cells"][index]
        assert cell["cell_type"] == "code", f"{path.name}: cell {index} is not the set-up cell"
        cell["source"] = _lines(text)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    if "--check" in sys.argv:
        bad = [p.name for p in notebooks() if differs(p)]
        print("set-up cells differ in: " + ", ".join(bad) if bad else "all set-up cells agree")
        sys.exit(1 if bad else 0)
    for p in notebooks():
        write(p)
    print(f"wrote the set-up cells of {len(notebooks())} notebooks")
