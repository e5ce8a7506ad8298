"""Defence spending: each state's budget, from its own level, its threat, the alliance's pledges and its purse.

Article: "member states agreed on the need to commit to increasing defense
investments"; "NATO considers the Russian state the main danger to its member
states"; Russia "seems to respond with more forces and technology".

A state's spending (% of GDP) moves toward a target by partial adjustment,
faster up than down (budgets ratchet).  An ally's target is built from the
record's own drivers:

- its **anchor**, the level it was observed to spend in the scenario's anchor
  year (a fact of the record, not a parameter), cut by **austerity** while its
  economy grows below normal (fiscal stress, from its real-GDP path);
- its **threat** from Russia above the level at which states hold their
  anchored budgets, scaled by its exposure (its resolve times its closeness to
  Russia: the threat to its own territory); the excess is measured as the
  threat's intensity ``z`` (threat = 1 − exp(−z)), which does not saturate as
  the perception does near 1, so a frontline state facing a war next door
  responds as much more than a rear one as its threat terms are larger;
- the alliance's **pledge** (the 2 % guideline): a member spending below it is
  pulled toward it as far as its solidarity and its threat above the calm level make
  it honour the pledge, and the more so as the pledge's horizon nears (Wales
  2014: "within a decade") or at once when its threat is high; a floor
  (Vilnius 2023) presses in full at once; the pull grows when the United
  States' commitment to Europe weakens (burden sharing);
- its **contribution** to collective defence while the alliance is at war.

Budgets are set in money: when real GDP moves, the share moves with it at once
(the 2009 and 2020 recessions lift the ratios) and the state then adjusts.
Russia's target is its peacetime level plus its rearmament as its revisionist
ambition grows, its response to the threat it sees from members and its wars'
cost.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from numba import njit

from sim.mechanisms import collective_defence
from sim.mechanisms.trust import rate
from sim.world import World

if TYPE_CHECKING:
    from sim.draws import Draws


@njit(cache=True)
def _targets(spend, threat, russia_threat, war, base, resolve, prox, solidarity, member, forces, stress, r, response,
             threshold, austerity, guideline, pull, urgency, threat_reference, russia_response, russia_ambition,
             revisionism, war_spending, contribution, alliance_war, terms):
    # terms (5 x n): what each term added — anchor, austerity, threat, pledge, war (read by ``target_terms``)
    n = len(spend)
    terms[:, :] = 0.0
    top_threat, top_war = 0.0, 0.0  # Russia's highest threat from a member, its largest war
    for i in range(n):
        if member[i]:
            top_threat = max(top_threat, russia_threat[i])
        top_war = max(top_war, war[i])
    target = np.empty(n)
    for i in range(n):
        if i == r:
            # peacetime level + ambition (rearmament) + the threat it sees from members + its wars
            target[i] = base[r] + russia_ambition * revisionism + russia_response * top_threat + war_spending * top_war
            terms[0, i] = target[i]
            continue
        # anchor * (1 - austerity * stress) + response * resolve * closeness * excess, the excess of threat over the
        # threshold measured as intensity (threat = 1 - exp(-z)): ln((1 - threshold) / (1 - threat))
        t = base[i] * max(1.0 - austerity * stress[i], 0.0)
        terms[0, i], terms[1, i] = base[i], t - base[i]
        if not forces[i]:  # no armed forces: a civil budget that follows neither threat nor pledges
            target[i] = t
            continue
        if threat[i] > threshold:
            terms[2, i] = response * resolve[i] * prox[i] * np.log((1.0 - threshold) / (1.0 - threat[i]))
            t += terms[2, i]
        if guideline > 0.0 and member[i] and threat[i] > threshold:
            # pull * solidarity * press * max(0, guideline - spending): a member honours the pledge as far as
            # its threat exceeds the calm level (honour, in full from the reference up), and presses on as
            # the horizon nears or at once when the threat is high: press = honour * max(urgency, honour)
            honour = min((threat[i] - threshold) / max(threat_reference - threshold, 1e-9), 1.0)
            terms[3, i] = pull * solidarity[i] * honour * max(urgency, honour) * max(guideline - spend[i], 0.0)
            t += terms[3, i]
        terms[4, i] = alliance_war * contribution[i]
        target[i] = t + terms[4, i]  # at war under Article 5
    return target


@njit(cache=True)
def _adjust(spend, cap, target, gdp, cap_factor, noise, r, rise, fall, partner_capability, adjust):
    for i in range(len(spend)):
        gap = target[i] - spend[i]
        moved = spend[i] + (rise if gap > 0.0 else fall) * gap + noise[i]
        spend[i] = min(max(moved, 0.0), 12.0)
        milex = gdp[i] * spend[i] / 100.0 * cap_factor[i]
        if i == r:
            milex += partner_capability
        cap[i] += (milex - cap[i]) * adjust


@njit(cache=True)
def _targets_runs(spend, threat, russia_threat, war, base, resolve, prox, solidarity, member, forces, stress, r,
                  response, threshold, austerity, guideline, pull, urgency, threat_reference, russia_response,
                  russia_ambition, revisionism, war_spending, contribution, alliance_war, out):
    terms = np.empty((5, spend.shape[1]))
    for q in range(spend.shape[0]):
        out[q] = _targets(spend[q], threat[q], russia_threat[q], war[q], base[q], resolve[q], prox[q], solidarity[q],
                          member[q], forces[q], stress[q], r, response[q], threshold[q], austerity[q], guideline[q],
                          pull[q], urgency[q], threat_reference[q], russia_response[q], russia_ambition[q],
                          revisionism[q], war_spending[q], contribution[q], alliance_war[q], terms)


@njit(cache=True)
def _adjust_runs(spend, cap, target, gdp, cap_factor, noise, r, rise, fall, partner_capability, adjust):
    for q in range(spend.shape[0]):
        _adjust(spend[q], cap[q], target[q], gdp[q], cap_factor[q], noise[q], r, rise[q], fall[q],
                partner_capability[q], adjust[q])


def pledge_urgency(w: World, p, year: float) -> float:
    """Return how hard the spending pledge presses now, 0..1: growing toward its horizon, full for a floor."""
    if w.pledge_floor or w.pledge_horizon <= w.pledge_since:
        return 1.0
    elapsed = (year - w.pledge_since) / (w.pledge_horizon - w.pledge_since)
    return p.pledge_early_urgency + (1.0 - p.pledge_early_urgency) * min(max(elapsed, 0.0), 1.0)


def pledge_urgency_runs(W, P, year: float) -> np.ndarray:
    """``pledge_urgency`` for every run of a lockstep ensemble (``W`` its world arrays, ``P`` its parameter arrays)."""
    full = W.pledge_floor | (W.pledge_horizon <= W.pledge_since)
    span = np.where(full, 1.0, W.pledge_horizon - W.pledge_since)
    elapsed = (year - W.pledge_since) / span
    urgency = P.pledge_early_urgency + (1.0 - P.pledge_early_urgency) * np.minimum(np.maximum(elapsed, 0.0), 1.0)
    return np.where(full, 1.0, urgency)


#: the terms of a spending target, in the order ``_targets`` writes them
TERMS = ("anchor", "austerity", "threat", "pledge", "war")


def targets(w: World, p, year: float, terms: np.ndarray | None = None) -> np.ndarray:
    """Return every state's spending target (% GDP) in the world as it stands (``terms``: filled with its terms)."""
    pull = w.pledge * p.pledge_pull * (1.0 + p.burden_sharing_weight * (1.0 - p.us_commitment))
    if terms is None:
        terms = np.empty((len(TERMS), w.n))
    return _targets(
        w.spend, w.threat_from_russia, w.russia_threat, w.war, w.spend_base, w.resolve, w.prox_r, w.solidarity,
        w.member, w.armed_forces, w.fiscal_stress, w.r, p.spending_threat_response, p.spending_threat_threshold,
        p.austerity_weight, w.guideline_pct, pull, pledge_urgency(w, p, year), p.pledge_threat_reference,
        p.russia_spending_threat_response, p.russia_ambition_spending, w.revisionism, p.russia_war_spending,
        w.contribution,
        p.alliance_war_spending * collective_defence.war_on_members(w) * w.article5, terms,
    )


def targets_runs(W, P, year: float) -> np.ndarray:
    """``targets`` for every run of a lockstep ensemble: every state's spending target (% GDP), one row per run."""
    pull = W.pledge * P.pledge_pull * (1.0 + P.burden_sharing_weight * (1.0 - P.us_commitment))
    out = np.empty(W.spend.shape)
    _targets_runs(
        W.spend, W.threat_from_russia, W.russia_threat, W.war, W.spend_base, W.resolve, W.prox_r, W.solidarity,
        W.member, W.armed_forces, W.fiscal_stress, W.r, P.spending_threat_response, P.spending_threat_threshold,
        P.austerity_weight, W.guideline_pct, pull, pledge_urgency_runs(W, P, year), P.pledge_threat_reference,
        P.russia_spending_threat_response, P.russia_ambition_spending, W.revisionism, P.russia_war_spending,
        W.contribution,
        P.alliance_war_spending * collective_defence.war_on_members_runs(W) * W.article5, out,
    )
    return out


def target_terms(w: World, p, year: float) -> dict[str, np.ndarray]:
    """Return the spending targets split into their terms (% GDP; they sum to ``targets``), for explanations.

    The terms are those ``_targets`` adds up (Russia's whole target under ``anchor``).
    """
    terms = np.empty((len(TERMS), w.n))
    targets(w, p, year, terms)
    return dict(zip(TERMS, terms, strict=True))


def update(w: World, p, months: int, year: float, rng: np.random.Generator) -> None:
    """Move every state's defence spending toward its target; capability follows spending."""
    noise = rng.normal(0.0, p.spending_noise * math.sqrt(months), w.n)
    _adjust(
        w.spend, w.cap, targets(w, p, year), w.gdp, w.cap_factor, noise, w.r,
        rate(p.spending_rise_rate, months), rate(p.spending_fall_rate, months), w.partner_capability,
        rate(p.capability_adjustment_rate, months),
    )


def update_runs(W, P, months: int, year: float, streams: Draws) -> None:
    """``update`` for every run of a lockstep ensemble (``streams``: every run's spending stream)."""
    noise = streams.normals(P.spending_noise * math.sqrt(months), W.spend.shape[1])
    _adjust_runs(
        W.spend, W.cap, targets_runs(W, P, year), W.gdp, W.cap_factor, noise, W.r,
        P.rate("spending_rise_rate", months), P.rate("spending_fall_rate", months), W.partner_capability,
        P.rate("capability_adjustment_rate", months),
    )


def grow(w: World, p, months: int, growth: np.ndarray) -> None:
    """Move real GDP by this year's growth (fraction a year); budgets set in money shift the shares; fiscal stress.

    Budgets are planned for normal growth: only growth away from it moves a share at once
    (share / ((1 + g) / (1 + g_normal)) ** stickiness).  Fiscal stress follows the shortfall of
    growth below normal, in percentage points.
    """
    normal = p.normal_growth / 100.0
    w.gdp *= (1.0 + growth) ** (months / 12.0)
    w.spend /= ((1.0 + growth) / (1.0 + normal)) ** (p.budget_stickiness * months / 12.0)
    shortfall = np.maximum(p.normal_growth - 100.0 * growth, 0.0)
    w.fiscal_stress += rate(p.fiscal_stress_rate, months) * (shortfall - w.fiscal_stress)


def grow_runs(W, P, months: int, growth: np.ndarray) -> None:
    """``grow`` for every run of a lockstep ensemble (``growth``: this year's growth, one row per run)."""
    normal = P.normal_growth / 100.0
    W.gdp *= (1.0 + growth) ** (months / 12.0)
    W.spend /= ((1.0 + growth) / (1.0 + normal[:, None])) ** (P.budget_stickiness * months / 12.0)[:, None]
    shortfall = np.maximum(P.normal_growth[:, None] - 100.0 * growth, 0.0)
    W.fiscal_stress += P.rate("fiscal_stress_rate", months)[:, None] * (shortfall - W.fiscal_stress)
