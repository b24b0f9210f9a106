"""What a transaction wrote, and the worker's memories it makes stale (platform/writes.py)."""

import pytest
from sqlalchemy import select, update

from mentorby.platform import writes
from mentorby.platform.cities.models import Tenant
from mentorby.tenants.partners.models import Partner
from tests import factories as F


@pytest.fixture
def forgotten(db, in_host_city, monkeypatch):
    """Two memories, one of partners and one of anything: how many times each was forgotten.

    From after the commit of the fixtures' own rows (the host city), as a request would find the database.
    """
    db.session.commit()
    counts = {"partners": 0, "anything": 0}
    monkeypatch.setattr(writes, "_MEMORIES", list(writes._MEMORIES))

    def partners():
        counts["partners"] += 1

    def anything():
        counts["anything"] += 1

    writes.forget_on_write(partners, (Partner,))
    writes.forget_on_write(anything)
    writes.forget_on_write(anything)  # once is enough
    return counts


def test_reading_writes_nothing_and_forgets_nothing(db, in_host_city, forgotten):
    db.session.execute(select(Partner)).all()
    assert writes.wrote(db.session) == 0
    db.session.commit()
    db.session.rollback()
    assert forgotten == {"partners": 0, "anything": 0}


def test_a_flush_forgets_the_memories_of_what_it_wrote_and_the_commit_again(db, in_host_city, forgotten):
    F.create_partner(in_host_city, name="Novo Nordisk")  # flushed
    assert writes.wrote(db.session) == 1
    assert forgotten == {"partners": 1, "anything": 1}
    db.session.commit()
    # The commit forgets again; "anything" also heard the public page's stamp written on the city before it.
    assert forgotten == {"partners": 2, "anything": 3}
    assert writes.wrote(db.session) == 0  # a new transaction


def test_a_write_to_another_model_leaves_the_partners_memory(db, in_host_city, forgotten):
    in_host_city.contact_name = "Someone else"
    db.session.flush()
    db.session.commit()
    assert forgotten == {"partners": 0, "anything": 2}


def test_a_bulk_write_counts_and_forgets_without_a_flush(db, in_host_city, forgotten):
    db.session.execute(update(Partner).where(Partner.name == "nobody").values(name="still nobody"))
    assert writes.wrote(db.session) == 1
    assert forgotten == {"partners": 1, "anything": 1}
    db.session.execute(update(Tenant).where(Tenant.id == -1).values(name="x"))
    assert writes.wrote(db.session) == 2
    assert forgotten == {"partners": 1, "anything": 2}
    # A table written with no model (Core through the session) could be any model's: every memory goes.
    db.session.execute(update(Partner.__table__).where(Partner.__table__.c.name == "nobody").values(name="x"))
    assert writes.wrote(db.session) == 3
    assert forgotten == {"partners": 2, "anything": 3}


def test_the_rollback_of_a_write_forgets_every_memory_and_one_of_no_write_none(db, in_host_city, forgotten):
    # A test's connection holds the fixture's writes until the test ends; in production a commit ends them, which is
    # what dropping the mark stands for here.
    db.session.connection().info.pop(writes._ON_CONNECTION, None)
    db.session.connection().begin_nested().rollback()  # a refused step that wrote nothing
    assert forgotten == {"partners": 0, "anything": 0}
    in_host_city.contact_name = "Someone else"
    db.session.flush()
    assert forgotten == {"partners": 0, "anything": 1}
    db.session.rollback()  # the change to the city may have cascaded anywhere: every memory goes
    assert forgotten == {"partners": 1, "anything": 2}
    assert writes.wrote(db.session) == 0
