"""The README's production steps, followed from an empty server: owner, migrations, setup-postgres, the app role."""

import uuid

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import PG_HOST, PG_PORT, PG_SUPERUSER, _pg_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def db():
    """This test makes its own database and roles, as an operator would."""
    return None


@pytest.fixture
def empty_server():
    import psycopg

    suffix = uuid.uuid4().hex[:8]
    names = {"owner": f"mentorby_owner_{suffix}", "app": f"mentorby_app_{suffix}", "db": f"mentorby_setup_{suffix}"}
    admin = psycopg.connect(f"host={PG_HOST} port={PG_PORT} user={PG_SUPERUSER} dbname=postgres", autocommit=True)
    # Step 1 of the README, as a PostgreSQL superuser, once: the owner (who may create roles) and its database.
    admin.execute(f"create role {names['owner']} login createrole password 'owner-secret'")
    admin.execute(f"create database {names['db']} owner {names['owner']}")
    try:
        yield names
    finally:
        admin.execute(f"drop database if exists {names['db']} with (force)")
        for role in (names["app"], names["owner"]):
            admin.execute(f"drop role if exists {role}")
        admin.close()


def test_the_documented_steps_work_from_an_empty_server(empty_server):
    from flask_migrate import upgrade

    from mentorby.platform.app import create_app
    from mentorby.platform.cities.models import ACTIVE, Tenant
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import cross_tenant, set_session_tenant
    from mentorby.tenants.partners.models import Partner

    owner_url, app_url = _pg_url(empty_server["owner"], empty_server["db"]), _pg_url(empty_server["app"],
                                                                                      empty_server["db"])
    app = create_app({"SQLALCHEMY_DATABASE_URI": app_url, "MIGRATION_DATABASE_URL": owner_url,
                      "SECRET_KEY": "setup-test-" + "s" * 40, "RATELIMIT_STORAGE_URI": "memory://"})
    with app.app_context():
        upgrade()  # step 2: `flask db upgrade`, as the owner
    result = app.test_cli_runner().invoke(args=["setup-postgres", "--app-role", empty_server["app"],
                                                "--app-password", "app-secret"])  # step 3
    assert result.exit_code == 0, result.output
    owner = create_engine(owner_url)
    with owner.begin() as conn:
        role = conn.execute(text("select rolsuper, rolbypassrls, rolcreaterole from pg_roles where rolname = :r"),
                            {"r": empty_server["app"]}).one()
        assert tuple(role) == (False, False, False)
    owner.dispose()
    # The app, connected as its role: two cities, each sees its own; across cities only with the app's secret.
    with app.app_context():
        lyngby, aarhus = Tenant(slug="lyngby", name="Lyngby", status=ACTIVE), Tenant(slug="aarhus", name="Aarhus",
                                                                                      status=ACTIVE)
        db.session.add_all([lyngby, aarhus])
        db.session.flush()
        for city, name in ((lyngby, "DTU"), (aarhus, "Vestas")):
            set_session_tenant(db.session, city.id)
            db.session.add(Partner(name=name, kind="company"))
            db.session.flush()
        set_session_tenant(db.session, lyngby.id)
        db.session.execute(text("select set_config('app.cross_tenant', 'on', true)"))
        assert db.session.execute(text("select name from partner")).scalars().all() == ["DTU"]
        with cross_tenant(db.session):
            assert sorted(db.session.execute(text("select name from partner")).scalars()) == ["DTU", "Vestas"]
        db.session.rollback()
        db.engine.dispose()
