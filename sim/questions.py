"""Scenario questions: does each hypothetical's answer move in its documented direction?

A hypothetical's file states a ``question`` (see ``sim.scenario``): a reference
scenario (``against``) and answers, each an outcome metric of
``sim.metrics.PER_SEED`` and a direction (``higher`` or ``lower``).  Both
ensembles are run with the same seeds and measured from their branching date to
the question's ``horizon`` if it has one (a crisis is answered in its aftermath), else
to the earlier of their ends.  An answer is then judged by one of two rules:

* a quantity: for each seed, the paired difference hypothetical − reference
  (signed so that the documented direction is positive).  The two runs of a seed
  draw the same random numbers for the same decisions (the model's streams), so
  the paired difference is the hypothetical's effect, and its spread over seeds is
  its seed noise.  The answer holds (*paired rule*) when the 10–90 % band of the
  signed differences lies wholly on the documented side (its 10 % quantile is
  above zero) and the median effect is at least ``PRACTICAL`` (a quarter) of the
  reference's own 10–90 % spread over seeds (an effect too small to see against
  the reference's range of outcomes is not an answer).  An answer marked
  ``strict`` is also held to the *strict rule*: a seed is *clear* when its signed
  difference exceeds the whole of the reference's spread, and more than
  ``CLEAR_SHARE`` (a half) of the seeds must be clear.  A seed with a missing
  value (a censored ``months_to_*``) counts against both rules.
* a probability (``p_*``, 1 or 0 per seed): the share of seeds with the outcome
  in the hypothetical minus that in the reference, in the documented
  direction, must be at least ``SHARE_GAIN`` (0.25).

Nothing here reads or writes files except ``write``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from sim import metrics
from sim.compare import branch_date
from sim.runner import RunResult
from sim.scenario import Answer, Scenario

CLEAR_SHARE = 0.5
SHARE_GAIN = 0.25
PRACTICAL = 0.25


@dataclass(frozen=True)
class Check:
    """The verdict on one answer of one hypothetical's question, with the figures behind it."""

    hypothetical: str
    reference: str
    question: str
    metric: str
    direction: str
    why: str
    kind: str  # "quantity" or "probability"
    seeds: int
    #: paired differences hypothetical − reference per seed (raw, not signed)
    difference: pd.Series
    #: the reference's 10–90 % spread over seeds (quantities; NaN for probabilities)
    spread: float
    #: share of seeds whose signed difference exceeds the spread (quantities; NaN for probabilities)
    clear: float
    #: share of seeds whose difference has the documented sign, however small (quantities; NaN for probabilities)
    agree: float
    #: median and 10 % quantile of the signed differences (quantities; NaN for probabilities)
    effect: float
    band_low: float
    #: the paired rule holds / the strict rule holds (quantities; the share rule for probabilities)
    paired: bool
    strong: bool
    #: the answer is held to the strict rule as well
    strict: bool
    #: hypothetical's and reference's median, 10 % and 90 % (quantities) or share of seeds (probabilities)
    hypo: tuple[float, float, float]
    ref: tuple[float, float, float]
    passed: bool
    branch: pd.Timestamp | None = None
    horizon: pd.Timestamp | None = None

    @property
    def verdict(self) -> str:
        """Return 'answered' if the answer moves as documented by more than the noise, else 'not answered'."""
        return "answered" if self.passed else "not answered"

    @property
    def clear_seeds(self) -> int:
        """Return the number of clear seeds (quantities) or 0 (probabilities)."""
        return 0 if self.kind == "probability" else round(self.clear * self.seeds)


def _summary(values: pd.Series) -> tuple[float, float, float]:
    """Return median, 10 % and 90 % of values (NaN dropped)."""
    v = values.dropna().astype(float)
    if v.empty:
        return (np.nan, np.nan, np.nan)
    return (float(v.median()), float(v.quantile(0.1)), float(v.quantile(0.9)))


def check_answer(
    hypo: pd.DataFrame,
    ref: pd.DataFrame,
    metric: str,
    direction: str,
    *,
    hypothetical: str = "",
    reference: str = "",
    question: str = "",
    why: str = "",
    strict: bool = False,
) -> Check:
    """Judge one answer from two per-seed tables (indexed by seed; only seeds in both count)."""
    if direction not in ("higher", "lower"):
        raise ValueError(f"direction must be higher or lower, got {direction!r}")
    seeds = hypo.index.intersection(ref.index)
    h, r = hypo.loc[seeds, metric].astype(float), ref.loc[seeds, metric].astype(float)
    sign = 1.0 if direction == "higher" else -1.0
    difference = h - r
    common = {"hypothetical": hypothetical, "reference": reference, "question": question, "metric": metric,
              "direction": direction, "why": why, "seeds": len(seeds), "difference": difference, "strict": strict}
    if metric in metrics.PROBABILITIES:
        hs, rs = float((h > 0).mean()), float((r > 0).mean())
        passed = bool(len(seeds)) and sign * (hs - rs) >= SHARE_GAIN - 1e-12
        return Check(kind="probability", spread=np.nan, clear=np.nan, agree=np.nan, effect=np.nan,
                     band_low=np.nan, paired=passed, strong=passed, hypo=(hs, np.nan, np.nan),
                     ref=(rs, np.nan, np.nan), passed=passed, **common)
    ref_summary = _summary(r)
    spread = ref_summary[2] - ref_summary[1]
    signed = sign * difference
    clear_seeds = (signed > spread).fillna(False)
    clear = float(clear_seeds.mean()) if len(seeds) else 0.0
    agree = float((signed > 0).mean()) if len(seeds) else 0.0
    if len(seeds) and not signed.isna().any():
        effect, band_low = float(signed.median()), float(signed.quantile(0.1))
    else:  # a censored seed (or none): no effect can be stated
        effect, band_low = np.nan, np.nan
    paired = bool(band_low > 0.0 and effect >= PRACTICAL * spread) if not np.isnan(effect) else False
    strong = clear > CLEAR_SHARE
    return Check(kind="quantity", spread=float(spread), clear=clear, agree=agree, effect=effect, band_low=band_low,
                 paired=paired, strong=strong, hypo=_summary(h), ref=ref_summary,
                 passed=paired and (strong or not strict), **common)


def pairs(scenarios: list[Scenario], only: list[str] | None = None) -> list[tuple[Scenario, Scenario]]:
    """Return (hypothetical, reference) for every scenario with a question (or those named in ``only``)."""
    by_path = {Path(sc.path).resolve(): sc for sc in scenarios if sc.path}
    by_name = {sc.name: sc for sc in scenarios}
    out = []
    for sc in scenarios:
        if sc.question is None or (only is not None and sc.name not in only):
            continue
        ref = by_path.get(Path(sc.question.against_path).resolve()) if sc.question.against_path else None
        ref = ref or by_name.get(sc.question.against)
        if ref is None:
            raise KeyError(f"{sc.name}: its reference {sc.question.against!r} is not among the scenarios")
        out.append((sc, ref))
    return out


def evaluate(
    scenarios: list[Scenario],
    results: Mapping[str, RunResult],
    horizon: pd.Timestamp | None = None,
    only: list[str] | None = None,
) -> list[Check]:
    """Judge every answer of every scenario with a question, or of those in ``only`` (``results`` by name)."""
    checks: list[Check] = []
    for hypo_sc, ref_sc in pairs(scenarios, only):
        branch = branch_date([ref_sc, hypo_sc])
        end = pd.Timestamp(min(hypo_sc.end, ref_sc.end))
        if hypo_sc.question.horizon is not None:  # the question's own horizon
            end = min(pd.Timestamp(hypo_sc.question.horizon), end)
        until = end if horizon is None else min(pd.Timestamp(horizon), end)
        hypo = metrics.per_seed(results[hypo_sc.name], branch, until)
        ref = metrics.per_seed(results[ref_sc.name], branch, until)
        for answer in hypo_sc.question.answers:
            checks.append(_judge(hypo, ref, hypo_sc, ref_sc, answer, branch, until))
    return checks


def _judge(hypo: pd.DataFrame, ref: pd.DataFrame, hypo_sc: Scenario, ref_sc: Scenario, answer: Answer,
           branch: pd.Timestamp, horizon: pd.Timestamp) -> Check:
    """Judge one answer of a pair and note where it was measured."""
    check = check_answer(hypo, ref, answer.metric, answer.direction, hypothetical=hypo_sc.name,
                         reference=ref_sc.name, question=hypo_sc.question.text, why=answer.why,
                         strict=answer.strict)
    return replace(check, branch=branch, horizon=horizon)


def table(checks: list[Check]) -> pd.DataFrame:
    """Return the checks as a flat table (one row per answer)."""
    rows = []
    for c in checks:
        rows.append({
            "hypothetical": c.hypothetical, "reference": c.reference, "metric": c.metric,
            "direction": c.direction, "kind": c.kind, "seeds": c.seeds,
            "hypo_median": c.hypo[0], "hypo_p10": c.hypo[1], "hypo_p90": c.hypo[2],
            "ref_median": c.ref[0], "ref_p10": c.ref[1], "ref_p90": c.ref[2],
            "ref_spread": c.spread, "clear_share": c.clear, "same_sign_share": c.agree,
            "effect_median": c.effect, "effect_p10": c.band_low, "paired_rule": c.paired, "strict_rule": c.strong,
            "strict": c.strict, "passed": c.passed,
            "branch": None if c.branch is None else f"{c.branch:%Y-%m}",
            "horizon": None if c.horizon is None else f"{c.horizon:%Y-%m}",
        })
    return pd.DataFrame(rows)


def _fmt(x: float) -> str:
    """Format a figure with three significant digits."""
    return "–" if pd.isna(x) else f"{x:.3g}"


def _cell(c: Check) -> str:
    """Return the answer cell: the hypothetical's figure vs the reference's."""
    if c.kind == "probability":
        return f"{c.hypo[0]:.0%} of seeds vs {c.ref[0]:.0%}"
    h, r = c.hypo, c.ref
    return f"{_fmt(h[0])} ({_fmt(h[1])}–{_fmt(h[2])}) vs {_fmt(r[0])} ({_fmt(r[1])}–{_fmt(r[2])})"


def _clear_cell(c: Check) -> str:
    """Return the verdict cell: the paired effect and, for every quantity, the strict rule's count."""
    mark = "✓" if c.passed else "✗"
    if c.kind == "probability":
        return f"{mark} share gain {c.hypo[0] - c.ref[0]:+.0%} (needs {'+' if c.direction == 'higher' else '−'}{SHARE_GAIN:.0%})"
    same = round(c.agree * c.seeds)
    strict = " (strict rule required)" if c.strict else ""
    return (f"{mark} effect {_fmt(c.effect)}, 10 % {_fmt(c.band_low)}; {same}/{c.seeds} of the right sign; "
            f"clear of the spread {_fmt(c.spread)} in {c.clear_seeds}/{c.seeds}{strict}")


def markdown(checks: list[Check]) -> str:
    """Return the questions table as Markdown, one row per answer."""
    seeds = sorted({c.seeds for c in checks})
    failed = sum(not c.passed for c in checks)
    lines = [
        "# Scenario questions",
        "",
        (f"{len(checks)} answers of {len({c.hypothetical for c in checks})} hypotheticals, "
         f"{'/'.join(map(str, seeds)) or 0} seeds each; {len(checks) - failed} answered, {failed} not."),
        (f"Paired rule: the 10–90 % band of the paired effects (hypothetical − reference, same seed and random "
         f"numbers, signed in the documented direction) lies above zero and the median effect is at least "
         f"{PRACTICAL:.0%} of the reference's 10–90 % spread. Strict rule (answers marked so): the effect exceeds "
         f"that whole spread in more than {CLEAR_SHARE:.0%} of seeds. A probability holds when its share of "
         f"seeds moves by at least {SHARE_GAIN:.0%}."),
        "Answer: median (10–90 %) over seeds, hypothetical vs reference.",
        "",
        "| hypothetical | question | metric (direction) | answer: hypothetical vs reference | verdict | mechanisms |",
        "|---|---|---|---|---|---|",
    ]
    previous = None
    for c in checks:
        first = c.hypothetical != previous
        previous = c.hypothetical
        name = f"{c.hypothetical} (vs {c.reference})" if first else ""
        question = c.question.replace("|", "\\|") if first else ""
        lines.append(f"| {name} | {question} | `{c.metric}` ({c.direction}) | {_cell(c)} | {_clear_cell(c)} | "
                     f"{c.why.replace('|', '\\|')} |")
    return "\n".join(lines) + "\n"


def write(checks: list[Check], path: str | Path) -> Path:
    """Write the Markdown table to ``path`` and the flat table beside it (same name, ``.csv``); return the path."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(markdown(checks), encoding="utf-8")
    csv = out.with_suffix(".csv")
    table(checks).to_csv(csv if csv != out else out.with_suffix(".table.csv"), index=False)
    return out


__all__ = ["CLEAR_SHARE", "PRACTICAL", "SHARE_GAIN", "Check", "check_answer", "evaluate", "markdown", "pairs", "table", "write"]
