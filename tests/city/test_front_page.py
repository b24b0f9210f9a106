"""The city's front page keeps what it lists rendered under the city's public stamp (tenants/public_page.py): a
second visit reads only the city, and every change of what it lists shows at the next visit. A visitor without a
cookie is given the whole page the worker rendered last for one like them, for a moment, with no statement at all."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mentorby.blueprints import city as city_views
from mentorby.platform import clock, writes
from mentorby.platform.audit.models import AuditEntry
from mentorby.platform.cities.models import Tenant
from mentorby.platform.tenancy import cross_tenant, tenant_scope
from mentorby.tenants import public_page
from mentorby.tenants.partners.models import Partner
from mentorby.tenants.programme.models import ProgrammeEvent
from mentorby.tenants.public_page import changed_here, keep_visitor_page, visitor_page
from tests import factories as F

FRONT = "/lyngby-taarbaek/"


def _stamp(db, city) -> int:
    return db.session.execute(select(Tenant.public_stamp).where(Tenant.id == city.id)).scalar_one()


@pytest.fixture
def listed(host_city):
    """A public partner, a private one and an open round."""
    F.create_partner(host_city, name="Novo Nordisk", public=True)
    F.create_partner(host_city, name="Hidden Company", public=False)
    F.create_cohort(host_city, name="Forår 2027", status="recruiting")
    return host_city


def test_a_second_visit_reads_only_the_city_and_shows_the_same_page(client, db, listed, count_queries):
    client.set_cookie("seen", "1")  # any cookie: the visitor may hold a session, so the page is made for them
    client.get(FRONT)  # its commit stamps the rows the fixture made: the next visit renders and keeps the page
    first = client.get(FRONT)
    assert "Novo Nordisk" in first.text and "Forår 2027" in first.text and "Hidden Company" not in first.text
    with count_queries() as counter:
        second = client.get(FRONT)
    assert second.text == first.text
    # The city (with its stamp) and nothing of what the page lists: no partners, rounds or events.
    assert not any(table in statement for statement in counter.statements
                   for table in ("FROM partner", "FROM cohort", "FROM programme_event")), counter.statements


def test_what_a_coordinator_changes_shows_at_the_next_visit(client, db, login, coordinator, listed):
    visitor = client.application.test_client()
    assert "Novo Nordisk" in visitor.get(FRONT).text
    login(coordinator)
    added = client.post("/lyngby-taarbaek/coordinator/partners/new",
                        data={"name": "Ørsted", "kind": "company", "website": "", "description": "", "public": "y"})
    assert added.status_code in (200, 302, 303)
    assert "Ørsted" in visitor.get(FRONT).text
    with tenant_scope(db.session, listed.id):
        partner_id = db.session.execute(select(Partner.id).where(Partner.name == "Novo Nordisk")).scalar_one()
    hidden = client.post(f"/lyngby-taarbaek/coordinator/partners/{partner_id}",
                         data={"name": "Novo Nordisk", "kind": "company", "website": "", "description": ""})
    assert hidden.status_code in (200, 302, 303)
    page = visitor.get(FRONT).text
    assert "Novo Nordisk" not in page and "Ørsted" in page


def test_each_listed_kind_of_row_changes_the_stamp_and_the_page(client, db, listed):
    client.get(FRONT)
    before = _stamp(db, listed)
    with tenant_scope(db.session, listed.id):
        event = db.session.execute(select(ProgrammeEvent).order_by(ProgrammeEvent.step)).scalars().first()
        event.name_en = "The very first meeting"
        db.session.commit()
    after_event = _stamp(db, listed)
    assert after_event != before
    assert "The very first meeting" in client.get(FRONT, headers={"Accept-Language": "en"}).text
    F.create_cohort(listed, name="Efterår 2027", status="recruiting")
    db.session.commit()
    assert _stamp(db, listed) != after_event
    assert "Efterår 2027" in client.get(FRONT).text
    with tenant_scope(db.session, listed.id):
        db.session.delete(db.session.execute(select(Partner).where(Partner.name == "Novo Nordisk")).scalar_one())
        db.session.commit()
    assert "Novo Nordisk" not in client.get(FRONT).text


def test_a_change_not_yet_committed_is_shown_on_its_connection(client, db, listed):
    client.get(FRONT)
    F.create_partner(listed, name="Carlsberg", public=True)  # flushed, not committed: the stamp is not new yet
    assert "Carlsberg" in client.get(FRONT).text


def test_a_commit_without_listed_changes_keeps_the_stamp_and_writes_no_audit(client, db, login, coordinator, listed):
    client.get(FRONT)
    before = _stamp(db, listed)
    login(coordinator)
    client.get("/lyngby-taarbaek/coordinator/")
    assert _stamp(db, listed) == before
    F.create_partner(listed, name="Carlsberg", public=True)
    db.session.commit()
    assert _stamp(db, listed) != before
    with cross_tenant(db.session):
        db.session.flush()
        stamped = db.session.execute(select(AuditEntry).where(AuditEntry.entity == "Tenant")).scalars().all()
    assert not any("public_stamp" in str(entry.changes) for entry in stamped)


def test_a_rolled_back_step_keeps_what_the_rest_of_the_transaction_changed(db, listed):
    before = _stamp(db, listed)
    F.create_partner(listed, name="Carlsberg", public=True)
    nested = db.session.begin_nested()
    F.create_partner(listed, name="Also refused", public=True)
    nested.rollback()
    db.session.commit()
    assert _stamp(db, listed) != before


def test_a_released_savepoint_does_not_stamp_before_the_commit(db, listed):
    """attempt() releases a savepoint when a step went through: the city's row is written (and locked) only at the
    commit, and until then the transaction knows it changed what the page lists."""
    db.session.commit()
    before = _stamp(db, listed)
    with db.session.begin_nested():
        F.create_partner(listed, name="Carlsberg", public=True)
    assert _stamp(db, listed) == before
    assert changed_here(db.session, listed.id)
    db.session.commit()
    assert _stamp(db, listed) != before


def test_a_rolled_back_change_is_not_shown(client, db, listed):
    client.get(FRONT)
    F.create_partner(listed, name="Carlsberg", public=True)
    assert "Carlsberg" in client.get(FRONT).text
    db.session.rollback()
    assert "Carlsberg" not in client.get(FRONT).text


def test_a_round_leaves_the_page_after_its_last_day_to_apply(client, db, listed, monkeypatch):
    F.create_cohort(listed, name="Efterår 2027", status="recruiting", apply_by=date.today() + timedelta(days=1))
    db.session.commit()
    assert "Efterår 2027" in client.get(FRONT).text
    monkeypatch.setattr(clock, "today", lambda city=None: date.today() + timedelta(days=2))
    page = client.get(FRONT).text
    assert "Efterår 2027" not in page and "Forår 2027" in page


def test_each_language_is_kept_apart(client, db, listed):
    danish = client.get(FRONT, headers={"Accept-Language": "da"}).text
    english = client.get(FRONT, headers={"Accept-Language": "en"}).text
    assert "Søg som mentee" in danish and "Apply as a mentee" not in danish
    assert "Apply as a mentee" in english and "Søg som mentee" not in english
    assert client.get(FRONT, headers={"Accept-Language": "da"}).text == danish


def test_the_worker_keeps_a_bounded_number_of_pages(client, db, listed, other_city, monkeypatch):
    monkeypatch.setattr(city_views._KEPT, "size", 2)
    for language in ("da", "en"):
        client.get(FRONT, headers={"Accept-Language": language})
        client.get("/aarhus/", headers={"Accept-Language": language})
    kept = client.application.extensions["mentorby.kept.city.listed"]
    assert {(key[0], key[3]) for key in kept} == {(listed.id, "en"), (other_city.id, "en")}  # the most recent


# --- the whole page, kept for visitors without a cookie -------------------------------------------------------------

@pytest.fixture
def kept(client, db, listed, count_queries, monkeypatch):
    """The front page rendered and kept for a visitor without a cookie (proved: the next visit asks nothing).

    The fixture's rows are committed first, as in production (a transaction that wrote keeps no page), and a kept
    page lasts a minute here, so a slow machine cannot let it lapse between two requests of a test.
    """
    monkeypatch.setattr(public_page, "VISITOR_SECONDS", 60.0)
    db.session.commit()
    first = client.get(FRONT)
    with count_queries() as counter:
        assert client.get(FRONT).text == first.text
    assert counter.count == 0, counter.statements
    return first


def test_a_visitor_without_a_cookie_is_given_the_kept_page_with_no_statement(client, kept, count_queries):
    assert "Novo Nordisk" in kept.text and "Set-Cookie" not in kept.headers
    with count_queries() as counter:
        second = client.get(FRONT)
        assert client.get(FRONT, headers={"Cookie": ""}).text == kept.text  # an empty header holds no cookie
    assert counter.count == 0, counter.statements
    assert second.status_code == 200 and second.text == kept.text
    assert second.headers["Content-Security-Policy"] == kept.headers["Content-Security-Policy"]
    assert "Cookie" in second.vary and "Set-Cookie" not in second.headers


def test_a_head_request_is_answered_from_the_kept_page_without_its_body(client, kept, count_queries):
    with count_queries() as counter:
        head = client.head(FRONT)
    assert counter.count == 0, counter.statements
    assert head.status_code == 200 and head.data == b""
    assert int(head.headers["Content-Length"]) == len(kept.data)
    # A page rendered for a HEAD is kept whole: the next GET is given all of it.
    public_page._forget_visitor_pages()
    assert client.head(FRONT).data == b""
    with count_queries() as counter:
        assert client.get(FRONT).text == kept.text
    assert counter.count == 0, counter.statements


def test_the_kept_page_is_rendered_again_after_its_moment(client, kept, count_queries, monkeypatch):
    monkeypatch.setattr(public_page, "VISITOR_SECONDS", 0.0)
    with count_queries() as counter:
        assert "Novo Nordisk" in client.get(FRONT).text
    assert counter.count >= 1  # the city is read again


def test_a_write_through_the_worker_forgets_the_kept_pages_and_its_rollback_again(client, db, listed, kept,
                                                                                    count_queries):
    F.create_partner(listed, name="Carlsberg", public=True)  # flushed, not committed: this worker shows it at once
    assert "Carlsberg" in client.get(FRONT).text
    db.session.rollback()
    assert "Carlsberg" not in client.get(FRONT).text


def test_a_rollback_that_undoes_no_write_keeps_the_pages(client, db, kept, count_queries):
    # A test's connection holds the fixture's writes until the test ends; in production a commit ends them, which is
    # what dropping the mark stands for here. Then a refused request's rollback undoes nothing a kept page shows.
    connection = db.session.connection()
    connection.info.pop(writes._ON_CONNECTION, None)
    assert client.get("/nowhere/").status_code == 404  # read a city, found none, rolled back
    connection.begin_nested().rollback()
    with count_queries() as counter:
        assert client.get(FRONT).text == kept.text
    assert counter.count == 0, counter.statements


def test_a_page_read_before_a_write_elsewhere_in_the_worker_is_not_kept(db, listed):
    db.session.commit()
    moment = public_page.visitor_moment()
    F.create_partner(listed, name="Carlsberg", public=True)  # another request's write, say, on a threaded server
    db.session.commit()
    keep_visitor_page(db.session, ("a key",), "<p>before Carlsberg</p>", moment)
    assert visitor_page(("a key",)) is None
    keep_visitor_page(db.session, ("a key",), "<p>Carlsberg</p>", public_page.visitor_moment())
    assert visitor_page(("a key",)) == "<p>Carlsberg</p>"


@pytest.mark.parametrize("asking", ["cookie", "query", "htmx", "signed in"])
def test_only_a_visitor_without_a_cookie_query_or_credentials_is_given_the_kept_page(
        client, kept, count_queries, login, coordinator, asking):
    headers, url = {}, FRONT
    if asking == "cookie":
        client.set_cookie("seen", "1")
    elif asking == "query":
        url = FRONT + "?from=newsletter"
    elif asking == "htmx":
        headers = {"HX-Request": "true"}
    else:
        login(coordinator)
    with count_queries() as counter:
        page = client.get(url, headers=headers)
    assert page.status_code == 200 and counter.count >= 1, asking
    if asking == "signed in":
        assert "Sign out" in page.text and "csrf_token" in page.text and page.text != kept.text


def test_kept_pages_are_the_citys_own_and_in_the_visitors_language(client, db, kept, other_city, count_queries):
    db.session.commit()  # the other city (made after the page was kept: its flush forgot it)
    aarhus = client.get("/aarhus/", headers={"Accept-Language": "en"}).text
    danish = client.get(FRONT, headers={"Accept-Language": "da"}).text
    english = client.get(FRONT, headers={"Accept-Language": "en"}).text
    with count_queries() as counter:
        assert client.get("/aarhus/", headers={"Accept-Language": "en"}).text == aarhus
        assert client.get(FRONT, headers={"Accept-Language": "da"}).text == danish
        assert client.get(FRONT, headers={"Accept-Language": "en"}).text == english == kept.text
    assert counter.count == 0, counter.statements  # all three kept, each its own
    assert "Aarhus Career Mentoring" in aarhus and "Novo Nordisk" not in aarhus
    assert "Novo Nordisk" in english and "Aarhus Career Mentoring" not in english
    assert '<html lang="da">' in danish and '<html lang="en">' in english


def test_a_suspended_citys_kept_page_goes_with_the_write(client, db, listed, kept):
    with cross_tenant(db.session):
        db.session.get(Tenant, listed.id).status = "suspended"
        db.session.flush()
    assert client.get(FRONT).status_code == 404


def test_a_transaction_that_wrote_keeps_no_page(db, listed):
    F.create_partner(listed, name="Carlsberg", public=True)  # what it read may be its own change, not yet committed
    keep_visitor_page(db.session, ("a key",), "<p>Carlsberg</p>", public_page.visitor_moment())
    assert visitor_page(("a key",)) is None
    db.session.commit()
    keep_visitor_page(db.session, ("a key",), "<p>Carlsberg</p>", public_page.visitor_moment())
    assert visitor_page(("a key",)) == "<p>Carlsberg</p>"


def test_the_worker_keeps_a_bounded_number_of_visitor_pages(db, listed, monkeypatch):
    monkeypatch.setattr(public_page, "VISITOR_PAGES", 2)
    db.session.commit()  # the fixture's rows: a transaction that wrote keeps nothing
    for n in range(3):
        keep_visitor_page(db.session, ("page", n), f"<p>{n}</p>", public_page.visitor_moment())
    assert visitor_page(("page", 0)) is None and visitor_page(("page", 2)) == "<p>2</p>"
