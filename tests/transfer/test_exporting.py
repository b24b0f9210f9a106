import csv
import io

import pytest
from openpyxl import load_workbook

from mentorby.tenants.transfer import exporting, filing
from mentorby.tenants.transfer.schema import COLUMNS, IMPORT_COLUMNS
from tests.transfer.samples import GIVEN


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "Excel needs the byte-order mark to read UTF-8"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def _xlsx_rows(data: bytes) -> list[tuple]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    return rows


@pytest.fixture
def cohort(in_host_city, create_cohort, create_application):
    host_city = in_host_city
    cohort = create_cohort(host_city, name="Forår 2027: Lyngby")
    create_application(cohort, name="Åse Accepted", email="ase@example.org", status="accepted",
                       job_goal="=cmd|' /C calc'!A0", phone="+45 20 30 40 50")
    create_application(cohort, role="mentor", name="Mads Mentor", email="mads@example.org", status="accepted",
                       expertise="@SUM(1,2), -wind")
    create_application(cohort, name="Wendy Waitlisted", email="wendy@example.org", status="waitlisted")
    create_application(cohort, name="Nina New", email="nina@example.org")
    return cohort


def _rows(db, cohort, status="accepted"):
    return exporting.applications(db.session, cohort, status)


def test_csv_has_the_import_columns_and_only_accepted_participants_by_default(db, cohort):
    table = _csv_rows(exporting.to_csv(_rows(db, cohort)))
    assert table[0] == list(COLUMNS)
    by_name = {row[1]: dict(zip(COLUMNS, row, strict=True)) for row in table[1:]}
    assert set(by_name) == {"Åse Accepted", "Mads Mentor"}
    ase, mads = by_name["Åse Accepted"], by_name["Mads Mentor"]
    assert ase["role"] == "mentee" and ase["status"] == "accepted" and ase["languages"] == "en"
    assert ase["years_experience"] == "5" and ase["danish_level"] == "beginner"
    # The other role's columns are blank, not the database's defaults.
    assert ase["employer"] == ase["mentoring_format"] == ase["mentee_capacity"] == ""
    assert mads["job_goal"] == mads["years_experience"] == "" and mads["mentee_capacity"] == "1"


def test_cells_a_spreadsheet_would_run_as_formulas_are_quoted(db, cohort):
    for rows in (_csv_rows(exporting.to_csv(_rows(db, cohort))), _xlsx_rows(exporting.to_xlsx(_rows(db, cohort)))):
        by_name = {row[1]: dict(zip(COLUMNS, row, strict=True)) for row in rows[1:]}
        assert by_name["Åse Accepted"]["job_goal"] == "'=cmd|' /C calc'!A0"
        assert by_name["Åse Accepted"]["phone"] == "'+45 20 30 40 50"
        assert by_name["Mads Mentor"]["expertise"] == "'@SUM(1,2), -wind"
    assert exporting.safe_cell("-1") == "'-1" and exporting.safe_cell("\tx") == "'\tx"
    assert exporting.safe_cell("plain") == "plain" and exporting.safe_cell(5) == 5
    # Full-width signs that spreadsheets read as their ASCII twins, also behind spaces.
    for sneaky in ("＝HYPERLINK(\"http://x\")", "＋1", "－1", "＠SUM(1)", "  =1+1", "\u3000＝1"):
        assert exporting.safe_cell(sneaky) == "'" + sneaky, sneaky
    assert exporting.safe_cell("Ｍentor") == "Ｍentor"


def test_status_filter(db, cohort):
    assert [row[1] for row in _rows(db, cohort, "waitlisted")] == ["Wendy Waitlisted"]
    assert len(_rows(db, cohort, "all")) == len(_rows(db, cohort, None)) == 4
    with pytest.raises(ValueError):
        _rows(db, cohort, "hired")


def test_xlsx_has_a_header_and_date_cells(db, host_city, create_cohort, create_application, in_host_city):
    from datetime import date

    cohort = create_cohort(host_city)
    create_application(cohort, status="accepted", arrived_on=date(2024, 5, 1))
    rows = _xlsx_rows(exporting.to_xlsx(_rows(db, cohort), title="Spring: 2027/A [x]"))
    assert rows[0] == COLUMNS
    assert rows[1][COLUMNS.index("arrived_on")].date() == date(2024, 5, 1)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_imports_again_into_another_round(db, host_city, create_cohort, cohort, fmt, in_host_city):
    exported = _rows(db, cohort, "all")
    data = exporting.render(exported, fmt)
    other = create_cohort(host_city, name="Efterår 2027")
    report = filing.import_file(db.session, other, f"export.{fmt}", data, consent_confirmed=True,
                                consent_default=GIVEN)
    assert report.imported == 4
    assert _rows(db, other, "all") == exported


def test_file_names():
    from datetime import date

    class Round:
        name = "Forår 2027: Ærø & Søby!"

    today = date(2027, 3, 1)
    assert exporting.filename(Round, "accepted", "csv", today) == "foraar-2027-aeroe-soeby-participants-2027-03-01.csv"
    assert exporting.filename(Round, "all", "xlsx", today) == "foraar-2027-aeroe-soeby-applications-2027-03-01.xlsx"
    assert exporting.filename(Round, "waitlisted", "csv", today).endswith("-waitlisted-2027-03-01.csv")
    Round.name = "???"
    assert exporting.filename(Round, "accepted", "csv", today) == "round-participants-2027-03-01.csv"


def test_templates_have_the_header_only():
    # With the optional columns of how and when the city collected each person's consent.
    assert _csv_rows(exporting.template("csv")) == [list(IMPORT_COLUMNS)]
    assert _xlsx_rows(exporting.template("xlsx")) == [IMPORT_COLUMNS]
