"""The notebooks' helpers: live view, run folders, fast-mode switch, set-up cells, toy maths."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


class FakeGAN:
    conditional = False
    kind = "gan"


class FakeTrainer:
    """What LiveView reads from a Trainer: history, state.grid_images(), global_step, gan."""

    def __init__(self):
        self.state = self  # a trainer's state draws the grids; here the fake itself does
        self.history = {"step": [], "d_loss": [], "g_loss": []}
        self.global_step = 0
        self.gan = FakeGAN()
        self.total_steps = 30
        self.trained_chunks = []

    def generate(self):
        return np.random.default_rng(self.global_step).uniform(-1, 1, (16, 28, 28, 1))

    def grid_images(self):
        return self.generate(), 8

    def train(self, steps=None):
        end = self.total_steps if steps is None else self.global_step + steps
        self.trained_chunks.append(end - self.global_step)
        for s in range(self.global_step + 1, end + 1):
            self.history["step"].append(s)
            self.history["d_loss"].append(1.0 / s)
            self.history["g_loss"].append(2.0 / s)
        self.global_step = end
        return self.history


def test_live_view_redraws_one_figure_in_place():
    from gan_lib.callbacks import Callback
    from gan_lib.course.notebook import LiveView

    trainer, view = FakeTrainer(), LiveView(every_steps=10, show=False)
    assert isinstance(view, Callback) and view.every_steps == 10
    view.on_train_begin(trainer)
    figure = view.fig
    for _ in range(3):
        trainer.train(10)
        view.on_steps_end(trainer, trainer.global_step, {"d_loss": 0.5, "g_loss": 1.0})
        view.on_interval(trainer, trainer.global_step)
    view.on_train_end(trainer)
    assert view.fig is figure and view.frames == 5
    assert view.ax_grid.get_title().endswith("step 30")
    assert [len(line.get_xdata()) for line in view.ax_loss.get_lines()] == [30, 30]


def test_train_live_without_trainer_callbacks_trains_in_chunks():
    from gan_lib.course.notebook import train_live

    trainer = FakeTrainer()
    assert train_live(trainer, every_steps=12, show=False) is None
    assert trainer.trained_chunks == [12, 12, 6] and trainer.history["step"][-1] == 30


def test_train_live_uses_the_trainers_callback_list_when_there_is_one():
    from gan_lib.course.notebook import LiveView, train_live

    trainer = FakeTrainer()
    trainer.callbacks = []
    seen = []
    original = trainer.train
    trainer.train = lambda steps=None: (seen.extend(trainer.callbacks), original(steps))[1]
    train_live(trainer, every_steps=5, show=False)
    assert len(seen) == 1 and isinstance(seen[0], LiveView) and trainer.callbacks == []


def test_run_dir_is_under_the_working_directory(tmp_path, monkeypatch):
    from gan_lib.course.notebook import rel, run_dir

    monkeypatch.chdir(tmp_path)
    assert run_dir("x") == tmp_path / "runs" / "x"
    assert rel(tmp_path / "runs" / "x" / "a.png") == str(Path("runs/x/a.png"))
    assert rel("/somewhere/else/b.png") == "b.png"


def test_the_environment_wins_over_the_fast_field():
    code = ("import os\n"
            "import gan_lib.course.notebook as n\n"
            "n.setup(fast=False); a = n.fast_mode(); n.setup(fast=True); b = n.fast_mode()\n"
            "print(a, b)")
    env = {k: v for k, v in __import__("os").environ.items() if k != "GAN_KIT_FAST"}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip().splitlines()[-1] == "False True", out.stderr[-2000:]
    env["GAN_KIT_FAST"] = "1"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert out.stdout.strip().splitlines()[-1] == "True True", out.stderr[-2000:]


def test_every_notebook_has_the_generated_set_up_cells_and_no_outputs():
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import notebook_header
    finally:
        sys.path.pop(0)
    notebooks = notebook_header.notebooks()
    assert len(notebooks) == 11
    for path in notebooks:
        assert not notebook_header.differs(path), f"{path.name}: run python docs/notebook_header.py"
        cells = json.loads(path.read_text())["cells"]
        assert all(not c.get("outputs") for c in cells if c["cell_type"] == "code"), path.name
        assert notebook_header.REPO_URL in "".join(cells[1]["source"])
        text = "".join("".join(c["source"]) for c in cells)
        assert "# YOUR CODE HERE" in text, f"{path.name} has no exercise"
        assert "/work/" not in text and "checkpoints/0" not in text, path.name


def test_the_value_at_the_optimal_discriminator_is_minus_log4_plus_2_jsd():
    from gan_lib.course.toy import js_divergence, optimal_value, real_density

    grid = np.linspace(-15, 25, 8001)
    p = real_density(grid, 4.0, 1.25)
    for q in (p, real_density(grid, 5.0, 0.7), real_density(grid, 14.0, 1.0)):
        assert abs(optimal_value(p, q, grid) - (-np.log(4) + 2 * js_divergence(p, q, grid))) < 1e-6
    assert abs(js_divergence(p, p, grid)) < 1e-9
    assert abs(js_divergence(p, real_density(grid, 20.0, 1.0), grid) - np.log(2)) < 1e-4


def test_the_jsd_estimate_renormalises_on_a_grid_that_holds_every_sample():
    """Notebook 00's estimate: p_g's kernel estimate tabulated on ToyGAN.grid ([-2, 10]) loses the
    mass of samples far off it, and the unnormalised "JSD" can pass log 2; on the grid of
    estimated_densities both densities integrate to 1 and the JSD stays in [0, log 2]."""
    from gan_lib.course.toy import estimated_densities, js_divergence

    rng = np.random.default_rng(0)
    for samples in (rng.normal(-3.0, 0.5, 4000), rng.normal(4.0, 1.25, 4000),
                    rng.normal(30.0, 1.0, 4000)):
        grid, p_data, p_g = estimated_densities(samples)
        assert grid[0] < samples.min() and grid[-1] > samples.max()
        assert abs(np.trapezoid(p_data, grid) - 1) < 1e-9 and abs(np.trapezoid(p_g, grid) - 1) < 1e-9
        assert 0 <= js_divergence(p_data, p_g, grid) <= np.log(2) + 1e-9
    grid, p_data, p_g = estimated_densities(rng.normal(30.0, 1.0, 4000))  # no overlap: log 2
    assert abs(js_divergence(p_data, p_g, grid) - np.log(2)) < 1e-3


EXERCISES = ["fakes_called_real", "epochs_skipped", "js_divergence", "alpha_curve",
             "hinge_d_loss", "d_loss", "slerp", "sharpness", "information_loss"]


@pytest.mark.parametrize("name", EXERCISES)
def test_exercise_checks_pass_the_reference_and_the_unattempted_case(name, capsys):
    from gan_lib.course import exercises

    check, solution = getattr(exercises, f"check_{name}"), getattr(exercises, f"solution_{name}")
    check(solution)
    said = capsys.readouterr().out
    assert said.startswith("Correct!") and "not answered" not in said, said
    check(lambda *args: None)
    said = capsys.readouterr().out
    assert "not answered yet" in said and "Correct!" in said, said


def _wrong_answers():
    """For each exercise: a plausible wrong answer a student could write, and a piece of the
    message the check must give for it (so that a wrong answer is caught *and* told why)."""
    import tensorflow as tf

    from gan_lib.course import exercises

    def uint8_sharpness(images):  # forgets to convert: uint8 differences wrap around
        x = np.asarray(images)
        return float((np.abs(np.diff(x, axis=2)).mean() + np.abs(np.diff(x, axis=1)).mean()) / 255)

    def js_without_half(p, q, grid):  # the two KLs summed, not averaged: 2 log 2 when disjoint
        from gan_lib.course.toy import kl_divergence

        return kl_divergence(p, (p + q) / 2, grid) + kl_divergence(q, (p + q) / 2, grid)

    return {
        "fakes_called_real": (lambda precision, recall: 1 - precision, "answer is 0.3"),
        "epochs_skipped": (lambda interrupted, every, typed: typed - interrupted, "expected 40"),
        "js_divergence": (js_without_half, "log 2"),
        "alpha_curve": (lambda real, fake, levels: np.asarray(levels), "centre"),
        "hinge_d_loss": (lambda r, f: tf.reduce_mean(tf.nn.relu(1.0 - r))
                         + tf.reduce_mean(tf.nn.relu(1.0 - f)), "cost nothing"),
        "d_loss": (lambda r, f: -tf.reduce_mean(tf.math.log(tf.sigmoid(r)))
                   - tf.reduce_mean(tf.math.log(1.0 - tf.sigmoid(f))), "softplus"),
        "slerp": (lambda z0, z1, t: (1 - t) * np.asarray(z0) + t * np.asarray(z1), "angle"),
        "sharpness": (uint8_sharpness, "wrap around"),
        "information_loss": (lambda q, cat, cont: exercises.solution_information_loss(q, cat, cont)
                             * 2.0, "category logits"),
    }


@pytest.mark.parametrize("name", EXERCISES)
def test_exercise_checks_reject_a_wrong_answer_and_say_why(name, capsys):
    from gan_lib.course import exercises

    wrong, hint = _wrong_answers()[name]
    with pytest.raises(AssertionError) as caught:
        getattr(exercises, f"check_{name}")(wrong)
    assert hint in str(caught.value), str(caught.value)
    assert "Correct!" not in capsys.readouterr().out


def test_condition_g_check_passes_the_reference_and_rejects_z_and_code_swapped(capsys):
    import tensorflow as tf

    from gan_lib.course import exercises
    from gan_lib.models import build_mlp_generator

    generator = build_mlp_generator(latent_dim=100, num_classes=10)
    exercises.check_condition_g(exercises.solution_condition_g, generator)
    assert capsys.readouterr().out.startswith("Correct!")
    exercises.check_condition_g(lambda z, labels, embedding: None, generator)
    assert "not answered yet" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="z first"):
        exercises.check_condition_g(lambda z, y, emb: tf.concat([emb(y), z], axis=1), generator)
    with pytest.raises(AssertionError, match="shape"):  # forgot the label's code
        exercises.check_condition_g(lambda z, y, emb: z, generator)


def test_checkpoint_quiz_check_passes_the_reference_and_names_what_is_wrong(mnist, tmp_path,
                                                                           capsys):
    """Notebook 05's exercise 2 on a real checkpoint of a 2-step run."""
    from gan_lib import TrainConfig, Trainer
    from gan_lib.course import exercises

    data = mnist
    trainer = Trainer(TrainConfig(model="mlp", dataset="mnist", steps=2, verbose=0),
                      tmp_path / "run", data=data)
    trainer.train()
    path = trainer.checkpoint.latest
    exercises.check_2(exercises.solution_2(), path)
    assert capsys.readouterr().out.startswith("Correct!")
    wrong = dict(exercises.solution_2(), training_data=True)
    with pytest.raises(AssertionError, match="training_data"):
        exercises.check_2(wrong, path)


def test_live_view_and_explorer_on_a_real_trainer(mnist, tmp_path):
    """With the trainer's own callback list: the view is called on its interval, then removed."""
    import matplotlib

    matplotlib.use("Agg")
    from gan_lib import TrainConfig, Trainer
    from gan_lib.course.notebook import LiveView, latent_explorer, train_live

    data = mnist
    trainer = Trainer(TrainConfig(model="mlp", dataset="mnist", steps=6, verbose=0),
                      tmp_path / "run", data=data)
    seen = []
    original = LiveView._redraw
    LiveView._redraw = lambda self, t: (seen.append(t.global_step), original(self, t))[1]
    try:
        train_live(trainer, every_steps=3, show=False)
    finally:
        LiveView._redraw = original
    assert trainer.global_step == 6 and seen[0] == 0 and 3 in seen and seen[-1] == 6
    assert not any(isinstance(c, LiveView) for c in getattr(trainer, "callbacks", []))
    assert latent_explorer(trainer.gan, dims=2, force_static=True) is None


def test_every_notebook_states_its_runtime_from_the_record_and_only_from_it():
    """Each notebook's runtime box (cell 3) is what docs/time_notebooks.py renders from
    docs/images/notebook_times.json: a time a notebook states is a measured one."""
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import time_notebooks
    finally:
        sys.path.pop(0)
    record = json.loads(time_notebooks.RECORD.read_text())
    for path in time_notebooks.notebooks():
        cell = json.loads(path.read_text())["cells"][3]
        assert cell.get("id") == "runtime", f"{path.name}: run python docs/time_notebooks.py --boxes"
        assert "".join(cell["source"]) == time_notebooks.box(record.get(path.stem, {})), \
            f"{path.name}: its runtime box differs from the record; python docs/time_notebooks.py --boxes"
    entry = {"wall_seconds": 125.4, "date": "2026-12-02 10:00 UTC", "machine": "x86_64, 2 CPU cores",
             "load_average_1_5_15_min_at_end": [3.1, 2.0, 1.0], "gpu": None}
    text = time_notebooks.box({"fast": entry})
    assert "| fast (`FAST = True`, as CI runs it) | 2 min 5 s | 2026-12-02, x86_64, 2 CPU cores, " \
           "load average 3.1 at the end; the machine was shared |" in text
    assert "| full, CPU | not measured | |" in text and "| full, GPU | not measured | |" in text
    assert [time_notebooks.duration(s) for s in (59.4, 60, 3725)] == ["59 s", "1 min 0 s", "1 h 2 min"]


def test_every_picture_a_notebook_shows_is_committed_and_the_diagram_script_draws():
    import re

    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        text = "".join("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                       if c["cell_type"] == "markdown")
        for target in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text):
            if not target.startswith("http"):
                assert (path.parent / target).is_file(), f"{path.name} shows a missing {target}"
    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import diagrams
    finally:
        sys.path.pop(0)
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        drawn = diagrams.alternating_step(Path(tmp) / "step.png")
        assert drawn.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and drawn.stat().st_size > 10_000


def test_every_notebook_cell_has_its_own_id():
    """nbformat 4.5 gives each cell an id (a missing one is a warning today, an error later), and
    the editions and the runtime box find cells by id: each must be there and unique."""
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        ids = [cell.get("id") for cell in json.loads(path.read_text())["cells"]]
        assert None not in ids, f"{path.name}: cell {ids.index(None)} has no id"
        assert len(set(ids)) == len(ids), f"{path.name}: repeated cell ids"


def test_slant_ink_and_width_of_hand_drawn_strokes():
    """Figure 08b's measures of what InfoGAN's continuous codes do, on strokes with a known answer:
    '/' has slant -1 (rows count downwards), '\\' +1, an upright bar 0; a bar two columns wide
    has a column spread of 0.5 pixel, one three columns wide sqrt(2/3)."""
    import numpy as np

    sys.path.insert(0, str(ROOT / "docs"))
    try:
        import make_figures
    finally:
        sys.path.pop(0)
    images = -np.ones((4, 28, 28, 1), np.float32)
    for i in range(5, 23):
        images[0, i, 28 - i] = images[1, i, i] = 1.0
    images[2, 5:23, 13:15] = 1.0
    images[3, 5:23, 12:15] = 1.0
    slant, ink, width = make_figures._slant_and_ink(images)
    np.testing.assert_allclose(slant, [-1.0, 1.0, 0.0, 0.0], atol=1e-6)
    np.testing.assert_allclose(ink, [18 / 784, 18 / 784, 36 / 784, 54 / 784], rtol=1e-6)
    np.testing.assert_allclose(width[2:], [0.5, np.sqrt(2 / 3)], rtol=1e-6)
