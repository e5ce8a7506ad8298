"""Enlargement: neutrals decide to apply; every member must ratify; then accession.

Article: "the outbreak of the conflict in Ukraine opened a quick access gate to
NATO for Sweden and Finland, given the concerns of the two states about their
own security after the Russian invasion of Ukraine"; "Sweden is following the
same path, even if there are and have been some differences of opinion on what
it stands for Turkey, which does not fully support the idea of accepting this
state into NATO"; Ukraine "still does not fully meet the conditions to become a
NATO member state".

A non-member's monthly hazard of applying rises steeply once its threat from
Russia, as its public comes to feel it (threat smoothed over months), passes a threshold raised by its tradition of neutrality,
raised for a state behind Russia's red lines until Russia wages full-scale war on it (applying is a formal act,
unlike a summit's promise of future membership, which makes a state ``prospective``), and lowered
when a close, trusted neighbour has applied.  Each member
ratifies a pending candidate with a monthly probability set by its solidarity
and threat, lowered by a bilateral grievance and by the candidate being at war.
A grievance is bargained down while the candidate waits (it concedes faster
the more it needs to join), so a holdout's delay ends when it has been paid.
Accession follows the last ratification.  A state whose accession the
scenario schedules (the enlargement waves of the record) joins on that date
instead: the alliance's timing of those waves is an exogenous shock.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numba import njit

from sim.draws import Draws
from sim.mechanisms.institutions import Emitted
from sim.mechanisms.trust import rate
from sim.world import World


@njit(cache=True)
def _applications(draws, threat, opinion, eligible, member, applicant, neutrality, trust, prox, red_line, aim, lag,
                  neutrality_weight, threshold0, peer_weight, steepness, max_rate, months, restraint, full_war):
    n = len(draws)
    chosen = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        # the public's sense of threat follows events with a lag: a spike does not make a policy
        opinion[i] += (threat[i] - opinion[i]) * lag
    for i in range(n):
        if not eligible[i] or member[i] or applicant[i]:
            continue
        threshold = neutrality_weight * neutrality[i] + threshold0
        if red_line[i] and aim[i] < full_war:
            # behind Russia's red lines a state fears provoking it, until Russia wages full-scale war on it
            threshold += restraint
        # a trusted neighbour's pending application lowers the bar (Sweden "following the same path")
        peer = 0.0
        for j in range(n):
            if applicant[j] and not member[j]:
                peer = max(peer, max(trust[i, j], 0.0) * prox[i, j])
        threshold -= peer * peer_weight
        # hazard = max rate / (1 + exp(steepness * (threshold - opinion)))
        hazard = max_rate / (np.exp((threshold - opinion[i]) * steepness) + 1.0)
        if months > 1:
            hazard = 1.0 - (1.0 - hazard) ** months
        chosen[i] = draws[i] < hazard
    return chosen


@njit(cache=True)
def _applications_runs(draws, threat, opinion, eligible, member, applicant, neutrality, trust, prox, red_line, aim,
                       lag, neutrality_weight, threshold0, peer_weight, steepness, max_rate, months, restraint,
                       full_war):
    chosen = np.zeros(draws.shape, dtype=np.bool_)
    for q in range(draws.shape[0]):
        chosen[q] = _applications(
            draws[q], threat[q], opinion[q], eligible, member[q], applicant[q], neutrality[q], trust[q], prox[q],
            red_line[q], aim[q], lag[q], neutrality_weight[q], threshold0[q], peer_weight[q], steepness[q],
            max_rate[q], months, restraint[q], full_war[q],
        )
    return chosen


def applications(w: World, p, step: int, months: int, rng: np.random.Generator) -> list[Emitted]:
    """Let eligible non-members decide whether to apply for membership."""
    chosen = _applications(
        rng.random(w.n), w.threat_from_russia, w.threat_opinion, w.eligible, w.member, w.applicant,
        w.neutrality, w.trust, w.prox, w.red_line, w.war_aim, rate(p.opinion_adjustment_rate, months),
        p.application_neutrality_weight, p.application_threat_threshold, p.application_peer_weight,
        p.application_steepness, p.application_max_rate, months, p.red_line_restraint, p.freeze_war_threshold,
    )
    new = chosen.nonzero()[0]
    w.applicant[new] = True
    w.applied_step[new] = step
    return [("membership_application", w.codes[i], ["NATO"], "applies to join NATO") for i in new]


def applications_runs(W, P, step: int, months: int, draws: np.ndarray) -> list[tuple[int, list[Emitted]]]:
    """``applications`` for every run of a lockstep ensemble (``draws``: each run's row of uniforms).

    Return (run, events) for the runs where a state applies, in run order.
    """
    chosen = _applications_runs(
        draws, W.threat_from_russia, W.threat_opinion, W.eligible, W.member, W.applicant,
        W.neutrality, W.trust, W.prox, W.red_line, W.war_aim, P.rate("opinion_adjustment_rate", months),
        P.application_neutrality_weight, P.application_threat_threshold, P.application_peer_weight,
        P.application_steepness, P.application_max_rate, months, P.red_line_restraint, P.freeze_war_threshold,
    )
    if not chosen.any():
        return []
    W.applicant[chosen] = True
    W.applied_step[chosen] = step
    codes = W.codes
    return [(q, [("membership_application", codes[i], ["NATO"], "applies to join NATO")
                 for i in np.flatnonzero(chosen[q]).tolist()])
            for q in np.flatnonzero(chosen.any(axis=1)).tolist()]


@njit(cache=True)
def _ratify(draws, pending, applied_step, war, grievance, red_line, member, solidarity, threat, ratified, withheld,
            step, delay_steps, conflict, base, solidarity_weight, threat_weight, grievance_weight, war_weight,
            red_line_weight, max_rate, months):
    complete = np.zeros(len(pending), dtype=np.bool_)
    for c in range(len(pending)):
        j = pending[c]
        # members ratify once the delay has passed, and not while Russia is fighting the candidate
        if step - applied_step[j] < delay_steps or war[j] > conflict:
            continue
        done = True
        for i in range(len(member)):
            if not member[i]:
                continue
            if not ratified[i, j] and not withheld[i, j]:  # a member withholding it does not ratify
                # x = base + solidarity + threat - grievance - war - red line (each weighted);
                # q = 1 - (1 - max rate * sigmoid(x)) ** months
                x = solidarity_weight * solidarity[i] + base + threat_weight * threat[i]
                x = x - grievance_weight * grievance[i, j] - war_weight * war[j] - red_line_weight * red_line[j]
                q = 1.0 - max_rate / (1.0 + np.exp(-x))
                if months != 1:
                    q **= months
                ratified[i, j] = draws[c, i] < 1.0 - q
            done = done and ratified[i, j]
        complete[c] = done
    return complete


@njit(cache=True)
def _ratify_runs(draws, waiting, counts, runs, applied_step, war, grievance, red_line, member, solidarity, threat,
                 ratified, withheld, step, delay_steps, conflict, base, solidarity_weight, threat_weight,
                 grievance_weight, war_weight, red_line_weight, max_rate, months):
    complete = np.zeros(waiting.shape, dtype=np.bool_)
    for a in range(len(runs)):
        q, c = runs[a], counts[a]
        complete[a, :c] = _ratify(
            draws[a, :c], waiting[a, :c], applied_step[q], war[q], grievance[q], red_line[q], member[q],
            solidarity[q], threat[q], ratified[q], withheld[q], step, delay_steps[q], conflict[q], base[q],
            solidarity_weight[q], threat_weight[q], grievance_weight[q], war_weight[q], red_line_weight[q],
            max_rate[q], months,
        )
    return complete


def pending(w: World) -> np.ndarray:
    """Return the rows of the candidates waiting for ratification (applied, not scheduled to join)."""
    return (w.applicant & ~(w.member | w.accession_scheduled)).nonzero()[0]


def pending_runs(W) -> np.ndarray:
    """``pending`` of every run of a lockstep ensemble, as a mask (runs x states)."""
    return W.applicant & ~(W.member | W.accession_scheduled)


def _by_run(runs: Sequence[int], events: Sequence[Emitted]) -> list[tuple[int, list[Emitted]]]:
    """Group events, in order, by the run each is for (runs in ascending order)."""
    out: list[tuple[int, list[Emitted]]] = []
    for q, ev in zip(runs, events, strict=True):
        if out and out[-1][0] == q:
            out[-1][1].append(ev)
        else:
            out.append((q, [ev]))
    return out


def bargain(w: World, p, months: int) -> list[Emitted]:
    """Let candidates buy off members' grievances while they wait; return the concessions' events.

    A member's grievance against a pending candidate shrinks at a rate set by how much the
    candidate needs membership (its threat from Russia): each month it waits it concedes a little
    (Sweden's counter-terrorism law and the Madrid memorandum bought Türkiye's consent).  A grievance
    bought down to half of what it was emits the event of the concession.
    """
    emitted: list[Emitted] = []
    for j in pending(w):
        holders = (w.grievance[:, j] > 0.0) & w.member & ~w.ratified[:, j]
        if not holders.any():
            continue
        before = w.grievance[holders, j].copy()
        keep = (1.0 - rate(p.grievance_bargaining_rate, months)) ** w.threat_from_russia[j]
        w.grievance[holders, j] *= keep
        initial = w.grievance0[holders, j]
        halved = (before > 0.5 * initial) & (w.grievance[holders, j] <= 0.5 * initial)
        for i in np.flatnonzero(holders)[halved]:
            emitted.append(("diplomatic_cooperation", w.codes[j], [w.codes[i]], f"concessions to {w.codes[i]}"))
    return emitted


def bargain_runs(W, P, months: int) -> list[tuple[int, list[Emitted]]]:
    """``bargain`` for every run of a lockstep ensemble; return (run, events) for the runs with concessions.

    Only the (run, candidate) pairs pending are computed: a column of holders each.
    """
    qs, js = np.nonzero(pending_runs(W))
    if len(qs) == 0:
        return []
    before = W.grievance[qs, :, js]  # (pairs, members): each pending candidate's grievances
    holders = (before > 0.0) & W.member[qs] & ~W.ratified[qs, :, js]
    some = holders.any(axis=1)
    if not some.any():
        return []
    qs, js, before, holders = qs[some], js[some], before[some], holders[some]
    base = (1.0 - P.rate("grievance_bargaining_rate", months))[qs].tolist()
    # a float's power, pair by pair, as in one run (numpy's vectorised power may differ in the last bit)
    keep = np.array([b ** t for b, t in zip(base, W.threat_from_russia[qs, js].tolist(), strict=True)])
    after = before * keep[:, None]
    W.grievance[qs, :, js] = np.where(holders, after, before)
    initial = W.grievance0[qs, :, js]
    halved = holders & (before > 0.5 * initial) & (after <= 0.5 * initial)
    pairs, rows = np.nonzero(halved)  # in (run, candidate, holder) order, as each run emits them
    if len(pairs) == 0:
        return []
    codes = W.codes
    events = [("diplomatic_cooperation", codes[j], [codes[i]], f"concessions to {codes[i]}")
              for j, i in zip(js[pairs].tolist(), rows.tolist(), strict=True)]
    return _by_run(qs[pairs].tolist(), events)


def ratifications(w: World, p, step: int, months: int, rng: np.random.Generator) -> list[Emitted]:
    """Let each member ratify pending candidates; return the accession of a candidate all have ratified."""
    waiting = pending(w)
    if len(waiting) == 0:
        return []  # no draw either: an empty draw leaves the generator as it is
    complete = _ratify(
        rng.random((len(waiting), w.n)), waiting, w.applied_step, w.war, w.grievance, w.red_line, w.member,
        w.solidarity, w.threat_from_russia, w.ratified, w.withheld, step, p.ratification_delay_months / months,
        p.conflict_level_threshold, p.ratification_base, p.ratification_solidarity_weight,
        p.ratification_threat_weight, p.ratification_grievance_weight, p.ratification_war_weight,
        p.ratification_red_line_weight, p.ratification_max_rate, months,
    )
    # the accession event (applied next by the model) admits the state
    return [("accession", "NATO", [w.codes[j]], f"{w.codes[j]} joins NATO") for j in waiting[complete]]


def ratifications_runs(W, P, step: int, months: int, rng: Draws) -> list[tuple[int, list[Emitted]]]:
    """``ratifications`` for every run of a lockstep ensemble (``rng``: the runs' ratification streams).

    Only the runs with a pending candidate draw (one number per candidate and state, as in one run).
    Return (run, accession events) for the runs where a candidate has every ratification.
    """
    mask = pending_runs(W)
    counts = mask.sum(axis=1)
    runs = np.flatnonzero(counts)
    if len(runs) == 0:
        return []
    counts = counts[runs]
    n = mask.shape[1]
    rows, cols = np.nonzero(mask[runs])
    waiting = np.zeros((len(runs), counts.max()), dtype=np.int64)
    waiting[rows, np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)] = cols
    # run q's rng.random((candidates, states)), row by row, as the first values of its row here
    draws = rng.rows(runs, counts * n, counts.max() * n)
    draws = draws.reshape(len(runs), counts.max(), n)
    complete = _ratify_runs(
        draws, waiting, counts, runs, W.applied_step, W.war, W.grievance, W.red_line, W.member,
        W.solidarity, W.threat_from_russia, W.ratified, W.withheld, step, P.ratification_delay_months / months,
        P.conflict_level_threshold, P.ratification_base, P.ratification_solidarity_weight,
        P.ratification_threat_weight, P.ratification_grievance_weight, P.ratification_war_weight,
        P.ratification_red_line_weight, P.ratification_max_rate, months,
    )
    done_rows, done_at = np.nonzero(complete)
    if len(done_rows) == 0:
        return []
    codes = W.codes
    events = [("accession", "NATO", [codes[j]], f"{codes[j]} joins NATO")
              for j in waiting[done_rows, done_at].tolist()]
    return _by_run(runs[done_rows].tolist(), events)


def admit(w: World, j: int, step: int) -> None:
    """Make state j a member now."""
    w.member[j] = True
    w.applicant[j] = False
    w.accession_step[j] = step
    w.new_member[j] = True
    w.ratified[:, j] = True
