"""Seminar command timings (issue 13, point 6): each command as the room runs it, a fresh process each time.

Prints, for `status`, `turn`, `rewind`, `branch`, `switch` on a session of a few turns, the wall time and the CPU
time of the whole process (start-up, imports, replay) — best and median of N runs — with the machine's load; then
the dashboard's start: seconds from launching the server to its first answer, and to the facilitator's page shown
in Chromium (when Solara, Playwright and /usr/bin/chromium are there).
Targets: ≤ 1.5 s a command, the dashboard ready in ≤ 5 s.
Run: `python benchmarks/bench_seminar.py [--runs 5] [--turns 4] [--no-dashboard]`.
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
    ap.add_argument("--no-dashboard", action="store_true", help="Skip the dashboard's start-up timing.")
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
    if not a.no_dashboard:
        dashboard(path, a.runs)


def dashboard(path: Path, runs: int) -> None:
    """Time the dashboard server's start: first HTTP answer, and the facilitator's page shown in Chromium."""
    import importlib.util
    import socket
    import urllib.request

    if importlib.util.find_spec("solara") is None:
        print("dashboard: solara is not installed (the seminar extra); not timed")
        return
    from sim.seminar.dashboard import start
    from sim.seminar.record import SessionRecord

    key = SessionRecord.open(path).access()["facilitator"]
    browser_ok = importlib.util.find_spec("playwright") is not None and Path("/usr/bin/chromium").exists()
    answers, shown = [], []
    for _ in range(max(1, min(runs, 3))):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        t0 = time.perf_counter()
        proc = start(path, port=port, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
                        if r.status == 200:
                            break
                except OSError:
                    time.sleep(0.05)
            answers.append(time.perf_counter() - t0)
            if browser_ok:
                from playwright.sync_api import sync_playwright

                with sync_playwright() as p:
                    b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                          args=["--headless", "--no-sandbox", "--disable-gpu"])
                    page = b.new_page()
                    page.goto(f"http://127.0.0.1:{port}/facilitator?key={key}")
                    page.locator(".nato-chart img").wait_for(timeout=60_000)
                    shown.append(time.perf_counter() - t0)
                    b.close()
        finally:
            proc.terminate()
            proc.wait()
    line = f"dashboard: first answer best {min(answers):.2f} s, median {statistics.median(answers):.2f} s"
    if shown:
        line += (f"; facilitator page with its chart shown best {min(shown):.2f} s, "
                 f"median {statistics.median(shown):.2f} s (includes Chromium's start)")
    print(line + f" ({len(answers)} starts)")


if __name__ == "__main__":
    main()
