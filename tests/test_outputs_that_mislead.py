"""Outputs that say what they mean (issue 14): params in force, compare's branch warning, small numbers in
metrics.md, the manifest's versions, and the run and compare plots (tested by their data and labels)."""

from __future__ import annotations

import io
import json
from importlib.metadata import version

import pandas as pd
import pytest

import sim
from sim import metrics, parameters
from sim.compare import compare, setup_differences
from sim.outputs import package_versions

from .conftest import SCENARIOS, write
from .test_cli import natosim

# a short history (1991-12 .. 1996-12) and a variant with its own parameter and event: fast to run
SHORT = f"""
name: short
extends: {SCENARIOS / 'historical.yaml'}
end: 1996-12
"""
OWN_EVENT = """
  - id: my-own-posture
    date: 1995-06
    type: military_posture
    actor: RUS
    targets: [POL]
    label: My own build-up
    params: {level: 0.4}
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mislead")
    short = write(folder, "short.yaml", SHORT)
    variant = write(folder, "variant.yaml", f"""
name: variant
extends: short.yaml
parameters: {{trust_negative_gain: 0.3}}
events:{OWN_EVENT}""")
    same = write(folder, "same_events.yaml", f"""
name: same_events
extends: short.yaml
events:{OWN_EVENT}""")
    return {"short": short, "variant": variant, "same_events": same}


@pytest.fixture(scope="module")
def differing(files):
    """short against a variant whose parameters differ from the start and whose own event comes in 1995-06."""
    return compare([sim.load_scenario(files["short"]), sim.load_scenario(files["variant"])], seeds=range(2))


# -- 1. natosim params: the values in force, the registry's beside them -----------------------------------------
def _params_csv(*args: str) -> tuple[pd.DataFrame, str]:
    proc = natosim("params", "--format", "csv", *args)
    assert proc.returncode == 0, proc.stderr
    return pd.read_csv(io.StringIO(proc.stdout)).set_index("name"), proc.stderr


def test_params_show_the_calibrated_values_runs_use():
    table, note = _params_csv()
    historical = sim.load_scenario(SCENARIOS / "historical.yaml")
    assert historical.calibrated, "the packaged calibration sets no value: nothing to test"
    for name, value in historical.calibrated.items():
        assert table.loc[name, "value"] == pytest.approx(value)
        assert table.loc[name, "registry_value"] == pytest.approx(parameters.registry()[name].value)
        assert table.loc[name, "calibrated"] == "yes" and table.loc[name, "set_by"] == "calibration"
    others = table.drop(index=list(historical.calibrated))
    assert (others.value == others.registry_value).all() and (others.calibrated == "no").all()
    # the values differ from the registry somewhere, so the column is not the registry's under another name
    assert (table.value != table.registry_value).any()
    assert "calibrated.yaml" in note and "Calibration:" in note


def test_params_uncalibrated_and_a_scenarios_own_parameters(files):
    table, note = _params_csv("--uncalibrated")
    assert (table.value == table.registry_value).all() and (table.calibrated == "no").all()
    assert "none" in note
    table, note = _params_csv("--scenario", str(files["variant"]))
    assert table.loc["trust_negative_gain", "value"] == 0.3
    assert table.loc["trust_negative_gain", "set_by"] == "scenario"
    assert "trust_negative_gain" in note


def test_params_table_and_markdown_name_the_calibration():
    table = natosim("params", "--mechanism", "economy")
    assert table.returncode == 0, table.stderr
    assert "registry_value" in table.stdout and "calibrated.yaml" in table.stdout
    md = natosim("params", "--format", "markdown")
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("Calibration: ") and "calibrated.yaml" in md.stdout.splitlines()[0]
    header = next(line for line in md.stdout.splitlines() if line.startswith("| name"))
    for column in ("value", "registry_value", "calibrated"):
        assert f"| {column} |" in header


# -- 2. compare: a warning when the scenarios differ before the branch -----------------------------------------
def test_compare_warns_when_parameters_differ_before_the_branch(differing, tmp_path):
    assert differing.branch == pd.Timestamp("1995-06-01")
    assert len(differing.warnings) == 2
    assert "trust_negative_gain" in differing.warnings[0] and "short 0.4" in differing.warnings[0]
    assert "variant 0.3" in differing.warnings[0]
    assert "already differ" in differing.warnings[1] and "1995-06" in differing.warnings[1]
    out = differing.save(tmp_path / "c", plots=False)
    text = (out / "metrics.md").read_text(encoding="utf-8")
    assert text.count("**Warning:**") == 2 and "trust_negative_gain" in text


def test_compare_has_no_warning_when_only_events_differ(files):
    a, b = sim.load_scenario(files["short"]), sim.load_scenario(files["same_events"])
    comparison = compare([a, b], seeds=range(1))
    assert comparison.branch == pd.Timestamp("1995-06-01")
    assert comparison.warnings == []
    assert "Warning" not in comparison.markdown()


def test_setup_differences_name_calibration_roster_and_early_events(files):
    a = sim.load_scenario(files["short"])
    b = sim.load_scenario(files["short"], calibration="none")
    diffs = setup_differences([a, b], pd.Timestamp("1995-06-01"))
    assert any(d.startswith("calibration:") for d in diffs)
    assert any(d.startswith("parameters in force") and "spending_fall_rate" in d for d in diffs)
    import dataclasses

    roster = [dict(s) for s in a.roster if s["code"] != "MDA"]
    c = dataclasses.replace(a, name="no_moldova", roster=roster, events=a.events[1:])
    diffs = setup_differences([a, c], pd.Timestamp("1999-01-01"))
    assert "roster: MDA not in no_moldova" in diffs
    assert any(d.startswith("scheduled events before the branch") and a.events[0].id in d for d in diffs)
    assert setup_differences([a, a], pd.Timestamp("1995-06-01")) == []


def test_compare_cli_prints_the_warning(files, tmp_path):
    proc = natosim("compare", str(files["short"]), str(files["variant"]), "--seeds", "1", "--workers", "1",
                   "--no-plots", "--out", str(tmp_path / "c"))
    assert proc.returncode == 0, proc.stderr
    assert "warning:" in proc.stderr and "trust_negative_gain" in proc.stderr
    assert "**Warning:**" in (tmp_path / "c" / "metrics.md").read_text(encoding="utf-8")


# -- 3. metrics.md: small numbers keep their digits -------------------------------------------------------------
@pytest.mark.parametrize("value, text", [(2.3e-5, "2.3e-05"), (3.5e-5, "3.5e-05"), (0.0, "0"), (0.05, "0.05"),
                                         (0.0123, "0.012"), (1.9, "1.90"), (-0.56, "-0.56"), (-0.004, "-0.004")])
def test_format_number(value, text):
    assert metrics.format_number(value) == text


@pytest.mark.parametrize("value, text", [(0.0, "0%"), (1.0, "100%"), (0.25, "25%"), (0.001, "0.1%"),
                                         (0.995, "99.5%"), (0.9999, "99.99%")])
def test_format_share(value, text):
    assert metrics.format_share(value) == text


def test_metrics_md_never_shows_zero_for_a_non_zero_value(differing):
    rows = {line.split(" | ")[0].strip("| "): line for line in differing.markdown().splitlines()
            if line.startswith("| ") and not line.startswith("| metric")}
    checked = 0
    for (metric, name), row in differing.summary.iterrows():
        if pd.isna(row.estimate) or row.estimate == 0:
            continue
        cells = [c.strip() for c in rows[metric].strip("|").split("|")][1:]
        cell = cells[differing.names.index(name)]
        estimate = cell.split(" (")[0]
        assert estimate not in ("0", "0.00", "0%", "-0.00"), (metric, name, cell)
        checked += 1
    small = differing.summary[(differing.summary.estimate.abs() < 0.005) & (differing.summary.estimate != 0)]
    assert len(small) > 0, "no small non-zero value to check"
    assert checked > 20


# -- 5. the manifest names numba's version ----------------------------------------------------------------------
def test_manifest_records_numba(files, tmp_path):
    assert package_versions()["numba"] == version("numba")
    result = sim.run(sim.load_scenario(files["short"]), seeds=[0])
    result.save(tmp_path / "run", plots=False)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["packages"]["numba"] == version("numba")
    assert manifest["packages"]["llvmlite"] == version("llvmlite")
