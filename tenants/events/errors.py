"""The events area's refusal."""

from mentorby.platform.rules import RuleError


class EventError(RuleError):
    """A rule of the joint events was broken (details, materials, invitations, RSVP, check-in)."""

    area = "events"
