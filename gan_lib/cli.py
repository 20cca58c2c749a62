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


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive whole number, got {value}")
    return value


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be positive, got {value}")
    return value


def _widths(text):
    try:
        widths = tuple(int(w) for w in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a comma-separated list of widths, "
                                         "e.g. 256,256") from None
    if not widths or min(widths) <= 0:
        raise argparse.ArgumentTypeError(f"widths must be positive, got {text}")
    return widths


def _resolution(text):
    r = _positive_int(text)
    if r != 28 and (r < 32 or r > 256 or r & (r - 1)):
        raise argparse.ArgumentTypeError(f"{r} is not 28 or a power of two from 32 to 256")
    return r


def build_parser() -> argparse.ArgumentParser:
    from gan_lib.config import ARCHS, LOSSES, MODELS

    parser = OneLineParser(prog="python -m gan_lib",
                           description="Train, sample and evaluate GANs (gan-kit).")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser,
                                metavar="{train,sample,evaluate}")

    # Options use SUPPRESS as their default so that --resume can tell which ones the user gave.
    S = argparse.SUPPRESS
    t = sub.add_parser("train", help="train a GAN (or resume one)", argument_default=S,
                       description="Train a GAN in a run directory, or continue one with --resume. "
                                   "--steps/--epochs give the run's total length.")
    t.add_argument("--model", choices=MODELS, help="network family (default dcgan)")
    t.add_argument("--arch", choices=ARCHS, help="body of a cgan: mlp or dcgan (default dcgan)")
    t.add_argument("--dataset", help="mnist, fashion_mnist, or a folder of images (default mnist)")
    length = t.add_mutually_exclusive_group()
    length.add_argument("--steps", type=_positive_int, help="total length in steps")
    length.add_argument("--epochs", type=_positive_int, help="total length in epochs")
    t.add_argument("--batch-size", type=_positive_int, dest="batch_size", help="default 128")
    t.add_argument("--seed", type=int, help="makes the run repeatable (default 0)")
    t.add_argument("--out", default="checkpoints/run", help="run directory (default checkpoints/run)")
    t.add_argument("--resume", action="store_true", default=False,
                   help="continue the run in --out from its latest checkpoint")
    t.add_argument("--overwrite", action="store_true", default=False,
                   help="delete an earlier run in --out first")
    t.add_argument("--latent-dim", type=_positive_int, dest="latent_dim", help="default 100")
    t.add_argument("--resolution", type=_resolution, help="image side: 28 or 32..256 (power of 2)")
    t.add_argument("--channels", type=int, choices=(1, 3), help="1 (grayscale) or 3 (RGB)")
    t.add_argument("--mlp-hidden", type=_widths, dest="mlp_hidden",
                   help="MLP hidden widths, e.g. 512,256 (default 256)")
    t.add_argument("--base-filters", type=_positive_int, dest="base_filters",
                   help="DCGAN width at its narrowest layer")
    t.add_argument("--loss", choices=LOSSES, help="GAN loss (default bce, non-saturating)")
    t.add_argument("--lr-g", type=_positive_float, dest="lr_g", help="G learning rate (2e-4)")
    t.add_argument("--lr-d", type=_positive_float, dest="lr_d", help="D learning rate (2e-4)")
    t.add_argument("--beta-1", type=float, dest="beta_1", help="Adam beta_1 (0.5)")
    t.add_argument("--d-steps", type=_positive_int, dest="d_steps", help="D updates per G update")
    t.add_argument("--updates", choices=("alternating", "simultaneous"),
                   help="alternating: D steps, then G through the updated D (default); "
                        "simultaneous: both from one pass, as in the TF tutorial")
    t.add_argument("--aux-weight", type=float, dest="aux_weight",
                   help="ACGAN class loss / InfoGAN information loss weight (1)")
    t.add_argument("--task", choices=("superres", "inpaint"),
                   help="pix2pix: super-resolution from 7x7, or filling a centre hole")
    t.add_argument("--l1-weight", type=float, dest="l1_weight", help="pix2pix L1 weight (100)")
    t.add_argument("--adv-weight", type=float, dest="adv_weight",
                   help="pix2pix adversarial weight (1; 0 trains a plain L1 U-Net)")
    t.add_argument("--gp-weight", type=float, dest="gp_weight", help="WGAN-GP lambda (10)")
    t.add_argument("--label-smoothing", type=float, dest="label_smoothing",
                   help="one-sided: real target 1 - s (e.g. 0.1)")
    t.add_argument("--fake-label", type=float, dest="fake_label",
                   help="target for fakes; 0.1 with --label-smoothing 0.1 is two-sided smoothing")
    t.add_argument("--instance-noise", type=float, dest="instance_noise",
                   help="std of noise on D's inputs, annealed to 0 (e.g. 0.05)")
    t.add_argument("--spectral-norm", action="store_true", dest="spectral_norm",
                   help="spectral normalisation in D")
    t.add_argument("--d-dropout", type=float, dest="d_dropout", help="dropout rate in D")
    t.add_argument("--pack", type=_positive_int, help="PacGAN: D judges packs of N samples")
    t.add_argument("--collapse-monitor", action="store_true", dest="collapse_monitor",
                   help="log the class entropy of fixed samples at each sample grid")
    t.add_argument("--jit-compile", action="store_true", dest="jit_compile",
                   help="XLA-compile the step (faster on GPUs)")
    t.add_argument("--mixed-precision", action="store_true", dest="mixed_precision",
                   help="float16 compute with loss scaling (for GPUs; slower on CPUs)")
    t.add_argument("--strategy", choices=("none", "mirrored", "tpu"),
                   help="tf.distribute: mirrored over all GPUs, or a Colab TPU (default none)")
    t.add_argument("--steps-per-call", type=_positive_int, dest="steps_per_call",
                   help="train steps per compiled call (default 20)")
    t.add_argument("--checkpoint-every", type=_positive_int, dest="checkpoint_every_steps",
                   help="steps between checkpoints (default: one epoch)")
    t.add_argument("--quiet", action="store_const", const=0, dest="verbose",
                   help="no progress output")

    s = sub.add_parser("sample", help="generate images from a run",
                       description="Generate images from a run's latest checkpoint.")
    s.add_argument("--run", required=True, help="run directory")
    s.add_argument("--n", type=_positive_int, required=True, help="number of images")
    s.add_argument("--out", required=True, help="FILE.png (a grid) or FILE.npz (uint8 images)")
    s.add_argument("--seed", type=int, default=0, help="latent vectors' seed (default 0)")
    s.add_argument("--label", type=int, help="conditional runs: generate this class only")
    s.add_argument("--inputs", help="pix2pix runs: an .npz of input images (default: the test "
                                    "split, degraded for the run's task)")

    e = sub.add_parser("evaluate", help="score samples: FID, precision/recall, ...",
                       description="Evaluate generated images against the real training set and "
                                   "print one JSON object with every metric.")
    source = e.add_mutually_exclusive_group(required=True)
    source.add_argument("--samples", help="an .npz written by `sample` (images, maybe labels)")
    source.add_argument("--run", help="evaluate this run's latest checkpoint directly")
    e.add_argument("--dataset", choices=("mnist", "fashion_mnist"),
                   help="the real data (needed with --samples; a run knows its own)")
    e.add_argument("--n", type=_positive_int, default=10000,
                   help="samples to draw with --run (default 10000)")
    e.add_argument("--seed", type=int, default=0, help="seed of the reference subset and samples")
    e.add_argument("--out", help="also write the JSON to this file")
    return parser


def cmd_evaluate(args) -> int:
    import json

    import numpy as np

    from gan_lib.evaluate import evaluate_run, evaluate_samples
    from gan_lib.io import atomic_write_text

    if args.run:
        report = evaluate_run(args.run, n=args.n, seed=args.seed)
    else:
        if not args.dataset:
            raise GanKitError("--samples needs --dataset mnist or --dataset fashion_mnist")
        try:
            with np.load(args.samples) as npz:
                images = npz["images"]
                labels = npz["labels"] if "labels" in npz.files else None
        except (OSError, ValueError, KeyError) as err:
            raise GanKitError(f"cannot read images from {args.samples} ({type(err).__name__}); "
                              "pass an .npz written by `python -m gan_lib sample`") from None
        report = evaluate_samples(args.dataset, images, labels, seed=args.seed)
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        atomic_write_text(args.out, text + "\n")
    return 0


def cmd_train(args) -> int:
    from gan_lib.config import TrainConfig
    from gan_lib.trainer import Trainer

    given = {k: v for k, v in vars(args).items()
             if k not in ("command", "out", "resume", "overwrite")}
    if args.resume and (Path(args.out) / "config.json").exists():
        # Options not given again are those of the run being resumed.
        config = TrainConfig.load(Path(args.out) / "config.json")
        for key, value in given.items():
            setattr(config, key, value)
        if "steps" in given:
            config.epochs = None
        if "epochs" in given:
            config.steps = None
    else:
        config = TrainConfig(**given)
    trainer = Trainer(config, args.out, resume=args.resume, overwrite=args.overwrite)
    trainer.train()
    if trainer.interrupted:
        return EXIT_INTERRUPTED
    print(f"done: step {trainer.global_step} in {args.out} (samples in {args.out}/samples, "
          f"curves in {args.out}/losses.png)")
    return 0


def cmd_sample(args) -> int:
    import numpy as np

    from gan_lib.sampling import load_generator, sample_images, write_samples

    out = Path(args.out)
    if out.suffix.lower() not in (".png", ".npz"):
        raise GanKitError(f"--out {out} must end in .png (a grid) or .npz (an array of images)")
    gan, config = load_generator(args.run)
    if gan.kind == "pix2pix":
        from gan_lib.sampling import translate_images

        inputs = None
        if args.inputs:
            try:
                with np.load(args.inputs) as npz:
                    inputs = npz["images"]
            except (OSError, ValueError, KeyError) as err:
                raise GanKitError(f"cannot read images from {args.inputs} "
                                  f"({type(err).__name__}); pass an .npz with an 'images' array") \
                    from None
        images, inputs, targets = translate_images(gan, config, args.n, inputs)
        if out.suffix.lower() == ".png":  # input | output (| target) side by side
            parts = [inputs, images] + ([targets] if targets is not None else [])
            images = np.stack(parts, axis=1).reshape((-1,) + images.shape[1:])
            write_samples(out, images)
        else:
            write_samples(out, images, inputs=inputs, targets=targets)
        print(f"wrote {args.n} translated images to {out}")
        return 0
    if args.inputs:
        raise GanKitError("--inputs is for pix2pix runs; this run generates from noise")
    images, labels = sample_images(gan, args.n, seed=args.seed, label=args.label)
    write_samples(out, images, labels)
    print(f"wrote {args.n} images to {out}")
    return 0


COMMANDS = {"train": cmd_train, "sample": cmd_sample, "evaluate": cmd_evaluate}


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from gan_lib import import_tensorflow_quietly

    import_tensorflow_quietly()
    try:
        return COMMANDS[args.command](args)
    except GanKitError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
