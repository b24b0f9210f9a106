"""The round's figures through the database, against hand-computed cases."""

import pytest
from sqlalchemy import select

from mentorby.tenants.evaluation import figures
from mentorby.tenants.programme.models import SuccessCriterion
from mentorby.tenants.surveys.statistics import Verdict
from tests import factories as F
from tests.evaluation.helpers import give, running_round


def _row(evaluation, code, role=None):
    rows = [row for row in evaluation.rows if row.criterion.code == code and (role is None or row.role == role)]
    assert len(rows) == 1, [(row.criterion.code, row.role) for row in evaluation.rows]
    return rows[0]


@pytest.fixture
def closing(in_host_city):
    """A running round of 6 mentors and 6 mentees, the closing survey sent to all twelve."""
    cohort = running_round(in_host_city, mentors=6, mentees=6)
    return cohort, F.send_survey(cohort, "closing")


def test_no_answers_yet_gives_no_verdict_and_counts_everyone_asked(closing, db):
    cohort, _ = closing
    evaluation = figures.evaluate_round(db.session, cohort)
    network = _row(evaluation, "mentor_network").result
    assert (network.yes, network.answered, network.eligible, network.non_respondents) == (0, 0, 6, 6)
    assert network.verdict == Verdict.NOT_ENOUGH_DATA and network.share is None and network.interval is None
    assert network.response_rate == 0
    assert evaluation.count(Verdict.NOT_ENOUGH_DATA) == len(evaluation.rows) == 9
    assert evaluation.participants == {"mentor": 6, "mentee": 6}


def test_all_yes_is_met_with_the_wilson_interval_reaching_one(closing, db):
    cohort, sent = closing
    give(sent, "mentor", [{"network": "5"}] * 6)
    result = _row(figures.evaluate_round(db.session, cohort), "mentor_network").result
    assert (result.yes, result.answered, result.denominator) == (6, 6, 6)
    assert result.share == 1 and result.verdict == Verdict.MET
    # Wilson at n: the lower bound is n / (n + z²) = 6 / (6 + 3.8415) = 0.6097, the upper exactly 1.
    assert result.interval[0] == pytest.approx(0.6097, abs=1e-4) and result.interval[1] == 1.0


def test_all_no_is_not_met_with_the_interval_starting_at_zero(closing, db):
    cohort, sent = closing
    give(sent, "mentor", [{"network": "1"}, {"network": "2"}, {"network": "3"}, {"network": "2"}, {"network": "1"}])
    result = _row(figures.evaluate_round(db.session, cohort), "mentor_network").result
    assert (result.yes, result.answered, result.eligible, result.non_respondents) == (0, 5, 6, 1)
    assert result.share == 0 and result.verdict == Verdict.NOT_MET
    # Wilson at 0 of 5: [0, z² / (5 + z²)] = [0, 0.4345].
    assert result.interval[0] == 0.0 and result.interval[1] == pytest.approx(0.4345, abs=1e-4)


def test_fewer_than_five_answers_is_not_enough_data(closing, db):
    cohort, sent = closing
    give(sent, "mentor", [{"network": "5"}] * 4)
    result = _row(figures.evaluate_round(db.session, cohort), "mentor_network").result
    assert (result.yes, result.answered) == (4, 4) and result.verdict == Verdict.NOT_ENOUGH_DATA


def test_answers_saved_but_not_sent_do_not_count(closing, db):
    cohort, sent = closing
    give(sent, "mentor", [{"network": "5"}] * 6, submit=False)
    row = _row(figures.evaluate_round(db.session, cohort), "mentor_network")
    assert (row.result.answered, row.respondents, row.asked) == (0, 0, 6)


def test_a_criterion_of_both_roles_gives_a_row_for_each(closing, db):
    cohort, sent = closing
    give(sent, "mentor", [{"would_recommend": "yes"}] * 5 + [{"would_recommend": "no"}])
    give(sent, "mentee", [{"would_recommend": "yes"}] * 3 + [{"would_recommend": "no"}] * 2)
    evaluation = figures.evaluate_round(db.session, cohort)
    mentors, mentees = _row(evaluation, "would_recommend", "mentor"), _row(evaluation, "would_recommend", "mentee")
    # 5 of 6 = 83% >= 80%: met; 3 of 5 = 60%: not met.
    assert (mentors.result.yes, mentors.result.answered, mentors.verdict) == (5, 6, Verdict.MET)
    assert (mentees.result.yes, mentees.result.answered, mentees.verdict) == (3, 5, Verdict.NOT_MET)
    assert mentees.result.share == pytest.approx(0.6)


def test_employment_counts_every_mentee_who_took_part(in_host_city, db):
    """6 employed of 15 answering looks met (40% >= 1/3); of the 20 who took part it is 30%: not met."""
    cohort = running_round(in_host_city, mentees=20, status="closed")
    sent = F.send_survey(cohort, "follow_up")
    employed = [{"employment": code} for code in ("full_time", "full_time", "part_time", "part_time",
                                                  "self_employed", "full_time")]
    give(sent, "mentee", employed + [{"employment": "job_seeking"}] * 6 + [{"employment": "education"}] * 3)
    row = _row(figures.evaluate_round(db.session, cohort), "mentee_employed_6m")
    result = row.result
    assert (result.yes, result.answered, result.eligible, result.denominator) == (6, 15, 20, 20)
    assert result.non_respondents == 5 and result.of_everyone
    assert result.share == pytest.approx(0.3) and result.verdict == Verdict.NOT_MET
    assert result.response_rate == pytest.approx(0.75)


def test_the_companies_criterion_reads_the_retention_survey(in_host_city, db, as_city):
    cohort = running_round(in_host_city, status="closed")
    for _ in range(6):
        company = F.create_partner(in_host_city)
        F.PartnerContactFactory(city=in_host_city, partner_id=company.id)
        mentee = F.create_application(cohort, role="mentee", status="accepted")
        mentee.partner_employer_id = company.id
    db.session.flush()
    sent = F.send_survey(cohort, "company_retention")
    give(sent, "company", [{"retention": "4"}, {"retention": "5"}, {"retention": "5"}, {"retention": "4"},
                           {"retention": "2"}])
    as_city(in_host_city)
    row = _row(figures.evaluate_round(db.session, cohort), "company_retention")
    # 4 of 5 answering companies = 80% >= 2/3: met; one of the 6 asked did not answer.
    assert (row.role, row.result.yes, row.result.answered, row.result.eligible) == ("company", 4, 5, 6)
    assert row.verdict == Verdict.MET and row.result.non_respondents == 1


def test_a_person_asked_by_two_closing_surveys_counts_once(closing, db, as_city, in_host_city):
    """A city's own copy of the closing survey beside the programme's: people are counted, not responses."""
    from mentorby.tenants.surveys import builder

    cohort, sent = closing
    copy = builder.copy_template(db.session, "closing")
    from mentorby.tenants.surveys import sending

    second = sending.send(db.session, cohort, copy, notify=False)
    give(sent, "mentor", [{"network": "5"}] * 5)
    give(second, "mentor", [{"network": "4"}] * 5)
    row = _row(figures.evaluate_round(db.session, cohort), "mentor_network")
    assert (row.asked, row.respondents, row.result.answered, row.result.yes) == (6, 5, 5, 5)


def test_a_multiple_choice_criterion_counts_people_not_choices(in_host_city, db):
    """A city's own criterion on a multiple choice: a person who ticked two yes answers is one yes."""
    from mentorby.tenants.surveys import builder
    from mentorby.tenants.surveys.defaults import TOPICS

    cohort = running_round(in_host_city, mentees=6)
    survey = builder.current(db.session, "closing")
    F.QuestionFactory(city=in_host_city, survey_id=survey.id, section_id=survey.sections[0].id, key="topics",
                      kind="multiple", options=TOPICS)
    sent = F.send_survey(cohort, "closing")
    db.session.add(SuccessCriterion(position=9, code="talked_jobs", role="mentee", threshold=0.5,
                                    measured_at="closing", statement_da="x", statement_en="x",
                                    question_key="topics", yes_values=["job_openings", "applications"]))
    db.session.flush()
    give(sent, "mentee", [{"topics": ["job_openings", "applications", "cv"]}] * 3 + [{"topics": ["cv", "other"]}] * 2)
    result = _row(figures.evaluate_round(db.session, cohort), "talked_jobs").result
    assert (result.yes, result.answered, result.eligible) == (3, 5, 6)
    assert result.share == pytest.approx(0.6) and result.verdict == Verdict.MET


def test_answers_of_other_moments_do_not_count(closing, db):
    """The midway survey's answers to the same question are not the closing evaluation's."""
    cohort, _ = closing
    midway = F.send_survey(cohort, "midway")
    db.session.add(SuccessCriterion(position=9, code="works_well", role="mentee", threshold=0.5,
                                    measured_at="closing", statement_da="x", statement_en="x",
                                    question_key="relationship_works", yes_values=["4", "5"]))
    db.session.flush()
    give(midway, "mentee", [{"relationship_works": "5"}] * 5)
    row = _row(figures.evaluate_round(db.session, cohort), "works_well")
    assert row.result.answered == 0 and row.verdict == Verdict.NOT_ENOUGH_DATA


def test_quotes_need_consent_and_a_crowd(closing, db):
    cohort, sent = closing
    give(sent, "mentee", [
        {"best": ("text", "Meeting people in my field"), "may_quote": "yes"},
        {"best": ("text", "Secret thoughts"), "may_quote": "no"},
        {"improve": ("text", "More meetings"), "may_quote": "yes"},
        {"network": "4"}, {"network": "5"},
    ])
    give(sent, "mentor", [{"best": ("text", "A lone mentor's words"), "may_quote": "yes"}])
    evaluation = figures.evaluate_round(db.session, cohort)
    assert sorted(quote.text for quote in evaluation.quotes) == ["Meeting people in my field", "More meetings"]
    assert {quote.role for quote in evaluation.quotes} == {"mentee"}


def test_rounds_compared_over_time(in_host_city, db):
    from datetime import date

    old = running_round(in_host_city, mentors=5, status="closed", starts_on=date(2025, 3, 1))
    new = running_round(in_host_city, mentors=5, starts_on=date(2026, 3, 1))
    running_round(in_host_city, mentors=2, status="recruiting")  # not under way: not compared
    give(F.send_survey(old, "closing"), "mentor", [{"network": "5"}] * 3 + [{"network": "2"}] * 2)
    give(F.send_survey(new, "closing"), "mentor", [{"network": "5"}] * 5)
    comparison = figures.compare(db.session)
    assert [cohort.id for cohort in comparison.cohorts] == [old.id, new.id]
    series = next(series for series in comparison.series if series.criterion.code == "mentor_network")
    assert [cell.result.share for cell in series.cells] == [pytest.approx(0.6), 1.0]
    assert [cell.verdict for cell in series.cells] == [Verdict.NOT_MET, Verdict.MET]
    assert series.met == 1 and series.change == pytest.approx(0.4)
    # The figures of a round are the same in the comparison as on its own page.
    alone = _row(figures.evaluate_round(db.session, new), "mentor_network")
    assert alone.as_data() == series.cells[1].as_data()


def test_the_criteria_of_the_eight_sources_are_all_evaluated(closing, db):
    cohort, _ = closing
    codes = [row.criterion.code for row in figures.evaluate_round(db.session, cohort).rows]
    assert codes == ["mentor_network", "mentor_intercultural", "mentee_network", "mentee_job_search",
                     "mentee_direction", "mentee_employed_6m", "would_recommend", "would_recommend",
                     "company_retention"]
    assert len(db.session.execute(select(SuccessCriterion)).scalars().all()) == 8
