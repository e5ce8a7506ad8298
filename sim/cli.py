"""The ``natosim`` command line: a thin layer over the Python API."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
import yaml

from sim import parameters
from sim.scenario import ScenarioError, load_scenario

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="natosim: agent-based simulation of NATO–Russia relations (Mesa).",
)

EXIT_BAD_INPUT = 2


def _fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _parse_sets(items: list[str] | None) -> dict[str, float]:
    """Parse repeated ``--set name=value`` options into overrides (validated later)."""
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


def _load(path: str):
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        lines = "\n".join(f"  {f}: {field}: {msg}" for f, field, msg in exc.problems)
        _fail(f"invalid scenario\n{lines}")


def _progress(total: int):
    """Return a progress callback drawing a bar on a terminal, or None."""
    if total < 2 or not sys.stderr.isatty():
        return None, None
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(
        TextColumn("[bold]runs"), BarColumn(), TextColumn("{task.completed}/{task.total}"), TimeRemainingColumn()
    )
    task = bar.add_task("run", total=total)
    bar.start()
    return bar, (lambda done, now_total: bar.update(task, completed=done, total=now_total))


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="Scenario file, or a name in scenarios/ (e.g. historical).")],
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Number of seeds in the ensemble.")] = 1,
    seed: Annotated[int | None, typer.Option("--seed", help="First seed (default: the scenario's).")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default results/NAME-TIMESTAMP).")] = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes for the ensemble.")] = 1,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter: NAME=VALUE (repeatable).")] = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Write the plots.")] = True,
) -> None:
    """Run a scenario (an ensemble of seeds) and write tables, plots, manifest and summary."""
    from sim.runner import run as run_scenario

    overrides = _parse_sets(set_)
    sc = _load(scenario)
    first = sc.seed if seed is None else seed
    seed_list = list(range(first, first + seeds))
    folder = out or Path("results") / f"{sc.name}-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    if folder.exists() and any(folder.iterdir()):
        _fail(f"--out {folder}: folder exists and is not empty; choose another (results are never overwritten)")
    bar, callback = _progress(len(seed_list))
    try:
        result = run_scenario(sc, seeds=seed_list, workers=workers, progress=callback, **overrides)
    except ScenarioError as exc:
        _fail(str(exc))
    finally:
        if bar is not None:
            bar.stop()
    path = result.save(str(folder), plots=plots)
    typer.echo((Path(path) / "summary.md").read_text(encoding="utf-8"))
    typer.echo(f"results written to {path}")


@app.command()
def compare(
    scenarios: Annotated[list[str], typer.Argument(help="Two or more scenario files or names.")],
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Seeds per scenario.")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="First seed (the same seeds for every scenario).")] = 0,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 2,
    horizon: Annotated[str | None, typer.Option("--horizon", help="Horizon YYYY-MM (default: the earliest end).")] = None,
    thaw: Annotated[float, typer.Option("--thaw", min=-1.0, max=1.0, help="Relations index that counts as a thaw.")] = 0.0,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default results/compare-TIMESTAMP).")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter: NAME=VALUE (repeatable).")] = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots")] = True,
) -> None:
    """Run scenarios as ensembles and compare them: overlay plot, small multiples, metrics table."""
    from sim.compare import compare as run_compare
    from sim.scenario import parse_date

    overrides = _parse_sets(set_)
    loaded = [_load(s) for s in scenarios]
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
    bar, callback = _progress(len(loaded) * seeds)
    try:
        result = run_compare(loaded, range(seed, seed + seeds), workers=workers, horizon=when, thaw=thaw,
                             progress=callback, **overrides)
    finally:
        if bar is not None:
            bar.stop()
    path = result.save(folder, plots=plots)
    typer.echo(result.markdown())
    typer.echo(f"comparison written to {path}")


@app.command()
def sweep(
    spec: Annotated[Path, typer.Argument(help="A sweep file (scenarios/sweeps/*.yaml).")],
    workers: Annotated[int, typer.Option("--workers", min=1, help="Local worker processes (or Dask LocalCluster workers).")] = 2,
    dask: Annotated[str | None, typer.Option("--dask", help="Run on Dask: a scheduler address (tcp://host:8786) or 'local'.")] = None,
    resume: Annotated[bool, typer.Option("--resume", help="Complete an interrupted sweep: run only the missing runs.")] = False,
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default results/sweeps/NAME).")] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Fix another parameter: NAME=VALUE (repeatable).")] = None,
) -> None:
    """Run a parameter sweep; results are written as runs finish (Parquet dataset + manifest)."""
    from sim.sweep.execute import run_sweep
    from sim.sweep.spec import load_sweep

    overrides = _parse_sets(set_)
    try:
        loaded = load_sweep(spec)
    except ScenarioError as exc:
        lines = "\n".join(f"  {f}: {field}: {msg}" for f, field, msg in exc.problems)
        _fail(f"invalid sweep\n{lines}")
    folder = out or Path("results") / "sweeps" / loaded.name
    from sim.sweep import design

    total = len(design.points(loaded)) * loaded.replications
    bar, callback = _progress(total)
    try:
        path = run_sweep(loaded, folder, workers=workers, dask=dask, resume=resume, progress=callback,
                         overrides=overrides)
    except (FileExistsError, ValueError) as exc:
        _fail(str(exc))
    finally:
        if bar is not None:
            bar.stop()
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    typer.echo(
        f"sweep {loaded.name}: {manifest['runs_done']}/{manifest['runs_total']} runs written "
        f"({manifest['runs_failed']} failed) to {path}"
    )


@app.command()
def analyze(
    folder: Annotated[Path, typer.Argument(help="A sweep folder (results/sweeps/NAME).")],
    out: Annotated[Path | None, typer.Option("--out", help="Output folder (default FOLDER/analysis).")] = None,
) -> None:
    """Analyse a sweep: Sobol/Morris/delta sensitivity, fan chart, heatmaps, PRIM scenario discovery."""
    from sim.sweep.analyze import analyze as run_analysis

    if not (folder / "manifest.json").exists():
        _fail(f"{folder}: not a sweep folder (no manifest.json); run `natosim sweep` first")
    path = run_analysis(folder, out=out)
    report = Path(path) / "analysis.md"
    if report.exists():
        typer.echo(report.read_text(encoding="utf-8"))
    typer.echo(f"analysis written to {path}")


@app.command("params")
def params_cmd(
    format: Annotated[str, typer.Option("--format", help="table, csv or markdown.")] = "table",
    mechanism: Annotated[str | None, typer.Option("--mechanism", help="Only this mechanism's parameters.")] = None,
) -> None:
    """Print the parameter registry: value, range, unit, meaning and source of every parameter."""
    df = parameters.table()
    if mechanism:
        known = sorted(df.mechanism.unique())
        if mechanism not in known:
            _fail(f"--mechanism {mechanism!r}: unknown; allowed: {', '.join(known)}")
        df = df[df.mechanism == mechanism]
    if format == "csv":
        typer.echo(df.to_csv(index=False), nl=False)
    elif format == "markdown":
        typer.echo(df.to_markdown(index=False) if _has_tabulate() else _markdown(df))
    elif format == "table":
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"natosim parameters ({len(df)})", show_lines=False)
        for col in ("name", "value", "min", "max", "unit", "mechanism", "source_kind", "meaning", "source"):
            table.add_column(col, overflow="fold")
        for row in df.itertuples(index=False):
            table.add_row(
                row.name, f"{row.value:g}", f"{row.min:g}", f"{row.max:g}", row.unit, row.mechanism,
                row.source_kind, row.meaning, row.source,
            )
        Console(width=max(200, 0)).print(table)
    else:
        _fail(f"--format {format!r}: allowed table, csv, markdown")


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
) -> None:
    """Print the fully resolved scenario (after inheritance and overrides) as YAML."""
    overrides = _parse_sets(set_)
    sc = _load(scenario)
    data = sc.to_dict()
    data["parameters"] = {**data["parameters"], **overrides}
    typer.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))


@app.command()
def validate(
    scenario: Annotated[str, typer.Argument(help="The historical scenario (file or name).")] = "historical",
    seeds: Annotated[int, typer.Option("--seeds", min=1, help="Ensemble size.")] = 20,
    workers: Annotated[int, typer.Option("--workers", min=1)] = 1,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Override a parameter: NAME=VALUE.")] = None,
) -> None:
    """Run the historical ensemble and check the brief's six stylized facts (exit 1 if any fails)."""
    from sim import stylized
    from sim.runner import run as run_scenario

    overrides = _parse_sets(set_)
    sc = _load(scenario)
    bar, callback = _progress(seeds)
    try:
        result = run_scenario(sc, seeds=range(sc.seed, sc.seed + seeds), workers=workers, progress=callback, **overrides)
    finally:
        if bar is not None:
            bar.stop()
    checks = stylized.check_all(result)
    for c in checks:
        typer.echo(f"[{'pass' if c.passed else 'FAIL'}] {c.number}. {c.fact}\n        {c.measured}")
    if not all(c.passed for c in checks):
        raise typer.Exit(1)


from sim.seminar.cli import app as seminar_app

app.add_typer(seminar_app, name="seminar")


def main() -> None:
    """Entry point of the ``natosim`` console script."""
    import os

    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if os.environ.get("NATOSIM_DEBUG"):
            raise
        typer.echo(
            f"natosim: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug, not a problem with your input; rerun with NATOSIM_DEBUG=1 for the traceback "
            "and report it.",
            err=True,
        )
        sys.exit(1)
