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


# -- 4. plots, tested by their data and labels -------------------------------------------------------------------
OWN_LABELS = ("My own build-up near the Baltics", "My own round of talks")


@pytest.fixture(scope="module")
def own_run(tmp_path_factory):
    """The historical record with two low-key events of the user's own (2 seeds)."""
    path = write(tmp_path_factory.mktemp("own"), "own.yaml", f"""
name: my_history
extends: {SCENARIOS / 'historical.yaml'}
events:
  - id: my-build-up-2010
    date: 2010-06
    type: military_posture
    actor: RUS
    targets: [EST, LVA, LTU]
    label: {OWN_LABELS[0]}
    params: {{level: 0.4}}
  - id: my-talks-2017
    date: 2017-03
    type: consult
    actor: RUS
    targets: [NATO]
    label: {OWN_LABELS[1]}
""")
    return sim.run(sim.load_scenario(path), seeds=[0, 1])


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]


def _legend(ax) -> list[str]:
    return [t.get_text() for t in ax.get_legend().get_texts()]


def test_a_users_own_events_are_labelled(own_run):
    from sim import plots

    assert plots.own_event_ids(own_run.scenario) == {"my-build-up-2010", "my-talks-2017"}
    events = plots.key_events(own_run)
    assert {e["label"] for e in events[:2]} == set(OWN_LABELS) and all(e["own"] for e in events[:2])
    # without the preference, at least 14 history events (all the label slots) would outrank them
    history = [e for e in events if not e["own"]]
    for ev in events[:2]:
        assert sum(h["score"] > ev["score"] - plots.OWN_BONUS for h in history) >= 14
    fig = plots.relations(own_run)
    texts = _texts(fig)
    for label in OWN_LABELS:
        assert label in texts
        assert next(t for t in fig.axes[0].texts if t.get_text() == label).get_fontweight() == "bold"
    assert any("own event" in t for t in _legend(fig.axes[0]))
    # the history still gets labels of its own
    assert sum(1 for t in fig.axes[0].texts if t.get_text() not in OWN_LABELS) >= 6


def test_historical_has_no_own_events(historical):
    from sim import plots

    assert plots.own_event_ids(historical) == set()


def test_trust_heatmap_dates_follow_the_run():
    from types import SimpleNamespace

    from sim import plots

    dates = pd.date_range("1991-12-01", "2035-12-01", freq="MS")
    fake = SimpleNamespace(states=pd.DataFrame({"date": dates}))
    picked = plots.heatmap_dates(fake)
    assert picked[-1] == pd.Timestamp("2035-12-01")
    assert sum(d > pd.Timestamp("2024-01-01") for d in picked) >= 2
    assert len(picked) <= plots.HEATMAP_MAX and picked == sorted(set(picked))
    short = SimpleNamespace(states=pd.DataFrame({"date": pd.date_range("2024-01-01", "2030-12-01", freq="MS")}))
    assert plots.heatmap_dates(short)[-1] == pd.Timestamp("2030-12-01") and len(plots.heatmap_dates(short)) >= 4


def test_trust_heatmap_ends_at_the_runs_end(own_run):
    from sim import plots

    fig = plots.trust_heatmap(own_run)
    last = pd.Timestamp(own_run.states.date.max())
    for ax in fig.axes[:2]:
        assert ax.get_xticklabels()[-1].get_text() == f"{last:%Y-%m}"
    assert f"{last:%Y-%m}" in fig._suptitle.get_text()


def test_threat_plot_names_every_line_in_distinct_colours(own_run):
    from sim import plots

    fig = plots.threat(own_run)
    ax = fig.axes[0]
    drawn = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    legend = _legend(ax)
    assert [line.get_label() for line in drawn] == [t for t in legend if not t.startswith("the other")]
    states = drawn[:-1]
    assert len(states) == plots.THREAT_NAMED
    assert len({line.get_color() for line in drawn}) == len(drawn)  # no colour drawn twice
    assert f"the {plots.THREAT_NAMED} most threatened" in ax.get_title(loc="left")
    # the other states are one band, named in the legend with their number
    others = len([c for c in plots.partners(own_run) if c in set(own_run.states.state)]) - plots.THREAT_NAMED
    assert f"the other {others} members and partners: lowest to highest" in legend


def test_threat_plot_members_mean_has_a_fixed_composition(own_run):
    from sim import plots

    fig = plots.threat(own_run)
    mean_line = next(line for line in fig.axes[0].get_lines() if line.get_label().startswith("mean of the"))
    st = own_run.states
    end = st[st.date == st.date.max()]
    members = sorted(end.groupby("state").member.mean().loc[lambda s: s >= 0.5].index)
    assert f"mean of the {len(members)} members at the end" in mean_line.get_label()
    expected = (st[st.state.isin(members)].groupby(["seed", "date"]).threat_from_russia.mean()
                .groupby("date").median())
    assert mean_line.get_ydata() == pytest.approx(expected.to_numpy())
    # the members-of-the-day mean (which jumps at each enlargement) is not what is drawn
    old = own_run.timeseries.groupby("date").mean_threat_from_russia.median()
    assert (old.to_numpy() - expected.to_numpy()).__abs__().max() > 0.02


@pytest.fixture(scope="module")
def three(files, tmp_path_factory):
    """short, an identical copy of it, and the variant: 3 seeds each."""
    copy = write(tmp_path_factory.mktemp("copy"), "copy.yaml", f"name: short_copy\nextends: {files['short']}\n")
    scenarios = [sim.load_scenario(files["short"]), sim.load_scenario(copy), sim.load_scenario(files["same_events"])]
    return compare(scenarios, seeds=range(3))


def test_compare_panels_have_bands_and_do_not_magnify(three):
    from matplotlib.collections import PolyCollection

    from sim import plots

    fig = plots.compare_panels(three)
    panels = fig.axes[:len(plots.COMPARE_PANELS)]
    for ax, (column, _, low, high, min_span) in zip(panels, plots.COMPARE_PANELS, strict=True):
        bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
        qs = plots._compare_quantiles(three, column)
        # one band per scenario, the identical copy's drawn once
        assert len(bands) == len(three.results) - len(plots.coinciding(qs, three.names)), column
        a, b = ax.get_ylim()
        assert b - a >= min_span, column
        for q in plots._compare_quantiles(three, column):
            assert a <= q["lo"].min() and q["hi"].max() <= b, column
        if low is not None and high is not None and (b - a) < 0.9 * (high - low):
            assert any("zoomed" in t.get_text() for t in ax.texts), column
    assert "10th–90th" in fig.legends[0].get_title().get_text()


def test_compare_marks_a_scenario_identical_to_the_reference(three):
    from sim import plots

    fig = plots.compare_relations(three)
    ax = fig.axes[0]
    labels = _legend(ax)
    assert "short_copy (identical to short)" in labels
    assert not any("same_events (identical" in t for t in labels)
    lines = {line.get_label().split(" (")[0]: line for line in ax.get_lines() if not line.get_label().startswith("_")}
    assert lines["short"].get_zorder() > max(lines["short_copy"].get_zorder(), lines["same_events"].get_zorder())
    assert lines["short"].get_linestyle() != "-"
    panels = plots.compare_panels(three)
    assert all(any("short_copy = short" in t.get_text() for t in ax.texts)
               for ax in panels.axes[:len(plots.COMPARE_PANELS)])


def test_compare_plots_point_at_the_warning(differing):
    from sim import plots

    fig = plots.compare_relations(differing)
    assert any("differ before it" in t for t in _texts(fig))
    assert "differ before the branch" in plots.compare_panels(differing)._suptitle.get_text()
