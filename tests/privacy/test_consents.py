"""Consent records: which text and notice version each person agreed to, when and how; re-consent in the portal."""

from datetime import date

import pytest
from sqlalchemy import select

from mentorby.platform.extensions import db as database
from mentorby.platform.tenancy import tenant_scope
from mentorby.tenants.applications import consent, filing
from mentorby.tenants.applications.models import Application, ConsentRecord
from mentorby.tenants.privacy import notice
from mentorby.tenants.transfer import filing as importing
from mentorby.tenants.transfer.checks import ImportRejected
from mentorby.tenants.transfer.schema import ConsentDefault
from tests import factories as F
from tests.privacy.test_notice import VALUES
from tests.transfer.samples import mentee

PORTAL = "/lyngby-taarbaek/portal"


def _records(email: str) -> list[ConsentRecord]:
    return list(database.session.execute(select(ConsentRecord).where(ConsentRecord.email == email)
                                         .order_by(ConsentRecord.id)).scalars())


# --- versions ----------------------------------------------------------------------------------------------------


def test_a_version_names_the_platform_text_and_the_citys_notice():
    assert consent.key(0) == consent.CURRENT and consent.key(3) == f"{consent.CURRENT}/3"
    assert consent.parse(f"{consent.CURRENT}/3") == consent.Version(consent.CURRENT, 3)
    assert consent.parse(consent.CURRENT).notice == 0
    for bad in ("", None, "1999-01", f"{consent.CURRENT}/", f"{consent.CURRENT}/0", f"{consent.CURRENT}/x",
                f"{consent.CURRENT}/-1", f"{consent.CURRENT}/1234567"):
        assert consent.parse(bad) is None and not consent.known(bad), bad
    assert "Lyngby" in consent.consent_text(f"{consent.CURRENT}/3", "da", "Lyngby")


# --- how consents are recorded -----------------------------------------------------------------------------------


def test_an_application_records_its_consent_with_the_channel_of_its_source(db, host_city, create_cohort,
                                                                            in_host_city):
    cohort = create_cohort(host_city)
    application = filing.submit_application(database.session, cohort, "mentee", dict(
        name="Priya Sharma", email="Priya@Example.org", field="it", languages=["en"], job_goal="Data analyst",
        danish_level="beginner", locale="da"), consent_version=consent.key(2))
    (record,) = _records("priya@example.org")
    assert (record.version, record.channel, record.locale, record.application_id) == (
        f"{consent.CURRENT}/2", "form", "da", application.id)
    assert record.agreed_at == application.consent_at and not record.date_only
    with pytest.raises(Exception, match="consent_required"):
        filing.submit_application(database.session, cohort, "mentee", dict(
            name="Ana", email="ana@example.org", field="it", languages=["en"], job_goal="x",
            danish_level="beginner"), consent_version="2026-11/x")


def test_re_applying_from_the_portal_is_a_consent_through_the_portal(db, host_city, create_cohort, in_host_city):
    old, new = create_cohort(host_city, status="closed"), create_cohort(host_city, name="Forår 2028")
    first = F.create_application(old, role="mentor", status="accepted", name="Lars Mentor")
    filing.reapply(database.session, first.participant, new, consent_version=consent.key(1))
    channels = [(r.channel, r.version) for r in _records(first.email)]
    assert channels == [("coordinator", consent.CURRENT), ("portal", f"{consent.CURRENT}/1")]


def test_imported_people_carry_the_day_and_channel_the_city_collected_consent(db, host_city, create_cohort,
                                                                              in_host_city):
    cohort = create_cohort(host_city)
    rows = [mentee(1) | {"consent_date": "2026-08-15", "consent_channel": "email"},
            mentee(2) | {"consent_date": "", "consent_channel": "In person"}]
    importing.import_rows(database.session, cohort, rows, consent_confirmed=True,
                          consent_default=ConsentDefault(date(2026, 9, 1), "paper"), consent_version=consent.key(4))
    first, second = (_records(row["email"].lower())[0] for row in rows)
    assert (first.channel, first.date_only, first.version) == ("email", True, f"{consent.CURRENT}/4")
    imported = database.session.execute(select(Application).where(Application.id == first.application_id)).scalar_one()
    assert first.agreed_at.date() == date(2026, 8, 15) and imported.consent_at == first.agreed_at
    assert second.channel == "in_person" and second.agreed_at.date() == date(2026, 9, 1)  # the form's day


@pytest.mark.parametrize(("cells", "column", "code"), [
    ({"consent_date": "31.02.2026", "consent_channel": "paper"}, "consent_date", "bad_date"),
    ({"consent_date": "2999-01-01", "consent_channel": "paper"}, "consent_date", "consent_date_future"),
    ({"consent_date": "2026-08-15", "consent_channel": "carrier pigeon"}, "consent_channel", "unknown_code"),
    ({"consent_date": "", "consent_channel": "paper"}, "consent_date", "consent_date_missing"),
    ({"consent_date": "2026-08-15", "consent_channel": ""}, "consent_channel", "consent_channel_missing"),
])
def test_bad_consent_cells_are_named_and_nothing_is_imported(db, host_city, create_cohort, in_host_city, cells,
                                                             column, code):
    cohort = create_cohort(host_city)
    with pytest.raises(ImportRejected) as rejected:
        importing.import_rows(database.session, cohort, [mentee(1) | cells], consent_confirmed=True)
    assert [(p.row, p.column, p.code) for p in rejected.value.report.problems] == [(2, column, code)]
    assert database.session.execute(select(ConsentRecord)).first() is None


def test_an_import_that_says_neither_how_nor_when_is_refused(db, host_city, create_cohort, in_host_city):
    cohort = create_cohort(host_city)
    with pytest.raises(ImportRejected) as rejected:
        importing.import_rows(database.session, cohort, [mentee(1)], consent_confirmed=True)
    assert [(p.column, p.code) for p in rejected.value.report.problems] == [
        ("consent_on", "import_consent_date_required"), ("consent_channel", "import_consent_channel_required")]
    with pytest.raises(ImportRejected) as future:
        importing.import_rows(database.session, cohort, [mentee(1)], consent_confirmed=True,
                              consent_default=ConsentDefault(date(2999, 1, 1), "telepathy"))
    assert [(p.column, p.code) for p in future.value.report.problems] == [
        ("consent_on", "consent_date_future"), ("consent_channel", "bad_choice")]


def test_the_import_page_explains_a_bad_consent_cell_in_danish(db, client, login, host_city, create_cohort):
    from tests.transfer.samples import HEADER, csv_bytes

    danish = F.create_user(email="dansk.import@lyngby.example", city=host_city, role="coordinator", locale="da")
    cohort = create_cohort(host_city)
    login(danish)
    import io

    data = csv_bytes([mentee(1) | {"consent_date": "2026-08-15", "consent_channel": "brevdue"}],
                     header=[*HEADER, "consent_date", "consent_channel"])
    response = client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}/import", data={
        "file": (io.BytesIO(data), "people.csv"), "consent": "y", "action": "import"},
        content_type="multipart/form-data", headers={"Accept-Language": "da"})
    assert response.status_code == 422
    assert "“brevdue” er ikke en af koderne: paper, email, phone, in_person." in response.text
    missing = client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}/import", data={
        "file": (io.BytesIO(csv_bytes([mentee(2)])), "people.csv"), "consent": "y", "action": "import"},
        content_type="multipart/form-data", headers={"Accept-Language": "da"})
    assert missing.status_code == 422 and "Angiv den dag, personerne i filen gav samtykke" in missing.text


# --- re-consent in the portal ------------------------------------------------------------------------------------


@pytest.fixture
def amira(host_city, create_cohort):
    cohort = create_cohort(host_city, status="running")
    application = F.create_application(cohort, status="accepted", name="Amira Haddad", email="amira@example.org")
    return application, F.create_user(city=host_city, role="mentee", email="amira@example.org", name="Amira Haddad")


def test_a_new_notice_asks_the_participant_to_agree_before_continuing(db, client, login, host_city, amira):
    application, user = amira
    login(user)
    assert client.get(f"{PORTAL}/").status_code == 200  # agreed to the text in force with the application
    with tenant_scope(database.session, host_city.id):
        notice.publish(database.session, VALUES)
    gate = client.get(f"{PORTAL}/", headers={"Accept-Language": "en"})
    assert gate.status_code == 302 and "/portal/privacy/consent" in gate.headers["Location"]
    assert client.get(f"{PORTAL}/sessions/{application.id}").status_code == 302
    page = client.get(gate.headers["Location"], headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "has published a new version of its privacy notice" in page.text
    assert 'href="/lyngby-taarbaek/privacy/0"' in page.text  # the version agreed to before
    refused = client.post(f"{PORTAL}/privacy/consent", data={"version": consent.key(1), "next": f"{PORTAL}/"},
                          headers={"Accept-Language": "en"})
    assert refused.status_code == 422 and "Tick the box to agree" in refused.text
    stale = client.post(f"{PORTAL}/privacy/consent", data={"agree": "y", "version": consent.CURRENT})
    assert stale.status_code == 422
    agreed = client.post(f"{PORTAL}/privacy/consent", data={"agree": "y", "version": consent.key(1),
                                                            "next": f"{PORTAL}/"})
    assert agreed.status_code == 302 and agreed.headers["Location"].endswith("/portal/")
    with tenant_scope(database.session, host_city.id):
        newest = _records("amira@example.org")[-1]
    assert (newest.version, newest.channel, newest.application_id) == (consent.key(1), "portal", None)
    assert client.get(f"{PORTAL}/").status_code == 200
    listed = client.get(f"{PORTAL}/privacy", headers={"Accept-Language": "en"})
    assert listed.status_code == 200 and "Privacy notice, version 1" in listed.text
    assert "Through the portal" in listed.text and "Through a coordinator" in listed.text
    assert 'href="/lyngby-taarbaek/portal/my-data"' in listed.text


def test_the_access_export_and_the_coordinators_page_show_every_consent(db, client, login, host_city, coordinator,
                                                                        amira):
    application, user = amira
    with tenant_scope(database.session, host_city.id):
        notice.publish(database.session, VALUES)
        consent.record(database.session, "amira@example.org", consent.key(1), "portal", locale="da")
    login(user)
    data = client.get(f"{PORTAL}/my-data.json").get_json()
    assert [(c["version"], c["channel"], c["notice_version"]) for c in data["consents"]] == [
        (consent.key(1), "portal", 1), (consent.CURRENT, "coordinator", 0)]
    client.post("/logout")
    login(coordinator)
    page = client.get(f"/lyngby-taarbaek/coordinator/cohorts/{application.cohort_id}/applications/{application.id}",
                      headers={"Accept-Language": "en"})
    assert "Consents (2)" in page.text and "Privacy notice, version 1" in page.text
