"""The forms of an application: the public forms, a participant's own profile, the coordinator's note.

Their limits are the schema's (tenants/applications/schemas.py); the fields keep only what reads a value (a number,
a date, an e-mail address, one of the choices, a PDF's name), so every other problem is the schema's and shows with
the others on the first submit.
"""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import Email, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from mentorby.blueprints.common import choices, strip
from mentorby.blueprints.forms import Form
from mentorby.platform.schemas import limits
from mentorby.tenants.applications.cv import Upload
from mentorby.tenants.applications.profile import (
    MENTEE,
    MENTOR,
    Availability,
    DanishLevel,
    Field,
    Language,
    MentoringFormat,
)
from mentorby.tenants.applications.schemas import MenteeSchema, MentorSchema, NoteSchema

MENTEE_SCHEMA, MENTOR_SCHEMA, NOTE_SCHEMA = MenteeSchema(), MentorSchema(), NoteSchema()


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes: easier on a phone than a multi-select box."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _blank(vocabulary):
    return choices([("", _l("Choose…")), *vocabulary.choices()])


class ApplicationForm(Form):
    """What mentors and mentees both answer."""

    name = StringField(_l("Full name"), filters=[strip], render_kw=limits(MENTEE_SCHEMA, "name"))
    email = EmailField(_l("E-mail"), filters=[strip], validators=[Optional(), Email()],
                       render_kw=limits(MENTEE_SCHEMA, "email"))
    phone = TelField(_l("Phone (optional)"), filters=[strip], render_kw=limits(MENTEE_SCHEMA, "phone"))
    field = SelectField(_l("Professional field"))
    languages = MultiCheckboxField(_l("Languages you can hold a conversation in"))
    availability = MultiCheckboxField(_l("When can you usually meet?"))
    consent = BooleanField(_l("Consent to the processing of your data"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.field.choices = _blank(Field)
        self.languages.choices = choices(Language.choices())
        self.availability.choices = choices(Availability.choices())


class MenteeForm(ApplicationForm):
    """The mentee application."""

    education = StringField(_l("Education"), render_kw=limits(MENTEE_SCHEMA, "education"),
                            description=_l("Your highest degree and subject, e.g. \"MSc in Chemical Engineering\"."))
    years_experience = IntegerField(_l("Years of work experience"), validators=[Optional()],
                                    render_kw=limits(MENTEE_SCHEMA, "years_experience"))
    job_goal = TextAreaField(_l("What job are you looking for?"), render_kw=limits(MENTEE_SCHEMA, "job_goal"),
                             description=_l("The kind of job, field or company you aim for."))
    danish_level = SelectField(_l("Your Danish"))
    arrived_on = DateField(_l("When did you arrive in Denmark?"), validators=[Optional()])
    partner_employer = StringField(_l("Where does your partner work?"),
                                   render_kw=limits(MENTEE_SCHEMA, "partner_employer"),
                                   description=_l("The company of your partner, the international specialist."))
    cv = FileField(_l("Your CV (PDF, at most 5 MB, optional)"),
                   validators=[FileAllowed(["pdf"], _l("The CV must be a PDF file."))])
    share_cv = BooleanField(_l("My mentor may see my CV"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.danish_level.choices = _blank(DanishLevel)


class MentorForm(ApplicationForm):
    """The mentor application."""

    employer = StringField(_l("Employer"), render_kw=limits(MENTOR_SCHEMA, "employer"))
    job_title = StringField(_l("Your role"), render_kw=limits(MENTOR_SCHEMA, "job_title"))
    industry = SelectField(_l("Industry"))
    expertise = TextAreaField(_l("What can you help with?"), render_kw=limits(MENTOR_SCHEMA, "expertise"),
                              description=_l("Keywords separated by commas, e.g. \"project management, "
                                             "wind energy, job interviews\"."))
    mentoring_format = SelectField(_l("You can take"))
    mentee_capacity = IntegerField(_l("How many mentees at most?"), default=1, validators=[Optional()],
                                   render_kw=limits(MENTOR_SCHEMA, "mentee_capacity"))
    motivation = TextAreaField(_l("Why do you want to be a mentor?"), render_kw=limits(MENTOR_SCHEMA, "motivation"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.industry.choices = _blank(Field)
        self.mentoring_format.choices = choices(MentoringFormat.choices())


FORMS = {MENTEE: MenteeForm, MENTOR: MentorForm}


class MenteeProfileForm(MenteeForm):
    """A mentee's own profile: the application's answers without the account's name and e-mail."""

    name = email = consent = None


class MentorProfileForm(MentorForm):
    """A mentor's own profile."""

    name = email = consent = cv = None


PROFILE_FORMS = {MENTEE: MenteeProfileForm, MENTOR: MentorProfileForm}


class NoteForm(Form):
    """The coordinator's private note on an application."""

    note = TextAreaField(_l("Note (only coordinators see it)"), render_kw=limits(NOTE_SCHEMA, "note"))


def uploaded_cv(form: Form) -> Upload | None:
    """The CV chosen on a form, read once (None when the form has no CV field or nothing was chosen)."""
    chosen = form._fields.get("cv")
    if chosen is None or not chosen.data or not getattr(chosen.data, "filename", ""):
        return None
    return Upload(chosen.data.filename, chosen.data.read())


def answers(form: Form) -> dict:
    """The answers of an application form as the service takes them (the consent and the CV go on their own)."""
    return {name: field.data for name, field in form._fields.items() if name not in ("csrf_token", "consent", "cv")}
