"""Economy and energy: sanctions strain, energy leverage, diversification, stocks.

Article: "The Nord Stream 2 pipeline highlighted Russia's role as a major
energy supplier"; "They threatened to stop the delivery of gas, thus slowing
down the production of European states"; "the embargoes imposed seem to
further weaken Russia"; "The supply of weapons and ammunition to Ukraine has
significantly reduced the stocks available to NATO member states"; "the
Russian president is looking for allies in African states".

Russia's economic strain follows the GDP-weighted sanctions of the West,
relieved by partners that still trust it, plus the cost of its wars.  Its
energy leverage is the GDP-weighted gas dependence of the West; dependence
is pulled toward each state's commercial share (cheap pipeline gas, long
contracts) and pushed down as a threat beyond the calm level, or a cut-off,
makes buyers diversify (the 2022 break): the two balance.  Aid depletes the
donors' stocks; spending replenishes them.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.mechanisms.trust import rate
from sim.numerics import at, pairwise_sum
from sim.world import World


@njit(cache=True)
def _dependence_and_stocks(dependence, commercial, coerced, stocks, threat, aid, spend, diversification, threshold,
                           months, return_rate, coercion_keep, depletion, replenish):
    for i in range(len(dependence)):
        # dependence *= (1 - min(diversification * (max(0, threat - threshold) + coercion), 1)) ** months:
        # buyers leave a supplier they fear (beyond the calm level) or that has cut them off
        excess = max(threat[i] - threshold, 0.0) + coerced[i]
        keep = 1.0 - min(excess * diversification, 1.0)
        if months != 1:
            keep **= months
        # and commerce pulls every buyer back toward its commercial share (cheap pipeline gas, long contracts):
        # fear and commerce balance where return * commercial = (return + diversification * excess) * dependence
        dependence[i] = dependence[i] * keep + return_rate * (commercial[i] - dependence[i])
        coerced[i] *= coercion_keep
        # stocks: aid depletes them, spending replenishes them, within 0.05 .. 1
        s = stocks[i] - aid[i] * depletion
        s += replenish * spend[i] * (1.0 - s)
        stocks[i] = min(max(s, 0.05), 1.0)


@njit(cache=True)
def _economy(sanctions, west_weights, trust, r, partner_weights, partner_support, war, strain, leverage, dependence,
             commercial, coerced, stocks, threat, aid, spend, sanctions_weight, relief_weight, war_weight,
             strain_rate, diversification, threshold, months, return_rate, coercion_keep, depletion, replenish):
    # every run's economy (a run alone: a run axis of one, its parameters as numbers), moved in place
    n = sanctions.shape[1]
    terms = np.empty(n)
    for q in range(sanctions.shape[0]):
        for i in range(n):  # the West's sanctions, weighted by GDP
            terms[i] = sanctions[q, i] * west_weights[q, i]
        pressure = pairwise_sum(terms, n)
        for i in range(n):  # partners' relief: their trust in Russia, weighted by GDP, and a partner's support
            terms[i] = max(trust[q, i, r], 0.0) * partner_weights[q, i]
        relief = min(1.0, pairwise_sum(terms, n) + partner_support[q])
        target = (at(sanctions_weight, q) * pressure * (1.0 - at(relief_weight, q) * relief)
                  + at(war_weight, q) * pairwise_sum(war[q], n))
        strain[q] += at(strain_rate, q) * (min(1.0, target) - strain[q])
        for i in range(n):  # energy leverage: the West's gas dependence, weighted by GDP
            terms[i] = dependence[q, i] * west_weights[q, i]
        leverage[q] = pairwise_sum(terms, n)
        _dependence_and_stocks(dependence[q], commercial[q], coerced[q], stocks[q], threat[q], aid[q], spend[q],
                               at(diversification, q), at(threshold, q), months, at(return_rate, q),
                               at(coercion_keep, q), at(depletion, q), at(replenish, q))


def update(w: World, p, months: int) -> None:
    """Update strain, leverage, dependence and stocks for one step (``update_runs``'s kernel, a run axis of one)."""
    strain, leverage = np.array([w.strain]), np.empty(1)
    _economy(w.sanctions[None], w.west_weights[None], w.trust[None], w.r, w.partner_weights[None],
             np.array([w.partner_support]), w.war[None], strain, leverage, w.dependence[None], w.dependence0[None],
             w.coerced[None], w.stocks[None], w.threat_from_russia[None], w.aid[None], w.spend[None],
             p.sanctions_strain_weight, p.partner_relief_weight, p.war_strain_weight,
             rate(p.strain_adjustment_rate, months), p.diversification_rate, p.diversification_threshold, months,
             rate(p.gas_return_rate, months), 1.0 - rate(p.coercion_memory_decay, months),
             p.aid_stock_depletion * months, p.stock_replenish_rate * months / 2.0)
    w.strain, w.leverage = float(strain[0]), float(leverage[0])


def update_runs(W, P, months: int) -> None:
    """``update`` for every run of a lockstep ensemble (``W`` its world arrays, ``P`` its parameter arrays)."""
    _economy(W.sanctions, W.west_weights, W.trust, W.r, W.partner_weights, W.partner_support, W.war, W.strain,
             W.leverage, W.dependence, W.dependence0, W.coerced, W.stocks, W.threat_from_russia, W.aid, W.spend,
             P.sanctions_strain_weight, P.partner_relief_weight, P.war_strain_weight,
             P.rate("strain_adjustment_rate", months), P.diversification_rate, P.diversification_threshold, months,
             P.rate("gas_return_rate", months), 1.0 - P.rate("coercion_memory_decay", months),
             P.aid_stock_depletion * months, P.stock_replenish_rate * months / 2.0)


def coerce(w: World, p, targets: np.ndarray, cut: float) -> None:
    """Apply an energy cut-off or threat to target states."""
    w.coerced[targets] = np.minimum(1.0, w.coerced[targets] + cut)
    w.dependence[targets] *= 1.0 - cut * p.coercion_supply_loss
    # and part of it for good: the buyers build other supply (terminals, contracts), so commerce no longer pulls
    # them back all the way
    w.dependence0[targets] *= 1.0 - cut * p.coercion_lasting_loss
