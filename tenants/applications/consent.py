"""The data-processing consent an applicant gives, versioned: an application records the version it agreed to.

A new wording gets a new version key and the old ones stay, so what each person agreed to can always be shown.
"""

CURRENT = "2026-11"

TEXTS = {
    "2026-11": {
        "da": (
            "Jeg giver samtykke til, at {city} behandler oplysningerne i denne ansøgning (inklusive mit CV) for at "
            "udvælge og matche deltagere i karrierementorprogrammet og følge op på forløbet. Oplysningerne deles kun "
            "med programmets koordinatorer og, hvis jeg bliver optaget, med min mentor eller mentee; er min (eller min "
            "partners) arbejdsgiver partnervirksomhed i programmet, kan virksomhedens kontaktperson se mit navn og "
            "forløb. Jeg kan til "
            "enhver tid trække samtykket tilbage, få indsigt i og få slettet mine oplysninger ved at skrive til "
            "koordinatoren. Svar på evalueringer gemmes kun pseudonymt efter sletning."
        ),
        "en": (
            "I consent to {city} processing the information in this application (including my CV) to select and "
            "match participants in the career mentoring programme and to follow up on the round. It is shared only "
            "with the programme's coordinators and, if I am accepted, with my mentor or mentee; if my (or my "
            "partner's) employer is a partner company of the programme, its contact person can see my name and round. "
            "I can withdraw my "
            "consent, see my data and have it erased at any time by writing to the coordinator. Evaluation answers "
            "are kept only pseudonymously after erasure."
        ),
    },
}


def consent_text(version: str, locale: str, city_name: str) -> str:
    """The consent wording of `version` in `locale` (English when the language is missing)."""
    texts = TEXTS[version]
    return texts.get(locale, texts["en"]).format(city=city_name)
