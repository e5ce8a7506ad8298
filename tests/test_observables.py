"""The outputs table: exact answers on a three-state record, and the docs printed from it."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from sim import observables as obs
from sim.model import MODEL_OUTPUTS, STATE_OUTPUTS

ODD = Path(__file__).resolve().parents[1] / "docs" / "ODD.md"


def three_states() -> obs.Rows:
    """Two steps of a world of A (eastern member), B (western member, not eastern) and R (Russia)."""
    S = np.zeros((2, len(obs.STATE), 3))

    def put(name: str, step0: list[float], step1: list[float]) -> None:
        S[0, obs.STATE_INDEX[name]] = step0
        S[1, obs.STATE_INDEX[name]] = step1

    put("member", [1, 1, 0], [1, 0, 0])  # B leaves at step 1
    put("applicant", [0, 0, 0], [0, 1, 0])
    put("trust_in_russia", [-0.2, 0.4, 1.0], [-0.5, 0.9, 1.0])
    put("threat_from_russia", [0.8, 0.2, 0.0], [0.6, 0.1, 0.0])
    put("deterrence_credibility", [0.5, 0.9, np.nan], [0.7, 0.3, np.nan])
    put("defence_spending_pct_gdp", [2.5, 1.5, 4.0], [1.9, 2.0, 4.0])
    put("forward_presence", [0.3, 0.1, 0.0], [0.5, 0.0, 0.0])
    put("sanctions", [0.2, 0.6, 0.0], [0.4, 0.8, 0.0])
    put("war_intensity", [0.0, 0.0, 0.9], [0.3, 0.0, 0.9])
    X = np.zeros((2, len(obs.RECORDED)))
    X[:, obs.RECORDED_INDEX["escalation_level"]] = [1, 4]
    east = np.array([True, False, False])
    west = np.array([True, True, False])
    return obs.Rows(S, X, east, west, russia=2)


def test_model_outputs_worked_by_hand() -> None:
    out = obs.model_values(three_states())
    assert list(out) == list(MODEL_OUTPUTS)
    assert out["nato_members"].tolist() == [2, 1]
    assert out["applicants"].tolist() == [0, 1]  # B applied after leaving: an applicant, not a member
    assert out["nato_trust_in_russia"] == pytest.approx([0.1, -0.5])  # (-0.2 + 0.4) / 2, then A alone
    assert out["mean_threat_from_russia"] == pytest.approx([0.5, 0.6])
    assert out["eastern_threat_from_russia"] == pytest.approx([0.8, 0.6])  # A only
    assert out["frontline_deterrence"] == pytest.approx([0.5, 0.7])
    assert out["mean_defence_spending"] == pytest.approx([2.0, 1.9])
    assert out["members_at_2pct"].tolist() == [1, 0]  # Russia's 4 % and B's 2.0 as a non-member do not count
    assert out["forward_presence_total"] == pytest.approx([0.4, 0.5])  # summed over every state
    assert out["sanctions_level"] == pytest.approx([0.4, 0.6])  # over the West, members or not
    assert out["war_intensity_max"] == pytest.approx([0.0, 0.3])  # Russia's own column left out
    assert out["escalation_level"].tolist() == [1, 4]


def test_one_step_of_many_runs_gives_the_bits_of_the_whole_record() -> None:
    """The same declaration over (steps, n) and over (runs, n): the lockstep recorder's layout."""
    rows = three_states()
    rng = np.random.default_rng(3)
    rows.S[:, 3:] = rng.random(rows.S[:, 3:].shape)
    whole = obs.model_values(obs.Rows(rows.S, rows.X, rows.east, rows.west, 2))
    for k in range(2):
        one = obs.model_values(obs.Rows(rows.S[k:k + 1], rows.X[k:k + 1], rows.east, rows.west, 2))
        for name in MODEL_OUTPUTS:
            assert np.asarray(one[name])[0] == np.asarray(whole[name])[k], name


def test_names_are_unique_and_every_output_says_how_it_is_computed() -> None:
    names = [o.name for o in obs.STATE + obs.MODEL]
    assert len(names) == len(set(names))
    assert STATE_OUTPUTS == tuple(o.name for o in obs.STATE)
    for o in obs.STATE + obs.MODEL:
        assert o.unit and o.meaning and o.formula, o.name
        assert (o.read is None) != (o.derive is None), o.name
        assert o.level == ("state" if o in obs.STATE else "model")
        assert o.dtype in ("float", "int", "bool")


@pytest.mark.parametrize("level", ["state", "model"])
def test_the_odd_prints_the_table(level: str) -> None:
    text = ODD.read_text(encoding="utf-8")
    found = re.search(rf"<!-- outputs:{level} [^\n]*-->\n(.*?)<!-- /outputs:{level} -->", text, re.DOTALL)
    assert found is not None, f"docs/ODD.md has no outputs:{level} table"
    assert found.group(1) == obs.markdown(level), "docs/ODD.md is stale: paste `python -m sim.observables`"
