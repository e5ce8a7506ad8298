"""Validation against the record: comparisons come from the run's tables and the reference files."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from sim import validation


def test_record_series_are_computed_from_the_reference_files():
    spend = validation.record_mean_spending()
    count = validation.record_count_2pct()
    # SIPRI: the members' mean falls through the 1990s and in 2014 is below 2014+9
    assert spend.loc[1992] > spend.loc[2014] < spend.loc[2023]
    assert count.index.max() <= validation.RECORD_END and count.loc[2014] < count.loc[1992]
    assert validation.record_russia_milex().index.max() == 2023
    assert set(validation.record_membership().code) >= {"FIN", "SWE", "POL"}


def test_series_errors_follow_the_model_outputs(ensemble):
    table, bands = validation.compare(ensemble)
    # the model band is computed from the states table: recompute one figure independently
    st = ensemble.states
    members = st[(st.date.dt.year == 2010) & st.member & (st.state != "ISL") & (st.state != "RUS")]
    direct = members.groupby(["seed", "state"]).defence_spending_pct_gdp.mean().groupby("seed").mean().median()
    assert bands["mean_spending"].loc[2010, "median"] == pytest.approx(direct)
    rmse = table[(table.series == "mean allied defence spending") & table.measure.str.startswith("RMSE")].error.iloc[0]
    b = bands["mean_spending"].dropna()
    assert rmse == pytest.approx(float(np.sqrt(((b["median"] - b.record) ** 2).mean())))
    # scheduled accessions are right by construction; Finland's is decided by the agents
    fin = table[(table.series == "accession") & (table.measure == "FIN joins")]
    assert fin.note.iloc[0] == "decided by the agents"
    assert set(table.series) >= {"allies at or above 2 % (SIPRI count)", "Russia's military expenditure",
                                 "Russia's share of EU gas", "forward presence", "application"}
    # every row says what it measures: two editions of one year's count are told apart (issue 14)
    assert not table.duplicated(["series", "measure", "sample"]).any()
    nato = table[table.series == "allies at or above 2 % (NATO's stated count)"].measure.tolist()
    assert "2023 (estimate, NATO July 2023 edition)" in nato and "2023 (estimate, NATO March 2024 edition)" in nato


def test_a_changed_output_changes_the_error(ensemble):
    """The errors are not restated: doubling the model's spending moves the spending error."""
    base, _ = validation.compare(ensemble)
    doubled = type(ensemble)(**{**ensemble.__dict__, "states": ensemble.states.assign(
        defence_spending_pct_gdp=ensemble.states.defence_spending_pct_gdp * 2)})
    moved, _ = validation.compare(doubled)
    pick = (base.series == "mean allied defence spending") & base.measure.str.startswith("mean bias")
    assert moved[pick].error.iloc[0] > base[pick].error.iloc[0] + 1.0


def test_split_reports_in_and_out_of_sample(ensemble, tmp_path):
    v = validation.validate(ensemble, split=2013)
    samples = set(v.errors["sample"])
    assert "to 2013 (in-sample)" in samples and "2014–2023 (out-of-sample)" in samples
    folder = v.save(tmp_path / "v")
    for name in ("validation.md", "stylized_facts.csv", "series_errors.csv", "model_vs_record.png"):
        assert (folder / name).is_file()
    assert pd.read_csv(folder / "stylized_facts.csv").shape[0] == 6


def test_validate_command_writes_tables_and_exits_on_the_facts(tmp_path):
    out = tmp_path / "val"
    proc = subprocess.run(
        [sys.executable, "-m", "sim", "validate", "--seeds", "2", "--workers", "1", "--out", str(out), "--no-plots"],
        capture_output=True, text=True, timeout=300, check=False,
    )
    facts = pd.read_csv(out / "stylized_facts.csv")
    assert proc.returncode == (0 if (facts.result == "pass").all() else 1), proc.stderr
    assert (out / "series_errors.csv").is_file() and "allies at or above 2 %" in proc.stdout
    # the event-sequence table is printed and written without --split
    assert "Event sequence against the record" in proc.stdout and "FIN applies" in proc.stdout
    assert "Allies at or above 2 % of GDP, year by year" in proc.stdout
    events = pd.read_csv(out / "event_scores.csv")
    assert {"accession", "application", "sanctions package"} <= set(events.kind)
    assert (out / "jaccard_2pct_by_year.csv").is_file()
    again = subprocess.run([sys.executable, "-m", "sim", "validate", "--uncalibrated", "--calibration", "x"],
                           capture_output=True, text=True, timeout=60, check=False)
    assert again.returncode == 2 and "exclude each other" in again.stderr


def test_each_fact_is_also_counted_seed_by_seed(ensemble):
    from sim import stylized

    shares = stylized.seed_shares(ensemble)
    assert len(shares) == len(stylized.CHECKS) and all(0.0 <= v <= 1.0 for v in shares)
    # recompute one share by hand: fact 3 on each seed's own tables
    by_hand = [stylized.fact_threat(stylized.one_seed(ensemble, s)).passed for s in ensemble.seeds]
    assert shares[2] == pytest.approx(sum(by_hand) / len(by_hand))
    one = stylized.one_seed(ensemble, ensemble.seeds[0])
    assert set(one.timeseries.seed) == {ensemble.seeds[0]} and one.seeds == [ensemble.seeds[0]]
    facts = validation.validate(ensemble).facts
    assert facts["seeds showing it"].str.endswith("%").all()


def _relations_run(peak_year: int, trust: float = 0.3):
    """A one-seed run whose relations index is 0.0 to 1992, 0.3 in the other years and 0.5 in ``peak_year``."""
    from types import SimpleNamespace

    dates = pd.date_range("1991-12-01", "2023-12-01", freq="MS")
    rel = np.where(dates.year <= 1992, 0.0, np.where(dates.year == peak_year, 0.5, 0.3))
    ts = pd.DataFrame({"seed": 0, "date": dates, "relations_index": rel, "nato_trust_in_russia": trust})
    return SimpleNamespace(timeseries=ts, seeds=[0])


def test_the_relations_peak_must_lie_inside_1997_2002():
    from sim import stylized

    assert stylized.PEAK_WINDOW == (1997, 2002)
    inside = stylized.fact_warming_peak(_relations_run(2002))
    assert inside.passed and "in 2002" in inside.measured
    # 1997-2002 mean: (5 * 0.3 + 0.5) / 6 = 1/3; warming slack 1/3 - (0 + 0.1); peak slack 0.5 - 0.3; mistrust 0.6 - 0.3
    assert inside.slacks["warming"] == pytest.approx(1 / 3 - 0.1)
    assert inside.slacks["peak_inside_1997_2002"] == pytest.approx(0.2)
    assert inside.slacks["mistrust_kept"] == pytest.approx(0.3)
    assert inside.margin == pytest.approx(0.2)
    late = stylized.fact_warming_peak(_relations_run(2003))  # accepted before issue 12, no longer
    assert not late.passed and late.slacks["peak_inside_1997_2002"] == pytest.approx(0.3 - 0.5)
    assert not stylized.fact_warming_peak(_relations_run(1996)).passed
    assert not stylized.fact_warming_peak(_relations_run(2000, trust=0.65)).passed  # trust 0.65: mistrust gone
    assert stylized.peak_slack(pd.Series([1.0, 2.0, 2.0], index=[1996, 1999, 2004])) == 0.0  # a tie counts as outside


def test_margins_are_the_smallest_slack_and_hold_exactly_above_zero(ensemble):
    from sim import stylized

    assert stylized.margin({"a": 0.2, "b": -0.1, "c": 3.0}) == -0.1
    assert np.isnan(stylized.margin({"a": 0.2, "b": float("nan")})) and np.isnan(stylized.margin({}))
    for sub in (ensemble, stylized.one_seed(ensemble, ensemble.seeds[0])):
        for check in stylized.check_all(sub):
            assert check.margin == min(check.slacks.values())
            assert check.passed == (check.margin > 0)
    # fact 3 by hand: slacks are the threat after 2022 minus the highest yearly mean before, and east minus mean
    ts = ensemble.timeseries
    mean = ts.groupby("date").mean_threat_from_russia.median()
    east = ts.groupby("date").eastern_threat_from_russia.median()
    yearly = mean.resample("YE").mean()
    after = mean[mean.index >= "2022-03-01"].mean()
    threat = stylized.fact_threat(ensemble)
    assert threat.slacks["highest_after_2022"] == pytest.approx(after - yearly[yearly.index.year < 2022].max())
    assert threat.slacks["eastern_flank"] == pytest.approx(east[east.index >= "2022-03-01"].mean() - after)
    assert "margin" in stylized.as_table([threat]).columns
