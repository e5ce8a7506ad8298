"""Seminar command timings (issue 13, point 6): each command as the room runs it, a fresh process each time.

Prints, for `status`, `turn`, `rewind`, `branch`, `switch` on a session of a few turns, the wall time and the CPU
time of the whole process (start-up, imports, replay) — best and median of N runs — with the machine's load.
Target: ≤ 1.5 s a command on this machine.  Run: `python benchmarks/bench_seminar.py [--runs 5] [--turns 4]`.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(args: list[str]) -> tuple[float, float]:
    """Run `natosim seminar ARGS` in a fresh process; return (wall s, CPU s of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sim", "seminar", *args], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    """Build a session, then time each command, interleaved, and print the table."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--turns", type=int, default=4)
    a = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-seminar-"))
    path = folder / "s.json"
    subprocess.run([sys.executable, "-m", "sim", "seminar", "new", "baseline", "--at", "2023-07", "--seed", "37",
                    "--out", str(path)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    for _ in range(a.turns):
        subprocess.run([sys.executable, "-m", "sim", "seminar", "turn", str(path), "--empty"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    last = a.turns
    commands = {
        "status": ["status", str(path)],
        "branch": None,  # a new name each run
        "switch": ["switch", str(path), "main"],
        "turn": ["turn", str(path), "--empty"],
        "rewind": None,  # back to the last turn before the one just played
    }
    times: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for run in range(a.runs):
        for name, args in commands.items():
            if name == "branch":
                args = ["branch", str(path), f"b{run}", "--from", "1"]
            if name == "rewind":
                args = ["rewind", str(path), str(last), "--yes"]
            times[name].append(timed(args))
    load = os.getloadavg()
    print(f"seminar commands, fresh process each, {a.runs} runs, session of {a.turns} turns; "
          f"load average {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1/5/15 min), {os.cpu_count()} cores")
    print(f"{'command':<8} {'wall best':>10} {'wall median':>12} {'CPU best':>9} {'CPU median':>11}")
    for name, ts in times.items():
        walls, cpus = [t[0] for t in ts], [t[1] for t in ts]
        print(f"{name:<8} {min(walls):>9.2f}s {statistics.median(walls):>11.2f}s {min(cpus):>8.2f}s "
              f"{statistics.median(cpus):>10.2f}s")


if __name__ == "__main__":
    main()
