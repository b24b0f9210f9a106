"""The evaluation's arithmetic against hand-computed cases."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mentorby.tenants.surveys.statistics import (
    MINIMUM,
    Verdict,
    evaluate,
    net_promoter,
    response_rate,
    wilson,
)


@pytest.fixture
def db():
    """Pure tests: no database."""
    return None


def close(a, b, places=4):
    return math.isclose(a, b, abs_tol=10 ** -places)


def test_wilson_interval_by_hand():
    # 8 of 10: p = 0.8, z = 1.96; centre = (0.8 + 0.19207) / 1.38415 = 0.71680; half = 0.22705.
    low, high = wilson(8, 10)
    assert close(low, 0.4902) and close(high, 0.9433)
    # 6 of 20 (the honest employment case): 0.1455 .. 0.5190.
    low, high = wilson(6, 20)
    assert close(low, 0.1455) and close(high, 0.5190)


def test_wilson_at_zero_and_at_n():
    assert wilson(0, 0) is None
    low, high = wilson(0, 10)
    assert low == 0.0 and close(high, 0.2775)
    low, high = wilson(10, 10)
    assert close(low, 0.7225) and high == 1.0
    assert wilson(1, 1)[1] == 1.0 and wilson(0, 1)[0] == 0.0


@given(st.integers(0, 500).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_wilson_contains_the_share_and_stays_within_0_and_1(case):
    successes, trials = case
    interval = wilson(successes, trials)
    if trials == 0:
        assert interval is None
        return
    low, high = interval
    assert 0.0 <= low <= successes / trials <= high <= 1.0


def test_no_respondents_and_too_few():
    nobody = evaluate(2 / 3, yes=0, answered=0, eligible=20)
    assert nobody.verdict == Verdict.NOT_ENOUGH_DATA and nobody.share is None and nobody.interval is None
    assert nobody.response_rate == 0.0 and nobody.non_respondents == 20
    few = evaluate(2 / 3, yes=4, answered=MINIMUM - 1, eligible=20)
    assert few.verdict == Verdict.NOT_ENOUGH_DATA and few.share is None


def test_all_yes_and_all_no():
    everyone = evaluate(0.8, yes=12, answered=12, eligible=15)
    assert everyone.verdict == Verdict.MET and everyone.share == 1.0 and everyone.interval[1] == 1.0
    assert close(everyone.response_rate, 0.8)
    nobody = evaluate(0.8, yes=0, answered=12, eligible=15)
    assert nobody.verdict == Verdict.NOT_MET and nobody.share == 0.0 and nobody.interval[0] == 0.0


def test_a_share_equal_to_the_threshold_meets_it():
    assert evaluate(2 / 3, yes=10, answered=15, eligible=20).verdict == Verdict.MET
    assert evaluate(2 / 3, yes=9, answered=15, eligible=20).verdict == Verdict.NOT_MET


def test_employment_counts_everyone_who_took_part():
    """6 employed of 15 answering looks met against 1/3; of the 20 who took part, it is not."""
    of_respondents = evaluate(1 / 3, yes=6, answered=15, eligible=20)
    assert of_respondents.verdict == Verdict.MET and close(of_respondents.share, 0.4)
    of_everyone = evaluate(1 / 3, yes=6, answered=15, eligible=20, of_everyone=True)
    assert of_everyone.verdict == Verdict.NOT_MET and close(of_everyone.share, 0.3)
    assert of_everyone.denominator == 20 and of_everyone.non_respondents == 5


@pytest.mark.parametrize("bad", [dict(threshold=0, yes=1, answered=5, eligible=5),
                                 dict(threshold=1.2, yes=1, answered=5, eligible=5),
                                 dict(threshold=0.5, yes=6, answered=5, eligible=5),
                                 dict(threshold=0.5, yes=1, answered=6, eligible=5),
                                 dict(threshold=0.5, yes=-1, answered=5, eligible=5)])
def test_inconsistent_figures_are_refused(bad):
    with pytest.raises(ValueError):
        evaluate(**bad)


def test_response_rate_and_net_promoter_score():
    assert response_rate(18, 20) == 0.9 and response_rate(0, 0) is None
    with pytest.raises(ValueError):
        response_rate(3, 2)
    nps = net_promoter([10, 9, 9, 8, 7, 6, 3, 10])
    assert (nps.promoters, nps.passives, nps.detractors) == (4, 2, 2) and nps.score == 25.0
    assert net_promoter([10, 10, 10, 10]).score is None  # fewer than five answers
    with pytest.raises(ValueError):
        net_promoter([11])
