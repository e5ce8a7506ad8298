"""What a worker pool's fork server loads before it forks any worker.

Imported (never called) through ``set_forkserver_preload``: it imports the model and
runs the historical scenario once, so the compiled mechanism kernels (numba) are in the
fork server's memory and every worker forked from it starts with them, instead of
each loading them from numba's cache on its first step (about a quarter of a second).
"""

from __future__ import annotations


def warm_up() -> None:
    """Run the historical scenario once so every mechanism kernel is compiled or loaded."""
    from sim.model import NatoRussiaModel
    from sim.scenario import default_setup

    try:
        NatoRussiaModel(default_setup(), rng=0, mesa_collect=False).run()
    except Exception:  # noqa: BLE001 - best effort: a worker loads what it needs on first use anyway
        pass


warm_up()
