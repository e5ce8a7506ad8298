"""Solara's front-end files without a CDN: fetch them once from the npm registry.

Solara's page loads its front-end packages (the Vuetify app, Font Awesome,
RequireJS, the grid layout) from a CDN.  On a machine that cannot reach the CDN
the page stays blank, but Solara reads them from a local folder instead when
``SOLARA_ASSETS_PROXY_CACHE_DIR`` points to one laid out as
``<package>@<version>/<file>``.  This module finds the exact packages and
versions the installed Solara asks for (from its page template and components),
fetches each with ``npm pack NAME@VERSION`` from the npm registry and unpacks it
into that layout.  A user with internet needs none of this.

Run it without the rest of natosim::

    python -m sim.seminar.assets [--dest DIR] [--list]

(the default folder is ``.cache/solara-assets`` at the root of a source
checkout, else ``~/.cache/natosim/solara-assets``; ``NATOSIM_SOLARA_ASSETS``
overrides it).  The dashboard's launcher sets ``SOLARA_ASSETS_PROXY_CACHE_DIR``
to that folder when it holds the packages.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ENV_VAR = "NATOSIM_SOLARA_ASSETS"

#: what solara 1.64.1 asked for (checked against its server log); used if solara is absent
FALLBACK: tuple[tuple[str, str], ...] = (
    ("@widgetti/solara-vuetify-app", "10.1.1"),
    ("font-awesome", "4.5.0"),
    ("requirejs", "2.3.6"),
    ("@widgetti/vue-grid-layout", "2.3.13-alpha.2"),
)

# "{{cdn}}/NAME@VERSION/..." in the template, "getCdn()}/NAME@VERSION/..." in components,
# "/NAME@VERSION/..." in settings (font-awesome's path)
_PATTERN = re.compile(
    r"(?:\{\{\s*cdn\s*\}\}|getCdn\(\)\}|[\"'])/?"  # where a CDN path starts
    r"((?:@[a-z0-9][\w.-]*/)?[a-z0-9][\w.-]*)"  # the package, scoped or not
    r"@(\d+\.\d+\.\d+[\w.+-]*)/"  # an exact version
)


def default_dir() -> Path:
    """Return the asset folder: $NATOSIM_SOLARA_ASSETS, a checkout's .cache, or ~/.cache."""
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").exists() and (root / "sim").is_dir():
        return root / ".cache" / "solara-assets"
    return Path.home() / ".cache" / "natosim" / "solara-assets"


def _vue3() -> bool:
    """Return True when the installed ipyvuetify is 3.x (Solara then asks for its Vue 3 app)."""
    try:
        return int(importlib.metadata.version("ipyvuetify").split(".")[0]) >= 3
    except importlib.metadata.PackageNotFoundError:
        return False


def required_packages() -> list[tuple[str, str]]:
    """Return the (package, version) pairs the installed Solara loads from its CDN."""
    spec = importlib.util.find_spec("solara")
    if spec is None or not spec.submodule_search_locations:
        return list(FALLBACK)
    root = Path(next(iter(spec.submodule_search_locations)))
    files = [root / "server" / "templates" / "solara.html.j2", root / "server" / "settings.py"]
    files += sorted((root / "widgets" / "vue").glob("gridlayout*.vue"))
    found: dict[str, str] = {}
    for f in files:
        if f.exists():
            for name, version in _PATTERN.findall(f.read_text(encoding="utf-8", errors="replace")):
                found.setdefault(name, version)
    # the template holds both Vue apps; the page uses the one matching ipyvuetify
    drop = "@widgetti/solara-vuetify-app" if _vue3() else "@widgetti/solara-vuetify3-app"
    found.pop(drop, None)
    return sorted(found.items()) if found else list(FALLBACK)


def folder(dest: Path, name: str, version: str) -> Path:
    """Return where a package's files go: DEST/NAME@VERSION."""
    return dest / f"{name}@{version}"


def missing(dest: Path | None = None) -> list[str]:
    """Return the NAME@VERSION packages not yet in the asset folder."""
    dest = Path(dest) if dest else default_dir()
    return [f"{n}@{v}" for n, v in required_packages()
            if not (folder(dest, n, v) / "package.json").exists()]


def fetch(dest: Path | None = None, quiet: bool = False) -> Path:
    """Fetch the missing packages with `npm pack` and unpack each into DEST/NAME@VERSION."""
    dest = Path(dest) if dest else default_dir()
    todo = missing(dest)
    if not todo:
        if not quiet:
            print(f"solara assets: all present in {dest}")
        return dest
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to fetch Solara's front-end packages (install Node.js)")
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="solara-assets-") as tmp:
        for spec in todo:
            name, version = spec.rsplit("@", 1)
            out = subprocess.run(
                [npm, "pack", spec, "--pack-destination", tmp, "--silent"],
                capture_output=True, text=True, cwd=tmp, check=False,
            )
            if out.returncode != 0:
                raise RuntimeError(f"npm pack {spec} failed: {out.stderr.strip()[-500:]}")
            tarball = Path(tmp) / out.stdout.strip().splitlines()[-1]
            target = folder(dest, name, version)
            staging = Path(tempfile.mkdtemp(prefix=".unpack-", dir=dest))
            try:
                with tarfile.open(tarball) as tar:
                    tar.extractall(staging, filter="data")
                inner = staging / "package"  # npm tarballs hold one top folder, usually "package"
                if not inner.is_dir():
                    dirs = [p for p in staging.iterdir() if p.is_dir()]
                    inner = dirs[0] if len(dirs) == 1 else staging
                if target.exists():
                    shutil.rmtree(target)
                target.parent.mkdir(parents=True, exist_ok=True)
                inner.rename(target)
            finally:
                shutil.rmtree(staging, ignore_errors=True)
            if not quiet:
                print(f"solara assets: {spec} -> {target}")
    return dest


def main(argv: list[str] | None = None) -> int:
    """Command line: fetch (or list) Solara's front-end packages."""
    ap = argparse.ArgumentParser(prog="python -m sim.seminar.assets",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--dest", type=Path, default=None, help="asset folder (default: %(default)s)")
    ap.add_argument("--list", action="store_true",
                    help="only list the packages and what is missing")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    dest = args.dest or default_dir()
    if args.list:
        gone = set(missing(dest))
        for n, v in required_packages():
            spec = f"{n}@{v}"
            print(f"{spec}\t{'missing' if spec in gone else 'present'}")
        print(f"folder: {dest}")
        return 0
    try:
        fetch(dest, quiet=args.quiet)
    except RuntimeError as exc:
        print(f"solara assets: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
