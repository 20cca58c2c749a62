"""Issue 24's fuzz table: bad or odd invocations of train, sample and evaluate, run in process.

Each must exit with status 2, print exactly one line on stderr that names the problem (the
needle) and says what to do, print no traceback, and leave the folder tree exactly as it was:
no file written, changed or deleted, not even a lock file.

The tree every case runs in (``world``): ``R/`` a finished 2-step run, ``mine/`` a folder of the
user's own files, ``imgs/`` eight PNGs, ``empty/``, ``afile`` (a file), ``bad.npz`` (not an npz),
``ok.npz`` (eight real-looking samples), ``cfglist/config.json`` (valid JSON, not an object).
"""
import hashlib
import os
import shutil

import numpy as np
import pytest

from gan_lib.cli import main

TINY = ["--model", "mlp", "--mlp-hidden", "8", "--latent-dim", "4", "--batch-size", "8"]
T = ["train", "--dataset", "mnist", "--out", "new"]  # a valid start: only the case's part is bad
S = ["sample", "--run", "R", "--out", "x.npz"]
E = ["evaluate", "--run", "R"]

CASES = [
    # ---------------------------------------------------------------- train: numbers
    (T + ["--steps", "0"], "--steps: must be a positive whole number"),
    (T + ["--steps", "-5"], "--steps: must be a positive whole number"),
    (T + ["--steps", "1e3"], "'1e3' is not a whole number"),
    (T + ["--steps", "abc"], "'abc' is not a whole number"),
    (T + ["--steps", "99999999999999999999999"], "--steps: must be a positive whole number up to"),
    (T + ["--epochs", "0"], "--epochs: must be a positive whole number"),
    (T + ["--epochs", "100000000"], "--epochs: must be a positive whole number up to"),
    (T + ["--steps", "5", "--batch-size", "0"], "--batch-size: must be a positive whole number"),
    (T + ["--steps", "5", "--batch-size", "70000"], "--batch-size: must be a positive whole"),
    (T + ["--steps", "5", "--latent-dim", "0"], "--latent-dim: must be a positive whole number"),
    (T + ["--steps", "5", "--latent-dim", "5000"], "--latent-dim: must be a positive whole"),
    (T + ["--steps", "5", "--seed", "-1"], "--seed: must be in [0, 4294967295]"),
    (T + ["--steps", "5", "--seed", "4294967296"], "--seed: must be in [0, 4294967295]"),
    (T + ["--steps", "5", "--seed", "1.5"], "'1.5' is not a whole number"),
    (T + ["--steps", "5", "--lr-g", "0"], "--lr-g: must be in (0, 1.0]"),
    (T + ["--steps", "5", "--lr-g", "-1"], "--lr-g: must be in (0, 1.0]"),
    (T + ["--steps", "5", "--lr-g", "inf"], "--lr-g: must be a finite number"),
    (T + ["--steps", "5", "--lr-g", "nan"], "--lr-g: must be a finite number"),
    (T + ["--steps", "5", "--lr-d", "2"], "--lr-d: must be in (0, 1.0]"),
    (T + ["--steps", "5", "--lr-d", "fast"], "'fast' is not a number"),
    (T + ["--steps", "5", "--beta-1", "1"], "--beta-1: must be in [0.0, 1.0)"),
    (T + ["--steps", "5", "--beta-2", "-0.1"], "--beta-2: must be in [0.0, 1.0)"),
    (T + ["--steps", "5", "--d-steps", "0"], "--d-steps: must be a positive whole number"),
    (T + ["--steps", "5", "--d-steps", "101"], "--d-steps: must be a positive whole number up"),
    (T + ["--steps", "5", "--gp-weight", "-1"], "--gp-weight: must be >= 0.0"),
    (T + ["--steps", "5", "--aux-weight", "-1"], "--aux-weight: must be >= 0.0"),
    (T + ["--steps", "5", "--label-smoothing", "0.5"], "--label-smoothing: must be in [0.0, 0.5)"),
    (T + ["--steps", "5", "--label-smoothing", "-0.1"], "--label-smoothing: must be in"),
    (T + ["--steps", "5", "--fake-label", "0.7"], "--fake-label: must be in [0.0, 0.5)"),
    (T + ["--steps", "5", "--instance-noise", "-1"], "--instance-noise: must be in [0.0, 10.0]"),
    (T + ["--steps", "5", "--instance-noise", "11"], "--instance-noise: must be in [0.0, 10.0]"),
    (T + ["--steps", "5", "--instance-noise-steps", "-1"], "--instance-noise-steps: must be in"),
    (T + ["--steps", "5", "--r1-gamma", "-1"], "--r1-gamma: must be in [0.0, 10000.0]"),
    (T + ["--steps", "5", "--r1-gamma", "1e5"], "--r1-gamma: must be in [0.0, 10000.0]"),
    (T + ["--steps", "5", "--d-dropout", "1"], "--d-dropout: must be in [0.0, 1.0)"),
    (T + ["--steps", "5", "--pack", "0"], "--pack: must be a positive whole number"),
    (T + ["--steps", "5", "--pack", "17"], "--pack: must be a positive whole number up to 16"),
    (T + ["--steps", "5", "--ema", "1"], "--ema: must be in [0.0, 1.0)"),
    (T + ["--steps", "5", "--ema", "-0.5"], "--ema: must be in [0.0, 1.0)"),
    (T + ["--steps", "5", "--lr-decay", "2"], "--lr-decay: must be in [0.0, 1.0]"),
    (T + ["--steps", "5", "--eval-every", "0"], "--eval-every: must be a positive whole number"),
    (T + ["--steps", "5", "--eval-every", "2", "--eval-samples", "3"],
     "--eval-samples: must be in [6, 100000]"),
    (T + ["--steps", "5", "--eval-samples", "200000"], "--eval-samples: must be in [6, 100000]"),
    (T + ["--steps", "5", "--steps-per-call", "0"], "--steps-per-call: must be a positive whole"),
    (T + ["--steps", "5", "--checkpoint-every", "0"], "--checkpoint-every: must be a positive"),
    (T + ["--steps", "5", "--checkpoint-every-seconds", "-1"],
     "--checkpoint-every-seconds: must be >= 0.0"),
    (T + ["--steps", "5", "--keep-checkpoints", "0"], "--keep-checkpoints: must be a positive"),
    (T + ["--steps", "5", "--sample-every", "0"], "--sample-every: must be a positive whole"),
    (T + ["--steps", "5", "--base-filters", "0"], "--base-filters: must be a positive whole"),
    (T + ["--steps", "5", "--resolution", "48"], "not 28 or a power of two from 32 to 256"),
    (T + ["--steps", "5", "--resolution", "512"], "not 28 or a power of two from 32 to 256"),
    (T + ["--steps", "5", "--resolution", "0"], "--resolution: 0 is not 28 or a power of two"),
    (T + ["--steps", "5", "--mlp-hidden", "0"], "--mlp-hidden: must be one or more positive widths"),
    (T + ["--steps", "5", "--mlp-hidden", "a,b"], "--mlp-hidden: 'a,b' is not valid"),
    # ---------------------------------------------------------------- train: choices
    (T + ["--steps", "5", "--model", "gan9"], "invalid choice: 'gan9'"),
    (T + ["--steps", "5", "--loss", "wasserstein"], "invalid choice: 'wasserstein'"),
    (T + ["--steps", "5", "--strategy", "gpu"], "invalid choice: 'gpu'"),
    (T + ["--steps", "5", "--updates", "random"], "invalid choice: 'random'"),
    (T + ["--steps", "5", "--channels", "2"], "invalid choice: 2"),
    (T + ["--steps", "5", "--arch", "resnet50"], "invalid choice: 'resnet50'"),
    (T + ["--steps", "5", "--task", "colorize"], "invalid choice: 'colorize'"),
    (T + ["--steps", "5", "--bogus-option"], "unrecognized arguments: --bogus-option"),
    # ---------------------------------------------------------------- train: combinations
    (T, "exactly one of --steps N or --epochs N"),
    (T + ["--steps", "5", "--epochs", "5"], "not allowed with argument"),
    (T + ["--steps", "5", "--resume", "--overwrite"], "--resume and --overwrite contradict"),
    (T + ["--steps", "5", "--jit-compile", "--strategy", "mirrored"],
     "--jit-compile is not applied under --strategy mirrored"),
    (T + ["--steps", "5", "--pack", "3", "--batch-size", "64"],
     "--batch-size 64 must be a multiple of --pack 3"),
    (T + ["--steps", "5", "--model", "infogan", "--pack", "2"],
     "--pack does not work with --model infogan"),
    (T + ["--steps", "5", "--model", "cgan", "--pack", "2"], "--pack does not work with --model cgan"),
    (T + ["--steps", "5", "--model", "pix2pix", "--updates", "simultaneous"],
     "drop --loss, --pack, --d-steps and --updates"),
    (T + ["--steps", "5", "--model", "mlp", "--resolution", "128"], "an MLP at 128x128"),
    (T + ["--steps", "5", "--model", "pix2pix", "--r1-gamma", "1"],
     "--model pix2pix does not use --r1-gamma; drop it"),
    (T + ["--steps", "5", "--model", "pix2pix", "--ema", "0.999", "--eval-every", "5"],
     "--model pix2pix does not use --ema, --eval-every; drop them"),
    (T + ["--steps", "5", "--model", "pix2pix", "--r2-gamma", "1"],
     "--model pix2pix does not use --r2-gamma; drop it"),
    (T + ["--steps", "5", "--model", "pix2pix", "--collapse-monitor"],
     "--model pix2pix does not use --collapse-monitor"),
    (T + ["--steps", "5", "--model", "pix2pix", "--spectral-norm", "--minibatch-std"],
     "--model pix2pix does not use --spectral-norm, --minibatch-std"),
    (T + ["--steps", "5", "--model", "pix2pix", "--label-smoothing", "0.1"],
     "--model pix2pix does not use --label-smoothing"),
    (T + ["--steps", "5", "--model", "pix2pix", "--instance-noise", "0.1"],
     "--model pix2pix does not use --instance-noise"),
    (T + ["--steps", "5", "--model", "pix2pix", "--d-dropout", "0.3"],
     "--model pix2pix does not use --d-dropout"),
    (T + ["--steps", "5", "--model", "pix2pix", "--aux-weight", "2"],
     "--model pix2pix does not use --aux-weight"),
    (T + ["--steps", "5", "--model", "dcgan", "--task", "inpaint"],
     "--model dcgan does not use --task; drop it"),
    (T + ["--steps", "5", "--model", "dcgan", "--arch", "mlp"],
     "--arch chooses the body of a cgan/acgan/infogan/wgan-clip; drop it with --model dcgan"),
    (T + ["--steps", "5", "--model", "acgan", "--arch", "resnet"],
     "--arch resnet is not a body of --model acgan; choose mlp or dcgan"),
    (T + ["--steps", "5", "--model", "dcgan", "--gp-weight", "5"],
     "--model dcgan does not use --gp-weight; drop it"),
    (T + ["--steps", "5", "--model", "cgan", "--aux-weight", "2"],
     "--model cgan does not use --aux-weight; drop it"),
    (T + ["--steps", "5", "--mlp-hidden", "64"], "--model dcgan does not use --mlp-hidden; drop it"),
    (T + ["--steps", "5", "--model", "resnet", "--mlp-hidden", "64"],
     "--model resnet does not use --mlp-hidden; drop it"),
    (T + ["--steps", "5", "--model", "mlp", "--base-filters", "8"],
     "--model mlp does not use --base-filters; drop it"),
    (T + ["--steps", "5", "--model", "cgan", "--arch", "mlp", "--base-filters", "8"],
     "--model cgan --arch mlp does not use --base-filters; drop it"),
    (T + ["--steps", "5", "--model", "infogan-paper"],
     "--model infogan-paper is Chen et al.'s MNIST setup, with 62 noise numbers"),
    (["train", "--dataset", "stacked_mnist", "--out", "new", "--steps", "5", "--resolution", "32"],
     "stacked_mnist is 28x28 with 3 channels"),
    (["train", "--dataset", "imgs", "--out", "new", "--steps", "5", "--collapse-monitor"],
     "--collapse-monitor and --eval-every need the kit's classifier"),
    (["train", "--dataset", "imgs", "--out", "new", "--steps", "5", "--eval-every", "2"],
     "--collapse-monitor and --eval-every need the kit's classifier"),
    (T + ["--steps", "5", "--workers", "a:1"], "--workers and --worker-index go together"),
    (T + ["--steps", "5", "--worker-index", "-1"], "--worker-index: must be a whole number in"),
    (T + ["--steps", "5", "--workers", "nohost", "--worker-index", "0"], "is not host:port"),
    (T + ["--steps", "5", "--workers", "a:1,b:2", "--worker-index", "2"],
     "--worker-index 2 is not one of the 2 workers"),
    # ---------------------------------------------------------------- train: data and folders
    (["train", "--dataset", "nowhere", "--out", "new", "--steps", "5"],
     "neither mnist, fashion_mnist nor a folder"),
    (["train", "--dataset", "empty", "--out", "new", "--steps", "5"], "holds no images"),
    (["train", "--dataset", "imgs", "--out", "imgs", "--steps", "5"],
     "--out imgs and --dataset imgs overlap"),
    (["train", "--dataset", "imgs", "--out", "imgs/run", "--steps", "5"],
     "--out imgs/run and --dataset imgs overlap"),
    (["train", "--dataset", "imgs", "--out", ".", "--steps", "5", "--overwrite"],
     "--out . and --dataset imgs overlap"),
    (["train", "--dataset", "imgs/../imgs", "--out", "imgs/x", "--resume", "--steps", "5"],
     "overlap"),
    (T[:3] + ["--out", "afile", "--steps", "5"], "afile is a file, not a folder"),
    (T[:3] + ["--out", "afile/x", "--steps", "5"], "afile is a file, not a folder"),
    (T[:3] + ["--out", "mine", "--steps", "5"], "holds files gan-kit did not write (e.g. "),
    (T[:3] + ["--out", "mine", "--steps", "5", "--overwrite"], "--overwrite refused"),
    (T[:3] + ["--out", "R", "--steps", "5"], "already holds a run; add --resume"),
    (T[:3] + ["--out", "nothing", "--steps", "5", "--resume"], "holds no run to resume"),
    (T[:3] + ["--out", "empty", "--steps", "5", "--resume"], "holds no run to resume"),
    (["train", "--out", "R", "--steps", "5", "--resume", "--model", "dcgan"],
     "was started with other settings (model: 'mlp' -> 'dcgan'"),
    (["train", "--out", "R", "--steps", "5", "--resume", "--latent-dim", "9"],
     "was started with other settings (latent_dim: 4 -> 9"),
    (["train", "--out", "cfglist", "--steps", "5", "--resume"],
     "config.json (TypeError: holds a list, not an object)"),
    (T[:3] + ["--out", "/proc/gan-kit-run", "--steps", "5", *TINY],
     "/proc does not accept new folders"),
    # ---------------------------------------------------------------- sample
    (S + ["--n", "0"], "--n: must be a positive whole number"),
    (S + ["--n", "-1"], "--n: must be a positive whole number"),
    (S + ["--n", "1e9"], "'1e9' is not a whole number"),
    (S + ["--n", "99999999999"], "--n: must be a positive whole number up to 10000000"),
    (S + ["--n", "5", "--seed", "-1"], "--seed: must be a whole number in [0, 4294967295]"),
    (S + ["--n", "5", "--seed", "abc"], "'abc' is not a whole number"),
    (S + ["--n", "5", "--truncation", "0"], "--truncation: must be at least 0.01"),
    (S + ["--n", "5", "--truncation", "1e-9"], "--truncation: must be at least 0.01"),
    (S + ["--n", "5", "--truncation", "nan"], "--truncation: must be at least 0.01"),
    (S + ["--n", "5", "--truncation", "-1"], "--truncation: must be at least 0.01"),
    (S + ["--n", "5", "--label", "-1"], "--label: must be a whole number in"),
    (S + ["--n", "5", "--label", "3"], "--label needs a conditional run"),
    (S + ["--n", "5", "--inputs", "ok.npz"], "--inputs is for pix2pix runs"),
    (S + ["--n", "5", "--inputs", "bad.npz"], "cannot read images from bad.npz"),
    (["sample", "--run", "R", "--n", "5", "--out", "x.jpg"], "must end in .png"),
    (["sample", "--run", "R", "--n", "2000", "--out", "x.png"], "too many images for one PNG"),
    (["sample", "--run", "nothing", "--n", "5", "--out", "x.npz"], "not a run directory"),
    (["sample", "--run", "mine", "--n", "5", "--out", "x.npz"], "not a run directory"),
    (["sample", "--run", "cfglist", "--n", "5", "--out", "x.npz"], "not an object"),
    (["sample", "--run", "R", "--out", "x.npz"], "the following arguments are required: --n"),
    (["sample", "--run", "R", "--n", "5"], "the following arguments are required: --out"),
    # ---------------------------------------------------------------- evaluate
    (["evaluate"], "one of the arguments --samples --run is required"),
    (["evaluate", "--samples", "bad.npz", "--dataset", "mnist"], "cannot read images from bad.npz"),
    (["evaluate", "--samples", "missing.npz", "--dataset", "mnist"], "cannot read images from"),
    (["evaluate", "--samples", "ok.npz"], "--samples needs --dataset"),
    (["evaluate", "--samples", "ok.npz", "--run", "R"], "not allowed with argument"),
    (E + ["--seed", "-1"], "--seed: must be a whole number in [0, 4294967295]"),
    (E + ["--seed", "x"], "'x' is not a whole number"),
    (E + ["--n", "3"], "--n: must be a whole number in [6, 10000000]"),
    (E + ["--n", "0"], "--n: must be a whole number in [6, 10000000]"),
    (E + ["--features", "vgg"], "invalid choice: 'vgg'"),
    (E + ["--picture", "p.jpg"], "--picture p.jpg must end in .png"),
    (E + ["--reference", "valid"], "invalid choice: 'valid'"),
    (E + ["--reference"], "--reference: expected one argument"),
    (["evaluate", "--samples", "ok.npz", "--dataset", "imgs", "--reference", "test"],
     "has no held-out test split here"),
    (["evaluate", "--run", "nothing"], "not a run directory"),
    (["evaluate", "--run", "cfglist"], "not an object"),
    (["evaluate", "--samples", "ok.npz", "--dataset", "nowhere"],
     "neither mnist, fashion_mnist nor a folder"),
    # ---------------------------------------------------------------- the command itself
    (["bogus"], "invalid choice: 'bogus'"),
    ([], "the following arguments are required: {train,sample,evaluate}"),
]


def _tree(root) -> dict:
    """Every entry under ``root``: relative path -> (kind, size, content hash)."""
    out = {}
    for dirpath, dirs, files in os.walk(root):
        for name in dirs:
            out[os.path.relpath(os.path.join(dirpath, name), root)] = ("dir",)
        for name in files:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = ("file", hashlib.sha256(f.read()).hexdigest())
    return out


@pytest.fixture(scope="module")
def world_template(tmp_path_factory):
    """The tree each case starts from (built once, copied for every case)."""
    from PIL import Image

    from gan_lib.config import TrainConfig
    from gan_lib.trainer import Trainer

    root = tmp_path_factory.mktemp("world")
    Trainer(TrainConfig(model="mlp", mlp_hidden=(8,), latent_dim=4, batch_size=8, steps=2,
                        verbose=0, tensorboard=False), root / "R").train()
    (root / "mine").mkdir()
    (root / "mine" / "notes.txt").write_text("my notes")
    (root / "imgs").mkdir()
    rng = np.random.default_rng(0)
    for i in range(8):
        Image.fromarray(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8)).save(
            root / "imgs" / f"{i}.png")
    (root / "empty").mkdir()
    (root / "afile").write_text("a file")
    (root / "bad.npz").write_bytes(b"not an npz at all")
    np.savez(root / "ok.npz", images=rng.integers(0, 255, (8, 28, 28, 1), dtype=np.uint8))
    (root / "cfglist").mkdir()
    (root / "cfglist" / "config.json").write_text("[1, 2]\n")
    return root


def test_the_table_is_large_enough():
    assert len(CASES) >= 100


@pytest.mark.parametrize("argv,needle", CASES, ids=[" ".join(a)[:70] for a, _ in CASES])
def test_bad_invocation_is_one_line_and_changes_nothing(argv, needle, world_template, tmp_path,
                                                         monkeypatch, capsys):
    world = tmp_path / "w"
    shutil.copytree(world_template, world)
    monkeypatch.chdir(world)
    before = _tree(world)
    environ = dict(os.environ)
    try:
        with pytest.raises(SystemExit) as exit_info:
            raise SystemExit(main(argv))
    finally:
        os.environ.clear()
        os.environ.update(environ)  # --workers writes TF_CONFIG
    out = capsys.readouterr()
    lines = out.err.strip().splitlines()
    assert exit_info.value.code == 2, out
    assert len(lines) == 1, out.err
    assert needle in lines[0], lines[0]
    assert "Traceback" not in out.err + out.out
    assert _tree(world) == before
