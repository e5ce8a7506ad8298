"""Comparing scenarios: branching date, metrics table, files, and the command line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim import metrics
from sim.compare import branch_date, compare

from .conftest import SCENARIOS, write
from .test_cli import natosim


@pytest.fixture(scope="module")
def comparison():
    scenarios = [sim.load_scenario(SCENARIOS / "baseline.yaml"), sim.load_scenario(SCENARIOS / "ceasefire.yaml")]
    return compare(scenarios, seeds=range(3), workers=2, horizon=pd.Timestamp("2030-12-01"), thaw=-0.3)


def test_branch_date_is_the_first_differing_event(comparison):
    assert comparison.branch == pd.Timestamp("2024-06-01")
    baseline = comparison.results[0].scenario
    assert branch_date([baseline, baseline]) == pd.Timestamp(baseline.start)


def test_metrics_table_has_every_metric_for_every_scenario(comparison):
    table = comparison.table()
    assert set(table.index.get_level_values("scenario")) == {"baseline", "ceasefire"}
    for name in ("relations_at_horizon", "p_level_5", "p_thaw", "months_to_thaw", "cohesion_min",
                 "members_at_2pct", "share_cyber_attack"):
        assert name in table.index.get_level_values("metric")
    probs = table.loc[[m for m in table.index.get_level_values("metric").unique() if m.startswith("p_")]]
    assert probs.estimate.between(0, 1).all()
    assert (table.low <= table.estimate + 1e-12).all() or table.estimate.isna().any()


def test_comparison_files(comparison, tmp_path):
    out = comparison.save(tmp_path / "cmp")
    for name in ("metrics.csv", "metrics.md", "metrics_per_seed.csv", "timeseries.parquet",
                 "compare_relations.png", "compare_relations.svg", "compare_panels.png"):
        assert (out / name).exists(), name
    csv = pd.read_csv(out / "metrics.csv")
    assert {"metric", "scenario", "estimate", "low", "high"} <= set(csv.columns)
    assert "| relations_at_horizon |" in (out / "metrics.md").read_text()


def test_wilson_interval_brackets_the_share():
    low, high = metrics.wilson(3, 10)
    assert 0 < low < 0.3 < high < 1
    assert metrics.wilson(0, 10)[0] == 0.0


def test_metrics_are_documented():
    names = {m.name for m in metrics.METRICS}
    assert {"relations_at_horizon", "p_level_N", "months_to_thaw", "cohesion_min", "members_at_2pct"} <= names


def test_compare_cli(tmp_path):
    proc = natosim("compare", "baseline", "ceasefire", "--seeds", "2", "--horizon", "2027-12", "--no-plots",
                   "--out", str(tmp_path / "c"))
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "c" / "metrics.csv").exists() and "branch" in proc.stdout.lower()


@pytest.mark.parametrize(
    "args, words",
    [
        (["--set", "no_such_parameter=1"], "unknown parameter"),
        (["--set", "us_commitment=3"], "out of range"),
        (["--horizon", "2030-14"], "--horizon"),
    ],
)
def test_compare_refuses_bad_options(tmp_path, args, words):
    proc = natosim("compare", "baseline", "ceasefire", "--seeds", "1", *args, "--out", str(tmp_path / "x"))
    assert proc.returncode == 2 and words in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "etype, actor, params, words",
    [
        ("set_parameter", "USA", "{parameter: us_commitment, value: 4}", ["out of range", "events[0].params"]),
        ("set_parameter", "USA", "{parameter: peace_dividend, value: 0.5}", ["only shapes the initial state"]),
        ("state_change", "TUR", "{attribute: mood, value: 0.1}", ["allowed"]),
        ("state_change", "TUR", "{attribute: solidarity}", ["exactly one of value or delta"]),
    ],
)
def test_scenario_levers_are_validated(tmp_path, etype, actor, params, words):
    path = write(tmp_path, "bad.yaml", f"""
extends: {SCENARIOS / 'baseline.yaml'}
name: bad
events:
  - id: x
    date: 2025-01
    type: {etype}
    actor: {actor}
    targets: [{actor}]
    params: {params}
""")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    for word in words:
        assert word in str(info.value)


def test_set_parameter_changes_the_run_only_from_its_date(historical):
    import dataclasses
    from datetime import date

    from sim.events import Event

    change = Event(date(2010, 1, 1), "set_parameter", "USA", ("NATO",), params={"parameter": "us_commitment", "value": 0.0})
    changed = dataclasses.replace(historical, events=[*historical.events, change])
    a = sim.run(historical, seeds=[1]).timeseries.set_index("date")
    b = sim.run(changed, seeds=[1]).timeseries.set_index("date")
    assert a.loc[:"2009-12-01"].equals(b.loc[:"2009-12-01"])
    assert (b.loc["2015-01-01":, "frontline_deterrence"] < a.loc["2015-01-01":, "frontline_deterrence"]).mean() > 0.9


def test_fast_metrics_agree_with_the_table_metrics(historical):
    from sim.model import NatoRussiaModel
    from sim.runner import frames

    branch, horizon = pd.Timestamp("2008-01-01"), pd.Timestamp("2016-06-01")
    for seed in (1, 2):
        model = NatoRussiaModel(historical.setup(), rng=seed, mesa_collect=False).run()
        table = metrics.per_seed(frames(model, seed, states=False)["timeseries"], branch, horizon, thaw=-0.2).iloc[0]
        fast = metrics.one_run(model.outputs(), model.dates, model.action_records, branch, horizon, thaw=-0.2,
                               channels=model.channel_records)
        assert set(fast) == set(metrics.PER_SEED)
        for name, value in fast.items():
            assert value == pytest.approx(float(table[name]), nan_ok=True), name


def test_the_metrics_of_many_runs_at_once_are_each_runs_own_bits(historical):
    """``runs_metrics`` over a lockstep chunk gives each run exactly what ``one_run`` gives it alone (means along
    rows in C order, Python's sum for the summed probabilities)."""
    from sim.lockstep import Lockstep

    branch, horizon = pd.Timestamp("2008-01-01"), pd.Timestamp("2016-06-01")
    models = Lockstep(historical.setup(), range(6), states=False).run().models
    outputs = [m.outputs() for m in models]
    many = metrics.runs_metrics({k: np.stack([o[k] for o in outputs]) for k in outputs[0]}, models[0].dates,
                                [m.action_records for m in models], branch, horizon, -0.2,
                                [m.channel_records for m in models])
    for q, m in enumerate(models):
        alone = metrics.one_run(outputs[q], m.dates, m.action_records, branch, horizon, thaw=-0.2,
                                channels=m.channel_records)
        assert list(many) == list(alone)
        got = {k: float(v[q]) for k, v in many.items()}
        assert np.array_equal(np.array(list(got.values())), np.array(list(alone.values())), equal_nan=True)
