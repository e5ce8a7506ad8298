"""The command line end to end, as a user runs it (a subprocess, no traceback ever)."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from .conftest import write


def natosim(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=cwd, timeout=600, check=False)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli") / "historical"
    proc = natosim("run", "historical", "--seeds", "2", "--seed", "5", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    return out, proc


def test_run_writes_every_output(run_folder):
    out, proc = run_folder
    for name in ("timeseries.parquet", "states.parquet", "events.csv", "events.parquet", "manifest.json", "summary.md",
                 "relations.png", "threat.png", "spending.png", "deterrence.png", "escalation.png",
                 "trust_heatmap.png"):
        assert (out / name).exists(), name
    assert not list(out.glob("*.svg"))  # SVG only with --svg
    assert "results written to" in proc.stdout


def test_svg_on_request(tmp_path):
    out = tmp_path / "svg"
    proc = natosim("run", "historical", "--seeds", "1", "--plots", "relations", "--svg", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.glob("relations.*")) == ["relations.png", "relations.svg"]
    assert "relations.svg" in json.loads((out / "manifest.json").read_text())["files"]


def test_tables_have_the_documented_columns(run_folder):
    out, _ = run_folder
    ts = pd.read_parquet(out / "timeseries.parquet")
    for col in ("seed", "date", "relations_index", "escalation_level", "nato_members", "russia_action"):
        assert col in ts.columns
    assert sorted(ts.seed.unique()) == [5, 6] and len(ts) == 2 * 385
    assert ts.relations_index.between(-1, 1).all() and ts.escalation_level.dtype.kind == "i"
    st = pd.read_parquet(out / "states.parquet")
    for col in ("seed", "date", "state", "member", "defence_spending_pct_gdp", "trust_in_russia",
                "threat_from_russia", "deterrence_credibility"):
        assert col in st.columns
    assert st.member.dtype == bool and "SWE" in set(st.state)
    ev = pd.read_csv(out / "events.csv")
    assert list(ev.columns) == ["seed", "date", "actor", "targets", "type", "goldstein", "origin", "label", "source", "id"]
    assert set(ev.origin) == {"scheduled", "emergent"}


def test_manifest_records_what_produced_the_run(run_folder):
    out, _ = run_folder
    manifest = json.loads((out / "manifest.json").read_text())
    text = json.dumps(manifest)
    assert manifest["seeds"] == [5, 6]
    assert "trust_negative_gain" in text and "historical" in text and "mesa" in text


def test_existing_output_folder_is_never_overwritten(run_folder):
    out, _ = run_folder
    proc = natosim("run", "historical", "--out", str(out))
    assert proc.returncode == 2 and "not empty" in proc.stderr and "Traceback" not in proc.stderr


def test_bad_scenario_exits_2_with_a_clear_message_and_no_traceback(tmp_path):
    path = write(tmp_path, "bad.yaml", "name: bad\nstart: 2000-01\nend: 2001-01\nevents:\n  - date: 2000-02\n    type: nuke\n    actor: RUS\n")
    proc = natosim("run", str(path), "--out", str(tmp_path / "out"))
    assert proc.returncode == 2
    assert "bad.yaml" in proc.stderr and "events[0].type" in proc.stderr and "allowed" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("option", ["no_such=1", "trust_negative_gain=9", "trust_negative_gain"])
def test_bad_set_is_refused(option, tmp_path):
    proc = natosim("run", "historical", "--set", option, "--out", str(tmp_path / "o"))
    assert proc.returncode == 2 and "--set" in proc.stderr and "Traceback" not in proc.stderr


def test_params_prints_the_registry_as_table_and_csv():
    table = natosim("params")
    assert table.returncode == 0 and "trust_negative_gain" in table.stdout
    csv = natosim("params", "--format", "csv")
    rows = csv.stdout.strip().splitlines()
    assert rows[0].startswith("name,value,min,max,unit,mechanism,source_kind,meaning,source")
    assert len(rows) > 100


def test_show_prints_the_resolved_scenario():
    proc = natosim("show", "historical", "--set", "trust_negative_gain=0.3")
    assert proc.returncode == 0 and "invasion-2022" in proc.stdout and "trust_negative_gain: 0.3" in proc.stdout


def test_validate_sensitivity_refuses_bad_parameters_before_running(tmp_path):
    unknown = natosim("validate", "--sensitivity", "--param", "no_such_parameter", "--out", str(tmp_path / "a"))
    assert unknown.returncode == 2 and "--param no_such_parameter: unknown parameter" in unknown.stderr
    both = natosim("validate", "--sensitivity", "--param", "sanctions_package", "--set", "sanctions_package=0.1",
                   "--out", str(tmp_path / "b"))
    assert both.returncode == 2 and "also fixed by --set" in both.stderr
    alone = natosim("validate", "--param", "sanctions_package", "--out", str(tmp_path / "c"))
    assert alone.returncode == 2 and "--param is for --sensitivity" in alone.stderr
    assert "Traceback" not in unknown.stderr + both.stderr + alone.stderr
