"""The surveys' pages: the builder, a round's surveys, who answered, and answering through a personal link."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mentorby.platform.outbox.models import OutboxMessage
from mentorby.tenants.surveys import answering, builder, sending
from mentorby.tenants.surveys.models import Answer, Response, Survey
from tests import factories as F
from tests.platform.test_danish_forms import assert_danish

CITY = "/lyngby-taarbaek"


@pytest.fixture
def running(host_city, create_cohort, create_application):
    cohort = create_cohort(host_city, status="running", name="Vinter 2026")
    for _ in range(3):
        create_application(cohort, role="mentee", status="accepted")
    for _ in range(2):
        create_application(cohort, role="mentor", status="accepted")
    return cohort


def _link(db, as_city, city, sent, role="mentee") -> tuple[str, Response]:
    as_city(city)
    response = next(response for response in sent.responses if response.role == role)
    return f"{CITY}/survey/{sending.token_of(response)}", response


def _ids(response) -> dict[str, str]:
    return {question.key: f"q{question.id}" for question in answering.questions_of(response)}


# --- the coordinator's pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "da"])
def test_the_surveys_page_lists_the_city_surveys_and_the_templates(client, login, coordinator, in_host_city,
                                                                   language):
    login(coordinator)
    page = client.get(f"{CITY}/coordinator/surveys/", headers={"Accept-Language": language})
    assert page.status_code == 200
    if language == "da":
        assert_danish(page.text, "surveys index")
        assert "Evaluering af forløbet" in page.text and "Programmets skabeloner" in page.text
    else:
        assert "Evaluation of the programme" in page.text and "Six months later" in page.text


def test_sending_from_the_round_mails_everyone_and_shows_the_rate(client, db, login, coordinator, running,
                                                                  in_host_city):
    login(coordinator)
    cohort_id = running.id
    page = client.get(f"{CITY}/coordinator/cohorts/{cohort_id}/surveys")
    assert page.status_code == 200 and "Send now" in page.text and "HX-Request" in page.headers["Vary"]
    sent = client.post(f"{CITY}/coordinator/cohorts/{cohort_id}/surveys/send/closing", follow_redirects=True)
    assert "Sent to 5 people" in sent.text and "0 of 3" in sent.text and "3 more answers reach 90%" in sent.text
    mails = db.session.execute(select(func.count()).select_from(OutboxMessage)
                               .where(OutboxMessage.kind == "survey_invitation")).scalar_one()
    assert mails == 5
    again = client.post(f"{CITY}/coordinator/cohorts/{cohort_id}/surveys/send/closing", follow_redirects=True)
    assert "already gone out" in again.text
    assert client.post(f"{CITY}/coordinator/cohorts/{cohort_id}/surveys/send/no_such_survey").status_code == 404
    # The live figures come as a fragment for htmx.
    part = client.get(f"{CITY}/coordinator/cohorts/{cohort_id}/surveys?part=rates", headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in part.text and 'id="live-rates"' in part.text


def test_a_round_still_recruiting_cannot_send(client, login, coordinator, in_host_city, create_cohort):
    cohort = create_cohort(in_host_city, status="recruiting")
    login(coordinator)
    page = client.get(f"{CITY}/coordinator/cohorts/{cohort.id}/surveys")
    assert "Send now" not in page.text and "Selecting" in page.text
    refused = client.post(f"{CITY}/coordinator/cohorts/{cohort.id}/surveys/send/closing", follow_redirects=True)
    assert "Surveys go out once recruitment has closed" in refused.text


def test_pseudonymous_answers_show_who_answered_not_what(client, db, login, coordinator, running, as_city,
                                                         in_host_city):
    sent = F.send_survey(running, "closing")
    url, response = _link(db, as_city, in_host_city, sent)
    ids = _ids(response)
    answering.submit(db.session, response, {ids["network"][1:]: ["5"], ids["job_search_active"][1:]: ["4"],
                                            ids["direction"][1:]: ["4"], ids["would_recommend"][1:]: ["yes"],
                                            ids["best"][1:]: ["The secret sauce of networking"]}, date.today())
    login(coordinator)
    page = client.get(f"{CITY}/coordinator/cohorts/{running.id}/surveys/{sent.id}")
    assert page.status_code == 200 and "Pseudonymous answers" in page.text
    assert response.respondent_name in page.text and "Answered" in page.text
    assert "secret sauce" not in page.text and "Strongly agree" not in page.text


def test_named_answers_show_what_each_person_said(client, db, login, coordinator, running, as_city, in_host_city):
    F.SurveyPolicyFactory(city=in_host_city, anonymity="named")
    sent = F.send_survey(running, "closing")
    url, response = _link(db, as_city, in_host_city, sent)
    ids = _ids(response)
    answering.submit(db.session, response, {ids["network"][1:]: ["5"], ids["job_search_active"][1:]: ["4"],
                                            ids["direction"][1:]: ["4"], ids["would_recommend"][1:]: ["yes"]},
                     date.today())
    login(coordinator)
    page = client.get(f"{CITY}/coordinator/cohorts/{running.id}/surveys/{sent.id}")
    assert "Named answers" in page.text and f"Answers of {response.respondent_name}" in page.text
    assert "Strongly agree" in page.text


def test_reminding_from_the_page(client, db, login, coordinator, running, in_host_city):
    sent = F.send_survey(running, "closing")
    login(coordinator)
    page = client.post(f"{CITY}/coordinator/cohorts/{running.id}/surveys/{sent.id}/remind", follow_redirects=True)
    assert "Reminded 5 people." in page.text
    assert db.session.execute(select(func.count()).select_from(OutboxMessage)
                              .where(OutboxMessage.kind == "survey_reminder")).scalar_one() == 5


def test_the_respondents_list_costs_the_same_queries_for_5_and_200(db, login, coordinator, in_host_city,
                                                                   create_cohort, create_application, as_city,
                                                                   queries_at_sizes):
    cohort = create_cohort(in_host_city, status="running")
    for _ in range(5):
        create_application(cohort, role="mentee", status="accepted")
    sent = F.send_survey(cohort, "closing")
    as_city(in_host_city)
    template = sent.responses[0]

    def grow(total):
        existing = db.session.execute(select(func.count()).select_from(Response)).scalar_one()
        for n in range(existing, total):
            application = create_application(cohort, role="mentee", status="accepted")
            as_city(in_host_city)
            db.session.add(Response(send_id=sent.id, role="mentee", application_id=application.id,
                                    nonce=f"{n:032d}", token_hash=f"{n:064d}", pseudonym=f"R-{n:04d}",
                                    submitted_at=template.send.sent_at))
        db.session.flush()

    login(coordinator)
    counts, page = queries_at_sizes(f"{CITY}/coordinator/cohorts/{cohort.id}/surveys/{sent.id}", grow, ceiling=12)
    assert counts[0] == counts[1] and "Page 1 of" in page.text


def test_editing_a_sent_survey_in_the_builder_makes_version_two(client, db, login, coordinator, running,
                                                                in_host_city):
    sent = F.send_survey(running, "closing")
    first = db.session.get(Survey, sent.survey_id)
    network = next(question for question in first.questions if question.key == "network")
    login(coordinator)
    form = client.get(f"{CITY}/coordinator/surveys/{first.id}/questions/{network.id}")
    assert form.status_code == 200 and 'value="network"' in form.text
    page = client.post(f"{CITY}/coordinator/surveys/{first.id}/questions/{network.id}", data={
        "key": "network", "kind": "likert", "asked_of": "everyone", "text_da": "Mit netværk er vokset.",
        "text_en": "My network has grown.", "required": "y"}, follow_redirects=True)
    assert "made version 2" in page.text and "My network has grown." in page.text
    assert builder.current(db.session, "closing").version == 2
    old = client.get(f"{CITY}/coordinator/surveys/{first.id}")
    assert "earlier version" in old.text and "Open the current version" in old.text


@pytest.mark.parametrize("language", ["en", "da"])
def test_a_bad_question_is_shown_with_every_problem_and_nothing_changes(client, db, login, coordinator,
                                                                        in_host_city, language):
    survey = builder.current(db.session, "closing")
    before = len(survey.questions)
    login(coordinator)
    page = client.post(f"{CITY}/coordinator/surveys/{survey.id}/sections/{survey.sections[0].id}/questions", data={
        "key": "Not A Key", "kind": "single", "asked_of": "everyone", "text_da": "", "text_en": "Which?",
        "options": "only | one | choice"}, headers={"Accept-Language": language})
    assert page.status_code == 422
    if language == "da":
        assert_danish(page.text, "bad question")
        assert "Angiv 2 til 20 svarmuligheder" in page.text
    else:
        assert "Use 2-40 lower-case letters" in page.text and "Give from 2 to 20 choices" in page.text
        assert "This field is required" in page.text or "required" in page.text
    db.session.expire_all()
    assert len(builder.current(db.session, "closing").questions) == before


def test_a_section_of_another_survey_is_not_found(client, db, login, coordinator, in_host_city):
    closing = builder.current(db.session, "closing")
    midway = builder.current(db.session, "midway")
    login(coordinator)
    url = f"{CITY}/coordinator/surveys/{closing.id}/sections/{midway.sections[0].id}/questions"
    assert client.get(url).status_code == 404


def test_the_policy_form_refuses_bad_days(client, db, login, coordinator, in_host_city):
    login(coordinator)
    page = client.post(f"{CITY}/coordinator/surveys/policy", data={
        "reminder_days": "7, soon", "anonymity": "named", "open_days": "30"})
    assert page.status_code == 422 and "Give up to five different days" in page.text
    saved = client.post(f"{CITY}/coordinator/surveys/policy", data={
        "reminder_days": "5, 10", "anonymity": "named", "open_days": "21"}, follow_redirects=True)
    assert "Saved." in saved.text and 'value="5, 10"' in saved.text


def test_copying_a_template(client, db, login, coordinator, in_host_city):
    login(coordinator)
    page = client.post(f"{CITY}/coordinator/surveys/templates/closing", follow_redirects=True)
    assert "Copied." in page.text and "closing_2" in page.text
    assert client.post(f"{CITY}/coordinator/surveys/templates/nothing", follow_redirects=True).status_code == 200
    assert db.session.execute(select(func.count()).select_from(Survey)).scalar_one() == 6


# --- answering through the link ----------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "da"])
def test_answering_saves_as_you_go_then_submits(client, db, running, as_city, in_host_city, language):
    sent = F.send_survey(running, "closing")
    url, response = _link(db, as_city, in_host_city, sent)
    ids = _ids(response)
    page = client.get(url, headers={"Accept-Language": language})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "private, no-store"
    # The link never leaves the site in a Referer.
    assert page.headers["Referrer-Policy"] in ("no-referrer", "same-origin")
    # The mentee's own language is used unless they switched on this device.
    assert (response.locale == "da") == ("Evaluering af forløbet" in page.text)
    assert 'name="version"' in page.text and ids["intercultural"] not in page.text  # a mentor's question
    saved = client.post(f"{url}/save", data={"version": str(sent.survey_id), "question": ids["network"][1:],
                                             ids["network"]: "4"}, headers={"HX-Request": "true"})
    assert saved.status_code == 200 and 'id="status-network"' in saved.text and "<html" not in saved.text
    as_city(in_host_city)
    assert answering.given(db.session.get(Response, response.id)) == {"network": ["4"]}
    missing = client.post(url, data={"version": str(sent.survey_id), ids["network"]: "4"})
    assert missing.status_code == 422 and missing.text.count('class="error"') >= 3
    done = client.post(url, data={"version": str(sent.survey_id), ids["network"]: "4",
                                  ids["job_search_active"]: "5", ids["direction"]: "3",
                                  ids["would_recommend"]: "yes", ids["best"]: "The people"})
    assert done.status_code == 302
    thanks = client.get(url)
    assert thanks.status_code == 200 and ("Thank you" in thanks.text or "Tak for dine svar" in thanks.text)


def test_saving_answers_takes_the_responses_row_in_turn(client, db, running, as_city, in_host_city, count_queries):
    """An autosave and a submit sent at once (the last answer's and the button) wait for each other on PostgreSQL
    (SQLite's transactions take its one write lock from their start: platform/app.py)."""
    sent = F.send_survey(running, "closing")
    url, response = _link(db, as_city, in_host_city, sent)
    ids = _ids(response)
    locking = db.engine.dialect.name == "postgresql"
    for address, data in ((f"{url}/save", {"question": ids["network"][1:], ids["network"]: "4"}),
                          (url, {ids["network"]: "4", ids["job_search_active"]: "5", ids["direction"]: "3",
                                 ids["would_recommend"]: "yes"})):
        with count_queries() as saving:
            assert client.post(address, data={"version": str(sent.survey_id), **data},
                               headers={"HX-Request": "true"} if address.endswith("/save") else {}).status_code in (
                200, 302)
        read = next(statement for statement in saving.statements if "FROM survey_response" in statement)
        assert ("FOR UPDATE OF survey_response" in read) == locking, read
    with count_queries() as looking:
        assert client.get(url).status_code == 200
    assert not any("FOR UPDATE" in statement for statement in looking.statements)


def test_an_answer_saved_without_htmx_leads_back_to_the_survey(client, db, running, as_city, in_host_city):
    """The autosave's address posted by a plain form: no fragment out of place, and never a 500."""
    sent = F.send_survey(running, "closing")
    url, response = _link(db, as_city, in_host_city, sent)
    ids = _ids(response)
    saved = client.post(f"{url}/save", data={"version": str(sent.survey_id), "question": ids["network"][1:],
                                             ids["network"]: "4"})
    assert saved.status_code == 303 and saved.headers["Location"].endswith(url)
    as_city(in_host_city)
    assert answering.given(db.session.get(Response, response.id)) == {"network": ["4"]}
    refused = client.post(f"{url}/save", data={"version": "0", "question": ids["network"][1:], ids["network"]: "2"})
    assert refused.status_code == 422 and "<html" in refused.text and 'class="error' in refused.text
    db.session.expire_all()
    assert answering.given(db.session.get(Response, response.id)) == {"network": ["4"]}


def test_a_follow_up_question_appears_when_its_condition_is_met(client, db, running, as_city, in_host_city):
    running.status = "closed"
    db.session.flush()
    sent = F.send_survey(running, "follow_up")
    url, response = _link(db, as_city, in_host_city, sent)
    ids = _ids(response)
    page = client.get(url)
    assert f'name="{ids["in_field"]}"' not in page.text and 'id="q-in_field" hidden' in page.text
    saved = client.post(f"{url}/save", data={"version": str(sent.survey_id), "question": ids["employment"][1:],
                                             ids["employment"]: "full_time"}, headers={"HX-Request": "true"})
    assert 'hx-swap-oob="outerHTML:#q-in_field"' in saved.text and f'name="{ids["in_field"]}"' in saved.text


def test_an_answered_link_shows_thanks_and_keeps_the_answer(client, db, running, as_city, in_host_city):
    sent = F.send_survey(running, "midway")
    url, response = _link(db, as_city, in_host_city, sent)
    ids = _ids(response)
    answering.submit(db.session, response, {ids["meetings"][1:]: ["3"], ids["relationship_works"][1:]: ["4"]},
                     date.today())
    again = client.post(url, data={"version": str(sent.survey_id), ids["meetings"]: "9",
                                   ids["relationship_works"]: "1"})
    assert again.status_code == 200 and "Thank you for your answers" in again.text
    autosave = client.post(f"{url}/save", data={"version": str(sent.survey_id), "question": ids["meetings"][1:],
                                                ids["meetings"]: "9"}, headers={"HX-Request": "true"})
    assert autosave.status_code == 422 and "already sent your answers" in autosave.text
    as_city(in_host_city)
    assert answering.given(db.session.get(Response, response.id))["meetings"] == ["3"]


def test_a_closed_survey_says_so_and_takes_nothing(client, db, running, as_city, in_host_city):
    sent = F.send_survey(running, "midway", today=date.today() - timedelta(days=60))
    url, response = _link(db, as_city, in_host_city, sent)
    ids = _ids(response)
    page = client.get(url)
    assert page.status_code == 410 and "closed on" in page.text
    post = client.post(url, data={"version": str(sent.survey_id), ids["meetings"]: "3"})
    assert post.status_code == 410
    assert db.session.execute(select(func.count()).select_from(Answer)).scalar_one() == 0


@pytest.mark.parametrize("tamper", ["version", "question", "field"])
def test_tampered_hidden_fields_change_nothing(client, db, running, as_city, in_host_city, tamper):
    sent = F.send_survey(running, "midway")
    other = F.send_survey(running, "closing")
    url, response = _link(db, as_city, in_host_city, sent)
    ids = _ids(response)
    data = {"version": str(sent.survey_id), ids["meetings"]: "3", ids["relationship_works"]: "4"}
    if tamper == "version":
        data["version"] = str(other.survey_id)
    elif tamper == "question":
        data[f"q{other.survey.questions[0].id}"] = "4"
    else:
        data["is_admin"] = "1"
    page = client.post(url, data=data)
    assert page.status_code == 422 and ("Reload" in page.text or "Genindlæs" in page.text)
    assert db.session.execute(select(func.count()).select_from(Answer)).scalar_one() == 0


@pytest.mark.parametrize("raw", ["51", "-1", "three", "1e3"])
def test_a_number_outside_its_range_is_refused_on_autosave(client, db, running, as_city, in_host_city, raw):
    sent = F.send_survey(running, "midway")
    url, response = _link(db, as_city, in_host_city, sent)
    ids = _ids(response)
    page = client.post(f"{url}/save", data={"version": str(sent.survey_id), "question": ids["meetings"][1:],
                                            ids["meetings"]: raw}, headers={"HX-Request": "true"})
    assert page.status_code == 422 and "save-status error" in page.text
    assert db.session.execute(select(func.count()).select_from(Answer)).scalar_one() == 0


def test_an_unknown_link_or_another_citys_is_not_found(client, db, running, as_city, in_host_city, other_city):
    sent = F.send_survey(running, "midway")
    url, _ = _link(db, as_city, in_host_city, sent)
    assert client.get(f"{CITY}/survey/made-up-token").status_code == 404
    elsewhere = url.replace(CITY, f"/{other_city.slug}")
    page = client.get(elsewhere)
    assert page.status_code == 404 and "does not open a survey" in page.text


def test_the_portal_lists_the_surveys_waiting_for_the_person(client, db, login, running, as_city, in_host_city,
                                                             create_user):
    sent = F.send_survey(running, "midway")
    url, response = _link(db, as_city, in_host_city, sent)
    person = create_user(email=response.respondent_email, city=in_host_city, role="mentee")
    login(person)
    page = client.get(f"{CITY}/portal/")
    assert "Surveys waiting for your answers" in page.text and url in page.text
    ids = _ids(response)
    answering.submit(db.session, response, {ids["meetings"][1:]: ["3"], ids["relationship_works"][1:]: ["4"]},
                     date.today())
    assert "Surveys waiting for your answers" not in client.get(f"{CITY}/portal/").text


def test_a_survey_edited_while_people_answer_keeps_their_version(client, db, running, as_city, in_host_city):
    sent = F.send_survey(running, "midway")
    url, response = _link(db, as_city, in_host_city, sent)
    ids = _ids(response)
    page = client.get(url)  # the page is open on the person's phone
    assert page.status_code == 200
    first = db.session.get(Survey, sent.survey_id)
    meetings = next(question for question in first.questions if question.key == "meetings")
    builder.update_question(db.session, first, meetings, {
        "key": "meetings", "kind": "number", "text_da": "Antal møder?", "text_en": "How many meetings?",
        "minimum": "0", "maximum": "10", "required": True})
    assert builder.current(db.session, "midway").version == 2
    done = client.post(url, data={"version": str(first.id), ids["meetings"]: "12",
                                  ids["relationship_works"]: "4"})
    assert done.status_code == 302  # 12 was within the range of the version they were given (0-50)
    as_city(in_host_city)
    assert answering.given(db.session.get(Response, response.id))["meetings"] == ["12"]


def test_an_answer_through_the_link_hands_its_rounds_rollups_to_the_queue(client, db, running, as_city, in_host_city,
                                                                          rollup_queue, count_queries):
    sent = F.send_survey(running, "midway")
    url, response = _link(db, as_city, in_host_city, sent)
    ids = _ids(response)
    city_id, cohort_id = in_host_city.id, running.id
    answers = {"version": str(sent.survey_id), ids["meetings"]: "3", ids["relationship_works"]: "4"}
    db.session.commit()
    with count_queries() as counter:
        done = client.post(url, data=answers)
    assert done.status_code == 302
    assert rollup_queue() == [(city_id, cohort_id)]
    # The city, the response with its send, survey and questions, and the answers written: the round is known
    # from the send loaded with the response, not asked again at the commit; no savepoint around the submit.
    assert counter.count <= 6, [" ".join(s.split())[:90] for s in counter.statements]
    assert not any(statement.lstrip().upper().startswith(("SAVEPOINT", "SELECT SURVEY_SEND", "SELECT SURVEY_QUESTION"))
                   for statement in counter.statements), counter.statements
