"""factory_boy factories for the platform's models; each creates rows through the city it belongs to."""

import itertools

import factory
from factory.alchemy import SQLAlchemyModelFactory

from mentorby.platform.accounts.models import Membership, User
from mentorby.platform.accounts.passwords import hash_password
from mentorby.platform.cities.models import ACTIVE, Tenant
from mentorby.platform.extensions import db
from mentorby.platform.tenancy import cross_tenant, tenant_scope
from mentorby.tenants.partners.models import Partner

PASSWORD = "correct horse battery staple"
_HASH = hash_password(PASSWORD)  # hashing once keeps the suite fast


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


#: Danish cities that could run the programme, with their municipalities.
CITIES = (("Odense", "Odense Kommune"), ("Aalborg", "Aalborg Kommune"), ("Esbjerg", "Esbjerg Kommune"),
          ("Vejle", "Vejle Kommune"), ("Kolding", "Kolding Kommune"), ("Horsens", "Horsens Kommune"),
          ("Roskilde", "Roskilde Kommune"), ("Sønderborg", "Sønderborg Kommune"), ("Herning", "Herning Kommune"))
#: People of the programme: Danish professionals (mentors, coordinators) and partners from abroad (mentees).
DANES = ("Mette Hansen", "Lars Nielsen", "Sofie Jensen", "Jens Pedersen", "Ida Andersen", "Rasmus Christensen",
         "Camilla Larsen", "Anders Sørensen", "Louise Rasmussen", "Henrik Jørgensen", "Maria Petersen", "Peter Madsen")
NEWCOMERS = ("Priya Sharma", "Ana Rodrigues", "Wei Chen", "Olena Kovalenko", "Carlos Mendoza", "Aisha Rahman",
             "Marta Nowak", "Giulia Rossi", "Hiroshi Tanaka", "Fatima Al-Sayed", "Ravi Patel", "Elena Popescu")
#: Organisations of a knowledge city.
COMPANIES = ("Novo Nordisk", "Ørsted", "COWI", "Rambøll", "DTU", "Haldor Topsøe", "Netcompany", "Carlsberg", "DSV",
             "Maersk Drilling", "Danske Bank", "LEGO")


def _address(name: str, n: int, domain: str = "example.org") -> str:
    local = "".join(ch for ch in name.lower().replace(" ", ".") if ch.isalnum() or ch == ".")
    return f"{local.encode('ascii', 'ignore').decode() or 'person'}.{n}@{domain}"


class CityFactory(Base):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"{CITIES[n % len(CITIES)][0]} Career Mentoring {n}")
    slug = factory.Sequence(lambda n: f"{CITIES[n % len(CITIES)][0].lower().replace('ø', 'oe')}-{n}")
    municipality = factory.Sequence(lambda n: CITIES[n % len(CITIES)][1])
    status = ACTIVE
    contact_name = factory.Sequence(lambda n: DANES[n % len(DANES)])
    contact_email = factory.Sequence(lambda n: _address(DANES[n % len(DANES)], n, "kommune.example"))


class UserFactory(Base):
    class Meta:
        model = User

    name = factory.Sequence(lambda n: DANES[n % len(DANES)])
    email = factory.Sequence(lambda n: _address(DANES[n % len(DANES)], n))
    password_hash = _HASH


def create_city(*, with_model: bool = True, **fields) -> Tenant:
    from mentorby.tenants.programme.services import install_model

    city = CityFactory(**fields)
    if with_model and city.status == ACTIVE:
        install_model(db.session, city, "lyngby-taarbaek")
    return city


def create_user(*, city: Tenant | None = None, role: str | None = None, **fields) -> User:
    user = UserFactory(**fields)
    if city is not None and role:
        with tenant_scope(db.session, city.id):
            db.session.add(Membership(user_id=user.id, role=role))
            db.session.flush()
    return user


_partners = itertools.count(0)


def create_partner(city: Tenant, **fields) -> Partner:
    n = next(_partners)
    values = {"name": f"{COMPANIES[n % len(COMPANIES)]}" + (f" {n // len(COMPANIES) + 1}" if n >= len(COMPANIES)
                                                            else ""), "kind": "company", **fields}
    with tenant_scope(db.session, city.id):
        partner = Partner(**values)
        db.session.add(partner)
        db.session.flush()
    return partner


_numbers = itertools.count(1)


def create_cohort(city: Tenant, *, status: str = "recruiting", starts_on=None, **fields):
    """A round planned from the city's programme model, moved straight to `status`."""
    from datetime import date, timedelta

    from mentorby.tenants.cohorts.services import plan_cohort

    starts_on = starts_on or date.today() + timedelta(days=60)
    n = next(_numbers)
    values = {"name": f"{('Forår', 'Efterår')[n % 2]} {2027 + n // 2}", "starts_on": starts_on, "ends_on": None,
              "apply_by": None, "mentor_capacity": 20, "mentee_capacity": 20, "description": ""} | fields
    with tenant_scope(db.session, city.id):
        cohort = plan_cohort(db.session, values)
        cohort.status = status
        db.session.flush()
    return cohort


MENTEE_VALUES = {
    "field": "engineering", "languages": ["en"], "availability": ["weekday_evening"], "education": "MSc",
    "years_experience": 5, "job_goal": "Project engineer in wind energy", "danish_level": "beginner",
    "partner_employer": "",
}
MENTOR_VALUES = {
    "field": "engineering", "languages": ["da", "en"], "availability": ["weekday_evening"], "employer": "COWI",
    "job_title": "Senior engineer", "industry": "engineering", "expertise": "wind energy, project management",
    "mentoring_format": "one", "mentee_capacity": 1, "motivation": "",
}


def create_application(cohort, *, role: str = "mentee", status: str = "submitted", cv: bytes | None = None,
                       **fields):
    """An application to `cohort` through the service (the person joins the pool), then set to `status`."""
    from mentorby.tenants.applications import consent
    from mentorby.tenants.applications.services import Upload, submit_application

    n = next(_numbers)
    name = (NEWCOMERS if role == "mentee" else DANES)[n % 12]
    values = (MENTEE_VALUES if role == "mentee" else MENTOR_VALUES) | {
        "name": name, "email": _address(name, n), "locale": "en"} | fields
    with cross_tenant(db.session):
        tenant_id = cohort.tenant_id  # the cohort may be expired by an earlier request's commit
    with tenant_scope(db.session, tenant_id):
        application = submit_application(
            db.session, cohort, role, values, consent_version=consent.CURRENT, source="coordinator",
            cv=Upload("cv.pdf", cv) if cv else None,
        )
        application.status = status
        db.session.flush()
    return application


def _blank_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


#: A real one-page PDF, as small as the CV check takes.
PDF = _blank_pdf()
