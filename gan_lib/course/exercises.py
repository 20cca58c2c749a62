"""Checks and reference solutions for the course's exercises (notebook 05 first, then the others).

Each ``check_*`` function says whether an answer is right and why not. Given ``None`` (the
exercise not attempted yet) it says so and returns the reference solution's result, so that the
rest of the notebook still runs; ``show_solution(n)`` prints the reference solution's code.
"""
from __future__ import annotations

import inspect

import numpy as np

from gan_lib.errors import GanKitError

CHECKPOINT_FACTS = {
    "generator_weights": True,
    "discriminator_weights": True,
    "adam_moments": True,       # the optimisers' slot variables (m and v per weight)
    "step_counter": True,
    "random_generator_state": True,
    "training_data": False,     # only the step: the data order follows from (seed, step)
    "python_code": False,       # a checkpoint holds values, not the model's code or config
}


def _not_answered(n: int) -> None:
    print(f"Exercise {n} is not answered yet: fill in the cell above, or run show_solution({n}). "
          "Using the reference solution so the rest of the notebook runs.")


def _ok(message: str) -> None:
    print(f"Correct! {message}")


# ----------------------------------------------------------------------------- exercise 1
def solution_1(config, run_dir, data):
    """Resume the interrupted run and train it to the config's full length."""
    from gan_lib.trainer import Trainer

    resumed = Trainer(config, run_dir, resume=True, data=data)
    resumed.train()
    return resumed


def check_1(resumed, straight, config, run_dir, data):
    """The resumed run must end bit-identical to the uninterrupted one."""
    if resumed is None:
        _not_answered(1)
        resumed = solution_1(config, run_dir, data)
    if resumed.global_step != straight.global_step:
        raise AssertionError(f"the resumed run is at step {resumed.global_step}, the straight run "
                             f"at {straight.global_step}: did you train to the full length?")
    for a, b in zip(straight.gan.generator.weights, resumed.gan.generator.weights):
        if not np.array_equal(np.asarray(a), np.asarray(b)):
            raise AssertionError("same step, but different weights: was everything restored "
                                 "(resume=True) before training?")
    _ok("the resumed run is bit-identical to the run that was never interrupted.")
    return resumed


# ----------------------------------------------------------------------------- exercise 2
def solution_2():
    return dict(CHECKPOINT_FACTS)


def check_2(answer: dict | None, checkpoint_path: str):
    """``answer`` maps each key of CHECKPOINT_FACTS to True/False: is it in the checkpoint?"""
    import tensorflow as tf

    if answer is None:
        _not_answered(2)
        answer = solution_2()
    names = [name for name, _ in tf.train.list_variables(checkpoint_path)]
    evidence = {
        "adam_moments": [n for n in names if "optimizer/_variables" in n][:2],
        "step_counter": [n for n in names if n.startswith("step/")],
        "random_generator_state": [n for n in names if n.startswith("rng/")],
    }
    wrong = [k for k, v in CHECKPOINT_FACTS.items() if answer.get(k) != v]
    if wrong:
        raise AssertionError(f"not quite: look again at {', '.join(wrong)} "
                             f"(hint: tf.train.list_variables lists {len(names)} entries)")
    _ok("for example " + "; ".join(f"{k}: {v[0]}" for k, v in evidence.items() if v))
    return answer


# ----------------------------------------------------------------------------- exercise 3
def solution_3(make_wrong_trainer):
    try:
        make_wrong_trainer()
    except GanKitError as err:
        return err
    return None


def check_3(error, make_wrong_trainer):
    """``error`` is the exception raised when resuming with a different latent size."""
    if error is None:
        _not_answered(3)
        error = solution_3(make_wrong_trainer)
    if not isinstance(error, GanKitError):
        raise AssertionError(f"expected gan_lib's clear refusal, got {type(error).__name__}: "
                             f"{error}")
    if "latent_dim" not in str(error):
        raise AssertionError("the message should name what differs (latent_dim)")
    from pathlib import Path

    message = str(error).replace(str(Path.cwd()) + "/", "")  # paths relative to the notebook
    _ok(f"gan_lib refused, saying: {message}")
    return error


def show_solution(n) -> None:
    """Print the reference solution of exercise ``n`` (notebook 05's 1, 2, 3), or of another
    notebook's exercise by its name, e.g. ``show_solution("covered_modes")`` (notebook 10)."""
    if isinstance(n, str):
        print(inspect.getsource(globals()[f"solution_{n}"]))
        return
    print(inspect.getsource({1: solution_1, 2: solution_2, 3: solution_3}[n]))
    if n == 2:
        print("CHECKPOINT_FACTS =", CHECKPOINT_FACTS)


# =============================================================================================
# Exercises of the other notebooks. Each ``check_*`` takes the student's function; when it still
# returns None (not attempted) the check says so and uses the reference solution instead, so the
# notebook runs on (and CI, which runs the notebooks as committed, proves the reference solution).
# =============================================================================================
def _attempted(n_or_name, value) -> bool:
    if value is None:
        print(f"Exercise '{n_or_name}' is not answered yet: fill in the function above. "
              "Using the reference solution so the rest of the notebook runs.")
        return False
    return True


def _close(a, b, tol=1e-6) -> bool:
    return bool(np.all(np.abs(np.asarray(a, float) - np.asarray(b, float)) <= tol))


# ------------------------------------------------------------- notebook 02: the seed's table
def solution_fakes_called_real(precision, recall):
    return recall * (1.0 / precision - 1.0)


def check_fakes_called_real(fn):
    """Notebook 02: FP/n from precision and recall with n real and n fake images."""
    from gan_lib.course.seed_loop import SEED_EVALUATE, SEED_TABLE

    got = fn(SEED_TABLE["precision"], SEED_TABLE["recall"])
    if not _attempted("fakes_called_real", got):
        fn = solution_fakes_called_real
        got = fn(SEED_TABLE["precision"], SEED_TABLE["recall"])
    # a case with a known answer: 800 of 1000 real called real, 300 of 1000 fakes called real
    known = fn(800 / (800 + 300), 0.8)
    if not _close(known, 0.3, 1e-9):
        raise AssertionError(f"with precision 800/1100 and recall 0.8 the answer is 0.3, yours "
                             f"{known!r}: write TP and FP as fractions of n first")
    from_evaluate = 1 - SEED_EVALUATE["fake"][1]
    _ok(f"from the seed's precision and recall, D called {got:.2%} of fakes real; its evaluate "
        f"line on fakes (accuracy {SEED_EVALUATE['fake'][1]}), taken on another draw of fakes, "
        f"says {from_evaluate:.2%}.")
    return got


# ------------------------------------------------------------- notebook 05: seed 001's restart
def solution_epochs_skipped(interrupted_at, save_every, typed_restart):
    last_saved = (interrupted_at // save_every) * save_every
    return typed_restart - last_saved


def check_epochs_skipped(fn):
    """Notebook 05: epochs the seed-001 restart skipped, from its own settings."""
    got = fn(290, 50, 290)
    if not _attempted("epochs_skipped", got):
        fn = solution_epochs_skipped
        got = fn(290, 50, 290)
    cases = {(290, 50, 290): 40, (290, 10, 290): 0, (299, 50, 290): 40, (300, 50, 300): 0,
             (49, 50, 49): 49, (240, 50, 260): 60}  # the last: a restart epoch typed too high
    wrong = {k: fn(*k) for k, v in cases.items() if fn(*k) != v}
    if wrong:
        k = next(iter(wrong))
        raise AssertionError(f"epochs_skipped{k} gave {wrong[k]}, expected {cases[k]}: which epoch "
                             "did the newest checkpoint hold when the session died?")
    _ok(f"with checkpoints every 50 epochs, the weights restored were those of epoch 250, while the "
        f"loop was told it was at 290: {got} epochs never trained, and nothing said so.")
    return got


# ------------------------------------------------------------- notebook 00: the JS divergence
def solution_js_divergence(p, q, grid):
    from gan_lib.course.toy import js_divergence

    return js_divergence(p, q, grid)


def check_js_divergence(fn):
    """Notebook 00: JSD of two densities tabulated on a grid, in nats."""
    from gan_lib.course.toy import real_density

    grid = np.linspace(-10, 20, 3001)
    p = real_density(grid, 4.0, 1.25)
    if not _attempted("js_divergence", fn(p, p, grid)):
        fn = solution_js_divergence
    same = fn(p, p, grid)
    if not _close(same, 0.0, 1e-6):
        raise AssertionError(f"JSD(p || p) must be 0, yours is {same!r}")
    far = fn(p, real_density(grid, 4.0 + 12.0, 1.0), grid)
    if not _close(far, np.log(2), 1e-3):
        raise AssertionError(f"two densities that do not overlap have JSD log 2 = {np.log(2):.4f}, "
                             f"yours {far!r}: check the mixture m and the factor 1/2")
    q = real_density(grid, 5.0, 1.25)
    a, b = fn(p, q, grid), fn(q, p, grid)
    if not _close(a, b, 1e-9):
        raise AssertionError(f"JSD is symmetric, but yours gives {a!r} and {b!r}")
    expected = solution_js_divergence(p, q, grid)
    if not _close(a, expected, 1e-4):
        raise AssertionError(f"for N(4, 1.25) and N(5, 1.25) expected {expected:.4f}, got {a!r}")
    _ok(f"0 for equal densities, log 2 for disjoint ones, {a:.4f} nats for N(4, 1.25) vs N(5, 1.25).")
    return fn


# ------------------------------------------------------------- notebook 06: the alpha curve
def solution_alpha_curve(real, fake, levels):
    real, fake = np.asarray(real, float), np.asarray(fake, float)
    centre = real.mean(axis=0)
    radii = np.quantile(np.linalg.norm(real - centre, axis=1), levels)
    distance = np.linalg.norm(fake - centre, axis=1)
    return np.array([(distance <= r).mean() for r in radii])


def check_alpha_curve(fn):
    """Notebook 06: fraction of generated points inside each a-support of the real points."""
    rng = np.random.default_rng(0)
    real = rng.normal(size=(2000, 2))
    levels = np.linspace(0, 1, 11)
    if not _attempted("alpha_curve", fn(real, real, levels)):
        fn = solution_alpha_curve
    cases = {"a copy of the real points": real, "points shrunk towards the centre": 0.3 * real,
             "points far away": real + 10.0}
    for name, fake in cases.items():
        got = np.asarray(fn(real, fake, levels), float)
        expected = solution_alpha_curve(real, fake, levels)
        if got.shape != expected.shape or not _close(got, expected, 1e-9):
            raise AssertionError(f"for {name} expected {np.round(expected, 2).tolist()}, got "
                                 f"{np.round(got, 2).tolist()}: is the centre the mean of the "
                                 "*real* points, and the radius a quantile of *their* distances?")
    _ok("the diagonal for a copy of the data, above it for points bunched at the centre "
        "(too typical), zero for points outside every support.")
    return fn


# ------------------------------------------------------------- notebook 07: the hinge loss
def solution_hinge_d_loss(real_out, fake_out):
    import tensorflow as tf

    return tf.reduce_mean(tf.nn.relu(1.0 - real_out)) + tf.reduce_mean(tf.nn.relu(1.0 + fake_out))


def check_hinge_d_loss(fn):
    """Notebook 07: the hinge loss of D, compared with gan_lib.losses.hinge_d_loss."""
    import tensorflow as tf

    from gan_lib.losses import hinge_d_loss

    real = tf.constant([[2.0], [0.5], [-1.0], [1.0]])
    fake = tf.constant([[-2.0], [-0.5], [1.0], [-1.0]])
    if not _attempted("hinge_d_loss", fn(real, fake)):
        fn = solution_hinge_d_loss
    got, expected = float(fn(real, fake)), float(hinge_d_loss(real, fake))
    if abs(got - expected) > 1e-6:
        raise AssertionError(f"expected {expected:.4f}, got {got:.4f}: a real output beyond +1 and "
                             "a fake one below -1 should cost nothing")
    far = float(fn(tf.constant([[5.0]]), tf.constant([[-5.0]])))
    if far != 0.0:
        raise AssertionError(f"outputs well past both margins must cost 0, yours {far}")
    _ok(f"{got:.4f}, as gan_lib.losses.hinge_d_loss; confident, correct outputs cost nothing.")
    return fn


# ------------------------------------------------------------- notebook 04: cGAN conditioning
def first_layer(model, kind):
    """The first layer of ``model`` of class ``kind`` (e.g. keras.layers.Embedding)."""
    for layer in model.layers:
        if isinstance(layer, kind):
            return layer
    raise LookupError(f"{model.name} has no {kind.__name__} layer")


def conditioned_input(model, inputs):
    """What ``model`` computes from ``inputs`` up to its first Concatenate layer: the network's
    own conditioned input, to compare a hand-written conditioning with."""
    import keras

    concat = first_layer(model, keras.layers.Concatenate)
    return keras.Model(model.inputs, concat.output)(inputs)


def solution_condition_g(z, labels, embedding):
    import tensorflow as tf

    return tf.concat([z, embedding(labels)], axis=1)


def check_condition_g(fn, generator):
    """Notebook 04: [z, embed(y)], compared with the cGAN generator's own first Concatenate."""
    import keras
    import tensorflow as tf

    embedding = first_layer(generator, keras.layers.Embedding)
    z = tf.random.stateless_normal([6, generator.inputs[0].shape[-1]], seed=[1, 2])
    labels = tf.constant([0, 1, 2, 7, 8, 9], tf.int32)
    got = fn(z, labels, embedding)
    if not _attempted("condition_g", got):
        fn = solution_condition_g
        got = fn(z, labels, embedding)
    expected = conditioned_input(generator, [z, labels])
    if tuple(got.shape) != tuple(expected.shape):
        raise AssertionError(f"shape {tuple(got.shape)}, expected {tuple(expected.shape)}: z first, "
                             "then the label's code, side by side for each example")
    if not _close(np.asarray(got), np.asarray(expected), 1e-6):
        raise AssertionError("right shape, different numbers: is z first and the code second?")
    _ok(f"your [z, embed(y)] equals what gan_lib's generator feeds its first layer "
        f"({expected.shape[1]} numbers: {z.shape[1]} of z, {expected.shape[1] - z.shape[1]} of code).")
    return fn


# ------------------------------------------------------------- notebook 08: auxiliary losses
def library_aux_functions():
    """gan_lib's own ``(class_cross_entropy, information_loss)``: the ACGAN and InfoGAN variants'."""
    from gan_lib.variants.acgan import class_cross_entropy
    from gan_lib.variants.infogan import information_loss

    return class_cross_entropy, information_loss


def solution_information_loss(q_output, category, continuous):
    import tensorflow as tf

    ce = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=category, logits=q_output[:, :10]))
    return ce + 0.5 * tf.reduce_mean(tf.reduce_sum(tf.square(q_output[:, 10:] - continuous), axis=1))


def check_information_loss(fn, noise_dim: int = 62):
    """Notebook 08: InfoGAN's L_I, compared with gan_lib's on the same codes and Q outputs."""
    import tensorflow as tf

    _, information_loss = library_aux_functions()
    rng = tf.random.Generator.from_seed(3)
    category = tf.constant([0, 3, 9, 5, 5, 1], tf.int32)
    continuous = rng.uniform([6, 2], -1, 1)
    z = tf.concat([rng.normal([6, noise_dim]), tf.one_hot(category, 10), continuous], axis=1)
    q = rng.normal([6, 12])
    if not _attempted("information_loss", fn(q, category, continuous)):
        fn = solution_information_loss
    got, expected = float(fn(q, category, continuous)), float(information_loss(q, z, noise_dim))
    if abs(got - expected) > 1e-5:
        raise AssertionError(f"expected {expected:.4f}, got {got:.4f}: the first 10 of Q's outputs "
                             "are category logits, the last 2 its guesses of the continuous codes")
    _ok(f"{got:.4f}, the same as gan_lib's information loss on these codes.")
    return fn


# ------------------------------------------------------------- notebook 09: sharpness
def solution_sharpness(images):
    x = np.asarray(images, np.float64) / 255.0
    return float(np.abs(np.diff(x, axis=2)).mean() + np.abs(np.diff(x, axis=1)).mean())


def check_sharpness(fn):
    """Notebook 09: neighbour differences, compared with gan_lib.metrics.mean_gradient_magnitude."""
    from gan_lib.metrics import mean_gradient_magnitude

    rng = np.random.default_rng(0)
    sharp = rng.integers(0, 256, size=(8, 28, 28, 1), dtype=np.uint8)
    if not _attempted("sharpness", fn(sharp)):
        fn = solution_sharpness
    flat = np.full((2, 28, 28, 1), 77, np.uint8)
    stripes = np.zeros((1, 4, 4, 1), np.uint8)
    stripes[:, :, ::2] = 255                       # vertical stripes: every horizontal step is 1
    cases = {"a flat grey image": (flat, 0.0), "vertical stripes": (stripes, 1.0),
             "noise": (sharp, mean_gradient_magnitude(sharp))}
    for name, (images, expected) in cases.items():
        got = fn(images)
        if abs(float(got) - expected) > 1e-9:
            raise AssertionError(f"for {name} expected {expected:.4f}, got {float(got):.4f}: "
                                 "convert to float first (uint8 differences wrap around), divide "
                                 "by 255, and add the horizontal and the vertical means")
    _ok(f"0 for a flat image, 1 for black-white stripes, {cases['noise'][1]:.3f} for noise.")
    return fn


# ------------------------------------------------------------- notebook 01: D's loss
def solution_d_loss(real_logits, fake_logits):
    import tensorflow as tf

    return (tf.reduce_mean(tf.nn.softplus(-real_logits))
            + tf.reduce_mean(tf.nn.softplus(fake_logits)))


def check_d_loss(fn):
    """Notebook 01: D's cross-entropy from logits, compared with gan_lib.losses.bce_d_loss."""
    import tensorflow as tf

    from gan_lib.losses import bce_d_loss

    # the last two pairs: D very sure and right, then very sure and wrong (log(sigmoid) -> -inf)
    real = tf.constant([[3.0], [0.2], [-1.0], [40.0], [-40.0]])
    fake = tf.constant([[-2.0], [0.5], [1.0], [-40.0], [40.0]])
    if not _attempted("d_loss", fn(real, fake)):
        fn = solution_d_loss
    got, expected = float(fn(real, fake)), float(bce_d_loss(real, fake))
    if not np.isfinite(got):
        raise AssertionError(f"got {got} for logits of +-40: compute log D from the logit "
                             "(softplus), not log(sigmoid(l))")
    if abs(got - expected) > 1e-5:
        raise AssertionError(f"expected {expected:.5f}, got {got:.5f}: real images should be "
                             "labelled 1 and fakes 0, each term averaged over the batch")
    _ok(f"{got:.5f}, as gan_lib.losses.bce_d_loss, and finite even for very confident logits.")
    return fn


# ------------------------------------------------------------- notebook 03: slerp
def solution_slerp(z0, z1, t):
    z0, z1 = np.asarray(z0, np.float64), np.asarray(z1, np.float64)
    omega = np.arccos(np.clip(np.dot(z0, z1) / (np.linalg.norm(z0) * np.linalg.norm(z1)), -1, 1))
    return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


def check_slerp(fn):
    """Notebook 03: spherical interpolation, compared with gan_lib.sampling.interpolate_latents."""
    from gan_lib.sampling import interpolate_latents

    rng = np.random.default_rng(0)
    z0, z1 = rng.normal(size=(2, 100))
    if not _attempted("slerp", fn(z0, z1, 0.5)):
        fn = solution_slerp
    ts = np.linspace(0, 1, 7)
    got = np.stack([np.asarray(fn(z0, z1, t), float) for t in ts])
    expected = interpolate_latents(z0, z1, n=7)
    if not _close(got[0], z0, 1e-5) or not _close(got[-1], z1, 1e-5):
        raise AssertionError("t = 0 must give z0 and t = 1 must give z1")
    if not _close(got, expected, 1e-4):
        raise AssertionError("the end points are right, the path is not: is the angle between z0 "
                             "and z1 computed from their normalised dot product?")
    norms = np.linalg.norm(got, axis=1)
    _ok(f"the same path as gan_lib's interpolate_latents; norms along it stay between "
        f"{norms.min():.1f} and {norms.max():.1f} (a straight line dips to "
        f"{np.linalg.norm((z0 + z1) / 2):.1f} half-way).")
    return fn


# ------------------------------------------------------------- notebook 10: counting modes
def solution_covered_modes(points, means, std):
    points, means = np.asarray(points, float), np.asarray(means, float)
    z = np.linalg.norm(points[:, None, :] - means[None, :, :], axis=2) / std  # [N, K], in stds
    nearest, good = z.argmin(axis=1), z.min(axis=1) < 3.0
    return len(np.unique(nearest[good])), float(good.mean())


def _mode_cases():
    """Hand-made ring8 cases with known answers, and the mistake each one exposes."""
    from gan_lib.modes import RING8_MEANS as m

    return [
        ("500 points exactly on mode 0", np.repeat(m[:1], 500, axis=0), (1, 1.0),
         "count the modes that hold a high-quality sample, not the samples"),
        ("499 points on mode 0 and one on mode 5", np.vstack([np.repeat(m[:1], 499, axis=0),
                                                             m[5:6]]), (2, 1.0),
         "one high-quality sample is enough for a mode to count (both papers' threshold)"),
        ("300 points at (5, 0), 4 away from the nearest mode", np.tile([5.0, 0.0], (300, 1)),
         (0, 0.0), "the nearest mode is not enough: a sample is high quality only within 3 "
                   "standard deviations of it"),
        ("the 8 means pushed out by 0.1 = 10 standard deviations", m * 1.1, (0, 0.0),
         "measure the distance in standard deviations (divide by std), then compare with 3"),
    ]


def check_covered_modes(fn):
    """Notebook 10: ``fn(points, means, std) -> (modes covered, high-quality share)``, VEEGAN's
    and PacGAN's metrics, against hand-made cases and ``gan_lib.modes.mode_coverage``."""
    from gan_lib import modes

    real = modes.ring8(2500, rng=0)
    if not _attempted("covered_modes", fn(real, modes.RING8_MEANS, modes.RING8_STD)):
        fn = solution_covered_modes
    for name, points, expected, hint in _mode_cases():
        got = fn(points, modes.RING8_MEANS, modes.RING8_STD)
        if not (isinstance(got, tuple) and len(got) == 2):
            raise AssertionError(f"return a pair (modes covered, high-quality share), got {got!r}")
        if int(got[0]) != expected[0]:
            raise AssertionError(f"for {name} (ring8, std 0.01) expected {expected[0]} modes, "
                                 f"got {got[0]}: {hint}")
        if not _close(got[1], expected[1], 1e-9):
            raise AssertionError(f"for {name} expected a high-quality share of {expected[1]}, got "
                                 f"{float(got[1]):.3f}: the share is the fraction of all samples "
                                 "(0 to 1) within 3 standard deviations of their nearest mode")
    for label, points, means, std in (("ring8", real, modes.RING8_MEANS, modes.RING8_STD),
                                      ("grid25", modes.grid25(2500, rng=1), modes.GRID25_MEANS,
                                       modes.GRID25_STD)):
        want = modes.mode_coverage(points, means, std)
        got = fn(points, means, std)
        if int(got[0]) != want["modes"] or not _close(got[1], want["high_quality"], 1e-9):
            raise AssertionError(f"on 2,500 real {label} points expected ({want['modes']}, "
                                 f"{want['high_quality']:.4f}), got ({got[0]}, {float(got[1]):.4f})"
                                 ": the share is a fraction of all samples (not a percentage), "
                                 "and the std is the one passed in")
    share = modes.mode_coverage(real, modes.RING8_MEANS, modes.RING8_STD)["high_quality"]
    _ok(f"2,500 real ring points score (8, {share:.4f}): every mode, and about 1 - exp(-9/2) = "
        "0.9889 of the samples within 3 standard deviations of theirs.")
    return fn
