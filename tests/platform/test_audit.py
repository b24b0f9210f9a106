from sqlalchemy import select

from mentorby.platform.audit.models import AuditEntry
from mentorby.platform.tenancy import cross_tenant


def _entries(db, entity):
    db.session.expire_all()
    with cross_tenant(db.session):
        return db.session.execute(
            select(AuditEntry).where(AuditEntry.entity == entity).order_by(AuditEntry.id)
        ).scalars().all()


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
    page = client.get("/lyngby-taarbaek/coordinator/audit?entity=partner")
    assert "COWI A/S" in page.text


def test_secrets_are_recorded_as_changed_without_values(client, db, login, coordinator):
    login(coordinator)
    client.post("/account/password", data={"current": "correct horse battery staple",
                                           "password": "a brand new passphrase", "confirm": "a brand new passphrase"})
    entry = _entries(db, "user_account")[-1]
    assert entry.changes["password_hash"] == "[changed]"


def test_failed_requests_leave_no_audit_entry(client, db, login, coordinator):
    login(coordinator)
    before = len(_entries(db, "partner"))
    response = client.post("/lyngby-taarbaek/coordinator/partners/new", data={"name": "", "kind": "company"})
    assert response.status_code == 422
    assert len(_entries(db, "partner")) == before


def test_audit_log_page_uses_the_same_number_of_queries_for_5_and_200(db, login, coordinator, host_city,
                                                                      queries_at_sizes):
    from sqlalchemy import insert

    from mentorby.platform.tenancy import utcnow

    login(coordinator)

    def grow(total):
        with cross_tenant(db.session):
            existing = len(_entries(db, "partner"))
            db.session.execute(insert(AuditEntry.__table__), [
                {"tenant_id": host_city.id, "actor_id": coordinator.id, "actor_role": "coordinator",
                 "action": "update", "entity": "partner", "entity_id": i, "changes": {"name": ["a", "b"]},
                 "created_at": utcnow()}
                for i in range(total - existing)
            ])

    counts, page = queries_at_sizes("/lyngby-taarbaek/coordinator/audit?entity=partner", grow)
    assert counts[0] == counts[1]
    assert "Page 1 of 8" in page.text
