"""A city's privacy notice: the draft a coordinator edits, the versions it publishes, and its retention periods.

The data controller is the city (its municipality). The notice is built from the platform's template and what the
city fills in; each publication is kept as a numbered version, because a person's consent names the version they
read (applications.consent.key). The retention periods of the published version are what the city applies:
`retention_periods()` is what the scheduled retention job reads.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import load
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.privacy.models import FILLED, PERIODS, NoticeVersion, PrivacyNotice
from mentorby.tenants.privacy.schemas import NOTICE


class NoticeError(RuleError):
    """A privacy notice refused."""

    area = "privacy"


@dataclass(frozen=True)
class RetentionPeriods:
    """How many days the city keeps its data after a round: what the retention job applies.

    (a) applications of people never accepted, after their round ended; (b) CVs, after their round ended;
    (c) participants' personal data, after their round's follow-up.
    """

    never_accepted_days: int = PERIODS["never_accepted_days"][0]
    cv_days: int = PERIODS["cv_days"][0]
    after_followup_days: int = PERIODS["after_followup_days"][0]

    def as_dict(self) -> dict[str, int]:
        """CitySetting code -> days, as the record of processing takes them."""
        return {name: getattr(self, name) for name in PERIODS}


DEFAULTS = RetentionPeriods()


def current(session: Session) -> NoticeVersion | None:
    """The city's published notice now in force (None until it publishes one)."""
    return session.execute(select(NoticeVersion).order_by(NoticeVersion.version.desc()).limit(1)).scalar_one_or_none()


def version_number(session: Session) -> int:
    """The number of the notice in force (0: the city has not published one; the platform's template stands)."""
    return session.execute(select(func.coalesce(func.max(NoticeVersion.version), 0))).scalar_one()


def version(session: Session, number: int) -> NoticeVersion | None:
    """Published version `number` of the city's notice, if there is one."""
    return session.execute(select(NoticeVersion).where(NoticeVersion.version == number)).scalar_one_or_none()


def versions(session: Session) -> list[NoticeVersion]:
    """Every published version, the newest first (a city publishes a handful over the years)."""
    return list(session.execute(select(NoticeVersion).order_by(NoticeVersion.version.desc())).scalars())


def retention_periods(session: Session) -> RetentionPeriods:
    """The city's retention periods in force: those of its published notice, or the defaults until it publishes."""
    published = current(session)
    if published is None:
        return DEFAULTS
    return RetentionPeriods(**{name: getattr(published, name) for name in PERIODS})


def starting_values(city) -> dict:
    """What the form offers a city that has filled in nothing yet: its municipality and public address."""
    return {"controller_name": city.municipality or city.name, "controller_address": "",
            "contact_email": city.public_email or city.contact_email or "", "dpo_contact": "", "extra_da": "",
            "extra_en": ""} | DEFAULTS.as_dict()


def draft(session: Session) -> PrivacyNotice | None:
    """The city's draft, if it has saved one."""
    return session.execute(select(PrivacyNotice)).scalar_one_or_none()


def draft_values(session: Session, city) -> dict:
    """What the edit form shows: the saved draft, else the version in force, else the starting values."""
    found = draft(session) or current(session)
    return found.filled() if found is not None else starting_values(city)


def check(values: dict) -> dict:
    """The notice's fields as the schema takes them, every field checked at once."""
    return load(NOTICE, values, NoticeError)


def save(session: Session, values: dict) -> PrivacyNotice:
    """Save the draft (nothing changes for the public or for anyone's consent until it is published)."""
    clean = check(values)
    found = draft(session)
    if found is None:
        found = PrivacyNotice()
        session.add(found)
    for name in FILLED:
        setattr(found, name, clean[name])
    session.flush()
    return found


def publish(session: Session, values: dict, *, by_user_id: int | None = None) -> NoticeVersion:
    """Save the draft and publish it as the next version; participants are asked to agree to it in the portal.

    Refuses a version that says nothing new (the same as the one in force), so nobody is asked again for nothing.
    """
    saved = save(session, values)
    latest = current(session)
    if latest is not None and latest.filled() == saved.filled():
        raise NoticeError("notice_unchanged", None, version=latest.version)
    published = NoticeVersion(version=(latest.version if latest else 0) + 1, published_at=utcnow(),
                              published_by_id=by_user_id, **saved.filled())
    session.add(published)
    session.flush()
    return published


def unpublished_changes(session: Session) -> bool:
    """Whether the saved draft differs from the version in force (or nothing has been published yet)."""
    saved, latest = draft(session), current(session)
    if saved is None:
        return False
    return latest is None or latest.filled() != saved.filled()
