"""Answering a survey through a personal link: which questions a person sees, checking an answer, autosave, submit.

`visible` and `check_answer` are pure (plain data in and out); the rest works on the session's city. An answer
is saved as soon as it is given (autosave), so a person can stop and come back; submitting checks the required
questions of what they see and closes the response. After submitting, or after the send closes, nothing changes.
"""

from collections.abc import Mapping, Sequence
from datetime import date

from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from mentorby.platform.tenancy import utcnow
from mentorby.tenants.surveys.errors import SurveyError
from mentorby.tenants.surveys.models import (
    Answer,
    AskedOf,
    Employment,
    Likert,
    Question,
    QuestionKind,
    Response,
    YesNo,
)
from mentorby.tenants.surveys.sending import is_open

#: The longest free-text answer.
MAX_TEXT = 4000


def codes_of(question) -> tuple[str, ...]:
    """The codes a question takes (empty for a number or a free text)."""
    kind = question.kind
    if kind == QuestionKind.LIKERT:
        return Likert.codes()
    if kind == QuestionKind.YES_NO:
        return YesNo.codes()
    if kind == QuestionKind.EMPLOYMENT:
        return Employment.codes()
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return tuple(option["code"] for option in question.options)
    return ()


def asked(question, role: str) -> bool:
    """Whether a respondent of `role` (mentor, mentee, company) is asked this question at all."""
    return question.asked_of == AskedOf.EVERYONE or question.asked_of == role


def visible(questions: Sequence, role: str, given: Mapping[str, Sequence[str]]) -> list:
    """The questions a respondent sees, in order: asked of their role, and each condition met by what they said.

    `given` maps a question key to the codes answered. A question whose condition reads a hidden question is
    hidden too.
    """
    shown, keys = [], set()
    for question in questions:
        if not asked(question, role):
            continue
        condition = question.show_if
        if condition:
            source = condition.get("key")
            if source not in keys or not set(given.get(source, ())) & set(condition.get("in", ())):
                continue
        shown.append(question)
        keys.add(question.key)
    return shown


def check_answer(question, raw: Sequence[str]) -> list[tuple[str, str]]:
    """A question's answer as (value, text) rows to store, or SurveyError. An empty answer gives no rows.

    Likert, yes/no, employment and single choice take one code; multiple choice takes several; a number takes a
    whole number in the question's range; a free text up to MAX_TEXT characters.
    """
    values = [str(value).strip() for value in raw if value is not None and str(value).strip() != ""]
    if not values:
        return []
    kind = question.kind
    field = f"q_{question.key}"
    if kind == QuestionKind.TEXT:
        written = "\n".join(values)
        if len(written) > MAX_TEXT:
            raise SurveyError("answer_too_long", field, max=MAX_TEXT)
        if any(ord(character) < 32 and character not in "\n\r\t" for character in written):
            raise SurveyError("bad_answer", field)
        return [("", written)]
    if kind == QuestionKind.NUMBER:
        if len(values) != 1 or not values[0].lstrip("-").isdigit() or len(values[0]) > 9:
            raise SurveyError("answer_not_a_number", field)
        number = int(values[0])
        if not question.minimum <= number <= question.maximum:
            raise SurveyError("answer_out_of_range", field, min=question.minimum, max=question.maximum)
        return [(str(number), "")]
    allowed = codes_of(question)
    if kind != QuestionKind.MULTIPLE and len(values) != 1:
        raise SurveyError("answer_one_choice", field)
    if any(value not in allowed for value in values):
        raise SurveyError("answer_not_a_choice", field)
    return [(value, "") for value in dict.fromkeys(values)]


def given(response: Response) -> dict[str, list[str]]:
    """What a response holds: question key -> codes (or the text)."""
    found: dict[str, list[str]] = {}
    for answer in response.answers:
        found.setdefault(answer.key, []).append(answer.value or answer.text)
    return found


def questions_of(response: Response) -> list[Question]:
    """The questions of the version the response was given."""
    return list(response.send.survey.questions)


def can_change(response: Response, today: date) -> None:
    """Refuse a change to a submitted response or after the survey closed."""
    if response.submitted_at is not None:
        raise SurveyError("already_answered")
    if not is_open(response.send, today):
        raise SurveyError("survey_closed")


def _question(response: Response, question_id) -> Question:
    for question in questions_of(response):
        if str(question.id) == str(question_id):
            return question
    # A question id of another survey or version: a tampered form (or one open across a new version).
    raise SurveyError("unknown_question")


def _store(session: Session, response: Response, question: Question, rows: list[tuple[str, str]]) -> None:
    session.execute(delete(Answer).where(Answer.response_id == response.id, Answer.question_id == question.id))
    for value, text in rows:
        session.add(Answer(response_id=response.id, question_id=question.id, key=question.key, value=value,
                           text=text))


def save_answer(session: Session, response: Response, question_id, raw: Sequence[str], today: date) -> Question:
    """Autosave one question's answer (an empty answer clears it); the response is marked started."""
    can_change(response, today)
    question = _question(response, question_id)
    if not asked(question, response.role):
        raise SurveyError("unknown_question")
    rows = check_answer(question, raw)
    _store(session, response, question, rows)
    response.started_at = response.started_at or utcnow()
    session.flush()
    session.expire(response, ["answers"])
    return question


def submit(session: Session, response: Response, answers: Mapping[str, Sequence[str]], today: date) -> None:
    """Save every answer of the form (question id -> raw values) and close the response.

    Every problem is reported at once; nothing is kept when one is found. Answers to questions the person no longer
    sees (a condition they changed) are dropped, and every required question they see must be answered.
    """
    can_change(response, today)
    questions = questions_of(response)
    by_id = {str(question.id): question for question in questions}
    if any(key not in by_id for key in answers):
        raise SurveyError("unknown_question")
    checked, problems = {}, []
    for question in questions:
        if not asked(question, response.role):
            continue
        try:
            checked[question.key] = (question, check_answer(question, answers.get(str(question.id), ())))
        except SurveyError as problem:
            problems.append(problem)
    codes = {key: [value or text for value, text in rows] for key, (_, rows) in checked.items()}
    shown = visible(questions, response.role, codes)
    shown_keys = {question.key for question in shown}
    for question in shown:
        if question.required and not checked.get(question.key, (None, []))[1]:
            problems.append(SurveyError("answer_required", f"q_{question.key}"))
    if problems:
        first = problems[0]
        first.problems = problems
        raise first
    # The form holds every answer: the old ones go in one statement and the new ones in one batch, not a pair of
    # statements per question (a round's answers arrive by the hundred a second when its survey closes). No answer
    # is stored without its response marked started (here and save_answer): one never started has none to delete,
    # the usual case. The session's answers are matched against the delete only if it holds any (a submit usually
    # reads none first).
    if response.started_at is not None:
        held = any(isinstance(instance, Answer) for instance in session.identity_map.values())
        session.execute(delete(Answer).where(Answer.response_id == response.id),
                        execution_options={"synchronize_session": "auto" if held else False})
    rows = [{"response_id": response.id, "question_id": question.id, "key": question.key, "value": value,
             "text": text, "tenant_id": response.tenant_id}
            for key, (question, given) in checked.items() if key in shown_keys for value, text in given]
    if rows:
        session.execute(insert(Answer), rows)
    now = utcnow()
    response.started_at = response.started_at or now
    response.submitted_at = now
    session.flush()
    session.expire(response, ["answers"])


def choices_of(question, locale: str) -> list[tuple[str, str]]:
    """(code, label) of the answers a question offers, in `locale` (empty for a number or a free text)."""
    kind = question.kind
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        return [(option["code"], option.get(locale) or option.get("en") or option["code"])
                for option in question.options]
    vocabulary = {QuestionKind.LIKERT: Likert, QuestionKind.YES_NO: YesNo,
                  QuestionKind.EMPLOYMENT: Employment}.get(kind)
    return vocabulary.choices() if vocabulary else []


def label_of(question, value: str, locale: str = "en") -> str:
    """An answer's code as the respondent saw it."""
    return dict(choices_of(question, locale)).get(value, value)
