"""The people a partner sends to rounds: on the coordinator's partner page and on the company contact's own page."""

import pytest
from sqlalchemy import func, select

from mentorby.tenants.applications import of_partners
from mentorby.tenants.applications.models import Application
from mentorby.tenants.partners import services
from tests.factories import create_partner, create_user

COMPANY = "/lyngby-taarbaek/company/"


@pytest.fixture
def cowi(db, in_host_city):
    """COWI, with Camilla from HR as its contact (the company contact's login); the test reads as Lyngby."""
    partner = create_partner(in_host_city, name="COWI")
    services.add_contact(db.session, partner, {"name": "Camilla Kontakt", "email": "hr@cowi.example"})
    return partner


@pytest.fixture
def company_contact(host_city):
    return create_user(email="hr@cowi.example", name="Camilla Kontakt", city=host_city, role="company_contact")


@pytest.fixture
def people(host_city, cowi, create_cohort, create_application):
    """Two rounds with COWI's people in several statuses, and someone from another company."""
    spring = create_cohort(host_city, name="Spring 2027", status="running")
    autumn = create_cohort(host_city, name="Autumn 2027", status="recruiting")
    create_partner(host_city, name="Novo Nordisk")
    return {
        "mentor": create_application(spring, role="mentor", status="accepted", name="Mads Mentor", employer="COWI"),
        "mentee": create_application(spring, role="mentee", status="accepted", name="Maria Mentee",
                                     partner_employer="Cowi", job_goal="Wind energy project lead"),
        "declined": create_application(spring, role="mentee", status="declined", name="Dora Declined",
                                       partner_employer="COWI"),
        "new": create_application(autumn, role="mentor", name="Nils New", employer="COWI"),
        "other": create_application(spring, role="mentor", status="accepted", name="Olga Other",
                                    employer="Novo Nordisk"),
        "unlinked": create_application(spring, role="mentee", status="accepted", name="Uma Unlinked",
                                       partner_employer="A company that is not a partner"),
    }


def test_people_counts_per_round_role_and_status(db, cowi, people):
    counts = of_partners.people_counts(db.session, cowi)
    assert sorted((c.cohort_name, c.role, c.status, c.count) for c in counts) == [
        ("Autumn 2027", "mentor", "submitted", 1),
        ("Spring 2027", "mentee", "accepted", 1),
        ("Spring 2027", "mentee", "declined", 1),
        ("Spring 2027", "mentor", "accepted", 1),
    ]


def test_a_mentee_is_tied_to_her_partners_employer_and_a_mentor_to_his_own(db, host_city, cowi, create_cohort,
                                                                           create_application):
    cohort = create_cohort(host_city)
    # The mentor form has no partner's employer and the mentee form no employer; ids on the other field are ignored.
    mentee = create_application(cohort, role="mentee", partner_employer="Someone else")
    db.session.get(Application, mentee.id).employer_id = cowi.id
    db.session.flush()
    assert of_partners.people_counts(db.session, cowi) == []


def test_partner_page_shows_people_per_round(client, login, coordinator, cowi, people):
    login(coordinator)
    page = client.get(f"/lyngby-taarbaek/coordinator/partners/{cowi.id}")
    assert page.status_code == 200
    text = page.text
    assert "People from this organisation in rounds" in text
    assert "Spring 2027" in text and "Autumn 2027" in text
    for name in ("Mads Mentor", "Maria Mentee", "Dora Declined", "Nils New"):
        assert name in text
    assert "Olga Other" not in text and "Uma Unlinked" not in text
    assert "Declined: 1" in text and "New: 1" in text


def test_partner_page_without_people_says_how_they_are_linked(client, login, coordinator, cowi):
    login(coordinator)
    page = client.get(f"/lyngby-taarbaek/coordinator/partners/{cowi.id}")
    assert "Nobody from this organisation has applied yet" in page.text


def _grow_people(db, host_city, partner_name, create_cohort, create_application, status="submitted"):
    cohorts = []

    def grow(total):
        if not cohorts:
            cohorts.extend([create_cohort(host_city, name="Round A"), create_cohort(host_city, name="Round B")])
        existing = db.session.execute(select(func.count()).select_from(Application)).scalar()
        for i in range(existing, total):
            role = "mentor" if i % 2 else "mentee"
            company = {"employer": partner_name} if role == "mentor" else {"partner_employer": partner_name}
            create_application(cohorts[i % 2], role=role, status=status, **company)

    return grow


def test_partner_page_uses_the_same_number_of_queries_for_5_and_200_people(db, login, coordinator, host_city, cowi,
                                                                          create_cohort, create_application,
                                                                          queries_at_sizes):
    login(coordinator)
    grow = _grow_people(db, host_city, "COWI", create_cohort, create_application)
    counts, page = queries_at_sizes(f"/lyngby-taarbaek/coordinator/partners/{cowi.id}", grow, ceiling=10)
    assert counts[0] == counts[1]
    assert "Page 1 of 8" in page.text


# --- the company contact's page -------------------------------------------------------------------


def test_company_contact_sees_only_accepted_people_of_their_company(client, login, company_contact, cowi, people):
    login(company_contact)
    page = client.get(COMPANY)
    assert page.status_code == 200
    text = page.text
    assert "Mads Mentor" in text and "Mentor, works at COWI" in text
    assert "Maria Mentee" in text and "Mentee, partner works at COWI" in text
    assert "Spring 2027" in text and "Running" in text
    for hidden in ("Dora Declined", "Nils New", "Autumn 2027", "Olga Other", "Uma Unlinked"):
        assert hidden not in text
    # Names and rounds only: nothing else about the people.
    applications = (people["mentor"], people["mentee"])
    for private in ("Wind energy project lead", *(a.email for a in applications), "Senior engineer", "MSc"):
        assert private not in text


def test_company_page_never_loads_private_columns(db, cowi, people):
    db.session.expunge_all()  # as in a request: nothing of the applications loaded yet
    rows = db.session.execute(of_partners.people_query([cowi.id], accepted_only=True)).scalars().all()
    assert sorted(a.name for a in rows) == ["Mads Mentor", "Maria Mentee"]
    with pytest.raises(Exception, match="raiseload"):
        _ = rows[0].job_goal


def test_company_contact_of_no_partner_sees_what_to_do(client, login, host_city, people):
    stranger_contact = create_user(email="someone@else.example", city=host_city, role="company_contact")
    login(stranger_contact)
    page = client.get(COMPANY)
    assert page.status_code == 200
    assert "Ask the coordinator to add you as a contact of your company" in page.text
    assert "Mads Mentor" not in page.text


def test_company_with_nobody_accepted_yet_says_so(client, login, company_contact, cowi):
    login(company_contact)
    assert "Nobody from your company takes part yet" in client.get(COMPANY).text


def test_a_contact_listed_by_another_city_sees_nothing_of_it(client, db, login, as_city, other_city, people):
    aarhus_cowi = create_partner(other_city, name="COWI")
    as_city(other_city)
    services.add_contact(db.session, aarhus_cowi, {"name": "Anders", "email": "anders@cowi.example"})
    anders = create_user(email="anders@cowi.example", city=other_city, role="company_contact")
    login(anders)
    assert client.get(COMPANY).status_code == 403
    aarhus = client.get("/aarhus/company/")
    assert aarhus.status_code == 200
    assert "Mads Mentor" not in aarhus.text and "Nobody from your company takes part yet" in aarhus.text


def test_others_cannot_open_the_company_page(client, login, host_city, coordinator, create_cohort,
                                            create_application, people):
    mentor = create_user(email="mads.mentor@example.org", city=host_city, role="mentor")
    assert client.get(COMPANY).status_code == 302
    login(mentor)
    assert client.get(COMPANY).status_code == 403
    login(coordinator)
    assert client.get(COMPANY).status_code == 403


def test_company_page_uses_the_same_number_of_queries_for_5_and_200_people(db, login, company_contact, host_city,
                                                                          cowi, create_cohort, create_application,
                                                                          queries_at_sizes):
    login(company_contact)
    grow = _grow_people(db, host_city, "COWI", create_cohort, create_application, status="accepted")
    counts, page = queries_at_sizes(COMPANY, grow, ceiling=7)
    assert counts[0] == counts[1]
    assert "Page 1 of 8" in page.text


def test_a_contact_of_a_university_sees_no_people(client, db, login, in_host_city, create_cohort,
                                                   create_application, create_user):
    from mentorby.tenants.partners.models import PartnerContact

    dtu = create_partner(in_host_city, name="DTU", kind="university")
    contact = create_user(city=in_host_city, role="company_contact", email="hr@dtu.example")
    db.session.add(PartnerContact(partner_id=dtu.id, name="HR", email="hr@dtu.example"))
    db.session.flush()
    cohort = create_cohort(in_host_city, status="running")
    create_application(cohort, role="mentor", status="accepted", name="Dora Docent", employer="DTU")
    login(contact)
    page = client.get("/lyngby-taarbaek/company/")
    assert page.status_code == 200 and "Dora Docent" not in page.text
