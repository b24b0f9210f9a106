"""The applications area's refusal: every rule of an application, of selection and of the portal raises it."""

from mentorby.platform.rules import RuleError


class ApplicationError(RuleError):
    """An application rule was broken."""

    area = "applications"
