"""The scale seed (`flask seed-scale`, tenants/scale.py) small: what it fills, isolation, sameness, rollups."""

import hashlib

import pytest
from sqlalchemy import delete, func, select, text

from mentorby.platform.cities.models import Tenant
from mentorby.platform.extensions import db as database
from mentorby.platform.national.models import CriterionRollup, RoundRollup
from mentorby.platform.tenancy import cross_tenant, is_tenant_owned, tenant_scope
from mentorby.tenants.cohorts.models import Cohort
from mentorby.tenants.evaluation.rollups import rebuild
from mentorby.tenants.scale import NATIONAL_EMAIL, SCALE_PASSWORD, coordinator_email, seed_scale

#: The issue's small seed: 2 cities x 2 rounds x 8 participants.
SMALL = {"cities": 2, "rounds": 2, "participants": 8}
FILLED = ("tenant", "partner", "partner_contact", "cohort", "cohort_event", "cohort_transition", "participant",
          "application", "match", "matching_run", "event_invitation", "event_attendance", "session_log",
          "session_pair", "survey_send", "survey_response", "survey_answer", "round_rollup", "criterion_rollup",
          "programme_event", "success_criterion", "survey", "survey_question", "membership")


def _seed(db, **extra):
    return seed_scale(**{**SMALL, **extra}, writers=0)


def _tenant_models():
    return [mapper.class_ for mapper in database.Model.registry.mappers if is_tenant_owned(mapper.class_)]


def test_small_seed_fills_the_tables(db):
    result = _seed(db)
    for table in FILLED:
        assert result["counts"].get(table, 0) > 0, table
    with cross_tenant(db.session):
        for table in FILLED:
            found = db.session.execute(text(f"select count(*) from {table}")).scalar()
            assert found >= result["counts"][table], table
    for city_id in result["cities"].values():
        with tenant_scope(db.session, city_id):
            found = {cohort.status.value for cohort in db.session.execute(select(Cohort)).scalars()}
        assert found == {"running", "followed_up"}


def test_each_city_has_only_its_own_rows(db):
    cities = _seed(db)["cities"]
    with cross_tenant(db.session):
        totals = {model: dict(db.session.execute(
            select(model.tenant_id, func.count()).group_by(model.tenant_id)).all()) for model in _tenant_models()}
    for city_id in cities.values():
        with tenant_scope(db.session, city_id):
            for model, per_city in totals.items():
                rows = db.session.execute(select(model.tenant_id, func.count()).group_by(model.tenant_id)).all()
                # The ORM filter, and on PostgreSQL row-level security under the city's setting, see the city's own.
                assert dict(rows) == ({city_id: per_city[city_id]} if per_city.get(city_id) else {}), model
                if db.session.get_bind().dialect.name == "postgresql":
                    raw = db.session.execute(text(f"select count(*), count(*) filter (where tenant_id <> :city) "
                                                  f"from {model.__tablename__}"), {"city": city_id}).one()
                    assert raw == (per_city.get(city_id, 0), 0), model
    # A child row never points at another city's parent: the composite keys hold, and the seed fills them right.
    with cross_tenant(db.session):
        mixed = db.session.execute(text(
            "select count(*) from application a join cohort c on c.id = a.cohort_id where c.tenant_id <> a.tenant_id"
        )).scalar()
    assert mixed == 0


def test_a_seeded_round_evaluates_for_its_coordinator_only(db, client):
    cities = _seed(db)["cities"]
    (first_slug, first_id), (second_slug, second_id) = sorted(cities.items())
    with tenant_scope(db.session, first_id):
        followed = db.session.execute(select(Cohort).where(Cohort.status == "followed_up")).scalar_one()
    with tenant_scope(db.session, second_id):
        other = db.session.execute(select(Cohort).where(Cohort.status == "followed_up")).scalar_one()
    response = client.post("/login", data={"email": coordinator_email(first_slug), "password": SCALE_PASSWORD})
    assert response.status_code == 302
    page = client.get(f"/{first_slug}/coordinator/cohorts/{followed.id}/evaluation")
    assert page.status_code == 200
    assert "At least 2/3 of mentors report a developed personal and professional network" in page.text
    for url in (f"/{first_slug}/coordinator/cohorts/{followed.id}", f"/{first_slug}/coordinator/cohorts/"
                f"{followed.id}/applications", f"/{first_slug}/coordinator/cohorts/{followed.id}/matching",
                f"/{first_slug}/"):
        assert client.get(url).status_code == 200, url
    # Another city's round: not found through this city, refused in the other.
    assert client.get(f"/{first_slug}/coordinator/cohorts/{other.id}/evaluation").status_code == 404
    assert client.get(f"/{second_slug}/coordinator/cohorts/{other.id}/evaluation").status_code in (403, 404)
    client.post("/logout")
    assert client.post("/login", data={"email": NATIONAL_EMAIL, "password": SCALE_PASSWORD}).status_code == 302
    assert client.get("/national/").status_code == 200


def _fingerprint(db, cities: dict) -> str:
    """The seeded rows without their ids: names, profiles, statuses, dates, scores, link nonces and answers.

    (A link's token is an HMAC of the city's id too, and ids come from the database's sequences.)
    """
    queries = (
        "select c.name, c.status, c.starts_on, a.name, a.email, a.role, a.status, a.field, a.languages, a.job_goal "
        "from application a join cohort c on c.id = a.cohort_id join tenant t on t.id = a.tenant_id "
        "where t.slug = :slug order by a.email, c.starts_on",
        "select m.score, m.status from match m join tenant t on t.id = m.tenant_id where t.slug = :slug "
        "order by m.score, m.status",
        "select r.nonce, r.pseudonym, r.submitted_at, x.key, x.value, x.text from survey_response r "
        "join tenant t on t.id = r.tenant_id left join survey_answer x on x.response_id = r.id "
        "where t.slug = :slug order by r.nonce, x.key, x.value",
        "select s.held_on, s.minutes, s.topics from session_log s join tenant t on t.id = s.tenant_id "
        "where t.slug = :slug order by s.held_on, s.minutes",
    )
    digest = hashlib.sha256()
    with cross_tenant(db.session):
        for slug in sorted(cities):
            for query in queries:
                for row in db.session.execute(text(query), {"slug": slug}):
                    digest.update(repr(tuple(str(value) for value in row)).encode())
    return digest.hexdigest()


def test_the_same_seed_gives_the_same_data(db):
    cities = _seed(db, seed=7)["cities"]
    first = _fingerprint(db, cities)
    with cross_tenant(db.session):
        db.session.execute(delete(RoundRollup).where(RoundRollup.city_id.in_(cities.values())))
        db.session.execute(delete(CriterionRollup).where(CriterionRollup.city_id.in_(cities.values())))
        db.session.execute(delete(Tenant).where(Tenant.id.in_(cities.values())))
    again = _seed(db, seed=7)["cities"]
    assert _fingerprint(db, again) == first
    with cross_tenant(db.session):
        db.session.execute(delete(Tenant).where(Tenant.id.in_(again.values())))
    other = _seed(db, seed=8)["cities"]
    assert _fingerprint(db, other) != first


def test_the_rollups_equal_a_rebuild(db):
    _seed(db, rounds=4, participants=10)

    def rollups():
        rounds = db.session.execute(select(RoundRollup.cohort_id, RoundRollup.city_id, RoundRollup.year,
                                           RoundRollup.status, RoundRollup.mentors, RoundRollup.mentees)).all()
        criteria = db.session.execute(select(
            CriterionRollup.cohort_id, CriterionRollup.code, CriterionRollup.role, CriterionRollup.city_id,
            CriterionRollup.year, CriterionRollup.threshold, CriterionRollup.of_everyone, CriterionRollup.yes,
            CriterionRollup.answered, CriterionRollup.eligible)).all()
        return sorted(rounds), sorted(criteria)

    seeded = rollups()
    assert len(seeded[0]) == 8 and seeded[1]
    assert any(row[-3] for row in seeded[1])  # some yes answers: the closing surveys were answered
    rebuild(db.session)
    db.session.flush()
    assert rollups() == seeded


def test_refused_in_production_and_for_existing_cities(app, db):
    _seed(db, cities=1, rounds=1, participants=4)
    with pytest.raises(Exception, match="exists already"):
        _seed(db, cities=1, rounds=1, participants=4)
    runner = app.test_cli_runner()
    app.config["ENV_NAME"] = "production"
    try:
        result = runner.invoke(args=["seed-scale", "--cities", "1"])
    finally:
        app.config["ENV_NAME"] = "testing"
    assert result.exit_code != 0 and "refused in production" in result.output
