"""Issue 17, "nothing lost, ever": each numbered case of the issue is a test here.

The lock and kill tests start real training processes. Read-only folders cannot be made with
chmod when the tests run as root (root writes anyway), so those cases raise the same OSError the
operating system raises, from the exact call that writes.
"""
import errno
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import tensorflow as tf

from gan_lib.config import TrainConfig
from gan_lib.errors import DataError, DivergenceError, RunDirError
from gan_lib.trainer import Trainer

SMALL = dict(model="mlp", mlp_hidden=(16,), latent_dim=8, batch_size=64, verbose=0)
RUN = ["--model", "mlp", "--dataset", "mnist", "--mlp-hidden", "16", "--latent-dim", "8",
       "--batch-size", "64", "--quiet"]


def cli(args, env, cwd, timeout=300):
    return subprocess.run([sys.executable, "-m", "gan_lib", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def one_line(result, *needles):
    """Exit status 2 and a single stderr line holding every needle."""
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert len(lines) == 1, result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


# ------------------------------------------------------------------------ 1. --overwrite
def test_overwrite_refuses_a_folder_that_is_not_a_run(run_env, tmp_path):
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "chapter1.tex").write_text("precious")
    (thesis / "notes").mkdir()
    r = cli(["train", *RUN, "--steps", "2", "--out", "thesis", "--overwrite"], run_env, tmp_path)
    one_line(r, "--overwrite refused", "not a gan_lib run")
    assert (thesis / "chapter1.tex").read_text() == "precious" and (thesis / "notes").is_dir()


def test_overwrite_of_a_run_deletes_only_what_the_kit_wrote(run_env, tmp_path):
    assert cli(["train", *RUN, "--steps", "2", "--out", "R"], run_env, tmp_path).returncode == 0
    (tmp_path / "R" / "my_notes.txt").write_text("keep me")
    r = cli(["train", *RUN, "--steps", "3", "--out", "R", "--overwrite"], run_env, tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "R" / "my_notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in (tmp_path / "R" / "checkpoints").glob("*.index")) == \
        ["ckpt-3.index"]


# ------------------------------------------------------------------------ 2. one trainer per run
def test_a_running_trainer_locks_its_run(run_env, tmp_path):
    """While one trainer trains, a second trainer, a resume and an overwrite are refused; after
    SIGKILL the lock is gone with the process and --resume works."""
    first = subprocess.Popen([sys.executable, "-m", "gan_lib", "train", *RUN, "--steps",
                              "1000000", "--checkpoint-every", "5", "--out", "R"], env=run_env,
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 120
        while not list((tmp_path / "R" / "checkpoints").glob("ckpt-*.index")):
            assert first.poll() is None and time.time() < deadline, "no checkpoint appeared"
            time.sleep(0.2)
        for extra in (["--resume"], ["--overwrite"]):
            r = cli(["train", *RUN, "--steps", "20", "--out", "R", *extra], run_env, tmp_path)
            one_line(r, "in use by another training process", f"pid {first.pid}")
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=60)
    r = cli(["train", *RUN, "--out", "R", "--resume", "--steps", "1"], run_env, tmp_path)
    assert r.returncode == 0, r.stderr  # no stale lock


# ------------------------------------------------------------------------ 3, 4. finding checkpoints
def _short_run(run_env, tmp_path, steps=6):
    r = cli(["train", *RUN, "--steps", str(steps), "--checkpoint-every", "2", "--out", "R"],
            run_env, tmp_path)
    assert r.returncode == 0, r.stderr
    return tmp_path / "R" / "checkpoints"


def test_sample_and_evaluate_fall_back_from_a_damaged_checkpoint(run_env, tmp_path):
    ckpt = _short_run(run_env, tmp_path)
    data = next(ckpt.glob("ckpt-6.data-*"))
    data.write_bytes(data.read_bytes()[:50])
    (ckpt / "ckpt-4.index").unlink()  # a lost .index: ckpt-4 is damaged too
    r = cli(["sample", "--run", "R", "--n", "5", "--out", "s.npz"], run_env, tmp_path)
    assert r.returncode == 0, r.stderr
    warnings = r.stderr.strip().splitlines()
    assert len(warnings) == 2 and "ckpt-6 is damaged" in warnings[0] and \
        "ckpt-4 is damaged" in warnings[1] and ".index is missing" in warnings[1]
    assert np.load(tmp_path / "s.npz")["images"].shape == (5, 28, 28, 1)
    from gan_lib.checkpoint import load_generator

    with pytest.warns(UserWarning):
        load_generator(tmp_path / "R", with_discriminator=True)  # evaluate --run's loader


def test_a_lost_state_file_is_rebuilt_on_resume(run_env, tmp_path):
    ckpt = _short_run(run_env, tmp_path)
    (ckpt / "checkpoint").unlink()
    r = cli(["sample", "--run", "R", "--n", "3", "--out", "s.npz"], run_env, tmp_path)
    assert r.returncode == 0, r.stderr
    r = cli(["train", *RUN, "--steps", "10", "--checkpoint-every", "2", "--out", "R",
             "--resume"], run_env, tmp_path)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    log = (tmp_path / "R" / "log.csv").read_text().splitlines()
    assert [int(row.split(",")[0]) for row in log[1:]] == list(range(1, 11))
    state = (ckpt / "checkpoint").read_text()
    assert 'model_checkpoint_path: "ckpt-10"' in state
    assert sorted(int(p.stem.split("-")[1]) for p in ckpt.glob("*.index")) == [6, 8, 10]


# ------------------------------------------------------------------------ 5. filesystem errors
def test_out_naming_a_file_is_one_line(run_env, tmp_path):
    (tmp_path / "afile").write_text("x")
    r = cli(["train", *RUN, "--steps", "2", "--out", "afile"], run_env, tmp_path)
    one_line(r, "afile is a file, not a folder")
    assert (tmp_path / "afile").read_text() == "x"


def test_read_only_locations_are_one_line(run_env, tmp_path, monkeypatch, capsys):
    """The OSError of a read-only place, raised where train and sample write."""
    from gan_lib import cli as gan_cli

    _short_run(run_env, tmp_path, steps=2)

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", str(tmp_path / "ro"))

    monkeypatch.chdir(tmp_path)
    with monkeypatch.context() as m:
        m.setattr("pathlib.Path.mkdir", read_only)
        assert gan_cli.main(["train", *RUN, "--steps", "2", "--out", "ro/run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "permission denied (read-only)" in err[0], err
    assert gan_cli.main(["sample", "--run", "R", "--n", "200", "--out", "ok.npz"]) == 0
    capsys.readouterr()
    monkeypatch.setattr("gan_lib.io.tempfile.mkstemp", read_only)
    assert gan_cli.main(["sample", "--run", "R", "--n", "4", "--out", "s.npz"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "read-only" in err[0], err
    assert gan_cli.main(["evaluate", "--samples", "ok.npz", "--dataset", "mnist",
                         "--out", "report.json"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "read-only" in err[0], err
    assert not (tmp_path / "ro").exists() and not (tmp_path / "s.npz").exists()
    assert not (tmp_path / "report.json").exists()


@pytest.mark.parametrize("error,message", [
    (tf.errors.ResourceExhaustedError(None, None, "No space left on device"), "the disk is full"),
    (tf.errors.PermissionDeniedError(None, None, "checkpoints/ckpt-4_temp; Permission denied"),
     "permission denied"),
], ids=["disk-full", "read-only-mid-run"])
def test_a_failed_checkpoint_write_is_one_line_and_leaves_no_temp_folder(
        error, message, mnist_small, tmp_path, monkeypatch):
    trainer = Trainer(TrainConfig(steps=4, **SMALL), tmp_path / "run", data=mnist_small)
    trainer.train(steps=2)
    ckpt = tmp_path / "run" / "checkpoints"

    def failing_write(*args, **kwargs):
        (ckpt / "ckpt-4_temp").mkdir()  # what TensorFlow leaves when a write fails
        raise error

    monkeypatch.setattr(trainer.checkpoint.manager, "save", failing_write)
    with pytest.raises(RunDirError, match=message):
        trainer.train()
    assert not list(ckpt.glob("*_temp*"))
    assert [p.name for p in ckpt.glob("*.index")] == ["ckpt-2.index"]


# ------------------------------------------------------------------------ 6. bad values
@pytest.mark.parametrize("args,message", [
    (["--lr-g", "inf"], "must be a finite number"),
    (["--lr-d", "1e3"], "must be in (0, 1.0]"),
    (["--beta-1", "2"], "must be in [0.0, 1.0)"),
    (["--gp-weight", "-5"], "must be >= 0.0"),
    (["--seed", "-1"], "must be in [0, 4294967295]"),
    (["--seed", "99999999999"], "must be in [0, 4294967295]"),
    (["--instance-noise", "nan"], "must be a finite number"),
])
def test_bad_numbers_are_refused(args, message, run_env, tmp_path):
    r = cli(["train", *RUN, "--steps", "2", "--out", "R", *args], run_env, tmp_path)
    one_line(r, message)
    assert not (tmp_path / "R").exists()


def test_sample_counts_are_bounded(run_env, tmp_path):
    _short_run(run_env, tmp_path, steps=2)
    r = cli(["sample", "--run", "R", "--n", "5000000", "--out", "s.npz"], run_env, tmp_path)
    one_line(r, "GiB", "at most")
    r = cli(["sample", "--run", "R", "--n", "5000", "--out", "s.png"], run_env, tmp_path)
    one_line(r, "too many images for one PNG grid")
    assert not (tmp_path / "s.npz").exists() and not (tmp_path / "s.png").exists()


# ------------------------------------------------------------------------ 7. divergence
def test_divergence_is_caught_in_the_weights_and_resumed_with_new_rates(mnist_small, tmp_path):
    config = TrainConfig(steps=8, checkpoint_every_steps=2, **SMALL)
    trainer = Trainer(config, tmp_path / "run", data=mnist_small)
    trainer.train(steps=2)
    moment = trainer.d_optimizer.variables[-1]  # an Adam moment: losses stay finite for a while
    moment.assign(tf.fill(moment.shape, np.inf))
    with pytest.raises(DivergenceError, match="--resume --lr-g"):
        trainer.save()
    assert [p.name for p in (tmp_path / "run" / "checkpoints").glob("*.index")] == \
        ["ckpt-2.index"]
    lower = TrainConfig(steps=8, checkpoint_every_steps=2, **dict(SMALL, lr_g=1e-4, lr_d=1e-4))
    resumed = Trainer(lower, tmp_path / "run", resume=True, data=mnist_small)
    assert resumed.global_step == 2
    assert float(np.asarray(resumed.g_optimizer.learning_rate)) == pytest.approx(1e-4)
    saved = TrainConfig.load(tmp_path / "run" / "config.json")
    assert saved.lr_g == 1e-4 and saved.changes == [
        {"step": 2, "changed": ["lr_g: 0.0002 -> 0.0001", "lr_d: 0.0002 -> 0.0001"]}]
    resumed.train()
    assert resumed.global_step == 8


def test_a_runaway_loss_is_flagged(mnist_small):
    trainer = Trainer(TrainConfig(steps=4, **SMALL), data=mnist_small)
    bias = trainer.gan.discriminator.weights[-1]
    bias.assign(tf.fill(bias.shape, 1e8))  # every logit ~1e8: D's loss on fakes ~1e8
    with pytest.raises(DivergenceError, match="the run is diverging"):
        trainer.train()


def test_resume_rolls_back_past_a_non_finite_checkpoint(mnist_small, tmp_path):
    config = TrainConfig(steps=4, checkpoint_every_steps=2, **SMALL)
    trainer = Trainer(config, tmp_path / "run", data=mnist_small)
    trainer.train()
    weight = trainer.gan.generator.weights[0]
    weight.assign(tf.fill(weight.shape, np.nan))
    trainer.checkpoint.save()  # written behind the trainer's check, as an old gan_lib could
    with pytest.warns(UserWarning, match="ckpt-4 is damaged.*non-finite"):
        resumed = Trainer(config, tmp_path / "run", resume=True, data=mnist_small)
    assert resumed.global_step == 2


# ------------------------------------------------------------------------ 8. instance noise
def test_instance_noise_runs_resume_bit_identically(mnist_small, tmp_path):
    """Straight, 16 steps in calls of 5, vs 7 steps in calls of 3, resumed and extended to 16
    with calls of 4: the noise schedule depends on the absolute step only."""
    cfg = lambda steps, k: TrainConfig(steps=steps, instance_noise=0.3, steps_per_call=k,  # noqa: E731
                                       instance_noise_steps=16, **SMALL)
    straight = Trainer(cfg(16, 5), tmp_path / "a", data=mnist_small)
    straight.train()
    first = Trainer(cfg(7, 3), tmp_path / "b", data=mnist_small)
    first.train()
    resumed = Trainer(cfg(16, 4), tmp_path / "b", resume=True, data=mnist_small)
    resumed.train()
    for a, b in zip(straight.gan.generator.weights, resumed.gan.generator.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_the_noise_horizon_is_saved_not_taken_from_the_length(mnist_small, tmp_path):
    trainer = Trainer(TrainConfig(steps=10, instance_noise=0.2, **SMALL), tmp_path / "run",
                      data=mnist_small)
    assert TrainConfig.load(tmp_path / "run" / "config.json").instance_noise_steps == 10
    trainer.train()
    longer = Trainer(TrainConfig(steps=40, instance_noise=0.2, **SMALL), tmp_path / "run",
                     resume=True, data=mnist_small)
    assert longer.noise_std(5) == pytest.approx(0.1) and longer.noise_std(10) == 0.0


# ------------------------------------------------------------------------ 9. offline
def test_offline_without_data_fails_at_once_and_leaves_nothing(tmp_path, monkeypatch):
    from gan_lib import data, mnist_files

    monkeypatch.setenv("GAN_DATA_DIR", str(tmp_path / "nothing"))
    monkeypatch.setenv("GAN_KIT_CACHE", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(mnist_files, "online", lambda *a, **k: False)
    start = time.perf_counter()
    with pytest.raises(DataError, match="set GAN_DATA_DIR"):
        data.load_dataset("fashion_mnist", "train")
    assert time.perf_counter() - start < 30
    leftovers = list((tmp_path / "cache").rglob("*")) if (tmp_path / "cache").exists() else []
    assert leftovers == [] or all(p.is_dir() for p in leftovers)


# ------------------------------------------------------------------------ 10. file modes
def test_written_files_follow_the_umask(mnist_small, tmp_path):
    old = os.umask(0o022)
    try:
        from importlib import reload

        import gan_lib.io

        reload(gan_lib.io)
        Trainer(TrainConfig(steps=2, **SMALL), tmp_path / "run", data=mnist_small).train()
    finally:
        os.umask(old)
    for name in ("config.json", "log.csv", "losses.png", "samples/step_0000002.png"):
        assert (tmp_path / "run" / name).stat().st_mode & 0o777 == 0o644, name


# ------------------------------------------------------------------------ 11. messages
def test_resume_differences_name_only_real_changes(mnist_small, tmp_path):
    Trainer(TrainConfig(steps=2, **SMALL), tmp_path / "run", data=mnist_small).train()
    from gan_lib.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        Trainer(TrainConfig(steps=4, **dict(SMALL, latent_dim=9)), tmp_path / "run",
                resume=True, data=mnist_small)
    assert "latent_dim: 8 -> 9" in str(err.value)
    assert "resolution" not in str(err.value) and "num_classes" not in str(err.value)
