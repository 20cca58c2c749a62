"""Multi-worker training (issue 16): two worker processes on this machine (127.0.0.1, free
ports, bounded in time) against one process with the same global batch, and a preempted worker.
"""
import json
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

from gan_lib.config import TrainConfig
from gan_lib.trainer import Trainer

SETTINGS = dict(steps=6, batch_size=64, seed=3, latent_dim=16, verbose=0)
WIDTHS = {"mlp": dict(mlp_hidden=[32]), "dcgan": dict(base_filters=8), "cgan": dict(base_filters=8)}
MODELS = ("mlp", "dcgan", "cgan")

WORKER = r"""
import json, sys, dataclasses
import gan_lib
from gan_lib.distribute import write_tf_config
write_tf_config(sys.argv[1].split(","), int(sys.argv[2]))
from gan_lib.config import TrainConfig
from gan_lib.data import load_dataset
from gan_lib.trainer import Trainer
mnist = load_dataset("mnist")
data = dataclasses.replace(mnist, images=mnist.images[:1280], labels=mnist.labels[:1280])
out = {}
for model in sys.argv[3:]:
    settings = dict(json.loads(%r), **json.loads(%r)[model])
    history = Trainer(TrainConfig(model=model, strategy="multiworker", **settings),
                      data=data).train()
    out[model] = {"d_loss": history["d_loss"], "g_loss": history["g_loss"]}
print("RESULT" + json.dumps(out))
""" % (json.dumps(SETTINGS), json.dumps(WIDTHS))


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return [f"127.0.0.1:{p}" for p in ports]


def start_workers(args_for, env, cwd):
    """One process per worker; ``args_for(index, workers)`` gives its command line. Output goes
    to files (a full pipe nobody reads would block a worker)."""
    workers = free_ports(2)
    processes = []
    for i in range(2):
        out, err = (open(cwd / f"worker{i}.{kind}", "w+") for kind in ("out", "err"))
        process = subprocess.Popen(args_for(i, workers), env=env, cwd=cwd, stdout=out,
                                   stderr=err, text=True)
        process.files = (out, err)
        processes.append(process)
    return processes


def finish(processes, timeout=150):
    """Wait for every worker (killing any left after ``timeout`` s); their (code, out, err)."""
    deadline = time.time() + timeout
    try:
        for p in processes:
            p.wait(timeout=max(1, deadline - time.time()))
    finally:
        for p in processes:
            if p.poll() is None:
                p.kill()
                p.wait()
    results = []
    for p in processes:
        for f in p.files:
            f.seek(0)
        results.append((p.returncode, p.files[0].read(), p.files[1].read()))
        for f in p.files:
            f.close()
    return results


def test_two_workers_give_the_losses_of_one_process(mnist, run_env, tmp_path):
    import dataclasses

    procs = start_workers(lambda i, w: [sys.executable, "-c", WORKER, ",".join(w), str(i),
                                        *MODELS], run_env, tmp_path)
    results = finish(procs)
    for code, out, err in results:
        assert code == 0, err[-3000:]
    chief = json.loads(results[0][1].split("RESULT", 1)[1])
    data = dataclasses.replace(mnist, images=mnist.images[:1280], labels=mnist.labels[:1280])
    for model in MODELS:
        one = Trainer(TrainConfig(model=model, **SETTINGS, **WIDTHS[model]), data=data).train()
        for key in ("d_loss", "g_loss"):
            np.testing.assert_allclose(chief[model][key], one[key], rtol=2e-4, atol=2e-5,
                                       err_msg=f"{model} {key}")


def test_sigterm_to_one_worker_saves_and_both_resume(run_env, tmp_path):
    def train(i, workers, *extra):
        return [sys.executable, "-m", "gan_lib", "train", "--model", "mlp", "--batch-size", "64",
                "--mlp-hidden", "32", "--latent-dim", "16", "--checkpoint-every", "5",
                "--out", "R", "--workers", ",".join(workers), "--worker-index", str(i), *extra]

    env = dict(run_env, TMPDIR=str(tmp_path / "tmp"))  # where the second worker saves its copies
    (tmp_path / "tmp").mkdir()
    procs = start_workers(lambda i, w: train(i, w, "--steps", "100000"), env, tmp_path)
    deadline = time.time() + 120
    while not list((tmp_path / "R" / "checkpoints").glob("ckpt-*.index")):
        if any(p.poll() is not None for p in procs) or time.time() > deadline:
            pytest.fail(f"a worker stopped before its first checkpoint: {finish(procs, 5)}")
        time.sleep(0.2)
    procs[1].send_signal(signal.SIGTERM)  # the cloud preempts the second worker's machine
    results = finish(procs)
    assert [code for code, _, _ in results] == [130, 130], results
    step = int(results[0][1].split("interrupted at step ")[1].split(";")[0])
    assert (tmp_path / "R" / "checkpoints" / f"ckpt-{step}.index").exists()

    procs = start_workers(lambda i, w: train(i, w, "--resume", "--steps", str(step + 10)),
                          env, tmp_path)
    results = finish(procs)
    assert [code for code, _, _ in results] == [0, 0], results
    assert f"resumed R from step {step}" in results[0][1]
    log = (tmp_path / "R" / "log.csv").read_text().splitlines()
    assert [int(row.split(",")[0]) for row in log[1:]] == list(range(1, step + 11))
    assert list((tmp_path / "tmp").iterdir()) == []  # the second worker's copies are gone
    # any number of workers that divides the batch can go on: here one process
    one = subprocess.run([sys.executable, "-m", "gan_lib", "train", "--out", "R", "--resume",
                          "--steps", str(step + 15), "--strategy", "none"], env=run_env,
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert one.returncode == 0 and f"resumed R from step {step + 10}" in one.stdout, one.stderr
    log = (tmp_path / "R" / "log.csv").read_text().splitlines()
    assert [int(row.split(",")[0]) for row in log[1:]] == list(range(1, step + 16))


@pytest.mark.parametrize("workers,index,message", [
    ("127.0.0.1:1,127.0.0.1:2", "2", "not one of the 2 workers"),
    ("localhost", "0", "is not host:port"),
])
def test_bad_worker_options_are_one_line(workers, index, message, run_env, tmp_path):
    r = subprocess.run([sys.executable, "-m", "gan_lib", "train", "--steps", "2", "--out", "R",
                        "--workers", workers, "--worker-index", index], env=run_env, cwd=tmp_path,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert message in r.stderr and not (tmp_path / "R").exists()
