"""Benchmark of the spreadsheet import and the export on a throw-away SQLite database (not a test).

Run from the repository root:  .venv/bin/python bench/transfer.py [--json] [--sizes 1000,10000]

Per size it times: reading the file (CSV and XLSX), the dry run (read + every row checked, with the round's
addresses and the partner names loaded in one query each), the import (the dry run, then every row written through
the applications service with the audit log on, as in a request), and the export of the imported rows (CSV and
XLSX). The database is a fresh SQLite file in a temporary folder, migrated to head like the test suite does.

Then the hostile workbooks of issue 9 (built in memory by tests/transfer/workbooks.py): their size, what they
unpack to, the refusal, how long it took (best of 3) and the peak of memory traced while refusing (tracemalloc).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
import tracemalloc
import zipfile
from datetime import date, timedelta
from pathlib import Path

# This script's folder first on sys.path would let bench/matching.py shadow the `matching` library.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or os.curdir).resolve() != _HERE]
# The repository's root, for the hostile workbooks the tests build (its platform/ has no __init__.py: no shadowing).
sys.path.append(str(_HERE.parent))
os.environ.setdefault("MENTORBY_ENV", "testing")
os.environ.setdefault("HUEY_IMMEDIATE", "1")

from openpyxl import Workbook  # noqa: E402

from mentorby.tenants.transfer import exporting, filing, schema  # noqa: E402

FIELDS = ("it", "engineering", "science", "finance", "business", "health", "research", "marketing")
LANGUAGES = ("en", "de", "es", "fr", "hi", "zh", "pt", "it")
SLOTS = ("weekday_morning", "weekday_evening", "weekend", "weekday_lunch")


def make_rows(n: int) -> list[dict]:
    """n realistic rows, one mentor to four mentees, with free text of typical length."""
    rows = []
    for i in range(n):
        common = {"name": f"Person {i:05d} Testesen", "email": f"person{i}@example.org", "phone": "+45 20 30 40 50",
                  "locale": "en", "field": FIELDS[i % len(FIELDS)], "languages": f"en, {LANGUAGES[i % 8]}",
                  "availability": f"{SLOTS[i % 4]}; {SLOTS[(i + 1) % 4]}"}
        if i % 5 == 0:
            rows.append(common | {
                "role": "mentor", "employer": f"Company {i % 40}", "job_title": "Senior engineer",
                "industry": FIELDS[(i + 1) % len(FIELDS)], "expertise": "project management, wind energy, python",
                "mentoring_format": "either", "mentee_capacity": str(1 + i % 3),
                "motivation": "I came here from abroad myself and know how hard the first year is."})
        else:
            rows.append(common | {
                "role": "mentee", "education": "MSc in electrical engineering", "years_experience": str(i % 20),
                "job_goal": "A position as a project engineer in renewable energy in the Copenhagen area",
                "danish_level": "beginner", "arrived_on": "2024-03-01", "partner_employer": f"Company {i % 60}"})
    return rows


def to_csv(rows: list[dict]) -> bytes:
    """Rows as the import's CSV (through the export's writer)."""
    return exporting.to_csv([[row.get(column, "") for column in schema.COLUMNS] for row in rows])


def to_xlsx(rows: list[dict]) -> bytes:
    """Rows as an XLSX workbook, written as Excel would keep it (not write-only)."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(schema.COLUMNS))
    for row in rows:
        sheet.append([row.get(column) for column in schema.COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def best_of(repeats: int, run) -> tuple[float, object]:
    """Fastest wall-clock time of `repeats` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
    return best, result


def make_app(folder: str):
    """The app on a fresh SQLite file, migrated to head, with one active city and its programme model."""
    from flask_migrate import upgrade

    from mentorby.platform.app import create_app
    from mentorby.platform.cities.models import ACTIVE, Tenant
    from mentorby.platform.extensions import db
    from mentorby.tenants.programme.services import install_model

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite'}",
                      "SECRET_KEY": "bench-" + "x" * 40, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        upgrade()
        city = Tenant(slug="bench", name="Bench City", municipality="Bench", status=ACTIVE, is_host=True)
        db.session.add(city)
        db.session.flush()
        install_model(db.session, city, "bench")
        db.session.commit()
        city_id = city.id
    return app, city_id


def bench(sizes: list[int]) -> list[dict]:
    """Time every step for each size."""
    from mentorby.platform.audit.listener import set_actor
    from mentorby.platform.extensions import db
    from mentorby.platform.tenancy import tenant_scope
    from mentorby.tenants.cohorts.services import plan_cohort

    results = []
    with tempfile.TemporaryDirectory() as folder:
        app, city_id = make_app(folder)
        with app.app_context(), tenant_scope(db.session, city_id):
            # As in a coordinator's request: every row written also gets its audit entry.
            set_actor(db.session, None, "coordinator")
            for n in sizes:
                repeats = 1 if n >= 10_000 else 3
                rows = make_rows(n)
                csv_data, xlsx_data = to_csv(rows), to_xlsx(rows)
                cohort = plan_cohort(db.session, {"name": f"Round of {n}", "starts_on": date.today() + timedelta(60)})
                cohort.mentor_capacity = cohort.mentee_capacity = 500
                cohort.status = "recruiting"
                db.session.commit()
                figures = {"rows": n, "csv_bytes": len(csv_data), "xlsx_bytes": len(xlsx_data)}
                figures["read_csv"], _ = best_of(repeats, lambda data=csv_data: schema.read_file("b.csv", data))
                figures["read_xlsx"], _ = best_of(repeats, lambda data=xlsx_data: schema.read_file("b.xlsx", data))
                figures["check_csv"], report = best_of(
                    repeats, lambda data=csv_data, c=cohort: filing.check_file(db.session, c, "b.csv", data))
                assert report.ok, report.problems[:3]
                figures["check_xlsx"], report = best_of(
                    repeats, lambda data=xlsx_data, c=cohort: filing.check_file(db.session, c, "b.xlsx", data))
                assert report.ok, report.problems[:3]
                start = time.perf_counter()
                report = filing.import_file(db.session, cohort, "b.csv", csv_data, consent_confirmed=True,
                                            consent_default=schema.ConsentDefault(date(2026, 9, 1), "paper"))
                db.session.commit()
                figures["import_csv"] = time.perf_counter() - start
                assert report.imported == n
                figures["export_csv"], _ = best_of(repeats, lambda c=cohort: exporting.render(
                    exporting.applications(db.session, c, "all"), "csv"))
                figures["export_xlsx"], _ = best_of(repeats, lambda c=cohort: exporting.render(
                    exporting.applications(db.session, c, "all"), "xlsx"))
                results.append(figures)
    return results


def hostile() -> list[dict]:
    """Refusal time and traced memory peak for each hostile workbook."""
    from mentorby.tenants.transfer.checks import FileProblem
    from tests.transfer import workbooks

    files = (("shared strings, 238 MB unpacked", workbooks.shared_strings_bomb),
             ("40,000 x 250 numbers", workbooks.numbers_bomb),
             ("40,000 x 22 numbers, import header",
              lambda: workbooks.numbers_bomb(40_000, len(schema.COLUMNS), header=schema.COLUMNS)))
    results = []
    for name, build in files:
        data = build()
        unpacked = sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(data)).infolist())

        def refuse(data=data):
            try:
                schema.read_file("hostile.xlsx", data)
            except FileProblem as problem:
                return problem.problems[0].code
            return "read"

        seconds, code = best_of(3, refuse)
        tracemalloc.start()
        refuse()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        results.append({"file": name, "bytes": len(data), "unpacked": unpacked, "refusal": code, "seconds": seconds,
                        "peak_mb": peak / 1e6})
    return results


STEPS = ("read_csv", "read_xlsx", "check_csv", "check_xlsx", "import_csv", "export_csv", "export_xlsx")


def main() -> None:
    """Run the benchmark and print a table (and with --json a final JSON line)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print all figures as one JSON object on the last line")
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of rows")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    results = bench(sizes)
    print(f"{'rows':>7}  {'CSV size':>9}  {'XLSX size':>9}  " + "  ".join(f"{step:>11}" for step in STEPS))
    for figures in results:
        cells = "  ".join(f"{figures[step]:>10.3f}s" for step in STEPS)
        print(f"{figures['rows']:>7,}  {figures['csv_bytes'] / 1e6:>7.2f}MB  {figures['xlsx_bytes'] / 1e6:>7.2f}MB  "
              f"{cells}")
    print("read: parse only; check: the dry run (parse + every row checked, 2 queries); import: the dry run, then "
          "all rows filed by submit_many (a fixed number of queries, audit entries included); export: one query + "
          "the file.")
    refusals = hostile()
    print()
    print(f"{'hostile workbook':<36}  {'on disk':>8}  {'unpacked':>9}  {'refused as':<18}  {'time':>7}  {'peak':>8}")
    for figures in refusals:
        print(f"{figures['file']:<36}  {figures['bytes'] / 1e3:>6.0f}KB  {figures['unpacked'] / 1e6:>7.0f}MB  "
              f"{figures['refusal']:<18}  {figures['seconds']:>6.3f}s  {figures['peak_mb']:>6.1f}MB")
    print("peak: memory traced by tracemalloc while refusing (a separate run from the timed ones).")
    if options.json:
        print(json.dumps({"rows": results, "hostile": refusals, "cpus": os.cpu_count()}))


if __name__ == "__main__":
    main()
