"""The coordinator's boards kept by the web worker until the city's data changes (platform/kept_pages.py).

Against the real Redis (database 13): the stamps are what other processes move on.
"""

import secrets
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest
import redis
from sqlalchemy import delete, event, select, text, update

from mentorby.blueprints import common
from mentorby.platform import kept_pages
from mentorby.platform.accounts import sessions
from mentorby.platform.accounts.models import Membership, User
from mentorby.platform.accounts.sessions import SignIn
from mentorby.platform.cities.models import Tenant
from mentorby.platform.cities.services import change_status
from mentorby.platform.extensions import db as database
from mentorby.platform.outbox.models import OutboxMessage
from mentorby.platform.tenancy import cross_tenant, tenant_scope
from mentorby.tenants.cohorts.models import Cohort
from tests import factories as F

REDIS = "redis://127.0.0.1:6379/13"
BOARDS = ["/lyngby-taarbaek/coordinator/cohorts/{id}",
          "/lyngby-taarbaek/coordinator/cohorts/{id}/applications",
          "/lyngby-taarbaek/coordinator/cohorts/{id}/matching"]


@pytest.fixture
def kept_on(app, monkeypatch):
    """Kept pages on, as in production (REDIS_URL set); what the worker keeps is forgotten afterwards.

    Each test's stamps under a name of its own (KEPT_PAGE_NAMESPACE): none yet, as after a restart, and never another
    test run's (both databases' runs share this Redis at once). Installed through monkeypatch, so a test that swaps
    the stamps' store for another leaves none behind either.
    """
    monkeypatch.setitem(app.config, "REDIS_URL", REDIS)
    monkeypatch.setitem(app.config, "KEPT_PAGE_NAMESPACE", f"test-{secrets.token_hex(8)}")
    monkeypatch.setitem(app.extensions, "mentorby.kept_pages", None)  # so that the end takes the store away again
    kept_pages.init_app(app)
    store = app.extensions["mentorby.kept_pages"]
    client = store.client  # (a test may swap the store's for an unreachable one)
    yield store
    kept_pages.forget_all()
    for key in client.scan_iter(f"{store.prefix}*"):
        client.delete(key)


@pytest.fixture
def selecting(host_city):
    cohort = F.create_cohort(host_city, name="Forår 2027", status="selecting",
                             starts_on=date.today() + timedelta(days=30))
    F.create_application(cohort, role="mentor", status="accepted", name="Mette Mentor")
    F.create_application(cohort, role="mentee", status="accepted", name="Ana Mentee")
    seen = SimpleNamespace(id=cohort.id, tenant_id=cohort.tenant_id)  # the commit expires the row
    database.session.commit()
    return seen


def _a_board_kept(client, login, coordinator, cohort) -> str:
    """The coordinator signed in, and the round's page opened until the worker keeps it; its address."""
    login(coordinator)
    url = f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}"
    for _ in range(2):  # the first gives the session its CSRF token: the page made for it is not kept
        assert client.get(url).status_code == 200
    assert _pages_kept() == 1
    return url


def _pages_kept() -> int:
    """How many pages the worker keeps (not counting the requests' ways to them: kept_pages.AT_ONCE)."""
    return sum(1 for key in kept_pages._KEPT._entries if key[0] != kept_pages.AT_ONCE)


def _another_process_renames(cohort, name, store, *, moves_stamp=True):
    """What another web worker's commit does: the row changed behind this worker's back, the city's stamp moved on."""
    with tenant_scope(database.session, cohort.tenant_id):
        database.session.execute(text("update cohort set name = :name where id = :id"),
                                 {"name": name, "id": cohort.id})
    database.session.commit()
    if moves_stamp:
        store.client.set(f"{store.prefix}{cohort.tenant_id}", secrets.token_hex(8))


@contextmanager
def _committed_while_the_stamps_are_read(monkeypatch, change):
    """Another process's commit between a request's city and sign-in checks and its reading of the stamps.

    `change(connection, city_id)` runs just before the stamps are read, on the request's own connection (SQL the
    worker does not see as its own write): its stamp is already set when the request reads it.
    """
    real = kept_pages.stamp

    def meanwhile(city_id, person_id=None):
        change(database.session.connection(), city_id)
        return real(city_id, person_id)

    monkeypatch.setattr(kept_pages, "stamp", meanwhile)
    yield
    monkeypatch.setattr(kept_pages, "stamp", real)


def _running(statement):
    """A change for _committed_while_the_stamps_are_read: one SQL statement (a connection's: no stamp of its own)."""
    return lambda connection, _city_id: connection.execute(statement)


def _assert_refused(answer, refused) -> None:
    """Sent to sign in ("/login"), or refused with that status."""
    if refused == "/login":
        assert answer.status_code == 302 and "/login" in answer.headers["Location"]
    else:
        assert answer.status_code == refused


@pytest.mark.parametrize("path", BOARDS)
def test_a_board_is_kept_until_the_city_changes(client, login, coordinator, selecting, kept_on, count_queries, path):
    login(coordinator)
    url = path.format(id=selecting.id)
    client.get(url)  # the session's first CSRF token: the page made for it is not kept
    with count_queries() as rendered:
        assert client.get(url).status_code == 200
    with count_queries() as kept:
        page = client.get(url)
    assert page.status_code == 200 and "Forår 2027" in page.text
    # Given again, the same request: not a statement (see test_the_same_request_again_is_given_with_no_database).
    assert rendered.count > 2 and kept.count == 0, kept.statements

    # A change no stamp says anything of is not shown (the page is really kept) ...
    _another_process_renames(selecting, "Efterår 2027", kept_on, moves_stamp=False)
    assert "Forår 2027" in client.get(url).text
    # ... and once the city's stamp moves on (another worker's commit), the page is made again.
    _another_process_renames(selecting, "Efterår 2027", kept_on)
    assert "Efterår 2027" in client.get(url).text


def test_a_write_through_the_worker_shows_at_once(client, login, coordinator, selecting, kept_on):
    login(coordinator)
    url = f"/lyngby-taarbaek/coordinator/cohorts/{selecting.id}/matching"
    for _ in range(3):
        assert "no mentor yet" in client.get(url).text
    assert client.post(f"{url}/propose", data={"method": "optimal", "priority": "best_total"}).status_code == 200
    board = client.get(url).text
    assert "no mentor yet" not in board and "Mette Mentor" in board


def test_each_person_language_and_fragment_has_its_own_page(client, login, coordinator, host_city, selecting, kept_on,
                                                            app):
    login(coordinator)
    url = f"/lyngby-taarbaek/coordinator/cohorts/{selecting.id}/matching"
    for _ in range(2):
        english = client.get(url)
    assert '<html lang="en"' in english.text
    assert '<html lang="da"' in client.get(url, headers={"Accept-Language": "da"}).text
    fragment = client.get(url, headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'id="matching-board"' in fragment.text
    # Another coordinator of the city: their own session, their own page (its forms carry their CSRF token).
    colleague = F.create_user(email="colleague@lyngby.example", city=host_city, role="coordinator")
    database.session.commit()
    other = login(colleague, target=app.test_client())
    for _ in range(2):
        theirs = other.get(url)
    assert theirs.status_code == 200
    assert _csrf(theirs.text) != _csrf(client.get(url).text)


def _csrf(page: str) -> str:
    start = page.index('name="csrf_token" value="') + len('name="csrf_token" value="')
    return page[start:page.index('"', start)]


def test_a_flashed_message_is_shown_not_kept_away(client, login, coordinator, selecting, kept_on):
    login(coordinator)
    url = f"/lyngby-taarbaek/coordinator/cohorts/{selecting.id}/matching"
    for _ in range(3):
        client.get(url)
    with client.session_transaction() as session:
        session["_flashes"] = [("info", "Pinned for the test.")]
    assert "Pinned for the test." in client.get(url).text
    assert "Pinned for the test." not in client.get(url).text


def test_nothing_is_kept_past_its_time_or_without_redis(client, login, coordinator, selecting, kept_on, app,
                                                        count_queries, monkeypatch):
    login(coordinator)
    url = f"/lyngby-taarbaek/coordinator/cohorts/{selecting.id}"
    client.get(url)
    monkeypatch.setitem(app.extensions, "mentorby.kept_pages", replace(kept_on, seconds=0))  # kept for no time at all
    counts = []
    for _ in range(2):
        with count_queries() as again:
            assert client.get(url).status_code == 200
        counts.append(again.count)
    assert counts[0] == counts[1] > 2 and not kept_pages._KEPT
    # Redis unreachable: the page is made as usual, with no error, and Redis is left alone for a while.
    unreachable = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    monkeypatch.setitem(app.extensions, "mentorby.kept_pages", kept_pages.Stamps(unreachable, "x:", 60))
    asked = []
    monkeypatch.setattr(unreachable, "pipeline", lambda *args, real=unreachable.pipeline, **kw: asked.append(1)
                        or real(*args, **kw))
    for _ in range(3):
        with count_queries() as made:
            assert client.get(url).status_code == 200
        assert made.count == counts[0]
    assert len(asked) == 1 and not kept_pages._KEPT
    # Once the pause is over, Redis is asked again (and pages kept when it answers).
    monkeypatch.setitem(app.extensions, "mentorby.kept_pages", kept_on)
    for _ in range(2):
        client.get(url)
    assert _pages_kept() == 1


def test_the_worker_keeps_no_more_than_its_share(client, login, coordinator, selecting, kept_on, app, monkeypatch):
    monkeypatch.setitem(app.config, "KEPT_PAGE_BYTES", 1000)  # less than one page
    login(coordinator)
    url = f"/lyngby-taarbaek/coordinator/cohorts/{selecting.id}"
    for _ in range(3):
        client.get(url)
    assert not kept_pages._KEPT and kept_pages._KEPT.size == 0


def test_commits_move_the_written_cities_stamps_on(db, host_city, other_city, coordinator, kept_on, app):
    client, prefix = kept_on.client, kept_on.prefix
    coordinator_id = coordinator.id

    def stamps():
        return [int(client.get(f"{prefix}{key}") or 0) for key in (*city_ids, kept_pages.ALL)]

    city_ids = host_city.id, other_city.id
    db.session.commit()  # the fixtures' own rows (both cities, an account): every stamp set
    before = stamps()
    with tenant_scope(db.session, city_ids[0]):
        db.session.get(Cohort, F.create_cohort(host_city).id).name = "Renamed"
        db.session.commit()
    after_round = stamps()
    assert after_round[0] != before[0] and after_round[1:] == before[1:]
    # An account's name and flags show on every city's pages.
    db.session.get(User, coordinator_id).name = "Kim Koordinator"
    db.session.commit()
    after_account = stamps()
    assert after_account[:2] == after_round[:2] and after_account[2] != after_round[2]
    # A transaction rolled back moves nothing.
    with tenant_scope(db.session, city_ids[1]):
        F.create_cohort(other_city)
        db.session.rollback()
    assert stamps() == after_account


def test_which_cities_a_write_concerns(db, host_city, coordinator):
    session = db.session
    cohort = F.create_cohort(host_city)
    assert kept_pages._cities_of(session, Cohort, cohort) == {host_city.id}
    assert kept_pages._cities_of(session, type(host_city), host_city) == {host_city.id}
    assert kept_pages._cities_of(session, User, coordinator) == {kept_pages.ALL}
    # Platform rows apart from the cities': a city's when they carry its id (an e-mail's state), else nobody's.
    assert kept_pages._cities_of(session, OutboxMessage, OutboxMessage(tenant_id=host_city.id)) == {host_city.id}
    assert kept_pages._cities_of(session, OutboxMessage, OutboxMessage(tenant_id=None)) == set()
    # A bulk statement: the session's city, or every city when it has none.
    assert kept_pages._cities_of(session, Cohort) == {kept_pages.ALL}
    with tenant_scope(session, host_city.id):
        assert kept_pages._cities_of(session, Cohort) == {host_city.id}
        # Across cities a bulk statement is filtered to no city, whatever the session's.
        with cross_tenant(session):
            assert kept_pages._cities_of(session, Cohort) == {kept_pages.ALL}
            assert kept_pages._cities_of(session, OutboxMessage) == {kept_pages.ALL}
    # A Core statement on a table: the national rollups, refreshed across cities, are no city page's.
    from mentorby.platform.national.models import RoundRollup

    assert kept_pages._cities_of(session, None, table=RoundRollup.__table__) == set()


def test_pages_past_their_time_leave_memory_at_the_next_look(client, login, coordinator, selecting, kept_on, app,
                                                              monkeypatch):
    _a_board_kept(client, login, coordinator, selecting)
    # A person erased elsewhere leaves a page under an old stamp: it goes once past its time, whatever is asked next.
    monkeypatch.setitem(app.extensions, "mentorby.kept_pages", replace(kept_on, seconds=1e-9))
    assert kept_pages.kept(("nothing kept under this",)) is None
    assert not kept_pages._KEPT and kept_pages._KEPT.size == 0


# --- what the review of the kept pages asked for ------------------------------------------------------------------


def test_two_sessions_of_one_person_have_their_own_pages(client, login, coordinator, selecting, kept_on, app):
    login(coordinator)
    laptop = login(coordinator, target=app.test_client())
    url = f"/lyngby-taarbaek/coordinator/cohorts/{selecting.id}/matching"
    for _ in range(2):
        on_phone, on_laptop = client.get(url).text, laptop.get(url).text
    # Each session's forms carry its own CSRF token: a page kept for one is never given to the other.
    assert _csrf(on_phone) != _csrf(on_laptop)
    assert _pages_kept() == 2
    assert _csrf(client.get(url).text) == _csrf(on_phone) and _csrf(laptop.get(url).text) == _csrf(on_laptop)


def test_only_a_page_given_whole_is_kept(client, login, coordinator, selecting, kept_on):
    login(coordinator)
    for _ in range(2):
        assert client.get("/lyngby-taarbaek/coordinator/cohorts/999999/matching").status_code == 404
    assert not kept_pages._KEPT


def _stamps(store, *cities):
    return [store.client.get(f"{store.prefix}{city}") for city in (*cities, kept_pages.ALL)]


def test_a_city_being_written_has_no_page_kept_or_given_until_its_commit_is_stamped(db, host_city, kept_on):
    """Between the commit and its second stamp another process could give a page read before it: none is."""
    city = host_city.id
    assert kept_pages.stamp(city) is not None  # (sets the stamps missing after the fixture's flush)
    before = _stamps(kept_on, city)
    at_commit = []

    def committing(conn, *args):  # the database's commit (here a test's savepoint, released)
        at_commit.append((_stamps(kept_on, city), kept_pages.stamp(city)))

    from sqlalchemy import event

    connection = db.session.connection()
    event.listen(connection, "release_savepoint", committing)
    try:
        with tenant_scope(db.session, city):
            F.create_cohort(host_city, name="Ny runde")
            db.session.commit()
    finally:
        event.remove(connection, "release_savepoint", committing)
    (stamps_then, given_then), after = at_commit[0], _stamps(kept_on, city)
    assert given_then is None  # marked as being written: nothing kept or given
    assert stamps_then[0] != before[0] and after[0] != stamps_then[0]  # a new stamp before, another after
    assert before[1] == stamps_then[1] == after[1]  # one city's rows: every city's stamp stays
    assert kept_pages.stamp(city) == (kept_on.prefix, after[0], after[1])  # the mark is gone with the commit


def test_a_commit_that_fails_after_the_mark_takes_the_mark_away(db, host_city, kept_on):
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    city = host_city.id

    marked = []

    def refused(session):  # a later before_commit hook (or the database) refusing the commit
        marked.append(kept_pages.stamp(city) is None)
        raise RuntimeError("refused")

    event.listen(Session, "before_commit", refused)
    try:
        with tenant_scope(db.session, city):
            F.create_cohort(host_city, name="Aldrig")
            with pytest.raises(RuntimeError):
                db.session.commit()
            db.session.rollback()
    finally:
        event.remove(Session, "before_commit", refused)
    assert marked == [True]  # the city was marked when the commit failed ...
    assert kept_pages.stamp(city) is not None  # ... and is not any more


def test_a_stamp_gone_from_redis_never_brings_an_old_page_back(client, login, coordinator, selecting, kept_on):
    login(coordinator)
    url = f"/lyngby-taarbaek/coordinator/cohorts/{selecting.id}"
    for _ in range(3):
        assert "Forår 2027" in client.get(url).text
    _another_process_renames(selecting, "Efterår 2027", kept_on)
    kept_on.client.delete(f"{kept_on.prefix}{selecting.tenant_id}")  # evicted, or Redis restarted empty
    assert "Efterår 2027" in client.get(url).text


def test_the_stamps_are_named_by_the_database_not_its_address(app, monkeypatch):
    def tag(uri, namespace=None):
        monkeypatch.setitem(app.config, "SQLALCHEMY_DATABASE_URI", uri)
        monkeypatch.setitem(app.config, "KEPT_PAGE_NAMESPACE", namespace)
        return kept_pages.database_tag(app)

    direct = tag("postgresql+psycopg://mentorby:old-secret@db.internal:5432/mentorby")
    assert direct == tag("postgresql://mentorby:new-secret@pgbouncer:6432/mentorby") == "postgresql-mentorby"
    assert direct != tag("postgresql://mentorby@db.internal/mentorby_test")
    assert tag("sqlite:////srv/mentorby/instance/mentorby.sqlite") != tag("sqlite:////tmp/other.sqlite")
    assert tag("postgresql://x@pooler/alias", namespace="mentorby-prod") == "mentorby-prod"


def test_a_page_read_while_the_worker_forgot_is_not_kept(client, login, coordinator, selecting, kept_on,
                                                          count_queries):
    """A threaded worker: another request's write (forgetting the pages) while this one reads keeps this one out."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    login(coordinator)
    url = f"/lyngby-taarbaek/coordinator/cohorts/{selecting.id}"
    client.get(url)

    def another_request_wrote(state):
        if state.is_select:
            kept_pages.forget_all()

    event.listen(Session, "do_orm_execute", another_request_wrote)
    try:
        client.get(url)
    finally:
        event.remove(Session, "do_orm_execute", another_request_wrote)
    assert not kept_pages._KEPT
    with count_queries() as made:
        client.get(url)
    assert made.count > 2 and _pages_kept() == 1


def test_which_writes_set_which_stamps(db, host_city, other_city, coordinator, kept_on):
    city, other = host_city.id, other_city.id
    cohort_id = F.create_cohort(host_city).id
    db.session.commit()
    # A bulk statement within the city: the city's stamp.
    before = _stamps(kept_on, city, other)
    with tenant_scope(db.session, city):
        from sqlalchemy import update

        db.session.execute(update(Cohort).where(Cohort.id == cohort_id).values(name="Bulk"))
        db.session.commit()
    now = _stamps(kept_on, city, other)
    assert now[0] != before[0] and now[1:] == before[1:]
    # Across cities: every city's.
    with cross_tenant(db.session):
        db.session.execute(update(Cohort).where(Cohort.id == cohort_id).values(name="Across"))
        db.session.commit()
    across = _stamps(kept_on, city, other)
    assert across[0] == now[0] and across[1] == now[1] and across[2] != now[2]
    # A person's last sign-in time, which no page shows, sets nothing; a row only touched, nothing.
    user = db.session.get(User, coordinator.id)
    user.last_login_at = datetime.now(UTC)
    user.name = user.name  # touched, not changed
    db.session.commit()
    assert _stamps(kept_on, city, other) == across
    # Their name does: it shows on every city's pages.
    db.session.get(User, coordinator.id).name = "Kim Koordinator"
    db.session.commit()
    renamed = _stamps(kept_on, city, other)
    assert renamed[:2] == across[:2] and renamed[2] != across[2]


def test_a_sign_in_elsewhere_leaves_the_kept_pages(client, login, coordinator, selecting, kept_on, app,
                                                   count_queries):
    login(coordinator)
    url = f"/lyngby-taarbaek/coordinator/cohorts/{selecting.id}/matching"
    for _ in range(2):
        client.get(url)
    login(coordinator, target=app.test_client())  # a sign-in writes a sign-in row and the last sign-in time
    with count_queries() as again:
        assert client.get(url).status_code == 200
    assert again.count <= 2, again.statements


def test_a_city_renamed_while_the_stamps_are_read_is_not_kept_under_them(client, login, coordinator, selecting,
                                                                         kept_on, monkeypatch):
    login(coordinator)
    url = f"/lyngby-taarbaek/coordinator/cohorts/{selecting.id}"
    client.get(url)

    def renamed(connection, city_id):
        connection.exec_driver_sql(
            f"update tenant set name = 'Lyngby-Taarbæk Kommune (ny)' where id = {int(city_id)}")

    with _committed_while_the_stamps_are_read(monkeypatch, renamed):
        assert "Lyngby-Taarbæk Kommune (ny)" in client.get(url).text
    assert "Lyngby-Taarbæk Kommune (ny)" in client.get(url).text  # the kept page shows the new name


@pytest.fixture
def read_only_redis(kept_on):
    """The same Redis through an account that may read but not write: a replica after a failover, say."""
    admin, user = kept_on.client, f"mentorby-read-only-{secrets.token_hex(4)}"
    admin.execute_command("ACL", "SETUSER", user, "reset", "on", "nopass", "~*", "+@read", "+@connection", "+select")
    yield replace(kept_on, client=redis.Redis.from_url(f"redis://{user}:@127.0.0.1:6379/13", socket_timeout=0.5))
    admin.execute_command("ACL", "DELUSER", user)


def test_stamps_that_cannot_be_set_are_said_and_the_worker_keeps_nothing(client, login, coordinator, selecting,
                                                                         kept_on, read_only_redis, app, caplog,
                                                                         monkeypatch):
    login(coordinator)
    url = f"/lyngby-taarbaek/coordinator/cohorts/{selecting.id}/matching"
    for _ in range(2):
        assert "no mentor yet" in client.get(url).text
    assert kept_pages._KEPT
    before = _stamps(kept_on, selecting.tenant_id)
    monkeypatch.setitem(app.extensions, "mentorby.kept_pages", read_only_redis)
    proposed = client.post(f"{url}/propose", data={"method": "optimal", "priority": "best_total"})
    assert proposed.status_code == 200  # the coordinator's work is saved: Redis is not the record
    assert "could not be set" in caplog.text and _stamps(kept_on, selecting.tenant_id) == before
    # This worker shows the change (it forgot its own pages) and keeps none while Redis refuses.
    for _ in range(2):
        assert "no mentor yet" not in client.get(url).text
    assert not kept_pages._KEPT


def test_redis_failing_at_a_commit_is_said_once_not_waited_on_and_caught_up(db, host_city, kept_on, app, caplog,
                                                                           monkeypatch):
    unreachable = kept_pages.Stamps(redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2),
                                    kept_on.prefix, 60)
    monkeypatch.setitem(app.extensions, "mentorby.kept_pages", unreachable)
    asked = []
    monkeypatch.setattr(unreachable.client, "pipeline",
                        lambda *args, real=unreachable.client.pipeline, **kw: asked.append(1) or real(*args, **kw))
    for name in ("Første", "Anden", "Tredje"):
        with tenant_scope(db.session, host_city.id):
            F.create_cohort(host_city, name=name)
            db.session.commit()  # the round is saved whatever Redis does
    assert len(asked) == 1  # the first commit's mark failed; the others left Redis alone
    errors = [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert len(errors) == 1 and "could not be set before the commit" in errors[0]
    assert host_city.id in unreachable.unset and kept_on.client.get(f"{kept_on.prefix}{host_city.id}") is None
    # Redis back, the pause over: the first contact sets the stamps the commits could not.
    unreachable.client, unreachable.paused_until = kept_on.client, 0.0
    assert kept_pages.stamp(host_city.id) is not None
    assert not unreachable.unset and kept_on.client.get(f"{kept_on.prefix}{host_city.id}") is not None


def test_a_savepoint_released_keeps_the_city_marked_until_the_commit(db, host_city, kept_on):
    """A view's attempt() releases its savepoint, renders, and only then does the request commit."""
    city = host_city.id
    db.session.commit()
    assert kept_pages.stamp(city) is not None
    with tenant_scope(db.session, city):
        with db.session.begin_nested():
            F.create_cohort(host_city, name="Gemt")
        assert kept_pages.stamp(city) is None  # released, not committed: marked
        released = kept_on.client.get(f"{kept_on.prefix}{city}")
        db.session.commit()
    assert kept_pages.stamp(city) is not None  # committed: the mark is gone
    assert kept_on.client.get(f"{kept_on.prefix}{city}") != released  # and the stamp set anew after the commit


def test_a_person_erased_while_their_board_is_made_is_signed_out(client, login, coordinator, selecting, kept_on,
                                                                  monkeypatch):
    login(coordinator)
    url = f"/lyngby-taarbaek/coordinator/cohorts/{selecting.id}"
    client.get(url)
    person = coordinator.id

    def erased(connection, city_id):
        for table, column in (("sign_in", "user_id"), ("membership", "user_id"), ("user_account", "id")):
            connection.exec_driver_sql(f"delete from {table} where {column} = {int(person)}")

    with _committed_while_the_stamps_are_read(monkeypatch, erased):
        _assert_refused(client.get(url), "/login")


def test_a_worker_that_cannot_read_redis_forgets_its_pages(client, login, coordinator, selecting, kept_on, app,
                                                            monkeypatch):
    """Redis may come back from an older snapshot, with stamps some kept pages were kept under."""
    url = _a_board_kept(client, login, coordinator, selecting)
    kept_on.client = redis.Redis.from_url("redis://127.0.0.1:1/0", socket_connect_timeout=0.2)
    assert client.get(url).status_code == 200
    assert not kept_pages._KEPT


def test_the_leftover_of_kept_on_is_nothing(app):
    # After the tests above, no store is left on the app (the next test files run without kept pages).
    assert app.extensions.get("mentorby.kept_pages") is None


def test_a_mark_made_at_a_savepoint_is_made_again_at_the_commit(db, host_city, kept_on, monkeypatch):
    """A request that goes on long after its attempt() still has its city marked at its commit."""
    import time

    from sqlalchemy import event

    monkeypatch.setattr(kept_pages, "WRITING_SECONDS", 0.3)
    city = host_city.id
    db.session.commit()
    seen = []
    connection = db.session.connection()
    event.listen(connection, "release_savepoint", lambda conn, *args: seen.append(kept_pages.stamp(city)))
    with tenant_scope(db.session, city):
        with db.session.begin_nested():
            F.create_cohort(host_city, name="Langsom")
        time.sleep(0.5)  # past the savepoint's mark
        db.session.commit()
    assert seen[-1] is None  # marked at the commit itself
    assert kept_pages.stamp(city) is not None


# --- the same request again: given at once, with no database -------------------------------------------------------


@contextmanager
def _every_statement():
    """Every statement sent to the database in the block (savepoints and the connection's own checks too)."""
    sent = []

    def before(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(database.engine, "before_cursor_execute", before)
    try:
        yield sent
    finally:
        event.remove(database.engine, "before_cursor_execute", before)


@contextmanager
def _as_another_process(monkeypatch):
    """Writes committed as another process's are: the stamps move on, but this worker forgets none of its pages."""
    with monkeypatch.context() as patched:
        patched.setattr(kept_pages, "forget_all", lambda: None)
        yield


@pytest.mark.parametrize("path", BOARDS)
def test_the_same_request_again_is_given_with_no_database(client, login, coordinator, selecting, kept_on, path):
    login(coordinator)
    url = path.format(id=selecting.id)
    client.get(url)  # the session's first CSRF token: the page made for it is not kept
    made = client.get(url)
    with _every_statement() as sent:
        given = client.get(url)
    assert sent == []
    assert given.status_code == 200 and given.data == made.data
    assert given.headers["Cache-Control"] == "no-store" and {"Cookie", "HX-Request"} <= set(given.vary)
    # Anything else of the request (a fragment, the browser's languages) is another request: the whole way.
    for address, headers in ((url, {"HX-Request": "true"}), (url, {"HX-Request": "true", "HX-Target": "main"}),
                             (url, {"Accept-Language": "da"}), (f"{url}?page=1", {})):
        with _every_statement() as sent:
            assert client.get(address, headers=headers).status_code == 200
        assert sent, (address, headers)


def _open_sign_in(user_id):
    return database.session.execute(
        select(SignIn).where(SignIn.user_id == user_id, SignIn.ended_at.is_(None))).scalar_one()


def _end_the_sign_in(person):
    sessions.end(database.session, _open_sign_in(person.id), sessions.REVOKED)


def _sign_out_everywhere(person):
    sessions.end_all(database.session, person.id, sessions.EVERYWHERE)


def _deactivate(person):
    database.session.get(User, person.id).active = False


def _take_the_role_away(person):
    with tenant_scope(database.session, person.city_id):
        database.session.execute(delete(Membership).where(Membership.user_id == person.id))
        database.session.commit()


def _suspend_the_city(person):
    change_status(database.session.get(Tenant, person.city_id), "suspend")


@pytest.mark.parametrize("change, refused", [
    (_end_the_sign_in, "/login"), (_sign_out_everywhere, "/login"), (_deactivate, "/login"),
    (_take_the_role_away, 403), (_suspend_the_city, 404)])
def test_a_change_elsewhere_to_who_may_see_a_board_is_never_missed(client, login, coordinator, host_city, selecting,
                                                                   kept_on, monkeypatch, change, refused):
    """Committed by another process: this worker learns of it only through the stamps."""
    url = _a_board_kept(client, login, coordinator, selecting)
    with _every_statement() as sent:
        assert client.get(url).status_code == 200
    assert sent == []  # given at once, until ...
    coordinator.city_id = host_city.id
    with _as_another_process(monkeypatch):
        change(coordinator)
        database.session.commit()
    assert _pages_kept() == 1  # (this worker still keeps the page: only the stamps say it may not be given)
    _assert_refused(client.get(url), refused)


def _ended_meanwhile(person):
    return update(SignIn.__table__).where(SignIn.user_id == person).values(ended_at=datetime.now(UTC),
                                                                          end_reason=sessions.REVOKED)


def _sign_in_gone_meanwhile(person):
    return delete(SignIn.__table__).where(SignIn.user_id == person)


def _deactivated_meanwhile(person):
    return update(User.__table__).where(User.id == person).values(active=False)


def _role_gone_meanwhile(person):
    return delete(Membership.__table__).where(Membership.user_id == person)


def _suspended_meanwhile(person):
    return update(Tenant.__table__).where(Tenant.slug == "lyngby-taarbaek").values(status="suspended")


@pytest.mark.parametrize("change, refused", [
    (_ended_meanwhile, "/login"), (_sign_in_gone_meanwhile, "/login"), (_deactivated_meanwhile, "/login"),
    (_role_gone_meanwhile, 403), (_suspended_meanwhile, 404)])
def test_a_change_hidden_under_the_stamps_is_never_given_at_once(client, login, coordinator, selecting, kept_on,
                                                                  monkeypatch, change, refused):
    """Committed by another process between this request's sign-in check and its reading of the stamps."""
    login(coordinator)
    url = f"/lyngby-taarbaek/coordinator/cohorts/{selecting.id}"
    client.get(url)
    with _committed_while_the_stamps_are_read(monkeypatch, _running(change(coordinator.id))):
        assert client.get(url).status_code == 200  # this request was let through before
    _assert_refused(client.get(url), refused)


@pytest.mark.parametrize("change, refused", [
    (_ended_meanwhile, "/login"), (_deactivated_meanwhile, "/login"), (_role_gone_meanwhile, 403),
    (_suspended_meanwhile, 404)])
def test_a_change_hidden_under_the_stamps_of_a_page_from_memory_is_never_given_at_once(
        client, login, coordinator, selecting, kept_on, monkeypatch, change, refused):
    """The same, on a request given the kept page from memory after its way lapsed (which keeps the way again)."""
    url = _a_board_kept(client, login, coordinator, selecting)
    later = datetime.now(UTC) + timedelta(seconds=kept_pages.AT_ONCE_SECONDS + 1)
    monkeypatch.setattr(common, "utcnow", lambda: later)
    monkeypatch.setattr(kept_pages, "utcnow", lambda: later)
    with _committed_while_the_stamps_are_read(monkeypatch, _running(change(coordinator.id))):
        assert client.get(url).status_code == 200  # let through before; the page from memory
    _assert_refused(client.get(url), refused)


def test_a_session_taken_to_another_browser_goes_the_whole_way(client, login, coordinator, selecting, kept_on):
    """Flask-Login's session protection goes by the address and browser: its checks run again (for a lasting session
    they mark it no longer fresh), and the page is made again."""
    url = _a_board_kept(client, login, coordinator, selecting)
    with _every_statement() as sent:
        answer = client.get(url, headers={"User-Agent": "Another browser"})
    assert sent and answer.status_code == 200


def test_a_board_is_given_at_once_for_at_most_a_few_seconds(client, login, coordinator, selecting, kept_on,
                                                             monkeypatch):
    url = _a_board_kept(client, login, coordinator, selecting)
    with _every_statement() as sent:
        assert client.get(url).status_code == 200
    assert not sent
    later = datetime.now(UTC) + timedelta(seconds=kept_pages.AT_ONCE_SECONDS + 1)
    monkeypatch.setattr(common, "utcnow", lambda: later)
    with _every_statement() as sent:
        assert client.get(url).status_code == 200
    assert sent  # the sign-in is checked (and the page given from memory once it is)


def test_a_board_is_not_given_at_once_when_its_sign_ins_last_request_is_due(client, login, coordinator, selecting,
                                                                             kept_on, monkeypatch):
    """Its last request written in 3 s: 4 s later, within AT_ONCE_SECONDS, the sign-in is checked (and written)."""
    login(coordinator)
    nearly = datetime.now(UTC) - sessions.TOUCH_EVERY + timedelta(seconds=3)
    database.session.connection().execute(
        update(SignIn.__table__).where(SignIn.user_id == coordinator.id).values(last_seen_at=nearly))
    url = f"/lyngby-taarbaek/coordinator/cohorts/{selecting.id}"
    for _ in range(2):
        assert client.get(url).status_code == 200
    with _every_statement() as sent:
        assert client.get(url).status_code == 200
    assert not sent  # given at once ...
    later = datetime.now(UTC) + timedelta(seconds=4)
    monkeypatch.setattr(common, "utcnow", lambda: later)
    with _every_statement() as sent:
        assert client.get(url).status_code == 200
    assert sent  # ... until the sign-in is due


def test_a_way_lapsed_is_kept_again_by_the_next_request_the_whole_way(client, login, coordinator, selecting,
                                                                       kept_on, monkeypatch):
    """The page outlives its way: given from memory after the sign-in checks, it is given at once again after."""
    url = _a_board_kept(client, login, coordinator, selecting)
    later = datetime.now(UTC) + timedelta(seconds=kept_pages.AT_ONCE_SECONDS + 1)
    monkeypatch.setattr(common, "utcnow", lambda: later)
    monkeypatch.setattr(kept_pages, "utcnow", lambda: later)
    with _every_statement() as checked:
        assert client.get(url).status_code == 200
    with _every_statement() as sent:
        assert client.get(url).status_code == 200
    assert checked and not sent


def test_a_sign_ins_last_request_is_written_when_its_board_comes_from_memory(client, login, coordinator, selecting,
                                                                              kept_on, monkeypatch):
    url = _a_board_kept(client, login, coordinator, selecting)
    later = datetime.now(UTC) + sessions.TOUCH_EVERY + timedelta(seconds=1)
    for module in (common, kept_pages, sessions):
        monkeypatch.setattr(module, "utcnow", lambda: later)
    assert client.get(url).status_code == 200
    database.session.expire_all()
    assert _open_sign_in(coordinator.id).last_seen_at == later


def test_a_person_being_signed_out_elsewhere_has_no_board_given_at_once(client, login, coordinator, selecting,
                                                                         kept_on):
    """Another process's sign-out between its mark and its commit's second stamp."""
    url = _a_board_kept(client, login, coordinator, selecting)
    _, marks = kept_on.keys(kept_pages.PERSON.format(coordinator.id))
    kept_on.client.zadd(marks, {"another-process": datetime.now(UTC).timestamp() + 5})
    with _every_statement() as sent:
        assert client.get(url).status_code == 200
    assert sent


def test_someone_elses_sign_out_leaves_the_workers_pages(client, login, coordinator, host_city, selecting, kept_on,
                                                         app):
    mentor = F.create_user(email="mentor@lyngby.example", city=host_city, role="mentor")
    database.session.commit()
    login(mentor, target=app.test_client())
    url = _a_board_kept(client, login, coordinator, selecting)
    _end_the_sign_in(mentor)  # (through this worker's session: a sign-out here)
    database.session.commit()
    assert _pages_kept() == 1
    with _every_statement() as sent:
        assert client.get(url).status_code == 200
    assert not sent
    # Their stamp lapses in a day unless set again: one key for everyone who ever signed out would pile up.
    stamp_key, _ = kept_on.keys(kept_pages.PERSON.format(mentor.id))
    assert 0 < kept_on.client.ttl(stamp_key) <= kept_pages.PERSON_STAMP_SECONDS


def test_a_cookie_kept_after_signing_out_opens_nothing(client, login, coordinator, selecting, kept_on, app):
    url = _a_board_kept(client, login, coordinator, selecting)
    name = app.config["SESSION_COOKIE_NAME"]
    copied = client.get_cookie(name).value
    assert client.post("/logout").status_code == 302
    client.set_cookie(name, copied)
    answer = client.get(url)
    assert answer.status_code == 302 and "/login" in answer.headers["Location"]


def test_what_a_board_given_at_once_skips_is_only_the_sign_in_and_access_checks(app):
    """Every hook and decorator of a board runs ahead of give_board_at_once or is one of those checks: a new one
    (a consent check, say) must be weighed here first."""
    app_hooks = [hook.__name__ for hook in app.before_request_funcs[None]]
    skipped = app_hooks[app_hooks.index("give_board_at_once") + 1:]
    assert skipped == ["check_proxy_header", "identify_actor"]
    boards = [endpoint for endpoint, view in app.view_functions.items() if getattr(view, "kept_board", False)]
    assert len(boards) >= 3
    for endpoint in boards:
        # kept_until_changed outermost: no decorator above it is skipped.
        assert app.view_functions[endpoint].__code__.co_qualname == "kept_until_changed.<locals>.answer", endpoint
        blueprint = endpoint.rpartition(".")[0]
        assert [hook.__qualname__ for hook in app.before_request_funcs.get(blueprint, [])] == [
            "_access_check.<locals>.check"], endpoint


def test_a_persons_sign_ins_move_only_their_own_stamp(db, host_city, coordinator, kept_on):
    person = kept_pages.PERSON.format(coordinator.id)
    db.session.commit()

    def now():
        return _stamps(kept_on, host_city.id, person)

    before = now()
    token = sessions.start(db.session, db.session.get(User, coordinator.id), "Firefox")
    db.session.commit()
    assert now() == before  # a new sign-in (and the last sign-in time): nobody's page went by it yet
    sign_in = sessions.find(db.session, token)[0]
    sign_in.last_seen_at -= sessions.TOUCH_EVERY  # a last request written: a board given at once stops before
    db.session.commit()
    assert now() == before
    sessions.end(db.session, db.session.get(SignIn, sign_in.id), sessions.LOGOUT)
    db.session.commit()
    ended = now()
    assert ended[0] == before[0] and ended[1] != before[1] and ended[2] == before[2]
    sessions.end_all(db.session, coordinator.id, sessions.EVERYWHERE)
    db.session.commit()
    everywhere = now()
    assert everywhere[0] == before[0] and everywhere[1] != ended[1] and everywhere[2] == before[2]


# --- what no kept page reads ---------------------------------------------------------------------------------------


def test_no_kept_board_reads_the_tables_whose_writes_set_no_stamp(app, client, login, coordinator, host_city, db):
    """kept_pages.UNREAD: every kept board, in every phase of a round with a survey answered, reads none of them."""
    from flask import url_for

    from mentorby.tenants.cohorts.models import CohortStatus
    from mentorby.tenants.cohorts.phases import ALLOWED
    from mentorby.tenants.surveys import answering

    boards = [rule for rule in app.url_map.iter_rules() if getattr(app.view_functions[rule.endpoint], "kept_board",
                                                                     False)]
    assert len(boards) >= 3
    login(coordinator)
    for status in CohortStatus:
        cohort = F.create_cohort(host_city, status=status.value, starts_on=date.today() - timedelta(days=30))
        F.create_application(cohort, role="mentor", status="accepted")
        F.create_application(cohort, role="mentee", status="accepted")
        if "survey" in ALLOWED[status]:
            sent = F.send_survey(cohort, "closing")
            with tenant_scope(db.session, host_city.id):
                response = next(response for response in sent.responses if response.role == "mentee")
                answering.submit(db.session, response, F.closing_answers(response), sent.sent_on)
        cohort_id = cohort.id
        db.session.commit()
        if status == CohortStatus.SELECTING:  # pairs proposed: the matching board in full
            proposed = client.post(f"/lyngby-taarbaek/coordinator/cohorts/{cohort_id}/matching/propose",
                                   data={"method": "optimal", "priority": "best_total"})
            assert proposed.status_code == 200
        for rule in boards:
            assert set(rule.arguments) == {"city", "cohort_id"}, f"{rule}: say here what to fill its arguments with"
            with app.test_request_context():
                url = url_for(rule.endpoint, city="lyngby-taarbaek", cohort_id=cohort_id)
            for headers in ({}, {"HX-Request": "true"}):
                with _every_statement() as sent_to_database:
                    assert client.get(url, headers=headers).status_code == 200, url
                read = [statement for statement in sent_to_database
                        if any(table in statement for table in kept_pages.UNREAD)]
                assert not read, f"{url} ({status}, {headers}) reads {read}"


def test_a_survey_answer_moves_no_stamp(db, host_city, kept_on, rollup_queue):
    """Its round's national rollups go to the queue (rollup_queue, as in production), refreshed there once for many
    answers: that refresh moves the city's stamp (the city's public page shows them), the answer does not."""
    from mentorby.tenants.surveys import answering

    cohort = F.create_cohort(host_city, status="running")
    for role in ("mentor", "mentee"):
        F.create_application(cohort, role=role, status="accepted")
    sent, cohort_id = F.send_survey(cohort, "closing", today=date.today()), cohort.id
    db.session.commit()
    before = _stamps(kept_on, host_city.id)
    with tenant_scope(db.session, host_city.id):
        response = next(response for response in sent.responses if response.role == "mentee")
        answering.submit(db.session, response, F.closing_answers(response), date.today())
        db.session.commit()
    assert _stamps(kept_on, host_city.id) == before
    assert rollup_queue() == [(host_city.id, cohort_id)]
