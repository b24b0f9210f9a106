"""Partner organisations: list, create, change, remove; their contact persons.

The people they send to rounds are applications: tenants/applications/of_partners.py.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorby.platform.accounts.models import COMPANY_CONTACT, Invitation, Membership, User
from mentorby.platform.accounts.services import AccountError, invite, normalise_email
from mentorby.platform.cities.models import Tenant
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import load
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.partners import signals
from mentorby.tenants.partners.models import Partner, PartnerContact, PartnerKind
from mentorby.tenants.partners.schemas import ContactSchema, PartnerSchema

#: A partner's contacts are listed on its page without paging, so their number is bounded.
MAX_CONTACTS = 50
PARTNER, CONTACT = PartnerSchema(), ContactSchema()


class PartnerError(RuleError):
    """A partner rule was broken."""

    area = "partners"


def by_name(*, kind: PartnerKind | None = None, public_only: bool = False):
    """The city's partners by name (of a kind, or only those on the front page): a select for paging."""
    query = select(Partner).order_by(Partner.name, Partner.id)
    if public_only:
        query = query.where(Partner.public.is_(True))
    if kind:
        query = query.where(Partner.kind == kind)
    return query


def list_partners(session: Session, *, public_only: bool = False, kind: PartnerKind | None = None,
                  offset: int = 0, limit: int | None = None) -> list[Partner]:
    """The city's partners by name."""
    query = by_name(kind=kind, public_only=public_only)
    if limit is not None:
        query = query.offset(offset).limit(limit)
    return list(session.execute(query).scalars())


def count_partners(session: Session, *, kind: str | None = None) -> int:
    """How many partners the city has (of a kind)."""
    query = select(func.count()).select_from(Partner)
    if kind:
        query = query.where(Partner.kind == kind)
    return session.execute(query).scalar_one()


def check_partner(values: dict) -> dict:
    """A partner's values as the schema takes them, or every wrong field at once (PartnerError)."""
    return load(PARTNER, values, PartnerError)


def save_partner(session: Session, values: dict, partner: Partner | None = None) -> Partner:
    """Create a partner, or change one; names are unique within the city (whatever their capitals)."""
    values = check_partner(values)
    clash = session.execute(
        select(Partner.id).where(func.lower(Partner.name) == values["name"].lower())
    ).scalar_one_or_none()
    if clash is not None and (partner is None or clash != partner.id):
        raise PartnerError("name_taken", "name")
    if partner is None:
        partner = Partner(**values)
        session.add(partner)
    else:
        for key, value in values.items():
            setattr(partner, key, value)
    session.flush()
    return partner


def delete_partner(session: Session, partner: Partner) -> None:
    """Remove a partner with its contacts; applications keep the company's name as written but lose the link."""
    # Through the ORM, not a bulk statement or the foreign key's cascade, so that every change is in the audit log.
    for contact in list(partner.contacts):
        remove_contact(session, contact)
    # The areas that point at partners let go first (applications keep the name as written).
    signals.partner_removed.send(partner, session=session)
    session.flush()
    session.delete(partner)
    session.flush()


# --- contact persons ----------------------------------------------------------------------------


def contacts_of(session: Session, partner: Partner) -> list[PartnerContact]:
    """A partner's contact persons by name (at most MAX_CONTACTS)."""
    return list(session.execute(
        select(PartnerContact).where(PartnerContact.partner_id == partner.id)
        .order_by(PartnerContact.name, PartnerContact.id).limit(MAX_CONTACTS)
    ).scalars())


def contacts_with_access(session: Session, contacts: list[PartnerContact]) -> set[str]:
    """The e-mails among `contacts` whose owner already is a company contact of the city (one query)."""
    emails = {contact.email for contact in contacts}
    if not emails:
        return set()
    return set(session.execute(
        select(User.email).join(Membership, Membership.user_id == User.id)
        .where(Membership.role == COMPANY_CONTACT, User.email.in_(emails))
    ).scalars())


def check_contact(values: dict) -> dict:
    """A contact's values trimmed and checked (a name, a valid e-mail lower-cased, an optional phone), all at once."""
    return load(CONTACT, values, PartnerError)


def add_contact(session: Session, partner: Partner, values: dict) -> PartnerContact:
    """Add a contact person to a partner; an e-mail appears at most once per partner."""
    clean = check_contact(values)
    taken = session.execute(
        select(PartnerContact.id).where(PartnerContact.partner_id == partner.id,
                                        PartnerContact.email == clean["email"])
    ).first()
    if taken is not None:
        raise PartnerError("contact_email_taken", "email")
    count = session.execute(
        select(func.count()).select_from(PartnerContact).where(PartnerContact.partner_id == partner.id)
    ).scalar_one()
    if count >= MAX_CONTACTS:
        raise PartnerError("contact_limit", None, max=MAX_CONTACTS)
    contact = PartnerContact(partner_id=partner.id, **clean)
    session.add(contact)
    session.flush()
    return contact


def remove_contact(session: Session, contact: PartnerContact) -> None:
    """Remove a contact person; an open company-contact invitation to them is withdrawn.

    The company page follows the contact's e-mail, so the person no longer sees this partner's people. An account
    they already made stays: they may be a contact of another partner, and the team page shows their role.
    """
    elsewhere = session.execute(
        select(PartnerContact.id).where(PartnerContact.email == contact.email, PartnerContact.id != contact.id)
    ).first()
    if elsewhere is None:
        open_invitations = session.execute(
            select(Invitation).where(
                func.lower(Invitation.email) == contact.email, Invitation.role == COMPANY_CONTACT,
                Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
            )
        ).scalars()
        for invitation in open_invitations:
            invitation.revoked_at = utcnow()
    session.delete(contact)
    session.flush()


def invite_contact(session: Session, tenant: Tenant, partner: Partner, contact: PartnerContact, *,
                   invited_by: User | None, locale: str | None = None) -> PartnerContact:
    """Invite a company's contact person as the city's company contact (a new invitation replaces an open one)."""
    if contact.partner_id != partner.id:
        raise PartnerError("contact_not_of_partner")
    if not partner.is_company:
        raise PartnerError("not_a_company")
    try:
        invite(session, tenant, email=contact.email, name=contact.name, role=COMPANY_CONTACT, invited_by=invited_by,
               locale=locale)
    except AccountError as error:
        raise PartnerError(error.code, error.field, name=contact.name) from None
    contact.invited_at = utcnow()
    session.flush()
    return contact


def partners_of_contact(session: Session, email: str) -> list[Partner]:
    """The partner companies that list this e-mail among their contacts, by name.

    Only companies: the consent text tells applicants that their employer's contact sees that they take part.
    """
    return list(session.execute(
        select(Partner).where(Partner.kind == PartnerKind.COMPANY, Partner.id.in_(
            select(PartnerContact.partner_id).where(PartnerContact.email == normalise_email(email))
        )).order_by(Partner.name, Partner.id)
    ).scalars())
