import pytest
from sqlalchemy import select

from mentorby.platform.accounts.models import ApiToken
from mentorby.platform.accounts.services import create_api_token
from mentorby.platform.tenancy import tenant_scope
from tests.factories import create_partner


def _token(db, user, city):
    with tenant_scope(db.session, city.id):
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


def test_me_with_a_token(client, db, coordinator, host_city):
    me = client.get("/api/v1/me", headers=_token(db, coordinator, host_city))
    assert me.status_code == 200
    assert me.get_json()["city"]["slug"] == "lyngby-taarbaek" and me.get_json()["roles"] == ["coordinator"]


def test_token_is_hashed_scoped_and_revocable(client, db, coordinator, host_city, other_city):
    headers = _token(db, coordinator, host_city)
    with tenant_scope(db.session, host_city.id):
        stored = db.session.execute(select(ApiToken)).scalar_one()
    assert headers["Authorization"].split()[1] not in (stored.token_hash, stored.prefix)
    create_partner(host_city, name="DTU")
    own = client.get("/api/v1/cities/lyngby-taarbaek/audit", headers=headers)
    assert own.status_code == 200
    foreign = client.get("/api/v1/cities/aarhus/audit", headers=headers)
    assert foreign.status_code == 404 and "DTU" not in foreign.text
    with tenant_scope(db.session, host_city.id):
        stored.revoked_at = stored.created_at
        db.session.flush()
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_api_refuses_missing_bad_tokens_and_bad_queries(client, db, coordinator, host_city):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer mby_nope"}).status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Basic abc"}).status_code == 401
    headers = _token(db, coordinator, host_city)
    bad = client.get("/api/v1/cities/lyngby-taarbaek/audit?entity=" + "x" * 61, headers=headers)
    assert bad.status_code == 422 and bad.get_json()["errors"]
    assert client.get("/api/v1/cities/lyngby-taarbaek/audit?entity=%00", headers=headers).status_code == 422
    assert client.get("/api/v1/cities?page=0").status_code == 422


def test_participant_token_cannot_read_the_audit_log(client, db, host_city, create_user):
    mentor = create_user(city=host_city, role="mentor")
    headers = _token(db, mentor, host_city)
    assert client.get("/api/v1/cities/lyngby-taarbaek/audit", headers=headers).status_code == 403


@pytest.mark.parametrize("value", ["99999999999999999999", "1000001", "-1", "²", "1e3", ""])
def test_page_numbers_a_database_cannot_take_are_refused_with_a_message(client, db, coordinator, host_city,
                                                                        create_cohort, value):
    cohort = create_cohort(host_city)
    headers = _token(db, coordinator, host_city)
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
