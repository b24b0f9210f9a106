"""The national figures by region: the filter, its bad values, and every filter over HTTP as one decision."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from mentorby.platform.cities.models import Region
from mentorby.platform.national.figures import ALL
from mentorby.platform.national.models import CriterionRollup, RoundRollup
from mentorby.platform.national.suppression import cube, determined
from tests.national.test_pages import results, stakeholder  # noqa: F401 (fixtures)

COUNT_KEYS = ("mentors", "mentees", "participants")


def test_a_region_shows_its_own_cities_only(app, db, results, stakeholder, login):  # noqa: F811
    client = login(stakeholder, target=app.test_client())
    page = client.get("/national/?region=midtjylland")
    assert page.status_code == 200
    assert 'value="midtjylland" selected' in page.text and "Showing Central Denmark Region." in page.text
    main = page.text.split("<main", 1)[1].split("</main>")[0]
    assert "Aarhus Career Mentoring" in main and "Lyngby-Taarbæk Vidensby" not in main
    data = app.test_client().get("/api/v1/national/figures?region=hovedstaden&year=2025").get_json()
    assert data["region"] == "hovedstaden" and data["regions"] == []
    assert [row["mentees"] for row in data["participants"]] == [12]  # Lyngby's 2025 round alone
    everywhere = app.test_client().get("/api/v1/national/figures?year=2025").get_json()
    by_region = {row["region"]: row for row in everywhere["regions"]}
    assert set(by_region) == set(Region.codes())
    assert by_region["hovedstaden"]["cities_live"] == 1 and by_region["syddanmark"]["participants"] == 0


def test_the_pages_list_the_cities_by_region_in_danish_too(app, db, results, stakeholder, login):  # noqa: F811
    client = login(stakeholder, target=app.test_client())
    page = client.get("/national/", headers={"Accept-Language": "da"})
    assert "Region Hovedstaden" in page.text and "Deltagere pr. region" in page.text


@pytest.mark.parametrize("region", ["bornholm", "HOVEDSTADEN", "none", "hovedstaden' or 1=1--", "<script>", "１"])
def test_bad_regions_get_a_clear_400(app, db, results, stakeholder, login, region):  # noqa: F811
    client = login(stakeholder, target=app.test_client())
    for target, url in ((client, "/national/"), (app.test_client(), "/national/public")):
        response = target.get(url, query_string={"region": region})
        assert response.status_code == 400
        assert "no such region" in response.text and "<script>" not in response.text
    for url in ("/api/v1/national/figures", "/api/v1/national/figures.csv"):
        response = app.test_client().get(url, query_string={"region": region})
        assert response.status_code == 400 and "Unknown region" in response.get_json()["message"]


# --- every filter combination over HTTP, on generated rollups ---------------------------------------------------

REGIONS = ("hovedstaden", "midtjylland", None)
rows = st.lists(st.tuples(st.integers(0, 2), st.sampled_from([2024, 2025]), st.integers(0, 9), st.integers(0, 9),
                          st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=10)


@pytest.fixture
def three_cities(host_city, other_city, create_city):
    """Lyngby (Capital Region), Aarhus (Central Denmark) and a city that has not said its region."""
    return [host_city, other_city, create_city(slug="ukendt", name="Ukendt By", region=None)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(generated=rows)
def test_no_filter_combination_gives_a_small_count_or_a_person(app, db, three_cities, create_user, generated):
    db.session.execute(delete(CriterionRollup))
    db.session.execute(delete(RoundRollup))
    truth: dict = {}
    for number, (city, year, mentors, mentees, yes, no) in enumerate(generated, start=1):
        city_row = three_cities[city]
        db.session.add(RoundRollup(cohort_id=20_000 + number, city_id=city_row.id, year=year, status="closed",
                                   mentors=mentors, mentees=mentees))
        db.session.flush()
        db.session.add(CriterionRollup(cohort_id=20_000 + number, code="mentee_network", role="mentee",
                                       city_id=city_row.id, year=year, threshold=0.6667, yes=yes, answered=yes + no,
                                       eligible=mentees))
        region = REGIONS[city] or "none"
        for role, count in (("mentor", mentors), ("mentee", mentees)):
            truth[(region, year, role)] = truth.get((region, year, role), 0) + count
    db.session.flush()
    years = sorted({row[1] for row in generated})
    client = app.test_client()
    seen: dict = {}
    for year, region in itertools.product([None, *years], [None, *Region.codes()]):
        query = {key: value for key, value in (("year", year), ("region", region)) if value is not None}
        response = client.get("/api/v1/national/figures", query_string=query)
        assert response.status_code == 200, query
        assert "@" not in response.text and "Lyngby" not in response.text and "Ukendt" not in response.text
        data = response.get_json()
        for row in data["participants"]:
            for key in COUNT_KEYS:
                value = row[key]
                assert value in ("<5", "–") or value == 0 or value >= 5, (query, row)
                role = {"mentors": "mentor", "mentees": "mentee", "participants": ALL}[key]
                column = int(row["year"]) if row["year"] != ALL else ALL
                cell = (region or ALL, column, role)
                assert seen.setdefault(cell, value) == value, "two filters show one figure differently"
        for row in data["regions"]:  # every region's row, cities without one included, beside the totals
            for key in COUNT_KEYS:
                value = row[key]
                assert value in ("<5", "–") or value == 0 or value >= 5, (query, row)
                role = {"mentors": "mentor", "mentees": "mentee", "participants": ALL}[key]
                cell = (row["region"], year or ALL, role)
                assert seen.setdefault(cell, value) == value, "two filters show one figure differently"
        for row in data["criteria"]:
            assert all(row[key] in ("<5", "–") or row[key] == 0 or row[key] >= 5 for key in ("yes", "base"))
        csv_text = client.get("/api/v1/national/figures.csv", query_string=query).text
        assert "Lyngby" not in csv_text and "@" not in csv_text
    # Everything the filters showed, taken together, gives back no hidden count by any chain of sums.
    regions = [*Region.codes(), "none"]
    cells, groups = cube([regions, years, ["mentor", "mentee"]], truth)
    assert set(seen) == set(cells)  # every cell of the cube is shown by some filter
    hidden = {key for key, value in seen.items() if not isinstance(value, int)}
    assert not determined(cells, groups, hidden)
