"""What each phase of a round allows, in one table that every area consults: the round's status governs the work.

A round recruits with its forms open (applications are read, shortlisted and annotated, not decided); it selects
with the forms closed (decisions, notifications, the kick-off's speed networking, matching and publishing); it runs
(late changes: a wait-listed person moves up, a pair gets a new mentor or ends); then it is closed and only read.
"""

from mentorby.platform.rules import RuleError
from mentorby.tenants.cohorts.models import CLOSED, FOLLOWED_UP, PLANNED, RECRUITING, RUNNING, SELECTING, Cohort

#: Each step of the work, and the statuses in which it may be done.
STEPS: dict[str, tuple[str, ...]] = {
    "edit": (PLANNED, RECRUITING, SELECTING, RUNNING),  # the round's dates, places and events
    "apply": (RECRUITING,),  # the public forms take applications
    "import": (PLANNED, RECRUITING, SELECTING),  # applications from a spreadsheet
    "review": (RECRUITING, SELECTING, RUNNING),  # shortlist, notes
    "decide": (SELECTING, RUNNING),  # accept, decline, wait-list
    "notify": (SELECTING, RUNNING),  # tell the decided what was decided
    "networking": (SELECTING, RUNNING),  # the kick-off's speed-networking plan and links
    "match": (SELECTING, RUNNING),  # propose, pick, pin, forbid, publish
    "change_pairs": (RUNNING,),  # a new mentor, the end of a pair
    "survey": (SELECTING, RUNNING, CLOSED, FOLLOWED_UP),  # send an evaluation survey, import answers given elsewhere
}
#: What a round in each status is for, in the order a coordinator does it (the round's page lists them).
ALLOWED = {status: tuple(step for step, statuses in STEPS.items() if status in statuses)
           for status in (PLANNED, RECRUITING, SELECTING, RUNNING, CLOSED, FOLLOWED_UP)}


class PhaseError(RuleError):
    """A step was tried in a phase of the round that does not allow it."""

    area = "cohorts"


def allows(cohort: Cohort, step: str) -> bool:
    """Whether the round's current phase allows `step`."""
    return cohort.status in STEPS[step]


def require(cohort: Cohort, step: str) -> None:
    """Refuse `step` unless the round's phase allows it (code `phase_<step>`, which says when it is allowed)."""
    if not allows(cohort, step):
        raise PhaseError(f"phase_{step}", None, status=cohort.status)
