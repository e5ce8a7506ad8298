"""Hypothetical scenarios: every scenario file runs, and each hypothetical moves the
outcome it claims (its header comment) in the claimed direction against the baseline.

Claims are about the behaviour of the mechanisms, paired by seed: the share of seeds
in which the hypothetical lies above (or below) the baseline is more than a half, or,
for a probability, the share of seeds reaching an escalation level is clearly larger.
No test asserts a constant of the model's output.
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim import metrics
from sim.compare import branch_date
from sim.runner import run_many

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
FILES = sorted(SCENARIOS.glob("*.yaml"))  # the sweeps/ subfolder, if any, is not globbed
HYPOTHETICALS = (
    "ceasefire",
    "baltic_incursion",
    "ukraine_accession",
    "china_support",
    "member_drift",
    "ammunition_depleted",
    "gas_cutoff",
    "southern_crisis",
    "us_reduced",
    "hybrid_infrastructure",
    "russia_economic_crisis",
    "nuclear_crisis",
    "moldova_crisis",
)
SEEDS = range(12)
HORIZON = pd.Timestamp("2035-12-01")
SHORT_END = datetime.date(2026, 12, 1)


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_scenario_loads_and_runs(path: Path) -> None:
    scenario = sim.load_scenario(path)
    short = dataclasses.replace(scenario, end=min(scenario.end, SHORT_END))
    result = sim.run(short, seeds=range(2))
    relations = result.timeseries.relations_index
    assert len(relations) > 0
    assert relations.between(-1.0, 1.0).all()


def test_every_hypothetical_has_a_file_extending_baseline() -> None:
    for name in HYPOTHETICALS:
        scenario = sim.load_scenario(SCENARIOS / f"{name}.yaml")
        assert Path(scenario.chain[-2]).name == "baseline.yaml", name
        new = [e for e in scenario.events if e.date >= datetime.date(2023, 8, 1)]
        assert new and all(e.source and len(e.label) < 40 for e in new), name


@dataclasses.dataclass
class Pair:
    """A hypothetical and its reference ensemble, measured from their branching date."""

    hypo: pd.DataFrame
    ref: pd.DataFrame

    def share_above(self, column: str) -> float:
        """Share of seeds where the hypothetical's value exceeds the reference's."""
        return float((self.hypo[column] > self.ref[column]).mean())

    def share_below(self, column: str) -> float:
        """Share of seeds where the hypothetical's value is below the reference's."""
        return float((self.hypo[column] < self.ref[column]).mean())

    def reach_gain(self, level: int) -> float:
        """Share of seeds reaching an escalation level: hypothetical minus reference."""
        return float((self.hypo.max_escalation >= level).mean() - (self.ref.max_escalation >= level).mean())


def _table(result, branch: pd.Timestamp) -> pd.DataFrame:
    """Per-seed metrics plus window means and horizon values of a few timeseries columns."""
    table = metrics.per_seed(result, branch, HORIZON)
    ts = result.timeseries
    window = ts[(ts.date >= branch) & (ts.date <= HORIZON)]
    end = ts[ts.date == ts[ts.date <= HORIZON].date.max()].set_index("seed")
    for col in ("mean_threat_from_russia", "russia_trust_in_nato", "war_intensity_max", "frontline_deterrence"):
        table[f"mean_{col}"] = window.groupby("seed")[col].mean()
    for col in ("russia_energy_leverage", "russia_revisionism"):
        table[f"end_{col}"] = end[col]
    return table


@pytest.fixture(scope="module")
def ensembles() -> dict[str, object]:
    """Run baseline and every hypothetical through one pool: 12 seeds each, to 2035."""
    scenarios = [sim.load_scenario(SCENARIOS / f"{n}.yaml") for n in ("baseline", *HYPOTHETICALS)]
    results = run_many(scenarios, seeds=SEEDS, workers=2, states=False)
    return {sc.name: (sc, res) for sc, res in zip(scenarios, results)}


def _pair(ensembles, name: str, reference: str = "baseline") -> Pair:
    (ref_sc, ref_res), (sc, res) = ensembles[reference], ensembles[name]
    branch = branch_date([ref_sc, sc])
    assert branch >= pd.Timestamp("2023-08-01")
    return Pair(_table(res, branch), _table(ref_res, branch))


def test_ceasefire_relations_recover_above_baseline(ensembles) -> None:
    pair = _pair(ensembles, "ceasefire")
    assert pair.share_above("relations_at_horizon") > 0.5
    # a partial recovery only: relations stay below their 1997-2002 peak of the same run
    ts = ensembles["ceasefire"][1].timeseries
    peak = ts[ts.date.dt.year.between(1997, 2002)].groupby("seed").relations_index.max()
    assert (pair.hypo.relations_at_horizon < peak).mean() > 0.5


def test_baltic_incursion_reaches_nato_russia_war(ensembles) -> None:
    pair = _pair(ensembles, "baltic_incursion")
    assert pair.reach_gain(5) >= 0.5


def test_ukraine_accession_lowers_russias_trust_on_the_ceasefire_path(ensembles) -> None:
    # the accession path shares the ceasefire path's events: the two branch later than the ceasefire
    scenarios = [ensembles[n][0] for n in ("baseline", "ceasefire", "ukraine_accession")]
    assert branch_date(scenarios[1:]) > branch_date(scenarios[:2])
    pair = _pair(ensembles, "ukraine_accession", reference="ceasefire")
    assert pair.share_below("mean_russia_trust_in_nato") > 0.5


def test_china_support_relieves_strain_and_weakens_deterrence(ensembles) -> None:
    pair = _pair(ensembles, "china_support")
    assert pair.share_below("russia_strain") > 0.5
    assert pair.share_below("mean_frontline_deterrence") > 0.5


def test_member_drift_lowers_cohesion(ensembles) -> None:
    pair = _pair(ensembles, "member_drift")
    assert pair.share_below("cohesion_min") > 0.5


@pytest.mark.parametrize("name", ["ammunition_depleted", "southern_crisis", "us_reduced"])
def test_weaker_alliance_lowers_eastern_deterrence(ensembles, name: str) -> None:
    pair = _pair(ensembles, name)
    assert pair.share_below("frontline_deterrence") > 0.5


def test_gas_cutoff_destroys_russias_energy_leverage(ensembles) -> None:
    pair = _pair(ensembles, "gas_cutoff")
    assert pair.share_below("end_russia_energy_leverage") > 0.5


def test_hybrid_campaign_raises_threat_and_lowers_relations(ensembles) -> None:
    pair = _pair(ensembles, "hybrid_infrastructure")
    assert pair.share_above("mean_mean_threat_from_russia") > 0.5
    assert pair.share_below("relations_at_horizon") > 0.5


def test_russian_economic_crisis_shortens_the_war_and_tempers_ambition(ensembles) -> None:
    pair = _pair(ensembles, "russia_economic_crisis")
    at_war = pair.ref.mean_war_intensity_max > 0.0  # seeds whose war is not over at the branch
    assert at_war.any()
    assert (pair.hypo.mean_war_intensity_max < pair.ref.mean_war_intensity_max)[at_war].mean() > 0.5
    assert pair.share_below("end_russia_revisionism") > 0.5


def test_nuclear_crisis_raises_threat(ensembles) -> None:
    pair = _pair(ensembles, "nuclear_crisis")
    assert pair.share_above("mean_mean_threat_from_russia") > 0.5


def test_moldova_crisis_brings_war_with_a_non_member(ensembles) -> None:
    pair = _pair(ensembles, "moldova_crisis")
    assert pair.reach_gain(4) >= 0.3
