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

from sim.lazy import lazy_names

try:
    __version__ = version("natosim")
except PackageNotFoundError:  # running from a source tree
    __version__ = "0.0.0+local"

#: the public names and the modules that define them, imported on first use: `import sim` (and every command
#: line, `natosim --help` among them) does not pay for the model, Mesa and pandas until it needs them
_LAZY = {
    "NatoRussiaModel": "sim.model",
    "RunResult": "sim.runner",
    "run": "sim.runner",
    "Scenario": "sim.scenario",
    "ScenarioError": "sim.scenario",
    "load_scenario": "sim.scenario",
}


__getattr__ = lazy_names(__name__, _LAZY)

__all__ = ["NatoRussiaModel", "RunResult", "Scenario", "ScenarioError", "__version__", "load_scenario", "run"]
