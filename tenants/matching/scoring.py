"""Explainable mentor–mentee compatibility scores (0..100), for one pair or vectorised for a whole round.

Each score is a weighted sum of five parts, every part a fraction in 0..1 scaled so that all weights together give
100 points:

- ``field``: 1 if the mentee's field equals the mentor's field, 0.5 if it equals the mentor's industry, else 0.
- ``goal_expertise``: share of the mentee's job-goal keywords the mentor has as expertise; covering
  ``GOAL_FULL_AT`` keywords already counts as full, because a mentoring year only works on a few goals.
- ``languages``: 1 if mentor and mentee share at least one language (one is enough to talk), else 0.
- ``availability``: shared weekday slots; ``AVAILABILITY_FULL_AT`` shared slots count as full, because a single
  shared slot is fragile (one clash and the meeting is cancelled).
- ``preference``: mutual speed-networking ratings combined by :func:`combine_ratings`; pairs without ratings get
  ``NEUTRAL_PREFERENCE`` so that not having met is neither a bonus nor a penalty.

No shared language is a hard-ish penalty: when both sides list languages and none is shared, the whole score is
multiplied by ``Weights.no_shared_language_factor`` (default 0.25) and shown as a negative ``no_shared_language``
part. It is not a prohibition because a coordinator may know better (an interpreter, a language being learnt), but
such a pair almost never beats a pair that can talk. Missing data (an empty set) gives 0 points for that part and
never triggers the penalty.

Strings are compared after ``strip().casefold()``; the ``detail`` of a part holds the matched items in that
normalised form, sorted, so the UI can render e.g. "Both speak English and German" in any language.

:func:`score_matrix` looks every pair up in a table computed with :func:`score_pair`'s own arithmetic (``_total``),
so matrix entries equal the pair scores exactly, not just approximately.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Literal

import numpy as np

from mentorby.tenants.matching.engine import MatchingInputError

Id = Hashable
ConflictPolicy = Literal["forbid", "flag"]
Rating = int | None

CONFLICT_SAME_COMPANY = "same_company"
GOAL_FULL_AT = 3
AVAILABILITY_FULL_AT = 2
NEUTRAL_PREFERENCE = 0.5
PART_KEYS = ("field", "goal_expertise", "languages", "availability", "preference")
FIELD, GOAL_EXPERTISE, LANGUAGES, AVAILABILITY, PREFERENCE = PART_KEYS
PENALTY_KEY = "no_shared_language"
#: Explanation keys of a part (``ScorePart.explanation_key``) that the pages word apart from their part's.
FIELD_SAME, FIELD_RELATED = "field.same", "field.related"
PREFERENCE_HIGH, PREFERENCE_MEDIUM, PREFERENCE_LOW = "preference.high", "preference.medium", "preference.low"
PREFERENCE_NOT_RATED = "preference.not_rated"


@dataclass(frozen=True)
class MentorProfile:
    """What the scorer needs to know about a mentor."""

    id: Id
    field: str
    industry: str = ""
    expertise: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    availability: frozenset[str] = frozenset()
    capacity: int = 1
    employer: str | None = None
    company_id: int | None = None


@dataclass(frozen=True)
class MenteeProfile:
    """What the scorer needs to know about a mentee."""

    id: Id
    field: str
    job_goal_keywords: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset()
    availability: frozenset[str] = frozenset()
    partner_employer_company_id: int | None = None


@dataclass(frozen=True)
class Weights:
    """Relative importance of each score part, set per city; only the ratios matter."""

    field: float = 20.0
    goal_expertise: float = 35.0
    languages: float = 15.0
    availability: float = 15.0
    preference: float = 15.0
    no_shared_language_factor: float = 0.25

    def __post_init__(self) -> None:
        """Reject weights that cannot produce a 0..100 score."""
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
                raise MatchingInputError(f"weight {f.name!r} must be a finite number >= 0, got {value!r}")
        if sum(getattr(self, key) for key in PART_KEYS) <= 0:
            raise MatchingInputError("at least one score weight must be > 0")
        if self.no_shared_language_factor > 1:
            raise MatchingInputError("no_shared_language_factor must be between 0 and 1")

    def scales(self) -> tuple[float, float, float, float, float]:
        """Points a part earns at fraction 1.0, in PART_KEYS order; together they sum to 100."""
        total = self.field + self.goal_expertise + self.languages + self.availability + self.preference
        return (
            100.0 * self.field / total,
            100.0 * self.goal_expertise / total,
            100.0 * self.languages / total,
            100.0 * self.availability / total,
            100.0 * self.preference / total,
        )


@dataclass(frozen=True)
class ScorePart:
    """One explainable contribution to a score; ``detail`` lists the matched items (normalised, sorted)."""

    key: str
    points: float
    explanation_key: str
    detail: tuple[str, ...] = ()


@dataclass(frozen=True)
class PairScore:
    """Score of one pair: ``total`` (0..100) is the sum of the parts' points, ``conflict`` a flag key or None."""

    total: float
    parts: tuple[ScorePart, ...]
    conflict: str | None = None


@dataclass(frozen=True)
class ScoreMatrix:
    """Scores for a whole round: rows follow ``mentor_ids``, columns ``mentee_ids`` (read-only arrays)."""

    mentor_ids: tuple[Id, ...]
    mentee_ids: tuple[Id, ...]
    capacities: dict[Id, int]
    scores: np.ndarray
    forbidden: np.ndarray
    conflicts: np.ndarray


def combine_ratings(mentor_rating: Rating, mentee_rating: Rating) -> float | None:
    """Combine speed-networking ratings (1..5 or None per side) into 0..1: mean of the given sides, None if none."""
    given = []
    for side, rating in (("mentor", mentor_rating), ("mentee", mentee_rating)):
        if rating is None:
            continue
        if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
            raise MatchingInputError(f"{side} rating must be an integer 1..5 or None, got {rating!r}")
        given.append((rating - 1) / 4)
    if not given:
        return None
    return sum(given) / len(given)


def score_pair(
    mentor: MentorProfile,
    mentee: MenteeProfile,
    weights: Weights | None = None,
    preference: float | None = None,
) -> PairScore:
    """Score one mentor–mentee pair with an explanation per part; ``preference`` is 0..1 or None (not rated)."""
    weights = weights or Weights()
    if preference is not None and not 0.0 <= preference <= 1.0:
        raise MatchingInputError(f"preference must be between 0 and 1 or None, got {preference!r}")
    s_field, s_goal, s_lang, s_avail, s_pref = weights.scales()
    parts = []

    mentee_field, mentor_field, mentor_industry = _norm(mentee.field), _norm(mentor.field), _norm(mentor.industry)
    if not mentee_field:
        parts.append(ScorePart("field", s_field * 0.0, "field.not_given"))
    elif mentee_field == mentor_field:
        parts.append(ScorePart("field", s_field * 1.0, FIELD_SAME, (mentee_field,)))
    elif mentee_field == mentor_industry:
        parts.append(ScorePart("field", s_field * 0.5, FIELD_RELATED, (mentee_field,)))
    else:
        parts.append(ScorePart("field", s_field * 0.0, "field.different"))

    parts.append(
        _coverage_part(
            "goal_expertise", s_goal, _norm_set(mentee.job_goal_keywords), _norm_set(mentor.expertise), GOAL_FULL_AT
        )
    )

    mentor_langs, mentee_langs = _norm_set(mentor.languages), _norm_set(mentee.languages)
    shared_langs = mentor_langs & mentee_langs
    no_shared_language = bool(mentor_langs and mentee_langs and not shared_langs)
    if not (mentor_langs and mentee_langs):
        parts.append(ScorePart("languages", s_lang * 0.0, "languages.not_given"))
    elif shared_langs:
        parts.append(ScorePart("languages", s_lang * 1.0, "languages.shared", tuple(sorted(shared_langs))))
    else:
        parts.append(ScorePart("languages", s_lang * 0.0, "languages.none"))

    parts.append(
        _coverage_part(
            "availability",
            s_avail,
            _norm_set(mentee.availability),
            _norm_set(mentor.availability),
            AVAILABILITY_FULL_AT,
        )
    )

    if preference is None:
        parts.append(ScorePart("preference", s_pref * NEUTRAL_PREFERENCE, PREFERENCE_NOT_RATED))
    else:
        level = PREFERENCE_HIGH if preference >= 0.75 else PREFERENCE_MEDIUM if preference >= 0.5 else PREFERENCE_LOW
        parts.append(ScorePart("preference", s_pref * float(preference), level))

    total, penalty = _total([p.points for p in parts], no_shared_language, weights.no_shared_language_factor)
    if no_shared_language:
        parts.append(ScorePart(PENALTY_KEY, -penalty, f"{PENALTY_KEY}.penalty"))

    conflict = None
    if mentor.company_id is not None and mentor.company_id == mentee.partner_employer_company_id:
        conflict = CONFLICT_SAME_COMPANY
    return PairScore(total=total, parts=tuple(parts), conflict=conflict)


def score_matrix(
    mentors: Sequence[MentorProfile],
    mentees: Sequence[MenteeProfile],
    weights: Weights | None = None,
    preferences: Mapping[tuple[Id, Id], tuple[Rating, Rating]] | None = None,
    conflict_policy: ConflictPolicy = "forbid",
) -> ScoreMatrix:
    """Score every pair at once (set bitmasks, numpy broadcasting); conflicts are forbidden or only flagged.

    Every part's fraction is a ratio of small integers, so each pair is reduced to a small integer state
    (field match, capped goal and availability counts, shared language, penalty) and its score is looked up in a
    table computed with score_pair's own arithmetic. That makes entries identical to score_pair and keeps the work
    per pair to a few small-integer operations; only rated pairs (few) are finished one by one.
    """
    weights = weights or Weights()
    if conflict_policy not in ("forbid", "flag"):
        raise MatchingInputError(f"conflict_policy must be 'forbid' or 'flag', got {conflict_policy!r}")
    mentor_ids = _unique_ids("mentor", (m.id for m in mentors))
    mentee_ids = _unique_ids("mentee", (e.id for e in mentees))
    n_m, n_e = len(mentor_ids), len(mentee_ids)
    rated = _rated_pairs(mentor_ids, mentee_ids, preferences or {})

    codes: dict[str, int] = {}
    mentee_field = np.array([_code(codes, _norm(e.field), -1) for e in mentees], dtype=np.int64)
    mentor_field = np.array([_code(codes, _norm(m.field), -2) for m in mentors], dtype=np.int64)
    mentor_industry = np.array([_code(codes, _norm(m.industry), -3) for m in mentors], dtype=np.int64)
    # Field state 2 = same field, 1 = mentee's field is the mentor's industry, 0 = neither (see _FIELD_FRACTIONS).
    state = (mentor_field[:, None] == mentee_field[None, :]).astype(np.uint16)
    state *= 2
    np.maximum(state, mentor_industry[:, None] == mentee_field[None, :], out=state)

    goals = [_norm_set(e.job_goal_keywords) for e in mentees]
    _push(state, GOAL_FULL_AT + 1, _shared_counts([_norm_set(m.expertise) for m in mentors], goals, GOAL_FULL_AT))
    _push(state, GOAL_FULL_AT + 1, np.array([min(len(g), GOAL_FULL_AT) for g in goals], dtype=np.uint16)[None, :])

    mentor_langs = [_norm_set(m.languages) for m in mentors]
    mentee_langs = [_norm_set(e.languages) for e in mentees]
    shared_language = _shared_counts(mentor_langs, mentee_langs, 1)
    mentor_listed = np.array([bool(s) for s in mentor_langs], dtype=bool)
    mentee_listed = np.array([bool(s) for s in mentee_langs], dtype=bool)
    _push(state, 2, shared_language)
    _push(state, 2, (mentor_listed[:, None] & mentee_listed[None, :]) & (shared_language == 0))

    slots = [_norm_set(e.availability) for e in mentees]
    full = AVAILABILITY_FULL_AT
    _push(state, full + 1, _shared_counts([_norm_set(m.availability) for m in mentors], slots, full))
    _push(state, full + 1, np.array([min(len(a), full) for a in slots], dtype=np.uint16)[None, :])

    total = _state_table(weights)[state]
    finished: dict[tuple[int, float], float] = {}  # few distinct (state, rating) combinations recur
    for (i, j), preference in rated.items():
        key = (int(state[i, j]), preference)
        if key not in finished:
            finished[key] = _state_total(weights, *key)
        total[i, j] = finished[key]

    company_codes: dict[int, int] = {}
    mentor_company = np.array([_code(company_codes, m.company_id, -1) for m in mentors], dtype=np.int64)
    mentee_company = np.array(
        [_code(company_codes, e.partner_employer_company_id, -2) for e in mentees], dtype=np.int64
    )
    conflicts = mentor_company[:, None] == mentee_company[None, :]
    forbidden = conflicts.copy() if conflict_policy == "forbid" else np.zeros((n_m, n_e), dtype=bool)

    total = total.reshape(n_m, n_e)
    for array in (total, forbidden, conflicts):
        array.setflags(write=False)
    return ScoreMatrix(
        mentor_ids=mentor_ids,
        mentee_ids=mentee_ids,
        capacities={m.id: m.capacity for m in mentors},
        scores=total,
        forbidden=forbidden.reshape(n_m, n_e),
        conflicts=conflicts.reshape(n_m, n_e),
    )


# Pair state = mixed-radix number, most significant first:
# field (3) | goal shared (GOAL_FULL_AT+1) | goal wanted (GOAL_FULL_AT+1) | language shared (2) | penalty (2)
# | slots shared (AVAILABILITY_FULL_AT+1) | slots wanted (AVAILABILITY_FULL_AT+1).
_RADICES = (3, GOAL_FULL_AT + 1, GOAL_FULL_AT + 1, 2, 2, AVAILABILITY_FULL_AT + 1, AVAILABILITY_FULL_AT + 1)
_STATES = math.prod(_RADICES)
_FIELD_FRACTIONS = (0.0, 0.5, 1.0)


def _push(state: np.ndarray, radix: int, digit: np.ndarray) -> None:
    """Append one mixed-radix digit to every pair's state, in place."""
    state *= radix
    state += digit


@functools.lru_cache(maxsize=256)
def _state_table(weights: Weights) -> np.ndarray:
    """Every unrated pair state's total under these weights (read-only).

    Made once per set of weights a process sees: about 1,700 states cost more than scoring a whole round of 40
    people, and a city's weights rarely change.
    """
    table = np.array([_state_total(weights, key, None) for key in range(_STATES)])
    table.setflags(write=False)
    return table


def _state_total(weights: Weights, key: int, preference: float | None) -> float:
    """Total for a pair state, with exactly score_pair's operations."""
    digits = []
    for radix in reversed(_RADICES):
        key, digit = divmod(key, radix)
        digits.append(digit)
    field, goal_shared, goal_wanted, language, penalised, slots_shared, slots_wanted = reversed(digits)
    s_field, s_goal, s_lang, s_avail, s_pref = weights.scales()
    points = [
        s_field * _FIELD_FRACTIONS[field],
        s_goal * (goal_shared / goal_wanted if goal_wanted else 0.0),
        s_lang * (1.0 if language else 0.0),
        s_avail * (slots_shared / slots_wanted if slots_wanted else 0.0),
        s_pref * (NEUTRAL_PREFERENCE if preference is None else float(preference)),
    ]
    return _total(points, bool(penalised), weights.no_shared_language_factor)[0]


def _total(points: Sequence[float], penalised: bool, factor: float) -> tuple[float, float]:
    """(total clamped to 0..100, penalty points) from the five part points; the one place scores are summed."""
    subtotal = points[0] + points[1] + points[2] + points[3] + points[4]
    penalty = (1.0 - factor) * subtotal if penalised else 0.0
    return min(100.0, max(0.0, subtotal - penalty)), penalty


def _rated_pairs(
    mentor_ids: tuple[Id, ...], mentee_ids: tuple[Id, ...], preferences: Mapping[tuple[Id, Id], tuple[Rating, Rating]]
) -> dict[tuple[int, int], float]:
    """Combined preference per (row, column) for pairs with at least one rating; unknown ids are an error."""
    row = {m: i for i, m in enumerate(mentor_ids)}
    col = {e: j for j, e in enumerate(mentee_ids)}
    unknown = sorted(
        {repr(m) for m, _ in preferences if m not in row} | {repr(e) for _, e in preferences if e not in col}
    )
    if unknown:
        raise MatchingInputError(f"preferences name ids that are not in this round: {', '.join(unknown)}")
    rated = {}
    for (m, e), (mentor_rating, mentee_rating) in preferences.items():
        combined = combine_ratings(mentor_rating, mentee_rating)
        if combined is not None:
            rated[(row[m], col[e])] = combined
    return rated


def _norm(text: str | None) -> str:
    return (text or "").strip().casefold()


def _norm_set(items: Iterable[str]) -> frozenset[str]:
    return frozenset(n for n in (_norm(item) for item in items) if n)


def _code(codes: dict, value: object, missing: int) -> int:
    """Small integer per value so equality broadcasts; empty/None gets a per-side code that never matches."""
    if value is None or value == "":
        return missing
    return codes.setdefault(value, len(codes))


def _unique_ids(role: str, ids: Iterable[Id]) -> tuple[Id, ...]:
    result = tuple(ids)
    duplicates = sorted(repr(i) for i, n in Counter(result).items() if n > 1)
    if duplicates:
        raise MatchingInputError(f"duplicate {role} ids: {', '.join(duplicates)}")
    return result


def _coverage_part(key: str, scale: float, wanted: frozenset[str], offered: frozenset[str], full_at: int) -> ScorePart:
    if not wanted or not offered:
        return ScorePart(key, scale * 0.0, f"{key}.not_given")
    shared = wanted & offered
    fraction = min(len(shared), full_at) / min(len(wanted), full_at)
    return ScorePart(key, scale * fraction, f"{key}.shared" if shared else f"{key}.none", tuple(sorted(shared)))


def _shared_counts(rows: list[frozenset[str]], cols: list[frozenset[str]], cap: int) -> np.ndarray:
    """min(|rows[i] & cols[j]|, cap) for all pairs via uint64 bitmasks over the items both sides use."""
    # Items only one side uses can never be shared, so they get no bit; this keeps masks to a word or two.
    vocabulary = sorted(frozenset().union(*rows) & frozenset().union(*cols))
    counts = np.zeros((len(rows), len(cols)), dtype=np.uint16)
    if not vocabulary:
        return counts
    index = {item: k for k, item in enumerate(vocabulary)}
    row_masks, col_masks = _bitmasks(rows, index), _bitmasks(cols, index)
    for word in range(row_masks.shape[1]):
        counts += np.bitwise_count(row_masks[:, word, None] & col_masks[None, :, word])
    np.minimum(counts, cap, out=counts)
    return counts


def _bitmasks(sets: list[frozenset[str]], index: dict[str, int]) -> np.ndarray:
    words = (len(index) + 63) // 64
    masks = np.zeros((len(sets), words), dtype=np.uint64)
    pairs = [(row, index[item]) for row, items in enumerate(sets) for item in items if item in index]
    if pairs:
        rows, bits = np.array(pairs, dtype=np.int64).T
        np.bitwise_or.at(masks, (rows, bits // 64), np.left_shift(np.uint64(1), (bits % 64).astype(np.uint64)))
    return masks
