"""What a city signs up with, what the public reads of it, and the public details its coordinators keep.

The sign-up form and the public details form take their limits from here, the services load through these schemas,
and the API dumps a city with `CitySchema`.
"""

import re

from marshmallow import ValidationError, fields, validate

from mentorby.platform.accounts.schemas import email, phone
from mentorby.platform.cities.models import Region
from mentorby.platform.schemas import AreaSchema, Text, choice, text

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
#: Path segments the platform uses itself; a city cannot take them.
RESERVED_SLUGS = frozenset(
    {
        "account", "admin", "api", "apply", "health", "invite", "lang", "login", "logout", "national", "password",
        "platform", "signup", "start", "static", "www", "mentorby",
    }
)


def slug_problem(slug: str) -> str | None:
    """A message code if `slug` cannot be a city's path segment, else None."""
    if not SLUG_RE.match(slug or ""):
        return "slug_format"
    if slug in RESERVED_SLUGS:
        return "slug_reserved"
    return None


class Slug(Text):
    """A city's path segment, lower-cased (people type "Odense")."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).lower()


def _free_for_a_city(slug: str) -> None:
    problem = slug_problem(slug)
    if problem:
        raise ValidationError(problem)


class CitySchema(AreaSchema):
    """A city that runs the programme, as the public sees it (and as it signs up)."""

    #: The path segment of the city's pages: /<slug>/.
    slug = Slug(required=True, validate=[validate.Length(min=1, error="required"),
                                         validate.Length(max=40, error="slug_format"), _free_for_a_city],
                error_messages={"required": "required", "null": "required", "invalid": "slug_format"},
                metadata={"max": 40})
    name = text(120, required=True)
    municipality = text(120, required=True)
    #: One of Denmark's five regions (the national figures' filter).
    region = choice(Region.codes())
    is_host = fields.Boolean(dump_only=True)


class SignupSchema(CitySchema):
    """A city's sign-up: the city, and the person who becomes its first coordinator (never shown to the public)."""

    contact_name = text(120, required=True)
    contact_email = email(required=True)
    motivation = text(2000)


class PublicDetailsSchema(AreaSchema):
    """The programme's own contact for the public (a shared mailbox, not a person's) and the front page's text."""

    #: Cities that signed up before regions were asked set theirs here (None: not given).
    region = fields.String(allow_none=True, validate=validate.OneOf(list(Region.codes()), error="bad_choice"),
                           error_messages={"invalid": "bad_choice"})
    public_email = email()
    public_phone = phone()
    intro_da = text(4000)
    intro_en = text(4000)
