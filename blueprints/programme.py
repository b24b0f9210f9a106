"""The city's programme model: the joint-event sequence and the success criteria, editable by coordinators."""

from flask import flash, g, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DecimalField,
    EmailField,
    IntegerField,
    SelectField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import Email, Optional

from mentorby.blueprints.common import (
    CityBlueprint,
    attempt,
    choices,
    finite,
    loads,
    render,
    show_error,
    strip,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import register, text_for
from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.cities import services as cities
from mentorby.platform.cities.models import Region
from mentorby.platform.extensions import db, htmx
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import limits
from mentorby.tenants.evaluation.criteria import known_questions
from mentorby.tenants.programme import services as programme
from mentorby.tenants.programme.models import (
    Audience,
    MeasuringPoint,
    ProgrammeEvent,
    Respondents,
    SuccessCriterion,
)

bp = CityBlueprint("programme", __name__, url_prefix="/coordinator/programme", access=(COORDINATOR,))
EVENT, CRITERION, DETAILS = programme.EVENT, programme.CRITERION, cities.PUBLIC_DETAILS

#: Messages for this area's own rule codes.
MESSAGES = register("programme", {
    "out_of_range": _l("Number must be between %(min)s and %(max)s."),
    "bad_threshold": _l("Enter a number between 1 and 100."),
    "bad_question_key": _l("Choose one of the questions in the list."),
    "unknown_question_key": _l("None of the city's current surveys asks a question with the key “%(key)s”. Choose "
                               "one of the questions in the list."),
    "question_without_codes": _l("The question “%(key)s” is answered with a number or a free text, so no answer can "
                                 "count as a yes. Choose a question with fixed answers."),
    "question_not_asked_there": _l("No survey at the %(moment)s asks “%(key)s” of %(role)s. Change whose answers "
                                   "count or when it is measured, or add the question to that survey."),
    "no_yes_values": _l("Give at least one answer that counts as a yes, e.g. 4, 5."),
    "bad_yes_value": _l("Give up to 20 answer codes separated by commas, e.g. 4, 5 or full_time, part_time."),
    "yes_value_not_taken": _l("The question does not take %(values)s. Its answers are: %(allowed)s."),
    "preloaded_criterion": _l("The programme's eight criteria stay in the model: change their wording or threshold "
                              "instead. Only a criterion the city added can be removed."),
})


class EventForm(Form):
    """A joint event's name, audience and timing (their limits are the schema's: tenants/programme/schemas.py)."""

    name_da = StringField(_l("Name in Danish"), render_kw=limits(EVENT, "name_da"))
    name_en = StringField(_l("Name in English"), render_kw=limits(EVENT, "name_en"))
    description_da = TextAreaField(_l("Description in Danish"), render_kw=limits(EVENT, "description_da"))
    description_en = TextAreaField(_l("Description in English"), render_kw=limits(EVENT, "description_en"))
    audience = SelectField(_l("Who takes part"), choices=lambda: choices(Audience.choices()))
    week_offset = IntegerField(_l("Weeks after the round starts"), validators=[Optional()],
                               render_kw=limits(EVENT, "week_offset"))
    duration_minutes = IntegerField(_l("Duration in minutes"), validators=[Optional()],
                                    render_kw=limits(EVENT, "duration_minutes"))


class CriterionForm(Form):
    """A success criterion: the question it reads, whose answers count and which count as a yes, and more.

    Also when it is measured, its denominator, its threshold and its wording. The limits are the schema's; the
    question is checked against the city's current surveys.
    """

    statement_da = TextAreaField(_l("Criterion in Danish"), render_kw=limits(CRITERION, "statement_da"))
    statement_en = TextAreaField(_l("Criterion in English"), render_kw=limits(CRITERION, "statement_en"))
    # validate_choice off: a value outside the list gets the schema's own message, as from any other client.
    question_key = SelectField(_l("The question it reads"), choices=[], validate_choice=False)
    role = SelectField(_l("Whose answers count"), choices=lambda: choices(Respondents.choices()),
                       validate_choice=False,
                       description=_l("Mentors and mentees: each role is judged on its own, on a row of its own."))
    measured_at = SelectField(_l("Measured at"), choices=lambda: choices(MeasuringPoint.choices()),
                              validate_choice=False)
    yes_values = StringField(_l("Answers that count as a yes"), filters=[strip],
                             description=_l("The answers' codes, separated by commas: e.g. 4, 5 for agree and "
                                            "strongly agree."))
    of_everyone = BooleanField(_l("Counts everyone who took part"),
                               description=_l("Tick for a criterion about everyone (employment after six months): "
                                              "those who did not answer then count as not yes, and are shown apart. "
                                              "Unticked, the share is of those who answered."))
    threshold_percent = DecimalField(_l("Threshold (%)"), places=1, validators=[Optional(), finite],
                                     render_kw=limits(CRITERION, "threshold_percent"))


class CityDetailsForm(Form):
    """What the public sees of the programme: its own contact address and phone, and the front page's text."""

    # The form reads an e-mail address as one (Email); the schema (platform/cities/schemas.py) holds the limits.
    public_email = EmailField(_l("The programme's e-mail address"), filters=[strip],
                              validators=[Optional(), Email()], render_kw=limits(DETAILS, "public_email"),
                              description=_l("Shown on the city's pages and on closed application forms. Use a "
                                             "shared mailbox, not a person's own address."))
    public_phone = TelField(_l("The programme's phone (optional)"), filters=[strip],
                            render_kw=limits(DETAILS, "public_phone"))
    region = SelectField(_l("Region"), validate_choice=False,
                         choices=lambda: choices([("", _("Not given")), *Region.choices()]),
                         filters=[lambda value: value or None],
                         description=_l("Where the city is in Denmark: the national figures can be read by region."))
    intro_da = TextAreaField(_l("Introduction in Danish"), render_kw=limits(DETAILS, "intro_da"))
    intro_en = TextAreaField(_l("Introduction in English"), render_kw=limits(DETAILS, "intro_en"))


@bp.get("/")
def overview():
    """The joint events in order, the success criteria and the city's public details."""
    return render("programme/overview.html", city=g.city, events=programme.events(db.session),
                  criteria=programme.criteria(db.session), locale=str(get_locale()))


@bp.route("/details", methods=["GET", "POST"])
def details():
    """The programme's public contact and the front page's introduction."""
    form = CityDetailsForm(obj=g.city)
    if submitted(form, cities.check_public_details):
        try:
            with attempt():
                cities.update_public_details(db.session, g.city, form.data)
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("Saved. The city's pages show it now."), "info")
            return redirect(url_for("programme.overview"))
    return render("programme/details.html", form=form, city=g.city, status=422 if form.is_submitted() else 200)


@bp.route("/events/<int:event_id>", methods=["GET", "POST"])
@loads("event", ProgrammeEvent, "event_id")
def edit_event(event: ProgrammeEvent):
    """Edit a joint event; with htmx the row turns into the form and back."""
    # A prefix per event keeps ids unique when several rows are open for editing at once.
    form = EventForm(obj=event, prefix=f"event-{event.id}")
    if submitted(form, programme.check_event):
        try:
            with attempt():
                programme.update_event(db.session, event, form.data)
        except RuleError as error:
            show_error(form, error)
        else:
            if htmx:
                return render("programme/overview.html", "event_row", event=event, saved=True,
                              locale=str(get_locale()))
            flash(_("Saved."), "info")
            return redirect(url_for("programme.overview"))
    status = 422 if form.is_submitted() else 200
    return render("programme/edit_event.html", "event_form", event=event, form=form, status=status)


def _criterion_form(questions: dict, criterion: SuccessCriterion | None = None) -> CriterionForm:
    form = CriterionForm(obj=criterion)
    keys = [(key, f"{key}: {question.text}") for key, question in questions.items() if question.codes]
    current = criterion.question_key if criterion is not None else None
    if current and current not in questions:
        keys.insert(0, (current, current))
    form.question_key.choices = choices(keys)
    if not form.is_submitted():
        if criterion is not None:
            form.threshold_percent.data = round(float(criterion.threshold) * 100, 1)
            form.yes_values.data = ", ".join(criterion.yes_values)
        else:
            form.measured_at.data = MeasuringPoint.CLOSING.value
    return form


def _question_shown(form: CriterionForm, questions: dict):
    return questions.get(form.question_key.data or (form.question_key.choices[0].value
                                                     if form.question_key.choices else ""))


@bp.route("/criteria/<int:criterion_id>", methods=["GET", "POST"])
@loads("criterion", SuccessCriterion, "criterion_id")
def edit_criterion(criterion: SuccessCriterion):
    """Edit a success criterion: what it reads, whose answers count, its threshold and wording."""
    questions = known_questions(db.session, str(get_locale()))
    form = _criterion_form(questions, criterion)
    if submitted(form, lambda values: programme.check_criterion(values, questions)):
        try:
            with attempt():
                programme.update_criterion(db.session, criterion, form.data, questions)
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("Saved."), "info")
            return redirect(url_for("programme.overview", _anchor=f"criterion-{criterion.id}"))
    status = 422 if form.is_submitted() else 200
    return render("programme/edit_criterion.html", criterion=criterion, form=form, status=status,
                  question=_question_shown(form, questions), removable=criterion.code not in programme.PRELOADED)


@bp.route("/criteria/new", methods=["GET", "POST"])
def new_criterion():
    """Add a city's own success criterion."""
    questions = known_questions(db.session, str(get_locale()))
    form = _criterion_form(questions)
    if submitted(form, lambda values: programme.check_criterion(values, questions)):
        try:
            with attempt():
                criterion = programme.add_criterion(db.session, form.data, questions)
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("The criterion is added. Every round's evaluation judges it now."), "info")
            return redirect(url_for("programme.overview", _anchor=f"criterion-{criterion.id}"))
    status = 422 if form.is_submitted() else 200
    return render("programme/edit_criterion.html", criterion=None, form=form, status=status,
                  question=_question_shown(form, questions), removable=False)


@bp.post("/criteria/<int:criterion_id>/remove")
@loads("criterion", SuccessCriterion, "criterion_id")
def remove_criterion(criterion: SuccessCriterion):
    """Remove a success criterion the city added (the programme's eight stay)."""
    try:
        with attempt():
            programme.remove_criterion(db.session, criterion)
    except RuleError as error:
        flash(text_for(error), "error")
        return redirect(url_for("programme.edit_criterion", criterion_id=criterion.id))
    flash(_("The criterion is removed."), "info")
    return redirect(url_for("programme.overview", _anchor="criteria"))


@bp.get("/criteria/answers")
def criterion_answers():
    """The answers a question takes, shown under the criterion form's yes answers (htmx swaps it in)."""
    questions = known_questions(db.session, str(get_locale()))
    return render("programme/_yes_codes.html", question=questions.get(request.args.get("question_key", "")))
