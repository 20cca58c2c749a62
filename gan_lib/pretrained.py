"""Trained generators shipped inside the package, so a student on a CPU sees a converged result in
seconds: ``gan_lib.pretrained.load("dcgan-mnist")`` or
``python -m gan_lib sample --pretrained dcgan-mnist --n 64 --out digits.png``.

Each generator is two files in ``gan_lib/assets/generators/``: ``NAME.weights.h5`` (the generator's
weights only; its discriminator is not shipped) and ``NAME.json``, the record of how it was made:
the run's whole ``TrainConfig``, its steps, the command, the date and machine, and its scores on
the held-out protocol (5,000 samples against a random 5,000 of the 10,000 test images; real
training images against the same set beside them). ``export`` writes both from a finished run;
the script that scored and exported the shipped ones is ``benchmarks/ship_generators.py``.

Why weights and not a whole ``.keras`` model: the networks are rebuilt from the recorded config by
the same builders the trainer uses, so a shipped generator is exactly a run's generator, and a
file from another architecture fails to load with a clear message instead of deserialising code.
"""
from __future__ import annotations

import json
from pathlib import Path

from gan_lib.errors import CheckpointError, ConfigError

GENERATORS = Path(__file__).resolve().parent / "assets" / "generators"
NAMES = {
    "dcgan-mnist": "the DCGAN on MNIST",
    "dcgan-fashion-mnist": "the DCGAN on Fashion-MNIST",
    "cgan-mnist": "the conditional GAN on MNIST (asks for a digit)",
    "resnet-mnist": "the residual GAN on MNIST (non-saturating loss + R1; the kit's best "
                    "unconditional MNIST generator, BENCHMARKS.md section 4)",
    "resnet-fashion-mnist": "the residual GAN on Fashion-MNIST (non-saturating loss + R1; "
                            "BENCHMARKS.md section 4)",
}
MAX_BYTES = 5 * 1024**2  # the budget per shipped generator


def _files(name: str, folder: Path | None = None) -> tuple[Path, Path]:
    folder = GENERATORS if folder is None else Path(folder)
    return folder / f"{name}.weights.h5", folder / f"{name}.json"


def available(folder: Path | None = None) -> list[str]:
    """The names whose two files are installed."""
    return [n for n in NAMES if all(p.is_file() for p in _files(n, folder))]


def record(name: str, folder: Path | None = None) -> dict:
    """The JSON record of generator ``name`` (how it was trained, what it scores)."""
    _check_name(name)
    path = _files(name, folder)[1]
    try:
        data = json.loads(path.read_text())
        if not isinstance(data, dict) or "config" not in data:
            raise ValueError("no 'config' in it")
        return data
    except FileNotFoundError:
        raise CheckpointError(f"the pretrained generator '{name}' is not installed ({path} is "
                              "missing); reinstall gan-kit (pip install -r requirements.txt) or "
                              f"choose one of: {', '.join(available(folder)) or 'none here'}") \
            from None
    except (OSError, ValueError) as err:
        raise CheckpointError(f"the record {path} is damaged ({type(err).__name__}: "
                              f"{str(err)[:80]}); reinstall gan-kit") from None


def load(name: str, folder: Path | None = None):
    """``gan``: a GAN whose generator is the shipped one (its ``discriminator`` is untrained and
    only there for the shapes). ``gan.generate(z)``, or ``sampling.sample_images(gan, n)``."""
    from gan_lib.config import TrainConfig
    from gan_lib.variants import build_gan

    info = record(name, folder)
    config = TrainConfig.from_dict(info["config"])
    gan = build_gan(config, (config.resolution, config.resolution, config.channels),
                    config.num_classes)
    weights = _files(name, folder)[0]
    if not weights.is_file():
        raise CheckpointError(f"the pretrained generator '{name}' is not installed ({weights} "
                              "is missing); reinstall gan-kit (pip install -r requirements.txt)")
    try:
        gan.generator.load_weights(str(weights))
    except Exception as err:  # a truncated or foreign h5 file fails in many ways
        raise CheckpointError(f"the pretrained generator file {weights} is damaged or of "
                              f"another model ({type(err).__name__}: {str(err)[:80]}); reinstall "
                              "gan-kit") from None
    return gan


def export(run_dir, name: str, extra: dict, folder: Path | None = None) -> Path:
    """Write a run's generator (its EMA generator if the run keeps one) and its record as
    shipped generator ``name``; ``extra`` (scores, command, machine...) goes into the record."""
    from gan_lib.checkpoint import load_generator
    import os

    from gan_lib.io import atomic_write_text

    _check_name(name)
    gan, config = load_generator(run_dir)
    weights, meta = _files(name, folder)
    weights.parent.mkdir(parents=True, exist_ok=True)
    tmp = weights.with_name(f".{name}.partial.weights.h5")  # Keras wants the .weights.h5 ending
    gan.generator.save_weights(str(tmp))
    os.replace(tmp, weights)  # whole or not at all, as every file the kit writes
    if weights.stat().st_size > MAX_BYTES:
        raise ConfigError(f"{weights} is {weights.stat().st_size / 2**20:.1f} MB, over the "
                          f"{MAX_BYTES // 2**20} MB a shipped generator may take")
    body = {"name": name, "what": NAMES[name], "config": config.to_dict(), **extra}
    atomic_write_text(meta, json.dumps(body, indent=2) + "\n")
    return weights


def _check_name(name: str) -> None:
    if name not in NAMES:
        raise ConfigError(f"unknown pretrained generator '{name}'; choose one of: "
                          f"{', '.join(NAMES)}")
