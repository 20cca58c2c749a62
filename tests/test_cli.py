"""The command line, end to end in subprocesses: train, resume, sample, and every error path."""
import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import REPO


def run(args, env, cwd):
    return subprocess.run([sys.executable, "-m", "gan_lib", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def test_train_resume_sample(run_env, tmp_path):
    """The issue's acceptance run, shortened: 20 steps, resumed to 40, then sampled."""
    r = run(["train", "--model", "dcgan", "--dataset", "mnist", "--steps", "20", "--out", "R",
             "--base-filters", "8"], run_env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "R" / "checkpoints" / "ckpt-20.index").exists()
    r = run(["train", "--model", "dcgan", "--dataset", "mnist", "--steps", "40", "--out", "R",
             "--resume"], run_env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "resumed R from step 20" in r.stdout
    assert (tmp_path / "R" / "checkpoints" / "ckpt-40.index").exists()
    log = (tmp_path / "R" / "log.csv").read_text().splitlines()
    assert len(log) == 41 and log[-1].startswith("40,")
    assert json.loads((tmp_path / "R" / "config.json").read_text())["base_filters"] == 8

    r = run(["sample", "--run", "R", "--n", "1000", "--out", "s.npz"], run_env, tmp_path)
    assert r.returncode == 0, r.stderr
    images = np.load(tmp_path / "s.npz")["images"]
    assert images.shape == (1000, 28, 28, 1) and images.dtype == np.uint8
    r = run(["sample", "--run", "R", "--n", "16", "--out", "grid.png"], run_env, tmp_path)
    assert r.returncode == 0 and (tmp_path / "grid.png").stat().st_size > 0
    r = run(["sample", "--run", "R", "--n", "1000", "--out", "t.npz", "--truncation", "0.5"],
            run_env, tmp_path)
    assert r.returncode == 0, r.stderr
    truncated = np.load(tmp_path / "t.npz")["images"]
    assert truncated.shape == images.shape and not np.array_equal(truncated, images)


def test_conditional_sample_has_labels(run_env, tmp_path):
    r = run(["train", "--model", "cgan", "--arch", "mlp", "--steps", "3", "--out", "C",
             "--quiet"], run_env, tmp_path)
    assert r.returncode == 0, r.stderr
    r = run(["sample", "--run", "C", "--n", "20", "--out", "c.npz"], run_env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert np.load(tmp_path / "c.npz")["labels"].tolist() == list(range(10)) * 2
    r = run(["sample", "--run", "C", "--n", "5", "--label", "7", "--out", "c7.npz"], run_env,
            tmp_path)
    assert np.load(tmp_path / "c7.npz")["labels"].tolist() == [7] * 5


@pytest.mark.parametrize("args,message", [
    (["train", "--model", "gan9", "--steps", "5"], "invalid choice: 'gan9'"),
    (["train", "--dataset", "imagenet", "--steps", "5"], "neither mnist, fashion_mnist nor a folder"),
    (["train", "--steps", "0"], "must be a positive whole number"),
    (["train", "--epochs", "-3"], "must be a positive whole number"),
    (["train", "--steps", "5", "--batch-size", "0"], "must be a positive whole number"),
    (["train", "--steps", "5", "--latent-dim", "0"], "must be a positive whole number"),
    (["train", "--steps", "5", "--resolution", "48"], "not 28 or a power of two"),
    (["train"], "exactly one of --steps N or --epochs N"),
    (["train", "--steps", "5", "--model", "pix2pix", "--updates", "simultaneous"],
     "drop --loss, --pack, --d-steps and --updates"),
    (["train", "--steps", "5", "--epochs", "5"], "not allowed with argument"),
    (["train", "--steps", "5", "--out", "nothing_here", "--resume"], "no run to resume"),
    (["train", "--steps", "5", "--dataset", "empty_folder"], "holds no images"),
    (["sample", "--run", "nothing_here", "--n", "5", "--out", "x.npz"], "not a run directory"),
    (["sample", "--run", "nothing_here", "--n", "0", "--out", "x.npz"], "positive whole number"),
    (["sample", "--run", "R", "--n", "5", "--out", "x.npz", "--truncation", "0"],
     "must be at least 0.01 (below it every sample is the same image), got 0"),
    (["sample", "--run", "R", "--n", "5", "--out", "x.npz", "--truncation", "nan"],
     "must be at least 0.01 (below it every sample is the same image), got nan"),
    (["bogus"], "invalid choice: 'bogus'"),
])
def test_bad_input_is_one_line_and_exit_2(args, message, run_env, tmp_path):
    (tmp_path / "empty_folder").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    r = run(args, run_env, tmp_path)
    assert r.returncode == 2, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], r.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing half-written


def test_errors_that_need_an_existing_run(run_env, tmp_path):
    r = run(["train", "--model", "mlp", "--steps", "2", "--out", "R", "--quiet"], run_env, tmp_path)
    assert r.returncode == 0, r.stderr
    cases = [
        (["train", "--model", "mlp", "--steps", "4", "--out", "R"], "already holds a run"),
        (["train", "--model", "dcgan", "--steps", "4", "--out", "R", "--resume"],
         "model: 'mlp' -> 'dcgan'"),
        (["sample", "--run", "R", "--n", "5", "--out", "x.jpg"], "must end in .png"),
        (["sample", "--run", "R", "--n", "5", "--label", "3", "--out", "x.npz"], "conditional"),
    ]
    for args, message in cases:
        r = run(args, run_env, tmp_path)
        assert r.returncode == 2 and message in r.stderr, (args, r.stderr)
        assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.npz").exists() and not (tmp_path / "x.jpg").exists()


def test_help_is_clear(run_env):
    for sub in ("train", "sample"):
        r = run([sub, "--help"], run_env, REPO)
        assert r.returncode == 0 and "--out" in r.stdout
