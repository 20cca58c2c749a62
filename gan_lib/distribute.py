"""Training on several devices and machines, with TensorFlow's own ``tf.distribute``.

``--strategy`` picks one:

* ``none``: one device (a CPU or a GPU);
* ``mirrored``: every GPU of this machine (or, with none, every logical CPU device) holds a copy
  of the model and computes part of each batch (``MirroredStrategy``);
* ``multiworker``: the same over several processes or machines (``MultiWorkerMirroredStrategy``),
  configured from the standard ``TF_CONFIG`` variable, which ``--workers host:port,...`` and
  ``--worker-index i`` write for you;
* ``tpu``: a Colab or Cloud TPU (``TPUStrategy``; not tested here, no TPU is at hand).

Whatever the strategy, a run is the same computation as on one device: the random numbers are
drawn for the whole global batch on every worker (from the same seeded generator), each replica
computes its slice with its losses divided by the number of replicas, and the optimisers sum the
replicas' gradients. Batch norm is synchronised over all replicas.

Several workers must also agree on *when* to stop: a cloud VM that is preempted sends SIGTERM to
its process only. After every step the workers all-reduce their stop flags (the equivalent of
``tf.distribute.experimental.PreemptionCheckpointHandler``, without its cloud-specific parts), so
a SIGTERM to any worker makes all of them save one checkpoint at the same step and exit; started
again with ``--resume``, they continue from it.
"""
from __future__ import annotations

import functools
import json
import os
from typing import NamedTuple

from gan_lib.errors import ConfigError


class WorkerRole(NamedTuple):
    """This process's place among the workers (``index`` 0, the chief, writes the run)."""

    index: int = 0
    count: int = 1

    @property
    def chief(self) -> bool:
        return self.index == 0


def write_tf_config(workers: list[str], index: int) -> None:
    """Set ``TF_CONFIG`` for worker ``index`` of the cluster ``workers`` (``host:port`` each)."""
    if not 0 <= index < len(workers):
        raise ConfigError(f"--worker-index {index} is not one of the {len(workers)} workers "
                          f"(0..{len(workers) - 1})")
    for address in workers:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise ConfigError(f"--workers: '{address}' is not host:port, e.g. 10.0.0.2:12345")
    os.environ["TF_CONFIG"] = json.dumps({"cluster": {"worker": list(workers)},
                                          "task": {"type": "worker", "index": index}})


def cluster_role() -> WorkerRole:
    """This process's role according to ``TF_CONFIG`` (one worker of one if unset)."""
    text = os.environ.get("TF_CONFIG")
    if not text:
        return WorkerRole()
    try:
        config = json.loads(text)
        workers = config["cluster"]["worker"]
        task = config["task"]
        return WorkerRole(int(task["index"]), len(workers))
    except (ValueError, KeyError, TypeError) as err:
        raise ConfigError(f"TF_CONFIG is not valid ({type(err).__name__}: {err}); see "
                          "docs/distributed.md, or use --workers and --worker-index") from None


@functools.lru_cache(maxsize=1)
def _multi_worker_strategy():
    """One per process: TensorFlow configures its collective ops once, at start-up."""
    import tensorflow as tf

    return tf.distribute.MultiWorkerMirroredStrategy()


def make_strategy(name: str):
    """``None`` for one device, else the ``tf.distribute`` strategy ``name`` (module docstring)."""
    import tensorflow as tf

    if name == "none":
        return None
    if name == "multiworker":
        if not os.environ.get("TF_CONFIG"):
            raise ConfigError("--strategy multiworker needs TF_CONFIG, or --workers "
                              "host:port,host:port --worker-index I (see docs/distributed.md)")
        cluster_role()  # checks TF_CONFIG
        return _multi_worker_strategy()
    if name == "tpu":
        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
        except (ValueError, tf.errors.OpError) as err:
            raise ConfigError(f"no TPU found ({type(err).__name__}); in Colab choose a TPU "
                              "runtime, or use --strategy mirrored / none") from None
        return tf.distribute.TPUStrategy(resolver)
    gpus = tf.config.list_logical_devices("GPU")
    if gpus:
        return tf.distribute.MirroredStrategy([d.name for d in gpus])
    # CPU devices: reduce through one device. (Collective all-reduces on CPUs may pair up out
    # of order with synchronised batch norm's own reductions.)
    return tf.distribute.MirroredStrategy([d.name for d in tf.config.list_logical_devices("CPU")],
                                          cross_device_ops=tf.distribute.ReductionToOneDevice())


def role_of(strategy) -> WorkerRole:
    """The worker role under ``strategy`` (a lone worker unless it is multi-worker)."""
    import tensorflow as tf

    if isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy):
        return cluster_role()
    return WorkerRole()


def any_worker(strategy, flag: bool) -> bool:
    """True on every worker if ``flag`` is true on any of them (an all-reduced sum of the flags)."""
    import tensorflow as tf

    return bool(_vote(strategy)(tf.constant(1.0 if flag else 0.0)) > 0)


@functools.lru_cache(maxsize=4)
def _vote(strategy):
    """The compiled all-reduce behind :func:`any_worker` (run eagerly, it is slow and logs)."""
    import tensorflow as tf

    @tf.function
    def vote(flag):
        value = strategy.run(lambda f: tf.identity(f), args=(flag,))
        return strategy.reduce(tf.distribute.ReduceOp.SUM, value, axis=None)

    return vote
