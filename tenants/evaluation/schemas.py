"""The evaluation as the API returns it: the same figures as the round's evaluation page (figures.Evaluation.as_data).

Output only: the evaluation is computed, never written.
"""

from marshmallow import Schema, fields

from mentorby.tenants.cohorts.models import CohortStatus
from mentorby.tenants.programme.models import MeasuringPoint
from mentorby.tenants.surveys.models import Moment
from mentorby.tenants.surveys.statistics import Verdict

ROLES = ("mentor", "mentee", "company")


class CriterionResultSchema(Schema):
    """One success criterion for one role in one round."""

    code = fields.Str(metadata={"description": "The criterion's stable code (mentor_network, mentee_employed_6m...)."})
    role = fields.Str(metadata={"enum": list(ROLES), "description": "Whose answers: a criterion of mentors and "
                                "mentees gives a row for each."})
    question_key = fields.Str(metadata={"description": "The survey question it reads."})
    measured_at = fields.Str(metadata={"enum": list(MeasuringPoint.codes())})
    threshold = fields.Float(metadata={"description": "The share that must say yes (0.6667 is 2/3)."})
    yes_values = fields.List(fields.Str(), metadata={"description": "The answers that count as a yes."})
    of_everyone = fields.Bool(metadata={"description": "True: the share is of everyone of the role who took part "
                                        "(non-respondents count as not yes); false: of those who answered."})
    yes = fields.Int(metadata={"description": "People whose answer counts as a yes."})
    answered = fields.Int(metadata={"description": "People who answered the question (submitted responses)."})
    eligible = fields.Int(metadata={"description": "People asked; with of_everyone, everyone who took part."})
    denominator = fields.Int(metadata={"description": "What the share is of: answered, or eligible with "
                                       "of_everyone."})
    non_respondents = fields.Int(metadata={"description": "Eligible people who did not answer, shown apart."})
    share = fields.Float(allow_none=True, metadata={"description": "yes / denominator; null below 5 answers."})
    interval = fields.List(fields.Float(), allow_none=True,
                           metadata={"description": "The share's 95% Wilson interval [low, high]; null below 5 "
                                     "answers."})
    verdict = fields.Str(metadata={"enum": [verdict.value for verdict in Verdict]})
    response_rate = fields.Float(allow_none=True, metadata={"description": "answered / eligible."})
    asked = fields.Int(metadata={"description": "People of the role the surveys at the measuring point went to."})
    respondents = fields.Int(metadata={"description": "Of them, those who sent their answers."})
    sent = fields.Bool(metadata={"description": "Whether a survey at the measuring point has gone out to the role."})


class RoleRateSchema(Schema):
    """How many of one role a survey went to and how many answered."""

    role = fields.Str(metadata={"enum": list(ROLES)})
    asked = fields.Int()
    answered = fields.Int()
    rate = fields.Float(allow_none=True)
    target = fields.Float(metadata={"description": "The response rate the best programmes reach."})


class SendSchema(Schema):
    """A survey sent to a round, with its response rates by role."""

    survey_key = fields.Str()
    version = fields.Int()
    moment = fields.Str(metadata={"enum": list(Moment.codes())})
    title_da = fields.Str()
    title_en = fields.Str()
    sent_on = fields.Date()
    closes_on = fields.Date()
    rates = fields.List(fields.Nested(RoleRateSchema))


class RoundSchema(Schema):
    """The round evaluated."""

    id = fields.Int()
    name = fields.Str()
    status = fields.Str(metadata={"enum": list(CohortStatus.codes())})


class EvaluationSchema(Schema):
    """A round against the city's success criteria: the figures of the round's evaluation page."""

    cohort = fields.Nested(RoundSchema)
    participants = fields.Dict(keys=fields.Str(), values=fields.Int(),
                               metadata={"description": "Accepted participants per role."})
    criteria = fields.List(fields.Nested(CriterionResultSchema))
    surveys = fields.List(fields.Nested(SendSchema))
