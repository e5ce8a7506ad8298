"""Calibration of assumption parameters against the record by approximate Bayesian computation.

Method: ABC-SMC (sequential Monte Carlo approximate Bayesian computation, Toni et al. 2009;
Del Moral et al. 2012) as implemented by the maintained library pyabc, with an adaptive
weighted Euclidean distance (Prangle 2017: each summary statistic scaled by its median
absolute deviation in the current population), uniform priors over the registry's ranges and
one stochastic historical run (one seed) per particle.  The model's randomness is therefore
part of the likelihood ABC approximates.

Summary statistics come from the reference files (``sim.validation``): members' mean defence
spending and the number of members at or above 2 % of GDP (SIPRI) every other year, Russia's
military expenditure (% GDP) every third year, and — when the record used reaches 2022 —
the months of Finland's and Sweden's applications, Finland's accession month, whether Sweden
is a member at the end of 2023 and the relative fall of Russia's share of EU gas 2021→2022.
``until`` truncates the record (and the run) at a year, for the time-split check.

Which parameters: a one-at-a-time screening (``screen``) runs each candidate at both ends of
its range and measures how far the summary statistics move, in units of their seed-to-seed
spread, against a noise floor (the default run with other seeds); the calibrated subset is the
candidates well above the floor.

Outputs: a calibration file (YAML; ``sim/data/calibrated.yaml`` by default) with each
parameter's posterior median, 90 % credible interval, prior, the width ratio, method, data,
date and version; the scenario layer applies the medians by default (``calibration:`` in
scenario files, ``--uncalibrated`` on the command line).  Next to it, ``X_posterior.csv`` holds the
final population (one column per calibrated parameter, plus ``weight``; the YAML names it under
``posterior``), which ensembles can draw their parameters from (``sim.posterior``, ``--posterior``).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import yaml

from sim import parameters, safe_yaml, validation
from sim import posterior as _posterior
from sim.scenario import Scenario

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "calibrated.yaml"

#: parameters the record can plausibly inform (spending, Russia's spending, applications, gas)
CANDIDATES: tuple[str, ...] = (
    "peace_dividend",
    "spending_threat_response",
    "spending_rise_rate",
    "spending_fall_rate",
    "spending_noise",
    "pledge_pull",
    "pledge_threat_reference",
    "informal_pledge_strength",
    "russia_war_spending",
    "russia_spending_threat_response",
    "russia_ambition_spending",
    "spending_threat_threshold",
    "austerity_weight",
    "fiscal_stress_rate",
    "budget_stickiness",
    "application_threat_threshold",
    "application_neutrality_weight",
    "opinion_adjustment_rate",
    "ratification_base",
    "diversification_rate",
    "diversification_threshold",
    "gas_return_rate",
    "coercion_supply_loss",
    "coercion_memory_decay",
)

SPEND_YEARS = tuple(range(1992, 2023, 2)) + (2023,)
RUSSIA_YEARS = (1995, 1998, 2001, 2004, 2007, 2010, 2013, 2016, 2019, 2022, 2023)
#: months after January 2022 given to an event that did not happen by the end of 2023
NEVER = 30.0


# --------------------------------------------------------------------------- summary statistics
def _month_index(d: pd.Timestamp) -> float:
    return float((d.year - 2022) * 12 + d.month - 1)


def model_stats(result: Any, until: int = validation.RECORD_END) -> dict[str, float]:
    """Return the summary statistics of one run (or ensemble: means over seeds) up to ``until``."""
    yearly = validation._yearly_states(result)
    sp = validation.model_spending(result, yearly).groupby("year")[["mean", "count"]].mean()
    ru = validation.model_russia_milex(result, yearly).groupby("year").spend.mean()
    out: dict[str, float] = {}
    for y in SPEND_YEARS:
        if y <= until and y in sp.index:
            out[f"spend_{y}"] = float(sp.loc[y, "mean"])
            out[f"count_{y}"] = float(sp.loc[y, "count"])
    for y in RUSSIA_YEARS:
        if y <= until and y in ru.index:
            out[f"russia_{y}"] = float(ru.loc[y])
    if until >= 2023:
        st = result.states
        for code, col, name in (("FIN", "applicant", "fin_applies"), ("SWE", "applicant", "swe_applies"),
                                ("FIN", "member", "fin_joins")):
            s = st[(st.state == code) & (st.date >= "2022-01-01")]
            if col == "applicant":
                s = s[s.applicant | s.member]
            else:
                s = s[s.member]
            firsts = s.groupby("seed").date.min().reindex(list(result.seeds))
            out[name] = float(np.mean([NEVER if pd.isna(d) else _month_index(d) for d in firsts]))
        last = st[(st.state == "SWE") & (st.date == st.date.max())]
        out["swe_member_2023"] = float(last.member.mean())
        gas = validation.model_gas(result, yearly).groupby("year").share.mean()
        out["gas_2022_over_2021"] = float(gas.loc[2022] / gas.loc[2021])
    return out


def observed_stats(until: int = validation.RECORD_END) -> dict[str, float]:
    """Return the same summary statistics computed from the reference files up to ``until``."""
    spend, count, rus = validation.record_mean_spending(), validation.record_count_2pct(), validation.record_russia_milex()
    out: dict[str, float] = {}
    for y in SPEND_YEARS:
        if y <= until and y in spend.index:
            out[f"spend_{y}"] = float(spend.loc[y])
            out[f"count_{y}"] = float(count.loc[y])
    for y in RUSSIA_YEARS:
        if y <= until and y in rus.index:
            out[f"russia_{y}"] = float(rus.loc[y])
    if until >= 2023:
        m = validation.record_membership().set_index("code")
        out["fin_applies"] = _month_index(m.loc["FIN", "applied_date"])
        out["swe_applies"] = _month_index(m.loc["SWE", "applied_date"])
        out["fin_joins"] = _month_index(m.loc["FIN", "accession_date"])
        out["swe_member_2023"] = 0.0 if m.loc["SWE", "accession_date"].year > 2023 else 1.0
        gas = validation.record_gas().dropna(subset=["share_pct"])
        g21 = gas[gas.year == 2021].share_pct.iloc[0]
        g22 = gas[(gas.year == 2022) & gas.period.str.contains("/")].share_pct.iloc[0]
        out["gas_2022_over_2021"] = float(g22 / g21)
    return out


def truncated(scenario: Scenario, until: int) -> Scenario:
    """Return the scenario ending in December of ``until`` (or unchanged if it ends earlier)."""
    end = date(until, 12, 1)
    return dataclasses.replace(scenario, end=min(end, scenario.end))


def _one_run(scenario: Scenario, overrides: dict[str, float], seed: int, until: int) -> dict[str, float]:
    from sim.runner import simulate

    record = simulate(scenario.setup(**overrides), seed, states=True)
    tables = record.tables()
    result = SimpleNamespace(scenario=scenario, seeds=[seed], **tables)
    return model_stats(result, until)


# --------------------------------------------------------------------------- screening
def screen(scenario: Scenario, candidates: tuple[str, ...] | list[str] = CANDIDATES, seeds: int = 2,
           until: int = validation.RECORD_END, workers: int = 2) -> pd.DataFrame:
    """Return each candidate's effect on the summary statistics (low vs high end of its range) and the noise floor."""
    from sim.runner import run_many

    sc = truncated(scenario, until)
    reg = parameters.registry()
    variants = [sc, dataclasses.replace(sc, seed=sc.seed + 1000)]  # default, and default with other seeds
    for name in candidates:
        for v in (reg[name].low, reg[name].high):
            variants.append(dataclasses.replace(sc, parameters={**sc.parameters, name: v}))
    seed_list = list(range(sc.seed, sc.seed + seeds))
    results = run_many(variants, seed_list, workers=workers)
    noise_results = run_many([variants[1]], list(range(sc.seed + 1000, sc.seed + 1000 + seeds)), workers=workers)
    stats = [pd.DataFrame(model_stats(r, until), index=[0]).iloc[0] for r in results]
    noise = pd.DataFrame(model_stats(noise_results[0], until), index=[0]).iloc[0]
    # scale: the seed-to-seed spread, but at least a tenth of the record's value (0.1 for values near 0)
    per_seed = pd.DataFrame([one for one in _per_seed_stats(results[0], until)])
    obs = pd.Series(observed_stats(until)).reindex(per_seed.columns)
    spread = np.maximum(per_seed.std(ddof=1).fillna(0.0), np.maximum(0.1 * obs.abs().fillna(1.0), 0.1))
    def score(z: pd.Series) -> float:
        # the largest mean effect over the groups of statistics (spending, count, russia, the 2022-23 block)
        groups = z.index.str.split("_").str[0].where(z.index.str.match(r"^(spend|count|russia)_"), "enlargement-gas")
        return float(z.groupby(groups).mean().max())

    rows = [{"parameter": "(noise floor: default, other seeds)", "score": score((noise - stats[0]).abs().div(spread)),
             "top_statistics": ""}]
    for k, name in enumerate(candidates):
        lo, hi = stats[2 + 2 * k], stats[3 + 2 * k]
        z = (hi - lo).abs().div(spread)
        rows.append({"parameter": name, "score": score(z),
                     "top_statistics": ", ".join(z.sort_values(ascending=False).index[:3])})
    out = pd.DataFrame(rows)
    out["source_kind"] = out.parameter.map(lambda n: reg[n].source_kind if n in reg else "")
    return out.sort_values("score", ascending=False).reset_index(drop=True)


def _per_seed_stats(result: Any, until: int) -> list[dict[str, float]]:
    out = []
    for seed in result.seeds:
        one = SimpleNamespace(scenario=result.scenario, seeds=[seed],
                              timeseries=result.timeseries[result.timeseries.seed == seed],
                              states=result.states[result.states.seed == seed],
                              events=result.events[result.events.seed == seed])
        out.append(model_stats(one, until))
    return out


def select(screening: pd.DataFrame, factor: float = 2.0, at_most: int = 8) -> list[str]:
    """Return the candidates whose screening score exceeds ``factor`` times the noise floor (the strongest first)."""
    floor = float(screening[screening.parameter.str.startswith("(noise")].score.iloc[0])
    chosen = screening[~screening.parameter.str.startswith("(") & (screening.score > factor * floor)]
    return list(chosen.parameter[:at_most])


# --------------------------------------------------------------------------- ABC-SMC
@dataclass
class Posterior:
    """The outcome of a calibration: weighted particles, summaries, and what produced them."""

    params: list[str]
    particles: pd.DataFrame
    weights: np.ndarray
    observed: dict[str, float]
    until: int
    generations: int
    simulations: int
    epsilons: list[float]
    wall_time_s: float
    population: int
    screening: pd.DataFrame | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> pd.DataFrame:
        """Return per parameter: prior range, posterior median, 5 % and 95 % quantiles, width ratio, verdict."""
        reg = parameters.registry()
        rows = []
        for name in self.params:
            q05, q50, q95 = weighted_quantiles(self.particles[name].to_numpy(), self.weights, (0.05, 0.5, 0.95))
            p = reg[name]
            ratio = (q95 - q05) / (0.9 * (p.high - p.low))
            verdict = "pinned down" if ratio < 0.5 else ("narrowed" if ratio < 0.8 else "not identified")
            rows.append({"parameter": name, "prior_low": p.low, "prior_high": p.high, "registry_value": p.value,
                         "median": q50, "q05": q05, "q95": q95, "width_ratio": ratio, "verdict": verdict,
                         "source_kind": p.source_kind})
        return pd.DataFrame(rows)


def weighted_quantiles(values: np.ndarray, weights: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """Return weighted quantiles of values."""
    order = np.argsort(values)
    v, w = values[order], weights[order] / weights.sum()
    cdf = np.cumsum(w) - 0.5 * w
    return [float(np.interp(q, cdf, v)) for q in qs]


def calibrate(
    scenario: Scenario,
    params: list[str],
    until: int = validation.RECORD_END,
    population: int = 200,
    generations: int = 10,
    walltime_min: float = 25.0,
    workers: int = 2,
    observed: dict[str, float] | None = None,
    db_dir: str | Path | None = None,
    log: bool = True,
) -> Posterior:
    """Estimate ``params`` by ABC-SMC (pyabc) against the record (or ``observed``); return the posterior."""
    import logging

    import pyabc

    if not log:
        for name in ("ABC", "pyabc", "Epsilon", "Distance", "Acceptor", "Sampler", "ABC.History", "ABC.Distance"):
            logging.getLogger(name).setLevel(logging.WARNING)
    reg = parameters.registry()
    sc = truncated(scenario, until)
    obs = observed if observed is not None else observed_stats(until)
    keys = list(obs)

    def model(par: dict) -> dict[str, float]:
        seed = int(np.random.randint(0, 2**31 - 1))
        stats = _one_run(sc, {k: float(par[k]) for k in params}, seed, until)
        return {k: stats.get(k, np.nan) for k in keys}

    prior = pyabc.Distribution(**{k: pyabc.RV("uniform", reg[k].low, reg[k].high - reg[k].low) for k in params})
    distance = pyabc.AdaptivePNormDistance(p=2, max_scale_weight_ratio=20.0)
    sampler = (pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers) if workers > 1
               else pyabc.sampler.SingleCoreSampler())
    abc = pyabc.ABCSMC(model, prior, distance, population_size=population, sampler=sampler)
    folder = Path(db_dir) if db_dir else Path(tempfile.mkdtemp(prefix="natosim-abc-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"abc-{os.getpid()}-{int(time.time())}.db"
    began = time.perf_counter()
    abc.new(f"sqlite:///{db}", obs)
    history = abc.run(max_nr_populations=generations, max_walltime=timedelta(minutes=walltime_min))
    wall = time.perf_counter() - began
    df, w = history.get_distribution(m=0, t=history.max_t)
    pops = history.get_all_populations()
    return Posterior(
        params=list(params), particles=df.reset_index(drop=True), weights=np.asarray(w), observed=obs, until=until,
        generations=int(history.max_t + 1), simulations=int(history.total_nr_simulations),
        epsilons=[float(e) for e in pops.epsilon if np.isfinite(e)], wall_time_s=wall, population=population,
    )


# --------------------------------------------------------------------------- files
def _version() -> str:
    from importlib.metadata import version

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], check=False, capture_output=True, text=True,
                                cwd=Path(__file__).parent, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    return f"natosim {version('natosim')}" + (f" (git {commit})" if commit else "")


def write(post: Posterior, path: str | Path) -> Path:
    """Write the calibration file: estimates (posterior median) with credible ranges, method, data, date, version.

    The final population goes next to it (``X.yaml`` -> ``X_posterior.csv``: one column per calibrated
    parameter, plus ``weight``), named in the file under ``posterior``.
    """
    import pyabc

    path = Path(path)
    posterior_file = _posterior.path_for(path)
    summary = post.summary()
    data = {
        "description": ("Parameters estimated from the historical record by ABC-SMC; the scenario layer applies "
                        "each `value` (the posterior median of a parameter the record pins down or narrows) over "
                        "the registry default unless a scenario says `calibration: none` or the command line says "
                        "--uncalibrated. Parameters the record cannot identify (width ratio >= 0.8) are listed with "
                        "`applied: false` and keep their registry value: a near-flat posterior's median is the "
                        "prior's middle, no better than the registry's judgement."),
        "method": (f"ABC-SMC (pyabc {pyabc.__version__}), adaptive weighted Euclidean distance (MAD scales), "
                   f"uniform priors over the registry ranges, one stochastic run per particle, population "
                   f"{post.population}, {post.generations} generations, {post.simulations} simulations"),
        "data": {"record_until": post.until,
                 "files": ["sim/data/reference/defence_spending_pct_gdp.csv (SIPRI rows)",
                           "sim/data/reference/russia_military_expenditure.csv (pct_gdp)"]
                 + (["sim/data/reference/nato_membership.csv (FIN, SWE)",
                     "sim/data/reference/russian_gas_share_eu.csv (2021, Jan-Nov 2022)"] if post.until >= 2023 else []),
                 "statistics": {k: round(v, 4) for k, v in post.observed.items()}},
        "date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "version": _version(),
        "wall_time_s": round(post.wall_time_s, 1),
        "epsilons": [round(e, 4) for e in post.epsilons],
        "posterior": posterior_file.name,
        "parameters": {
            r.parameter: {
                **({"value": float(round(r.median, 6))} if r.verdict != "not identified"
                   else {"applied": False}),
                "posterior_median": float(round(r.median, 6)),
                "credible_90": [float(round(r.q05, 6)), float(round(r.q95, 6))],
                "prior": [r.prior_low, r.prior_high],
                "registry_value": r.registry_value,
                "width_ratio": float(round(r.width_ratio, 3)),
                "verdict": r.verdict,
                "source_kind": r.source_kind,
            }
            for r in summary.itertuples(index=False)
        },
    }
    if post.screening is not None:
        data["screening"] = [{"parameter": r.parameter, "score": round(float(r.score), 3)}
                             for r in post.screening.itertuples(index=False)]
    path.parent.mkdir(parents=True, exist_ok=True)
    _posterior.write(post.particles[list(post.params)], post.weights, posterior_file)
    header = "# natosim calibration file, written by `natosim calibrate`; see docs/validation.md.\n"
    path.write_text(header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110), encoding="utf-8")
    return path


def load(path: str | Path) -> dict[str, float]:
    """Return the calibrated values of a calibration file (validated against the registry)."""
    raw = safe_yaml.load(Path(path).read_text(encoding="utf-8")) or {}
    values = {}
    for name, entry in (raw.get("parameters") or {}).items():
        if isinstance(entry, dict) and entry.get("applied") is False:
            continue
        value = entry.get("value") if isinstance(entry, dict) else entry
        msg = parameters.check_value(name, value)
        if msg:
            raise ValueError(f"{path}: parameters.{name}: {msg}")
        values[name] = float(value)
    return values


def load_posterior(path: str | Path) -> tuple[pd.DataFrame, np.ndarray]:
    """Return a posterior file's particles and normalised weights (``path``: the CSV or its calibration YAML).

    Raise ``sim.posterior.PosteriorError`` (a ValueError naming the file) when it is missing or invalid.
    """
    return _posterior.load(path)


def report(post: Posterior) -> str:
    """Return the calibration report as Markdown: what the record pins down and what it cannot."""
    s = post.summary()
    lines = [
        f"# Calibration report (record up to {post.until})", "",
        (f"ABC-SMC (pyabc), population {post.population}, {post.generations} generations, "
        f"{post.simulations} simulations, {post.wall_time_s / 60:.1f} min wall time. "
        f"Epsilon by generation: {', '.join(f'{e:.3g}' for e in post.epsilons)}."), "",
        ("Width ratio: 90 % credible interval over the prior's 90 % interval (uniform over the registry range). "
        "Below 0.5 the record pins the parameter down; 0.5–0.8 it narrows it; above 0.8 it cannot tell."), "",
        "| parameter | source | prior | registry | posterior median | 90 % credible | width ratio | verdict |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in s.itertuples(index=False):
        lines.append(f"| {r.parameter} | {r.source_kind} | {r.prior_low:g}–{r.prior_high:g} | {r.registry_value:g} | "
                     f"{r.median:.4g} | {r.q05:.4g}–{r.q95:.4g} | {r.width_ratio:.2f} | {r.verdict} |")
    lines += ["", "Summary statistics (record):", "",
              ", ".join(f"{k} {v:.3g}" for k, v in post.observed.items()), ""]
    if post.screening is not None:
        lines += ["## Screening (one at a time, both ends of the range)", "",
                  ("Score: the largest, over the groups of statistics (spending, count, Russia, the 2022–23 block), "
                  "of the mean |change| / scale, the scale being the seed-to-seed spread "
                  "or a tenth of the record's value, whichever is larger."), "",
                  "| parameter | source | score | statistics moved most |", "|---|---|---|---|"]
        for r in post.screening.itertuples(index=False):
            lines.append(f"| {r.parameter} | {r.source_kind} | {r.score:.2f} | {r.top_statistics} |")
    return "\n".join(lines) + "\n"


__all__ = ["CANDIDATES", "DEFAULT_FILE", "Posterior", "calibrate", "load", "load_posterior", "model_stats",
           "observed_stats", "report", "screen", "select", "write"]
