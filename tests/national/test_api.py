"""The national open data: JSON and CSV, suppressed as the pages, public, bad years refused."""

import csv
import io

import pytest

from tests.national.test_pages import results  # noqa: F401 (the fixture)


def test_the_figures_as_json_have_no_count_under_five(app, db, results):  # noqa: F811
    response = app.test_client().get("/api/v1/national/figures")
    assert response.status_code == 200
    data = response.get_json()
    assert data["years"] == [2025, 2026] and data["cities_live"] == 2
    counts = [row[key] for row in data["participants"] for key in ("mentors", "mentees", "participants")]
    counts += [row[key] for row in data["criteria"] for key in ("yes", "base")]
    assert "<5" in counts
    assert all(value in ("<5", "–") or value == 0 or value >= 5 for value in counts)
    assert "Mette" not in response.text and "@" not in response.text


def test_the_figures_as_csv_are_the_same(app, db, results):  # noqa: F811
    response = app.test_client().get("/api/v1/national/figures.csv?year=2025")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    mentees = [row["value"] for row in rows if row["table"] == "participants" and row["measure"] == "mentees"]
    assert mentees == ["15"]
    assert "Mette" not in response.text


@pytest.mark.parametrize("year, code", [("abc", 400), ("2025' or 1=1--", 400), ("1999", 404), ("<b>", 400)])
def test_bad_years_are_refused(app, db, results, year, code):  # noqa: F811
    for url in ("/api/v1/national/figures", "/api/v1/national/figures.csv"):
        response = app.test_client().get(url, query_string={"year": year})
        assert response.status_code == code
        assert "Unknown year" in response.get_json()["message"]
