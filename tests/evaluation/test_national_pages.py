"""A city compares itself: its criteria beside the national pooled figures, on the round's page and the comparison."""

from datetime import date

import pytest

from tests import factories as F
from tests.evaluation.helpers import give, running_round

CITY = "/lyngby-taarbaek/coordinator"
NETWORK = "At least 2/3 of mentors report a developed personal and professional network"
MENTEE_NETWORK = "At least 2/3 of mentees report a strengthened professional network"
OWN = "At least half of the mentees have spoken Danish with their mentor."


@pytest.fixture
def nationwide(db, host_city, other_city):
    """Two cities' rounds of 2025, committed (so the rollups hold them): Lyngby's mentors 8 of 10 yes on the network,
    Aarhus's 3 of 6 (5 no in all: the country's share is shown); Lyngby's 3 mentees answered (too few, nationally
    too); Lyngby has a criterion of its own."""
    F.SuccessCriterionFactory(city=host_city, code="city_own_danish", role="mentee", question_key="network",
                              yes_values=["4", "5"])
    rounds = {}
    for city, mentors, yes in ((host_city, 10, 8), (other_city, 6, 3)):
        cohort = running_round(city, mentors=mentors, mentees=3, status="closed", starts_on=date(2025, 2, 1),
                               name="Forår 2025")
        closing = F.send_survey(cohort, "closing")
        give(closing, "mentor", [{"network": "5"}] * yes + [{"network": "2"}] * (mentors - yes))
        if city is host_city:
            give(closing, "mentee", [{"network": "4"}] * 3)
        rounds[city.slug] = cohort.id
    db.session.commit()
    return rounds


def _row(page: str, statement: str) -> str:
    """The row of the national table (the last table on the page holding the statement)."""
    section = page[page.index('aria-labelledby="national-title"'):]
    start = section.index(statement)
    return section[start:section.index("</tr>", start)]


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.text


def test_the_round_page_shows_the_national_figures_beside_the_citys(client, login, coordinator, nationwide):
    login(coordinator)
    page = _get(client, f"{CITY}/cohorts/{nationwide['lyngby-taarbaek']}/evaluation")
    assert "Beside the national figures" in page and "The round beside the national figures for 2025" in page
    network = _row(page, NETWORK)
    # Lyngby 8/10 = 80%; both cities pooled 11/16 = 69%; 1 of 2 meets its 2/3. With two cities the spread would be
    # each city's own share (the other's, beside the pooled base): it is not shown.
    assert "<td>80%</td>" in network and "<td>69%</td>" in network
    assert "50%" not in network and "<td>–</td>" in network and "1 of 2 cities" in network
    assert "▲ Above the national share by 11 points" in network


def test_the_spread_shows_from_three_cities(client, db, login, coordinator, nationwide, create_city):
    third = create_city(slug="odense", name="Odense Career Mentoring")
    cohort = running_round(third, mentors=6, mentees=3, status="closed", starts_on=date(2025, 2, 1))
    give(F.send_survey(cohort, "closing"), "mentor", [{"network": "5"}] * 5 + [{"network": "2"}])
    db.session.commit()
    login(coordinator)
    network = _row(_get(client, f"{CITY}/cohorts/{nationwide['lyngby-taarbaek']}/evaluation"), NETWORK)
    # Shares 50% (Aarhus), 80% (Lyngby), 83% (Odense); 2 of 3 meet 2/3; pooled 16 of 22 = 73%.
    assert "50% · 80% · 83%" in network and "2 of 3 cities" in network and "<td>73%</td>" in network


def test_a_city_below_the_country_reads_below(client, login, other_coordinator, nationwide):
    login(other_coordinator)
    page = _get(client, f"/aarhus/coordinator/cohorts/{nationwide['aarhus']}/evaluation")
    assert "▼ Below the national share by 19 points" in _row(page, NETWORK)


def test_a_suppressed_national_figure_says_so_plainly(client, login, coordinator, nationwide):
    login(coordinator)
    page = _get(client, f"{CITY}/cohorts/{nationwide['lyngby-taarbaek']}/evaluation")
    mentees = _row(page, MENTEE_NETWORK)
    # 3 mentees answered in the whole country: "<5", so no share, no comparison.
    assert "Not enough answers nationally yet" in mentees and "Nothing to compare with yet." in mentees
    assert "Above" not in mentees and "Below" not in mentees


def test_the_citys_own_criterion_has_no_national_figure(client, login, coordinator, nationwide):
    login(coordinator)
    for url in (f"{CITY}/cohorts/{nationwide['lyngby-taarbaek']}/evaluation", f"{CITY}/evaluation"):
        own = _row(_get(client, url), OWN)
        assert "No national figure" in own and "the criterion is the city's own" in own


def test_the_comparison_pools_the_citys_rounds_beside_all_years(client, db, login, coordinator, nationwide,
                                                                  host_city):
    newer = running_round(host_city, mentors=5, status="closed", starts_on=date(2026, 2, 1), name="Forår 2026")
    give(F.send_survey(newer, "closing"), "mentor", [{"network": "5"}] * 5)
    db.session.commit()
    login(coordinator)
    page = _get(client, f"{CITY}/evaluation")
    assert "The city's rounds pooled beside the national figures for all years" in page
    network = _row(page, NETWORK)
    # Lyngby's two rounds pooled: 13 of 15 = 87%; the country all years 16 of 21 = 76%.
    assert "<td>87%</td>" in network and "<td>76%</td>" in network
    assert "Above the national share by 10 points" in network


def test_a_year_without_national_figures_says_so(client, db, login, coordinator, in_host_city):
    host_city = in_host_city
    cohort = running_round(host_city, mentors=5, starts_on=date(2027, 2, 1))
    give(F.send_survey(cohort, "closing"), "mentor", [{"network": "5"}] * 5)
    cohort.status = "planned"  # back to planned: not a round run, so the country has no figures of 2027
    cohort_id = cohort.id
    db.session.commit()
    login(coordinator)
    network = _row(_get(client, f"{CITY}/cohorts/{cohort_id}/evaluation"), NETWORK)
    assert "<td>100%</td>" in network and "Not enough answers nationally yet" in network


def test_the_national_column_reads_in_danish(client, login, coordinator, nationwide):
    login(coordinator)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "da"
    page = _get(client, f"{CITY}/cohorts/{nationwide['lyngby-taarbaek']}/evaluation")
    for words in ("Ved siden af de landsdækkende tal", "Alle byer samlet", "Over landsandelen med 11 procentpoint",
                  "1 af 2 byer", "Endnu ikke nok svar på landsplan", "Intet landstal", "Sammenlignet med landet"):
        assert words in page, words
    compare = _get(client, f"{CITY}/evaluation")
    assert "Byens forløb samlet ved siden af de landsdækkende tal for alle år" in compare


def test_the_national_figures_cost_the_same_queries_whatever_the_rounds(client, db, login, coordinator, nationwide,
                                                                         host_city, count_queries):
    login(coordinator)
    counts = []
    for _ in range(2):
        with count_queries() as counter:
            _get(client, f"{CITY}/evaluation")
        counts.append(counter.count)
        cohort = running_round(host_city, mentors=5, status="closed", starts_on=date(2026, 2, 1))
        give(F.send_survey(cohort, "closing"), "mentor", [{"network": "5"}] * 5)
        db.session.commit()
    assert counts[0] == counts[1], counts
