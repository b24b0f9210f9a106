"""Speed-networking plan for a programme kick-off: who sits at which table in which round.

Construction. Every mentor owns a table (table t = t-th mentor id, numbered from 1) and keeps it all evening:
mentors bring company material and are the people mentees come to see, so one fixed table per mentor means only one
side moves and a mentee can find a mentor again by table number. Mentees rotate.

With M mentors, E mentees and N = max(M, E) "positions" (positions 0..M-1 are the tables, positions M..N-1 when
E > M are break places), mentee j sits at position (j + s) mod N in a round with shift s. Distinct shifts give
distinct positions, so no pair ever meets twice. The first R = min(rounds, N) rounds use the shifts
floor(k * N / R) for k = 0..R-1 (evenly spread), then any further rounds are empty because every possible pair has
met already. A mentee is on a break for shifts in a cyclic interval of length N - M; an evenly spread set of R
shifts puts floor or ceil of R * (N - M) / N of them into every such interval, which is why breaks are fair.
The same holds for mentors at idle tables (interval length N - E).

Guarantees (tested exactly):

- the plan has exactly ``rounds`` rounds; each lists one seat per table, ``mentee_id`` None when the table is idle;
- each person has at most one seat per round, and no mentor–mentee pair meets twice;
- breaks ("sitting out") differ by at most 1 between any two people of the same role;
- the first min(rounds, N) rounds each seat min(M, E) pairs; if E <= M every mentee meets exactly
  min(rounds, M) different mentors, if E > M every mentee meets floor or ceil of min(rounds, E) * M / E mentors
  (symmetrically for mentors); with rounds >= N every mentee meets every mentor exactly once;
- with no mentors or no mentees there are no meetings and everyone sits out every round.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Literal, NamedTuple

Id = Hashable
Role = Literal["mentor", "mentee"]


class RotationInputError(ValueError):
    """A rotation cannot be planned from this input."""


class Participant(NamedTuple):
    """A person in the plan; the role is part of the key because mentor and mentee ids may collide."""

    role: Role
    id: Id


@dataclass(frozen=True)
class Seat:
    """A table in one round: its mentor and the visiting mentee (None when the table is idle)."""

    table: int
    mentor_id: Id
    mentee_id: Id | None


@dataclass(frozen=True)
class Round:
    """One round: a seat per table, and everyone without a conversation in this round."""

    number: int
    seats: tuple[Seat, ...]
    sitting_out: tuple[Participant, ...]


@dataclass(frozen=True)
class RotationPlan:
    """The whole evening: rounds in order and the number of breaks per participant."""

    slots: tuple[Round, ...]
    breaks: dict[Participant, int]
    mentor_ids: tuple[Id, ...]
    mentee_ids: tuple[Id, ...]


@dataclass(frozen=True)
class ScheduleEntry:
    """One line of a personal schedule: round, table (None when waiting away from tables) and conversation partner."""

    round: int
    table: int | None
    partner_id: Id | None

    @property
    def on_break(self) -> bool:
        """True when the person has no conversation in this round."""
        return self.partner_id is None


def plan_rotation(mentor_ids: Sequence[Id], mentee_ids: Sequence[Id], rounds: int) -> RotationPlan:
    """Plan ``rounds`` speed-networking rounds (see module docstring for what is guaranteed)."""
    if isinstance(rounds, bool) or not isinstance(rounds, int) or rounds < 1:
        raise RotationInputError(f"rounds must be a whole number of at least 1, got {rounds!r}")
    mentors, mentees = _unique("mentor", mentor_ids), _unique("mentee", mentee_ids)
    n_m, n_e = len(mentors), len(mentees)
    positions = max(n_m, n_e)
    meeting_rounds = min(rounds, positions) if n_m and n_e else 0
    shifts = [k * positions // meeting_rounds for k in range(meeting_rounds)]

    breaks = Counter({Participant("mentor", m): 0 for m in mentors} | {Participant("mentee", e): 0 for e in mentees})
    slots = []
    for number in range(1, rounds + 1):
        at_table: list[Id | None] = [None] * n_m
        if number <= meeting_rounds:
            for j, mentee in enumerate(mentees):
                position = (j + shifts[number - 1]) % positions
                if position < n_m:
                    at_table[position] = mentee
        seated = {mentee for mentee in at_table if mentee is not None}
        sitting_out = tuple(Participant("mentor", m) for m, e in zip(mentors, at_table, strict=True) if e is None)
        sitting_out += tuple(Participant("mentee", e) for e in mentees if e not in seated)
        breaks.update(sitting_out)
        seats = tuple(Seat(t + 1, m, e) for t, (m, e) in enumerate(zip(mentors, at_table, strict=True)))
        slots.append(Round(number, seats, sitting_out))
    return RotationPlan(tuple(slots), dict(breaks), mentors, mentees)


def participant_schedule(plan: RotationPlan, person: Participant) -> tuple[ScheduleEntry, ...]:
    """One person's evening, round by round, for a printed sheet or the phone view."""
    role, person_id = person
    if role == "mentor" and person_id in plan.mentor_ids:
        table = plan.mentor_ids.index(person_id) + 1
        return tuple(ScheduleEntry(r.number, table, r.seats[table - 1].mentee_id) for r in plan.slots)
    if role == "mentee" and person_id in plan.mentee_ids:
        entries = []
        for r in plan.slots:
            seat = next((s for s in r.seats if s.mentee_id == person_id), None)
            entries.append(ScheduleEntry(r.number, seat.table if seat else None, seat.mentor_id if seat else None))
        return tuple(entries)
    raise RotationInputError(f"{role} {person_id!r} is not part of this plan")


def _unique(role: str, ids: Sequence[Id]) -> tuple[Id, ...]:
    result = tuple(ids)
    if any(i is None for i in result):
        raise RotationInputError(f"{role} ids must not be None (None marks an idle table)")
    duplicates = sorted(repr(i) for i, n in Counter(result).items() if n > 1)
    if duplicates:
        raise RotationInputError(f"duplicate {role} ids: {', '.join(duplicates)}")
    return result
