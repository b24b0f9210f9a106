"""Rounds with answers, made the quick way: responses through the sending service, answers written directly."""

from datetime import date, timedelta

from sqlalchemy import select

from mentorby.platform.extensions import db
from mentorby.platform.tenancy import tenant_scope, utcnow
from mentorby.tenants.surveys.models import Answer, Question, Response
from tests import factories as F


def running_round(city, *, mentors: int = 0, mentees: int = 0, status: str = "running", **fields):
    """A round with its accepted mentors and mentees."""
    cohort = F.create_cohort(city, status=status, starts_on=fields.pop("starts_on", date.today() - timedelta(days=90)),
                             **fields)
    for _ in range(mentors):
        F.create_application(cohort, role="mentor", status="accepted")
    for _ in range(mentees):
        F.create_application(cohort, role="mentee", status="accepted")
    return cohort


def give(sent, role: str, answers: list[dict | None], *, submit: bool = True) -> None:
    """The first len(answers) people of `role` answer: key -> code, a list of codes, or ("text", "...") for a text.

    None leaves that person without an answer. With `submit` False, the answers are saved but not sent.
    """
    with tenant_scope(db.session, sent.tenant_id):
        questions = {question.key: question for question in db.session.execute(
            select(Question).where(Question.survey_id == sent.survey_id)).scalars()}
        responses = list(db.session.execute(
            select(Response).where(Response.send_id == sent.id, Response.role == role).order_by(Response.id)).scalars())
        assert len(responses) >= len(answers), f"only {len(responses)} {role}s were asked"
        for response, given in zip(responses, answers, strict=False):
            if given is None:
                continue
            for key, value in given.items():
                question = questions[key]
                if isinstance(value, tuple):
                    rows = [("", value[1])]
                else:
                    rows = [(code, "") for code in (value if isinstance(value, list) else [value])]
                for code, text in rows:
                    db.session.add(Answer(response_id=response.id, question_id=question.id, key=key, value=code,
                                          text=text))
            response.started_at = utcnow()
            if submit:
                response.submitted_at = utcnow()
        db.session.flush()
