"""The six stylized facts of the brief, measured on a historical ensemble.

Each check reads the run's tables (never the model), returns the measured
values and whether the fact holds on the ensemble (its median, or its shares of
seeds); ``seed_shares`` reports in how many seeds' own runs each fact holds.  ``natosim validate`` prints them; the test
suite asserts them.  They are checks of the mechanisms' output, not targets
the model was drawn to: the curves come from scheduled events moving agents.

Each fact is a conjunction of conditions ``a > b``.  Each check also returns
the *slack* of every condition (``a - b``, in the unit of the quantity it
compares) and the fact's *margin*, the smallest slack: how far the fact is from
failing.  The fact holds exactly when its margin is above zero; the margin is
the continuous outcome of the sensitivity analysis (``sim.fact_sensitivity``).
The peak of fact 1 must lie strictly inside 1997–2002 (``PEAK_WINDOW``); its
slack is the highest yearly mean inside the window minus the highest outside it
(1991–2007), so a tie counts as outside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import pandas as pd

from sim.runner import RunResult


@dataclass
class FactCheck:
    """The outcome of one stylized-fact check."""

    number: int
    fact: str
    measured: str
    passed: bool
    #: the smallest slack (NaN when a quantity is missing): above zero exactly when the fact holds
    margin: float = float("nan")
    #: the slack of each condition, ``a - b`` for a condition ``a > b``, in the unit of its quantity
    slacks: dict[str, float] = field(default_factory=dict)


#: the years inside which the relations peak of fact 1 must lie (inclusive)
PEAK_WINDOW = (1997, 2002)


def margin(slacks: dict[str, float]) -> float:
    """Return the smallest of the slacks (NaN if there is none or any is NaN)."""
    values = [float(v) for v in slacks.values()]
    if not values or any(math.isnan(v) for v in values):
        return float("nan")
    return min(values)


def _check(number: int, fact: str, measured: str, slacks: dict[str, float]) -> FactCheck:
    m = margin(slacks)
    return FactCheck(number, fact, measured, bool(m > 0), m, {k: float(v) for k, v in slacks.items()})


def _median_series(result: RunResult, column: str) -> pd.Series:
    return result.timeseries.groupby("date")[column].median()


def _window(series: pd.Series, start: str, end: str) -> pd.Series:
    return series[(series.index >= pd.Timestamp(start)) & (series.index <= pd.Timestamp(end))]


def peak_slack(yearly: pd.Series, window: tuple[int, int] = PEAK_WINDOW) -> float:
    """Return the highest value inside ``window`` (years, inclusive) minus the highest outside it (NaN if either is empty)."""
    inside = (yearly.index >= window[0]) & (yearly.index <= window[1])
    if not inside.any() or inside.all():
        return float("nan")
    return float(yearly[inside].max() - yearly[~inside].max())


def fact_warming_peak(result: RunResult) -> FactCheck:
    """Relations warm after 1991 and peak inside 1997–2002, with mistrust never gone."""
    rel = _median_series(result, "relations_index")
    first = float(_window(rel, "1991-12-01", "1992-12-31").mean())
    early = _window(rel, "1991-12-01", "2007-12-31").resample("YE").mean()
    early.index = early.index.year
    peak_year = int(early.idxmax())
    peak = float(early.max())
    plateau = float(_window(rel, "1997-01-01", "2002-12-31").mean())
    nato_trust_max = float(_median_series(result, "nato_trust_in_russia").max())
    slacks = {
        "warming": plateau - (first + 0.1),  # the 1997–2002 mean above the 1992 mean + 0.1
        "peak_inside_1997_2002": peak_slack(early),  # highest yearly mean inside the window − highest outside
        "mistrust_kept": 0.6 - nato_trust_max,  # NATO's trust in Russia stays below 0.6
    }
    return _check(
        1,
        "Relations warm after 1991 and peak inside 1997–2002, mistrust never gone",
        f"1992 mean {first:+.2f}; 1997–2002 mean {plateau:+.2f}; yearly peak {peak:+.2f} in {peak_year}; "
        f"max NATO trust in Russia {nato_trust_max:+.2f}",
        slacks,
    )


def fact_falls(result: RunResult) -> FactCheck:
    """Relations fall with Georgia 2008, further with Crimea 2014, lowest after February 2022."""
    rel = _median_series(result, "relations_index")
    y = rel.resample("YE").mean()
    y.index = y.index.year
    before_2022 = float(_window(rel, "1991-12-01", "2022-01-31").min())
    after = float(_window(rel, "2022-03-01", "2100-01-01").min())
    slacks = {
        "georgia_fall": (y[2007] - 0.05) - y[2009],  # 2009 below 2007 by more than 0.05
        "crimea_fall": (y[2013] - 0.05) - y[2015],  # 2015 below 2013 by more than 0.05
        "further_fall": y[2009] - y[2015],  # 2015 below 2009
        "lowest_after_2022": before_2022 - after,  # the lowest month after Feb 2022 below any before
    }
    return _check(
        2,
        "Relations fall with Georgia 2008, further with Crimea 2014, and reach their lowest after 24 Feb 2022",
        f"2007 {y[2007]:+.2f} → 2009 {y[2009]:+.2f}; 2013 {y[2013]:+.2f} → 2015 {y[2015]:+.2f}; "
        f"min before 2022 {before_2022:+.2f}, min after {after:+.2f}",
        slacks,
    )


def fact_threat(result: RunResult) -> FactCheck:
    """Members' threat from Russia is highest after 2022, highest on the eastern flank."""
    mean = _median_series(result, "mean_threat_from_russia")
    east = _median_series(result, "eastern_threat_from_russia")
    yearly = mean.resample("YE").mean()
    before = float(yearly[yearly.index.year < 2022].max())
    after = float(_window(mean, "2022-03-01", "2100-01-01").mean())
    east_after = float(_window(east, "2022-03-01", "2100-01-01").mean())
    slacks = {
        "highest_after_2022": after - before,  # mean threat after Feb 2022 above the highest yearly mean before
        "eastern_flank": east_after - after,  # the eastern flank's above the members' mean
    }
    return _check(
        3,
        "Members' threat perception of Russia is highest after 2022, highest on the eastern flank",
        f"highest yearly mean before 2022 {before:.2f}; after 2022 {after:.2f}; eastern flank after {east_after:.2f}",
        slacks,
    )


def fact_spending_presence(result: RunResult) -> FactCheck:
    """Defence spending and forward presence rise after 2014 and again after 2022."""
    spend = _median_series(result, "mean_defence_spending")
    pres = _median_series(result, "forward_presence_total")
    s = spend.resample("YE").mean()
    p = pres.resample("YE").mean()
    s.index, p.index = s.index.year, p.index.year
    s_mid = float(s.loc[2016:2021].mean())
    slacks = {
        "spending_after_2014": s_mid - float(s.loc[2010:2013].mean()),  # % GDP, 2016–21 mean above 2010–13 mean
        "spending_after_2022": float(s[2023] - s[2021]),  # % GDP
        "presence_after_2014": float(p[2018] - p[2013]),  # forward presence (total)
        "presence_after_2022": float(p[2023] - p[2021]),
    }
    return _check(
        4,
        "Defence spending and forward presence rise after 2014 and again after 2022",
        f"spending 2010–13 {s.loc[2010:2013].mean():.2f} → 2016–21 {s_mid:.2f} → 2023 {s[2023]:.2f} % GDP; "
        f"presence 2013 {p[2013]:.2f} → 2018 {p[2018]:.2f} → 2021 {p[2021]:.2f} → 2023 {p[2023]:.2f}",
        slacks,
    )


def application_dates(result: RunResult, state: str) -> pd.Series:
    """Return, per seed, the first date a state was an applicant or member by its own decision (NaT if never)."""
    st = result.states[result.states.state == state]
    first_app = st[st.applicant].groupby("seed").date.min()
    return first_app.reindex(result.seeds)


def accession_dates(result: RunResult, state: str) -> pd.Series:
    """Return, per seed, the first date a state is a member (NaT if never)."""
    st = result.states[result.states.state == state]
    return st[st.member].groupby("seed").date.min().reindex(result.seeds)


def fact_nordic(result: RunResult) -> FactCheck:
    """Finland and Sweden apply after the invasion; Sweden's accession is delayed."""
    invasion = pd.Timestamp("2022-02-01")
    fin, swe = application_dates(result, "FIN"), application_dates(result, "SWE")
    both_after = ((fin >= invasion) & (swe >= invasion)).mean()
    none_before = ((fin.isna() | (fin >= invasion)) & (swe.isna() | (swe >= invasion))).mean()
    fin_join, swe_join = accession_dates(result, "FIN"), accession_dates(result, "SWE")
    delayed = (swe_join.isna() | (swe_join > fin_join.fillna(pd.Timestamp("2100-01-01")))).mean()
    slacks = {
        "apply_after_invasion": float(both_after) - 0.5,  # shares of seeds
        "none_before_invasion": float(none_before) - 0.8,
        "sweden_delayed": float(delayed) - 0.5,
    }
    return _check(
        5,
        "Finland and Sweden move to join after the invasion; Sweden's accession is delayed",
        f"both applied after Feb 2022 in {both_after:.0%} of seeds, neither before in {none_before:.0%}; "
        f"Finland joined by the end in {fin_join.notna().mean():.0%}, Sweden in {swe_join.notna().mean():.0%}; "
        f"Sweden after Finland or still pending in {delayed:.0%}",
        slacks,
    )


def fact_frozen(result: RunResult) -> FactCheck:
    """Relations stay frozen to the end of the run."""
    rel = _median_series(result, "relations_index")
    last_date = rel.index.max()
    after = _window(rel, "2022-03-01", "2100-01-01")
    pre = float(_window(rel, "2021-01-01", "2021-12-31").mean())
    end = result.timeseries[result.timeseries.date == last_date]
    frozen = float((end.dialogue_channel == "frozen").mean())
    slacks = {
        "no_recovery": pre - float(after.max()),  # no month after Feb 2022 back at the 2021 mean
        "channel_frozen": frozen - 0.5,  # share of seeds with the channel frozen at the end
    }
    return _check(
        6,
        "Relations stay frozen to the end: no return to cooperation",
        f"2021 mean {pre:+.2f}; highest after Feb 2022 {after.max():+.2f}; end {rel.iloc[-1]:+.2f}; "
        f"channel frozen at the end in {frozen:.0%} of seeds",
        slacks,
    )


CHECKS = (fact_warming_peak, fact_falls, fact_threat, fact_spending_presence, fact_nordic, fact_frozen)


def check_all(result: RunResult) -> list[FactCheck]:
    """Run every stylized-fact check on a historical ensemble."""
    return [check(result) for check in CHECKS]


def one_seed(result: RunResult, seed: int) -> RunResult:
    """Return the part of an ensemble's tables that belongs to one seed."""
    def pick(df: pd.DataFrame) -> pd.DataFrame:
        return df[df.seed == seed] if "seed" in df.columns else df

    return replace(result, seeds=[seed], timeseries=pick(result.timeseries), states=pick(result.states),
                   events=pick(result.events))


def seed_shares(result: RunResult) -> list[float]:
    """Return, per fact (in ``CHECKS`` order), the share of seeds whose own run shows it."""
    held = [[check(one_seed(result, s)).passed for s in result.seeds] for check in CHECKS]
    return [sum(h) / len(h) if h else float("nan") for h in held]


def as_table(checks: list[FactCheck], shares: list[float] | None = None) -> pd.DataFrame:
    """Return checks as a table with columns number, fact, measured, result, margin (and the share of seeds showing each)."""
    table = pd.DataFrame(
        [{"number": c.number, "fact": c.fact, "measured": c.measured, "result": "pass" if c.passed else "FAIL",
          "margin": round(c.margin, 4)} for c in checks]
    )
    if shares is not None:
        table["seeds showing it"] = [f"{v:.0%}" for v in shares]
    return table


__all__ = ["CHECKS", "PEAK_WINDOW", "FactCheck", "as_table", "check_all", "margin", "one_seed", "peak_slack",
           "seed_shares"]
