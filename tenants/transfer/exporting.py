"""A round's applications as a CSV or XLSX file, in the import's columns, so that an export can be imported again.

CSV: UTF-8 with a byte-order mark (so Excel reads the Danish letters), comma-separated, CRLF line ends, quoted
where needed (RFC 4180). A comma rather than Danish Excel's semicolon, because it is the format other tools and
the import read without guessing; the import reads both. XLSX: one worksheet, written streaming
(openpyxl's write-only mode), with arrival dates as date cells.

Text cells that start with = + - @, a tab or a carriage return get a leading ' (OWASP's advice against CSV
and formula injection): a spreadsheet shows them as text instead of running them. The import takes that
quote away again. Mentor columns are blank on a mentee's row and the other way round.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorby.tenants.applications.models import ACCEPTED, CONFIRMED, STATUSES, Application
from mentorby.tenants.applications.profile import MENTEE, MENTOR
from mentorby.tenants.applications.schemas import MENTEE_FIELDS, MENTOR_FIELDS
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.transfer.cells import looks_like_formula
from mentorby.tenants.transfer.reading import CSV, XLSX
from mentorby.tenants.transfer.schema import COLUMNS, IMPORT_COLUMNS

#: The status filter meaning "every application of the round".
ALL = "all"
MIMETYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa", "ß": "ss"})


def safe_cell(value):
    """A value as a spreadsheet should get it: text that a spreadsheet would run as a formula gets a leading '.

    The first character is compared in its compatibility form, so the full-width "＝" and "＋" that some spreadsheets
    take as "=" and "+" are caught too, also behind leading spaces.
    """
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def applications(session: Session, cohort: Cohort, status: str | None = ACCEPTED) -> list[tuple]:
    """The round's applications of `status` (None or "all": every one) as rows in the import's columns; one query."""
    query = (select(*(getattr(Application, column) for column in COLUMNS))
             .where(Application.cohort_id == cohort.id, CONFIRMED)
             .order_by(Application.role, Application.name, Application.id))
    if status and status != ALL:
        if status not in STATUSES:
            raise ValueError(status)
        query = query.where(Application.status == status)
    blank = {MENTEE: set(MENTOR_FIELDS), MENTOR: set(MENTEE_FIELDS)}
    rows = []
    for record in session.execute(query):
        values = dict(zip(COLUMNS, record, strict=True))
        other = blank.get(values["role"], set())
        rows.append(tuple(None if column in other else values[column] for column in COLUMNS))
    return rows


def _csv_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(safe_cell(value))


def to_csv(rows: Iterable[Sequence], columns: Sequence[str] = COLUMNS) -> bytes:
    """Rows as a UTF-8 CSV file with a byte-order mark and a header row."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(columns)
    writer.writerows([_csv_value(value) for value in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(rows: Iterable[Sequence], columns: Sequence[str] = COLUMNS, *, title: str = "Applications") -> bytes:
    """Rows as an XLSX workbook of one sheet with a header row."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    book = Workbook(write_only=True)
    # Sheet titles may not hold []:*?/\ and have at most 31 characters.
    sheet = book.create_sheet(re.sub(r"[\[\]:*?/\\]", " ", title)[:31] or "Applications")
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    sheet.freeze_panes = "A2"
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def render(rows: Iterable[Sequence], fmt: str, *, title: str = "Applications",
           columns: Sequence[str] = COLUMNS) -> bytes:
    """Rows as a file of format csv or xlsx."""
    if fmt == CSV:
        return to_csv(rows, columns)
    if fmt == XLSX:
        return to_xlsx(rows, columns, title=title)
    raise ValueError(fmt)


def slug(text: str) -> str:
    """Text as a file-name part: ASCII lower-case words joined by hyphens (æ, ø, å written ae, oe, aa)."""
    text = unicodedata.normalize("NFKD", (text or "").translate(_DANISH)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-")


def filename(cohort: Cohort, status: str | None, fmt: str, today: date) -> str:
    """A download name such as spring-2027-participants-2027-03-01.csv."""
    what = "participants" if status == ACCEPTED else "applications" if status in (None, ALL) else status
    return f"{slug(cohort.name) or 'round'}-{what}-{today.isoformat()}.{fmt}"


def template(fmt: str) -> bytes:
    """An empty import file: the header row only (with the optional columns of how and when consent was given)."""
    return render([], fmt, title="Import", columns=IMPORT_COLUMNS)
