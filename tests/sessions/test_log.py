"""Logging a 1:1 session in the portal: a mentee or a mentor logs, the other confirms; bad input is refused."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from mentorby.platform import clock
from mentorby.tenants.sessions.models import SessionLog, SessionPair
from tests.factories import create_application, create_cohort, create_pair, create_user, log_session
from tests.platform.test_danish_forms import assert_danish, visible_text

PORTAL = "/lyngby-taarbaek/portal"


@pytest.fixture
def running(db, in_host_city):
    """A running round that started 30 days ago, with a 1:1 pair and a mentor with a group of two."""
    today = clock.today()
    cohort = create_cohort(in_host_city, name="Vinter 2026", status="running", starts_on=today - timedelta(days=30),
                           ends_on=today + timedelta(days=90))
    pair = create_pair(cohort, mentor=create_application(cohort, role="mentor", status="accepted", name="Lars Mentor"),
                       mentee=create_application(cohort, status="accepted", name="Priya Sharma"))
    group_mentor = create_application(cohort, role="mentor", status="accepted", name="Henrik Bach")
    group = [create_pair(cohort, mentor=group_mentor,
                         mentee=create_application(cohort, status="accepted", name=name))
             for name in ("Wei Chen", "Ana Rodrigues")]
    return {"cohort": cohort, "pair": pair, "group": group, "today": today}


def _as(login, city, application, role):
    return login(create_user(city=city, role=role, email=application.email, name=application.name))


def _valid(**changes):
    return {"held_on": clock.today().isoformat(), "minutes": "60", "topics": ["cv", "job_openings"],
            "next_step": "Send the CV to COWI", "notes": "Nervous about interviews", **changes}


def _count(db, model=SessionLog) -> int:
    return db.session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_mentee_logs_a_session_and_the_mentor_confirms_it(client, db, login, in_host_city, running):
    pair = running["pair"]
    _as(login, in_host_city, pair.mentee, "mentee")
    home = client.get(f"{PORTAL}/")
    assert "Log a session" in home.text
    form = client.get(f"{PORTAL}/sessions/{pair.mentee_id}/new")
    assert form.status_code == 200
    text = visible_text(form.text)
    assert "With Lars Mentor" in text and "Danish workplace culture" in text and "Interview practice" in text
    assert f'value="{clock.today().isoformat()}"' in form.text  # the date is today unless changed
    saved = client.post(f"{PORTAL}/sessions/{pair.mentee_id}/new", data=_valid(pairs=[pair.id]))
    assert saved.status_code == 302, saved.text
    log = db.session.execute(select(SessionLog)).scalar_one()
    assert (log.minutes, log.topics, log.logged_by_id, log.mentor_id) == (60, ["job_openings", "cv"],
                                                                           pair.mentee_id, pair.mentor_id)
    listing = client.get(f"{PORTAL}/sessions/{pair.mentee_id}").text
    assert "waiting for the other side to confirm" in listing and "Nervous about interviews" in listing

    client.post("/logout")
    _as(login, in_host_city, pair.mentor, "mentor")
    assert "1 to confirm" in client.get(f"{PORTAL}/").text
    listing = client.get(f"{PORTAL}/sessions/{pair.mentor_id}").text
    assert "to confirm" in listing and "Nervous about interviews" in listing  # the two of them read the notes
    confirmed = client.post(f"{PORTAL}/sessions/{pair.mentor_id}/{log.id}/confirm", headers={"HX-Request": "true"})
    assert confirmed.status_code == 200 and "<html" not in confirmed.text
    assert "confirmed" in visible_text(confirmed.text) and "Confirm that we met" not in confirmed.text
    assert db.session.execute(select(SessionPair.confirmed_at)).scalar_one() is not None
    # Confirming twice: a clear message, nothing changes.
    again = client.post(f"{PORTAL}/sessions/{pair.mentor_id}/{log.id}/confirm", headers={"HX-Request": "true"})
    assert again.status_code == 422 and "already confirmed" in again.text


def test_a_mentor_logs_once_for_the_group_and_picks_who_came(client, db, login, in_host_city, running):
    first, second = running["group"]
    _as(login, in_host_city, first.mentor, "mentor")
    form = client.get(f"{PORTAL}/sessions/{first.mentor_id}/new").text
    assert "Wei Chen" in form and "Ana Rodrigues" in form and "Who was there" in form
    saved = client.post(f"{PORTAL}/sessions/{first.mentor_id}/new", data=_valid(pairs=[first.id], minutes="90"))
    assert saved.status_code == 302
    log = db.session.execute(select(SessionLog)).scalar_one()
    assert [pair.match_id for pair in log.pairs] == [first.id]
    client.post("/logout")
    # The mentee who came confirms; the one who did not sees nothing of it.
    _as(login, in_host_city, second.mentee, "mentee")
    assert "Nervous" not in client.get(f"{PORTAL}/sessions/{second.mentee_id}").text
    refused = client.post(f"{PORTAL}/sessions/{second.mentee_id}/{log.id}/confirm")
    assert refused.status_code == 404
    client.post("/logout")
    _as(login, in_host_city, first.mentee, "mentee")
    assert client.post(f"{PORTAL}/sessions/{first.mentee_id}/{log.id}/confirm").status_code == 302
    db.session.expire_all()
    assert db.session.execute(select(SessionPair.confirmed_at)).scalar_one() is not None


def test_a_session_for_a_pair_you_are_not_in_is_refused(client, db, login, in_host_city, running):
    pair, (other, _second) = running["pair"], running["group"]
    _as(login, in_host_city, pair.mentee, "mentee")
    # Someone else's application in the address: as if it did not exist.
    assert client.get(f"{PORTAL}/sessions/{other.mentee_id}/new").status_code == 404
    assert client.post(f"{PORTAL}/sessions/{other.mentee_id}/new", data=_valid(pairs=[other.id])).status_code == 404
    assert client.get(f"{PORTAL}/sessions/{other.mentee_id}").status_code == 404
    # Another pair's id in one's own form: a clear message, nothing saved.
    refused = client.post(f"{PORTAL}/sessions/{pair.mentee_id}/new", data=_valid(pairs=[other.id]))
    assert refused.status_code == 422 and "only log sessions of your own mentoring" in refused.text
    assert _count(db) == 0


@pytest.mark.parametrize(("changes", "message"), [
    ({"held_on": "FUTURE"}, "cannot be in the future"),
    ({"held_on": "BEFORE"}, "The round started on"),
    ({"held_on": "not a date"}, "Not a valid date value"),
    ({"minutes": "5"}, "Use 10 to 480 minutes."),
    ({"minutes": "600"}, "Use 10 to 480 minutes."),
    ({"minutes": "lots"}, "Invalid Choice"),
    ({"topics": ["cv", "astrology"]}, "Choose topics from the list."),
    ({"topics": []}, "Choose at least one topic."),
    ({"next_step": "x" * 201}, "Use at most 200 characters."),
    ({"pairs": []}, "Choose who was at the session."),
])
def test_bad_input_is_refused_with_a_message_and_saves_nothing(client, db, login, in_host_city, running, changes,
                                                               message):
    first = running["group"][0]
    today = running["today"]
    days = {"FUTURE": today + timedelta(days=1), "BEFORE": running["cohort"].starts_on - timedelta(days=1)}
    if changes.get("held_on") in days:
        changes = {"held_on": days[changes["held_on"]].isoformat()}
    _as(login, in_host_city, first.mentor, "mentor")
    data = {"pairs": [first.id], **_valid(**changes)}
    response = client.post(f"{PORTAL}/sessions/{first.mentor_id}/new", data=data)
    assert response.status_code == 422
    assert message in response.text
    assert _count(db) == 0


def test_you_cannot_confirm_your_own_entry(client, db, login, in_host_city, running):
    pair = running["pair"]
    log = log_session(pair, logged_by=pair.mentee_id)
    _as(login, in_host_city, pair.mentee, "mentee")
    refused = client.post(f"{PORTAL}/sessions/{pair.mentee_id}/{log.id}/confirm", headers={"HX-Request": "true"})
    assert refused.status_code == 422 and "You logged this session yourself" in refused.text
    db.session.expire_all()
    assert db.session.execute(select(SessionPair.confirmed_at)).scalar_one() is None


def test_the_log_form_in_danish(client, db, login, in_host_city, running):
    pair = running["pair"]
    _as(login, in_host_city, pair.mentee, "mentee")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "da"
    try:
        form = client.get(f"{PORTAL}/sessions/{pair.mentee_id}/new")
        assert_danish(form.text, "the session form")
        assert "Dansk arbejdspladskultur" in visible_text(form.text)
        refused = client.post(f"{PORTAL}/sessions/{pair.mentee_id}/new",
                              data=_valid(pairs=[pair.id], held_on=(running["today"] + timedelta(days=2)).isoformat()))
        assert_danish(refused.text, "the refused session form")
        listing = client.get(f"{PORTAL}/sessions/{pair.mentee_id}")
        assert_danish(listing.text, "the sessions list")
    finally:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"


def test_a_pair_that_is_not_published_cannot_log(client, db, login, in_host_city):
    cohort = create_cohort(in_host_city, status="selecting")
    mentee = create_application(cohort, status="accepted")
    _as(login, in_host_city, mentee, "mentee")
    assert client.get(f"{PORTAL}/sessions/{mentee.id}/new").status_code == 404
