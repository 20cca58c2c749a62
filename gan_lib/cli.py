"""The command line: ``python -m gan_lib {train,sample,evaluate} ...``.

Examples::

    python -m gan_lib train --model dcgan --dataset mnist --steps 200 --out runs/dcgan
    python -m gan_lib train --model dcgan --dataset mnist --steps 400 --out runs/dcgan --resume
    python -m gan_lib sample --run runs/dcgan --n 1000 --out samples.npz

Mistakes (a bad option, a missing dataset, a checkpoint of another model) print one line that
says what is wrong and how to fix it, and exit with status 2 without writing anything.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gan_lib.errors import GanKitError

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class OneLineParser(argparse.ArgumentParser):
    """argparse, but a usage mistake is a single line naming the fix (no usage dump)."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parsed(text, parse, what):
    """``parse(text)``, or argparse's one-line error saying ``text`` is not ``what``."""
    try:
        return parse(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not {what}") from None


def _whole(low, high, name="whole"):
    """argparse's ``type`` for a whole number in [low, high] (bounds from config.py, the one
    source of every range)."""
    def convert(text):
        value = _parsed(text, int, "a whole number")
        if not low <= value <= high:
            kind = f"a positive whole number up to {high}" if low == 1 else \
                f"a whole number in [{low}, {high}]"
            raise argparse.ArgumentTypeError(f"must be {kind}, got {value}")
        return value

    convert.__name__ = name
    return convert


def _truncation(text):
    from gan_lib.config import MIN_TRUNCATION

    value = _parsed(text, float, "a number")
    if not value >= MIN_TRUNCATION:  # also refuses nan
        raise argparse.ArgumentTypeError(
            f"must be at least {MIN_TRUNCATION} (below it every sample is the same image), "
            f"got {text}")
    return value


def _sample_count(low=1):
    from gan_lib.config import MAX_SAMPLES

    return _whole(low, MAX_SAMPLES, "count")


def _seed():
    from gan_lib.config import MAX_SEED

    return _whole(0, MAX_SEED, "seed")


def _field_type(field):
    """argparse's ``type`` for a config field: parse the text, then check it with the field's
    own range and checks (config.py), so the command line and the library agree."""
    from gan_lib.config import _check_field, flag_name

    base = field.type.split("|")[0].strip()
    parse = {"int": int, "float": float, "tuple": _widths}.get(base, str)

    def convert(text):
        try:
            value = parse(text)
        except ValueError:
            kind = {"int": "a whole number", "float": "a number"}.get(base, "valid")
            raise argparse.ArgumentTypeError(f"'{text}' is not {kind}") from None
        try:
            _check_field(field, value)
        except GanKitError as err:  # argparse names the option already
            raise argparse.ArgumentTypeError(str(err).removeprefix(flag_name(field) + " ")) \
                from None
        return value

    convert.__name__ = base  # argparse names the type in its messages
    return convert


def _widths(text):
    try:
        return tuple(int(w) for w in text.split(","))
    except ValueError:
        raise ValueError(text) from None


def add_config_options(parser) -> None:
    """One option per field of TrainConfig that has ``cli`` set, with its help, choices, range
    and default, all read from the field (see config.py)."""
    import dataclasses

    from gan_lib.config import TrainConfig, flag_name

    groups = {}
    for field in dataclasses.fields(TrainConfig):
        m = field.metadata
        if not m["cli"]:
            continue
        target = parser
        if m["group"]:
            if m["group"] not in groups:
                groups[m["group"]] = parser.add_mutually_exclusive_group()
            target = groups[m["group"]]
        default = field.default if field.default is not dataclasses.MISSING else \
            field.default_factory()
        shown = ",".join(map(str, default)) if isinstance(default, tuple) else default
        help_text = m["help"] + ("" if default is None else f" (default {shown})")
        kwargs = dict(dest=field.name, help=help_text)
        if field.type == "bool":
            kwargs["action"] = argparse.BooleanOptionalAction
        else:
            kwargs["type"] = _field_type(field)
            if m["choices"]:
                kwargs.update(choices=m["choices"], type=type(next(iter(m["choices"]))))
        target.add_argument(flag_name(field), **kwargs)


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(prog="python -m gan_lib",
                           description="Train, sample and evaluate GANs (gan-kit).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser,
                                metavar="{train,sample,evaluate}")

    # Options use SUPPRESS as their default so that --resume can tell which ones the user gave.
    t = sub.add_parser("train", help="train a GAN (or resume one)",
                       argument_default=argparse.SUPPRESS,
                       description="Train a GAN in a run directory, or continue one with --resume. "
                                   "--steps/--epochs give the run's total length; on --resume, "
                                   "options not given keep the run's values.")
    t.add_argument("--out", default="runs/run", help="run directory (default runs/run)")
    t.add_argument("--resume", action="store_true", default=False,
                   help="continue the run in --out from its latest checkpoint")
    t.add_argument("--overwrite", action="store_true", default=False,
                   help="replace the run in --out (only files the kit wrote are deleted)")
    t.add_argument("--quiet", action="store_const", const=0, dest="verbose",
                   help="no progress output")
    t.add_argument("--workers", type=lambda text: text.split(","),
                   help="multi-worker training: every worker's host:port, the same list for "
                        "all (writes TF_CONFIG; implies --strategy multiworker)")
    t.add_argument("--worker-index", type=_whole(0, 10**4, "index"), dest="worker_index",
                   help="this process's place in --workers (0 is the chief, which writes the run)")
    add_config_options(t)

    add_sample_parser(sub)
    add_evaluate_parser(sub)
    return parser


def _command(sub, name: str, help: str, description: str, sources: dict):
    """A sub-command that reads from exactly one of ``sources`` ({flag: add_argument's
    keywords}): e.g. a run folder or a shipped generator."""
    parser = sub.add_parser(name, help=help, description=description)
    group = parser.add_mutually_exclusive_group(required=True)
    for flag, keywords in sources.items():
        group.add_argument(flag, **keywords)
    return parser


def add_sample_parser(sub) -> None:
    """``sample``: from a run's newest checkpoint or a shipped generator."""
    from gan_lib.pretrained import NAMES as PRETRAINED

    s = _command(sub, "sample", "generate images from a run",
                 "Generate images from a run's latest checkpoint, or from a generator shipped "
                 "with gan-kit (--pretrained).",
                 {"--run": dict(help="run directory"),
                  "--pretrained": dict(choices=tuple(PRETRAINED), help="a trained generator "
                                       "shipped with gan-kit (gan_lib/pretrained.py)")})
    s.add_argument("--n", type=_sample_count(), required=True, help="number of images")
    s.add_argument("--out", required=True, help="FILE.png (a grid) or FILE.npz (uint8 images)")
    s.add_argument("--seed", type=_seed(), default=0, help="latent vectors' seed (default 0)")
    s.add_argument("--label", type=_whole(0, 10**6, "label"),
                   help="conditional runs: generate this class only")
    s.add_argument("--inputs", help="pix2pix runs: an .npz of input images (default: the test "
                                    "split, degraded for the run's task)")
    s.add_argument("--truncation", type=_truncation, metavar="PSI",
                   help="draw latent entries beyond +-PSI again: more typical images, less "
                        "variety (benchmarks/truncation_curve.py measures the trade-off; "
                        "default: no truncation)")


def add_evaluate_parser(sub) -> None:
    """``evaluate``: an .npz of samples against a dataset, or a run directly."""
    from gan_lib.config import MIN_EVAL_SAMPLES

    e = _command(sub, "evaluate", "score samples: FID, precision/recall, ...",
                 "Evaluate generated images against the real training set (or, with "
                 "--reference test, the held-out test set) and print one JSON object with "
                 "every metric.",
                 {"--samples": dict(help="an .npz written by `sample` (images, maybe labels)"),
                  "--run": dict(help="evaluate this run's latest checkpoint directly")})
    e.add_argument("--dataset", help="the real data: mnist, fashion_mnist, stacked_mnist, ring8, "
                                     "grid25 or a folder of images (needed with --samples; a "
                                     "run knows its own)")
    e.add_argument("--features", choices=("classifier", "inception"),
                   help="embedding: the kit's classifier (default for mnist, fashion_mnist) or "
                        "Inception-v3 with ImageNet weights (default for folders)")
    e.add_argument("--reference", choices=("train", "test"), default="train",
                   help="the real images to compare with: train (default) or test, the held-out "
                        "digits of the course's protocol (notebook 06; copies are still searched "
                        "for in the training split); mnist and fashion_mnist")
    e.add_argument("--n", type=_sample_count(MIN_EVAL_SAMPLES), default=10000,
                   help="samples to draw with --run (default 10000)")
    e.add_argument("--seed", type=_seed(), default=0,
                   help="seed of the reference subset and samples")
    e.add_argument("--out", help="also write the JSON to this file")
    e.add_argument("--picture", help="write the 10 most and least realistic samples to this PNG")


def cmd_evaluate(args) -> int:
    import json
    import zipfile

    import numpy as np

    from gan_lib.evaluate import evaluate_run, evaluate_samples, save_realism_picture
    from gan_lib.io import atomic_write_text

    if args.picture and not args.picture.lower().endswith(".png"):
        raise GanKitError(f"--picture {args.picture} must end in .png")
    if args.run:
        report, images = evaluate_run(args.run, n=args.n, seed=args.seed, return_images=True,
                                      reference=args.reference)
    else:
        if not args.dataset:
            raise GanKitError("--samples needs --dataset (mnist, fashion_mnist, stacked_mnist, "
                              "ring8, grid25 or a folder)")
        try:
            with np.load(args.samples) as npz:
                images = npz["images"]
                labels = npz["labels"] if "labels" in npz.files else None
        except KeyError:
            raise GanKitError(f"{args.samples} has no 'images' array; pass an .npz written by "
                              "`python -m gan_lib sample`") from None
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, AttributeError) as err:
            raise GanKitError(f"cannot read images from {args.samples} ({type(err).__name__}: "
                              "missing, truncated or not an .npz); pass an .npz written by "
                              "`python -m gan_lib sample`") from None
        report = evaluate_samples(args.dataset, images, labels, seed=args.seed,
                                  features=args.features, reference=args.reference)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        atomic_write_text(args.out, text + "\n")
    if args.picture:
        save_realism_picture(images, report, args.picture)
    return 0


def cmd_train(args) -> int:
    from gan_lib.trainer import Trainer

    given = {k: v for k, v in vars(args).items()
             if k not in ("command", "out", "resume", "overwrite", "workers", "worker_index")}
    if hasattr(args, "workers") != hasattr(args, "worker_index"):
        raise GanKitError("--workers and --worker-index go together")
    if hasattr(args, "workers"):
        from gan_lib.distribute import write_tf_config

        write_tf_config(args.workers, args.worker_index)
        given.setdefault("strategy", "multiworker")
    # On --resume, options not given again are those of the run being resumed.
    trainer = Trainer(options=given, out_dir=args.out, resume=args.resume,
                      overwrite=args.overwrite)
    trainer.train()
    if trainer.interrupted:
        return EXIT_INTERRUPTED
    print(f"done: step {trainer.global_step} in {args.out} (samples in {args.out}/samples, "
          f"curves in {args.out}/losses.png)")
    return 0


def cmd_sample(args) -> int:
    import numpy as np

    from gan_lib.checkpoint import load_generator
    from gan_lib.sampling import check_sample_count, write_samples

    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".npz"):
        raise GanKitError(f"--out {out} must end in .png (a grid) or .npz (an array of images)")
    if args.pretrained:
        from gan_lib.pretrained import load

        gan = load(args.pretrained)
    else:
        gan, _ = load_generator(args.run)
    check_sample_count(args.n, gan.image_shape, grid=out.suffix.lower() == ".png")
    inputs = None
    if args.inputs:
        try:
            with np.load(args.inputs) as npz:
                inputs = npz["images"]
        except (OSError, ValueError, KeyError) as err:
            raise GanKitError(f"cannot read images from {args.inputs} ({type(err).__name__}); "
                              "pass an .npz with an 'images' array") from None
    arrays = gan.variant.samples(gan, args.n, seed=args.seed, label=args.label, inputs=inputs,
                                 truncation=args.truncation)
    if out.suffix.lower() == ".png":
        from gan_lib.plotting import save_grid

        images, ncols = gan.variant.sample_grid(arrays)
        save_grid(images, out, ncols=ncols)
    else:
        write_samples(out, **arrays)
    what = "points" if "points" in arrays else "images"
    print(f"wrote {len(arrays[what])} {what} to {out}")
    return 0


COMMANDS = {"train": cmd_train, "sample": cmd_sample, "evaluate": cmd_evaluate}


def _one_line_warning(message, category, filename, lineno, line=None):
    return f"warning: {message}\n"


def main(argv=None) -> int:
    import warnings

    from gan_lib.errors import RunDirError

    parser = build_parser()
    args = parser.parse_args(argv)
    from gan_lib import import_tensorflow_quietly

    import_tensorflow_quietly()
    warnings.formatwarning = _one_line_warning  # a warning is one line too, not two
    try:
        return COMMANDS[args.command](args)
    except GanKitError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:  # read-only folder, disk full, a file where a folder should be
        where = err.filename or getattr(args, "out", None) or "the output"
        print(f"error: {RunDirError.from_error(where, err, 'files')}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
