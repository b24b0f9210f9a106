"""What matching and speed networking take: the one statement of their limits (forms, services and the API use it)."""

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from mentorby.platform.schemas import AreaSchema, Text, choice, text
from mentorby.tenants.matching.models import ENDINGS, ConflictPolicy, EndedBy, MatchStatus
from mentorby.tenants.matching.scoring import PART_KEYS

#: The longest reason a pair's end or change keeps in the round's history.
REASON_MAX = 2000
#: A speed-networking plan's turns, and minutes per turn.
MIN_TURNS, MAX_TURNS = 1, 60
MIN_MINUTES, MAX_MINUTES = 2, 60


def weight() -> fields.Float:
    """A score weight from 0 to 100 (only the proportions between the weights matter)."""
    return fields.Float(required=True, allow_nan=False, validate=validate.Range(0, 100, error="bad_weight"),
                        error_messages={"required": "required", "null": "required", "invalid": "bad_weight",
                                        "special": "bad_weight"},
                        metadata={"min": 0, "max": 100})


def whole(low: int, high: int, *, code: str) -> fields.Integer:
    """A whole number from `low` to `high`; anything else, a missing one included, is refused with `code`."""
    return fields.Integer(required=True, strict=True, validate=validate.Range(low, high, error=code),
                          error_messages={"required": code, "null": code, "invalid": code},
                          metadata={"min": low, "max": high})


class WeightsSchema(AreaSchema):
    """The city's weights for the compatibility score, and what a same-company pair gets."""

    field = weight()
    goal_expertise = weight()
    languages = weight()
    availability = weight()
    preference = weight()
    #: A mentor from the company where the mentee's partner works: flagged on the board, or never proposed.
    conflict_policy = choice(ConflictPolicy.codes())

    @validates_schema(skip_on_field_errors=True)
    def not_all_zero(self, data, **kwargs):
        """At least one weight counts (as stored, with two decimals: 0.001 is no weight)."""
        if sum(round(data[key], 2) for key in PART_KEYS) <= 0:
            raise ValidationError("all_weights_zero")

    @post_load
    def two_decimals(self, data, **kwargs):
        """Weights are kept with two decimals."""
        return {key: round(value, 2) if key in PART_KEYS else value for key, value in data.items()}


class PlanSchema(AreaSchema):
    """A round's speed-networking plan: how many turns of how many minutes."""

    turns = whole(MIN_TURNS, MAX_TURNS, code="bad_turns")
    #: Including the minute it takes to change tables.
    minutes = whole(MIN_MINUTES, MAX_MINUTES, code="bad_minutes")


class EndSchema(AreaSchema):
    """How a published pair is closed, by whom and why (a reason is needed when it ended early)."""

    outcome = choice([status.value for status in ENDINGS])
    ended_by = choice(EndedBy.codes())
    reason = text(REASON_MAX)


class ReplaceSchema(AreaSchema):
    """Why a mentee gets a new mentor mid-round: the reason stays in the round's history."""

    reason = Text(required=True, validate=[validate.Length(max=REASON_MAX, error="text_too_long"),
                                           validate.Length(min=1, error="reason_required")],
                  error_messages=dict.fromkeys(("required", "null", "invalid"), "reason_required"),
                  metadata={"max": REASON_MAX})


class MatchSchema(AreaSchema):
    """A pair of a round as the API shows it: proposed, published or ended, with its score and its reasons."""

    id = fields.Int(dump_only=True)
    mentor_application_id = fields.Int(attribute="mentor_id", dump_only=True)
    mentee_application_id = fields.Int(attribute="mentee_id", dump_only=True)
    group_no = fields.Int(allow_none=True, dump_only=True)
    status = fields.Str(dump_only=True, metadata={"enum": list(MatchStatus.codes())})
    score = fields.Float(dump_only=True)
    reasons = fields.List(fields.Raw(), dump_only=True,
                          metadata={"description": "[part key, points, matched items, explanation key] per score part"})
    published_at = fields.DateTime(allow_none=True, dump_only=True)
    ended_at = fields.DateTime(allow_none=True, dump_only=True)
    # OpenAPI 3.0: a nullable value with an enum lists null among its values.
    ended_by = fields.Str(allow_none=True, dump_only=True, metadata={"enum": [*EndedBy.codes(), None]})
    end_reason = fields.Str(dump_only=True)
    replaced_by_id = fields.Int(allow_none=True, dump_only=True)
