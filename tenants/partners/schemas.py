"""What a partner organisation and its contact persons may hold: the one statement of their limits."""

from marshmallow import fields, validate

from mentorby.platform.accounts.schemas import email, one_line, phone
from mentorby.platform.schemas import AreaSchema, Text, choice, text
from mentorby.tenants.partners.models import PartnerKind

#: A partner's link: a full web address (the city's front page links to it).
_URL = validate.URL(relative=False, schemes={"http", "https"}, require_tld=True, error="bad_url")


def _web_address(value: str) -> None:
    if value:
        _URL(value)


class PartnerSchema(AreaSchema):
    """A partner organisation: its name (unique in the city), kind, website and description."""

    id = fields.Integer(dump_only=True)
    name = text(120, required=True)
    kind = choice(PartnerKind.codes())
    website = Text(load_default="", allow_none=True, metadata={"max": 200},
                   validate=[validate.Length(max=200, error="text_too_long"), _web_address],
                   error_messages={"invalid": "bad_url"})
    description = text(2000)
    #: Whether the city's public front page lists the partner.
    public = fields.Boolean(load_default=True, error_messages={"invalid": "bad_value"})


class ContactSchema(AreaSchema):
    """A contact person at a partner: a name, a valid e-mail (lower-cased), optionally a job title and a phone."""

    id = fields.Integer(dump_only=True)
    name = one_line(120, required=True)
    email = email(required=True)
    phone = phone()
    job_title = one_line(120)
