"""The matching board: propose, change, pin, forbid, publish, and end pairs; the city's score weights."""

from functools import wraps

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup, escape
from wtforms import DecimalField, SelectField
from wtforms.validators import InputRequired

from mentorby.blueprints.common import (
    CityBlueprint,
    RowLinks,
    attempt,
    choices,
    cohort_view,
    finite,
    kept_until_changed,
    render,
    show_error,
    submitted,
)
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import message, register, text_for
from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.extensions import db, htmx
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import limits
from mentorby.platform.translations import translations_in_force
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.matching import engine, scoring
from mentorby.tenants.matching import services as matching
from mentorby.tenants.matching.models import (
    ENDINGS,
    ConflictPolicy,
    EndedBy,
    MatchStatus,
    Method,
    PairRuleKind,
    Priority,
)
from mentorby.tenants.matching.schemas import EndSchema, ReplaceSchema, WeightsSchema

bp = CityBlueprint("matching", __name__, url_prefix="/coordinator", access=(COORDINATOR,))
WEIGHTS, END, REPLACE = WeightsSchema(), EndSchema(), ReplaceSchema()

#: Plain words for the parts of a score, keyed by the scorer's part and explanation keys.
PART_LABELS = {
    scoring.FIELD_SAME: _l("same field"),
    scoring.FIELD_RELATED: _l("the mentee's field is the mentor's industry"),
    scoring.PREFERENCE_HIGH: _l("liked each other at the speed networking"),
    scoring.PREFERENCE_MEDIUM: _l("rated each other fairly at the speed networking"),
    scoring.FIELD: _l("same field"),
    scoring.GOAL_EXPERTISE: _l("job goal meets expertise"),
    scoring.LANGUAGES: _l("shared language"),
    scoring.AVAILABILITY: _l("shared meeting times"),
    scoring.PREFERENCE: _l("speed-networking ratings"),
    scoring.PENALTY_KEY: _l("no shared language"),
    scoring.CONFLICT_SAME_COMPANY: _l("the mentor works where the mentee's partner works"),
}
#: Plain words for the engine's reasons why a mentee was left without a mentor.
UNMATCHED_REASONS = {
    engine.REASON_NO_MENTORS: _l("there are no mentors"),
    engine.REASON_NO_CAPACITY: _l("every suitable mentor is full"),
    engine.REASON_ALL_PAIRS_FORBIDDEN: _l("every pair with this mentee is forbidden"),
    engine.REASON_BELOW_MIN_SCORE: _l("no mentor fits well enough"),
    engine.REASON_NOT_ENOUGH_MENTORS: _l("not enough mentors for another group"),
    engine.REASON_NOT_ENOUGH_MENTEES: _l("not enough mentees for another group"),
}
#: Derived from the vocabularies, for pages that still look a run's method and priority up by code (the audit log).
METHOD_LABELS = {method.value: method._label for method in Method}
PRIORITY_LABELS = {priority.value: priority._label for priority in Priority}
MESSAGES = register("matching", {
    "no_mentors": _l("Accept at least one mentor before matching."),
    "no_mentees": _l("Accept at least one mentee before matching."),
    "everyone_has_a_mentor": _l("Every mentee already has a published or hand-picked mentor: there is no one left to "
                                "propose a mentor for."),
    "no_one_to_one_mentors": _l("No mentor offered to mentor one mentee: ask mentors to choose \u201cOne mentee\u201d "
                                "or \u201cEither\u201d under \u201cYou can take\u201d in their profile, or use the "
                                "Groups method."),
    "no_group_mentors": _l("No mentor offered to mentor a group: ask mentors to choose \u201cA group, together with "
                           "another mentor\u201d or \u201cEither\u201d under \u201cYou can take\u201d in their "
                           "profile, or use a 1:1 method."),
    "too_few_for_a_group": _l("A group needs 2 mentors who offered a group and are not yet mentoring, and 3 mentees "
                              "without a mentor; there are %(mentors)d and %(mentees)d. Use a 1:1 method, or ask more "
                              "mentors to offer a group."),
    "mentors_full": _l("Every mentor who offered one mentee already has as many mentees as they can take. Raise a "
                       "mentor's number of mentees, accept more mentors, or use the Groups method."),
    "all_pairs_forbidden": _l("Every pair left is forbidden, by your rules or by the same-company rule in the score "
                              "weights. Clear a rule, or pick a mentor by hand."),
    "no_pair_fits": _l("No pair left scores above 0. Choose \u201cEveryone matched first\u201d, or pick a mentor by "
                       "hand."),
    "choose_mentor": _l("Choose a mentor for %(name)s in the list first."),
    "cohort_closed": _l("The round is closed: its pairs can no longer change."),
    "not_in_round": _l("That person is not an accepted participant of this round."),
    "pair_forbidden": _l("You have forbidden this pair. Remove the rule first."),
    "already_published": _l("This mentee's pair is published: change it with \u201cNew mentor\u201d instead."),
    "mentor_full": _l("%(name)s already has %(capacity)d mentees, as many as they can take."),
    "nothing_to_publish": _l("There are no proposed pairs to publish."),
    "not_published": _l("Only a published pair can be ended or changed."),
    "reason_required": _l("Write a short reason; it stays in the round's history."),
    "same_mentor": _l("Choose another mentor than the current one."),
    "bad_weight": _l("Use weights from 0 to 100."),
    "all_weights_zero": _l("At least one weight must be above 0."),
    "bad_choice": _l("Choose one of the options in the list."),
    "cannot_match": _l("The pins cannot all be kept (a mentee pinned twice, or a mentor past their capacity). "
                       "Clear a pin and try again."),
    "mentee_already_pinned": _l("This mentee is already pinned to another mentor. Clear that pin first."),
    "group_pair": _l("This mentee is in a group: end the group pair instead."),
})


#: Explanations that are no reason for a pair: a neutral stand-in for missing ratings, and low ratings.
NOT_A_REASON = {scoring.PREFERENCE_NOT_RATED, scoring.PREFERENCE_LOW}


def reasons_text(reasons: list) -> str:
    """A proposal's score parts in plain words, strongest first (parts worth nothing left out)."""
    words = []
    for key, points, detail, *explained in sorted(reasons, key=lambda part: -abs(part[1])):
        explanation = explained[0] if explained else key
        if key == scoring.CONFLICT_SAME_COMPANY:
            words.append(str(PART_LABELS[key]))
        elif points and explanation not in NOT_A_REASON:
            label = str(PART_LABELS.get(explanation, PART_LABELS.get(key, key)))
            words.append(f"{label} ({', '.join(detail)})" if detail and key == scoring.GOAL_EXPERTISE else label)
    return "; ".join(words)


#: A weight is parsed here (a field left out of the post would otherwise keep the city's current value); its limits
#: are the schema's (tenants/matching/schemas.py).
WEIGHT = [InputRequired(), finite]


class WeightsForm(Form):
    """The city's weights for the compatibility score."""

    field = DecimalField(_l("Same field"), validators=WEIGHT, render_kw=limits(WEIGHTS, "field"))
    goal_expertise = DecimalField(_l("Job goal meets expertise"), validators=WEIGHT,
                                  render_kw=limits(WEIGHTS, "goal_expertise"))
    languages = DecimalField(_l("Shared language"), validators=WEIGHT,
                             render_kw=limits(WEIGHTS, "languages"))
    availability = DecimalField(_l("Shared meeting times"), validators=WEIGHT,
                                render_kw=limits(WEIGHTS, "availability"))
    preference = DecimalField(_l("Speed-networking ratings"), validators=WEIGHT,
                              render_kw=limits(WEIGHTS, "preference"))
    # A callable, so that the labels are the page's language, not the language at import.
    conflict_policy = SelectField(_l("Mentor from the company where the mentee's partner works"),
                                  choices=lambda: choices(ConflictPolicy.choices()))


def _run_label(method: str, priority: str) -> str:
    """A run's method, with its priority when the method uses one."""
    method, priority = Method(method), Priority(priority)
    if method == Method.OPTIMAL:
        return f"{method.label}, {priority.label.lower()}"
    return method.label


class MentorPicker:
    """The mentor pickers' options: nothing chosen, then each candidate with score and places left, best first.

    A forbidden pair cannot be chosen. Made here rather than by a template macro: a round of 40 has about 400 options
    a view, and the macro's calls, translations and escaping per option were half of the board's time. Each label is
    translated and escaped once per view (names by mentor, score labels by score), escaped as the template would.
    """

    def __init__(self):
        translations = translations_in_force()
        gettext, ngettext = translations.ugettext, translations.ungettext
        self._choose = Markup('<option value="" selected>%s</option>') % Markup(gettext("Choose a mentor…"))
        self._score = Markup(gettext("score %(s)s"))
        self._forbidden = Markup(gettext("forbidden"))
        self._full = Markup(gettext("full"))
        self._free = lambda places: Markup(ngettext("%(num)d place free", "%(num)d places free", places)) % {
            "num": places}
        self._names: dict[int, Markup] = {}
        self._labels: dict = {}

    def __call__(self, candidates, skip: int | None = None) -> Markup:
        """The options of one mentee's picker (`skip`: their current mentor, when they need a new one)."""
        parts = [self._choose]
        names, labels = self._names, self._labels
        for mentor, score, places, forbidden in candidates:
            if mentor.id == skip:
                continue
            name = names.get(mentor.id)
            if name is None:
                name = names[mentor.id] = escape(mentor.name)
            label = labels.get(("score", score))
            if label is None:
                label = labels[("score", score)] = self._score % {"s": score}
            if forbidden:
                parts.append(f'<option value="{mentor.id}" disabled>{name} – {label} – {self._forbidden}</option>')
                continue
            tail = labels.get(("places", places))
            if tail is None:
                tail = labels[("places", places)] = self._free(places) if places else self._full
            parts.append(f'<option value="{mentor.id}">{name} – {label} – {tail}</option>')
        return Markup("\n".join(parts))


def _board(cohort: Cohort, problem: str | None = None, status: int = 200, done: str | None = None,
           chosen: tuple[str, str] | None = None):
    shown = matching.board(db.session, cohort)
    closed = cohort.status in matching.FINISHED
    if chosen is None:
        chosen = (shown.run.method, shown.run.priority) if shown.run else (Method.OPTIMAL, Priority.BEST_TOTAL)
    return render("matching/board.html", "board", cohort=cohort, **vars(shown), proposed=shown.proposed,
                  published=shown.published, chosen=chosen, methods=list(Method), priorities=list(Priority),
                  endings=ENDINGS, ended_by=list(EndedBy), MatchStatus=MatchStatus, PairRuleKind=PairRuleKind,
                  reason_limits=limits(END, "reason"), replace_limits=limits(REPLACE, "reason"),
                  run_label=_run_label, reasons_text=reasons_text, picker=MentorPicker(),
                  # A mentee's row has up to six forms: their addresses built once a page.
                  links={"replace": RowLinks("matching.replace", "application_id", cohort_id=cohort.id),
                         "end": RowLinks("matching.end", "application_id", cohort_id=cohort.id),
                         "assign": url_for("matching.assign", cohort_id=cohort.id),
                         "rule": url_for("matching.rule", cohort_id=cohort.id)},
                  unmatched_reasons=UNMATCHED_REASONS,
                  problem=problem, closed=closed, can_match=not closed and phases.allows(cohort, "match"),
                  can_change=not closed and phases.allows(cohort, "change_pairs"),
                  why_not=MESSAGES["cohort_closed"] if closed else message("phase_match"), status=status, done=done)


def _change(cohort: Cohort, change, done):
    """Make one change to the round's pairs: the board with what was done, or with why not (422, nothing changed)."""
    try:
        with attempt():
            result = change()
    except RuleError as error:
        return _board(cohort, text_for(error), status=422)
    done = done(result) if callable(done) else done
    if htmx:
        return _board(cohort, done=done)
    flash(done, "info")
    return redirect(url_for("matching.board", cohort_id=cohort.id))


def _int(name: str, *, optional: bool = False) -> int | None:
    """A posted id; anything but a whole number names nobody in the round."""
    value = request.form.get(name, "")
    if optional and value == "":
        return None
    if not (value.isascii() and value.isdigit() and len(value) < 10):
        raise matching.MatchingError("not_in_round")
    return int(value)


def published_pairs(view):
    """Hand the view `pairs`: the published pairs of the URL's mentee <application_id> in the round, or 404.

    A mentee in a group has one pair per mentor of the group; someone without a published pair is not found here.
    """

    @wraps(view)
    def wrapped(*args, application_id: int, cohort: Cohort, **kwargs):
        pairs = matching.published_pairs_of(db.session, cohort, application_id)
        if not pairs:
            abort(404)
        return view(*args, cohort=cohort, pairs=pairs, **kwargs)

    return wrapped


@bp.get("/cohorts/<int:cohort_id>/matching")
@kept_until_changed
@cohort_view
def board(cohort: Cohort):
    """The round's pairs: the proposal with its reasons, who is unmatched, mentors' load, published pairs."""
    return _board(cohort)


@bp.post("/cohorts/<int:cohort_id>/matching/propose")
@cohort_view
def propose(cohort: Cohort):
    """Run the engine with the chosen method and priority; published and hand-made pairs stay."""
    method, priority = request.form.get("method", Method.OPTIMAL), request.form.get("priority", Priority.BEST_TOTAL)
    try:
        with attempt():
            proposal = matching.propose(db.session, cohort, method=method, priority=priority)
    except RuleError as error:
        if Method.get(method) is None or Priority.get(priority) is None:
            return _board(cohort, text_for(error), status=422)
        problem = text_for(error)
        if error.code in matching.NOTHING_PROPOSED or error.code == "cannot_match":
            # Say which run failed and that the board still shows what it showed (labelled with its own run).
            problem = _("The run with \u201c%(method)s\u201d proposed nothing. %(why)s Nothing on the board has "
                        "changed.", method=_run_label(method, priority), why=problem)
        return _board(cohort, problem, status=422, chosen=(method, priority))
    # The board itself, also without htmx, so the answer to the button is the proposal it made.
    return _board(cohort, done=ngettext(
        "%(num)d pair proposed with \u201c%(method)s\u201d. Check it, change what you know better, then publish.",
        "%(num)d pairs proposed with \u201c%(method)s\u201d. Check them, change what you know better, then "
        "publish.", len(proposal.pairs), method=_run_label(proposal.run.method, proposal.run.priority)))


@bp.post("/cohorts/<int:cohort_id>/matching/assign")
@cohort_view
def assign(cohort: Cohort):
    """Pick a mentor for a mentee by hand."""
    return _change(cohort, lambda: matching.assign(db.session, cohort, _int("mentor_id", optional=True),
                                                   _int("mentee_id")), _("Saved."))


@bp.post("/cohorts/<int:cohort_id>/matching/rule")
@cohort_view
def rule(cohort: Cohort):
    """Pin a pair, forbid it, or clear the rule."""
    return _change(cohort, lambda: matching.set_rule(db.session, cohort, _int("mentor_id"), _int("mentee_id"),
                                                     request.form.get("kind") or None), _("Saved."))


@bp.post("/cohorts/<int:cohort_id>/matching/publish")
@cohort_view
def publish(cohort: Cohort):
    """Publish the proposed pairs: both sides are told and see the pair in their portal."""
    return _change(cohort, lambda: matching.publish(db.session, g.city, cohort), lambda count: ngettext(
        "%(num)d pair published; both sides have been told.", "%(num)d pairs published; both sides have been told.",
        count))


@bp.post("/cohorts/<int:cohort_id>/matching/<int:application_id>/end")
@cohort_view
@published_pairs
def end(cohort: Cohort, pairs):
    """Close a mentee's published pair as completed or ended early, with a reason."""
    return _change(cohort, lambda: matching.end(
        db.session, cohort, pairs, outcome=request.form.get("outcome", ""),
        ended_by=request.form.get("ended_by", EndedBy.COORDINATOR), reason=request.form.get("reason", "")),
        _("The pair is closed."))


@bp.post("/cohorts/<int:cohort_id>/matching/<int:application_id>/replace")
@cohort_view
@published_pairs
def replace(cohort: Cohort, pairs):
    """Give a mentee a new mentor mid-round; the old pair stays in the history with the reason."""
    return _change(cohort, lambda: matching.replace(
        db.session, g.city, cohort, pairs[0], mentor_id=_int("mentor_id", optional=True),
        reason=request.form.get("reason", "")), _("The mentee has a new mentor; both have been told."))


@bp.route("/matching/weights", methods=["GET", "POST"])
def weights():
    """The city's weights for the compatibility score, and the same-company rule; back to the board it came from."""
    # Opened from a board (?cohort=<id>), the page leads back to it; another city's round or none leads nowhere.
    cohort = matching.board_round(db.session, request.args.get("cohort", type=int))
    form = WeightsForm(obj=matching.weights_of_city(db.session))
    if submitted(form, matching.check_weights):
        try:
            with attempt():
                matching.save_weights(db.session, {name: field.data for name, field in form._fields.items()
                                                   if name != "csrf_token"})
        except RuleError as error:
            show_error(form, error)
        else:
            if cohort is not None:
                flash(_("Saved. The next proposal uses these weights: press \u201cPropose pairs\u201d to apply "
                        "them."), "info")
                return redirect(url_for("matching.board", cohort_id=cohort.id))
            flash(_("Saved. New proposals use these weights."), "info")
            return redirect(url_for("matching.weights"))
    boards = [] if cohort is not None else matching.matching_rounds(db.session)
    return render("matching/weights.html", form=form, cohort=cohort, boards=boards,
                  status=422 if form.is_submitted() else 200)
