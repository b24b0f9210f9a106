"""The audit log's words for every audited table, grouped by the area it belongs to.

platform/audit/describe.py holds the machinery and may not import the areas; this module wires each area's tables
into it with the vocabularies of the pages (statuses, roles, kinds), so the log reads as the rest of the site does.
Importing it registers everything; the coordinator's and the admin's log pages import it. A column typed with a
vocabulary (platform/vocab.py) reads as its member's label without being listed here.
"""

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from mentorby.blueprints.matching import METHOD_LABELS, PRIORITY_LABELS
from mentorby.blueprints.messages import (
    APPLICATION_STATUS_LABELS,
    AUDIENCE_LABELS,
    AVAILABILITY_LABELS,
    COHORT_STATUS_LABELS,
    DANISH_LEVEL_LABELS,
    FIELD_LABELS,
    FORMAT_LABELS,
    LANGUAGE_LABELS,
    ROLE_LABELS,
)
from mentorby.platform.accounts.models import ApiToken, Invitation, Membership, User
from mentorby.platform.audit.describe import (
    Describer,
    Told,
    add_area,
    choice,
    codes,
    minutes,
    names_of,
    percent,
    register,
    size,
    text,
)
from mentorby.platform.cities.models import Tenant
from mentorby.platform.extensions import db
from mentorby.platform.outbox.models import MailTemplate
from mentorby.tenants.applications.models import Application, CvDocument, Participant
from mentorby.tenants.cohorts.models import Cohort, CohortEvent
from mentorby.tenants.communications.models import Announcement
from mentorby.tenants.matching.models import (
    Match,
    MatchingRun,
    MatchingWeights,
    MatchStatus,
    NetworkingLink,
    NetworkingPlan,
    PairRule,
    Rating,
)
from mentorby.tenants.partners.models import Partner, PartnerContact
from mentorby.tenants.privacy.models import NoticeVersion, PrivacyNotice
from mentorby.tenants.programme.models import ProgrammeEvent, SuccessCriterion
from mentorby.tenants.sessions.models import HealthPolicy
from mentorby.tenants.surveys.models import Anonymity, Survey, SurveyPolicy, SurveySend

add_area("rounds", _l("Rounds"))
add_area("applications", _l("Applications and mentor pool"))
add_area("networking", _l("Speed networking"))
add_area("matching", _l("Matching"))
add_area("partners", _l("Partners"))
add_area("programme", _l("Programme model"))
add_area("surveys", _l("Surveys"))
add_area("team", _l("Team and accounts"))
add_area("city", _l("The city"))

#: The same words for the same things in every table.
NAME, EMAIL, ROLE, STATUS = _l("name"), _l("e-mail"), _l("role"), _l("status")
LOCALE_LABELS = {"da": _l("Danish"), "en": _l("English")}
MATCH_STATUS_LABELS = {"proposed": _l("proposed"), "published": _l("published"), "completed": _l("completed"),
                       "ended_early": _l("ended early"), "replaced": _l("replaced")}
ENDED_BY_LABELS = {"coordinator": ROLE_LABELS["coordinator"], "mentor": ROLE_LABELS["mentor"],
                   "mentee": ROLE_LABELS["mentee"]}


def _locale_text(facts: dict, danish: str, english: str) -> str:
    first, second = (danish, english) if str(get_locale()) == "da" else (english, danish)
    return text(facts.get(first) or facts.get(second) or "—")


def _by_status(told: Told, column: str, sentences: dict):
    """The sentence for the status a row moved to, if there is one; marks the status as said."""
    if told.action != "update" or not told.changed(column) or told.new(column) not in sentences:
        return None
    told.use(column)
    return sentences[told.new(column)]


# --- rounds -------------------------------------------------------------------------------------------------------


class CohortWords(Describer):
    """A round: planned, moved through its life cycle, changed, exported."""

    table, area, model = "cohort", "rounds", Cohort
    facts = ("name",)
    labels = {"name": NAME, "starts_on": _l("start date"), "ends_on": _l("end date"),
              "apply_by": _l("application deadline"), "mentor_capacity": _l("places for mentors"),
              "mentee_capacity": _l("places for mentees"), "status": STATUS, "follow_up_on": _l("follow-up due"),
              "follow_up_reminded_at": _l("coordinators reminded of the follow-up"),
              "description": _l("description")}
    shows = {"status": choice(COHORT_STATUS_LABELS)}
    on_create = ("starts_on", "ends_on", "apply_by", "mentor_capacity", "mentee_capacity")
    detail_labels = {"format": _l("format"), "rows": _l("rows"), "status": _l("applications with the status"),
                     "report": _l("report")}

    def show_detail(self, key, value, names):
        """An export's details: the applications' status (or all of them), the format in capitals, the rows."""
        if key == "format":
            return str(value).upper()
        if key == "status":
            return _("all") if value == "all" else str(APPLICATION_STATUS_LABELS.get(value, value))
        return super().show_detail(key, value, names)

    def sentence(self, told):
        """Planned, moved, changed, deleted or exported."""
        name = told.name()
        if told.action == "update" and told.changed("status"):
            told.use("status")
            return told.say(_l("%(who)s moved %(round)s from %(old)s to %(new)s"), round=name,
                            old=told.value("status", told.old("status")), new=told.value("status", told.new("status")))
        if told.action == "export" and told.changes.get("report") == "evaluation":
            told.use("report")
            return told.say(_l("%(who)s downloaded the evaluation report of %(round)s"), round=name)
        return told.say({
            "create": _l("%(who)s planned the round %(round)s"),
            "update": _l("%(who)s changed the round %(round)s"),
            "delete": _l("%(who)s deleted the round %(round)s"),
            "export": _l("%(who)s exported the participants of %(round)s"),
        }.get(told.action, _l("%(who)s changed the round %(round)s")), round=name)


class CohortEventWords(Describer):
    """A joint event of a round."""

    table, area, model = "cohort_event", "rounds", CohortEvent
    facts = ("name_da", "name_en", "cohort_id")
    refs = {"cohort_id": "cohort"}
    labels = {"step": _l("place in the sequence"), "name_da": _l("name in Danish"),
              "name_en": _l("name in English"), "audience": _l("who takes part"), "starts_at": _l("date and time"),
              "duration_minutes": _l("duration"), "location": _l("location")}
    shows = {"audience": choice(AUDIENCE_LABELS), "duration_minutes": minutes}
    hidden = Describer.hidden | {"cohort_id", "kind"}
    on_create = ("starts_at",)

    def name(self, facts, names):
        """The event's name in the reader's language."""
        return _locale_text(facts, "name_da", "name_en")

    def sentence(self, told):
        """Added to a round, changed, removed."""
        return told.say({
            "create": _l("%(who)s added the joint event %(event)s to %(round)s"),
            "delete": _l("%(who)s removed the joint event %(event)s from %(round)s"),
        }.get(told.action, _l("%(who)s changed the joint event %(event)s of %(round)s")),
            event=told.name(), round=told.of("cohort_id"))


# --- applications and the mentor pool -----------------------------------------------------------------------------


class ParticipantWords(Describer):
    """A person in the city's pool."""

    table, area, model = "participant", "applications", Participant
    facts = ("name", "email", "role")
    labels = {"role": ROLE, "email": EMAIL, "name": NAME, "erased_at": _l("erased")}
    shows = {"role": choice(ROLE_LABELS)}
    on_create = ("email",)

    def sentence(self, told):
        """Added to the pool, changed, removed."""
        role = told.value("role", told.fact("role"))
        return told.say({
            "create": _l("%(who)s added %(person)s to the mentor pool as %(role)s"),
            "delete": _l("%(who)s removed %(person)s from the mentor pool"),
        }.get(told.action, _l("%(who)s changed %(person)s in the mentor pool")), person=told.name(), role=role)


class ApplicationWords(Describer):
    """An application to a round: filed, decided, noted, changed."""

    table, area, model = "application", "applications", Application
    facts = ("name", "email", "role", "cohort_id")
    refs = {"cohort_id": "cohort", "decided_by_id": "user_account", "employer_id": "partner",
            "partner_employer_id": "partner", "participant_id": "participant"}
    labels = {
        "role": ROLE, "status": STATUS, "source": _l("arrived through"), "name": NAME, "email": EMAIL,
        "phone": _l("phone"), "locale": _l("language of e-mails"), "field": _l("professional field"),
        "languages": _l("languages"), "availability": _l("can meet"), "education": _l("education"),
        "years_experience": _l("years of work experience"), "job_goal": _l("job goal"),
        "danish_level": _l("Danish"), "arrived_on": _l("arrived in Denmark"),
        "partner_employer": _l("partner's employer"),
        "partner_employer_id": _l("partner's employer among the partners"), "employer": _l("employer"),
        "employer_id": _l("employer among the partners"), "job_title": _l("job title"), "industry": _l("industry"),
        "expertise": _l("expertise"), "mentoring_format": _l("can take"), "mentee_capacity": _l("mentees at most"),
        "motivation": _l("motivation"), "consent_version": _l("version of the consent text"),
        "consent_at": _l("consent given"), "note": _l("note"), "erased_at": _l("erased"),
        "confirmed_at": _l("e-mail address confirmed"),
        "decided_at": _l("decided"), "decided_by_id": _l("decided by"),
        "invited": _l("told of the acceptance"), "share_cv": _l("the mentor may see the CV"),
        "notified_status": _l("decision told"), "notified_at": _l("told"),
    }
    shows = {
        "role": choice(ROLE_LABELS), "status": choice(APPLICATION_STATUS_LABELS), "locale": choice(LOCALE_LABELS),
        "notified_status": choice(APPLICATION_STATUS_LABELS),
        "field": choice(FIELD_LABELS), "industry": choice(FIELD_LABELS), "languages": codes(LANGUAGE_LABELS),
        "availability": codes(AVAILABILITY_LABELS), "danish_level": choice(DANISH_LEVEL_LABELS),
        "mentoring_format": choice(FORMAT_LABELS),
        "source": choice({"form": _l("the public form"), "reapply": _l("a re-application"),
                          "import": _l("an import"), "coordinator": _l("a coordinator")}),
    }
    hidden = Describer.hidden | {"cohort_id", "participant_id"}
    on_create = ("email", "field", "source")
    detail_labels = {"format": _l("format")}

    def show_detail(self, key, value, names):
        """An export's format in capitals."""
        return str(value).upper() if key == "format" else super().show_detail(key, value, names)

    def name(self, facts, names):
        """The applicant's name."""
        return text(facts.get("name") or facts.get("email") or "—")

    def sentence(self, told):
        """What happened to the application, in the words of the selection board."""
        person, cohort = told.name(), told.of("cohort_id")
        decided = _by_status(told, "status", {
            "accepted": _l("%(who)s accepted %(person)s's application to %(round)s"),
            "declined": _l("%(who)s declined %(person)s's application to %(round)s"),
            "waitlisted": _l("%(who)s put %(person)s on the waiting list for %(round)s"),
            "shortlisted": _l("%(who)s shortlisted %(person)s's application to %(round)s"),
            "withdrawn": (_l("%(who)s withdrew their application to %(round)s") if told.by_self
                          else _l("%(who)s marked %(person)s's application to %(round)s as withdrawn")),
        })
        if told.action == "export" and told.changes.get("report") == "personal_data":
            told.use("report")
            return told.say(_l("%(who)s exported everything held about %(person)s"), person=person)
        if decided is not None:
            told.use("decided_at", "decided_by_id")
            return told.say(decided, person=person, round=cohort)
        if told.action == "update" and told.changed("status"):
            told.use("status", "decided_at", "decided_by_id")
            return told.say(_l("%(who)s changed the status of %(person)s's application to %(round)s from %(old)s to "
                               "%(new)s"), person=person, round=cohort,
                            old=told.value("status", told.old("status")), new=told.value("status", told.new("status")))
        if told.action == "update" and set(told.changes) == {"invited"}:
            told.use("invited")
            template = (_l("%(who)s told %(person)s that they are accepted to %(round)s") if told.new("invited")
                        else _l("%(who)s withdrew %(person)s's invitation to an account (%(round)s)"))
            return told.say(template, person=person, round=cohort)
        if told.action == "update" and set(told.changes) == {"note"}:
            return told.say(_l("%(who)s changed the note on %(person)s's application to %(round)s"),
                            person=person, round=cohort)
        if told.action == "create":
            role = told.value("role", told.fact("role"))
            if told.by_self:
                return told.say(_l("%(who)s applied to %(round)s as %(role)s"), round=cohort, role=role)
            return told.say(_l("%(who)s added %(person)s's application to %(round)s as %(role)s"), person=person,
                            round=cohort, role=role)
        if told.action == "delete":
            return told.say(_l("%(who)s deleted %(person)s's application to %(round)s"), person=person, round=cohort)
        if told.by_self:
            return told.say(_l("%(who)s changed their application to %(round)s"), round=cohort)
        return told.say(_l("%(who)s changed %(person)s's application to %(round)s"), person=person, round=cohort)


class CvWords(Describer):
    """A mentee's CV: added, replaced, deleted, downloaded."""

    table, area, model = "cv_document", "applications", CvDocument
    facts = ("application_id",)
    refs = {"application_id": "application"}
    labels = {"filename": _l("file name"), "size": _l("size"), "uploaded_at": _l("uploaded")}
    shows = {"size": size}
    hidden = Describer.hidden | {"application_id", "sha256", "content"}
    on_create = ("filename", "size")
    detail_labels = {"application_id": _l("application")}

    def name(self, facts, names):
        """The CV by its applicant."""
        return names.name("application", facts.get("application_id"))

    def sentence(self, told):
        """Added, replaced, deleted, downloaded."""
        application = told.fact("application_id") or told.changes.get("application_id")
        facts = told.names.facts("application", application) or {}
        person = told.names.name("application", application)
        cohort = told.names.name("cohort", facts.get("cohort_id"))
        told.use("application_id")
        own = told.entry.actor is not None and facts.get("email") == told.entry.actor.email
        if told.action == "download":
            template = _l("%(who)s downloaded the CV in %(person)s's application to %(round)s")
        elif told.action == "create":
            template = (_l("%(who)s added a CV to their application to %(round)s") if own
                        else _l("%(who)s added a CV to %(person)s's application to %(round)s"))
        elif told.action == "delete":
            template = _l("%(who)s deleted the CV in %(person)s's application to %(round)s")
        else:
            template = (_l("%(who)s replaced the CV in their application to %(round)s") if own
                        else _l("%(who)s replaced the CV in %(person)s's application to %(round)s"))
        return told.say(template, person=person, round=cohort)


# --- speed networking ------------------------------------------------------------------------------------------------


class NetworkingPlanWords(Describer):
    """A round's speed-networking plan."""

    table, area, model = "networking_plan", "networking", NetworkingPlan
    facts = ("cohort_id",)
    refs = {"cohort_id": "cohort", "mentor_ids": "application", "mentee_ids": "application"}
    labels = {"turns": _l("turns"), "minutes": _l("minutes a turn"), "mentor_ids": _l("mentors"),
              "mentee_ids": _l("mentees")}
    shows = {"mentor_ids": names_of("application"), "mentee_ids": names_of("application")}
    hidden = Describer.hidden | {"cohort_id"}
    on_create = ("turns", "minutes", "mentor_ids", "mentee_ids")

    def name(self, facts, names):
        """The plan by its round."""
        return names.name("cohort", facts.get("cohort_id"))

    def sentence(self, told):
        """Made, remade, deleted."""
        return told.say({
            "create": _l("%(who)s made the speed-networking plan for %(round)s"),
            "delete": _l("%(who)s deleted the speed-networking plan for %(round)s"),
        }.get(told.action, _l("%(who)s changed the speed-networking plan for %(round)s")), round=told.of("cohort_id"))


class RatingWords(Describer):
    """A participant's rating of someone they met at the speed networking."""

    table, area, model = "rating", "networking", Rating
    facts = ("cohort_id", "rater_id", "rated_id")
    refs = {"cohort_id": "cohort", "rater_id": "application", "rated_id": "application"}
    labels = {"rater_id": _l("given by"), "rated_id": _l("about"), "value": _l("rating")}
    shows = {"value": lambda value, names: _("%(n)s of 5", n=value)}
    hidden = Describer.hidden | {"cohort_id"}
    on_create = ("value",)

    def name(self, facts, names):
        """The rating by whom it is about."""
        return names.name("application", facts.get("rated_id"))

    def sentence(self, told):
        """Given, changed, deleted."""
        return told.say({
            "create": _l("%(who)s rated %(person)s after the speed networking of %(round)s"),
            "delete": _l("%(who)s deleted a rating of %(person)s from the speed networking of %(round)s"),
        }.get(told.action, _l("%(who)s changed the rating of %(person)s from the speed networking of %(round)s")),
            person=told.of("rated_id"), round=told.of("cohort_id"))


# --- matching ------------------------------------------------------------------------------------------------------


def _pair(told: Told) -> dict:
    return {"mentor": told.of("mentor_id"), "mentee": told.of("mentee_id"), "round": told.of("cohort_id")}


class MatchWords(Describer):
    """A pair of a round: proposed, chosen, published, completed, ended, replaced."""

    table, area, model = "match", "matching", Match
    facts = ("cohort_id", "mentor_id", "mentee_id")
    refs = {"cohort_id": "cohort", "mentor_id": "application", "mentee_id": "application",
            "replaced_by_id": "match"}
    labels = {"mentor_id": _l("mentor"), "mentee_id": _l("mentee"), "group_no": _l("group"), "status": STATUS,
              "score": _l("score"), "manual": _l("chosen by hand"), "published_at": _l("published"),
              "ended_at": _l("ended"), "ended_by": _l("ended by"), "end_reason": _l("reason"),
              "replaced_by_id": _l("replaced by")}
    shows = {"status": choice(MATCH_STATUS_LABELS), "ended_by": choice(ENDED_BY_LABELS)}
    hidden = Describer.hidden | {"cohort_id", "reasons"}
    on_create = ("score",)

    def name(self, facts, names):
        """The pair as "mentor – mentee"."""
        mentor, mentee = facts.get("mentor_id"), facts.get("mentee_id")
        return f"{names.name('application', mentor)} – {names.name('application', mentee)}"

    def sentence(self, told):
        """What happened to the pair."""
        told.use("mentor_id", "mentee_id")
        moved = _by_status(told, "status", {
            "published": _l("%(who)s published the pair %(mentor)s – %(mentee)s in %(round)s"),
            "completed": _l("%(who)s closed the pair %(mentor)s – %(mentee)s in %(round)s as completed"),
            "ended_early": _l("%(who)s ended the pair %(mentor)s – %(mentee)s in %(round)s early"),
            "replaced": _l("%(who)s replaced the mentor of the pair %(mentor)s – %(mentee)s in %(round)s"),
        })
        if moved is not None:
            told.use("published_at", "ended_at")
            return told.say(moved, **_pair(told))
        if told.action == "create":
            told.use("status", "manual")
            if told.fact("status") == MatchStatus.PUBLISHED:
                template = _l("%(who)s gave %(mentee)s a new mentor, %(mentor)s, in %(round)s")
            elif told.fact("manual"):
                template = _l("%(who)s paired %(mentor)s with %(mentee)s by hand in %(round)s")
            else:
                template = _l("%(who)s proposed the pair %(mentor)s – %(mentee)s in %(round)s")
            return told.say(template, **_pair(told))
        if told.action == "delete":
            return told.say(_l("%(who)s removed the pair %(mentor)s – %(mentee)s from %(round)s"), **_pair(told))
        return told.say(_l("%(who)s changed the pair %(mentor)s – %(mentee)s in %(round)s"), **_pair(told))


class PairRuleWords(Describer):
    """The coordinator's word on a pair: pinned or forbidden."""

    table, area, model = "pair_rule", "matching", PairRule
    facts = ("cohort_id", "mentor_id", "mentee_id", "kind")
    refs = {"cohort_id": "cohort", "mentor_id": "application", "mentee_id": "application"}
    labels = {"mentor_id": _l("mentor"), "mentee_id": _l("mentee"), "kind": _l("rule")}
    shows = {"kind": choice({"pin": _l("pinned"), "forbid": _l("forbidden")})}
    hidden = Describer.hidden | {"cohort_id"}

    def name(self, facts, names):
        """The pair as "mentor – mentee"."""
        return MatchWords.name(self, facts, names)

    def sentence(self, told):
        """Pinned, forbidden, or the rule lifted."""
        told.use("mentor_id", "mentee_id", "kind")
        kind = told.fact("kind")
        if told.action == "delete":
            template = (_l("%(who)s lifted the ban on the pair %(mentor)s – %(mentee)s in %(round)s")
                        if kind == "forbid" else _l("%(who)s unpinned the pair %(mentor)s – %(mentee)s in %(round)s"))
        else:
            template = (_l("%(who)s forbade the pair %(mentor)s – %(mentee)s in %(round)s") if kind == "forbid"
                        else _l("%(who)s pinned the pair %(mentor)s – %(mentee)s in %(round)s"))
        return told.say(template, **_pair(told))


class MatchingRunWords(Describer):
    """The method and priority of the run that made a round's current proposal."""

    table, area, model = "matching_run", "matching", MatchingRun
    facts = ("cohort_id", "method", "priority")
    refs = {"cohort_id": "cohort"}
    labels = {"method": _l("method"), "priority": _l("priority"), "ran_at": _l("run")}
    shows = {"method": choice(METHOD_LABELS), "priority": choice(PRIORITY_LABELS)}
    hidden = Describer.hidden | {"cohort_id", "unmatched"}

    def name(self, facts, names):
        """The run by its round."""
        return names.name("cohort", facts.get("cohort_id"))

    def sentence(self, told):
        """Pairs proposed with a method."""
        told.use("method", "priority", "ran_at")
        if told.action == "delete":
            return told.say(_l("%(who)s cleared the proposal of %(round)s"), round=told.of("cohort_id"))
        return told.say(_l("%(who)s had pairs proposed for %(round)s (%(method)s)"), round=told.of("cohort_id"),
                        method=str(METHOD_LABELS.get(told.fact("method"), told.fact("method") or "")))


class NetworkingLinkWords(Describer):
    """A participant's personal speed-networking link, sent or sent again."""

    table, area, model = "networking_link", "networking", NetworkingLink
    facts = ("cohort_id", "application_id")
    refs = {"cohort_id": "cohort", "application_id": "application"}
    labels = {"application_id": _l("participant"), "sent_at": _l("sent"), "last_sent_at": _l("last sent")}
    hidden = Describer.hidden | {"cohort_id"}

    def name(self, facts, names):
        """The link by its participant."""
        return names.name("application", facts.get("application_id"))

    def sentence(self, told):
        """Sent, or sent again."""
        told.use("application_id", "sent_at", "last_sent_at")
        template = (_l("%(who)s sent %(person)s the speed-networking link for %(round)s") if told.action == "create"
                    else _l("%(who)s sent %(person)s the speed-networking link for %(round)s again"))
        return told.say(template, person=told.of("application_id"), round=told.of("cohort_id"))


class WeightsWords(Describer):
    """The city's weights for the compatibility score."""

    table, area, model = "matching_weights", "matching", MatchingWeights
    labels = {"field": _l("Same field"), "goal_expertise": _l("Job goal meets expertise"),
              "languages": _l("Shared language"), "availability": _l("Shared meeting times"),
              "preference": _l("Speed-networking ratings"),
              "conflict_policy": _l("Mentor from the company where the mentee's partner works")}
    shows = {"conflict_policy": choice({"flag": _l("Allow, but flag it"), "forbid": _l("Never propose it")})}
    on_create = ("field", "goal_expertise", "languages", "availability", "preference", "conflict_policy")

    def name(self, facts, names):
        """The city has one set of weights."""
        return _("the matching weights")

    def sentence(self, told):
        """Set or reset."""
        if told.action == "delete":
            return told.say(_l("%(who)s reset the matching weights"))
        return told.say(_l("%(who)s changed the matching weights"))


# --- partners -------------------------------------------------------------------------------------------------------


class PartnerWords(Describer):
    """A partner organisation."""

    table, area, model = "partner", "partners", Partner
    facts = ("name",)
    labels = {"name": NAME, "kind": _l("kind"), "website": _l("website"), "description": _l("description"),
              "public": _l("shown on the front page")}
    on_create = ("kind", "website", "public")

    def sentence(self, told):
        """Added, changed, deleted."""
        return told.say({
            "create": _l("%(who)s added the partner %(partner)s"),
            "delete": _l("%(who)s deleted the partner %(partner)s"),
        }.get(told.action, _l("%(who)s changed the partner %(partner)s")), partner=told.name())


class PartnerContactWords(Describer):
    """A contact person at a partner organisation."""

    table, area, model = "partner_contact", "partners", PartnerContact
    facts = ("name", "email", "partner_id")
    refs = {"partner_id": "partner"}
    labels = {"name": NAME, "email": EMAIL, "phone": _l("phone"), "job_title": _l("job title"),
              "invited_at": _l("invited as company contact")}
    hidden = Describer.hidden | {"partner_id"}
    on_create = ("email", "job_title")

    def sentence(self, told):
        """Added, invited, changed, removed."""
        params = {"person": told.name(), "partner": told.of("partner_id")}
        if told.action == "update" and told.changed("invited_at") and told.new("invited_at"):
            told.use("invited_at")
            return told.say(_l("%(who)s invited %(person)s (%(partner)s) as company contact"), **params)
        return told.say({
            "create": _l("%(who)s added %(person)s as a contact person at %(partner)s"),
            "delete": _l("%(who)s removed the contact person %(person)s from %(partner)s"),
        }.get(told.action, _l("%(who)s changed the contact person %(person)s at %(partner)s")), **params)


# --- the programme model -------------------------------------------------------------------------------------------


class ProgrammeEventWords(Describer):
    """A joint event of the programme model."""

    table, area, model = "programme_event", "programme", ProgrammeEvent
    facts = ("name_da", "name_en")
    labels = {"step": _l("place in the sequence"), "name_da": _l("name in Danish"), "name_en": _l("name in English"),
              "description_da": _l("description in Danish"), "description_en": _l("description in English"),
              "audience": _l("who takes part"), "week_offset": _l("weeks after the round starts"),
              "duration_minutes": _l("duration")}
    shows = {"duration_minutes": minutes}
    hidden = Describer.hidden | {"kind"}

    def name(self, facts, names):
        """The event's name in the reader's language."""
        return _locale_text(facts, "name_da", "name_en")

    def sentence(self, told):
        """Added, changed, removed."""
        return told.say({
            "create": _l("%(who)s added %(event)s to the programme model"),
            "delete": _l("%(who)s removed %(event)s from the programme model"),
        }.get(told.action, _l("%(who)s changed %(event)s in the programme model")), event=told.name())


class CriterionWords(Describer):
    """A success criterion of the programme model."""

    table, area, model = "success_criterion", "programme", SuccessCriterion
    facts = ("statement_da", "statement_en")
    labels = {"position": _l("place in the list"), "role": _l("whose answers count"), "threshold": _l("threshold"),
              "measured_at": _l("measured at"), "statement_da": _l("criterion in Danish"),
              "statement_en": _l("criterion in English"), "question_key": _l("question it reads"),
              "yes_values": _l("answers that count as a yes"), "of_everyone": _l("counts everyone who took part")}
    shows = {"threshold": percent}
    hidden = Describer.hidden | {"code"}

    def name(self, facts, names):
        """The criterion's statement in the reader's language."""
        return _locale_text(facts, "statement_da", "statement_en")

    def sentence(self, told):
        """Added, changed, removed."""
        return told.say({
            "create": _l("%(who)s added the success criterion “%(criterion)s”"),
            "delete": _l("%(who)s removed the success criterion “%(criterion)s”"),
        }.get(told.action, _l("%(who)s changed the success criterion “%(criterion)s”")), criterion=told.name())


# --- surveys --------------------------------------------------------------------------------------------------------


class SurveyWords(Describer):
    """One version of a survey."""

    table, area, model = "survey", "surveys", Survey
    facts = ("title_da", "title_en", "version")
    labels = {"title_da": _l("title in Danish"), "title_en": _l("title in English"),
              "intro_da": _l("introduction in Danish"), "intro_en": _l("introduction in English"),
              "is_current": _l("current version"), "moment": _l("place in the round"), "audience": _l("asked")}
    hidden = Describer.hidden | {"key", "version"}

    def name(self, facts, names):
        """The survey's title in the reader's language."""
        return _locale_text(facts, "title_da", "title_en")

    def sentence(self, told):
        """Added (a new survey or a new version), changed, removed."""
        if told.action == "create" and (told.new("version") or 1) > 1:
            return told.say(_l("%(who)s made version %(version)s of the survey %(survey)s"), survey=told.name(),
                            version=told.new("version"))
        return told.say({
            "create": _l("%(who)s added the survey %(survey)s"),
            "delete": _l("%(who)s removed the survey %(survey)s"),
        }.get(told.action, _l("%(who)s changed the survey %(survey)s")), survey=told.name())


class SurveySendWords(Describer):
    """A survey sent to a round."""

    table, area, model = "survey_send", "surveys", SurveySend
    facts = ("survey_key", "cohort_id")
    refs = {"cohort_id": "cohort"}
    labels = {"anonymity": _l("anonymity"), "reminder_days": _l("reminder days"), "closes_on": _l("closes on"),
              "sent_on": _l("sent on"), "automatic": _l("sent by itself")}
    shows = {"anonymity": choice({member.value: member._label for member in Anonymity})}
    hidden = Describer.hidden | {"cohort_id", "survey_id", "sent_by_id", "sent_at", "survey_key"}
    detail_labels = {"format": _l("format"), "rows": _l("people"), "answers": _l("answers"), "file": _l("file")}

    def show_detail(self, key, value, names):
        """An import's or export's details: the format in capitals, the rows, the file's name."""
        if key == "format":
            return str(value).upper()
        return super().show_detail(key, value, names)

    def sentence(self, told):
        """Sent (by a coordinator or by itself), answers imported into it or exported from it."""
        params = {"survey": text(told.fact("survey_key") or "—"), "cohort": told.of("cohort_id")}
        if told.action == "create" and told.new("automatic"):
            return told.say(_l("The survey %(survey)s went out by itself to %(cohort)s"), **params)
        return told.say({
            "create": _l("%(who)s sent the survey %(survey)s to %(cohort)s"),
            "delete": _l("%(who)s removed the survey %(survey)s from %(cohort)s"),
            "import": _l("%(who)s imported answers to the survey %(survey)s in %(cohort)s"),
            "export": _l("%(who)s exported the answers to the survey %(survey)s in %(cohort)s"),
        }.get(told.action, _l("%(who)s changed the survey %(survey)s in %(cohort)s")), **params)


class SurveyPolicyWords(Describer):
    """The city's survey policy."""

    table, area, model = "survey_policy", "surveys", SurveyPolicy
    labels = {"anonymity": _l("anonymity"), "reminder_days": _l("reminder days"),
              "open_days": _l("days a survey stays open")}
    shows = {"anonymity": choice({member.value: member._label for member in Anonymity})}
    on_create = ("anonymity", "reminder_days", "open_days")

    def sentence(self, told):
        """Changed."""
        return told.say(_l("%(who)s changed how surveys are sent"))


# --- team and accounts ---------------------------------------------------------------------------------------------


class UserWords(Describer):
    """A person's account."""

    table, area, model = "user_account", "team", User
    facts = ("name", "email")
    labels = {"email": EMAIL, "name": NAME, "password_hash": _l("password"), "locale": _l("language"),
              "platform_role": _l("platform role"), "active": _l("active"), "last_login_at": _l("last signed in")}
    shows = {"locale": choice(LOCALE_LABELS)}
    on_create = ("email",)
    detail_labels = {"format": _l("format")}

    def name(self, facts, names):
        """The person's name, or their e-mail."""
        return text(facts.get("name") or facts.get("email") or "—")

    def show_detail(self, key, value, names):
        """A download's format in capitals."""
        return str(value).upper() if key == "format" else super().show_detail(key, value, names)

    def sentence(self, told):
        """Created, changed (the password, active), deleted; the person's own changes say so."""
        own, person = told.by_self, told.name()
        if told.action == "export" and told.changes.get("report") == "personal_data":
            told.use("report")
            return told.say(_l("%(who)s downloaded their own data"))
        if told.action == "create":
            return told.say(_l("%(who)s created their account") if own
                            else _l("%(who)s created an account for %(person)s"), person=person)
        if told.action == "delete":
            return told.say(_l("%(who)s deleted the account of %(person)s"), person=person)
        if told.changed("password_hash"):
            told.use("password_hash")
            return told.say(_l("%(who)s changed their password") if own
                            else _l("%(who)s changed the password of %(person)s"), person=person)
        if told.changed("active") and not own:
            told.use("active")
            return told.say(_l("%(who)s reactivated the account of %(person)s") if told.new("active")
                            else _l("%(who)s deactivated the account of %(person)s"), person=person)
        return told.say(_l("%(who)s changed their account") if own
                        else _l("%(who)s changed the account of %(person)s"), person=person)


class MembershipWords(Describer):
    """A person's role in the city."""

    table, area, model = "membership", "team", Membership
    facts = ("user_id", "role")
    refs = {"user_id": "user_account"}
    labels = {"user_id": _l("person"), "role": ROLE}

    def name(self, facts, names):
        """The person holding the role."""
        return names.name("user_account", facts.get("user_id"))

    def sentence(self, told):
        """Given, taken away."""
        told.use("user_id", "role")
        params = {"person": told.name(), "role": told.value("role", told.fact("role"))}
        if told.action == "create":
            return told.say(_l("%(who)s took up the role of %(role)s") if told.by_self
                            else _l("%(who)s gave %(person)s the role of %(role)s"), **params)
        if told.action == "delete":
            return told.say(_l("%(who)s took the role of %(role)s from %(person)s"), **params)
        return told.say(_l("%(who)s changed the role of %(person)s"), **params)


class InvitationWords(Describer):
    """An invitation to take a role in the city."""

    table, area, model = "invitation", "team", Invitation
    facts = ("name", "email", "role")
    refs = {"invited_by_id": "user_account"}
    labels = {"email": EMAIL, "name": NAME, "role": ROLE, "invited_by_id": _l("invited by"),
              "accepted_at": _l("accepted"), "revoked_at": _l("withdrawn"), "expires_at": _l("valid until")}
    on_create = ("email",)

    def name(self, facts, names):
        """The invited person's name, or their e-mail."""
        return text(facts.get("name") or facts.get("email") or "—")

    def sentence(self, told):
        """Sent, accepted, withdrawn."""
        params = {"person": told.name(), "role": told.value("role", told.fact("role"))}
        told.use("role", "name", "invited_by_id")
        if told.action == "create":
            return told.say(_l("%(who)s invited %(person)s as %(role)s"), **params)
        if told.action == "delete":
            return told.say(_l("%(who)s deleted the invitation of %(person)s as %(role)s"), **params)
        if told.changed("revoked_at") and told.new("revoked_at"):
            told.use("revoked_at")
            return told.say(_l("%(who)s withdrew the invitation of %(person)s as %(role)s"), **params)
        if told.changed("accepted_at") and told.new("accepted_at"):
            told.use("accepted_at")
            return told.say(_l("%(person)s accepted the invitation as %(role)s"), **params)
        return told.say(_l("%(who)s changed the invitation of %(person)s as %(role)s"), **params)


class ApiTokenWords(Describer):
    """A coordinator's personal API token."""

    table, area, model = "api_token", "team", ApiToken
    facts = ("name", "user_id")
    refs = {"user_id": "user_account"}
    labels = {"user_id": _l("owner"), "name": NAME, "token_hash": _l("token"), "prefix": _l("begins with"),
              "last_used_at": _l("last used"), "revoked_at": _l("revoked")}
    on_create = ("prefix",)

    def sentence(self, told):
        """Created, used, revoked, deleted."""
        told.use("user_id", "token_hash")
        token = told.name()
        if told.action == "create":
            return told.say(_l("%(who)s created the API token “%(token)s”"), token=token)
        if told.action == "delete":
            return told.say(_l("%(who)s deleted the API token “%(token)s”"), token=token)
        if told.changed("revoked_at") and told.new("revoked_at"):
            told.use("revoked_at")
            return told.say(_l("%(who)s revoked the API token “%(token)s”"), token=token)
        if set(told.changes) == {"last_used_at"}:
            return told.say(_l("%(who)s used the API token “%(token)s”"), token=token)
        return told.say(_l("%(who)s changed the API token “%(token)s”"), token=token)


# --- the city ---------------------------------------------------------------------------------------------------------


class CityWords(Describer):
    """The city itself: its sign-up, approval, suspension and settings."""

    table, area, model = "tenant", "city", Tenant
    facts = ("name",)
    labels = {"slug": _l("web address"), "name": _l("programme name"), "municipality": _l("municipality"),
              "region": _l("region"), "status": STATUS, "is_host": _l("host city"),
              "contact_name": _l("contact person"),
              "contact_email": _l("contact e-mail"), "motivation": _l("motivation"), "timezone": _l("time zone"),
              "public_email": _l("public e-mail address"), "public_phone": _l("public phone"),
              "intro_da": _l("front page text in Danish"), "intro_en": _l("front page text in English"),
              "decided_at": _l("decided")}
    # Written at commit when what the front page lists changed (tenants/public_page.py): not a change of the city.
    hidden = Describer.hidden | {"public_stamp"}
    on_create = ("slug", "municipality")

    def sentence(self, told):
        """Approved, rejected, suspended, reinstated, changed."""
        city = told.name()
        if told.action == "update" and told.changed("status"):
            told.use("status", "decided_at")
            template = {
                ("pending", "active"): _l("%(who)s approved the city %(city)s"),
                ("pending", "rejected"): _l("%(who)s rejected the city %(city)s"),
                ("active", "suspended"): _l("%(who)s suspended the city %(city)s"),
                ("suspended", "active"): _l("%(who)s reinstated the city %(city)s"),
            }.get((told.old("status"), told.new("status")))
            if template is not None:
                return told.say(template, city=city)
            return told.say(_l("%(who)s moved the city %(city)s from %(old)s to %(new)s"), city=city,
                            old=told.value("status", told.old("status")), new=told.value("status", told.new("status")))
        return told.say({
            "create": _l("%(who)s created the city %(city)s"),
            "delete": _l("%(who)s deleted the city %(city)s"),
        }.get(told.action, _l("%(who)s changed the city %(city)s")), city=city)


for _words in (CohortWords, CohortEventWords, ParticipantWords, ApplicationWords, CvWords, NetworkingPlanWords,
               RatingWords, NetworkingLinkWords, MatchWords, PairRuleWords, MatchingRunWords, WeightsWords,
               PartnerWords, PartnerContactWords, ProgrammeEventWords, CriterionWords, SurveyWords, SurveySendWords,
               SurveyPolicyWords, UserWords, MembershipWords,
               InvitationWords, ApiTokenWords, CityWords):
    register(_words())


# --- communications -------------------------------------------------------------------------------------------------

add_area("communications", _l("E-mail and announcements"))


class MailTemplateWords(Describer):
    """The city's own wording of one kind of e-mail in one language."""

    table, area, model = "mail_template", "communications", MailTemplate
    facts = ("kind", "locale")
    labels = {"kind": _l("e-mail"), "locale": _l("language"), "subject": _l("subject"), "body": _l("text"),
              "updated_at": _l("changed at")}
    shows = {"locale": choice(LOCALE_LABELS)}
    hidden = Describer.hidden | {"updated_at"}
    on_create = ("subject",)

    def name(self, facts, names):
        """The kind of e-mail and its language."""
        language = LOCALE_LABELS.get(facts.get("locale"), facts.get("locale") or "")
        return text(f"{facts.get('kind') or '—'} ({language})")

    def sentence(self, told):
        """Worded, reworded, back to the platform's wording."""
        return told.say({
            "create": _l("%(who)s wrote the city's own e-mail %(mail)s"),
            "delete": _l("%(who)s went back to the platform's e-mail %(mail)s"),
        }.get(told.action, _l("%(who)s changed the city's e-mail %(mail)s")), mail=told.name())


class AnnouncementWords(Describer):
    """An announcement sent to a round or the mentor pool."""

    table, area, model = "announcement", "communications", Announcement
    facts = ("subject_da", "subject_en", "cohort_id")
    refs = {"cohort_id": "cohort"}
    labels = {"cohort_id": _l("round"), "audience": _l("to"), "subject_da": _l("subject in Danish"),
              "body_da": _l("text in Danish"), "subject_en": _l("subject in English"),
              "body_en": _l("text in English"), "recipients": _l("people"), "sent_by_id": _l("sent by")}
    hidden = Describer.hidden | {"sent_by_id"}
    on_create = ("audience", "cohort_id", "recipients", "subject_da", "subject_en")

    def name(self, facts, names):
        """The announcement's subject in the reader's language."""
        return _locale_text(facts, "subject_da", "subject_en")

    def sentence(self, told):
        """Sent."""
        return told.say({
            "create": _l("%(who)s sent the announcement %(subject)s"),
        }.get(told.action, _l("%(who)s changed the announcement %(subject)s")), subject=told.name())


register(MailTemplateWords())
register(AnnouncementWords())
# --- the running round's health (blueprints/sessions.py) ----------------------------------------------------------


class HealthPolicyWords(Describer):
    """The city's health policy for running rounds."""

    table, area, model = "health_policy", "rounds", HealthPolicy
    labels = {"quiet_weeks": _l("weeks without a session before a pair is at risk"),
              "auto_nudges": _l("automatic nudges")}
    on_create = ("quiet_weeks", "auto_nudges")

    def sentence(self, told):
        """Changed."""
        return told.say(_l("%(who)s changed how running rounds are watched"))


register(HealthPolicyWords())
# --- erasure (tenants/privacy/erasure.py) ---------------------------------------------------------------------------


class PersonWords(Describer):
    """A person erased: the entry counts the rows of each table and never says whom."""

    table, area, model = "person", "applications", None
    hidden = frozenset()

    def load(self, session, ids):
        """Nothing to load: the person is gone, on purpose."""
        return {}

    def want(self, entry, names):
        """Nothing to ask for."""

    def label(self, column: str) -> str:
        """A table by the title the record of processing gives it."""
        extra = {"outbox_mentions": _l("E-mails to others that named the person"),
                 "never_accepted": _l("People never accepted, erased"), "cvs": _l("CVs deleted"),
                 "after_follow_up": _l("People erased after their round's follow-up"),
                 "skipped": _l("Coordinators past a period, not erased"),
                 "shared_session_log": _l("Sessions of the person's pairs that others logged"),
                 "membership": _l("Roles in the city")}
        if column in extra:
            return str(extra[column])
        for mapper in db.Model.registry.mappers:
            declared = getattr(mapper.class_, "__personal__", None)
            if mapper.local_table.name == column and declared is not None:
                return str(declared.title)
        return column

    def show_detail(self, key, value, names):
        """A count of rows."""
        return str(value)

    def sentence(self, told):
        """Erased, by hand or by the nightly retention."""
        if told.action == "retention":
            return told.say(_l("%(who)s applied the city's retention periods"))
        return told.say(_l("%(who)s erased a person's personal data"))


register(PersonWords())


# --- the city's privacy notice (blueprints/notice.py) -----------------------------------------------------------------

NOTICE_LABELS = {
    "controller_name": _l("data controller"), "controller_address": _l("controller's address"),
    "contact_email": _l("contact e-mail"), "dpo_contact": _l("data-protection officer"),
    "extra_da": _l("paragraph in Danish"), "extra_en": _l("paragraph in English"),
    "never_accepted_days": _l("days applications of people never accepted are kept"),
    "cv_days": _l("days CVs are kept"), "after_followup_days": _l("days personal data is kept after the follow-up"),
}


class PrivacyNoticeWords(Describer):
    """The draft of the city's privacy notice."""

    table, area, model = "privacy_notice", "city", PrivacyNotice
    labels = NOTICE_LABELS
    hidden = Describer.hidden | {"updated_at"}
    on_create = ("controller_name", "never_accepted_days", "cv_days", "after_followup_days")

    def sentence(self, told):
        """Saved."""
        return told.say(_l("%(who)s changed the draft of the privacy notice"))


class NoticeVersionWords(Describer):
    """A published version of the city's privacy notice."""

    table, area, model = "privacy_notice_version", "city", NoticeVersion
    facts = ("version",)
    labels = NOTICE_LABELS | {"version": _l("version"), "published_at": _l("published"),
                              "published_by_id": _l("published by")}
    hidden = Describer.hidden | {"published_by_id", "published_at"}
    on_create = ("version", "never_accepted_days", "cv_days", "after_followup_days")

    def name(self, facts, names):
        """The version's number."""
        return str(facts.get("version") or "")

    def sentence(self, told):
        """Published."""
        return told.say({
            "create": _l("%(who)s published version %(version)s of the privacy notice"),
        }.get(told.action, _l("%(who)s changed version %(version)s of the privacy notice")), version=told.name())


register(PrivacyNoticeWords())
register(NoticeVersionWords())
