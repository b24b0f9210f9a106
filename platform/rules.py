"""The one shape of a broken rule that services raise and views turn into a message next to a field."""


class RuleError(Exception):
    """A rule was broken: `code` names which, `field` says where (if anywhere), `params` fill the message.

    Each area's subclass names its `area`: a message written for that area's code is found first, then the shared
    one (blueprints/messages.py).
    """

    area = ""

    def __init__(self, code: str, field: str | None = None, **params):
        super().__init__(code)
        self.code = code
        self.field = field
        self.params = params
        #: Every refusal of one check: this one, and others found with it (every field of a form, at once).
        self.problems = [self]
