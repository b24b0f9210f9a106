"""The record of processing (GDPR article 30), read from what each model declares about its own columns.

A model holding personal data says so next to its columns::

    __personal__ = Personal(_l("Applications"), Purpose.RECRUITMENT, Basis.CONSENT, (Subject.APPLICANTS,),
                            (Recipient.COORDINATORS,), {"name": IDENTITY, "email": CONTACT})
    __not_personal__ = ("locale",)

`record()` walks the mapped tables and returns the record as plain data; a test fails when a text or binary column
is declared neither personal nor not personal, so the record cannot drift from the schema. This module only reads
metadata: the areas' models declare, nothing here knows an area.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, LargeBinary, String, Table, Text, cast

from mentorby.platform.vocab import Vocabulary, VocabularyType


class Category(Vocabulary):
    """A category of personal data."""

    IDENTITY = "identity", _l("Identity")
    CONTACT = "contact", _l("Contact details")
    PROFESSIONAL = "professional", _l("Professional background")
    CV = "cv", _l("CV")
    FAMILY = "family", _l("Family situation")
    OPINIONS = "opinions", _l("Opinions and survey answers")
    NOTES = "notes", _l("Notes on meetings and decisions")
    PARTICIPATION = "participation", _l("Participation in the programme")
    MESSAGES = "messages", _l("E-mails sent to the person")
    TECHNICAL = "technical", _l("Technical data (sign-in, links, tokens, language)")


IDENTITY, CONTACT, PROFESSIONAL, CV, FAMILY, OPINIONS, NOTES, PARTICIPATION, MESSAGES, TECHNICAL = Category


class Purpose(Vocabulary):
    """Why the data is processed."""

    RECRUITMENT = "recruitment", _l("Recruiting and selecting mentors and mentees")
    MATCHING = "matching", _l("Matching mentors and mentees")
    PROGRAMME = "programme", _l("Running the rounds: 1:1 sessions and joint events")
    EVALUATION = "evaluation", _l("Evaluating the programme against its success criteria")
    COMMUNICATION = "communication", _l("Sending e-mails about the programme")
    ACCOUNTS = "accounts", _l("Signing in and keeping accounts secure")
    PARTNERS = "partners", _l("Working with partner companies and organisations")
    ACCOUNTABILITY = "accountability", _l("Recording who changed what (accountability)")
    INTEGRATION = "integration", _l("Letting the city's own systems read its data")
    PLATFORM = "platform", _l("Running the platform: cities' sign-up and the dissemination register")


class Basis(Vocabulary):
    """The legal basis of the processing (GDPR article 6)."""

    CONSENT = "consent", _l("Consent (GDPR article 6(1)(a))")
    PUBLIC_TASK = "public_task", _l("Task carried out in the public interest (GDPR article 6(1)(e))")
    LEGAL_OBLIGATION = "legal_obligation", _l("Legal obligation (GDPR articles 6(1)(c) and 5(2))")


class Subject(Vocabulary):
    """Whose data it is (categories of data subjects)."""

    APPLICANTS = "applicants", _l("Applicants")
    MENTEES = "mentees", _l("Mentees")
    MENTORS = "mentors", _l("Mentors")
    COORDINATORS = "coordinators", _l("Coordinators")
    CONTACTS = "contacts", _l("Contacts at partner companies")


#: Mentors and mentees: the people taking part.
PARTICIPANTS = (Subject.MENTEES, Subject.MENTORS)
#: Everyone who has an account or writes to the platform.
EVERYONE = tuple(Subject)
#: Everyone with an account (applicants have none until accepted).
ACCOUNT_HOLDERS = (Subject.MENTEES, Subject.MENTORS, Subject.COORDINATORS, Subject.CONTACTS)


class Recipient(Vocabulary):
    """Who receives or sees the data, besides the person it is about."""

    COORDINATORS = "coordinators", _l("The city's coordinators")
    MATCHED = "matched", _l("The matched mentor or mentee")
    COMPANY = "company", _l("The contact at the person's own or partner's company")
    MAIL = "mail", _l("The e-mail provider that delivers the message")
    NATIONAL = "national", _l("National statistics, only as figures about 5 or more people, never names")


class Retention(Vocabulary):
    """How long the data is kept: the rules that exist in code, and the periods each city sets (CitySetting)."""

    UNTIL_ERASED = "until_erased", _l("Until erased")
    UNCONFIRMED = "unconfirmed", _l("Deleted after %(days)s days if the application is not confirmed; "
                                    "otherwise until erased")
    #: Only the city's own periods (`Personal.settings`), as its privacy notice states them.
    CITY = "city", _l("As the city's privacy notice sets")
    DAYS = "days", _l("Deleted %(days)s days after it was made")
    DAYS_IDLE = "days_idle", _l("Deleted %(days)s days after it last changed")


class Erase(Vocabulary):
    """What erasing a person does to a table's rows about them (GDPR article 17)."""

    DELETE = "delete", _l("Deleted")
    CLEAR = "clear", _l("Personal fields cleared; the row stays, without them, so the figures do not change")
    KEEP = "keep", _l("Kept pseudonymously: tied only to the cleared row, never to a name")
    REDACT = "redact", _l("The person's name and e-mail address removed where they appear")


class Whose(Vocabulary):
    """What the columns that tie a row to the person hold."""

    EMAIL = "email", _l("their e-mail address")
    APPLICATION = "application", _l("their applications")
    USER = "user", _l("their account")
    CONTACT = "contact", _l("their partner contact")
    RESPONSE = "response", _l("their survey responses")
    ROUND = "round", _l("the rounds they applied to")


def placeholder(suffix: str = "") -> Callable:
    """A cleared value unique per row, for a column that must stay unique ("erased-17@erased.invalid")."""
    def value(model):
        return "erased-" + cast(model.id, String) + suffix
    return value


#: A cleared e-mail address: unique per row, and of the reserved .invalid domain, so no mail can reach it.
ERASED_EMAIL = placeholder("@erased.invalid")
#: A cleared token or link hash: unique per row and never the hash of a real token (not 64 hex digits).
ERASED_TOKEN = placeholder()
#: A cleared name: a dash, which reads as "no name" in both languages.
ERASED_NAME = "\u2014"


@dataclass(frozen=True)
class Erasure:
    """How erasing a person treats this table: the rows found through `by` (columns holding `whose`) get `action`.

    CLEAR blanks every declared personal field not in `keep` (the figures count those): to `blanks[column]` when
    given (a value or a function of the model giving an SQL expression), else to the column's default, NULL or "".
    """

    action: Erase
    whose: Whose
    by: tuple[str, ...]
    keep: tuple[str, ...] = ()
    blanks: dict = field(default_factory=dict)


class CitySetting(Vocabulary):
    """A retention period each city sets in its privacy notice; the codes are the notice's field names.

    The platform only names them: the city's values come from the privacy area (tenants/privacy/notice.py) and are
    handed to `record()`; the scheduled retention job applies them.
    """

    NEVER_ACCEPTED = "never_accepted_days", _l("applications of people never accepted: deleted %(days)s days after "
                                               "their round ended")
    CV = "cv_days", _l("CVs: deleted %(days)s days after their round ended")
    AFTER_FOLLOWUP = "after_followup_days", _l("participants' personal data: deleted %(days)s days after their "
                                               "round's follow-up")


@dataclass(frozen=True)
class Personal:
    """What a model declares about the personal data in its table: one processing activity of the record."""

    #: The table in the programme's words ("Applications", "Session logs").
    title: object
    purpose: Purpose
    basis: Basis
    subjects: tuple[Subject, ...]
    recipients: tuple[Recipient, ...]
    #: column name -> category, for every column that holds personal data.
    fields: dict[str, Category]
    retention: Retention = Retention.UNTIL_ERASED
    #: The number of days a `retention` rule names, taken from the code that applies it.
    days: int | None = None
    #: The city's own retention periods that govern the table too (shown with the city's values).
    settings: tuple[CitySetting, ...] = ()
    #: False for data the platform's operator holds for itself (not part of a city's record).
    city: bool = True
    #: What erasing a person does here (every city table declares it; a test checks).
    erase: Erasure | None = None


#: Readable names of the declared columns, in both languages (a test requires one for every declared column).
FIELD_LABELS = {
    "name": _l("Name"),
    "email": _l("E-mail address"),
    "to_email": _l("Recipient's e-mail address"),
    "phone": _l("Phone number"),
    "languages": _l("Languages spoken"),
    "availability": _l("When the person can meet"),
    "education": _l("Education"),
    "job_goal": _l("Job goal"),
    "danish_level": _l("Level of Danish"),
    "partner_employer": _l("Partner's employer"),
    "employer": _l("Employer"),
    "job_title": _l("Job title"),
    "industry": _l("Industry"),
    "expertise": _l("Expertise"),
    "motivation": _l("Motivation"),
    "years_experience": _l("Years of experience"),
    "consent_version": _l("Consent given (version)"),
    "consent_at": _l("Consent given (time)"),
    "version": _l("Version of the text agreed to"),
    "agreed_at": _l("When the person agreed"),
    "channel": _l("How the person agreed"),
    "note": _l("Coordinator's note"),
    "filename": _l("File name"),
    "content": _l("File contents"),
    "sha256": _l("Checksum of the file"),
    "subject": _l("Subject"),
    "body": _l("Message text"),
    "last_error": _l("Delivery error"),
    "reasons": _l("Reasons for the match"),
    "end_reason": _l("Reason the pair ended"),
    "notes": _l("Notes"),
    "next_step": _l("Next step"),
    "topics": _l("Topics"),
    "held_on": _l("Date of the session"),
    "value": _l("Answer or rating"),
    "text": _l("Written answer"),
    "pseudonym": _l("Pseudonym"),
    "token_hash": _l("Hash of a personal link or token"),
    "nonce": _l("Personal link code"),
    "prefix": _l("Start of the token"),
    "password_hash": _l("Password hash"),
    "user_agent": _l("Browser"),
    "changes": _l("What changed (old and new values of the fields above)"),
    "pdf": _l("The report (quotes people's answers)"),
    "data": _l("The uploaded file"),
    "report": _l("What the import did (names rows)"),
    "answer": _l("Answer to the invitation"),
    "arrived_on": _l("Date of arrival in Denmark"),
    "field": _l("Professional field"),
    "status": _l("Status of the application"),
    "mentor_id": _l("Mentor"),
    "mentee_id": _l("Mentee"),
    "unmatched": _l("People left unmatched"),
    "mentor_ids": _l("Mentors in the plan"),
    "mentee_ids": _l("Mentees in the plan"),
    "minutes": _l("Length of the session"),
    "checked_in_at": _l("Checked in (time)"),
    "last_login_at": _l("Last sign-in (time)"),
    "last_seen_at": _l("Last seen (time)"),
    "user_id": _l("Account holder"),
    "actor_id": _l("Who made the change"),
    "public_email": _l("Public e-mail address"),
    "public_phone": _l("Public phone number"),
    "locale": _l("Language of pages and e-mails"),
    "contact_name": _l("Contact person"),
    "contact_email": _l("Contact e-mail address"),
}

TEXT_TYPES = (String, Text, LargeBinary, JSON)


def needs_declaration(column) -> bool:
    """Whether a column's type could hold personal data (text, files, JSON), so its table must say whether it does."""
    if isinstance(column.type, VocabularyType):
        return False  # a code from a fixed list
    return isinstance(column.type, TEXT_TYPES) or isinstance(getattr(column.type, "impl", None), TEXT_TYPES)


def undeclared(tables) -> list[str]:
    """table.column of every text-like column declared neither personal nor not personal, and of stray names."""
    problems = []
    for cls, table in tables:
        declared = getattr(cls, "__personal__", None)
        personal = set(declared.fields) if declared else set()
        not_personal = set(getattr(cls, "__not_personal__", ()))
        names = {column.name for column in table.columns}
        for name in sorted((personal | not_personal) - names):
            problems.append(f"{table.name}.{name} (declared, but no such column)")
        for name in sorted(personal & not_personal):
            problems.append(f"{table.name}.{name} (declared both personal and not personal)")
        for column in table.columns:
            if needs_declaration(column) and column.name not in personal | not_personal:
                problems.append(f"{table.name}.{column.name}")
    return problems


def mapped_tables(registry) -> list[tuple[type, Table]]:
    """(model, table) of every mapped model, in table-name order."""
    found = [(mapper.class_, mapper.local_table) for mapper in registry.mappers]
    return sorted(found, key=lambda pair: pair[1].name)


@dataclass(frozen=True)
class Entry:
    """One processing activity of the record, as a page or a test reads it."""

    table: str
    title: str
    purpose: Purpose
    basis: Basis
    subjects: tuple[Subject, ...]
    recipients: tuple[Recipient, ...]
    retention: str
    #: What erasing a person does to the table, in words ("" for the platform's own tables).
    erasure: str = ""
    fields: tuple[tuple[str, str, Category], ...] = field(default=())  # (column, label, category)

    @property
    def categories(self) -> tuple[Category, ...]:
        """The categories of personal data held, in the vocabulary's order."""
        held = {category for _column, _label, category in self.fields}
        return tuple(category for category in Category if category in held)


def retention_text(declared: Personal, periods: dict[str, int] | None = None) -> str:
    """The retention rule in words, with its number of days, and the city's own periods (`periods`: code -> days).

    A table governed by the city's periods shows them instead of "until erased"; without `periods` (no city at
    hand) it says that the city's privacy notice sets them.
    """
    parts = []
    if declared.retention not in (Retention.UNTIL_ERASED, Retention.CITY) or not declared.settings:
        parts.append(declared.retention.label if declared.days is None
                     else declared.retention.label % {"days": declared.days})
        if declared.settings and declared.retention == Retention.UNCONFIRMED:
            parts[0] = str(_l("Deleted after %(days)s days if the application is not confirmed", days=declared.days))
    if declared.settings and periods is None:
        parts.append(str(Retention.CITY.label))
    elif declared.settings:
        parts.extend(setting.label % {"days": periods[setting.value]} for setting in declared.settings)
    return "; ".join(parts)


def record(registry, periods: dict[str, int] | None = None) -> list[Entry]:
    """The city's record of processing: one entry per table declaring personal data, in the titles' order.

    `periods` are the city's retention periods (CitySetting code -> days), shown for the tables they govern.
    """
    entries = []
    for cls, table in mapped_tables(registry):
        declared = getattr(cls, "__personal__", None)
        if declared is None or not declared.city:
            continue
        fields = tuple((column, str(FIELD_LABELS.get(column, column)), category)
                       for column, category in declared.fields.items())
        entries.append(Entry(table=table.name, title=str(declared.title), purpose=declared.purpose,
                             basis=declared.basis, subjects=declared.subjects, recipients=declared.recipients,
                             retention=retention_text(declared, periods), fields=fields,
                             erasure=str(declared.erase.action.label) if declared.erase else ""))
    return sorted(entries, key=lambda entry: (entry.purpose.position, entry.title))


def by_category(entries: list[Entry]) -> list[tuple[Category, list[Entry]]]:
    """Each category of personal data with the entries that hold it (categories nobody holds left out)."""
    return [(category, [entry for entry in entries if category in entry.categories])
            for category in Category if any(category in entry.categories for entry in entries)]
