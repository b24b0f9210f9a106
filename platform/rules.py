"""The one shape of a broken rule that services raise and views turn into a message next to a field."""


class RuleError(Exception):
    """A rule was broken: `code` names which, `field` says where (if anywhere), `params` fill the message."""

    def __init__(self, code: str, field: str | None = None, **params):
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params
