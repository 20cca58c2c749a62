"""Repository-wide pytest set-up (applies to tests/ and to the notebooks run by nbval).

Notebooks run in their fast mode under pytest: a few dozen training steps each. Set
GAN_KIT_FAST=0 to run them in full (long on a CPU).
"""
import os

os.environ.setdefault("GAN_KIT_FAST", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
