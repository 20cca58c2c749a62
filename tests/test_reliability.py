"""Issue 5: killed, interrupted and resource-limited runs, in real training subprocesses."""
import random
import signal
import subprocess
import sys
import time

import numpy as np
import tensorflow as tf

from gan_lib.config import TrainConfig
from gan_lib.trainer import Trainer

RUN = ["--model", "mlp", "--dataset", "mnist", "--batch-size", "64", "--mlp-hidden", "64",
       "--latent-dim", "32", "--seed", "5", "--checkpoint-every", "3", "--quiet"]


def _start(args, env, cwd):
    return subprocess.Popen([sys.executable, "-m", "gan_lib", "train", *args], env=env, cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _generator_weights(run_dir):
    path = tf.train.latest_checkpoint(str(run_dir / "checkpoints"))
    reader = tf.train.load_checkpoint(path)
    names = sorted(n for n, _ in tf.train.list_variables(path) if n.startswith("generator/")
                   or "g_optimizer/_trainable_variables" in n)
    return path, [reader.get_tensor(n) for n in names]


def test_sigkill_at_random_moments_never_loses_a_run(run_env, tmp_path):
    """Six SIGKILLs at random moments (start-up, mid-step, mid-checkpoint); each resume starts
    from the latest complete checkpoint, and the finished run is bit-identical to one that was
    never killed."""
    total = 400
    first = subprocess.run([sys.executable, "-m", "gan_lib", "train", *RUN, "--steps", "6",
                            "--out", "killed"], env=run_env, cwd=tmp_path, capture_output=True,
                           text=True, timeout=300)
    assert first.returncode == 0, first.stderr
    rng = random.Random(1234)
    last_step = 6
    for attempt in range(6):
        proc = _start([*RUN, "--steps", str(total), "--out", "killed", "--resume"], run_env,
                      tmp_path)
        time.sleep(rng.uniform(2.0, 9.0))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=60)
        latest = tf.train.latest_checkpoint(str(tmp_path / "killed" / "checkpoints"))
        assert latest is not None, f"kill {attempt}: no checkpoint left"
        step = int(latest.rsplit("-", 1)[1])
        assert step >= last_step, f"kill {attempt}: went back from step {last_step} to {step}"
        last_step = step
    done = subprocess.run([sys.executable, "-m", "gan_lib", "train", *RUN, "--steps", str(total),
                           "--out", "killed", "--resume"], env=run_env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    straight = subprocess.run([sys.executable, "-m", "gan_lib", "train", *RUN, "--steps",
                               str(total), "--out", "straight"], env=run_env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=600)
    assert straight.returncode == 0, straight.stderr
    path_a, killed = _generator_weights(tmp_path / "killed")
    path_b, clean = _generator_weights(tmp_path / "straight")
    assert path_a.endswith(f"ckpt-{total}") and path_b.endswith(f"ckpt-{total}")
    for a, b in zip(killed, clean):
        np.testing.assert_array_equal(a, b)
    log = (tmp_path / "killed" / "log.csv").read_text().splitlines()
    assert [int(row.split(",")[0]) for row in log[1:]] == list(range(1, total + 1))


def _wait_for_checkpoint(run_dir, proc, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if list((run_dir / "checkpoints").glob("ckpt-*.index")) or proc.poll() is not None:
            return
        time.sleep(0.2)


def test_sigterm_and_sigint_checkpoint_and_exit_cleanly(run_env, tmp_path):
    for sig in (signal.SIGTERM, signal.SIGINT):
        out = tmp_path / sig.name
        proc = _start([*RUN, "--steps", "100000", "--out", sig.name], run_env, tmp_path)
        _wait_for_checkpoint(out, proc)
        time.sleep(0.5)
        proc.send_signal(sig)
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 130, (sig, stdout, stderr)
        assert "interrupted at step" in stdout and "--resume" in stdout
        step = int(stdout.split("interrupted at step ")[1].split(";")[0])
        assert (out / "checkpoints" / f"ckpt-{step}.index").exists()


def test_checkpoints_on_a_time_interval(mnist_small, tmp_path):
    config = TrainConfig(model="mlp", steps=25, checkpoint_every_steps=1000, steps_per_call=1,
                         checkpoint_every_seconds=0.0, keep_checkpoints=100, mlp_hidden=(16,),
                         verbose=0)
    Trainer(config, tmp_path / "run", data=mnist_small).train()
    saved = sorted(int(p.stem.split("-")[1]) for p in (tmp_path / "run" / "checkpoints")
                   .glob("ckpt-*.index"))
    assert len(saved) > 5  # written by the clock, not only at the end


def test_every_checkpoint_damaged_is_a_clear_error(mnist_small, tmp_path):
    import pytest

    from gan_lib.errors import CheckpointError

    config = TrainConfig(model="mlp", steps=2, mlp_hidden=(16,), verbose=0)
    Trainer(config, tmp_path / "run", data=mnist_small).train()
    for f in (tmp_path / "run" / "checkpoints").glob("ckpt-*.data-*"):
        f.write_bytes(b"\0" * 64)
    with pytest.warns(UserWarning), pytest.raises(CheckpointError, match="every checkpoint"):
        Trainer(config, tmp_path / "run", resume=True, data=mnist_small)
