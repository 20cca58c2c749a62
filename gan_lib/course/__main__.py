"""``python -m gan_lib.course``: the course's editions and its grader.

    python -m gan_lib.course edition student OUT_DIR      # exercises as stubs, hidden checks out
    python -m gan_lib.course edition instructor OUT_DIR   # the reference solutions filled in
    python -m gan_lib.course grade DIR --out grades.csv   # run completed notebooks, one row each

``edition`` reads the course's ``notebooks/`` (or ``--source DIR``) and writes one file per
notebook; ``grade`` runs every notebook in DIR and writes a CSV of its exercises' scores (see
gan_lib/course/editions.py, gan_lib/course/grading.py and docs/course_editions.md). A mistake
(a missing folder, a folder without notebooks, a bad option) prints one line and exits with 2.
"""
from __future__ import annotations

import argparse
import sys

from gan_lib.cli import EXIT_INTERRUPTED, EXIT_USAGE, OneLineParser
from gan_lib.errors import GanKitError


def _seconds(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a positive number of seconds, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    from gan_lib.course.grading import DEFAULT_TIMEOUT

    parser = OneLineParser(prog="python -m gan_lib.course", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True, parser_class=OneLineParser)
    edition = commands.add_parser("edition", help="write the student or instructor edition")
    edition.add_argument("kind", choices=("student", "instructor"))
    edition.add_argument("out_dir", metavar="OUT_DIR", help="folder to write the notebooks to")
    edition.add_argument("--source", metavar="DIR", default=None,
                         help="the notebooks to start from (default: the course's notebooks/)")
    grade = commands.add_parser("grade", help="run completed notebooks and score their exercises")
    grade.add_argument("dir", metavar="DIR", help="folder of completed .ipynb notebooks")
    grade.add_argument("--out", default="grades.csv", help="CSV to write (default grades.csv)")
    grade.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT,
                       help=f"seconds allowed per notebook (default {DEFAULT_TIMEOUT})")
    return parser


def run(args) -> int:
    if args.command == "edition":
        from gan_lib.course.editions import write_edition

        written = write_edition(args.kind, args.out_dir, args.source)
        print(f"wrote the {args.kind} edition of {len(written)} notebooks to {args.out_dir}")
        return 0
    from gan_lib.course.grading import grade_folder

    rows = grade_folder(args.dir, args.out, args.timeout)
    total = sum(row.total for row in rows)
    out_of = sum(len(row.scores) for row in rows)
    print(f"graded {len(rows)} notebooks: {total:g} of {out_of} exercises passed; wrote {args.out}")
    return 0


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except GanKitError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:  # a read-only or full disk, a file where a folder should be
        print(f"error: cannot write {err.filename or 'the output'}: {err.strerror or err}",
              file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted: no CSV written", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
