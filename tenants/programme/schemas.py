"""What a joint event and a success criterion of the programme model may hold: the one statement of their limits."""

from marshmallow import fields, validate

from mentorby.platform.schemas import AreaSchema, choice, number, text
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


class CriterionSchema(AreaSchema):
    """A success criterion: the share that must agree, as a percentage, and its wording."""

    role = fields.String(dump_only=True, metadata={"enum": list(Respondents.codes())})
    measured_at = fields.String(dump_only=True, metadata={"enum": list(MeasuringPoint.codes())})
    #: A percentage here; the model stores the share (66.7 is stored as 0.667).
    threshold_percent = fields.Decimal(
        required=True, places=1, validate=validate.Range(1, 100, error="bad_threshold"),
        error_messages={"required": "required", "null": "required", "invalid": "bad_threshold",
                        "special": "bad_threshold"},
        metadata={"min": 1, "max": 100})
    statement_da = text(500, required=True)
    statement_en = text(500, required=True)
