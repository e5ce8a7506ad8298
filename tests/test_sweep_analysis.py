"""Sweep analysis by construction: synthetic sweeps whose answer is known, and one real small grid sweep."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.sweep import analyze as sa

ROOT = Path(__file__).resolve().parents[1]
NAMES = ["a", "b", "dummy"]
PROBLEM = {"num_vars": 3, "names": NAMES, "bounds": [[0.0, 1.0]] * 3}
SEEDS = [0, 1]


def outcome(x: np.ndarray) -> np.ndarray:
    """The known model: y = 4a + b² (the dummy unused)."""
    return 4.0 * x[:, 0] + x[:, 1] ** 2


def make_sweep(folder: Path, design: str, x: np.ndarray, levels: int = 4, drop_point: int | None = None) -> Path:
    """Write a synthetic sweep folder (manifest, points, one runs part file) for a design matrix x."""
    (folder / "runs").mkdir(parents=True)
    points = pd.DataFrame(x, columns=NAMES)
    points.insert(0, "point_id", np.arange(len(points), dtype=np.int64))
    points.to_parquet(folder / "points.parquet", index=False)
    y = outcome(x)
    rows = []
    for pid, values, value in zip(points.point_id, x, y):
        if pid == drop_point:
            continue
        for seed in SEEDS:
            failed = pid == 0 and seed == 1  # one failed run: left out, counted
            rows.append({"point_id": int(pid), "seed": seed, **dict(zip(NAMES, values)),
                         "relations_at_horizon": np.nan if failed else value,
                         "max_escalation": np.nan if failed else (5.0 if values[0] > 0.7 else 2.0),
                         "status": "failed" if failed else "ok", "error": "RuntimeError: test" if failed else ""})
    pd.DataFrame(rows).to_parquet(folder / "runs" / "part-000000.parquet", index=False)
    manifest = {
        "sweep": f"synthetic_{design}", "design": design, "varied": NAMES, "dummies": ["dummy"],
        "bounds": {n: [0.0, 1.0] for n in NAMES}, "points": len(points), "seeds": SEEDS,
        "metrics": ["relations_at_horizon", "max_escalation"], "series": [],
        "runs_total": len(points) * len(SEEDS), "runs_done": len(rows), "complete": drop_point is None,
        "spec": {"levels": levels, "seed": 3}, "branch": "2020-01-01", "horizon": "2030-12-01",
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def rows_of(table: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Return one metric's rows indexed by parameter."""
    return table[table.metric == metric].set_index("parameter")


@pytest.fixture(scope="module")
def saltelli_x() -> np.ndarray:
    """A Saltelli (Sobol') design of a, b and the dummy."""
    from SALib.sample import sobol

    return sobol.sample(PROBLEM, 256, calc_second_order=False, seed=1)


def test_sobol_ranks_a_over_b_and_dummy_near_zero(tmp_path: Path, saltelli_x: np.ndarray) -> None:
    """Sobol' on y = 4a + b²: a > b, the dummy's S1 and ST near zero; failed runs counted, not used."""
    data = sa.load(make_sweep(tmp_path / "s", "saltelli", saltelli_x))
    assert data.means.loc[0, "n_failed"] == 1 and data.means.loc[0, "n_ok"] == 1
    table, notes = sa.sensitivity(data)
    rows = rows_of(table, "relations_at_horizon")
    assert rows.loc["a", "ST"] > rows.loc["b", "ST"] > rows.loc["dummy", "ST"]
    assert rows.loc["a", "S1"] > 0.85
    assert abs(rows.loc["dummy", "ST"]) < 0.05 and abs(rows.loc["dummy", "S1"]) < 0.05
    assert list(rows.index[:2]) == ["a", "b"]  # sorted by importance
    # common seeds make the dummy's Sobol' indices 0: no noise floor, so a parameter is only said to be above zero
    assert rows.loc["a", "status"] == sa.ABOVE_ZERO
    assert rows.loc["dummy", "status"] == "dummy (0 with common seeds: not a noise floor)"
    assert rows.loc["a", "srrc"] > rows.loc["b", "srrc"] > abs(rows.loc["dummy", "srrc"])
    assert not [n for n in notes if "Sobol" in n]


def test_sobol_needs_a_complete_sweep(tmp_path: Path, saltelli_x: np.ndarray) -> None:
    """A point without any run: Sobol' is skipped with a clear note, SRRC still ranks a first."""
    data = sa.load(make_sweep(tmp_path / "s", "saltelli", saltelli_x, drop_point=7))
    table, notes = sa.sensitivity(data)
    assert any("need a complete sweep" in n and "--resume" in n for n in notes)
    rows = rows_of(table, "relations_at_horizon")
    assert rows.ST.isna().all()
    assert rows.index[0] == "a" and rows.loc["a", "method"] == "|SRRC|"


def test_morris_ranks_a_over_b_and_dummy_zero(tmp_path: Path) -> None:
    """Morris on y = 4a + b²: mu*(a) > mu*(b) > mu*(dummy) ≈ 0."""
    from SALib.sample import morris

    x = morris.sample(PROBLEM, 40, num_levels=4, seed=2)
    data = sa.load(make_sweep(tmp_path / "m", "morris", x))
    table, _ = sa.sensitivity(data)
    rows = rows_of(table, "relations_at_horizon")
    assert rows.loc["a", "mu_star"] == pytest.approx(4.0, rel=0.01)
    assert rows.loc["a", "mu_star"] > rows.loc["b", "mu_star"] > 0.3
    assert rows.loc["dummy", "mu_star"] < 0.05
    assert rows.index[0] == "a"


def test_prim_finds_the_threshold_on_a() -> None:
    """PRIM where y is true exactly when a > 0.7: the box restricts a from below near 0.7, and nothing else."""
    rng = np.random.default_rng(4)
    x = pd.DataFrame(rng.uniform(size=(2000, 3)), columns=NAMES)
    result = sa.discover(x, (x.a > 0.7).to_numpy(), dummies=["dummy"])
    lim = result.limits.set_index("parameter")
    assert lim.loc["a", "restricts_low"] and lim.loc["a", "significant"]
    assert lim.loc["a", "low"] == pytest.approx(0.7, abs=0.1)
    assert not lim.loc["b", "significant"] and not lim.loc["dummy", "significant"]
    assert result.density >= sa.PRIM_DENSITY and result.coverage > 0.9
    assert "a ≥" in sa.discovery_text(result)


def test_analyze_writes_the_report(tmp_path: Path, saltelli_x: np.ndarray) -> None:
    """analyze() on a synthetic Saltelli sweep writes tables, charts and the PRIM box of max_escalation == 5."""
    out = sa.analyze(make_sweep(tmp_path / "s", "saltelli", saltelli_x))
    assert out == tmp_path / "s" / "analysis"
    for name in ("analysis.md", "sensitivity.csv", "sensitivity.md", "discovery.csv", "discovery.png",
                 "sensitivity_relations_at_horizon.png", "sensitivity_relations_at_horizon.svg",
                 "heatmap_relations_at_horizon.png"):
        assert (out / name).is_file(), name
    box = pd.read_csv(out / "discovery.csv").set_index("parameter")
    assert box.loc["a", "low"] == pytest.approx(0.7, abs=0.1)
    report = (out / "analysis.md").read_text(encoding="utf-8")
    assert "1 failed" in report and "Fan chart skipped" in report


def test_analyze_real_grid_sweep(tmp_path: Path) -> None:
    """End to end: a 2×2 grid, 2 seeds, historical scenario to 1996-12; every file is written."""
    from sim.sweep.execute import run_sweep
    from sim.sweep.spec import load_sweep

    spec = tmp_path / "tiny.yaml"
    spec.write_text(
        f"name: tiny\nscenario: {ROOT / 'scenarios' / 'historical.yaml'}\ndesign: grid\n"
        "parameters:\n  decision_temperature: {levels: [0.2, 2.0]}\n  drive_hostility: {levels: [0.0, 2.0]}\n"
        "replications: 2\nhorizon: 1996-12\nmetrics: [relations_at_horizon, max_escalation]\n"
        "series: [relations_index]\n",
        encoding="utf-8",
    )
    folder = run_sweep(load_sweep(spec), tmp_path / "tiny", workers=1)
    out = sa.analyze(folder, out=tmp_path / "report")
    assert out == tmp_path / "report"
    for name in ("analysis.md", "sensitivity.csv", "sensitivity.md", "fan_relations.png", "fan_relations.svg",
                 "heatmap_relations_at_horizon.png", "sensitivity_relations_at_horizon.png"):
        assert (out / name).is_file(), name
    table = pd.read_csv(out / "sensitivity.csv")
    assert set(table.parameter) == {"decision_temperature", "drive_hostility"}
    assert "8 ok, 0 failed" in (out / "analysis.md").read_text(encoding="utf-8")
