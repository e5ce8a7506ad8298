"""The seminar's room dashboard in a real headless Chromium (Debian's package) via Playwright.

The server runs ``solara run sim.seminar.app`` against a session file made here; the page is
driven as a facilitator would: a Blue move and an inject are added, the turn advanced.  The
charts and the session file must change.  Solara's front-end files come from the local asset
folder (``python -m sim.seminar.assets``; ``.ci/run`` fetches them), since this machine cannot
reach Solara's CDN.  Set NATOSIM_DASHBOARD_SCREENSHOT=PATH to keep a screenshot after the turn.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
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


@pytest.fixture
def dashboard(tmp_path: Path):
    """A session file and a dashboard server on a free port; yields (url, session path)."""
    why = _assets_ready()
    if why:
        pytest.skip(why)
    from sim.seminar import Session
    from sim.seminar.dashboard import start

    path = tmp_path / "demo.json"
    Session.new(scenario="baseline", at="2023-07", turn_months=3, teams=["blue", "red"], seed=0,
                path=path)
    port = _free_port()
    log = (tmp_path / "server.log").open("wb")
    proc = start(path, port=port, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 45
        while True:
            if proc.poll() is not None:
                log_text = (tmp_path / "server.log").read_text()
                raise AssertionError(f"dashboard server exited: {log_text}")
            try:
                with urllib.request.urlopen(url, timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("dashboard server did not answer within 45 s")
            time.sleep(0.3)
        yield url, path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


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


def test_dashboard_move_inject_turn(dashboard, tmp_path: Path) -> None:
    """Open the page, add a Blue move and an inject, advance a turn: charts and file change."""
    url, path = dashboard
    before = json.loads(path.read_text())
    assert [t["number"] for t in before["turns"]] == [0]

    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                                    headless=True)
        try:
            context = browser.new_context(viewport={"width": 1500, "height": 1950})
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.goto(url)
            page.locator(".nato-advance-turn").wait_for()
            assert "turn 0" in page.locator(".nato-status-turn").inner_text()
            assert "2023-07" in page.locator(".nato-status-date").inner_text()
            page.locator(".nato-chart img").wait_for()
            caption0 = page.locator(".nato-chart-caption").inner_text()
            digest0 = _chart_digest(page)
            src0 = page.locator(".nato-chart img").get_attribute("src")

            # a move the engine refuses shows its message and is not queued
            page.locator(".nato-add-move-red").click()
            page.locator(".nato-error").wait_for()
            assert "state" in page.locator(".nato-error").inner_text()
            assert page.locator(".nato-pending-move").count() == 0

            # Blue: forward presence in Estonia at 1 (a brigade; it holds about 0.9 now)
            _pick(page, "nato-move-select-blue", "forward presence")
            _pick(page, "nato-field-blue-state", "EST", exact=True)
            page.locator(".nato-field-blue-level input").fill("1")
            page.locator(".nato-add-move-blue").click()
            page.locator(".nato-pending-move").wait_for()
            assert "forward_presence" in page.locator(".nato-pending-move").inner_text()

            # the facilitator's inject: a Russian cyber attack on Estonia
            _pick(page, "nato-inject-type", "cyber_attack", exact=True)
            _pick(page, "nato-inject-targets", "EST", exact=True)
            page.keyboard.press("Escape")
            page.locator(".nato-inject-label input").fill("power grid outage")
            page.locator(".nato-add-inject").click()
            page.locator(".nato-pending-inject").wait_for()
            assert "power grid outage" in page.locator(".nato-pending-inject").inner_text()

            page.locator(".nato-advance-turn").click()
            page.locator(".nato-status-turn", has_text="turn 1").wait_for()
            page.locator(".nato-success", has_text="turn 1 played").wait_for()
            page.wait_for_function(
                "s => { const i = document.querySelector('.nato-chart img');"
                " return i && i.src !== s; }",
                arg=src0,
            )
            assert "2023-10" in page.locator(".nato-status-date").inner_text()
            caption1 = page.locator(".nato-chart-caption").inner_text()
            assert caption1 != caption0 and "2023-09" in caption1
            assert _chart_digest(page) != digest0
            assert page.locator(".nato-pending-move").count() == 0
            assert page.locator(".nato-changes li").count() > 3
            assert "Turn 1" in page.locator(".nato-last-turn-title").inner_text()
            shot = os.environ.get("NATOSIM_DASHBOARD_SCREENSHOT")
            if shot:
                page.wait_for_timeout(500)
                page.screenshot(path=shot, full_page=True)
            _check_file_after_turn_1(path)

            # a turn played from the command line meanwhile: the page re-reads the file
            # and refuses to advance over it unseen, then advances from there
            from sim.seminar import Session

            Session.open(path).turn([], [])
            page.locator(".nato-advance-turn").click()
            page.locator(".nato-error", has_text="changed by another program").wait_for()
            assert "turn 2" in page.locator(".nato-status-turn").inner_text()
            page.locator(".nato-advance-turn").click()
            page.locator(".nato-success", has_text="turn 3 played").wait_for()
        finally:
            browser.close()
    after = json.loads(path.read_text())
    assert sorted(t["number"] for t in after["turns"]) == [0, 1, 2, 3]
    assert after["branches"] == {"main": 3}


def _check_file_after_turn_1(path: Path) -> None:
    """The session file holds turn 1 with the Blue move and the inject."""
    after = json.loads(path.read_text())
    turns = {t["number"]: t for t in after["turns"]}
    assert sorted(turns) == [0, 1] and after["branches"] == {"main": 1}
    played = turns[1]
    assert played["moves"] == [{"team": "blue", "move": "forward_presence", "state": "EST",
                                "level": 1.0}]
    assert len(played["injects"]) == 1
    inj = played["injects"][0]
    assert (inj["type"], inj["actor"], inj["targets"], inj["label"]) == (
        "cyber_attack", "RUS", ["EST"], "power grid outage")
    assert played["start"] == "2023-07" and played["end"] == "2023-09"
