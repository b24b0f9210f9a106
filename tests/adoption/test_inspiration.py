"""Inspiration material: a city's programme model, public, as a page and a PDF, and starting a city with it."""

from sqlalchemy import select

from mentorby.platform.adoption.models import AdoptionContact
from mentorby.platform.cities.models import Tenant
from mentorby.platform.tenancy import tenant_scope
from mentorby.tenants.evaluation import inspiration
from mentorby.tenants.programme.models import ProgrammeEvent

SIGNUP = {"name": "Odense Career Mentoring", "slug": "odense", "municipality": "Odense Kommune", "region": "syddanmark",
          "contact_name": "Olga Odense", "contact_email": "olga@odense.example", "motivation": "Many spouses leave."}


def test_the_model_page_explains_the_programme(client, host_city):
    page = client.get("/lyngby-taarbaek/model/")
    assert page.status_code == 200
    for text in ("Week 0", "Week 16", "What the coordinator does", "Recruiting", "Success criteria",
                 "No round of this city has closed yet", "/start?model=lyngby-taarbaek", "/lyngby-taarbaek/model/pdf"):
        assert text in page.text, text
    assert "questions" in page.text  # the survey set with its question counts


def test_the_model_page_in_danish(client, host_city):
    client.post("/lang", data={"lang": "da"})
    page = client.get("/lyngby-taarbaek/model/")
    assert page.status_code == 200 and 'lang="da"' in page.text
    assert "Succeskriterier" in page.text and "Start programmet i din by" in page.text


def test_results_show_no_count_under_five(db, host_city, in_host_city, create_cohort):
    create_cohort(host_city, status="closed")
    model = inspiration.model(db.session)
    assert model.closed_rounds == 1
    assert all(row.share is None for row in model.results)  # nobody answered: no share
    assert inspiration.shown(3) == "<5" and inspiration.shown(0) == "0" and inspiration.shown(5) == "5"


def test_the_phases_follow_the_events(db, in_host_city):
    phases = {phase.code: phase for phase in inspiration.model(db.session).phases}
    assert phases["running"].first_week == 0 and phases["closing"].first_week == 16
    assert phases["follow_up"].first_week == 42
    assert [event.kind for event in phases["closing"].events] == ["closing"]


def test_the_pdf(client, host_city):
    response = client.get("/lyngby-taarbaek/model/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_an_inactive_or_unknown_city_has_no_model_page(client, create_city):
    create_city(slug="esbjerg", status="suspended")
    assert client.get("/esbjerg/model/").status_code == 404
    assert client.get("/nowhere/model/").status_code == 404


def test_starting_with_another_citys_model_copies_that_model(app, client, db, host_city, other_city):
    with tenant_scope(db.session, other_city.id):
        kickoff = db.session.execute(select(ProgrammeEvent).where(ProgrammeEvent.kind == "kickoff")).scalar_one()
        kickoff.name_en = "Aarhus kick-off"
        db.session.flush()
    page = client.get("/start?model=aarhus")
    assert "Aarhus Career Mentoring" in page.text and 'value="aarhus"' in page.text
    app.config["AUTO_APPROVE_CITIES"] = True
    try:
        assert client.post("/start", data=SIGNUP | {"model": "aarhus"}).status_code == 302
    finally:
        app.config["AUTO_APPROVE_CITIES"] = False
    city = db.session.execute(select(Tenant).where(Tenant.slug == "odense")).scalar_one()
    with tenant_scope(db.session, city.id):
        names = db.session.execute(select(ProgrammeEvent.name_en)).scalars().all()
    assert "Aarhus kick-off" in names
    entry = db.session.execute(select(AdoptionContact).where(AdoptionContact.city_id == city.id)).scalar_one()
    assert entry.model_from == "aarhus"


def test_an_unknown_or_inactive_model_falls_back_to_the_host(app, client, db, host_city, create_city):
    create_city(slug="esbjerg", status="suspended")
    for model in ("esbjerg", "<script>", "x" * 300):
        page = client.get("/start", query_string={"model": model})
        assert page.status_code == 200 and "starts with the programme model" not in page.text
    assert client.post("/start", data=SIGNUP | {"model": "esbjerg"}).status_code == 302
    entry = db.session.execute(select(AdoptionContact)).scalar_one()
    assert entry.model_from == ""
