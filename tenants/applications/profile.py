"""The words a profile is made of: fields, languages, Danish levels, weekly slots, formats.

Stored as short codes so that filters and matching compare like with like; labels live in the HTTP layer.
"""

MENTOR, MENTEE = "mentor", "mentee"
ROLES = (MENTOR, MENTEE)

#: Professional fields (a mentee's field, a mentor's field and industry).
FIELDS = (
    "engineering", "it", "science", "health", "finance", "business", "marketing", "education", "research",
    "law", "public_sector", "culture", "design", "hospitality", "logistics", "other",
)

#: Languages a person can hold a conversation in (ISO 639-1, the ones international families here bring most).
LANGUAGES = (
    "da", "en", "de", "sv", "no", "fr", "es", "it", "pt", "nl", "pl", "ro", "uk", "ru", "tr", "ar", "fa", "hi",
    "ur", "bn", "ta", "zh", "ja", "ko", "vi", "other",
)

#: A mentee's Danish, from none to mother tongue.
DANISH_LEVELS = ("none", "beginner", "intermediate", "advanced", "fluent")

#: When someone can meet, as weekly slots; matching counts the shared ones.
AVAILABILITY = ("weekday_morning", "weekday_lunch", "weekday_afternoon", "weekday_evening", "weekend")

#: What a mentor offers: one mentee, a group (with another mentor), or either.
FORMATS = ("one", "group", "either")


def codes(value: str | None) -> list[str]:
    """A stored space-separated list of codes as a list (empty for None)."""
    return value.split() if value else []


def join_codes(values, allowed: tuple[str, ...]) -> str:
    """Codes as stored: known ones only, in the vocabulary's order, no repeats."""
    chosen = set(values or ())
    return " ".join(code for code in allowed if code in chosen)
