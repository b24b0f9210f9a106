"""What a logged session and the city's health policy may hold: their limits, stated once."""

from marshmallow import ValidationError, fields

from mentorby.platform.schemas import AreaSchema, day, number, text
from mentorby.tenants.sessions.models import LONGEST, SHORTEST, TOPICS


def _topics(codes) -> None:
    """At least one topic, each from the list (one message for the field, not one per topic)."""
    if not codes:
        raise ValidationError("no_topics")
    if any(code not in TOPICS for code in codes):
        raise ValidationError("bad_topic")


class SessionSchema(AreaSchema):
    """A 1:1 session as a mentor or mentee logs it (the date's rules against the round are the service's)."""

    held_on = day(required=True)
    minutes = number(SHORTEST, LONGEST, code="bad_minutes")
    topics = fields.List(fields.String(error_messages={"invalid": "bad_topic"}), required=True,
                         validate=lambda codes: _topics(codes),
                         error_messages={"required": "no_topics", "null": "no_topics", "invalid": "bad_topic"},
                         metadata={"enum": list(TOPICS)})
    next_step = text(200)
    notes = text(2000)


class HealthPolicySchema(AreaSchema):
    """The city's health policy."""

    quiet_weeks = number(1, 12, code="bad_quiet_weeks")
    auto_nudges = fields.Boolean(load_default=False)


SESSION, POLICY = SessionSchema(), HealthPolicySchema()
