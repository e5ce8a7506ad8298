"""natosim: an agent-based simulation of NATO–Russia relations on Mesa.

Python API::

    import sim
    scenario = sim.load_scenario("scenarios/historical.yaml")
    result = sim.run(scenario, seeds=range(20))
    result.timeseries, result.states, result.events
    result.save("results/historical")
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("natosim")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+local"

from sim.model import NatoRussiaModel
from sim.runner import RunResult, run
from sim.scenario import Scenario, ScenarioError, load_scenario

__all__ = ["NatoRussiaModel", "RunResult", "Scenario", "ScenarioError", "__version__", "load_scenario", "run"]
