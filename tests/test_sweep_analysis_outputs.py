"""What the sweep analysis's figures and tables say: labels, colour scales, cells, the noise floor, PRIM's drivers."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from sim.sweep import analyze as sa
from sim.sweep.spec import PER_SEED_METRICS

from .test_sweep_analysis import NAMES, PROBLEM, ROOT, make_sweep


def texts(fig: Figure) -> list[str]:
    """Return every text of a figure: titles, axis labels, colour bar labels, annotations."""
    found = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    return [t for t in found if t]


def test_every_sweep_metric_has_a_plain_label_and_unit() -> None:
    """No sweep metric's label is its raw name, holds Markdown backticks, an identifier or p_thaw."""
    for metric in PER_SEED_METRICS:
        unit = sa.metric_meaning(metric)[1]
        label = sa.metric_label(metric)
        assert unit, metric
        assert metric not in label and "`" not in label and "_" not in label, (metric, label)
    assert "p_thaw" not in sa.metric_label("months_to_thaw")
    assert "window plus one month" in sa.metric_label("months_to_thaw")
    assert sa.metric_label("mean_p_attack_member") == "Russia's mean monthly probability of an attack on a member (probability)"


@pytest.mark.parametrize("lo, hi", [(-0.78, -0.73), (-0.2, 0.6), (0.1, 0.4)])
def test_relations_scale_is_diverging_at_zero(lo: float, hi: float) -> None:
    """The relations index's scale is centred at 0 (hostile below is red, never blue) with named ends."""
    scale = sa.colour_scale("relations_at_horizon", lo, hi)
    assert scale.cmap == "RdBu" and scale.ends == ("hostile", "cooperative")
    assert scale.norm(0.0) == pytest.approx(0.5)
    assert scale.norm(hi) <= 1.0 and scale.norm(lo) >= 0.0
    cm = sa.mpl_cmap(scale.cmap)
    for v in (lo, hi):
        r, _, b, _ = cm(scale.norm(v))
        assert (r > b) == (v < 0), v  # hostile values red, cooperative blue


def test_one_signed_metrics_get_sequential_scales() -> None:
    """Escalation is yellow–red, deterrence viridis, both over the values shown and without named ends."""
    esc = sa.colour_scale("max_escalation", 2.0, 5.0)
    det = sa.colour_scale("frontline_deterrence", 0.6, 0.9)
    assert (esc.cmap, det.cmap) == ("YlOrRd", "viridis")
    assert esc.ends is None and det.ends is None
    assert (esc.norm.vmin, esc.norm.vmax) == (2.0, 5.0)


@pytest.fixture(scope="module")
def morris_sweep(tmp_path_factory: pytest.TempPathFactory) -> sa.SweepData:
    """A synthetic Morris sweep (4 levels, 12 trajectories) of y = 4a + b², two seeds a point."""
    from SALib.sample import morris

    x = morris.sample(PROBLEM, 12, num_levels=4, seed=2)
    return sa.load(make_sweep(tmp_path_factory.mktemp("m") / "m", "morris", x))


def test_morris_heatmap_title_says_the_cells_it_shows(morris_sweep: sa.SweepData) -> None:
    """A 4-level Morris design is shown as 4×4 cells and the title says so (not 6×6); ends named on the bar."""
    fig = sa.heatmaps(morris_sweep, "relations_at_horizon", [("a", "b")])
    image = fig.axes[0].images[0]
    assert image.get_array().shape == (4, 4)
    title = fig._suptitle.get_text().replace("\n", " ")
    assert "4×4 cells" in title and "6×6" not in title and "relations_at_horizon" not in title and "`" not in title
    all_texts = texts(fig)
    assert "hostile" in all_texts and "cooperative" in all_texts
    assert image.norm(0.0) == pytest.approx(0.5)


def test_sensitivity_chart_titles_use_the_label(morris_sweep: sa.SweepData) -> None:
    """The sensitivity chart's titles and legend name the metric in words, never by its raw name."""
    table, _ = sa.sensitivity(morris_sweep)
    fig = sa.sensitivity_chart(table, "relations_at_horizon")
    shown = texts(fig) + [t.get_text() for t in fig.legends[0].get_texts()]
    assert not [t for t in shown if "relations_at_horizon" in t]
    assert any(sa.metric_label("relations_at_horizon") in t for t in shown)


def noisy_morris(folder: Path, seeds: int = 3) -> sa.SweepData:
    """A Morris sweep of y = 4a + 0.1b + noise, several seeds a point.

    The noise depends on the seed and on the model parameters' values (as a model's paths do), so
    a step of the dummy changes nothing (common seeds) and every other step is noisy.
    """
    from SALib.sample import morris

    x = morris.sample(PROBLEM, 20, num_levels=4, seed=5)
    make_sweep(folder, "morris", x)
    runs = pd.read_parquet(folder / "runs" / "part-000000.parquet")
    rows = []
    for pid, values in enumerate(x):
        for seed in range(seeds):
            rows.append({"point_id": pid, "seed": seed, **dict(zip(NAMES, values)),
                         "relations_at_horizon": 4.0 * values[0] + 0.1 * values[1] + np.random.default_rng(
                             [seed, int(values[0] * 1e6), int(values[1] * 1e6)]).normal(0, 0.3),
                         "max_escalation": 2.0, "status": "ok", "error": ""})
    pd.DataFrame(rows).astype(runs.dtypes.to_dict()).to_parquet(folder / "runs" / "part-000000.parquet", index=False)
    import json

    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    manifest["seeds"] = list(range(seeds))
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return sa.load(folder)


def test_morris_noise_floor_from_replications(tmp_path: Path) -> None:
    """With seed noise of SD 0.3 per run, the floor is measured (not 0): a is above it, the weak b within it."""
    data = noisy_morris(tmp_path / "n")
    noise = sa.seed_noise(data, steps=0)
    assert noise.method == "replications"
    # a point mean of 3 seeds: an elementary effect's noise is sqrt(2) * 0.3 / sqrt(3) / delta (delta 2/3)
    expected = np.sqrt(2) * 0.3 / np.sqrt(3) / (2 / 3)
    assert noise.sd("relations_at_horizon", "b") == pytest.approx(expected, rel=0.3)
    table, _ = sa.sensitivity(data, noise)
    rows = table[table.metric == "relations_at_horizon"].set_index("parameter")
    assert (rows.loc[["a", "b"], "noise_floor"] > 0.1).all()
    assert rows.loc["a", "status"] == sa.ABOVE
    assert rows.loc["b", "status"] == sa.WITHIN
    assert rows.loc["dummy", "importance"] == 0.0 and rows.loc["dummy", "status"].startswith("dummy (0 with common")


def test_morris_floor_formula() -> None:
    """The floor is sd (sqrt(2/pi) + 2 sqrt(1 - 2/pi) / sqrt(r)) and shrinks with more trajectories."""
    assert sa.morris_floor(1.0, 1) == pytest.approx(np.sqrt(2 / np.pi) + 2 * np.sqrt(1 - 2 / np.pi))
    assert sa.morris_floor(1.0, 100) < sa.morris_floor(1.0, 4)
    assert sa.morris_floor(0.0, 10) == 0.0


def test_prim_never_reports_a_dummy_as_a_driver() -> None:
    """Even when the cases line up with a dummy's values, its restriction is chance, never significant."""
    rng = np.random.default_rng(4)
    x = pd.DataFrame(rng.uniform(size=(2000, 3)), columns=NAMES)
    y = ((x.a > 0.6) & (x.dummy < 0.5)).to_numpy()
    result = sa.discover(x, y, dummies=["dummy"])
    lim = result.limits.set_index("parameter")
    assert lim.loc["dummy", "restricted"]
    assert not lim.loc["dummy", "significant"]
    assert lim.loc["dummy", "status"].startswith("dummy: chance")
    assert lim.loc["a", "significant"] and lim.loc["a", "status"] == "driver"
    text = sa.discovery_text(result)
    where = text.split(" concentrate where ")[1].split(".")[0]
    assert "dummy" not in where and "a ≥" in where


def test_prim_threshold_is_corrected_for_the_limits_it_chose_among() -> None:
    """The quasi-p threshold is 5 % over 2k limits; on pure noise no restriction is reported as a driver."""
    assert sa.prim_alpha(10) == pytest.approx(0.05 / 20)
    drivers = 0
    for seed in range(5):
        rng = np.random.default_rng(seed)
        x = pd.DataFrame(rng.uniform(size=(300, 10)), columns=[f"p{i}" for i in range(10)])
        drivers += int(sa.discover(x, rng.uniform(size=300) < 0.1).limits.significant.sum())
    assert drivers == 0


def test_real_morris_sweep_measures_its_noise_by_reruns(tmp_path: Path) -> None:
    """A real one-seed Morris sweep: analyze re-runs steps on new seeds, the same tables every time."""
    from sim.sweep.execute import run_sweep
    from sim.sweep.spec import load_sweep

    spec = tmp_path / "m.yaml"
    spec.write_text(
        f"name: tinym\nscenario: {ROOT / 'scenarios' / 'historical.yaml'}\ndesign: morris\nsamples: 3\nlevels: 4\n"
        "parameters:\n  decision_temperature: {}\n  drive_hostility: {}\n  d: {dummy: true}\n"
        "replications: 1\nseed: 4\nhorizon: 1994-12\nmetrics: [relations_at_horizon, cohesion_min]\n",
        encoding="utf-8",
    )
    folder = run_sweep(load_sweep(spec), tmp_path / "m", workers=1)
    first = sa.analyze(folder, out=tmp_path / "a1", noise_steps=3)
    second = sa.analyze(folder, out=tmp_path / "a2", noise_steps=3)
    noise_runs = pd.read_csv(first / "noise_runs.csv")
    assert len(noise_runs) == 6 and set(noise_runs.seed) == {4001, 4002, 4003}
    table = pd.read_csv(first / "sensitivity.csv")
    assert table.equals(pd.read_csv(second / "sensitivity.csv"))
    rel = table[(table.metric == "relations_at_horizon") & ~table.dummy]
    assert rel.noise_floor.notna().all() and (rel.noise_floor > 0).all()
    report = (first / "analysis.md").read_text(encoding="utf-8")
    assert "Measured by running 3 Morris steps again" in report
