"""The cheaper ways the plots are drawn say what the slower ones said (issue 15: the whole job in 6 s).

The trust heatmap's values as one collection of outlines, the year ticks counted directly, the log axis
labelled without math text, the tables written while the plot processes draw, and the summary's enlargement
table from one pass over the states.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest

import sim
from sim import outputs, plots


@pytest.fixture(scope="module")
def small(historical) -> sim.RunResult:
    return sim.run(historical, seeds=range(3), workers=1)


def test_the_heatmap_writes_every_value_in_its_cell(small) -> None:
    fig = plots.trust_heatmap(small)
    cols = plots.heatmap_dates(small)
    codes = [t.get_text() for t in fig.axes[0].get_yticklabels()]  # the panels share their rows
    for ax, column in zip(fig.axes[:2], ("trust_in_russia", "russia_trust_in_state"), strict=True):
        labels = [c for c in ax.collections if isinstance(c, plots.CellLabels)]
        assert len(labels) == 1 and not [t for t in ax.texts if t.get_text().startswith(("+", "-"))]
        sub = small.states[small.states["date"].isin(cols)]
        table = sub.groupby(["state", "date"])[column].median().unstack("date").reindex(index=codes, columns=cols)
        want = {(j, i): f"{v:+.2f}" for (i, j), v in np.ndenumerate(table.to_numpy(float)) if np.isfinite(v)}
        got = {(x, y): text for x, y, text, _ in labels[0].labels}
        assert got == want
        for x, y, text, colour in labels[0].labels:  # light on the dark cells, dark on the light ones
            assert colour == ("white" if abs(float(text)) > 0.55 else "#222222")
        # each outline is centred on its cell: the offsets are the cells, the outlines about the origin
        assert [tuple(o) for o in labels[0].get_offsets()] == list(got)
        for path in labels[0].get_paths():
            xs, ys = path.vertices[:, 0], path.vertices[:, 1]
            assert abs(xs.min() + xs.max()) < 1e-9 and -6 < ys.min() < 0 < ys.max() < 6  # points, 6 pt type


def test_year_ticks_are_the_year_locators(small) -> None:
    for start, end in [("1991-12-01", "2023-12-01"), ("1991-12-01", "2035-12-01"), ("2024-01-01", "2030-06-01"),
                       ("1999-03-01", "2003-02-01")]:
        a, b = pd.Timestamp(start).to_pydatetime(), pd.Timestamp(end).to_pydatetime()
        for base in (1, 2, 5, 10):
            ours = plots.YearTicks(base).tick_values(a, b)
            theirs = mdates.YearLocator(base).tick_values(a, b)
            np.testing.assert_array_equal(ours, theirs)


def test_the_log_axis_labels_powers_of_ten_only() -> None:
    assert [plots.power_of_ten(v) for v in (1e-6, 1e-5, 0.01, 1.0, 10.0)] == ["10⁻⁶", "10⁻⁵", "10⁻²", "10⁰", "10¹"]
    assert [plots.power_of_ten(v) for v in (2e-6, 0.5, 0.0, -1.0, float("nan"))] == [""] * 5


def test_axes_size_leaves_the_figure_as_it_was(small) -> None:
    fig = plots.deterrence(small)
    assert fig.dpi == 100 and isinstance(fig.canvas, plots.FigureCanvasAgg)
    width, height = plots.axes_size_in(fig.axes[0])
    assert fig.dpi == 100 and 5 < width < 11 and 3 < height < 5.5


def _membership_one_state_at_a_time(result: sim.RunResult) -> pd.DataFrame:
    """The enlargement table as first written: a filter and group-by per state."""
    st = result.states
    n_seeds = st["seed"].nunique()
    first = st[st["date"] == st["date"].min()].set_index(["seed", "state"])
    rows = []
    for code, g in st.groupby("state", sort=False):
        starts = first.xs(code, level="state")
        outsiders = starts.index[~starts["member"].astype(bool)]
        if len(outsiders) == 0:
            continue
        g = g[g["seed"].isin(outsiders)]
        applied = g[g["applicant"].astype(bool)].groupby("seed")["date"].min()
        already = int(starts.loc[outsiders, "applicant"].astype(bool).sum())
        joined = g[g["member"].astype(bool)].groupby("seed")["date"].min()
        if applied.empty and joined.empty:
            continue
        rows.append({"state": code, "seeds": n_seeds, "applied_seeds": len(applied), "applicant_at_start": already,
                     "applied_median": outputs._median_date(applied) if len(applied) else pd.NaT,
                     "joined_seeds": len(joined),
                     "joined_median": outputs._median_date(joined) if len(joined) else pd.NaT})
    return pd.DataFrame(rows, columns=["state", "seeds", "applied_seeds", "applicant_at_start", "applied_median",
                                       "joined_seeds", "joined_median"])


@pytest.mark.parametrize("name", ["historical", "ukraine_accession"])
def test_the_enlargement_table_is_the_one_state_at_a_time_table(name, small) -> None:
    result = small if name == "historical" else sim.run(sim.load_scenario(f"scenarios/{name}.yaml"),
                                                        seeds=range(3), workers=1)
    got, want = outputs.membership_changes(result), _membership_one_state_at_a_time(result)
    assert len(want) > 5
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_tables_are_written_while_the_plots_draw_and_are_the_same(small, tmp_path: Path) -> None:
    heard: list[str] = []
    drawn = outputs.save(small, tmp_path / "drawn", plots=["relations", "trust_heatmap", "escalation"], workers=2,
                         progress=lambda name, done, total: heard.append(name), svg=False)
    bare = outputs.save(small, tmp_path / "bare", plots=False)
    for name in ("timeseries.csv", "timeseries.parquet", "states.parquet", "events.csv", "events.parquet"):
        assert (Path(drawn) / name).read_bytes() == (Path(bare) / name).read_bytes(), name
    assert sorted(heard) == ["escalation", "relations", "trust_heatmap"]
    assert sorted(p.name for p in Path(drawn).glob("*.png")) == ["escalation.png", "relations.png",
                                                                 "trust_heatmap.png"]
    import json

    files = json.loads((Path(drawn) / "manifest.json").read_text())["files"]
    assert {"summary.md", "timeseries.csv", "relations.png", "trust_heatmap.png"} <= set(files)


def test_a_failure_beside_the_plots_stops_their_processes(small, tmp_path: Path) -> None:
    def fail() -> None:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        plots.all_plots(small, tmp_path / "p", ["relations", "escalation"], workers=2, meanwhile=fail)


def test_the_longest_first_order_names_every_plot() -> None:
    assert sorted(plots.LONGEST_FIRST) == sorted(plots.PLOTS)


@pytest.mark.parametrize("plot, output", [("relations", "relations_index"), ("threat", "threat_from_russia"),
                                          ("spending", "defence_spending_pct_gdp"),
                                          ("deterrence", "deterrence_credibility"),
                                          ("escalation", "escalation_level")])
def test_the_axis_labels_are_the_outputs_tables(plot, output, small) -> None:
    from sim import observables

    fig = plots.PLOTS[plot](small)
    assert fig.axes[0].get_ylabel() == observables.label(output)
