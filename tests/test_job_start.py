"""The whole job's start: numpy's huge pages off unless the user says otherwise, work done while the runs go."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd

import sim

SHOW = ("import os, sys; from sim.entry import main; sys.argv = ['natosim', '--help']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "import numpy._core.multiarray as m; print(os.environ['NUMPY_MADVISE_HUGEPAGE'], m._get_madvise_hugepage())")


def _hugepage(env: dict[str, str]) -> str:
    done = subprocess.run([sys.executable, "-c", SHOW], capture_output=True, text=True, check=True, env=env)
    return done.stdout.strip().splitlines()[-1]


def test_the_command_line_turns_numpys_huge_pages_off_unless_set() -> None:
    env = {k: v for k, v in os.environ.items() if k != "NUMPY_MADVISE_HUGEPAGE"}
    assert _hugepage(env) == "0 False"
    assert _hugepage({**env, "NUMPY_MADVISE_HUGEPAGE": "1"}) == "1 True"


def test_meanwhile_runs_once_while_the_runs_go_and_changes_nothing(historical) -> None:
    for workers in (1, 2):
        calls: list[int] = []
        with_it = sim.run(historical, seeds=range(3), workers=workers, meanwhile=lambda calls=calls: calls.append(1))
        without = sim.run(historical, seeds=range(3), workers=workers)
        assert calls == [1]
        pd.testing.assert_frame_equal(with_it.timeseries, without.timeseries)
        pd.testing.assert_frame_equal(with_it.states, without.states)


def test_running_out_of_memory_is_the_machines_failure_not_an_internal_error(capsys, monkeypatch) -> None:
    import pytest

    from sim.entry import EXIT_ENVIRONMENT, guarded

    monkeypatch.delenv("NATOSIM_DEBUG", raising=False)

    def short_of_memory() -> None:
        raise MemoryError("cannot map 277 MiB for a lockstep record of shape (385, 125, 16, 45): Cannot allocate memory")

    with pytest.raises(SystemExit) as stop:
        guarded(short_of_memory)
    assert stop.value.code == EXIT_ENVIRONMENT
    err = capsys.readouterr().err
    assert "out of memory (cannot map 277 MiB" in err and "fewer --workers" in err and "internal error" not in err
