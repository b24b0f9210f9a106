"""Applications from a spreadsheet into a round, with the database: the dry run and the import, all or nothing.

`check_rows` and `check_file` are the dry run: every problem the import would meet, including the round's (its
phase, its capacity, addresses already in it); they write nothing. `import_rows` and `import_file` write only when
no row has a problem, through the applications service, one application per row, inside one savepoint.

Imported applications carry the current consent version: the coordinator confirms, on the import form, that the
people in the file agreed to that data-processing text (the city's earlier paper or e-mail consent); the import
refuses without that confirmation. Each imported person's consent record says how and when the city collected it:
the file's consent_date and consent_channel columns, or the day and channel the form states for the whole file
(never the time of the import); an import where neither says them is refused. Imported accepted people are not
invited: the coordinator invites them from the selection board. A round takes imports while its phase allows it
(`phases`: until it runs).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorby.platform import clock
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications import consent
from mentorby.tenants.applications.errors import ApplicationError
from mentorby.tenants.applications.filing import Given, submit_many
from mentorby.tenants.applications.models import (
    ACCEPTED,
    CITY_CHANNELS,
    SUBMITTED,
    Application,
    ConsentChannel,
    Source,
)
from mentorby.tenants.applications.profile import ROLES
from mentorby.tenants.applications.queries import accepted_counts
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import SELECTION_OPEN, Cohort
from mentorby.tenants.partners.models import Partner
from mentorby.tenants.transfer.checks import FileProblem, ImportRejected, Problem
from mentorby.tenants.transfer.reading import Limits, Sheet
from mentorby.tenants.transfer.schema import (
    LIMITS,
    NOT_STATED,
    ApplicationReport,
    ConsentDefault,
    PreparedRow,
    as_sheet,
    read_file,
    validate,
)

Progress = Callable[[int], None]


def consent_problem() -> Problem:
    """The import form's box was not ticked."""
    return Problem(None, "consent", "import_consent_required")


def consent_how_problems(sheet_columns, default: ConsentDefault) -> list[Problem]:
    """What the import misses to say how and when the city collected consent: neither the file nor the form says."""
    problems = []
    if default.on is None and "consent_date" not in sheet_columns:
        problems.append(Problem(None, "consent_on", "import_consent_date_required"))
    if default.channel is None and "consent_channel" not in sheet_columns:
        problems.append(Problem(None, "consent_channel", "import_consent_channel_required"))
    return problems


def check_default(default: ConsentDefault, today) -> list[Problem]:
    """The form's own day and channel: a day not in the future, a channel the city collects consent through."""
    problems = []
    if default.on is not None and default.on > today:
        problems.append(Problem(None, "consent_on", "consent_date_future"))
    if default.channel is not None and ConsentChannel.get(default.channel) not in CITY_CHANNELS:
        problems.append(Problem(None, "consent_channel", "bad_choice"))
    return problems


def _given(row: PreparedRow, default: ConsentDefault) -> Given:
    """How and when the row's person consented: the row's own cells, else the form's; noon of the day, the city's."""
    day = row.consent_on or default.on
    return Given(ConsentChannel(row.consent_channel or default.channel), clock.at(day, time(12)))


def phase_problem(cohort: Cohort) -> Problem | None:
    """What the round's phase says against an import (None when it takes one)."""
    try:
        phases.require(cohort, "import")
    except phases.PhaseError as error:
        return Problem(None, None, error.code, dict(error.params))
    return None


def check_rows(session: Session, cohort: Cohort, rows: Sheet | Sequence[Mapping], *,
               progress: Progress | None = None, consent_default: ConsentDefault = NOT_STATED
               ) -> ApplicationReport:
    """The dry run: every problem the import of `rows` into `cohort` would meet; writes nothing, a few queries.

    `consent_default` is what the form states of how and when the city collected consent, for the rows that do not.
    """
    try:
        sheet = as_sheet(rows)
    except FileProblem as problem:
        return ApplicationReport(problems=problem.problems)
    existing = session.execute(select(Application.email).where(Application.cohort_id == cohort.id)).scalars()
    partners = session.execute(select(Partner.name)).scalars()
    today = clock.today()
    report = validate(sheet, existing_emails=existing, partner_names=partners, progress=progress,
                      consent=consent_default, today=today)
    report.problems[:0] = check_default(consent_default, today)
    refused = phase_problem(cohort)
    if refused:
        report.problems.insert(0, refused)
    elif cohort.status not in SELECTION_OPEN and any(row.status != SUBMITTED for row in report.rows):
        # As on the selection board: decisions wait until the round recruits.
        report.problems.insert(0, Problem(None, "status", "import_decisions_not_yet"))
    adding = Counter(row.role for row in report.rows if row.status == ACCEPTED)
    if adding:
        accepted = accepted_counts(session, cohort.id)
        for role in ROLES:
            capacity = getattr(cohort, f"{role}_capacity")
            if adding[role] and accepted[role] + adding[role] > capacity:
                report.problems.insert(0, Problem(None, "status", f"import_{role}s_full",
                                                  {"capacity": capacity, "accepted": accepted[role],
                                                   "adding": adding[role]}))
    return report


def check_file(session: Session, cohort: Cohort, filename: str, data: bytes, *,
               limits: Limits = LIMITS) -> ApplicationReport:
    """The dry run for an uploaded file: a report of every problem (file-level ones included); writes nothing."""
    try:
        sheet = read_file(filename, data, limits=limits)
    except FileProblem as problem:
        return ApplicationReport(problems=problem.problems)
    return check_rows(session, cohort, sheet)


def import_rows(session: Session, cohort: Cohort, rows: Sheet | Sequence[Mapping], *, consent_confirmed: bool,
                by_user_id: int | None = None, progress: Progress | None = None,
                writing: Callable[[], None] | None = None, consent_default: ConsentDefault = NOT_STATED,
                consent_version: str = consent.CURRENT) -> ApplicationReport:
    """Check `rows` and, only if none has a problem, file them all as applications to `cohort`; else write nothing.

    Raises ImportRejected with the report when anything is wrong, including a missing consent confirmation and a
    consent whose day or channel neither the file nor `consent_default` (the form's) says.
    `writing`, if given, is called once the rows are checked and before they are written.
    """
    report = check_rows(session, cohort, rows, progress=progress, consent_default=consent_default)
    try:
        columns = as_sheet(rows).columns
    except FileProblem:
        columns = ()
    report.problems[:0] = consent_how_problems(columns, consent_default)
    if not consent_confirmed:
        report.problems.insert(0, consent_problem())
    if not report.rows and not report.problems:
        report.problems.append(Problem(None, None, "no_rows"))
    if report.problems:
        raise ImportRejected(report)
    if writing:
        writing()
    # A savepoint: should a row fail after all (another import of the same address meanwhile), none stays written.
    with session.begin_nested():
        try:
            created = submit_many(session, cohort, [(row.role, row.values) for row in report.rows],
                                  consent_version=consent_version, source=Source.IMPORT, by_user_id=by_user_id,
                                  given=[_given(row, consent_default) for row in report.rows])
        except ApplicationError as error:
            row = report.rows[error.params.pop("index", 0)]
            report.problems.append(Problem(row.number, error.field, error.code, dict(error.params)))
            raise ImportRejected(report) from error
        now = utcnow()
        for application, row in zip(created, report.rows, strict=True):
            if row.status != SUBMITTED:
                application.status = row.status
                application.decided_at = now
                application.decided_by_id = by_user_id
        session.flush()
    report.imported = len(report.rows)
    return report


def refused_file(problem: FileProblem, *, consent_confirmed: bool) -> ImportRejected:
    """The refusal of an import whose file cannot be read (with the missing consent, if it is missing too)."""
    report = ApplicationReport(problems=list(problem.problems))
    if not consent_confirmed:
        report.problems.insert(0, consent_problem())
    return ImportRejected(report)


def import_file(session: Session, cohort: Cohort, filename: str, data: bytes, *, consent_confirmed: bool,
                by_user_id: int | None = None, limits: Limits = LIMITS,
                consent_default: ConsentDefault = NOT_STATED, consent_version: str = consent.CURRENT
                ) -> ApplicationReport:
    """Read an uploaded file and import it all or nothing (ImportRejected with the report when anything is wrong)."""
    try:
        sheet = read_file(filename, data, limits=limits)
    except FileProblem as problem:
        raise refused_file(problem, consent_confirmed=consent_confirmed) from problem
    return import_rows(session, cohort, sheet, consent_confirmed=consent_confirmed, by_user_id=by_user_id,
                       consent_default=consent_default, consent_version=consent_version)
