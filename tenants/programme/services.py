"""Opening a city with a copy of the host city's programme model, and editing that model."""

from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorby.platform.accounts.models import COORDINATOR, User
from mentorby.platform.accounts.services import invite
from mentorby.platform.adoption import services as adoption
from mentorby.platform.cities.models import Tenant
from mentorby.platform.cities.services import change_status, find_city, host_city
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import load
from mentorby.platform.tenancy import tenant_scope
from mentorby.tenants.programme import defaults, signals
from mentorby.tenants.programme.models import MeasuringPoint, ProgrammeEvent, Respondents, SuccessCriterion
from mentorby.tenants.programme.schemas import CriterionSchema, ProgrammeEventSchema, split_codes

EVENT_FIELDS = ("step", "kind", "name_da", "name_en", "description_da", "description_en", "audience",
                "week_offset", "duration_minutes")
CRITERION_FIELDS = ("position", "code", "role", "threshold", "measured_at", "statement_da", "statement_en",
                    "question_key", "yes_values", "of_everyone")
EVENT, CRITERION = ProgrammeEventSchema(), CriterionSchema()


class ProgrammeError(RuleError):
    """A rule of the programme model was broken."""

    area = "programme"


def _host_model(session: Session, host_slug: str, model_from: str = "") -> tuple[list[dict], list[dict]]:
    source = find_city(session, model_from) if model_from else None
    # Another city's model only while that city is active; otherwise the host's.
    host = source if source is not None and source.is_active else host_city(session, host_slug)
    if host is None:
        return list(defaults.EVENTS), list(defaults.CRITERIA)
    with tenant_scope(session, host.id):
        events = session.execute(select(ProgrammeEvent).order_by(ProgrammeEvent.step, ProgrammeEvent.id)).scalars()
        events = [{f: getattr(e, f) for f in EVENT_FIELDS} for e in events]
        criteria = session.execute(select(SuccessCriterion).order_by(SuccessCriterion.position)).scalars()
        criteria = [{f: getattr(c, f) for f in CRITERION_FIELDS} for c in criteria]
    return (events or list(defaults.EVENTS)), (criteria or list(defaults.CRITERIA))


def install_model(session: Session, city: Tenant, host_slug: str, model_from: str = "") -> None:
    """Give `city` its own copy of the host city's programme model (or the defaults for the host itself).

    `model_from` names another active city whose model the city chose to copy when it signed up.
    """
    with tenant_scope(session, city.id):
        if session.execute(select(func.count()).select_from(ProgrammeEvent)).scalar_one():
            return
    if city.is_host or city.slug == host_slug:
        events, criteria = list(defaults.EVENTS), list(defaults.CRITERIA)
    else:
        events, criteria = _host_model(session, host_slug, "" if model_from == city.slug else model_from)
    with tenant_scope(session, city.id):
        session.add_all(ProgrammeEvent(**values) for values in events)
        session.add_all(SuccessCriterion(**values) for values in criteria)
        session.flush()
        signals.model_installed.send(city, session=session)


def open_city(session: Session, city: Tenant, *, host_slug: str, approved_by: User | None) -> None:
    """Approve a signed-up city: its pages open, it gets the programme model, its contact is invited as coordinator."""
    change_status(city, "approve")
    install_model(session, city, host_slug, adoption.model_for(session, city))
    # The dissemination register: a city on the platform is implementing the programme.
    adoption.city_signed_up(session, city)
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


@dataclass(frozen=True)
class KnownQuestion:
    """A question of the city's current surveys, as a criterion may read it.

    Plain data: the programme area does not read surveys; the evaluation area gathers these and hands them in.
    """

    key: str
    #: The codes its answers take ("1".."5", "yes", a choice's code); none for a number or a free text.
    codes: tuple[str, ...]
    #: (measuring point, role) pairs where a survey asks it: ("closing", "mentor"), ("follow_up", "company"), ...
    asked: frozenset[tuple[str, str]]
    #: Its wording and its answers' labels, in the page's language, for the form.
    text: str = ""
    labels: tuple[tuple[str, str], ...] = ()


#: The codes of the eight criteria the sources name: a city edits them but keeps them (they are what rounds and
#: cities are compared on).
PRELOADED = frozenset(values["code"] for values in defaults.CRITERIA)


def _roles(role: str) -> tuple[str, ...]:
    return ("mentor", "mentee") if role == Respondents.BOTH else (role,)


def _against_questions(values: dict, wrong: set, questions: Mapping[str, KnownQuestion]) -> list[ProgrammeError]:
    """What is wrong with a criterion's question and yes answers, given the questions the city's surveys ask."""
    if "question_key" in wrong:
        return []
    key = str(values.get("question_key") or "").strip()
    question = questions.get(key)
    if question is None:
        return [ProgrammeError("unknown_question_key", "question_key", key=key)]
    if not question.codes:
        return [ProgrammeError("question_without_codes", "question_key", key=key)]
    problems = []
    role, point = str(values.get("role") or ""), str(values.get("measured_at") or "")
    if {"role", "measured_at"}.isdisjoint(wrong) and role in Respondents.codes() and point in MeasuringPoint.codes():
        if any((point, each) not in question.asked for each in _roles(role)):
            problems.append(ProgrammeError("question_not_asked_there", "question_key", key=key,
                                           role=Respondents(role).label.lower(), moment=MeasuringPoint(point).label))
    if "yes_values" not in wrong:
        strangers = [code for code in split_codes(values.get("yes_values")) if code not in question.codes]
        if strangers:
            problems.append(ProgrammeError("yes_value_not_taken", "yes_values", values=", ".join(strangers),
                                           allowed=", ".join(question.codes)))
    return problems


def check_criterion(values: dict, questions: Mapping[str, KnownQuestion] | None = None) -> dict:
    """A success criterion's values as the schema takes them, or every wrong field at once (ProgrammeError).

    With `questions` (key -> KnownQuestion of the city's current surveys), the question must be one a survey at the
    measuring point asks of the criterion's role, and each yes answer a code that question takes.
    """
    problems, clean = [], {}
    try:
        clean = load(CRITERION, values, ProgrammeError)
    except ProgrammeError as error:
        problems = list(error.problems)
    if questions is not None:
        problems += _against_questions(values, {problem.field for problem in problems}, questions)
    if problems:
        first = problems[0]
        first.problems = problems
        raise first
    return clean


def _apply(criterion: SuccessCriterion, clean: dict) -> None:
    criterion.threshold = round(float(clean["threshold_percent"]) / 100, 4)
    for name in ("statement_da", "statement_en", "role", "measured_at", "question_key", "yes_values", "of_everyone"):
        setattr(criterion, name, clean[name])


def update_criterion(session: Session, criterion: SuccessCriterion, values: dict,
                     questions: Mapping[str, KnownQuestion] | None = None) -> SuccessCriterion:
    """Change what a success criterion reads, its threshold and its wording (its code stays).

    What it reads: the question, whose answers, which answers count as a yes, when, and the denominator.
    """
    _apply(criterion, check_criterion(values, questions))
    session.flush()
    return criterion


def _free_code(session: Session, wanted: str) -> str:
    taken = set(session.execute(select(SuccessCriterion.code)).scalars())
    wanted = wanted[:36]
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted}_{number}" in taken:
        number += 1
    return f"{wanted}_{number}"


def add_criterion(session: Session, values: dict,
                  questions: Mapping[str, KnownQuestion] | None = None) -> SuccessCriterion:
    """Add a city's own success criterion after the others; its code is made from its role and question."""
    clean = check_criterion(values, questions)
    last = session.execute(select(func.max(SuccessCriterion.position))).scalar() or 0
    code = _free_code(session, f"{clean['role']}_{clean['question_key']}")
    criterion = SuccessCriterion(position=last + 1, code=code)
    _apply(criterion, clean)
    session.add(criterion)
    session.flush()
    return criterion


def remove_criterion(session: Session, criterion: SuccessCriterion) -> None:
    """Remove a city's own success criterion (the eight of the programme stay: edit them instead)."""
    if criterion.code in PRELOADED:
        raise ProgrammeError("preloaded_criterion")
    session.delete(criterion)
    session.flush()
