"""Session safety (issue 13): the rolling backup, structural damage named by its place, edits told from
model changes, and team names and member moves checked against the roster."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.seminar import Session, SessionError
from sim.seminar.session_file import backup_path, structure_problems

from .test_seminar import new

SANCTIONS = [{"team": "blue", "move": "sanctions", "level": 0.8}]


def _played(tmp_path: Path, turns: int = 2) -> Session:
    s = new(tmp_path, teams=("blue", "red"))
    for _ in range(turns):
        s.turn(SANCTIONS, [])
    return s


def _edit(path: Path, change) -> None:
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))


def test_every_save_keeps_the_previous_file_as_backup(tmp_path: Path) -> None:
    s = _played(tmp_path, turns=2)
    kept = json.loads(backup_path(s.path).read_text())
    now = json.loads(s.path.read_text())
    # the backup is the file as it was before the last save: one turn fewer
    assert max(t["number"] for t in now["turns"]) == 2
    assert max(t["number"] for t in kept["turns"]) == 1


def test_a_truncated_file_is_restored_from_its_backup_with_a_message(tmp_path: Path) -> None:
    s = _played(tmp_path, turns=2)
    text = s.path.read_text()
    s.path.write_text(text[: len(text) // 2])  # a crash or a full disk cut the file in half
    reopened = Session.open(s.path)
    assert reopened.status()["turn"] == 1  # the backup's last turn; turn 2 is lost, nothing else
    (message,) = [w for w in reopened.warnings if "restored from its backup" in w]
    assert "is not valid JSON" in message and "ends early" in message
    aside = list(tmp_path.glob("s.json.damaged-*"))
    assert len(aside) == 1 and aside[0].read_text() == text[: len(text) // 2]  # the damaged file is kept
    assert json.loads(s.path.read_text())["turns"]  # and the restored file is whole again
    reopened.turn(SANCTIONS, [])  # the seminar goes on
    assert Session.open(s.path).status()["turn"] == 2


def test_a_damaged_file_without_backup_names_both(tmp_path: Path) -> None:
    s = _played(tmp_path, turns=1)
    backup_path(s.path).unlink()
    s.path.write_text("")
    with pytest.raises(SessionError) as err:
        Session.open(s.path)
    assert "not valid JSON" in str(err.value) and "no usable backup" in str(err.value)
    assert s.path.exists()  # nothing is moved or deleted when there is nothing to restore


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d["turns"].pop(1), r"turns\[1\]\.parent: 1 is not the id of a turn in the file"),
        (lambda d: d["branches"].update(main=99), r"branches\.main: 99 is not the id of a turn"),
        (lambda d: d.update(current="elsewhere"), r"current: 'elsewhere' is not one of the branches \(main\)"),
        (lambda d: d["turns"][1].update(number=5), r"turns\[1\]\.number: 5, but its parent \(id 0\) is turn 0"),
        (lambda d: d["turns"][2].update(id=1), r"turns\[2\]\.id: 1 is used by another turn too"),
        (lambda d: d["turns"][1].pop("moves"), r"turns\[1\]\.moves: missing"),
        (lambda d: d["turns"][1].update(colour="red"), r"turns\[1\]: unknown field\(s\) colour"),
        (lambda d: d.update(seed="seven"), r"seed: 'seven' is not a whole number"),
        (lambda d: d.update(at="July 2023"), r"at: 'July 2023' is not a month YYYY-MM"),
        (lambda d: d["turns"][0].update(parent=2), r"the start \(id 0, no parent, number 0\) is missing"),
    ],
)
def test_structural_damage_is_named_by_its_place(tmp_path: Path, change, expected: str) -> None:
    s = _played(tmp_path, turns=2)
    backup_path(s.path).unlink()
    _edit(s.path, change)
    with pytest.raises(SessionError, match=expected):
        Session.open(s.path)


def test_structurally_damaged_file_is_restored_from_the_backup(tmp_path: Path) -> None:
    s = _played(tmp_path, turns=2)
    _edit(s.path, lambda d: d["branches"].update(main=99))
    reopened = Session.open(s.path)
    assert reopened.status()["turn"] == 1
    assert any("branches.main: 99" in w and "restored from its backup" in w for w in reopened.warnings)


def test_a_loop_of_parents_is_found() -> None:
    turn = {"branch": "main", "start": "2023-07", "end": "2023-09", "moves": [], "injects": [], "summary": {},
            "changes": [], "events": [], "series": []}
    data = {"format": "f", "natosim_version": "x", "created": "x", "overrides": {}, "seed": 1, "at": "2023-07",
            "turn_months": 3, "teams": ["blue"], "branches": {"main": 2}, "current": "main",
            "scenario": {"file": "a", "given": "a", "name": "a", "fingerprint": "a"},
            "turns": [{**turn, "id": 0, "parent": None, "number": 0}, {**turn, "id": 1, "parent": 2, "number": 1},
                      {**turn, "id": 2, "parent": 1, "number": 2}]}
    # numbers grow by one along parent links, so a loop always breaks the numbering somewhere
    assert structure_problems(data, "f") == ["turns[1].number: 1, but its parent (id 2) is turn 2"]


def test_a_hand_edited_move_is_blamed_on_the_edit_not_the_model(tmp_path: Path) -> None:
    s = _played(tmp_path, turns=2)
    _edit(s.path, lambda d: d["turns"][1]["moves"][0].update(level=0.2))
    reopened = Session.open(s.path)
    first, second = reopened.warnings
    assert first.startswith("turn 1 on main: its moves, injects or rulings were edited in the session file")
    assert "the outcome differs from the one recorded" in first
    assert second == ("turn 2 on main: the outcome differs from the one recorded because an earlier turn was "
                      "edited (turn 1 on main)")


def test_an_edited_move_that_is_illegal_says_so(tmp_path: Path) -> None:
    s = _played(tmp_path, turns=1)
    _edit(s.path, lambda d: d["turns"][1]["moves"][0].update(level=7))
    with pytest.raises(SessionError, match="turn 1 on main no longer replays .its moves, injects or rulings were edited"):
        Session.open(s.path)


def test_a_changed_model_is_blamed_on_the_model(tmp_path: Path) -> None:
    s = _played(tmp_path, turns=1)
    _edit(s.path, lambda d: d["turns"][1]["summary"].update(relations_index=0.987654))  # what a new model would give
    (message,) = Session.open(s.path).warnings
    assert "its moves are as played: the model changed" in message


def test_team_names_are_checked_against_the_roster(tmp_path: Path) -> None:
    with pytest.raises(SessionError, match="RUS is never a NATO member in this scenario's roster"):
        new(tmp_path, teams=("blue", "member:RUS"))
    with pytest.raises(SessionError, match="unknown team 'member:XXY'"):
        new(tmp_path, teams=("blue", "member:XXY"))
    assert new(tmp_path, teams=("blue", "member:SWE"), name="swe.json").teams == ["blue", "member:SWE"]


def test_a_member_team_cannot_set_another_states_spending(tmp_path: Path) -> None:
    s = new(tmp_path, teams=("blue", "member:HUN"))
    problems = s.validate([{"team": "member:HUN", "move": "defence_spending", "pct": 2.5, "states": ["POL"]}])
    assert problems == ["move 1: states: ['POL']: member:HUN sets only its own spending; leave states out or give [HUN]"]
    assert s.validate([{"team": "member:HUN", "move": "defence_spending", "pct": 2.5}]) == []
    assert s.validate([{"team": "member:HUN", "move": "defence_spending", "pct": 2.5, "states": ["HUN"]}]) == []


# -- branches with names and labels, the room's notes, the report --------------------------------------------
def test_branches_are_renamed_labelled_and_deleted(tmp_path: Path) -> None:
    s = _played(tmp_path, turns=2)
    s.branch("alt", 1)
    s.turn([{"team": "red", "move": "hold"}], [])
    s.switch("main")
    s.rename("alt", "red-holds")
    s.label("red-holds", "Red holds   its fire")
    reopened = Session.open(s.path)
    assert reopened.branches == {"main": 2, "red-holds": 2}
    assert reopened.labels == {"red-holds": "Red holds its fire"}
    assert [t["branch"] for t in reopened.turns("red-holds")] == ["main", "red-holds"]
    with pytest.raises(SessionError, match="branch 'main' exists already"):
        reopened.rename("red-holds", "main")
    with pytest.raises(SessionError, match="branch name 'no good'"):
        reopened.rename("red-holds", "no good")
    with pytest.raises(SessionError, match="at most 80"):
        reopened.label("main", "x" * 81)
    with pytest.raises(SessionError, match="is the current one"):
        reopened.delete("main")
    assert reopened.delete("red-holds") == 1  # its own turn goes; the turn it shares with main stays
    again = Session.open(s.path)
    assert again.branches == {"main": 2} and again.labels == {}
    assert len(json.loads(s.path.read_text())["turns"]) == 3


def test_notes_and_insights_are_kept_with_their_turn_and_reported(tmp_path: Path) -> None:
    from sim.seminar.report import build, markdown

    s = _played(tmp_path, turns=2)
    s.note("Blue argued over the level of sanctions")
    s.note("Sanctions alone did not move Russia's choice", kind="insight", turn=1)
    with pytest.raises(SessionError, match="note kind 'idea'"):
        s.note("x", kind="idea")
    with pytest.raises(SessionError, match="needs some text"):
        s.note("   ")
    reopened = Session.open(s.path)
    turns = reopened.turns()
    assert [n["text"] for n in turns[0]["notes"]] == ["Sanctions alone did not move Russia's choice"]
    assert [n["kind"] for n in turns[1]["notes"]] == ["note"]
    reopened.rewind(1)  # notes survive a replay
    assert reopened.turns()[0]["notes"][0]["kind"] == "insight"
    content = build(reopened)
    assert content["insights"] == [("main", 1, "Sanctions alone did not move Russia's choice")]
    text = markdown(content, {name: f"{name}.png" for name, _, _ in content["figures"]})
    assert "## Hotwash: the room's insights\n\n- Sanctions alone did not move Russia's choice _(branch main, turn 1)_" in text
    assert "- note: Blue argued over the level of sanctions" in text  # on the kept branch main.1


def test_the_report_compares_branches_at_the_same_date(tmp_path: Path) -> None:
    from sim.seminar.report import build

    s = _played(tmp_path, turns=3)
    s.branch("short", 1)
    s.label("short", "stops early")
    content = build(s)
    assert content["same_date"] == s.turns("short")[-1]["end"]
    relations = dict(content["comparison_same_date"])["Relations index (−1 hostile … +1 cooperative)"]
    # both branches share turn 1, so at its last month they agree exactly
    assert relations[0] == relations[1]
    last = dict(content["comparison"])["Turns played / last month"]
    assert last[0] != last[1]


# -- the umpire: overrides with a rationale, the turn clock ------------------------------------------------
def test_an_override_is_recorded_replayed_and_reported(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from sim.seminar.report import build, markdown

    s = _played(tmp_path, turns=1)
    assert s.status()["at_war"]["UKR"] > 0.9
    with pytest.raises(SessionError, match="needs a rationale"):
        s.override("escalation", 2, "  ")
    with pytest.raises(SessionError, match="kind 'weather'"):
        s.override("weather", 1, "rain")
    with pytest.raises(SessionError, match="escalation 2.5: a whole number"):
        s.override("escalation", 2.5, "half a rung")
    s.override("war", 0.1, "the front froze over the winter", state="ukr")
    s.override("escalation", 2, "both sides signalled restraint")
    st = s.status()
    assert st["escalation_level"] == 2 and st["at_war"] == {"UKR": 0.1}
    assert s.timeseries().iloc[-1]["escalation_level"] == 2  # the turn's last month shows the ruling
    reopened = Session.open(s.path)  # replayed exactly, with the rulings, and no warning
    assert reopened.warnings == [] and reopened.status()["escalation_level"] == 2
    (turn,) = reopened.turns()
    assert [o["kind"] for o in turn["overrides"]] == ["war", "escalation"]
    assert turn["changes"][-1] == "Umpire: escalation set to 2 — both sides signalled restraint"
    content = build(reopened)
    text = markdown(content, {name: f"{name}.png" for name, _, _ in content["figures"]})
    assert "- Umpire: war on UKR set to intensity 0.1 — the front froze over the winter" in text
    # the model goes on from the ruled state, by its own rules
    assert reopened.turn([], [])["summary"]["at_war"]["UKR"] < 0.9
    # an override edited in the file is told from a changed model
    _edit(s.path, lambda d: d["turns"][1]["overrides"][1].update(value=3))
    assert Session.open(s.path).warnings[0].startswith("turn 1 on main: its moves, injects or rulings were edited")
    # the turn clock counts from the last turn played
    s2 = _played(tmp_path / "clock", turns=1)
    s2.set_clock(20)
    played = datetime.fromisoformat(s2.turns()[-1]["played"])
    clock = Session.open(s2.path).clock(now=played + timedelta(minutes=26))
    assert clock == {"minutes": 20.0, "used": 26.0, "left": -6.0, "since": played.isoformat()}
    assert played.tzinfo == UTC
    with pytest.raises(SessionError, match="turn clock 0"):
        s2.set_clock(0)


def test_an_override_needs_a_played_turn(tmp_path: Path) -> None:
    s = new(tmp_path, teams=("blue", "red"))
    with pytest.raises(SessionError, match="play a turn first"):
        s.override("escalation", 2, "too early")


def test_the_umpire_cancels_an_emergent_event_and_the_turn_is_played_again_without_it(tmp_path: Path) -> None:
    from sim.seminar.report import build, markdown

    from .test_seminar import new

    s = new(tmp_path, teams=("blue", "red"))
    before = s.turn([], [])
    attacks = [e for e in before["events"] if e["origin"] == "emergent" and e["actor"] == "RUS"]
    assert attacks, "the seed's first turn has an emergent Russian act to cancel"
    e = attacks[0]
    key = f"{e['date']} {e['type']} RUS"
    with pytest.raises(SessionError, match="name the event as 'YYYY-MM type ACTOR'"):
        s.override("cancel", "the cyber attack", "foiled")
    with pytest.raises(SessionError, match="had no such emergent event; its emergent events: "):
        s.override("cancel", f"{e['date']} nuclear_signalling RUS", "foiled")
    s.override("cancel", key.lower().replace("rus", "RUS"), "the umpire rules the attack was foiled")
    (turn,) = s.turns()
    left = [(x["date"], x["type"], x["actor"]) for x in turn["events"]]
    assert (e["date"], e["type"], "RUS") not in left
    assert len(left) == len(before["events"]) - 1  # the rest of the turn stands
    assert turn["changes"][-1] == f"Umpire: cancelled the emergent event {key} — the umpire rules the attack was foiled"
    # a hostile act that did not happen: members trust Russia a little more than after it
    assert turn["summary"]["nato_trust_in_russia"] > before["summary"]["nato_trust_in_russia"]
    reopened = Session.open(s.path)  # replayed exactly, without the event, and no warning
    assert reopened.warnings == [] and reopened.turns()[0]["summary"] == turn["summary"]
    content = build(reopened)
    text = markdown(content, {name: f"{name}.png" for name, _, _ in content["figures"]})
    assert f"- Umpire: cancelled the emergent event {key}" in text
