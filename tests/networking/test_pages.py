"""The speed-networking pages: the coordinator's plan and sheets, the personal links, the phone view."""

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mentorby.platform.outbox.models import OutboxMessage
from mentorby.platform.tenancy import cross_tenant
from mentorby.tenants.matching import networking
from mentorby.tenants.matching.models import NetworkingPlan, Rating
from tests.platform.helpers import last_mail, link_in

#: Every test here reads and writes as the host city, Lyngby.
pytestmark = pytest.mark.usefixtures("in_host_city")

PLAN = "/lyngby-taarbaek/coordinator/cohorts/{}/networking"

#: A running round has begun: its kick-off, where the speed networking is rated, is behind it.
STARTED = date.today() - timedelta(days=30)


def _round(create_cohort, create_application, city, mentors=3, mentees=4, status="running"):
    cohort = create_cohort(city, status=status, starts_on=STARTED if status == "running" else None)
    people = {
        "mentor": [create_application(cohort, role="mentor", status="accepted", name=f"Mentor {i}",
                                      email=f"mentor{i}@example.org") for i in range(mentors)],
        "mentee": [create_application(cohort, role="mentee", status="accepted", name=f"Mentee {i}",
                                      email=f"mentee{i}@example.org") for i in range(mentees)],
    }
    return cohort.id, {role: [(a.id, a.name, a.email) for a in apps] for role, apps in people.items()}


def _count(db, model):
    db.session.expire_all()
    return db.session.execute(select(func.count()).select_from(model)).scalar()


def _make(db, cohort_id, turns, minutes=7):
    from mentorby.tenants.cohorts.models import Cohort

    cohort = db.session.execute(select(Cohort).where(Cohort.id == cohort_id)).scalar_one()
    networking.make_plan(db.session, cohort, turns, minutes)


def test_coordinator_makes_a_plan_and_sees_the_master_sheet_and_sheets(client, db, login, coordinator, host_city,
                                                                      create_cohort, create_application):
    cohort_id, people = _round(create_cohort, create_application, host_city)
    login(coordinator)
    page = client.get(PLAN.format(cohort_id))
    assert page.status_code == 200
    # Default: as many turns as the larger side, so every mentee meets every mentor.
    assert re.search(r'name="turns"[^>]*value="4"', page.text) and re.search(r'name="minutes"[^>]*value="7"', page.text)
    assert "Master sheet" not in page.text
    response = client.post(PLAN.format(cohort_id), data={"turns": "4", "minutes": "8"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#master")
    page = client.get(PLAN.format(cohort_id))
    assert page.status_code == 200 and "The plan is made: 4 turns of 8 minutes." in page.text
    assert "Master sheet" in page.text and "Turn 4" in page.text and '<th scope="row">3</th>' in page.text
    assert all(name in page.text for role in people.values() for _id, name, _email in role)
    assert "Mentees on a break:" in page.text  # 4 mentees at 3 tables
    assert "Not answered yet" in page.text and 'class="badge">7<' in page.text
    assert 'media="print"' in page.text and f"{PLAN.format(cohort_id)}/sheets" in page.text
    sheets = client.get(f"{PLAN.format(cohort_id)}/sheets")
    assert sheets.status_code == 200
    assert sheets.text.count('class="sheet"') == 7 and sheets.text.index("Master sheet") < sheets.text.index(
        'class="sheet"')
    assert "You stay at table 2 all evening" in sheets.text and 'href="/static/css/print.css"' in sheets.text
    plan = db.session.execute(select(NetworkingPlan)).scalar_one()
    assert (plan.turns, plan.minutes, plan.mentor_ids) == (4, 8, [i for i, _n, _e in people["mentor"]])


def test_an_empty_round_says_what_to_do(client, login, coordinator, host_city, create_cohort, create_application):
    cohort = create_cohort(host_city, status="selecting")
    create_application(cohort, role="mentor", status="accepted")
    login(coordinator)
    page = client.get(PLAN.format(cohort.id))
    assert page.status_code == 200 and "No one to seat yet" in page.text
    assert "1 mentors and 0 mentees" in page.text and f"/cohorts/{cohort.id}/applications" in page.text
    sheets = client.get(f"{PLAN.format(cohort.id)}/sheets")
    assert sheets.status_code == 200 and "No plan yet" in sheets.text


@pytest.mark.parametrize(("data", "text"), [
    ({"turns": "0", "minutes": "7"}, "Use a whole number of turns from 1 to 60."),
    ({"turns": "61", "minutes": "7"}, "Use a whole number of turns from 1 to 60."),
    ({"turns": "3", "minutes": "1"}, "Use a whole number of minutes from 2 to 60."),
    ({"turns": "three", "minutes": "7"}, "Turns"),
    ({"minutes": "7"}, "Turns"),
])
def test_bad_plan_input_is_422_and_saves_nothing(client, db, login, coordinator, host_city, create_cohort,
                                                 create_application, data, text):
    cohort_id, _people = _round(create_cohort, create_application, host_city)
    login(coordinator)
    response = client.post(PLAN.format(cohort_id), data=data)
    assert response.status_code == 422 and text in response.text and 'class="error-summary"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert _count(db, NetworkingPlan) == 0


def test_a_round_without_mentees_cannot_be_planned(client, db, login, coordinator, host_city, create_cohort,
                                                   create_application):
    cohort_id, _people = _round(create_cohort, create_application, host_city, mentors=2, mentees=1)
    _make(db, cohort_id, 2)
    from mentorby.tenants.applications.models import Application

    db.session.execute(select(Application).where(Application.role == "mentee")).scalar_one().status = "withdrawn"
    db.session.flush()
    login(coordinator)
    page = client.get(PLAN.format(cohort_id))
    assert "were accepted or left since this plan was made" in page.text
    response = client.post(PLAN.format(cohort_id), data={"turns": "3", "minutes": "7"})
    assert response.status_code == 422 and "Accept at least one mentee first." in response.text
    assert db.session.execute(select(NetworkingPlan.turns)).scalar_one() == 2


def test_another_citys_coordinator_gets_404_through_their_own_city(client, login, other_coordinator, host_city,
                                                                   create_cohort, create_application):
    cohort_id, _people = _round(create_cohort, create_application, host_city)
    login(other_coordinator)
    base = f"/aarhus/coordinator/cohorts/{cohort_id}/networking"
    assert client.get(base).status_code == 404
    assert client.post(base, data={"turns": "2", "minutes": "7"}).status_code == 404
    assert client.get(f"{base}/sheets").status_code == 404
    assert client.post(f"{base}/send").status_code == 404
    assert client.get(PLAN.format(cohort_id)).status_code == 403


def test_a_mentor_of_the_city_gets_403(client, db, login, host_city, create_cohort, create_application, create_user):
    cohort_id, _people = _round(create_cohort, create_application, host_city)
    login(create_user(city=host_city, role="mentor", email="mentor0@example.org"))
    for method, url in (("GET", PLAN), ("POST", PLAN), ("GET", PLAN + "/sheets"), ("POST", PLAN + "/send")):
        assert client.open(url.format(cohort_id), method=method).status_code == 403
    assert _count(db, NetworkingPlan) == 0


def _mails(db, kind="rating_link"):
    db.session.expire_all()
    with cross_tenant(db.session):
        return list(db.session.execute(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)).scalars())


def test_sending_links_queues_one_mail_per_participant_with_a_working_link(client, db, login, coordinator,
                                                                           host_city, create_cohort,
                                                                           create_application):
    cohort_id, people = _round(create_cohort, create_application, host_city, mentors=2, mentees=3)
    from mentorby.tenants.cohorts.models import Cohort

    cohort = db.session.execute(select(Cohort).where(Cohort.id == cohort_id)).scalar_one()
    create_application(cohort, role="mentee", status="declined", email="declined@example.org")
    _make(db, cohort_id, 3)
    login(coordinator)
    response = client.post(f"{PLAN.format(cohort_id)}/send", follow_redirects=True)
    assert response.status_code == 200 and "Personal links sent to 5 participants." in response.text
    mails = _mails(db)
    everyone = {email for role in people.values() for _i, _n, email in role}
    assert sorted(m.to_email for m in mails) == sorted(everyone)
    assert all(m.tenant_id == host_city.id and "Speed networking in" in m.subject for m in mails)
    link = link_in(last_mail(db, "mentee0@example.org"))
    assert link.startswith("/lyngby-taarbaek/networking/")
    client.post("/logout")
    page = client.get(link)
    assert page.status_code == 200 and "Your speed networking" in page.text and "Mentee 0" in page.text
    # Once someone has answered, a reminder goes only to those who have not.
    mentee_id = people["mentee"][0][0]
    partner = next(e.partner_id for e in _networking(db, cohort_id).partners(mentee_id))
    assert client.post(link, data={f"rating-{partner}": "5"}).status_code == 302
    login(coordinator)
    client.post(f"{PLAN.format(cohort_id)}/send", data={"only": "missing"})
    assert len(_mails(db)) == 5 + 4


def _networking(db, cohort_id):
    from mentorby.tenants.cohorts.models import Cohort

    cohort = db.session.execute(select(Cohort).where(Cohort.id == cohort_id)).scalar_one()
    return networking.load(db.session, cohort)


def _phone_link(app, city, cohort_id, application_id, city_id=None):
    from mentorby.platform.accounts.tokens import make_link_token

    with app.test_request_context():
        token = make_link_token("networking-phone", {"t": city_id or city.id, "c": cohort_id, "a": application_id})
    return f"/{city.slug}/networking/{token}"


def test_the_phone_page_works_without_login_and_saves_ratings(app, client, db, host_city, create_cohort,
                                                             create_application):
    cohort_id, people = _round(create_cohort, create_application, host_city, mentors=2, mentees=3)
    _make(db, cohort_id, 3)
    nw = _networking(db, cohort_id)
    mentee_id = people["mentee"][2][0]
    partners = [entry.partner_id for entry in nw.partners(mentee_id)]
    assert len(partners) == 2  # 3 turns, 2 tables: one break
    url = _phone_link(app, host_city, cohort_id, mentee_id)
    page = client.get(url)
    assert page.status_code == 200 and "Turn 3" in page.text and "Break" in page.text
    assert all(nw.name(p) in page.text for p in partners)
    assert page.text.count('type="radio"') == 2 * 6 and page.text.count("<fieldset") == 2
    assert f'<label for="rate-{partners[0]}-5">5 · Very much</label>' in page.text
    assert "under a minute" in page.text
    response = client.post(url, data={f"rating-{partners[0]}": "4", f"rating-{partners[1]}": ""})
    assert response.status_code == 302 and "saved=1" in response.headers["Location"]
    thanks = client.get(response.headers["Location"])
    assert "Thank you! Your ratings are saved." in thanks.text
    assert f'id="rate-{partners[0]}-4" name="rating-{partners[0]}" value="4" checked' in thanks.text
    assert db.session.execute(select(Rating.rater_id, Rating.rated_id, Rating.value)).all() == [
        (mentee_id, partners[0], 4)]
    # A mentor's page says they keep their table.
    mentor = client.get(_phone_link(app, host_city, cohort_id, people["mentor"][1][0]))
    assert "You stay at table 2 all evening" in mentor.text


@pytest.mark.parametrize(("rating", "text"), [
    ("9", "Choose a rating from 1 to 5"),
    ("abc", "Choose a rating from 1 to 5"),
    (None, "You can only rate people you talked to"),
])
def test_bad_ratings_are_422_and_save_nothing(app, client, db, host_city, create_cohort, create_application,
                                              rating, text):
    cohort_id, people = _round(create_cohort, create_application, host_city, mentors=2, mentees=2)
    _make(db, cohort_id, 1)
    nw = _networking(db, cohort_id)
    mentee_id = people["mentee"][0][0]
    partner = nw.partners(mentee_id)[0].partner_id
    other_mentor = next(i for i, _n, _e in people["mentor"] if i != partner)
    data = {f"rating-{partner}": "5", f"rating-{other_mentor}": "3"} if rating is None else {
        f"rating-{partner}": rating}
    response = client.post(_phone_link(app, host_city, cohort_id, mentee_id), data=data)
    assert response.status_code == 422 and text in response.text and 'role="alert"' in response.text
    if rating is not None:
        assert f'aria-describedby="rate-{partner}-error"' in response.text
    assert _count(db, Rating) == 0
    nothing = client.post(_phone_link(app, host_city, cohort_id, mentee_id), data={f"rating-{partner}": ""})
    assert nothing.status_code == 422 and "Rate at least one person" in nothing.text


def test_bad_links_are_400_and_show_nothing(app, client, db, monkeypatch, host_city, other_city, create_cohort,
                                           create_application):
    cohort_id, people = _round(create_cohort, create_application, host_city, mentors=1, mentees=1)
    _make(db, cohort_id, 1)
    mentee_id = people["mentee"][0][0]
    for method in ("GET", "POST"):
        response = client.open("/lyngby-taarbaek/networking/not-a-valid-link", method=method)
        assert response.status_code == 400 and "The link does not work" in response.text
    # A link of Lyngby opened under Aarhus's address.
    response = client.get(_phone_link(app, host_city, cohort_id, mentee_id).replace("/lyngby-taarbaek/", "/aarhus/"))
    assert response.status_code == 400 and "Mentee 0" not in response.text
    # A link signed for Aarhus naming Lyngby's application.
    response = client.get(_phone_link(app, other_city, cohort_id, mentee_id))
    assert response.status_code == 400 and "Mentee 0" not in response.text
    url = _phone_link(app, host_city, cohort_id, mentee_id)
    monkeypatch.setattr("mentorby.blueprints.networking.PHONE_MAX_AGE", timedelta(seconds=-1))
    response = client.get(url)
    assert response.status_code == 400 and "expired" in response.text and "Mentee 0" not in response.text


def test_a_participant_who_left_or_joined_late_has_no_page(app, client, db, host_city, create_cohort,
                                                         create_application):
    cohort_id, people = _round(create_cohort, create_application, host_city, mentors=1, mentees=1)
    url = _phone_link(app, host_city, cohort_id, people["mentee"][0][0])
    assert client.get(url).status_code == 400  # no plan yet
    _make(db, cohort_id, 1)
    assert client.get(url).status_code == 200
    from mentorby.tenants.cohorts.models import Cohort

    cohort = db.session.execute(select(Cohort).where(Cohort.id == cohort_id)).scalar_one()
    late = create_application(cohort, role="mentee", status="accepted")
    response = client.get(_phone_link(app, host_city, cohort_id, late.id))
    assert response.status_code == 400 and "speed-networking plan. Ask the coordinator." in response.text
    from mentorby.tenants.applications.models import Application

    db.session.execute(select(Application).where(Application.id == people["mentee"][0][0])).scalar_one().status \
        = "withdrawn"
    db.session.flush()
    response = client.get(url)
    assert response.status_code == 400 and "no longer take part" in response.text and "Turn 1" not in response.text


def test_the_master_sheet_issues_the_same_queries_for_5_and_40_per_side(client, db, login, coordinator, host_city,
                                                                        create_cohort, create_application,
                                                                        count_queries):
    cohort = create_cohort(host_city, status="running", starts_on=STARTED)
    cohort_id = cohort.id
    login(coordinator)
    counts = []
    for size in (5, 40):
        from mentorby.tenants.cohorts.models import Cohort

        cohort = db.session.execute(select(Cohort).where(Cohort.id == cohort_id)).scalar_one()
        have = len(networking.participants(db.session, cohort)[0])
        for _ in range(have, size):
            create_application(cohort, role="mentor", status="accepted")
            create_application(cohort, role="mentee", status="accepted")
        _make(db, cohort_id, 12)
        rater = networking.taking_part(db.session, cohort, networking.load(db.session, cohort))[0]
        networking.save_ratings(db.session, cohort, rater, {
            e.partner_id: 3 for e in networking.load(db.session, cohort).partners(rater.id)})
        with count_queries() as counter:
            page = client.get(PLAN.format(cohort_id))
        assert page.status_code == 200 and "Turn 12" in page.text
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert page.text.count('<th scope="row">') == 40 * 12


def test_a_closed_round_shows_its_plan_but_keeps_it(client, db, login, coordinator, host_city, create_cohort,
                                                    create_application):
    cohort_id, _people = _round(create_cohort, create_application, host_city, mentors=2, mentees=2)
    _make(db, cohort_id, 2)
    from mentorby.tenants.cohorts.models import Cohort

    db.session.execute(select(Cohort).where(Cohort.id == cohort_id)).scalar_one().status = "closed"
    db.session.flush()
    login(coordinator)
    page = client.get(PLAN.format(cohort_id))
    assert page.status_code == 200 and "Master sheet" in page.text and "The round is closed" in page.text
    assert 'name="turns"' not in page.text and "/networking/send" not in page.text
    response = client.post(PLAN.format(cohort_id), data={"turns": "1", "minutes": "7"})
    assert response.status_code == 422 and "The round is closed: it can no longer be changed." in response.text
    sent = client.post(f"{PLAN.format(cohort_id)}/send", follow_redirects=True)
    assert "The round is closed" in sent.text and _mails(db) == []
    assert db.session.execute(select(NetworkingPlan.turns)).scalar_one() == 2


# --- issue 8: phases, the kick-off, reminders -----------------------------------------------------------------------


def test_a_recruiting_round_is_not_planned_and_the_page_says_why(client, db, login, coordinator, host_city,
                                                                 create_cohort, create_application):
    cohort_id, _people = _round(create_cohort, create_application, host_city, status="recruiting")
    login(coordinator)
    page = client.get(PLAN.format(cohort_id))
    assert page.status_code == 200 and "Speed networking is planned once recruitment has closed" in page.text
    assert 'name="turns"' not in page.text and f'href="/lyngby-taarbaek/coordinator/cohorts/{cohort_id}"' in page.text
    response = client.post(PLAN.format(cohort_id), data={"turns": "2", "minutes": "7"})
    assert response.status_code == 422 and "move the round to \u201cSelecting\u201d first" in response.text
    assert _count(db, NetworkingPlan) == 0
    # A plan made while the round was selecting, which went back to recruiting: no links go out.
    from mentorby.tenants.cohorts.models import Cohort

    db.session.get(Cohort, cohort_id).status = "selecting"
    _make(db, cohort_id, 2)
    db.session.get(Cohort, cohort_id).status = "recruiting"
    db.session.flush()
    page = client.get(PLAN.format(cohort_id))
    assert "Master sheet" in page.text and "/networking/send" not in page.text
    sent = client.post(f"{PLAN.format(cohort_id)}/send", follow_redirects=True)
    assert "Speed networking is planned once recruitment has closed" in sent.text and _mails(db) == []


def test_ratings_open_when_the_kick_off_begins(app, client, db, host_city, create_cohort, create_application):
    cohort_id, people = _round(create_cohort, create_application, host_city, mentors=2, mentees=2,
                               status="selecting")  # the round starts in two months: so does its kick-off
    _make(db, cohort_id, 2)
    mentee_id = people["mentee"][0][0]
    partner = _networking(db, cohort_id).partners(mentee_id)[0].partner_id
    url = _phone_link(app, host_city, cohort_id, mentee_id)
    from mentorby.tenants.cohorts.models import Cohort

    start = networking.kickoff_start(db.session, db.session.get(Cohort, cohort_id))
    from mentorby.platform.i18n import format_moment

    with app.test_request_context(headers={"Accept-Language": "en"}):
        when = format_moment(start, "long")
    page = client.get(url)
    assert page.status_code == 200 and "Turn 1" in page.text
    assert f"Rating opens when the kick-off begins: {when}." in page.text and 'type="radio"' not in page.text
    early = client.post(url, data={f"rating-{partner}": "5"})
    assert early.status_code == 422 and "once the kick-off has begun" in early.text
    assert _count(db, Rating) == 0
    # The kick-off begins.
    from mentorby.tenants.cohorts.models import CohortEvent

    for event in db.session.execute(select(CohortEvent).where(CohortEvent.cohort_id == cohort_id,
                                                              CohortEvent.kind == "kickoff")).scalars():
        event.starts_at -= timedelta(days=90)
    db.session.flush()
    assert 'type="radio"' in client.get(url).text
    assert client.post(url, data={f"rating-{partner}": "5"}).status_code == 302
    assert _count(db, Rating) == 1


def test_the_phone_page_speaks_the_participants_language(app, client, db, host_city, create_cohort,
                                                         create_application):
    cohort = create_cohort(host_city, status="selecting")
    create_application(cohort, role="mentor", status="accepted", name="Mentor Dansk")
    mentee = create_application(cohort, status="accepted", name="Mentee Dansk", locale="da")
    _make(db, cohort.id, 1)
    url = _phone_link(app, host_city, cohort.id, mentee.id)
    page = client.get(url)  # the client's browser asks for English
    assert 'lang="da"' in page.text and "Din speednetworking" in page.text
    assert re.search(r"Du kan give dine vurderinger, når kick-off begynder: \d+\. \w+ \d{4} kl\. \d\d\.\d\d\.",
                     page.text)
    client.post("/lang", data={"lang": "en", "next": url})  # chosen on this phone: that wins
    assert "Your speed networking" in client.get(url).text


def test_reminders_go_only_to_people_who_were_sent_a_link(client, db, login, coordinator, host_city, create_cohort,
                                                          create_application):
    cohort_id, people = _round(create_cohort, create_application, host_city, mentors=2, mentees=2)
    _make(db, cohort_id, 2)
    login(coordinator)
    page = client.get(PLAN.format(cohort_id))
    assert "Remind the" not in page.text and page.text.count("no link sent yet") == 4
    assert "Only people who were sent their link can be reminded" in page.text
    nobody = client.post(f"{PLAN.format(cohort_id)}/send", data={"only": "missing"}, follow_redirects=True)
    assert "there is no one to remind" in nobody.text and _mails(db) == []
    client.post(f"{PLAN.format(cohort_id)}/send")
    assert len(_mails(db)) == 4
    # Someone accepted later is seated in a new plan, but has no link yet: the reminder passes them by.
    from mentorby.tenants.cohorts.models import Cohort

    cohort = db.session.get(Cohort, cohort_id)
    create_application(cohort, role="mentee", status="accepted", name="Late Mentee", email="late@example.org")
    _make(db, cohort_id, 2)
    page = client.get(PLAN.format(cohort_id))
    assert "Remind the 4 who have not answered" in page.text and page.text.count("no link sent yet") == 1
    reminded = client.post(f"{PLAN.format(cohort_id)}/send", data={"only": "missing"}, follow_redirects=True)
    assert "Reminders sent to 4 participants." in reminded.text
    assert "late@example.org" not in {m.to_email for m in _mails(db)} and len(_mails(db)) == 8


def test_the_plan_form_takes_its_limits_from_the_schema_and_shows_every_problem_at_once(client, db, login,
                                                                                        coordinator, host_city,
                                                                                        create_cohort,
                                                                                        create_application):
    from mentorby.tenants.matching.schemas import PlanSchema

    cohort_id, _people = _round(create_cohort, create_application, host_city)
    schema = PlanSchema()
    login(coordinator)
    page = client.get(PLAN.format(cohort_id)).text
    for name in ("turns", "minutes"):
        limits = schema.fields[name].metadata
        assert re.search(rf'<input[^>]*max="{limits["max"]}"[^>]*min="{limits["min"]}"[^>]*name="{name}"', page)
    response = client.post(PLAN.format(cohort_id), data={"turns": "0", "minutes": "61"})
    assert response.status_code == 422
    summary = response.text.split('class="error-summary"')[1].split("</div>")[0]
    assert "Use a whole number of turns from 1 to 60." in summary
    assert "Use a whole number of minutes from 2 to 60." in summary
    assert _count(db, NetworkingPlan) == 0
    with pytest.raises(networking.NetworkingError) as refused:
        networking.check_plan({"turns": "5", "minutes": None})
    assert {(p.field, p.code, p.params["max"]) for p in refused.value.problems} == {
        ("turns", "bad_turns", 60), ("minutes", "bad_minutes", 60)}
