"""Opening a city with a copy of the host city's programme model, and editing that model."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorby.platform.accounts.models import COORDINATOR, User
from mentorby.platform.accounts.services import invite
from mentorby.platform.cities.models import Tenant
from mentorby.platform.cities.services import change_status, host_city
from mentorby.platform.tenancy import tenant_scope
from mentorby.tenants.programme import defaults
from mentorby.tenants.programme.models import ProgrammeEvent, SuccessCriterion

EVENT_FIELDS = ("step", "kind", "name_da", "name_en", "description_da", "description_en", "audience",
                "week_offset", "duration_minutes")
CRITERION_FIELDS = ("position", "code", "role", "threshold", "measured_at", "statement_da", "statement_en")


def _host_model(session: Session, host_slug: str) -> tuple[list[dict], list[dict]]:
    host = host_city(session, host_slug)
    if host is None:
        return list(defaults.EVENTS), list(defaults.CRITERIA)
    with tenant_scope(session, host.id):
        events = session.execute(select(ProgrammeEvent).order_by(ProgrammeEvent.step, ProgrammeEvent.id)).scalars()
        events = [{f: getattr(e, f) for f in EVENT_FIELDS} for e in events]
        criteria = session.execute(select(SuccessCriterion).order_by(SuccessCriterion.position)).scalars()
        criteria = [{f: getattr(c, f) for f in CRITERION_FIELDS} for c in criteria]
    return (events or list(defaults.EVENTS)), (criteria or list(defaults.CRITERIA))


def install_model(session: Session, city: Tenant, host_slug: str) -> None:
    """Give `city` its own copy of the host city's programme model (or the defaults for the host itself)."""
    with tenant_scope(session, city.id):
        if session.execute(select(func.count()).select_from(ProgrammeEvent)).scalar_one():
            return
    if city.is_host or city.slug == host_slug:
        events, criteria = list(defaults.EVENTS), list(defaults.CRITERIA)
    else:
        events, criteria = _host_model(session, host_slug)
    with tenant_scope(session, city.id):
        session.add_all(ProgrammeEvent(**values) for values in events)
        session.add_all(SuccessCriterion(**values) for values in criteria)
        session.flush()


def open_city(session: Session, city: Tenant, *, host_slug: str, approved_by: User | None) -> None:
    """Approve a signed-up city: its pages open, it gets the programme model, its contact is invited as coordinator."""
    change_status(city, "approve")
    install_model(session, city, host_slug)
    with tenant_scope(session, city.id):
        invite(session, city, email=city.contact_email, name=city.contact_name, role=COORDINATOR,
               invited_by=approved_by)


def events(session: Session) -> list[ProgrammeEvent]:
    """The city's joint events in order."""
    return list(session.execute(select(ProgrammeEvent).order_by(ProgrammeEvent.step, ProgrammeEvent.id)).scalars())


def criteria(session: Session) -> list[SuccessCriterion]:
    """The city's success criteria in order."""
    return list(session.execute(select(SuccessCriterion).order_by(SuccessCriterion.position)).scalars())


def update_event(event: ProgrammeEvent, values: dict) -> ProgrammeEvent:
    """Change the editable fields of a joint event."""
    for field in ("name_da", "name_en", "description_da", "description_en", "audience", "week_offset",
                  "duration_minutes"):
        if field in values:
            setattr(event, field, values[field])
    return event


def update_criterion(criterion: SuccessCriterion, values: dict) -> SuccessCriterion:
    """Change the threshold and wording of a success criterion."""
    for field in ("threshold", "statement_da", "statement_en"):
        if field in values:
            setattr(criterion, field, values[field])
    return criterion


