"""Partner organisations: list, create, change, remove."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorby.tenants.partners.models import KINDS, Partner

FIELDS = ("name", "kind", "website", "description", "public")


class PartnerError(Exception):
    """A partner rule was broken; `field` says where."""

    def __init__(self, code: str, field: str | None = None):
        super().__init__(code)
        self.code = code
        self.field = field


def list_partners(session: Session, *, public_only: bool = False, kind: str | None = None,
                  offset: int = 0, limit: int | None = None) -> list[Partner]:
    """The city's partners by name."""
    query = select(Partner).order_by(Partner.name, Partner.id)
    if public_only:
        query = query.where(Partner.public.is_(True))
    if kind:
        query = query.where(Partner.kind == kind)
    if limit is not None:
        query = query.offset(offset).limit(limit)
    return list(session.execute(query).scalars())


def count_partners(session: Session, *, kind: str | None = None) -> int:
    """How many partners the city has (of a kind)."""
    query = select(func.count()).select_from(Partner)
    if kind:
        query = query.where(Partner.kind == kind)
    return session.execute(query).scalar_one()


def _check(session: Session, values: dict, partner: Partner | None) -> None:
    if values["kind"] not in KINDS:
        raise PartnerError("bad_kind", "kind")
    clash = session.execute(
        select(Partner.id).where(func.lower(Partner.name) == values["name"].strip().lower())
    ).scalar_one_or_none()
    if clash is not None and (partner is None or clash != partner.id):
        raise PartnerError("name_taken", "name")


def save_partner(session: Session, values: dict, partner: Partner | None = None) -> Partner:
    """Create a partner, or change one; names are unique within the city."""
    values = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items() if k in FIELDS}
    _check(session, values, partner)
    if partner is None:
        partner = Partner(**values)
        session.add(partner)
    else:
        for key, value in values.items():
            setattr(partner, key, value)
    session.flush()
    return partner


def delete_partner(session: Session, partner: Partner) -> None:
    """Remove a partner."""
    session.delete(partner)
    session.flush()
