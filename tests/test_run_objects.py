"""Issue 23: the run as explicit objects (a plan, a state, a loop) and callbacks on a view."""
import ast
import json
from pathlib import Path

import pytest

from gan_lib.config import TrainConfig
from gan_lib.run.view import RunView
from gan_lib.trainer import Trainer

ROOT = Path(__file__).resolve().parent.parent
SMALL = dict(model="mlp", mlp_hidden=(32,), latent_dim=8, batch_size=16, verbose=0)
HOOKS = ("on_train_begin", "on_steps_end", "on_interval", "on_save", "on_resume",
         "on_train_end", "after_step")
CALLBACK_FILES = ("gan_lib/callbacks.py", "gan_lib/course/notebook.py",
                  "gan_lib/course/failures.py")


def attributes_used_on_the_run(path: Path) -> dict:
    """``{Class.hook: {attribute names read on the hook's run argument}}`` for every callback
    hook defined in ``path`` (and the helpers those hooks pass the run to, by name)."""
    tree = ast.parse(path.read_text())
    used = {}
    for cls in (n for n in tree.body if isinstance(n, ast.ClassDef)):
        for fn in (n for n in cls.body if isinstance(n, ast.FunctionDef)):
            if len(fn.args.args) < 2:
                continue
            run = fn.args.args[1].arg
            if fn.name not in HOOKS and run not in ("run", "trainer"):
                continue
            names = {node.attr for node in ast.walk(fn) if isinstance(node, ast.Attribute)
                     and isinstance(node.value, ast.Name) and node.value.id == run}
            used[f"{cls.name}.{fn.name}"] = names
    return used


@pytest.mark.parametrize("path", CALLBACK_FILES)
def test_callbacks_use_only_the_runs_view(path):
    """A callback's hooks read only the members of RunView: the step, the history, the state,
    the run folder and say; never the loop or the trainer behind it."""
    allowed = set(RunView.MEMBERS)
    used = attributes_used_on_the_run(ROOT / path)
    assert used, f"no callback hooks found in {path}"
    outside = {hook: sorted(names - allowed) for hook, names in used.items() if names - allowed}
    assert not outside, f"callbacks in {path} reach past the view: {outside}"


def test_the_view_has_nothing_else():
    """The view is narrow by construction: slots only, no way to reach a trainer member."""
    view = RunView(loop=None)
    with pytest.raises(AttributeError):
        view.config = 1
    public = {n for n in dir(RunView) if not n.startswith("_")} - {"MEMBERS"}
    assert public == set(RunView.MEMBERS)


def test_the_callers_config_is_never_changed(mnist_small, tmp_path):
    config = TrainConfig(steps=2, **SMALL)
    before = json.dumps(config.to_dict(), sort_keys=True)
    trainer = Trainer(config, tmp_path / "run", data=mnist_small)
    trainer.train()
    assert json.dumps(config.to_dict(), sort_keys=True) == before
    assert trainer.config is not config and trainer.config.resolution == 28
    assert config.resolution is None


def test_one_variant_instance_and_one_plan(mnist_small):
    trainer = Trainer(TrainConfig(steps=2, **SMALL), data=mnist_small)
    assert trainer.variant is trainer.gan.variant is trainer.plan.variant
    assert trainer.variant.config is trainer.config


def test_no_config_means_the_defaults_and_a_wrong_type_is_one_line(mnist_small):
    from gan_lib.errors import ConfigError
    from gan_lib.run.plan import make_plan

    with pytest.raises(ConfigError, match="give the run's length as exactly one of --steps"):
        make_plan(data=mnist_small)  # the defaults, which set no length
    assert make_plan(options={"steps": 2}, data=mnist_small).config.model == TrainConfig().model
    with pytest.raises(ConfigError, match="is a dict, not a TrainConfig; pass TrainConfig"):
        Trainer({"model": "dcgan"}, data=mnist_small)


def test_resume_reads_config_json_once(mnist_small, tmp_path, monkeypatch):
    run = tmp_path / "run"
    Trainer(TrainConfig(steps=2, **SMALL), run, data=mnist_small).train()
    reads = []
    original = TrainConfig.load.__func__
    monkeypatch.setattr(TrainConfig, "load", classmethod(
        lambda cls, path: reads.append(Path(path).name) or original(cls, path)))
    resumed = Trainer(options={"steps": 4}, out_dir=run, resume=True, data=mnist_small)
    resumed.train()
    assert reads == ["config.json"] and resumed.global_step == 4


def test_validation_runs_once(mnist_small, monkeypatch):
    calls = []
    original = TrainConfig.check_combinations
    monkeypatch.setattr(TrainConfig, "check_combinations",
                        lambda self, variant: calls.append(1) or original(self, variant))
    monkeypatch.setattr(TrainConfig, "validate", lambda self, variant=None: pytest.fail(
        "the run validated its config through validate() again"))
    Trainer(TrainConfig(steps=2, **SMALL), data=mnist_small)
    assert calls == [1]


@pytest.mark.parametrize("model, option", [
    ("dcgan", ["--task", "inpaint"]), ("mlp", ["--l1-weight", "10"]),
    ("cgan", ["--adv-weight", "0"]), ("infogan", ["--task", "inpaint", "--l1-weight", "1"]),
])
def test_pix2pix_options_are_pix2pix_own(model, option, tmp_path, monkeypatch, capsys):
    """pix2pix's own options (task, L1 and adversarial weights) would do nothing in another
    model: refused in one line, exit 2, nothing written."""
    from gan_lib.cli import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        raise SystemExit(main(["train", "--model", model, "--steps", "2", "--out", "run"]
                              + option))
    code = exit_info.value.code
    err = capsys.readouterr().err.strip().splitlines()
    flags = ", ".join(o for o in option if o.startswith("--"))
    assert code == 2 and len(err) == 1 and f"--model {model} does not use {flags}" in err[0]
    assert not (tmp_path / "run").exists()


def test_a_variants_own_option_is_named_in_the_config():
    """Each option only one variant reads says which (its metadata), and that variant exists."""
    import dataclasses

    from gan_lib.variants import REGISTRY

    owned = {f.name: f.metadata["only"] for f in dataclasses.fields(TrainConfig)
             if f.metadata["only"]}
    assert owned == {"task": "pix2pix", "l1_weight": "pix2pix", "adv_weight": "pix2pix"}
    assert set(owned.values()) <= set(REGISTRY)
