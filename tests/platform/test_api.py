import pytest
from sqlalchemy import select

from mentorby.platform.accounts.models import ApiToken
from mentorby.platform.accounts.services import create_api_token
from tests.factories import create_partner


def _token(db, user):
    """A bearer header with a new token of `user` in the test's city."""
    secret = create_api_token(db.session, user, "export").secret
    return {"Authorization": f"Bearer {secret}"}


def test_openapi_document_and_docs(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["info"]["title"] == "Mentorby API"
    assert {"/api/v1/cities", "/api/v1/me", "/api/v1/cities/{city}/audit"} <= set(spec["paths"])
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.text


def test_public_city_list_is_paginated(client, host_city, other_city):
    response = client.get("/api/v1/cities?page_size=1")
    assert response.status_code == 200
    assert len(response.get_json()) == 1
    assert '"total": 2' in response.headers["X-Pagination"]
    assert client.get("/api/v1/cities/lyngby-taarbaek").get_json()["events"][0]["step"] == 1
    assert client.get("/api/v1/cities/nowhere").status_code == 404


def test_me_with_a_token(client, db, coordinator, in_host_city):
    me = client.get("/api/v1/me", headers=_token(db, coordinator))
    assert me.status_code == 200
    assert me.get_json()["city"]["slug"] == "lyngby-taarbaek" and me.get_json()["roles"] == ["coordinator"]


def test_token_is_hashed_scoped_and_revocable(client, db, coordinator, in_host_city, other_city):
    headers = _token(db, coordinator)
    stored = db.session.execute(select(ApiToken)).scalar_one()
    assert headers["Authorization"].split()[1] not in (stored.token_hash, stored.prefix)
    create_partner(in_host_city, name="DTU")
    own = client.get("/api/v1/cities/lyngby-taarbaek/audit", headers=headers)
    assert own.status_code == 200
    foreign = client.get("/api/v1/cities/aarhus/audit", headers=headers)
    assert foreign.status_code == 404 and "DTU" not in foreign.text
    stored.revoked_at = stored.created_at
    db.session.flush()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_api_refuses_missing_bad_tokens_and_bad_queries(client, db, coordinator, in_host_city):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer mby_nope"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    headers = _token(db, coordinator)
    bad = client.get("/api/v1/cities/lyngby-taarbaek/audit?entity=" + "x" * 61, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["errors"]
    assert client.get("/api/v1/cities/lyngby-taarbaek/audit?entity=%00", headers=headers).status_code == 422
    assert client.get("/api/v1/cities?page=0").status_code == 422


def test_participant_token_cannot_read_the_audit_log(client, db, in_host_city, create_user):
    mentor = create_user(city=in_host_city, role="mentor")
    headers = _token(db, mentor)
    assert client.get("/api/v1/cities/lyngby-taarbaek/audit", headers=headers).status_code == 403


@pytest.mark.parametrize("value", ["99999999999999999999", "1000001", "-1", "²", "1e3", ""])
def test_page_numbers_a_database_cannot_take_are_refused_with_a_message(client, db, coordinator, in_host_city,
                                                                        create_cohort, value):
    cohort = create_cohort(in_host_city)
    headers = _token(db, coordinator)
    for url in ("/api/v1/cities", "/api/v1/cities/lyngby-taarbaek/audit", "/api/v1/cities/lyngby-taarbaek/cohorts",
                f"/api/v1/cities/lyngby-taarbaek/cohorts/{cohort.id}/applications",
                f"/api/v1/cities/lyngby-taarbaek/cohorts/{cohort.id}/matches"):
        for name in ("page", "page_size"):
            response = client.get(f"{url}?{name}={value}", headers=headers)
            assert response.status_code == 422, (url, name, response.status_code)
            assert name in response.get_json()["errors"]["query"]
    assert client.get("/api/v1/cities?page=1000000").status_code == 200  # the last page allowed: empty


def test_html_pagers_take_any_page_number(client, login, coordinator, host_city):
    login(coordinator)
    for url in ("/lyngby-taarbaek/coordinator/partners/", "/lyngby-taarbaek/coordinator/audit",
                "/lyngby-taarbaek/coordinator/cohorts/", "/lyngby-taarbaek/coordinator/pool/"):
        assert client.get(f"{url}?page=99999999999999999999").status_code == 200


def test_the_api_dumps_cities_and_events_with_their_areas_schemas(client, host_city):
    spec = client.get("/api/v1/openapi.json").get_json()
    schemas = spec["components"]["schemas"]
    assert set(schemas["City"]["properties"]) == {"slug", "name", "municipality", "region", "is_host"}
    assert schemas["ProgrammeEvent"]["properties"]["audience"]["enum"] == ["mentees", "mentors", "both"]
    city = client.get("/api/v1/cities/lyngby-taarbaek").get_json()
    assert city["slug"] == "lyngby-taarbaek" and "contact_email" not in city
    kickoff = next(event for event in city["events"] if event["kind"] == "kickoff")
    assert kickoff["audience"] == "both" and kickoff["week_offset"] == 2 and kickoff["description_en"]


def test_rounds_are_listed_by_status_and_one_has_its_counts(client, db, coordinator, in_host_city, create_cohort,
                                                            create_application):
    recruiting = create_cohort(in_host_city, name="Forår 2027", status="recruiting")
    create_cohort(in_host_city, name="Vinter 2026", status="running")
    create_application(recruiting, status="accepted")
    headers = _token(db, coordinator)
    listed = client.get("/api/v1/cities/lyngby-taarbaek/cohorts?status=recruiting", headers=headers).get_json()
    assert [cohort["name"] for cohort in listed] == ["Forår 2027"]
    detail = client.get(f"/api/v1/cities/lyngby-taarbaek/cohorts/{recruiting.id}", headers=headers).get_json()
    assert detail["status"] == "recruiting" and detail["applications"]["mentee"] == {"accepted": 1}
    assert client.get("/api/v1/cities/lyngby-taarbaek/cohorts/999999", headers=headers).status_code == 404
