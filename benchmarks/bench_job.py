"""Whole-job benchmark: the main job and the command line's start, end to end, in fresh processes.

Run: python benchmarks/bench_job.py [--repeat 3] [--seeds 20] [--workers 2]

Times, alternating in one run after a warm-up (so both see the same spells of load):
``natosim --help``, and ``natosim run historical --seeds 20 --workers 2`` into a new
folder (the runs, the tables, the summary and every plot; issue 15's targets: 0.7 s
and 6 s warm). Prints each time, the best and the median, with the load average
before and after; then, for one more run in a fresh process through the Python API,
how long each part took (imports, loading the scenario, the runs, the tables and
plots). Asserts nothing: figures only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NATOSIM = [sys.executable, "-c", "import sys; from sim.entry import main; sys.argv[0] = 'natosim'; main()"]


def timed(args: list[str], cwd: Path) -> tuple[float, str]:
    """Return the wall seconds of one fresh ``natosim`` process with ``args``, and its output."""
    began = time.perf_counter()
    done = subprocess.run(NATOSIM + args, check=False, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"natosim {' '.join(args)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return wall, done.stdout


PARTS = """
import sys, time
began = time.perf_counter()
import sim
from sim.runner import run
imported = time.perf_counter()
scenario = sim.load_scenario("scenarios/historical.yaml")
loaded = time.perf_counter()
result = run(scenario, seeds=range({seeds}), workers={workers})
ran = time.perf_counter()
result.save(sys.argv[1], plots=True, workers={workers}, svg=False)
saved = time.perf_counter()
print(f"imports {{imported - began:.2f}} s, scenario {{loaded - imported:.2f}} s, runs {{ran - loaded:.2f}} s, "
      f"tables and plots {{saved - ran:.2f}} s, in all {{saved - began:.2f}} s")
"""


def load() -> str:
    """Return the one-minute load average."""
    return f"{os.getloadavg()[0]:.2f}"


def main() -> None:
    """Print the whole-job figures."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each command (default 3)")
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="natosim-bench-job-"))
    job = ["run", "historical", "--seeds", str(args.seeds), "--workers", str(args.workers)]
    try:
        timed(["--help"], ROOT)  # warm-up: bytecode, numba's cache, the page cache
        timed(job + ["--out", str(scratch / "warm")], ROOT)
        helps, jobs = [], []
        print(f"load before: {load()}  (cpus: {os.cpu_count()})")
        for i in range(args.repeat):
            helps.append(timed(["--help"], ROOT)[0])
            jobs.append(timed(job + ["--out", str(scratch / f"run{i}")], ROOT)[0])
            print(f"  round {i + 1}: --help {helps[-1]:.2f} s, job {jobs[-1]:.2f} s (load {load()})", flush=True)
        print(f"natosim --help: best {min(helps):.2f} s, median {statistics.median(helps):.2f} s (target <= 0.7)")
        print(f"natosim {' '.join(job)}: best {min(jobs):.2f} s, median {statistics.median(jobs):.2f} s "
              "(target <= 6)")
        print(f"load after: {load()}")
        files = sorted(p.name for p in (scratch / "run0").iterdir())
        print(f"written: {len(files)} files ({', '.join(files)})")
        code = PARTS.format(seeds=args.seeds, workers=args.workers)
        parts = subprocess.run([sys.executable, "-c", code, str(scratch / "parts")], cwd=ROOT, capture_output=True,
                               text=True, check=True)
        print(f"parts (Python API, fresh process): {parts.stdout.strip()}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
