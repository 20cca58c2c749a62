"""Repository-wide pytest set-up (applies to tests/ and to the notebooks run by nbval).

Notebooks run in their fast mode under pytest: a few dozen training steps each. Set
GAN_KIT_FAST=0 to run them in full (long on a CPU).
"""
import os

os.environ.setdefault("GAN_KIT_FAST", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# Notebooks run with their own folder as the working directory: make a relative data path
# (the README's GAN_DATA_DIR=../shared/data) absolute so that every kernel finds the data.
if os.environ.get("GAN_DATA_DIR"):
    os.environ["GAN_DATA_DIR"] = os.path.abspath(os.environ["GAN_DATA_DIR"])
