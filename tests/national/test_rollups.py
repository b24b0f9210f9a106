"""The national rollups: kept up to date by the cities' writes, and equal to a rebuild from scratch."""

import random
from datetime import date

from sqlalchemy import select

from mentorby.platform.national.models import CriterionRollup, RoundRollup
from mentorby.platform.tenancy import tenant_scope
from mentorby.tenants.applications.models import Application
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.evaluation import rollups
from tests import factories as F
from tests.evaluation.helpers import give, running_round


def snapshot(db):
    rounds = sorted(tuple(row) for row in db.session.execute(select(
        RoundRollup.cohort_id, RoundRollup.city_id, RoundRollup.year, RoundRollup.status, RoundRollup.mentors,
        RoundRollup.mentees)))
    criteria = sorted(tuple(row) for row in db.session.execute(select(
        CriterionRollup.cohort_id, CriterionRollup.code, CriterionRollup.role, CriterionRollup.city_id,
        CriterionRollup.year, CriterionRollup.yes, CriterionRollup.answered, CriterionRollup.eligible)))
    return rounds, criteria


def test_a_round_is_rolled_up_when_its_people_and_answers_change(db, host_city):
    cohort = running_round(host_city, mentors=6, mentees=7, starts_on=date(2025, 3, 1))
    sent = F.send_survey(cohort, "closing")
    give(sent, "mentor", [{"network": "5"}] * 4 + [{"network": "2"}])
    cohort_id, city_id = cohort.id, host_city.id
    db.session.commit()
    rounds, criteria = snapshot(db)
    assert (cohort_id, city_id, 2025, "running", 6, 7) in rounds
    network = [row for row in criteria if row[0] == cohort_id and row[1] == "mentor_network"]
    assert network == [(cohort_id, "mentor_network", "mentor", city_id, 2025, 4, 5, 6)]

    with tenant_scope(db.session, city_id):
        application = db.session.execute(select(Application).where(
            Application.cohort_id == cohort_id, Application.role == "mentee")).scalars().first()
        application.status = "withdrawn"
        db.session.flush()
    db.session.commit()
    assert (cohort_id, city_id, 2025, "running", 6, 6) in snapshot(db)[0]


def test_a_deleted_round_leaves_the_rollups(db, host_city):
    cohort = running_round(host_city, mentors=2, mentees=2)
    cohort_id, city_id = cohort.id, host_city.id
    db.session.commit()
    assert any(row[0] == cohort_id for row in snapshot(db)[0])
    with tenant_scope(db.session, city_id):
        db.session.delete(db.session.get(Cohort, cohort_id))
        db.session.flush()
    db.session.commit()
    assert not any(row[0] == cohort_id for row in snapshot(db)[0])


def test_incremental_rollups_equal_a_rebuild_from_scratch(db, host_city, other_city):
    rng = random.Random(13)
    for city in (host_city, other_city):
        for year in (2024, 2025):
            cohort = running_round(city, mentors=rng.randint(0, 8), mentees=rng.randint(3, 8),
                                   starts_on=date(year, 2, 1), status=rng.choice(["running", "closed"]))
            sent = F.send_survey(cohort, "closing")
            give(sent, "mentee", [rng.choice([None, {"network": str(rng.randint(1, 5)),
                                                      "direction": str(rng.randint(1, 5))}])
                                  for _ in range(rng.randint(0, 3))])
            db.session.commit()
    incremental = snapshot(db)
    assert len(incremental[0]) == 4 and incremental[1]
    assert sum(row[6] for row in incremental[1]) > 0
    rollups.rebuild(db.session)
    db.session.commit()
    assert snapshot(db) == incremental


def test_the_command_rebuilds_the_rollups(app, db, host_city):
    cohort_id = running_round(host_city, mentors=5, mentees=5).id
    db.session.commit()
    db.session.execute(RoundRollup.__table__.delete())
    result = app.test_cli_runner().invoke(args=["rebuild-rollups"])
    assert result.exit_code == 0, result.output
    assert "Rolled up" in result.output
    assert any(row[0] == cohort_id for row in snapshot(db)[0])
