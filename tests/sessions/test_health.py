"""The round's health for the coordinator: figures per pair or group, at risk, nudges, settings, digest, overview."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mentorby.platform import clock
from mentorby.platform.outbox.models import OutboxMessage
from mentorby.platform.tenancy import cross_tenant, utcnow
from mentorby.tenants.sessions import figures
from mentorby.tenants.sessions.models import HealthPolicy, Nudge
from tests.factories import create_application, create_cohort, create_pair, log_session
from tests.platform.test_danish_forms import assert_danish, visible_text

BASE = "/lyngby-taarbaek/coordinator/cohorts"


@pytest.fixture
def running(db, in_host_city):
    """A running round 45 days in: a pair that meets, a quiet pair, and a group of two that met once."""
    today = clock.today()
    cohort = create_cohort(in_host_city, name="Vinter 2026", status="running", starts_on=today - timedelta(days=45),
                           ends_on=today + timedelta(days=80))

    def person(role, name):
        return create_application(cohort, role=role, status="accepted", name=name,
                                  email=f"{name.split()[0].lower()}@example.org")

    meets = create_pair(cohort, mentor=person("mentor", "Lars Mentor"), mentee=person("mentee", "Priya Sharma"))
    quiet = create_pair(cohort, mentor=person("mentor", "Sofie Holm"), mentee=person("mentee", "Olena Kovalenko"))
    henrik = person("mentor", "Henrik Bach")
    group = [create_pair(cohort, mentor=henrik, mentee=person("mentee", name))
             for name in ("Wei Chen", "Ana Rodrigues")]
    log_session(meets, held_on=today - timedelta(days=2), confirmed=True, notes="secret private note")
    log_session(meets, held_on=today - timedelta(days=16), logged_by=meets.mentee_id)
    log_session(group, held_on=today - timedelta(days=8), notes="group private note")
    return {"cohort": cohort, "meets": meets, "quiet": quiet, "group": group, "today": today}


def _mails(db, kind="nudge") -> list[OutboxMessage]:
    with cross_tenant(db.session):
        return list(db.session.execute(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                       .order_by(OutboxMessage.id)).scalars())


def test_the_health_page_shows_each_pair_and_group(client, db, login, coordinator, running):
    login(coordinator)
    page = client.get(f"{BASE}/{running['cohort'].id}/health")
    assert page.status_code == 200
    text = visible_text(page.text)
    assert "3 sessions logged" in text and "1 pair at risk" in text
    lars = visible_text(page.text.split('id="mentor-')[[i for i, part in enumerate(page.text.split('id="mentor-'))
                                                         if "Lars Mentor" in part.split("</li>")[0]][0]])
    assert "2 sessions (1 confirmed, 1 to confirm)" in lars
    assert "group of 2 mentees" in text and "Wei Chen" in text
    assert "no session yet" in text and "45 days quiet" in text
    assert "Suggested: Call the mentor" in text  # 45 days: more than twice the 3 weeks
    # Attendance comes from the events' check-ins (nobody was invited here yet); private notes are never shown.
    assert "not invited to a joint event yet" in text and "attendance arrives" not in text
    assert "private note" not in page.text


def test_the_suggested_actions_follow_the_rules(db, running, in_host_city):
    today = running["today"]
    quiet = running["quiet"]
    quiet.published_at = utcnow() - timedelta(days=22)
    health = figures.round_health(db.session, running["cohort"], today)
    unit = next(unit for unit in health.units if unit.mentor.id == quiet.mentor_id)
    assert unit.at_risk and unit.action.value == "nudge_both"
    # The pair ended early and the mentee has no new mentor: offer one.
    quiet.status, quiet.ended_by = "ended_early", "mentor"
    db.session.flush()
    health = figures.round_health(db.session, running["cohort"], today)
    unit = next(unit for unit in health.units if unit.mentor.id == quiet.mentor_id)
    assert unit.action.value == "new_mentor" and not unit.live_pairs


def test_one_click_nudges_both_once_a_day(client, db, login, coordinator, running):
    login(coordinator)
    quiet = running["quiet"]
    url = f"{BASE}/{running['cohort'].id}/health/pairs/{quiet.id}/nudge"
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert "Nudged: both sides got an e-mail." in response.text and "Nudged today." in response.text
    mails = _mails(db)
    assert sorted(mail.to_email for mail in mails) == ["olena@example.org", "sofie@example.org"]
    assert "Olena Kovalenko" in next(mail.body for mail in mails if mail.to_email == "sofie@example.org")
    assert "/lyngby-taarbaek/portal/" in mails[0].body
    again = client.post(url, headers={"HX-Request": "true"})
    assert again.status_code == 422 and "already nudged today" in again.text
    assert len(_mails(db)) == 2
    assert db.session.execute(select(func.count()).select_from(Nudge)).scalar_one() == 1
    page = visible_text(client.get(f"{BASE}/{running['cohort'].id}/health").text)
    assert "Nudged today." in page


def test_a_group_nudge_mails_the_mentor_once_and_each_mentee(client, db, login, coordinator, running):
    login(coordinator)
    first = running["group"][0]
    response = client.post(f"{BASE}/{running['cohort'].id}/health/pairs/{first.id}/nudge")
    assert response.status_code == 302
    assert sorted(mail.to_email for mail in _mails(db)) == ["ana@example.org", "henrik@example.org", "wei@example.org"]
    assert db.session.execute(select(func.count()).select_from(Nudge)).scalar_one() == 2


def test_a_pair_of_another_round_is_not_found(client, db, login, coordinator, running, in_host_city):
    other = create_cohort(in_host_city, name="Forår 2027", status="running")
    login(coordinator)
    response = client.post(f"{BASE}/{other.id}/health/pairs/{running['quiet'].id}/nudge")
    assert response.status_code == 404 and _mails(db) == []


def test_the_city_sets_its_weeks_and_automatic_nudges(client, db, login, coordinator, running):
    login(coordinator)
    url = f"{BASE}/{running['cohort'].id}/health/policy"
    saved = client.post(url, data={"quiet_weeks": "1", "auto_nudges": "y"})
    assert saved.status_code == 302
    policy = db.session.execute(select(HealthPolicy)).scalar_one()
    assert (policy.quiet_weeks, policy.auto_nudges) == (1, True)
    text = visible_text(client.get(f"{BASE}/{running['cohort'].id}/health").text)
    assert "3 pairs at risk" in text  # the quiet pair and the group (8 days); Lars met 2 days ago
    for bad, message in (("40", "Use 1 to 12 weeks."), ("", "Not a valid integer value"), ("x", "Not a valid integer")):
        refused = client.post(url, data={"quiet_weeks": bad})
        assert refused.status_code == 422 and message in refused.text, bad
    db.session.expire_all()
    assert db.session.execute(select(HealthPolicy.quiet_weeks)).scalar_one() == 1


def test_automatic_nudges_only_where_the_city_turned_them_on(db, running, in_host_city, app):
    quiet, today = running["quiet"], running["today"]
    quiet.published_at = utcnow() - timedelta(days=25)  # quiet 25 days: "nudge both"
    with app.test_request_context():
        assert figures.auto_nudges(db.session, today) == 0
        db.session.add(HealthPolicy(quiet_weeks=3, auto_nudges=True))
        db.session.flush()
        assert figures.auto_nudges(db.session, today) == 1
        assert sorted(mail.to_email for mail in _mails(db)) == ["olena@example.org", "sofie@example.org"]
        # Nudged since the last contact: the next step is a call, not another e-mail.
        assert figures.auto_nudges(db.session, today + timedelta(days=8)) == 0


def test_the_weekly_digest_tells_the_coordinators(db, running, coordinator, in_host_city, app):
    with app.test_request_context():
        assert figures.weekly_digest(db.session, running["today"]) == 1
    (mail,) = _mails(db, "digest")
    assert mail.to_email == coordinator.email
    # In the coordinator's own language (Danish unless they chose English).
    assert "Vinter 2026" in mail.body and "1 møde registreret denne uge" in mail.body
    assert "Sofie Holm – Olena Kovalenko: Ring til mentoren" in mail.body
    assert f"/lyngby-taarbaek/coordinator/cohorts/{running['cohort'].id}/health" in mail.body
    assert "private note" not in mail.body


def test_the_health_page_in_danish(client, db, login, coordinator, running):
    login(coordinator)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "da"
    try:
        page = client.get(f"{BASE}/{running['cohort'].id}/health")
        assert_danish(page.text, "the round's health")
        assert "Ring til mentoren" in visible_text(page.text)
    finally:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_the_overview_shows_the_running_rounds_life(client, db, login, coordinator, running):
    login(coordinator)
    html = client.get("/lyngby-taarbaek/coordinator/").text
    card = visible_text(html[html.index(f'id="round-{running["cohort"].id}"'):])
    assert "3 sessions logged" in card and "1 of 4 pairs at risk" in card
    assert "Last contact:" in card
    assert f'href="{BASE}/{running["cohort"].id}/health"' in html and "Look after 1 pair at risk" in card
    # Configuration counts gave way to these figures.
    assert "pairs published" not in card


def test_the_health_page_asks_the_same_queries_for_few_and_many_pairs(client, db, login, coordinator, running,
                                                                        count_queries):
    login(coordinator)
    cohort, today = running["cohort"], running["today"]
    counted = []
    for extra in (0, 12):
        for i in range(extra):
            pair = create_pair(cohort)
            log_session(pair, held_on=today - timedelta(days=i % 5), confirmed=bool(i % 2))
            if i % 3 == 0:
                db.session.add(Nudge(cohort_id=cohort.id, match_id=pair.id, sent_on=today - timedelta(days=1)))
        db.session.flush()
        with count_queries() as counter:
            assert client.get(f"{BASE}/{cohort.id}/health").status_code == 200
        counted.append(counter.count)
    assert counted[0] == counted[1]
    with count_queries() as counter:
        assert client.get("/lyngby-taarbaek/coordinator/").status_code == 200
    overview_many = counter.count
    assert overview_many < 25


def test_the_health_page_counts_attendance_from_the_door(client, db, app, login, coordinator, in_host_city, as_city):
    """Two past events: the mentee said yes to both, was checked in at one: 1 of 2 attended, 1 no-show."""
    from mentorby.tenants.events import services as events

    cohort = create_cohort(in_host_city, status="running")
    match = create_pair(cohort)
    as_city(in_host_city)
    mentee_id = match.mentee_id
    past = [event for event in cohort.events if event.audience.value in ("both", "mentees")][:2]
    with app.test_request_context():
        for event in past:
            events.invite(db.session, event)
            answer = events.invitations_of(db.session, event)[mentee_id]
            events.answer(db.session, answer, "yes")
        events.check_in(db.session, past[0], mentee_id)
    for event in past:  # both are over now
        event.starts_at = utcnow() - timedelta(days=3)
    db.session.flush()
    assert events.attendance_by_person(db.session, cohort)[mentee_id] == (1, 1, 2)
    login(coordinator)
    page = client.get(f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}/health")
    assert page.status_code == 200 and "1 of 2 attended, 1 no-shows" in visible_text(page.text)
