"""The 2-D mixtures as datasets (ring8, grid25), the MLP GAN of points, and notebook 10's tools."""
import numpy as np
import pytest

from gan_lib.errors import ConfigError, DataError


# --------------------------------------------------------------------------------- the data
def test_point_sets_are_fixed_draws_of_the_mixtures_in_model_units():
    from gan_lib.data import load_dataset
    from gan_lib.modes import GRID25_MEANS, GRID25_STD, RING8_MEANS, RING8_STD, mode_coverage

    ring, again, test = load_dataset("ring8"), load_dataset("ring8"), load_dataset("ring8", "test")
    assert ring.images.shape == (100_000, 1, 1, 2) and ring.images.dtype == np.float32
    assert ring.shape == (1, 1, 2) and ring.labels is None and ring.num_classes is None
    assert np.array_equal(ring.images, again.images)  # seeded: the same points every time
    assert len(test) == 10_000 and not np.array_equal(test.images[:100], ring.images[:100])
    radius = np.linalg.norm(ring.images.reshape(-1, 2), axis=1)
    assert abs(radius.mean() - 1.0) < 1e-3 and radius.min() > 0.94 and radius.max() < 1.06
    found = mode_coverage(ring.images[:2500].reshape(-1, 2), RING8_MEANS, RING8_STD)
    assert found["modes"] == 8 and found["high_quality"] > 0.97
    grid = load_dataset("grid25").images.reshape(-1, 2)
    assert np.abs(grid).max() > 4.0  # not squeezed into [-1, 1]
    found = mode_coverage(grid[:2500], GRID25_MEANS, GRID25_STD)
    assert found["modes"] == 25 and found["high_quality"] > 0.97


def test_the_point_sets_are_gan_lib_modes_mixtures_exactly():
    """The datasets are modes.py's mixtures, drawn by its samplers with each split's seed."""
    from gan_lib import modes
    from gan_lib.data import load_points, point_modes

    assert point_modes("ring8") == (pytest.approx(modes.RING8_MEANS, abs=0), modes.RING8_STD)
    assert point_modes("grid25") == (pytest.approx(modes.GRID25_MEANS, abs=0), modes.GRID25_STD)
    for name, sampler in (("ring8", modes.ring8), ("grid25", modes.grid25)):
        for split, seed, n in (("train", 0, 100_000), ("test", 1, 10_000)):
            expected = sampler(n, rng=seed).astype(np.float32)
            assert np.array_equal(load_points(name, split).images.reshape(-1, 2), expected)
    with pytest.raises(DataError, match="not a point set"):
        point_modes("ring9")


def test_the_mixtures_are_defined_once_in_gan_lib_mixtures():
    """modes.py and data.py must not import each other (modes -> classifier -> data), so both
    take the mixtures from gan_lib/mixtures.py; neither writes a mean or a std of its own."""
    import ast

    from conftest import REPO
    from gan_lib import data, mixtures, modes

    for name in ("RING8_MEANS", "RING8_STD", "GRID25_MEANS", "GRID25_STD", "ring8", "grid25",
                 "sample_mixture"):
        assert getattr(modes, name) is getattr(mixtures, name), name
    for name, (means, std) in mixtures.MIXTURES.items():
        served = data.point_modes(name)
        assert np.array_equal(served[0], means) and served[1] == std, name
    assert data.POINT_SETS == ("ring8", "grid25")
    for module in ("data.py", "modes.py"):
        tree = ast.parse((REPO / "gan_lib" / module).read_text())
        own = [t.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
               for t in node.targets if isinstance(t, ast.Name)
               and t.id.startswith(("RING8", "GRID25"))]
        own += [node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                and node.name in ("ring8", "grid25", "sample_mixture")]
        assert own == [], f"gan_lib/{module} defines {own} again"


def test_points_refuse_a_resolution_and_every_model_but_the_mlp():
    from gan_lib import TrainConfig
    from gan_lib.data import load_dataset

    with pytest.raises(DataError, match="drop --resolution"):
        load_dataset("ring8", resolution=28)
    with pytest.raises(ConfigError, match="--model mlp"):
        TrainConfig(model="dcgan", dataset="ring8", steps=1, resolution=1, channels=2).validate()
    TrainConfig(model="mlp", dataset="ring8", steps=1, resolution=1, channels=2).validate()


def test_the_pipeline_passes_float32_points_through_and_still_scales_pixels():
    from gan_lib.data import batches, load_dataset, to_unit_range

    pixels = np.array([0, 255], np.uint8)
    assert np.allclose(to_unit_range(pixels).numpy(), [-1.0, 1.0])
    points = np.array([[4.0, -4.0]], np.float32)
    assert np.array_equal(to_unit_range(points).numpy(), points)
    grid = load_dataset("grid25")
    real, labels = next(iter(batches(grid, 64, seed=3)))
    assert real.shape == (64, 1, 1, 2) and real.dtype.name == "float32"
    assert np.all(labels.numpy() == -1)
    rows = {tuple(p) for p in grid.images.reshape(-1, 2)}
    assert all(tuple(p) in rows for p in real.numpy().reshape(-1, 2))  # the data, unscaled


def test_the_mlp_generator_output_is_tanh_for_images_and_linear_for_points():
    from gan_lib.models import build_mlp_generator

    for activation, expected in (("tanh", np.tanh(3.0)), ("linear", 3.0)):
        g = build_mlp_generator(4, (1, 1, 2), (8,), output_activation=activation)
        last = g.layers[-2]  # the output Dense, before the Reshape
        last.set_weights([np.zeros_like(last.get_weights()[0]), np.full(2, 3.0, np.float32)])
        assert np.allclose(g(np.zeros((1, 4), np.float32)).numpy(), expected, atol=1e-6)


def test_point_picture_puts_points_where_they_are_and_strays_on_the_border():
    from gan_lib.variants.points import point_picture

    blank = point_picture(np.empty((0, 2)), "ring8", side=101)
    centre = point_picture(np.zeros((1, 2)), "ring8", side=101)
    assert blank.shape == (101, 101, 3) and blank[50, 50].tolist() == [255, 255, 255]
    assert centre[50, 50].tolist() == [31, 80, 160]  # (0, 0) is the middle pixel
    assert blank[50, 83].tolist() == [190] * 3  # mode 0 at (1, 0): x = 1 of [-1.5, 1.5]
    stray = point_picture(np.array([[100.0, 0.0], [np.nan, 0.0]]), "ring8", side=101)
    assert stray[50, 100].tolist() == [31, 80, 160]  # far right: drawn on the right border


# --------------------------------------------------------------------------- training runs
def test_a_short_ring8_run_from_the_command_line_samples_points(tmp_path):
    from gan_lib.cli import main

    run = tmp_path / "run"
    assert main(["train", "--model", "mlp", "--dataset", "ring8", "--steps", "40",
                 "--batch-size", "64", "--mlp-hidden", "64,64", "--sample-every", "20",
                 "--no-tensorboard", "--quiet", "--out", str(run)]) == 0
    from PIL import Image

    with Image.open(run / "samples" / "step_0000040.png") as picture:  # a scatter, not a grid
        assert picture.mode == "RGB" and picture.size == (408, 408)
    assert (run / "losses.png").is_file() and (run / "log.csv").is_file()
    assert main(["sample", "--run", str(run), "--n", "300", "--out", str(tmp_path / "p.npz")]) == 0
    with np.load(tmp_path / "p.npz") as npz:
        points = npz["points"]
        assert points.shape == (300, 2) and points.dtype == np.float32
        assert np.isfinite(points).all() and np.array_equal(npz["images"].reshape(-1, 2), points)
    assert main(["sample", "--run", str(run), "--n", "50", "--out", str(tmp_path / "p.png")]) == 0
    assert (tmp_path / "p.png").is_file()


@pytest.mark.parametrize("options", [dict(pack=2), dict(minibatch_std=True)])
def test_pacgan_and_minibatch_std_train_on_points(options):
    from gan_lib import TrainConfig, Trainer
    from gan_lib.data import load_dataset
    from gan_lib.variants.points import sample_points

    trainer = Trainer(TrainConfig(model="mlp", dataset="ring8", steps=10, batch_size=64,
                                  mlp_hidden=(32,), verbose=0, **options),
                      data=load_dataset("ring8"))
    history = trainer.train()
    assert history["step"][-1] == 10 and np.isfinite(history["d_loss"]).all()
    assert sample_points(trainer.gan, 7).shape == (7, 2)


# --------------------------------------------------------------------- notebook 10's tools
class _FixedPoints:
    """A stand-in GAN whose every sample is the same point (a perfect collapse)."""

    latent_dim = 3

    def __init__(self, point):
        self.point = np.asarray(point, np.float32)

    def latent(self, rng, n):
        return rng.normal([n, self.latent_dim])

    def generate(self, z, training=False):
        import tensorflow as tf

        return tf.constant(np.tile(self.point, (int(z.shape[0]), 1)).reshape(-1, 1, 1, 2))


def test_mode_watch_scores_a_collapse_and_a_stray_generator():
    from gan_lib.course.failures import ModeWatch
    from gan_lib.modes import RING8_MEANS

    class Trainer:
        global_step = 0

        def __init__(self, point):
            self.gan = _FixedPoints(point)
            self.state = self  # a run's state gives the sampling GAN; here the fake does

        def sampling_gan(self):
            return self.gan

    watch = ModeWatch("ring8", every_steps=10, n=40)
    trainer = Trainer(RING8_MEANS[3])
    watch.on_train_begin(trainer)
    watch.on_interval(trainer, 0)  # the same step again: scored once
    trainer.gan, trainer.global_step = _FixedPoints([0.0, 0.0]), 10
    watch.on_interval(trainer, 10)
    assert watch.history == [{"step": 0, "modes": 1, "high_quality": 1.0},
                             {"step": 10, "modes": 0, "high_quality": 0.0}]
    assert [p.shape for p in watch.points] == [(40, 2), (40, 2)]


def test_oscillation_is_zero_for_a_still_gap_and_the_half_swing_of_a_square_wave():
    from gan_lib.course.failures import oscillation

    still = {"d_real": [0.7] * 1000, "d_fake": [0.3] * 1000}
    assert oscillation(still) == {"amplitude": pytest.approx(0.0, abs=1e-12),
                                  "mean_gap": pytest.approx(0.4),
                                  "blocks": 50, "block_steps": 10}
    wave = 0.2 + 0.15 * np.where((np.arange(2400) // 200) % 2 == 0, 1.0, -1.0)  # 3 swings
    found = oscillation({"d_real": 0.5 + wave, "d_fake": np.full(2400, 0.5)})
    assert found["amplitude"] == pytest.approx(0.15) and found["mean_gap"] == pytest.approx(0.2)
    noise = np.random.default_rng(0).normal(0, 0.3, 100_000)
    found = oscillation({"d_real": noise, "d_fake": np.zeros_like(noise)}, block=100)
    assert found["amplitude"] == pytest.approx(0.03, rel=0.15)  # s / sqrt(block)
    with pytest.raises(DataError, match="two blocks"):
        oscillation({"d_real": [0.5] * 30, "d_fake": [0.5] * 30})


def _exercises():
    from gan_lib.course import exercises

    return exercises


# Plausible wrong answers to notebook 10's covered_modes exercise, with the hint each must get
# (tests/test_exercises.py feeds the same ones to the checker's table).
def distances(p, m, s=1.0):
    return np.linalg.norm(np.asarray(p, float)[:, None] - np.asarray(m)[None], axis=2) / s


def nearest_only(p, m, s):  # every sample counts for its nearest mode
    return len(np.unique(distances(p, m).argmin(1))), 1.0


def threshold_in_units(p, m, s):  # "within 3" of the mode, forgetting the std
    d = distances(p, m)
    good = d.min(1) < 3
    return len(np.unique(d.argmin(1)[good])), float(good.mean())


def counts_samples(p, m, s):  # the number of high-quality samples, not of modes
    good = distances(p, m, s).min(1) < 3
    return int(good.sum()), float(good.mean())


def percent(p, m, s):
    modes, share = _exercises().solution_covered_modes(p, m, s)
    return modes, 100 * share


COVERED_MODES_MISTAKES = ((nearest_only, "nearest mode is not enough"),
                          (threshold_in_units, "divide by std"),
                          (counts_samples, "not the samples"),
                          (percent, "fraction of all samples"))


def test_the_covered_modes_exercise_takes_the_reference_and_rejects_plausible_mistakes(capsys):
    from gan_lib.course import exercises

    assert exercises.check_covered_modes(exercises.solution_covered_modes) is \
        exercises.solution_covered_modes
    assert capsys.readouterr().out.startswith("Correct!")
    assert exercises.check_covered_modes(lambda p, m, s: None) is \
        exercises.solution_covered_modes
    assert "not answered yet" in capsys.readouterr().out

    for wrong, hint in COVERED_MODES_MISTAKES:
        with pytest.raises(AssertionError, match=hint):
            exercises.check_covered_modes(wrong)
    assert "Correct!" not in capsys.readouterr().out
    exercises.show_solution("covered_modes")
    assert "def solution_covered_modes" in capsys.readouterr().out


def test_evaluate_scores_points_by_their_modes(tmp_path):
    """`evaluate --samples pts.npz --dataset ring8` reports modes covered and quality: the true
    mixture covers all 8, points stacked on 3 of the means cover 3 at full quality."""
    from gan_lib import modes
    from gan_lib.evaluate import evaluate_samples

    real = modes.ring8(2500, np.random.default_rng(0))
    report = evaluate_samples("ring8", real)
    assert report["modes"] == 8 and report["high_quality"] > 0.97
    three = np.repeat(modes.RING8_MEANS[:3], 10, axis=0).reshape(-1, 1, 1, 2)
    report = evaluate_samples("ring8", three)
    assert report["modes"] == 3 and report["high_quality"] == 1.0
    assert report["counts"] == [10, 10, 10, 0, 0, 0, 0, 0]
