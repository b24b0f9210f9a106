"""The matching board: propose, change, pin, forbid, publish, and end pairs; the city's score weights."""

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from wtforms import DecimalField, SelectField
from wtforms.validators import InputRequired, NumberRange

from mentorby.blueprints.common import CityBlueprint, choices, finite, render
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import label, message, register
from mentorby.platform.accounts.models import COORDINATOR
from mentorby.platform.extensions import db, htmx
from mentorby.platform.rules import RuleError
from mentorby.platform.tenancy import get_in_city
from mentorby.tenants.applications.models import Application
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.matching import services as matching
from mentorby.tenants.matching.models import METHODS, PRIORITIES, PROPOSED, PUBLISHED, Match, MatchingWeights

bp = CityBlueprint("matching", __name__, url_prefix="/coordinator", access=(COORDINATOR,))

#: Plain words for the parts of a score and the engine's reasons (keys from tenants/matching).
PART_LABELS = {
    "field.same": _l("same field"),
    "field.related": _l("the mentee's field is the mentor's industry"),
    "preference.high": _l("liked each other at the speed networking"),
    "preference.medium": _l("rated each other fairly at the speed networking"),
    "field": _l("same field"),
    "goal_expertise": _l("job goal meets expertise"),
    "languages": _l("shared language"),
    "availability": _l("shared meeting times"),
    "preference": _l("speed-networking ratings"),
    "no_shared_language": _l("no shared language"),
    "same_company": _l("the mentor works where the mentee's partner works"),
}
UNMATCHED_REASONS = {
    "no_mentors": _l("there are no mentors"),
    "no_capacity": _l("every suitable mentor is full"),
    "all_pairs_forbidden": _l("every pair with this mentee is forbidden"),
    "below_min_score": _l("no mentor fits well enough"),
    "not_enough_mentors": _l("not enough mentors for another group"),
    "not_enough_mentees": _l("not enough mentees for another group"),
}
#: How the board names a run's method and priority (the proposal is labelled with the run that made it).
METHOD_LABELS = {
    "optimal": _l("Best pairs overall (optimal)"),
    "stable": _l("Stable: no two would rather have each other"),
    "groups": _l("Groups: 2 mentors with 3-4 mentees"),
}
PRIORITY_LABELS = {
    "best_total": _l("Best total score"),
    "everyone_matched": _l("Everyone matched first"),
}
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


def _text(error: RuleError) -> str:
    return message(error.code, MESSAGES, **error.params)


#: Explanations that are no reason for a pair: a neutral stand-in for missing ratings, and low ratings.
NOT_A_REASON = {"preference.not_rated", "preference.low"}


def reasons_text(reasons: list) -> str:
    """A proposal's score parts in plain words, strongest first (parts worth nothing left out)."""
    words = []
    for key, points, detail, *explained in sorted(reasons, key=lambda part: -abs(part[1])):
        explanation = explained[0] if explained else key
        if key == "same_company":
            words.append(str(PART_LABELS[key]))
        elif points and explanation not in NOT_A_REASON:
            label = str(PART_LABELS.get(explanation, PART_LABELS.get(key, key)))
            words.append(f"{label} ({', '.join(detail)})" if detail and key == "goal_expertise" else label)
    return "; ".join(words)


WEIGHT = [InputRequired(), finite, NumberRange(0, 100)]


class WeightsForm(Form):
    """The city's weights for the compatibility score."""

    field = DecimalField(_l("Same field"), validators=WEIGHT)
    goal_expertise = DecimalField(_l("Job goal meets expertise"), validators=WEIGHT)
    languages = DecimalField(_l("Shared language"), validators=WEIGHT)
    availability = DecimalField(_l("Shared meeting times"), validators=WEIGHT)
    preference = DecimalField(_l("Speed-networking ratings"), validators=WEIGHT)
    conflict_policy = SelectField(_l("Mentor from the company where the mentee's partner works"), choices=choices([
        ("flag", _l("Allow, but flag it")), ("forbid", _l("Never propose it"))]))


def _cohort(cohort_id: int) -> Cohort:
    return get_in_city(db.session, Cohort, cohort_id)


def _board(cohort: Cohort, problem: str | None = None, status: int = 200, done: str | None = None,
           chosen: tuple[str, str] | None = None):
    mentors, mentees = matching.participants(db.session, cohort)
    live = matching.live_matches(db.session, cohort)
    run = matching.current_run(db.session, cohort)
    by_mentee: dict[int, list[Match]] = {}
    load: dict[int, set[int]] = {}
    groups: dict[int, set[int]] = {}
    for match in live:
        by_mentee.setdefault(match.mentee_id, []).append(match)
        load.setdefault(match.mentor_id, set()).add(match.mentee_id)
        if match.group_no is not None:
            groups.setdefault(match.mentor_id, set()).add(match.group_no)
    free = {a.id: max(0, a.mentee_capacity - len(load.get(a.id, ()))) for a in mentors}
    rules = matching.rules(db.session, cohort)
    scores = matching.pick_scores(db.session, cohort, mentors, mentees)
    # The picker lists the best candidates for each mentee first.
    candidates = {e.id: sorted(((m, round(scores[m.id, e.id]), free[m.id], rules.get((m.id, e.id)) == "forbid")
                                for m in mentors), key=lambda c: (-c[1], c[0].name.casefold(), c[0].id))
                  for e in mentees}
    names = {a.id: a for a in mentors + mentees}
    unmatched = {mentee_id: reason for mentee_id, reason in run.unmatched} if run else {}
    ended = matching.history(db.session, cohort)
    ended_people = {a.id: a for a in _people({m.mentor_id for m in ended} | {m.mentee_id for m in ended})}
    closed = cohort.status in matching.FINISHED
    if chosen is None:
        chosen = (run.method, run.priority) if run else ("optimal", "best_total")
    return render("matching/board.html", "board", cohort=cohort, mentors=mentors, mentees=mentees,
                  by_mentee=by_mentee, load={m: len(e) for m, e in load.items()}, free=free, groups=groups,
                  names=names | ended_people, rules=rules, candidates=candidates, run=run, chosen=chosen,
                  methods=METHOD_LABELS, priorities=PRIORITY_LABELS, run_label=_run_label,
                  proposed=sum(1 for m in live if m.status == PROPOSED),
                  published=sum(1 for m in live if m.status == PUBLISHED), unmatched=unmatched,
                  reasons_text=reasons_text, unmatched_reasons=UNMATCHED_REASONS, history=ended, problem=problem,
                  can_match=not closed and phases.allows(cohort, "match"),
                  can_change=not closed and phases.allows(cohort, "change_pairs"),
                  why_not=MESSAGES["cohort_closed"] if closed else message("phase_match"),
                  status=status, done=done)


def _people(ids: set[int]):
    return db.session.execute(select(Application).where(Application.id.in_(ids))).scalars() if ids else []


@bp.get("/cohorts/<int:cohort_id>/matching")
def board(cohort_id: int):
    """The round's pairs: the proposal with its reasons, who is unmatched, mentors' load, published pairs."""
    return _board(_cohort(cohort_id))


def _answer(cohort: Cohort, done: str | None, error: RuleError | None):
    if error is not None:
        db.session.rollback()
        return _board(_cohort(cohort.id), _text(error), status=422)
    if htmx:
        return _board(cohort, done=done)
    if done:
        flash(done, "info")
    return redirect(url_for("matching.board", cohort_id=cohort.id))


def _int(name: str, *, optional: bool = False) -> int | None:
    value = request.form.get(name, "")
    if optional and value == "":
        return None
    if not (value.isascii() and value.isdigit() and len(value) < 10):
        raise matching.MatchingError("not_in_round")
    return int(value)


def _run_label(method: str, priority: str) -> str:
    """A run's method, with its priority when the method uses one."""
    if method == "optimal":
        return f"{label(METHOD_LABELS, method)}, {label(PRIORITY_LABELS, priority).lower()}"
    return label(METHOD_LABELS, method)


@bp.post("/cohorts/<int:cohort_id>/matching/propose")
def propose(cohort_id: int):
    """Run the engine with the chosen method and priority; published and hand-made pairs stay."""
    cohort = _cohort(cohort_id)
    method, priority = request.form.get("method", "optimal"), request.form.get("priority", "best_total")
    try:
        proposal = matching.propose(db.session, cohort, method=method, priority=priority)
    except RuleError as error:
        db.session.rollback()
        cohort = _cohort(cohort_id)
        if method not in METHODS or priority not in PRIORITIES:
            return _board(cohort, _text(error), status=422)
        problem = _text(error)
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
def assign(cohort_id: int):
    """Pick a mentor for a mentee by hand."""
    cohort = _cohort(cohort_id)
    try:
        matching.assign(db.session, cohort, _int("mentor_id", optional=True), _int("mentee_id"))
    except RuleError as error:
        return _answer(cohort, None, error)
    return _answer(cohort, _("Saved."), None)


@bp.post("/cohorts/<int:cohort_id>/matching/rule")
def rule(cohort_id: int):
    """Pin a pair, forbid it, or clear the rule."""
    cohort = _cohort(cohort_id)
    kind = request.form.get("kind") or None
    try:
        matching.set_rule(db.session, cohort, _int("mentor_id"), _int("mentee_id"), kind)
    except RuleError as error:
        return _answer(cohort, None, error)
    return _answer(cohort, _("Saved."), None)


@bp.post("/cohorts/<int:cohort_id>/matching/publish")
def publish(cohort_id: int):
    """Publish the proposed pairs: both sides are told and see the pair in their portal."""
    cohort = _cohort(cohort_id)
    try:
        count = matching.publish(db.session, g.city, cohort)
    except RuleError as error:
        return _answer(cohort, None, error)
    return _answer(cohort, ngettext("%(num)d pair published; both sides have been told.",
                                    "%(num)d pairs published; both sides have been told.", count), None)


@bp.post("/cohorts/<int:cohort_id>/matching/<int:application_id>/end")
def end(cohort_id: int, application_id: int):
    """Close a mentee's published pair as completed or ended early, with a reason."""
    cohort = _cohort(cohort_id)
    pairs = _published_of(cohort, application_id)
    try:
        for match in pairs:  # a mentee in a group has one pair per mentor of the group
            matching.end(db.session, cohort, match, outcome=request.form.get("outcome", ""),
                         ended_by=request.form.get("ended_by", "coordinator"), reason=request.form.get("reason", ""))
    except RuleError as error:
        return _answer(cohort, None, error)
    return _answer(cohort, _("The pair is closed."), None)


@bp.post("/cohorts/<int:cohort_id>/matching/<int:application_id>/replace")
def replace(cohort_id: int, application_id: int):
    """Give a mentee a new mentor mid-round; the old pair stays in the history with the reason."""
    cohort = _cohort(cohort_id)
    match = _published_of(cohort, application_id)[0]
    try:
        matching.replace(db.session, g.city, cohort, match, mentor_id=_int("mentor_id", optional=True),
                         reason=request.form.get("reason", ""))
    except RuleError as error:
        return _answer(cohort, None, error)
    return _answer(cohort, _("The mentee has a new mentor; both have been told."), None)


def _published_of(cohort: Cohort, mentee_application_id: int) -> list[Match]:
    if not 0 < mentee_application_id < 2**31:
        abort(404)
    pairs = [m for m in matching.live_matches(db.session, cohort)
             if m.mentee_id == mentee_application_id and m.status == PUBLISHED]
    if not pairs:
        abort(404)
    return pairs


def _weights_cohort() -> Cohort | None:
    """The round whose board the weights page was opened from (?cohort=<id>), if it is one of this city's."""
    value = request.args.get("cohort", "")
    if not (value.isascii() and value.isdigit() and 0 < int(value) < 2**31):
        return None
    return db.session.execute(select(Cohort).where(Cohort.id == int(value))).scalar_one_or_none()


@bp.route("/matching/weights", methods=["GET", "POST"])
def weights():
    """The city's weights for the compatibility score, and the same-company rule; back to the board it came from."""
    cohort = _weights_cohort()
    row = db.session.execute(select(MatchingWeights)).scalar_one_or_none() or MatchingWeights(
        field=20, goal_expertise=35, languages=15, availability=15, preference=15, conflict_policy="flag")
    form = WeightsForm(obj=row)
    if form.validate_on_submit():
        try:
            matching.save_weights(db.session, {name: field.data for name, field in form._fields.items()
                                               if name != "csrf_token"})
        except RuleError as error:
            form.form_errors.append(_text(error))
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
