"""What an application may hold: its limits written once, for the forms, the portal, the import and the API.

Everyone answers the common questions (`ApplicantSchema`), a mentee and a mentor their own (`MenteeSchema`,
`MentorSchema`); the consent and the CV are checked by reference (the versions in consent.py, the CV's rules in
cv.py). `check_application` reports every wrong field at once, with the codes the messages know.
"""

import re
from datetime import date
from functools import cache

from marshmallow import ValidationError, fields, pre_load, validate

from mentorby.platform import clock
from mentorby.platform.accounts.services import normalise_email
from mentorby.platform.schemas import AreaSchema, Text, load, number, text
from mentorby.platform.vocab import Vocabulary
from mentorby.tenants.applications import consent as consents
from mentorby.tenants.applications.cv import CV_MAX_BYTES, Upload, check_cv
from mentorby.tenants.applications.errors import ApplicationError
from mentorby.tenants.applications.models import ApplicationStatus, Source
from mentorby.tenants.applications.profile import (
    MENTEES_PER_MENTOR,
    YEARS_EXPERIENCE,
    Availability,
    DanishLevel,
    Field,
    Language,
    MentoringFormat,
    Role,
    codes,
)

#: The earliest arrival in Denmark a mentee can give: older dates are typing errors (a birth year, say).
ARRIVED_FROM = date(1950, 1, 1)
#: The languages an applicant's e-mail can come in; anything else means English.
LOCALES = ("da", "en")
#: Characters no one types in a form (NUL and other C0 controls but tab and newlines); PostgreSQL and Excel refuse
#: some of them, so they would break a save or an export later.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PHONE = re.compile(r"^\+?[0-9 ()\-]{6,40}$")


def _no_control(value: str) -> None:
    if _CONTROL.search(value):
        raise ValidationError("control_characters")


def _phone(value: str) -> None:
    if value and not _PHONE.match(value):
        raise ValidationError("bad_phone")


def _has_at(value: str) -> None:
    if value and "@" not in value:
        raise ValidationError("bad_email")


def _arrival(day: date) -> None:
    if not ARRIVED_FROM <= day <= clock.today():
        raise ValidationError("bad_arrival")


def words(max_length: int, *checks, required: bool = False) -> Text:
    """A typed text of at most `max_length` characters, without control characters (and passing `checks`)."""
    field = text(max_length, required=required)
    field.validators[:0] = [_no_control]
    field.validators.extend(checks)
    return field


class EmailAddress(Text):
    """An e-mail address, as the city's accounts compare them (trimmed, lower-cased)."""

    def _deserialize(self, value, attr, data, **kwargs):
        return normalise_email(super()._deserialize(value, attr, data, **kwargs))


class Locale(fields.String):
    """The language the person's e-mails come in: Danish or English (anything else means English)."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value, attr, data, **kwargs).strip().lower()
        return value if value in LOCALES else "en"


class Code(fields.String):
    """One code of a vocabulary: empty is "required", an unknown one "bad_choice"."""

    def __init__(self, vocabulary: type[Vocabulary], **kwargs):
        self.vocabulary, self.known = vocabulary, frozenset(vocabulary.codes())
        super().__init__(required=True, metadata={"enum": list(vocabulary.codes())},
                         error_messages={"required": "required", "null": "required", "invalid": "bad_choice"},
                         **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        code = str(super()._deserialize(value, attr, data, **kwargs)).strip()
        if not code:
            raise ValidationError("required")
        if code not in self.known:
            raise ValidationError("bad_choice")
        return code


class CodeList(fields.Field):
    """Several codes of a vocabulary (a list, or a text with blanks between them), as stored: space-separated.

    In the vocabulary's order, no repeats. `empty` names the refusal of an empty list, when one is needed.
    """

    def __init__(self, vocabulary: type[Vocabulary], *, empty: str | None = None, **kwargs):
        # The codes in their order, looked up once: an import checks tens of thousands of rows with this field.
        self.vocabulary, self.empty, self.codes = vocabulary, empty, vocabulary.codes()
        required = {"required": True} if empty else {"load_default": ""}
        super().__init__(**required, metadata={"type": "array", "items": {"type": "string",
                                                                          "enum": list(vocabulary.codes())}},
                         error_messages={"required": empty or "required", "null": empty or "required",
                                         "invalid": "bad_choice"}, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            chosen = value.split()
        elif isinstance(value, list | tuple | set | frozenset):
            chosen = [str(code) for code in value]
        else:
            raise self.make_error("invalid")
        picked = set(chosen)
        if not picked.issubset(self.codes):
            raise ValidationError("bad_choice")
        if not picked and self.empty:
            raise ValidationError(self.empty)
        return " ".join(code for code in self.codes if code in picked)

    def _serialize(self, value, attr, obj, **kwargs):
        return codes(value)


class ExplicitYes(fields.Field):
    """A yes only when it is one (True): a missing or odd value (an import's text) keeps the default no."""

    def _deserialize(self, value, attr, data, **kwargs):
        return value is True

    def _serialize(self, value, attr, obj, **kwargs):
        return bool(value)


class CvFile(fields.Field):
    """An uploaded CV, checked by the CV's own rules (cv.check_cv); nothing chosen is no CV."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, Upload):
            raise ValidationError("cv_not_pdf")
        if not value.filename and not value.data:
            return None
        try:
            return Upload(check_cv(value), value.data)
        except ApplicationError as error:
            raise ValidationError(error.code) from None


def _known_consent(version: str) -> None:
    """A consent version that names an existing text (and, maybe, the city's notice version)."""
    if not consents.known(version):
        raise ValidationError("consent_required")


class ApplicantSchema(AreaSchema):
    """What every applicant answers, mentor or mentee, and the version of the consent text they agreed to."""

    name = words(120, required=True)
    email = EmailAddress(required=True, metadata={"max": 254},
                         error_messages={"required": "required", "null": "required", "invalid": "bad_email"},
                         validate=[validate.Length(min=1, error="required"), _no_control,
                                   validate.Length(max=254, error="text_too_long"), _has_at])
    phone = words(40, _phone)
    locale = Locale(load_default="en")
    field = Code(Field)
    languages = CodeList(Language, empty="no_language")
    availability = CodeList(Availability)
    consent = fields.String(load_only=True, required=True,
                            validate=lambda version: _known_consent(version),
                            error_messages={"required": "consent_required", "null": "consent_required",
                                            "invalid": "consent_required"})

    @pre_load
    def empty_is_missing(self, data, **kwargs):
        """A value left out (None) is a missing one: the field's default, or its "required"."""
        return {key: value for key, value in data.items() if value is not None}



class MenteeSchema(ApplicantSchema):
    """A mentee's application: their profession, their move to Denmark, their CV and whether the mentor sees it."""

    education = words(200)
    years_experience = number(*YEARS_EXPERIENCE, code="bad_years", required=False)
    job_goal = words(2000, required=True)
    danish_level = Code(DanishLevel)
    arrived_on = fields.Date(load_default=None, allow_none=True, validate=_arrival,
                             error_messages={"invalid": "bad_date", "null": "bad_date"})
    partner_employer = words(120)
    #: Whether the mentor may see the CV (asked on the form, changed in the profile; off unless ticked).
    share_cv = ExplicitYes(load_default=False)
    cv = CvFile(load_only=True, load_default=None)


class MentorSchema(ApplicantSchema):
    """A mentor's application: where they work, what they can help with, and how many mentees they take."""

    employer = words(120, required=True)
    job_title = words(120)
    industry = Code(Field)
    expertise = words(2000, required=True)
    mentoring_format = Code(MentoringFormat)
    mentee_capacity = number(*MENTEES_PER_MENTOR, code="bad_mentee_capacity", default=1)
    motivation = words(4000)


class ApplicationSchema(ApplicantSchema):
    """An application to a round as the API shows it (accepted: a participant).

    Phone numbers, CVs and coordinators' notes stay out; the consent is recorded, not shown.
    """

    class Meta(AreaSchema.Meta):
        exclude = ("phone", "consent")

    id = fields.Integer(dump_only=True)
    cohort_id = fields.Integer(dump_only=True)
    participant_id = fields.Integer(dump_only=True,
                                    metadata={"description": "The person in the city's pool, the same across rounds."})
    role = fields.String(dump_only=True, metadata={"enum": list(Role.codes())})
    status = fields.String(dump_only=True, metadata={"enum": list(ApplicationStatus.codes())})
    source = fields.String(dump_only=True, metadata={"enum": list(Source.codes())})
    company = fields.String(dump_only=True,
                            metadata={"description": "The mentor's employer or the mentee's partner's employer."})
    company_partner_id = fields.Function(
        lambda a: a.employer_id if a.role == Role.MENTOR else a.partner_employer_id, dump_only=True,
        metadata={"description": "The company as one of the city's partner organisations, when it is one."})
    created_at = fields.DateTime(dump_only=True)
    decided_at = fields.DateTime(dump_only=True, allow_none=True)


class NoteSchema(AreaSchema):
    """The coordinator's private note on an application."""

    note = text(4000)


SCHEMAS = {Role.MENTEE: MenteeSchema, Role.MENTOR: MentorSchema}
#: What a participant's own profile leaves out: name and e-mail are their account's, the language their choice
#: there, and the consent was given with the application.
PROFILE_SKIPS = ("name", "email", "locale", "consent")
#: Answers that are a mentee's choices or files rather than profile data (kept out of imports and exports).
NOT_PROFILE = ("share_cv", "cv")
#: The answers everyone gives, and each role's own (the import's and the export's columns).
COMMON = tuple(name for name in ApplicantSchema._declared_fields if name != "consent")
MENTEE_FIELDS, MENTOR_FIELDS = (
    tuple(name for name in schema._declared_fields if name not in ApplicantSchema._declared_fields
          and name not in NOT_PROFILE) for schema in (MenteeSchema, MentorSchema))
#: The parameters some messages name that a field's refusal cannot carry (marshmallow keeps only the code).
_PARAMS = {"bad_arrival": {"earliest": ARRIVED_FROM.year},
           "cv_too_large": {"megabytes": CV_MAX_BYTES // (1024 * 1024)}}


@cache
def schema_for(role: str | None, without: tuple[str, ...] = ()) -> AreaSchema:
    """The schema of an application of `role` (None: only what everyone answers), leaving out `without`."""
    schema = SCHEMAS.get(Role.get(role), ApplicantSchema)
    return schema(exclude=[name for name in without if name in schema._declared_fields])


def answers(role: str, *, without: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The names of the answers an application of `role` holds (in the form's order), leaving out `without`."""
    return tuple(name for name, field in schema_for(role, without).fields.items() if not field.dump_only)


def check_application(role: str | None, values: dict, *, without: tuple[str, ...] = ()) -> dict:
    """The values of an application of `role` as the schema takes them.

    Refuses with an ApplicationError whose `problems` name every wrong field.
    """
    try:
        return load(schema_for(role, tuple(without)), values, ApplicationError)
    except ApplicationError as error:
        for problem in error.problems:
            problem.params.update(_PARAMS.get(problem.code, {}))
        raise


def check_note(values: dict) -> dict:
    """A coordinator's note as the schema takes it (trimmed, not too long)."""
    return load(NoteSchema(), values, ApplicationError)


def check_profile(role: str, values: dict) -> dict:
    """A participant's own profile for a round: the application's answers but name, e-mail and language."""
    return check_application(role, values, without=PROFILE_SKIPS)


#: The answers of a participant's own profile, per role (the CV is changed with it, not shown as a value).
PROFILE_FIELDS = {role: tuple(name for name in answers(role, without=PROFILE_SKIPS) if name != "cv") for role in Role}
