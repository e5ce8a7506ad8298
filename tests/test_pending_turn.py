"""The next turn prepared by the teams at their own screens (issue 13): drafts, submissions, returns,
what other teams may see, and nothing lost when the program holding it dies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.seminar import Session, SessionError
from sim.seminar.pending import PendingTurn, problems

from .test_seminar import new

PRESENCE = {"move": "forward_presence", "state": "EST", "level": 1.0}
CYBER = {"move": "hybrid_campaign", "kind": "cyber_attack", "state": "EST"}
INJECT = {"type": "cyber_attack", "actor": "RUS", "targets": ["LVA"], "label": "grid outage"}


# -- the data and its rules alone (no model) ---------------------------------------------------
def test_public_view_names_each_teams_stage_never_its_moves() -> None:
    p = PendingTurn(head=0)
    p.add_move("blue", {"team": "blue", **PRESENCE})
    p.submit("blue")
    p.add_move("red", {"team": "red", **CYBER})
    assert p.public(["blue", "red", "ukraine"]) == {"blue": "submitted", "red": "drafting",
                                                   "ukraine": "nothing yet"}
    p.give_back("red", "which grid?", move=0)
    assert p.public(["red"]) == {"red": "returned by the facilitator"}
    p.submit("ukraine")
    assert p.public(["ukraine"]) == {"ukraine": "submitted (no moves)"}
    assert p.waiting() == ["red"]
    assert p.submitted_moves(["red", "ukraine", "blue"]) == [{"team": "blue", **PRESENCE}]


def test_a_submission_is_changed_only_after_withdrawing_it() -> None:
    p = PendingTurn(head=0)
    p.add_move("blue", {"team": "blue", **PRESENCE})
    p.submit("blue")
    with pytest.raises(ValueError, match="withdraw"):
        p.add_move("blue", {"team": "blue", **PRESENCE})
    with pytest.raises(ValueError, match="withdraw"):
        p.remove_move("blue", 0)
    p.withdraw("blue")
    assert p.remove_move("blue", 0) == {"team": "blue", **PRESENCE}
    with pytest.raises(ValueError, match="no move 1"):
        p.remove_move("blue", 0)


def test_removing_the_returned_move_clears_the_reason_and_later_moves_keep_theirs() -> None:
    p = PendingTurn(head=0)
    for level in (1.0, 2.0, 3.0):
        p.add_move("blue", {"team": "blue", **PRESENCE, "level": level})
    p.give_back("blue", "too much", move=2)
    p.remove_move("blue", 0)
    assert (p.entry("blue").returned, p.entry("blue").returned_move) == ("too much", 1)
    p.remove_move("blue", 1)
    assert (p.entry("blue").returned, p.entry("blue").returned_move) == (None, None)


def test_the_files_pending_field_is_checked_place_by_place() -> None:
    assert problems({"head": 0, "teams": {}, "injects": []}, ["blue"]) == []
    found = problems({"head": "x", "teams": {"green": {}, "blue": {"status": "done", "moves": [1]}},
                      "injects": {}}, ["blue"])
    assert found == [
        "pending.head: 'x' is not the id of a turn",
        "pending.injects: must be a list of injects (mappings)",
        "pending.teams.green: 'green' is not a team of this seminar (blue)",
        "pending.teams.blue.moves: must be a list of moves (mappings)",
        "pending.teams.blue.status: 'done' is not 'drafting' or 'submitted'",
    ]


# -- through the session: checked by the engine, saved at every change ---------------------------
def test_every_entry_is_in_the_file_at_once_and_a_new_program_finds_it(tmp_path: Path) -> None:
    s = new(tmp_path, teams=("blue", "red"))
    s.draft_move("blue", PRESENCE)
    s.submit("blue")
    s.draft_move("red", CYBER)
    s.draft_inject(INJECT)
    # as if the server died now: another program opens the file
    again = Session.open(s.path)
    assert again.status()["pending"] == {"blue": "submitted", "red": "drafting"}
    assert again.status()["pending_injects"] == 1
    assert again.pending.entry("red").moves == [{"team": "red", **CYBER}]


def test_a_bad_move_is_refused_when_it_is_entered_and_the_draft_is_kept(tmp_path: Path) -> None:
    s = new(tmp_path, teams=("blue", "red"))
    s.draft_move("red", CYBER)
    with pytest.raises(SessionError, match="one course per turn"):  # Russia: one action a turn
        s.draft_move("red", {"move": "nuclear_signalling"})
    with pytest.raises(SessionError, match="state"):
        s.draft_move("red", {"move": "energy_coercion"})
    with pytest.raises(SessionError, match="not in this seminar"):
        s.draft_move("ukraine", PRESENCE)
    assert Session.open(s.path).pending.entry("red").moves == [{"team": "red", **CYBER}]


def test_a_team_cannot_enter_a_move_for_another(tmp_path: Path) -> None:
    s = new(tmp_path, teams=("blue", "red"))
    with pytest.raises(SessionError, match="red has no move 'forward_presence'"):
        s.draft_move("red", {**PRESENCE, "team": "blue"})  # the page's team wins over the move's


def test_playing_the_pending_turn_plays_exactly_the_submitted_moves(tmp_path: Path) -> None:
    s = new(tmp_path, teams=("blue", "red"))
    s.draft_move("red", CYBER)
    s.submit("red")
    s.draft_move("blue", PRESENCE)
    s.submit("blue")
    s.draft_inject(INJECT)
    rec = s.play_pending()
    # the same turn played directly, in the seminar's team order
    twin = new(tmp_path / "twin", teams=("blue", "red"))
    direct = twin.turn([{"team": "blue", **PRESENCE}, {"team": "red", **CYBER}], [INJECT])
    assert rec["moves"] == direct["moves"] and rec["injects"] == direct["injects"]
    assert rec["summary"] == direct["summary"]
    assert "pending" not in json.loads(s.path.read_text())
    assert s.pending.is_empty()


def test_a_team_still_drafting_holds_the_turn_up_unless_the_facilitator_goes_on(tmp_path: Path) -> None:
    s = new(tmp_path, teams=("blue", "red"))
    s.draft_move("blue", PRESENCE)
    s.submit("blue")
    s.draft_move("red", CYBER)
    with pytest.raises(SessionError, match="red: moves drafted but not submitted"):
        s.play_pending()
    rec = s.play_pending(anyway=True)
    assert [m["team"] for m in rec["moves"]] == ["blue"]
    red = s.pending.entry("red")  # the draft stays with Red, returned with the reason
    assert red.moves == [{"team": "red", **CYBER}] and red.status == "drafting"
    assert red.returned.startswith("turn 1 was played without these drafted moves")


def test_the_facilitator_returns_a_submission_with_a_reason(tmp_path: Path) -> None:
    s = new(tmp_path, teams=("blue", "red"))
    s.draft_move("red", CYBER)
    s.submit("red")
    with pytest.raises(SessionError, match="say why"):
        s.give_back("red", "  ")
    s.give_back("red", "name the grid", move=0)
    e = Session.open(s.path).pending.entry("red")
    assert (e.status, e.returned, e.returned_move) == ("drafting", "name the grid", 0)
    s.submit("red")
    assert s.pending.entry("red").returned is None


@pytest.mark.parametrize("change", ["rewind", "switch", "cli_turn"])
def test_moves_entered_for_another_situation_go_back_to_their_team(tmp_path: Path, change: str) -> None:
    s = new(tmp_path, teams=("blue", "red"))
    s.turn([], [])
    s.branch("talks", 0)
    s.switch("main")
    s.draft_move("blue", PRESENCE)
    s.submit("blue")
    if change == "rewind":
        s.rewind(0)
        expected = "the seminar moved to turn 0 of branch main"
    elif change == "switch":
        s.switch("talks")
        expected = "the seminar moved to turn 0 of branch talks"
    else:  # another program (the command line) plays a turn without them
        other = Session.open(s.path)
        other.turn([], [])
        s = Session.open(s.path)
        expected = "turn 2 was played without them"
    e = s.pending.entry("blue")
    assert e.status == "drafting" and e.moves == [{"team": "blue", **PRESENCE}]
    assert e.returned.startswith(expected) and e.returned.endswith("check them and submit again")
    assert s.pending.head == s.engine.head


def test_damaged_pending_moves_are_dropped_with_a_message_and_the_turns_kept(tmp_path: Path) -> None:
    s = new(tmp_path, teams=("blue", "red"))
    s.turn([], [])
    s.draft_move("blue", PRESENCE)
    data = json.loads(s.path.read_text())
    data["pending"]["teams"]["blue"]["status"] = "maybe"
    s.path.write_text(json.dumps(data))
    again = Session.open(s.path)
    assert again.status()["turn"] == 1
    (w,) = [w for w in again.warnings if "pending moves cannot be read" in w]
    assert "pending.teams.blue.status: 'maybe'" in w
    assert again.pending.is_empty()


def test_tokens_are_made_once_kept_in_the_file_and_name_their_holder(tmp_path: Path) -> None:
    s = new(tmp_path, teams=("blue", "red"))
    tokens = s.access()
    assert sorted(tokens) == ["blue", "facilitator", "red"] and len(set(tokens.values())) == 3
    again = Session.open(s.path)
    assert again.access() == tokens
    assert again.role_for(tokens["red"]) == "red"
    assert again.role_for("guess") is None and again.role_for(None) is None


def test_cli_status_shows_who_submitted_and_turn_pending_plays_it(tmp_path: Path) -> None:
    s = new(tmp_path, teams=("blue", "red"))
    s.draft_move("blue", PRESENCE)
    s.submit("blue")
    runner = CliRunner()
    out = runner.invoke(app, ["seminar", "status", str(s.path)])
    assert out.exit_code == 0, out.output
    assert "blue submitted, red nothing yet" in out.output and "forward" not in out.output
    out = runner.invoke(app, ["seminar", "turn", str(s.path), "--pending", "--empty"])
    assert out.exit_code == 2 and "give one of them" in out.output
    out = runner.invoke(app, ["seminar", "turn", str(s.path), "--pending"])
    assert out.exit_code == 0, out.output
    assert "move   blue: forward_presence" in out.output
    assert Session.open(s.path).status()["turn"] == 1


# -- the record without the model: the commands that only move about the turn tree -------------
def test_the_record_answers_status_exactly_as_the_replayed_session(tmp_path: Path) -> None:
    from sim.seminar.record import SessionRecord

    s = new(tmp_path, teams=("blue", "red"))

    def same() -> None:
        assert SessionRecord.open(s.path).status() == Session.open(s.path).status()

    same()  # the start: the next month is the seminar's first
    s.turn([], [])
    s.draft_move("blue", PRESENCE)
    s.turn([{"team": "red", **CYBER}], [INJECT])
    same()
    s.branch("talks", 1)
    same()
    s.switch("main")
    s.rewind(1)
    same()


def test_tree_commands_on_the_record_leave_the_file_as_the_session_would(tmp_path: Path) -> None:
    from sim.seminar.record import SessionRecord

    files = {}
    for kind in ("record", "session"):
        folder = tmp_path / kind
        s = new(folder, teams=("blue", "red"))
        s.turn([], [])
        s.turn([{"team": "blue", **PRESENCE}], [])
        s.draft_move("red", CYBER)
        opened = SessionRecord.open(s.path) if kind == "record" else Session.open(s.path)
        assert opened.rewind(1) == "main.1"
        opened.branch("talks", 0)
        opened.rename("talks", "dialogue")
        opened.label("dialogue", "talks reopen")
        opened.switch("main")
        opened.note("the room expected a response", "insight")
        assert opened.delete("main.1") == 1
        data = json.loads(s.path.read_text())
        for t in data["turns"]:
            t.pop("played")
        for k in ("saved", "created"):
            data.pop(k)
        data["pending"]["teams"]["red"].pop("at")
        for n in data["turns"]:
            for note in n["notes"]:
                note.pop("at")
        files[kind] = data
    assert files["record"] == files["session"]
    assert files["record"]["pending"]["teams"]["red"]["returned"].startswith("the seminar moved to turn 1")
    # and the full session replays the record's file without a warning
    assert Session.open(tmp_path / "record" / "s.json").warnings == []


def test_the_record_tells_a_hand_edited_turn_without_the_model(tmp_path: Path) -> None:
    from sim.seminar.record import SessionRecord

    s = new(tmp_path, teams=("blue", "red"))
    s.turn([{"team": "blue", **PRESENCE}], [])
    data = json.loads(s.path.read_text())
    data["turns"][1]["moves"][0]["level"] = 2.0
    s.path.write_text(json.dumps(data))
    (w,) = SessionRecord.open(s.path).warnings
    assert w.startswith("turn 1 on main: its moves, injects or rulings were edited in the session file")


@pytest.mark.parametrize("command", [["status"], ["switch", "main"], ["note", "a note"]])
def test_tree_commands_start_without_the_model_or_pandas(tmp_path: Path, command: list[str]) -> None:
    import subprocess
    import sys

    s = new(tmp_path, teams=("blue", "red"))
    s.turn([], [])
    probe = ("import sys; from sim.seminar.cli import app\n"
             "try:\n"
             f"    app(args=[{command[0]!r}, {str(s.path)!r}, *{command[1:]!r}], prog_name='natosim seminar')\n"
             "except SystemExit as e:\n"
             "    assert not e.code, e.code\n"
             "heavy = sorted(m for m in ('sim.model', 'mesa', 'numba', 'pandas') if m in sys.modules)\n"
             "print('HEAVY', heavy)\n")
    out = subprocess.run([sys.executable, "-c", probe], check=False, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "HEAVY []" in out.stdout, out.stdout


def test_a_team_is_offered_only_the_moves_it_can_make_now(tmp_path: Path) -> None:
    s = new(tmp_path, teams=("blue", "red", "ukraine"))
    assert "UKR" in s.status()["applicants"]  # July 2023: Ukraine has applied (September 2022)
    offered = [m["move"] for m in s.menu("ukraine")]
    assert "apply_membership" not in offered and offered[0] == "ceasefire_offer"
    (why,) = [m["unavailable"] for m in s.menu("ukraine", everything=True) if m["move"] == "apply_membership"]
    assert why == "Ukraine is already a member or a candidate"
    # Russia fights Ukraine (and Georgia at a low level): a ceasefire has states to name
    assert "ceasefire" in [m["move"] for m in s.menu("red")]
    # every move offered is legal with the page's defaults once its required state is picked
    for team in s.teams:
        for spec in s.menu(team):
            move = {"team": team, "move": spec["move"]}
            for f in spec["fields"]:
                if f.get("required") and f["kind"] == "state":
                    move[f["name"]] = f["choices"][0]
            assert s.validate([move]) == [], (team, spec["move"])
