"""The programme model's survey set: the templates a city starts from (and copies and adapts).

The question keys are the programme's stable vocabulary: success criteria read them (network, intercultural,
job_search_active, direction, would_recommend, employment, retention), and the national layer compares cities by
them. A city may reword a question but should keep its key when it asks the same thing.
"""

LIKERT, YES_NO, SINGLE, MULTIPLE, NUMBER, TEXT, EMPLOYMENT = (
    "likert", "yes_no", "single", "multiple", "number", "text", "employment")
EMPLOYED = {"key": "employment", "in": ["full_time", "part_time", "self_employed"]}

TOPICS = [
    {"code": "job_openings", "da": "Jobåbninger", "en": "Job openings"},
    {"code": "cv", "da": "CV", "en": "CV"},
    {"code": "applications", "da": "Ansøgninger", "en": "Applications"},
    {"code": "interview", "da": "Træning til jobsamtaler", "en": "Interview practice"},
    {"code": "networking", "da": "Netværk", "en": "Networking"},
    {"code": "workplace_culture", "da": "Dansk arbejdskultur", "en": "Danish workplace culture"},
    {"code": "other", "da": "Andet", "en": "Other"},
]


def q(key, kind, da, en, *, required=False, asked_of="everyone", options=(), minimum=None, maximum=None,
      show_if=None) -> dict:
    """One question of a template."""
    return {"key": key, "kind": kind, "text_da": da, "text_en": en, "required": required, "asked_of": asked_of,
            "options": list(options), "minimum": minimum, "maximum": maximum, "show_if": show_if}


def section(da: str, en: str, *questions: dict) -> dict:
    """A titled group of questions."""
    return {"title_da": da, "title_en": en, "questions": list(questions)}


QUOTE = q("may_quote", YES_NO, "Må vi citere dine skriftlige svar uden navn i vores rapport?",
          "May we quote your written answers, without your name, in our report?")

SURVEYS = (
    {
        "key": "baseline", "moment": "baseline", "audience": "mentee",
        "title_da": "Før forløbet", "title_en": "Before the programme",
        "intro_da": "Dine svar hjælper os med at se, hvad forløbet flytter. Det tager fem minutter.",
        "intro_en": "Your answers help us see what the programme changes. It takes five minutes.",
        "sections": [
            section("Din jobsøgning", "Your job search",
                    q("employment", EMPLOYMENT, "Hvad er din situation i dag?", "What is your situation today?",
                      required=True),
                    q("job_search_hours", NUMBER, "Hvor mange timer om ugen bruger du på jobsøgning?",
                      "How many hours a week do you spend on your job search?", minimum=0, maximum=80),
                    q("direction", LIKERT, "Jeg har en klar retning mod en uddannelse eller et jobfelt.",
                      "I have a clear direction towards an education or a job field.", required=True)),
            section("Dit netværk", "Your network",
                    q("network_size", NUMBER, "Hvor mange mennesker i Danmark kender du gennem arbejde eller "
                      "faglige sammenhænge?", "How many people in Denmark do you know through work or your field?",
                      minimum=0, maximum=1000),
                    q("expectations", TEXT, "Hvad håber du at få ud af forløbet?",
                      "What do you hope to gain from the programme?")),
        ],
    },
    {
        "key": "midway", "moment": "midway", "audience": "both",
        "title_da": "Midtvejs", "title_en": "Midway",
        "intro_da": "Hvordan går det? Dine svar hjælper koordinatoren med at støtte jer resten af forløbet.",
        "intro_en": "How is it going? Your answers help the coordinator support you for the rest of the round.",
        "sections": [
            section("Jeres møder", "Your meetings",
                    q("meetings", NUMBER, "Hvor mange gange har I mødtes indtil nu?",
                      "How many times have you met so far?", minimum=0, maximum=50, required=True),
                    q("relationship_works", LIKERT, "Samarbejdet med min mentor/mentee fungerer godt.",
                      "Working with my mentor or mentee goes well.", required=True),
                    q("topics", MULTIPLE, "Hvad har I talt om?", "What have you talked about?", options=TOPICS)),
            section("Støtte", "Support",
                    q("wants_contact", YES_NO, "Vil du gerne have, at koordinatoren kontakter dig?",
                      "Would you like the coordinator to contact you?"),
                    q("comment", TEXT, "Er der andet, vi skal vide?", "Is there anything else we should know?")),
        ],
    },
    {
        "key": "closing", "moment": "closing", "audience": "both",
        "title_da": "Evaluering af forløbet", "title_en": "Evaluation of the programme",
        "intro_da": "Tak fordi du var med. Dine svar viser, om forløbet når sine mål.",
        "intro_en": "Thank you for taking part. Your answers show whether the programme reaches its goals.",
        "sections": [
            section("Netværk og kompetencer", "Network and competences",
                    q("network", LIKERT, "Forløbet har udviklet mit personlige og professionelle netværk.",
                      "The programme has developed my personal and professional network.", required=True),
                    q("intercultural", LIKERT, "Forløbet har styrket mine interkulturelle kompetencer.",
                      "The programme has strengthened my intercultural competences.", required=True,
                      asked_of="mentor")),
            section("Jobsøgning", "Job search",
                    q("job_search_active", LIKERT, "Jeg er mere aktiv i min jobsøgning end før forløbet.",
                      "I am more active in my job search than before the programme.", required=True,
                      asked_of="mentee"),
                    q("direction", LIKERT, "Jeg har fået en klarere retning mod en uddannelse eller et jobfelt.",
                      "I have a clearer direction towards an education or a job field.", required=True,
                      asked_of="mentee"),
                    q("employment", EMPLOYMENT, "Hvad er din situation i dag?", "What is your situation today?",
                      asked_of="mentee")),
            section("Samlet", "Overall",
                    q("would_recommend", YES_NO, "Vil du anbefale andre at deltage?",
                      "Would you recommend others to take part?", required=True),
                    q("best", TEXT, "Hvad fungerede bedst?", "What worked best?"),
                    q("improve", TEXT, "Hvad kan gøres bedre?", "What could be better?"),
                    QUOTE),
        ],
    },
    {
        "key": "follow_up", "moment": "follow_up", "audience": "mentee",
        "title_da": "Seks måneder efter", "title_en": "Six months later",
        "intro_da": "Det er et halvt år siden forløbet sluttede. Hvordan går det med dig?",
        "intro_en": "The programme ended six months ago. How are you doing?",
        "sections": [
            section("Beskæftigelse", "Employment",
                    q("employment", EMPLOYMENT, "Hvad er din situation i dag?", "What is your situation today?",
                      required=True),
                    q("in_field", YES_NO, "Er arbejdet inden for dit fagområde?", "Is the work within your field?",
                      show_if=EMPLOYED),
                    q("found_through_network", YES_NO, "Hjalp netværket fra forløbet dig til arbejdet?",
                      "Did the network from the programme help you find the work?", show_if=EMPLOYED)),
            section("Familien", "Your family",
                    q("family_stays", YES_NO, "Bor din familie stadig i Danmark?",
                      "Does your family still live in Denmark?"),
                    q("comment", TEXT, "Vil du fortælle os mere?", "Would you like to tell us more?"),
                    QUOTE),
        ],
    },
    {
        "key": "company_retention", "moment": "company", "audience": "company",
        "title_da": "Fastholdelse af internationale medarbejdere",
        "title_en": "Retaining international employees",
        "intro_da": "En medarbejders partner har deltaget i vores mentorforløb. Hvad har det betydet for jer?",
        "intro_en": "The partner of one of your employees took part in our mentoring programme. What did it mean "
                    "for you?",
        "sections": [
            section("Fastholdelse", "Retention",
                    q("retention", LIKERT, "Forløbet har styrket vores mulighed for at fastholde den internationale "
                      "medarbejder.", "The programme has strengthened our ability to retain the international "
                      "employee.", required=True),
                    q("still_employed", YES_NO, "Er den internationale medarbejder stadig ansat hos jer?",
                      "Is the international employee still with you?"),
                    q("would_support", YES_NO, "Vil I støtte programmet igen?",
                      "Would you support the programme again?"),
                    q("comment", TEXT, "Kommentarer", "Comments")),
        ],
    },
)
