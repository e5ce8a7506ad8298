"""Why, for the room (issue 13): the explanation terms add up to the model's own quantities exactly, and each
move's effect is what removing it changes."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from sim.mechanisms import defence_spending, russia_decisions
from sim.model import NatoRussiaModel
from sim.scenario import load_scenario
from sim.seminar import Session
from sim.seminar.briefing import effect_line

from .test_seminar import new


@pytest.fixture(scope="module")
def model_2022() -> NatoRussiaModel:
    m = NatoRussiaModel(load_scenario("historical").setup(), rng=3, mesa_collect=False)
    while m.date.year < 2022 or m.date.month < 6:
        m.step()
    return m


def test_russias_utility_terms_add_up_to_its_utilities(model_2022: NatoRussiaModel) -> None:
    w, p = model_2022.world, model_2022.p
    u = russia_decisions.utilities(w, p)
    terms = russia_decisions.utility_terms(w, p)
    assert list(terms) == list(russia_decisions.ACTIONS)
    for i, action in enumerate(russia_decisions.ACTIONS):
        assert sum(terms[action].values()) == pytest.approx(u[i], abs=1e-12), action
    assert terms["status_quo"] == {}


def test_the_allies_spending_terms_add_up_to_their_targets(model_2022: NatoRussiaModel) -> None:
    m = model_2022
    year = m.date.year + (m.date.month - 1) / 12
    terms = defence_spending.target_terms(m.world, m.p, year)
    assert set(terms) == {"anchor", "austerity", "threat", "pledge", "war"}
    np.testing.assert_allclose(sum(terms.values()), defence_spending.targets(m.world, m.p, year), atol=1e-12)
    pol, isl = m.world.idx("POL"), m.world.idx("ISL")
    assert terms["threat"][pol] > 0.5  # in mid-2022 Poland's target is driven by the threat
    assert terms["threat"][isl] == terms["pledge"][isl] == 0.0  # no armed forces: a civil budget only


def test_an_effect_line_names_what_moved_and_says_when_nothing_did() -> None:
    base = {"relations_index": 0.1, "sanctions_level": 0.5, "russia_action": "status_quo"}
    assert effect_line("blue sanctions", {**base, "sanctions_level": 0.7}, base) == (
        "blue sanctions: sanctions +0.20 (against the same turn without it).")
    assert effect_line("blue statement", {**base, "relations_index": 0.102}, base).startswith(
        "blue statement: no effect this turn")
    assert "Russia's last action cyber attack instead of status quo" in effect_line(
        "inject", {**base, "russia_action": "cyber_attack"}, base)


def test_each_turn_says_why_and_what_each_move_did(tmp_path: Path) -> None:
    s = new(tmp_path, teams=("blue", "red"))
    rec = s.turn([{"team": "blue", "move": "sanctions", "level": 1.0},
                  {"team": "blue", "move": "statement", "kind": "criticism"}], [])
    why = rec["why"]
    assert why[0].startswith("Russia's choice, by the model's rules: before the turn ")
    assert why[1].startswith("Its likeliest course other than the status quo, ")
    assert why[2].startswith("Allies' spending targets")
    (sanctions,) = [line for line in why if line.startswith("blue sanctions")]
    assert "sanctions +" in sanctions
    # the effect is the difference against the same turn played without the move, from the same snapshot
    alone = new(tmp_path, teams=("blue", "red"), name="alone.json")
    without = alone.turn([{"team": "blue", "move": "statement", "kind": "criticism"}], [])
    gap = rec["summary"]["sanctions_level"] - without["summary"]["sanctions_level"]
    assert f"sanctions {gap:+.2f}" in sanctions
    # the why is stored with the turn, kept through a replay, and goes into the report
    assert json.loads(s.path.read_text())["turns"][1]["why"] == why
    assert Session.open(s.path).turns()[0]["why"] == why
    from sim.seminar.report import build, markdown

    content = build(s)
    text = markdown(content, {name: f"{name}.png" for name, _, _ in content["figures"]})
    assert "**Why**\n\n- " + why[0] in text
    # explaining a turn leaves the model where the turn left it: the next turn is the same as without it
    a = s.turn([], [])
    b = Session.open(s.path)
    b.rewind(1)
    assert b.turn([], [])["summary"] == a["summary"]


def test_red_setting_the_course_is_said(tmp_path: Path) -> None:
    s = new(tmp_path, teams=("blue", "red"))
    why = s.turn([{"team": "red", "move": "hold"}], [])["why"]
    assert any(line.startswith("Red's move (hold) set Russia's course for the turn") for line in why)
