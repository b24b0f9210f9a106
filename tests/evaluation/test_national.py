"""The city beside the national figures: the pure comparison (plain data in and out)."""

import pytest

from mentorby.tenants.evaluation.national import ABOVE, BELOW, LEVEL, NONE, SHOWN, SUPPRESSED, beside, pool


def _national(code="mentor_network", role="mentor", *, years=None, spread=None, judged=0, meeting=0):
    return {"code": code, "role": role, "of_everyone": False,
            "years": years or {2025: {"yes": 30, "base": 40, "share": 0.75},
                               "all": {"yes": 60, "base": 100, "share": 0.6}},
            "spread": spread, "cities_judged": judged, "cities_meeting": meeting}


def test_a_city_above_the_pooled_share_says_so_with_the_spread():
    spread = {"min": 0.4, "median": 0.6, "max": 0.9}
    [row] = beside([{"code": "mentor_network", "role": "mentor", "share": 0.72}],
                   [_national(spread=spread, judged=3, meeting=2)])
    assert row.national == SHOWN and row.national_share == 0.6 and row.verdict == ABOVE and row.points == 12
    assert row.spread == spread and (row.cities_judged, row.cities_meeting) == (3, 2)


def test_a_year_column_is_compared_with_that_year():
    [row] = beside([{"code": "mentor_network", "role": "mentor", "share": 0.7}], [_national()], 2025)
    assert row.national_share == 0.75 and row.verdict == BELOW and row.points == 5


def test_shares_within_half_a_point_are_level():
    [row] = beside([{"code": "mentor_network", "role": "mentor", "share": 0.604}], [_national()])
    assert row.verdict == LEVEL and row.points == 0


@pytest.mark.parametrize("cell", [{"yes": "<5", "base": 12, "share": None}, {"yes": "–", "base": "–", "share": None},
                                  {"yes": 0, "base": 0, "share": None}])
def test_a_suppressed_national_figure_is_not_compared(cell):
    [row] = beside([{"code": "mentor_network", "role": "mentor", "share": 0.8}],
                   [_national(years={2025: cell, "all": cell}, judged=1, meeting=1)])
    assert row.national == SUPPRESSED and row.national_share is None and row.verdict is None
    assert row.difference is None and row.cities_judged == 1


def test_a_year_the_country_has_no_figures_for_is_suppressed_not_an_error():
    [row] = beside([{"code": "mentor_network", "role": "mentor", "share": 0.8}], [_national()], 2031)
    assert row.national == SUPPRESSED and row.verdict is None


def test_a_citys_own_criterion_and_another_role_have_no_national_figure():
    rows = beside([{"code": "our_own", "role": "mentee", "share": 0.5},
                   {"code": "mentor_network", "role": "mentee", "share": 0.5}], [_national()])
    assert [row.national for row in rows] == [NONE, NONE]
    assert all(row.verdict is None and row.national_share is None for row in rows)


def test_a_city_without_enough_answers_gets_the_national_figure_but_no_verdict():
    [row] = beside([{"code": "mentor_network", "role": "mentor", "share": None}], [_national()])
    assert row.national == SHOWN and row.national_share == 0.6 and row.verdict is None and row.points is None


def test_rows_keep_the_citys_order():
    city = [{"code": code, "role": "mentor", "share": 0.5} for code in ("b", "a", "c")]
    rows = beside(city, [_national("a"), _national("c")])
    assert [(row.code, row.national) for row in rows] == [("b", NONE), ("a", SHOWN), ("c", SHOWN)]


def test_pooling_rounds_needs_enough_answers_and_uses_the_honest_denominator():
    assert pool([(3, 5, 5), (5, 5, 5)]) == 0.8
    assert pool([(1, 2, 2), (1, 2, 2)]) is None  # 4 answers in all: too few
    # A criterion of everyone: 6 employed of 20 who took part, 15 answered.
    assert pool([(6, 20, 15)]) == 0.3
    assert pool([]) is None


def test_a_code_outside_the_programmes_shared_criteria_is_the_citys_own_even_when_rolled_up():
    rows = beside([{"code": "our_own", "role": "mentor", "share": 0.5},
                   {"code": "mentor_network", "role": "mentor", "share": 0.5}],
                  [_national("our_own"), _national()], shared={"mentor_network"})
    assert [row.national for row in rows] == [NONE, SHOWN]


def test_a_shared_criterion_the_country_has_no_figures_of_yet_is_too_few_not_the_citys_own():
    [row] = beside([{"code": "mentor_network", "role": "mentor", "share": 0.5}], [], shared={"mentor_network"})
    assert row.national == SUPPRESSED and row.verdict is None and row.cities_judged == 0
