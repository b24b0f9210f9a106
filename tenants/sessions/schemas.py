"""What a logged session and the city's health policy may hold: their limits, stated once."""

from marshmallow import fields, validate

from mentorby.platform.schemas import AreaSchema, day, number, text
from mentorby.tenants.sessions.models import LONGEST, SHORTEST, TOPICS


class SessionSchema(AreaSchema):
    """A 1:1 session as a mentor or mentee logs it (the date's rules against the round are the service's)."""

    held_on = day(required=True)
    minutes = number(SHORTEST, LONGEST, code="bad_minutes")
    topics = fields.List(fields.String(validate=validate.OneOf(list(TOPICS), error="bad_topic")),
                         required=True, validate=validate.Length(min=1, error="no_topics"),
                         error_messages={"required": "no_topics", "null": "no_topics", "invalid": "bad_topic"})
    next_step = text(200)
    notes = text(2000)


class HealthPolicySchema(AreaSchema):
    """The city's health policy."""

    quiet_weeks = number(1, 12, code="bad_quiet_weeks")
    auto_nudges = fields.Boolean(load_default=False)


SESSION, POLICY = SessionSchema(), HealthPolicySchema()
