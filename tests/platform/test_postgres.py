"""Row-level security on PostgreSQL: the second layer of isolation."""

import pytest
from sqlalchemy import text

from mentorby.platform.tenancy import set_session_tenant
from tests.factories import create_partner

pytestmark = pytest.mark.postgres


def test_every_tenant_owned_table_has_a_policy_and_force(db):
    tables = set(
        db.session.execute(
            text(
                "select table_name from information_schema.columns "
                "where table_schema = 'public' and column_name = 'tenant_id'"
            )
        ).scalars()
    )
    assert {"membership", "partner", "programme_event", "audit_entry", "outbox_message"} <= tables
    policies = set(db.session.execute(text("select tablename from pg_policies where schemaname = 'public'")).scalars())
    forced = set(
        db.session.execute(
            text("select relname from pg_class where relrowsecurity and relforcerowsecurity and relkind = 'r'")
        ).scalars()
    )
    assert tables - policies == set(), "tables without a policy"
    assert tables - forced == set(), "tables without FORCE ROW LEVEL SECURITY"


def test_the_app_role_is_bound_by_policies(db):
    row = db.session.execute(
        text(
            "select r.rolsuper, r.rolbypassrls, "
            "(select tableowner from pg_tables where tablename = 'partner') = current_user "
            "from pg_roles r where r.rolname = current_user"
        )
    ).one()
    assert tuple(row) == (False, False, False)


def test_raw_sql_without_the_city_setting_sees_no_rows(db, host_city, other_city):
    create_partner(host_city, name="DTU")
    create_partner(other_city, name="Vestas")
    set_session_tenant(db.session, None)
    assert db.session.execute(text("select count(*) from partner")).scalar() == 0
    set_session_tenant(db.session, host_city.id)
    assert db.session.execute(text("select name from partner")).scalars().all() == ["DTU"]
    set_session_tenant(db.session, None)


def test_raw_insert_into_another_city_is_refused(db, host_city, other_city):
    set_session_tenant(db.session, host_city.id)
    with pytest.raises(Exception, match="row-level security"):
        with db.session.begin_nested():
            db.session.execute(
                text(
                    "insert into partner (tenant_id, name, kind, website, description, public, created_at) "
                    "values (:t, 'Sneaky', 'company', '', '', true, now())"
                ),
                {"t": other_city.id},
            )
    set_session_tenant(db.session, None)


def test_the_setting_does_not_outlive_the_transaction(app, host_city):
    """Same backend, two requests: the second sees no trace of the first one's city."""
    from mentorby.platform.extensions import db as database

    engine = database.engine
    with engine.connect() as conn:
        pid = conn.execute(text("select pg_backend_pid()")).scalar()
        conn.execute(text("select set_config('app.tenant_id', :t, true)"), {"t": str(host_city.id)})
        assert conn.execute(text("select current_setting('app.tenant_id')")).scalar() == str(host_city.id)
        conn.commit()
        assert conn.execute(text("select pg_backend_pid()")).scalar() == pid
        assert conn.execute(text("select coalesce(current_setting('app.tenant_id', true), '')")).scalar() == ""
        conn.rollback()


def test_audit_log_is_append_only_for_the_app(db, host_city):
    set_session_tenant(db.session, host_city.id)
    with pytest.raises(Exception, match="permission denied"):
        with db.session.begin_nested():
            db.session.execute(text("delete from audit_entry"))
    set_session_tenant(db.session, None)


def _partners_seen(db) -> set[str]:
    return set(db.session.execute(text("select name from partner")).scalars())


def test_the_app_role_cannot_widen_its_own_scope(db, host_city, other_city):
    """What an SQL injection could try as the app role: every way it can name fails; only the app's secret opens."""
    from mentorby.platform.tenancy import cross_tenant

    create_partner(host_city, name="DTU")
    create_partner(other_city, name="Vestas")
    set_session_tenant(db.session, host_city.id)
    attempts = [
        "select set_config('app.cross_tenant', 'on', true)",  # the old switch
        "select set_config('app.cross_key', 'on', true)",
        "select set_config('app.cross_key', (select digest from mentorby_private.cross_city_key limit 1), true)",
    ]
    for attempt in attempts:
        try:
            with db.session.begin_nested():
                db.session.execute(text(attempt))
                assert _partners_seen(db) == {"DTU"}, attempt
        except Exception as error:  # the private schema is closed to the app role
            assert "permission denied" in str(error), attempt
    for statement in ("select digest from mentorby_private.cross_city_key",
                      "create or replace function mentorby_cross_city() returns boolean language sql as 'select true'",
                      "alter table partner no force row level security", "set role postgres"):
        with pytest.raises(Exception, match="permission denied|must be owner|must be member"):
            with db.session.begin_nested():
                db.session.execute(text(statement))
    # The app itself, with its secret, reads across cities where it means to, and only there.
    with cross_tenant(db.session):
        assert _partners_seen(db) == {"DTU", "Vestas"}
    assert _partners_seen(db) == {"DTU"}
    set_session_tenant(db.session, None)


def test_every_policy_asks_the_cross_city_function(db):
    conditions = db.session.execute(text("select tablename, qual from pg_policies where schemaname = 'public'")).all()
    assert conditions and all("mentorby_cross_city()" in qual for _table, qual in conditions), conditions
    assert not any("cross_tenant" in qual for _table, qual in conditions)


def test_a_refusal_rolled_back_in_a_savepoint_leaves_the_city_as_it_was(db, as_city, host_city, other_city):
    """Settings made inside a savepoint that rolls back (attempt() refusing) are undone: they are applied again."""
    from sqlalchemy import select

    from mentorby.tenants.partners.models import Partner

    create_partner(host_city, name="DTU")
    create_partner(other_city, name="Vestas")
    as_city(host_city)
    connection = db.session.connection()
    # Another session on the connection left no city behind (in a test, a request that signed someone in).
    connection.execute(text("select set_config('app.tenant_id', '', true)"))
    connection.info["mentorby.pg_settings"] = ("", "")
    with pytest.raises(RuntimeError), db.session.begin_nested():
        assert db.session.execute(select(Partner.name)).scalars().all() == ["DTU"]  # the city applied in here
        raise RuntimeError("refused")
    assert db.session.execute(select(Partner.name)).scalars().all() == ["DTU"]


def test_the_national_reads_go_through_a_door_that_sees_aggregates_only(db, host_city):
    from mentorby.platform.national.figures import BadFilter, aggregates_only, national

    create_partner(host_city, name="Hemmelig Partner ApS")
    db.session.flush()
    app_role = db.session.execute(text("select current_user")).scalar()
    with aggregates_only(db.session):
        assert db.session.execute(text("select current_user")).scalar() == app_role + "_national"
        assert db.session.execute(text("select count(*) from round_rollup")).scalar() >= 0
        assert db.session.execute(text("select name from tenant where slug = 'lyngby-taarbaek'")).scalar()
        national(db.session)  # nested: still the national role afterwards
        assert db.session.execute(text("select current_user")).scalar() == app_role + "_national"
        for forbidden in ("select name from partner", "select contact_email from tenant",
                          "select email from user_account", "select * from survey_answer"):
            with pytest.raises(Exception, match="permission denied"):
                with db.session.begin_nested():
                    db.session.execute(text(forbidden)).all()
    assert db.session.execute(text("select current_user")).scalar() == app_role
    # A refused filter leaves the door too: the request goes on as the app.
    with pytest.raises(BadFilter):
        national(db.session, 1999)
    assert db.session.execute(text("select current_user")).scalar() == app_role
    # The app role cannot turn the national role into more than it is: it may not grant what it does not own
    # (PostgreSQL only warns and grants nothing), nor give the role a login or policies' bypass.
    db.session.execute(text(f'grant select on partner to "{app_role}_national"'))
    with pytest.raises(Exception, match="permission denied"):
        with db.session.begin_nested(), aggregates_only(db.session):
            db.session.execute(text("select name from partner")).all()
    with pytest.raises(Exception, match="permission denied|must be superuser|InsufficientPrivilege"):
        with db.session.begin_nested():
            db.session.execute(text(f'alter role "{app_role}_national" bypassrls'))


def test_the_door_switches_role_only_for_a_statement_and_again_after_a_savepoint_undid_it(db, host_city,
                                                                                          count_queries):
    from mentorby.platform.national.figures import aggregates_only

    app_role = db.session.execute(text("select current_user")).scalar()
    # A national page answered from the worker's memory reads nothing inside: no switch, no switch back.
    with count_queries() as counter:
        with aggregates_only(db.session):
            pass
    assert counter.count == 0, counter.statements
    # The first statement inside is refused in a savepoint, whose rollback undoes the switch made just before it:
    # the next statement switches again, and the exit switches back.
    with aggregates_only(db.session):
        with pytest.raises(Exception, match="permission denied"):
            with db.session.begin_nested():
                db.session.execute(text("select name from partner")).all()
        assert db.session.execute(text("select current_user")).scalar() == app_role + "_national"
    assert db.session.execute(text("select current_user")).scalar() == app_role
    # A statement refused in a savepoint after the switch: the error goes to the caller, and the transaction, which
    # goes on, goes on as the app.
    with pytest.raises(Exception, match="permission denied"):
        with aggregates_only(db.session):
            assert db.session.execute(text("select current_user")).scalar() == app_role + "_national"
            with db.session.begin_nested():
                db.session.execute(text("select name from partner")).all()
    assert db.session.execute(text("select current_user")).scalar() == app_role
    # Nothing of the door stays with the session once it is left (nor with its pooled connection: none is kept
    # there).
    assert not {"mentorby.national.pending_role", "mentorby.national.switched_role"} & set(db.session.info)


def test_a_transaction_ended_inside_the_door_goes_on_as_the_national_role_and_leaves_the_pool_clean(
        app, database_urls):
    # As in production: a session on the engine (the tests' own session shares one connection in a savepoint).
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from mentorby.platform.national.figures import aggregates_only

    def who(session):
        return session.execute(text("select current_user")).scalar()

    engine = create_engine(database_urls[1], pool_size=1, max_overflow=0)
    try:
        with Session(engine) as session:
            app_role = who(session)
            session.commit()
            with aggregates_only(session):
                assert who(session) == app_role + "_national"
                session.commit()  # the connection goes back to the pool; the next transaction switches again
                assert who(session) == app_role + "_national"
                session.rollback()
                assert who(session) == app_role + "_national"
            assert who(session) == app_role
        for _ in range(2):  # the pool's one connection, taken again: nothing of the door comes with it
            with Session(engine) as later:
                assert who(later) == app_role
    finally:
        engine.dispose()


def _setting(db) -> str:
    # On the connection itself, past the session's hooks: what PostgreSQL holds right now.
    return db.session.connection().exec_driver_sql(
        "select coalesce(current_setting('app.tenant_id', true), '')").scalar()


def test_a_city_after_none_waits_for_the_next_statement_and_can_only_show_less_meanwhile(db, host_city,
                                                                                          other_city):
    """From no city, the city is applied with the next statement through the session (a request that reads
    nothing more saves the round trip); until then PostgreSQL holds no city, so nothing of any city is seen."""
    from sqlalchemy import insert, select

    from mentorby.tenants.partners.models import Partner

    create_partner(host_city, name="DTU")
    create_partner(other_city, name="Vestas")
    set_session_tenant(db.session, None)
    db.session.execute(text("select 1"))
    set_session_tenant(db.session, host_city.id)
    assert _setting(db) == ""
    assert db.session.connection().exec_driver_sql("select count(*) from partner").scalar() == 0
    # An insert through the session (no SELECT first) is checked against the city it was made for.
    db.session.execute(insert(Partner), [{"name": "Novo", "kind": "company", "tenant_id": host_city.id}])
    assert _setting(db) == str(host_city.id)
    assert sorted(db.session.execute(select(Partner.name)).scalars()) == ["DTU", "Novo"]
    set_session_tenant(db.session, None)


def test_from_one_city_to_another_the_setting_changes_at_once(db, host_city, other_city):
    create_partner(host_city, name="DTU")
    create_partner(other_city, name="Vestas")
    set_session_tenant(db.session, host_city.id)
    db.session.execute(text("select 1"))
    assert _setting(db) == str(host_city.id)
    set_session_tenant(db.session, other_city.id)
    assert _setting(db) == str(other_city.id)
    assert db.session.connection().exec_driver_sql("select name from partner").scalars().all() == ["Vestas"]
    set_session_tenant(db.session, None)
    assert _setting(db) == ""
    set_session_tenant(db.session, None)


def test_a_transaction_after_a_commit_does_not_ask_for_no_city(app):
    """A transaction holds no city when it starts: a request does not ask PostgreSQL to set none (a round trip)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from mentorby.platform.extensions import db as database

    seen = []

    def listener(conn, cursor, statement, *rest):
        seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", listener)
    try:
        with Session(database.engine) as session:
            session.execute(text("select 1"))  # a connection of unknown state is told once
            session.commit()
            seen.clear()
            assert session.execute(text("select coalesce(current_setting('app.tenant_id', true), '')")).scalar() == ""
            session.rollback()
    finally:
        event.remove(database.engine, "before_cursor_execute", listener)
    assert len(seen) == 1 and "set_config" not in seen[0], seen


def test_a_connection_back_in_the_pool_holds_no_city(app):
    """However a connection goes back to the pool, it is rolled back there: the next transaction on it must not
    trust a city it no longer holds (and skip telling PostgreSQL), or it would see nothing."""
    from mentorby.platform.extensions import db as database
    from mentorby.platform.tenancy import PG_APPLIED_KEY

    raw = database.engine.raw_connection()
    record = raw._connection_record
    record.info[PG_APPLIED_KEY] = ("5", "")
    raw.close()
    assert record.info[PG_APPLIED_KEY] == ("", "")


def test_a_requests_city_is_read_and_applied_in_one_statement(db, host_city, other_city):
    """The request's first statement reads the city and applies it (no set_config round trip of its own); a slug
    no open city has applies nothing, and a session that already has a city applies it as before."""
    from sqlalchemy import event

    from mentorby.platform.cities.services import enter_city
    from mentorby.platform.tenancy import session_tenant_id
    from tests.factories import create_city

    create_partner(host_city, name="DTU")
    create_partner(other_city, name="Vestas")
    suspended = create_city(slug="suspended-city", name="Suspended", status="suspended").slug
    set_session_tenant(db.session, None)
    db.session.execute(text("select 1"))  # the transaction holds nothing now, as a request's does when it starts
    seen = []

    def listener(conn, cursor, statement, *rest):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert enter_city(db.session, "no-such-city") is None and session_tenant_id(db.session) is None
        assert enter_city(db.session, suspended) is None and session_tenant_id(db.session) is None  # no pages
        assert _setting(db) == ""
        seen.clear()
        assert enter_city(db.session, host_city.slug).id == host_city.id
        assert len(seen) == 1 and "set_config" in seen[0], seen
        assert session_tenant_id(db.session) == host_city.id and _setting(db) == str(host_city.id)
        assert db.session.connection().exec_driver_sql("select name from partner").scalars().all() == ["DTU"]
        seen.clear()
        assert enter_city(db.session, other_city.slug).id == other_city.id  # from a city: read, then applied
        assert [s for s in seen if "set_config" in s] and _setting(db) == str(other_city.id)
        assert db.session.connection().exec_driver_sql("select name from partner").scalars().all() == ["Vestas"]
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
        set_session_tenant(db.session, None)
