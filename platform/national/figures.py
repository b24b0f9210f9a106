"""National figures: aggregates only, small cells suppressed."""

import functools
import itertools
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from sqlalchemy import String, case, distinct, event, func, literal_column, select, text
from sqlalchemy.exc import DBAPIError, InvalidRequestError
from sqlalchemy.orm import Session, scoped_session

from mentorby.platform import writes
from mentorby.platform.cities.models import ACTIVE, PENDING, Region, Tenant
from mentorby.platform.national import suppression
from mentorby.platform.national.models import CriterionRollup, RoundRollup

# --- the national layer's own door (PostgreSQL) --------------------------------------------------------------------

#: The national role is the app role's name with this suffix (made by `flask setup-postgres`).
NATIONAL_SUFFIX = "_national"
#: The only columns of the cities the national role may read: public names and where they stand.
NATIONAL_CITY_COLUMNS = ("id", "slug", "name", "municipality", "region", "status")
_DEPTH = "national_door_depth"
#: Per database URL: the national role the app may switch to, or None (SQLite, or setup-postgres not run).
_ROLES: dict[str, str | None] = {}


def _database(session: Session) -> str:
    """The session's database, as a key of the per-process memories below (a test's session is on a Connection)."""
    bind = session.get_bind()
    return getattr(bind, "engine", bind).url.render_as_string(hide_password=True)


def _national_role(session: Session) -> str | None:
    if session.get_bind().dialect.name != "postgresql":
        return None
    key = _database(session)
    if key not in _ROLES:
        _ROLES[key] = session.execute(text(
            "select rolname from pg_roles where rolname = current_user || :suffix "
            "and pg_has_role(current_user, oid, 'MEMBER')"), {"suffix": NATIONAL_SUFFIX}).scalar()
    return _ROLES[key]


#: Session.info keys: the national role to switch to before the session's next statement; the role switched to
#: (SET LOCAL ROLE) inside the door. Kept on the session (which lives for one request), never on the pooled connection.
_PENDING_ROLE = "mentorby.national.pending_role"
_SWITCHED = "mentorby.national.switched_role"


@contextmanager
def aggregates_only(session: Session):
    """Read as the national role, which sees the rollups and the cities' names only, never a city's rows.

    Every statement through the session inside runs as that role: the switch is made just before the first of them
    (a national page the worker answers from memory reads nothing, and so pays no round trips for a switch and
    back), and again after a savepoint or the transaction ended, which may have undone it. Any exit switches back,
    so the rest of the request runs as the app again: a refused filter, and a failed statement too when the
    transaction goes on (one failed inside a savepoint rolled back); a transaction that failed runs nothing more,
    and its rollback undoes SET LOCAL with it. Nested uses switch once.
    """
    depth = session.info.get(_DEPTH, 0)
    role = None if depth else _national_role(session)
    if role is not None:
        session.info[_PENDING_ROLE] = role
    session.info[_DEPTH] = depth + 1
    failed = False
    try:
        yield
    except DBAPIError:
        failed = True
        raise
    finally:
        session.info[_DEPTH] = depth
        if role is not None:
            session.info.pop(_PENDING_ROLE, None)
            if session.info.pop(_SWITCHED, None):
                _switch_back(session, failed)


def _switch_back(session: Session, failed: bool) -> None:
    if not failed:
        session.execute(text("reset role"))
        return
    # The statement's error is what the caller must see: if the transaction cannot run this (it failed, or its
    # connection is gone), its rollback undoes the switch anyway.
    with suppress(DBAPIError, InvalidRequestError):
        session.execute(text("reset role"))


@event.listens_for(Session, "do_orm_execute")
def _switch_before_the_first_statement(state) -> None:
    role = state.session.info.pop(_PENDING_ROLE, None)
    if role is not None:
        state.session.connection().exec_driver_sql(f'set local role "{role}"')
        state.session.info[_SWITCHED] = role


@event.listens_for(Session, "after_transaction_end")
def _switch_undone(session: Session, transaction) -> None:
    # Inside the door still, a savepoint's end may have undone the switch (if it was made inside it), and the
    # transaction's end did: the next statement switches again (once more than needed if it was not undone).
    role = session.info.get(_SWITCHED)
    if role is not None:
        session.info[_PENDING_ROLE] = role
        if transaction.parent is None:
            session.info.pop(_SWITCHED)


def _through_the_door(function):
    @functools.wraps(function)
    def read(session: Session, *args, **kwargs):
        with aggregates_only(session):
            return function(session, *args, **kwargs)
    return read


#: Cities listed per page on the national dashboard.
CITIES_PER_PAGE = 60


@dataclass(frozen=True)
class Adoption:
    """The adoption funnel of the programme across cities, and one page of the active cities."""

    active: int
    pending: int
    #: (name, municipality, slug, region code or NO_REGION) of active cities: names of cities, not people.
    cities: tuple[tuple[str, str, str, str], ...]
    page: int = 1
    per_page: int = CITIES_PER_PAGE

    @property
    def by_region(self) -> list[tuple[str, list[tuple[str, str, str, str]]]]:
        """The page's cities in runs of one region, in the regions' order (the cities are sorted so)."""
        return [(region, list(cities)) for region, cities in itertools.groupby(self.cities, key=lambda c: c[3])]

    # The pager's interface (templates/_macros.html pager).
    @property
    def pages(self) -> int:
        """How many pages of cities there are (at least one)."""
        return max(1, -(-self.active // self.per_page))

    @property
    def has_prev(self) -> bool:
        """Whether a page comes before."""
        return self.page > 1

    @property
    def has_next(self) -> bool:
        """Whether a page comes after."""
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        """The page before."""
        return self.page - 1

    @property
    def next_num(self) -> int:
        """The page after."""
        return self.page + 1


@_through_the_door
def adoption(session: Session, region: str | None = None, page: int = 1,
             per_page: int = CITIES_PER_PAGE) -> Adoption:
    """Cities running the programme and sign-ups waiting for approval (in one region, or all), one page of cities."""
    position = case({code: number for number, code in enumerate(Region.codes())}, value=Tenant.region,
                    else_=len(Region.codes()))
    city_query = (select(Tenant.name, Tenant.municipality, Tenant.slug, _region_of()).where(Tenant.status == ACTIVE)
                  .order_by(position, Tenant.name, Tenant.id).offset((page - 1) * per_page).limit(per_page))
    if region is not None:
        city_query = city_query.where(_region_of() == region)
    # The cities per region and status are read once per transaction already (the figures' cache is keyed on them),
    # and while the worker shares that state it keeps the pages of cities read with it (sorting every active city
    # by region and name for a page is about 2 ms at 1,000 cities).
    (_stamp, per_region), kept = _state_entry(session)
    counts: dict[str, int] = {}
    for city_region, status, number in per_region:
        if region is None or city_region == region:
            counts[status] = counts.get(status, 0) + number
    cities = kept.get(("cities", region, page, per_page)) if kept is not None else None
    if cities is None:
        cities = tuple(map(tuple, session.execute(city_query).all()))
        if kept is not None and len(kept) < _KEPT_PAGES:
            kept[("cities", region, page, per_page)] = cities
    return Adoption(active=counts.get(ACTIVE, 0), pending=counts.get(PENDING, 0), cities=cities, page=page,
                    per_page=per_page)


# --- the national figures, from the rollups only -----------------------------------------------------------------

#: The round statuses that count as a round run (under way or done).
RUN = ("running", "closed", "followed_up")
#: The criterion whose share is the employment after six months.
EMPLOYMENT = "mentee_employed_6m"
#: The key of the all-years column.
ALL = "all"


#: The fewest cities whose shares' spread (lowest, median, highest) is shown.
SPREAD_CITIES = 3
#: The region key of cities that have not said which region they are in.
NO_REGION = "none"
#: The roles whose people are counted.
ROLES = ("mentor", "mentee")


class BadFilter(ValueError):
    """A filter the national figures do not know (an unknown year or region, or not a year at all)."""


def _region_of():
    # A plain string, not the Region vocabulary: NO_REGION is not a region.
    # Inline, not a bound parameter: PostgreSQL matches a GROUP BY expression to the selected one by its text.
    return func.coalesce(Tenant.region, literal_column(f"'{NO_REGION}'"), type_=String())


def parse_region(raw: str | None) -> str | None:
    """The region a filter asks for (None for all regions); BadFilter for anything but a region's code."""
    if raw is None or raw == "" or raw == ALL:
        return None
    if raw not in Region.codes():
        raise BadFilter(raw)
    return raw


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


@_through_the_door
def years(session: Session) -> list[int]:
    """The years rounds were run in, oldest first (read again only when the rollups change)."""
    key = (_database(session), _state(session)[0])
    known = _YEARS.get(key)
    if known is None:
        known = list(session.execute(select(RoundRollup.year).where(RoundRollup.status.in_(RUN)).distinct()
                                     .order_by(RoundRollup.year)).scalars())
        if len(_YEARS) >= _CACHE_SIZE:
            _YEARS.clear()
        _YEARS[key] = known
    return list(known)


def _state(session: Session) -> tuple[tuple, tuple]:
    """What the rollups and the cities look like now: (a stamp of the rollups, cities per region and status).

    Two aggregate statements that the caches of the figures and the years are keyed on (the stamp, a count and the
    highest id and change over every rollup, is about 2 ms at 20,000 rounds). Read once per transaction until it
    writes (a national page asks for the years, then the figures), and then trusted by the web worker for
    STATE_SECONDS: the national pages answer from memory with no statement of their own between changes. A change
    to the rollups or the cities through this process forgets it at once (at its flush and again at its commit);
    one in another process (the task queue's refresh of a round's rollups, another worker), or through the
    database's own cascades, shows within STATE_SECONDS, when the rollups themselves trail the answers by half a
    minute.
    """
    return _state_entry(session)[0]


def _state_entry(session: Session) -> tuple[tuple, dict | None]:
    """The state (see _state), and what the worker keeps with it while it is shared (None: not shared)."""
    plain = session.registry() if isinstance(session, scoped_session) else session
    transaction = plain.get_transaction()
    known = session.info.get(_STATE)
    if known is not None and known[0] is transaction and known[1] == writes.wrote(session):
        return known[2]
    # A transaction that wrote anything reads its own state (again after each write) and keeps it to itself: it may
    # still roll back, and a write can reach the rollups without the session seeing them (a cascade).
    shared = not writes.wrote(session)
    database = _database(session)
    recent = _RECENT.get(database) if shared else None
    now = time.monotonic()
    if recent is not None and now - recent[0] < STATE_SECONDS:
        entry = recent[1]
    else:
        stamp = tuple(session.execute(select(func.count(), func.max(RoundRollup.id),
                                             func.max(RoundRollup.updated_at)).select_from(RoundRollup)).one())
        region_of = _region_of()
        cities = tuple(sorted(map(tuple, session.execute(select(region_of, Tenant.status, func.count())
                                                         .group_by(region_of, Tenant.status)).all())))
        entry = ((stamp, cities), {} if shared else None)
        if shared:
            _RECENT[database] = (now, entry)
    session.info[_STATE] = (plain.get_transaction(), writes.wrote(session), entry)
    return entry


#: What the state is read from: a write to these changes it.
_STATE_MODELS = (RoundRollup, CriterionRollup, Tenant)


def _forget_shared_state() -> None:
    _RECENT.clear()


# At a write to the rollups or the cities through this process, and at the rollback of any write (what was read
# meanwhile may have been its own writes: a test's, which never commit), the worker reads the state again.
writes.forget_on_write(_forget_shared_state, _STATE_MODELS)


def _median(values: list[float]) -> float:
    values = sorted(values)
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


#: How long computed figures may be reused at most, in seconds, even if nothing seems to have changed.
CACHE_SECONDS = 300
#: (database, what the rollups and cities look like now, year, region) -> (when computed, figures).
_CACHE: dict[tuple, tuple[float, dict]] = {}
_CACHE_SIZE = 256
#: (database, stamp of the rollups) -> the years rounds were run in.
_YEARS: dict[tuple, list[int]] = {}
#: Session.info key: (the transaction, its writes so far, the state it read): read once per transaction until it
#: writes.
_STATE = "mentorby.national_state"
#: How long a web worker trusts the state of the rollups and cities it read last (see _state), in seconds.
STATE_SECONDS = 2.0
#: Database -> (when read, (the state of the rollups and cities, what is kept with it)): shared by a worker's
#: requests.
_RECENT: dict[str, tuple[float, tuple]] = {}
#: The most pages of cities kept with one state.
_KEPT_PAGES = 256


@_through_the_door
def national(session: Session, year: int | None = None, region: str | None = None) -> dict:
    """Every national figure, suppressed, as plain data, for one year and region (None: all of them).

    Figures are computed once per state of the rollups and reused (per process) until a rollup or a city's status
    or region changes, or CACHE_SECONDS pass: a city refreshing its rollups replaces its rows (new ids, new
    `updated_at`), a deleted round or city changes the count, and the cities per region and status are part of
    the key. The dashboard and the API so answer from memory between changes, and compute in full after one.
    The result is shared: callers read it and never change it.
    """
    stamp, cities = _state(session)
    key = (_database(session), stamp, cities, year, region)
    now = time.monotonic()
    cached = _CACHE.get(key)
    if cached is not None and now - cached[0] < CACHE_SECONDS:
        return cached[1]
    live = {r: number for r, status, number in cities if status == ACTIVE}
    figures = _national(session, live, year, region)
    if len(_CACHE) >= _CACHE_SIZE:
        _CACHE.clear()
    _CACHE[key] = (now, figures)
    return figures


def _national(session: Session, live: dict[str, int], year: int | None, region: str | None) -> dict:
    """The figures of national(), computed from the rollups; `live` is the active cities per region.

    The suppression is decided once on the whole cube of regions x years x parts, with every margin, so the figures
    of one year or region, of all of them and of the others cannot be subtracted from each other: every filter shows
    a slice of the same decision.
    """
    known = years(session)
    if year is not None and year not in known:
        raise BadFilter(str(year))
    columns = [*known, ALL]
    chosen = region if region is not None else ALL
    run = RoundRollup.status.in_(RUN)
    region_of = _region_of()
    per_cell = session.execute(
        select(region_of, RoundRollup.year, func.count(), func.count(distinct(RoundRollup.city_id)),
               func.sum(RoundRollup.mentors), func.sum(RoundRollup.mentees))
        .join(Tenant, Tenant.id == RoundRollup.city_id).where(run).group_by(region_of, RoundRollup.year)).all()
    # A city is in one region, so cities per year add up over regions; over years they need a distinct count.
    cities_ever = dict(session.execute(
        select(region_of, func.count(distinct(RoundRollup.city_id))).join(Tenant, Tenant.id == RoundRollup.city_id)
        .where(run).group_by(region_of)).all())
    present = {row[0] for row in per_cell} | set(live)
    regions = [*Region.codes(), *([NO_REGION] if NO_REGION in present else [])]

    rounds: dict = {}
    cities: dict = {}
    counts: dict = {}
    for r, y, round_count, city_count, mentors, mentees in per_cell:
        rounds[(r, y)], cities[(r, y)] = int(round_count), int(city_count)
        counts[(r, y, "mentor")], counts[(r, y, "mentee")] = int(mentors or 0), int(mentees or 0)
    cells, groups = suppression.cube([regions, known, list(ROLES)], counts, total=ALL)
    shown = suppression.suppress(cells, groups)

    def add_up(values: dict, r: str, y) -> int:
        return sum(values.get((region_key, year_key), 0) for region_key in (regions if r == ALL else [r])
                   for year_key in (known if y == ALL else [y]))

    def cities_in(r: str, y) -> int:
        if y != ALL:
            return add_up(cities, r, y)
        return sum(int(cities_ever.get(key, 0)) for key in (regions if r == ALL else [r]))

    participants = {y: {role: shown[(chosen, y, role)] for role in (*ROLES, ALL)} for y in columns}
    column = year if year is not None else ALL
    by_region = [{"region": r, "cities_live": int(live.get(r, 0)), "cities": cities_in(r, column),
                  "rounds": add_up(rounds, r, column),
                  **{role: shown[(r, column, role)] for role in (*ROLES, ALL)}} for r in regions]

    criteria = _criteria(session, known, regions, chosen, year, region)
    return {
        "year": year, "years": known, "region": region, "regions": regions,
        "cities_live": sum(int(live.get(r, 0)) for r in (regions if region is None else [region])),
        "cities_running": {y: cities_in(chosen, y) for y in columns},
        "rounds": {y: add_up(rounds, chosen, y) for y in columns},
        "participants": participants, "by_region": by_region, "criteria": criteria,
        "employment": next((c for c in criteria if c["code"] == EMPLOYMENT), None), "column": column,
    }


def _criteria(session: Session, known: list[int], regions: list[str], chosen: str, year: int | None,
              region: str | None) -> list[dict]:
    """Each criterion pooled over cities (suppressed on its regions x years x yes/no cube) and its spread by city."""
    region_of = _region_of()
    run = RoundRollup.status.in_(RUN)
    pooled: dict[tuple[str, str], dict] = {}
    for code, role, of_everyone, r, y, yes, answered, eligible in session.execute(
            select(CriterionRollup.code, CriterionRollup.role, CriterionRollup.of_everyone, region_of,
                   CriterionRollup.year, func.sum(CriterionRollup.yes), func.sum(CriterionRollup.answered),
                   func.sum(CriterionRollup.eligible))
            .join(RoundRollup, RoundRollup.cohort_id == CriterionRollup.cohort_id)
            .join(Tenant, Tenant.id == CriterionRollup.city_id).where(run)
            .group_by(CriterionRollup.code, CriterionRollup.role, CriterionRollup.of_everyone, region_of,
                      CriterionRollup.year)):
        entry = pooled.setdefault((code, role), {"of_everyone": bool(of_everyone), "cells": {}})
        yes, base = int(yes or 0), int((eligible if of_everyone else answered) or 0)
        cells = entry["cells"]
        cells[(r, y, "yes")] = cells.get((r, y, "yes"), 0) + yes
        cells[(r, y, "no")] = cells.get((r, y, "no"), 0) + base - yes
    # Per city, for the spread: (code, role) -> [(yes, base, threshold)] for the chosen year and region.
    per_city: dict[tuple[str, str], list[tuple[int, int, float]]] = {}
    city_query = (select(CriterionRollup.code, CriterionRollup.role, CriterionRollup.of_everyone,
                         func.sum(CriterionRollup.yes), func.sum(CriterionRollup.answered),
                         func.sum(CriterionRollup.eligible), func.max(CriterionRollup.threshold))
                  .join(RoundRollup, RoundRollup.cohort_id == CriterionRollup.cohort_id).where(run)
                  .group_by(CriterionRollup.city_id, CriterionRollup.code, CriterionRollup.role,
                            CriterionRollup.of_everyone))
    if year is not None:
        city_query = city_query.where(CriterionRollup.year == year)
    if region is not None:
        city_query = city_query.join(Tenant, Tenant.id == CriterionRollup.city_id).where(region_of == region)
    for code, role, of_everyone, yes, answered, eligible, threshold in session.execute(city_query):
        base = int((eligible if of_everyone else answered) or 0)
        per_city.setdefault((code, role), []).append((int(yes or 0), base, float(threshold)))

    criteria = []
    for (code, role), entry in sorted(pooled.items()):
        cells, groups = suppression.cube([regions, known, ["yes", "no"]], entry["cells"], total=ALL)
        shown = suppression.suppress(cells, groups)
        by_year = {y: {"yes": shown[(chosen, y, "yes")], "base": shown[(chosen, y, ALL)],
                       "share": suppression.share(shown[(chosen, y, "yes")], shown[(chosen, y, ALL)])}
                   for y in (*known, ALL)}
        shares = [(yes / base, yes / base >= threshold) for yes, base, threshold in per_city.get((code, role), [])
                  if base >= suppression.MINIMUM]
        # The spread is each city's own share: with few cities, or beside a pooled count that is hidden, it would
        # give that count back (one city judged: its share times the base shown is its yes).
        column = year if year is not None else ALL
        spread = ({"min": min(s for s, _ in shares), "median": _median([s for s, _ in shares]),
                   "max": max(s for s, _ in shares)}
                  if len(shares) >= SPREAD_CITIES and by_year[column]["share"] is not None else None)
        criteria.append({"code": code, "role": role, "of_everyone": entry["of_everyone"], "years": by_year,
                         "spread": spread, "cities_judged": len(shares),
                         "cities_meeting": sum(1 for _, met in shares if met)})
    return criteria
