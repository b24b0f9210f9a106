"""Benchmark of the evaluation pages on a throw-away SQLite database (not a test).

Run from the repository root:  .venv/bin/python bench/evaluation.py [--json] [--rounds 20] [--people 20]

It builds two cities, each with `--rounds` closed rounds of `--people` mentors and `--people` mentees (40
participants by default) to which the five surveys of the programme went out (baseline, midway, closing, 6-month
follow-up, company retention), with realistic answers to every question a person sees: in the first city everyone
answered, in the second a quarter did. Then, signed in as a coordinator through the Flask test client, it times one
request of a round's evaluation page and one of the city's comparison of all its rounds (best of several), and
counts the SQL statements each issues: they are the same whatever the number of answers. Last, the PDF report of a
round, as the task queue builds it (not a request).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

# This script's folder first on sys.path would let bench/matching.py shadow the `matching` library.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or os.curdir).resolve() != _HERE]
os.environ.setdefault("MENTORBY_ENV", "testing")
os.environ.setdefault("HUEY_IMMEDIATE", "1")

PASSWORD = "bench password that is long"
SURVEYS = ("baseline", "midway", "closing", "follow_up", "company_retention")
MENTEE = {"field": "engineering", "languages": ["en"], "availability": ["weekday_evening"], "education": "MSc",
          "years_experience": 5, "job_goal": "Project engineer in wind energy", "danish_level": "beginner",
          "partner_employer": "", "locale": "en"}
MENTOR = {"field": "engineering", "languages": ["da", "en"], "availability": ["weekday_evening"], "employer": "COWI",
          "job_title": "Senior engineer", "industry": "engineering", "expertise": "wind energy, project management",
          "mentoring_format": "one", "mentee_capacity": 1, "motivation": "", "locale": "da"}
SENTENCES = ("Meeting people in my field opened doors I did not know existed.",
             "More time for the mentor and mentee to meet in the first month.",
             "The interview workshop was the most useful evening of the programme.",
             "My mentor introduced me to three companies; one of them hired me.")


def make_app(folder: str):
    """The app on a fresh SQLite file, migrated to head."""
    from flask_migrate import upgrade

    from mentorby.platform.app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}",
                      "SECRET_KEY": "bench-" + "x" * 40, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                      "BASE_URL": "http://localhost"})
    # Alembic logs each migration to stderr; the table is what this script reports.
    with app.app_context(), contextlib.redirect_stderr(io.StringIO()):
        upgrade()
    return app


def answer_rows(survey, response, rng: random.Random) -> list[dict]:
    """Realistic answers of one person to every question they see."""
    from mentorby.tenants.surveys import answering
    from mentorby.tenants.surveys.models import QuestionKind

    rows, given = [], {}
    for question in answering.visible(survey.questions, response.role, given):
        kind = question.kind
        if kind == QuestionKind.TEXT:
            values = [("", rng.choice(SENTENCES))] if rng.random() < 0.6 else []
        elif kind == QuestionKind.NUMBER:
            values = [(str(rng.randint(question.minimum, min(question.maximum, 40))), "")]
        elif kind == QuestionKind.MULTIPLE:
            codes = answering.codes_of(question)
            values = [(code, "") for code in rng.sample(codes, rng.randint(1, 3))]
        elif kind == QuestionKind.LIKERT:
            values = [(rng.choices("12345", weights=(1, 1, 2, 4, 4))[0], "")]
        elif kind == QuestionKind.EMPLOYMENT:
            values = [(rng.choice(answering.codes_of(question)), "")]
        else:
            values = [(rng.choices(answering.codes_of(question), weights=(4, 1))[0]
                       if len(answering.codes_of(question)) == 2 else rng.choice(answering.codes_of(question)), "")]
        given[question.key] = [value for value, _ in values]
        rows += [{"tenant_id": response.tenant_id, "response_id": response.id, "question_id": question.id,
                  "key": question.key, "value": value, "text": text} for value, text in values]
    return rows


def build_city(app, slug: str, rounds: int, people: int, answering_share: float, seed: int) -> dict:
    """A city with its coordinator and `rounds` closed rounds, the five surveys sent and answered."""
    from sqlalchemy import insert, select

    from mentorby.platform.accounts.models import Membership, User
    from mentorby.platform.accounts.passwords import hash_password
    from mentorby.platform.cities.models import ACTIVE, Tenant
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import tenant_scope, utcnow
    from mentorby.tenants.applications import consent
    from mentorby.tenants.applications.filing import submit_many
    from mentorby.tenants.cohorts.services import plan_cohort
    from mentorby.tenants.partners.models import Partner, PartnerContact
    from mentorby.tenants.programme.services import install_model
    from mentorby.tenants.surveys import builder, sending
    from mentorby.tenants.surveys.models import Answer, Response

    rng = random.Random(seed)
    answers = 0
    with app.app_context():
        city = Tenant(slug=slug, name=f"Bench {slug}", municipality="Bench", status=ACTIVE, is_host=slug == "bench-a")
        db.session.add(city)
        db.session.flush()
        install_model(db.session, city, "bench-a")
        email = f"coordinator@{slug}.example"
        user = User(email=email, name="Coordinator", password_hash=hash_password(PASSWORD))
        db.session.add(user)
        db.session.flush()
        with tenant_scope(db.session, city.id):
            db.session.add(Membership(user_id=user.id, role="coordinator"))
            partners = []
            for number in range(5):
                partner = Partner(name=f"Company {number}", kind="company")
                db.session.add(partner)
                db.session.flush()
                db.session.add(PartnerContact(partner_id=partner.id, name=f"HR {number}",
                                              email=f"hr{number}@company{number}.example"))
                partners.append(partner)
            surveys = [builder.current(db.session, key) for key in SURVEYS]
            first = date(2016, 2, 1)
            cohort_ids = []
            for index in range(rounds):
                starts = first + timedelta(days=183 * index)
                cohort = plan_cohort(db.session, {"name": f"Round {index + 1:02d}", "starts_on": starts,
                                                  "ends_on": starts + timedelta(days=120), "apply_by": None,
                                                  "mentor_capacity": people, "mentee_capacity": people,
                                                  "description": ""})
                items = [("mentor", MENTOR | {"name": f"Mentor {n}", "email": f"mentor{index}.{n}@example.org"})
                         for n in range(people)]
                items += [("mentee", MENTEE | {"name": f"Mentee {n}", "email": f"mentee{index}.{n}@example.org"})
                          for n in range(people)]
                filed = submit_many(db.session, cohort, items, consent_version=consent.CURRENT, source="coordinator")
                for number, application in enumerate(filed):
                    application.status = "accepted"
                    if application.role == "mentee" and number % 4 == 0:
                        application.partner_employer_id = partners[number % len(partners)].id
                cohort.status = "closed"
                db.session.flush()
                rows, submitted = [], []
                for survey in surveys:
                    sent = sending.send(db.session, cohort, survey, notify=False,
                                        today=starts + timedelta(days=130))
                    responses = db.session.execute(select(Response).where(Response.send_id == sent.id)
                                                   .order_by(Response.id)).scalars().all()
                    for response in responses:
                        if rng.random() < answering_share:
                            rows += answer_rows(survey, response, rng)
                            submitted.append(response)
                if rows:
                    db.session.execute(insert(Answer), rows)
                now = utcnow()
                for response in submitted:
                    response.started_at = response.submitted_at = now
                answers += len(rows)
                db.session.flush()
                cohort_ids.append(cohort.id)
        db.session.commit()
    return {"slug": slug, "email": email, "cohort_ids": cohort_ids, "answers": answers,
            "answers_per_round": answers // max(1, rounds)}


def measure(app, city: dict, url: str, repeats: int) -> tuple[float, int]:
    """Best time of `repeats` GETs of `url` signed in as the city's coordinator, and the statements of one."""
    from sqlalchemy import event

    from mentorby.platform.extensions import db

    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    signed_in = client.post("/login", data={"email": city["email"], "password": PASSWORD})
    assert signed_in.status_code == 302, signed_in.status_code
    with app.app_context():
        engine = db.engine
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().lower().startswith(("savepoint", "release", "rollback", "select set_config")):
            statements.append(statement)

    best = float("inf")
    for attempt in range(repeats + 1):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
        event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code)
        if attempt:  # the first request warms the templates' cache
            best = min(best, elapsed)
    return best, len(statements)


def pdf_time(app, city: dict) -> tuple[float, int]:
    """How long the task queue takes to build a round's PDF report, and its size."""
    from mentorby.platform.cities.services import find_city
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import tenant_scope
    from mentorby.tenants.cohorts.models import Cohort
    from mentorby.tenants.evaluation import reports
    from mentorby.tenants.evaluation.models import EvaluationReport

    with app.test_request_context():
        tenant = find_city(db.session, city["slug"])
        with tenant_scope(db.session, tenant.id):
            cohort = db.session.get(Cohort, city["cohort_ids"][-1])
            report = EvaluationReport(cohort_id=cohort.id, locale="en", state="queued")
            db.session.add(report)
            db.session.flush()
            start = time.perf_counter()
            reports.run(db.session, report.id)
            elapsed = time.perf_counter() - start
            size = report.size
            db.session.rollback()
    return elapsed, size


def main() -> None:
    """Build the cities, time the pages, print a table (and with --json a final JSON line)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print all figures as one JSON object on the last line")
    parser.add_argument("--rounds", type=int, default=20, help="rounds per city")
    parser.add_argument("--people", type=int, default=20, help="mentors, and mentees, per round")
    parser.add_argument("--repeats", type=int, default=5, help="timed requests per page (the best is shown)")
    options = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(folder)
        start = time.perf_counter()
        everyone = build_city(app, "bench-a", options.rounds, options.people, 1.0, seed=1)
        quarter = build_city(app, "bench-b", options.rounds, options.people, 0.25, seed=2)
        built = time.perf_counter() - start
        for city, who in ((everyone, "everyone answered"), (quarter, "a quarter answered")):
            round_url = f"/{city['slug']}/coordinator/cohorts/{city['cohort_ids'][-1]}/evaluation"
            seconds, statements = measure(app, city, round_url, options.repeats)
            rows.append({"page": "round evaluation", "who": who, "rounds": 1,
                         "participants": 2 * options.people, "answers": city["answers_per_round"],
                         "seconds": seconds, "statements": statements})
            seconds, statements = measure(app, city, f"/{city['slug']}/coordinator/evaluation", options.repeats)
            rows.append({"page": "rounds compared", "who": who, "rounds": options.rounds,
                         "participants": 2 * options.people * options.rounds, "answers": city["answers"],
                         "seconds": seconds, "statements": statements})
        pdf_seconds, pdf_bytes = pdf_time(app, everyone)
    print(f"{'page':<18} {'answers given by':<20} {'rounds':>6} {'people':>7} {'answers':>8} {'seconds':>8} "
          f"{'SQL':>4}")
    for row in rows:
        print(f"{row['page']:<18} {row['who']:<20} {row['rounds']:>6} {row['participants']:>7,} {row['answers']:>8,} "
              f"{row['seconds']:>8.3f} {row['statements']:>4}")
    print(f"PDF report of one round, built in the task queue: {pdf_seconds:.2f} s, {pdf_bytes / 1024:.0f} KB")
    print(f"(set-up: {built:.1f} s; SQL counts every statement of the request, sign-in check and session included; "
          "one request = the best of several after a first one)")
    for page in ("round evaluation", "rounds compared"):
        counts = {row["statements"] for row in rows if row["page"] == page}
        assert len(counts) == 1, f"{page}: statements differ with the number of answers: {counts}"
    if options.json:
        print(json.dumps({"rows": rows, "pdf_seconds": pdf_seconds, "pdf_bytes": pdf_bytes, "setup_seconds": built,
                          "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
