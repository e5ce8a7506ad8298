"""Issue 14: the scenario and sweep loaders take any input and either load it or refuse it naming the file.

Hypothesis feeds both loaders arbitrary bytes, arbitrary YAML documents (built from the fields the
schemas know and from anything else) and mutations of the shipped files in scenarios/ and
scenarios/sweeps/ (a key dropped, a value's type changed, a value replaced by a random scalar, the
text truncated).  Every example must load or raise ``ScenarioError`` whose message names the file;
any other exception fails the test, and so does an example slower than the deadline.  A few
cases go through the command line too: exit 2, the file named, no traceback, no "internal error".
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim import safe_yaml
from sim.scenario import (
    EventSpec,
    QuestionSpec,
    RosterChanges,
    ScenarioError,
    ScenarioFile,
    load_scenario,
)
from sim.sweep.spec import ParameterSpec, SweepFile, load_sweep

from .conftest import ROOT

SHIPPED_SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
SHIPPED_SWEEPS = sorted((ROOT / "scenarios" / "sweeps").glob("*.yaml"))

#: NATOSIM_FUZZ_SCALE=20 runs twenty times the examples, drawn afresh (a longer search, by hand)
SCALE = int(os.environ.get("NATOSIM_FUZZ_SCALE", "1"))
FUZZ = settings(
    max_examples=60 * SCALE,
    deadline=2000,  # ms per example: a load takes 0.002-0.05 s here
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    derandomize=SCALE == 1,  # by default the same examples on every run: reproducible, never flaky
)

# -- strategies ----------------------------------------------------------------------------------

FIELDS = sorted({*ScenarioFile.model_fields, *EventSpec.model_fields, *RosterChanges.model_fields,
                 *QuestionSpec.model_fields, *SweepFile.model_fields, *ParameterSpec.model_fields,
                 "metric", "direction", "why", "TUR", "RUS", "trust_negative_gain", "deterrence_presence_weight"})
WORDS = ["2023-02-30", "1991-12", "2035-12", "9999-12", "0001-01", "2100-12", "1M", "13M", "baseline", "historical",
         "baseline.yaml", "../baseline.yaml", "NATO", "RUS", "UKR", "NSA", "consult", "military_aggression",
         "set_parameter", "state_change", "grid", "lhs", "saltelli", "morris", "default", "none", "assumptions",
         "from_branch", "relations_index", "relations_at_horizon", "higher", "-1", "1e400", ".nan", "x" * 300]
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats() | TEXT | st.sampled_from(WORDS))
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FIELDS) | TEXT, inner, max_size=4),
    max_leaves=16,
)
DOCUMENTS = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=8) | VALUES


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Return the path of every node below ``node`` (keys and indices), itself excluded."""
    out = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in items:
        out.append(prefix + (key,))
        out += _paths(child, prefix + (key,))
    return out


def _mutate(data: Any, draw) -> Any:
    """Return ``data`` with one node dropped, retyped or replaced by a random scalar."""
    paths = _paths(data)
    if not paths:
        return draw(VALUES)
    path = draw(st.sampled_from(paths))
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    key, value = path[-1], parent[path[-1]]
    how = draw(st.sampled_from(["drop", "retype", "scalar"]))
    if how == "drop":
        del parent[key]
    elif how == "retype":
        parent[key] = draw(st.sampled_from([[value], {"value": value}, str(value), None, 0, True]))
    else:
        parent[key] = draw(SCALARS)
    return data


# -- the property ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """A copy of scenarios/ and scenarios/sweeps/, so a mutated file finds its parents and references."""
    root = tmp_path_factory.mktemp("fuzz") / "scenarios"
    (root / "sweeps").mkdir(parents=True)
    for f in SHIPPED_SCENARIOS:
        shutil.copy(f, root / f.name)
    for f in SHIPPED_SWEEPS:
        shutil.copy(f, root / "sweeps" / f.name)
    return root


def _loads_or_names_the_file(path: Path, content: bytes | str, sweep: bool) -> None:
    """Write ``content`` to ``path`` and load it: it loads, or the ScenarioError names ``path``."""
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    try:
        load_sweep(path) if sweep else load_scenario(path)
        event("loaded")
    except ScenarioError as exc:
        event(f"refused at {exc.problems[0][1] if exc.problems else '?'}"[:40])
        assert exc.problems, "a ScenarioError without a problem"
        assert all(file for file, _, _ in exc.problems)
        assert str(path) in str(exc), f"the message does not name {path}: {exc}"


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@FUZZ
@given(content=st.binary(max_size=600))
def test_arbitrary_bytes(folder, content):
    _loads_or_names_the_file(folder / "fuzz.yaml", content, sweep=False)
    _loads_or_names_the_file(folder / "sweeps" / "fuzz.yaml", content, sweep=True)


@settings(FUZZ, max_examples=250 * SCALE)
@given(doc=DOCUMENTS)
def test_arbitrary_yaml_documents(folder, doc):
    _loads_or_names_the_file(folder / "fuzz.yaml", _dump(doc), sweep=False)
    _loads_or_names_the_file(folder / "sweeps" / "fuzz.yaml", _dump(doc), sweep=True)


@settings(FUZZ, max_examples=250 * SCALE)
@given(which=st.sampled_from(SHIPPED_SCENARIOS + SHIPPED_SWEEPS), data=st.data())
def test_mutated_shipped_files(folder, which, data):
    sweep = which in SHIPPED_SWEEPS
    doc = safe_yaml.load(which.read_text(encoding="utf-8"))
    mutated = _dump(_mutate(doc, data.draw))
    target = folder / ("sweeps" if sweep else "") / f"{which.stem}_mutant.yaml"
    _loads_or_names_the_file(target, mutated, sweep)


@FUZZ
@given(which=st.sampled_from(SHIPPED_SCENARIOS + SHIPPED_SWEEPS), data=st.data())
def test_truncated_shipped_files(folder, which, data):
    sweep = which in SHIPPED_SWEEPS
    text = which.read_text(encoding="utf-8")
    cut = data.draw(st.integers(0, len(text)))
    target = folder / ("sweeps" if sweep else "") / f"{which.stem}_cut.yaml"
    _loads_or_names_the_file(target, text[:cut], sweep)


@pytest.mark.parametrize("path", SHIPPED_SCENARIOS + SHIPPED_SWEEPS, ids=lambda p: p.name)
def test_every_shipped_file_loads(path):
    (load_sweep if path in SHIPPED_SWEEPS else load_scenario)(path)


# -- nothing executed, nothing allocated ----------------------------------------------------------


@pytest.mark.parametrize("sweep", [False, True])
def test_python_tags_are_refused_and_nothing_runs(tmp_path, sweep):
    marker = tmp_path / "executed"
    path = tmp_path / "evil.yaml"
    path.write_text(f"name: !!python/object/apply:os.system ['touch {marker}']\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_sweep(path) if sweep else load_scenario(path)
    assert str(path) in str(info.value) and "python/object/apply:os.system" in str(info.value)
    assert "plain data only" in str(info.value)
    assert not marker.exists()


def test_huge_designs_are_refused_at_once(tmp_path):
    """A 10^12-point grid and a ~7e9-run Saltelli design: refused by arithmetic, in well under a second."""
    import tracemalloc

    levels = "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]"
    grid = "".join(f"  d{i}: {{dummy: true, levels: {levels}}}\n" for i in range(12))
    cases = {
        "grid.yaml": (f"name: g\nscenario: baseline\ndesign: grid\nparameters:\n{grid}", "1,000,000,000,000 runs"),
        "saltelli.yaml": (("name: s\nscenario: baseline\ndesign: saltelli\nsamples: 65536\nreplications: 1000\n"
                           "include: assumptions\n"), "runs"),
    }
    for name, (text, words) in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        tracemalloc.start()
        began = time.perf_counter()
        with pytest.raises(ScenarioError) as info:
            load_sweep(path)
        took = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        message = str(info.value)
        assert str(path) in message and words in message and "--max-runs N" in message, message
        assert took < 0.5, f"{name}: refused after {took:.2f} s"
        assert peak < 50e6, f"{name}: {peak / 1e6:.0f} MB allocated"
    from sim import parameters

    k = sum(1 for n, p in parameters.registry().items()
            if p.source_kind == "assumption" and n not in parameters.SETUP_ONLY)
    assert f"makes {65536 * (k + 2) * 1000:,} runs" in str(info.value)  # some 7e9


# -- the command line -----------------------------------------------------------------------------


def _natosim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, timeout=120,
                          check=False)


def test_the_command_line_exits_2_naming_the_file(tmp_path):
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\x00\x9f\xff garbage \xfe")
    empty_levels = tmp_path / "empty_levels.yaml"
    empty_levels.write_text("name: e\nscenario: baseline\ndesign: grid\nparameters:\n"
                            "  trust_negative_gain: {levels: []}\n", encoding="utf-8")
    far = tmp_path / "far.yaml"
    far.write_text("name: far\nstart: 1991-12\nend: 3000-12\n", encoding="utf-8")
    for args, path, words in [
        (("show", str(binary)), binary, "is not UTF-8 text"),
        (("show", str(far)), far, "end: 3000-12 is outside the months a run may cover; allowed 1900-01 .. 2100-12"),
        (("sweep", str(empty_levels), "--out", str(tmp_path / "out")), empty_levels,
         "parameters.trust_negative_gain.levels: is empty"),
    ]:
        proc = _natosim(*args)
        assert proc.returncode == 2, (args, proc.stderr)
        assert str(path) in proc.stderr and words in proc.stderr, proc.stderr
        assert "Traceback" not in proc.stderr + proc.stdout and "internal error" not in proc.stderr
    assert not (tmp_path / "out").exists()
