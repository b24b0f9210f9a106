"""factory_boy factories for the platform's models; each creates rows through the city it belongs to."""

import factory
from factory.alchemy import SQLAlchemyModelFactory

from mentorby.platform.accounts.models import Membership, User
from mentorby.platform.accounts.passwords import hash_password
from mentorby.platform.cities.models import ACTIVE, Tenant
from mentorby.platform.extensions import db
from mentorby.platform.tenancy import tenant_scope
from mentorby.tenants.partners.models import Partner

PASSWORD = "correct horse battery staple"
_HASH = hash_password(PASSWORD)  # hashing once keeps the suite fast


class Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "flush"


class CityFactory(Base):
    class Meta:
        model = Tenant

    slug = factory.Sequence(lambda n: f"city-{n}")
    name = factory.Sequence(lambda n: f"City {n}")
    municipality = "Kommune"
    status = ACTIVE
    contact_name = "Contact"
    contact_email = factory.Sequence(lambda n: f"contact{n}@city.example")


class UserFactory(Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    password_hash = _HASH


def create_city(*, with_model: bool = True, **fields) -> Tenant:
    from mentorby.tenants.programme.services import install_model

    city = CityFactory(**fields)
    if with_model and city.status == ACTIVE:
        install_model(db.session, city, "lyngby-taarbaek")
    return city


def create_user(*, city: Tenant | None = None, role: str | None = None, **fields) -> User:
    user = UserFactory(**fields)
    if city is not None and role:
        with tenant_scope(db.session, city.id):
            db.session.add(Membership(user_id=user.id, role=role))
            db.session.flush()
    return user


def create_partner(city: Tenant, **fields) -> Partner:
    values = {"name": f"Partner {Partner.__name__}", "kind": "company", **fields}
    with tenant_scope(db.session, city.id):
        partner = Partner(**values)
        db.session.add(partner)
        db.session.flush()
    return partner
