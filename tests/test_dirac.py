"""The Dirac-GAN (gan_lib.course.dirac) against closed forms and hand computations.

Every number is derived on paper here, independently of the module: the derivatives of f, the
linear maps of the bilinear game and their powers, the conserved quantities, the eigenvalues
of Mescheder et al. (2018), Section 2.2 and the R1 lemma. Pure NumPy: the file runs in
about a second.
"""
import math

import numpy as np
import pytest

from gan_lib.course import dirac

POINTS = [(1.0, 2.0), (-0.7, 0.3), (0.25, -1.5), (2.0, 2.0), (-1.2, -0.8)]


def central_difference(fn, x, eps=1e-5):
    return (fn(x + eps) - fn(x - eps)) / (2 * eps)


def rotation(angle):
    return np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])


# f and the game -------------------------------------------------------------------------------


def test_gan_f_and_its_derivatives_by_hand():
    f, df, d2f = dirac.f_functions("gan")
    assert f(0.0) == pytest.approx(-math.log(2), abs=1e-15)
    assert df(0.0) == 0.5 and dirac.f_prime_at_zero("gan") == 0.5
    assert d2f(0.0) == -0.25
    for t in (-3.0, -0.4, 0.0, 1.3, 5.0):
        assert df(t) == pytest.approx(1 / (1 + math.exp(t)), rel=1e-14)
        assert float(central_difference(f, t)) == pytest.approx(float(df(t)), abs=1e-10)
        assert float(central_difference(df, t)) == pytest.approx(float(d2f(t)), abs=1e-10)
    # Far in the tails, no overflow: f(t) -> t for t -> -inf, f'(t) -> 1.
    assert f(-800.0) == pytest.approx(-800.0, rel=1e-15) and df(-800.0) == 1.0


def test_wgan_f_is_the_identity():
    f, df, d2f = dirac.f_functions("wgan")
    t = np.array([-2.0, 0.0, 3.5])
    np.testing.assert_array_equal(f(t), t)
    np.testing.assert_array_equal(df(t), 1.0)
    np.testing.assert_array_equal(d2f(t), 0.0)


def test_objective_and_r1_by_hand():
    # L(1, 2) = f(2) + f(0) = -log(1 + e^-2) - log 2; R1 = gamma/2 psi^2.
    assert dirac.objective(1.0, 2.0) == pytest.approx(-math.log1p(math.exp(-2)) - math.log(2),
                                                      rel=1e-15)
    assert dirac.objective(1.5, -2.0, f="wgan") == -3.0
    assert dirac.r1_penalty(2.0, gamma=0.3) == pytest.approx(0.6, rel=1e-15)
    assert dirac.d_objective(1.5, -2.0, 0.3, "wgan") == pytest.approx(-3.6, rel=1e-15)


def test_vector_field_by_hand():
    # At (theta, psi) = (1, 2): t = 2, f'(2) = 1 / (1 + e^2).
    s = 1 / (1 + math.exp(2))
    v_theta, v_psi = dirac.vector_field(1.0, 2.0, gamma=0.3)
    assert v_theta == pytest.approx(-2 * s, rel=1e-14)
    assert v_psi == pytest.approx(s - 0.6, rel=1e-14)
    assert dirac.vector_field(1.5, -2.0, 0.3, "wgan") == (2.0, pytest.approx(2.1, rel=1e-15))


@pytest.mark.parametrize("f", ["gan", "wgan"])
@pytest.mark.parametrize("gamma", [0.0, 0.7])
def test_vector_field_is_the_players_gradients(f, gamma):
    """v = (-dL/dtheta, d(L - R1)/dpsi): compare with central differences of the objectives."""
    for theta, psi in POINTS:
        g_grad = central_difference(lambda x: dirac.objective(x, psi, f), theta)
        d_grad = central_difference(lambda y: dirac.d_objective(theta, y, gamma, f), psi)
        v_theta, v_psi = dirac.vector_field(theta, psi, gamma, f)
        assert v_theta == pytest.approx(-g_grad, abs=1e-9)
        assert v_psi == pytest.approx(d_grad, abs=1e-9)


@pytest.mark.parametrize("f", ["gan", "wgan"])
def test_field_is_orthogonal_to_the_position(f):
    """theta v_theta + psi v_psi = -gamma psi^2: zero without the penalty, so the flow circles."""
    grid_theta, grid_psi, u, v = dirac.vector_field_grid(lim=3.0, n=31, gamma=0.0, f=f)
    np.testing.assert_allclose(grid_theta * u + grid_psi * v, 0.0, atol=1e-15)
    grid_theta, grid_psi, u, v = dirac.vector_field_grid(lim=3.0, n=31, gamma=0.4, f=f)
    np.testing.assert_allclose(grid_theta * u + grid_psi * v, -0.4 * grid_psi**2, atol=1e-14)


def test_grid_layout_is_theta_along_x():
    grid_theta, grid_psi, u, v = dirac.vector_field_grid(lim=2.0, n=5, gamma=0.1)
    assert grid_theta.shape == (5, 5)
    np.testing.assert_array_equal(grid_theta[0], [-2.0, -1.0, 0.0, 1.0, 2.0])
    np.testing.assert_array_equal(grid_psi[:, 0], [-2.0, -1.0, 0.0, 1.0, 2.0])
    assert (u[1, 3], v[1, 3]) == dirac.vector_field(1.0, -1.0, 0.1)


# Jacobians and eigenvalues --------------------------------------------------------------------


def numerical_jacobian(fn, x, eps=1e-6):
    """Central differences of a map R^2 -> R^2, column j = d fn / d x_j."""
    cols = []
    for j in range(2):
        e = np.zeros(2)
        e[j] = eps
        cols.append((np.array(fn(*(x + e))) - np.array(fn(*(x - e)))) / (2 * eps))
    return np.stack(cols, axis=1)


@pytest.mark.parametrize("f", ["gan", "wgan"])
@pytest.mark.parametrize("gamma", [0.0, 0.3])
def test_jacobian_matches_finite_differences(f, gamma):
    for point in POINTS + [(0.0, 0.0)]:
        numeric = numerical_jacobian(lambda a, b: dirac.vector_field(a, b, gamma, f),
                                     np.array(point))
        np.testing.assert_allclose(dirac.jacobian(*point, gamma, f), numeric, atol=1e-9)


@pytest.mark.parametrize("gamma", [0.0, 0.3, 1.0, 1.5])
def test_equilibrium_jacobian_and_its_eigenvalues(gamma):
    """J(0, 0) = [[0, -f'(0)], [f'(0), -gamma]] with f'(0) = 1/2; eigenvalues
    -gamma/2 +- sqrt(gamma^2/4 - 1/4), checked against numpy on the finite-difference J."""
    np.testing.assert_array_equal(dirac.equilibrium_jacobian(gamma), [[0, -0.5], [0.5, -gamma]])
    numeric = numerical_jacobian(lambda a, b: dirac.vector_field(a, b, gamma), np.zeros(2))
    expected = np.sort_complex(np.linalg.eigvals(numeric))
    np.testing.assert_allclose(np.sort_complex(dirac.equilibrium_eigenvalues(gamma)), expected,
                               atol=1e-7)
    by_hand = -gamma / 2 + np.array([1, -1]) * np.sqrt(complex(gamma**2 / 4 - 0.25))
    np.testing.assert_allclose(dirac.equilibrium_eigenvalues(gamma), by_hand, atol=1e-15)


def test_eigenvalue_regimes():
    # Lemma 2.2: +- i f'(0) on the imaginary axis.
    np.testing.assert_array_equal(dirac.equilibrium_eigenvalues(0.0), [0.5j, -0.5j])
    np.testing.assert_array_equal(dirac.equilibrium_eigenvalues(0.0, "wgan"), [1j, -1j])
    # R1: real part -gamma/2 < 0; the critical gamma = 2 f'(0) = 1 gives -1/2 twice.
    assert np.all(dirac.equilibrium_eigenvalues(0.3).real == -0.15)
    np.testing.assert_array_equal(dirac.equilibrium_eigenvalues(1.0), [-0.5, -0.5])
    np.testing.assert_allclose(dirac.equilibrium_eigenvalues(1.5), [-0.75 + math.sqrt(0.3125),
                                                                  -0.75 - math.sqrt(0.3125)])


# Discrete updates: hand steps, closed forms, conserved quantities -----------------------------


def test_one_step_by_hand():
    # Bilinear, h = 1/2, from (1, 1). Simultaneous: (1 - 1/2, 1 + 1/2).
    assert dirac.step(1.0, 1.0, 0.5, "simultaneous", f="wgan") == (0.5, 1.5)
    # Alternating, D first: psi' = 1 + 1/2 * 1 = 3/2, then theta' = 1 - 1/2 * 3/2 = 1/4.
    assert dirac.step(1.0, 1.0, 0.5, "alternating", f="wgan") == (0.25, 1.5)
    # With gamma = 0.4: psi' = 1 + 0.5 * (1 - 0.4) = 1.3, theta' = 1 - 0.5 * 1.3 = 0.35.
    theta, psi = dirac.step(1.0, 1.0, 0.5, "alternating", gamma=0.4, f="wgan")
    assert (theta, psi) == (pytest.approx(0.35, abs=1e-15), pytest.approx(1.3, abs=1e-15))
    path = dirac.trajectory(1.0, 1.0, 1, 0.5, "alternating", 0.4, "wgan")
    np.testing.assert_array_equal(path, [[1.0, 1.0], [theta, psi]])


@pytest.mark.parametrize("lr", [0.05, 0.3, 1.0])
def test_simultaneous_bilinear_is_a_scaled_rotation(lr):
    """x_{k+1} = [[1, -h], [h, 1]] x_k = sqrt(1 + h^2) R(atan h) x_k, so
    x_k = (1 + h^2)^(k/2) R(k atan h) x_0: the norm grows by exactly sqrt(1 + h^2) a step."""
    x0, steps = np.array([0.8, -0.3]), 60
    path = dirac.trajectory(*x0, steps, lr, "simultaneous", f="wgan")
    for k in range(steps + 1):
        polar = (1 + lr**2) ** (k / 2) * rotation(k * math.atan(lr)) @ x0
        power = np.linalg.matrix_power(np.array([[1, -lr], [lr, 1.0]]), k) @ x0
        np.testing.assert_allclose(path[k], polar, rtol=1e-12, atol=1e-13)
        np.testing.assert_allclose(path[k], power, rtol=1e-12, atol=1e-13)
    norms = np.hypot(path[:, 0], path[:, 1])
    np.testing.assert_allclose(norms[1:] / norms[:-1], math.sqrt(1 + lr**2), rtol=1e-12)


def test_simultaneous_gan_norm_grows_exactly_each_step():
    """Lemma 2.4 beyond linearisation: the step h v(x) is orthogonal to x, so
    |x_{k+1}|^2 = |x_k|^2 (1 + h^2 f'(theta_k psi_k)^2) > |x_k|^2, for any h > 0."""
    lr = 0.2
    path = dirac.trajectory(1.0, 1.0, 500, lr, "simultaneous")
    sq = (path**2).sum(axis=1)
    slope = 1 / (1 + np.exp(path[:-1, 0] * path[:-1, 1]))
    np.testing.assert_allclose(sq[1:] / sq[:-1], 1 + lr**2 * slope**2, rtol=1e-13)
    assert np.all(np.diff(sq) > 0)


@pytest.mark.parametrize("lr", [0.1, 0.7, 1.9])
def test_alternating_bilinear_conserves_an_ellipse(lr):
    """psi' = psi + h theta, theta' = theta - h psi' conserves Q = theta^2 + psi^2 + h theta psi.

    By hand, for Q_a = theta^2 + psi^2 + a theta psi: substituting psi = psi' - h theta and
    theta' = theta - h psi' gives Q_a(theta, psi) - Q_a(theta', psi') = (h^2 - a h)(theta^2 -
    psi'^2), which vanishes for every point iff a = h. Hence also det M = 1 (area preserved)."""
    path = dirac.trajectory(0.6, 1.1, 1000, lr, "alternating", f="wgan")
    q = path[:, 0] ** 2 + path[:, 1] ** 2 + lr * path[:, 0] * path[:, 1]
    np.testing.assert_allclose(q, q[0], rtol=1e-12)
    assert np.linalg.det(dirac.update_jacobian(lr, "alternating", f="wgan")) == pytest.approx(
        1.0, abs=1e-15)


def test_alternating_bilinear_matrix_power_in_closed_form():
    """M = [[1 - h^2, -h], [h, 1]] has det 1 and trace 2 cos(w), cos(w) = 1 - h^2/2; by
    Cayley-Hamilton, M^k = (sin(k w) M - sin((k - 1) w) I) / sin(w)."""
    lr, x0 = 0.4, np.array([1.0, -0.5])
    m = np.array([[1 - lr**2, -lr], [lr, 1.0]])
    np.testing.assert_allclose(dirac.update_jacobian(lr, "alternating", f="wgan"), m,
                               atol=1e-16)
    w = math.acos(1 - lr**2 / 2)
    path = dirac.trajectory(*x0, 200, lr, "alternating", f="wgan")
    for k in range(201):
        mk = (math.sin(k * w) * m - math.sin((k - 1) * w) * np.eye(2)) / math.sin(w)
        np.testing.assert_allclose(path[k], mk @ x0, rtol=1e-11, atol=1e-12)


@pytest.mark.parametrize("f", ["gan", "wgan"])
@pytest.mark.parametrize("update", dirac.UPDATES)
@pytest.mark.parametrize("gamma", [0.0, 0.3])
def test_update_jacobian_is_the_derivative_of_one_step(f, update, gamma):
    lr = 0.35
    numeric = numerical_jacobian(lambda a, b: dirac.step(a, b, lr, update, gamma, f), np.zeros(2))
    np.testing.assert_allclose(dirac.update_jacobian(lr, update, gamma, f), numeric, atol=1e-9)
    np.testing.assert_allclose(np.sort_complex(dirac.update_eigenvalues(lr, update, gamma, f)),
                               np.sort_complex(np.linalg.eigvals(numeric)), atol=1e-8)


def test_update_eigenvalues_lemmas():
    c = 0.5
    for lr in (0.2, 1.0, 3.0):
        # Lemma 2.4: 1 +- i h f'(0), modulus sqrt(1 + h^2 f'(0)^2) > 1 for every h.
        np.testing.assert_allclose(dirac.update_eigenvalues(lr), [1 + 0.5j * lr, 1 - 0.5j * lr])
        assert dirac.spectral_radius(lr) == pytest.approx(math.sqrt(1 + (lr * c) ** 2), 1e-15)
    for lr in (0.2, 1.0, 3.9):
        # Lemma 2.5: alpha = h f'(0) <= 2, both eigenvalues on the unit circle.
        np.testing.assert_allclose(np.abs(dirac.update_eigenvalues(lr, "alternating")), 1.0,
                                   rtol=1e-14)
    # alpha = 2.5 > 2: 1 - alpha^2/2 = -2.125, sqrt(2.125^2 - 1) = 1.875: eigenvalues -4 and -1/4.
    np.testing.assert_allclose(dirac.update_eigenvalues(5.0, "alternating"), [-0.25, -4.0],
                               rtol=1e-14)


def test_update_eigenvalues_with_r1():
    """det(I + hJ) = 1 - h gamma + h^2 c^2 and det(G D) = det(D) = 1 - h gamma: for complex
    eigenvalues |mu|^2 is the determinant."""
    lr, gamma = 0.2, 0.3
    assert dirac.spectral_radius(lr, "simultaneous", gamma) == pytest.approx(math.sqrt(0.95),
                                                                            rel=1e-14)
    assert dirac.spectral_radius(lr, "alternating", gamma) == pytest.approx(math.sqrt(0.94),
                                                                           rel=1e-14)
    # Bilinear, simultaneous with R1 converges iff h < gamma / c^2: |mu|^2 = 1 - 0.3 h + h^2.
    assert dirac.spectral_radius(0.29, "simultaneous", 0.3, "wgan") < 1
    assert dirac.spectral_radius(0.31, "simultaneous", 0.3, "wgan") > 1


# Behaviour of the four settings ----------------------------------------------------------------


def test_r1_converges_at_the_predicted_linear_rate():
    """Near (0, 0) the GAN iterates contract by the spectral radius per step: geometric mean
    over the last 200 of 600 steps, against sqrt(0.95) and sqrt(0.94)."""
    for update, rho in (("simultaneous", math.sqrt(0.95)), ("alternating", math.sqrt(0.94))):
        path = dirac.trajectory(1.0, 1.0, 600, 0.2, update, gamma=0.3)
        norms = np.hypot(path[:, 0], path[:, 1])
        assert norms[-1] < 1e-6
        assert (norms[-1] / norms[-201]) ** (1 / 200) == pytest.approx(rho, abs=1e-3)


def test_without_penalty_alternating_stays_near_its_start_radius():
    """Alternating GAN, h f'(0) = 0.1: the eigenvalues are on the unit circle and the linearised
    map conserves theta^2 + psi^2 + 0.1 theta psi; over 2000 steps the radius stays within 6%."""
    path = dirac.trajectory(1.0, 1.0, 2000, 0.2, "alternating")
    ratio = np.hypot(path[:, 0], path[:, 1]) / math.sqrt(2)
    assert 0.94 < ratio.min() and ratio.max() < 1.06


# The continuous-time flow ----------------------------------------------------------------------


def test_bilinear_flow_is_a_rotation():
    """dx/dt = [[0, -1], [1, 0]] x: x(t) = R(t) x0 exactly; RK4 with dt = 0.01 to 1e-9."""
    x0 = np.array([1.0, 0.5])
    path = dirac.flow(*x0, t_end=10.0, steps=1000, f="wgan")
    for k in (0, 250, 1000):
        np.testing.assert_allclose(path[k], rotation(k * 0.01) @ x0, atol=1e-9)


def test_gan_flow_stays_on_its_circle():
    """Lemma 2.3: theta(t)^2 + psi(t)^2 = const along every integral curve."""
    path = dirac.flow(1.0, 1.0, t_end=30.0, steps=3000)
    np.testing.assert_allclose((path**2).sum(axis=1), 2.0, rtol=1e-9)
    assert np.ptp(path[:, 0]) > 2.5  # it does move: round the circle, not stuck


def test_bilinear_flow_with_r1_matches_the_matrix_exponential():
    """x(t) = V exp(t Lambda) V^-1 x0 for A = [[0, -1], [1, -gamma]] (eigendecomposition)."""
    gamma, x0 = 0.5, np.array([1.0, 1.0])
    a = np.array([[0.0, -1.0], [1.0, -gamma]])
    lam, vec = np.linalg.eig(a)
    path = dirac.flow(*x0, t_end=5.0, steps=500, gamma=gamma, f="wgan")
    exact = (vec @ np.diag(np.exp(5.0 * lam)) @ np.linalg.solve(vec, x0)).real
    np.testing.assert_allclose(path[-1], exact, atol=1e-9)


def test_steps_approach_the_flow_at_first_order():
    """Simultaneous steps of size T/N approximate the flow with error ~ 1/N (Euler)."""
    target = rotation(1.0) @ np.array([1.0, 0.0])
    errors = [np.linalg.norm(dirac.trajectory(1.0, 0.0, n, 1.0 / n, f="wgan")[-1] - target)
              for n in (100, 200, 400)]
    assert errors[0] / errors[1] == pytest.approx(2.0, rel=0.02)
    assert errors[1] / errors[2] == pytest.approx(2.0, rel=0.02)


# Summary and figure ----------------------------------------------------------------------------


def test_summary_numbers():
    s = dirac.summary()
    assert [(r.update, r.gamma) for r in s.results] == [
        ("simultaneous", 0.0), ("alternating", 0.0), ("simultaneous", 0.3), ("alternating", 0.3)]
    for r in s.results:
        path = dirac.trajectory(1.0, 1.0, 500, 0.2, r.update, r.gamma)
        assert r.distance_start == math.sqrt(2)
        assert r.distance_end == np.hypot(*path[-1]) == s.distance(r.update, r.gamma)
    rhos = [r.spectral_radius for r in s.results]
    np.testing.assert_allclose(rhos, np.sqrt([1.01, 1.0, 0.95, 0.94]), rtol=1e-14)
    assert s.distance("simultaneous", 0.0) > 2 * math.sqrt(2)
    assert s.distance("simultaneous", 0.3) < 1e-5 and s.distance("alternating", 0.3) < 1e-5
    text = str(s)
    assert "simultaneous, gamma = 0.3" in text and "0 +/- 0.5i" in text
    with pytest.raises(KeyError):
        s.distance("alternating", 0.7)


def test_plot_draws_the_four_trajectories():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = dirac.plot_four_settings(steps=100)
    try:
        axes = fig.axes
        titles = [ax.get_title() for ax in axes if ax.get_title()]
        assert len(titles) == 4
        assert titles[0].startswith("simultaneous GD, gamma = 0: moves away")
        assert titles[1].startswith("simultaneous GD, gamma = 0.3: converges")
        assert titles[3].startswith("alternating GD, gamma = 0.3: converges")
        assert "neither converges nor diverges" in titles[2]
        line = [ln for ln in axes[2].get_lines() if ln.get_label() == "iterates"][0]
        np.testing.assert_array_equal(np.column_stack(line.get_data()),
                                      dirac.trajectory(1.0, 1.0, 100, 0.2, "alternating"))
    finally:
        plt.close(fig)


def test_bad_names_are_refused():
    with pytest.raises(ValueError, match="update must be one of"):
        dirac.trajectory(1.0, 1.0, 3, 0.1, update="gauss-seidel")
    with pytest.raises(ValueError, match="f must be one of"):
        dirac.vector_field(1.0, 1.0, f="hinge")
