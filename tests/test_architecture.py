"""Issue 12: the library's shape. Variants in one place each, callbacks, TensorBoard, the config
as the single source of options, no import cycles, quiet imports, short functions."""
import ast
import dataclasses
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

from conftest import REPO, assert_same_weights, body_config
from gan_lib.callbacks import Callback
from gan_lib.config import TrainConfig, flag_name
from gan_lib.trainer import Trainer
from gan_lib.variants import REGISTRY, register
from gan_lib.variants.plain import PlainGAN

SMALL = dict(model="mlp", mlp_hidden=(16,), latent_dim=8, batch_size=64, verbose=0)
PACKAGE = REPO / "gan_lib"


# ------------------------------------------------------------------------ variants
def test_weight_clipped_wgan_is_one_file_and_one_line(mnist_small):
    """The variant added to show the design: its module is its only code, its registry line
    its only mention elsewhere; it trains, clips every critic weight and uses W-loss."""
    mentions = [p for p in PACKAGE.rglob("*.py") if "wgan_clip" in p.read_text()
                or "WeightClippedWGAN" in p.read_text()]
    assert sorted(p.relative_to(PACKAGE).as_posix() for p in mentions) == \
        ["variants/__init__.py", "variants/wgan_clip.py"]
    registry = (PACKAGE / "variants" / "__init__.py").read_text().splitlines()
    assert len([line for line in registry if "gan_lib.variants.wgan_clip:" in line]) == 1
    trainer = Trainer(TrainConfig(**dict(SMALL, model="wgan-clip", arch="mlp"), steps=3,
                                  d_steps=2), data=mnist_small)
    trainer.train()
    for w in trainer.gan.discriminator.trainable_variables:
        assert np.abs(np.asarray(w)).max() <= 0.01 + 1e-9, w.path
    real, fake = tf.constant([[1.0], [3.0]]), tf.constant([[0.5], [-1.5]])
    loss = trainer.variant.loss()
    assert float(loss.d_loss(real, fake)) == pytest.approx(-0.5 - 2.0)  # E[D(G)] - E[D(x)]
    assert float(loss.g_loss(fake)) == pytest.approx(0.5)


class TaggedGAN(PlainGAN):
    """A variant defined outside gan_lib: a plain GAN that logs one extra number."""

    kind = "tagged"


def test_a_variant_registered_from_outside_trains(mnist_small):
    register("tagged-test", f"{__name__}:TaggedGAN")
    try:
        trainer = Trainer(body_config(**dict(SMALL, model="tagged-test", base_filters=8), steps=2),
                          data=mnist_small)
        trainer.train()
        assert trainer.gan.kind == "tagged" and trainer.global_step == 2
    finally:
        del REGISTRY["tagged-test"]


def test_no_string_checks_of_the_model_outside_the_variants():
    """"Where is ACGAN?" has one answer: no module but the variants asks which model it has."""
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "variants" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Compare) and any(
                    isinstance(c, ast.Constant) and c.value in REGISTRY or
                    isinstance(c, (ast.Tuple, ast.List)) and any(
                        isinstance(e, ast.Constant) and e.value in ("cgan", "acgan", "infogan",
                                                                    "pix2pix") for e in c.elts)
                    for c in node.comparators):
                offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []


# ------------------------------------------------------------------------ callbacks
class Recorder(Callback):
    def __init__(self, every_steps):
        self.every_steps, self.intervals, self.logs, self.events = every_steps, [], [], []

    def on_train_begin(self, trainer):
        self.events.append("begin")

    def on_steps_end(self, trainer, step, logs):
        self.logs.append((step, sorted(logs)))

    def on_interval(self, trainer, step):
        self.intervals.append(step)

    def on_train_end(self, trainer):
        self.events.append("end")


def test_callbacks_see_every_call_and_interval_and_change_nothing(mnist_small):
    recorder = Recorder(every_steps=3)
    watched = Trainer(TrainConfig(steps=7, **SMALL), data=mnist_small, callbacks=[recorder])
    watched.train()
    plain = Trainer(TrainConfig(steps=7, **SMALL), data=mnist_small)
    plain.train()
    assert recorder.intervals == [3, 6, 7] and recorder.events == ["begin", "end"]
    assert [s for s, _ in recorder.logs] == [3, 6, 7]  # calls end on the callback's interval
    assert recorder.logs[0][1] == ["d_fake", "d_loss", "d_real", "g_loss"]
    assert_same_weights(watched.gan.generator, plain.gan.generator)


def test_tensorboard_has_every_step_and_the_grids(mnist_small, tmp_path):
    Trainer(TrainConfig(steps=12, sample_every_steps=5, **SMALL), tmp_path / "run",
            data=mnist_small).train()
    tags = {}
    for event_file in (tmp_path / "run" / "tensorboard").glob("events.*"):
        for event in tf.compat.v1.train.summary_iterator(str(event_file)):
            for value in event.summary.value:
                tags.setdefault(value.tag, []).append(event.step)
    assert sorted(tags["d_loss"]) == list(range(1, 13))
    assert set(tags) >= {"d_loss", "g_loss", "d_real", "d_fake", "samples"}
    assert sorted(tags["samples"]) == [5, 10, 12]


def test_mixed_precision_leaves_the_global_policy_alone(mnist_small):
    import keras

    Trainer(TrainConfig(steps=1, mixed_precision=True, **SMALL), data=mnist_small)
    assert keras.mixed_precision.global_policy().name == "float32"


# ------------------------------------------------------------------------ the config
def test_every_option_comes_from_the_config():
    from gan_lib.cli import build_parser

    train = build_parser()._subparsers._group_actions[0].choices["train"]
    options = {a.dest: a for a in train._actions if a.option_strings}
    for field in dataclasses.fields(TrainConfig):
        if not field.metadata["cli"]:
            assert field.name not in options or field.name == "verbose"
            continue
        action = options[field.name]
        assert flag_name(field) in action.option_strings
        assert action.help.startswith(field.metadata["help"])
        default = field.default if field.default is not dataclasses.MISSING else None
        if default not in (None, ()) and not isinstance(default, bool):
            assert f"(default {default})" in action.help, field.name


@pytest.mark.parametrize("name,value", [("lr_g", 0.0), ("beta_1", 1.0), ("seed", -1),
                                        ("label_smoothing", 0.5), ("pack", 0)])
def test_the_library_and_the_command_line_refuse_alike(name, value):
    from gan_lib.cli import build_parser
    from gan_lib.errors import ConfigError

    with pytest.raises(ConfigError):
        TrainConfig(steps=1, **{name: value}).validate()
    flag = flag_name(next(f for f in dataclasses.fields(TrainConfig) if f.name == name))
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["train", "--steps", "1", flag, str(value)])
    assert exit_.value.code == 2


# ------------------------------------------------------------------------ the code itself
def _imports(path: Path) -> set:
    """gan_lib modules imported anywhere in ``path`` (module level or inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("gan_lib.")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gan_lib"):
            if node.module == "gan_lib":
                found |= {f"gan_lib.{a.name}" for a in node.names}
            else:
                found.add(node.module)
    return found


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def test_no_import_cycles():
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {m: {i for i in _imports(p) if i in modules and i != "gan_lib"}
             for m, p in modules.items() if m != "gan_lib"}
    state = {}

    def visit(module, trail):
        if state.get(module) == "done":
            return
        assert state.get(module) != "open", "import cycle: " + " -> ".join(trail + [module])
        state[module] = "open"
        for other in sorted(graph.get(module, ())):
            visit(other, trail + [module])
        state[module] = "done"

    for module in sorted(graph):
        visit(module, [])


def test_functions_fit_on_a_screen():
    long = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > 60:
                    long.append(f"{path.relative_to(PACKAGE)}:{node.name} ({length} lines)")
    assert long == []


def test_importing_any_module_prints_nothing(tmp_path):
    names = sorted(_module_name(p) for p in PACKAGE.rglob("*.py"))
    code = "; ".join(f"import {n}" for n in names if not n.endswith("__main__"))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO),
                                          "HOME": str(tmp_path)}, timeout=300)
    assert r.returncode == 0 and r.stdout == "" and r.stderr == "", r.stderr[-2000:]


def test_every_third_party_import_is_a_declared_dependency():
    import tomllib

    declared = {"tensorflow", "keras", "numpy", "matplotlib", "pillow", "scipy", "tensorboard"}
    spec = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = {d.split(">")[0].split("=")[0].split("[")[0].strip().lower()
             for d in spec["dependencies"]}
    assert declared <= names
    optional = {d.split(">")[0].strip().lower() for group in spec.get(
        "optional-dependencies", {}).values() for d in group}
    import_names = {"PIL": "pillow", "tensorflow_datasets": "tensorflow-datasets",
                    "IPython": "ipython", "ipywidgets": "ipywidgets"}
    stdlib = set(sys.stdlib_module_names)
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                roots = [a.name.split(".")[0] for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = [node.module.split(".")[0]]
            else:
                continue
            for root in roots:
                if root in stdlib or root in ("gan_lib", "__editable___gan_kit_0_1_0_finder"):
                    continue
                package = import_names.get(root, root).lower()
                # notebook-only and online-only extras are optional, and imported lazily
                assert package in names or package in optional or package in (
                    "ipython", "ipywidgets"), f"{path.name} imports {root}, not declared"
