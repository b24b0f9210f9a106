"""Every city-owned model, imported in one place so that migrations and the app see the whole schema."""

from mentorby.tenants.applications.models import Application, ConsentRecord, CvDocument, Participant
from mentorby.tenants.cohorts.models import Cohort, CohortEvent, CohortTransition
from mentorby.tenants.communications.models import Announcement
from mentorby.tenants.evaluation.models import EvaluationReport
from mentorby.tenants.events.models import (
    Attendance,
    CalendarFeed,
    EventDetails,
    EventInvitation,
    EventMaterial,
    EventPolicy,
)
from mentorby.tenants.matching.models import Match, MatchingWeights, NetworkingPlan, PairRule, Rating
from mentorby.tenants.partners.models import Partner, PartnerContact
from mentorby.tenants.privacy.models import NoticeVersion, PrivacyNotice
from mentorby.tenants.programme.models import ProgrammeEvent, SuccessCriterion
from mentorby.tenants.sessions.models import HealthPolicy, Nudge, SessionLog, SessionPair
from mentorby.tenants.surveys.models import (
    Answer,
    Question,
    Response,
    Survey,
    SurveyPolicy,
    SurveySection,
    SurveySend,
)
from mentorby.tenants.transfer.models import ImportJob

__all__ = [
    "Application", "Cohort", "CohortEvent", "CohortTransition", "CvDocument", "Participant", "Partner",
    "PartnerContact", "ProgrammeEvent", "SuccessCriterion", "Match", "MatchingWeights", "NetworkingPlan", "PairRule",
    "Rating", "ImportJob", "Answer", "Question", "Response", "Survey", "SurveyPolicy", "SurveySection",
    "SurveySend", "EvaluationReport", "Attendance", "CalendarFeed", "EventDetails", "EventInvitation",
    "EventMaterial", "EventPolicy", "Announcement", "SessionLog", "SessionPair", "Nudge", "HealthPolicy",
    "ConsentRecord", "PrivacyNotice", "NoticeVersion",
]
