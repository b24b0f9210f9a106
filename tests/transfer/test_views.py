import csv
import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from mentorby.tenants.applications.models import Application
from mentorby.tenants.transfer.schema import COLUMNS, IMPORT_COLUMNS, MAX_BYTES
from tests.transfer.samples import csv_bytes, mentee, mentor, xlsx_bytes


def _url(cohort, path="import", city="lyngby-taarbaek"):
    return f"/{city}/coordinator/cohorts/{cohort.id}/{path}"


def _count(db, cohort):
    """How many applications the round has (the test reads as the round's city)."""
    return db.session.execute(
        select(func.count()).select_from(Application).where(Application.cohort_id == cohort.id)
    ).scalar_one()


def _post(client, cohort, data: bytes, *, filename="people.csv", action="import", consent=True, city=None):
    form = {"file": FileStorage(io.BytesIO(data), filename=filename), "action": action}
    if consent:
        form |= {"consent": "y", "consent_on": "2026-09-01", "consent_channel": "paper"}
    # Encoded here in memory: the test client spools a large body to a temporary file that it never closes.
    boundary, body = encode_multipart(form)
    return client.post(_url(cohort, city=city or "lyngby-taarbaek"), data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


@pytest.fixture
def cohort(in_host_city, create_cohort):
    """Lyngby's round that the files go into; the test reads as Lyngby."""
    return create_cohort(in_host_city, name="Spring 2027")


def test_coordinator_checks_then_imports(client, db, login, coordinator, cohort):
    login(coordinator)
    page = client.get(_url(cohort))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in page.text and 'accept=".csv,.xlsx' in page.text
    assert 'aria-describedby="consent-hint"' in page.text and 'id="consent-hint"' in page.text
    assert "import-template.xlsx" in page.text and "export.csv" in page.text

    data = csv_bytes([mentee(1), mentee(2, status="accepted"), mentor(3)], delimiter=";", bom=True)
    checked = _post(client, cohort, data, action="check", consent=False)
    assert checked.status_code == 200
    assert "The file is ready to import" in checked.text and "3 rows read" in checked.text
    assert "2 mentees" in checked.text and "1 mentor." in checked.text
    assert _count(db, cohort) == 0

    imported = _post(client, cohort, data)
    assert imported.status_code == 302
    assert imported.headers["Location"].endswith(f"/coordinator/cohorts/{cohort.id}") or \
        imported.headers["Location"].endswith(_url(cohort))
    assert _count(db, cohort) == 3
    assert "3 applications imported." in client.get(_url(cohort)).text
    statuses = dict(db.session.execute(select(Application.email, Application.status)).all())
    assert statuses["mentee2@example.org"] == "accepted" and statuses["mentor3@example.org"] == "submitted"

    again = _post(client, cohort, data)
    assert again.status_code == 422
    assert "already has an application in this round" in again.text and _count(db, cohort) == 3


def test_a_check_lists_every_bad_row_with_its_number(client, db, login, coordinator, cohort):
    login(coordinator)
    data = xlsx_bytes([mentee(1), mentee(2, arrived_on="someday"), mentor(3, industry="alchemy"), mentee(4)])
    response = _post(client, cohort, data, filename="people.xlsx", action="check")
    assert response.status_code == 200
    assert "The file has problems" in response.text and "2 with problems" in response.text
    assert "<caption>Problems found, by row</caption>" in response.text
    assert '<th scope="row">3</th><td><code>arrived_on</code></td><td>someday</td>' in response.text
    assert '<th scope="row">4</th><td><code>industry</code></td>' in response.text
    assert "“alchemy” is not one of the codes" in response.text
    assert _count(db, cohort) == 0


def test_ten_thousand_rows_with_one_bad_row_are_refused_whole_over_http(client, db, login, coordinator, cohort):
    login(coordinator)
    rows = [mentee(n) for n in range(10_000)]
    rows[4_998]["languages"] = "en, elvish"
    response = _post(client, cohort, csv_bytes(rows), filename="all.csv")
    # More rows than a request reads: the file becomes a job (run at once here, HUEY_IMMEDIATE) with its own page.
    assert response.status_code == 302 and "/import/" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert "Nothing was imported" in page.text and "10000 rows read" in page.text
    assert '<th scope="row">5000</th><td><code>languages</code></td>' in page.text
    assert _count(db, cohort) == 0


@pytest.mark.parametrize(
    ("filename", "data", "message"),
    [
        ("people.txt", b"role,name\n", "Choose a .csv or .xlsx file"),
        ("people.xlsx", b"this is not a workbook", "could not be read as an Excel workbook"),
        ("people.csv", b"name;mail\nA;a@example.org\n", "Unknown columns: mail"),
        ("people.csv", b"role,name,email,field,languages\n", "no applications below the header row"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_written(client, db, login, coordinator, cohort, filename, data,
                                                        message):
    login(coordinator)
    for action in ("check", "import"):
        response = _post(client, cohort, data, filename=filename, action=action)
        assert response.status_code == 422, action
        assert message in response.text
        assert 'class="error-summary"' in response.text and 'href="#file"' in response.text
    assert _count(db, cohort) == 0


def test_a_long_list_of_problems_is_cut_short_on_the_page(client, db, login, coordinator, cohort, monkeypatch):
    from mentorby.blueprints import transfer

    monkeypatch.setattr(transfer, "SHOWN_PROBLEMS", 3)
    login(coordinator)
    response = _post(client, cohort, csv_bytes([mentee(n, field="?") for n in range(5)]), action="check")
    assert response.status_code == 200
    assert response.text.count('<th scope="row">') == 3 + len(IMPORT_COLUMNS)  # the problems, then the column guide
    assert "The first 3 of 5 problems are listed." in response.text


def test_no_file_is_refused(client, login, coordinator, cohort):
    login(coordinator)
    response = client.post(_url(cohort), data={"action": "check"}, content_type="multipart/form-data")
    assert response.status_code == 422 and "Choose the file to import." in response.text


def test_a_file_over_the_limit_gets_a_clear_message(client, db, login, coordinator, cohort):
    login(coordinator)
    data = csv_bytes([mentee(1)]) + b"#" * (MAX_BYTES + 1)
    response = _post(client, cohort, data, action="check")
    assert response.status_code == 422 and "larger than 10 MB" in response.text


def test_import_without_the_consent_box_is_refused(client, db, login, coordinator, cohort):
    login(coordinator)
    response = _post(client, cohort, csv_bytes([mentee(1)]), consent=False)
    assert response.status_code == 422
    assert "Tick the box to confirm that everyone in the file agreed" in response.text
    assert 'href="#consent"' in response.text
    assert _count(db, cohort) == 0


def test_a_closed_round_takes_no_import(client, db, login, coordinator, in_host_city, create_cohort):
    closed = create_cohort(in_host_city, status="closed")
    login(coordinator)
    for action in ("check", "import"):
        response = _post(client, closed, csv_bytes([mentee(1)]), action=action)
        assert response.status_code == 422
        assert "Applications can be imported until the round starts running." in response.text
    assert _count(db, closed) == 0


def test_strangers_are_sent_to_sign_in(client, db, cohort):
    for path in ("import", "export.csv", "import-template.csv"):
        response = client.get(_url(cohort, path))
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = _post(client, cohort, csv_bytes([mentee(1)]))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _count(db, cohort) == 0


def test_another_citys_coordinator_gets_nothing(client, db, login, other_coordinator, cohort):
    login(other_coordinator)
    for path in ("import", "export.csv", "export.xlsx", "import-template.csv"):
        assert client.get(_url(cohort, path)).status_code == 403
        # The Lyngby round's id through Aarhus's own URLs: the same 404 as a missing round.
        assert client.get(_url(cohort, path, city="aarhus")).status_code == 404
    assert _post(client, cohort, csv_bytes([mentee(1)]), city="aarhus").status_code == 404
    assert _count(db, cohort) == 0


def test_export_downloads(client, login, coordinator, cohort, create_application):
    create_application(cohort, name="Anna Accepted", status="accepted")
    create_application(cohort, name="Sam Submitted")
    login(coordinator)
    response = client.get(_url(cohort, "export.csv"))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="spring-2027-participants-') and disposition.endswith('.csv"')
    table = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert table[0] == list(COLUMNS) and [row[1] for row in table[1:]] == ["Anna Accepted"]

    everyone = client.get(_url(cohort, "export.xlsx?status=all"))
    assert everyone.status_code == 200
    assert everyone.headers["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "spring-2027-applications-" in everyone.headers["Content-Disposition"]
    assert everyone.data.startswith(b"PK")

    submitted = client.get(_url(cohort, "export.csv?status=submitted"))
    assert "Sam Submitted" in submitted.data.decode() and "Anna" not in submitted.data.decode()
    assert client.get(_url(cohort, "export.pdf")).status_code == 404
    assert client.get(_url(cohort, "export.csv?status=hired")).status_code == 400


def test_import_templates(client, login, coordinator, cohort):
    login(coordinator)
    response = client.get(_url(cohort, "import-template.csv"))
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    assert response.data.decode("utf-8-sig").strip() == ",".join(IMPORT_COLUMNS)
    assert 'filename="spring-2027-import-template.csv"' in response.headers["Content-Disposition"]
    assert client.get(_url(cohort, "import-template.xlsx")).data.startswith(b"PK")
    assert client.get(_url(cohort, "import-template.ods")).status_code == 404


def test_export_uses_the_same_number_of_queries_for_5_and_200(db, login, coordinator, cohort, create_application,
                                                              queries_at_sizes):
    login(coordinator)

    def grow(total):
        for _ in range(total - _count(db, cohort)):
            create_application(cohort, status="accepted")

    counts, response = queries_at_sizes(_url(cohort, "export.csv"), grow, ceiling=8)
    assert counts[0] == counts[1]
    assert len(response.data.decode("utf-8-sig").strip().splitlines()) == 201


def test_a_running_round_offers_no_import_and_says_why(client, db, login, coordinator, in_host_city, create_cohort):
    running = create_cohort(in_host_city, status="running")
    login(coordinator)
    page = client.get(_url(running))
    assert page.status_code == 200
    assert '<p class="notice">Applications can be imported until the round starts running.</p>' in page.text
    assert 'enctype="multipart/form-data"' not in page.text and "export.csv" in page.text
    response = _post(client, running, csv_bytes([mentee(1)]))
    assert response.status_code == 422 and _count(db, running) == 0
