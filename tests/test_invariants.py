"""Invariants under random parameters drawn within the registry's ranges (property-based)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import parameters
from sim.model import NatoRussiaModel
from sim.runner import frames

REGISTRY = parameters.registry()
PARAMS = st.fixed_dictionaries(
    {name: st.floats(p.low, p.high, allow_nan=False) for name, p in REGISTRY.items()}
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(values=PARAMS, seed=st.integers(0, 2**31 - 1))
def test_outputs_stay_in_range_and_finite(historical, values, seed):
    model = NatoRussiaModel(historical.setup(**values), rng=seed, mesa_collect=False).run()
    w = model.world
    assert np.isfinite(w.trust).all() and (np.abs(w.trust) <= 1.0 + 1e-9).all()
    from sim.mechanisms import threat

    full = threat.matrix(w, model.p)
    assert ((full >= 0) & (full < 1)).all()
    t = frames(model, seed)
    ts, states = t["timeseries"], t["states"]
    numeric = ts.select_dtypes("number")
    assert np.isfinite(numeric.to_numpy()).all()
    assert ts.relations_index.between(-1, 1).all()
    assert ts.escalation_level.between(0, 5).all()
    probs = ts[[c for c in ts.columns if c.startswith("p_")]].sum(axis=1)
    assert np.allclose(probs, 1.0)
    for col in ("trust_in_russia", "russia_trust_in_state"):
        assert states[col].between(-1, 1).all()
    for col in ("threat_from_russia", "forward_presence", "sanctions", "military_aid", "energy_dependence",
                "solidarity", "war_intensity"):
        assert states[col].between(0, 1).all(), col
    assert states.stocks.between(0.05, 1).all()
    assert (states.defence_spending_pct_gdp >= 0).all()
    det = states[states.state != "RUS"].deterrence_credibility
    assert det.between(0, 1).all()
    assert states[states.state == "RUS"].deterrence_credibility.isna().all()
    assert (ts.nato_members.diff().fillna(0) >= 0).all()  # nobody leaves the alliance
    for name in ("revisionism", "encirclement", "strain", "leverage", "cohesion"):
        value = getattr(w, name)
        assert 0.0 <= value <= 1.0, name
