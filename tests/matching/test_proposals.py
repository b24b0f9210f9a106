"""Every method and priority over random rounds, through the service the board calls (tenants/matching/services).

A round gets random mentors (format, places, field, languages, employer) and mentees, random speed-networking ratings
and a random sequence of the coordinator's actions: runs of the engine with any method and priority, hand picks, pins,
forbids and publishing. After every run: it either proposed (and the board's proposal is exactly that run's, labelled
with it) or it raised a MatchingError with a known code and changed nothing; capacities hold, no forbidden pair is
proposed, and a 1:1 run gives nobody a second mentor.
"""

from collections import Counter

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.matching import services as matching
from mentorby.tenants.matching.models import METHODS, PRIORITIES, PROPOSED, PUBLISHED, Rating
from tests.factories import create_partner

#: Every test here reads and writes as the host city, Lyngby.
pytestmark = pytest.mark.usefixtures("in_host_city")

FIELDS = ("it", "health", "law")
LANGUAGES = ("da", "en", "de")
SLOTS = ("weekday_morning", "weekday_evening", "weekend")

mentor_specs = st.fixed_dictionaries({
    "mentoring_format": st.sampled_from(("one", "group", "either")),
    "mentee_capacity": st.integers(1, 3),
    "field": st.sampled_from(FIELDS),
    "languages": st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2, unique=True),
    "availability": st.lists(st.sampled_from(SLOTS), min_size=1, max_size=2, unique=True),
    "at_partner": st.booleans(),
})
mentee_specs = st.fixed_dictionaries({
    "field": st.sampled_from(FIELDS),
    "languages": st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=2, unique=True),
    "availability": st.lists(st.sampled_from(SLOTS), min_size=1, max_size=2, unique=True),
    "partner_at_partner": st.booleans(),
})
runs = st.tuples(st.sampled_from(METHODS), st.sampled_from(PRIORITIES))


def _state(db, cohort):
    """What the board shows: every live pair, and the run its proposal is labelled with."""
    live = {(m.mentor_id, m.mentee_id, m.status, m.manual, m.group_no)
            for m in matching.live_matches(db.session, cohort)}
    run = matching.current_run(db.session, cohort)
    return live, (run.method, run.priority, run.ran_at, tuple(map(tuple, run.unmatched))) if run else None


def _attempt(db, action):
    """One of the coordinator's requests: all or nothing, as the app commits or rolls back."""
    nested = db.session.begin_nested()
    try:
        result = action()
    except matching.MatchingError as error:
        nested.rollback()
        return error
    nested.commit()
    return result


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(mentors=st.lists(mentor_specs, min_size=1, max_size=7), mentees=st.lists(mentee_specs, min_size=1, max_size=9),
       policy=st.sampled_from(("flag", "forbid")), data=st.data())
def test_every_method_proposes_or_says_why(db, host_city, create_cohort, create_application, mentors, mentees,
                                           policy, data):
    example = db.session.begin_nested()  # each example starts from the same database
    try:
        _example(db, host_city, create_cohort, create_application, mentors, mentees, policy, data)
    finally:
        example.rollback()
        db.session.expunge_all()  # SQLite hands out the rolled-back ids again


def _example(db, host_city, create_cohort, create_application, mentors, mentees, policy, data):
    partner = create_partner(host_city, name="Partner of the round")
    cohort = create_cohort(host_city, status="selecting")
    mentor_rows = []
    for n, spec in enumerate(mentors):
        values = {key: value for key, value in spec.items() if key != "at_partner"}
        mentor_rows.append(create_application(cohort, role="mentor", status="accepted", name=f"Mentor {n}",
                                              industry=spec["field"], expertise="careers networking", **values))
    mentee_rows = [create_application(cohort, status="accepted", name=f"Mentee {n}", job_goal="careers in it",
                                      **{key: value for key, value in spec.items() if key != "partner_at_partner"})
                   for n, spec in enumerate(mentees)]
    for row, spec in zip(mentor_rows, mentors, strict=True):
        row.employer_id = partner.id if spec["at_partner"] else None
    for row, spec in zip(mentee_rows, mentees, strict=True):
        row.partner_employer_id = partner.id if spec["partner_at_partner"] else None
    matching.save_weights(db.session, {"field": 20, "goal_expertise": 35, "languages": 15, "availability": 15,
                                       "preference": 15, "conflict_policy": policy})
    # Speed-networking ratings, also from and of people a method leaves out (the groups' crash of issue 8).
    people = [(m.id, e.id) for m in mentor_rows for e in mentee_rows]
    for mentor_id, mentee_id in data.draw(st.lists(st.sampled_from(people), unique=True) if people
                                          else st.just([])):
        for rater, rated in data.draw(st.sampled_from((((mentor_id, mentee_id),), ((mentee_id, mentor_id),),
                                                       ((mentor_id, mentee_id), (mentee_id, mentor_id))))):
            db.session.add(Rating(cohort_id=cohort.id, rater_id=rater, rated_id=rated,
                                  value=data.draw(st.integers(1, 5))))
    db.session.flush()
    cohort = db.session.get(Cohort, cohort.id)
    capacity = {m.id: m.mentee_capacity for m in mentor_rows}
    formats = {m.id: m.mentoring_format for m in mentor_rows}
    conflicts = {(m.id, e.id) for m in mentor_rows for e in mentee_rows
                 if m.employer_id is not None and m.employer_id == e.partner_employer_id}

    for _step in range(data.draw(st.integers(1, 5))):
        action = data.draw(st.sampled_from(("propose", "propose", "propose", "publish", "assign", "rule")))
        if action == "publish":
            _attempt(db, lambda: matching.publish(db.session, host_city, cohort))
        elif action in ("assign", "rule") and people:
            mentor_id, mentee_id = data.draw(st.sampled_from(people))
            if action == "assign":
                _attempt(db, lambda m=mentor_id, e=mentee_id: matching.assign(db.session, cohort, m, e))
            else:
                kind = data.draw(st.sampled_from(("pin", "forbid", None)))
                _attempt(db, lambda m=mentor_id, e=mentee_id, k=kind: matching.set_rule(
                    db.session, cohort, m, e, k))
        elif action == "propose":
            _check_run(db, cohort, data.draw(runs), capacity, formats, conflicts, policy)


def _check_run(db, cohort, run, capacity, formats, conflicts, policy):
    method, priority = run
    before_live, before_run = _state(db, cohort)
    kept = {pair for pair in before_live if pair[2] == PUBLISHED or pair[3]}
    kept_mentees = {mentee for _mentor, mentee, *_ in kept}
    kept_load = Counter(mentor for mentor, _mentee in {(m, e) for m, e, *_ in kept})
    rules = matching.rules(db.session, cohort)

    result = _attempt(db, lambda: matching.propose(db.session, cohort, method=method, priority=priority))

    after_live, after_run = _state(db, cohort)
    event(f"{method}, {priority}: {result.code if isinstance(result, matching.MatchingError) else 'proposed'}")
    if isinstance(result, matching.MatchingError):
        assert result.code in matching.NOTHING_PROPOSED, result.code
        # Nothing changed: the board still shows the earlier proposal, labelled with the run that made it.
        assert (after_live, after_run) == (before_live, before_run)
        return
    # The board's proposal is this run's, labelled with it; hand-picked and published pairs stayed as they were.
    assert after_run[:2] == (method, priority) and after_run != before_run
    automatic = {(m, e) for m, e, status, manual, _group in after_live if status == PROPOSED and not manual}
    assert automatic == set(result.pairs) and result.pairs
    assert {pair for pair in after_live if pair[2] == PUBLISHED or pair[3]} == kept
    assert not any(rules.get(pair) == "forbid" for pair in automatic)
    if policy == "forbid":
        assert not automatic & conflicts or all(rules.get(pair) == "pin" for pair in automatic & conflicts)
    new = [pair for pair in after_live if (pair[0], pair[1]) in automatic]
    assert not {mentee for _mentor, mentee, *_ in new} & kept_mentees  # nobody gets a second mentor
    if method == "groups":
        assert all(formats[mentor] in ("group", "either") and not kept_load[mentor] for mentor, *_ in new)
        groups: dict[int, set] = {}
        for mentor, mentee, _status, _manual, group in new:
            groups.setdefault(group, set()).add((mentor, mentee))
        seen_mentors, seen_mentees = set(), set()
        for pairs in groups.values():
            group_mentors, group_mentees = {m for m, _e in pairs}, {e for _m, e in pairs}
            assert len(group_mentors) == 2 and 1 <= len(group_mentees) <= 4
            assert pairs == {(m, e) for m in group_mentors for e in group_mentees}
            assert not group_mentors & seen_mentors and not group_mentees & seen_mentees
            seen_mentors |= group_mentors
            seen_mentees |= group_mentees
    else:
        assert all(group is None and formats[mentor] in ("one", "either") for mentor, _e, _s, _m, group in new)
        assert max(Counter(mentee for _mentor, mentee, *_ in new).values()) == 1
        load = Counter(mentor for mentor, _mentee in {(m, e) for m, e, *_ in after_live})
        assert all(load[mentor] <= max(capacity[mentor], kept_load[mentor]) for mentor in load)
        # A pin the run could keep (its mentee free, its mentor offering 1:1 with room for all their pins) is kept.
        pins = Counter(mentor for (mentor, mentee), kind in rules.items()
                       if kind == "pin" and mentee not in kept_mentees)
        for (mentor, mentee), kind in rules.items():
            if (kind == "pin" and mentee not in kept_mentees and formats[mentor] in ("one", "either")
                    and pins[mentor] <= capacity[mentor] - kept_load[mentor]):
                assert (mentor, mentee) in automatic


def test_groups_run_with_ratings_of_mentors_it_leaves_out(db, host_city, create_cohort, create_application):
    """Issue 8: ratings named a mentor the group filter removed, and the run crashed (a 500 on the board)."""
    cohort = create_cohort(host_city, status="selecting")
    group = [create_application(cohort, role="mentor", status="accepted", mentoring_format="group").id
             for _ in range(2)]
    one = create_application(cohort, role="mentor", status="accepted", mentoring_format="one").id
    mentees = [create_application(cohort, status="accepted").id for _ in range(3)]
    db.session.add(Rating(cohort_id=cohort.id, rater_id=mentees[0], rated_id=one, value=5))
    db.session.add(Rating(cohort_id=cohort.id, rater_id=group[0], rated_id=mentees[1], value=4))
    db.session.flush()
    cohort = db.session.get(Cohort, cohort.id)
    proposal = matching.propose(db.session, cohort, method="groups")
    assert set(proposal.pairs) == {(m, e) for m in group for e in mentees}
    assert {m.group_no for m in matching.live_matches(db.session, cohort)} == {1}


def test_groups_where_no_mentor_offered_one_changes_nothing(db, host_city, create_cohort, create_application):
    """Issue 8: groups on a round whose mentors offered one mentee only say so; the optimal proposal stays, labelled."""
    cohort = create_cohort(host_city, status="selecting")
    mentor = create_application(cohort, role="mentor", status="accepted", mentoring_format="one").id
    mentee = create_application(cohort, status="accepted").id
    db.session.add(Rating(cohort_id=cohort.id, rater_id=mentee, rated_id=mentor, value=5))
    db.session.flush()
    cohort = db.session.get(Cohort, cohort.id)
    first = matching.propose(db.session, cohort, method="optimal", priority="everyone_matched")
    assert first.pairs == [(mentor, mentee)]
    error = _attempt(db, lambda: matching.propose(db.session, cohort, method="groups"))
    assert isinstance(error, matching.MatchingError) and error.code == "no_group_mentors"
    run = matching.current_run(db.session, cohort)
    assert (run.method, run.priority) == ("optimal", "everyone_matched")
    assert [(m.mentor_id, m.mentee_id, m.status) for m in matching.live_matches(db.session, cohort)] == [
        (mentor, mentee, PROPOSED)]


def test_a_group_needs_two_free_mentors_and_three_mentees(db, host_city, create_cohort, create_application):
    cohort = create_cohort(host_city, status="selecting")
    for _ in range(2):
        create_application(cohort, role="mentor", status="accepted", mentoring_format="group")
    for _ in range(2):
        create_application(cohort, status="accepted")
    cohort = db.session.get(Cohort, cohort.id)
    error = _attempt(db, lambda: matching.propose(db.session, cohort, method="groups"))
    assert error.code == "too_few_for_a_group" and error.params == {"mentors": 2, "mentees": 2}
    error = _attempt(db, lambda: matching.propose(db.session, cohort, method="stable"))
    assert error.code == "no_one_to_one_mentors"
    assert matching.current_run(db.session, cohort) is None
    assert matching.live_matches(db.session, cohort) == []
