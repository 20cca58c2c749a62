"""pix2pix: U-Net and PatchGAN shapes, the degradations, and train/resume/sample on real data."""
import keras
import numpy as np
import pytest
import tensorflow as tf

from gan_lib.cli import main
from gan_lib.metrics import mean_gradient_magnitude
from gan_lib.variants.pix2pix import build_patch_discriminator, build_unet, degrade


def test_unet_and_patchgan_shapes():
    unet = build_unet((28, 28, 1), base=8)
    d = build_patch_discriminator((28, 28, 1), base=8)
    x = tf.zeros([3, 28, 28, 1])
    y = unet(x)
    assert tuple(y.shape) == (3, 28, 28, 1)
    assert tuple(d([x, y]).shape) == (3, 7, 7, 1)  # one logit per patch
    skips = [l for l in unet.layers if isinstance(l, keras.layers.Concatenate)]
    assert len(skips) == 2  # the U-Net's skip connections


def test_degradations():
    rng = np.random.default_rng(0)
    images = tf.constant(rng.uniform(-1, 1, (2, 28, 28, 1)).astype("float32"))
    low = degrade(images, "superres").numpy()
    assert low.shape == (2, 28, 28, 1)
    # 4x4 block averages: the 7x7 image is recoverable, the detail is gone
    small = images.numpy().reshape(2, 7, 4, 7, 4, 1).mean(axis=(2, 4))
    np.testing.assert_allclose(tf.nn.avg_pool2d(low, 4, 4, "VALID").numpy(), small, atol=0.15)
    assert mean_gradient_magnitude(low) < 0.5 * mean_gradient_magnitude(images.numpy())
    holed = degrade(images, "inpaint").numpy()
    assert np.all(holed[:, 7:21, 7:21] == -1.0)  # the centre 14x14 is blank
    np.testing.assert_array_equal(holed[:, :7], images.numpy()[:, :7])  # the rest untouched
    with pytest.raises(ValueError, match="unknown task"):
        degrade(images, "colorize")


def test_mean_gradient_magnitude_by_hand():
    stripes = np.zeros((1, 2, 4, 1), np.uint8)
    stripes[:, :, 1::2] = 255  # 0,255,0,255 across: |dx| = 1 everywhere, dy = 0
    assert mean_gradient_magnitude(stripes) == pytest.approx(1.0)
    assert mean_gradient_magnitude(np.full((1, 4, 4, 1), 7, np.uint8)) == 0.0


@pytest.mark.parametrize("task", ["superres", "inpaint"])
def test_train_resume_sample(task, tmp_path):
    out = str(tmp_path / task)
    args = ["train", "--model", "pix2pix", "--dataset", "fashion_mnist", "--task", task,
            "--batch-size", "32", "--base-filters", "8", "--out", out, "--quiet"]
    assert main([*args, "--steps", "3"]) == 0
    assert main([*args, "--steps", "5", "--resume"]) == 0
    log = (tmp_path / task / "log.csv").read_text().splitlines()
    assert len(log) == 6 and log[0].endswith("aux_loss")
    assert main(["sample", "--run", out, "--n", "12", "--out", str(tmp_path / "t.npz")]) == 0
    result = np.load(tmp_path / "t.npz")
    assert result["images"].shape == result["inputs"].shape == result["targets"].shape == \
        (12, 28, 28, 1)
    np.savez(tmp_path / "in.npz", images=result["inputs"][:4])
    assert main(["sample", "--run", out, "--n", "4", "--inputs", str(tmp_path / "in.npz"),
                 "--out", str(tmp_path / "t2.npz")]) == 0
    assert np.load(tmp_path / "t2.npz")["images"].shape == (4, 28, 28, 1)
    assert main(["sample", "--run", out, "--n", "4", "--out", str(tmp_path / "t.png")]) == 0
