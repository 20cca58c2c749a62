"""The README's first picture and the sentence under it, made by the README's own main command.

    python docs/readme_picture.py          # trains 10,000 steps (the JSON records the time taken)
    python docs/readme_picture.py --keep /tmp/readme_run   # and keep the run (else deleted)
    python docs/readme_picture.py --caption-only   # only rewrite the sentence from the JSON
    python docs/readme_picture.py --course-dcgan   # the course's DCGAN run instead (notebook 03)

1. Reads the main command from README.md (the ``python -m gan_lib train ...`` part of the
   set-up-and-train line) and runs it exactly as written, in a temporary folder (so its ``--out``
   lands there, not in your checkout), timing its wall clock.
2. Draws the 64-digit grid from the run (seed 0) into ``docs/images/readme_mnist.png``,
   and copies the run's loss curves to ``docs/images/readme_mnist_losses.png``.
3. Scores 5,000 samples against a random 5,000 of the 10,000 held-out test digits with the kit's evaluation, and
   5,000 real training digits against the same set (real vs real), as
   ``benchmarks/time_to_quality.py`` does.
4. Writes the numbers, machine, date and command to ``docs/images/readme_mnist.json`` and
   rewrites the sentence between the ``readme-picture`` markers in README.md.

``--course-dcgan`` does steps 1-4 for :data:`COURSE_DCGAN` (the DCGAN's 8 epochs that notebooks
01, 03 and 06 quote, the README's main command before the residual recipe replaced it) into
``docs/images/dcgan_mnist_8_epochs.*``, and leaves README.md alone.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
START, END = "<!-- readme-picture:start -->", "<!-- readme-picture:end -->"
README_RECORD = "readme_mnist"        # docs/images/<record>.png, .json and <record>_losses.png
COURSE_DCGAN = ("GAN_DATA_DIR=../shared/data python -m gan_lib train --model dcgan --dataset "
                "mnist --epochs 8 --out checkpoints/dcgan_mnist")
COURSE_RECORD = "dcgan_mnist_8_epochs"


def main_command(readme: str) -> tuple[dict, list]:
    """The README's training command: its ``VAR=value`` prefixes and its arguments."""
    line = next(l for l in readme.splitlines() if l.startswith("pip install -r requirements.txt"))
    return split_command(line.split("&&", 1)[1])


def split_command(command: str) -> tuple[dict, list]:
    """``VAR=value`` prefixes and arguments of a shell command line."""
    words = shlex.split(command)
    env = dict(w.split("=", 1) for w in words if re.match(r"^[A-Z_]+=", w))
    return env, [w for w in words if not re.match(r"^[A-Z_]+=", w)]


def train(env: dict, args: list, folder: Path) -> float:
    """Run the command in ``folder`` (paths in its variables are relative to the checkout)."""
    env = {**os.environ, **{k: str((ROOT / v).resolve()) for k, v in env.items()}}
    start = time.perf_counter()
    subprocess.run([sys.executable if a == "python" else a for a in args], cwd=folder, env=env,
                   check=True)
    return time.perf_counter() - start


def caption(r: dict) -> str:
    """The sentence under the picture: steps and the rate measured on the machine named, never a
    bare duration (the same 2-core kind of machine has run these steps 4x slower or faster)."""
    real, steps = r["real_vs_real"], r.get("steps", 8 * (60000 // 64))
    rate = steps / r["train_seconds"]
    checks = [("precision 0.70", r["precision"] >= 0.70), ("coverage 0.60", r["coverage"] >= 0.60),
              ("recall 0.75", r["recall"] >= 0.75), ("FID 10x real", r["fid"] <= 10 * real["fid"])]
    met = [name for name, ok in checks if ok]
    missed = [name for name, ok in checks if not ok]
    return (f"The README's main command: {steps:,} steps of batch 64, {rate:.1f} steps/s over the "
            f"whole command on the {r['machine']['cpus']}-core CPU it was measured on "
            f"(`docs/readme_picture.py`, {r['machine']['date']}); your progress line's ETA is "
            f"your machine's own. Scored on 5,000 samples against the held-out test digits: "
            f"precision {r['precision']:.2f}, recall {r['recall']:.2f}, coverage "
            f"{r['coverage']:.2f}, FID {r['fid']:.4f} in classifier features (real digits "
            f"against the same set: {real['precision']:.2f}, {real['recall']:.2f}, "
            f"{real['coverage']:.2f}, {real['fid']:.4f}). Targets met: {', '.join(met) or 'none'}; "
            f"not met: {', '.join(missed) or 'none'} ([BENCHMARKS.md](BENCHMARKS.md), sections 3 "
            f"and 4).")


def write_caption(report: dict) -> None:
    """Put ``caption(report)`` between the markers in README.md."""
    path = ROOT / "README.md"
    head, rest = path.read_text().split(START, 1)
    path.write_text(head + START + "\n" + caption(report) + "\n" + END + rest.split(END, 1)[1])


def main() -> int:
    if "--caption-only" in sys.argv:  # the sentence again, from the last run's JSON
        write_caption(json.loads((IMAGES / f"{README_RECORD}.json").read_text()))
        return 0
    keep = Path(sys.argv[sys.argv.index("--keep") + 1]) if "--keep" in sys.argv else None
    course = "--course-dcgan" in sys.argv
    record = COURSE_RECORD if course else README_RECORD
    env, args = split_command(COURSE_DCGAN) if course else \
        main_command((ROOT / "README.md").read_text())
    os.environ.setdefault("GAN_DATA_DIR", str((ROOT / env.get("GAN_DATA_DIR", "data")).resolve()))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    with tempfile.TemporaryDirectory() as tmp:
        seconds = train(env, args, Path(tmp))
        out = Path(tmp) / args[args.index("--out") + 1]
        import gan_lib  # noqa: F401  (after the run: the timed process starts cold)
        from common import machine_facts, real_vs_real, score

        from gan_lib.checkpoint import load_generator
        from gan_lib.classifier import load_classifier
        from gan_lib.plotting import save_grid
        from gan_lib.sampling import sample_images

        shutil.copy(out / "losses.png", IMAGES / f"{record}_losses.png")  # the run's curves
        gan, config = load_generator(out)
        steps = int((out / "log.csv").read_text().splitlines()[-1].split(",")[0])
        grid, _ = sample_images(gan, 64, seed=0)
        save_grid(grid, IMAGES / f"{record}.png", ncols=8)
        images, _ = sample_images(gan, 5000, seed=1)
        if keep is not None:
            shutil.copytree(out, keep, dirs_exist_ok=False)
    classifier = load_classifier(config.dataset)
    report = {"command": " ".join(args), "train_seconds": round(seconds, 1), "steps": steps,
              "machine": machine_facts(),
              **score(config.dataset, images, classifier),
              "real_vs_real": real_vs_real(config.dataset, 5000, classifier)}
    (IMAGES / f"{record}.json").write_text(json.dumps(report, indent=1) + "\n")
    if course:
        print(f"{COURSE_DCGAN}: {steps:,} steps in {seconds:.0f} s; {report}")
    else:
        write_caption(report)
        print(caption(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
