"""Plots asked for by name, drawn by several processes at once, with progress (issue 15, point 3)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import sim
from sim import plots

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def small(historical) -> sim.RunResult:
    return sim.run(historical, seeds=range(2), workers=1)


def test_plot_names_keep_the_standard_order_and_refuse_unknown_ones() -> None:
    assert plots.plot_names("all") == list(plots.PLOTS)
    assert plots.plot_names("escalation, relations") == ["relations", "escalation"]
    with pytest.raises(ValueError, match="unknown plot.s. maps; the plots are: relations, threat"):
        plots.plot_names("relations,maps")


def test_some_plots_by_name_in_two_processes_are_the_plots_one_process_draws(small, tmp_path: Path) -> None:
    heard: list[tuple[str, int, int]] = []
    names = ["relations", "escalation", "russia_actions"]
    two = plots.all_plots(small, tmp_path / "two", names, workers=2, progress=lambda *a: heard.append(a))
    one = plots.all_plots(small, tmp_path / "one", names, workers=1)
    assert [Path(p).name for p in two] == ["relations.png", "escalation.png", "russia_actions.png"]
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(
        [f"{n}.{ext}" for n in names for ext in ("png", "svg")])
    for a, b in zip(one, two, strict=True):
        assert Path(a).read_bytes() == Path(b).read_bytes()  # the same figure, whichever process drew it
    assert sorted(n for n, _, _ in heard) == sorted(names) and [d for _, d, _ in heard] == [1, 2, 3]
    assert {t for _, _, t in heard} == {3}


def test_the_command_line_names_an_unknown_plot_and_exits_2(tmp_path: Path) -> None:
    out = subprocess.run([sys.executable, "-m", "sim", "run", "historical", "--plots", "relations,maps", "--out",
                          str(tmp_path / "r")], cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert out.returncode == 2 and "unknown plot(s) maps" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "r").exists()  # refused before any work


def test_the_command_lines_plot_names_are_the_plots() -> None:
    from sim import inputs

    assert inputs.PLOT_NAMES == tuple(plots.PLOTS)
