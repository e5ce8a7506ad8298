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


def test_lockstep_sampler_gives_the_single_core_posterior():
    """The lockstep sampler (batches of proposals run together, in one or two processes) evaluates the particles
    pyabc's single-core sampler evaluates, in its order: same seed, the same population bit for bit."""
    sc = load_scenario(SCENARIOS / "historical.yaml", calibration="none")
    observed = calibration.model_stats(sim.run(calibration.truncated(sc, 1999), seeds=range(2), **TRUTH), 1999)
    posts = {}
    for sampler, workers in (("single", 1), ("lockstep", 1), ("lockstep", 2)):
        np.random.seed(5)
        posts[sampler, workers] = calibration.calibrate(sc, list(TRUTH), until=1999, population=16, generations=2,
                                                        walltime_min=2, workers=workers, observed=observed,
                                                        log=False, sampler=sampler)
    ref = posts["single", 1]
    assert ref.generations == 2 and ref.extra["sampler"] == "single"
    for key, post in posts.items():
        assert post.particles.equals(ref.particles), key
        assert np.array_equal(post.weights, ref.weights), key
        assert post.epsilons == ref.epsilons and post.simulations == ref.simulations, key
    extra = posts["lockstep", 2].extra
    assert extra["runs_simulated"] == ref.simulations + extra["runs_discarded"]
    with pytest.raises(ValueError, match="sampler"):
        calibration.calibrate(sc, list(TRUTH), until=1999, sampler="nope")


def test_batched_statistics_are_model_stats():
    """The statistics computed for many runs at once (the screening's and the lockstep sampler's) are model_stats's,
    bit for bit: per run (a seed may recur) and over a group of seeds as an ensemble."""
    from types import SimpleNamespace

    from sim.runner import simulate, tables_of

    sc = calibration.truncated(load_scenario(SCENARIOS / "historical.yaml", calibration="none"), 2023)
    setup = sc.setup()
    records = [simulate(setup, 3), simulate(setup.with_params(**TRUTH), 3), simulate(setup, 4), simulate(setup, 5)]
    parts = calibration._run_parts(sc, records, 2023)
    for record, got in zip(records, calibration._group_stats(parts, [[q] for q in range(4)], 2023), strict=True):
        want = calibration.model_stats(SimpleNamespace(scenario=sc, seeds=[record.seed], **record.tables()), 2023)
        assert list(got) == list(want) and got == want
    group = [records[0], records[2], records[3]]
    want = calibration.model_stats(SimpleNamespace(scenario=sc, seeds=[3, 4, 5], **tables_of(group)), 2023)
    got = calibration._group_stats(parts, [[0, 2, 3]], 2023)[0]
    assert list(got) == list(want) and got == want and "gas_2022_over_2021" in got


def test_screening_does_not_depend_on_its_chunks():
    """The screening's runs in one lockstep chunk or in two processes: the same table."""
    sc = load_scenario(SCENARIOS / "historical.yaml", calibration="none")
    names = ["peace_dividend", "spending_fall_rate"]
    one = calibration.screen(sc, names, seeds=2, until=1999, workers=1)
    two = calibration.screen(sc, names, seeds=2, until=1999, workers=2)
    assert one.equals(two) and len(one) == 3 and np.isfinite(one.score).all()
    assert one.parameter.str.startswith("(noise").sum() == 1


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
