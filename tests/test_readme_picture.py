"""The README's first picture and its sentence come from the README's own main command
(``docs/readme_picture.py``): the committed sentence is what the script writes from the committed
numbers, and the numbers belong to the command the README shows now."""
import importlib.util
import json

from conftest import REPO


def _script():
    spec = importlib.util.spec_from_file_location("readme_picture",
                                                  REPO / "docs" / "readme_picture.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_sentence_is_made_from_the_numbers_of_the_readme_command():
    script = _script()
    readme = (REPO / "README.md").read_text()
    report = json.loads((REPO / "docs" / "images" / "readme_mnist.json").read_text())
    env, args = script.main_command(readme)
    assert args[:4] == ["python", "-m", "gan_lib", "train"] and "--out" in args
    assert report["command"] == " ".join(args), "README's command changed: rerun the script"
    between = readme.split(script.START, 1)[1].split(script.END, 1)[0].strip()
    assert between == script.caption(report)
    assert (REPO / "docs" / "images" / "readme_mnist.png").exists()


def test_the_readme_command_trains_the_ceiling_runs_recipe():
    """The README's command is the ceiling benchmark's resnet-ns-r1 run cut at --steps: every
    field that enters training (networks, loss, optimiser, seed, data, XLA, the EMA) is equal,
    so BENCHMARKS.md section 4's curve is the curve of the README's command."""
    import dataclasses
    import sys

    from gan_lib.cli import build_parser
    from gan_lib.config import TrainConfig

    sys.path.insert(0, str(REPO / "benchmarks"))
    from ceiling import config_for

    _, args = _script().main_command((REPO / "README.md").read_text())
    parsed = vars(build_parser().parse_args(args[3:]))
    given = {k: v for k, v in parsed.items() if k not in ("command", "out", "resume", "overwrite")}
    readme = TrainConfig().with_options(given)
    for name, value in readme.variant().recipe_defaults(28, 1).items():  # left unset: the recipe
        if getattr(readme, name) is None:
            setattr(readme, name, value)
    ceiling = config_for("resnet-ns-r1", "mnist", readme.steps, {})
    bookkeeping = {"checkpoint_every_steps", "checkpoint_every_seconds", "keep_checkpoints",
                   "sample_every_steps", "tensorboard", "verbose", "changes"}
    differ = {f.name for f in dataclasses.fields(TrainConfig)
              if getattr(readme, f.name) != getattr(ceiling, f.name)}
    assert differ <= bookkeeping, differ
    assert readme.model == "resnet" and readme.steps <= 10_000
