import pytest
from sqlalchemy import select

from mentorby.tenants.programme.models import ProgrammeEvent, SuccessCriterion


def _kickoff(db):
    """The kick-off of the test's city's programme model, as stored."""
    db.session.expire_all()
    return db.session.execute(select(ProgrammeEvent).where(ProgrammeEvent.kind == "kickoff")).scalar_one()


def _form(event, **changes):
    data = {
        f: getattr(event, f)
        for f in (
            "name_da",
            "name_en",
            "description_da",
            "description_en",
            "audience",
            "week_offset",
            "duration_minutes",
        )
    }
    return {f"event-{event.id}-{key}": value for key, value in {**data, **changes}.items()}


def test_edit_an_event_inline(client, db, login, coordinator, in_host_city):
    login(coordinator)
    event = _kickoff(db)
    form = client.get(f"/lyngby-taarbaek/coordinator/programme/events/{event.id}", headers={"HX-Request": "true"})
    assert "<form" in form.text and "<html" not in form.text
    saved = client.post(
        f"/lyngby-taarbaek/coordinator/programme/events/{event.id}",
        data=_form(event, name_en="Kick-off with speed networking", week_offset=3),
        headers={"HX-Request": "true"},
    )
    assert saved.status_code == 200 and "Kick-off with speed networking" in saved.text and "<form" not in saved.text
    assert saved.headers["Vary"].count("HX-Request") == 1
    assert _kickoff(db).week_offset == 3


def test_history_restore_gets_the_full_page(client, login, coordinator):
    login(coordinator)
    page = client.get(
        "/lyngby-taarbaek/coordinator/partners/", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert "<html" in page.text


def test_bad_event_input_changes_nothing(client, db, login, coordinator, in_host_city):
    login(coordinator)
    event = _kickoff(db)
    for changes in (
        {"week_offset": -1},
        {"week_offset": "soon"},
        {"duration_minutes": 5000},
        {"name_en": ""},
        {"audience": "everyone"},
        {"name_da": "x" * 121},
    ):
        response = client.post(
            f"/lyngby-taarbaek/coordinator/programme/events/{event.id}", data=_form(event, **changes)
        )
        assert response.status_code == 422, changes
    assert _kickoff(db).name_en == "Kick-off" and _kickoff(db).week_offset == 2


def test_edit_a_success_criterion(client, db, login, coordinator, in_host_city):
    login(coordinator)
    criterion = db.session.execute(
        select(SuccessCriterion).where(SuccessCriterion.code == "mentee_employed_6m")
    ).scalar_one()
    url = f"/lyngby-taarbaek/coordinator/programme/criteria/{criterion.id}"
    assert (
        client.post(url, data={"threshold_percent": "150", "statement_da": "x", "statement_en": "y"}).status_code == 422
    )
    assert (
        client.post(
            url, data={"threshold_percent": "40", "statement_da": "Mindst 40%", "statement_en": "At least 40%"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert float(db.session.get(SuccessCriterion, criterion.id).threshold) == 0.4


def test_participants_cannot_edit_the_programme(client, db, login, in_host_city, create_user):
    mentor = create_user(city=in_host_city, role="mentor")
    login(mentor)
    event = _kickoff(db)
    assert client.get("/lyngby-taarbaek/coordinator/programme/").status_code == 403
    assert (
        client.post(f"/lyngby-taarbaek/coordinator/programme/events/{event.id}", data=_form(event)).status_code == 403
    )


def test_non_finite_threshold_is_refused(client, db, login, coordinator, in_host_city):
    login(coordinator)
    criterion = db.session.execute(select(SuccessCriterion)).scalars().first()
    url = f"/lyngby-taarbaek/coordinator/programme/criteria/{criterion.id}"
    for value in ("sNaN", "NaN", "Infinity"):
        response = client.post(url, data={"threshold_percent": value, "statement_da": "x", "statement_en": "y"})
        assert response.status_code == 422, value


def test_public_details_replace_the_coordinators_own_address(client, db, login, coordinator, host_city):
    host_city.contact_email = "mette.personal@lyngby.example"
    db.session.flush()
    front = client.get("/lyngby-taarbaek/")
    assert "mette.personal@lyngby.example" not in front.text  # a person's own address is never public
    login(coordinator)
    assert "no contact address yet" in client.get("/lyngby-taarbaek/coordinator/programme/").text
    response = client.post("/lyngby-taarbaek/coordinator/programme/details",
                           data={"public_email": " Mentoring@Lyngby.example ", "public_phone": "+45 45 97 35 00",
                                 "intro_da": "Velkommen", "intro_en": "Welcome"})
    assert response.status_code == 302
    front = client.get("/lyngby-taarbaek/")
    assert "mentoring@lyngby.example" in front.text and "+45 45 97 35 00" in front.text
    assert "mette.personal@lyngby.example" not in front.text


@pytest.mark.parametrize(("data", "text"), [
    ({"public_email": "not an address"}, "Invalid email address"),
    ({"public_email": "a@b.example", "public_phone": "call me"}, "phone number"),
    ({"public_email": "a@b.example", "intro_en": "x" * 4001}, "4000"),
    ({"public_email": "a@b.example", "region": "bornholm"}, "Choose one of the options in the list"),
])
def test_bad_public_details_change_nothing(client, db, login, coordinator, host_city, data, text):
    login(coordinator)
    response = client.post("/lyngby-taarbaek/coordinator/programme/details", data=data)
    assert response.status_code == 422 and text in response.text
    db.session.expire_all()
    assert host_city.public_email == "" and host_city.intro_en == "" and host_city.region == "hovedstaden"


def test_a_city_says_its_region_on_its_public_details(client, db, login, coordinator, host_city):
    login(coordinator)
    response = client.post("/lyngby-taarbaek/coordinator/programme/details",
                           data={"public_email": "a@b.example", "region": "sjaelland"})
    assert response.status_code == 302
    db.session.expire_all()
    assert host_city.region == "sjaelland"
    form = client.get("/lyngby-taarbaek/coordinator/programme/details").text
    assert '<option selected value="sjaelland">' in form or 'value="sjaelland" selected' in form


def test_every_wrong_field_of_an_event_is_said_at_once(client, db, login, coordinator, in_host_city):
    login(coordinator)
    event = _kickoff(db)
    response = client.post(f"/lyngby-taarbaek/coordinator/programme/events/{event.id}",
                           data=_form(event, name_en="", week_offset=105, duration_minutes=10, name_da="x" * 121))
    assert response.status_code == 422
    assert response.text.count('aria-invalid="true"') == 4
    for message in ("This field is required.", "Number must be between 0 and 104.",
                    "Number must be between 15 and 720.", "Use at most 120 characters."):
        assert message in response.text, message
    assert _kickoff(db).name_en == "Kick-off"


def test_the_service_checks_an_event_with_the_schema(db, in_host_city):
    from mentorby.tenants.programme import services

    event = _kickoff(db)
    with pytest.raises(services.ProgrammeError) as caught:
        services.update_event(db.session, event, {"name_da": "Kick-off", "name_en": "Kick-off", "audience": "everyone",
                                                  "week_offset": 2, "duration_minutes": 180})
    assert (caught.value.field, caught.value.code) == ("audience", "bad_choice")
    services.update_event(db.session, event, {"name_da": " Opstart ", "name_en": "Kick-off", "audience": "mentors",
                                              "week_offset": 3, "duration_minutes": 180})
    assert (_kickoff(db).name_da, _kickoff(db).audience, _kickoff(db).week_offset) == ("Opstart", "mentors", 3)


def test_a_threshold_out_of_range_is_refused_with_a_message(client, db, login, coordinator, in_host_city):
    login(coordinator)
    criterion = db.session.execute(select(SuccessCriterion)).scalars().first()
    before = criterion.threshold
    response = client.post(f"/lyngby-taarbaek/coordinator/programme/criteria/{criterion.id}",
                           data={"threshold_percent": "0", "statement_da": "", "statement_en": "y"})
    assert response.status_code == 422
    assert "Enter a number between 1 and 100." in response.text and "This field is required." in response.text
    db.session.expire_all()
    assert db.session.get(SuccessCriterion, criterion.id).threshold == before


def test_the_model_reads_in_danish(client, login, coordinator, in_host_city):
    login(coordinator)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "da"
    page = client.get("/lyngby-taarbaek/coordinator/programme/").text
    for words in ("Mentorer og mentees", "afsluttende evaluering", "opfølgning efter 6 måneder", "Virksomheder"):
        assert words in page, words
