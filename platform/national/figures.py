"""National figures: aggregates only, small cells suppressed."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorby.platform.cities.models import ACTIVE, PENDING, Tenant


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
