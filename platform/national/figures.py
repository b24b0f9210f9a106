"""National figures: aggregates only, small cells suppressed."""

from dataclasses import dataclass

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from mentorby.platform.cities.models import ACTIVE, PENDING, Tenant
from mentorby.platform.national import suppression
from mentorby.platform.national.models import CriterionRollup, RoundRollup


@dataclass(frozen=True)
class Adoption:
    """The adoption funnel of the programme across cities."""

    active: int
    pending: int
    cities: tuple[tuple[str, str, str], ...]  # (name, municipality, slug) of active cities: names of cities, not people


def adoption(session: Session) -> Adoption:
    """Cities running the programme and sign-ups waiting for approval."""
    counts = dict(session.execute(select(Tenant.status, func.count()).group_by(Tenant.status)).all())
    cities = session.execute(
        select(Tenant.name, Tenant.municipality, Tenant.slug).where(Tenant.status == ACTIVE).order_by(Tenant.name)
    ).all()
    return Adoption(active=counts.get(ACTIVE, 0), pending=counts.get(PENDING, 0), cities=tuple(map(tuple, cities)))


# --- the national figures, from the rollups only -----------------------------------------------------------------

#: The round statuses that count as a round run (under way or done).
RUN = ("running", "closed", "followed_up")
#: The criterion whose share is the employment after six months.
EMPLOYMENT = "mentee_employed_6m"
#: The key of the all-years column.
ALL = "all"


class BadFilter(ValueError):
    """A filter the national figures do not know (an unknown year, or not a year at all)."""


def parse_year(raw: str | None, years: list[int]) -> int | None:
    """The year a filter asks for (None for all years); BadFilter for anything but one of `years`."""
    if raw is None or raw == "" or raw == ALL:
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        raise BadFilter(raw)
    year = int(raw)
    if year not in years:
        raise BadFilter(raw)
    return year


def years(session: Session) -> list[int]:
    """The years rounds were run in, oldest first."""
    return list(session.execute(select(RoundRollup.year).where(RoundRollup.status.in_(RUN)).distinct()
                                .order_by(RoundRollup.year)).scalars())


def _median(values: list[float]) -> float:
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def national(session: Session, year: int | None = None) -> dict:
    """Every national figure, suppressed, as plain data; `year` picks one year's column (None: all years).

    The suppression is decided once on the whole table of years (with the all-years column), so the figures of
    one year, of all years and of the other years cannot be subtracted from each other.
    """
    known = years(session)
    columns = [*known, ALL]
    cities_live = session.execute(select(func.count()).select_from(Tenant).where(Tenant.status == ACTIVE)).scalar()
    run = RoundRollup.status.in_(RUN)
    per_year = {row.year: row for row in session.execute(
        select(RoundRollup.year, func.count().label("rounds"), func.count(distinct(RoundRollup.city_id))
               .label("cities"), func.sum(RoundRollup.mentors).label("mentors"),
               func.sum(RoundRollup.mentees).label("mentees"))
        .where(run).group_by(RoundRollup.year))}
    counts = {(y, role): int(getattr(per_year[y], role + "s") or 0) for y in known for role in ("mentor", "mentee")}
    cells, groups = suppression.table(known, ["mentor", "mentee"], counts, row_total=ALL, column_total=ALL)
    shown = suppression.suppress(cells, groups)
    participants = {y: {role: shown[(y, role)] for role in ("mentor", "mentee", ALL)} for y in columns}
    rounds = {y: int(per_year[y].rounds) for y in known}
    rounds[ALL] = sum(rounds.values())
    cities_running = {y: int(per_year[y].cities) for y in known}
    cities_running[ALL] = session.execute(select(func.count(distinct(RoundRollup.city_id))).where(run)).scalar()

    joined = CriterionRollup.cohort_id.in_(select(RoundRollup.cohort_id).where(run))
    pooled: dict[tuple[str, str], dict] = {}
    for code, role, of_everyone, y, yes, answered, eligible in session.execute(
            select(CriterionRollup.code, CriterionRollup.role, CriterionRollup.of_everyone, CriterionRollup.year,
                   func.sum(CriterionRollup.yes), func.sum(CriterionRollup.answered),
                   func.sum(CriterionRollup.eligible))
            .where(joined).group_by(CriterionRollup.code, CriterionRollup.role, CriterionRollup.of_everyone,
                                    CriterionRollup.year)):
        entry = pooled.setdefault((code, role), {"of_everyone": bool(of_everyone), "years": {}})
        entry["years"][y] = (int(yes or 0), int(eligible if of_everyone else answered or 0))
    # Per city, for the spread: (code, role) -> [(yes, base, threshold)] for the chosen year or all years.
    per_city: dict[tuple[str, str], list[tuple[int, int, float]]] = {}
    city_query = (select(CriterionRollup.code, CriterionRollup.role, CriterionRollup.of_everyone,
                         func.sum(CriterionRollup.yes), func.sum(CriterionRollup.answered),
                         func.sum(CriterionRollup.eligible), func.max(CriterionRollup.threshold))
                  .where(joined).group_by(CriterionRollup.city_id, CriterionRollup.code, CriterionRollup.role,
                                          CriterionRollup.of_everyone))
    if year is not None:
        city_query = city_query.where(CriterionRollup.year == year)
    for code, role, of_everyone, yes, answered, eligible, threshold in session.execute(city_query):
        base = int((eligible if of_everyone else answered) or 0)
        per_city.setdefault((code, role), []).append((int(yes or 0), base, float(threshold)))

    criteria = []
    for (code, role), entry in sorted(pooled.items()):
        table = {(y, part): 0 for y in known for part in ("yes", "no")}
        for y, (yes, base) in entry["years"].items():
            table[(y, "yes")], table[(y, "no")] = yes, base - yes
        cells, groups = suppression.table(known, ["yes", "no"], table, row_total=ALL, column_total=ALL)
        shown_cells = suppression.suppress(cells, groups)
        by_year = {y: {"yes": shown_cells[(y, "yes")], "base": shown_cells[(y, ALL)],
                       "share": suppression.share(shown_cells[(y, "yes")], shown_cells[(y, ALL)])} for y in columns}
        shares = [(yes / base, yes / base >= threshold) for yes, base, threshold in per_city.get((code, role), [])
                  if base >= suppression.MINIMUM]
        spread = ({"min": min(s for s, _ in shares), "median": _median([s for s, _ in shares]),
                   "max": max(s for s, _ in shares)} if shares else None)
        criteria.append({"code": code, "role": role, "of_everyone": entry["of_everyone"], "years": by_year,
                         "spread": spread, "cities_judged": len(shares),
                         "cities_meeting": sum(1 for _, met in shares if met)})
    chosen = year if year is not None else ALL
    return {
        "year": year, "years": known, "cities_live": cities_live, "cities_running": cities_running,
        "rounds": rounds, "participants": participants, "criteria": criteria,
        "employment": next((c for c in criteria if c["code"] == EMPLOYMENT), None), "column": chosen,
    }
