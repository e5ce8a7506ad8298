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
