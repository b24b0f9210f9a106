"""The surveys area's refusal."""

from mentorby.platform.rules import RuleError


class SurveyError(RuleError):
    """A rule of the surveys was broken (building, sending or answering one)."""

    area = "surveys"
