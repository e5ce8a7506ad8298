"""Compare benchmark: `natosim compare` on three scenarios with 50 seeds each (target: under a minute).

Run: python benchmarks/bench_compare.py [SCENARIO ...] [--seeds 50] [--workers 2]
Prints the wall time of the whole command (runs, metrics, plots, files).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Time `natosim compare` end to end."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenarios", nargs="*", default=["baseline", "ceasefire", "us_reduced"])
    parser.add_argument("--seeds", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        began = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "sim", "compare", *args.scenarios, "--seeds", str(args.seeds),
             "--workers", str(args.workers), "--out", str(Path(tmp) / "cmp")],
            cwd=ROOT, capture_output=True, text=True, check=False,
        )
        wall = time.perf_counter() - began
    if proc.returncode != 0:
        print(proc.stderr)
        raise SystemExit(proc.returncode)
    runs = len(args.scenarios) * args.seeds
    print(f"natosim compare {' '.join(args.scenarios)}: {args.seeds} seeds each, {args.workers} workers")
    print(f"  {runs} runs to 2035 with metrics, plots and files: {wall:.1f} s ({runs / wall:.1f} runs/s); target < 60 s")


if __name__ == "__main__":
    main()
