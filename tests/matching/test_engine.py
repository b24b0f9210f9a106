"""Properties of the matching engine: capacities, pins, forbids, optimality, stability, reasons and input errors."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorby.tenants.matching import engine
from mentorby.tenants.matching.engine import MatchingInputError, MatchResult
from tests.matching.oracle import library_stable

FAST = settings(max_examples=60, deadline=None, database=None)


# ---------------------------------------------------------------- helpers


@st.composite
def problems(draw, max_mentors: int = 4, max_capacity: int = 2, max_mentees: int = 5, with_pins: bool = True):
    """Small random problems: mentor ids 1.., mentee ids 101.., integer-ish scores (ties!) and forbidden pairs."""
    n_m = draw(st.integers(0, max_mentors))
    n_e = draw(st.integers(0, max_mentees))
    caps = draw(st.lists(st.integers(0, max_capacity), min_size=n_m, max_size=n_m))
    value = st.one_of(st.integers(0, 6).map(float), st.floats(0, 100, allow_nan=False, allow_infinity=False))
    scores = np.array(draw(st.lists(value, min_size=n_m * n_e, max_size=n_m * n_e)), dtype=float).reshape(n_m, n_e)
    mostly_allowed = st.sampled_from([False, False, False, True])
    forbidden = np.array(draw(st.lists(mostly_allowed, min_size=n_m * n_e, max_size=n_m * n_e)), dtype=bool)
    forbidden = forbidden.reshape(n_m, n_e)
    mentor_ids = list(range(1, n_m + 1))
    mentee_ids = list(range(101, 101 + n_e))
    pins = []
    if with_pins and n_m:
        left = list(caps)
        for j in range(n_e):
            if draw(st.integers(0, 3)) == 0:
                options = [i for i in range(n_m) if left[i] > 0 and not forbidden[i, j]]
                if options:
                    i = draw(st.sampled_from(options))
                    left[i] -= 1
                    pins.append((mentor_ids[i], mentee_ids[j]))
    return dict(zip(mentor_ids, caps, strict=True)), mentee_ids, scores, forbidden, pins


def check_valid(result: MatchResult, capacities, mentee_ids, scores, forbidden, pins) -> None:
    """Invariants every engine result must satisfy."""
    row = {m: i for i, m in enumerate(capacities)}
    col = {e: j for j, e in enumerate(mentee_ids)}
    used = Counter(m for m, _, _ in result.pairs)
    assert all(used[m] <= capacities[m] for m in capacities), "capacity exceeded"
    matched = [e for _, e, _ in result.pairs]
    assert len(matched) == len(set(matched)), "a mentee matched twice"
    assert set(pins) <= {(m, e) for m, e, _ in result.pairs}, "pinned pair dropped"
    for m, e, s in result.pairs:
        assert not forbidden[row[m], col[e]], "forbidden pair used"
        assert s == scores[row[m], col[e]]
    unmatched = [e for e, _ in result.unmatched_mentees]
    assert sorted(matched + unmatched) == sorted(mentee_ids), "every mentee is either matched or reported"
    assert {r for _, r in result.unmatched_mentees} <= {
        engine.REASON_NO_MENTORS,
        engine.REASON_NO_CAPACITY,
        engine.REASON_ALL_PAIRS_FORBIDDEN,
        engine.REASON_BELOW_MIN_SCORE,
    }
    assert result.unused_capacity == {m: capacities[m] - used[m] for m in capacities}
    assert result.total_score == pytest.approx(sum(s for _, _, s in result.pairs))


def brute_force(capacities, mentee_ids, scores, usable, pins, key):
    """Best value of ``key(count, total)`` over all assignments that keep the pins, by enumeration."""
    n_m = len(capacities)
    col = {e: j for j, e in enumerate(mentee_ids)}
    row = {m: i for i, m in enumerate(capacities)}
    left = list(capacities.values())
    pinned_cols = set()
    base_total = 0.0
    for m, e in pins:
        left[row[m]] -= 1
        pinned_cols.add(col[e])
        base_total += scores[row[m], col[e]]
    free = [j for j in range(len(mentee_ids)) if j not in pinned_cols]
    best = None
    for choice in itertools.product([None, *range(n_m)], repeat=len(free)):
        counts = Counter(i for i in choice if i is not None)
        if any(counts[i] > left[i] for i in counts):
            continue
        if any(i is not None and not usable[i, j] for i, j in zip(choice, free, strict=True)):
            continue
        total = base_total + sum(scores[i, j] for i, j in zip(choice, free, strict=True) if i is not None)
        value = key(len(pins) + sum(counts.values()), total)
        if best is None or value > best:
            best = value
    return best


def blocking_pairs(result: MatchResult, capacities, mentee_ids, scores, forbidden, pins) -> list[tuple]:
    """Pairs (not pinned) that would both rather be together; ranks are scores, ties by ascending id."""
    row = {m: i for i, m in enumerate(capacities)}
    col = {e: j for j, e in enumerate(mentee_ids)}
    pinned_mentees = {e for _, e in pins}
    left = {m: capacities[m] - sum(1 for pm, _ in pins if pm == m) for m in capacities}
    partner = {e: m for m, e, _ in result.pairs if (m, e) not in pins}
    taken = {m: [e for e, pm in partner.items() if pm == m] for m in capacities}

    def mentee_prefers(e, m1, m2):
        return (-scores[row[m1], col[e]], m1) < (-scores[row[m2], col[e]], m2)

    def mentor_prefers(m, e1, e2):
        return (-scores[row[m], col[e1]], e1) < (-scores[row[m], col[e2]], e2)

    found = []
    for m in capacities:
        for e in mentee_ids:
            if e in pinned_mentees or left[m] <= 0 or forbidden[row[m], col[e]] or partner.get(e) == m:
                continue
            mentee_wants = e not in partner or mentee_prefers(e, m, partner[e])
            mentor_wants = len(taken[m]) < left[m] or any(mentor_prefers(m, e, other) for other in taken[m])
            if mentee_wants and mentor_wants:
                found.append((m, e))
    return found


# ---------------------------------------------------------------- properties


@FAST
@given(problems(), st.sampled_from(["best_total", "everyone_matched"]))
def test_optimal_respects_capacities_pins_and_forbids(problem, priority):
    capacities, mentee_ids, scores, forbidden, pins = problem
    result = engine.optimal(capacities, mentee_ids, scores, pinned=pins, forbidden=forbidden, priority=priority)
    check_valid(result, capacities, mentee_ids, scores, forbidden, pins)


@FAST
@given(problems(), st.sampled_from([0.0, 3.0]))
def test_best_total_equals_brute_force_and_beats_greedy(problem, min_score):
    capacities, mentee_ids, scores, forbidden, pins = problem
    result = engine.optimal(capacities, mentee_ids, scores, pinned=pins, forbidden=forbidden, min_score=min_score)
    usable = ~forbidden & (scores > min_score)
    best = brute_force(capacities, mentee_ids, scores, usable, pins, key=lambda count, total: total)
    assert result.total_score == pytest.approx(best)
    # Mentees left out although an allowed pair scores above min_score can only be blocked by capacity.
    for e, reason in result.unmatched_mentees:
        j = mentee_ids.index(e)
        if usable[:, j].any():
            assert reason == engine.REASON_NO_CAPACITY
    baseline = engine.greedy(capacities, mentee_ids, scores, pinned=pins, forbidden=forbidden, min_score=min_score)
    check_valid(baseline, capacities, mentee_ids, scores, forbidden, pins)
    assert result.total_score >= baseline.total_score - 1e-9


@FAST
@given(problems())
def test_everyone_matched_maximises_count_then_score(problem):
    capacities, mentee_ids, scores, forbidden, pins = problem
    result = engine.optimal(
        capacities, mentee_ids, scores, pinned=pins, forbidden=forbidden, priority="everyone_matched"
    )
    best_count, best_total = brute_force(capacities, mentee_ids, scores, ~forbidden, pins, key=lambda c, t: (c, t))
    assert len(result.pairs) == best_count
    assert result.total_score == pytest.approx(best_total)
    best_total_result = engine.optimal(capacities, mentee_ids, scores, pinned=pins, forbidden=forbidden)
    assert len(result.pairs) >= len(best_total_result.pairs)


@FAST
@given(problems(max_mentors=5, max_capacity=3, max_mentees=8))
def test_stable_has_no_blocking_pair(problem):
    capacities, mentee_ids, scores, forbidden, pins = problem
    result = engine.stable(capacities, mentee_ids, scores, pinned=pins, forbidden=forbidden)
    check_valid(result, capacities, mentee_ids, scores, forbidden, pins)
    assert blocking_pairs(result, capacities, mentee_ids, scores, forbidden, pins) == []


@FAST
@given(problems(max_mentors=5, max_capacity=3, max_mentees=8))
def test_stable_equals_greedy_when_both_sides_rank_by_the_same_score(problem):
    # One score per pair ranks both sides (ties by id, as greedy's row-major order when ids ascend), so the stable
    # matching is unique and is exactly what "best remaining pair first" builds: an independent check of stable().
    capacities, mentee_ids, scores, forbidden, pins = problem
    scores = scores + 1.0  # greedy skips pairs <= min_score (0), stable accepts every allowed pair
    stable = engine.stable(capacities, mentee_ids, scores, pinned=pins, forbidden=forbidden)
    assert stable == engine.greedy(capacities, mentee_ids, scores, pinned=pins, forbidden=forbidden)
    # Ties follow ids, not input order: the same round listed backwards gives the same pairs.
    backwards = (dict(reversed(capacities.items())), mentee_ids[::-1], scores[::-1, ::-1])
    for solve in (engine.stable, engine.greedy):
        result = solve(*backwards, pinned=pins, forbidden=forbidden[::-1, ::-1])
        assert sorted(result.pairs) == sorted(stable.pairs)


@st.composite
def tied_problems(draw):
    """Rounds with many ties, negative scores, ids in any order and of any one type (or mixed), array or dict scores."""
    n_m = draw(st.integers(1, 9))
    n_e = draw(st.integers(1, 14))
    id_kind = draw(st.sampled_from(["int", "str", "mixed"]))
    mentor_ids = draw(st.permutations(range(n_m)))
    mentee_ids = draw(st.permutations(range(n_e)))
    if id_kind == "str":
        mentor_ids, mentee_ids = [f"m{i:02}" for i in mentor_ids], [f"e{j:02}" for j in mentee_ids]
    elif id_kind == "mixed":  # not comparable: ties fall back to input order
        mentor_ids = [i if i % 2 else f"m{i}" for i in mentor_ids]
        mentee_ids = [j if j % 2 else f"e{j}" for j in mentee_ids]
    caps = draw(st.lists(st.integers(0, 3), min_size=n_m, max_size=n_m))
    value = st.integers(-2, 3).map(float)
    scores = np.array(draw(st.lists(value, min_size=n_m * n_e, max_size=n_m * n_e))).reshape(n_m, n_e)
    forbidden = np.array(draw(st.lists(st.booleans(), min_size=n_m * n_e, max_size=n_m * n_e))).reshape(n_m, n_e)
    forbidden &= np.array(draw(st.lists(st.booleans(), min_size=n_m * n_e, max_size=n_m * n_e))).reshape(n_m, n_e)
    pins = []
    left = list(caps)
    for j in range(n_e):
        if draw(st.integers(0, 5)) == 0:
            options = [i for i in range(n_m) if left[i] > 0 and not forbidden[i, j]]
            if options:
                i = draw(st.sampled_from(options))
                left[i] -= 1
                pins.append((mentor_ids[i], mentee_ids[j]))
    capacities = dict(zip(mentor_ids, caps, strict=True))
    if draw(st.booleans()):
        as_dict = {
            (m, e): scores[i, j]
            for i, m in enumerate(mentor_ids)
            for j, e in enumerate(mentee_ids)
            if not forbidden[i, j]
        }
        return capacities, mentee_ids, as_dict, (), pins
    return capacities, mentee_ids, scores, forbidden, pins


@FAST
@given(problems(max_mentors=5, max_capacity=3, max_mentees=8))
def test_stable_equals_the_matching_library(problem):
    capacities, mentee_ids, scores, forbidden, pins = problem
    expected = library_stable(capacities, mentee_ids, scores, pinned=pins, forbidden=forbidden)
    assert engine.stable(capacities, mentee_ids, scores, pinned=pins, forbidden=forbidden) == expected


@settings(max_examples=150, deadline=None, database=None)
@given(tied_problems())
def test_stable_equals_the_matching_library_with_ties_negative_scores_and_any_ids(problem):
    capacities, mentee_ids, scores, forbidden, pins = problem
    expected = library_stable(capacities, mentee_ids, scores, pinned=pins, forbidden=forbidden)
    assert engine.stable(capacities, mentee_ids, scores, pinned=pins, forbidden=forbidden) == expected


@pytest.mark.parametrize("seed", range(4))
def test_stable_equals_the_matching_library_and_is_stable_on_larger_rounds(seed):
    # Bigger than Hypothesis draws, so the block-wise pass over pairs (engine._best_pairs_first) runs several blocks.
    rng = np.random.default_rng(seed)
    n_m, n_e = 120 + 40 * seed, 300
    capacities = {1000 + i: int(c) for i, c in enumerate(rng.integers(0, 4, size=n_m))}
    mentee_ids = [int(e) for e in rng.permutation(n_e)]
    scores = rng.integers(0, 12, size=(n_m, n_e)).astype(float)  # few distinct values: many ties
    forbidden = rng.random((n_m, n_e)) < 0.3
    pins = [(1000 + i, mentee_ids[j]) for i, j in ((0, 0), (1, 1)) if capacities[1000 + i] and not forbidden[i, j]]
    result = engine.stable(capacities, mentee_ids, scores, pinned=pins, forbidden=forbidden)
    assert result == library_stable(capacities, mentee_ids, scores, pinned=pins, forbidden=forbidden)
    check_valid(result, capacities, mentee_ids, scores, forbidden, pins)
    assert blocking_pairs(result, capacities, mentee_ids, scores, forbidden, pins) == []


@FAST
@given(problems(max_mentors=6, max_capacity=3, max_mentees=8))
def test_all_engines_are_deterministic(problem):
    capacities, mentee_ids, scores, forbidden, pins = problem
    for solve in (engine.optimal, engine.stable, engine.greedy):
        first = solve(capacities, mentee_ids, scores, pinned=pins, forbidden=forbidden)
        second = solve(dict(capacities), list(mentee_ids), scores.copy(), pinned=list(pins), forbidden=forbidden.copy())
        assert first == second


@FAST
@given(problems(with_pins=False))
def test_dict_scores_match_array_scores_and_missing_pairs_are_never_used(problem):
    capacities, mentee_ids, scores, forbidden, _ = problem
    as_dict = {
        (m, e): scores[i, j] for i, m in enumerate(capacities) for j, e in enumerate(mentee_ids) if not forbidden[i, j]
    }
    from_dict = engine.optimal(capacities, mentee_ids, as_dict)
    from_array = engine.optimal(capacities, mentee_ids, scores, forbidden=forbidden)
    assert from_dict == from_array


def test_stable_is_mentee_optimal_on_a_known_instance():
    # Both mentees rank mentor 1 first; mentor 1 (capacity 1) prefers mentee "b", so "a" goes to mentor 2.
    scores = np.array([[9.0, 10.0], [5.0, 1.0]])
    result = engine.stable({1: 1, 2: 1}, ["a", "b"], scores)
    assert result.pairs == ((1, "b", 10.0), (2, "a", 5.0))


def test_stable_uses_ids_only_for_ties_and_allows_colliding_mentor_and_mentee_ids():
    scores = np.ones((2, 2))
    result = engine.stable({2: 1, 1: 1}, [2, 1], scores)
    # All scores tie: mentee 1 (smallest id) proposes to mentor 1 first and mentor 1 prefers mentee 1.
    assert sorted(result.pairs) == [(1, 1, 1.0), (2, 2, 1.0)]


def test_optimal_beats_greedy_on_the_classic_counterexample():
    # Greedy grabs the 10 and leaves two poor pairs; the optimum takes 9 + 9.
    scores = np.array([[10.0, 9.0], [9.0, 0.5]])
    greedy = engine.greedy({"x": 1, "y": 1}, ["a", "b"], scores)
    optimal = engine.optimal({"x": 1, "y": 1}, ["a", "b"], scores)
    assert greedy.total_score == 10.5
    assert optimal.total_score == 18.0


def test_best_total_leaves_a_mentee_out_rather_than_using_a_worthless_pair():
    scores = np.array([[50.0, 0.0]])
    best = engine.optimal({1: 2}, ["a", "b"], scores)
    everyone = engine.optimal({1: 2}, ["a", "b"], scores, priority="everyone_matched")
    assert best.pairs == ((1, "a", 50.0),)
    assert best.unmatched_mentees == (("b", engine.REASON_BELOW_MIN_SCORE),)
    assert everyone.pairs == ((1, "a", 50.0), (1, "b", 0.0))


def test_everyone_matched_trades_score_for_coverage():
    # Mentee "b" can only go to mentor 1; best_total gives mentor 1 to "a" (100) and leaves "b" out.
    scores = np.array([[100.0, 1.0], [2.0, 0.0]])
    forbidden = np.array([[False, False], [False, True]])
    best = engine.optimal({1: 1, 2: 1}, ["a", "b"], scores, forbidden=forbidden)
    everyone = engine.optimal({1: 1, 2: 1}, ["a", "b"], scores, forbidden=forbidden, priority="everyone_matched")
    assert best.pairs == ((1, "a", 100.0),)
    assert best.unmatched_mentees == (("b", engine.REASON_NO_CAPACITY),)
    assert everyone.pairs == ((1, "b", 1.0), (2, "a", 2.0))


def test_optimal_scales_to_a_few_hundred():
    rng = np.random.default_rng(7)
    scores = rng.random((300, 400)) * 100
    capacities = {i: int(c) for i, c in enumerate(rng.integers(1, 4, 300))}
    forbidden = rng.random((300, 400)) < 0.05
    result = engine.optimal(capacities, list(range(400)), scores, forbidden=forbidden)
    check_valid(result, capacities, list(range(400)), scores, forbidden, [])
    assert len(result.pairs) == 400
    assert result.total_score >= engine.greedy(capacities, list(range(400)), scores, forbidden=forbidden).total_score


# ---------------------------------------------------------------- reasons and bad input


@pytest.mark.parametrize("solve", [engine.optimal, engine.stable, engine.greedy])
def test_no_mentors_reports_everyone_without_crashing(solve):
    result = solve({}, ["a", "b"], np.zeros((0, 2)))
    assert result.pairs == ()
    assert result.unmatched_mentees == (("a", "no_mentors"), ("b", "no_mentors"))
    assert result.total_score == 0.0


@pytest.mark.parametrize("solve", [engine.optimal, engine.stable, engine.greedy])
def test_more_mentees_than_capacity_reports_the_excess_as_no_capacity(solve):
    scores = np.full((2, 5), 10.0)
    result = solve({1: 2, 2: 1}, list("abcde"), scores)
    assert len(result.pairs) == 3
    assert [r for _, r in result.unmatched_mentees] == ["no_capacity", "no_capacity"]
    assert result.unused_capacity == {1: 0, 2: 0}


def test_mentee_with_only_forbidden_pairs_is_reported_as_such():
    forbidden = np.array([[True, False], [True, False]])
    for solve in (engine.optimal, engine.stable, engine.greedy):
        result = solve({1: 1, 2: 1}, ["a", "b"], np.ones((2, 2)), forbidden=forbidden)
        assert result.unmatched_mentees == (("a", "all_pairs_forbidden"),)


def test_no_mentees_gives_an_empty_result():
    result = engine.optimal({1: 2}, [], np.zeros((1, 0)))
    assert result == MatchResult((), (), {1: 2}, 0.0)


def test_dict_scores_naming_unknown_ids_are_rejected_with_the_ids():
    with pytest.raises(MatchingInputError, match=r"unknown mentor ids 99.*unknown mentee ids 'zz'"):
        engine.optimal({1: 1}, ["a"], {(1, "a"): 5.0, (99, "a"): 1.0, (1, "zz"): 2.0})


@pytest.mark.parametrize("solve", [engine.optimal, engine.stable, engine.greedy])
def test_pins_to_unknown_ids_are_rejected(solve):
    with pytest.raises(MatchingInputError, match=r"pinned pairs .*unknown mentor ids 7.*unknown mentee ids 'q'"):
        solve({1: 1}, ["a"], np.ones((1, 1)), pinned=[(7, "q")])


def test_forbidden_pairs_naming_unknown_ids_are_rejected():
    with pytest.raises(MatchingInputError, match=r"forbidden pairs .*unknown mentee ids 'q'"):
        engine.optimal({1: 1}, ["a"], np.ones((1, 1)), forbidden=[(1, "q")])


def test_pin_on_a_forbidden_pair_is_an_error():
    with pytest.raises(MatchingInputError, match=r"pinned pairs are forbidden.*\(1, 'a'\)"):
        engine.optimal({1: 1}, ["a"], np.ones((1, 1)), pinned=[(1, "a")], forbidden=[(1, "a")])


def test_pins_beyond_capacity_are_an_error():
    with pytest.raises(MatchingInputError, match=r"exceed mentor capacity: 1 \(2 pinned, capacity 1\)"):
        engine.optimal({1: 1}, ["a", "b"], np.ones((1, 2)), pinned=[(1, "a"), (1, "b")])


def test_mentee_pinned_twice_is_an_error():
    with pytest.raises(MatchingInputError, match="pinned more than once: 'a'"):
        engine.optimal({1: 1, 2: 1}, ["a"], np.ones((2, 1)), pinned=[(1, "a"), (2, "a")])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"scores": np.ones((2, 2))}, "shape"),
        ({"scores": np.array([[np.nan]])}, "finite"),
        ({"capacities": {1: -1}}, "capacities"),
        ({"capacities": {1: 1.5}}, "capacities"),
        ({"mentee_ids": ["a", "a"], "scores": np.ones((1, 2))}, "duplicate mentee ids"),
        ({"priority": "fastest"}, "priority"),
        ({"min_score": -1}, "min_score"),
        ({"forbidden": np.zeros((2, 1), dtype=bool)}, "forbidden mask"),
    ],
)
def test_bad_input_raises_matching_input_error(kwargs, message):
    arguments = {"capacities": {1: 1}, "mentee_ids": ["a"], "scores": np.ones((1, 1))} | kwargs
    with pytest.raises(MatchingInputError, match=message):
        engine.optimal(arguments.pop("capacities"), arguments.pop("mentee_ids"), arguments.pop("scores"), **arguments)


def test_matching_input_error_is_a_value_error():
    assert issubclass(MatchingInputError, ValueError)


# ---------------------------------------------------------------- groups


@st.composite
def group_problems(draw):
    n_m = draw(st.integers(0, 9))
    n_e = draw(st.integers(0, 22))
    fields = draw(st.lists(st.sampled_from(["software", "finance", "biotech"]), min_size=n_m, max_size=n_m))
    scores = np.array(draw(st.lists(st.integers(0, 100), min_size=n_m * n_e, max_size=n_m * n_e)), dtype=float)
    return dict(zip(range(1, n_m + 1), fields, strict=True)), list(range(101, 101 + n_e)), scores.reshape(n_m, n_e)


@FAST
@given(group_problems(), st.sampled_from([(3, 4), (2, 3), (4, 4)]), st.sampled_from([1, 2, 3]))
def test_groups_have_the_right_shape_and_balanced_fields(problem, sizes, per_group):
    mentor_fields, mentee_ids, scores = problem
    low, high = sizes
    result = engine.groups(mentor_fields, mentee_ids, scores, mentors_per_group=per_group, mentees_per_group=sizes)
    expected_groups = min(len(mentor_fields) // per_group, len(mentee_ids) // low)
    assert len(result.groups) == expected_groups
    mentors = [m for g in result.groups for m in g.mentor_ids]
    assert len(mentors) == len(set(mentors)) == expected_groups * per_group
    assert sorted(mentors + list(result.unused_mentors)) == sorted(mentor_fields)
    placed = [e for g in result.groups for e in g.mentee_ids]
    assert len(placed) == len(set(placed)) == min(len(mentee_ids), expected_groups * high)
    assert sorted(placed + [e for e, _ in result.unmatched_mentees]) == mentee_ids
    for group in result.groups:
        assert low <= len(group.mentee_ids) <= high
        assert len(group.mentor_ids) == per_group
        rows = [m - 1 for m in group.mentor_ids]
        cols = [e - 101 for e in group.mentee_ids]
        assert group.score == pytest.approx(scores[np.ix_(rows, cols)].mean(axis=0).mean())
    # Fields: two mentors of one field share a group only if that field has more chosen mentors than groups.
    field_counts = Counter(mentor_fields[m] for m in mentors)
    for group in result.groups:
        for field, n in Counter(mentor_fields[m] for m in group.mentor_ids).items():
            assert n == 1 or field_counts[field] > len(result.groups)


def test_groups_never_use_forbidden_pairs_and_report_reasons():
    mentor_fields = {1: "software", 2: "finance", 3: "software", 4: "hr"}
    scores = np.full((4, 9), 50.0)
    forbidden = np.zeros((4, 9), dtype=bool)
    forbidden[:, 0] = True  # mentee 0 conflicts with everyone
    forbidden[0, 1] = True  # mentee 1 must avoid mentor 1's group
    result = engine.groups(mentor_fields, list(range(9)), scores, forbidden=forbidden)
    assert len(result.groups) == 2
    for group in result.groups:
        for m in group.mentor_ids:
            for e in group.mentee_ids:
                assert not forbidden[m - 1, e]
        assert len({mentor_fields[m] for m in group.mentor_ids}) == 2
    assert (0, "all_pairs_forbidden") in result.unmatched_mentees
    assert sum(len(g.mentee_ids) for g in result.groups) == 8


def test_groups_with_too_few_people():
    assert engine.groups({}, [1, 2, 3], np.zeros((0, 3))).unmatched_mentees == tuple(
        (e, "no_mentors") for e in [1, 2, 3]
    )
    assert engine.groups({1: "hr"}, [1, 2, 3], np.zeros((1, 3))).unmatched_mentees[0] == (1, "not_enough_mentors")
    few = engine.groups({1: "hr", 2: "it"}, [1, 2], np.zeros((2, 2)))
    assert few.groups == () and few.unmatched_mentees == ((1, "not_enough_mentees"), (2, "not_enough_mentees"))
    assert few.unused_mentors == (1, 2)


def test_groups_reject_bad_sizes():
    with pytest.raises(MatchingInputError, match="mentees_per_group"):
        engine.groups({1: "hr"}, [1], np.zeros((1, 1)), mentees_per_group=(4, 3))
    with pytest.raises(MatchingInputError, match="mentors_per_group"):
        engine.groups({1: "hr"}, [1], np.zeros((1, 1)), mentors_per_group=0)
