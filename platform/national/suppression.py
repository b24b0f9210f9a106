"""Small-cell suppression for the national figures: pure, plain data in and out (no Flask, no session).

Primary suppression: a count of 1 to 4 people is shown as "<5". A zero is shown: it is a figure about nobody, and
hiding it would make "<5" mean "0 to 4" and suppress most of a sparse table for no protection (a zero beside a
shown total of 5 or more says no more than the total does).

Secondary suppression: figures are shown together with their totals (mentors + mentees = participants, the cities
and the nation, each year and all years, a filter and its complement). A group is a total and the parts it is the
sum of. If a group had exactly one hidden cell, that cell would follow by subtraction; so while some group has
one hidden cell, the smallest shown cell of that group is hidden too ("secondary", shown as "–", since it may be
large). That repeats until no group has exactly one hidden cell, and then an exact check (Gaussian elimination
over the rationals on every group's equation) hides more until no hidden cell is determined by all the shown
cells together, across groups (a chain of groups can pin a cell that no single group pins).

Two more leaks are closed: hidden cells known to be 1 to 4 whose sum pins each of them (two cells summing to 2
are both 1, to 8 are both 4) get a secondary partner; and a share (yes out of answered) is shown only when both of
its counts are shown, so a share never turns a hidden count back into a number.

The result is decided once for the whole table; every page and the API show slices of the same decision, so two
requests with different filters cannot be subtracted from each other.
"""

import itertools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

#: The smallest number of people a figure may be about.
MINIMUM = 5
#: How a count of 1 to 4 is shown.
SMALL = "<5"
#: How a cell hidden to protect another is shown.
HIDDEN = "–"


@dataclass(frozen=True)
class Group:
    """A total and the parts it is the sum of: `cells[total] == sum(cells[part] for part in parts)`."""

    total: Hashable
    parts: tuple[Hashable, ...]

    @property
    def cells(self) -> tuple[Hashable, ...]:
        """The total and its parts."""
        return (self.total, *self.parts)


def group(total: Hashable, parts: Iterable[Hashable]) -> Group:
    """A group from a total's key and its parts' keys."""
    return Group(total, tuple(parts))


def suppress(cells: Mapping[Hashable, int], groups: Sequence[Group] = ()) -> dict[Hashable, int | str]:
    """Every cell's shown value: its count, `SMALL` ("<5") or `HIDDEN` ("–").

    `cells` maps a key to a count of people; `groups` says which cells are a total of which others. A group whose
    numbers do not add up is refused (ValueError): the check would be meaningless.
    """
    for g in groups:
        missing = [key for key in g.cells if key not in cells]
        if missing:
            raise ValueError(f"unknown cells in a group: {missing!r}")
        if cells[g.total] != sum(cells[part] for part in g.parts):
            raise ValueError(f"group {g.total!r} does not add up")
    if any(value < 0 for value in cells.values()):
        raise ValueError("a count cannot be negative")
    primary = {key for key, value in cells.items() if 0 < value < MINIMUM}
    hidden = set(primary)
    while True:
        changed = _single_cells(cells, groups, hidden, primary)
        if not changed:
            changed = _determined(cells, groups, hidden)
        if not changed:
            break
    return {key: (SMALL if key in primary else HIDDEN if key in hidden else value) for key, value in cells.items()}


def shown(value: int | str) -> bool:
    """Whether a suppressed value is a number."""
    return isinstance(value, int)


def share(yes: int | str, denominator: int | str) -> float | None:
    """A share from two suppressed counts, or None when it would reveal a hidden count or be about fewer than 5."""
    if not (shown(yes) and shown(denominator)) or denominator < MINIMUM:
        return None
    return yes / denominator


def _partner(cells, g: Group, hidden: set) -> Hashable | None:
    """The cell of the group to hide next: the smallest shown one (parts before the total on ties)."""
    candidates = [key for key in (*g.parts, g.total) if key not in hidden]
    return min(candidates, key=lambda key: cells[key]) if candidates else None


def _single_cells(cells, groups, hidden: set, primary: set) -> bool:
    """Hide a partner in every group with one hidden cell, or whose hidden small cells' sum pins them."""
    changed = False
    for g in groups:
        inside = [key for key in g.cells if key in hidden]
        if not inside:
            continue
        exposed = len(inside) == 1
        if not exposed and all(key in primary for key in inside):
            # Only cells known to be 1..4 hidden: the shown cells give their signed sum; at an extreme, it pins them.
            sign = {key: (-1 if key == g.total else 1) for key in inside}
            total = sum(sign[key] * cells[key] for key in inside)
            low = sum(1 if sign[key] > 0 else -4 for key in inside)
            high = sum(4 if sign[key] > 0 else -1 for key in inside)
            exposed = total in (low, high)
        if exposed:
            partner = _partner(cells, g, hidden)
            if partner is not None:
                hidden.add(partner)
                changed = True
    return changed


def determined(cells: Mapping[Hashable, int], groups: Sequence[Group], hidden: Iterable[Hashable]) -> set:
    """The hidden cells whose value follows exactly from the shown cells and the groups' equations."""
    hidden = sorted(set(hidden), key=repr)
    column = {key: index for index, key in enumerate(hidden)}
    rows = []
    for g in groups:
        row = [Fraction(0)] * len(hidden)
        touched = False
        for key, coefficient in ((g.total, -1), *((part, 1) for part in g.parts)):
            if key in column:
                row[column[key]] += coefficient
                touched = True
        if touched and any(row):
            rows.append(row)
    pivots = _reduce(rows)
    found = set()
    for index, row in pivots:
        if all(value == 0 for position, value in enumerate(row) if position != index):
            found.add(hidden[index])
    return found


def _determined(cells, groups, hidden: set) -> bool:
    """Hide a partner for one determined cell (in a group holding it); True when anything changed."""
    for key in sorted(determined(cells, groups, hidden), key=repr):
        for g in groups:
            if key in g.cells:
                partner = _partner(cells, g, hidden)
                if partner is not None:
                    hidden.add(partner)
                    return True
    return False


def _reduce(rows: list[list[Fraction]]) -> list[tuple[int, list[Fraction]]]:
    """The reduced row echelon form of `rows`, as (pivot column, row) pairs."""
    rows = [list(row) for row in rows]
    width = len(rows[0]) if rows else 0
    pivots: list[tuple[int, list[Fraction]]] = []
    rank = 0
    for col in range(width):
        pick = next((r for r in range(rank, len(rows)) if rows[r][col] != 0), None)
        if pick is None:
            continue
        rows[rank], rows[pick] = rows[pick], rows[rank]
        lead = rows[rank][col]
        rows[rank] = [value / lead for value in rows[rank]]
        for r in range(len(rows)):
            if r != rank and rows[r][col] != 0:
                factor = rows[r][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        pivots.append((col, rows[rank]))
        rank += 1
    return [(col, rows[i]) for i, (col, _row) in enumerate(pivots)]


def table(rows: Sequence[Hashable], columns: Sequence[Hashable], counts: Mapping[tuple, int],
          total: Hashable = "all") -> tuple[dict, list[Group]]:
    """A two-way table with its margins: cells keyed (row, column), the margins keyed with `total` (a 2-way cube).

    Returns the cells (margins added) and the groups (every row and every column, the grand total's both ways).
    """
    return cube([rows, columns], counts, total)


def cube(dimensions: Sequence[Sequence[Hashable]], counts: Mapping[tuple, int],
         total: Hashable = "all") -> tuple[dict, list[Group]]:
    """An n-way table with every margin: cells keyed by one value per dimension, `total` standing for "all".

    `counts` holds the inner cells (missing ones are 0). Every margin is added (a region's year over all roles, a
    year over all regions and roles, the grand total) and every way a margin is a sum is a group, so one decision
    covers each slice a page or the API shows, and two slices cannot be subtracted from each other.
    """
    keys = list(itertools.product(*[(*values, total) for values in dimensions]))
    cells: dict = {key: counts.get(key, 0) for key in keys if total not in key}
    # Margins in order of how many dimensions they sum over, so each is the sum of cells already made.
    for key in sorted((key for key in keys if total in key), key=lambda k: k.count(total)):
        first = key.index(total)
        cells[key] = sum(cells[key[:first] + (value,) + key[first + 1:]] for value in dimensions[first])
    groups = []
    for key in keys:
        for i, value in enumerate(key):
            if value == total and dimensions[i]:
                groups.append(group(key, [key[:i] + (part,) + key[i + 1:] for part in dimensions[i]]))
    return cells, groups
