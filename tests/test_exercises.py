"""Every exercise's check: it passes the reference solution, says so when the exercise is not
answered, and rejects at least three plausible wrong answers, each with a hint of what is wrong.
Each verdict reaches the grader's file (GAN_KIT_VERDICTS) as well as the student's screen."""
import shutil

import numpy as np
import pytest
import tensorflow as tf

from gan_lib.course import exercises
from gan_lib.course.exercises import EXERCISES, verdict
from gan_lib.course.toy import kl_divergence
from gan_lib.errors import ConfigError, GanKitError


# ---------------------------------------------------------------- wrong answers, by exercise
def _js_wrong():
    def without_half(p, q, grid):  # the two KLs summed, not averaged: 2 log 2 when disjoint
        return kl_divergence(p, (p + q) / 2, grid) + kl_divergence(q, (p + q) / 2, grid)

    def in_bits(p, q, grid):  # log base 2: 1 when disjoint
        return exercises.solution_js_divergence(p, q, grid) / np.log(2)

    def mixture_not_halved(p, q, grid):  # m = p + q
        return 0.5 * kl_divergence(p, p + q, grid) + 0.5 * kl_divergence(q, p + q, grid)

    def kl_only(p, q, grid):  # KL(p || q): not symmetric, infinite-ish when disjoint
        return kl_divergence(p, q, grid)

    return [(without_half, "log 2"), (in_bits, "log 2"), (mixture_not_halved, "must be 0"),
            (kl_only, "log 2")]


def _sharpness_wrong():
    def uint8(images):  # forgets to convert: uint8 differences wrap around
        x = np.asarray(images)
        return float((np.abs(np.diff(x, axis=2)).mean() + np.abs(np.diff(x, axis=1)).mean()) / 255)

    def horizontal_only(images):
        return float(np.abs(np.diff(np.asarray(images, float) / 255, axis=2)).mean())

    def not_scaled(images):
        x = np.asarray(images, float)
        return float(np.abs(np.diff(x, axis=2)).mean() + np.abs(np.diff(x, axis=1)).mean())

    def averaged(images):  # the mean of the two directions, not their sum
        return exercises.solution_sharpness(images) / 2

    return [(uint8, "wrap around"), (horizontal_only, "vertical means"),
            (not_scaled, "divide by 255"), (averaged, "add the horizontal")]


def _alpha_wrong():
    def fake_centre(real, fake, levels):
        return exercises.solution_alpha_curve(fake, fake, levels)

    def fake_radii(real, fake, levels):  # the radius from the generated points' distances
        centre = np.asarray(real).mean(0)
        d = np.linalg.norm(np.asarray(fake) - centre, axis=1)
        return np.array([(d <= r).mean() for r in np.quantile(d, levels)])

    def outside(real, fake, levels):
        return 1 - exercises.solution_alpha_curve(real, fake, levels)

    return [(lambda real, fake, levels: np.asarray(levels), "centre"), (fake_centre, "centre"),
            (fake_radii, "quantile"), (outside, "expected")]


def _slerp_wrong():
    def lerp(z0, z1, t):
        return (1 - t) * np.asarray(z0) + t * np.asarray(z1)

    def rescaled_lerp(z0, z1, t):  # a straight line pushed back to the interpolated norm
        z = lerp(z0, z1, t)
        return z * ((1 - t) * np.linalg.norm(z0) + t * np.linalg.norm(z1)) / np.linalg.norm(z)

    def swapped(z0, z1, t):
        return exercises.solution_slerp(z0, z1, 1 - t)

    def raw_dot(z0, z1, t):  # the angle from the dot product alone, not normalised
        omega = np.arccos(np.clip(np.dot(z0, z1), -1, 1))
        with np.errstate(invalid="ignore", divide="ignore"):  # sin(omega) is 0 here
            return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)

    return [(lerp, "angle"), (rescaled_lerp, "angle"), (swapped, "t = 0"), (raw_dot, "t = 0")]


def _info_wrong():
    solution = exercises.solution_information_loss

    def ce(q, cat):
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=cat, logits=q))

    def mean_of_squares(q, cat, cont):
        return ce(q[:, :10], cat) + 0.5 * tf.reduce_mean(tf.square(q[:, 10:] - cont))

    return [(lambda q, cat, cont: solution(q, cat, cont) * 2.0, "category logits"),
            (mean_of_squares, "expected"), (lambda q, cat, cont: ce(q[:, :10], cat), "expected"),
            (lambda q, cat, cont: ce(q[:, 2:], cat)
             + 0.5 * tf.reduce_mean(tf.reduce_sum(tf.square(q[:, :2] - cont), axis=1)), "last 2")]


def _mode_wrong():
    from test_mixtures import COVERED_MODES_MISTAKES  # one list of mistakes, two tests

    return list(COVERED_MODES_MISTAKES)


def wrong_answers():
    """For each exercise whose check takes only the student's function: plausible wrong answers
    and a piece of the message the check must give for each."""
    relu, mean = tf.nn.relu, tf.reduce_mean
    return {
        "js_divergence": _js_wrong(),
        "d_loss": [
            (lambda r, f: -mean(tf.math.log(tf.sigmoid(r))) - mean(tf.math.log(1.0 - tf.sigmoid(f))),
             "softplus"),
            (lambda r, f: mean(tf.nn.softplus(r)) + mean(tf.nn.softplus(-f)), "labelled 1"),
            (lambda r, f: tf.reduce_sum(tf.nn.softplus(-r)) + tf.reduce_sum(tf.nn.softplus(f)),
             "averaged"),
            (lambda r, f: mean(tf.nn.softplus(-r)), "labelled 1")],
        "fakes_called_real": [(lambda p, r: 1 - p, "answer is 0.3"),
                              (lambda p, r: r * (1 - p), "answer is 0.3"),
                              (lambda p, r: (1 - p) / p, "answer is 0.3"),
                              (lambda p, r: 0.3, "answer is 0.0")],
        "slerp": _slerp_wrong(),
        "epochs_skipped": [(lambda i, every, typed: typed - i, "expected 40"),
                           (lambda i, every, typed: i % every, "expected 40"),
                           (lambda i, every, typed: every - i % every, "expected 40"),
                           (lambda i, every, typed: i - (i // every) * every + 0 * typed,
                            "expected 40")],
        "alpha_curve": _alpha_wrong(),
        "hinge_d_loss": [(lambda r, f: mean(relu(1.0 - r)) + mean(relu(1.0 - f)), "cost nothing"),
                         (lambda r, f: mean(1.0 - r) + mean(1.0 + f), "cost nothing"),
                         (lambda r, f: mean(f) - mean(r), "cost nothing"),
                         (lambda r, f: tf.reduce_sum(relu(1.0 - r)) + tf.reduce_sum(relu(1.0 + f)),
                          "cost nothing")],
        "information_loss": _info_wrong(),
        "sharpness": _sharpness_wrong(),
        "covered_modes": _mode_wrong(),
    }


def test_every_exercise_is_tested_with_at_least_three_wrong_answers():
    covered = set(wrong_answers()) | {"condition_g", "resume", "checkpoint_contents",
                                      "wrong_model"}  # the checks below, which need a model or run
    assert covered == {ex.name for ex in EXERCISES}
    assert all(len(cases) >= 3 for cases in wrong_answers().values())


@pytest.fixture
def verdicts(tmp_path, monkeypatch):
    """The verdicts the checks record while the test runs (as the grader reads them)."""
    path = tmp_path / "verdicts.jsonl"
    monkeypatch.setenv(verdict.VERDICTS_ENV, str(path))
    return lambda: verdict.read_verdicts(path)


SIMPLE = sorted(wrong_answers())


@pytest.mark.parametrize("name", SIMPLE)
def test_a_check_passes_the_reference_and_says_when_unanswered(name, capsys, verdicts):
    ex = exercises.exercise(name)
    ex.check(ex.solution)
    said = capsys.readouterr().out
    assert said.startswith("Correct!") and "not answered" not in said, said
    assert verdicts()[name]["verdict"] == "correct" and verdicts()[name]["score"] == 1.0
    ex.check(lambda *args: None)
    said = capsys.readouterr().out
    assert "not answered yet" in said and verdict.show_call(name, ex.number) in said, said
    assert verdicts()[name] == {"exercise": name, "score": 0.0, "verdict": "not answered",
                                "detail": ""}


@pytest.mark.parametrize("name", SIMPLE)
def test_a_check_rejects_plausible_wrong_answers_and_says_why(name, capsys, verdicts):
    check = exercises.exercise(name).check
    for wrong, hint in wrong_answers()[name]:
        with pytest.raises(AssertionError) as caught:
            check(wrong)
        assert hint in str(caught.value), (wrong, str(caught.value))
        assert verdicts()[name]["verdict"] == "wrong" and verdicts()[name]["score"] == 0.0
    assert "Correct!" not in capsys.readouterr().out


def test_an_answer_that_raises_is_recorded_as_an_error(verdicts):
    with pytest.raises(ZeroDivisionError):
        exercises.check_epochs_skipped(lambda i, every, typed: 1 / 0)
    assert verdicts()["epochs_skipped"]["verdict"] == "error"
    assert "ZeroDivisionError" in verdicts()["epochs_skipped"]["detail"]


def test_condition_g_check_takes_the_reference_and_rejects_wrong_conditionings(capsys, verdicts):
    from gan_lib.models import build_mlp_generator

    generator = build_mlp_generator(latent_dim=100, num_classes=10)
    exercises.check_condition_g(exercises.solution_condition_g, generator)
    assert capsys.readouterr().out.startswith("Correct!")
    exercises.check_condition_g(lambda z, labels, embedding: None, generator)
    assert "not answered yet" in capsys.readouterr().out
    assert verdicts()["condition_g"]["verdict"] == "not answered"
    for wrong, hint in [(lambda z, y, emb: tf.concat([emb(y), z], axis=1), "z first"),
                        (lambda z, y, emb: z, "shape"),
                        (lambda z, y, emb: tf.concat([z, tf.cast(y[:, None], z.dtype)], axis=1),
                         "shape"),
                        (lambda z, y, emb: tf.concat([z, tf.one_hot(y, 10)], axis=1), "shape")]:
        with pytest.raises(AssertionError, match=hint):
            exercises.check_condition_g(wrong, generator)
        assert verdicts()["condition_g"]["verdict"] == "wrong"


def test_show_solution_reaches_every_exercise_and_refuses_an_unknown_one_in_one_line(capsys):
    for ex in EXERCISES:
        exercises.show_solution(ex.name)
        shown = capsys.readouterr().out
        assert shown.strip() and (ex.cell or f"def {ex.solution.__name__}(") in shown
        if ex.number is not None:
            exercises.show_solution(ex.number)
            assert capsys.readouterr().out == shown
    for unknown in ("dloss", 4, True, None):
        with pytest.raises(GanKitError) as caught:
            exercises.show_solution(unknown)
        message = str(caught.value)
        assert "\n" not in message and '"d_loss"' in message and "0 to 3" in message


# ---------------------------------------------------------------- notebook 05, on tiny real runs
N = 2
SMALL = dict(model="mlp", dataset="mnist", batch_size=64, seed=7, verbose=0)


@pytest.fixture(scope="module")
def runs(mnist_small, tmp_path_factory):
    """Notebook 05's set-up, with a 2-step MLP: the uninterrupted run and the interrupted one."""
    from gan_lib import TrainConfig, Trainer

    root = tmp_path_factory.mktemp("resume")
    straight = Trainer(TrainConfig(steps=2 * N, **SMALL), root / "straight", data=mnist_small)
    straight.train()
    Trainer(TrainConfig(steps=N, **SMALL), root / "interrupted", data=mnist_small).train()
    return straight, root / "interrupted", mnist_small


@pytest.fixture
def notebook_05(runs, tmp_path):
    """The names notebook 05's exercise cells use, over a fresh copy of the interrupted run."""
    from gan_lib import TrainConfig, Trainer

    straight, interrupted, data = runs
    run_b = tmp_path / "run_b"
    shutil.copytree(interrupted, run_b)

    def make_wrong_trainer():
        return Trainer(TrainConfig(steps=2 * N, **dict(SMALL, latent_dim=64)), run_b,
                       resume=True, data=data)

    return dict(Trainer=Trainer, TrainConfig=TrainConfig, N=N, small=SMALL, run_b=run_b,
                mnist=data, straight=straight, make_wrong_trainer=make_wrong_trainer)


def _check_resume(resumed, nb):
    return exercises.check_1(resumed, nb["straight"], nb["TrainConfig"](steps=2 * N, **SMALL),
                             nb["run_b"], nb["mnist"], interrupted_at=N)


def test_the_resume_check_takes_the_solved_cell_and_says_when_unanswered(notebook_05, capsys,
                                                                        verdicts):
    exec(exercises.RESUME_CELL, notebook_05)
    _check_resume(notebook_05["resumed"], notebook_05)
    assert "started at step 2" in capsys.readouterr().out
    assert verdicts()["resume"]["verdict"] == "correct"


def test_the_resume_check_runs_the_reference_when_unanswered(notebook_05, capsys, verdicts):
    resumed = _check_resume(None, notebook_05)
    assert resumed.global_step == 2 * N and "Exercise 1 is not answered" in capsys.readouterr().out
    assert verdicts()["resume"]["verdict"] == "not answered"


def _naive_restart(nb):
    """Fresh optimisers, the weights and the step restored by hand (the notebook's own foil)."""
    naive = nb["Trainer"](nb["TrainConfig"](steps=2 * N, **SMALL), data=nb["mnist"])
    tf.train.Checkpoint(generator=naive.gan.generator, discriminator=naive.gan.discriminator,
                        rng=naive.rng).read(f"{nb['run_b']}/checkpoints/ckpt-{N}").expect_partial()
    naive.step.assign(N)
    naive.out_dir = nb["run_b"]
    return naive


RESUME_WRONG = {
    "the uninterrupted run": (lambda nb: nb["straight"], "uninterrupted run itself"),
    "a retrain from scratch": (lambda nb: nb["Trainer"](nb["TrainConfig"](steps=2 * N, **SMALL),
                                                        nb["run_b"], overwrite=True,
                                                        data=nb["mnist"]), "step 0"),
    "a resume already trained": (lambda nb: _trained(nb["Trainer"](
        nb["TrainConfig"](steps=2 * N, **SMALL), nb["run_b"], resume=True, data=nb["mnist"])),
        "already at step 4"),
    "a resume of the wrong length": (lambda nb: nb["Trainer"](
        nb["TrainConfig"](steps=N, **SMALL), nb["run_b"], resume=True, data=nb["mnist"]),
        "whole length"),
    "a restart with fresh optimisers": (_naive_restart, "optimisers included"),
}


def _trained(trainer):
    trainer.train()
    return trainer


@pytest.mark.parametrize("case", sorted(RESUME_WRONG))
def test_the_resume_check_rejects_what_is_not_a_resume(case, notebook_05, verdicts):
    make, hint = RESUME_WRONG[case]
    with pytest.raises(AssertionError, match=hint):
        _check_resume(make(notebook_05), notebook_05)
    assert verdicts()["resume"]["verdict"] == "wrong"


def test_the_checkpoint_quiz_takes_the_solved_cell_and_rejects_wrong_tables(notebook_05, capsys,
                                                                           verdicts):
    path = str(notebook_05["run_b"] / "checkpoints" / f"ckpt-{N}")
    exec(exercises.CONTENTS_CELL, notebook_05)
    exercises.check_2(notebook_05["answer"], path)
    assert capsys.readouterr().out.startswith("Correct!")
    assert exercises.check_2(None, path) == exercises.CHECKPOINT_FACTS
    assert verdicts()["checkpoint_contents"]["verdict"] == "not answered"
    facts = exercises.CHECKPOINT_FACTS
    missing = {k: v for k, v in facts.items() if k != "python_code"}
    for wrong, hint in [(dict.fromkeys(facts, True), "training_data, python_code"),
                        (dict(facts, training_data=True), "training_data"),
                        (dict(facts, adam_moments=False), "adam_moments"),
                        (missing, "python_code"), (list(facts.values()), "a dict")]:
        with pytest.raises(AssertionError, match=hint):
            exercises.check_2(wrong, path)
        assert verdicts()["checkpoint_contents"]["verdict"] == "wrong"


def test_the_wrong_model_check_wants_the_very_refusal(notebook_05, capsys, verdicts):
    from gan_lib import TrainConfig, Trainer

    nb = notebook_05
    exec(exercises.WRONG_MODEL_CELL, nb)
    assert isinstance(nb["error"], ConfigError) and "latent_dim" in str(nb["error"])
    exercises.check_3(nb["error"], nb["make_wrong_trainer"])
    assert capsys.readouterr().out.startswith("Correct! gan_lib refused")
    exercises.check_3(None, nb["make_wrong_trainer"])
    assert verdicts()["wrong_model"]["verdict"] == "not answered"
    try:
        Trainer(TrainConfig(steps=2 * N, **SMALL), nb["run_b"], resume=True, overwrite=True)
    except GanKitError as err:
        other_mistake = err
    for wrong, hint in [(GanKitError("latent_dim differs"), "expected the error"),
                        (str(nb["error"]), "exception itself"),
                        (other_mistake, "expected the error"),
                        (nb["make_wrong_trainer"], "exception itself")]:
        with pytest.raises(AssertionError, match=hint):
            exercises.check_3(wrong, nb["make_wrong_trainer"])
        assert verdicts()["wrong_model"]["verdict"] == "wrong"
