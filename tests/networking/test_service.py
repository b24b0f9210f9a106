"""The speed-networking service: plans from the round's accepted people, ratings only for people met."""

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mentorby.tenants.matching import networking
from mentorby.tenants.matching.models import NetworkingPlan, Rating
from mentorby.tenants.matching.networking import NetworkingError
from mentorby.tenants.matching.scoring import combine_ratings

#: Every test here reads and writes as the host city, Lyngby.
pytestmark = pytest.mark.usefixtures("in_host_city")

#: A running round has begun: its kick-off, where the speed networking is rated, is behind it.
STARTED = date.today() - timedelta(days=30)


def _people(create_application, cohort, mentors, mentees, status="accepted"):
    return ([create_application(cohort, role="mentor", status=status).id for _ in range(mentors)],
            [create_application(cohort, role="mentee", status=status).id for _ in range(mentees)])


def _count(db, model):
    return db.session.execute(select(func.count()).select_from(model)).scalar()


def test_a_plan_with_uneven_numbers_has_fair_breaks_and_no_pair_twice(db, host_city, create_cohort,
                                                                     create_application, count_queries):
    cohort = create_cohort(host_city, status="running", starts_on=STARTED)
    mentors, mentees = _people(create_application, cohort, 3, 5)
    create_application(cohort, role="mentee", status="submitted")  # not accepted: not seated
    create_application(create_cohort(host_city), role="mentor", status="accepted")  # another round
    plan = networking.make_plan(db.session, cohort, 5, 7)
    assert (plan.mentor_ids, plan.mentee_ids, plan.turns, plan.minutes) == (mentors, mentees, 5, 7)
    with count_queries() as counter:
        loaded = networking.load(db.session, cohort)
    assert counter.count == 2  # the plan and every name, however many people
    assert set(loaded.names) == {*mentors, *mentees}
    pairs = Counter((seat.mentor_id, seat.mentee_id) for turn in loaded.rotation.slots for seat in turn.seats
                    if seat.mentee_id is not None)
    assert pairs and max(pairs.values()) == 1
    assert set(pairs) == networking.met(loaded) == networking.met(plan) == networking.met(loaded.rotation)
    # 3 tables for 5 mentees: 2 mentees sit out each turn, so each has exactly 2 breaks.
    assert all(len([p for p in turn.sitting_out if p.role == "mentee"]) == 2 for turn in loaded.rotation.slots)
    assert {loaded.rotation.breaks[key] for key in loaded.rotation.breaks if key.role == "mentee"} == {2}
    schedule = loaded.schedule(mentees[0])
    assert len(schedule) == 5 and sum(entry.on_break for entry in schedule) == 2
    assert [entry.table for entry in loaded.schedule(mentors[1])] == [2] * 5


def test_making_the_plan_again_replaces_it(db, host_city, create_cohort, create_application):
    cohort = create_cohort(host_city, status="running", starts_on=STARTED)
    _people(create_application, cohort, 2, 2)
    first = networking.make_plan(db.session, cohort, 2, 7)
    late = create_application(cohort, role="mentee", status="accepted")
    second = networking.make_plan(db.session, cohort, 3, 5)
    assert second.id == first.id and (second.turns, second.minutes) == (3, 5) and late.id in second.mentee_ids
    assert _count(db, NetworkingPlan) == 1


@pytest.mark.parametrize(("turns", "minutes", "code"), [
    (0, 7, "bad_turns"), (61, 7, "bad_turns"), (True, 7, "bad_turns"), ("5", 7, "bad_turns"), (2.5, 7, "bad_turns"),
    (5, 1, "bad_minutes"), (5, 61, "bad_minutes"), (5, None, "bad_minutes"),
])
def test_bad_numbers_are_refused(db, host_city, create_cohort, create_application, turns, minutes, code):
    cohort = create_cohort(host_city, status="running", starts_on=STARTED)
    _people(create_application, cohort, 2, 2)
    with pytest.raises(NetworkingError) as error:
        networking.make_plan(db.session, cohort, turns, minutes)
    assert error.value.code == code and error.value.field in ("turns", "minutes")
    assert _count(db, NetworkingPlan) == 0


@pytest.mark.parametrize(("mentors", "mentees", "code"), [
    (0, 0, "needs_accepted_mentors"), (0, 3, "needs_accepted_mentors"), (3, 0, "needs_accepted_mentees"),
])
def test_rounds_without_accepted_mentors_or_mentees_are_refused(db, host_city, create_cohort, create_application,
                                                               mentors, mentees, code):
    cohort = create_cohort(host_city, status="selecting")
    _people(create_application, cohort, 2, 2, status="shortlisted")  # applied, but not accepted
    _people(create_application, cohort, mentors, mentees)
    with pytest.raises(NetworkingError) as error:
        networking.make_plan(db.session, cohort, 3, 7)
    assert error.value.code == code
    assert _count(db, NetworkingPlan) == 0


def test_a_closed_round_keeps_its_plan(db, host_city, create_cohort, create_application):
    cohort = create_cohort(host_city, status="closed")
    _people(create_application, cohort, 1, 1)
    with pytest.raises(NetworkingError) as error:
        networking.make_plan(db.session, cohort, 1, 7)
    assert error.value.code == "cohort_closed"


def test_default_turns_let_everyone_meet_up_to_an_evening():
    assert networking.default_turns(3, 5) == 5
    assert networking.default_turns(20, 20) == 12
    assert networking.default_turns(0, 0) == 1


@pytest.fixture
def one_turn(db, host_city, create_cohort, create_application):
    """2 mentors and 3 mentees, one turn: each mentor meets one mentee, and one mentee has a break."""
    cohort = create_cohort(host_city, status="running", starts_on=STARTED)
    mentors, mentees = _people(create_application, cohort, 2, 3)
    plan = networking.make_plan(db.session, cohort, 1, 7)
    pairs = sorted(networking.met(plan))
    return cohort, mentors, mentees, pairs


def _application(db, application_id):
    from mentorby.tenants.applications.models import Application

    return db.session.execute(select(Application).where(Application.id == application_id)).scalar_one()


def test_only_people_met_can_be_rated(db, host_city, one_turn):
    cohort, mentors, mentees, pairs = one_turn
    (mentor, mentee), (other_mentor, other_mentee) = pairs
    rater = _application(db, mentee)
    for values, code in (
        ({other_mentor: 4}, "not_met"),  # in the plan, but at another table
        ({other_mentee: 4}, "not_met"),  # another mentee
        ({mentee: 4}, "not_met"),  # oneself
        ({"x": 4}, "not_met"),
        ({mentor: 0}, "bad_rating"), ({mentor: 6}, "bad_rating"), ({mentor: True}, "bad_rating"),
        ({mentor: "4"}, "bad_rating"), ({}, "nothing_rated"),
    ):
        with pytest.raises(NetworkingError) as error:
            networking.save_ratings(db.session, cohort, rater, values)
        assert error.value.code == code, values
    assert networking.save_ratings(db.session, cohort, rater, {mentor: 4}) == {mentor: 4}
    assert networking.ratings_by(db.session, cohort, rater) == {mentor: 4}
    resting = next(i for i in mentees if i not in (mentee, other_mentee))
    with pytest.raises(NetworkingError) as error:
        networking.save_ratings(db.session, cohort, _application(db, resting), {mentor: 3})
    assert error.value.code == "not_met"


def test_saving_again_replaces_the_earlier_answers(db, host_city, create_cohort, create_application):
    cohort = create_cohort(host_city, status="running", starts_on=STARTED)
    mentors, mentees = _people(create_application, cohort, 3, 1)
    rater = _application(db, mentees[0])
    networking.make_plan(db.session, cohort, 3, 7)
    networking.save_ratings(db.session, cohort, rater, {mentors[0]: 3, mentors[1]: 5})
    networking.save_ratings(db.session, cohort, rater, {mentors[0]: 4, mentors[2]: 1})
    assert networking.ratings_by(db.session, cohort, rater) == {mentors[0]: 4, mentors[2]: 1}
    assert _count(db, Rating) == 2


def test_who_has_not_answered(db, host_city, one_turn):
    cohort, mentors, mentees, pairs = one_turn
    (mentor, mentee), (other_mentor, other_mentee) = pairs
    waiting = networking.who_has_not_answered(db.session, cohort)
    # The mentee on a break talked to no one, so there is nothing for them to answer.
    assert {person.id for person in waiting} == {mentor, mentee, other_mentor, other_mentee}
    assert {person.role for person in waiting} == {"mentor", "mentee"} and all(p.name for p in waiting)
    networking.save_ratings(db.session, cohort, _application(db, mentor), {mentee: 5})
    _application(db, other_mentor).status = "withdrawn"
    db.session.flush()
    assert {person.id for person in networking.who_has_not_answered(db.session, cohort)} == {mentee, other_mentee}


def test_ratings_for_matching_pairs_both_sides(db, host_city, create_cohort, create_application):
    cohort = create_cohort(host_city, status="running", starts_on=STARTED)
    mentors, mentees = _people(create_application, cohort, 2, 2)
    networking.make_plan(db.session, cohort, 2, 7)  # 2 x 2 in 2 turns: everyone meets everyone
    save = networking.save_ratings
    save(db.session, cohort, _application(db, mentors[0]), {mentees[0]: 4, mentees[1]: 1})
    save(db.session, cohort, _application(db, mentees[0]), {mentors[0]: 2})
    save(db.session, cohort, _application(db, mentees[1]), {mentors[1]: 5})
    ratings = networking.ratings_for_matching(db.session, cohort)
    assert ratings == {
        (mentors[0], mentees[0]): (4, 2),
        (mentors[0], mentees[1]): (1, None),
        (mentors[1], mentees[1]): (None, 5),
    }
    assert all(0 <= combine_ratings(*pair) <= 1 for pair in ratings.values())
    # Someone who left the round drops out: the engine is only given the people still in it.
    _application(db, mentees[1]).status = "withdrawn"
    db.session.flush()
    assert networking.ratings_for_matching(db.session, cohort) == {(mentors[0], mentees[0]): (4, 2)}


def test_a_new_plan_drops_ratings_of_people_who_no_longer_meet(db, host_city, create_cohort, create_application):
    cohort = create_cohort(host_city, status="running", starts_on=STARTED)
    mentors, mentees = _people(create_application, cohort, 2, 2)
    networking.make_plan(db.session, cohort, 2, 7)
    for mentee in mentees:
        networking.save_ratings(db.session, cohort, _application(db, mentee),
                                {mentors[0]: 3, mentors[1]: 4})
    networking.make_plan(db.session, cohort, 1, 7)
    kept = set(db.session.execute(select(Rating.rated_id, Rating.rater_id)).all())
    assert kept == set(networking.met(networking.load(db.session, cohort))) and len(kept) == 2


def test_ratings_need_a_plan_and_someone_in_it(db, host_city, create_cohort, create_application):
    cohort = create_cohort(host_city, status="running", starts_on=STARTED)
    mentors, mentees = _people(create_application, cohort, 1, 1)
    rater = _application(db, mentees[0])
    with pytest.raises(NetworkingError) as error:
        networking.save_ratings(db.session, cohort, rater, {mentors[0]: 3})
    assert error.value.code == "no_plan"
    networking.make_plan(db.session, cohort, 1, 7)
    late = _application(db, create_application(cohort, role="mentee", status="accepted").id)
    with pytest.raises(NetworkingError) as error:
        networking.save_ratings(db.session, cohort, late, {mentors[0]: 3})
    assert error.value.code == "not_in_plan"
