"""Speed-networking plans: exactly the guarantees documented in rotation.py, exhaustively for small events."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorby.tenants.matching.rotation import (
    Participant,
    RotationInputError,
    RotationPlan,
    participant_schedule,
    plan_rotation,
)


def check_plan(plan: RotationPlan, mentors: list, mentees: list, rounds: int) -> None:
    """Assert every documented guarantee of plan_rotation."""
    n_m, n_e = len(mentors), len(mentees)
    positions = max(n_m, n_e)
    meeting_rounds = min(rounds, positions) if n_m and n_e else 0
    assert [r.number for r in plan.slots] == list(range(1, rounds + 1))

    met: Counter = Counter()
    meetings = {Participant("mentor", m): 0 for m in mentors} | {Participant("mentee", e): 0 for e in mentees}
    breaks = dict.fromkeys(meetings, 0)
    for r in plan.slots:
        # One seat per table, a mentor keeps their table.
        assert [(s.table, s.mentor_id) for s in r.seats] == [(t + 1, m) for t, m in enumerate(mentors)]
        seated = [s.mentee_id for s in r.seats if s.mentee_id is not None]
        assert len(seated) == len(set(seated)), "a mentee has two seats in one round"
        assert set(seated) <= set(mentees)
        pairs = [(s.mentor_id, s.mentee_id) for s in r.seats if s.mentee_id is not None]
        assert len(pairs) == (min(n_m, n_e) if r.number <= meeting_rounds else 0)
        met.update(pairs)
        talking = {Participant("mentor", m) for m, _ in pairs} | {Participant("mentee", e) for _, e in pairs}
        assert set(r.sitting_out) == set(meetings) - talking and len(r.sitting_out) == len(set(r.sitting_out))
        for person in meetings:
            if person in talking:
                meetings[person] += 1
            else:
                breaks[person] += 1

    assert all(n == 1 for n in met.values()), "a pair met twice"
    assert plan.breaks == breaks
    for role in ("mentor", "mentee"):
        counts = [n for p, n in breaks.items() if p.role == role]
        if counts:
            assert max(counts) - min(counts) <= 1, f"unfair {role} breaks"
    for person, n in meetings.items():
        own, other = (n_m, n_e) if person.role == "mentor" else (n_e, n_m)
        if own <= other:
            assert n == min(meeting_rounds, other)
        else:
            exact = meeting_rounds * other / own
            assert math.floor(exact) <= n <= math.ceil(exact)
    if n_m and n_e and rounds >= positions:
        assert len(met) == n_m * n_e, "with enough rounds everyone meets everyone"


@pytest.mark.parametrize("n_mentors", range(0, 8))
@pytest.mark.parametrize("n_mentees", range(0, 8))
def test_every_small_event_satisfies_the_guarantees(n_mentors, n_mentees):
    mentors, mentees = list(range(1, n_mentors + 1)), list(range(1, n_mentees + 1))  # ids collide on purpose
    for rounds in range(1, 11):
        check_plan(plan_rotation(mentors, mentees, rounds), mentors, mentees, rounds)


@settings(max_examples=50, deadline=None, database=None)
@given(
    st.lists(st.text(min_size=1, max_size=3), max_size=30, unique=True),
    st.lists(st.integers(), max_size=30, unique=True),
    st.integers(1, 40),
)
def test_larger_events_satisfy_the_guarantees(mentors, mentees, rounds):
    check_plan(plan_rotation(mentors, mentees, rounds), mentors, mentees, rounds)


def test_uneven_event_spreads_breaks():
    plan = plan_rotation(["m1", "m2", "m3"], ["a", "b", "c", "d", "e"], rounds=4)
    mentee_breaks = sorted(n for p, n in plan.breaks.items() if p.role == "mentee")
    assert mentee_breaks == [1, 1, 2, 2, 2]  # 4 rounds x 2 free places = 8 breaks over 5 mentees
    assert all(n == 0 for p, n in plan.breaks.items() if p.role == "mentor")


def test_participant_schedule_for_mentor_and_mentee():
    plan = plan_rotation(["m1", "m2"], ["a", "b", "c"], rounds=3)
    mentor_sheet = participant_schedule(plan, Participant("mentor", "m2"))
    assert [e.table for e in mentor_sheet] == [2, 2, 2]
    assert [e.partner_id for e in mentor_sheet] == [r.seats[1].mentee_id for r in plan.slots]
    for mentee in ("a", "b", "c"):
        sheet = participant_schedule(plan, Participant("mentee", mentee))
        assert [e.round for e in sheet] == [1, 2, 3]
        for entry, r in zip(sheet, plan.slots, strict=True):
            seat = next((s for s in r.seats if s.mentee_id == mentee), None)
            assert entry.on_break == (seat is None)
            assert (entry.table, entry.partner_id) == ((seat.table, seat.mentor_id) if seat else (None, None))
        assert sum(e.on_break for e in sheet) == plan.breaks[Participant("mentee", mentee)]


def test_idle_mentor_keeps_their_table_on_the_sheet():
    plan = plan_rotation(["m1", "m2", "m3"], ["a"], rounds=3)
    sheet = participant_schedule(plan, ("mentor", "m3"))
    assert [e.table for e in sheet] == [3, 3, 3]
    assert sum(e.on_break for e in sheet) == 2


def test_zero_mentors_or_mentees_means_everyone_sits_out():
    plan = plan_rotation([], ["a", "b"], rounds=2)
    assert [r.seats for r in plan.slots] == [(), ()]
    assert plan.breaks == {Participant("mentee", "a"): 2, Participant("mentee", "b"): 2}
    plan = plan_rotation(["m"], [], rounds=1)
    assert plan.slots[0].seats[0].mentee_id is None
    assert plan.breaks == {Participant("mentor", "m"): 1}
    assert plan_rotation([], [], rounds=3).breaks == {}


@pytest.mark.parametrize("rounds", [0, -1, True, 2.0, "3"])
def test_bad_round_counts_are_rejected(rounds):
    with pytest.raises(RotationInputError, match="rounds must be"):
        plan_rotation(["m"], ["a"], rounds)


def test_bad_ids_and_unknown_people_are_rejected():
    assert issubclass(RotationInputError, ValueError)
    with pytest.raises(RotationInputError, match="duplicate mentee ids: 'a'"):
        plan_rotation(["m"], ["a", "a"], 1)
    with pytest.raises(RotationInputError, match="must not be None"):
        plan_rotation([None], ["a"], 1)
    plan = plan_rotation(["m"], ["a"], 1)
    with pytest.raises(RotationInputError, match="mentee 'm' is not part of this plan"):
        participant_schedule(plan, Participant("mentee", "m"))
