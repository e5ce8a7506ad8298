"""Sweep files: the base scenario, parameters to vary, the design, replications, metrics and horizon.

A sweep file is YAML, validated like a scenario: every problem is reported with
the file, the field and what is allowed.  Ranges default to the parameter
registry's plausible ranges.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim import parameters, safe_yaml
from sim.model import MODEL_OUTPUTS
from sim.scenario import (
    SEED_MAX,
    Scenario,
    ScenarioError,
    _loc,
    find,
    is_file,
    load_scenario,
    parse_date,
)
from sim.world import ACTIONS

DESIGNS = ("grid", "lhs", "saltelli", "morris")
DISTRIBUTIONS = ("uniform", "normal", "triangular")
PER_SEED_METRICS = (
    "relations_at_horizon",
    "relations_change",
    "max_escalation",
    "months_to_thaw",
    "cohesion_min",
    "members_at_2pct",
    "frontline_deterrence",
    "war_intensity",
    "russia_strain",
) + tuple(f"share_{a}" for a in ACTIONS) + tuple(f"mean_p_{a}" for a in ACTIONS)
NAME_RE = re.compile(r"^[A-Za-z0-9_.-]+$")
#: the most runs a sweep may make unless ``max_runs`` (``natosim sweep --max-runs N``) allows more
MAX_RUNS = 100_000
#: the seeds of a sweep's replications are seed * SEED_STRIDE + 0 .. replications - 1
SEED_STRIDE = 1000


class ParameterSpec(BaseModel):
    """How one parameter varies: levels (grid), a range, or a distribution."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    levels: list[float] | None = None
    range: tuple[float, float] | None = None
    distribution: Literal["uniform", "normal", "triangular"] = "uniform"
    mean: float | None = None
    sd: float | None = None
    mode: float | None = None
    dummy: bool = False

    @field_validator("levels")
    @classmethod
    def _levels(cls, v: list[float] | None) -> list[float] | None:
        if v is not None and not v:
            raise ValueError("is empty, which makes no point; allowed: a list of one or more values, e.g. [0.0, 1.0]")
        return v


class SweepFile(BaseModel):
    """The content of a sweep file."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    name: str = Field(pattern=NAME_RE.pattern)
    description: str = ""
    scenario: str
    design: Literal["grid", "lhs", "saltelli", "morris"]
    samples: int | None = Field(default=None, ge=1, le=100_000)
    levels: int = Field(default=4, ge=2, le=50)
    replications: int = Field(default=1, ge=1, le=1000)
    seed: int = Field(default=0, ge=0, le=(SEED_MAX - SEED_STRIDE + 1) // SEED_STRIDE)
    horizon: str | None = None
    branch: str | None = None
    thaw: float = Field(default=0.0, ge=-1.0, le=1.0)
    parameters: dict[str, ParameterSpec] = Field(default_factory=dict)
    include: Literal["assumptions"] | None = None
    metrics: list[str] = Field(default_factory=lambda: ["relations_at_horizon", "max_escalation"])
    series: list[str] = Field(default_factory=list)
    apply: Literal["from_start", "from_branch"] = "from_start"


@dataclass
class Sweep:
    """A validated sweep: the base scenario and the resolved parameter specifications."""

    name: str
    description: str
    path: str
    scenario: Scenario
    design: str
    samples: int | None
    levels: int
    replications: int
    seed: int
    branch: Any
    horizon: Any
    thaw: float
    parameters: dict[str, ParameterSpec]
    metrics: list[str]
    series: list[str]
    raw: dict[str, Any]
    apply: str = "from_start"

    def bounds(self, name: str) -> tuple[float, float]:
        """Return the sampling bounds of a parameter (its range, else the registry's)."""
        spec = self.parameters[name]
        if spec.range is not None:
            return spec.range
        if spec.dummy:
            return (0.0, 1.0)
        reg = parameters.registry()[name]
        return (reg.low, reg.high)


def _problems(file: str, exc: ValidationError) -> list[tuple[str, str, str]]:
    out = []
    for err in exc.errors():
        msg = str(err["msg"]).removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            msg = "unknown key"
            if len(err["loc"]) == 1:
                msg += f"; allowed keys: {', '.join(SweepFile.model_fields)}"
            elif len(err["loc"]) == 3 and err["loc"][0] == "parameters":
                msg += f"; allowed keys: {', '.join(ParameterSpec.model_fields)}"
        elif err["type"] == "missing":
            msg = "is required"
        elif err["loc"] == ("seed",):
            msg += (f" (the replications' seeds are seed * {SEED_STRIDE} + 0 .. replications - 1, and the largest "
                    f"seed is {SEED_MAX})")
        out.append((file, _loc(err["loc"]), msg))
    return out


def count(design: str, specs: dict[str, ParameterSpec], samples: int | None, levels: int) -> int:
    """Return the number of points a design makes, by arithmetic alone (nothing is drawn or allocated)."""
    k = len(specs)
    if design == "grid":
        return math.prod(len(set(s.levels)) if s.levels is not None else levels for s in specs.values())
    n = samples or 0
    if design == "lhs":
        return n
    if design == "saltelli":  # SALib sobol.sample(..., calc_second_order=False): N * (k + 2)
        return n * (k + 2)
    if design == "morris":  # SALib morris.sample: N trajectories of k + 1 points
        return n * (k + 1)
    raise ValueError(f"unknown design {design!r}")


def _count_text(n: int) -> str:
    """Return a count for a message: with thousands separators, or its order of magnitude when huge."""
    return f"{n:,}" if n < 10**15 else f"about 10^{len(str(n)) - 1}"


def _size_problem(file: str, spec: SweepFile, specs: dict[str, ParameterSpec], max_runs: int) -> tuple | None:
    """Return the problem of a design larger than ``max_runs`` runs, or None."""
    points = count(spec.design, specs, spec.samples, spec.levels)
    runs = points * spec.replications
    if runs <= max_runs:
        return None
    k = len(specs)
    how = {
        "grid": "the product of the parameters' levels",
        "lhs": "samples",
        "saltelli": f"samples * (k + 2) with k = {k} parameters",
        "morris": f"samples * (k + 1) with k = {k} parameters",
    }[spec.design]
    field = "parameters" if spec.design == "grid" else "samples"
    return (file, field, (
        f"design {spec.design} makes {_count_text(runs)} runs ({_count_text(points)} points, {how}, "
        f"x {spec.replications} replications); allowed at most {max_runs:,}: make the design smaller, or raise "
        f"the limit with `natosim sweep --max-runs N`"))


def load_sweep(path: str | Path, max_runs: int | None = MAX_RUNS) -> Sweep:
    """Load and validate a sweep file; raise ScenarioError naming file, field and what is allowed.

    A design of more than ``max_runs`` runs (None: no limit) is refused before anything is drawn or the
    base scenario is read: its size is computed by arithmetic (``count``).
    """
    path = Path(path)
    file = str(path)
    if not is_file(path):
        raise ScenarioError([(file, "(file)", "no such sweep file")])
    try:
        raw = safe_yaml.load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise ScenarioError([(file, *safe_yaml.describe(exc))]) from None
    except UnicodeDecodeError as exc:
        raise ScenarioError([(file, "(file)", f"is not UTF-8 text (byte {exc.start}): a sweep is a YAML text file")]) from None
    except OSError as exc:
        raise ScenarioError([(file, "(file)", f"cannot be read: {exc.strerror}")]) from None
    if not isinstance(raw, dict):
        raise ScenarioError([(file, "(top level)", "must be a mapping of sweep fields")])
    try:
        spec = SweepFile.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(_problems(file, exc)) from None
    problems: list[tuple[str, str, str]] = []
    reg = parameters.registry()
    params = dict(spec.parameters)
    if spec.include == "assumptions":
        for name, p in reg.items():
            if p.source_kind == "assumption" and name not in params and name not in parameters.SETUP_ONLY:
                params[name] = ParameterSpec()
    too_big = None if max_runs is None else _size_problem(file, spec, params, max_runs)
    if too_big is not None:
        raise ScenarioError([too_big])
    try:
        scenario = load_scenario(find(spec.scenario, path.parent))
    except ScenarioError as exc:
        raise ScenarioError([(file, "scenario", f"{p[0]}: {p[1]}: {p[2]}") for p in exc.problems]) from None
    if not params:
        problems.append((file, "parameters", "no parameter to vary; give `parameters:` or `include: assumptions`"))
    for name, ps in params.items():
        where = f"parameters.{name}"
        if ps.dummy:
            if name in reg:
                problems.append((file, where, "a dummy parameter must not be a model parameter"))
            elif ps.range is not None and ps.range[0] >= ps.range[1]:
                problems.append((file, f"{where}.range", "must be [low, high] with low < high"))
            continue
        if name not in reg:
            problems.append((file, where, "unknown parameter (see `natosim params`); mark `dummy: true` for a dummy"))
            continue
        low, high = reg[name].low, reg[name].high
        values = list(ps.levels or []) + list(ps.range or [])
        for v in values:
            if not low <= v <= high:
                problems.append((file, where, f"{v} is outside the plausible range {low} .. {high}"))
        if ps.range is not None and ps.range[0] >= ps.range[1]:
            problems.append((file, f"{where}.range", "must be [low, high] with low < high"))
        if spec.design != "grid" and ps.levels is not None:
            problems.append((file, f"{where}.levels", f"levels are for design grid; {spec.design} samples a range"))
        if ps.distribution == "normal" and (ps.mean is None or ps.sd is None or ps.sd <= 0):
            problems.append((file, where, "a normal distribution needs mean and sd > 0"))
        if ps.distribution == "triangular" and ps.mode is None:
            problems.append((file, where, "a triangular distribution needs mode"))
        if ps.distribution != "uniform" and spec.design in ("saltelli", "morris", "grid"):
            problems.append((file, f"{where}.distribution", f"design {spec.design} samples uniformly; use lhs"))
    if spec.design in ("lhs", "saltelli", "morris") and spec.samples is None:
        problems.append((file, "samples", f"is required for design {spec.design}"))
    for k, m in enumerate(spec.metrics):
        if m not in PER_SEED_METRICS:
            problems.append((file, f"metrics[{k}]", f"unknown metric {m!r}; allowed: {', '.join(PER_SEED_METRICS)}"))
    for k, s in enumerate(spec.series):
        if s not in MODEL_OUTPUTS:
            problems.append((file, f"series[{k}]", f"unknown output {s!r}; allowed: {', '.join(MODEL_OUTPUTS)}"))
    dates = {}
    for key in ("branch", "horizon"):
        value = getattr(spec, key)
        if value is None:
            continue
        try:
            dates[key] = parse_date(value)
        except ValueError as exc:
            problems.append((file, key, str(exc)))
    if problems:
        raise ScenarioError(problems)
    horizon = dates.get("horizon", scenario.end)
    if horizon > scenario.end or horizon <= scenario.start:
        raise ScenarioError([(file, "horizon", f"must fall within the scenario's period {scenario.start:%Y-%m} .. {scenario.end:%Y-%m}")])
    branch = dates.get("branch", scenario.start)
    if not scenario.start <= branch < horizon:
        raise ScenarioError([(file, "branch", f"must fall between the scenario's start {scenario.start:%Y-%m} and the horizon {horizon:%Y-%m}")])
    if spec.apply == "from_branch":
        setup_only = sorted(set(params) & parameters.SETUP_ONLY)
        if setup_only:
            raise ScenarioError([(file, "apply", f"from_branch cannot change setup-only parameters: {', '.join(setup_only)}")])
    return Sweep(
        name=spec.name,
        description=spec.description,
        path=str(path.resolve()),
        scenario=scenario,
        design=spec.design,
        samples=spec.samples,
        levels=spec.levels,
        replications=spec.replications,
        seed=spec.seed,
        branch=branch,
        horizon=horizon.replace(day=1),
        thaw=spec.thaw,
        parameters=params,
        metrics=list(spec.metrics),
        series=list(spec.series),
        raw=raw,
        apply=spec.apply,
    )


__all__ = ["DESIGNS", "DISTRIBUTIONS", "MAX_RUNS", "PER_SEED_METRICS", "ParameterSpec", "Sweep", "count", "load_sweep"]
