"""What a round and its joint events may hold: the one statement of their limits (form, service and API use it)."""

from marshmallow import ValidationError, fields, validates_schema

from mentorby.platform.schemas import AreaSchema, day, number, text
from mentorby.tenants.cohorts.models import CohortStatus


class CohortSchema(AreaSchema):
    """A round: its name, dates, places and description."""

    id = fields.Integer(dump_only=True)
    name = text(80, required=True)
    status = fields.String(dump_only=True, metadata={"enum": list(CohortStatus.codes())})
    #: The day of the first joint event; the other events are laid out from it.
    starts_on = day(required=True)
    #: Empty: four months after the start.
    ends_on = day()
    #: The last day the public forms take applications (optional).
    apply_by = day()
    mentor_capacity = number(1, 500, code="bad_capacity", default=20)
    mentee_capacity = number(1, 500, code="bad_capacity", default=20)
    description = text(4000)
    follow_up_on = fields.Date(dump_only=True, allow_none=True,
                               metadata={"description": "When the 6-month follow-up is due."})

    @validates_schema(skip_on_field_errors=False)
    def dates_in_order(self, data, **kwargs):
        """The round ends after it starts; applications close on or before the start."""
        starts, problems = data.get("starts_on"), {}
        if starts and data.get("ends_on") and data["ends_on"] <= starts:
            problems["ends_on"] = ["ends_before_start"]
        if starts and data.get("apply_by") and data["apply_by"] > starts:
            problems["apply_by"] = ["apply_after_start"]
        if problems:
            raise ValidationError(problems)


class CohortEventSchema(AreaSchema):
    """When and where a joint event of a round takes place."""

    day = day(required=True)
    at = fields.Time(required=True, error_messages={"required": "required", "null": "required", "invalid": "bad_time"})
    duration_minutes = number(15, 1440, code="bad_duration")
    location = text(200)
