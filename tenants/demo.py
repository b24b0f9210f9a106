"""Demo data: the host city and a second city, so a newcomer can click through both and see isolation."""

import os
from datetime import date, timedelta

import click
from flask import Flask, current_app
from sqlalchemy import select

from mentorby.platform.accounts.models import COMPANY_CONTACT, COORDINATOR, MENTEE, MENTOR, NATIONAL, PLATFORM_ADMIN
from mentorby.platform.accounts.services import create_user, find_user, grant_role
from mentorby.platform.cities.models import ACTIVE, Tenant
from mentorby.platform.cities.services import find_city
from mentorby.platform.extensions import db
from mentorby.platform.tenancy import tenant_scope
from mentorby.tenants.applications import consent
from mentorby.tenants.applications.services import submit_application
from mentorby.tenants.cohorts.models import Cohort, CohortTransition
from mentorby.tenants.cohorts.services import plan_cohort
from mentorby.tenants.partners.models import Partner, PartnerContact
from mentorby.tenants.programme.services import install_model
from mentorby.tenants.surveys import answering
from mentorby.tenants.surveys import builder as survey_builder
from mentorby.tenants.surveys import sending as survey_sending

DEMO_PASSWORD = "mentorby-demo-2026"

CITIES = (
    {
        "slug": "lyngby-taarbaek", "name": "Lyngby-Taarbæk Vidensby", "municipality": "Lyngby-Taarbæk Kommune",
        "region": "hovedstaden", "is_host": True, "contact_name": "Vidensbyen",
        "contact_email": "koordinator@lyngby-taarbaek.example",
        "public_email": "mentoring@vidensbyen.example", "public_phone": "+45 45 97 35 00",
        "intro_da": "Vidensbyens Career Mentoring Programme hjælper medrejsende ægtefæller og partnere til "
        "internationale specialister med job og netværk, så familierne bliver i Danmark.",
        "intro_en": "The Knowledge City's Career Mentoring Programme helps the accompanying spouses and partners of "
        "international specialists find work and a network, so that their families stay in Denmark.",
        "coordinator": ("Mette Koordinator", "koordinator@lyngby-taarbaek.example"),
        "partners": (
            ("Haldor Topsøe", "company"), ("Microsoft", "company"), ("COWI", "company"),
            ("Maersk Drilling", "company"), ("DTU", "university"), ("Sprogcenter Hellerup i Lyngby", "language_school"),
            ("Lyngby-Taarbæk Kommune", "municipality"),
        ),
        "company_contact": ("Camilla Kontakt", "hr@cowi.example"),
    },
    {
        "slug": "aarhus", "name": "Aarhus Career Mentoring", "municipality": "Aarhus Kommune", "region": "midtjylland",
        "is_host": False,
        "contact_name": "International Community Aarhus", "contact_email": "koordinator@aarhus.example",
        "public_email": "mentoring@aarhus.example", "public_phone": "",
        "intro_da": "", "intro_en": "",
        "coordinator": ("Anders Koordinator", "koordinator@aarhus.example"),
        "partners": (("Aarhus Universitet", "university"), ("Vestas", "company"), ("Aarhus Kommune", "municipality")),
        "company_contact": None,
    },
)


def _user(email: str, name: str, **extra):
    user = find_user(db.session, email)
    if user is None:
        user = create_user(db.session, email=email, name=name, password=DEMO_PASSWORD, **extra)
    return user


def seed_demo() -> list[tuple[str, str]]:
    """Create the demo cities, people and partners if they are missing; return (who, e-mail) to print."""
    printed = [("platform admin", "admin@mentorby.example"), ("national stakeholder", "national@mentorby.example")]
    _user("admin@mentorby.example", "Platform Admin", platform_role=PLATFORM_ADMIN)
    _user("national@mentorby.example", "National Stakeholder", platform_role=NATIONAL)
    for spec in CITIES:
        city = find_city(db.session, spec["slug"])
        if city is None:
            fields = {k: v for k, v in spec.items() if k not in ("coordinator", "partners", "company_contact")}
            city = Tenant(status=ACTIVE, **fields)
            db.session.add(city)
            db.session.flush()
        elif city.region is None:
            city.region = spec["region"]
        install_model(db.session, city, current_app.config["HOST_CITY_SLUG"])
        with tenant_scope(db.session, city.id):
            name, email = spec["coordinator"]
            grant_role(db.session, _user(email, name, locale="da"), COORDINATOR)
            printed.append((f"coordinator of {city.name}", email))
            if spec["company_contact"]:
                name, email = spec["company_contact"]
                grant_role(db.session, _user(email, name, locale="en"), COMPANY_CONTACT)
                printed.append((f"company contact in {city.name}", email))
            existing = set(db.session.execute(select(Partner.name)).scalars())
            for partner_name, kind in spec["partners"]:
                if partner_name not in existing:
                    db.session.add(Partner(name=partner_name, kind=kind))
            db.session.flush()
            if spec["is_host"]:
                printed.extend(_seed_rounds())
    return printed


#: Demo mentors: (name, e-mail, employer, job title, field, expertise, languages, availability, format).
MENTORS = (
    ("Lars Mentor", "mentor@lyngby-taarbaek.example", "COWI", "Senior project manager", "engineering",
     "project management, wind energy, job interviews", "da en", "weekday_evening", "one"),
    ("Sofie Holm", "sofie.holm@microsoft.example", "Microsoft", "Engineering manager", "it",
     "software, cloud, networking", "da en de", "weekday_lunch weekday_afternoon", "one"),
    ("Jens Krogh", "jens.krogh@topsoe.example", "Haldor Topsøe", "R&D manager", "science",
     "catalysis, chemistry, research careers", "da en", "weekday_afternoon", "either"),
    ("Mette Dalgaard", "mette.dalgaard@dtu.example", "DTU", "Associate professor", "research",
     "research funding, academic careers, networking", "da en sv", "weekday_lunch", "one"),
    ("Henrik Bach", "henrik.bach@maersk.example", "Maersk Drilling", "Head of HR", "business",
     "recruitment, job interviews, CV", "da en", "weekday_evening weekend", "group"),
    ("Louise Friis", "louise.friis@ltk.example", "Lyngby-Taarbæk Kommune", "Business consultant", "public_sector",
     "public sector, entrepreneurship, networking", "da en", "weekday_morning", "either"),
    ("Anders Mikkelsen", "anders.mikkelsen@cowi.example", "COWI", "Structural engineer", "engineering",
     "structural design, building projects, Danish workplace culture", "da en de", "weekday_afternoon", "one"),
    ("Camilla Juhl", "camilla.juhl@novonordisk.example", "Novo Nordisk", "Regulatory affairs lead", "health",
     "pharma, regulatory affairs, quality", "da en fr", "weekday_lunch", "one"),
    ("Peter Lund", "peter.lund@danskebank.example", "Danske Bank", "Risk analyst", "finance",
     "finance, data analysis, banking", "da en", "weekday_evening", "one"),
    ("Maria Thomsen", "maria.thomsen@sprogcenter.example", "Sprogcenter Hellerup i Lyngby", "Teacher", "education",
     "Danish language, teaching, education system", "da en es", "weekday_morning weekday_afternoon", "group"),
    ("Rasmus Vinther", "rasmus.vinther@netcompany.example", "Netcompany", "Solution architect", "it",
     "software architecture, java, consulting", "da en", "weekday_evening", "one"),
    ("Karen Skov", "karen.skov@carlsberg.example", "Carlsberg", "Brand manager", "marketing",
     "branding, marketing, communication", "da en", "weekday_lunch", "one"),
    ("Thomas Winther", "thomas.winther@dsv.example", "DSV", "Logistics planner", "logistics",
     "supply chain, logistics, operations", "da en de", "weekday_afternoon", "either"),
    ("Ida Brandt", "ida.brandt@ramboll.example", "Rambøll", "Environmental engineer", "engineering",
     "environment, water, sustainability", "da en no", "weekday_evening", "one"),
    ("Mads Kjær", "mads.kjaer@lego.example", "LEGO", "UX designer", "design",
     "design, user research, portfolio", "da en", "weekend", "one"),
    ("Sara Nygaard", "sara.nygaard@rigshospitalet.example", "Rigshospitalet", "Nurse manager", "health",
     "healthcare, authorisation, hospitals", "da en", "weekday_evening", "one"),
    ("Niels Bak", "niels.bak@kromannreumert.example", "Kromann Reumert", "Lawyer", "law",
     "law, contracts, legal careers", "da en fr", "weekday_lunch", "one"),
    ("Birgitte Høj", "birgitte.hoj@unwomen.example", "UN City", "Programme officer", "public_sector",
     "international organisations, NGOs, project funding", "da en fr es", "weekday_afternoon", "either"),
    ("Kasper Dam", "kasper.dam@orsted.example", "Ørsted", "Data scientist", "it",
     "machine learning, python, data", "da en", "weekday_evening", "one"),
    ("Lene Vestergaard", "lene.vestergaard@hotel.example", "Hotel Marienlyst", "Hotel manager", "hospitality",
     "hospitality, tourism, customer service", "da en de", "weekend", "one"),
    ("Ole Rasmussen", "ole.rasmussen@nkt.example", "NKT", "Production engineer", "engineering",
     "production, lean, cables", "da en", "weekday_morning", "one"),
    ("Pia Laursen", "pia.laursen@ku.example", "Københavns Universitet", "Research coordinator", "research",
     "research administration, grants, academia", "da en", "weekday_lunch", "one"),
)
#: Demo mentees: (name, e-mail, field, education, years, job goal, Danish, partner's employer, languages, slots).
MENTEES = (
    ("Priya Sharma", "mentee@lyngby-taarbaek.example", "science", "MSc Chemical Engineering", 6,
     "Process engineer in the pharmaceutical industry", "beginner", "Haldor Topsøe", "en hi", "weekday_evening"),
    ("Ana Rodrigues", "ana.rodrigues@example.org", "marketing", "BA Communication", 4,
     "Marketing or communication in an international company", "intermediate", "Microsoft", "pt en es",
     "weekday_morning"),
    ("Wei Chen", "wei.chen@example.org", "it", "MSc Computer Science", 8, "Backend developer", "none", "DTU",
     "zh en", "weekday_afternoon weekend"),
    ("Olena Kovalenko", "olena.kovalenko@example.org", "finance", "MSc Economics", 7, "Financial analyst", "beginner",
     "Novo Nordisk", "uk ru en", "weekday_evening"),
    ("Carlos Mendoza", "carlos.mendoza@example.org", "engineering", "BSc Civil Engineering", 10,
     "Structural or civil engineer", "beginner", "COWI", "es en", "weekday_afternoon"),
    ("Aisha Rahman", "aisha.rahman@example.org", "health", "MBBS Medicine", 5, "Doctor, or clinical research",
     "intermediate", "Rigshospitalet", "bn en", "weekday_evening"),
    ("Marta Nowak", "marta.nowak@example.org", "education", "MA Pedagogy", 9, "Teacher at an international school",
     "advanced", "DTU", "pl en de", "weekday_morning"),
    ("Giulia Rossi", "giulia.rossi@example.org", "design", "MA Industrial Design", 6, "Product or UX designer",
     "beginner", "LEGO", "it en", "weekend"),
    ("Hiroshi Tanaka", "hiroshi.tanaka@example.org", "research", "PhD Physics", 4, "Researcher in industry",
     "none", "Københavns Universitet", "ja en", "weekday_lunch"),
    ("Fatima Al-Sayed", "fatima.alsayed@example.org", "law", "LLM International Law", 5,
     "Legal adviser in an international organisation", "beginner", "UN City", "ar en fr", "weekday_afternoon"),
    ("Ravi Patel", "ravi.patel@example.org", "it", "BTech Information Technology", 11, "Data engineer",
     "beginner", "Ørsted", "hi en", "weekday_evening"),
    ("Elena Popescu", "elena.popescu@example.org", "logistics", "MSc Supply Chain Management", 6,
     "Supply chain planner", "intermediate", "DSV", "ro en", "weekday_afternoon"),
    ("Sofía García", "sofia.garcia@example.org", "hospitality", "BA Tourism", 8, "Hotel or event management",
     "beginner", "Maersk Drilling", "es en", "weekend"),
    ("Nguyen Thi Lan", "nguyen.lan@example.org", "business", "MBA", 7, "Business developer", "none",
     "Haldor Topsøe", "vi en", "weekday_lunch"),
    ("Mehmet Yilmaz", "mehmet.yilmaz@example.org", "engineering", "MSc Electrical Engineering", 9,
     "Electrical engineer in energy", "beginner", "Ørsted", "tr en de", "weekday_evening"),
    ("Anna Müller", "anna.mueller@example.org", "marketing", "MA Marketing", 5, "Digital marketing",
     "advanced", "Carlsberg", "de en", "weekday_morning"),
    ("Kwame Mensah", "kwame.mensah@example.org", "finance", "BSc Accounting", 6, "Accountant or controller",
     "none", "Danske Bank", "en fr", "weekday_evening"),
    ("Sara Haddad", "sara.haddad@example.org", "science", "MSc Biology", 3, "Laboratory scientist",
     "intermediate", "Novo Nordisk", "ar en fr", "weekday_afternoon"),
    ("Lucas Silva", "lucas.silva@example.org", "it", "BSc Software Engineering", 6, "Frontend developer",
     "beginner", "Netcompany", "pt en", "weekday_evening weekend"),
    ("Yuki Sato", "yuki.sato@example.org", "culture", "MA Art History", 4, "Museum or cultural project work",
     "beginner", "DTU", "ja en", "weekday_morning"),
    ("Tomasz Zielinski", "tomasz.zielinski@example.org", "engineering", "MSc Mechanical Engineering", 12,
     "Mechanical design engineer", "intermediate", "NKT", "pl en", "weekday_afternoon"),
    ("Leila Karimi", "leila.karimi@example.org", "health", "BSc Nursing", 8, "Nurse", "intermediate",
     "Rigshospitalet", "fa en", "weekday_evening"),
    ("Daniel Okafor", "daniel.okafor@example.org", "public_sector", "MPA Public Administration", 7,
     "Policy or project officer", "beginner", "Lyngby-Taarbæk Kommune", "en", "weekday_lunch"),
    ("Mariana Costa", "mariana.costa@example.org", "research", "PhD Molecular Biology", 5,
     "Scientist in biotech", "none", "Københavns Universitet", "pt en es", "weekday_afternoon"),
)
#: Demo accounts with a role in the host city, printed with the others.
DEMO_MENTOR, DEMO_MENTEE = MENTORS[0][1], MENTEES[0][1]


def _mentor_values(spec) -> dict:
    name, email, employer, title, field, expertise, languages, slots, fmt = spec
    return {"name": name, "email": email, "employer": employer, "job_title": title, "field": field,
            "industry": field, "expertise": expertise, "languages": languages.split(),
            "availability": slots.split(), "mentoring_format": fmt, "mentee_capacity": 2 if fmt != "one" else 1,
            "motivation": "I had help myself when I started; now I want to give something back."}


def _mentee_values(spec) -> dict:
    name, email, field, education, years, goal, danish, employer, languages, slots = spec
    return {"name": name, "email": email, "field": field, "education": education, "years_experience": years,
            "job_goal": goal, "danish_level": danish, "partner_employer": employer, "languages": languages.split(),
            "availability": slots.split(), "mentoring_format": "one", "mentee_capacity": 1}


def _apply(cohort: Cohort, role: str, values: dict, status: str = "submitted"):
    application = submit_application(db.session, cohort, role, {"locale": "en", **values},
                                     consent_version=consent.CURRENT, source="coordinator")
    application.status = status
    if status == "accepted":
        application.invited = True
    return application


def _history(cohort: Cohort, statuses: tuple[str, ...], days_ago: list[int]) -> None:
    """The round's timeline: one transition per step, on the days given."""
    from mentorby.platform.tenancy import utcnow

    now = utcnow()
    for (before, after), ago in zip(zip(statuses, statuses[1:], strict=False), days_ago, strict=True):
        db.session.add(CohortTransition(cohort_id=cohort.id, from_status=before, to_status=after,
                                        at=now - timedelta(days=ago)))
    cohort.status = statuses[-1]


def _pairs(cohort: Cohort, *, ended: bool) -> None:
    """Pairs for a round that ran: proposed by the engine and published (ended as completed when the round closed)."""
    from mentorby.platform.tenancy import utcnow
    from mentorby.tenants.matching import services as matching
    from mentorby.tenants.matching.models import COMPLETED, PROPOSED, PUBLISHED

    matching.propose(db.session, cohort, method="optimal", priority="everyone_matched")
    for match in matching.live_matches(db.session, cohort):
        if match.status == PROPOSED:
            match.status, match.published_at = PUBLISHED, utcnow()
            if ended:
                match.status, match.ended_at, match.ended_by = COMPLETED, utcnow(), "coordinator"
    db.session.flush()


def _sessions(cohort: Cohort, today: date) -> None:
    """A few 1:1 sessions in the running round, so that its health is not empty; some pairs stay quiet (at risk).

    The demo mentor's and mentee's own pair logs nothing: the browser test logs its first session.
    """
    from mentorby.platform.tenancy import utcnow
    from mentorby.tenants.applications.models import Application
    from mentorby.tenants.matching import services as matching
    from mentorby.tenants.sessions.models import SessionLog, SessionPair

    demo = set(db.session.execute(select(Application.id).where(
        Application.cohort_id == cohort.id, Application.email.in_((DEMO_MENTOR, DEMO_MENTEE)))).scalars())
    live = matching.live_matches(db.session, cohort)
    for match in live:  # published before the round started, as in a real round
        match.published_at = utcnow() - timedelta(days=(today - cohort.starts_on).days + 1)
    pairs = [match for match in live if match.mentor_id not in demo and match.mentee_id not in demo]
    plan = ((0, 3, ["cv", "applications"], "Send the CV to two companies", True),
            (0, 17, ["job_openings", "networking"], "Ask about openings at the next network meeting", True),
            (1, 6, ["interview", "workplace_culture"], "Practise the first five minutes of an interview", False),
            (2, 12, ["networking"], "Go to the IDA meeting together", True))
    for index, days, topics, next_step, confirmed in plan:
        if index >= len(pairs):
            continue
        match = pairs[index]
        log = SessionLog(cohort_id=cohort.id, mentor_id=match.mentor_id, logged_by_id=match.mentee_id,
                         held_on=today - timedelta(days=days), minutes=60, topics=topics, next_step=next_step)
        db.session.add(log)
        db.session.flush()
        db.session.add(SessionPair(session_id=log.id, match_id=match.id, confirmed_at=utcnow() if confirmed else None))
    db.session.flush()


def _seed_rounds() -> list[tuple[str, str]]:
    """A closed round, a running round with published pairs, and a recruiting round with 20 or so applications a role.

    Made once, and never over real rounds.
    """
    printed = [("mentor in Lyngby-Taarbæk (two rounds)", DEMO_MENTOR), ("mentee in Lyngby-Taarbæk", DEMO_MENTEE)]
    if db.session.execute(select(Cohort.id).limit(1)).first() is not None:
        return printed
    today = date.today()
    lifecycle = ("planned", "recruiting", "selecting", "running", "closed")

    autumn = plan_cohort(db.session, {"name": "Efterår 2025", "starts_on": today - timedelta(days=300),
                                      "ends_on": today - timedelta(days=180), "apply_by": None,
                                      "mentor_capacity": 20, "mentee_capacity": 20, "description": ""})
    for spec in MENTORS[:5]:
        _apply(autumn, "mentor", _mentor_values(spec), "accepted")
    for spec in MENTEES[8:13]:
        _apply(autumn, "mentee", _mentee_values(spec), "accepted")
    autumn.status = "running"
    _pairs(autumn, ended=True)
    _history(autumn, lifecycle, [360, 320, 300, 180])
    autumn.follow_up_on = autumn.ends_on + timedelta(days=182)

    winter = plan_cohort(db.session, {"name": "Vinter 2026", "starts_on": today - timedelta(days=45),
                                      "ends_on": today + timedelta(days=75), "apply_by": None,
                                      "mentor_capacity": 20, "mentee_capacity": 20,
                                      "description": "Four months with a mentor, joint workshops and a network."})
    for spec in MENTORS[:1] + MENTORS[5:10]:
        _apply(winter, "mentor", _mentor_values(spec), "accepted")
    for spec in MENTEES[:1] + MENTEES[3:8]:
        _apply(winter, "mentee", _mentee_values(spec), "accepted")
    _history(winter, lifecycle[:4], [100, 60, 45])
    _pairs(winter, ended=False)
    _sessions(winter, today)
    grant_role(db.session, _user(DEMO_MENTOR, MENTORS[0][0], locale="en"), MENTOR)
    grant_role(db.session, _user(DEMO_MENTEE, MENTEES[0][0], locale="en"), MENTEE)

    spring = plan_cohort(db.session, {
        "name": "Forår 2027", "starts_on": today + timedelta(days=60), "ends_on": None,
        "apply_by": today + timedelta(days=40), "mentor_capacity": 20, "mentee_capacity": 20,
        "description": "Four months with a mentor from a local company, joint workshops and a network."})
    _history(spring, lifecycle[:2], [20])
    for spec in MENTORS[1:]:
        _apply(spring, "mentor", _mentor_values(spec))
    for spec in MENTEES[1:]:
        _apply(spring, "mentee", _mentee_values(spec))
    _seed_surveys(autumn, winter)
    cowi = db.session.execute(select(Partner).where(Partner.name == "COWI")).scalar_one_or_none()
    if cowi is not None:
        db.session.add(PartnerContact(partner_id=cowi.id, name="Camilla Kontakt", email="hr@cowi.example",
                                      job_title="HR partner"))
    db.session.flush()
    return printed


#: How the demo's people answer the closing survey: most agree, a few do not, one never answers.
DEMO_ANSWERS = {
    "network": ("5", "4", "4", "3", "5"), "intercultural": ("4", "5", "4", "2", "4"),
    "job_search_active": ("5", "4", "4", "4", "2"), "direction": ("4", "4", "3", "5", "4"),
    "would_recommend": ("yes", "yes", "yes", "no", "yes"), "employment": ("part_time", "job_seeking",
                                                                         "education", "full_time", "job_seeking"),
    "best": ("Meeting people who work in my field, and the interview workshop.", "", "The kick-off evening.", "", ""),
    "may_quote": ("yes", "no", "yes", "no", "no"),
}


def _seed_surveys(closed: Cohort, running: Cohort) -> None:
    """The closed round's closing survey, answered by nearly everyone; the running round's midway survey, half-way."""
    closing = survey_builder.current(db.session, "closing")
    sent_on = closed.ends_on - timedelta(days=2)
    sent = survey_sending.send(db.session, closed, closing, today=sent_on, notify=False)
    by_key = {question.key: question for question in closing.questions}
    for n, response in enumerate(sorted(sent.responses, key=lambda r: r.id)):
        if n == len(sent.responses) - 1:
            continue  # one person never answers: the response rate is honest, not 100%
        index = n % 5
        answers = {str(by_key[key].id): [values[index]] for key, values in DEMO_ANSWERS.items()
                   if values[index] and answering.asked(by_key[key], response.role)}
        answering.submit(db.session, response, answers, sent_on + timedelta(days=3))
    midway = survey_builder.current(db.session, "midway")
    sent = survey_sending.send(db.session, running, midway, notify=False)
    by_key = {question.key: question for question in midway.questions}
    for response in sorted(sent.responses, key=lambda r: r.id)[::2]:
        answering.submit(db.session, response, {str(by_key["meetings"].id): ["3"],
                                                str(by_key["relationship_works"].id): ["4"],
                                                str(by_key["topics"].id): ["cv", "networking"]}, date.today())


def register(app: Flask) -> None:
    """Add `flask seed-demo`."""

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load demo data (idempotent); refused in production."""
        if current_app.config["ENV_NAME"] == "production":
            raise click.ClickException("seed-demo is for local use; it is refused in production.")
        printed = seed_demo()
        db.session.commit()
        port = os.environ.get("PORT", "5000")
        click.echo(f"Demo data ready. Sign in at http://127.0.0.1:{port}/login with the password "
                   f"{DEMO_PASSWORD!r} and one of:")
        for who, email in printed:
            click.echo(f"  {email:42} {who}")
