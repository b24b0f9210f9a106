"""Demo data: the host city and a second city, so a newcomer can click through both and see isolation."""

from datetime import date, timedelta

import click
from flask import Flask, current_app
from sqlalchemy import select

from mentorby.platform.accounts.models import COMPANY_CONTACT, COORDINATOR, MENTOR, NATIONAL, PLATFORM_ADMIN
from mentorby.platform.accounts.services import create_user, find_user, grant_role
from mentorby.platform.cities.models import ACTIVE, Tenant
from mentorby.platform.cities.services import find_city
from mentorby.platform.extensions import db
from mentorby.platform.tenancy import tenant_scope
from mentorby.tenants.applications import consent
from mentorby.tenants.applications.services import submit_application
from mentorby.tenants.cohorts.models import Cohort, CohortTransition
from mentorby.tenants.cohorts.services import plan_cohort
from mentorby.tenants.partners.models import Partner, PartnerContact
from mentorby.tenants.programme.services import install_model

DEMO_PASSWORD = "mentorby-demo-2026"

CITIES = (
    {
        "slug": "lyngby-taarbaek", "name": "Lyngby-Taarbæk Vidensby", "municipality": "Lyngby-Taarbæk Kommune",
        "is_host": True, "contact_name": "Vidensbyen", "contact_email": "koordinator@lyngby-taarbaek.example",
        "intro_da": "Vidensbyens Career Mentoring Programme hjælper medrejsende ægtefæller og partnere til "
        "internationale specialister med job og netværk, så familierne bliver i Danmark.",
        "intro_en": "The Knowledge City's Career Mentoring Programme helps the accompanying spouses and partners of "
        "international specialists find work and a network, so that their families stay in Denmark.",
        "coordinator": ("Mette Koordinator", "koordinator@lyngby-taarbaek.example"),
        "partners": (
            ("Haldor Topsøe", "company"), ("Microsoft", "company"), ("COWI", "company"),
            ("Maersk Drilling", "company"), ("DTU", "university"), ("Sprogcenter Hellerup i Lyngby", "language_school"),
            ("Lyngby-Taarbæk Kommune", "municipality"),
        ),
        "company_contact": ("Camilla Kontakt", "hr@cowi.example"),
    },
    {
        "slug": "aarhus", "name": "Aarhus Career Mentoring", "municipality": "Aarhus Kommune", "is_host": False,
        "contact_name": "International Community Aarhus", "contact_email": "koordinator@aarhus.example",
        "intro_da": "", "intro_en": "",
        "coordinator": ("Anders Koordinator", "koordinator@aarhus.example"),
        "partners": (("Aarhus Universitet", "university"), ("Vestas", "company"), ("Aarhus Kommune", "municipality")),
        "company_contact": None,
    },
)


def _user(email: str, name: str, **extra):
    user = find_user(db.session, email)
    if user is None:
        user = create_user(db.session, email=email, name=name, password=DEMO_PASSWORD, **extra)
    return user


def seed_demo() -> list[tuple[str, str]]:
    """Create the demo cities, people and partners if they are missing; return (who, e-mail) to print."""
    printed = [("platform admin", "admin@mentorby.example"), ("national stakeholder", "national@mentorby.example")]
    _user("admin@mentorby.example", "Platform Admin", platform_role=PLATFORM_ADMIN)
    _user("national@mentorby.example", "National Stakeholder", platform_role=NATIONAL)
    for spec in CITIES:
        city = find_city(db.session, spec["slug"])
        if city is None:
            fields = {k: v for k, v in spec.items() if k not in ("coordinator", "partners", "company_contact")}
            city = Tenant(status=ACTIVE, **fields)
            db.session.add(city)
            db.session.flush()
        install_model(db.session, city, current_app.config["HOST_CITY_SLUG"])
        with tenant_scope(db.session, city.id):
            name, email = spec["coordinator"]
            grant_role(db.session, _user(email, name, locale="da"), COORDINATOR)
            printed.append((f"coordinator of {city.name}", email))
            if spec["company_contact"]:
                name, email = spec["company_contact"]
                grant_role(db.session, _user(email, name, locale="en"), COMPANY_CONTACT)
                printed.append((f"company contact in {city.name}", email))
            existing = set(db.session.execute(select(Partner.name)).scalars())
            for partner_name, kind in spec["partners"]:
                if partner_name not in existing:
                    db.session.add(Partner(name=partner_name, kind=kind))
            db.session.flush()
            if spec["is_host"]:
                printed.extend(_seed_rounds())
    return printed


#: Demo applications to the host city's rounds: (role, name, e-mail, values).
MENTORS = (
    ("Lars Mentor", "mentor@lyngby-taarbaek.example", {
        "employer": "COWI", "job_title": "Senior project manager", "field": "engineering", "industry": "engineering",
        "expertise": "project management, wind energy, job interviews", "languages": ["da", "en"],
        "availability": ["weekday_evening"]}),
    ("Sofie Holm", "sofie.holm@microsoft.example", {
        "employer": "Microsoft", "job_title": "Engineering manager", "field": "it", "industry": "it",
        "expertise": "software, cloud, networking", "languages": ["da", "en", "de"],
        "availability": ["weekday_lunch", "weekday_afternoon"]}),
)
MENTEES = (
    ("Priya Sharma", "priya.sharma@example.org", {
        "field": "science", "education": "MSc Chemical Engineering", "years_experience": 6,
        "job_goal": "Process engineer in the pharmaceutical industry", "danish_level": "beginner",
        "partner_employer": "Haldor Topsøe", "languages": ["en", "hi"], "availability": ["weekday_evening"]}),
    ("Ana Rodrigues", "ana.rodrigues@example.org", {
        "field": "marketing", "education": "BA Communication", "years_experience": 4,
        "job_goal": "Marketing or communication in an international company", "danish_level": "intermediate",
        "partner_employer": "Microsoft", "languages": ["pt", "en", "es"], "availability": ["weekday_morning"]}),
    ("Wei Chen", "wei.chen@example.org", {
        "field": "it", "education": "MSc Computer Science", "years_experience": 8,
        "job_goal": "Backend developer", "danish_level": "none", "partner_employer": "DTU",
        "languages": ["zh", "en"], "availability": ["weekday_afternoon", "weekend"]}),
)


def _apply(cohort: Cohort, role: str, name: str, email: str, values: dict, status: str = "submitted"):
    application = submit_application(
        db.session, cohort, role, {"name": name, "email": email, "locale": "en", "mentoring_format": "one",
                                   "mentee_capacity": 1, **values},
        consent_version=consent.CURRENT, source="coordinator")
    application.status = status
    if status == "accepted":
        application.invited = True
    return application


def _seed_rounds() -> list[tuple[str, str]]:
    """A finished round with a returning mentor, and a round that recruits now (once; never over real rounds)."""
    printed = [("returning mentor in Lyngby-Taarbæk", MENTORS[0][1])]
    if db.session.execute(select(Cohort.id).limit(1)).first() is not None:
        return printed
    today = date.today()
    autumn = plan_cohort(db.session, {"name": "Efterår 2026", "starts_on": today - timedelta(days=200),
                                      "ends_on": today - timedelta(days=80), "apply_by": None,
                                      "mentor_capacity": 20, "mentee_capacity": 20, "description": ""})
    name, email, values = MENTORS[0]
    _apply(autumn, "mentor", name, email, values, "accepted")
    _apply(autumn, "mentee", *MENTEES[0], status="accepted")
    for before, after in (("planned", "recruiting"), ("recruiting", "selecting"), ("selecting", "running"),
                          ("running", "closed")):
        db.session.add(CohortTransition(cohort_id=autumn.id, from_status=before, to_status=after))
    autumn.status = "closed"
    autumn.follow_up_on = autumn.ends_on + timedelta(days=182)
    grant_role(db.session, _user(email, name, locale="en"), MENTOR)
    spring = plan_cohort(db.session, {
        "name": "Forår 2027", "starts_on": today + timedelta(days=60), "ends_on": None,
        "apply_by": today + timedelta(days=40), "mentor_capacity": 20, "mentee_capacity": 20,
        "description": "Four months with a mentor from a local company, joint workshops and a network."})
    spring.status = "recruiting"
    db.session.add(CohortTransition(cohort_id=spring.id, from_status="planned", to_status="recruiting"))
    _apply(spring, "mentor", *MENTORS[1])
    for mentee in MENTEES[1:]:
        _apply(spring, "mentee", *mentee)
    cowi = db.session.execute(select(Partner).where(Partner.name == "COWI")).scalar_one_or_none()
    if cowi is not None:
        db.session.add(PartnerContact(partner_id=cowi.id, name="Camilla Kontakt", email="hr@cowi.example",
                                      job_title="HR partner"))
    db.session.flush()
    return printed


def register(app: Flask) -> None:
    """Add `flask seed-demo`."""

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load demo data (idempotent); refused in production."""
        if current_app.config["ENV_NAME"] == "production":
            raise click.ClickException("seed-demo is for local use; it is refused in production.")
        printed = seed_demo()
        db.session.commit()
        click.echo("Demo data ready. Sign in at http://127.0.0.1:5000/login with the password "
                   f"{DEMO_PASSWORD!r} and one of:")
        for who, email in printed:
            click.echo(f"  {email:42} {who}")
