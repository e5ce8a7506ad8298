"""Forecast skill against naive forecasts: exact answers on hand-made series, and the report on a run."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim import skill, validation


def _series(values: dict[int, float]) -> pd.Series:
    return pd.Series(values, dtype=float)


def test_hold_and_trend_forecasts_by_hand():
    # 2009..2013: 1.0, 1.1, 1.2, 1.3, 1.4 -> slope 0.1 a year; last value 1.4
    record = _series({2009: 1.0, 2010: 1.1, 2011: 1.2, 2012: 1.3, 2013: 1.4, 2014: 9.0})
    hold = skill.naive_forecast(record, 2013, [2014, 2016], "hold")
    assert hold.tolist() == [1.4, 1.4]
    trend = skill.naive_forecast(record, 2013, [2014, 2016], "trend")
    assert trend.tolist() == pytest.approx([1.5, 1.7])
    with pytest.raises(ValueError):
        skill.naive_forecast(record, 2013, [2014], "persistence")


def test_rmse_and_skill_by_hand():
    a, b = _series({1: 1.0, 2: 2.0, 3: 7.0}), _series({1: 0.0, 2: 0.0})  # common years 1, 2: diffs 1, 2
    assert skill.rmse(a, b) == pytest.approx(math.sqrt((1 + 4) / 2))
    assert math.isnan(skill.rmse(a, _series({9: 1.0})))
    assert skill.skill_score(0.5, 1.0) == pytest.approx(0.5)  # half the naive error
    assert skill.skill_score(2.0, 1.0) == pytest.approx(-1.0)  # twice the naive error
    assert math.isnan(skill.skill_score(0.5, 0.0))  # an exact naive forecast leaves no skill to state


def test_series_skill_scores_the_median_and_each_seed():
    # record flat at 2.0 to the split, 3.0 after: hold errs by 1.0 each year
    record = _series({y: 2.0 for y in range(2009, 2014)} | {2014: 3.0, 2015: 3.0})
    model = pd.DataFrame({"seed": [0, 0, 1, 1, 2, 2], "year": [2014, 2015] * 3,
                          "v": [3.0, 3.0, 2.5, 2.5, 3.5, 3.5]})
    hold, trend = skill.series_skill("x", model, "v", record, 2013)
    assert hold.naive == "hold" and hold.years == 2
    assert hold.rmse_naive == pytest.approx(1.0) and hold.rmse_model == pytest.approx(0.0)  # median 3.0
    assert hold.skill == pytest.approx(1.0)
    # per seed: 1 - 0/1 = 1, 1 - 0.5/1 = 0.5, 0.5 -> 10 % quantile 0.5, 90 % 0.9
    assert hold.skill_p10 == pytest.approx(0.5) and hold.skill_p90 == pytest.approx(0.9)
    assert trend.rmse_naive == pytest.approx(1.0)  # a flat pre-split record: the trend is the hold


def test_coverage_and_jaccard_by_hand():
    model = pd.DataFrame({"seed": list(range(5)) * 2, "year": [2014] * 5 + [2015] * 5,
                          "v": [1.0, 2.0, 3.0, 4.0, 5.0] * 2})
    # bands over the five seeds 1..5: 50 % = 2..4, 90 % = 1.2..4.8 (linear quantiles)
    # 2014 record 3.0: inside both; 2015 record 4.9: outside both
    c = skill.coverage(model, "v", _series({2014: 3.0, 2015: 4.9}), [2014, 2015])
    assert c["50 %"] == pytest.approx(0.5) and c["90 %"] == pytest.approx(0.5)
    assert skill.jaccard({"POL", "EST"}, {"POL", "LVA"}) == pytest.approx(1 / 3)
    assert skill.jaccard(set(), set()) == 1.0


def test_the_report_of_a_split_run(ensemble, tmp_path):
    v = validation.validate(ensemble, split=2013)
    table = v.skill["skill"]
    assert set(table.naive) == {"hold", "trend"}
    assert {"mean allied spending (% GDP)", "allies at or above 2 % (SIPRI count)",
            "Russia's spending (% GDP)"} <= set(table.series)
    assert table.series.str.startswith("per-ally spending").sum() == 2
    # recompute one figure: the hold forecast's error of the mean allied spending
    rec = validation.record_mean_spending()
    years = [y for y in rec.index if 2013 < y <= validation.RECORD_END]
    hold = table[(table.series == "mean allied spending (% GDP)") & (table.naive == "hold")].iloc[0]
    assert hold.rmse_naive == pytest.approx(float(np.sqrt(((rec.loc[years] - rec.loc[2013]) ** 2).mean())))
    assert 0.0 <= v.skill["sets"].iloc[0]["median over seeds"] <= 1.0
    folder = v.save(tmp_path / "v", plots=False)
    assert (folder / "skill_skill.csv").is_file() and "Forecast skill out of sample" in v.markdown()
    # without a split the skill tables are still there, from 2013, and say they are in sample
    plain = validation.validate(ensemble)
    assert plain.skill_origin == validation.SKILL_ORIGIN == 2013 and set(plain.skill) == set(v.skill)
    assert "in sample" in plain.markdown() and "not a forecast test" in plain.markdown()
