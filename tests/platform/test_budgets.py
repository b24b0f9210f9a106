"""Query budgets of the pages the load benchmark measures (bench/load.py): each page's SQL statements per request,
at two sizes of data, stay the same and under the ceiling stated here.

A page that starts asking one more statement per row fails at once; one that asks more in all fails against its
ceiling, which is set a little above what it asks today so that a deliberate change updates this table.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mentorby.platform.extensions import db as database
from mentorby.platform.national import figures
from mentorby.platform.tenancy import tenant_scope, utcnow
from mentorby.tenants import public_page
from mentorby.tenants.applications.models import Application
from mentorby.tenants.surveys.models import Response
from mentorby.tenants.surveys.sending import SURVEY_PATH, token_of
from tests import factories as F

#: Statements per request, at most (anonymous, coordinator or national as the page needs).
BUDGETS = {
    "public page": 4,
    "public page, kept": 1,
    "public page, kept for a visitor without a cookie": 0,
    "overview": 14,
    "round page": 8,
    "selection board": 10,
    "matching board": 14,
    "survey answer page": 9,
    # On PostgreSQL the national reads go through their own role (SET LOCAL ROLE and back, once a page that reads);
    # the figures are computed once per state of the rollups, so a page asks their stamp and reads from memory ...
    "national dashboard": 7,
    "national API": 8,
    # ... and a web worker trusts the state it read for a moment: then the page reads nothing national at all, only
    # who is signed in (the test asks both as the stakeholder), and switches to no role and back.
    "national dashboard, from memory": 1,
    "national API, from memory": 1,
}


@pytest.fixture
def running(host_city):
    return F.create_cohort(host_city, name="Forår 2027", status="running", starts_on=date.today() - timedelta(days=30))


def _grow_round(cohort, city):
    """Bring the round to `total` published pairs (an accepted mentor and mentee each) and one partner a pair."""
    def grow(total):
        with tenant_scope(database.session, city.id):
            have = database.session.execute(select(func.count()).select_from(Application)
                                            .where(Application.cohort_id == cohort.id)).scalar_one() // 2
        for n in range(have, total):
            F.create_pair(cohort, published_at=utcnow())
            F.create_partner(city, name=f"Partner {n}", public=True)
    return grow


def _measure(queries_at_sizes, key, url, grow):
    counts, _page = queries_at_sizes(url, grow, ceiling=BUDGETS[key], sizes=(3, 40))
    assert counts[0] == counts[1], f"{key}: {counts}"


def test_public_page(client, host_city, running, queries_at_sizes, count_queries, monkeypatch):
    monkeypatch.setattr(public_page, "VISITOR_SECONDS", 60.0)  # a slow machine cannot let the kept page lapse
    client.set_cookie("seen", "1")  # a visitor who may hold a session: the page is made for them
    _measure(queries_at_sizes, "public page", "/lyngby-taarbaek/", _grow_round(running, host_city))
    # Once rendered, what it lists is kept by the worker until the city's stamp changes (blueprints/city.py).
    with count_queries() as counter:
        assert client.get("/lyngby-taarbaek/").status_code == 200
    assert counter.count <= BUDGETS["public page, kept"], counter.statements
    # A visitor without a cookie is given the whole page the worker rendered for one like them a moment ago.
    visitor = client.application.test_client()
    assert visitor.get("/lyngby-taarbaek/").status_code == 200
    with count_queries() as counter:
        assert visitor.get("/lyngby-taarbaek/").status_code == 200
    assert counter.count <= BUDGETS["public page, kept for a visitor without a cookie"], counter.statements


@pytest.mark.parametrize("key, path", [
    ("overview", "/lyngby-taarbaek/coordinator/"),
    ("round page", "/lyngby-taarbaek/coordinator/cohorts/{id}"),
    ("selection board", "/lyngby-taarbaek/coordinator/cohorts/{id}/applications"),
    ("matching board", "/lyngby-taarbaek/coordinator/cohorts/{id}/matching"),
])
def test_coordinator_pages(client, login, coordinator, host_city, running, queries_at_sizes, key, path):
    login(coordinator)
    _measure(queries_at_sizes, key, path.format(id=running.id), _grow_round(running, host_city))


def test_survey_answer_page(client, host_city, running, queries_at_sizes):
    grow = _grow_round(running, host_city)
    grow(2)
    sent = F.send_survey(running, "closing")
    with tenant_scope(database.session, host_city.id):
        response = database.session.execute(select(Response).where(Response.send_id == sent.id)
                                            .order_by(Response.id)).scalars().first()
        url = SURVEY_PATH.format(city=host_city.slug, token=token_of(response))
    _measure(queries_at_sizes, "survey answer page", url, grow)


@pytest.fixture
def national_user(db):
    return F.create_user(platform_role="national", email="national@example.org")


@pytest.mark.parametrize("key, url", [("national dashboard", "/national/"),
                                      ("national API", "/api/v1/national/figures")])
def test_national_pages(client, login, national_user, host_city, key, url, queries_at_sizes, count_queries,
                        monkeypatch):
    login(national_user)

    def grow(total):
        have = database.session.execute(select(func.count()).select_from(F.RoundRollupFactory._meta.model)) \
            .scalar_one()
        for _n in range(have, total):
            F.RoundRollupFactory(city_id=host_city.id)
        database.session.flush()
        # Once per process the app looks up the national role's name; a first request pays it, not the measured.
        client.get(url)

    _measure(queries_at_sizes, key, url, grow)
    monkeypatch.setattr(figures, "STATE_SECONDS", 3600.0)  # a slow machine cannot let the state lapse between them
    client.get(url)
    with count_queries() as counter:
        assert client.get(url).status_code == 200
    assert counter.count <= BUDGETS[f"{key}, from memory"], counter.statements
