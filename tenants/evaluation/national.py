"""The city beside the country: each of its success criteria next to the national pooled figures.

`beside` and `pool` are pure (plain data in and out): `beside` takes the city's shares per criterion and role and the
"criteria" list of the national figures (platform/national/figures.national, already suppressed) and says, row by
row, what the country shows and whether the city is above or below the national pooled share. A national figure
that is suppressed ("<5", "–") or missing for the column is never guessed at: the row says so. A criterion of the
city's own has no national figure: its code is not among the national figures, or not among the programme's shared
criteria (the rollups hold every city's criteria, so a city's own code shows there too, pooled from that city alone,
or from the few cities that copied it: not a national figure to measure against).

`for_round` and `for_comparison` are the service: they read the national figures once per call (a fixed number of
queries, whatever the city's rounds) and hand the pure function plain data.
"""

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from mentorby.platform.national.figures import ALL, BadFilter, national
from mentorby.tenants.programme.defaults import CRITERIA
from mentorby.tenants.surveys.statistics import MINIMUM

#: The national figure of a row: shown, suppressed (or not there for the column), or none (a city's own criterion).
SHOWN, SUPPRESSED, NONE = "shown", "suppressed", "none"
#: The city against the national pooled share.
ABOVE, BELOW, LEVEL = "above", "below", "level"
#: Shares closer than this are level: half a percentage point, so that the words agree with the rounded figures.
LEVEL_WITHIN = 0.005
#: The codes of the programme's own criteria, which every city measures alike.
SHARED = frozenset(criterion["code"] for criterion in CRITERIA)


@dataclass(frozen=True)
class Beside:
    """One of the city's criteria for one role, beside the national figures."""

    code: str
    role: str
    #: The city's share (None: too few answers in the city).
    share: float | None
    #: SHOWN, SUPPRESSED or NONE.
    national: str
    #: The national pooled share (None unless SHOWN).
    national_share: float | None = None
    #: The cities' shares, lowest, median and highest ({"min", "median", "max"}), or None.
    spread: dict | None = None
    #: Cities with enough answers to be judged, and of them those meeting their threshold.
    cities_judged: int = 0
    cities_meeting: int = 0
    #: The city's share minus the national pooled share (None when either is missing).
    difference: float | None = None
    #: ABOVE, BELOW or LEVEL (None when there is nothing to compare).
    verdict: str | None = None

    @property
    def points(self) -> int | None:
        """The difference in whole percentage points, unsigned."""
        return None if self.difference is None else round(abs(self.difference) * 100)


def pool(cells: Iterable[tuple[int, int, int]], minimum: int = MINIMUM) -> float | None:
    """The pooled share of several rounds' (yes, denominator, answered): None when fewer than `minimum` answered."""
    yes = denominator = answered = 0
    for cell_yes, cell_denominator, cell_answered in cells:
        yes, denominator, answered = yes + cell_yes, denominator + cell_denominator, answered + cell_answered
    if answered < minimum or denominator <= 0:
        return None
    return yes / denominator


def beside(city: Sequence[dict], criteria: Iterable[dict], column: int | str = ALL,
           shared: Collection[str] | None = None) -> list[Beside]:
    """Each of the city's rows ({"code", "role", "share"}) beside the national criteria's `column` (a year or "all").

    `shared` is the codes of the programme's criteria, which every city measures alike: a shared code the country has
    no figures of yet is "suppressed" (too few answers), any other code has none (None: the national codes are the
    shared ones).
    Returns one Beside per city row, in the city's order.
    """
    national = {(entry["code"], entry["role"]): entry for entry in criteria}
    rows = []
    for row in city:
        code, role, share = row["code"], row["role"], row.get("share")
        entry = national.get((code, role))
        if (shared is not None and code not in shared) or (shared is None and entry is None):
            rows.append(Beside(code, role, share, NONE))
            continue
        # A shared criterion the country has no figures of yet (for the column) is like one suppressed: too few.
        entry = entry or {}
        cell = (entry.get("years") or {}).get(column) or {}
        pooled = cell.get("share")
        spread = entry.get("spread")
        judged, meeting = int(entry.get("cities_judged") or 0), int(entry.get("cities_meeting") or 0)
        if pooled is None:
            rows.append(Beside(code, role, share, SUPPRESSED, None, spread, judged, meeting))
            continue
        difference = verdict = None
        if share is not None:
            difference = share - pooled
            verdict = LEVEL if abs(difference) < LEVEL_WITHIN else ABOVE if difference > 0 else BELOW
        rows.append(Beside(code, role, share, SHOWN, pooled, spread, judged, meeting, difference, verdict))
    return rows


# --- the service: the national figures read once, the city's figures handed over as plain data --------------------

def for_round(session: Session, evaluation) -> list[Beside]:
    """A round's criteria (figures.Evaluation) beside the national figures of the round's year."""
    year = evaluation.cohort.starts_on.year
    city = [{"code": row.criterion.code, "role": row.role, "share": row.result.share} for row in evaluation.rows]
    try:
        criteria = national(session, year)["criteria"]
    except BadFilter:  # no round of that year has run anywhere yet: nothing to compare with
        criteria = []
    return beside(city, criteria, year, SHARED)


def for_comparison(session: Session, comparison) -> list[Beside]:
    """The city's criteria pooled over its compared rounds (figures.Comparison) beside the national all years."""
    figures = national(session)
    city = [{"code": series.criterion.code, "role": series.role,
             "share": pool((cell.result.yes, cell.result.denominator, cell.result.answered) for cell in series.cells)}
            for series in comparison.series]
    return beside(city, figures["criteria"], ALL, SHARED)
