"""The scenario-question suite: each hypothetical's question, answered by the model.

Every hypothetical in scenarios/ states its question and the outcome metrics that
answer it (``question:``).  One slow test per (hypothetical, answer) checks, on one
shared ensemble, that the answer moves in the documented direction by more than the
seed noise: the paired difference against the reference exceeds the reference's own
10–90 % spread in more than half of the seeds (or, for a probability, the share of
seeds moves by at least 0.25) — the rules of ``sim.questions``.  Fast tests check the
schema and the arithmetic.
"""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim import metrics, questions
from sim.runner import run_many
from tests.conftest import write

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
SEEDS = range(12)


def _load_all() -> tuple[list[sim.Scenario], dict[str, str]]:
    """Load every scenario file (at collection); keep the errors for a test instead of failing collection."""
    loaded, errors = [], {}
    for f in sorted(SCENARIOS.glob("*.yaml")):
        try:
            loaded.append(sim.load_scenario(f))
        except sim.ScenarioError as exc:
            errors[f.name] = str(exc)
    return loaded, errors


LOADED, LOAD_ERRORS = _load_all()
HYPOTHETICALS = [sc for sc in LOADED if sc.question]
CASES = [(sc.name, k) for sc in HYPOTHETICALS for k in range(len(sc.question.answers))]
IDS = [f"{sc.name}-{a.metric}-{a.direction}" for sc in HYPOTHETICALS for a in sc.question.answers]


# -- the questions, answered ---------------------------------------------------------------
@pytest.fixture(scope="module")
def checks() -> dict[tuple[str, int], questions.Check]:
    """Run every reference and hypothetical once (12 seeds, to 2035) and judge every answer."""
    refs = {sc.question.against_path for sc in HYPOTHETICALS} - {sc.path for sc in HYPOTHETICALS}
    scenarios = [sim.load_scenario(p) for p in sorted(refs)] + HYPOTHETICALS
    results = run_many(scenarios, seeds=SEEDS, workers=2, states=False)
    found = questions.evaluate(scenarios, {sc.name: r for sc, r in zip(scenarios, results)})
    out: dict[tuple[str, int], questions.Check] = {}
    for c in found:
        k = sum(1 for key in out if key[0] == c.hypothetical)
        out[(c.hypothetical, k)] = c
    return out


@pytest.mark.slow
@pytest.mark.parametrize("name, k", CASES, ids=IDS)
def test_answer_moves_as_documented_beyond_seed_noise(checks, name: str, k: int) -> None:
    c = checks[(name, k)]
    if c.kind == "probability":
        gain = (c.hypo[0] - c.ref[0]) * (1 if c.direction == "higher" else -1)
        assert gain >= questions.SHARE_GAIN, (
            f"{name}: {c.metric} not clearly {c.direction}: share of seeds {c.hypo[0]:.0%} vs {c.ref[0]:.0%}")
        return
    band = c.difference * (1 if c.direction == "higher" else -1)
    assert band.quantile(0.1) > 0.0, f"{name}: {c.metric}: paired effects {band.round(4).tolist()} not all {c.direction}"
    assert band.median() >= questions.PRACTICAL * c.spread, (
        f"{name}: {c.metric}: median effect {band.median():.3g} below {questions.PRACTICAL} of the "
        f"{c.reference}'s spread {c.spread:.3g}")
    if c.strict:
        assert c.clear > questions.CLEAR_SHARE, (
            f"{name}: {c.metric}: clear of the {c.reference}'s 10-90 % spread {c.spread:.3g} in only "
            f"{c.clear_seeds}/{c.seeds} seeds (medians {c.hypo[0]:.3g} vs {c.ref[0]:.3g})")


# -- every hypothetical states its question ----------------------------------------------
def test_every_scenario_file_loads() -> None:
    assert not LOAD_ERRORS, "\n".join(LOAD_ERRORS.values())


def test_every_hypothetical_states_a_question() -> None:
    names = {sc.name for sc in HYPOTHETICALS}
    for sc in LOADED:
        if any(Path(p).name == "baseline.yaml" for p in sc.chain[:-1]):
            assert sc.name in names, f"{Path(sc.path).name} extends baseline.yaml but states no question"
    assert {"baltic_incursion", "ceasefire", "us_reduced", "china_support"} <= names
    accession = next(sc for sc in HYPOTHETICALS if sc.name == "ukraine_accession")
    assert accession.question.against == "ceasefire"


def test_question_is_kept_on_the_scenario_and_in_its_dict() -> None:
    sc = sim.load_scenario(SCENARIOS / "us_reduced.yaml")
    data = sc.to_dict()["question"]
    assert data["against"] == "baseline" and data["text"].startswith("If ")
    assert {"metric": "frontline_deterrence", "direction": "lower"}.items() <= data["answers"][0].items()
    assert sim.load_scenario(SCENARIOS / "baseline.yaml").to_dict()["question"] is None


# -- the schema ----------------------------------------------------------------------------
def _folder(tmp_path: Path) -> Path:
    """A folder with a reference scenario to extend and compare with."""
    write(tmp_path, "ref.yaml", f"name: ref\nextends: {SCENARIOS / 'baseline.yaml'}\n")
    return tmp_path


GOOD = 'question:\n  text: "If?"\n  against: ref\n  answers:\n    - {metric: war_months, direction: higher, why: war}\n'


@pytest.mark.parametrize(
    "block, where, words",
    [
        (GOOD.replace("war_months", "no_such_metric"), "question.answers[0].metric", ["unknown metric", "relations_at_horizon"]),
        (GOOD.replace("direction: higher", "direction: up"), "question.answers[0].direction", ["'higher'", "'lower'"]),
        (GOOD.replace('  text: "If?"\n', ""), "question.text", ["required"]),
        (GOOD.replace("why: war", "because: war"), "question.answers[0].because", ["unknown key", "why"]),
        (GOOD.replace("against: ref", "against: nowhere"), "question.against", ["no scenario", "ref"]),
        (GOOD.replace("against: ref", "against: hypo"), "question.against", ["itself"]),
        ('question:\n  text: "If?"\n  answers: []\n', "question.answers", ["at least 1"]),
        ("question: why not?\n", "question", ["mapping", "answers"]),
    ],
)
def test_bad_question_names_file_field_and_what_is_allowed(tmp_path, block, where, words) -> None:
    path = write(_folder(tmp_path), "hypo.yaml", "name: hypo\nextends: ref.yaml\n" + block)
    with pytest.raises(sim.ScenarioError) as info:
        sim.load_scenario(path)
    problems = [p for p in info.value.problems if p[1] == where]
    assert problems, info.value.problems
    assert problems[0][0] == str(path)
    for word in words:
        assert word in problems[0][2], problems[0]


def test_question_defaults_to_baseline_and_is_not_inherited(tmp_path) -> None:
    folder = _folder(tmp_path)
    write(folder, "baseline.yaml", f"name: baseline\nextends: {SCENARIOS / 'baseline.yaml'}\n")
    write(folder, "hypo.yaml", "name: hypo\nextends: ref.yaml\n" + GOOD.replace("  against: ref\n", ""))
    child = write(folder, "child.yaml", "name: child\nextends: hypo.yaml\n")
    hypo = sim.load_scenario(folder / "hypo.yaml")
    assert hypo.question.against == "baseline"
    assert hypo.question.against_path == str((folder / "baseline.yaml").resolve())
    assert hypo.question.answers[0].metric == "war_months"
    assert sim.load_scenario(child).question is None


def test_cli_exits_2_on_a_bad_question(tmp_path) -> None:
    folder = _folder(tmp_path)
    write(folder, "hypo.yaml", "name: hypo\nextends: ref.yaml\n" + GOOD.replace("direction: higher", "direction: up"))
    proc = subprocess.run([sys.executable, "-m", "sim", "questions", "--folder", str(folder), "--seeds", "1"],
                          check=False, capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr
    assert "hypo.yaml" in proc.stderr and "question.answers[0].direction" in proc.stderr
    assert "Traceback" not in proc.stderr


# -- the arithmetic ------------------------------------------------------------------------
def _seeds(**columns) -> pd.DataFrame:
    return pd.DataFrame(columns, index=pd.Index(range(len(next(iter(columns.values())))), name="seed"))


def test_quantity_rule_counts_seeds_clear_of_the_reference_spread() -> None:
    # reference 0,1,...,10: 10 % = 1, 90 % = 9, spread 8
    ref = _seeds(war_months=[float(v) for v in range(11)])
    hypo = _seeds(war_months=[v + d for v, d in zip(range(11), [9, 9, 9, 9, 9, 9, 8, 0, 20, -30, 9])])
    c = questions.check_answer(hypo, ref, "war_months", "higher")
    assert c.kind == "quantity" and c.seeds == 11
    assert c.spread == pytest.approx(8.0)
    assert c.clear == pytest.approx(8 / 11)  # 9,9,9,9,9,9,20,9 clear; 8 (not above), 0 and -30 not
    assert c.clear_seeds == 8 and c.strong
    # paired rule: sorted differences -30, 0, 8, 9 ... 20; 10 % quantile (linear) = the 2nd = 0, not above 0
    assert c.band_low == pytest.approx(0.0) and c.effect == pytest.approx(9.0)
    assert not c.paired and not c.passed
    assert c.agree == pytest.approx(9 / 11)  # every positive difference, 8 included
    assert c.ref == pytest.approx((5.0, 1.0, 9.0))
    assert list(c.difference) == [9, 9, 9, 9, 9, 9, 8, 0, 20, -30, 9]
    lower = questions.check_answer(hypo, ref, "war_months", "lower")
    assert lower.clear == pytest.approx(1 / 11) and not lower.passed


def test_quantity_rule_needs_more_than_half_and_pairs_by_seed() -> None:
    ref = _seeds(relations_at_horizon=[0.0, 0.1, 0.2, 0.3])  # spread 0.27 - 0.03 = 0.24
    hypo = _seeds(relations_at_horizon=[-0.3, -0.2, 0.2, 0.3])  # differences -0.3, -0.3, 0, 0
    c = questions.check_answer(hypo, ref, "relations_at_horizon", "lower")
    assert c.spread == pytest.approx(0.24)
    assert c.clear == pytest.approx(0.5) and not c.strong  # exactly half is not "most"
    assert not c.passed  # and half the seeds do not move at all: the paired band reaches zero
    shuffled = hypo.iloc[::-1]
    assert questions.check_answer(shuffled, ref, "relations_at_horizon", "lower").clear == pytest.approx(0.5)


def test_missing_values_are_never_clear() -> None:
    ref = _seeds(months_to_reopen=[10.0, 10.0, 10.0, math.nan])
    hypo = _seeds(months_to_reopen=[1.0, math.nan, 2.0, 3.0])
    c = questions.check_answer(hypo, ref, "months_to_reopen", "lower")
    assert c.spread == 0.0 and c.clear == pytest.approx(0.5) and not c.passed
    assert math.isnan(c.effect)  # a censored seed: no effect is stated


def test_paired_rule_band_above_zero_and_a_practical_size() -> None:
    # reference 0.0 .. 1.0 in steps of 0.1: 10 % = 0.1, 90 % = 0.9, spread 0.8
    ref = _seeds(threat_mean=[k / 10 for k in range(11)])
    small = _seeds(threat_mean=[k / 10 + 0.1 for k in range(11)])  # +0.1 in every seed: 0.1 < 0.25 * 0.8
    c = questions.check_answer(small, ref, "threat_mean", "higher")
    assert c.effect == pytest.approx(0.1) and c.band_low == pytest.approx(0.1)
    assert not c.paired and not c.passed
    big = _seeds(threat_mean=[k / 10 + 0.3 for k in range(11)])  # +0.3 everywhere: band above 0, 0.3 >= 0.2
    c = questions.check_answer(big, ref, "threat_mean", "higher")
    assert c.paired and c.passed and not c.strong  # 0.3 is not clear of the whole spread 0.8
    assert not questions.check_answer(big, ref, "threat_mean", "higher", strict=True).passed
    huge = _seeds(threat_mean=[k / 10 + 0.9 for k in range(11)])
    assert questions.check_answer(huge, ref, "threat_mean", "higher", strict=True).passed
    assert not questions.check_answer(big, ref, "threat_mean", "lower").passed


def test_probability_rule_compares_shares_of_seeds() -> None:
    ref = _seeds(p_reopen=[0.0, 0.0, 0.0, 1.0], relations_at_horizon=[0.0] * 4)
    hypo = _seeds(p_reopen=[1.0, 0.0, 0.0, 1.0], relations_at_horizon=[0.0] * 4)
    c = questions.check_answer(hypo, ref, "p_reopen", "higher")
    assert c.kind == "probability" and c.hypo[0] == 0.5 and c.ref[0] == 0.25
    assert c.passed  # +0.25 reaches the required gain
    assert not questions.check_answer(hypo, ref, "p_reopen", "lower").passed
    same = _seeds(p_reopen=[1.0, 0.0, 0.0, 0.0], relations_at_horizon=[0.0] * 4)  # other seeds, same share
    assert not questions.check_answer(same, ref, "p_reopen", "higher").passed
    fewer = _seeds(p_reopen=[0.0, 0.0, 0.0, 0.0], relations_at_horizon=[0.0] * 4)
    assert questions.check_answer(fewer, hypo, "p_reopen", "lower").passed  # 0.5 -> 0
    assert questions.check_answer(fewer, ref, "p_reopen", "lower").passed  # 0.25 -> 0: exactly the gain


def test_markdown_table_has_a_row_per_answer() -> None:
    ref = _seeds(war_months=[0.0, 1.0, 2.0], p_level_5=[0.0, 0.0, 0.0])
    hypo = _seeds(war_months=[10.0, 11.0, 12.0], p_level_5=[1.0, 1.0, 0.0])
    checks = [
        questions.check_answer(hypo, ref, "war_months", "higher", hypothetical="h", reference="r",
                               question="If | what?", why="longer war"),
        questions.check_answer(hypo, ref, "p_level_5", "higher", hypothetical="h", reference="r",
                               question="If | what?", why="escalation"),
    ]
    text = questions.markdown(checks)
    rows = [line for line in text.splitlines() if line.startswith(("| h (", "|  |"))]
    assert len(rows) == 2
    assert "If \\| what?" in rows[0] and "`war_months` (higher)" in rows[0] and "3/3" in rows[0]
    assert "3/3 of the right sign" in rows[0] and "effect 10" in rows[0]
    assert "67% of seeds vs 0%" in rows[1] and "escalation" in rows[1]
    assert questions.table(checks).passed.tolist() == [True, True]


def test_every_per_seed_metric_is_documented() -> None:
    documented = {m.name for m in metrics.METRICS}
    for name in metrics.PER_SEED:
        assert name in documented or name.startswith(("share_", "mean_p_", "p_level_")), name
    assert set(metrics.PROBABILITIES) == {f"p_level_{n}" for n in range(1, 6)} | {"p_reopen", "p_article5"}
