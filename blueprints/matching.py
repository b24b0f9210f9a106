"""The matching board: propose, change, pin, forbid, publish, and end pairs; the city's score weights."""

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from wtforms import DecimalField, SelectField
from wtforms.validators import InputRequired, NumberRange

from mentorby.blueprints.common import CityBlueprint, choices, coordinator_required, finite, render
from mentorby.blueprints.forms import Form
from mentorby.blueprints.messages import message
from mentorby.platform.extensions import db, htmx
from mentorby.platform.tenancy import get_in_city
from mentorby.tenants.applications.models import Application
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.matching import services as matching
from mentorby.tenants.matching.models import PROPOSED, PUBLISHED, Match, MatchingWeights

bp = CityBlueprint("matching", __name__, url_prefix="/coordinator")

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
MESSAGES = {
    "no_mentors": _l("Accept at least one mentor before matching."),
    "no_mentees": _l("Accept at least one mentee before matching."),
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
}


def _text(error: matching.MatchingError) -> str:
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


def _board(cohort: Cohort, problem: str | None = None, proposal: matching.Proposal | None = None,
           status: int = 200, done: str | None = None):
    mentors, mentees = matching.participants(db.session, cohort)
    live = matching.live_matches(db.session, cohort)
    by_mentee: dict[int, list[Match]] = {}
    load: dict[int, int] = {}
    groups: dict[int, set[int]] = {}
    for match in live:
        by_mentee.setdefault(match.mentee_id, []).append(match)
        if match.group_no is None:  # a group is not counted against the 1:1 capacity
            load[match.mentor_id] = load.get(match.mentor_id, 0) + 1
        else:
            groups.setdefault(match.mentor_id, set()).add(match.group_no)
    names = {a.id: a for a in mentors + mentees}
    unmatched = dict(proposal.unmatched) if proposal else {}
    ended = matching.history(db.session, cohort)
    ended_people = {a.id: a for a in _people({m.mentor_id for m in ended} | {m.mentee_id for m in ended})}
    return render("matching/board.html", "board", cohort=cohort, mentors=mentors, mentees=mentees,
                  by_mentee=by_mentee, load=load, groups=groups, names=names | ended_people,
                  rules=matching.rules(db.session, cohort),
                  proposed=sum(1 for m in live if m.status == PROPOSED),
                  published=sum(1 for m in live if m.status == PUBLISHED), unmatched=unmatched,
                  reasons_text=reasons_text, unmatched_reasons=UNMATCHED_REASONS, history=ended, problem=problem,
                  status=status, done=done)


def _people(ids: set[int]):
    return db.session.execute(select(Application).where(Application.id.in_(ids))).scalars() if ids else []


@bp.get("/cohorts/<int:cohort_id>/matching")
@coordinator_required
def board(cohort_id: int):
    """The round's pairs: the proposal with its reasons, who is unmatched, mentors' load, published pairs."""
    return _board(_cohort(cohort_id))


def _answer(cohort: Cohort, done: str | None, error: matching.MatchingError | None,
            proposal: matching.Proposal | None = None):
    if error is not None:
        db.session.rollback()
        cohort = _cohort(cohort.id)
        return _board(cohort, _text(error), status=422)
    if htmx:
        return _board(cohort, proposal=proposal, done=done)
    if done:
        flash(done, "info")
    return redirect(url_for("matching.board", cohort_id=cohort.id))


def _int(name: str) -> int:
    value = request.form.get(name, "")
    if not (value.isascii() and value.isdigit() and len(value) < 10):
        raise matching.MatchingError("not_in_round")
    return int(value)


@bp.post("/cohorts/<int:cohort_id>/matching/propose")
@coordinator_required
def propose(cohort_id: int):
    """Run the engine with the chosen method and priority; published and hand-made pairs stay."""
    cohort = _cohort(cohort_id)
    try:
        proposal = matching.propose(db.session, cohort, method=request.form.get("method", "optimal"),
                                    priority=request.form.get("priority", "best_total"))
    except matching.MatchingError as error:
        return _answer(cohort, None, error)
    # The board itself, also without htmx: the reasons for the unmatched exist only in this answer.
    return _board(cohort, proposal=proposal, done=_("Pairs proposed. Check them, change what you know better, then "
                                                    "publish."))


@bp.post("/cohorts/<int:cohort_id>/matching/assign")
@coordinator_required
def assign(cohort_id: int):
    """Pick a mentor for a mentee by hand."""
    cohort = _cohort(cohort_id)
    try:
        matching.assign(db.session, cohort, _int("mentor_id"), _int("mentee_id"))
    except matching.MatchingError as error:
        return _answer(cohort, None, error)
    return _answer(cohort, _("Saved."), None)


@bp.post("/cohorts/<int:cohort_id>/matching/rule")
@coordinator_required
def rule(cohort_id: int):
    """Pin a pair, forbid it, or clear the rule."""
    cohort = _cohort(cohort_id)
    kind = request.form.get("kind") or None
    try:
        matching.set_rule(db.session, cohort, _int("mentor_id"), _int("mentee_id"), kind)
    except matching.MatchingError as error:
        return _answer(cohort, None, error)
    return _answer(cohort, _("Saved."), None)


@bp.post("/cohorts/<int:cohort_id>/matching/publish")
@coordinator_required
def publish(cohort_id: int):
    """Publish the proposed pairs: both sides are told and see the pair in their portal."""
    cohort = _cohort(cohort_id)
    try:
        count = matching.publish(db.session, g.city, cohort)
    except matching.MatchingError as error:
        return _answer(cohort, None, error)
    return _answer(cohort, ngettext("%(num)d pair published; both sides have been told.",
                                    "%(num)d pairs published; both sides have been told.", count), None)


@bp.post("/cohorts/<int:cohort_id>/matching/<int:application_id>/end")
@coordinator_required
def end(cohort_id: int, application_id: int):
    """Close a mentee's published pair as completed or ended early, with a reason."""
    cohort = _cohort(cohort_id)
    pairs = _published_of(cohort, application_id)
    try:
        for match in pairs:  # a mentee in a group has one pair per mentor of the group
            matching.end(db.session, match, outcome=request.form.get("outcome", ""),
                         ended_by=request.form.get("ended_by", "coordinator"), reason=request.form.get("reason", ""))
    except matching.MatchingError as error:
        return _answer(cohort, None, error)
    return _answer(cohort, _("The pair is closed."), None)


@bp.post("/cohorts/<int:cohort_id>/matching/<int:application_id>/replace")
@coordinator_required
def replace(cohort_id: int, application_id: int):
    """Give a mentee a new mentor mid-round; the old pair stays in the history with the reason."""
    cohort = _cohort(cohort_id)
    match = _published_of(cohort, application_id)[0]
    try:
        matching.replace(db.session, g.city, cohort, match, mentor_id=_int("mentor_id"),
                         reason=request.form.get("reason", ""))
    except matching.MatchingError as error:
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


@bp.route("/matching/weights", methods=["GET", "POST"])
@coordinator_required
def weights():
    """The city's weights for the compatibility score, and the same-company rule."""
    row = db.session.execute(select(MatchingWeights)).scalar_one_or_none() or MatchingWeights(
        field=20, goal_expertise=35, languages=15, availability=15, preference=15, conflict_policy="flag")
    form = WeightsForm(obj=row)
    if form.validate_on_submit():
        try:
            matching.save_weights(db.session, {name: field.data for name, field in form._fields.items()
                                               if name != "csrf_token"})
        except matching.MatchingError as error:
            form.form_errors.append(_text(error))
        else:
            flash(_("Saved. New proposals use these weights."), "info")
            return redirect(url_for("matching.weights"))
    return render("matching/weights.html", form=form, status=422 if form.is_submitted() else 200)
