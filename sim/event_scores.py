"""Event-sequence scores: the dates of the record's accessions, applications and sanctions packages against the model's.

For every dated event of the record the table gives the record's date, the model's median date over the seeds in
which the event happens, the error in months (model − record: the median, and the 10 % and 90 % quantiles over those
seeds) and the share of seeds in which it happens at all.  Months are calendar months, ``(year, month)`` of the model
date minus that of the record date: the model decides once a month, so an event on the 17th and one on the 2nd of
the same month are the same month.  Everything is read from the run's tables (``states``, ``events``) and from
``sim/data/reference/``.

* **Accessions**: every accession of the record from 1992 on whose state is in the roster, scheduled (right by
  construction) or decided by the agents; the model's date is the first month the state is a member.  Sweden joined
  after the record's end (2024-03): its row reports the share of seeds in which it is a member by the end (0 % is
  right).
* **Applications**: Finland's and Sweden's (2022-05-18); the model's date is the first month the state is an
  applicant or a member.
* **Sanctions packages** (``sanctions_packages.csv``; the EU's and the USA's main packages 2014–2023).  Packages of
  one actor in one calendar month count as one (the model can impose at most one a month).  The matching rule, fixed
  before any model figure was looked at:

  1. *Episodes.*  Each record package answers a shock (Crimea 2014, Salisbury 2018, Navalny 2020, the recognition of
     the Donetsk and Luhansk "republics" and the invasion of February 2022; ``trigger_date``).  An episode runs from
     the month of its trigger to the month before the next episode's trigger (the last one to the end of the run).
     The same windows are used for every actor and every seed.
  2. *The model's packages of an actor.*  The USA: the USA's own ``impose_sanctions`` events against Russia.  The EU:
     its member states in the roster at the episode's start (the United Kingdom until January 2020); the EU's k-th
     package of an episode is dated when the EU states holding half the group's GDP (roster GDP weights) have each
     made their k-th package of the episode — the GDP-weighted median of the states' k-th dates.  If states holding
     half the GDP never make a k-th package, the EU makes none.
  3. *In order, within the episode.*  The record's k-th package (month) of an actor in an episode is matched to the
     model's k-th package of that actor in the same episode; if the model has fewer, the rest do not happen in that
     seed.  Nothing is matched across episodes, and a model package is never used twice.

  The rule cannot be gamed by imposing packages freely: every package the model makes moves its later matches
  earlier, and the count rows (one per actor and episode, and one for the years before the first episode) report how
  many packages the model made against how many the record lists.  The file lists the main packages only (see
  ``sim/data/reference/README.md``), so a model count above the record's is not by itself an error.

``score(result)`` returns the table; ``sets_by_year(result)`` the Jaccard index of the model's and the record's
allies at or above 2 % of GDP, year by year.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from sim import validation

SANCTIONS_FILE = "sanctions_packages.csv"
#: the quantiles over seeds of the error in months
QUANTILES = (0.1, 0.9)
COLUMNS = ("kind", "event", "record", "model", "error_median", "error_p10", "error_p90", "unit", "happens", "note")
#: members of the EU in the roster only before this date (the United Kingdom left on 31 January 2020)
EU_BEFORE: dict[str, str] = {"GBR": "2020-02-01"}


# --------------------------------------------------------------------------- months
def month_index(date: Any) -> int:
    """Return a date's calendar month as a number (year * 12 + month - 1)."""
    d = pd.Timestamp(date)
    return d.year * 12 + d.month - 1


def month_of(index: float) -> pd.Timestamp:
    """Return the first day of the calendar month numbered ``index`` (its floor)."""
    i = int(np.floor(index))
    return pd.Timestamp(year=i // 12, month=i % 12 + 1, day=1)


def months(a: Any, b: Any) -> int:
    """Return the calendar months from ``b`` to ``a`` (``a`` later: positive)."""
    return month_index(a) - month_index(b)


def summarise(dates: pd.Series, record: Any, seeds: int) -> dict[str, Any]:
    """Summarise per-seed model dates (NaT where the event does not happen) against one record date.

    Returns the model's median month (text, "never" if it never happens), the error in months (model − record:
    median and the ``QUANTILES`` over the seeds where it happens; NaN when it never does) and the share of the
    ``seeds`` in which it happens.
    """
    happened = pd.to_datetime(pd.Series(dates)).dropna()
    idx = np.array([month_index(d) for d in happened], dtype=float)
    if len(idx) == 0:
        return {"model": "never", "error_median": np.nan, "error_p10": np.nan, "error_p90": np.nan,
                "happens": 0.0 if seeds else np.nan}
    errors = idx - month_index(record)
    lo, hi = np.quantile(errors, QUANTILES)
    return {"model": f"{month_of(np.median(idx)):%Y-%m}", "error_median": float(np.median(errors)),
            "error_p10": float(lo), "error_p90": float(hi), "happens": len(idx) / seeds}


# --------------------------------------------------------------------------- record
def record_sanctions(table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the record's sanctions packages (date, actor, episode, trigger_date, description, source, month).

    ``table``: rows in the file's columns to read instead of ``sanctions_packages.csv`` (for tests).
    """
    df = (validation._csv(SANCTIONS_FILE) if table is None else table).copy()
    df["date"] = pd.to_datetime(df.date)
    df["trigger_date"] = pd.to_datetime(df.trigger_date)
    df = df[df.date.dt.year <= validation.RECORD_END]
    df["month"] = df.date.dt.to_period("M").dt.to_timestamp()
    return df.sort_values(["actor", "date"]).reset_index(drop=True)


def package_months(record: pd.DataFrame) -> pd.DataFrame:
    """Return one row per actor, episode and calendar month of the record: packages of one month count as one."""
    rows = []
    for (actor, episode, month), g in record.groupby(["actor", "episode", "month"], sort=True):
        rows.append({"actor": actor, "episode": episode, "month": month, "packages": len(g),
                     "description": "; ".join(g.description), "dates": ", ".join(f"{d:%Y-%m-%d}" for d in g.date)})
    return pd.DataFrame(rows, columns=["actor", "episode", "month", "packages", "description", "dates"])


def episodes(record: pd.DataFrame, end: Any | None = None) -> pd.DataFrame:
    """Return the episodes in order: episode, start (its trigger's month), stop (the next one's start, exclusive)."""
    first = record.groupby("episode").trigger_date.min().sort_values()
    starts = [d.to_period("M").to_timestamp() for d in first]
    last = (pd.Timestamp(end) + pd.DateOffset(months=1)) if end is not None else pd.Timestamp.max
    stops = starts[1:] + [last]
    return pd.DataFrame({"episode": list(first.index), "start": starts, "stop": stops})


# --------------------------------------------------------------------------- model
def model_packages(result: Any) -> pd.DataFrame:
    """Return the model's sanctions packages on Russia: seed, state (the actor) and month."""
    ev = result.events
    sub = ev[(ev.type == "impose_sanctions") & ev.targets.astype(str).str.split(";").apply(lambda t: "RUS" in t)]
    out = pd.DataFrame({"seed": sub.seed.astype(int), "state": sub.actor.astype(str),
                        "month": pd.to_datetime(sub.date).dt.to_period("M").dt.to_timestamp()})
    return out.drop_duplicates().sort_values(["seed", "state", "month"]).reset_index(drop=True)


def group_members(actor: str, date: Any, roster: list[dict[str, Any]]) -> dict[str, float]:
    """Return the roster states that act as ``actor`` at ``date`` with their GDP weights (``EU``, or one state's code)."""
    gdp = {s["code"]: float(s.get("gdp_usd_bn") or 0.0) for s in roster}
    if actor != "EU":
        return {actor: 1.0} if actor in gdp else {}
    when = pd.Timestamp(date)
    codes = [c for c in validation.EU_CODES if c in gdp]
    codes += [c for c, before in EU_BEFORE.items() if c in gdp and when < pd.Timestamp(before)]
    return {c: gdp[c] for c in codes}


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Return the smallest value at which the cumulative weight reaches half the total (values may be ``inf``)."""
    values, weights = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    if len(values) == 0 or weights.sum() <= 0:
        return float("inf")
    order = np.argsort(values, kind="stable")
    cum = np.cumsum(weights[order])
    k = int(np.searchsorted(cum, 0.5 * cum[-1] - 1e-12 * cum[-1]))
    return float(values[order][min(k, len(values) - 1)])


def group_dates(packages: pd.DataFrame, members: dict[str, float], start: Any, stop: Any) -> list[pd.Timestamp]:
    """Return a group's package months in ``[start, stop)`` from one seed's packages (columns state, month).

    The k-th is the GDP-weighted median of the members' k-th months (a member without a k-th counts as never);
    the list ends at the first k that states holding half the weight never reach.
    """
    if not members:
        return []
    start, stop = pd.Timestamp(start), pd.Timestamp(stop)
    inside = packages[(packages.month >= start) & (packages.month < stop)]
    by_state = {s: sorted(month_index(m) for m in g.month) for s, g in inside.groupby("state")}
    codes = list(members)
    weights = np.array([members[c] for c in codes], dtype=float)
    out: list[pd.Timestamp] = []
    for k in range(max((len(v) for v in by_state.values()), default=0)):
        kth = np.array([by_state[c][k] if len(by_state.get(c, [])) > k else np.inf for c in codes], dtype=float)
        m = weighted_median(kth, weights)
        if not np.isfinite(m):
            break
        out.append(month_of(m))
    return out


# --------------------------------------------------------------------------- the table
def _row(kind: str, event: str, record: str, unit: str, note: str, **values: Any) -> dict[str, Any]:
    row = {"kind": kind, "event": event, "record": record, "model": "", "error_median": np.nan, "error_p10": np.nan,
           "error_p90": np.nan, "unit": unit, "happens": np.nan, "note": note}
    row.update(values)
    return row


def membership_rows(result: Any) -> list[dict[str, Any]]:
    """Return the rows of the record's accessions (from 1992) and of Finland's and Sweden's applications."""
    rec = validation.record_membership()
    roster = {s["code"] for s in result.scenario.roster}
    codes = [c for c in rec.code if c in roster]
    seeds = list(result.seeds)
    end = pd.Timestamp(result.timeseries.date.max())
    joined = validation.first_dates(result, "member", codes)
    scheduled = {t for e in result.scenario.events if e.type == "accession" for t in e.targets}
    rows = []
    for r in rec[rec.code.isin(codes)].itertuples(index=False):
        how = "scheduled event: right by construction" if r.code in scheduled else "decided by the agents"
        values = summarise(joined[r.code], r.accession_date, len(seeds))
        if r.after_record or r.accession_date > end:
            note = f"record: after the run's end ({end:%Y-%m}), so 0 % of seeds is right; {how}"
            rows.append(_row("accession", f"{r.code} joins", f"{r.accession_date:%Y-%m}", "months", note, **values))
        else:
            rows.append(_row("accession", f"{r.code} joins", f"{r.accession_date:%Y-%m}", "months", how, **values))
    applied = rec[rec.applied_date.notna() & rec.code.isin(codes)]
    st = result.states
    app = st[st.state.isin(list(applied.code)) & (st.applicant | st.member)]
    first = app.groupby(["seed", "state"]).date.min().unstack("state").reindex(index=seeds)
    for r in applied.itertuples(index=False):
        dates = first[r.code] if r.code in first else pd.Series(pd.NaT, index=seeds)
        rows.append(_row("application", f"{r.code} applies", f"{r.applied_date:%Y-%m}", "months",
                         "first month an applicant or a member; decided by the agents",
                         **summarise(dates, r.applied_date, len(seeds))))
    return rows


def _ordinal(k: int) -> str:
    return f"{k}{'th' if 10 <= k % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th')}"


def sanctions_rows(result: Any, record: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """Return one row per record package month (actor, episode, k-th) and the count rows (see the module's rule).

    ``record``: the packages to score against (columns as ``record_sanctions``); default the reference file.
    """
    record = record_sanctions() if record is None else record
    months_ = package_months(record)
    end = pd.Timestamp(result.timeseries.date.max())
    eps = episodes(record, end)
    seeds = list(result.seeds)
    packages = model_packages(result)
    per_seed = {s: g for s, g in packages.groupby("seed")}
    empty = packages.iloc[:0]
    rows = []
    for actor in sorted(months_.actor.unique()):
        first_start = eps.start.iloc[0]
        before = group_members(actor, first_start, result.scenario.roster)
        counts = [len(group_dates(per_seed.get(s, empty), before, pd.Timestamp("1900-01-01"), first_start))
                  for s in seeds]
        rows.append(_row("sanctions packages (count)", f"{actor}: packages before {first_start:%Y-%m}", "not covered",
                         "packages", "model count per seed; the file starts in 2014 and lists nothing before",
                         model=_count_text(counts), happens=float(np.mean([c > 0 for c in counts]))))
        for ep in eps.itertuples(index=False):
            members = group_members(actor, ep.start, result.scenario.roster)
            mine = months_[(months_.actor == actor) & (months_.episode == ep.episode)].sort_values("month")
            dates = {s: group_dates(per_seed.get(s, empty), members, ep.start, ep.stop) for s in seeds}
            window = f"{ep.start:%Y-%m} to {min(ep.stop - pd.DateOffset(months=1), end):%Y-%m}"
            for k, r in enumerate(mine.itertuples(index=False)):
                kth = pd.Series([dates[s][k] if len(dates[s]) > k else pd.NaT for s in seeds], index=seeds)
                rows.append(_row("sanctions package", f"{actor}: {r.description}", f"{r.month:%Y-%m}", "months",
                                 f"{_ordinal(k + 1)} of {len(mine)} in the {ep.episode} episode ({window}); "
                                 f"record dates {r.dates}", **summarise(kth, r.month, len(seeds))))
            counts = np.array([len(dates[s]) for s in seeds], dtype=float)
            diff = counts - len(mine)
            lo, hi = np.quantile(diff, QUANTILES) if len(diff) else (np.nan, np.nan)
            rows.append(_row("sanctions packages (count)", f"{actor}: packages in the {ep.episode} episode",
                             str(len(mine)), "packages", f"{window}; error = model − record count; the file lists "
                             "the main packages only", model=_count_text(counts),
                             error_median=float(np.median(diff)) if len(diff) else np.nan, error_p10=float(lo),
                             error_p90=float(hi), happens=float(np.mean(counts > 0)) if len(counts) else np.nan))
    return rows


def _count_text(counts: Any) -> str:
    c = np.asarray(counts, dtype=float)
    if len(c) == 0:
        return ""
    lo, hi = np.quantile(c, QUANTILES)
    return f"{np.median(c):g} (10–90 %: {lo:g}–{hi:g})"


def score(result: Any) -> pd.DataFrame:
    """Return the event-sequence table of a run (columns ``COLUMNS``)."""
    rows = membership_rows(result) + sanctions_rows(result)
    return pd.DataFrame(rows, columns=list(COLUMNS))


def sets_by_year(result: Any, years: list[int] | None = None) -> pd.DataFrame:
    """Return per year: the record's allies at 2 %, the model's (median count) and the Jaccard index over seeds."""
    from sim import skill

    years = years or list(range(1992, validation.RECORD_END + 1))
    per = skill.jaccard_2pct_by_year(result, years)
    if per.empty:
        return pd.DataFrame(columns=["year", "record allies at 2 %", "model allies at 2 % (median)",
                                     "Jaccard median", "Jaccard 10 %", "Jaccard 90 %"])
    g = per.groupby("year")
    return pd.DataFrame({
        "year": g.jaccard.median().index.astype(int),
        "record allies at 2 %": g.record_count.first().astype(int).values,
        "model allies at 2 % (median)": g.model_count.median().values,
        "Jaccard median": g.jaccard.median().values,
        "Jaccard 10 %": g.jaccard.quantile(QUANTILES[0]).values,
        "Jaccard 90 %": g.jaccard.quantile(QUANTILES[1]).values,
    })


def _fmt(v: Any, spec: str = ".3g") -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    return format(v, spec) if isinstance(v, float) else str(v)


def display(table: pd.DataFrame) -> pd.DataFrame:
    """Return the event table formatted for reading (errors as ``median (10 … 90)``, shares in %)."""
    out = pd.DataFrame({
        "kind": table.kind, "event": table.event, "record": table.record, "model (median)": table.model,
        "error, median (10–90 %)": [
            "" if np.isnan(r.error_median) else f"{r.error_median:+g} ({r.error_p10:+g} … {r.error_p90:+g}) {r.unit}"
            for r in table.itertuples(index=False)],
        "happens in": ["" if np.isnan(v) else f"{v:.0%}" for v in table.happens],
        "note": table.note,
    })
    return out


def markdown(table: pd.DataFrame, sets: pd.DataFrame | None = None) -> str:
    """Return the event-sequence table (and the allies-at-2 % sets year by year) as Markdown."""
    lines = ["## Event sequence against the record", "",
             ("Error = model − record in calendar months (median and 10–90 % over the seeds in which the event "
              "happens); *happens in* = share of seeds in which it happens at all. Sanctions packages: the k-th "
              "package of an actor in an episode against the record's k-th (`sim/event_scores.py`)."), "",
             validation._md(display(table)), ""]
    if sets is not None and len(sets):
        fmt = sets.copy()
        for c in fmt.columns[2:]:
            fmt[c] = [_fmt(float(v), ".2f") if "Jaccard" in c else _fmt(float(v), "g") for v in fmt[c]]
        lines += ["## Allies at or above 2 % of GDP, year by year", "",
                  ("Jaccard index of the model's and the record's sets of allies at or above 2 % (SIPRI, members "
                   "in the year with a record value), over seeds."), "", validation._md(fmt), ""]
    return "\n".join(lines)


__all__ = ["COLUMNS", "episodes", "group_dates", "markdown", "model_packages", "months", "package_months",
           "record_sanctions", "score", "sets_by_year", "summarise", "weighted_median"]
