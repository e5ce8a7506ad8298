"""The seminar's command line in a room (issue 13): the interactive prompt driven through tmux keeps every move
typed before a mistake, and re-asks the wrong field; turns, rewinds and deletions are never played by accident."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.seminar import Session

from .test_seminar import BASELINE, SEED

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


def _new(tmp_path: Path) -> Path:
    path = tmp_path / "room.json"
    Session.new(BASELINE, at="2023-07", turn_months=3, teams=["blue", "red"], seed=SEED, path=path)
    return path


class Pane:
    """A tmux session running one command, read and typed into like a terminal."""

    def __init__(self, name: str, command: str):
        self.name = name
        subprocess.run(["tmux", "new-session", "-d", "-s", name, "-x", "220", "-y", "60", command], check=True)

    def text(self) -> str:
        """Return the pane's whole scrollback."""
        out = subprocess.run(["tmux", "capture-pane", "-p", "-J", "-S", "-2000", "-t", self.name],
                             capture_output=True, text=True, check=True)
        return out.stdout

    def wait(self, needle: str, count: int = 1, timeout: float = 60.0) -> str:
        """Wait until ``needle`` shows ``count`` times; return the pane's text."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            text = self.text()
            if text.count(needle) >= count:
                return text
            time.sleep(0.1)
        raise AssertionError(f"{needle!r} ×{count} never appeared; the pane shows:\n{self.text()}")

    def type(self, keys: str) -> None:
        """Type a line and Enter."""
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", keys], check=True)
        subprocess.run(["tmux", "send-keys", "-t", self.name, "Enter"], check=True)

    def close(self) -> None:
        """End the tmux session."""
        subprocess.run(["tmux", "kill-session", "-t", self.name], check=False, capture_output=True)


@pytest.fixture
def tmux():
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed (`.ci/run` installs Debian's tmux)")
    panes: list[Pane] = []

    def start(command: str) -> Pane:
        pane = Pane(f"natosim-test-{len(panes)}-{int(time.time() * 1000) % 10**8}", command)
        panes.append(pane)
        return pane

    yield start
    for pane in panes:
        pane.close()


def test_a_wrong_state_and_an_out_of_range_value_are_re_asked_and_earlier_moves_kept(tmp_path: Path, tmux) -> None:
    path = _new(tmp_path)
    done = tmp_path / "exit-code"
    pane = tmux(f"cd {ROOT} && {sys.executable} -m sim seminar turn {path} --interactive; echo $? > {done}; sleep 60")
    pane.wait("blue move")  # the situation and the menu are shown first
    assert "relations index" in pane.text()
    pane.type("3")  # sanctions: level, then states
    pane.wait("level — ")
    pane.type("0.8")
    pane.wait("states — ")
    pane.type("")  # ALL
    pane.wait("blue move", 2)
    pane.type("2")  # forward presence: a state that may not host forces, then a level out of range
    pane.wait("state — ")
    pane.type("UKR")
    text = pane.wait("try again")
    assert "UKR is not allowed here" in text
    pane.wait("state — ", 2)
    pane.type("LTU")
    pane.wait("level — ", 2)
    pane.type("1.5")
    text = pane.wait("try again", 2)
    assert "level = 1.5 is out of range [0, 1]" in text
    pane.wait("level — ", 3)
    pane.type("0.7")
    text = pane.wait("blue move", 3)
    assert "1. blue: sanctions (level=0.8, states=['ALL'])" in text  # kept through both mistakes
    pane.type("6")  # a statement, then taken back with '-'
    pane.wait("kind — ")
    for _ in range(4):
        pane.type("")
    pane.wait("blue move", 4)
    pane.type("-")
    pane.wait("removed: blue: statement")
    pane.type("")  # blue is done
    pane.wait("red move")
    pane.type("")
    pane.wait("inject types")
    assert "cyber_attack" in pane.text()
    pane.wait("facilitator: inject (type name")
    pane.type("")
    end = time.monotonic() + 60
    while not done.exists() and time.monotonic() < end:
        time.sleep(0.1)
    assert done.read_text().strip() == "0", pane.text()
    moves = json.loads(path.read_text())["turns"][-1]["moves"]
    assert moves == [
        {"team": "blue", "move": "sanctions", "level": 0.8, "states": "ALL"},
        {"team": "blue", "move": "forward_presence", "state": "LTU", "level": 0.7},
    ]


def test_no_turn_is_played_by_accident(tmp_path: Path) -> None:
    path = _new(tmp_path)
    r = runner.invoke(app, ["seminar", "turn", str(path)])  # no terminal, no moves
    assert r.exit_code == 2 and "no moves given" in r.output and "--empty" in r.output
    assert len(json.loads(path.read_text())["turns"]) == 1
    r = runner.invoke(app, ["seminar", "turn", str(path), "--empty"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["seminar", "turn", str(path), "--empty"])
    r = runner.invoke(app, ["seminar", "rewind", str(path), "0"])
    assert r.exit_code == 2 and "confirm with --yes" in r.output
    assert Session.open(path).status()["turn"] == 2
    r = runner.invoke(app, ["seminar", "rewind", str(path), "1", "--yes"])
    assert r.exit_code == 0 and "kept as branch 'main.1'" in r.output
    r = runner.invoke(app, ["seminar", "delete", str(path), "main.1"])
    assert r.exit_code == 2 and "confirm with --yes" in r.output


def test_branches_and_notes_from_the_command_line(tmp_path: Path) -> None:
    path = _new(tmp_path)
    runner.invoke(app, ["seminar", "turn", str(path), "--empty"])
    for args, expected in (
        (["branch", str(path), "alt"], "branch alt"),
        (["rename", str(path), "alt", "red-tests"], "red-tests (turn 1) *"),
        (["label", str(path), "red-tests", "Red tests the flank"], "branch red-tests: Red tests the flank"),
        (["note", str(path), "The room expected a response", "--insight"], "insight recorded on turn 1 of red-tests"),
        (["override", str(path), "escalation", "2", "--rationale", "both sides signal restraint"],
         "escalation 2 (crisis)"),
        (["clock", str(path), "15"], "turn clock: 0 of 15 min used (15 min left)"),
        (["switch", str(path), "main"], "branch main"),
        (["delete", str(path), "red-tests", "--yes"], "deleted branch red-tests (0 turns)"),
    ):
        r = runner.invoke(app, ["seminar", *args])
        assert r.exit_code == 0 and expected in r.output, (args, r.output)
    r = runner.invoke(app, ["seminar", "override", str(path), "escalation", "2"])
    assert r.exit_code == 2 and "needs a rationale" in r.output
    r = runner.invoke(app, ["seminar", "label", str(path), "nope", "x"])
    assert r.exit_code == 2 and "no branch 'nope'" in r.output
