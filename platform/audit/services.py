"""Reading the audit log: a city's entries (its log page and the API), the platform's own, who made changes."""

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mentorby.platform.accounts.models import User
from mentorby.platform.audit.describe import tables_in
from mentorby.platform.audit.models import AuditEntry


def city_entries(tenant_id: int, *, area: str = "", entity: str = "", actor_id: int | None = None):
    """A city's entries, newest first, of an area's tables, of one table, of one person: a select for paging."""
    query = select(AuditEntry).where(AuditEntry.tenant_id == tenant_id)
    if area:
        query = query.where(AuditEntry.entity.in_(tables_in(area)))
    if entity:
        query = query.where(AuditEntry.entity == entity)
    if actor_id is not None:
        query = query.where(AuditEntry.actor_id == actor_id)
    return query.order_by(AuditEntry.id.desc())


def platform_entries():
    """The platform's entries, newest first: people's accounts, and the cities' sign-ups, approvals and suspensions.

    A city's own row is logged under the city (tenant_id is its id); its status is the platform's business. Run it
    across cities.
    """
    return (select(AuditEntry).where(or_(AuditEntry.tenant_id.is_(None), AuditEntry.entity == "tenant"))
            .order_by(AuditEntry.id.desc()))


def actors_in_city(session: Session, tenant_id: int) -> list[User]:
    """The people who made changes in the city, by name (the log's filter by person)."""
    return list(session.execute(
        select(User).where(User.id.in_(
            select(AuditEntry.actor_id).where(AuditEntry.tenant_id == tenant_id).distinct().scalar_subquery()
        )).order_by(User.name, User.email)
    ).scalars())
