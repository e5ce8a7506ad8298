"""Morris screening of the stylized facts: the noise floor, flips and indices by hand, and a tiny design end to end."""

from __future__ import annotations

import math
import time

import numpy as np
import pandas as pd
import pytest

from sim import fact_sensitivity as fs
from sim import stylized


def test_noise_floor_and_flip_threshold_by_hand():
    # delta 2/3: sqrt(2) * 1 / (2/3) * (sqrt(2/pi) + 2 sqrt(1 - 2/pi) / sqrt(4))
    expected = math.sqrt(2) * 1.5 * (math.sqrt(2 / math.pi) + math.sqrt(1 - 2 / math.pi))
    assert fs.DELTA == pytest.approx(2 / 3)
    assert fs.noise_floor(1.0, 4) == pytest.approx(expected)
    assert fs.noise_floor(0.0, 6) == 0.0
    assert fs.flip_threshold(0.5) == pytest.approx(math.sqrt(2))


def test_steps_and_flips_of_a_hand_made_trajectory():
    x = np.array([[0.0, 0.0], [2 / 3, 0.0], [2 / 3, 2 / 3]])  # one trajectory: parameter 0 moves, then parameter 1
    assert fs.steps(x, 1) == [(0, 1, 0), (1, 2, 1)]
    margins = np.array([0.1, -0.2, 0.15])
    passed = margins > 0
    share, robust = fs.flips(x, margins, passed, 1, threshold=0.32)
    assert list(share) == [1.0, 1.0]  # both steps change pass/fail
    assert list(robust) == [0.0, 1.0]  # |-0.3| is within the threshold, |+0.35| beyond it


def test_analysis_finds_a_known_effect_and_none_where_there_is_none():
    from SALib.sample import morris

    names = ["p_effect", "p_none"]
    problem = {"num_vars": 2, "names": names, "bounds": [[0.0, 1.0], [0.0, 1.0]]}
    x = morris.sample(problem, 6, num_levels=fs.LEVELS, seed=1)
    points = pd.DataFrame(x, columns=names)
    n = len(x)
    margins = np.zeros((n, len(stylized.CHECKS)))
    margins[:, 0] = 0.3 * x[:, 0] - 0.1  # fact 1 follows p_effect (elementary effect 0.3) and flips at 1/3
    margins[:, 1] = 0.5  # fact 2 holds everywhere, whatever the parameters
    margins[:, 2:] = 0.2 + 1e-4 * x[:, [1]]  # the others barely move
    noise = np.tile([0.0, 0.0, 0.0, 0.0, 0.0, 0.0], (4, 1)) + np.array([[0.01], [-0.01], [0.0], [0.0]])
    indices, summary = fs.analyse(points, names, problem, margins, margins > 0, noise, trajectories=6)
    one = indices[indices.number == 1].set_index("parameter")
    assert one.loc["p_effect", "mu_star"] == pytest.approx(0.3) and one.loc["p_none", "mu_star"] == pytest.approx(0.0)
    assert bool(one.loc["p_effect", "above_noise"]) and not bool(one.loc["p_none", "above_noise"])
    assert summary.loc[0, "discriminates"] == "yes" and summary.loc[0, "parameters above noise"] == 1
    assert summary.loc[1, "discriminates"] == "no" and summary.loc[1, "holds at design points"] == 1.0
    assert summary.loc[2, "discriminates"] == "no"  # mu* 1e-4 is far below the floor of sd 0.008
    assert summary.loc[0, "noise sd"] == pytest.approx(np.std([0.01, -0.01, 0.0, 0.0], ddof=1))


def test_a_tiny_design_end_to_end(historical, tmp_path):
    began = time.perf_counter()
    result = fs.run(historical, ["sanctions_package", "trust_decay_rate"], trajectories=2, seeds=1, noise_batches=2)
    assert time.perf_counter() - began < 20
    assert len(result.points) == 2 * 3 and result.meta["runs"] == 6 + 2
    assert set(result.indices.parameter) == {"sanctions_package", "trust_decay_rate"}
    assert len(result.summary) == len(stylized.CHECKS)
    assert set(result.summary.discriminates) <= {"yes", "no"}
    # each point's margins are its facts' margins: holds exactly when above zero
    for f in range(1, len(stylized.CHECKS) + 1):
        assert (result.points[f"holds_{f}"] == (result.points[f"margin_{f}"] > 0)).all()
    assert (result.points.error == "").all()
    # the base point's first noise ensemble is the scenario's own run with those seeds
    seeds = [int(s) for s in result.noise.seeds.iloc[0].split()]
    direct = fs.evaluate(historical.setup(), historical, {}, seeds)
    assert result.noise.margin_3.iloc[0] == pytest.approx(direct["margins"][2])
    folder = result.save(tmp_path / "s")
    for name in ("fact_sensitivity.csv", "fact_sensitivity_summary.csv", "fact_sensitivity_points.csv",
                 "fact_sensitivity_noise.csv", "fact_sensitivity.md"):
        assert (folder / name).is_file()
    assert "discriminates" in (folder / "fact_sensitivity.md").read_text(encoding="utf-8")
    with pytest.raises(ValueError):
        fs.run(historical, ["no_such_parameter"], trajectories=2, seeds=1)


def test_default_parameters_are_the_registry_assumptions():
    from sim import parameters

    names = fs.assumption_parameters()
    reg = parameters.registry()
    assert names and all(reg[n].source_kind == "assumption" for n in names)
    assert len(names) == sum(p.source_kind == "assumption" for p in reg.values())
