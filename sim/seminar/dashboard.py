"""Launch the room dashboard (``sim.seminar.app``) with ``solara run`` for one session file.

``serve`` binds to 127.0.0.1 unless told otherwise, turns Solara's telemetry off and,
where the front-end packages were fetched to a local folder (``sim.seminar.assets``),
points Solara at that folder so the page needs no CDN.  Needs the ``seminar`` extra.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
from pathlib import Path

from sim.seminar import assets

if importlib.util.find_spec("solara") is None:  # the CLI turns this into a clear message
    raise ImportError("solara is not installed")

APP_MODULE = "sim.seminar.app"


def environment(session_path: str | Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """Return the environment the dashboard server runs with."""
    env = dict(os.environ if base is None else base)
    env["NATOSIM_SESSION"] = str(Path(session_path).resolve())
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "false"
    if "SOLARA_ASSETS_PROXY_CACHE_DIR" not in env:
        cache = assets.default_dir()
        if cache.is_dir() and not assets.missing(cache):
            env["SOLARA_ASSETS_PROXY_CACHE_DIR"] = str(cache.resolve())
    return env


def team_slug(team: str) -> str:
    """Return a team's part of its page address (member:HUN -> member-hun)."""
    return team.replace(":", "-").lower()


def page_urls(tokens: dict[str, str], host: str = "127.0.0.1", port: int = 8765) -> dict[str, str]:
    """Return each role's page address: the facilitator's, each team's (with its token) and the room screen."""
    base = f"http://{host}:{port}"
    urls = {}
    for role, token in tokens.items():
        path = "facilitator" if role == "facilitator" else f"team/{team_slug(role)}"
        urls[role] = f"{base}/{path}?key={token}"
    urls["room screen"] = f"{base}/room"
    return urls


def command(host: str = "127.0.0.1", port: int = 8765) -> list[str]:
    """Return the `solara run` command line for the dashboard."""
    return [sys.executable, "-m", "solara", "run", APP_MODULE, "--host", host, "--port", str(port),
            "--production", "--no-open"]


def start(session_path: str | Path, host: str = "127.0.0.1", port: int = 8765,
          **popen: object) -> subprocess.Popen:
    """Start the dashboard server in the background; return its process."""
    return subprocess.Popen(command(host, port), env=environment(session_path), **popen)


def serve(session_path: str | Path, host: str = "127.0.0.1", port: int = 8765) -> int:
    """Serve the dashboard for a session file until interrupted; return solara's exit code."""
    path = Path(session_path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such session file")
    env = environment(path)
    if "SOLARA_ASSETS_PROXY_CACHE_DIR" not in env:
        print("dashboard: Solara's front-end files come from its CDN (no local copy; "
              "python -m sim.seminar.assets fetches one)", file=sys.stderr)
    print(f"dashboard: http://{host}:{port}/  (session {path}; Ctrl-C stops it)", file=sys.stderr)
    proc = subprocess.Popen(command(host, port), env=env)

    def _stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:  # a SIGTERM to the launcher stops the server too
        signal.signal(signal.SIGTERM, _stop)
    except ValueError:  # not the main thread
        pass
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            return proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.wait()
