import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select

from mentorby.platform.audit.models import AuditEntry
from mentorby.platform.extensions import db as database
from mentorby.platform.tenancy import cross_tenant, utcnow
from mentorby.tenants.cohorts.models import CohortEvent
from tests.factories import create_application, create_cohort, create_partner, create_user
from tests.platform.test_danish_forms import assert_danish, visible_text

#: What a database dump looks like: ids, Python lists, ISO times, raw column names.
DUMP = re.compile(r"#\d|\[\s*\d|\d{4}-\d{2}-\d{2}|_id\b|\bpair_rule\b|\bcohort_event\b|\(coordinator\)")


def _entries(db, entity):
    db.session.expire_all()
    with cross_tenant(db.session):
        return db.session.execute(
            select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        ).scalars().all()


def _log(city, actor, action, entity, entity_id, changes, role="coordinator"):
    """An entry as the listener stores it (times as ISO strings, [old, new] per column)."""
    with cross_tenant(database.session):
        database.session.execute(insert(AuditEntry.__table__), [{
            "tenant_id": city.id if city is not None else None, "actor_id": actor.id if actor else None,
            "actor_role": role, "action": action, "entity": entity, "entity_id": entity_id, "changes": changes,
            "created_at": utcnow(),
        }])


def _text(client, url, language="en"):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    try:
        page = client.get(url)
    finally:
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    assert page.status_code == 200
    return page.text, visible_text(page.text)


def test_coordinator_changes_are_audited(client, db, login, coordinator, host_city):
    login(coordinator)
    client.post("/lyngby-taarbaek/coordinator/partners/new", data={"name": "COWI", "kind": "company", "public": "y"})
    created = _entries(db, "partner")[-1]
    assert (created.action, created.actor_id, created.actor_role, created.tenant_id) == (
        "create", coordinator.id, "coordinator", host_city.id)
    assert created.changes["name"] == [None, "COWI"]
    partner_id = created.entity_id
    client.post(f"/lyngby-taarbaek/coordinator/partners/{partner_id}", data={"name": "COWI A/S", "kind": "company"})
    updated = _entries(db, "partner")[-1]
    assert updated.action == "update" and updated.changes["name"] == ["COWI", "COWI A/S"]
    assert updated.changes["public"] == [True, False]
    client.post(f"/lyngby-taarbaek/coordinator/partners/{partner_id}/delete", data={"confirm": "1"})
    assert _entries(db, "partner")[-1].action == "delete"
    _html, text = _text(client, "/lyngby-taarbaek/coordinator/audit?area=partners")
    who = coordinator.display_name
    # The row is gone: its name comes from what the entries recorded.
    assert f"{who} added the partner COWI: kind: Company" in text
    assert f"{who} changed the partner COWI A/S: name: COWI → COWI A/S shown on the front page: yes → no" in text
    assert f"{who} deleted the partner COWI A/S" in text


def test_the_log_reads_as_sentences_with_names_not_ids(client, db, login, coordinator, in_host_city):
    """The user study's examples: a forbidden pair, a decision, a round moved, a joint event changed."""
    cohort = create_cohort(in_host_city, name="Forår 2027", status="selecting")
    mentor = create_application(cohort, role="mentor", status="accepted", name="Lars Mentor")
    mentee = create_application(cohort, status="accepted", name="Ana Rodrigues")
    applicant = create_application(cohort, name="Wei Chen")
    kickoff = db.session.execute(select(CohortEvent).where(
        CohortEvent.cohort_id == cohort.id, CohortEvent.kind == "kickoff")).scalar_one()
    moved = kickoff.starts_at.replace(hour=kickoff.starts_at.hour + 1)
    _log(in_host_city, coordinator, "create", "pair_rule", 1, {
        "id": [None, 1], "cohort_id": [None, cohort.id], "mentor_id": [None, mentor.id],
        "mentee_id": [None, mentee.id], "kind": [None, "forbid"], "tenant_id": [None, in_host_city.id]})
    _log(in_host_city, coordinator, "update", "application", applicant.id, {
        "status": ["submitted", "accepted"], "decided_at": [None, utcnow().isoformat()],
        "decided_by_id": [None, coordinator.id]})
    _log(in_host_city, coordinator, "update", "cohort", cohort.id, {"status": ["recruiting", "selecting"]})
    _log(in_host_city, coordinator, "update", "cohort_event", kickoff.id, {
        "starts_at": [kickoff.starts_at.isoformat(), moved.isoformat()], "location": ["", "DTU Skylab"],
        "duration_minutes": [180, 150]})
    _log(in_host_city, coordinator, "update", "cohort", cohort.id, {
        "apply_by": [None, "2027-01-12"], "mentor_capacity": [20, 22]})
    login(coordinator)
    html, text = _text(client, "/lyngby-taarbaek/coordinator/audit")
    who = coordinator.display_name
    assert f"{who} forbade the pair Lars Mentor – Ana Rodrigues in Forår 2027" in text
    assert f"{who} accepted Wei Chen's application to Forår 2027" in text
    assert f"{who} moved Forår 2027 from Recruiting to Selecting" in text
    assert (f"{who} changed the joint event Kick-off of Forår 2027: time: 17:00 → 18:00 location: — → DTU Skylab "
            "duration: 180 minutes → 150 minutes") in text
    assert "application deadline: — → 12 Jan 2027 places for mentors: 20 → 22" in text
    assert "· coordinator" in text
    assert not DUMP.search(text), DUMP.search(text).group()

    html, text = _text(client, "/lyngby-taarbaek/coordinator/audit", "da")
    assert_danish(html, "the audit log in Danish")
    assert f"{who} forbød parret Lars Mentor – Ana Rodrigues i Forår 2027" in text
    assert f"{who} optog Wei Chen i Forår 2027" in text
    assert f"{who} flyttede Forår 2027 fra Rekruttering til Udvælgelse" in text
    assert "tidspunkt: 17.00 → 18.00" in text and "ansøgningsfrist: — → 12. jan. 2027" in text
    assert "· koordinator" in text and "kl." in text


def test_values_read_as_a_reader_knows_them(client, db, login, coordinator, host_city):
    """Booleans as yes/no, lists joined, statuses and codes by their labels, times to the minute, secrets hidden."""
    cohort = create_cohort(host_city, name="Vinter 2026")
    mentor = create_application(cohort, role="mentor", name="Sofie Holm")
    mentee = create_application(cohort, name="Priya Sharma")
    _log(host_city, coordinator, "create", "networking_plan", 7, {
        "cohort_id": [None, cohort.id], "turns": [None, 2], "minutes": [None, 7], "mentor_ids": [None, [mentor.id]],
        "mentee_ids": [None, [mentee.id]], "created_at": [None, utcnow().isoformat()]})
    _log(host_city, coordinator, "update", "application", mentee.id, {
        "languages": ["en", "en da"], "danish_level": ["none", "beginner"], "arrived_on": [None, "2026-03-01"]},
        role="participant")
    _log(host_city, coordinator, "create", "api_token", 3, {
        "name": [None, "Power BI"], "token_hash": "[changed]", "prefix": [None, "mby_abc"]})
    _log(None, coordinator, "update", "user_account", coordinator.id, {"password_hash": "[changed]"})
    _log(host_city, coordinator, "update", "matching_weights", 1, {"field": ["20.00", "25.5"],
                                                                   "conflict_policy": ["flag", "forbid"]})
    login(coordinator)
    _html, text = _text(client, "/lyngby-taarbaek/coordinator/audit")
    who = coordinator.display_name
    assert (f"{who} made the speed-networking plan for Vinter 2026: turns: 2 minutes a turn: 7 mentors: Sofie Holm "
            "mentees: Priya Sharma") in text
    assert ("changed Priya Sharma's application to Vinter 2026: languages: English → English, Danish "
            "Danish: None yet → Beginner arrived in Denmark: — → 1 Mar 2026") in text
    assert "· participant" in text
    assert f"{who} created the API token “Power BI”: begins with: mby_abc" in text
    assert "Same field: 20 → 25.5 Mentor from the company where the mentee's partner works: Allow, but flag it → " \
           "Never propose it" in text
    assert not DUMP.search(text), DUMP.search(text).group()
    # An account's change is the platform's (no city): the coordinator's city log does not show it.
    assert "password" not in text


def test_every_audited_model_belongs_to_an_area_and_every_column_reads_in_words(app):
    from mentorby.platform.audit.describe import AREAS, describer_for, tables_in
    from mentorby.platform.extensions import db

    audited = [mapper.class_ for mapper in db.Model.registry.mappers if getattr(mapper.class_, "__audited__", False)]
    assert len(audited) >= 19
    missing, unlabelled = [], []
    for model in audited:
        describer = describer_for(model.__tablename__)
        if describer is None or describer.area not in AREAS or model.__tablename__ not in tables_in(describer.area):
            missing.append(model.__tablename__)
            continue
        unlabelled += [f"{model.__tablename__}.{column.key}" for column in model.__table__.columns
                       if column.key not in describer.labels and column.key not in describer.hidden]
    assert missing == [], f"audited tables with no area in the audit log: {missing}"
    assert unlabelled == [], f"audited columns with no label in the audit log: {unlabelled}"
    assert all(tables_in(area) for area in AREAS), "an area with no table"


def test_filter_by_area_and_by_person_covers_every_area(client, db, login, coordinator, host_city):
    from mentorby.platform.audit.describe import AREAS

    colleague = create_user(email="colleague@lyngby.example", name="Kirsten Kollega", city=host_city,
                            role="coordinator")
    partner = create_partner(host_city, name="Novozymes")
    cohort = create_cohort(host_city, name="Efterår 2027")
    applicant = create_application(cohort, name="Wei Chen")
    _log(host_city, coordinator, "update", "partner", partner.id, {"website": ["", "https://novozymes.example"]})
    _log(host_city, colleague, "update", "application", applicant.id, {"note": ["", "Call back on Monday"]})
    login(coordinator)
    html, text = _text(client, "/lyngby-taarbaek/coordinator/audit")
    for area in AREAS.values():
        assert f'<option value="{area.code}"' in html
    assert "Applications and mentor pool" in text and "Partners" in text and "Team and accounts" in text
    assert f'<option value="{colleague.id}"' in html and f'<option value="{coordinator.id}"' in html

    _html, text = _text(client, "/lyngby-taarbaek/coordinator/audit?area=applications")
    assert "Kirsten Kollega changed the note on Wei Chen's application to Efterår 2027" in text
    assert "Novozymes" not in text.split("Show", 1)[1]
    _html, text = _text(client, f"/lyngby-taarbaek/coordinator/audit?person={coordinator.id}")
    assert "changed the partner Novozymes" in text and "Kirsten Kollega changed" not in text
    _html, text = _text(client, f"/lyngby-taarbaek/coordinator/audit?area=partners&person={colleague.id}")
    assert "No changes match this filter" in text
    # htmx swaps only the list, and the pager keeps the filter.
    fragment = client.get("/lyngby-taarbaek/coordinator/audit?area=applications", headers={"HX-Request": "true"})
    assert "<html" not in fragment.text and 'id="audit-rows"' in fragment.text and "Wei Chen" in fragment.text


@pytest.mark.parametrize("query", ["area=nonsense", "person=abc", "person=99999999999", "person=-1", "area=&person=",
                                   "person=%C2%B2", "page=x"])
def test_bad_filter_values_show_the_whole_log(client, login, coordinator, host_city, query):
    login(coordinator)
    page = client.get(f"/lyngby-taarbaek/coordinator/audit?{query}")
    assert page.status_code == 200 and "Audit log" in page.text


def test_another_citys_rows_are_never_named(client, db, login, other_coordinator, other_city, host_city):
    secret = create_partner(host_city, name="Hemmelig Partner ApS")
    cohort = create_cohort(host_city, name="Secret Round")
    # Aarhus's log mentions the same ids: they name nothing of Lyngby's.
    _log(other_city, other_coordinator, "update", "partner", secret.id, {"website": ["", "https://x.example"]})
    _log(other_city, other_coordinator, "update", "cohort", cohort.id, {"status": ["planned", "recruiting"]})
    login(other_coordinator)
    _html, text = _text(client, "/aarhus/coordinator/audit")
    assert "Hemmelig" not in text and "Secret Round" not in text and "(deleted)" in text


def test_failed_requests_leave_no_audit_entry(client, db, login, coordinator):
    login(coordinator)
    before = len(_entries(db, "partner"))
    response = client.post("/lyngby-taarbaek/coordinator/partners/new", data={"name": "", "kind": "company"})
    assert response.status_code == 422
    assert len(_entries(db, "partner")) == before


def test_secrets_are_recorded_as_changed_without_values(client, db, login, admin, coordinator):
    login(coordinator)
    client.post("/account/password", data={"current": "correct horse battery staple",
                                           "password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    entry = _entries(db, "user_account")[-1]
    assert entry.changes["password_hash"] == "[changed]"
    login(admin)
    _html, text = _text(client, "/platform/audit")
    assert f"{coordinator.display_name} changed their password" in text
    assert "$argon2" not in text and "[changed]" not in text


def test_the_platform_log_reads_the_same_way(client, db, login, admin, host_city):
    client.post("/start", data={"name": "Odense Career Mentoring", "slug": "odense",
                                "municipality": "Odense Kommune", "region": "syddanmark", "contact_name": "Olga Odense",
                                "contact_email": "olga@odense.example"})
    from mentorby.platform.cities.models import Tenant

    city = db.session.execute(select(Tenant).where(Tenant.slug == "odense")).scalar_one()
    login(admin)
    client.post(f"/platform/cities/{city.id}/approve")
    html, text = _text(client, "/platform/audit")
    assert f"{admin.display_name} approved the city Odense Career Mentoring" in text
    assert "· platform admin" in text
    assert not DUMP.search(text), DUMP.search(text).group()
    html, _text_da = _text(client, "/platform/audit", "da")
    assert_danish(html, "the platform audit log in Danish")
    assert f"{admin.display_name} godkendte byen Odense Career Mentoring" in visible_text(html)


def test_audit_log_page_uses_the_same_number_of_queries_for_5_and_200(db, login, coordinator, in_host_city,
                                                                      queries_at_sizes):
    """Entries of several kinds, each naming rows of other tables: the names come in batches, not per entry."""
    cohort = create_cohort(in_host_city, name="Forår 2027", status="selecting")
    people = [create_application(cohort, role=role, status="accepted") for role in ("mentor", "mentee") * 3]
    event = db.session.execute(select(CohortEvent).where(CohortEvent.cohort_id == cohort.id)).scalars().first()
    login(coordinator)
    moment = datetime(2027, 2, 11, 16, tzinfo=UTC).isoformat()
    # Five kinds, so the first page holds all of them at both sizes; between them they name rows of six tables.
    kinds = [
        ("create", "pair_rule", 1, {"cohort_id": [None, cohort.id], "mentor_id": [None, people[0].id],
                                    "mentee_id": [None, people[1].id], "kind": [None, "pin"]}),
        ("update", "application", people[3].id, {"status": ["submitted", "accepted"],
                                                 "decided_by_id": [None, coordinator.id]}),
        ("update", "cohort_event", event.id, {"starts_at": [moment, moment.replace("16:", "17:")]}),
        ("create", "invitation", 2, {"email": [None, "x@example.org"], "name": [None, "X"],
                                     "role": [None, "coordinator"]}),
        ("export", "cohort", cohort.id, {"status": "accepted", "format": "csv", "rows": 4}),
    ]

    def grow(total):
        with cross_tenant(db.session):
            existing = db.session.execute(select(AuditEntry.id).where(AuditEntry.tenant_id == in_host_city.id)).all()
            db.session.execute(insert(AuditEntry.__table__), [
                {"tenant_id": in_host_city.id, "actor_id": coordinator.id, "actor_role": "coordinator",
                 "action": kinds[i % len(kinds)][0], "entity": kinds[i % len(kinds)][1],
                 "entity_id": kinds[i % len(kinds)][2], "changes": kinds[i % len(kinds)][3], "created_at": utcnow()}
                for i in range(total - len(existing))
            ])

    counts, page = queries_at_sizes("/lyngby-taarbaek/coordinator/audit", grow, ceiling=13)
    assert counts[0] == counts[1]
    assert "Page 1 of 8" in page.text
    text = visible_text(page.text)
    for sentence in ("pinned the pair", f"accepted {people[3].name}", "changed the joint event",
                     "invited X as coordinator", "exported the participants of Forår 2027"):
        assert sentence in text, sentence


def test_dates_in_the_log_are_written_out(client, db, login, coordinator, host_city):
    cohort = create_cohort(host_city, name="Forår 2027", starts_on=date(2027, 1, 28))
    _log(host_city, coordinator, "update", "cohort", cohort.id, {"ends_on": ["2027-05-28", "2027-06-30"]})
    login(coordinator)
    html, text = _text(client, "/lyngby-taarbaek/coordinator/audit", "da")
    assert "slutdato: 28. maj 2027 → 30. jun. 2027" in text
    assert_danish(html, "the audit log")


def test_columns_of_a_vocabulary_read_as_its_labels_in_the_readers_language(client, db, login, admin, coordinator,
                                                                             host_city, other_city):
    login(coordinator)
    client.post("/lyngby-taarbaek/coordinator/partners/new", data={"name": "DTU", "kind": "university"})
    _log(host_city, coordinator, "update", "success_criterion", 1, {"role": ["mentee", "both"],
                                                                     "measured_at": ["closing", "follow_up"]})
    _html, text = _text(client, "/lyngby-taarbaek/coordinator/audit", "da")
    assert "Universitet" in text
    assert "Mentees → Mentorer og mentees" in text and "afsluttende evaluering → opfølgning efter 6 måneder" in text
    _log(other_city, admin, "update", "tenant", other_city.id, {"status": ["active", "rejected"]}, role="admin")
    login(admin)
    _html, text = _text(client, "/platform/audit", "da")
    assert "fra aktiv til afvist" in text
