"""Mesa imported through ``sim.mesa_import`` is the Mesa of a plain import, and ``inspect`` is left as it was."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

from sim.mesa_import import frames_outward

LOGGERS = ("import json, sys; {imp}; import inspect, mesa.mesa_logging as m; "
           "print(json.dumps([sorted(m._module_loggers), inspect.stack.__module__, inspect.getouterframes.__module__]))")


def _loggers(imp: str) -> list:
    out = subprocess.run([sys.executable, "-c", LOGGERS.format(imp=imp)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_the_loggers_are_named_as_by_a_plain_import_and_inspect_is_put_back() -> None:
    plain = _loggers("import mesa")
    ours = _loggers("from sim.mesa_import import mesa")
    assert ours == plain
    assert "mesa.model" in ours[0] and ours[1:] == ["inspect", "inspect"]


def test_the_frames_are_inspects_without_their_source() -> None:
    def inner() -> tuple[list, list]:
        here = inspect.currentframe()
        return frames_outward(here), inspect.getouterframes(here)

    ours, theirs = inner()
    assert len(ours) == len(theirs) > 2
    for a, b in zip(ours, theirs, strict=True):
        assert (a.frame, a.filename, a.lineno, a.function) == (b.frame, b.filename, b.lineno, b.function)
        assert a.code_context is None and a.index is None
    assert ours[0].function == "inner" and ours[1].function == "test_the_frames_are_inspects_without_their_source"
