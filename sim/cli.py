"""The ``natosim`` command line: a thin layer over the Python API."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
import yaml

from sim.entry import EXIT_BAD_INPUT, EXIT_ENVIRONMENT, EXIT_INTERRUPTED
from sim.inputs import PLOT_NAMES, SEED_MAX, ScenarioError, plot_names

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="natosim: agent-based simulation of NATO–Russia relations (Mesa).",
)

UNCALIBRATED_HELP = "Use the registry's values, not the calibrated ones (sim/data/calibrated.yaml)."
POSTERIOR_HELP = ("Draw each seed's calibrated parameters from the calibration's posterior (one particle per seed, "
                  "recorded in posterior_draws.csv); default: the scenario's `posterior:` field, else off.")


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _seed_range(first: int, n: int) -> range:
    """Return the seeds first .. first + n - 1, refusing a range that runs past the largest seed."""
    if first + n - 1 > SEED_MAX:
        _fail(f"--seed {first} with --seeds {n}: the last seed {first + n - 1} is above the largest, {SEED_MAX}; "
              "seeds are 0 .. 2**32 - 1")
    return range(first, first + n)


def _parse_sets(items: list[str] | None) -> dict[str, float]:
    """Parse repeated ``--set name=value`` options into overrides (validated later)."""
    from sim import parameters

    out: dict[str, float] = {}
    for item in items or []:
        if "=" not in item:
            _fail(f"--set {item!r}: expected NAME=VALUE, e.g. --set trust_negative_gain=0.5")
        name, _, raw = item.partition("=")
        try:
            value = float(raw)
        except ValueError:
            _fail(f"--set {name}: {raw!r} is not a number")
        msg = parameters.check_value(name.strip(), value)
        if msg:
            _fail(f"--set {name.strip()}: {msg}")
        out[name.strip()] = value
    return out


def _load(path: str, calibration: str | None = None, posterior: bool | None = None,
          anchor_year: int | None = None):
    from sim.scenario import load_scenario

    try:
        return load_scenario(path, calibration=calibration, posterior=posterior, anchor_year=anchor_year)
    except ScenarioError as exc:
        lines = "\n".join(f"  {f}: {field}: {msg}" for f, field, msg in exc.problems)
        _fail(f"invalid scenario\n{lines}")


PLOTS_HELP = (f"Which plots to draw: all (default) or some of {', '.join(PLOT_NAMES)}, comma-separated; drawn by "
              "the --workers processes at once.")


def _plot_names(plots: str, no_plots: bool) -> list[str]:
    """Return the plots asked for on the command line (none with --no-plots); refuse unknown names (exit 2)."""
    if no_plots:
        return []
    try:
        return plot_names(plots)
    except ValueError as exc:
        _fail(f"--plots {plots!r}: {exc}")


def _import_plotting() -> None:
    """Import the plotting layer (matplotlib: 0.4-0.6 s here) while the worker processes run, off the job's path."""
    import sim.plots  # noqa: F401


def _plot_progress(name: str, done: int, total: int) -> None:
    typer.echo(f"plot {done}/{total}: {name}", err=True)


def _progress(total: int):
    """Return a progress callback drawing a bar on a terminal, or None."""
    if total < 2 or not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    # redrawn as runs finish, not by a refresh thread: a process without other threads
    # can fork its workers (see ``sim.runner.process_context``)
    bar = Progress(
        TextColumn("[bold]runs"), BarColumn(), TextColumn("{task.completed}/{task.total}"), TimeRemainingColumn(),
        auto_refresh=False,
    )
    task = bar.add_task("run", total=total)
    bar.start()
    return bar, (lambda done, now_total: bar.update(task, completed=done, total=now_total, refresh=True))


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or a name in scenarios/ (e.g. historical).")],
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Number of seeds in the ensemble.")] = 1,
    seed: Annotated[int | None, typer.Option("--seed", min=0, max=SEED_MAX, help="First seed (default: the scenario's).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default results/NAME-TIMESTAMP).")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes for the ensemble.")] = 1,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter: NAME=VALUE (repeatable).")] = None,
    plots: Annotated[str, typer.Option("--plots", help=PLOTS_HELP)] = "all",
    no_plots: Annotated[bool, typer.Option("--no-plots", help="Write no plot (tables, summary and manifest only).")] = False,
    svg: Annotated[bool, typer.Option("--svg", help="Write each plot as SVG too (for print; PNG only by default).")] = False,
    uncalibrated: Annotated[bool, typer.Option("--uncalibrated", help=UNCALIBRATED_HELP)] = False,
    posterior: Annotated[bool | None, typer.Option("--posterior/--no-posterior", help=POSTERIOR_HELP)] = None,
) -> None:
    """Run a scenario (an ensemble of seeds) and write tables, plots, manifest and summary."""
    from sim.runner import run as run_scenario

    if uncalibrated and posterior:
        _fail("--uncalibrated and --posterior exclude each other (the posterior is the calibration's)")
    overrides = _parse_sets(set_)
    wanted = _plot_names(plots, no_plots)
    sc = _load(scenario, "none" if uncalibrated else None, posterior)
    first = sc.seed if seed is None else seed
    seed_list = list(_seed_range(first, seeds))
    folder = out or Path("results") / f"{sc.name}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    if folder.exists() and any(folder.iterdir()):
        _fail(f"--out {folder}: folder exists and is not empty; choose another (results are never overwritten)")
    from sim.outputs import check_output_folder, clear_new_folder, run_bytes

    months = (sc.end.year - sc.start.year) * 12 + sc.end.month - sc.start.month + 1
    created = check_output_folder(folder, run_bytes(len(seed_list), months, bool(wanted)))  # before any run
    bar, callback = _progress(len(seed_list))
    try:
        try:
            result = run_scenario(sc, seeds=seed_list, workers=workers, progress=callback,
                                  meanwhile=_import_plotting if wanted else None, **overrides)
        except ScenarioError as exc:
            _fail(str(exc))
        finally:
            if bar is not None:
                bar.stop()
        path = result.save(str(folder), plots=wanted, workers=workers, progress=_plot_progress, svg=svg)
    except BaseException as exc:  # nothing half-written is left to block a rerun with the same --out
        clear_new_folder(folder, created)
        if isinstance(exc, KeyboardInterrupt):
            typer.echo(f"interrupted: nothing was written ({folder} is left as it was); run the command again",
                       err=True)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        from sim.outputs import EnvironmentFailure, is_environment_error, os_reason

        if is_environment_error(exc):
            raise EnvironmentFailure(str(exc.filename or folder), f"could not be written ({os_reason(exc)})",
                                     f"nothing was kept in {folder}; free some space (or choose another --out) and "
                                     "run the command again") from None
        raise
    typer.echo((Path(path) / "summary.md").read_text(encoding="utf-8"))
    typer.echo(f"results written to {path}")
    _quick_exit()


def _quick_exit() -> None:
    """Spare the interpreter's exit its passes of the garbage collector over the whole heap (the modules, the
    ensemble's tables: 0.50-0.58 s here, 0.09-0.11 s with this): at exit the heap is frozen out of those passes.
    atexit runs the handlers last-registered first, so this runs before the others; freezing only takes objects
    out of the collector's passes (they are still freed as their modules go), so the handlers after it work as
    before. Registered once; in a process that goes on (a test, a notebook) it only runs when that process ends."""
    import atexit
    import gc

    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


@app.command()
def compare(
    scenarios: Annotated[list[str], typer.Argument(help="Two or more scenario files or names.")],
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Seeds per scenario.")] = 20,
    seed: Annotated[int, typer.Option("--seed", min=0, max=SEED_MAX, help="First seed (the same seeds for every scenario).")] = 0,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 2,
    horizon: Annotated[str | None, typer.Option("--horizon", help="Horizon YYYY-MM (default: the earliest end).")] = None,
    thaw: Annotated[float, typer.Option("--thaw", min=-1.0, max=1.0, help="Relations index that counts as a thaw.")] = 0.0,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default results/compare-TIMESTAMP).")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter: NAME=VALUE (repeatable).")] = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots")] = True,
    uncalibrated: Annotated[bool, typer.Option("--uncalibrated", help=UNCALIBRATED_HELP)] = False,
    posterior: Annotated[bool | None, typer.Option("--posterior/--no-posterior", help=POSTERIOR_HELP)] = None,
) -> None:
    """Run scenarios as ensembles and compare them: overlay plot, small multiples, metrics table."""
    from sim.compare import compare as run_compare
    from sim.scenario import parse_date

    if uncalibrated and posterior:
        _fail("--uncalibrated and --posterior exclude each other (the posterior is the calibration's)")
    overrides = _parse_sets(set_)
    loaded = [_load(s, "none" if uncalibrated else None, posterior) for s in scenarios]
    names = [sc.name for sc in loaded]
    if len(set(names)) != len(names):
        _fail(f"scenario names must differ to be compared; got {', '.join(names)}")
    when = None
    if horizon is not None:
        try:
            when = parse_date(horizon)
        except ValueError as exc:
            _fail(f"--horizon: {exc}")
    folder = out or Path("results") / f"compare-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    if folder.exists() and any(folder.iterdir()):
        _fail(f"--out {folder}: folder exists and is not empty; choose another (results are never overwritten)")
    from sim.outputs import check_output_folder

    check_output_folder(folder)  # before any run
    bar, callback = _progress(len(loaded) * seeds)
    try:
        result = run_compare(loaded, _seed_range(seed, seeds), workers=workers, horizon=when, thaw=thaw,
                             progress=callback, **overrides)
    finally:
        if bar is not None:
            bar.stop()
    path = result.save(folder, plots=plots)
    typer.echo(result.markdown())
    for warning in result.warnings:  # also in metrics.md; repeated on stderr so it is not lost in the table
        typer.echo(f"warning: {warning}", err=True)
    typer.echo(f"comparison written to {path}")


@app.command()
def sweep(
    spec: Annotated[Path, typer.Argument(help="A sweep file (scenarios/sweeps/*.yaml).")],
    workers: Annotated[int, typer.Option("--workers", min=1, help="Local worker processes (or Dask LocalCluster workers).")] = 2,
    dask: Annotated[str | None, typer.Option("--dask", help="Run on Dask: a scheduler address (tcp://host:8786) or 'local'.")] = None,
    dask_timeout: Annotated[float, typer.Option("--dask-timeout", min=0.1, help="Seconds to wait for the Dask "
                                                "scheduler to answer.")] = 10.0,
    resume: Annotated[bool, typer.Option("--resume", help="Complete an interrupted sweep: run only the missing runs.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default results/sweeps/NAME).")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Fix another parameter: NAME=VALUE (repeatable).")] = None,
    max_runs: Annotated[int | None, typer.Option("--max-runs", min=1, help="Refuse a design of more runs than this "
                                                 "(default 100000).")] = None,
) -> None:
    """Run a parameter sweep; results are written as runs finish (Parquet dataset + manifest)."""
    from sim.sweep.execute import run_sweep
    from sim.sweep.spec import MAX_RUNS, load_sweep

    overrides = _parse_sets(set_)
    try:
        loaded = load_sweep(spec, max_runs=max_runs or MAX_RUNS)
    except ScenarioError as exc:
        lines = "\n".join(f"  {f}: {field}: {msg}" for f, field, msg in exc.problems)
        _fail(f"invalid sweep\n{lines}")
    folder = out or Path("results") / "sweeps" / loaded.name
    from sim.sweep import design

    total = design.size(loaded) * loaded.replications  # by arithmetic: the design is drawn once, by run_sweep
    estimate = design.estimate(loaded, workers if dask in (None, "local") else None)
    if resume and (folder / "runs").is_dir():  # what is left, not the whole design
        from sim.sweep.execute import read_runs

        written = read_runs(folder)
        estimate = estimate.resumed(len(written.drop_duplicates(["point_id", "seed"])) if len(written) else 0)
    typer.echo(estimate.describe(), err=True)
    bar, callback = _progress(total)
    try:
        path = run_sweep(loaded, folder, workers=workers, dask=dask, resume=resume, progress=callback,
                         overrides=overrides, dask_timeout=dask_timeout)
    except (FileExistsError, ValueError) as exc:
        _fail(str(exc))
    except KeyboardInterrupt as exc:  # the finished runs are written and the manifest says incomplete
        message = str(exc) or f"the sweep was interrupted; complete it with `natosim sweep {spec} --out {folder} --resume`"
        typer.echo(message, err=True)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        if bar is not None:
            bar.stop()
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    typer.echo(
        f"sweep {loaded.name}: {manifest['runs_done']}/{manifest['runs_total']} runs written "
        f"({manifest['runs_failed']} failed) to {path}"
    )
    if not manifest["complete"]:
        missing = manifest["runs_total"] - manifest["runs_done"]
        typer.echo(f"error: the sweep is incomplete: {missing} of {manifest['runs_total']} runs are missing; "
                   f"complete it with `natosim sweep {spec} --out {path} --resume`", err=True)
        raise typer.Exit(1)


@app.command()
def analyze(
    folder: Annotated[Path, typer.Argument(help="A sweep folder (results/sweeps/NAME).")],
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default FOLDER/analysis).")] = None,
    noise_steps: Annotated[int, typer.Option("--noise-steps", min=0, max=1000, help=(
        "A Morris sweep with one seed per point: how many of its steps to run again on new seeds to measure the "
        "seed noise (its floor in the report); 0 skips it."))] = 8,
) -> None:
    """Analyse a sweep: Sobol/Morris/delta sensitivity, fan chart, heatmaps, PRIM scenario discovery."""
    if not (folder / "manifest.json").exists():
        _fail(f"{folder}: not a sweep folder (no manifest.json); run `natosim sweep` first")
    try:  # before anything is written
        from sim.sweep.analyze import analyze as run_analysis
        from sim.sweep.analyze import require_extra

        require_extra()
    except ImportError as exc:
        _fail(f"natosim analyze needs the sweep extra, and the package {exc.name or '?'!r} cannot be imported "
              f"({exc}); install it with: pip install -e \".[sweep]\"", EXIT_ENVIRONMENT)
    path = run_analysis(folder, out=out, noise_steps=noise_steps)
    report = Path(path) / "analysis.md"
    if report.exists():
        typer.echo(report.read_text(encoding="utf-8"))
    typer.echo(f"analysis written to {path}")


@app.command("params")
def params_cmd(
    format: Annotated[str, typer.Option("--format", help="table, csv or markdown.")] = "table",
    mechanism: Annotated[str | None, typer.Option("--mechanism", help="Only this mechanism's parameters.")] = None,
    scenario: Annotated[str, typer.Option("--scenario", help="Show the values in force in this scenario (file or "
                                          "name): its calibration and its own parameters.")] = "historical",
    uncalibrated: Annotated[bool, typer.Option("--uncalibrated", help=UNCALIBRATED_HELP)] = False,
) -> None:
    """Print every parameter: the value runs use (calibrated where the calibration sets it), the registry's value
    beside it, range, unit, meaning and source."""
    if format not in ("table", "csv", "markdown"):
        _fail(f"--format {format!r}: allowed table, csv, markdown")
    sc = _load(scenario, "none" if uncalibrated else None)
    df = _params_in_force(sc)
    if mechanism:
        known = sorted(df.mechanism.unique())
        if mechanism not in known:
            _fail(f"--mechanism {mechanism!r}: unknown; allowed: {', '.join(known)}")
        df = df[df.mechanism == mechanism]
    note = _calibration_note(sc, uncalibrated)
    if format == "csv":
        typer.echo(note, err=True)  # stdout stays plain CSV; the `calibrated` and `set_by` columns say it per row
        typer.echo(df.to_csv(index=False), nl=False)
    elif format == "markdown":
        typer.echo(note + "\n")
        typer.echo(df.to_markdown(index=False) if _has_tabulate() else _markdown(df))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"natosim parameters ({len(df)}): values in force in {sc.name}", caption=note,
                      show_lines=False)
        for col in ("name", "value", "registry_value", "set_by", "min", "max", "unit", "mechanism", "source_kind",
                    "meaning", "source"):
            table.add_column(col, overflow="fold")
        for row in df.itertuples(index=False):
            value = f"{row.value:g}" if row.set_by == "registry" else f"[bold]{row.value:g}[/bold]"
            table.add_row(
                row.name, value, f"{row.registry_value:g}", row.set_by, f"{row.min:g}", f"{row.max:g}", row.unit,
                row.mechanism, row.source_kind, row.meaning, row.source,
            )
        Console(width=max(200, 0)).print(table)


def _params_in_force(sc):
    """Return the registry table with `value` the value in force in sc (registry < calibration < scenario)."""
    from sim import parameters
    df = parameters.table().rename(columns={"value": "registry_value"})
    in_force = {**sc.calibrated, **sc.parameters}
    df.insert(1, "value", [float(in_force.get(n, v)) for n, v in zip(df.name, df.registry_value, strict=True)])
    df["calibrated"] = ["yes" if n in sc.calibrated and n not in sc.parameters else "no" for n in df.name]
    df["set_by"] = ["scenario" if n in sc.parameters else "calibration" if n in sc.calibrated else "registry"
                    for n in df.name]
    order = ["name", "value", "min", "max", "unit", "mechanism", "source_kind", "meaning", "source",
             "registry_value", "calibrated", "set_by"]
    return df[order]


def _calibration_note(sc, uncalibrated: bool) -> str:
    """Return one paragraph saying which calibration gives the values in force."""
    if sc.calibration == "none":
        why = "--uncalibrated" if uncalibrated else f"scenario {sc.name} uses none"
        text = f"Calibration: none ({why}): values are the registry's"
    else:
        try:
            shown = Path(sc.calibration).resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            shown = Path(sc.calibration)
        text = (f"Calibration: {shown} (scenario {sc.name}; --uncalibrated for the registry's values): it sets "
                f"{len(sc.calibrated)} value(s), {', '.join(sorted(sc.calibrated)) or 'none'}")
        try:
            raw = yaml.safe_load(Path(sc.calibration).read_text(encoding="utf-8")) or {}
            skipped = sorted(k for k, e in (raw.get("parameters") or {}).items()
                             if isinstance(e, dict) and e.get("applied") is False)
        except (OSError, yaml.YAMLError, AttributeError):
            skipped = []
        if skipped:
            text += (f"; {len(skipped)} more estimated but not applied (not identified by the record; registry "
                     f"value kept): {', '.join(skipped)}")
    if sc.parameters:
        text += f". Scenario {sc.name} sets {len(sc.parameters)}: {', '.join(sorted(sc.parameters))}"
    return text + "."


def _has_tabulate() -> bool:
    try:
        import tabulate  # noqa: F401
    except ImportError:
        return False
    return True


def _markdown(df) -> str:
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in df.itertuples(index=False):
        lines.append("| " + " | ".join(str(v).replace("|", "\\|") for v in row) + " |")
    return "\n".join(lines)


@app.command()
def show(
    scenario: Annotated[str, typer.Argument(help="Scenario file or name.")],
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter: NAME=VALUE.")] = None,
    uncalibrated: Annotated[bool, typer.Option("--uncalibrated", help=UNCALIBRATED_HELP)] = False,
) -> None:
    """Print the fully resolved scenario (after inheritance and overrides) as YAML."""
    overrides = _parse_sets(set_)
    sc = _load(scenario, "none" if uncalibrated else None)
    data = sc.to_dict()
    data["parameters"] = {**data["parameters"], **overrides}
    typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))


def _validate_sensitivity(sc, folder: Path, params: list[str] | None, trajectories: int, seeds: int, workers: int,
                          overrides: dict[str, float]) -> None:
    """Run the Morris screening of the six facts (``sim.fact_sensitivity``), print and write it."""
    from sim import fact_sensitivity, parameters

    names = list(params or fact_sensitivity.assumption_parameters())
    for name in names:
        if name not in parameters.registry():
            _fail(f"--param {name}: unknown parameter (see `natosim params`)")
        if name in overrides:
            _fail(f"--param {name}: also fixed by --set; screen it or fix it, not both")
    total = trajectories * (len(names) + 1) + fact_sensitivity.NOISE_BATCHES
    typer.echo(f"screening {len(names)} parameters: {total} points x {seeds} seeds ...", err=True)
    bar, callback = _progress(total)
    try:
        result = fact_sensitivity.run(sc, names, trajectories=trajectories, seeds=seeds, workers=workers,
                                      progress=callback, **overrides)
    finally:
        if bar is not None:
            bar.stop()
    result.save(folder)
    typer.echo(result.markdown())
    typer.echo(f"sensitivity written to {folder}")


@app.command()
def validate(
    scenario: Annotated[str, typer.Argument(help="The historical scenario (file or name).")] = "historical",
    seeds: Annotated[int | None, typer.Option("--seeds", min=1, help="Ensemble size (default 20); with --sensitivity, "
                                              "seeds per design point (default 2).")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1)] = 2,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter: NAME=VALUE.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default results/validation/TIMESTAMP).")] = None,
    split: Annotated[int | None, typer.Option("--split", min=1992, max=2022,
                                              help="Report errors up to YEAR (in-sample) and after it separately.")] = None,
    uncalibrated: Annotated[bool, typer.Option("--uncalibrated", help=UNCALIBRATED_HELP)] = False,
    calibration: Annotated[str | None, typer.Option("--calibration",
                                                    help="A calibration file to use instead (e.g. one from --until).")] = None,
    posterior: Annotated[bool | None, typer.Option("--posterior/--no-posterior", help=POSTERIOR_HELP
                                                   + " With --calibration FILE, FILE's posterior.")] = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots")] = True,
    sensitivity: Annotated[bool, typer.Option("--sensitivity", help="Instead: Morris screening of the six facts over "
                                              "the assumption parameters (which facts discriminate).")] = False,
    trajectories: Annotated[int, typer.Option("--trajectories", min=2, help="With --sensitivity: Morris "
                                              "trajectories.")] = 6,
    params: Annotated[list[str] | None, typer.Option("--param", help="With --sensitivity: screen only this parameter "
                                                     "(repeatable; default: every assumption-labelled one).")] = None,
) -> None:
    """Run the historical ensemble: the six stylized facts, every reference series' error and the event-sequence
    scores (exit 1 if a fact fails); with --sensitivity, screen the facts over the assumption parameters instead."""
    from sim import validation
    from sim.runner import run as run_scenario

    if uncalibrated and calibration:
        _fail("--uncalibrated and --calibration exclude each other")
    if uncalibrated and posterior:
        _fail("--uncalibrated and --posterior exclude each other (the posterior is the calibration's)")
    overrides = _parse_sets(set_)
    sc = _load(scenario, "none" if uncalibrated else calibration, posterior)
    if split is not None and sc.spending_anchor_year > split:
        # a time split anchors the allies' spending no later than its split: nothing after it is used
        sc = _load(scenario, "none" if uncalibrated else calibration, posterior, anchor_year=split)
    folder = out or Path("results") / "validation" / f"{sc.name}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    if folder.exists() and any(folder.iterdir()):
        _fail(f"--out {folder}: folder exists and is not empty; choose another (results are never overwritten)")
    if sensitivity:
        _validate_sensitivity(sc, folder, params, trajectories, seeds or 2, workers, overrides)
        return
    if params:
        _fail("--param is for --sensitivity")
    seeds = seeds or 20
    bar, callback = _progress(seeds)
    try:
        result = run_scenario(sc, seeds=_seed_range(sc.seed, seeds), workers=workers, progress=callback, **overrides)
    finally:
        if bar is not None:
            bar.stop()
    label = "registry values (uncalibrated)" if sc.calibration == "none" else f"calibrated ({sc.calibration})"
    if sc.posterior is not None:
        label += f"; parameters drawn per seed from the posterior {sc.posterior.file}"
    report = validation.validate(result, split=split, calibration=label + (f"; --set {overrides}" if overrides else ""))
    report.save(folder, plots=plots)
    if result.draws is not None:
        from sim.outputs import write_table

        write_table(result.draws, folder / "posterior_draws", formats=("csv",))
    for c in report.facts.to_dict("records"):
        typer.echo(f"[{c['result']}] {c['number']}. {c['fact']} (in {c.get('seeds showing it', '?')} of the seeds' "
                   f"own runs)\n        {c['measured']}")
    typer.echo("")
    for e in report.errors.itertuples(index=False):
        err = "" if e.error is None or e.error != e.error else f"{e.error:.3g} {e.unit}"
        typer.echo(f"{e.series} | {e.measure} | {e.sample} | model {e.model} | record {e.record} | {err}")
    from sim import event_scores

    typer.echo("")
    typer.echo(event_scores.markdown(report.events, report.sets))
    if report.skill:
        from sim import skill

        typer.echo("")
        typer.echo(skill.markdown(report.skill, report.skill_origin, out_of_sample=split is not None))
    typer.echo(f"validation written to {folder}")
    if not report.passed:
        raise typer.Exit(1)


@app.command()
def questions(
    names: Annotated[list[str] | None, typer.Argument(help="Hypotheticals to check (default: every scenario with a question in the folder).")] = None,
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Seeds per scenario (the same seeds for all).")] = 12,
    seed: Annotated[int, typer.Option("--seed", min=0, max=SEED_MAX, help="First seed.")] = 0,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 2,
    folder: Annotated[Path, typer.Option("--folder", help="Folder of scenario files.")] = Path("scenarios"),
    out: Annotated[Path | None, typer.Option("--out", help="Write the Markdown table to FILE (and FILE's .csv).")] = None,
    uncalibrated: Annotated[bool, typer.Option("--uncalibrated", help=UNCALIBRATED_HELP)] = False,
) -> None:
    """Answer every hypothetical's question against its reference (exit 1 if an answer fails, 2 on bad input)."""
    from sim import questions as q
    from sim.runner import run_many
    from sim.scenario import SCENARIO_DIR, load_scenario

    calib = "none" if uncalibrated else None
    base = folder if folder.is_dir() else (SCENARIO_DIR if folder == Path("scenarios") else None)
    if base is None:
        _fail(f"--folder {folder}: no such folder")
    if out is not None and out.exists():
        _fail(f"--out {out}: file exists; choose another (results are never overwritten)")
    if names:
        files = [base / (n if n.endswith(".yaml") else f"{n}.yaml") for n in names]
        missing = [str(f) for f in files if not f.is_file()]
        if missing:
            _fail(f"no such scenario in {base}: {', '.join(missing)}")
    else:
        files = sorted(base.glob("*.yaml"))
    problems = []
    hypos = []
    for f in files:
        try:
            sc = load_scenario(f, calibration=calib)
        except ScenarioError as exc:
            problems += exc.problems
            continue
        if sc.question is not None:
            hypos.append(sc)
        elif names:
            problems.append((str(f), "question", "is missing; this scenario states no question to check"))
    if not problems and not hypos:
        problems.append((str(base), "(folder)", "no scenario file states a question"))
    refs = {}
    for sc in hypos:
        key = sc.question.against_path
        if key in refs or any(h.path == key for h in hypos):
            continue
        try:
            refs[key] = load_scenario(key, calibration=calib)
        except ScenarioError as exc:
            problems += exc.problems
    if problems:
        lines = "\n".join(f"  {f}: {field}: {msg}" for f, field, msg in problems)
        _fail(f"invalid scenario\n{lines}")
    scenarios = list(refs.values()) + hypos
    if len({sc.name for sc in scenarios}) != len(scenarios):
        _fail(f"scenario names must differ; got {', '.join(sc.name for sc in scenarios)}")
    bar, callback = _progress(len(scenarios) * seeds)
    try:
        results = run_many(scenarios, _seed_range(seed, seeds), workers=workers, progress=callback, states=False)
    finally:
        if bar is not None:
            bar.stop()
    checks = q.evaluate(scenarios, {sc.name: r for sc, r in zip(scenarios, results)},
                        only=[sc.name for sc in hypos])
    typer.echo(q.markdown(checks))
    if out is not None:
        typer.echo(f"questions written to {q.write(checks, out)}")
    if not all(c.passed for c in checks):
        raise typer.Exit(1)


@app.command()
def calibrate(
    scenario: Annotated[str, typer.Argument(help="The historical scenario (file or name).")] = "historical",
    until: Annotated[int, typer.Option("--until", min=1995, max=2023, help="Use the record up to this year only.")] = 2023,
    params: Annotated[list[str] | None, typer.Option("--param", help="Calibrate this parameter (repeatable; "
                                                     "default: the screening's choice).")] = None,
    population: Annotated[int, typer.Option("--population", min=10, help="ABC particles per generation.")] = 200,
    generations: Annotated[int, typer.Option("--generations", min=1, help="Largest number of ABC-SMC generations.")] = 10,
    minutes: Annotated[float, typer.Option("--minutes", min=0.5, max=30, help="Wall-time budget (a generation under way when it runs out is finished).")] = 20.0,
    screen_seeds: Annotated[int, typer.Option("--screen-seeds", min=1, help="Seeds per screening run.")] = 3,
    workers: Annotated[int, typer.Option("--workers", min=1)] = 2,
    out: Annotated[Path | None, typer.Option("--out", help="Calibration file to write (default "
                                             "sim/data/calibrated.yaml; with --until, results/calibration/).")] = None,
    report_dir: Annotated[Path | None, typer.Option("--report", help="Folder for the report and the ABC database "
                                                    "(default results/calibration/NAME-TIMESTAMP).")] = None,
) -> None:
    """Estimate assumption parameters from the record by ABC-SMC (pyabc); write the calibration file and a report."""
    from sim import calibration as cal
    from sim import parameters as reg

    try:
        import pyabc  # noqa: F401
    except ImportError:
        _fail("calibration needs pyabc: pip install -e '.[calibrate]'")
    sc = _load(scenario, "none")  # always start from the registry's values
    if sc.spending_anchor_year > until:  # anchor the allies' spending on no year after the data used
        sc = _load(scenario, "none", anchor_year=until)
    for name in params or []:
        if name not in reg.registry():
            _fail(f"--param {name}: unknown parameter (see `natosim params`)")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    folder = report_dir or Path("results") / "calibration" / f"{sc.name}-until{until}-{stamp}"
    folder.mkdir(parents=True, exist_ok=True)
    target = out or (cal.DEFAULT_FILE if until >= 2023 else folder / f"calibrated_until_{until}.yaml")
    began = datetime.now(UTC)
    screening = None
    chosen = list(params or [])
    if not chosen:
        typer.echo("screening the candidate parameters ...")
        screening = cal.screen(sc, seeds=screen_seeds, until=until, workers=workers)
        screening.to_csv(folder / "screening.csv", index=False)
        chosen = cal.select(screening, factor=1.5)
        typer.echo(screening.to_string(index=False))
    typer.echo(f"calibrating {', '.join(chosen)} on the record up to {until} ...")
    budget = minutes - (datetime.now(UTC) - began).total_seconds() / 60
    post = cal.calibrate(sc, chosen, until=until, population=population, generations=generations,
                         walltime_min=max(0.5, budget), workers=workers, db_dir=folder)
    post.screening = screening
    post.extra["total_wall_time_s"] = (datetime.now(UTC) - began).total_seconds()
    cal.write(post, target)
    (folder / "calibration.md").write_text(cal.report(post), encoding="utf-8")
    post.summary().to_csv(folder / "posterior_summary.csv", index=False)
    post.particles.assign(weight=post.weights).to_csv(folder / "posterior_particles.csv", index=False)
    typer.echo(cal.report(post))
    from sim.posterior import path_for

    typer.echo(f"calibration file written to {target} (posterior: {path_for(target)}); report in {folder} "
               f"(total {post.extra['total_wall_time_s'] / 60:.1f} min)")


from sim.seminar.cli import app as seminar_app

app.add_typer(seminar_app, name="seminar")


def main() -> None:
    """Entry point of the ``natosim`` console script (``sim.entry.main``: seminar commands start lighter)."""
    from sim.entry import main as entry

    entry()
