"""The compiled mechanism kernels and the worker start methods change nothing in the results.

The mechanisms' per-state loops are compiled with numba.  With ``NUMBA_DISABLE_JIT=1``
the same functions run as the plain Python they are written in: the two must agree,
so a numba-specific reading of the source (integer division, wrapped indices, a typed
constant) cannot slip in unnoticed.  Worker pools start their processes by forking
this process when it runs a single thread and through a fork server otherwise; both
must give the tables of the serial run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from sim.model import NatoRussiaModel

ROOT = Path(__file__).resolve().parents[1]

_RUN = """
import sys, numpy as np, sim
from sim.model import NatoRussiaModel
setup = sim.load_scenario(sys.argv[1]).setup()
model = NatoRussiaModel(setup, rng=int(sys.argv[2]), mesa_collect=False).run()
np.savez(sys.argv[3], states=model.state_records, scalars=model.scalar_records,
         events=np.array([repr(e[:4]) for e in model.event_log]))
"""


def _interpreted(seed: int, out: Path) -> dict:
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1"}
    subprocess.run([sys.executable, "-c", _RUN, str(ROOT / "scenarios" / "historical.yaml"), str(seed), str(out)],
                   check=True, env=env, cwd=ROOT)
    return dict(np.load(out))


def test_compiled_kernels_compute_what_their_python_source_says(historical, tmp_path):
    seed = 5
    plain = _interpreted(seed, tmp_path / "plain.npz")
    model = NatoRussiaModel(historical.setup(), rng=seed, mesa_collect=False).run()
    assert [repr(e[:4]) for e in model.event_log] == plain["events"].tolist()
    np.testing.assert_allclose(model.state_records, plain["states"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(model.scalar_records, plain["scalars"], rtol=0, atol=1e-12)


def test_forked_and_fork_server_workers_give_the_serial_tables(historical):
    serial = sim.run(historical, seeds=[8, 9], workers=1)
    forked = sim.run(historical, seeds=[8, 9], workers=2)  # this process runs one thread: workers are forked
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()  # another thread: the pool now starts its workers from a fork server
    try:
        served = sim.run(historical, seeds=[8, 9], workers=2)
    finally:
        stop.set()
        other.join()
    for key in ("timeseries", "states", "events"):
        pd.testing.assert_frame_equal(getattr(serial, key), getattr(forked, key))
        pd.testing.assert_frame_equal(getattr(serial, key), getattr(served, key))


def test_start_method_follows_the_threads_of_this_process():
    from sim.runner import process_context

    if threading.active_count() == 1:
        assert process_context(["sim.runner"]).get_start_method() == "fork"
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    other.start()
    try:
        assert process_context(["sim.runner"]).get_start_method() == "forkserver"
    finally:
        stop.set()
        other.join()
