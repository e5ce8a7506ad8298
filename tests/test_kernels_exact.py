"""Exact answers from the compiled kernels of the mechanisms, worked out by hand (Axelrod's style).

The Axelrod library tests a strategy by playing it against a known opponent and writing the
moves it must make.  Here each compiled (numba) kernel of ``sim/mechanisms`` gets the same
treatment: a world of two or three states, built from plain arrays and parameter values chosen
to make the arithmetic easy (0.5, 0.1, 1.0 ...), and an expected result computed in the test
itself from the formula in the kernel's source and in ``docs/ODD.md`` — written as an
expression with the reasoning in a comment, so a reader can check it line by line.  Nothing
here runs a model, calls the kernel twice or copies its output.

Every test runs twice (the ``impl`` fixture): once through the compiled kernel and once
through the Python source it is compiled from (``kernel.py_func``), so the hand answer holds
for the equations as written and for what numba makes of them.

Kernels that draw random numbers take their uniforms as arrays (``draws``, ``noise``): they
are passed in by hand, so each branch (apply or not, ratify or not, a ceasefire or not) is
chosen by putting the draw just below or just above the probability worked out in the test.

``sim/mechanisms/collective_defence.py`` (and ``relations.py``) have no compiled kernel; they are
not covered here.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.mechanisms import (
    alliance,
    defence_spending,
    deterrence,
    economy,
    enlargement,
    escalation,
    institutions,
    member_decisions,
    russia_decisions,
    security_dilemma,
    threat,
    trust,
    war,
)
from sim.world import FROZEN

EXACT = 1e-12
T, F = True, False


@pytest.fixture(params=["compiled", "source"])
def impl(request):
    """Return the kernel itself (compiled) or the Python function it is compiled from."""
    if request.param == "compiled":
        return lambda kernel: kernel
    return lambda kernel: kernel.py_func


def approx(x):
    return pytest.approx(x, abs=EXACT)


def ints(*xs):
    return np.array(xs, dtype=np.int64)


def bools(*xs):
    return np.array(xs, dtype=np.bool_)


def floats(*xs):
    return np.array(xs, dtype=np.float64)


def eye_trust(n, value=0.0):
    """An n x n trust matrix with every pair at ``value`` and full self-trust."""
    t = np.full((n, n), value)
    np.fill_diagonal(t, 1.0)
    return t


def sigmoid(x):
    return 1.0 / (1.0 + math.exp(-x))


# --------------------------------------------------------------------------------------------
# trust.py
# --------------------------------------------------------------------------------------------


def test_salience_is_the_audience_share_of_regard_or_the_ally_share_whichever_is_larger(impl):
    f = impl(trust._regard_salience)
    audience, ally = 0.4, 0.8
    # regard 0.5: audience 0.4 * (1 + 0.5) / 2 = 0.3; ally 0.8 * 0.5 = 0.4 -> 0.4
    assert f(0.5, audience, ally) == approx(max(0.4 * 0.5 * 1.5, 0.8 * 0.5))
    # regard 0 (indifferent): audience 0.4 * 1 / 2 = 0.2, ally 0 -> 0.2
    assert f(0.0, audience, ally) == approx(0.2)
    # regard -1 (full distrust): nobody minds an act against that state: 0.4 * 0 / 2 = 0, ally 0
    assert f(-1.0, audience, ally) == 0.0


def test_salience_of_an_act_reads_the_highest_regard_and_is_full_for_a_target(impl):
    f = impl(trust._salience_of)
    t = eye_trust(3)
    t[2, 0], t[2, 1] = -0.5, 0.5
    member, solidarity = bools(F, F, F), floats(0.0, 0.0, 0.0)
    # no targets (the alliance as a whole): the audience level 0.4
    assert f(t, 2, ints(), 0.4, 0.8, False, member, solidarity) == 0.4
    # two targets: the higher regard 0.5 counts -> max(0.4 * 1.5 / 2, 0.8 * 0.5) = 0.4
    assert f(t, 2, ints(0, 1), 0.4, 0.8, False, member, solidarity) == approx(0.4)
    # the observer is itself a target: it registers the act fully
    assert f(t, 2, ints(0, 2), 0.4, 0.8, False, member, solidarity) == 1.0


def test_an_armed_attack_on_an_ally_counts_as_one_on_the_member_in_proportion_to_solidarity(impl):
    f = impl(trust._salience_of)
    t = eye_trust(3)  # observer 2 is indifferent (0) to the target 1
    solidarity = floats(0.0, 0.5, 0.9)
    # both members, an armed attack: max(0.4 * 1 / 2 = 0.2, ally 0, solidarity 0.9) = 0.9
    assert f(t, 2, ints(1), 0.4, 0.8, True, bools(F, T, T), solidarity) == approx(0.9)
    # not an armed attack (collective false): the plain salience 0.2
    assert f(t, 2, ints(1), 0.4, 0.8, False, bools(F, T, T), solidarity) == approx(0.2)
    # the observer is not a member: no Article 5, 0.2
    assert f(t, 2, ints(1), 0.4, 0.8, True, bools(F, T, F), solidarity) == approx(0.2)
    # the target is not a member: no Article 5 either, 0.2
    assert f(t, 2, ints(1), 0.4, 0.8, True, bools(F, F, T), solidarity) == approx(0.2)


# the gains and thresholds of the event tests: plain observers, then Russia's own
EVENT = {"negative_gain": 0.4, "positive_gain": 0.1, "betrayal_at": -0.3, "memory_gain": 0.5,
         "audience": 0.4, "ally": 0.8, "russia_negative_gain": 0.2, "russia_positive_gain": 0.05,
         "russia_betrayal_at": -0.6, "enmity": 0.2}


def _event(f, trust_m, hostile, memory, actors, targets, c, reading=None, r=0, collective=False,
           member=None, solidarity=None, **over):
    q = {**EVENT, **over}
    n = trust_m.shape[0]
    member = bools(*([F] * n)) if member is None else member
    solidarity = np.zeros(n) if solidarity is None else solidarity
    f(trust_m, hostile, memory, actors, targets, c, 0.0 if reading is None else reading,
      reading is not None, r, q["negative_gain"], q["positive_gain"], q["betrayal_at"],
      q["memory_gain"], q["audience"], q["ally"], q["russia_negative_gain"],
      q["russia_positive_gain"], q["russia_betrayal_at"], q["enmity"], collective, member,
      solidarity)


def test_a_hostile_act_moves_the_victim_and_a_friend_of_it_toward_minus_one(impl):
    f = impl(trust._apply_event)
    # state 0 (Russia, r = 0) acts against state 1 (severity c = -0.5); state 2 watches,
    # trusting the victim at 0.5
    t, h, m = eye_trust(3), np.zeros((3, 3)), np.zeros((3, 3))
    t[2, 1] = 0.5
    _event(f, t, h, m, ints(0), ints(1), -0.5)
    # victim: salience 1, delta = -0.5 * 1 * 0.4 = -0.2; trust 0 + (0 + 1) * -0.2
    assert t[1, 0] == approx(0.0 + (0.0 + 1.0) * (-0.5 * 1.0 * 0.4))
    assert h[1, 0] == approx(0.5)  # hostility memory + |x s| = 0.5
    assert m[1, 0] == approx(0.5 * 0.5)  # -0.5 <= -0.3: betrayal memory + |x s| * 0.5 = 0.25
    # watcher: salience max(0.4 * 1.5 / 2, 0.8 * 0.5) = 0.4; delta = -0.5 * 0.4 * 0.4 = -0.08
    assert t[2, 0] == approx(-0.08)
    assert h[2, 0] == approx(0.2)  # |x s| = 0.5 * 0.4
    assert m[2, 0] == approx(0.2 * 0.5)
    # the aggressor's enmity (c = -0.5 <= -0.3): its trust in the victim falls by
    # (0 + 1) * 0.5 * 0.2 = 0.1, and it bears a grudge of 0.5 * 0.2 * 0.5 = 0.05
    assert t[0, 1] == approx(-(1.0 * 0.5 * 0.2))
    assert m[0, 1] == approx(0.5 * 0.2 * 0.5)
    # the actor does not judge itself, nobody's trust in the victim or watcher moved
    assert t[0, 0] == 1.0 and h[0, 0] == 0.0
    assert t[2, 1] == 0.5 and t[1, 2] == 0.0 and t[0, 2] == 0.0 and h[0, 1] == 0.0


def test_a_mild_hostile_act_leaves_no_betrayal_memory_and_no_enmity(impl):
    f = impl(trust._apply_event)
    t, h, m = eye_trust(2), np.zeros((2, 2)), np.zeros((2, 2))
    _event(f, t, h, m, ints(0), ints(1), -0.2)  # -0.2 > -0.3: short of the betrayal threshold
    assert t[1, 0] == approx(-0.2 * 0.4)  # still the negative gain: 0 + 1 * (-0.08)
    assert h[1, 0] == approx(0.2)
    assert m[1, 0] == 0.0 and m[0, 1] == 0.0
    assert t[0, 1] == 0.0  # no enmity below the threshold


def test_a_friendly_act_moves_trust_a_gain_of_the_way_to_plus_one(impl):
    f = impl(trust._apply_event)
    t, h, m = eye_trust(3), np.zeros((3, 3)), np.zeros((3, 3))
    t[2, 0] = 0.5
    _event(f, t, h, m, ints(0), ints(2), +0.3, r=1)
    # target 2: salience 1, delta = 0.3 * 0.1 = 0.03 of the gap 1 - 0.5
    assert t[2, 0] == approx(0.5 + (1.0 - 0.5) * 0.03)
    # observer 1 (Russia, no reading), regard 0 for the target: salience 0.2,
    # Russia's positive gain 0.05: 0 + 1 * 0.3 * 0.2 * 0.05
    assert t[1, 0] == approx(0.3 * 0.2 * 0.05)
    assert not h.any() and not m.any()  # friendly acts leave no hostility or betrayal memory


def test_russia_reads_an_act_its_own_way_with_its_own_gain_and_threshold(impl):
    f = impl(trust._apply_event)
    # state 1 does something the world reads as friendly (c = +0.3) and Russia (r = 2) as
    # hostile (reading -0.8), aimed at no one in particular
    t, h, m = eye_trust(3), np.zeros((3, 3)), np.zeros((3, 3))
    t[0, 1] = 0.5
    _event(f, t, h, m, ints(1), ints(), +0.3, reading=-0.8, r=2)
    # observer 0: the audience level 0.4, delta = 0.3 * 0.4 * 0.1 = 0.012 of the gap 0.5
    assert t[0, 1] == approx(0.5 + 0.5 * 0.012)
    # Russia: salience 1, x = -0.8, its negative gain 0.2: delta -0.16 of the gap to -1
    assert t[2, 1] == approx(0.0 + 1.0 * (-0.8 * 0.2))
    assert h[2, 1] == approx(0.8)
    # -0.8 <= Russia's betrayal threshold -0.6: memory 0.8 * 0.5
    assert m[2, 1] == approx(0.4)
    assert h[0, 1] == 0.0 and m[0, 1] == 0.0
    # a reading of -0.5 is above Russia's threshold -0.6: hostility, but no betrayal memory
    t, h, m = eye_trust(3), np.zeros((3, 3)), np.zeros((3, 3))
    _event(f, t, h, m, ints(1), ints(), +0.3, reading=-0.5, r=2)
    assert t[2, 1] == approx(-0.5 * 0.2) and h[2, 1] == approx(0.5) and m[2, 1] == 0.0


def test_trust_never_passes_minus_one_and_memories_stop_at_their_ceilings(impl):
    f = impl(trust._apply_event)
    t, h, m = eye_trust(2, 0.3), np.zeros((2, 2)), np.zeros((2, 2))
    h[1, 0], m[1, 0] = 2.9, 0.9
    # the fullest hostile act (c = -1) at the largest gain (1): delta -1, all the way to -1
    _event(f, t, h, m, ints(0), ints(1), -1.0, negative_gain=1.0)
    assert t[1, 0] == approx(0.3 + (0.3 + 1.0) * -1.0)  # = -1 exactly
    assert h[1, 0] == trust.HOSTILE_MAX  # min(2.9 + 1, 3)
    assert m[1, 0] == 1.0  # min(0.9 + 0.5, 1)


def test_an_actor_that_is_also_a_target_does_not_judge_itself(impl):
    f = impl(trust._apply_event)
    t, h, m = eye_trust(3), np.zeros((3, 3)), np.zeros((3, 3))
    # 0 and 1 act together against 1 and 2: actor 1 would have salience 1 as a target, but
    # actors come last and get 0; target 2 has salience 1
    _event(f, t, h, m, ints(0, 1), ints(1, 2), -0.5)
    assert t[1, 0] == 0.0 and h[1, 0] == 0.0
    assert t[2, 0] == approx(-0.2) and t[2, 1] == approx(-0.2)  # 0 + 1 * (-0.5 * 1 * 0.4)
    # enmity toward every target other than the actor itself: (0 + 1) * 0.5 * 0.2 = 0.1 of trust,
    # a grudge of 0.5 * 0.2 * 0.5 = 0.05; none of actor 1 against itself
    assert t[0, 1] == approx(-0.1) and t[0, 2] == approx(-0.1) and t[1, 2] == approx(-0.1)
    assert m[0, 1] == approx(0.05) and m[0, 2] == approx(0.05) and m[1, 2] == approx(0.05)
    assert m[1, 1] == 0.0 and m[0, 0] == 0.0
    assert t[0, 0] == t[1, 1] == 1.0


def test_a_member_reads_an_armed_attack_on_an_ally_at_its_solidarity(impl):
    f = impl(trust._apply_event)
    t, h, m = eye_trust(3), np.zeros((3, 3)), np.zeros((3, 3))
    # Russia (0) attacks member 1; member 2, indifferent to 1, has solidarity 0.9
    _event(f, t, h, m, ints(0), ints(1), -0.5, collective=True, member=bools(F, T, T),
           solidarity=floats(0.0, 1.0, 0.9), enmity=0.0)
    # salience max(0.2, 0, 0.9) = 0.9; delta = -0.5 * 0.9 * 0.4 = -0.18
    assert t[2, 0] == approx(-0.18)
    assert h[2, 0] == approx(0.45)


def test_war_pressure_lowers_trust_in_russia_by_the_strongest_war_as_each_observer_sees_it(impl):
    f = impl(trust._war_pressure)
    # Russia (0) fights 1 (intensity 0.5) and 2 (intensity 0.2); 1 distrusts 2 fully,
    # 2 trusts 1 fully; nobody is a member
    t = eye_trust(3)
    t[1, 2], t[2, 1] = -1.0, 1.0
    war_ = floats(0.0, 0.5, 0.2)
    f(t, war_, bools(F, F, F), np.zeros(3), 0, 0.4, 0.8, 0.1, 1.0, 0.4, 0.2)
    # observer 1: its own war 1 * 0.5; war on 2 seen at salience 0 -> push 0.5 * 0.1 * 1 month
    assert t[1, 0] == approx(0.0 - 0.5 * 0.1 * 1.0 * 0.4 * (1.0 + 0.0))
    # observer 2: its own war 1 * 0.2; war on 1 at salience max(0.4, 0.8) = 0.8: 0.8 * 0.5 = 0.4
    # (the strongest, not the sum) -> push 0.4 * 0.1
    assert t[2, 0] == approx(-(0.4 * 0.1 * 0.4))
    # Russia's enemy image of each victim: 0.1 * 1 month * war * 0.2 * (1 + 0)
    assert t[0, 1] == approx(-(0.1 * 1.0 * 0.5 * 0.2))
    assert t[0, 2] == approx(-(0.1 * 1.0 * 0.2 * 0.2))
    # observers' trust in each other does not move
    assert t[1, 2] == -1.0 and t[2, 1] == 1.0


def test_war_pressure_on_an_ally_weighs_at_solidarity_and_grows_with_the_step(impl):
    f = impl(trust._war_pressure)
    t = eye_trust(3, -0.5)
    t[2, 1] = 0.0  # member 2 is indifferent to member 1, which Russia (0) fights at 0.5
    f(t, floats(0.0, 0.5, 0.0), bools(F, T, T), floats(0.0, 1.0, 0.9), 0, 0.4, 0.8, 0.1, 3.0,
      0.4, 0.2)
    # salience max(0.4 / 2 = 0.2, 0.9) = 0.9; push 0.9 * 0.5 * 0.1 * 3 months = 0.135
    assert t[2, 0] == approx(-0.5 - 0.135 * 0.4 * (1.0 - 0.5))
    assert t[1, 0] == approx(-0.5 - 0.5 * 0.1 * 3.0 * 0.4 * 0.5)  # the victim: 1 * 0.5
    assert t[0, 1] == approx(-0.5 - 0.1 * 3.0 * 0.5 * 0.2 * 0.5)
    assert t[0, 2] == -0.5  # no war on 2: Russia's view of it does not move


def test_the_baseline_falls_with_betrayal_memory_and_russias_toward_members_with_the_spiral(impl):
    f = impl(trust._baseline)
    base0 = eye_trust(3, 0.2)
    base0[2, 1] = -0.9
    memory = np.zeros((3, 3))
    memory[1, 0], memory[2, 1] = 0.5, 1.0
    # Russia r = 0; 1 is a member, 2 is not; memory weight 0.5, spiral 0.3
    b = f(base0, memory, bools(F, T, F), 0, 0.5, 0.3)
    assert b[1, 0] == approx(0.2 - 0.5 * 0.5)  # remembered betrayal: 0.2 - 0.25
    assert b[0, 1] == approx(0.2 - 0.3)  # Russia's baseline toward a member: less the spiral
    assert b[0, 2] == approx(0.2)  # toward a non-member: no spiral
    assert b[2, 1] == -1.0  # -0.9 - 0.5 = -1.4, floored at -1
    assert b[0, 0] == b[1, 1] == b[2, 2] == 1.0


def test_trust_recovers_a_tenth_of_the_gap_slowed_by_memory_and_decays_a_fifth(impl):
    f = impl(trust._relax)
    t = np.array([[1.0, -0.5], [0.5, 1.0]])
    memory = np.array([[0.0, 0.5], [0.0, 0.0]])
    hostile = np.array([[0.0, 1.0], [2.0, 0.0]])
    base = np.array([[1.0, 0.5], [0.0, 1.0]])
    f(t, memory, hostile, base, 0.1, 2.0, 0.2, 0.9, 0.8)
    # upward gap 1.0 at recovery 0.1 / (1 + 0.5 * 2) = 0.05
    assert t[0, 1] == approx(-0.5 + 0.1 / (1.0 + 0.5 * 2.0) * (0.5 - -0.5))
    # downward gap -0.5 at decay 0.2, memory or not
    assert t[1, 0] == approx(0.5 + 0.2 * (0.0 - 0.5))
    assert t[0, 0] == t[1, 1] == 1.0  # no gap, no move
    assert memory[0, 1] == approx(0.45)  # 0.5 * 0.9
    assert hostile[0, 1] == approx(0.8) and hostile[1, 0] == approx(1.6)  # * 0.8


def test_without_memory_trust_recovers_at_the_full_rate(impl):
    f = impl(trust._relax)
    t = np.array([[1.0, 0.0], [0.0, 1.0]])
    base = np.array([[1.0, 0.5], [0.5, 1.0]])
    f(t, np.zeros((2, 2)), np.zeros((2, 2)), base, 0.1, 2.0, 0.2, 0.9, 0.8)
    assert t[0, 1] == approx(0.0 + 0.1 * 0.5) and t[1, 0] == approx(0.05)


def test_consultation_pulls_members_toward_the_sqrt_gdp_weighted_view_at_their_solidarity(impl):
    f = impl(trust._consult)
    t = np.array([[1.0, 0.2, -0.4],
                  [0.6, 1.0, 0.4],
                  [0.1, 0.1, 1.0]])
    # members 0 and 1 with sqrt-GDP weights 1 and 3 (sum 4); 2 is not a member
    f(t, ints(0, 1), floats(1.0, 3.0), 4.0, floats(0.5, 1.0, 0.9), 0.2)
    # the view, from the rows before anyone moves: (1 * row 0 + 3 * row 1) / 4
    view = [(1.0 * 1.0 + 3.0 * 0.6) / 4, (1.0 * 0.2 + 3.0 * 1.0) / 4, (1.0 * -0.4 + 3.0 * 0.4) / 4]
    assert view == approx([0.7, 0.8, 0.2])
    # member 0 moves 0.2 * 0.5 = 0.1 of the way, member 1 0.2 * 1.0 = 0.2
    assert t[0, 1] == approx(0.2 + (0.8 - 0.2) * 0.1)
    assert t[0, 2] == approx(-0.4 + (0.2 - -0.4) * 0.1)
    assert t[1, 0] == approx(0.6 + (0.7 - 0.6) * 0.2)
    assert t[1, 2] == approx(0.4 + (0.2 - 0.4) * 0.2)
    assert t[0, 0] == t[1, 1] == 1.0  # self-trust stays full
    assert t[2].tolist() == [0.1, 0.1, 1.0]  # a non-member is not consulted


def test_the_cooperation_dividend_raises_trust_both_ways_between_members_and_russia(impl):
    f = impl(trust._cooperation_dividend)
    t = eye_trust(3)
    t[0, 2], t[2, 0], t[1, 2], t[2, 1] = 0.5, -0.5, 0.3, 0.3
    f(t, bools(T, F, F), 2, 0.1)  # Russia r = 2; only 0 is a member
    assert t[0, 2] == approx(0.5 + 0.1 * (1.0 - 0.5))
    assert t[2, 0] == approx(-0.5 + 0.1 * (1.0 - -0.5))
    assert t[1, 2] == 0.3 and t[2, 1] == 0.3  # the non-member gets nothing


def test_clip_keeps_trust_in_minus_one_to_one_with_full_self_trust(impl):
    t = np.array([[0.3, 1.5], [-2.0, 0.7]])
    impl(trust._clip)(t)
    assert t.tolist() == [[1.0, 1.0], [-1.0, 1.0]]


# --------------------------------------------------------------------------------------------
# threat.py
# --------------------------------------------------------------------------------------------

# weights: capability 1, distrust 0.5, hostile 0.2, war 1, alliance war 2, armed-attack
# threshold 0.3, severity exponent 2, encirclement pressure 0.4
WEIGHTS = (1.0, 0.5, 0.2, 1.0, 2.0, 0.3, 2.0, 0.4)
GUARD = 1e-9  # the capability share's denominator carries + 1e-9


def _world_war_on_a_neighbour():
    """Russia (0, capability 3), member 1 (capability 1, prox 0.5), non-member 2 at war (prox 1)."""
    cap = floats(3.0, 1.0, 1.0)
    prox = np.array([[1.0, 0.5, 1.0],
                     [0.5, 1.0, 0.25],
                     [1.0, 0.25, 1.0]])
    t = eye_trust(3)
    t[1, 0], t[0, 2] = -0.5, -1.0
    hostile = np.zeros((3, 3))
    hostile[1, 0], hostile[0, 1] = 2.0, 0.5
    return (cap, prox, t, hostile, floats(0.0, 0.0, 0.5), bools(F, T, F), floats(0.0, 0.8, 0.0),
            0)


def test_a_members_threat_from_russia_adds_capability_distrust_hostility_and_a_war_nearby(impl):
    f = impl(threat._threat)
    z = (1.0 * 0.5 * 3.0 / (1.0 + 3.0 + GUARD)  # Russia's share of the pair, times closeness 0.5
         + 0.5 * 0.5  # distrust: trust -0.5
         + 0.2 * 1.0  # recent hostility 2.0, counted up to 1
         # the war on 2: closeness max(prox 0.25, lesson 0.5 * 1.0) = 0.5, times 0.5 ** 2
         + 1.0 * (0.5 * 0.5**2))
    # 2 is no member: no Article 5 term
    assert f(1, 0, *_world_war_on_a_neighbour(), *WEIGHTS) == approx(1.0 - math.exp(-z))


def test_russias_threat_from_a_member_adds_the_encirclement_pressure(impl):
    f = impl(threat._threat)
    w = _world_war_on_a_neighbour()
    # from member 1: share 1 / 4 times closeness 0.5, no distrust (trust 0), hostility 0.5 * 0.2,
    # and the encirclement pressure 0.4
    z = 1.0 * 0.5 * 1.0 / (3.0 + 1.0 + GUARD) + 0.0 + 0.2 * 0.5 + 0.4
    assert f(0, 1, *w, *WEIGHTS) == approx(1.0 - math.exp(-z))
    # from non-member 2: share 1 / 4 times closeness 1, full distrust 0.5 * 1, no encirclement
    z = 1.0 * 1.0 * 1.0 / (3.0 + 1.0 + GUARD) + 0.5 * 1.0
    assert f(0, 2, *w, *WEIGHTS) == approx(1.0 - math.exp(-z))


def test_no_state_threatens_itself(impl):
    f = impl(threat._threat)
    w = _world_war_on_a_neighbour()
    assert f(0, 0, *w, *WEIGHTS) == 0.0 and f(2, 2, *w, *WEIGHTS) == 0.0


def _world_war_on_a_member(intensity):
    """Russia (0) fights member 1 at ``intensity``; member 2 (solidarity 0.6) is its ally."""
    prox = np.array([[1.0, 0.5, 0.5],
                     [0.5, 1.0, 0.5],
                     [0.5, 0.5, 1.0]])
    return (floats(2.0, 1.0, 1.0), prox, eye_trust(3), np.zeros((3, 3)),
            floats(0.0, intensity, 0.0), bools(F, T, T), floats(0.0, 1.0, 0.6), 0)


def test_an_armed_attack_on_a_member_is_felt_in_full_by_it_and_at_solidarity_by_its_ally(impl):
    f = impl(threat._threat)
    w = _world_war_on_a_member(0.5)  # 0.5 > the armed-attack threshold 0.3
    share = 1.0 * 0.5 * 2.0 / (1.0 + 2.0 + GUARD)  # Russia's share 2/3 times closeness 0.5
    # the attacked member: closeness to its own war 1, severity 0.5 ** 2; Article 5 in full: 2 * 1
    z = share + 1.0 * (1.0 * 0.5**2) + 2.0 * 1.0
    assert f(1, 0, *w, *WEIGHTS) == approx(1.0 - math.exp(-z))
    # its ally: closeness max(0.5, 0.5 * 0.5) = 0.5; Article 5 at solidarity 0.6: 2 * 0.6
    z = share + 1.0 * (0.5 * 0.5**2) + 2.0 * 0.6
    assert f(2, 0, *w, *WEIGHTS) == approx(1.0 - math.exp(-z))


def test_fighting_below_the_armed_attack_threshold_brings_no_article_5_term(impl):
    f = impl(threat._threat)
    w = _world_war_on_a_member(0.2)  # 0.2 <= 0.3
    share = 1.0 * 0.5 * 2.0 / (1.0 + 2.0 + GUARD)
    assert f(1, 0, *w, *WEIGHTS) == approx(1.0 - math.exp(-(share + 1.0 * 0.2**2)))
    assert f(2, 0, *w, *WEIGHTS) == approx(1.0 - math.exp(-(share + 0.5 * 0.2**2)))


def test_the_threat_matrix_and_its_two_slices_hold_the_hand_computed_threats(impl):
    w = _world_war_on_a_neighbour()
    # every state from Russia (column 0) and Russia from every state (row 0), as above
    z10 = 1.0 * 0.5 * 3.0 / (1.0 + 3.0 + GUARD) + 0.25 + 0.2 + 0.5 * 0.25
    # 2 from Russia: share 3/4 times closeness 1, no distrust or hostility; its own war:
    # closeness 1 times 0.5 ** 2
    z20 = 1.0 * 1.0 * 3.0 / (1.0 + 3.0 + GUARD) + 1.0 * 0.5**2
    z01 = 1.0 * 0.5 * 1.0 / (4.0 + GUARD) + 0.2 * 0.5 + 0.4
    z02 = 1.0 * 1.0 * 1.0 / (4.0 + GUARD) + 0.5 * 1.0
    # 1 from 2 (no Russia): share 1/2 times closeness 0.25, nothing else
    z12 = 1.0 * 0.25 * 1.0 / (1.0 + 1.0 + GUARD)
    m = impl(threat._matrix)(*w, *WEIGHTS)
    assert m[1, 0] == approx(1.0 - math.exp(-z10)) and m[2, 0] == approx(1.0 - math.exp(-z20))
    assert m[0, 1] == approx(1.0 - math.exp(-z01)) and m[0, 2] == approx(1.0 - math.exp(-z02))
    assert m[1, 2] == approx(1.0 - math.exp(-z12)) and m[2, 1] == approx(1.0 - math.exp(-z12))
    assert np.diag(m).tolist() == [0.0, 0.0, 0.0]
    from_russia, of_russia = impl(threat._slices)(*w, *WEIGHTS)
    assert from_russia == approx([0.0, 1.0 - math.exp(-z10), 1.0 - math.exp(-z20)])
    assert of_russia == approx([0.0, 1.0 - math.exp(-z01), 1.0 - math.exp(-z02)])


def test_the_slices_find_the_wars_once_and_give_the_matrix_bits(impl):
    # two wars: on member 1 (an armed attack) and on non-member 2; Russia at war too (its own row)
    cap, prox, trust, hostile, _, member, solidarity, r = _world_war_on_a_member(0.5)
    for intensity in (floats(0.0, 0.5, 0.0), floats(0.0, 0.5, 0.25), floats(0.7, 0.2, 0.0), floats(0.0, 0.0, 0.0)):
        w = (cap, prox, trust, hostile, intensity, member, solidarity, r)
        m = impl(threat._matrix)(*w, *WEIGHTS)
        from_russia, of_russia = impl(threat._slices)(*w, *WEIGHTS)
        assert from_russia.tolist() == m[:, r].tolist()  # the same bits, not merely close
        assert of_russia.tolist() == m[r, :].tolist()
        into = np.full(3, np.nan), np.full(3, np.nan)  # the form the lockstep engine calls: into given rows
        impl(threat._slices_into)(*w, *WEIGHTS, *into)
        assert into[0].tolist() == m[:, r].tolist() and into[1].tolist() == m[r, :].tolist()


# --------------------------------------------------------------------------------------------
# deterrence.py
# --------------------------------------------------------------------------------------------


def test_credibility_is_the_logistic_of_local_balance_article_5_presence_and_resolve(impl):
    f = impl(deterrence._credibility)
    # Russia r = 0; member 1 evenly matched locally (0.9 + 0.1 against 0.9 + 0.1); non-member 2
    # with 1.9 of its own and 1.0 of aid against the same 0.9: ratio (1.9 + 1 + 0.1) / 1 = 3
    cred = f(floats(10.0, 0.9, 1.9), floats(0.0, 0.0, 1.0), floats(0.0, 0.9, 0.9), bools(F, T, F),
             floats(0.0, 0.25, 0.0), floats(0.0, 0.5, 0.5), 0,
             0.5, -1.0, 1.5, 2.0, 1.0)  # local, intercept, Article 5, presence, resolve weights
    # member: 0.5 * ln 1 - 1 + 1.5 (Article 5) + 2 * 0.25 + 1 * 0.5 = 1.5
    assert cred[1] == approx(sigmoid(0.5 * math.log(1.0) - 1.0 + 1.5 + 2.0 * 0.25 + 1.0 * 0.5))
    # non-member: 0.5 * ln 3 - 1 + 1 * 0.5, no Article 5
    assert cred[2] == approx(sigmoid(0.5 * math.log(3.0) - 1.0 + 0.5))
    assert cred[0] == 1.0  # Russia does not deter itself


def test_an_even_balance_with_nothing_else_is_a_coin_toss(impl):
    f = impl(deterrence._credibility)
    cred = f(floats(5.0, 1.0), floats(0.0, 0.0), floats(0.0, 1.0), bools(F, F), floats(0.0, 0.0),
             floats(0.0, 0.0), 0, 0.5, 0.0, 1.5, 2.0, 1.0)
    assert cred[1] == 0.5  # x = 0.5 * ln(1.1 / 1.1) + 0 = 0


# --------------------------------------------------------------------------------------------
# security_dilemma.py
# --------------------------------------------------------------------------------------------


def test_exposure_sums_members_closeness_presence_a_crossed_red_line_and_mean_aid(impl):
    f = impl(security_dilemma._exposure)
    # Russia (0, closeness 0), member 1 (closeness share 0.25, presence 0.4, aid 0.6), and 2
    # (share 0.75) behind a red line, which has applied
    out = f(floats(0.0, 0.25, 0.75), bools(F, T, F), floats(0.0, 0.4, 0.0), floats(0.0, 0.6, 0.0),
            bools(F, F, T), bools(F, F, T))
    assert out == approx((0.25, 0.25 * 0.4, 1.0, 0.6 / 1))


def test_exposure_without_members_or_red_line_moves_is_zero_and_mean_aid_is_guarded(impl):
    f = impl(security_dilemma._exposure)
    # no member: the mean of members' aid has no denominator and is 0; the red-line state has
    # neither applied nor joined
    out = f(floats(0.0, 0.5, 0.5), bools(F, F, F), floats(0.0, 0.0, 0.2), floats(0.0, 0.3, 0.3),
            bools(F, T, T), bools(F, F, F))
    assert out == approx((0.0, 0.5 * 0.2, 0.0, 0.0))
    # two members: aid (0.6 + 0.2) / 2; the red-line state is now a member
    out = f(floats(0.0, 0.5, 0.5), bools(F, T, T), floats(0.0, 0.0, 0.0), floats(0.0, 0.6, 0.2),
            bools(F, T, F), bools(F, F, F))
    assert out == approx((1.0, 0.0, 1.0, 0.4))


# --------------------------------------------------------------------------------------------
# russia_decisions.py
# --------------------------------------------------------------------------------------------


def test_stakes_are_closeness_raised_by_a_red_line_and_doubly_by_a_formal_move(impl):
    f = impl(russia_decisions._stakes)
    # attraction 0.5; 0: an applicant, no red line; 1: red line, not formal; 2: both
    s = f(floats(0.4, 0.5, 1.0), bools(T, F, T), bools(F, T, T), 0.5)
    assert s.tolist() == approx([0.4 * (1.0 + 0.0),
                                 0.5 * (1.0 + 0.5 * 1.0 * (0.0 + 1.0)),
                                 1.0 * (1.0 + 0.5 * 1.0 * (1.0 + 1.0))])


def test_force_utility_is_gain_less_war_deterrence_strain_and_wars_under_way(impl):
    f = impl(russia_decisions._force_utilities)
    # 0 is no candidate; 1 a member, 2 a non-member; ambition 0.5, strain 0.2, largest war 0.5
    u = f(bools(F, T, T), bools(F, T, F), floats(0.0, 0.75, 2.0), floats(1.0, 0.8, 0.25),
          0.5, 0.2, 0.5,
          2.0, 4.0, 1.0, 3.0, 2.0, 1.0, 0.5)  # u aggression/attack, c aggression/attack, c det/strain/war
    assert u[0] == -np.inf
    # member: 4 * 0.5 * 0.75 - (3 + 2 * 0.8) - 1 * 0.2 - 0.5 * 0.5 = -3.55
    assert u[1] == approx(4.0 * 0.5 * 0.75 - (3.0 + 2.0 * 0.8) - 1.0 * 0.2 - 0.5 * 0.5)
    # non-member: 2 * 0.5 * 2 - (1 + 2 * 0.25) - 0.2 - 0.25 = 0.05
    assert u[2] == approx(2.0 * 0.5 * 2.0 - (1.0 + 2.0 * 0.25) - 1.0 * 0.2 - 0.5 * 0.5)


def test_inclusive_value_is_the_log_sum_of_the_taken_finite_utilities(impl):
    f = impl(russia_decisions._inclusive_value)
    # utilities 0.3, -inf, -1.2; temperature 0.5; states 0 and 1 taken as members, 2 not
    u, member = floats(0.3, -np.inf, -1.2), bools(T, T, F)
    assert f(u, member, True, 0.5) == approx(0.3)  # one finite term: top + T log exp(0) = top
    assert f(u, member, False, 0.5) == approx(-1.2)
    # both finite terms: 0.3 + 0.5 log(1 + exp((-1.2 - 0.3) / 0.5)) = 0.3 + 0.5 log(1 + e^-3)
    assert f(u, bools(T, T, T), True, 0.5) == approx(0.3 + 0.5 * math.log(1.0 + math.exp(-3.0)))
    assert f(floats(-np.inf, 1.0), bools(T, F), True, 0.5) == -np.inf  # none finite among those taken


def test_choice_probabilities_are_the_logit_of_utilities_over_temperature(impl):
    f = impl(russia_decisions._probabilities)
    # utilities 0 and log 3 at temperature 1: weights 1 and 3, so 1/4 and 3/4; -inf has weight 0
    assert f(floats(0.0, math.log(3.0), -np.inf), 1.0).tolist() == approx([0.25, 0.75, 0.0])
    # at temperature 2 the same utilities weigh 1 and sqrt 3
    assert f(floats(0.0, math.log(3.0)), 2.0).tolist() == approx([1 / (1 + 3**0.5), 3**0.5 / (1 + 3**0.5)])
    assert np.isnan(f(floats(0.0, np.nan), 1.0)).all()  # a NaN utility: no probabilities


def test_a_uniform_picks_the_first_index_whose_cumulative_weight_passes_it(impl):
    f = impl(russia_decisions._pick)
    # weights 1 and 3 (total 4): u 0.2 -> level 0.8 < 1 -> 0; u 0.5 -> level 2 in (1, 4] -> 1
    assert f(0.2, floats(1.0, 3.0)) == 0 and f(0.5, floats(1.0, 3.0)) == 1
    assert f(0.25, floats(0.0, 1.0, 3.0)) == 2  # level 1 equals the sum through 1: the next index (side "right")
    assert f(0.5, floats(0.0, 0.0)) == -1  # nothing weighted


def _decision_params(**values):
    pv = np.zeros((1, len(russia_decisions.DECISION_PARAMETERS)))
    for name, value in values.items():
        pv[0, russia_decisions.DECISION_PARAMETERS.index(name)] = value
    return pv


def test_target_weights_are_force_logits_exposure_or_energy_exposure_to_a_power(impl):
    f = impl(russia_decisions._target_weights)
    rd = russia_decisions
    p = _decision_params(decision_temperature=0.5, target_focus=2.0)[0]
    # state 0 Russia (not eligible); 1 a member, aided, trusting Russia 0.2; 2 an applicant, trusting it -0.5
    force = floats(-np.inf, 0.5, -0.5)
    member, applicant, eligible = bools(F, T, F), bools(F, F, T), bools(F, T, T)
    world = (member, applicant, floats(1.0, 0.5, 0.8), floats(1.0, 0.2, -0.5),  # closeness, trust in Russia
             floats(0.0, 0.5, 0.0), floats(1.0, 0.5, 0.0), floats(2.0, 2.0, 3.0), eligible)  # aid, dependence, GDP

    def weights(action):
        return f(action, p, force, *world).tolist()

    # force: exp(u / T) for a finite utility of the chosen kind (members for an attack)
    assert weights(rd.ATTACK) == approx([0.0, math.exp(0.5 / 0.5), 0.0])
    assert weights(rd.AGGRESSION) == approx([0.0, 0.0, math.exp(-0.5 / 0.5)])
    # hybrid: (closeness * (1 - trust in Russia) * (1 + aid + applicant)) ** focus, eligible states only
    #   1: (0.5 * 0.8 * 1.5) ** 2 = 0.6 ** 2 = 0.36; 2: (0.8 * 1.5 * 2) ** 2 = 2.4 ** 2 = 5.76
    assert weights(rd.CYBER) == approx([0.0, 0.36, 5.76])
    assert weights(rd.SABOTAGE) == weights(rd.ELECTION) == weights(rd.CYBER)
    # energy: (dependence * GDP) ** focus: 1: (0.5 * 2) ** 2 = 1; 2: no dependence
    assert weights(rd.ENERGY) == approx([0.0, 1.0, 0.0])
    assert weights(rd.COOPERATE) == weights(rd.NUCLEAR) == [0.0, 0.0, 0.0]


def test_decision_utilities_weigh_each_action_of_each_run(impl):
    f = impl(russia_decisions._decision_utilities)
    rd = russia_decisions
    pv = _decision_params(
        aggression_min_proximity=0.5, conflict_level_threshold=0.5, red_line_attraction=0.5,
        u_aggression=2.0, u_attack=4.0, c_aggression=1.0, c_attack=3.0, c_deterrence=2.0, c_force_strain=1.0,
        c_aggression_at_war=0.5, decision_temperature=0.5, channel_strength_act=0.5,
        drive_revisionism=1.0, drive_hostility=1.0, drive_encirclement=1.0, u_hybrid=1.0, c_hybrid=0.5,
        u_cooperate=2.0, c_cooperate_revisionism=1.0, c_cooperate=0.05, u_dialogue=1.0,
        bias_cyber=0.1, bias_election=-0.1, u_energy=2.0, c_energy=0.5, u_nuclear=1.0, c_nuclear=2.0,
    ).repeat(2, axis=0)
    # two runs alike but for the channel: active without the council (strength 0.5), then frozen (0)
    state = {"revisionism": 0.5, "strain": 0.2, "hostility": 0.4, "encirclement": 0.2, "leverage": 0.5,
             "red_line_violation": 1.0, "channel": float(rd.ACTIVE), "nrc": 0.0}
    ws = np.array([[state[k] for k in rd.DECISION_STATE]] * 2)
    ws[1, rd.DECISION_STATE.index("channel")] = FROZEN

    def two(*xs):
        return np.array([xs, xs])

    # state 0 Russia (too far to be a target); 1 a member; 2 an applicant behind a red line, at war (0.25)
    force, u = np.empty((2, 3)), np.empty((2, len(rd.ACTIONS)))
    f(pv, ws, two(0.0, 0.75, 1.0), two(0.0, 0.0, 0.25), two(F, T, F), two(F, F, T), two(F, F, T),
      two(0.0, 0.5, 0.25), bools(F, T, T), force, u)
    # member 1: stakes 0.75; 4 * 0.5 * 0.75 - (3 + 2 * 0.5) - 1 * 0.2 - 0.5 * 0.25 = 1.5 - 4 - 0.2 - 0.125
    # applicant 2: stakes 1 * (1 + 0.5 * 1 * 2) = 2; 2 * 0.5 * 2 - (1 + 2 * 0.25) - 0.2 - 0.125 = 0.175
    for q in (0, 1):
        assert force[q].tolist() == approx([-np.inf, -2.825, 0.175])
    # drive 0.5 + 0.4 + 0.2 = 1.1; run 0's channel 0.5: hybrid 1.1 - 0.5 * 1.5 = 0.35
    assert u[0].tolist() == approx([
        2.0 * 0.5 * 0.6 - 0.5 - 0.05,  # cooperate: channel and (1 - hostility), less ambition's cost
        1.0 * 0.5 * 0.7 - 0.25 - 0.05,  # dialogue: channel and (0.5 + strain), less half ambition's cost
        0.0,  # the status quo
        0.35 + 0.1, 0.35 - 0.1, 0.35,  # cyber, election, sabotage: hybrid and bias
        2.0 * 1.1 * 0.5 - 0.5 * 1.2,  # energy: drive and leverage, less cost under strain
        (0.2 + 0.25 + 1.0) - 2.0,  # nuclear: encirclement, largest war, red lines crossed
        0.175, -2.825,  # aggression, attack: one target each, so its own utility
    ])
    # run 1's frozen channel (0): cooperate -0.55, dialogue -0.3, hybrid 1.1 - 0.5 = 0.6
    assert u[1, :6].tolist() == approx([-0.55, -0.3, 0.0, 0.7, 0.5, 0.6])
    assert u[1, 6:].tolist() == approx(u[0, 6:].tolist())


def test_decision_choices_draw_each_runs_action_then_its_target(impl):
    f = impl(russia_decisions._decision_choices)
    rd = russia_decisions
    pv = _decision_params(decision_temperature=1.0, target_focus=2.0).repeat(4, axis=0)
    # utilities: the status quo 0 and cyber log 3, the rest out of reach: probabilities 1/4 and 3/4
    u = np.full((4, len(rd.ACTIONS)), -np.inf)
    u[:, rd.STATUS_QUO], u[:, rd.CYBER] = 0.0, math.log(3.0)
    u[3, rd.COOPERATE] = np.nan  # run 3: a NaN utility, so no probabilities at all

    def four(*xs):
        return np.array([xs] * 4)

    # the targets of the hybrid weights test: 0.36 and 5.76 (total 6.12); run 2 has no eligible state
    force = np.full((4, 3), -np.inf)
    eligible = bools(F, T, T)
    # uniforms: run 0 picks the status quo (0.1 < 0.25); runs 1 and 2 cyber, run 1's target level 0.05 * 6.12
    # = 0.306 < 0.36 -> state 1
    uniforms = np.array([[0.1, 0.5], [0.5, 0.05], [0.5, 0.5], [0.5, 0.5]])
    trust_r = four(1.0, 0.2, -0.5)
    probs, action, target = np.empty((4, len(rd.ACTIONS))), np.empty(4, np.int64), np.empty(4, np.int64)
    applicant = four(F, F, T)
    f(pv, u, force, four(F, T, F), applicant, four(1.0, 0.5, 0.8), trust_r, four(0.0, 0.5, 0.0),
      four(1.0, 0.5, 0.0), four(2.0, 2.0, 3.0), eligible, uniforms, probs, action, target)
    expected = np.zeros(len(rd.ACTIONS))
    expected[rd.STATUS_QUO], expected[rd.CYBER] = 0.25, 0.75
    assert probs[0].tolist() == approx(expected.tolist())
    assert np.isnan(probs[3]).all()
    assert action.tolist() == [rd.STATUS_QUO, rd.CYBER, rd.CYBER, rd.STATUS_QUO]
    assert target.tolist() == [-1, 1, 2, -1]  # run 2: level 0.5 * 6.12 = 3.06 > 0.36 -> state 2
    # without an eligible target, cyber falls back to the status quo (run 2 again, nothing eligible)
    f(pv[:1], u[2:3], force[:1], four(F, T, F)[:1], applicant[:1], four(1.0, 0.5, 0.8)[:1], trust_r[:1],
      four(0.0, 0.5, 0.0)[:1], four(1.0, 0.5, 0.0)[:1], four(2.0, 2.0, 3.0)[:1], bools(F, F, F),
      uniforms[2:3], probs[:1], action[:1], target[:1])
    assert action[0] == rd.STATUS_QUO and target[0] == -1


# --------------------------------------------------------------------------------------------
# escalation.py
# --------------------------------------------------------------------------------------------


def test_the_implied_rung_is_set_by_the_largest_war_then_by_hostility_toward_members(impl):
    f = impl(escalation._implied_level)
    # thresholds: armed confrontation above 0.3, war from 0.6, crisis above 0.5, tension above 0.2
    levels = (0.3, 0.6, 0.5, 0.2)
    member = bools(F, T, T)  # state 0 is Russia; 1 and 2 members
    hostile = np.zeros((3, 3))
    assert f(floats(0.0, 0.0, 0.0), member, hostile, 0, *levels) == 0  # peace
    assert f(floats(0.0, 0.0, 0.4), bools(F, T, F), hostile, 0, *levels) == 3  # a non-member's war above 0.3
    assert f(floats(0.0, 0.0, 0.7), bools(F, T, F), hostile, 0, *levels) == 4  # ... from 0.6: war
    assert f(floats(0.0, 0.0, 0.4), member, hostile, 0, *levels) == 5  # a member at war: NATO-Russia war
    # hostility: members' memories of Russia's acts (column 0), each at most 1, averaged over the 2 members
    hostile[1, 0], hostile[2, 0] = 2.0, 0.0  # (min(1, 2) + 0) / 2 = 0.5: not above 0.5, above 0.2
    assert f(floats(0.0, 0.0, 0.0), member, hostile, 0, *levels) == 1
    hostile[2, 0] = 0.2  # (1 + 0.2) / 2 = 0.6 > 0.5: crisis
    assert f(floats(0.0, 0.0, 0.0), member, hostile, 0, *levels) == 2
    assert f(floats(0.0, 0.0, 0.0), bools(F, F, F), hostile, 0, *levels) == 0  # no members: no hostility


def test_the_ladder_jumps_up_at_once_and_steps_down_one_rung_on_a_draw(impl):
    f = impl(escalation._ladder)
    # three runs, each at peace now (implied rung 0); rungs 0, 3, 3; de-escalation probability 0.25
    war, member, hostile = np.zeros((3, 2)), np.zeros((3, 2), dtype=np.bool_), np.zeros((3, 2, 2))
    war[0, 1] = 0.7  # run 0: a war from 0.6 on a non-member: up to 4 at once
    level, fear = np.array([0, 3, 3]), floats(1.0, 0.5, 0.0)
    # run 1 draws 0.2 < 0.25 (one rung down), run 2 draws 0.3 (stays); nuclear fear keeps 0.9 of itself
    f(war, member, hostile, 0, level, fear, floats(0.9, 0.2, 0.3), 0.3, 0.6, 0.5, 0.2, 0.9, 0.25)
    assert level.tolist() == [4, 2, 3]
    assert fear.tolist() == approx([0.9, 0.45, 0.0])
    # a run alone: numbers, not arrays, for its parameters
    level, fear = np.array([2]), floats(1.0)
    f(war[1:2], member[1:2], hostile[1:2], 0, level, fear, floats(0.0), 0.3, 0.6, 0.5, 0.2, 0.5, 1.0)
    assert level.tolist() == [1] and fear.tolist() == [0.5]


# --------------------------------------------------------------------------------------------
# institutions.py
# --------------------------------------------------------------------------------------------


def test_the_channel_is_suspended_on_falling_trust_and_thaws_on_a_draw_when_both_sides_are_willing(impl):
    f = impl(institutions._channel)
    from sim.world import ACTIVE, SUSPENDED

    # four runs of Russia (0) and two members; members' trust in Russia (column 0):
    #   run 0: 0.2 and -0.4, mean -0.1, last seen 0.1; runs 1-3: 0.4 and 0.2, mean 0.3, never seen before
    trust = np.zeros((4, 3, 3))
    trust[0, 1, 0], trust[0, 2, 0] = 0.2, -0.4
    trust[1:, 1, 0], trust[1:, 2, 0] = 0.4, 0.2
    member = np.array([[F, T, T]] * 4)
    seen, trend = floats(0.1, np.nan, np.nan, np.nan), floats(0.0, 0.2, 0.2, 0.2)
    conciliation = floats(1.0, 1.0, 1.0, 1.0)
    escalation = np.array([0, 0, 0, 2])  # run 3: above the reopening's highest rung (1)
    channel = np.array([ACTIVE, FROZEN, FROZEN, FROZEN])
    moves = np.empty(4, dtype=np.int64)
    # trend rate 0.5, conciliation keeps 0.9, reopen at rung <= 1, conciliation >= 0.5, trend reference 0.4,
    # reopening rate 0.5, suspend below trust 0; draws 0, 0.2, 0.3, 0
    f(trust, member, 0, seen, trend, conciliation, escalation, channel, floats(0.0, 0.2, 0.3, 0.0), 1,
      0.5, 0.9, 1.0, 0.5, 0.4, 0.5, 0.0, moves)
    assert seen.tolist() == approx([-0.1, 0.3, 0.3, 0.3])
    # run 0: change (-0.1 - 0.1) / 1 = -0.2, trend 0 + 0.5 * (-0.2 - 0) = -0.1; the others keep theirs
    assert trend.tolist() == approx([-0.1, 0.2, 0.2, 0.2])
    assert conciliation.tolist() == approx([0.9] * 4)
    # run 0: trust -0.1 < 0 and falling: suspended. Runs 1-3 willing (conciliation 0.9 >= 0.5, trend > 0)
    # where calm: pace min(1, 0.2 / 0.4) = 0.5, probability 1 - (1 - 0.5 * 0.5) = 0.25: run 1's 0.2 thaws,
    # run 2's 0.3 does not; run 3 is not calm
    assert moves.tolist() == [institutions.SUSPEND, institutions.THAW, institutions.NO_MOVE, institutions.NO_MOVE]
    assert channel.tolist() == [SUSPENDED, SUSPENDED, FROZEN, FROZEN]
    # a run alone, quarterly, its parameters as numbers: seen 0.2, so change (0.3 - 0.2) / 3 and trend
    # 0.2 + 0.5 * (0.1 / 3 - 0.2); pace min(1, trend / 0.4); the channel reopens on draw 0 (probability > 0)
    seen, trend, conciliation, channel = floats(0.2), floats(0.2), floats(1.0), np.array([SUSPENDED])
    f(trust[1:2], member[1:2], 0, seen, trend, conciliation, np.array([0]), channel, floats(0.0), 3,
      0.5, 0.9, 1.0, 0.5, 0.4, 0.5, 0.0, moves[:1])
    assert trend[0] == approx(0.2 + 0.5 * ((0.3 - 0.2) / 3 - 0.2))
    assert moves[0] == institutions.RESUME and channel[0] == ACTIVE


# --------------------------------------------------------------------------------------------
# defence_spending.py
# --------------------------------------------------------------------------------------------


def _targets(f, *, spend, threat_, russia_threat, war_, base, resolve, prox, solidarity, member,
             forces, stress, r, response=1.0, threshold=0.5, austerity=0.1, guideline=2.0,
             pull=0.5, urgency=0.5, threat_reference=1.0, russia_response=2.0,
             russia_ambition=1.0, revisionism=0.5, war_spending=4.0, contribution=None,
             alliance_war=0.0):
    n = len(spend)
    terms = np.full((5, n), np.nan)
    contribution = np.zeros(n) if contribution is None else contribution
    target = f(spend, threat_, russia_threat, war_, base, resolve, prox, solidarity, member, forces,
               stress, r, response, threshold, austerity, guideline, pull, urgency, threat_reference,
               russia_response, russia_ambition, revisionism, war_spending, contribution,
               alliance_war, terms)
    return target, terms


def test_spending_targets_of_russia_a_threatened_member_and_a_threatened_non_member(impl):
    f = impl(defence_spending._targets)
    # Russia r = 0; member 1 (threat 0.75, fiscal stress 1, spends 1 % against the 2 % guideline);
    # non-member 2 (threat 0.75, no stress) which Russia fights at 0.5; threshold 0.5
    target, terms = _targets(
        f, spend=floats(4.0, 1.0, 1.0), threat_=floats(0.0, 0.75, 0.75),
        russia_threat=floats(0.0, 0.6, 0.3), war_=floats(0.0, 0.0, 0.5),
        base=floats(3.0, 2.0, 1.0), resolve=floats(0.0, 0.5, 1.0), prox=floats(0.0, 0.5, 1.0),
        solidarity=floats(0.0, 0.8, 0.5), member=bools(F, T, F), forces=bools(T, T, T),
        stress=floats(0.0, 1.0, 0.0), r=0)
    # Russia: peacetime 3 + ambition 1 * 0.5 + response 2 * its threat from members (0.6, not
    # the non-member's 0.3) + war spending 4 * its largest war 0.5
    assert target[0] == approx(3.0 + 1.0 * 0.5 + 2.0 * 0.6 + 4.0 * 0.5)
    assert terms[:, 0] == approx([6.7, 0.0, 0.0, 0.0, 0.0])
    # member: anchor 2 cut by austerity 0.1 * 1 -> 1.8; threat: 1 * resolve 0.5 * prox 0.5 *
    # ln((1 - 0.5) / (1 - 0.75)) = 0.25 ln 2; pledge: honour (0.75 - 0.5) / (1 - 0.5) = 0.5,
    # press 0.5 * max(urgency 0.5, 0.5), pull 0.5 * solidarity 0.8 * press * (2 - 1) = 0.1
    threat_term = 1.0 * 0.5 * 0.5 * math.log(0.5 / 0.25)
    pledge_term = 0.5 * 0.8 * (0.5 * max(0.5, 0.5)) * (2.0 - 1.0)
    assert target[1] == approx(2.0 * (1.0 - 0.1 * 1.0) + threat_term + pledge_term)
    assert terms[:, 1] == approx([2.0, -0.2, threat_term, pledge_term, 0.0])
    # non-member: its anchor 1 and the threat term 1 * 1 * 1 * ln 2; no pledge
    assert target[2] == approx(1.0 + math.log(2.0))
    assert terms[:, 2] == approx([1.0, 0.0, math.log(2.0), 0.0, 0.0])


def test_at_the_threshold_neither_threat_nor_pledge_acts_and_above_the_guideline_no_pledge(impl):
    f = impl(defence_spending._targets)
    # Russia r = 2; member 0 exactly at the threshold (0.5, strict >); member 1 high threat 0.875
    # but spending 2.5 %, above the 2 % guideline
    target, terms = _targets(
        f, spend=floats(1.0, 2.5, 4.0), threat_=floats(0.5, 0.875, 0.0),
        russia_threat=floats(0.1, 0.2, 0.0), war_=floats(0.0, 0.0, 0.0),
        base=floats(1.5, 2.0, 3.0), resolve=floats(1.0, 1.0, 0.0), prox=floats(1.0, 1.0, 0.0),
        solidarity=floats(1.0, 1.0, 0.0), member=bools(T, T, F), forces=bools(T, T, T),
        stress=floats(0.0, 0.0, 0.0), r=2)
    assert target[0] == 1.5 and terms[2, 0] == 0.0 and terms[3, 0] == 0.0
    # ln((1 - 0.5) / (1 - 0.875)) = ln 4; pledge max(2 - 2.5, 0) = 0
    assert target[1] == approx(2.0 + 1.0 * 1.0 * 1.0 * math.log(4.0))
    assert terms[3, 1] == 0.0
    # Russia: 3 + 0.5 + 2 * max(0.1, 0.2), no war
    assert target[2] == approx(3.0 + 1.0 * 0.5 + 2.0 * 0.2)


def test_a_high_threat_honours_the_pledge_in_full_whatever_the_horizon(impl):
    f = impl(defence_spending._targets)
    # member 1's threat 0.875 is past the reference 0.75: honour min(0.375 / 0.25, 1) = 1,
    # press 1 * max(urgency 0.1, 1) = 1; pull 0.5 * solidarity 0.8 * (2 - 1.5)
    target, terms = _targets(
        f, spend=floats(4.0, 1.5), threat_=floats(0.0, 0.875), russia_threat=floats(0.0, 0.0),
        war_=floats(0.0, 0.0), base=floats(3.0, 1.0), resolve=floats(0.0, 0.0),
        prox=floats(0.0, 0.0), solidarity=floats(0.0, 0.8), member=bools(F, T),
        forces=bools(T, T), stress=floats(0.0, 0.0), r=0, urgency=0.1, threat_reference=0.75)
    assert terms[3, 1] == approx(0.5 * 0.8 * 1.0 * 1.0 * (2.0 - 1.5))
    assert target[1] == approx(1.0 + 0.0 + 0.2)  # resolve 0: the threat term is 0


def test_a_pledge_reference_at_the_threshold_is_guarded_and_honoured_in_full(impl):
    f = impl(defence_spending._targets)
    # reference 0.5 = threshold: the denominator is floored at 1e-9, so any threat above the
    # threshold honours the pledge in full: 0.5 * 1 * 1 * max(urgency 0.5, 1) * (2 - 1)
    _, terms = _targets(
        f, spend=floats(4.0, 1.0), threat_=floats(0.0, 0.51), russia_threat=floats(0.0, 0.0),
        war_=floats(0.0, 0.0), base=floats(3.0, 1.0), resolve=floats(0.0, 0.0),
        prox=floats(0.0, 0.0), solidarity=floats(0.0, 1.0), member=bools(F, T),
        forces=bools(T, T), stress=floats(0.0, 0.0), r=0, threat_reference=0.5)
    assert terms[3, 1] == approx(0.5 * 1.0 * 1.0 * 1.0 * 1.0)


def test_a_state_without_armed_forces_keeps_its_civil_budget_and_austerity_stops_at_zero(impl):
    f = impl(defence_spending._targets)
    # member 1 has no armed forces: threat, pledge and Article 5 contribution do not move it;
    # member 2 under a fiscal stress of 20 (austerity 0.1 * 20 = 2 > 1): its anchor falls to 0,
    # but it contributes 0.5 to a war on the alliance (alliance war spending 1)
    target, terms = _targets(
        f, spend=floats(4.0, 0.5, 1.0), threat_=floats(0.0, 0.875, 0.0),
        russia_threat=floats(0.0, 0.0, 0.0), war_=floats(0.0, 0.0, 0.0),
        base=floats(3.0, 0.5, 2.0), resolve=floats(0.0, 1.0, 1.0), prox=floats(0.0, 1.0, 1.0),
        solidarity=floats(0.0, 1.0, 1.0), member=bools(F, T, T), forces=bools(T, F, T),
        stress=floats(0.0, 0.0, 20.0), r=0, contribution=floats(0.0, 1.0, 0.5), alliance_war=1.0)
    assert target[1] == 0.5
    assert terms[:, 1].tolist() == [0.5, 0.0, 0.0, 0.0, 0.0]
    assert target[2] == approx(2.0 * max(1.0 - 0.1 * 20.0, 0.0) + 1.0 * 0.5)
    assert terms[:, 2] == approx([2.0, -2.0, 0.0, 0.0, 0.5])


def test_spending_rises_half_the_gap_falls_a_quarter_and_stays_within_0_and_12(impl):
    f = impl(defence_spending._adjust)
    # Russia r = 2; noise passed in by hand; rise 0.5, fall 0.25, capability adjusts half-way,
    # partners add 3 to Russia's capability
    spend = floats(1.0, 3.0, 11.0)
    cap = floats(2.0, 4.0, 10.0)
    f(spend, cap, floats(2.0, 1.0, 14.0), floats(100.0, 200.0, 50.0), floats(1.0, 1.0, 2.0),
      floats(0.1, 0.0, 0.5), 2, 0.5, 0.25, 3.0, 0.5)
    assert spend[0] == approx(1.0 + 0.5 * (2.0 - 1.0) + 0.1)  # up: 1.6
    assert spend[1] == approx(3.0 + 0.25 * (1.0 - 3.0))  # down: 2.5
    assert spend[2] == 12.0  # 11 + 0.5 * 3 + 0.5 = 13, capped at 12
    # capability follows spending in money: gdp * spend / 100 * factor (+ partners for Russia)
    assert cap[0] == approx(2.0 + (100.0 * 1.6 / 100.0 * 1.0 - 2.0) * 0.5)
    assert cap[1] == approx(4.0 + (200.0 * 2.5 / 100.0 * 1.0 - 4.0) * 0.5)
    assert cap[2] == approx(10.0 + (50.0 * 12.0 / 100.0 * 2.0 + 3.0 - 10.0) * 0.5)
    spend, cap = floats(0.1, 1.0), floats(1.0, 1.0)
    f(spend, cap, floats(0.0, 1.0), floats(10.0, 10.0), floats(1.0, 1.0), floats(-1.0, 0.0), 1,
      0.5, 0.25, 3.0, 0.5)
    assert spend[0] == 0.0  # 0.1 - 0.025 - 1 < 0: floored at 0
    assert cap[0] == approx(1.0 + (0.0 - 1.0) * 0.5)


# --------------------------------------------------------------------------------------------
# member_decisions.py
# --------------------------------------------------------------------------------------------


def test_presence_follows_commitments_as_willing_as_members_with_a_capped_surge(impl):
    f = impl(member_decisions._presence)
    # 0 a non-member with presence 0.4; member 1 hosts a commitment 0.5 under threat 0.8;
    # member 2 (threat 0.2, no commitment) receives an Article 5 reinforcement 0.3
    presence = floats(0.4, 0.2, 0.0)
    f(presence, floats(0.0, 0.5, 0.0), floats(0.0, 0.8, 0.2), floats(0.9, 0.8, 0.6),
      bools(F, T, T), floats(1.0, 0.1, 1.0), 0.4, 0.6, 2.0, 0.5, floats(0.0, 0.0, 0.3))
    # willing: members' mean of min(threat / 0.4, 1) * solidarity = (1 * 0.8 + 0.5 * 0.6) / 2
    willing = (min(0.8 / 0.4, 1.0) * 0.8 + min(0.2 / 0.4, 1.0) * 0.6) / 2
    assert willing == approx(0.55)
    rotational = 0.5 * (0.5 + willing)  # 0.525
    surge = min(rotational * (0.8 - 0.6) * 2.0, 0.1)  # 0.21, capped by the Founding Act at 0.1
    assert presence[1] == approx(0.2 + (min(rotational + surge, 1.0) - 0.2) * 0.5)
    assert presence[2] == approx(0.0 + (max(0.0, 0.3) - 0.0) * 0.5)  # the reinforcement floor
    assert presence[0] == approx(0.4 + (0.0 - 0.4) * 0.5)  # a non-member hosts nothing


def test_presence_is_capped_at_one_and_without_members_nobody_is_willing(impl):
    f = impl(member_decisions._presence)
    presence = floats(0.0, 0.0)
    # member 1: commitment 2 * (0.5 + willing 1 * 1 / 1) = 3, capped at 1; the adjustment is full
    f(presence, floats(0.0, 2.0), floats(0.0, 0.5), floats(0.0, 1.0), bools(F, T),
      floats(1.0, 1.0), 0.4, 0.6, 2.0, 1.0, floats(0.0, 0.0))
    assert presence[1] == 1.0
    # a smaller commitment 0.2 of the one member: 0.2 * (0.5 + 1 * 1 / 1) = 0.3 (threat 0.5 is
    # below the surge threshold 0.6)
    presence = floats(0.0, 0.0)
    f(presence, floats(0.0, 0.2), floats(0.0, 0.5), floats(0.0, 1.0), bools(F, T),
      floats(1.0, 1.0), 0.4, 0.6, 2.0, 1.0, floats(0.0, 0.0))
    assert presence[1] == approx(0.2 * (0.5 + min(0.5 / 0.4, 1.0) * 1.0 / 1))
    # no member at all: willing = 0 / max(0, 1) = 0 and every target is 0
    presence = floats(0.5, 0.5)
    f(presence, floats(1.0, 1.0), floats(0.9, 0.9), floats(1.0, 1.0), bools(F, F),
      floats(1.0, 1.0), 0.4, 0.6, 2.0, 0.5, floats(0.0, 0.0))
    assert presence.tolist() == approx([0.25, 0.25])


def _sanctions(f, sanctions, trust_m, **over):
    # Russia r = 2; west states 0 and 1 with GDP weights 0.75 and 0.25; 0 remembers hostility 2,
    # 1 hostility 0.5; Russia fights 1 at 0.25
    q = {"hostile_weight": 0.5, "drive": 1.0, "energy_cost": 0.2, "coordination": 0.5,
         "trust_threshold": 0.0, "package": 0.1, "lift": 0.5}
    q.update(over)
    hostile = np.zeros((3, 3))
    hostile[0, 2], hostile[1, 2] = 2.0, 0.5
    return f(sanctions, hostile, floats(0.0, 0.25, 0.0), floats(0.8, 0.4, 0.0),
             floats(0.5, 0.0, 0.0), trust_m, bools(T, T, F), floats(0.75, 0.25, 0.0), 2,
             q["hostile_weight"], q["drive"], q["energy_cost"], q["coordination"],
             q["trust_threshold"], q["package"], q["lift"])


def test_a_sanctions_package_when_the_coordinated_target_jumps_and_slow_lifting_otherwise(impl):
    f = impl(member_decisions._sanctions)
    t = eye_trust(3)
    t[0, 2], t[1, 2] = -0.5, -0.2
    new, jump = _sanctions(f, floats(0.1, 0.5, 0.0), t)
    mean = 0.75 * 0.1 + 0.25 * 0.5  # the West's GDP-weighted level: 0.2
    # state 0: provocation min(2, 1) * 0.5 + largest war 0.25, * drive 1 * solidarity 0.8 = 0.6,
    # less energy cost 0.2 * dependence 0.5 -> 0.5; coordinated 0.5 + 0.5 * 0.8 * (0.2 - 0.5)
    own0 = min(max((1.0 * 0.5 + 0.25) * 1.0 * 0.8 - 0.2 * 0.5, 0.0), 1.0)
    target0 = own0 + 0.5 * 0.8 * (mean - own0)
    assert target0 == approx(0.38)
    assert new[0] == approx(target0) and jump[0]  # gap 0.28 > package 0.1: a new package
    # state 1: (0.5 * 0.5 + 0.25) * 0.4 = 0.2, coordination pulls it to the mean 0.2 (no change);
    # gap 0.2 - 0.5 = -0.3: lifted half of it
    own1 = (0.5 * 0.5 + 0.25) * 1.0 * 0.4
    target1 = own1 + 0.5 * 0.4 * (mean - own1)
    assert new[1] == approx(0.5 + 0.5 * (target1 - 0.5)) and not jump[1]
    assert new[2] == 0.0 and not jump[2]  # Russia is not in the West


def test_sanctions_are_never_raised_short_of_a_package_and_trust_at_the_threshold_lifts_them(impl):
    f = impl(member_decisions._sanctions)
    t = eye_trust(3)
    t[0, 2], t[1, 2] = -0.5, 0.0  # state 1 trusts Russia at the threshold 0 (not below it)
    new, jump = _sanctions(f, floats(0.35, 0.4, 0.0), t)
    # state 0: own 0.5 as before; the mean is 0.75 * 0.35 + 0.25 * 0.4 = 0.3625;
    # target 0.5 + 0.4 * (0.3625 - 0.5) = 0.445; gap 0.095 <= 0.1: no package, not raised
    target0 = 0.5 + 0.5 * 0.8 * (0.75 * 0.35 + 0.25 * 0.4 - 0.5)
    assert target0 - 0.35 == approx(0.095)
    assert new[0] == 0.35 and not jump[0]
    # state 1: trust 0 is not below 0: target 0, lifted half the gap
    assert new[1] == approx(0.4 + 0.5 * (0.0 - 0.4)) and not jump[1]


def test_a_sanctions_target_is_capped_at_one(impl):
    f = impl(member_decisions._sanctions)
    t = eye_trust(3, -1.0)
    # drive 2: state 0's own target (0.5 + 0.25) * 2 * 0.8 - 0.1 = 1.1 -> 1; no coordination
    new, jump = _sanctions(f, floats(0.0, 0.0, 0.0), t, drive=2.0, coordination=0.0)
    assert new[0] == 1.0 and jump[0]
    assert new[1] == approx((0.5 * 0.5 + 0.25) * 2.0 * 0.4) and jump[1]


# --------------------------------------------------------------------------------------------
# enlargement.py
# --------------------------------------------------------------------------------------------


def _applications(f, draws, *, red_line=None, aim=None, months=1, applicant=None,
                  eligible=None, member=None):
    # 0 a neutral (neutrality 0.5) whose public feels threat 0.2, now 0.6; 1 its close, trusted
    # neighbour (trust 0.5, closeness 0.8) which has applied; 2 Russia, not eligible
    t = eye_trust(3)
    t[0, 1] = 0.5
    prox = np.array([[1.0, 0.8, 1.0], [0.8, 1.0, 1.0], [1.0, 1.0, 1.0]])
    opinion = floats(0.2, 0.5, 0.0)
    chosen = f(draws, floats(0.6, 0.6, 0.0), opinion,
               bools(T, T, F) if eligible is None else eligible,
               bools(F, F, F) if member is None else member,
               bools(F, T, F) if applicant is None else applicant,
               floats(0.5, 0.0, 0.0), t, prox,
               bools(F, F, F) if red_line is None else red_line,
               floats(0.0, 0.0, 0.0) if aim is None else aim,
               0.5, 0.4, 0.3, 0.25, 10.0, 0.5, months, 1.0, 0.5)
    # lag 0.5, neutrality weight 0.4, threshold 0.3, peer weight 0.25, steepness 10,
    # max rate 0.5, restraint 1, full-scale war 0.5
    return chosen, opinion


def test_the_public_feels_half_the_threat_and_applies_at_half_the_maximum_rate_at_the_bar(impl):
    f = impl(enlargement._applications)
    # opinion 0.2 + (0.6 - 0.2) * 0.5 = 0.4; threshold 0.3 + 0.4 * 0.5 - peer 0.5 * 0.8 * 0.25
    # = 0.4: the felt threat is at the bar, hazard 0.5 / (exp(0) + 1) = 0.25
    threshold = 0.3 + 0.4 * 0.5 - max(0.5, 0.0) * 0.8 * 0.25
    opinion0 = 0.2 + (0.6 - 0.2) * 0.5
    assert threshold == approx(opinion0)
    hazard = 0.5 / (math.exp((threshold - opinion0) * 10.0) + 1.0)
    assert hazard == approx(0.25)
    chosen, opinion = _applications(f, floats(0.2499, 0.0, 0.0))
    assert chosen.tolist() == [True, False, False]  # 1 has applied already, 2 is not eligible
    assert opinion == approx([0.4, 0.5 + (0.6 - 0.5) * 0.5, 0.0])  # every state's opinion moves
    chosen, _ = _applications(f, floats(0.2501, 0.0, 0.0))
    assert not chosen.any()


def test_over_three_months_the_hazard_compounds(impl):
    f = impl(enlargement._applications)
    hazard = 1.0 - (1.0 - 0.25) ** 3  # 0.578125
    assert _applications(f, floats(hazard - 1e-9, 0.0, 0.0), months=3)[0][0]
    assert not _applications(f, floats(hazard + 1e-9, 0.0, 0.0), months=3)[0][0]


def test_without_a_pending_neighbour_the_bar_is_higher(impl):
    f = impl(enlargement._applications)
    # nobody has applied: threshold 0.5 against the felt 0.4 -> 0.5 / (exp(1) + 1)
    hazard = 0.5 / (math.exp((0.5 - 0.4) * 10.0) + 1.0)
    draws = floats(hazard - 1e-9, 1.0, 1.0)
    assert _applications(f, draws, applicant=bools(F, F, F))[0].tolist() == [True, False, False]
    draws = floats(hazard + 1e-9, 1.0, 1.0)
    assert not _applications(f, draws, applicant=bools(F, F, F))[0].any()
    # a neighbour that has applied and joined is no longer pending: no peer effect either
    member = bools(F, T, F)
    draws = floats(hazard + 1e-9, 1.0, 1.0)
    assert not _applications(f, draws, member=member, applicant=bools(F, T, F))[0].any()


def test_a_red_line_state_holds_back_until_russia_wages_full_scale_war_on_it(impl):
    f = impl(enlargement._applications)
    # restraint 1 on top of the bar 0.4: hazard 0.5 / (exp(10) + 1), about 2.3e-5
    held = 0.5 / (math.exp((0.4 + 1.0 - 0.4) * 10.0) + 1.0)
    red = bools(T, F, F)
    assert _applications(f, floats(held - 1e-12, 1, 1), red_line=red, aim=floats(0.49, 0, 0))[0][0]
    assert not _applications(f, floats(held * 2, 1, 1), red_line=red, aim=floats(0.49, 0, 0))[0][0]
    # a war aim of 0.5 (full scale) lifts the restraint: back to 0.25
    assert _applications(f, floats(0.2499, 1, 1), red_line=red, aim=floats(0.5, 0, 0))[0][0]


def test_members_applicants_and_the_ineligible_never_apply(impl):
    f = impl(enlargement._applications)
    chosen, _ = _applications(f, floats(0.0, 0.0, 0.0), member=bools(T, F, F),
                              eligible=bools(T, T, F))
    assert not chosen.any()


def _ratify(f, draws, ratified, *, step=6, war_=0.0, withheld=None, months=1):
    # members 0 and 1 (solidarity 0.5, threat 0.5); 1 holds a grievance 1 against candidate 2,
    # which applied at step 0; the delay is 6 steps
    grievance = np.zeros((3, 3))
    grievance[1, 2] = 1.0
    withheld = np.zeros((3, 3), dtype=np.bool_) if withheld is None else withheld
    return f(draws, ints(2), ints(-1, -1, 0), floats(0.0, 0.0, war_), grievance, bools(F, F, F),
             bools(T, T, F), floats(0.5, 0.5, 0.0), floats(0.5, 0.5, 0.0), ratified, withheld,
             step, 6.0, 0.3,
             -2.0, 2.0, 2.0, 1.0, 1.0, 1.0, 0.5, months)
    # base -2, solidarity 2, threat 2, grievance 1, war 1, red line 1, max rate 0.5


# member 0: x = 2 * 0.5 - 2 + 2 * 0.5 = 0, p = 0.5 * sigmoid(0) = 0.25
P0 = 0.5 * sigmoid(2.0 * 0.5 - 2.0 + 2.0 * 0.5)
# member 1: x = 0 - 1 * grievance 1 = -1, p = 0.5 / (1 + e)
P1 = 0.5 * sigmoid(2.0 * 0.5 - 2.0 + 2.0 * 0.5 - 1.0 * 1.0)


def test_each_member_ratifies_with_its_probability_and_accession_waits_for_the_last(impl):
    f = impl(enlargement._ratify)
    assert P0 == approx(0.25) and P1 == approx(0.5 / (1.0 + math.e))
    ratified = np.zeros((3, 3), dtype=np.bool_)
    done = _ratify(f, floats(P0 - 1e-9, P1 + 1e-9, 0.0).reshape(1, 3), ratified)
    assert ratified[:, 2].tolist() == [True, False, False] and not done[0]
    # next step: member 0 has ratified (its draw no longer matters), member 1 now does
    done = _ratify(f, floats(0.99, P1 - 1e-9, 0.99).reshape(1, 3), ratified, step=7)
    assert ratified[:, 2].tolist() == [True, True, False] and done[0]


def test_nobody_ratifies_before_the_delay_or_while_russia_fights_the_candidate(impl):
    f = impl(enlargement._ratify)
    ratified = np.zeros((3, 3), dtype=np.bool_)
    assert not _ratify(f, np.zeros((1, 3)), ratified, step=5)[0]  # 5 - 0 < 6 steps
    assert not _ratify(f, np.zeros((1, 3)), ratified, war_=0.31)[0]  # 0.31 > 0.3
    assert not ratified.any()
    # at the conflict threshold (0.3, not above) the war still costs 1 * 0.3 in x:
    # member 0: p = 0.5 * sigmoid(-0.3)
    p = 0.5 * sigmoid(0.0 - 1.0 * 0.3)
    _ratify(f, floats(p - 1e-9, 1.0, 1.0).reshape(1, 3), ratified, war_=0.3)
    assert ratified[0, 2] and not ratified[1, 2]


def test_a_member_withholding_ratification_blocks_the_accession(impl):
    f = impl(enlargement._ratify)
    ratified = np.zeros((3, 3), dtype=np.bool_)
    withheld = np.zeros((3, 3), dtype=np.bool_)
    withheld[1, 2] = True
    done = _ratify(f, np.zeros((1, 3)), ratified, withheld=withheld)
    assert ratified[:, 2].tolist() == [True, False, False] and not done[0]


def test_over_three_months_ratification_compounds(impl):
    f = impl(enlargement._ratify)
    p = 1.0 - (1.0 - P0) ** 3  # 0.578125 for member 0
    ratified = np.zeros((3, 3), dtype=np.bool_)
    _ratify(f, floats(p - 1e-9, 1.0, 1.0).reshape(1, 3), ratified, months=3)
    assert ratified[0, 2]
    ratified = np.zeros((3, 3), dtype=np.bool_)
    _ratify(f, floats(p + 1e-9, 1.0, 1.0).reshape(1, 3), ratified, months=3)
    assert not ratified[0, 2]


# --------------------------------------------------------------------------------------------
# economy.py
# --------------------------------------------------------------------------------------------


def test_strain_moves_toward_sanctions_less_partners_relief_plus_wars_and_leverage_is_dependence(impl):
    f = impl(economy._economy)
    # Russia (0), a Western state (1, GDP weight 0.75, sanctions 0.8, gas 0.4) and a partner (2, weight 1 among
    # partners, trusting Russia 0.5, the West's weight 0.25, no sanctions, gas 0.2); a war on the partner of 0.5
    sanctions, west = floats(0.0, 0.8, 0.0)[None], floats(0.0, 0.75, 0.25)[None]
    trust = np.zeros((1, 3, 3))
    trust[0, 1, 0], trust[0, 2, 0] = -0.5, 0.5
    partner = floats(0.0, 0.0, 1.0)[None]
    dependence = floats(0.0, 0.4, 0.2)[None]
    strain, leverage = floats(0.1), np.empty(1)
    zeros = np.zeros((1, 3))
    # weights: sanctions 0.5, relief 0.5, war 0.2; strain rate 0.5; no diversification, no return of gas
    f(sanctions, west, trust, 0, partner, floats(0.1), floats(0.0, 0.0, 0.5)[None], strain, leverage, dependence,
      dependence.copy(), zeros.copy(), np.ones((1, 3)), zeros, zeros, zeros,
      0.5, 0.5, 0.2, 0.5, 0.0, 0.4, 1, 0.0, 1.0, 0.0, 0.0)
    # pressure 0.8 * 0.75 = 0.6; relief min(1, max(0.5, 0) * 1 + 0.1) = 0.6 (the West's distrust counts 0)
    # target 0.5 * 0.6 * (1 - 0.5 * 0.6) + 0.2 * 0.5 = 0.21 + 0.1 = 0.31; strain 0.1 + 0.5 * (0.31 - 0.1)
    assert strain[0] == approx(0.1 + 0.5 * (0.5 * 0.6 * (1.0 - 0.5 * 0.6) + 0.2 * 0.5 - 0.1))
    # leverage: 0.4 * 0.75 + 0.2 * 0.25 = 0.35, before this step's dependence moves (here it does not)
    assert leverage[0] == approx(0.35)
    assert dependence[0].tolist() == approx([0.0, 0.4, 0.2])


def test_fear_and_a_cut_off_push_dependence_down_and_commerce_pulls_it_back(impl):
    f = impl(economy._dependence_and_stocks)
    # state 0 fears Russia (threat 0.6 > 0.4) and remembers a cut-off 0.1; state 1 is calm
    dependence, coerced, stocks = floats(0.5, 0.2), floats(0.1, 0.0), floats(0.8, 0.1)
    f(dependence, floats(0.4, 0.4), coerced, stocks, floats(0.6, 0.2), floats(0.2, 0.5),
      floats(2.0, 1.0), 0.5, 0.4, 1, 0.1, 0.5, 0.5, 0.1)
    # diversification 0.5, threshold 0.4, one month, return 0.1, coercion keep 0.5,
    # depletion 0.5, replenish 0.1
    keep = 1.0 - min((0.6 - 0.4 + 0.1) * 0.5, 1.0)  # 0.85
    assert dependence[0] == approx(0.5 * keep + 0.1 * (0.4 - 0.5))
    assert dependence[1] == approx(0.2 * 1.0 + 0.1 * (0.4 - 0.2))  # calm: commerce only
    assert coerced.tolist() == approx([0.05, 0.0])
    # stocks: aid depletes 0.2 * 0.5, spending 2 % replenishes 0.1 * 2 of what is missing
    s = 0.8 - 0.2 * 0.5
    assert stocks[0] == approx(s + 0.1 * 2.0 * (1.0 - s))
    # state 1: 0.1 - 0.25 = -0.15, + 0.1 * 1 * 1.15 = -0.035: floored at 0.05
    assert stocks[1] == 0.05


def test_a_saturated_fear_keeps_nothing_and_a_long_step_compounds_the_keep(impl):
    f = impl(economy._dependence_and_stocks)
    dependence, stocks = floats(0.5, 0.5), floats(0.99, 0.5)
    f(dependence, floats(0.4, 0.4), floats(1.0, 0.0), stocks, floats(1.0, 0.8), floats(0.0, 0.0),
      floats(12.0, 0.0), 0.5, 0.4, 2, 0.1, 0.5, 0.5, 0.1)
    # state 0: (0.6 + 1) * 0.5 = 0.8 -> keep 0.2, squared over two months
    assert dependence[0] == approx(0.5 * (1.0 - 0.8) ** 2 + 0.1 * (0.4 - 0.5))
    # state 1: (0.4 + 0) * 0.5 = 0.2 -> keep 0.8 ** 2
    assert dependence[1] == approx(0.5 * 0.8**2 + 0.1 * (0.4 - 0.5))
    # a big budget overshoots: 0.99 + 0.1 * 12 * 0.01 = 1.002, capped at 1
    assert stocks[0] == 1.0 and stocks[1] == 0.5
    # a fear strong enough to leave at once: min((1 - 0.4 + 1) * 1, 1) = 1 -> keep 0, and only
    # commerce's pull from nothing toward the share remains
    dependence = floats(0.3, 0.3)
    f(dependence, floats(0.4, 0.4), floats(1.0, 0.0), floats(0.5, 0.5), floats(1.0, 0.0),
      floats(0.0, 0.0), floats(0.0, 0.0), 1.0, 0.4, 1, 0.1, 0.5, 0.5, 0.1)
    assert dependence[0] == approx(0.3 * 0.0 + 0.1 * (0.4 - 0.3))


# --------------------------------------------------------------------------------------------
# alliance.py
# --------------------------------------------------------------------------------------------


def test_solidarity_moves_half_way_to_its_baseline_raised_by_threat(impl):
    f = impl(alliance._rally)
    solidarity = floats(0.5, 1.0)
    f(solidarity, floats(0.5, 0.8), floats(0.5, 0.0), 0.4, 0.5)
    target0 = 0.4 * 0.5 * (1.0 - 0.5) + 0.5  # 0.6
    assert solidarity[0] == approx(0.5 + (target0 - 0.5) * 0.5)
    assert solidarity[1] == approx(1.0 + (0.8 - 1.0) * 0.5)  # no threat: back toward 0.8


def test_solidarity_is_clipped_to_0_1(impl):
    f = impl(alliance._rally)
    # an adjustment above 1 (never a monthly rate, but the formula's bound): 0.2 + 0.6 * 2 = 1.4
    solidarity = floats(0.2, 0.2)
    f(solidarity, floats(0.8, 0.0), floats(0.0, 0.0), 0.4, 2.0)
    assert solidarity[0] == 1.0
    assert solidarity[1] == 0.0  # 0.2 + (0 - 0.2) * 2 = -0.2


def test_cohesion_is_mean_solidarity_less_the_spread_of_members_views(impl):
    f = impl(alliance._cohesion)
    # views -0.5 and 0.5: mean 0, population std sqrt((0.25 + 0.25) / 2) = 0.5
    assert f(floats(0.6, 1.0), floats(-0.5, 0.5), 0.5) == approx(0.8 * (1.0 - 0.5 * 0.5))
    # three members: std of (-0.5, 0, 0.5) = sqrt(0.5 / 3)
    assert f(floats(0.6, 0.9, 0.9), floats(-0.5, 0.0, 0.5), 0.5) == approx(
        0.8 * (1.0 - 0.5 * math.sqrt(0.5 / 3.0)))
    assert f(floats(0.6, 1.0), floats(0.3, 0.3), 0.5) == approx(0.8)  # one view: no spread
    assert f(floats(0.6, 1.0), floats(-0.5, 0.5), 4.0) == 0.0  # 0.8 * (1 - 2) < 0: clipped


# --------------------------------------------------------------------------------------------
# war.py
# --------------------------------------------------------------------------------------------


def test_net_value_of_a_war_is_gain_less_defence_strain_exhaustion_and_the_alliance(impl):
    f = impl(war._net_value)
    # Russia (0) is not at war with itself; it fights member 1 at 0.5 and non-member 2 at 0.8
    v = f(floats(0.0, 0.5, 0.8), bools(F, T, F), floats(0.0, 1.0, 2.0), floats(1.0, 0.75, 0.25),
          floats(0.0, 0.5, 1.0), 0.5, 0.2,
          2.0, 1.0, 0.5, 3.0, 0.4)  # u_war, c deterrence, c strain, c alliance, c exhaustion
    assert v[0] == 0.0
    # 2 * 0.5 * 1 - 1 * 0.75 - 0.5 * 0.2 - 0.4 * 0.5 - 3 (a member: the whole alliance)
    assert v[1] == approx(2.0 * 0.5 * 1.0 - 1.0 * 0.75 - 0.5 * 0.2 - 0.4 * 0.5 - 3.0)
    assert v[2] == approx(2.0 * 0.5 * 2.0 - 1.0 * 0.25 - 0.5 * 0.2 - 0.4 * 1.0)


def _conduct(f, war_, aim, months_at_war, exhaustion, will, draws, months=1, settle_level=0.1,
             resolve=None):
    n = len(war_)
    resolve = floats(*([0.5] * n)) if resolve is None else resolve
    return f(war_, aim, months_at_war, exhaustion, will, draws, resolve, settle_level,
             0.5, 0.2, 1.0, 0.1 * months, months)
    # adjust 0.5, ceasefire rate 0.2, resolve weight 1, wear months / 10


# the ongoing war of the conduct tests: exhaustion 0.5 + 0.5 * 0.1 = 0.55 after this month;
# settle min(1, 1 - 0.75 + 0.1) = 0.35; hazard 0.2 * 0.35 * (1 - 1 * 0.5 * max(0, 1 - 0.55))
HAZARD = 0.2 * 0.35 * (1.0 - 1.0 * 0.5 * max(0.0, 1.0 - (0.5 + 0.5 * 0.1)))


def test_a_war_goes_on_toward_aim_times_will_unless_a_ceasefire_is_drawn(impl):
    f = impl(war._conduct)
    assert HAZARD == approx(0.05425)
    # 0 no war; 1 begun this step (months 0); 2 going on for 10 months
    w_, months_at_war, exhaustion = floats(0.0, 0.3, 0.5), floats(4.0, 0.0, 10.0), floats(0.7, 0, 0.5)
    ended = _conduct(f, w_, floats(0.0, 0.3, 0.8), months_at_war, exhaustion,
                     floats(0.0, 0.9, 0.75), floats(0.0, 0.0, HAZARD + 1e-9))
    assert ended.tolist() == [0, 0, 0]
    assert w_[2] == approx(0.5 + (0.8 * 0.75 - 0.5) * 0.5)  # 0.55
    assert exhaustion[2] == approx(0.55) and months_at_war[2] == 11.0
    # the war begun this step wears (0.3 * 0.1) and counts its month but is not settled or moved,
    # even with a draw of 0
    assert w_[1] == 0.3 and exhaustion[1] == approx(0.03) and months_at_war[1] == 1.0
    assert w_[0] == 0.0 and exhaustion[0] == 0.7 and months_at_war[0] == 4.0  # no war: untouched
    # the same war with a draw just below the hazard: a negotiated ceasefire, intensity unmoved
    w_, exhaustion = floats(0.5), floats(0.5)
    ended = _conduct(f, w_, floats(0.8), floats(10.0), exhaustion, floats(0.75),
                     floats(HAZARD - 1e-9))
    assert ended.tolist() == [1] and w_[0] == 0.5


def test_over_two_months_the_ceasefire_hazard_compounds(impl):
    f = impl(war._conduct)
    # exhaustion 0.5 + 0.5 * 0.2 = 0.6: hazard 0.2 * 0.35 * (1 - 0.5 * 0.4) = 0.056 a month
    h = 0.2 * 0.35 * (1.0 - 1.0 * 0.5 * (1.0 - 0.6))
    p = 1.0 - (1.0 - h) ** 2
    ended = _conduct(f, floats(0.5), floats(0.8), floats(10.0), floats(0.5), floats(0.75),
                     floats(p - 1e-9), months=2)
    assert ended[0] == 1
    months_at_war = floats(10.0)
    ended = _conduct(f, floats(0.5), floats(0.8), months_at_war, floats(0.5), floats(0.75),
                     floats(p + 1e-9), months=2)
    assert ended[0] == 0 and months_at_war[0] == 12.0


def test_a_war_scaled_below_one_percent_ends_in_exhaustion(impl):
    f = impl(war._conduct)
    w_ = floats(0.012)
    ended = _conduct(f, w_, floats(0.02), floats(10.0), floats(2.0), floats(0.1), floats(0.99))
    assert w_[0] == approx(0.012 + (0.02 * 0.1 - 0.012) * 0.5)  # 0.007 < 0.01
    assert ended[0] == 2


def test_settlement_is_capped_at_one_and_exhaustion_wears_resolve_down(impl):
    f = impl(war._conduct)
    # will 0 and a high ladder: settle min(1, 1 - 0 + 0.5) = 1; exhaustion 1.2 + 0.5 * 0.1
    # >= 1: resolve holds nothing back -> hazard 0.2 * 1 * (1 - 0) = 0.2
    ended = _conduct(f, floats(0.5), floats(0.8), floats(10.0), floats(1.2), floats(0.0),
                     floats(0.2 - 1e-9), settle_level=0.5, resolve=floats(1.0))
    assert ended[0] == 1
    ended = _conduct(f, floats(0.5), floats(0.8), floats(10.0), floats(1.2), floats(0.0),
                     floats(0.2 + 1e-9), settle_level=0.5, resolve=floats(1.0))
    assert ended[0] == 0


# --------------------------------------------------------------------------------------------
# completeness
# --------------------------------------------------------------------------------------------

KERNEL_MODULES = (alliance, defence_spending, deterrence, economy, enlargement, escalation, institutions,
                  member_decisions,
                  russia_decisions, security_dilemma, threat, trust, war)


def test_every_compiled_kernel_of_the_mechanisms_has_an_exact_test_here():
    """A kernel added to a mechanism must get its hand-worked test in this file.

    A kernel's lockstep form (``name_runs``: the kernel called for each run of an ensemble) is held equal
    to the kernel run by run in ``tests/test_lockstep.py`` instead.
    """
    from pathlib import Path

    from numba.core.registry import CPUDispatcher

    source = Path(__file__).read_text()
    kernels = [f"{m.__name__.rsplit('.', 1)[1]}.{name}" for m in KERNEL_MODULES
               for name, obj in vars(m).items()
               if isinstance(obj, CPUDispatcher) and obj.__module__ == m.__name__]
    lockstep_forms = [k for k in kernels if k.endswith("_runs")]
    kernels = [k for k in kernels if not k.endswith("_runs")]
    assert [k for k in lockstep_forms if k[:-5] not in kernels] == []
    assert len(kernels) == 38
    untested = [k for k in kernels if f"{k})" not in source]
    assert not untested, f"kernels without an exact test: {untested}"
    # and the mechanisms not imported here have no compiled kernel
    import importlib
    import pkgutil

    import sim.mechanisms

    names = {m.__name__ for m in KERNEL_MODULES}
    for info in pkgutil.iter_modules(sim.mechanisms.__path__):
        module = importlib.import_module(f"sim.mechanisms.{info.name}")
        if module.__name__ not in names:
            assert not [o for o in vars(module).values()
                        if isinstance(o, CPUDispatcher) and o.__module__ == module.__name__]
