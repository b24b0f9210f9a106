"""Scores: pair and matrix agree, parts explain the total, conflicts follow the policy, bad input is rejected."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorby.tenants.matching.engine import MatchingInputError
from mentorby.tenants.matching.scoring import (
    PART_KEYS,
    MenteeProfile,
    MentorProfile,
    Weights,
    combine_ratings,
    score_matrix,
    score_pair,
)

FIELDS = ["software", "Software ", "finance", "biotech", ""]
LANGS = ["English", "english", "Danish", "German", "Hindi"]
SLOTS = ["mon-am", "mon-pm", "tue-am", "wed-pm", "fri-am"]
KEYWORDS = [f"kw{k}" for k in range(90)]  # > 64 items so bitmasks need several words

rating = st.one_of(st.none(), st.integers(1, 5))




def subsets(items, max_size=5):
    return st.frozensets(st.sampled_from(items), max_size=max_size)


mentor_profiles = st.builds(
    MentorProfile,
    id=st.integers(),
    field=st.sampled_from(FIELDS),
    industry=st.sampled_from(FIELDS),
    expertise=subsets(KEYWORDS, 8),
    languages=subsets(LANGS),
    availability=subsets(SLOTS),
    capacity=st.integers(1, 3),
    company_id=st.one_of(st.none(), st.integers(1, 3)),
)
mentee_profiles = st.builds(
    MenteeProfile,
    id=st.integers(),
    field=st.sampled_from(FIELDS),
    job_goal_keywords=subsets(KEYWORDS, 6),
    languages=subsets(LANGS),
    availability=subsets(SLOTS),
    partner_employer_company_id=st.one_of(st.none(), st.integers(1, 3)),
)
weights = st.builds(
    Weights,
    field=st.floats(0, 50),
    goal_expertise=st.floats(1, 50),
    languages=st.floats(0, 50),
    availability=st.floats(0, 50),
    preference=st.floats(0, 50),
    no_shared_language_factor=st.floats(0, 1),
)


@settings(max_examples=40, deadline=None, database=None)
@given(
    st.lists(mentor_profiles, max_size=6, unique_by=lambda m: m.id),
    st.lists(mentee_profiles, max_size=6, unique_by=lambda e: e.id),
    weights,
    st.sampled_from(["forbid", "flag"]),
    st.data(),
)
def test_score_pair_equals_score_matrix(mentors, mentees, w, policy, data):
    pairs = [(m.id, e.id) for m in mentors for e in mentees]
    rated = data.draw(st.lists(st.sampled_from(pairs), unique=True) if pairs else st.just([]))
    preferences = {pair: (data.draw(rating), data.draw(rating)) for pair in rated}
    matrix = score_matrix(mentors, mentees, w, preferences, conflict_policy=policy)
    assert matrix.scores.shape == (len(mentors), len(mentees))
    assert matrix.mentor_ids == tuple(m.id for m in mentors)
    assert matrix.capacities == {m.id: m.capacity for m in mentors}
    for i, mentor in enumerate(mentors):
        for j, mentee in enumerate(mentees):
            preference = combine_ratings(*preferences.get((mentor.id, mentee.id), (None, None)))
            pair = score_pair(mentor, mentee, w, preference)
            assert pair.total == matrix.scores[i, j]
            assert 0.0 <= pair.total <= 100.0
            assert pair.total == pytest.approx(sum(p.points for p in pair.parts), abs=1e-9)
            assert [p.key for p in pair.parts][:5] == list(PART_KEYS)
            conflict = mentor.company_id is not None and mentor.company_id == mentee.partner_employer_company_id
            assert (pair.conflict == "same_company") == conflict == matrix.conflicts[i, j]
            assert matrix.forbidden[i, j] == (conflict and policy == "forbid")


def test_parts_explain_the_score_with_matched_items():
    mentor = MentorProfile(
        id=1,
        field="Software",
        industry="fintech",
        expertise=frozenset({"Python", "cloud", "hiring"}),
        languages=frozenset({"English", "German", "Danish"}),
        availability=frozenset({"mon-am", "tue-pm", "thu-am"}),
        capacity=2,
        employer="Acme",
        company_id=7,
    )
    mentee = MenteeProfile(
        id=2,
        field="software",
        job_goal_keywords=frozenset({"python", "Cloud", "react", "agile"}),
        languages=frozenset({"german", "english", "spanish"}),
        availability=frozenset({"tue-pm", "mon-am"}),
        partner_employer_company_id=8,
    )
    result = score_pair(mentor, mentee, Weights(), preference=1.0)
    parts = {p.key: p for p in result.parts}
    assert parts["field"].detail == ("software",) and parts["field"].explanation_key == "field.same"
    assert parts["goal_expertise"].detail == ("cloud", "python")
    assert parts["goal_expertise"].points == pytest.approx(35.0 * 2 / 3)
    assert parts["languages"].detail == ("english", "german")
    assert parts["availability"].detail == ("mon-am", "tue-pm") and parts["availability"].points == 15.0
    assert parts["preference"].explanation_key == "preference.high" and parts["preference"].points == 15.0
    assert result.total == pytest.approx(20 + 35 * 2 / 3 + 15 + 15 + 15)
    assert result.conflict is None


def test_no_shared_language_is_a_strong_penalty_but_missing_languages_are_not():
    mentor = MentorProfile(id=1, field="hr", languages=frozenset({"danish"}), expertise=frozenset({"recruiting"}))
    talks = MenteeProfile(
        id=2, field="hr", languages=frozenset({"danish"}), job_goal_keywords=frozenset({"recruiting"})
    )
    silent = MenteeProfile(
        id=3, field="hr", languages=frozenset({"hindi"}), job_goal_keywords=frozenset({"recruiting"})
    )
    unknown = MenteeProfile(id=4, field="hr", job_goal_keywords=frozenset({"recruiting"}))
    w = Weights()
    talking, not_talking, not_given = (score_pair(mentor, m, w) for m in (talks, silent, unknown))
    assert not_talking.parts[-1].key == "no_shared_language"
    assert not_talking.total == pytest.approx((talking.total - 15.0) * w.no_shared_language_factor)
    assert not_talking.total < talking.total / 3
    assert "no_shared_language" not in {p.key for p in not_given.parts}
    assert not_given.total == pytest.approx(talking.total - 15.0)


def test_conflict_policy_forbid_or_flag():
    mentor = MentorProfile(id=1, field="x", company_id=5, employer="Novo")
    mentee = MenteeProfile(id=9, field="x", partner_employer_company_id=5)
    other = MenteeProfile(id=10, field="x", partner_employer_company_id=None)
    assert score_pair(mentor, mentee).conflict == "same_company"
    forbid = score_matrix([mentor], [mentee, other], conflict_policy="forbid")
    flag = score_matrix([mentor], [mentee, other], conflict_policy="flag")
    assert forbid.forbidden.tolist() == [[True, False]]
    assert flag.forbidden.tolist() == [[False, False]]
    assert flag.conflicts.tolist() == [[True, False]] == forbid.conflicts.tolist()
    with pytest.raises(MatchingInputError, match="conflict_policy"):
        score_matrix([mentor], [mentee], conflict_policy="ignore")


def test_matrix_arrays_are_read_only():
    matrix = score_matrix([MentorProfile(id=1, field="x")], [MenteeProfile(id=1, field="x")])
    with pytest.raises(ValueError):
        matrix.scores[0, 0] = 1.0


def test_combine_ratings():
    assert combine_ratings(5, 5) == 1.0
    assert combine_ratings(1, 1) == 0.0
    assert combine_ratings(5, None) == 1.0
    assert combine_ratings(None, 3) == 0.5
    assert combine_ratings(4, 2) == 0.5
    assert combine_ratings(None, None) is None
    for bad in (0, 6, 2.5, True):
        with pytest.raises(MatchingInputError, match="rating"):
            combine_ratings(bad, None)


def test_unrated_pairs_get_the_neutral_preference():
    mentor, mentee = MentorProfile(id=1, field="x"), MenteeProfile(id=2, field="x")
    unrated = score_pair(mentor, mentee)
    middling = score_pair(mentor, mentee, preference=0.5)
    assert unrated.total == middling.total
    assert unrated.parts[-1].explanation_key == "preference.not_rated"


def test_preferences_naming_unknown_ids_are_rejected_with_the_ids():
    mentors, mentees = [MentorProfile(id=1, field="x")], [MenteeProfile(id="a", field="x")]
    with pytest.raises(MatchingInputError, match=r"not in this round: 'b', 42"):
        score_matrix(mentors, mentees, preferences={(42, "a"): (5, 5), (1, "b"): (1, None), (1, "a"): (3, 3)})


def test_duplicate_ids_and_bad_weights_are_rejected():
    with pytest.raises(MatchingInputError, match="duplicate mentor ids: 1"):
        score_matrix([MentorProfile(id=1, field="x")] * 2, [])
    with pytest.raises(MatchingInputError, match="weight 'field'"):
        Weights(field=-1)
    with pytest.raises(MatchingInputError, match="at least one"):
        Weights(field=0, goal_expertise=0, languages=0, availability=0, preference=0)
    with pytest.raises(MatchingInputError, match="no_shared_language_factor"):
        Weights(no_shared_language_factor=2)
    with pytest.raises(MatchingInputError, match="preference"):
        score_pair(MentorProfile(id=1, field="x"), MenteeProfile(id=1, field="x"), preference=math.nan)


def test_empty_rounds_give_empty_matrices():
    matrix = score_matrix([], [MenteeProfile(id=1, field="x")])
    assert matrix.scores.shape == (0, 1) and matrix.forbidden.shape == (0, 1)
    assert score_matrix([MentorProfile(id=1, field="x")], []).scores.shape == (1, 0)


def test_weights_only_matter_as_ratios():
    mentor = MentorProfile(id=1, field="hr", industry="x", languages=frozenset({"en"}))
    mentee = MenteeProfile(id=2, field="x", languages=frozenset({"en"}))
    doubled = Weights(field=40, goal_expertise=70, languages=30, availability=30, preference=30)
    assert score_pair(mentor, mentee, doubled).total == pytest.approx(score_pair(mentor, mentee).total)
    assert np.allclose(
        score_matrix([mentor], [mentee], doubled).scores, score_matrix([mentor], [mentee]).scores, rtol=0, atol=1e-12
    )
