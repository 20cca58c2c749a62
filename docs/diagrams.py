"""Draw the course's diagrams (pictures of mechanisms, not of results; no numbers in them).

    python docs/diagrams.py        # writes docs/images/alternating_step.png

The alternating step (notebook 01): one training step is two moves, each with its own tape, each
updating only one player's variables.
"""
from __future__ import annotations

from pathlib import Path

IMAGES = Path(__file__).resolve().parent / "images"
UPDATED, FIXED, DATA = "#cfe8cf", "#e6e6e6", "#dde7f5"


def _box(ax, x, y, text, colour, width=1.5, height=0.62):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.04", fc=colour, ec="#555555", lw=1))
    ax.text(x, y, text, ha="center", va="center", fontsize=9.5)


def _arrow(ax, start, end, text="", colour="#333333", style="-|>", dashed=False):
    ax.annotate("", xy=end, xytext=start, arrowprops=dict(
        arrowstyle=style, color=colour, lw=1.3, ls="--" if dashed else "-",
        shrinkA=2, shrinkB=2))
    if text:
        ax.text((start[0] + end[0]) / 2, (start[1] + end[1]) / 2 + 0.14, text, ha="center",
                fontsize=8, color=colour)


def _move(ax, y, title, learner, loss, fixed_note, with_real):
    """One row: z -> G -> G(z) -> D (<- x) -> loss, and the gradient back to the learner."""
    ax.text(-0.1, y + 0.75, title, fontsize=10.5, weight="bold")
    _box(ax, 0.6, y, "z ~ N(0, I)", DATA, width=1.1)
    _box(ax, 2.3, y, "G", UPDATED if learner == "G" else FIXED, width=0.9)
    _box(ax, 4.0, y, "G(z)", DATA, width=0.9)
    _box(ax, 5.9, y, "D", UPDATED if learner == "D" else FIXED, width=0.9)
    _box(ax, 8.2, y, loss, "#fbe3c8", width=2.3)
    _arrow(ax, (1.15, y), (1.85, y))
    _arrow(ax, (2.75, y), (3.55, y))
    _arrow(ax, (4.45, y), (5.45, y), "fake")
    _arrow(ax, (6.35, y), (7.05, y), "logits")
    if with_real:
        _box(ax, 4.0, y - 0.95, "x: a real batch", DATA, width=1.5)
        _arrow(ax, (4.75, y - 0.95), (5.6, y - 0.3), "real")
    target = 5.9 if learner == "D" else 2.3
    ax.annotate("", xy=(target, y + 0.31), xytext=(8.2, y + 0.31), arrowprops=dict(
        arrowstyle="-|>", color="#2a7a2a", lw=1.4, connectionstyle="arc3,rad=0.25"))
    note = "gradient, back through D, applied to G's variables only" if learner == "G" \
        else "gradient, applied to D's variables only"
    ax.text((target + 8.2) / 2, y + (1.2 if learner == "G" else 0.8), note, ha="center",
            fontsize=8.5, color="#2a7a2a")
    ax.text(9.5, y - 0.55, fixed_note, ha="right", fontsize=8, color="#666666", style="italic")


def alternating_step(path: Path) -> Path:
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    fig = Figure(figsize=(10, 5.4))
    ax = fig.subplots()
    _move(ax, 3.2, "Move 1: D learns (its own GradientTape)", "D",
          "D loss: real -> 1, fake -> 0", "G runs, but is not updated", with_real=True)
    _move(ax, 0.6, "Move 2: G learns (a new tape, fresh z)", "G",
          "G loss: -log D(G(z))", "D runs, but is not updated", with_real=False)
    ax.legend(handles=[Patch(fc=UPDATED, ec="#555555", label="updated in this move"),
                       Patch(fc=FIXED, ec="#555555", label="used, not updated")],
              loc="lower left", fontsize=8.5, frameon=False, bbox_to_anchor=(0.0, -0.02))
    ax.set_xlim(-0.2, 9.6)
    ax.set_ylim(-0.3, 4.4)
    ax.axis("off")
    fig.suptitle("One GAN training step: two moves, one player updated in each", fontsize=12)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    return path


if __name__ == "__main__":
    IMAGES.mkdir(exist_ok=True)
    print(alternating_step(IMAGES / "alternating_step.png"))
