"""The "at risk" rules as plain data in and out (tenants/sessions/health.py)."""

from datetime import date, timedelta

from mentorby.tenants.sessions.health import (
    CALL_MENTOR,
    NEW_MENTOR,
    NUDGE_BOTH,
    PairFacts,
    assess,
    auto_nudge_due,
    strongest,
)

TODAY = date(2027, 3, 15)


def _days_ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def test_a_new_pair_is_not_at_risk_until_the_weeks_have_passed():
    fresh = assess(PairFacts(began_on=_days_ago(20)), TODAY, 3)
    assert (fresh.quiet_days, fresh.at_risk, fresh.action) == (20, False, None)


def test_no_session_ever_after_three_weeks_nudges_both():
    verdict = assess(PairFacts(began_on=_days_ago(21)), TODAY, 3)
    assert verdict.at_risk and verdict.action == NUDGE_BOTH and verdict.quiet_days == 21


def test_the_last_session_counts_from_its_day():
    recent = assess(PairFacts(began_on=_days_ago(60), last_contact=_days_ago(10)), TODAY, 3)
    assert not recent.at_risk and recent.quiet_days == 10
    stale = assess(PairFacts(began_on=_days_ago(60), last_contact=_days_ago(25)), TODAY, 3)
    assert stale.action == NUDGE_BOTH


def test_twice_the_weeks_or_a_nudge_that_did_not_help_calls_the_mentor():
    assert assess(PairFacts(began_on=_days_ago(42)), TODAY, 3).action == CALL_MENTOR
    nudged = PairFacts(began_on=_days_ago(60), last_contact=_days_ago(22), nudges_since_contact=1)
    assert assess(nudged, TODAY, 3).action == CALL_MENTOR


def test_the_citys_weeks_decide():
    facts = PairFacts(began_on=_days_ago(15))
    assert assess(facts, TODAY, 2).action == NUDGE_BOTH
    assert assess(facts, TODAY, 3).action is None
    assert assess(facts, TODAY, 1).action == CALL_MENTOR


def test_a_pair_ended_early_without_a_new_mentor_is_offered_one():
    verdict = assess(PairFacts(began_on=_days_ago(5), last_contact=_days_ago(2), ended_without_mentor=True), TODAY, 3)
    assert verdict.at_risk and verdict.action == NEW_MENTOR


def test_a_group_gets_the_strongest_action_of_its_pairs():
    assert strongest([None, NUDGE_BOTH, CALL_MENTOR]) == CALL_MENTOR
    assert strongest([NEW_MENTOR, NUDGE_BOTH]) == NEW_MENTOR
    assert strongest([None, None]) is None and strongest([]) is None


def test_automatic_nudges_go_once_a_week_only_where_a_nudge_is_advised():
    advised = assess(PairFacts(began_on=_days_ago(22)), TODAY, 3)
    assert auto_nudge_due(advised, None, TODAY)
    assert not auto_nudge_due(advised, _days_ago(3), TODAY)
    assert auto_nudge_due(advised, _days_ago(7), TODAY)
    calm = assess(PairFacts(began_on=_days_ago(2)), TODAY, 3)
    assert not auto_nudge_due(calm, None, TODAY)
    call = assess(PairFacts(began_on=_days_ago(50)), TODAY, 3)
    assert not auto_nudge_due(call, None, TODAY)
