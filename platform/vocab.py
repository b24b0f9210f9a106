"""Vocabularies: one enum per set of codes, each member carrying its code and its translated label.

Models store the code (a plain string column, so the schema does not change); `VocabularyType` hands the ORM the
member, so views and templates write ``cohort.status.label`` and compare with ``CohortStatus.RECRUITING``, never a
raw string. Forms and the API take their choices from the same enum.
"""

from enum import StrEnum

from flask_babel import LazyString, gettext
from sqlalchemy import String, event
from sqlalchemy.orm import Mapper
from sqlalchemy.types import TypeDecorator

from mentorby.platform.translations import translations_in_force


def _plain_msgid(label) -> str | None:
    """The message id of a plain `_l("...")` label (no variables), read once; None for anything else."""
    if type(label) is LazyString and getattr(label, "_func", None) is gettext and not getattr(label, "_kwargs", 1):
        args = getattr(label, "_args", ())
        if len(args) == 1 and isinstance(args[0], str):
            return args[0]
    return None


class Vocabulary(StrEnum):
    """A code with its label: ``RECRUITING = "recruiting", _l("Recruiting")``."""

    def __new__(cls, code: str, label=None):  # noqa: D102 (the enum machinery calls it with each member's value)
        member = str.__new__(cls, code)
        member._value_ = code
        member._label = label if label is not None else code
        member._msgid = _plain_msgid(member._label)
        return member

    @property
    def label(self) -> str:
        """The label in the page's language (through the request's translations: a board shows hundreds)."""
        if self._msgid is not None:
            return translations_in_force().ugettext(self._msgid)
        return str(self._label)

    @property
    def position(self) -> int:
        """Where the member stands in its vocabulary's order (a life cycle's steps are ordered)."""
        return list(type(self)).index(self)

    @classmethod
    def codes(cls) -> tuple[str, ...]:
        """Every code, in the vocabulary's order."""
        return tuple(member.value for member in cls)

    @classmethod
    def choices(cls, members=None) -> list[tuple[str, str]]:
        """(code, label) pairs for a select, in the vocabulary's order (or of `members`)."""
        return [(member.value, member.label) for member in (members or cls)]

    @classmethod
    def get(cls, code: str | None, default=None):
        """The member with this code, or `default` for an unknown or empty one (input from outside)."""
        try:
            return cls(code)
        except ValueError:
            return default


class VocabularyType(TypeDecorator):
    """A string column whose values come back as members of a Vocabulary (unknown codes refused on write)."""

    impl = String
    cache_ok = True

    def __init__(self, vocabulary: type[Vocabulary], length: int = 20):
        super().__init__(length)
        self.vocabulary = vocabulary

    def process_bind_param(self, value, dialect):
        """The code to store; an unknown code is a programming error, not input."""
        return None if value is None else self.vocabulary(value).value

    def process_result_value(self, value, dialect):
        """The member for a stored code."""
        return None if value is None else self.vocabulary(value)

    @property
    def python_type(self):
        """The enum, for tools that ask."""
        return self.vocabulary


@event.listens_for(Mapper, "mapper_configured")
def _members_on_assignment(mapper, cls) -> None:
    """A code assigned to a vocabulary column becomes its member at once.

    ``cohort.status = "running"`` reads back as ``CohortStatus.RUNNING`` before any flush; an unknown code is
    refused there and then.
    """
    for prop in mapper.column_attrs:
        column_type = getattr(prop.columns[0], "type", None)
        if isinstance(column_type, VocabularyType) and prop.parent is mapper:
            vocabulary = column_type.vocabulary
            event.listen(getattr(cls, prop.key), "set",
                         lambda target, value, old, initiator, v=vocabulary: None if value is None else v(value),
                         retval=True)
