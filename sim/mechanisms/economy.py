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
def _dependence_and_stocks_runs(dependence, commercial, coerced, stocks, threat, aid, spend, diversification,
                                threshold, months, return_rate, coercion_keep, depletion, replenish):
    for q in range(dependence.shape[0]):
        _dependence_and_stocks(dependence[q], commercial[q], coerced[q], stocks[q], threat[q], aid[q], spend[q],
                               diversification[q], threshold[q], months, return_rate[q], coercion_keep[q],
                               depletion[q], replenish[q])


def update(w: World, p, months: int) -> None:
    """Update strain, leverage, dependence and stocks for one step."""
    pressure = float((w.sanctions * w.west_weights).sum())
    relief = min(1.0, float((np.maximum(w.trust[:, w.r], 0.0) * w.partner_weights).sum()) + w.partner_support)
    target = (
        p.sanctions_strain_weight * pressure * (1.0 - p.partner_relief_weight * relief)
        + p.war_strain_weight * float(w.war.sum())
    )
    w.strain += rate(p.strain_adjustment_rate, months) * (min(1.0, target) - w.strain)
    w.leverage = float((w.dependence * w.west_weights).sum())
    _dependence_and_stocks(
        w.dependence, w.dependence0, w.coerced, w.stocks, w.threat_from_russia, w.aid, w.spend, p.diversification_rate,
        p.diversification_threshold, months, rate(p.gas_return_rate, months),
        1.0 - rate(p.coercion_memory_decay, months), p.aid_stock_depletion * months,
        p.stock_replenish_rate * months / 2.0,
    )


def update_runs(W, P, months: int) -> None:
    """``update`` for every run of a lockstep ensemble (``W`` its world arrays, ``P`` its parameter arrays)."""
    pressure = (W.sanctions * W.west_weights).sum(axis=1)
    relief = np.minimum(1.0, (np.maximum(W.trust[:, :, W.r], 0.0) * W.partner_weights).sum(axis=1) + W.partner_support)
    target = (
        P.sanctions_strain_weight * pressure * (1.0 - P.partner_relief_weight * relief)
        + P.war_strain_weight * W.war.sum(axis=1)
    )
    W.strain += P.rate("strain_adjustment_rate", months) * (np.minimum(1.0, target) - W.strain)
    W.leverage = (W.dependence * W.west_weights).sum(axis=1)
    _dependence_and_stocks_runs(
        W.dependence, W.dependence0, W.coerced, W.stocks, W.threat_from_russia, W.aid, W.spend, P.diversification_rate,
        P.diversification_threshold, months, P.rate("gas_return_rate", months),
        1.0 - P.rate("coercion_memory_decay", months), P.aid_stock_depletion * months,
        P.stock_replenish_rate * months / 2.0,
    )


def coerce(w: World, p, targets: np.ndarray, cut: float) -> None:
    """Apply an energy cut-off or threat to target states."""
    w.coerced[targets] = np.minimum(1.0, w.coerced[targets] + cut)
    w.dependence[targets] *= 1.0 - cut * p.coercion_supply_loss
    # and part of it for good: the buyers build other supply (terminals, contracts), so commerce no longer pulls
    # them back all the way
    w.dependence0[targets] *= 1.0 - cut * p.coercion_lasting_loss
