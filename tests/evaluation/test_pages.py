"""The round's evaluation page, the rounds compared, the PDF report and the API, as a coordinator uses them."""

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from mentorby.platform.accounts.services import create_api_token
from mentorby.platform.national import figures as national_figures
from mentorby.tenants.evaluation import figures
from mentorby.tenants.evaluation.models import EvaluationReport
from mentorby.tenants.evaluation.schemas import EvaluationSchema
from tests import factories as F
from tests.evaluation.helpers import give, running_round

CITY = "/lyngby-taarbaek/coordinator"


@pytest.fixture
def evaluated(in_host_city):
    """A closed round: 6 mentors and 20 mentees; closing survey answered by 6 mentors and 5 mentees, the follow-up by
    15 of the 20 mentees (6 employed)."""
    cohort = running_round(in_host_city, mentors=6, mentees=20, status="closed")
    closing = F.send_survey(cohort, "closing")
    give(closing, "mentor", [{"network": "5", "intercultural": "4", "would_recommend": "yes",
                              "best": ("text", "Meeting someone from another world"), "may_quote": "yes"}] * 5
         + [{"network": "2", "intercultural": "2", "would_recommend": "no"}])
    give(closing, "mentee",
         [{"network": "4", "job_search_active": "5", "direction": "3", "would_recommend": "yes"}] * 5)
    follow_up = F.send_survey(cohort, "follow_up")
    give(follow_up, "mentee", [{"employment": "full_time"}] * 6 + [{"employment": "job_seeking"}] * 9)
    return cohort


def _page(client, cohort):
    response = client.get(f"{CITY}/cohorts/{cohort.id}/evaluation")
    assert response.status_code == 200
    return response.text


def _row_html(page: str, statement: str) -> str:
    start = page.index(statement)
    return page[start:page.index("</tr>", start)]


def test_the_round_page_shows_each_criterion_with_its_honest_denominator(client, login, coordinator, evaluated):
    login(coordinator)
    page = _page(client, evaluated)
    network = _row_html(page, "At least 2/3 of mentors report a developed personal and professional network")
    assert "5 of 6" in network and "(83%)" in network and "✓ Met" in network
    assert "Counts those who answered the question." in network
    employed = _row_html(page, "At least 1/3 of mentees are employed 6 months after the round ended")
    # 6 of 20 who took part (not of the 15 who answered): 30%, not met; the 5 who did not answer shown apart.
    assert "6 of 20" in employed and "(30%)" in employed and "✗ Not met" in employed
    assert "15 of 20" in employed and '<td data-label="Did not answer">5</td>' in employed
    assert "Counts everyone who took part" in employed
    assert page.count('<svg role="img"') == 9 and page.count("<title id=") == 9 and page.count("<desc id=") == 9
    assert "Meeting someone from another world" in page
    assert "Attendance at the joint events will show here once events have check-in." in page


def test_the_round_page_reads_in_danish(client, login, coordinator, evaluated):
    login(coordinator)
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "da"
    page = _page(client, evaluated)
    for words in ("Evaluering", "Succeskriterier", "Opfyldt", "Ikke opfyldt", "For få svar",
                  "Mindst 2/3 af mentorerne har oplevet", "Tæller alle, der deltog"):
        assert words in page, words
    compare = client.get(f"{CITY}/evaluation")
    assert compare.status_code == 200 and "Forløbene sammenlignet" in compare.text


def test_a_round_without_surveys_says_what_to_do(client, login, coordinator, in_host_city):
    cohort = running_round(in_host_city, mentors=2, mentees=2)
    login(coordinator)
    page = _page(client, cohort)
    assert "No answers yet" in page and "Send the closing survey from the round's surveys page" in page
    assert "The survey at the closing evaluation has not gone out yet." in page


def test_the_round_page_links_from_the_round_and_the_menu(client, login, coordinator, evaluated):
    login(coordinator)
    round_page = client.get(f"{CITY}/cohorts/{evaluated.id}").text
    assert f"{CITY}/cohorts/{evaluated.id}/evaluation" in round_page
    assert f'href="{CITY}/evaluation"' in round_page


def test_rounds_compared_over_time(client, login, coordinator, in_host_city):
    old = running_round(in_host_city, mentors=5, status="closed", starts_on=date(2025, 3, 1), name="Forår 2025")
    new = running_round(in_host_city, mentors=5, starts_on=date(2026, 3, 1), name="Forår 2026")
    give(F.send_survey(old, "closing"), "mentor", [{"network": "5"}] * 3 + [{"network": "2"}] * 2)
    give(F.send_survey(new, "closing"), "mentor", [{"network": "5"}] * 5)
    login(coordinator)
    page = client.get(f"{CITY}/evaluation").text
    assert page.index("Forår 2025") < page.index("Forår 2026")
    row = _row_html(page, "At least 2/3 of mentors report a developed personal and professional network")
    assert re.search(r"60%.*n = 5.*Not met.*100%.*n = 5.*Met", row, re.S)
    assert "Met in 1 of 2" in row and "+40 points since the round before" in row
    assert "from 60% in Forår 2025 to 100% in Forår 2026" in page


def test_no_rounds_to_compare_says_what_to_do(client, login, coordinator, host_city):
    login(coordinator)
    page = client.get(f"{CITY}/evaluation").text
    assert "No rounds to compare yet" in page


def test_the_round_page_costs_the_same_queries_whatever_the_number_of_answers(client, login, coordinator, in_host_city,
                                                                            count_queries, monkeypatch):
    small = _grow_round_answers(in_host_city, people=6, answering=5)
    large = _grow_round_answers(in_host_city, people=40, answering=40)
    # Each page reads the national state, as a worker's first page does (else the second would reuse the first's).
    monkeypatch.setattr(national_figures, "STATE_SECONDS", 0.0)
    login(coordinator)
    counts = []
    for cohort in (small, large):
        with count_queries() as counter:
            _page(client, cohort)
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    assert counts[1] <= 20


def test_the_comparison_costs_the_same_queries_whatever_the_number_of_rounds(client, db, login, coordinator,
                                                                            in_host_city, count_queries):
    login(coordinator)
    counts = []
    for rounds in (2, 6):
        while len(figures.rounds_to_compare(db.session)[0]) < rounds:
            _grow_round_answers(in_host_city, people=6, answering=6)
        with count_queries() as counter:
            assert client.get(f"{CITY}/evaluation").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def _grow_round_answers(city, *, people: int, answering: int):
    """A closed round with `people` mentors and mentees, closing and follow-up sent, `answering` of each answering."""
    cohort = running_round(city, mentors=people, mentees=people, status="closed")
    closing = F.send_survey(cohort, "closing")
    text = ("text", "It helped me")
    give(closing, "mentor", [{"network": "5", "intercultural": "4", "would_recommend": "yes", "best": text,
                              "may_quote": "yes"}] * answering)
    give(closing, "mentee", [{"network": "4", "job_search_active": "5", "direction": "2", "would_recommend": "yes",
                              "improve": text, "may_quote": "yes"}] * answering)
    give(F.send_survey(cohort, "midway"), "mentee", [{"topics": ["cv", "networking"], "meetings": "4"}] * answering)
    give(F.send_survey(cohort, "follow_up"), "mentee", [{"employment": "part_time", "comment": text}] * answering)
    return cohort


# --- the PDF report ------------------------------------------------------------------------------------------------

def test_a_pdf_report_is_made_in_the_queue_and_downloaded(client, login, coordinator, evaluated, db):
    login(coordinator)
    started = client.post(f"{CITY}/cohorts/{evaluated.id}/evaluation/reports")
    assert started.status_code == 302
    status = client.get(started.headers["Location"])
    assert status.status_code == 200 and "The report is ready" in status.text
    assert status.headers["Cache-Control"] == "no-store"
    polled = client.get(started.headers["Location"], headers={"HX-Request": "true"})
    assert polled.text.lstrip().startswith('<div id="report-status"')
    assert "The report is ready to download." in polled.text
    download = client.get(started.headers["Location"] + "/pdf")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment; filename=")
    assert download.headers["X-Content-Type-Options"] == "nosniff" and "no-store" in download.headers["Cache-Control"]
    # The report quotes people's words: the audit log says who took it.
    log = client.get("/lyngby-taarbaek/coordinator/audit")
    assert "downloaded the evaluation report of" in log.text
    # A second report replaces the first.
    client.post(f"{CITY}/cohorts/{evaluated.id}/evaluation/reports")
    db.session.expire_all()
    assert db.session.execute(select(func.count()).select_from(EvaluationReport)).scalar_one() == 1
    assert "Download the PDF" in _page(client, evaluated)


def test_the_pdf_holds_the_figures_and_charts(db, evaluated, app):
    import io

    from pypdf import PdfReader

    from mentorby.tenants.evaluation import reports

    with app.test_request_context():
        report = reports.start(db.session, evaluated, by_user_id=None, locale="en")
    assert report.state == "done" and report.progress == 100
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(report.pdf)).pages)
    assert "Evaluation of" in text and "6 of 20" in text and "Meeting someone from another world" in text


def test_another_citys_coordinator_gets_no_report(app, db, evaluated, other_coordinator, login, coordinator):
    own = login(coordinator, target=app.test_client())
    started = own.post(f"{CITY}/cohorts/{evaluated.id}/evaluation/reports").headers["Location"]
    stranger = login(other_coordinator, target=app.test_client())
    for url in (f"{CITY}/cohorts/{evaluated.id}/evaluation", started, started + "/pdf",
                f"/aarhus/coordinator/cohorts/{evaluated.id}/evaluation", started.replace("lyngby-taarbaek", "aarhus"),
                started.replace("lyngby-taarbaek", "aarhus") + "/pdf"):
        response = stranger.get(url)
        assert response.status_code in (403, 404), url
        assert b"%PDF" not in response.data
    assert stranger.post(f"/aarhus/coordinator/cohorts/{evaluated.id}/evaluation/reports").status_code == 404


# --- the API ---------------------------------------------------------------------------------------------------------

def _token(db, user):
    return {"Authorization": f"Bearer {create_api_token(db.session, user, 'evaluation').secret}"}


def test_the_api_gives_the_figures_of_the_page(client, db, login, coordinator, evaluated):
    headers = _token(db, coordinator)
    body = client.get(f"/api/v1/cities/lyngby-taarbaek/cohorts/{evaluated.id}/evaluation", headers=headers)
    assert body.status_code == 200
    data = body.get_json()
    assert data == _json(EvaluationSchema().dump(figures.evaluate_round(db.session, evaluated, quotes=False).as_data()))
    employed = next(row for row in data["criteria"] if row["code"] == "mentee_employed_6m")
    assert (employed["yes"], employed["answered"], employed["eligible"], employed["denominator"]) == (6, 15, 20, 20)
    assert employed["non_respondents"] == 5 and employed["verdict"] == "not_met" and employed["of_everyone"]
    assert employed["share"] == pytest.approx(0.3) and employed["response_rate"] == pytest.approx(0.75)
    assert len(employed["interval"]) == 2
    recommend = [row["role"] for row in data["criteria"] if row["code"] == "would_recommend"]
    assert recommend == ["mentor", "mentee"]
    # The page shows the same figures.
    login(coordinator)
    page = _page(client, evaluated)
    for row in data["criteria"]:
        if row["share"] is not None:
            assert f"{row['yes']} of {row['denominator']}" in page
            assert f"({round(row['share'] * 100)}%)" in page


def _json(value):
    import json

    return json.loads(json.dumps(value))


def test_the_api_lists_the_surveys_and_a_rounds_response_rates(client, db, coordinator, evaluated):
    headers = _token(db, coordinator)
    surveys = client.get("/api/v1/cities/lyngby-taarbaek/surveys", headers=headers).get_json()
    assert [survey["key"] for survey in surveys] == ["baseline", "midway", "closing", "follow_up", "company_retention"]
    closing = surveys[2]
    network = next(question for question in closing["questions"] if question["key"] == "network")
    assert network["kind"] == "likert" and network["codes"] == ["1", "2", "3", "4", "5"]
    sends = client.get(f"/api/v1/cities/lyngby-taarbaek/cohorts/{evaluated.id}/surveys", headers=headers).get_json()
    assert [send["survey_key"] for send in sends] == ["closing", "follow_up"]
    rates = {rate["role"]: (rate["asked"], rate["answered"]) for rate in sends[0]["rates"]}
    assert rates == {"mentor": (6, 6), "mentee": (20, 5)}
    # No raw answers: tokens have no scope that could allow them.
    assert "Meeting someone from another world" not in str(sends) + str(surveys)


def test_the_api_refuses_other_cities_and_participants(client, db, as_city, other_city, other_coordinator, evaluated,
                                                      create_user, host_city):
    mentor = create_user(city=host_city, role="mentor")
    own = _token(db, mentor)
    url = f"/api/v1/cities/lyngby-taarbaek/cohorts/{evaluated.id}/evaluation"
    assert client.get(url, headers=own).status_code == 403
    assert client.get(url).status_code == 401
    as_city(other_city)
    foreign = _token(db, other_coordinator)
    assert client.get(url, headers=foreign).status_code == 404
    assert client.get(f"/api/v1/cities/aarhus/cohorts/{evaluated.id}/evaluation", headers=foreign).status_code == 404


def test_reports_are_deleted_a_month_after_they_were_made(client, login, coordinator, evaluated, db, as_city,
                                                          host_city):
    from datetime import timedelta

    from mentorby.platform.tenancy import utcnow
    from mentorby.tenants.evaluation import reports

    login(coordinator)
    client.post(f"{CITY}/cohorts/{evaluated.id}/evaluation/reports")
    assert reports.purge(db.session, utcnow() + timedelta(days=29)) == 0
    assert reports.purge(db.session, utcnow() + timedelta(days=31)) == 1
    as_city(host_city)
    assert db.session.execute(select(func.count()).select_from(EvaluationReport)).scalar_one() == 0
