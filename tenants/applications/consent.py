"""The data-processing consent a person gives, versioned, and the record of each consent given.

The platform's wording is versioned here (a new wording gets a new key and the old ones stay); each city adds its
own privacy notice, whose published versions are numbered (tenants/privacy/notice.py). A consent's version names
both: ``2026-11`` is the platform text alone (the city had published no notice of its own), ``2026-11/3`` the
platform text with the city's notice version 3. So what each person agreed to can always be shown again.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorby.platform.accounts.services import normalise_email
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications.errors import ApplicationError
from mentorby.tenants.applications.models import ConsentChannel, ConsentRecord

CURRENT = "2026-11"

TEXTS = {
    "2026-11": {
        "da": (
            "Jeg giver samtykke til, at {city} behandler oplysningerne i denne ansøgning (inklusive mit CV) for at "
            "udvælge og matche deltagere i karrierementorprogrammet og følge op på forløbet. Oplysningerne deles kun "
            "med programmets koordinatorer og, hvis jeg bliver optaget, med min mentor eller mentee; er min (eller min "
            "partners) arbejdsgiver partnervirksomhed i programmet, kan virksomhedens kontaktperson se mit navn og "
            "forløb. Jeg kan til "
            "enhver tid trække samtykket tilbage, få indsigt i og få slettet mine oplysninger ved at skrive til "
            "koordinatoren. Svar på evalueringer gemmes kun pseudonymt efter sletning."
        ),
        "en": (
            "I consent to {city} processing the information in this application (including my CV) to select and "
            "match participants in the career mentoring programme and to follow up on the round. It is shared only "
            "with the programme's coordinators and, if I am accepted, with my mentor or mentee; if my (or my "
            "partner's) employer is a partner company of the programme, its contact person can see my name and round. "
            "I can withdraw my "
            "consent, see my data and have it erased at any time by writing to the coordinator. Evaluation answers "
            "are kept only pseudonymously after erasure."
        ),
    },
}


@dataclass(frozen=True)
class Version:
    """A consent version taken apart: the platform text's key and the city's notice version (0: none published)."""

    text: str
    notice: int

    @property
    def key(self) -> str:
        """The version as stored (Application.consent_version, ConsentRecord.version)."""
        return key(self.notice, self.text)


def key(notice_version: int, text_version: str = CURRENT) -> str:
    """The consent version of the platform text `text_version` with the city's notice version `notice_version`."""
    return f"{text_version}/{notice_version}" if notice_version else text_version


def parse(version: str | None) -> Version | None:
    """A stored or posted version taken apart; None when it is not one (an unknown text, a bad notice number)."""
    text, slash, notice = (version or "").partition("/")
    if text not in TEXTS:
        return None
    if not slash:
        return Version(text, 0)
    if not notice.isdigit() or notice.startswith("0") or len(notice) > 6:
        return None
    return Version(text, int(notice))


def known(version: str | None) -> bool:
    """Whether `version` names a consent text that exists."""
    return parse(version) is not None


def consent_text(version: str, locale: str, city_name: str) -> str:
    """The platform's consent wording of `version` in `locale` (English when the language is missing)."""
    parsed = parse(version)
    texts = TEXTS[parsed.text if parsed else version]
    return texts.get(locale, texts["en"]).format(city=city_name)


# --- the record of consents ------------------------------------------------------------------------------------------


def record(session: Session, email: str, version: str, channel: str, *, locale: str = "en",
           application_id: int | None = None, agreed_at: datetime | None = None, date_only: bool = False,
           by_user_id: int | None = None) -> ConsentRecord:
    """Record that the person with this address agreed to `version` through `channel` (now, unless `agreed_at`)."""
    if not known(version):
        raise ApplicationError("consent_required", "consent")
    row = ConsentRecord(email=normalise_email(email), version=version, channel=ConsentChannel(channel),
                        locale=locale if locale in TEXTS[parse(version).text] else "en", application_id=application_id,
                        agreed_at=agreed_at or utcnow(), date_only=date_only, recorded_by_id=by_user_id)
    session.add(row)
    session.flush()
    return row


def records_of(session: Session, email: str) -> list[ConsentRecord]:
    """Every consent the person with this address gave in the session's city, the newest first."""
    return list(session.execute(
        select(ConsentRecord).where(ConsentRecord.email == normalise_email(email))
        .order_by(ConsentRecord.agreed_at.desc(), ConsentRecord.id.desc())
    ).scalars())


def needs_consent(session: Session, email: str, current: str) -> ConsentRecord | None:
    """The person's newest consent when they have consented before but never to `current`; else None.

    Someone who never consented in the city (a coordinator with a test account, say) is not asked here: they consent
    when they apply.
    """
    given = records_of(session, email)
    if not given or any(row.version == current for row in given):
        return None
    return given[0]
