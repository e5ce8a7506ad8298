"""Forecast skill: the model's out-of-sample years scored against naive forecasts.

A model calibrated on the record up to a split year earns its keep only if it forecasts
the years after the split better than forecasts that know nothing of its mechanisms.  Two
naive forecasts are built from the record alone, at the split year:

* ``hold``: the last value (the split year's) held for every later year;
* ``trend``: the last value plus the linear trend of the ``TREND_YEARS`` years up to the
  split (least squares), extended.

For each series the *skill* is ``1 - RMSE_model / RMSE_naive`` over the out-of-sample
years with a record value: above 0 the model is better than the naive forecast, 0 as good,
below 0 worse.  ``RMSE_model`` is that of the ensemble median; its uncertainty is the
10–90 % range of the same skill computed seed by seed.  Per ally, the skill of each ally's
spending is computed the same way and summarised by the median over allies.  Band coverage
is the share of out-of-sample years in which the record lies inside the ensemble's 50 % and
90 % bands; the sets of allies at or above 2 % are compared each year by their Jaccard
index.  Everything is read from the run's output tables and ``sim/data/reference/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim import validation

#: years before the split (inclusive of it) the ``trend`` forecast is fitted on
TREND_YEARS = 5
NAIVE = ("hold", "trend")


def naive_forecast(record: pd.Series, split: int, years: list[int], kind: str) -> pd.Series:
    """Return a naive forecast of ``record`` (indexed by year) for ``years`` made at the end of ``split``."""
    if kind not in NAIVE:
        raise ValueError(f"kind must be one of {NAIVE}, got {kind!r}")
    last = float(record.loc[split])
    if kind == "hold":
        return pd.Series(last, index=years, dtype=float)
    past = record.loc[split - TREND_YEARS + 1:split].dropna()
    slope = float(np.polyfit(past.index.to_numpy(float), past.to_numpy(float), 1)[0]) if len(past) > 1 else 0.0
    return pd.Series([last + slope * (y - split) for y in years], index=years, dtype=float)


def rmse(a: pd.Series, b: pd.Series) -> float:
    """Return the root-mean-square difference of two series over their common index (NaN if none)."""
    common = a.index.intersection(b.index)
    if len(common) == 0:
        return float("nan")
    d = a.loc[common].astype(float) - b.loc[common].astype(float)
    return float(np.sqrt((d**2).mean()))


def skill_score(model_rmse: float, naive_rmse: float) -> float:
    """Return ``1 - model / naive`` (NaN when the naive forecast is exact or undefined)."""
    if not naive_rmse or np.isnan(naive_rmse) or np.isnan(model_rmse):
        return float("nan")
    return 1.0 - model_rmse / naive_rmse


@dataclass(frozen=True)
class Skill:
    """The skill of one model series against one naive forecast, out of sample."""

    series: str
    naive: str
    years: int
    rmse_model: float
    rmse_naive: float
    skill: float
    skill_p10: float
    skill_p90: float


def series_skill(name: str, model: pd.DataFrame, value: str, record: pd.Series, split: int,
                 end: int = validation.RECORD_END) -> list[Skill]:
    """Score one series (``model``: rows of seed, year and ``value``) against both naive forecasts."""
    years = [y for y in record.index if split < y <= end]
    out = []
    median = model.groupby("year")[value].median()
    by_seed = {s: g.set_index("year")[value] for s, g in model.groupby("seed")}
    target = record.loc[years]
    for kind in NAIVE:
        naive = naive_forecast(record, split, years, kind)
        r_naive = rmse(naive, target)
        r_model = rmse(median, target)
        per_seed = pd.Series([skill_score(rmse(v, target), r_naive) for v in by_seed.values()], dtype=float)
        out.append(Skill(name, kind, len(years), r_model, r_naive, skill_score(r_model, r_naive),
                         float(per_seed.quantile(0.1)), float(per_seed.quantile(0.9))))
    return out


def record_spending_by_ally() -> pd.DataFrame:
    """Return the record's spending (% GDP, SIPRI) by year (rows) and member (columns), members in the year only."""
    df = validation._csv("defence_spending_pct_gdp.csv")
    df = df[(df.series == "sipri") & df.member_in_year.astype(bool) & (df.year <= validation.RECORD_END)]
    return df.pivot_table(index="year", columns="code", values="value")


def ally_skill(result: Any, split: int) -> pd.DataFrame:
    """Return one row per ally and naive forecast: the skill of its spending out of sample."""
    record = record_spending_by_ally()
    yearly = validation._yearly_states(result)
    rows = []
    for code in record.columns:
        series = record[code].dropna()
        if split not in series.index or code in validation.NO_SPENDING_DATA:
            continue
        model = yearly[yearly.state == code][["seed", "year", "spend"]]
        for s in series_skill(code, model, "spend", series, split):
            if s.years:
                rows.append(s.__dict__)
    return pd.DataFrame(rows)


def coverage(model: pd.DataFrame, value: str, record: pd.Series, years: list[int]) -> dict[str, float]:
    """Return the share of ``years`` in which the record lies inside the 50 % and 90 % seed bands."""
    g = model.groupby("year")[value]
    inside = {}
    for label, lo, hi in (("50 %", 0.25, 0.75), ("90 %", 0.05, 0.95)):
        low, high = g.quantile(lo), g.quantile(hi)
        ys = [y for y in years if y in record.index and y in low.index]
        hits = [low[y] <= record[y] <= high[y] for y in ys]
        inside[label] = float(np.mean(hits)) if hits else float("nan")
    return inside


def jaccard(a: set[str], b: set[str]) -> float:
    """Return the Jaccard index of two sets (1 when both are empty)."""
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def jaccard_2pct_by_year(result: Any, years: list[int]) -> pd.DataFrame:
    """Return one row per seed and year of ``years`` with a record: the Jaccard index of the model's and the record's
    allies at 2 % (members in the year with a record value) and both counts (columns seed, year, jaccard,
    model_count, record_count)."""
    record = record_spending_by_ally()
    yearly = validation._yearly_states(result)
    members = yearly[yearly.member.astype(bool) & (yearly.state != "RUS")]
    rows = []
    for seed, g in members.groupby("seed"):
        for y in years:
            if y not in record.index:
                continue
            rec = set(record.loc[y][record.loc[y] >= 2.0].index)
            mod = set(g[(g.year == y) & (g.spend >= 2.0)].state) & set(record.loc[y].dropna().index)
            rows.append({"seed": seed, "year": y, "jaccard": jaccard(mod, rec), "model_count": len(mod),
                         "record_count": len(rec)})
    return pd.DataFrame(rows, columns=["seed", "year", "jaccard", "model_count", "record_count"])


def jaccard_2pct(result: Any, years: list[int]) -> pd.Series:
    """Return, per seed, the mean over ``years`` of the Jaccard index of the model's and the record's allies at 2 %."""
    per = jaccard_2pct_by_year(result, years)
    seeds = validation._yearly_states(result).seed.unique()
    return per.groupby("seed").jaccard.mean().reindex(seeds).astype(float).rename("jaccard").rename_axis(None)


def report(result: Any, split: int) -> dict[str, pd.DataFrame]:
    """Return the out-of-sample skill, coverage and allies-at-2 % tables of a run (record after ``split``)."""
    yearly = validation._yearly_states(result)
    spending = validation.model_spending(result, yearly)
    russia = validation.model_russia_milex(result, yearly)
    series = [
        ("mean allied spending (% GDP)", spending, "mean", validation.record_mean_spending()),
        ("allies at or above 2 % (SIPRI count)", spending, "count", validation.record_count_2pct()),
        ("Russia's spending (% GDP)", russia, "spend", validation.record_russia_milex()),
    ]
    skills = [s.__dict__ for name, df, col, rec in series for s in series_skill(name, df, col, rec, split)]
    allies = ally_skill(result, split)
    if len(allies):
        for kind in NAIVE:
            a = allies[allies.naive == kind]
            skills.append({"series": f"per-ally spending, median over {len(a)} allies", "naive": kind,
                           "years": int(a.years.median()), "rmse_model": float(a.rmse_model.median()),
                           "rmse_naive": float(a.rmse_naive.median()), "skill": float(a.skill.median()),
                           "skill_p10": float(a.skill.quantile(0.1)), "skill_p90": float(a.skill.quantile(0.9))})
    years = list(range(split + 1, validation.RECORD_END + 1))
    cov = []
    for name, df, col, rec in series[:2]:
        c = coverage(df, col, rec, years)
        cov.append({"series": name, "years": len([y for y in years if y in rec.index]),
                    "inside 50 % band": c["50 %"], "inside 90 % band": c["90 %"]})
    jac = jaccard_2pct(result, years)
    sets = pd.DataFrame([{"measure": "Jaccard index of the allies at or above 2 %, mean over the years",
                          "median over seeds": float(jac.median()), "10 %": float(jac.quantile(0.1)),
                          "90 %": float(jac.quantile(0.9))}])
    return {"skill": pd.DataFrame(skills), "allies": allies, "coverage": pd.DataFrame(cov), "sets": sets}


def markdown(tables: dict[str, pd.DataFrame], split: int, out_of_sample: bool = True) -> str:
    """Return the skill report as Markdown (``out_of_sample`` False: the parameters saw the years scored)."""
    def fmt(df: pd.DataFrame) -> pd.DataFrame:
        return df.map(lambda v: f"{v:.3g}" if isinstance(v, float) else v)

    skill = tables["skill"].copy()
    skill["skill (10–90 % over seeds or allies)"] = [
        f"{r.skill:+.2f} ({r.skill_p10:+.2f} … {r.skill_p90:+.2f})" for r in skill.itertuples()]
    skill = skill[["series", "naive", "years", "rmse_model", "rmse_naive", "skill (10–90 % over seeds or allies)"]]
    lines = [
        (f"## Forecast skill out of sample ({split + 1}–{validation.RECORD_END})" if out_of_sample else
         f"## Forecast skill from {split} ({split + 1}–{validation.RECORD_END}), in sample"), "",
        *([] if out_of_sample else [
            (f"The parameters were calibrated on the whole record, {split + 1}–{validation.RECORD_END} included: "
             f"this is not a forecast test. Run `natosim validate --split {split} --calibration "
             "docs/validation/calibrated_until_2013.yaml` for the out-of-sample one."), ""]),
        (f"Skill = 1 − RMSE(model) / RMSE(naive); `hold`: the {split} value held; `trend`: the {split} value plus "
         f"the least-squares trend of {split - TREND_YEARS + 1}–{split}. Above 0 the model beats the naive forecast."),
        "",
        validation._md(fmt(skill)), "",
        "Band coverage (share of out-of-sample years with the record inside the ensemble's band):", "",
        validation._md(fmt(tables["coverage"])), "",
        validation._md(fmt(tables["sets"])), "",
    ]
    return "\n".join(lines)
