"""Validation of the historical run against the public record (``sim/data/reference/``).

Every comparison here is computed from a run's output tables (``RunResult.timeseries``,
``.states``, ``.events``) on one side and from the reference CSV files on the other; no
model figure is restated.  A gap in the record stays a gap: a year without a reference value
is not compared.  The series compared:

* mean allied defence spending (% GDP, SIPRI series, members in the year, Iceland excluded);
* the number of allies at or above 2 % of GDP (counted from the SIPRI rows, and NATO's stated counts);
* Russia's military expenditure (% GDP, SIPRI);
* Russia's share of EU gas (model: GDP-weighted gas dependence of the EU states in the roster);
* accessions and the Finnish and Swedish applications (dates);
* forward-presence milestones (does presence in the host states rise after each milestone?).

``validate(result)`` returns a :class:`Validation` (stylized facts + series errors + the
event-sequence scores of ``sim.event_scores``: accessions, applications and sanctions packages
in months, and the allies at 2 % year by year) that writes Markdown, CSV and plots.  ``split`` separates in-sample years (up to and including it) from
out-of-sample years in every error figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

REFERENCE_DIR = Path(__file__).resolve().parent / "data" / "reference"

#: EU member states (as of 2023) that are in the roster; Cyprus and Malta are not modelled
EU_CODES: tuple[str, ...] = (
    "AUT", "BEL", "BGR", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN", "IRL", "ITA",
    "LVA", "LTU", "LUX", "NLD", "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE",
)
#: members with no defence-spending figure in any reference series
NO_SPENDING_DATA: tuple[str, ...] = ("ISL",)
#: forecast origin of the skill tables without --split (the last year before the Crimea shock)
SKILL_ORIGIN = 2013
RECORD_END = 2023


# --------------------------------------------------------------------------- reference (record side)
@lru_cache(maxsize=1)
def _csv(name: str) -> pd.DataFrame:
    return pd.read_csv(REFERENCE_DIR / name)


def record_mean_spending() -> pd.Series:
    """Return the record's mean defence spending (% GDP, SIPRI) of the members in each year."""
    df = _csv("defence_spending_pct_gdp.csv")
    df = df[(df.series == "sipri") & df.member_in_year.astype(bool) & (df.year <= RECORD_END)]
    return df.groupby("year").value.mean().rename("record")


def record_count_2pct() -> pd.Series:
    """Return the number of members at or above 2 % of GDP in each year, counted from the SIPRI rows."""
    df = _csv("defence_spending_pct_gdp.csv")
    df = df[(df.series == "sipri") & df.member_in_year.astype(bool) & (df.year <= RECORD_END)]
    return (df.value >= 2.0).groupby(df.year).sum().astype(float).rename("record")


def record_nato_counts() -> pd.DataFrame:
    """Return NATO's stated counts of allies at 2 % (year, count, basis, edition)."""
    df = _csv("members_at_2pct.csv")
    return df[df.year <= RECORD_END][["year", "count", "basis", "edition"]].reset_index(drop=True)


def record_russia_milex() -> pd.Series:
    """Return Russia's military expenditure as % of GDP (SIPRI) by year."""
    df = _csv("russia_military_expenditure.csv")
    df = df[df.year <= RECORD_END].dropna(subset=["pct_gdp"])
    return df.set_index("year").pct_gdp.astype(float).rename("record")


def record_gas() -> pd.DataFrame:
    """Return the record of Russia's share of EU gas imports (period, year, share_pct, upper bound)."""
    df = _csv("russian_gas_share_eu.csv")
    return df[df.year <= RECORD_END].reset_index(drop=True)


def record_membership() -> pd.DataFrame:
    """Return accession and application dates of members that joined (or applied) from 1992 on."""
    df = _csv("nato_membership.csv").copy()
    df["accession_date"] = pd.to_datetime(df.accession_date)
    df["applied_date"] = pd.to_datetime(df.applied_date)
    df["after_record"] = df.after_record.astype(str).str.lower() == "true"
    return df[df.accession_year >= 1992].reset_index(drop=True)


def record_presence() -> pd.DataFrame:
    """Return forward-presence milestones that name host states (date as a month, hosts as a list)."""
    df = _csv("forward_presence.csv").copy()
    df = df[df.hosts != "NATO"].copy()
    df["month"] = pd.to_datetime(df.date.astype(str).str[:7], format="mixed")
    df["hosts"] = df.hosts.str.split(";")
    return df[df.month.dt.year <= RECORD_END].reset_index(drop=True)


# --------------------------------------------------------------------------- model side
def _yearly_states(result: Any) -> pd.DataFrame:
    """Return per seed, year and state: mean spending, member at any time in the year, mean dependence."""
    st = result.states
    st = st.assign(year=st.date.dt.year)
    return (
        st.groupby(["seed", "year", "state"], sort=False)
        .agg(spend=("defence_spending_pct_gdp", "mean"), member=("member", "max"),
             dependence=("energy_dependence", "mean"))
        .reset_index()
    )


def model_spending(result: Any, yearly: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return per seed and year: members' mean spending and the count at or above 2 % (Iceland excluded)."""
    y = _yearly_states(result) if yearly is None else yearly
    m = y[y.member.astype(bool) & ~y.state.isin(NO_SPENDING_DATA) & (y.state != "RUS")]
    out = m.groupby(["seed", "year"]).agg(mean=("spend", "mean"), count=("spend", lambda s: float((s >= 2.0).sum())))
    return out.reset_index()


def model_russia_milex(result: Any, yearly: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return per seed and year Russia's mean defence spending (% GDP)."""
    y = _yearly_states(result) if yearly is None else yearly
    return y[y.state == "RUS"][["seed", "year", "spend"]].reset_index(drop=True)


def model_gas(result: Any, yearly: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return per seed and year the GDP-weighted gas dependence on Russia of the EU states (%)."""
    y = _yearly_states(result) if yearly is None else yearly
    gdp = {s["code"]: s["gdp_usd_bn"] for s in result.scenario.roster}
    e = y[y.state.isin(EU_CODES)].copy()
    e["w"] = e.state.map(gdp)
    e["wd"] = e.w * e.dependence
    g = e.groupby(["seed", "year"])[["wd", "w"]].sum()
    return (100 * g.wd / g.w).rename("share").reset_index()


def first_dates(result: Any, column: str, states: list[str]) -> pd.DataFrame:
    """Return per seed the first date each state has ``column`` true (NaT if never)."""
    st = result.states[result.states.state.isin(states) & result.states[column]]
    first = st.groupby(["seed", "state"]).date.min().unstack("state")
    return first.reindex(index=list(result.seeds), columns=states)


def _months(a: pd.Timestamp, b: pd.Timestamp) -> float:
    return float((a.year - b.year) * 12 + (a.month - b.month))


def _band(df: pd.DataFrame, value: str) -> pd.DataFrame:
    g = df.groupby("year")[value]
    return pd.DataFrame({"median": g.median(), "lo": g.quantile(0.05), "hi": g.quantile(0.95)})


# --------------------------------------------------------------------------- comparisons
@dataclass
class SeriesError:
    """One comparison of a model series with the record."""

    series: str
    measure: str
    sample: str
    model: str
    record: str
    error: float | None
    unit: str
    note: str = ""


def _yearly_errors(name: str, band: pd.DataFrame, record: pd.Series, unit: str, split: int | None,
                   note: str) -> list[SeriesError]:
    """Return RMSE, bias and 90 % band coverage of a yearly series against the record's years."""
    out = []
    years = [y for y in record.index if y in band.index]
    samples = [("all", years)] if split is None else [
        (f"to {split} (in-sample)", [y for y in years if y <= split]),
        (f"{split + 1}–{RECORD_END} (out-of-sample)", [y for y in years if y > split]),
    ]
    for label, ys in samples:
        if not ys:
            continue
        med, rec = band.loc[ys, "median"], record.loc[ys]
        diff = med.values - rec.values
        cover = float(((rec.values >= band.loc[ys, "lo"].values) & (rec.values <= band.loc[ys, "hi"].values)).mean())
        out += [
            SeriesError(name, "RMSE of the ensemble median", label, f"{med.mean():.2f} (mean)", f"{rec.mean():.2f} (mean)",
                        float(np.sqrt(np.mean(diff**2))), unit, f"{len(ys)} years {min(ys)}–{max(ys)}. {note}".strip()),
            SeriesError(name, "mean bias (model − record)", label, "", "", float(np.mean(diff)), unit, ""),
            SeriesError(name, "record inside the 90 % seed band", label, "", "", cover, "share of years", ""),
        ]
    return out


def _sample_of(year: int, split: int | None) -> str:
    if split is None:
        return "all"
    return f"to {split} (in-sample)" if year <= split else f"{split + 1}–{RECORD_END} (out-of-sample)"


@dataclass
class Validation:
    """The stylized-fact checks and the series errors of one historical ensemble."""

    facts: pd.DataFrame
    errors: pd.DataFrame
    bands: dict[str, pd.DataFrame] = field(default_factory=dict)
    split: int | None = None
    seeds: int = 0
    calibration: str = ""
    #: skill against naive forecasts from the split (or ``SKILL_ORIGIN``), per-ally skill, band coverage and
    #: allies-at-2 % tables (``sim.skill``)
    skill: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def skill_origin(self) -> int:
        """Return the year the skill's naive forecasts start from."""
        return self.split if self.split is not None else SKILL_ORIGIN
    #: the event-sequence table (``sim.event_scores.score``): accessions, applications, sanctions packages
    events: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the Jaccard index of the allies at 2 %, year by year (``sim.event_scores.sets_by_year``)
    sets: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def passed(self) -> bool:
        """True when every stylized fact holds."""
        return bool((self.facts.result == "pass").all())

    def markdown(self) -> str:
        """Return the validation report as Markdown."""
        lines = [f"# Validation of the historical run ({self.seeds} seeds)", ""]
        if self.calibration:
            lines += [f"Parameters: {self.calibration}", ""]
        lines += ["## Stylized facts of the brief", "", _md(self.facts), "",
                  "## Series against the record", "",
                  "Computed from the run's output tables and the files in `sim/data/reference/`; "
                  "years without a reference value are not compared."
                  + (f" In-sample: up to {self.split}; out-of-sample: {self.split + 1}–{RECORD_END}." if self.split else ""),
                  "", _md(self.errors.assign(error=self.errors.error.map(lambda v: "" if pd.isna(v) else f"{v:.3g}"))), ""]
        if len(self.events):
            from sim import event_scores

            lines += [event_scores.markdown(self.events, self.sets)]
        if self.skill:
            from sim import skill

            lines += [skill.markdown(self.skill, self.skill_origin, out_of_sample=self.split is not None)]
        return "\n".join(lines)

    def save(self, folder: str | Path, plots: bool = True) -> Path:
        """Write validation.md, stylized_facts.csv, series_errors.csv, event_scores.csv, jaccard_2pct_by_year.csv,
        the bands and plots; return the folder."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "validation.md").write_text(self.markdown(), encoding="utf-8")
        self.facts.to_csv(folder / "stylized_facts.csv", index=False)
        self.errors.to_csv(folder / "series_errors.csv", index=False)
        if len(self.events):
            self.events.to_csv(folder / "event_scores.csv", index=False)
        if len(self.sets):
            self.sets.to_csv(folder / "jaccard_2pct_by_year.csv", index=False)
        for name, band in self.bands.items():
            band.to_csv(folder / f"band_{name}.csv")
        for name, table in self.skill.items():
            table.to_csv(folder / f"skill_{name}.csv", index=False)
        if plots:
            plot(self, folder / "model_vs_record.png")
        return folder


def _md(df: pd.DataFrame) -> str:
    cols = list(df.columns)
    rows = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for r in df.itertuples(index=False):
        rows.append("| " + " | ".join(str(v).replace("|", "\\|").replace("\n", " ") for v in r) + " |")
    return "\n".join(rows)


def compare(result: Any, split: int | None = None) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Return the series-error table and the model bands (median, 5–95 %) per series."""
    yearly = _yearly_states(result)
    errors: list[SeriesError] = []
    bands: dict[str, pd.DataFrame] = {}

    spend = model_spending(result, yearly)
    bands["mean_spending"] = _band(spend, "mean").join(record_mean_spending(), how="left")
    errors += _yearly_errors("mean allied defence spending", bands["mean_spending"], record_mean_spending(),
                             "% GDP", split, "SIPRI, members in the year, Iceland excluded.")
    bands["members_at_2pct"] = _band(spend, "count").join(record_count_2pct(), how="left")
    errors += _yearly_errors("allies at or above 2 % (SIPRI count)", bands["members_at_2pct"], record_count_2pct(),
                             "allies", split, "Counted from the SIPRI rows of the members in the year.")
    nato = record_nato_counts()
    cb = bands["members_at_2pct"]
    repeated = nato.duplicated(["year", "basis"], keep=False)  # several editions of one year: name the edition
    for r, twice in zip(nato.itertuples(index=False), repeated, strict=True):
        if r.year in cb.index:
            med = float(cb.loc[r.year, "median"])
            label = f"{r.year} ({r.basis}, {r.edition})" if twice else f"{r.year} ({r.basis})"
            errors.append(SeriesError("allies at or above 2 % (NATO's stated count)", label,
                                      _sample_of(r.year, split), f"{med:.0f} [{cb.loc[r.year, 'lo']:.0f}–{cb.loc[r.year, 'hi']:.0f}]",
                                      str(r.count), med - r.count, "allies", f"{r.edition}; NATO definition, model on SIPRI-like basis"))

    rus = model_russia_milex(result, yearly)
    bands["russia_milex"] = _band(rus, "spend").join(record_russia_milex(), how="left")
    errors += _yearly_errors("Russia's military expenditure", bands["russia_milex"], record_russia_milex(), "% GDP",
                             split, "SIPRI % of GDP.")

    gas = model_gas(result, yearly)
    gb = _band(gas, "share")
    bands["gas_share"] = gb
    rec_gas = record_gas()
    for r in rec_gas.itertuples(index=False):
        if r.year not in gb.index:
            continue
        med = float(gb.loc[r.year, "median"])
        model_txt = f"{med:.1f} [{gb.loc[r.year, 'lo']:.1f}–{gb.loc[r.year, 'hi']:.1f}]"
        if pd.notna(r.share_pct):
            errors.append(SeriesError("Russia's share of EU gas", f"{r.period}", _sample_of(r.year, split), model_txt,
                                      f"{r.share_pct:g}", med - float(r.share_pct), "percentage points",
                                      "model: GDP-weighted dependence of the EU states; record: share of imports"))
        elif pd.notna(r.share_upper_bound_pct):
            errors.append(SeriesError("Russia's share of EU gas", f"{r.period} (upper bound)", _sample_of(r.year, split),
                                      model_txt, f"< {r.share_upper_bound_pct:g}",
                                      max(0.0, med - float(r.share_upper_bound_pct)), "percentage points above the bound", ""))
    g21 = rec_gas[(rec_gas.year == 2021) & rec_gas.share_pct.notna()]
    g22 = rec_gas[(rec_gas.year == 2022) & rec_gas.share_pct.notna()]
    if len(g21) and len(g22) and {2021, 2022} <= set(gb.index):
        rec_ratio = float(g22.share_pct.iloc[0]) / float(g21.share_pct.iloc[0])
        ratio = gas[gas.year == 2022].set_index("seed").share / gas[gas.year == 2021].set_index("seed").share
        errors.append(SeriesError("Russia's share of EU gas", "2022 / 2021 (relative fall)", _sample_of(2022, split),
                                  f"{ratio.median():.2f}", f"{rec_ratio:.2f}", float(ratio.median() - rec_ratio), "ratio",
                                  "robust to the difference of bases"))

    errors += _membership_errors(result, split)
    errors += _presence_errors(result, split)
    table = pd.DataFrame([e.__dict__ for e in errors])
    return table, bands


def _membership_errors(result: Any, split: int | None) -> list[SeriesError]:
    rec = record_membership()
    end = pd.Timestamp(result.timeseries.date.max())
    codes = [c for c in rec.code if c in {s["code"] for s in result.scenario.roster}]
    joined = first_dates(result, "member", codes)
    scheduled = {t for e in result.scenario.events if e.type == "accession" for t in e.targets}
    out = []
    for r in rec[rec.code.isin(codes)].itertuples(index=False):
        dates = joined[r.code]
        share = float(dates.notna().mean())
        if r.after_record or r.accession_date > end:
            out.append(SeriesError("accession", f"{r.code} not a member by {end:%Y-%m}", _sample_of(RECORD_END, split),
                                   f"member in {share:.0%} of seeds", f"joined {r.accession_date:%Y-%m}", share,
                                   "share of seeds (0 is right)", "scheduled" if r.code in scheduled else "decided by the agents"))
            continue
        med = dates.dropna().sort_values()
        model_txt = f"{med.iloc[len(med) // 2]:%Y-%m} (median), member in {share:.0%} of seeds" if len(med) else "never"
        err = float(np.median([_months(d, r.accession_date) for d in med])) if len(med) else None
        out.append(SeriesError("accession", f"{r.code} joins", _sample_of(r.accession_year, split), model_txt,
                               f"{r.accession_date:%Y-%m}", err, "months (median, model − record)",
                               "scheduled event: right by construction" if r.code in scheduled else "decided by the agents"))
    applied = rec[rec.applied_date.notna()]
    if len(applied):
        st = result.states
        app = st[st.state.isin(list(applied.code)) & (st.applicant | st.member)]
        first = app.groupby(["seed", "state"]).date.min().unstack("state").reindex(index=list(result.seeds))
        for r in applied.itertuples(index=False):
            dates = first[r.code].dropna() if r.code in first else pd.Series(dtype="datetime64[ns]")
            share = len(dates) / len(result.seeds)
            errs = [_months(d, r.applied_date) for d in dates]
            out.append(SeriesError("application", f"{r.code} applies", _sample_of(r.applied_date.year, split),
                                   (f"{sorted(dates)[len(dates) // 2]:%Y-%m} (median), applied in {share:.0%} of seeds"
                                    if len(dates) else "never"),
                                   f"{r.applied_date:%Y-%m}", float(np.median(errs)) if errs else None,
                                   "months (median, model − record)", "decided by the agents"))
    ev = result.events
    emergent = ev[(ev.type == "membership_application") & (ev.origin != "scheduled")]
    others = sorted(set(emergent.actor) - set(applied.code))
    if others:
        per = emergent[emergent.actor.isin(others)].groupby("actor").seed.nunique() / len(result.seeds)
        out.append(SeriesError("application", "other states apply in the model", "all",
                               ", ".join(f"{c} {per[c]:.0%}" for c in others), "no reference data", None, "",
                               "share of seeds; the reference files record only FIN and SWE applications"))
    return out


def _presence_errors(result: Any, split: int | None) -> list[SeriesError]:
    st = result.states
    out = []
    for r in record_presence().itertuples(index=False):
        hosts = [h for h in r.hosts if h in set(st.state.unique())]
        sub = st[st.state.isin(hosts)]
        per = sub.groupby(["seed", "date"]).forward_presence.mean().groupby("date").median()
        before = per[per.index < r.month]
        after = per[(per.index >= r.month) & (per.index < r.month + pd.DateOffset(months=12))]
        if before.empty or after.empty:
            continue
        b, a = float(before.iloc[-1]), float(after.iloc[-1])
        rise = a - b
        lag = None
        if rise > 0.005:
            reached = after[after >= b + rise / 2]
            lag = _months(reached.index[0], r.month) if len(reached) else None
        out.append(SeriesError("forward presence", f"{r.event} ({r.month:%Y-%m}, {'/'.join(hosts)})",
                               _sample_of(r.month.year, split), f"{b:.2f} → {a:.2f} in 12 months", "rises",
                               lag, "months to half the rise",
                               "commitment scheduled; level decided by the agents" + ("" if rise > 0.005 else "; NO RISE")))
    return out


def validate(result: Any, split: int | None = None, calibration: str = "") -> Validation:
    """Check the stylized facts and compare the reference series; return a Validation."""
    from sim import event_scores, skill, stylized

    facts = stylized.as_table(stylized.check_all(result), stylized.seed_shares(result))
    errors, bands = compare(result, split)
    # skill against the naive forecasts from the split, or without one from the default origin (in sample)
    scores = skill.report(result, split if split is not None else SKILL_ORIGIN)
    return Validation(facts=facts, errors=errors, bands=bands, split=split, seeds=len(result.seeds),
                      calibration=calibration, skill=scores, events=event_scores.score(result),
                      sets=event_scores.sets_by_year(result))


def plot(v: Validation, path: str | Path) -> Path:
    """Plot the model bands against the record (spending, allies at 2 %, Russia, gas); return the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(11, 7.5), constrained_layout=True)
    spec = [
        ("mean_spending", "Mean allied defence spending (% GDP)", None),
        ("members_at_2pct", "Allies at or above 2 % of GDP", record_nato_counts()),
        ("russia_milex", "Russia's military expenditure (% GDP)", None),
        ("gas_share", "Russia's share of EU gas (%)", record_gas()),
    ]
    for ax, (name, title, extra) in zip(axes.flat, spec):
        b = v.bands.get(name)
        if b is None:
            continue
        ax.fill_between(b.index, b.lo, b.hi, color="tab:blue", alpha=0.2, label="model 5–95 %")
        ax.plot(b.index, b["median"], color="tab:blue", label="model median")
        if "record" in b:
            ax.plot(b.index, b.record, "o-", color="black", ms=3, lw=1, label="record (SIPRI)")
        if name == "members_at_2pct" and extra is not None:
            ax.plot(extra.year, extra["count"], "s", color="tab:red", ms=5, label="NATO's stated count")
        if name == "gas_share" and extra is not None:
            ok = extra.share_pct.notna()
            ax.plot(extra.year[ok], extra.share_pct[ok], "s", color="tab:red", ms=5, label="record (EU imports)")
            ub = extra[extra.share_upper_bound_pct.notna()]
            ax.plot(ub.year, ub.share_upper_bound_pct, "v", color="tab:red", ms=6, label="record upper bound")
        if v.split:
            ax.axvline(v.split + 0.5, color="grey", ls="--", lw=1)
            ax.text(v.split + 0.7, ax.get_ylim()[1] * 0.95, "out-of-sample", fontsize=8, color="grey", va="top")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7)
    fig.suptitle(f"Model ({v.seeds} seeds) against the record" + (f" — in-sample to {v.split}, out-of-sample after" if v.split else ""))
    path = Path(path)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


__all__ = ["Validation", "compare", "plot", "validate"]
