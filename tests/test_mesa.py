"""The model is a plain Mesa model: Mesa's own tools work on it."""

from __future__ import annotations

import mesa

from sim.agents import RussiaAgent, StateAgent
from sim.model import NatoRussiaModel
from sim.scenario import default_setup


def test_agents_are_mesa_agents_in_an_agentset(model):
    assert isinstance(model, mesa.Model)
    agents = model.agents.to_list()
    assert len(agents) == len(model.world.codes)
    assert all(isinstance(a, StateAgent) for a in agents)
    assert isinstance(model.russia, RussiaAgent)
    members = model.agents.select(lambda a: a.member)
    assert len(members) == int(model.world.member.sum())
    assert model.states["POL"].threat_from_russia > model.states["PRT"].threat_from_russia


def test_datacollector_collects_headline_outputs(historical):
    m = NatoRussiaModel(historical.setup(), rng=1)
    for _ in range(12):
        m.step()
    df = m.datacollector.get_model_vars_dataframe()
    assert len(df) == 12 and {"relations_index", "escalation_level", "russia_action"} <= set(df.columns)


def test_batch_run_works_and_is_seeded():
    setup = default_setup()
    kwargs = {
        "parameters": {"setup": [setup], "trust_negative_gain": [0.3, 0.5]},
        "number_processes": 1,
        "max_steps": 24,
        "display_progress": False,
    }
    a = mesa.batch_run(NatoRussiaModel, rng=[1, 2], **kwargs)
    b = mesa.batch_run(NatoRussiaModel, rng=[1, 2], **kwargs)
    assert len(a) == 4
    assert [r["relations_index"] for r in a] == [r["relations_index"] for r in b]
