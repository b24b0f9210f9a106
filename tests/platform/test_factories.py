"""Every model has a factory with realistic values, and each factory makes a row that the database accepts."""

from mentorby.platform.extensions import db as database
from tests import factories


def test_every_model_has_a_factory(app):
    models = {mapper.class_ for mapper in database.Model.registry.mappers}
    missing = sorted(model.__name__ for model in models if model not in factories.FACTORIES)
    assert missing == [], f"models without a factory in tests/factories.py: {missing}"


def test_every_factory_makes_a_row(db, host_city, coordinator, as_city):
    from mentorby.tenants.cohorts.models import Cohort

    F = factories
    cohort = F.CohortFactory(city=host_city, status="running")
    as_city(host_city)
    assert isinstance(cohort, Cohort) and cohort.name and len(cohort.events) == 6
    mentor = F.ApplicationFactory(cohort=cohort, role="mentor", status="accepted")
    mentee = F.ApplicationFactory(cohort=cohort, role="mentee", status="accepted")
    assert mentor.name in F.DANES and mentee.name in F.NEWCOMERS
    partner = F.PartnerFactory(city=host_city)
    rows = [
        F.CityFactory(), F.UserFactory(), F.MembershipFactory(city=host_city, role="mentor"),
        F.InvitationFactory(city=host_city), F.ApiTokenFactory(city=host_city, user=coordinator),
        F.SignInFactory(), F.OutboxMessageFactory(), F.AuditEntryFactory(city=host_city),
        partner, F.PartnerContactFactory(city=host_city, partner_id=partner.id),
        F.ProgrammeEventFactory(city=host_city), F.SuccessCriterionFactory(city=host_city),
        F.CohortEventFactory(city=host_city, cohort_id=cohort.id),
        F.CohortTransitionFactory(city=host_city, cohort_id=cohort.id),
        F.ParticipantFactory(cohort=cohort), F.CvDocumentFactory(cohort=cohort),
        F.MatchFactory(city=host_city, cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=mentee.id),
        F.PairRuleFactory(city=host_city, cohort_id=cohort.id, mentor_id=mentor.id, mentee_id=mentee.id),
        F.RatingFactory(city=host_city, cohort_id=cohort.id, rater_id=mentee.id, rated_id=mentor.id),
        F.MatchingWeightsFactory(city=host_city),
        F.NetworkingPlanFactory(city=host_city, cohort_id=cohort.id, mentor_ids=[mentor.id], mentee_ids=[mentee.id]),
        F.MatchingRunFactory(city=host_city, cohort_id=cohort.id),
        F.NetworkingLinkFactory(city=host_city, cohort_id=cohort.id, application_id=mentee.id),
        F.ImportJobFactory(city=host_city, cohort_id=cohort.id),
    ]
    survey = F.SurveyFactory(city=host_city, template="midway")
    section = F.SurveySectionFactory(city=host_city, survey_id=survey.id)
    question = F.QuestionFactory(city=host_city, survey_id=survey.id, section_id=section.id)
    response = F.ResponseFactory(cohort=cohort, key="midway")
    rows += [survey, section, question, F.SurveyPolicyFactory(city=host_city), response,
             F.SurveySendFactory(cohort=cohort, key="closing"),
             F.AnswerFactory(city=host_city, response_id=response.id, question_id=question.id),
             F.EvaluationReportFactory(city=host_city, cohort_id=cohort.id)]
    joint = cohort.events[0]
    rows += [F.EventDetailsFactory(city=host_city, event_id=joint.id),
             F.EventMaterialFactory(city=host_city, event_id=joint.id),
             F.EventInvitationFactory(city=host_city, event_id=joint.id, application_id=mentee.id),
             F.CalendarFeedFactory(city=host_city, application_id=mentee.id),
             F.AttendanceFactory(city=host_city, event_id=joint.id, application_id=mentee.id),
             F.EventPolicyFactory(city=host_city)]
    rows += [F.MailTemplateFactory(city=host_city), F.AnnouncementFactory(city=host_city),
             F.AnnouncementFactory(city=host_city, audience="mentees", cohort_id=cohort.id)]
    match = rows[16]
    log = F.SessionLogFactory(city=host_city, cohort_id=cohort.id, mentor_id=mentor.id, logged_by_id=mentee.id)
    rows += [log, F.SessionPairFactory(city=host_city, session_id=log.id, match_id=match.id),
             F.NudgeFactory(city=host_city, cohort_id=cohort.id, match_id=match.id),
             F.HealthPolicyFactory(city=host_city)]
    rows += [F.ConsentRecordFactory(city=host_city, application_id=mentee.id), F.PrivacyNoticeFactory(city=host_city),
             F.NoticeVersionFactory(city=host_city)]
    rows += [F.AdoptionContactFactory(), F.StageChangeFactory(), F.AdoptionTargetFactory()]
    rollup = F.RoundRollupFactory(city_id=host_city.id)
    rows += [rollup, F.CriterionRollupFactory(city_id=host_city.id, cohort_id=rollup.cohort_id)]
    made = {type(row) for row in rows} | {type(cohort), type(mentor)}
    assert made == set(F.FACTORIES), sorted(model.__name__ for model in set(F.FACTORIES) - made)
    assert all(getattr(row, "id", None) for row in rows)
