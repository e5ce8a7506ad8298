"""The batched forms of the model's phases: each runs one phase of a step for every run of a ``Lockstep``.

One module per phase of ``NatoRussiaModel.PHASES``.  Each registers, with
``sim.lockstep.batched_phase``, a function that does for all R runs at once
exactly what the model's phase method of the same name does for one run: the
same arithmetic in the same order on each run's rows, the same draws from each
run's own generators, the same events emitted through each run's model (so
directives and vetoes act as in a single run).  ``tests/test_lockstep.py`` holds
every batched phase equal, bit for bit and step by step, to its phase run model
by model.
"""

from __future__ import annotations

import importlib
import pkgutil

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
