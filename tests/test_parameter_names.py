"""Every parameter the model's code reads is in the registry, and every registry parameter is read.

The model reads its parameters as attributes (``p.trust_negative_gain`` in one run,
``P.trust_negative_gain`` over the runs of an ensemble): a misspelt name would fail
only when that line first runs, perhaps deep into a run.  This reads the model's
source instead and fails at once, naming the file; and a parameter the code never
reads (a number in the registry that moves nothing) fails too.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from sim.parameters import registry

SIM = Path(__file__).resolve().parents[1] / "sim"
#: the model's code: what a run executes (mechanisms, phases, events, the model and its ensembles)
MODEL_CODE = [*sorted((SIM / "mechanisms").glob("*.py")), *sorted((SIM / "phases").glob("*.py")),
              *(SIM / name for name in ("events.py", "model.py", "directives.py", "lockstep.py", "agents.py",
                                        "world.py"))]


#: methods of the ensemble's parameters (``RunParams``) that take a parameter's name: ``P.rate("name", months)``
NAMED_BY_METHOD = ("rate",)
#: methods that take a module-level tuple of parameters' names: ``P.packed(DECISION_PARAMETERS)``
NAMED_BY_TUPLE = ("packed",)


def _name_tuples(tree: ast.Module) -> dict[str, list[str]]:
    """Return the module's top-level tuples of string literals, by the name they are assigned to."""
    found = {}
    for node in tree.body:
        target = node.target if isinstance(node, ast.AnnAssign) else (
            node.targets[0] if isinstance(node, ast.Assign) and len(node.targets) == 1 else None)
        value = getattr(node, "value", None)
        if (isinstance(target, ast.Name) and isinstance(value, ast.Tuple)
                and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in value.elts)):
            found[target.id] = [e.value for e in value.elts]
    return found


def _parameter_reads() -> dict[str, set[str]]:
    """Return each attribute read from ``p`` or ``P`` in the model's code, with the files that read it
    (``P.rate("name", months)`` reads ``name``; ``P.packed(NAMES)`` the names of the module's tuple ``NAMES``)."""
    reads: dict[str, set[str]] = {}
    for path in MODEL_CODE:
        tree = ast.parse(path.read_text(), str(path))
        methods = set()
        tuples = _name_tuples(tree)
        for node in ast.walk(tree):
            func = node.func if isinstance(node, ast.Call) else None
            if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("p", "P")
                    and func.attr in NAMED_BY_TUPLE):
                methods.add(id(func))
                name = node.args[0] if node.args else None
                assert isinstance(name, ast.Name) and name.id in tuples, \
                    f"{path.name}:{node.lineno}: P.{func.attr} takes a module-level tuple of parameters' names"
                for parameter in tuples[name.id]:
                    reads.setdefault(parameter, set()).add(path.name)
                continue
            if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("p", "P")
                    and func.attr in NAMED_BY_METHOD):
                methods.add(id(func))
                name = node.args[0] if node.args else None
                assert isinstance(name, ast.Constant) and isinstance(name.value, str), \
                    f"{path.name}:{node.lineno}: P.{func.attr} takes a parameter's name as a string literal"
                reads.setdefault(name.value, set()).add(path.name)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ("p", "P")
                    and id(node) not in methods):
                reads.setdefault(node.attr, set()).add(path.name)
    return reads


def test_every_parameter_the_model_reads_is_in_the_registry():
    unknown = {name: sorted(files) for name, files in _parameter_reads().items() if name not in registry()}
    assert unknown == {}, f"read but not in sim/data/parameters.yaml: {unknown}"


def test_every_registry_parameter_is_read_by_the_model():
    """Read as an attribute, or named as a string (event types' readings, proximity classes)."""
    from sim.data import read_yaml

    read = set(_parameter_reads())
    named_in_code = "".join(path.read_text() for path in MODEL_CODE)
    perceived = {t.get("perceived_by_russia_param") for t in read_yaml("event_types.yaml")["event_types"].values()}
    unread = [name for name in registry() if name not in read and name not in perceived
              and f'"{name}"' not in named_in_code]
    assert unread == [], f"in the registry but never read by the model: {unread}"


def test_a_misspelt_name_is_caught(tmp_path, monkeypatch):
    """The check itself: a mechanism reading ``p.trust_negativ_gain`` is reported with its file."""
    bad = tmp_path / "bad_mechanism.py"
    bad.write_text("def f(w, p):\n    return p.trust_negativ_gain\n")
    monkeypatch.setattr(sys.modules[__name__], "MODEL_CODE", [bad], raising=True)
    reads = _parameter_reads()
    assert reads == {"trust_negativ_gain": {"bad_mechanism.py"}}
    assert "trust_negativ_gain" not in registry()


def test_a_misspelt_name_given_to_rate_is_caught(tmp_path, monkeypatch):
    """``P.rate("name", months)`` names a parameter: a misspelt one is reported, and ``rate`` itself is not."""
    bad = tmp_path / "bad_runs.py"
    bad.write_text("def f(W, P, months):\n    return P.rate(\"trust_decay_rat\", months) * P.trust_decay_rate\n")
    monkeypatch.setattr(sys.modules[__name__], "MODEL_CODE", [bad], raising=True)
    assert _parameter_reads() == {"trust_decay_rat": {"bad_runs.py"}, "trust_decay_rate": {"bad_runs.py"}}
