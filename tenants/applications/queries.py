"""Reading applications: the selection board, the pool, a person's history, the API's list, the counts.

Every list is one query per page, whatever its length; other areas ask for the counts (a round's places).
"""

from dataclasses import dataclass, fields

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session, contains_eager, joinedload

from mentorby.tenants.applications.models import (
    ACCEPTED,
    CONFIRMED,
    Application,
    ApplicationStatus,
    Participant,
)
from mentorby.tenants.applications.profile import MENTEE, MENTOR, ROLES, DanishLevel, Field, Language, Role
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.partners.models import Partner

#: The board's sortable columns; the pager and the filter requests carry `sort` and `dir` along.
SORTS = ("name", "applied", "field", "goal", "danish", "status")
#: The order of arrival: the board's order when none (or a strange one) is asked for.
ARRIVAL = ("applied", "asc")


@dataclass(frozen=True)
class BoardFilters:
    """What the selection board shows: a role, a status, a field, a language, a company (partner id), a search."""

    role: str = ""
    status: str = ""
    field: str = ""
    language: str = ""
    company: str = ""
    q: str = ""

    @classmethod
    def read(cls, args) -> "BoardFilters":
        """The filters from a request's arguments; a value that is not one of the choices is ignored."""
        company = args.get("company", "")
        return cls(
            role=args.get("role") if Role.get(args.get("role")) else "",
            status=args.get("status") if ApplicationStatus.get(args.get("status")) else "",
            field=args.get("field") if Field.get(args.get("field")) else "",
            language=args.get("language") if Language.get(args.get("language")) else "",
            company=company if company.isascii() and company.isdigit() and len(company) < 10 else "",
            q=(args.get("q") or "").strip()[:100],
        )

    def chosen(self) -> dict[str, str]:
        """The filters in use, as the board's address carries them."""
        return {key: value for key, value in vars(self).items() if value}


#: The filters' names, as the board's address carries them.
FILTERS = tuple(field.name for field in fields(BoardFilters))


def sorting(args) -> tuple[str, str]:
    """The requested order: (column, "asc" or "desc"); the order of arrival when none or a strange one is asked."""
    column = args.get("sort")
    direction = "desc" if args.get("dir") == "desc" else "asc"
    return (column, direction) if column in SORTS else ARRIVAL


def _rank(members, by_label: bool = False) -> dict[str, int]:
    """A CASE's ranking of codes in the vocabulary's order, or alphabetically by label in the page's language."""
    ordered = sorted(members, key=lambda member: member.label.casefold()) if by_label else list(members)
    return {member.value: index for index, member in enumerate(ordered)}


def _order_by(column: str, direction: str) -> list:
    """ORDER BY terms for a board column; mentors (who have no Danish level) stay last in both directions."""
    if column == "name":
        terms = [func.lower(Application.name)]
    elif column == "field":
        terms = [case(_rank(Field, by_label=True), value=Application.field, else_=len(Field))]
    elif column == "goal":
        # A mentee's job goal, a mentor's expertise: the column shows whichever the person has.
        terms = [func.lower(case((Application.role == MENTEE, Application.job_goal), else_=Application.expertise))]
    elif column == "danish":
        terms = [case(_rank(DanishLevel), value=Application.danish_level, else_=len(DanishLevel))]
    elif column == "status":
        terms = [case(_rank(ApplicationStatus), value=Application.status, else_=len(ApplicationStatus))]
    else:
        terms = [Application.created_at]
    terms = [term.desc() if direction == "desc" else term.asc() for term in terms]
    if column == "danish":
        terms.insert(0, case((Application.danish_level == "", 1), else_=0))
    return [*terms, Application.id.desc() if direction == "desc" else Application.id.asc()]


def search_filter(text: str):
    """A WHERE clause matching an application's name, e-mail or company against `text`."""
    pattern = f"%{text.strip().lower()}%"
    return or_(func.lower(Application.name).like(pattern), func.lower(Application.email).like(pattern),
               func.lower(Application.employer).like(pattern), func.lower(Application.partner_employer).like(pattern))


def board_query(cohort: Cohort, filters: BoardFilters, order: tuple[str, str] = ARRIVAL):
    """The round's confirmed applications that the filters let through, in the board's order (with their CVs)."""
    query = (select(Application).where(Application.cohort_id == cohort.id, CONFIRMED)
             .options(joinedload(Application.cv)).order_by(*_order_by(*order)))
    if filters.role:
        query = query.where(Application.role == filters.role)
    if filters.status:
        query = query.where(Application.status == filters.status)
    if filters.field:
        query = query.where(Application.field == filters.field)
    if filters.language:
        # Codes are stored space-separated; padding both sides matches whole codes only.
        query = query.where((" " + Application.languages + " ").like(f"% {filters.language} %"))
    if filters.company:
        company = int(filters.company)
        query = query.where(or_(Application.employer_id == company, Application.partner_employer_id == company))
    if filters.q:
        query = query.where(search_filter(filters.q))
    return query


def first_of_board(session: Session, cohort: Cohort, filters: BoardFilters, order: tuple[str, str],
                   limit: int) -> list[Application]:
    """At most `limit` applications that the board's filters let through (a bulk change of "all that match")."""
    return list(session.execute(board_query(cohort, filters, order).limit(limit)).unique().scalars())


def of_round(session: Session, cohort: Cohort, ids: list[int]) -> list[Application]:
    """The round's confirmed applications among `ids` (a selection on the board; others' ids are left out)."""
    if not ids:
        return []
    return list(session.execute(
        select(Application).where(Application.cohort_id == cohort.id, Application.id.in_(ids), CONFIRMED)
    ).scalars())


def by_ids(session: Session, ids) -> dict[int, Application]:
    """Applications by id, with their CVs' details, in one query (a participant's pairs on the portal)."""
    if not ids:
        return {}
    return {application.id: application for application in session.execute(
        select(Application).where(Application.id.in_(ids)).options(joinedload(Application.cv))).scalars()}


def companies(session: Session) -> list[tuple[int, str]]:
    """The city's partner companies (id, name), for the board's filter."""
    return list(session.execute(select(Partner.id, Partner.name).where(Partner.kind == "company")
                                .order_by(Partner.name)).all())


def api_query(cohort: Cohort, *, status: str | None = None, role: str | None = None):
    """A round's applications, confirmed or not, in the order they arrived (the API's list)."""
    query = select(Application).where(Application.cohort_id == cohort.id)
    if status:
        query = query.where(Application.status == status)
    if role:
        query = query.where(Application.role == role)
    return query.order_by(Application.created_at, Application.id)


def pool_query(role: str, text: str = ""):
    """The city's pool of one role (everyone who ever applied), by name, optionally searched by name or e-mail."""
    query = select(Participant).where(Participant.role == role).order_by(Participant.name, Participant.id)
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(or_(func.lower(Participant.name).like(pattern),
                                func.lower(Participant.email).like(pattern)))
    return query


def histories(session: Session, participant_ids: list[int]) -> dict[int, list[Application]]:
    """Each pool member's applications, newest round first, for a page of the pool in one query."""
    if not participant_ids:
        return {}
    found: dict[int, list[Application]] = {participant_id: [] for participant_id in participant_ids}
    rows = session.execute(
        select(Application).join(Cohort, Cohort.id == Application.cohort_id)
        .where(Application.participant_id.in_(participant_ids), CONFIRMED)
        .options(contains_eager(Application.cohort))
        .order_by(Cohort.starts_on.desc(), Application.id.desc())
    ).scalars()
    for application in rows:
        found[application.participant_id].append(application)
    return found


def counts(session: Session, cohort_id: int) -> dict[tuple[str, str], int]:
    """(role, status) -> number of applications in the round: the selection board's counters."""
    rows = session.execute(
        select(Application.role, Application.status, func.count())
        .where(Application.cohort_id == cohort_id, CONFIRMED).group_by(Application.role, Application.status)
    )
    return {(role, status): number for role, status, number in rows}


def accepted_counts(session: Session, cohort_id: int) -> dict[str, int]:
    """How many mentors and mentees of the round are accepted."""
    by_status = counts(session, cohort_id)
    return {role: by_status.get((role, ACCEPTED), 0) for role in ROLES}


def accepted_by_cohort(session: Session, cohort_ids: list[int]) -> dict[tuple[int, str], int]:
    """(round id, role) -> accepted people, for a page of rounds in one grouped query."""
    if not cohort_ids:
        return {}
    rows = session.execute(
        select(Application.cohort_id, Application.role, func.count())
        .where(Application.cohort_id.in_(cohort_ids), Application.status == ACCEPTED)
        .group_by(Application.cohort_id, Application.role)
    )
    return {(cohort_id, role): number for cohort_id, role, number in rows}


def start_checks(cohort: Cohort, *, session: Session) -> list[tuple[str, dict]]:
    """A round starts only with accepted mentors and mentees (an answer to cohorts' start_checks)."""
    accepted = accepted_counts(session, cohort.id)
    return ([("needs_accepted_mentors", {})] if not accepted[MENTOR] else []) + (
        [("needs_accepted_mentees", {})] if not accepted[MENTEE] else [])


def places_taken(cohort: Cohort, *, session: Session) -> dict[str, int]:
    """The round's places that accepted people hold (an answer to cohorts' places_taken)."""
    return accepted_counts(session, cohort.id)
