"""Issue 24, "nothing lost, for real": a user's files, the dataset folder, recovery and options
checked before anything is written, each case with real files on disk.

Runs are tiny MLPs trained in process on real MNIST (``mnist_small``) or on a folder of real
MNIST digits written as PNGs, so every case takes seconds.
"""
import hashlib
import os
import shutil
import time

import numpy as np
import pytest
from PIL import Image

from gan_lib.callbacks import Callback
from gan_lib.cli import main
from gan_lib.config import TrainConfig
from gan_lib.errors import CheckpointError, ConfigError, DataError, GanKitError
from gan_lib.rundir import MANIFEST_NAME, RunDir
from gan_lib.trainer import Trainer

SMALL = dict(model="mlp", mlp_hidden=(16,), latent_dim=8, batch_size=64, verbose=0,
             tensorboard=False)
CLI = ["--model", "mlp", "--mlp-hidden", "16", "--latent-dim", "8", "--batch-size", "8",
       "--quiet"]


def snapshot(root) -> dict:
    out = {}
    for path in sorted(root.rglob("*")):
        out[path.relative_to(root).as_posix()] = (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir")
    return out


def users_folder(root):
    """The issue's folder: a user's notes, log, plot and a picture in samples/."""
    root.mkdir()
    (root / "notes.txt").write_text("my notes")
    (root / "log.csv").write_text("my,own,log\n1,2,3\n")
    Image.fromarray(np.full((8, 8), 200, np.uint8)).save(root / "losses.png")
    (root / "samples").mkdir()
    Image.fromarray(np.full((8, 8), 50, np.uint8)).save(root / "samples" / "mine.png")
    return root


def corrupt_pixel_data(path):
    """Overwrite the compressed pixels of a PNG with junk, fixing the chunk's checksum: the
    file's structure (what ``Image.verify`` checks) stays valid, its pixels cannot be decoded."""
    import struct
    import zlib

    raw, pos, out = path.read_bytes(), 8, bytearray(path.read_bytes()[:8])
    while pos < len(raw):
        length, kind = struct.unpack(">I4s", raw[pos:pos + 8])
        body = raw[pos + 8:pos + 8 + length]
        if kind == b"IDAT":
            body = body[:2] + bytes(range(256))[:length - 2]
        out += struct.pack(">I4s", length, kind) + body + struct.pack(
            ">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        pos += 12 + length
    path.write_bytes(bytes(out))


def digits_folder(root, mnist, n=64):
    root.mkdir(parents=True)
    for i in range(n):
        Image.fromarray(mnist.images[i, ..., 0]).save(root / f"{i:03d}.png")
    return root


# ------------------------------------------------------------------------ a user's files
def test_a_folder_of_the_users_files_is_refused_and_untouched(mnist_small, tmp_path, capsys,
                                                              monkeypatch):
    folder = users_folder(tmp_path / "mine")
    before = snapshot(folder)
    with pytest.raises(ConfigError, match=r"holds files gan-kit did not write \(e\.g\. "):
        Trainer(TrainConfig(steps=2, **SMALL), folder, data=mnist_small)
    with pytest.raises(ConfigError, match="--overwrite refused"):
        Trainer(TrainConfig(steps=2, **SMALL), folder, overwrite=True, data=mnist_small)
    monkeypatch.chdir(tmp_path)
    for extra in ([], ["--overwrite"], ["--resume"]):
        assert main(["train", "--dataset", "mnist", "--steps", "2", "--out", "mine", *CLI,
                     *extra]) == 2
        assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert snapshot(folder) == before  # not even a .lock or a manifest


def test_overwrite_deletes_exactly_the_manifest(mnist_small, tmp_path):
    run = tmp_path / "run"
    Trainer(TrainConfig(steps=4, checkpoint_every_steps=2, **SMALL), run,
            data=mnist_small).train()
    kit_files = set(RunDir(run)._manifest()["files"])
    assert {"config.json", "log.csv", "losses.png", "samples/step_0000004.png",
            "checkpoints/ckpt-4.index", MANIFEST_NAME} <= kit_files
    assert RunDir(run).foreign_entries() == []
    # the user adds files, also inside the kit's own folders
    (run / "notes.txt").write_text("keep")
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(run / "samples" / "mine.png")
    (run / "analysis").mkdir()
    (run / "analysis" / "fig.png").write_bytes(b"mine")
    Trainer(TrainConfig(steps=3, **SMALL), run, overwrite=True, data=mnist_small).train()
    assert (run / "notes.txt").read_text() == "keep"
    assert (run / "samples" / "mine.png").is_file() and (run / "analysis" / "fig.png").is_file()
    assert sorted(p.name for p in (run / "samples").glob("step_*")) == ["step_0000003.png"]
    assert sorted(p.name for p in (run / "checkpoints").glob("*.index")) == ["ckpt-3.index"]
    assert RunDir(run).foreign_entries() == ["analysis/", "analysis/fig.png", "notes.txt",
                                             "samples/mine.png"]


def test_overwrite_refuses_to_write_over_a_users_file(mnist_small, tmp_path):
    run = tmp_path / "run"
    Trainer(TrainConfig(steps=2, **SMALL), run, data=mnist_small).train()
    (run / "evaluation.csv").write_text("my own evaluation")  # where a new run could write
    before = snapshot(run)
    with pytest.raises(ConfigError, match="evaluation.csv was not written by gan-kit"):
        Trainer(TrainConfig(steps=2, **SMALL), run, overwrite=True, data=mnist_small)
    assert snapshot(run) == before


def test_a_run_without_a_manifest_is_not_overwritten(mnist_small, tmp_path):
    """A run of an earlier gan_lib: its files cannot be told from the user's, so none goes."""
    run = tmp_path / "run"
    Trainer(TrainConfig(steps=2, **SMALL), run, data=mnist_small).train()
    (run / MANIFEST_NAME).unlink()
    before = snapshot(run)
    with pytest.raises(ConfigError, match="earlier gan_lib, which kept no list of its files"):
        Trainer(TrainConfig(steps=2, **SMALL), run, overwrite=True, data=mnist_small)
    assert snapshot(run) == before
    # ... but it can still be resumed, and from then on its new files are recorded
    Trainer(TrainConfig(steps=4, **SMALL), run, resume=True, data=mnist_small).train()
    assert "checkpoints/ckpt-4.index" in RunDir(run)._manifest()["files"]


def test_an_empty_folder_or_a_never_started_run_is_fine(mnist_small, tmp_path):
    (tmp_path / "empty").mkdir()
    Trainer(TrainConfig(steps=2, **SMALL), tmp_path / "empty", data=mnist_small).train()
    assert (tmp_path / "empty" / "checkpoints" / "ckpt-2.index").is_file()


# ------------------------------------------------------------------------ runs and data apart
@pytest.mark.parametrize("out", [".", "sub/run", "sub"], ids=["contains", "inside", "is"])
def test_a_run_overlapping_its_image_folder_is_refused(out, mnist, tmp_path):
    digits_folder(tmp_path / "sub", mnist)
    data = tmp_path / "sub"
    target = tmp_path / out
    before = snapshot(tmp_path)
    with pytest.raises(ConfigError, match="overlap: the run's own images would become training"):
        Trainer(TrainConfig(steps=2, dataset=str(data), **dict(SMALL, batch_size=8)), target)
    assert snapshot(tmp_path) == before


def test_the_loader_never_reads_a_runs_outputs(mnist, tmp_path):
    from gan_lib.data import load_dataset

    data = digits_folder(tmp_path / "digits", mnist)
    run = tmp_path / "elsewhere"
    Trainer(TrainConfig(steps=8, sample_every_steps=2, dataset=str(data),
                        **dict(SMALL, batch_size=8)), run).train()
    shutil.move(str(run), str(data / "old_run"))  # a run moved into the data folder
    assert len(list((data / "old_run").rglob("*.png"))) >= 4
    assert len(load_dataset(str(data), resolution=28, channels=1)) == 64


def test_dot_dot_and_hidden_parents_are_followed(mnist, tmp_path, monkeypatch):
    from gan_lib.data import load_dataset

    digits_folder(tmp_path / ".cache" / "digits", mnist)
    (tmp_path / ".cache" / "digits" / ".hidden.png").write_bytes(b"not read")
    (tmp_path / "work").mkdir()
    monkeypatch.chdir(tmp_path / "work")
    assert len(load_dataset("../.cache/digits", resolution=28, channels=1)) == 64
    assert main(["train", "--dataset", "../.cache/digits", "--resolution", "28", "--channels",
                 "1", "--steps", "2", "--out", "run", *CLI]) == 0


def test_a_corrupt_image_with_a_valid_header_is_skipped_with_one_warning(mnist, tmp_path,
                                                                           monkeypatch, capsys):
    from gan_lib.data import load_dataset

    data = digits_folder(tmp_path / "digits", mnist, n=16)
    corrupt_pixel_data(data / "003.png")
    from PIL import Image as PILImage

    with PILImage.open(data / "003.png") as im:
        im.verify()  # the header still passes: only decoding finds it
    with pytest.warns(UserWarning, match=r"skipped 1 unreadable image .*003\.png.*other 15"):
        assert len(load_dataset(str(data), resolution=28, channels=1)) == 15
    monkeypatch.chdir(tmp_path)
    with pytest.warns(UserWarning) as caught:
        assert main(["train", "--dataset", "digits", "--resolution", "28", "--channels", "1",
                     "--steps", "2", "--out", "run", *CLI]) == 0
    warning = [str(w.message) for w in caught if "skipped" in str(w.message)]
    assert len(warning) == 1 and "003.png" in warning[0]  # one line, naming the file
    for p in data.glob("*.png"):
        p.write_bytes(b"\x89PNG\r\n\x1a\n broken")
    with pytest.raises(DataError, match="holds no readable images"):
        load_dataset(str(data))


# ------------------------------------------------------------------------ recovery
def test_a_lost_config_json_is_recovered_from_its_copy(mnist_small, tmp_path):
    run = tmp_path / "run"
    Trainer(TrainConfig(steps=2, **SMALL), run, data=mnist_small).train()
    saved = (run / "config.json").read_text()
    (run / "config.json").unlink()
    with pytest.raises(ConfigError, match="already holds a run; add --resume"):
        Trainer(TrainConfig(steps=4, **SMALL), run, data=mnist_small)  # the advice...
    resumed = Trainer(TrainConfig(steps=4, **SMALL), run, resume=True, data=mnist_small)
    resumed.train()  # ...works, and keeps the checkpoints
    assert resumed.global_step == 4 and (run / "checkpoints" / "ckpt-2.index").is_file()
    assert (run / "config.json").read_text() == saved.replace('"steps": 2', '"steps": 4')


def test_both_configs_lost_resume_with_the_options_given(mnist_small, tmp_path, monkeypatch,
                                                         capsys):
    monkeypatch.chdir(tmp_path)
    args = ["train", "--dataset", "mnist", "--out", "run", *CLI]
    assert main([*args, "--steps", "2"]) == 0
    (tmp_path / "run" / "config.json").unlink()
    (tmp_path / "run" / "checkpoints" / "config.json").unlink()
    capsys.readouterr()
    assert main([*args, "--steps", "4"]) == 2
    assert "add --resume" in capsys.readouterr().err
    assert main([*args, "--steps", "4", "--resume"]) == 0  # the advice works
    assert "continuing with the options given now" in capsys.readouterr().out
    assert TrainConfig.load(tmp_path / "run" / "config.json").steps == 4
    assert (tmp_path / "run" / "checkpoints" / "ckpt-4.index").is_file()
    assert main([*args, "--steps", "6", "--resume", "--latent-dim", "9"]) == 2  # still checked


def test_a_wrong_model_after_a_lost_config_is_refused_by_the_checkpoint(mnist_small, tmp_path):
    run = tmp_path / "run"
    Trainer(TrainConfig(steps=2, **SMALL), run, data=mnist_small).train()
    (run / "config.json").unlink()
    (run / "checkpoints" / "config.json").unlink()
    with pytest.raises(CheckpointError, match="is for a different model"):
        Trainer(TrainConfig(steps=4, **dict(SMALL, latent_dim=9)), run, resume=True,
                data=mnist_small)


# ------------------------------------------------------------------------ checked before writing
def test_a_failing_callback_after_training_keeps_the_training(mnist_small, tmp_path):
    class Broken(Callback):
        every_steps = 3

        def on_interval(self, trainer, step):
            if step == 3:
                raise ConfigError("this evaluation cannot run")

    run = tmp_path / "run"
    trainer = Trainer(TrainConfig(steps=6, **SMALL), run, data=mnist_small, callbacks=[Broken()])
    with pytest.raises(ConfigError, match=r"cannot run \(Broken, step 3; the training is saved"):
        trainer.train()
    resumed = Trainer(TrainConfig(steps=6, **SMALL), run, resume=True, data=mnist_small)
    assert resumed.global_step == 3
    assert len((run / "log.csv").read_text().splitlines()) == 1 + 3


def test_a_bug_in_a_callback_still_saves_first(mnist_small, tmp_path):
    class Buggy(Callback):
        def on_train_end(self, trainer):
            raise ZeroDivisionError("a bug")

    run = tmp_path / "run"
    trainer = Trainer(TrainConfig(steps=2, **SMALL), run, data=mnist_small, callbacks=[Buggy()])
    with pytest.raises(ZeroDivisionError):
        trainer.train()
    assert (run / "checkpoints" / "ckpt-2.index").is_file()


def test_mixed_precision_trains_the_mlp(mnist_small, tmp_path):
    trainer = Trainer(TrainConfig(steps=2, mixed_precision=True, **SMALL), data=mnist_small)
    trainer.train()
    assert np.isfinite(trainer.history["d_loss"]).all()


def test_truncated_latents_are_bounded_and_exact():
    """The inverse-CDF draw has the truncated normal's distribution (scipy's truncnorm) and a
    fixed cost at any psi (redrawing never ends at psi = 1e-9)."""
    from scipy import stats

    from gan_lib.sampling import truncated_latents

    z = truncated_latents(4000, 25, 0.7, seed=3)
    assert np.abs(z).max() <= 0.7
    assert stats.kstest(z.ravel(), stats.truncnorm(-0.7, 0.7).cdf).pvalue > 0.01
    assert z.std() == pytest.approx(stats.truncnorm(-0.7, 0.7).std(), rel=0.01)
    np.testing.assert_array_equal(z, truncated_latents(4000, 25, 0.7, seed=3))
    start = time.perf_counter()
    small = truncated_latents(10_000, 100, 0.01)
    assert time.perf_counter() - start < 5 and np.abs(small).max() <= 0.01
    with pytest.raises(ConfigError, match="at least 0.01"):
        truncated_latents(10, 10, 1e-9)
    plain = truncated_latents(20_000, 10, float("inf"))
    assert np.isfinite(plain).all() and plain.std() == pytest.approx(1.0, rel=0.02)


def test_eval_options_are_refused_before_training(mnist_small, tmp_path):
    with pytest.raises(ConfigError, match="--eval-samples must be in"):
        Trainer(TrainConfig(steps=20, eval_every_steps=20, eval_samples=3, **SMALL),
                tmp_path / "run", data=mnist_small)
    assert not (tmp_path / "run").exists()


def test_a_refused_overwrite_leaves_no_lock(tmp_path, mnist_small):
    folder = tmp_path / "thesis"
    folder.mkdir()
    (folder / "chapter.tex").write_text("x")
    with pytest.raises(GanKitError):
        Trainer(TrainConfig(steps=2, **SMALL), folder, overwrite=True, data=mnist_small)
    assert sorted(os.listdir(folder)) == ["chapter.tex"]
