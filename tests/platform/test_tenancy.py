import pytest
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound

from mentorby.platform.tenancy import CrossTenantWrite, TenantNotSet, cross_tenant, get_in_city, tenant_scope
from mentorby.tenants.partners.models import Partner
from tests.factories import create_partner


def test_querying_a_tenant_owned_model_without_a_city_raises(db, host_city):
    with pytest.raises(TenantNotSet):
        db.session.execute(select(Partner)).all()
    with pytest.raises(TenantNotSet):
        db.session.get(Partner, 1)


def test_queries_see_only_the_session_city(db, host_city, other_city):
    create_partner(host_city, name="DTU")
    create_partner(other_city, name="Vestas")
    with tenant_scope(db.session, host_city.id):
        assert db.session.execute(select(Partner.name)).scalars().all() == ["DTU"]
        assert db.session.execute(select(func.count()).select_from(Partner)).scalar() == 1
    with tenant_scope(db.session, other_city.id):
        assert db.session.execute(select(Partner.name)).scalars().all() == ["Vestas"]
    with cross_tenant(db.session):
        assert sorted(db.session.execute(select(Partner.name)).scalars()) == ["DTU", "Vestas"]


def test_new_rows_get_the_session_city(db, host_city):
    with tenant_scope(db.session, host_city.id):
        partner = Partner(name="COWI", kind="company")
        db.session.add(partner)
        db.session.flush()
    assert partner.tenant_id == host_city.id


def test_new_row_without_a_city_is_refused(db, host_city):
    db.session.add(Partner(name="COWI", kind="company"))
    with pytest.raises(TenantNotSet):
        db.session.flush()
    db.session.rollback()


def test_writing_another_citys_row_is_refused(db, host_city, other_city):
    with tenant_scope(db.session, host_city.id):
        db.session.add(Partner(name="COWI", kind="company", tenant_id=other_city.id))
        with pytest.raises(CrossTenantWrite):
            db.session.flush()
    db.session.rollback()


def test_get_in_city_gives_404_for_another_citys_id(app, db, host_city, other_city):
    foreign = create_partner(other_city, name="Vestas")
    own = create_partner(host_city, name="DTU")
    with app.test_request_context(), tenant_scope(db.session, host_city.id):
        assert get_in_city(db.session, Partner, own.id) is own
        for bad in (foreign.id, 999999, "abc"):
            with pytest.raises(NotFound):
                get_in_city(db.session, Partner, bad)
