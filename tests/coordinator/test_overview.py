"""The coordinator's overview: each current round's state and the next thing to do, linked to where it is done."""

import re
from datetime import date, timedelta

from babel.dates import format_date
from sqlalchemy import select

from mentorby.platform import clock
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.matching.models import Match, NetworkingPlan
from tests.factories import create_application, create_cohort, create_partner, create_user
from tests.platform.test_danish_forms import assert_danish, visible_text

HOME = "/lyngby-taarbaek/coordinator/"


def _card(html: str, cohort: Cohort) -> str:
    """The round's card on the overview (up to the next card, or the end of the list)."""
    start = html.index(f'<li class="card round-card" id="round-{cohort.id}">')
    ends = [i for i in (html.find('<li class="card round-card"', start + 1), html.find("</ul>\n    <p>", start))
            if i > 0]
    return html[start:min(ends)]


def _links(card: str) -> dict[str, str]:
    return {visible_text(text).strip(): href.replace("&amp;", "&")
            for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', card, re.S)}


def _page(client, language="en"):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    try:
        page = client.get(HOME)
    finally:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert page.status_code == 200
    return page.text


def test_no_rounds_says_what_to_do(client, login, coordinator, in_host_city):
    login(coordinator)
    html = _page(client)
    text = visible_text(html)
    assert "No rounds yet" in text and "Plan your first round" in text
    assert 'href="/lyngby-taarbaek/coordinator/cohorts/new"' in html
    # Configuration counts are gone; what is missing for a start is said instead.
    assert "Key numbers" not in text and "Success criteria" not in text
    assert "Add your first partner organisation" in text and "Invite a second coordinator" in text


def test_a_recruiting_round_counts_applications_and_leads_to_closing_recruitment(client, db, login, coordinator,
                                                                                in_host_city):
    apply_by = date.today() + timedelta(days=20)
    cohort = create_cohort(in_host_city, name="Forår 2027", status="recruiting", apply_by=apply_by)
    for status in ("submitted", "submitted", "shortlisted", "declined"):
        create_application(cohort, status=status)
    create_application(cohort, role="mentor")
    login(coordinator)
    card = _card(_page(client), cohort)
    text = visible_text(card)
    assert "Forår 2027" in text and "Recruiting" in text
    assert "5 applications, 4 to decide" in text
    assert f"Applications close on {apply_by.day} {apply_by.strftime('%b')} {apply_by.year}." in text
    links = _links(card)
    assert links["Read 3 new applications"] == (
        f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}/applications?status=submitted")
    assert links["Close applications and select"] == f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}#timeline-title"
    # Recruiting reads applications; deciding waits for selection (tenants/cohorts/phases.py).
    assert not any(name.startswith("Decide") for name in links)


def test_a_selecting_round_leads_through_deciding_telling_networking_and_matching(client, db, login, coordinator,
                                                                                  in_host_city):
    cohort = create_cohort(in_host_city, name="Forår 2027", status="selecting",
                           starts_on=date.today() + timedelta(days=3))
    mentor = create_application(cohort, role="mentor", status="accepted", name="Lars Mentor")
    mentees = [create_application(cohort, status="accepted") for _ in range(3)]
    create_application(cohort, status="submitted")
    for application in (mentor, *mentees[:1]):
        application.invited = True  # these were told; two mentees were not
    db.session.add(Match(cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=mentees[0].id, status="proposed"))
    db.session.flush()
    login(coordinator)
    card = _card(_page(client), cohort)
    text = visible_text(card)
    assert "1 of 20 mentors and 3 of 20 mentees accepted" in text
    links = _links(card)
    base = f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}"
    assert links["Decide on 1 application"] == f"{base}/applications"
    assert links["Tell 2 accepted people"] == f"{base}/applications?status=accepted"
    assert "Accepted, but not told yet." in text
    assert links["Plan the speed networking"] == f"{base}/networking"
    assert re.search(r"The kick-off is (in \d+ days|tomorrow|today)\.", text)
    assert links["Publish 1 proposed pair"] == f"{base}/matching"
    assert "The pairs are not published yet." in text
    assert "Start the round" not in links

    db.session.add(NetworkingPlan(cohort_id=cohort.id, turns=2, minutes=7, mentor_ids=[mentor.id],
                                  mentee_ids=[m.id for m in mentees]))
    for match in db.session.execute(select(Match)).scalars():
        match.status = "published"
    db.session.flush()
    links = _links(_card(_page(client), cohort))
    assert "Plan the speed networking" not in links
    assert links["Find mentors for 2 mentees"] == f"{base}/matching"


def test_a_selecting_round_with_every_mentee_paired_can_start(client, db, login, coordinator, in_host_city):
    cohort = create_cohort(in_host_city, name="Forår 2027", status="selecting")
    mentor = create_application(cohort, role="mentor", status="accepted")
    mentee = create_application(cohort, status="accepted")
    for application in (mentor, mentee):
        application.invited = True
    db.session.add(Match(cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=mentee.id, status="published"))
    db.session.add(NetworkingPlan(cohort_id=cohort.id, turns=1, minutes=7, mentor_ids=[mentor.id],
                                  mentee_ids=[mentee.id]))
    db.session.flush()
    login(coordinator)
    links = _links(_card(_page(client), cohort))
    assert list(links) == ["Forår 2027", "Start the round"]


def test_planned_running_and_closed_rounds(client, db, login, coordinator, in_host_city):
    today = clock.today()  # the city's today (Copenhagen), which the page counts from
    planned = create_cohort(in_host_city, name="Efterår 2027", status="planned")
    late = create_cohort(in_host_city, name="Forsinket", status="planned", starts_on=today + timedelta(days=30),
                         apply_by=today + timedelta(days=10))
    running = create_cohort(in_host_city, name="Vinter 2026", status="running", starts_on=today - timedelta(days=130),
                            ends_on=today - timedelta(days=2))
    closed = create_cohort(in_host_city, name="Efterår 2025", status="closed", starts_on=today - timedelta(days=300),
                           ends_on=today - timedelta(days=200))
    waiting = create_cohort(in_host_city, name="Forår 2026", status="closed", starts_on=today - timedelta(days=150),
                            ends_on=today - timedelta(days=20))
    done = create_cohort(in_host_city, name="Forår 2024", status="followed_up", starts_on=today - timedelta(days=900))
    db.session.get(Cohort, late.id).apply_by = today - timedelta(days=1)
    db.session.get(Cohort, closed.id).follow_up_on = today - timedelta(days=1)
    db.session.get(Cohort, waiting.id).follow_up_on = today + timedelta(days=160)
    db.session.flush()
    login(coordinator)
    html = _page(client)
    base = "/lyngby-taarbaek/coordinator/cohorts"
    assert _links(_card(html, planned))["Open recruitment"] == f"{base}/{planned.id}#timeline-title"
    assert _links(_card(html, late))["Move the application deadline"] == f"{base}/{late.id}/edit"
    card = _card(html, running)
    assert _links(card)["Close the round"] == f"{base}/{running.id}#timeline-title"
    assert "The round ended on" in visible_text(card)
    assert _links(_card(html, closed))["Mark the follow-up as done"] == f"{base}/{closed.id}#timeline-title"
    card = _card(html, waiting)
    assert "6-month follow-up due on" in visible_text(card) and "in 160 days" in visible_text(card)
    assert "Nothing to do for this round right now." in visible_text(card)
    assert f'id="round-{done.id}"' not in html
    # Rounds at work come first, closed ones last.
    assert html.index(f'id="round-{planned.id}"') < html.index(f'id="round-{closed.id}"')
    assert html.index(f'id="round-{running.id}"') < html.index(f'id="round-{waiting.id}"')


def test_the_overview_in_danish(client, db, login, coordinator, in_host_city):
    apply_by = clock.today() + timedelta(days=20)  # still open whenever the test runs
    cohort = create_cohort(in_host_city, name="Forår 2027", status="recruiting", apply_by=apply_by,
                           starts_on=apply_by + timedelta(days=16))
    create_application(cohort)
    create_partner(in_host_city, name="COWI")
    login(coordinator)
    html = _page(client, "da")
    assert_danish(html, "the overview")
    text = visible_text(html)
    assert "Aktuelle forløb" in text and "Rekruttering" in text
    assert "1 ansøgning, 1 mangler afgørelse" in text
    assert f"Ansøgningsfristen er {format_date(apply_by, 'medium', locale='da')}." in text  # "12. jan. 2027"
    assert "Luk for ansøgninger, og gå i gang med udvælgelsen" in text
    assert "Tilføj jeres første partnerorganisation" not in text and "Invitér en koordinator mere" in text


def test_a_second_coordinator_or_an_invitation_ends_the_hint(client, db, login, coordinator, in_host_city):
    create_user(email="colleague@lyngby.example", city=in_host_city, role="coordinator")
    login(coordinator)
    assert "Invite a second coordinator" not in visible_text(_page(client))


def test_the_overview_uses_the_same_number_of_queries_for_5_and_200_applications(
        db, login, coordinator, in_host_city, queries_at_sizes):
    cohort = create_cohort(in_host_city, name="Forår 2027", status="selecting")
    create_cohort(in_host_city, name="Vinter 2026", status="running", starts_on=date.today() - timedelta(days=20))
    login(coordinator)

    def grow(total):
        for i in range(total - _applications(db)):
            create_application(cohort, role=("mentor", "mentee")[i % 2], status=("accepted", "submitted")[i % 2])

    counts, page = queries_at_sizes(HOME, grow, ceiling=14)
    assert counts[0] == counts[1]
    assert "200 applications" in visible_text(page.text)


def _applications(db) -> int:
    from sqlalchemy import func

    from mentorby.tenants.applications.models import Application

    return db.session.execute(select(func.count()).select_from(Application)).scalar_one()


def test_the_overview_uses_the_same_number_of_queries_for_1_and_6_rounds(client, db, login, coordinator, in_host_city,
                                                                         count_queries):
    login(coordinator)
    counted = []
    for rounds in (1, 6):
        while _rounds(db) < rounds:
            cohort = create_cohort(in_host_city, status=("selecting", "running", "recruiting")[_rounds(db) % 3])
            create_application(cohort, status="accepted")
        with count_queries() as counter:
            assert client.get(HOME).status_code == 200
        counted.append(counter.count)
    assert counted[0] == counted[1]


def _rounds(db) -> int:
    from sqlalchemy import func

    return db.session.execute(select(func.count()).select_from(Cohort)).scalar_one()
