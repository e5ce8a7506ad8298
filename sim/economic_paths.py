"""The record's economic facts a run starts from: each ally's anchored spending level and real GDP growth.

The scenario layer reads them (the model does no I/O): an ally's peacetime
spending is anchored on the level SIPRI records for it in the scenario's anchor
year (``spending_anchor_year``, default 2013, the last year before the Crimea
shock and the split of the time-split validation), and every state's real GDP
follows the World Bank's growth figures (``sim/data/gdp_growth.csv``) while the
record lasts, then grows at the normal rate.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

import pandas as pd

from sim.data import data_path

#: the default anchor year of allied spending
ANCHOR_YEAR = 2013
REFERENCE = data_path("reference/defence_spending_pct_gdp.csv")
GROWTH = data_path("gdp_growth.csv")


@lru_cache(maxsize=1)
def _sipri() -> pd.DataFrame:
    df = pd.read_csv(REFERENCE)
    return df[df.series == "sipri"].pivot_table(index="code", columns="year", values="value")


def anchor_levels(year: int) -> dict[str, float]:
    """Return SIPRI's military expenditure (% GDP) of every state recorded in ``year``."""
    table = _sipri()
    if year not in table.columns:
        return {}
    return {code: float(v) for code, v in table[year].dropna().items()}


def anchored(roster: list[dict[str, Any]], year: int) -> list[dict[str, Any]]:
    """Return the roster with each state's spending anchor filled from the record of ``year`` where it has none."""
    levels = anchor_levels(year)
    out = []
    for rec in roster:
        if rec.get("spending_anchor_pct") is None and rec["code"] in levels:
            rec = copy.deepcopy(rec)
            rec["spending_anchor_pct"] = levels[rec["code"]]
            rec.setdefault("sources", {})["spending_anchor_pct"] = (
                f"SIPRI military expenditure, % of GDP, {year} (sim/data/reference/defence_spending_pct_gdp.csv)"
            )
        out.append(rec)
    return out


@lru_cache(maxsize=1)
def _growth() -> dict[str, dict[int, float]]:
    if not GROWTH.exists():
        return {}
    df = pd.read_csv(GROWTH).dropna(subset=["growth_pct"])
    return {code: dict(zip(g.year.astype(int), g.growth_pct.astype(float))) for code, g in df.groupby("code")}


def gdp_growth() -> dict[str, dict[int, float]]:
    """Return real GDP growth, % a year, per state code and year (the World Bank's figures)."""
    return {code: dict(years) for code, years in _growth().items()}
