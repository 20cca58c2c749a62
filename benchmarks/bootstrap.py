"""What every benchmark script does before it imports TensorFlow: find the data and this checkout.

A benchmark runs as ``python benchmarks/NAME.py`` from any folder, so its own folder is on
``sys.path`` and ``import bootstrap`` works; this module then puts the checkout's ``gan_lib``
first on the path (the code being measured is the code beside the script, never an installed
copy) and points ``GAN_DATA_DIR`` at ``../shared/data`` unless the caller set it.
"""
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("GAN_DATA_DIR", str(ROOT.parent / "shared" / "data"))
sys.path.insert(0, str(ROOT))

import gan_lib  # noqa: E402

tf = gan_lib.import_tensorflow_quietly()
