"""What an account, an invitation and an API token may hold, and the e-mail and phone fields other areas use too.

The account form, the team's invitation form and the API token form take their limits from here; the services load
their input through these schemas (platform/schemas.py explains the pattern).
"""

import re

from email_validator import EmailNotValidError, validate_email
from marshmallow import ValidationError, validate

from mentorby.platform.accounts.models import LOCALES
from mentorby.platform.schemas import AreaSchema, Text, choice, text

#: Digits, spaces, brackets and hyphens, with an optional + in front.
PHONE = re.compile(r"^\+?[0-9 ()\-]{6,40}$")


class OneLine(Text):
    """A text on one line: runs of blanks inside it (a pasted name) become one space."""

    def _deserialize(self, value, attr, data, **kwargs):
        return " ".join(super()._deserialize(value, attr, data, **kwargs).split())


class Email(Text):
    """An e-mail address, trimmed and lower-cased: addresses are compared that way everywhere."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).lower()


def _address(value: str) -> None:
    if not value:
        return
    try:
        # Syntax only: an address is often entered while its mail server cannot be asked.
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError("bad_email") from None


def _phone(value: str) -> None:
    if value and not PHONE.match(value):
        raise ValidationError("bad_phone")


def one_line(max_length: int, *, required: bool = False) -> OneLine:
    """A text of at most `max_length` characters on one line (required: not blank)."""
    model = text(max_length, required=required)
    optional = {} if required else {"load_default": "", "allow_none": True}
    return OneLine(required=required, validate=model.validators, error_messages=model.error_messages,
                   metadata=model.metadata, **optional)


def email(*, required: bool = False) -> Email:
    """An e-mail address of at most 254 characters; a required one may not be empty (an empty address is wrong)."""
    checks = [validate.Length(max=254, error="text_too_long"), _address]
    if required:
        checks.insert(0, validate.Length(min=1, error="bad_email"))
    optional = {} if required else {"load_default": "", "allow_none": True}
    return Email(required=required, validate=checks, metadata={"max": 254},
                 error_messages={"required": "required", "null": "bad_email", "invalid": "bad_email"}, **optional)


def phone() -> OneLine:
    """An optional phone number: digits, spaces, brackets, hyphens and a leading +."""
    return OneLine(load_default="", allow_none=True, metadata={"max": 40},
                   validate=[validate.Length(max=40, error="text_too_long"), _phone],
                   error_messages={"invalid": "bad_phone"})


class AccountSchema(AreaSchema):
    """What a person changes of their own account: their name and language."""

    name = text(120, required=True)
    locale = choice(LOCALES)


class InvitationSchema(AreaSchema):
    """Whom an invitation to a role in a city goes to."""

    name = text(120, required=True)
    email = email(required=True)


class ApiTokenSchema(AreaSchema):
    """A personal API token's label."""

    name = text(80, required=True)
