"""The import file of applications: its columns, its limits, and the checks of every row (pure: no session).

The file's first row names the columns (any case; spaces and hyphens count as underscores), in any order:

================  =========================================================================================
role              ``mentor`` or ``mentee`` (required)
name              the person's name (required)
email             their e-mail address (required; one application per address and round, whatever the role)
phone             digits, spaces, brackets, hyphens and an optional leading +
locale            ``da`` or ``en``, the language their mail comes in (empty: ``en``)
field             professional field, a code of ``profile.Field`` (required)
languages         codes of ``profile.Language``, separated by commas, semicolons or spaces (required)
availability      codes of ``profile.Availability``, separated the same way
education         mentees: highest education, as written
years_experience  mentees: a whole number from 0 to 60
job_goal          mentees: the job they aim for (required for mentees)
danish_level      mentees: ``none``, ``beginner``, ``intermediate``, ``advanced`` or ``fluent`` (required for mentees)
arrived_on        mentees: arrival in Denmark, yyyy-mm-dd, dd-mm-yyyy, dd.mm.yyyy or dd/mm/yyyy (or a date cell)
partner_employer  mentees: where their partner, the international specialist, works
employer          mentors: where they work (required for mentors)
job_title         mentors: their job title
industry          mentors: their employer's industry, a code of ``profile.Field`` (required for mentors)
expertise         mentors: keywords of what they know (required for mentors)
mentoring_format  mentors: ``one``, ``group`` or ``either`` (required for mentors)
mentee_capacity   mentors: how many mentees they can take, 1 to 5 (empty: 1)
motivation        mentors: why they take part
status            ``submitted`` (empty means this), ``shortlisted``, ``accepted``, ``waitlisted``, ``declined`` or
                  ``withdrawn``
consent_date      optional: the day the person agreed to the data-processing text, as the city collected it
                  (the date formats above; not in the future)
consent_channel   optional: how the city collected it: ``paper``, ``email``, ``phone`` or ``in_person``
================  =========================================================================================

Without the consent columns (or where a cell is empty) the day and the channel the coordinator states on the import
form for the whole file count; an import where neither says them is refused.

role, name, email, field and languages must be present as columns; the mentee columns marked required must be
present when the file has a mentee, the mentor ones when it has a mentor. Columns of the other role are ignored
on a row (an export fills them in blank). A cell that starts with ``'`` followed by = + - @ or a tab (how an
export protects against formula injection) is read without the ``'``.

Every row is checked and every problem is reported (`validate`): the cells are read as a spreadsheet holds them
(dates, whole numbers, lists of codes), then the row goes through the applications' own schema
(tenants/applications/schemas.py), the one the public forms use, which reports every wrong field at once. The
limits are the schema's; this module only words its codes for a spreadsheet (which code is unknown, what is allowed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from mentorby.platform.accounts.services import normalise_email
from mentorby.tenants.applications.errors import ApplicationError
from mentorby.tenants.applications.models import CITY_CHANNELS, STATUSES, SUBMITTED
from mentorby.tenants.applications.profile import MENTEE, MENTOR, ROLES
from mentorby.tenants.applications.schemas import (
    COMMON,
    LOCALES,
    MENTEE_FIELDS,
    MENTOR_FIELDS,
    NOT_PROFILE,
    check_application,
    schema_for,
)
from mentorby.tenants.transfer import reading
from mentorby.tenants.transfer.cells import parse_codes, parse_date, parse_whole, shown, text
from mentorby.tenants.transfer.checks import Problem, Report, in_column_order
from mentorby.tenants.transfer.reading import Limits, Sheet, SourceRow

#: The columns of an import file, in the order of the template and of an export.
COLUMNS = (
    "role", "name", "email", "phone", "locale", "field", "languages", "availability", "education",
    "years_experience", "job_goal", "danish_level", "arrived_on", "partner_employer", "employer", "job_title",
    "industry", "expertise", "mentoring_format", "mentee_capacity", "motivation", "status",
)
#: Optional columns of an import (not of an export): how and when the city itself collected each person's consent.
CONSENT_COLUMNS = ("consent_date", "consent_channel")
#: The columns an import file may have, in the template's order.
IMPORT_COLUMNS = (*COLUMNS, *CONSENT_COLUMNS)
#: The channels a consent column takes.
CONSENT_CHANNELS = tuple(channel.value for channel in CITY_CHANNELS)
#: Columns every file must have.
REQUIRED_COLUMNS = ("role", "name", "email", "field", "languages")
#: Columns a file must have when it has a row of the role.
ROLE_COLUMNS = {MENTEE: ("job_goal", "danish_level"), MENTOR: ("employer", "industry", "expertise", "mentoring_format")}
#: The largest file taken, in bytes (20,000 rows with long texts fit).
MAX_BYTES = 10 * 1024 * 1024
#: The most rows (below the header) one file may have; a bigger spreadsheet is split.
MAX_ROWS = 20_000
#: What one import may hold: the rows above with every column filled in, a dozen different texts a row (name,
#: address, phone, goal, education, companies, expertise, motivation; the codes repeat), and no more text than a
#: CSV file of the largest size; room for as many columns again as the template's, so that their names are reported.
LIMITS = Limits(bytes=MAX_BYTES, rows=MAX_ROWS, columns=2 * len(IMPORT_COLUMNS),
                cells=(MAX_ROWS + 1) * len(IMPORT_COLUMNS) + 60_000,
                strings=12 * (MAX_ROWS + 1), characters=MAX_BYTES)
#: How often a long check tells its progress, in rows.
PROGRESS_EVERY = 500

#: What a row holds beside the answers: a mentee's choices and files are not imported; the consent is the
#: coordinator's confirmation for the whole file.
_NOT_IN_ROWS = ("consent", *NOT_PROFILE)
#: Cells read as whole numbers or dates, and the code of a cell that is not one.
_PARSED = (("years_experience", parse_whole, "bad_years"), ("mentee_capacity", parse_whole, "bad_mentee_capacity"),
           ("arrived_on", parse_date, "bad_date"))


@dataclass(frozen=True)
class PreparedRow:
    """A valid row, ready for the applications service."""

    number: int
    role: str
    status: str
    values: dict
    #: How and when the city collected the person's consent, from the row (None: the form's, for the whole file).
    consent_on: date | None = None
    consent_channel: str | None = None


@dataclass(frozen=True)
class ConsentDefault:
    """What the import form states for the whole file: the day and the channel of the rows that do not say."""

    on: date | None = None
    channel: str | None = None


#: A form that states neither.
NOT_STATED = ConsentDefault()


class ApplicationReport(Report):
    """A report on a file of applications: valid rows are counted per role and as linked to a partner."""

    @property
    def by_role(self) -> dict[str, int]:
        """Valid rows per role."""
        return {role: self.counts.get(role, 0) for role in ROLES}

    @property
    def linked(self) -> int:
        """Valid rows whose company is one of the city's partner organisations (linked on import)."""
        return self.counts.get("linked", 0)


def read_file(filename: str, data: bytes, *, limits: Limits = LIMITS) -> Sheet:
    """The rows of an uploaded file of applications; raises FileProblem when it cannot be read."""
    return reading.read_file(filename, data, columns=IMPORT_COLUMNS, required=REQUIRED_COLUMNS, limits=limits)


def as_sheet(rows: Sheet | Sequence[Mapping]) -> Sheet:
    """A Sheet as is; plain mappings (column -> value) as the rows of a file whose header is their keys."""
    return reading.as_sheet(rows, IMPORT_COLUMNS, REQUIRED_COLUMNS, LIMITS)


@cache
def _vocabulary(column: str):
    """The vocabulary whose codes a column holds (None for a column of free text), as the schema says."""
    field = schema_for(MENTEE).fields.get(column) or schema_for(MENTOR).fields.get(column)
    return getattr(field, "vocabulary", None)


def _explain(column: str, code: str, params: dict, given) -> tuple[str, dict]:
    """The schema's code for a bad value, made precise for a spreadsheet: which code is unknown, what is allowed."""
    if code == "no_language":
        return "required", {}
    vocabulary = _vocabulary(column)
    if code != "bad_choice" or vocabulary is None:
        return code, params
    allowed = ", ".join(vocabulary.codes())
    unknown = [code for code in (given if isinstance(given, list) else [given]) if vocabulary.get(code) is None]
    return "unknown_code", {"value": " ".join(unknown), "allowed": allowed}


def _consent_cells(cells: Mapping, report, default: ConsentDefault, today: date | None
                   ) -> tuple[date | None, str | None]:
    """The row's own consent day and channel (None where the form's count), each bad or missing cell reported."""
    try:
        day = parse_date(cells.get("consent_date"))
    except ValueError:
        report("consent_date", "bad_date")
        day = None
    else:
        if day is not None and today is not None and day > today:
            report("consent_date", "consent_date_future")
        elif day is None and default.on is None and "consent_date" in cells:
            report("consent_date", "consent_date_missing")
    channel = text(cells.get("consent_channel")).lower().replace("-", "_").replace(" ", "_") or None
    if channel is not None and channel not in CONSENT_CHANNELS:
        report("consent_channel", "unknown_code", {"value": channel, "allowed": ", ".join(CONSENT_CHANNELS)})
    elif channel is None and default.channel is None and "consent_channel" in cells:
        report("consent_channel", "consent_channel_missing")
    return day, channel


def check_row(row: SourceRow, *, consent: ConsentDefault = NOT_STATED, today: date | None = None
              ) -> tuple[PreparedRow | None, list[Problem], str | None]:
    """(the prepared row or None, its problems, its normalised e-mail if it has one).

    `consent` is what the form states for the whole file; `today` (the city's) bounds the consent date.
    """
    cells = row.cells
    problems: list[Problem] = []

    def report(column: str | None, code: str, params: dict | None = None) -> None:
        problems.append(Problem(row.number, column, code, params or {}, shown(cells.get(column)) if column else ""))

    role = text(cells.get("role")).lower()
    if not role:
        report("role", "required")
    elif role not in ROLES:
        report("role", "unknown_code", {"value": role, "allowed": ", ".join(ROLES)})
    status = text(cells.get("status")).lower() or SUBMITTED
    if status not in STATUSES:
        report("status", "unknown_code", {"value": status, "allowed": ", ".join(STATUSES)})
    # With an unknown role only the columns every application has can be checked.
    known_role = role if role in ROLES else None
    relevant = set(COMMON) | set(MENTEE_FIELDS if known_role == MENTEE else MENTOR_FIELDS if known_role else ())

    values: dict = {column: text(cells.get(column)) for column in relevant}
    values["locale"] = values["locale"].lower()
    if values["locale"] and values["locale"] not in LOCALES:
        report("locale", "unknown_code", {"value": values["locale"], "allowed": ", ".join(LOCALES)})
    for column in relevant:
        vocabulary = _vocabulary(column)
        if vocabulary is not None:
            values[column] = parse_codes(cells.get(column)) if column in ("languages", "availability") \
                else values[column].lower()
    for column, parse, code in _PARSED:
        if column not in relevant:
            continue
        try:
            values[column] = parse(cells.get(column))
        except ValueError:
            report(column, code)
            values[column] = None  # reported: the schema takes it as left empty
    email = normalise_email(values["email"]) if "@" in values["email"] else None
    consent_on, consent_channel = _consent_cells(cells, report, consent, today)

    try:
        clean = check_application(known_role, values, without=_NOT_IN_ROWS)
    except ApplicationError as error:
        for problem in error.problems:
            report(problem.field, *_explain(problem.field, problem.code, dict(problem.params), values.get(
                problem.field)))
        return None, problems, email
    if problems or known_role is None:
        return None, problems, email
    return PreparedRow(row.number, known_role, status, clean, consent_on, consent_channel), [], email


def company_key(name: str) -> str:
    """A company's name as find_partner compares it: spacing tidied, case-folded."""
    return " ".join((name or "").split()).casefold()


def validate(rows: Sheet | Sequence[Mapping], *, existing_emails: Iterable[str] = (), partner_names: Iterable[str] = (),
             progress: Callable[[int], None] | None = None, consent: ConsentDefault = NOT_STATED,
             today: date | None = None) -> ApplicationReport:
    """Check every row (no database): values, codes, dates, duplicates in the file, addresses already in the round.

    `progress`, if given, is told how many rows have been checked, every PROGRESS_EVERY rows. `consent` is what the
    form states for the whole file (a row's empty consent cell takes it); `today` bounds the consent dates.
    """
    sheet = as_sheet(rows)
    report = ApplicationReport(total=len(sheet.rows), encoding=sheet.encoding, sample=sheet.sample)
    roles = {text(row.cells.get("role")).lower() for row in sheet.rows}
    needed = [column for role in ROLES if role in roles for column in ROLE_COLUMNS[role]]
    missing = [column for column in needed if column not in sheet.columns]
    if missing:
        # Reported once for the file rather than as a "required" on every row of that role.
        report.problems.append(Problem(1, None, "missing_columns", {"columns": ", ".join(missing)}))
        return report
    existing = {normalise_email(email) for email in existing_emails}
    partners = {company_key(name) for name in partner_names}
    first_seen: dict[str, int] = {}
    for done, row in enumerate(sheet.rows):
        if progress and done and not done % PROGRESS_EVERY:
            progress(done)
        prepared, problems, email = check_row(row, consent=consent, today=today)
        if email:
            value = shown(row.cells.get("email"))
            if email in existing:
                problems.append(Problem(row.number, "email", "already_in_round", {}, value))
            elif email in first_seen:
                problems.append(Problem(row.number, "email", "duplicate_in_file", {"first": first_seen[email]}, value))
            else:
                first_seen[email] = row.number
        if problems:
            report.problems.extend(in_column_order(problems, IMPORT_COLUMNS))
            continue
        report.rows.append(prepared)
        report.counts[prepared.role] += 1
        company = prepared.values.get("employer" if prepared.role == MENTOR else "partner_employer")
        if company and company_key(company) in partners:
            report.counts["linked"] += 1
    return report
