"""Benchmark of the national layer at 1,000 cities (not a test).

Run from the repository root:  .venv/bin/python bench/national.py [--json] [--cities 1000] [--rounds 20]
                                                                  [--participants 40] [--database postgresql|sqlite]

The national pages and API read the rollups only (platform/national/models.py): one row per city and round (its
year, status, mentors and mentees) and one per round, criterion and role (yes, answered, eligible). This script fills
a throw-away database (PostgreSQL by default, as in production; SQLite with --database sqlite) with `--cities`
active cities spread over the five regions, each with `--rounds` rounds (two a year, the latest years first) of
`--participants` people each (mentors and mentees), and the rollups those rounds' answers would give for every
success criterion of the programme. On PostgreSQL the app connects as its own non-owner role, so the national reads
go through the national role as in production.

Then, through the Flask test client (the whole request: routing, session, queries, suppression, template), it times
the national dashboard (signed in as a national stakeholder) and the open data API, for all years, one year and one
region: median and 95th percentile of `--repeats` requests after a warm-up, and the SQL statements of one.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or os.curdir).resolve() != _HERE]
os.environ.setdefault("MENTORBY_ENV", "testing")

PASSWORD = "bench password that is long"
PG = os.environ.get("PGHOST", "127.0.0.1"), os.environ.get("PGPORT", "5432"), os.environ.get("PGUSER", "postgres")
APP_ROLE = "mentorby_bench_app"
#: The dashboard's and the API's targets (issue 13), in seconds.
TARGETS = {"dashboard": 0.150, "api": 0.050}


@contextlib.contextmanager
def database(kind: str):
    """(owner URL, app URL) of a fresh database, dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
            yield url, url
        return
    import psycopg

    host, port, user = PG
    name = f"mentorby_bench_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(f"host={host} port={port} user={user} dbname=postgres", autocommit=True)
    admin.execute(f'create database "{name}"')
    try:
        yield (f"postgresql+psycopg://{user}@{host}:{port}/{name}",
               f"postgresql+psycopg://{APP_ROLE}@{host}:{port}/{name}")
    finally:
        admin.execute(f'drop database if exists "{name}" with (force)')
        admin.close()


def make_app(owner_url: str, app_url: str):
    """The app on the fresh database, migrated to head as the owner; on PostgreSQL its roles made."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine

    from mentorby.platform.app import create_app
    from mentorby.platform.cli import setup_app_role, store_cross_city_key

    app = create_app({"SQLALCHEMY_DATABASE_URI": app_url,
                      "MIGRATION_DATABASE_URL": owner_url if owner_url != app_url else None,
                      "SECRET_KEY": "bench-" + "x" * 40, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "BASE_URL": "http://localhost"})
    with app.app_context(), contextlib.redirect_stderr(io.StringIO()):
        upgrade()
        if owner_url != app_url:
            engine = create_engine(owner_url)
            with engine.begin() as conn:
                setup_app_role(conn, APP_ROLE, None)
                store_cross_city_key(conn, app.config["CROSS_CITY_KEY"])
            engine.dispose()
    return app


def fill(owner_url: str, cities: int, rounds: int, participants: int, seed: int = 13) -> dict:
    """The cities and their rollups, inserted in bulk as the owner; returns the row counts."""
    from sqlalchemy import create_engine, insert

    from mentorby.platform.cities.models import Region, Tenant
    from mentorby.platform.national.models import CriterionRollup, RoundRollup
    from mentorby.tenants.programme.defaults import CRITERIA

    rng = random.Random(seed)
    regions = Region.codes()
    last_year = 2026
    engine = create_engine(owner_url)
    round_rows, criterion_rows = [], []
    with engine.begin() as conn:
        conn.execute(insert(Tenant), [
            {"slug": f"by-{n}", "name": f"By {n} Career Mentoring", "municipality": f"By {n} Kommune",
             "region": regions[n % len(regions)], "status": "active", "is_host": n == 0, "contact_name": "",
             "contact_email": "", "motivation": "", "intro_da": "", "intro_en": "", "timezone": "Europe/Copenhagen",
             "public_email": "", "public_phone": ""} for n in range(cities)])
        city_ids = [row[0] for row in conn.exec_driver_sql("select id from tenant order by id")]
        cohort_id = 0
        for city_id in city_ids:
            for number in range(rounds):
                cohort_id += 1
                year = last_year - number // 2
                mentees = participants // 2 + rng.randint(-3, 3)
                mentors = participants - mentees
                round_rows.append({"cohort_id": cohort_id, "city_id": city_id, "year": year,
                                   "status": "followed_up" if number > 1 else "closed", "mentors": mentors,
                                   "mentees": mentees})
                for criterion in CRITERIA:
                    roles = ["mentor", "mentee"] if criterion["role"] == "both" else [criterion["role"]]
                    for role in roles:
                        eligible = {"mentor": mentors, "mentee": mentees}.get(role, mentees // 4)
                        answered = rng.randint(eligible // 2, eligible)
                        criterion_rows.append({
                            "cohort_id": cohort_id, "code": criterion["code"], "role": role, "city_id": city_id,
                            "year": year, "threshold": 0.6667, "of_everyone": bool(criterion["of_everyone"]),
                            "yes": rng.randint(0, answered), "answered": answered, "eligible": eligible})
        for start in range(0, len(round_rows), 5000):
            conn.execute(insert(RoundRollup), [row | {"updated_at": _now()} for row in round_rows[start:start + 5000]])
        for start in range(0, len(criterion_rows), 10000):
            conn.execute(insert(CriterionRollup), criterion_rows[start:start + 10000])
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql("analyze")
    engine.dispose()
    return {"cities": cities, "round_rows": len(round_rows), "criterion_rows": len(criterion_rows)}


def _now():
    from mentorby.platform.tenancy import utcnow

    return utcnow()


def stakeholder(app) -> None:
    from mentorby.platform.accounts.services import create_user
    from mentorby.platform.extensions import db

    with app.app_context():
        create_user(db.session, email="national@bench.example", name="National Stakeholder", password=PASSWORD,
                    platform_role="national")
        db.session.commit()


def measure(app, url: str, repeats: int, signed_in: bool, cold: bool = False) -> dict:
    """Median and 95th percentile of `repeats` GETs of `url` (after one warm-up), and the statements of one.

    `cold` empties the figures' cache before each request: the first request after a rollup changed.
    """
    from sqlalchemy import event

    from mentorby.platform.extensions import db
    from mentorby.platform.national import figures

    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    if signed_in:
        response = client.post("/login", data={"email": "national@bench.example", "password": PASSWORD})
        assert response.status_code == 302, response.status_code
    with app.app_context():
        engine = db.engine
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    times = []
    for attempt in range(repeats + 1):
        statements.clear()
        if cold:
            figures._CACHE.clear()
        event.listen(engine, "before_cursor_execute", count)
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
        event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
        if attempt:
            times.append(elapsed)
    times.sort()
    return {"median": statistics.median(times), "p95": times[min(len(times) - 1, int(len(times) * 0.95))],
            "statements": len(statements)}


def main() -> None:
    """Fill the database, time the national pages and API, print a table (and with --json a JSON line)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print all figures as one JSON object on the last line")
    parser.add_argument("--cities", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=20, help="rounds per city (two a year)")
    parser.add_argument("--participants", type=int, default=40, help="people per round (mentors and mentees)")
    parser.add_argument("--repeats", type=int, default=30, help="timed requests per URL")
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    options = parser.parse_args()
    pages = [("dashboard", "all years", "/national/", True, False),
             ("dashboard", "one year", "/national/?year=2024", True, False),
             ("dashboard", "one region", "/national/?region=syddanmark", True, False),
             ("public page", "all years", "/national/public", False, False),
             ("api", "all years", "/api/v1/national/figures", False, False),
             ("api", "one year, one region", "/api/v1/national/figures?year=2024&region=hovedstaden", False, False),
             ("api csv", "all years", "/api/v1/national/figures.csv", False, False),
             # The first request after a city's rollups changed computes the figures in full.
             ("after change", "dashboard, all years", "/national/", True, True),
             ("after change", "api, all years", "/api/v1/national/figures", False, True)]
    rows = []
    with database(options.database) as (owner_url, app_url):
        app = make_app(owner_url, app_url)
        start = time.perf_counter()
        sizes = fill(owner_url, options.cities, options.rounds, options.participants)
        filled = time.perf_counter() - start
        stakeholder(app)
        for kind, what, url, signed_in, cold in pages:
            rows.append({"kind": kind, "what": what, "url": url,
                         **measure(app, url, max(3, options.repeats // 3) if cold else options.repeats, signed_in,
                                   cold)})
    print(f"{options.cities:,} cities x {options.rounds} rounds x {options.participants} people on "
          f"{options.database}: {sizes['round_rows']:,} round rollups, {sizes['criterion_rows']:,} criterion "
          f"rollups (filled in {filled:.1f} s)")
    print(f"{'request':<12} {'filter':<22} {'median ms':>10} {'p95 ms':>8} {'SQL':>4} {'target':>8}")
    for row in rows:
        target = TARGETS.get(row["kind"].split()[0])
        mark = "" if target is None else (f"<{target * 1000:.0f} " + ("ok" if row["median"] < target else "MISS"))
        print(f"{row['kind']:<12} {row['what']:<22} {row['median'] * 1000:>10.1f} {row['p95'] * 1000:>8.1f} "
              f"{row['statements']:>4} {mark:>8}")
    if options.json:
        print(json.dumps({"database": options.database, **sizes, "rounds": options.rounds,
                          "participants": options.participants, "fill_seconds": round(filled, 2),
                          "requests": [{key: (round(value, 5) if isinstance(value, float) else value)
                                        for key, value in row.items()} for row in rows]}))


if __name__ == "__main__":
    main()
