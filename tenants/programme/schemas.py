"""What a joint event and a success criterion of the programme model may hold: the one statement of their limits."""

import re

from marshmallow import ValidationError, fields, validate

from mentorby.platform.schemas import AreaSchema, Text, choice, number, text
from mentorby.tenants.programme.models import Audience, MeasuringPoint, Respondents


class ProgrammeEventSchema(AreaSchema):
    """A joint event of the programme model: its names, who takes part, and when in a round it comes."""

    step = fields.Integer(dump_only=True, metadata={"description": "The place in the sequence (events may share one)."})
    kind = fields.String(dump_only=True, metadata={"description": "A stable key: cv_workshop, kickoff, midway, ..."})
    name_da = text(120, required=True)
    name_en = text(120, required=True)
    description_da = text(2000)
    description_en = text(2000)
    audience = choice(Audience.codes())
    #: Weeks after the round's start; a new round lays its dates out from this.
    week_offset = number(0, 104, code="out_of_range")
    duration_minutes = number(15, 720, code="out_of_range")


#: A question's stable key, as the survey builder writes it.
QUESTION_KEY = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
#: An answer's code: a Likert step (1-5), yes, no, a choice's code, an employment status.
ANSWER_CODE = re.compile(r"^[a-z0-9_]{1,40}$")
#: The most answers that can count as a yes.
MAX_YES_VALUES = 20


def split_codes(raw) -> list[str]:
    """Answer codes from a list or from a text such as "4, 5" or "full_time; part_time" (in order, once each)."""
    parts = raw if isinstance(raw, list | tuple) else re.split(r"[\s,;]+", str(raw or ""))
    return list(dict.fromkeys(str(part).strip() for part in parts if str(part).strip()))


class Codes(fields.Field):
    """The answers that count as a yes: codes, given as a list or as a text separated by commas."""

    def _deserialize(self, value, attr, data, **kwargs):
        codes = split_codes(value)
        if not codes:
            raise ValidationError("no_yes_values")
        if len(codes) > MAX_YES_VALUES or not all(ANSWER_CODE.match(code) for code in codes):
            raise ValidationError("bad_yes_value")
        return codes

    def _serialize(self, value, attr, obj, **kwargs):
        return list(value or [])


class CriterionSchema(AreaSchema):
    """A success criterion: whose answers to which question count as a yes, when, and the share that must say yes."""

    role = choice(Respondents.codes())
    measured_at = choice(MeasuringPoint.codes())
    #: The survey question it reads, by its stable key.
    question_key = Text(required=True, validate=[validate.Length(min=1, error="required"),
                                                validate.Regexp(QUESTION_KEY, error="bad_question_key")],
                        error_messages={"required": "required", "null": "required", "invalid": "bad_question_key"},
                        metadata={"max": 40})
    yes_values = Codes(required=True, error_messages={"required": "no_yes_values", "null": "no_yes_values"},
                       metadata={"description": "The answer codes that count as a yes, e.g. [\"4\", \"5\"]."})
    #: The share is of everyone who took part (non-respondents count as not yes), not of those who answered.
    of_everyone = fields.Boolean(load_default=False, error_messages={"invalid": "bad_value"})
    #: A percentage here; the model stores the share (66.7 is stored as 0.667).
    threshold_percent = fields.Decimal(
        required=True, places=1, validate=validate.Range(1, 100, error="bad_threshold"),
        error_messages={"required": "required", "null": "required", "invalid": "bad_threshold",
                        "special": "bad_threshold"},
        metadata={"min": 1, "max": 100})
    statement_da = text(500, required=True)
    statement_en = text(500, required=True)
