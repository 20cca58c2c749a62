"""One training run as three objects: a plan (plan.py), a state (state.py) and a loop (loop.py).

``plan`` resolves a config, the data and a run directory into a frozen plan; ``state`` holds
what a checkpoint saves; ``loop`` runs the compiled calls (compiled.py) and calls the callbacks
with a narrow view of the run (view.py); ``files`` writes the run directory. The
:class:`~gan_lib.trainer.Trainer` facade wires them together.
"""
