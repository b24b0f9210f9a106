"""The audit log in words: each area describes its audited tables, and a page of entries is told as sentences.

Platform code never imports the layers above it, so the areas bring their own words: the app wires one `Describer`
per audited table into this registry (`register`), each in an `Area` by which the log is filtered. A page of
entries is told with every name it mentions resolved at once: one query per table and round of references (an
application names its round, a CV its application), whatever the number of entries.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import format_decimal, format_percent, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, Boolean, Date, Integer, Numeric, select
from sqlalchemy.orm import Session

from mentorby.platform import clock
from mentorby.platform.audit.listener import SECRET
from mentorby.platform.audit.models import ActorRole
from mentorby.platform.i18n import format_clock, format_day, format_moment
from mentorby.platform.tenancy import UTCDateTime
from mentorby.platform.vocab import Vocabulary, VocabularyType

#: What an empty value reads as, in both languages.
NOTHING = "—"
#: Longer texts (a motivation, a note) are cut in the log; the page of the thing itself has all of it.
LONGEST = 120
#: References are followed this deep (a CV's application's round).
DEPTH = 4


@dataclass(frozen=True)
class Area:
    """A part of the city's work the log can be filtered by (rounds, applications, matching, ...)."""

    code: str
    label: object


AREAS: dict[str, Area] = {}
DESCRIBERS: dict[str, "Describer"] = {}


def add_area(code: str, label) -> Area:
    """Declare an area (in the order the filter lists them); declaring it again replaces its label."""
    AREAS[code] = Area(code, label)
    return AREAS[code]


def register(describer: "Describer") -> "Describer":
    """Make `describer` the words for its table; its area must be declared first."""
    if describer.area not in AREAS:
        raise ValueError(f"{describer.table}: unknown area {describer.area!r}")
    DESCRIBERS[describer.table] = describer
    return describer


def describer_for(table: str) -> "Describer | None":
    """The describer of an audited table, if one is registered."""
    return DESCRIBERS.get(table)


def tables_in(area: str) -> tuple[str, ...]:
    """The audited tables of an area (empty for an unknown area)."""
    return tuple(sorted(table for table, describer in DESCRIBERS.items() if describer.area == area))


# --- values as a reader knows them ------------------------------------------------------------------------------

#: A value's written form: (value, names of the page) -> text.
Show = Callable[[object, "Names"], str]


def _moment(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _day(value) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _decimal(value) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def text(value, names=None) -> str:
    """A text as written, cut when long."""
    value = " ".join(str(value).split())
    return value if len(value) <= LONGEST else value[: LONGEST - 1].rstrip() + "…"


def day(value, names=None) -> str:
    """A date written out ("12. jan. 2027")."""
    parsed = _day(value)
    return format_day(parsed) if parsed else text(value)


def moment(value, names=None) -> str:
    """A date and time in the city's time zone, to the minute."""
    parsed = _moment(value)
    return format_moment(parsed) if parsed else text(value)


def yes_no(value, names=None) -> str:
    """A yes or a no."""
    return _("yes") if value else _("no")


def number(value, names=None) -> str:
    """A number as the reader writes it (25, 22,5)."""
    parsed = _decimal(value)
    if parsed is None:
        return text(value)
    return format_decimal(parsed.normalize() if parsed == parsed.to_integral() else parsed)


def percent(value, names=None) -> str:
    """A share (0.6667) as a percentage (67 %)."""
    parsed = _decimal(value)
    return format_percent(float(parsed)) if parsed is not None else text(value)


def minutes(value, names=None) -> str:
    """A duration in minutes."""
    parsed = _decimal(value)
    if parsed is None:
        return text(value)
    return ngettext("%(num)d minute", "%(num)d minutes", int(parsed))


def size(value, names=None) -> str:
    """A file size in kB or MB."""
    parsed = _decimal(value)
    if parsed is None:
        return text(value)
    if parsed >= 1_000_000:
        return _("%(n)s MB", n=format_decimal(round(float(parsed) / 1_000_000, 1)))
    return _("%(n)s kB", n=format_decimal(max(1, round(float(parsed) / 1000))))


def choice(labels) -> Show:
    """A code shown by its label (a status, a kind): a vocabulary's, or a dictionary's."""
    if isinstance(labels, type) and issubclass(labels, Vocabulary):
        vocabulary = labels
        return lambda value, names=None: getattr(vocabulary.get(value), "label", None) or text(value)
    return lambda value, names=None: str(labels.get(value, value))


def codes(labels: dict) -> Show:
    """Several codes (space-separated or a list), their labels joined."""
    def show(value, names=None) -> str:
        items = value.split() if isinstance(value, str) else list(value or ())
        return ", ".join(str(labels.get(item, item)) for item in items)

    return show


def name_of(table: str) -> Show:
    """Another row's id, shown by its name."""
    return lambda value, names: names.name(table, value)


def names_of(table: str) -> Show:
    """A list of other rows' ids, shown by their names."""
    return lambda value, names: ", ".join(names.name(table, item) for item in (value or ()))


def _by_type(column) -> Show:
    kind = column.type
    if isinstance(kind, VocabularyType):
        return choice(kind.vocabulary)
    if isinstance(kind, UTCDateTime):
        return moment
    if isinstance(kind, Date):
        return day
    if isinstance(kind, Boolean):
        return yes_no
    if isinstance(kind, Integer | Numeric):
        return number
    if isinstance(kind, JSON):
        return codes({})
    return text


# --- the names a page mentions ----------------------------------------------------------------------------------


class Names:
    """The rows a page of entries mentions, loaded in batches: ask with `want`, then `resolve` once."""

    def __init__(self, session: Session):
        self.session = session
        self._wanted: dict[str, set[int]] = defaultdict(set)
        self._facts: dict[str, dict[int, dict]] = defaultdict(dict)
        self._missing: dict[str, set[int]] = defaultdict(set)

    def want(self, table: str, value) -> None:
        """Ask for the row(s) `value` names (an id or a list of ids) to be loaded with the page."""
        if isinstance(value, list | tuple):
            for item in value:  # an [old, new] pair, a list of ids, or a pair of lists of ids
                self.want(table, item)
        elif isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**31:
            self._wanted[table].add(value)

    def resolve(self) -> None:
        """Load every wanted row, one query per table, following references a few levels deep."""
        for _level in range(DEPTH):
            pending = {table: ids - set(self._facts[table]) - self._missing[table]
                       for table, ids in self._wanted.items()}
            pending = {table: ids for table, ids in pending.items() if ids}
            if not pending:
                return
            for table, ids in sorted(pending.items()):
                describer = describer_for(table)
                found = describer.load(self.session, ids) if describer else {}
                self._facts[table].update(found)
                self._missing[table] |= ids - set(found)
                for facts in found.values():
                    describer.want_refs(facts, self)

    def facts(self, table: str, row_id) -> dict | None:
        """What was loaded about a row (None if it no longer exists)."""
        return self._facts[table].get(row_id) if isinstance(row_id, int) else None

    def name(self, table: str, row_id) -> str:
        """A row's name as the reader knows it; "(deleted)" for a row that no longer exists."""
        if row_id is None:
            return NOTHING
        facts = self.facts(table, row_id)
        describer = describer_for(table)
        if facts is None or describer is None:
            return _("(deleted)")
        return describer.name(facts, self)


# --- one table's words ------------------------------------------------------------------------------------------


class Describer:
    """How one audited table reads in the log; a subclass names its table, area, columns and sentences."""

    #: The table (the entry's entity) and the area it belongs to.
    table: str = ""
    area: str = ""
    #: The mapped class, to load the rows an entry mentions and to read its columns' types.
    model = None
    #: Columns loaded for every row a page mentions: what its name is made of (e.g. name and cohort_id).
    facts: tuple[str, ...] = ()
    #: Columns holding another table's id: {column: table}; they read as that row's name.
    refs: dict[str, str] = {}
    #: Each column's label in the reader's language; a test checks every column has one or is hidden.
    labels: dict[str, object] = {}
    #: How a column's value reads, where its type does not say enough (a status, a reference, a percentage).
    shows: dict[str, Show] = {}
    #: Bookkeeping never shown: ids, the city, the creation time, technical keys.
    hidden: frozenset[str] = frozenset({"id", "tenant_id", "created_at"})
    #: The columns listed under an entry that creates a row; the others are implied or bookkeeping.
    on_create: tuple[str, ...] = ()
    #: Labels of the details that actions other than create/update/delete carry (an export's format, rows).
    detail_labels: dict[str, object] = {}

    def load(self, session: Session, ids: set[int]) -> dict[int, dict]:
        """The facts of the rows with these ids, in one query."""
        columns = [getattr(self.model, column) for column in self.facts]
        rows = session.execute(select(self.model.id, *columns).where(self.model.id.in_(sorted(ids))))
        return {row[0]: dict(zip(self.facts, row[1:], strict=True)) for row in rows}

    def want_refs(self, facts: dict, names: Names) -> None:
        """Ask for the rows that a row's facts refer to."""
        for column, table in self.refs.items():
            if column in facts:
                names.want(table, facts[column])

    def want(self, entry, names: Names) -> None:
        """Ask for everything an entry mentions: its own row and the rows its changes refer to."""
        names.want(self.table, entry.entity_id)
        for column, value in (entry.changes or {}).items():
            if column in self.refs:
                names.want(self.refs[column], value)

    def name(self, facts: dict, names: Names) -> str:
        """The row's name (its `name` column by default)."""
        return text(facts.get("name") or NOTHING)

    def show(self, column: str, value, names: Names) -> str:
        """A column's value as the reader knows it."""
        if value == SECRET:
            return _("changed")
        if value is None or value == "" or value == []:
            return NOTHING
        if column in self.shows:
            return self.shows[column](value, names)
        if column in self.refs:
            return names.name(self.refs[column], value)
        mapped = self.model.__table__.columns.get(column) if self.model is not None else None
        return (_by_type(mapped) if mapped is not None else text)(value, names)

    def show_detail(self, key: str, value, names: Names) -> str:
        """A detail of an action other than create, update or delete, as the reader knows it."""
        return self.show(key, value, names)

    def label(self, column: str) -> str:
        """A column's label (the column's own name where it has none: a test keeps that from happening)."""
        return str(self.labels.get(column) or column)

    def sentence(self, told: "Told") -> str:
        """The entry as one sentence beginning with who made the change."""
        return told.say(_l("%(who)s made a change (%(action)s, %(table)s)"), action=told.action,
                        table=told.entry.entity)


# --- one entry, told ----------------------------------------------------------------------------------------------


class Told:
    """One entry while it is being told: its describer, the page's names and the columns already said."""

    def __init__(self, entry, describer: Describer, names: Names):
        self.entry = entry
        self.describer = describer
        self.names = names
        self.action = entry.action
        self.changes: dict = entry.changes or {}
        self.said: set[str] = set()
        found = names.facts(describer.table, entry.entity_id)
        self.gone = found is None
        self.facts = found if found is not None else self._facts_from_changes()

    def _facts_from_changes(self) -> dict:
        # A row deleted since: its values as the entry recorded them (the old ones of a delete, the new otherwise).
        index = 0 if self.action == "delete" else 1
        return {column: value[index] for column, value in self.changes.items()
                if isinstance(value, list) and len(value) == 2}

    @property
    def who(self) -> str:
        """Who made the change."""
        actor = self.entry.actor
        if actor is not None:
            return actor.display_name
        return _("The system") if self.entry.actor_role == "system" else _("A deleted account")

    @property
    def by_self(self) -> bool:
        """Whether the actor is the person the row is about (same e-mail, or the same user)."""
        actor = self.entry.actor
        if actor is None:
            return False
        return self.facts.get("email") == actor.email or self.facts.get("user_id") == actor.id or (
            self.describer.table == "user_account" and self.entry.entity_id == actor.id)

    def say(self, template, **params) -> str:
        """Fill a sentence's template (lazy or not) with the actor and `params`."""
        return str(template) % {"who": self.who, **params}

    def name(self) -> str:
        """The entry's own row by name; "(deleted)" when it is gone and the entry did not record its name."""
        if self.gone and not any(column in self.facts for column in self.describer.facts):
            return _("(deleted)")
        return self.describer.name(self.facts, self.names)

    def of(self, column: str) -> str:
        """The name of the row that one of the entry's row's columns refers to."""
        return self.names.name(self.describer.refs[column], self.facts.get(column))

    def fact(self, column: str):
        """A column's value: as changed by the entry, else as loaded."""
        if column in self.changes and isinstance(self.changes[column], list):
            return self.changes[column][0 if self.action == "delete" else 1]
        return self.facts.get(column)

    def changed(self, column: str) -> bool:
        """Whether the entry changed `column`."""
        return column in self.changes

    def old(self, column: str):
        """A changed column's value before the change."""
        value = self.changes.get(column)
        return value[0] if isinstance(value, list) and len(value) == 2 else None

    def new(self, column: str):
        """A changed column's value after the change."""
        value = self.changes.get(column)
        return value[1] if isinstance(value, list) and len(value) == 2 else None

    def use(self, *columns: str) -> None:
        """Mark columns as said by the sentence, so the details do not repeat them."""
        self.said.update(columns)

    def value(self, column: str, value) -> str:
        """A column's value as the reader knows it."""
        return self.describer.show(column, value, self.names)

    def details(self) -> list[str]:
        """What changed beyond the sentence: "label: old → new" for updates, chosen values for creates."""
        describer = self.describer
        skip = describer.hidden | self.said
        lines = []
        if self.action == "update":
            for column, change in self.changes.items():
                if column in skip:
                    continue
                label = describer.label(column)
                if change == SECRET or not isinstance(change, list):
                    lines.append(f"{label}: {self.value(column, change)}")
                    continue
                lines.append(self._change(column, label, change[0], change[1]))
        elif self.action == "create":
            for column in describer.on_create:
                if column in skip or column not in self.changes:
                    continue
                lines.append(f"{describer.label(column)}: {self.value(column, self.new(column))}")
        elif self.action != "delete":
            # A read that changed nothing (a download, an export) carries its own details, not columns.
            for key, value in self.changes.items():
                if key not in skip:
                    label = describer.detail_labels.get(key) or describer.label(key)
                    lines.append(f"{label}: {describer.show_detail(key, value, self.names)}")
        return lines

    def _change(self, column: str, label: str, old, new) -> str:
        before, after = _moment(old), _moment(new)
        mapped = self.describer.model.__table__.columns.get(column) if self.describer.model is not None else None
        if before and after and mapped is not None and isinstance(mapped.type, UTCDateTime):
            # An event moved by an hour reads as its time, one moved to another day as its date.
            if clock.local(before).date() == clock.local(after).date():
                label, old, new = _("time"), format_clock(before), format_clock(after)
                return f"{label}: {old} → {new}"
            if format_clock(before) == format_clock(after):
                label, old, new = _("date"), format_day(before), format_day(after)
                return f"{label}: {old} → {new}"
        return f"{label}: {self.value(column, old)} → {self.value(column, new)}"


@dataclass
class Line:
    """One entry as the log shows it: when, who in which role, the sentence and what else changed."""

    entry: object
    who: str
    role: str
    sentence: str
    details: list[str]


def tell(session: Session, entries: Iterable) -> list[Line]:
    """A page of entries as sentences in the reader's language, its names loaded in a few batched queries."""
    entries = list(entries)
    names = Names(session)
    for entry in entries:
        describer = describer_for(entry.entity)
        if describer is not None:
            describer.want(entry, names)
    names.resolve()
    lines = []
    for entry in entries:
        describer = describer_for(entry.entity) or Describer()
        told = Told(entry, describer, names)
        if entry.tenant_id is None and entry.actor_role == ActorRole.PARTICIPANT:
            # Outside a city everyone who is not an admin acts on their own account (a password, a language).
            role = _("on their own account")
        else:
            role = entry.actor_role.label
        lines.append(Line(entry=entry, who=told.who, role=role, sentence=describer.sentence(told),
                          details=told.details()))
    return lines
