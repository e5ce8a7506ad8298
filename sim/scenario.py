"""Scenario files: schema, safe loading, strict validation, and composition by ``extends``.

A scenario is a YAML file: name, description, start, end, step, seed,
``extends`` (another scenario), ``calibration`` (which calibrated parameter
values apply), parameter overrides, roster overrides and additions, dated
events, and ids of inherited events to remove.  Every problem is reported
with the file, the field path and what is allowed.

A hypothetical may state the ``question`` it answers: its text, the reference
scenario it is measured against (``against``, a file in the same folder,
default ``baseline``) and one or more ``answers``, each an outcome metric of
``sim.metrics.PER_SEED`` with the direction (``higher`` or ``lower``) it should
move and why.  The question belongs to its own file: it is not inherited
through ``extends`` (a scenario that extends a hypothetical asks its own
question, or none).

Parameter values resolve in this order, later winning: the registry
(``sim/data/parameters.yaml``), the calibration file named by ``calibration``
(``default`` is ``sim/data/calibrated.yaml``, written by ``natosim
calibrate``; ``none`` uses the registry values), with ``posterior: true`` one
particle of the calibration's posterior per seed (``sim.posterior``), the
scenario's ``parameters``, then ``--set`` overrides.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from sim import economic_paths, parameters, safe_yaml
from sim.calendar import parse_step
from sim.data import read_yaml
from sim.events import GROUPS, Event, EventType
from sim.inputs import FIRST_MONTH, LABEL_MAX, LAST_MONTH, MAX_MONTHS, SEED_MAX, ScenarioError
from sim.setup import ModelSetup

if TYPE_CHECKING:
    import pandas as pd

    from sim.posterior import PosteriorSample

SCENARIO_DIR = Path(__file__).resolve().parents[1] / "scenarios"
DATE_RE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")
CALIBRATED_FILE = Path(__file__).resolve().parent / "data" / "calibrated.yaml"


def parse_date(value: Any) -> date:
    """Parse 'YYYY-MM', 'YYYY-MM-DD' or a date into a date (first of month when no day)."""
    if isinstance(value, date):
        return value
    match = DATE_RE.match(str(value).strip())
    if not match:
        raise ValueError(f"{value!r} is not a date; use YYYY-MM or YYYY-MM-DD")
    y, m, d = int(match.group(1)), int(match.group(2)), int(match.group(3) or 1)
    try:
        return date(y, m, d)
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid date ({exc}); use YYYY-MM or YYYY-MM-DD") from None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)


class StateRecord(_Strict):
    """One state of the roster."""

    code: str = Field(pattern=r"^[A-Z]{3}$")
    name: str
    bloc: Literal["west", "russia", "russia_aligned", "contested", "non_aligned"]
    accession: date | None = None
    gdp_usd_bn: float = Field(gt=0)
    defence_spending_pct_gdp: float = Field(ge=0, le=30)
    milex_usd_bn: float = Field(ge=0)
    gas_share_from_russia: float = Field(ge=0, le=1)
    proximity: Literal["border", "frontline", "rear", "distant"]
    capital: tuple[float, float]
    land_border_with_russia: bool
    neutrality: float = Field(ge=0, le=1)
    solidarity: float = Field(ge=0, le=1)
    resolve: float = Field(ge=0, le=1)
    red_lines: list[str] | None = None
    grievances: dict[str, float] | None = None
    #: the level (% GDP) the state's peacetime spending is anchored on; filled from the record's anchor year
    spending_anchor_pct: float | None = Field(default=None, ge=0, le=30)
    #: False for a state with no armed forces (Iceland): its spending follows neither threat nor pledges
    armed_forces: bool = True
    sources: dict[str, str] = Field(default_factory=dict)

    @field_validator("accession", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        return None if v is None else parse_date(v)


class EventSpec(_Strict):
    """One dated event in a scenario file."""

    id: str | None = None
    date: date
    type: str
    actor: str
    targets: list[str] = Field(default_factory=list)
    label: str = ""
    params: dict[str, Any] = Field(default_factory=dict)
    source: str = ""

    @field_validator("date", mode="before")
    @classmethod
    def _date(cls, v: Any) -> Any:
        return parse_date(v)

    @field_validator("label")
    @classmethod
    def _label(cls, v: str) -> str:
        if len(v) > LABEL_MAX:
            raise ValueError(f"is {len(v)} characters long; allowed at most {LABEL_MAX} (labels are drawn on the "
                             "plots; put the details in `source`)")
        return v


class RosterChanges(_Strict):
    """Roster overrides (by state code) and additions."""

    overrides: dict[str, dict[str, Any]] = Field(default_factory=dict)
    add: list[dict[str, Any]] = Field(default_factory=list)


class AnswerSpec(_Strict):
    """One expected answer of a scenario's question: a metric and the direction it moves."""

    metric: str
    direction: Literal["higher", "lower"]
    why: str = Field(min_length=1)
    #: also held to the strict rule (clear of the reference's whole spread in most seeds)
    strict: bool = False

    @field_validator("metric")
    @classmethod
    def _metric(cls, v: str) -> str:
        from sim.metrics import (
            PER_SEED,  # sim.metrics imports the runner, which imports this module
        )

        if v not in PER_SEED:
            raise ValueError(f"unknown metric {v!r}; allowed: {', '.join(PER_SEED)}")
        return v


class QuestionSpec(_Strict):
    """The question a hypothetical answers, the reference it is measured against, and its answers."""

    text: str = Field(min_length=1)
    against: str = "baseline"
    #: the last month the answers are measured at (default: the scenarios' end)
    horizon: date | None = None
    answers: list[AnswerSpec] = Field(min_length=1)

    @field_validator("horizon", mode="before")
    @classmethod
    def _horizon(cls, v: Any) -> Any:
        return None if v is None else parse_date(v).replace(day=1)


class ScenarioFile(_Strict):
    """The content of one scenario file, before inheritance is resolved."""

    name: str | None = None
    description: str | None = None
    extends: str | None = None
    start: date | None = None
    end: date | None = None
    step: str | None = None
    seed: int | None = Field(default=None, ge=0, le=SEED_MAX)
    calibration: str | None = None
    posterior: bool | None = None
    spending_anchor_year: int | None = Field(default=None, ge=1991, le=2023)
    parameters: dict[str, Any] = Field(default_factory=dict)
    roster: RosterChanges = Field(default_factory=RosterChanges)
    events: list[EventSpec] = Field(default_factory=list)
    remove_events: list[str] = Field(default_factory=list)
    question: QuestionSpec | None = None

    @field_validator("start", "end", mode="before")
    @classmethod
    def _month(cls, v: Any) -> Any:
        if v is None:
            return None
        month = parse_date(v).replace(day=1)
        if not FIRST_MONTH <= month <= LAST_MONTH:
            raise ValueError(f"{month:%Y-%m} is outside the months a run may cover; allowed "
                             f"{FIRST_MONTH:%Y-%m} .. {LAST_MONTH:%Y-%m}")
        return month

    @field_validator("step")
    @classmethod
    def _step(cls, v: str | None) -> str | None:
        if v is not None:
            parse_step(v)
        return v


@dataclass(frozen=True)
class Answer:
    """An expected answer: ``metric`` should be ``direction`` (higher or lower) than in the reference."""

    metric: str
    direction: str
    why: str
    #: held to the strict rule as well as the paired one (see ``sim.questions``)
    strict: bool = False


@dataclass(frozen=True)
class Question:
    """The question a hypothetical answers and the reference scenario (by name) it is measured against."""

    text: str
    against: str
    answers: tuple[Answer, ...]
    #: the reference scenario's file (resolved in the hypothetical's folder)
    against_path: str = ""
    #: the last month the answers are measured at (None: the scenarios' end)
    horizon: date | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the question as plain data."""
        return {
            "text": self.text,
            "against": self.against,
            "horizon": None if self.horizon is None else f"{self.horizon:%Y-%m}",
            "answers": [{"metric": a.metric, "direction": a.direction, "why": a.why, "strict": a.strict}
                        for a in self.answers],
        }


@dataclass
class Scenario:
    """A fully resolved scenario: inheritance applied, validated, ready to run."""

    name: str
    description: str
    path: str | None
    chain: list[str]
    start: date
    end: date
    step: str
    seed: int
    parameters: dict[str, float]
    roster: list[dict[str, Any]]
    events: list[Event]
    event_types: dict[str, EventType] = field(repr=False, default_factory=dict)
    #: the calibration applied: "none" or the calibration file's path
    calibration: str = "none"
    #: calibrated parameter values (under the scenario's own ``parameters``)
    calibrated: dict[str, float] = field(default_factory=dict)
    #: the question this scenario's own file states (never inherited), or None
    question: Question | None = None
    #: the calibration's posterior each seed draws its parameters from (``posterior: true``), or None
    posterior: PosteriorSample | None = None
    #: the record's year each ally's peacetime spending is anchored on (``spending_anchor_year``)
    spending_anchor_year: int = economic_paths.ANCHOR_YEAR
    #: real GDP growth, % a year, per state and year (the record's path; years without a figure grow normally)
    gdp_growth: dict[str, dict[int, float]] = field(default_factory=dict, repr=False)

    def draws(self, seeds: list[int], overrides: dict[str, float] | None = None) -> pd.DataFrame | None:
        """Return each seed's posterior draw (seed, particle, values), or None without a posterior.

        Parameters the scenario's own ``parameters`` or the ``overrides`` set are not drawn.
        """
        if self.posterior is None:
            return None
        return self.posterior.draws(seeds, fixed=set(self.parameters) | set(overrides or {}))

    @property
    def months_per_step(self) -> int:
        """Months per step."""
        return parse_step(self.step)

    def setup(self, **overrides: float) -> ModelSetup:
        """Return the model setup: registry defaults, calibrated values, this scenario's, then ``overrides``."""
        problems = [
            ("--set", k, msg) for k, v in overrides.items() if (msg := parameters.check_value(k, v))
        ]
        if problems:
            raise ScenarioError(problems)
        params = {**parameters.defaults(), **self.calibrated, **self.parameters, **overrides}
        return ModelSetup(
            roster=self.roster,
            params=params,
            event_types=self.event_types,
            events=self.events,
            bloc_trust=read_yaml("bloc_trust.yaml"),
            start=self.start,
            end=self.end,
            months_per_step=self.months_per_step,
            name=self.name,
            gdp_growth=self.gdp_growth,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the resolved scenario as plain data (for manifests and ``natosim show``)."""
        return {
            "name": self.name,
            "description": self.description,
            "file": self.path,
            "extends_chain": self.chain,
            "start": self.start.isoformat()[:7],
            "end": self.end.isoformat()[:7],
            "step": self.step,
            "seed": self.seed,
            "calibration": self.calibration,
            "spending_anchor_year": self.spending_anchor_year,
            "question": None if self.question is None else self.question.to_dict(),
            "calibrated_parameters": dict(self.calibrated),
            "posterior": None if self.posterior is None else self.posterior.describe(),
            "parameters": dict(self.parameters),
            "roster_codes": [s["code"] for s in self.roster],
            "events": [
                {
                    "id": e.id,
                    "date": e.date.isoformat(),
                    "type": e.type,
                    "actor": e.actor,
                    "targets": list(e.targets),
                    "label": e.label,
                    "params": e.params,
                    "source": e.source,
                }
                for e in self.events
            ],
        }


def event_types() -> dict[str, EventType]:
    """Return the packaged event-type catalogue."""
    raw = read_yaml("event_types.yaml")["event_types"]
    return {
        name: EventType(
            name=name,
            cameo=str(e.get("cameo")),
            goldstein=float(e["goldstein"]),
            description=str(e.get("description", "")),
            perceived_by_russia_param=e.get("perceived_by_russia_param"),
            params=dict(e.get("params") or {}),
        )
        for name, e in raw.items()
    }


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _allowed_hint(err: dict) -> str:
    ctx = err.get("ctx") or {}
    if err["type"] == "extra_forbidden":
        return "unknown key"
    msg = str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "literal_error" and "expected" in ctx:
        return f"{msg}"
    return msg


def _validation_problems(file: str, exc: ValidationError, model: type[BaseModel]) -> list:
    problems = []
    for err in exc.errors():
        msg = _allowed_hint(err)
        if err["type"] == "extra_forbidden" and len(err["loc"]) == 1:
            msg += f"; allowed keys: {', '.join(model.model_fields)}"
        elif err["type"] == "extra_forbidden" and err["loc"][0] == "events":
            msg += f"; allowed keys: {', '.join(EventSpec.model_fields)}"
        elif err["type"] == "extra_forbidden" and err["loc"][0] == "question":
            inner = AnswerSpec if "answers" in err["loc"] else QuestionSpec
            msg += f"; allowed keys: {', '.join(inner.model_fields)}"
        elif err["type"] == "missing":
            msg = "is required"
        if err["loc"] and err["loc"][0] == "question" and err["type"] in ("model_type", "list_type"):
            msg = ("must be a list of answers" if err["type"] == "list_type" else "must be a mapping") + "; allowed: question: {text: ..., against: NAME, answers: [{metric: ..., direction: higher|lower, why: ...}]}"
        problems.append((file, _loc(err["loc"]), msg))
    return problems


def roster() -> list[dict[str, Any]]:
    """Return the packaged roster, validated."""
    raw = read_yaml("roster.yaml")["states"]
    try:
        return [StateRecord.model_validate(s).model_dump() for s in raw]
    except ValidationError as exc:
        raise ScenarioError(_validation_problems("sim/data/roster.yaml", exc, StateRecord)) from None


def is_file(path: Path) -> bool:
    """Return whether ``path`` is a regular file; False, not an error, for a name the system cannot look up."""
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long, a null byte, ... : no such file
        return False


def find(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    """Return the file for a scenario path or bare name (looked up in scenarios/)."""
    p = Path(name_or_path)
    candidates = []
    if relative_to is not None:
        candidates += [relative_to / p, relative_to / f"{p}.yaml"]
    candidates += [p, Path("scenarios") / p, Path("scenarios") / f"{p}.yaml", SCENARIO_DIR / f"{p}.yaml", SCENARIO_DIR / p]
    for c in candidates:
        if is_file(c):
            return c.resolve()
    raise ScenarioError([(str(name_or_path), "(file)", "no such scenario file or name in scenarios/")])


def _read(path: Path) -> ScenarioFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError([(str(path), "(file)", f"cannot be read: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        why = (f"is not UTF-8 text (byte {exc.start}): a scenario is a YAML text file; a binary or differently "
               "encoded file cannot be read")
        raise ScenarioError([(str(path), "(file)", why)]) from None
    try:
        raw = safe_yaml.load(text)
    except yaml.YAMLError as exc:
        raise ScenarioError([(str(path), *safe_yaml.describe(exc))]) from None
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ScenarioError([(str(path), "(top level)", "must be a mapping of scenario fields")])
    try:
        return ScenarioFile.model_validate(raw)
    except ValidationError as exc:
        raise ScenarioError(_validation_problems(str(path), exc, ScenarioFile)) from None


def _chain(path: Path) -> list[tuple[Path, ScenarioFile]]:
    chain: list[tuple[Path, ScenarioFile]] = []
    seen: list[Path] = []
    current: Path | None = path
    while current is not None:
        if current in seen:
            cycle = " -> ".join(str(s.name) for s in seen + [current])
            raise ScenarioError([(str(seen[-1]), "extends", f"forms a cycle: {cycle}")])
        seen.append(current)
        spec = _read(current)
        chain.append((current, spec))
        if not spec.extends:
            current = None
            continue
        try:
            current = find(spec.extends, current.parent)
        except ScenarioError:
            raise ScenarioError([(str(current), "extends", (
                f"{spec.extends!r}: no such scenario file; allowed: a scenario file relative to "
                f"{current.parent} (e.g. baseline.yaml) or a name in scenarios/"))]) from None
    return list(reversed(chain))


def _apply_roster(file: str, base: list[dict], changes: RosterChanges, problems: list) -> list[dict]:
    states = {s["code"]: copy.deepcopy(s) for s in base}
    for code, fields in changes.overrides.items():
        if code not in states:
            problems.append((file, f"roster.overrides.{code}", f"unknown state; known: {', '.join(states)}"))
            continue
        merged = {**states[code], **fields}
        try:
            states[code] = StateRecord.model_validate(merged).model_dump()
        except ValidationError as exc:
            for p in _validation_problems(file, exc, StateRecord):
                problems.append((file, f"roster.overrides.{code}.{p[1]}", p[2]))
    for k, rec in enumerate(changes.add):
        try:
            new = StateRecord.model_validate(rec).model_dump()
        except ValidationError as exc:
            for p in _validation_problems(file, exc, StateRecord):
                problems.append((file, f"roster.add[{k}].{p[1]}", p[2]))
            continue
        if new["code"] in states:
            problems.append((file, f"roster.add[{k}].code", f"{new['code']} is already in the roster; use overrides"))
        states[new["code"]] = new
    return list(states.values())


def _hold_policy_problems(ev: EventSpec, allowed: set[str] | list[str]) -> list[tuple[str, str]]:
    """Return (field, message) for what is wrong with a ``hold_policy`` event's actor and parameters."""
    from sim.directives import POLICIES

    out: list[tuple[str, str]] = []
    params = ev.params
    if ev.actor in GROUPS or ev.actor not in allowed:
        out.append((".actor", f"{ev.actor!r}: a hold_policy is one state's policy; allowed: a roster code"))
    policy = params.get("policy")
    if policy not in POLICIES:
        out.append((".params.policy", f"{policy!r} unknown; allowed: {', '.join(POLICIES)}"))
    elif policy in ("sanctions", "aid"):
        level = params.get("level")
        if isinstance(level, bool) or not isinstance(level, (int, float)) or not 0.0 <= float(level) <= 1.0:
            out.append((".params.level", f"{level!r}: {policy} needs a level 0..1"))
        if "candidate" in params:
            out.append((".params.candidate", f"only for policy ratification, not {policy}"))
    else:
        candidate = params.get("candidate")
        if not isinstance(candidate, str) or candidate not in allowed or candidate in GROUPS:
            out.append((".params.candidate", f"{candidate!r}: ratification needs the candidate's state code"))
        elif candidate == ev.actor:
            out.append((".params.candidate", "a state does not ratify its own accession"))
        if "level" in params:
            out.append((".params.level", "only for policies sanctions and aid"))
    until = params.get("until")
    if until is not None:
        text = until.isoformat()[:7] if isinstance(until, date) else str(until)
        if not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", text):
            out.append((".params.until", f"{until!r}: the last month held, as YYYY-MM"))
        elif text < f"{ev.date.year:04d}-{ev.date.month:02d}":
            out.append((".params.until", f"{text} is before the event's own month"))
        else:
            params["until"] = text
    return out


def _check_event(file: str, where: str, ev: EventSpec, codes: set[str], types: dict, problems: list) -> None:
    if ev.type not in types:
        problems.append((file, f"{where}.type", f"unknown event type {ev.type!r}; allowed: {', '.join(sorted(types))}"))
        return
    allowed = set(codes) | set(GROUPS)
    if ev.actor not in allowed:
        problems.append((file, f"{where}.actor", f"unknown state {ev.actor!r}; allowed: a roster code or {', '.join(GROUPS)}"))
    for t in ev.targets:
        if t not in allowed:
            problems.append((file, f"{where}.targets", f"unknown state {t!r}; allowed: a roster code or {', '.join(GROUPS)}"))
    declared = set(types[ev.type].params)
    for key in ev.params:
        if key not in declared:
            hint = ", ".join(sorted(declared)) or "none"
            problems.append((file, f"{where}.params.{key}", f"not a parameter of {ev.type}; allowed: {hint}"))
    for key in ("hosts",):
        hosts = ev.params.get(key, []) or []
        if not isinstance(hosts, list):
            problems.append((file, f"{where}.params.{key}", f"must be a list of state codes, got {hosts!r}"))
            continue
        for t in hosts:
            if not isinstance(t, str) or t not in allowed:
                problems.append((file, f"{where}.params.{key}", f"unknown state {t!r}"))
    for key, meaning in types[ev.type].params.items():
        if str(meaning).startswith("required") and key not in ev.params:
            problems.append((file, f"{where}.params.{key}", f"is required for {ev.type}: {meaning}"))
    if ev.type == "set_parameter" and "parameter" in ev.params and "value" in ev.params:
        name = str(ev.params["parameter"])
        msg = _value_problem(name, ev.params["value"])
        if msg:
            problems.append((file, f"{where}.params", f"{name}: {msg}"))
        elif name in parameters.SETUP_ONLY:
            problems.append((file, f"{where}.params.parameter", (f"{name} only shapes the initial state; "
                             "set it under `parameters:` instead")))
    if ev.type == "hold_policy":
        problems.extend((file, f"{where}{field}", msg) for field, msg in _hold_policy_problems(ev, allowed))
    if ev.type == "state_change":
        from sim.events import RUSSIA_ATTRIBUTES, STATE_ATTRIBUTES

        attribute = ev.params.get("attribute")
        allowed_attributes = sorted(STATE_ATTRIBUTES) + sorted(RUSSIA_ATTRIBUTES)
        if attribute not in allowed_attributes:
            problems.append((file, f"{where}.params.attribute", f"{attribute!r} unknown; allowed: {', '.join(allowed_attributes)}"))
        elif ("value" in ev.params) == ("delta" in ev.params):
            problems.append((file, f"{where}.params", "give exactly one of value or delta"))
        else:
            number = ev.params.get("value", ev.params.get("delta"))
            if isinstance(number, bool) or not isinstance(number, (int, float)):
                problems.append((file, f"{where}.params", f"value/delta must be a number, got {number!r}"))


def _value_problem(name: Any, value: Any) -> str | None:
    """Return why a parameter value is not allowed (``parameters.check_value``), or None; a number too large is one."""
    try:
        return parameters.check_value(str(name), value)
    except OverflowError:
        return f"{value!r} is too large to be a number"


def _month_count(start: date, end: date) -> int:
    """Return the months from ``start`` to ``end``, both included."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _calibration(value: str, file: str, base: Path, problems: list) -> tuple[str, dict[str, float]]:
    """Resolve a ``calibration`` value ('none', 'default' or a file) into (name, values)."""
    if value == "none":
        return "none", {}
    target = CALIBRATED_FILE if value == "default" else (base / value if not Path(value).is_absolute() else Path(value))
    if not is_file(target):
        hint = "run `natosim calibrate` to write it" if value == "default" else "no such file"
        problems.append((file, "calibration", f"{value!r}: {hint}; allowed: none, default or a calibration file"))
        return "none", {}
    try:
        raw = safe_yaml.load(target.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        problems.append((str(target), "(file)", f"is not valid YAML text: {exc}"))
        return "none", {}
    except OSError as exc:
        problems.append((str(target), "(file)", f"cannot be read: {exc.strerror}"))
        return "none", {}
    entries = raw.get("parameters") if isinstance(raw, dict) else None
    if not isinstance(entries, dict):
        problems.append((str(target), "parameters", "must be a mapping of parameter names to {value: ...}"))
        return "none", {}
    values: dict[str, float] = {}
    for name, entry in entries.items():
        if isinstance(entry, dict) and entry.get("applied") is False:
            continue  # estimated but not identified by the record: the registry value stays
        v = entry.get("value") if isinstance(entry, dict) else entry
        msg = _value_problem(name, v)
        if msg:
            problems.append((str(target), f"parameters.{name}.value", msg))
        else:
            values[name] = float(v)
    return str(target), values


def _posterior(meta: dict[str, Any], wanted: bool | None, calibration: str | None, calib_value: str,
               calib_name: str, calibrated: dict[str, float], last: str, problems: list) -> PosteriorSample | None:
    """Return the posterior the scenario draws from (``posterior: true`` or ``--posterior``), or None (problems noted)."""
    from sim import posterior

    on, where = meta.get("posterior", (False, last))
    if wanted is not None:
        on, where = wanted, "--posterior"
    elif calibration == "none":
        on = False  # --uncalibrated: the registry's values, nothing drawn
    if not on:
        return None
    if calib_value == "none":
        problems.append((where, "posterior", ("needs a calibration to draw from, but calibration is none; "
                                              "use calibration: default or a calibration file")))
        return None
    if calib_name == "none":
        return None  # the calibration itself is invalid (already reported)
    try:
        return posterior.for_calibration(calib_name, calibrated)
    except posterior.PosteriorError as exc:
        problems.append(exc.problem)
        return None


def _question(file_path: Path, spec: QuestionSpec | None, problems: list) -> Question | None:
    """Return the file's own question, its reference resolved in the file's folder (problems noted)."""
    if spec is None:
        return None
    file = str(file_path)
    folder = file_path.parent
    target = next((c for c in (folder / spec.against, folder / f"{spec.against}.yaml") if is_file(c)), None)
    if target is None:
        others = sorted(p.stem for p in folder.glob("*.yaml") if p != file_path)
        problems.append((file, "question.against", f"no scenario {spec.against!r} in {folder}; allowed: {', '.join(others)}"))
        return None
    if target.resolve() == file_path.resolve():
        problems.append((file, "question.against", "is this scenario itself; name the reference it is compared with"))
        return None
    answers = tuple(Answer(a.metric, a.direction, a.why.strip(), a.strict) for a in spec.answers)
    return Question(spec.text.strip(), Path(spec.against).stem, answers, str(target.resolve()), spec.horizon)


def load_scenario(path: str | Path, calibration: str | None = None, posterior: bool | None = None,
                  anchor_year: int | None = None) -> Scenario:
    """Load, resolve (``extends``) and validate a scenario file; raise ScenarioError on problems.

    ``calibration`` ('none', 'default' or a file) replaces what the scenario files say; so does
    ``posterior`` (draw each seed's parameters from the calibration's posterior).  Without
    ``posterior``, the files' ``posterior`` applies, except under ``calibration='none'``.
    ``anchor_year`` replaces the files' ``spending_anchor_year`` (a time-split validation anchors
    no later than its split).
    """
    chain = _chain(find(path))
    types = event_types()
    problems: list[tuple[str, str, str]] = []
    roster_now = roster()
    params: dict[str, float] = {}
    events: dict[str, Event] = {}
    order: list[str] = []
    meta: dict[str, Any] = {}
    #: which file gave start and end; each file's events with the run as that file sees it
    origin: dict[str, str] = {}
    dated: list[tuple[str, str, date, date | None, date | None]] = []
    for file_path, spec in chain:
        file = str(file_path)
        for key in ("name", "description", "start", "end", "step", "seed", "spending_anchor_year"):
            if getattr(spec, key) is not None:
                meta[key] = getattr(spec, key)
                origin[key] = file
        if spec.calibration is not None:
            meta["calibration"] = (spec.calibration, file, file_path.parent)
        if spec.posterior is not None:
            meta["posterior"] = (spec.posterior, file)
        for name, value in spec.parameters.items():
            msg = _value_problem(name, value)
            if msg:
                problems.append((file, f"parameters.{name}", msg))
            else:
                params[name] = float(value)
        roster_now = _apply_roster(file, roster_now, spec.roster, problems)
        codes = {s["code"] for s in roster_now}
        for k, rid in enumerate(spec.remove_events):
            if rid not in events:
                problems.append((file, f"remove_events[{k}]", f"no inherited event has id {rid!r}"))
            else:
                del events[rid]
                order.remove(rid)
        ids_here: set[str] = set()
        for k, ev in enumerate(spec.events):
            where = f"events[{k}]"
            _check_event(file, where, ev, codes, types, problems)
            dated.append((file, f"{where}.date", ev.date, meta.get("start"), meta.get("end")))
            eid = ev.id or f"{file_path.stem}-{k}"
            if eid in ids_here:
                problems.append((file, f"{where}.id", f"duplicate id {eid!r} in this file"))
            ids_here.add(eid)
            if eid not in events:
                order.append(eid)
            events[eid] = Event(
                date=ev.date,
                type=ev.type,
                actor=ev.actor,
                targets=tuple(ev.targets),
                label=ev.label or ev.type.replace("_", " "),
                source=ev.source,
                params=dict(ev.params),
                id=eid,
                origin="scheduled",
            )
    last = str(chain[-1][0])
    for key in ("start", "end"):
        if key not in meta:
            problems.append((last, key, "is required (YYYY-MM), here or in a scenario it extends"))
    if "start" in meta and "end" in meta and meta["end"] < meta["start"]:
        problems.append((last, "end", f"{meta['end']} is before start {meta['start']}"))
    elif "start" in meta and "end" in meta:
        months = _month_count(meta["start"], meta["end"])
        if months > MAX_MONTHS:
            problems.append((origin["end"], "end", (
                f"{meta['end']:%Y-%m} makes a run of {months} months from {meta['start']:%Y-%m} "
                f"(start, in {Path(origin['start']).name}); allowed at most {MAX_MONTHS} months "
                f"({MAX_MONTHS // 12} years)")))
        for file, where, when, start, end in dated:
            start, end = start or meta["start"], end or meta["end"]
            if not (start.year, start.month) <= (when.year, when.month) <= (end.year, end.month):
                problems.append((file, where, (
                    f"{when} is outside the run ({start:%Y-%m} .. {end:%Y-%m}); allowed: a date in the run's "
                    "months (move the event, or change start or end)")))
    if "RUS" not in {s["code"] for s in roster_now}:
        problems.append((last, "roster", "must contain RUS"))
    calib_value, calib_file, calib_base = meta.get("calibration", ("none", last, Path.cwd()))
    if calibration is not None:
        calib_value, calib_file, calib_base = calibration, "--calibration", Path.cwd()
    calib_name, calibrated = _calibration(calib_value, calib_file, calib_base, problems)
    sample = _posterior(meta, posterior, calibration, calib_value, calib_name, calibrated, last, problems)
    question = _question(chain[-1][0], chain[-1][1].question, problems)  # the last file's own: not inherited
    horizon = None if question is None else question.horizon
    if horizon is not None and "start" in meta and "end" in meta and not meta["start"] <= horizon <= meta["end"]:
        problems.append((last, "question.horizon", (
            f"{horizon:%Y-%m} is outside the run; allowed {meta['start']:%Y-%m} .. {meta['end']:%Y-%m}")))
    if problems:
        raise ScenarioError(problems)
    start, end = meta["start"], meta["end"]
    year = anchor_year if anchor_year is not None else meta.get("spending_anchor_year", economic_paths.ANCHOR_YEAR)
    roster_now = economic_paths.anchored(roster_now, year)
    ordered = sorted((events[i] for i in order), key=lambda e: e.date)
    return Scenario(
        name=meta.get("name") or chain[-1][0].stem,
        description=(meta.get("description") or "").strip(),
        path=last,
        chain=[str(p) for p, _ in chain],
        start=start,
        end=end,
        step=meta.get("step") or "1M",
        seed=int(meta.get("seed") or 0),
        parameters=params,
        roster=roster_now,
        events=ordered,
        event_types=types,
        calibration=calib_name,
        calibrated=calibrated,
        question=question,
        posterior=sample,
        spending_anchor_year=year,
        gdp_growth=economic_paths.gdp_growth(),
    )


def default_setup(**overrides: float) -> ModelSetup:
    """Return the historical scenario's setup (handy for batch_run and notebooks)."""
    return load_scenario(SCENARIO_DIR / "historical.yaml").setup(**overrides)
