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
from sim.world import World


def update(w: World, p, months: int) -> None:
    """Update strain, leverage, dependence and stocks for one step."""
    west = w.west & w.not_r
    gdp_west = w.gdp[west].sum()
    pressure = float((w.sanctions[west] * w.gdp[west]).sum() / gdp_west) if gdp_west else 0.0
    part = w.partners & w.not_r
    friendly = np.clip(w.trust[part, w.r], 0.0, 1.0)
    relief = float((friendly * w.gdp[part]).sum() / max(w.gdp[part].sum(), 1e-9))
    target = (
        p.sanctions_strain_weight * pressure * (1.0 - p.partner_relief_weight * relief)
        + p.war_strain_weight * float(w.war.sum())
    )
    w.strain += rate(p.strain_adjustment_rate, months) * (min(1.0, target) - w.strain)
    w.leverage = float((w.dependence[west] * w.gdp[west]).sum() / gdp_west) if gdp_west else 0.0
    push = p.diversification_rate * (w.threat[:, w.r] + w.coerced)
    w.dependence *= (1.0 - np.minimum(push, 1.0)) ** months
    w.coerced *= 1.0 - rate(p.coercion_memory_decay, months)
    w.stocks -= p.aid_stock_depletion * w.aid * months
    w.stocks += p.stock_replenish_rate * months * (w.spend / 2.0) * (1.0 - w.stocks)
    np.clip(w.stocks, 0.05, 1.0, out=w.stocks)


def coerce(w: World, p, targets: np.ndarray, cut: float) -> None:
    """Apply an energy cut-off or threat to target states."""
    w.coerced[targets] = np.minimum(1.0, w.coerced[targets] + cut)
    w.dependence[targets] *= 1.0 - cut * p.coercion_supply_loss
