"""Matching a round: proposals from the engine, the coordinator's changes, publishing, the end of a pair.

Profiles come from the accepted applications; changes mid-round keep the history of who mentored whom.
"""

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from mentorby.platform.cities.models import Tenant
from mentorby.platform.outbox.services import queue_template_mail
from mentorby.platform.rules import RuleError
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications.models import ACCEPTED, Application
from mentorby.tenants.applications.services import CONFIRMED
from mentorby.tenants.cohorts.models import CLOSED, FOLLOWED_UP, Cohort
from mentorby.tenants.cohorts.services import RUNNING_CHECKS
from mentorby.tenants.matching import engine
from mentorby.tenants.matching.models import (
    COMPLETED,
    ENDED_EARLY,
    LIVE,
    METHODS,
    PRIORITIES,
    PROPOSED,
    PUBLISHED,
    REPLACED,
    Match,
    MatchingWeights,
    PairRule,
)
from mentorby.tenants.matching.scoring import (
    MenteeProfile,
    MentorProfile,
    Weights,
    combine_ratings,
    score_matrix,
    score_pair,
)

#: Words that say nothing about a job or an expertise, in the programme's two languages.
STOP_WORDS = frozenset(
    "and or the for with from into in of to a an as at by on my i me job work working position role "
    "og eller i af til en et som der det med på for fra job arbejde stilling".split()
)
ENDINGS = (COMPLETED, ENDED_EARLY)
ENDED_BY = ("coordinator", "mentor", "mentee")


class MatchingError(RuleError):
    """A matching rule was broken."""


def keywords(text: str) -> frozenset[str]:
    """The words of an expertise list or a job goal that carry meaning, lower-cased."""
    return frozenset(word for word in re.findall(r"[^\W\d_]{3,}", text.casefold()) if word not in STOP_WORDS)


def city_weights(session: Session) -> tuple[Weights, str]:
    """The city's score weights and conflict policy (the defaults until it sets its own)."""
    row = session.execute(select(MatchingWeights)).scalar_one_or_none()
    if row is None:
        return Weights(), "flag"
    return Weights(field=float(row.field), goal_expertise=float(row.goal_expertise), languages=float(row.languages),
                   availability=float(row.availability), preference=float(row.preference)), row.conflict_policy


def save_weights(session: Session, values: dict) -> MatchingWeights:
    """Set the city's score weights (each 0..100, not all 0) and whether same-company pairs are flagged or forbidden."""
    keys = ("field", "goal_expertise", "languages", "availability", "preference")
    values = dict(values)
    for key in keys:
        try:
            # Stored with two decimals: round first, so a weight of 0.001 cannot pass as above zero and then be 0.
            values[key] = round(float(values[key]), 2)
        except (TypeError, ValueError, ArithmeticError):
            raise MatchingError("bad_weight") from None
        if not math.isfinite(values[key]) or not 0 <= values[key] <= 100:
            raise MatchingError("bad_weight")
    if sum(values[key] for key in keys) <= 0:
        raise MatchingError("all_weights_zero")
    if values["conflict_policy"] not in ("flag", "forbid"):
        raise MatchingError("bad_choice")
    row = session.execute(select(MatchingWeights)).scalar_one_or_none()
    if row is None:
        row = MatchingWeights()
        session.add(row)
    for key in (*keys, "conflict_policy"):
        setattr(row, key, values[key])
    session.flush()
    return row


def participants(session: Session, cohort: Cohort) -> tuple[list[Application], list[Application]]:
    """The round's accepted mentors and mentees, by name."""
    rows = list(session.execute(
        select(Application).where(Application.cohort_id == cohort.id, Application.status == ACCEPTED, CONFIRMED)
        .order_by(Application.name, Application.id)
    ).scalars())
    return [a for a in rows if a.role == "mentor"], [a for a in rows if a.role == "mentee"]


def mentor_profile(a: Application) -> MentorProfile:
    """What the scorer needs of a mentor's application."""
    return MentorProfile(id=a.id, field=a.field, industry=a.industry, expertise=keywords(a.expertise),
                         languages=frozenset(a.languages.split()), availability=frozenset(a.availability.split()),
                         capacity=a.mentee_capacity, employer=a.employer or None, company_id=a.employer_id)


def mentee_profile(a: Application) -> MenteeProfile:
    """What the scorer needs of a mentee's application."""
    return MenteeProfile(id=a.id, field=a.field, job_goal_keywords=keywords(a.job_goal),
                         languages=frozenset(a.languages.split()), availability=frozenset(a.availability.split()),
                         partner_employer_company_id=a.partner_employer_id)


def live_matches(session: Session, cohort: Cohort) -> list[Match]:
    """The round's proposed and published pairs (of people still accepted: others are released when they leave)."""
    accepted = select(Application.id).where(Application.cohort_id == cohort.id, Application.status == ACCEPTED)
    return list(session.execute(
        select(Match).where(Match.cohort_id == cohort.id, Match.status.in_(LIVE), Match.mentor_id.in_(accepted),
                            Match.mentee_id.in_(accepted)).order_by(Match.id)
    ).scalars())


def _lock(session: Session, cohort: Cohort) -> None:
    # One change to a round's pairs at a time (two coordinators, or a double click): PostgreSQL locks the row.
    session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())


def rules(session: Session, cohort: Cohort) -> dict[tuple[int, int], str]:
    """(mentor, mentee) -> "pin" or "forbid": the coordinator's word on pairs of the round."""
    return {(r.mentor_id, r.mentee_id): r.kind for r in session.execute(
        select(PairRule).where(PairRule.cohort_id == cohort.id)).scalars()}


@dataclass
class Proposal:
    """What a run of the engine left: who could not be matched and why (reason keys of the engine)."""

    unmatched: list[tuple[int, str]]
    total: float


def _ratings(session: Session, cohort: Cohort) -> dict:
    try:
        from mentorby.tenants.matching.networking import ratings_for_matching
    except ImportError:  # the speed-networking module is optional for proposals
        return {}
    return ratings_for_matching(session, cohort)


def _open(cohort: Cohort) -> None:
    if cohort.status in (CLOSED, FOLLOWED_UP):
        raise MatchingError("cohort_closed")


def propose(session: Session, cohort: Cohort, *, method: str = "optimal", priority: str = "best_total") -> Proposal:
    """Let the engine propose pairs for everyone not yet in a published or hand-made pair; pins are placed first.

    1:1 methods use the mentors who offered one mentee (or either); groups use those who offered a group (or either),
    and only for mentees not yet in a kept pair.
    """
    _open(cohort)
    if method not in METHODS or priority not in PRIORITIES:
        raise MatchingError("bad_choice")
    _lock(session, cohort)
    mentors, mentees = participants(session, cohort)
    live = live_matches(session, cohort)
    kept = [m for m in live if m.status == PUBLISHED or m.manual]
    for match in live:
        if match.status == PROPOSED and not match.manual:
            session.delete(match)
    session.flush()
    taken_mentees = {m.mentee_id for m in kept}
    load = Counter(m.mentor_id for m in kept)
    wanted = ("group", "either") if method == "groups" else ("one", "either")
    mentors = [a for a in mentors if a.mentoring_format in wanted]
    if method == "groups":
        # A group is formed afresh: only mentees and mentors not already in a kept pair take part.
        mentees = [a for a in mentees if a.id not in taken_mentees]
        mentors = [a for a in mentors if not load[a.id]]
    if not mentors:
        raise MatchingError("no_mentors")
    if not mentees:
        raise MatchingError("no_mentees")
    weights, policy = city_weights(session)
    ratings = _ratings(session, cohort)
    matrix = score_matrix([mentor_profile(a) for a in mentors], [mentee_profile(a) for a in mentees], weights,
                          preferences=ratings, conflict_policy=policy)
    word = rules(session, cohort)
    row = {mentor_id: i for i, mentor_id in enumerate(matrix.mentor_ids)}
    col = {mentee_id: j for j, mentee_id in enumerate(matrix.mentee_ids)}
    capacity = dict(matrix.capacities)
    forbidden = np.array(matrix.forbidden, dtype=bool)
    for (mentor_id, mentee_id), kind in word.items():
        if kind == "forbid" and mentor_id in row and mentee_id in col:
            forbidden[row[mentor_id], col[mentee_id]] = True
    # Pins: kept pairs first, then the pin rules, one mentor per mentee and never beyond a mentor's capacity.
    pins: list[tuple[int, int]] = []
    pinned_mentees: set[int] = set()
    used: Counter = Counter()
    candidates = [(m.mentor_id, m.mentee_id, True) for m in kept] + [
        (mentor_id, mentee_id, False) for (mentor_id, mentee_id), kind in sorted(word.items()) if kind == "pin"]
    fixed: set[tuple[int, int]] = set()
    for mentor_id, mentee_id, is_kept in candidates:
        if mentor_id not in row or mentee_id not in col or mentee_id in pinned_mentees:
            continue
        if used[mentor_id] >= capacity[mentor_id]:
            continue
        pins.append((mentor_id, mentee_id))
        pinned_mentees.add(mentee_id)
        used[mentor_id] += 1
        forbidden[row[mentor_id], col[mentee_id]] = False
        if is_kept:
            fixed.add((mentor_id, mentee_id))
    by_id = {a.id: a for a in mentors + mentees}
    try:
        if method == "groups":
            result = engine.groups({a.id: a.field for a in mentors}, list(matrix.mentee_ids), matrix.scores,
                                   forbidden=forbidden)
            pairs = [(mentor_id, mentee_id, number) for number, group in enumerate(result.groups, start=1)
                     for mentor_id in group.mentor_ids for mentee_id in group.mentee_ids]
            unmatched, total = list(result.unmatched_mentees), sum(g.score for g in result.groups)
        else:
            solve = engine.optimal if method == "optimal" else engine.stable
            kwargs = {"priority": priority} if method == "optimal" else {}
            result = solve(capacity, list(matrix.mentee_ids), matrix.scores, pinned=pins, forbidden=forbidden,
                           **kwargs)
            pairs = [(mentor_id, mentee_id, None) for mentor_id, mentee_id, _score in result.pairs]
            unmatched, total = list(result.unmatched_mentees), result.total_score
    except engine.MatchingInputError as error:
        raise MatchingError("cannot_match", detail=str(error)) from error
    for mentor_id, mentee_id, group_no in pairs:
        if (mentor_id, mentee_id) in fixed:
            continue
        _add(session, cohort, by_id[mentor_id], by_id[mentee_id], weights, policy, group_no=group_no,
             preference=combine_ratings(*ratings.get((mentor_id, mentee_id), (None, None))))
    session.flush()
    return Proposal(unmatched=[(int(m), reason) for m, reason in unmatched], total=float(total))


def _add(session: Session, cohort: Cohort, mentor: Application, mentee: Application, weights: Weights, policy: str,
         *, group_no: int | None = None, manual: bool = False, status: str = PROPOSED,
         preference: float | None = None) -> Match:
    score = score_pair(mentor_profile(mentor), mentee_profile(mentee), weights, preference)
    # [part, points, matched items, explanation]: the board words each part by its explanation.
    reasons = [[part.key, round(part.points, 1), list(part.detail), part.explanation_key] for part in score.parts]
    if score.conflict:
        reasons.append([score.conflict, 0, [mentor.employer], score.conflict])
    match = Match(cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=mentee.id, group_no=group_no, manual=manual,
                  score=round(score.total, 2), reasons=reasons, status=status,
                  published_at=utcnow() if status == PUBLISHED else None)
    session.add(match)
    return match


def _accepted(session: Session, cohort: Cohort, application_id: int, role: str) -> Application:
    application = session.execute(select(Application).where(
        Application.id == application_id, Application.cohort_id == cohort.id, Application.role == role,
        Application.status == ACCEPTED)).scalar_one_or_none()
    if application is None:
        raise MatchingError("not_in_round")
    return application


def assign(session: Session, cohort: Cohort, mentor_id: int, mentee_id: int) -> Match:
    """The coordinator picks a mentor for a mentee by hand: the mentee's proposal is replaced (capacity checked)."""
    _open(cohort)
    _lock(session, cohort)
    mentor = _accepted(session, cohort, mentor_id, "mentor")
    mentee = _accepted(session, cohort, mentee_id, "mentee")
    if rules(session, cohort).get((mentor.id, mentee.id)) == "forbid":
        raise MatchingError("pair_forbidden")
    live = live_matches(session, cohort)
    if any(m.mentee_id == mentee.id and m.status == PUBLISHED for m in live):
        raise MatchingError("already_published")
    taken = sum(1 for m in live if m.mentor_id == mentor.id and m.mentee_id != mentee.id)
    if taken >= mentor.mentee_capacity:
        raise MatchingError("mentor_full", name=mentor.name, capacity=mentor.mentee_capacity)
    for match in live:
        if match.mentee_id == mentee.id:
            session.delete(match)
    session.flush()
    weights, policy = city_weights(session)
    match = _add(session, cohort, mentor, mentee, weights, policy, manual=True,
                 preference=combine_ratings(*_ratings(session, cohort).get((mentor.id, mentee.id), (None, None))))
    session.flush()
    return match


def set_rule(session: Session, cohort: Cohort, mentor_id: int, mentee_id: int, kind: str | None) -> None:
    """Pin a pair (always together), forbid it (never), or clear the rule; forbidding drops its proposal."""
    _open(cohort)
    if kind not in ("pin", "forbid", None):
        raise MatchingError("bad_choice")
    mentor = _accepted(session, cohort, mentor_id, "mentor")
    mentee = _accepted(session, cohort, mentee_id, "mentee")
    rule = session.execute(select(PairRule).where(PairRule.mentor_id == mentor.id, PairRule.mentee_id == mentee.id)
                           ).scalar_one_or_none()
    if kind == "pin":
        pins = [(r_mentor, r_mentee) for (r_mentor, r_mentee), r_kind in rules(session, cohort).items()
                if r_kind == "pin" and (r_mentor, r_mentee) != (mentor.id, mentee.id)]
        if any(r_mentee == mentee.id for _, r_mentee in pins):
            raise MatchingError("mentee_already_pinned")
        if sum(1 for r_mentor, _ in pins if r_mentor == mentor.id) >= mentor.mentee_capacity:
            raise MatchingError("mentor_full", name=mentor.name, capacity=mentor.mentee_capacity)
    if kind is None:
        if rule is not None:
            session.delete(rule)
    elif rule is None:
        session.add(PairRule(cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=mentee.id, kind=kind))
    else:
        rule.kind = kind
    if kind == "forbid":
        for match in live_matches(session, cohort):
            if (match.mentor_id, match.mentee_id) == (mentor.id, mentee.id):
                if match.status == PUBLISHED:
                    raise MatchingError("already_published")
                session.delete(match)
    session.flush()


def publish(session: Session, city: Tenant, cohort: Cohort) -> int:
    """Tell both sides of every proposed pair and show it in their portal; how many pairs were published."""
    _open(cohort)
    _lock(session, cohort)
    proposed = [m for m in live_matches(session, cohort) if m.status == PROPOSED]
    if not proposed:
        raise MatchingError("nothing_to_publish")
    people = {a.id: a for a in session.execute(select(Application).where(
        Application.id.in_({m.mentor_id for m in proposed} | {m.mentee_id for m in proposed}))).scalars()}
    now = utcnow()
    for match in proposed:
        match.status, match.published_at = PUBLISHED, now
        mentor, mentee = people[match.mentor_id], people[match.mentee_id]
        for person, other in ((mentor, mentee), (mentee, mentor)):
            queue_template_mail(session, to=person.email, kind="match_published", template="match_published",
                                tenant_id=city.id, locale=person.locale, name=person.name, other=other,
                                role=person.role, cohort=cohort, city=city)
    session.flush()
    return len(proposed)


def end(session: Session, match: Match, *, outcome: str, ended_by: str, reason: str) -> Match:
    """Close a published pair as completed or ended early, with who ended it and why."""
    if match.status != PUBLISHED:
        raise MatchingError("not_published")
    if outcome not in ENDINGS or ended_by not in ENDED_BY:
        raise MatchingError("bad_choice")
    reason = reason.strip()
    if outcome == ENDED_EARLY and not reason:
        raise MatchingError("reason_required")
    if len(reason) > 2000:
        raise MatchingError("text_too_long", max=2000)
    match.status, match.ended_at, match.ended_by, match.end_reason = outcome, utcnow(), ended_by, reason
    session.flush()
    return match


def replace(session: Session, city: Tenant, cohort: Cohort, match: Match, *, mentor_id: int, reason: str) -> Match:
    """A new mentor for a published pair mid-round (a mentor drops out): the old pair stays in the history."""
    _open(cohort)
    _lock(session, cohort)
    if match.group_no is not None:
        raise MatchingError("group_pair")
    if match.status != PUBLISHED:
        raise MatchingError("not_published")
    reason = reason.strip()
    if not reason:
        raise MatchingError("reason_required")
    if mentor_id == match.mentor_id:
        raise MatchingError("same_mentor")
    mentor = _accepted(session, cohort, mentor_id, "mentor")
    mentee = _accepted(session, cohort, match.mentee_id, "mentee")
    if rules(session, cohort).get((mentor.id, mentee.id)) == "forbid":
        raise MatchingError("pair_forbidden")
    taken = sum(1 for m in live_matches(session, cohort) if m.mentor_id == mentor.id)
    if taken >= mentor.mentee_capacity:
        raise MatchingError("mentor_full", name=mentor.name, capacity=mentor.mentee_capacity)
    weights, policy = city_weights(session)
    new = _add(session, cohort, mentor, mentee, weights, policy, manual=True, status=PUBLISHED,
               preference=combine_ratings(*_ratings(session, cohort).get((mentor.id, mentee.id), (None, None))))
    session.flush()
    match.status, match.ended_at, match.ended_by = REPLACED, utcnow(), "coordinator"
    match.end_reason, match.replaced_by_id = reason[:2000], new.id
    for person, other in ((mentor, mentee), (mentee, mentor)):
        queue_template_mail(session, to=person.email, kind="match_published", template="match_published",
                            tenant_id=city.id, locale=person.locale, name=person.name, other=other,
                            role=person.role, cohort=cohort, city=city)
    session.flush()
    return new


def release(session: Session, application: Application, *, ended_by: str) -> None:
    """Someone leaves the round (withdrawn, declined): proposals with them go, published pairs end early."""
    for match in session.execute(select(Match).where(
        (Match.mentor_id == application.id) | (Match.mentee_id == application.id), Match.status.in_(LIVE),
    )).scalars():
        if match.status == PROPOSED:
            session.delete(match)
        else:
            match.status, match.ended_at, match.ended_by = ENDED_EARLY, utcnow(), ended_by
    session.flush()


def history(session: Session, cohort: Cohort) -> list[Match]:
    """The round's pairs that ended (completed, ended early or replaced), newest first."""
    return list(session.execute(
        select(Match).where(Match.cohort_id == cohort.id, Match.status.not_in(LIVE))
        .order_by(Match.ended_at.desc(), Match.id.desc())
    ).scalars())


def matches_of(session: Session, application_ids: list[int]) -> list[Match]:
    """Published and ended pairs of these applications (a participant's portal), newest first."""
    if not application_ids:
        return []
    return list(session.execute(
        select(Match).where((Match.mentor_id.in_(application_ids)) | (Match.mentee_id.in_(application_ids)),
                            Match.status != PROPOSED)
        .order_by(Match.id.desc())
    ).scalars())


def _published_pairs_check(session: Session, cohort: Cohort) -> list[tuple[str, dict]]:
    """A round runs only with its pairs published: every accepted mentee in one."""
    _mentors, mentees = participants(session, cohort)
    matched = {m.mentee_id for m in live_matches(session, cohort) if m.status == PUBLISHED}
    missing = [a for a in mentees if a.id not in matched]
    if not matched:
        return [("needs_matches", {})]
    if missing:
        return [("mentees_without_match", {"n": len(missing)})]
    return []


if _published_pairs_check not in RUNNING_CHECKS:
    RUNNING_CHECKS.append(_published_pairs_check)

