"""The run tables: built column by column in one go, they equal the tables built by adding columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.model import MODEL_OUTPUTS, STATE_OUTPUTS, NatoRussiaModel
from sim.runner import EVENT_COLUMNS, RunRecord

#: the integer columns of the timeseries (counts and the ladder's level)
INT_COLUMNS = ("escalation_level", "nato_members", "applicants", "members_at_2pct", "cooperation_areas")


def _reference(rec: RunRecord) -> dict[str, pd.DataFrame]:
    """The tables as first written: columns added and converted one at a time."""
    dates, seed = rec.dates, rec.seed
    ts = pd.DataFrame(rec.outputs, columns=list(MODEL_OUTPUTS))
    for col in INT_COLUMNS:
        ts[col] = ts[col].astype("int64")
    ts["founding_act_in_force"] = ts["founding_act_in_force"].astype(bool)
    ts.insert(0, "date", dates)
    ts.insert(0, "seed", seed)
    ts.insert(3, "russia_action", rec.actions)
    ts.insert(4, "russia_target", rec.targets)
    ts["dialogue_channel"] = rec.channels
    n = len(rec.codes)
    t = 0 if rec.state_records is None else len(dates)
    values = (
        np.zeros((0, len(STATE_OUTPUTS)))
        if rec.state_records is None
        else rec.state_records.transpose(0, 2, 1).reshape(t * n, len(STATE_OUTPUTS))
    )
    st = pd.DataFrame(values, columns=list(STATE_OUTPUTS))
    st["member"] = st["member"].astype(bool)
    st["applicant"] = st["applicant"].astype(bool)
    st.insert(0, "state", np.tile(np.array(rec.codes, dtype=object), t))
    st.insert(0, "date", np.repeat(dates[:t], n))
    st.insert(0, "seed", seed)
    ev = pd.DataFrame(rec.event_log, columns=list(EVENT_COLUMNS[1:]))
    ev.insert(0, "seed", seed)
    ev["date"] = pd.to_datetime(ev["date"])
    return {"timeseries": ts, "states": st, "events": ev}


@pytest.mark.parametrize("states", [True, False])
def test_tables_equal_the_reference(historical, states):
    model = NatoRussiaModel(historical.setup(), rng=2, mesa_collect=False).run()
    rec = RunRecord.of(model, 2, states)
    got, want = rec.tables(), _reference(rec)
    for name in want:
        pd.testing.assert_frame_equal(got[name], want[name], check_exact=True)
        assert [type(got[name][c].array) for c in got[name]] == [type(want[name][c].array) for c in want[name]]
    both = pd.concat([got["states"], got["states"]], ignore_index=True)
    pd.testing.assert_frame_equal(both, pd.concat([want["states"], want["states"]], ignore_index=True))
