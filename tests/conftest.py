"""Shared fixtures: the historical scenario, fresh models, and the 20-seed ensembles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import sim
from sim.model import NatoRussiaModel

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
TEST_SCENARIOS = Path(__file__).resolve().parent / "scenarios"


@pytest.fixture(scope="session")
def historical() -> sim.Scenario:
    """The historical scenario, loaded once."""
    return sim.load_scenario(SCENARIOS / "historical.yaml")


@pytest.fixture
def model(historical) -> NatoRussiaModel:
    """A fresh historical model at its first date (nothing applied yet)."""
    return NatoRussiaModel(historical.setup(), rng=7, mesa_collect=False)


@pytest.fixture(scope="session")
def ensemble(historical) -> sim.RunResult:
    """The historical ensemble: 20 seeds."""
    return sim.run(historical, seeds=range(20), workers=2)


def reset_trust(world, value: float = 0.0):
    """Set every pair's trust to ``value`` (self-trust 1) and clear betrayal and hostility memory; return the world."""
    world.trust[:] = value
    np.fill_diagonal(world.trust, 1.0)
    world.memory[:] = 0.0
    world.hostile[:] = 0.0
    return world


def write(tmp_path: Path, name: str, text: str) -> Path:
    """Write a scenario file for a test and return its path."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path
