"""Notebook 10's exercise: VEEGAN's and PacGAN's two numbers for a run on a mixture of Gaussians,
the modes covered and the share of high-quality samples."""
from __future__ import annotations

import numpy as np

from gan_lib.course.exercises.measures import close
from gan_lib.course.exercises.verdict import attempted, graded, ok


def solution_covered_modes(points, means, std):
    import numpy as np

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


def _check_pair(got, name, expected, hint) -> None:
    if not (isinstance(got, tuple) and len(got) == 2):
        raise AssertionError(f"return a pair (modes covered, high-quality share), got {got!r}")
    if int(got[0]) != expected[0]:
        raise AssertionError(f"for {name} (ring8, std 0.01) expected {expected[0]} modes, "
                             f"got {got[0]}: {hint}")
    if not close(got[1], expected[1], 1e-9):
        raise AssertionError(f"for {name} expected a high-quality share of {expected[1]}, got "
                             f"{float(got[1]):.3f}: the share is the fraction of all samples "
                             "(0 to 1) within 3 standard deviations of their nearest mode")


@graded("covered_modes")
def check_covered_modes(fn):
    """Notebook 10: ``fn(points, means, std) -> (modes covered, high-quality share)``, VEEGAN's
    and PacGAN's metrics, against hand-made cases and ``gan_lib.modes.mode_coverage``."""
    from gan_lib import modes

    real = modes.ring8(2500, rng=0)
    if not attempted(fn(real, modes.RING8_MEANS, modes.RING8_STD)):
        fn = solution_covered_modes
    for name, points, expected, hint in _mode_cases():
        _check_pair(fn(points, modes.RING8_MEANS, modes.RING8_STD), name, expected, hint)
    for label, points, means, std in (("ring8", real, modes.RING8_MEANS, modes.RING8_STD),
                                      ("grid25", modes.grid25(2500, rng=1), modes.GRID25_MEANS,
                                       modes.GRID25_STD)):
        want = modes.mode_coverage(points, means, std)
        got = fn(points, means, std)
        if int(got[0]) != want["modes"] or not close(got[1], want["high_quality"], 1e-9):
            raise AssertionError(f"on 2,500 real {label} points expected ({want['modes']}, "
                                 f"{want['high_quality']:.4f}), got ({got[0]}, {float(got[1]):.4f})"
                                 ": the share is a fraction of all samples (not a percentage), "
                                 "and the std is the one passed in")
    share = modes.mode_coverage(real, modes.RING8_MEANS, modes.RING8_STD)["high_quality"]
    ok(f"2,500 real ring points score (8, {share:.4f}): every mode, and about 1 - exp(-9/2) = "
       "0.9889 of the samples within 3 standard deviations of theirs.")
    return fn
