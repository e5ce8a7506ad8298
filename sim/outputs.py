"""Writing a run's results: tables, manifest, summary and plots, each file written atomically."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable
from contextlib import suppress
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.files import (  # noqa: F401 - re-exported: the writers and the machine's failures live in sim.files
    ENVIRONMENT_ERRNOS,
    FILE_MODE,
    EnvironmentFailure,
    atomic_path,
    is_environment_error,
    os_reason,
    write_text,
    write_with,
)
from sim.world import ESCALATION_LEVELS

if TYPE_CHECKING:
    from sim.runner import RunResult

#: distributions whose versions go into the manifest: every runtime dependency that can change a result or a
#: file (numba compiles the mechanisms' loops with llvmlite; mesa imports networkx)
DEPENDENCIES = ("mesa", "numpy", "numba", "llvmlite", "networkx", "pandas", "matplotlib", "pyarrow", "pydantic",
                "PyYAML")
#: roster proximity classes that make the eastern flank
EAST = ("border", "frontline")
#: Russia's actions that are not counted as choices in the summary
NON_ACTIONS = ("status_quo", "", "none")


#: least free space an output folder must have before any work starts (bytes)
MIN_FREE_BYTES = 16 * 2**20


def _size(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"  # pragma: no cover - the loop returns


def run_bytes(seeds: int, months: int, plots: bool = True) -> int:
    """Return a generous estimate of the bytes a run folder takes (tables about 6 KB a seed-month, plots 8 MB)."""
    return 6 * 1024 * seeds * months + (8 * 2**20 if plots else 0) + 2**20


def check_output_folder(folder: str | os.PathLike[str], need_bytes: int = MIN_FREE_BYTES) -> bool:
    """Check, before any work, that folder can be created and written and has need_bytes free.

    Creates the folder if needed, writes and deletes a probe file in it, and reads the free
    space; raises ``EnvironmentFailure`` naming the folder otherwise.  Returns whether the
    folder was created here (so a caller that fails later can remove it again).
    """
    folder = Path(folder)
    existed = folder.is_dir()
    if folder.exists() and not existed:
        raise EnvironmentFailure(str(folder), "exists and is not a folder", "choose another output folder (--out)")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EnvironmentFailure(str(folder), f"cannot be created ({os_reason(exc)})",
                                 "choose a folder you can write to (--out)") from None
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".natosim-probe-")
        try:
            os.write(fd, b"natosim")
        finally:
            os.close(fd)
            os.remove(probe)
    except OSError as exc:
        if not existed:
            with suppress(OSError):
                folder.rmdir()
        raise EnvironmentFailure(str(folder), f"is not writable ({os_reason(exc)})",
                                 "choose a folder you can write to (--out), or make this one writable") from None
    free = shutil.disk_usage(folder).free
    if free < need_bytes:
        if not existed:
            with suppress(OSError):
                folder.rmdir()
        raise EnvironmentFailure(str(folder), f"only {_size(free)} free on its disk, about {_size(need_bytes)} needed",
                                 "free some space or choose another output folder (--out)")
    return not existed


def clear_new_folder(folder: str | os.PathLike[str], created: bool) -> None:
    """Remove what a failed command wrote into a folder that was new or empty when it started (then nothing blocks
    a rerun); the folder itself goes too if the command created it."""
    folder = Path(folder)
    if not folder.is_dir():
        return
    for child in folder.iterdir():
        with suppress(OSError):
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    if created:
        with suppress(OSError):
            folder.rmdir()


# -- atomic writing -----------------------------------------------------------------
def write_table(
    df: pd.DataFrame,
    path_without_suffix: str | os.PathLike[str],
    formats: Iterable[str] = ("parquet", "csv"),
) -> list[str]:
    """Write a table as .parquet and/or .csv (dates kept as datetimes); return the paths."""
    base = str(path_without_suffix)
    written = []
    for fmt in formats:
        if fmt == "parquet":
            written.append(write_with(lambda p: df.to_parquet(p, index=False), base + ".parquet"))
        elif fmt == "csv":
            written.append(
                write_with(lambda p: df.to_csv(p, index=False, lineterminator="\n"), base + ".csv")
            )
        else:
            raise ValueError(f"unknown table format {fmt!r}; use 'parquet' or 'csv'")
    return written


# -- manifest -----------------------------------------------------------------------
def to_jsonable(obj: Any) -> Any:
    """Convert numpy scalars/arrays, dates, paths, sets and tuples into JSON-ready values."""
    if isinstance(obj, dict):
        return {str(k): to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return [to_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer, int)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        value = float(obj)
        return value if np.isfinite(value) else None
    if isinstance(obj, (dt.datetime, np.datetime64)):
        stamp = pd.Timestamp(obj)
        return None if pd.isna(stamp) else stamp.isoformat()
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if obj is None or isinstance(obj, str):
        return obj
    return str(obj)


def package_versions() -> dict[str, str | None]:
    """Return the installed versions of the dependencies (None when not installed)."""
    out: dict[str, str | None] = {}
    for name in DEPENDENCIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = None
    return out


def _git_commit(repo: Path) -> dict[str, Any] | None:
    try:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": head, "dirty": bool(dirty)}


def manifest(result: RunResult, files: list[str], error: str | None = None) -> dict[str, Any]:
    """Return the manifest of a run: scenario, parameters, seeds, versions, platform, files."""
    import sim

    scenario = result.scenario
    info: dict[str, Any] = {
        "natosim_version": sim.__version__,
        "created_utc": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "scenario_file": os.path.abspath(scenario.path) if scenario.path else None,
        "scenario": scenario.to_dict(),
        "parameters": dict(result.params),
        "overrides": dict(result.overrides),
        "seeds": list(result.seeds),
        "wall_time_s": round(float(result.wall_time_s), 3),
        "python": sys.version.split()[0],
        "python_implementation": platform.python_implementation(),
        "packages": package_versions(),
        "platform": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
            "platform": platform.platform(),
        },
        "git": _git_commit(Path(sim.__file__).resolve().parents[1]),
        "rows": {
            "timeseries": len(result.timeseries),
            "states": len(result.states),
            "events": len(result.events),
        },
        "files": sorted(files),
    }
    if result.scenario.posterior is not None and result.draws is not None:
        # parameters above are the point values; each seed ran on its particle (posterior_draws.csv)
        info["posterior"] = {
            **result.scenario.posterior.describe(),
            "draws_file": "posterior_draws.csv",
            "particle_by_seed": {int(s): int(k) for s, k in zip(result.draws["seed"], result.draws["particle"])},
        }
    if error:
        info["error"] = error
    return to_jsonable(info)


# -- summary ------------------------------------------------------------------------
def _month(value: Any) -> str:
    return pd.Timestamp(value).strftime("%Y-%m")


def _median_date(values: Iterable[Any]) -> pd.Timestamp:
    stamps = pd.to_datetime(pd.Series(list(values)))
    return pd.Timestamp(int(np.median(stamps.astype("int64"))))


def east_codes(result: RunResult) -> list[str]:
    """Return the codes of the eastern flank (roster proximity border or frontline, not Russia)."""
    return [
        s["code"]
        for s in result.scenario.roster
        if s.get("proximity") in EAST and s.get("bloc") not in ("russia",)
    ]


def membership_changes(result: RunResult) -> pd.DataFrame:
    """Return, per state not a member at the start, in how many seeds it applied/joined and when.

    One pass over the states table (each (state, seed)'s first date as applicant and as member), not a
    filter per state: the same rows, a twentieth of the time.
    """
    st = result.states
    n_seeds = st["seed"].nunique()
    state_code, codes = pd.factorize(st["state"], sort=False)  # the states in their order of appearance
    seed_code, _ = pd.factorize(st["seed"], sort=False)
    pair = state_code.astype(np.int64) * (int(seed_code.max()) + 1) + seed_code
    member = st["member"].to_numpy(dtype=bool)
    applicant = st["applicant"].to_numpy(dtype=bool)
    at_start = (st["date"] == st["date"].min()).to_numpy()
    outsider_pairs = np.unique(pair[at_start & ~member])  # (state, seed) not a member at the start
    outsider = np.isin(pair, outsider_pairs)
    already = pd.Series(applicant[at_start & ~member]).groupby(state_code[at_start & ~member]).sum()
    date = st["date"].to_numpy()

    def firsts(mask: np.ndarray) -> pd.Series:
        """Each (state, seed)'s first date where mask holds, among the outsiders, indexed by state code."""
        rows = outsider & mask
        first = pd.Series(date[rows]).groupby(pair[rows]).min()
        return pd.Series(first.to_numpy(), index=first.index.to_numpy() // (int(seed_code.max()) + 1))

    applied_all, joined_all = firsts(applicant), firsts(member)
    rows = []
    for k, code in enumerate(codes):
        if k not in already.index:  # a member at the start in every seed
            continue
        applied = applied_all[applied_all.index == k]
        joined = joined_all[joined_all.index == k]
        if applied.empty and joined.empty:
            continue
        rows.append(
            {
                "state": code,
                "seeds": n_seeds,
                "applied_seeds": len(applied),
                "applicant_at_start": int(already[k]),
                "applied_median": _median_date(applied) if len(applied) else pd.NaT,
                "joined_seeds": len(joined),
                "joined_median": _median_date(joined) if len(joined) else pd.NaT,
            }
        )
    cols = ["state", "seeds", "applied_seeds", "applicant_at_start", "applied_median",
            "joined_seeds", "joined_median"]
    return pd.DataFrame(rows, columns=cols)


def summary(result: RunResult) -> str:
    """Return a short Markdown summary of the run's headline figures."""
    sc, ts, st, ev = result.scenario, result.timeseries, result.states, result.events
    seeds = list(result.seeds)
    n = len(seeds)
    over = "median over seeds" if n > 1 else "one seed"
    seed_text = (
        f"{n} seeds ({seeds[0]}–{seeds[-1]})"
        if n > 1 and seeds == list(range(seeds[0], seeds[0] + n))
        else f"{n} seed{'s' if n > 1 else ''} ({', '.join(map(str, seeds))})"
    )
    first, last = ts["date"].min(), ts["date"].max()
    lines = [
        f"# {sc.name}",
        "",
        (
            f"- Period: {_month(first)} to {_month(last)} (step {sc.step}); {seed_text}; "
            f"wall time {result.wall_time_s:.1f} s."
        ),
    ]
    if sc.path:
        lines.append(f"- Scenario file: `{sc.path}`")
    if result.overrides:
        lines.append(
            "- Overrides: " + ", ".join(f"`{k}={v}`" for k, v in sorted(result.overrides.items()))
        )
    if result.scenario.posterior is not None and result.draws is not None:
        drawn = [c for c in result.draws.columns if c not in ("seed", "particle")]
        lines.append(
            f"- Parameters drawn from the posterior `{result.scenario.posterior.file}`, one particle per seed "
            f"({result.draws['particle'].nunique()} distinct): {', '.join(f'`{c}`' for c in drawn) or 'none'} "
            "(`posterior_draws.csv`)"
        )

    rel = ts.groupby("date")["relations_index"].median()
    lines += [
        "",
        f"## Relations index ({over}, −1 hostile … +1 cooperative)",
        "",
        f"- Start ({_month(rel.index[0])}): {rel.iloc[0]:+.2f}",
        f"- Peak: {rel.max():+.2f} in {_month(rel.idxmax())}",
        f"- Minimum: {rel.min():+.2f} in {_month(rel.idxmin())}",
        f"- End ({_month(rel.index[-1])}): {rel.iloc[-1]:+.2f}",
    ]

    top = ts.groupby("seed")["escalation_level"].max()
    med_top, max_top = float(np.median(top)), int(top.max())
    med_name = ESCALATION_LEVELS[int(np.floor(med_top))]
    level_time = ts.groupby("date")["escalation_level"].median()
    reached = level_time[level_time >= max(med_top, 1)]
    first_time = "first reached by the median" if n > 1 else "first reached"
    when = f", {first_time} in {_month(reached.index[0])}" if len(reached) else ""
    if n > 1:
        highest = (
            f"- Highest level reached: median {med_top:g} ({med_name}){when}; "
            f"maximum {max_top} ({ESCALATION_LEVELS[max_top]}) "
            f"in {int((top == max_top).sum())} of {n} seeds."
        )
    else:
        highest = f"- Highest level reached: {max_top} ({ESCALATION_LEVELS[max_top]}){when}."
    lines += [
        "",
        "## Escalation",
        "",
        highest,
        (
            f"- Level at the end ({over}): {level_time.iloc[-1]:g} "
            f"({ESCALATION_LEVELS[int(np.floor(level_time.iloc[-1]))]})."
        ),
    ]

    end = st[st["date"] == last]
    members = end[end["member"].astype(bool)]
    n_members = members.groupby("seed").size().reindex(seeds, fill_value=0)
    at2 = members[members["defence_spending_pct_gdp"] >= 2.0].groupby("seed").size()
    at2 = at2.reindex(seeds, fill_value=0)
    east = set(east_codes(result))
    threat_all = members.groupby("seed")["threat_from_russia"].mean()
    threat_east = members[members["state"].isin(east)].groupby("seed")["threat_from_russia"].mean()
    threat_west = members[~members["state"].isin(east)].groupby("seed")["threat_from_russia"].mean()

    def med(series: pd.Series, fmt: str = ".2f") -> str:
        if series.empty:
            return "n/a"
        text = format(float(series.median()), fmt)
        if n > 1:
            text += f" (range {format(float(series.min()), fmt)}–{format(float(series.max()), fmt)})"
        return text

    lines += [
        "",
        f"## Alliance at the end ({_month(last)}, {over})",
        "",
        f"- NATO members: {med(n_members, 'g')}",
        f"- Members spending at least 2 % of GDP on defence: {med(at2, 'g')}",
        (
            f"- Threat from Russia (0–1), mean over members: {med(threat_all)}; "
            f"eastern flank members: {med(threat_east)}; other members: {med(threat_west)}"
        ),
    ]

    acts = ts["russia_action"].astype(str)
    acts = acts[~acts.isin(NON_ACTIONS)]
    lines += ["", "## Russia's actions (all seeds and steps, excluding status quo)", ""]
    if acts.empty:
        lines.append("- none")
    else:
        shares = acts.value_counts(normalize=True).head(6)
        lines.append(
            "- "
            + ", ".join(f"{a.replace('_', ' ')} {s:.0%}" for a, s in shares.items())
            + f" (of {len(acts)} actions; {len(acts) / len(ts):.0%} of all steps)"
        )

    counts = ev.groupby(["seed", "origin"]).size().unstack(fill_value=0) if len(ev) else None
    lines += ["", "## Events" + (" (per seed: median, range)" if n > 1 else ""), ""]
    for kind in ("scheduled", "emergent"):
        if counts is not None and kind in counts:
            lines.append(f"- {kind.capitalize()}: {med(counts[kind].reindex(seeds, fill_value=0), 'g')}")
        else:
            lines.append(f"- {kind.capitalize()}: 0")
    per = " per seed" if n > 1 else ""
    if len(ev):
        emergent = ev[ev["origin"] == "emergent"]["type"].astype(str).value_counts().head(5)
        if len(emergent):
            lines.append(
                "- Most frequent emergent types: "
                + ", ".join(f"{t.replace('_', ' ')} ({c / n:.1f}{per})" for t, c in emergent.items())
            )

    changes = membership_changes(result)
    lines += ["", "## Enlargement (states not members at the start)", ""]
    if changes.empty:
        lines.append("- No state applied or joined.")
    else:
        lines += ["| State | Applied | Joined |", "|---|---|---|"]
        for row in changes.itertuples(index=False):
            if row.applied_seeds:
                applied = f"{_month(row.applied_median)} ({row.applied_seeds}/{row.seeds} seeds)"
                if row.applicant_at_start:
                    applied += f", applicant at start in {row.applicant_at_start}"
            else:
                applied = "–"
            joined = (
                f"{_month(row.joined_median)} ({row.joined_seeds}/{row.seeds} seeds)"
                if row.joined_seeds
                else "–"
            )
            lines.append(f"| {row.state} | {applied} | {joined} |")
        lines.append("")
        lines.append("Dates are medians over the seeds where it happened.")
    return "\n".join(lines) + "\n"


# -- all together ---------------------------------------------------------------------
def save(result: RunResult, folder: str | os.PathLike[str], plots: bool | str | list[str] = True,
         workers: int = 1, progress: Callable[[str, int, int], None] | None = None, svg: bool = True) -> str:
    """Write tables, manifest, summary and plots into folder; return the folder.

    ``plots``: True or "all" for every plot, False for none, or the names of some (``sim.plots.PLOTS``);
    ``workers`` processes draw them, ``progress(name, done, total)`` hears of each; ``svg`` False writes
    PNG only (an SVG costs nearly as much as its PNG to write).
    """
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    tabled: list[bool] = []

    def tables() -> None:
        written.extend(write_table(result.timeseries, out / "timeseries"))
        written.extend(write_table(result.states, out / "states", formats=("parquet",)))
        written.extend(write_table(result.events, out / "events"))
        if result.draws is not None:
            written.extend(write_table(result.draws, out / "posterior_draws", formats=("csv",)))
        written.append(write_text(summary(result), out / "summary.md"))
        tabled.append(True)

    error = None
    try:
        if plots:
            from sim import plots as plotting

            names = None if plots is True else plots
            # the plots' processes draw while this one writes the tables
            pngs = plotting.all_plots(result, str(out), names, workers=workers, progress=progress, svg=svg,
                                      meanwhile=tables)
            for png in pngs:
                written.extend([png, str(Path(png).with_suffix(".svg"))] if svg else [png])
        else:
            tables()
    except Exception as exc:  # record the failure in the manifest, then re-raise
        error = f"{'plots' if tabled else 'tables'} failed: {type(exc).__name__}: {exc}"
        raise
    finally:
        names = [os.path.relpath(p, out) for p in written if os.path.exists(p)]
        names.append("manifest.json")
        text = json.dumps(manifest(result, names, error), indent=2, ensure_ascii=False)
        write_text(text + "\n", out / "manifest.json")
    return str(out)
