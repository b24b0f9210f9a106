"""Matching a round: proposals from the engine, the coordinator's changes, publishing, the end of a pair.

Profiles come from the accepted applications; changes mid-round keep the history of who mentored whom.
"""

import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from mentorby.platform.cities.models import Tenant
from mentorby.platform.outbox.services import queue_template_mail
from mentorby.platform.rules import RuleError
from mentorby.platform.schemas import load
from mentorby.platform.tenancy import utcnow
from mentorby.tenants.applications.models import ACCEPTED, Application
from mentorby.tenants.applications.profile import MENTEE, MENTOR
from mentorby.tenants.applications.services import CONFIRMED
from mentorby.tenants.cohorts import phases
from mentorby.tenants.cohorts.models import CLOSED, FOLLOWED_UP, Cohort
from mentorby.tenants.matching import engine
from mentorby.tenants.matching.models import (
    ENDED_EARLY,
    FORBID,
    LIVE,
    PIN,
    PROPOSED,
    PUBLISHED,
    REPLACED,
    ConflictPolicy,
    EndedBy,
    Match,
    MatchingRun,
    MatchingWeights,
    Method,
    PairRule,
    PairRuleKind,
    Priority,
)
from mentorby.tenants.matching.networking import ratings_for_matching
from mentorby.tenants.matching.schemas import EndSchema, ReplaceSchema, WeightsSchema
from mentorby.tenants.matching.scoring import (
    PART_KEYS,
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
#: A round in these statuses is over: its pairs are only read.
FINISHED = (CLOSED, FOLLOWED_UP)
#: The city's weights until it sets its own.
DEFAULT_WEIGHTS = {"field": 20, "goal_expertise": 35, "languages": 15, "availability": 15, "preference": 15,
                   "conflict_policy": ConflictPolicy.FLAG}


class MatchingError(RuleError):
    """A matching rule was broken."""

    area = "matching"


def keywords(text: str) -> frozenset[str]:
    """The words of an expertise list or a job goal that carry meaning, lower-cased."""
    return frozenset(word for word in re.findall(r"[^\W\d_]{3,}", text.casefold()) if word not in STOP_WORDS)


def _weights_row(session: Session) -> MatchingWeights | None:
    return session.execute(select(MatchingWeights)).scalar_one_or_none()


def weights_of_city(session: Session) -> MatchingWeights:
    """The city's weights as the weights page shows them: its own, or the defaults (not saved) until it sets them."""
    return _weights_row(session) or MatchingWeights(**DEFAULT_WEIGHTS)


def city_weights(session: Session) -> tuple[Weights, ConflictPolicy]:
    """The city's score weights and conflict policy (the defaults until it sets its own)."""
    row = _weights_row(session)
    if row is None:
        return Weights(), ConflictPolicy.FLAG
    return Weights(field=float(row.field), goal_expertise=float(row.goal_expertise), languages=float(row.languages),
                   availability=float(row.availability), preference=float(row.preference)), row.conflict_policy


def check_weights(values: dict) -> dict:
    """The weights as the schema takes them (each 0..100 with two decimals, not all 0), every field checked at once."""
    return load(WeightsSchema(), values, MatchingError)


def save_weights(session: Session, values: dict) -> MatchingWeights:
    """Set the city's score weights and whether same-company pairs are flagged or forbidden."""
    values = check_weights(values)
    row = _weights_row(session)
    if row is None:
        row = MatchingWeights()
        session.add(row)
    for key in (*PART_KEYS, "conflict_policy"):
        setattr(row, key, values[key])
    session.flush()
    return row


def participants(session: Session, cohort: Cohort) -> tuple[list[Application], list[Application]]:
    """The round's accepted mentors and mentees, by name."""
    rows = list(session.execute(
        select(Application).where(Application.cohort_id == cohort.id, Application.status == ACCEPTED, CONFIRMED)
        .order_by(Application.name, Application.id)
    ).scalars())
    return [a for a in rows if a.role == MENTOR], [a for a in rows if a.role == MENTEE]


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


#: A pair comes with its mentor and mentee: a fixed number of queries for any number of pairs.
WITH_PEOPLE = (selectinload(Match.mentor), selectinload(Match.mentee))


def _shown_live(cohort: Cohort):
    """The condition of a live pair on the board: proposed or published, both of its people still accepted."""
    accepted = select(Application.id).where(Application.cohort_id == cohort.id, Application.status == ACCEPTED)
    return and_(Match.status.in_(LIVE), Match.mentor_id.in_(accepted), Match.mentee_id.in_(accepted))


def live_matches(session: Session, cohort: Cohort, people: dict[int, Application] | None = None) -> list[Match]:
    """The round's proposed and published pairs (of people still accepted: others are released when they leave).

    `people` (id -> application), when the caller has the round's accepted people already, gives each pair its
    mentor and mentee without reading them again; anyone missing from it is read as usual.
    """
    query = select(Match).where(Match.cohort_id == cohort.id, _shown_live(cohort)).order_by(Match.id)
    if people is None:
        return list(session.execute(query.options(*WITH_PEOPLE)).scalars())
    matches = list(session.execute(query).scalars())
    for match in matches:
        for key, person_id in (("mentor", match.mentor_id), ("mentee", match.mentee_id)):
            if person_id in people:
                set_committed_value(match, key, people[person_id])
    return matches


def published_pairs_of(session: Session, cohort: Cohort, mentee_id: int) -> list[Match]:
    """A mentee's published pairs in the round: one, or one per mentor of their group; none for anyone else."""
    return [m for m in live_matches(session, cohort) if m.mentee_id == mentee_id and m.status == PUBLISHED]


def _lock(session: Session, cohort: Cohort) -> None:
    # One change to a round's pairs at a time (two coordinators, or a double click): PostgreSQL locks the row.
    session.execute(select(Cohort.id).where(Cohort.id == cohort.id).with_for_update())


def rules(session: Session, cohort: Cohort) -> dict[tuple[int, int], PairRuleKind]:
    """(mentor, mentee) -> pin or forbid: the coordinator's word on pairs of the round."""
    return {(r.mentor_id, r.mentee_id): r.kind for r in session.execute(
        select(PairRule).where(PairRule.cohort_id == cohort.id)).scalars()}


@dataclass
class Proposal:
    """What a run of the engine left: the pairs it proposed, who could not be matched and why (engine reason keys)."""

    run: MatchingRun
    pairs: list[tuple[int, int]]
    unmatched: list[tuple[int, str]]
    total: float


#: Why a run of the engine can propose nothing; the board words each code (blueprints/matching.py). Nothing changes.
NOTHING_PROPOSED = ("no_mentors", "no_mentees", "everyone_has_a_mentor", "no_one_to_one_mentors",
                    "no_group_mentors", "too_few_for_a_group", "mentors_full", "all_pairs_forbidden",
                    "no_pair_fits")
#: Formats a mentor may offer, per kind of method: one mentee, a group, or either.
ONE_TO_ONE, GROUP = ("one", "either"), ("group", "either")
#: A group: 2 mentors with 3 to 4 mentees.
GROUP_MENTORS, GROUP_MENTEES = 2, (3, 4)


def _ratings(session: Session, cohort: Cohort, mentor_ids, mentee_ids) -> dict:
    """Speed-networking ratings between these mentors and mentees (the scorer refuses anyone else)."""
    return {pair: value for pair, value in ratings_for_matching(session, cohort).items()
            if pair[0] in mentor_ids and pair[1] in mentee_ids}


def _preference(session: Session, cohort: Cohort, mentor: Application, mentee: Application) -> float | None:
    """The pair's combined speed-networking ratings (None when neither rated the other)."""
    ratings = _ratings(session, cohort, {mentor.id}, {mentee.id})
    return combine_ratings(*ratings.get((mentor.id, mentee.id), (None, None)))


def _open(cohort: Cohort, step: str = "match") -> None:
    if cohort.status in FINISHED:
        raise MatchingError("cohort_closed")
    phases.require(cohort, step)


def board_round(session: Session, cohort_id: int | None) -> Cohort | None:
    """The city's round of this id, if there is one (the weights page leads back to its board); None for no id."""
    # Ids are 32-bit: PostgreSQL would refuse to compare a larger number rather than find nothing.
    if cohort_id is None or not 0 < cohort_id < 2**31:
        return None
    return session.execute(select(Cohort).where(Cohort.id == cohort_id)).scalar_one_or_none()


def matching_rounds(session: Session) -> list[Cohort]:
    """The rounds whose pairs are being made or changed (selecting or running), by start date."""
    statuses = phases.STEPS["match"]
    return list(session.execute(select(Cohort).where(Cohort.status.in_(statuses))
                                .order_by(Cohort.starts_on, Cohort.id).limit(50)).scalars())


def current_run(session: Session, cohort: Cohort) -> MatchingRun | None:
    """The round's matching choice and the run that made the proposal on its board (None before the first run)."""
    return session.execute(select(MatchingRun).where(MatchingRun.cohort_id == cohort.id)).scalar_one_or_none()


def _taken(kept: list[Match]) -> dict[int, set[int]]:
    """Mentor id -> the mentees they already have in kept pairs (1:1 or group)."""
    taken: dict[int, set[int]] = {}
    for match in kept:
        taken.setdefault(match.mentor_id, set()).add(match.mentee_id)
    return taken


def propose(session: Session, cohort: Cohort, *, method: str = Method.OPTIMAL,
            priority: str = Priority.BEST_TOTAL) -> Proposal:
    """Propose pairs for every mentee not yet in a published or hand-picked pair, or raise saying why it cannot.

    A run that proposes replaces the engine's earlier proposal and is remembered as the round's choice (MatchingRun),
    so the proposal on the board always comes from the run it is labelled with; a run that cannot propose raises
    MatchingError (a code of NOTHING_PROPOSED) and changes nothing. 1:1 methods use the mentors who offered one
    mentee (or either) with the places they have left, and place pins first; groups use the mentors who offered a
    group (or either) and are in no kept pair.
    """
    _open(cohort)
    method, priority = Method.get(method), Priority.get(priority)
    if method is None or priority is None:
        raise MatchingError("bad_choice")
    _lock(session, cohort)
    mentors, mentees = participants(session, cohort)
    if not mentors:
        raise MatchingError("no_mentors")
    if not mentees:
        raise MatchingError("no_mentees")
    live = live_matches(session, cohort)
    kept = [m for m in live if m.status == PUBLISHED or m.manual]
    taken = _taken(kept)
    kept_mentees = {m.mentee_id for m in kept}
    # A mentee in a kept pair stays out of the run: nobody gets a second mentor (or a group on top) by a re-run.
    mentees = [a for a in mentees if a.id not in kept_mentees]
    if not mentees:
        raise MatchingError("everyone_has_a_mentor")
    if method == Method.GROUPS:
        mentors = [a for a in mentors if a.mentoring_format in GROUP]
        if not mentors:
            raise MatchingError("no_group_mentors")
        # A group is formed afresh, of mentors not already mentoring in a kept pair.
        mentors = [a for a in mentors if a.id not in taken]
        if len(mentors) < GROUP_MENTORS or len(mentees) < GROUP_MENTEES[0]:
            raise MatchingError("too_few_for_a_group", mentors=len(mentors), mentees=len(mentees))
        room = {a.id: 1 for a in mentors}
    else:
        mentors = [a for a in mentors if a.mentoring_format in ONE_TO_ONE]
        if not mentors:
            raise MatchingError("no_one_to_one_mentors")
        room = {a.id: max(0, a.mentee_capacity - len(taken.get(a.id, ()))) for a in mentors}
        mentors = [a for a in mentors if room[a.id]]
        if not mentors:
            raise MatchingError("mentors_full")
    weights, policy = city_weights(session)
    mentor_ids, mentee_ids = {a.id for a in mentors}, {a.id for a in mentees}
    ratings = _ratings(session, cohort, mentor_ids, mentee_ids)
    matrix = score_matrix([mentor_profile(a) for a in mentors], [mentee_profile(a) for a in mentees], weights,
                          preferences=ratings, conflict_policy=policy)
    word = rules(session, cohort)
    row = {mentor_id: i for i, mentor_id in enumerate(matrix.mentor_ids)}
    col = {mentee_id: j for j, mentee_id in enumerate(matrix.mentee_ids)}
    forbidden = np.array(matrix.forbidden, dtype=bool)
    for (mentor_id, mentee_id), kind in word.items():
        if kind == FORBID and mentor_id in row and mentee_id in col:
            forbidden[row[mentor_id], col[mentee_id]] = True
    by_id = {a.id: a for a in mentors + mentees}
    try:
        if method == Method.GROUPS:
            result = engine.groups({a.id: a.field for a in mentors}, list(matrix.mentee_ids), matrix.scores,
                                   forbidden=forbidden, mentors_per_group=GROUP_MENTORS,
                                   mentees_per_group=GROUP_MENTEES)
            pairs = [(mentor_id, mentee_id, number) for number, group in enumerate(
                (g for g in result.groups if g.mentee_ids), start=1)
                for mentor_id in group.mentor_ids for mentee_id in group.mentee_ids]
            unmatched, total = list(result.unmatched_mentees), sum(g.score for g in result.groups)
        else:
            # Pins, one mentor per mentee and never beyond the places a mentor has left; a pin beats a conflict.
            pins: list[tuple[int, int]] = []
            pinned_mentees: set[int] = set()
            used: Counter = Counter()
            for (mentor_id, mentee_id), kind in sorted(word.items()):
                if kind != PIN or mentor_id not in row or mentee_id not in col or mentee_id in pinned_mentees:
                    continue
                if used[mentor_id] >= room[mentor_id]:
                    continue
                pins.append((mentor_id, mentee_id))
                pinned_mentees.add(mentee_id)
                used[mentor_id] += 1
                forbidden[row[mentor_id], col[mentee_id]] = False
            capacities = {mentor_id: room[mentor_id] for mentor_id in matrix.mentor_ids}
            if method == Method.OPTIMAL:
                result = engine.optimal(capacities, list(matrix.mentee_ids), matrix.scores, pinned=pins,
                                        forbidden=forbidden, priority=priority.value)
            else:
                result = engine.stable(capacities, list(matrix.mentee_ids), matrix.scores, pinned=pins,
                                       forbidden=forbidden)
            pairs = [(mentor_id, mentee_id, None) for mentor_id, mentee_id, _score in result.pairs]
            unmatched, total = list(result.unmatched_mentees), result.total_score
    except engine.MatchingInputError as error:
        raise MatchingError("cannot_match", detail=str(error)) from error
    if not pairs:
        raise MatchingError(_why_nothing([reason for _mentee, reason in unmatched]))
    # The run proposes: the engine's earlier proposal goes, hand-picked and published pairs stay.
    for match in live:
        if match.status == PROPOSED and not match.manual:
            session.delete(match)
    session.flush()
    for mentor_id, mentee_id, group_no in pairs:
        _add(session, cohort, by_id[mentor_id], by_id[mentee_id], weights, policy, group_no=group_no,
             preference=combine_ratings(*ratings.get((mentor_id, mentee_id), (None, None))))
    run = current_run(session, cohort) or MatchingRun(cohort_id=cohort.id)
    run.method, run.priority, run.ran_at = method, priority, utcnow()
    run.unmatched = [[int(mentee_id), reason] for mentee_id, reason in unmatched]
    session.add(run)
    session.flush()
    return Proposal(run=run, pairs=[(int(m), int(e)) for m, e, _group in pairs],
                    unmatched=[(int(m), reason) for m, reason in unmatched], total=float(total))


def pick_scores(session: Session, cohort: Cohort, mentors: list[Application],
                mentees: list[Application]) -> dict[tuple[int, int], float]:
    """Every mentor's score with every mentee of the round, ratings included: what the coordinator picks by."""
    if not mentors or not mentees:
        return {}
    weights, _policy = city_weights(session)
    ratings = _ratings(session, cohort, {a.id for a in mentors}, {a.id for a in mentees})
    matrix = score_matrix([mentor_profile(a) for a in mentors], [mentee_profile(a) for a in mentees], weights,
                          preferences=ratings, conflict_policy=ConflictPolicy.FLAG.value)
    scores = matrix.scores.tolist()
    return {(mentor_id, mentee_id): scores[i][j] for i, mentor_id in enumerate(matrix.mentor_ids)
            for j, mentee_id in enumerate(matrix.mentee_ids)}


@dataclass
class Board:
    """What a round's matching board shows, gathered in a fixed number of queries whatever the round's size."""

    mentors: list[Application]
    mentees: list[Application]
    #: The proposed and published pairs, each with its mentor and mentee.
    live: list[Match]
    #: The run that made the proposal on the board (None before the first).
    run: MatchingRun | None
    rules: dict[tuple[int, int], PairRuleKind]
    #: Pairs that ended (completed, ended early, replaced), newest first, with their people.
    history: list[Match]
    #: Mentee id -> their pairs (one, or one per mentor of their group).
    by_mentee: dict[int, list[Match]] = field(default_factory=dict)
    #: Mentor id -> how many mentees they have in live pairs, and how many places they have left.
    load: dict[int, int] = field(default_factory=dict)
    free: dict[int, int] = field(default_factory=dict)
    #: Mentor id -> the numbers of the groups they mentor.
    groups: dict[int, set[int]] = field(default_factory=dict)
    #: Mentee id -> every mentor as (mentor, score, free places, forbidden), best first: the picker's list.
    candidates: dict[int, list[tuple[Application, int, int, bool]]] = field(default_factory=dict)
    #: Mentee id -> why the last run left them without a mentor (an engine reason).
    unmatched: dict[int, str] = field(default_factory=dict)

    @property
    def proposed(self) -> int:
        """How many pairs wait to be published."""
        return sum(1 for m in self.live if m.status == PROPOSED)

    @property
    def published(self) -> int:
        """How many pairs both sides have been told of."""
        return sum(1 for m in self.live if m.status == PUBLISHED)


def board(session: Session, cohort: Cohort) -> Board:
    """The round's matching board: people, pairs, rules, mentors' load, the picker's candidates, run and history."""
    mentors, mentees = participants(session, cohort)
    run = current_run(session, cohort)
    people = {a.id: a for a in (*mentors, *mentees)}
    live, ended = live_and_ended(session, cohort, people)
    shown = Board(mentors=mentors, mentees=mentees, live=live, run=run, rules=rules(session, cohort), history=ended,
                  unmatched={mentee_id: reason for mentee_id, reason in run.unmatched} if run else {})
    taken: dict[int, set[int]] = {}
    for match in shown.live:
        shown.by_mentee.setdefault(match.mentee_id, []).append(match)
        taken.setdefault(match.mentor_id, set()).add(match.mentee_id)
        if match.group_no is not None:
            shown.groups.setdefault(match.mentor_id, set()).add(match.group_no)
    shown.load = {mentor_id: len(mentee_ids) for mentor_id, mentee_ids in taken.items()}
    shown.free = {a.id: max(0, a.mentee_capacity - shown.load.get(a.id, 0)) for a in mentors}
    scores = pick_scores(session, cohort, mentors, mentees)
    # The picker lists the best candidates for each mentee first.
    shown.candidates = {
        e.id: sorted(((m, round(scores[m.id, e.id]), shown.free[m.id], shown.rules.get((m.id, e.id)) == FORBID)
                      for m in mentors), key=lambda c: (-c[1], c[0].name.casefold(), c[0].id))
        for e in mentees}
    return shown


def _why_nothing(reasons: list[str]) -> str:
    """The code for a run that placed nobody, from the engine's reasons for its mentees."""
    if reasons and all(r == engine.REASON_ALL_PAIRS_FORBIDDEN for r in reasons):
        return "all_pairs_forbidden"
    if engine.REASON_BELOW_MIN_SCORE in reasons:
        return "no_pair_fits"
    return "mentors_full"


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


def assign(session: Session, cohort: Cohort, mentor_id: int | None, mentee_id: int) -> Match:
    """The coordinator picks a mentor for a mentee by hand: the mentee's proposal is replaced (capacity checked)."""
    _open(cohort)
    _lock(session, cohort)
    mentee = _accepted(session, cohort, mentee_id, MENTEE)
    if mentor_id is None:
        raise MatchingError("choose_mentor", "mentor_id", name=mentee.name)
    mentor = _accepted(session, cohort, mentor_id, MENTOR)
    if rules(session, cohort).get((mentor.id, mentee.id)) == FORBID:
        raise MatchingError("pair_forbidden")
    live = live_matches(session, cohort)
    if any(m.mentee_id == mentee.id and m.status == PUBLISHED for m in live):
        raise MatchingError("already_published")
    taken = {m.mentee_id for m in live if m.mentor_id == mentor.id and m.mentee_id != mentee.id}
    if len(taken) >= mentor.mentee_capacity:
        raise MatchingError("mentor_full", name=mentor.name, capacity=mentor.mentee_capacity)
    for match in live:
        if match.mentee_id == mentee.id:
            session.delete(match)
    session.flush()
    weights, policy = city_weights(session)
    match = _add(session, cohort, mentor, mentee, weights, policy, manual=True,
                 preference=_preference(session, cohort, mentor, mentee))
    session.flush()
    return match


def set_rule(session: Session, cohort: Cohort, mentor_id: int, mentee_id: int, kind: str | None) -> None:
    """Pin a pair (always together), forbid it (never), or clear the rule (None); forbidding drops its proposal."""
    _open(cohort)
    if kind is not None:
        kind = PairRuleKind.get(kind)
        if kind is None:
            raise MatchingError("bad_choice")
    mentor = _accepted(session, cohort, mentor_id, MENTOR)
    mentee = _accepted(session, cohort, mentee_id, MENTEE)
    rule = session.execute(select(PairRule).where(PairRule.mentor_id == mentor.id, PairRule.mentee_id == mentee.id)
                           ).scalar_one_or_none()
    if kind == PIN:
        pins = [(r_mentor, r_mentee) for (r_mentor, r_mentee), r_kind in rules(session, cohort).items()
                if r_kind == PIN and (r_mentor, r_mentee) != (mentor.id, mentee.id)]
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
    if kind == FORBID:
        live = live_matches(session, cohort)
        for match in live:
            if (match.mentor_id, match.mentee_id) == (mentor.id, mentee.id):
                if match.status == PUBLISHED:
                    raise MatchingError("already_published")
                # In a proposed group the mentee leaves the whole group, not only this mentor's half of it.
                for other in live:
                    if other.mentee_id == mentee.id and (other is match or (
                            match.group_no is not None and other.group_no == match.group_no)):
                        session.delete(other)
    session.flush()


def publish(session: Session, city: Tenant, cohort: Cohort) -> int:
    """Tell both sides of every proposed pair and show it in their portal; how many pairs were published."""
    _open(cohort)
    _lock(session, cohort)
    proposed = [m for m in live_matches(session, cohort) if m.status == PROPOSED]
    if not proposed:
        raise MatchingError("nothing_to_publish")
    now = utcnow()
    for match in proposed:
        match.status, match.published_at = PUBLISHED, now
        for person, other in ((match.mentor, match.mentee), (match.mentee, match.mentor)):
            queue_template_mail(session, to=person.email, kind="match_published", template="match_published",
                                tenant_id=city.id, locale=person.locale, name=person.name, other=other,
                                role=person.role, cohort=cohort, city=city)
    session.flush()
    return len(proposed)


def end(session: Session, cohort: Cohort, pairs: list[Match], *, outcome: str, ended_by: str,
        reason: str) -> list[Match]:
    """Close a mentee's published pairs (one, or one per group mentor) as completed or ended early, by whom and why."""
    _open(cohort, "change_pairs")
    if not pairs or any(match.cohort_id != cohort.id or match.status != PUBLISHED for match in pairs):
        raise MatchingError("not_published")
    values = load(EndSchema(), {"outcome": outcome, "ended_by": ended_by, "reason": reason}, MatchingError)
    if values["outcome"] == ENDED_EARLY and not values["reason"]:
        raise MatchingError("reason_required")
    now = utcnow()
    for match in pairs:
        match.status, match.ended_at, match.ended_by = values["outcome"], now, values["ended_by"]
        match.end_reason = values["reason"]
    session.flush()
    return pairs


def replace(session: Session, city: Tenant, cohort: Cohort, match: Match, *, mentor_id: int | None,
            reason: str) -> Match:
    """A new mentor for a published pair mid-round (a mentor drops out): the old pair stays in the history."""
    _open(cohort, "change_pairs")
    _lock(session, cohort)
    if match.group_no is not None:
        raise MatchingError("group_pair")
    if match.status != PUBLISHED:
        raise MatchingError("not_published")
    if mentor_id is None:
        raise MatchingError("choose_mentor", "mentor_id", name=_accepted(session, cohort, match.mentee_id,
                                                                         MENTEE).name)
    reason = load(ReplaceSchema(), {"reason": reason}, MatchingError)["reason"]
    if mentor_id == match.mentor_id:
        raise MatchingError("same_mentor")
    mentor = _accepted(session, cohort, mentor_id, MENTOR)
    mentee = _accepted(session, cohort, match.mentee_id, MENTEE)
    if rules(session, cohort).get((mentor.id, mentee.id)) == FORBID:
        raise MatchingError("pair_forbidden")
    taken = {m.mentee_id for m in live_matches(session, cohort) if m.mentor_id == mentor.id}
    if len(taken) >= mentor.mentee_capacity:
        raise MatchingError("mentor_full", name=mentor.name, capacity=mentor.mentee_capacity)
    weights, policy = city_weights(session)
    new = _add(session, cohort, mentor, mentee, weights, policy, manual=True, status=PUBLISHED,
               preference=_preference(session, cohort, mentor, mentee))
    session.flush()
    match.status, match.ended_at, match.ended_by = REPLACED, utcnow(), EndedBy.COORDINATOR
    match.end_reason, match.replaced_by = reason, new
    for person, other in ((mentor, mentee), (mentee, mentor)):
        queue_template_mail(session, to=person.email, kind="match_published", template="match_published",
                            tenant_id=city.id, locale=person.locale, name=person.name, other=other,
                            role=person.role, cohort=cohort, city=city)
    session.flush()
    return new


def participant_left(application: Application, *, session: Session, ended_by: str) -> None:
    """Someone left the round (applications' participant_left signal): their pairs are released."""
    release(session, application, ended_by=ended_by)


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


def live_and_ended(session: Session, cohort: Cohort,
                   people: dict[int, Application]) -> tuple[list[Match], list[Match]]:
    """The round's live pairs (as live_matches gives them) and those that ended, with their people.

    Ended pairs (completed, ended early or replaced) come newest first. One statement, and a second if someone in
    them is not in `people` (the round's accepted people by id, which the board has read already).
    """
    shown_live = _shown_live(cohort)
    rows = session.execute(select(Match, shown_live).where(Match.cohort_id == cohort.id, or_(
        Match.status.not_in(LIVE), shown_live)).order_by(Match.id)).all()
    missing = {person_id for match, _live in rows for person_id in (match.mentor_id, match.mentee_id)} - set(people)
    if missing:
        people = people | {a.id: a for a in session.execute(
            select(Application).where(Application.id.in_(missing))).scalars()}
    for match, _live in rows:
        set_committed_value(match, "mentor", people[match.mentor_id])
        set_committed_value(match, "mentee", people[match.mentee_id])
    ended = [match for match, live in rows if not live]
    # Newest first, as PostgreSQL orders `ended_at DESC, id DESC` (a pair without an end date first).
    ended.sort(key=lambda m: (m.ended_at is None, m.ended_at.timestamp() if m.ended_at else 0.0, m.id), reverse=True)
    return [match for match, live in rows if live], ended


def all_pairs(cohort: Cohort) -> Select:
    """Every pair the round has had, proposed to ended (the API pages through it)."""
    return select(Match).where(Match.cohort_id == cohort.id)


def matches_of(session: Session, application_ids: list[int]) -> list[Match]:
    """Published and ended pairs of these applications (a participant's portal), newest first."""
    if not application_ids:
        return []
    return list(session.execute(
        select(Match).where((Match.mentor_id.in_(application_ids)) | (Match.mentee_id.in_(application_ids)),
                            Match.status != PROPOSED)
        .order_by(Match.id.desc())
    ).scalars())


def start_checks(cohort: Cohort, *, session: Session) -> list[tuple[str, dict]]:
    """A round runs only with its pairs published: every accepted mentee in one."""
    _mentors, mentees = participants(session, cohort)
    matched = {m.mentee_id for m in live_matches(session, cohort) if m.status == PUBLISHED}
    missing = [a for a in mentees if a.id not in matched]
    if not matched:
        return [("needs_matches", {})]
    if missing:
        return [("mentees_without_match", {"n": len(missing)})]
    return []



