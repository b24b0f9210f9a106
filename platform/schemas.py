"""Validation written once: an area's Marshmallow schema holds its limits, for the form, the importer and the API.

Each area keeps its schema in tenants/<area>/schemas.py.
Fields made with these helpers carry message codes (the same codes the services raise), so a refusal reads the same
wherever it comes from, and every field is checked in one pass: a form shows all its problems on the first submit.
"""

from datetime import date

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate

from mentorby.platform.rules import RuleError

#: Dates a round and its events may have: far enough to plan ahead, near enough that date arithmetic never overflows.
EARLIEST, LATEST = date(2000, 1, 1), date(2100, 12, 31)


class Text(fields.String):
    """A text without the blanks around it (pasted values often carry them)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).strip()


def _codes(required: bool) -> dict:
    return {"required": "required", "null": "required", "invalid": "bad_value"}


def text(max_length: int, *, required: bool = False) -> fields.String:
    """A text of at most `max_length` characters (required: not blank)."""
    checks = [validate.Length(max=max_length, error="text_too_long")]
    if required:
        checks.append(validate.Length(min=1, error="required"))
    optional = {} if required else {"load_default": "", "allow_none": True}
    return Text(required=required, validate=checks, error_messages=_codes(required), metadata={"max": max_length},
                **optional)


def number(low: int, high: int, *, code: str, required: bool = True, default=None) -> fields.Integer:
    """A whole number from `low` to `high` (`code` names the refusal)."""
    needed = required and default is None
    optional = {} if needed else {"load_default": default}
    return fields.Integer(required=needed, allow_none=not needed, strict=False,
                          validate=validate.Range(low, high, error=code),
                          error_messages={**_codes(required), "invalid": code}, metadata={"min": low, "max": high},
                          **optional)


def day(*, required: bool = False, low: date = EARLIEST, high: date = LATEST) -> fields.Date:
    """A date between `low` and `high`."""
    optional = {} if required else {"load_default": None}
    return fields.Date(required=required, allow_none=not required,
                       validate=validate.Range(low, high, error="date_out_of_range"),
                       error_messages={**_codes(required), "invalid": "bad_date"}, metadata={"min": low, "max": high},
                       **optional)


def choice(codes, *, required: bool = True) -> fields.String:
    """One code of a vocabulary."""
    return fields.String(required=required, validate=validate.OneOf(list(codes), error="bad_choice"),
                         error_messages=_codes(required))


class AreaSchema(Schema):
    """An area's schema: unknown keys are left out, values checked all at once; an empty optional text is ""."""

    class Meta:
        unknown = EXCLUDE

    @post_load
    def no_empty_texts(self, data, **kwargs):
        """A text a form left empty (None) is stored as the empty text it means."""
        return {key: "" if value is None and isinstance(self.fields.get(key), Text) else value
                for key, value in data.items()}


def params_of(schema: Schema, name: str) -> dict:
    """What a field's message needs ("at most %(max)d characters"): its limits."""
    field = schema.fields.get(name)
    return {key: value for key, value in (field.metadata if field else {}).items() if key in ("min", "max")}


def load(schema: Schema, values: dict, error: type[RuleError]) -> dict:
    """The values as the schema takes them, or the area's `error` for the first wrong field.

    The error carries every wrong field's refusal in `problems`, so that a form shows them all at once.
    """
    try:
        return schema.load(values)
    except ValidationError as refusal:
        problems = []
        for name, messages in refusal.normalized_messages().items():
            code = messages[0] if isinstance(messages, list) else "bad_value"
            field = None if name == "_schema" else name
            problems.append(error(str(code), field, **params_of(schema, name)))
        first = problems[0]
        first.problems = problems
        raise first from None


def limits(schema: Schema, name: str) -> dict:
    """HTML attributes from a field's limits (maxlength, min, max), for the form that renders it."""
    field = schema.fields[name]
    found = {}
    for check in field.validators if hasattr(field, "validators") else ():
        if isinstance(check, validate.Length) and check.max is not None:
            found["maxlength"] = check.max
        if isinstance(check, validate.Range):
            if check.min is not None:
                found["min"] = check.min.isoformat() if isinstance(check.min, date) else check.min
            if check.max is not None:
                found["max"] = check.max.isoformat() if isinstance(check.max, date) else check.max
    return found
