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

Execution: the screening's runs, and each ABC generation's particles, run as lockstep ensembles
(``sim.lockstep``: one chunk per worker process, each run with its own seed and parameter values,
its results those it gets alone).  The ABC-SMC sampler that does this (``LockstepSampler``,
``sampler="lockstep"``, the default) evaluates the particles pyabc's single-core sampler evaluates, in
its order, so a calibration's result depends on numpy's global seed alone, not on the number of workers.

Outputs: a calibration file (YAML; ``sim/data/calibrated.yaml`` by default) with each
parameter's posterior median, 90 % credible interval, prior, the width ratio, method, data,
date and version; the scenario layer applies the medians by default (``calibration:`` in
scenario files, ``--uncalibrated`` on the command line).  Next to it, ``X_posterior.csv`` holds the
final population (one column per calibrated parameter, plus ``weight``; the YAML names it under
``posterior``), which ensembles can draw their parameters from (``sim.posterior``, ``--posterior``).
"""

from __future__ import annotations

import dataclasses
import math
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


def _yearly_stats(sp: pd.DataFrame, ru: pd.Series, until: int) -> dict[str, float]:
    """Return the yearly statistics (allies' mean spending and count at 2 %, Russia's spending) up to ``until``."""
    out: dict[str, float] = {}
    for y in SPEND_YEARS:
        if y <= until and y in sp.index:
            out[f"spend_{y}"] = float(sp.loc[y, "mean"])
            out[f"count_{y}"] = float(sp.loc[y, "count"])
    for y in RUSSIA_YEARS:
        if y <= until and y in ru.index:
            out[f"russia_{y}"] = float(ru.loc[y])
    return out


def model_stats(result: Any, until: int = validation.RECORD_END) -> dict[str, float]:
    """Return the summary statistics of one run (or ensemble: means over seeds) up to ``until``."""
    yearly = validation._yearly_states(result)
    sp = validation.model_spending(result, yearly).groupby("year")[["mean", "count"]].mean()
    ru = validation.model_russia_milex(result, yearly).groupby("year").spend.mean()
    out = _yearly_stats(sp, ru, until)
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


# --------------------------------------------------------------------------- many runs at once
#: runs whose tables are built at once when their statistics are computed (bounds a worker's memory)
STATS_SLICE = 32


def _run_parts(scenario: Scenario, records: list[Any], until: int) -> dict[str, Any]:
    """Return what ``model_stats`` computes per seed, for each run (its ``seed`` column: its index in ``records``).

    The runs' tables are built a slice at a time with each run's seed replaced by its index (the
    same seed may recur, with other parameters); the per-run frames are those ``model_stats``
    reduces over seeds, so a group's mean over them is its value, bit for bit.
    """
    from sim.runner import tables_of

    sp, ru, gas, firsts, swe = [], [], [], {}, []
    for a in range(0, len(records), STATS_SLICE):
        part = [dataclasses.replace(r, seed=a + i) for i, r in enumerate(records[a:a + STATS_SLICE])]
        result = SimpleNamespace(scenario=scenario, seeds=[r.seed for r in part], **tables_of(part))
        yearly = validation._yearly_states(result)
        # validation.model_spending, its count a sum of 0/1 (the same numbers; its per-group lambda took a fifth of
        # the time): members' mean spending and the count at or above 2 % per seed and year
        m = yearly[yearly.member.astype(bool) & ~yearly.state.isin(validation.NO_SPENDING_DATA)
                   & (yearly.state != "RUS")]
        m = m.assign(at_2pct=(m.spend >= 2.0).astype(float))
        sp.append(m.groupby(["seed", "year"]).agg(mean=("spend", "mean"), count=("at_2pct", "sum")).reset_index())
        ru.append(validation.model_russia_milex(result, yearly))
        if until >= 2023:
            st = result.states
            for code, col, name in (("FIN", "applicant", "fin_applies"), ("SWE", "applicant", "swe_applies"),
                                    ("FIN", "member", "fin_joins")):
                s = st[(st.state == code) & (st.date >= "2022-01-01")]
                s = s[s.applicant | s.member] if col == "applicant" else s[s.member]
                first = s.groupby("seed").date.min().reindex(result.seeds)
                firsts.setdefault(name, []).extend(NEVER if pd.isna(d) else _month_index(d) for d in first)
            last = st[(st.state == "SWE") & (st.date == st.date.max())]
            swe.append(last[["seed", "member"]])
            gas.append(validation.model_gas(result, yearly))
    cat = (lambda frames: pd.concat(frames, ignore_index=True))
    return {"spend": cat(sp), "russia": cat(ru), "gas": cat(gas) if gas else None, "swe": cat(swe) if swe else None,
            "firsts": {k: np.array(v) for k, v in firsts.items()}, "runs": len(records)}


def _group_stats(parts: dict[str, Any], groups: list[list[int]], until: int) -> list[dict[str, float]]:
    """Return ``model_stats`` of each group of runs (indices into the runs of ``parts``), as if run as an ensemble.

    Groups are disjoint and list their runs in the order of the ensemble's seeds; the means over a
    group's runs are taken as ``model_stats`` takes them (pandas' group means, ``np.mean``).
    """
    label = np.full(parts["runs"], -1)
    for g, runs in enumerate(groups):
        label[runs] = g
    def by_group(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.assign(group=label[frame.seed.to_numpy()])
        return frame[frame.group >= 0]

    sp = by_group(parts["spend"]).groupby(["group", "year"])[["mean", "count"]].mean()
    ru = by_group(parts["russia"]).groupby(["group", "year"]).spend.mean()
    if until >= 2023:
        swe = by_group(parts["swe"]).groupby("group").member.mean()
        gas = by_group(parts["gas"]).groupby(["group", "year"]).share.mean()
    out = []
    for g, runs in enumerate(groups):
        one = _yearly_stats(sp.loc[g], ru.loc[g], until)
        if until >= 2023:
            for name, months in parts["firsts"].items():
                one[name] = float(np.mean([months[q] for q in runs]))
            one["swe_member_2023"] = float(swe.loc[g])
            gasg = gas.loc[g]
            one["gas_2022_over_2021"] = float(gasg.loc[2022] / gasg.loc[2021])
        out.append(one)
    return out


def _chunk_stats(args: tuple) -> list[list[dict[str, float]]]:
    """Run one chunk of runs of a setup (one seed and parameter values each) together; return their statistics.

    ``args``: (scenario, setup, seeds, values, groupings, until); each grouping is a list of disjoint
    groups of runs, and the answer holds, per grouping, the statistics of each group (``_group_stats``).
    The runs go through ``sim.runner._run_chunk``: one lockstep ensemble (``sim.lockstep``), or one by
    one below ``LOCKSTEP_MIN_RUNS``; either way each run's results are those it gets alone.
    """
    from sim.runner import _run_chunk

    scenario, setup, seeds, values, groupings, until = args
    records = _run_chunk((setup, list(seeds), True, list(values)))
    parts = _run_parts(scenario, records, until)
    del records
    return [_group_stats(parts, groups, until) for groups in groupings]


class _Runs:
    """Chunks of runs of one scenario, run in this process or in a pool of worker processes kept between calls."""

    def __init__(self, scenario: Scenario, until: int, workers: int):
        self.scenario, self.until, self.workers = scenario, until, max(1, workers)
        self.setup = scenario.setup()
        self.pool = None

    def map(self, jobs: list[tuple]) -> list[list[list[dict[str, float]]]]:
        """Return ``_chunk_stats`` of each job ``(seeds, values, groupings)``, in order."""
        args = [(self.scenario, self.setup, seeds, values, groupings, self.until)
                for seeds, values, groupings in jobs]
        if self.workers == 1 or len(args) == 1:
            return [_chunk_stats(a) for a in args]
        if self.pool is None:
            from sim.runner import start_workers

            self.pool = start_workers(self.workers, ["sim.calibration"], initializer=_init_worker)
        return list(self.pool.map(_chunk_stats, args))

    def per_run(self, runs: list[tuple[dict[str, float], int]]) -> list[dict[str, float]]:
        """Return the statistics of each run ``(parameter values, seed)``: the runs split into one chunk per worker."""
        from sim.lockstep import chunks
        from sim.runner import lockstep_chunk

        size = lockstep_chunk(len(runs), self.workers)
        jobs = []
        for part in chunks(len(runs), size):
            mine = [runs[i] for i in part]
            jobs.append(([s for _, s in mine], [v for v, _ in mine], [[[q] for q in range(len(mine))]]))
        return [one for answer in self.map(jobs) for one in answer[0]]

    def close(self, at_once: bool = False) -> None:
        """Stop the worker processes (if any were started); ``at_once``: without waiting for their runs."""
        if self.pool is not None:
            from sim.runner import stop_workers

            stop_workers(self.pool) if at_once else self.pool.shutdown()
            self.pool = None


def _init_worker() -> None:
    import gc

    from sim.runner import ignore_interrupts

    ignore_interrupts()
    gc.freeze()


# --------------------------------------------------------------------------- screening
def screen(scenario: Scenario, candidates: tuple[str, ...] | list[str] = CANDIDATES, seeds: int = 2,
           until: int = validation.RECORD_END, workers: int = 2) -> pd.DataFrame:
    """Return each candidate's effect on the summary statistics (low vs high end of its range) and the noise floor.

    Every run (the default with ``seeds`` seeds, the default with other seeds for the noise floor,
    each candidate at each end of its range with the default's seeds) is one run of the truncated
    scenario with its own parameter values: they are advanced in lockstep chunks, one per worker
    process, each variant's seeds in one chunk (its ensemble statistics are computed there).
    """
    from sim.lockstep import LOCKSTEP_MIN_RUNS
    from sim.runner import LOCKSTEP_CHUNK

    sc = truncated(scenario, until)
    reg = parameters.registry()
    seed_list = list(range(sc.seed, sc.seed + seeds))
    noise_seeds = list(range(sc.seed + 1000, sc.seed + 1000 + seeds))
    # variants: the default, the default with other seeds (noise floor), then each candidate low and high
    variants: list[tuple[dict[str, float], list[int]]] = [({}, seed_list), ({}, noise_seeds)]
    for name in candidates:
        for v in (reg[name].low, reg[name].high):
            variants.append(({name: float(v)}, seed_list))
    # whole variants per chunk: about one chunk per worker, at most LOCKSTEP_CHUNK runs, at least LOCKSTEP_MIN_RUNS
    total = sum(len(s) for _, s in variants)
    per_chunk = max(LOCKSTEP_MIN_RUNS, min(LOCKSTEP_CHUNK, -(-total // max(1, workers))))
    jobs: list[tuple[list[int], list[dict[str, float]], list]] = []
    owners: list[list[int]] = []
    for k, (values, vseeds) in enumerate(variants):
        if not jobs or (len(jobs[-1][0]) + len(vseeds) > per_chunk and jobs[-1][0]):
            jobs.append(([], [], [[], []]))
            owners.append([])
        run_seeds, run_values, (groups, singles) = jobs[-1]
        first = len(run_seeds)
        groups.append(list(range(first, first + len(vseeds))))
        if k == 0:  # the default's seeds one by one: their spread scales the effects
            singles.extend([q] for q in range(first, first + len(vseeds)))
        run_seeds.extend(vseeds)
        run_values.extend([values] * len(vseeds))
        owners[-1].append(k)
    runner = _Runs(sc, until, workers)
    try:
        answers = runner.map(jobs)
    except BaseException:  # Ctrl-C, a failure: do not wait for the chunks still running
        runner.close(at_once=True)
        raise
    runner.close()
    stats_of: dict[int, pd.Series] = {}
    per_seed: list[dict[str, float]] = []
    for owned, (groups, singles) in zip(owners, answers, strict=True):
        for k, one in zip(owned, groups, strict=True):
            stats_of[k] = pd.DataFrame(one, index=[0]).iloc[0]
        per_seed.extend(singles)
    stats = [stats_of[k] for k in range(len(variants))]
    noise = stats[1]
    # scale: the seed-to-seed spread, but at least a tenth of the record's value (0.1 for values near 0)
    per_seed_frame = pd.DataFrame(per_seed)
    obs = pd.Series(observed_stats(until)).reindex(per_seed_frame.columns)
    spread = np.maximum(per_seed_frame.std(ddof=1).fillna(0.0), np.maximum(0.1 * obs.abs().fillna(1.0), 0.1))
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


#: the samplers ``calibrate`` can use (``sampler=``)
SAMPLERS = ("lockstep", "single", "multicore")


class _Proposed(Exception):
    """Raised by the model function when it only records a proposal (``LockstepSampler``)."""


class _ModelFunction:
    """pyabc's model function: a particle's parameter values and a seed drawn from numpy's global state -> statistics.

    ``mode`` says what a call does with them: ``"run"`` runs the model alone (the single-core and
    multicore samplers), ``"propose"`` records them and raises ``_Proposed`` (the lockstep sampler
    collecting a batch), ``"replay"`` returns the statistics computed for the next recorded proposal.
    """

    def __init__(self, scenario: Scenario, params: list[str], keys: list[str], until: int):
        self.scenario, self.params, self.keys, self.until = scenario, list(params), list(keys), until
        self.mode = "run"
        self.proposed: list[tuple[dict[str, float], int]] = []
        self.answers: list[tuple[dict[str, float], int, dict[str, float]]] = []

    def __call__(self, par: dict) -> dict[str, float]:
        seed = int(np.random.randint(0, 2**31 - 1))
        values = {k: float(par[k]) for k in self.params}
        if self.mode == "propose":
            self.proposed.append((values, seed))
            raise _Proposed
        if self.mode == "replay":
            if not self.answers:
                raise RuntimeError("lockstep sampler: more particles replayed than proposed")
            was, was_seed, stats = self.answers.pop(0)
            if was != values or was_seed != seed:  # the replay must draw what the proposal drew
                raise RuntimeError("lockstep sampler: a replayed particle differs from its proposal")
        else:
            stats = _one_run(self.scenario, values, seed, self.until)
        return {k: stats.get(k, np.nan) for k in self.keys}


def _lockstep_sampler_class() -> type:
    import pyabc

    class LockstepSampler(pyabc.sampler.Sampler):
        """A pyabc sampler that runs a generation's particles as lockstep ensembles, with the single-core sampler's answer.

        pyabc's ``simulate_one`` draws a proposal (and the model function a seed) from numpy's global
        random state, runs the model, and computes the distance and the acceptance, which draw
        nothing more (the weighted Euclidean distance and the uniform acceptor are deterministic).
        The draws therefore never depend on a model's output: the sequence of (parameters, seed)
        the single-core sampler would evaluate is fixed by the random state alone.  So each round
        (1) saves the random state, (2) calls ``simulate_one`` B times with the model function
        recording each proposal and stopping there (``_Proposed``), (3) runs the B runs together
        (``_Runs.per_run``: lockstep chunks, one per worker process), (4) restores the random state
        and calls ``simulate_one`` again particle by particle, the model function now answering from
        the batch (and checking that it was asked the same), until ``n`` are accepted or the batch is
        used up.  The particles, their order, the simulation count and the random state after the
        generation are those of ``SingleCoreSampler``; the runs of a batch beyond the n-th acceptance
        are discarded (counted in ``discarded``, not in ``nr_evaluations_``).  B is the expected
        number of runs still needed (from the acceptance rate so far) plus a tenth, at most
        ``batch_max``; it changes how many runs are discarded, never the answer.
        """

        def __init__(self, model: _ModelFunction, runs: _Runs, batch_max: int, check_max_eval: bool = False):
            super().__init__()
            self.model, self.runs, self.batch_max = model, runs, max(1, batch_max)
            self.check_max_eval = check_max_eval
            self.rate = 0.5  # the first generation's acceptance with a median epsilon, about
            self.simulated = 0
            self.discarded = 0
            self.batches = 0

        def _batch(self, missing: int, accepted: int, evaluated: int, all_accepted: bool) -> int:
            if all_accepted:
                return min(missing, self.batch_max)
            # this generation's acceptance so far, shrunk toward the last generation's (ten runs' worth)
            rate = (accepted + 10 * self.rate) / (evaluated + 10)
            return int(min(self.batch_max, max(1, math.ceil(1.1 * missing / max(rate, 1e-3)))))

        def sample_until_n_accepted(self, n, simulate_one, t, *, max_eval=np.inf, all_accepted=False,
                                    ana_vars=None):
            sample = self._create_empty_sample()
            model = self.model
            evaluated = 0
            try:
                while sample.n_accepted < n and not (self.check_max_eval and evaluated >= max_eval):
                    state = np.random.get_state()
                    model.mode, model.proposed = "propose", []
                    for _ in range(self._batch(n - sample.n_accepted, sample.n_accepted, evaluated, all_accepted)):
                        try:
                            simulate_one()
                        except _Proposed:
                            continue
                        raise RuntimeError("lockstep sampler: simulate_one did not call the model function")
                    proposed = model.proposed
                    stats = self.runs.per_run(proposed)
                    self.simulated += len(proposed)
                    self.batches += 1
                    np.random.set_state(state)
                    model.mode = "replay"
                    model.answers = [(v, seed, st) for (v, seed), st in zip(proposed, stats, strict=True)]
                    while (model.answers and sample.n_accepted < n
                           and not (self.check_max_eval and evaluated >= max_eval)):
                        sample.append(simulate_one())
                        evaluated += 1
                    self.discarded += len(model.answers)
            finally:
                model.mode, model.proposed, model.answers = "run", [], []
            self.nr_evaluations_ = evaluated
            if not all_accepted and evaluated:
                self.rate = max(sample.n_accepted, 1) / evaluated
            if sample.n_accepted < n:
                sample.ok = False
            return sample

    return LockstepSampler


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
    sampler: str = "lockstep",
) -> Posterior:
    """Estimate ``params`` by ABC-SMC (pyabc) against the record (or ``observed``); return the posterior.

    ``sampler``: ``"lockstep"`` (default) evaluates each round of proposals as lockstep ensembles in
    ``workers`` processes and gives the posterior of ``"single"`` (pyabc's ``SingleCoreSampler``, one
    run at a time in this process) for the same numpy global seed, bit for bit, whatever ``workers``;
    ``"multicore"`` is pyabc's ``MulticoreEvalParallelSampler`` (one run at a time in each of
    ``workers`` processes, each reseeded at random: not reproducible).
    """
    import logging

    import pyabc

    if sampler not in SAMPLERS:
        raise ValueError(f"sampler {sampler!r}: one of {', '.join(SAMPLERS)}")
    if not log:
        for name in ("ABC", "pyabc", "Epsilon", "Distance", "Acceptor", "Sampler", "ABC.History", "ABC.Distance"):
            logging.getLogger(name).setLevel(logging.WARNING)
    reg = parameters.registry()
    sc = truncated(scenario, until)
    obs = observed if observed is not None else observed_stats(until)
    keys = list(obs)
    model = _ModelFunction(sc, list(params), keys, until)
    runs = None
    if sampler == "lockstep":
        from sim.runner import LOCKSTEP_CHUNK

        runs = _Runs(sc, until, workers)
        abc_sampler = _lockstep_sampler_class()(model, runs, batch_max=max(1, workers) * LOCKSTEP_CHUNK)
    elif sampler == "multicore" and workers > 1:
        abc_sampler = pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers)
    else:
        abc_sampler = pyabc.sampler.SingleCoreSampler()
    prior = pyabc.Distribution(**{k: pyabc.RV("uniform", reg[k].low, reg[k].high - reg[k].low) for k in params})
    distance = pyabc.AdaptivePNormDistance(p=2, max_scale_weight_ratio=20.0)
    abc = pyabc.ABCSMC(model, prior, distance, population_size=population, sampler=abc_sampler)
    folder = Path(db_dir) if db_dir else Path(tempfile.mkdtemp(prefix="natosim-abc-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"abc-{os.getpid()}-{int(time.time())}.db"
    began = time.perf_counter()
    try:
        abc.new(f"sqlite:///{db}", obs)
        history = abc.run(max_nr_populations=generations, max_walltime=timedelta(minutes=walltime_min))
    except BaseException:  # Ctrl-C, a failure: do not wait for the chunks still running
        if runs is not None:
            runs.close(at_once=True)
        raise
    if runs is not None:
        runs.close()
    wall = time.perf_counter() - began
    df, w = history.get_distribution(m=0, t=history.max_t)
    pops = history.get_all_populations()
    extra: dict[str, Any] = {"sampler": sampler if sampler != "multicore" or workers > 1 else "single"}
    if sampler == "lockstep":
        extra.update(runs_simulated=abc_sampler.simulated, runs_discarded=abc_sampler.discarded,
                     batches=abc_sampler.batches)
    return Posterior(
        params=list(params), particles=df.reset_index(drop=True), weights=np.asarray(w), observed=obs, until=until,
        generations=int(history.max_t + 1), simulations=int(history.total_nr_simulations),
        epsilons=[float(e) for e in pops.epsilon if np.isfinite(e)], wall_time_s=wall, population=population,
        extra=extra,
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


def _runs_note(post: Posterior) -> str:
    extra = post.extra
    if extra.get("sampler") != "lockstep":
        return ""
    return (f" (lockstep sampler: {extra['runs_simulated']} runs in {extra['batches']} batches, "
            f"{extra['runs_discarded']} beyond the last acceptance discarded)")


def report(post: Posterior) -> str:
    """Return the calibration report as Markdown: what the record pins down and what it cannot."""
    s = post.summary()
    lines = [
        f"# Calibration report (record up to {post.until})", "",
        (f"ABC-SMC (pyabc), population {post.population}, {post.generations} generations, "
        f"{post.simulations} simulations{_runs_note(post)}, {post.wall_time_s / 60:.1f} min wall time. "
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
