"""Surveys: the city's survey builder, a round's surveys in its timeline, and answering through a personal link."""

from flask import abort, flash, redirect, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from mentorby.blueprints.common import (
    PUBLIC,
    CityBlueprint,
    attempt,
    choices,
    cohort_view,
    loads,
    paginate,
    personal_page,
    public,
    render,
    show_error,
    strip,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import register, text_for
from mentorby.platform import clock
from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.extensions import db, htmx
from mentorby.platform.i18n import format_day
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import limits, load
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.surveys import answering, builder, sending
from mentorby.tenants.surveys.builder import policy
from mentorby.tenants.surveys.errors import SurveyError
from mentorby.tenants.surveys.models import (
    Anonymity,
    AskedOf,
    Question,
    QuestionKind,
    Response,
    Survey,
    SurveySection,
    SurveySend,
)
from mentorby.tenants.surveys.schemas import SectionSchema, SurveyTextsSchema, write_options

bp = CityBlueprint("surveys", __name__, url_prefix="/coordinator", access=(COORDINATOR,))
#: The personal links: open to anyone holding one, in the link's own city.
answer_bp = CityBlueprint("answer", __name__, url_prefix="/survey", access=PUBLIC)
TEXTS, SECTION = SurveyTextsSchema(), SectionSchema()

#: Messages for this area's own rule codes.
MESSAGES = register("surveys", {
    "already_answered": _l("You have already sent your answers: thank you. They can no longer be changed."),
    "already_sent": _l("This survey has already gone out to the round: remind those who have not answered instead."),
    "answer_not_a_choice": _l("Choose one of the answers shown."),
    "answer_not_a_number": _l("Enter a whole number."),
    "answer_one_choice": _l("Choose one answer only."),
    "answer_out_of_range": _l("Enter a number from %(min)s to %(max)s."),
    "answer_required": _l("This question needs an answer."),
    "answer_too_long": _l("At most %(max)d characters."),
    "bad_answer": _l("The answer contains characters that cannot be stored."),
    "no_recipients": _l("Nobody in this round can receive this survey yet (asked: %(audience)s). Accept people "
                        "first, or for the companies, link the mentees' partners' employers to partner companies."),
    "question_has_dependants": _l("A later question is shown only on this question's answer: change that "
                                  "question's condition first."),
    "question_key_taken": _l("Another question of this survey has this key."),
    "reminder_after_closing": _l("Reminders must come before the survey closes, after %(days)s days."),
    "show_if_not_choice": _l("A condition can only read a question with fixed answers (not a number or a text)."),
    "show_if_unknown": _l("A condition must read an earlier question of this survey, by its key."),
    "survey_closed": _l("This survey has closed, so it takes no more answers. Thank you all the same."),
    "survey_closed_for_reminders": _l("This survey has closed: there is nobody left to remind."),
    "survey_needs_a_question": _l("A survey needs at least one question."),
    "survey_outdated": _l("Someone changed this survey meanwhile, so it now has a newer version. Open the survey "
                          "again and make the change there."),
    "unknown_question": _l("That question is not part of this survey. Reload the page and try again."),
    "unknown_section": _l("That section is not part of this survey. Reload the page and try again."),
    "unknown_template": _l("There is no such template in the programme model."),
    "survey_outdated_answer": _l("This page belongs to an earlier state of the survey. Reload it: what you have "
                                 "answered so far is kept."),
    "bad_key": _l("Use 2-40 lower-case letters, digits and _, starting with a letter (e.g. job_search)."),
    "options_count": _l("Give from 2 to 20 choices, one per line."),
    "bad_option_code": _l("Each choice needs its own code of lower-case letters, digits and _ (code | Danish | "
                          "English)."),
    "option_needs_both_languages": _l("Each choice needs its words in Danish and in English (code | Danish | "
                                      "English)."),
    "bad_range": _l("Give a lowest and a highest number, the lowest first."),
    "show_if_incomplete": _l("Give both the question's key and the answers that show this question."),
    "bad_reminder_days": _l("Give up to five different days from 1 to 60, e.g. 7, 14, 21."),
    "bad_open_days": _l("Give a number of days from 1 to 120."),
    "bad_number": _l("Enter a whole number."),
})


# --- the builder ---------------------------------------------------------------------------------------------------


class PolicyForm(Form):
    """How the city sends its surveys."""

    reminder_days = StringField(_l("Remind those who have not answered after (days)"), filters=[strip],
                                description=_l("Days after sending, separated by commas, e.g. 7, 14, 21. Leave "
                                               "empty for no reminders."))
    anonymity = RadioField(_l("What coordinators see of an answer"), choices=lambda: choices(Anonymity.choices()))
    open_days = IntegerField(_l("Days a survey stays open"), validators=[Optional()],
                             render_kw={"min": 1, "max": 120},
                             description=_l("The personal links stop working after this many days."))


class SurveyTextsForm(Form):
    """A survey's titles and introduction."""

    title_da = StringField(_l("Title in Danish"), filters=[strip], render_kw=limits(TEXTS, "title_da"))
    title_en = StringField(_l("Title in English"), filters=[strip], render_kw=limits(TEXTS, "title_en"))
    intro_da = TextAreaField(_l("Introduction in Danish"), render_kw=limits(TEXTS, "intro_da"))
    intro_en = TextAreaField(_l("Introduction in English"), render_kw=limits(TEXTS, "intro_en"))


class SectionForm(Form):
    """A new section's heading."""

    title_da = StringField(_l("Heading in Danish"), filters=[strip], render_kw=limits(SECTION, "title_da"))
    title_en = StringField(_l("Heading in English"), filters=[strip], render_kw=limits(SECTION, "title_en"))


class QuestionForm(Form):
    """A question: its key, kind, wording, who is asked, and the condition that shows it."""

    key = StringField(_l("Key"), filters=[strip], render_kw={"maxlength": 40, "autocapitalize": "none",
                                                             "spellcheck": "false"},
                      description=_l("A stable name for the question, e.g. network. Keep it when you reword the "
                                     "question, so answers compare across rounds and cities; the success criteria "
                                     "read their question by it."))
    kind = SelectField(_l("How it is answered"), choices=lambda: choices(QuestionKind.choices()))
    asked_of = SelectField(_l("Who is asked"), choices=lambda: choices(AskedOf.choices()))
    text_da = TextAreaField(_l("Question in Danish"), render_kw={"maxlength": 500, "rows": 2})
    text_en = TextAreaField(_l("Question in English"), render_kw={"maxlength": 500, "rows": 2})
    required = BooleanField(_l("An answer is required"))
    options = TextAreaField(_l("Choices (for one or several choices)"), render_kw={"rows": 4},
                            description=_l("One per line: code | Danish | English, e.g. cv | CV | CV."))
    minimum = IntegerField(_l("Lowest number"), validators=[Optional()])
    maximum = IntegerField(_l("Highest number"), validators=[Optional()])
    show_if_key = StringField(_l("Show only if the question with key"), filters=[strip],
                              render_kw={"maxlength": 40, "autocapitalize": "none", "spellcheck": "false"},
                              description=_l("Leave empty to always show the question."))
    show_if_values = StringField(_l("was answered with one of"), filters=[strip], render_kw={"maxlength": 200},
                                 description=_l("Answer codes separated by commas, e.g. full_time, part_time."))


def _question_values(form: QuestionForm) -> dict:
    values = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
    values["required"] = bool(values.get("required"))
    return values


def _fill_question(form: QuestionForm, question: Question) -> None:
    form.options.data = write_options(question.options or [])
    if question.show_if:
        form.show_if_key.data = question.show_if.get("key", "")
        form.show_if_values.data = ", ".join(question.show_if.get("in", []))


@bp.get("/surveys/")
def index():
    """The city's surveys, the programme's templates to copy, and how surveys are sent."""
    found = policy(db.session)
    form = PolicyForm(obj=found, formdata=None)
    form.reminder_days.data = ", ".join(str(day) for day in found.reminder_days)
    return _index(form)


def _index(form: PolicyForm, status: int = 200):
    surveys = builder.current_surveys(db.session)
    have = {survey.key for survey in surveys}
    return render("surveys/index.html", surveys=surveys, templates=builder.templates(), have=have, form=form,
                  locale=str(get_locale()), status=status)


@bp.post("/surveys/policy")
def save_policy():
    """Change the reminder days, the anonymity and how long a survey stays open."""
    form = PolicyForm()
    if submitted(form):
        try:
            with attempt():
                builder.update_policy(db.session, {name: field.data for name, field in form._fields.items()})
        except RuleError as error:
            show_error(form, error)
        else:
            flash(_("Saved. Surveys you send from now on follow it; those already sent keep theirs."), "info")
            return redirect(url_for("surveys.index"))
    return _index(form, 422)


@bp.post("/surveys/templates/<key>")
def copy_template(key: str):
    """Make the city's own copy of one of the programme's templates."""
    try:
        with attempt():
            survey = builder.copy_template(db.session, key)
    except RuleError as error:
        flash(text_for(error), "error")
        return redirect(url_for("surveys.index"))
    flash(_("Copied. Adapt it to your city below."), "info")
    return redirect(url_for("surveys.edit", survey_id=survey.id))


@bp.route("/surveys/<int:survey_id>", methods=["GET", "POST"])
@loads("survey", Survey, "survey_id")
def edit(survey: Survey):
    """A survey's questions by section, with its titles, versions and the forms that change it."""
    form = SurveyTextsForm(obj=survey)
    if submitted(form, lambda values: load(TEXTS, values, SurveyError)):
        try:
            with attempt():
                edited = builder.update_survey(db.session, survey, form.data)
        except RuleError as error:
            show_error(form, error)
        else:
            return _edited(survey, edited)
    return _builder(survey, texts=form, status=422 if form.is_submitted() else 200)


def _builder(survey: Survey, *, texts=None, section=None, status=200):
    sent = builder.is_sent(db.session, survey)
    return render("surveys/edit.html", survey=survey, sent=sent, versions=builder.versions(db.session, survey.key),
                  texts=texts or SurveyTextsForm(obj=survey, formdata=None),
                  section_form=section or SectionForm(formdata=None), locale=str(get_locale()), status=status)


def _edited(survey: Survey, edited: Survey):
    """Where an edit lands: the same survey, or its new version (said once)."""
    target = edited if isinstance(edited, Survey) else db.session.get(Survey, edited.survey_id)
    if target.id != survey.id:
        flash(_("This survey had gone out, so your change made version %(n)d. Those who answer the earlier "
                "version keep it.", n=target.version), "info")
    else:
        flash(_("Saved."), "info")
    return redirect(url_for("surveys.edit", survey_id=target.id))


@bp.post("/surveys/<int:survey_id>/sections")
@loads("survey", Survey, "survey_id")
def add_section(survey: Survey):
    """Add a section at the end."""
    form = SectionForm()
    if submitted(form, lambda values: load(SECTION, values, SurveyError)):
        try:
            with attempt():
                section = builder.add_section(db.session, survey, form.data)
        except RuleError as error:
            show_error(form, error)
        else:
            return _edited(survey, db.session.get(Survey, section.survey_id))
    return _builder(survey, section=form, status=422)


@bp.route("/surveys/<int:survey_id>/sections/<int:section_id>/questions", methods=["GET", "POST"])
@loads("survey", Survey, "survey_id")
@loads("section", SurveySection, "section_id", within="survey")
def add_question(survey: Survey, section: SurveySection):
    """Add a question at the end of a section."""
    form = QuestionForm()
    if not form.is_submitted():
        form.required.data = True
    if submitted(form):
        try:
            with attempt():
                question = builder.add_question(db.session, survey, section.id, _question_values(form))
        except RuleError as error:
            show_error(form, error)
        else:
            return _edited(survey, db.session.get(Survey, question.survey_id))
    return render("surveys/question.html", survey=survey, section=section, question=None, form=form,
                  locale=str(get_locale()), status=422 if form.is_submitted() else 200)


@bp.route("/surveys/<int:survey_id>/questions/<int:question_id>", methods=["GET", "POST"])
@loads("survey", Survey, "survey_id")
@loads("question", Question, "question_id", within="survey")
def edit_question(survey: Survey, question: Question):
    """Change a question."""
    form = QuestionForm(obj=question)
    if not form.is_submitted():
        _fill_question(form, question)
    if submitted(form):
        try:
            with attempt():
                edited = builder.update_question(db.session, survey, question, _question_values(form))
        except RuleError as error:
            show_error(form, error)
        else:
            return _edited(survey, db.session.get(Survey, edited.survey_id))
    return render("surveys/question.html", survey=survey, section=question.section, question=question, form=form,
                  locale=str(get_locale()), status=422 if form.is_submitted() else 200)


@bp.post("/surveys/<int:survey_id>/questions/<int:question_id>/remove")
@loads("survey", Survey, "survey_id")
@loads("question", Question, "question_id", within="survey")
def remove_question(survey: Survey, question: Question):
    """Remove a question (on a new version when the survey has gone out)."""
    try:
        with attempt():
            edited = builder.remove_question(db.session, survey, question)
    except RuleError as error:
        flash(text_for(error), "error")
        return redirect(url_for("surveys.edit", survey_id=survey.id))
    return _edited(survey, edited)


@bp.post("/surveys/<int:survey_id>/copy")
@loads("survey", Survey, "survey_id")
def copy(survey: Survey):
    """A new survey of the city's own, starting as a copy of this one."""
    with attempt():
        made = builder.copy_survey(db.session, survey)
    flash(_("Copied as a new survey. Adapt it below."), "info")
    return redirect(url_for("surveys.edit", survey_id=made.id))


# --- a round's surveys -----------------------------------------------------------------------------------------------


@bp.get("/cohorts/<int:cohort_id>/surveys")
@cohort_view
def round_surveys(cohort: Cohort):
    """The round's surveys in its timeline: when each is due, whether it went out, and who has answered."""
    slots = sending.timeline(db.session, cohort)
    rates = {slot.send.id: sending.rates(db.session, slot.send) for slot in slots if slot.send}
    if htmx and request.args.get("part") == "rates":
        return vary(render("surveys/round.html", "rates", cohort=cohort, slots=slots, rates=rates,
                           today=clock.today(), locale=str(get_locale())))
    return vary(render("surveys/round.html", cohort=cohort, slots=slots, rates=rates, today=clock.today(),
                       can_send=phases.allows(cohort, "survey"), locale=str(get_locale())))


def vary(response):
    """A page that answers htmx with a fragment: caches keep the two apart."""
    response.headers["Vary"] = "HX-Request"
    return response


@bp.post("/cohorts/<int:cohort_id>/surveys/send/<key>")
@cohort_view
def send(cohort: Cohort, key: str):
    """Send the current version of the survey `key` to the round."""
    survey = builder.current(db.session, key)
    if survey is None:
        abort(404)
    try:
        with attempt():
            sent = sending.send(db.session, cohort, survey, by_id=current_user.id)
    except RuleError as error:
        flash(text_for(error), "error")
    else:
        flash(ngettext("Sent to %(num)d person. Their personal links are on their way.",
                       "Sent to %(num)d people. Their personal links are on their way.",
                       len(sent.responses)), "info")
    return redirect(url_for("surveys.round_surveys", cohort_id=cohort.id))


@bp.get("/cohorts/<int:cohort_id>/surveys/<int:send_id>")
@cohort_view
@loads("sent", SurveySend, "send_id", within="cohort")
def sent_survey(cohort: Cohort, sent: SurveySend):
    """Who has answered a survey sent to the round (and what, when the city chose named answers)."""
    page = paginate(sending.respondents(sent))
    rates = sending.rates(db.session, sent)
    if htmx and request.args.get("part") == "rates":
        return vary(render("surveys/sent.html", "rates", cohort=cohort, sent=sent, rates=rates))
    return vary(render("surveys/sent.html", cohort=cohort, sent=sent, page=page, rates=rates,
                       named=sent.anonymity == Anonymity.NAMED, is_open=sending.is_open(sent, clock.today()),
                       locale=str(get_locale())))


@bp.post("/cohorts/<int:cohort_id>/surveys/<int:send_id>/remind")
@cohort_view
@loads("sent", SurveySend, "send_id", within="cohort")
def remind(cohort: Cohort, sent: SurveySend):
    """Remind everyone who has not answered, now."""
    try:
        with attempt():
            reminded = sending.remind(db.session, sent)
    except RuleError as error:
        flash(text_for(error), "error")
    else:
        flash(ngettext("Reminded %(num)d person.", "Reminded %(num)d people.", reminded) if reminded
              else _("Everyone has answered: nobody to remind."), "info")
    return redirect(request.form.get("back") == "round" and url_for("surveys.round_surveys", cohort_id=cohort.id)
                    or url_for("surveys.sent_survey", cohort_id=cohort.id, send_id=sent.id))


# --- answering through a personal link --------------------------------------------------------------------------------


@answer_bp.route("/<token>", methods=["GET", "POST"])
@public
def answer(token: str):
    """The survey behind a personal link (no sign-in): answers save as they are given; submit at the end."""
    response = sending.find_response(db.session, token, to_change=request.method == "POST")
    if response is None:
        return _closed_page(_("This link does not open a survey. Check that the whole link was copied from the "
                              "e-mail; a link only works on the city's own site."), 404)
    # The site's Referrer-Policy keeps the link within the site.
    return personal_page(response.locale, _answer_page, token, response)


def _closed_page(problem: str, status: int):
    return render("surveys/closed.html", problem=problem, status=status)


def _form_answers() -> tuple[dict[str, list[str]], str | None]:
    """The posted answers as question id -> values, and the version the form was made for."""
    answers = {}
    for name in request.form:
        if name.startswith("q") and name[1:].isascii() and name[1:].isdigit():
            answers[name[1:]] = request.form.getlist(name)
        elif name not in ("csrf_token", "version", "question", "finish"):
            answers[name] = request.form.getlist(name)  # an unknown field: refused as a question of no survey
    return answers, request.form.get("version")


def _answer_page(token: str, response: Response):
    survey = response.send.survey
    today = clock.today()
    if response.submitted_at is not None:
        return render("surveys/thanks.html", survey=survey, response=response, locale=str(get_locale()))
    if not sending.is_open(response.send, today):
        return _closed_page(_("This survey closed on %(day)s, so it takes no more answers. Thank you all the same.",
                              day=format_day(response.send.closes_on)), 410)
    errors: dict[str | None, str] = {}
    if request.method != "POST":
        return _survey_form(token, response, survey, answering.given(response), errors, 200)
    form = FlaskForm()
    answers, version = _form_answers()
    if not form.validate_on_submit():
        errors[None] = _("The form has expired. Reload the page and try again.")
    elif version != str(survey.id):
        errors[None] = text_for(SurveyError("survey_outdated_answer"))
    else:
        try:
            # No savepoint (attempt()): submit checks everything before it writes anything, and a refusal answers
            # 422, which rolls the whole request back. Answers come by the hundred a second when a survey closes.
            answering.submit(db.session, response, answers, today)
        except RuleError as error:
            for problem in error.problems:
                errors[problem.field] = text_for(problem)
        else:
            return redirect(url_for("answer.answer", token=token))
    given = {question.key: answers.get(str(question.id), []) for question in answering.questions_of(response)}
    return _survey_form(token, response, survey, given, errors, 422)


def _survey_form(token, response, survey, given, errors, status):
    questions = answering.questions_of(response)
    shown = {question.key for question in answering.visible(questions, response.role, given)}
    asked = [question for question in questions if answering.asked(question, response.role)]
    return render("surveys/answer.html", token=token, response=response, survey=survey, sections=survey.sections,
                  questions=asked, shown=shown, given=given, errors=errors, locale=str(get_locale()),
                  closes_on=response.send.closes_on, status=status)


@answer_bp.post("/<token>/save")
@public
def autosave(token: str):
    """Save one question's answer as it is given (htmx); conditional questions that depend on it follow."""
    response = sending.find_response(db.session, token, to_change=True)
    if response is None:
        abort(404)
    return personal_page(response.locale, _autosave, token, response)


def _autosave(token: str, response: Response):
    answers, version = _form_answers()
    question_id = request.form.get("question", "")
    survey = response.send.survey
    problem, question = None, None
    if version != str(survey.id):
        problem = text_for(SurveyError("survey_outdated_answer"))
    else:
        try:
            with attempt():
                question = answering.save_answer(db.session, response, question_id, answers.get(question_id, []),
                                                 clock.today())
        except RuleError as error:
            problem = text_for(error)
    given = answering.given(response)
    if not htmx:
        # Sent without htmx (a form posted here by hand): the whole survey, with the problem, or the answer saved.
        if problem:
            return _survey_form(token, response, survey, given, {None: problem}, 422)
        return redirect(url_for("answer.answer", token=token), 303)
    questions = [q for q in answering.questions_of(response) if answering.asked(q, response.role)]
    shown = {q.key for q in answering.visible(questions, response.role, given)}
    key = question.key if question else None
    dependants = [q for q in questions if key and (q.show_if or {}).get("key") == key]
    target = question or next((q for q in questions if str(q.id) == question_id), None)
    return render("surveys/answer.html", "saved", token=token, response=response, survey=survey, question=target,
                  problem=problem, dependants=dependants, shown=shown, given=given, errors={},
                  locale=str(get_locale()), status=422 if problem else 200)
