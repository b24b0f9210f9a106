"""Matching engine: assign mentees to mentors (1..k mentees each) or to small mentor groups.

Every function takes plain data: ``capacities`` (mentor id -> number of mentees the mentor takes, in row order),
``mentee_ids`` (column order) and ``scores``, either an array of shape (mentors, mentees) or a dict
``{(mentor_id, mentee_id): score}`` in which pairs left out are never used. ``forbidden`` is a boolean array of the
same shape or an iterable of (mentor_id, mentee_id); ``pinned`` pairs are fixed by a coordinator and placed first.

Algorithms:

- :func:`optimal` maximises the total score with ``scipy.optimize.linear_sum_assignment`` on a matrix whose rows are
  capacity slots (each mentor repeated ``capacity`` times). Two priorities:

  - ``"best_total"``: maximise the sum of scores over used pairs. A pair scoring ``<= min_score`` (default 0) is never
    used, so a mentee stays unmatched only when every allowed pair scores ``<= min_score`` (``below_min_score``) or
    the mentors it could have had are full (``no_capacity``).
  - ``"everyone_matched"``: first maximise the number of matched mentees, then the total score among those
    matchings (every allowed pair gets a bonus larger than any possible score sum). ``min_score`` is ignored: a
    poor match is preferred to none. It matches at least as many mentees as ``"best_total"``, at a possibly lower
    total.

- :func:`stable`: mentee-optimal stable matching (hospital–resident, Gale–Shapley, with capacities): no mentor and
  mentee would both rather be together than with their assigned partners. Fair and explainable, but it does not
  maximise the total. Both sides rank by the same number, the pair's score (a mentee's ties by mentor id, a mentor's
  by mentee id), so every preference list follows one strict order of all pairs: score descending, then mentor id,
  then mentee id. With such "globally ranked pairs" the stable matching is unique, and taking pairs in that order
  while both sides have room builds it: the first acceptable pair is each one's favourite, so any matching without
  it is blocked by it; remove it (one slot and one mentee less) and repeat. So the mentee-optimal matching that
  Gale–Shapley finds is this one, computed in about 0.2 s at 2,000 x 2,000 instead of minutes in the pure-Python
  ``matching`` package, which the tests keep as an oracle (tests/matching/oracle.py). Unlike :func:`greedy` every
  allowed pair is acceptable, whatever its score.
- :func:`greedy`: highest-scoring allowed pair first; a baseline for tests and benchmarks.
- :func:`groups`: group mentoring, see its docstring.

Forbidden pairs are given weight 0 (like "unmatched") and any forbidden assignment the solver still returns is
dropped, so forbidden pairs are never used. :func:`stable` and :func:`greedy` break ties between equal scores by
ascending id (input order when ids of mixed types cannot be compared); :func:`optimal` returns one of the optimal
assignments. All functions are deterministic for the same input.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.optimize import linear_sum_assignment

Id = Hashable
Pair = tuple[Id, Id]
Priority = Literal["best_total", "everyone_matched"]
Scores = np.ndarray | Mapping[Pair, float]
Forbidden = np.ndarray | Iterable[Pair]

REASON_NO_MENTORS = "no_mentors"
REASON_NO_CAPACITY = "no_capacity"
REASON_ALL_PAIRS_FORBIDDEN = "all_pairs_forbidden"
REASON_BELOW_MIN_SCORE = "below_min_score"
REASON_NOT_ENOUGH_MENTORS = "not_enough_mentors"
REASON_NOT_ENOUGH_MENTEES = "not_enough_mentees"


class MatchingInputError(ValueError):
    """Input that cannot be matched as given (unknown ids, contradictory pins, bad numbers)."""


@dataclass(frozen=True)
class MatchResult:
    """Pairs (mentor_id, mentee_id, score) incl. pins, unmatched mentees with a reason key, free slots per mentor."""

    pairs: tuple[tuple[Id, Id, float], ...]
    unmatched_mentees: tuple[tuple[Id, str], ...]
    unused_capacity: dict[Id, int]
    total_score: float


@dataclass(frozen=True)
class Group:
    """A mentoring group; ``score`` is the mean over its mentees of their mean score with the group's mentors."""

    mentor_ids: tuple[Id, ...]
    mentee_ids: tuple[Id, ...]
    score: float


@dataclass(frozen=True)
class GroupResult:
    """Groups, mentees left out (with reason key) and mentors not needed for any group."""

    groups: tuple[Group, ...]
    unmatched_mentees: tuple[tuple[Id, str], ...]
    unused_mentors: tuple[Id, ...] = ()


@dataclass(frozen=True)
class _Problem:
    mentor_ids: tuple[Id, ...]
    capacities: np.ndarray  # int64, per mentor row
    mentee_ids: tuple[Id, ...]
    scores: np.ndarray  # float64 (mentors, mentees); 0.0 where a score dict has no entry
    allowed: np.ndarray  # bool, False for forbidden or unscored pairs
    pins: tuple[tuple[int, int], ...]  # (row, column)

    def residual(self) -> tuple[np.ndarray, np.ndarray]:
        """Capacity left per mentor and a mask of mentees not pinned."""
        left = self.capacities.copy()
        free = np.ones(len(self.mentee_ids), dtype=bool)
        for i, j in self.pins:
            left[i] -= 1
            free[j] = False
        return left, free


def optimal(
    capacities: Mapping[Id, int],
    mentee_ids: Sequence[Id],
    scores: Scores,
    *,
    pinned: Iterable[Pair] = (),
    forbidden: Forbidden = (),
    priority: Priority = "best_total",
    min_score: float = 0.0,
) -> MatchResult:
    """Maximum-total-score assignment under capacities (see module docstring for the two priorities)."""
    if priority not in ("best_total", "everyone_matched"):
        raise MatchingInputError(f"priority must be 'best_total' or 'everyone_matched', got {priority!r}")
    _check_min_score(min_score)
    problem = _prepare(capacities, mentee_ids, scores, pinned, forbidden)
    left, free = problem.residual()
    if priority == "best_total":
        worth_it = problem.allowed & (problem.scores > min_score)
    else:
        worth_it = problem.allowed
    usable = worth_it & (left > 0)[:, None] & free[None, :]
    rows = np.flatnonzero(usable.any(axis=1))
    cols = np.flatnonzero(usable.any(axis=0))
    chosen: list[tuple[int, int]] = []
    if rows.size and cols.size:
        sub_usable = usable[np.ix_(rows, cols)]
        sub_scores = problem.scores[np.ix_(rows, cols)]
        if priority == "best_total":
            # Scores used here are > min_score >= 0, so any used pair beats the 0 of "unmatched".
            weight = np.where(sub_usable, sub_scores, 0.0)
        else:
            # One more matched pair must outweigh any score difference: bonus > (max pairs) x (score span).
            values = sub_scores[sub_usable]
            low, span = float(values.min()), float(values.max() - values.min())
            max_pairs = min(cols.size, int(np.minimum(left[rows], cols.size).sum()))
            bonus = (span + 1.0) * (max_pairs + 1)
            weight = np.where(sub_usable, bonus + (sub_scores - low), 0.0)
        chosen = _assign_slots(weight, np.minimum(left[rows], cols.size), rows, cols, usable)
    return _result(problem, list(problem.pins) + chosen, usable_for_reason=worth_it)


def greedy(
    capacities: Mapping[Id, int],
    mentee_ids: Sequence[Id],
    scores: Scores,
    *,
    pinned: Iterable[Pair] = (),
    forbidden: Forbidden = (),
    min_score: float = 0.0,
) -> MatchResult:
    """Baseline: take allowed pairs scoring > min_score from best to worst while both sides still have room."""
    _check_min_score(min_score)
    problem = _prepare(capacities, mentee_ids, scores, pinned, forbidden)
    left, free = problem.residual()
    usable_for_reason = problem.allowed & (problem.scores > min_score)
    chosen = _best_pairs_first(problem, left, free, usable_for_reason)
    return _result(problem, list(problem.pins) + chosen, usable_for_reason=usable_for_reason)


def stable(
    capacities: Mapping[Id, int],
    mentee_ids: Sequence[Id],
    scores: Scores,
    *,
    pinned: Iterable[Pair] = (),
    forbidden: Forbidden = (),
) -> MatchResult:
    """Mentee-optimal stable matching with capacities; preferences are the scores, ties broken by id."""
    problem = _prepare(capacities, mentee_ids, scores, pinned, forbidden)
    left, free = problem.residual()
    # Pins are settled before the game: pinned mentees leave it and their mentors enter with the capacity left. Both
    # sides rank by the same score, so the mentee-optimal stable matching is the only stable one and is built by taking
    # pairs best first (module docstring); every allowed pair is acceptable, whatever its score.
    chosen = _best_pairs_first(problem, left, free, problem.allowed)
    return _result(problem, list(problem.pins) + chosen, usable_for_reason=problem.allowed)


def groups(
    mentor_fields: Mapping[Id, str],
    mentee_ids: Sequence[Id],
    scores: Scores,
    *,
    forbidden: Forbidden = (),
    mentors_per_group: int = 2,
    mentees_per_group: tuple[int, int] = (3, 4),
) -> GroupResult:
    """Form groups of ``mentors_per_group`` mentors (mixed fields) and min..max mentees, mentees by optimal assignment.

    Method, in three steps:

    1. Number of groups G = min(mentors // mentors_per_group, mentees // min) so every group can reach its minimum.
       If there are more mentors than needed, the G x mentors_per_group with the highest mean allowed score
       over all mentees take part (ties by id); the rest are reported as ``unused_mentors``.
    2. Mentor teams by complementary fields: sort the chosen mentors by field (then id) and deal them like cards,
       group g getting positions g, g + G, g + 2G, ... Mentors of one field sit next to each other in that order,
       so two of them share a group only if that field has more than G chosen mentors.
    3. A mentee's score for a group is the mean of its scores with the group's mentors; a pair forbidden with any of
       them forbids the group. Mentees are placed with ``linear_sum_assignment`` over group slots, lexicographically
       maximising (a) mentees placed, (b) groups' minimum slots filled, (c) total group score. Without forbidden
       pairs every group gets at least the minimum; forbidden pairs can leave a group below it (placing more
       mentees wins). (a) and (b) are large float64 bonuses, so (c) is optimal to about 1e-4 at 2,000 mentees.
    """
    if isinstance(mentors_per_group, bool) or not isinstance(mentors_per_group, int) or mentors_per_group < 1:
        raise MatchingInputError(f"mentors_per_group must be an integer >= 1, got {mentors_per_group!r}")
    low, high = mentees_per_group
    if any(isinstance(v, bool) or not isinstance(v, int) for v in (low, high)) or not 1 <= low <= high:
        raise MatchingInputError(f"mentees_per_group must be (min, max) integers with 1 <= min <= max, got {low, high}")
    problem = _prepare({m: 1 for m in mentor_fields}, mentee_ids, scores, (), forbidden)
    n_m, n_e = len(problem.mentor_ids), len(problem.mentee_ids)
    n_groups = min(n_m // mentors_per_group, n_e // low)
    if n_groups == 0:
        if n_m == 0:
            reason = REASON_NO_MENTORS
        elif n_m < mentors_per_group:
            reason = REASON_NOT_ENOUGH_MENTORS
        else:
            reason = REASON_NOT_ENOUGH_MENTEES
        return GroupResult((), tuple((e, reason) for e in problem.mentee_ids), problem.mentor_ids)

    mentor_rank = _tie_ranks(problem.mentor_ids)
    appeal = np.where(problem.allowed, problem.scores, 0.0).mean(axis=1)
    chosen = np.lexsort((mentor_rank, -appeal))[: n_groups * mentors_per_group]
    fields = [str(mentor_fields[problem.mentor_ids[i]]).strip().casefold() for i in range(n_m)]
    chosen = sorted(chosen.tolist(), key=lambda i: (fields[i], mentor_rank[i]))
    teams = [chosen[g::n_groups] for g in range(n_groups)]

    group_scores = np.array([problem.scores[team].mean(axis=0) for team in teams])
    group_allowed = np.array([problem.allowed[team].all(axis=0) for team in teams])
    placed: dict[int, list[int]] = {g: [] for g in range(n_groups)}
    if group_allowed.any():
        values = group_scores[group_allowed]
        floor, span = float(values.min()), float(values.max() - values.min())
        max_pairs = min(n_e, n_groups * high)
        minimum_bonus = (span + 1.0) * (max_pairs + 1)
        placed_bonus = (minimum_bonus + span + 1.0) * (max_pairs + 1)
        base = np.where(group_allowed, placed_bonus + (group_scores - floor), 0.0)
        mandatory = np.where(group_allowed, base + minimum_bonus, 0.0)
        # Slot rows: for each group, `low` minimum slots then `high - low` optional ones.
        weight = np.concatenate([np.vstack([mandatory[g]] * low + [base[g]] * (high - low)) for g in range(n_groups)])
        slot_group = np.repeat(np.arange(n_groups), high)
        for r, c in zip(*linear_sum_assignment(weight, maximize=True), strict=True):
            if group_allowed[slot_group[r], c]:
                placed[int(slot_group[r])].append(int(c))

    result_groups = []
    for g, team in enumerate(teams):
        members = sorted(placed[g])
        score = float(np.mean(group_scores[g, members])) if members else 0.0
        result_groups.append(
            Group(tuple(problem.mentor_ids[i] for i in team), tuple(problem.mentee_ids[j] for j in members), score)
        )
    taken = {j for members in placed.values() for j in members}
    unmatched = tuple(
        (problem.mentee_ids[j], REASON_NO_CAPACITY if group_allowed[:, j].any() else REASON_ALL_PAIRS_FORBIDDEN)
        for j in range(n_e)
        if j not in taken
    )
    chosen_set = set(chosen)
    unused = tuple(problem.mentor_ids[i] for i in range(n_m) if i not in chosen_set)
    return GroupResult(tuple(result_groups), unmatched, unused)


def _best_pairs_first(
    problem: _Problem, left: np.ndarray, free: np.ndarray, acceptable: np.ndarray
) -> list[tuple[int, int]]:
    """Take acceptable pairs in the global order (score desc, mentor id asc, mentee id asc) while both have room.

    Exactly the loop "for each pair in that order: take it if the mentor has room and the mentee is free", but the
    order is built a block at a time: the best ``take`` candidates (all ties of the block's last score included, so
    the order never depends on where a block ends) are sorted, candidates whose mentor is full or whose mentee is
    taken are dropped with numpy, and only the rest go through the Python loop. At 2,000 x 2,000 with full lists
    that is some 40,000 Python steps instead of over a million, and the full 4-million-entry sort is never needed.
    """
    usable = acceptable & (left > 0)[:, None] & free[None, :]
    # Rows and columns in ascending id order: a row-major position then encodes (mentor id, mentee id), so a stable
    # sort on scores breaks ties by the smaller mentor id, then the smaller mentee id.
    rows = np.argsort(_tie_ranks(problem.mentor_ids))
    cols = np.argsort(_tie_ranks(problem.mentee_ids))
    n_e = cols.size
    candidates = np.flatnonzero(usable[np.ix_(rows, cols)].ravel())
    keys = -problem.scores[np.ix_(rows, cols)].ravel()[candidates]
    room, open_mentee = left[rows], free[cols]  # in sorted (row, column) positions
    remaining_mentees = int(usable.any(axis=0).sum())
    remaining_slots = int(left[usable.any(axis=1)].sum())
    chosen: list[tuple[int, int]] = []
    take = 4 * max(remaining_mentees, 256)
    while candidates.size and remaining_mentees and remaining_slots:
        if take < candidates.size:
            last = np.partition(keys, take - 1)[take - 1]
            head = keys <= last
            block, block_keys = candidates[head], keys[head]
            candidates, keys = candidates[~head], keys[~head]
        else:
            block, block_keys = candidates, keys
            candidates, keys = candidates[:0], keys[:0]
        block = block[np.argsort(block_keys, kind="stable")]
        r, c = np.divmod(block, n_e)
        alive = (room[r] > 0) & open_mentee[c]
        room_list, open_list = room.tolist(), open_mentee.tolist()  # plain lists: fast in the loop below
        for a, b in zip(r[alive].tolist(), c[alive].tolist(), strict=True):
            if room_list[a] > 0 and open_list[b]:
                chosen.append((int(rows[a]), int(cols[b])))
                room_list[a] -= 1
                open_list[b] = False
                remaining_mentees -= 1
                remaining_slots -= 1
                if not (remaining_mentees and remaining_slots):
                    break
        room, open_mentee = np.array(room_list, dtype=np.int64), np.array(open_list, dtype=bool)
        # Candidates that can no longer be taken leave before the next block's partition.
        r, c = np.divmod(candidates, n_e)
        alive = (room[r] > 0) & open_mentee[c]
        candidates, keys = candidates[alive], keys[alive]
        take *= 2
    return chosen


def _assign_slots(
    weight: np.ndarray, slots: np.ndarray, rows: np.ndarray, cols: np.ndarray, usable: np.ndarray
) -> list[tuple[int, int]]:
    """Solve the capacity-expanded assignment; return (row, col) in full-problem indices, usable pairs only."""
    expanded = np.repeat(weight, slots, axis=0)
    slot_mentor = np.repeat(rows, slots)
    r, c = linear_sum_assignment(expanded, maximize=True)
    mentors, mentees = slot_mentor[r], cols[c]
    # Weight-0 entries (forbidden / unusable) may be handed out to fill the assignment; they mean "unmatched".
    keep = usable[mentors, mentees]
    return list(zip(mentors[keep].tolist(), mentees[keep].tolist(), strict=True))


def _result(problem: _Problem, chosen: list[tuple[int, int]], usable_for_reason: np.ndarray) -> MatchResult:
    chosen = sorted(chosen)
    used = np.zeros(len(problem.mentor_ids), dtype=np.int64)
    matched = set()
    for i, j in chosen:
        used[i] += 1
        matched.add(j)
    pair_scores = [float(problem.scores[i, j]) for i, j in chosen]
    unmatched = []
    for j, mentee in enumerate(problem.mentee_ids):
        if j in matched:
            continue
        if not problem.mentor_ids:
            reason = REASON_NO_MENTORS
        elif not problem.allowed[:, j].any():
            reason = REASON_ALL_PAIRS_FORBIDDEN
        elif not usable_for_reason[:, j].any():
            reason = REASON_BELOW_MIN_SCORE
        else:
            reason = REASON_NO_CAPACITY
        unmatched.append((mentee, reason))
    return MatchResult(
        pairs=tuple(
            (problem.mentor_ids[i], problem.mentee_ids[j], score)
            for (i, j), score in zip(chosen, pair_scores, strict=True)
        ),
        unmatched_mentees=tuple(unmatched),
        unused_capacity={m: int(problem.capacities[i] - used[i]) for i, m in enumerate(problem.mentor_ids)},
        total_score=math.fsum(pair_scores),
    )


def _prepare(
    capacities: Mapping[Id, int],
    mentee_ids: Sequence[Id],
    scores: Scores,
    pinned: Iterable[Pair],
    forbidden: Forbidden,
) -> _Problem:
    """Validate the input and turn ids into row/column indices."""
    mentor_ids = tuple(capacities)
    mentee_ids = tuple(mentee_ids)
    duplicates = sorted(repr(e) for e, n in Counter(mentee_ids).items() if n > 1)
    if duplicates:
        raise MatchingInputError(f"duplicate mentee ids: {', '.join(duplicates)}")
    bad = [f"{m!r}: {c!r}" for m, c in capacities.items() if isinstance(c, bool) or not isinstance(c, int) or c < 0]
    if bad:
        raise MatchingInputError(f"capacities must be integers >= 0, got {', '.join(bad)}")
    caps = np.array([capacities[m] for m in mentor_ids], dtype=np.int64)
    row = {m: i for i, m in enumerate(mentor_ids)}
    col = {e: j for j, e in enumerate(mentee_ids)}
    shape = (len(mentor_ids), len(mentee_ids))

    if isinstance(scores, Mapping):
        entries = _indices(scores.keys(), row, col, "scores")
        matrix = np.zeros(shape)
        allowed = np.zeros(shape, dtype=bool)
        for (i, j), value in zip(entries, scores.values(), strict=True):
            matrix[i, j] = value
            allowed[i, j] = True
    else:
        matrix = np.array(scores, dtype=np.float64)
        if matrix.size == 0 and 0 in shape:
            matrix = matrix.reshape(shape)
        if matrix.shape != shape:
            raise MatchingInputError(f"score matrix has shape {matrix.shape}, expected (mentors, mentees) = {shape}")
        allowed = np.ones(shape, dtype=bool)
    if not np.isfinite(matrix).all():
        raise MatchingInputError("scores must be finite numbers")

    if isinstance(forbidden, np.ndarray):
        if forbidden.shape != shape:
            raise MatchingInputError(f"forbidden mask has shape {forbidden.shape}, expected {shape}")
        allowed &= ~forbidden.astype(bool)
    else:
        for i, j in _indices(forbidden, row, col, "forbidden pairs"):
            allowed[i, j] = False

    pins = _indices(pinned, row, col, "pinned pairs")
    twice = sorted(repr(mentee_ids[j]) for j, n in Counter(j for _, j in pins).items() if n > 1)
    if twice:
        raise MatchingInputError(f"mentees pinned more than once: {', '.join(twice)}")
    blocked = [f"({mentor_ids[i]!r}, {mentee_ids[j]!r})" for i, j in pins if not allowed[i, j]]
    if blocked:
        raise MatchingInputError(f"pinned pairs are forbidden (or have no score): {', '.join(blocked)}")
    over = [
        f"{mentor_ids[i]!r} ({n} pinned, capacity {caps[i]})"
        for i, n in sorted(Counter(i for i, _ in pins).items())
        if n > caps[i]
    ]
    if over:
        raise MatchingInputError(f"pinned pairs exceed mentor capacity: {', '.join(over)}")
    return _Problem(mentor_ids, caps, mentee_ids, matrix, allowed, tuple(sorted(set(pins))))


def _indices(pairs: Iterable[Pair], row: dict, col: dict, what: str) -> list[tuple[int, int]]:
    """Map (mentor_id, mentee_id) pairs to indices; raise naming every unknown id."""
    pairs = list(pairs)
    for pair in pairs:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise MatchingInputError(f"{what} must be (mentor_id, mentee_id) tuples, got {pair!r}")
    unknown_mentors = sorted({repr(m) for m, _ in pairs if m not in row})
    unknown_mentees = sorted({repr(e) for _, e in pairs if e not in col})
    if unknown_mentors or unknown_mentees:
        parts = []
        if unknown_mentors:
            parts.append(f"unknown mentor ids {', '.join(unknown_mentors)}")
        if unknown_mentees:
            parts.append(f"unknown mentee ids {', '.join(unknown_mentees)}")
        raise MatchingInputError(f"{what} name ids that are not in this round: {'; '.join(parts)}")
    return [(row[m], col[e]) for m, e in pairs]


def _check_min_score(min_score: float) -> None:
    if isinstance(min_score, bool) or not isinstance(min_score, int | float) or not 0 <= min_score < math.inf:
        raise MatchingInputError(f"min_score must be a finite number >= 0, got {min_score!r}")


def _tie_ranks(ids: Sequence[Id]) -> np.ndarray:
    """Position of each id in ascending id order; ids of mixed types fall back to input order."""
    try:
        order = sorted(range(len(ids)), key=ids.__getitem__)
    except TypeError:
        order = list(range(len(ids)))
    ranks = np.empty(len(ids), dtype=np.int64)
    ranks[order] = np.arange(len(ids))
    return ranks
