"""Survey answers collected elsewhere, imported into a round from a spreadsheet, and a sent survey's raw answers out."""

import csv
import io
from datetime import date, timedelta
from html import unescape

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from mentorby.platform.audit.listener import set_actor
from mentorby.platform.audit.models import AuditEntry
from mentorby.platform.outbox.models import OutboxMessage
from mentorby.tenants.surveys import answering, builder, sending
from mentorby.tenants.surveys.models import Anonymity, Answer, Response, SurveySend
from mentorby.tenants.transfer import answers
from mentorby.tenants.transfer.checks import ImportRejected
from tests import factories as F
from tests.transfer.samples import csv_bytes, xlsx_bytes

HEADER = ["email", "network", "intercultural", "job_search_active", "direction", "employment", "would_recommend",
          "best", "improve", "may_quote", "submitted_on"]
TODAY = date.today()
#: Days a few weeks back, as a spreadsheet writes them and as they are read.
EARLIER = [TODAY - timedelta(days=days) for days in (30, 29, 28)]


def mentee_row(email: str, **cells) -> dict:
    """A mentee's complete answers to the closing survey."""
    return {"email": email, "network": "4", "job_search_active": "5", "direction": "3", "employment": "job_seeking",
            "would_recommend": "yes", "best": "Meeting people in my field", "may_quote": "no"} | cells


def mentor_row(email: str, **cells) -> dict:
    """A mentor's complete answers to the closing survey."""
    return {"email": email, "network": "5", "intercultural": "4", "would_recommend": "ja"} | cells


@pytest.fixture
def people(in_host_city, create_cohort, create_application, coordinator, db):
    """A running round of Lyngby with 3 accepted mentees and 2 accepted mentors, a declined mentee, and another round
    with an accepted mentee of its own; the test reads as Lyngby, with the coordinator acting."""
    cohort = create_cohort(in_host_city, name="Spring 2027", status="running")
    mentees = [create_application(cohort, role="mentee", status="accepted", email=f"mentee{n}@example.org",
                                  name=f"Mentee Number{n}") for n in range(3)]
    mentors = [create_application(cohort, role="mentor", status="accepted", email=f"mentor{n}@example.org",
                                  name=f"Mentor Number{n}") for n in range(2)]
    create_application(cohort, role="mentee", status="declined", email="declined@example.org")
    other = create_cohort(in_host_city, name="Autumn 2027", status="running")
    create_application(other, role="mentee", status="accepted", email="elsewhere@example.org")
    set_actor(db.session, coordinator.id, "coordinator")
    return type("People", (), {"cohort": cohort, "mentees": mentees, "mentors": mentors, "other": other})


def _target(db, cohort, key="closing"):
    return answers.target(db.session, cohort, key)


def _check(db, cohort, data, *, filename="answers.csv", key="closing"):
    return answers.check_file(db.session, cohort, _target(db, cohort, key), filename, data)


def _import(db, cohort, data, *, filename="answers.csv", key="closing", by=None):
    return answers.import_file(db.session, cohort, _target(db, cohort, key), filename, data, by_user_id=by)


def _problems(report):
    return [(problem.row, problem.column, problem.code) for problem in report.problems]


def _count(db, model, *where):
    return db.session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


# --- the dry run ---------------------------------------------------------------------------------------------------


def test_a_dry_run_names_every_bad_cell_and_writes_nothing(db, people):
    rows = [
        mentee_row("Mentee0@Example.org"),  # 2: fine, matched lower-cased
        mentee_row("elsewhere@example.org"),  # 3: of another round
        mentee_row("mentee0@example.org"),  # 4: the same person again
        mentee_row("mentee1@example.org", network="7", employment="retired", direction=""),  # 5: three bad cells
        mentor_row("mentor0@example.org", job_search_active="4"),  # 6: a mentee's question
        mentee_row("declined@example.org"),  # 7: declined, so not in the round
        mentee_row("mentee2@example.org", submitted_on="31.02.2027", would_recommend="maybe"),  # 8
        mentor_row("mentor1@example.org", submitted_on=(TODAY + timedelta(days=2)).isoformat()),  # 9
        mentee_row("", network="x"),  # 10: no address, and a bad value all the same
    ]
    report = _check(db, people.cohort, csv_bytes(rows, HEADER))
    assert _problems(report) == [
        (3, "email", "answer_not_in_round"),
        (4, "email", "answer_duplicate"),
        (5, "network", "unknown_code"),
        (5, "direction", "answer_required"),
        (5, "employment", "unknown_code"),
        (6, "job_search_active", "answer_not_asked"),
        (7, "email", "answer_not_in_round"),
        (8, "would_recommend", "unknown_code"),
        (8, "submitted_on", "bad_date"),
        (9, "submitted_on", "answer_date_future"),
        (10, "email", "required"),
        (10, "network", "unknown_code"),
    ]
    by_cell = {(problem.row, problem.column): problem for problem in report.problems}
    assert by_cell[(4, "email")].params == {"first": 2}
    assert by_cell[(5, "network")].params == {"value": "7", "allowed": "1, 2, 3, 4, 5"}
    assert by_cell[(5, "network")].value == "7"
    assert by_cell[(6, "job_search_active")].params == {"asked": "mentee", "role": "mentor"}
    assert report.valid == 1 and report.bad_rows == 8 and not report.ok
    assert _count(db, SurveySend) == 0 and _count(db, Answer) == 0


def test_a_clean_file_is_ready_and_counted_per_role(db, people):
    rows = [mentee_row("mentee0@example.org"), mentor_row("mentor0@example.org"), mentor_row("mentor1@example.org")]
    report = _check(db, people.cohort, csv_bytes(rows, HEADER))
    assert report.ok and report.problems == [] and dict(report.counts) == {"mentee": 1, "mentor": 2}
    assert _count(db, SurveySend) == 0 and _count(db, Response) == 0


def test_unknown_and_missing_columns_are_named(db, people):
    unknown = csv_bytes([mentee_row("mentee0@example.org")], ["email", "netwerk", "network", "Would Recommend"])
    report = _check(db, people.cohort, unknown)
    assert _problems(report) == [(1, None, "unknown_answer_columns")]
    assert report.problems[0].params == {"columns": "netwerk"}
    no_email = csv_bytes([{"network": "4"}], ["network"])
    assert _problems(_check(db, people.cohort, no_email)) == [(1, None, "missing_columns")]
    # A required question's column missing altogether is said once for the file, not on every row.
    partial = csv_bytes([mentee_row(f"mentee{n}@example.org") for n in range(3)], ["email", "network"])
    report = _check(db, people.cohort, partial)
    assert _problems(report) == [(1, None, "missing_columns")]
    assert report.problems[0].params == {"columns": "job_search_active, direction, would_recommend"}


def test_people_outside_the_surveys_audience_are_refused(db, people, create_application):
    baseline = csv_bytes([{"email": "mentor0@example.org", "employment": "full_time", "direction": "4"}],
                         ["email", "employment", "direction"])
    report = _check(db, people.cohort, baseline, key="baseline")
    assert _problems(report) == [(2, "email", "answer_not_in_audience")]
    assert report.problems[0].params == {"role": "mentor", "audience": "mentee"}
    company = csv_bytes([{"email": "mentee0@example.org", "retention": "4"}], ["email", "retention"])
    assert _problems(_check(db, people.cohort, company, key="company_retention")) == [
        (2, "email", "answer_not_in_audience")]


def test_values_are_checked_against_each_question(db, people):
    header = ["email", "meetings", "relationship_works", "topics", "wants_contact", "comment"]
    rows = [
        {"email": "mentee0@example.org", "meetings": "51", "relationship_works": "4.0", "topics": "cv; cooking",
         "wants_contact": "Nej"},
        {"email": "mentee1@example.org", "meetings": "many", "relationship_works": "0",
         "topics": "CV, Interview practice", "wants_contact": "JA"},
        {"email": "mentee2@example.org", "meetings": "3", "relationship_works": "5", "topics": "networking",
         "wants_contact": "yes; no"},
        {"email": "mentor0@example.org", "meetings": "2", "relationship_works": "4", "topics": "",
         "comment": "x" * 4001},
        {"email": "mentor1@example.org", "meetings": "12", "relationship_works": "3", "topics": "cv,cv"},
    ]
    report = _check(db, people.cohort, csv_bytes(rows, header), key="midway")
    assert _problems(report) == [
        (2, "meetings", "answer_out_of_range"),
        (2, "topics", "unknown_code"),
        (3, "meetings", "answer_not_a_number"),
        (3, "relationship_works", "unknown_code"),
        (4, "wants_contact", "answer_one_choice"),
        (5, "comment", "answer_too_long"),
    ]
    by_cell = {(problem.row, problem.column): problem for problem in report.problems}
    assert by_cell[(2, "meetings")].params == {"min": 0, "max": 50}
    assert by_cell[(2, "topics")].params["value"] == "cooking"
    # The last row is fine: a choice given twice counts once.
    assert [row.number for row in report.rows] == [6]
    assert report.rows[0].answers["topics"][1] == [("cv", "")]


def test_words_for_codes_are_taken_where_they_are_unambiguous(db, people):
    header = ["email", "meetings", "relationship_works", "topics", "wants_contact"]
    rows = [{"email": "mentee0@example.org", "meetings": "3", "relationship_works": "4",
             "topics": "CV; Interview practice, Netværk", "wants_contact": "Ja"}]
    report = _check(db, people.cohort, csv_bytes(rows, header), key="midway")
    assert report.ok
    given = report.rows[0].answers
    assert [value for value, _ in given["topics"][1]] == ["cv", "interview", "networking"]
    assert given["wants_contact"][1] == [("yes", "")]


def test_a_question_hidden_by_its_condition_stays_empty(db, people):
    header = ["email", "employment", "in_field", "found_through_network"]
    cohort = people.cohort
    rows = [{"email": "mentee0@example.org", "employment": "job_seeking", "in_field": "yes"},
            {"email": "mentee1@example.org", "employment": "full_time", "in_field": "yes",
             "found_through_network": "no"},
            {"email": "mentee2@example.org", "employment": "part time"}]
    report = _check(db, cohort, csv_bytes(rows, header), key="follow_up")
    assert _problems(report) == [(2, "in_field", "answer_hidden")]
    assert report.problems[0].params == {"key": "employment"}
    assert [row.number for row in report.rows] == [3, 4]


# --- the import ----------------------------------------------------------------------------------------------------


def test_the_import_sends_the_survey_without_mail_and_stores_every_row(db, people, coordinator):
    rows = [mentee_row("mentee0@example.org", submitted_on=EARLIER[0].strftime("%d.%m.%Y")),
            mentor_row("MENTOR1@example.org"), mentee_row("mentee2@example.org", best="=1+1")]
    report = _import(db, people.cohort, csv_bytes(rows, HEADER), by=coordinator.id)
    assert report.imported == 3
    sent = db.session.execute(select(SurveySend)).scalar_one()
    assert sent.cohort_id == people.cohort.id and sent.survey_key == "closing" and sent.sent_by_id == coordinator.id
    # Everyone the survey asks is counted, nobody is mailed.
    assert sending.counts(db.session, [sent.id]) == {(sent.id, "mentee"): (3, 2), (sent.id, "mentor"): (2, 1)}
    assert _count(db, OutboxMessage) == 0
    responses = {response.application_id: response for response in sent.responses}
    first = responses[people.mentees[0].id]
    assert first.source.value == "import" and first.submitted_at is not None and first.started_at is not None
    assert first.submitted_at.date() == EARLIER[0]
    assert answering.given(first) == {"network": ["4"], "job_search_active": ["5"], "direction": ["3"],
                                      "employment": ["job_seeking"], "would_recommend": ["yes"],
                                      "best": ["Meeting people in my field"], "may_quote": ["no"]}
    assert answering.given(responses[people.mentors[1].id])["would_recommend"] == ["yes"]
    assert answering.given(responses[people.mentees[2].id])["best"] == ["=1+1"]
    assert responses[people.mentees[1].id].submitted_at is None
    entry = db.session.execute(select(AuditEntry).where(AuditEntry.action == "import")).scalar_one()
    assert (entry.entity, entry.entity_id, entry.actor_id) == ("survey_send", sent.id, coordinator.id)
    assert entry.changes == {"rows": 3, "answers": 7 + 3 + 7, "file": "answers.csv"}



def test_company_contacts_answer_the_retention_survey(db, in_host_city, create_cohort, create_application):
    from mentorby.tenants.partners.models import PartnerContact

    partner = F.create_partner(in_host_city, name="Vestas Wind", kind="company")
    db.session.add(PartnerContact(partner_id=partner.id, name="Hanne HR", email="Hanne.HR@vestas.example"))
    cohort = create_cohort(in_host_city, status="closed")
    create_application(cohort, role="mentee", status="accepted", partner_employer="Vestas Wind",
                       email="partner@example.org")
    data = csv_bytes([{"email": "hanne.hr@VESTAS.example", "retention": "5", "still_employed": "ja"},
                      {"email": "partner@example.org", "retention": "4"}], ["email", "retention", "still_employed"])
    report = _check(db, cohort, data, key="company_retention")
    assert _problems(report) == [(3, "email", "answer_not_in_audience")]
    assert report.problems[0].params == {"role": "mentee", "audience": "company"}
    report = _import(db, cohort, csv_bytes([{"email": "hanne.hr@VESTAS.example", "retention": "5"}],
                                           ["email", "retention"]), key="company_retention")
    response = db.session.execute(select(Response)).scalar_one()
    assert report.imported == 1 and response.role == "company" and response.contact_id is not None
    assert answering.given(response) == {"retention": ["5"]}

def test_one_bad_row_stops_the_whole_import(db, people):
    rows = [mentee_row("mentee0@example.org"), mentee_row("mentee1@example.org", network="7"),
            mentor_row("mentor0@example.org")]
    with pytest.raises(ImportRejected) as refused:
        _import(db, people.cohort, csv_bytes(rows, HEADER))
    assert _problems(refused.value.report) == [(3, "network", "unknown_code")]
    assert _count(db, SurveySend) == 0 and _count(db, Response) == 0 and _count(db, Answer) == 0
    assert _count(db, AuditEntry, AuditEntry.action == "import") == 0


def test_an_import_into_a_sent_survey_refuses_who_already_answered(db, people):
    cohort = people.cohort
    sent = F.send_survey(cohort, "closing", today=TODAY)
    by_person = {response.application_id: response for response in sent.responses}
    linked = by_person[people.mentees[0].id]
    questions = {question.key: question for question in answering.questions_of(linked)}
    answering.submit(db.session, linked, {str(questions[key].id): [value] for key, value in (
        ("network", "2"), ("job_search_active", "2"), ("direction", "2"), ("would_recommend", "no"))}, TODAY)
    started = by_person[people.mentees[1].id]
    answering.save_answer(db.session, started, questions["network"].id, ["1"], TODAY)

    rows = [mentee_row("mentee0@example.org"), mentee_row("mentee1@example.org")]
    report = _check(db, cohort, csv_bytes(rows, HEADER))
    assert _problems(report) == [(2, "email", "answer_already_given")]
    # The person who only started through the link has their autosaved answer replaced by the import.
    report = _import(db, cohort, csv_bytes(rows[1:], HEADER))
    assert report.imported == 1 and _count(db, SurveySend) == 1
    assert answering.given(started)["network"] == ["4"] and started.source.value == "import"
    assert answering.given(linked)["network"] == ["2"] and linked.source.value == "link"
    again = _check(db, cohort, csv_bytes(rows[1:], HEADER))
    assert _problems(again) == [(2, "email", "answer_already_imported")]


def test_someone_accepted_after_the_send_was_not_asked(db, people, create_application):
    F.send_survey(people.cohort, "closing", today=TODAY)
    create_application(people.cohort, role="mentee", status="accepted", email="late@example.org")
    report = _check(db, people.cohort, csv_bytes([mentee_row("late@example.org")], HEADER))
    assert _problems(report) == [(2, "email", "answer_not_sent_to")]


def test_the_version_sent_to_the_round_is_the_one_imported_into(db, people):
    sent = F.send_survey(people.cohort, "closing", today=TODAY)
    newer = builder.editable(db.session, sent.survey)
    assert newer.version == 2 and builder.current(db.session, "closing").id == newer.id
    assert _target(db, people.cohort).survey.id == sent.survey_id
    assert _target(db, people.other).survey.id == newer.id and _target(db, people.other).send is None
    assert _target(db, people.cohort, "no_such_survey") is None and _target(db, people.cohort, "../x") is None


def test_a_round_before_selection_takes_no_answers(db, people, create_cohort, in_host_city):
    recruiting = create_cohort(in_host_city, status="recruiting")
    report = _check(db, recruiting, csv_bytes([mentee_row("mentee0@example.org")], HEADER))
    assert ("phase_survey") in [problem.code for problem in report.problems]
    with pytest.raises(ImportRejected):
        _import(db, recruiting, csv_bytes([mentee_row("mentee0@example.org")], HEADER))
    assert _count(db, SurveySend) == 0


@pytest.mark.parametrize(("filename", "data", "code"), [
    ("answers.txt", b"email,network\na@example.org,4\n", "file_type"),
    ("answers.pdf", b"%PDF-1.4", "file_type"),
    ("answers.xlsx", b"not a workbook at all", "unreadable_xlsx"),
    ("answers.csv", b"", "file_empty"),
    ("answers.csv", b"email,network\n", "no_answers"),
    ("answers.csv", b"\n\n", "no_header"),
])
def test_files_that_are_no_table_of_answers_are_refused(db, people, filename, data, code):
    report = _check(db, people.cohort, data, filename=filename)
    assert [problem.code for problem in report.problems] == [code]
    with pytest.raises(ImportRejected):
        _import(db, people.cohort, data, filename=filename)
    assert _count(db, SurveySend) == 0


@pytest.mark.parametrize("variant", ["comma", "semicolon_bom", "cp1252", "xlsx"])
def test_csv_in_its_dialects_and_xlsx_are_read_alike(db, people, variant):
    rows = [mentee_row("mentee0@example.org", best="Mødet på Lyngby Rådhus",
                      submitted_on=EARLIER[1].strftime("%d.%m.%Y")),
            mentor_row("mentor0@example.org")]
    if variant == "xlsx":
        rows[0] |= {"network": 4, "submitted_on": EARLIER[1]}
        data, filename = xlsx_bytes(rows, HEADER), "answers.xlsx"
    elif variant == "comma":
        data, filename = csv_bytes(rows, HEADER), "answers.csv"
    elif variant == "semicolon_bom":
        data, filename = csv_bytes(rows, HEADER, delimiter=";", bom=True), "answers.csv"
    else:
        data, filename = csv_bytes(rows, HEADER, delimiter=";", encoding="cp1252"), "answers.csv"
    report = _import(db, people.cohort, data, filename=filename)
    assert report.imported == 2
    response = db.session.execute(select(Response).where(
        Response.application_id == people.mentees[0].id)).scalar_one()
    assert answering.given(response)["best"] == ["Mødet på Lyngby Rådhus"]
    assert answering.given(response)["network"] == ["4"]
    assert response.submitted_at.date() == EARLIER[1]


def _timed_import(db, count_queries, cohort, rows):
    data = csv_bytes(rows, HEADER)
    where = _target(db, cohort)
    with count_queries() as counter:
        answers.import_file(db.session, cohort, where, "answers.csv", data)
    return counter.count


def test_the_import_issues_the_same_number_of_queries_for_5_and_40_people(db, in_host_city, create_cohort,
                                                                          create_application, count_queries):
    counts = []
    for size in (5, 40):
        cohort = create_cohort(in_host_city, status="running")
        emails = [f"p{size}-{n}@example.org" for n in range(size)]
        for email in emails:
            create_application(cohort, role="mentee", status="accepted", email=email)
        F.send_survey(cohort, "closing", today=TODAY)
        db.session.expire_all()
        counts.append(_timed_import(db, count_queries, cohort, [mentee_row(email) for email in emails]))
        assert _count(db, Answer, Answer.key == "network") == sum((5, 40)[:len(counts)])
    assert counts[0] == counts[1]


# --- the export ----------------------------------------------------------------------------------------------------


def _read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _answered_round(db, people, anonymity: str):
    policy = builder.policy(db.session)
    policy.anonymity = anonymity
    if policy.id is None:
        db.session.add(policy)
    db.session.flush()
    rows = [mentee_row("mentee0@example.org", best="=HYPERLINK(\"http://evil.example\")",
                       submitted_on=EARLIER[1].isoformat()),
            mentor_row("mentor1@example.org", submitted_on=EARLIER[2].isoformat())]
    _import(db, people.cohort, csv_bytes(rows, HEADER))
    return db.session.execute(select(SurveySend)).scalar_one()


def test_a_pseudonymous_export_names_nobody(db, people):
    sent = _answered_round(db, people, "pseudonymous")
    assert sent.anonymity == Anonymity.PSEUDONYMOUS
    data, rows = answers.export(db.session, people.cohort, sent, "csv")
    table = _read_csv(data)
    assert rows == 2 and len(table) == 3
    # No date and no source: the coordinator's list shows who answered when, so either would lead back to a name.
    assert table[0][:2] == ["pseudonym", "role"] and "submitted_on" not in table[0] and "source" not in table[0]
    assert table[0][2:] == [question.key for question in sent.survey.questions]
    text = data.decode("utf-8-sig")
    for person in people.mentees + people.mentors:
        assert person.name not in text and person.email not in text
    pseudonyms = {response.pseudonym: response for response in sent.responses}
    by_role = {row[1]: dict(zip(table[0], row, strict=True)) for row in table[1:]}
    assert by_role["mentee"]["pseudonym"] in pseudonyms and by_role["mentee"]["network"] == "4"
    assert by_role["mentor"]["intercultural"] == "4" and by_role["mentor"]["job_search_active"] == ""
    # A formula in a free text goes out quoted, so a spreadsheet shows it instead of running it.
    assert by_role["mentee"]["best"] == "'=HYPERLINK(\"http://evil.example\")"
    book = load_workbook(io.BytesIO(answers.export(db.session, people.cohort, sent, "xlsx")[0]))
    sheet = list(book.active.values)
    assert sheet[0][:3] == ("pseudonym", "role", "network")
    cells = [value for row in sheet for value in row]
    assert "'=HYPERLINK(\"http://evil.example\")" in cells and 4 in cells
    assert not any(isinstance(value, str) and "Number" in value for value in cells)
    entries = db.session.execute(select(AuditEntry).where(AuditEntry.action == "export")).scalars().all()
    assert [(entry.entity, entry.entity_id, entry.changes["format"]) for entry in entries] == [
        ("survey_send", sent.id, "csv"), ("survey_send", sent.id, "xlsx")]


def test_a_named_export_has_names_and_addresses(db, people):
    sent = _answered_round(db, people, "named")
    table = _read_csv(answers.export(db.session, people.cohort, sent, "csv")[0])
    assert table[0][:5] == ["name", "email", "role", "submitted_on", "source"] and "pseudonym" not in table[0]
    assert [row[:3] for row in table[1:]] == [["Mentee Number0", "mentee0@example.org", "mentee"],
                                              ["Mentor Number1", "mentor1@example.org", "mentor"]]


def test_the_export_leaves_out_who_gave_no_answer_and_counts_its_queries(db, people, count_queries,
                                                                          create_application):
    sent = F.send_survey(people.cohort, "midway", today=TODAY)
    by_person = {response.application_id: response for response in sent.responses}
    questions = {question.key: question for question in sent.survey.questions}
    answering.save_answer(db.session, by_person[people.mentees[0].id], questions["topics"].id, ["cv", "networking"],
                          TODAY)
    db.session.expire_all()
    sent = db.session.get(SurveySend, sent.id)
    with count_queries() as counter:
        columns, rows = answers.answer_table(db.session, sent)
    assert len(rows) == 1 and rows[0][columns.index("topics")] == "cv; networking"
    assert "submitted_on" not in columns  # pseudonymous by default: no dates
    for person in people.mentees[1:] + people.mentors:
        answering.save_answer(db.session, by_person[person.id], questions["meetings"].id, ["2"], TODAY)
    db.session.expire_all()
    sent = db.session.get(SurveySend, sent.id)
    with count_queries() as more:
        columns, rows = answers.answer_table(db.session, sent)
    assert len(rows) == 5 and more.count == counter.count
    assert [row[columns.index("meetings")] for row in rows].count(2) == 4


# --- the template --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["closing", "midway", "follow_up", "baseline"])
def test_the_templates_example_row_passes_the_check_once_its_address_is_a_persons(db, people, key):
    where = _target(db, people.cohort, key)
    table = _read_csv(answers.template(where.survey, "csv", today=TODAY))
    assert table[0] == list(where.columns) and len(table) == 2
    table[1][0] = "mentee0@example.org"
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(table)
    report = _check(db, people.cohort, buffer.getvalue().encode(), key=key)
    assert report.ok, report.problems
    assert load_workbook(io.BytesIO(answers.template(where.survey, "xlsx", today=TODAY))).active.max_row == 2



# --- the pages -----------------------------------------------------------------------------------------------------


def _url(cohort, path="closing/import", city="lyngby-taarbaek"):
    return f"/{city}/coordinator/cohorts/{cohort.id}/surveys/{path}"


def _post(client, cohort, data: bytes, *, filename="answers.csv", action="check", path="closing/import",
          city="lyngby-taarbaek", headers=None):
    from werkzeug.datastructures import FileStorage

    return client.post(_url(cohort, path, city), data={"file": FileStorage(io.BytesIO(data), filename=filename),
                                                       "action": action},
                       content_type="multipart/form-data", headers=headers or {})


def test_the_import_page_checks_then_imports(client, db, login, coordinator, people):
    login(coordinator)
    page = client.get(_url(people.cohort))
    assert page.status_code == 200
    assert "Import answers to “Evaluation of the programme”" in page.text
    assert 'enctype="multipart/form-data"' in page.text and "import-template.xlsx" in page.text
    assert "without e-mailing anyone" in page.text and "<code>would_recommend</code>" in page.text
    data = csv_bytes([mentee_row("mentee0@example.org"), mentor_row("mentor0@example.org")], HEADER)
    checked = _post(client, people.cohort, data)
    assert checked.status_code == 200
    assert "The file is ready to import" in checked.text and "1 mentee · 1 mentor." in checked.text
    assert _count(db, SurveySend) == 0
    imported = _post(client, people.cohort, data, action="import")
    assert imported.status_code == 302
    assert "2 people's answers imported." in unescape(client.get(imported.headers["Location"]).text)
    sent = db.session.execute(select(SurveySend)).scalar_one()
    assert sending.counts(db.session, [sent.id])[(sent.id, "mentee")] == (3, 1)
    # Now sent: the page says so and offers the export.
    page = client.get(_url(people.cohort))
    assert "without e-mailing anyone" not in page.text and f"surveys/{sent.id}/answers.csv" in page.text


def test_the_page_lists_every_bad_cell_and_imports_nothing(client, db, login, coordinator, people):
    login(coordinator)
    data = csv_bytes([mentee_row("mentee0@example.org", network="7"), mentee_row("elsewhere@example.org"),
                      mentor_row("mentor0@example.org", job_search_active="5")], HEADER)
    for action in ("check", "import"):
        response = _post(client, people.cohort, data, action=action)
        assert response.status_code == (200 if action == "check" else 422)
        assert "3 with problems" in response.text
        assert '<th scope="row">2</th><td><code>network</code></td><td>7</td>' in response.text
        assert "“7” is not one of the codes: 1, 2, 3, 4, 5." in response.text
        assert "Nobody who takes part in this round has this e-mail address." in response.text
        assert "This question is for mentees only: leave it empty for this person (a mentor)." in response.text
    assert _count(db, SurveySend) == 0 and _count(db, Answer) == 0


def test_the_page_in_danish(client, db, login, coordinator, people):
    login(coordinator)
    danish = {"Accept-Language": "da"}
    page = client.get(_url(people.cohort), headers=danish)
    assert page.status_code == 200 and "Importér svar" in page.text
    data = csv_bytes([mentee_row("elsewhere@example.org", network="7")], HEADER)
    response = _post(client, people.cohort, data, headers=danish)
    assert "Ingen, der deltager i dette forløb, har denne e-mailadresse." in response.text
    assert "“7” er ikke en af koderne: 1, 2, 3, 4, 5." in response.text
    refused = _post(client, people.cohort, b"", headers=danish)
    assert refused.status_code == 422 and "Filen er tom." in refused.text
    from tests.platform.test_danish_forms import assert_danish

    assert_danish(page.text, "the answers import page")
    assert_danish(response.text, "the answers import page with problems")


@pytest.mark.parametrize(("filename", "data", "message"), [
    ("answers.txt", b"email,network\n", "Choose a .csv or .xlsx file"),
    ("answers.xlsx", b"this is not a workbook", "could not be read as an Excel workbook"),
    ("answers.csv", b"", "The file is empty."),
    ("answers.csv", b"email;netwerk\nmentee0@example.org;4\n", "Unknown columns: netwerk. Use the survey's question"),
    ("answers.csv", b"email,network\n", "The file has no answers below the header row."),
])
def test_bad_files_are_refused_on_the_page(client, db, login, coordinator, people, filename, data, message):
    login(coordinator)
    for action in ("check", "import"):
        response = _post(client, people.cohort, data, filename=filename, action=action)
        assert response.status_code == 422, action
        assert message in unescape(response.text) and 'href="#file"' in response.text
    assert _count(db, SurveySend) == 0 and _count(db, Answer) == 0


def test_no_file_and_a_round_not_yet_selecting(client, db, login, coordinator, people, create_cohort, in_host_city):
    login(coordinator)
    response = client.post(_url(people.cohort), data={"action": "check"}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose the file to import." in response.text
    recruiting = create_cohort(in_host_city, status="recruiting")
    page = client.get(_url(recruiting))
    assert page.status_code == 200 and 'enctype="multipart/form-data"' not in page.text
    assert "Surveys go out once recruitment has closed" in page.text
    refused = _post(client, recruiting, csv_bytes([mentee_row("mentee0@example.org")], HEADER), action="import")
    assert refused.status_code == 422 and _count(db, SurveySend) == 0


def test_unknown_survey_keys_and_other_cities_get_404(client, db, login, coordinator, other_coordinator, people):
    login(coordinator)
    for path in ("no_such_survey/import", "no_such_survey/import-template.csv", "Closing/import",
                 "closing/import-template.pdf", "999999/answers.csv"):
        assert client.get(_url(people.cohort, path)).status_code == 404, path
    sent = F.send_survey(people.other, "closing", today=TODAY)
    # A send of another round of the same city, under this round's URL: the same 404.
    assert client.get(_url(people.cohort, f"{sent.id}/answers.csv")).status_code == 404
    assert client.get(_url(people.other, f"{sent.id}/answers.pdf")).status_code == 404
    client.get("/logout")
    login(other_coordinator)
    for path in ("closing/import", "closing/import-template.csv", f"{sent.id}/answers.csv"):
        assert client.get(_url(people.other, path)).status_code == 403
        assert client.get(_url(people.other, path, city="aarhus")).status_code == 404
    data = csv_bytes([mentee_row("mentee0@example.org")], HEADER)
    assert _post(client, people.cohort, data, action="import", city="aarhus").status_code == 404
    assert _count(db, Answer) == 0


def test_strangers_are_sent_to_sign_in(client, db, people):
    for path in ("closing/import", "closing/import-template.csv"):
        response = client.get(_url(people.cohort, path))
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = _post(client, people.cohort, csv_bytes([mentee_row("mentee0@example.org")], HEADER), action="import")
    assert response.status_code == 302 and _count(db, SurveySend) == 0


def test_template_and_export_downloads(client, db, login, coordinator, people):
    login(coordinator)
    template = client.get(_url(people.cohort, "closing/import-template.csv"))
    assert template.status_code == 200 and template.headers["Cache-Control"] == "no-store"
    assert 'filename="spring-2027-closing-import-template-' in template.headers["Content-Disposition"]
    assert _read_csv(template.data)[0] == HEADER[:-1] + ["submitted_on"]
    assert client.get(_url(people.cohort, "closing/import-template.xlsx")).data.startswith(b"PK")
    _post(client, people.cohort, csv_bytes([mentee_row("mentee0@example.org")], HEADER), action="import")
    sent = db.session.execute(select(SurveySend)).scalar_one()
    export = client.get(_url(people.cohort, f"{sent.id}/answers.csv"))
    assert export.status_code == 200 and export.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert export.headers["Cache-Control"] == "no-store"
    assert 'filename="spring-2027-closing-answers-' in export.headers["Content-Disposition"]
    table = _read_csv(export.data)
    assert table[0][0] == "pseudonym" and len(table) == 2 and "mentee0@example.org" not in export.text
    xlsx = client.get(_url(people.cohort, f"{sent.id}/answers.xlsx"))
    assert xlsx.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert _count(db, AuditEntry, AuditEntry.action == "export", AuditEntry.entity == "survey_send") == 2
