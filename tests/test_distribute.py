"""Multi-device training: MirroredStrategy over two logical CPU devices matches one device."""
import subprocess
import sys

SCRIPT = r"""
import json, sys
import gan_lib
tf = gan_lib.import_tensorflow_quietly()
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import dataclasses
import numpy as np
from gan_lib.config import TrainConfig
from gan_lib.data import load_dataset
from gan_lib.trainer import Trainer

mnist = load_dataset("mnist")
data = dataclasses.replace(mnist, images=mnist.images[:1280], labels=mnist.labels[:1280])
out = {}
for model in sys.argv[1:]:
    runs = {}
    for strategy in ("none", "mirrored"):
        width = dict(mlp_hidden=(32,)) if model == "mlp" else dict(base_filters=8)
        config = TrainConfig(model=model, steps=6, batch_size=64, seed=3, strategy=strategy,
                             latent_dim=16, verbose=0, **width)
        trainer = Trainer(config, data=data)
        if strategy == "mirrored":
            assert trainer.strategy.num_replicas_in_sync == 2
        history = trainer.train()
        runs[strategy] = {"d_loss": history["d_loss"], "g_loss": history["g_loss"],
                          "weights": [float(np.abs(np.asarray(w)).sum())
                                      for w in trainer.gan.generator.weights]}
    out[model] = runs
print("RESULT" + json.dumps(out))
"""


def test_two_devices_match_one(run_env):
    r = subprocess.run([sys.executable, "-c", SCRIPT, "mlp", "dcgan", "cgan"], env=run_env,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    import json

    import numpy as np

    result = json.loads(r.stdout.split("RESULT", 1)[1])
    for model, runs in result.items():
        one, two = runs["none"], runs["mirrored"]
        for key in ("d_loss", "g_loss"):
            np.testing.assert_allclose(one[key], two[key], rtol=2e-4, atol=2e-5,
                                       err_msg=f"{model} {key}")
        # per-tensor sums of |weights| after 6 updates (batch-norm statistics included)
        np.testing.assert_allclose(one["weights"], two["weights"], rtol=5e-4, atol=1e-4,
                                   err_msg=f"{model} weights")
