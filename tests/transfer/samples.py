"""Spreadsheets for the import tests, built in memory."""

import csv
import io
from datetime import date

from openpyxl import Workbook

from mentorby.tenants.transfer.schema import ConsentDefault

HEADER = ["role", "name", "email", "phone", "field", "languages", "availability", "job_goal", "danish_level",
          "arrived_on", "years_experience", "partner_employer", "employer", "industry", "expertise",
          "mentoring_format", "mentee_capacity", "status"]


def mentee(n: int, **cells) -> dict:
    """A valid mentee row; `cells` change or add cells."""
    return {"role": "mentee", "name": f"Mentee {n}", "email": f"mentee{n}@example.org", "phone": "+45 20 30 40 50",
            "field": "it", "languages": "en, de", "availability": "weekday_evening; weekend",
            "job_goal": "Backend developer", "danish_level": "beginner", "arrived_on": "2024-03-01",
            "years_experience": "6", "partner_employer": "Novo Nordisk"} | cells


def mentor(n: int, **cells) -> dict:
    """A valid mentor row."""
    return {"role": "mentor", "name": f"Mentor {n}", "email": f"mentor{n}@example.org", "field": "engineering",
            "languages": "da en", "availability": "weekday_evening", "employer": "COWI", "industry": "engineering",
            "expertise": "wind energy, project management", "mentoring_format": "either",
            "mentee_capacity": "2"} | cells


def csv_bytes(rows, header=HEADER, *, delimiter=",", bom=False, encoding="utf-8") -> bytes:
    """Rows (dicts) as a CSV file."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in header])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode(encoding)


def xlsx_bytes(rows, header=HEADER) -> bytes:
    """Rows (dicts; values kept as their types) as an XLSX workbook."""
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column) for column in header])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

#: How and when the city collected consent, as a coordinator states it on the import form for a whole file.
GIVEN = ConsentDefault(date(2026, 9, 1), "paper")
