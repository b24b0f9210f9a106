"""What a survey, a question, a section and the city's survey policy may hold: the one statement of their limits.

The builder's forms, the template copier and the API read these; an answer's own limits come from its question
(see answering.py).
"""

import re

from marshmallow import ValidationError, fields, pre_load, validate, validates_schema

from mentorby.platform.schemas import AreaSchema, choice, number, text
from mentorby.tenants.programme.models import Respondents
from mentorby.tenants.surveys.models import Anonymity, AskedOf, Moment, QuestionKind

KEY = r"^[a-z][a-z0-9_]{1,39}$"
#: Choices of a single or multiple choice question.
MAX_OPTIONS = 20
CHOICE_KINDS = (QuestionKind.SINGLE, QuestionKind.MULTIPLE)


def key_field(*, required: bool = True) -> fields.String:
    """A stable key: lower-case letters, digits and _, starting with a letter."""
    return fields.String(required=required, validate=validate.Regexp(KEY, error="bad_key"),
                         error_messages={"required": "required", "null": "required", "invalid": "bad_key"})


class SurveySchema(AreaSchema):
    """A survey: its key, where it sits in a round, who answers it, its titles and introduction."""

    key = key_field()
    moment = choice(Moment.codes())
    audience = choice(Respondents.codes())
    title_da = text(160, required=True)
    title_en = text(160, required=True)
    intro_da = text(2000)
    intro_en = text(2000)


class SurveyTextsSchema(AreaSchema):
    """What an edit of a survey's heading may change."""

    title_da = text(160, required=True)
    title_en = text(160, required=True)
    intro_da = text(2000)
    intro_en = text(2000)


class SectionSchema(AreaSchema):
    """A section's heading in both languages."""

    title_da = text(160, required=True)
    title_en = text(160, required=True)


def parse_options(written: str) -> list[dict]:
    """Choices written one per line as "code | Danish | English" (the builder's text box)."""
    options = []
    for line in written.splitlines():
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        while len(parts) < 3:
            parts.append("")
        options.append({"code": parts[0], "da": parts[1], "en": parts[2]})
    return options


def write_options(options: list[dict]) -> str:
    """The text box's lines for stored choices."""
    return "\n".join(f"{option['code']} | {option['da']} | {option['en']}" for option in options)


class QuestionSchema(AreaSchema):
    """A question: its stable key, how it is answered, its wording, who is asked, and when it is shown."""

    key = key_field()
    kind = choice(QuestionKind.codes())
    asked_of = fields.String(load_default=AskedOf.EVERYONE.value,
                             validate=validate.OneOf(AskedOf.codes(), error="bad_choice"))
    text_da = text(500, required=True)
    text_en = text(500, required=True)
    required = fields.Boolean(load_default=False, truthy={"y", "on", "1", "true", True},
                              falsy={"", "n", "off", "0", "false", False, None})
    options = fields.List(fields.Dict(), load_default=list)
    minimum = number(-1000000, 1000000, code="bad_number", required=False)
    maximum = number(-1000000, 1000000, code="bad_number", required=False)
    show_if = fields.Dict(load_default=None, allow_none=True)

    @pre_load
    def from_form(self, data, **kwargs):
        """The builder's form writes choices as lines and the condition as a key and its answers."""
        data = dict(data)
        if isinstance(data.get("options"), str):
            data["options"] = parse_options(data["options"])
        if "show_if_key" in data:
            key = (data.pop("show_if_key") or "").strip()
            answers = [value.strip() for value in re.split(r"[,\s]+", data.pop("show_if_values", "") or "")
                       if value.strip()]
            data["show_if"] = {"key": key, "in": answers} if key else None
        for name in ("minimum", "maximum"):
            if data.get(name) in ("", None):
                data[name] = None
        return data

    @validates_schema(skip_on_field_errors=False)
    def fits_its_kind(self, data, **kwargs):
        """Choices for a choice question, a range for a number, a complete condition."""
        kind = data.get("kind")
        options = data.get("options") or []
        if kind in CHOICE_KINDS:
            codes = [option.get("code", "") for option in options]
            if len(options) < 2 or len(options) > MAX_OPTIONS:
                raise ValidationError("options_count", "options")
            if any(not re.match(r"^[a-z0-9_]{1,40}$", code) for code in codes) or len(set(codes)) != len(codes):
                raise ValidationError("bad_option_code", "options")
            if any(not option.get("da") or not option.get("en") for option in options):
                raise ValidationError("option_needs_both_languages", "options")
        elif options:
            data["options"] = []
        if kind == QuestionKind.NUMBER:
            low, high = data.get("minimum"), data.get("maximum")
            if low is None or high is None or low >= high:
                raise ValidationError("bad_range", "maximum")
        else:
            data["minimum"] = data["maximum"] = None
        show_if = data.get("show_if")
        if show_if and (not re.match(KEY, show_if.get("key", "")) or not show_if.get("in")):
            raise ValidationError("show_if_incomplete", "show_if_key")


class PolicySchema(AreaSchema):
    """The city's survey policy: reminder days (1-60, rising), anonymity and how long a survey stays open."""

    reminder_days = fields.List(fields.Integer(validate=validate.Range(1, 60)), load_default=list,
                                error_messages={"invalid": "bad_reminder_days"})
    anonymity = choice(Anonymity.codes())
    open_days = number(1, 120, code="bad_open_days")

    @pre_load
    def from_form(self, data, **kwargs):
        """The form writes the days as "7, 14, 21"."""
        data = dict(data)
        written = data.get("reminder_days")
        if isinstance(written, str):
            parts = [part for part in re.split(r"[,\s]+", written) if part]
            if not all(part.isdigit() for part in parts):
                data["reminder_days"] = "bad"
            else:
                data["reminder_days"] = [int(part) for part in parts]
        return data

    @validates_schema(skip_on_field_errors=False)
    def rising(self, data, **kwargs):
        """At most five reminders, on different days."""
        days = data.get("reminder_days") or []
        if len(days) > 5 or len(set(days)) != len(days):
            raise ValidationError("bad_reminder_days", "reminder_days")
        data["reminder_days"] = sorted(days)
