"""The record of processing: every text column declared, the record's shape, and the coordinator's page."""

from sqlalchemy import Column, Integer, MetaData, String, Table, Text

from mentorby.platform.extensions import db as _db
from mentorby.platform.privacy import records
from mentorby.platform.privacy.records import CONTACT, CV, IDENTITY, Category, Personal, Purpose, Retention
from mentorby.tenants.applications.filing import CONFIRM_WITHIN
from mentorby.tenants.evaluation import reports
from mentorby.tenants.transfer import jobs
from tests.factories import create_user

URL = "/lyngby-taarbaek/coordinator/privacy/records"


def _entries(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        return {entry.table: entry for entry in records.record(_db.Model.registry)}


# --- the declarations cannot drift from the schema ------------------------------------------------------------------


def test_every_text_column_of_every_table_says_whether_it_holds_personal_data(app):
    problems = records.undeclared(records.mapped_tables(_db.Model.registry))
    assert not problems, (
        "Declare these columns in their model's __personal__ (platform/privacy/records.py) or in its "
        "__not_personal__: " + ", ".join(problems))


def test_a_new_column_without_a_declaration_fails_and_is_named():
    class Declared:
        __personal__ = Personal("Things", Purpose.PROGRAMME, records.Basis.CONSENT, (), (), {"name": IDENTITY})
        __not_personal__ = ("kind",)

    table = Table("thing", MetaData(), Column("id", Integer, primary_key=True), Column("name", String(50)),
                  Column("kind", String(10)), Column("hobby", Text), Column("count", Integer))
    assert records.undeclared([(Declared, table)]) == ["thing.hobby"]

    class Wrong:
        __personal__ = Personal("Things", Purpose.PROGRAMME, records.Basis.CONSENT, (), (),
                                {"name": IDENTITY, "gone": CONTACT, "kind": CONTACT})
        __not_personal__ = ("kind", "hobby")

    assert records.undeclared([(Wrong, table)]) == [
        "thing.gone (declared, but no such column)", "thing.kind (declared both personal and not personal)"]


def test_every_declared_column_has_a_readable_name():
    for cls, table in records.mapped_tables(_db.Model.registry):
        declared = getattr(cls, "__personal__", None)
        for column in declared.fields if declared else ():
            assert column in records.FIELD_LABELS, f"{table.name}.{column} needs a label in records.FIELD_LABELS"
            assert isinstance(declared.fields[column], Category), f"{table.name}.{column}"


def test_the_retention_shown_is_the_one_the_purges_apply(app):
    entries = _entries(app)
    assert f"after {CONFIRM_WITHIN.days} days if the application is not confirmed" in entries["application"].retention
    assert f"after {CONFIRM_WITHIN.days} days" in entries["cv_document"].retention
    assert entries["evaluation_report"].retention == f"Deleted {reports.KEEP_FOR.days} days after it was made"
    assert entries["import_job"].retention == f"Deleted {jobs.KEEP_FOR.days} days after it last changed"
    assert entries["session_log"].retention == "Until erased"


# --- the record's shape ---------------------------------------------------------------------------------------------


def test_the_record_lists_each_table_with_personal_data_and_only_the_citys(app):
    entries = _entries(app)
    application = entries["application"]
    assert application.title == "Applications" and application.purpose == Purpose.RECRUITMENT
    assert ("email", "E-mail address", CONTACT) in application.fields
    assert ("name", "Name", IDENTITY) in application.fields
    assert ("partner_employer", "Partner's employer", Category.FAMILY) in application.fields
    assert application.basis == records.Basis.CONSENT
    assert records.Recipient.COORDINATORS in application.recipients
    assert ("content", "File contents", CV) in entries["cv_document"].fields
    assert {"session_log", "survey_answer", "outbox_message", "user_account", "partner_contact", "invitation",
            "api_token", "audit_entry", "match"} <= set(entries)
    # The platform's own register of cities and contacts is not the city's processing; tables without personal data
    # are not listed.
    assert "tenant" not in entries and "adoption_contact" not in entries and "survey_question" not in entries
    ordered = list(entries.values())
    assert [e.purpose.position for e in ordered] == sorted(e.purpose.position for e in ordered)
    assert application.categories[0] == IDENTITY and CV not in application.categories
    by_category = dict(records.by_category(ordered))
    assert entries["cv_document"] in by_category[CV] and application not in by_category[CV]


def test_retention_words_carry_their_days():
    declared = Personal("x", Purpose.PROGRAMME, records.Basis.CONSENT, (), (), {}, Retention.DAYS, 12)
    assert "12" in records.retention_text(declared)
    assert records.retention_text(Personal("x", Purpose.PROGRAMME, records.Basis.CONSENT, (), (), {})) \
        == str(Retention.UNTIL_ERASED.label)


# --- the coordinator's page -----------------------------------------------------------------------------------------


def test_the_coordinator_reads_the_record_in_english(db, client, login, coordinator, host_city):
    login(coordinator)
    page = client.get(URL, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    text = page.text
    assert "Record of processing personal data" in text and "Data controller" in text
    assert host_city.name in text
    assert "Applications" in text and "E-mail address" in text and "File contents" in text and "CVs" in text
    assert "Consent (GDPR article 6(1)(a))" in text and "Until erased" in text
    assert f'href="{URL}.pdf"' in text and f'href="{URL}"' in text  # the PDF, and the link in the navigation


def test_the_coordinator_reads_the_record_in_danish(db, client, login, host_city):
    coordinator = create_user(email="dansk@lyngby.example", city=host_city, role="coordinator", locale="da")
    login(coordinator)
    page = client.get(URL, headers={"Accept-Language": "da"})
    assert page.status_code == 200
    text = page.text
    assert "Fortegnelse over behandling af personoplysninger" in text and "Dataansvarlig" in text
    assert host_city.name in text
    assert "Ansøgninger" in text and "E-mailadresse" in text and "Filens indhold" in text
    assert "Samtykke" in text and "Indtil de slettes" in text


def test_the_record_downloads_as_a_pdf(db, client, login, coordinator):
    login(coordinator)
    response = client.get(f"{URL}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "lyngby-taarbaek-record-of-processing.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "private, no-store"


def test_only_the_citys_coordinators_read_it(db, client, login, host_city, other_coordinator):
    assert client.get(URL).status_code in (302, 401)  # signed out: to the sign-in page
    mentee = create_user(email="amira@example.org", city=host_city, role="mentee")
    login(mentee)
    assert client.get(URL).status_code in (403, 404)
    assert client.get(f"{URL}.pdf").status_code in (403, 404)
    client.post("/logout")
    login(other_coordinator)
    assert client.get(URL).status_code in (403, 404)
    assert client.get("/aarhus/coordinator/privacy/records").status_code == 200


def test_the_citys_retention_periods_govern_applications_cvs_and_the_pool(app):
    periods = {"never_accepted_days": 90, "cv_days": 200, "after_followup_days": 400}
    with app.test_request_context(headers={"Accept-Language": "en"}):
        entries = {entry.table: entry for entry in records.record(_db.Model.registry, periods)}
        unset = {entry.table: entry for entry in records.record(_db.Model.registry)}
    application = entries["application"].retention
    assert application.startswith(f"Deleted after {CONFIRM_WITHIN.days} days if the application is not confirmed; ")
    assert "never accepted: deleted 90 days" in application and "deleted 400 days after their round" in application
    assert "CVs: deleted 200 days" in entries["cv_document"].retention
    assert entries["participant"].retention == (
        "participants' personal data: deleted 400 days after their round's follow-up")
    assert unset["participant"].retention == "As the city's privacy notice sets"
    assert "Until erased" not in application + entries["cv_document"].retention + entries["participant"].retention
