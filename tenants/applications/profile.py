"""The words a profile is made of: roles, fields, languages, Danish levels, weekly slots, formats.

Each is a vocabulary (platform/vocab.py): stored as short codes, so that filters and matching compare like with
like, and carrying its label in the page's language, so that forms, pages and the API name them one way.
"""

from flask_babel import lazy_gettext as _l

from mentorby.platform.vocab import Vocabulary


class Role(Vocabulary):
    """Who applies: a mentor or a mentee (the label is a heading's or a table cell's: "Mentor")."""

    MENTOR = "mentor", _l("Mentor")
    MENTEE = "mentee", _l("Mentee")

    @property
    def noun(self) -> str:
        """The role inside a sentence ("apply again as mentor"), in the page's language."""
        return str(NOUNS[self])


#: A role inside a sentence ("apply again as mentor"), lazily translated.
NOUNS = {Role.MENTOR: _l("mentor"), Role.MENTEE: _l("mentee")}
MENTOR, MENTEE = Role
ROLES = Role.codes()


class Field(Vocabulary):
    """A professional field: a mentee's field, a mentor's field and a mentor's industry."""

    ENGINEERING = "engineering", _l("Engineering")
    IT = "it", _l("IT and software")
    SCIENCE = "science", _l("Natural sciences")
    HEALTH = "health", _l("Health and care")
    FINANCE = "finance", _l("Finance and accounting")
    BUSINESS = "business", _l("Business and management")
    MARKETING = "marketing", _l("Marketing and communication")
    EDUCATION = "education", _l("Teaching and education")
    RESEARCH = "research", _l("Research and academia")
    LAW = "law", _l("Law")
    PUBLIC_SECTOR = "public_sector", _l("Public sector and NGOs")
    CULTURE = "culture", _l("Culture, media and humanities")
    DESIGN = "design", _l("Design and architecture")
    HOSPITALITY = "hospitality", _l("Hospitality, retail and service")
    LOGISTICS = "logistics", _l("Logistics and production")
    OTHER = "other", _l("Other")


class Language(Vocabulary):
    """A language a person can hold a conversation in (ISO 639-1, the ones international families here bring most)."""

    DA = "da", _l("Danish")
    EN = "en", _l("English")
    DE = "de", _l("German")
    SV = "sv", _l("Swedish")
    NO = "no", _l("Norwegian")
    FR = "fr", _l("French")
    ES = "es", _l("Spanish")
    IT = "it", _l("Italian")
    PT = "pt", _l("Portuguese")
    NL = "nl", _l("Dutch")
    PL = "pl", _l("Polish")
    RO = "ro", _l("Romanian")
    UK = "uk", _l("Ukrainian")
    RU = "ru", _l("Russian")
    TR = "tr", _l("Turkish")
    AR = "ar", _l("Arabic")
    FA = "fa", _l("Persian")
    HI = "hi", _l("Hindi")
    UR = "ur", _l("Urdu")
    BN = "bn", _l("Bengali")
    TA = "ta", _l("Tamil")
    ZH = "zh", _l("Chinese")
    JA = "ja", _l("Japanese")
    KO = "ko", _l("Korean")
    VI = "vi", _l("Vietnamese")
    OTHER = "other", _l("Another language")


class DanishLevel(Vocabulary):
    """A mentee's Danish, from none to mother tongue."""

    NONE = "none", _l("None yet")
    BEGINNER = "beginner", _l("Beginner")
    INTERMEDIATE = "intermediate", _l("Intermediate")
    ADVANCED = "advanced", _l("Advanced")
    FLUENT = "fluent", _l("Fluent or mother tongue")


class Availability(Vocabulary):
    """A weekly slot in which someone can meet; matching counts the shared ones."""

    WEEKDAY_MORNING = "weekday_morning", _l("Weekday mornings")
    WEEKDAY_LUNCH = "weekday_lunch", _l("Weekday lunchtime")
    WEEKDAY_AFTERNOON = "weekday_afternoon", _l("Weekday afternoons")
    WEEKDAY_EVENING = "weekday_evening", _l("Weekday evenings")
    WEEKEND = "weekend", _l("Weekends")


class MentoringFormat(Vocabulary):
    """What a mentor offers: one mentee, a group (with another mentor), or either."""

    ONE = "one", _l("One mentee")
    GROUP = "group", _l("A group, together with another mentor")
    EITHER = "either", _l("Either")


#: The codes of each vocabulary, in its order (database checks, filters, the import's documentation).
FIELDS, LANGUAGES, DANISH_LEVELS = Field.codes(), Language.codes(), DanishLevel.codes()
AVAILABILITY, FORMATS = Availability.codes(), MentoringFormat.codes()

#: A mentee's years of work experience, and how many mentees a mentor can take: the schema's limits and the
#: database's checks.
YEARS_EXPERIENCE = (0, 60)
MENTEES_PER_MENTOR = (1, 5)


def codes(value: str | None) -> list[str]:
    """A stored space-separated list of codes as a list (empty for None)."""
    return value.split() if value else []


def members(vocabulary: type[Vocabulary], value: str | None) -> list[Vocabulary]:
    """A stored space-separated list of codes as the vocabulary's members (unknown codes left out)."""
    return [member for member in map(vocabulary.get, codes(value)) if member is not None]


def join_codes(values, vocabulary: type[Vocabulary]) -> str:
    """Codes as stored: known ones only, in the vocabulary's order, no repeats."""
    chosen = set(values or ())
    return " ".join(code for code in vocabulary.codes() if code in chosen)
