"""The national rollups: kept up to date by the cities' writes, and equal to a rebuild from scratch."""

import random
import time
from datetime import date

import pytest
from sqlalchemy import delete, select, text

from mentorby.platform.national.models import CriterionRollup, RoundRollup
from mentorby.platform.tasks import huey
from mentorby.platform.tenancy import tenant_scope
from mentorby.tenants.applications.models import Application
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.evaluation import rollups
from mentorby.tenants.evaluation.tasks import refresh_round_rollups
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


def test_the_cached_figures_follow_every_change_of_the_rollups_and_cities(db, host_city, other_city):
    from mentorby.platform.national.figures import national

    def add(cohort_id, city, mentees):
        db.session.add(RoundRollup(cohort_id=cohort_id, city_id=city.id, year=2025, status="closed", mentors=10,
                                   mentees=mentees))
        db.session.flush()

    add(30_001, host_city, 10)
    assert national(db.session)["participants"]["all"]["mentee"] == 10
    assert national(db.session) is national(db.session)  # the same state answers from the cache
    add(30_002, other_city, 7)
    assert national(db.session)["participants"]["all"]["mentee"] == 17
    # A city's rollups refreshed: its rows are replaced, even with the same counts of rows.
    db.session.execute(delete(RoundRollup).where(RoundRollup.cohort_id == 30_002))
    add(30_003, other_city, 9)
    assert national(db.session)["participants"]["all"]["mentee"] == 19
    # A city that moves to another region moves its figures with it.
    assert national(db.session, region="midtjylland")["participants"]["all"]["mentee"] == 9
    other_city.region = "syddanmark"
    db.session.flush()
    assert national(db.session, region="midtjylland")["participants"]["all"]["mentee"] == 0
    assert national(db.session, region="syddanmark")["participants"]["all"]["mentee"] == 9
    # A round's rollup deleted outright (no flush follows a bulk DELETE): the next figures are without it.
    db.session.execute(delete(RoundRollup).where(RoundRollup.cohort_id == 30_003))
    assert national(db.session)["participants"]["all"]["mentee"] == 10


def test_the_years_follow_the_rollups(db, host_city):
    from mentorby.platform.national.figures import years

    db.session.add(RoundRollup(cohort_id=30_101, city_id=host_city.id, year=2025, status="closed"))
    db.session.flush()
    assert 2025 in years(db.session) and 2031 not in years(db.session)
    db.session.add(RoundRollup(cohort_id=30_102, city_id=host_city.id, year=2031, status="running"))
    db.session.flush()
    assert years(db.session)[-1] == 2031
    # A round only planned for a year does not make it a year rounds were run in.
    db.session.add(RoundRollup(cohort_id=30_103, city_id=host_city.id, year=2032, status="planned"))
    db.session.flush()
    assert years(db.session)[-1] == 2031


def network_row(db, cohort_id):
    return [row[5:] for row in snapshot(db)[1] if row[0] == cohort_id and row[1] == "mentor_network"]


def test_answers_hand_their_round_to_the_queue_once_until_it_is_refreshed(db, host_city, rollup_queue):
    cohort = running_round(host_city, mentors=3, mentees=3)
    sent = F.send_survey(cohort, "closing")
    cohort_id, city_id = cohort.id, host_city.id
    db.session.commit()
    assert network_row(db, cohort_id) == [(0, 0, 3)]

    with tenant_scope(db.session, city_id):
        give(sent, "mentor", [{"network": "5"}])
    db.session.commit()
    # The national figures lag: the refresh waits on the queue, once for the round.
    assert network_row(db, cohort_id) == [(0, 0, 3)]
    assert rollup_queue() == [(city_id, cohort_id)]
    with tenant_scope(db.session, city_id):
        give(sent, "mentor", [None, {"network": "4"}])
    db.session.commit()
    assert rollup_queue() == [(city_id, cohort_id)]

    refresh_round_rollups.call_local(city_id, cohort_id)
    assert network_row(db, cohort_id) == [(2, 2, 3)]
    # The claim was given back: the next answer is handed over again.
    huey.storage.flush_schedule()
    with tenant_scope(db.session, city_id):
        give(sent, "mentor", [None, None, {"network": "5"}])
    db.session.commit()
    assert rollup_queue() == [(city_id, cohort_id)]
    refresh_round_rollups.call_local(city_id, cohort_id)
    incremental = snapshot(db)
    assert network_row(db, cohort_id) == [(3, 3, 3)]
    rollups.rebuild(db.session)
    db.session.commit()
    assert snapshot(db) == incremental


def test_a_coordinators_change_beside_an_answer_refreshes_the_round_at_once(db, host_city, rollup_queue):
    cohort = running_round(host_city, mentors=3, mentees=3)
    sent = F.send_survey(cohort, "closing")
    cohort_id, city_id = cohort.id, host_city.id
    db.session.commit()
    with tenant_scope(db.session, city_id):
        give(sent, "mentor", [{"network": "5"}])
        db.session.get(Cohort, cohort_id).status = "closed"
        db.session.flush()
    db.session.commit()
    assert network_row(db, cohort_id) == [(1, 1, 3)]
    assert rollup_queue() == []


def test_a_lost_refresh_does_not_hold_its_round_for_ever(db, host_city, rollup_queue):
    cohort = running_round(host_city, mentors=2, mentees=2)
    sent = F.send_survey(cohort, "closing")
    cohort_id, city_id = cohort.id, host_city.id
    db.session.commit()
    # A claim left by a refresh that never ran (its worker killed): younger than CLAIM_STALE it is waited on ...
    huey.put(rollups.claim_key(cohort_id), time.time() - 10)
    with tenant_scope(db.session, city_id):
        give(sent, "mentor", [{"network": "5"}])
    db.session.commit()
    assert rollup_queue() == []
    # ... older, the next answer claims the round again.
    huey.put(rollups.claim_key(cohort_id), time.time() - rollups.CLAIM_STALE - 1)
    with tenant_scope(db.session, city_id):
        give(sent, "mentor", [None, {"network": "5"}])
    db.session.commit()
    assert rollup_queue() == [(city_id, cohort_id)]
    refresh_round_rollups.call_local(city_id, cohort_id)
    assert network_row(db, cohort_id) == [(2, 2, 2)]
    assert huey.get(rollups.claim_key(cohort_id), peek=True) is None


@pytest.mark.postgres
def test_a_refresh_holds_its_rounds_against_other_refreshes_until_its_transaction_ends(db, host_city):
    first = running_round(host_city, mentors=1, mentees=1)
    second = running_round(host_city, mentors=1, mentees=1)
    db.session.commit()
    with tenant_scope(db.session, host_city.id):
        rollups.refresh_rounds(db.session, [second.id, first.id])
        held = set(db.session.execute(text(
            "SELECT objid FROM pg_locks WHERE locktype = 'advisory' AND classid = :key AND pid = pg_backend_pid()"),
            {"key": rollups._LOCK_KEY}).scalars())
    assert held == {first.id, second.id}
    # Another connection (another request's refresh) would wait: it cannot take the round's lock meanwhile.
    with db.engine.connect() as other:
        taken = other.execute(text("SELECT pg_try_advisory_xact_lock(:key, :round)"),
                              {"key": rollups._LOCK_KEY, "round": first.id}).scalar_one()
        other.rollback()
    assert taken is False
