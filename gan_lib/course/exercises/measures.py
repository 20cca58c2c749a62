"""Exercises that compute a number from arrays, checked against hand-made cases and gan_lib:
the JS divergence (notebook 00), the seed's table read backwards (02), spherical interpolation
(03), the alpha curve (06), sharpness (09) and counting modes (10).

Each ``check_*`` takes the student's function. While it still returns None (not attempted) the
check says so and goes on with the reference solution, so the notebook runs on; CI, running the
notebooks as committed, thereby proves every reference solution.
"""
from __future__ import annotations

import numpy as np

from gan_lib.course.exercises.verdict import attempted, graded, ok


def close(a, b, tol=1e-6) -> bool:
    """Every element of ``a`` within ``tol`` of ``b`` (and False for NaN)."""
    return bool(np.all(np.abs(np.asarray(a, float) - np.asarray(b, float)) <= tol))


# ------------------------------------------------------------- notebook 00: the JS divergence
def solution_js_divergence(p, q, grid):
    import numpy as np

    p, q = np.asarray(p, float), np.asarray(q, float)
    m = (p + q) / 2

    def kl_to_m(a):  # KL(a || m), with 0 log 0 = 0 (where a > 0, m > 0 too)
        ratio = np.divide(a, m, out=np.ones_like(a), where=a > 0)
        return np.trapezoid(a * np.log(ratio), grid)

    return 0.5 * kl_to_m(p) + 0.5 * kl_to_m(q)


@graded("js_divergence")
def check_js_divergence(fn):
    """Notebook 00: JSD of two densities tabulated on a grid, in nats, against
    ``gan_lib.course.toy.js_divergence``."""
    from gan_lib.course.toy import js_divergence, real_density

    grid = np.linspace(-10, 20, 3001)
    p = real_density(grid, 4.0, 1.25)
    if not attempted(fn(p, p, grid)):
        fn = solution_js_divergence
    same = fn(p, p, grid)
    if not close(same, 0.0, 1e-6):
        raise AssertionError(f"JSD(p || p) must be 0, yours is {same!r}")
    far = fn(p, real_density(grid, 4.0 + 12.0, 1.0), grid)
    if not close(far, np.log(2), 1e-3):
        raise AssertionError(f"two densities that do not overlap have JSD log 2 = {np.log(2):.4f}, "
                             f"yours {far!r}: check the mixture m, the factor 1/2 and the natural log")
    q = real_density(grid, 5.0, 1.25)
    a, b = fn(p, q, grid), fn(q, p, grid)
    if not close(a, b, 1e-9):
        raise AssertionError(f"JSD is symmetric, but yours gives {a!r} and {b!r}")
    expected = js_divergence(p, q, grid)
    if not close(a, expected, 1e-4):
        raise AssertionError(f"for N(4, 1.25) and N(5, 1.25) expected {expected:.4f}, got {a!r}")
    ok(f"0 for equal densities, log 2 for disjoint ones, {a:.4f} nats for N(4, 1.25) vs N(5, 1.25).")
    return fn


# ------------------------------------------------------------- notebook 02: the seed's table
def solution_fakes_called_real(precision, recall):
    return recall * (1.0 / precision - 1.0)


FAKES_CASES = [(0.8, 0.3), (0.5, 0.0), (1.0, 1.0), (0.2, 0.6), (0.9, 0.05)]
"""(TP / n, FP / n): real images called real and fakes called real, with n of each."""


@graded("fakes_called_real")
def check_fakes_called_real(fn):
    """Notebook 02: FP/n from precision and recall with n real and n fake images."""
    from gan_lib.course.seed_loop import SEED_EVALUATE, SEED_TABLE

    got = fn(SEED_TABLE["precision"], SEED_TABLE["recall"])
    if not attempted(got):
        fn = solution_fakes_called_real
        got = fn(SEED_TABLE["precision"], SEED_TABLE["recall"])
    for tp, fp in FAKES_CASES:  # cases with a known answer, from counts
        precision, recall = tp / (tp + fp), tp
        mine = fn(precision, recall)
        if not close(mine, fp, 1e-9):
            raise AssertionError(f"with precision {precision:.4f} and recall {recall} the answer is "
                                 f"{fp}, yours {mine!r}: write TP and FP as fractions of n first")
    from_evaluate = 1 - SEED_EVALUATE["fake"][1]
    ok(f"from the seed's precision and recall, D called {got:.2%} of fakes real; its evaluate "
       f"line on fakes (accuracy {SEED_EVALUATE['fake'][1]}), taken on another draw of fakes, "
       f"says {from_evaluate:.2%}.")
    return got


# ------------------------------------------------------------- notebook 03: slerp
def solution_slerp(z0, z1, t):
    import numpy as np

    z0, z1 = np.asarray(z0, np.float64), np.asarray(z1, np.float64)
    omega = np.arccos(np.clip(np.dot(z0, z1) / (np.linalg.norm(z0) * np.linalg.norm(z1)), -1, 1))
    return (np.sin((1 - t) * omega) * z0 + np.sin(t * omega) * z1) / np.sin(omega)


@graded("slerp")
def check_slerp(fn):
    """Notebook 03: spherical interpolation, compared with gan_lib.sampling.interpolate_latents."""
    from gan_lib.sampling import interpolate_latents

    rng = np.random.default_rng(0)
    z0, z1 = rng.normal(size=(2, 100))
    if not attempted(fn(z0, z1, 0.5)):
        fn = solution_slerp
    ts = np.linspace(0, 1, 7)
    got = np.stack([np.asarray(fn(z0, z1, t), float) for t in ts])
    expected = interpolate_latents(z0, z1, n=7)
    if got.shape != expected.shape:
        raise AssertionError(f"each point should have z0's shape {z0.shape}, yours "
                             f"{got.shape[1:]}")
    if not close(got[0], z0, 1e-5) or not close(got[-1], z1, 1e-5):
        raise AssertionError("t = 0 must give z0 and t = 1 must give z1")
    if not close(got, expected, 1e-4):
        raise AssertionError("the end points are right, the path is not: is the angle between z0 "
                             "and z1 computed from their normalised dot product?")
    norms = np.linalg.norm(got, axis=1)
    ok(f"the same path as gan_lib's interpolate_latents; norms along it stay between "
       f"{norms.min():.1f} and {norms.max():.1f} (a straight line dips to "
       f"{np.linalg.norm((z0 + z1) / 2):.1f} half-way).")
    return fn


# ------------------------------------------------------------- notebook 06: the alpha curve
def solution_alpha_curve(real, fake, levels):
    import numpy as np

    real, fake = np.asarray(real, float), np.asarray(fake, float)
    centre = real.mean(axis=0)
    radii = np.quantile(np.linalg.norm(real - centre, axis=1), levels)
    distance = np.linalg.norm(fake - centre, axis=1)
    return np.array([(distance <= r).mean() for r in radii])


@graded("alpha_curve")
def check_alpha_curve(fn):
    """Notebook 06: fraction of generated points inside each a-support of the real points."""
    rng = np.random.default_rng(0)
    real = rng.normal(size=(2000, 2))
    levels = np.linspace(0, 1, 11)
    if not attempted(fn(real, real, levels)):
        fn = solution_alpha_curve
    cases = {"a copy of the real points": real, "points shrunk towards the centre": 0.3 * real,
             "points far away": real + 10.0}
    for name, fake in cases.items():
        got = np.asarray(fn(real, fake, levels), float)
        expected = solution_alpha_curve(real, fake, levels)
        if got.shape != expected.shape or not close(got, expected, 1e-9):
            raise AssertionError(f"for {name} expected {np.round(expected, 2).tolist()}, got "
                                 f"{np.round(got, 2).tolist()}: is the centre the mean of the "
                                 "*real* points, and the radius a quantile of *their* distances?")
    ok("the diagonal for a copy of the data, above it for points bunched at the centre "
       "(too typical), zero for points outside every support.")
    return fn


# ------------------------------------------------------------- notebook 09: sharpness
def solution_sharpness(images):
    import numpy as np

    x = np.asarray(images, np.float64) / 255.0
    return float(np.abs(np.diff(x, axis=2)).mean() + np.abs(np.diff(x, axis=1)).mean())


@graded("sharpness")
def check_sharpness(fn):
    """Notebook 09: neighbour differences, compared with gan_lib.metrics.mean_gradient_magnitude."""
    from gan_lib.metrics import mean_gradient_magnitude

    rng = np.random.default_rng(0)
    sharp = rng.integers(0, 256, size=(8, 28, 28, 1), dtype=np.uint8)
    if not attempted(fn(sharp)):
        fn = solution_sharpness
    flat = np.full((2, 28, 28, 1), 77, np.uint8)
    stripes = np.zeros((1, 4, 4, 1), np.uint8)
    stripes[:, :, ::2] = 255                       # vertical stripes: every horizontal step is 1
    cases = {"a flat grey image": (flat, 0.0), "vertical stripes": (stripes, 1.0),
             "noise": (sharp, mean_gradient_magnitude(sharp))}
    for name, (images, expected) in cases.items():
        got = fn(images)
        if not close(got, expected, 1e-9):
            raise AssertionError(f"for {name} expected {expected:.4f}, got {float(got):.4f}: "
                                 "convert to float first (uint8 differences wrap around), divide "
                                 "by 255, and add the horizontal and the vertical means")
    ok(f"0 for a flat image, 1 for black-white stripes, {cases['noise'][1]:.3f} for noise.")
    return fn
