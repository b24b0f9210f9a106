"""The survey builder: the city's surveys from the programme's templates, copies, and edits that keep answers whole.

A version that has been sent is frozen: the first edit after sending makes the next version (a full copy), and the
edit lands there. Responses keep pointing at the version they were given, so a survey edited while people answer
it changes nothing under them.
"""

import re

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, selectinload

from mentorby.platform.schemas import load
from mentorby.tenants.surveys import defaults
from mentorby.tenants.surveys.errors import SurveyError
from mentorby.tenants.surveys.models import (
    Moment,
    Question,
    QuestionKind,
    Survey,
    SurveyPolicy,
    SurveySection,
    SurveySend,
)
from mentorby.tenants.surveys.schemas import PolicySchema, QuestionSchema, SectionSchema, SurveyTextsSchema

SURVEY_FIELDS = ("key", "moment", "audience", "title_da", "title_en", "intro_da", "intro_en")
QUESTION_FIELDS = ("key", "kind", "asked_of", "text_da", "text_en", "required", "options", "minimum", "maximum",
                   "show_if", "position")
KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")


def templates() -> tuple[dict, ...]:
    """The programme model's surveys, to copy."""
    return defaults.SURVEYS


def template(key: str) -> dict:
    """One template by its key (SurveyError for an unknown one: a tampered form)."""
    for found in defaults.SURVEYS:
        if found["key"] == key:
            return found
    raise SurveyError("unknown_template")


def current_surveys(session: Session) -> list[Survey]:
    """The city's surveys, newest version of each, in the order of a round's timeline."""
    surveys = session.execute(
        select(Survey).where(Survey.is_current.is_(True)).options(selectinload(Survey.questions))
        .order_by(Survey.key)).scalars()
    order = list(Moment)
    return sorted(surveys, key=lambda survey: (order.index(survey.moment), survey.key))


def current(session: Session, key: str) -> Survey | None:
    """The current version of the survey with this key."""
    return session.execute(select(Survey).where(Survey.key == key, Survey.is_current.is_(True))).scalar_one_or_none()


def is_sent(session: Session, survey: Survey) -> bool:
    """Whether this version has gone out to a round (and so may no longer change)."""
    return session.execute(select(exists().where(SurveySend.survey_id == survey.id))).scalar_one()


def _free_key(session: Session, wanted: str) -> str:
    taken = set(session.execute(select(Survey.key)).scalars())
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted[:36]}_{number}" in taken:
        number += 1
    return f"{wanted[:36]}_{number}"


def _build(session: Session, values: dict, sections: list[dict], *, version: int = 1) -> Survey:
    survey = Survey(**{name: values[name] for name in SURVEY_FIELDS}, version=version, is_current=True)
    session.add(survey)
    session.flush()
    position = 0
    for number, part in enumerate(sections, start=1):
        section = SurveySection(survey_id=survey.id, position=number, title_da=part["title_da"],
                                title_en=part["title_en"])
        session.add(section)
        session.flush()
        for question in part["questions"]:
            position += 1
            values = {name: question.get(name) for name in QUESTION_FIELDS if name != "position"}
            session.add(Question(survey_id=survey.id, section_id=section.id, position=position, **values))
    session.flush()
    return survey


def copy_template(session: Session, key: str) -> Survey:
    """The city's own copy of a programme template (under a free key if the city already has that one)."""
    found = template(key)
    values = dict(found, key=_free_key(session, found["key"]))
    return _build(session, values, found["sections"])


def install_surveys(session: Session) -> list[Survey]:
    """Give a city every programme template it does not have yet (a new city, or one from before surveys)."""
    have = set(session.execute(select(Survey.key)).scalars())
    return [copy_template(session, found["key"]) for found in defaults.SURVEYS if found["key"] not in have]


def model_installed(city, *, session: Session) -> None:
    """A city received its programme model: it gets the programme's survey set too (signal receiver)."""
    install_surveys(session)


def _as_template(survey: Survey) -> tuple[dict, list[dict]]:
    values = {name: getattr(survey, name) for name in SURVEY_FIELDS}
    sections = []
    for section in survey.sections:
        sections.append({
            "title_da": section.title_da, "title_en": section.title_en,
            "questions": [{name: getattr(question, name) for name in QUESTION_FIELDS} for question in
                          survey.questions if question.section_id == section.id],
        })
    return values, sections


def copy_survey(session: Session, survey: Survey) -> Survey:
    """A new survey of the city's own, starting as a copy of `survey` (a new key, version 1)."""
    values, sections = _as_template(survey)
    values["key"] = _free_key(session, survey.key)
    title = {"da": " (kopi)", "en": " (copy)"}
    values["title_da"] = values["title_da"][:150] + title["da"]
    values["title_en"] = values["title_en"][:150] + title["en"]
    return _build(session, values, sections)


def editable(session: Session, survey: Survey) -> Survey:
    """The version an edit should land on: `survey` itself, or its next version if it has been sent.

    Refuses an edit of an old version: only the current one changes (the form was open while another edit made
    a new version).
    """
    if not survey.is_current:
        raise SurveyError("survey_outdated")
    if not is_sent(session, survey):
        return survey
    values, sections = _as_template(survey)
    survey.is_current = False
    session.flush()
    return _build(session, values, sections, version=survey.version + 1)


def question_in(survey: Survey, question_id: int) -> Question:
    """A question of this version (SurveyError when the id is another survey's: a tampered form)."""
    for question in survey.questions:
        if question.id == question_id:
            return question
    raise SurveyError("unknown_question")


def section_in(survey: Survey, section_id: int) -> SurveySection:
    """A section of this version."""
    for section in survey.sections:
        if section.id == section_id:
            return section
    raise SurveyError("unknown_section")


def _same_place(old: Survey, new: Survey, question: Question | None, section_id: int | None):
    """The question and section of `new` that stand where `question` and `section_id` stood in `old`."""
    target_question = None
    if question is not None:
        target_question = next(found for found in new.questions if found.key == question.key)
    target_section = None
    if section_id is not None:
        index = [section.id for section in old.sections].index(section_id)
        target_section = new.sections[index].id
    return target_question, target_section


def update_survey(session: Session, survey: Survey, values: dict) -> Survey:
    """Change a survey's titles and introduction (on a new version when sent)."""
    checked = load(SurveyTextsSchema(), values, SurveyError)
    target = editable(session, survey)
    for name in ("title_da", "title_en", "intro_da", "intro_en"):
        if name in checked:
            setattr(target, name, checked[name])
    session.flush()
    return target


def check_question(survey: Survey, values: dict, question: Question | None = None) -> dict:
    """A question's values as the schema takes them, with the rules that span questions (SurveyError)."""
    checked = load(QuestionSchema(), values, SurveyError)
    problems = []
    key = checked["key"]
    if any(other.key == key and (question is None or other.id != question.id) for other in survey.questions):
        problems.append(SurveyError("question_key_taken", "key"))
    show_if = checked.get("show_if")
    if show_if:
        earlier = {other.key: other for other in survey.questions
                   if question is None or (other.id != question.id and other.position <= question.position)}
        source = earlier.get(show_if["key"])
        if source is None or source.key == key:
            problems.append(SurveyError("show_if_unknown", "show_if_key"))
        elif source.kind in (QuestionKind.TEXT, QuestionKind.NUMBER):
            problems.append(SurveyError("show_if_not_choice", "show_if_key"))
    if problems:
        raise _all(problems)
    return checked


def _all(problems: list[SurveyError]) -> SurveyError:
    first = problems[0]
    first.problems = problems
    return first


def add_question(session: Session, survey: Survey, section_id: int, values: dict) -> Question:
    """Add a question at the end of a section."""
    section_in(survey, section_id)
    checked = check_question(survey, values)
    target = editable(session, survey)
    _, target_section = _same_place(survey, target, None, section_id)
    position = max((question.position for question in target.questions), default=0) + 1
    checked.pop("position", None)
    question = Question(survey_id=target.id, section_id=target_section, position=position, **checked)
    session.add(question)
    session.flush()
    session.expire(target, ["questions"])
    return question


def update_question(session: Session, survey: Survey, question: Question, values: dict) -> Question:
    """Change a question (its key stays comparable only if it still asks the same thing: the page says so)."""
    checked = check_question(survey, values, question)
    target = editable(session, survey)
    edited, _ = _same_place(survey, target, question, None)
    checked.pop("position", None)
    for name, value in checked.items():
        setattr(edited, name, value)
    session.flush()
    return edited


def remove_question(session: Session, survey: Survey, question: Question) -> Survey:
    """Remove a question; refused while a later question is shown only on its answer."""
    if any((other.show_if or {}).get("key") == question.key for other in survey.questions):
        raise SurveyError("question_has_dependants")
    target = editable(session, survey)
    edited, _ = _same_place(survey, target, question, None)
    if len(target.questions) <= 1:
        raise SurveyError("survey_needs_a_question")
    session.delete(edited)
    session.flush()
    session.expire(target, ["questions"])
    return target


def add_section(session: Session, survey: Survey, values: dict) -> SurveySection:
    """Add a section at the end of the survey."""
    checked = load(SectionSchema(), values, SurveyError)
    target = editable(session, survey)
    position = max((section.position for section in target.sections), default=0) + 1
    section = SurveySection(survey_id=target.id, position=position, **checked)
    session.add(section)
    session.flush()
    session.expire(target, ["sections"])
    return section


def versions(session: Session, key: str) -> list[tuple[Survey, int]]:
    """Every version of a survey with how many rounds it was sent to, newest first."""
    rows = session.execute(
        select(Survey, func.count(SurveySend.id)).outerjoin(SurveySend, SurveySend.survey_id == Survey.id)
        .where(Survey.key == key).group_by(Survey.id).order_by(Survey.version.desc())).all()
    return [(survey, sent) for survey, sent in rows]


# --- the city's policy -------------------------------------------------------------------------------------------

def policy(session: Session) -> SurveyPolicy:
    """The city's survey policy (the defaults, unsaved, until the city changes it)."""
    found = session.execute(select(SurveyPolicy)).scalar_one_or_none()
    return found or SurveyPolicy(reminder_days=[7, 14, 21], anonymity="pseudonymous", open_days=28)


def update_policy(session: Session, values: dict) -> SurveyPolicy:
    """Change the city's reminder days, anonymity and how long surveys stay open."""
    checked = load(PolicySchema(), values, SurveyError)
    if any(day >= checked["open_days"] for day in checked["reminder_days"]):
        raise SurveyError("reminder_after_closing", "reminder_days", days=checked["open_days"])
    found = session.execute(select(SurveyPolicy)).scalar_one_or_none()
    if found is None:
        found = SurveyPolicy()
        session.add(found)
    for name, value in checked.items():
        setattr(found, name, value)
    session.flush()
    return found


def valid_key(key: str) -> bool:
    """Whether `key` is a usable stable key (lower-case letters, digits and _, starting with a letter)."""
    return bool(KEY.match(key))
