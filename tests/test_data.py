"""Data files: roster facts with sources, the parameter registry, event types, historical consistency."""

from __future__ import annotations

import re
from datetime import date

import pytest

from sim import parameters
from sim.scenario import event_types, roster

from .conftest import ROOT

ARTICLE = ROOT.parent / "shared" / "article" / "nato-russia-article.md"


def test_roster_has_every_member_with_its_accession_date():
    states = {s["code"]: s for s in roster()}
    members = {c for c, s in states.items() if s["accession"] is not None}
    assert len(members) == 32
    assert states["FIN"]["accession"] == date(2023, 4, 4)
    assert states["SWE"]["accession"] == date(2024, 3, 7)
    assert sum(1 for s in states.values() if s["accession"] == date(1949, 4, 4)) == 12
    for code in ("RUS", "UKR", "GEO", "BLR", "CHN", "MDA", "AFR"):
        assert code in states and states[code]["accession"] is None


def test_every_roster_fact_has_a_source():
    for s in roster():
        for field in ("accession", "gdp_usd_bn", "defence_spending_pct_gdp", "milex_usd_bn",
                      "gas_share_from_russia", "proximity", "capital", "neutrality", "solidarity", "resolve"):
            assert s["sources"].get(field), f"{s['code']}.{field} has no source"


def test_every_parameter_has_value_range_unit_meaning_and_source():
    for p in parameters.registry().values():
        assert p.low <= p.value <= p.high, p.name
        assert p.unit and p.meaning and p.mechanism, p.name
        assert p.source_kind in ("article", "public fact", "assumption"), p.name
        if p.source_kind == "assumption":
            assert p.source.strip().lower() == "assumption", p.name


def test_article_quotes_in_the_registry_are_verbatim():
    if not ARTICLE.exists():
        pytest.skip("the article is not beside the repository")
    text = re.sub(r"\s+", " ", ARTICLE.read_text(encoding="utf-8"))
    for p in parameters.registry().values():
        if p.source_kind != "article":
            continue
        quote = re.search(r'"(.*)"', p.source).group(1).replace('\\"', '"')
        for part in quote.split(" ... "):
            assert part.strip(' ."') in text, f"{p.name}: {part!r} is not in the article"


def test_event_types_carry_goldstein_scores_in_range():
    types = event_types()
    assert len(types) >= 20
    for t in types.values():
        assert -10.0 <= t.goldstein <= 10.0
        if t.perceived_by_russia_param:
            assert t.perceived_by_russia_param in parameters.registry()


def test_scheduled_accessions_match_the_roster(historical):
    dates = {s["code"]: s["accession"] for s in roster()}
    for ev in historical.events:
        if ev.type == "accession":
            for code in ev.targets:
                assert dates[code] == ev.date, code
    scheduled = {c for ev in historical.events if ev.type == "accession" for c in ev.targets}
    assert "FIN" not in scheduled and "SWE" not in scheduled  # their accession is the agents' decision


def test_no_sanctions_aid_or_applications_are_scheduled_in_history(historical):
    types = {ev.type for ev in historical.events}
    assert not types & {"impose_sanctions", "provide_military_aid", "membership_application"}


def test_every_event_type_is_documented():
    doc = (ROOT / "docs" / "scenarios.md").read_text(encoding="utf-8")
    for name in event_types():
        assert f"`{name}`" in doc, f"docs/scenarios.md does not describe {name}"
