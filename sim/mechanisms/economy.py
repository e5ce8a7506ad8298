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
falls as threat and coercion push states to diversify.  Aid depletes the
donors' stocks; spending replenishes them.
"""

from __future__ import annotations

import numpy as np

from sim.mechanisms.trust import rate
from sim.world import ONE, ZERO, World, constant

_STOCKS_MIN = constant(0.05)


def update(w: World, p, months: int) -> None:
    """Update strain, leverage, dependence and stocks for one step."""
    pressure = float(w.sanctions @ w.west_weights)
    relief = min(1.0, float(np.maximum(w.trust[:, w.r], ZERO) @ w.partner_weights) + w.partner_support)
    target = (
        p.sanctions_strain_weight * pressure * (1.0 - p.partner_relief_weight * relief)
        + p.war_strain_weight * float(w.war.sum())
    )
    w.strain += rate(p.strain_adjustment_rate, months) * (min(1.0, target) - w.strain)
    w.leverage = float(w.dependence @ w.west_weights)
    # dependence *= (1 - min(diversification * (threat + coercion), 1)) ** months
    push = w.threat_from_russia + w.coerced
    push *= p.diversification_rate
    np.minimum(push, ONE, out=push)
    np.subtract(ONE, push, out=push)
    if months != 1:
        push **= months
    w.dependence *= push
    w.coerced *= 1.0 - rate(p.coercion_memory_decay, months)
    # stocks: aid depletes them, spending replenishes them, within 0.05 .. 1
    stocks = w.aid * (p.aid_stock_depletion * months)
    np.subtract(w.stocks, stocks, out=stocks)
    replenish = (p.stock_replenish_rate * months / 2.0) * w.spend
    replenish *= ONE - stocks
    stocks += replenish
    w.stocks = np.minimum(np.maximum(stocks, _STOCKS_MIN, out=stocks), ONE, out=stocks)


def coerce(w: World, p, targets: np.ndarray, cut: float) -> None:
    """Apply an energy cut-off or threat to target states."""
    w.coerced[targets] = np.minimum(1.0, w.coerced[targets] + cut)
    w.dependence[targets] *= 1.0 - cut * p.coercion_supply_loss
