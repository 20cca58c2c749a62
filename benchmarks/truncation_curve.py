"""Precision against recall as the latent distribution is truncated at sampling time.

Truncation (Brock et al., 2019) is not a better generator: it spends recall to buy precision by
sampling only the middle of the latent space. The kit's defaults never truncate; this curve shows
the trade-off for one trained run, so that a number reported with truncation can be read for
what it is.

    python benchmarks/truncation_curve.py --run checkpoints/dcgan_mnist

Each psi: 5,000 samples (the same seed), scored against the held-out test digits as in
``time_to_quality.py``. Writes ``results/truncation-<dataset>.json`` and a plot beside it.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("GAN_DATA_DIR", str(Path(__file__).resolve().parents[2] / "shared" / "data"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # gan_lib from this checkout

import gan_lib  # noqa: E402

gan_lib.import_tensorflow_quietly()

from gan_lib.checkpoint import load_generator  # noqa: E402
from gan_lib.classifier import load_classifier  # noqa: E402
from gan_lib.errors import ConfigError  # noqa: E402
from gan_lib.sampling import sample_images  # noqa: E402
from common import machine_facts, score, write_report  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", required=True)
    p.add_argument("--psi", default="0.5,0.75,1,1.5,2,inf")
    p.add_argument("--n", type=int, default=5000)
    p.add_argument("--out")
    args = p.parse_args(argv)
    gan, config = load_generator(args.run)
    if gan.conditional or gan.variant.code_size:
        raise ConfigError("the truncation curve is for unconditional runs without codes "
                          "(--model dcgan or mlp)")
    classifier = load_classifier(config.dataset)
    rows = []
    for psi in [float(x) for x in args.psi.split(",")]:
        images, _ = sample_images(gan, args.n, seed=1, truncation=psi)
        row = {"psi": psi, **score(config.dataset, images, classifier)}
        rows.append(row)
        print(row, flush=True)
    report = {"run": str(args.run), "dataset": config.dataset, "n": args.n, "rows": rows,
              "command": "python benchmarks/truncation_curve.py " + " ".join(argv or sys.argv[1:]),
              "machine": machine_facts()}
    out = Path(args.out or Path(__file__).parent / "results" / f"truncation-{config.dataset}.json")
    write_report(report, out)
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4.5, 4))
    ax = fig.subplots()
    ax.plot([r["recall"] for r in rows], [r["precision"] for r in rows], "o-")
    for r in rows:
        ax.annotate(f"psi={r['psi']:g}", (r["recall"], r["precision"]), fontsize=8)
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title("truncation: precision bought with recall", fontsize=10)
    fig.savefig(out.with_suffix(".png"), dpi=80, bbox_inches="tight")
    print(f"wrote {out} and {out.with_suffix('.png')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
