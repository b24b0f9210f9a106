"""The dissemination register: recording who was told, their way to running the programme, and the targets.

Kept by platform admins and the host city's coordinators; read by national stakeholders. The platform moves a city
that signs up to "implementing" and to "running" when its first round starts: the areas call `city_signed_up` and
`round_started` (tenants import the platform, never the reverse).
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorby.platform import clock
from mentorby.platform.accounts.models import COORDINATOR, Membership, User
from mentorby.platform.adoption.models import (
    AdoptionContact,
    AdoptionTarget,
    Channel,
    OrganisationKind,
    Stage,
    StageChange,
)
from mentorby.platform.adoption.schemas import ContactSchema, StageSchema
from mentorby.platform.cities.models import ACTIVE, Tenant
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import load
from mentorby.platform.tenancy import tenant_scope

CONTACT, STAGE = ContactSchema(), StageSchema()
#: The sources' targets, used when the table holds none (the migration writes the same rows).
DEFAULT_TARGETS = ((Stage.INFORMED, 10, date(2017, 10, 31)), (Stage.INTERESTED, 4, date(2017, 12, 31)))


class AdoptionError(RuleError):
    """A rule of the dissemination register was broken."""

    area = "adoption"


# --- who keeps the register ----------------------------------------------------------------------------------------


def keeps_register(session: Session, user: User, host_slug: str) -> bool:
    """Platform admins, and coordinators of the host city, keep the register."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_platform_admin:
        return True
    host = session.execute(select(Tenant).where(Tenant.is_host.is_(True), Tenant.slug == host_slug,
                                                Tenant.status == ACTIVE)).scalar_one_or_none()
    if host is None:
        return False
    with tenant_scope(session, host.id):
        return session.execute(select(func.count()).select_from(Membership).where(
            Membership.user_id == user.id, Membership.role == COORDINATOR)).scalar_one() > 0


def reads_register(session: Session, user: User, host_slug: str) -> bool:
    """National stakeholders read the register; those who keep it do too."""
    return bool(getattr(user, "is_national", False)) or keeps_register(session, user, host_slug)


# --- the register --------------------------------------------------------------------------------------------------


def check_contact(values: dict) -> dict:
    """A register entry's values, or every wrong field at once; a date still to come cannot have happened."""
    clean = load(CONTACT, values, AdoptionError)
    if clean["informed_on"] > clock.today():
        raise AdoptionError("date_in_future", "informed_on")
    return clean


def check_stage(values: dict) -> dict:
    """A stage change's values, or every wrong field at once."""
    clean = load(STAGE, values, AdoptionError)
    if clean["changed_on"] > clock.today():
        raise AdoptionError("date_in_future", "changed_on")
    return clean


def _step(contact: AdoptionContact, stage: Stage, on: date, *, by: User | None, note: str = "") -> StageChange:
    change = StageChange(from_stage=contact.stage if contact.id else None, to_stage=stage, changed_on=on,
                         by_user_id=by.id if by else None, note=note)
    contact.changes.append(change)
    contact.stage = stage
    return change


def add_contact(session: Session, values: dict, *, by: User | None) -> AdoptionContact:
    """Record an organisation told about the programme; its way starts at "informed" on the day it was told."""
    clean = check_contact(values)
    contact = AdoptionContact(**clean, stage=Stage.INFORMED)
    _step(contact, Stage.INFORMED, clean["informed_on"], by=by)
    session.add(contact)
    session.flush()
    return contact


def update_contact(session: Session, contact: AdoptionContact, values: dict) -> AdoptionContact:
    """Correct who, when and how (the stage moves only through `move`)."""
    clean = check_contact(values)
    first = contact.changes[0] if contact.changes else None
    if first is not None and first.to_stage == Stage.INFORMED and first.from_stage is None:
        first.changed_on = clean["informed_on"]
    for key, value in clean.items():
        setattr(contact, key, value)
    session.flush()
    return contact


def move(session: Session, contact: AdoptionContact, values: dict, *, by: User | None) -> StageChange:
    """Move an organisation to another stage on a date (not before it was told, not to where it stands)."""
    clean = check_stage(values)
    stage = Stage(clean["stage"])
    if stage == contact.stage:
        raise AdoptionError("same_stage", "stage")
    if clean["changed_on"] < contact.informed_on:
        raise AdoptionError("before_informed", "changed_on", date=contact.informed_on)
    change = _step(contact, stage, clean["changed_on"], by=by, note=clean["note"])
    session.flush()
    return change


def get_contact(session: Session, contact_id: int) -> AdoptionContact | None:
    """One register entry."""
    return session.get(AdoptionContact, contact_id)


def register_query(stage: Stage | None = None):
    """The register, most recently told first: a select for paging (one row per entry, no per-row queries)."""
    query = select(AdoptionContact).order_by(AdoptionContact.informed_on.desc(), AdoptionContact.id.desc())
    return query if stage is None else query.where(AdoptionContact.stage == stage)


# --- what the platform does by itself --------------------------------------------------------------------------------


def _linked(session: Session, city: Tenant) -> AdoptionContact | None:
    found = session.execute(select(AdoptionContact).where(AdoptionContact.city_id == city.id)).scalar_one_or_none()
    if found is not None:
        return found
    names = {name.strip().lower() for name in (city.name, city.municipality, city.slug) if name and name.strip()}
    return session.execute(
        select(AdoptionContact)
        .where(AdoptionContact.city_id.is_(None), AdoptionContact.kind == OrganisationKind.CITY,
               func.lower(AdoptionContact.name).in_(names))
        .order_by(AdoptionContact.id).limit(1)).scalar_one_or_none()


def _advance(contact: AdoptionContact, stage: Stage) -> None:
    if contact.stage.position < stage.position:
        _step(contact, stage, max(clock.today(), contact.informed_on), by=None)


def city_signed_up(session: Session, city: Tenant, *, model_from: str = "") -> AdoptionContact | None:
    """A city signed up: its register entry (found by its name, municipality or address, or new) is implementing.

    `model_from` is the slug of the active city whose programme it asked to copy ("" for the host's).
    """
    if city.is_host:
        return None
    contact = _linked(session, city)
    if contact is None:
        contact = AdoptionContact(name=city.municipality or city.name, kind=OrganisationKind.CITY,
                                  channel=Channel.SIGNUP, informed_on=clock.today(), notes="", stage=Stage.INFORMED)
        _step(contact, Stage.INFORMED, contact.informed_on, by=None)
        session.add(contact)
    contact.city_id = city.id
    if model_from and model_source(session, model_from) is not None and model_from != city.slug:
        contact.model_from = model_from
    _advance(contact, Stage.IMPLEMENTING)
    session.flush()
    return contact


def round_started(session: Session, tenant_id: int) -> None:
    """A city's round started running: the first one moves the city to "running rounds"."""
    city = session.get(Tenant, tenant_id)
    if city is None or city.is_host:
        return
    contact = _linked(session, city) or city_signed_up(session, city)
    _advance(contact, Stage.RUNNING)
    session.flush()


def model_source(session: Session, slug: str) -> Tenant | None:
    """The active city whose programme model may be copied under this slug (none for anything else)."""
    if not slug or len(slug) > 40:
        return None
    return session.execute(select(Tenant).where(Tenant.slug == slug, Tenant.status == ACTIVE)).scalar_one_or_none()


def model_for(session: Session, city: Tenant) -> str:
    """The slug of the city whose model `city` asked to copy when it signed up ("" for the host's)."""
    chosen = session.execute(select(AdoptionContact.model_from).where(AdoptionContact.city_id == city.id)).scalar()
    return chosen if chosen and model_source(session, chosen) is not None else ""


# --- the funnel, the targets, the timeline ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """A stage of the funnel: how many stand there now and how many ever reached it."""

    stage: Stage
    now: int
    reached: int


@dataclass(frozen=True)
class TargetState:
    """A target and how it stands: reached by its date, and whether that is met, missed or still open."""

    stage: Stage
    minimum: int
    due_on: date
    by_due: int
    so_far: int

    @property
    def met(self) -> bool:
        """At least the minimum reached the stage by the due date."""
        return self.by_due >= self.minimum

    @property
    def state(self) -> str:
        """met, missed (its date passed), or open."""
        if self.met:
            return "met"
        return "missed" if self.due_on < clock.today() else "open"


def _reached(stage: Stage):
    """A count of the organisations that ever reached `stage` or a later one."""
    codes = [s.value for s in Stage if s.position >= stage.position]
    return select(func.count(func.distinct(StageChange.contact_id))).where(StageChange.to_stage.in_(codes))


def funnel(session: Session) -> list[Step]:
    """Each stage: how many stand there now, and how many reached it or went further (a query per stage)."""
    now = dict(session.execute(select(AdoptionContact.stage, func.count()).group_by(AdoptionContact.stage)).all())
    return [Step(stage, now.get(stage, 0), session.execute(_reached(stage)).scalar_one()) for stage in Stage]


def targets(session: Session) -> list[TargetState]:
    """The sources' targets with how many reached each stage (or further) by its date, and so far."""
    rows = [(t.stage, t.minimum, t.due_on) for t in
            session.execute(select(AdoptionTarget).order_by(AdoptionTarget.due_on, AdoptionTarget.id)).scalars()]
    found = []
    for stage, minimum, due_on in rows or DEFAULT_TARGETS:
        reached = _reached(stage)
        by_due = session.execute(reached.where(StageChange.changed_on <= due_on)).scalar_one()
        found.append(TargetState(stage, minimum, due_on, by_due, session.execute(reached).scalar_one()))
    return found


def timeline(session: Session, limit: int = 50) -> list[tuple[StageChange, str]]:
    """The latest stage changes, newest first, with the organisation's name (one query)."""
    return [(change, name) for change, name in session.execute(
        select(StageChange, AdoptionContact.name).join(AdoptionContact, AdoptionContact.id == StageChange.contact_id)
        .order_by(StageChange.changed_on.desc(), StageChange.id.desc()).limit(limit)).all()]
