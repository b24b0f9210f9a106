"""What a success criterion may read: the questions of the city's current surveys, by key, with their answers' codes.

The programme area keeps the criteria and their rules but does not read surveys (the surveys area reads it); this
module, which may read both, gathers the questions as plain data for the programme's checks and the criterion form.
"""

from sqlalchemy.orm import Session

from mentorby.tenants.evaluation.figures import MOMENTS
from mentorby.tenants.programme.services import KnownQuestion
from mentorby.tenants.surveys import answering, builder
from mentorby.tenants.surveys.models import Employment, Likert, Question, QuestionKind, YesNo

#: The vocabularies of the questions whose answers are fixed codes.
VOCABULARIES = {QuestionKind.LIKERT: Likert, QuestionKind.YES_NO: YesNo, QuestionKind.EMPLOYMENT: Employment}
#: Who a survey's audience is, role by role.
AUDIENCE_ROLES = {"both": ("mentor", "mentee"), "mentor": ("mentor",), "mentee": ("mentee",),
                  "company": ("company",)}


def labels_of(question: Question, locale: str) -> tuple[tuple[str, str], ...]:
    """(code, label) of each answer a question takes, in `locale`."""
    vocabulary = VOCABULARIES.get(question.kind)
    if vocabulary is not None:
        return tuple((member.value, member.label) for member in vocabulary)
    return tuple((option["code"], option.get(locale) or option.get("en") or option["code"])
                 for option in question.options)


def known_questions(session: Session, locale: str = "en") -> dict[str, KnownQuestion]:
    """Every question key of the city's current surveys: its codes, and where and of whom it is asked."""
    point_of = {moment: point.value for point, moments in MOMENTS.items() for moment in moments}
    found: dict[str, dict] = {}
    for survey in builder.current_surveys(session):
        point = point_of.get(survey.moment)
        roles = AUDIENCE_ROLES.get(survey.audience.value, ())
        for question in survey.questions:
            entry = found.setdefault(question.key, {"codes": {}, "asked": set(), "text": question.text(locale),
                                                    "labels": {}})
            for code in answering.codes_of(question):
                entry["codes"].setdefault(code, None)
            for code, label in labels_of(question, locale):
                entry["labels"].setdefault(code, label)
            if point:
                entry["asked"].update((point, role) for role in roles if answering.asked(question, role))
    return {key: KnownQuestion(key=key, codes=tuple(entry["codes"]), asked=frozenset(entry["asked"]),
                               text=entry["text"], labels=tuple(entry["labels"].items()))
            for key, entry in sorted(found.items())}
