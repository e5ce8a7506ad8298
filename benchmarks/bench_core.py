"""Core benchmark: one historical run, a 20-seed ensemble, and step cost against the number of states.

Run: python benchmarks/bench_core.py [--repeat 10]
Prints figures; asserts nothing (timing belongs here, not in tests).
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

import sim
from sim.model import NatoRussiaModel
from sim.runner import run_one

ROOT = Path(__file__).resolve().parents[1]


def one_run(setup, repeat: int) -> tuple[float, float, float, float, float]:
    """Return (best, median) wall seconds of one full run with all outputs as tables, model-only best,
    and the best CPU (thread) seconds of both (steadier than wall time on a shared machine)."""
    run_one(setup, 0)  # warm caches
    times, model_times, cpu, model_cpu = [], [], [], []
    for seed in range(repeat):
        began, began_cpu = time.perf_counter(), time.thread_time()
        run_one(setup, seed)
        times.append(time.perf_counter() - began)
        cpu.append(time.thread_time() - began_cpu)
        began, began_cpu = time.perf_counter(), time.thread_time()
        NatoRussiaModel(setup, rng=seed, mesa_collect=False).run()
        model_times.append(time.perf_counter() - began)
        model_cpu.append(time.thread_time() - began_cpu)
    return min(times), statistics.median(times), min(model_times), min(cpu), min(model_cpu)


def ensemble(scenario, workers: int, seeds: int = 20) -> float:
    """Return runs per second for a seed ensemble."""
    began = time.perf_counter()
    sim.run(scenario, seeds=range(seeds), workers=workers)
    return seeds / (time.perf_counter() - began)


def synthetic_setup(setup, n_states: int):
    """Return a setup with synthetic states added (copies of real ones, shifted capitals) up to n_states."""
    rng = np.random.default_rng(0)
    roster = list(setup.roster)
    base = [s for s in setup.roster if s["code"] != "RUS"]
    k = 0
    while len(roster) < n_states:
        src = base[k % len(base)]
        lat, lon = src["capital"]
        clone = {**src, "code": f"Q{k // 26 % 26 + 65:c}{k % 26 + 65:c}", "name": f"Synthetic {k}",
                 "accession": None, "capital": (lat + rng.normal(0, 2), lon + rng.normal(0, 2))}
        clone["code"] = clone["code"][:3] if len(clone["code"]) >= 3 else clone["code"] + "X"
        roster.append(clone)
        k += 1
    return replace(setup, roster=roster)


def step_cost(setup, steps: int = 120, repeat: int = 3) -> float:
    """Return the best mean wall time of one step, in milliseconds."""
    best = math.inf
    for seed in range(repeat):
        model = NatoRussiaModel(setup, rng=seed, mesa_collect=False)
        began = time.perf_counter()
        for _ in range(steps):
            model.step()
        best = min(best, (time.perf_counter() - began) / steps)
    return best * 1000


def main() -> None:
    """Print the core benchmark figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    scenario = sim.load_scenario(ROOT / "scenarios" / "historical.yaml")
    setup = scenario.setup()
    n_steps = len(NatoRussiaModel(setup, rng=0).dates)
    best, median, model_best, cpu, model_cpu = one_run(setup, args.repeat)
    print(f"historical run: {len(setup.roster)} states x {n_steps} monthly steps")
    print(f"  one run, all outputs as tables: best {best * 1000:.0f} ms, median {median * 1000:.0f} ms "
          f"(model alone, outputs in arrays: best {model_best * 1000:.0f} ms); target < 150 ms")
    print(f"  CPU time (thread), best: {cpu * 1000:.0f} ms with tables, {model_cpu * 1000:.0f} ms model alone")
    for workers in (1, 2):
        print(f"  20-seed ensemble, {workers} worker(s): {ensemble(scenario, workers):.1f} runs/s")
    print("step cost against the number of states (synthetic states added):")
    costs = {}
    for n in (45, 90, 180):
        costs[n] = step_cost(synthetic_setup(setup, n))
        print(f"  {n:4d} states: {costs[n]:.3f} ms/step")
    for a, b in ((45, 90), (90, 180)):
        exponent = math.log(costs[b] / costs[a]) / math.log(b / a)
        print(f"  growth {a}->{b}: x{costs[b] / costs[a]:.2f} (exponent {exponent:.2f}; target <= 2)")


if __name__ == "__main__":
    main()
