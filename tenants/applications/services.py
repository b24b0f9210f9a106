"""Applications: submit (public form, one-click re-application, import), decide on the selection board, profile."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from mentorby.platform import clock
from mentorby.platform.accounts.models import Membership, User
from mentorby.platform.accounts.services import (
    AccountError,
    invitation_mail,
    invite,
    normalise_email,
    roles_in_city,
)
from mentorby.platform.cities.models import Tenant
from mentorby.platform.outbox.services import queue_template_mail
from mentorby.platform.rules import RuleError
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications import consent, signals
from mentorby.tenants.applications.models import (
    ACCEPTED,
    DECISIONS,
    DECLINED,
    OUTCOMES,
    WAITLISTED,
    WITHDRAWN,
    Application,
    CvDocument,
    Participant,
)
from mentorby.tenants.applications.pdf import PdfProblem, check_pdf
from mentorby.tenants.applications.profile import (
    AVAILABILITY,
    DANISH_LEVELS,
    FIELDS,
    FORMATS,
    LANGUAGES,
    MENTEE,
    MENTOR,
    ROLES,
    join_codes,
)
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import SELECTION_OPEN, Cohort, CohortEvent
from mentorby.tenants.partners.models import Partner

#: A CV is a PDF of at most this many bytes.
CV_MAX_BYTES = 5 * 1024 * 1024
COMMON = ("name", "email", "phone", "locale", "field", "languages", "availability")
MENTEE_FIELDS = ("education", "years_experience", "job_goal", "danish_level", "arrived_on", "partner_employer")
MENTOR_FIELDS = ("employer", "job_title", "industry", "expertise", "mentoring_format", "mentee_capacity", "motivation")
#: A mentee's own choices that are not profile data (kept out of imports and exports).
MENTEE_CHOICES = ("share_cv",)
#: What a participant may change in their own profile (not name and e-mail: those are the account's).
PROFILE_FIELDS = {
    MENTEE: ("phone", "field", "languages", "availability", *MENTEE_FIELDS, *MENTEE_CHOICES),
    MENTOR: ("phone", "field", "languages", "availability", *MENTOR_FIELDS),
}
LIMITS = {"name": 120, "email": 254, "phone": 40, "education": 200, "job_goal": 2000, "partner_employer": 120,
          "employer": 120, "job_title": 120, "expertise": 2000, "motivation": 4000}
#: Characters no one types in a form (NUL and other C0 controls but tab and newlines); PostgreSQL and Excel refuse
#: some of them, so they would break a save or an export later.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{6,40}$")


#: The earliest arrival in Denmark a mentee can give: older dates are typing errors (a birth year, say).
ARRIVED_FROM = date(1950, 1, 1)
#: How long a public-form application waits for its applicant to confirm the address before it is deleted.
CONFIRM_WITHIN = timedelta(days=7)
#: Applications that count: confirmed by their applicant (public form) or filed confirmed (import, re-application).
CONFIRMED = Application.confirmed_at.is_not(None)


class ApplicationError(RuleError):
    """An application rule was broken."""

    area = "applications"


@dataclass(frozen=True)
class Upload:
    """An uploaded file as the HTTP layer hands it over."""

    filename: str
    data: bytes


def check_cv(upload: Upload, max_bytes: int = CV_MAX_BYTES) -> str:
    """The cleaned file name of an acceptable CV; refuses empty, oversized and non-PDF files."""
    if not upload.data:
        raise ApplicationError("cv_empty", "cv")
    if len(upload.data) > max_bytes:
        raise ApplicationError("cv_too_large", "cv", megabytes=max_bytes // (1024 * 1024))
    # The content decides, not the name or the browser's content type: the file is parsed as a PDF, and one that
    # can act (scripts, launches, attachments) or unpacks into a bomb is refused (tenants/applications/pdf.py).
    try:
        check_pdf(upload.data)
    except PdfProblem as problem:
        raise ApplicationError(f"cv_{problem.reason}", "cv") from None
    name = unicodedata.normalize("NFKC", upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[^\w.\- ]", "_", name).strip(" .")[:150] or "cv"
    return name if name.lower().endswith(".pdf") else name + ".pdf"


def clean_values(role: str, values: dict) -> dict:
    """The values an application of `role` keeps, trimmed, with codes checked; raises on the first bad one."""
    allowed = COMMON + (MENTEE_FIELDS + MENTEE_CHOICES if role == MENTEE else MENTOR_FIELDS)
    clean = {}
    for key in allowed:
        value = values.get(key)
        if isinstance(value, str):
            value = value.strip()
            if _CONTROL.search(value):
                raise ApplicationError("control_characters", key)
            if key in LIMITS and len(value) > LIMITS[key]:
                raise ApplicationError("text_too_long", key, max=LIMITS[key])
        clean[key] = value
    if not clean.get("name"):
        raise ApplicationError("required", "name")
    if not clean.get("email") or "@" not in clean["email"]:
        raise ApplicationError("bad_email", "email")
    clean["email"] = normalise_email(clean["email"])
    clean["phone"] = clean.get("phone") or ""
    if clean["phone"] and not _PHONE.match(clean["phone"]):
        raise ApplicationError("bad_phone", "phone")
    clean["locale"] = clean.get("locale") if clean.get("locale") in ("da", "en") else "en"
    if clean.get("field") not in FIELDS:
        raise ApplicationError("bad_choice", "field")
    for key, vocabulary in (("languages", LANGUAGES), ("availability", AVAILABILITY)):
        chosen = values.get(key) or []
        chosen = chosen.split() if isinstance(chosen, str) else list(chosen)
        if any(code not in vocabulary for code in chosen):
            raise ApplicationError("bad_choice", key)
        clean[key] = join_codes(chosen, vocabulary)
    if not clean["languages"]:
        raise ApplicationError("required", "languages")
    if role == MENTEE:
        if clean.get("danish_level") not in DANISH_LEVELS:
            raise ApplicationError("bad_choice", "danish_level")
        years = clean.get("years_experience")
        if years is not None and (isinstance(years, bool) or not isinstance(years, int) or not 0 <= years <= 60):
            raise ApplicationError("bad_years", "years_experience")
        arrived = clean.get("arrived_on")
        if arrived is not None and (not isinstance(arrived, date) or not ARRIVED_FROM <= arrived <= clock.today()):
            raise ApplicationError("bad_arrival", "arrived_on", earliest=ARRIVED_FROM.year)
        # Only an explicit yes shares the CV: a missing or odd value (an import's text) keeps it private.
        clean["share_cv"] = clean.get("share_cv") is True
        if not clean.get("job_goal"):
            raise ApplicationError("required", "job_goal")
        for key in ("education", "partner_employer"):
            clean[key] = clean.get(key) or ""
    else:
        if clean.get("industry") not in FIELDS:
            raise ApplicationError("bad_choice", "industry")
        if clean.get("mentoring_format") not in FORMATS:
            raise ApplicationError("bad_choice", "mentoring_format")
        capacity = clean.get("mentee_capacity") or 1
        if isinstance(capacity, bool) or not isinstance(capacity, int) or not 1 <= capacity <= 5:
            raise ApplicationError("bad_mentee_capacity", "mentee_capacity")
        clean["mentee_capacity"] = capacity
        for key in ("employer", "expertise"):
            if not clean.get(key):
                raise ApplicationError("required", key)
        for key in ("job_title", "motivation"):
            clean[key] = clean.get(key) or ""
    return clean


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


def submit_application(session: Session, cohort: Cohort, role: str, values: dict, *, cv: Upload | None = None,
                       consent_version: str | None = None, source: str = "form") -> Application:
    """File an application to `cohort`: the person joins the city's pool (or is found in it) and is `submitted`.

    From the public form the application waits for the applicant to confirm the address (`confirmed_at` unset);
    a newer unconfirmed application from the same address replaces an older one, so nobody can block a round for
    someone else by applying first in their name. A confirmed one refuses a second (`already_applied`).
    """
    if role not in ROLES:
        raise ApplicationError("bad_choice", "role")
    if source == "form":
        phases.require(cohort, "apply")
        if not cohort.is_open_for_applications:  # recruiting, but past its deadline
            raise ApplicationError("cohort_not_open")
    if consent_version not in consent.TEXTS:
        raise ApplicationError("consent_required", "consent")
    clean = clean_values(role, values)
    cv_name = check_cv(cv) if cv is not None and cv.data else None
    existing = in_round(session, cohort.id, clean["email"])
    if existing is not None:
        if existing.confirmed_at is not None or source != "form":
            raise ApplicationError("already_applied", "email", cohort=cohort.name)
        session.delete(existing)
        session.flush()
    participant = _participant(session, role, clean["email"], clean["name"])
    application = Application(cohort_id=cohort.id, participant_id=participant.id, role=role, source=source,
                              consent_version=consent_version, **clean,
                              confirmed_at=None if source == "form" else utcnow())
    _link_companies(session, application)
    session.add(application)
    session.flush()
    if cv_name:
        _attach_cv(session, application, cv_name, cv.data)
    return application


def confirm(session: Session, application: Application) -> Application:
    """The applicant opened the link sent to their address: the application now counts."""
    if application.confirmed_at is None:
        application.confirmed_at = utcnow()
        session.flush()
    return application


def purge_unconfirmed(session: Session, now: datetime) -> int:
    """Delete, in every city, public-form applications not confirmed in time (with their CVs): kept no longer."""
    from mentorby.platform.cities.models import Tenant
    from mentorby.platform.tenancy import tenant_scope

    purged = 0
    for city_id in list(session.execute(select(Tenant.id).order_by(Tenant.id)).scalars()):
        with tenant_scope(session, city_id):
            stale = list(session.execute(select(Application).where(
                Application.confirmed_at.is_(None), Application.created_at < now - CONFIRM_WITHIN)).scalars())
            for application in stale:
                session.delete(application)
            session.flush()
            purged += len(stale)
    return purged


def submit_many(session: Session, cohort: Cohort, items: list[tuple[str, dict]], *, consent_version: str,
                source: str = "import") -> list[Application]:
    """File many applications to `cohort` at once, all or none, with a fixed number of queries and flushes.

    Raises ApplicationError with `index` (the item's position) in its params at the first bad item.
    """
    if consent_version not in consent.TEXTS:
        raise ApplicationError("consent_required", "consent")
    cleaned = []
    for index, (role, values) in enumerate(items):
        if role not in ROLES:
            raise ApplicationError("bad_choice", "role", index=index)
        try:
            cleaned.append((role, clean_values(role, values)))
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
    for role, clean in cleaned:
        application = Application(cohort_id=cohort.id, participant_id=pool[(role, clean["email"])].id, role=role,
                                  source=source, consent_version=consent_version, confirmed_at=utcnow(), **clean)
        _link_companies(session, application, names)
        created.append(application)
    session.add_all(created)
    session.flush()
    return created


def _attach_cv(session: Session, application: Application, filename: str, data: bytes) -> None:
    session.add(CvDocument(application_id=application.id, filename=filename, size=len(data),
                           sha256=hashlib.sha256(data).hexdigest(), content=data))
    session.flush()


def replace_cv(session: Session, application: Application, upload: Upload) -> None:
    """Swap the CV of an application for a new PDF."""
    filename = check_cv(upload)
    if application.cv is not None:
        session.delete(application.cv)
        session.flush()
    _attach_cv(session, application, filename, upload.data)


def latest_application(session: Session, participant: Participant) -> Application | None:
    """The participant's newest application: their current profile."""
    return session.execute(
        select(Application).where(Application.participant_id == participant.id, CONFIRMED)
        .order_by(Application.created_at.desc(), Application.id.desc()).limit(1)
    ).scalar_one_or_none()


def reapply(session: Session, participant: Participant, cohort: Cohort) -> Application:
    """A returning participant applies to a new round in one click, with the profile of their last application."""
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
    keep = COMMON + (MENTEE_FIELDS + MENTEE_CHOICES if participant.role == MENTEE else MENTOR_FIELDS)
    values = {key: getattr(last, key) for key in keep} | {"name": participant.name, "email": participant.email}
    application = Application(cohort_id=cohort.id, participant_id=participant.id, role=participant.role,
                              source="reapply", consent_version=consent.CURRENT, confirmed_at=utcnow(), **values)
    _link_companies(session, application)
    if existing is not None:
        session.delete(existing)  # someone's unconfirmed form in this person's name
        session.flush()
    session.add(application)
    session.flush()
    return application


def update_profile(session: Session, application: Application, values: dict) -> Application:
    """A participant changes their own profile for a round (name and e-mail stay the account's)."""
    current = {key: getattr(application, key) for key in COMMON + PROFILE_FIELDS[application.role]}
    current["languages"] = application.languages.split()
    current["availability"] = application.availability.split()
    merged = current | {key: values[key] for key in PROFILE_FIELDS[application.role] if key in values}
    clean = clean_values(application.role, merged)
    for key in PROFILE_FIELDS[application.role]:
        setattr(application, key, clean[key])
    _link_companies(session, application)
    session.flush()
    return application


def counts(session: Session, cohort_id: int) -> dict[tuple[str, str], int]:
    """(role, status) -> number of applications in the round: the selection board's counters."""
    rows = session.execute(
        select(Application.role, Application.status, func.count())
        .where(Application.cohort_id == cohort_id, CONFIRMED).group_by(Application.role, Application.status)
    )
    return {(role, status): number for role, status, number in rows}


def start_checks(cohort: Cohort, *, session: Session) -> list[tuple[str, dict]]:
    """A round starts only with accepted mentors and mentees (an answer to cohorts' start_checks)."""
    accepted = accepted_counts(session, cohort.id)
    return ([("needs_accepted_mentors", {})] if not accepted[MENTOR] else []) + (
        [("needs_accepted_mentees", {})] if not accepted[MENTEE] else [])


def places_taken(cohort: Cohort, *, session: Session) -> dict[str, int]:
    """The round's places that accepted people hold (an answer to cohorts' places_taken)."""
    return accepted_counts(session, cohort.id)


def accepted_counts(session: Session, cohort_id: int) -> dict[str, int]:
    """How many mentors and mentees of the round are accepted."""
    by_status = counts(session, cohort_id)
    return {role: by_status.get((role, ACCEPTED), 0) for role in ROLES}


def accepted_by_cohort(session: Session, cohort_ids: list[int]) -> dict[tuple[int, str], int]:
    """(round id, role) -> accepted people, for a page of rounds in one grouped query."""
    if not cohort_ids:
        return {}
    rows = session.execute(
        select(Application.cohort_id, Application.role, func.count())
        .where(Application.cohort_id.in_(cohort_ids), Application.status == ACCEPTED)
        .group_by(Application.cohort_id, Application.role)
    )
    return {(cohort_id, role): number for cohort_id, role, number in rows}


def histories(session: Session, participant_ids: list[int]) -> dict[int, list[Application]]:
    """Each pool member's applications, newest round first, for a page of the pool in one query."""
    if not participant_ids:
        return {}
    found: dict[int, list[Application]] = {participant_id: [] for participant_id in participant_ids}
    rows = session.execute(
        select(Application).join(Cohort, Cohort.id == Application.cohort_id)
        .where(Application.participant_id.in_(participant_ids), CONFIRMED)
        .options(contains_eager(Application.cohort))
        .order_by(Cohort.starts_on.desc(), Application.id.desc())
    ).scalars()
    for application in rows:
        found[application.participant_id].append(application)
    return found


def step_for(current: str, new: str) -> str:
    """The phase step a status change needs: "decide" for an outcome (or undoing one), else "review".

    Accepting, wait-listing and declining are what applicants are told; shortlisting and marking a withdrawal are
    part of reading the applications.
    """
    return "decide" if new in OUTCOMES or current in OUTCOMES else "review"


def choices_for(cohort: Cohort, current: str) -> tuple[str, ...]:
    """The statuses the board may offer for an application in `current` status, as the round's phase allows."""
    return tuple(status for status in DECISIONS
                 if status == current or phases.allows(cohort, step_for(current, status)))


def decide(session: Session, city: Tenant, applications: list[Application], status: str, *,
           by: User) -> list[Application]:
    """Record the status of one or more applications of one round, all or none; nobody is told anything yet.

    Shortlisting needs the round's "review" phase, accepting, wait-listing and declining (or undoing them) its
    "decide" phase. Accepting checks the round's capacity for the whole batch. Un-accepting releases the person's
    pairs and stops an unused invitation. The notify step (`notify`) tells people what was decided.
    """
    if status not in DECISIONS:
        raise ApplicationError("bad_status", "status")
    if not applications:
        raise ApplicationError("nothing_selected")
    cohort = applications[0].cohort
    if any(application.cohort_id != cohort.id for application in applications):
        raise ApplicationError("mixed_cohorts")
    changing = [application for application in applications if application.status != status]
    steps = {step_for(application.status, status) for application in changing} or {step_for(status, status)}
    phases.require(cohort, "decide" if "decide" in steps else "review")
    if any(application.confirmed_at is None for application in applications):
        raise ApplicationError("not_confirmed")
    if status == ACCEPTED:
        # Lock the round so two coordinators accepting at once cannot both take the last place (PostgreSQL).
        session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())
        accepted = accepted_counts(session, cohort.id)
        for role in ROLES:
            adding = sum(1 for application in changing if application.role == role)
            capacity = getattr(cohort, f"{role}_capacity")
            if adding and accepted[role] + adding > capacity:
                raise ApplicationError(f"{role}s_full", None, capacity=capacity, accepted=accepted[role])
    now = utcnow()
    for application in changing:
        if application.status == ACCEPTED:
            _leave_pairs(session, application, "coordinator")
            if application.invited:
                _withdraw_invitation(session, application)
        application.status = status
        application.decided_at = now
        application.decided_by_id = by.id
    session.flush()
    return applications


def _leave_pairs(session: Session, application: Application, ended_by: str) -> None:
    """No longer taking part: the areas that hold the person's place in the round hear it (matching ends pairs)."""
    signals.participant_left.send(application, session=session, ended_by=ended_by)


def _withdraw_invitation(session: Session, application: Application) -> None:
    """No longer accepted: an invitation not yet used stops working (an account already made stays)."""
    from mentorby.platform.accounts.models import Invitation

    for invitation in session.execute(select(Invitation).where(
        Invitation.email == application.email, Invitation.role == application.role,
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
    )).scalars():
        invitation.revoked_at = utcnow()
    application.invited = False


# --- telling people what was decided ------------------------------------------------------------------------------


def _pending(status: str):
    """A WHERE clause: applications in `status` whose holder has not been told it yet."""
    if status == ACCEPTED:
        # `invited` goes back to false when an acceptance is undone, so a new acceptance is told again.
        return and_(Application.status == ACCEPTED, Application.invited.is_(False))
    return and_(Application.status == status,
                or_(Application.notified_status.is_(None), Application.notified_status != status))


def pending_query(cohort: Cohort, status: str):
    """The applications of the round that wait to be told `status` (one of OUTCOMES), in a stable order."""
    if status not in OUTCOMES:
        raise ApplicationError("bad_status", "status")
    return (select(Application).where(Application.cohort_id == cohort.id, CONFIRMED, _pending(status))
            .order_by(Application.name, Application.id))


def pending_counts(session: Session, cohort_id: int) -> dict[str, int]:
    """How many people wait to be told each outcome, in one query: the notify step's counters."""
    rows = session.execute(
        select(Application.status, func.count()).where(
            Application.cohort_id == cohort_id, CONFIRMED, or_(*(_pending(status) for status in OUTCOMES))
        ).group_by(Application.status)
    )
    return {status: 0 for status in OUTCOMES} | {status: number for status, number in rows}


def batch_fingerprint(applications: list[Application]) -> str:
    """A short digest of who is in a batch and what they are told.

    The send button carries the preview's, so a list that changed in between is shown again instead of being sent
    unseen.
    """
    text = ",".join(f"{application.id}:{application.status}" for application in sorted(applications,
                                                                                        key=lambda a: a.id))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def invitation_expiry(session: Session, cohort: Cohort, now: datetime | None = None) -> datetime:
    """Until when an accepted applicant's invitation works: the end of the round's kick-off day.

    The round's start date stands in when it has no kick-off, and the link never lasts less than the usual
    INVITATION_MAX_AGE from now (a late place off the waiting list still gets days to answer).
    """
    from flask import current_app

    now = now or utcnow()
    kickoff = session.execute(
        select(CohortEvent.starts_at).where(CohortEvent.cohort_id == cohort.id, CohortEvent.kind == "kickoff")
        .order_by(CohortEvent.starts_at).limit(1)
    ).scalar_one_or_none()
    day = clock.local(kickoff).date() if kickoff is not None else cohort.starts_on
    # The last second of that day in the city: the date the e-mail gives is the kick-off's own.
    end_of_day = clock.end_of_day(day)
    return max(end_of_day, now + current_app.config["INVITATION_MAX_AGE"])


def members(session: Session, applications: list[Application]) -> set[tuple[str, str]]:
    """(e-mail, role) of those among `applications` who already hold that role in the city, in one query."""
    emails = {application.email for application in applications}
    if not emails:
        return set()
    return set(session.execute(
        select(User.email, Membership.role).join(Membership, Membership.user_id == User.id)
        .where(User.email.in_(emails), Membership.role.in_(ROLES))
    ).all())


@dataclass(frozen=True)
class Notification:
    """One e-mail of the notify step: its template and what it is rendered with, in the person's language."""

    application: Application
    template: str
    locale: str
    context: dict


def notification(city: Tenant, cohort: Cohort, application: Application, *, has_account: bool,
                 expires_at: datetime, link: str = "") -> Notification:
    """The e-mail that tells `application`'s person its current decision.

    The invitation's link is made on sending; the preview shows `link` in its place.
    """
    common = {"name": application.name, "city": city, "cohort": cohort, "role": application.role}
    if application.status == ACCEPTED and not has_account:
        context = invitation_mail(city, name=application.name, role=application.role, link=link,
                                  expires_at=expires_at, accepted_to=cohort.name)
        return Notification(application, "invitation", application.locale, context)
    template = {ACCEPTED: "accepted", WAITLISTED: "waitlisted", DECLINED: "declined"}[application.status]
    return Notification(application, template, application.locale, common)


def notifications(session: Session, city: Tenant, cohort: Cohort, applications: list[Application], *,
                  link: str = "") -> list[Notification]:
    """The e-mails for a batch of applications (a page of the preview), with a fixed number of queries."""
    accounts = members(session, applications)
    expires_at = invitation_expiry(session, cohort)
    return [notification(city, cohort, application, has_account=(application.email, application.role) in accounts,
                         expires_at=expires_at, link=link) for application in applications]


def notify(session: Session, city: Tenant, cohort: Cohort, status: str, *, by: User,
           fingerprint: str | None = None) -> list[Application]:
    """Tell everyone who waits to hear `status` (accepted, wait-listed or declined), through the outbox, in one go.

    The accepted are invited to make an account (valid until the kick-off) or, with one, told that they are in.
    Each is recorded as told, so nobody hears it twice. With `fingerprint` (the preview's), a batch that changed
    since the preview is refused (`batch_changed`) instead of being sent unseen.
    """
    phases.require(cohort, "notify")
    batch = list(session.execute(pending_query(cohort, status)).scalars())
    if not batch:
        raise ApplicationError("nobody_to_notify", None)
    if fingerprint is not None and fingerprint != batch_fingerprint(batch):
        raise ApplicationError("batch_changed", None)
    now = utcnow()
    for item in notifications(session, city, cohort, batch):
        application = item.application
        if item.template == "invitation":
            invite(session, city, email=application.email, name=application.name, role=application.role,
                   invited_by=by, locale=application.locale, accepted_to=cohort.name,
                   expires_at=item.context["until"])
        else:
            queue_template_mail(session, to=application.email, kind=item.template, template=item.template,
                                tenant_id=city.id, locale=item.locale, **item.context)
        if application.status == ACCEPTED:
            application.invited = True
        application.notified_status = application.status
        application.notified_at = now
    session.flush()
    return batch


def resend_invitation(session: Session, city: Tenant, application: Application, *, by: User) -> None:
    """Send an accepted person who was told so a fresh invitation link (the old one stops working)."""
    phases.require(application.cohort, "notify")
    if application.status != ACCEPTED or not application.invited:
        raise ApplicationError("not_invited", None)
    try:
        invite(session, city, email=application.email, name=application.name, role=application.role, invited_by=by,
               locale=application.locale, accepted_to=application.cohort.name,
               expires_at=invitation_expiry(session, application.cohort))
    except AccountError as error:
        if error.code != "already_member":
            raise
        raise ApplicationError("has_account", None, name=application.name) from None
    application.notified_at = utcnow()
    session.flush()


def set_note(session: Session, application: Application, note: str) -> Application:
    """The coordinator's private note on an application (while the round's phase allows reviewing)."""
    phases.require(application.cohort, "review")
    note = note.strip()
    if len(note) > 4000:
        raise ApplicationError("text_too_long", "note", max=4000)
    application.note = note
    session.flush()
    return application


def withdraw_own(session: Session, application: Application) -> Application:
    """A participant withdraws their own application (before the round closes)."""
    if application.cohort.status not in SELECTION_OPEN + ("planned",):
        raise ApplicationError("selection_closed", None, status=application.cohort.status)
    if application.status == ACCEPTED:
        _leave_pairs(session, application, application.role)
        if application.invited:
            _withdraw_invitation(session, application)
    application.status = WITHDRAWN
    application.decided_at = utcnow()
    application.decided_by_id = None  # the person themselves
    session.flush()
    return application


def participations(session: Session, user: User) -> list[Application]:
    """Every application of the signed-in person in the request's city, newest round first."""
    roles = roles_in_city(session, user.id) & set(ROLES)
    if not roles:
        return []
    return list(session.execute(
        select(Application).join(Cohort, Cohort.id == Application.cohort_id)
        .where(Application.email == normalise_email(user.email), Application.role.in_(roles), CONFIRMED)
        .options(contains_eager(Application.cohort))
        .order_by(Cohort.starts_on.desc(), Application.id.desc())
    ).scalars())


def pool(session: Session, user: User) -> list[Participant]:
    """The signed-in person's entries in the city's pool (one per role they applied in)."""
    return list(session.execute(
        select(Participant).where(Participant.email == normalise_email(user.email))
    ).scalars())


def search_filter(text: str):
    """A WHERE clause matching an application's name, e-mail or company against `text`."""
    pattern = f"%{text.strip().lower()}%"
    return or_(func.lower(Application.name).like(pattern), func.lower(Application.email).like(pattern),
               func.lower(Application.employer).like(pattern), func.lower(Application.partner_employer).like(pattern))



