"""The life of a city on the platform: sign-up, approval, suspension, its public details."""

from collections.abc import Iterator

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mentorby.platform.cities.models import ACTIVE, PENDING, REJECTED, SUSPENDED, CityStatus, Tenant
from mentorby.platform.cities.schemas import PublicDetailsSchema, SignupSchema
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import load
from mentorby.platform.tenancy import (
    city_applied_by_reading,
    city_was_applied,
    set_session_tenant,
    tenant_scope,
    utcnow,
)

#: Allowed status changes and the action that makes them.
TRANSITIONS = {
    "approve": ({PENDING}, ACTIVE),
    "reject": ({PENDING}, REJECTED),
    "suspend": ({ACTIVE}, SUSPENDED),
    "reinstate": ({SUSPENDED}, ACTIVE),
}
SIGNUP, PUBLIC_DETAILS = SignupSchema(), PublicDetailsSchema()


class CityError(RuleError):
    """A city rule was broken; `code` names which and `field` where to show it."""

    area = "cities"


def find_city(session: Session, slug: str) -> Tenant | None:
    """The city with this slug, whatever its status."""
    return session.execute(select(Tenant).where(Tenant.slug == slug)).scalar_one_or_none()


def enter_city(session: Session, slug: str) -> Tenant | None:
    """The open (active) city with this slug, made the session's city; None, and no city, for any other slug.

    Pending, rejected and suspended cities have no pages, so they are never a request's city.

    A request's city is read and applied in one statement where that can be done (see city_applied_by_reading).
    """
    query = select(Tenant).where(Tenant.slug == slug, Tenant.status == ACTIVE)
    applying = city_applied_by_reading(session, Tenant.id)
    if applying is None:
        city = session.execute(query).scalar_one_or_none()
    else:
        row = session.execute(query.add_columns(applying)).one_or_none()
        city = row[0] if row is not None else None
        if city is not None:
            city_was_applied(session, city.id)
    if city is not None:
        set_session_tenant(session, city.id)
    return city


def host_city(session: Session, slug: str) -> Tenant | None:
    """The host city whose programme new cities copy."""
    return session.execute(select(Tenant).where(Tenant.is_host.is_(True), Tenant.slug == slug)).scalar_one_or_none()


def check_signup(values: dict, session: Session | None = None) -> dict:
    """A sign-up's values as the city schema takes them, or every wrong field at once (CityError).

    With a session, an address another city has is one of the wrong fields too.
    """
    try:
        clean, refusal = load(SIGNUP, values, CityError), None
    except CityError as error:
        clean, refusal = None, error
    problems = refusal.problems if refusal is not None else []
    if session is not None and not any(problem.field == "slug" for problem in problems):
        slug = str(values.get("slug") or "").strip().lower()
        if find_city(session, slug) is not None:
            taken = CityError("slug_taken", "slug")
            if refusal is None:
                raise taken
            problems.append(taken)
    if refusal is not None:
        raise refusal
    return clean


def register_city(session: Session, values: dict) -> Tenant:
    """Record a city's sign-up; it waits for approval. Its address is unique."""
    city = Tenant(**check_signup(values, session), status=PENDING)
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
    return list(session.execute(by_status(status)).scalars())


def by_status(status: str | None = None):
    """Cities of a status (all when None), newest sign-ups first: a select for paging."""
    query = select(Tenant).order_by(Tenant.created_at.desc(), Tenant.id.desc())
    return query if status is None else query.where(Tenant.status == status)


def active_by_name():
    """The cities that run the programme, by name: a select for paging (the public API)."""
    return select(Tenant).where(Tenant.status == ACTIVE).order_by(Tenant.name, Tenant.id)


def status_counts(session: Session) -> dict[CityStatus, int]:
    """How many cities there are in each status (the admin's tabs)."""
    return {CityStatus(status): number
            for status, number in session.execute(select(Tenant.status, func.count()).group_by(Tenant.status))}


def check_public_details(values: dict) -> dict:
    """The public details as the schema takes them, or every wrong field at once (CityError)."""
    return load(PUBLIC_DETAILS, values, CityError)


def update_public_details(session: Session, city: Tenant, values: dict) -> Tenant:
    """Change the programme's public address, phone and introductions (the address is shown on the city's pages)."""
    for key, value in check_public_details(values).items():
        setattr(city, key, value)
    session.flush()
    return city


def actions_for(city: Tenant) -> list[str]:
    """The status changes the city's status allows now (approve and reject while pending, and so on)."""
    return [action for action, (allowed_from, _target) in TRANSITIONS.items() if city.status in allowed_from]


def in_each_city(session: Session, *, active_only: bool = False) -> Iterator[Tenant]:
    """Each city in turn, the session scoped to it while the loop's body runs: scheduled work across cities."""
    query = select(Tenant).order_by(Tenant.id)
    if active_only:
        query = query.where(Tenant.status == ACTIVE)
    for city in list(session.execute(query).scalars()):
        with tenant_scope(session, city.id):
            yield city


def delete_in_each_city(session: Session, model, condition) -> int:
    """Delete `model`'s rows matching `condition` in every city (a nightly purge); returns how many."""
    purged = 0
    for _city in in_each_city(session):
        result = session.execute(delete(model).where(condition).execution_options(synchronize_session=False))
        purged += result.rowcount or 0
    return purged
