"""Certificates of participation: a one-page PDF for each mentor and mentee who took part in a closed round.

It is small (one page, no pictures), so it is made when it is downloaded; it is signed by the city: the city's name,
its coordinator's name and title line, the round's dates, the person's name and role, in the person's language.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorby.platform import clock
from mentorby.platform.cities.models import Tenant
from mentorby.platform.tenancy import session_tenant_id
from mentorby.tenants.applications.models import ACCEPTED, Application
from mentorby.tenants.cohorts.models import CLOSED, FOLLOWED_UP, Cohort
from mentorby.tenants.communications.services import CommunicationsError
from mentorby.tenants.transfer.exporting import slug

TEMPLATE = "communications/certificate_pdf.html"


def is_closed(cohort: Cohort) -> bool:
    """Whether the round has ended, so that its certificates can be made."""
    return cohort.status in (CLOSED, FOLLOWED_UP)


def require(application: Application) -> None:
    """Refuse a certificate for a round not closed, or a person who did not take part (accepted)."""
    if not is_closed(application.cohort):
        raise CommunicationsError("round_not_closed")
    if application.status != ACCEPTED:
        raise CommunicationsError("not_a_participant")


def participants(session: Session, cohort: Cohort) -> list[Application]:
    """The round's mentors and mentees who took part, mentors first, by name."""
    return list(session.execute(
        select(Application).where(Application.cohort_id == cohort.id, Application.status == ACCEPTED)
        .order_by(Application.role, Application.name, Application.id)).scalars())


def pdf(session: Session, application: Application, *, signed_by: str = "") -> bytes:
    """The certificate as a PDF in the person's language."""
    require(application)
    from weasyprint import HTML  # a heavy import, only where a PDF is made

    city = session.get(Tenant, session_tenant_id(session))
    locale = application.locale if application.locale in ("da", "en") else "da"
    signatory = city.contact_name or signed_by or _first_coordinator(session)
    with force_locale(locale):
        html = render_template(TEMPLATE, city=city, cohort=application.cohort, person=application,
                               signed_by=signatory, made_on=clock.today(), locale=locale)
        return HTML(string=html, base_url=None, url_fetcher=_fetch_nothing).write_pdf()


def filename(application: Application) -> str:
    """The download's name: ASCII letters, digits and hyphens only."""
    return f"{slug(application.name) or 'participant'}-certificate-{slug(application.cohort.name) or 'round'}.pdf"


def _fetch_nothing(url: str, *args, **kwargs):
    raise ValueError(f"a certificate fetches nothing ({url[:60]})")


def _first_coordinator(session: Session) -> str:
    """The city's first coordinator's name, when the city names no contact person."""
    from mentorby.platform.accounts.models import COORDINATOR, Membership, User

    return session.execute(select(User.name).join(Membership, Membership.user_id == User.id)
                           .where(Membership.role == COORDINATOR).order_by(Membership.id).limit(1)
                           ).scalar_one_or_none() or ""
