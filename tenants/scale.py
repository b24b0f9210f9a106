"""Synthetic data at scale: `flask --app wsgi seed-scale --cities N --rounds R --participants P [--seed S]`.

Realistic, reproducible cities for benchmarks and capacity tests (issue 15), written through the real models' tables:
cities over the five regions with their partners and a coordinator each, the programme model (copied from the first
seeded city, which gets the host's model as any new city does), and per city `--rounds` rounds, two a year, the
newest recruiting (or selecting), the one before running, the rest closed or followed up. Each round has its joint
events and their invitations and attendance, applications of mentors and mentees (returning mentors keep their pool
entry; some applicants are declined, wait-listed or withdraw), pairs with their real scores and reasons, 1:1
sessions, and the surveys sent at their moments (midway, closing, the 6-month follow-up) with the answers most people
give. The running round's midway survey is open and two thirds unanswered: the load benchmark answers it through
the personal links. The national rollups are made from the same facts the evaluation's grouped queries would find,
gathered as the rows are generated, by the rollups' own code (tenants/evaluation/rollups.py `rollup_rows`); a test
checks them against a rebuild.

The same `--seed` gives the same rows (dates count from the day of the run; ids come from the database, and the
personal links' tokens depend on the city's id and the server's SECRET_KEY). Rows are written in bulk, every policy
kept on (the load presents the cross-city key as the platform's own cross-city work does): on PostgreSQL COPY into a
temporary table (COPY is refused on tables with row-level security) and `INSERT ... SELECT` from it, per table and
batch, by two writer connections while the next cities are generated; on SQLite `executemany`. Refused in
production, and refused for cities that already exist.

Every seeded city has a coordinator `coordinator@<slug>.example` and the platform a national stakeholder
`national@scale.example`, all with the password SCALE_PASSWORD.
"""

from __future__ import annotations

import hashlib
import json
import queue
import random
import threading
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from types import SimpleNamespace

import click
from flask import Flask, current_app
from sqlalchemy import JSON, Boolean, Date, Numeric, select

from mentorby.platform import clock
from mentorby.platform.accounts.passwords import hash_password
from mentorby.platform.cities.models import Region, Tenant
from mentorby.platform.extensions import db
from mentorby.platform.links import link_token, token_hash
from mentorby.platform.tenancy import UTCDateTime, cross_tenant
from mentorby.tenants.applications import consent
from mentorby.tenants.applications.profile import AVAILABILITY, FIELDS, LANGUAGES
from mentorby.tenants.evaluation.figures import _Facts
from mentorby.tenants.evaluation.rollups import rollup_rows
from mentorby.tenants.matching.scoring import score_pair
from mentorby.tenants.matching.services import mentee_profile, mentor_profile
from mentorby.tenants.programme.models import MeasuringPoint, Respondents

#: The measuring point a survey's moment serves (tenants/evaluation/figures.py MOMENTS); others are not measured.
MEASURED = {"closing": "closing", "follow_up": "follow_up", "company": "follow_up"}

#: The password of every seeded account (coordinators and the national stakeholder).
SCALE_PASSWORD = "mentorby-scale-2026"
NATIONAL_EMAIL = "national@scale.example"
SLUG = "scale-{:04d}"


def city_slug(number: int) -> str:
    """The slug of the seeded city `number` (1-based)."""
    return SLUG.format(number)


def coordinator_email(slug: str) -> str:
    """The seeded coordinator's sign-in of a city."""
    return f"coordinator@{slug}.example"


# --- writing in bulk ---------------------------------------------------------------------------------------------

class Sink:
    """Rows buffered per table and written in batches in the schema's dependency order, with ids from the tables.

    `add` takes a dict of a row's values; columns it leaves out get the model's Python default where it has a
    simple one, else NULL. On PostgreSQL a writer thread with its own connection writes each batch while the next is
    generated (the database and Python each keep one core busy); on SQLite the session's connection writes.
    """

    def __init__(self, session, batch_rows: int = 100_000):
        self.session = session
        self.batch_rows = batch_rows
        self.buffers: dict[str, list[dict]] = {}
        self.counts: Counter = Counter()
        self._ids: dict[str, list[int]] = {}
        self._next_sqlite: dict[str, int] = {}
        self.tables = {table.name: table for table in db.metadata.sorted_tables}
        self.order = [table.name for table in db.metadata.sorted_tables]
        self.pending = 0
        self.pg = session.get_bind().dialect.name == "postgresql"
        self.writer: _Writers | None = None

    def start_writer(self, count: int) -> None:
        """Write the following batches from threads of their own (PostgreSQL; the session's work so far committed)."""
        if self.pg:
            self.writer = _Writers(db.engine, current_app.config["CROSS_CITY_KEY"], count)


    def stop_writer(self) -> None:
        """Wait for the writer to write everything (and raise what it met)."""
        if self.writer is not None:
            writer, self.writer = self.writer, None
            writer.finish()

    def new_id(self, table: str) -> int:
        """A fresh id of `table`."""
        if not self.pg:
            if table not in self._next_sqlite:
                self._next_sqlite[table] = (self.session.connection().exec_driver_sql(
                    f"select coalesce(max(id), 0) from {table}").scalar() or 0) + 1
            value = self._next_sqlite[table]
            self._next_sqlite[table] = value + 1
            return value
        ids = self._ids.get(table)
        if not ids:
            # nextval needs only USAGE on the sequence, which the app role has (setval would need more).
            ids = self._ids[table] = list(reversed(self.session.connection().exec_driver_sql(
                f"select array_agg(nextval(pg_get_serial_sequence('{table}', 'id'))) "
                f"from generate_series(1, {20_000 if self.counts[table] + self.pending > 1000 else 500})").scalar()))
        return ids.pop()

    def add(self, table: str, values: dict) -> dict:
        """Buffer a row (with an id unless given); returns it."""
        if "id" not in values and table not in LEAVES:
            values["id"] = self.new_id(table)
        self.buffers.setdefault(table, []).append(values)
        self.pending += 1
        return values

    def maybe_flush(self) -> None:
        """Write everything when the buffers hold enough rows."""
        if self.pending >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        """Write every buffered row, parents before children."""
        batch = [(self.tables[name], self.buffers.pop(name)) for name in self.order if self.buffers.get(name)]
        for table, rows in batch:
            self.counts[table.name] += len(rows)
        self.pending = 0
        if self.writer is not None:
            self.writer.put(batch)
        else:
            for table, rows in batch:
                _write(self.session.connection(), table, rows, self.pg)


#: Connections writing at once on PostgreSQL: the foreign-key checks, not Python, bound the load; a batch holds whole
#: cities, so batches do not depend on each other.
WRITERS = 2


class _Writers:
    """Threads that write batches, each on its own connection, each batch in one transaction across cities."""

    def __init__(self, engine, cross_key: str, count: int):
        self.engine, self.cross_key = engine, cross_key
        self.queue: queue.Queue = queue.Queue(maxsize=count + 1)
        self.errors: list[BaseException] = []
        self.threads = [threading.Thread(target=self._run, name=f"seed-scale writer {n}", daemon=True)
                        for n in range(count)]
        for thread in self.threads:
            thread.start()

    def put(self, batch) -> None:
        if self.errors:
            raise self.errors[0]
        self.queue.put(batch)

    def finish(self) -> None:
        for _thread in self.threads:
            self.queue.put(None)
        for thread in self.threads:
            thread.join()
        if self.errors:
            raise self.errors[0]

    def _run(self) -> None:
        try:
            with self.engine.connect() as conn:
                while (batch := self.queue.get()) is not None:
                    with conn.begin():
                        # The cross-city key for this transaction only, as cross_tenant() presents it.
                        conn.exec_driver_sql("select set_config('app.cross_key', %s, true)", (self.cross_key,))
                        for table, rows in batch:
                            _write(conn, table, rows, True)
        except BaseException as error:  # handed to the generating thread
            self.errors.append(error)
            while self.queue.get() is not None:
                pass


def _write(conn, table, rows: list[dict], pg: bool) -> None:
    names = list(rows[0])
    defaults = {column.name: column.default.arg for column in table.c
                if column.name not in names and column.default is not None and column.default.is_scalar}
    names += list(defaults)
    columns = [table.c[name] for name in names]
    converters = [_converter(column, pg) for column in columns]
    getters = [(name, defaults.get(name), convert) for name, convert in zip(names, converters, strict=True)]
    quoted = ", ".join(f'"{name}"' for name in names)
    if pg:
        # COPY is refused on tables with row-level security; a temporary table has none, and the INSERT from it is
        # checked by the table's policies and foreign keys like any other.
        staging = f"_seed_{table.name}_{hashlib.sha1(quoted.encode()).hexdigest()[:8]}"
        conn.exec_driver_sql(f'create temporary table if not exists "{staging}" on commit drop as '
                             f'select {quoted} from "{table.name}" with no data')
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f'copy "{staging}" ({quoted}) from stdin') as copy:
            for row in rows:
                copy.write_row([convert(row.get(name, default)) if convert else row.get(name, default)
                                for name, default, convert in getters])
        conn.exec_driver_sql(f'insert into "{table.name}" ({quoted}) select {quoted} from "{staging}"')
        conn.exec_driver_sql(f'truncate "{staging}"')
        return
    data = [tuple(convert(row.get(name, default)) if convert else row.get(name, default)
                  for name, default, convert in getters) for row in rows]
    marks = ", ".join("?" for _ in names)
    conn.exec_driver_sql(f'insert into "{table.name}" ({quoted}) values ({marks})', data)


def _converter(column, pg: bool):
    kind = column.type
    if isinstance(kind, JSON):
        return lambda value: None if value is None else json.dumps(value)
    if pg:
        return None
    if isinstance(kind, UTCDateTime):
        return lambda value: None if value is None else value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(kind, Boolean):
        return lambda value: None if value is None else int(value)
    if isinstance(kind, Date):
        return lambda value: None if value is None else value.isoformat()
    if isinstance(kind, Numeric):
        return lambda value: None if value is None else float(value)
    return None


# --- the vocabulary of realistic profiles --------------------------------------------------------------------------

FIRST = ("Ana", "Priya", "Wei", "Olena", "Carlos", "Aisha", "Marta", "Giulia", "Hiroshi", "Fatima", "Ravi", "Elena",
         "Sofía", "Lan", "Mehmet", "Anna", "Kwame", "Sara", "Lucas", "Yuki", "Tomasz", "Leila", "Daniel", "Mariana",
         "Lars", "Sofie", "Jens", "Mette", "Henrik", "Louise", "Anders", "Camilla", "Peter", "Maria", "Rasmus",
         "Karen", "Thomas", "Ida", "Mads", "Niels", "Birgitte", "Kasper", "Lene", "Ole", "Pia", "Emil", "Freja")
LAST = ("Sharma", "Rodrigues", "Chen", "Kovalenko", "Mendoza", "Rahman", "Nowak", "Rossi", "Tanaka", "Al-Sayed",
        "Patel", "Popescu", "García", "Nguyen", "Yilmaz", "Müller", "Mensah", "Haddad", "Silva", "Sato", "Zielinski",
        "Karimi", "Okafor", "Costa", "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen",
        "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Poulsen")
COMPANIES = ("COWI", "Novo Nordisk", "Ørsted", "Vestas", "Maersk", "Carlsberg", "Danske Bank", "DSV", "Rambøll",
             "LEGO", "Netcompany", "Grundfos", "Danfoss", "NKT", "Coloplast", "Demant", "FLSmidth", "Pandora")
GOALS = {
    "engineering": ("Structural or civil engineer", "Electrical engineer in energy", "Mechanical design engineer"),
    "it": ("Backend developer", "Data engineer", "Frontend developer", "Cloud engineer"),
    "science": ("Laboratory scientist", "Process engineer in the pharmaceutical industry"),
    "health": ("Nurse", "Clinical research", "Doctor"), "finance": ("Financial analyst", "Accountant or controller"),
    "business": ("Business developer", "Project manager"), "marketing": ("Digital marketing", "Communication"),
    "education": ("Teacher at an international school",), "research": ("Researcher in industry", "Scientist"),
    "law": ("Legal adviser in an international organisation",), "public_sector": ("Policy or project officer",),
    "culture": ("Museum or cultural project work",), "design": ("Product or UX designer",),
    "hospitality": ("Hotel or event management",), "logistics": ("Supply chain planner",), "other": ("Any job",),
}
EXPERTISE = {
    "engineering": "project management, wind energy, structural design", "it": "software, cloud, python, data",
    "science": "chemistry, laboratory, research careers", "health": "healthcare, authorisation, hospitals",
    "finance": "finance, data analysis, banking", "business": "recruitment, job interviews, CV",
    "marketing": "branding, marketing, communication", "education": "teaching, education system",
    "research": "research funding, academic careers", "law": "law, contracts, legal careers",
    "public_sector": "public sector, NGOs, networking", "culture": "culture, media, projects",
    "design": "design, user research, portfolio", "hospitality": "hospitality, tourism, customer service",
    "logistics": "supply chain, logistics, operations", "other": "networking, job interviews",
}
EMPLOYED = ("full_time", "part_time", "self_employed")


def _weighted(*pairs) -> tuple:
    """A pool to draw from with rng.choice: each value as many times as its weight (faster than rng.choices)."""
    return tuple(value for value, weight in pairs for _ in range(weight))


LIKERT = _weighted(("1", 2), ("2", 5), ("3", 13), ("4", 40), ("5", 40))
FORMATS = _weighted(("one", 7), ("either", 2), ("group", 1))
RSVP = _weighted(("yes", 17), ("no", 1), (None, 2))
YES_NO = _weighted(("yes", 17), ("no", 3))
SITUATION = _weighted(("full_time", 25), ("part_time", 12), ("self_employed", 5), ("education", 10),
                      ("job_seeking", 43), ("other", 5))
#: Tables no seeded row points at: their ids come from the database as the rows go in (fewer round trips).
LEAVES = frozenset(("survey_answer", "event_invitation", "event_attendance", "session_pair", "cohort_transition",
                    "round_rollup", "criterion_rollup", "matching_run", "membership", "partner_contact"))


# --- the seed ----------------------------------------------------------------------------------------------------

class Seeder:
    """One seeding run: the cities, their people and rounds, written through a Sink."""

    def __init__(self, session, sink: Sink, seed: int, rounds: int, participants: int, today: date):
        self.session, self.sink, self.seed = session, sink, seed
        self.rounds, self.participants, self.today = rounds, participants, today
        self.now = datetime.combine(today, datetime.min.time(), UTC) + timedelta(hours=9)
        self.secret_hash = None

    # -- the city's shared parts --

    def model_rows(self, city_id: int) -> dict[str, list[dict]]:
        """The programme model's rows of a city (events, criteria, surveys), read to copy into the other cities."""
        tables = ("programme_event", "success_criterion", "survey", "survey_section", "survey_question")
        found = {}
        for name in tables:
            table = self.sink.tables[name]
            rows = self.session.execute(select(table).where(table.c.tenant_id == city_id).order_by(table.c.id))
            found[name] = [{key: value.value if isinstance(value, Enum) else value
                            for key, value in row._mapping.items()} for row in rows]
        return found

    def copy_model(self, model: dict[str, list[dict]], city_id: int) -> dict:
        """Copy the model into a city (new ids); its events, criteria and surveys by key, as plain data."""
        survey_ids, section_ids, copied = {}, {}, {}
        for name in ("programme_event", "success_criterion", "survey", "survey_section", "survey_question"):
            for row in model[name]:
                values = dict(row, tenant_id=city_id)
                values.pop("id")
                if "survey_id" in values:
                    values["survey_id"] = survey_ids[values["survey_id"]]
                if "section_id" in values:
                    values["section_id"] = section_ids[values["section_id"]]
                values = self.sink.add(name, values)
                if name == "survey":
                    survey_ids[row["id"]] = values["id"]
                elif name == "survey_section":
                    section_ids[row["id"]] = values["id"]
                copied.setdefault(name, []).append(values)
        return self.shape(copied)

    @staticmethod
    def shape(rows: dict[str, list[dict]]) -> dict:
        """The model as the generator uses it: events in order, current surveys by key with their questions."""
        surveys = {row["key"]: dict(row, questions=[]) for row in rows["survey"] if row.get("is_current", True)}
        by_id = {row["id"]: row for row in surveys.values()}
        for question in sorted(rows["survey_question"], key=lambda q: (q["position"], q["id"])):
            if question["survey_id"] in by_id:
                by_id[question["survey_id"]]["questions"].append(question)
        criteria = [SimpleNamespace(**dict(row, role=Respondents(row["role"]),
                                           measured_at=MeasuringPoint(row["measured_at"])))
                    for row in sorted(rows["success_criterion"], key=lambda c: c["position"])]
        return {"events": sorted(rows["programme_event"], key=lambda e: (e["step"], e["id"])), "surveys": surveys,
                "criteria": criteria, "keys": {criterion.question_key for criterion in criteria}}

    def city(self, number: int, city_id: int, slug: str, model: dict, coordinator_id: int) -> None:
        """Everything one city runs: partners, pool, rounds and what happened in them."""
        rng = random.Random(f"{self.seed}:{slug}")
        self.city_id, self.slug, self.rng, self.model = city_id, slug, rng, model
        self.coordinator_id = coordinator_id
        self.sink.add("membership", {"tenant_id": city_id, "user_id": coordinator_id, "role": "coordinator",
                                     "created_at": self.now - timedelta(days=3650)})
        companies = rng.sample(COMPANIES, 6)
        self.partners = []
        for name, kind in ([(name, "company") for name in companies] + [
                (f"Universitet {number}", "university"), (f"Sprogcenter {number}", "language_school"),
                (f"{slug.replace('-', ' ').title()} Kommune", "municipality")]):
            partner = self.sink.add("partner", {"tenant_id": city_id, "name": name, "kind": kind, "website": "",
                                                "description": "", "public": True,
                                                "created_at": self.now - timedelta(days=3650)})
            self.partners.append(partner)
            if kind == "company":
                self.sink.add("partner_contact", {
                    "tenant_id": city_id, "partner_id": partner["id"], "name": self.name(), "phone": "",
                    "email": f"hr.{len(self.partners)}@{name.lower().replace(' ', '')}.example",
                    "job_title": "HR partner", "created_at": self.now - timedelta(days=3000)})
        self.companies = [p for p in self.partners if p["kind"] == "company"]
        self.mentor_pool: list[dict] = []
        self.people = 0
        plan = self.plan(rng)
        self.plan_of = list(reversed(plan))
        # What the evaluation's grouped queries would find, gathered as the rows are made: the rollups come from it.
        self.facts = _Facts({}, {}, {}, Counter(), {})
        self.rolled: list[tuple[int, int, str]] = []
        for index, status in enumerate(plan):
            self.round(index, status)
        rounds, rows = rollup_rows(city_id, self.rolled, model["criteria"], self.facts, self.now)
        for row in rounds:
            self.sink.add("round_rollup", row)
        for row in rows:
            self.sink.add("criterion_rollup", row)

    def plan(self, rng: random.Random) -> list[str]:
        """The rounds' statuses, oldest first: most followed up, one closed, one running, the newest recruiting."""
        newest = ["running", "followed_up"] if self.rounds <= 2 else \
            ["selecting" if rng.random() < 0.2 else "recruiting", "running", "closed"]
        statuses = (newest + ["followed_up"] * self.rounds)[:self.rounds]
        return list(reversed(statuses))

    def name(self) -> str:
        """A made-up person's name."""
        return f"{self.rng.choice(FIRST)} {self.rng.choice(LAST)}"

    # -- a round --

    def round(self, index: int, status: str) -> None:
        """One round: its events and timeline, applications, and what happened in it by its status."""
        rng, city_id = self.rng, self.city_id
        back = self.rounds - 1 - index  # 0: the newest
        running_back = self.plan_of.index("running") if "running" in self.plan_of else 0
        if status == "recruiting":
            starts = self.today + timedelta(days=60)
        elif status == "selecting":
            starts = self.today + timedelta(days=20)
        else:
            # Two a year back from the running round (70 days in); a followed-up round's follow-up is due.
            step = back - running_back + (1 if status == "followed_up" and self.rounds <= 2 else 0)
            starts = self.today - timedelta(days=70 + 182 * step)
        ends = starts + timedelta(days=120)
        season = "Forår" if starts.month <= 6 else "Efterår"
        cohort = self.sink.add("cohort", {
            "tenant_id": city_id, "name": f"{season} {starts.year} ({index + 1})", "starts_on": starts, "ends_on": ends,
            "apply_by": starts - timedelta(days=20), "mentor_capacity": 20, "mentee_capacity": 20,
            "status": status, "follow_up_on": ends + timedelta(days=182) if status in ("closed", "followed_up")
            else None, "follow_up_reminded_at": None, "description": "Four months with a mentor, joint workshops "
            "and a network.", "created_at": self._at(starts - timedelta(days=120))})
        lifecycle = ("planned", "recruiting", "selecting", "running", "closed", "followed_up")
        offsets = (-120, -60, -20, 0, 120, 182 + 120)
        for before, after, day in zip(lifecycle, lifecycle[1:], offsets[1:], strict=False):
            self.sink.add("cohort_transition", {"tenant_id": city_id, "cohort_id": cohort["id"],
                                                "from_status": before, "to_status": after,
                                                "at": self._at(starts + timedelta(days=day)),
                                                "by_user_id": self.coordinator_id, "note": ""})
            if after == status:
                break
        events = []
        for event in self.model["events"]:
            starts_at = datetime.combine(starts + timedelta(weeks=event["week_offset"]), datetime.min.time(), UTC) \
                + timedelta(hours=15)
            events.append(self.sink.add("cohort_event", {
                "tenant_id": city_id, "cohort_id": cohort["id"], "step": event["step"], "kind": event["kind"],
                "name_da": event["name_da"], "name_en": event["name_en"], "audience": event["audience"],
                "starts_at": starts_at, "duration_minutes": event["duration_minutes"], "location": ""}))
        size = self.participants
        mentees_n = max(1, size // 2 + rng.randint(-2, 2)) if size > 4 else max(1, size // 2)
        mentors_n = max(1, size - mentees_n)
        decided = status not in ("recruiting",)
        people = []
        for role, count in (("mentor", mentors_n), ("mentee", mentees_n)):
            extra = max(1, count // 5)
            for n in range(count + extra):
                if not decided:
                    outcome = "shortlisted" if rng.random() < 0.3 else "submitted"
                elif n < count:
                    outcome = "accepted"
                else:
                    outcome = rng.choice(("declined", "waitlisted", "withdrawn"))
                if status == "selecting" and outcome == "accepted" and rng.random() < 0.3:
                    outcome = "shortlisted"
                people.append(self.application(cohort, role, outcome, starts))
        accepted = [p for p in people if p["status"] == "accepted"]
        self.rolled.append((cohort["id"], starts.year, status))
        for person in accepted:
            self.facts.participants[(cohort["id"], person["role"])] += 1
        if status in ("running", "closed", "followed_up"):
            matches = self.pairs(cohort, accepted, status, starts)
            # RSVP links came with the platform: the last two years' rounds have them; every round has attendance.
            self.events(events, accepted, status, invited=back <= 4)
            self.sessions(cohort, matches, status, starts)
            self.surveys(cohort, accepted, status, starts, events, recent=back <= 2)

    def _at(self, day: date, hour: int = 10) -> datetime:
        return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour)

    def application(self, cohort: dict, role: str, status: str, starts: date) -> dict:
        """One application with a realistic profile (a returning mentor keeps their pool entry)."""
        rng, city_id = self.rng, self.city_id
        returning = role == "mentor" and self.mentor_pool and rng.random() < 0.3
        if returning:
            pool = rng.choice(self.mentor_pool)
            returning = pool["cohort"] != cohort["id"]
        if returning:
            participant, name, email = pool["participant"], pool["name"], pool["email"]
            pool["cohort"] = cohort["id"]
        else:
            self.people += 1
            name = self.name()
            email = f"{name.split()[0].lower()}.{self.people}@{role}.{self.slug}.example"
            participant = self.sink.add("participant", {"tenant_id": city_id, "role": role, "email": email,
                                                        "name": name, "created_at": self._at(starts, 8)
                                                        - timedelta(days=50), "erased_at": None})["id"]
            if role == "mentor":
                self.mentor_pool.append({"participant": participant, "name": name, "email": email,
                                         "cohort": cohort["id"]})
        field = rng.choice(FIELDS)
        applied = self._at(starts - timedelta(days=rng.randint(25, 55)), rng.randint(7, 21))
        languages = " ".join(sorted({"en", *rng.sample(LANGUAGES[:-1], rng.randint(0, 2))}
                                    | ({"da"} if role == "mentor" else set())))
        availability = " ".join(sorted(rng.sample(AVAILABILITY, rng.randint(1, 3))))
        decided = status in ("accepted", "declined", "waitlisted")
        values = {
            "tenant_id": city_id, "cohort_id": cohort["id"], "participant_id": participant, "role": role,
            "status": status, "source": "form", "name": name, "email": email, "phone": "",
            "locale": rng.choice(("da", "en", "en")), "field": field, "languages": languages,
            "availability": availability, "consent_version": consent.CURRENT, "consent_at": applied,
            "note": "", "created_at": applied, "confirmed_at": applied + timedelta(minutes=rng.randint(2, 600)),
            "decided_at": applied + timedelta(days=20) if decided else None,
            "decided_by_id": self.coordinator_id if decided else None, "invited": status == "accepted",
            "notified_status": status if decided and cohort["status"] != "selecting" else None,
            "notified_at": applied + timedelta(days=21) if decided and cohort["status"] != "selecting" else None,
            "erased_at": None, "share_cv": False, "mentee_capacity": 1, "mentoring_format": "one",
            "education": "", "years_experience": None, "job_goal": "", "danish_level": "", "arrived_on": None,
            "partner_employer": "", "partner_employer_id": None, "employer": "", "employer_id": None,
            "job_title": "", "industry": "", "expertise": "", "motivation": "",
        }
        if role == "mentor":
            company = rng.choice(self.companies)
            fmt = rng.choice(FORMATS)
            values.update(employer=company["name"], employer_id=company["id"], job_title="Senior specialist",
                          industry=field, expertise=EXPERTISE[field], mentoring_format=fmt,
                          mentee_capacity=1 if fmt == "one" else 2,
                          motivation="I had help myself when I started; now I want to give something back.")
        else:
            partner = rng.choice(self.companies + [None, None])
            values.update(education=rng.choice(("MSc", "BSc", "MA", "PhD", "MBA")) + f" {field.title()}",
                          years_experience=rng.randint(1, 15), job_goal=rng.choice(GOALS[field]),
                          danish_level=rng.choice(("none", "beginner", "beginner", "intermediate", "advanced")),
                          arrived_on=starts - timedelta(days=rng.randint(60, 900)),
                          partner_employer=partner["name"] if partner else rng.choice(COMPANIES),
                          partner_employer_id=partner["id"] if partner else None)
        return self.sink.add("application", values)

    def pairs(self, cohort: dict, accepted: list[dict], status: str, starts: date) -> list[dict]:
        """The round's pairs, published or ended, with their real scores and reasons; the matching run."""
        mentors = [a for a in accepted if a["role"] == "mentor"]
        mentees = [a for a in accepted if a["role"] == "mentee"]
        published = self._at(starts - timedelta(days=7))
        matches = []
        for n, mentee in enumerate(mentees):
            if not mentors:
                break
            mentor = mentors[n % len(mentors)]
            if n >= len(mentors) and mentor["mentee_capacity"] < 2:
                continue
            score = score_pair(mentor_profile(SimpleNamespace(**mentor)), mentee_profile(SimpleNamespace(**mentee)))
            reasons = [[part.key, round(part.points, 1), list(part.detail), part.explanation_key]
                       for part in score.parts]
            ended_early = status != "running" and self.rng.random() < 0.05
            match_status = "published" if status == "running" else "ended_early" if ended_early else "completed"
            ended_at = None if status == "running" else self._at(starts + timedelta(days=60 if ended_early
                                                                                    else 120))
            matches.append(self.sink.add("match", {
                "tenant_id": self.city_id, "cohort_id": cohort["id"], "mentor_id": mentor["id"],
                "mentee_id": mentee["id"], "group_no": None, "status": match_status, "score": round(score.total, 2),
                "reasons": reasons, "manual": False, "created_at": published - timedelta(days=3),
                "published_at": published, "ended_at": ended_at,
                "ended_by": None if ended_at is None else "mentee" if ended_early else "coordinator",
                "end_reason": "Found a job" if ended_early else "", "replaced_by_id": None}))
        self.sink.add("matching_run", {"tenant_id": self.city_id, "cohort_id": cohort["id"], "method": "optimal",
                                       "priority": "everyone_matched", "ran_at": published - timedelta(days=3),
                                       "unmatched": []})
        return matches

    def events(self, events: list[dict], accepted: list[dict], status: str, *, invited: bool) -> None:
        """Invitations with RSVP links (when `invited`) and check-ins at the joint events that took place."""
        rng = self.rng
        for event in events:
            invited_at = event["starts_at"] - timedelta(days=21)
            if invited_at.date() > self.today:
                continue
            audience = {"mentees": ("mentee",), "mentors": ("mentor",)}.get(event["audience"], ("mentor", "mentee"))
            past = event["starts_at"].date() < self.today
            for person in accepted:
                if person["role"] not in audience:
                    continue
                answer = rng.choice(RSVP)
                if invited:
                    nonce = f"{rng.getrandbits(128):032x}"
                    self.sink.add("event_invitation", {
                        "tenant_id": self.city_id, "event_id": event["id"], "application_id": person["id"],
                        "nonce": nonce, "token_hash": token_hash(link_token("rsvp", self.city_id, nonce)),
                        "answer": answer, "answered_at": invited_at + timedelta(days=2) if answer else None,
                        "invited_at": invited_at, "reminded": []})
                if past and answer == "yes" and rng.random() < 0.9:
                    self.sink.add("event_attendance", {"tenant_id": self.city_id, "event_id": event["id"],
                                                       "application_id": person["id"],
                                                       "checked_in_at": event["starts_at"]})

    def sessions(self, cohort: dict, matches: list[dict], status: str, starts: date) -> None:
        """1:1 sessions logged by the pairs, most confirmed by the other side."""
        rng = self.rng
        last = min(self.today, starts + timedelta(days=120))
        span = (last - starts).days
        topics = ("job_openings", "cv", "applications", "interview", "networking", "workplace_culture")
        for match in matches:
            for _ in range(rng.randint(1, 3) if status == "running" else rng.randint(2, 6)):
                held = starts + timedelta(days=rng.randint(0, max(0, span - 1)))
                log = self.sink.add("session_log", {
                    "tenant_id": self.city_id, "cohort_id": cohort["id"], "mentor_id": match["mentor_id"],
                    "logged_by_id": rng.choice((match["mentor_id"], match["mentee_id"])), "held_on": held,
                    "minutes": rng.choice((30, 45, 60, 60, 90)), "topics": sorted(rng.sample(topics, 2)),
                    "next_step": "Send the CV to two companies", "notes": "", "created_at": self._at(held, 20)})
                self.sink.add("session_pair", {"tenant_id": self.city_id, "session_id": log["id"],
                                               "match_id": match["id"],
                                               "confirmed_at": self._at(held, 21) if rng.random() < 0.8 else None})

    def surveys(self, cohort: dict, accepted: list[dict], status: str, starts: date, events: list[dict], *,
                recent: bool) -> None:
        """The surveys sent at the round's moments, their responses and answers, and the evaluation's facts."""
        at_event = {event["kind"]: event["starts_at"].date() for event in events}
        # The midway survey (not a measuring point) in the recent rounds: the running one's is open, a third answered.
        sends = [("midway", at_event.get("midway", starts + timedelta(weeks=8)), 0.3 if status == "running" else 0.7)
                 ] if recent else []
        if status in ("closed", "followed_up"):
            sends.append(("closing", at_event.get("closing", starts + timedelta(weeks=16)), 0.85))
        if status == "followed_up":
            sends.append(("follow_up", cohort["follow_up_on"], 0.6))
        for key, sent_on, rate in sends:
            survey = self.model["surveys"].get(key)
            if survey is None:
                continue
            audience = {"mentee": ("mentee",), "mentor": ("mentor",)}.get(survey["audience"], ("mentor", "mentee"))
            people = [person for person in accepted if person["role"] in audience]
            if not people:
                continue
            send = self.sink.add("survey_send", {
                "tenant_id": self.city_id, "cohort_id": cohort["id"], "survey_id": survey["id"], "survey_key": key,
                "anonymity": "pseudonymous", "reminder_days": [7, 14, 21], "sent_on": sent_on,
                "closes_on": sent_on + timedelta(days=28), "sent_at": self._at(sent_on, 8),
                "sent_by_id": None if key == "follow_up" else self.coordinator_id, "automatic": key == "follow_up"})
            point = MEASURED.get(survey["moment"], "")
            for person in people:
                answered = self.response(send, survey, person, rate, sent_on, point)
                if point:
                    asked, respondents = self.facts.people.get((cohort["id"], point, person["role"]), (0, 0))
                    self.facts.people[(cohort["id"], point, person["role"])] = (asked + 1, respondents + answered)

    def response(self, send: dict, survey: dict, person: dict, rate: float, sent_on: date, point: str) -> bool:
        """One person's response with its personal link, answered (with `rate`) as people do; whether answered."""
        rng = self.rng
        nonce = f"{rng.getrandbits(128):032x}"
        answered = rng.random() < rate
        when = self._at(sent_on + timedelta(days=rng.randint(0, 12)), rng.randint(8, 22))
        if answered and when.date() > self.today:
            when = self._at(self.today, 6)
        response = self.sink.add("survey_response", {
            "tenant_id": self.city_id, "send_id": send["id"], "role": person["role"], "application_id": person["id"],
            "contact_id": None, "nonce": nonce, "token_hash": token_hash(link_token("survey", self.city_id, nonce)),
            "pseudonym": f"R-{rng.getrandbits(24):06X}", "locale": person["locale"], "source": "link",
            "started_at": when if answered else None, "submitted_at": when if answered else None,
            "reminders_sent": 0 if answered else 1, "last_reminded_at": None})
        if not answered:
            return False
        given: dict[str, list[str]] = {}
        for question in survey["questions"]:
            if question["asked_of"] not in ("everyone", person["role"]):
                continue
            condition = question["show_if"]
            if condition and not set(given.get(condition.get("key"), ())) & set(condition.get("in", ())):
                continue
            for value, text in self.answer(question):
                given.setdefault(question["key"], []).append(value)
                self.sink.add("survey_answer", {"tenant_id": self.city_id, "response_id": response["id"],
                                                "question_id": question["id"], "key": question["key"],
                                                "value": value, "text": text})
        if point:
            self.count_answers(send["cohort_id"], point, person["role"], given)
        return True

    def count_answers(self, cohort_id: int, point: str, role: str, given: dict[str, list[str]]) -> None:
        """Add one respondent's answers to the facts as the evaluation's grouped query counts them."""
        criteria = self.model["criteria"]
        for key, values in given.items():
            if key not in self.model["keys"]:
                continue
            answered, yes = self.facts.answers.get((cohort_id, point, role, key), (0, (0,) * len(criteria)))
            yes = tuple(count + (criterion.question_key == key and bool(set(values) & set(criterion.yes_values
                                                                                          or [""])))
                        for count, criterion in zip(yes, criteria, strict=True))
            self.facts.answers[(cohort_id, point, role, key)] = (answered + 1, yes)

    def answer(self, question: dict) -> list[tuple[str, str]]:
        """A plausible answer to a question as (value, text) rows; optional questions are often skipped."""
        rng, kind = self.rng, question["kind"]
        if not question["required"] and rng.random() < 0.4:
            return []
        if kind == "likert":
            return [(rng.choice(LIKERT), "")]
        if kind == "yes_no":
            return [(rng.choice(YES_NO), "")]
        if kind == "employment":
            return [(rng.choice(SITUATION), "")]
        if kind == "number":
            low, high = question["minimum"] or 0, min(question["maximum"] or 10, 12)
            return [(str(rng.randint(low, max(low, high))), "")]
        if kind in ("single", "multiple"):
            codes = [option["code"] for option in question["options"]]
            if not codes:
                return []
            picked = rng.sample(codes, min(len(codes), rng.randint(1, 3))) if kind == "multiple" else \
                [rng.choice(codes)]
            return [(code, "") for code in picked]
        if kind == "text":
            return [("", rng.choice(("Meeting people who work in my field.", "The interview workshop.",
                                     "More time with my mentor.", "The kick-off evening.")))]
        return []


def seed_scale(cities: int, rounds: int, participants: int, seed: int = 1, first: int = 1, *,
               writers: int = WRITERS, report=None) -> dict:
    """Seed `cities` cities (numbered from `first`) with their rounds; the row counts per table (and timings).

    On PostgreSQL `writers` threads write on connections of their own while the rows are generated (each batch
    committed); with 0 everything goes through the session, in its transaction (tests).
    """
    session = db.session
    report = report or (lambda message: None)
    slugs = [city_slug(number) for number in range(first, first + cities)]
    taken = session.execute(select(Tenant.slug).where(Tenant.slug.in_(slugs[:1] + slugs[-1:]))).scalars().all()
    if taken:
        raise click.ClickException(f"City {taken[0]} exists already: seed another range with --first.")
    started = time.perf_counter()
    today = clock.today()
    sink = Sink(session)
    seeder = Seeder(session, sink, seed, rounds, participants, today)
    password = hash_password(SCALE_PASSWORD)  # one hash for every seeded account: argon2 is slow on purpose
    regions = Region.codes()
    city_ids, user_ids = [], []
    accounts = sink.tables["user_account"]
    existing = dict(session.execute(select(accounts.c.email, accounts.c.id).where(
        accounts.c.email.in_([coordinator_email(slug) for slug in slugs] + [NATIONAL_EMAIL]))).all())
    with cross_tenant(session):
        for number, slug in zip(range(first, first + cities), slugs, strict=True):
            city = sink.add("tenant", {
                "slug": slug, "name": f"Scale {number:04d} Career Mentoring", "municipality": f"Scale {number} Kommune",
                "region": regions[number % len(regions)], "status": "active", "is_host": False,
                "contact_name": "Scale coordinator", "contact_email": coordinator_email(slug),
                "public_email": f"mentoring@{slug}.example", "public_phone": "", "motivation": "",
                "intro_da": "Et karriere-mentorprogram for medfølgende partnere.",
                "intro_en": "A career mentoring programme for accompanying partners.", "timezone": "Europe/Copenhagen",
                "created_at": seeder.now - timedelta(days=3700), "decided_at": seeder.now - timedelta(days=3690)})
            city_ids.append(city["id"])
            user_id = existing.get(coordinator_email(slug)) or sink.add("user_account", {
                "email": coordinator_email(slug), "name": f"Koordinator {number}", "password_hash": password,
                "locale": "en", "platform_role": None, "active": True, "created_at": seeder.now - timedelta(days=3690),
                "last_login_at": None})["id"]
            user_ids.append(user_id)
        if NATIONAL_EMAIL not in existing:
            sink.add("user_account", {"email": NATIONAL_EMAIL, "name": "National Stakeholder (scale)",
                                      "password_hash": password, "locale": "en", "platform_role": "national",
                                      "active": True, "created_at": seeder.now, "last_login_at": None})
        sink.flush()
    # The first city gets its programme model as any new city does (the host's, or the defaults); the others copy it.
    from mentorby.tenants.programme.services import install_model

    install_model(session, session.get(Tenant, city_ids[0]), current_app.config["HOST_CITY_SLUG"])
    session.commit()
    with cross_tenant(session):
        template = seeder.model_rows(city_ids[0])
        if writers:
            sink.start_writer(writers)
        try:
            for position, (number, slug, city_id, user_id) in enumerate(
                    zip(range(first, first + cities), slugs, city_ids, user_ids, strict=True)):
                model = seeder.shape(template) if position == 0 else seeder.copy_model(template, city_id)
                seeder.city(number, city_id, slug, model, user_id)
                sink.maybe_flush()
                if position % 100 == 99:
                    report(f"  {position + 1:,} cities generated ({time.perf_counter() - started:.0f} s)")
            sink.flush()
        finally:
            sink.stop_writer()
    session.commit()
    loaded = time.perf_counter() - started
    return {"counts": dict(sink.counts), "seconds": round(loaded, 1), "today": today.isoformat(),
            "cities": dict(zip(slugs, city_ids, strict=True))}


def register(app: Flask) -> None:
    """Add `flask seed-scale`."""

    @app.cli.command("seed-scale")
    @click.option("--cities", type=click.IntRange(1, 100_000), default=10, show_default=True)
    @click.option("--rounds", type=click.IntRange(1, 100), default=20, show_default=True,
                  help="rounds per city, two a year")
    @click.option("--participants", type=click.IntRange(2, 500), default=40, show_default=True,
                  help="accepted mentors and mentees per round")
    @click.option("--seed", type=int, default=1, show_default=True, help="the same seed gives the same data")
    @click.option("--first", type=click.IntRange(1, 9999), default=1, show_default=True,
                  help="number of the first city (to add cities to an earlier seed)")
    def seed_scale_command(cities, rounds, participants, seed, first):
        """Load synthetic cities at scale for benchmarks (refused in production)."""
        if current_app.config["ENV_NAME"] == "production":
            raise click.ClickException("seed-scale is for benchmarks; it is refused in production.")
        result = seed_scale(cities, rounds, participants, seed, first, report=click.echo)
        total = sum(result["counts"].values())
        click.echo(f"Seeded {cities:,} cities x {rounds} rounds x {participants} participants: {total:,} rows in "
                   f"{result['seconds']} s.")
        for table, count in sorted(result["counts"].items()):
            click.echo(f"  {table:24} {count:>12,}")
        click.echo(f"Sign in as coordinator@{city_slug(first)}.example (each city has its own) or {NATIONAL_EMAIL}, "
                   f"password {SCALE_PASSWORD!r}.")
