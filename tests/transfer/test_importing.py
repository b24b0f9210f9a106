import time
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mentorby.tenants.applications import consent
from mentorby.tenants.applications.models import Application, Participant
from mentorby.tenants.transfer import filing, schema
from mentorby.tenants.transfer.checks import FileProblem, ImportRejected
from tests.factories import create_partner
from tests.transfer.samples import GIVEN, HEADER, csv_bytes, mentee, mentor, xlsx_bytes


def _codes(report):
    return [(problem.row, problem.column, problem.code) for problem in report.problems]


def _file_codes(error: FileProblem):
    return [problem.code for problem in error.problems]


def _count(db, cohort):
    return db.session.execute(
        select(func.count()).select_from(Application).where(Application.cohort_id == cohort.id)
    ).scalar_one()


# --- reading files ---------------------------------------------------------------------------------


def test_a_comma_csv_is_read_into_typed_values():
    sheet = schema.read_file("round.csv", csv_bytes([mentee(1), mentor(2)]))
    assert sheet.columns == tuple(HEADER)
    assert [row.number for row in sheet.rows] == [2, 3]
    report = schema.validate(sheet)
    assert report.ok and report.total == 2 and report.valid == 2 and report.by_role == {"mentor": 1, "mentee": 1}
    first, second = report.rows
    assert first.role == "mentee" and first.status == "submitted"
    assert first.values["years_experience"] == 6 and first.values["arrived_on"] == date(2024, 3, 1)
    assert first.values["languages"] == "en de" and first.values["availability"] == "weekday_evening weekend"
    assert second.values["mentee_capacity"] == 2 and second.values["mentoring_format"] == "either"


def test_a_semicolon_csv_with_a_bom_as_danish_excel_writes_it():
    rows = [mentee(1, name="Søren Ærø Åberg", arrived_on="01.02.2023"), mentee(2, arrived_on="15-06-2022")]
    sheet = schema.read_file("liste.CSV", csv_bytes(rows, delimiter=";", bom=True))
    assert sheet.columns[0] == "role"  # the byte-order mark is not part of the first header
    report = schema.validate(sheet)
    assert report.ok
    assert report.rows[0].values["name"] == "Søren Ærø Åberg"
    assert [row.values["arrived_on"] for row in report.rows] == [date(2023, 2, 1), date(2022, 6, 15)]


def test_windows_1252_csv_from_plain_excel_is_read():
    data = csv_bytes([mentee(1, name="Bjørn Æblegård")], delimiter=";", encoding="cp1252")
    report = schema.validate(schema.read_file("gammel.csv", data))
    assert report.ok and report.rows[0].values["name"] == "Bjørn Æblegård"


def test_utf16_tab_separated_text_as_excel_saves_unicode_text():
    data = csv_bytes([mentee(1, name="Zoë Ørsted")], delimiter="\t", bom=True, encoding="utf-16-le")
    report = schema.validate(schema.read_file("unicode.csv", data))
    assert report.ok and report.rows[0].values["name"] == "Zoë Ørsted"


def test_an_xlsx_workbook_with_typed_cells():
    rows = [mentee(1, arrived_on=datetime(2024, 1, 15), years_experience=7, phone=4520304050),
            mentee(2, arrived_on="2024-02-01", years_experience=3.0),
            mentor(3, mentee_capacity=3)]
    report = schema.validate(schema.read_file("old.xlsx", xlsx_bytes(rows)))
    assert report.ok, report.problems
    one, two, three = report.rows
    assert one.values["arrived_on"] == date(2024, 1, 15) and one.values["years_experience"] == 7
    assert one.values["phone"] == "4520304050"
    assert two.values["years_experience"] == 3
    assert three.values["mentee_capacity"] == 3


def test_header_names_in_any_case_and_with_spaces():
    header = [name.upper().replace("_", " ") for name in HEADER]
    data = csv_bytes([], header=header) + b"mentee,A,a@example.org,,it,en,,Goal,none,,,,,,,,,\r\n"
    report = schema.validate(schema.read_file("x.csv", data))
    assert report.ok and report.rows[0].values["name"] == "A"


def test_blank_rows_are_skipped_but_counted_like_the_spreadsheet_does():
    data = csv_bytes([mentee(1)]) + b"\r\n,,,\r\n" + csv_bytes([mentee(2, arrived_on="yesterday")]).split(b"\n", 1)[1]
    report = schema.validate(schema.read_file("x.csv", data))
    assert report.total == 2
    assert _codes(report) == [(5, "arrived_on", "bad_date")]


@pytest.mark.parametrize(
    ("filename", "data", "code"),
    [
        ("list.txt", b"role,name\n", "file_type"),
        ("list", b"role,name\n", "file_type"),
        ("list.xls", b"\xd0\xcf\x11\xe0", "file_type"),
        ("list.xlsx", b"role,name,email\n", "unreadable_xlsx"),
        ("list.xlsx", b"PK\x03\x04 not really a zip", "unreadable_xlsx"),
        ("list.csv", b"", "file_empty"),
        ("list.csv", b"\n\n", "no_header"),
        ("list.csv", b"role,name,email,field,languages\n", "no_rows"),
        ("list.csv", b"role,name,email,field,languages\nmentee,A\x00,a@b.dk,it,en\n", "unreadable_csv"),
        # An unclosed quote would otherwise swallow every row after it.
        ("list.csv", b'role,name,email,field,languages\nmentee,"A,a@b.dk,it,en\nmentee,B,b@b.dk,it,en\n',
         "unreadable_csv"),
        # Bytes that no encoding reads as text.
        ("list.csv", b"role,name,email,field,languages\nmentee,A," + bytes(range(0x80, 0x100)) + b",it,en\n",
         "unknown_encoding"),
    ],
)
def test_files_that_cannot_be_read(filename, data, code):
    with pytest.raises(FileProblem) as error:
        schema.read_file(filename, data)
    assert _file_codes(error.value) == [code]


def test_size_and_row_limits():
    data = csv_bytes([mentee(n) for n in range(5)])
    with pytest.raises(FileProblem) as error:
        schema.read_file("x.csv", data, limits=replace(schema.LIMITS, bytes=100))
    assert error.value.problems[0].code == "file_too_large"
    with pytest.raises(FileProblem) as error:
        schema.read_file("x.csv", data, limits=replace(schema.LIMITS, rows=4))
    assert error.value.problems[0].code == "too_many_rows" and error.value.problems[0].params == {"max": 4}
    assert len(schema.read_file("x.csv", data, limits=replace(schema.LIMITS, rows=5)).rows) == 5


def test_missing_unknown_and_repeated_columns_are_refused_for_the_file():
    with pytest.raises(FileProblem) as error:
        schema.read_file("x.csv", csv_bytes([mentee(1)], header=["role", "name", "field", "languages", "salary"]))
    assert {(p.code, p.params["columns"]) for p in error.value.problems} == {
        ("unknown_columns", "salary"), ("missing_columns", "email")}
    with pytest.raises(FileProblem) as error:
        schema.read_file("x.csv", csv_bytes([mentee(1)], header=[*HEADER, "Email"]))
    assert _file_codes(error.value) == ["duplicate_columns"]


def test_data_in_a_column_without_a_name_is_refused():
    data = csv_bytes([], header=[*HEADER, ""]) + ("," * len(HEADER) + "surprise\r\n").encode()
    with pytest.raises(FileProblem) as error:
        schema.read_file("x.csv", data)
    assert error.value.problems[0].code == "unnamed_column" and error.value.problems[0].params == {"letter": "S"}


def test_the_columns_of_a_role_are_required_when_the_file_has_that_role():
    header = ["role", "name", "email", "field", "languages", "job_goal", "danish_level"]
    assert schema.validate(schema.read_file("x.csv", csv_bytes([mentee(1)], header=header))).ok
    report = schema.validate(schema.read_file("x.csv", csv_bytes([mentee(1), mentor(2)], header=header)))
    assert _codes(report) == [(1, None, "missing_columns")]
    assert report.problems[0].params == {"columns": "employer, industry, expertise, mentoring_format"}


# --- checking rows ---------------------------------------------------------------------------------


def test_a_bad_date_and_an_unknown_code_are_named_with_row_and_column():
    rows = [mentee(1), mentee(2, arrived_on="31.02.2024"), mentee(3, field="astrology", languages="en, klingon")]
    report = schema.validate(rows)
    assert report.valid == 1 and report.bad_rows == 2 and not report.ok
    assert _codes(report) == [(3, "arrived_on", "bad_date"), (4, "field", "unknown_code"),
                              (4, "languages", "unknown_code")]
    field_problem, languages_problem = report.problems[1:]
    assert field_problem.params["value"] == "astrology" and "engineering" in field_problem.params["allowed"]
    assert languages_problem.params["value"] == "klingon" and languages_problem.value == "en, klingon"


def test_every_problem_of_a_row_is_reported_not_only_the_first():
    row = mentee(1, name="", email="not-an-address", phone="call me", field="", languages="", danish_level="some",
                 years_experience="many", job_goal="", arrived_on=(date.today() + timedelta(days=3)).isoformat(),
                 status="hired")
    report = schema.validate([row])
    assert {(p.column, p.code) for p in report.problems} == {
        ("name", "required"), ("email", "bad_email"), ("phone", "bad_phone"), ("field", "required"),
        ("languages", "required"), ("years_experience", "bad_years"), ("job_goal", "required"),
        ("danish_level", "unknown_code"), ("arrived_on", "bad_arrival"), ("status", "unknown_code"),
    }
    # In the file's column order, so the report reads like the spreadsheet.
    assert [p.column for p in report.problems][:3] == ["name", "email", "phone"]


def test_columns_of_the_other_role_are_ignored():
    report = schema.validate([mentor(1, years_experience="lots", danish_level="?", job_goal="")])
    assert report.ok


def test_unknown_role_still_checks_the_common_columns():
    report = schema.validate([mentee(1, role="coach", email="nope", job_goal="")])
    assert {(p.column, p.code) for p in report.problems} == {("role", "unknown_code"), ("email", "bad_email")}


def test_status_locale_and_capacity():
    rows = [mentee(1, status="Accepted", locale="DA"), mentee(2, locale="fr"), mentor(3, mentee_capacity="9"),
            mentor(4, mentee_capacity="2.5")]
    report = schema.validate(rows)
    assert report.rows[0].status == "accepted" and report.rows[0].values["locale"] == "da"
    assert _codes(report) == [(3, "locale", "unknown_code"), (4, "mentee_capacity", "bad_mentee_capacity"),
                              (5, "mentee_capacity", "bad_mentee_capacity")]


def test_an_exported_formula_guard_is_taken_away():
    report = schema.validate([mentee(1, job_goal="'=not a formula", phone="'+45 20 30 40 50")])
    assert report.ok
    assert report.rows[0].values["job_goal"] == "=not a formula" and report.rows[0].values["phone"] == "+45 20 30 40 50"


def test_duplicate_addresses_in_the_file_name_the_first_row():
    report = schema.validate([mentee(1), mentor(2), mentee(3, email=" MENTEE1@Example.org ")])
    assert _codes(report) == [(4, "email", "duplicate_in_file")]
    assert report.problems[0].params == {"first": 2}


def test_addresses_already_in_the_round(db, host_city, create_cohort, create_application, count_queries, in_host_city):
    cohort = create_cohort(host_city)
    create_application(cohort, email="mentee2@example.org")
    rows = [mentee(n) for n in range(1, 301)]
    with count_queries() as counter:
        report = filing.check_rows(db.session, cohort, rows)
    assert _codes(report) == [(3, "email", "already_in_round")]
    # One query for the round's addresses and one for the partner names, whatever the number of rows.
    assert counter.count == 2


def test_ten_thousand_rows_with_one_bad_row_are_rejected_whole(db, host_city, create_cohort, in_host_city):
    cohort = create_cohort(host_city)
    rows = [mentee(n) if n % 2 else mentor(n) for n in range(10_000)]
    rows[7_321] = rows[7_321] | {"email": "broken.example.org"}
    data = csv_bytes(rows)
    before = _count(db, cohort)
    started = time.perf_counter()
    with pytest.raises(ImportRejected) as rejected:
        filing.import_file(db.session, cohort, "big.csv", data, consent_confirmed=True, consent_default=GIVEN)
    elapsed = time.perf_counter() - started
    report = rejected.value.report
    assert report.total == 10_000 and report.valid == 9_999
    assert _codes(report) == [(7_323, "email", "bad_email")]  # list index 7,321 is spreadsheet row 7,323
    assert _count(db, cohort) == before
    assert elapsed < 10, f"checking 10,000 rows took {elapsed:.1f} s"


# --- importing -------------------------------------------------------------------------------------------


def test_import_files_every_row_through_the_applications_service(db, host_city, create_cohort, coordinator,
                                                                 in_host_city):
    cohort = create_cohort(host_city, status="selecting")
    create_partner(host_city, name="Novo Nordisk")
    rows = [mentee(1, status="accepted", partner_employer=" novo  nordisk"), mentee(2),
            mentor(3, status="waitlisted", email="Mentor3@Example.org")]
    report = filing.import_file(db.session, cohort, "x.xlsx", xlsx_bytes(rows), consent_confirmed=True,
                                consent_default=GIVEN,
                                   by_user_id=coordinator.id)
    assert report.imported == 3 and report.linked == 2
    applications = db.session.execute(
        select(Application).where(Application.cohort_id == cohort.id).order_by(Application.name)).scalars().all()
    pool = db.session.execute(select(func.count()).select_from(Participant)).scalar_one()
    assert [(a.name, a.status, a.source) for a in applications] == [
        ("Mentee 1", "accepted", "import"), ("Mentee 2", "submitted", "import"), ("Mentor 3", "waitlisted", "import")]
    assert {a.consent_version for a in applications} == {consent.CURRENT}
    assert applications[0].decided_by_id == coordinator.id and applications[0].decided_at is not None
    assert applications[1].decided_at is None
    assert applications[0].partner_employer_id is not None  # linked to the partner organisation
    assert applications[2].email == "mentor3@example.org" and not applications[0].invited
    assert pool == 3


def test_import_without_the_consent_confirmation_writes_nothing(db, host_city, create_cohort, in_host_city):
    cohort = create_cohort(host_city)
    with pytest.raises(ImportRejected) as rejected:
        filing.import_rows(db.session, cohort, [mentee(1)], consent_confirmed=False, consent_default=GIVEN)
    assert _codes(rejected.value.report) == [(None, "consent", "import_consent_required")]
    assert _count(db, cohort) == 0


def test_rows_given_as_mappings_are_checked_like_a_file(db, host_city, create_cohort, in_host_city):
    cohort = create_cohort(host_city)
    with pytest.raises(ImportRejected) as rejected:
        filing.import_rows(db.session, cohort, [{"name": "A", "email": "a@example.org"}], consent_confirmed=True,
                           consent_default=GIVEN)
    assert _codes(rejected.value.report) == [(1, None, "missing_columns")]
    with pytest.raises(ImportRejected) as rejected:
        filing.import_rows(db.session, cohort, [], consent_confirmed=True, consent_default=GIVEN)
    assert _codes(rejected.value.report)[-1] == (None, None, "no_rows")
    assert _count(db, cohort) == 0


@pytest.mark.parametrize("status", ["running", "closed", "followed_up"])
def test_a_round_takes_imports_only_while_its_phase_allows(db, host_city, create_cohort, status, in_host_city):
    cohort = create_cohort(host_city, status=status)
    report = filing.check_rows(db.session, cohort, [mentee(1)])
    assert _codes(report) == [(None, None, "phase_import")]
    with pytest.raises(ImportRejected) as rejected:
        filing.import_rows(db.session, cohort, [mentee(1)], consent_confirmed=True, consent_default=GIVEN)
    assert _codes(rejected.value.report) == [(None, None, "phase_import")]
    assert _count(db, cohort) == 0


def test_accepted_rows_must_fit_the_round(db, host_city, create_cohort, create_application, in_host_city):
    cohort = create_cohort(host_city, mentee_capacity=2)
    create_application(cohort, status="accepted")
    rows = [mentee(1, status="accepted"), mentee(2, status="accepted"), mentee(3)]
    report = filing.check_rows(db.session, cohort, rows)
    assert _codes(report) == [(None, "status", "import_mentees_full")]
    assert report.problems[0].params == {"capacity": 2, "accepted": 1, "adding": 2}
    assert filing.check_rows(db.session, cohort, rows[1:]).ok


def test_a_row_refused_by_the_service_after_the_check_undoes_the_whole_import(db, host_city, create_cohort,
                                                                               create_application, monkeypatch,
                                                                               in_host_city):
    cohort = create_cohort(host_city)
    real = filing.submit_many

    def meanwhile(session, cohort, items, **kwargs):
        # Another request files the third address between the check and the write.
        create_application(cohort, email="mentee3@example.org")
        return real(session, cohort, items, **kwargs)

    monkeypatch.setattr(filing, "submit_many", meanwhile)
    with pytest.raises(ImportRejected) as rejected:
        filing.import_rows(db.session, cohort, [mentee(1), mentee(2), mentee(3)], consent_confirmed=True,
                           consent_default=GIVEN)
    assert _codes(rejected.value.report) == [(4, "email", "already_applied")]
    assert _count(db, cohort) == 0  # rows 1 and 2 are undone (and, here, the emulated other write with them)


def test_decisions_wait_until_the_round_recruits(db, host_city, create_cohort, in_host_city):
    planned = create_cohort(host_city, status="planned")
    with pytest.raises(ImportRejected) as rejected:
        filing.import_rows(db.session, planned, [mentee(1, status="accepted")], consent_confirmed=True,
                           consent_default=GIVEN)
    assert [p.code for p in rejected.value.report.problems] == ["import_decisions_not_yet"]
    report = filing.import_rows(db.session, planned, [mentee(1)], consent_confirmed=True, consent_default=GIVEN)
    assert report.imported == 1
    assert _count(db, planned) == 1


def test_names_match_partners_whatever_their_case_even_beyond_ascii(db, host_city, create_cohort, in_host_city):
    orsted = create_partner(host_city, name="Ørsted")
    cohort = create_cohort(host_city)
    filing.import_rows(db.session, cohort, [mentor(1, employer="ØRSTED")], consent_confirmed=True,
                       consent_default=GIVEN)
    assert db.session.execute(select(Application.employer_id)).scalar_one() == orsted.id
