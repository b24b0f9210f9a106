"""When a pair is "at risk", and what the coordinator should do about it: pure rules, plain data in and out.

The rules, in the order they are tried:

1. A pair that ended early, whose mentee has no other pair in the round: **offer a new mentor** (the mentee is still
   in the round and has nobody to meet).
2. A pair is quiet for the days since its last session, or since it began when it never logged one (the later of the
   round's start and the day the pair was published). It is **at risk** when quiet for the city's number of weeks
   (3 unless the city sets another).
3. At risk for twice that long, or at risk again after a nudge was already sent since the last session: **call the
   mentor** (an e-mail did not help; a call finds out why).
4. Otherwise at risk: **nudge both** (one e-mail to the mentor and the mentee).
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l

from mentorby.platform.vocab import Vocabulary


class Action(Vocabulary):
    """What the coordinator is advised to do for a pair at risk, from the lightest to the strongest."""

    NUDGE_BOTH = "nudge_both", _l("Nudge both")
    CALL_MENTOR = "call_mentor", _l("Call the mentor")
    NEW_MENTOR = "new_mentor", _l("Offer a new mentor")


NUDGE_BOTH, CALL_MENTOR, NEW_MENTOR = Action
#: The actions by strength: a group is advised the strongest of its pairs'.
STRENGTH = {None: 0, NUDGE_BOTH: 1, CALL_MENTOR: 2, NEW_MENTOR: 3}


@dataclass(frozen=True)
class PairFacts:
    """What the rules need to know of one pair."""

    #: The day the pair began: the later of the round's start and its publication.
    began_on: date
    #: The day of its last logged session (confirmed or not), or None.
    last_contact: date | None = None
    #: Nudges sent after the last session (or since the pair began).
    nudges_since_contact: int = 0
    #: The pair ended early, and the mentee has no other pair in the round.
    ended_without_mentor: bool = False


@dataclass(frozen=True)
class Assessment:
    """What the rules say of a pair: days without a session, at risk or not, the suggested action."""

    quiet_days: int
    at_risk: bool
    action: Action | None


def assess(facts: PairFacts, today: date, quiet_weeks: int) -> Assessment:
    """Apply the rules above to one pair."""
    since = facts.last_contact or facts.began_on
    quiet = max(0, (today - since).days)
    if facts.ended_without_mentor:
        return Assessment(quiet, True, NEW_MENTOR)
    limit = quiet_weeks * 7
    if quiet < limit:
        return Assessment(quiet, False, None)
    if quiet >= 2 * limit or facts.nudges_since_contact > 0:
        return Assessment(quiet, True, CALL_MENTOR)
    return Assessment(quiet, True, NUDGE_BOTH)


def strongest(actions) -> Action | None:
    """The strongest of several pairs' actions (a group's), or None when none is needed."""
    return max(actions, key=lambda action: STRENGTH[action], default=None)


def auto_nudge_due(assessment: Assessment, last_nudged: date | None, today: date) -> bool:
    """Whether the daily task nudges a pair: advised to nudge both, and not nudged in the last 7 days."""
    return assessment.action == NUDGE_BOTH and (last_nudged is None or (today - last_nudged).days >= 7)
