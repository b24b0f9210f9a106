"""Survey answers collected elsewhere (on paper, in another survey tool) into a round, and a sent survey's answers out.

The import file has one row per respondent and these columns (any case, any order; spaces and hyphens count as _):

==============  ==================================================================================================
email           the respondent's address (required): an accepted mentor or mentee of the round, or for the
                companies' survey a contact of a partner company, whom the survey asks
<question key>  one column per question of the survey version (network, would_recommend, ...), each optional;
                a Likert step 1-5, yes/no (ja/nej too), an employment code, a choice's code (or its words), several
                choices separated by ; or , a whole number in the question's range, or a free text
submitted_on    when the answers were given, as yyyy-mm-dd, dd-mm-yyyy, dd.mm.yyyy or dd/mm/yyyy (empty: today)
==============  ==================================================================================================

The survey version is the one already sent to the round, if it went out; else the city's current version, which the
import sends to the round without mailing anyone (`sending.send(..., notify=False)`): everyone the survey asks gets a
response row, so the response rate counts those who did not answer too. Rows are checked as the personal link's
`answering.submit` checks a form: a question not asked of the person's role, or hidden by its condition, stays
empty; every required question the person sees is answered. A person who already answered (through their link, or
an earlier import) is refused; one who started through the link and did not send has their answers replaced.

The dry run (`check_file`) names every bad cell and writes nothing; the import (`import_file`) writes all rows or
none, with a fixed number of queries, and notes the import in the city's audit log.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import delete, exists, insert, select
from sqlalchemy.orm import Session

from mentorby.platform import clock
from mentorby.platform.accounts.services import normalise_email
from mentorby.platform.audit.listener import record
from mentorby.platform.tenancy import session_tenant_id, utcnow
from mentorby.tenants.applications.models import ACCEPTED, Application
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.partners.models import PartnerContact
from mentorby.tenants.surveys import builder, sending
from mentorby.tenants.surveys.answering import asked, check_answer, codes_of, visible
from mentorby.tenants.surveys.errors import SurveyError
from mentorby.tenants.surveys.models import (
    Anonymity,
    Answer,
    AnswerSource,
    Employment,
    Likert,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveySend,
    YesNo,
)
from mentorby.tenants.transfer import reading
from mentorby.tenants.transfer.cells import filled, parse_date, parse_whole, shown, text
from mentorby.tenants.transfer.checks import FileProblem, ImportRejected, Problem, Report, in_column_order
from mentorby.tenants.transfer.exporting import slug, to_csv, to_xlsx
from mentorby.tenants.transfer.reading import CSV, XLSX, Limits, Sheet

EMAIL, SUBMITTED_ON = "email", "submitted_on"
#: The largest file taken, in bytes: a round has some 40 people, a city's whole year a few hundred.
MAX_BYTES = 2 * 1024 * 1024
#: The most rows one file may have.
MAX_ROWS = 2_000
#: The most columns with data (a survey's questions and the two others, with room to name unknown ones).
MAX_COLUMNS = 200
LIMITS = Limits(bytes=MAX_BYTES, rows=MAX_ROWS, columns=MAX_COLUMNS, cells=(MAX_ROWS + 1) * 60,
                strings=(MAX_ROWS + 1) * 30, characters=MAX_BYTES)
#: The reader's codes that mean something else for a file of answers.
_RENAMED = {"no_rows": "no_answers", "unknown_columns": "unknown_answer_columns"}
#: Words a spreadsheet may have for yes and no, beside the codes.
_YES_NO = {"ja": YesNo.YES.value, "j": YesNo.YES.value, "y": YesNo.YES.value, "true": YesNo.YES.value,
           "nej": YesNo.NO.value, "n": YesNo.NO.value, "false": YesNo.NO.value}
_SEVERAL = re.compile(r"[;,]")
#: Roles asked by each audience of a survey.
_ROLES = {"both": ("mentor", "mentee"), "mentor": ("mentor",), "mentee": ("mentee",), "company": ("company",)}
#: The time of day an imported answer is dated at, in the city, when the file gives only the day.
_NOON = time(12, 0)


# --- which survey, whose answers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """The survey version a round's answers belong to, and its send to the round if it went out."""

    survey: Survey
    send: SurveySend | None

    @property
    def columns(self) -> tuple[str, ...]:
        """The file's columns: email, one per question key, submitted_on."""
        return (EMAIL, *(question.key for question in self.survey.questions), SUBMITTED_ON)


def target(session: Session, cohort: Cohort, key: str) -> Target | None:
    """The version of survey `key` sent to the round, else the city's current one; None for an unknown key."""
    if not isinstance(key, str) or not builder.valid_key(key):
        return None
    sent = session.execute(select(SurveySend).where(SurveySend.cohort_id == cohort.id,
                                                    SurveySend.survey_key == key)).scalar_one_or_none()
    if sent is not None:
        return Target(sent.survey, sent)
    survey = builder.current(session, key)
    return Target(survey, None) if survey is not None else None


@dataclass(frozen=True)
class Respondent:
    """Someone the survey asks in the round, and their response row if the survey went out."""

    role: str
    application_id: int | None = None
    contact_id: int | None = None
    response: Response | None = None

    @property
    def person(self) -> tuple[int | None, int | None]:
        """Who it is, as a response row names them."""
        return self.application_id, self.contact_id


def respondents(session: Session, cohort: Cohort, where: Target) -> dict[str, Respondent]:
    """E-mail (lower-cased) -> respondent: those the send went to, or those a send now would go to; one query."""
    if where.send is None:
        return {normalise_email(person.email): Respondent(person.role, person.application_id, person.contact_id)
                for person in reversed(sending.recipients(session, cohort, where.survey))}
    rows = session.execute(
        select(Response, Application.email, PartnerContact.email)
        .outerjoin(Application, Application.id == Response.application_id)
        .outerjoin(PartnerContact, PartnerContact.id == Response.contact_id)
        .where(Response.send_id == where.send.id).order_by(Response.id.desc())).all()
    return {normalise_email(application_email or contact_email or ""): Respondent(
        response.role, response.application_id, response.contact_id, response)
        for response, application_email, contact_email in rows}


def _round_roles(session: Session, cohort: Cohort) -> dict[str, str]:
    """E-mail -> role of the round's accepted people, to say why someone the survey does not ask is refused."""
    return {normalise_email(email): role.value if hasattr(role, "value") else role
            for email, role in session.execute(select(Application.email, Application.role).where(
                Application.cohort_id == cohort.id, Application.status == ACCEPTED))}


# --- reading and checking a file ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedAnswers:
    """A valid row: whose answers, given when, and the rows to store per question key."""

    number: int
    respondent: Respondent
    submitted_on: date | None
    answers: dict[str, tuple[Question, list[tuple[str, str]]]] = field(default_factory=dict)


class AnswersReport(Report):
    """A report on a file of answers: valid rows are counted per role."""


def read_file(filename: str, data: bytes, where: Target, *, limits: Limits = LIMITS) -> Sheet:
    """The rows of an uploaded file of answers; raises FileProblem when it cannot be read."""
    try:
        return reading.read_file(filename, data, columns=where.columns, required=(EMAIL,), limits=limits)
    except FileProblem as problem:
        problem.problems = [_renamed(found) for found in problem.problems]
        raise


def _renamed(problem: Problem) -> Problem:
    code = _RENAMED.get(problem.code)
    return Problem(problem.row, problem.column, code, problem.params, problem.value) if code else problem


def _code(question: Question, given: str) -> str:
    """A code as written in a cell, made the question's own where that is unambiguous (ja is yes, a choice's words)."""
    lowered = given.strip().casefold()
    kind = question.kind
    if kind == QuestionKind.YES_NO:
        return _YES_NO.get(lowered, lowered)
    if kind == QuestionKind.EMPLOYMENT:
        return re.sub(r"[\s\-]+", "_", lowered)
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        for option in question.options:
            if lowered in (str(option.get("code", "")).casefold(), str(option.get("da", "")).casefold(),
                           str(option.get("en", "")).casefold()):
                return option["code"]
    return lowered


def raw_answer(question: Question, value) -> list[str]:
    """A cell as the raw answer `answering.check_answer` takes: a list of codes, a number, or a text."""
    if not filled(value):
        return []
    kind = question.kind
    if kind == QuestionKind.TEXT:
        return [text(value)]
    if kind == QuestionKind.NUMBER or kind == QuestionKind.LIKERT:
        try:
            number = parse_whole(value)
        except ValueError:
            return [text(value)]
        return [str(number)] if number is not None else []
    written = text(value)
    whole = _code(question, written)
    if whole in codes_of(question):
        return [whole]  # a choice whose words hold a comma
    # Several codes in a question of one answer are refused as such ("one answer only"), not as an unknown code.
    return [_code(question, part) for part in _SEVERAL.split(written) if part.strip()]


def _checked(question: Question, value) -> tuple[list[tuple[str, str]] | None, tuple[str, dict] | None]:
    """(rows to store, None) or (None, (code, params)) for a cell."""
    raw = raw_answer(question, value)
    try:
        return check_answer(question, raw), None
    except SurveyError as error:
        if error.code == "answer_not_a_choice":
            allowed = codes_of(question)
            unknown = [code for code in raw if code not in allowed]
            return None, ("unknown_code", {"value": ", ".join(unknown), "allowed": ", ".join(allowed)})
        return None, (error.code, dict(error.params))


@dataclass
class _Context:
    """What checking the rows needs to know of the round and the survey, read once."""

    where: Target
    people: dict[str, Respondent]
    round_roles: dict[str, str]
    today: date
    columns: tuple[str, ...]
    #: Required questions whose column the file lacks (reported once for the file).
    missing: set[str] = field(default_factory=set)
    first_seen: dict[str, int] = field(default_factory=dict)


def _check_email(row: reading.SourceRow, context: _Context, report) -> Respondent | None:
    written = text(row.cells.get(EMAIL))
    email = normalise_email(written)
    if not email:
        report(EMAIL, "required")
        return None
    if email in context.first_seen:
        report(EMAIL, "answer_duplicate", {"first": context.first_seen[email]})
        return None
    context.first_seen[email] = row.number
    person = context.people.get(email)
    if person is None:
        role = context.round_roles.get(email)
        audience = context.where.survey.audience.value
        if role is None:
            report(EMAIL, "answer_not_in_round")
        elif role in _ROLES[audience]:
            report(EMAIL, "answer_not_sent_to")
        else:
            report(EMAIL, "answer_not_in_audience", {"role": role, "audience": audience})
        return None
    response = person.response
    if response is not None and response.submitted_at is not None:
        code = "answer_already_imported" if response.source == AnswerSource.IMPORT else "answer_already_given"
        report(EMAIL, code, {"date": clock.local(response.submitted_at).date()})
        return None
    return person


def check_row(row: reading.SourceRow, context: _Context) -> tuple[PreparedAnswers | None, list[Problem]]:
    """A row's answers ready to store, or its problems: every bad cell, not only the first."""
    cells = row.cells
    problems: list[Problem] = []

    def report(column: str, code: str, params: dict | None = None) -> None:
        problems.append(Problem(row.number, column, code, params or {}, shown(cells.get(column))))

    person = _check_email(row, context, report)
    submitted_on = None
    try:
        submitted_on = parse_date(cells.get(SUBMITTED_ON))
    except ValueError:
        report(SUBMITTED_ON, "bad_date")
    if submitted_on is not None and submitted_on > context.today:
        report(SUBMITTED_ON, "answer_date_future")
    questions = list(context.where.survey.questions)
    checked: dict[str, tuple[Question, list[tuple[str, str]]]] = {}
    bad: set[str] = set()
    for question in questions:
        if question.key not in context.columns:
            continue
        rows, problem = _checked(question, cells.get(question.key))
        if problem:
            report(question.key, *problem)
            bad.add(question.key)
        elif rows:
            checked[question.key] = (question, rows)
    if person is None:
        return None, problems
    role = person.role
    codes = {key: [value or written for value, written in rows] for key, (_, rows) in checked.items()}
    seen = {question.key for question in visible(questions, role, codes)}
    for question in questions:
        key = question.key
        if key in checked and not asked(question, role):
            report(key, "answer_not_asked", {"asked": question.asked_of.value, "role": role})
        elif key in checked and key not in seen and (question.show_if or {}).get("key") not in bad:
            report(key, "answer_hidden", {"key": (question.show_if or {}).get("key", "")})
        elif question.required and key in seen and key not in checked and key not in bad and \
                key not in context.missing:
            report(key, "answer_required")
    if problems:
        return None, problems
    return PreparedAnswers(row.number, person, submitted_on, checked), []


def _missing_required(where: Target, sheet: Sheet, people: dict[str, Respondent]) -> list[str]:
    """Required questions (shown to everyone of a role) whose column the file lacks while it has someone asked."""
    roles = {people[email].role for row in sheet.rows
             if (email := normalise_email(text(row.cells.get(EMAIL)))) in people}
    return [question.key for question in where.survey.questions
            if question.required and not question.show_if and question.key not in sheet.columns
            and any(asked(question, role) for role in roles)]


def validate(where: Target, sheet: Sheet, *, people: Mapping[str, Respondent], round_roles: Mapping[str, str],
             today: date) -> AnswersReport:
    """Check every row of a file of answers (no database): whose they are, each cell, what the person must answer."""
    report = AnswersReport(total=len(sheet.rows), encoding=sheet.encoding, sample=sheet.sample)
    missing = _missing_required(where, sheet, dict(people))
    if missing:
        report.problems.append(Problem(1, None, "missing_columns", {"columns": ", ".join(missing)}))
    context = _Context(where, dict(people), dict(round_roles), today, sheet.columns, set(missing))
    for row in sheet.rows:
        prepared, problems = check_row(row, context)
        if problems:
            report.problems.extend(in_column_order(problems, where.columns))
            continue
        report.rows.append(prepared)
        report.counts[prepared.respondent.role] += 1
    return report


def phase_problem(cohort: Cohort) -> Problem | None:
    """What the round's phase says against taking answers (None when it takes them)."""
    try:
        phases.require(cohort, "survey")
    except phases.PhaseError as error:
        return Problem(None, None, error.code, dict(error.params))
    return None


def check_rows(session: Session, cohort: Cohort, where: Target, sheet: Sheet, *,
               today: date | None = None) -> AnswersReport:
    """The dry run: every problem the import of `sheet` would meet; writes nothing, a fixed few queries."""
    people = respondents(session, cohort, where)
    report = validate(where, sheet, people=people, round_roles=_round_roles(session, cohort),
                      today=today or clock.today())
    refused = phase_problem(cohort)
    if refused:
        report.problems.insert(0, refused)
    return report


def check_file(session: Session, cohort: Cohort, where: Target, filename: str, data: bytes, *,
               today: date | None = None) -> AnswersReport:
    """The dry run of an uploaded file: a report of every problem, the file's own included; writes nothing."""
    try:
        sheet = read_file(filename, data, where)
    except FileProblem as problem:
        return AnswersReport(problems=list(problem.problems))
    return check_rows(session, cohort, where, sheet, today=today)


def _moment(day: date | None, now: datetime) -> datetime:
    return clock.at(day, _NOON) if day is not None else now


def import_rows(session: Session, cohort: Cohort, where: Target, sheet: Sheet, *, by_user_id: int | None = None,
                filename: str = "", today: date | None = None) -> AnswersReport:
    """Check `sheet` and, only if no row has a problem, store every row's answers; else write nothing.

    Raises ImportRejected with the report when anything is wrong. Sends the survey to the round without mail first
    if it has not gone out. A fixed number of queries, however many rows.
    """
    report = check_rows(session, cohort, where, sheet, today=today)
    if not report.rows and not report.problems:
        report.problems.append(Problem(None, None, "no_answers"))
    if report.problems:
        raise ImportRejected(report)
    # A savepoint: should the send be refused after all (nobody left to ask), nothing stays written.
    with session.begin_nested():
        sent = where.send
        by_person: dict[tuple[int | None, int | None], Response]
        if sent is None:
            try:
                sent = sending.send(session, cohort, where.survey, notify=False, by_id=by_user_id, today=today)
            except (SurveyError, phases.PhaseError) as error:
                report.problems.append(Problem(None, None, error.code, dict(error.params)))
                raise ImportRejected(report) from error
            responses = session.execute(select(Response).where(Response.send_id == sent.id)).scalars()
            by_person = {(response.application_id, response.contact_id): response for response in responses}
        else:
            by_person = {row.respondent.person: row.respondent.response for row in report.rows}
        now = utcnow()
        chosen = [by_person[row.respondent.person] for row in report.rows]
        # Answers autosaved through the link by someone who never sent them give way to the imported ones.
        session.execute(delete(Answer).where(Answer.response_id.in_([response.id for response in chosen]))
                        .execution_options(synchronize_session=False))
        city = session_tenant_id(session)
        stored = []
        for row, response in zip(report.rows, chosen, strict=True):
            moment = _moment(row.submitted_on, now)
            response.started_at = moment
            response.submitted_at = moment
            response.source = AnswerSource.IMPORT
            for key, (question, rows) in row.answers.items():
                stored.extend({"tenant_id": city, "response_id": response.id, "question_id": question.id, "key": key,
                               "value": value, "text": written} for value, written in rows)
        session.flush()
        # One statement for every answer (the ORM would insert them one by one to learn their ids, not needed here).
        if stored:
            session.execute(insert(Answer.__table__), stored)
        for response in chosen:
            session.expire(response, ["answers"])
        # Answers are not audited row by row: the log says who brought in how many, from which file, into which send.
        record(session, action="import", entity="survey_send", entity_id=sent.id,
               details={"rows": len(report.rows), "answers": len(stored), "file": (filename or "")[:200]})
    report.imported = len(report.rows)
    return report


def import_file(session: Session, cohort: Cohort, where: Target, filename: str, data: bytes, *,
                by_user_id: int | None = None, today: date | None = None) -> AnswersReport:
    """Read an uploaded file and import it all or nothing (ImportRejected with the report when anything is wrong)."""
    try:
        sheet = read_file(filename, data, where)
    except FileProblem as problem:
        raise ImportRejected(AnswersReport(problems=list(problem.problems))) from problem
    return import_rows(session, cohort, where, sheet, by_user_id=by_user_id, filename=filename, today=today)


def submit(session: Session, cohort: Cohort, where: Target, filename: str, data: bytes, *, action: str,
           by_user_id: int | None = None, today: date | None = None) -> AnswersReport:
    """Check (action "check") or import (action "import") an uploaded file: the report, or ImportRejected."""
    if action == "import":
        return import_file(session, cohort, where, filename, data, by_user_id=by_user_id, today=today)
    return check_file(session, cohort, where, filename, data, today=today)


# --- the raw answers out, and a template in ----------------------------------------------------------------------


#: Columns before the question keys: who (named sends only, or the pseudonym), their role, when and how they answered.
#: A pseudonymous row has no date and no source: the coordinator's list shows who answered when (and who was
#: imported), so either would lead from a pseudonym back to a name.
NAMED_COLUMNS = ("name", EMAIL, "role", SUBMITTED_ON, "source")
PSEUDONYMOUS_COLUMNS = ("pseudonym", "role")
#: Kinds whose codes are whole numbers, written as number cells.
_NUMERIC = (QuestionKind.LIKERT, QuestionKind.NUMBER)


def _cell(question: Question | None, values: list[str]):
    if not values:
        return None
    if question is not None and question.kind in _NUMERIC and len(values) == 1 and values[0].lstrip("-").isdigit():
        return int(values[0])
    return "; ".join(values)


def answer_table(session: Session, send: SurveySend) -> tuple[tuple[str, ...], list[tuple]]:
    """The send's columns and one row per response with answers; three queries, whatever the number of responses.

    A pseudonymous send's rows carry the pseudonym and never a name or an address, in the pseudonyms' order (random,
    so the order of the rows tells nothing of who is who either); a named send's rows carry name and address.
    """
    questions = list(send.survey.questions)
    named = send.anonymity == Anonymity.NAMED
    answered = exists().where(Answer.response_id == Response.id)
    if named:
        query = (select(Response.id, Response.role, Response.submitted_at, Response.source, Application.name,
                        Application.email, PartnerContact.name, PartnerContact.email)
                 .outerjoin(Application, Application.id == Response.application_id)
                 .outerjoin(PartnerContact, PartnerContact.id == Response.contact_id)
                 .where(Response.send_id == send.id, answered)
                 .order_by(Application.name, PartnerContact.name, Response.id))
    else:
        query = (select(Response.id, Response.role, Response.submitted_at, Response.source, Response.pseudonym)
                 .where(Response.send_id == send.id, answered).order_by(Response.pseudonym, Response.id))
    people = session.execute(query).all()
    given: dict[int, dict[str, list[str]]] = {}
    for response_id, key, value, written in session.execute(
            select(Answer.response_id, Answer.key, Answer.value, Answer.text)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.send_id == send.id).order_by(Answer.response_id, Answer.id)):
        given.setdefault(response_id, {}).setdefault(key, []).append(value or written)
    rows = []
    for person in people:
        response_id, role, submitted_at, source = person[:4]
        day = clock.local(submitted_at).date() if submitted_at else None
        source = source.value if hasattr(source, "value") else source
        answers = given.get(response_id, {})
        cells = tuple(_cell(question, answers.get(question.key, [])) for question in questions)
        if named:
            rows.append((person[4] or person[6] or "", person[5] or person[7] or "", role, day, source, *cells))
        else:
            rows.append((person[4], role, *cells))
    columns = (NAMED_COLUMNS if named else PSEUDONYMOUS_COLUMNS) + tuple(question.key for question in questions)
    return columns, rows


def render_table(columns: Sequence[str], rows: Sequence[Sequence], fmt: str, *, title: str) -> bytes:
    """A table as a CSV or XLSX file (text that a spreadsheet would run as a formula is quoted)."""
    if fmt == CSV:
        return to_csv(rows, columns)
    if fmt == XLSX:
        return to_xlsx(rows, columns, title=title)
    raise ValueError(fmt)


def export(session: Session, cohort: Cohort, send: SurveySend, fmt: str) -> tuple[bytes, int]:
    """The send's raw answers as a file of format csv or xlsx, and the rows in it; noted in the audit log."""
    columns, rows = answer_table(session, send)
    body = render_table(columns, rows, fmt, title=send.survey_key)
    # Answers leaving the platform: the city's log says who took which survey's answers, and when.
    record(session, action="export", entity="survey_send", entity_id=send.id,
           details={"format": fmt, "rows": len(rows)})
    return body, len(rows)


def filename(cohort: Cohort, key: str, what: str, fmt: str, today: date) -> str:
    """A download name such as spring-2027-closing-answers-2027-06-30.csv."""
    return f"{slug(cohort.name) or 'round'}-{slug(key) or 'survey'}-{what}-{today.isoformat()}.{fmt}"


def _example(question: Question) -> str | int:
    """A valid answer to a question, for the template's example row."""
    kind = question.kind
    if kind == QuestionKind.LIKERT:
        return int(Likert.AGREE.value)
    if kind == QuestionKind.YES_NO:
        return YesNo.YES.value
    if kind == QuestionKind.EMPLOYMENT:
        return Employment.FULL_TIME.value
    if kind == QuestionKind.NUMBER:
        low, high = question.minimum or 0, question.maximum if question.maximum is not None else 10
        return max(low, min(high, 3))
    if kind == QuestionKind.SINGLE:
        return question.options[0]["code"] if question.options else ""
    if kind == QuestionKind.MULTIPLE:
        return "; ".join(option["code"] for option in question.options[:2])
    return "…"


def template(survey: Survey, fmt: str, *, today: date) -> bytes:
    """An import file for the survey: the header row and one example row of a person of its first role."""
    questions = list(survey.questions)
    role = _ROLES[survey.audience.value][-1]
    example: dict[str, str | int] = {}
    # Fill in the questions the example person sees, one after the other, so conditions read the earlier answers.
    answered: dict[str, list[str]] = {}
    for question in questions:
        if question in visible(questions, role, answered):
            value = _example(question)
            example[question.key] = value
            answered[question.key] = [str(value)]
    row = ("name@example.org", *(example.get(question.key) for question in questions), today)
    columns = (EMAIL, *(question.key for question in questions), SUBMITTED_ON)
    return render_table(columns, [row], fmt, title=survey.key)
