"""gan-kit installs like a real package: a wheel built from the checkout, installed into a fresh
virtual environment, trains, samples and evaluates from a folder outside the checkout.

The environment gets this machine's already-installed TensorFlow and other dependencies through a
``.pth`` line (installing TensorFlow again would take minutes); ``.pth`` files inside that folder
are not processed, so the checkout's editable install stays invisible and ``gan_lib`` can only
come from the wheel, which the test checks.
"""
import importlib
import os
import subprocess
import sys

from pathlib import Path

import numpy as np

from conftest import REPO


def run(args, **kwargs):
    r = subprocess.run(args, capture_output=True, text=True, timeout=600, **kwargs)
    assert r.returncode == 0, (args, r.stdout[-2000:], r.stderr[-3000:])
    return r


def dependency_folders() -> list:
    """The folders the installed dependencies are imported from (site-packages, usually)."""
    names = ("tensorflow", "keras", "numpy", "scipy", "matplotlib", "PIL", "tensorboard")
    return sorted({str(Path(importlib.import_module(n).__file__).parent.parent) for n in names})


def test_wheel_installs_and_runs_from_anywhere(tmp_path):
    dist, venv, work = tmp_path / "dist", tmp_path / "venv", tmp_path / "work"
    work.mkdir()
    run([sys.executable, "-m", "pip", "wheel", str(REPO), "--no-deps", "--no-build-isolation",
         "-q", "-w", str(dist)], cwd=tmp_path)
    wheel = next(dist.glob("gan_kit-*.whl"))
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    purelib = next(venv.glob("lib/python*/site-packages"))
    (purelib / "system_packages.pth").write_text("\n".join(dependency_folders()) + "\n")
    python = venv / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q",
         str(wheel)])

    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path / "home"),
           "GAN_DATA_DIR": os.environ.get("GAN_DATA_DIR", str(REPO.parent / "shared" / "data")),
           "GAN_KIT_CACHE": str(tmp_path / "cache")}
    where = run([str(python), "-c", "import gan_lib; print(gan_lib.__file__)"], cwd=work, env=env)
    assert where.stdout.strip().startswith(str(purelib)), where.stdout
    run([str(venv / "bin" / "gan-kit"), "train", "--model", "mlp", "--steps", "3", "--out", "r",
         "--quiet"], cwd=work, env=env)
    run([str(python), "-m", "gan_lib", "sample", "--run", "r", "--n", "200", "--out", "s.npz"],
        cwd=work, env=env)
    assert np.load(work / "s.npz")["images"].shape == (200, 28, 28, 1)
    report = run([str(python), "-m", "gan_lib", "evaluate", "--dataset", "mnist", "--samples",
                  "s.npz", "--out", "report.json"], cwd=work, env=env)
    assert '"precision"' in report.stdout and (work / "report.json").exists()
    # nothing was written beside the user's own outputs (caches went to GAN_KIT_CACHE)
    assert sorted(p.name for p in work.iterdir()) == ["r", "report.json", "s.npz"]
