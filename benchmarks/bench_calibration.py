"""Calibration benchmark: the wall and CPU time of the screening and of an ABC-SMC calibration.

Run: python benchmarks/bench_calibration.py [--population 100] [--generations 4] [--workers 2]
     [--screen-seeds 3] [--sampler lockstep|single|multicore] [--seed 1] [--skip-screen] [--skip-abc]
     [--out DIR]

The configuration is `natosim calibrate`'s on a smaller budget: the historical scenario on the
registry's values, the record up to 2023, the screening of every candidate (``CANDIDATES``) at both
ends of its range with ``--screen-seeds`` seeds, then ABC-SMC of the parameters the packaged
calibration estimated (``sim/data/calibrated.yaml``) with ``--population`` particles for
``--generations`` generations (the CLI's defaults: 200 and 10).  Prints, for each part, the wall
time, the CPU time of this process and of its worker processes (``getrusage``: children counted once
they are joined), the number of simulations, the load average before and after, and writes the
screening table and the final population under ``--out`` (to compare two runs).  Asserts nothing.
"""

from __future__ import annotations

import argparse
import inspect
import os
import resource
import time
from pathlib import Path

import numpy as np
import yaml

from sim import calibration as cal
from sim.scenario import load_scenario


def cpu() -> float:
    """Return the CPU seconds of this process and of its joined children (user + system)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def load() -> str:
    """Return the 1-, 5- and 15-minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    """Print the calibration's figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--population", type=int, default=100)
    parser.add_argument("--generations", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--screen-seeds", type=int, default=3)
    parser.add_argument("--sampler", default="lockstep", help="lockstep, single or multicore (if supported)")
    parser.add_argument("--seed", type=int, default=1, help="numpy's global seed before the ABC run")
    parser.add_argument("--skip-screen", action="store_true")
    parser.add_argument("--skip-abc", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("results/bench_calibration"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    sc = load_scenario("historical", calibration="none")  # as `natosim calibrate`
    params = list(yaml.safe_load(cal.DEFAULT_FILE.read_text(encoding="utf-8"))["parameters"])
    print(f"load before: {load()}  ({os.cpu_count()} cores)", flush=True)
    if not args.skip_screen:
        kwargs = {"workers": args.workers}
        wall, c = time.perf_counter(), cpu()
        table = cal.screen(sc, seeds=args.screen_seeds, **kwargs)
        wall, c = time.perf_counter() - wall, cpu() - c
        runs = (2 * len(cal.CANDIDATES) + 2) * args.screen_seeds
        print(f"screen: {len(cal.CANDIDATES)} candidates x 2 ends x {args.screen_seeds} seeds + noise floor "
              f"({runs} runs), workers {args.workers}: wall {wall:.1f} s, CPU {c:.1f} s; load {load()}", flush=True)
        table.to_csv(args.out / "screening.csv", index=False)
    if not args.skip_abc:
        kwargs = {"workers": args.workers}
        if "sampler" in inspect.signature(cal.calibrate).parameters:
            kwargs["sampler"] = args.sampler
            label = args.sampler
        else:
            label = "multicore" if args.workers > 1 else "single"
        np.random.seed(args.seed)
        wall, c = time.perf_counter(), cpu()
        post = cal.calibrate(sc, params, population=args.population, generations=args.generations,
                             walltime_min=30, log=False, db_dir=args.out, **kwargs)
        wall, c = time.perf_counter() - wall, cpu() - c
        extra = "".join(f", {k} {v}" for k, v in post.extra.items())
        print(f"calibrate ({label} sampler): {len(params)} parameters, population {args.population}, "
              f"{post.generations} generations, {post.simulations} simulations{extra}, workers {args.workers}: "
              f"wall {wall:.1f} s, CPU {c:.1f} s, {1000 * c / post.simulations:.0f} ms CPU per simulation; "
              f"load {load()}", flush=True)
        print("epsilons: " + ", ".join(f"{e:.4g}" for e in post.epsilons))
        post.particles.assign(weight=post.weights).to_csv(args.out / f"particles-{label}.csv", index=False)


if __name__ == "__main__":
    main()
