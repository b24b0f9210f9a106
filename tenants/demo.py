"""Demo data: the host city and a second city, so a newcomer can click through both and see isolation."""

import click
from flask import Flask, current_app
from sqlalchemy import select

from mentorby.platform.accounts.models import COMPANY_CONTACT, COORDINATOR, NATIONAL, PLATFORM_ADMIN
from mentorby.platform.accounts.services import create_user, find_user, grant_role
from mentorby.platform.cities.models import ACTIVE, Tenant
from mentorby.platform.cities.services import find_city
from mentorby.platform.extensions import db
from mentorby.platform.tenancy import tenant_scope
from mentorby.tenants.partners.models import Partner
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
