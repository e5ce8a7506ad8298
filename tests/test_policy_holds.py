"""A scenario holds a state's policy from a date until a month (``hold_policy``): what a seminar's member team
can do for a turn, a scenario can say for years -- and the hold goes when it ends or is taken away."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.model import STATE_OUTPUTS, NatoRussiaModel
from sim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def _scenario(tmp_path: Path, events: str, name: str = "held") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"name: {name}\nextends: {BASELINE}\nevents:\n{events}", encoding="utf-8")
    return path


HUNGARY_OUT = """  - date: 2024-01-01
    type: hold_policy
    actor: HUN
    label: Hungary leaves the sanctions regime
    params: {policy: sanctions, level: 0.0, until: 2026-12}
"""
TURKEY_WAITS = """  - date: 2023-01-01
    type: hold_policy
    actor: TUR
    label: Turkey withholds Sweden's ratification
    params: {policy: ratification, candidate: SWE, until: 2025-06}
"""


def _run(path: Path, seed: int = 1) -> NatoRussiaModel:
    return NatoRussiaModel(load_scenario(path).setup(), rng=seed, mesa_collect=False).run()


def _state(m: NatoRussiaModel, name: str) -> np.ndarray:
    return m.state_records[:, STATE_OUTPUTS.index(name), :]


def _at(m: NatoRussiaModel, year: int, month: int) -> int:
    return next(k for k, d in enumerate(m.dates) if (d.year, d.month) == (year, month))


def test_a_member_out_of_the_sanctions_regime_for_three_years(tmp_path: Path) -> None:
    held = _run(_scenario(tmp_path, HUNGARY_OUT))
    free = _run(BASELINE)
    out_h, out_f = held.outputs(), free.outputs()
    hun = held.world.idx("HUN")
    during = slice(_at(held, 2024, 1), _at(held, 2026, 12) + 1)
    assert np.all(_state(held, "sanctions")[during, hun] == 0.0)
    assert np.all(_state(free, "sanctions")[during, hun] > 0.0)  # the removal test: without the hold, Hungary sanctions
    # no sanctions package of Hungary's own while the hold lasts
    assert not [e for e in held.event_log if e[3] == "impose_sanctions" and e[1] == "HUN"
                and (2024, 1) <= (e[0].year, e[0].month) <= (2026, 12)]
    # before the hold the two runs are the same run
    before = slice(0, _at(held, 2024, 1))
    assert np.array_equal(out_h["relations_index"][before], out_f["relations_index"][before])
    # after it, Hungary decides by its own rule again: it rejoins the regime
    assert held.standing == []
    assert _state(held, "sanctions")[_at(held, 2027, 1):, hun].max() > 0.0


def test_a_withheld_ratification_delays_an_accession_until_the_hold_ends(tmp_path: Path) -> None:
    held = _run(_scenario(tmp_path, TURKEY_WAITS))
    free = _run(BASELINE)
    swe = held.world.idx("SWE")
    member_h, member_f = _state(held, "member")[:, swe], _state(free, "member")[:, swe]
    k_free = int(np.argmax(member_f > 0.5))
    k_held = int(np.argmax(member_h > 0.5))
    assert member_f[-1] > 0.5 and held.dates[k_free].year == 2024  # the record's March 2024
    assert member_h[_at(held, 2025, 6)] < 0.5  # still waiting for Turkey at the hold's last month
    assert member_h[-1] > 0.5 and k_held > _at(held, 2025, 6)  # and joins once Turkey decides for itself
    assert not held.world.withheld[held.world.idx("TUR"), swe]


def test_a_hold_survives_a_snapshot_and_restore(tmp_path: Path) -> None:
    setup = load_scenario(_scenario(tmp_path, HUNGARY_OUT)).setup()
    reference = NatoRussiaModel(setup, rng=4, mesa_collect=False).run()
    m = NatoRussiaModel(setup, rng=4, mesa_collect=False)
    while (m.dates[m.steps].year, m.dates[m.steps].month) < (2025, 1):
        m.step()
    assert len(m.standing) == 1
    snap = m.snapshot()
    other = NatoRussiaModel(setup, rng=99, mesa_collect=False)
    other.restore(snap)
    other.run()
    assert all(np.array_equal(other.outputs()[k], reference.outputs()[k]) for k in reference.outputs())


@pytest.mark.parametrize(("params", "actor", "field", "text"), [
    ("{policy: embargo, level: 0.0}", "HUN", "params.policy", "'embargo' unknown; allowed: sanctions, aid, ratification"),
    ("{policy: sanctions}", "HUN", "params.level", "sanctions needs a level 0..1"),
    ("{policy: aid, level: 1.5}", "HUN", "params.level", "aid needs a level 0..1"),
    ("{policy: ratification, candidate: TUR}", "TUR", "params.candidate", "does not ratify its own accession"),
    ("{policy: ratification, candidate: XXX}", "TUR", "params.candidate", "needs the candidate's state code"),
    ("{policy: sanctions, level: 0.0, until: 2023-12}", "HUN", "params.until", "is before the event's own month"),
    ("{policy: sanctions, level: 0.0, until: soon}", "HUN", "params.until", "as YYYY-MM"),
    ("{policy: sanctions, level: 0.0}", "NATO", "actor", "one state's policy"),
])
def test_a_bad_hold_is_refused_naming_its_field(tmp_path: Path, params: str, actor: str, field: str,
                                                text: str) -> None:
    path = _scenario(tmp_path, f"  - {{date: 2024-01-01, type: hold_policy, actor: {actor}, params: {params}}}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    found = [(f, where, msg) for f, where, msg in err.value.problems]
    assert any(where.endswith(field) and text in msg and str(path) in str(f) for f, where, msg in found), found
