"""The life of a city on the platform: sign-up, approval, suspension."""

import re

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorby.platform.cities.models import ACTIVE, PENDING, REJECTED, SUSPENDED, Tenant
from mentorby.platform.rules import RuleError
from mentorby.platform.tenancy import utcnow

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
#: Path segments the platform uses itself; a city cannot take them.
RESERVED_SLUGS = frozenset(
    {
        "account", "admin", "api", "apply", "health", "invite", "lang", "login", "logout", "national", "password",
        "platform", "signup", "start", "static", "www", "mentorby",
    }
)

#: Allowed status changes and the action that makes them.
TRANSITIONS = {
    "approve": ({PENDING}, ACTIVE),
    "reject": ({PENDING}, REJECTED),
    "suspend": ({ACTIVE}, SUSPENDED),
    "reinstate": ({SUSPENDED}, ACTIVE),
}


class CityError(RuleError):
    """A city rule was broken; `code` names which and `field` where to show it."""

    area = "cities"


def slug_problem(slug: str) -> str | None:
    """A message key if `slug` cannot be a city's path segment, else None."""
    if not SLUG_RE.match(slug or ""):
        return "slug_format"
    if slug in RESERVED_SLUGS:
        return "slug_reserved"
    return None


def find_city(session: Session, slug: str) -> Tenant | None:
    """The city with this slug, whatever its status."""
    return session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()


def host_city(session: Session, slug: str) -> Tenant | None:
    """The host city whose programme new cities copy."""
    return session.execute(select(Tenant).where(Tenant.is_host.is_(True), Tenant.slug == slug)).scalar_one_or_none()


def register_city(session: Session, *, slug: str, name: str, municipality: str, contact_name: str,
                  contact_email: str, motivation: str) -> Tenant:
    """Record a city's sign-up; it waits for approval."""
    slug = (slug or "").strip().lower()
    problem = slug_problem(slug)
    if problem:
        raise CityError(problem, "slug")
    if find_city(session, slug) is not None:
        raise CityError("slug_taken", "slug")
    city = Tenant(
        slug=slug, name=name.strip(), municipality=municipality.strip(), contact_name=contact_name.strip(),
        contact_email=contact_email.strip().lower(), motivation=motivation.strip(), status=PENDING,
    )
    session.add(city)
    session.flush()
    return city


def change_status(city: Tenant, action: str) -> Tenant:
    """Apply a status change (approve, reject, suspend, reinstate) if the city's status allows it."""
    if action not in TRANSITIONS:
        raise CityError("bad_action")
    allowed_from, target = TRANSITIONS[action]
    if city.status not in allowed_from:
        raise CityError("bad_transition")
    city.status = target
    city.decided_at = utcnow()
    return city


def list_cities(session: Session, *, status: str | None = None) -> list[Tenant]:
    """Cities by status (all when None), newest sign-ups first."""
    query = select(Tenant).order_by(Tenant.created_at.desc(), Tenant.id.desc())
    if status:
        query = query.where(Tenant.status == status)
    return list(session.execute(query).scalars())


_PHONE = re.compile(r"^\+?[0-9 ()\-]{6,40}$")
#: What a coordinator may change of the city's public details, with the longest each may be.
PUBLIC_DETAILS = {"public_email": 254, "public_phone": 40, "intro_da": 4000, "intro_en": 4000}


def update_public_details(session: Session, city: Tenant, values: dict) -> Tenant:
    """Change the programme's public address, phone and introductions (the address is shown on the city's pages)."""
    clean = {}
    for key, limit in PUBLIC_DETAILS.items():
        value = (values.get(key) or "").strip()
        if len(value) > limit:
            raise CityError("text_too_long", key, max=limit)
        clean[key] = value
    if clean["public_email"]:
        try:
            validate_email(clean["public_email"], check_deliverability=False)
        except EmailNotValidError:
            raise CityError("bad_email", "public_email") from None
        clean["public_email"] = clean["public_email"].lower()
    if clean["public_phone"] and not _PHONE.match(clean["public_phone"]):
        raise CityError("bad_phone", "public_phone")
    for key, value in clean.items():
        setattr(city, key, value)
    session.flush()
    return city
