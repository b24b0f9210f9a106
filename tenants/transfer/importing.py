"""Applications from an earlier spreadsheet (CSV or XLSX): read, check every row, then import all or nothing.

The file's first row names the columns (any case; spaces and hyphens count as underscores), in any order:

================  =========================================================================================
role              ``mentor`` or ``mentee`` (required)
name              the person's name (required)
email             their e-mail address (required; one application per address and round, whatever the role)
phone             digits, spaces, brackets, hyphens and an optional leading +
locale            ``da`` or ``en``, the language their mail comes in (empty: ``en``)
field             professional field, a code of ``profile.FIELDS`` (required)
languages         codes of ``profile.LANGUAGES``, separated by commas, semicolons or spaces (required)
availability      codes of ``profile.AVAILABILITY``, separated the same way
education         mentees: highest education, as written
years_experience  mentees: a whole number from 0 to 60
job_goal          mentees: the job they aim for (required for mentees)
danish_level      mentees: ``none``, ``beginner``, ``intermediate``, ``advanced`` or ``fluent`` (required for mentees)
arrived_on        mentees: arrival in Denmark, yyyy-mm-dd, dd-mm-yyyy, dd.mm.yyyy or dd/mm/yyyy (or a date cell)
partner_employer  mentees: where their partner, the international specialist, works
employer          mentors: where they work (required for mentors)
job_title         mentors: their job title
industry          mentors: their employer's industry, a code of ``profile.FIELDS`` (required for mentors)
expertise         mentors: keywords of what they know (required for mentors)
mentoring_format  mentors: ``one``, ``group`` or ``either`` (required for mentors)
mentee_capacity   mentors: how many mentees they can take, 1 to 5 (empty: 1)
motivation        mentors: why they take part
status            ``submitted`` (empty means this), ``shortlisted``, ``accepted``, ``waitlisted``, ``declined`` or
                  ``withdrawn``
================  =========================================================================================

role, name, email, field and languages must be present as columns; the mentee columns marked required must be
present when the file has a mentee, the mentor ones when it has a mentor. Columns of the other role are ignored
on a row (an export fills them in blank). A cell that starts with ``'`` followed by = + - @ or a tab (how an
export protects against formula injection) is read without the ``'``.

CSV: UTF-8 with or without a byte-order mark, comma- or semicolon-separated (Danish Excel writes semicolons;
the header row decides), or Windows-1252 (Danish Excel's plain "CSV" format) when the bytes are not UTF-8;
also UTF-16 with a byte-order mark, tab-separated (Excel's "Unicode text").
XLSX: the first worksheet of the workbook, cell values as last computed (formulas are not evaluated).

Row numbers are the ones the spreadsheet shows: the header is row 1, blank rows are skipped but counted.
Every row is checked and every problem is reported (`check_rows`, `check_file`: the dry run); `import_rows`
writes only when no row has a problem, through the applications service, one application per row, inside one
savepoint. Imported applications carry the current consent version: the coordinator confirms, on the import
form, that the people in the file agreed to that data-processing text (the city's earlier paper or e-mail
consent); `import_rows` refuses without that confirmation. Imported accepted people are not invited: the
coordinator invites them from the selection board.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorby.platform.accounts.services import normalise_email
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications import consent
from mentorby.tenants.applications.models import ACCEPTED, STATUSES, SUBMITTED, Application
from mentorby.tenants.applications.profile import (
    AVAILABILITY,
    DANISH_LEVELS,
    FIELDS,
    FORMATS,
    LANGUAGES,
    MENTEE,
    MENTOR,
    ROLES,
)
from mentorby.tenants.applications.services import (
    COMMON,
    MENTEE_FIELDS,
    MENTOR_FIELDS,
    ApplicationError,
    accepted_counts,
    clean_values,
    submit_many,
)
from mentorby.tenants.cohorts.models import CLOSED, FOLLOWED_UP, SELECTION_OPEN, Cohort
from mentorby.tenants.partners.models import Partner

#: The largest file taken, in bytes (20,000 rows with long texts fit).
MAX_BYTES = 10 * 1024 * 1024
#: The most an XLSX file may unpack to (its XML is 5-10 times its size; far more is a zip bomb).
MAX_UNPACKED_BYTES = 25 * MAX_BYTES
#: The most rows (below the header) one file may have; a bigger spreadsheet is split.
MAX_ROWS = 20_000
#: The columns of an import file, in the order of the template and of an export.
COLUMNS = (
    "role", "name", "email", "phone", "locale", "field", "languages", "availability", "education",
    "years_experience", "job_goal", "danish_level", "arrived_on", "partner_employer", "employer", "job_title",
    "industry", "expertise", "mentoring_format", "mentee_capacity", "motivation", "status",
)
#: Columns every file must have.
REQUIRED_COLUMNS = ("role", "name", "email", "field", "languages")
#: Columns a file must have when it has a row of the role.
ROLE_COLUMNS = {MENTEE: ("job_goal", "danish_level"), MENTOR: ("employer", "industry", "expertise", "mentoring_format")}
#: Cells that start with one of these are formulas to a spreadsheet; an export prefixes them with '.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LOCALES = ("da", "en")
CSV, XLSX = "csv", "xlsx"
FORMATS_ACCEPTED = (CSV, XLSX)

_VOCABULARIES = {
    "field": FIELDS, "industry": FIELDS, "danish_level": DANISH_LEVELS, "mentoring_format": FORMATS,
    "languages": LANGUAGES, "availability": AVAILABILITY,
}
_LIST_COLUMNS = ("languages", "availability")
_CODE_COLUMNS = ("field", "industry", "danish_level", "mentoring_format")
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y")
_WHOLE = re.compile(r"[+-]?\d{1,6}(?:[.,]0+)?")
_SEPARATORS = re.compile(r"[,;\s]+")
_XLSX_MAGIC = b"PK\x03\x04"
# Valid stand-ins: after a bad value is reported, the row is checked again with the stand-in in its place, so
# that one pass reports every problem of the row and not only the first (clean_values stops at the first).
_STAND_INS = {
    "name": "x", "email": "x@example.org", "phone": "", "locale": "en", "field": "other", "languages": ["en"],
    "availability": [], "education": "", "years_experience": None, "job_goal": "x", "danish_level": "none",
    "arrived_on": None, "partner_employer": "", "employer": "x", "job_title": "", "industry": "other",
    "expertise": "x", "mentoring_format": "one", "mentee_capacity": 1, "motivation": "",
}
_ORDER = {column: index for index, column in enumerate(COLUMNS)}
#: How much of a bad cell a report repeats.
SHOWN_CHARS = 80


@dataclass(frozen=True)
class Problem:
    """One thing wrong: a row and column (None for the file as a whole), a message code, its parameters."""

    row: int | None
    column: str | None
    code: str
    params: dict = field(default_factory=dict)
    #: The cell as the file has it (shortened), so the coordinator finds it.
    value: str = ""


class FileProblem(Exception):
    """The file cannot be read as a table of applications at all (type, size, encoding, header)."""

    def __init__(self, *problems: Problem):
        super().__init__(", ".join(problem.code for problem in problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class SourceRow:
    """A row of the file: its number as the spreadsheet shows it and its cells by column name."""

    number: int
    cells: dict


@dataclass
class Sheet:
    """The named columns of a file and its non-blank rows."""

    columns: tuple[str, ...]
    rows: list[SourceRow]


@dataclass(frozen=True)
class PreparedRow:
    """A valid row, ready for the applications service."""

    number: int
    role: str
    status: str
    values: dict


@dataclass
class Report:
    """What a check found: rows read, valid rows (ready to import), and every problem."""

    total: int = 0
    rows: list[PreparedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Valid rows whose company is one of the city's partner organisations (linked on import).
    linked: int = 0
    #: Applications written (0 for a check).
    imported: int = 0

    @property
    def valid(self) -> int:
        """How many rows have no problem."""
        return len(self.rows)

    @property
    def ok(self) -> bool:
        """Whether the file can be imported as it is."""
        return not self.problems and bool(self.rows)

    @property
    def bad_rows(self) -> int:
        """How many rows have at least one problem."""
        return len({problem.row for problem in self.problems if problem.row is not None and problem.column})

    @property
    def by_role(self) -> dict[str, int]:
        """Valid rows per role."""
        counts = Counter(row.role for row in self.rows)
        return {role: counts.get(role, 0) for role in ROLES}


class ImportRejected(Exception):
    """Nothing was imported; the report says why."""

    def __init__(self, report: Report):
        super().__init__(", ".join(sorted({problem.code for problem in report.problems})))
        self.report = report


# --- reading the file ---------------------------------------------------------------------------------


def file_format(filename: str, data: bytes) -> str:
    """The file's format, csv or xlsx: by the content where it is clear (a workbook is a zip), else by the name."""
    extension = (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    if extension not in FORMATS_ACCEPTED:
        raise FileProblem(Problem(None, None, "file_type"))
    if data.startswith(_XLSX_MAGIC):
        return XLSX
    if extension == XLSX:
        raise FileProblem(Problem(None, None, "unreadable_xlsx"))
    return CSV


def read_file(filename: str, data: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Sheet:
    """The rows of an uploaded CSV or XLSX file, keyed by column; raises FileProblem when it cannot be read."""
    if not data:
        raise FileProblem(Problem(None, None, "file_empty"))
    if len(data) > max_bytes:
        raise FileProblem(Problem(None, None, "file_too_large", {"megabytes": max_bytes // (1024 * 1024)}))
    kind = file_format(filename, data)
    # Twice the rows allowed, and the header: enough to tell a file that is too long, whatever its blank rows.
    grid = _csv_grid(data) if kind == CSV else _xlsx_grid(data, 2 * max_rows + 2)
    try:
        return _sheet(grid, max_rows)
    finally:
        grid.close()


def _decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")  # Excel's "Unicode text"
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")  # Danish Excel's plain "CSV"; undefined bytes raise UnicodeDecodeError too


def _csv_grid(data: bytes) -> Iterator[list]:
    try:
        text = _decode(data)
    except UnicodeDecodeError:
        raise FileProblem(Problem(None, None, "unreadable_csv")) from None
    if "\x00" in text:
        # Not text (or in an encoding we do not read); PostgreSQL could not store it either.
        raise FileProblem(Problem(None, None, "unreadable_csv"))
    first_line = text.split("\n", 1)[0]
    # The header names have no separators in them, so its line tells the delimiter; a tie means a comma.
    delimiter = max((",", ";", "\t"), key=first_line.count)
    # Strict: an unclosed quote is an error, not a field that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        yield from reader
    except csv.Error:
        raise FileProblem(Problem(reader.line_num or None, None, "unreadable_csv")) from None


def _xlsx_grid(data: bytes, limit: int) -> Iterator[tuple]:
    from openpyxl import load_workbook

    # Workbooks from other programs make openpyxl warn about features it skips (data validation, styles);
    # none of them matter for reading values. Any failure to open or read is the file's, not ours: a workbook
    # is a zip of XML that can break in many ways, each with its own exception class.
    try:
        # A workbook is a zip: refuse one that would unpack to far more than any real list of applications (a zip
        # bomb) before openpyxl unpacks it. The sizes are the declared ones, which zipfile never reads past.
        unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileProblem(Problem(None, None, "unreadable_xlsx")) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise FileProblem(Problem(None, None, "file_too_large", {"megabytes": MAX_BYTES // (1024 * 1024)}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise FileProblem(Problem(None, None, "unreadable_xlsx")) from None
        try:
            if not book.worksheets:
                raise FileProblem(Problem(None, None, "no_rows"))
            # Read under the warnings filter, at most `limit` rows: the caller refuses anything longer.
            grid = list(islice(book.worksheets[0].iter_rows(values_only=True), limit))
        except FileProblem:
            raise
        except Exception:
            raise FileProblem(Problem(None, None, "unreadable_xlsx")) from None
        finally:
            book.close()
    yield from grid


def _header_name(cell) -> str:
    name = _text(cell).lower()
    return re.sub(r"[\s\-]+", "_", name)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _sheet(grid: Iterator, max_rows: int) -> Sheet:
    header = next(grid, None)
    names = [_header_name(cell) for cell in header or ()]
    if not any(names):
        raise FileProblem(Problem(1, None, "no_header"))
    problems = []
    unknown = [name for name in names if name and name not in COLUMNS]
    if unknown:
        problems.append(Problem(1, None, "unknown_columns", {"columns": ", ".join(unknown)}))
    twice = sorted({name for name in names if name and names.count(name) > 1}, key=names.index)
    if twice:
        problems.append(Problem(1, None, "duplicate_columns", {"columns": ", ".join(twice)}))
    missing = [name for name in REQUIRED_COLUMNS if name not in names]
    if missing:
        problems.append(Problem(1, None, "missing_columns", {"columns": ", ".join(missing)}))
    if problems:
        raise FileProblem(*problems)
    named = [(index, name) for index, name in enumerate(names) if name]
    unnamed = {index for index, name in enumerate(names) if not name}
    rows = []
    # A workbook formatted far below its data yields empty rows; past twice the limit it is too big anyway.
    for number, cells in enumerate(grid, start=2):
        if number > 2 * max_rows + 1:
            raise FileProblem(Problem(None, None, "too_many_rows", {"max": max_rows}))
        if not any(_filled(cell) for cell in cells):
            continue
        for index, cell in enumerate(cells):
            if (index in unnamed or index >= len(names)) and _filled(cell):
                raise FileProblem(Problem(number, None, "unnamed_column", {"letter": _column_letter(index)}))
        if len(rows) >= max_rows:
            raise FileProblem(Problem(None, None, "too_many_rows", {"max": max_rows}))
        rows.append(SourceRow(number, {name: cells[index] if index < len(cells) else None for index, name in named}))
    if not rows:
        raise FileProblem(Problem(None, None, "no_rows"))
    return Sheet(tuple(name for _, name in named), rows)


def _filled(cell) -> bool:
    return cell is not None and (not isinstance(cell, str) or bool(cell.strip()))


def as_sheet(rows: Sheet | Sequence[Mapping]) -> Sheet:
    """A Sheet as is; plain mappings (column -> value) as the rows of a file whose header is their keys."""
    if isinstance(rows, Sheet):
        return rows
    if not rows:
        raise FileProblem(Problem(None, None, "no_rows"))
    header: dict[str, None] = {}
    for row in rows:
        header.update(dict.fromkeys(row))
    columns = list(header)
    grid = iter([columns, *([row.get(column) for column in columns] for row in rows)])
    return _sheet(grid, MAX_ROWS)


# --- cells to values --------------------------------------------------------------------------------


def _text(value) -> str:
    """A cell as trimmed text, without the quote an export puts before a formula character."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if (value.hour, value.minute, value.second) == (0, 0, 0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value)
    if text[:1] == "'" and text[1:2] and text[1] in FORMULA_START:
        text = text[1:]
    return text.strip()


def parse_date(value) -> date | None:
    """A date cell or text in yyyy-mm-dd, dd-mm-yyyy, dd.mm.yyyy or dd/mm/yyyy; None when empty."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    if len(text) > 10 and text[10] in " T":
        text = text[:10]  # a date written with a midnight time by another program
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_whole(value) -> int | None:
    """A whole number from a number cell or text ("5", "5.0", "5,0"); None when empty."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value.is_integer():
            return int(value)
        raise ValueError(value)
    text = _text(value)
    if not text:
        return None
    if not _WHOLE.fullmatch(text):
        raise ValueError(text)
    return int(re.split(r"[.,]", text)[0])


def parse_codes(value) -> list[str]:
    """Codes separated by commas, semicolons or spaces, lower-cased."""
    return [code for code in _SEPARATORS.split(_text(value).lower()) if code]


def _shown(value) -> str:
    text = _text(value)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"


def _explain(column: str, error: ApplicationError, values: dict) -> tuple[str, dict]:
    """clean_values' code for a bad value, made precise for a spreadsheet: which code is unknown, what is allowed."""
    if error.code != "bad_choice" or column not in _VOCABULARIES:
        return error.code, dict(error.params)
    vocabulary = _VOCABULARIES[column]
    given = values.get(column)
    if column in _LIST_COLUMNS:
        unknown = [code for code in given or () if code not in vocabulary]
        if not unknown:
            return "required", {}
        return "unknown_code", {"value": " ".join(unknown), "allowed": ", ".join(vocabulary)}
    if not given:
        return "required", {}
    return "unknown_code", {"value": given, "allowed": ", ".join(vocabulary)}


def _check_row(row: SourceRow) -> tuple[PreparedRow | None, list[Problem], str | None]:
    """(the prepared row or None, its problems, its normalised e-mail if it has one)."""
    cells = row.cells
    problems: list[Problem] = []

    def report(column: str | None, code: str, params: dict | None = None) -> None:
        problems.append(Problem(row.number, column, code, params or {}, _shown(cells.get(column)) if column else ""))

    role = _text(cells.get("role")).lower()
    if not role:
        report("role", "required")
    elif role not in ROLES:
        report("role", "unknown_code", {"value": role, "allowed": ", ".join(ROLES)})
    status = _text(cells.get("status")).lower() or SUBMITTED
    if status not in STATUSES:
        report("status", "unknown_code", {"value": status, "allowed": ", ".join(STATUSES)})
    # With an unknown role only the columns every application has can be checked.
    known_role = role if role in ROLES else None
    relevant = set(COMMON) | set(MENTEE_FIELDS if known_role == MENTEE else MENTOR_FIELDS if known_role else ())

    values: dict = {column: _text(cells.get(column)) for column in COMMON + MENTEE_FIELDS + MENTOR_FIELDS}
    values["locale"] = values["locale"].lower()
    if values["locale"] and values["locale"] not in LOCALES:
        report("locale", "unknown_code", {"value": values["locale"], "allowed": ", ".join(LOCALES)})
    values["locale"] = values["locale"] if values["locale"] in LOCALES else "en"
    for column in _CODE_COLUMNS:
        values[column] = values[column].lower()
    for column in _LIST_COLUMNS:
        values[column] = parse_codes(cells.get(column))
    tried = set()
    for column, parse, code in (("years_experience", parse_whole, "bad_years"),
                                ("mentee_capacity", parse_whole, "bad_mentee_capacity"),
                                ("arrived_on", parse_date, "bad_date")):
        try:
            values[column] = parse(cells.get(column))
        except ValueError:
            if column in relevant:
                report(column, code)
            values[column] = _STAND_INS[column]
            tried.add(column)
    email = normalise_email(values["email"]) if "@" in values["email"] else None

    clean = None
    checked = dict(values)
    while True:
        try:
            clean = clean_values(known_role or MENTEE, checked)
            break
        except ApplicationError as error:
            column = error.field
            if column is None or column in tried or column not in _STAND_INS:
                report(column, error.code, dict(error.params))
                break
            tried.add(column)
            if column in relevant:
                report(column, *_explain(column, error, values))
            checked[column] = _STAND_INS[column]
    if problems or clean is None or known_role is None:
        return None, problems, email
    return PreparedRow(row.number, known_role, status, clean), [], email


def _company_key(name: str) -> str:
    return " ".join((name or "").split()).casefold()


def validate(rows: Sheet | Sequence[Mapping], *, existing_emails: Iterable[str] = (),
             partner_names: Iterable[str] = ()) -> Report:
    """Check every row (no database): values, codes, dates, duplicates in the file, addresses already in the round."""
    sheet = as_sheet(rows)
    report = Report(total=len(sheet.rows))
    roles = {_text(row.cells.get("role")).lower() for row in sheet.rows}
    needed = [column for role in ROLES if role in roles for column in ROLE_COLUMNS[role]]
    missing = [column for column in needed if column not in sheet.columns]
    if missing:
        # Reported once for the file rather than as a "required" on every row of that role.
        report.problems.append(Problem(1, None, "missing_columns", {"columns": ", ".join(missing)}))
        return report
    existing = {normalise_email(email) for email in existing_emails}
    # As find_partner compares: both names with their spacing tidied and case-folded.
    partners = {_company_key(name) for name in partner_names}
    first_seen: dict[str, int] = {}
    for row in sheet.rows:
        prepared, problems, email = _check_row(row)
        if email:
            shown = _shown(row.cells.get("email"))
            if email in existing:
                problems.append(Problem(row.number, "email", "already_in_round", {}, shown))
            elif email in first_seen:
                problems.append(Problem(row.number, "email", "duplicate_in_file", {"first": first_seen[email]}, shown))
            else:
                first_seen[email] = row.number
        if problems:
            report.problems.extend(sorted(problems, key=lambda problem: _ORDER.get(problem.column, -1)))
            continue
        report.rows.append(prepared)
        company = prepared.values.get("employer" if prepared.role == MENTOR else "partner_employer")
        if company and _company_key(company) in partners:
            report.linked += 1
    return report


# --- with the database: the dry run and the import ---------------------------------------------------------


def check_rows(session: Session, cohort: Cohort, rows: Sheet | Sequence[Mapping]) -> Report:
    """The dry run: every problem the import of `rows` into `cohort` would meet; writes nothing, a few queries."""
    try:
        sheet = as_sheet(rows)
    except FileProblem as problem:
        return Report(problems=problem.problems)
    existing = session.execute(select(Application.email).where(Application.cohort_id == cohort.id)).scalars()
    partners = session.execute(select(Partner.name)).scalars()
    report = validate(sheet, existing_emails=existing, partner_names=partners)
    if cohort.status in (CLOSED, FOLLOWED_UP):
        report.problems.insert(0, Problem(None, None, "cohort_closed"))
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


def check_file(session: Session, cohort: Cohort, filename: str, data: bytes, *, max_bytes: int = MAX_BYTES,
               max_rows: int = MAX_ROWS) -> Report:
    """The dry run for an uploaded file: a report of every problem (file-level ones included); writes nothing."""
    try:
        sheet = read_file(filename, data, max_bytes=max_bytes, max_rows=max_rows)
    except FileProblem as problem:
        return Report(problems=problem.problems)
    return check_rows(session, cohort, sheet)


def import_rows(session: Session, cohort: Cohort, rows: Sheet | Sequence[Mapping], *, consent_confirmed: bool,
                by_user_id: int | None = None) -> Report:
    """Check `rows` and, only if none has a problem, file them all as applications to `cohort`; else write nothing.

    Raises ImportRejected with the report when anything is wrong, including a missing consent confirmation.
    """
    report = check_rows(session, cohort, rows)
    if not consent_confirmed:
        report.problems.insert(0, Problem(None, "consent", "import_consent_required"))
    if not report.rows and not report.problems:
        report.problems.append(Problem(None, None, "no_rows"))
    if report.problems:
        raise ImportRejected(report)
    # A savepoint: should a row fail after all (another import of the same address meanwhile), none stays written.
    with session.begin_nested():
        try:
            created = submit_many(session, cohort, [(row.role, row.values) for row in report.rows],
                                  consent_version=consent.CURRENT, source="import")
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


def import_file(session: Session, cohort: Cohort, filename: str, data: bytes, *, consent_confirmed: bool,
                by_user_id: int | None = None, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Report:
    """Read an uploaded file and import it all or nothing (ImportRejected with the report when anything is wrong)."""
    try:
        sheet = read_file(filename, data, max_bytes=max_bytes, max_rows=max_rows)
    except FileProblem as problem:
        report = Report(problems=problem.problems)
        if not consent_confirmed:
            report.problems.insert(0, Problem(None, "consent", "import_consent_required"))
        raise ImportRejected(report) from problem
    return import_rows(session, cohort, sheet, consent_confirmed=consent_confirmed, by_user_id=by_user_id)

