import re
from datetime import date, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from sqlalchemy import func, select

from mentorby.platform import clock
from mentorby.platform.tenancy import tenant_scope
from mentorby.tenants.cohorts import services as cohorts
from mentorby.tenants.cohorts.models import Cohort, CohortEvent, CohortTransition
from mentorby.tenants.matching.models import Match
from tests.platform.test_danish_forms import visible_text

START = date.today() + timedelta(days=30)


def _values(**changes):
    return {"name": "Spring", "starts_on": START, "ends_on": None, "apply_by": None, "mentor_capacity": 20,
            "mentee_capacity": 20, "description": ""} | changes


def test_planning_lays_the_events_out_from_the_model(db, host_city, in_host_city):
    cohort = cohorts.plan_cohort(db.session, _values())
    kickoff = next(event for event in cohort.events if event.kind == "kickoff")
    closing = next(event for event in cohort.events if event.kind == "closing")
    assert cohort.status == "planned"
    assert cohort.ends_on == START + relativedelta(months=4)
    assert len(cohort.events) == 6
    assert cohorts.to_local(kickoff.starts_at).date() == START + timedelta(weeks=2)
    assert cohorts.to_local(closing.starts_at).date() == START + timedelta(weeks=16)
    assert cohorts.to_local(kickoff.starts_at).hour == 17


@pytest.mark.parametrize(("changes", "code"), [
    ({"name": "B", "ends_on": START}, "ends_before_start"),
    ({"name": "B", "apply_by": START + timedelta(days=1)}, "apply_after_start"),
    ({"name": "B", "mentor_capacity": 0}, "bad_capacity"),
    ({"name": " spring "}, "cohort_name_taken"),
])
def test_bad_round_values_are_refused(db, host_city, changes, code, in_host_city):
    cohorts.plan_cohort(db.session, _values())
    with pytest.raises(cohorts.CohortError) as error:
        cohorts.plan_cohort(db.session, _values(**changes))
    assert error.value.code == code


def test_life_cycle_rules(db, host_city, create_cohort, create_application, in_host_city):
    cohort = create_cohort(host_city, status="planned")
    with pytest.raises(cohorts.CohortError) as error:
        cohorts.move(db.session, cohort, "running", by_user_id=None)
    assert error.value.code == "transition_not_allowed"
    cohorts.move(db.session, cohort, "recruiting", by_user_id=None)
    cohorts.move(db.session, cohort, "selecting", by_user_id=None)
    with pytest.raises(cohorts.CohortError) as error:
        cohorts.move(db.session, cohort, "running", by_user_id=None)
    assert error.value.code == "needs_accepted_mentors"
    mentor = create_application(cohort, role="mentor", status="accepted")
    mentee = create_application(cohort, role="mentee", status="accepted")
    with pytest.raises(cohorts.CohortError) as error:
        cohorts.move(db.session, cohort, "running", by_user_id=None)
    assert error.value.code == "needs_matches"  # matching's own rule for starting a round
    db.session.add(Match(cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=mentee.id, status="published"))
    db.session.flush()
    # Before the kick-off, starting needs an explicit confirmation and a reason, kept on the timeline.
    with pytest.raises(cohorts.CohortError) as error:
        cohorts.move(db.session, cohort, "running", by_user_id=None)
    assert error.value.code == "early_start" and error.value.params["date"] == cohorts.kickoff_day(cohort)
    with pytest.raises(cohorts.CohortError) as error:
        cohorts.move(db.session, cohort, "running", by_user_id=None, early=True, note="  ")
    assert error.value.code == "early_start"
    cohorts.move(db.session, cohort, "running", by_user_id=None, early=True, note="The mentors asked to meet early")
    assert cohorts.timeline(db.session, cohort)[-1].note == "The mentors asked to meet early"
    with pytest.raises(cohorts.CohortError) as error:
        cohorts.move(db.session, cohort, "closed", by_user_id=None)
    assert error.value.code == "not_started"
    cohorts.move(db.session, cohort, "closed", by_user_id=None, today=cohort.ends_on + timedelta(days=3))
    assert cohort.follow_up_on == cohort.ends_on + relativedelta(months=6)
    with pytest.raises(cohorts.CohortError) as error:
        cohorts.move(db.session, cohort, "followed_up", by_user_id=None, today=cohort.ends_on)
    assert error.value.code == "follow_up_not_due"
    cohorts.move(db.session, cohort, "followed_up", by_user_id=None, today=cohort.follow_up_on)
    steps = [t.to_status for t in cohorts.timeline(db.session, cohort)]
    assert steps == ["planned", "recruiting", "selecting", "running", "closed", "followed_up"]


def test_closing_early_counts_the_follow_up_from_the_real_end(db, host_city, create_cohort, in_host_city):
    today = clock.today()  # the city's day, not the machine's (they differ an hour or two a day)
    cohort = create_cohort(host_city, status="running", starts_on=today - timedelta(days=10))
    cohorts.move(db.session, cohort, "closed", by_user_id=None)
    assert today < cohort.follow_up_on < cohort.ends_on + timedelta(days=190)
    assert cohort.follow_up_on == today + relativedelta(months=6)


def test_capacity_cannot_drop_below_accepted(db, host_city, create_cohort, create_application, in_host_city):
    cohort = create_cohort(host_city)
    create_application(cohort, role="mentor", status="accepted")
    create_application(cohort, role="mentor", status="accepted")
    with pytest.raises(cohorts.CohortError) as error:
        cohorts.update_cohort(db.session, cohort, {"mentor_capacity": 1})
    assert error.value.code == "capacity_below_accepted"


# --- pages ------------------------------------------------------------------------------------------------------

BASE = "/lyngby-taarbaek/coordinator/cohorts"


def _count(db, city, model=Cohort):
    db.session.expire_all()
    with tenant_scope(db.session, city.id):
        return db.session.execute(select(func.count()).select_from(model)).scalar()


def test_coordinator_plans_opens_and_edits_a_round(client, db, login, coordinator, host_city, in_host_city):
    login(coordinator)
    assert "No rounds yet" in client.get(f"{BASE}/").text
    response = client.post(f"{BASE}/new", data={"name": "Forår 2027", "starts_on": START.isoformat(),
                                                 "mentor_capacity": "20", "mentee_capacity": "20"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"])
    assert "Forår 2027" in page.text and "Open recruitment" in page.text and "Kick-off" in page.text
    cohort = db.session.execute(select(Cohort)).scalar_one()
    event = db.session.execute(select(CohortEvent).where(CohortEvent.kind == "kickoff")).scalar_one()
    moved = client.post(f"{BASE}/{cohort.id}/move", data={"target": "recruiting"})
    assert moved.status_code == 302
    assert "apply/" in client.get(f"{BASE}/{cohort.id}").text
    # The front page now announces it.
    front = client.get("/lyngby-taarbaek/")
    assert "Forår 2027" in front.text
    # An event moved inline with htmx: only the row comes back.
    prefix = f"event-{event.id}-"
    new_day = (START + timedelta(weeks=3)).isoformat()
    row = client.post(f"{BASE}/{cohort.id}/events/{event.id}", headers={"HX-Request": "true"},
                      data={prefix + "day": new_day, prefix + "at": "16:30", prefix + "duration_minutes": "120",
                            prefix + "location": "DTU Skylab"})
    assert row.status_code == 200 and "<html" not in row.text and "DTU Skylab" in row.text
    db.session.expire_all()
    moved_event = db.session.get(CohortEvent, event.id)
    assert cohorts.to_local(moved_event.starts_at).strftime("%Y-%m-%d %H:%M") == f"{new_day} 16:30"


def test_a_round_cannot_start_without_participants(client, db, login, coordinator, host_city, create_cohort,
                                                  in_host_city):
    cohort = create_cohort(host_city, status="selecting")
    login(coordinator)
    page = client.get(f"{BASE}/{cohort.id}")
    assert "Accept at least one mentor first." in page.text
    response = client.post(f"{BASE}/{cohort.id}/move", data={"target": "running"})
    assert response.status_code == 422 and "Accept at least one mentor first." in response.text
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).status == "selecting"
    assert db.session.execute(select(func.count()).select_from(CohortTransition)).scalar() == 1


@pytest.mark.parametrize(("data", "text"), [
    ({"name": "", "starts_on": START.isoformat()}, "This field is required."),
    ({"name": "X", "starts_on": "31-02-2027"}, "Not a valid date value."),
    ({"name": "X", "starts_on": START.isoformat(), "ends_on": START.isoformat()}, "must end after it starts"),
    ({"name": "X", "starts_on": START.isoformat(), "mentor_capacity": "0"}, "Number must be between 1 and 500."),
    ({"name": "X" * 81, "starts_on": START.isoformat()}, "80"),
])
def test_bad_round_input_changes_nothing(client, db, login, coordinator, host_city, data, text):
    login(coordinator)
    data = {"mentor_capacity": "20", "mentee_capacity": "20"} | data
    response = client.post(f"{BASE}/new", data=data)
    assert response.status_code == 422
    assert text in response.text
    assert _count(db, host_city) == 0


def test_bad_event_and_move_input(client, db, login, coordinator, host_city, create_cohort, in_host_city):
    cohort = create_cohort(host_city, status="planned")
    login(coordinator)
    event = cohort.events[0]
    before = event.starts_at
    prefix = f"event-{event.id}-"
    response = client.post(f"{BASE}/{cohort.id}/events/{event.id}",
                           data={prefix + "day": "x", prefix + "at": "25:00", prefix + "duration_minutes": "5"})
    assert response.status_code == 422
    assert client.post(f"{BASE}/{cohort.id}/move", data={"target": "nonsense"}).status_code == 422
    db.session.expire_all()
    assert db.session.get(CohortEvent, event.id).starts_at == before
    assert db.session.get(Cohort, cohort.id).status == "planned"


def test_event_of_another_round_is_404(client, db, login, coordinator, host_city, create_cohort, in_host_city):
    first, second = create_cohort(host_city), create_cohort(host_city)
    login(coordinator)
    event_id = second.events[0].id
    assert client.get(f"{BASE}/{first.id}/events/{event_id}").status_code == 404


def test_round_list_uses_the_same_number_of_queries_for_5_and_200(db, login, coordinator, host_city,
                                                                 queries_at_sizes, in_host_city):
    login(coordinator)

    def grow(total):
        existing = db.session.execute(select(func.count()).select_from(Cohort)).scalar()
        db.session.add_all(
            Cohort(name=f"Round {existing + i}", starts_on=START, ends_on=START + timedelta(days=120))
            for i in range(total - existing)
        )
        db.session.flush()

    counts, page = queries_at_sizes(f"{BASE}/", grow, ceiling=7)
    assert counts[0] == counts[1]
    assert 'rel="next"' in page.text


def test_mentor_cannot_see_rounds_admin(client, db, login, host_city, create_user):
    mentor = create_user(city=host_city, role="mentor")
    login(mentor)
    assert client.get(f"{BASE}/").status_code == 403


def test_coordinators_are_reminded_once_when_the_follow_up_falls_due(db, app, host_city, other_city, coordinator,
                                                                    other_coordinator, create_cohort, in_host_city):
    from tests.platform.helpers import last_mail

    due = create_cohort(host_city, status="closed", name="Efterår 2026")
    create_cohort(other_city, status="closed", name="Aarhus Efterår")
    due.follow_up_on = date.today() - timedelta(days=1)
    db.session.flush()
    with app.test_request_context():
        assert cohorts.remind_due_follow_ups(db.session, date.today()) == 1
        assert cohorts.remind_due_follow_ups(db.session, date.today()) == 0
    mail = last_mail(db, coordinator.email)
    assert mail.kind == "follow_up_due" and "Efterår 2026" in mail.subject
    assert last_mail(db, other_coordinator.email) is None


def test_the_daily_task_sends_the_reminders(db, app, host_city, coordinator, create_cohort, in_host_city):
    from mentorby.tenants.tasks import remind_follow_ups

    due = create_cohort(host_city, status="closed")
    due.follow_up_on = date.today()
    db.session.flush()
    with app.test_request_context():
        assert remind_follow_ups.call_local() == 1
    db.session.expire_all()
    assert db.session.get(Cohort, due.id).follow_up_reminded_at is not None


@pytest.mark.parametrize(("data", "text"), [
    ({"starts_on": "9999-12-31"}, "between the years 2000 and 2100"),
    ({"starts_on": "0001-01-01"}, "between the years 2000 and 2100"),
    ({"ends_on": ""}, None),  # empty: four months after the start, as when planning
])
def test_editing_a_round_with_odd_dates(client, db, login, coordinator, host_city, create_cohort, data, text):
    cohort = create_cohort(host_city, name="Spring")
    login(coordinator)
    form = {"name": "Spring", "starts_on": cohort.starts_on.isoformat(), "ends_on": cohort.ends_on.isoformat(),
            "mentor_capacity": "20", "mentee_capacity": "20"} | data
    response = client.post(f"{BASE}/{cohort.id}/edit", data=form)
    if text:
        assert response.status_code == 422 and text in response.text
    else:
        assert response.status_code == 302


def test_a_closed_round_refuses_edits_clearly(client, db, login, coordinator, host_city, create_cohort, in_host_city):
    cohort = create_cohort(host_city, status="closed", name="Old")
    login(coordinator)
    form = {"name": "Renamed", "starts_on": cohort.starts_on.isoformat(), "mentor_capacity": "20",
            "mentee_capacity": "20"}
    response = client.post(f"{BASE}/{cohort.id}/edit", data=form)
    assert response.status_code == 422 and "The round is closed" in response.text
    event_id = cohort.events[0].id
    prefix = f"event-{event_id}-"
    response = client.post(f"{BASE}/{cohort.id}/events/{event_id}", data={
        prefix + "day": "2030-01-01", prefix + "at": "10:00", prefix + "duration_minutes": "60"})
    assert response.status_code == 422 and "The round is closed" in response.text


def test_starting_on_or_after_the_kick_off_needs_no_reason(db, host_city, create_cohort, create_application,
                                                          in_host_city):
    cohort = create_cohort(host_city, status="selecting")
    mentor = create_application(cohort, role="mentor", status="accepted")
    mentee = create_application(cohort, role="mentee", status="accepted")
    db.session.add(Match(cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=mentee.id, status="published"))
    db.session.flush()
    kickoff = cohorts.kickoff_day(cohort)
    assert kickoff > cohort.starts_on  # the kick-off event, two weeks after the first workshops
    assert cohorts.early_start(cohort, "running", today=kickoff) is None
    assert cohorts.early_start(cohort, "running", today=kickoff - timedelta(days=1)) == kickoff
    cohorts.move(db.session, cohort, "running", by_user_id=None, today=kickoff)
    assert cohort.status == "running"


def test_round_page_says_what_the_phase_allows_and_asks_before_an_early_start(
        client, db, login, coordinator, host_city, create_cohort, create_application, in_host_city):
    cohort = create_cohort(host_city, status="recruiting")
    login(coordinator)
    page = client.get(f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}")
    assert "Now: Recruiting" in page.text and "read, shortlist and annotate applications" in page.text
    assert "accept, decline or wait-list applicants" not in page.text
    db.session.get(type(cohort), cohort.id).status = "selecting"
    db.session.flush()
    mentor = create_application(cohort, role="mentor", status="accepted")
    mentee = create_application(cohort, role="mentee", status="accepted")
    db.session.add(Match(cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=mentee.id, status="published"))
    db.session.flush()
    page = client.get(f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}")
    assert "accept, decline or wait-list applicants" in page.text
    assert 'name="early"' in page.text and "Why start early?" in page.text
    refused = client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}/move", data={"target": "running"})
    assert refused.status_code == 422 and "To start the round before it, tick the box and say why." in refused.text
    db.session.expire_all()
    assert db.session.get(type(cohort), cohort.id).status == "selecting"
    started = client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}/move",
                          data={"target": "running", "early": "1", "note": "Everyone is ready"})
    assert started.status_code == 302
    page = client.get(f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}")
    # Not started yet: closing is not offered as a button, the page says from when it can be closed (written out).
    assert 'value="closed"' not in page.text
    assert re.search(r"cannot close before it has started", page.text)
    assert not re.search(r"\d{4}-\d{2}-\d{2}", visible_text(page.text))


def test_every_field_is_checked_on_the_first_submit(client, db, login, coordinator, host_city):
    login(coordinator)
    response = client.post(f"{BASE}/new", data={"name": "X" * 81, "starts_on": START.isoformat(),
                                                 "ends_on": START.isoformat(), "mentor_capacity": "0",
                                                 "mentee_capacity": "x"})
    assert response.status_code == 422
    for field in ("name", "ends_on", "mentor_capacity", "mentee_capacity"):
        assert f'id="{field}-error"' in response.text, field
    assert _count(db, host_city) == 0
