"""The dissemination register: who keeps it, bad input, the funnel and the targets, the platform's own moves."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mentorby.platform import clock
from mentorby.platform.adoption import services as adoption
from mentorby.platform.adoption.models import AdoptionContact, Stage, StageChange
from mentorby.platform.cities.models import Tenant
from mentorby.tenants.cohorts import services as cohorts
from mentorby.tenants.matching.models import Match
from tests.factories import create_user, record_contact

TODAY = clock.today()  # the platform's day (Copenhagen), not the machine's: they differ an hour or two a day
GOOD = {"name": "Odense Kommune", "kind": "city", "channel": "presentation",
        "informed_on": (TODAY - timedelta(days=10)).isoformat(), "notes": "Presented the pilot."}


def _count(db, model=AdoptionContact):
    return db.session.execute(select(func.count()).select_from(model)).scalar()


@pytest.fixture
def national(db):
    return create_user(email="national@siri.example", platform_role="national")


# --- services -------------------------------------------------------------------------------------------------------


def test_a_contact_starts_informed_and_moves_with_a_history(db, admin):
    contact = record_contact(by=admin)
    assert contact.stage == Stage.INFORMED and [c.to_stage for c in contact.changes] == [Stage.INFORMED]
    adoption.move(db.session, contact, {"stage": "interested", "changed_on": TODAY, "note": "wants a meeting"},
                  by=admin)
    assert contact.stage == Stage.INTERESTED
    assert [(c.from_stage, c.to_stage) for c in contact.changes] == [(None, Stage.INFORMED),
                                                                      (Stage.INFORMED, Stage.INTERESTED)]


@pytest.mark.parametrize(("values", "code"), [
    ({"stage": "adopted"}, "bad_choice"),
    ({"stage": "informed"}, "same_stage"),
    ({"changed_on": TODAY + timedelta(days=1)}, "date_in_future"),
    ({"changed_on": TODAY - timedelta(days=400)}, "before_informed"),
    ({"changed_on": "yesterday"}, "bad_date"),
])
def test_bad_moves_are_refused(db, admin, values, code):
    contact = record_contact(by=admin)
    with pytest.raises(adoption.AdoptionError) as error:
        adoption.move(db.session, contact, {"stage": "interested", "changed_on": TODAY} | values, by=admin)
    assert error.value.code == code
    assert contact.stage == Stage.INFORMED


def test_the_funnel_and_the_targets(db, admin):
    day = date(2017, 9, 1)
    contacts = [record_contact(name=f"City {n}", informed_on=day) for n in range(10)]
    for contact in contacts[:4]:
        adoption.move(db.session, contact, {"stage": "interested", "changed_on": date(2017, 11, 1)}, by=admin)
    adoption.move(db.session, contacts[0], {"stage": "implementing", "changed_on": date(2018, 3, 1)}, by=admin)
    funnel = {step.stage: (step.now, step.reached) for step in adoption.funnel(db.session)}
    assert funnel == {Stage.INFORMED: (6, 10), Stage.INTERESTED: (3, 4), Stage.IMPLEMENTING: (1, 1),
                      Stage.RUNNING: (0, 0)}
    informed, interested = adoption.targets(db.session)
    assert (informed.stage, informed.minimum, informed.due_on) == (Stage.INFORMED, 10, date(2017, 10, 31))
    assert informed.met and informed.state == "met" and informed.by_due == 10
    assert interested.met and interested.by_due == 4
    adoption.move(db.session, contacts[1], {"stage": "informed", "changed_on": date(2018, 1, 1)}, by=admin)
    assert adoption.targets(db.session)[1].by_due == 4  # it was interested by the date, whatever came later


def test_a_target_missed_when_its_date_passed(db):
    record_contact(informed_on=date(2017, 11, 15))
    informed = adoption.targets(db.session)[0]
    assert informed.by_due == 0 and informed.so_far == 1 and informed.state == "missed"


def test_a_city_that_signs_up_is_implementing_and_running_after_its_first_round(client, db, host_city, as_city,
                                                                                create_cohort, create_application):
    told = record_contact(name="Odense Kommune")
    response = client.post("/start", data={
        "name": "Odense Career Mentoring", "slug": "odense", "municipality": "Odense Kommune", "region": "syddanmark",
        "contact_name": "Olga Odense", "contact_email": "olga@odense.example", "motivation": "Many spouses leave."})
    assert response.status_code == 302
    city = db.session.execute(select(Tenant).where(Tenant.slug == "odense")).scalar_one()
    db.session.refresh(told)
    assert told.city_id == city.id and told.stage == Stage.IMPLEMENTING
    assert _count(db) == 1  # linked by its name, not a second entry
    city.status = "active"
    as_city(city)
    cohort = create_cohort(city, status="selecting", starts_on=TODAY - timedelta(days=1))
    mentor = create_application(cohort, role="mentor", status="accepted")
    mentee = create_application(cohort, role="mentee", status="accepted")
    db.session.add(Match(cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=mentee.id, status="published"))
    db.session.flush()
    cohorts.move(db.session, cohort, "running", by_user_id=None, early=True, note="Everyone is ready")
    db.session.refresh(told)
    assert told.stage == Stage.RUNNING
    assert [c.to_stage for c in told.changes] == [Stage.INFORMED, Stage.IMPLEMENTING, Stage.RUNNING]
    assert all(c.by_user_id is None for c in told.changes)


def test_a_city_nobody_recorded_gets_an_entry_of_its_own(db, create_city):
    city = create_city(slug="vejle", name="Vejle Career Mentoring", municipality="Vejle Kommune")
    contact = adoption.city_signed_up(db.session, city)
    assert (contact.name, contact.kind, contact.channel, contact.stage) == ("Vejle Kommune", "city", "signup",
                                                                            Stage.IMPLEMENTING)
    adoption.round_started(db.session, city.id)
    adoption.round_started(db.session, city.id)
    assert contact.stage == Stage.RUNNING and len(contact.changes) == 3
    assert adoption.city_signed_up(db.session, city).id == contact.id  # never a second entry


def test_the_host_city_is_not_in_its_own_register(db, host_city):
    assert adoption.city_signed_up(db.session, host_city) is None
    adoption.round_started(db.session, host_city.id)
    assert _count(db) == 0


# --- who keeps and reads the register ---------------------------------------------------------------------------


def test_admins_and_host_coordinators_keep_it_stakeholders_read_it(db, admin, coordinator, other_coordinator,
                                                                   national, host_city):
    host = host_city.slug
    assert adoption.keeps_register(db.session, admin, host)
    assert adoption.keeps_register(db.session, coordinator, host)
    assert not adoption.keeps_register(db.session, other_coordinator, host)
    assert not adoption.keeps_register(db.session, national, host)
    assert adoption.reads_register(db.session, national, host)
    assert not adoption.reads_register(db.session, other_coordinator, host)


def test_a_mentor_or_another_citys_coordinator_cannot_open_or_write_it(client, db, login, host_city,
                                                                       other_coordinator):
    contact = record_contact()
    mentor = create_user(city=host_city, role="mentor", email="mentor@lyngby.example")
    for person in (mentor, other_coordinator):
        signed_in = login(person, target=client.application.test_client())
        assert signed_in.get("/national/adoption/").status_code == 403
        assert signed_in.post("/national/adoption/new", data=GOOD).status_code == 403
        assert signed_in.post(f"/national/adoption/{contact.id}/stage",
                              data={"stage": "interested", "changed_on": TODAY.isoformat()}).status_code == 403
    assert _count(db) == 1 and contact.stage == Stage.INFORMED


def test_a_stakeholder_reads_but_cannot_write(client, db, login, national, host_city):
    contact = record_contact()
    login(national)
    page = client.get("/national/adoption/")
    assert page.status_code == 200 and contact.name in page.text
    assert "/national/adoption/new" not in page.text
    assert client.get(f"/national/adoption/{contact.id}").status_code == 200
    assert client.post("/national/adoption/new", data=GOOD).status_code == 403
    assert client.post(f"/national/adoption/{contact.id}",
                       data=GOOD | {"name": "Changed"}).status_code == 403
    assert _count(db) == 1


# --- pages ------------------------------------------------------------------------------------------------------


def test_the_host_coordinator_records_and_moves_an_organisation(client, db, login, coordinator, host_city):
    login(coordinator)
    assert client.get("/national/adoption/new").status_code == 200
    response = client.post("/national/adoption/new", data=GOOD)
    assert response.status_code == 302
    contact = db.session.execute(select(AdoptionContact)).scalar_one()
    response = client.post(f"/national/adoption/{contact.id}/stage",
                           data={"stage": "interested", "changed_on": TODAY.isoformat(), "note": "Follow-up call"})
    assert response.status_code == 302
    page = client.get(f"/national/adoption/{contact.id}")
    assert "Follow-up call" in page.text and "Interested" in page.text
    register = client.get("/national/adoption/")
    assert "Odense Kommune" in register.text and "Targets" in register.text


@pytest.mark.parametrize(("changes", "shown"), [
    ({"name": ""}, "This field is required"),
    ({"name": "x" * 161}, "160"),
    ({"kind": "ministry"}, "Not a valid choice"),
    ({"channel": "signup"}, "Not a valid choice"),
    ({"informed_on": (TODAY + timedelta(days=3)).isoformat()}, "cannot be in the future"),
    ({"informed_on": "31/02/2017"}, "Not a valid date"),
    ({"notes": "n" * 2001}, "2000"),
])
def test_bad_entries_change_nothing(client, db, login, admin, changes, shown):
    login(admin)
    response = client.post("/national/adoption/new", data=GOOD | changes)
    assert response.status_code == 422
    assert shown in response.text
    assert _count(db) == 0


def test_a_bad_stage_on_the_page_changes_nothing(client, db, login, admin):
    contact = record_contact()
    login(admin)
    for data in ({"stage": "adopted", "changed_on": TODAY.isoformat()},
                 {"stage": "interested", "changed_on": (TODAY + timedelta(days=1)).isoformat()}):
        response = client.post(f"/national/adoption/{contact.id}/stage", data=data)
        assert response.status_code == 422
    assert _count(db, StageChange) == 1 and client.get("/national/adoption/?stage=adopted").status_code == 400


def test_injected_text_is_shown_as_text(client, db, login, admin):
    login(admin)
    client.post("/national/adoption/new", data=GOOD | {"name": "<script>alert(1)</script>", "notes": "<b>x</b>"})
    contact = db.session.execute(select(AdoptionContact)).scalar_one()
    page = client.get(f"/national/adoption/{contact.id}")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;" in page.text
    assert "<b>x</b>" not in page.text


def test_an_unknown_entry_is_404(client, login, admin):
    login(admin)
    assert client.get("/national/adoption/999999").status_code == 404


def test_the_register_in_danish(client, login, admin):
    record_contact(name="Aalborg Kommune")
    login(admin)
    client.post("/lang", data={"lang": "da"})
    page = client.get("/national/adoption/")
    assert "Aalborg Kommune" in page.text and "Formidling" in page.text


def test_the_register_list_issues_the_same_queries_for_5_or_200(db, login, admin, queries_at_sizes):
    login(admin)

    def grow(total):
        for n in range(_count(db), total):
            record_contact(name=f"Organisation {n}")

    counts, page = queries_at_sizes("/national/adoption/", grow, ceiling=16)
    assert counts[0] == counts[1], counts
    assert 'rel="next"' in page.text
