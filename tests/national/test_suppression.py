"""Small-cell suppression: primary ("<5") and secondary (nothing recoverable by subtraction)."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mentorby.platform.national.suppression import (
    HIDDEN,
    SMALL,
    cube,
    determined,
    group,
    share,
    shown,
    suppress,
    table,
)


def hidden_keys(result):
    return {key for key, value in result.items() if not shown(value)}


def test_small_counts_are_shown_as_less_than_five_and_zero_and_five_as_they_are():
    result = suppress({"a": 0, "b": 4, "c": 5, "d": 1})
    assert result == {"a": 0, "b": SMALL, "c": 5, "d": SMALL}


def test_a_part_beside_its_total_gets_a_partner():
    # mentors + mentees = participants: hiding mentors alone would let participants - mentees give them back.
    result = suppress({"all": 23, "mentors": 3, "mentees": 20}, [group("all", ["mentors", "mentees"])])
    assert result == {"all": 23, "mentors": SMALL, "mentees": HIDDEN}


def test_the_smallest_shown_cell_is_the_partner():
    cells = {"all": 47, "a": 2, "b": 30, "c": 15}
    result = suppress(cells, [group("all", ["a", "b", "c"])])
    assert result == {"all": 47, "a": SMALL, "b": 30, "c": HIDDEN}


def test_two_small_cells_whose_sum_pins_them_get_a_partner():
    # 2 + ... : two hidden cells that sum to 2 are both 1; a third cell is hidden.
    cells = {"all": 12, "a": 1, "b": 1, "c": 10}
    result = suppress(cells, [group("all", ["a", "b", "c"])])
    assert result["c"] == HIDDEN or result["all"] == HIDDEN


def test_a_total_with_one_part_and_this_year_against_all_years():
    cells, groups = table(["2025", "2026"], ["mentor", "mentee"],
                          {("2025", "mentor"): 2, ("2025", "mentee"): 9, ("2026", "mentor"): 12,
                           ("2026", "mentee"): 14})
    result = suppress(cells, groups)
    assert result[("2025", "mentor")] == SMALL
    assert not determined(cells, groups, hidden_keys(result))
    for g in groups:
        assert sum(1 for key in g.cells if not shown(result[key])) != 1



def test_a_bridge_between_two_cycles_is_found_by_the_exact_check():
    # Cells as edges between row and column totals: two 4-cycles joined by a bridge (r2, c3).
    counts = {("r1", "c1"): 1, ("r1", "c2"): 1, ("r2", "c1"): 1, ("r2", "c2"): 1, ("r2", "c3"): 2,
              ("r3", "c3"): 1, ("r3", "c4"): 1, ("r4", "c3"): 1, ("r4", "c4"): 1}
    rows, columns = ["r1", "r2", "r3", "r4"], ["c1", "c2", "c3", "c4"]
    cells, groups = table(rows, columns, counts)
    result = suppress(cells, groups)
    assert not determined(cells, groups, hidden_keys(result))


def test_groups_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError):
        suppress({"all": 10, "a": 3}, [group("all", ["a"])])
    with pytest.raises(ValueError):
        suppress({"a": -1})
    with pytest.raises(ValueError):
        suppress({"all": 3}, [group("all", ["missing"])])


def test_a_share_needs_both_counts_shown_and_five_in_its_denominator():
    assert share(3, 10) == 0.3
    assert share(SMALL, 10) is None
    assert share(3, SMALL) is None
    assert share(HIDDEN, 30) is None
    assert share(0, 0) is None
    assert share(0, 6) == 0


counts = st.integers(min_value=0, max_value=12)


@st.composite
def tables(draw):
    rows = [f"r{i}" for i in range(draw(st.integers(1, 4)))]
    columns = [f"c{i}" for i in range(draw(st.integers(1, 3)))]
    values = {(r, c): draw(counts) for r, c in itertools.product(rows, columns)}
    return table(rows, columns, values)


@settings(max_examples=150, deadline=None)
@given(tables())
def test_generated_tables_show_no_small_count_and_no_recoverable_cell(data):
    cells, groups = data
    result = suppress(cells, groups)
    assert result.keys() == cells.keys()
    for key, value in result.items():
        if shown(value):
            assert value == cells[key]
            assert value == 0 or value >= 5
        if 0 < cells[key] < 5:
            assert value == SMALL
    hidden = hidden_keys(result)
    # No group lets one hidden cell follow by subtraction ...
    for g in groups:
        assert sum(1 for key in g.cells if key in hidden) != 1
    # ... and no chain of groups does either.
    assert not determined(cells, groups, hidden)


@settings(max_examples=100, deadline=None)
@given(st.lists(counts, min_size=1, max_size=5))
def test_generated_totals_and_parts(parts):
    cells = {("part", i): value for i, value in enumerate(parts)}
    cells["total"] = sum(parts)
    groups = [group("total", [("part", i) for i in range(len(parts))])]
    result = suppress(cells, groups)
    hidden = hidden_keys(result)
    assert sum(1 for key in cells if key in hidden) != 1
    for value in result.values():
        assert not shown(value) or value == 0 or value >= 5


@st.composite
def cubes(draw):
    """Regions x years x roles, small enough that many cells are under 5."""
    dimensions = [[f"r{i}" for i in range(draw(st.integers(1, 3)))], list(range(2024, 2024 + draw(st.integers(1, 3)))),
                  ["mentor", "mentee"]]
    values = {key: draw(counts) for key in itertools.product(*dimensions)}
    return dimensions, values


def test_a_cube_has_every_margin_and_every_way_to_add_it_up():
    cells, groups = cube([["a", "b"], [2025, 2026], ["m", "e"]], {("a", 2025, "m"): 3, ("b", 2026, "e"): 7})
    assert len(cells) == 3 * 3 * 3
    assert cells[("all", "all", "all")] == 10 and cells[("a", "all", "all")] == 3 and cells[("all", 2026, "e")] == 7
    assert cells[("b", 2025, "m")] == 0
    # Each margin is a sum along each dimension it spans: the grand total three ways, a region's total two ways.
    assert sum(1 for g in groups if g.total == ("all", "all", "all")) == 3
    assert sum(1 for g in groups if g.total == ("a", "all", "all")) == 2
    for g in groups:
        assert cells[g.total] == sum(cells[part] for part in g.parts)


@settings(max_examples=120, deadline=None)
@given(cubes())
def test_generated_cubes_hide_every_small_cell_in_every_slice(data):
    dimensions, values = data
    cells, groups = cube(dimensions, values)
    result = suppress(cells, groups)
    hidden = hidden_keys(result)
    for key, value in result.items():
        assert value == SMALL if 0 < cells[key] < 5 else (not shown(value) or value == cells[key])
    # A region's page, the nation's page, a year and all years are slices of one decision: together they give
    # back no hidden cell, by any chain of sums.
    assert not determined(cells, groups, hidden)
