"""The seminar's dashboard in a real headless Chromium (Debian's package) via Playwright.

The server runs ``solara run sim.seminar.app`` against a session file made here.  Three browser
contexts play the room -- the facilitator, Blue and Red, each at its own page and link -- and
the server is killed (SIGKILL) between the two teams' submissions and started again: Blue's
submission must still be pending.  Neither team sees the other's moves before the turn; the
facilitator returns a move with a reason, adds an inject and advances; all three pages show the
new turn, and the charts and the session file change.  Solara's front-end files come from the
local asset folder (``python -m sim.seminar.assets``; ``.ci/run`` fetches them), since this
machine cannot reach Solara's CDN.  Set NATOSIM_DASHBOARD_SCREENSHOTS=DIR to keep screenshots
of the pages (1280×720) after the turn.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("NATOSIM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run",
]

pytest.importorskip("solara", reason="the dashboard needs the seminar extra (solara)")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

if not Path(CHROMIUM).exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)",
                allow_module_level=True)


def _assets_ready() -> str | None:
    """Make sure Solara's front-end files are in the local folder; return why not, if not."""
    from sim.seminar import assets

    if not assets.missing():
        return None
    if shutil.which("npm") is None:
        return ("Solara's front-end files are missing and npm is absent "
                "(python -m sim.seminar.assets fetches them)")
    try:
        assets.fetch(quiet=True)
    except RuntimeError as exc:
        return f"could not fetch Solara's front-end files: {exc}"
    return None if not assets.missing() else "Solara's front-end files are still missing"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A dashboard server for one session file, which the test may kill and start again."""

    def __init__(self, path: Path, folder: Path):
        self.path, self.folder, self.port = path, folder, _free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.proc: subprocess.Popen | None = None
        self.starts = 0

    def start(self) -> None:
        """Start the server and wait until it answers."""
        from sim.seminar.dashboard import start

        self.starts += 1
        log_path = self.folder / f"server-{self.starts}.log"
        self.log = log_path.open("wb")
        self.proc = start(self.path, port=self.port, stdout=self.log, stderr=subprocess.STDOUT, cwd=self.folder)
        deadline = time.monotonic() + 45
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"dashboard server exited: {log_path.read_text()}")
            try:
                with urllib.request.urlopen(self.url, timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("dashboard server did not answer within 45 s")
            time.sleep(0.3)

    def kill(self) -> None:
        """Kill the server at once (SIGKILL: no clean-up of any kind)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)
        self.log.close()

    def stop(self) -> None:
        """Stop the server if it runs."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.log.close()


@pytest.fixture
def dashboard(tmp_path: Path):
    """A session file (Blue and Red), its tokens and a running dashboard server."""
    why = _assets_ready()
    if why:
        pytest.skip(why)
    from sim.seminar import Session

    path = tmp_path / "demo.json"
    Session.new(scenario="baseline", at="2023-07", turn_months=3, teams=["blue", "red"], seed=52,
                path=path)
    tokens = Session.open(path).access()
    server = Server(path, tmp_path)
    server.start()
    try:
        yield server, path, tokens
    finally:
        server.stop()


def _pick(page, select_class: str, text: str, exact: bool = False) -> None:
    """Open a Vuetify select and click one of its items."""
    page.locator(f".{select_class}").click()
    menu = page.locator(".v-menu__content.menuable__content__active")
    if exact:
        menu.get_by_text(text, exact=True).first.click()
    else:
        menu.locator(".v-list-item", has_text=text).first.click()


def _chart_digest(page) -> str:
    """Return a digest of the bytes of the chart image shown now."""
    data = page.evaluate(
        """async () => {
            const img = document.querySelector('.nato-chart img');
            const buf = await (await fetch(img.src)).arrayBuffer();
            let s = ''; for (const b of new Uint8Array(buf)) s += String.fromCharCode(b);
            return btoa(s);
        }"""
    )
    raw = base64.b64decode(data)
    assert len(raw) > 1000, "the chart image is empty"
    return hashlib.sha256(raw).hexdigest()


def _open(context, url: str):
    page = context.new_page()
    page.set_default_timeout(25_000)
    page.goto(url)
    page.locator(".nato-status-turn").wait_for()
    return page


def _pending(path: Path) -> dict:
    return json.loads(path.read_text()).get("pending", {})


def test_team_pages_facilitator_advances_after_server_killed(dashboard, tmp_path: Path) -> None:
    """Blue and Red submit from their own pages, unseen by each other; a killed server loses nothing."""
    server, path, tokens = dashboard
    urls = {"facilitator": f"{server.url}facilitator?key={tokens['facilitator']}",
            "blue": f"{server.url}team/blue?key={tokens['blue']}",
            "red": f"{server.url}team/red?key={tokens['red']}"}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            ctx = {k: browser.new_context(viewport={"width": 1280, "height": 720}) for k in urls}
            # a team's page with another team's key is refused
            wrong = ctx["blue"].new_page()
            wrong.goto(f"{server.url}team/red?key={tokens['blue']}")
            wrong.locator(".nato-refused").wait_for(timeout=25_000)
            wrong.close()

            pages = {k: _open(ctx[k], u) for k, u in urls.items()}
            fac, blue, red = pages["facilitator"], pages["blue"], pages["red"]
            assert "turn 0" in fac.locator(".nato-status-turn").inner_text()
            assert "2023-07" in fac.locator(".nato-status-date").inner_text()
            fac.locator(".nato-chart img").wait_for()
            caption0 = fac.locator(".nato-chart-caption").inner_text()
            digest0 = _chart_digest(fac)
            # a team page holds that team's form only
            assert blue.locator(".nato-move-form-blue").count() == 1
            assert blue.locator(".nato-move-form-red").count() == 0
            assert blue.locator(".nato-advance-turn").count() == 0

            # Red's default move lacks its target: refused where it is typed, kept out of the draft
            red.locator(".nato-add-move-red").click()
            red.locator(".nato-error").wait_for()
            assert "state" in red.locator(".nato-error").inner_text()
            assert red.locator(".nato-draft-move").count() == 0

            # Blue: forward presence in Estonia at 1 (a brigade; it holds about 0.9 now), submitted
            _pick(blue, "nato-move-select-blue", "forward presence")
            _pick(blue, "nato-field-blue-state", "EST", exact=True)
            blue.locator(".nato-field-blue-level input").fill("1")
            blue.locator(".nato-add-move-blue").click()
            blue.locator(".nato-draft-move", has_text="forward presence").wait_for()
            blue.locator(".nato-submit-blue").click()
            blue.locator(".nato-submitted-blue").wait_for()
            # Red learns that Blue has submitted, never what
            red.locator(".nato-team-status-blue", has_text="submitted").wait_for()
            assert "forward presence" not in red.locator("body").inner_text()
            fac.locator(".nato-entry-blue", has_text="submitted").wait_for()
            assert "forward presence" in fac.locator(".nato-pending-move").first.inner_text()

            # the server dies between the two submissions; Blue's is in the file, and still there after
            server.kill()
            assert _pending(path)["teams"]["blue"]["status"] == "submitted"
            server.start()
            for page in pages.values():
                page.reload()
                page.locator(".nato-status-turn").wait_for()
            fac.locator(".nato-entry-blue", has_text="submitted").wait_for()
            assert "forward presence" in fac.locator(".nato-pending-move").first.inner_text()
            red.locator(".nato-team-status-blue", has_text="submitted").wait_for()
            blue.locator(".nato-submitted-blue").wait_for()

            # Red: a cyber attack on Estonia, submitted; the facilitator returns it with a reason
            _pick(red, "nato-move-select-red", "Hybrid campaign")
            _pick(red, "nato-field-red-state", "EST", exact=True)
            red.locator(".nato-add-move-red").click()
            red.locator(".nato-draft-move", has_text="hybrid campaign").wait_for()
            red.locator(".nato-submit-red").click()
            red.locator(".nato-submitted-red").wait_for()
            fac.locator(".nato-entry-red", has_text="submitted").wait_for()
            fac.locator(".nato-return-reason input").fill("name the grid you target")
            fac.locator(".nato-return-red").click()
            red.locator(".nato-returned-red", has_text="name the grid you target").wait_for()
            red.locator(".nato-submit-red").click()
            red.locator(".nato-submitted-red").wait_for()
            blue.locator(".nato-team-status-red", has_text="submitted").wait_for()
            assert "hybrid" not in blue.locator("body").inner_text().lower()

            # the facilitator's inject, then the turn
            fac.locator(".nato-entry-red", has_text="submitted").wait_for()
            _pick(fac, "nato-inject-type", "election_interference", exact=True)
            _pick(fac, "nato-inject-targets", "EST", exact=True)
            fac.keyboard.press("Escape")
            fac.locator(".nato-inject-label input").fill("power grid outage")
            fac.locator(".nato-add-inject").click()
            fac.locator(".nato-pending-inject", has_text="power grid outage").wait_for()
            fac.locator(".nato-advance-turn").click()
            fac.locator(".nato-success", has_text="turn 1 played").wait_for()
            for page in pages.values():  # every page follows by itself
                page.locator(".nato-status-turn", has_text="turn 1").wait_for()
                assert "2023-10" in page.locator(".nato-status-date").inner_text()
            fac.wait_for_function(
                "c => { const e = document.querySelector('.nato-chart-caption');"
                " return e && e.innerText !== c; }", arg=caption0)
            assert "2023-09" in fac.locator(".nato-chart-caption").inner_text()
            assert _chart_digest(fac) != digest0
            assert fac.locator(".nato-changes li").count() > 3
            assert fac.locator(".nato-why li").count() >= 1
            # once played, the moves are the room's: both teams see both
            for page in (blue, red):
                text = page.locator(".nato-last-turn").inner_text().lower()
                assert "forward presence" in text and "hybrid campaign" in text
            blue.locator(".nato-move-form-blue").wait_for()  # a new turn: the form is back
            shots = os.environ.get("NATOSIM_DASHBOARD_SCREENSHOTS")
            if shots:
                for name, page in pages.items():
                    page.evaluate("window.scrollTo(0, 0)")
                    page.wait_for_timeout(500)
                    page.screenshot(path=str(Path(shots) / f"seminar_{name}_1280x720.png"))
            _check_file_after_turn_1(path)

            # a turn played from the command line meanwhile: every page shows it by itself
            from sim.seminar import Session

            Session.open(path).turn([], [])
            for page in pages.values():
                page.locator(".nato-status-turn", has_text="turn 2").wait_for()
            fac.locator(".nato-advance-turn").click()
            fac.locator(".nato-success", has_text="turn 3 played").wait_for()
        finally:
            browser.close()
    after = json.loads(path.read_text())
    assert sorted(t["number"] for t in after["turns"]) == [0, 1, 2, 3]
    assert after["branches"] == {"main": 3}
    assert "pending" not in after


def _check_file_after_turn_1(path: Path) -> None:
    """The session file holds turn 1 with both teams' moves and the inject, and no pending turn."""
    after = json.loads(path.read_text())
    turns = {t["number"]: t for t in after["turns"]}
    assert sorted(turns) == [0, 1] and after["branches"] == {"main": 1}
    played = turns[1]
    assert played["moves"] == [
        {"team": "blue", "move": "forward_presence", "state": "EST", "level": 1.0},
        {"team": "red", "move": "hybrid_campaign", "kind": "cyber_attack", "state": "EST"},
    ]
    assert len(played["injects"]) == 1
    inj = played["injects"][0]
    assert (inj["type"], inj["actor"], inj["targets"], inj["label"]) == (
        "election_interference", "RUS", ["EST"], "power grid outage")
    assert played["start"] == "2023-07" and played["end"] == "2023-09"
    assert "pending" not in after
