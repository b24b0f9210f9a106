"""The city's privacy notice: its draft, its published versions, its retention periods, and its pages."""

import pytest
from sqlalchemy import func, select

from mentorby.platform.extensions import db as database
from mentorby.tenants.privacy import notice
from mentorby.tenants.privacy.models import NoticeVersion, PrivacyNotice
from tests.factories import create_user

EDIT = "/lyngby-taarbaek/coordinator/privacy/notice"
PUBLIC = "/lyngby-taarbaek/privacy/"
VALUES = {"controller_name": "Lyngby-Taarbæk Kommune", "controller_address": "Lyngby Torv 17, 2800 Kongens Lyngby",
          "contact_email": "databeskyttelse@ltk.example", "dpo_contact": "DPO, dpo@ltk.example, 45 97 30 00",
          "extra_da": "Vi gemmer aldrig CPR-numre.", "extra_en": "We never keep CPR numbers.",
          "never_accepted_days": 90, "cv_days": 200, "after_followup_days": 400}


def _count(model) -> int:
    return database.session.execute(select(func.count()).select_from(model)).scalar_one()


# --- the service -------------------------------------------------------------------------------------------------


def test_a_city_that_never_published_keeps_the_default_periods(db, in_host_city):
    assert notice.retention_periods(database.session) == notice.RetentionPeriods(180, 365, 365)
    assert notice.version_number(database.session) == 0 and notice.current(database.session) is None


def test_a_saved_draft_changes_nothing_until_published(db, in_host_city):
    notice.save(database.session, VALUES)
    assert notice.retention_periods(database.session) == notice.DEFAULTS
    assert notice.unpublished_changes(database.session)
    published = notice.publish(database.session, VALUES, by_user_id=None)
    assert published.version == 1 and notice.version_number(database.session) == 1
    assert notice.retention_periods(database.session) == notice.RetentionPeriods(90, 200, 400)
    assert not notice.unpublished_changes(database.session)


def test_each_publication_is_kept_as_a_new_version(db, in_host_city):
    notice.publish(database.session, VALUES)
    notice.publish(database.session, VALUES | {"cv_days": 100})
    assert [v.version for v in notice.versions(database.session)] == [2, 1]
    assert notice.version(database.session, 1).cv_days == 200  # as it was published
    assert notice.retention_periods(database.session).cv_days == 100


def test_publishing_nothing_new_is_refused(db, in_host_city):
    notice.publish(database.session, VALUES)
    with pytest.raises(notice.NoticeError) as refused:
        notice.publish(database.session, VALUES)
    assert refused.value.code == "notice_unchanged" and refused.value.params == {"version": 1}


@pytest.mark.parametrize(("field", "value", "code"), [
    ("never_accepted_days", 29, "bad_retention_days"), ("cv_days", 3651, "bad_retention_days"),
    ("after_followup_days", "a year", "bad_retention_days"), ("contact_email", "not an address", "bad_email"),
    ("controller_name", "", "required"), ("dpo_contact", "x" * 301, "text_too_long"),
    ("extra_en", "x" * 2001, "text_too_long"),
])
def test_bad_values_are_refused_every_field_at_once_and_nothing_is_saved(db, in_host_city, field, value, code):
    with pytest.raises(notice.NoticeError) as refused:
        notice.publish(database.session, VALUES | {field: value, "cv_days": 10})
    found = {(problem.field, problem.code) for problem in refused.value.problems}
    assert (field, code) in found and ("cv_days", "bad_retention_days") in found
    assert _count(PrivacyNotice) == 0 and _count(NoticeVersion) == 0


# --- the coordinator's page --------------------------------------------------------------------------------------


def test_the_coordinator_publishes_a_notice_and_the_public_reads_it(db, client, login, coordinator, host_city):
    login(coordinator)
    page = client.get(EDIT, headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Nothing published yet" in page.text
    assert host_city.municipality in page.text  # the controller the form starts from
    saved = client.post(EDIT, data=VALUES | {"action": "save"}, headers={"Accept-Language": "en"})
    assert saved.status_code == 302
    assert "changes that are not published" in client.get(EDIT, headers={"Accept-Language": "en"}).text
    published = client.post(EDIT, data=VALUES | {"action": "publish"}, follow_redirects=True,
                            headers={"Accept-Language": "en"})
    assert "Version 1 of the privacy notice is published" in published.text
    public = client.get(PUBLIC, headers={"Accept-Language": "en"})
    assert public.status_code == 200
    for text in ("Version 1, published", "Lyngby Torv 17", "databeskyttelse@ltk.example", "DPO, dpo@ltk.example",
                 "We never keep CPR numbers.", "90 days after the round ended", "200 days", "400 days",
                 "Datatilsynet", "Applications", "CVs"):
        assert text in public.text, text
    danish = client.get(PUBLIC, headers={"Accept-Language": "da"})
    assert "Privatlivspolitik" in danish.text and "Vi gemmer aldrig CPR-numre." in danish.text
    assert "Dine rettigheder" in danish.text


def test_bad_input_on_the_page_is_shown_in_danish_and_saves_nothing(db, client, login, host_city):
    danish = create_user(email="dansk.koordinator@lyngby.example", city=host_city, role="coordinator", locale="da")
    login(danish)
    response = client.post(EDIT, data=VALUES | {"cv_days": "7", "contact_email": "nej", "action": "publish"},
                           headers={"Accept-Language": "da"})
    assert response.status_code == 422
    assert "Skriv et helt antal dage fra 30 til 3650." in response.text
    with database.session.no_autoflush:
        assert _count(NoticeVersion) == 0


def test_the_record_shows_the_citys_periods_instead_of_until_erased(db, client, login, coordinator, as_city,
                                                                    host_city):
    as_city(host_city)
    notice.publish(database.session, VALUES)
    login(coordinator)
    record = client.get("/lyngby-taarbaek/coordinator/privacy/records", headers={"Accept-Language": "en"}).text
    assert "deleted 90 days after their round ended" in record and "CVs: deleted 200 days" in record
    assert "deleted 400 days after their round&#39;s follow-up" in record
    assert "/coordinator/privacy/notice" in record


def test_old_versions_stay_readable_and_unknown_ones_are_missing(db, client, in_host_city):
    notice.publish(database.session, VALUES)
    notice.publish(database.session, VALUES | {"extra_en": "Second words."})
    first = client.get(f"{PUBLIC}1", headers={"Accept-Language": "en"})
    assert first.status_code == 200 and "This is an earlier version." in first.text
    assert "Second words." not in first.text
    assert "Second words." in client.get(PUBLIC, headers={"Accept-Language": "en"}).text
    assert client.get(f"{PUBLIC}0").status_code == 200  # the platform's template, as it stood before
    assert client.get(f"{PUBLIC}9").status_code == 404


def test_the_notice_is_linked_from_the_footer_and_the_apply_form(db, client, create_cohort, host_city):
    cohort = create_cohort(host_city)
    form = client.get(f"/lyngby-taarbaek/apply/{cohort.id}/mentee")
    assert form.status_code == 200 and form.text.count('href="/lyngby-taarbaek/privacy/"') == 2
