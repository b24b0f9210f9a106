"""Test fixtures: one app per run on SQLite or PostgreSQL, a savepoint-isolated transaction per test.

TEST_DATABASE=postgresql runs the suite on a throw-away PostgreSQL database (127.0.0.1:5432 by default,
PGHOST/PGPORT/PGUSER to change), migrated as the owner, with the app connecting as a non-owner role so
that row-level security applies. Under CI (CI=true) a missing server fails the run.
"""

import os
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("MENTORBY_ENV", "testing")
os.environ["HUEY_IMMEDIATE"] = "1"

import pytest  # noqa: E402
from flask.ctx import _cv_app  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import event  # noqa: E402
from sqlalchemy.orm import scoped_session, sessionmaker  # noqa: E402

from tests import factories  # noqa: E402

BACKEND = os.environ.get("TEST_DATABASE", "sqlite")
PG_HOST = os.environ.get("PGHOST", "127.0.0.1")
PG_PORT = os.environ.get("PGPORT", "5432")
PG_SUPERUSER = os.environ.get("PGUSER", "postgres")
PG_APP_ROLE = "mentorby_test_app"


def pytest_sessionstart(session):
    """Compile the Danish catalogue when it is missing or older than its source (make does this too)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    po = root / "translations/da/LC_MESSAGES/messages.po"
    mo = po.with_suffix(".mo")
    if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
        pybabel = Path(sys.executable).parent / "pybabel"
        subprocess.run([str(pybabel), "compile", "-d", str(root / "translations")], check=True, capture_output=True)


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests belong to the PostgreSQL run (make test runs both); deselected, not skipped, elsewhere."""
    if BACKEND == "postgresql":
        return
    deselected = [item for item in items if "postgres" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if "postgres" not in item.keywords]


def _pg_url(user: str, database: str) -> str:
    return f"postgresql+psycopg://{user}@{PG_HOST}:{PG_PORT}/{database}"


@contextmanager
def _postgres_database():
    import psycopg

    name = f"mentorby_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg.connect(f"host={PG_HOST} port={PG_PORT} user={PG_SUPERUSER} dbname=postgres", autocommit=True)
    except psycopg.OperationalError as exc:
        pytest.exit(f"TEST_DATABASE=postgresql but no server at {PG_HOST}:{PG_PORT}: {exc}", returncode=3)
    admin.execute(f'create database "{name}"')
    try:
        yield _pg_url(PG_SUPERUSER, name), _pg_url(PG_APP_ROLE, name)
    finally:
        admin.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


@pytest.fixture(scope="session")
def database_urls():
    """(owner URL, app URL) of a fresh database for this run."""
    if BACKEND == "postgresql":
        with _postgres_database() as urls:
            yield urls
    else:
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'test.sqlite'}"
            yield url, url


@pytest.fixture(scope="session")
def app(database_urls):
    """The app, on a database migrated to head with Alembic (so migrations are tested on both backends)."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine

    from mentorby.platform.app import create_app
    from mentorby.platform.cli import setup_app_role, store_cross_city_key

    owner_url, app_url = database_urls
    application = create_app({
        "SQLALCHEMY_DATABASE_URI": app_url,
        "MIGRATION_DATABASE_URL": owner_url if owner_url != app_url else None,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test-secret-" + "x" * 32,
        "SERVER_NAME": None,
        "BASE_URL": "http://localhost",
        "RATELIMIT_STORAGE_URI": "memory://",
    })
    application.test_client_class = IsolatedClient
    with application.app_context():
        upgrade()
        if BACKEND == "postgresql":
            engine = create_engine(owner_url)
            with engine.begin() as conn:
                setup_app_role(conn, PG_APP_ROLE, None)
                store_cross_city_key(conn, application.config["CROSS_CITY_KEY"])
            engine.dispose()
    return application


class IsolatedClient(FlaskClient):
    """A test client whose requests get their own app context (own session, own `g`), as in production.

    Flask reuses an app context that is already pushed; the test body has one, so hide it per request.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Assertions read English; the Danish pages have their own tests.
        self.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            response = super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
        # Large bodies are spooled to a temporary file that a real server would own and close.
        body = response.request.environ.get("wsgi.input") if response.request else None
        if body is not None and hasattr(body, "close"):
            body.close()
        return response


@pytest.fixture(autouse=True)
def db(savepoint_db):
    """Every test runs inside the savepoint-isolated database (pure tests override this with a no-op)."""
    return savepoint_db


@pytest.fixture
def savepoint_db(app):
    """A transaction per test, rolled back at the end; requests commit to savepoints inside it."""
    from mentorby.platform.extensions import db as database
    from mentorby.platform.extensions import limiter

    with app.app_context():
        connection = database.engine.connect()
        transaction = connection.begin()
        original = database.session
        # A plain Session bound to the test's connection (Flask-SQLAlchemy's own Session would pick the
        # engine over the bound connection), scoped per app context as Flask-SQLAlchemy scopes it.
        database.session = scoped_session(
            sessionmaker(bind=connection, join_transaction_mode="create_savepoint"),
            scopefunc=original.registry.scopefunc,
        )
        limiter.reset()
        try:
            yield database
        finally:
            database.session.remove()
            database.session = original
            if transaction.is_active:
                transaction.rollback()
            connection.close()


@pytest.fixture
def as_city(db):
    """`as_city(city)`: from then to the end of the test, the test's own queries are that city's (as in a request
    of the city), with no `with tenant_scope(...)` block around each. Requests the test makes have their own."""
    from mentorby.platform.tenancy import session_tenant_id, set_session_tenant

    previous = session_tenant_id(db.session)
    yield lambda city: set_session_tenant(db.session, city.id)
    set_session_tenant(db.session, previous)


@pytest.fixture
def in_host_city(as_city, host_city):
    """The whole test reads and writes as the host city (Lyngby)."""
    as_city(host_city)
    return host_city


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def count_queries(db):
    """Count the SQL statements a block issues: `with count_queries() as counter: ...; counter.count`."""

    class Counter:
        count = 0
        statements: list

    @contextmanager
    def counting():
        counter = Counter()
        counter.statements = []

        def before(conn, cursor, statement, parameters, context, executemany):
            if not statement.lstrip().lower().startswith(("savepoint", "release", "rollback", "select set_config")):
                counter.count += 1
                counter.statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", before)
        try:
            yield counter
        finally:
            event.remove(db.engine, "before_cursor_execute", before)

    return counting


@pytest.fixture
def queries_at_sizes(client, count_queries, db):
    """Queries one page issues with 5 and with 200 rows: `grow(total)` brings the data to `total` rows first.

    `ceiling` is the page's stated budget: the statements one request may issue at either size (the test states it,
    so that a page that starts asking more fails even when the number does not grow with the data).
    """

    def measure(url, grow, *, ceiling: int, sizes=(5, 200)):
        counts = []
        for total in sizes:
            grow(total)
            # Committed before the page is asked for, as in production: the request pays for its own writes only
            # (a commit that changed what a city's front page lists stamps the city: tenants/public_page.py).
            db.session.commit()
            with count_queries() as counter:
                page = client.get(url)
            assert page.status_code == 200
            counts.append(counter.count)
        assert max(counts) <= ceiling, f"{url}: {counts} statements, budget {ceiling}"
        return counts, page

    return measure


# --- factories as fixtures -----------------------------------------------------------------------


@pytest.fixture
def rollup_queue(monkeypatch):
    """Survey answers hand their round's rollups to the task queue, as where a worker runs it (production).

    Gives a function listing the refreshes waiting on the queue, (city id, round id) each; afterwards what was
    scheduled and the rounds' claims are cleared.
    """
    from mentorby.platform.tasks import huey
    from mentorby.tenants.evaluation import rollups
    from mentorby.tenants.evaluation.tasks import refresh_round_rollups

    monkeypatch.setattr(rollups, "answers_wait", lambda: True)
    yield lambda: sorted(task.args for task in huey.scheduled()
                         if isinstance(task, refresh_round_rollups.task_class))
    huey.storage.flush_schedule()
    huey.storage.flush_results()


@pytest.fixture
def create_city(db):
    return factories.create_city


@pytest.fixture
def create_user(db):
    return factories.create_user


@pytest.fixture
def create_cohort(db):
    return factories.create_cohort


@pytest.fixture
def create_application(db):
    return factories.create_application


@pytest.fixture
def host_city(db):
    return factories.create_city(slug="lyngby-taarbaek", name="Lyngby-Taarbæk Vidensby", is_host=True,
                                 region="hovedstaden")


@pytest.fixture
def other_city(db):
    return factories.create_city(slug="aarhus", name="Aarhus Career Mentoring", region="midtjylland")


@pytest.fixture
def coordinator(host_city):
    return factories.create_user(email="coordinator@lyngby.example", city=host_city, role="coordinator")


@pytest.fixture
def other_coordinator(other_city):
    return factories.create_user(email="coordinator@aarhus.example", city=other_city, role="coordinator")


@pytest.fixture
def admin(db):
    return factories.create_user(email="admin@mentorby.example", platform_role="admin")


@pytest.fixture
def login(client):
    def sign_in(user, password=factories.PASSWORD, target=None):
        target = target or client
        response = target.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.data
        return target

    return sign_in
