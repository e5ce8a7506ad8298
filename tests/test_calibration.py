"""Calibration: ABC-SMC recovers parameters from data the model generated (synthetic truth); the
calibration file is the default for historical and baseline, and the registry values stay available."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

import sim
from sim import calibration, parameters
from sim.scenario import ScenarioError, load_scenario
from tests.conftest import SCENARIOS, write

pytest.importorskip("pyabc")

TRUTH = {"peace_dividend": 0.8, "spending_fall_rate": 0.035}
UNTIL = 2005


def test_abc_recovers_known_parameters_from_synthetic_data():
    """Data from the model at known values (far from the registry's): the posterior must find them."""
    sc = load_scenario(SCENARIOS / "historical.yaml", calibration="none")
    short = calibration.truncated(sc, UNTIL)
    runs = sim.run(short, seeds=range(4), **TRUTH)
    observed = calibration.model_stats(runs, UNTIL)
    np.random.seed(11)
    post = calibration.calibrate(sc, list(TRUTH), until=UNTIL, population=40, generations=3, walltime_min=2,
                                 workers=1, observed=observed, log=False)
    summary = post.summary().set_index("parameter")
    reg = parameters.registry()
    for name, truth in TRUTH.items():
        row = summary.loc[name]
        width = reg[name].high - reg[name].low
        assert row.q05 <= truth <= row.q95, (name, row.to_dict())
        # closer to the truth than the registry default is, and the posterior narrower than the prior
        assert abs(row["median"] - truth) < abs(reg[name].value - truth), (name, row.to_dict())
        assert abs(row["median"] - truth) < 0.2 * width, (name, row.to_dict())
    # the early record pins the peacetime level down (the threat response shows only after 2008)
    assert summary.loc["peace_dividend"].width_ratio < 0.7, summary.loc["peace_dividend"].to_dict()


def test_weighted_quantiles():
    v = np.array([1.0, 2.0, 3.0, 4.0])
    assert calibration.weighted_quantiles(v, np.array([0.0, 0.0, 1.0, 0.0]), (0.5,)) == [3.0]
    assert calibration.weighted_quantiles(v, np.ones(4), (0.5,))[0] == pytest.approx(2.5)


def test_observed_statistics_come_from_the_record():
    obs = calibration.observed_stats()
    assert obs["fin_applies"] == 4.0 and obs["fin_joins"] == 15.0 and obs["swe_member_2023"] == 0.0
    assert obs["gas_2022_over_2021"] == pytest.approx(24.65 / 45)
    early = calibration.observed_stats(2013)
    assert all(int(k.split("_")[1]) <= 2013 for k in early) and "fin_applies" not in early


def test_historical_and_baseline_use_the_calibration_by_default():
    if not calibration.DEFAULT_FILE.is_file():
        pytest.skip("no calibration file yet")
    values = calibration.load(calibration.DEFAULT_FILE)
    for name in ("historical", "baseline", "ceasefire"):
        sc = load_scenario(SCENARIOS / f"{name}.yaml")
        assert sc.calibrated == values and sc.calibration.endswith("calibrated.yaml")
        params = sc.setup().params
        assert all(params[k] == pytest.approx(v) for k, v in values.items())
        raw = load_scenario(SCENARIOS / f"{name}.yaml", calibration="none")
        assert raw.calibrated == {} and raw.setup().params == {**parameters.defaults(), **raw.parameters}


def test_scenario_parameters_and_set_override_the_calibration(tmp_path):
    cal = tmp_path / "cal.yaml"
    cal.write_text(yaml.safe_dump({"parameters": {"pledge_pull": {"value": 0.3}, "peace_dividend": 0.6,
                                                  "spending_fall_rate": {"applied": False, "posterior_median": 0.03}}}))
    path = write(tmp_path, "s.yaml", f"extends: {SCENARIOS / 'historical.yaml'}\ncalibration: cal.yaml\n"
                 "parameters: {pledge_pull: 0.9}\n")
    sc = load_scenario(path)
    assert sc.calibrated == {"pledge_pull": 0.3, "peace_dividend": 0.6}
    p = sc.setup(peace_dividend=0.4).params
    assert p["pledge_pull"] == 0.9 and p["peace_dividend"] == 0.4
    assert load_scenario(path, calibration="none").setup().params["peace_dividend"] == parameters.registry()[
        "peace_dividend"].value


@pytest.mark.parametrize(
    ("calib", "content", "words"),
    [
        ("missing.yaml", None, "no such file"),
        ("bad.yaml", {"parameters": {"no_such_parameter": {"value": 1}}}, "unknown parameter"),
        ("bad.yaml", {"parameters": {"pledge_pull": {"value": 9.0}}}, "out of range"),
        ("bad.yaml", {"parameters": [1, 2]}, "must be a mapping"),
    ],
)
def test_bad_calibration_is_reported_with_file_and_field(tmp_path, calib, content, words):
    if content is not None:
        (tmp_path / calib).write_text(yaml.safe_dump(content))
    path = write(tmp_path, "s.yaml", f"extends: {SCENARIOS / 'historical.yaml'}\ncalibration: {calib}\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    message = str(exc.value)
    assert words in message and ("calibration" in message or "parameters" in message)
