"""An application's limits and words are written once: the schema and the vocabularies that the public forms, the
portal, the import, the API and the pages all use."""

from datetime import date

from mentorby.platform.schemas import limits
from mentorby.tenants.applications import schemas
from mentorby.tenants.applications.models import Application, ApplicationStatus, Source
from mentorby.tenants.applications.profile import Field, Language, MentoringFormat, Role
from mentorby.tenants.transfer import schema as import_file
from tests.transfer.samples import mentee, mentor


def _problems(row):
    report = import_file.validate([row])
    return {(problem.column, problem.code, problem.params.get("max")) for problem in report.problems}


def test_the_form_the_import_and_the_service_share_one_limit(client, create_cohort, in_host_city):
    cohort = create_cohort(in_host_city)
    assert limits(schemas.MenteeSchema(), "job_goal") == {"maxlength": 2000}
    page = client.get(f"/lyngby-taarbaek/apply/{cohort.id}/mentee").text
    assert 'maxlength="2000"' in page and 'name="job_goal"' in page
    assert _problems(mentee(1, job_goal="x" * 2001)) == {("job_goal", "text_too_long", 2000)}
    assert _problems(mentee(1, job_goal="x" * 2000)) == set()
    assert _problems(mentor(1, expertise="x" * 2001)) == {("expertise", "text_too_long", 2000)}


def test_the_import_checks_rows_with_the_applications_schema():
    # Rules that live only in the schema reach the import: control characters, the arrival's range, the phone.
    assert _problems(mentee(1, name="Eve\x01")) == {("name", "control_characters", 120)}
    assert _problems(mentee(1, arrived_on="1949-12-31")) == {("arrived_on", "bad_arrival", None)}
    assert _problems(mentee(1, phone="call me")) == {("phone", "bad_phone", 40)}
    assert _problems(mentor(1, mentee_capacity="0")) == {("mentee_capacity", "bad_mentee_capacity", 5)}
    # The spreadsheet's own wording of a code the schema refuses: which one, and what is allowed.
    report = import_file.validate([mentor(1, mentoring_format="coaching")])
    assert report.problems[0].code == "unknown_code"
    assert report.problems[0].params["allowed"] == ", ".join(MentoringFormat.codes())


def test_one_schema_checks_a_mentee_and_a_mentor():
    values = {"name": " Priya ", "email": " Priya@Example.org ", "field": "it", "languages": "en hi en",
              "job_goal": "Data analyst", "danish_level": "beginner", "consent": "2026-11", "locale": "fr",
              "arrived_on": date(2024, 3, 1), "share_cv": "yes"}
    clean = schemas.check_application(Role.MENTEE, values)
    assert clean["name"] == "Priya" and clean["email"] == "priya@example.org" and clean["languages"] == "en hi"
    assert clean["locale"] == "en" and clean["share_cv"] is False  # only an explicit yes shares the CV
    assert "employer" not in clean
    mentor_values = {"name": "Lars", "email": "lars@cowi.example", "field": "engineering", "languages": ["da"],
                     "employer": "COWI", "industry": "engineering", "expertise": "wind", "mentoring_format": "one",
                     "consent": "2026-11"}
    clean = schemas.check_application(Role.MENTOR, mentor_values)
    assert clean["mentee_capacity"] == 1 and "job_goal" not in clean


def test_the_api_dumps_applications_with_the_same_schema(client):
    from mentorby.blueprints import api

    assert api.ApplicationSchema is schemas.ApplicationSchema
    spec = client.get("/api/v1/openapi.json").get_json()
    properties = spec["components"]["schemas"]["Application"]["properties"]
    assert properties["status"]["enum"] == list(ApplicationStatus.codes())
    assert properties["field"]["enum"] == list(Field.codes())
    assert properties["languages"]["items"]["enum"] == list(Language.codes())
    assert "phone" not in properties and "consent" not in properties and "cv" not in properties


def test_columns_hand_out_members_of_the_vocabularies(db, create_cohort, create_application, in_host_city):
    application = create_application(create_cohort(in_host_city), role="mentor", status="shortlisted",
                                      languages=["en", "da"], availability="weekend")
    db.session.expire_all()
    stored = db.session.get(Application, application.id)
    assert stored.status is ApplicationStatus.SHORTLISTED and stored.role is Role.MENTOR
    assert stored.source is Source.COORDINATOR
    assert stored.field is Field.ENGINEERING and stored.mentoring_format is MentoringFormat.ONE
    assert stored.spoken == [Language.DA, Language.EN]
    assert [slot.value for slot in stored.slots] == ["weekend"]
    assert stored.danish is None and stored.industry_field is Field.ENGINEERING
    stored.status = "accepted"  # a code assigned is a member at once
    assert stored.status is ApplicationStatus.ACCEPTED


def test_the_label_dictionaries_come_from_the_vocabularies(app):
    from mentorby.blueprints import messages

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert {code: str(text) for code, text in messages.APPLICATION_STATUS_LABELS.items()} == {
            status.value: status.label for status in ApplicationStatus}
        assert list(messages.FIELD_LABELS) == list(Field.codes())
        assert str(messages.ROLE_TITLES["mentee"]) == Role.MENTEE.label == "Mentee"
        assert str(messages.ROLE_LABELS["mentor"]) == Role.MENTOR.noun == "mentor"
