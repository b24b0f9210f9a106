"""An application from the applicant's side: filing, confirming, re-applying, the own profile, withdrawing.

Filing takes the public form, an import and a one-click re-application; the person's own applications are those of
their address in a role they hold in the city.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from mentorby.platform.accounts.models import User
from mentorby.platform.accounts.services import normalise_email, roles_in_city
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications import consent, selection
from mentorby.tenants.applications.cv import Upload, attach_cv
from mentorby.tenants.applications.errors import ApplicationError
from mentorby.tenants.applications.models import (
    ACCEPTED,
    CONFIRM_DAYS,
    CONFIRMED,
    DECLINED,
    WITHDRAWN,
    Application,
    ConsentChannel,
    ConsentRecord,
    Participant,
    Source,
)
from mentorby.tenants.applications.profile import Role
from mentorby.tenants.applications.schemas import PROFILE_FIELDS, answers, check_application, check_profile
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import CLOSED, FOLLOWED_UP, Cohort
from mentorby.tenants.partners.models import Partner

#: How long a public-form application waits for its applicant to confirm the address before it is deleted.
CONFIRM_WITHIN = timedelta(days=CONFIRM_DAYS)
#: The fields of the schema that are not answers kept as they are: the consent (its version is kept) and the CV.
NOT_ANSWERS = ("consent", "cv")


#: How the consent given with an application arrived, by how the application did (an import names its own).
CHANNEL_OF = {Source.FORM: ConsentChannel.FORM, Source.REAPPLY: ConsentChannel.PORTAL,
              Source.IMPORT: ConsentChannel.IMPORT, Source.COORDINATOR: ConsentChannel.COORDINATOR}


@dataclass(frozen=True)
class Given:
    """How and when a person consented outside the platform (an import's row): the city's channel and day."""

    channel: ConsentChannel
    agreed_at: datetime
    date_only: bool = True


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def partner_names(session: Session) -> dict[str, int]:
    """The city's partner organisations by name, case and spacing ignored.

    Compared in Python: SQLite's lower() only knows ASCII, so "Ørsted" would not match "ørsted" there.
    """
    return {_name_key(name): partner_id for partner_id, name in session.execute(select(Partner.id, Partner.name))}


def find_partner(session: Session, name: str, names: dict[str, int] | None = None) -> int | None:
    """The city's partner organisation of this name (case and spacing ignored), if there is one."""
    if not name:
        return None
    return (names if names is not None else partner_names(session)).get(_name_key(name))


def _link_companies(session: Session, application: Application, names: dict[str, int] | None = None) -> None:
    names = names if names is not None else partner_names(session)
    application.partner_employer_id = find_partner(session, application.partner_employer, names)
    application.employer_id = find_partner(session, application.employer, names)


def _participant(session: Session, role: str, email: str, name: str) -> Participant:
    participant = session.execute(
        select(Participant).where(Participant.role == role, Participant.email == email)
    ).scalar_one_or_none()
    if participant is None:
        participant = Participant(role=role, email=email, name=name)
        session.add(participant)
        session.flush()
    return participant


def in_round(session: Session, cohort_id: int, email: str) -> Application | None:
    """The application this address already has in the round (as mentor or mentee), confirmed or not."""
    return session.execute(
        select(Application).where(Application.cohort_id == cohort_id, Application.email == normalise_email(email))
    ).scalar_one_or_none()


def check(role: str, values: dict, *, cv: Upload | None = None, consent_version: str | None = None) -> dict:
    """An application's answers, its CV and its consent as the schema takes them, every field checked at once."""
    if Role.get(role) is None:
        raise ApplicationError("bad_choice", "role")
    return check_application(role, values | {"cv": cv, "consent": consent_version})


def submit_application(session: Session, cohort: Cohort, role: str, values: dict, *, cv: Upload | None = None,
                       consent_version: str | None = None, source: str = Source.FORM) -> Application:
    """File an application to `cohort`: the person joins the city's pool (or is found in it) and is `submitted`.

    From the public form the application waits for the applicant to confirm the address (`confirmed_at` unset);
    a newer unconfirmed application from the same address replaces an older one, so nobody can block a round for
    someone else by applying first in their name. A confirmed one refuses a second (`already_applied`).
    """
    if source == Source.FORM:
        phases.require(cohort, "apply")
        if not cohort.is_open_for_applications:  # recruiting, but past its deadline
            raise ApplicationError("cohort_not_open")
    clean = check(role, values, cv=cv, consent_version=consent_version)
    upload, agreed = clean.pop("cv", None), clean.pop("consent")
    existing = in_round(session, cohort.id, clean["email"])
    if existing is not None:
        if existing.confirmed_at is not None or source != Source.FORM:
            raise ApplicationError("already_applied", "email", cohort=cohort.name)
        session.delete(existing)
        session.flush()
    participant = _participant(session, role, clean["email"], clean["name"])
    application = Application(cohort_id=cohort.id, participant_id=participant.id, role=role, source=source,
                              consent_version=agreed, **clean,
                              confirmed_at=None if source == Source.FORM else utcnow())
    _link_companies(session, application)
    session.add(application)
    session.flush()
    consent.record(session, application.email, agreed, CHANNEL_OF[Source(source)], locale=application.locale,
                   application_id=application.id, agreed_at=application.consent_at)
    if upload is not None:
        attach_cv(session, application, upload)
    return application


def submit_many(session: Session, cohort: Cohort, items: list[tuple[str, dict]], *, consent_version: str,
                source: str = Source.IMPORT, given: list[Given | None] | None = None,
                by_user_id: int | None = None) -> list[Application]:
    """File many applications to `cohort` at once, all or none, with a fixed number of queries and flushes.

    Each gets a consent record of `consent_version`: `given[i]` says how and when the city collected item i's consent
    (an import); without it, the consent counts as given now through the source's channel.
    Raises ApplicationError with `index` (the item's position) in its params at the first bad item.
    """
    if not consent.known(consent_version):
        raise ApplicationError("consent_required", "consent")
    cleaned = []
    for index, (role, values) in enumerate(items):
        if Role.get(role) is None:
            raise ApplicationError("bad_choice", "role", index=index)
        try:
            cleaned.append((role, check_application(role, values, without=NOT_ANSWERS)))
        except ApplicationError as error:
            error.params["index"] = index
            raise
    emails = [clean["email"] for _, clean in cleaned]
    taken = set()
    pool: dict[tuple[str, str], Participant] = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start:start + 500]
        taken.update(session.execute(select(Application.email).where(
            Application.cohort_id == cohort.id, Application.email.in_(chunk))).scalars())
        for participant in session.execute(select(Participant).where(Participant.email.in_(chunk))).scalars():
            pool[(participant.role, participant.email)] = participant
    seen: set[str] = set()
    for index, email in enumerate(emails):
        if email in taken or email in seen:
            raise ApplicationError("already_applied", "email", cohort=cohort.name, index=index)
        seen.add(email)
    new = {}
    for role, clean in cleaned:
        if (role, clean["email"]) not in pool:
            new[(role, clean["email"])] = Participant(role=role, email=clean["email"], name=clean["name"])
    session.add_all(new.values())
    session.flush()
    pool.update(new)
    names = partner_names(session)
    created = []
    now = utcnow()
    ways = given or [None] * len(cleaned)
    for (role, clean), way in zip(cleaned, ways, strict=True):
        application = Application(cohort_id=cohort.id, participant_id=pool[(role, clean["email"])].id, role=role,
                                  source=source, consent_version=consent_version, confirmed_at=now, **clean,
                                  consent_at=way.agreed_at if way else now)
        _link_companies(session, application, names)
        created.append(application)
    session.add_all(created)
    session.flush()
    session.add_all([ConsentRecord(
        email=application.email, version=consent_version, locale=application.locale, application_id=application.id,
        channel=way.channel if way else CHANNEL_OF[Source(source)], agreed_at=application.consent_at,
        date_only=way.date_only if way else False, recorded_at=now, recorded_by_id=by_user_id,
    ) for application, way in zip(created, ways, strict=True)])
    session.flush()
    return created


def awaiting_confirmation(session: Session, application_id: int) -> Application | None:
    """The application a confirmation link names, if it still exists (a newer one or the purge may have removed it)."""
    return session.execute(select(Application).where(Application.id == application_id)).scalar_one_or_none()


def confirm(session: Session, application: Application) -> Application:
    """The applicant opened the link sent to their address: the application now counts."""
    if application.confirmed_at is None:
        application.confirmed_at = utcnow()
        session.flush()
    return application


def purge_unconfirmed(session: Session, now: datetime) -> int:
    """Delete, in every city, public-form applications not confirmed in time (with their CVs): kept no longer."""
    from mentorby.platform.cities.services import in_each_city

    purged = 0
    for _city in in_each_city(session):
        stale = list(session.execute(select(Application).where(
            Application.confirmed_at.is_(None), Application.created_at < now - CONFIRM_WITHIN)).scalars())
        for application in stale:
            session.delete(application)
        session.flush()
        purged += len(stale)
    return purged


def latest_application(session: Session, participant: Participant) -> Application | None:
    """The participant's newest application: their current profile."""
    return session.execute(
        select(Application).where(Application.participant_id == participant.id, CONFIRMED)
        .order_by(Application.created_at.desc(), Application.id.desc()).limit(1)
    ).scalar_one_or_none()


def reapply(session: Session, participant: Participant, cohort: Cohort, *, consent_version: str = consent.CURRENT
            ) -> Application:
    """A returning participant applies to a new round in one click, with the profile of their last application.

    They agree, in the portal, to `consent_version` (the current text and the city's notice): a consent record.
    """
    # The phase's rule, as this area's own error: the portal answers application errors with a message.
    if not phases.allows(cohort, "apply"):
        raise ApplicationError("phase_apply", None, status=cohort.status)
    if not cohort.is_open_for_applications:
        raise ApplicationError("cohort_not_open")
    existing = in_round(session, cohort.id, participant.email)
    if existing is not None and existing.confirmed_at is not None:
        raise ApplicationError("already_applied", "email", cohort=cohort.name)
    last = latest_application(session, participant)
    if last is None:
        raise ApplicationError("no_profile")
    keep = answers(participant.role, without=NOT_ANSWERS)
    values = {key: getattr(last, key) for key in keep} | {"name": participant.name, "email": participant.email}
    if not consent.known(consent_version):
        raise ApplicationError("consent_required", "consent")
    application = Application(cohort_id=cohort.id, participant_id=participant.id, role=participant.role,
                              source=Source.REAPPLY, consent_version=consent_version, confirmed_at=utcnow(), **values)
    _link_companies(session, application)
    if existing is not None:
        session.delete(existing)  # someone's unconfirmed form in this person's name
        session.flush()
    session.add(application)
    session.flush()
    consent.record(session, application.email, consent_version, ConsentChannel.PORTAL, locale=application.locale,
                   application_id=application.id, agreed_at=application.consent_at)
    return application


def profile_values(application: Application) -> dict:
    """What the profile form shows: the application's own answers (the lists as lists of codes)."""
    values = {key: getattr(application, key) for key in PROFILE_FIELDS[application.role]}
    return values | {"languages": application.languages.split(), "availability": application.availability.split()}


def update_profile(session: Session, application: Application, values: dict, *, cv: Upload | None = None
                   ) -> Application:
    """A participant changes their own profile for a round (name and e-mail stay the account's), and maybe the CV.

    Answers left out of `values` keep their value; every given one is checked, the CV with them.
    """
    fields = PROFILE_FIELDS[application.role]
    merged = profile_values(application) | {key: values[key] for key in fields if key in values}
    clean = check_profile(application.role, merged | ({"cv": cv} if cv is not None else {}))
    for key in fields:
        setattr(application, key, clean[key])
    _link_companies(session, application)
    session.flush()
    if clean.get("cv") is not None:
        attach_cv(session, application, clean["cv"])
    return application


def withdraw_own(session: Session, application: Application) -> Application:
    """A participant withdraws their own application (before the round closes)."""
    if not may_withdraw(application):
        raise ApplicationError("selection_closed", None, status=application.cohort.status)
    if application.status == ACCEPTED:
        selection.release(session, application, application.role)
    application.status = WITHDRAWN
    application.decided_at = utcnow()
    application.decided_by_id = None  # the person themselves
    session.flush()
    return application


def may_withdraw(application: Application) -> bool:
    """Whether the person may still withdraw: an application not already ended, in a round that is not over."""
    return application.cohort.status not in (CLOSED, FOLLOWED_UP)


def may_leave(application: Application) -> bool:
    """Whether the portal offers to withdraw: the application stands (not withdrawn or declined) and may end."""
    return application.status not in (WITHDRAWN, DECLINED) and may_withdraw(application)


def participations(session: Session, user: User) -> list[Application]:
    """Every application of the signed-in person in the request's city, newest round first."""
    roles = roles_in_city(session, user.id) & set(Role.codes())
    if not roles:
        return []
    return list(session.execute(
        select(Application).join(Cohort, Cohort.id == Application.cohort_id)
        .where(Application.email == normalise_email(user.email), Application.role.in_(roles), CONFIRMED)
        .options(contains_eager(Application.cohort))
        .order_by(Cohort.starts_on.desc(), Application.id.desc())
    ).scalars())


def is_own(application: Application, user: User, roles) -> bool:
    """Whether the application is the signed-in person's own, in a role they hold in the city (`roles`).

    Someone else's application is to be treated as missing, never as forbidden: that would say it exists.
    """
    return application.email == normalise_email(user.email) and application.role in roles


def pool_entries(session: Session, user: User) -> list[Participant]:
    """The signed-in person's entries in the city's pool (one per role they applied in)."""
    return list(session.execute(
        select(Participant).where(Participant.email == normalise_email(user.email))
    ).scalars())

