"""Lockstep benchmark: runs per CPU-second of the lockstep engine against runs one by one, on the same seeds.

Run: python benchmarks/bench_lockstep.py [--seeds 1000] [--block 125] [--scenario historical]
     [--ensemble 1000] [--skip-ensemble]

Prints, measured in one process and interleaved block by block (a block of seeds
run one model at a time, then the same seeds as one lockstep chunk, then the next
block), the CPU time of each engine (process time: the work is single-threaded),
their ratio, and a check that both gave the same records for every seed.  Then the
wall time of a whole ensemble through ``run_many`` with two workers (the timeseries and events
tables built, not the per-state table),
with the load average.  Asserts nothing: figures only.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

import sim
from sim.lockstep import Lockstep, describe
from sim.model import NatoRussiaModel
from sim.runner import run_many


def per_run(setup, seeds: list[int]) -> tuple[float, list[NatoRussiaModel]]:
    """Return the CPU seconds of running the seeds one model at a time, and the models."""
    began = time.process_time()
    models = [NatoRussiaModel(setup, rng=s, mesa_collect=False).run() for s in seeds]
    return time.process_time() - began, models


def lockstep(setup, seeds: list[int]) -> tuple[float, list[NatoRussiaModel]]:
    """Return the CPU seconds of running the seeds as one lockstep ensemble, and its models."""
    began = time.process_time()
    models = Lockstep(setup, seeds).run().models
    return time.process_time() - began, models


def same(a: NatoRussiaModel, b: NatoRussiaModel) -> bool:
    """Whether two runs recorded the same outputs and events."""
    return (np.array_equal(a.state_records, b.state_records, equal_nan=True)
            and np.array_equal(a.scalar_records, b.scalar_records) and a.event_log == b.event_log)


def main() -> None:
    """Print the lockstep figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scenario", default="historical")
    parser.add_argument("--seeds", type=int, default=1000, help="seeds compared (default 1000)")
    parser.add_argument("--block", type=int, default=125, help="seeds per interleaved block = lockstep chunk")
    parser.add_argument("--ensemble", type=int, default=1000, help="runs of the whole-ensemble wall time")
    parser.add_argument("--skip-ensemble", action="store_true")
    parser.add_argument("--check-seeds", type=int, default=20,
                        help="seeds of the equality check over the five scenarios (0 skips it)")
    args = parser.parse_args()
    if args.check_seeds:
        for name in ("historical", "baseline", "baltic_incursion", "ceasefire", "us_reduced"):
            setup = sim.load_scenario(name).setup()
            check = list(range(args.check_seeds))
            _, ones = per_run(setup, check)
            _, locks = lockstep(setup, check)
            worst = max(float(np.nanmax(np.abs(a.state_records - b.state_records))) for a, b in zip(ones, locks))
            differ = sum(not same(a, b) for a, b in zip(ones, locks, strict=True))
            print(f"equality {name}: {differ} of {len(check)} runs differ (largest difference {worst:g})", flush=True)
    setup = sim.load_scenario(args.scenario).setup()
    batched = [p for p, b in describe().items() if b]
    print(f"scenario {args.scenario}: {len(NatoRussiaModel(setup, rng=0).dates)} steps, {len(setup.roster)} states")
    print(f"phases batched: {len(batched)} of {len(describe())} ({', '.join(p.removeprefix('_phase_') for p in batched)})")
    # warm both paths (numba caches, first-call costs)
    per_run(setup, [0])
    lockstep(setup, [0, 1])
    seeds = list(range(args.seeds))
    cpu_one = cpu_lock = 0.0
    differ = 0
    for a in range(0, len(seeds), args.block):
        block = seeds[a:a + args.block]
        t1, ones = per_run(setup, block)
        t2, locks = lockstep(setup, block)
        cpu_one += t1
        cpu_lock += t2
        differ += sum(not same(x, y) for x, y in zip(ones, locks, strict=True))
        print(f"  seeds {block[0]}..{block[-1]}: one by one {t1:6.2f} s CPU, lockstep {t2:6.2f} s CPU "
              f"(x{t1 / t2:.2f}), load {os.getloadavg()[0]:.2f}", flush=True)
    n = len(seeds)
    print(f"one by one: {n / cpu_one:7.1f} runs per CPU-second ({1000 * cpu_one / n:.1f} ms a run)")
    print(f"lockstep:   {n / cpu_lock:7.1f} runs per CPU-second ({1000 * cpu_lock / n:.1f} ms a run), "
          f"chunks of {args.block}")
    print(f"ratio lockstep / one by one: x{cpu_one / cpu_lock:.2f} (target >= 6)")
    print(f"runs whose records differ between the two: {differ} of {n}")
    if not args.skip_ensemble:
        scenario = sim.load_scenario(args.scenario)
        run_many([scenario], range(4), workers=2, states=False)  # warm the worker start
        load = os.getloadavg()[0]
        began = time.perf_counter()
        run_many([scenario], range(args.ensemble), workers=2, states=False)
        wall = time.perf_counter() - began
        print(f"run_many([{args.scenario}], {args.ensemble} seeds, workers=2, states=False), timeseries and events "
              f"tables built: {wall:.1f} s wall (target <= 15 s), load before {load:.2f}")


if __name__ == "__main__":
    main()
