"""The Dirac-GAN: why GAN training oscillates, exactly, in two parameters.

Mescheder, Geiger & Nowozin (2018), "Which Training Methods for GANs do actually Converge?"
(ICML; arXiv:1801.04406), Section 2.2, build the smallest GAN that shows the problem:

* the data distribution is a Dirac at 0, p_D = δ_0;
* the generator is a Dirac at its one parameter θ, p_θ = δ_θ;
* the discriminator is linear in x with one parameter ψ, D_ψ(x) = ψ·x.

The paper writes every GAN objective as ``L(θ, ψ) = E_{p_θ}[f(D_ψ(x))] + E_{p_D}[f(-D_ψ(x))]``,
which here is

    L(θ, ψ) = f(ψθ) + f(0),

with f(t) = -log(1 + exp(-t)) for the standard GAN (``f="gan"``) and f(t) = t for the bilinear,
WGAN-like game (``f="wgan"``; the paper's WGAN also clips ψ, which this module does not). D
ascends L in ψ, G descends it in θ. The unique equilibrium is θ = ψ = 0: the generator sits on
the data and the discriminator is flat. The question is whether gradient steps get there.

**The gradient vector field.** Both players follow their own gradient, so the training dynamics
are the field (the paper's v, with the gradient penalty of its Sections 3 and 4.1)

    v(θ, ψ) = ( -∂L/∂θ,  ∂L/∂ψ - ∂R1/∂ψ ) = ( -ψ f'(ψθ),  θ f'(ψθ) - γψ ).

R1 is the zero-centred gradient penalty on real data, R1(ψ) = γ/2 E_{p_D}[|∇_x D_ψ(x)|²]; since
∇_x (ψx) = ψ for every x, R1(ψ) = γ/2 ψ², subtracted from D's objective.

**Why it circles.** With γ = 0, v is orthogonal to the position: θ v_θ + ψ v_ψ = 0. So the
continuous flow keeps θ² + ψ² constant and runs round circles for ever (the paper's Lemma 2.3).
At the equilibrium its Jacobian is [[0, -f'(0)], [f'(0), -γ]], with eigenvalues
-γ/2 ± sqrt(γ²/4 - f'(0)²): ± i f'(0) on the imaginary axis for γ = 0 (Lemma 2.2), strictly
negative real part -γ/2 for any γ > 0 (the zero-centred gradient-penalty lemma, Section 3).

**Discrete steps.** Training takes steps of size h (``lr``):

* *simultaneous*: x_{k+1} = x_k + h v(x_k). With γ = 0 each step multiplies the radius by
  sqrt(1 + h² f'(ψθ)²) > 1, exactly (the step is orthogonal to x): it spirals outwards for every
  h > 0 (Lemma 2.4: eigenvalues 1 ± i h f'(0), modulus sqrt(1 + h² f'(0)²)).
* *alternating*: D steps first, then G steps through the updated D. Linearised, each step is a
  product of two shears, determinant 1: both eigenvalues lie on the unit circle while
  α = h f'(0) <= 2 (Lemma 2.5), and for α < 2 the linear iterates run round a closed ellipse,
  neither converging nor diverging.
* with R1 (γ > 0) both converge for small enough h. While the step's eigenvalues μ are complex,
  |μ|² is its determinant: 1 - hγ + h² f'(0)² simultaneous, 1 - hγ alternating.

Everything is plain NumPy, so it runs in milliseconds::

    from gan_lib.course import dirac
    print(dirac.summary())           # distances from (0, 0) for the four settings
    fig = dirac.plot_four_settings()  # the vector fields and the four trajectories

See docs/dirac_gan.md for the experiment and its numbers.
"""
from __future__ import annotations

import dataclasses

import numpy as np

UPDATES = ("simultaneous", "alternating")


# f and its first two derivatives ------------------------------------------------------------


def _gan_f(t):
    """f(t) = -log(1 + e^{-t}) = log sigmoid(t), computed as -logaddexp(0, -t) (no overflow)."""
    return -np.logaddexp(0.0, -np.asarray(t, float))


def _gan_df(t):
    """f'(t) = 1 / (1 + e^t) = sigmoid(-t) = (1 - tanh(t/2)) / 2; f'(0) = 1/2."""
    return 0.5 * (1.0 - np.tanh(0.5 * np.asarray(t, float)))


def _gan_d2f(t):
    """f''(t) = -sigmoid(t) sigmoid(-t) = -(1 - tanh²(t/2)) / 4; f''(0) = -1/4."""
    return -0.25 * (1.0 - np.tanh(0.5 * np.asarray(t, float)) ** 2)


def _wgan_f(t):
    return np.asarray(t, float)


def _wgan_df(t):
    return np.ones_like(np.asarray(t, float))


def _wgan_d2f(t):
    return np.zeros_like(np.asarray(t, float))


_F = {"gan": (_gan_f, _gan_df, _gan_d2f), "wgan": (_wgan_f, _wgan_df, _wgan_d2f)}


def f_functions(f="gan"):
    """(f, f', f'') for ``f="gan"`` (f(t) = -log(1 + e^{-t})) or ``f="wgan"`` (f(t) = t)."""
    if f not in _F:
        raise ValueError(f"f must be one of {sorted(_F)}, got {f!r}")
    return _F[f]


def f_prime_at_zero(f="gan") -> float:
    """f'(0): 1/2 for the GAN, 1 for the bilinear game. It sets the speed of rotation."""
    return float(f_functions(f)[1](0.0))


# The game ------------------------------------------------------------------------------------


def objective(theta, psi, f="gan"):
    """L(θ, ψ) = f(D_ψ(θ)) + f(-D_ψ(0)) = f(ψθ) + f(0): what G minimises."""
    fn = f_functions(f)[0]
    return fn(np.asarray(psi, float) * np.asarray(theta, float)) + fn(0.0)


def r1_penalty(psi, gamma=0.0):
    """R1(ψ) = γ/2 E_{p_D}|∇_x D_ψ(x)|² = γ/2 ψ², because ∇_x (ψx) = ψ at the data point 0."""
    return 0.5 * gamma * np.asarray(psi, float) ** 2


def d_objective(theta, psi, gamma=0.0, f="gan"):
    """What D maximises: L(θ, ψ) - R1(ψ)."""
    return objective(theta, psi, f) - r1_penalty(psi, gamma)


def vector_field(theta, psi, gamma=0.0, f="gan"):
    """v(θ, ψ) = (-∂L/∂θ, ∂(L - R1)/∂ψ) = (-ψ f'(ψθ), θ f'(ψθ) - γψ), by the chain rule.

    G descends L (hence the minus sign), D ascends L - R1. Broadcasts over arrays; returns the
    pair (v_θ, v_ψ).
    """
    theta, psi = np.asarray(theta, float), np.asarray(psi, float)
    slope = f_functions(f)[1](psi * theta)
    return -psi * slope, theta * slope - gamma * psi


def vector_field_grid(lim=2.0, n=21, gamma=0.0, f="gan"):
    """v on an n x n grid of [-lim, lim]², ready for ``quiver``/``streamplot``.

    Returns (Θ, Ψ, U, V) from ``np.meshgrid`` (θ along the x axis, ψ along the y axis).
    """
    axis = np.linspace(-lim, lim, n)
    grid_theta, grid_psi = np.meshgrid(axis, axis)
    u, v = vector_field(grid_theta, grid_psi, gamma, f)
    return grid_theta, grid_psi, u, v


def jacobian(theta, psi, gamma=0.0, f="gan"):
    """The Jacobian of v at (θ, ψ), differentiated by hand (t = ψθ):

        [[ -ψ² f''(t),           -f'(t) - ψθ f''(t) ],
         [  f'(t) + ψθ f''(t),    θ² f''(t) - γ     ]]
    """
    _, df, d2f = f_functions(f)
    t = float(psi) * float(theta)
    slope, curve = float(df(t)), float(d2f(t))
    return np.array([[-psi**2 * curve, -slope - t * curve],
                     [slope + t * curve, theta**2 * curve - gamma]], dtype=float)


def equilibrium_jacobian(gamma=0.0, f="gan"):
    """J at (0, 0): [[0, -f'(0)], [f'(0), -γ]] (paper, Lemma 2.2 and its R1 counterpart)."""
    return jacobian(0.0, 0.0, gamma, f)


def equilibrium_eigenvalues(gamma=0.0, f="gan"):
    """Eigenvalues of J at (0, 0): λ = -γ/2 ± sqrt(γ²/4 - f'(0)²), root of λ² + γλ + f'(0)².

    γ = 0: ±i f'(0), pure rotation. 0 < γ < 2 f'(0): a damped rotation with real part -γ/2.
    γ >= 2 f'(0) (the authors' "critical" penalty): two real negative eigenvalues, no rotation.
    Returned complex, the one with the larger imaginary (then real) part first.
    """
    c = f_prime_at_zero(f)
    root = np.sqrt(complex(gamma**2 / 4 - c**2))
    return np.array([-gamma / 2 + root, -gamma / 2 - root])


# Discrete training: one step, a trajectory, and its linearisation -----------------------------


def _check_update(update):
    if update not in UPDATES:
        raise ValueError(f"update must be one of {UPDATES}, got {update!r}")


def step(theta, psi, lr, update="simultaneous", gamma=0.0, f="gan"):
    """One training step from (θ, ψ); returns the new (θ, ψ).

    simultaneous: both players use the old point,
        θ' = θ + h v_θ(θ, ψ),   ψ' = ψ + h v_ψ(θ, ψ).
    alternating: D first, then G against the updated D,
        ψ' = ψ + h v_ψ(θ, ψ),   θ' = θ + h v_θ(θ, ψ').
    """
    _check_update(update)
    v_theta, v_psi = vector_field(theta, psi, gamma, f)
    if update == "simultaneous":
        return float(theta + lr * v_theta), float(psi + lr * v_psi)
    psi_new = float(psi + lr * v_psi)
    v_theta_new, _ = vector_field(theta, psi_new, gamma, f)
    return float(theta + lr * v_theta_new), psi_new


def trajectory(theta0, psi0, steps, lr, update="simultaneous", gamma=0.0, f="gan"):
    """The exact gradient iterates: array [steps + 1, 2] of (θ_k, ψ_k), row 0 the start.

    In the bilinear game (f(t) = t, γ = 0) both maps are linear and known in closed form:
    simultaneous is sqrt(1 + h²) times a rotation by atan(h); alternating conserves
    θ² + ψ² + hθψ exactly (an ellipse, for h < 2).
    """
    _check_update(update)
    points = np.empty((int(steps) + 1, 2))
    points[0] = theta0, psi0
    for k in range(int(steps)):
        points[k + 1] = step(points[k, 0], points[k, 1], lr, update, gamma, f)
    return points


def update_jacobian(lr, update="simultaneous", gamma=0.0, f="gan"):
    """The Jacobian of one training step at the equilibrium, with c = f'(0), h = lr:

    simultaneous: I + hJ = [[1, -hc], [hc, 1 - hγ]].
    alternating:  G·D with D = [[1, 0], [hc, 1 - hγ]] (D's step) and G = [[1, -hc], [0, 1]]
                  (G's step, through the new ψ): [[1 - h²c², -hc(1 - hγ)], [hc, 1 - hγ]].
    """
    _check_update(update)
    h, c = lr, f_prime_at_zero(f)
    if update == "simultaneous":
        return np.eye(2) + h * equilibrium_jacobian(gamma, f)
    d_step = np.array([[1.0, 0.0], [h * c, 1.0 - h * gamma]])
    g_step = np.array([[1.0, -h * c], [0.0, 1.0]])
    return g_step @ d_step


def update_eigenvalues(lr, update="simultaneous", gamma=0.0, f="gan"):
    """Eigenvalues μ of the step's Jacobian at (0, 0), in closed form (h = lr, c = f'(0)).

    simultaneous: μ = 1 + hλ for each eigenvalue λ of J (Lemma 2.4: 1 ± ihc when γ = 0).
    alternating: roots of μ² - τμ + δ with τ = 2 - h²c² - hγ and δ = 1 - hγ; for γ = 0 this is
    the paper's μ = 1 - α²/2 ± sqrt((1 - α²/2)² - 1), α = hc (Lemma 2.5, one step each).
    """
    _check_update(update)
    if update == "simultaneous":
        return 1.0 + lr * equilibrium_eigenvalues(gamma, f)
    h, c = lr, f_prime_at_zero(f)
    trace, det = 2.0 - (h * c) ** 2 - h * gamma, 1.0 - h * gamma
    root = np.sqrt(complex(trace**2 / 4 - det))
    return np.array([trace / 2 + root, trace / 2 - root])


def spectral_radius(lr, update="simultaneous", gamma=0.0, f="gan") -> float:
    """max |μ|: < 1 converges locally (linear rate), > 1 moves away, = 1 undecided."""
    return float(np.max(np.abs(update_eigenvalues(lr, update, gamma, f))))


# The continuous-time limit ------------------------------------------------------------------


def flow(theta0, psi0, t_end, steps=1000, gamma=0.0, f="gan"):
    """The gradient flow dx/dt = v(x) from (θ0, ψ0), by classical Runge-Kutta (RK4).

    The small-step limit of both updates. Returns [steps + 1, 2] at times t_end * k / steps.
    With γ = 0 it stays on the circle θ² + ψ² = θ0² + ψ0² (Lemma 2.3), up to RK4's O(dt⁴).
    """
    def v(x):
        return np.array(vector_field(x[0], x[1], gamma, f))

    dt = t_end / steps
    points = np.empty((int(steps) + 1, 2))
    points[0] = theta0, psi0
    for k in range(int(steps)):
        x = points[k]
        k1 = v(x)
        k2 = v(x + dt / 2 * k1)
        k3 = v(x + dt / 2 * k2)
        k4 = v(x + dt * k3)
        points[k + 1] = x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return points


# Summary numbers for a notebook -------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class SettingResult:
    """One of the four settings: where training ended and what linearisation predicts."""

    update: str
    gamma: float
    distance_start: float
    distance_end: float
    spectral_radius: float


@dataclasses.dataclass(frozen=True)
class Summary:
    """The four settings of :func:`summary`; ``print`` it for a table."""

    f: str
    theta0: float
    psi0: float
    lr: float
    steps: int
    gamma: float
    results: tuple

    def distance(self, update, gamma) -> float:
        """|x_N|, the distance from (0, 0) after the last step, for one setting."""
        for r in self.results:
            if r.update == update and r.gamma == gamma:
                return r.distance_end
        raise KeyError((update, gamma))

    def __str__(self):
        head = (f"Dirac-GAN, f = {self.f}, start (theta, psi) = ({self.theta0:g}, {self.psi0:g}),"
                f" lr = {self.lr:g}, {self.steps} steps")
        lines = [head, f"{'setting':<26}{'|x_0|':>9}{'|x_N|':>12}{'rho':>10}"]
        for r in self.results:
            name = f"{r.update}, gamma = {r.gamma:g}"
            lines.append(f"{name:<26}{r.distance_start:>9.4f}{r.distance_end:>12.4g}"
                         f"{r.spectral_radius:>10.6f}")
        for g in (0.0, self.gamma):
            lam = equilibrium_eigenvalues(g, self.f)[0]
            lines.append(f"eigenvalues of J at (0, 0), gamma = {g:g}: "
                         f"{lam.real:.4g} +/- {abs(lam.imag):.4g}i")
        lines.append("rho: spectral radius of one step's Jacobian at (0, 0) (< 1: converges)")
        return "\n".join(lines)


def summary(theta0=1.0, psi0=1.0, steps=500, lr=0.2, gamma=0.3, f="gan") -> Summary:
    """Distance from the equilibrium after ``steps`` steps for simultaneous/alternating updates
    with γ = 0 and with R1 weight ``gamma``. Defaults: the authors' notebook (start (1, 1),
    h = 0.2, 500 steps, penalty 0.3)."""
    results = []
    for g in (0.0, float(gamma)):
        for update in UPDATES:
            path = trajectory(theta0, psi0, steps, lr, update, g, f)
            results.append(SettingResult(update, g, float(np.hypot(*path[0])),
                                         float(np.hypot(*path[-1])),
                                         spectral_radius(lr, update, g, f)))
    return Summary(f, float(theta0), float(psi0), float(lr), int(steps), float(gamma),
                   tuple(results))


# The picture --------------------------------------------------------------------------------


def _verdict(distance_start, distance_end):
    ratio = distance_end / distance_start
    if ratio > 1.1:
        return "moves away from (0, 0)"
    if ratio < 0.1:
        return "converges to (0, 0)"
    return "neither converges nor diverges"


def plot_four_settings(theta0=1.0, psi0=1.0, steps=500, lr=0.2, gamma=0.3, f="gan"):
    """2 x 2 figure: rows simultaneous/alternating, columns γ = 0 / γ = ``gamma``; each panel
    the field v (streamlines), the trajectory from (θ0, ψ0) and the equilibrium. Returns it."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(10, 10))
    for col, g in enumerate((0.0, float(gamma))):
        for row, update in enumerate(UPDATES):
            path = trajectory(theta0, psi0, steps, lr, update, g, f)
            _draw_panel(axes[row, col], path, update, g, f)
    fig.suptitle(f"Dirac-GAN (Mescheder et al., 2018), f = {f}, lr = {lr:g}: "
                 f"G = delta_theta, D(x) = psi x, data = delta_0")
    fig.tight_layout()
    return fig


def _draw_panel(ax, path, update, gamma, f):
    lim = max(2.0, 1.1 * float(np.max(np.abs(path))))
    grid = vector_field_grid(lim, 25, gamma, f)
    ax.streamplot(*grid, color="0.75", density=1.0, linewidth=0.8)
    ax.plot(path[:, 0], path[:, 1], "-", color="C0", lw=1.2, label="iterates")
    ax.plot(path[0, 0], path[0, 1], "o", color="C1", label="start")
    ax.plot(0.0, 0.0, "*", color="C3", ms=12, label="equilibrium (0, 0)")
    start, end = np.hypot(*path[0]), np.hypot(*path[-1])
    ax.set_title(f"{update} GD, gamma = {gamma:g}: {_verdict(start, end)}\n"
                 f"|x| from {start:.3g} to {end:.3g} in {len(path) - 1} steps")
    ax.set_xlabel("theta (generator)")
    ax.set_ylabel("psi (discriminator)")
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.legend(loc="lower left", fontsize=8)


if __name__ == "__main__":
    print(summary())
