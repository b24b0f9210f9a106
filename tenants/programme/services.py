"""Opening a city with a copy of the host city's programme model, and editing that model."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorby.platform.accounts.models import COORDINATOR, User
from mentorby.platform.accounts.services import invite
from mentorby.platform.cities.models import Tenant
from mentorby.platform.cities.services import change_status, host_city
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import load
from mentorby.platform.tenancy import tenant_scope
from mentorby.tenants.programme import defaults, signals
from mentorby.tenants.programme.models import ProgrammeEvent, SuccessCriterion
from mentorby.tenants.programme.schemas import CriterionSchema, ProgrammeEventSchema

EVENT_FIELDS = ("step", "kind", "name_da", "name_en", "description_da", "description_en", "audience",
                "week_offset", "duration_minutes")
CRITERION_FIELDS = ("position", "code", "role", "threshold", "measured_at", "statement_da", "statement_en",
                    "question_key", "yes_values", "of_everyone")
EVENT, CRITERION = ProgrammeEventSchema(), CriterionSchema()


class ProgrammeError(RuleError):
    """A rule of the programme model was broken."""

    area = "programme"


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
        signals.model_installed.send(city, session=session)


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


def check_event(values: dict) -> dict:
    """A joint event's values as the schema takes them, or every wrong field at once (ProgrammeError)."""
    return load(EVENT, values, ProgrammeError)


def update_event(session: Session, event: ProgrammeEvent, values: dict) -> ProgrammeEvent:
    """Change a joint event's names, descriptions, audience and timing (its place and key stay)."""
    for field, value in check_event(values).items():
        setattr(event, field, value)
    session.flush()
    return event


def check_criterion(values: dict) -> dict:
    """A success criterion's values as the schema takes them, or every wrong field at once (ProgrammeError)."""
    return load(CRITERION, values, ProgrammeError)


def update_criterion(session: Session, criterion: SuccessCriterion, values: dict) -> SuccessCriterion:
    """Change the threshold and wording of a success criterion."""
    clean = check_criterion(values)
    criterion.threshold = round(float(clean["threshold_percent"]) / 100, 4)
    criterion.statement_da, criterion.statement_en = clean["statement_da"], clean["statement_en"]
    session.flush()
    return criterion
