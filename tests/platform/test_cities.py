import re

import pytest
from sqlalchemy import func, select

from mentorby.platform.cities.models import ACTIVE, PENDING, SUSPENDED, Tenant
from mentorby.tenants.programme.models import ProgrammeEvent, SuccessCriterion
from tests.factories import PASSWORD
from tests.platform.helpers import last_mail, link_in

SIGNUP = {
    "name": "Odense Career Mentoring", "slug": "odense", "municipality": "Odense Kommune", "region": "syddanmark",
    "contact_name": "Olga Odense", "contact_email": "olga@odense.example", "motivation": "Many spouses leave.",
}


def _cities(db):
    return db.session.execute(select(func.count()).select_from(Tenant)).scalar()


def test_signup_waits_for_approval(client, db):
    response = client.post("/start", data=SIGNUP)
    assert response.status_code == 302
    city = db.session.execute(select(Tenant).where(Tenant.slug == "odense")).scalar_one()
    assert city.status == PENDING
    assert client.get("/odense/").status_code == 404


@pytest.mark.parametrize(
    ("changes", "field_message"),
    [
        ({"slug": "lyngby-taarbaek"}, "Another city already uses this address"),
        ({"slug": "platform"}, "used by the platform itself"),
        ({"slug": "Bad Slug!"}, "lower-case letters"),
        ({"contact_email": "not-an-email"}, "Invalid email"),
        ({"name": "x" * 121}, "120"),
        ({"name": ""}, "This field is required"),
        ({"motivation": "m" * 2001}, "2000"),
        ({"region": ""}, "Choose one of the options in the list"),
        ({"region": "bornholm"}, "Choose one of the options in the list"),
    ],
)
def test_bad_signups_change_nothing(client, db, host_city, changes, field_message):
    before = _cities(db)
    response = client.post("/start", data={**SIGNUP, **changes})
    assert response.status_code == 422
    assert field_message in response.text
    assert _cities(db) == before


def test_admin_approves_and_the_city_gets_the_host_model_and_an_invitation(client, db, login, admin, as_city,
                                                                           host_city):
    as_city(host_city)
    kickoff = db.session.execute(select(ProgrammeEvent).where(ProgrammeEvent.kind == "kickoff")).scalar_one()
    kickoff.name_en = "Kick-off and speed networking"
    db.session.flush()
    client.post("/start", data=SIGNUP)
    city = db.session.execute(select(Tenant).where(Tenant.slug == "odense")).scalar_one()
    login(admin)
    response = client.post(f"/platform/cities/{city.id}/approve", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response.headers["Vary"]
    assert "<html" not in response.text and f'id="city-{city.id}"' in response.text
    db.session.expire_all()
    assert db.session.get(Tenant, city.id).status == ACTIVE
    as_city(city)
    names = db.session.execute(select(ProgrammeEvent.name_en).order_by(ProgrammeEvent.step)).scalars().all()
    assert db.session.execute(select(func.count()).select_from(SuccessCriterion)).scalar() == 8
    assert len(names) == 6 and "Kick-off and speed networking" in names
    link = link_in(last_mail(db, "olga@odense.example"))
    accept = client.__class__(client.application, client.response_wrapper)
    accept.post(link, data={"name": "Olga", "password": "odense passphrase 1", "confirm": "odense passphrase 1"})
    assert accept.get("/odense/coordinator/").status_code == 200


def test_auto_approval(app, client, db, host_city):
    app.config["AUTO_APPROVE_CITIES"] = True
    try:
        client.post("/start", data=SIGNUP)
    finally:
        app.config["AUTO_APPROVE_CITIES"] = False
    assert client.get("/odense/").status_code == 200
    assert last_mail(db, "olga@odense.example").kind == "invitation"


def test_only_admins_decide(client, db, login, coordinator, other_city):
    login(coordinator)
    assert client.get("/platform/cities").status_code == 403
    assert client.post(f"/platform/cities/{other_city.id}/suspend").status_code == 403
    db.session.expire_all()
    assert db.session.get(Tenant, other_city.id).status == ACTIVE


def test_suspended_city_has_no_pages_and_bad_transitions_are_refused(client, db, login, admin, other_city):
    login(admin)
    assert client.post(f"/platform/cities/{other_city.id}/suspend").status_code == 302
    assert client.get("/aarhus/").status_code == 404
    refused = client.post(f"/platform/cities/{other_city.id}/approve", headers={"HX-Request": "true"})
    assert refused.status_code == 409
    db.session.expire_all()
    assert db.session.get(Tenant, other_city.id).status == SUSPENDED
    assert client.post(f"/platform/cities/{other_city.id}/explode").status_code == 404
    assert client.post("/platform/cities/999999/approve").status_code == 404


def test_city_front_page_is_public_and_in_the_citys_words(client, host_city):
    page = client.get("/lyngby-taarbaek/")
    assert page.status_code == 200
    assert "Kick-off" in page.text and "Partners" in page.text or "Partnere" in page.text


def test_password_is_never_in_the_form_page(client, coordinator):
    page = client.post("/login", data={"email": coordinator.email, "password": "wrong but long enough"})
    assert PASSWORD not in page.text


def _tab_counts(html: str) -> dict[str, int]:
    import re

    tabs = re.search(r'<nav class="tabs" id="city-tabs"[^>]*>(.*?)</nav>', html, re.S)
    assert tabs, "no status tabs"
    return {label.strip(): int(number) for label, number in re.findall(r">([^<>]+?) \((\d+)\)</a>", tabs.group(1))}


def test_an_inline_decision_updates_the_status_counts_out_of_band(client, db, login, admin, host_city):
    client.post("/start", data=SIGNUP)
    client.post("/start", data={**SIGNUP, "slug": "vejle", "name": "Vejle Career Mentoring",
                                "contact_email": "v@vejle.example"})
    odense = db.session.execute(select(Tenant).where(Tenant.slug == "odense")).scalar_one()
    login(admin)
    before = _tab_counts(client.get("/platform/cities").text)
    assert before["waiting for approval"] == 2
    response = client.post(f"/platform/cities/{odense.id}/approve?status=pending", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "<html" not in response.text
    assert f'id="city-{odense.id}"' in response.text
    assert 'id="city-tabs" aria-label="Status" hx-swap-oob="true"' in response.text
    after = _tab_counts(response.text)
    assert after["waiting for approval"] == 1 and after["active"] == before["active"] + 1
    assert 'href="/platform/cities?status=pending" aria-current="page"' in response.text
    # Suspending and a refused decision answer with the counts too.
    response = client.post(f"/platform/cities/{odense.id}/suspend?status=active", headers={"HX-Request": "true"})
    counts = _tab_counts(response.text)
    assert counts["suspended"] == before["suspended"] + 1 and counts["active"] == before["active"]
    refused = client.post(f"/platform/cities/{odense.id}/approve?status=nonsense", headers={"HX-Request": "true"})
    assert refused.status_code == 409 and _tab_counts(refused.text) == counts
    # Without JavaScript the form posts and the page comes back whole with fresh counts.
    vejle = db.session.execute(select(Tenant).where(Tenant.slug == "vejle")).scalar_one()
    assert client.post(f"/platform/cities/{vejle.id}/reject").status_code == 302
    assert _tab_counts(client.get("/platform/cities").text)["waiting for approval"] == 0


def test_a_bad_address_is_reported_with_every_other_field_on_the_first_submit(client, db, host_city):
    before = _cities(db)
    for slug, words in (("platform", "used by the platform itself"), ("Bad Slug!", "lower-case letters"),
                        ("lyngby-taarbaek", "Another city already uses this address")):
        response = client.post("/start", data={**SIGNUP, "slug": slug, "name": "", "contact_email": "not-an-email",
                                               "motivation": "m" * 2001})
        assert response.status_code == 422
        for message in (words, "This field is required", "Invalid email", "2000"):
            assert message in response.text, (slug, message)
        assert response.text.count('aria-invalid="true"') == 4
    assert _cities(db) == before


def test_the_sign_up_form_takes_its_limits_from_the_city_schema(client):
    page = client.get("/start").text
    for name, longest in (("slug", 40), ("name", 120), ("contact_email", 254), ("motivation", 2000)):
        tag = re.search(rf'<(?:input|textarea)[^>]*id="{name}"[^>]*>', page).group(0)
        assert f'maxlength="{longest}"' in tag, name


def test_the_admin_sees_statuses_in_danish(client, db, login, admin, host_city):
    client.post("/start", data=SIGNUP)
    login(admin)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "da"
    tabs = _tab_counts(client.get("/platform/cities").text)
    assert tabs["afventer godkendelse"] == 1 and tabs["aktiv"] >= 1
