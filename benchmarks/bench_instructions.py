"""Instruction counts: one historical run's instructions (callgrind) against issue 15's fused floor.

Run: python benchmarks/bench_instructions.py [--runs 3] [--chunk 32] [--no-single] [--top 10] [--keep DIR]

Issue 15 measured one historical run (45 states x 385 months) on the old per-run path at 442 M
instructions, and one fused numba kernel doing the same arithmetic and draws at 72 M (the "fused
floor"; there is no script for it in the repository, the figures are the issue's). This script counts,
with ``valgrind --tool=callgrind``, the instructions of one run today on

  (a) the per-run path, ``NatoRussiaModel(setup, rng=seed, mesa_collect=False).run()``, seeds 1..runs;
  (b) the lockstep engine, ``Lockstep(setup, seeds).run()``, one chunk of ``--chunk`` runs (and of one run);

each the cost of building the models and running them, per run. Each case is a child process that
imports ``sim``, loads the scenario and warms both paths (numba kernels from the cache, one run of each)
with callgrind's instrumentation off (``--instr-atstart=no``: Python's imports under instrumentation cost
some 40 G instructions and ten minutes), then switches it on and dumps the counters before and after the
measured runs (callgrind's client requests, made from a few bytes of x86-64 code through ctypes; they are
no-ops outside valgrind). The figure per run is the dump around the runs divided by their number; the
difference method (all the instructions counted after the switch, N runs against the same child with none,
divided by N) is printed beside it as a check. Numba keys its cache by CPU and valgrind shows the program
another one (no AVX-512), so a first uncounted child under valgrind compiles the kernels for it: the
counted kernels are that CPU's code, not quite the native code. Then the CPU time per run of the same code outside valgrind,
and where the lockstep chunk's instructions go (callgrind_annotate, inclusive; self cost by object file).

Needs valgrind (``sudo apt-get install -y valgrind``) on x86-64 Linux. One core; about 8 minutes on a quiet machine.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import mmap
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

#: issue 15's figures (callgrind, one historical run): the old per-run path, and one fused numba kernel doing
#: the same arithmetic and draws (the "fused floor"; no script for it in the repository)
OLD_PER_RUN = 442e6
FUSED_FLOOR = 72e6

#: callgrind's client requests (valgrind/callgrind.h): VG_USERREQ_TOOL_BASE('C', 'T') + n
_CT = (ord("C") << 24) | (ord("T") << 16)
DUMP_STATS_AT, START_INSTRUMENTATION = _CT + 3, _CT + 4
#: x86-64 code of a client request: rax = pointer to (request, 5 arguments), rdx = default result; the four
#: rotations of rdi (128 bits in all: a no-op) and ``xchg rbx, rbx`` are the sequence valgrind recognises
_REQUEST_CODE = bytes.fromhex(
    "4889f8"    # mov rax, rdi
    "31d2"      # xor edx, edx
    "48c1c703"  # rol rdi, 3
    "48c1c70d"  # rol rdi, 13
    "48c1c73d"  # rol rdi, 61
    "48c1c733"  # rol rdi, 51
    "4887db"    # xchg rbx, rbx
    "4889d0"    # mov rax, rdx
    "c3"        # ret
)
ROOT = Path(__file__).resolve().parents[1]
#: the child processes' environment: one thread everywhere, the same string hashes in every child
CHILD_ENV = {"NUMBA_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
             "MKL_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}


class ClientRequest:
    """Valgrind client requests from Python (outside valgrind they return 0 and do nothing)."""

    def __init__(self) -> None:
        self._page = mmap.mmap(-1, mmap.PAGESIZE, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
        self._page.write(_REQUEST_CODE)
        address = ctypes.addressof(ctypes.c_char.from_buffer(self._page))
        self._call = ctypes.CFUNCTYPE(ctypes.c_uint64, ctypes.c_void_p)(address)

    def __call__(self, request: int, arg: int = 0) -> int:
        """Make the request with one argument; return valgrind's answer."""
        args = (ctypes.c_uint64 * 6)(request, arg, 0, 0, 0, 0)
        return self._call(ctypes.addressof(args))

    def dump(self, label: str) -> None:
        """Dump callgrind's counters to a new part file (and zero them)."""
        text = ctypes.create_string_buffer(label.encode())
        self(DUMP_STATS_AT, ctypes.addressof(text))


# ---- the child: warm, then the measured runs ---------------------------------------------------------------

def child(mode: str, runs: int, repeat: int) -> None:
    """Warm both paths, switch callgrind's instrumentation on, run the case ``repeat`` times; print JSON."""
    import sim
    from sim.lockstep import Lockstep
    from sim.model import NatoRussiaModel

    request = ClientRequest()
    setup = sim.load_scenario("historical").setup()
    # the same warm-up in every child (the difference method subtracts one from another)
    NatoRussiaModel(setup, rng=0, mesa_collect=False).run()
    Lockstep(setup, [0, 1]).run()
    seeds = list(range(1, runs + 1))

    def case() -> None:
        if mode == "per_run":
            for seed in seeds:
                NatoRussiaModel(setup, rng=seed, mesa_collect=False).run()
        elif seeds:
            Lockstep(setup, seeds).run()

    gc.collect()
    request(START_INSTRUMENTATION)
    cpu = []
    for _ in range(repeat):
        gc.collect()
        request.dump("before")
        began = time.process_time()
        case()
        cpu.append(time.process_time() - began)
        request.dump("runs")
    print(json.dumps({"mode": mode, "runs": runs, "cpu": cpu}))


# ---- the parent --------------------------------------------------------------------------------------------

def child_command(mode: str, runs: int, repeat: int = 1) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--runs", str(runs),
            "--repeat", str(repeat)]


def child_env() -> dict[str, str]:
    return {**os.environ, **CHILD_ENV}


def cost(path: Path) -> int:
    """The Ir total of one callgrind part file."""
    for line in path.read_text().splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    raise ValueError(f"no totals in {path}")


def parts(out: Path) -> list[tuple[str, int, Path]]:
    """Every part file of one callgrind run, in order: (trigger, Ir, path)."""
    found = []
    for path in out.parent.glob(out.name + "*"):
        text = path.read_text()
        trigger = re.search(r"^desc: Trigger: (.*)$", text, re.MULTILINE)
        part = re.search(r"^part: (\d+)$", text, re.MULTILINE)
        found.append((int(part.group(1)) if part else 0, trigger.group(1) if trigger else "?", cost(path), path))
    return [(t, ir, p) for _, t, ir, p in sorted(found)]


def under_callgrind(mode: str, runs: int, tmp: Path) -> dict:
    """Run one case in a child under callgrind; return its counts and what it took."""
    out = tmp / f"{mode}-{runs}.out"
    command = ["valgrind", "--tool=callgrind", "--cache-sim=no", "--instr-atstart=no",
               f"--callgrind-out-file={out}", f"--log-file={tmp / f'{mode}-{runs}.log'}",
               *child_command(mode, runs)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, env=child_env(), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode:
        log = (tmp / f"{mode}-{runs}.log").read_text()
        raise SystemExit(f"callgrind child {mode} {runs} failed:\n{done.stderr}\n{log[-3000:]}")
    found = parts(out)
    region = [(ir, p) for t, ir, p in found if t.endswith(": runs")]
    if len(region) != 1:
        raise SystemExit(f"{mode} {runs}: expected one 'runs' dump, found {[t for t, _, _ in found]}")
    # everything counted after the instrumentation was switched on (the first part holds nothing before it)
    total = sum(ir for _, ir, _ in found)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"region": region[0][0], "file": region[0][1], "total": total, "wall": wall, "cpu": cpu}


def native_cpu(mode: str, runs: int, repeat: int) -> list[float]:
    """CPU seconds of the same case outside valgrind, one figure per repeat."""
    done = subprocess.run(child_command(mode, runs, repeat), env=child_env(), capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])["cpu"]


def annotate(path: Path, top: int) -> list[str]:
    """The top inclusive-cost functions of one part file (callgrind_annotate --inclusive=yes), leaving out the
    interpreter's own (its call machinery includes everything, and callgrind lists it again by inlined file)."""
    if not shutil.which("callgrind_annotate"):
        return ["(callgrind_annotate not found)"]
    done = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", str(path)], check=False,
                          capture_output=True, text=True)
    rows = [line for line in done.stdout.splitlines() if re.match(r"^\s*[\d,]+ \(\s*[\d.]+%\)\s+\S", line)]
    shown = []
    for line in rows[1:]:  # the first row is the program total
        m = re.match(r"^\s*([\d,]+) \(\s*([\d.]+)%\)\s+(.*)$", line)
        ir, share, where = m.groups()
        if "[" not in where or "libpython" in where:
            continue
        if len(shown) == top:
            break
        where = re.sub(r"/\S+/", "", where)
        shown.append(f"  {ir:>15} {float(share):5.1f} %  {where[:110]}")
    return shown


def self_by_object(path: Path) -> dict[str, int]:
    """Self (exclusive) Ir of one part file summed by object file (the shared library or ??? for JIT code)."""
    names: dict[str, str] = {}
    totals: dict[str, int] = defaultdict(int)
    ob = "?"
    call_cost_next = False
    for line in path.read_text().splitlines():
        if not line or line[0] in "#":
            continue
        if line.startswith(("ob=", "cob=")):  # both define the compressed names of objects
            m = re.match(r"c?ob=\((\d+)\)(?: (.*))?", line)
            name = line.split("=", 1)[1]
            if m:
                if m.group(2) is not None:
                    names[m.group(1)] = m.group(2)
                name = names[m.group(1)]
            if line.startswith("ob="):
                ob = name
            continue
        if line.startswith("calls="):
            call_cost_next = True
            continue
        if line[0] in "0123456789+-*":
            if call_cost_next:  # the inclusive cost of a call, not the caller's own
                call_cost_next = False
                continue
            fields = line.split()
            if len(fields) >= 2:
                totals[ob] += int(fields[-1])
    return totals


def object_label(ob: str) -> str:
    name = Path(ob).name
    if ob in ("???", "?", ""):
        return "??? (no symbols: numba's compiled kernels)"
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="runs of the per-run path (default 3)")
    parser.add_argument("--chunk", type=int, default=32, help="runs in the lockstep chunk (default 32)")
    parser.add_argument("--no-single", action="store_true", help="skip the lockstep chunk of one run")
    parser.add_argument("--top", type=int, default=10, help="inclusive-cost functions shown (0: none)")
    parser.add_argument("--keep", help="write the callgrind files here (default: a temporary directory)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--repeat", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.runs, args.repeat)
        return
    if not shutil.which("valgrind"):
        print("valgrind is not on PATH: install it (Debian/Ubuntu: sudo apt-get install -y valgrind) and rerun")
        return
    if platform.system() != "Linux" or platform.machine() not in ("x86_64", "AMD64"):
        print(f"this script makes callgrind's client requests in x86-64 code: not on {platform.machine()}")
        return
    commit = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %cd", "--date=short"],
                            capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "sim"],
                           capture_output=True, text=True, check=False).stdout.strip()
    where = f"commit {commit}" if commit else f"{ROOT} (not a git checkout)"
    print(f"sim at {where}" + (" with uncommitted changes in sim/" if commit and dirty else ""))
    version = subprocess.run(["valgrind", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    cases = [("per-run path", "per_run", args.runs), (f"lockstep, chunk of {args.chunk}", "lockstep", args.chunk)]
    if not args.no_single:
        cases.append(("lockstep, chunk of 1", "lockstep", 1))
    print(f"historical scenario, 45 states x 385 months; {version}, one core; load {os.getloadavg()[0]:.2f}")
    started = time.perf_counter()

    # outside valgrind first: warms numba's cache, and the CPU time per run for context
    native_cpu("per_run", 1, 1)
    cpu = {}
    for label, mode, runs in cases:
        repeat = max(2, min(5, 40 // runs))
        times = native_cpu(mode, runs, repeat)
        cpu[label] = (min(times) / runs, statistics.median(times) / runs)

    tmp_dir = tempfile.TemporaryDirectory(prefix="callgrind-") if not args.keep else None
    tmp = Path(args.keep or tmp_dir.name)
    tmp.mkdir(parents=True, exist_ok=True)
    # numba keys its cache by CPU, and valgrind shows the program another CPU (haswell-like, no AVX-512 here): a
    # first child under valgrind compiles the kernels for it, so that the counted children load them like the rest
    subprocess.run(["valgrind", "--tool=none", "-q", *child_command("none", 0)], env=child_env(),
                   capture_output=True, check=True)
    baseline = under_callgrind("none", 0, tmp)
    counted = {}
    for label, mode, runs in cases:
        counted[label] = under_callgrind(mode, runs, tmp)
        print(f"  {label}: {runs} run(s) under callgrind, {counted[label]['wall']:.0f} s wall, "
              f"{counted[label]['cpu']:.0f} s CPU", flush=True)

    print()
    print(f"{'':30} {'Ir per run':>11} {'(difference)':>13} {'/ floor 72 M':>13} {'/ old 442 M':>12} "
          f"{'CPU per run, best (median)':>28}")
    for label, mode, runs in cases:
        c = counted[label]
        per = c["region"] / runs
        diff = (c["total"] - baseline["total"]) / runs
        best, median = cpu[label]
        print(f"{label:30} {per / 1e6:9.1f} M {diff / 1e6:11.1f} M {per / FUSED_FLOOR:12.2f}x "
              f"{per / OLD_PER_RUN:11.2f}x {1e3 * best:17.1f} ms ({1e3 * median:.1f})")
    print("issue 15's figures (callgrind, one historical run): old per-run path 442 M, fused numba kernel 72 M")
    print(f"baseline child (warm-up only, no runs): {baseline['total'] / 1e6:.1f} M counted after the switch, "
          f"{baseline['wall']:.0f} s wall")

    lock = f"lockstep, chunk of {args.chunk}"
    if args.top:
        path = counted[lock]["file"]
        region = counted[lock]["region"]
        print()
        print(f"where the {lock}'s instructions go ({region / 1e6:.0f} M in all, {region / args.chunk / 1e6:.1f} M "
              "a run); inclusive, top functions outside the interpreter:")
        for line in annotate(path, args.top):
            print(line)
        print("self cost by object file:")
        objects = sorted(self_by_object(path).items(), key=lambda kv: -kv[1])
        total = sum(ir for _, ir in objects) or 1
        for ob, ir in objects[:8]:
            print(f"  {ir / args.chunk / 1e6:8.1f} M a run {100 * ir / total:5.1f} %  {object_label(ob)}")
    print()
    print(f"took {time.perf_counter() - started:.0f} s wall")
    if tmp_dir is not None:
        tmp_dir.cleanup()


if __name__ == "__main__":
    main()
