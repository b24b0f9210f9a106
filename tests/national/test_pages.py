"""The national pages: figures from the rollups, suppressed; no names; bad filters refused; no city pages."""

import re
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, text

from mentorby.platform import writes
from mentorby.platform.i18n import SESSION_KEY
from mentorby.platform.national import figures
from mentorby.platform.national.figures import national
from mentorby.platform.national.models import CriterionRollup, RoundRollup
from mentorby.platform.national.suppression import shown
from tests import factories as F
from tests.evaluation.helpers import give, running_round


@pytest.fixture
def stakeholder(create_user):
    return create_user(platform_role="national", email="national@example.org")


@pytest.fixture
def results(db, host_city, other_city):
    """Two cities' rounds with answers, committed (so the rollups are filled)."""
    for city, mentees, year in ((host_city, 12, 2025), (other_city, 3, 2025), (host_city, 7, 2026)):
        cohort = running_round(city, mentors=6, mentees=mentees, starts_on=date(year, 2, 1))
        sent = F.send_survey(cohort, "closing")
        give(sent, "mentee", [{"network": "5", "direction": ("text", "Mette Hemmelig wrote this")}] * 3)
        db.session.commit()


def _counts(figures):
    """Every count of people the figures show."""
    for column in figures["participants"].values():
        yield from column.values()
    for criterion in figures["criteria"]:
        for cell in criterion["years"].values():
            yield cell["yes"]
            yield cell["base"]


def test_the_stakeholder_sees_the_results_with_small_cells_hidden(app, db, results, stakeholder, login):
    client = login(stakeholder, target=app.test_client())
    page = client.get("/national/")
    assert page.status_code == 200
    assert "Results across cities" in page.text and "&lt;5" in page.text
    assert "Mette" not in page.text and "@" not in page.text.split("<main", 1)[-1].split("</main>")[0]
    figures = national(db.session)
    assert figures["participants"]["all"]["mentor"] == 18 and figures["rounds"]["all"] == 3
    # Aarhus's 3 mentees are "<5" in 2025's column only through the round's city total; 2025 has 15 mentees.
    assert figures["participants"][2025]["mentee"] == 15
    assert all(not shown(value) or value == 0 or value >= 5 for value in _counts(figures))


def test_a_year_filter_shows_that_year(app, db, results, stakeholder, login):
    client = login(stakeholder, target=app.test_client())
    page = client.get("/national/?year=2026")
    assert page.status_code == 200 and 'value="2026" selected' in page.text


def test_the_kept_tables_follow_new_rollups_and_keep_languages_and_pages_apart(app, db, results, stakeholder,
                                                                                login, host_city):
    client = login(stakeholder, target=app.test_client())
    rounds = re.compile(r"Rounds run</dt><dd>(\d+)<")
    assert rounds.search(client.get("/national/").text).group(1) == "3"
    with client.session_transaction() as session:
        session[SESSION_KEY] = "da"
    danish = client.get("/national/").text
    assert "Gennemførte forløb</dt><dd>3<" in danish and "Rounds run" not in danish
    with client.session_transaction() as session:
        session[SESSION_KEY] = "en"
    assert "Rounds run</dt><dd>3<" in client.get("/national/").text
    public = app.test_client().get("/national/public", headers={"Accept-Language": "en"}).text
    assert 'action="/national/public"' in public and 'action="/national/"' not in public
    # Another round is rolled up: the next page has the new figures, not the tables kept from the old ones.
    cohort = running_round(host_city, mentors=6, mentees=5, starts_on=date(2026, 9, 1))
    give(F.send_survey(cohort, "closing"), "mentee", [{"network": "5"}] * 3)
    db.session.commit()
    assert rounds.search(client.get("/national/").text).group(1) == "4"


def test_a_worker_trusts_the_state_it_read_for_a_moment_then_reads_it_again(app, db, results, stakeholder, login,
                                                                           count_queries, monkeypatch):
    client = login(stakeholder, target=app.test_client())
    rounds = re.compile(r"Rounds run</dt><dd>(\d+)<")
    # A long moment, so that a slow machine does not outlast it between the requests below.
    monkeypatch.setattr(figures, "STATE_SECONDS", 3600.0)
    assert rounds.search(client.get("/national/").text).group(1) == "3"
    # The next page reads nothing of the rollups: the stamp, the years and the figures are kept.
    with count_queries() as counter:
        assert rounds.search(client.get("/national/").text).group(1) == "3"
    assert not any("round_rollup" in statement or "FROM tenant" in statement for statement in counter.statements), \
        counter.statements  # nor the cities: their counts and the page of them are kept with the state
    # A round's rollup goes where this worker's sessions do not see it (as in another process, which commits it):
    # the figures are what they were until the state is STATE_SECONDS old, then the page reads it again.
    db.session.execute(text("delete from round_rollup where id = (select max(id) from round_rollup)"))
    assert rounds.search(client.get("/national/").text).group(1) == "3"
    monkeypatch.setattr(figures, "STATE_SECONDS", 0.0)
    assert rounds.search(client.get("/national/").text).group(1) == "2"


def test_a_change_to_the_rollups_through_the_worker_shows_at_once(app, db, results, stakeholder, login, monkeypatch,
                                                                   other_city):
    client = login(stakeholder, target=app.test_client())
    rounds = re.compile(r"Rounds run</dt><dd>(\d+)<")
    monkeypatch.setattr(figures, "STATE_SECONDS", 3600.0)
    assert rounds.search(client.get("/national/").text).group(1) == "3"
    # A write elsewhere in the worker that leaves the rollups and cities alone keeps the shared state.
    F.create_user(email="someone.else@example.org")
    db.session.commit()
    assert figures._RECENT
    db.session.execute(delete(RoundRollup).where(RoundRollup.id == db.session.scalar(func.max(RoundRollup.id))))
    db.session.commit()
    assert rounds.search(client.get("/national/").text).group(1) == "2"
    # A city renamed through the worker is listed under its new name at once.
    other_city.name = "Nytby Kommune"
    db.session.commit()
    assert "Nytby Kommune" in client.get("/national/").text


def test_a_transaction_that_wrote_keeps_its_state_to_itself(app, db, results, host_city, other_city):
    with app.test_request_context():
        national(db.session)
        assert figures._RECENT  # read without writing: shared with the worker's next requests
        db.session.commit()
        # Its first statement a bulk write, before the session's transaction has begun.
        db.session.execute(delete(RoundRollup).where(RoundRollup.city_id == other_city.id))
        assert not figures._RECENT
        national(db.session)  # its own state, which a rollback would undo: not shared
        assert not figures._RECENT
        db.session.commit()
        national(db.session)  # a new transaction that wrote nothing shares again
        assert figures._RECENT


def test_a_rollback_forgets_the_shared_state_only_if_it_undid_a_write(app, db, results):
    with app.test_request_context():
        db.session.commit()
        # A test's connection holds the fixture's writes until the test ends; in production a commit ends them, which
        # is what dropping the mark stands for here.
        db.session.connection().info.pop(writes._ON_CONNECTION, None)
        national(db.session)
        db.session.rollback()  # a request that only read and was refused (a 404): nothing undone
        assert figures._RECENT
        national(db.session)
        F.create_user(email="someone.else@example.org")  # flushed: neither the rollups nor the cities
        assert figures._RECENT
        db.session.rollback()  # a write undone (its cascades could have reached anything): read the state again
        assert not figures._RECENT


@pytest.mark.parametrize("year", ["1999", "abc", "2025' or 1=1--", "２０２５", "20251", "<script>"])
def test_bad_filters_get_a_clear_400(app, db, results, stakeholder, login, year):
    client = login(stakeholder, target=app.test_client())
    for target in (client, app.test_client()):
        url = "/national/public" if target is not client else "/national/"
        response = target.get(url, query_string={"year": year})
        assert response.status_code == 400
        assert "no national figures for that year" in response.text
        assert "<script>" not in response.text


def test_the_headline_figures_are_public(app, db, results):
    page = app.test_client().get("/national/public")
    assert page.status_code == 200
    assert "Mette" not in page.text and "&lt;5" in page.text


def test_the_stakeholder_reads_no_city_page(app, db, results, stakeholder, login):
    client = login(stakeholder, target=app.test_client())
    for url in ("/lyngby-taarbaek/coordinator/", "/lyngby-taarbaek/applications/", "/aarhus/coordinator/",
                "/lyngby-taarbaek/portal/"):
        response = client.get(url)
        assert response.status_code in (302, 403, 404), url
        assert "Mette" not in response.text


rollup_rows = st.lists(st.tuples(st.integers(0, 2), st.sampled_from([2024, 2025, 2026]), st.integers(0, 9),
                                 st.integers(0, 9), st.integers(0, 9), st.integers(0, 9)), min_size=1, max_size=12)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rollup_rows, year=st.sampled_from([None, 2024, 2025, 2026]))
def test_generated_rollups_never_give_a_count_under_five(db, host_city, other_city, create_city, rows, year):
    db.session.execute(delete(CriterionRollup))
    db.session.execute(delete(RoundRollup))
    cities = [host_city.id, other_city.id, create_city().id]
    for number, (city, starts, mentors, mentees, yes, no) in enumerate(rows, start=1):
        cohort_id = 10_000 + number
        db.session.add(RoundRollup(cohort_id=cohort_id, city_id=cities[city], year=starts, status="running",
                                   mentors=mentors, mentees=mentees))
        db.session.flush()
        db.session.add(CriterionRollup(cohort_id=cohort_id, code="mentee_network", role="mentee",
                                       city_id=cities[city], year=starts, threshold=0.6667, of_everyone=False,
                                       yes=yes, answered=yes + no, eligible=mentees + yes + no))
    db.session.flush()
    known = sorted({row[1] for row in rows})
    figures = national(db.session, year if year in known else None)
    for value in _counts(figures):
        assert not shown(value) or value == 0 or value >= 5
    # Cities' own shares only from three cities, beside a pooled share that is shown (else they give counts back).
    for criterion in figures["criteria"]:
        if criterion["spread"] is not None:
            assert criterion["cities_judged"] >= 3 and criterion["years"][figures["column"]]["share"] is not None
    text = repr(figures)
    assert not re.search(r"@|Lyngby|Aarhus", text)


def test_employment_is_not_a_national_zero_before_any_follow_up_went_out(db, results):
    figures = national(db.session)
    # The rounds' closing surveys went out, their 6-month follow-ups did not: nobody is counted yet.
    assert figures["employment"]["years"]["all"]["base"] == 0
    assert figures["employment"]["years"]["all"]["share"] is None
