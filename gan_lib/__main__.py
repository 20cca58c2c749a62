"""`python -m gan_lib ...` runs the command line (see gan_lib/cli.py)."""
import sys

from gan_lib.cli import main

sys.exit(main())
