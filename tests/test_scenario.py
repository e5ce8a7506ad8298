"""Scenario files: strict validation with clear errors, and composition by extends."""

from __future__ import annotations

import pytest

import sim
from sim.scenario import ScenarioError, load_scenario

from .conftest import SCENARIOS, write

BASE = """
name: tiny
start: 2000-01
end: 2001-12
events:
  - id: e1
    date: 2000-03-15
    type: consult
    actor: RUS
    targets: [NATO]
    label: talks
    source: "assumption: test"
"""


def _error(path) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return info.value


def test_a_valid_file_loads(tmp_path):
    sc = load_scenario(write(tmp_path, "ok.yaml", BASE))
    assert sc.name == "tiny" and sc.start.year == 2000 and len(sc.events) == 1
    assert sc.events[0].origin == "scheduled"


@pytest.mark.parametrize(
    "text, field, words",
    [
        (BASE + "colour: blue\n", "colour", "unknown key"),
        (BASE.replace("start: 2000-01", "start: 2000-13"), "start", "date"),
        (BASE.replace("date: 2000-03-15", "date: March 2000"), "events[0].date", "YYYY-MM"),
        (BASE.replace("actor: RUS", "actor: XYZ"), "events[0].actor", "unknown state"),
        (BASE.replace("targets: [NATO]", "targets: [NATO, ATL]"), "events[0].targets", "unknown state"),
        (BASE.replace("type: consult", "type: bombard"), "events[0].type", "unknown event type"),
        (BASE + "parameters:\n  trust_negative_gain: 7.0\n", "parameters.trust_negative_gain", "out of range"),
        (BASE + "parameters:\n  no_such_thing: 1.0\n", "parameters.no_such_thing", "unknown parameter"),
        (BASE + "parameters:\n  trust_negative_gain: high\n", "parameters.trust_negative_gain", "number"),
        (BASE.replace("label: talks", "label: talks\n    params: {speed: 3}"), "events[0].params.speed", "not a parameter"),
        (BASE.replace("label: talks", "label: talks\n    colour: red"), "events[0].colour", "unknown key"),
        (BASE + "roster:\n  overrides:\n    ATL: {solidarity: 0.5}\n", "roster.overrides.ATL", "unknown state"),
        (BASE + "roster:\n  overrides:\n    TUR: {solidarity: 1.5}\n", "roster.overrides.TUR.solidarity", "less than or equal"),
        (BASE + "step: 1W\n", "step", "1M"),
        (BASE.replace("end: 2001-12", "end: 1999-12"), "end", "before start"),
        (BASE + "remove_events: [nothing-here]\n", "remove_events[0]", "no inherited event"),
        # issue 14: the input limits
        (BASE.replace("start: 2000-01", "start: 1850-01"), "start",
         "1850-01 is outside the months a run may cover; allowed 1900-01 .. 2100-12"),
        (BASE.replace("end: 2001-12", "end: 2101-01"), "end", "allowed 1900-01 .. 2100-12"),
        (BASE.replace("start: 2000-01", "start: 1980-01").replace("end: 2001-12", "end: 2090-12"), "end",
         "2090-12 makes a run of 1332 months from 1980-01 (start, in bad.yaml); allowed at most 1320 months (110 years)"),
        (BASE.replace("label: talks", "label: " + "x" * 41), "events[0].label",
         "is 41 characters long; allowed at most 40"),
        (BASE.replace("date: 2000-03-15", "date: 2002-01-01"), "events[0].date",
         "2002-01-01 is outside the run (2000-01 .. 2001-12)"),
        (BASE.replace("date: 2000-03-15", "date: 1999-12-31"), "events[0].date", "is outside the run"),
        (BASE + "extends: nowhere.yaml\n", "extends", "'nowhere.yaml': no such scenario file"),
    ],
)
def test_bad_files_get_one_clear_message_naming_file_and_field(tmp_path, text, field, words):
    path = write(tmp_path, "bad.yaml", text)
    err = _error(path)
    assert any(f == str(path.resolve()) and fld == field and words in msg for f, fld, msg in err.problems), err.problems


def test_invalid_yaml_names_the_line(tmp_path):
    err = _error(write(tmp_path, "broken.yaml", "name: x\nevents: [\n  - a: b\n"))
    assert "line" in err.problems[0][1] and "YAML" in err.problems[0][2]


def test_yaml_is_loaded_safely(tmp_path):
    err = _error(write(tmp_path, "evil.yaml", "name: !!python/object/apply:os.system ['echo hi']\n"))
    assert "YAML" in str(err)


def test_missing_file_is_reported(tmp_path):
    err = _error(tmp_path / "absent.yaml")
    assert "no such scenario" in str(err)


def test_extends_overrides_parameters_roster_and_events(tmp_path):
    write(tmp_path, "parent.yaml", BASE + "parameters:\n  trust_negative_gain: 0.5\n")
    child = write(
        tmp_path,
        "child.yaml",
        """
name: child
extends: parent.yaml
parameters: {trust_positive_gain: 0.1}
roster:
  overrides:
    TUR: {solidarity: 0.2}
events:
  - id: e1
    date: 2000-05-01
    type: criticize
    actor: RUS
    targets: [NATO]
  - id: e2
    date: 2001-01
    type: consult
    actor: NATO
    targets: [RUS]
""",
    )
    sc = load_scenario(child)
    assert sc.parameters == {"trust_negative_gain": 0.5, "trust_positive_gain": 0.1}
    assert [e.id for e in sc.events] == ["e1", "e2"] and sc.events[0].type == "criticize"
    assert next(s for s in sc.roster if s["code"] == "TUR")["solidarity"] == 0.2
    assert sc.start.year == 2000 and len(sc.chain) == 2
    setup = sc.setup(trust_decay_rate=0.02)
    assert setup.params["trust_negative_gain"] == 0.5 and setup.params["trust_decay_rate"] == 0.02


def test_remove_inherited_event(tmp_path):
    write(tmp_path, "parent.yaml", BASE)
    sc = load_scenario(write(tmp_path, "child.yaml", "extends: parent.yaml\nremove_events: [e1]\n"))
    assert sc.events == []


def test_extends_cycle_is_an_error(tmp_path):
    write(tmp_path, "a.yaml", "extends: b.yaml\nstart: 2000-01\nend: 2000-12\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\n")
    err = _error(tmp_path / "a.yaml")
    assert "cycle" in str(err) and "extends" in str(err)


def test_unknown_override_at_setup_is_an_error(historical):
    with pytest.raises(ScenarioError):
        historical.setup(no_such_parameter=1.0)
    with pytest.raises(ScenarioError):
        historical.setup(trust_negative_gain=99.0)


def test_roster_additions_become_agents(tmp_path):
    text = BASE + """
roster:
  add:
    - code: XKX
      name: Kosovo
      bloc: contested
      gdp_usd_bn: 5.0
      defence_spending_pct_gdp: 0.8
      milex_usd_bn: 0.05
      gas_share_from_russia: 0.0
      proximity: rear
      capital: [42.66, 21.17]
      land_border_with_russia: false
      neutrality: 0.0
      solidarity: 0.7
      resolve: 0.6
"""
    sc = load_scenario(write(tmp_path, "add.yaml", text))
    result = sim.run(sc, seeds=[1])
    assert "XKX" in set(result.states.state)


def test_historical_scenario_is_complete(historical):
    assert historical.start.isoformat() == "1991-12-01" and historical.end.isoformat() == "2023-12-01"
    assert len(historical.events) >= 40
    types = {e.type for e in historical.events}
    for needed in ("accession", "military_aggression", "occupy_territory", "sign_formal_agreement", "energy_coercion",
                   "cyber_attack", "assassination", "spending_guideline", "forward_presence_commitment", "air_policing"):
        assert needed in types
    assert all(e.source for e in historical.events)
    assert (SCENARIOS / "historical.yaml").exists()


def test_impossible_dates_binary_files_and_bad_seeds_are_input_errors(tmp_path):
    """Issue 14: no internal error for a date that does not exist, a binary file or a seed out of range."""
    from sim.scenario import SEED_MAX
    from sim.sweep.spec import load_sweep

    err = str(_error(write(tmp_path, "d.yaml", BASE.replace("2000-03-15", "2001-02-30"))))
    assert "events[0].date: '2001-02-30' is not a valid date (day is out of range for month)" in err
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"\x00\xbd\xff\x10 garbage")
    assert "is not UTF-8 text (byte 1)" in str(_error(binary))
    with pytest.raises(ScenarioError, match="is not UTF-8 text"):
        load_sweep(binary)
    assert "seed: Input should be greater than or equal to 0" in str(_error(write(tmp_path, "s.yaml", BASE + "seed: -4\n")))
    assert "less than or equal to 4294967295" in str(_error(write(tmp_path, "t.yaml", BASE + f"seed: {SEED_MAX + 1}\n")))


def test_seeds_out_of_range_on_the_command_line_exit_2():
    from typer.testing import CliRunner

    from sim.cli import app

    r = CliRunner().invoke(app, ["run", "historical", "--seed", "-3"])
    assert r.exit_code == 2 and "--seed" in r.output
    r = CliRunner().invoke(app, ["run", "historical", "--seed", "4294967295", "--seeds", "2"])
    assert r.exit_code == 2 and "the last seed 4294967296 is above the largest, 4294967295" in r.output


def test_the_limits_admit_what_they_allow(tmp_path):
    """Issue 14: a 40-character label, an event in the last month, the longest run and inherited events outside a
    shortened run (left out by the model, as before) all load."""
    text = BASE.replace("label: talks", "label: " + "x" * 40).replace("date: 2000-03-15", "date: 2001-12-31")
    assert load_scenario(write(tmp_path, "edge.yaml", text)).events[0].label == "x" * 40
    longest = BASE.replace("start: 2000-01", "start: 1991-01").replace("end: 2001-12", "end: 2100-12")
    sc = load_scenario(write(tmp_path, "longest.yaml", longest))
    assert (sc.start.isoformat(), sc.end.isoformat()) == ("1991-01-01", "2100-12-01")  # 1320 months, the limit
    short = load_scenario(write(tmp_path, "short.yaml", f"extends: {SCENARIOS / 'historical.yaml'}\nend: 1996-12\n"))
    assert max(e.date for e in short.events).year > 1996


def test_every_shipped_scenario_keeps_its_events_inside_its_run():
    for path in sorted(SCENARIOS.glob("*.yaml")):
        sc = load_scenario(path)
        assert all(sc.start <= e.date.replace(day=1) <= sc.end for e in sc.events), path.name
        assert all(len(e.label) <= 40 for e in sc.events), path.name


def test_a_bad_extends_names_the_file_and_field_that_hold_it(tmp_path):
    write(tmp_path, "parent.yaml", "extends: missing-grandparent\nstart: 2000-01\nend: 2000-12\n")
    child = write(tmp_path, "child.yaml", "extends: parent.yaml\n")
    err = _error(child)
    assert err.problems == [(str((tmp_path / "parent.yaml").resolve()), "extends", (
        f"'missing-grandparent': no such scenario file; allowed: a scenario file relative to {tmp_path} "
        "(e.g. baseline.yaml) or a name in scenarios/"))]
