"""Success criteria as data: what a criterion reads is checked against the city's current surveys."""

import pytest
from sqlalchemy import func, select

from mentorby.tenants.evaluation import figures
from mentorby.tenants.evaluation.criteria import known_questions
from mentorby.tenants.programme import services as programme
from mentorby.tenants.programme.models import SuccessCriterion
from tests import factories as F
from tests.evaluation.helpers import give, running_round

URL = "/lyngby-taarbaek/coordinator/programme/criteria"


def _criterion(db, code: str) -> SuccessCriterion:
    db.session.expire_all()
    return db.session.execute(select(SuccessCriterion).where(SuccessCriterion.code == code)).scalar_one()


def _form(**changes) -> dict:
    return {"statement_en": "At least half of the mentees spoke Danish with their mentor",
            "statement_da": "Mindst halvdelen af mentees har talt dansk med deres mentor",
            "question_key": "would_recommend", "role": "mentee", "measured_at": "closing", "yes_values": "yes",
            "threshold_percent": "50"} | changes


def test_the_known_questions_say_where_each_is_asked(in_host_city, db):
    questions = known_questions(db.session)
    assert questions["network"].codes == ("1", "2", "3", "4", "5")
    assert {("closing", "mentor"), ("closing", "mentee")} <= questions["network"].asked
    assert questions["intercultural"].asked == {("closing", "mentor")}
    assert ("follow_up", "mentee") in questions["employment"].asked
    assert questions["retention"].asked == {("follow_up", "company")}
    assert questions["best"].codes == ()
    assert questions["meetings"].asked == frozenset()  # the midway survey is no measuring point


def test_the_form_edits_what_a_criterion_reads(client, db, login, coordinator, in_host_city):
    login(coordinator)
    criterion = _criterion(db, "mentee_job_search")
    page = client.get(f"{URL}/{criterion.id}")
    assert page.status_code == 200 and 'value="4, 5"' in page.text and "Strongly agree" in page.text
    response = client.post(f"{URL}/{criterion.id}", data=_form(question_key="job_search_active", yes_values="5",
                                                                 threshold_percent="75"))
    assert response.status_code == 302
    changed = _criterion(db, "mentee_job_search")
    assert (changed.yes_values, float(changed.threshold), changed.of_everyone) == (["5"], 0.75, False)


@pytest.mark.parametrize(("changes", "message"), [
    ({"question_key": "shoe_size"}, "None of the city's current surveys asks a question with the key “shoe_size”."),
    ({"question_key": "best"}, "is answered with a number or a free text"),
    ({"question_key": "intercultural", "yes_values": "4, 5"}, "No survey at the closing evaluation asks "
                                                              "“intercultural” of mentees."),
    ({"question_key": "retention", "role": "company", "measured_at": "closing", "yes_values": "4"},
     "No survey at the closing evaluation asks “retention” of companies."),
    ({"yes_values": "4, 5"}, "The question does not take 4, 5. Its answers are: yes, no."),
    ({"yes_values": ""}, "Give at least one answer that counts as a yes"),
    ({"yes_values": "<script>"}, "Give up to 20 answer codes separated by commas"),
    ({"threshold_percent": "0"}, "Enter a number between 1 and 100."),
    ({"threshold_percent": "150"}, "Enter a number between 1 and 100."),
    ({"role": "everyone"}, "Choose one of the options in the list."),
    ({"measured_at": "midway"}, "Choose one of the options in the list."),
    ({"statement_en": ""}, "This field is required."),
])
def test_bad_input_on_a_criterion_is_refused_clearly_and_changes_nothing(client, db, login, coordinator,
                                                                        in_host_city, changes, message):
    login(coordinator)
    criterion = _criterion(db, "would_recommend")
    before = (criterion.question_key, criterion.yes_values, criterion.role, criterion.threshold, criterion.statement_en)
    response = client.post(f"{URL}/{criterion.id}", data=_form(**changes))
    assert response.status_code == 422
    assert message in response.text.replace("&#34;", '"').replace("&#39;", "'"), response.text[-3000:]
    assert 'aria-invalid="true"' in response.text
    after = _criterion(db, "would_recommend")
    assert (after.question_key, after.yes_values, after.role, after.threshold, after.statement_en) == before
    added = client.post(f"{URL}/new", data=_form(**changes))
    assert added.status_code == 422
    assert db.session.execute(select(func.count()).select_from(SuccessCriterion)).scalar_one() == 8


def test_a_city_adds_its_own_criterion_and_every_round_judges_it(client, db, login, coordinator, in_host_city):
    cohort = running_round(in_host_city, mentees=6)
    give(F.send_survey(cohort, "closing"), "mentee", [{"direction": "5"}] * 3 + [{"direction": "3"}] * 2)
    login(coordinator)
    assert client.get(f"{URL}/new").status_code == 200
    response = client.post(f"{URL}/new", data=_form(question_key="direction", yes_values="4, 5",
                                                    threshold_percent="50"))
    assert response.status_code == 302
    added = _criterion(db, "mentee_direction_2")
    assert (added.position, added.question_key, added.yes_values, float(added.threshold)) == (
        9, "direction", ["4", "5"], 0.5)
    row = next(row for row in figures.evaluate_round(db.session, cohort).rows if row.criterion.code == added.code)
    assert (row.result.yes, row.result.answered, row.verdict) == (3, 5, "met")
    page = client.get(f"/lyngby-taarbaek/coordinator/cohorts/{cohort.id}/evaluation").text
    assert "At least half of the mentees spoke Danish with their mentor" in page
    # ... and removes it again; the programme's own eight stay.
    assert client.post(f"{URL}/{added.id}/remove").status_code == 302
    assert db.session.execute(select(func.count()).select_from(SuccessCriterion)).scalar_one() == 8
    preloaded = _criterion(db, "mentor_network")
    refused = client.post(f"{URL}/{preloaded.id}/remove", follow_redirects=True)
    assert "The programme's eight criteria stay in the model" in refused.text.replace("&#39;", "'")
    assert _criterion(db, "mentor_network")


def test_a_changed_criterion_changes_the_verdict(client, db, login, coordinator, in_host_city):
    """Counting "agree" only (4) instead of 4-5 moves the share: criteria are data, not code."""
    cohort = running_round(in_host_city, mentors=6)
    give(F.send_survey(cohort, "closing"), "mentor", [{"network": "5"}] * 3 + [{"network": "4"}] * 3)
    criterion = _criterion(db, "mentor_network")
    assert next(row for row in figures.evaluate_round(db.session, cohort).rows
                if row.criterion.code == "mentor_network").verdict == "met"
    programme.update_criterion(db.session, criterion, _form(question_key="network", role="mentor", yes_values="5",
                                                           threshold_percent="66.7"), known_questions(db.session))
    row = next(row for row in figures.evaluate_round(db.session, cohort).rows if row.criterion.code == "mentor_network")
    assert (row.result.yes, row.verdict) == (3, "not_met")


def test_the_answers_of_a_question_show_under_the_form(client, login, coordinator, in_host_city):
    login(coordinator)
    fragment = client.get(f"{URL}/answers?question_key=employment", headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<p class="hint">')
    assert "full_time" in fragment.text and "Employed full time" in fragment.text
    assert "Strongly agree" not in client.get(f"{URL}/answers?question_key=nothing",
                                              headers={"HX-Request": "true"}).text


def test_the_service_refuses_an_unknown_question_with_its_code(db, in_host_city):
    criterion = _criterion(db, "mentor_network")
    with pytest.raises(programme.ProgrammeError) as refused:
        programme.update_criterion(db.session, criterion, _form(question_key="shoe_size", role="mentor"),
                                   known_questions(db.session))
    assert (refused.value.code, refused.value.field) == ("unknown_question_key", "question_key")
