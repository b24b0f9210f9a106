"""factory_boy factories for the platform's models; each creates rows through the city it belongs to."""

import itertools
from datetime import date, timedelta

import factory
from factory.alchemy import SQLAlchemyModelFactory

from mentorby.platform.accounts.models import Membership, User
from mentorby.platform.accounts.passwords import hash_password
from mentorby.platform.cities.models import ACTIVE, Tenant
from mentorby.platform.extensions import db
from mentorby.platform.tenancy import cross_tenant, tenant_scope
from mentorby.tenants.partners.models import Partner

PASSWORD = "correct horse battery staple"
_HASH = hash_password(PASSWORD)  # hashing once keeps the suite fast


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


#: Danish cities that could run the programme, with their municipalities.
CITIES = (("Odense", "Odense Kommune", "syddanmark"), ("Aalborg", "Aalborg Kommune", "nordjylland"),
          ("Esbjerg", "Esbjerg Kommune", "syddanmark"), ("Vejle", "Vejle Kommune", "syddanmark"),
          ("Kolding", "Kolding Kommune", "syddanmark"), ("Horsens", "Horsens Kommune", "midtjylland"),
          ("Roskilde", "Roskilde Kommune", "sjaelland"), ("Sønderborg", "Sønderborg Kommune", "syddanmark"),
          ("Herning", "Herning Kommune", "midtjylland"))
#: People of the programme: Danish professionals (mentors, coordinators) and partners from abroad (mentees).
DANES = ("Mette Hansen", "Lars Nielsen", "Sofie Jensen", "Jens Pedersen", "Ida Andersen", "Rasmus Christensen",
         "Camilla Larsen", "Anders Sørensen", "Louise Rasmussen", "Henrik Jørgensen", "Maria Petersen", "Peter Madsen")
NEWCOMERS = ("Priya Sharma", "Ana Rodrigues", "Wei Chen", "Olena Kovalenko", "Carlos Mendoza", "Aisha Rahman",
             "Marta Nowak", "Giulia Rossi", "Hiroshi Tanaka", "Fatima Al-Sayed", "Ravi Patel", "Elena Popescu")
#: Organisations of a knowledge city.
COMPANIES = ("Novo Nordisk", "Ørsted", "COWI", "Rambøll", "DTU", "Haldor Topsøe", "Netcompany", "Carlsberg", "DSV",
             "Maersk Drilling", "Danske Bank", "LEGO")


def _address(name: str, n: int, domain: str = "example.org") -> str:
    local = "".join(ch for ch in name.lower().replace(" ", ".") if ch.isalnum() or ch == ".")
    return f"{local.encode('ascii', 'ignore').decode() or 'person'}.{n}@{domain}"


class CityFactory(Base):
    class Meta:
        model = Tenant

    name = factory.Sequence(lambda n: f"{CITIES[n % len(CITIES)][0]} Career Mentoring {n}")
    slug = factory.Sequence(lambda n: f"{CITIES[n % len(CITIES)][0].lower().replace('ø', 'oe')}-{n}")
    municipality = factory.Sequence(lambda n: CITIES[n % len(CITIES)][1])
    region = factory.Sequence(lambda n: CITIES[n % len(CITIES)][2])
    status = ACTIVE
    contact_name = factory.Sequence(lambda n: DANES[n % len(DANES)])
    contact_email = factory.Sequence(lambda n: _address(DANES[n % len(DANES)], n, "kommune.example"))


class UserFactory(Base):
    class Meta:
        model = User

    name = factory.Sequence(lambda n: DANES[n % len(DANES)])
    email = factory.Sequence(lambda n: _address(DANES[n % len(DANES)], n))
    password_hash = _HASH


def create_city(*, with_model: bool = True, **fields) -> Tenant:
    from mentorby.tenants.programme.services import install_model

    city = CityFactory(**fields)
    if with_model and city.status == ACTIVE:
        install_model(db.session, city, "lyngby-taarbaek")
    return city


def create_user(*, city: Tenant | None = None, role: str | None = None, **fields) -> User:
    user = UserFactory(**fields)
    if city is not None and role:
        with tenant_scope(db.session, city.id):
            db.session.add(Membership(user_id=user.id, role=role))
            db.session.flush()
    return user


_partners = itertools.count(0)


def create_partner(city: Tenant, **fields) -> Partner:
    n = next(_partners)
    values = {"name": f"{COMPANIES[n % len(COMPANIES)]}" + (f" {n // len(COMPANIES) + 1}" if n >= len(COMPANIES)
                                                            else ""), "kind": "company", **fields}
    with tenant_scope(db.session, city.id):
        partner = Partner(**values)
        db.session.add(partner)
        db.session.flush()
    return partner


_numbers = itertools.count(1)


def create_cohort(city: Tenant, *, status: str = "recruiting", starts_on=None, **fields):
    """A round planned from the city's programme model, moved straight to `status`."""
    from datetime import date, timedelta

    from mentorby.tenants.cohorts.services import plan_cohort

    starts_on = starts_on or date.today() + timedelta(days=60)
    n = next(_numbers)
    values = {"name": f"{('Forår', 'Efterår')[n % 2]} {2027 + n // 2}", "starts_on": starts_on, "ends_on": None,
              "apply_by": None, "mentor_capacity": 20, "mentee_capacity": 20, "description": ""} | fields
    with tenant_scope(db.session, city.id):
        cohort = plan_cohort(db.session, values)
        cohort.status = status
        db.session.flush()
    return cohort


MENTEE_VALUES = {
    "field": "engineering", "languages": ["en"], "availability": ["weekday_evening"], "education": "MSc",
    "years_experience": 5, "job_goal": "Project engineer in wind energy", "danish_level": "beginner",
    "partner_employer": "",
}
MENTOR_VALUES = {
    "field": "engineering", "languages": ["da", "en"], "availability": ["weekday_evening"], "employer": "COWI",
    "job_title": "Senior engineer", "industry": "engineering", "expertise": "wind energy, project management",
    "mentoring_format": "one", "mentee_capacity": 1, "motivation": "",
}


def create_application(cohort, *, role: str = "mentee", status: str = "submitted", cv: bytes | None = None,
                       **fields):
    """An application to `cohort` through the service (the person joins the pool), then set to `status`."""
    from mentorby.tenants.applications import consent
    from mentorby.tenants.applications.services import Upload, submit_application

    n = next(_numbers)
    name = (NEWCOMERS if role == "mentee" else DANES)[n % 12]
    # The address follows the name the test gives: another person's name in it would match a search for them.
    values = (MENTEE_VALUES if role == "mentee" else MENTOR_VALUES) | {
        "name": name, "email": _address(fields.get("name", name), n), "locale": "en"} | fields
    with cross_tenant(db.session):
        tenant_id = cohort.tenant_id  # the cohort may be expired by an earlier request's commit
    with tenant_scope(db.session, tenant_id):
        application = submit_application(
            db.session, cohort, role, values, consent_version=consent.CURRENT, source="coordinator",
            cv=Upload("cv.pdf", cv) if cv else None,
        )
        application.status = status
        db.session.flush()
    return application


def _blank_pdf() -> bytes:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


#: A real one-page PDF, as small as the CV check takes.
PDF = _blank_pdf()


# --- a factory for every model ------------------------------------------------------------------------------------
#
# The create_* functions above make the rows most tests need through the services (a round laid out from the
# programme model, an application filed like a real one). The factories below make any model's row directly, with
# realistic values, inside its city (`city=`): `PartnerContactFactory(city=lyngby, partner=cowi)`.


class CityOwnedFactory(Base):
    """A row of one city, made inside that city's scope (as a request of the city would make it)."""

    class Meta:
        abstract = True

    city = None

    @classmethod
    def _create(cls, model_class, *args, city=None, **kwargs):
        if city is None:
            raise TypeError(f"{cls.__name__} needs city=…")
        with tenant_scope(db.session, city.id):
            return super()._create(model_class, *args, **kwargs)


def _lazy_import(path: str):
    module, _, name = path.rpartition(".")
    return getattr(__import__(module, fromlist=[name]), name)


class MembershipFactory(CityOwnedFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = "coordinator"


class InvitationFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.platform.accounts.models.Invitation")

    name = factory.Sequence(lambda n: DANES[(n + 3) % len(DANES)])
    email = factory.Sequence(lambda n: _address(DANES[(n + 3) % len(DANES)], n, "kommune.example"))
    role = "coordinator"


class ApiTokenFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.platform.accounts.models.ApiToken")

    user = factory.SubFactory(UserFactory)
    name = "Monthly report to the funder"
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    prefix = factory.Sequence(lambda n: f"mby_{n:06d}")


class SignInFactory(Base):
    class Meta:
        model = _lazy_import("mentorby.platform.accounts.sessions.SignIn")

    user_id = factory.LazyFunction(lambda: UserFactory().id)
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    user_agent = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"


class OutboxMessageFactory(Base):
    class Meta:
        model = _lazy_import("mentorby.platform.outbox.models.OutboxMessage")

    to_email = factory.Sequence(lambda n: _address(NEWCOMERS[n % len(NEWCOMERS)], n))
    subject = "Your application to Forår 2027"
    body = "Thank you for applying. The coordinator will be in touch."
    kind = "accepted"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        with cross_tenant(db.session):  # platform mail (no city) is written explicitly across cities
            return super()._create(model_class, *args, **kwargs)


class AuditEntryFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.platform.audit.models.AuditEntry")

    actor_role = "coordinator"
    action = "update"
    entity = "partner"
    entity_id = 1
    changes = factory.LazyFunction(lambda: {"description": ["", "Sends mentors every round"]})

    @classmethod
    def _create(cls, model_class, *args, city=None, **kwargs):
        return super()._create(model_class, *args, city=city, tenant_id=city.id, **kwargs)


class PartnerFactory(CityOwnedFactory):
    class Meta:
        model = Partner

    name = factory.Sequence(lambda n: f"{COMPANIES[n % len(COMPANIES)]} {n}")
    kind = "company"
    website = factory.Sequence(lambda n: f"https://www.{COMPANIES[n % len(COMPANIES)].lower().replace(' ', '')}.dk")
    description = "Sends mentors from its engineering teams every round."


class PartnerContactFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.partners.models.PartnerContact")

    partner_id = None
    name = factory.Sequence(lambda n: DANES[(n + 5) % len(DANES)])
    email = factory.Sequence(lambda n: _address(DANES[(n + 5) % len(DANES)], n, "company.example"))
    job_title = "HR partner"


class ProgrammeEventFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.programme.models.ProgrammeEvent")

    step = 6
    kind = factory.Sequence(lambda n: f"network_evening_{n}")
    name_da = "Netværksaften"
    name_en = "Network evening"
    audience = "both"
    week_offset = 6
    duration_minutes = 120


class SuccessCriterionFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.programme.models.SuccessCriterion")

    position = 9
    code = factory.Sequence(lambda n: f"city_own_{n}")
    role = "mentee"
    threshold = 0.5
    statement_da = "Mindst halvdelen af mentees har talt dansk med deres mentor."
    statement_en = "At least half of the mentees have spoken Danish with their mentor."


class CohortFactory(Base):
    """A round through the service that plans it (its joint events laid out from the programme model)."""

    class Meta:
        model = _lazy_import("mentorby.tenants.cohorts.models.Cohort")

    @classmethod
    def _create(cls, model_class, *args, city=None, **kwargs):
        return create_cohort(city, **kwargs)


class CohortEventFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.cohorts.models.CohortEvent")

    step = 6
    kind = "network_evening"
    name_da = "Netværksaften"
    name_en = "Network evening"
    audience = "both"
    starts_at = factory.LazyFunction(lambda: __import__("datetime").datetime(2027, 3, 11, 16, 0,
                                                                               tzinfo=__import__("datetime").UTC))
    duration_minutes = 120
    location = "DTU Skylab, Lyngby"


class CohortTransitionFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.cohorts.models.CohortTransition")

    from_status = "planned"
    to_status = "recruiting"
    note = ""


class ApplicationFactory(Base):
    """An application through the service that files it (the person joins the city's pool)."""

    class Meta:
        model = _lazy_import("mentorby.tenants.applications.models.Application")

    @classmethod
    def _create(cls, model_class, *args, cohort=None, **kwargs):
        return create_application(cohort, **kwargs)


class ParticipantFactory(Base):
    """A person of the city's pool, made as the service makes one: by their first application."""

    class Meta:
        model = _lazy_import("mentorby.tenants.applications.models.Participant")

    @classmethod
    def _create(cls, model_class, *args, cohort=None, **kwargs):
        application = create_application(cohort, **kwargs)
        with tenant_scope(db.session, application.tenant_id):
            return application.participant


class CvDocumentFactory(Base):
    """A CV, uploaded with a mentee's application."""

    class Meta:
        model = _lazy_import("mentorby.tenants.applications.models.CvDocument")

    @classmethod
    def _create(cls, model_class, *args, cohort=None, **kwargs):
        application = create_application(cohort, cv=PDF, **kwargs)
        with tenant_scope(db.session, application.tenant_id):
            return application.cv


class MatchFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.matching.models.Match")

    status = "proposed"
    score = 62.5
    reasons = factory.LazyFunction(lambda: [["field", 20.0, ["engineering"], "field.same"]])


class PairRuleFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.matching.models.PairRule")

    kind = "pin"


class RatingFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.matching.models.Rating")

    value = 4


class MatchingWeightsFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.matching.models.MatchingWeights")

    field, goal_expertise, languages, availability, preference = 25, 35, 15, 10, 15
    conflict_policy = "flag"


class NetworkingPlanFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.matching.models.NetworkingPlan")

    turns = 4
    minutes = 7
    mentor_ids = factory.LazyFunction(list)
    mentee_ids = factory.LazyFunction(list)


class MatchingRunFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.matching.models.MatchingRun")

    method = "optimal"
    priority = "everyone_matched"
    unmatched = factory.LazyFunction(list)


class NetworkingLinkFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.matching.models.NetworkingLink")


class ImportJobFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.transfer.models.ImportJob")

    action = "check"
    filename = "ansoegninger-foraar-2027.csv"
    size = 18_432
    data = b"name,email,role\\nPriya Sharma,priya@example.org,mentee\\n"
    state = "queued"


# --- surveys -------------------------------------------------------------------------------------------------------

def send_survey(cohort, key: str = "closing", *, today=None):
    """Send the city's survey `key` to a round (its accepted people get their links), as a coordinator would."""
    from mentorby.tenants.surveys import builder, sending

    with tenant_scope(db.session, cohort.tenant_id):
        survey = builder.current(db.session, key)
        return sending.send(db.session, cohort, survey, today=today)


def closing_answers(response) -> dict[str, list[str]]:
    """A mentee's answers to the closing survey's required questions, as its form sends them (question id -> values)."""
    from mentorby.tenants.surveys import answering

    ids = {question.key: str(question.id) for question in answering.questions_of(response)}
    return {ids[key]: [value] for key, value in (("network", "5"), ("job_search_active", "4"), ("direction", "2"),
                                                 ("would_recommend", "yes"))}


class SurveyFactory(Base):
    """A city's copy of one of the programme's survey templates (closing by default)."""

    class Meta:
        model = _lazy_import("mentorby.tenants.surveys.models.Survey")

    @classmethod
    def _create(cls, model_class, *args, city=None, template="closing", **kwargs):
        from mentorby.tenants.surveys.builder import copy_template

        with tenant_scope(db.session, city.id):
            return copy_template(db.session, template)


class SurveySectionFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.surveys.models.SurveySection")

    position = 9
    title_da = "Dansk på arbejdspladsen"
    title_en = "Danish at work"


class QuestionFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.surveys.models.Question")

    position = 99
    key = factory.Sequence(lambda n: f"spoke_danish_{n}")
    kind = "yes_no"
    text_da = "Har du talt dansk med din mentor?"
    text_en = "Have you spoken Danish with your mentor?"


class SurveyPolicyFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.surveys.models.SurveyPolicy")

    reminder_days = factory.LazyFunction(lambda: [5, 10])
    anonymity = "named"
    open_days = 21


class SurveySendFactory(Base):
    """A survey sent to a round through the service (responses and links for its accepted people)."""

    class Meta:
        model = _lazy_import("mentorby.tenants.surveys.models.SurveySend")

    @classmethod
    def _create(cls, model_class, *args, cohort=None, key="closing", **kwargs):
        return send_survey(cohort, key)


class ResponseFactory(Base):
    """One person's response: the first of a survey sent to the round."""

    class Meta:
        model = _lazy_import("mentorby.tenants.surveys.models.Response")

    @classmethod
    def _create(cls, model_class, *args, cohort=None, key="closing", **kwargs):
        sent = send_survey(cohort, key)
        with tenant_scope(db.session, cohort.tenant_id):
            return sent.responses[0]


class AnswerFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.surveys.models.Answer")

    key = "network"
    value = "4"


class EvaluationReportFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.evaluation.models.EvaluationReport")

    locale = "da"
    state = "done"
    progress = 100
    pdf = PDF
    size = len(PDF)



# --- events ------------------------------------------------------------------------------------------------------

#: A tiny PNG (1x1), recognised by its magic bytes.
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


def _nonce_pair(purpose: str):
    """A nonce and its token hash, as the events services make them (needs an app context)."""
    import secrets

    from mentorby.tenants.events import services

    nonce = secrets.token_hex(16)
    return nonce, lambda tenant_id: services.hash_of(services._token(purpose, tenant_id, nonce))


class EventDetailsFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.events.models.EventDetails")

    address = "Anker Engelunds Vej 1, 2800 Kongens Lyngby"
    room = "Bygning 101, mødelokale S09"
    agenda_da = "17.00 Velkomst\n17.15 Oplæg om CV\n18.30 Netværk"
    agenda_en = "17:00 Welcome\n17:15 Talk on CVs\n18:30 Networking"
    capacity = 40


class EventMaterialFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.events.models.EventMaterial")

    filename = "cv-workshop-slides.pdf"
    mimetype = "application/pdf"
    content = PDF
    size = len(PDF)
    sha256 = factory.LazyAttribute(lambda o: __import__("hashlib").sha256(o.content).hexdigest())


class _TokenRowFactory(CityOwnedFactory):
    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, city=None, **kwargs):
        nonce, hashed = _nonce_pair("feed" if model_class.__name__ == "CalendarFeed" else "rsvp")
        kwargs.setdefault("nonce", nonce)
        kwargs.setdefault("token_hash", hashed(city.id))
        return super()._create(model_class, *args, city=city, **kwargs)


class EventInvitationFactory(_TokenRowFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.events.models.EventInvitation")


class CalendarFeedFactory(_TokenRowFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.events.models.CalendarFeed")


class AttendanceFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.events.models.Attendance")


class EventPolicyFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.events.models.EventPolicy")

    reminder_days = factory.LazyFunction(lambda: [3, 1])

class MailTemplateFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.platform.outbox.models.MailTemplate")

    kind = "invitation"
    locale = "da"
    subject = "Velkommen til {{ city }}"
    body = "Kære {{ name }},\n\nklik her for at komme i gang:\n{{ link }}\n"


class AnnouncementFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.communications.models.Announcement")

    audience = "pool"
    subject_da = "Mentortræf i juni"
    body_da = "Kære mentorer,\n\nvi ses til mentortræf den 12. juni på rådhuset."
    subject_en = "Mentor meet-up in June"
    body_en = "Dear mentors,\n\nsee you at the mentor meet-up on 12 June at the town hall."
    recipients = 12


#: Every model and its factory (a test checks that no model is without one).
FACTORIES = {factory_class._meta.model: factory_class for factory_class in (
    CityFactory, UserFactory, MembershipFactory, InvitationFactory, ApiTokenFactory, SignInFactory,
    OutboxMessageFactory, AuditEntryFactory, PartnerFactory, PartnerContactFactory, ProgrammeEventFactory,
    SuccessCriterionFactory, CohortFactory, CohortEventFactory, CohortTransitionFactory, ApplicationFactory,
    ParticipantFactory, CvDocumentFactory, MatchFactory, PairRuleFactory, RatingFactory, MatchingWeightsFactory,
    NetworkingPlanFactory, MatchingRunFactory, NetworkingLinkFactory, ImportJobFactory, SurveyFactory,
    SurveySectionFactory, QuestionFactory, SurveyPolicyFactory, SurveySendFactory, ResponseFactory, AnswerFactory,
    EvaluationReportFactory, EventDetailsFactory, EventMaterialFactory, EventInvitationFactory, CalendarFeedFactory,
    AttendanceFactory, EventPolicyFactory, MailTemplateFactory, AnnouncementFactory,
)}


# --- the running round: 1:1 sessions and round health (tenants/sessions/) -------------------------------------------


class SessionLogFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.sessions.models.SessionLog")

    held_on = factory.LazyFunction(lambda: date.today() - timedelta(days=3))
    minutes = 60
    topics = factory.LazyFunction(lambda: ["cv", "job_openings"])
    next_step = "Send two applications before we meet again"
    notes = "She is nervous about the interview at Novo; practise next time."


class SessionPairFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.sessions.models.SessionPair")


class NudgeFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.sessions.models.Nudge")

    sent_on = factory.LazyFunction(date.today)


class HealthPolicyFactory(CityOwnedFactory):
    class Meta:
        model = _lazy_import("mentorby.tenants.sessions.models.HealthPolicy")

    quiet_weeks = 3
    auto_nudges = False


FACTORIES.update({factory_class._meta.model: factory_class for factory_class in (
    SessionLogFactory, SessionPairFactory, NudgeFactory, HealthPolicyFactory,
)})


def create_pair(cohort, *, mentor=None, mentee=None, **fields):
    """A published pair of a round (new accepted mentor and mentee unless given): the Match."""
    from mentorby.tenants.matching.models import Match

    mentor = mentor or create_application(cohort, role="mentor", status="accepted")
    mentee = mentee or create_application(cohort, role="mentee", status="accepted")
    with tenant_scope(db.session, cohort.tenant_id):
        match = Match(cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=mentee.id, status="published",
                      published_at=fields.pop("published_at", None), **fields)
        db.session.add(match)
        db.session.flush()
    return match


def log_session(matches, *, held_on=None, logged_by=None, confirmed=False, **fields):
    """A session of one pair, or of a mentor's group (several matches of one mentor), logged by the mentor."""
    from mentorby.platform.tenancy import utcnow
    from mentorby.tenants.sessions.models import SessionLog, SessionPair

    matches = matches if isinstance(matches, list | tuple) else [matches]
    first = matches[0]
    with tenant_scope(db.session, first.tenant_id):
        log = SessionLog(cohort_id=first.cohort_id, mentor_id=first.mentor_id,
                         logged_by_id=logged_by or first.mentor_id, held_on=held_on or date.today(),
                         minutes=fields.pop("minutes", 60), topics=fields.pop("topics", ["cv"]), **fields)
        db.session.add(log)
        db.session.flush()
        for match in matches:
            db.session.add(SessionPair(session_id=log.id, match_id=match.id,
                                       confirmed_at=utcnow() if confirmed else None))
        db.session.flush()
    return log


# --- the dissemination register (platform/adoption/) ---------------------------------------------------------------

#: Organisations of the sources' dissemination list.
INFORMED = ("Aarhus Kommune", "Odense Kommune", "Aalborg Kommune", "International House Copenhagen",
            "Copenhagen Capacity", "DI Consortium for Global Talent", "SIRI", "International Community Aarhus")


class AdoptionContactFactory(Base):
    class Meta:
        model = _lazy_import("mentorby.platform.adoption.models.AdoptionContact")

    name = factory.Sequence(lambda n: f"{INFORMED[n % len(INFORMED)]} {n}")
    kind = "city"
    channel = "presentation"
    informed_on = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    notes = "Presented the pilot's results at the network meeting."
    stage = "informed"


class StageChangeFactory(Base):
    class Meta:
        model = _lazy_import("mentorby.platform.adoption.models.StageChange")

    contact_id = factory.LazyFunction(lambda: AdoptionContactFactory().id)
    from_stage = None
    to_stage = "informed"
    changed_on = factory.LazyFunction(lambda: date.today() - timedelta(days=30))
    note = ""


class AdoptionTargetFactory(Base):
    class Meta:
        model = _lazy_import("mentorby.platform.adoption.models.AdoptionTarget")

    stage = "interested"
    minimum = 4
    due_on = date(2017, 12, 31)


FACTORIES.update({factory_class._meta.model: factory_class for factory_class in (
    AdoptionContactFactory, StageChangeFactory, AdoptionTargetFactory,
)})


def record_contact(*, by=None, **values):
    """An organisation recorded in the dissemination register through the service (its first stage with it)."""
    from mentorby.platform.adoption import services as adoption

    fields = {"name": "Odense Kommune", "kind": "city", "channel": "presentation",
              "informed_on": date.today() - timedelta(days=30), "notes": ""} | values
    return adoption.add_contact(db.session, fields, by=by)
class RoundRollupFactory(Base):
    class Meta:
        model = _lazy_import("mentorby.platform.national.models.RoundRollup")

    cohort_id = factory.Sequence(lambda n: 900_000 + n)
    year = 2026
    status = "running"
    mentors = 12
    mentees = 14


class CriterionRollupFactory(Base):
    class Meta:
        model = _lazy_import("mentorby.platform.national.models.CriterionRollup")

    code = "mentee_network"
    role = "mentee"
    year = 2026
    threshold = 0.6667
    of_everyone = False
    yes = 9
    answered = 12
    eligible = 14


FACTORIES.update({factory_class._meta.model: factory_class for factory_class in (
    RoundRollupFactory, CriterionRollupFactory,
)})


# --- consents and the city's privacy notice (tenants/applications/consent.py, tenants/privacy/) ----------------------


class ConsentRecordFactory(CityOwnedFactory):
    """A consent given on paper and imported: the city's own channel and day."""

    class Meta:
        model = _lazy_import("mentorby.tenants.applications.models.ConsentRecord")

    email = factory.Sequence(lambda n: f"consent{n}@example.org")
    version = "2026-11"
    locale = "da"
    channel = "paper"
    date_only = True


class PrivacyNoticeFactory(CityOwnedFactory):
    """A city's draft of its privacy notice."""

    class Meta:
        model = _lazy_import("mentorby.tenants.privacy.models.PrivacyNotice")

    controller_name = "Lyngby-Taarbæk Kommune"
    controller_address = "Lyngby Torv 17, 2800 Kongens Lyngby"
    contact_email = "databeskyttelse@ltk.example"
    dpo_contact = "Databeskyttelsesrådgiveren, dpo@ltk.example, 45 97 30 00"


class NoticeVersionFactory(CityOwnedFactory):
    """A published version of a city's privacy notice."""

    class Meta:
        model = _lazy_import("mentorby.tenants.privacy.models.NoticeVersion")

    version = factory.Sequence(lambda n: n + 1)
    controller_name = "Lyngby-Taarbæk Kommune"
    controller_address = "Lyngby Torv 17, 2800 Kongens Lyngby"
    contact_email = "databeskyttelse@ltk.example"
    dpo_contact = "Databeskyttelsesrådgiveren, dpo@ltk.example, 45 97 30 00"


FACTORIES.update({factory_class._meta.model: factory_class for factory_class in (
    ConsentRecordFactory, PrivacyNoticeFactory, NoticeVersionFactory,
)})
