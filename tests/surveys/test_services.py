"""The survey builder, sending and answering, against the database."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mentorby.platform.outbox.models import OutboxMessage
from mentorby.tenants.surveys import answering, builder, sending
from mentorby.tenants.surveys.errors import SurveyError
from mentorby.tenants.surveys.models import Answer, Response, Survey, SurveySend
from tests import factories as F


@pytest.fixture
def round_running(host_city, create_cohort, create_application):
    cohort = create_cohort(host_city, status="running")
    people = [create_application(cohort, role="mentee", status="accepted") for _ in range(3)]
    people += [create_application(cohort, role="mentor", status="accepted") for _ in range(2)]
    create_application(cohort, role="mentee", status="declined")
    return cohort, people


def test_a_new_city_gets_the_programme_survey_set(in_host_city, db):
    keys = [survey.key for survey in builder.current_surveys(db.session)]
    assert keys == ["baseline", "midway", "closing", "follow_up", "company_retention"]
    closing = builder.current(db.session, "closing")
    assert [section.title_en for section in closing.sections] == ["Network and competences", "Job search", "Overall"]
    assert {question.key for question in closing.questions} >= {"network", "intercultural", "job_search_active",
                                                                "direction", "would_recommend", "may_quote"}


def test_copying_a_template_twice_gives_a_second_key(in_host_city, db):
    copy = builder.copy_template(db.session, "closing")
    assert copy.key == "closing_2" and copy.version == 1 and len(copy.questions) == 9


def test_sending_makes_a_personal_link_per_accepted_person_and_mails_it(round_running, as_city, host_city, db):
    cohort, people = round_running
    sent = F.send_survey(cohort, "closing", today=date(2027, 6, 1))
    as_city(host_city)
    responses = db.session.execute(select(Response).where(Response.send_id == sent.id)).scalars().all()
    assert sorted(response.role for response in responses) == ["mentee"] * 3 + ["mentor"] * 2
    assert sent.closes_on == date(2027, 6, 29) and sent.reminder_days == [7, 14, 21]
    mails = db.session.execute(select(OutboxMessage).where(OutboxMessage.kind == "survey_invitation")).scalars().all()
    assert len(mails) == 5
    token = sending.token_of(responses[0])
    assert len(token) >= 40 and token in "".join(mail.body for mail in mails)
    # The database holds only the token's hash; the link finds its response again, and a made-up one finds none.
    assert responses[0].token_hash != token and sending.find_response(db.session, token) == responses[0]
    assert sending.find_response(db.session, token[:-1] + ("A" if token[-1] != "A" else "B")) is None


def test_a_survey_goes_out_once_per_round_and_not_before_selection(round_running, as_city, host_city, db,
                                                                   create_cohort):
    cohort, _ = round_running
    F.send_survey(cohort, "closing")
    with pytest.raises(SurveyError) as twice:
        F.send_survey(cohort, "closing")
    assert twice.value.code == "already_sent"
    recruiting = create_cohort(host_city, status="recruiting")
    with pytest.raises(Exception) as early:
        F.send_survey(recruiting, "closing")
    assert early.value.code == "phase_survey"
    empty = create_cohort(host_city, status="running")
    with pytest.raises(SurveyError) as nobody:
        F.send_survey(empty, "closing")
    assert nobody.value.code == "no_recipients"


def test_a_link_of_one_city_opens_nothing_in_another(round_running, as_city, host_city, other_city, db):
    cohort, _ = round_running
    sent = F.send_survey(cohort, "midway")
    as_city(host_city)
    token = sending.token_of(sent.responses[0])
    as_city(other_city)
    assert sending.find_response(db.session, token) is None


def _response(db, sent, role="mentee") -> Response:
    return next(response for response in sent.responses if response.role == role)


def _closing_sent_today(db, round_running, as_city, host_city) -> Response:
    """The round's closing survey sent today, the test reading as its city: a mentee's response."""
    sent = F.send_survey(round_running[0], "closing", today=date.today())
    as_city(host_city)
    return _response(db, sent)


def test_autosave_then_submit_keeps_the_answers_and_closes_the_response(round_running, as_city, host_city, db):
    today = date.today()
    response = _closing_sent_today(db, round_running, as_city, host_city)
    questions = {question.key: question for question in answering.questions_of(response)}
    answering.save_answer(db.session, response, questions["network"].id, ["4"], today)
    assert response.started_at is not None and answering.given(response) == {"network": ["4"]}
    with pytest.raises(SurveyError) as missing:
        answering.submit(db.session, response, {str(questions["network"].id): ["4"]}, today)
    assert {problem.field for problem in missing.value.problems} == {
        "q_job_search_active", "q_direction", "q_would_recommend"}
    assert response.submitted_at is None
    answers = {str(questions[key].id): [value] for key, value in (
        ("network", "5"), ("job_search_active", "4"), ("direction", "2"), ("would_recommend", "yes"),
        ("best", "Meeting people in my field"), ("may_quote", "yes"))}
    answering.submit(db.session, response, answers, today)
    assert response.submitted_at is not None
    assert answering.given(response)["network"] == ["5"]
    with pytest.raises(SurveyError) as again:
        answering.save_answer(db.session, response, questions["network"].id, ["1"], today)
    assert again.value.code == "already_answered"
    assert answering.given(response)["network"] == ["5"]


def test_a_response_submitted_at_once_deletes_nothing_first(round_running, as_city, host_city, db, count_queries):
    """The usual answer: the whole form at once, nothing autosaved before (no answers to replace)."""
    response = _closing_sent_today(db, round_running, as_city, host_city)
    with count_queries() as submitted:
        answering.submit(db.session, response, F.closing_answers(response), date.today())
    assert not any(statement.lstrip().upper().startswith("DELETE") for statement in submitted.statements)
    assert response.started_at is not None and answering.given(response) == {
        "network": ["5"], "job_search_active": ["4"], "direction": ["2"], "would_recommend": ["yes"]}


def test_a_mentor_is_not_asked_the_mentees_questions(round_running, as_city, host_city, db):
    cohort, _ = round_running
    sent = F.send_survey(cohort, "closing")
    as_city(host_city)
    mentor = _response(db, sent, "mentor")
    job = next(question for question in answering.questions_of(mentor) if question.key == "job_search_active")
    with pytest.raises(SurveyError) as refused:
        answering.save_answer(db.session, mentor, job.id, ["4"], date.today())
    assert refused.value.code == "unknown_question"


@pytest.mark.parametrize(("key", "raw", "code"), [
    ("network", ["6"], "answer_not_a_choice"),
    ("network", ["4", "5"], "answer_one_choice"),
    ("would_recommend", ["maybe"], "answer_not_a_choice"),
    ("best", ["x" * 4001], "answer_too_long"),
])
def test_answers_outside_a_questions_range_are_refused_and_change_nothing(round_running, as_city, host_city, db,
                                                                         key, raw, code):
    cohort, _ = round_running
    sent = F.send_survey(cohort, "closing")
    as_city(host_city)
    response = _response(db, sent)
    question = next(question for question in answering.questions_of(response) if question.key == key)
    with pytest.raises(SurveyError) as refused:
        answering.save_answer(db.session, response, question.id, raw, date.today())
    assert refused.value.code == code
    assert db.session.execute(select(func.count()).select_from(Answer)).scalar_one() == 0


def test_a_number_is_checked_against_its_range(round_running, as_city, host_city, db):
    cohort, _ = round_running
    sent = F.send_survey(cohort, "midway")
    as_city(host_city)
    response = _response(db, sent)
    meetings = next(question for question in answering.questions_of(response) if question.key == "meetings")
    for raw, code in ((["51"], "answer_out_of_range"), (["three"], "answer_not_a_number")):
        with pytest.raises(SurveyError) as refused:
            answering.save_answer(db.session, response, meetings.id, raw, date.today())
        assert refused.value.code == code
    answering.save_answer(db.session, response, meetings.id, ["3"], date.today())
    assert answering.given(response) == {"meetings": ["3"]}


def test_a_question_of_another_survey_is_a_tampered_form(round_running, as_city, host_city, db):
    cohort, _ = round_running
    closing = F.send_survey(cohort, "closing")
    midway = F.send_survey(cohort, "midway")
    as_city(host_city)
    foreign = midway.survey.questions[0]
    with pytest.raises(SurveyError) as refused:
        answering.submit(db.session, _response(db, closing), {str(foreign.id): ["3"]}, date.today())
    assert refused.value.code == "unknown_question"


def test_a_closed_survey_takes_no_answers(round_running, as_city, host_city, db):
    cohort, _ = round_running
    sent = F.send_survey(cohort, "closing", today=date.today() - timedelta(days=40))
    as_city(host_city)
    response = _response(db, sent)
    with pytest.raises(SurveyError) as refused:
        answering.save_answer(db.session, response, answering.questions_of(response)[0].id, ["4"], date.today())
    assert refused.value.code == "survey_closed"


def test_show_if_hides_a_question_until_its_condition_is_met(round_running, as_city, host_city, db):
    cohort, _ = round_running
    cohort.status = "closed"
    sent = F.send_survey(cohort, "follow_up")
    as_city(host_city)
    response = _response(db, sent)
    questions = answering.questions_of(response)
    keys = lambda given: [q.key for q in answering.visible(questions, "mentee", given)]  # noqa: E731
    assert "in_field" not in keys({}) and "in_field" not in keys({"employment": ["job_seeking"]})
    assert "in_field" in keys({"employment": ["part_time"]})
    by_key = {question.key: question for question in questions}
    # An answer to a question that is hidden by the time the person submits is not kept.
    answering.submit(db.session, response, {str(by_key["employment"].id): ["job_seeking"],
                                            str(by_key["in_field"].id): ["yes"]}, date.today())
    assert answering.given(response) == {"employment": ["job_seeking"]}


def test_editing_a_sent_survey_makes_a_new_version_and_answers_keep_theirs(round_running, as_city, host_city, db):
    cohort, _ = round_running
    sent = F.send_survey(cohort, "closing")
    as_city(host_city)
    first = builder.current(db.session, "closing")
    network = next(question for question in first.questions if question.key == "network")
    values = {"key": "network", "kind": "likert", "text_da": "Mit netværk er vokset.",
              "text_en": "My network has grown.", "required": "y"}
    edited = builder.update_question(db.session, first, network, values)
    second = builder.current(db.session, "closing")
    assert second.version == 2 and edited.survey_id == second.id and edited.text_en == "My network has grown."
    assert not first.is_current and network.text_en.startswith("The programme has developed")
    assert _response(db, sent).send.survey_id == first.id
    # The old version no longer changes: an edit through a page opened before the new version is refused.
    with pytest.raises(SurveyError) as outdated:
        builder.update_question(db.session, first, network, values)
    assert outdated.value.code == "survey_outdated"
    # Editing the unsent new version changes it in place.
    assert builder.update_survey(db.session, second, {"title_da": "Evaluering", "title_en": "Evaluation"}) is second
    assert db.session.execute(select(func.count()).select_from(Survey).where(Survey.key == "closing")).scalar_one() == 2


@pytest.mark.parametrize(("values", "fields"), [
    ({"key": "Bad Key", "kind": "likert", "text_da": "x", "text_en": "y"}, {"key"}),
    ({"key": "topic", "kind": "single", "text_da": "x", "text_en": "y", "options": "a | A | A"}, {"options"}),
    ({"key": "hours", "kind": "number", "text_da": "x", "text_en": "y", "minimum": "5", "maximum": "1"},
     {"maximum"}),
    ({"key": "network", "kind": "likert", "text_da": "", "text_en": "y"}, {"text_da"}),
    ({"key": "later", "kind": "text", "text_da": "x", "text_en": "y", "show_if_key": "nothing_like_it",
      "show_if_values": "yes"}, {"show_if_key"}),
])
def test_a_bad_question_is_refused_with_every_field_named(in_host_city, db, values, fields):
    survey = builder.current(db.session, "closing")
    before = len(survey.questions)
    with pytest.raises(SurveyError) as refused:
        builder.add_question(db.session, survey, survey.sections[0].id, values)
    assert {problem.field for problem in refused.value.problems} >= fields
    db.session.expire(survey, ["questions"])
    assert len(survey.questions) == before


def test_a_question_with_choices_and_a_condition(in_host_city, db):
    survey = builder.current(db.session, "closing")
    question = builder.add_question(db.session, survey, survey.sections[-1].id, {
        "key": "favourite_event", "kind": "single", "text_da": "Bedste arrangement?", "text_en": "Best event?",
        "options": "kickoff | Kick-off | Kick-off\nmidway | Midtvejs | Midway",
        "show_if_key": "would_recommend", "show_if_values": "yes"})
    assert question.options[1] == {"code": "midway", "da": "Midtvejs", "en": "Midway"}
    assert question.show_if == {"key": "would_recommend", "in": ["yes"]}


def test_reminders_go_on_their_days_once_each(round_running, as_city, host_city, db):
    cohort, _ = round_running
    start = date(2027, 6, 1)
    sent = F.send_survey(cohort, "closing", today=start)
    as_city(host_city)
    answered = _response(db, sent)
    answered.submitted_at = answered.send.sent_at
    assert sending.due_reminders(db.session, start + timedelta(days=6)) == 0
    assert sending.due_reminders(db.session, start + timedelta(days=7)) == 4
    assert sending.due_reminders(db.session, start + timedelta(days=8)) == 0
    # A worker that was stopped for a fortnight sends one reminder, not two.
    assert sending.due_reminders(db.session, start + timedelta(days=22)) == 4
    assert sending.due_reminders(db.session, start + timedelta(days=29)) == 0  # closed
    reminders = db.session.execute(select(func.count()).select_from(OutboxMessage)
                                   .where(OutboxMessage.kind == "survey_reminder")).scalar_one()
    assert reminders == 8


def test_the_follow_up_goes_out_by_itself_six_months_after_closing(round_running, as_city, host_city, db):
    cohort, _ = round_running
    as_city(host_city)
    cohort.status = "closed"
    cohort.follow_up_on = date(2027, 12, 1)
    assert sending.due_follow_ups(db.session, date(2027, 11, 30)) == []
    sent = sending.due_follow_ups(db.session, date(2027, 12, 1))
    assert [send.survey_key for send in sent] == ["follow_up"] and sent[0].automatic
    assert {response.role for response in sent[0].responses} == {"mentee"}
    assert sending.due_follow_ups(db.session, date(2027, 12, 2)) == []


def test_the_retention_survey_reaches_the_contacts_of_the_mentees_partners_employers(
        host_city, create_cohort, create_application, as_city, db):
    cohort = create_cohort(host_city, status="closed")
    company = F.create_partner(host_city)
    contact = F.PartnerContactFactory(city=host_city, partner_id=company.id)
    mentee = create_application(cohort, role="mentee", status="accepted")
    as_city(host_city)
    mentee.partner_employer_id = company.id
    sent = F.send_survey(cohort, "company_retention")
    assert [(response.role, response.contact_id) for response in sent.responses] == [("company", contact.id)]


def test_response_rates_against_the_targets(round_running, as_city, host_city, db):
    cohort, _ = round_running
    sent = F.send_survey(cohort, "closing")
    as_city(host_city)
    _response(db, sent).submitted_at = sent.sent_at
    db.session.flush()
    rates = {rate.role: rate for rate in sending.rates(db.session, sent)}
    assert (rates["mentee"].asked, rates["mentee"].answered, rates["mentee"].missing) == (3, 1, 2)
    assert (rates["mentor"].asked, rates["mentor"].answered, rates["mentor"].missing) == (2, 0, 2)
    slots = {slot.survey.key: slot for slot in sending.timeline(db.session, cohort)}
    assert slots["closing"].send == sent and (slots["closing"].asked, slots["closing"].answered) == (5, 1)
    assert slots["midway"].send is None


def test_the_policy_is_checked(in_host_city, db):
    with pytest.raises(SurveyError) as refused:
        builder.update_policy(db.session, {"reminder_days": "7, 40", "anonymity": "named", "open_days": "30"})
    assert refused.value.code == "reminder_after_closing"
    with pytest.raises(SurveyError) as bad:
        builder.update_policy(db.session, {"reminder_days": "soon", "anonymity": "secret", "open_days": "0"})
    assert {problem.field for problem in bad.value.problems} == {"reminder_days", "anonymity", "open_days"}
    saved = builder.update_policy(db.session, {"reminder_days": "10 3", "anonymity": "named", "open_days": "21"})
    assert saved.reminder_days == [3, 10] and builder.policy(db.session) is saved
    assert db.session.execute(select(func.count()).select_from(SurveySend)).scalar_one() == 0


def test_the_daily_task_sends_follow_ups_and_reminders_in_every_city(round_running, as_city, host_city, other_city,
                                                                       db, create_cohort, create_application):
    cohort, _ = round_running
    as_city(host_city)
    cohort.status = "closed"
    cohort.follow_up_on = date(2027, 12, 1)
    db.session.flush()
    elsewhere = create_cohort(other_city, status="running")
    create_application(elsewhere, role="mentee", status="accepted")
    F.send_survey(elsewhere, "closing", today=date(2027, 11, 24))
    db.session.expire_all()
    day = date(2027, 12, 1)
    assert sending.for_every_city(db.session, sending.due_follow_ups, day) == 1
    assert sending.for_every_city(db.session, sending.due_reminders, day) == 1
